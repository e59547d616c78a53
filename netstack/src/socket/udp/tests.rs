use super::*;
use crate::wire::checksum::Checksum;
use crate::wire::udp::Packet;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use proptest::prelude::*;

type Sock = Socket<[u8; 256], 4>;

fn v4(a: [u8; 4], port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(a), port))
}

fn v6(a: &str, port: u16) -> SocketAddr {
    SocketAddr::V6(SocketAddrV6::new(a.parse().unwrap(), port, 0, 0))
}

fn ip(a: &str) -> IpAddr {
    a.parse().unwrap()
}

fn bound(local: SocketAddr) -> Sock {
    let mut s = Sock::new([0; 256], [0; 256]);
    s.bind(local).unwrap();
    s
}

/// A source selection that must not be asked.
fn no_selection(dst: IpAddr) -> Option<IpAddr> {
    panic!("source selection asked for {dst}")
}

/// RFC 1071 ones'-complement sum of big-endian words, written here without the
/// library's checksum code so that the tests do not check it against itself.
fn reference_sum(parts: &[&[u8]]) -> u16 {
    let bytes: Vec<u8> = parts.concat();
    let mut sum: u32 = 0;
    for w in bytes.chunks(2) {
        sum += u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)]));
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// The IPv4 pseudo-header of RFC 768 (protocol 17).
fn pseudo_v4(src: [u8; 4], dst: [u8; 4], len: u16) -> Vec<u8> {
    let mut p = Vec::from(src);
    p.extend(dst);
    p.extend([0, 17]);
    p.extend(len.to_be_bytes());
    p
}

/// The IPv6 pseudo-header of RFC 8200 section 8.1 (next header 17).
fn pseudo_v6(src: &str, dst: &str, len: u32) -> Vec<u8> {
    let mut p = Vec::from(src.parse::<Ipv6Addr>().unwrap().octets());
    p.extend(dst.parse::<Ipv6Addr>().unwrap().octets());
    p.extend(len.to_be_bytes());
    p.extend([0, 0, 0, 17]);
    p
}

// Frames 1 and 3 of rayos-net/tests/data/linux-veth.pcap (see `tcpdump -r ... -xx
// udp`): the Linux kernel's own datagrams, from `nsa` to `nsb`. Only the UDP part is
// kept. The checksums, worked by hand (RFC 768 / RFC 1071):
// IPv4 pseudo-header 0a63 0001 0a63 0002 0011 001c, header e985 2328 001c 0000,
// payload 7261 796f 732d 6e65 7420 6f76 6572 2049 5076 340a: the folded sum is
// 0xdcf6, whose complement is 0x2309. IPv6: the sum is 0x60ab, checksum 0x9f54.
const LINUX_V4: [u8; 28] = [
    0xe9, 0x85, 0x23, 0x28, 0x00, 0x1c, 0x23, 0x09, b'r', b'a', b'y', b'o', b's', b'-', b'n', b'e',
    b't', b' ', b'o', b'v', b'e', b'r', b' ', b'I', b'P', b'v', b'4', b'\n',
];
const LINUX_V6: [u8; 28] = [
    0x84, 0xcc, 0x23, 0x28, 0x00, 0x1c, 0x9f, 0x54, b'r', b'a', b'y', b'o', b's', b'-', b'n', b'e',
    b't', b' ', b'o', b'v', b'e', b'r', b' ', b'I', b'P', b'v', b'6', b'\n',
];

#[test]
fn emits_what_linux_sent_over_ipv4() {
    let (local, remote) = (v4([10, 99, 0, 1], 59781), v4([10, 99, 0, 2], 9000));
    // The hand derivation above, checked with the reference sum.
    let pseudo = pseudo_v4([10, 99, 0, 1], [10, 99, 0, 2], 28);
    let mut zeroed = LINUX_V4;
    zeroed[6..8].fill(0);
    assert_eq!(reference_sum(&[&pseudo, &zeroed]), 0xdcf6);

    let mut s = bound(local);
    s.send_to(&LINUX_V4[8..], remote).unwrap();
    assert_eq!(s.send_queue(), 20);
    let mut buf = [0xaau8; 64];
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!(
        t,
        Transmit {
            src: local,
            dst: remote,
            len: 28,
            hop_limit: None
        }
    );
    assert_eq!(buf[..28], LINUX_V4);
    assert_eq!(buf[28], 0xaa, "nothing written past the datagram");
    assert_eq!(s.send_queue(), 0);
    assert_eq!(
        s.poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection),
        Ok(None)
    );
}

#[test]
fn emits_what_linux_sent_over_ipv6() {
    let (local, remote) = (v6("fd00:99::1", 33996), v6("fd00:99::2", 9000));
    let pseudo = pseudo_v6("fd00:99::1", "fd00:99::2", 28);
    let mut zeroed = LINUX_V6;
    zeroed[6..8].fill(0);
    assert_eq!(reference_sum(&[&pseudo, &zeroed]), 0x60ab);

    let mut s = bound(local);
    s.send_to(&LINUX_V6[8..], remote).unwrap();
    let mut buf = [0u8; 28];
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!((t.src, t.dst, t.len), (local, remote, 28));
    assert_eq!(buf, LINUX_V6);
}

