//! The per-packet forwarding fast path of `netstack::iface::router::Router`, on one core,
//! in memory: minimum-size frames in, rewritten frames out.
//!
//! # What one element is
//! For each frame: copy the template into an rx buffer (what a NIC's DMA would have
//! written), [`Router::handle_frame`] on port 0, and on [`Action::Forward`] copy
//! `frame[..len]` into a tx buffer (what `rayos_net::forward::Forwarder` does into the
//! egress device), then `black_box` it. That is the whole per-packet work of a
//! forwarder over devices that share no memory; only the device I/O is left out.
//! `Throughput::Elements(4096)`: criterion reports packets/s.
//!
//! # The router
//! Two ports, default capacities (`Router<R, 2>`: 4 addresses per family, neighbor
//! caches of 64 entries). Port 0 has 198.18.0.1/24 and 2001:2::1/64, port 1
//! 198.19.0.1/24 and 2001:2:0:1::1/64 (the benchmarking ranges of RFC 2544 appendix
//! C.2.2 and RFC 5180 section 5.2). The gateway on port 1 (198.19.0.2, 2001:2:0:1::2)
//! is resolved before anything is measured, by the router's own ARP request and
//! Neighbor Solicitation answered with an ARP reply and a solicited Neighbor
//! Advertisement fed to `handle_frame` on port 1: REACHABLE, and the clock does not
//! move during the bench, so it stays so.
//!
//! - `forward/ipv4_64B_full_table/rayos`, `forward/ipv6_78B_full_table/rayos`: a `FullTable` holding
//!   the full Internet table (`../shared/data/routes/prefixes.txt.gz`, found as
//!   `benches/route.rs` finds it: 901,899 IPv4 and 160,147 IPv6 prefixes), every
//!   prefix routed via the gateway on port 1.
//! - `forward/ipv4_64B_small_table/rayos`: a `FixedTable<16>` with the connected routes and
//!   a handful of routes (four /8s, two /16s and a default) via the same gateway, the
//!   same frames: the cost of everything but the Poptrie lookup's memory traffic.
//!
//! # The frames
//! 4,096 distinct frames per bench, cycled through: destinations drawn from the
//! table's own prefixes (a random prefix, random host bits; seeded, as in
//! `benches/route.rs`), so every lookup walks as deep as the table makes it. Each is a
//! UDP datagram from a host on port 0 (198.18.0.2, 2001:2::2) to the router's MAC,
//! TTL/Hop Limit 64, random source and destination ports, valid IPv4 header and UDP
//! checksums.
//!
//! - IPv4, 64 bytes on the wire: 60 in memory (no FCS) = Ethernet 14 + IPv4 20 +
//!   UDP 8 + 18 bytes of payload. The minimum Ethernet frame, with no padding.
//! - IPv6, 78 bytes on the wire: 74 in memory = Ethernet 14 + IPv6 40 + UDP 8 + 12
//!   bytes of payload. Ethernet + IPv6 + UDP is 62 bytes before any payload, so no
//!   IPv6 UDP datagram fits the 64-byte minimum frame (66 on the wire at the least);
//!   78 bytes is the IPv6 "minimum" packet generators commonly use, 12 bytes of
//!   payload being the room a tester's sequence number and timestamp take.
//!
//! Before measuring, every frame is run through once and must come out as
//! `Action::Forward` on port 1 with the gateway's MAC as destination and TTL/Hop
//! Limit 63: the bench measures forwarding, never a drop path.
//!
//! # No peer crate
//! There is no peer crate in the group: smoltcp does not route between interfaces
//! (an `Interface` has one device; it answers or drops what is not its own), and
//! neither etherparse nor any other crate here forwards. The anchor is the one the
//! issue sets: VPP forwards about 14 Mpps per core; the goal here is at least 10
//! million packets/s on one core, i.e. at most 100 ns per element.

use core::hint::black_box;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netstack::iface::interface::Interface;
use netstack::iface::router::{Action, Config, FullTable, Router, Routes};
use netstack::route::{FixedTable, IpCidr, Ipv4Cidr, Ipv6Cidr, Route};
use netstack::wire::ipv4::{Dscp, Ecn};

