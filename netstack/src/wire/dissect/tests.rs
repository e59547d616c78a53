use super::*;
use proptest::prelude::*;

/// Ethernet + IPv4 + UDP: a DNS query for example.com (checksums computed with an
/// independent RFC 1071 reference in Python).
const UDP_FRAME: [u8; 71] = [
    0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, // Ethernet
    0x45, 0x00, 0x00, 0x39, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x14, 0x7e, 10, 0, 0, 1, 10, 0, 0,
    2, // IPv4
    0xc0, 0x01, 0x00, 0x35, 0x00, 0x25, 0xb0, 0x2f, // UDP
    0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 7, b'e', b'x', b'a',
    b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, 0, 1, 0, 1,
];

fn caps() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

#[test]
fn udp_frame() {
    let f = Frame::dissect(&UDP_FRAME, &caps()).unwrap();
    assert_eq!(f.error(), None);
    let Network::Ipv4 {
        header,
        transport:
            Transport::Udp {
                repr,
                payload,
                checksummed: true,
            },
    } = &f.network
    else {
        panic!("{f:?}")
    };
    assert_eq!(header.ttl, 64);
    assert_eq!((repr.src_port, repr.dst_port), (49153, 53));
    assert_eq!(payload.len(), 29);
    assert_eq!(
        format!("{f}"),
        "IP 10.0.0.1.49153 > 10.0.0.2.53: UDP, length 29"
    );
    let mut out = [0u8; 71];
    assert_eq!(f.emit(&mut out, &caps()), Ok(71));
    assert_eq!(out, UDP_FRAME);
}

#[test]
fn padding_is_kept() {
    // An Ethernet frame is at least 60 bytes: a short packet arrives padded.
    let mut frame = [0u8; 80];
    frame[..71].copy_from_slice(&UDP_FRAME);
    frame[71..].fill(0xee);
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(f.padding, &[0xee; 9]);
    let mut out = [0u8; 80];
    f.emit(&mut out, &caps()).unwrap();
    assert_eq!(out, frame);
}

#[test]
fn bad_udp_checksum_is_reported_with_the_frame() {
    let mut frame = UDP_FRAME;
    frame[40] = 0x12;
    frame[41] = 0x34;
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(
        f.error(),
        Some(Error::Checksum {
            layer: Layer::Udp,
            found: 0x1234,
            expected: 0xb02f
        })
    );
    assert_eq!(
        format!("{f}"),
        "IP 10.0.0.1 > 10.0.0.2: UDP, length 37: malformed: UDP: bad checksum 0x1234, expected 0xb02f"
    );
    // Offloaded checksums are not verified.
    assert_eq!(
        Frame::dissect(&frame, &ChecksumCapabilities::offloaded())
            .unwrap()
            .error(),
        None
    );
    // The bytes are kept, so the frame still re-emits as it was.
    let mut out = [0u8; 71];
    f.emit(&mut out, &caps()).unwrap();
    assert_eq!(out, frame);
}

/// UDP over IPv4 without a checksum (RFC 768: the field is zero) is kept so: a
/// re-emitted frame computes none either.
#[test]
fn udp_without_checksum_is_kept() {
    let mut frame = UDP_FRAME;
    frame[40] = 0;
    frame[41] = 0;
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(f.error(), None);
    let Network::Ipv4 {
        transport: Transport::Udp { checksummed, .. },
        ..
    } = f.network
    else {
        panic!("{f:?}")
    };
    assert!(!checksummed);
    let mut out = [0u8; 71];
    f.emit(&mut out, &caps()).unwrap();
    assert_eq!(out, frame);
}

/// An ICMP echo request whose checksum field holds -0 (0xffff; its data sums to
/// 0xffff, so a computation gives +0, 0x0000): it verifies, and re-emits as +0 with
/// every other byte unchanged (RFC 1624 section 3). Found by the netstack_frame fuzz
/// target.
#[test]
fn negative_zero_checksum_verifies_and_reemits_as_positive_zero() {
    let frame: [u8; 42] = [
        0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4, 0xde, 0xec, 0x5f, 0xcb, 0x40, 0xb4, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0x13, 0xe5, 0x0a, 0x63, 0x00, 0x01,
        0x0a, 0x63, 0x00, 0x02, 0x08, 0x00, 0xff, 0xff, 0xf7, 0xfe, 0x00, 0x01,
    ];
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(f.error(), None);
    let mut out = [0u8; 42];
    f.emit(&mut out, &caps()).unwrap();
    let mut want = frame;
    want[36] = 0;
    want[37] = 0;
    assert_eq!(out, want);
}

#[test]
fn inner_errors_are_rebased_to_the_frame() {
    // IPv4 total length says 57 but the frame ends 10 bytes short.
    let f = Frame::dissect(&UDP_FRAME[..61], &caps()).unwrap();
    assert_eq!(
        f.error(),
        Some(Error::Truncated {
            layer: Layer::Ipv4,
            needed: 71,
            available: 61
        })
    );
    // A UDP length field that is too small: offset 14 + 20 + 4.
    let mut frame = UDP_FRAME;
    frame[39] = 4;
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(
        f.error(),
        Some(Error::Invalid {
            layer: Layer::Udp,
            field: "length",
            offset: 38
        })
    );
    // No Ethernet header: the only hard error.
    assert_eq!(
        Frame::dissect(&UDP_FRAME[..10], &caps()).unwrap_err(),
        Error::Truncated {
            layer: Layer::Ethernet,
            needed: 14,
            available: 10
        }
    );
}

#[test]
fn unknown_ethertype_and_vlan() {
    let mut frame = [0u8; 22];
    frame[..12].copy_from_slice(&UDP_FRAME[..12]);
    frame[12..18].copy_from_slice(&[0x81, 0x00, 0x00, 0x0a, 0x88, 0xb5]);
    frame[18..].copy_from_slice(b"data");
    let f = Frame::dissect(&frame, &caps()).unwrap();
    assert_eq!(f.network, Network::Other(b"data"));
    assert_eq!(
        format!("{f}"),
        "vlan 10, 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype (0x88b5), length 4"
    );
    let mut out = [0u8; 22];
    f.emit(&mut out, &caps()).unwrap();
    assert_eq!(out, frame);
    assert_eq!(
        f.emit(&mut [0u8; 21], &caps()).unwrap_err(),
        Error::BufferTooSmall {
            layer: Layer::Ethernet,
            needed: 22,
            available: 21
        }
    );
}

proptest! {
    /// Arbitrary bytes behind a valid Ethernet header never panic, and whatever the
    /// dissector returns re-emits to the identical bytes.
    #[test]
    fn arbitrary_frames_round_trip(ethertype in prop_oneof![Just(0x0800u16), Just(0x86dd), Just(0x0806), any::<u16>()], body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut frame = UDP_FRAME[..12].to_vec();
        frame.extend_from_slice(&ethertype.to_be_bytes());
        frame.extend_from_slice(&body);
        if let Ok(f) = Frame::dissect(&frame, &ChecksumCapabilities::offloaded()) {
            let _ = format!("{f}");
            let mut out = vec![0u8; f.buffer_len()];
            if f.error().is_none() {
                // Offloaded checksums are written as zero, so compare with checksums on.
                let g = Frame::dissect(&frame, &caps()).unwrap();
                if g.error().is_none() {
                    prop_assert_eq!(g.emit(&mut out, &caps()), Ok(frame.len()));
                    prop_assert_eq!(&out, &frame);
                }
            }
        }
    }
}
