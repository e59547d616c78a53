//! ICMP for IPv4 (RFC 792), with the codes of RFC 1122 and RFC 1812 and the
//! Next-Hop MTU of RFC 1191.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Rest of header (identifier and sequence number,      |
//! |          gateway, pointer, or unused / Next-Hop MTU)          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Data (echo data, or the invoking datagram: its IP header  |
//! |     and at least the first 8 bytes of its payload)            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The checksum covers the whole ICMP message (the IPv4 payload), with no
//! pseudo-header.
//!
//! [`Repr`] has a variant for each message a host or router acts on, and
//! [`Repr::Other`] for every other one (and for a known type whose code or unused
//! bits do not match its description), so that every message parses and re-emits
//! byte for byte. The RFC 4884 length attribute and extension structures are not
//! interpreted: a Destination Unreachable, Time Exceeded or Parameter Problem that
//! uses them comes out as [`Repr::Other`].

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, u16_at};
use super::ipv4;
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::Ipv4Addr;

/// Length of the ICMP header (type, code, checksum and the 4-byte rest of header).
pub const HEADER_LEN: usize = 8;

/// The most of an invoking datagram an error message quotes, so that the whole error
/// fits the 576 bytes every host accepts: 576 minus a 20-byte IPv4 header and the
/// 8-byte ICMP header. Linux quotes exactly this much.
pub const MAX_INVOKING_LEN: usize = 576 - ipv4::HEADER_LEN - HEADER_LEN;

mod offset {
    pub(super) const TYPE: usize = 0;
    pub(super) const CODE: usize = 1;
    pub(super) const CHECKSUM: usize = 2;
    pub(super) const REST: usize = 4;
    pub(super) const IDENT: usize = 4;
    pub(super) const SEQ_NO: usize = 6;
    pub(super) const POINTER: usize = 4;
    pub(super) const GATEWAY: usize = 4;
    pub(super) const MTU: usize = 6;
}

number_space! {
    /// An ICMP message type (IANA "ICMP Type Numbers" registry).
    pub struct Message(u8) {
        /// Echo Reply (RFC 792).
        ECHO_REPLY = 0 => "echo reply",
        /// Destination Unreachable (RFC 792).
        DST_UNREACHABLE = 3 => "destination unreachable",
        /// Source Quench (RFC 792; deprecated by RFC 6633).
        SOURCE_QUENCH = 4 => "source quench",
        /// Redirect (RFC 792).
        REDIRECT = 5 => "redirect",
        /// Echo Request (RFC 792).
        ECHO_REQUEST = 8 => "echo request",
        /// Router Advertisement (RFC 1256).
        ROUTER_ADVERT = 9 => "router advertisement",
        /// Router Solicitation (RFC 1256).
        ROUTER_SOLICIT = 10 => "router solicitation",
        /// Time Exceeded (RFC 792).
        TIME_EXCEEDED = 11 => "time exceeded",
        /// Parameter Problem (RFC 792).
        PARAM_PROBLEM = 12 => "parameter problem",
        /// Timestamp (RFC 792).
        TIMESTAMP = 13 => "timestamp request",
        /// Timestamp Reply (RFC 792).
        TIMESTAMP_REPLY = 14 => "timestamp reply",
        /// Information Request (RFC 792; deprecated by RFC 6918).
        INFO_REQUEST = 15 => "information request",
        /// Information Reply (RFC 792; deprecated by RFC 6918).
        INFO_REPLY = 16 => "information reply",
        /// Address Mask Request (RFC 950; deprecated by RFC 6918).
        ADDRESS_MASK_REQUEST = 17 => "address mask request",
        /// Address Mask Reply (RFC 950; deprecated by RFC 6918).
        ADDRESS_MASK_REPLY = 18 => "address mask reply",
        /// Extended Echo Request (RFC 8335).
        EXTENDED_ECHO_REQUEST = 42 => "extended echo request",
        /// Extended Echo Reply (RFC 8335).
        EXTENDED_ECHO_REPLY = 43 => "extended echo reply",
    }
}

impl Message {
    /// Whether this is an error message (Destination Unreachable, Source Quench,
    /// Redirect, Time Exceeded, Parameter Problem), which quotes an invoking datagram
    /// and must never be answered with another error (RFC 1122 section 3.2.2).
    pub const fn is_error(self) -> bool {
        matches!(self.0, 3 | 4 | 5 | 11 | 12)
    }
}

