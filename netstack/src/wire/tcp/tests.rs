//! Tests for the TCP wire format.

// The sequence-number tests spell out each comparison on purpose, incomparable
// pairs included; `std` is what tests have (lib.rs has no `alloc`).
#![allow(
    clippy::nonminimal_bool,
    clippy::neg_cmp_op_on_partial_ord,
    clippy::std_instead_of_alloc
)]

use super::*;
use crate::wire::checksum::Checksum;
use core::net::{Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;
use std::string::ToString;
use std::vec::Vec;

const A4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 1));
const B4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 2));
const A6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 1));
const B6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2));

// Segments as Linux 6.18 sent them, captured for these tests: two network namespaces
// joined by a veth pair (checksum and segmentation offloads off with ethtool, so the
// checksums on the wire are the kernel's), `curl` in one fetching a file from
// `python3 -m http.server` in the other, over IPv4 (10.99.0.1 -> 10.99.0.2) and IPv6
// (fd00:99::1 -> fd00:99::2), with an nftables rule dropping 5% of the incoming data
// so that the client sent SACK blocks; `tcpdump -w` on the client's veth, TCP header
// and data cut out of each frame at the IP payload length. The second capture turned
// on `net.ipv4.tcp_ecn=1` for the ECN SYN, connected to a closed port for the RST,
// and then turned off timestamps, SACK and window scaling for the MSS-only SYN. The
// comment above each is tcpdump 4.99.3's `-nS` line for it.
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [S], seq 1323668766, win 64240,
//   options [mss 1460,sackOK,TS val 2601387310 ecr 0,nop,wscale 10], length 0
const SYN4: [u8; 40] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x1e, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
    0x08, 0x31, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x2e,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
];
// IP 10.99.0.2.8080 > 10.99.0.1.35906: Flags [S.], seq 1617930642, ack 1323668767,
//   win 65160, options [mss 1460,sackOK,TS val 3893314707 ecr 2601387310,nop,wscale 10]
const SYN_ACK4: [u8; 40] = [
    0x1f, 0x90, 0x8c, 0x42, 0x60, 0x6f, 0xa9, 0x92, 0x4e, 0xe5, 0x95, 0x1f, 0xa0, 0x12, 0xfe, 0x88,
    0xcd, 0xe2, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xe8, 0x0f, 0x44, 0x93,
    0x9b, 0x0e, 0x05, 0x2e, 0x01, 0x03, 0x03, 0x0a,
];
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [P.], seq 1323668767:1323668852,
//   ack 1617930643, win 63, options [nop,nop,TS val 2601387310 ecr 3893314707],
//   length 85: HTTP: GET /big.bin HTTP/1.1
const GET4: [u8; 117] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x1f, 0x60, 0x6f, 0xa9, 0x93, 0x80, 0x18, 0x00, 0x3f,
    0x29, 0xe4, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x2e, 0xe8, 0x0f, 0x44, 0x93,
    0x47, 0x45, 0x54, 0x20, 0x2f, 0x62, 0x69, 0x67, 0x2e, 0x62, 0x69, 0x6e, 0x20, 0x48, 0x54, 0x54,
    0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x31, 0x30, 0x2e,
    0x39, 0x39, 0x2e, 0x30, 0x2e, 0x32, 0x3a, 0x38, 0x30, 0x38, 0x30, 0x0d, 0x0a, 0x55, 0x73, 0x65,
    0x72, 0x2d, 0x41, 0x67, 0x65, 0x6e, 0x74, 0x3a, 0x20, 0x63, 0x75, 0x72, 0x6c, 0x2f, 0x37, 0x2e,
    0x38, 0x38, 0x2e, 0x31, 0x0d, 0x0a, 0x41, 0x63, 0x63, 0x65, 0x70, 0x74, 0x3a, 0x20, 0x2a, 0x2f,
    0x2a, 0x0d, 0x0a, 0x0d, 0x0a,
];
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [.], ack 1617954015, win 80, options
//   [nop,nop,TS val 2601387312 ecr 3893314709,nop,nop,sack 1 {1617955463:1617956911}]
const SACK1: [u8; 44] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x74, 0x60, 0x70, 0x04, 0xdf, 0xb0, 0x10, 0x00, 0x50,
    0x8d, 0x97, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x30, 0xe8, 0x0f, 0x44, 0x95,
    0x01, 0x01, 0x05, 0x0a, 0x60, 0x70, 0x0a, 0x87, 0x60, 0x70, 0x10, 0x2f,
];
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [.], ack 1617954015, win 80, options
//   [nop,nop,TS val 2601387312 ecr 3893314709,nop,nop,
//   sack 2 {1617971391:1617981527}{1617955463:1617969943}]
const SACK2: [u8; 52] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x74, 0x60, 0x70, 0x04, 0xdf, 0xd0, 0x10, 0x00, 0x50,
    0xc0, 0xa7, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x30, 0xe8, 0x0f, 0x44, 0x95,
    0x01, 0x01, 0x05, 0x12, 0x60, 0x70, 0x48, 0xbf, 0x60, 0x70, 0x70, 0x57, 0x60, 0x70, 0x0a, 0x87,
    0x60, 0x70, 0x43, 0x17,
];
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [.], ack 1618142367, win 130, options
//   [nop,nop,TS val 2601387313 ecr 3893314710,nop,nop,
//   sack 3 {1618169879:1618171327}{1618152503:1618168431}{1618143815:1618151055}]
const SACK3: [u8; 60] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x74, 0x60, 0x72, 0xe4, 0x9f, 0xf0, 0x10, 0x00, 0x82,
    0x19, 0x10, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x31, 0xe8, 0x0f, 0x44, 0x96,
    0x01, 0x01, 0x05, 0x1a, 0x60, 0x73, 0x50, 0x17, 0x60, 0x73, 0x55, 0xbf, 0x60, 0x73, 0x0c, 0x37,
    0x60, 0x73, 0x4a, 0x6f, 0x60, 0x72, 0xea, 0x47, 0x60, 0x73, 0x06, 0x8f,
];
// IP 10.99.0.1.35906 > 10.99.0.2.8080: Flags [F.], seq 1323668852, ack 1618330847,
//   win 455, options [nop,nop,TS val 2601387314 ecr 3893314711], length 0
const FIN4: [u8; 32] = [
    0x8c, 0x42, 0x1f, 0x90, 0x4e, 0xe5, 0x95, 0x74, 0x60, 0x75, 0xc4, 0xdf, 0x80, 0x11, 0x01, 0xc7,
    0xdd, 0xc3, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9b, 0x0e, 0x05, 0x32, 0xe8, 0x0f, 0x44, 0x97,
];
// IP6 fd00:99::1.33218 > fd00:99::2.8080: Flags [S], seq 2618618737, win 64800,
//   options [mss 1440,sackOK,TS val 2629084584 ecr 0,nop,wscale 10], length 0
const SYN6: [u8; 40] = [
    0x81, 0xc2, 0x1f, 0x90, 0x9c, 0x14, 0xf3, 0x71, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfd, 0x20,
    0xdc, 0x83, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x9c, 0xb4, 0xa5, 0xa8,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
];
// IP6 fd00:99::2.8080 > fd00:99::1.33218: Flags [S.], seq 949743, ack 2618618738,
//   win 64260, options [mss 1440,sackOK,TS val 3335650871 ecr 2629084584,nop,wscale 10]
const SYN_ACK6: [u8; 40] = [
    0x1f, 0x90, 0x81, 0xc2, 0x00, 0x0e, 0x7d, 0xef, 0x9c, 0x14, 0xf3, 0x72, 0xa0, 0x12, 0xfb, 0x04,
    0x9b, 0x87, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0xc6, 0xd1, 0xfe, 0x37,
    0x9c, 0xb4, 0xa5, 0xa8, 0x01, 0x03, 0x03, 0x0a,
];
// IP6 fd00:99::1.33218 > fd00:99::2.8080: Flags [.], ack 979936, win 70, options
//   [nop,nop,TS val 2629084586 ecr 3335650872,nop,nop,sack 1 {981364:982792}]
const SACK6: [u8; 44] = [
    0x81, 0xc2, 0x1f, 0x90, 0x9c, 0x14, 0xf3, 0xca, 0x00, 0x0e, 0xf3, 0xe0, 0xb0, 0x10, 0x00, 0x46,
    0x20, 0x05, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x9c, 0xb4, 0xa5, 0xaa, 0xc6, 0xd1, 0xfe, 0x38,
    0x01, 0x01, 0x05, 0x0a, 0x00, 0x0e, 0xf9, 0x74, 0x00, 0x0e, 0xff, 0x08,
];
// IP 10.99.0.1.35868 > 10.99.0.2.8080: Flags [SEW], seq 3551836957, win 64240,
//   options [mss 1460,sackOK,TS val 2091955975 ecr 0,nop,wscale 10], length 0
const ECN_SYN4: [u8; 40] = [
    0x8c, 0x1c, 0x1f, 0x90, 0xd3, 0xb4, 0xbb, 0x1d, 0x00, 0x00, 0x00, 0x00, 0xa0, 0xc2, 0xfa, 0xf0,
    0xc9, 0x4c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x7c, 0xb0, 0xb7, 0x07,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
];
// IP 10.99.0.2.8080 > 10.99.0.1.35868: Flags [S.E], seq 3560834790, ack 3551836958,
//   win 65160, options [mss 1460,sackOK,TS val 1946617236 ecr 2091955975,nop,wscale 10]
const ECN_SYN_ACK4: [u8; 40] = [
    0x1f, 0x90, 0x8c, 0x1c, 0xd4, 0x3e, 0x06, 0xe6, 0xd3, 0xb4, 0xbb, 0x1e, 0xa0, 0x52, 0xfe, 0x88,
    0x71, 0x63, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x74, 0x07, 0x05, 0x94,
    0x7c, 0xb0, 0xb7, 0x07, 0x01, 0x03, 0x03, 0x0a,
];
// IP 10.99.0.2.8081 > 10.99.0.1.47346: Flags [R.], seq 0, ack 3593172400, win 0, length 0
const RST4: [u8; 20] = [
    0x1f, 0x91, 0xb8, 0xf2, 0x00, 0x00, 0x00, 0x00, 0xd6, 0x2b, 0x75, 0xb0, 0x50, 0x14, 0x00, 0x00,
    0x76, 0xa8, 0x00, 0x00,
];
// IP 10.99.0.1.35870 > 10.99.0.2.8080: Flags [S], seq 4031939912, win 64240,
//   options [mss 1460], length 0
const MSS_SYN4: [u8; 24] = [
    0x8c, 0x1e, 0x1f, 0x90, 0xf0, 0x52, 0x85, 0x48, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
    0x67, 0x23, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
];
// IP 10.99.0.2.8080 > 10.99.0.1.35870: Flags [P.], seq 3697597763:3697597769,
//   ack 4031940000, win 64153, length 6: HTTP ("hello\n")
const DATA4: [u8; 26] = [
    0x1f, 0x90, 0x8c, 0x1e, 0xdc, 0x64, 0xdd, 0x43, 0xf0, 0x52, 0x85, 0xa0, 0x50, 0x18, 0xfa, 0x99,
    0x81, 0x3d, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a,
];

