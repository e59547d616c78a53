//! Neighbor Discovery for IPv6 (RFC 4861): Router Solicitation and Advertisement,
//! Neighbor Solicitation and Advertisement, Redirect, and their options, including
//! Route Information (RFC 4191), Recursive DNS Server (RFC 8106) and Nonce (RFC 3971).
//!
//! NDP messages are ICMPv6 messages; the views here cover the whole ICMPv6 message and
//! error offsets count from its first byte (the ICMPv6 type).
//!
//! ```text
//! Router Solicitation (133)           Router Advertisement (134)
//! +------+------+-----------+         +------+------+-----------+
//! | type | code | checksum  |         | type | code | checksum  |
//! +------+------+-----------+         +------+------+-----------+
//! |        reserved         |         | hop  |M|O|..| lifetime  |
//! +-------------------------+         +------+------+-----------+
//! | options ...                       |     reachable time      |
//!                                     +-------------------------+
//! Neighbor Solicitation (135)         |     retrans timer       |
//! Neighbor Advertisement (136)        +-------------------------+
//! +------+------+-----------+         | options ...
//! | type | code | checksum  |
//! +------+------+-----------+         Redirect (137)
//! |R|S|O| reserved          |         +------+------+-----------+
//! +-------------------------+         | type | code | checksum  |
//! |   target address (16)   |         +------+------+-----------+
//! +-------------------------+         |        reserved         |
//! | options ...                       +-------------------------+
//!                                     |   target address (16)   |
//! Option:                             +-------------------------+
//! +------+--------+-------------+     | destination addr (16)   |
//! | type | length | value ...   |     +-------------------------+
//! +------+--------+-------------+     | options ...
//!         (length in units of 8 bytes, never 0)
//! ```
//!
//! Options are kept as the raw, validated bytes of the message ([`Options`]), read
//! through the typed iterator [`Options::iter`] and built with [`OptionWriter`], so
//! that parse-then-emit reproduces the received bytes exactly. Reserved fields are kept
//! for the same reason.

use super::checksum::ChecksumCapabilities;
use super::ethernet::EthernetAddress;
use super::field::{set_u16, set_u32, u32_at};
use super::icmpv6::{
    self, AddrList, HEADER_LEN, Message, read_addr, read_u16, read_u32, write_addrs,
};
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::net::Ipv6Addr;

mod offset {
    pub(super) const TYPE: usize = 0;
    pub(super) const CODE: usize = 1;
    pub(super) const RESERVED: usize = 4;
    pub(super) const CUR_HOP_LIMIT: usize = 4;
    pub(super) const ROUTER_FLAGS: usize = 5;
    pub(super) const ROUTER_LIFETIME: usize = 6;
    pub(super) const REACHABLE_TIME: usize = 8;
    pub(super) const RETRANS_TIMER: usize = 12;
    pub(super) const NEIGHBOR_FLAGS: usize = 4;
    pub(super) const TARGET: usize = 8;
    pub(super) const DEST: usize = 24;
}

/// Minimum length of a Router Solicitation, and where its options start.
pub const ROUTER_SOLICIT_LEN: usize = 8;
/// Minimum length of a Router Advertisement, and where its options start.
pub const ROUTER_ADVERT_LEN: usize = 16;
/// Minimum length of a Neighbor Solicitation or Advertisement, and where their options
/// start.
pub const NEIGHBOR_LEN: usize = 24;
/// Minimum length of a Redirect, and where its options start.
pub const REDIRECT_LEN: usize = 40;

/// The fixed length of an NDP message of type `t`, where its options start; `None`
/// for a type that is not NDP.
pub const fn fixed_len(t: Message) -> Option<usize> {
    match t.0 {
        133 => Some(ROUTER_SOLICIT_LEN),
        134 => Some(ROUTER_ADVERT_LEN),
        135 | 136 => Some(NEIGHBOR_LEN),
        137 => Some(REDIRECT_LEN),
        _ => None,
    }
}

const fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Ndp,
        field,
        offset,
    }
}

number_space! {
    /// An NDP option type (IANA "IPv6 Neighbor Discovery Option Formats").
    pub struct OptionKind(u8) {
        /// Source Link-Layer Address (RFC 4861 section 4.6.1).
        SOURCE_LINK_LAYER_ADDR = 1 => "source link-layer address",
        /// Target Link-Layer Address (RFC 4861 section 4.6.1).
        TARGET_LINK_LAYER_ADDR = 2 => "target link-layer address",
        /// Prefix Information (RFC 4861 section 4.6.2).
        PREFIX_INFORMATION = 3 => "prefix information",
        /// Redirected Header (RFC 4861 section 4.6.3).
        REDIRECTED_HEADER = 4 => "redirected header",
        /// MTU (RFC 4861 section 4.6.4).
        MTU = 5 => "MTU",
        /// Nonce (RFC 3971 section 5.3.2; used by DAD, RFC 7527).
        NONCE = 14 => "nonce",
        /// Route Information (RFC 4191 section 2.3).
        ROUTE_INFORMATION = 24 => "route information",
        /// Recursive DNS Server (RFC 8106 section 5.1).
        RDNSS = 25 => "RDNSS",
        /// DNS Search List (RFC 8106 section 5.2).
        DNSSL = 31 => "DNSSL",
    }
}