number_space! {
    /// Codes of Destination Unreachable (RFC 792, RFC 1122 section 3.2.2.1,
    /// RFC 1812 section 5.2.7.1).
    pub struct DstUnreachable(u8) {
        /// Net unreachable.
        NET_UNREACHABLE = 0 => "net unreachable",
        /// Host unreachable.
        HOST_UNREACHABLE = 1 => "host unreachable",
        /// Protocol unreachable.
        PROTO_UNREACHABLE = 2 => "protocol unreachable",
        /// Port unreachable.
        PORT_UNREACHABLE = 3 => "port unreachable",
        /// Fragmentation needed and DF set; the Next-Hop MTU says how much fits
        /// (RFC 1191).
        FRAG_REQUIRED = 4 => "need to frag",
        /// Source route failed.
        SRC_ROUTE_FAILED = 5 => "source route failed",
        /// Destination network unknown (RFC 1122).
        DST_NET_UNKNOWN = 6 => "net unknown",
        /// Destination host unknown (RFC 1122).
        DST_HOST_UNKNOWN = 7 => "host unknown",
        /// Source host isolated (RFC 1122).
        SRC_HOST_ISOLATED = 8 => "source host isolated",
        /// Communication with destination network administratively prohibited
        /// (RFC 1122).
        NET_PROHIBITED = 9 => "net prohibited",
        /// Communication with destination host administratively prohibited
        /// (RFC 1122).
        HOST_PROHIBITED = 10 => "host prohibited",
        /// Network unreachable for type of service (RFC 1122).
        NET_UNREACHABLE_TOS = 11 => "net unreachable for TOS",
        /// Host unreachable for type of service (RFC 1122).
        HOST_UNREACHABLE_TOS = 12 => "host unreachable for TOS",
        /// Communication administratively prohibited (RFC 1812).
        COMM_PROHIBITED = 13 => "communication prohibited by filter",
        /// Host precedence violation (RFC 1812).
        HOST_PRECEDENCE_VIOLATION = 14 => "host precedence violation",
        /// Precedence cutoff in effect (RFC 1812).
        PRECEDENCE_CUTOFF = 15 => "precedence cutoff",
    }
}

number_space! {
    /// Codes of Time Exceeded (RFC 792).
    pub struct TimeExceeded(u8) {
        /// Time to live exceeded in transit.
        TTL_EXCEEDED = 0 => "in-transit",
        /// Fragment reassembly time exceeded.
        FRAG_REASSEMBLY = 1 => "reassembly",
    }
}

number_space! {
    /// Codes of Redirect (RFC 792).
    pub struct Redirect(u8) {
        /// Redirect datagrams for the network.
        NET = 0 => "net",
        /// Redirect datagrams for the host.
        HOST = 1 => "host",
        /// Redirect datagrams for the type of service and network.
        NET_TOS = 2 => "tos net",
        /// Redirect datagrams for the type of service and host.
        HOST_TOS = 3 => "tos host",
    }
}

number_space! {
    /// Codes of Parameter Problem (RFC 792, RFC 1108, IANA).
    pub struct ParamProblem(u8) {
        /// The pointer indicates the octet where an error was detected.
        POINTER = 0 => "pointer",
        /// A required option is missing (RFC 1108).
        MISSING_OPTION = 1 => "missing required option",
        /// Bad length.
        BAD_LENGTH = 2 => "bad length",
    }
}

