use super::*;
use crate::iface::reassembly::{Fragment, Key, Reassembler};
use crate::wire::{ChecksumCapabilities, arp, ethernet, udp};
use alloc::vec::Vec;

const MAC_A: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xa]);
const MAC_B: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0xb]);
const HOST_A_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 1, 0xa]);
const HOST_B_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 1, 0xb]);
const R_A4: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 1);
const R_B4: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 1);
const HOST_A4: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 2);
const HOST_B4: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 2);
const R_A6: Ipv6Addr = Ipv6Addr::new(0xfd01, 0, 0, 0, 0, 0, 0, 1);
const R_B6: Ipv6Addr = Ipv6Addr::new(0xfd02, 0, 0, 0, 0, 0, 0, 1);
const HOST_A6: Ipv6Addr = Ipv6Addr::new(0xfd01, 0, 0, 0, 0, 0, 0, 2);
const HOST_B6: Ipv6Addr = Ipv6Addr::new(0xfd02, 0, 0, 0, 0, 0, 0, 2);
const A: InterfaceId = InterfaceId(0);
const B: InterfaceId = InterfaceId(1);
const T0: Duration = Duration::from_secs(1000);

type TestRouter = Router<FixedTable<8>, 2, 2, 8, 4, 1514>;

/// A router between 10.1.0.0/24 + fd01::/64 (port A, MTU 1500) and 10.2.0.0/24 +
/// fd02::/64 (port B, MTU `mtu_b`), with both hosts already resolved.
fn setup(mtu_b: usize) -> TestRouter {
    let mut r = TestRouter::new(FixedTable::new(), Config::default());
    assert_eq!(r.add_port(Interface::new(MAC_A), 1500), Ok(A));
    assert_eq!(r.add_port(Interface::new(MAC_B), mtu_b), Ok(B));
    r.add_ipv4(A, R_A4, 24).unwrap();
    r.add_ipv4(B, R_B4, 24).unwrap();
    r.add_ipv6(A, R_A6, 64).unwrap();
    r.add_ipv6(B, R_B6, 64).unwrap();
    for (port, addrs, mac) in [
        (A, [IpAddr::V4(HOST_A4), IpAddr::V6(HOST_A6)], HOST_A_MAC),
        (B, [IpAddr::V4(HOST_B4), IpAddr::V6(HOST_B6)], HOST_B_MAC),
    ] {
        let n = &mut r.port_mut(port).unwrap().neighbors;
        for a in addrs {
            n.handle_solicitation_source(T0, a, mac).unwrap();
        }
    }
    r
}

fn eth(dst: EthernetAddress, src: EthernetAddress, ethertype: EtherType) -> ethernet::Repr {
    ethernet::Repr {
        src_addr: src,
        dst_addr: dst,
        vlan: None,
        inner_vlan: None,
        ethertype,
    }
}

/// An Ethernet + IPv4 + UDP frame from host A's MAC to the router's port A.
fn udp4(src: Ipv4Addr, dst: Ipv4Addr, ttl: u8, dont_frag: bool, payload: &[u8]) -> Vec<u8> {
    udp4_opts(src, dst, ttl, dont_frag, &[], payload)
}

fn udp4_opts(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    ttl: u8,
    dont_frag: bool,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let u = udp::Repr {
        src_port: 40000,
        dst_port: 9,
        payload_len: payload.len(),
    };
    let ip = ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        protocol: IpProtocol::UDP,
        payload_len: 8 + payload.len(),
        ttl,
        dscp: Dscp::CS0,
        ecn: Ecn::NOT_ECT,
        ident: 0x1234,
        dont_frag,
        more_frags: false,
        frag_offset: 0,
        options,
    };
    let caps = ChecksumCapabilities::default();
    let mut v = vec![0u8; 14 + ip.buffer_len()];
    eth(MAC_A, HOST_A_MAC, EtherType::IPV4)
        .emit(&mut v)
        .unwrap();
    ip.emit(&mut v[14..], &caps).unwrap();
    let h = 14 + ip.header_len();
    v[h + 8..].copy_from_slice(payload);
    u.emit(&mut v[h..], &IpAddr::V4(src), &IpAddr::V4(dst), &caps)
        .unwrap();
    v
}