#[test]
fn unspecified_socket_asks_the_host_for_a_source() {
    let remote = v4([10, 99, 0, 2], 9000);
    let mut s = bound(v4([0, 0, 0, 0], 59781));
    s.send_to(&LINUX_V4[8..], remote).unwrap();
    let mut asked = None;
    let mut buf = [0u8; 64];
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), |dst| {
            asked = Some(dst);
            Some(ip("10.99.0.1"))
        })
        .unwrap()
        .unwrap();
    assert_eq!(asked, Some(remote.ip()));
    assert_eq!(t.src, v4([10, 99, 0, 1], 59781));
    assert_eq!(buf[..t.len], LINUX_V4);

    // An explicit source (the address a request arrived on) needs no selection.
    s.send_to_from(&LINUX_V4[8..], remote, ip("10.99.0.1"))
        .unwrap();
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!(t.src, v4([10, 99, 0, 1], 59781));
    assert_eq!(buf[..t.len], LINUX_V4);
}

#[test]
fn a_missing_or_invalid_source_drops_only_that_datagram() {
    let mut s: Socket<[u8; 64], 5> = Socket::new([0; 64], [0; 64]);
    s.bind(v6("::", 5000)).unwrap();
    let remote = v6("2001:db8::2", 53);
    for d in [&b"one"[..], b"two", b"three", b"four", b"five"] {
        s.send_to(d, remote).unwrap();
    }
    let caps = ChecksumCapabilities::default();
    let mut buf = [0u8; 64];
    assert_eq!(
        s.poll_transmit(&mut buf, &caps, |_| None),
        Err(EmitError::NoSource { dst: remote })
    );
    // Of the other family, multicast, unspecified: not a source.
    for bad in ["10.0.0.1", "ff02::1", "::"] {
        assert_eq!(
            s.poll_transmit(&mut buf, &caps, |_| Some(ip(bad))),
            Err(EmitError::InvalidSource {
                src: ip(bad),
                dst: remote
            })
        );
    }
    let t = s
        .poll_transmit(&mut buf, &caps, |_| Some(ip("2001:db8::1")))
        .unwrap()
        .unwrap();
    assert_eq!(&buf[8..t.len], b"five");
    assert_eq!(s.send_queue(), 0);
}

#[test]
fn send_to_from_a_group_lets_the_host_choose() {
    // A request that arrived on a group is answered from an interface address.
    let mut s = bound(v4([0, 0, 0, 0], 5353));
    let remote = v4([192, 168, 1, 7], 5353);
    s.send_to_from(b"answer", remote, ip("224.0.0.251"))
        .unwrap();
    s.send_to_from(b"answer", remote, ip("255.255.255.255"))
        .unwrap();
    let mut buf = [0u8; 64];
    for _ in 0..2 {
        let t = s
            .poll_transmit(&mut buf, &ChecksumCapabilities::default(), |_| {
                Some(ip("192.168.1.2"))
            })
            .unwrap()
            .unwrap();
        assert_eq!(t.src, v4([192, 168, 1, 2], 5353));
    }
    assert_eq!(
        s.send_to_from(b"x", remote, ip("::1")),
        Err(SendError::InvalidSource)
    );
    // A socket bound to a group has no source of its own either.
    let mut s = bound(v4([224, 0, 0, 251], 5353));
    s.send_to(b"x", remote).unwrap();
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), |_| {
            Some(ip("192.168.1.2"))
        })
        .unwrap()
        .unwrap();
    assert_eq!(t.src.ip(), ip("192.168.1.2"));
}

/// A payload whose checksum computes to zero is sent with 0xffff: 10.0.0.1:1000 to
/// 10.0.0.2:2000, and 2001:db8::1 to 2001:db8::2, two payload bytes each.
///
/// IPv4: pseudo-header 0a00 0001 0a00 0002 0011 000a plus header 03e8 07d0 000a 0000
/// sums to 0x1fe0; the payload e01f = 0xffff - 0x1fe0 brings the sum to 0xffff,
/// whose complement is 0. IPv6: the pseudo-header and header sum to 0x6752, so the
/// payload is 98ad.
#[test]
fn computed_zero_checksum_is_sent_as_all_ones() {
    //= https://www.rfc-editor.org/rfc/rfc768
    //# If the computed checksum is zero, it is transmitted as all ones (the
    //# equivalent in one's complement arithmetic).
    let pseudo = pseudo_v4([10, 0, 0, 1], [10, 0, 0, 2], 10);
    let header = [0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0, 0];
    assert_eq!(reference_sum(&[&pseudo, &header]), 0x1fe0);
    assert_eq!(reference_sum(&[&pseudo, &header, &[0xe0, 0x1f]]), 0xffff);
    let mut s = bound(v4([10, 0, 0, 1], 1000));
    s.send_to(&[0xe0, 0x1f], v4([10, 0, 0, 2], 2000)).unwrap();
    let mut buf = [0u8; 10];
    s.poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!(
        buf,
        [0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0xff, 0xff, 0xe0, 0x1f]
    );
    // The receiver's check: 0xffff verifies.
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert!(p.verify_checksum(&ip("10.0.0.1"), &ip("10.0.0.2")).is_ok());

    //= https://www.rfc-editor.org/rfc/rfc8200#section-8.1
    //# if that computation yields a result of zero, it must be changed to hex
    //# FFFF for placement in the UDP header.
    let pseudo = pseudo_v6("2001:db8::1", "2001:db8::2", 10);
    assert_eq!(reference_sum(&[&pseudo, &header]), 0x6752);
    let mut s = bound(v6("2001:db8::1", 1000));
    s.send_to(&[0x98, 0xad], v6("2001:db8::2", 2000)).unwrap();
    s.poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!(
        buf,
        [0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0xff, 0xff, 0x98, 0xad]
    );
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert!(
        p.verify_checksum(&ip("2001:db8::1"), &ip("2001:db8::2"))
            .is_ok()
    );
}

