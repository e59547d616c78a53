use super::*;
use core::net::Ipv6Addr;
use proptest::prelude::*;
extern crate alloc;
use alloc::vec::Vec;

// Vectors: ICMPv6 messages as Linux (kernel 6.x) sent them between two network
// namespaces joined by a veth pair, the router namespace forwarding between
// 2001:db8:1::/64 and 2001:db8:2::/64 (the 2001:db8:2::/64 link has MTU 1280), captured
// with `tcpdump -w` and cut after the IPv6 header. The host's addresses are
// 2001:db8:1::2, 2001:db8:1::ff:fe00:a (SLAAC) and fe80::ff:fe00:a; the router's
// 2001:db8:1::1.

const HOST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2);
const HOST_SLAAC: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0xff, 0xfe00, 0xa);
const ROUTER: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1);

include!("vectors.rs");

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

fn parse<'a>(bytes: &'a [u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<Repr<'a>> {
    let p = Packet::new_checked(bytes)?;
    Repr::parse(&p, src, dst, &caps())
}

/// Emits `repr` into a zeroed buffer and asserts that it reproduces `bytes`.
fn assert_reemits(repr: &Repr<'_>, bytes: &[u8], src: &Ipv6Addr, dst: &Ipv6Addr) {
    assert_eq!(repr.buffer_len(), bytes.len());
    let mut out = vec![0u8; bytes.len()];
    repr.emit(&mut out, src, dst, &caps()).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn echo_vectors() {
    let r = parse(&ECHO_REQUEST, &HOST, &ROUTER).unwrap();
    assert_eq!(
        r,
        Repr::EchoRequest {
            ident: 0x2999,
            seq_no: 1,
            data: &ECHO_REQUEST[8..]
        }
    );
    assert_eq!(r.msg_type(), Message::ECHO_REQUEST);
    assert_eq!(r.header_len(), 8);
    assert_reemits(&r, &ECHO_REQUEST, &HOST, &ROUTER);
    assert_eq!(
        std::format!("{r}"),
        "ICMPv6 echo request, id 10649, seq 1, length 56"
    );

    let r = parse(&ECHO_REPLY, &ROUTER, &HOST).unwrap();
    assert_eq!(
        r,
        Repr::EchoReply {
            ident: 0x2999,
            seq_no: 1,
            data: &ECHO_REQUEST[8..]
        }
    );
    assert_reemits(&r, &ECHO_REPLY, &ROUTER, &HOST);

    let p = Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
    assert_eq!(p.msg_type(), Message::ECHO_REQUEST);
    assert_eq!(p.msg_code(), 0);
    assert_eq!(p.checksum(), 0xc717);
    assert_eq!(p.echo_ident(), 0x2999);
    assert_eq!(p.echo_seq_no(), 1);
    assert_eq!(p.body(), &ECHO_REQUEST[4..]);
    assert_eq!(p.payload(), &ECHO_REQUEST[8..]);
    assert_eq!(p.verify_checksum(&HOST, &ROUTER), Ok(()));
}

#[test]
fn error_vectors() {
    let cases: [(&[u8], Repr<'_>); 7] = [
        (
            &TIME_EXCEEDED,
            Repr::TimeExceeded {
                reason: TimeExceeded::HOP_LIMIT_EXCEEDED,
                unused: 0,
                invoking: &TIME_EXCEEDED[8..],
            },
        ),
        (
            &PKT_TOO_BIG,
            Repr::PktTooBig {
                mtu: 1280,
                invoking: &PKT_TOO_BIG[8..],
            },
        ),
        (
            &NO_ROUTE,
            Repr::DstUnreachable {
                reason: DstUnreachable::NO_ROUTE,
                unused: 0,
                invoking: &NO_ROUTE[8..],
            },
        ),
        (
            &ADMIN_PROHIBITED,
            Repr::DstUnreachable {
                reason: DstUnreachable::ADMIN_PROHIBITED,
                unused: 0,
                invoking: &ADMIN_PROHIBITED[8..],
            },
        ),
        (
            &PORT_UNREACHABLE,
            Repr::DstUnreachable {
                reason: DstUnreachable::PORT_UNREACHABLE,
                unused: 0,
                invoking: &PORT_UNREACHABLE[8..],
            },
        ),
        (
            &ADDR_UNREACHABLE,
            Repr::DstUnreachable {
                reason: DstUnreachable::ADDR_UNREACHABLE,
                unused: 0,
                invoking: &ADDR_UNREACHABLE[8..],
            },
        ),
        (
            &PARAM_PROBLEM,
            Repr::ParamProblem {
                reason: ParamProblem::UNRECOGNIZED_NEXT_HEADER,
                pointer: 6,
                invoking: &PARAM_PROBLEM[8..],
            },
        ),
    ];
    for (bytes, want) in cases {
        let r = parse(bytes, &ROUTER, &HOST_SLAAC).unwrap();
        assert_eq!(r, want);
        assert!(r.msg_type().is_error());
        assert_reemits(&r, bytes, &ROUTER, &HOST_SLAAC);
    }
    // The invoking packet starts with the IPv6 header of what the host sent.
    let Repr::PktTooBig { invoking, .. } = parse(&PKT_TOO_BIG, &ROUTER, &HOST_SLAAC).unwrap()
    else {
        unreachable!()
    };
    assert_eq!(invoking[0] >> 4, 6);
    assert_eq!(PKT_TOO_BIG.len(), MAX_ERROR_LEN);
    assert_eq!(
        std::format!("{}", parse(&PARAM_PROBLEM, &ROUTER, &HOST_SLAAC).unwrap()),
        "ICMPv6 parameter problem, unrecognized next header, pointer 6"
    );
    assert_eq!(
        std::format!("{}", parse(&PKT_TOO_BIG, &ROUTER, &HOST_SLAAC).unwrap()),
        "ICMPv6 packet too big, mtu 1280"
    );
}

#[test]
fn ndp_and_mld_dispatch() {
    // A Neighbor Advertisement (no options) and an MLDv1 Done go to their modules.
    const NA: [u8; 24] = [
        0x88, 0x00, 0xde, 0xa3, 0x40, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    ];
    let ll_router = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0x10);
    let r = parse(&NA, &HOST, &ll_router).unwrap();
    let Repr::Ndp(ndp::Repr::NeighborAdvert { flags, .. }) = r else {
        panic!("{r:?}")
    };
    assert!(flags.solicited() && !flags.router());
    assert_eq!(r.msg_type(), Message::NEIGHBOR_ADVERT);
    assert_eq!(r.header_len(), 24);
    assert_reemits(&r, &NA, &HOST, &ll_router);
    assert_eq!(std::format!("{r}"), "ICMPv6 neighbor advertisement");

    const DONE: [u8; 24] = [
        0x84, 0x00, 0x3c, 0xf6, 0x00, 0x00, 0x00, 0x00, 0xff, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43, 0x21,
    ];
    let ll_host = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0xa);
    let all_routers = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
    let r = parse(&DONE, &ll_host, &all_routers).unwrap();
    assert!(matches!(r, Repr::Mld(mld::Repr::Done { .. })));
    assert_reemits(&r, &DONE, &ll_host, &all_routers);

    // MLD with a non-zero code is kept whole as Other (and re-emits exactly), while
    // mld::Repr::parse still reads it, ignoring the code as RFC 2710 says.
    let mut coded = DONE;
    coded[1] = 7;
    let p = Packet::new_checked(&coded[..]).unwrap();
    let r = Repr::parse(
        &p,
        &ll_host,
        &all_routers,
        &ChecksumCapabilities::offloaded(),
    )
    .unwrap();
    assert_eq!(
        r,
        Repr::Other {
            msg_type: Message::MLD_DONE,
            code: 7,
            data: &coded[4..]
        }
    );
    let mut out = [0u8; 24];
    r.emit(&mut out, &ll_host, &all_routers, &caps()).unwrap();
    assert_eq!(&out[..2], &coded[..2]);
    assert_eq!(parse(&out, &ll_host, &all_routers), Ok(r));
    let mp = mld::Packet::new_checked(&coded[..]).unwrap();
    assert!(matches!(
        mld::Repr::parse(
            &mp,
            &ll_host,
            &all_routers,
            &ChecksumCapabilities::offloaded()
        ),
        Ok(mld::Repr::Done { .. })
    ));

    // NDP with a non-zero code is discarded (RFC 4861), with the NDP layer named.
    let mut bad = NA;
    bad[1] = 1;
    let p = Packet::new_checked(&bad[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &HOST, &ll_router, &ChecksumCapabilities::offloaded()),
        Err(Error::Invalid {
            layer: Layer::Ndp,
            field: "code",
            offset: 1
        })
    );
    // A Neighbor Solicitation too short for its target address.
    let short = [0x87, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80];
    let p = Packet::new_checked(&short[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &HOST, &ll_router, &ChecksumCapabilities::offloaded()),
        Err(Error::Truncated {
            layer: Layer::Ndp,
            needed: 24,
            available: 10
        })
    );
}

