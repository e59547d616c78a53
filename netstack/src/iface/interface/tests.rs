use super::*;
use crate::iface::neighbor::{Config, State};
use crate::wire::ndp::solicited_node;
use crate::wire::{igmp, mld};

const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x02]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
const OURS4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const PEER4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const OURS6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2);
const PEER6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1);

type Neighbors = Cache<4, 1, 64>;

fn setup() -> (Interface<2>, Neighbors) {
    let mut i = Interface::new(OUR_MAC);
    i.add_ipv4(OURS4, 24).unwrap();
    i.add_ipv6(OURS6, 64).unwrap();
    (i, Cache::new(Config::default()))
}

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

/// Builds an Ethernet frame around `body` written by `f`.
fn frame(
    dst: EthernetAddress,
    ethertype: EtherType,
    body_len: usize,
    f: impl FnOnce(&mut [u8]),
) -> alloc::vec::Vec<u8> {
    let eth = eth_header(PEER_MAC, dst, ethertype);
    let mut v = vec![0u8; 14 + body_len];
    eth.emit(&mut v).unwrap();
    f(&mut v[14..]);
    v
}

fn arp_request(target: Ipv4Addr) -> alloc::vec::Vec<u8> {
    let r = arp::Repr::request(PEER_MAC, PEER4, target);
    frame(EthernetAddress::BROADCAST, EtherType::ARP, 28, |b| {
        r.emit(b).unwrap()
    })
}

fn icmpv6_frame(
    dst_mac: EthernetAddress,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
    icmp: &icmpv6::Repr<'_>,
) -> alloc::vec::Vec<u8> {
    let ip = ipv6::Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: IpProtocol::ICMPV6,
        payload_len: icmp.buffer_len(),
        hop_limit,
        traffic_class: 0,
        flow_label: 0,
    };
    frame(dst_mac, EtherType::IPV6, ip.buffer_len(), |b| {
        ip.emit(b).unwrap();
        icmp.emit(&mut b[40..], &src, &dst, &caps()).unwrap();
    })
}

fn ns(src: Ipv6Addr, target: Ipv6Addr, hop_limit: u8) -> alloc::vec::Vec<u8> {
    let mut opts = [0u8; 8];
    let mut w = OptionWriter::new(&mut opts);
    if !src.is_unspecified() {
        w.push(&NdpOption::SourceLinkLayerAddr(PEER_MAC)).unwrap();
    }
    let icmp = icmpv6::Repr::Ndp(ndp::Repr::NeighborSolicit {
        reserved: 0,
        target_addr: target,
        options: w.into_options(),
    });
    let group = solicited_node(&target);
    let o = group.octets();
    icmpv6_frame(
        EthernetAddress([0x33, 0x33, o[12], o[13], o[14], o[15]]),
        src,
        group,
        hop_limit,
        &icmp,
    )
}

#[test]
fn arp_request_for_us_is_answered_and_the_sender_learned() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 100];
    assert_eq!(
        i.handle_frame(Duration::ZERO, &arp_request(OURS4), &mut n, &mut tx),
        Ok(Handled::Reply(42))
    );
    let f = Frame::dissect(&tx[..42], &caps()).unwrap();
    assert_eq!(
        (f.ethernet.src_addr, f.ethernet.dst_addr),
        (OUR_MAC, PEER_MAC)
    );
    let Network::Arp(r) = f.network else { panic!() };
    assert_eq!(r, arp::Repr::request(PEER_MAC, PEER4, OURS4).reply(OUR_MAC));
    // RFC 826: we are the target, so the sender is now known (STALE until confirmed).
    assert_eq!(
        n.lookup(IpAddr::V4(PEER4)),
        Some((State::Stale, Some(PEER_MAC)))
    );
    // For another address: nothing to say, nothing learned.
    let (mut i, mut n) = setup();
    assert_eq!(
        i.handle_frame(
            Duration::ZERO,
            &arp_request(Ipv4Addr::new(10, 0, 0, 9)),
            &mut n,
            &mut tx
        ),
        Ok(Handled::Ignored)
    );
    assert!(n.is_empty());
}

