//! Tests of the IPv4 wire format.

use super::*;
use proptest::prelude::*;
extern crate alloc;
use alloc::string::String;
use alloc::vec::Vec;

const CAPS: ChecksumCapabilities = ChecksumCapabilities {
    ipv4: checksum::Checksum::Both,
    ..ChecksumCapabilities::offloaded()
};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// The vectors below were captured with `tcpdump -xx` on veth pairs between Linux
// 6.18 network namespaces (Ethernet header removed); nothing is synthesised.

// `ping -s 20 10.0.0.2` from 10.0.0.1: echo request, DF set.
const ECHO_REQUEST: [u8; 48] = [
    0x45, 0x00, 0x00, 0x30, 0x65, 0x8d, 0x40, 0x00, 0x40, 0x01, 0xc1, 0x3d, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x67, 0x41, 0x1d, 0xa3, 0x00, 0x01, 0x08, 0x21, 0x05, 0x6b,
    0x00, 0x00, 0x00, 0x00, 0x43, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13,
];

// The echo reply Linux sent back (DF clear).
const ECHO_REPLY: &str = "45000030797000004001ed5a0a0000020a000001
    00006f411da300010821056b00000000436a00000000000010111213";

// An IGMPv3 report (joining 239.1.2.3) with the Router Alert option and DSCP CS6.
const IGMP_REPORT: [u8; 40] = [
    0x46, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xf9, 0xf8, 0x0a, 0x00, 0x00, 0x01,
    0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xe8, 0xf9, 0x00, 0x00, 0x00, 0x01,
    0x04, 0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03,
];

// `ping -R`: NOP, then Record Route (length 39, pointer 8, one address recorded).
const RR_REQUEST: &str = "4f00007c768e4000400173e00a0000010a000002
    010727080a000001000000000000000000000000000000000000000000000000000000000000000000
    08009c401f2500011a21056b000000005d3a010000000000101112131415161718191a1b1c1d1e1f
    202122232425262728292a2b2c2d2e2f3031323334353637";

// Its reply: Record Route (pointer 16, three addresses), then End of Option List.
const RR_REPLY: &str = "4f00007c895200004001b6e70a0000020a000001
    0727100a0000010a0000020a000002000000000000000000000000000000000000000000000000000000
    00a4401f2500011a21056b000000005d3a010000000000101112131415161718191a1b1c1d1e1f
    202122232425262728292a2b2c2d2e2f3031323334353637";

/// The ICMP echo data `ping` sends: a 16-byte timestamp, then each byte equal to
/// its offset in the data (checked against the capture).
fn ping_data(timestamp: &str, len: usize) -> Vec<u8> {
    let mut d = hex(timestamp);
    d.extend((16..len).map(|i| i as u8));
    d
}

/// The two fragments of a 1,400-byte echo request sent over a 1,280-byte path
/// MTU: MF set with 1,256 payload bytes, then offset 1,256 with 152.
fn fragments() -> (Vec<u8>, Vec<u8>) {
    let mut icmp = hex("08004d8820350001");
    icmp.extend(ping_data("2521056b00000000ee98060000000000", 1400));
    let mut first = hex("450004fcb1272000400190d30a0000010a010005");
    first.extend(&icmp[..1256]);
    let mut second = hex("450000acb127009d4001b4860a0000010a010005");
    second.extend(&icmp[1256..]);
    (first, second)
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, &CAPS)
}

fn reemit(repr: &Repr<'_>, original: &[u8]) -> Vec<u8> {
    let mut out = original.to_vec();
    out[..repr.header_len()].fill(0xa5);
    repr.emit(&mut out, &CAPS).unwrap();
    out
}

