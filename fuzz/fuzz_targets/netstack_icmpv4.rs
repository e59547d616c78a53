//! ICMP for IPv4: `icmpv4::Packet::new_checked`, then `icmpv4::Repr::parse` with the
//! checksum verified, not verified, computed and not computed.
//!
//! Every message of 8 bytes or more parses when its checksum is not verified (a message
//! of no known form is `Repr::Other`). Whatever parses must cover the whole message,
//! emit into `buffer_len()` bytes (and refuse one byte less) and parse again to the
//! same `Repr`; where the checksum was verified and is recomputed, the bytes must come
//! back identical. The quoted datagram of an error message is read through
//! `invoking_header` (a truncated IPv4 view), which must not panic.
//!
//! The input is the message, ICMP type first.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use netstack::wire::icmpv4::{Packet, Repr};
use netstack::wire::{Checksum, ChecksumCapabilities};

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
    let _ = (packet.msg_type(), packet.msg_code(), packet.checksum());
    let _ = (
        packet.rest_of_header(),
        packet.echo_ident(),
        packet.echo_seq_no(),
    );
    let _ = (packet.next_hop_mtu(), packet.pointer(), packet.gateway());
    let _ = packet.verify_checksum();
    for mode in MODES {
        let mut caps = ChecksumCapabilities::default();
        caps.icmpv4 = mode;
        let parsed = Repr::parse(&packet, &caps);
        if !mode.verify_rx() {
            assert!(
                parsed.is_ok(),
                "an unverified message does not parse: {parsed:?}"
            );
        }
        match parsed {
            Ok(repr) => round_trip(data, repr, &caps),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});

fn round_trip(data: &[u8], repr: Repr<'_>, caps: &ChecksumCapabilities) {
    assert_eq!(repr.buffer_len(), data.len(), "bytes lost: {repr:?}");
    assert_eq!(repr.msg_type().0, data[0]);
    assert_eq!(repr.msg_code(), data[1]);
    assert_eq!(repr.rest_of_header()[..], data[4..8]);
    let _ = (repr.to_string(), repr.echo_reply(), repr.header_len());
    if let Some(quoted) = repr.invoking_header() {
        let _ = (quoted.src_addr(), quoted.dst_addr(), quoted.protocol());
        let _ = (quoted.payload(), quoted.is_truncated());
        assert_eq!(repr.invoking_payload(), Some(quoted.payload_ref()));
    }

    let mut short = vec![0u8; repr.buffer_len() - 1];
    assert!(repr.emit(&mut short, caps).is_err());
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut buf, caps)
        .unwrap_or_else(|e| panic!("a parsed message does not emit: {e}\n{repr:?}"));

    let again = Packet::new_checked(&buf[..]).expect("an emitted message is well-formed");
    let mut verify = *caps;
    verify.icmpv4 = if caps.icmpv4.compute_tx() {
        Checksum::Both
    } else {
        assert_eq!(again.checksum(), 0);
        Checksum::Offload
    };
    assert_eq!(Repr::parse(&again, &verify), Ok(repr));
    // Apart from the checksum, every byte is kept.
    assert_eq!(buf[..2], data[..2]);
    assert_eq!(buf[4..], data[4..]);
    if caps.icmpv4.verify_rx() && caps.icmpv4.compute_tx() {
        assert!(
            common::same_but_negative_zero(data, &buf),
            "message re-emits differently\n in: {data:02x?}\nout: {buf:02x?}\n{repr:?}"
        );
    }
}
