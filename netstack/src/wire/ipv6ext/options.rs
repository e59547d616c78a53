//! The Hop-by-Hop Options and Destination Options headers (RFC 8200 sections 4.3 and
//! 4.6), which share one format, and their TLV-encoded options (section 4.2): Pad1,
//! PadN, Router Alert (RFC 2711) and Jumbo Payload (RFC 2675).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |  Hdr Ext Len  |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//! .                            Options                            .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!
//! Each option:
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
//! |  Option Type  |  Opt Data Len |  Option Data
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
//! ```
//! The header is `8 * (Hdr Ext Len + 1)` bytes long; the options must fill it exactly.
//! A [`Repr`] keeps the option bytes raw (so that parse-then-emit reproduces the
//! received bytes) after validating them; [`Repr::options`] iterates over them as
//! typed [`Ipv6Option`]s and [`OptionsWriter`] builds them with the alignment each
//! option asks for.

use super::super::macros::number_space;
use super::super::{Error, Layer, Result, check_emit_len, check_len};
use super::{ext_header_len, max_ext_header_len};
use crate::wire::field::u32_at;
use crate::wire::ip::IpProtocol;

/// The smallest options header (Next Header, Hdr Ext Len and six bytes of options).
pub const MIN_HEADER_LEN: usize = 8;

/// The longest run of consecutive padding bytes accepted: padding only ever serves to
/// reach the next multiple of 8 (RFC 4942 section 2.1.9.5; Linux `ip6_parse_tlv`).
pub const MAX_PADDING: usize = 7;

/// Which of the two headers sharing this format a buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The Hop-by-Hop Options header (Next Header 0), examined by every node on the
    /// path.
    HopByHop,
    /// The Destination Options header (Next Header 60), examined by the destination
    /// (or each Routing header segment when before a Routing header).
    DestOpts,
}

impl Kind {
    /// The layer errors about this header name.
    pub const fn layer(self) -> Layer {
        match self {
            Kind::HopByHop => Layer::Ipv6HopByHop,
            Kind::DestOpts => Layer::Ipv6DestOpts,
        }
    }

    /// The Next Header value that announces this header.
    pub const fn protocol(self) -> IpProtocol {
        match self {
            Kind::HopByHop => IpProtocol::HOP_BY_HOP,
            Kind::DestOpts => IpProtocol::IPV6_DEST_OPTS,
        }
    }
}

number_space! {
    /// An IPv6 option type, from the IANA "Destination Options and Hop-by-Hop Options"
    /// registry. The two high bits say what a node that does not recognise it does
    /// ([`OptionType::action`]); the third says whether its data may change en route.
    pub struct OptionType(u8) {
        /// Pad1: one byte of padding, no length or data (RFC 8200 section 4.2).
        PAD1 = 0x00 => "Pad1",
        /// PadN: two or more bytes of padding (RFC 8200 section 4.2).
        PADN = 0x01 => "PadN",
        /// Tunnel Encapsulation Limit (RFC 2473).
        TUNNEL_ENCAP_LIMIT = 0x04 => "Tunnel Encapsulation Limit",
        /// Router Alert (RFC 2711).
        ROUTER_ALERT = 0x05 => "Router Alert",
        /// Quick-Start (RFC 4782).
        QUICK_START = 0x26 => "Quick-Start",
        /// CALIPSO security label (RFC 5570).
        CALIPSO = 0x07 => "CALIPSO",
        /// RPL option (RFC 6553).
        RPL = 0x63 => "RPL",
        /// Jumbo Payload (RFC 2675).
        JUMBO = 0xc2 => "Jumbo Payload",
        /// Home Address (RFC 6275).
        HOME_ADDRESS = 0xc9 => "Home Address",
    }
}

/// What a node that does not recognise an option type must do (RFC 8200 section
/// 4.2), encoded in the type's two high bits. All four values are defined, so this is
/// a closed enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionAction {
    /// `00`: skip over this option and continue processing the header.
    Skip,
    /// `01`: discard the packet.
    Discard,
    /// `10`: discard the packet and, whatever the destination address, send an ICMP
    /// Parameter Problem, Code 2, pointing to the unrecognised Option Type.
    DiscardSendIcmp,
    /// `11`: discard the packet and, only if the destination address was not
    /// multicast, send an ICMP Parameter Problem, Code 2.
    DiscardSendIcmpUnlessMulticast,
}