#[test]
fn echo_request() {
    let p = Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
    assert_eq!(p.version(), 4);
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.total_len(), 48);
    assert_eq!(p.checksum(), 0xc13d);
    assert!(!p.is_fragment() && !p.is_truncated());
    assert_eq!(p.options(), &[] as &[u8]);
    assert_eq!(p.payload(), &ECHO_REQUEST[20..]);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr {
            src_addr: Ipv4Addr::new(10, 0, 0, 1),
            dst_addr: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::ICMP,
            payload_len: 28,
            ttl: 64,
            dscp: Dscp::CS0,
            ecn: Ecn::NOT_ECT,
            ident: 0x658d,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            options: &[],
        }
    );
    assert_eq!(
        format!("{r}"),
        "10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 25997, length 48, flags [DF]"
    );
    assert_eq!(reemit(&r, &ECHO_REQUEST), ECHO_REQUEST);
}

#[test]
fn echo_reply_and_padding() {
    let bytes = hex(ECHO_REPLY);
    let r = parse(&bytes).unwrap();
    assert!(!r.dont_frag);
    assert_eq!(r.ident, 0x7970);
    assert_eq!(reemit(&r, &bytes), bytes);
    // `echo hi | socat - UDP:10.0.0.2:9999`: a 31-byte datagram, which Ethernet
    // pads to 46 bytes. The padding is not payload.
    let udp = hex("4500001f89f8400040119cd30a0000010a000002abcb270f000b141f68690a");
    let mut padded = udp.clone();
    padded.resize(46, 0);
    let p = Packet::new_checked(&padded[..]).unwrap();
    assert_eq!(p.payload(), &udp[20..]);
    assert_eq!(p.payload_ref().len(), 11);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!((r.protocol, r.payload_len), (IpProtocol::UDP, 11));
    assert_eq!(r, parse(&udp).unwrap());
}

#[test]
fn router_alert_option() {
    let p = Packet::new_checked(&IGMP_REPORT[..]).unwrap();
    assert_eq!(p.header_len(), 24);
    assert_eq!(p.options(), &ROUTER_ALERT);
    assert_eq!(
        p.options_iter().collect::<Vec<_>>(),
        vec![Ok(Ipv4Option::RouterAlert { value: 0 })]
    );
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(r.dscp, Dscp::CS6);
    assert_eq!(r.ttl, 1);
    assert_eq!(r.protocol, IpProtocol::IGMP);
    assert_eq!(r.dst_addr, Ipv4Addr::new(224, 0, 0, 22));
    assert_eq!(r.payload_len, 16);
    assert_eq!(r.options, &ROUTER_ALERT);
    assert_eq!(
        format!("{r}"),
        "10.0.0.1 > 224.0.0.22: IGMP, ttl 1, id 0, length 40, flags [DF], tos 0xc0, options (RA 0)"
    );
    assert_eq!(reemit(&r, &IGMP_REPORT), IGMP_REPORT);
    // The writer builds the same option bytes.
    let mut storage = [0u8; 40];
    let mut w = OptionsWriter::new(&mut storage);
    w.push(&Ipv4Option::RouterAlert { value: 0 }).unwrap();
    assert_eq!(w.finish().unwrap(), &IGMP_REPORT[20..24]);
}