number_space! {
    /// A router or route preference (RFC 4191 section 2.1), two bits.
    pub struct RoutePreference(u8) {
        /// Medium (the default).
        MEDIUM = 0 => "medium",
        /// High.
        HIGH = 1 => "high",
        /// Reserved; receivers treat it as medium (RFC 4191 section 2.2).
        RESERVED = 2 => "reserved",
        /// Low.
        LOW = 3 => "low",
    }
}

/// The flags byte of a Router Advertisement, every bit kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RouterFlags(pub u8);

impl RouterFlags {
    /// M: addresses are available via DHCPv6 (RFC 4861 section 4.2).
    pub const MANAGED: u8 = 0x80;
    /// O: other configuration is available via DHCPv6.
    pub const OTHER: u8 = 0x40;
    /// H: the router is a Mobile IPv6 home agent (RFC 6275 section 7.1).
    pub const HOME_AGENT: u8 = 0x20;
    /// P: proxied advertisement (RFC 4389 section 4.1.3.3).
    pub const PROXY: u8 = 0x04;

    /// Whether the M flag is set.
    pub const fn managed(self) -> bool {
        self.0 & Self::MANAGED != 0
    }

    /// Whether the O flag is set.
    pub const fn other(self) -> bool {
        self.0 & Self::OTHER != 0
    }

    /// Whether the H flag is set.
    pub const fn home_agent(self) -> bool {
        self.0 & Self::HOME_AGENT != 0
    }

    /// Whether the P flag is set.
    pub const fn proxy(self) -> bool {
        self.0 & Self::PROXY != 0
    }

    /// The default router preference (RFC 4191 section 2.2), bits 3 and 4.
    pub const fn preference(self) -> RoutePreference {
        RoutePreference((self.0 >> 3) & 0x3)
    }
}

/// The first 32-bit word of a Neighbor Advertisement: the R, S and O flags and the
/// reserved bits, every bit kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeighborFlags(pub u32);

impl NeighborFlags {
    /// R: the sender is a router.
    pub const ROUTER: u32 = 0x8000_0000;
    /// S: sent in response to a Neighbor Solicitation.
    pub const SOLICITED: u32 = 0x4000_0000;
    /// O: override an existing cache entry.
    pub const OVERRIDE: u32 = 0x2000_0000;

    /// The flags word with the given flags and zero reserved bits.
    pub const fn new(router: bool, solicited: bool, override_: bool) -> Self {
        let mut v = 0;
        if router {
            v |= Self::ROUTER;
        }
        if solicited {
            v |= Self::SOLICITED;
        }
        if override_ {
            v |= Self::OVERRIDE;
        }
        NeighborFlags(v)
    }

    /// Whether the R flag is set.
    pub const fn router(self) -> bool {
        self.0 & Self::ROUTER != 0
    }

    /// Whether the S flag is set.
    pub const fn solicited(self) -> bool {
        self.0 & Self::SOLICITED != 0
    }

    /// Whether the O flag is set.
    pub const fn override_(self) -> bool {
        self.0 & Self::OVERRIDE != 0
    }
}

/// The content of a Prefix Information option (RFC 4861 section 4.6.2).
///
/// The reserved bits and bytes of the option are not kept here; they are in the raw
/// option bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrefixInformation {
    /// Number of leading bits of `prefix` that are valid (0 to 128).
    pub prefix_len: u8,
    /// L: the prefix can be used for on-link determination.
    pub on_link: bool,
    /// A: the prefix can be used for stateless address autoconfiguration.
    pub autonomous: bool,
    /// Valid lifetime in seconds (all ones: infinity).
    pub valid_lifetime: u32,
    /// Preferred lifetime in seconds (all ones: infinity).
    pub preferred_lifetime: u32,
    /// The prefix.
    pub prefix: Ipv6Addr,
}

/// The content of a Route Information option (RFC 4191 section 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteInformation {
    /// Number of leading bits of `prefix` that are valid (0 to 128).
    pub prefix_len: u8,
    /// Route preference.
    pub preference: RoutePreference,
    /// Route lifetime in seconds (all ones: infinity).
    pub route_lifetime: u32,
    /// The prefix; bytes the option does not carry read as zero.
    pub prefix: Ipv6Addr,
}

