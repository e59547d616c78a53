//! Tests of the ICMPv4 wire format.

use super::*;
use crate::wire::ip::IpProtocol;
use proptest::prelude::*;
extern crate alloc;
use alloc::string::String;
use alloc::vec::Vec;

const CAPS: ChecksumCapabilities = ChecksumCapabilities {
    icmpv4: checksum::Checksum::Both,
    ..ChecksumCapabilities::offloaded()
};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The ICMP echo data `ping` sends: a 16-byte timestamp, then each byte equal to its
/// offset in the data (checked against the captures).
fn ping_data(timestamp: &str, len: usize) -> Vec<u8> {
    let mut d = hex(timestamp);
    d.extend((16..len).map(|i| i as u8));
    d
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>> {
    Repr::parse(&Packet::new_checked(bytes)?, &CAPS)
}

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut out = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut out, &CAPS).unwrap();
    out
}

// The messages below were captured with `tcpdump -xx` on veth pairs between Linux
// 6.18 network namespaces (Ethernet and IPv4 headers removed). Long echo data is
// rebuilt with `ping_data`, which reproduces the captured bytes.

// `ping -s 20 10.0.0.2` from 10.0.0.1, and the reply.
const ECHO_REQUEST: &str = "080067411da300010821056b00000000436a00000000000010111213";
const ECHO_REPLY: &str = "00006f411da300010821056b00000000436a00000000000010111213";

// 10.0.0.2 answering a UDP datagram to its closed port 9999; the quoted datagram is
// the whole 31-byte `echo hi` datagram.
const UDP_DGRAM: &str = "4500001f89f8400040119cd30a0000010a000002abcb270f000b141f68690a";
const PORT_UNREACHABLE: &str = "0303a38e00000000";

/// A router (10.0.0.2, next-hop MTU 1,280) refusing a 1,428-byte echo request with DF
/// set: the header of the error, and the datagram it quotes the first 548 bytes of.
fn frag_needed() -> (Vec<u8>, Vec<u8>) {
    let mut dgram = hex("4500059400004000400121630a0000010a010005080056a620310001");
    dgram.extend(ping_data("2521056b00000000e57e060000000000", 1400));
    let msg = cat(&[&hex("03040ec900000500"), &dgram[..548]]);
    (msg, dgram)
}

/// The router dropping `ping -t 1`: Time Exceeded quoting the whole 84-byte request.
fn time_exceeded() -> (Vec<u8>, Vec<u8>) {
    let mut dgram = hex("45000054b12640000101b47c0a0000010a010005080085e120330001");
    dgram.extend(ping_data("2521056b00000000628b060000000000", 56));
    (cat(&[&hex("0b00f4ff00000000"), &dgram]), dgram)
}

// Messages no capture here produced; checksums computed with an independent RFC 1071
// implementation (a few lines of Python). Both quote the first 28 bytes of the
// echo request datagram above.
const REDIRECT: &str = "0501631b0a0000fe45000030658d40004001c13d0a0000010a000002080067411da30001";
const PARAM_PROBLEM: &str =
    "0c005e1a0900000045000030658d40004001c13d0a0000010a000002080067411da30001";
const TIMESTAMP: &str = "0d009a4012340001012345670000000000000000";

#[test]
fn echo_request_and_reply() {
    let req = hex(ECHO_REQUEST);
    let p = Packet::new_checked(&req[..]).unwrap();
    assert_eq!(p.msg_type(), Message::ECHO_REQUEST);
    assert_eq!((p.msg_code(), p.checksum()), (0, 0x6741));
    assert_eq!((p.echo_ident(), p.echo_seq_no()), (0x1da3, 1));
    assert_eq!(p.data(), &req[8..]);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::EchoRequest {
            ident: 7587,
            seq_no: 1,
            data: &req[8..]
        }
    );
    assert_eq!(
        format!("{r}"),
        "ICMP echo request, id 7587, seq 1, length 28"
    );
    assert_eq!(r.invoking(), None);
    assert_eq!(emit(&r), req);
    // The reply Linux sent is what `echo_reply` builds.
    let reply = r.echo_reply().unwrap();
    assert_eq!(emit(&reply), hex(ECHO_REPLY));
    assert_eq!(parse(&hex(ECHO_REPLY)).unwrap(), reply);
    assert_eq!(reply.echo_reply(), None);
}

#[test]
fn large_echo() {
    // `ping -s 1472`: a 1,480-byte message filling a 1,500-byte MTU.
    let data = ping_data("0821056b000000007f7b000000000000", 1472);
    let req = cat(&[&hex("080000311da40001"), &data]);
    let reply = cat(&[&hex("000008311da40001"), &data]);
    let r = parse(&req).unwrap();
    assert_eq!(r.buffer_len(), 1480);
    assert_eq!(emit(&r), req);
    assert_eq!(emit(&r.echo_reply().unwrap()), reply);
}

