//! The rayos-net demo: dissects a capture like `tcpdump -n`, then runs two hosts of our
//! stack with our router between them.
//!
//! ```sh
//! cargo run --release -p rayos-net --features std --example demo                # both parts
//! cargo run --release -p rayos-net --features std --example demo -- --pcap FILE # dissect a pcap or pcapng file (only)
//! cargo run --release -p rayos-net --features std --example demo -- --router    # the router part only
//! cargo run --release -p rayos-net --features std --example demo -- --frames 5000000
//! cargo run --release -p rayos-net --features std --example demo -- --tap       # as root
//! ```
//! ```
//!
//! **Dissection.** Each line: the time of day (UTC), what netstack's dissector found at
//! every layer, and the checksum status. Malformed frames are reported as such and the
//! dissection goes on; a malformed capture file ends the listing with the error and its
//! offset. Without `--pcap` the capture is a committed one of real Linux traffic.
//!
//! **The router.** Host A (10.1.0.2, fd01::2) and host B (10.2.0.2, fd02::2) are each
//! an `Interface` and a neighbor `Cache` of netstack (the interface answers ARP,
//! Neighbor Solicitations and echo requests). Our `Router` joins them, with ports
//! 10.1.0.1/24 fd01::1/64 and 10.2.0.1/24 fd02::1/64, run by the `Forwarder` over
//! in-memory `Link`s whose receiving ends hold each frame 1 ms (a `FaultInjector`
//! delay). Everything runs on a virtual clock that the demo steps from event to event
//! (the next delayed frame, the next neighbor timer), so the figures are exact and the
//! same on every run:
//!
//! - host A pings host B three times over IPv4 and IPv6 (Echo Requests built from the
//!   wire representations, the gateway resolved with the neighbor cache: `resolve`,
//!   `hold`, `emit_solicit` for what `poll_transmit` asks, `poll_release`); the first
//!   round trip is 8 ms (two address resolutions), the others 4 ms;
//! - a traceroute: Echo Requests with TTL (Hop Limit) 1, 2, ...; the router answers TTL
//!   1 with Time Exceeded;
//! - the router's and the forwarder's counters;
//! - then the forwarding speed: a million 60-byte frames (the minimum Ethernet frame)
//!   from host A through the router to host B on links without latency, timed with
//!   `std::time::Instant` (a printout, not a benchmark: see `benches/` for those).
//!
//! **`--tap`** (root) runs the same router between two TAP interfaces, each moved into
//! a network namespace of its own (`rdemo<PID>a`, `rdemo<PID>b`, removed at the end),
//! and lets Linux ping across: three pings over IPv4 and IPv6, then one with TTL 1 each,
//! which the router answers with Time Exceeded. It prints ping's output and the
//! router's counters. (`examples/router.rs` is the configurable router.)

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use rayos_net::device::{Device, FaultConfig, FaultInjector, Link, Port};
use rayos_net::forward::{ForwardStats, Forwarder};
use rayos_net::netstack::iface::interface::{Error as InterfaceError, Handled, Interface};
use rayos_net::netstack::iface::neighbor::{Cache, Config as NeighborConfig, Resolution};
use rayos_net::netstack::iface::router::{
    Config as RouterConfig, Error as RouterError, Router, Stats as RouterStats,
};
use rayos_net::netstack::route::{FixedTable, IpCidr};
use rayos_net::netstack::wire::dissect::{Frame, Network, Transport};
use rayos_net::netstack::wire::ethernet::{self, EtherType};
use rayos_net::netstack::wire::ipv4::{Dscp, Ecn};
use rayos_net::netstack::wire::{
    ChecksumCapabilities, Error, EthernetAddress, IpProtocol, Layer, icmpv4, icmpv6, ipv4, ipv6,
    udp,
};
use rayos_net::pcap::{Capture, LinkType};
use std::process::ExitCode;
use std::time::Instant;

/// Real traffic of the Linux kernel between two network namespaces (see
/// `tests/linux_capture.rs`, which made it).
const LINUX_CAPTURE: &[u8] = include_bytes!("../tests/data/linux-veth.pcap");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("demo: {e}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match mode {
        Mode::Both { frames } => {
            let dissected = dissect("linux-veth.pcap (committed capture)", LINUX_CAPTURE);
            println!();
            let routed = router_demo(frames);
            if dissected == ExitCode::SUCCESS {
                routed
            } else {
                dissected
            }
        }
        Mode::Pcap(path) => match std::fs::read(&path) {
            Ok(bytes) => dissect(&path, &bytes),
            Err(e) => {
                eprintln!("demo: cannot read {path}: {e}");
                ExitCode::FAILURE
            }
        },
        Mode::Router { frames } => router_demo(frames),
        Mode::Tap => tap::run(),
    }
}

const USAGE: &str = "usage: demo [--pcap FILE | --router | --tap] [--frames N]";

/// What to show.
enum Mode {
    /// The committed capture, then the router scenario.
    Both { frames: u64 },
    /// Dissect this file (only).
    Pcap(String),
    /// The router scenario only.
    Router { frames: u64 },
    /// The router between two TAP interfaces, Linux pinging across.
    Tap,
}

fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut frames = THROUGHPUT_FRAMES;
    let mut mode = None;
    let mut words = args.iter();
    while let Some(arg) = words.next() {
        let next = match arg.as_str() {
            "--pcap" => {
                let path = words.next().ok_or("--pcap needs a FILE")?;
                Mode::Pcap(path.clone())
            }
            "--router" => Mode::Router { frames: 0 },
            "--tap" => Mode::Tap,
            "--frames" => {
                let n = words.next().ok_or("--frames needs a number")?;
                frames = n
                    .replace([',', '_'], "")
                    .parse()
                    .map_err(|_| format!("--frames: {n:?} is not a number"))?;
                continue;
            }
            other => return Err(format!("unknown argument {other:?}")),
        };
        if mode.replace(next).is_some() {
            return Err("--pcap, --router and --tap exclude each other".into());
        }
    }
    Ok(match mode {
        None => Mode::Both { frames },
        Some(Mode::Router { .. }) => Mode::Router { frames },
        Some(m) => m,
    })
}

/// Dissects a capture file, one line per frame.
fn dissect(name: &str, bytes: &[u8]) -> ExitCode {
    let capture = match Capture::new(bytes) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("demo: {name}: not a capture file: {e}");
            return ExitCode::FAILURE;
        }
    };

    let caps = ChecksumCapabilities::default();
    let mut stats = Stats::default();
    for record in capture.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                println!("capture file malformed: {e}");
                stats.file_error = true;
                break;
            }
        };
        stats.frames += 1;
        let time = record
            .timestamp
            .map(time_of_day)
            .unwrap_or_else(|| "--:--:--.------".into());
        if record.link_type != LinkType::ETHERNET {
            stats.unsupported += 1;
            println!(
                "{time} link type {} not dissected, length {}",
                record.link_type,
                record.data.len()
            );
            continue;
        }
        match Frame::dissect(record.data, &caps) {
            Ok(frame) => {
                let status = match frame.error() {
                    None => match verified_checksums(&frame) {
                        0 => "ok".to_string(),
                        n => {
                            stats.verified += n;
                            "cksum ok".to_string()
                        }
                    },
                    Some(e @ Error::Checksum { .. }) => {
                        stats.bad_checksum += 1;
                        format!("BAD: {e}")
                    }
                    Some(e) => {
                        stats.malformed += 1;
                        format!("MALFORMED: {e}")
                    }
                };
                println!("{time} {frame} [{status}]");
            }
            Err(e) => {
                stats.malformed += 1;
                println!(
                    "{time} MALFORMED Ethernet frame, length {}: {e}",
                    record.data.len()
                );
            }
        }
    }
    println!(
        "{name}: {} frames, {} checksums verified, {} with a bad checksum, {} malformed, {} not Ethernet{}",
        stats.frames,
        stats.verified,
        stats.bad_checksum,
        stats.malformed,
        stats.unsupported,
        if stats.file_error {
            ", file truncated or corrupt"
        } else {
            ""
        }
    );
    if stats.file_error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Default)]
struct Stats {
    frames: usize,
    verified: usize,
    bad_checksum: usize,
    malformed: usize,
    unsupported: usize,
    file_error: bool,
}

/// How many checksums the dissector verified in a frame that parsed whole: the IPv4
/// header's, and the transport's unless the packet is a fragment.
fn verified_checksums(frame: &Frame<'_>) -> usize {
    let (ipv4, transport) = match &frame.network {
        Network::Ipv4 { transport, .. } => (1, transport),
        Network::Ipv6 { transport, .. } => (0, transport),
        _ => return 0,
    };
    let l4 = match transport {
        Transport::Tcp { .. }
        | Transport::Udp { .. }
        | Transport::Icmpv4(_)
        | Transport::Igmp(_)
        | Transport::Icmpv6(_) => 1,
        _ => 0,
    };
    ipv4 + l4
}

/// `HH:MM:SS.uuuuuu` of a time since the UNIX epoch, in UTC.
fn time_of_day(t: Duration) -> String {
    let s = t.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        t.subsec_micros()
    )
}

// ---------------------------------------------------------------------------------
// Two hosts of our own stack with our router between them, on in-memory links.

/// The one-way latency of every in-memory link: the receiving end holds each frame
/// this long (a `FaultInjector` with a receive delay), on the virtual clock.
const LINK_DELAY: Duration = Duration::from_millis(1);
/// How many frames the throughput step forwards by default.
const THROUGHPUT_FRAMES: u64 = 1_000_000;
/// Echo Request data: 56 bytes, as `ping` sends (a 64-byte ICMP message).
const ECHO_DATA: [u8; 56] = [0x5a; 56];

