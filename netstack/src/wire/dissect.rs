//! A whole-frame dissector: Ethernet down to the transport layer, in one call.
//!
//! [`Frame::dissect`] parses every layer it knows with the modules of this crate and
//! keeps what it could not parse as bytes, so that a frame that is malformed deep
//! inside still tells what its outer layers were. It never fails past the Ethernet
//! header: a layer that does not parse becomes a `Malformed` value carrying the
//! [`Error`], its offset rebased to the start of the frame.
//!
//! [`Frame::emit`] writes the frame back from its representations, computing every
//! checksum afresh. For a frame whose every layer parsed and verified, the result is
//! the identical bytes (our tests check this for every frame of a Linux capture); this
//! makes the dissector a round-trip check of the whole wire layer. What is not kept,
//! by design: a checksum field holding -0 (`0xffff` where a computation gives `0x0000`,
//! which RFC 1624 section 3 shows only incremental updates produce) is written as +0;
//! fields the RFCs tell receivers to ignore are written as zero (see the `tcp`, `igmp`
//! and `ipv6ext` module docs).
//!
//! `Display` gives one line in the spirit of `tcpdump -n`:
//! `IP 10.0.0.1.49153 > 10.0.0.2.53: UDP, length 29`.
//!
//! IP fragments are not reassembled here: a fragment's payload is kept as
//! [`Transport::Fragment`] (the first fragment too, since its transport checksum
//! covers bytes that are not in this frame).

use super::checksum::{Checksum, ChecksumCapabilities};
use super::ethernet::{self, EtherType};
use super::ip::IpProtocol;
use super::ipv6ext::{ExtHeaderRepr, ExtHeaders, Step};
use super::tcp::TcpOption;
use super::{
    Error, Layer, Result, arp, check_emit_len, icmpv4, icmpv6, igmp, ipv4, ipv6, tcp, udp,
};
use core::fmt;
use core::net::IpAddr;

/// A dissected Ethernet frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The Ethernet header, VLAN tags included.
    pub ethernet: ethernet::Repr,
    /// What the EtherType carries.
    pub network: Network<'a>,
    /// Bytes after the network-layer packet (Ethernet minimum-size padding).
    pub padding: &'a [u8],
}

/// The network layer of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network<'a> {
    /// An ARP packet.
    Arp(arp::Repr),
    /// An IPv4 packet.
    Ipv4 {
        /// The header, options included.
        header: ipv4::Repr<'a>,
        /// The payload.
        transport: Transport<'a>,
    },
    /// An IPv6 packet.
    Ipv6 {
        /// The fixed header.
        header: ipv6::Repr,
        /// The extension headers, as sent (validated; walk them with [`ExtHeaders`]).
        extensions: &'a [u8],
        /// What follows the extension headers.
        transport: Transport<'a>,
    },
    /// A payload of an EtherType this dissector does not decode.
    Other(&'a [u8]),
    /// A network-layer packet that did not parse.
    Malformed {
        /// What was wrong, offsets from the start of the frame.
        error: Error,
        /// The bytes after the Ethernet header.
        data: &'a [u8],
    },
}

