use super::*;
use proptest::prelude::*;
extern crate alloc;
use alloc::vec::Vec;

// Vectors: MLD messages as Linux (kernel 6.x) sent them between network namespaces
// joined by a veth pair, the router side a bridge with `mcast_querier 1` (MLDv2, then
// `mcast_mld_version 1`), captured with `tcpdump -w` and cut after the IPv6 header and
// its Hop-by-Hop Router Alert (see `icmpv6/tests.rs`). The host joined groups with
// IPV6_JOIN_GROUP and MCAST_JOIN_SOURCE_GROUP, and with force_mld_version=1 for MLDv1.
include!("vectors.rs");

const fn a(s: [u16; 8]) -> Ipv6Addr {
    Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
}
const LL_HOST: Ipv6Addr = a([0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0xa]);
const LL_BRIDGE: Ipv6Addr = a([0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0x10]);
const BRIDGE: Ipv6Addr = a([0x2001, 0xdb8, 1, 0, 0, 0, 0, 1]);
const ALL_NODES: Ipv6Addr = a([0xff02, 0, 0, 0, 0, 0, 0, 1]);
const ALL_ROUTERS: Ipv6Addr = a([0xff02, 0, 0, 0, 0, 0, 0, 2]);
const ALL_MLDV2: Ipv6Addr = a([0xff02, 0, 0, 0, 0, 0, 0, 0x16]);
const SSM_GROUP: Ipv6Addr = a([0xff3e, 0, 0, 0, 0, 0, 0x8000, 1]);
const GROUP_1234: Ipv6Addr = a([0xff05, 0, 0, 0, 0, 0, 0, 0x1234]);
const GROUP_4321: Ipv6Addr = a([0xff05, 0, 0, 0, 0, 0, 0, 0x4321]);

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

/// Parses through mld and icmpv6, checks both agree, and that emit reproduces the bytes.
fn check<'a>(bytes: &'a [u8], src: Ipv6Addr, dst: Ipv6Addr) -> Repr<'a> {
    let p = Packet::new_checked(bytes).unwrap();
    let r = Repr::parse(&p, &src, &dst, &caps()).unwrap();
    let ip = icmpv6::Packet::new_checked(bytes).unwrap();
    assert_eq!(
        icmpv6::Repr::parse(&ip, &src, &dst, &caps()),
        Ok(icmpv6::Repr::Mld(r))
    );
    assert_eq!(r.buffer_len(), bytes.len());
    let mut out = vec![0u8; bytes.len()];
    r.emit(&mut out, &src, &dst, &caps()).unwrap();
    assert_eq!(out, bytes);
    r
}

fn addrs(l: AddrList<'_>) -> Vec<Ipv6Addr> {
    l.iter().collect()
}

