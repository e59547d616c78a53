//! TCP segments (RFC 9293), with the options of RFC 9293 section 3.1, RFC 7323
//! (Window Scale, Timestamps) and RFC 2018 (SACK), the ECN flags of RFC 3168 and the
//! AE flag of RFC 9768 (Accurate ECN), and the checksum over the IPv4 (RFC 9293
//! section 3.1) or IPv6 (RFC 8200 section 8.1) pseudo-header.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                        Sequence Number                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Acknowledgment Number                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Data |Rsrvd|A|C|E|U|A|P|R|S|F|                               |
//! | Offset|     |E|W|C|R|C|S|S|Y|I|            Window             |
//! |       |     | |R|E|G|K|H|T|N|N|                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Checksum            |         Urgent Pointer        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           [Options]                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             Data                              :
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A TCP header does not carry the segment's length: the segment is the whole buffer
//! handed to [`Packet`], so slice it to the IP payload length first (trailing
//! link-layer padding would otherwise count as data and fail the checksum).
//!
//! The wire layer rejects only what makes the header format itself invalid: a data
//! offset below 5, a header longer than the buffer, a bad checksum, and malformed
//! options. Everything else is carried as sent and left to the state machine, which
//! must apply RFC 9293's rules to it: odd flag combinations (SYN with FIN or RST, RST
//! with data, ...), port 0, an acknowledgment number without ACK (see
//! [`Repr::ack_number`]), MSS or Window Scale options outside SYN segments (RFC 7323
//! section 2.2: ignored), Window Scale shifts above 14 (RFC 7323 section 2.3: use 14),
//! repeated options (the getters report the first), and the urgent pointer.

mod option;
mod seq;

pub use option::{
    MAX_SACK_BLOCKS, OptionKind, OptionsIter, SackBlocks, TcpOption, emit_options,
    options_buffer_len,
};
pub use seq::SeqNumber;

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, set_u32, u16_at, u32_at};
use super::ip::IpProtocol;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::IpAddr;
use core::ops;

/// Length of the TCP header without options.
pub const HEADER_LEN: usize = 20;
/// The most option bytes a header can hold: a data offset of 15 words is 60 bytes.
pub const MAX_OPTIONS_LEN: usize = 40;
/// The longest TCP header.
pub const MAX_HEADER_LEN: usize = HEADER_LEN + MAX_OPTIONS_LEN;

mod offset {
    pub(super) const SRC_PORT: usize = 0;
    pub(super) const DST_PORT: usize = 2;
    pub(super) const SEQ_NUM: usize = 4;
    pub(super) const ACK_NUM: usize = 8;
    pub(super) const DATA_OFFSET: usize = 12;
    pub(super) const FLAGS: usize = 12;
    pub(super) const WINDOW: usize = 14;
    pub(super) const CHECKSUM: usize = 16;
    pub(super) const URGENT: usize = 18;
}

/// The twelve bits after the data offset: the control flags of RFC 9293 section 3.1,
/// the ECN flags of RFC 3168, the AE flag of RFC 9768, and the three bits still
/// reserved.
///
/// The value is the low 12 bits of the 16-bit word at offset 12, so `FIN` is bit 0
/// and `AE` bit 8. Reserved bits are kept, so that a parsed header emits as received.
///
/// `Display` prints the flags as tcpdump does: `[S]`, `[S.]`, `[P.]`, `[SEW]`,
/// `[none]` (letters `F S R P . U E W e` in that order; reserved bits are not shown).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u16);

impl Flags {
    /// No more data from sender (FIN).
    pub const FIN: Flags = Flags(0x001);
    /// Synchronize sequence numbers (SYN).
    pub const SYN: Flags = Flags(0x002);
    /// Reset the connection (RST).
    pub const RST: Flags = Flags(0x004);
    /// Push function (PSH).
    pub const PSH: Flags = Flags(0x008);
    /// Acknowledgment field is significant (ACK).
    pub const ACK: Flags = Flags(0x010);
    /// Urgent pointer field is significant (URG).
    pub const URG: Flags = Flags(0x020);
    /// ECN-Echo (ECE, RFC 3168).
    pub const ECE: Flags = Flags(0x040);
    /// Congestion Window Reduced (CWR, RFC 3168).
    pub const CWR: Flags = Flags(0x080);
    /// Accurate ECN (AE, RFC 9768); this bit was the historic ECN-nonce sum (NS) of
    /// RFC 3540.
    pub const AE: Flags = Flags(0x100);
    /// The three bits RFC 9293 still reserves (header bits 4 to 6).
    pub const RESERVED: Flags = Flags(0xe00);
    /// Every bit of the field.
    pub const ALL: Flags = Flags(0xfff);