#[test]
fn offloaded_checksum_is_left_zero() {
    let mut s = bound(v4([10, 99, 0, 1], 59781));
    s.send_to(&LINUX_V4[8..], v4([10, 99, 0, 2], 9000)).unwrap();
    s.send_to(&LINUX_V4[8..], v4([10, 99, 0, 2], 9000)).unwrap();
    let mut buf = [0u8; 28];
    for udp in [Checksum::Offload, Checksum::Rx] {
        let caps = ChecksumCapabilities {
            udp,
            ..ChecksumCapabilities::default()
        };
        s.poll_transmit(&mut buf, &caps, no_selection)
            .unwrap()
            .unwrap();
        assert_eq!(buf[..6], LINUX_V4[..6]);
        assert_eq!(buf[6..8], [0, 0]);
        assert_eq!(buf[8..], LINUX_V4[8..]);
    }
}

#[test]
fn a_short_buffer_keeps_the_datagram_queued() {
    let mut s = bound(v4([10, 99, 0, 1], 59781));
    s.send_to(&LINUX_V4[8..], v4([10, 99, 0, 2], 9000)).unwrap();
    let mut small = [0u8; 27];
    assert_eq!(
        s.poll_transmit(&mut small, &ChecksumCapabilities::default(), no_selection),
        Err(EmitError::BufferTooSmall {
            needed: 28,
            available: 27
        })
    );
    assert_eq!(s.send_queue(), 20);
    let mut buf = [0u8; 28];
    assert!(
        s.poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
            .unwrap()
            .is_some()
    );
    assert_eq!(buf, LINUX_V4);
}

/// The receive-side checksum rules are the host's, in `wire::udp::Repr::parse`; this
/// checks that they hold for what the socket emits.
#[test]
fn receive_side_zero_checksum_rules() {
    let caps = ChecksumCapabilities::default();
    let mut d = LINUX_V4;
    d[6..8].fill(0);
    let p = Packet::new_checked(&d[..]).unwrap();
    //= https://www.rfc-editor.org/rfc/rfc768
    //# An all zero transmitted checksum value means that the transmitter
    //# generated no checksum (for debugging or for higher level protocols that
    //# don't care).
    assert!(Repr::parse(&p, &ip("10.99.0.1"), &ip("10.99.0.2"), &caps).is_ok());
    //= https://www.rfc-editor.org/rfc/rfc8200#section-8.1
    //# IPv6 receivers must discard UDP packets containing a zero checksum and
    //# should log the error.
    let mut d = LINUX_V6;
    d[6..8].fill(0);
    let p = Packet::new_checked(&d[..]).unwrap();
    assert!(Repr::parse(&p, &ip("fd00:99::1"), &ip("fd00:99::2"), &caps).is_err());
    // And the Linux datagrams verify as they are.
    let p = Packet::new_checked(&LINUX_V6[..]).unwrap();
    assert!(Repr::parse(&p, &ip("fd00:99::1"), &ip("fd00:99::2"), &caps).is_ok());
}

#[test]
fn receives_in_order_with_truncation_and_peek() {
    let mut s = bound(v4([0, 0, 0, 0], 9000));
    let (a, b) = (v4([10, 0, 0, 7], 4000), v4([10, 0, 0, 1], 9000));
    let mut out = [0u8; 8];
    assert_eq!(s.recv_from(&mut out), Err(RecvError::Exhausted));
    assert_eq!(s.peek_from(&mut out), Err(RecvError::Exhausted));
    assert!(!s.can_recv());
    let t = Duration::from_millis(5);
    s.handle_datagram(t, a, b, b"hello, world").unwrap();
    s.handle_datagram(t * 2, a, v4([255, 255, 255, 255], 9000), b"")
        .unwrap();
    assert!(s.can_recv());
    assert_eq!(s.recv_queue(), 12);

    let (n, meta) = s.peek_from(&mut out).unwrap();
    assert_eq!((n, &out[..n]), (8, &b"hello, w"[..]));
    assert_eq!(
        meta,
        Meta {
            remote: a,
            local: b,
            received: t,
            len: 12,
            truncated: true
        }
    );
    let (n, meta2) = s.recv_from(&mut out).unwrap();
    assert_eq!((n, meta2), (8, meta));
    // The rest of a truncated datagram is gone, as with MSG_TRUNC.
    let (n, meta) = s.recv_from(&mut out).unwrap();
    assert_eq!(n, 0);
    assert_eq!(meta.local, v4([255, 255, 255, 255], 9000));
    assert_eq!((meta.len, meta.truncated, meta.received), (0, false, t * 2));
    assert_eq!(s.recv_from(&mut out), Err(RecvError::Exhausted));
    assert_eq!(s.recv_queue(), 0);
}