/// What an IP packet carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport<'a> {
    /// A TCP segment.
    Tcp {
        /// The header, options included.
        repr: tcp::Repr<'a>,
        /// The data.
        payload: &'a [u8],
    },
    /// A UDP datagram.
    Udp {
        /// The header.
        repr: udp::Repr,
        /// The data.
        payload: &'a [u8],
        /// Whether the datagram carries a checksum: over IPv4 a zero checksum field
        /// means the sender computed none (RFC 768), and [`Frame::emit`] keeps it so.
        checksummed: bool,
    },
    /// An ICMPv4 message.
    Icmpv4(icmpv4::Repr<'a>),
    /// An IGMP message.
    Igmp(igmp::Repr<'a>),
    /// An ICMPv6 message (NDP and MLD included).
    Icmpv6(icmpv6::Repr<'a>),
    /// A fragment of a larger packet, not reassembled.
    Fragment {
        /// The protocol of the reassembled payload.
        protocol: IpProtocol,
        /// Fragment offset in bytes.
        offset: usize,
        /// Whether more fragments follow.
        more: bool,
        /// The fragment's bytes.
        data: &'a [u8],
    },
    /// A protocol this dissector does not decode (or ESP, or No Next Header).
    Other {
        /// The protocol number.
        protocol: IpProtocol,
        /// Its bytes.
        data: &'a [u8],
    },
    /// A payload that did not parse.
    Malformed {
        /// The protocol number.
        protocol: IpProtocol,
        /// What was wrong, offsets from the start of the frame.
        error: Error,
        /// The bytes.
        data: &'a [u8],
    },
}

impl<'a> Frame<'a> {
    /// Dissects an Ethernet frame (without FCS), verifying checksums as `caps` says.
    ///
    /// Fails only when the Ethernet header itself is malformed; errors of inner layers
    /// are kept in the result (see [`Frame::error`]).
    pub fn dissect(bytes: &'a [u8], caps: &ChecksumCapabilities) -> Result<Frame<'a>> {
        let eth = ethernet::Frame::new_checked(bytes)?;
        let ethernet = ethernet::Repr::parse(&eth)?;
        let base = ethernet.header_len();
        let data = &bytes[base..];
        let (network, used) = match ethernet.ethertype {
            EtherType::ARP => match arp_layer(data) {
                Ok((repr, len)) => (Network::Arp(repr), len),
                Err(e) => (
                    Network::Malformed {
                        error: e.rebase(base),
                        data,
                    },
                    data.len(),
                ),
            },
            EtherType::IPV4 => match ipv4_layer(data, base, caps) {
                Ok((header, transport, len)) => (Network::Ipv4 { header, transport }, len),
                Err(e) => (
                    Network::Malformed {
                        error: e.rebase(base),
                        data,
                    },
                    data.len(),
                ),
            },
            EtherType::IPV6 => match ipv6_layer(data, base, caps) {
                Ok((header, extensions, transport, len)) => (
                    Network::Ipv6 {
                        header,
                        extensions,
                        transport,
                    },
                    len,
                ),
                Err(e) => (
                    Network::Malformed {
                        error: e.rebase(base),
                        data,
                    },
                    data.len(),
                ),
            },
            _ => (Network::Other(data), data.len()),
        };
        Ok(Frame {
            ethernet,
            network,
            padding: &data[used..],
        })
    }

    /// The first error found in the frame's layers, offsets from the start of the
    /// frame; `None` when every layer parsed (and verified, if `caps` asked for it).
    pub fn error(&self) -> Option<Error> {
        match &self.network {
            Network::Malformed { error, .. } => Some(*error),
            Network::Ipv4 { transport, .. } | Network::Ipv6 { transport, .. } => match transport {
                Transport::Malformed { error, .. } => Some(*error),
                _ => None,
            },
            Network::Arp(_) | Network::Other(_) => None,
        }
    }

    /// The length of the frame [`Frame::emit`] writes: the dissected frame's length.
    pub fn buffer_len(&self) -> usize {
        let network = match &self.network {
            Network::Arp(r) => r.buffer_len(),
            Network::Ipv4 { header, .. } => header.buffer_len(),
            Network::Ipv6 { header, .. } => header.buffer_len(),
            Network::Other(d) | Network::Malformed { data: d, .. } => d.len(),
        };
        self.ethernet.header_len() + network + self.padding.len()
    }

    /// Writes the frame into `buf` from its representations, computing checksums as
    /// `caps` says, and returns its length. Layers kept as bytes are copied.
    pub fn emit(&self, buf: &mut [u8], caps: &ChecksumCapabilities) -> Result<usize> {
        let total = self.buffer_len();
        check_emit_len(Layer::Ethernet, buf, total)?;
        let buf = &mut buf[..total];
        self.ethernet.emit(buf)?;
        let at = self.ethernet.header_len();
        let end = total - self.padding.len();
        let net = &mut buf[at..end];
        match &self.network {
            Network::Arp(r) => r.emit(net)?,
            Network::Ipv4 { header, transport } => {
                let hl = header.header_len();
                let (src, dst) = (IpAddr::V4(header.src_addr), IpAddr::V4(header.dst_addr));
                emit_transport(transport, &mut net[hl..], &src, &dst, caps)?;
                header.emit(net, caps)?;
            }
            Network::Ipv6 {
                header,
                extensions,
                transport,
            } => {
                header.emit(net)?;
                let ext = &mut net[ipv6::HEADER_LEN..];
                for step in ExtHeaders::new(header.next_header, extensions) {
                    if let Step::Header(h) = step? {
                        h.repr.emit(&mut ext[h.offset..])?;
                    }
                }
                let (src, dst) = (IpAddr::V6(header.src_addr), IpAddr::V6(header.dst_addr));
                emit_transport(transport, &mut ext[extensions.len()..], &src, &dst, caps)?;
            }
            Network::Other(d) | Network::Malformed { data: d, .. } => net.copy_from_slice(d),
        }
        buf[end..].copy_from_slice(self.padding);
        Ok(total)
    }
}

fn arp_layer(data: &[u8]) -> Result<(arp::Repr, usize)> {
    let p = arp::Packet::new_checked(data)?;
    let r = arp::Repr::parse(&p)?;
    Ok((r, r.buffer_len()))
}

fn ipv4_layer<'a>(
    data: &'a [u8],
    base: usize,
    caps: &ChecksumCapabilities,
) -> Result<(ipv4::Repr<'a>, Transport<'a>, usize)> {
    let p = ipv4::Packet::new_checked(data)?;
    let header = ipv4::Repr::parse(&p, caps)?;
    let payload = p.payload_ref();
    let hl = header.header_len();
    let transport = if header.more_frags || header.frag_offset != 0 {
        Transport::Fragment {
            protocol: header.protocol,
            offset: usize::from(header.frag_offset),
            more: header.more_frags,
            data: payload,
        }
    } else {
        let (src, dst) = (IpAddr::V4(header.src_addr), IpAddr::V4(header.dst_addr));
        transport_layer(header.protocol, payload, &src, &dst, caps, base + hl)
    };
    Ok((header, transport, header.buffer_len()))
}

type Ipv6Layer<'a> = (ipv6::Repr, &'a [u8], Transport<'a>, usize);

fn ipv6_layer<'a>(
    data: &'a [u8],
    base: usize,
    caps: &ChecksumCapabilities,
) -> Result<Ipv6Layer<'a>> {
    let p = ipv6::Packet::new_checked(data)?;
    let header = ipv6::Repr::parse(&p)?;
    let payload = &data[ipv6::HEADER_LEN..header.buffer_len()];
    let mut fragment = None;
    let mut walk = ExtHeaders::new(header.next_header, payload);
    let end = loop {
        match walk.next() {
            Some(Ok(Step::Header(h))) => {
                if let ExtHeaderRepr::Fragment(f) = h.repr {
                    fragment = Some(f);
                }
            }
            Some(Ok(Step::End(end))) => break end,
            Some(Err(e)) => return Err(e.rebase(ipv6::HEADER_LEN)),
            // The walk always ends with `End` or an error.
            None => {
                return Err(Error::Invalid {
                    layer: Layer::Ipv6,
                    field: "Next Header",
                    offset: 6,
                });
            }
        }
    };
    let (extensions, upper) = payload.split_at(end.offset);
    let transport = match fragment {
        Some(f) if !f.is_atomic() => Transport::Fragment {
            protocol: end.protocol,
            offset: f.byte_offset(),
            more: f.more_fragments,
            data: upper,
        },
        _ => {
            let (src, dst) = (IpAddr::V6(header.src_addr), IpAddr::V6(header.dst_addr));
            transport_layer(
                end.protocol,
                upper,
                &src,
                &dst,
                caps,
                base + ipv6::HEADER_LEN + end.offset,
            )
        }
    };
    Ok((header, extensions, transport, header.buffer_len()))
}

