//! Tests of the IGMP wire format.

use super::*;
use proptest::prelude::*;
extern crate alloc;
use alloc::string::String;
use alloc::vec::Vec;

const CAPS: ChecksumCapabilities = ChecksumCapabilities {
    igmp: checksum::Checksum::Both,
    ..ChecksumCapabilities::offloaded()
};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, &CAPS)
}

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut out = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut out, &CAPS).unwrap();
    out
}

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

// Captured with `tcpdump -xx` on veth pairs between Linux 6.18 network namespaces
// (Ethernet and IPv4 headers removed). Reports come from sockets joining groups
// (IP_ADD_MEMBERSHIP, IP_ADD_SOURCE_MEMBERSHIP, with `force_igmp_version` 1 and 2
// for the older versions); queries from a Linux bridge with `mcast_querier 1`.

/// Joining 239.1.2.3 (any source): CHANGE_TO_EXCLUDE with no sources.
const V3_JOIN: &str = "2200e8f90000000104000000ef010203";
/// Joining 232.1.1.1 from source 10.0.0.2: ALLOW_NEW_SOURCES with one source.
const V3_ALLOW_ONE: &str = "2200e5f80000000105000001e80101010a000002";
/// Adding source 10.0.0.9 while the first retransmission is pending: two sources.
const V3_ALLOW_TWO: &str = "2200dbee0000000105000002e80101010a0000020a000009";
/// Dropping source 10.0.0.2: BLOCK_OLD_SOURCES.
const V3_BLOCK: &str = "2200e4f80000000106000001e80101010a000002";
/// Leaving 239.7.7.7: CHANGE_TO_INCLUDE with no sources.
const V3_LEAVE: &str = "2200e4ef0000000103000000ef070707";
const V2_REPORT: &str = "1600f1ecef090909";
const V2_LEAVE: &str = "1700f0ecef090909";
const V1_REPORT: &str = "1200f9f4ef050505";
/// General query: Max Resp Code 100 (10 s), QRV 2, QQIC 125 s.
const V3_GENERAL_QUERY: &str = "1164ec1e00000000027d0000";
/// Group-specific query for 239.7.7.7 after the leave: Max Resp Code 10 (1 s).
const V3_GROUP_QUERY: &str = "110af669ef070707027d0000";
/// The bridge's general query after `mcast_igmp_version 2`.
const V2_GENERAL_QUERY: &str = "1164ee9b00000000";

// Messages no capture here produced; checksums computed with an independent RFC 1071
// implementation (a few lines of Python).
/// A version 1 general query.
const V1_QUERY: &str = "1100eeff00000000";
/// A group-and-source-specific query for 232.1.1.1, sources 10.0.0.2 and 10.0.0.9,
/// S flag set, QRV 2, Max Resp Code 0x8c (224 tenths), QQIC 0x90 (256 s).
const V3_SOURCE_QUERY: &str = "118ce6d3e80101010a9000020a0000020a000009";
/// Two records: MODE_IS_EXCLUDE 239.1.2.3 with one word of aux data (de ad be ef),
/// and MODE_IS_INCLUDE 232.1.1.1 from 10.0.0.2.
const V3_TWO_RECORDS: &str = "220059540000000202010000ef010203deadbeef01000001e80101010a000002";

const CAPTURED: [&str; 11] = [
    V3_JOIN,
    V3_ALLOW_ONE,
    V3_ALLOW_TWO,
    V3_BLOCK,
    V3_LEAVE,
    V2_REPORT,
    V2_LEAVE,
    V1_REPORT,
    V3_GENERAL_QUERY,
    V3_GROUP_QUERY,
    V2_GENERAL_QUERY,
];

#[test]
fn every_vector_round_trips() {
    for h in CAPTURED
        .iter()
        .chain(&[V1_QUERY, V3_SOURCE_QUERY, V3_TWO_RECORDS])
    {
        let bytes = hex(h);
        let r = parse(&bytes).unwrap();
        assert_eq!(emit(&r), bytes, "{r}");
    }
}