fn udp6(src: Ipv6Addr, dst: Ipv6Addr, hop_limit: u8, payload: &[u8]) -> Vec<u8> {
    let u = udp::Repr {
        src_port: 40000,
        dst_port: 9,
        payload_len: payload.len(),
    };
    let ip = ipv6::Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: IpProtocol::UDP,
        payload_len: 8 + payload.len(),
        hop_limit,
        traffic_class: 0,
        flow_label: 0,
    };
    let caps = ChecksumCapabilities::default();
    let mut v = vec![0u8; 14 + ip.buffer_len()];
    eth(MAC_A, HOST_A_MAC, EtherType::IPV6)
        .emit(&mut v)
        .unwrap();
    ip.emit(&mut v[14..]).unwrap();
    v[62..].copy_from_slice(payload);
    u.emit(&mut v[54..], &IpAddr::V6(src), &IpAddr::V6(dst), &caps)
        .unwrap();
    v
}

fn dissect(frame: &[u8]) -> Frame<'_> {
    let f = Frame::dissect(frame, &ChecksumCapabilities::default()).unwrap();
    assert_eq!(f.error(), None, "{f}");
    f
}

/// The ICMPv4 message of a frame the router wrote, with its IP header.
fn icmp4(frame: &[u8]) -> (ipv4::Repr<'_>, icmpv4::Repr<'_>) {
    match dissect(frame).network {
        Network::Ipv4 {
            header,
            transport: Transport::Icmpv4(icmp),
        } => (header, icmp),
        n => panic!("not ICMPv4: {n:?}"),
    }
}

fn icmp6(frame: &[u8]) -> (ipv6::Repr, icmpv6::Repr<'_>) {
    match dissect(frame).network {
        Network::Ipv6 {
            header,
            transport: Transport::Icmpv6(icmp),
            ..
        } => (header, icmp),
        n => panic!("not ICMPv6: {n:?}"),
    }
}

#[test]
fn forwards_ipv4_in_place_with_ttl_and_checksum_updated() {
    let mut r = setup(1500);
    let mut f = udp4(HOST_A4, HOST_B4, 64, true, b"hello");
    let original = f.clone();
    let mut tx = [0u8; 1514];
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Forward {
            port: B,
            len: original.len()
        }
    );
    assert_eq!(&f[..6], &HOST_B_MAC.0);
    assert_eq!(&f[6..12], &MAC_B.0);
    assert_eq!(f[14 + 8], 63, "TTL");
    // The incremental update (RFC 1624) gives the checksum a full computation gives.
    let mut recomputed = f.clone();
    ipv4::Packet::new_checked(&mut recomputed[14..])
        .unwrap()
        .fill_checksum();
    assert_eq!(f, recomputed);
    // Nothing else changed.
    assert_eq!(f[12..22], original[12..22]);
    assert_eq!(f[23..24], original[23..24]);
    assert_eq!(f[26..], original[26..]);
    assert_eq!(r.stats().forwarded, 1);
}

#[test]
fn ethernet_padding_is_not_forwarded() {
    let mut r = setup(1500);
    let mut f = udp4(HOST_A4, HOST_B4, 64, true, b"x");
    let len = f.len();
    f.resize(60, 0);
    let mut tx = [0u8; 1514];
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Forward { port: B, len }
    );
}

#[test]
fn forwards_ipv6_with_hop_limit_decremented() {
    let mut r = setup(1500);
    let mut f = udp6(HOST_A6, HOST_B6, 2, b"hello");
    let original = f.clone();
    let mut tx = [0u8; 1514];
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Forward {
            port: B,
            len: f.len()
        }
    );
    assert_eq!(&f[..12], &[HOST_B_MAC.0, MAC_B.0].concat()[..]);
    assert_eq!(f[14 + 7], 1);
    assert_eq!(f[22..], original[22..]);
}