#[test]
fn drops_say_why_and_keep_what_is_queued() {
    let mut s: Socket<[u8; 16], 2> = Socket::new([0; 16], [0; 16]);
    let src = v4([10, 0, 0, 7], 4000);
    let dst = v4([10, 0, 0, 1], 9000);
    let now = Duration::ZERO;
    assert_eq!(
        s.handle_datagram(now, src, dst, b"x"),
        Err(Discard::NotAccepted)
    );
    s.bind(dst).unwrap();
    assert_eq!(
        s.handle_datagram(now, src, v4([10, 0, 0, 1], 9001), b"x"),
        Err(Discard::NotAccepted)
    );
    assert_eq!(
        s.handle_datagram(now, v6("2001:db8::1", 1), dst, b"x"),
        Err(Discard::NotAccepted)
    );
    assert_eq!(
        s.handle_datagram(now, src, dst, &[0; 17]),
        Err(Discard::TooLarge)
    );
    s.handle_datagram(now, src, dst, b"0123456789").unwrap();
    assert_eq!(
        s.handle_datagram(now, src, dst, b"abcdefg"),
        Err(Discard::BufferFull)
    );
    s.handle_datagram(now, src, dst, b"abcdef").unwrap();
    assert_eq!(
        s.handle_datagram(now, src, dst, b""),
        Err(Discard::BufferFull),
        "two slots"
    );
    let mut out = [0u8; 16];
    let (n, _) = s.recv_from(&mut out).unwrap();
    assert_eq!(&out[..n], b"0123456789");
    let (n, _) = s.recv_from(&mut out).unwrap();
    assert_eq!(&out[..n], b"abcdef");
}

#[test]
fn send_errors() {
    let mut s: Socket<[u8; 16], 2> = Socket::new([0; 16], [0; 16]);
    let remote = v4([10, 0, 0, 2], 53);
    assert!(!s.can_send());
    assert_eq!(s.send_to(b"x", remote), Err(SendError::Unbound));
    s.bind(v4([10, 0, 0, 1], 5000)).unwrap();
    assert!(s.can_send());
    for bad in [
        v4([0, 0, 0, 0], 53),
        v4([10, 0, 0, 2], 0),
        v6("2001:db8::2", 53),
    ] {
        assert_eq!(s.send_to(b"x", bad), Err(SendError::Unaddressable));
    }
    assert_eq!(
        s.send_to(&[0; 17], remote),
        Err(SendError::TooLarge { len: 17, max: 16 })
    );
    s.send_to(&[1; 16], remote).unwrap();
    assert_eq!(s.send_to(b"", remote).map(|()| 0), Ok(0));
    assert!(!s.can_send());
    assert_eq!(s.send_to(b"", remote), Err(SendError::BufferFull));
    assert_eq!(s.send_queue(), 16);
}

#[cfg(feature = "alloc")]
#[test]
fn send_limit_is_the_largest_udp_payload_of_the_family() {
    use crate::socket::storage::Growable;
    let mut s: Socket<Growable, 2> = Socket::new(Growable::new(0, 0), Growable::new(16, 1 << 17));
    s.bind(v4([10, 0, 0, 1], 5000)).unwrap();
    let big = alloc::vec![7u8; 65_508];
    // 65,535 less the IPv4 and UDP headers.
    assert_eq!(
        s.send_to(&big, v4([10, 0, 0, 2], 53)),
        Err(SendError::TooLarge {
            len: 65_508,
            max: 65_507
        })
    );
    s.send_to(&big[..65_507], v4([10, 0, 0, 2], 53)).unwrap();
    let mut buf = alloc::vec![0u8; 65_515];
    let t = s
        .poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection)
        .unwrap()
        .unwrap();
    assert_eq!(t.len, 65_515);
    assert_eq!(buf[4..6], [0xff, 0xeb]);
    let p = Packet::new_checked(&buf[..]).unwrap();
    assert!(p.verify_checksum(&ip("10.0.0.1"), &ip("10.0.0.2")).is_ok());

    let mut s: Socket<Growable, 2> = Socket::new(Growable::new(0, 0), Growable::new(16, 1 << 17));
    s.bind(v6("::", 5000)).unwrap();
    let big = alloc::vec![7u8; 65_528];
    assert_eq!(
        s.send_to(&big, v6("2001:db8::2", 53)),
        Err(SendError::TooLarge {
            len: 65_528,
            max: 65_527
        })
    );
    s.send_to(&big[..65_527], v6("2001:db8::2", 53)).unwrap();
}