    /// No flags.
    pub const fn empty() -> Flags {
        Flags(0)
    }

    /// The flags of a 12-bit field value; bits above the 12 are dropped.
    pub const fn from_bits_truncate(bits: u16) -> Flags {
        Flags(bits & Flags::ALL.0)
    }

    /// The 12-bit field value.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }

    /// `self` with the bits of `other` set.
    #[must_use]
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// `self` with the bits of `other` cleared.
    #[must_use]
    pub const fn difference(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }

    /// Sets the bits of `other`.
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    /// Clears the bits of `other`.
    pub fn remove(&mut self, other: Flags) {
        self.0 &= !other.0;
    }

    /// Sets or clears the bits of `other`.
    pub fn set(&mut self, other: Flags, value: bool) {
        if value {
            self.insert(other);
        } else {
            self.remove(other);
        }
    }

    /// How many sequence numbers the flags occupy: SYN and FIN count one each
    /// (RFC 9293 section 3.4).
    pub const fn seq_len(self) -> usize {
        (self.0 & Flags::SYN.0 != 0) as usize + (self.0 & Flags::FIN.0 != 0) as usize
    }
}

impl ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.insert(rhs);
    }
}

impl ops::BitAnd for Flags {
    type Output = Flags;
    fn bitand(self, rhs: Flags) -> Flags {
        Flags(self.0 & rhs.0)
    }
}

impl ops::BitAndAssign for Flags {
    fn bitand_assign(&mut self, rhs: Flags) {
        self.0 &= rhs.0;
    }
}

impl ops::Sub for Flags {
    type Output = Flags;
    fn sub(self, rhs: Flags) -> Flags {
        self.difference(rhs)
    }
}

impl ops::Not for Flags {
    type Output = Flags;
    fn not(self) -> Flags {
        Flags(!self.0 & Flags::ALL.0)
    }
}

/// tcpdump's letters, in tcpdump's order.
const FLAG_LETTERS: [(Flags, char); 9] = [
    (Flags::FIN, 'F'),
    (Flags::SYN, 'S'),
    (Flags::RST, 'R'),
    (Flags::PSH, 'P'),
    (Flags::ACK, '.'),
    (Flags::URG, 'U'),
    (Flags::ECE, 'E'),
    (Flags::CWR, 'W'),
    (Flags::AE, 'e'),
];

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('[')?;
        let shown = *self - Flags::RESERVED;
        if shown.is_empty() {
            f.write_str("none")?;
        }
        for (flag, letter) in FLAG_LETTERS {
            if self.contains(flag) {
                f.write_char(letter)?;
            }
        }
        f.write_char(']')
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(Flags, &str); 9] = [
            (Flags::FIN, "FIN"),
            (Flags::SYN, "SYN"),
            (Flags::RST, "RST"),
            (Flags::PSH, "PSH"),
            (Flags::ACK, "ACK"),
            (Flags::URG, "URG"),
            (Flags::ECE, "ECE"),
            (Flags::CWR, "CWR"),
            (Flags::AE, "AE"),
        ];
        f.write_str("Flags(")?;
        let mut first = true;
        for (flag, name) in NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        let reserved = (*self & Flags::RESERVED).0;
        if reserved != 0 {
            if !first {
                f.write_str(" | ")?;
            }
            write!(f, "reserved {reserved:#05x}")?;
            first = false;
        }
        if first {
            f.write_str("empty")?;
        }
        f.write_str(")")
    }
}

const fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Tcp,
        field,
        offset,
    }
}