/// One NDP option, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NdpOption<'a> {
    /// Source Link-Layer Address, for Ethernet (length 1).
    SourceLinkLayerAddr(EthernetAddress),
    /// Target Link-Layer Address, for Ethernet (length 1).
    TargetLinkLayerAddr(EthernetAddress),
    /// Prefix Information (length 4).
    PrefixInformation(PrefixInformation),
    /// Redirected Header: the original packet, as much as fits, padded to a multiple
    /// of 8 bytes.
    RedirectedHeader {
        /// The IPv6 header and data of the original packet (after the six reserved
        /// bytes).
        data: &'a [u8],
    },
    /// MTU (length 1): the link MTU.
    Mtu(u32),
    /// Route Information (RFC 4191; length 1 to 3, consistent with the prefix length).
    RouteInformation(RouteInformation),
    /// Recursive DNS Server (RFC 8106; odd length of at least 3).
    Rdnss {
        /// Lifetime in seconds (all ones: infinity, 0: stop using these servers).
        lifetime: u32,
        /// The server addresses.
        servers: AddrList<'a>,
    },
    /// Nonce (RFC 3971): the nonce bytes.
    Nonce(&'a [u8]),
    /// An option this module does not decode: an unknown type, or a known type whose
    /// length does not suit it (a link-layer address of another link type, a Prefix
    /// Information option that is not 32 bytes...). RFC 4861 section 4.6 says
    /// receivers ignore options they do not recognize.
    Unknown {
        /// The option type.
        kind: OptionKind,
        /// The bytes after the type and length fields.
        data: &'a [u8],
    },
}