#[test]
fn bind_and_close() {
    let mut s = Sock::new([0; 256], [0; 256]);
    assert_eq!(s.local(), None);
    assert_eq!(s.bind(v4([0, 0, 0, 0], 0)), Err(BindError::Unaddressable));
    s.bind(v4([0, 0, 0, 0], 68)).unwrap();
    assert!(s.is_bound());
    assert_eq!(s.local(), Some(v4([0, 0, 0, 0], 68)));
    assert_eq!(s.bind(v4([0, 0, 0, 0], 69)), Err(BindError::AlreadyBound));
    s.join(ip("224.0.0.251")).unwrap();
    s.join(ip("239.1.2.3")).unwrap();
    s.send_to(b"discover", v4([255, 255, 255, 255], 67))
        .unwrap();
    s.handle_datagram(
        Duration::ZERO,
        v4([10, 0, 0, 1], 67),
        v4([255, 255, 255, 255], 68),
        b"offer",
    )
    .unwrap();
    let left = s.close();
    assert_eq!(left.as_slice(), &[ip("224.0.0.251"), ip("239.1.2.3")]);
    assert!(!s.is_bound() && !s.can_recv() && s.groups().is_empty());
    assert_eq!((s.send_queue(), s.recv_queue()), (0, 0));
    let mut buf = [0u8; 64];
    assert_eq!(
        s.poll_transmit(&mut buf, &ChecksumCapabilities::default(), no_selection),
        Ok(None)
    );
    s.bind(v6("::", 68)).unwrap();
}

#[test]
fn join_and_leave() {
    let mut s = bound(v4([0, 0, 0, 0], 5353));
    assert_eq!(s.join(ip("10.0.0.1")), Err(JoinError::NotMulticast));
    assert_eq!(s.join(ip("255.255.255.255")), Err(JoinError::NotMulticast));
    assert_eq!(s.join(ip("ff02::fb")), Err(JoinError::FamilyMismatch));
    for i in 0..8 {
        s.join(IpAddr::V4(Ipv4Addr::new(239, 0, 0, i))).unwrap();
    }
    assert_eq!(s.join(ip("239.0.0.3")), Err(JoinError::AlreadyMember));
    assert_eq!(s.join(ip("224.0.0.251")), Err(JoinError::Full));
    s.leave(ip("239.0.0.3")).unwrap();
    assert_eq!(s.leave(ip("239.0.0.3")), Err(LeaveError::NotMember));
    assert_eq!(s.groups().len(), 7);
    assert!(!s.groups().contains(&ip("239.0.0.3")));
    assert_eq!(s.groups()[3], ip("239.0.0.4"), "order kept");
    s.join(ip("224.0.0.251")).unwrap();
    assert_eq!(s.groups()[7], ip("224.0.0.251"));
    // Before bind any family may be joined.
    let mut u = Sock::new([0; 256], [0; 256]);
    u.join(ip("ff02::fb")).unwrap();
    u.join(ip("224.0.0.251")).unwrap();
}

#[test]
fn multicast_and_broadcast_acceptance() {
    let mdns4 = v4([224, 0, 0, 251], 5353);
    let other4 = v4([239, 1, 1, 1], 5353);
    let bcast = v4([255, 255, 255, 255], 5353);
    let me4 = v4([10, 0, 0, 1], 5353);
    let mdns6 = v6("ff02::fb", 5353);

    // Bound to the unspecified address: everything of its family on its port,
    // groups included (Linux's IP_MULTICAST_ALL, on by default).
    let mut any = bound(v4([0, 0, 0, 0], 5353));
    for dst in [mdns4, other4, bcast, me4] {
        assert!(any.accepts(dst), "{dst}");
    }
    assert!(!any.accepts(v4([224, 0, 0, 251], 5354)));
    assert!(!any.accepts(mdns6), "another family");
    // With it off, only the groups joined.
    any.set_multicast_all(false);
    assert!(!any.multicast_all());
    assert!(!any.accepts(mdns4));
    any.join(mdns4.ip()).unwrap();
    assert!(any.accepts(mdns4));
    assert!(!any.accepts(other4));
    assert!(any.accepts(bcast) && any.accepts(me4));
    any.leave(mdns4.ip()).unwrap();
    assert!(!any.accepts(mdns4));

    // Bound to a unicast address: only that address, even for a joined group.
    let mut one = bound(me4);
    one.join(mdns4.ip()).unwrap();
    assert!(one.accepts(me4));
    assert!(!one.accepts(mdns4));
    assert!(!one.accepts(bcast));
    assert!(!one.accepts(v4([10, 0, 0, 2], 5353)));

    // Bound to a group: only the group.
    let group = bound(mdns4);
    assert!(group.accepts(mdns4));
    assert!(!group.accepts(me4) && !group.accepts(other4));

    // IPv6.
    let mut any6 = bound(v6("::", 5353));
    assert!(any6.accepts(mdns6) && any6.accepts(v6("2001:db8::1", 5353)));
    assert!(!any6.accepts(mdns4) && !any6.accepts(bcast));
    any6.set_multicast_all(false);
    assert!(!any6.accepts(mdns6));
    any6.join(mdns6.ip()).unwrap();
    assert!(any6.accepts(mdns6));
    assert!(!any6.accepts(v6("ff02::1", 5353)));

    // Unbound: nothing.
    assert!(!Sock::new([0; 256], [0; 256]).accepts(me4));

    // handle_datagram follows accepts.
    let src = v4([10, 0, 0, 9], 5353);
    assert_eq!(
        one.handle_datagram(Duration::ZERO, src, mdns4, b"q"),
        Err(Discard::NotAccepted)
    );
    assert_eq!(
        any.handle_datagram(Duration::ZERO, src, bcast, b"q"),
        Ok(())
    );
}