/// The pseudo-header sum for a segment of `len` bytes.
fn pseudo_header(src: &IpAddr, dst: &IpAddr, len: usize) -> Result<u16> {
    if src.is_ipv4() != dst.is_ipv4() {
        return Err(invalid("address family", 0));
    }
    // IPv4's pseudo-header has a 16-bit length, IPv6's a 32-bit one.
    u32::try_from(len)
        .ok()
        .and_then(|len| checksum::pseudo_header(src, dst, IpProtocol::TCP, len))
        .ok_or(invalid("length", 0))
}

/// The pseudo-header sum for a segment of `len` bytes, not folded: the IPv4 one as
/// the sum of its two addresses as 32-bit words (each congruent to the sum of its
/// 16-bit halves modulo 0xffff) plus protocol and length. Fails as [`pseudo_header`].
#[inline]
fn pseudo_header_sum(src: &IpAddr, dst: &IpAddr, len: usize) -> Result<u64> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let len = u16::try_from(len).map_err(|_| invalid("length", 0))?;
            Ok(u64::from(s.to_bits())
                + u64::from(d.to_bits())
                + u64::from(IpProtocol::TCP.0)
                + u64::from(len))
        }
        _ => pseudo_header(src, dst, len).map(u64::from),
    }
}

/// Verifies the checksum of the segment `buf`, whose checksum field holds `found`
/// and whose header is `header_len` bytes (a multiple of four, as the data offset
/// counts 32-bit words), in one sum over the pseudo-header and the segment.
///
/// The header is summed a 32-bit word at a time (at most 15 words, into a 64-bit
/// accumulator); the data after it with [`checksum::data`]. The folded sum equals
/// `checksum::combine(&[pseudo, checksum::data(buf)])`, so the result, and the
/// `expected` value of an error, are those of one sum over the whole segment.
#[inline]
fn verify_segment_checksum(
    buf: &[u8],
    header_len: usize,
    src: &IpAddr,
    dst: &IpAddr,
    found: u16,
) -> Result<()> {
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.1
    //# The checksum field is the 16-bit ones' complement of the ones' complement
    //# sum of all 16-bit words in the header and text.
    let mut sum = pseudo_header_sum(src, dst, buf.len())?;
    match buf.split_at_checked(header_len) {
        Some((header, data)) if header_len.is_multiple_of(4) => {
            sum += checksum::sum_words(header.as_chunks::<4>().0);
            if !data.is_empty() {
                sum += u64::from(checksum::data(data));
            }
        }
        // Only an unchecked packet can get here.
        _ => sum += u64::from(checksum::data(buf)),
    }
    checksum::verify(checksum::fold(sum), found).map_err(|expected| Error::Checksum {
        layer: Layer::Tcp,
        found,
        expected,
    })
}