/// Every captured segment with its addresses.
const CAPTURED: [(&[u8], IpAddr, IpAddr); 15] = [
    (&SYN4, A4, B4),
    (&SYN_ACK4, B4, A4),
    (&GET4, A4, B4),
    (&SACK1, A4, B4),
    (&SACK2, A4, B4),
    (&SACK3, A4, B4),
    (&FIN4, A4, B4),
    (&SYN6, A6, B6),
    (&SYN_ACK6, B6, A6),
    (&SACK6, A6, B6),
    (&ECN_SYN4, A4, B4),
    (&ECN_SYN_ACK4, B4, A4),
    (&RST4, B4, A4),
    (&MSS_SYN4, A4, B4),
    (&DATA4, B4, A4),
];

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

fn caps_tcp(c: Checksum) -> ChecksumCapabilities {
    ChecksumCapabilities {
        tcp: c,
        ..ChecksumCapabilities::default()
    }
}

fn parse<'a>(bytes: &'a [u8], src: &IpAddr, dst: &IpAddr) -> Result<Repr<'a>> {
    let p = Packet::new_checked(bytes)?;
    Repr::parse(&p, src, dst, &caps())
}

fn options(bytes: &[u8]) -> Vec<TcpOption<'_>> {
    OptionsIter::new(bytes).map(|o| o.unwrap()).collect()
}

fn sack(blocks: &[(u32, u32)]) -> TcpOption<'static> {
    let b: Vec<_> = blocks
        .iter()
        .map(|&(l, r)| (SeqNumber(l), SeqNumber(r)))
        .collect();
    TcpOption::SackRange(SackBlocks::new(&b).unwrap())
}

/// Re-emits `bytes` from its Repr over a zeroed header and compares.
fn assert_reemits(bytes: &[u8], src: &IpAddr, dst: &IpAddr) {
    let repr = parse(bytes, src, dst).unwrap();
    let mut out = bytes.to_vec();
    out[..repr.header_len()].fill(0);
    repr.emit(&mut out, src, dst, &caps()).unwrap();
    assert_eq!(out, bytes);
}

#[test]
fn captured_segments_reemit_identically() {
    for (bytes, src, dst) in CAPTURED {
        let p = Packet::new_checked(bytes).unwrap();
        p.verify_checksum(&src, &dst).unwrap();
        assert_reemits(bytes, &src, &dst);
        // Also through the mutable packet API.
        let mut copy = bytes.to_vec();
        let mut p = Packet::new_unchecked(&mut copy[..]);
        p.set_checksum(0x1234);
        p.fill_checksum(&src, &dst).unwrap();
        assert_eq!(copy, bytes);
    }
}