#[test]
fn port_unreachable() {
    let dgram = hex(UDP_DGRAM);
    let msg = cat(&[&hex(PORT_UNREACHABLE), &dgram]);
    let r = parse(&msg).unwrap();
    assert_eq!(
        r,
        Repr::DstUnreachable {
            reason: DstUnreachable::PORT_UNREACHABLE,
            next_hop_mtu: 0,
            invoking: &dgram
        }
    );
    assert_eq!(quote(&dgram), r.invoking().unwrap());
    let h = r.invoking_header().unwrap();
    assert!(!h.is_truncated());
    assert_eq!(h.src_addr(), Ipv4Addr::new(10, 0, 0, 1));
    assert_eq!(h.dst_addr(), Ipv4Addr::new(10, 0, 0, 2));
    assert_eq!(h.protocol(), IpProtocol::UDP);
    let payload = r.invoking_payload().unwrap();
    assert_eq!(payload, &dgram[20..]);
    // Source and destination ports of the UDP datagram.
    assert_eq!(&payload[..4], &[0xab, 0xcb, 0x27, 0x0f]);
    assert_eq!(
        format!("{r}"),
        "ICMP 10.0.0.2 unreachable - port unreachable, length 39"
    );
    assert_eq!(emit(&r), msg);
}

#[test]
fn frag_needed_with_truncated_quote() {
    let (msg, dgram) = frag_needed();
    assert_eq!(msg.len(), 556);
    let p = Packet::new_checked(&msg[..]).unwrap();
    assert_eq!(p.next_hop_mtu(), 1280);
    let r = Repr::parse(&p, &CAPS).unwrap();
    let Repr::DstUnreachable {
        reason,
        next_hop_mtu,
        invoking,
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(
        (reason, next_hop_mtu),
        (DstUnreachable::FRAG_REQUIRED, 1280)
    );
    // Linux quotes as much as fits in 576 bytes.
    assert_eq!(invoking.len(), MAX_INVOKING_LEN);
    assert_eq!(quote(&dgram), invoking);
    let h = r.invoking_header().unwrap();
    assert!(h.is_truncated() && h.dont_frag());
    assert_eq!(h.total_len(), 1428);
    assert_eq!(h.dst_addr(), Ipv4Addr::new(10, 1, 0, 5));
    let payload = r.invoking_payload().unwrap();
    assert_eq!(payload.len(), 528);
    // The first 8 bytes: the quoted echo request's header (type 8, id 0x2031, seq 1).
    assert_eq!(&payload[..8], &hex("080056a620310001")[..]);
    assert_eq!(
        format!("{r}"),
        "ICMP 10.1.0.5 unreachable - need to frag (mtu 1280), length 556"
    );
    assert_eq!(emit(&r), msg);
}

#[test]
fn time_exceeded_in_transit() {
    let (msg, dgram) = time_exceeded();
    let r = parse(&msg).unwrap();
    assert_eq!(
        r,
        Repr::TimeExceeded {
            reason: TimeExceeded::TTL_EXCEEDED,
            invoking: &dgram
        }
    );
    let h = r.invoking_header().unwrap();
    assert_eq!((h.ttl(), h.protocol()), (1, IpProtocol::ICMP));
    assert_eq!(r.invoking_payload().unwrap().len(), 64);
    assert_eq!(format!("{r}"), "ICMP time exceeded in-transit, length 92");
    assert_eq!(emit(&r), msg);
}

#[test]
fn redirect_param_problem_timestamp() {
    let bytes = hex(REDIRECT);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(p.gateway(), Ipv4Addr::new(10, 0, 0, 254));
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::Redirect {
            reason: Redirect::HOST,
            gateway: Ipv4Addr::new(10, 0, 0, 254),
            invoking: &bytes[8..]
        }
    );
    assert_eq!(r.invoking_payload().unwrap(), &bytes[28..]);
    assert_eq!(
        format!("{r}"),
        "ICMP redirect host to 10.0.0.254, length 36"
    );
    assert_eq!(emit(&r), bytes);

    let bytes = hex(PARAM_PROBLEM);
    let p = Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(p.pointer(), 9);
    let r = Repr::parse(&p, &CAPS).unwrap();
    assert_eq!(
        r,
        Repr::ParamProblem {
            reason: ParamProblem::POINTER,
            pointer: 9,
            invoking: &bytes[8..]
        }
    );
    assert_eq!(
        format!("{r}"),
        "ICMP parameter problem (pointer) - octet 9, length 36"
    );
    assert_eq!(emit(&r), bytes);

    let bytes = hex(TIMESTAMP);
    let r = parse(&bytes).unwrap();
    assert_eq!(
        r,
        Repr::Other {
            msg_type: Message::TIMESTAMP,
            code: 0,
            rest_of_header: [0x12, 0x34, 0x00, 0x01],
            data: &bytes[8..]
        }
    );
    assert!(r.invoking().is_none() && r.invoking_header().is_none());
    assert_eq!(format!("{r}"), "ICMP timestamp request code 0, length 20");
    assert_eq!(emit(&r), bytes);
}