#[test]
fn echo_requests_are_answered_v4_and_v6() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 200];
    let echo = icmpv4::Repr::EchoRequest {
        ident: 7,
        seq_no: 1,
        data: b"abcdefgh",
    };
    let ip = ipv4::Repr {
        src_addr: PEER4,
        dst_addr: OURS4,
        protocol: IpProtocol::ICMP,
        payload_len: echo.buffer_len(),
        ttl: 64,
        dscp: Dscp::CS0,
        ecn: Ecn::NOT_ECT,
        ident: 99,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    };
    let req = frame(OUR_MAC, EtherType::IPV4, ip.buffer_len(), |b| {
        echo.emit(&mut b[20..], &caps()).unwrap();
        ip.emit(b, &caps()).unwrap();
    });
    let Ok(Handled::Reply(len)) = i.handle_frame(Duration::ZERO, &req, &mut n, &mut tx) else {
        panic!()
    };
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    assert_eq!(f.error(), None);
    let Network::Ipv4 {
        header,
        transport: Transport::Icmpv4(r),
    } = f.network
    else {
        panic!("{f:?}")
    };
    assert_eq!(
        (header.src_addr, header.dst_addr, header.ttl, header.ident),
        (OURS4, PEER4, 64, 1)
    );
    assert_eq!(
        r,
        icmpv4::Repr::EchoReply {
            ident: 7,
            seq_no: 1,
            data: b"abcdefgh"
        }
    );
    // The identification moves on.
    let Ok(Handled::Reply(_)) = i.handle_frame(Duration::ZERO, &req, &mut n, &mut tx) else {
        panic!()
    };
    assert_eq!(&tx[18..20], &[0, 2]);

    let echo6 = icmpv6::Repr::EchoRequest {
        ident: 8,
        seq_no: 2,
        data: b"xyz",
    };
    let req6 = icmpv6_frame(OUR_MAC, PEER6, OURS6, 64, &echo6);
    let Ok(Handled::Reply(len)) = i.handle_frame(Duration::ZERO, &req6, &mut n, &mut tx) else {
        panic!()
    };
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    let Network::Ipv6 {
        header,
        transport: Transport::Icmpv6(r),
        ..
    } = f.network
    else {
        panic!("{f:?}")
    };
    assert_eq!(
        (header.src_addr, header.dst_addr, header.hop_limit),
        (OURS6, PEER6, 64)
    );
    assert_eq!(
        r,
        icmpv6::Repr::EchoReply {
            ident: 8,
            seq_no: 2,
            data: b"xyz"
        }
    );
    // A short transmit buffer is an error, not a panic.
    assert!(matches!(
        i.handle_frame(Duration::ZERO, &req6, &mut n, &mut [0u8; 50]),
        Err(Error::Emit(_))
    ));
}