#[test]
fn v3_reports() {
    let bytes = hex(V3_JOIN);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(p.msg_type(), Message::V3_MEMBERSHIP_REPORT);
    assert_eq!(p.num_group_records(), 1);
    assert_eq!(p.query_version(), None);
    assert_eq!(p.records(), &bytes[8..]);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::MembershipReportV3 {
            records: &bytes[8..]
        }
    );
    let recs: Vec<_> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(
        recs,
        vec![GroupRecord {
            record_type: RecordType::CHANGE_TO_EXCLUDE,
            aux_data: &[],
            multicast_addr: ip(239, 1, 2, 3),
            sources: &[],
        }]
    );
    assert_eq!(
        format!("{r}"),
        "igmp v3 report, 1 group record(s) [gaddr 239.1.2.3 to_ex, 0 source(s)]"
    );
    assert_eq!(
        (r.group_addr(), r.query_version(), r.max_resp_time()),
        (None, None, None)
    );

    let bytes = hex(V3_ALLOW_TWO);
    let r = parse(&bytes).unwrap();
    let rec = r.records().next().unwrap().unwrap();
    assert_eq!(rec.record_type, RecordType::ALLOW_NEW_SOURCES);
    assert_eq!(rec.multicast_addr, ip(232, 1, 1, 1));
    assert_eq!(rec.num_sources(), 2);
    assert_eq!(
        rec.sources().collect::<Vec<_>>(),
        vec![ip(10, 0, 0, 2), ip(10, 0, 0, 9)]
    );
    assert_eq!(
        format!("{r}"),
        "igmp v3 report, 1 group record(s) [gaddr 232.1.1.1 allow, 2 source(s)]"
    );

    for (h, t) in [
        (V3_ALLOW_ONE, RecordType::ALLOW_NEW_SOURCES),
        (V3_BLOCK, RecordType::BLOCK_OLD_SOURCES),
        (V3_LEAVE, RecordType::CHANGE_TO_INCLUDE),
    ] {
        let bytes = hex(h);
        let r = parse(&bytes).unwrap();
        assert_eq!(r.records().next().unwrap().unwrap().record_type, t);
    }
}

