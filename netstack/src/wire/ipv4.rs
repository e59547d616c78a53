//! IPv4 (RFC 791) headers and options, with the DSCP/ECN split of the old TOS byte
//! (RFC 2474, RFC 3168), the Router Alert option (RFC 2113), and the incremental
//! checksum updates a router makes (RFC 1624).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |   DSCP    |ECN|          Total Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Identification        |0|D|M|      Fragment Offset    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Source Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options (0 to 40 bytes)    |    Padding    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Options are kept as the raw bytes of the header ([`Repr::options`]), validated at
//! parse time, so that parse-then-emit reproduces the header exactly. [`Options`]
//! iterates over them as typed [`Ipv4Option`]s and [`OptionsWriter`] builds them.
//!
//! Bytes after `Total Length` are padding of the link layer (Ethernet pads short
//! frames to 60 bytes) and are not part of the datagram: [`Packet::payload`] stops at
//! `Total Length`.

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, u16_at};
use super::ip::IpProtocol;
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::Ipv4Addr;

/// Length of the header without options.
pub const HEADER_LEN: usize = 20;
/// Longest header: IHL is four bits, counting 32-bit words.
pub const MAX_HEADER_LEN: usize = 60;
/// Longest options area.
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - HEADER_LEN;
/// Longest datagram (the 16-bit Total Length).
pub const MAX_PACKET_LEN: usize = 65535;
/// The datagram every internet module must be able to forward without fragmenting
/// (RFC 791 section 3.2: "Every internet module must be able to forward a datagram of
/// 68 octets without further fragmentation").
pub const MIN_MTU: usize = 68;

/// The Router Alert option (RFC 2113) with value 0, "Router shall examine packet",
/// ready to be used as [`Repr::options`]: every IGMP message carries it.
pub const ROUTER_ALERT: [u8; 4] = [0x94, 0x04, 0x00, 0x00];

mod offset {
    pub(super) const VER_IHL: usize = 0;
    pub(super) const DSCP_ECN: usize = 1;
    pub(super) const LENGTH: usize = 2;
    pub(super) const IDENT: usize = 4;
    pub(super) const FLAGS: usize = 6;
    pub(super) const TTL: usize = 8;
    pub(super) const PROTOCOL: usize = 9;
    pub(super) const CHECKSUM: usize = 10;
    pub(super) const SRC_ADDR: usize = 12;
    pub(super) const DST_ADDR: usize = 16;
}

const FLAG_RESERVED: u16 = 0x8000;
const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const FRAG_OFFSET_MASK: u16 = 0x1fff;

number_space! {
    /// A Differentiated Services Code Point (RFC 2474), the upper six bits of the
    /// former Type of Service byte, from the IANA "DSCP Pool 1 Codepoints" registry.
    pub struct Dscp(u8) {
        /// Class Selector 0, default forwarding (RFC 2474).
        CS0 = 0 => "CS0",
        /// Lower-Effort PHB (RFC 8622).
        LE = 1 => "LE",
        /// Class Selector 1 (RFC 2474).
        CS1 = 8 => "CS1",
        /// Assured Forwarding 11 (RFC 2597).
        AF11 = 10 => "AF11",
        /// Assured Forwarding 12 (RFC 2597).
        AF12 = 12 => "AF12",
        /// Assured Forwarding 13 (RFC 2597).
        AF13 = 14 => "AF13",
        /// Class Selector 2 (RFC 2474).
        CS2 = 16 => "CS2",
        /// Assured Forwarding 21 (RFC 2597).
        AF21 = 18 => "AF21",
        /// Assured Forwarding 22 (RFC 2597).
        AF22 = 20 => "AF22",
        /// Assured Forwarding 23 (RFC 2597).
        AF23 = 22 => "AF23",
        /// Class Selector 3 (RFC 2474).
        CS3 = 24 => "CS3",
        /// Assured Forwarding 31 (RFC 2597).
        AF31 = 26 => "AF31",
        /// Assured Forwarding 32 (RFC 2597).
        AF32 = 28 => "AF32",
        /// Assured Forwarding 33 (RFC 2597).
        AF33 = 30 => "AF33",
        /// Class Selector 4 (RFC 2474).
        CS4 = 32 => "CS4",
        /// Assured Forwarding 41 (RFC 2597).
        AF41 = 34 => "AF41",
        /// Assured Forwarding 42 (RFC 2597).
        AF42 = 36 => "AF42",
        /// Assured Forwarding 43 (RFC 2597).
        AF43 = 38 => "AF43",
        /// Class Selector 5 (RFC 2474).
        CS5 = 40 => "CS5",
        /// Voice-Admit (RFC 5865).
        VOICE_ADMIT = 44 => "VOICE-ADMIT",
        /// Expedited Forwarding (RFC 3246).
        EF = 46 => "EF",
        /// Class Selector 6, network control (RFC 2474); Linux sends ICMP errors and
        /// IGMP with it.
        CS6 = 48 => "CS6",
        /// Class Selector 7 (RFC 2474).
        CS7 = 56 => "CS7",
    }
}