/// RFC 4861 section 7.2.4: a solicitation from an address gets a solicited, unicast
/// advertisement; one from the unspecified address (DAD) an unsolicited one to
/// all-nodes; a hop limit other than 255 is discarded (section 7.1.1).
#[test]
fn neighbor_solicitations() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 200];
    let Ok(Handled::Reply(len)) =
        i.handle_frame(Duration::ZERO, &ns(PEER6, OURS6, 255), &mut n, &mut tx)
    else {
        panic!()
    };
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    assert_eq!(f.ethernet.dst_addr, PEER_MAC);
    let Network::Ipv6 {
        header,
        transport:
            Transport::Icmpv6(icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert {
                flags,
                target_addr,
                options,
            })),
        ..
    } = f.network
    else {
        panic!("{f:?}")
    };
    assert_eq!(
        (header.src_addr, header.dst_addr, header.hop_limit),
        (OURS6, PEER6, 255)
    );
    assert_eq!(
        (flags, target_addr),
        (NeighborFlags::new(false, true, true), OURS6)
    );
    assert_eq!(options.target_link_layer_addr(), Some(OUR_MAC));
    assert_eq!(
        n.lookup(IpAddr::V6(PEER6)),
        Some((State::Stale, Some(PEER_MAC)))
    );

    let Ok(Handled::Reply(len)) = i.handle_frame(
        Duration::ZERO,
        &ns(Ipv6Addr::UNSPECIFIED, OURS6, 255),
        &mut n,
        &mut tx,
    ) else {
        panic!()
    };
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    assert_eq!(
        f.ethernet.dst_addr,
        EthernetAddress([0x33, 0x33, 0, 0, 0, 1])
    );
    let Network::Ipv6 {
        header,
        transport: Transport::Icmpv6(icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert { flags, .. })),
        ..
    } = f.network
    else {
        panic!()
    };
    assert_eq!(header.dst_addr, Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1));
    assert_eq!(flags, NeighborFlags::new(false, false, true));

    assert_eq!(
        i.handle_frame(Duration::ZERO, &ns(PEER6, OURS6, 64), &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
    assert_eq!(
        i.handle_frame(Duration::ZERO, &ns(PEER6, PEER6, 255), &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
}

#[test]
fn advertisements_feed_the_cache() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 200];
    n.resolve(Duration::ZERO, IpAddr::V6(PEER6)).unwrap();
    let mut opts = [0u8; 8];
    let mut w = OptionWriter::new(&mut opts);
    w.push(&NdpOption::TargetLinkLayerAddr(PEER_MAC)).unwrap();
    let na = icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert {
        flags: NeighborFlags::new(false, true, true),
        target_addr: PEER6,
        options: w.into_options(),
    });
    let f = icmpv6_frame(OUR_MAC, PEER6, OURS6, 255, &na);
    assert_eq!(
        i.handle_frame(Duration::ZERO, &f, &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    assert_eq!(
        n.lookup(IpAddr::V6(PEER6)),
        Some((State::Reachable, Some(PEER_MAC)))
    );
}

#[test]
fn what_is_not_for_us() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 200];
    // Another MAC.
    let mut other = arp_request(OURS4);
    other[..6].copy_from_slice(&[0x02, 9, 9, 9, 9, 9]);
    assert_eq!(
        i.handle_frame(Duration::ZERO, &other, &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
    // A corrupted frame for us is an error that says why.
    let mut bad = arp_request(OURS4);
    bad[15] = 9; // hardware type
    assert!(matches!(
        i.handle_frame(Duration::ZERO, &bad, &mut n, &mut tx),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        i.handle_frame(Duration::ZERO, &bad[..10], &mut n, &mut tx),
        Err(Error::Malformed(_))
    ));
    // Room for two addresses per family.
    i.add_ipv4(Ipv4Addr::new(192, 0, 2, 1), 24).unwrap();
    assert_eq!(
        i.add_ipv4(Ipv4Addr::new(192, 0, 2, 2), 24),
        Err(Error::Full { capacity: 2 })
    );
}

/// RFC 4291 appendix A: the modified EUI-64 of 4e:df:79:c6:21:c4 is
/// 4cdf:79ff:fec6:21c4 (as Linux derived it in our capture).
#[test]
fn link_local() {
    let i: Interface<1> = Interface::new(EthernetAddress([0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4]));
    assert_eq!(
        i.link_local(),
        "fe80::4cdf:79ff:fec6:21c4".parse::<Ipv6Addr>().unwrap()
    );
}

const T0: Duration = Duration::from_secs(50);

fn ra(
    prefix: Ipv6Addr,
    prefix_len: u8,
    autonomous: bool,
    valid: u32,
    preferred: u32,
) -> alloc::vec::Vec<u8> {
    let mut opts = [0u8; 40];
    let mut w = OptionWriter::new(&mut opts);
    w.push(&NdpOption::SourceLinkLayerAddr(PEER_MAC)).unwrap();
    w.push(&NdpOption::PrefixInformation(ndp::PrefixInformation {
        prefix_len,
        on_link: true,
        autonomous,
        valid_lifetime: valid,
        preferred_lifetime: preferred,
        prefix,
    }))
    .unwrap();
    let icmp = icmpv6::Repr::Ndp(ndp::Repr::RouterAdvert {
        cur_hop_limit: 64,
        flags: ndp::RouterFlags(0),
        router_lifetime: 1800,
        reachable_time: 0,
        retrans_timer: 0,
        options: w.into_options(),
    });
    let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    icmpv6_frame(
        EthernetAddress([0x33, 0x33, 0, 0, 0, 1]),
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
        all_nodes,
        255,
        &icmp,
    )
}

fn na_for(target: Ipv6Addr) -> alloc::vec::Vec<u8> {
    let mut opts = [0u8; 8];
    let mut w = OptionWriter::new(&mut opts);
    w.push(&NdpOption::TargetLinkLayerAddr(PEER_MAC)).unwrap();
    let icmp = icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert {
        flags: NeighborFlags::new(false, false, true),
        target_addr: target,
        options: w.into_options(),
    });
    let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    icmpv6_frame(
        EthernetAddress([0x33, 0x33, 0, 0, 0, 1]),
        target,
        all_nodes,
        255,
        &icmp,
    )
}

#[test]
fn dad_sends_one_solicitation_from_unspecified_then_assigns() {
    let (mut i, mut n) = setup();
    let tentative = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0x77);
    i.add_ipv6_tentative(T0, tentative, 64).unwrap();
    assert_eq!(i.ipv6_addr_state(&tentative), Some(AddrState::Tentative));
    assert!(!i.has_addr(IpAddr::V6(tentative)));
    assert_eq!(i.poll_timeout(), Some(T0));
    let mut tx = [0u8; 200];
    let len = i.poll_transmit(T0, &mut tx).unwrap().unwrap();
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    assert_eq!(f.error(), None);
    let group = solicited_node(&tentative);
    assert_eq!(
        f.ethernet.dst_addr,
        EthernetAddress([0x33, 0x33, 0xff, 0, 0, 0x77])
    );
    let Network::Ipv6 {
        header,
        transport: Transport::Icmpv6(icmp),
        ..
    } = f.network
    else {
        panic!()
    };
    // RFC 4862 section 5.4.2: from ::, to the solicited-node group, hop limit 255, and
    // (RFC 4861 section 4.3) no Source Link-Layer Address option from ::.
    assert_eq!(
        (header.src_addr, header.dst_addr, header.hop_limit),
        (Ipv6Addr::UNSPECIFIED, group, 255)
    );
    assert_eq!(
        icmp,
        icmpv6::Repr::Ndp(ndp::Repr::NeighborSolicit {
            reserved: 0,
            target_addr: tentative,
            options: ndp::Options::EMPTY
        })
    );
    assert_eq!(i.poll_transmit(T0, &mut tx), Ok(None));
    // A solicitation from a unicast source for the tentative address is not answered.
    assert_eq!(
        i.handle_frame(T0, &ns(PEER6, tentative, 255), &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
    // RetransTimer later with no answer: assigned.
    assert_eq!(i.poll_timeout(), Some(T0 + Duration::from_secs(1)));
    i.handle_timeout(T0 + Duration::from_millis(999));
    assert_eq!(i.poll_event(), None);
    i.handle_timeout(T0 + Duration::from_secs(1));
    assert_eq!(i.poll_event(), Some(Event::DadSucceeded(tentative)));
    assert!(i.has_addr(IpAddr::V6(tentative)));
    assert!(matches!(
        i.handle_frame(T0, &ns(PEER6, tentative, 255), &mut n, &mut tx),
        Ok(Handled::Reply(_))
    ));
}

#[test]
fn dad_fails_on_an_advertisement_or_another_nodes_probe() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 200];
    let dup = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0x78);
    i.add_ipv6_tentative(T0, dup, 64).unwrap();
    i.poll_transmit(T0, &mut tx).unwrap().unwrap();
    // The owner defends it (RFC 4861 section 7.2.4: an unsolicited NA to all-nodes).
    assert_eq!(
        i.handle_frame(T0, &na_for(dup), &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    assert_eq!(i.poll_event(), Some(Event::DadFailed(dup)));
    assert_eq!(i.ipv6_addr_state(&dup), None);
    assert!(n.is_empty(), "a DAD answer is not a neighbor entry");
    // Another node probing the same tentative address at the same time.
    let both = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0x79);
    i.add_ipv6_tentative(T0, both, 64).unwrap();
    assert_eq!(
        i.handle_frame(T0, &ns(Ipv6Addr::UNSPECIFIED, both, 255), &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    assert_eq!(i.poll_event(), Some(Event::DadFailed(both)));
    i.handle_timeout(T0 + Duration::from_secs(5));
    assert_eq!(i.poll_event(), None);
}

#[test]
fn slaac_forms_an_address_from_the_prefix_and_ages_it() {
    let (mut i, mut n) = setup();
    i.set_slaac(true);
    let mut tx = [0u8; 200];
    let prefix = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0);
    // Ignored: not autonomous, not a /64, preferred over valid.
    for f in [
        ra(prefix, 64, false, 3600, 1800),
        ra(prefix, 48, true, 3600, 1800),
        ra(prefix, 64, true, 100, 200),
    ] {
        i.handle_frame(T0, &f, &mut n, &mut tx).unwrap();
        assert_eq!(i.poll_event(), None);
    }
    assert_eq!(
        i.handle_frame(T0, &ra(prefix, 64, true, 3600, 1800), &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    // OUR_MAC 02:00:00:00:00:02 gives the modified EUI-64 identifier 0:ff:fe00:2.
    let addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0xff, 0xfe00, 2);
    assert_eq!(i.poll_event(), Some(Event::Autoconfigured(addr)));
    assert_eq!(i.ipv6_addr_state(&addr), Some(AddrState::Tentative));
    i.poll_transmit(T0, &mut tx).unwrap().unwrap();
    i.handle_timeout(T0 + Duration::from_secs(1));
    assert_eq!(i.poll_event(), Some(Event::DadSucceeded(addr)));
    assert_eq!(
        i.ipv6_source(&Ipv6Addr::new(0x2001, 0xdb8, 9, 0, 0, 0, 0, 1)),
        Some(addr)
    );
    // The same prefix again: no second address.
    i.handle_frame(T0, &ra(prefix, 64, true, 3600, 1800), &mut n, &mut tx)
        .unwrap();
    assert_eq!(i.poll_event(), None);
    i.handle_timeout(T0 + Duration::from_secs(1800));
    assert_eq!(i.ipv6_addr_state(&addr), Some(AddrState::Deprecated));
    // RFC 4862 section 5.5.3 e) 2.: 1800 s remain, under 2 hours, so an advertised
    // valid lifetime of 60 s is ignored.
    i.handle_frame(
        T0 + Duration::from_secs(1800),
        &ra(prefix, 64, true, 60, 0),
        &mut n,
        &mut tx,
    )
    .unwrap();
    i.handle_timeout(T0 + Duration::from_secs(3599));
    assert_eq!(i.ipv6_addr_state(&addr), Some(AddrState::Deprecated));
    i.handle_timeout(T0 + Duration::from_secs(3600));
    assert_eq!(i.poll_event(), Some(Event::Expired(addr)));
    assert_eq!(i.ipv6_addr_state(&addr), None);
}

#[test]
fn slaac_two_hour_rule() {
    let (mut i, mut n) = setup();
    i.set_slaac(true);
    let mut tx = [0u8; 200];
    let prefix = Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 0);
    i.handle_frame(T0, &ra(prefix, 64, true, 86_400, 3600), &mut n, &mut tx)
        .unwrap();
    let addr = Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0xff, 0xfe00, 2);
    // An attacker's RA with valid lifetime 10 s: the address keeps 2 hours.
    i.handle_frame(T0, &ra(prefix, 64, true, 10, 10), &mut n, &mut tx)
        .unwrap();
    i.handle_timeout(T0 + Duration::from_secs(7199));
    assert!(i.ipv6_addr_state(&addr).is_some());
    i.handle_timeout(T0 + Duration::from_secs(7200));
    assert_eq!(i.ipv6_addr_state(&addr), None);
    // A router's interface does not autoconfigure.
    let (mut r, mut n) = setup();
    r.set_slaac(true);
    r.set_router(true);
    assert_eq!(
        r.handle_frame(T0, &ra(prefix, 64, true, 3600, 1800), &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
}

fn igmp_query(max_resp_code: u8, v3: bool) -> alloc::vec::Vec<u8> {
    let q = if v3 {
        igmp::Repr::MembershipQueryV3 {
            max_resp_code,
            group_addr: Ipv4Addr::UNSPECIFIED,
            s_flag: false,
            qrv: 2,
            qqic: 125,
            sources: &[],
        }
    } else {
        igmp::Repr::MembershipQuery {
            max_resp_time: max_resp_code,
            group_addr: Ipv4Addr::UNSPECIFIED,
        }
    };
    let ip = ipv4::Repr {
        src_addr: PEER4,
        dst_addr: Ipv4Addr::new(224, 0, 0, 1),
        protocol: IpProtocol::IGMP,
        payload_len: q.buffer_len(),
        ttl: 1,
        dscp: Dscp::CS6,
        ecn: Ecn::NOT_ECT,
        ident: 1,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        options: &[0x94, 4, 0, 0],
    };
    frame(
        EthernetAddress([1, 0, 0x5e, 0, 0, 1]),
        EtherType::IPV4,
        ip.buffer_len(),
        |b| {
            q.emit(&mut b[24..], &caps()).unwrap();
            ip.emit(b, &caps()).unwrap();
        },
    )
}

fn mld_query(src: Ipv6Addr, v2: bool) -> alloc::vec::Vec<u8> {
    let m = if v2 {
        mld::Repr::QueryV2 {
            max_resp_code: 10_000,
            reserved: 0,
            mcast_addr: Ipv6Addr::UNSPECIFIED,
            resv: 0,
            suppress: false,
            qrv: 2,
            qqic: 125,
            sources: icmpv6::AddrList::EMPTY,
            additional: &[],
        }
    } else {
        mld::Repr::QueryV1 {
            max_resp_delay: 10_000,
            reserved: 0,
            mcast_addr: Ipv6Addr::UNSPECIFIED,
        }
    };
    icmpv6_frame(
        EthernetAddress([0x33, 0x33, 0, 0, 0, 1]),
        src,
        Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1),
        1,
        &icmpv6::Repr::Mld(m),
    )
}

#[test]
fn igmpv3_join_and_leave_reports() {
    let (mut i, _) = setup();
    let group = Ipv4Addr::new(239, 1, 2, 3);
    assert_eq!(
        i.join_group(T0, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))),
        Err(Error::NotMulticast(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))))
    );
    i.join_group(T0, IpAddr::V4(group)).unwrap();
    assert!(i.is_member(IpAddr::V4(group)));
    let mut tx = [0u8; 200];
    let len = i.poll_transmit(T0, &mut tx).unwrap().unwrap();
    // RFC 3376 section 4.2: to 224.0.0.22 (01:00:5e:00:00:16), TTL 1, Router Alert,
    // one record CHANGE_TO_EXCLUDE_MODE with no source: "join 239.1.2.3".
    assert_eq!(&tx[..6], &[1, 0, 0x5e, 0, 0, 0x16]);
    let ip = ipv4::Packet::new_checked(&tx[14..len]).unwrap();
    assert_eq!(
        (ip.ttl(), ip.dst_addr(), ip.src_addr(), ip.options()),
        (1, Ipv4Addr::new(224, 0, 0, 22), OURS4, &[0x94, 4, 0, 0][..])
    );
    ip.verify_checksum().unwrap();
    let body = ip.payload();
    assert_eq!(
        body,
        &[0x22, 0, 0xe8, 0xf9, 0, 0, 0, 1, 4, 0, 0, 0, 239, 1, 2, 3][..],
        "type 0x22, checksum (computed independently), one record"
    );
    // Robustness: once more a second later, then no more.
    assert_eq!(i.poll_transmit(T0, &mut tx), Ok(None));
    assert_eq!(i.poll_timeout(), Some(T0 + Duration::from_secs(1)));
    assert!(
        i.poll_transmit(T0 + Duration::from_secs(1), &mut tx)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        i.poll_transmit(T0 + Duration::from_secs(9), &mut tx),
        Ok(None)
    );
    // Leave: CHANGE_TO_INCLUDE_MODE, twice.
    i.leave_group(T0, IpAddr::V4(group));
    assert!(!i.is_member(IpAddr::V4(group)));
    let len = i
        .poll_transmit(T0 + Duration::from_secs(10), &mut tx)
        .unwrap()
        .unwrap();
    assert_eq!(tx[len - 8], 3);
    assert!(
        i.poll_transmit(T0 + Duration::from_secs(11), &mut tx)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        i.poll_transmit(T0 + Duration::from_secs(20), &mut tx),
        Ok(None)
    );
}