mod routes;
use netstack::wire::{
    ChecksumCapabilities, EthernetAddress, IpProtocol, arp, checksum, ipv4, ipv6, udp,
};
use routes::{Rng, load};

/// Frames per batch (one criterion iteration).
const BATCH: usize = 4096;
/// A 64-byte IPv4 frame without its 4-byte FCS.
const V4_LEN: usize = 60;
/// A 78-byte IPv6 frame without its 4-byte FCS.
const V6_LEN: usize = 74;
const ETH_LEN: usize = 14;
const UDP_LEN: usize = 8;

const P0_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
const P1_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
const HOST_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x10]);
const GW_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x20]);

const P0_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
const HOST_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);
const P1_V4: Ipv4Addr = Ipv4Addr::new(198, 19, 0, 1);
const GW_V4: Ipv4Addr = Ipv4Addr::new(198, 19, 0, 2);
const P0_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 1);
const HOST_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 2);
const P1_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 1, 0, 0, 0, 1);
const GW_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 1, 0, 0, 0, 2);

/// The bench's clock: it does not move, so the gateway stays REACHABLE.
const NOW: Duration = Duration::from_secs(1);

fn via_gateway_v4() -> Route {
    Route {
        next_hop: Some(IpAddr::V4(GW_V4)),
        interface: netstack::route::InterfaceId(1),
        metric: 0,
    }
}

fn via_gateway_v6() -> Route {
    Route {
        next_hop: Some(IpAddr::V6(GW_V6)),
        interface: netstack::route::InterfaceId(1),
        metric: 0,
    }
}

/// Adds the two ports and their addresses, then resolves the gateway the way a
/// router does: a datagram for each family is held, the router's ARP request and
/// Neighbor Solicitation go out, and the gateway's ARP reply and solicited Neighbor
/// Advertisement come in on port 1.
fn setup<R: Routes>(router: &mut Router<R, 2>) {
    let p0 = router
        .add_port(Interface::new(P0_MAC), 1500)
        .expect("port 0");
    let p1 = router
        .add_port(Interface::new(P1_MAC), 1500)
        .expect("port 1");
    router.add_ipv4(p0, P0_V4, 24).expect("198.18.0.1/24");
    router.add_ipv4(p1, P1_V4, 24).expect("198.19.0.1/24");
    router.add_ipv6(p0, P0_V6, 64).expect("2001:2::1/64");
    router.add_ipv6(p1, P1_V6, 64).expect("2001:2:0:1::1/64");

    let mut tx = [0u8; 1514];
    // A datagram to the gateway itself (on port 1's connected network, whatever the
    // table) sets off the resolution of each family.
    let mut f4 = v4_frame(GW_V4, 1, 2, &[0; V4_LEN - 42]);
    let mut f6 = v6_frame(GW_V6, 1, 2, &[0; V6_LEN - 62]);
    assert_eq!(router.handle_frame(NOW, p0, &mut f4, &mut tx), Action::Held);
    assert_eq!(router.handle_frame(NOW, p0, &mut f6, &mut tx), Action::Held);
    let mut solicits = 0;
    while let Some((port, len)) = router.poll_transmit(NOW, &mut tx) {
        assert_eq!(port, p1, "solicitations go out on port 1");
        assert!(len <= tx.len());
        solicits += 1;
    }
    assert_eq!(solicits, 2, "one ARP request, one Neighbor Solicitation");
    // The gateway's ARP reply (RFC 826).
    let reply = arp::Repr {
        operation: arp::Operation::REPLY,
        source_hardware_addr: GW_MAC,
        source_protocol_addr: GW_V4,
        target_hardware_addr: P1_MAC,
        target_protocol_addr: P1_V4,
    };
    let mut frame = vec![0u8; ETH_LEN + reply.buffer_len()];
    eth_header(&mut frame, P1_MAC, GW_MAC, 0x0806);
    reply.emit(&mut frame[ETH_LEN..]).expect("ARP reply");
    assert_eq!(
        router.handle_frame(NOW, p1, &mut frame, &mut tx),
        Action::Consumed
    );
    // The gateway's solicited Neighbor Advertisement with its Target Link-Layer
    // Address option (RFC 4861 section 4.4).
    let mut na = vec![0u8; 32];
    na[0] = 136; // Neighbor Advertisement
    na[4] = 0x60; // S and O
    na[8..24].copy_from_slice(&GW_V6.octets());
    na[24] = 2; // Target Link-Layer Address
    na[25] = 1;
    na[26..32].copy_from_slice(&GW_MAC.0);
    let sum = checksum_v6(GW_V6, P1_V6, IpProtocol::ICMPV6, &na);
    na[2..4].copy_from_slice(&sum.to_be_bytes());
    let ip = ipv6::Repr {
        src_addr: GW_V6,
        dst_addr: P1_V6,
        next_header: IpProtocol::ICMPV6,
        payload_len: na.len(),
        hop_limit: 255,
        traffic_class: 0,
        flow_label: 0,
    };
    let mut frame = vec![0u8; ETH_LEN + ip.buffer_len()];
    eth_header(&mut frame, P1_MAC, GW_MAC, 0x86dd);
    ip.emit(&mut frame[ETH_LEN..]).expect("IPv6 header");
    frame[ETH_LEN + 40..].copy_from_slice(&na);
    assert_eq!(
        router.handle_frame(NOW, p1, &mut frame, &mut tx),
        Action::Consumed
    );
    // The held datagrams go now, to the gateway's MAC.
    let mut released = 0;
    while let Some((port, len)) = router.poll_transmit(NOW, &mut tx) {
        assert_eq!((port, &tx[..6]), (p1, &GW_MAC.0[..]));
        assert!(len <= tx.len());
        released += 1;
    }
    assert_eq!(released, 2, "both held datagrams released");
}