#[test]
fn record_route_options() {
    let req = hex(RR_REQUEST);
    let r = parse(&req).unwrap();
    assert_eq!(r.header_len(), 60);
    assert_eq!(r.payload_len, 64);
    let opts: Vec<_> = r.options_iter().map(|o| o.unwrap()).collect();
    assert_eq!(opts.len(), 2);
    assert_eq!(opts[0], Ipv4Option::Nop);
    let Ipv4Option::Unknown { kind, data } = opts[1] else {
        panic!("{:?}", opts[1])
    };
    assert_eq!(kind, OptionKind::RECORD_ROUTE);
    assert!(!kind.copied() && kind.class() == 0 && kind.number() == 7);
    assert_eq!(data.len(), 37);
    assert_eq!(&data[..5], &[8, 10, 0, 0, 1]);
    assert_eq!(reemit(&r, &req), req);

    let rep = hex(RR_REPLY);
    let r = parse(&rep).unwrap();
    let opts: Vec<_> = r.options_iter().map(|o| o.unwrap()).collect();
    assert_eq!(opts.len(), 2);
    assert_eq!(opts[0].kind(), OptionKind::RECORD_ROUTE);
    assert_eq!(opts[0].buffer_len(), 39);
    assert_eq!(opts[1], Ipv4Option::End);
    assert_eq!(reemit(&r, &rep), rep);
    assert!(format!("{r}").ends_with("options (RR len 39,EOL)"));

    // Rebuilding the reply's options with the writer gives the same bytes.
    let mut storage = [0u8; 40];
    let mut w = OptionsWriter::new(&mut storage);
    w.push(&opts[0]).unwrap();
    assert_eq!(w.finish().unwrap(), &rep[20..60]);
}

#[test]
fn fragments_reassemble() {
    let (first, second) = fragments();
    let a = parse(&first).unwrap();
    assert!(a.more_frags && !a.dont_frag && a.is_fragment());
    assert_eq!((a.frag_offset, a.payload_len), (0, 1256));
    assert_eq!(reemit(&a, &first), first);
    let b = parse(&second).unwrap();
    assert!(!b.more_frags && b.is_fragment());
    assert_eq!((b.frag_offset, b.payload_len), (1256, 152));
    assert_eq!(a.ident, b.ident);
    assert_eq!(
        format!("{b}"),
        "10.0.0.1 > 10.1.0.5: ICMP, ttl 64, id 45351, length 172, offset 1256"
    );
    assert_eq!(reemit(&b, &second), second);
    // The ICMP checksum verifies over the reassembled payload only.
    let mut icmp = first[20..].to_vec();
    icmp.extend(&second[20..]);
    assert_eq!(checksum::data(&icmp), 0xffff);
    assert_ne!(checksum::data(&first[20..]), 0xffff);
}

#[test]
fn truncated_quote() {
    // The first 548 bytes of a 1,428-byte datagram, as an ICMP error quotes it.
    let mut dgram = hex("4500059400004000400121630a0000010a010005080056a620310001");
    dgram.extend(ping_data("2521056b00000000e57e060000000000", 1400));
    let quote = &dgram[..548];
    assert_eq!(
        Packet::new_checked(quote).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv4,
            needed: 1428,
            available: 548
        }
    );
    let p = Packet::new_truncated(quote).unwrap();
    assert!(p.is_truncated());
    assert_eq!(p.total_len(), 1428);
    assert_eq!(p.payload().len(), 528);
    assert_eq!(&p.payload()[..4], &[0x08, 0x00, 0x56, 0xa6]);
    assert_eq!(p.verify_checksum(), Ok(()));
    // A header that is cut short is still an error.
    assert_eq!(
        Packet::new_truncated(&dgram[..19]).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ipv4,
            needed: 20,
            available: 19
        }
    );
    // Total Length shorter than the header: the payload is empty, no panic.
    let mut odd = dgram[..24].to_vec();
    odd[2] = 0;
    odd[3] = 10;
    let p = Packet::new_truncated(&odd[..]).unwrap();
    assert_eq!(p.payload(), &[] as &[u8]);
    assert!(!p.is_truncated());
}

#[test]
fn decrement_ttl_matches_recompute() {
    let mut buf = ECHO_REQUEST;
    let mut p = Packet::new_checked(&mut buf[..]).unwrap();
    assert_eq!(p.decrement_ttl_update_checksum(), Some(63));
    assert_eq!(p.ttl(), 63);
    let incremental = p.checksum();
    p.fill_checksum();
    assert_eq!(incremental, p.checksum());
    assert_eq!(incremental, 0xc23d);
    assert_eq!(p.verify_checksum(), Ok(()));
    p.set_ttl(0);
    p.fill_checksum();
    let before = p.checksum();
    assert_eq!(p.decrement_ttl_update_checksum(), None);
    assert_eq!((p.ttl(), p.checksum()), (0, before));
    p.set_ttl(1);
    p.fill_checksum();
    assert_eq!(p.decrement_ttl_update_checksum(), Some(0));
    assert_eq!(p.verify_checksum(), Ok(()));
}