#[test]
fn ttl_one_gets_time_exceeded_from_the_ingress_address() {
    let mut r = setup(1500);
    let mut f = udp4(HOST_A4, HOST_B4, 1, false, b"probe");
    let original = f.clone();
    let mut tx = [0u8; 1514];
    let Action::Reply { port, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    assert_eq!(port, A);
    assert_eq!(&tx[..12], &[HOST_A_MAC.0, MAC_A.0].concat()[..]);
    let (ip, icmp) = icmp4(&tx[..len]);
    assert_eq!((ip.src_addr, ip.dst_addr, ip.ttl), (R_A4, HOST_A4, 64));
    // RFC 792: type 11, code 0, and the whole (short) datagram quoted as received.
    assert_eq!(
        icmp,
        icmpv4::Repr::TimeExceeded {
            reason: icmpv4::TimeExceeded::TTL_EXCEEDED,
            invoking: &original[14..],
        }
    );
    assert_eq!(r.stats().discarded(Discard::TtlExceeded), 1);
    assert_eq!(r.stats().icmp_errors, 1);
}

#[test]
fn hop_limit_one_gets_time_exceeded_v6() {
    let mut r = setup(1500);
    let mut f = udp6(HOST_A6, HOST_B6, 1, b"probe");
    let original = f.clone();
    let mut tx = [0u8; 1514];
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (ip, icmp) = icmp6(&tx[..len]);
    assert_eq!((ip.src_addr, ip.dst_addr), (R_A6, HOST_A6));
    assert_eq!(
        icmp,
        icmpv6::Repr::TimeExceeded {
            reason: icmpv6::TimeExceeded::HOP_LIMIT_EXCEEDED,
            unused: 0,
            invoking: &original[14..],
        }
    );
}

#[test]
fn no_route_gets_destination_unreachable() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    let mut f = udp4(HOST_A4, Ipv4Addr::new(192, 0, 2, 9), 64, false, b"");
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (_, icmp) = icmp4(&tx[..len]);
    assert!(matches!(
        icmp,
        icmpv4::Repr::DstUnreachable {
            reason: icmpv4::DstUnreachable::NET_UNREACHABLE,
            next_hop_mtu: 0,
            ..
        }
    ));
    let mut f = udp6(
        HOST_A6,
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
        64,
        b"",
    );
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (_, icmp) = icmp6(&tx[..len]);
    assert!(matches!(
        icmp,
        icmpv6::Repr::DstUnreachable {
            reason: icmpv6::DstUnreachable::NO_ROUTE,
            ..
        }
    ));
    assert_eq!(r.stats().discarded(Discard::NoRoute), 2);
}

#[test]
fn df_too_big_gets_fragmentation_needed_with_the_next_hop_mtu() {
    let mut r = setup(1400);
    let mut f = udp4(HOST_A4, HOST_B4, 64, true, &[7u8; 1472]);
    let mut tx = [0u8; 1514];
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (ip, icmp) = icmp4(&tx[..len]);
    // RFC 1812 section 4.3.2.3: at most 576 bytes in all.
    assert_eq!(ip.buffer_len(), 576);
    let icmpv4::Repr::DstUnreachable {
        reason,
        next_hop_mtu,
        invoking,
    } = icmp
    else {
        panic!()
    };
    assert_eq!(
        (reason, next_hop_mtu),
        (icmpv4::DstUnreachable::FRAG_REQUIRED, 1400)
    );
    // The quoted header is the one received: TTL 64, not decremented.
    assert_eq!(invoking, &f[14..14 + 548]);
    assert_eq!(invoking[8], 64);
    // Bytes 6 and 7 of the ICMP header are the MTU (RFC 1191 section 4).
    assert_eq!(&tx[14 + 20 + 4..14 + 20 + 8], &[0, 0, 0x05, 0x78]);
}

#[test]
fn ipv6_too_big_gets_packet_too_big() {
    let mut r = setup(1400);
    let mut f = udp6(HOST_A6, HOST_B6, 64, &[7u8; 1452]);
    let mut tx = [0u8; 1514];
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (ip, icmp) = icmp6(&tx[..len]);
    // RFC 4443 section 2.4 (c): no larger than the minimum MTU.
    assert_eq!(ip.buffer_len(), 1280);
    assert_eq!(
        icmp,
        icmpv6::Repr::PktTooBig {
            mtu: 1400,
            invoking: &f[14..14 + 1232]
        }
    );
}