/// The ICMPv6 checksum of `data` (its checksum field zero) from `src` to `dst`.
fn checksum_v6(src: Ipv6Addr, dst: Ipv6Addr, next: IpProtocol, data: &[u8]) -> u16 {
    let len = u32::try_from(data.len()).expect("a short message");
    checksum::finish(checksum::combine(&[
        checksum::pseudo_header_v6(src, dst, next, len),
        checksum::data(data),
    ]))
}

fn eth_header(frame: &mut [u8], dst: EthernetAddress, src: EthernetAddress, ethertype: u16) {
    frame[..6].copy_from_slice(&dst.0);
    frame[6..12].copy_from_slice(&src.0);
    frame[12..14].copy_from_slice(&ethertype.to_be_bytes());
}

/// A 60-byte Ethernet + IPv4 + UDP frame from the host on port 0 to `dst`.
fn v4_frame(dst: Ipv4Addr, sport: u16, dport: u16, payload: &[u8]) -> [u8; V4_LEN] {
    let caps = ChecksumCapabilities::default();
    let mut f = [0u8; V4_LEN];
    eth_header(&mut f, P0_MAC, HOST_MAC, 0x0800);
    let ip = ipv4::Repr {
        src_addr: HOST_V4,
        dst_addr: dst,
        protocol: IpProtocol::UDP,
        payload_len: UDP_LEN + payload.len(),
        ttl: 64,
        dscp: Dscp::CS0,
        ecn: Ecn::NOT_ECT,
        ident: sport,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    };
    assert_eq!(ETH_LEN + ip.buffer_len(), V4_LEN);
    let l4 = ETH_LEN + ip.header_len();
    f[l4 + UDP_LEN..].copy_from_slice(payload);
    let u = udp::Repr {
        src_port: sport,
        dst_port: dport,
        payload_len: payload.len(),
    };
    u.emit(&mut f[l4..], &IpAddr::V4(HOST_V4), &IpAddr::V4(dst), &caps)
        .expect("UDP header");
    ip.emit(&mut f[ETH_LEN..], &caps).expect("IPv4 header");
    f
}

