//! Tests of the extension headers and the chain walker.

use super::options::{
    Ipv6Option, OptionAction, OptionType, OptionsWriter, RouterAlert, Unrecognized,
};
use super::routing::RoutingType;
use super::*;
use proptest::prelude::*;
extern crate alloc;
use alloc::vec::Vec;

// Payloads (the bytes after the 40-byte fixed header) of IPv6 packets Linux sent over a
// veth between two network namespaces, captured with tcpdump (see ipv6.rs for whole
// packets).

// MLDv2 report: Hop-by-Hop (Router Alert MLD, PadN) then ICMPv6.
const MLD_HBH: &str = concat!(
    "3a000502000001008f0082540000000204000000ff0200000000000000000001ff18eb0104000000ff020000",
    "0000000000000001ff000002",
);

// UDP from a socket with IPV6_HOPOPTS (Router Alert, PadN) and IPV6_DSTOPTS (an
// option 0x1e of ten bytes, PadN): Hop-by-Hop, Destination Options, UDP.
const HBH_DEST_UDP: &str =
    "3c0005020000010011011e0a0102030405060708090a0100adc3270f000f26876862682b647374";

// UDP from a socket whose IPV6_DSTOPTS ends in an 8-byte PadN. Linux sends it as
// given, but its own receiver drops it (ip6_parse_tlv: more than 7 bytes of padding).
const DEST_BAD_PAD: &str = "11011e04deadbeef0106000000000000b404270f000f0cf06473746f707473";

// UDP from a socket with IPV6_RTHDR set to a Segment Routing Header (two segments,
// Segments Left 1; Linux fills Segment List[0] with the final destination
// 2001:db8::3).
const SRH_UDP: &str = concat!(
    "110404010100000020010db800000000000000000000000320010db8000000000000000000000002cde8270f",
    "000bd3f7737268",
);

// The first fragment of `ping -6 -s 3000` (M set, id 0x1217fb82), then ICMPv6.
const FIRST_FRAGMENT: &str = concat!(
    "3a0000011217fb8280004bf51dad00010821056b00000000b4b20d0000000000101112131415161718191a1b",
    "1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041424344454647",
    "48494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273",
    "7475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb",
    "cccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7",
    "f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
    "2425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
    "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b",
    "7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7",
    "a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3",
    "d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b",
    "2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657",
    "58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283",
    "8485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadb",
    "dcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001020304050607",
    "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233",
    "3435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b",
    "8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7",
    "b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3",
    "e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f",
    "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b",
    "3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364656667",
    "68696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293",
    "9495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaeb",
    "ecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f1011121314151617",
    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243",
    "4445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f",
    "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b",
    "9c9d9e9f",
);

// The last fragment of the same ping (offset 2896, M clear).
const LAST_FRAGMENT: &str = concat!(
    "3a000b501217fb8248494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b",
    "6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394959697",
    "98999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7",
);

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Walks a chain to its end, collecting the headers.
fn walk(first: IpProtocol, bytes: &[u8]) -> Result<(Vec<ExtHeader<'_>>, End)> {
    let mut headers = Vec::new();
    for step in ExtHeaders::new(first, bytes) {
        match step? {
            Step::Header(h) => headers.push(h),
            Step::End(e) => return Ok((headers, e)),
        }
    }
    unreachable!("a walk always ends with End or an error")
}

/// Re-emits every header of a walked chain and checks the bytes are identical.
fn reemit_all(bytes: &[u8], headers: &[ExtHeader<'_>]) {
    for h in headers {
        let mut out = vec![0u8; h.len];
        h.repr.emit(&mut out).unwrap();
        assert_eq!(
            out,
            &bytes[h.offset..h.offset + h.len],
            "{:?}",
            h.header_type()
        );
        assert_eq!(h.repr.buffer_len(), h.len);
    }
}

const fn upper(protocol: IpProtocol, offset: usize) -> End {
    End {
        protocol,
        offset,
        reason: EndReason::UpperLayer,
    }
}

#[test]
fn mld_hop_by_hop_vector() {
    let bytes = hex(MLD_HBH);
    let (headers, end) = walk(IpProtocol::HOP_BY_HOP, &bytes).unwrap();
    assert_eq!(end, upper(IpProtocol::ICMPV6, 8));
    assert_eq!(headers.len(), 1);
    let ExtHeaderRepr::HopByHop(r) = headers[0].repr else {
        panic!("{headers:?}")
    };
    assert_eq!(r.kind, options::Kind::HopByHop);
    assert_eq!(r.next_header, IpProtocol::ICMPV6);
    assert_eq!(
        r.options().collect::<Vec<_>>(),
        [
            (2, Ipv6Option::RouterAlert(RouterAlert::MLD)),
            (6, Ipv6Option::PadN(0))
        ]
    );
    assert_eq!(r.router_alert(), Some(RouterAlert::MLD));
    assert_eq!(r.unrecognized(|_| false), None);
    reemit_all(&bytes, &headers);
    // The typed writer builds exactly what Linux sent.
    let mut area = [0u8; 6];
    let mut w = OptionsWriter::new(options::Kind::HopByHop, &mut area);
    w.push(&Ipv6Option::RouterAlert(RouterAlert::MLD)).unwrap();
    assert_eq!(w.finish().unwrap(), 6);
    assert_eq!(&area, &bytes[2..8]);
}

#[test]
fn hop_by_hop_dest_opts_vector() {
    let bytes = hex(HBH_DEST_UDP);
    let (headers, end) = walk(IpProtocol::HOP_BY_HOP, &bytes).unwrap();
    assert_eq!(end, upper(IpProtocol::UDP, 24));
    assert_eq!(
        headers
            .iter()
            .map(|h| (h.header_type(), h.offset, h.len))
            .collect::<Vec<_>>(),
        [
            (IpProtocol::HOP_BY_HOP, 0, 8),
            (IpProtocol::IPV6_DEST_OPTS, 8, 16)
        ]
    );
    let ExtHeaderRepr::DestOpts(d) = headers[1].repr else {
        panic!()
    };
    let data: Vec<u8> = (1..=10).collect();
    assert_eq!(
        d.options().collect::<Vec<_>>(),
        [
            (
                2,
                Ipv6Option::Unknown {
                    option_type: OptionType(0x1e),
                    data: &data
                }
            ),
            (14, Ipv6Option::PadN(0))
        ]
    );
    // 0x1e: action "skip", data does not change en route.
    assert_eq!(OptionType(0x1e).action(), OptionAction::Skip);
    assert!(!OptionType(0x1e).may_change_en_route());
    assert_eq!(d.unrecognized(|_| false), None);
    reemit_all(&bytes, &headers);
    // The writer reproduces it too.
    let mut area = [0u8; 14];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    w.push(&Ipv6Option::Unknown {
        option_type: OptionType(0x1e),
        data: &data,
    })
    .unwrap();
    assert_eq!(w.finish().unwrap(), 14);
    assert_eq!(&area, &bytes[10..24]);
}

#[test]
fn padding_linux_rejects_is_rejected() {
    let bytes = hex(DEST_BAD_PAD);
    // 0x1e (6 bytes) then PadN of 8 bytes: more than 7 bytes of padding.
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &bytes).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "PadN",
            offset: 8
        }
    );
}

