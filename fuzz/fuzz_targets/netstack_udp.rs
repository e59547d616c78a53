//! UDP datagrams: `Packet::new_checked`, then `Repr::parse` over IPv4 and IPv6
//! pseudo-headers with every checksum mode; whatever parses is emitted again and must
//! parse to the same `Repr` (and, where the checksum was verified, to the same bytes).
//!
//! The input is the datagram itself (UDP header first). The pseudo-header addresses are
//! fixed; the committed seeds were captured between these addresses, so their checksums
//! verify.
#![no_main]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use libfuzzer_sys::fuzz_target;
use netstack::wire::udp::{HEADER_LEN, Packet, Repr};
use netstack::wire::{Checksum, ChecksumCapabilities};

const V4: (IpAddr, IpAddr) = (
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
);
const V6: (IpAddr, IpAddr) = (
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2)),
);
const MODES: [Checksum; 4] = [
    Checksum::Both,
    Checksum::Rx,
    Checksum::Tx,
    Checksum::Offload,
];

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    // No accessor may panic after `new_checked`.
    let _ = (packet.src_port(), packet.dst_port(), packet.checksum());
    let _ = (packet.len(), packet.is_empty(), packet.payload());
    for (src, dst) in [V4, V6] {
        for mode in MODES {
            let mut caps = ChecksumCapabilities::default();
            caps.udp = mode;
            let parsed = Repr::parse(&packet, &src, &dst, &caps);
            // The pseudo-header sum does not depend on the order of the addresses: the
            // reply direction must give the same verdict, error values included.
            assert_eq!(Repr::parse(&packet, &dst, &src, &caps), parsed);
            if let Ok(repr) = parsed {
                round_trip(&packet, data, repr, &src, &dst, &caps);
            }
        }
    }
});

fn round_trip(
    packet: &Packet<&[u8]>,
    data: &[u8],
    repr: Repr,
    src: &IpAddr,
    dst: &IpAddr,
    caps: &ChecksumCapabilities,
) {
    assert_eq!(repr.src_port, packet.src_port());
    assert_eq!(repr.dst_port, packet.dst_port());
    assert_eq!(repr.buffer_len(), usize::from(packet.len()));
    assert_eq!(repr.header_len(), HEADER_LEN);

    // Too small a buffer is an error, not a panic.
    let mut short = vec![0u8; repr.buffer_len() - 1];
    assert!(repr.emit(&mut short, src, dst, caps).is_err());

    let mut buf = vec![0u8; repr.buffer_len()];
    buf[HEADER_LEN..].copy_from_slice(packet.payload());
    repr.emit(&mut buf, src, dst, caps)
        .expect("emit into buffer_len bytes");

    let again = Packet::new_checked(&buf[..]).expect("emitted datagram is well-formed");
    assert_eq!(again.payload(), packet.payload());
    if caps.udp.compute_tx() {
        // The emitted checksum is computed, so it verifies whatever the input held.
        let mut verify = *caps;
        verify.udp = Checksum::Both;
        assert_eq!(Repr::parse(&again, src, dst, &verify), Ok(repr));
    } else {
        assert_eq!(again.checksum(), 0);
    }
    let reparsed = Repr::parse(&again, src, dst, &offload_rx(caps)).expect("re-parse");
    assert_eq!(reparsed, repr);

    // A verified, non-zero checksum can only be re-emitted as itself: the bytes must
    // come back identical (the payload padding after `length` excepted).
    if caps.udp.verify_rx() && caps.udp.compute_tx() && packet.checksum() != 0 {
        assert_eq!(&buf[..], &data[..repr.buffer_len()]);
    }
}

/// The same capabilities with receive verification off, for re-parsing what we emitted
/// without a checksum.
fn offload_rx(caps: &ChecksumCapabilities) -> ChecksumCapabilities {
    let mut c = *caps;
    c.udp = Checksum::Offload;
    c
}