/// A zero-copy view of an ICMP message. The buffer is the whole message (the IPv4
/// payload, which the checksum covers).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// 8 bytes.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds the 8-byte header.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the header.
    pub fn check_len(&self) -> Result<()> {
        check_len(Layer::Icmpv4, self.buffer.as_ref(), HEADER_LEN)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        Message(self.buffer.as_ref()[offset::TYPE])
    }

    /// The code.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[offset::CODE]
    }

    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The four bytes after the checksum, whatever the type.
    pub fn rest_of_header(&self) -> [u8; 4] {
        let b = self.buffer.as_ref();
        let at = offset::REST;
        [b[at], b[at + 1], b[at + 2], b[at + 3]]
    }

    /// The identifier of an echo message.
    pub fn echo_ident(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::IDENT)
    }

    /// The sequence number of an echo message.
    pub fn echo_seq_no(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::SEQ_NO)
    }

    /// The Next-Hop MTU of a Destination Unreachable, code 4 (RFC 1191); 0 from a
    /// router that predates RFC 1191.
    pub fn next_hop_mtu(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::MTU)
    }

    /// The pointer of a Parameter Problem: the offset of the bad octet in the
    /// invoking datagram.
    pub fn pointer(&self) -> u8 {
        self.buffer.as_ref()[offset::POINTER]
    }

    /// The gateway address of a Redirect.
    pub fn gateway(&self) -> Ipv4Addr {
        let b = self.buffer.as_ref();
        let at = offset::GATEWAY;
        Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
    }

    /// The data after the header: echo data, or the invoking datagram of an error.
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }

    /// Verifies the checksum over the whole message.
    pub fn verify_checksum(&self) -> Result<()> {
        let found = self.checksum();
        checksum::verify(checksum::data(self.buffer.as_ref()), found).map_err(|expected| {
            Error::Checksum {
                layer: Layer::Icmpv4,
                found,
                expected,
            }
        })
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the message type.
    pub fn set_msg_type(&mut self, value: Message) {
        self.buffer.as_mut()[offset::TYPE] = value.0;
    }

    /// Sets the code.
    pub fn set_msg_code(&mut self, value: u8) {
        self.buffer.as_mut()[offset::CODE] = value;
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::CHECKSUM, value);
    }

    /// Sets the four bytes after the checksum.
    pub fn set_rest_of_header(&mut self, value: [u8; 4]) {
        self.buffer.as_mut()[offset::REST..HEADER_LEN].copy_from_slice(&value);
    }

    /// Sets the identifier of an echo message.
    pub fn set_echo_ident(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::IDENT, value);
    }

    /// Sets the sequence number of an echo message.
    pub fn set_echo_seq_no(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::SEQ_NO, value);
    }

    /// Sets the Next-Hop MTU.
    pub fn set_next_hop_mtu(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::MTU, value);
    }

    /// Sets the pointer of a Parameter Problem.
    pub fn set_pointer(&mut self, value: u8) {
        self.buffer.as_mut()[offset::POINTER] = value;
    }

    /// Sets the gateway address of a Redirect.
    pub fn set_gateway(&mut self, addr: Ipv4Addr) {
        self.set_rest_of_header(addr.octets());
    }

    /// The data after the header, mutable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[HEADER_LEN..]
    }

    /// Computes the checksum over the whole message and writes it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::finish(checksum::data(self.buffer.as_ref()));
        self.set_checksum(c);
    }
}