#[test]
fn df_clear_is_fragmented_and_reassembles() {
    let mut r = setup(576);
    let payload: Vec<u8> = (0..1400u32).map(|i| (i * 7) as u8).collect();
    // A copied option (Security, type 130, 11 bytes) and a not copied one (NOP, then
    // Record Route, type 7): the later fragments carry only the first.
    let options = [
        130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7, 7, 4, 0, 0, 0, 0, 0,
    ];
    let mut f = udp4_opts(HOST_A4, HOST_B4, 64, false, &options, &payload);
    let original = f.clone();
    let mut tx = [0u8; 1514];
    let Action::Fragment(mut frag) = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    assert_eq!(frag.port(), B);
    let mut reasm: Reassembler<1, 2048> = Reassembler::new(Duration::from_secs(30));
    let mut out = [0u8; 2048];
    let mut whole = None;
    let mut count = 0;
    while let Some(n) = frag.next(&f, &mut tx) {
        count += 1;
        let fr = &tx[..n];
        assert!(n - 14 <= 576);
        assert_eq!(&fr[..12], &[HOST_B_MAC.0, MAC_B.0].concat()[..]);
        let p = ipv4::Packet::new_checked(&fr[14..]).unwrap();
        p.verify_checksum().unwrap();
        assert_eq!(p.ttl(), 63);
        assert_eq!(p.ident(), 0x1234);
        assert_eq!(p.header_len(), if count == 1 { 40 } else { 32 });
        if count > 1 {
            assert_eq!(
                &p.options()[..12],
                &options[..11].iter().copied().chain([0]).collect::<Vec<_>>()[..]
            );
        }
        assert_eq!(p.frag_offset() % 8, 0);
        let key = Key {
            src: IpAddr::V4(p.src_addr()),
            dst: IpAddr::V4(p.dst_addr()),
            protocol: 17,
            id: u32::from(p.ident()),
        };
        let fragment = Fragment {
            key,
            offset: usize::from(p.frag_offset()),
            more: p.more_frags(),
            data: p.payload(),
        };
        if let Some(len) = reasm.handle(T0, fragment, &mut out).unwrap() {
            whole = Some(len);
        }
    }
    assert_eq!(count, 3);
    assert_eq!(&out[..whole.unwrap()], &original[14 + 40..]);
    assert_eq!(r.stats().fragmented, 1);
}

#[test]
fn martians_and_link_local_are_not_forwarded() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    for (src, dst, why) in [
        (Ipv4Addr::new(127, 0, 0, 1), HOST_B4, Discard::Martian),
        (Ipv4Addr::new(0, 1, 2, 3), HOST_B4, Discard::Martian),
        (Ipv4Addr::new(240, 0, 0, 1), HOST_B4, Discard::Martian),
        (HOST_A4, Ipv4Addr::new(127, 0, 0, 1), Discard::Martian),
        (Ipv4Addr::new(169, 254, 1, 1), HOST_B4, Discard::Scope),
        (HOST_A4, Ipv4Addr::new(169, 254, 1, 1), Discard::Scope),
        (HOST_A4, Ipv4Addr::new(10, 2, 0, 255), Discard::Multicast),
    ] {
        let mut f = udp4(src, dst, 64, false, b"");
        assert_eq!(
            r.handle_frame(T0, A, &mut f, &mut tx),
            Action::Dropped(why),
            "{src} > {dst}"
        );
    }
    let ll = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);
    for (src, dst, why) in [
        (Ipv6Addr::LOCALHOST, HOST_B6, Discard::Martian),
        (HOST_A6, Ipv6Addr::LOCALHOST, Discard::Martian),
        (
            HOST_A6,
            Ipv4Addr::new(10, 2, 0, 2).to_ipv6_mapped(),
            Discard::Martian,
        ),
        (HOST_A6, ll, Discard::Scope),
    ] {
        let mut f = udp6(src, dst, 64, b"");
        assert_eq!(
            r.handle_frame(T0, A, &mut f, &mut tx),
            Action::Dropped(why),
            "{src} > {dst}"
        );
    }
    // A link-local source to a global destination: "beyond scope of source address".
    let mut f = udp6(ll, HOST_B6, 64, b"");
    r.port_mut(A)
        .unwrap()
        .iface
        .add_ipv6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 64)
        .unwrap();
    r.port_mut(A)
        .unwrap()
        .neighbors
        .handle_solicitation_source(T0, IpAddr::V6(ll), HOST_A_MAC)
        .unwrap();
    r.add_route("fe80::/64".parse().unwrap(), connected(A))
        .unwrap();
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (ip, icmp) = icmp6(&tx[..len]);
    assert_eq!(
        ip.src_addr,
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
        "same scope as the destination"
    );
    assert!(matches!(
        icmp,
        icmpv6::Repr::DstUnreachable {
            reason: icmpv6::DstUnreachable::BEYOND_SCOPE,
            ..
        }
    ));
}