/// A zero-copy view of a TCP segment: header, options and data, filling the buffer.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. The fixed-header accessors and setters
    /// panic if it is shorter than 20 bytes; `data_offset`, `header_len`, `options`,
    /// `payload` and their `_mut` forms never panic.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the header against it.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the fixed header, that the data offset is at
    /// least 5 words, and that the buffer holds the header the data offset announces.
    /// The options themselves are checked by [`Repr::parse`] (or [`OptionsIter`]).
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Tcp, buf, HEADER_LEN)?;
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.1
        //# Data Offset (DOffset): 4 bits. The number of 32-bit words in the TCP
        //# header. This indicates where the TCP data begins.
        let header_len = usize::from(buf[offset::DATA_OFFSET] >> 4) * 4;
        if header_len < HEADER_LEN {
            return Err(invalid("data offset", offset::DATA_OFFSET));
        }
        check_len(Layer::Tcp, buf, header_len)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::SRC_PORT)
    }

    /// The destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::DST_PORT)
    }

    /// The sequence number.
    #[inline]
    pub fn seq_number(&self) -> SeqNumber {
        SeqNumber(u32_at(self.buffer.as_ref(), offset::SEQ_NUM))
    }

    /// The acknowledgment number field, whether or not ACK is set.
    #[inline]
    pub fn ack_number(&self) -> SeqNumber {
        SeqNumber(u32_at(self.buffer.as_ref(), offset::ACK_NUM))
    }

    /// The data offset: the header length in 32-bit words (0 if the buffer is too
    /// short to hold it).
    #[inline]
    pub fn data_offset(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(offset::DATA_OFFSET)
            .map_or(0, |b| b >> 4)
    }

    /// The header length in bytes (data offset times 4).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }

    /// All twelve flag bits, reserved ones included.
    #[inline]
    pub fn flags(&self) -> Flags {
        Flags::from_bits_truncate(u16_at(self.buffer.as_ref(), offset::FLAGS))
    }

    /// The three reserved bits, as a number from 0 to 7 (header bits 4 to 6).
    #[inline]
    pub fn reserved(&self) -> u8 {
        (self.flags().bits() >> 9) as u8
    }

    /// The FIN flag.
    #[inline]
    pub fn fin(&self) -> bool {
        self.flags().contains(Flags::FIN)
    }

    /// The SYN flag.
    #[inline]
    pub fn syn(&self) -> bool {
        self.flags().contains(Flags::SYN)
    }

    /// The RST flag.
    #[inline]
    pub fn rst(&self) -> bool {
        self.flags().contains(Flags::RST)
    }

    /// The PSH flag.
    #[inline]
    pub fn psh(&self) -> bool {
        self.flags().contains(Flags::PSH)
    }

    /// The ACK flag.
    #[inline]
    pub fn ack(&self) -> bool {
        self.flags().contains(Flags::ACK)
    }

    /// The URG flag.
    #[inline]
    pub fn urg(&self) -> bool {
        self.flags().contains(Flags::URG)
    }

    /// The ECE flag (RFC 3168).
    #[inline]
    pub fn ece(&self) -> bool {
        self.flags().contains(Flags::ECE)
    }

    /// The CWR flag (RFC 3168).
    #[inline]
    pub fn cwr(&self) -> bool {
        self.flags().contains(Flags::CWR)
    }

    /// The AE flag (RFC 9768; formerly the NS flag of RFC 3540).
    #[inline]
    pub fn ae(&self) -> bool {
        self.flags().contains(Flags::AE)
    }

    /// The window field (unscaled).
    #[inline]
    pub fn window_len(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::WINDOW)
    }

    /// The checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The urgent pointer field, whether or not URG is set.
    #[inline]
    pub fn urgent_pointer(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::URGENT)
    }

    /// The raw option bytes, between the fixed header and the data offset (empty if
    /// the data offset is out of range).
    #[inline]
    pub fn options(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(HEADER_LEN..self.header_len())
            .unwrap_or_default()
    }

    /// A validating iterator over the options.
    #[inline]
    pub fn options_iter(&self) -> OptionsIter<'_> {
        OptionsIter::new(self.options())
    }

    /// The data after the header: the rest of the buffer.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(self.header_len()..)
            .unwrap_or_default()
    }

    /// The length of the segment in sequence space: data plus one for SYN and one for
    /// FIN (RFC 9293 section 3.4, SEG.LEN).
    #[inline]
    pub fn segment_len(&self) -> usize {
        self.payload().len() + self.flags().seq_len()
    }

    /// Verifies the checksum over the pseudo-header of `src` and `dst` and the whole
    /// buffer.
    #[inline]
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> Result<()> {
        let buf = self.buffer.as_ref();
        verify_segment_checksum(buf, self.header_len(), src, dst, self.checksum())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the source port.
    pub fn set_src_port(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::SRC_PORT, value);
    }

    /// Sets the destination port.
    pub fn set_dst_port(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::DST_PORT, value);
    }

    /// Sets the sequence number.
    pub fn set_seq_number(&mut self, value: SeqNumber) {
        set_u32(self.buffer.as_mut(), offset::SEQ_NUM, value.0);
    }

    /// Sets the acknowledgment number field.
    pub fn set_ack_number(&mut self, value: SeqNumber) {
        set_u32(self.buffer.as_mut(), offset::ACK_NUM, value.0);
    }

    /// Sets the data offset (in 32-bit words, 5 to 15) and the flags, which share a
    /// 16-bit word. Values out of range are masked to their 4 and 12 bits.
    pub fn set_data_offset_and_flags(&mut self, data_offset: u8, flags: Flags) {
        let word = (u16::from(data_offset & 0xf) << 12) | flags.bits();
        set_u16(self.buffer.as_mut(), offset::FLAGS, word);
    }

    /// Sets the flags, keeping the data offset.
    pub fn set_flags(&mut self, flags: Flags) {
        let doff = self.data_offset();
        self.set_data_offset_and_flags(doff, flags);
    }

    /// Sets the window field.
    pub fn set_window_len(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::WINDOW, value);
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::CHECKSUM, value);
    }

    /// Sets the urgent pointer field.
    pub fn set_urgent_pointer(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::URGENT, value);
    }

    /// The option bytes, mutable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        self.buffer
            .as_mut()
            .get_mut(HEADER_LEN..end)
            .unwrap_or_default()
    }

    /// The data, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        self.buffer.as_mut().get_mut(start..).unwrap_or_default()
    }

    /// Computes the checksum over the pseudo-header and the whole buffer and writes it.
    pub fn fill_checksum(&mut self, src: &IpAddr, dst: &IpAddr) -> Result<()> {
        self.set_checksum(0);
        let buf = self.buffer.as_ref();
        let pseudo = pseudo_header(src, dst, buf.len())?;
        let sum = checksum::combine(&[pseudo, checksum::data(buf)]);
        self.set_checksum(checksum::finish(sum));
        Ok(())
    }
}