const ROUTER_MAC_A: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0x0a, 0x01]);
const ROUTER_MAC_B: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0x0b, 0x01]);
const HOST_A_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0x0a, 0x02]);
const HOST_B_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0x0b, 0x02]);
const ROUTER_A4: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 1);
const ROUTER_B4: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 1);
const HOST_A4: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 2);
const HOST_B4: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 2);
const ROUTER_A6: Ipv6Addr = Ipv6Addr::new(0xfd01, 0, 0, 0, 0, 0, 0, 1);
const ROUTER_B6: Ipv6Addr = Ipv6Addr::new(0xfd02, 0, 0, 0, 0, 0, 0, 1);
const HOST_A6: Ipv6Addr = Ipv6Addr::new(0xfd01, 0, 0, 0, 0, 0, 0, 2);
const HOST_B6: Ipv6Addr = Ipv6Addr::new(0xfd02, 0, 0, 0, 0, 0, 0, 2);

/// One end of an in-memory link, with the link's latency on its receive side.
type Wire<'a> = FaultInjector<Port<'a, 16, 1514>>;
/// Our router: two ports, a fixed table of 16 routes, no allocator needed.
type DemoRouter = Router<FixedTable<16>, 2>;

/// A router with ports `a` (10.1.0.1/24, fd01::1/64) and `b` (10.2.0.1/24,
/// fd02::1/64).
fn demo_router() -> Result<DemoRouter, RouterError> {
    let mut router: DemoRouter = Router::new(FixedTable::new(), RouterConfig::default());
    let a = router.add_port(Interface::new(ROUTER_MAC_A), 1500)?;
    router.add_ipv4(a, ROUTER_A4, 24)?;
    router.add_ipv6(a, ROUTER_A6, 64)?;
    let b = router.add_port(Interface::new(ROUTER_MAC_B), 1500)?;
    router.add_ipv4(b, ROUTER_B4, 24)?;
    router.add_ipv6(b, ROUTER_B6, 64)?;
    Ok(router)
}

/// An ICMP message a host received that the demo reports.
#[derive(Debug, Clone, Copy)]
enum Seen {
    /// An Echo Reply.
    Reply {
        from: IpAddr,
        seq: u16,
        ttl: u8,
        len: usize,
        at: Duration,
    },
    /// Time Exceeded about our Echo Request `seq`.
    TimeExceeded {
        from: IpAddr,
        seq: u16,
        at: Duration,
    },
    /// Destination Unreachable about our Echo Request `seq`.
    Unreachable {
        from: IpAddr,
        seq: u16,
        at: Duration,
    },
}

impl Seen {
    const fn seq(&self) -> u16 {
        match self {
            Seen::Reply { seq, .. }
            | Seen::TimeExceeded { seq, .. }
            | Seen::Unreachable { seq, .. } => *seq,
        }
    }
}

/// A host of our stack: an interface (it answers ARP, Neighbor Solicitations and
/// echo requests itself) and a neighbor cache, with one address per family and a
/// default gateway of each.
struct Host<'a> {
    name: &'static str,
    iface: Interface<2>,
    neighbors: Cache<8, 4, 1514>,
    dev: Wire<'a>,
    v4: (Ipv4Addr, u8),
    v6: (Ipv6Addr, u8),
    gw4: Ipv4Addr,
    gw6: Ipv6Addr,
    ident: u16,
    /// Answers the interface wrote while the device lent a received frame.
    answers: Vec<Vec<u8>>,
    seen: Vec<Seen>,
    tx: [u8; 1514],
}