#[test]
fn syn_ipv4() {
    let p = Packet::new_checked(&SYN4[..]).unwrap();
    assert_eq!(p.src_port(), 35906);
    assert_eq!(p.dst_port(), 8080);
    assert_eq!(p.seq_number(), SeqNumber(1323668766));
    assert_eq!(p.ack_number(), SeqNumber(0));
    assert_eq!(p.data_offset(), 10);
    assert_eq!(p.header_len(), 40);
    assert_eq!(p.flags(), Flags::SYN);
    assert!(p.syn() && !p.ack() && !p.fin() && !p.rst() && !p.psh());
    assert!(!p.urg() && !p.ece() && !p.cwr() && !p.ae());
    assert_eq!(p.reserved(), 0);
    assert_eq!(p.window_len(), 64240);
    assert_eq!(p.checksum(), 0x0831);
    assert_eq!(p.urgent_pointer(), 0);
    assert_eq!(p.options(), &SYN4[20..]);
    assert_eq!(p.payload(), &[] as &[u8]);
    assert_eq!(p.segment_len(), 1);
    assert_eq!(
        options(p.options()),
        [
            TcpOption::MaxSegmentSize(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                tsval: 2601387310,
                tsecr: 0
            },
            TcpOption::NoOp,
            TcpOption::WindowScale(10),
        ]
    );
    let r = parse(&SYN4, &A4, &B4).unwrap();
    assert_eq!(
        r,
        Repr {
            src_port: 35906,
            dst_port: 8080,
            seq_number: SeqNumber(1323668766),
            ack_number: None,
            flags: Flags::SYN,
            window_len: 64240,
            urgent_pointer: 0,
            options: &SYN4[20..],
            payload_len: 0,
        }
    );
    assert_eq!(r.mss(), Some(1460));
    assert_eq!(r.window_scale(), Some(10));
    assert!(r.sack_permitted());
    assert_eq!(r.timestamps(), Some((2601387310, 0)));
    assert_eq!(r.sack_ranges(), None);
    assert_eq!(r.segment_len(), 1);
    assert_eq!(r.buffer_len(), 40);
    assert_eq!(
        r.to_string(),
        "TCP 35906 > 8080 [S] seq 1323668766 win 64240 len 0"
    );
}

#[test]
fn syn_ack_ipv4_and_ipv6() {
    let r = parse(&SYN_ACK4, &B4, &A4).unwrap();
    assert_eq!(r.seq_number, SeqNumber(1617930642));
    assert_eq!(r.ack_number, Some(SeqNumber(1323668767)));
    assert_eq!(r.flags, Flags::SYN | Flags::ACK);
    assert_eq!(r.flags.to_string(), "[S.]");
    assert_eq!(r.window_len, 65160);
    assert_eq!(r.timestamps(), Some((3893314707, 2601387310)));
    assert_eq!(
        r.to_string(),
        "TCP 8080 > 35906 [S.] seq 1617930642 ack 1323668767 win 65160 len 0"
    );

    let r = parse(&SYN6, &A6, &B6).unwrap();
    assert_eq!((r.src_port, r.dst_port), (33218, 8080));
    assert_eq!(r.seq_number, SeqNumber(2618618737));
    assert_eq!(r.ack_number, None);
    assert_eq!(r.window_len, 64800);
    assert_eq!(r.mss(), Some(1440));
    assert_eq!(r.window_scale(), Some(10));
    assert!(r.sack_permitted());
    assert_eq!(r.timestamps(), Some((2629084584, 0)));

    let r = parse(&SYN_ACK6, &B6, &A6).unwrap();
    assert_eq!(r.seq_number, SeqNumber(949743));
    assert_eq!(r.ack_number, Some(SeqNumber(2618618738)));
    assert_eq!(r.mss(), Some(1440));
    assert_eq!(r.timestamps(), Some((3335650871, 2629084584)));
}

#[test]
fn data_fin_rst_and_plain_segments() {
    let r = parse(&GET4, &A4, &B4).unwrap();
    assert_eq!(r.flags, Flags::PSH | Flags::ACK);
    assert_eq!(r.flags.to_string(), "[P.]");
    assert_eq!(r.seq_number, SeqNumber(1323668767));
    assert_eq!(r.ack_number, Some(SeqNumber(1617930643)));
    assert_eq!(r.window_len, 63);
    assert_eq!(r.payload_len, 85);
    assert_eq!(r.segment_len(), 85);
    assert_eq!(
        options(r.options),
        [
            TcpOption::NoOp,
            TcpOption::NoOp,
            TcpOption::Timestamps {
                tsval: 2601387310,
                tsecr: 3893314707
            }
        ]
    );
    let p = Packet::new_checked(&GET4[..]).unwrap();
    assert!(p.payload().starts_with(b"GET /big.bin HTTP/1.1\r\n"));
    assert_eq!(p.payload().len(), 85);

    let r = parse(&FIN4, &A4, &B4).unwrap();
    assert_eq!(r.flags.to_string(), "[F.]");
    assert_eq!(r.seq_number, SeqNumber(1323668852));
    assert_eq!(r.ack_number, Some(SeqNumber(1618330847)));
    assert_eq!(r.segment_len(), 1);

    let r = parse(&RST4, &B4, &A4).unwrap();
    assert_eq!(
        r,
        Repr {
            src_port: 8081,
            dst_port: 47346,
            seq_number: SeqNumber(0),
            ack_number: Some(SeqNumber(3593172400)),
            flags: Flags::RST | Flags::ACK,
            window_len: 0,
            urgent_pointer: 0,
            options: &[],
            payload_len: 0,
        }
    );
    assert_eq!(r.flags.to_string(), "[R.]");
    assert_eq!(r.header_len(), 20);
    assert_eq!(r.mss(), None);
    assert!(!r.sack_permitted());
    assert_eq!(r.segment_len(), 0);

    let r = parse(&MSS_SYN4, &A4, &B4).unwrap();
    assert_eq!(options(r.options), [TcpOption::MaxSegmentSize(1460)]);
    assert_eq!(r.window_scale(), None);
    assert_eq!(r.timestamps(), None);

    let r = parse(&DATA4, &B4, &A4).unwrap();
    assert_eq!(r.payload_len, 6);
    assert_eq!(r.window_len, 64153);
    assert_eq!(
        Packet::new_checked(&DATA4[..]).unwrap().payload(),
        b"hello\n"
    );
}

#[test]
fn sack_blocks() {
    let r = parse(&SACK1, &A4, &B4).unwrap();
    assert_eq!(r.flags.to_string(), "[.]");
    assert_eq!(r.ack_number, Some(SeqNumber(1617954015)));
    assert_eq!(
        r.sack_ranges().unwrap().as_slice(),
        [(SeqNumber(1617955463), SeqNumber(1617956911))]
    );
    assert_eq!(
        options(r.options),
        [
            TcpOption::NoOp,
            TcpOption::NoOp,
            TcpOption::Timestamps {
                tsval: 2601387312,
                tsecr: 3893314709
            },
            TcpOption::NoOp,
            TcpOption::NoOp,
            sack(&[(1617955463, 1617956911)]),
        ]
    );
    let r = parse(&SACK2, &A4, &B4).unwrap();
    assert_eq!(
        r.sack_ranges(),
        SackBlocks::new(&[
            (SeqNumber(1617971391), SeqNumber(1617981527)),
            (SeqNumber(1617955463), SeqNumber(1617969943)),
        ])
    );
    let r = parse(&SACK3, &A4, &B4).unwrap();
    assert_eq!(r.header_len(), 60);
    assert_eq!(r.ack_number, Some(SeqNumber(1618142367)));
    let blocks = r.sack_ranges().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks.option_len(), 26);
    assert_eq!(
        blocks.as_slice(),
        [
            (SeqNumber(1618169879), SeqNumber(1618171327)),
            (SeqNumber(1618152503), SeqNumber(1618168431)),
            (SeqNumber(1618143815), SeqNumber(1618151055)),
        ]
    );
    assert_eq!(
        std::format!("{blocks:?}"),
        "[1618169879..1618171327, 1618152503..1618168431, 1618143815..1618151055]"
    );
    let r = parse(&SACK6, &A6, &B6).unwrap();
    assert_eq!(
        r.sack_ranges().unwrap().as_slice(),
        [(SeqNumber(981364), SeqNumber(982792))]
    );
}