#[test]
fn reports_v2() {
    let r = check(&REPORT_V2_DAD, Ipv6Addr::UNSPECIFIED, ALL_MLDV2);
    // Sent from :: before DAD: accepted by RFC 3810 section 7.4.
    assert_eq!(r.validate_ip(1, &Ipv6Addr::UNSPECIFIED), Ok(()));
    let Repr::ReportV2 {
        reserved,
        records,
        additional,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!((reserved, additional), (0, &[][..]));
    assert_eq!(records.count(), 2);
    let recs: Vec<_> = records.iter().collect();
    assert_eq!(recs.len(), 2);
    for (rec, last) in recs.iter().zip([0xa, 2]) {
        assert_eq!(rec.record_type, RecordType::CHANGE_TO_EXCLUDE);
        assert_eq!(rec.mcast_addr, a([0xff02, 0, 0, 0, 0, 1, 0xff00, last]));
        assert!(rec.sources.is_empty() && rec.aux_data.is_empty());
    }

    let r = check(&REPORT_V2_ALLOW, LL_HOST, ALL_MLDV2);
    assert_eq!(r.validate_ip(1, &LL_HOST), Ok(()));
    let Repr::ReportV2 { records, .. } = r else {
        panic!("{r:?}")
    };
    let rec = records.iter().next().unwrap();
    assert_eq!(rec.record_type, RecordType::ALLOW_NEW_SOURCES);
    assert_eq!(rec.mcast_addr, SSM_GROUP);
    assert_eq!(addrs(rec.sources), [a([0x2001, 0xdb8, 2, 0, 0, 0, 0, 2])]);

    let r = check(&REPORT_V2_TWO, LL_HOST, ALL_MLDV2);
    let Repr::ReportV2 { records, .. } = r else {
        panic!("{r:?}")
    };
    let recs: Vec<_> = records.iter().collect();
    assert_eq!(
        recs,
        [
            Record {
                record_type: RecordType::BLOCK_OLD_SOURCES,
                mcast_addr: SSM_GROUP,
                sources: AddrList::new(&REPORT_V2_TWO[28..44]).unwrap(),
                aux_data: &[],
            },
            Record {
                record_type: RecordType::CHANGE_TO_EXCLUDE,
                mcast_addr: GROUP_1234,
                sources: AddrList::EMPTY,
                aux_data: &[],
            }
        ]
    );
    // The writer builds the same records.
    let mut buf = [0u8; 56];
    let mut w = RecordWriter::new(&mut buf);
    assert!(w.is_empty());
    w.push(
        RecordType::BLOCK_OLD_SOURCES,
        &SSM_GROUP,
        &[a([0x2001, 0xdb8, 2, 0, 0, 0, 0, 3])],
        &[],
    )
    .unwrap();
    w.push_record(&recs[1]).unwrap();
    assert_eq!(w.len(), 56);
    let built = w.into_records();
    assert_eq!(built, records);
    assert_eq!(built.as_bytes(), &REPORT_V2_TWO[8..]);

    let p = Packet::new_checked(&REPORT_V2_TWO[..]).unwrap();
    assert_eq!(p.num_records(), Some(2));
    assert_eq!(p.reserved(), Some(0));
    assert_eq!(p.mcast_addr(), None);
    assert_eq!(p.max_resp_code(), None);
    assert_eq!(p.sources(), None);
}

#[test]
fn queries_v2() {
    let r = check(&QUERY_V2_GENERAL, LL_BRIDGE, ALL_NODES);
    assert_eq!(r.validate_ip(1, &LL_BRIDGE), Ok(()));
    assert_eq!(
        r,
        Repr::QueryV2 {
            max_resp_code: 0x9c40,
            reserved: 0,
            mcast_addr: Ipv6Addr::UNSPECIFIED,
            resv: 0,
            suppress: false,
            qrv: 2,
            qqic: 4,
            sources: AddrList::EMPTY,
            additional: &[],
        }
    );
    // The bridge was configured for a 40 s response interval and wrote 40000 into the
    // field as is; read per RFC 3810 section 5.1.3, 0x9c40 has exp 1 and mant 0xc40.
    assert_eq!(decode_max_resp_code(0x9c40), (0xc40 | 0x1000) << 4);
    assert_eq!(decode_qqic(4), 4);

    let r = check(&QUERY_V2_SOURCES, BRIDGE, SSM_GROUP);
    let Repr::QueryV2 {
        max_resp_code,
        mcast_addr,
        suppress,
        sources,
        ..
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(
        (max_resp_code, mcast_addr, suppress),
        (1000, SSM_GROUP, false)
    );
    assert_eq!(addrs(sources), [a([0x2001, 0xdb8, 2, 0, 0, 0, 0, 2])]);
    // The bridge sent its specific queries from a global address, which RFC 3810
    // section 6.2 has listeners drop.
    assert_eq!(
        r.validate_ip(1, &BRIDGE),
        Err(Error::Invalid {
            layer: Layer::Mld,
            field: "source address",
            offset: 0
        })
    );

    let r = check(&QUERY_V2_SUPPRESS, BRIDGE, GROUP_1234);
    assert!(matches!(
        r,
        Repr::QueryV2 {
            suppress: true,
            qrv: 2,
            mcast_addr: GROUP_1234,
            ..
        }
    ));
    let p = Packet::new_checked(&QUERY_V2_SUPPRESS[..]).unwrap();
    assert!(p.is_v2_query());
    assert_eq!(p.suppress(), Some(true));
    assert_eq!(p.qrv(), Some(2));
    assert_eq!(p.qqic(), Some(4));
    assert_eq!(p.sources().map(|s| s.len()), Some(0));
    assert_eq!(p.num_records(), None);
}

#[test]
fn mldv1() {
    let r = check(&QUERY_V1_GENERAL, LL_BRIDGE, ALL_NODES);
    assert_eq!(
        r,
        Repr::QueryV1 {
            max_resp_delay: 40000,
            reserved: 0,
            mcast_addr: Ipv6Addr::UNSPECIFIED
        }
    );
    assert_eq!(r.validate_ip(1, &LL_BRIDGE), Ok(()));
    let p = Packet::new_checked(&QUERY_V1_GENERAL[..]).unwrap();
    assert!(!p.is_v2_query());
    assert_eq!(p.qrv(), None);
    assert_eq!(p.sources(), None);

    let r = check(&QUERY_V1_SPECIFIC, LL_BRIDGE, ALL_NODES);
    assert!(matches!(
        r,
        Repr::QueryV1 {
            max_resp_delay: 1000,
            mcast_addr: GROUP_4321,
            ..
        }
    ));
    let r = check(&REPORT_V1, LL_HOST, GROUP_4321);
    assert_eq!(
        r,
        Repr::ReportV1 {
            max_resp_delay: 0,
            reserved: 0,
            mcast_addr: GROUP_4321,
            additional: &[]
        }
    );
    assert_eq!(r.validate_ip(1, &LL_HOST), Ok(()));
    let r = check(&DONE, LL_HOST, ALL_ROUTERS);
    assert!(matches!(
        r,
        Repr::Done {
            mcast_addr: GROUP_4321,
            ..
        }
    ));
}

#[test]
fn validate_ip_errors() {
    let r = Repr::parse(
        &Packet::new_checked(&REPORT_V1[..]).unwrap(),
        &LL_HOST,
        &GROUP_4321,
        &caps(),
    )
    .unwrap();
    let inv = |field| {
        Err(Error::Invalid {
            layer: Layer::Mld,
            field,
            offset: 0,
        })
    };
    assert_eq!(r.validate_ip(2, &LL_HOST), inv("hop limit"));
    assert_eq!(r.validate_ip(1, &BRIDGE), inv("source address"));
    // A query from :: is not valid (only reports may come from ::).
    let q = Repr::QueryV1 {
        max_resp_delay: 1,
        reserved: 0,
        mcast_addr: Ipv6Addr::UNSPECIFIED,
    };
    assert_eq!(
        q.validate_ip(1, &Ipv6Addr::UNSPECIFIED),
        inv("source address")
    );
}

fn parse_err(bytes: &[u8]) -> Error {
    match Packet::new_checked(bytes) {
        Ok(p) => {
            Repr::parse(&p, &LL_HOST, &ALL_MLDV2, &ChecksumCapabilities::offloaded()).unwrap_err()
        }
        Err(e) => e,
    }
}

#[test]
fn errors() {
    let inv = |field, offset| Error::Invalid {
        layer: Layer::Mld,
        field,
        offset,
    };
    let trunc = |needed, available| Error::Truncated {
        layer: Layer::Mld,
        needed,
        available,
    };
    assert_eq!(parse_err(&[135, 0, 0, 0, 0, 0, 0, 0]), inv("type", 0));
    assert_eq!(parse_err(&DONE[..3]), trunc(4, 3));
    assert_eq!(parse_err(&DONE[..23]), trunc(24, 23));
    assert_eq!(parse_err(&QUERY_V1_GENERAL[..20]), trunc(24, 20));
    assert_eq!(parse_err(&REPORT_V2_DAD[..7]), trunc(8, 7));
    //= https://www.rfc-editor.org/rfc/rfc3810#section-8.1
    //# Query messages that do not match any of the above conditions (e.g., a Query
    //# of length 26 octets) MUST be silently ignored.
    let mut q = [0u8; 27];
    q[..24].copy_from_slice(&QUERY_V1_GENERAL);
    for len in 25..=27 {
        assert_eq!(parse_err(&q[..len]), inv("length", 0));
    }
    // An MLDv2 Query announcing more sources than it holds.
    assert_eq!(parse_err(&QUERY_V2_SOURCES[..43]), trunc(44, 43));
    let mut m = QUERY_V2_SOURCES;
    m[27] = 2;
    assert_eq!(parse_err(&m), trunc(60, 44));
    // A General Query with sources.
    let mut m = QUERY_V2_SOURCES;
    m[8..24].fill(0);
    assert_eq!(parse_err(&m), inv("number of sources", 26));
    // A Query for a unicast address; a Report or Done for a non-multicast address.
    let mut m = QUERY_V1_SPECIFIC;
    m[8] = 0x20;
    assert_eq!(parse_err(&m), inv("multicast address", 8));
    let mut m = REPORT_V1;
    m[8] = 0xfe;
    assert_eq!(parse_err(&m), inv("multicast address", 8));
    let mut m = DONE;
    m[8..24].fill(0);
    assert_eq!(parse_err(&m), inv("multicast address", 8));
    // MLDv2 Report: more records than bytes, a record cut in its header, its sources,
    // or its aux data.
    let mut m = REPORT_V2_DAD;
    m[7] = 3;
    assert_eq!(parse_err(&m), trunc(68, 48));
    assert_eq!(parse_err(&REPORT_V2_DAD[..20]), trunc(28, 20));
    assert_eq!(parse_err(&REPORT_V2_ALLOW[..43]), trunc(44, 43));
    let mut m = REPORT_V2_ALLOW;
    m[9] = 1;
    assert_eq!(parse_err(&m), trunc(48, 44));
    // Bad checksum.
    let mut m = DONE;
    m[3] ^= 1;
    assert!(matches!(
        Repr::parse(
            &Packet::new_checked(&m[..]).unwrap(),
            &LL_HOST,
            &ALL_ROUTERS,
            &caps()
        ),
        Err(Error::Checksum {
            layer: Layer::Icmpv6,
            ..
        })
    ));
    // The iterator over unvalidated records stops at the end of the bytes.
    let raw = RecordList {
        bytes: &REPORT_V2_DAD[8..30],
        count: 9,
    };
    assert_eq!(raw.iter().count(), 1);
}

#[test]
fn emit_errors() {
    let mut buf = [0u8; 64];
    let q = Repr::QueryV2 {
        max_resp_code: 0,
        reserved: 0,
        mcast_addr: Ipv6Addr::UNSPECIFIED,
        resv: 16,
        suppress: false,
        qrv: 0,
        qqic: 0,
        sources: AddrList::EMPTY,
        additional: &[],
    };
    let inv = |field, offset| {
        Err(Error::Invalid {
            layer: Layer::Mld,
            field,
            offset,
        })
    };
    assert_eq!(
        q.emit(&mut buf, &LL_HOST, &ALL_NODES, &caps()),
        inv("Resv", 24)
    );
    let Repr::QueryV2 { mut qrv, .. } = q else {
        unreachable!()
    };
    qrv += 8;
    let q2 = Repr::QueryV2 {
        max_resp_code: 0,
        reserved: 0,
        mcast_addr: Ipv6Addr::UNSPECIFIED,
        resv: 0,
        suppress: false,
        qrv,
        qqic: 0,
        sources: AddrList::new(&[0; 16]).unwrap(),
        additional: &[],
    };
    assert_eq!(
        q2.emit(&mut buf, &LL_HOST, &ALL_NODES, &caps()),
        inv("QRV", 24)
    );
    let q3 = Repr::QueryV2 {
        max_resp_code: 0,
        reserved: 0,
        mcast_addr: Ipv6Addr::UNSPECIFIED,
        resv: 0,
        suppress: false,
        qrv: 2,
        qqic: 0,
        sources: AddrList::new(&[0; 16]).unwrap(),
        additional: &[],
    };
    assert_eq!(
        q3.emit(&mut buf, &LL_HOST, &ALL_NODES, &caps()),
        inv("number of sources", 26)
    );
    let r = Repr::ReportV1 {
        max_resp_delay: 0,
        reserved: 0,
        mcast_addr: LL_HOST,
        additional: &[],
    };
    assert_eq!(
        r.emit(&mut buf, &LL_HOST, &ALL_NODES, &caps()),
        inv("multicast address", 8)
    );
    assert_eq!(
        Repr::QueryV1 {
            max_resp_delay: 0,
            reserved: 0,
            mcast_addr: GROUP_1234
        }
        .emit(&mut [0u8; 23], &LL_HOST, &ALL_NODES, &caps()),
        Err(Error::BufferTooSmall {
            layer: Layer::Mld,
            needed: 24,
            available: 23
        })
    );
    let mut small = [0u8; 40];
    let mut w = RecordWriter::new(&mut small);
    assert_eq!(
        w.push(RecordType::MODE_IS_INCLUDE, &GROUP_1234, &[], &[1, 2, 3]),
        inv("aux data len", 1)
    );
    assert_eq!(
        w.push(RecordType::MODE_IS_INCLUDE, &GROUP_1234, &[], &[0; 1024]),
        inv("aux data len", 1)
    );
    assert_eq!(
        w.push(RecordType::MODE_IS_INCLUDE, &GROUP_1234, &[LL_HOST], &[]),
        Ok(())
    );
    assert_eq!(
        w.push(RecordType::MODE_IS_INCLUDE, &GROUP_1234, &[], &[]),
        Err(Error::BufferTooSmall {
            layer: Layer::Mld,
            needed: 20,
            available: 4
        })
    );
    assert_eq!(w.len(), 36);
}

#[test]
fn max_resp_code_and_qqic() {
    //= https://www.rfc-editor.org/rfc/rfc3810#section-5.1.3
    //# If Maximum Response Code >= 32768, ... Maximum Response Delay =
    //# (mant | 0x1000) << (exp+3)
    assert_eq!(decode_max_resp_code(0), 0);
    assert_eq!(decode_max_resp_code(32767), 32767);
    assert_eq!(decode_max_resp_code(0x8000), 32768);
    assert_eq!(decode_max_resp_code(0xffff), 0x1fff << 10);
    assert_eq!(encode_max_resp_code(32767), 32767);
    assert_eq!(encode_max_resp_code(32768), 0x8000);
    assert_eq!(encode_max_resp_code(40000), 0x8000 | 0x0388);
    assert_eq!(encode_max_resp_code(u32::MAX), 0xffff);
    //= https://www.rfc-editor.org/rfc/rfc3810#section-5.1.9
    //# If QQIC >= 128, ... QQI = (mant | 0x10) << (exp + 3)
    assert_eq!(decode_qqic(127), 127);
    assert_eq!(decode_qqic(0x80), 128);
    assert_eq!(decode_qqic(0xff), 0x1f << 10);
    assert_eq!(encode_qqic(125), 125);
    assert_eq!(encode_qqic(128), 0x80);
    assert_eq!(encode_qqic(u32::MAX), 0xff);
}

fn arb_addr() -> impl Strategy<Value = Ipv6Addr> {
    any::<[u8; 16]>().prop_map(Ipv6Addr::from)
}

fn arb_mcast() -> impl Strategy<Value = Ipv6Addr> {
    any::<[u8; 15]>().prop_map(|t| {
        let mut o = [0xffu8; 16];
        o[1..].copy_from_slice(&t);
        Ipv6Addr::from(o)
    })
}

type OwnedRecord = (u8, Ipv6Addr, Vec<Ipv6Addr>, Vec<u8>);

fn arb_record() -> impl Strategy<Value = OwnedRecord> {
    (
        any::<u8>(),
        arb_addr(),
        proptest::collection::vec(arb_addr(), 0..4),
        (0usize..4).prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n * 4)),
    )
}