fn transport_layer<'a>(
    protocol: IpProtocol,
    data: &'a [u8],
    src: &IpAddr,
    dst: &IpAddr,
    caps: &ChecksumCapabilities,
    base: usize,
) -> Transport<'a> {
    let parsed = match (protocol, src, dst) {
        (IpProtocol::TCP, _, _) => tcp::Packet::new_checked(data).and_then(|p| {
            let repr = tcp::Repr::parse(&p, src, dst, caps)?;
            Ok(Transport::Tcp {
                repr,
                payload: &data[repr.header_len()..],
            })
        }),
        (IpProtocol::UDP, _, _) => udp::Packet::new_checked(data).and_then(|p| {
            let repr = udp::Repr::parse(&p, src, dst, caps)?;
            let payload = &data[udp::HEADER_LEN..repr.buffer_len()];
            let checksummed = p.checksum() != 0;
            if repr.buffer_len() != data.len() {
                // The IP payload is the datagram: bytes after UDP's length would be lost.
                return Err(Error::Invalid {
                    layer: Layer::Udp,
                    field: "length",
                    offset: 4,
                });
            }
            Ok(Transport::Udp {
                repr,
                payload,
                checksummed,
            })
        }),
        (IpProtocol::ICMP, IpAddr::V4(_), _) => icmpv4::Packet::new_checked(data)
            .and_then(|p| Ok(Transport::Icmpv4(icmpv4::Repr::parse(&p, caps)?))),
        (IpProtocol::IGMP, IpAddr::V4(_), _) => igmp::Packet::new_checked(data)
            .and_then(|p| Ok(Transport::Igmp(igmp::Repr::parse(&p, caps)?))),
        (IpProtocol::ICMPV6, IpAddr::V6(s), IpAddr::V6(d)) => icmpv6::Packet::new_checked(data)
            .and_then(|p| Ok(Transport::Icmpv6(icmpv6::Repr::parse(&p, s, d, caps)?))),
        _ => Ok(Transport::Other { protocol, data }),
    };
    // A decoded message must account for every byte, or re-emitting would lose some.
    let parsed = parsed.and_then(|t| {
        let len = transport_len(&t);
        if len == data.len() {
            Ok(t)
        } else {
            Err(Error::Invalid {
                layer: layer_of(protocol),
                field: "length",
                offset: len.min(data.len()),
            })
        }
    });
    parsed.unwrap_or_else(|e| Transport::Malformed {
        protocol,
        error: e.rebase(base),
        data,
    })
}

