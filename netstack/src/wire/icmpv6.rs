//! ICMP for IPv6 (RFC 4443): error and informational messages, with Neighbor Discovery
//! ([`ndp`], RFC 4861) and Multicast Listener Discovery
//! ([`mld`], RFC 2710, RFC 3810) carried inside.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Unused / MTU / Pointer / Identifier + Sequence Number       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   As much of the invoking packet as fits / echo data ...
//! +-+-+-+-+-+-+-+-+-+-+-+-
//! ```
//!
//! ICMPv6 has no length field: a message extends to the end of the IPv6 payload, so
//! the view's buffer must be exactly the message. The checksum covers the IPv6
//! pseudo-header (RFC 8200 section 8.1, next header 58) and the whole message.
//!
//! Every message round-trips byte-exactly through [`Repr`]: fields that RFC 4443
//! leaves "unused" are kept, and a message this module does not decode (an unknown
//! type, or an Echo or MLD message with a code other than 0) is [`Repr::Other`].

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, set_u32, u16_at};
use super::ip::IpProtocol;
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len, mld, ndp};
use core::fmt;
use core::net::Ipv6Addr;

number_space! {
    /// An ICMPv6 message type (IANA "ICMPv6 Parameters" registry).
    pub struct Message(u8) {
        /// Destination Unreachable (RFC 4443 section 3.1).
        DST_UNREACHABLE = 1 => "destination unreachable",
        /// Packet Too Big (RFC 4443 section 3.2).
        PKT_TOO_BIG = 2 => "packet too big",
        /// Time Exceeded (RFC 4443 section 3.3).
        TIME_EXCEEDED = 3 => "time exceeded",
        /// Parameter Problem (RFC 4443 section 3.4).
        PARAM_PROBLEM = 4 => "parameter problem",
        /// Echo Request (RFC 4443 section 4.1).
        ECHO_REQUEST = 128 => "echo request",
        /// Echo Reply (RFC 4443 section 4.2).
        ECHO_REPLY = 129 => "echo reply",
        /// Multicast Listener Query, MLDv1 or MLDv2 (RFC 2710, RFC 3810).
        MLD_QUERY = 130 => "multicast listener query",
        /// Version 1 Multicast Listener Report (RFC 2710).
        MLD_REPORT = 131 => "multicast listener report",
        /// Version 1 Multicast Listener Done (RFC 2710).
        MLD_DONE = 132 => "multicast listener done",
        /// Router Solicitation (RFC 4861 section 4.1).
        ROUTER_SOLICIT = 133 => "router solicitation",
        /// Router Advertisement (RFC 4861 section 4.2).
        ROUTER_ADVERT = 134 => "router advertisement",
        /// Neighbor Solicitation (RFC 4861 section 4.3).
        NEIGHBOR_SOLICIT = 135 => "neighbor solicitation",
        /// Neighbor Advertisement (RFC 4861 section 4.4).
        NEIGHBOR_ADVERT = 136 => "neighbor advertisement",
        /// Redirect (RFC 4861 section 4.5).
        REDIRECT = 137 => "redirect",
        /// Version 2 Multicast Listener Report (RFC 3810 section 5.2).
        MLDV2_REPORT = 143 => "multicast listener report v2",
    }
}

impl Message {
    /// Whether this is an error message (types 0 to 127, RFC 4443 section 2.1).
    pub const fn is_error(self) -> bool {
        self.0 < 128
    }

    /// Whether this is a Neighbor Discovery message (types 133 to 137).
    pub const fn is_ndp(self) -> bool {
        matches!(self.0, 133..=137)
    }

    /// Whether this is a Multicast Listener Discovery message (130, 131, 132, 143).
    pub const fn is_mld(self) -> bool {
        matches!(self.0, 130..=132 | 143)
    }

    /// Whether messages of this type have a second 32-bit word that this crate reads
    /// (the four error messages, Echo, NDP and MLD), so that a message of the type must
    /// be at least [`FIXED_HEADER_LEN`] bytes long.
    pub const fn has_fixed_header(self) -> bool {
        matches!(self.0, 1..=4 | 128..=137 | 143)
    }
}