#[test]
fn segment_routing_vector() {
    let bytes = hex(SRH_UDP);
    let (headers, end) = walk(IpProtocol::IPV6_ROUTING, &bytes).unwrap();
    assert_eq!(end, upper(IpProtocol::UDP, 40));
    let ExtHeaderRepr::Routing(r) = headers[0].repr else {
        panic!()
    };
    assert_eq!(r.routing_type, RoutingType::SEGMENT_ROUTING);
    assert_eq!(r.segments_left, 1);
    assert!(!r.is_deprecated());
    let srh = r.segment_routing().unwrap().unwrap();
    assert_eq!((srh.last_entry, srh.flags, srh.tag), (1, 0, 0));
    let s0: core::net::Ipv6Addr = "2001:db8::3".parse().unwrap();
    let s1: core::net::Ipv6Addr = "2001:db8::2".parse().unwrap();
    assert_eq!(srh.segment_list().collect::<Vec<_>>(), [s0, s1]);
    assert_eq!(srh.segment(1), Some(s1));
    assert_eq!(srh.segment(2), None);
    assert_eq!(srh.next_segment(), Some(s0));
    assert_eq!(srh.tlvs, &[] as &[u8]);
    reemit_all(&bytes, &headers);
    let mut out = [0u8; 40];
    srh.emit(IpProtocol::UDP, &mut out).unwrap();
    assert_eq!(&out[..], &bytes[..40]);
}

#[test]
fn fragment_vectors() {
    let first = hex(FIRST_FRAGMENT);
    assert_eq!(first.len(), 1456);
    let (headers, end) = walk(IpProtocol::IPV6_FRAGMENT, &first).unwrap();
    assert_eq!(end, upper(IpProtocol::ICMPV6, 8));
    let ExtHeaderRepr::Fragment(f) = headers[0].repr else {
        panic!()
    };
    assert_eq!(
        f,
        fragment::Repr {
            next_header: IpProtocol::ICMPV6,
            fragment_offset: 0,
            more_fragments: true,
            identification: 0x1217_fb82
        }
    );
    assert!(f.is_first() && !f.is_atomic());
    reemit_all(&first, &headers);

    let last = hex(LAST_FRAGMENT);
    let (headers, end) = walk(IpProtocol::IPV6_FRAGMENT, &last).unwrap();
    // Not a first fragment: the walk stops after the Fragment header.
    assert_eq!(
        end,
        End {
            protocol: IpProtocol::ICMPV6,
            offset: 8,
            reason: EndReason::NonFirstFragment
        }
    );
    let ExtHeaderRepr::Fragment(f) = headers[0].repr else {
        panic!()
    };
    assert_eq!(f.byte_offset(), 2896);
    assert!(!f.more_fragments && !f.is_first());
    assert_eq!(f.identification, 0x1217_fb82);
    reemit_all(&last, &headers);
    // The view agrees.
    let p = fragment::Packet::new_checked(&last[..]).unwrap();
    assert_eq!((p.fragment_offset(), p.res(), p.reserved()), (362, 0, 0));
    assert_eq!(p.payload().len(), 112);
}

#[test]
fn fragment_reserved_bits_ignored() {
    let mut bytes = hex(LAST_FRAGMENT)[..8].to_vec();
    bytes[1] = 0xff;
    bytes[3] |= 0x06;
    let p = fragment::Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!((p.reserved(), p.res()), (0xff, 3));
    let r = fragment::Repr::parse(&p).unwrap();
    assert_eq!(r.byte_offset(), 2896);
    assert!(!r.more_fragments);
    let mut out = [0u8; 8];
    r.emit(&mut out).unwrap();
    assert_eq!(out, hex(LAST_FRAGMENT)[..8]);
    let bad = fragment::Repr {
        fragment_offset: 0x2000,
        ..r
    };
    assert_eq!(
        bad.emit(&mut out).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Fragment,
            field: "Fragment Offset",
            offset: 2
        }
    );
    assert_eq!(
        r.emit(&mut [0u8; 7]).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv6Fragment,
            needed: 8,
            available: 7
        }
    );
    assert_eq!(
        fragment::Packet::new_checked(&bytes[..7]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6Fragment,
            needed: 8,
            available: 7
        }
    );
}