/// A 74-byte Ethernet + IPv6 + UDP frame from the host on port 0 to `dst`.
fn v6_frame(dst: Ipv6Addr, sport: u16, dport: u16, payload: &[u8]) -> [u8; V6_LEN] {
    let caps = ChecksumCapabilities::default();
    let mut f = [0u8; V6_LEN];
    eth_header(&mut f, P0_MAC, HOST_MAC, 0x86dd);
    let ip = ipv6::Repr {
        src_addr: HOST_V6,
        dst_addr: dst,
        next_header: IpProtocol::UDP,
        payload_len: UDP_LEN + payload.len(),
        hop_limit: 64,
        traffic_class: 0,
        flow_label: 0,
    };
    assert_eq!(ETH_LEN + ip.buffer_len(), V6_LEN);
    let l4 = ETH_LEN + ipv6::HEADER_LEN;
    f[l4 + UDP_LEN..].copy_from_slice(payload);
    let u = udp::Repr {
        src_port: sport,
        dst_port: dport,
        payload_len: payload.len(),
    };
    u.emit(&mut f[l4..], &IpAddr::V6(HOST_V6), &IpAddr::V6(dst), &caps)
        .expect("UDP header");
    ip.emit(&mut f[ETH_LEN..]).expect("IPv6 header");
    f
}

/// `BATCH` distinct IPv4 frames to addresses drawn from `prefixes` that `router`
/// routes via the gateway.
fn v4_frames<R: Routes>(
    router: &Router<R, 2>,
    prefixes: &[Ipv4Cidr],
    seed: u64,
) -> Vec<[u8; V4_LEN]> {
    let mut rng = Rng(seed);
    let mut seen = std::collections::HashSet::new();
    let mut frames = Vec::with_capacity(BATCH);
    while frames.len() < BATCH {
        let p = prefixes[rng.next() as usize % prefixes.len()];
        let host = (rng.next() as u32)
            .checked_shr(u32::from(p.prefix_len()))
            .unwrap_or(0);
        let dst = Ipv4Addr::from_bits(p.address().to_bits() | host);
        // Only destinations the router forwards via the gateway (not a martian or
        // multicast address that a table might hold, not a connected network).
        let first = dst.octets()[0];
        if first == 0 || first == 127 || first >= 224 || dst.is_link_local() {
            continue;
        }
        if router.routes().route_v4(dst) != Some(via_gateway_v4()) || !seen.insert(dst) {
            continue;
        }
        let r = rng.next();
        let mut payload = [0u8; V4_LEN - 42];
        for (i, b) in payload.iter_mut().enumerate() {
            *b = (r >> (8 * (i % 8))) as u8 ^ i as u8;
        }
        frames.push(v4_frame(
            dst,
            1024 + (r as u16 % 60000),
            (r >> 16) as u16 | 1,
            &payload,
        ));
    }
    frames
}

/// `BATCH` distinct IPv6 frames, as [`v4_frames`].
fn v6_frames<R: Routes>(
    router: &Router<R, 2>,
    prefixes: &[Ipv6Cidr],
    seed: u64,
) -> Vec<[u8; V6_LEN]> {
    let mut rng = Rng(seed);
    let mut seen = std::collections::HashSet::new();
    let mut frames = Vec::with_capacity(BATCH);
    while frames.len() < BATCH {
        let p = prefixes[rng.next() as usize % prefixes.len()];
        let r = (u128::from(rng.next()) << 64) | u128::from(rng.next());
        let host = r.checked_shr(u32::from(p.prefix_len())).unwrap_or(0);
        let dst = Ipv6Addr::from_bits(p.address().to_bits() | host);
        if dst.is_multicast()
            || dst.is_unspecified()
            || dst.is_loopback()
            || dst.is_unicast_link_local()
            || dst.to_ipv4_mapped().is_some()
        {
            continue;
        }
        if router.routes().route_v6(dst) != Some(via_gateway_v6()) || !seen.insert(dst) {
            continue;
        }
        let r = rng.next();
        let mut payload = [0u8; V6_LEN - 62];
        for (i, b) in payload.iter_mut().enumerate() {
            *b = (r >> (8 * (i % 8))) as u8 ^ i as u8;
        }
        frames.push(v6_frame(
            dst,
            1024 + (r as u16 % 60000),
            (r >> 16) as u16 | 1,
            &payload,
        ));
    }
    frames
}