number_space! {
    /// An Explicit Congestion Notification codepoint (RFC 3168 section 5), the lower
    /// two bits of the former Type of Service byte.
    pub struct Ecn(u8) {
        /// Not ECN-Capable Transport.
        NOT_ECT = 0 => "Not-ECT",
        /// ECN-Capable Transport (1).
        ECT1 = 1 => "ECT(1)",
        /// ECN-Capable Transport (0).
        ECT0 = 2 => "ECT(0)",
        /// Congestion Experienced.
        CE = 3 => "CE",
    }
}

number_space! {
    /// An IPv4 option type octet (IANA "IP Option Numbers" registry): the copied
    /// flag, the option class and the option number together.
    pub struct OptionKind(u8) {
        /// End of Option List (RFC 791).
        END = 0 => "EOL",
        /// No Operation (RFC 791).
        NOP = 1 => "NOP",
        /// Record Route (RFC 791).
        RECORD_ROUTE = 7 => "RR",
        /// Internet Timestamp (RFC 791).
        TIMESTAMP = 68 => "TS",
        /// Security (RIPSO, RFC 1108).
        SECURITY = 130 => "SEC",
        /// Loose Source and Record Route (RFC 791).
        LSRR = 131 => "LSRR",
        /// Extended Security (RFC 1108).
        EXTENDED_SECURITY = 133 => "E-SEC",
        /// Commercial IP Security Option (CIPSO).
        CIPSO = 134 => "CIPSO",
        /// Stream Identifier (RFC 791, obsolete).
        STREAM_ID = 136 => "SID",
        /// Strict Source and Record Route (RFC 791).
        SSRR = 137 => "SSRR",
        /// Router Alert (RFC 2113).
        ROUTER_ALERT = 148 => "RTRALT",
    }
}

impl OptionKind {
    /// Whether the option is copied into every fragment (the top bit).
    pub const fn copied(self) -> bool {
        self.0 & 0x80 != 0
    }

    /// The option class (0 control, 2 debugging and measurement).
    pub const fn class(self) -> u8 {
        (self.0 >> 5) & 0x3
    }

    /// The option number (the low five bits).
    pub const fn number(self) -> u8 {
        self.0 & 0x1f
    }
}

/// One IPv4 option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv4Option<'a> {
    /// End of Option List: the bytes after it, up to the end of the header, are
    /// padding and are not options.
    End,
    /// No Operation (one byte, used to align the next option).
    Nop,
    /// Router Alert (RFC 2113); `value` 0 means "Router shall examine packet".
    RouterAlert {
        /// The 16-bit value.
        value: u16,
    },
    /// Any other option, with its data (the bytes after the type and length octets).
    /// Record Route, Timestamp and the source routes come out here.
    Unknown {
        /// The option type octet.
        kind: OptionKind,
        /// The option data (length octet minus 2 bytes).
        data: &'a [u8],
    },
}

impl Ipv4Option<'_> {
    /// The option type octet.
    pub const fn kind(&self) -> OptionKind {
        match *self {
            Ipv4Option::End => OptionKind::END,
            Ipv4Option::Nop => OptionKind::NOP,
            Ipv4Option::RouterAlert { .. } => OptionKind::ROUTER_ALERT,
            Ipv4Option::Unknown { kind, .. } => kind,
        }
    }

    /// The bytes the option occupies.
    pub const fn buffer_len(&self) -> usize {
        match *self {
            Ipv4Option::End | Ipv4Option::Nop => 1,
            Ipv4Option::RouterAlert { .. } => 4,
            Ipv4Option::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Writes the option at the start of `buf` and returns its length.
    ///
    /// An `Unknown` option whose kind is one of the typed ones (End, NOP, Router
    /// Alert), or whose data does not fit the length octet, is `Invalid`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        check_emit_len(Layer::Ipv4, buf, len)?;
        match *self {
            Ipv4Option::End => buf[0] = OptionKind::END.0,
            Ipv4Option::Nop => buf[0] = OptionKind::NOP.0,
            Ipv4Option::RouterAlert { value } => {
                buf[0] = OptionKind::ROUTER_ALERT.0;
                buf[1] = 4;
                set_u16(buf, 2, value);
            }
            Ipv4Option::Unknown { kind, data } => {
                let invalid = |field| Error::Invalid {
                    layer: Layer::Ipv4,
                    field,
                    offset: HEADER_LEN,
                };
                if matches!(
                    kind,
                    OptionKind::END | OptionKind::NOP | OptionKind::ROUTER_ALERT
                ) {
                    return Err(invalid("option type"));
                }
                let l = u8::try_from(len).map_err(|_| invalid("option length"))?;
                buf[0] = kind.0;
                buf[1] = l;
                buf[2..len].copy_from_slice(data);
            }
        }
        Ok(len)
    }
}