#[test]
fn address_rewrite_updates_checksum() {
    let mut buf = ECHO_REQUEST;
    let mut p = Packet::new_checked(&mut buf[..]).unwrap();
    p.set_src_addr_update_checksum(Ipv4Addr::new(192, 0, 2, 77));
    p.set_dst_addr_update_checksum(Ipv4Addr::new(198, 51, 100, 9));
    assert_eq!(p.verify_checksum(), Ok(()));
    assert_eq!(p.src_addr(), Ipv4Addr::new(192, 0, 2, 77));
    assert_eq!(p.dst_addr(), Ipv4Addr::new(198, 51, 100, 9));
}

#[test]
fn setters() {
    let mut buf = [0u8; 28];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.set_version(4);
    p.set_header_len(24);
    p.set_dscp(Dscp::EF);
    p.set_ecn(Ecn::CE);
    p.set_total_len(28);
    p.set_ident(0xbeef);
    p.set_dont_frag(true);
    p.set_more_frags(true);
    p.set_frag_offset(1480);
    p.set_ttl(9);
    p.set_protocol(IpProtocol::UDP);
    p.set_src_addr(Ipv4Addr::new(192, 0, 2, 1));
    p.set_dst_addr(Ipv4Addr::new(192, 0, 2, 2));
    p.options_mut().copy_from_slice(&[1, 1, 1, 0]);
    p.payload_mut().copy_from_slice(&[1, 2, 3, 4]);
    p.fill_checksum();
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert_eq!((p.version(), p.header_len(), p.total_len()), (4, 24, 28));
    assert_eq!((p.dscp(), p.ecn()), (Dscp::EF, Ecn::CE));
    assert_eq!(p.ident(), 0xbeef);
    assert!(p.dont_frag() && p.more_frags() && !p.reserved_flag());
    assert_eq!(
        (p.frag_offset(), p.ttl(), p.protocol()),
        (1480, 9, IpProtocol::UDP)
    );
    assert_eq!(p.payload(), &[1, 2, 3, 4]);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r.options_iter().map(|o| o.unwrap()).collect::<Vec<_>>(),
        vec![
            Ipv4Option::Nop,
            Ipv4Option::Nop,
            Ipv4Option::Nop,
            Ipv4Option::End
        ]
    );
    assert_eq!(
        format!("{r}"),
        "192.0.2.1 > 192.0.2.2: UDP, ttl 9, id 48879, length 28, flags [DF+], offset 1480, tos 0xbb, options (NOP,NOP,NOP,EOL)"
    );
    let mut buf2 = buf;
    let mut p = Packet::new_unchecked(&mut buf2[..]);
    p.set_dont_frag(false);
    p.set_more_frags(false);
    p.set_reserved_flag(true);
    assert!(!p.dont_frag() && !p.more_frags() && p.reserved_flag());
    assert_eq!(p.frag_offset(), 1480);
}

fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Ipv4,
        field,
        offset,
    }
}

fn truncated(needed: usize, available: usize) -> Error {
    Error::Truncated {
        layer: Layer::Ipv4,
        needed,
        available,
    }
}

/// ECHO_REQUEST with `edit` applied and the header checksum recomputed.
fn edited(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = ECHO_REQUEST.to_vec();
    edit(&mut b);
    if usize::from(b[0] & 0xf) * 4 <= b.len() {
        Packet::new_unchecked(&mut b[..]).fill_checksum();
    }
    b
}