impl<'a> NdpOption<'a> {
    /// Decodes one option from its raw bytes (type, length and value, `bytes.len()`
    /// being the length field times 8).
    fn decode(bytes: &'a [u8]) -> NdpOption<'a> {
        let kind = OptionKind(bytes.first().copied().unwrap_or(0));
        let units = bytes.len() / 8;
        let data = bytes.get(2..).unwrap_or(&[]);
        let unknown = NdpOption::Unknown { kind, data };
        match (kind, units) {
            (OptionKind::SOURCE_LINK_LAYER_ADDR, 1) => {
                EthernetAddress::from_bytes(data).map_or(unknown, NdpOption::SourceLinkLayerAddr)
            }
            (OptionKind::TARGET_LINK_LAYER_ADDR, 1) => {
                EthernetAddress::from_bytes(data).map_or(unknown, NdpOption::TargetLinkLayerAddr)
            }
            (OptionKind::PREFIX_INFORMATION, 4) => {
                let (Some(valid), Some(preferred), Some(prefix)) =
                    (read_u32(bytes, 4), read_u32(bytes, 8), read_addr(bytes, 16))
                else {
                    return unknown;
                };
                let flags = bytes[3];
                NdpOption::PrefixInformation(PrefixInformation {
                    prefix_len: bytes[2],
                    on_link: flags & 0x80 != 0,
                    autonomous: flags & 0x40 != 0,
                    valid_lifetime: valid,
                    preferred_lifetime: preferred,
                    prefix,
                })
            }
            (OptionKind::REDIRECTED_HEADER, 1..) => NdpOption::RedirectedHeader {
                data: bytes.get(8..).unwrap_or(&[]),
            },
            (OptionKind::MTU, 1) => read_u32(bytes, 4).map_or(unknown, NdpOption::Mtu),
            (OptionKind::NONCE, 1..) => NdpOption::Nonce(data),
            (OptionKind::ROUTE_INFORMATION, 1..=3) => {
                let prefix_len = bytes[2];
                //= https://www.rfc-editor.org/rfc/rfc4191#section-2.3
                //# If the Prefix Length is greater than 64, then the Length must be 3.
                //# If the Prefix Length is greater than 0, then the Length must be 2 or 3.
                let fits = match prefix_len {
                    0 => true,
                    1..=64 => units >= 2,
                    65..=128 => units == 3,
                    _ => false,
                };
                let Some(lifetime) = read_u32(bytes, 4) else {
                    return unknown;
                };
                if !fits {
                    return unknown;
                }
                let mut prefix = [0u8; 16];
                let carried = bytes.get(8..).unwrap_or(&[]);
                for (p, b) in prefix.iter_mut().zip(carried) {
                    *p = *b;
                }
                NdpOption::RouteInformation(RouteInformation {
                    prefix_len,
                    preference: RoutePreference((bytes[3] >> 3) & 0x3),
                    route_lifetime: lifetime,
                    prefix: Ipv6Addr::from(prefix),
                })
            }
            //= https://www.rfc-editor.org/rfc/rfc8106#section-5.1
            //# The minimum value is 3 if one IPv6 address is contained in the option.
            //# Every additional RDNSS address increases the length by 2.
            (OptionKind::RDNSS, 3..) if units % 2 == 1 => {
                let servers = bytes.get(8..).and_then(AddrList::new);
                match (read_u32(bytes, 4), servers) {
                    (Some(lifetime), Some(servers)) => NdpOption::Rdnss { lifetime, servers },
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }

    /// The option type.
    pub fn kind(&self) -> OptionKind {
        match self {
            NdpOption::SourceLinkLayerAddr(_) => OptionKind::SOURCE_LINK_LAYER_ADDR,
            NdpOption::TargetLinkLayerAddr(_) => OptionKind::TARGET_LINK_LAYER_ADDR,
            NdpOption::PrefixInformation(_) => OptionKind::PREFIX_INFORMATION,
            NdpOption::RedirectedHeader { .. } => OptionKind::REDIRECTED_HEADER,
            NdpOption::Mtu(_) => OptionKind::MTU,
            NdpOption::RouteInformation(_) => OptionKind::ROUTE_INFORMATION,
            NdpOption::Rdnss { .. } => OptionKind::RDNSS,
            NdpOption::Nonce(_) => OptionKind::NONCE,
            NdpOption::Unknown { kind, .. } => *kind,
        }
    }

    /// The number of bytes [`NdpOption::emit`] writes (a multiple of 8), before the
    /// check that it fits the length field.
    pub fn buffer_len(&self) -> usize {
        let raw = match self {
            NdpOption::SourceLinkLayerAddr(_)
            | NdpOption::TargetLinkLayerAddr(_)
            | NdpOption::Mtu(_) => 8,
            NdpOption::PrefixInformation(_) => 32,
            NdpOption::RedirectedHeader { data } => 8 + data.len(),
            NdpOption::RouteInformation(r) => match r.prefix_len {
                0 => 8,
                1..=64 => 16,
                _ => 24,
            },
            NdpOption::Rdnss { servers, .. } => 8 + servers.as_bytes().len(),
            NdpOption::Nonce(n) => 2 + n.len(),
            NdpOption::Unknown { data, .. } => 2 + data.len(),
        };
        raw.div_ceil(8) * 8
    }

    /// Writes the option into `buf[..buffer_len]`. Reserved fields are written as
    /// zero; a Redirected Header is padded with zeros to a multiple of 8 bytes.
    ///
    /// Fails with `Invalid` when the option cannot be encoded: longer than 2040 bytes,
    /// a Nonce or Unknown option whose data does not end on an 8-byte boundary, an
    /// RDNSS option without servers, a prefix length over 128.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        let units = u8::try_from(len / 8).map_err(|_| invalid("option length", 1))?;
        let exact = match self {
            NdpOption::Nonce(n) => (2 + n.len()) % 8 == 0 && !n.is_empty(),
            NdpOption::Unknown { data, .. } => (2 + data.len()) % 8 == 0,
            NdpOption::Rdnss { servers, .. } => !servers.is_empty(),
            NdpOption::RouteInformation(r) => r.prefix_len <= 128,
            NdpOption::PrefixInformation(p) => p.prefix_len <= 128,
            _ => true,
        };
        if !exact {
            return Err(invalid("option length", 1));
        }
        check_emit_len(Layer::Ndp, buf, len)?;
        let buf = &mut buf[..len];
        buf.fill(0);
        buf[0] = self.kind().0;
        buf[1] = units;
        match self {
            NdpOption::SourceLinkLayerAddr(a) | NdpOption::TargetLinkLayerAddr(a) => {
                buf[2..8].copy_from_slice(&a.0);
            }
            NdpOption::PrefixInformation(p) => {
                buf[2] = p.prefix_len;
                buf[3] = (u8::from(p.on_link) << 7) | (u8::from(p.autonomous) << 6);
                set_u32(buf, 4, p.valid_lifetime);
                set_u32(buf, 8, p.preferred_lifetime);
                buf[16..32].copy_from_slice(&p.prefix.octets());
            }
            NdpOption::RedirectedHeader { data } => buf[8..8 + data.len()].copy_from_slice(data),
            NdpOption::Mtu(mtu) => set_u32(buf, 4, *mtu),
            NdpOption::RouteInformation(r) => {
                buf[2] = r.prefix_len;
                buf[3] = (r.preference.0 & 0x3) << 3;
                set_u32(buf, 4, r.route_lifetime);
                let carried = len - 8;
                buf[8..].copy_from_slice(&r.prefix.octets()[..carried]);
            }
            NdpOption::Rdnss { lifetime, servers } => {
                set_u32(buf, 4, *lifetime);
                buf[8..].copy_from_slice(servers.as_bytes());
            }
            NdpOption::Nonce(data) | NdpOption::Unknown { data, .. } => {
                buf[2..].copy_from_slice(data);
            }
        }
        Ok(())
    }
}

/// The options of an NDP message: raw bytes, validated so that every option has a
/// non-zero length and fits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Options<'a> {
    bytes: &'a [u8],
}

impl<'a> Options<'a> {
    /// No options.
    pub const EMPTY: Options<'static> = Options { bytes: &[] };

    /// Validates raw option bytes; error offsets count from `bytes[0]`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        Self::parse_at(bytes, 0)
    }

    /// Validates raw option bytes that start `base` bytes into the message.
    fn parse_at(bytes: &'a [u8], base: usize) -> Result<Self> {
        let mut at = 0;
        // Every pass consumes at least 8 bytes, or returns.
        while at < bytes.len() {
            let Some(&units) = bytes.get(at + 1) else {
                return Err(Error::Truncated {
                    layer: Layer::Ndp,
                    needed: base + at + 2,
                    available: base + bytes.len(),
                });
            };
            //= https://www.rfc-editor.org/rfc/rfc4861#section-4.6
            //# The value 0 is invalid. Nodes MUST silently discard an ND packet that
            //# contains an option with length zero.
            if units == 0 {
                return Err(invalid("option length", base + at + 1));
            }
            let end = at + usize::from(units) * 8;
            if end > bytes.len() {
                return Err(Error::Truncated {
                    layer: Layer::Ndp,
                    needed: base + end,
                    available: base + bytes.len(),
                });
            }
            at = end;
        }
        Ok(Options { bytes })
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The number of bytes.
    pub const fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether there are no options.
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Iterates over the decoded options.
    pub fn iter(&self) -> OptionIter<'a> {
        OptionIter {
            bytes: self.bytes,
            at: 0,
        }
    }

    /// Iterates over the options with their offsets from the start of the options.
    fn iter_at(&self) -> impl Iterator<Item = (usize, NdpOption<'a>)> + 'a {
        let mut it = self.iter();
        core::iter::from_fn(move || {
            let at = it.at;
            it.next().map(|o| (at, o))
        })
    }

    /// The first Source Link-Layer Address option, if any.
    pub fn source_link_layer_addr(&self) -> Option<EthernetAddress> {
        self.iter().find_map(|o| match o {
            NdpOption::SourceLinkLayerAddr(a) => Some(a),
            _ => None,
        })
    }

    /// The first Target Link-Layer Address option, if any.
    pub fn target_link_layer_addr(&self) -> Option<EthernetAddress> {
        self.iter().find_map(|o| match o {
            NdpOption::TargetLinkLayerAddr(a) => Some(a),
            _ => None,
        })
    }
}

impl<'a> IntoIterator for Options<'a> {
    type Item = NdpOption<'a>;
    type IntoIter = OptionIter<'a>;
    fn into_iter(self) -> OptionIter<'a> {
        self.iter()
    }
}

impl core::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An iterator over the options of an [`Options`]. It stops at the first malformed
/// option, which validated [`Options`] never have.
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = NdpOption<'a>;
    fn next(&mut self) -> Option<NdpOption<'a>> {
        let units = usize::from(*self.bytes.get(self.at + 1)?);
        if units == 0 {
            self.at = self.bytes.len();
            return None;
        }
        let end = self.at + units * 8;
        let Some(raw) = self.bytes.get(self.at..end) else {
            self.at = self.bytes.len();
            return None;
        };
        self.at = end;
        Some(NdpOption::decode(raw))
    }
}