impl fmt::Display for Ipv4Option<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Ipv4Option::RouterAlert { value } => write!(f, "RA {value}"),
            Ipv4Option::Unknown { kind, data } => write!(f, "{kind} len {}", data.len() + 2),
            other => write!(f, "{}", other.kind()),
        }
    }
}

/// An iterator over the options of a header, validating as it goes.
///
/// It yields `Err` once and stops at the first malformed option, and stops after
/// [`Ipv4Option::End`]. Error offsets are counted from the start of the IPv4 header
/// (the options start at byte 20).
#[derive(Debug, Clone)]
pub struct Options<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Options<'a> {
    /// Iterates over the options area `bytes` (the header after its first 20 bytes).
    pub const fn new(bytes: &'a [u8]) -> Self {
        Options { bytes, at: 0 }
    }

    /// Walks every option, returning the first error.
    pub fn validate(bytes: &'a [u8]) -> Result<()> {
        for opt in Options::new(bytes) {
            opt?;
        }
        Ok(())
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<Ipv4Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        let kind = OptionKind(*self.bytes.get(start)?);
        let invalid = |field, at: usize| {
            Some(Err(Error::Invalid {
                layer: Layer::Ipv4,
                field,
                offset: HEADER_LEN + at,
            }))
        };
        match kind {
            //= https://www.rfc-editor.org/rfc/rfc791#section-3.1
            //# This option indicates the end of the option list. ... used at the end
            //# of all options, not the end of each option
            OptionKind::END => {
                self.at = self.bytes.len();
                Some(Ok(Ipv4Option::End))
            }
            OptionKind::NOP => {
                self.at = start + 1;
                Some(Ok(Ipv4Option::Nop))
            }
            _ => {
                //= https://www.rfc-editor.org/rfc/rfc791#section-3.1
                //# The option-length octet counts the option-type octet and the
                //# option-length octet as well as the option-data octets.
                let len = self.bytes.get(start + 1).map_or(0, |&l| usize::from(l));
                if len < 2 || start + len > self.bytes.len() {
                    // Stop: nothing after a bad length can be trusted.
                    self.at = self.bytes.len();
                    return invalid("option length", start + 1);
                }
                self.at = start + len;
                let data = &self.bytes[start + 2..start + len];
                if kind == OptionKind::ROUTER_ALERT {
                    //= https://www.rfc-editor.org/rfc/rfc2113#section-2.1
                    //# Type: 148  Length: 4
                    return match data {
                        [a, b] => Some(Ok(Ipv4Option::RouterAlert {
                            value: u16::from_be_bytes([*a, *b]),
                        })),
                        _ => {
                            self.at = self.bytes.len();
                            invalid("option length", start + 1)
                        }
                    };
                }
                Some(Ok(Ipv4Option::Unknown { kind, data }))
            }
        }
    }
}