#[test]
fn length_errors() {
    for n in 0..20 {
        assert_eq!(
            Packet::new_checked(&ECHO_REQUEST[..n]).unwrap_err(),
            truncated(20, n)
        );
    }
    for ihl in 0..5 {
        let b = edited(|b| b[0] = 0x40 | ihl);
        assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), invalid("IHL", 0));
    }
    // IHL 15 asks for 60 header bytes; the packet has 48.
    let b = edited(|b| b[0] = 0x4f);
    assert_eq!(Packet::new_checked(&b[..]).unwrap_err(), truncated(60, 48));
    // Total Length below the header length.
    let b = edited(|b| b[3] = 19);
    assert_eq!(
        Packet::new_checked(&b[..]).unwrap_err(),
        invalid("total length", 2)
    );
    let b = edited(|b| b[0] = 0x46);
    assert_eq!(
        Packet::new_checked(&b[..23]).unwrap_err(),
        truncated(24, 23)
    );
    // Total Length past the buffer.
    assert_eq!(
        Packet::new_checked(&ECHO_REQUEST[..47]).unwrap_err(),
        truncated(48, 47)
    );
}

#[test]
fn field_errors() {
    let b = edited(|b| b[0] = 0x65);
    assert_eq!(parse(&b).unwrap_err(), invalid("version", 0));
    let b = edited(|b| b[6] |= 0x80);
    assert_eq!(parse(&b).unwrap_err(), invalid("flags", 6));
    for src in [[224, 0, 0, 1], [239, 255, 255, 250], [255, 255, 255, 255]] {
        let b = edited(|b| b[12..16].copy_from_slice(&src));
        assert_eq!(parse(&b).unwrap_err(), invalid("source address", 12));
    }
    // 0.0.0.0 is a valid source (a host that does not yet know its address).
    let b = edited(|b| b[12..16].fill(0));
    assert!(parse(&b).is_ok());
    // A last fragment at offset 65,528 with 28 payload bytes would reassemble to
    // more than 65,535 bytes.
    let b = edited(|b| {
        b[6] = 0x1f;
        b[7] = 0xff;
    });
    assert_eq!(parse(&b).unwrap_err(), invalid("fragment offset", 6));
    // Offset 65,480 + 20 + 28 = 65,528 is fine.
    let b = edited(|b| {
        b[6] = 0x1f;
        b[7] = 0xf9;
    });
    assert_eq!(parse(&b).unwrap().frag_offset, 65_480);
}

#[test]
fn checksum_errors() {
    let mut b = ECHO_REQUEST;
    b[10] = 0x12;
    b[11] = 0x34;
    let p = Packet::new_checked(&b[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &CAPS).unwrap_err(),
        Error::Checksum {
            layer: Layer::Ipv4,
            found: 0x1234,
            expected: 0xc13d
        }
    );
    assert!(Repr::parse(&p, &ChecksumCapabilities::offloaded()).is_ok());
    let tx_only = ChecksumCapabilities {
        ipv4: checksum::Checksum::Tx,
        ..ChecksumCapabilities::default()
    };
    assert!(Repr::parse(&p, &tx_only).is_ok());
    // A corrupted header byte (not the checksum) is caught too.
    let mut b = ECHO_REQUEST;
    b[8] = 65;
    assert!(matches!(
        parse(&b).unwrap_err(),
        Error::Checksum { found: 0xc13d, .. }
    ));
    // Emit with the checksum offloaded leaves the field 0.
    let r = parse(&ECHO_REQUEST).unwrap();
    let mut out = ECHO_REQUEST;
    r.emit(&mut out, &ChecksumCapabilities::offloaded())
        .unwrap();
    assert_eq!(&out[10..12], &[0, 0]);
    assert_eq!(&out[..10], &ECHO_REQUEST[..10]);
    assert_eq!(&out[12..], &ECHO_REQUEST[12..]);
}