#[test]
fn truncated_at_each_header() {
    let bytes = hex(HBH_DEST_UDP);
    for n in 0..24 {
        let err = walk(IpProtocol::HOP_BY_HOP, &bytes[..n]).unwrap_err();
        let expected = match n {
            0 | 1 => Error::Truncated {
                layer: Layer::Ipv6HopByHop,
                needed: 2,
                available: n,
            },
            2..=7 => Error::Truncated {
                layer: Layer::Ipv6HopByHop,
                needed: 8,
                available: n,
            },
            8 | 9 => Error::Truncated {
                layer: Layer::Ipv6DestOpts,
                needed: 10,
                available: n,
            },
            _ => Error::Truncated {
                layer: Layer::Ipv6DestOpts,
                needed: 24,
                available: n,
            },
        };
        assert_eq!(err, expected, "truncated at {n}");
    }
    // The upper layer may be empty: the chain itself is whole.
    assert_eq!(
        walk(IpProtocol::HOP_BY_HOP, &bytes[..24]).unwrap().1,
        upper(IpProtocol::UDP, 24)
    );
    // Truncated Routing, Fragment, AH and uniform-format headers.
    let srh = hex(SRH_UDP);
    assert_eq!(
        walk(IpProtocol::IPV6_ROUTING, &srh[..39]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6Routing,
            needed: 40,
            available: 39
        }
    );
    assert_eq!(
        walk(IpProtocol::IPV6_FRAGMENT, &[17, 0, 0, 0]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6Fragment,
            needed: 8,
            available: 4
        }
    );
    assert_eq!(
        walk(IpProtocol::AH, &[6, 4, 0, 0, 0, 0, 0, 1]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6Auth,
            needed: 24,
            available: 8
        }
    );
    assert_eq!(
        walk(MOBILITY, &[59, 1, 0, 0]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6,
            needed: 16,
            available: 4
        }
    );
}

#[test]
fn first_fragment_must_hold_the_chain() {
    // Fragment (offset 0, M set) then a Destination Options header cut short.
    let mut bytes = vec![60, 0, 0, 1, 0, 0, 0, 7];
    bytes.extend_from_slice(&[17, 1, 1, 4, 0, 0, 0, 0]);
    assert_eq!(
        walk(IpProtocol::IPV6_FRAGMENT, &bytes).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Fragment,
            field: "first fragment header chain",
            offset: 0
        }
    );
    // An atomic fragment (M clear) is a whole packet: plain truncation.
    bytes[3] = 0;
    assert_eq!(
        walk(IpProtocol::IPV6_FRAGMENT, &bytes).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6DestOpts,
            needed: 24,
            available: 16
        }
    );
}

#[test]
fn hop_by_hop_only_first() {
    // Destination Options whose Next Header is Hop-by-Hop.
    let bytes = [0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0];
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &bytes).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "Next Header",
            offset: 0
        }
    );
    // Two Hop-by-Hop headers.
    assert_eq!(
        walk(IpProtocol::HOP_BY_HOP, &bytes).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6HopByHop,
            field: "Next Header",
            offset: 0
        }
    );
    // After a Fragment header, at offset 8.
    let bytes = [
        60, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0,
    ];
    assert_eq!(
        walk(IpProtocol::IPV6_FRAGMENT, &bytes).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "Next Header",
            offset: 8
        }
    );
    // The walk yields the headers before the error, then the error, then nothing.
    let mut w = ExtHeaders::new(IpProtocol::IPV6_FRAGMENT, &bytes);
    assert!(matches!(w.next(), Some(Ok(Step::Header(_)))));
    assert!(matches!(w.next(), Some(Ok(Step::Header(_)))));
    assert!(matches!(w.next(), Some(Err(_))));
    assert!(w.next().is_none());
    assert!(w.end().is_err());
}

fn dest_opts_chain(n: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..n {
        let next = if i + 1 == n { 17 } else { 60 };
        bytes.extend_from_slice(&[next, 0, 1, 4, 0, 0, 0, 0]);
    }
    bytes
}

#[test]
fn chain_bound() {
    let ok = dest_opts_chain(MAX_EXT_HEADERS);
    let (headers, end) = walk(IpProtocol::IPV6_DEST_OPTS, &ok).unwrap();
    assert_eq!(headers.len(), MAX_EXT_HEADERS);
    assert_eq!(end, upper(IpProtocol::UDP, 8 * MAX_EXT_HEADERS));
    let long = dest_opts_chain(MAX_EXT_HEADERS + 1);
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &long).unwrap_err(),
        Error::Unsupported {
            layer: Layer::Ipv6,
            field: "extension header chain length",
            offset: 8 * MAX_EXT_HEADERS
        }
    );
    // A long run of headers in a big packet still stops at the bound.
    let huge = dest_opts_chain(1000);
    assert_eq!(
        ExtHeaders::new(IpProtocol::IPV6_DEST_OPTS, &huge).count(),
        MAX_EXT_HEADERS + 1
    );
}

#[test]
fn terminal_protocols() {
    // ESP: the rest is encrypted.
    let bytes = [50, 0, 1, 4, 0, 0, 0, 0, 0xde, 0xad];
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &bytes).unwrap().1,
        End {
            protocol: IpProtocol::ESP,
            offset: 8,
            reason: EndReason::Encrypted
        }
    );
    // No Next Header: trailing bytes are ignored.
    let bytes = [59, 0, 1, 4, 0, 0, 0, 0, 1, 2, 3];
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &bytes).unwrap().1,
        End {
            protocol: IpProtocol::IPV6_NO_NEXT_HEADER,
            offset: 8,
            reason: EndReason::NoNextHeader
        }
    );
    // No extension header at all, even on empty bytes.
    assert_eq!(
        walk(IpProtocol::TCP, &[]).unwrap(),
        (vec![], upper(IpProtocol::TCP, 0))
    );
    assert_eq!(
        walk(IpProtocol(253), &[1]).unwrap().1,
        upper(IpProtocol(253), 0)
    );
}