#[test]
fn v3_report_with_aux_data_and_two_records() {
    let bytes = hex(V3_TWO_RECORDS);
    let r = parse(&bytes).unwrap();
    let recs: Vec<_> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].record_type, RecordType::MODE_IS_EXCLUDE);
    assert_eq!(recs[0].aux_data, &[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(recs[0].num_sources(), 0);
    assert_eq!(recs[1].record_type, RecordType::MODE_IS_INCLUDE);
    assert_eq!(recs[1].sources().collect::<Vec<_>>(), vec![ip(10, 0, 0, 2)]);
    // Built with the writers, the records come out the same.
    let mut src = [0u8; 4];
    let sources = write_addrs(&mut src, &[ip(10, 0, 0, 2)]).unwrap();
    let mut storage = [0u8; 64];
    let mut w = GroupRecordsWriter::new(&mut storage);
    w.push(&GroupRecord {
        record_type: RecordType::MODE_IS_EXCLUDE,
        aux_data: &[0xde, 0xad, 0xbe, 0xef],
        multicast_addr: ip(239, 1, 2, 3),
        sources: &[],
    })
    .unwrap();
    w.push(&GroupRecord {
        record_type: RecordType::MODE_IS_INCLUDE,
        aux_data: &[],
        multicast_addr: ip(232, 1, 1, 1),
        sources,
    })
    .unwrap();
    let records = w.finish();
    assert_eq!(records, &bytes[8..]);
    assert_eq!(emit(&Repr::MembershipReportV3 { records }), bytes);
}

#[test]
fn v1_v2_messages() {
    let cases = [
        (
            V2_REPORT,
            Repr::MembershipReportV2 {
                group_addr: ip(239, 9, 9, 9),
            },
            "igmp v2 report 239.9.9.9",
        ),
        (
            V2_LEAVE,
            Repr::LeaveGroup {
                group_addr: ip(239, 9, 9, 9),
            },
            "igmp leave 239.9.9.9",
        ),
        (
            V1_REPORT,
            Repr::MembershipReportV1 {
                group_addr: ip(239, 5, 5, 5),
            },
            "igmp v1 report 239.5.5.5",
        ),
    ];
    for (h, want, text) in cases {
        let bytes = hex(h);
        let r = parse(&bytes).unwrap();
        assert_eq!(r, want);
        assert_eq!(format!("{r}"), text);
        assert_eq!(r.header_len(), 8);
        assert_eq!(r.sources().len(), 0);
        assert_eq!(r.records().count(), 0);
        assert!(r.group_addr().is_some());
    }
}

#[test]
fn queries_by_length() {
    // Version 2: 8 bytes, Max Resp Time 100 (10 s).
    let bytes = hex(V2_GENERAL_QUERY);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(p.query_version(), Some(QueryVersion::V2));
    assert_eq!(
        (p.s_flag(), p.qrv(), p.qqic(), p.num_sources()),
        (false, 0, 0, 0)
    );
    assert_eq!(p.sources(), &[] as &[u8]);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::MembershipQuery {
            max_resp_time: 100,
            group_addr: Ipv4Addr::UNSPECIFIED
        }
    );
    assert_eq!(r.max_resp_time(), Some(Duration::from_secs(10)));
    assert_eq!(r.query_interval(), None);
    assert_eq!(format!("{r}"), "igmp query v2");

    // Version 1: 8 bytes, Max Resp Code 0, which means 10 s.
    let bytes = hex(V1_QUERY);
    let r = parse(&bytes).unwrap();
    assert_eq!(r.query_version(), Some(QueryVersion::V1));
    assert_eq!(r.max_resp_time(), Some(Duration::from_secs(10)));
    assert_eq!(format!("{r}"), "igmp query v1");

    // Version 3: 12 bytes or more.
    let bytes = hex(V3_GENERAL_QUERY);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(p.query_version(), Some(QueryVersion::V3));
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::MembershipQueryV3 {
            max_resp_code: 100,
            group_addr: Ipv4Addr::UNSPECIFIED,
            s_flag: false,
            qrv: 2,
            qqic: 125,
            sources: &[]
        }
    );
    assert_eq!(r.query_interval(), Some(Duration::from_secs(125)));
    assert_eq!(format!("{r}"), "igmp query v3");

    let bytes = hex(V3_GROUP_QUERY);
    let r = parse(&bytes).unwrap();
    assert_eq!(r.group_addr(), Some(ip(239, 7, 7, 7)));
    assert_eq!(r.max_resp_time(), Some(Duration::from_secs(1)));
    assert_eq!(
        format!("{r}"),
        "igmp query v3 [max resp time 1.0s] [gaddr 239.7.7.7]"
    );

    let bytes = hex(V3_SOURCE_QUERY);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert!(p.s_flag());
    assert_eq!((p.qrv(), p.num_sources()), (2, 2));
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r.sources().collect::<Vec<_>>(),
        vec![ip(10, 0, 0, 2), ip(10, 0, 0, 9)]
    );
    assert_eq!(r.max_resp_time(), Some(Duration::from_millis(22_400)));
    assert_eq!(r.query_interval(), Some(Duration::from_secs(256)));
    assert_eq!(
        format!("{r}"),
        "igmp query v3 [max resp time 22.4s] [gaddr 232.1.1.1] 2 source(s)"
    );

    // A v3 query with data after the sources: checksummed, otherwise ignored.
    let mut long = hex(V3_GENERAL_QUERY);
    long.extend([1, 2, 3, 4]);
    Packet::new_unchecked(&mut long[..]).fill_checksum();
    let r = parse(&long).unwrap();
    assert_eq!(r, parse(&hex(V3_GENERAL_QUERY)).unwrap());
    assert_eq!(r.buffer_len(), 12);
}

/// `h` with `edit` applied and the checksum recomputed.
fn edited(h: &str, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = hex(h);
    edit(&mut b);
    Packet::new_unchecked(&mut b[..]).fill_checksum();
    b
}

fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Igmp,
        field,
        offset,
    }
}

fn truncated(needed: usize, available: usize) -> Error {
    Error::Truncated {
        layer: Layer::Igmp,
        needed,
        available,
    }
}