proptest! {
    #[test]
    fn round_trip(
        kind in 0u8..5,
        short in any::<u16>(),
        short2 in any::<u16>(),
        group in arb_mcast(),
        general in any::<bool>(),
        flags in any::<u8>(),
        qqic in any::<u8>(),
        sources in proptest::collection::vec(any::<u8>(), 0..4).prop_map(|v| v.len()),
        additional in proptest::collection::vec(any::<u8>(), 0..12),
        records in proptest::collection::vec(arb_record(), 0..4),
        src in arb_addr(),
        dst in arb_addr(),
    ) {
        let src_bytes: Vec<u8> = (0..sources * 16).map(|i| i as u8).collect();
        let mut rbuf = vec![0u8; 2048];
        let mut w = RecordWriter::new(&mut rbuf);
        for (t, g, s, aux) in &records {
            w.push(RecordType(*t), g, s, aux).unwrap();
        }
        let list = w.into_records();
        let got: Vec<OwnedRecord> = list
            .iter()
            .map(|r| (r.record_type.0, r.mcast_addr, r.sources.iter().collect(), r.aux_data.to_vec()))
            .collect();
        prop_assert_eq!(&got, &records);
        let repr = match kind {
            0 => Repr::QueryV1 {
                max_resp_delay: short,
                reserved: short2,
                mcast_addr: if general { Ipv6Addr::UNSPECIFIED } else { group },
            },
            1 => Repr::QueryV2 {
                max_resp_code: short,
                reserved: short2,
                mcast_addr: if general { Ipv6Addr::UNSPECIFIED } else { group },
                resv: flags >> 4,
                suppress: flags & 8 != 0,
                qrv: flags & 7,
                qqic,
                sources: if general { AddrList::EMPTY } else { AddrList::new(&src_bytes).unwrap() },
                additional: &additional,
            },
            2 => Repr::ReportV1 { max_resp_delay: short, reserved: short2, mcast_addr: group, additional: &additional },
            3 => Repr::Done { max_resp_delay: short, reserved: short2, mcast_addr: group, additional: &additional },
            _ => Repr::ReportV2 { reserved: short, records: list, additional: &additional },
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf, &src, &dst, &caps()).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, &src, &dst, &caps()).unwrap(), repr);
        let _ = repr.validate_ip(1, &src);
    }

    #[test]
    fn max_resp_code_encoding(code in 0x8000u16..=0xffff, ms in any::<u32>(), q in 0x80u8..=0xff, s in any::<u32>()) {
        // Exactly representable values encode to themselves.
        prop_assert_eq!(encode_max_resp_code(decode_max_resp_code(code)), code);
        prop_assert_eq!(encode_qqic(decode_qqic(q)), q);
        // Others round down, to within one step of the mantissa.
        let back = decode_max_resp_code(encode_max_resp_code(ms));
        prop_assert!(back <= ms);
        prop_assert!(ms.min(0x1fff << 10) - back < (back >> 12).max(1));
        let back = decode_qqic(encode_qqic(s));
        prop_assert!(back <= s);
        prop_assert!(s.min(0x1f << 10) - back < (back >> 4).max(1));
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        t in prop_oneof![Just(130u8), Just(131), Just(132), Just(143)],
        body in proptest::collection::vec(any::<u8>(), 0..120),
        src in arb_addr(),
        hop in any::<u8>(),
    ) {
        let mut bytes = vec![t, 0, 0, 0];
        bytes.extend_from_slice(&body);
        let _ = RecordList::parse(&body, u16::from(hop)).map(|(l, _)| l.iter().count());
        let raw = RecordList { bytes: &body, count: u16::MAX };
        prop_assert!(raw.iter().count() <= body.len() / RECORD_HEADER_LEN);
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.max_resp_code(), p.reserved());
            let _ = (p.mcast_addr(), p.suppress(), p.qrv(), p.qqic(), p.sources(), p.num_records());
            if let Ok(r) = Repr::parse(&p, &src, &src, &ChecksumCapabilities::offloaded()) {
                let _ = r.validate_ip(hop, &src);
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut out, &src, &src, &ChecksumCapabilities::offloaded()).unwrap();
                prop_assert_eq!(&out[4..], &bytes[4..]);
            }
        }
    }
}
