//! IPv6 extension headers (RFC 8200 section 4) and the walker over a chain of them.
//!
//! ```text
//! +---------------+------------------------+------------------+-----------------
//! | IPv6 header   | Hop-by-Hop header      | Routing header   | Fragment header
//! |               |                        |                  |
//! | Next Header = | Next Header = Routing  | Next Header =    | Next Header = TCP
//! |  Hop-by-Hop   |                        |  Fragment        |
//! +---------------+------------------------+------------------+-----------------
//! ```
//! One module per header: [`options`] (Hop-by-Hop and Destination Options, which share
//! a format), [`routing`] (with the Segment Routing Header), [`fragment`], and
//! [`auth`] (the IPsec Authentication Header, RFC 4302, which has its own length
//! unit). [`ExtHeaders`] walks a chain from the Next Header of the fixed header to the
//! upper-layer protocol: bounded, without recursion or allocation, over borrowed
//! bytes.
//!
//! Besides the four headers of RFC 8200 and AH, the walker steps over the headers
//! that use the uniform format of RFC 6564 (Next Header, Hdr Ext Len in 8-byte units):
//! Mobility (135, RFC 6275), HIP (139, RFC 7401) and Shim6 (140, RFC 5533), listed in
//! RFC 7045. ESP and No Next Header end the walk.

pub mod auth;
pub mod fragment;
pub mod options;
pub mod routing;

#[cfg(test)]
mod tests;

use super::ip::IpProtocol;
use super::{Error, Layer, Result, check_emit_len, check_len};

/// The most extension headers [`ExtHeaders`] walks; one more is
/// [`Error::Unsupported`]. The order RFC 8200 section 4.1 recommends (one of each,
/// Destination Options twice) walks six, AH included; eight leaves room for the
/// uniform-format headers.
pub const MAX_EXT_HEADERS: usize = 8;

/// The longest extension header of the standard format (Hdr Ext Len 255).
pub const MAX_EXT_HEADER_LEN: usize = 2048;

/// Mobility header (RFC 6275), walked with the uniform format.
pub const MOBILITY: IpProtocol = IpProtocol::MOBILITY;
/// Host Identity Protocol (RFC 7401), walked with the uniform format.
pub const HIP: IpProtocol = IpProtocol::HIP;
/// Shim6 (RFC 5533), walked with the uniform format.
pub const SHIM6: IpProtocol = IpProtocol::SHIM6;

/// The length in bytes of an extension header whose Hdr Ext Len is `hdr_ext_len`.
pub const fn ext_header_len(hdr_ext_len: u8) -> usize {
    (hdr_ext_len as usize + 1) * 8
}

const fn max_ext_header_len() -> usize {
    MAX_EXT_HEADER_LEN
}

/// Whether the walker treats `p` as an extension header (and steps over it) rather
/// than as the end of the chain.
pub const fn is_walked(p: IpProtocol) -> bool {
    p.is_ipv6_extension() || matches!(p.0, 51 | 135 | 139 | 140)
}