#[test]
fn authentication_header() {
    // AH (Payload Len 4: 24 bytes, 12 of ICV) then TCP.
    let mut bytes = vec![6, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 9];
    bytes.extend(1..=12u8);
    let (headers, end) = walk(IpProtocol::AH, &bytes).unwrap();
    assert_eq!(end, upper(IpProtocol::TCP, 24));
    let ExtHeaderRepr::Auth(a) = headers[0].repr else {
        panic!()
    };
    assert_eq!((a.spi, a.sequence_number, a.icv.len()), (0x1001, 9, 12));
    reemit_all(&bytes, &headers);
    // Payload Len 0 cannot hold SPI and Sequence Number.
    assert_eq!(
        walk(IpProtocol::AH, &[6, 0, 0, 0, 0, 0, 0, 0]).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Auth,
            field: "AH Payload Len",
            offset: 1
        }
    );
    // 12 bytes (Payload Len 1) is not a multiple of 8, as IPv6 requires. Offset 17:
    // the field of an AH at offset 16.
    // Destination Options, Destination Options, AH of Payload Len 1 at offset 16.
    let b = [
        60, 0, 1, 4, 0, 0, 0, 0, 51, 0, 1, 4, 0, 0, 0, 0, 6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    ];
    assert_eq!(
        walk(IpProtocol::IPV6_DEST_OPTS, &b).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Auth,
            field: "AH Payload Len",
            offset: 17
        }
    );
    let odd = auth::Repr { icv: &[0; 8], ..a };
    assert!(odd.emit(&mut [0u8; 64]).is_err());
    assert_eq!(
        a.emit(&mut [0u8; 23]).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv6Auth,
            needed: 24,
            available: 23
        }
    );
}

#[test]
fn uniform_format_headers() {
    // A Mobility header (Payload Proto 59) of 16 bytes.
    let bytes = [59, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let (headers, end) = walk(MOBILITY, &bytes).unwrap();
    assert_eq!(end.reason, EndReason::NoNextHeader);
    assert_eq!(end.offset, 16);
    assert_eq!(headers[0].header_type(), MOBILITY);
    reemit_all(&bytes, &headers);
    assert_eq!(headers[0].repr.layer(), Layer::Ipv6);
}

#[test]
fn routing_type_0_is_flagged() {
    // RFC 5095: RH0 with one address, Segments Left 1.
    let mut bytes = vec![58, 2, 0, 1, 0, 0, 0, 0];
    bytes.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    let (headers, end) = walk(IpProtocol::IPV6_ROUTING, &bytes).unwrap();
    assert_eq!(end, upper(IpProtocol::ICMPV6, 24));
    let ExtHeaderRepr::Routing(r) = headers[0].repr else {
        panic!()
    };
    assert!(r.is_deprecated());
    assert!(r.must_discard_if_unrecognized());
    assert_eq!(r.segment_routing(), None);
    assert_eq!(format!("{:?}", r.routing_type), "Type 0 (deprecated)");
    reemit_all(&bytes, &headers);
    let p = routing::Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(
        (p.hdr_ext_len(), p.header_len(), p.data().len()),
        (2, 24, 20)
    );
}

fn srh(b: &[u8]) -> Result<routing::SegmentRouting<'_>> {
    let p = routing::Packet::new_checked(b).unwrap();
    let r = routing::Repr::parse(&p).unwrap();
    r.segment_routing().unwrap()
}

#[test]
fn segment_routing_errors() {
    let bytes = hex(SRH_UDP);
    // Last Entry 2: three segments do not fit 32 bytes.
    let mut b = bytes.clone();
    b[4] = 2;
    assert_eq!(
        srh(&b).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Routing,
            field: "Last Entry",
            offset: 4
        }
    );
    // Segments Left 3 > Last Entry + 1.
    let mut b = bytes.clone();
    b[3] = 3;
    assert_eq!(
        srh(&b).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Routing,
            field: "Segments Left",
            offset: 3
        }
    );
    // The Routing header itself still parses (a node with Segments Left 0 ignores it).
    let p = routing::Packet::new_checked(&b[..]).unwrap();
    assert!(routing::Repr::parse(&p).is_ok());
    // A TLV that overruns: Last Entry 0, so 16 bytes of TLVs at offset 24.
    let mut b = bytes.clone();
    b[3] = 1;
    b[4] = 0;
    b[24..40].fill(0);
    b[38] = 5;
    b[39] = 1;
    assert_eq!(
        srh(&b).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6Routing,
            field: "TLV Length",
            offset: 39
        }
    );
    b[39] = 0;
    let s = srh(&b).unwrap();
    assert_eq!(s.tlvs.len(), 16);
    let mut out = [0u8; 40];
    s.emit(IpProtocol::UDP, &mut out).unwrap();
    assert_eq!(&out[..], &b[..40]);
    // Emit rejects what parse rejects.
    let bad = routing::SegmentRouting { last_entry: 1, ..s };
    assert!(bad.emit(IpProtocol::UDP, &mut out).is_err());
    let bad = routing::SegmentRouting {
        segments_left: 2,
        ..s
    };
    assert!(bad.emit(IpProtocol::UDP, &mut out).is_err());
    assert_eq!(
        s.emit(IpProtocol::UDP, &mut [0u8; 39]).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv6Routing,
            needed: 40,
            available: 39
        }
    );
    // Too short for the SRH fixed part.
    assert!(matches!(
        routing::SegmentRouting::parse(0, &[0, 0]),
        Err(Error::Truncated { .. })
    ));
}