/// Builds option bytes into a caller's buffer, one option after another.
#[derive(Debug)]
pub struct OptionWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> OptionWriter<'b> {
    /// Starts writing at the beginning of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        OptionWriter { buf, len: 0 }
    }

    /// Appends an option (see [`NdpOption::emit`]); on error nothing is appended.
    pub fn push(&mut self, option: &NdpOption<'_>) -> Result<()> {
        option.emit(&mut self.buf[self.len..])?;
        self.len += option.buffer_len();
        Ok(())
    }

    /// Appends an RDNSS option for `servers` (at least one).
    pub fn push_rdnss(&mut self, lifetime: u32, servers: &[Ipv6Addr]) -> Result<()> {
        let len = 8 + servers.len() * 16;
        let units = u8::try_from(len / 8).map_err(|_| invalid("option length", 1))?;
        if servers.is_empty() {
            return Err(invalid("option length", 1));
        }
        let out = &mut self.buf[self.len..];
        check_emit_len(Layer::Ndp, out, len)?;
        out[0] = OptionKind::RDNSS.0;
        out[1] = units;
        set_u16(out, 2, 0);
        set_u32(out, 4, lifetime);
        write_addrs(&mut out[8..len], servers);
        self.len += len;
        Ok(())
    }

    /// The number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The options written, to put in a [`Repr`].
    pub fn into_options(self) -> Options<'b> {
        let buf: &'b [u8] = self.buf;
        Options {
            bytes: &buf[..self.len],
        }
    }
}