/// An ICMP message.
///
/// `invoking` is the datagram an error message quotes, as raw bytes: its IPv4 header
/// and as much of its payload as the sender included (at least 8 bytes by RFC 792,
/// up to [`MAX_INVOKING_LEN`] from RFC 1812 routers). [`Repr::invoking_header`]
/// reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr<'a> {
    /// Echo Request (type 8, code 0).
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Echo data.
        data: &'a [u8],
    },
    /// Echo Reply (type 0, code 0).
    EchoReply {
        /// Identifier, copied from the request.
        ident: u16,
        /// Sequence number, copied from the request.
        seq_no: u16,
        /// Echo data, copied from the request.
        data: &'a [u8],
    },
    /// Destination Unreachable (type 3) with the first two bytes of the rest of
    /// header zero.
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// Next-Hop MTU (RFC 1191): meaningful for [`DstUnreachable::FRAG_REQUIRED`],
        /// 0 otherwise.
        next_hop_mtu: u16,
        /// The invoking datagram.
        invoking: &'a [u8],
    },
    /// Time Exceeded (type 11) with an all-zero rest of header.
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// The invoking datagram.
        invoking: &'a [u8],
    },
    /// Parameter Problem (type 12) with the three bytes after the pointer zero.
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// Offset of the bad octet in the invoking datagram.
        pointer: u8,
        /// The invoking datagram.
        invoking: &'a [u8],
    },
    /// Redirect (type 5).
    Redirect {
        /// The code.
        reason: Redirect,
        /// The gateway to send to instead.
        gateway: Ipv4Addr,
        /// The invoking datagram.
        invoking: &'a [u8],
    },
    /// Any other message: another type (Timestamp, Router Advertisement, ...), an
    /// echo with a nonzero code, or an error message whose unused bytes are not zero
    /// (an RFC 4884 length, say).
    Other {
        /// The type.
        msg_type: Message,
        /// The code.
        code: u8,
        /// The four bytes after the checksum.
        rest_of_header: [u8; 4],
        /// The bytes after the header.
        data: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parses a checked message, verifying its checksum if `caps.icmpv4` says so.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        //= https://www.rfc-editor.org/rfc/rfc792
        //# The checksum is the 16-bit ones's complement of the one's complement sum of
        //# the ICMP message starting with the ICMP Type.
        if caps.icmpv4.verify_rx() {
            packet.verify_checksum()?;
        }
        let data: &'a [u8] = &packet.buffer.as_ref()[HEADER_LEN..];
        let code = packet.msg_code();
        let rest = packet.rest_of_header();
        Ok(match (packet.msg_type(), code, rest) {
            (Message::ECHO_REQUEST, 0, _) => Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (Message::ECHO_REPLY, 0, _) => Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (Message::DST_UNREACHABLE, _, [0, 0, _, _]) => Repr::DstUnreachable {
                reason: DstUnreachable(code),
                next_hop_mtu: packet.next_hop_mtu(),
                invoking: data,
            },
            (Message::TIME_EXCEEDED, _, [0, 0, 0, 0]) => Repr::TimeExceeded {
                reason: TimeExceeded(code),
                invoking: data,
            },
            (Message::PARAM_PROBLEM, _, [pointer, 0, 0, 0]) => Repr::ParamProblem {
                reason: ParamProblem(code),
                pointer,
                invoking: data,
            },
            (Message::REDIRECT, _, _) => Repr::Redirect {
                reason: Redirect(code),
                gateway: packet.gateway(),
                invoking: data,
            },
            (msg_type, code, rest_of_header) => Repr::Other {
                msg_type,
                code,
                rest_of_header,
                data,
            },
        })
    }

    /// The message type.
    pub const fn msg_type(&self) -> Message {
        match *self {
            Repr::EchoRequest { .. } => Message::ECHO_REQUEST,
            Repr::EchoReply { .. } => Message::ECHO_REPLY,
            Repr::DstUnreachable { .. } => Message::DST_UNREACHABLE,
            Repr::TimeExceeded { .. } => Message::TIME_EXCEEDED,
            Repr::ParamProblem { .. } => Message::PARAM_PROBLEM,
            Repr::Redirect { .. } => Message::REDIRECT,
            Repr::Other { msg_type, .. } => msg_type,
        }
    }

    /// The code.
    pub const fn msg_code(&self) -> u8 {
        match *self {
            Repr::EchoRequest { .. } | Repr::EchoReply { .. } => 0,
            Repr::DstUnreachable { reason, .. } => reason.0,
            Repr::TimeExceeded { reason, .. } => reason.0,
            Repr::ParamProblem { reason, .. } => reason.0,
            Repr::Redirect { reason, .. } => reason.0,
            Repr::Other { code, .. } => code,
        }
    }

    /// The four bytes after the checksum.
    pub const fn rest_of_header(&self) -> [u8; 4] {
        match *self {
            Repr::EchoRequest { ident, seq_no, .. } | Repr::EchoReply { ident, seq_no, .. } => {
                let i = ident.to_be_bytes();
                let s = seq_no.to_be_bytes();
                [i[0], i[1], s[0], s[1]]
            }
            Repr::DstUnreachable { next_hop_mtu, .. } => {
                let m = next_hop_mtu.to_be_bytes();
                [0, 0, m[0], m[1]]
            }
            Repr::TimeExceeded { .. } => [0; 4],
            Repr::ParamProblem { pointer, .. } => [pointer, 0, 0, 0],
            Repr::Redirect { gateway, .. } => gateway.octets(),
            Repr::Other { rest_of_header, .. } => rest_of_header,
        }
    }

    /// The bytes after the header: echo data or the invoking datagram.
    pub const fn data(&self) -> &'a [u8] {
        match *self {
            Repr::EchoRequest { data, .. }
            | Repr::EchoReply { data, .. }
            | Repr::Other { data, .. } => data,
            Repr::DstUnreachable { invoking, .. }
            | Repr::TimeExceeded { invoking, .. }
            | Repr::ParamProblem { invoking, .. }
            | Repr::Redirect { invoking, .. } => invoking,
        }
    }

    /// The invoking datagram of an error message (`None` for other messages).
    pub const fn invoking(&self) -> Option<&'a [u8]> {
        match *self {
            Repr::DstUnreachable { invoking, .. }
            | Repr::TimeExceeded { invoking, .. }
            | Repr::ParamProblem { invoking, .. }
            | Repr::Redirect { invoking, .. } => Some(invoking),
            Repr::Other { msg_type, data, .. } if msg_type.is_error() => Some(data),
            _ => None,
        }
    }

    /// The header of the invoking datagram, best effort: `Some` when the quote holds
    /// a whole IPv4 header (version 4, at least 20 bytes, options included). The
    /// quote is usually cut short, so the view is built with
    /// [`ipv4::Packet::new_truncated`]: its `payload_ref` is the part of the
    /// invoking payload that was quoted (RFC 792 promises its first 8 bytes, enough
    /// for the ports of TCP and UDP and the identifier of an echo).
    pub fn invoking_header(&self) -> Option<ipv4::Packet<&'a [u8]>> {
        let p = ipv4::Packet::new_truncated(self.invoking()?).ok()?;
        (p.version() == 4).then_some(p)
    }

    /// The quoted payload of the invoking datagram (the bytes after its header, up
    /// to its Total Length), when [`Repr::invoking_header`] is `Some`.
    pub fn invoking_payload(&self) -> Option<&'a [u8]> {
        Some(self.invoking_header()?.payload_ref())
    }

    /// The reply to an echo request: same identifier, sequence number and data.
    pub const fn echo_reply(&self) -> Option<Repr<'a>> {
        match *self {
            //= https://www.rfc-editor.org/rfc/rfc1122#section-3.2.2.6
            //# The data received in the ICMP Echo Request MUST be entirely included in
            //# the resulting Echo Reply.
            Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => Some(Repr::EchoReply {
                ident,
                seq_no,
                data,
            }),
            _ => None,
        }
    }

    /// The header length (8).
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The whole message: header plus data.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.data().len()
    }

    /// Writes the whole message (header and data) into `buf[..buffer_len]` and, if
    /// `caps.icmpv4` says so, the checksum (otherwise the field is 0).
    ///
    /// An [`Repr::Other`] whose type, code and rest of header describe a typed
    /// variant is written as given and parses back as that variant.
    pub fn emit(&self, buf: &mut [u8], caps: &ChecksumCapabilities) -> Result<()> {
        let len = self.buffer_len();
        check_emit_len(Layer::Icmpv4, buf, len)?;
        let mut p = Packet::new_unchecked(&mut buf[..len]);
        p.set_msg_type(self.msg_type());
        p.set_msg_code(self.msg_code());
        p.set_rest_of_header(self.rest_of_header());
        p.data_mut().copy_from_slice(self.data());
        if caps.icmpv4.compute_tx() {
            p.fill_checksum();
        } else {
            p.set_checksum(0);
        }
        Ok(())
    }
}