#[test]
fn hop_limits() {
    let mut s = bound(v4([10, 0, 0, 1], 5353));
    let caps = ChecksumCapabilities::default();
    let mut buf = [0u8; 64];
    let mut send = |s: &mut Sock, dst| {
        s.send_to(b"x", dst).unwrap();
        s.poll_transmit(&mut buf, &caps, no_selection)
            .unwrap()
            .unwrap()
            .hop_limit
    };
    // RFC 1112 section 6.1 and RFC 3493 section 5.2: multicast defaults to 1.
    assert_eq!(send(&mut s, v4([224, 0, 0, 251], 5353)), Some(1));
    assert_eq!(send(&mut s, v4([10, 0, 0, 2], 5353)), None);
    s.set_multicast_hop_limit(255);
    s.set_hop_limit(Some(7));
    assert_eq!((s.multicast_hop_limit(), s.hop_limit()), (255, Some(7)));
    assert_eq!(send(&mut s, v4([224, 0, 0, 251], 5353)), Some(255));
    assert_eq!(send(&mut s, v4([10, 0, 0, 2], 5353)), Some(7));
}

// ---- PacketBuffer ----

fn contents<S: Storage, const M: usize>(b: &mut PacketBuffer<S, M, u32>) -> Vec<(u32, Vec<u8>)> {
    let mut v = Vec::new();
    while let Some((h, d)) = b.dequeue() {
        v.push((h, d.to_vec()));
    }
    v
}

#[test]
fn pads_the_tail_and_gives_the_padding_back() {
    let mut b: PacketBuffer<[u8; 10], 4, u32> = PacketBuffer::new([0; 10]);
    b.enqueue_slice(1, b"aaaa").unwrap(); // 0..4
    b.enqueue_slice(2, b"bbbb").unwrap(); // 4..8
    assert_eq!(
        b.dequeue().map(|(h, d)| (h, d.to_vec())),
        Some((1, b"aaaa".to_vec()))
    );
    // 2 bytes left at the end, 4 at the start: pad 8..10, payload at 0..4.
    b.enqueue_slice(3, b"cccc").unwrap();
    assert_eq!((b.used, b.payload_len(), b.len()), (10, 8, 3 - 1));
    assert_eq!(&b.storage[..4], b"cccc");
    // Zero-length datagrams need only a slot.
    b.enqueue_slice(4, b"").unwrap();
    // A slot is free, a byte is not.
    assert_eq!(b.enqueue_slice(5, b"d"), Err(EnqueueError::Full));
    assert!(!b.is_full());
    assert_eq!(
        b.peek().map(|(h, d)| (*h, d.to_vec())),
        Some((2, b"bbbb".to_vec()))
    );
    b.dequeue().unwrap();
    // The padding still counts: queued bytes are 8..10 (pad) and 0..4.
    assert_eq!((b.read, b.used), (8, 6));
    b.enqueue_slice(5, b"dddd").unwrap(); // 4..8
    b.enqueue_slice(6, b"").unwrap();
    assert!(b.is_full());
    assert_eq!(
        b.enqueue_slice(7, b""),
        Err(EnqueueError::Full),
        "four slots"
    );
    assert_eq!(
        contents(&mut b),
        alloc::vec![
            (3, b"cccc".to_vec()),
            (4, Vec::new()),
            (5, b"dddd".to_vec()),
            (6, Vec::new())
        ]
    );
    assert_eq!((b.read, b.used, b.payload_len()), (0, 0, 0));
}

#[test]
fn split_free_room_does_not_take_a_datagram_that_would_wrap() {
    let mut b: PacketBuffer<[u8; 10], 4, u32> = PacketBuffer::new([0; 10]);
    b.enqueue_slice(1, b"aaa").unwrap(); // 0..3
    b.enqueue_slice(2, b"bbbb").unwrap(); // 3..7
    b.dequeue().unwrap();
    // Free: 7..10 and 0..3, six bytes, but no four of them contiguous.
    assert_eq!(b.enqueue_slice(3, b"cccc"), Err(EnqueueError::Full));
    assert_eq!((b.read, b.used, b.len()), (3, 4, 1), "unchanged");
    b.enqueue_slice(3, b"ccc").unwrap(); // 7..10
    b.enqueue_slice(4, b"ddd").unwrap(); // 0..3, no padding needed
    assert_eq!(b.used, 10);
    assert_eq!(
        contents(&mut b),
        alloc::vec![
            (2, b"bbbb".to_vec()),
            (3, b"ccc".to_vec()),
            (4, b"ddd".to_vec())
        ]
    );
}