#[test]
fn parse_errors() {
    for n in 0..8 {
        assert_eq!(
            Packet::new_checked(&hex(V2_REPORT)[..n]).unwrap_err(),
            truncated(8, n)
        );
    }
    // Queries of 9, 10 and 11 bytes are neither v1/v2 nor v3.
    for n in 9..12 {
        let b = edited(V3_GENERAL_QUERY, |b| b.truncate(n));
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.query_version(), None);
        assert_eq!(
            Repr::parse(&p, &CAPS).unwrap_err(),
            invalid("query length", 8)
        );
    }
    // Sources announced past the end.
    let b = edited(V3_SOURCE_QUERY, |b| b.truncate(19));
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(20, 19));
    // Records announced past the end: a second record that is not there, a record
    // header cut short, sources cut short, aux data cut short.
    let b = edited(V3_JOIN, |b| b[7] = 2);
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(24, 16));
    let b = edited(V3_JOIN, |b| b.truncate(12));
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(16, 12));
    let b = edited(V3_ALLOW_TWO, |b| b.truncate(23));
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(24, 23));
    let b = edited(V3_JOIN, |b| b[9] = 1);
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(20, 16));
    // Group addresses that are not multicast.
    for h in [V2_REPORT, V2_LEAVE, V1_REPORT] {
        let b = edited(h, |b| b[4] = 10);
        assert_eq!(parse(&b).unwrap_err(), invalid("group address", 4));
        let b = edited(h, |b| b[4..8].fill(0));
        assert_eq!(parse(&b).unwrap_err(), invalid("group address", 4));
    }
    for h in [V2_GENERAL_QUERY, V3_GENERAL_QUERY] {
        let b = edited(h, |b| b[4] = 10);
        assert_eq!(parse(&b).unwrap_err(), invalid("group address", 4));
    }
    let b = edited(V3_TWO_RECORDS, |b| b[24] = 192);
    assert_eq!(parse(&b).unwrap_err(), invalid("multicast address", 24));
    // Unknown and unhandled types.
    for t in [0x13, 0x1e, 0x30, 0x00, 0xff] {
        let b = edited(V2_REPORT, |b| b[0] = t);
        assert_eq!(
            parse(&b).unwrap_err(),
            Error::Unsupported {
                layer: Layer::Igmp,
                field: "type",
                offset: 0
            }
        );
    }
    // Checksum.
    let mut b = hex(V2_REPORT);
    b[7] = 0x0a;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &CAPS).unwrap_err(),
        Error::Checksum {
            layer: Layer::Igmp,
            found: 0xf1ec,
            expected: 0xf1eb
        }
    );
    assert!(Repr::parse(&p, &ChecksumCapabilities::offloaded()).is_ok());
}

#[test]
fn reserved_and_trailing_bytes_are_ignored() {
    // A v2 report's Max Resp Time, the v3 query Resv bits, the v3 report Reserved
    // fields, and data after a message: accepted, and emitted as zero / dropped.
    let b = edited(V2_REPORT, |b| b[1] = 7);
    assert_eq!(emit(&parse(&b).unwrap()), hex(V2_REPORT));
    let b = edited(V3_GENERAL_QUERY, |b| b[8] |= 0xf0);
    assert_eq!(emit(&parse(&b).unwrap()), hex(V3_GENERAL_QUERY));
    let b = edited(V3_JOIN, |b| {
        b[1] = 1;
        b[4] = 2;
        b[5] = 3;
    });
    assert_eq!(emit(&parse(&b).unwrap()), hex(V3_JOIN));
    let b = edited(V3_JOIN, |b| b.extend([9; 8]));
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.records().len(), 8);
    assert_eq!(emit(&Repr::parse(&p, &CAPS).unwrap()), hex(V3_JOIN));
    let b = edited(V2_LEAVE, |b| b.extend([1, 2, 3, 4]));
    assert_eq!(emit(&parse(&b).unwrap()), hex(V2_LEAVE));
}