/// Builds an options area in a caller's buffer.
///
/// ```
/// use netstack::wire::ipv4::{Ipv4Option, OptionsWriter, ROUTER_ALERT};
/// let mut storage = [0u8; 40];
/// let mut w = OptionsWriter::new(&mut storage);
/// w.push(&Ipv4Option::RouterAlert { value: 0 }).unwrap();
/// assert_eq!(w.finish().unwrap(), &ROUTER_ALERT);
/// ```
#[derive(Debug)]
pub struct OptionsWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> OptionsWriter<'b> {
    /// Starts writing at the beginning of `buf` (40 bytes is always enough).
    pub fn new(buf: &'b mut [u8]) -> Self {
        OptionsWriter { buf, len: 0 }
    }

    /// Appends one option. Fails with `BufferTooSmall` when the buffer, or the
    /// 40 bytes an IPv4 header allows, would overflow.
    pub fn push(&mut self, option: &Ipv4Option<'_>) -> Result<()> {
        let end = self.len + option.buffer_len();
        if end > MAX_OPTIONS_LEN {
            return Err(Error::BufferTooSmall {
                layer: Layer::Ipv4,
                needed: HEADER_LEN + end,
                available: MAX_HEADER_LEN,
            });
        }
        check_emit_len(Layer::Ipv4, self.buf, end)?;
        let rest = self.buf.get_mut(self.len..).unwrap_or_default();
        self.len += option.emit(rest).map_err(|e| e.rebase(self.len))?;
        Ok(())
    }

    /// Pads the options to a multiple of four bytes (an End of Option List, then
    /// zeros, as RFC 791 says) and returns them.
    pub fn finish(self) -> Result<&'b [u8]> {
        let OptionsWriter { buf, len } = self;
        let padded = len.next_multiple_of(4);
        check_emit_len(Layer::Ipv4, buf, padded)?;
        //= https://www.rfc-editor.org/rfc/rfc791#section-3.1
        //# The internet header padding is used to ensure that the internet header
        //# ends on a 32 bit boundary. The padding is zero.
        buf[len..padded].fill(0);
        let buf: &'b [u8] = buf;
        Ok(&buf[..padded])
    }
}

/// The ones'-complement sum of a header, options included, folded to 16 bits: the
/// value [`checksum::data`] gives for the same bytes.
///
/// A header is a whole number of 32-bit words (IHL counts them), at most 15 of them,
/// so it is summed a word at a time into one 64-bit accumulator, which cannot
/// overflow; each big-endian word `hi << 16 | lo` is congruent to `hi + lo` modulo
/// 0xffff, which is what the fold computes. A length that is not a multiple of four
/// (impossible for a header that IHL describes) falls back to `checksum::data`.
#[inline]
fn header_sum(header: &[u8]) -> u16 {
    let (words, rest) = header.as_chunks::<4>();
    if !rest.is_empty() {
        return checksum::data(header);
    }
    checksum::fold(checksum::sum_words(words))
}

/// Verifies the checksum of `header` (options included), whose checksum field holds
/// `found`.
#[inline]
fn verify_header_checksum(header: &[u8], found: u16) -> Result<()> {
    checksum::verify(header_sum(header), found).map_err(|expected| Error::Checksum {
        layer: Layer::Ipv4,
        found,
        expected,
    })
}