/// A zero-copy view of an NDP message (the whole ICMPv6 message).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the fixed part of its message type.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the type is an NDP type and that the buffer holds the fixed part of
    /// that type (RFC 4861: "ICMP length (derived from the IP length) is N or more
    /// octets"). The options are checked by [`Repr::parse`].
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Ndp, buf, HEADER_LEN)?;
        let fixed = fixed_len(Message(buf[offset::TYPE])).ok_or(invalid("type", 0))?;
        check_len(Layer::Ndp, buf, fixed)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn fixed_len(&self) -> usize {
        fixed_len(self.msg_type()).unwrap_or(HEADER_LEN)
    }

    /// The ICMPv6 type.
    pub fn msg_type(&self) -> Message {
        Message(self.buffer.as_ref()[offset::TYPE])
    }

    /// The ICMPv6 code.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[offset::CODE]
    }

    /// The ICMPv6 checksum field.
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), 2).unwrap_or(0)
    }

    /// The reserved word of a Router Solicitation, Neighbor Solicitation or Redirect.
    pub fn reserved(&self) -> Option<u32> {
        match self.msg_type() {
            Message::ROUTER_SOLICIT | Message::NEIGHBOR_SOLICIT | Message::REDIRECT => {
                read_u32(self.buffer.as_ref(), offset::RESERVED)
            }
            _ => None,
        }
    }

    fn ra_field<R>(&self, read: impl FnOnce(&[u8]) -> Option<R>) -> Option<R> {
        if self.msg_type() == Message::ROUTER_ADVERT {
            read(self.buffer.as_ref())
        } else {
            None
        }
    }

    /// Cur Hop Limit of a Router Advertisement.
    pub fn cur_hop_limit(&self) -> Option<u8> {
        self.ra_field(|b| b.get(offset::CUR_HOP_LIMIT).copied())
    }

    /// The flags byte of a Router Advertisement.
    pub fn router_flags(&self) -> Option<RouterFlags> {
        self.ra_field(|b| b.get(offset::ROUTER_FLAGS).copied().map(RouterFlags))
    }

    /// Router Lifetime of a Router Advertisement, in seconds.
    pub fn router_lifetime(&self) -> Option<u16> {
        self.ra_field(|b| read_u16(b, offset::ROUTER_LIFETIME))
    }

    /// Reachable Time of a Router Advertisement, in milliseconds.
    pub fn reachable_time(&self) -> Option<u32> {
        self.ra_field(|b| read_u32(b, offset::REACHABLE_TIME))
    }

    /// Retrans Timer of a Router Advertisement, in milliseconds.
    pub fn retrans_timer(&self) -> Option<u32> {
        self.ra_field(|b| read_u32(b, offset::RETRANS_TIMER))
    }

    /// The flags word of a Neighbor Advertisement.
    pub fn neighbor_flags(&self) -> Option<NeighborFlags> {
        if self.msg_type() == Message::NEIGHBOR_ADVERT {
            read_u32(self.buffer.as_ref(), offset::NEIGHBOR_FLAGS).map(NeighborFlags)
        } else {
            None
        }
    }

    /// Target Address of a Neighbor Solicitation, Neighbor Advertisement or Redirect.
    pub fn target_addr(&self) -> Option<Ipv6Addr> {
        match self.msg_type() {
            Message::NEIGHBOR_SOLICIT | Message::NEIGHBOR_ADVERT | Message::REDIRECT => {
                read_addr(self.buffer.as_ref(), offset::TARGET)
            }
            _ => None,
        }
    }

    /// Destination Address of a Redirect.
    pub fn dest_addr(&self) -> Option<Ipv6Addr> {
        if self.msg_type() == Message::REDIRECT {
            read_addr(self.buffer.as_ref(), offset::DEST)
        } else {
            None
        }
    }

    /// The raw option bytes after the fixed part (not yet validated).
    pub fn options(&self) -> &[u8] {
        self.buffer.as_ref().get(self.fixed_len()..).unwrap_or(&[])
    }
}

/// The content of an NDP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr<'a> {
    /// Router Solicitation (RFC 4861 section 4.1).
    RouterSolicit {
        /// The reserved word (zero when sent, ignored on receipt), kept for byte-exact
        /// re-emission.
        reserved: u32,
        /// Options.
        options: Options<'a>,
    },
    /// Router Advertisement (RFC 4861 section 4.2).
    RouterAdvert {
        /// Hop limit hosts should use (0: unspecified).
        cur_hop_limit: u8,
        /// M, O and the other flag bits.
        flags: RouterFlags,
        /// Lifetime as default router, in seconds (0: not a default router).
        router_lifetime: u16,
        /// Reachable time in milliseconds (0: unspecified).
        reachable_time: u32,
        /// Retransmission timer in milliseconds (0: unspecified).
        retrans_timer: u32,
        /// Options.
        options: Options<'a>,
    },
    /// Neighbor Solicitation (RFC 4861 section 4.3).
    NeighborSolicit {
        /// The reserved word, kept for byte-exact re-emission.
        reserved: u32,
        /// The address whose link-layer address is asked for.
        target_addr: Ipv6Addr,
        /// Options.
        options: Options<'a>,
    },
    /// Neighbor Advertisement (RFC 4861 section 4.4).
    NeighborAdvert {
        /// R, S, O and the reserved bits.
        flags: NeighborFlags,
        /// The address whose link-layer address is advertised.
        target_addr: Ipv6Addr,
        /// Options.
        options: Options<'a>,
    },
    /// Redirect (RFC 4861 section 4.5).
    Redirect {
        /// The reserved word, kept for byte-exact re-emission.
        reserved: u32,
        /// The better first hop.
        target_addr: Ipv6Addr,
        /// The destination that is redirected.
        dest_addr: Ipv6Addr,
        /// Options.
        options: Options<'a>,
    },
}