impl OptionType {
    /// The action for a node that does not recognise this type.
    pub const fn action(self) -> OptionAction {
        //= https://www.rfc-editor.org/rfc/rfc8200#section-4.2
        //# The Option Type identifiers are internally encoded such that their
        //# highest-order 2 bits specify the action that must be taken if the
        //# processing IPv6 node does not recognize the Option Type
        match self.0 >> 6 {
            0 => OptionAction::Skip,
            1 => OptionAction::Discard,
            2 => OptionAction::DiscardSendIcmp,
            _ => OptionAction::DiscardSendIcmpUnlessMulticast,
        }
    }

    /// Whether the option data may change en route to the final destination (the
    /// third-highest bit; such data is zeroed when computing an AH ICV).
    pub const fn may_change_en_route(self) -> bool {
        self.0 & 0x20 != 0
    }

    /// Whether this module parses the option's data ([`Ipv6Option`] has a typed
    /// variant for it): Pad1, PadN, Router Alert, Jumbo Payload.
    pub const fn is_typed(self) -> bool {
        matches!(self.0, 0x00 | 0x01 | 0x05 | 0xc2)
    }
}

number_space! {
    /// The value of a Router Alert option, from the IANA "IPv6 Router Alert Option
    /// Values" registry (RFC 2711).
    pub struct RouterAlert(u16) {
        /// The datagram contains a Multicast Listener Discovery message (RFC 2710).
        MLD = 0 => "MLD",
        /// The datagram contains an RSVP message.
        RSVP = 1 => "RSVP",
        /// The datagram contains an Active Networks message.
        ACTIVE_NETWORKS = 2 => "Active Networks",
    }
}

/// One option of a Hop-by-Hop or Destination Options header, typed where this module
/// knows the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv6Option<'a> {
    /// One byte of padding.
    Pad1,
    /// `2 + n` bytes of padding; `n` is the number of (zero) data bytes.
    PadN(u8),
    /// Router Alert (RFC 2711): routers should examine this datagram more closely.
    RouterAlert(RouterAlert),
    /// Jumbo Payload (RFC 2675): the length of a jumbogram, above 65,535.
    Jumbo(u32),
    /// Any other option: its type and raw data.
    Unknown {
        /// The Option Type.
        option_type: OptionType,
        /// The Option Data.
        data: &'a [u8],
    },
}