/// A zero-copy view of an IPv4 datagram.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header (options included), and `payload` if it is shorter than
    /// `Total Length`.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the header length, `Total Length`, and both
    /// against the buffer.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Wraps a datagram that may be cut short, such as the one quoted in an ICMP
    /// error: checks that the buffer holds the whole header (options included) but
    /// not `Total Length`. No accessor can panic afterwards; [`Packet::payload`]
    /// returns the bytes present (see [`Packet::is_truncated`]).
    #[inline]
    pub fn new_truncated(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_header_len()?;
        Ok(p)
    }

    #[inline]
    fn check_header_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Ipv4, buf, HEADER_LEN)?;
        let ihl = usize::from(buf[offset::VER_IHL] & 0x0f) * 4;
        if ihl < HEADER_LEN {
            return Err(Error::Invalid {
                layer: Layer::Ipv4,
                field: "IHL",
                offset: offset::VER_IHL,
            });
        }
        check_len(Layer::Ipv4, buf, ihl)
    }

    /// Checks that the buffer holds the header (IHL at least 5) and the
    /// `Total Length` bytes the header announces, and that `Total Length` covers the
    /// header.
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        self.check_header_len()?;
        let total = usize::from(self.total_len());
        if total < self.header_len() {
            return Err(Error::Invalid {
                layer: Layer::Ipv4,
                field: "total length",
                offset: offset::LENGTH,
            });
        }
        check_len(Layer::Ipv4, self.buffer.as_ref(), total)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The version field (4 for IPv4; [`Repr::parse`] checks it).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[offset::VER_IHL] >> 4
    }

    /// The header length in bytes (IHL times four), options included.
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.buffer.as_ref()[offset::VER_IHL] & 0x0f) * 4
    }

    /// The Differentiated Services Code Point.
    #[inline]
    pub fn dscp(&self) -> Dscp {
        Dscp(self.buffer.as_ref()[offset::DSCP_ECN] >> 2)
    }

    /// The ECN codepoint.
    #[inline]
    pub fn ecn(&self) -> Ecn {
        Ecn(self.buffer.as_ref()[offset::DSCP_ECN] & 0x3)
    }

    /// The Total Length field: header plus payload.
    #[inline]
    pub fn total_len(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::LENGTH)
    }

    /// The Identification field.
    #[inline]
    pub fn ident(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::IDENT)
    }

    #[inline]
    fn flags_word(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::FLAGS)
    }

    /// The reserved flag bit (must be zero).
    #[inline]
    pub fn reserved_flag(&self) -> bool {
        self.flags_word() & FLAG_RESERVED != 0
    }

    /// The Don't Fragment flag.
    #[inline]
    pub fn dont_frag(&self) -> bool {
        self.flags_word() & FLAG_DF != 0
    }

    /// The More Fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        self.flags_word() & FLAG_MF != 0
    }

    /// The fragment offset in bytes (the field counts 8-byte units).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        (self.flags_word() & FRAG_OFFSET_MASK) * 8
    }

    /// Whether this datagram is a fragment (More Fragments set or a nonzero offset).
    #[inline]
    pub fn is_fragment(&self) -> bool {
        self.flags_word() & (FLAG_MF | FRAG_OFFSET_MASK) != 0
    }

    /// The Time to Live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[offset::TTL]
    }

    /// The protocol of the payload.
    #[inline]
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[offset::PROTOCOL])
    }

    /// The Header Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The source address.
    #[inline]
    pub fn src_addr(&self) -> Ipv4Addr {
        let b = self.buffer.as_ref();
        let at = offset::SRC_ADDR;
        Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
    }

    /// The destination address.
    #[inline]
    pub fn dst_addr(&self) -> Ipv4Addr {
        let b = self.buffer.as_ref();
        let at = offset::DST_ADDR;
        Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
    }

    /// The raw options area, padding included (empty when IHL is 5).
    #[inline]
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..self.header_len()]
    }

    /// An iterator over the options.
    #[inline]
    pub fn options_iter(&self) -> Options<'_> {
        Options::new(self.options())
    }

    /// The header, options included.
    #[inline]
    pub fn header(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.header_len()]
    }

    /// Whether the buffer holds fewer than `Total Length` bytes (possible only after
    /// [`Packet::new_truncated`]).
    #[inline]
    pub fn is_truncated(&self) -> bool {
        self.buffer.as_ref().len() < usize::from(self.total_len())
    }

    #[inline]
    fn payload_range(&self) -> (usize, usize) {
        let hl = self.header_len();
        let end = usize::from(self.total_len()).min(self.buffer.as_ref().len());
        (hl, end.max(hl))
    }

    /// The payload: from the end of the header to `Total Length` (bytes after it are
    /// link-layer padding), or to the end of the buffer if that comes first.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        let (start, end) = self.payload_range();
        &self.buffer.as_ref()[start..end]
    }

    /// Verifies the header checksum.
    #[inline]
    pub fn verify_checksum(&self) -> Result<()> {
        verify_header_checksum(self.header(), self.checksum())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The raw options area, borrowed for the buffer's lifetime.
    #[inline]
    pub fn options_ref(&self) -> &'a [u8] {
        &self.buffer.as_ref()[HEADER_LEN..self.header_len()]
    }

    /// The payload, borrowed for the buffer's lifetime.
    #[inline]
    pub fn payload_ref(&self) -> &'a [u8] {
        let (start, end) = self.payload_range();
        &self.buffer.as_ref()[start..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the version nibble.
    pub fn set_version(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[offset::VER_IHL];
        *b = (*b & 0x0f) | (value << 4);
    }

    /// Sets IHL from a header length in bytes (a multiple of 4 from 20 to 60).
    pub fn set_header_len(&mut self, len: usize) {
        let b = &mut self.buffer.as_mut()[offset::VER_IHL];
        *b = (*b & 0xf0) | ((len / 4) as u8 & 0x0f);
    }

    /// Sets the DSCP (six bits).
    pub fn set_dscp(&mut self, value: Dscp) {
        let b = &mut self.buffer.as_mut()[offset::DSCP_ECN];
        *b = (*b & 0x03) | (value.0 << 2);
    }

    /// Sets the ECN codepoint (two bits).
    pub fn set_ecn(&mut self, value: Ecn) {
        let b = &mut self.buffer.as_mut()[offset::DSCP_ECN];
        *b = (*b & 0xfc) | (value.0 & 0x03);
    }

    /// Sets Total Length.
    pub fn set_total_len(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::LENGTH, value);
    }

    /// Sets Identification.
    pub fn set_ident(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::IDENT, value);
    }

    fn set_flag(&mut self, flag: u16, on: bool) {
        let w = u16_at(self.buffer.as_ref(), offset::FLAGS);
        let w = if on { w | flag } else { w & !flag };
        set_u16(self.buffer.as_mut(), offset::FLAGS, w);
    }

    /// Sets the reserved flag bit (only tests should set it).
    pub fn set_reserved_flag(&mut self, on: bool) {
        self.set_flag(FLAG_RESERVED, on);
    }

    /// Sets Don't Fragment.
    pub fn set_dont_frag(&mut self, on: bool) {
        self.set_flag(FLAG_DF, on);
    }

    /// Sets More Fragments.
    pub fn set_more_frags(&mut self, on: bool) {
        self.set_flag(FLAG_MF, on);
    }

    /// Sets the fragment offset, in bytes (its low three bits are dropped).
    pub fn set_frag_offset(&mut self, bytes: u16) {
        let w = u16_at(self.buffer.as_ref(), offset::FLAGS);
        let w = (w & !FRAG_OFFSET_MASK) | (bytes / 8);
        set_u16(self.buffer.as_mut(), offset::FLAGS, w);
    }

    /// Sets Time to Live.
    pub fn set_ttl(&mut self, value: u8) {
        self.buffer.as_mut()[offset::TTL] = value;
    }

    /// Sets Protocol.
    pub fn set_protocol(&mut self, value: IpProtocol) {
        self.buffer.as_mut()[offset::PROTOCOL] = value.0;
    }

    /// Sets Header Checksum.
    pub fn set_checksum(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::CHECKSUM, value);
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, addr: Ipv4Addr) {
        let at = offset::SRC_ADDR;
        self.buffer.as_mut()[at..at + 4].copy_from_slice(&addr.octets());
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, addr: Ipv4Addr) {
        let at = offset::DST_ADDR;
        self.buffer.as_mut()[at..at + 4].copy_from_slice(&addr.octets());
    }

    /// The options area, mutable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let hl = self.header_len();
        &mut self.buffer.as_mut()[HEADER_LEN..hl]
    }

    /// The payload (up to `Total Length`), mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (start, end) = self.payload_range();
        &mut self.buffer.as_mut()[start..end]
    }

    /// Computes the header checksum and writes it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::finish(checksum::data(self.header()));
        self.set_checksum(c);
    }

    /// Decrements Time to Live by one and updates the checksum incrementally
    /// (RFC 1624), as a forwarding router does. Returns the new TTL, or `None` (and
    /// changes nothing) when the TTL is already 0.
    ///
    /// A router discards a datagram whose TTL this makes 0 and answers with an ICMP
    /// Time Exceeded (RFC 1812 section 5.3.1).
    pub fn decrement_ttl_update_checksum(&mut self) -> Option<u8> {
        let ttl = self.ttl().checked_sub(1)?;
        let b = self.buffer.as_ref();
        let old = u16_at(b, offset::TTL);
        let new = u16::from_be_bytes([ttl, b[offset::PROTOCOL]]);
        //= https://www.rfc-editor.org/rfc/rfc1624#section-3
        //# HC' = ~(~HC + ~m + m')
        let c = checksum::update(self.checksum(), old, new);
        self.set_ttl(ttl);
        self.set_checksum(c);
        Some(ttl)
    }

    /// Rewrites the source address and updates the header checksum incrementally
    /// (RFC 1624), as a NAT does. Transport checksums that cover the address in
    /// their pseudo-header must be updated separately.
    pub fn set_src_addr_update_checksum(&mut self, addr: Ipv4Addr) {
        let c = checksum::update_u32(self.checksum(), self.src_addr().to_bits(), addr.to_bits());
        self.set_src_addr(addr);
        self.set_checksum(c);
    }

    /// Rewrites the destination address and updates the header checksum
    /// incrementally (RFC 1624).
    pub fn set_dst_addr_update_checksum(&mut self, addr: Ipv4Addr) {
        let c = checksum::update_u32(self.checksum(), self.dst_addr().to_bits(), addr.to_bits());
        self.set_dst_addr(addr);
        self.set_checksum(c);
    }
}