impl<'a> Host<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &'static str,
        mac: EthernetAddress,
        v4: Ipv4Addr,
        gw4: Ipv4Addr,
        v6: Ipv6Addr,
        gw6: Ipv6Addr,
        port: Port<'a, 16, 1514>,
        ident: u16,
    ) -> Result<Self, InterfaceError> {
        let mut iface = Interface::new(mac);
        iface.add_ipv4(v4, 24)?;
        iface.add_ipv6(v6, 64)?;
        Ok(Host {
            name,
            iface,
            neighbors: Cache::new(NeighborConfig::default()),
            dev: wire(port, ident.into()),
            v4: (v4, 24),
            v6: (v6, 64),
            gw4,
            gw6,
            ident,
            answers: Vec::new(),
            seen: Vec::new(),
            tx: [0; 1514],
        })
    }

    /// Receives what arrived, answers what the interface answers, and sends what the
    /// neighbor cache asks for (solicitations, packets released by a resolution).
    /// Returns how many frames moved.
    fn poll(&mut self, now: Duration) -> usize {
        let Host {
            name,
            iface,
            neighbors,
            dev,
            v4,
            v6,
            answers,
            seen,
            tx,
            ..
        } = self;
        let caps = *iface.checksums();
        let mut moved = dev.receive(now, |frame| {
            match iface.handle_frame(now, frame, neighbors, tx) {
                Ok(Handled::Reply(len)) => answers.extend(tx.get(..len).map(<[u8]>::to_vec)),
                Ok(_) => {}
                Err(e) => println!("  {name}: frame dropped: {e}"),
            }
            if let Some(s) = icmp_seen(frame, &caps, v4.0, v6.0, now) {
                seen.push(s);
            }
        });
        for frame in answers.drain(..) {
            moved += usize::from(send(dev, now, &frame));
        }
        if neighbors.poll_timeout().is_some_and(|t| t <= now) {
            neighbors.handle_timeout(now);
        }
        while let Some(solicit) = neighbors.poll_transmit(now) {
            match iface.emit_solicit(solicit, tx) {
                Ok(len) => moved += usize::from(send(dev, now, &tx[..len])),
                Err(e) => println!("  {name}: cannot solicit {}: {e}", solicit.target),
            }
        }
        loop {
            match neighbors.poll_release(tx) {
                Ok(Some(held)) => {
                    if let Some(hw) = held.hw_addr {
                        tx[..6].copy_from_slice(&hw.0);
                    }
                    moved += usize::from(send(dev, now, &tx[..held.len]));
                }
                Ok(None) => break,
                Err(e) => {
                    println!("  {name}: cannot release a held packet: {e}");
                    break;
                }
            }
        }
        while let Ok(Some(failed)) = neighbors.poll_failed(tx) {
            println!("  {name}: {} did not answer: packet dropped", failed.addr);
        }
        moved
    }

    /// The next hop towards `dst`: itself when on-link, else the gateway.
    fn next_hop(&self, dst: IpAddr) -> IpAddr {
        let on_link = |(a, len): (IpAddr, u8)| IpCidr::new(a, len).is_ok_and(|c| c.contains(dst));
        match dst {
            IpAddr::V4(_) if on_link((self.v4.0.into(), self.v4.1)) => dst,
            IpAddr::V6(_) if on_link((self.v6.0.into(), self.v6.1)) => dst,
            IpAddr::V4(_) => self.gw4.into(),
            IpAddr::V6(_) => self.gw6.into(),
        }
    }

    /// Sends an Echo Request to `dst` with this TTL or Hop Limit: the frame is built
    /// from the wire representations, and sent to the next hop's MAC address, or held
    /// by the neighbor cache while it is resolved.
    fn ping(&mut self, now: Duration, dst: IpAddr, ttl: u8, seq: u16) -> Result<(), String> {
        let mut frame = [0u8; 1514];
        let len = echo_request(
            &mut frame,
            self.iface.mac(),
            (self.v4.0, self.v6.0),
            dst,
            ttl,
            self.ident,
            seq,
            self.iface.checksums(),
        )
        .map_err(|e| format!("cannot build the echo request: {e}"))?;
        let frame = &mut frame[..len];
        let hop = self.next_hop(dst);
        match self.neighbors.resolve(now, hop) {
            Ok(Resolution::Found(mac)) => {
                frame[..6].copy_from_slice(&mac.0);
                if send(&mut self.dev, now, frame) {
                    Ok(())
                } else {
                    Err("the link's queue is full".into())
                }
            }
            // The Solicit goes out at the next poll; the frame when the answer comes.
            Ok(Resolution::Pending) => self
                .neighbors
                .hold(hop, frame)
                .map_err(|e| format!("cannot hold the packet: {e}")),
            Err(e) => Err(format!("cannot resolve {hop}: {e}")),
        }
    }
}

/// An Echo Request frame, Ethernet destination left zero (the caller resolves it).
#[allow(clippy::too_many_arguments)]
fn echo_request(
    buf: &mut [u8],
    mac: EthernetAddress,
    (src4, src6): (Ipv4Addr, Ipv6Addr),
    dst: IpAddr,
    ttl: u8,
    ident: u16,
    seq: u16,
    caps: &ChecksumCapabilities,
) -> Result<usize, Error> {
    let eth = |ethertype| ethernet::Repr {
        src_addr: mac,
        dst_addr: EthernetAddress([0; 6]),
        vlan: None,
        inner_vlan: None,
        ethertype,
    };
    let available = buf.len();
    let too_small = |needed: usize| Error::BufferTooSmall {
        layer: Layer::Ethernet,
        needed,
        available,
    };
    match dst {
        IpAddr::V4(dst) => {
            let icmp = icmpv4::Repr::EchoRequest {
                ident,
                seq_no: seq,
                data: &ECHO_DATA,
            };
            let ip = ipv4::Repr {
                src_addr: src4,
                dst_addr: dst,
                protocol: IpProtocol::ICMP,
                payload_len: icmp.buffer_len(),
                ttl,
                dscp: Dscp::CS0,
                ecn: Ecn::NOT_ECT,
                ident: seq,
                dont_frag: true,
                more_frags: false,
                frag_offset: 0,
                options: &[],
            };
            let eth = eth(EtherType::IPV4);
            let (h, len) = (eth.header_len(), eth.header_len() + ip.buffer_len());
            let frame = buf.get_mut(..len).ok_or(too_small(len))?;
            eth.emit(frame)?;
            icmp.emit(&mut frame[h + ip.header_len()..], caps)?;
            ip.emit(&mut frame[h..], caps)?;
            Ok(len)
        }
        IpAddr::V6(dst) => {
            let icmp = icmpv6::Repr::EchoRequest {
                ident,
                seq_no: seq,
                data: &ECHO_DATA,
            };
            let ip = ipv6::Repr {
                src_addr: src6,
                dst_addr: dst,
                next_header: IpProtocol::ICMPV6,
                payload_len: icmp.buffer_len(),
                hop_limit: ttl,
                traffic_class: 0,
                flow_label: 0,
            };
            let eth = eth(EtherType::IPV6);
            let (h, len) = (eth.header_len(), eth.header_len() + ip.buffer_len());
            let frame = buf.get_mut(..len).ok_or(too_small(len))?;
            eth.emit(frame)?;
            ip.emit(&mut frame[h..])?;
            icmp.emit(&mut frame[h + ipv6::HEADER_LEN..], &src6, &dst, caps)?;
            Ok(len)
        }
    }
}