impl Ipv6Option<'_> {
    /// The Option Type.
    pub const fn option_type(&self) -> OptionType {
        match self {
            Ipv6Option::Pad1 => OptionType::PAD1,
            Ipv6Option::PadN(_) => OptionType::PADN,
            Ipv6Option::RouterAlert(_) => OptionType::ROUTER_ALERT,
            Ipv6Option::Jumbo(_) => OptionType::JUMBO,
            Ipv6Option::Unknown { option_type, .. } => *option_type,
        }
    }

    /// The option's length on the wire, type and length bytes included.
    pub const fn buffer_len(&self) -> usize {
        match self {
            Ipv6Option::Pad1 => 1,
            Ipv6Option::PadN(n) => 2 + *n as usize,
            Ipv6Option::RouterAlert(_) => 4,
            Ipv6Option::Jumbo(_) => 6,
            Ipv6Option::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// The alignment requirement `xn+y` of the option as `(x, y)`: the Option Type
    /// must start `y` bytes after a multiple of `x` from the start of the header
    /// (RFC 8200 section 4.2, RFC 2711, RFC 2675). `(1, 0)` when there is none or it
    /// is not known.
    pub const fn alignment(&self) -> (usize, usize) {
        match self {
            Ipv6Option::RouterAlert(_) => (2, 0),
            Ipv6Option::Jumbo(_) => (4, 2),
            _ => (1, 0),
        }
    }

    /// Whether this is padding (Pad1 or PadN).
    pub const fn is_padding(&self) -> bool {
        matches!(self, Ipv6Option::Pad1 | Ipv6Option::PadN(_))
    }
}

/// Reads the option at `at` of the options area `opts` (`base` is the offset of
/// `opts` in the header, for errors). Returns the option and its length. Validates
/// the length of the typed options and the contents of PadN.
fn read_option(
    layer: Layer,
    opts: &[u8],
    at: usize,
    base: usize,
) -> Result<(Ipv6Option<'_>, usize)> {
    let Some(&ty) = opts.get(at) else {
        return Err(Error::Truncated {
            layer,
            needed: base + at + 1,
            available: base + opts.len(),
        });
    };
    let ty = OptionType(ty);
    if ty == OptionType::PAD1 {
        return Ok((Ipv6Option::Pad1, 1));
    }
    let invalid_len = Error::Invalid {
        layer,
        field: "Opt Data Len",
        offset: base + at + 1,
    };
    let Some(&len) = opts.get(at + 1) else {
        return Err(invalid_len);
    };
    let Some(data) = opts.get(at + 2..at + 2 + usize::from(len)) else {
        return Err(invalid_len);
    };
    let opt = match ty {
        OptionType::PADN => {
            //= https://www.rfc-editor.org/rfc/rfc8200#section-4.2
            //# the Option Data consists of N-2 zero-valued octets.
            if let Some(i) = data.iter().position(|&b| b != 0) {
                return Err(Error::Invalid {
                    layer,
                    field: "PadN",
                    offset: base + at + 2 + i,
                });
            }
            Ipv6Option::PadN(len)
        }
        OptionType::ROUTER_ALERT => match data {
            //= https://www.rfc-editor.org/rfc/rfc2711#section-2.1
            //# Length = 2
            [a, b] => Ipv6Option::RouterAlert(RouterAlert(u16::from_be_bytes([*a, *b]))),
            _ => return Err(invalid_len),
        },
        OptionType::JUMBO => {
            if data.len() != 4 {
                return Err(invalid_len);
            }
            let value = u32_at(data, 0);
            //= https://www.rfc-editor.org/rfc/rfc2675#section-2
            //# The Jumbo Payload Length must be greater than 65,535.
            if value <= 0xffff {
                return Err(Error::Invalid {
                    layer,
                    field: "Jumbo Payload Length",
                    offset: base + at + 2,
                });
            }
            Ipv6Option::Jumbo(value)
        }
        option_type => Ipv6Option::Unknown { option_type, data },
    };
    Ok((opt, 2 + usize::from(len)))
}

/// Validates the options area of a header (`opts` starts at header offset 2).
fn validate(layer: Layer, opts: &[u8]) -> Result<()> {
    let mut at = 0;
    let mut padding = 0;
    while at < opts.len() {
        let (opt, len) = read_option(layer, opts, at, 2)?;
        if opt.is_padding() {
            padding += len;
            if padding > MAX_PADDING {
                return Err(Error::Invalid {
                    layer,
                    field: if len == 1 { "Pad1" } else { "PadN" },
                    offset: 2 + at,
                });
            }
        } else {
            padding = 0;
        }
        at += len;
    }
    Ok(())
}

/// An iterator over the options of a validated header, with the offset of each from
/// the start of the header (the pointer an ICMP Parameter Problem carries).
#[derive(Debug, Clone)]
pub struct Options<'a> {
    opts: &'a [u8],
    at: usize,
    layer: Layer,
}

impl<'a> Iterator for Options<'a> {
    type Item = (usize, Ipv6Option<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.opts.len() {
            return None;
        }
        match read_option(self.layer, self.opts, self.at, 2) {
            Ok((opt, len)) => {
                let offset = 2 + self.at;
                self.at += len;
                Some((offset, opt))
            }
            // Not reached for a validated Repr; stop rather than loop.
            Err(_) => {
                self.at = self.opts.len();
                None
            }
        }
    }
}

/// An option the processing node does not recognise and whose action is not
/// [`OptionAction::Skip`]: the packet must be discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unrecognized {
    /// Offset of the Option Type from the start of the header.
    pub offset: usize,
    /// The Option Type.
    pub option_type: OptionType,
    /// What to do: discard, and maybe send an ICMP Parameter Problem, Code 2.
    pub action: OptionAction,
}