/// The parsed content of one extension header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtHeaderRepr<'a> {
    /// Hop-by-Hop Options (its `kind` is [`options::Kind::HopByHop`]).
    HopByHop(options::Repr<'a>),
    /// Routing header (check [`routing::Repr::is_deprecated`] for Type 0).
    Routing(routing::Repr<'a>),
    /// Fragment header.
    Fragment(fragment::Repr),
    /// Destination Options (its `kind` is [`options::Kind::DestOpts`]).
    DestOpts(options::Repr<'a>),
    /// Authentication Header.
    Auth(auth::Repr<'a>),
    /// A header of the uniform format of RFC 6564 (Mobility, HIP, Shim6).
    Other {
        /// Which header it is.
        header_type: IpProtocol,
        /// Next Header.
        next_header: IpProtocol,
        /// The header after its first two bytes: `2 + data.len()` is a multiple of 8.
        data: &'a [u8],
    },
}

impl<'a> ExtHeaderRepr<'a> {
    /// Parses the header of type `header_type` at the start of `bytes`; returns it
    /// and its length. Errors are offsets from the start of `bytes`.
    pub fn parse(header_type: IpProtocol, bytes: &'a [u8]) -> Result<(Self, usize)> {
        match header_type {
            IpProtocol::HOP_BY_HOP | IpProtocol::IPV6_DEST_OPTS => {
                let kind = if header_type == IpProtocol::HOP_BY_HOP {
                    options::Kind::HopByHop
                } else {
                    options::Kind::DestOpts
                };
                let p = options::Packet::new_checked(bytes, kind)?;
                let r = options::Repr::parse(&p)?;
                let len = r.header_len();
                Ok(match kind {
                    options::Kind::HopByHop => (ExtHeaderRepr::HopByHop(r), len),
                    options::Kind::DestOpts => (ExtHeaderRepr::DestOpts(r), len),
                })
            }
            IpProtocol::IPV6_ROUTING => {
                let p = routing::Packet::new_checked(bytes)?;
                let r = routing::Repr::parse(&p)?;
                Ok((ExtHeaderRepr::Routing(r), r.header_len()))
            }
            IpProtocol::IPV6_FRAGMENT => {
                let p = fragment::Packet::new_checked(bytes)?;
                let r = fragment::Repr::parse(&p)?;
                Ok((ExtHeaderRepr::Fragment(r), fragment::HEADER_LEN))
            }
            IpProtocol::AH => {
                let p = auth::Packet::new_checked(bytes)?;
                let r = auth::Repr::parse(&p)?;
                Ok((ExtHeaderRepr::Auth(r), r.header_len()))
            }
            _ if is_walked(header_type) => {
                check_len(Layer::Ipv6, bytes, 2)?;
                let len = ext_header_len(bytes[1]);
                check_len(Layer::Ipv6, bytes, len)?;
                let r = ExtHeaderRepr::Other {
                    header_type,
                    next_header: IpProtocol(bytes[0]),
                    data: &bytes[2..len],
                };
                Ok((r, len))
            }
            _ => Err(Error::Unsupported {
                layer: Layer::Ipv6,
                field: "Next Header",
                offset: 0,
            }),
        }
    }

    /// The Next Header value that announces this header.
    pub const fn header_type(&self) -> IpProtocol {
        match self {
            ExtHeaderRepr::HopByHop(_) => IpProtocol::HOP_BY_HOP,
            ExtHeaderRepr::Routing(_) => IpProtocol::IPV6_ROUTING,
            ExtHeaderRepr::Fragment(_) => IpProtocol::IPV6_FRAGMENT,
            ExtHeaderRepr::DestOpts(_) => IpProtocol::IPV6_DEST_OPTS,
            ExtHeaderRepr::Auth(_) => IpProtocol::AH,
            ExtHeaderRepr::Other { header_type, .. } => *header_type,
        }
    }

    /// The Next Header this header carries.
    pub const fn next_header(&self) -> IpProtocol {
        match self {
            ExtHeaderRepr::HopByHop(r) | ExtHeaderRepr::DestOpts(r) => r.next_header,
            ExtHeaderRepr::Routing(r) => r.next_header,
            ExtHeaderRepr::Fragment(r) => r.next_header,
            ExtHeaderRepr::Auth(r) => r.next_header,
            ExtHeaderRepr::Other { next_header, .. } => *next_header,
        }
    }

    /// The layer errors about this header name.
    pub const fn layer(&self) -> Layer {
        layer_of(self.header_type())
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        match self {
            ExtHeaderRepr::HopByHop(r) | ExtHeaderRepr::DestOpts(r) => r.header_len(),
            ExtHeaderRepr::Routing(r) => r.header_len(),
            ExtHeaderRepr::Fragment(r) => r.header_len(),
            ExtHeaderRepr::Auth(r) => r.header_len(),
            ExtHeaderRepr::Other { data, .. } => 2 + data.len(),
        }
    }

    /// The bytes [`ExtHeaderRepr::emit`] writes.
    pub const fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header into `buf[..header_len]`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        match self {
            ExtHeaderRepr::HopByHop(r) | ExtHeaderRepr::DestOpts(r) => r.emit(buf),
            ExtHeaderRepr::Routing(r) => r.emit(buf),
            ExtHeaderRepr::Fragment(r) => r.emit(buf),
            ExtHeaderRepr::Auth(r) => r.emit(buf),
            ExtHeaderRepr::Other {
                header_type,
                next_header,
                data,
            } => {
                let len = 2 + data.len();
                if !len.is_multiple_of(8) || len > MAX_EXT_HEADER_LEN || !is_walked(*header_type) {
                    return Err(Error::Invalid {
                        layer: Layer::Ipv6,
                        field: "Hdr Ext Len",
                        offset: 1,
                    });
                }
                check_emit_len(Layer::Ipv6, buf, len)?;
                buf[0] = next_header.0;
                // In range: len <= 2048 and a multiple of 8.
                buf[1] = (len / 8 - 1) as u8;
                buf[2..len].copy_from_slice(data);
                Ok(())
            }
        }
    }
}

const fn layer_of(p: IpProtocol) -> Layer {
    match p.0 {
        0 => Layer::Ipv6HopByHop,
        43 => Layer::Ipv6Routing,
        44 => Layer::Ipv6Fragment,
        60 => Layer::Ipv6DestOpts,
        51 => Layer::Ipv6Auth,
        _ => Layer::Ipv6,
    }
}

/// One extension header of a chain, where it is and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtHeader<'a> {
    /// Offset of the header from the start of the walked bytes.
    pub offset: usize,
    /// Length of the header in bytes.
    pub len: usize,
    /// The parsed header.
    pub repr: ExtHeaderRepr<'a>,
}

impl ExtHeader<'_> {
    /// The Next Header value that announced this header.
    pub const fn header_type(&self) -> IpProtocol {
        self.repr.header_type()
    }
}