#[test]
fn echo_with_code_is_other() {
    let mut m = ECHO_REQUEST;
    m[1] = 3;
    Packet::new_unchecked(&mut m[..])
        .fill_checksum(&HOST, &ROUTER)
        .unwrap();
    let p = Packet::new_checked(&m[..]).unwrap();
    let r = Repr::parse(&p, &HOST, &ROUTER, &caps()).unwrap();
    assert_eq!(
        r,
        Repr::Other {
            msg_type: Message::ECHO_REQUEST,
            code: 3,
            data: &m[4..]
        }
    );
    assert_eq!(r.msg_code(), 3);
    assert_eq!(r.header_len(), HEADER_LEN);
    let mut out = [0u8; 64];
    r.emit(&mut out, &HOST, &ROUTER, &caps()).unwrap();
    assert_eq!(out, m);
    // The same for Packet Too Big, whose code receivers ignore: the MTU stays readable.
    let mut m = [0u8; 48];
    m[..PKT_TOO_BIG.len().min(48)].copy_from_slice(&PKT_TOO_BIG[..48]);
    m[1] = 1;
    Packet::new_unchecked(&mut m[..])
        .fill_checksum(&ROUTER, &HOST)
        .unwrap();
    let p = Packet::new_checked(&m[..]).unwrap();
    assert_eq!(p.mtu(), 1280);
    let r = Repr::parse(&p, &ROUTER, &HOST, &caps()).unwrap();
    assert!(matches!(r, Repr::Other { code: 1, .. }));
    let mut out = [0u8; 48];
    r.emit(&mut out, &ROUTER, &HOST, &caps()).unwrap();
    assert_eq!(out, m);
}