#[test]
fn ecn_flags() {
    // RFC 3168 section 6.1.1: an ECN-setup SYN has ECE and CWR set, the SYN-ACK ECE.
    let r = parse(&ECN_SYN4, &A4, &B4).unwrap();
    assert_eq!(r.flags, Flags::SYN | Flags::ECE | Flags::CWR);
    assert_eq!(r.flags.to_string(), "[SEW]");
    let r = parse(&ECN_SYN_ACK4, &B4, &A4).unwrap();
    assert_eq!(r.flags, Flags::SYN | Flags::ACK | Flags::ECE);
    assert_eq!(r.flags.to_string(), "[S.E]");
    let p = Packet::new_checked(&ECN_SYN_ACK4[..]).unwrap();
    assert!(p.ece() && !p.cwr() && p.syn() && p.ack());
}

#[test]
fn linux_syn_options_are_rebuilt_by_the_writer() {
    let mut buf = [0xaau8; 40];
    let n = emit_options(
        &[
            TcpOption::MaxSegmentSize(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                tsval: 2601387310,
                tsecr: 0,
            },
            TcpOption::NoOp,
            TcpOption::WindowScale(10),
        ],
        &mut buf,
    )
    .unwrap();
    assert_eq!(&buf[..n], &SYN4[20..]);
    let n = emit_options(
        &[
            TcpOption::NoOp,
            TcpOption::NoOp,
            TcpOption::Timestamps {
                tsval: 2601387313,
                tsecr: 3893314710,
            },
            TcpOption::NoOp,
            TcpOption::NoOp,
            sack(&[
                (1618169879, 1618171327),
                (1618152503, 1618168431),
                (1618143815, 1618151055),
            ]),
        ],
        &mut buf,
    )
    .unwrap();
    assert_eq!(&buf[..n], &SACK3[20..]);

    // A SYN-ACK built from scratch reproduces Linux's.
    let mut opts = [0u8; 40];
    let n = emit_options(
        &[
            TcpOption::MaxSegmentSize(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                tsval: 3893314707,
                tsecr: 2601387310,
            },
            TcpOption::NoOp,
            TcpOption::WindowScale(10),
        ],
        &mut opts,
    )
    .unwrap();
    let repr = Repr {
        src_port: 8080,
        dst_port: 35906,
        seq_number: SeqNumber(1617930642),
        ack_number: Some(SeqNumber(1323668767)),
        flags: Flags::SYN | Flags::ACK,
        window_len: 65160,
        urgent_pointer: 0,
        options: &opts[..n],
        payload_len: 0,
    };
    let mut out = [0u8; 40];
    repr.emit(&mut out, &B4, &A4, &caps()).unwrap();
    assert_eq!(out, SYN_ACK4);
}

#[test]
fn reserved_and_ae_bits_round_trip() {
    // The Linux SYN with AE and all three reserved bits set, checksum recomputed.
    let mut seg = SYN4;
    seg[12] |= 0x0f;
    let mut p = Packet::new_unchecked(&mut seg[..]);
    p.fill_checksum(&A4, &B4).unwrap();
    let p = Packet::new_checked(&seg[..]).unwrap();
    assert!(p.ae());
    assert_eq!(p.reserved(), 7);
    assert_eq!(p.data_offset(), 10);
    let r = Repr::parse(&p, &A4, &B4, &caps()).unwrap();
    assert_eq!(r.flags, Flags::SYN | Flags::AE | Flags::RESERVED);
    assert_eq!(r.flags.to_string(), "[Se]");
    assert_eq!(
        std::format!("{:?}", r.flags),
        "Flags(SYN | AE | reserved 0xe00)"
    );
    assert_reemits(&seg, &A4, &B4);
}

#[test]
fn flags_display_and_ops() {
    assert_eq!(Flags::empty().to_string(), "[none]");
    assert_eq!(Flags::RESERVED.to_string(), "[none]");
    assert_eq!(std::format!("{:?}", Flags::empty()), "Flags(empty)");
    assert_eq!(Flags::ALL.to_string(), "[FSRP.UEWe]");
    assert_eq!((Flags::URG | Flags::ACK).to_string(), "[.U]");
    assert_eq!(
        std::format!("{:?}", Flags::SYN | Flags::ACK),
        "Flags(SYN | ACK)"
    );
    let mut f = Flags::SYN;
    f |= Flags::FIN;
    f.set(Flags::ACK, true);
    assert_eq!(f.bits(), 0x013);
    assert_eq!(f.seq_len(), 2);
    f.set(Flags::SYN, false);
    f.remove(Flags::FIN);
    assert_eq!(f, Flags::ACK);
    assert!(f.intersects(Flags::ACK | Flags::RST));
    assert!(!f.contains(Flags::ACK | Flags::RST));
    assert_eq!(!Flags::ALL, Flags::empty());
    assert_eq!(Flags::from_bits_truncate(0xf012), Flags::SYN | Flags::ACK);
    assert_eq!((Flags::SYN | Flags::ACK) - Flags::ACK, Flags::SYN);
    let mut g = Flags::ALL;
    g &= Flags::RST;
    assert_eq!(g & Flags::ALL, Flags::RST);
    assert!(Flags::empty().is_empty());
}

#[test]
fn option_kind_names() {
    assert_eq!(OptionKind(29), OptionKind::AUTHENTICATION);
    assert_eq!(OptionKind::AUTHENTICATION.name(), Some("TCP-AO"));
    assert_eq!(OptionKind::MULTIPATH.0, 30);
    assert_eq!(OptionKind::FAST_OPEN.0, 34);
    assert_eq!(std::format!("{:?}", OptionKind(99)), "OptionKind(0x63)");
    assert!(OptionKind::TIMESTAMPS.is_decoded());
    assert!(!OptionKind(6).is_decoded());
    assert!(!OptionKind::MULTIPATH.is_decoded());
}