/// An options header of `opts` (already padded to 8n + 6), parsed.
fn parse_opts(opts: &[u8]) -> Result<()> {
    let mut b = vec![17, 0];
    b.extend_from_slice(opts);
    b[1] = (b.len() / 8 - 1) as u8;
    let p = options::Packet::new_checked(&b[..], options::Kind::HopByHop)?;
    options::Repr::parse(&p).map(|_| ())
}

fn invalid(field: &'static str, offset: usize) -> Result<()> {
    Err(Error::Invalid {
        layer: Layer::Ipv6HopByHop,
        field,
        offset,
    })
}

#[test]
fn option_errors() {
    // Well-formed: Pad1 x6, PadN with 4 zero bytes, Router Alert + PadN.
    assert_eq!(parse_opts(&[0; 6]), Ok(()));
    assert_eq!(parse_opts(&[1, 4, 0, 0, 0, 0]), Ok(()));
    assert_eq!(parse_opts(&[5, 2, 0, 1, 1, 0]), Ok(()));
    // PadN with a non-zero byte.
    assert_eq!(parse_opts(&[1, 4, 0, 0, 9, 0]), invalid("PadN", 6));
    // Fourteen bytes of Pad1: the eighth is too many.
    assert_eq!(parse_opts(&[0; 14]), invalid("Pad1", 9));
    // PadN of 6 data bytes (8 in all).
    let mut o = vec![0x3e, 2, 0, 0, 1, 6];
    o.extend_from_slice(&[0; 8]);
    assert_eq!(parse_opts(&o), invalid("PadN", 6));
    // Pad1 then PadN of 7: runs add up.
    let o = [5, 2, 0, 0, 0, 1, 5, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(parse_opts(&o), invalid("PadN", 7));
    // An option longer than the header.
    assert_eq!(
        parse_opts(&[0x3e, 5, 0, 0, 0, 0]),
        invalid("Opt Data Len", 3)
    );
    // A last byte that is not Pad1 has no room for its length.
    assert_eq!(
        parse_opts(&[1, 3, 0, 0, 0, 0x3e]),
        invalid("Opt Data Len", 8)
    );
    // Router Alert of the wrong length.
    assert_eq!(parse_opts(&[5, 3, 0, 0, 0, 0]), invalid("Opt Data Len", 3));
    // Jumbo of the wrong length, and one too small to be a jumbogram.
    assert_eq!(
        parse_opts(&[0xc2, 2, 0, 0, 1, 0]),
        invalid("Opt Data Len", 3)
    );
    assert_eq!(
        parse_opts(&[0xc2, 4, 0, 0, 0xff, 0xff]),
        invalid("Jumbo Payload Length", 4)
    );
    // A Jumbo option parses alone but not in a walked (non-jumbo) packet.
    assert_eq!(parse_opts(&[0xc2, 4, 0, 1, 0, 0]), Ok(()));
    assert_eq!(
        walk(IpProtocol::HOP_BY_HOP, &[17, 0, 0xc2, 4, 0, 1, 0, 0]).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6HopByHop,
            field: "Jumbo Payload",
            offset: 2
        }
    );
    // Truncated options headers.
    assert_eq!(
        options::Packet::new_checked(&[17, 1, 0, 0, 0, 0, 0, 0][..], options::Kind::DestOpts)
            .unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv6DestOpts,
            needed: 16,
            available: 8
        }
    );
}

#[test]
fn unrecognized_options() {
    // Router Alert, then 0x9e (discard + ICMP), then 0x5e (discard).
    let b = [17, 1, 5, 2, 0, 0, 0x9e, 2, 0, 0, 0x5e, 0, 1, 2, 0, 0];
    let p = options::Packet::new_checked(&b[..], options::Kind::DestOpts).unwrap();
    let r = options::Repr::parse(&p).unwrap();
    assert_eq!(
        r.unrecognized(|_| false),
        Some(Unrecognized {
            offset: 6,
            option_type: OptionType(0x9e),
            action: OptionAction::DiscardSendIcmp
        })
    );
    assert_eq!(
        r.unrecognized(|t| t == OptionType(0x9e)),
        Some(Unrecognized {
            offset: 10,
            option_type: OptionType(0x5e),
            action: OptionAction::Discard
        })
    );
    assert_eq!(r.unrecognized(|_| true), None);
    assert_eq!(
        OptionType(0xde).action(),
        OptionAction::DiscardSendIcmpUnlessMulticast
    );
    assert!(OptionType(0x3e).may_change_en_route());
    assert_eq!(
        OptionType::JUMBO.action(),
        OptionAction::DiscardSendIcmpUnlessMulticast
    );
    assert_eq!(OptionType(0x80).action(), OptionAction::DiscardSendIcmp);
}