#[test]
fn unknown_types() {
    // Type 200 (private experimentation) with only the common header.
    let mut m = [200u8, 9, 0, 0];
    let r = Repr::Other {
        msg_type: Message(200),
        code: 9,
        data: &[],
    };
    r.emit(&mut m, &HOST, &ROUTER, &caps()).unwrap();
    let p = Packet::new_checked(&m[..]).unwrap();
    assert_eq!(p.header_word(), 0);
    assert_eq!(p.echo_ident(), 0);
    assert_eq!(p.echo_seq_no(), 0);
    assert_eq!(p.payload(), &[] as &[u8]);
    assert_eq!(Repr::parse(&p, &HOST, &ROUTER, &caps()), Ok(r));
    assert_eq!(std::format!("{r}"), "ICMPv6 type 200, code 9");
    assert!(!Message(200).is_error());
    assert!(Message(100).is_error());
    assert_eq!(std::format!("{:?}", Message(200)), "Message(0xc8)");
}

#[test]
fn checksum_errors() {
    let mut bad = ECHO_REQUEST;
    bad[2] = 0x12;
    bad[3] = 0x34;
    let p = Packet::new_checked(&bad[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &HOST, &ROUTER, &caps()),
        Err(Error::Checksum {
            layer: Layer::Icmpv6,
            found: 0x1234,
            expected: 0xc717
        })
    );
    // The pseudo-header counts: right bytes, wrong addresses.
    assert!(matches!(
        parse(&ECHO_REQUEST, &ROUTER, &ROUTER),
        Err(Error::Checksum { .. })
    ));
    // Not verified when the device does it.
    assert!(Repr::parse(&p, &HOST, &ROUTER, &ChecksumCapabilities::offloaded()).is_ok());
    // Emitted as zero when the device computes it; fill_checksum puts it back.
    let r = parse(&ECHO_REQUEST, &HOST, &ROUTER).unwrap();
    let mut out = [0xaau8; 64];
    r.emit(&mut out, &HOST, &ROUTER, &ChecksumCapabilities::offloaded())
        .unwrap();
    assert_eq!(&out[2..4], &[0, 0]);
    let mut p = Packet::new_unchecked(&mut out[..]);
    p.fill_checksum(&HOST, &ROUTER).unwrap();
    assert_eq!(p.checksum(), 0xc717);
    // An NDP message with a bad checksum fails at the ICMPv6 layer.
    let mut ns = [0u8; 24];
    ns[0] = 135;
    ns[8] = 0xfe;
    ns[9] = 0x80;
    assert!(matches!(
        parse(&ns, &HOST, &ROUTER),
        Err(Error::Checksum {
            layer: Layer::Icmpv6,
            ..
        })
    ));
}