#[test]
fn emit_errors() {
    let sq = hex(V3_SOURCE_QUERY);
    let r = parse(&sq).unwrap();
    assert_eq!(
        r.emit(&mut [0u8; 19], &CAPS).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Igmp,
            needed: 20,
            available: 19
        }
    );
    let Repr::MembershipQueryV3 { sources, .. } = r else {
        unreachable!()
    };
    let q = |qrv, sources, group_addr| Repr::MembershipQueryV3 {
        max_resp_code: 1,
        group_addr,
        s_flag: false,
        qrv,
        qqic: 0,
        sources,
    };
    let mut buf = [0u8; 64];
    assert_eq!(
        q(8, sources, Ipv4Addr::UNSPECIFIED)
            .emit(&mut buf, &CAPS)
            .unwrap_err(),
        invalid("QRV", 8)
    );
    assert_eq!(
        q(2, &sources[..5], Ipv4Addr::UNSPECIFIED)
            .emit(&mut buf, &CAPS)
            .unwrap_err(),
        invalid("number of sources", 10)
    );
    assert_eq!(
        q(2, sources, ip(10, 0, 0, 1))
            .emit(&mut buf, &CAPS)
            .unwrap_err(),
        invalid("group address", 4)
    );
    assert_eq!(
        Repr::LeaveGroup {
            group_addr: Ipv4Addr::UNSPECIFIED
        }
        .emit(&mut buf, &CAPS)
        .unwrap_err(),
        invalid("group address", 4)
    );
    // Malformed records: cut short, or a unicast group.
    let join = hex(V3_JOIN);
    assert_eq!(
        Repr::MembershipReportV3 {
            records: &join[8..14]
        }
        .emit(&mut buf, &CAPS)
        .unwrap_err(),
        truncated(16, 14)
    );
    let mut bad = join.clone();
    bad[12] = 10;
    assert_eq!(
        Repr::MembershipReportV3 { records: &bad[8..] }
            .emit(&mut buf, &CAPS)
            .unwrap_err(),
        invalid("multicast address", 12)
    );
    // Record writer errors.
    let rec = |aux_data, sources, multicast_addr| GroupRecord {
        record_type: RecordType::MODE_IS_INCLUDE,
        aux_data,
        multicast_addr,
        sources,
    };
    let g = ip(239, 1, 1, 1);
    assert_eq!(
        rec(&[1, 2], &[], g).emit(&mut buf).unwrap_err(),
        invalid("aux data len", 1)
    );
    assert_eq!(
        rec(&[0; 1024], &[], g).emit(&mut [0u8; 2048]).unwrap_err(),
        invalid("aux data len", 1)
    );
    assert_eq!(
        rec(&[], &[1, 2, 3], g).emit(&mut buf).unwrap_err(),
        invalid("number of sources", 2)
    );
    assert_eq!(
        rec(&[], &[], ip(1, 1, 1, 1)).emit(&mut buf).unwrap_err(),
        invalid("multicast address", 4)
    );
    let mut small = [0u8; 12];
    let mut w = GroupRecordsWriter::new(&mut small);
    w.push(&rec(&[], &[], g)).unwrap();
    assert_eq!(
        w.push(&rec(&[], &[], g)).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Igmp,
            needed: 16,
            available: 12
        }
    );
    assert_eq!(w.finish().len(), 8);
    assert!(matches!(
        write_addrs(&mut [0u8; 7], &[g, g]).unwrap_err(),
        Error::BufferTooSmall { needed: 8, .. }
    ));
    // With the checksum offloaded the field stays 0.
    let v2 = hex(V2_REPORT);
    let r = parse(&v2).unwrap();
    let mut out = [0xffu8; 8];
    r.emit(&mut out, &ChecksumCapabilities::offloaded())
        .unwrap();
    assert_eq!(out, [0x16, 0, 0, 0, 239, 9, 9, 9]);
}

#[test]
fn code_encoding() {
    //= https://www.rfc-editor.org/rfc/rfc3376#section-4.1.1
    // 0x80: exp 0, mant 0 -> 16 << 3 = 128; 0xff: exp 7, mant 15 -> 31 << 10.
    assert_eq!(decode_code(0), 0);
    assert_eq!(decode_code(127), 127);
    assert_eq!(decode_code(0x80), 128);
    assert_eq!(decode_code(0x8c), 224);
    assert_eq!(decode_code(0x90), 256);
    assert_eq!(decode_code(0xff), 31_744);
    assert_eq!(encode_code(100), 100);
    assert_eq!(encode_code(128), 0x80);
    assert_eq!(encode_code(135), 0x80);
    assert_eq!(encode_code(136), 0x81);
    assert_eq!(encode_code(31_744), 0xff);
    assert_eq!(encode_code(u32::MAX), 0xff);
    // Every code encodes back to itself, and decoding is monotonic.
    for code in 0..=255u8 {
        assert_eq!(encode_code(decode_code(code)), code);
        if code > 0 {
            assert!(decode_code(code) > decode_code(code - 1));
        }
    }
}

#[test]
fn names() {
    assert_eq!(format!("{:?}", Message::LEAVE_GROUP), "leave");
    assert_eq!(format!("{}", RecordType::BLOCK_OLD_SOURCES), "block");
    assert_eq!(format!("{:?}", RecordType(9)), "RecordType(0x9)");
    assert_eq!(Message::V3_MEMBERSHIP_REPORT.0, 0x22);
    assert_eq!(
        (ALL_SYSTEMS, ALL_ROUTERS, ALL_V3_ROUTERS),
        (ip(224, 0, 0, 1), ip(224, 0, 0, 2), ip(224, 0, 0, 22))
    );
    let mut buf = [0u8; 8];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.set_msg_type(Message::MEMBERSHIP_QUERY);
    p.set_max_resp_code(5);
    p.set_group_addr(ip(239, 0, 0, 1));
    p.fill_checksum();
    assert_eq!(p.verify_checksum(), Ok(()));
    assert_eq!(p.into_inner()[..2], [0x11, 5]);
}