#[test]
fn options_writer() {
    // 0x3e (3 bytes) at header offset 2; Router Alert (2n+0) needs one Pad1 before it
    // at offset 5; Jumbo (4n+2) then falls on offset 10 with no padding; 16 in all.
    let mut area = [0u8; 14];
    let mut w = OptionsWriter::new(options::Kind::HopByHop, &mut area);
    w.push(&Ipv6Option::Unknown {
        option_type: OptionType(0x3e),
        data: &[7],
    })
    .unwrap();
    w.push(&Ipv6Option::RouterAlert(RouterAlert::RSVP)).unwrap();
    w.push(&Ipv6Option::Jumbo(0x1_0000)).unwrap();
    assert_eq!(w.finish().unwrap(), 14);
    assert_eq!(area, [0x3e, 1, 7, 0, 5, 2, 0, 1, 0xc2, 4, 0, 1, 0, 0]);
    let r = options::Repr {
        kind: options::Kind::HopByHop,
        next_header: IpProtocol::UDP,
        options: &area,
    };
    assert_eq!(
        r.options().map(|(o, _)| o).collect::<Vec<_>>(),
        [2, 5, 6, 10]
    );

    // Nothing pushed: one PadN of six bytes.
    let mut area = [0xffu8; 6];
    let w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    assert_eq!(w.finish().unwrap(), 6);
    assert_eq!(area, [1, 4, 0, 0, 0, 0]);

    // Padding pushed last is replaced by what the header needs.
    let mut area = [0u8; 6];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    w.push(&Ipv6Option::RouterAlert(RouterAlert::MLD)).unwrap();
    w.push(&Ipv6Option::PadN(3)).unwrap();
    assert_eq!(w.finish().unwrap(), 6);
    assert_eq!(area, [5, 2, 0, 0, 1, 0]);

    // Explicit padding before an option is written out (Pad1 x2 merge into a PadN).
    let mut area = [0u8; 14];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    w.push(&Ipv6Option::Pad1).unwrap();
    w.push(&Ipv6Option::Pad1).unwrap();
    w.push(&Ipv6Option::Unknown {
        option_type: OptionType(0x1e),
        data: &[],
    })
    .unwrap();
    assert_eq!(w.finish().unwrap(), 6);
    assert_eq!(&area[..6], &[1, 0, 0x1e, 0, 1, 0]);

    // Too much padding in a row.
    let mut area = [0u8; 30];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    w.push(&Ipv6Option::PadN(4)).unwrap();
    assert_eq!(
        w.push(&Ipv6Option::PadN(0)).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "PadN",
            offset: 2
        }
    );
    // Alignment on top of pushed padding.
    let mut w = OptionsWriter::new(options::Kind::HopByHop, &mut area);
    w.push(&Ipv6Option::PadN(4)).unwrap();
    w.push(&Ipv6Option::Pad1).unwrap();
    assert!(w.push(&Ipv6Option::Jumbo(0x1_0000)).is_err());

    // Option data too long for Opt Data Len.
    let big = [0u8; 256];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut area);
    assert_eq!(
        w.push(&Ipv6Option::Unknown {
            option_type: OptionType(0x1e),
            data: &big
        })
        .unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "Opt Data Len",
            offset: 3
        }
    );
    // Buffer too small, for an option and for the final padding.
    let mut small = [0u8; 3];
    let mut w = OptionsWriter::new(options::Kind::DestOpts, &mut small);
    assert!(matches!(
        w.push(&Ipv6Option::RouterAlert(RouterAlert::MLD)),
        Err(Error::BufferTooSmall { .. })
    ));
    let w = OptionsWriter::new(options::Kind::DestOpts, &mut small);
    assert_eq!(
        w.finish().unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv6DestOpts,
            needed: 6,
            available: 3
        }
    );
}

#[test]
fn repr_emit_errors() {
    let r = options::Repr {
        kind: options::Kind::DestOpts,
        next_header: IpProtocol::UDP,
        options: &[1, 3, 0, 0, 0],
    };
    assert_eq!(
        r.emit(&mut [0u8; 16]).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "Hdr Ext Len",
            offset: 1
        }
    );
    let r = options::Repr {
        options: &[1, 4, 0, 0, 7, 0],
        ..r
    };
    assert_eq!(
        r.emit(&mut [0u8; 8]).unwrap_err(),
        Error::Invalid {
            layer: Layer::Ipv6DestOpts,
            field: "PadN",
            offset: 6
        }
    );
    assert_eq!(
        r.emit(&mut [0u8; 7]).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv6DestOpts,
            needed: 8,
            available: 7
        }
    );
    let rt = routing::Repr {
        next_header: IpProtocol::UDP,
        routing_type: RoutingType(253),
        segments_left: 0,
        data: &[0; 5],
    };
    assert!(matches!(
        rt.emit(&mut [0u8; 16]),
        Err(Error::Invalid {
            field: "Hdr Ext Len",
            ..
        })
    ));
    let rt = routing::Repr {
        data: &[0; 12],
        ..rt
    };
    assert!(matches!(
        rt.emit(&mut [0u8; 15]),
        Err(Error::BufferTooSmall { needed: 16, .. })
    ));
    let other = ExtHeaderRepr::Other {
        header_type: IpProtocol::UDP,
        next_header: IpProtocol::UDP,
        data: &[0; 6],
    };
    assert!(other.emit(&mut [0u8; 8]).is_err());
    assert_eq!(
        ExtHeaderRepr::parse(IpProtocol::TCP, &[0; 8]).unwrap_err(),
        Error::Unsupported {
            layer: Layer::Ipv6,
            field: "Next Header",
            offset: 0
        }
    );
}

// ---- property tests ----

/// An owned extension header, to generate chains.
#[derive(Debug, Clone)]
enum Owned {
    Options(options::Kind, Vec<u8>),
    Routing(RoutingType, u8, Vec<u8>),
    Fragment(u16, bool, u32),
    Auth(u32, u32, Vec<u8>),
    Mobility(Vec<u8>),
}

impl Owned {
    fn repr(&self, next_header: IpProtocol) -> ExtHeaderRepr<'_> {
        match self {
            Owned::Options(kind, o) => {
                let r = options::Repr {
                    kind: *kind,
                    next_header,
                    options: o,
                };
                match kind {
                    options::Kind::HopByHop => ExtHeaderRepr::HopByHop(r),
                    options::Kind::DestOpts => ExtHeaderRepr::DestOpts(r),
                }
            }
            Owned::Routing(routing_type, segments_left, data) => {
                ExtHeaderRepr::Routing(routing::Repr {
                    next_header,
                    routing_type: *routing_type,
                    segments_left: *segments_left,
                    data,
                })
            }
            Owned::Fragment(fragment_offset, more_fragments, identification) => {
                ExtHeaderRepr::Fragment(fragment::Repr {
                    next_header,
                    fragment_offset: *fragment_offset,
                    more_fragments: *more_fragments,
                    identification: *identification,
                })
            }
            Owned::Auth(spi, sequence_number, icv) => ExtHeaderRepr::Auth(auth::Repr {
                next_header,
                spi: *spi,
                sequence_number: *sequence_number,
                icv,
            }),
            Owned::Mobility(data) => ExtHeaderRepr::Other {
                header_type: MOBILITY,
                next_header,
                data,
            },
        }
    }
}