#[test]
fn length_errors() {
    assert_eq!(
        Packet::new_checked(&ECHO_REQUEST[..3]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Icmpv6,
            needed: 4,
            available: 3
        }
    );
    for t in [1u8, 2, 3, 4, 128, 129, 130, 133, 137, 143] {
        let m = [t, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            Packet::new_checked(&m[..]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Icmpv6,
                needed: 8,
                available: 7
            },
            "type {t}"
        );
        // A view made without checks is still safe to parse.
        let p = Packet::new_unchecked(&m[..]);
        assert!(Repr::parse(&p, &HOST, &ROUTER, &ChecksumCapabilities::offloaded()).is_err());
    }
    let p = Packet::new_unchecked(&[1u8, 2][..]);
    assert_eq!(
        Repr::parse(&p, &HOST, &ROUTER, &caps()),
        Err(Error::Truncated {
            layer: Layer::Icmpv6,
            needed: 4,
            available: 2
        })
    );
    let r = parse(&TIME_EXCEEDED, &ROUTER, &HOST_SLAAC).unwrap();
    assert_eq!(
        r.emit(&mut [0u8; 111], &ROUTER, &HOST_SLAAC, &caps()),
        Err(Error::BufferTooSmall {
            layer: Layer::Icmpv6,
            needed: 112,
            available: 111
        })
    );
    // A longer buffer is fine; the bytes past the message are untouched.
    let mut long = [0x55u8; 120];
    r.emit(&mut long, &ROUTER, &HOST_SLAAC, &caps()).unwrap();
    assert_eq!(&long[..112], &TIME_EXCEEDED[..]);
    assert_eq!(&long[112..], &[0x55; 8]);
}

#[test]
fn unused_word_is_kept() {
    // RFC 4884: the first byte of the unused word may carry the original datagram
    // length; such a message still parses as Time Exceeded and re-emits exactly.
    let r = Repr::TimeExceeded {
        reason: TimeExceeded::FRAG_REASM_EXCEEDED,
        unused: 0x0d00_0000,
        invoking: &TIME_EXCEEDED[8..],
    };
    let mut out = [0u8; 112];
    r.emit(&mut out, &ROUTER, &HOST, &caps()).unwrap();
    assert_eq!(&out[4..8], &[0x0d, 0, 0, 0]);
    assert_eq!(parse(&out, &ROUTER, &HOST), Ok(r));
}

#[test]
fn addr_list() {
    let bytes: Vec<u8> = [HOST, ROUTER].iter().flat_map(|a| a.octets()).collect();
    let l = AddrList::new(&bytes).unwrap();
    assert_eq!(l.len(), 2);
    assert!(!l.is_empty());
    assert_eq!(l.get(1), Some(ROUTER));
    assert_eq!(l.get(2), None);
    assert_eq!(l.get(usize::MAX), None);
    assert_eq!(l.iter().collect::<Vec<_>>(), [HOST, ROUTER]);
    assert_eq!(l.iter().len(), 2);
    assert_eq!(std::format!("{l:?}"), "[2001:db8:1::2, 2001:db8:1::1]");
    assert_eq!(AddrList::new(&bytes[..17]), None);
    assert!(AddrList::EMPTY.is_empty());
}

fn arb_addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<[u8; 16]>().prop_map(Ipv6Addr::from)
}