/// Why the walk of a chain stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// An upper-layer protocol (or any Next Header that is not an extension header)
    /// starts at the offset.
    UpperLayer,
    /// No Next Header (59): nothing follows; bytes after the offset are to be ignored
    /// (RFC 8200 section 4.7).
    NoNextHeader,
    /// ESP (RFC 4303): the rest is encrypted.
    Encrypted,
    /// A Fragment header with a non-zero offset: what follows is the middle of the
    /// fragmentable part, not a header; the protocol is the Fragment header's Next
    /// Header.
    NonFirstFragment,
}

/// The end of a chain: the protocol that follows the extension headers and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct End {
    /// The last Next Header of the chain.
    pub protocol: IpProtocol,
    /// Offset of what follows the extension headers, from the start of the walked
    /// bytes.
    pub offset: usize,
    /// Why the walk stopped.
    pub reason: EndReason,
}

/// One step of a walk: an extension header, or the end of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step<'a> {
    /// An extension header.
    Header(ExtHeader<'a>),
    /// The end of the chain (always the last item of a successful walk).
    End(End),
}

/// A walk over a chain of extension headers: an iterator of [`Step`]s, each header
/// in order, then the [`End`]; or an error, after which it yields nothing.
///
/// Offsets (in items and errors) are counted from the start of the walked bytes, the
/// payload of the IPv6 packet; [`Error::rebase`] by the fixed header length
/// ([`super::ipv6::HEADER_LEN`]) gives offsets from the start of the packet.
///
/// It enforces RFC 8200 section 4.1 (Hop-by-Hop only right after the fixed header),
/// section 4.5 (a first fragment must hold the whole header chain), RFC 2675 section
/// 3 (no Jumbo Payload option, since this crate rejects jumbograms before), and the
/// [`MAX_EXT_HEADERS`] bound.
///
/// ```
/// use netstack::wire::ip::IpProtocol;
/// use netstack::wire::ipv6ext::{End, EndReason, ExtHeaders};
///
/// // Hop-by-Hop (Router Alert) then ICMPv6, as in front of an MLD report.
/// let payload = [0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x8f, 0x00];
/// let mut walk = ExtHeaders::new(IpProtocol::HOP_BY_HOP, &payload);
/// let end = walk.end().unwrap();
/// assert_eq!(end, End { protocol: IpProtocol::ICMPV6, offset: 8, reason: EndReason::UpperLayer });
/// ```
#[derive(Debug, Clone)]
pub struct ExtHeaders<'a> {
    bytes: &'a [u8],
    next: IpProtocol,
    offset: usize,
    count: usize,
    prev_offset: usize,
    prev_type: IpProtocol,
    first_fragment: Option<usize>,
    non_first_fragment: bool,
    done: bool,
}