fn layer_of(protocol: IpProtocol) -> Layer {
    match protocol {
        IpProtocol::TCP => Layer::Tcp,
        IpProtocol::UDP => Layer::Udp,
        IpProtocol::ICMP => Layer::Icmpv4,
        IpProtocol::IGMP => Layer::Igmp,
        _ => Layer::Icmpv6,
    }
}

fn transport_len(t: &Transport<'_>) -> usize {
    match t {
        Transport::Tcp { repr, .. } => repr.buffer_len(),
        Transport::Udp { repr, .. } => repr.buffer_len(),
        Transport::Icmpv4(r) => r.buffer_len(),
        Transport::Igmp(r) => r.buffer_len(),
        Transport::Icmpv6(r) => r.buffer_len(),
        Transport::Fragment { data, .. }
        | Transport::Other { data, .. }
        | Transport::Malformed { data, .. } => data.len(),
    }
}

fn emit_transport(
    t: &Transport<'_>,
    buf: &mut [u8],
    src: &IpAddr,
    dst: &IpAddr,
    caps: &ChecksumCapabilities,
) -> Result<()> {
    match t {
        Transport::Tcp { repr, payload } => {
            let hl = repr.header_len();
            check_emit_len(Layer::Tcp, buf, repr.buffer_len())?;
            buf[hl..hl + payload.len()].copy_from_slice(payload);
            repr.emit(buf, src, dst, caps)
        }
        Transport::Udp {
            repr,
            payload,
            checksummed,
        } => {
            check_emit_len(Layer::Udp, buf, repr.buffer_len())?;
            buf[udp::HEADER_LEN..repr.buffer_len()].copy_from_slice(payload);
            let mut caps = *caps;
            if !checksummed {
                caps.udp = Checksum::Offload;
            }
            repr.emit(buf, src, dst, &caps)
        }
        Transport::Icmpv4(r) => r.emit(buf, caps),
        Transport::Igmp(r) => r.emit(buf, caps),
        Transport::Icmpv6(r) => match (src, dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => r.emit(buf, s, d, caps),
            _ => Err(Error::Invalid {
                layer: Layer::Icmpv6,
                field: "address family",
                offset: 0,
            }),
        },
        Transport::Fragment { data, .. }
        | Transport::Other { data, .. }
        | Transport::Malformed { data, .. } => {
            check_emit_len(Layer::Ethernet, buf, data.len())?;
            buf[..data.len()].copy_from_slice(data);
            Ok(())
        }
    }
}

