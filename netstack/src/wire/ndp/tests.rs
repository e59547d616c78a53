use super::*;
use proptest::prelude::*;
extern crate alloc;
use alloc::vec::Vec;

// Vectors: NDP messages as Linux (kernel 6.x) and radvd 2.19 sent them between network
// namespaces joined by veth pairs, captured with `tcpdump -w` and cut after the IPv6
// header (see `icmpv6/tests.rs`). The host's MAC is 02:00:00:00:00:0a, the router's
// 02:00:00:00:00:10 (bridge) or 02:00:00:00:00:01.
include!("vectors.rs");

const fn a(s: [u16; 8]) -> Ipv6Addr {
    Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
}
const HOST: Ipv6Addr = a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 2]);
const ROUTER: Ipv6Addr = a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 1]);
const LL_HOST: Ipv6Addr = a([0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0xa]);
const LL_BRIDGE: Ipv6Addr = a([0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0x10]);
const LL_ROUTER: Ipv6Addr = a([0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0x1]);
const ALL_NODES: Ipv6Addr = a([0xff02, 0, 0, 0, 0, 0, 0, 1]);
const ALL_ROUTERS: Ipv6Addr = a([0xff02, 0, 0, 0, 0, 0, 0, 2]);
const MAC_HOST: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0x0a]);
const MAC_BRIDGE: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0x10]);
const MAC_ROUTER: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0x01]);

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

/// Parses through ndp and through icmpv6, checks both agree, applies the IPv6-header
/// checks with the header the message came in, and checks that emit reproduces it.
fn check<'a>(bytes: &'a [u8], src: Ipv6Addr, dst: Ipv6Addr) -> Repr<'a> {
    let p = Packet::new_checked(bytes).unwrap();
    let r = Repr::parse(&p, &src, &dst, &caps()).unwrap();
    let ip = icmpv6::Packet::new_checked(bytes).unwrap();
    assert_eq!(
        icmpv6::Repr::parse(&ip, &src, &dst, &caps()),
        Ok(icmpv6::Repr::Ndp(r))
    );
    assert_eq!(r.validate_ip(255, &src, &dst), Ok(()));
    assert_eq!(r.buffer_len(), bytes.len());
    let mut out = vec![0u8; bytes.len()];
    r.emit(&mut out, &src, &dst, &caps()).unwrap();
    assert_eq!(out, bytes);
    r
}

#[test]
fn router_solicit() {
    let r = check(&ROUTER_SOLICIT, LL_HOST, ALL_ROUTERS);
    let Repr::RouterSolicit { reserved, options } = r else {
        panic!("{r:?}")
    };
    assert_eq!(reserved, 0);
    assert_eq!(
        options.iter().collect::<Vec<_>>(),
        [NdpOption::SourceLinkLayerAddr(MAC_HOST)]
    );
    assert_eq!(options.source_link_layer_addr(), Some(MAC_HOST));
    assert_eq!(options.target_link_layer_addr(), None);
    let p = Packet::new_checked(&ROUTER_SOLICIT[..]).unwrap();
    assert_eq!(p.reserved(), Some(0));
    assert_eq!(p.target_addr(), None);
    assert_eq!(p.cur_hop_limit(), None);
    assert_eq!(p.options(), &ROUTER_SOLICIT[8..]);
}