impl<'a> Repr<'a> {
    /// Parses a checked NDP message: verifies the ICMPv6 checksum if `caps.icmpv6`
    /// says so, then applies the checks of RFC 4861 sections 6.1.1, 6.1.2, 7.1.1,
    /// 7.1.2 and 8.1 that the message alone allows. The checks that need the IPv6
    /// header are in [`Repr::validate_ip`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if caps.icmpv6.verify_rx() {
            icmpv6::verify_message(packet.buffer.as_ref(), src, dst)?;
        }
        Self::parse_fields(packet)
    }

    /// [`Repr::parse`] without the checksum.
    pub(crate) fn parse_fields<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        let buf: &'a [u8] = packet.buffer.as_ref();
        let msg_type = packet.msg_type();
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.1
        //# - ICMP Code is 0.
        // (The same check is in sections 6.1.1, 6.1.2, 7.1.2 and 8.1.)
        if packet.msg_code() != 0 {
            return Err(invalid("code", offset::CODE));
        }
        let fixed = packet.fixed_len();
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.1
        //# - All included options have a length that is greater than zero.
        let options = Options::parse_at(&buf[fixed..], fixed)?;
        // Every NDP message is at least 8 bytes (checked above).
        let word = u32_at(buf, offset::RESERVED);
        let target = packet.target_addr().unwrap_or(Ipv6Addr::UNSPECIFIED);
        Ok(match msg_type {
            Message::ROUTER_SOLICIT => Repr::RouterSolicit {
                reserved: word,
                options,
            },
            Message::ROUTER_ADVERT => Repr::RouterAdvert {
                cur_hop_limit: buf[offset::CUR_HOP_LIMIT],
                flags: RouterFlags(buf[offset::ROUTER_FLAGS]),
                router_lifetime: packet.router_lifetime().unwrap_or(0),
                reachable_time: packet.reachable_time().unwrap_or(0),
                retrans_timer: packet.retrans_timer().unwrap_or(0),
                options,
            },
            Message::NEIGHBOR_SOLICIT | Message::NEIGHBOR_ADVERT => {
                //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.2
                //# - Target Address is not a multicast address.
                // (Also section 7.1.1 for solicitations.)
                if target.is_multicast() {
                    return Err(invalid("target address", offset::TARGET));
                }
                if msg_type == Message::NEIGHBOR_SOLICIT {
                    Repr::NeighborSolicit {
                        reserved: word,
                        target_addr: target,
                        options,
                    }
                } else {
                    Repr::NeighborAdvert {
                        flags: NeighborFlags(word),
                        target_addr: target,
                        options,
                    }
                }
            }
            _ => {
                let dest = packet.dest_addr().unwrap_or(Ipv6Addr::UNSPECIFIED);
                //= https://www.rfc-editor.org/rfc/rfc4861#section-8.1
                //# - The ICMP Destination Address field in the redirect message does
                //#   not contain a multicast address.
                if dest.is_multicast() {
                    return Err(invalid("destination address", offset::DEST));
                }
                //= https://www.rfc-editor.org/rfc/rfc4861#section-8.1
                //# - The ICMP Target Address is either a link-local address (when
                //#   redirected to a router) or the same as the ICMP Destination
                //#   Address (when redirected to the on-link destination).
                if !(target.is_unicast_link_local() || target == dest) {
                    return Err(invalid("target address", offset::TARGET));
                }
                Repr::Redirect {
                    reserved: word,
                    target_addr: target,
                    dest_addr: dest,
                    options,
                }
            }
        })
    }

    /// Applies the checks of RFC 4861 that need the IPv6 header the message came in:
    /// `hop_limit`, `src` and `dst` are its Hop Limit, Source and Destination Address.
    /// A caller that has the IPv6 header must call this after [`Repr::parse`] and drop
    /// the message on error.
    ///
    /// Errors name the IPv6 field (`"hop limit"`, `"source address"`,
    /// `"destination address"`) with offset 0, or the option or flag of this message
    /// that the IPv6 header makes invalid, at its offset in the message.
    ///
    /// Not covered: the IP Authentication Header checks, and the Redirect check that
    /// the source is the current first-hop router for the destination (RFC 4861
    /// section 8.1), which needs the destination cache.
    pub fn validate_ip(&self, hop_limit: u8, src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.1
        //# - The IP Hop Limit field has a value of 255, i.e., the packet could not
        //#   possibly have been forwarded by a router.
        // (The same check is in sections 6.1.1, 6.1.2, 7.1.2 and 8.1.)
        if hop_limit != 255 {
            return Err(invalid("hop limit", 0));
        }
        let fixed = self.header_len();
        let slla_at = || {
            self.options().iter_at().find_map(|(at, o)| {
                matches!(o, NdpOption::SourceLinkLayerAddr(_)).then_some(fixed + at)
            })
        };
        match self {
            Repr::RouterSolicit { .. } => {
                //= https://www.rfc-editor.org/rfc/rfc4861#section-6.1.1
                //# - If the IP source address is the unspecified address, there is no
                //#   source link-layer address option in the message.
                if src.is_unspecified()
                    && let Some(at) = slla_at()
                {
                    return Err(invalid("source link-layer address option", at));
                }
            }
            Repr::RouterAdvert { .. } | Repr::Redirect { .. } => {
                //= https://www.rfc-editor.org/rfc/rfc4861#section-6.1.2
                //# - IP Source Address is a link-local address.
                // (Section 8.1 says the same of Redirects.)
                if !src.is_unicast_link_local() {
                    return Err(invalid("source address", 0));
                }
            }
            Repr::NeighborSolicit { .. } => {
                if src.is_unspecified() {
                    //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.1
                    //# - If the IP source address is the unspecified address, the IP
                    //#   destination address is a solicited-node multicast address.
                    if !is_solicited_node(dst) {
                        return Err(invalid("destination address", 0));
                    }
                    //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.1
                    //# - If the IP source address is the unspecified address, there is
                    //#   no source link-layer address option in the message.
                    if let Some(at) = slla_at() {
                        return Err(invalid("source link-layer address option", at));
                    }
                }
            }
            Repr::NeighborAdvert { flags, .. } => {
                //= https://www.rfc-editor.org/rfc/rfc4861#section-7.1.2
                //# - If the IP Destination Address is a multicast address the
                //#   Solicited flag is zero.
                if dst.is_multicast() && flags.solicited() {
                    return Err(invalid("solicited flag", offset::NEIGHBOR_FLAGS));
                }
            }
        }
        Ok(())
    }

    /// The ICMPv6 type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::RouterSolicit { .. } => Message::ROUTER_SOLICIT,
            Repr::RouterAdvert { .. } => Message::ROUTER_ADVERT,
            Repr::NeighborSolicit { .. } => Message::NEIGHBOR_SOLICIT,
            Repr::NeighborAdvert { .. } => Message::NEIGHBOR_ADVERT,
            Repr::Redirect { .. } => Message::REDIRECT,
        }
    }

    /// The options.
    pub fn options(&self) -> Options<'a> {
        match self {
            Repr::RouterSolicit { options, .. }
            | Repr::RouterAdvert { options, .. }
            | Repr::NeighborSolicit { options, .. }
            | Repr::NeighborAdvert { options, .. }
            | Repr::Redirect { options, .. } => *options,
        }
    }

    /// The length of the fixed part, where the options start.
    pub fn header_len(&self) -> usize {
        fixed_len(self.msg_type()).unwrap_or(HEADER_LEN)
    }

    /// The length of the whole message.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.options().len()
    }

    /// Writes the whole message into `buf[..buffer_len]`, and its ICMPv6 checksum if
    /// `caps.icmpv6` says so.
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<()> {
        let len = self.buffer_len();
        check_emit_len(Layer::Ndp, buf, len)?;
        let buf = &mut buf[..len];
        let fixed = self.header_len();
        buf[offset::TYPE] = self.msg_type().0;
        buf[offset::CODE] = 0;
        match *self {
            Repr::RouterSolicit { reserved, .. } => set_u32(buf, offset::RESERVED, reserved),
            Repr::RouterAdvert {
                cur_hop_limit,
                flags,
                router_lifetime,
                reachable_time,
                retrans_timer,
                ..
            } => {
                buf[offset::CUR_HOP_LIMIT] = cur_hop_limit;
                buf[offset::ROUTER_FLAGS] = flags.0;
                set_u16(buf, offset::ROUTER_LIFETIME, router_lifetime);
                set_u32(buf, offset::REACHABLE_TIME, reachable_time);
                set_u32(buf, offset::RETRANS_TIMER, retrans_timer);
            }
            Repr::NeighborSolicit {
                reserved,
                target_addr,
                ..
            } => {
                set_u32(buf, offset::RESERVED, reserved);
                buf[offset::TARGET..offset::TARGET + 16].copy_from_slice(&target_addr.octets());
            }
            Repr::NeighborAdvert {
                flags, target_addr, ..
            } => {
                set_u32(buf, offset::NEIGHBOR_FLAGS, flags.0);
                buf[offset::TARGET..offset::TARGET + 16].copy_from_slice(&target_addr.octets());
            }
            Repr::Redirect {
                reserved,
                target_addr,
                dest_addr,
                ..
            } => {
                set_u32(buf, offset::RESERVED, reserved);
                buf[offset::TARGET..offset::TARGET + 16].copy_from_slice(&target_addr.octets());
                buf[offset::DEST..offset::DEST + 16].copy_from_slice(&dest_addr.octets());
            }
        }
        buf[fixed..].copy_from_slice(self.options().as_bytes());
        icmpv6::fill_message_checksum(buf, src, dst, caps)
    }
}

/// Whether `addr` is a solicited-node multicast address, `ff02::1:ff00:0/104`
/// (RFC 4291 section 2.7.1).
pub fn is_solicited_node(addr: &Ipv6Addr) -> bool {
    let o = addr.octets();
    o[..13] == [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff]
}

/// The solicited-node multicast address of `addr` (RFC 4291 section 2.7.1).
pub fn solicited_node(addr: &Ipv6Addr) -> Ipv6Addr {
    let o = addr.octets();
    Ipv6Addr::from([
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, o[13], o[14], o[15],
    ])
}

#[cfg(test)]
mod tests;