#[test]
fn too_large_full_and_empty() {
    let mut b: PacketBuffer<[u8; 10], 2, u32> = PacketBuffer::new([0; 10]);
    assert_eq!(
        b.enqueue_slice(0, &[0; 11]),
        Err(EnqueueError::TooLarge { size: 11, max: 10 })
    );
    b.enqueue_slice(0, &[1; 6]).unwrap();
    assert_eq!(b.enqueue_slice(1, &[2; 5]), Err(EnqueueError::Full));
    b.dequeue().unwrap();
    // Empty again: starts over at 0, so the whole capacity is one datagram.
    b.enqueue_slice(1, &[2; 10]).unwrap();
    assert_eq!(contents(&mut b), alloc::vec![(1, alloc::vec![2; 10])]);
    assert!(b.dequeue().is_none() && b.peek().is_none());

    // No slots, no bytes: every call is a value, none panics.
    let mut none: PacketBuffer<[u8; 0], 0, u32> = PacketBuffer::new([]);
    assert_eq!(none.enqueue(0, 1).map(|s| s.len()), Err(EnqueueError::Full));
    assert!(none.dequeue().is_none() && none.is_full() && none.is_empty());
    let mut bytes0: PacketBuffer<[u8; 0], 2, u32> = PacketBuffer::new([]);
    bytes0.enqueue_slice(1, b"").unwrap();
    assert_eq!(
        bytes0.enqueue_slice(1, b"x"),
        Err(EnqueueError::TooLarge { size: 1, max: 0 })
    );
    assert_eq!(contents(&mut bytes0), alloc::vec![(1, Vec::new())]);

    // enqueue hands out the slice to fill in.
    let mut mem = [0u8; 8];
    let mut b: PacketBuffer<&mut [u8], 2, u32> = PacketBuffer::new(&mut mem[..]);
    b.enqueue(3, 9).unwrap().copy_from_slice(b"xyz");
    assert_eq!(b.peek().map(|(h, d)| (*h, d)), Some((9, &b"xyz"[..])));
    b.clear();
    assert!(b.is_empty() && b.peek().is_none());
    assert_eq!(
        (b.packet_capacity(), b.capacity(), b.max_capacity()),
        (2, 8, 8)
    );
}

#[cfg(feature = "alloc")]
#[test]
fn growable_storage_grows_with_wrapped_datagrams_in_place() {
    use crate::socket::storage::Growable;
    let mut b: PacketBuffer<Growable, 8, u32> = PacketBuffer::new(Growable::new(8, 64));
    b.enqueue_slice(1, b"aaaa").unwrap(); // 0..4
    b.enqueue_slice(2, b"bbbb").unwrap(); // 4..8
    b.dequeue().unwrap();
    b.enqueue_slice(3, b"cc").unwrap(); // 0..2, wrapped
    assert_eq!(b.capacity(), 8);
    // Does not fit in 2..4: the ring is laid out from 0 and grows.
    b.enqueue_slice(4, b"ddddd").unwrap();
    assert!(b.capacity() >= 11);
    assert_eq!(b.max_capacity(), 64);
    assert_eq!(
        b.enqueue_slice(5, &[0; 65]),
        Err(EnqueueError::TooLarge { size: 65, max: 64 })
    );
    b.enqueue_slice(5, &[5; 50]).unwrap();
    // 11 bytes queued: grown to the 61 needed (more than double 16).
    assert_eq!(b.capacity(), 61);
    // 3 bytes short of the 64 it may reach: full, and nothing moved.
    assert_eq!(b.enqueue_slice(6, &[6; 4]), Err(EnqueueError::Full));
    b.enqueue_slice(6, &[6; 3]).unwrap();
    assert_eq!(b.capacity(), 64);
    assert_eq!(
        contents(&mut b),
        alloc::vec![
            (2, b"bbbb".to_vec()),
            (3, b"cc".to_vec()),
            (4, b"ddddd".to_vec()),
            (5, alloc::vec![5; 50]),
            (6, alloc::vec![6; 3])
        ]
    );
}

#[derive(Debug, Clone)]
enum Op {
    Enqueue(usize, u8, u32),
    Dequeue,
    Peek,
}

fn op(max: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..=max, any::<u8>(), any::<u32>()).prop_map(|(n, b, h)| Op::Enqueue(n, b, h)),
        2 => Just(Op::Dequeue),
        1 => Just(Op::Peek),
    ]
}

/// Runs `ops` against `b` and a `VecDeque` model; `cap_of` gives the capacity the
/// full check compares with (the current one, or the maximum for growable storage).
fn check_against_model<S: Storage, const M: usize>(
    b: &mut PacketBuffer<S, M, u32>,
    ops: &[Op],
    grows: bool,
) -> Result<(), TestCaseError> {
    let mut model: VecDeque<(u32, Vec<u8>)> = VecDeque::new();
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Enqueue(n, byte, h) => {
                let data: Vec<u8> = (0..n).map(|k| byte.wrapping_add(k as u8)).collect();
                let (read, used, cap, max) = (b.read, b.used, b.capacity(), b.max_capacity());
                // The free bytes as the ring lays them out: after the queued ones up
                // to the end, and before them from the start (one run if they wrap).
                let largest_run = if read + used <= cap {
                    (cap - read - used).max(read)
                } else {
                    read - (read + used - cap)
                };
                match b.enqueue_slice(h, &data) {
                    Ok(()) => model.push_back((h, data)),
                    Err(EnqueueError::TooLarge { size, max: m }) => {
                        prop_assert_eq!((size, m), (n, max));
                        prop_assert!(n > max);
                    }
                    Err(EnqueueError::Full) => {
                        prop_assert!(n <= max);
                        // Full only without a slot, or when no free run holds the
                        // payload and the storage cannot grow enough; the larger run
                        // holds at least half the free bytes, all of them when the
                        // queue is empty.
                        let cannot_grow = !grows || cap == max || n > max - used;
                        prop_assert!(
                            model.len() == M
                                || (n > largest_run && cannot_grow && 2 * n > cap - used),
                            "op {}: {} bytes refused with {} slots taken, {} of {} used from {}",
                            i,
                            n,
                            model.len(),
                            used,
                            cap,
                            read
                        );
                    }
                }
            }
            Op::Dequeue => {
                let got = b.dequeue().map(|(h, d)| (h, d.to_vec()));
                prop_assert_eq!(got, model.pop_front());
            }
            Op::Peek => {
                let got = b.peek().map(|(h, d)| (*h, d.to_vec()));
                prop_assert_eq!(got.as_ref(), model.front());
            }
        }
        prop_assert_eq!(b.len(), model.len());
        let payload: usize = model.iter().map(|(_, d)| d.len()).sum();
        prop_assert_eq!(b.payload_len(), payload);
        prop_assert!(b.used >= payload && b.used <= b.capacity());
        prop_assert_eq!(b.is_empty(), model.is_empty());
    }
    while let Some(want) = model.pop_front() {
        let got = b.dequeue().map(|(h, d)| (h, d.to_vec()));
        prop_assert_eq!(got, Some(want));
    }
    prop_assert!(b.dequeue().is_none());
    prop_assert_eq!((b.used, b.read), (0, 0));
    Ok(())
}