/// The Echo Reply, Time Exceeded or Destination Unreachable (about one of our echo
/// requests) that `frame` carries to `v4` or `v6`, if any.
fn icmp_seen(
    frame: &[u8],
    caps: &ChecksumCapabilities,
    v4: Ipv4Addr,
    v6: Ipv6Addr,
    at: Duration,
) -> Option<Seen> {
    let f = Frame::dissect(frame, caps).ok()?;
    match &f.network {
        Network::Ipv4 {
            header,
            transport: Transport::Icmpv4(icmp),
        } if header.dst_addr == v4 => {
            let from = IpAddr::V4(header.src_addr);
            match icmp {
                icmpv4::Repr::EchoReply { seq_no, .. } => Some(Seen::Reply {
                    from,
                    seq: *seq_no,
                    ttl: header.ttl,
                    len: icmp.buffer_len(),
                    at,
                }),
                icmpv4::Repr::TimeExceeded { invoking, .. } => Some(Seen::TimeExceeded {
                    from,
                    seq: quoted_seq_v4(invoking)?,
                    at,
                }),
                icmpv4::Repr::DstUnreachable { invoking, .. } => Some(Seen::Unreachable {
                    from,
                    seq: quoted_seq_v4(invoking)?,
                    at,
                }),
                _ => None,
            }
        }
        Network::Ipv6 {
            header,
            transport: Transport::Icmpv6(icmp),
            ..
        } if header.dst_addr == v6 => {
            let from = IpAddr::V6(header.src_addr);
            match icmp {
                icmpv6::Repr::EchoReply { seq_no, .. } => Some(Seen::Reply {
                    from,
                    seq: *seq_no,
                    ttl: header.hop_limit,
                    len: icmp.buffer_len(),
                    at,
                }),
                icmpv6::Repr::TimeExceeded { invoking, .. } => Some(Seen::TimeExceeded {
                    from,
                    seq: quoted_seq_v6(invoking)?,
                    at,
                }),
                icmpv6::Repr::DstUnreachable { invoking, .. } => Some(Seen::Unreachable {
                    from,
                    seq: quoted_seq_v6(invoking)?,
                    at,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The sequence number of the Echo Request an ICMPv4 error quotes.
fn quoted_seq_v4(invoking: &[u8]) -> Option<u16> {
    let ihl = usize::from(invoking.first()? & 0x0f) * 4;
    let icmp = invoking.get(ihl..ihl + 8)?;
    (invoking.get(9) == Some(&1) && icmp[0] == 8).then(|| u16::from_be_bytes([icmp[6], icmp[7]]))
}

/// The sequence number of the Echo Request an ICMPv6 error quotes (no extension
/// headers: ours have none).
fn quoted_seq_v6(invoking: &[u8]) -> Option<u16> {
    let icmp = invoking.get(ipv6::HEADER_LEN..ipv6::HEADER_LEN + 8)?;
    (invoking.get(6) == Some(&58) && icmp[0] == 128).then(|| u16::from_be_bytes([icmp[6], icmp[7]]))
}

/// Copies `frame` into a transmit buffer of `dev`; false when it has none.
fn send<D: Device>(dev: &mut D, now: Duration, frame: &[u8]) -> bool {
    dev.transmit_one(now, |buf| match buf.get_mut(..frame.len()) {
        Some(b) => {
            b.copy_from_slice(frame);
            frame.len()
        }
        None => usize::MAX, // refused by the device, and counted
    })
}

/// One end of an in-memory link with the link's latency on its receive side.
fn wire(port: Port<'_, 16, 1514>, seed: u64) -> Wire<'_> {
    let delay = FaultConfig {
        delay: LINK_DELAY,
        ..FaultConfig::default()
    };
    FaultInjector::new(port, delay, seed)
}

/// The two hosts, the router, its two ports, and the virtual clock.
struct Net<'a> {
    now: Duration,
    a: Host<'a>,
    b: Host<'a>,
    router: DemoRouter,
    ports: [Wire<'a>; 2],
    fwd: Forwarder,
}

impl Net<'_> {
    /// Moves frames until nothing moves at `now`.
    fn settle(&mut self) {
        // Bounded: each round moves a frame or ends; a link holds 16 at most.
        for _ in 0..10_000 {
            if self.router.poll_timeout().is_some_and(|t| t <= self.now) {
                self.router.handle_timeout(self.now);
            }
            let moved = self.a.poll(self.now)
                + self.fwd.poll(self.now, &mut self.router, &mut self.ports)
                + self.b.poll(self.now);
            if moved == 0 {
                return;
            }
        }
    }

    /// When something next happens: a delayed frame arrives or a timer fires.
    fn next_event(&self) -> Option<Duration> {
        [
            self.a.dev.poll_timeout(),
            self.b.dev.poll_timeout(),
            self.ports[0].poll_timeout(),
            self.ports[1].poll_timeout(),
            self.router.poll_timeout(),
            self.a.neighbors.poll_timeout(),
            self.b.neighbors.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs the network, stepping the virtual clock from event to event, until
    /// `done` holds (then returns true) or the clock reaches `until`.
    fn run_until(&mut self, until: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        loop {
            self.settle();
            if done(self) {
                return true;
            }
            // Never backwards, never standing still.
            let next = self
                .next_event()
                .map(|t| t.max(self.now + Duration::from_micros(1)));
            match next {
                Some(t) if t <= until => self.now = t,
                _ => {
                    self.now = until;
                    self.settle();
                    return done(self);
                }
            }
        }
    }

    /// Host A pings `dst` `count` times, once a (virtual) second, and prints each
    /// round trip. Returns how many replies came back.
    fn ping(&mut self, dst: IpAddr, count: u16) -> u16 {
        let mut replies = 0;
        for seq in 1..=count {
            let sent = self.now;
            let next = sent + Duration::from_secs(1);
            if let Err(e) = self.a.ping(sent, dst, 64, seq) {
                println!("  {}: {e}", self.a.name);
            }
            let answered = self.run_until(next, |n| n.a.seen.iter().any(|s| s.seq() == seq));
            match self.a.seen.iter().find(|s| s.seq() == seq) {
                Some(&Seen::Reply {
                    from, ttl, len, at, ..
                }) => {
                    replies += 1;
                    println!(
                        "  {len} bytes from {from}: icmp_seq={seq} ttl={ttl} time={:.3} ms",
                        ms(at - sent)
                    );
                }
                Some(other) => println!("  icmp_seq={seq}: {other:?}"),
                None if !answered => println!("  icmp_seq={seq}: no answer within 1 s"),
                None => {}
            }
            self.a.seen.clear();
            self.run_until(next, |_| false);
        }
        replies
    }

    /// Echo requests with TTL (Hop Limit) 1, 2, ... until the destination answers:
    /// each router on the way answers with Time Exceeded.
    fn traceroute(&mut self, dst: IpAddr) {
        for ttl in 1..=4u8 {
            let sent = self.now;
            let next = sent + Duration::from_secs(1);
            let seq = 100 + u16::from(ttl);
            if let Err(e) = self.a.ping(sent, dst, ttl, seq) {
                println!("  {}: {e}", self.a.name);
            }
            self.run_until(next, |n| n.a.seen.iter().any(|s| s.seq() == seq));
            let seen = self.a.seen.iter().find(|s| s.seq() == seq).copied();
            self.a.seen.clear();
            self.run_until(next, |_| false);
            match seen {
                Some(Seen::TimeExceeded { from, at, .. }) => {
                    println!("  {ttl}  {from}  {:.3} ms  (Time Exceeded)", ms(at - sent));
                }
                Some(Seen::Reply { from, at, .. }) => {
                    println!("  {ttl}  {from}  {:.3} ms  (Echo Reply)", ms(at - sent));
                    return;
                }
                Some(Seen::Unreachable { from, at, .. }) => {
                    println!("  {ttl}  {from}  {:.3} ms  (Unreachable)", ms(at - sent));
                    return;
                }
                None => println!("  {ttl}  *"),
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_router_stats(s: &RouterStats, f: &ForwardStats) {
    println!(
        "router: forwarded {}, fragmented {}, local {}, ICMP errors {}, rate-limited {}, \
         discarded {}",
        s.forwarded,
        s.fragmented,
        s.local,
        s.icmp_errors,
        s.icmp_rate_limited,
        s.discarded_total()
    );
    let reasons: Vec<String> = s
        .discards()
        .filter(|&(_, n)| n > 0)
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    if !reasons.is_empty() {
        println!("  discarded: {}", reasons.join(", "));
    }
    println!(
        "forwarder: received {}, sent {}, dropped {}",
        f.received, f.sent, f.dropped
    );
}

/// Two hosts of our stack and our router between them: pings, traceroutes, then the
/// forwarding speed in memory.
fn router_demo(frames: u64) -> ExitCode {
    let router = match demo_router() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("demo: cannot build the router: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (link_a, link_b) = (Link::<16, 1514>::new(), Link::<16, 1514>::new());
    let (host_a, router_a) = link_a.ports();
    let (host_b, router_b) = link_b.ports();
    let hosts = Host::new(
        "host A", HOST_A_MAC, HOST_A4, ROUTER_A4, HOST_A6, ROUTER_A6, host_a, 0xa,
    )
    .and_then(|a| {
        Host::new(
            "host B", HOST_B_MAC, HOST_B4, ROUTER_B4, HOST_B6, ROUTER_B6, host_b, 0xb,
        )
        .map(|b| (a, b))
    });
    let (a, b) = match hosts {
        Ok(h) => h,
        Err(e) => {
            eprintln!("demo: cannot build the hosts: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut net = Net {
        now: Duration::ZERO,
        a,
        b,
        router,
        ports: [wire(router_a, 1), wire(router_b, 2)],
        fwd: Forwarder::new(),
    };
    println!(
        "host A {HOST_A4} {HOST_A6} -- [{ROUTER_A4} {ROUTER_A6} router {ROUTER_B4} {ROUTER_B6}] \
         -- host B {HOST_B4} {HOST_B6}"
    );
    println!(
        "two hosts of our stack and our router, on in-memory links of {:.0} ms one-way \
         latency, on a virtual clock",
        ms(LINK_DELAY)
    );
    let mut replies = 0;
    let mut sent = 0;
    for dst in [IpAddr::V4(HOST_B4), IpAddr::V6(HOST_B6)] {
        println!("ping {dst} from host A:");
        replies += net.ping(dst, 3);
        sent += 3;
    }
    println!(
        "  (the first round trips include address resolution: host A for its gateway, \
         the router for host B)"
    );
    for dst in [IpAddr::V4(HOST_B4), IpAddr::V6(HOST_B6)] {
        println!("traceroute {dst} from host A:");
        net.traceroute(dst);
    }
    print_router_stats(net.router.stats(), &net.fwd.stats());

    println!();
    let Net { now, router, .. } = net;
    let mut router = router;
    throughput(&mut router, now, frames);
    if replies == sent {
        ExitCode::SUCCESS
    } else {
        println!("demo: {replies} of {sent} pings answered");
        ExitCode::FAILURE
    }
}

/// Forwards `frames` minimum-size frames from host A to host B through the router,
/// in memory (links without latency), and prints the rate.
fn throughput(router: &mut DemoRouter, now: Duration, frames: u64) {
    // A UDP datagram from host A to host B's discard port: 60 bytes, the minimum
    // Ethernet frame (64 on the wire with the FCS).
    let mut template = [0u8; 60];
    if let Err(e) = udp_frame(&mut template) {
        eprintln!("demo: cannot build the UDP frame: {e}");
        return;
    }
    let (link_a, link_b) = (Link::<64, 1514>::new(), Link::<64, 1514>::new());
    let (mut host_a, router_a) = link_a.ports();
    let (mut host_b, router_b) = link_b.ports();
    let mut ports = [router_a, router_b];
    let mut fwd: Forwarder = Forwarder::new();
    let before = *router.stats();
    let (mut sent, mut received, mut wrong) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    while received < frames {
        let queued = host_a.transmit(now, |buf| {
            if sent == frames {
                return None;
            }
            buf.get_mut(..template.len())?.copy_from_slice(&template);
            sent += 1;
            Some(template.len())
        });
        let forwarded = fwd.poll(now, router, &mut ports);
        let got = host_b.receive(now, |f| {
            // Forwarded: to host B's MAC, from the router's, TTL one less.
            if f.get(..6) != Some(&HOST_B_MAC.0[..])
                || f.get(6..12) != Some(&ROUTER_MAC_B.0[..])
                || f.get(22) != Some(&63)
            {
                wrong += 1;
            }
        });
        received += got as u64;
        if queued == 0 && forwarded == 0 && got == 0 {
            break; // nothing moves any more: frames were lost
        }
    }
    let took = start.elapsed();
    let after = *router.stats();
    #[allow(clippy::cast_precision_loss)] // a printout
    let rate = received as f64 / took.as_secs_f64();
    println!(
        "throughput: {received} of {sent} 60-byte frames forwarded host A -> router -> host B \
         in memory in {:.3} s: {:.2} Mframes/s ({:.0} ns per frame){}",
        took.as_secs_f64(),
        rate / 1e6,
        1e9 / rate,
        if cfg!(debug_assertions) {
            " [debug build: run with --release for a real figure]"
        } else {
            ""
        }
    );
    println!(
        "  router forwarded {} more, discarded {} more; forwarder dropped {}; {wrong} \
         frames arrived altered",
        after.forwarded - before.forwarded,
        after.discarded_total() - before.discarded_total(),
        fwd.stats().dropped
    );
}

/// A 60-byte Ethernet + IPv4 + UDP frame from host A to host B, to the router's MAC.
fn udp_frame(buf: &mut [u8; 60]) -> Result<(), Error> {
    let caps = ChecksumCapabilities::default();
    let payload = [0u8; 18];
    let udp = udp::Repr {
        src_port: 9,
        dst_port: 9,
        payload_len: payload.len(),
    };
    let ip = ipv4::Repr {
        src_addr: HOST_A4,
        dst_addr: HOST_B4,
        protocol: IpProtocol::UDP,
        payload_len: udp.buffer_len(),
        ttl: 64,
        dscp: Dscp::CS0,
        ecn: Ecn::NOT_ECT,
        ident: 0,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    };
    let eth = ethernet::Repr {
        src_addr: HOST_A_MAC,
        dst_addr: ROUTER_MAC_A,
        vlan: None,
        inner_vlan: None,
        ethertype: EtherType::IPV4,
    };
    let h = eth.header_len();
    let u = h + ip.header_len();
    eth.emit(buf)?;
    buf[u + 8..].copy_from_slice(&payload);
    udp.emit(
        &mut buf[u..],
        &IpAddr::V4(HOST_A4),
        &IpAddr::V4(HOST_B4),
        &caps,
    )?;
    ip.emit(&mut buf[h..], &caps)
}

/// `demo --tap` (root): the same router between two TAP interfaces, each moved into a
/// network namespace of its own, and Linux pinging across it.
mod tap {
    use super::{
        DemoRouter, ROUTER_A4, ROUTER_A6, ROUTER_B4, ROUTER_B6, demo_router, print_router_stats,
    };
    use core::time::Duration;
    use rayos_net::device::tap::Tap;
    use rayos_net::forward::Forwarder;
    use std::process::{Command, ExitCode, Stdio};
    use std::time::Instant;

    /// The namespaces; deleted when dropped, also on an early return.
    struct Namespaces(Vec<String>);

    impl Drop for Namespaces {
        fn drop(&mut self) {
            for ns in &self.0 {
                let _ = Command::new("ip").args(["netns", "del", ns]).status();
            }
        }
    }

    /// Runs `ip ARGS`.
    fn ip(args: &[&str]) -> Result<(), String> {
        let out = Command::new("ip")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run ip: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "ip {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    pub(super) fn run() -> ExitCode {
        match scenario() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("demo --tap: {e}");
                ExitCode::FAILURE
            }
        }
    }

    fn scenario() -> Result<(), String> {
        let pid = std::process::id();
        let (na, nb) = (format!("rdemo{pid}a"), format!("rdemo{pid}b"));
        let mut guard = Namespaces(Vec::new());
        for ns in [&na, &nb] {
            ip(&["netns", "add", ns]).map_err(|e| format!("{e} (this needs root)"))?;
            guard.0.push(ns.clone());
        }
        // Our ends: created in this namespace, then moved; the descriptors stay ours.
        let open = |name: &str| {
            Tap::open(name).map_err(|e| {
                format!("cannot open TAP interface {name}: {e} (needs root or CAP_NET_ADMIN)")
            })
        };
        let mut devices = [open(&na)?, open(&nb)?];
        let mut router: DemoRouter =
            demo_router().map_err(|e| format!("cannot build the router: {e}"))?;
        let sides = [
            (&na, "10.1.0.2/24", "fd01::2/64", ROUTER_A4, ROUTER_A6),
            (&nb, "10.2.0.2/24", "fd02::2/64", ROUTER_B4, ROUTER_B6),
        ];
        for (ns, v4, v6, gw4, gw6) in sides {
            ip(&["link", "set", ns, "netns", ns])?;
            ip(&["-n", ns, "addr", "add", v4, "dev", ns])?;
            ip(&["-n", ns, "addr", "add", v6, "dev", ns, "nodad"])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "link", "set", ns, "up"])?;
            ip(&["-n", ns, "route", "add", "default", "via", &gw4.to_string()])?;
            ip(&[
                "-n",
                ns,
                "-6",
                "route",
                "add",
                "default",
                "via",
                &gw6.to_string(),
            ])?;
        }
        println!(
            "namespace {na} (10.1.0.2, fd01::2) -- TAP -- our router -- TAP -- namespace \
             {nb} (10.2.0.2, fd02::2)"
        );
        let start = Instant::now();
        let mut fwd: Forwarder = Forwarder::new();
        let pings: [&[&str]; 4] = [
            &["ping", "-c", "3", "-i", "0.2", "10.2.0.2"],
            &["ping", "-c", "3", "-i", "0.2", "fd02::2"],
            &["ping", "-c", "1", "-t", "1", "10.2.0.2"],
            &["ping", "-c", "1", "-t", "1", "fd02::2"],
        ];
        for cmd in pings {
            println!("$ ip netns exec {na} {}", cmd.join(" "));
            let mut child = Command::new("ip")
                .args(["netns", "exec", &na])
                .args(cmd)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot run ping: {e}"))?;
            // Forward until ping is done (at most 15 s).
            let deadline = start.elapsed() + Duration::from_secs(15);
            loop {
                let now = start.elapsed();
                if router.poll_timeout().is_some_and(|t| t <= now) {
                    router.handle_timeout(now);
                }
                let moved = fwd.poll(now, &mut router, &mut devices);
                if matches!(child.try_wait(), Ok(Some(_))) || now > deadline {
                    break;
                }
                if moved == 0 {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
            let _ = child.kill();
            let out = child.wait_with_output().map_err(|e| format!("ping: {e}"))?;
            for line in String::from_utf8_lossy(&out.stdout)
                .lines()
                .chain(String::from_utf8_lossy(&out.stderr).lines())
                .filter(|l| !l.trim().is_empty())
            {
                println!("  {line}");
            }
        }
        print_router_stats(router.stats(), &fwd.stats());
        for dev in &devices {
            let s = dev.stats();
            println!(
                "  {}: rx {} frames, tx {} frames, tx dropped {}",
                dev.name(),
                s.rx_frames,
                s.tx_frames,
                s.tx_dropped
            );
        }
        Ok(())
    }
}