#[test]
fn router_advert() {
    let r = check(&ROUTER_ADVERT, LL_BRIDGE, ALL_NODES);
    let Repr::RouterAdvert {
        cur_hop_limit,
        flags,
        router_lifetime,
        reachable_time,
        retrans_timer,
        options,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(cur_hop_limit, 64);
    assert!(flags.managed() && flags.other() && !flags.home_agent() && !flags.proxy());
    assert_eq!(flags.preference(), RoutePreference::HIGH);
    assert_eq!(router_lifetime, 1800);
    assert_eq!(reachable_time, 30000);
    assert_eq!(retrans_timer, 1000);
    let opts: Vec<_> = options.iter().collect();
    let dnssl_data: &[u8] = &ROUTER_ADVERT[114..136];
    assert_eq!(
        opts,
        [
            NdpOption::PrefixInformation(PrefixInformation {
                prefix_len: 64,
                on_link: true,
                autonomous: true,
                valid_lifetime: 86400,
                preferred_lifetime: 14400,
                prefix: a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0]),
            }),
            NdpOption::RouteInformation(RouteInformation {
                prefix_len: 64,
                preference: RoutePreference::MEDIUM,
                route_lifetime: 1800,
                prefix: a([0x2001, 0xdb8, 2, 0, 0, 0, 0, 0]),
            }),
            NdpOption::Rdnss {
                lifetime: 600,
                servers: AddrList::new(&ROUTER_ADVERT[80..112]).unwrap(),
            },
            NdpOption::Unknown {
                kind: OptionKind::DNSSL,
                data: dnssl_data,
            },
            NdpOption::Mtu(1500),
            NdpOption::SourceLinkLayerAddr(MAC_BRIDGE),
        ]
    );
    let NdpOption::Rdnss { servers, .. } = opts[2] else {
        unreachable!()
    };
    assert_eq!(
        servers.iter().collect::<Vec<_>>(),
        [
            a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x53]),
            a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x54])
        ]
    );
    let p = Packet::new_checked(&ROUTER_ADVERT[..]).unwrap();
    assert_eq!(p.cur_hop_limit(), Some(64));
    assert_eq!(p.router_flags(), Some(RouterFlags(0xc8)));
    assert_eq!(p.router_lifetime(), Some(1800));
    assert_eq!(p.reachable_time(), Some(30000));
    assert_eq!(p.retrans_timer(), Some(1000));
    assert_eq!(p.reserved(), None);
    assert_eq!(p.neighbor_flags(), None);

    // Rebuild the options with the writer. radvd sends the Route Information option
    // with all 16 prefix bytes (length 3) where 8 suffice for a /64, so that one is
    // copied as raw bytes through Unknown; every other option is built from its typed
    // form and must come out identical.
    let mut buf = [0u8; 136];
    let mut w = OptionWriter::new(&mut buf);
    w.push(&opts[0]).unwrap();
    w.push(&NdpOption::Unknown {
        kind: OptionKind::ROUTE_INFORMATION,
        data: &ROUTER_ADVERT[50..72],
    })
    .unwrap();
    w.push_rdnss(
        600,
        &[
            a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x53]),
            a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x54]),
        ],
    )
    .unwrap();
    for o in &opts[3..] {
        w.push(o).unwrap();
    }
    assert_eq!(w.len(), 136);
    assert!(!w.is_empty());
    assert_eq!(w.into_options().as_bytes(), &ROUTER_ADVERT[16..]);
    // The typed Route Information option is written with the minimal length.
    let mut ri = [0u8; 24];
    opts[1].emit(&mut ri).unwrap();
    assert_eq!(opts[1].buffer_len(), 16);
    assert_eq!(&ri[..2], &[24, 2]);
    assert_eq!(&ri[2..16], &ROUTER_ADVERT[50..64]);
    assert_eq!(NdpOption::decode(&ri[..16]), opts[1]);

    let stop = check(&ROUTER_ADVERT_STOP, LL_BRIDGE, ALL_NODES);
    assert!(matches!(
        stop,
        Repr::RouterAdvert {
            router_lifetime: 0,
            ..
        }
    ));
}