/// A zero-copy view of a Hop-by-Hop or Destination Options header.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
    kind: Kind,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header length Hdr Ext Len announces.
    pub const fn new_unchecked(buffer: T, kind: Kind) -> Self {
        Packet { buffer, kind }
    }

    /// Wraps a buffer after checking that it holds the whole header.
    pub fn new_checked(buffer: T, kind: Kind) -> Result<Self> {
        let p = Packet { buffer, kind };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the `8 * (Hdr Ext Len + 1)` bytes of the header.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        let layer = self.kind.layer();
        check_len(layer, buf, 2)?;
        check_len(layer, buf, ext_header_len(buf[1]))
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Which header this is.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// The Next Header.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[0])
    }

    /// The Hdr Ext Len field: the length in 8-byte units, not counting the first 8.
    pub fn hdr_ext_len(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// The length of the header in bytes.
    pub fn header_len(&self) -> usize {
        ext_header_len(self.hdr_ext_len())
    }

    /// The raw options area (the header after its first two bytes).
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[2..self.header_len()]
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the Next Header.
    pub fn set_next_header(&mut self, next: IpProtocol) {
        self.buffer.as_mut()[0] = next.0;
    }

    /// The raw options area, mutable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[2..end]
    }
}

/// A Hop-by-Hop or Destination Options header: raw, validated options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    /// Which header this is.
    pub kind: Kind,
    /// Next Header.
    pub next_header: IpProtocol,
    /// The options area: the header after Next Header and Hdr Ext Len, so
    /// `2 + options.len()` is a multiple of 8 (at most 2048).
    pub options: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parses a checked header, validating every option: lengths that fill the header
    /// exactly, zero PadN data, no run of padding over [`MAX_PADDING`] bytes, and the
    /// lengths of the typed options.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        let buf: &'a [u8] = packet.buffer.as_ref();
        let options = &buf[2..packet.header_len()];
        validate(packet.kind.layer(), options)?;
        Ok(Repr {
            kind: packet.kind,
            next_header: packet.next_header(),
            options,
        })
    }

    /// The options, typed, each with its offset from the start of the header.
    pub fn options(&self) -> Options<'a> {
        Options {
            opts: self.options,
            at: 0,
            layer: self.kind.layer(),
        }
    }

    /// The Router Alert value, if the header carries one.
    pub fn router_alert(&self) -> Option<RouterAlert> {
        self.options().find_map(|(_, o)| match o {
            Ipv6Option::RouterAlert(v) => Some(v),
            _ => None,
        })
    }

    /// The first option that `recognized` does not accept (padding is always
    /// recognised) and whose action is not to skip it: the packet must then be
    /// discarded (RFC 8200 section 4.2). `None` when processing may go on.
    pub fn unrecognized(&self, recognized: impl Fn(OptionType) -> bool) -> Option<Unrecognized> {
        self.options().find_map(|(offset, o)| {
            let option_type = o.option_type();
            let action = option_type.action();
            let known = o.is_padding() || recognized(option_type);
            (!known && action != OptionAction::Skip).then_some(Unrecognized {
                offset,
                option_type,
                action,
            })
        })
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        2 + self.options.len()
    }

    /// The bytes [`Repr::emit`] writes (the header).
    pub const fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header into `buf[..header_len]`. Fails with [`Error::Invalid`]
    /// when the options do not make a header of a multiple of 8 bytes (at most 2048)
    /// or do not validate as [`Repr::parse`] requires.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let layer = self.kind.layer();
        let len = self.header_len();
        if !len.is_multiple_of(8) || len > max_ext_header_len() {
            return Err(Error::Invalid {
                layer,
                field: "Hdr Ext Len",
                offset: 1,
            });
        }
        check_emit_len(layer, buf, len)?;
        validate(layer, self.options)?;
        buf[0] = self.next_header.0;
        // In range: len <= 2048 and a multiple of 8.
        buf[1] = (len / 8 - 1) as u8;
        buf[2..len].copy_from_slice(self.options);
        Ok(())
    }
}