fn arb_group() -> impl Strategy<Value = Ipv4Addr> {
    (224u8..240, any::<[u8; 3]>()).prop_map(|(a, [b, c, d])| Ipv4Addr::new(a, b, c, d))
}

fn arb_records() -> impl Strategy<Value = Vec<(u8, Vec<u8>, Ipv4Addr, Vec<u32>)>> {
    proptest::collection::vec(
        (
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..3).prop_map(|w| w.repeat(4)),
            arb_group(),
            proptest::collection::vec(any::<u32>(), 0..5),
        ),
        0..5,
    )
}

proptest! {
    #[test]
    fn round_trip(
        variant in 0u8..6,
        code in any::<u8>(),
        group in arb_group(),
        query_general in any::<bool>(),
        s_flag in any::<bool>(),
        qrv in 0u8..8,
        qqic in any::<u8>(),
        sources in proptest::collection::vec(any::<u32>(), 0..20),
        records in arb_records(),
    ) {
        let qgroup = if query_general { Ipv4Addr::UNSPECIFIED } else { group };
        let mut src_buf = vec![0u8; 80];
        let addrs: Vec<Ipv4Addr> = sources.iter().map(|&s| Ipv4Addr::from(s)).collect();
        let src = write_addrs(&mut src_buf, &addrs).unwrap();
        let mut rec_storage = vec![0u8; 1024];
        let mut rec_src = vec![vec![0u8; 20]; records.len()];
        let mut w = GroupRecordsWriter::new(&mut rec_storage);
        for ((t, aux, g, srcs), store) in records.iter().zip(rec_src.iter_mut()) {
            let a: Vec<Ipv4Addr> = srcs.iter().map(|&s| Ipv4Addr::from(s)).collect();
            let sources = write_addrs(store, &a).unwrap();
            w.push(&GroupRecord { record_type: RecordType(*t), aux_data: aux, multicast_addr: *g, sources }).unwrap();
        }
        let recs = w.finish();
        let repr = match variant {
            0 => Repr::MembershipQuery { max_resp_time: code, group_addr: qgroup },
            1 => Repr::MembershipQueryV3 { max_resp_code: code, group_addr: qgroup, s_flag, qrv, qqic, sources: src },
            2 => Repr::MembershipReportV1 { group_addr: group },
            3 => Repr::MembershipReportV2 { group_addr: group },
            4 => Repr::LeaveGroup { group_addr: group },
            _ => Repr::MembershipReportV3 { records: recs },
        };
        let bytes = emit(&repr);
        prop_assert_eq!(parse(&bytes).unwrap(), repr);
        if let Repr::MembershipReportV3 { .. } = repr {
            prop_assert_eq!(repr.records().count(), records.len());
            for (got, want) in repr.records().zip(&records) {
                let got = got.unwrap();
                prop_assert_eq!(got.record_type, RecordType(want.0));
                prop_assert_eq!(got.aux_data, &want.1[..]);
                prop_assert_eq!(got.sources().map(u32::from).collect::<Vec<_>>(), want.3.clone());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..80), fix in any::<bool>()) {
        if fix && bytes.len() >= 8 {
            bytes[0] = [0x11, 0x12, 0x16, 0x17, 0x22][usize::from(bytes[0]) % 5];
            if bytes[0] == 0x22 {
                bytes[6] = 0;
                bytes[7] %= 3;
            }
            if bytes[0] == 0x11 && bytes.len() >= 12 {
                bytes[10] = 0;
                bytes[11] %= 4;
            }
            Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        }
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.msg_type(), p.max_resp_code(), p.checksum(), p.group_addr(), p.query_version());
            let _ = (p.s_flag(), p.qrv(), p.qqic(), p.num_sources(), p.sources(), p.num_group_records(), p.records());
            if let Ok(r) = Repr::parse(&p, &CAPS) {
                let _ = (format!("{r}"), r.max_resp_time(), r.query_interval(), r.sources().count());
                for rec in r.records() {
                    let rec = rec.unwrap();
                    let _ = (format!("{rec}"), rec.sources().count());
                }
                // Re-emitting gives the message back, minus reserved bits and
                // trailing data, which emit writes as zero / leaves out.
                let out = emit(&r);
                prop_assert_eq!(parse(&out).unwrap(), r);
                prop_assert_eq!(out.len(), r.buffer_len());
            }
        }
        let _ = GroupRecords::new(&bytes).take(100).count();
    }
}