number_space! {
    /// The code of a Destination Unreachable message (RFC 4443 section 3.1, RFC 8883).
    pub struct DstUnreachable(u8) {
        /// No route to destination.
        NO_ROUTE = 0 => "no route to destination",
        /// Communication with destination administratively prohibited.
        ADMIN_PROHIBITED = 1 => "administratively prohibited",
        /// Beyond scope of source address.
        BEYOND_SCOPE = 2 => "beyond scope of source address",
        /// Address unreachable.
        ADDR_UNREACHABLE = 3 => "address unreachable",
        /// Port unreachable.
        PORT_UNREACHABLE = 4 => "port unreachable",
        /// Source address failed ingress/egress policy.
        FAILED_POLICY = 5 => "source address failed policy",
        /// Reject route to destination.
        REJECT_ROUTE = 6 => "reject route",
        /// Error in Source Routing Header (RFC 6550).
        SOURCE_ROUTING_HEADER = 7 => "error in source routing header",
        /// Headers too long (RFC 8883).
        HEADERS_TOO_LONG = 8 => "headers too long",
    }
}

number_space! {
    /// The code of a Time Exceeded message (RFC 4443 section 3.3).
    pub struct TimeExceeded(u8) {
        /// Hop limit exceeded in transit.
        HOP_LIMIT_EXCEEDED = 0 => "hop limit exceeded",
        /// Fragment reassembly time exceeded.
        FRAG_REASM_EXCEEDED = 1 => "fragment reassembly time exceeded",
    }
}

number_space! {
    /// The code of a Parameter Problem message (RFC 4443 section 3.4, RFC 7112,
    /// RFC 8883).
    pub struct ParamProblem(u8) {
        /// Erroneous header field encountered.
        ERRONEOUS_HEADER_FIELD = 0 => "erroneous header field",
        /// Unrecognized Next Header type encountered.
        UNRECOGNIZED_NEXT_HEADER = 1 => "unrecognized next header",
        /// Unrecognized IPv6 option encountered.
        UNRECOGNIZED_OPTION = 2 => "unrecognized IPv6 option",
        /// IPv6 first fragment has incomplete IPv6 header chain (RFC 7112).
        INCOMPLETE_HEADER_CHAIN = 3 => "incomplete header chain",
        /// SR upper-layer header error (RFC 8754).
        SR_UPPER_LAYER_HEADER = 4 => "SR upper-layer header error",
        /// Unrecognized Next Header type encountered by intermediate node (RFC 8883).
        INTERMEDIATE_UNRECOGNIZED_NEXT_HEADER = 5 => "unrecognized next header (intermediate)",
        /// Extension header too big (RFC 8883).
        EXT_HEADER_TOO_BIG = 6 => "extension header too big",
        /// Extension header chain too long (RFC 8883).
        EXT_HEADER_CHAIN_TOO_LONG = 7 => "extension header chain too long",
        /// Too many extension headers (RFC 8883).
        TOO_MANY_EXT_HEADERS = 8 => "too many extension headers",
        /// Too many options in extension header (RFC 8883).
        TOO_MANY_OPTIONS = 9 => "too many options in extension header",
        /// Option too big (RFC 8883).
        OPTION_TOO_BIG = 10 => "option too big",
    }
}

/// Length of the type, code and checksum fields common to every message.
pub const HEADER_LEN: usize = 4;
/// Length of the header of error, Echo, NDP and MLD messages: the common header and
/// the 32-bit word after it.
pub const FIXED_HEADER_LEN: usize = 8;
/// The most bytes an error message may have: RFC 4443 section 2.4 (c) limits the
/// IPv6 packet carrying it to the IPv6 minimum MTU (1280), and the IPv6 header takes
/// 40 of those.
pub const MAX_ERROR_LEN: usize = 1280 - 40;

mod offset {
    pub(super) const TYPE: usize = 0;
    pub(super) const CODE: usize = 1;
    pub(super) const CHECKSUM: usize = 2;
    pub(super) const WORD: usize = 4;
    pub(super) const SEQ_NO: usize = 6;
}

/// Reads a big-endian `u32` at `at`, or `None` when `buf` is shorter.
pub(crate) fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = buf.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// Reads a big-endian `u16` at `at`, or `None` when `buf` is shorter.
pub(crate) fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    let b: [u8; 2] = buf.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_be_bytes(b))
}