/// Truncates a datagram to what an ICMP error should quote: as much as fits in a
/// 576-byte error (RFC 1812 section 4.3.2.3), which is always more than the IP
/// header plus 8 bytes RFC 792 requires.
pub fn quote(datagram: &[u8]) -> &[u8] {
    //= https://www.rfc-editor.org/rfc/rfc1812#section-4.3.2.3
    //# the ICMP datagram SHOULD contain as much of the original datagram as possible
    //# without the length of the ICMP datagram exceeding 576 bytes.
    &datagram[..datagram.len().min(MAX_INVOKING_LEN)]
}

impl fmt::Display for Repr<'_> {
    /// tcpdump's wording: `ICMP echo request, id 7587, seq 1, length 28`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.buffer_len();
        match *self {
            Repr::EchoRequest { ident, seq_no, .. } | Repr::EchoReply { ident, seq_no, .. } => {
                write!(
                    f,
                    "ICMP {}, id {ident}, seq {seq_no}, length {len}",
                    self.msg_type()
                )
            }
            Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                ..
            } => {
                let dst = self.invoking_header().map(|h| h.dst_addr());
                f.write_str("ICMP ")?;
                if let Some(dst) = dst {
                    write!(f, "{dst} ")?;
                }
                write!(f, "unreachable - {reason}")?;
                if reason == DstUnreachable::FRAG_REQUIRED {
                    write!(f, " (mtu {next_hop_mtu})")?;
                }
                write!(f, ", length {len}")
            }
            Repr::TimeExceeded { reason, .. } => {
                write!(f, "ICMP time exceeded {reason}, length {len}")
            }
            Repr::ParamProblem {
                reason, pointer, ..
            } => write!(
                f,
                "ICMP parameter problem ({reason}) - octet {pointer}, length {len}"
            ),
            Repr::Redirect {
                reason, gateway, ..
            } => write!(f, "ICMP redirect {reason} to {gateway}, length {len}"),
            Repr::Other { msg_type, code, .. } => {
                write!(f, "ICMP {msg_type} code {code}, length {len}")
            }
        }
    }
}

#[cfg(test)]
mod tests;