impl<'a> ExtHeaders<'a> {
    /// A walk over `bytes` (the bytes after the fixed header, as long as its Payload
    /// Length says), whose first header is `next_header` (the fixed header's Next
    /// Header).
    pub const fn new(next_header: IpProtocol, bytes: &'a [u8]) -> Self {
        ExtHeaders {
            bytes,
            next: next_header,
            offset: 0,
            count: 0,
            prev_offset: 0,
            prev_type: next_header,
            first_fragment: None,
            non_first_fragment: false,
            done: false,
        }
    }

    /// Walks the rest of the chain and returns its end. Called on a walk that already
    /// yielded its end or an error, it returns [`Error::Unsupported`].
    pub fn end(&mut self) -> Result<End> {
        for step in self.by_ref() {
            if let Step::End(end) = step? {
                return Ok(end);
            }
        }
        // The walk was already over; there is no fresh end to report.
        Err(Error::Unsupported {
            layer: Layer::Ipv6,
            field: "finished walk",
            offset: self.offset,
        })
    }

    fn step(&mut self) -> Result<Step<'a>> {
        let at = self.offset;
        let next = self.next;
        let end = |reason| {
            Ok(Step::End(End {
                protocol: next,
                offset: at,
                reason,
            }))
        };
        if self.non_first_fragment {
            return end(EndReason::NonFirstFragment);
        }
        match next {
            IpProtocol::ESP => return end(EndReason::Encrypted),
            IpProtocol::IPV6_NO_NEXT_HEADER => return end(EndReason::NoNextHeader),
            p if !is_walked(p) => return end(EndReason::UpperLayer),
            _ => {}
        }
        //= https://www.rfc-editor.org/rfc/rfc8200#section-4.1
        //# The Hop-by-Hop Options header, when present, must immediately follow the
        //# IPv6 header.
        if next == IpProtocol::HOP_BY_HOP && self.count > 0 {
            return Err(Error::Invalid {
                layer: layer_of(self.prev_type),
                field: "Next Header",
                offset: self.prev_offset,
            });
        }
        if self.count == MAX_EXT_HEADERS {
            return Err(Error::Unsupported {
                layer: Layer::Ipv6,
                field: "extension header chain length",
                offset: at,
            });
        }
        let rest = self.bytes.get(at..).unwrap_or_default();
        let (repr, len) = ExtHeaderRepr::parse(next, rest).map_err(|e| {
            match (e, self.first_fragment) {
                //= https://www.rfc-editor.org/rfc/rfc8200#section-4.5
                //# If the first fragment does not include all headers through an
                //# Upper-Layer header, then that fragment should be discarded and
                //# an ICMP Parameter Problem, Code 3, message should be sent
                (Error::Truncated { .. }, Some(frag)) => Error::Invalid {
                    layer: Layer::Ipv6Fragment,
                    field: "first fragment header chain",
                    offset: frag,
                },
                (e, _) => e.rebase(at),
            }
        })?;
        match &repr {
            ExtHeaderRepr::HopByHop(r) => {
                //= https://www.rfc-editor.org/rfc/rfc2675#section-3
                //# IPv6 Payload Length != 0 and Jumbo Payload option present
                if let Some((o, _)) = r
                    .options()
                    .find(|(_, o)| o.option_type() == options::OptionType::JUMBO)
                {
                    return Err(Error::Invalid {
                        layer: Layer::Ipv6HopByHop,
                        field: "Jumbo Payload",
                        offset: at + o,
                    });
                }
            }
            ExtHeaderRepr::Fragment(f) => {
                if !f.is_first() {
                    self.non_first_fragment = true;
                } else if f.more_fragments {
                    self.first_fragment = Some(at);
                }
            }
            _ => {}
        }
        self.count += 1;
        self.prev_offset = at;
        self.prev_type = next;
        self.offset = at + len;
        self.next = repr.next_header();
        Ok(Step::Header(ExtHeader {
            offset: at,
            len,
            repr,
        }))
    }
}

impl<'a> Iterator for ExtHeaders<'a> {
    type Item = Result<Step<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        if !matches!(step, Ok(Step::Header(_))) {
            self.done = true;
        }
        Some(step)
    }
}

impl core::iter::FusedIterator for ExtHeaders<'_> {}