/// The header of an IPv4 datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the payload.
    pub protocol: IpProtocol,
    /// Payload length in bytes (`Total Length` minus the header).
    pub payload_len: usize,
    /// Time to Live.
    pub ttl: u8,
    /// Differentiated Services Code Point (0 to 63).
    pub dscp: Dscp,
    /// ECN codepoint (0 to 3).
    pub ecn: Ecn,
    /// Identification.
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// The raw options area, padding included: a multiple of 4 bytes, at most 40,
    /// every option well formed (build it with [`OptionsWriter`]).
    pub options: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parses a checked datagram, verifying the header checksum if `caps.ipv4` says
    /// so.
    ///
    /// Rejects a version other than 4, the reserved flag, a malformed option, a
    /// multicast or limited-broadcast source address, and a fragment that would end
    /// past 65,535 bytes.
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        let invalid = |field, offset| Error::Invalid {
            layer: Layer::Ipv4,
            field,
            offset,
        };
        let buf: &'a [u8] = packet.buffer.as_ref();
        // The fixed header as an array, so that reading its fields below costs no
        // more length checks; a checked packet always holds it.
        let Some(fixed) = buf.first_chunk::<HEADER_LEN>() else {
            return Err(Error::Truncated {
                layer: Layer::Ipv4,
                needed: HEADER_LEN,
                available: buf.len(),
            });
        };
        let u16_field = |at: usize| u16::from_be_bytes([fixed[at], fixed[at + 1]]);
        let addr_field =
            |at: usize| Ipv4Addr::new(fixed[at], fixed[at + 1], fixed[at + 2], fixed[at + 3]);
        if fixed[offset::VER_IHL] >> 4 != 4 {
            return Err(invalid("version", offset::VER_IHL));
        }
        let flags = u16_field(offset::FLAGS);
        //= https://www.rfc-editor.org/rfc/rfc791#section-3.1
        //# Bit 0: reserved, must be zero
        if flags & FLAG_RESERVED != 0 {
            return Err(invalid("flags", offset::FLAGS));
        }
        let header_len = usize::from(fixed[offset::VER_IHL] & 0x0f) * 4;
        // Both hold after `new_checked`; an unchecked packet gets the error it gives.
        let Some(header) = buf.get(..header_len) else {
            packet.check_header_len()?;
            return Err(invalid("IHL", offset::VER_IHL));
        };
        let Some(options) = header.get(HEADER_LEN..) else {
            return Err(invalid("IHL", offset::VER_IHL));
        };
        if caps.ipv4.verify_rx() {
            verify_header_checksum(header, u16_field(offset::CHECKSUM))?;
        }
        if !options.is_empty() {
            Options::validate(options)?;
        }
        //= https://www.rfc-editor.org/rfc/rfc1122#section-3.2.1.3
        //# A host MUST silently discard an incoming datagram containing an IP source
        //# address that is invalid by the rules of this section.
        let src_addr = addr_field(offset::SRC_ADDR);
        if src_addr.is_multicast() || src_addr.is_broadcast() {
            return Err(invalid("source address", offset::SRC_ADDR));
        }
        // `new_checked` makes Total Length cover the header; `new_truncated` does not.
        let payload_len = usize::from(u16_field(offset::LENGTH))
            .checked_sub(header_len)
            .ok_or(invalid("total length", offset::LENGTH))?;
        let frag_offset = (flags & FRAG_OFFSET_MASK) * 8;
        // A fragment that would make the reassembled datagram longer than Total
        // Length can say (the "ping of death").
        if header_len + usize::from(frag_offset) + payload_len > MAX_PACKET_LEN {
            return Err(invalid("fragment offset", offset::FLAGS));
        }
        let tos = fixed[offset::DSCP_ECN];
        Ok(Repr {
            src_addr,
            dst_addr: addr_field(offset::DST_ADDR),
            protocol: IpProtocol(fixed[offset::PROTOCOL]),
            payload_len,
            ttl: fixed[offset::TTL],
            dscp: Dscp(tos >> 2),
            ecn: Ecn(tos & 0x3),
            ident: u16_field(offset::IDENT),
            dont_frag: flags & FLAG_DF != 0,
            more_frags: flags & FLAG_MF != 0,
            frag_offset,
            options,
        })
    }

    /// The header length, options included.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN + self.options.len()
    }

    /// Header plus payload: the `Total Length` emit writes.
    pub const fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Whether the datagram is a fragment.
    pub const fn is_fragment(&self) -> bool {
        self.more_frags || self.frag_offset != 0
    }

    /// An iterator over the options.
    pub fn options_iter(&self) -> Options<'a> {
        Options::new(self.options)
    }

    /// Writes the header and options into `buf[..header_len]` and, if `caps.ipv4`
    /// says so, the header checksum (otherwise the field is 0). `buf` must be
    /// [`Repr::buffer_len`] long; the payload, if already there, is left alone.
    pub fn emit(&self, buf: &mut [u8], caps: &ChecksumCapabilities) -> Result<()> {
        let header_len = self.header_len();
        check_emit_len(Layer::Ipv4, buf, self.buffer_len())?;
        let invalid = |field, offset| Error::Invalid {
            layer: Layer::Ipv4,
            field,
            offset,
        };
        if self.options.len() > MAX_OPTIONS_LEN || !self.options.len().is_multiple_of(4) {
            return Err(invalid("options", HEADER_LEN));
        }
        Options::validate(self.options)?;
        let total = u16::try_from(self.buffer_len())
            .map_err(|_| invalid("total length", offset::LENGTH))?;
        if self.dscp.0 > 0x3f {
            return Err(invalid("DSCP", offset::DSCP_ECN));
        }
        if self.ecn.0 > 0x3 {
            return Err(invalid("ECN", offset::DSCP_ECN));
        }
        if !self.frag_offset.is_multiple_of(8)
            || usize::from(self.frag_offset) + self.buffer_len() > MAX_PACKET_LEN
        {
            return Err(invalid("fragment offset", offset::FLAGS));
        }
        //= https://www.rfc-editor.org/rfc/rfc1122#section-3.2.1.3
        //# (c) { -1, -1 } Limited broadcast. It MUST NOT be used as a source address.
        if self.src_addr.is_multicast() || self.src_addr.is_broadcast() {
            return Err(invalid("source address", offset::SRC_ADDR));
        }
        let mut p = Packet::new_unchecked(&mut buf[..header_len]);
        p.buffer[offset::VER_IHL] = 0x40 | (header_len / 4) as u8;
        p.buffer[offset::DSCP_ECN] = (self.dscp.0 << 2) | self.ecn.0;
        p.set_total_len(total);
        p.set_ident(self.ident);
        let mut flags = self.frag_offset / 8;
        if self.dont_frag {
            flags |= FLAG_DF;
        }
        if self.more_frags {
            flags |= FLAG_MF;
        }
        set_u16(p.buffer, offset::FLAGS, flags);
        p.set_ttl(self.ttl);
        p.set_protocol(self.protocol);
        p.set_src_addr(self.src_addr);
        p.set_dst_addr(self.dst_addr);
        p.options_mut().copy_from_slice(self.options);
        if caps.ipv4.compute_tx() {
            p.fill_checksum();
        } else {
            p.set_checksum(0);
        }
        Ok(())
    }
}