impl fmt::Display for Frame<'_> {
    /// One line in the spirit of `tcpdump -n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for tag in [self.ethernet.vlan, self.ethernet.inner_vlan]
            .into_iter()
            .flatten()
        {
            write!(f, "vlan {}, ", tag.vid)?;
        }
        match &self.network {
            Network::Arp(r) => write!(f, "{r}, length {}", r.buffer_len()),
            Network::Ipv4 { header, transport } => {
                let (src, dst) = (IpAddr::V4(header.src_addr), IpAddr::V4(header.dst_addr));
                f.write_str("IP ")?;
                fmt_transport(f, &src, &dst, None, transport)
            }
            Network::Ipv6 {
                header,
                extensions,
                transport,
            } => {
                let (src, dst) = (IpAddr::V6(header.src_addr), IpAddr::V6(header.dst_addr));
                f.write_str("IP6 ")?;
                let walk = ExtHeaders::new(header.next_header, extensions);
                fmt_transport(f, &src, &dst, Some(walk), transport)
            }
            Network::Other(d) => {
                write!(
                    f,
                    "{} > {}, ethertype ",
                    self.ethernet.src_addr, self.ethernet.dst_addr
                )?;
                if let Some(name) = self.ethernet.ethertype.name() {
                    write!(f, "{name} ")?;
                }
                write!(
                    f,
                    "({:#06x}), length {}",
                    self.ethernet.ethertype.0,
                    d.len()
                )
            }
            Network::Malformed { error, data } => write!(
                f,
                "{} > {}, ethertype {}, length {}: malformed: {error}",
                self.ethernet.src_addr,
                self.ethernet.dst_addr,
                self.ethernet.ethertype,
                data.len()
            ),
        }
    }
}

fn fmt_transport(
    f: &mut fmt::Formatter<'_>,
    src: &IpAddr,
    dst: &IpAddr,
    ext: Option<ExtHeaders<'_>>,
    t: &Transport<'_>,
) -> fmt::Result {
    match t {
        Transport::Tcp { repr, .. } => {
            write!(f, "{src}.{} > {dst}.{}: ", repr.src_port, repr.dst_port)?
        }
        Transport::Udp { repr, .. } => {
            write!(f, "{src}.{} > {dst}.{}: ", repr.src_port, repr.dst_port)?
        }
        _ => write!(f, "{src} > {dst}: ")?,
    }
    for step in ext.into_iter().flatten().flatten() {
        if let Step::Header(h) = step {
            match h.repr {
                ExtHeaderRepr::HopByHop(_) => f.write_str("HBH ")?,
                ExtHeaderRepr::DestOpts(_) => f.write_str("DSTOPT ")?,
                ExtHeaderRepr::Routing(r) => write!(
                    f,
                    "srcrt (type {}, segleft {}) ",
                    r.routing_type.0, r.segments_left
                )?,
                ExtHeaderRepr::Fragment(fr) => write!(
                    f,
                    "frag (id {:#x}, offset {}{}) ",
                    fr.identification,
                    fr.byte_offset(),
                    if fr.more_fragments { "+" } else { "" }
                )?,
                ExtHeaderRepr::Auth(a) => write!(f, "AH (spi {:#x}) ", a.spi)?,
                ExtHeaderRepr::Other { header_type, .. } => write!(f, "{header_type} ")?,
            }
        }
    }
    match t {
        Transport::Tcp { repr, .. } => fmt_tcp(f, repr),
        Transport::Udp { repr, .. } => write!(f, "UDP, length {}", repr.payload_len),
        Transport::Icmpv4(r) => write!(f, "{r}"),
        Transport::Igmp(r) => write!(f, "{r}"),
        Transport::Icmpv6(r) => fmt_icmpv6(f, r),
        Transport::Fragment {
            protocol,
            offset,
            more,
            data,
        } => {
            write!(
                f,
                "{protocol} fragment, offset {offset}{}, length {}",
                if *more { "+" } else { "" },
                data.len()
            )
        }
        Transport::Other { protocol, data } => write!(f, "{protocol}, length {}", data.len()),
        Transport::Malformed {
            protocol,
            error,
            data,
        } => {
            write!(f, "{protocol}, length {}: malformed: {error}", data.len())
        }
    }
}