#[test]
fn queries_are_answered_with_the_current_state_and_v2_queriers_get_v2_reports() {
    let (mut i, mut n) = setup();
    let mut tx = [0u8; 300];
    let (g1, g2) = (Ipv4Addr::new(239, 1, 1, 1), Ipv4Addr::new(239, 2, 2, 2));
    i.join_group(T0, IpAddr::V4(g1)).unwrap();
    i.join_group(T0, IpAddr::V4(g2)).unwrap();
    for s in 0..3 {
        while i
            .poll_transmit(T0 + Duration::from_secs(s), &mut tx)
            .unwrap()
            .is_some()
        {}
    }
    // An IGMPv3 query, Max Resp Code 100 (10 s): our MAC ends in 2, so we answer
    // 10 s * 2/256 later, with both groups in one MODE_IS_EXCLUDE report.
    let t = T0 + Duration::from_secs(10);
    assert_eq!(
        i.handle_frame(t, &igmp_query(100, true), &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    assert_eq!(
        i.poll_timeout(),
        Some(t + Duration::from_millis(78125) / 1000)
    );
    let len = i
        .poll_transmit(t + Duration::from_secs(1), &mut tx)
        .unwrap()
        .unwrap();
    let ip = ipv4::Packet::new_checked(&tx[14..len]).unwrap();
    assert_eq!(&ip.payload()[6..8], &[0, 2], "two records");
    assert_eq!(
        (ip.payload()[8], ip.payload()[16]),
        (2, 2),
        "MODE_IS_EXCLUDE"
    );
    assert_eq!(
        i.poll_transmit(t + Duration::from_secs(1), &mut tx),
        Ok(None)
    );
    // An IGMPv2 query: compatibility mode, one v2 report (type 0x16) per group, sent
    // to the group itself.
    let t = t + Duration::from_secs(20);
    i.handle_frame(t, &igmp_query(100, false), &mut n, &mut tx)
        .unwrap();
    let mut reported = alloc::vec::Vec::new();
    while let Some(len) = i
        .poll_transmit(t + Duration::from_secs(10), &mut tx)
        .unwrap()
    {
        let ip = ipv4::Packet::new_checked(&tx[14..len]).unwrap();
        assert_eq!(ip.payload()[0], 0x16);
        assert_eq!(
            ip.dst_addr(),
            Ipv4Addr::from(<[u8; 4]>::try_from(&ip.payload()[4..8]).unwrap())
        );
        reported.push(ip.dst_addr());
    }
    assert_eq!(reported, [g1, g2]);
    // Still in v2 mode: a leave is a Leave Group to 224.0.0.2.
    i.leave_group(t + Duration::from_secs(30), IpAddr::V4(g1));
    let len = i
        .poll_transmit(t + Duration::from_secs(30), &mut tx)
        .unwrap()
        .unwrap();
    let ip = ipv4::Packet::new_checked(&tx[14..len]).unwrap();
    assert_eq!(
        (ip.dst_addr(), ip.payload()[0]),
        (Ipv4Addr::new(224, 0, 0, 2), 0x17)
    );
}

#[test]
fn mldv2_report_lists_solicited_node_groups_behind_a_router_alert() {
    let (mut i, mut n) = setup();
    let ll = i.link_local();
    i.add_ipv6(ll, 64).unwrap();
    let group = Ipv6Addr::new(0xff0e, 0, 0, 0, 0, 0, 1, 2);
    i.join_group(T0, IpAddr::V6(group)).unwrap();
    let mut tx = [0u8; 300];
    let len = i.poll_transmit(T0, &mut tx).unwrap().unwrap();
    assert_eq!(&tx[..6], &[0x33, 0x33, 0, 0, 0, 0x16]);
    let ip = ipv6::Packet::new_checked(&tx[14..len]).unwrap();
    assert_eq!(
        (ip.src_addr(), ip.dst_addr(), ip.hop_limit()),
        (ll, Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16), 1)
    );
    // RFC 3810 section 5: a Hop-by-Hop header with Router Alert (MLD), as Linux sends.
    assert_eq!(&ip.payload()[..8], &[0x3a, 0, 5, 2, 0, 0, 1, 0]);
    let f = Frame::dissect(&tx[..len], &caps()).unwrap();
    assert_eq!(f.error(), None, "checksum over the pseudo-header verifies");
    assert_eq!(ip.payload()[8], 143, "MLDv2 report");
    assert_eq!(ip.payload()[8 + 8], 4, "CHANGE_TO_EXCLUDE");
    while i
        .poll_transmit(T0 + Duration::from_secs(5), &mut tx)
        .unwrap()
        .is_some()
    {}
    // A query from a global address is not a valid query (RFC 3810 section 5.1.14).
    assert_eq!(
        i.handle_frame(T0, &mld_query(PEER6, true), &mut n, &mut tx),
        Ok(Handled::Ignored)
    );
    let querier = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    assert_eq!(
        i.handle_frame(T0, &mld_query(querier, true), &mut n, &mut tx),
        Ok(Handled::Consumed)
    );
    let len = i
        .poll_transmit(T0 + Duration::from_secs(10), &mut tx)
        .unwrap()
        .unwrap();
    let ip = ipv6::Packet::new_checked(&tx[14..len]).unwrap();
    let m = &ip.payload()[8..];
    // The explicit group and the solicited-node group of fd00::2, which is also the
    // link-local address's (both end in 00:0002).
    assert_eq!(solicited_node(&OURS6), solicited_node(&ll));
    assert_eq!(&m[6..8], &[0, 2]);
    let groups: alloc::vec::Vec<Ipv6Addr> = (0..2)
        .map(|k| Ipv6Addr::from(<[u8; 16]>::try_from(&m[8 + 20 * k + 4..8 + 20 * k + 20]).unwrap()))
        .collect();
    assert_eq!(groups, [group, solicited_node(&OURS6)]);
    // An MLDv1 querier: one v1 report (type 131) per group, to the group.
    i.handle_frame(
        T0 + Duration::from_secs(20),
        &mld_query(querier, false),
        &mut n,
        &mut tx,
    )
    .unwrap();
    let mut count = 0;
    while let Some(len) = i
        .poll_transmit(T0 + Duration::from_secs(30), &mut tx)
        .unwrap()
    {
        let ip = ipv6::Packet::new_checked(&tx[14..len]).unwrap();
        assert_eq!(ip.payload()[8], 131);
        assert_eq!(&ip.payload()[8 + 8..8 + 24], &ip.dst_addr().octets());
        count += 1;
    }
    assert_eq!(count, 2);
}