/// The header of a TCP segment.
///
/// The options are kept as the raw bytes of the header (checked by `parse`, and by
/// `emit` when built by hand), so that a parsed segment emits byte for byte as it
/// was received; read them with [`Repr::options_iter`] or the getters, and build them
/// with [`emit_options`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq_number: SeqNumber,
    /// Acknowledgment number: `Some` exactly when the ACK flag is set.
    ///
    /// Without ACK the field is meaningless (RFC 9293 section 3.1) and is emitted as
    /// zero, as Linux and the BSDs send it; a received non-zero value without ACK is
    /// not kept, so such a segment re-emits with a zero field.
    pub ack_number: Option<SeqNumber>,
    /// All twelve flag bits, reserved ones included. `ACK` must be set exactly when
    /// `ack_number` is `Some`.
    pub flags: Flags,
    /// The window field (unscaled).
    pub window_len: u16,
    /// The urgent pointer field, as sent (meaningful only with URG).
    pub urgent_pointer: u16,
    /// The option bytes, a multiple of 4 and at most 40 long, padding included.
    pub options: &'a [u8],
    /// Length of the data after the header.
    pub payload_len: usize,
}

impl<'a> Repr<'a> {
    /// Parses a checked segment, verifying its checksum if `caps.tcp` says so, and
    /// validating every option up to End of Option List.
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &IpAddr,
        dst: &IpAddr,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        let buf: &'a [u8] = packet.buffer.as_ref();
        let header_len = packet.header_len();
        // Both hold after `check_len`; binding them once spares the field reads
        // below their own length checks.
        let (Some(fixed), Some((header, data))) = (
            buf.first_chunk::<HEADER_LEN>(),
            buf.split_at_checked(header_len),
        ) else {
            return Err(invalid("data offset", offset::DATA_OFFSET));
        };
        let u16_field = |at: usize| u16::from_be_bytes([fixed[at], fixed[at + 1]]);
        let u32_field = |at: usize| {
            u32::from_be_bytes([fixed[at], fixed[at + 1], fixed[at + 2], fixed[at + 3]])
        };
        if caps.tcp.verify_rx() {
            let found = u16_field(offset::CHECKSUM);
            verify_segment_checksum(buf, header_len, src, dst, found)?;
        }
        let options = header.get(HEADER_LEN..).unwrap_or_default();
        if !options.is_empty() {
            OptionsIter::validate(options)?;
        }
        let flags = Flags::from_bits_truncate(u16_field(offset::FLAGS));
        Ok(Repr {
            src_port: u16_field(offset::SRC_PORT),
            dst_port: u16_field(offset::DST_PORT),
            seq_number: SeqNumber(u32_field(offset::SEQ_NUM)),
            ack_number: flags
                .contains(Flags::ACK)
                .then(|| SeqNumber(u32_field(offset::ACK_NUM))),
            flags,
            window_len: u16_field(offset::WINDOW),
            urgent_pointer: u16_field(offset::URGENT),
            options,
            payload_len: data.len(),
        })
    }

    /// The header length: 20 bytes plus the options.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN + self.options.len()
    }

    /// Header plus data.
    pub const fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// The segment's length in sequence space: data plus one for SYN and one for FIN
    /// (RFC 9293 section 3.4, SEG.LEN).
    pub const fn segment_len(&self) -> usize {
        self.payload_len + self.flags.seq_len()
    }

    /// A validating iterator over the options.
    pub fn options_iter(&self) -> OptionsIter<'a> {
        OptionsIter::new(self.options)
    }

    /// The valid options, stopping at the first malformed one (there is none in a
    /// parsed `Repr`).
    fn valid_options(&self) -> impl Iterator<Item = TcpOption<'a>> + use<'a> {
        self.options_iter().map_while(|o| o.ok())
    }

    /// The Maximum Segment Size option, if present (the first one).
    pub fn mss(&self) -> Option<u16> {
        self.valid_options().find_map(|o| match o {
            TcpOption::MaxSegmentSize(v) => Some(v),
            _ => None,
        })
    }

    /// The Window Scale shift count, if present, as sent (RFC 7323 section 2.3 has
    /// the receiver use 14 for larger values).
    pub fn window_scale(&self) -> Option<u8> {
        self.valid_options().find_map(|o| match o {
            TcpOption::WindowScale(v) => Some(v),
            _ => None,
        })
    }

    /// Whether the SACK Permitted option is present.
    pub fn sack_permitted(&self) -> bool {
        self.valid_options()
            .any(|o| matches!(o, TcpOption::SackPermitted))
    }

    /// The SACK blocks, if a SACK option is present (the first one).
    pub fn sack_ranges(&self) -> Option<SackBlocks> {
        self.valid_options().find_map(|o| match o {
            TcpOption::SackRange(b) => Some(b),
            _ => None,
        })
    }

    /// The Timestamps option as `(TSval, TSecr)`, if present (the first one).
    pub fn timestamps(&self) -> Option<(u32, u32)> {
        self.valid_options().find_map(|o| match o {
            TcpOption::Timestamps { tsval, tsecr } => Some((tsval, tsecr)),
            _ => None,
        })
    }

    /// Writes the header into `buf` and, if `caps.tcp` says so, the checksum over the
    /// data already in `buf[header_len..buffer_len]` (otherwise the checksum field is
    /// 0). The segment is `buf[..buffer_len]`.
    ///
    /// Fails with `BufferTooSmall` when `buf` is shorter than `buffer_len`, and with
    /// `Invalid` when the options are not a valid option area of a multiple of 4 bytes
    /// up to 40 (`"data offset"` or the option's field), when `flags` has ACK but
    /// `ack_number` is `None` or the reverse (`"ACK flag"`), or when the segment is
    /// too long for the IPv4 pseudo-header (`"length"`).
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &IpAddr,
        dst: &IpAddr,
        caps: &ChecksumCapabilities,
    ) -> Result<()> {
        let header_len = self.header_len();
        if self.options.len() > MAX_OPTIONS_LEN || !self.options.len().is_multiple_of(4) {
            return Err(invalid("data offset", offset::DATA_OFFSET));
        }
        OptionsIter::validate(self.options)?;
        if self.flags.contains(Flags::ACK) != self.ack_number.is_some() {
            return Err(invalid("ACK flag", offset::FLAGS + 1));
        }
        let total = header_len
            .checked_add(self.payload_len)
            .ok_or(invalid("length", 0))?;
        check_emit_len(Layer::Tcp, buf, total)?;
        let buf = &mut buf[..total];
        set_u16(buf, offset::SRC_PORT, self.src_port);
        set_u16(buf, offset::DST_PORT, self.dst_port);
        set_u32(buf, offset::SEQ_NUM, self.seq_number.0);
        set_u32(buf, offset::ACK_NUM, self.ack_number.unwrap_or_default().0);
        // header_len <= 60, so the data offset fits its 4 bits.
        let word = ((header_len as u16 / 4) << 12) | self.flags.bits();
        set_u16(buf, offset::FLAGS, word);
        set_u16(buf, offset::WINDOW, self.window_len);
        set_u16(buf, offset::CHECKSUM, 0);
        set_u16(buf, offset::URGENT, self.urgent_pointer);
        buf[HEADER_LEN..header_len].copy_from_slice(self.options);
        if caps.tcp.compute_tx() {
            let pseudo = pseudo_header(src, dst, total)?;
            let sum = checksum::combine(&[pseudo, checksum::data(buf)]);
            set_u16(buf, offset::CHECKSUM, checksum::finish(sum));
        }
        Ok(())
    }
}