/// A header with options `opts` (padded by the caller) in front of 4 payload bytes.
fn with_options(opts: &[u8]) -> Vec<u8> {
    let hl = 20 + opts.len();
    let mut b = vec![0u8; hl + 4];
    b[..20].copy_from_slice(&ECHO_REQUEST[..20]);
    b[0] = 0x40 | (hl / 4) as u8;
    b[3] = (hl + 4) as u8;
    b[20..hl].copy_from_slice(opts);
    Packet::new_unchecked(&mut b[..]).fill_checksum();
    b
}

#[test]
fn option_errors() {
    let cases: [(&[u8], usize); 7] = [
        // Length 0 and 1 are shorter than the type and length octets.
        (&[0x07, 0x00, 0x00, 0x00], 21),
        (&[0x01, 0x44, 0x01, 0x00], 22),
        // Length past the end of the options area.
        (&[0x07, 0x05, 0x04, 0x00], 21),
        (&[0x01, 0x01, 0x83, 0x07, 0, 0, 0, 0], 23),
        // The type octet is the last byte: no length octet.
        (&[0x01, 0x01, 0x01, 0x07], 24),
        // Router Alert must be 4 bytes long.
        (&[0x94, 0x03, 0x00, 0x01], 21),
        (&[0x94, 0x08, 0, 0, 0, 0, 0, 0], 21),
    ];
    for (opts, offset) in cases {
        let b = with_options(opts);
        assert_eq!(
            parse(&b).unwrap_err(),
            invalid("option length", offset),
            "{opts:02x?}"
        );
        // The iterator reports the error once, then stops.
        let mut it = Options::new(&b[20..b.len() - 4]).skip_while(|o| o.is_ok());
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
    // After End of Option List the rest is padding, whatever it holds.
    let b = with_options(&[0x00, 0x07, 0x00, 0xff]);
    let r = parse(&b).unwrap();
    assert_eq!(
        r.options_iter().collect::<Vec<_>>(),
        vec![Ok(Ipv4Option::End)]
    );
}

fn sample() -> Repr<'static> {
    Repr {
        src_addr: Ipv4Addr::new(192, 0, 2, 1),
        dst_addr: Ipv4Addr::new(192, 0, 2, 2),
        protocol: IpProtocol::UDP,
        payload_len: 8,
        ttl: 64,
        dscp: Dscp::CS0,
        ecn: Ecn::NOT_ECT,
        ident: 1,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        options: &[],
    }
}

#[test]
fn emit_errors() {
    let r = sample();
    assert_eq!(
        r.emit(&mut [0u8; 27], &CAPS).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv4,
            needed: 28,
            available: 27
        }
    );
    let mut buf = vec![0u8; 70_000];
    let bad = [
        (
            Repr {
                options: &[1, 1, 1],
                ..r
            },
            invalid("options", 20),
        ),
        (
            Repr {
                options: &[1; 44],
                ..r
            },
            invalid("options", 20),
        ),
        (
            Repr {
                options: &[7, 1, 0, 0],
                ..r
            },
            invalid("option length", 21),
        ),
        (
            Repr {
                dscp: Dscp(64),
                ..r
            },
            invalid("DSCP", 1),
        ),
        (Repr { ecn: Ecn(4), ..r }, invalid("ECN", 1)),
        (
            Repr {
                frag_offset: 4,
                ..r
            },
            invalid("fragment offset", 6),
        ),
        (
            Repr {
                frag_offset: 65_512,
                ..r
            },
            invalid("fragment offset", 6),
        ),
        (
            Repr {
                payload_len: 65_516,
                ..r
            },
            invalid("total length", 2),
        ),
        (
            Repr {
                src_addr: Ipv4Addr::BROADCAST,
                ..r
            },
            invalid("source address", 12),
        ),
        (
            Repr {
                src_addr: Ipv4Addr::new(232, 1, 1, 1),
                ..r
            },
            invalid("source address", 12),
        ),
    ];
    for (repr, err) in bad {
        assert_eq!(repr.emit(&mut buf, &CAPS).unwrap_err(), err, "{repr:?}");
    }
    // The largest datagram is accepted.
    let big = Repr {
        payload_len: 65_515,
        ..r
    };
    big.emit(&mut buf, &CAPS).unwrap();
    assert_eq!(Packet::new_unchecked(&buf[..]).total_len(), 65_535);
}