/// Reads an IPv6 address at `at`, or `None` when `buf` is shorter.
pub(crate) fn read_addr(buf: &[u8], at: usize) -> Option<Ipv6Addr> {
    let b: [u8; 16] = buf.get(at..at.checked_add(16)?)?.try_into().ok()?;
    Some(Ipv6Addr::from(b))
}

/// The ones'-complement sum of the pseudo-header and `message`, or `None` when the
/// message is longer than an IPv6 jumbogram can be.
fn message_sum(message: &[u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Option<u16> {
    let len = u32::try_from(message.len()).ok()?;
    let pseudo = checksum::pseudo_header_v6(*src, *dst, IpProtocol::ICMPV6, len);
    Some(checksum::combine(&[pseudo, checksum::data(message)]))
}

/// Verifies the checksum of a whole ICMPv6 message (at least [`HEADER_LEN`] bytes).
pub(crate) fn verify_message(message: &[u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
    let found = read_u16(message, offset::CHECKSUM).ok_or(Error::Truncated {
        layer: Layer::Icmpv6,
        needed: HEADER_LEN,
        available: message.len(),
    })?;
    let sum = message_sum(message, src, dst).ok_or(Error::Invalid {
        layer: Layer::Icmpv6,
        field: "length",
        offset: 0,
    })?;
    checksum::verify(sum, found).map_err(|expected| Error::Checksum {
        layer: Layer::Icmpv6,
        found,
        expected,
    })
}

/// Writes the checksum of a whole ICMPv6 message into it if `caps.icmpv6` says so,
/// otherwise zero.
pub(crate) fn fill_message_checksum(
    message: &mut [u8],
    src: &Ipv6Addr,
    dst: &Ipv6Addr,
    caps: &ChecksumCapabilities,
) -> Result<()> {
    check_emit_len(Layer::Icmpv6, message, HEADER_LEN)?;
    set_u16(message, offset::CHECKSUM, 0);
    if caps.icmpv6.compute_tx() {
        let sum = message_sum(message, src, dst).ok_or(Error::Invalid {
            layer: Layer::Icmpv6,
            field: "length",
            offset: 0,
        })?;
        set_u16(message, offset::CHECKSUM, checksum::finish(sum));
    }
    Ok(())
}

/// A validated run of IPv6 addresses, 16 bytes each, borrowed from a message (MLD
/// sources, RDNSS servers).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddrList<'a> {
    bytes: &'a [u8],
}

impl<'a> AddrList<'a> {
    /// The empty list.
    pub const EMPTY: AddrList<'static> = AddrList { bytes: &[] };

    /// Wraps `bytes`, or returns `None` unless its length is a multiple of 16.
    pub const fn new(bytes: &'a [u8]) -> Option<Self> {
        if bytes.len().is_multiple_of(16) {
            Some(AddrList { bytes })
        } else {
            None
        }
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The number of addresses.
    pub const fn len(&self) -> usize {
        self.bytes.len() / 16
    }

    /// Whether the list is empty.
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The `index`th address.
    pub fn get(&self, index: usize) -> Option<Ipv6Addr> {
        read_addr(self.bytes, index.checked_mul(16)?)
    }

    /// Iterates over the addresses.
    pub fn iter(&self) -> AddrIter<'a> {
        AddrIter {
            chunks: self.bytes.chunks_exact(16),
        }
    }
}

impl<'a> IntoIterator for AddrList<'a> {
    type Item = Ipv6Addr;
    type IntoIter = AddrIter<'a>;
    fn into_iter(self) -> AddrIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for AddrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An iterator over the addresses of an [`AddrList`].
#[derive(Debug, Clone)]
pub struct AddrIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for AddrIter<'_> {
    type Item = Ipv6Addr;
    fn next(&mut self) -> Option<Ipv6Addr> {
        let c = self.chunks.next()?;
        let b: [u8; 16] = c.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for AddrIter<'_> {}

/// Writes `addrs` one after another into `buf`, which the caller has sized.
pub(crate) fn write_addrs(buf: &mut [u8], addrs: &[Ipv6Addr]) {
    for (chunk, addr) in buf.chunks_exact_mut(16).zip(addrs) {
        chunk.copy_from_slice(&addr.octets());
    }
}

/// A zero-copy view of an ICMPv6 message. The buffer is the whole message (the IPv6
/// payload after any extension headers), nothing more.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// [`HEADER_LEN`].
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking its length with [`Packet::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the common header, and the second 32-bit word for
    /// the types that have one ([`Message::has_fixed_header`]).
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Icmpv6, buf, HEADER_LEN)?;
        if self.msg_type().has_fixed_header() {
            check_len(Layer::Icmpv6, buf, FIXED_HEADER_LEN)?;
        }
        Ok(())
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        Message(self.buffer.as_ref()[offset::TYPE])
    }

    /// The message code.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[offset::CODE]
    }

    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The 32-bit word after the checksum (the "unused" field, MTU or pointer of error
    /// messages, identifier and sequence number of Echo), or 0 if the message is
    /// shorter (only possible for a type without a fixed header).
    pub fn header_word(&self) -> u32 {
        read_u32(self.buffer.as_ref(), offset::WORD).unwrap_or(0)
    }

    /// The MTU of a Packet Too Big message (the second word).
    pub fn mtu(&self) -> u32 {
        self.header_word()
    }

    /// The pointer of a Parameter Problem message (the second word).
    pub fn pointer(&self) -> u32 {
        self.header_word()
    }

    /// The identifier of an Echo message.
    pub fn echo_ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), offset::WORD).unwrap_or(0)
    }

    /// The sequence number of an Echo message.
    pub fn echo_seq_no(&self) -> u16 {
        read_u16(self.buffer.as_ref(), offset::SEQ_NO).unwrap_or(0)
    }

    /// The message body after the common header (type, code, checksum).
    pub fn body(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }

    /// The data after the fixed header: the invoking packet of an error message, the
    /// data of an Echo message. Empty if the message is shorter.
    pub fn payload(&self) -> &[u8] {
        self.buffer.as_ref().get(FIXED_HEADER_LEN..).unwrap_or(&[])
    }

    /// Verifies the checksum against the pseudo-header of `src` and `dst`.
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
        verify_message(self.buffer.as_ref(), src, dst)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// The data after the fixed header, mutable. Empty if the message is shorter.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(FIXED_HEADER_LEN..)
            .unwrap_or(&mut [])
    }

    /// Computes the checksum over the pseudo-header and the whole message and writes
    /// it into the checksum field.
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
        fill_message_checksum(
            self.buffer.as_mut(),
            src,
            dst,
            &ChecksumCapabilities::default(),
        )
    }
}

/// The content of an ICMPv6 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Repr<'a> {
    /// Destination Unreachable (RFC 4443 section 3.1).
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// The second word: unused by RFC 4443 (zero when sent, ignored on receipt);
        /// RFC 4884 puts the length of the original datagram in its first byte when
        /// extensions follow. Kept so that re-emission is byte-exact.
        unused: u32,
        /// As much of the invoking packet as fits, starting with its IPv6 header.
        invoking: &'a [u8],
    },
    /// Packet Too Big (RFC 4443 section 3.2).
    PktTooBig {
        /// The MTU of the next-hop link.
        mtu: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Time Exceeded (RFC 4443 section 3.3).
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// The second word, as for [`Repr::DstUnreachable`].
        unused: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Parameter Problem (RFC 4443 section 3.4).
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// Offset in the invoking packet where the error was detected.
        pointer: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Echo Request (RFC 4443 section 4.1).
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Echo Reply (RFC 4443 section 4.2).
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// A Neighbor Discovery message (RFC 4861).
    Ndp(ndp::Repr<'a>),
    /// A Multicast Listener Discovery message with code 0 (RFC 2710, RFC 3810).
    Mld(mld::Repr<'a>),
    /// Any other message: an unknown type, or a Packet Too Big, Echo or MLD message
    /// whose code is not 0, kept whole so that it re-emits exactly. (RFC 4443 and
    /// RFC 2710 say receivers ignore the code of Packet Too Big and MLD messages: a
    /// receiver that wants to can still read such a message through [`Packet::mtu`] or
    /// [`mld::Repr::parse`].)
    Other {
        /// The type.
        msg_type: Message,
        /// The code.
        code: u8,
        /// Everything after the checksum.
        data: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parses a checked message, verifying its checksum if `caps.icmpv6` says so.
    ///
    /// NDP messages are validated as [`ndp::Repr::parse`] does and MLD messages as
    /// [`mld::Repr::parse`] does; their errors name [`Layer::Ndp`] and [`Layer::Mld`].
    /// Checks that need the IPv6 header (hop limit, source address) are left to
    /// [`ndp::Repr::validate_ip`] and [`mld::Repr::validate_ip`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        let buf: &'a [u8] = packet.buffer.as_ref();
        // The view may have been made with `new_unchecked`.
        check_len(Layer::Icmpv6, buf, HEADER_LEN)?;
        //= https://www.rfc-editor.org/rfc/rfc4443#section-2.3
        //# ICMPv6 messages with a checksum that does not verify are discarded.
        if caps.icmpv6.verify_rx() {
            verify_message(buf, src, dst)?;
        }
        let msg_type = Message(buf[offset::TYPE]);
        let code = buf[offset::CODE];
        if msg_type.has_fixed_header() {
            check_len(Layer::Icmpv6, buf, FIXED_HEADER_LEN)?;
        }
        let word = read_u32(buf, offset::WORD).unwrap_or(0);
        let rest: &'a [u8] = buf.get(FIXED_HEADER_LEN..).unwrap_or(&[]);
        let other = Repr::Other {
            msg_type,
            code,
            data: &buf[HEADER_LEN..],
        };
        Ok(match msg_type {
            Message::DST_UNREACHABLE => Repr::DstUnreachable {
                reason: DstUnreachable(code),
                unused: word,
                invoking: rest,
            },
            //= https://www.rfc-editor.org/rfc/rfc4443#section-3.2
            //# Code: Set to 0 (zero) by the originator and ignored by the receiver.
            // A non-zero code is kept by returning the message as Other.
            Message::PKT_TOO_BIG if code != 0 => other,
            Message::PKT_TOO_BIG => Repr::PktTooBig {
                mtu: word,
                invoking: rest,
            },
            Message::TIME_EXCEEDED => Repr::TimeExceeded {
                reason: TimeExceeded(code),
                unused: word,
                invoking: rest,
            },
            Message::PARAM_PROBLEM => Repr::ParamProblem {
                reason: ParamProblem(code),
                pointer: word,
                invoking: rest,
            },
            Message::ECHO_REQUEST | Message::ECHO_REPLY if code != 0 => other,
            Message::ECHO_REQUEST => Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data: rest,
            },
            Message::ECHO_REPLY => Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data: rest,
            },
            t if t.is_ndp() => {
                let p = ndp::Packet::new_checked(buf)?;
                Repr::Ndp(ndp::Repr::parse_fields(&p)?)
            }
            t if t.is_mld() && code == 0 => {
                let p = mld::Packet::new_checked(buf)?;
                Repr::Mld(mld::Repr::parse_fields(&p)?)
            }
            _ => other,
        })
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::DstUnreachable { .. } => Message::DST_UNREACHABLE,
            Repr::PktTooBig { .. } => Message::PKT_TOO_BIG,
            Repr::TimeExceeded { .. } => Message::TIME_EXCEEDED,
            Repr::ParamProblem { .. } => Message::PARAM_PROBLEM,
            Repr::EchoRequest { .. } => Message::ECHO_REQUEST,
            Repr::EchoReply { .. } => Message::ECHO_REPLY,
            Repr::Ndp(n) => n.msg_type(),
            Repr::Mld(m) => m.msg_type(),
            Repr::Other { msg_type, .. } => *msg_type,
        }
    }

    /// The message code.
    pub fn msg_code(&self) -> u8 {
        match self {
            Repr::DstUnreachable { reason, .. } => reason.0,
            Repr::TimeExceeded { reason, .. } => reason.0,
            Repr::ParamProblem { reason, .. } => reason.0,
            Repr::Other { code, .. } => *code,
            _ => 0,
        }
    }

    /// The length of the fixed header: [`FIXED_HEADER_LEN`] for error and Echo
    /// messages, the fixed part of an NDP or MLD message, [`HEADER_LEN`] for others.
    pub fn header_len(&self) -> usize {
        match self {
            Repr::Ndp(n) => n.header_len(),
            Repr::Mld(m) => m.header_len(),
            Repr::Other { .. } => HEADER_LEN,
            _ => FIXED_HEADER_LEN,
        }
    }

    /// The length of the whole message.
    pub fn buffer_len(&self) -> usize {
        match self {
            Repr::DstUnreachable { invoking, .. }
            | Repr::PktTooBig { invoking, .. }
            | Repr::TimeExceeded { invoking, .. }
            | Repr::ParamProblem { invoking, .. } => FIXED_HEADER_LEN + invoking.len(),
            Repr::EchoRequest { data, .. } | Repr::EchoReply { data, .. } => {
                FIXED_HEADER_LEN + data.len()
            }
            Repr::Ndp(n) => n.buffer_len(),
            Repr::Mld(m) => m.buffer_len(),
            Repr::Other { data, .. } => HEADER_LEN + data.len(),
        }
    }

    /// Writes the whole message into `buf[..buffer_len]`, and the checksum over it if
    /// `caps.icmpv6` says so (otherwise the checksum field is 0). Bytes of `buf` past
    /// `buffer_len` are not touched, and are not covered by the checksum.
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<()> {
        let len = self.buffer_len();
        check_emit_len(Layer::Icmpv6, buf, len)?;
        if let Repr::Other { msg_type, data, .. } = self {
            // A message of a type with a fixed 8-byte header cannot be shorter than
            // that; `Packet::check_len` would refuse what we wrote.
            if msg_type.has_fixed_header() && data.len() < FIXED_HEADER_LEN - HEADER_LEN {
                return Err(Error::Invalid {
                    layer: Layer::Icmpv6,
                    field: "message body",
                    offset: HEADER_LEN,
                });
            }
        }
        let buf = &mut buf[..len];
        match self {
            Repr::Ndp(n) => return n.emit(buf, src, dst, caps),
            Repr::Mld(m) => return m.emit(buf, src, dst, caps),
            Repr::Other { data, .. } => buf[HEADER_LEN..].copy_from_slice(data),
            Repr::DstUnreachable {
                unused: word,
                invoking: rest,
                ..
            }
            | Repr::TimeExceeded {
                unused: word,
                invoking: rest,
                ..
            }
            | Repr::PktTooBig {
                mtu: word,
                invoking: rest,
            }
            | Repr::ParamProblem {
                pointer: word,
                invoking: rest,
                ..
            } => {
                set_u32(buf, offset::WORD, *word);
                buf[FIXED_HEADER_LEN..].copy_from_slice(rest);
            }
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }
            | Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => {
                set_u16(buf, offset::WORD, *ident);
                set_u16(buf, offset::SEQ_NO, *seq_no);
                buf[FIXED_HEADER_LEN..].copy_from_slice(data);
            }
        }
        buf[offset::TYPE] = self.msg_type().0;
        buf[offset::CODE] = self.msg_code();
        fill_message_checksum(buf, src, dst, caps)
    }
}

impl fmt::Display for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::DstUnreachable { reason, .. } => {
                write!(f, "ICMPv6 destination unreachable, {reason}")
            }
            Repr::PktTooBig { mtu, .. } => write!(f, "ICMPv6 packet too big, mtu {mtu}"),
            Repr::TimeExceeded { reason, .. } => write!(f, "ICMPv6 time exceeded, {reason}"),
            Repr::ParamProblem {
                reason, pointer, ..
            } => write!(f, "ICMPv6 parameter problem, {reason}, pointer {pointer}"),
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => write!(
                f,
                "ICMPv6 echo request, id {ident}, seq {seq_no}, length {}",
                data.len()
            ),
            Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => write!(
                f,
                "ICMPv6 echo reply, id {ident}, seq {seq_no}, length {}",
                data.len()
            ),
            Repr::Ndp(n) => write!(f, "ICMPv6 {}", n.msg_type()),
            Repr::Mld(m) => write!(f, "ICMPv6 {}", m.msg_type()),
            Repr::Other { msg_type, code, .. } => {
                write!(f, "ICMPv6 type {msg_type}, code {code}")
            }
        }
    }
}

#[cfg(test)]
mod tests;