impl fmt::Display for Repr<'_> {
    /// A tcpdump-like summary: `TCP 35906 > 8080 [S.] seq 1 ack 2 win 64240 len 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TCP {} > {} {} seq {}",
            self.src_port, self.dst_port, self.flags, self.seq_number
        )?;
        if let Some(ack) = self.ack_number {
            write!(f, " ack {ack}")?;
        }
        write!(f, " win {}", self.window_len)?;
        if self.flags.contains(Flags::URG) {
            write!(f, " urg {}", self.urgent_pointer)?;
        }
        write!(f, " len {}", self.payload_len)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod checksum_tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;

    /// The checksum check as one `checksum::data` over the whole segment.
    fn verify_reference(buf: &[u8], src: &IpAddr, dst: &IpAddr, found: u16) -> Result<()> {
        let pseudo = pseudo_header(src, dst, buf.len())?;
        let sum = checksum::combine(&[pseudo, checksum::data(buf)]);
        checksum::verify(sum, found).map_err(|expected| Error::Checksum {
            layer: Layer::Tcp,
            found,
            expected,
        })
    }

    fn arb_addrs() -> impl Strategy<Value = (IpAddr, IpAddr)> {
        prop_oneof![
            (any::<u32>(), any::<u32>()).prop_map(|(s, d)| (
                IpAddr::V4(Ipv4Addr::from_bits(s)),
                IpAddr::V4(Ipv4Addr::from_bits(d))
            )),
            (any::<u128>(), any::<u128>()).prop_map(|(s, d)| (
                IpAddr::V6(Ipv6Addr::from_bits(s)),
                IpAddr::V6(Ipv6Addr::from_bits(d))
            )),
            (any::<u32>(), any::<u128>()).prop_map(|(s, d)| (
                IpAddr::V4(Ipv4Addr::from_bits(s)),
                IpAddr::V6(Ipv6Addr::from_bits(d))
            )),
        ]
    }

    proptest! {
        /// Summing the header by words and the data apart gives the result, and the
        /// error, of one sum over the segment; for every split, even an impossible one.
        #[test]
        fn split_sum_matches_whole_sum(
            buf in proptest::collection::vec(any::<u8>(), 0..200),
            header_len in 0usize..64,
            (src, dst) in arb_addrs(),
            found in any::<u16>(),
        ) {
            prop_assert_eq!(
                verify_segment_checksum(&buf, header_len, &src, &dst, found),
                verify_reference(&buf, &src, &dst, found)
            );
        }

        /// A segment with the right checksum verifies through both.
        #[test]
        fn filled_checksum_verifies(
            mut buf in proptest::collection::vec(any::<u8>(), 20..200),
            doff in 5u8..16,
            (src, dst) in arb_addrs(),
        ) {
            buf[12] = (doff << 4) | (buf[12] & 0x0f);
            let mut p = Packet::new_unchecked(&mut buf[..]);
            if p.fill_checksum(&src, &dst).is_ok() {
                let found = p.checksum();
                let header_len = p.header_len();
                prop_assert_eq!(verify_segment_checksum(&buf, header_len, &src, &dst, found), Ok(()));
            }
        }
    }

    #[test]
    fn oversized_ipv4_segment_is_a_length_error() {
        let buf = vec![0u8; 65536];
        let src = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let dst = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(
            verify_segment_checksum(&buf, 20, &src, &dst, 0),
            Err(invalid("length", 0))
        );
        assert_eq!(
            verify_reference(&buf, &src, &dst, 0),
            Err(invalid("length", 0))
        );
    }
}