/// Builds the options area of a header: writes options with the alignment each
/// needs, and pads the header to a multiple of 8 bytes.
///
/// ```
/// use netstack::wire::ip::IpProtocol;
/// use netstack::wire::ipv6ext::options::{Ipv6Option, Kind, OptionsWriter, Repr, RouterAlert};
///
/// let mut area = [0u8; 14];
/// let mut w = OptionsWriter::new(Kind::HopByHop, &mut area);
/// w.push(&Ipv6Option::RouterAlert(RouterAlert::MLD)).unwrap();
/// let n = w.finish().unwrap();
/// let repr = Repr { kind: Kind::HopByHop, next_header: IpProtocol::ICMPV6, options: &area[..n] };
/// let mut hdr = [0u8; 8];
/// repr.emit(&mut hdr).unwrap();
/// // The header Linux sends in front of an MLD report.
/// assert_eq!(hdr, [0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00]);
/// ```
#[derive(Debug)]
pub struct OptionsWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    pending: usize,
    layer: Layer,
}

impl<'a> OptionsWriter<'a> {
    /// A writer into `buf`, the options area (the header after its first two bytes).
    pub fn new(kind: Kind, buf: &'a mut [u8]) -> Self {
        OptionsWriter {
            buf,
            len: 0,
            pending: 0,
            layer: kind.layer(),
        }
    }

    fn write_padding(&mut self, n: usize) -> Result<()> {
        let needed = self.len + n;
        check_emit_len(self.layer, self.buf, needed)?;
        match n {
            0 => {}
            1 => self.buf[self.len] = OptionType::PAD1.0,
            // n <= MAX_PADDING + 1 here, so n - 2 fits a u8.
            _ => {
                self.buf[self.len] = OptionType::PADN.0;
                self.buf[self.len + 1] = (n - 2) as u8;
                self.buf[self.len + 2..needed].fill(0);
            }
        }
        self.len = needed;
        Ok(())
    }

    /// Appends an option, preceded by the padding its alignment needs. Padding
    /// options (Pad1, PadN) add to the padding written before the next option; more
    /// than [`MAX_PADDING`] bytes of it in a row is [`Error::Invalid`].
    pub fn push(&mut self, option: &Ipv6Option<'_>) -> Result<()> {
        if option.is_padding() {
            let pending = self.pending + option.buffer_len();
            if pending > MAX_PADDING {
                return Err(Error::Invalid {
                    layer: self.layer,
                    field: "PadN",
                    offset: 2 + self.len,
                });
            }
            self.pending = pending;
            return Ok(());
        }
        let data_len = option.buffer_len() - 2;
        let Ok(data_len_u8) = u8::try_from(data_len) else {
            return Err(Error::Invalid {
                layer: self.layer,
                field: "Opt Data Len",
                offset: 2 + self.len + self.pending + 1,
            });
        };
        let (x, y) = option.alignment();
        let here = 2 + self.len + self.pending;
        let align = (y + x - here % x) % x;
        let pad = self.pending + align;
        if pad > MAX_PADDING {
            return Err(Error::Invalid {
                layer: self.layer,
                field: "PadN",
                offset: 2 + self.len,
            });
        }
        check_emit_len(self.layer, self.buf, self.len + pad + option.buffer_len())?;
        self.write_padding(pad)?;
        self.pending = 0;
        let at = self.len;
        self.buf[at] = option.option_type().0;
        self.buf[at + 1] = data_len_u8;
        let data = &mut self.buf[at + 2..at + 2 + data_len];
        match option {
            Ipv6Option::RouterAlert(v) => data.copy_from_slice(&v.0.to_be_bytes()),
            Ipv6Option::Jumbo(v) => data.copy_from_slice(&v.to_be_bytes()),
            Ipv6Option::Unknown { data: d, .. } => data.copy_from_slice(d),
            Ipv6Option::Pad1 | Ipv6Option::PadN(_) => {}
        }
        self.len = at + 2 + data_len;
        Ok(())
    }

    /// Pads the header to the next multiple of 8 bytes and returns the length of the
    /// options area written (a [`Repr::options`] slice of `buf`). Padding pushed after
    /// the last option is replaced by just what the header needs.
    pub fn finish(mut self) -> Result<usize> {
        let here = 2 + self.len;
        let pad = (8 - here % 8) % 8;
        // An empty header gets six bytes of padding (one PadN).
        self.write_padding(pad)?;
        if 2 + self.len > max_ext_header_len() {
            return Err(Error::Invalid {
                layer: self.layer,
                field: "Hdr Ext Len",
                offset: 1,
            });
        }
        Ok(self.len)
    }
}