#[test]
fn unknown_options_and_padding() {
    // A Fast Open cookie (RFC 7413 section 4.1.1: kind 34, length 10), an MPTCP
    // MP_CAPABLE option (RFC 8684 section 3.1: kind 30, length 4 in a SYN, version 1),
    // then End of Option List and padding that is not read even though it is garbage.
    let bytes = [
        34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 30, 4, 0x01, 0x81, 0, 0xff, 0xff, 0x02, 0x00, 0x00,
    ];
    assert_eq!(
        options(&bytes),
        [
            TcpOption::Unknown {
                kind: OptionKind::FAST_OPEN,
                data: &[1, 2, 3, 4, 5, 6, 7, 8]
            },
            TcpOption::Unknown {
                kind: OptionKind::MULTIPATH,
                data: &[0x01, 0x81]
            },
            TcpOption::EndOfList,
        ]
    );
    // The writer reproduces the bytes up to EOL and pads with zeros.
    let mut out = [0xffu8; 20];
    let n = emit_options(&options(&bytes)[..2], &mut out).unwrap();
    assert_eq!(n, 16);
    assert_eq!(&out[..14], &bytes[..14]);
    assert_eq!(&out[14..16], [0, 0]);
    assert_eq!(
        &out[16..],
        [0xff; 4],
        "nothing written past the padded length"
    );
    // An empty list needs no bytes.
    assert_eq!(emit_options(&[], &mut []), Ok(0));
    // An option area of only NOPs.
    assert_eq!(options(&[1, 1, 1, 1]), [TcpOption::NoOp; 4]);
}

fn opt_err(offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Tcp,
        field: "option length",
        offset,
    }
}

fn first_error(bytes: &[u8]) -> Error {
    let mut it = OptionsIter::new(bytes);
    let err = it.by_ref().find_map(|o| o.err()).unwrap();
    assert!(it.next().is_none(), "iteration stops after an error");
    err
}

#[test]
fn option_errors() {
    // Offsets count from the start of the TCP header: option byte i is at 20 + i.
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.2
    //# be prepared to handle an illegal option length (e.g., zero)
    assert_eq!(first_error(&[1, 30, 0, 0]), opt_err(22)); // length 0
    assert_eq!(first_error(&[30, 1, 0, 0]), opt_err(21)); // length 1
    assert_eq!(first_error(&[1, 1, 1, 30]), opt_err(24)); // no length byte
    assert_eq!(first_error(&[30, 5, 0, 0]), opt_err(21)); // past the end
    assert_eq!(first_error(&[2, 255, 0, 0]), opt_err(21));
    // Fixed lengths.
    assert_eq!(first_error(&[2, 3, 5, 1]), opt_err(21)); // MSS 3
    assert_eq!(first_error(&[2, 2, 1, 1]), opt_err(21)); // MSS 2
    assert_eq!(first_error(&[3, 4, 7, 0]), opt_err(21)); // WS 4
    assert_eq!(first_error(&[3, 2, 1, 1]), opt_err(21)); // WS 2
    assert_eq!(first_error(&[4, 3, 0, 1]), opt_err(21)); // SACK-permitted 3
    assert_eq!(
        first_error(&[1, 1, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0]),
        opt_err(23)
    ); // TS 9
    assert_eq!(
        first_error(&[8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        opt_err(21)
    ); // TS 11
    // SACK: 2 + 8n with n from 1 to 4.
    assert_eq!(first_error(&[5, 2, 1, 1]), opt_err(21));
    assert_eq!(
        first_error(&[5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]),
        opt_err(21)
    );
    let mut five = [0u8; 44];
    five[0] = 5;
    five[1] = 42;
    assert_eq!(first_error(&five), opt_err(21));
    let mut four = [0u8; 36];
    four[0] = 5;
    four[1] = 34;
    assert_eq!(options(&four), [sack(&[(0, 0); 4]), TcpOption::EndOfList]);
    // A valid option before the error is yielded first.
    let mut it = OptionsIter::new(&[2, 4, 5, 0xb4, 3, 0]);
    assert_eq!(it.next(), Some(Ok(TcpOption::MaxSegmentSize(1460))));
    assert_eq!(it.next(), Some(Err(opt_err(25))));
    assert_eq!(it.next(), None);
    assert_eq!(OptionsIter::validate(&[2, 4, 5, 0xb4]), Ok(()));
    assert_eq!(OptionsIter::validate(&[4, 2, 1, 9]), Err(opt_err(24)));
    assert_eq!(OptionsIter::validate(&[4, 2, 0, 9]), Ok(()));
}

#[test]
fn options_writer_errors() {
    let mut buf = [0u8; 60];
    // 41 bytes: 10 NOPs + 31 bytes of an unknown option.
    let data = [0u8; 29];
    let mut too_long = std::vec![TcpOption::NoOp; 10];
    too_long.push(TcpOption::Unknown {
        kind: OptionKind(99),
        data: &data,
    });
    let data_offset = Error::Invalid {
        layer: Layer::Tcp,
        field: "data offset",
        offset: 12,
    };
    assert_eq!(emit_options(&too_long, &mut buf), Err(data_offset));
    too_long.pop();
    too_long.push(TcpOption::Unknown {
        kind: OptionKind(99),
        data: &data[..28],
    });
    assert_eq!(emit_options(&too_long, &mut buf), Ok(40));
    assert_eq!(
        emit_options(&too_long, &mut buf[..39]),
        Err(Error::BufferTooSmall {
            layer: Layer::Tcp,
            needed: 40,
            available: 39
        })
    );
    // Five SACK-sized options do not fit either.
    let s = sack(&[(1, 2), (3, 4), (5, 6), (7, 8)]);
    assert_eq!(
        emit_options(&[s, TcpOption::NoOp, s], &mut buf),
        Err(data_offset)
    );
    assert_eq!(emit_options(&[s], &mut buf), Ok(36));
    // An unknown option with a kind that has a variant would not parse back.
    for kind in [0u8, 1, 2, 3, 4, 5, 8] {
        assert_eq!(
            emit_options(
                &[TcpOption::Unknown {
                    kind: OptionKind(kind),
                    data: &[]
                }],
                &mut buf
            ),
            Err(Error::Invalid {
                layer: Layer::Tcp,
                field: "option kind",
                offset: 20
            })
        );
    }
    // Data that the one-byte length cannot count.
    let big = [0u8; 254];
    let opt = TcpOption::Unknown {
        kind: OptionKind(99),
        data: &big,
    };
    assert_eq!(opt.emit(&mut [0u8; 300]), Err(opt_err(21)));
    assert_eq!(opt.buffer_len(), 256);
    assert_eq!(
        TcpOption::Timestamps { tsval: 1, tsecr: 2 }.emit(&mut [0u8; 9]),
        Err(Error::BufferTooSmall {
            layer: Layer::Tcp,
            needed: 10,
            available: 9
        })
    );
    assert_eq!(options_buffer_len(&[TcpOption::WindowScale(1)]), Some(4));
    // SackBlocks holds one to four blocks.
    assert_eq!(SackBlocks::new(&[]), None);
    assert_eq!(SackBlocks::new(&[(SeqNumber(0), SeqNumber(1)); 5]), None);
}

#[test]
fn header_errors() {
    assert_eq!(
        Packet::new_checked(&SYN4[..19]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Tcp,
            needed: 20,
            available: 19
        }
    );
    assert_eq!(
        Packet::new_checked(&[] as &[u8]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Tcp,
            needed: 20,
            available: 0
        }
    );
    // The data offset says 40 bytes; every shorter buffer is truncated.
    for len in 20..40 {
        assert_eq!(
            Packet::new_checked(&SYN4[..len]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Tcp,
                needed: 40,
                available: len
            }
        );
    }
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.1
    //# Data Offset (DOffset): 4 bits. The number of 32-bit words in the TCP header.
    for doff in 0..5u8 {
        let mut seg = RST4;
        seg[12] = (doff << 4) | (seg[12] & 0x0f);
        assert_eq!(
            Packet::new_checked(&seg[..]).unwrap_err(),
            Error::Invalid {
                layer: Layer::Tcp,
                field: "data offset",
                offset: 12
            }
        );
        // An unchecked view still does not panic.
        let p = Packet::new_unchecked(&seg[..]);
        assert_eq!(p.options(), &[] as &[u8]);
        assert_eq!(p.payload().len(), 20 - usize::from(doff) * 4);
        assert!(Repr::parse(&p, &B4, &A4, &caps()).is_err());
    }
    // A malformed option fails Repr::parse at its offset.
    let mut seg = MSS_SYN4;
    seg[21] = 5;
    let mut p = Packet::new_unchecked(&mut seg[..]);
    p.fill_checksum(&A4, &B4).unwrap();
    let p = Packet::new_checked(&seg[..]).unwrap();
    assert_eq!(Repr::parse(&p, &A4, &B4, &caps()).unwrap_err(), opt_err(21));
}

#[test]
fn checksum_errors() {
    let mut seg = SYN_ACK4;
    seg[16] = 0x12;
    seg[17] = 0x34;
    let p = Packet::new_checked(&seg[..]).unwrap();
    let err = Error::Checksum {
        layer: Layer::Tcp,
        found: 0x1234,
        expected: 0xcde2,
    };
    assert_eq!(Repr::parse(&p, &B4, &A4, &caps()).unwrap_err(), err);
    assert_eq!(p.verify_checksum(&B4, &A4).unwrap_err(), err);
    // A wrong address fails too (swapping source and destination would not: the
    // sum is commutative), and so does a corrupted data byte.
    let c4 = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 3));
    assert!(matches!(
        parse(&SYN_ACK4, &c4, &A4),
        Err(Error::Checksum { .. })
    ));
    let mut data = GET4;
    data[100] ^= 1;
    assert!(matches!(
        parse(&data, &A4, &B4),
        Err(Error::Checksum { .. })
    ));
    // Not verified when the device does it.
    for c in [Checksum::Tx, Checksum::Offload] {
        assert!(Repr::parse(&p, &B4, &A4, &caps_tcp(c)).is_ok());
    }
    assert!(Repr::parse(&p, &B4, &A4, &caps_tcp(Checksum::Rx)).is_err());
    // Mixed address families.
    let family = Error::Invalid {
        layer: Layer::Tcp,
        field: "address family",
        offset: 0,
    };
    assert_eq!(parse(&SYN4, &A4, &B6).unwrap_err(), family);
    let repr = parse(&SYN4, &A4, &B4).unwrap();
    assert_eq!(repr.emit(&mut [0u8; 40], &A6, &B4, &caps()), Err(family));
    // Checksum left to the device on transmit: the field is 0.
    for c in [Checksum::Rx, Checksum::Offload] {
        let mut out = [0xffu8; 40];
        repr.emit(&mut out, &A4, &B4, &caps_tcp(c)).unwrap();
        assert_eq!(&out[16..18], [0, 0]);
        assert_eq!(&out[..16], &SYN4[..16]);
        assert_eq!(&out[18..], &SYN4[18..]);
    }
}