/// `bytes` with `edit` applied and the checksum recomputed.
fn edited(bytes: &[u8], edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let mut b = bytes.to_vec();
    edit(&mut b);
    Packet::new_unchecked(&mut b[..]).fill_checksum();
    b
}

#[test]
fn non_canonical_messages_are_other() {
    let port = cat(&[&hex(PORT_UNREACHABLE), &hex(UDP_DGRAM)]);
    let (te, _) = time_exceeded();
    let cases = [
        // An echo with a nonzero code.
        edited(&hex(ECHO_REQUEST), |b| b[1] = 1),
        // Destination Unreachable with an RFC 4884 length (7 words of quote).
        edited(&port, |b| b[5] = 7),
        edited(&port, |b| b[4] = 1),
        // Time Exceeded with nonzero unused bytes.
        edited(&te, |b| b[7] = 1),
        // Parameter Problem with nonzero unused bytes after the pointer.
        edited(&hex(PARAM_PROBLEM), |b| b[5] = 1),
    ];
    for bytes in &cases {
        let r = parse(bytes).unwrap();
        assert!(matches!(r, Repr::Other { .. }), "{r:?}");
        assert_eq!(&emit(&r), bytes);
    }
    // An error message that is Other still exposes its quote.
    let r = parse(&cases[1]).unwrap();
    assert_eq!(
        r.invoking_header().unwrap().dst_addr(),
        Ipv4Addr::new(10, 0, 0, 2)
    );
    // Unknown codes of the typed messages stay typed.
    let unknown_code = edited(&port, |b| b[1] = 99);
    let r = parse(&unknown_code).unwrap();
    assert!(matches!(
        r,
        Repr::DstUnreachable {
            reason: DstUnreachable(99),
            ..
        }
    ));
    assert!(format!("{r}").contains("unreachable - 99"));
}

#[test]
fn invoking_header_is_best_effort() {
    let dgram = hex(UDP_DGRAM);
    let make = |invoking| Repr::DstUnreachable {
        reason: DstUnreachable::HOST_UNREACHABLE,
        next_hop_mtu: 0,
        invoking,
    };
    // Fewer than 20 bytes: no header.
    assert!(make(&dgram[..19]).invoking_header().is_none());
    assert!(make(&dgram[..19]).invoking_payload().is_none());
    // Exactly the header: a header and an empty payload.
    assert_eq!(make(&dgram[..20]).invoking_payload(), Some(&[][..]));
    // Not IPv4.
    let mut v6 = dgram.clone();
    v6[0] = 0x65;
    assert!(make(&v6).invoking_header().is_none());
    // IHL says options the quote does not hold.
    let mut opts = dgram.clone();
    opts[0] = 0x4f;
    assert!(make(&opts).invoking_header().is_none());
    // A bad IHL.
    let mut bad = dgram.clone();
    bad[0] = 0x44;
    assert!(make(&bad).invoking_header().is_none());
    assert_eq!(
        format!("{}", make(&bad)),
        "ICMP unreachable - host unreachable, length 39"
    );
}

#[test]
fn errors() {
    let req = hex(ECHO_REQUEST);
    for n in 0..8 {
        assert_eq!(
            Packet::new_checked(&req[..n]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Icmpv4,
                needed: 8,
                available: n
            }
        );
    }
    // The smallest message: a bare header.
    let bare = edited(&[8, 0, 0, 0, 0, 1, 0, 2], |_| {});
    let r = parse(&bare).unwrap();
    assert_eq!(
        r,
        Repr::EchoRequest {
            ident: 1,
            seq_no: 2,
            data: &[]
        }
    );
    let mut bad = req.clone();
    bad[27] ^= 0xff;
    let p = Packet::new_checked(&bad[..]).unwrap();
    assert_eq!(
        Repr::parse(&p, &CAPS).unwrap_err(),
        Error::Checksum {
            layer: Layer::Icmpv4,
            found: 0x6741,
            // The last word went from 0x1213 to 0x12ec: 0x6741 - 0xd9.
            expected: 0x6668
        }
    );
    assert!(Repr::parse(&p, &ChecksumCapabilities::offloaded()).is_ok());
    let r = parse(&req).unwrap();
    assert_eq!(
        r.emit(&mut [0u8; 27], &CAPS).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Icmpv4,
            needed: 28,
            available: 27
        }
    );
    let mut out = vec![0u8; 28];
    r.emit(&mut out, &ChecksumCapabilities::offloaded())
        .unwrap();
    assert_eq!(&out[2..4], &[0, 0]);
    assert_eq!(&out[4..], &req[4..]);
}