fn fmt_tcp(f: &mut fmt::Formatter<'_>, r: &tcp::Repr<'_>) -> fmt::Result {
    // As tcpdump: the sequence range of data, the number alone for SYN/FIN/RST.
    write!(f, "Flags {}", r.flags)?;
    if r.payload_len > 0 {
        let end = r.seq_number.0.wrapping_add(r.payload_len as u32);
        write!(f, ", seq {}:{end}", r.seq_number.0)?;
    } else if r
        .flags
        .intersects(tcp::Flags::SYN | tcp::Flags::FIN | tcp::Flags::RST)
    {
        write!(f, ", seq {}", r.seq_number.0)?;
    }
    if let Some(ack) = r.ack_number {
        write!(f, ", ack {}", ack.0)?;
    }
    write!(f, ", win {}", r.window_len)?;
    if !r.options.is_empty() {
        f.write_str(", options [")?;
        for (i, opt) in r.options_iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match opt {
                Ok(TcpOption::EndOfList) => f.write_str("eol")?,
                Ok(TcpOption::NoOp) => f.write_str("nop")?,
                Ok(TcpOption::MaxSegmentSize(m)) => write!(f, "mss {m}")?,
                Ok(TcpOption::WindowScale(w)) => write!(f, "wscale {w}")?,
                Ok(TcpOption::SackPermitted) => f.write_str("sackOK")?,
                Ok(TcpOption::SackRange(blocks)) => {
                    write!(f, "sack {}", blocks.len())?;
                    for (l, r) in blocks.as_slice() {
                        write!(f, " {{{}:{}}}", l.0, r.0)?;
                    }
                }
                Ok(TcpOption::Timestamps { tsval, tsecr }) => {
                    write!(f, "TS val {tsval} ecr {tsecr}")?
                }
                Ok(TcpOption::Unknown { kind, data }) => write!(f, "{kind} len {}", data.len())?,
                Err(_) => f.write_str("malformed")?,
            }
        }
        f.write_str("]")?;
    }
    write!(f, ", length {}", r.payload_len)
}

fn fmt_icmpv6(f: &mut fmt::Formatter<'_>, r: &icmpv6::Repr<'_>) -> fmt::Result {
    use super::ndp;
    let len = r.buffer_len();
    match r {
        icmpv6::Repr::Ndp(ndp::Repr::NeighborSolicit { target_addr, .. }) => {
            write!(
                f,
                "ICMP6, neighbor solicitation, who has {target_addr}, length {len}"
            )
        }
        icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert { target_addr, .. }) => {
            write!(
                f,
                "ICMP6, neighbor advertisement, tgt is {target_addr}, length {len}"
            )
        }
        icmpv6::Repr::Ndp(ndp::Repr::RouterSolicit { .. }) => {
            write!(f, "ICMP6, router solicitation, length {len}")
        }
        icmpv6::Repr::Ndp(ndp::Repr::RouterAdvert { .. }) => {
            write!(f, "ICMP6, router advertisement, length {len}")
        }
        icmpv6::Repr::Ndp(ndp::Repr::Redirect {
            target_addr,
            dest_addr,
            ..
        }) => {
            write!(
                f,
                "ICMP6, redirect, {dest_addr} to {target_addr}, length {len}"
            )
        }
        icmpv6::Repr::EchoRequest { ident, seq_no, .. } => {
            write!(
                f,
                "ICMP6, echo request, id {ident}, seq {seq_no}, length {len}"
            )
        }
        icmpv6::Repr::EchoReply { ident, seq_no, .. } => {
            write!(
                f,
                "ICMP6, echo reply, id {ident}, seq {seq_no}, length {len}"
            )
        }
        icmpv6::Repr::Mld(m) => write!(f, "ICMP6, {}, length {len}", m.msg_type()),
        icmpv6::Repr::DstUnreachable { reason, .. } => {
            write!(f, "ICMP6, destination unreachable, {reason}, length {len}")
        }
        icmpv6::Repr::PktTooBig { mtu, .. } => {
            write!(f, "ICMP6, packet too big, mtu {mtu}, length {len}")
        }
        icmpv6::Repr::TimeExceeded { reason, .. } => {
            write!(f, "ICMP6, time exceeded, {reason}, length {len}")
        }
        icmpv6::Repr::ParamProblem {
            reason, pointer, ..
        } => {
            write!(
                f,
                "ICMP6, parameter problem, {reason}, pointer {pointer}, length {len}"
            )
        }
        icmpv6::Repr::Other { msg_type, code, .. } => {
            write!(f, "ICMP6, type {msg_type}, code {code}, length {len}")
        }
    }
}

#[cfg(test)]
mod tests;