/// The generated parts of a Repr: kind selector, code, word, data.
fn arb_parts() -> impl Strategy<Value = (u8, u8, u32, Vec<u8>)> {
    (
        0u8..7,
        any::<u8>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
}

fn build(kind: u8, code: u8, word: u32, data: &[u8]) -> Repr<'_> {
    match kind {
        0 => Repr::DstUnreachable {
            reason: DstUnreachable(code),
            unused: word,
            invoking: data,
        },
        1 if code == 0 => Repr::PktTooBig {
            mtu: word,
            invoking: data,
        },
        1 => Repr::Other {
            msg_type: Message::PKT_TOO_BIG,
            code,
            data,
        },
        2 => Repr::TimeExceeded {
            reason: TimeExceeded(code),
            unused: word,
            invoking: data,
        },
        3 => Repr::ParamProblem {
            reason: ParamProblem(code),
            pointer: word,
            invoking: data,
        },
        4 => Repr::EchoRequest {
            ident: (word >> 16) as u16,
            seq_no: word as u16,
            data,
        },
        5 => Repr::EchoReply {
            ident: (word >> 16) as u16,
            seq_no: word as u16,
            data,
        },
        // Unknown types: informational ones this crate does not decode, and unassigned
        // error types.
        _ => Repr::Other {
            msg_type: Message(if code.is_multiple_of(2) {
                5 + code % 100
            } else {
                144 + code % 100
            }),
            code,
            data,
        },
    }
}

/// Known types, weighted so that arbitrary bytes often reach the NDP and MLD parsers.
fn arb_message_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![
            Just(1u8),
            Just(2),
            Just(3),
            Just(4),
            Just(128),
            Just(129),
            130u8..=137,
            Just(143),
            any::<u8>()
        ],
        prop_oneof![Just(0u8), any::<u8>()],
        proptest::collection::vec(any::<u8>(), 0..120),
    )
        .prop_map(|(t, c, rest)| {
            let mut v = vec![t, c, 0, 0];
            v.extend_from_slice(&rest);
            v
        })
}

#[test]
fn other_with_fixed_header_type_needs_its_body() {
    let repr = Repr::Other {
        msg_type: Message::PKT_TOO_BIG,
        code: 1,
        data: &[],
    };
    assert_eq!(
        repr.emit(
            &mut [0u8; 8],
            &Ipv6Addr::LOCALHOST,
            &Ipv6Addr::LOCALHOST,
            &caps()
        )
        .unwrap_err(),
        Error::Invalid {
            layer: Layer::Icmpv6,
            field: "message body",
            offset: 4
        }
    );
}

proptest! {
    #[test]
    fn round_trip((kind, code, word, mut data) in arb_parts(), src in arb_addr(), dst in arb_addr()) {
        if kind == 1 && code != 0 {
            // `Other` of a fixed-header type carries the header word in its data.
            let mut body = word.to_be_bytes().to_vec();
            body.extend_from_slice(&data);
            data = body;
        }
        let repr = build(kind, code, word, &data);
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf, &src, &dst, &caps()).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, &src, &dst, &caps()).unwrap(), repr);
    }

    /// Whatever parses re-emits to the identical bytes (checksum fixed first so that
    /// parsing gets past it).
    #[test]
    fn parse_then_emit_is_identity(mut bytes in arb_message_bytes(), src in arb_addr(), dst in arb_addr()) {
        let mut p = Packet::new_unchecked(&mut bytes[..]);
        p.fill_checksum(&src, &dst).unwrap();
        if let Ok(p) = Packet::new_checked(&bytes[..])
            && let Ok(r) = Repr::parse(&p, &src, &dst, &caps())
        {
            prop_assert_eq!(r.buffer_len(), bytes.len());
            let mut out = vec![0u8; bytes.len()];
            r.emit(&mut out, &src, &dst, &caps()).unwrap();
            prop_assert_eq!(out, bytes.clone());
            let _ = (r.header_len(), r.msg_code(), std::format!("{r}"));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96), src in arb_addr(), dst in arb_addr()) {
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.header_word(), p.mtu(), p.pointer());
            let _ = (p.echo_ident(), p.echo_seq_no(), p.body(), p.payload());
            let _ = p.verify_checksum(&src, &dst);
            let _ = Repr::parse(&p, &src, &dst, &caps());
            if let Ok(r) = Repr::parse(&p, &src, &dst, &ChecksumCapabilities::offloaded()) {
                let mut out = vec![0u8; r.buffer_len()];
                prop_assert!(r.emit(&mut out, &src, &dst, &caps()).is_ok());
            }
        }
    }
}