#[test]
fn not_our_mac_multicast_and_source_routes_are_not_forwarded() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    let mut f = udp4(HOST_A4, HOST_B4, 64, false, b"");
    f[..6].copy_from_slice(&[2, 0, 0, 0, 0, 0x99]);
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Dropped(Discard::NotForUs)
    );
    let mut f = udp4(HOST_A4, Ipv4Addr::new(239, 1, 1, 1), 64, false, b"");
    f[..6].copy_from_slice(&EthernetAddress::from_ipv4_multicast(&Ipv4Addr::new(239, 1, 1, 1)).0);
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Dropped(Discard::Multicast)
    );
    // Loose Source and Record Route (RFC 791), pointing at its first address.
    let lsrr = [131, 7, 4, 10, 2, 0, 2, 0];
    let mut f = udp4_opts(HOST_A4, HOST_B4, 64, false, &lsrr, b"");
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Dropped(Discard::SourceRoute)
    );
    assert_eq!(
        r.handle_frame(T0, InterfaceId(7), &mut f, &mut tx),
        Action::Dropped(Discard::NoPort)
    );
}

#[test]
fn bad_headers_are_dropped() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    let good = udp4(HOST_A4, HOST_B4, 64, false, b"abc");
    let cases: [(usize, u8); 4] = [(14, 0x55), (14, 0x44), (24, 0xff), (17, 0xff)];
    for (at, value) in cases {
        let mut f = good.clone();
        f[at] = value;
        assert_eq!(
            r.handle_frame(T0, A, &mut f, &mut tx),
            Action::Dropped(Discard::Malformed),
            "byte {at} = {value:#x}"
        );
    }
    let mut short = good[..30].to_vec();
    assert_eq!(
        r.handle_frame(T0, A, &mut short, &mut tx),
        Action::Dropped(Discard::Malformed)
    );
    assert_eq!(
        r.handle_frame(T0, A, &mut [0u8; 3], &mut tx),
        Action::Dropped(Discard::Malformed)
    );
}

#[test]
fn no_icmp_error_about_an_icmp_error_or_a_later_fragment() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    let mut first = udp4(HOST_A4, HOST_B4, 1, false, b"");
    let Action::Reply { len, .. } = r.handle_frame(T0, A, &mut first, &mut tx) else {
        panic!()
    };
    // Send the router's own Time Exceeded back at it, with TTL 1, as if from host A.
    let mut err = tx[..len].to_vec();
    err[..12].copy_from_slice(&[MAC_A.0, HOST_A_MAC.0].concat());
    {
        let mut p = ipv4::Packet::new_checked(&mut err[14..]).unwrap();
        p.set_src_addr(HOST_A4);
        p.set_dst_addr(HOST_B4);
        p.set_ttl(1);
        p.fill_checksum();
    }
    assert_eq!(
        r.handle_frame(T0, A, &mut err, &mut tx),
        Action::Dropped(Discard::TtlExceeded)
    );
    let mut later = udp4(HOST_A4, HOST_B4, 1, false, b"");
    {
        let mut p = ipv4::Packet::new_checked(&mut later[14..]).unwrap();
        p.set_frag_offset(8);
        p.fill_checksum();
    }
    assert_eq!(
        r.handle_frame(T0, A, &mut later, &mut tx),
        Action::Dropped(Discard::TtlExceeded)
    );
    assert_eq!(r.stats().icmp_errors, 1);
}