#[test]
fn neighbor_solicit() {
    // Duplicate Address Detection: from ::, with a nonce.
    let dad_dst = solicited_node(&HOST);
    assert_eq!(dad_dst, a([0xff02, 0, 0, 0, 0, 1, 0xff00, 2]));
    let r = check(&NS_DAD, Ipv6Addr::UNSPECIFIED, dad_dst);
    let Repr::NeighborSolicit {
        reserved,
        target_addr,
        options,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!((reserved, target_addr), (0, HOST));
    assert_eq!(
        options.iter().collect::<Vec<_>>(),
        [NdpOption::Nonce(&NS_DAD[26..32])]
    );

    // Address resolution: with the sender's link-layer address.
    let r = check(&NS_SLLA, HOST, solicited_node(&ROUTER));
    assert_eq!(r.options().source_link_layer_addr(), Some(MAC_HOST));
    let p = Packet::new_checked(&NS_SLLA[..]).unwrap();
    assert_eq!(p.target_addr(), Some(ROUTER));
    assert_eq!(p.dest_addr(), None);
}

#[test]
fn neighbor_advert() {
    let r = check(&NA_ROUTER, ROUTER, HOST);
    let Repr::NeighborAdvert {
        flags,
        target_addr,
        options,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(flags, NeighborFlags::new(true, true, true));
    assert!(flags.router() && flags.solicited() && flags.override_());
    assert_eq!(target_addr, ROUTER);
    assert_eq!(options.target_link_layer_addr(), Some(MAC_ROUTER));

    let r = check(&NA_BARE, HOST, LL_BRIDGE);
    let Repr::NeighborAdvert { flags, options, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(flags, NeighborFlags::new(false, true, false));
    assert!(options.is_empty());
    assert_eq!(
        Packet::new_checked(&NA_BARE[..]).unwrap().neighbor_flags(),
        Some(NeighborFlags(0x4000_0000))
    );
}

#[test]
fn redirect() {
    let r = check(&REDIRECT, LL_ROUTER, HOST);
    let Repr::Redirect {
        reserved,
        target_addr,
        dest_addr,
        options,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(reserved, 0);
    assert_eq!(target_addr, LL_HOST);
    assert_eq!(dest_addr, a([0x2001, 0xdb8, 3, 0, 0, 0, 0, 1]));
    let opts: Vec<_> = options.iter().collect();
    assert_eq!(
        opts,
        [
            NdpOption::TargetLinkLayerAddr(MAC_HOST),
            NdpOption::RedirectedHeader {
                data: &REDIRECT[56..]
            },
        ]
    );
    // The redirected header holds the echo request, IPv6 header first.
    assert_eq!(REDIRECT[56] >> 4, 6);
    let mut buf = [0u8; 120];
    let mut w = OptionWriter::new(&mut buf);
    for o in &opts {
        w.push(o).unwrap();
    }
    assert_eq!(w.into_options().as_bytes(), &REDIRECT[40..]);
    let p = Packet::new_checked(&REDIRECT[..]).unwrap();
    assert_eq!(p.dest_addr(), Some(dest_addr));
    assert_eq!(p.reserved(), Some(0));
}

fn parse_err(bytes: &[u8]) -> Error {
    match Packet::new_checked(bytes) {
        Ok(p) => Repr::parse(&p, &HOST, &ROUTER, &ChecksumCapabilities::offloaded()).unwrap_err(),
        Err(e) => e,
    }
}

#[test]
fn message_errors() {
    let inv = |field, offset| Error::Invalid {
        layer: Layer::Ndp,
        field,
        offset,
    };
    // Not an NDP type.
    assert_eq!(parse_err(&[128, 0, 0, 0, 0, 0, 0, 0]), inv("type", 0));
    // Too short for each type.
    for (bytes, fixed) in [
        (&ROUTER_SOLICIT[..7], 8),
        (&ROUTER_ADVERT[..15], 16),
        (&NS_SLLA[..23], 24),
        (&NA_BARE[..23], 24),
        (&REDIRECT[..39], 40),
        (&REDIRECT[..3], 4),
    ] {
        assert_eq!(
            parse_err(bytes),
            Error::Truncated {
                layer: Layer::Ndp,
                needed: fixed,
                available: bytes.len()
            }
        );
    }
    // ICMP code not 0.
    let mut m = NA_BARE;
    m[1] = 1;
    assert_eq!(parse_err(&m), inv("code", 1));
    // Multicast targets.
    let mut m = NS_SLLA;
    m[8] = 0xff;
    assert_eq!(parse_err(&m), inv("target address", 8));
    let mut m = NA_BARE;
    m[8] = 0xff;
    assert_eq!(parse_err(&m), inv("target address", 8));
    // Redirect: multicast destination; target neither link-local nor the destination.
    let mut m = REDIRECT;
    m[24] = 0xff;
    assert_eq!(parse_err(&m), inv("destination address", 24));
    let mut m = REDIRECT;
    m[8] = 0x20;
    assert_eq!(parse_err(&m), inv("target address", 8));
    // ... but a target equal to the destination is fine (on-link destination).
    let mut m = REDIRECT;
    m.copy_within(24..40, 8);
    assert!(matches!(
        Repr::parse(
            &Packet::new_checked(&m[..]).unwrap(),
            &LL_ROUTER,
            &HOST,
            &ChecksumCapabilities::offloaded()
        ),
        Ok(Repr::Redirect { .. })
    ));
    // Bad checksum.
    let mut m = NA_BARE;
    m[2] ^= 0xff;
    assert_eq!(
        Repr::parse(
            &Packet::new_checked(&m[..]).unwrap(),
            &HOST,
            &LL_BRIDGE,
            &caps()
        ),
        Err(Error::Checksum {
            layer: Layer::Icmpv6,
            found: u16::from_be_bytes([m[2], m[3]]),
            expected: u16::from_be_bytes([NA_BARE[2], NA_BARE[3]])
        })
    );
}

#[test]
fn option_errors() {
    //= https://www.rfc-editor.org/rfc/rfc4861#section-4.6
    //# Nodes MUST silently discard an ND packet that contains an option with length
    //# zero.
    let mut m = ROUTER_ADVERT;
    m[145] = 0; // the length of the last option (SLLA at 144)
    assert_eq!(m[144], 1);
    assert_eq!(
        parse_err(&m),
        Error::Invalid {
            layer: Layer::Ndp,
            field: "option length",
            offset: 145
        }
    );
    // A zero length in the first option.
    let mut m = NS_SLLA;
    m[25] = 0;
    assert_eq!(
        parse_err(&m),
        Error::Invalid {
            layer: Layer::Ndp,
            field: "option length",
            offset: 25
        }
    );
    // An option longer than the message.
    let mut m = NS_SLLA;
    m[25] = 2;
    assert_eq!(
        parse_err(&m),
        Error::Truncated {
            layer: Layer::Ndp,
            needed: 40,
            available: 32
        }
    );
    // A message cut inside its last option, or with a single trailing byte.
    assert_eq!(
        parse_err(&REDIRECT[..150]),
        Error::Truncated {
            layer: Layer::Ndp,
            needed: 160,
            available: 150
        }
    );
    assert_eq!(
        parse_err(&NS_SLLA[..25]),
        Error::Truncated {
            layer: Layer::Ndp,
            needed: 26,
            available: 25
        }
    );
    // Options::parse counts offsets from the options.
    assert_eq!(
        Options::parse(&[1, 1, 0, 0, 0, 0, 0, 0, 5, 0]),
        Err(Error::Invalid {
            layer: Layer::Ndp,
            field: "option length",
            offset: 9
        })
    );
    // Iterating over unvalidated bytes with a zero length stops instead of looping.
    let raw = Options {
        bytes: &[1, 1, 2, 0, 0, 0, 0, 10, 7, 0, 7, 0],
    };
    assert_eq!(raw.iter().count(), 1);
    let raw = Options {
        bytes: &[1, 2, 2, 0, 0, 0, 0, 10],
    };
    assert_eq!(raw.iter().count(), 0);
}

#[test]
fn malformed_known_options_are_unknown() {
    // Known types with a length that does not suit them decode as Unknown
    // (RFC 4861 section 4.6: receivers ignore what they do not recognize).
    let cases: [&[u8]; 7] = [
        &[1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0], // 14-byte link-layer address
        &[5, 2, 0, 0, 0, 0, 5, 0xdc, 0, 0, 0, 0, 0, 0, 0, 0], // MTU of length 2
        &[3, 1, 64, 0xc0, 0, 0, 0, 1],                     // Prefix Information of length 1
        &[25, 1, 0, 0, 0, 0, 0, 1],                        // RDNSS without servers
        &[
            25, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0,
        ], // RDNSS of even length
        &[24, 2, 65, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], // /65 route with 8 prefix bytes
        &[24, 1, 129, 0, 0, 0, 0, 1],                      // prefix length over 128
    ];
    for raw in cases {
        let o = Options::parse(raw).unwrap();
        let got: Vec<_> = o.iter().collect();
        assert_eq!(
            got,
            [NdpOption::Unknown {
                kind: OptionKind(raw[0]),
                data: &raw[2..]
            }],
            "{raw:?}"
        );
    }
    // A /0 route needs no prefix bytes.
    let o = Options::parse(&[24, 1, 0, 0x18, 0xff, 0xff, 0xff, 0xff]).unwrap();
    assert_eq!(
        o.iter().next(),
        Some(NdpOption::RouteInformation(RouteInformation {
            prefix_len: 0,
            preference: RoutePreference::LOW,
            route_lifetime: u32::MAX,
            prefix: Ipv6Addr::UNSPECIFIED,
        }))
    );
}

#[test]
fn option_emit_errors() {
    let inv = Error::Invalid {
        layer: Layer::Ndp,
        field: "option length",
        offset: 1,
    };
    let mut buf = [0u8; 4096];
    assert_eq!(
        NdpOption::Unknown {
            kind: OptionKind(200),
            data: &[0; 5]
        }
        .emit(&mut buf),
        Err(inv)
    );
    assert_eq!(NdpOption::Nonce(&[1, 2, 3]).emit(&mut buf), Err(inv));
    assert_eq!(
        NdpOption::RedirectedHeader { data: &[0; 2040] }.emit(&mut buf),
        Err(inv)
    );
    assert_eq!(
        NdpOption::Rdnss {
            lifetime: 1,
            servers: AddrList::EMPTY
        }
        .emit(&mut buf),
        Err(inv)
    );
    let mut w = OptionWriter::new(&mut buf);
    assert_eq!(w.push_rdnss(1, &[]), Err(inv));
    assert!(w.is_empty());
    assert_eq!(
        NdpOption::Mtu(1500).emit(&mut [0u8; 7]),
        Err(Error::BufferTooSmall {
            layer: Layer::Ndp,
            needed: 8,
            available: 7
        })
    );
    let mut small = [0u8; 20];
    let mut w = OptionWriter::new(&mut small);
    w.push(&NdpOption::Mtu(1280)).unwrap();
    assert_eq!(
        w.push_rdnss(0, &[HOST]),
        Err(Error::BufferTooSmall {
            layer: Layer::Ndp,
            needed: 24,
            available: 12
        })
    );
    assert_eq!(w.len(), 8);
    // A Redirected Header is padded to 8 bytes.
    let rh = NdpOption::RedirectedHeader { data: &[1, 2, 3] };
    assert_eq!(rh.buffer_len(), 16);
    let mut out = [0xffu8; 16];
    rh.emit(&mut out).unwrap();
    assert_eq!(out, [4, 2, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0]);
    // Message emit with a short buffer.
    let r = Repr::parse(
        &Packet::new_checked(&NA_BARE[..]).unwrap(),
        &HOST,
        &LL_BRIDGE,
        &caps(),
    )
    .unwrap();
    assert_eq!(
        r.emit(&mut [0u8; 23], &HOST, &LL_BRIDGE, &caps()),
        Err(Error::BufferTooSmall {
            layer: Layer::Ndp,
            needed: 24,
            available: 23
        })
    );
}

#[test]
fn validate_ip_errors() {
    let inv = |field, offset| {
        Err(Error::Invalid {
            layer: Layer::Ndp,
            field,
            offset,
        })
    };
    let parse = |b: &'static [u8]| {
        Repr::parse(
            &Packet::new_checked(b).unwrap(),
            &HOST,
            &HOST,
            &ChecksumCapabilities::offloaded(),
        )
        .unwrap()
    };
    // Hop limit 255 for every message.
    for b in [
        &ROUTER_SOLICIT[..],
        &ROUTER_ADVERT,
        &NS_SLLA,
        &NA_BARE,
        &REDIRECT,
    ] {
        assert_eq!(
            parse(b).validate_ip(254, &LL_ROUTER, &LL_HOST),
            inv("hop limit", 0)
        );
    }
    // RS from :: with a Source Link-Layer Address option.
    let rs = parse(&ROUTER_SOLICIT);
    assert_eq!(
        rs.validate_ip(255, &Ipv6Addr::UNSPECIFIED, &ALL_ROUTERS),
        inv("source link-layer address option", 8)
    );
    // RA and Redirect from a global address.
    assert_eq!(
        parse(&ROUTER_ADVERT).validate_ip(255, &ROUTER, &ALL_NODES),
        inv("source address", 0)
    );
    assert_eq!(
        parse(&REDIRECT).validate_ip(255, &ROUTER, &HOST),
        inv("source address", 0)
    );
    // NS from :: not to a solicited-node address, or with an SLLA option.
    let dad = parse(&NS_DAD);
    assert_eq!(
        dad.validate_ip(255, &Ipv6Addr::UNSPECIFIED, &ALL_NODES),
        inv("destination address", 0)
    );
    assert_eq!(
        parse(&NS_SLLA).validate_ip(255, &Ipv6Addr::UNSPECIFIED, &solicited_node(&ROUTER)),
        inv("source link-layer address option", 24)
    );
    // NA to a multicast address with the S flag.
    assert_eq!(
        parse(&NA_ROUTER).validate_ip(255, &ROUTER, &ALL_NODES),
        inv("solicited flag", 4)
    );
    // Unsolicited NA to all-nodes is fine.
    let mut m = [0u8; 24];
    Repr::NeighborAdvert {
        flags: NeighborFlags::new(false, false, true),
        target_addr: HOST,
        options: Options::EMPTY,
    }
    .emit(&mut m, &HOST, &ALL_NODES, &caps())
    .unwrap();
    let r = Repr::parse(
        &Packet::new_checked(&m[..]).unwrap(),
        &HOST,
        &ALL_NODES,
        &caps(),
    )
    .unwrap();
    assert_eq!(r.validate_ip(255, &HOST, &ALL_NODES), Ok(()));
    assert!(is_solicited_node(&solicited_node(&LL_HOST)));
    assert!(!is_solicited_node(&ALL_NODES));
}

fn arb_addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<[u8; 16]>().prop_map(Ipv6Addr::from)
}

fn arb_unicast() -> impl Strategy<Value = Ipv6Addr> {
    arb_addr().prop_filter("not multicast", |a| !a.is_multicast())
}

/// An owned option, to be written with the writer.
#[derive(Debug, Clone)]
enum OwnedOption {
    Sll([u8; 6]),
    Tll([u8; 6]),
    Prefix(u8, bool, bool, u32, u32, Ipv6Addr),
    Redirected(Vec<u8>),
    Mtu(u32),
    Route(u8, u8, u32, Ipv6Addr),
    Rdnss(u32, Vec<u8>),
    Nonce(Vec<u8>),
    Unknown(u8, Vec<u8>),
}

impl OwnedOption {
    fn as_option(&self) -> NdpOption<'_> {
        match self {
            OwnedOption::Sll(m) => NdpOption::SourceLinkLayerAddr(EthernetAddress(*m)),
            OwnedOption::Tll(m) => NdpOption::TargetLinkLayerAddr(EthernetAddress(*m)),
            OwnedOption::Prefix(l, on, au, v, p, a) => {
                NdpOption::PrefixInformation(PrefixInformation {
                    prefix_len: *l,
                    on_link: *on,
                    autonomous: *au,
                    valid_lifetime: *v,
                    preferred_lifetime: *p,
                    prefix: *a,
                })
            }
            OwnedOption::Redirected(d) => NdpOption::RedirectedHeader { data: d },
            OwnedOption::Mtu(m) => NdpOption::Mtu(*m),
            OwnedOption::Route(l, pref, life, a) => {
                // Bytes the option does not carry read back as zero.
                let keep = match l {
                    0 => 0,
                    1..=64 => 8,
                    _ => 16,
                };
                let mut o = a.octets();
                o[keep..].fill(0);
                NdpOption::RouteInformation(RouteInformation {
                    prefix_len: *l,
                    preference: RoutePreference(*pref),
                    route_lifetime: *life,
                    prefix: Ipv6Addr::from(o),
                })
            }
            OwnedOption::Rdnss(l, s) => NdpOption::Rdnss {
                lifetime: *l,
                servers: AddrList::new(s).unwrap(),
            },
            OwnedOption::Nonce(n) => NdpOption::Nonce(n),
            OwnedOption::Unknown(k, d) => NdpOption::Unknown {
                kind: OptionKind(*k),
                data: d,
            },
        }
    }
}

fn arb_option() -> impl Strategy<Value = OwnedOption> {
    let units = |max: usize| (1usize..max).prop_map(|u| u * 8);
    prop_oneof![
        any::<[u8; 6]>().prop_map(OwnedOption::Sll),
        any::<[u8; 6]>().prop_map(OwnedOption::Tll),
        (
            0u8..=128,
            any::<bool>(),
            any::<bool>(),
            any::<u32>(),
            any::<u32>(),
            arb_addr()
        )
            .prop_map(|(l, o, a, v, p, x)| OwnedOption::Prefix(l, o, a, v, p, x)),
        units(20)
            .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n))
            .prop_map(OwnedOption::Redirected),
        any::<u32>().prop_map(OwnedOption::Mtu),
        (0u8..=128, 0u8..4, any::<u32>(), arb_addr())
            .prop_map(|(l, p, t, a)| OwnedOption::Route(l, p, t, a)),
        (
            any::<u32>(),
            (1usize..4).prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n * 16))
        )
            .prop_map(|(l, s)| OwnedOption::Rdnss(l, s)),
        units(3)
            .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n - 2))
            .prop_map(OwnedOption::Nonce),
        (
            prop_oneof![6u8..14, 15u8..24, 26u8..=255],
            units(4).prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n - 2))
        )
            .prop_map(|(k, d)| OwnedOption::Unknown(k, d)),
    ]
}