#[test]
fn setters() {
    let mut buf = [0u8; 12];
    let mut p = Packet::new_unchecked(&mut buf[..]);
    p.set_msg_type(Message::DST_UNREACHABLE);
    p.set_msg_code(4);
    p.set_next_hop_mtu(1400);
    p.data_mut().copy_from_slice(&[1, 2, 3, 4]);
    p.fill_checksum();
    assert_eq!(p.verify_checksum(), Ok(()));
    assert_eq!(p.rest_of_header(), [0, 0, 0x05, 0x78]);
    p.set_pointer(3);
    assert_eq!(p.pointer(), 3);
    p.set_gateway(Ipv4Addr::new(1, 2, 3, 4));
    assert_eq!(p.gateway(), Ipv4Addr::new(1, 2, 3, 4));
    p.set_echo_ident(7);
    p.set_echo_seq_no(9);
    assert_eq!((p.echo_ident(), p.echo_seq_no()), (7, 9));
    assert!(p.verify_checksum().is_err());
    assert_eq!(p.into_inner()[0], 3);
}

#[test]
fn names() {
    for code in 0..=255u8 {
        assert_eq!(DstUnreachable(code).name().is_some(), code < 16, "{code}");
    }
    assert_eq!(
        format!("{:?}", DstUnreachable::PRECEDENCE_CUTOFF),
        "precedence cutoff"
    );
    assert_eq!(format!("{}", Message::TIMESTAMP_REPLY), "timestamp reply");
    assert_eq!(format!("{:?}", Message(200)), "Message(0xc8)");
    assert_eq!(TimeExceeded::FRAG_REASSEMBLY.0, 1);
    assert_eq!(Redirect::HOST_TOS.0, 3);
    assert_eq!(ParamProblem::BAD_LENGTH.0, 2);
    let errors: Vec<u8> = (0..=255).filter(|&t| Message(t).is_error()).collect();
    assert_eq!(errors, vec![3, 4, 5, 11, 12]);
}

/// Builds one of the seven variants from generated numbers.
fn build(variant: u8, a: u16, b: u16, rest: [u8; 4], data: &[u8]) -> Repr<'_> {
    let code = a as u8;
    match variant % 7 {
        0 => Repr::EchoRequest {
            ident: a,
            seq_no: b,
            data,
        },
        1 => Repr::EchoReply {
            ident: a,
            seq_no: b,
            data,
        },
        2 => Repr::DstUnreachable {
            reason: DstUnreachable(code),
            next_hop_mtu: b,
            invoking: data,
        },
        3 => Repr::TimeExceeded {
            reason: TimeExceeded(code),
            invoking: data,
        },
        4 => Repr::ParamProblem {
            reason: ParamProblem(code),
            pointer: b as u8,
            invoking: data,
        },
        5 => Repr::Redirect {
            reason: Redirect(code),
            gateway: Ipv4Addr::from(rest),
            invoking: data,
        },
        _ => Repr::Other {
            msg_type: Message(b as u8),
            code,
            rest_of_header: rest,
            data,
        },
    }
}

proptest! {
    #[test]
    fn round_trip(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        variant in any::<u8>(),
        a in any::<u16>(),
        b in any::<u16>(),
        rest in any::<[u8; 4]>(),
    ) {
        let repr = build(variant, a, b, rest, &data);
        let bytes = emit(&repr);
        let parsed = parse(&bytes).unwrap();
        // An `Other` that spells a typed message parses as that message; every
        // other Repr comes back as it was, and the bytes always do.
        if !matches!(repr, Repr::Other { .. }) {
            prop_assert_eq!(parsed, repr);
        }
        prop_assert_eq!(emit(&parsed), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..120), fix in any::<bool>()) {
        if fix && bytes.len() >= 8 {
            if bytes[0] & 1 == 0 {
                bytes[0] = [0, 3, 5, 8, 11, 12][usize::from(bytes[1]) % 6];
            }
            Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        }
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.msg_type(), p.msg_code(), p.checksum(), p.rest_of_header());
            let _ = (p.echo_ident(), p.echo_seq_no(), p.next_hop_mtu(), p.pointer(), p.gateway(), p.data());
            if let Ok(r) = Repr::parse(&p, &CAPS) {
                let _ = (format!("{r}"), r.invoking(), r.invoking_payload(), r.echo_reply());
                if let Some(h) = r.invoking_header() {
                    let _ = (h.src_addr(), h.options(), h.payload(), h.options_iter().count());
                }
                // Every valid message re-emits byte for byte.
                prop_assert_eq!(emit(&r), bytes);
            }
        }
    }
}