/// Options written with the writer: any mix of typed and unknown options.
fn arb_options(kind: options::Kind) -> impl Strategy<Value = Vec<u8>> {
    let opt = prop_oneof![
        any::<u16>().prop_map(|v| (5u8, v.to_be_bytes().to_vec())),
        (0x1_0000u32..).prop_map(|v| (0xc2u8, v.to_be_bytes().to_vec())),
        (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..20))
            .prop_filter("not typed", |(t, _)| !OptionType(*t).is_typed()),
        (0usize..8).prop_map(|n| (1u8, vec![0; n])),
    ];
    proptest::collection::vec(opt, 0..6).prop_map(move |opts| {
        let mut area = vec![0u8; 400];
        let mut w = OptionsWriter::new(kind, &mut area);
        for (t, data) in &opts {
            let o = match *t {
                5 => Ipv6Option::RouterAlert(RouterAlert(u16::from_be_bytes([data[0], data[1]]))),
                0xc2 => Ipv6Option::Jumbo(u32::from_be_bytes([data[0], data[1], data[2], data[3]])),
                1 if data.len() < 6 => Ipv6Option::PadN(data.len() as u8),
                1 => Ipv6Option::Pad1,
                t => Ipv6Option::Unknown {
                    option_type: OptionType(t),
                    data,
                },
            };
            // Pushed padding can exceed the run limit: skip that option.
            let _ = w.push(&o);
        }
        let n = w.finish().unwrap();
        area.truncate(n);
        area
    })
}

fn arb_owned_after_first() -> impl Strategy<Value = Owned> {
    prop_oneof![
        arb_options(options::Kind::DestOpts)
            .prop_filter("no jumbo", |o| !o.windows(2).any(|w| w == [0xc2, 4]))
            .prop_map(|o| Owned::Options(options::Kind::DestOpts, o)),
        (any::<u8>(), any::<u8>(), 0usize..4, any::<u8>()).prop_map(|(t, sl, n, fill)| {
            Owned::Routing(RoutingType(t), sl, vec![fill; 4 + 8 * n])
        }),
        (any::<bool>(), any::<u32>()).prop_map(|(m, id)| Owned::Fragment(0, m, id)),
        (any::<u32>(), any::<u32>(), 0usize..4).prop_map(|(spi, seq, n)| Owned::Auth(
            spi,
            seq,
            vec![0xa5; 4 + 8 * n]
        )),
        (0usize..3).prop_map(|n| Owned::Mobility(vec![1; 6 + 8 * n])),
    ]
}

fn header_of(o: &Owned) -> IpProtocol {
    o.repr(IpProtocol::UDP).header_type()
}