#[test]
fn emit_errors() {
    let repr = parse(&GET4, &A4, &B4).unwrap();
    assert_eq!(
        repr.emit(&mut [0u8; 116], &A4, &B4, &caps()),
        Err(Error::BufferTooSmall {
            layer: Layer::Tcp,
            needed: 117,
            available: 116
        })
    );
    let mut r = repr;
    r.ack_number = None;
    let ack_flag = Error::Invalid {
        layer: Layer::Tcp,
        field: "ACK flag",
        offset: 13,
    };
    assert_eq!(r.emit(&mut [0u8; 117], &A4, &B4, &caps()), Err(ack_flag));
    let mut r = parse(&SYN4, &A4, &B4).unwrap();
    r.ack_number = Some(SeqNumber(1));
    assert_eq!(r.emit(&mut [0u8; 40], &A4, &B4, &caps()), Err(ack_flag));
    // Options not a multiple of 4, or longer than 40 bytes.
    let data_offset = Error::Invalid {
        layer: Layer::Tcp,
        field: "data offset",
        offset: 12,
    };
    let mut r = parse(&RST4, &B4, &A4).unwrap();
    r.options = &[1, 1, 1];
    assert_eq!(r.emit(&mut [0u8; 64], &B4, &A4, &caps()), Err(data_offset));
    r.options = &[1; 44];
    assert_eq!(r.emit(&mut [0u8; 64], &B4, &A4, &caps()), Err(data_offset));
    // Malformed options.
    r.options = &[2, 3, 0, 0];
    assert_eq!(r.emit(&mut [0u8; 64], &B4, &A4, &caps()), Err(opt_err(21)));
    // Longer than the IPv4 pseudo-header's 16-bit length can say.
    r.options = &[];
    r.payload_len = 65536 - 20;
    let mut big = std::vec![0u8; 65536];
    assert_eq!(
        r.emit(&mut big, &B4, &A4, &caps()),
        Err(Error::Invalid {
            layer: Layer::Tcp,
            field: "length",
            offset: 0
        })
    );
    // IPv6 has a 32-bit length (jumbograms aside, any length the buffer holds).
    assert!(r.emit(&mut big, &B6, &A6, &caps()).is_ok());
    assert!(parse(&big, &B6, &A6).is_ok());
    r.payload_len = usize::MAX;
    assert!(r.emit(&mut [0u8; 20], &B4, &A4, &caps()).is_err());
}

#[test]
fn trailing_padding_is_payload() {
    // A TCP header does not carry its length: bytes after the IP payload (Ethernet
    // padding of this 54-byte frame to 60) must be cut off by the caller, otherwise
    // they count as data, and the checksum (whose pseudo-header has the length) fails.
    let mut padded = RST4.to_vec();
    padded.extend_from_slice(&[0; 6]);
    let p = Packet::new_checked(&padded[..]).unwrap();
    assert_eq!(p.payload().len(), 6);
    assert_eq!(
        parse(&padded, &B4, &A4).unwrap_err(),
        Error::Checksum {
            layer: Layer::Tcp,
            found: 0x76a8,
            expected: 0x76a8 - 6
        }
    );
    let r = Repr::parse(&p, &B4, &A4, &caps_tcp(Checksum::Offload)).unwrap();
    assert_eq!(r.payload_len, 6);
}