#[test]
fn icmp_errors_are_rate_limited() {
    let mut r = setup(1500);
    r.config.icmp_rate = 2;
    r.config.icmp_burst = 3;
    r.bucket.tokens = 3;
    let mut tx = [0u8; 1514];
    let mut sent = 0;
    for _ in 0..10 {
        let mut f = udp4(HOST_A4, HOST_B4, 1, false, b"");
        if matches!(r.handle_frame(T0, A, &mut f, &mut tx), Action::Reply { .. }) {
            sent += 1;
        }
    }
    assert_eq!((sent, r.stats().icmp_rate_limited), (3, 7));
    // Half a second later one more token has come.
    let later = T0 + Duration::from_millis(500);
    let mut f = udp4(HOST_A4, HOST_B4, 1, false, b"");
    assert!(matches!(
        r.handle_frame(later, A, &mut f, &mut tx),
        Action::Reply { .. }
    ));
    assert_eq!(
        r.handle_frame(later, A, &mut f.clone(), &mut tx),
        Action::Dropped(Discard::TtlExceeded)
    );
    assert_eq!(r.stats().discarded(Discard::TtlExceeded), 12);
}

#[test]
fn resolves_holds_and_releases_then_reports_failure() {
    let mut r = TestRouter::new(FixedTable::new(), Config::default());
    r.add_port(Interface::new(MAC_A), 1500).unwrap();
    r.add_port(Interface::new(MAC_B), 1500).unwrap();
    r.add_ipv4(A, R_A4, 24).unwrap();
    r.add_ipv4(B, R_B4, 24).unwrap();
    r.port_mut(A)
        .unwrap()
        .neighbors
        .handle_solicitation_source(T0, IpAddr::V4(HOST_A4), HOST_A_MAC)
        .unwrap();
    let mut tx = [0u8; 1514];
    let mut f = udp4(HOST_A4, HOST_B4, 64, false, b"held");
    assert_eq!(r.handle_frame(T0, A, &mut f, &mut tx), Action::Held);
    // An ARP request for 10.2.0.2 from 10.2.0.1 on port B (RFC 826).
    let (port, len) = r.poll_transmit(T0, &mut tx).unwrap();
    assert_eq!((port, len), (B, 42));
    let arp_frame = ethernet::Frame::new_checked(&tx[..len]).unwrap();
    assert_eq!(arp_frame.dst_addr(), EthernetAddress::BROADCAST);
    let req = arp::Repr::parse(&arp::Packet::new_checked(arp_frame.payload()).unwrap()).unwrap();
    assert_eq!(req, arp::Repr::request(MAC_B, R_B4, HOST_B4));
    assert_eq!(r.poll_transmit(T0, &mut tx), None);
    // Host B answers.
    let reply = req.reply(HOST_B_MAC);
    let mut rf = vec![0u8; 42];
    eth(MAC_B, HOST_B_MAC, EtherType::ARP)
        .emit(&mut rf)
        .unwrap();
    reply.emit(&mut rf[14..]).unwrap();
    assert_eq!(r.handle_frame(T0, B, &mut rf, &mut tx), Action::Consumed);
    let (port, len) = r.poll_transmit(T0, &mut tx).unwrap();
    assert_eq!(port, B);
    assert_eq!(&tx[..12], &[HOST_B_MAC.0, MAC_B.0].concat()[..]);
    // The frame as rewritten in place when it was held: TTL 63.
    assert_eq!(f[14 + 8], 63);
    assert_eq!(&tx[14..len], &f[14..]);
    assert_eq!(r.poll_transmit(T0, &mut tx), None);

    // Now 10.2.0.3, which never answers: three requests a second apart, then a Host
    // Unreachable to host A quoting the held datagram.
    let silent = Ipv4Addr::new(10, 2, 0, 3);
    let mut f = udp4(HOST_A4, silent, 64, false, b"lost");
    assert_eq!(r.handle_frame(T0, A, &mut f, &mut tx), Action::Held);
    let mut requests = 0;
    let mut unreachable = None;
    for s in 0..5 {
        let now = T0 + Duration::from_secs(s);
        r.handle_timeout(now);
        while let Some((port, len)) = r.poll_transmit(now, &mut tx) {
            if port == B {
                requests += 1;
            } else {
                unreachable = Some(tx[..len].to_vec());
            }
        }
    }
    assert_eq!(requests, 3);
    let unreachable = unreachable.expect("an ICMP error");
    let (ip, icmp) = icmp4(&unreachable);
    assert_eq!((ip.src_addr, ip.dst_addr), (R_A4, HOST_A4));
    let icmpv4::Repr::DstUnreachable {
        reason, invoking, ..
    } = icmp
    else {
        panic!()
    };
    assert_eq!(reason, icmpv4::DstUnreachable::HOST_UNREACHABLE);
    assert_eq!(
        ipv4::Packet::new_checked(invoking).unwrap().dst_addr(),
        silent
    );
    assert_eq!(r.stats().discarded(Discard::Unresolved), 1);
}