fn arb_message() -> impl Strategy<Value = (u8, u32, u8, u16, u32, u32, Ipv6Addr, Ipv6Addr)> {
    (
        133u8..=137,
        any::<u32>(),
        any::<u8>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        arb_unicast(),
        arb_unicast(),
    )
}

proptest! {
    #[test]
    fn round_trip(
        (t, word, byte, short, w1, w2, target, dest) in arb_message(),
        opts in proptest::collection::vec(arb_option(), 0..5),
        src in arb_addr(),
        dst in arb_addr(),
    ) {
        let mut obuf = vec![0u8; 1024];
        let mut w = OptionWriter::new(&mut obuf);
        for o in &opts {
            w.push(&o.as_option()).unwrap();
        }
        let options = w.into_options();
        // The typed iterator gives back what was written.
        let typed: Vec<_> = options.iter().collect();
        let want: Vec<_> = opts.iter().map(OwnedOption::as_option).collect();
        prop_assert_eq!(typed, want);
        let repr = match t {
            133 => Repr::RouterSolicit { reserved: word, options },
            134 => Repr::RouterAdvert {
                cur_hop_limit: byte,
                flags: RouterFlags((word >> 24) as u8),
                router_lifetime: short,
                reachable_time: w1,
                retrans_timer: w2,
                options,
            },
            135 => Repr::NeighborSolicit { reserved: word, target_addr: target, options },
            136 => Repr::NeighborAdvert { flags: NeighborFlags(word), target_addr: target, options },
            _ => Repr::Redirect {
                reserved: word,
                target_addr: if byte % 2 == 0 { dest } else {
                    let mut o = target.octets();
                    o[..8].copy_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0]);
                    Ipv6Addr::from(o)
                },
                dest_addr: dest,
                options,
            },
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf, &src, &dst, &caps()).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, &src, &dst, &caps()).unwrap(), repr);
        let _ = repr.validate_ip(255, &src, &dst);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        t in 133u8..=137,
        body in proptest::collection::vec(any::<u8>(), 0..120),
        hop in any::<u8>(),
        src in arb_addr(),
        dst in arb_addr(),
    ) {
        let mut bytes = vec![t, 0, 0, 0];
        bytes.extend_from_slice(&body);
        let _ = Options::parse(&body).map(|o| o.iter().count());
        let raw = Options { bytes: &body };
        prop_assert!(raw.iter().count() <= body.len() / 8);
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.reserved(), p.cur_hop_limit());
            let _ = (p.router_flags(), p.router_lifetime(), p.reachable_time(), p.retrans_timer());
            let _ = (p.neighbor_flags(), p.target_addr(), p.dest_addr(), p.options());
            if let Ok(r) = Repr::parse(&p, &src, &dst, &ChecksumCapabilities::offloaded()) {
                let _ = r.validate_ip(hop, &src, &dst);
                for o in r.options() {
                    let mut ob = vec![0u8; o.buffer_len()];
                    let _ = (o.kind(), o.emit(&mut ob));
                }
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut out, &src, &dst, &ChecksumCapabilities::offloaded()).unwrap();
                prop_assert_eq!(&out[4..], &bytes[4..]);
            }
        }
    }
}