#[test]
fn options_writer() {
    let mut storage = [0u8; 40];
    let mut w = OptionsWriter::new(&mut storage);
    w.push(&Ipv4Option::Nop).unwrap();
    w.push(&Ipv4Option::Unknown {
        kind: OptionKind::TIMESTAMP,
        data: &[5, 0],
    })
    .unwrap();
    let opts = w.finish().unwrap();
    assert_eq!(opts, &[1, 68, 4, 5, 0, 0, 0, 0]);
    assert_eq!(
        Options::new(opts).map(|o| o.unwrap()).collect::<Vec<_>>(),
        vec![
            Ipv4Option::Nop,
            Ipv4Option::Unknown {
                kind: OptionKind::TIMESTAMP,
                data: &[5, 0]
            },
            Ipv4Option::End
        ]
    );
    // Forty bytes at most.
    let mut storage = [0u8; 64];
    let mut w = OptionsWriter::new(&mut storage);
    w.push(&Ipv4Option::Unknown {
        kind: OptionKind::RECORD_ROUTE,
        data: &[4; 37],
    })
    .unwrap();
    w.push(&Ipv4Option::End).unwrap();
    assert_eq!(
        w.push(&Ipv4Option::Nop).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv4,
            needed: 61,
            available: 60
        }
    );
    assert_eq!(w.finish().unwrap().len(), 40);
    // A short caller buffer.
    let mut tiny = [0u8; 3];
    let mut w = OptionsWriter::new(&mut tiny);
    assert_eq!(
        w.push(&Ipv4Option::RouterAlert { value: 0 }).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ipv4,
            needed: 4,
            available: 3
        }
    );
    w.push(&Ipv4Option::Nop).unwrap();
    w.push(&Ipv4Option::Nop).unwrap();
    assert!(matches!(
        w.finish().unwrap_err(),
        Error::BufferTooSmall { needed: 4, .. }
    ));
    // Typed kinds cannot be smuggled in as Unknown, and data must fit the length.
    for kind in [OptionKind::END, OptionKind::NOP, OptionKind::ROUTER_ALERT] {
        assert_eq!(
            Ipv4Option::Unknown { kind, data: &[] }
                .emit(&mut [0u8; 8])
                .unwrap_err(),
            invalid("option type", 20)
        );
    }
    assert_eq!(
        Ipv4Option::Unknown {
            kind: OptionKind(99),
            data: &[0; 254]
        }
        .emit(&mut [0u8; 300])
        .unwrap_err(),
        invalid("option length", 20)
    );
}

#[test]
fn names() {
    assert_eq!(format!("{:?}", Dscp::AF41), "AF41");
    assert_eq!(format!("{}", Ecn::CE), "CE");
    assert_eq!(format!("{:?}", OptionKind(25)), "OptionKind(0x19)");
    assert!(OptionKind::LSRR.copied() && OptionKind::LSRR.number() == 3);
    assert_eq!(OptionKind::TIMESTAMP.class(), 2);
    assert!(OptionKind::ROUTER_ALERT.copied());
}

fn arb_option() -> impl Strategy<Value = (u8, u16, Vec<u8>)> {
    (
        0u8..3,
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..10),
    )
}

fn arb_src() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>()
        .prop_map(Ipv4Addr::from)
        .prop_filter("unicast source", |a| !a.is_multicast() && !a.is_broadcast())
}