proptest! {
    #[test]
    fn options_round_trip(opts in arb_options(options::Kind::HopByHop), next in any::<u8>()) {
        let r = options::Repr { kind: options::Kind::HopByHop, next_header: IpProtocol(next), options: &opts };
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        let p = options::Packet::new_checked(&buf[..], options::Kind::HopByHop).unwrap();
        prop_assert_eq!(options::Repr::parse(&p).unwrap(), r);
        // The typed options, padding included, re-written give the same header.
        let mut area = vec![0u8; opts.len()];
        let mut w = OptionsWriter::new(options::Kind::HopByHop, &mut area);
        for (_, o) in r.options() {
            w.push(&o).unwrap();
        }
        let n = w.finish().unwrap();
        prop_assert_eq!(&area[..n], &opts[..]);
    }

    #[test]
    fn routing_round_trip(t in any::<u8>(), sl in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..60), next in any::<u8>()) {
        let len = data.len() / 8 * 8 + 4;
        let mut d = data.clone();
        d.resize(len, 0);
        let r = routing::Repr { next_header: IpProtocol(next), routing_type: RoutingType(t), segments_left: sl, data: &d };
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        let p = routing::Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(routing::Repr::parse(&p).unwrap(), r);
    }

    #[test]
    fn segment_routing_round_trip(last in 0u8..5, sl in 0u8..6, flags in any::<u8>(), tag in any::<u16>(), seed in any::<u8>(), tlv in proptest::collection::vec(any::<u8>(), 0..10)) {
        let sl = sl.min(last + 1);
        let segments: Vec<u8> = (0..16 * (usize::from(last) + 1)).map(|i| (i as u8).wrapping_mul(seed)).collect();
        // One TLV of type 0x80 then Pad1s to a multiple of 8.
        let mut tlvs = Vec::new();
        if !tlv.is_empty() {
            tlvs.push(0x80);
            tlvs.push(tlv.len() as u8);
            tlvs.extend_from_slice(&tlv);
            while tlvs.len() % 8 != 0 { tlvs.push(0); }
        }
        let s = routing::SegmentRouting { segments_left: sl, last_entry: last, flags, tag, segments: &segments, tlvs: &tlvs };
        let mut buf = vec![0u8; s.buffer_len()];
        s.emit(IpProtocol::TCP, &mut buf).unwrap();
        let p = routing::Packet::new_checked(&buf[..]).unwrap();
        let r = routing::Repr::parse(&p).unwrap();
        prop_assert_eq!(r.segment_routing().unwrap().unwrap(), s);
        prop_assert_eq!(r.next_header, IpProtocol::TCP);
    }

    #[test]
    fn fragment_round_trip(off in 0u16..=fragment::MAX_FRAGMENT_OFFSET, m in any::<bool>(), id in any::<u32>(), next in any::<u8>()) {
        let r = fragment::Repr { next_header: IpProtocol(next), fragment_offset: off, more_fragments: m, identification: id };
        let mut buf = [0u8; 8];
        r.emit(&mut buf).unwrap();
        prop_assert_eq!(fragment::Repr::parse(&fragment::Packet::new_checked(&buf[..]).unwrap()).unwrap(), r);
    }

    #[test]
    fn auth_round_trip(spi in any::<u32>(), seq in any::<u32>(), n in 0usize..8, next in any::<u8>()) {
        let icv: Vec<u8> = (0..4 + 8 * n).map(|i| i as u8).collect();
        let r = auth::Repr { next_header: IpProtocol(next), spi, sequence_number: seq, icv: &icv };
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        prop_assert_eq!(auth::Repr::parse(&auth::Packet::new_checked(&buf[..]).unwrap()).unwrap(), r);
    }

    #[test]
    fn chain_round_trip(
        hbh in proptest::option::of(arb_options(options::Kind::HopByHop)
            .prop_filter("no jumbo", |o| !o.windows(2).any(|w| w == [0xc2, 4]))),
        rest in proptest::collection::vec(arb_owned_after_first(), 0..7),
        last in prop_oneof![Just(IpProtocol::TCP), Just(IpProtocol::UDP), Just(IpProtocol::ICMPV6), Just(IpProtocol::IPV6_NO_NEXT_HEADER), Just(IpProtocol::ESP), Just(IpProtocol(253))],
        tail in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let mut owned: Vec<Owned> = hbh.into_iter().map(|o| Owned::Options(options::Kind::HopByHop, o)).collect();
        owned.extend(rest);
        let types: Vec<IpProtocol> = owned.iter().map(header_of).chain([last]).collect();
        let reprs: Vec<ExtHeaderRepr<'_>> = owned.iter().enumerate().map(|(i, o)| o.repr(types[i + 1])).collect();
        let mut bytes = Vec::new();
        let mut offsets = Vec::new();
        for r in &reprs {
            let at = bytes.len();
            offsets.push(at);
            bytes.resize(at + r.buffer_len(), 0);
            r.emit(&mut bytes[at..]).unwrap();
        }
        let end_offset = bytes.len();
        bytes.extend_from_slice(&tail);
        let (headers, end) = walk(types[0], &bytes).unwrap();
        // A first fragment with M set continues; the chain has no non-first fragment.
        prop_assert_eq!(headers.len(), reprs.len());
        for ((h, r), at) in headers.iter().zip(&reprs).zip(&offsets) {
            prop_assert_eq!(&h.repr, r);
            prop_assert_eq!(h.offset, *at);
            prop_assert_eq!(h.len, r.buffer_len());
        }
        prop_assert_eq!(end.protocol, last);
        prop_assert_eq!(end.offset, end_offset);
        reemit_all(&bytes, &headers);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        first in prop_oneof![Just(0u8), Just(43), Just(44), Just(51), Just(60), Just(135), any::<u8>()],
        bytes in proptest::collection::vec(prop_oneof![Just(0u8), Just(1), Just(4), Just(43), Just(44), Just(51), Just(60), any::<u8>()], 0..200),
    ) {
        let first = IpProtocol(first);
        let mut n = 0;
        for step in ExtHeaders::new(first, &bytes) {
            n += 1;
            if let Ok(Step::Header(h)) = step {
                prop_assert!(h.offset + h.len <= bytes.len());
                let _ = (h.repr.header_type(), h.repr.next_header(), h.repr.layer());
                let mut out = vec![0u8; h.len];
                h.repr.emit(&mut out).unwrap();
                // Reserved fields are ignored on receipt and sent as zero.
                let mut expected = bytes[h.offset..h.offset + h.len].to_vec();
                match h.repr {
                    ExtHeaderRepr::Fragment(_) => {
                        expected[1] = 0;
                        expected[3] &= 0xf9;
                    }
                    ExtHeaderRepr::Auth(_) => expected[2..4].fill(0),
                    _ => {}
                }
                prop_assert_eq!(out, expected);
                match h.repr {
                    ExtHeaderRepr::HopByHop(r) | ExtHeaderRepr::DestOpts(r) => {
                        let _ = (r.options().count(), r.router_alert(), r.unrecognized(|_| false));
                    }
                    ExtHeaderRepr::Routing(r) => {
                        if let Some(Ok(s)) = r.segment_routing() {
                            let _ = (s.segment_list().count(), s.next_segment(), s.segment(usize::MAX));
                            let mut out = vec![0u8; s.buffer_len()];
                            s.emit(r.next_header, &mut out).unwrap();
                            prop_assert_eq!(&out[..], &bytes[h.offset..h.offset + h.len]);
                        }
                    }
                    _ => {}
                }
            } else if let Ok(Step::End(e)) = step {
                prop_assert!(e.offset <= bytes.len());
            }
        }
        prop_assert!(n <= MAX_EXT_HEADERS + 1);
        // Each view on the raw bytes.
        for kind in [options::Kind::HopByHop, options::Kind::DestOpts] {
            if let Ok(p) = options::Packet::new_checked(&bytes[..], kind) {
                let _ = (p.next_header(), p.options(), p.payload(), options::Repr::parse(&p));
            }
        }
        if let Ok(p) = routing::Packet::new_checked(&bytes[..]) {
            let _ = (p.routing_type(), p.segments_left(), p.data(), p.payload());
            let _ = routing::SegmentRouting::parse(p.segments_left(), p.data());
        }
        if let Ok(p) = fragment::Packet::new_checked(&bytes[..]) {
            let _ = (fragment::Repr::parse(&p), p.payload(), p.res(), p.reserved());
        }
        if let Ok(p) = auth::Packet::new_checked(&bytes[..]) {
            let _ = (auth::Repr::parse(&p), p.icv(), p.payload(), p.spi(), p.sequence_number());
        }
    }
}