/// Runs every frame through once and checks it is forwarded as it should be.
fn check<R: Routes, const L: usize>(router: &mut Router<R, 2>, frames: &[[u8; L]]) {
    let mut rx = [0u8; 1514];
    let mut tx = [0u8; 1514];
    let before = router.stats().forwarded;
    for f in frames {
        rx[..L].copy_from_slice(f);
        let action =
            router.handle_frame(NOW, netstack::route::InterfaceId(0), &mut rx[..L], &mut tx);
        assert_eq!(
            action,
            Action::Forward {
                port: netstack::route::InterfaceId(1),
                len: L
            },
            "{f:02x?}"
        );
        assert_eq!((&rx[..6], &rx[6..12]), (&GW_MAC.0[..], &P1_MAC.0[..]));
        match u16::from_be_bytes([f[12], f[13]]) {
            0x0800 => {
                assert_eq!(rx[ETH_LEN + 8], 63);
                let pkt = ipv4::Packet::new_checked(&rx[ETH_LEN..L]).expect("IPv4");
                assert!(
                    pkt.verify_checksum().is_ok(),
                    "the header checksum verifies"
                );
            }
            _ => assert_eq!(rx[ETH_LEN + 7], 63),
        }
    }
    assert_eq!(router.stats().forwarded - before, frames.len() as u64);
}

/// One batch: the per-packet work of a forwarder. Returns the frames forwarded.
#[inline(never)]
fn forward_batch<R: Routes, const L: usize>(
    router: &mut Router<R, 2>,
    frames: &[[u8; L]],
    rx: &mut [u8; 1514],
    tx: &mut [u8; 1514],
    egress: &mut [u8; 1514],
) -> usize {
    let mut sent = 0;
    for f in frames {
        // What the NIC's DMA writes into a receive buffer.
        rx[..L].copy_from_slice(f);
        if let Action::Forward { port, len } =
            router.handle_frame(NOW, netstack::route::InterfaceId(0), &mut rx[..L], tx)
        {
            // What the Forwarder copies into the egress device's transmit buffer.
            egress[..len].copy_from_slice(&rx[..len]);
            black_box((port, &egress[..len]));
            sent += 1;
        }
    }
    sent
}

fn bench_router<R: Routes, const L: usize>(
    c: &mut Criterion,
    case: &str,
    router: &mut Router<R, 2>,
    frames: &[[u8; L]],
) {
    check(router, frames);
    let mut rx = Box::new([0u8; 1514]);
    let mut tx = Box::new([0u8; 1514]);
    let mut egress = Box::new([0u8; 1514]);
    let mut g = c.benchmark_group(format!("forward/{case}"));
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("rayos", |b| {
        b.iter(|| forward_batch(router, black_box(frames), &mut rx, &mut tx, &mut egress));
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let (v4, v6) = load();
    let gw4 = via_gateway_v4();
    let gw6 = via_gateway_v6();
    let table = FullTable {
        v4: v4.iter().map(|&p| (p, gw4)).collect(),
        v6: v6.iter().map(|&p| (p, gw6)).collect(),
    };
    let mut full: Box<Router<FullTable, 2>> = Box::new(Router::new(table, Config::default()));
    setup(&mut full);
    let frames4 = v4_frames(&full, &v4, 0x5eed_f004);
    let frames6 = v6_frames(&full, &v6, 0x5eed_f006);
    bench_router(c, "ipv4_64B_full_table", &mut full, &frames4);
    bench_router(c, "ipv6_78B_full_table", &mut full, &frames6);
    drop(full);

    let mut small: Box<Router<FixedTable<16>, 2>> =
        Box::new(Router::new(FixedTable::new(), Config::default()));
    setup(&mut small);
    for (addr, len) in [
        ([0, 0, 0, 0], 0),
        ([1, 0, 0, 0], 8),
        ([8, 0, 0, 0], 8),
        ([45, 0, 0, 0], 8),
        ([100, 0, 0, 0], 8),
        ([172, 217, 0, 0], 16),
        ([203, 0, 0, 0], 16),
    ] {
        let cidr = Ipv4Cidr::new(Ipv4Addr::from(addr), len).expect("prefix");
        small
            .add_route(IpCidr::V4(cidr), gw4)
            .expect("room in the table");
    }
    // The same destinations as the full-table bench: the default route or one of the
    // handful catches every one.
    let small_frames: Vec<[u8; V4_LEN]> = frames4.clone();
    bench_router(c, "ipv4_64B_small_table", &mut small, &small_frames);
}

criterion_group!(forward, benches);
criterion_main!(forward);