proptest! {
    #[test]
    fn round_trip(
        src in arb_src(),
        dst in any::<u32>(),
        protocol in any::<u8>(),
        payload_len in 0usize..2000,
        ttl in any::<u8>(),
        dscp in 0u8..64,
        ecn in 0u8..4,
        ident in any::<u16>(),
        dont_frag in any::<bool>(),
        more_frags in any::<bool>(),
        frag_units in 0u16..7000,
        opts in proptest::collection::vec(arb_option(), 0..6),
    ) {
        let mut storage = [0u8; 40];
        let mut w = OptionsWriter::new(&mut storage);
        for (tag, value, data) in &opts {
            let kind = OptionKind(if data.first().is_some_and(|&k| k > 1 && k != 148) { data[0] } else { 7 });
            let opt = match tag {
                0 => Ipv4Option::Nop,
                1 => Ipv4Option::RouterAlert { value: *value },
                _ => Ipv4Option::Unknown { kind, data },
            };
            if w.push(&opt).is_err() {
                break;
            }
        }
        let options = w.finish().unwrap();
        let repr = Repr {
            src_addr: src,
            dst_addr: Ipv4Addr::from(dst),
            protocol: IpProtocol(protocol),
            payload_len,
            ttl,
            dscp: Dscp(dscp),
            ecn: Ecn(ecn),
            ident,
            dont_frag,
            more_frags,
            frag_offset: frag_units * 8,
            options,
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf, &CAPS).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        prop_assert_eq!(Repr::parse(&p, &CAPS).unwrap(), repr);
        prop_assert_eq!(p.payload().len(), payload_len);
    }

    #[test]
    fn incremental_ttl_equals_recompute(header in proptest::collection::vec(any::<u8>(), 60), ihl in 5u8..16, ttl in 1u8..) {
        let mut b = header;
        b[0] = 0x40 | ihl;
        let hl = usize::from(ihl) * 4;
        b[2..4].copy_from_slice(&(hl as u16).to_be_bytes());
        b[8] = ttl;
        let mut p = Packet::new_checked(&mut b[..hl]).unwrap();
        p.fill_checksum();
        prop_assert_eq!(p.decrement_ttl_update_checksum(), Some(ttl - 1));
        let incremental = p.checksum();
        p.fill_checksum();
        prop_assert_eq!(incremental, p.checksum());
    }

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..100), fixup in any::<bool>()) {
        if fixup && bytes.len() >= 20 {
            bytes[0] = 0x40 | (5 + bytes[0] % 11);
            let len = bytes.len() as u16;
            bytes[2..4].copy_from_slice(&len.to_be_bytes());
            if bytes[1] & 1 == 0 && usize::from(bytes[0] & 0xf) * 4 <= bytes.len() {
                Packet::new_unchecked(&mut bytes[..]).fill_checksum();
            }
        }
        for p in [Packet::new_checked(&bytes[..]), Packet::new_truncated(&bytes[..])].into_iter().flatten() {
            let _ = (p.version(), p.header_len(), p.dscp(), p.ecn(), p.total_len(), p.ident());
            let _ = (p.reserved_flag(), p.dont_frag(), p.more_frags(), p.frag_offset(), p.is_fragment());
            let _ = (p.ttl(), p.protocol(), p.checksum(), p.src_addr(), p.dst_addr());
            let _ = (p.options(), p.header(), p.payload(), p.payload_ref(), p.is_truncated(), p.verify_checksum());
            let _ = p.options_iter().take(50).count();
            if let Ok(r) = Repr::parse(&p, &CAPS) {
                let _ = format!("{r}");
                // Real bytes re-emit identically.
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut out, &CAPS).unwrap();
                prop_assert_eq!(&out[..r.header_len()], p.header());
            }
            let mut copy = bytes.clone();
            let mut m = Packet::new_unchecked(&mut copy[..]);
            let _ = m.decrement_ttl_update_checksum();
        }
        let _ = Options::new(&bytes).take(200).count();
    }
}