#[test]
fn mutable_packet_api() {
    let mut buf = [0u8; 30];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.set_src_port(1);
    p.set_dst_port(2);
    p.set_seq_number(SeqNumber(3));
    p.set_ack_number(SeqNumber(4));
    p.set_data_offset_and_flags(6, Flags::SYN);
    p.set_flags(Flags::SYN | Flags::ACK | Flags::URG);
    p.set_window_len(5);
    p.set_urgent_pointer(6);
    p.options_mut().copy_from_slice(&[1, 1, 1, 0]);
    p.payload_mut().copy_from_slice(b"abcdef");
    p.fill_checksum(&A6, &B6).unwrap();
    let p = Packet::new_checked(&buf[..]).unwrap();
    let r = Repr::parse(&p, &A6, &B6, &caps()).unwrap();
    assert_eq!(
        r,
        Repr {
            src_port: 1,
            dst_port: 2,
            seq_number: SeqNumber(3),
            ack_number: Some(SeqNumber(4)),
            flags: Flags::SYN | Flags::ACK | Flags::URG,
            window_len: 5,
            urgent_pointer: 6,
            options: &[1, 1, 1, 0],
            payload_len: 6,
        }
    );
    assert_eq!(
        r.to_string(),
        "TCP 1 > 2 [S.U] seq 3 ack 4 win 5 urg 6 len 6"
    );
    assert_eq!(p.payload(), b"abcdef");
    assert_eq!(p.segment_len(), 7);
    assert_eq!(p.into_inner().len(), 30);
}

#[test]
fn seq_number_arithmetic() {
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.4
    //# all arithmetic dealing with sequence numbers must be performed modulo 2^32
    let a = SeqNumber(u32::MAX - 9);
    let b = a + 20;
    assert_eq!(b, SeqNumber(10));
    assert!(a < b && b > a && a <= a && !(b < a));
    assert_eq!(b - a, 20);
    assert_eq!(a - b, -20);
    assert_eq!(b.checked_sub(a), Some(20));
    assert_eq!(a.checked_sub(b), None);
    assert_eq!(b - 20usize, a);
    assert_eq!(a.max(b), b);
    assert_eq!(a.min(b), a);
    assert_eq!(b.max(a), b);
    assert_eq!(a.wrapping_add(20), b);
    assert_eq!(b.wrapping_sub(20), a);
    let mut c = a;
    c += 30;
    c -= 10;
    assert_eq!(c, b);
    // Exactly 2^31 apart: incomparable, so neither is before the other.
    let x = SeqNumber(5);
    let y = SeqNumber(5 + (1 << 31));
    assert_eq!(x.partial_cmp(&y), None);
    assert!(!(x < y) && !(x > y) && x != y);
    assert_eq!(x.max(y), x);
    assert_eq!(x.checked_sub(y), None);
    // One less than 2^31 apart is still ordered.
    let z = SeqNumber(4 + (1 << 31));
    assert!(x < z);
    assert_eq!(z - x, (1 << 31) - 1);
    // Adding 2^32 is the identity.
    #[cfg(target_pointer_width = "64")]
    assert_eq!(x + (1usize << 32), x);
    // Windows across the wrap: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND.
    assert!(SeqNumber(3).in_window(a, 20));
    assert!(a.in_window(a, 1));
    assert!(!a.in_window(a, 0));
    assert!(!b.in_window(a, 20));
    assert!(!SeqNumber(u32::MAX - 10).in_window(a, 20));
    // SND.UNA < SEG.ACK =< SND.NXT.
    assert!(b.in_range_left_open(a, b));
    assert!(!a.in_range_left_open(a, b));
    assert!(!(b + 1).in_range_left_open(a, b));
    assert!(!b.in_range_left_open(b, b));
    assert_eq!(std::format!("{b} {b:?}"), "10 SeqNumber(10)");
    assert_eq!(u32::from(SeqNumber::from(7)), 7);
}

// ---- property tests ----

/// An owned option, to generate lists of `TcpOption` that borrow from it.
#[derive(Debug, Clone)]
enum OwnedOption {
    NoOp,
    Mss(u16),
    Ws(u8),
    SackPermitted,
    Sack(Vec<(u32, u32)>),
    Ts(u32, u32),
    Unknown(u8, Vec<u8>),
}

impl OwnedOption {
    fn as_option(&self) -> TcpOption<'_> {
        match self {
            OwnedOption::NoOp => TcpOption::NoOp,
            OwnedOption::Mss(v) => TcpOption::MaxSegmentSize(*v),
            OwnedOption::Ws(v) => TcpOption::WindowScale(*v),
            OwnedOption::SackPermitted => TcpOption::SackPermitted,
            OwnedOption::Sack(b) => sack(b),
            OwnedOption::Ts(a, b) => TcpOption::Timestamps {
                tsval: *a,
                tsecr: *b,
            },
            OwnedOption::Unknown(k, d) => TcpOption::Unknown {
                kind: OptionKind(*k),
                data: d,
            },
        }
    }
}

fn arb_option() -> impl Strategy<Value = OwnedOption> {
    prop_oneof![
        Just(OwnedOption::NoOp),
        any::<u16>().prop_map(OwnedOption::Mss),
        any::<u8>().prop_map(OwnedOption::Ws),
        Just(OwnedOption::SackPermitted),
        proptest::collection::vec(any::<(u32, u32)>(), 1..=4).prop_map(OwnedOption::Sack),
        any::<(u32, u32)>().prop_map(|(a, b)| OwnedOption::Ts(a, b)),
        (
            any::<u8>().prop_filter("decoded kind", |k| !OptionKind(*k).is_decoded()),
            proptest::collection::vec(any::<u8>(), 0..12)
        )
            .prop_map(|(k, d)| OwnedOption::Unknown(k, d)),
    ]
}

/// Option lists that fit in 40 bytes.
fn arb_options() -> impl Strategy<Value = Vec<OwnedOption>> {
    proptest::collection::vec(arb_option(), 0..8).prop_map(|mut v| {
        while v.iter().map(|o| o.as_option().buffer_len()).sum::<usize>() > MAX_OPTIONS_LEN {
            v.pop();
        }
        v
    })
}

fn addresses(v6: bool) -> (IpAddr, IpAddr) {
    if v6 { (A6, B6) } else { (A4, B4) }
}