proptest! {
    /// The packet buffer is a bounded FIFO of (metadata, payload) pairs: what comes
    /// out equals a `VecDeque` model, and a refusal is justified.
    #[test]
    fn packet_buffer_matches_a_deque(ops in proptest::collection::vec(op(20), 0..80)) {
        let mut b: PacketBuffer<[u8; 17], 5, u32> = PacketBuffer::new([0; 17]);
        check_against_model(&mut b, &ops, false)?;
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn growable_packet_buffer_matches_a_deque(ops in proptest::collection::vec(op(40), 0..80)) {
        use crate::socket::storage::Growable;
        let mut b: PacketBuffer<Growable, 6, u32> = PacketBuffer::new(Growable::new(3, 37));
        check_against_model(&mut b, &ops, true)?;
    }

    /// Whatever is sent comes out as a datagram that parses, with a checksum that
    /// verifies against the addresses `Transmit` names, and the same payload.
    #[test]
    fn emitted_datagrams_parse_back(
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        lport in 1u16..,
        rport in 1u16..,
        six in any::<bool>(),
        unspecified in any::<bool>(),
    ) {
        let (local, remote, chosen) = match (six, unspecified) {
            (false, false) => (v4([192, 0, 2, 1], lport), v4([198, 51, 100, 9], rport), None),
            (false, true) => (v4([0, 0, 0, 0], lport), v4([198, 51, 100, 9], rport), Some(ip("192.0.2.1"))),
            (true, false) => (v6("2001:db8::1", lport), v6("2001:db8:5::9", rport), None),
            (true, true) => (v6("::", lport), v6("ff02::fb", rport), Some(ip("fe80::1"))),
        };
        let mut s: Socket<[u8; 512], 2> = Socket::new([0; 512], [0; 512]);
        s.bind(local).unwrap();
        s.send_to(&payload, remote).unwrap();
        let mut buf = [0u8; 600];
        let t = s
            .poll_transmit(&mut buf, &ChecksumCapabilities::default(), |_| chosen)
            .unwrap()
            .unwrap();
        prop_assert_eq!(t.src.ip(), chosen.unwrap_or(local.ip()));
        prop_assert_eq!((t.src.port(), t.dst, t.len), (lport, remote, 8 + payload.len()));
        let p = Packet::new_checked(&buf[..t.len]).unwrap();
        prop_assert_ne!(p.checksum(), 0);
        let r = Repr::parse(&p, &t.src.ip(), &t.dst.ip(), &ChecksumCapabilities::default()).unwrap();
        prop_assert_eq!((r.src_port, r.dst_port), (lport, rport));
        prop_assert_eq!(p.payload(), &payload[..]);
    }

    /// Arbitrary calls never panic and never lose or reorder queued datagrams.
    #[test]
    fn socket_calls_never_panic(
        calls in proptest::collection::vec((0u8..6, 0usize..40, any::<u16>()), 0..60)
    ) {
        let mut s: Socket<[u8; 32], 3> = Socket::new([0; 32], [0; 32]);
        let mut model: VecDeque<usize> = VecDeque::new();
        let mut buf = [0u8; 64];
        for (kind, len, port) in calls {
            let data = alloc::vec![len as u8; len];
            match kind {
                0 => { let _ = s.bind(v4([0, 0, 0, 0], port)); }
                1 => {
                    let dst = v4([10, 0, 0, 1], port);
                    if s.handle_datagram(Duration::ZERO, v4([10, 0, 0, 2], 9), dst, &data).is_ok() {
                        model.push_back(len);
                    }
                }
                2 => {
                    let got = s.recv_from(&mut buf[..len]).ok().map(|(_, m)| m.len);
                    prop_assert_eq!(got, model.pop_front());
                }
                3 => { let _ = s.send_to(&data, v4([10, 0, 0, 3], port)); }
                4 => { let _ = s.poll_transmit(&mut buf[..len], &ChecksumCapabilities::default(), |_| Some(ip("10.0.0.1"))); }
                _ => { let _ = s.join(IpAddr::V4(Ipv4Addr::new(239, 0, 0, (port % 12) as u8))); }
            }
        }
    }
}