#[test]
fn ipv6_next_hop_is_resolved_by_neighbor_solicitation() {
    let mut r = TestRouter::new(FixedTable::new(), Config::default());
    r.add_port(Interface::new(MAC_A), 1500).unwrap();
    r.add_port(Interface::new(MAC_B), 1500).unwrap();
    r.add_ipv6(A, R_A6, 64).unwrap();
    r.add_ipv6(B, R_B6, 64).unwrap();
    let mut tx = [0u8; 1514];
    let mut f = udp6(HOST_A6, HOST_B6, 64, b"held");
    assert_eq!(r.handle_frame(T0, A, &mut f, &mut tx), Action::Held);
    let (port, len) = r.poll_transmit(T0, &mut tx).unwrap();
    assert_eq!(port, B);
    let group = crate::wire::ndp::solicited_node(&HOST_B6);
    assert_eq!(&tx[..6], &EthernetAddress::from_ipv6_multicast(&group).0);
    let (ip, icmp) = icmp6(&tx[..len]);
    assert_eq!((ip.src_addr, ip.dst_addr, ip.hop_limit), (R_B6, group, 255));
    let icmpv6::Repr::Ndp(crate::wire::ndp::Repr::NeighborSolicit {
        target_addr,
        options,
        ..
    }) = icmp
    else {
        panic!()
    };
    assert_eq!(
        (target_addr, options.source_link_layer_addr()),
        (HOST_B6, Some(MAC_B))
    );
}

#[test]
fn answers_pings_to_any_of_its_addresses_through_the_routing_table() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    for dst in [R_A4, R_B4] {
        let echo = icmpv4::Repr::EchoRequest {
            ident: 7,
            seq_no: 1,
            data: b"ping",
        };
        let ip = ipv4::Repr {
            src_addr: HOST_A4,
            dst_addr: dst,
            protocol: IpProtocol::ICMP,
            payload_len: echo.buffer_len(),
            ttl: 64,
            dscp: Dscp::CS0,
            ecn: Ecn::NOT_ECT,
            ident: 1,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            options: &[],
        };
        let caps = ChecksumCapabilities::default();
        let mut f = vec![0u8; 14 + ip.buffer_len()];
        eth(MAC_A, HOST_A_MAC, EtherType::IPV4)
            .emit(&mut f)
            .unwrap();
        ip.emit(&mut f[14..], &caps).unwrap();
        echo.emit(&mut f[34..], &caps).unwrap();
        let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
            panic!()
        };
        let (ip, icmp) = icmp4(&tx[..len]);
        assert_eq!((ip.src_addr, ip.dst_addr), (dst, HOST_A4));
        assert_eq!(
            icmp,
            icmpv4::Repr::EchoReply {
                ident: 7,
                seq_no: 1,
                data: b"ping"
            }
        );
    }
    // UDP to the router: Port Unreachable, from the address it was sent to.
    let mut f = udp4(HOST_A4, R_B4, 64, false, b"");
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (ip, icmp) = icmp4(&tx[..len]);
    assert_eq!(ip.src_addr, R_B4);
    assert!(matches!(
        icmp,
        icmpv4::Repr::DstUnreachable {
            reason: icmpv4::DstUnreachable::PORT_UNREACHABLE,
            ..
        }
    ));
}