proptest! {
    #[test]
    fn options_round_trip(owned in arb_options(), eol in any::<bool>()) {
        let mut list: Vec<TcpOption<'_>> = owned.iter().map(OwnedOption::as_option).collect();
        if eol && list.len() < 40 {
            list.push(TcpOption::EndOfList);
        }
        let mut buf = [0u8; 40];
        match emit_options(&list, &mut buf) {
            Ok(n) => {
                prop_assert_eq!(n % 4, 0);
                let parsed = options(&buf[..n]);
                // Parsing gives the list back, plus an End of Option List when zero
                // padding was needed.
                prop_assert_eq!(&parsed[..list.len()], &list[..]);
                let rest = &parsed[list.len()..];
                prop_assert!(rest.is_empty() || rest == [TcpOption::EndOfList]);
                prop_assert_eq!(Some(n), options_buffer_len(&list));
            }
            // Only the appended End of Option List can push the list past 40 bytes.
            Err(e) => {
                let too_long = Error::Invalid { layer: Layer::Tcp, field: "data offset", offset: 12 };
                prop_assert!(eol && e == too_long);
            }
        }
    }

    #[test]
    fn repr_round_trip(
        src_port in any::<u16>(),
        dst_port in any::<u16>(),
        seq in any::<u32>(),
        ack in proptest::option::of(any::<u32>()),
        flag_bits in any::<u16>(),
        window_len in any::<u16>(),
        urgent_pointer in any::<u16>(),
        owned in arb_options(),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
        v6 in any::<bool>(),
    ) {
        let (src, dst) = addresses(v6);
        let list: Vec<_> = owned.iter().map(OwnedOption::as_option).collect();
        let mut opts = [0u8; 40];
        let n = emit_options(&list, &mut opts).unwrap();
        let mut flags = Flags::from_bits_truncate(flag_bits);
        flags.set(Flags::ACK, ack.is_some());
        let repr = Repr {
            src_port,
            dst_port,
            seq_number: SeqNumber(seq),
            ack_number: ack.map(SeqNumber),
            flags,
            window_len,
            urgent_pointer,
            options: &opts[..n],
            payload_len: payload.len(),
        };
        let mut buf = std::vec![0u8; repr.buffer_len()];
        buf[repr.header_len()..].copy_from_slice(&payload);
        repr.emit(&mut buf, &src, &dst, &caps()).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, &src, &dst, &caps()).unwrap(), repr);
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.flags(), flags);
        let mss = list.iter().find_map(|o| match o { TcpOption::MaxSegmentSize(v) => Some(*v), _ => None });
        prop_assert_eq!(repr.mss(), mss);
        let ts = list.iter().find_map(|o| match o { TcpOption::Timestamps { tsval, tsecr } => Some((*tsval, *tsecr)), _ => None });
        prop_assert_eq!(repr.timestamps(), ts);
        let sr = list.iter().find_map(|o| match o { TcpOption::SackRange(b) => Some(*b), _ => None });
        prop_assert_eq!(repr.sack_ranges(), sr);
        let ws = list.iter().find_map(|o| match o { TcpOption::WindowScale(v) => Some(*v), _ => None });
        prop_assert_eq!(repr.window_scale(), ws);
        prop_assert_eq!(repr.sack_permitted(), list.contains(&TcpOption::SackPermitted));
    }

    /// Arbitrary bytes: nothing panics, and whatever parses re-emits identically
    /// (with the acknowledgment field zeroed when ACK is clear, see `Repr::ack_number`).
    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..90), v6 in any::<bool>(), fix_checksum in any::<bool>()) {
        let (src, dst) = addresses(v6);
        if fix_checksum && bytes.len() >= HEADER_LEN {
            Packet::new_unchecked(&mut bytes[..]).fill_checksum(&src, &dst).unwrap();
        }
        let unchecked = Packet::new_unchecked(&bytes[..]);
        let _ = (unchecked.options(), unchecked.payload(), unchecked.options_iter().count());
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.src_port(), p.dst_port(), p.seq_number(), p.ack_number(), p.data_offset());
            let _ = (p.flags(), p.reserved(), p.fin(), p.syn(), p.rst(), p.psh(), p.ack(), p.urg());
            let _ = (p.ece(), p.cwr(), p.ae(), p.window_len(), p.checksum(), p.urgent_pointer());
            let _ = (p.options(), p.payload(), p.segment_len(), p.flags().to_string());
            let _ = p.verify_checksum(&src, &dst);
            for o in p.options_iter().flatten() {
                let mut out = [0u8; 40];
                prop_assert_eq!(o.emit(&mut out), Ok(o.buffer_len()));
            }
            let _ = Repr::parse(&p, &src, &dst, &caps());
            if let Ok(r) = Repr::parse(&p, &src, &dst, &caps_tcp(Checksum::Offload)) {
                let _ = (r.mss(), r.window_scale(), r.sack_permitted(), r.sack_ranges(), r.timestamps(), r.to_string());
                let mut out = std::vec![0u8; r.buffer_len()];
                out[r.header_len()..].copy_from_slice(p.payload());
                r.emit(&mut out, &src, &dst, &caps()).unwrap();
                let mut want = bytes.clone();
                if !r.flags.contains(Flags::ACK) {
                    want[8..12].fill(0);
                    Packet::new_unchecked(&mut want[..]).fill_checksum(&src, &dst).unwrap();
                }
                if fix_checksum {
                    prop_assert_eq!(&out, &want);
                } else {
                    prop_assert_eq!(&out[..16], &want[..16]);
                    prop_assert_eq!(&out[18..], &want[18..]);
                }
            }
        }
    }

    /// Any fixed header (reserved bits, urgent pointer, ack field and all), any valid
    /// option area and data: parse-then-emit gives the same bytes.
    #[test]
    fn parse_then_emit_is_identity(
        header in proptest::collection::vec(any::<u8>(), 20),
        owned in arb_options(),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
        v6 in any::<bool>(),
    ) {
        let (src, dst) = addresses(v6);
        let list: Vec<_> = owned.iter().map(OwnedOption::as_option).collect();
        let mut opts = [0u8; 40];
        let n = emit_options(&list, &mut opts).unwrap();
        let mut seg = header.clone();
        seg.extend_from_slice(&opts[..n]);
        seg.extend_from_slice(&payload);
        seg[12] = (((20 + n) / 4) as u8) << 4 | (seg[12] & 0x0f);
        if seg[13] & 0x10 == 0 {
            seg[8..12].fill(0); // see Repr::ack_number
        }
        Packet::new_unchecked(&mut seg[..]).fill_checksum(&src, &dst).unwrap();
        let p = Packet::new_checked(&seg[..]).unwrap();
        let r = Repr::parse(&p, &src, &dst, &caps()).unwrap();
        prop_assert_eq!(r.options, &opts[..n]);
        prop_assert_eq!(r.flags.bits(), u16::from_be_bytes([seg[12], seg[13]]) & 0xfff);
        let mut out = seg.clone();
        out[..r.header_len()].fill(0);
        r.emit(&mut out, &src, &dst, &caps()).unwrap();
        prop_assert_eq!(out, seg);
    }

    #[test]
    fn option_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
        let mut n = 0;
        for o in OptionsIter::new(&bytes) {
            n += 1;
            prop_assert!(n <= bytes.len(), "each option consumes at least one byte");
            match o {
                Ok(o) => {
                    let mut out = [0u8; 48];
                    prop_assert_eq!(o.emit(&mut out), Ok(o.buffer_len()));
                }
                Err(Error::Invalid { offset, .. }) => prop_assert!(offset >= 20 && offset <= 20 + bytes.len()),
                Err(e) => prop_assert!(false, "unexpected error {:?}", e),
            }
        }
    }

    #[test]
    fn seq_order_is_antisymmetric(a in any::<u32>(), b in any::<u32>(), n in 0u32..(1 << 31)) {
        let (a, b) = (SeqNumber(a), SeqNumber(b));
        prop_assert_eq!(a < b, b > a);
        prop_assert!(!(a < b && b < a));
        prop_assert_eq!(a.partial_cmp(&b).map(|o| o.reverse()), b.partial_cmp(&a));
        prop_assert_eq!((a + n as usize) - a, n as isize);
        prop_assert_eq!((a + n as usize).checked_sub(a), Some(n as usize));
        prop_assert!(n == 0 || a + n as usize > a);
        prop_assert_eq!((a + n as usize).in_window(a, n), false);
        prop_assert!(n == 0 || (a + (n as usize - 1)).in_window(a, n));
    }
}