impl fmt::Display for Repr<'_> {
    /// A tcpdump-like line: `10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 25997, length 48,
    /// flags [DF]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} > {}: {}, ttl {}, id {}, length {}",
            self.src_addr,
            self.dst_addr,
            self.protocol,
            self.ttl,
            self.ident,
            self.buffer_len()
        )?;
        if self.dont_frag || self.more_frags {
            f.write_str(", flags [")?;
            if self.dont_frag {
                f.write_str("DF")?;
            }
            if self.more_frags {
                f.write_str("+")?;
            }
            f.write_str("]")?;
        }
        if self.frag_offset != 0 {
            write!(f, ", offset {}", self.frag_offset)?;
        }
        if self.dscp != Dscp::CS0 || self.ecn != Ecn::NOT_ECT {
            write!(f, ", tos {:#04x}", (self.dscp.0 << 2) | self.ecn.0)?;
        }
        if !self.options.is_empty() {
            f.write_str(", options (")?;
            for (i, opt) in self.options_iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                match opt {
                    Ok(o) => write!(f, "{o}")?,
                    Err(_) => f.write_str("malformed")?,
                }
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod header_sum_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time header sum is `checksum::data`'s value, for every header
        /// length IHL can give and for the odd lengths that fall back.
        #[test]
        fn header_sum_is_checksum_data(bytes in proptest::collection::vec(any::<u8>(), 0..=64)) {
            prop_assert_eq!(header_sum(&bytes), checksum::data(&bytes));
            let words = bytes.len() / 4 * 4;
            prop_assert_eq!(header_sum(&bytes[..words]), checksum::data(&bytes[..words]));
        }
    }

    #[test]
    fn header_sum_edge_values() {
        for header in [[0u8; 20], [0xff; 20]] {
            assert_eq!(header_sum(&header), checksum::data(&header));
        }
        // 0x0001 + 0xfffe sums to 0xffff, never to the other zero.
        let mut header = [0u8; 20];
        header[1] = 0x01;
        header[2..4].copy_from_slice(&[0xff, 0xfe]);
        assert_eq!(header_sum(&header), 0xffff);
        assert_eq!(checksum::data(&header), 0xffff);
    }
}