#[test]
fn router_answers_neighbor_solicitations_with_the_router_flag() {
    let mut r = setup(1500);
    let mut tx = [0u8; 1514];
    let mut opts = [0u8; 8];
    let mut w = crate::wire::ndp::OptionWriter::new(&mut opts);
    w.push(&crate::wire::ndp::NdpOption::SourceLinkLayerAddr(
        HOST_A_MAC,
    ))
    .unwrap();
    let ns = icmpv6::Repr::Ndp(crate::wire::ndp::Repr::NeighborSolicit {
        reserved: 0,
        target_addr: R_A6,
        options: w.into_options(),
    });
    let group = crate::wire::ndp::solicited_node(&R_A6);
    let ip = ipv6::Repr {
        src_addr: HOST_A6,
        dst_addr: group,
        next_header: IpProtocol::ICMPV6,
        payload_len: ns.buffer_len(),
        hop_limit: 255,
        traffic_class: 0,
        flow_label: 0,
    };
    let mut f = vec![0u8; 14 + ip.buffer_len()];
    eth(
        EthernetAddress::from_ipv6_multicast(&group),
        HOST_A_MAC,
        EtherType::IPV6,
    )
    .emit(&mut f)
    .unwrap();
    ip.emit(&mut f[14..]).unwrap();
    ns.emit(
        &mut f[54..],
        &HOST_A6,
        &group,
        &ChecksumCapabilities::default(),
    )
    .unwrap();
    let Action::Reply { port: A, len } = r.handle_frame(T0, A, &mut f, &mut tx) else {
        panic!()
    };
    let (_, icmp) = icmp6(&tx[..len]);
    let icmpv6::Repr::Ndp(crate::wire::ndp::Repr::NeighborAdvert {
        flags, target_addr, ..
    }) = icmp
    else {
        panic!()
    };
    assert_eq!(target_addr, R_A6);
    assert_eq!(
        flags,
        crate::wire::ndp::NeighborFlags::new(true, true, true)
    );
}

#[test]
fn configuration_errors() {
    let mut r: Router<FixedTable<2>, 1> = Router::new(FixedTable::new(), Config::default());
    assert_eq!(r.add_port(Interface::new(MAC_A), 60), Err(Error::Mtu(60)));
    r.add_port(Interface::new(MAC_A), 1500).unwrap();
    assert_eq!(
        r.add_port(Interface::new(MAC_B), 1500),
        Err(Error::Full { capacity: 1 })
    );
    assert_eq!(r.add_ipv4(B, R_B4, 24), Err(Error::NoPort(B)));
    assert_eq!(r.add_ipv4(A, R_A4, 33), Err(Error::PrefixLen(33)));
    r.add_ipv4(A, R_A4, 24).unwrap();
    r.add_ipv6(A, R_A6, 64).unwrap();
    assert_eq!(
        r.add_ipv4(A, HOST_B4, 24),
        Err(Error::Route(InsertError::Full { capacity: 2 }))
    );
}

#[test]
fn discard_all_is_in_index_order() {
    for (i, d) in Discard::ALL.iter().enumerate() {
        assert_eq!(d.index(), i);
    }
    assert_eq!(format!("{}", Discard::TtlExceeded), "TTL exceeded");
}

#[test]
fn a_fragment_ending_past_65535_bytes_is_dropped() {
    let mut r = setup(576);
    let mut tx = [0u8; 1514];
    let mut f = udp4(HOST_A4, HOST_B4, 64, false, &[0u8; 1372]);
    {
        let mut p = ipv4::Packet::new_checked(&mut f[14..]).unwrap();
        // 64,992 + 1,380 bytes of data > 65,535.
        p.set_frag_offset(64_992);
        p.fill_checksum();
    }
    assert_eq!(
        r.handle_frame(T0, A, &mut f, &mut tx),
        Action::Dropped(Discard::Malformed)
    );
}
