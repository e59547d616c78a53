//! TCP options and segments.
//!
//! The input is read two ways:
//!
//! 1. Its first 40 bytes at most (the largest option area) go through
//!    `tcp::OptionsIter`, which must end (one item per byte at most), stop after its
//!    first error and agree with `OptionsIter::validate`. When the whole area
//!    validates, the options are collected, written again with `emit_options` and
//!    iterated again: the same options must come back (plus the End of Option List
//!    that the zero padding reads as, when the area did not end with one), and the
//!    bytes they were read from must be reproduced exactly.
//! 2. The whole input as a segment: `Packet::new_checked`, then `Repr::parse` over IPv4
//!    and IPv6 pseudo-headers with every checksum mode; whatever parses is emitted
//!    again and must parse to the same `Repr`, and, where the checksum was verified
//!    and is recomputed, give the same bytes (the acknowledgment field of a segment
//!    without ACK excepted: `Repr::ack_number` documents that it is not kept).
//!
//! The pseudo-header addresses are fixed; the committed seeds (option areas and whole
//! segments) come from a capture between these addresses, so their checksums verify.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use libfuzzer_sys::fuzz_target;
use netstack::wire::tcp::{
    HEADER_LEN, MAX_OPTIONS_LEN, OptionsIter, Packet, Repr, TcpOption, emit_options,
    options_buffer_len,
};
use netstack::wire::{Checksum, ChecksumCapabilities};

const V4: (IpAddr, IpAddr) = (
    IpAddr::V4(Ipv4Addr::new(10, 99, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(10, 99, 0, 2)),
);
const V6: (IpAddr, IpAddr) = (
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 1)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2)),
);
const MODES: [Checksum; 4] = [
    Checksum::Both,
    Checksum::Rx,
    Checksum::Tx,
    Checksum::Offload,
];

fuzz_target!(|data: &[u8]| {
    option_area(&data[..data.len().min(MAX_OPTIONS_LEN)]);
    segment(data);
});

fn option_area(area: &[u8]) {
    let mut iter = OptionsIter::new(area);
    let mut options = Vec::new();
    let mut failed = false;
    let mut items = 0;
    for item in iter.by_ref() {
        items += 1;
        assert!(items <= area.len(), "the iterator does not end");
        assert!(!failed, "an item after an error");
        match item {
            Ok(option) => options.push(option),
            Err(e) => {
                let _ = e.to_string();
                failed = true;
            }
        }
    }
    assert!(iter.next().is_none(), "the iterator is fused");
    assert_eq!(OptionsIter::validate(area).is_ok(), !failed);
    if failed {
        return;
    }

    // The options read come from a prefix of the area; without End of Option List
    // they fill it.
    let used: usize = options.iter().map(TcpOption::buffer_len).sum();
    let ends_with_eol = options.last() == Some(&TcpOption::EndOfList);
    if ends_with_eol {
        assert!(used <= area.len());
    } else {
        assert_eq!(used, area.len());
    }

    let mut buf = [0u8; MAX_OPTIONS_LEN];
    let len = emit_options(&options, &mut buf)
        .unwrap_or_else(|e| panic!("options that validated do not emit: {e}\n{options:?}"));
    assert_eq!(Some(len), options_buffer_len(&options));
    assert_eq!(len, used.next_multiple_of(4));
    assert_eq!(&buf[..used], &area[..used], "options re-emit differently");
    assert!(
        buf[used..len].iter().all(|&b| b == 0),
        "padding is not zero"
    );
    if let Some(short) = len.checked_sub(1) {
        assert!(emit_options(&options, &mut [0u8; MAX_OPTIONS_LEN][..short]).is_err());
    }

    let again: Vec<TcpOption<'_>> = OptionsIter::new(&buf[..len])
        .collect::<Result<_, _>>()
        .expect("emitted options validate");
    let padded_eol = !ends_with_eol && len > used;
    let expected_len = options.len() + usize::from(padded_eol);
    assert_eq!(
        again.len(),
        expected_len,
        "{options:?} came back as {again:?}"
    );
    assert_eq!(&again[..options.len()], &options[..]);
    if padded_eol {
        assert_eq!(again.last(), Some(&TcpOption::EndOfList));
    }

    // Each option alone.
    for option in &options {
        let _ = option.kind().is_decoded();
        let mut one = [0u8; MAX_OPTIONS_LEN];
        let n = option.emit(&mut one).expect("a parsed option emits");
        assert_eq!(n, option.buffer_len());
        assert!(option.emit(&mut one[..n - 1]).is_err());
        let read = OptionsIter::new(&one[..n]).next();
        assert_eq!(read, Some(Ok(*option)));
    }
}

fn segment(data: &[u8]) {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    // No accessor may panic after `new_checked`.
    let _ = (packet.src_port(), packet.dst_port(), packet.seq_number());
    let _ = (packet.ack_number(), packet.data_offset(), packet.flags());
    let _ = (packet.reserved(), packet.window_len(), packet.checksum());
    let _ = (packet.urgent_pointer(), packet.options(), packet.payload());
    let _ = (packet.segment_len(), packet.options_iter().count());
    for (src, dst) in [V4, V6] {
        let _ = packet.verify_checksum(&src, &dst);
        for mode in MODES {
            let mut caps = ChecksumCapabilities::default();
            caps.tcp = mode;
            let parsed = Repr::parse(&packet, &src, &dst, &caps);
            // The pseudo-header sum does not depend on the order of the addresses.
            assert_eq!(Repr::parse(&packet, &dst, &src, &caps), parsed);
            if let Ok(repr) = parsed {
                round_trip(&packet, data, repr, &src, &dst, &caps);
            }
        }
    }
}

fn round_trip(
    packet: &Packet<&[u8]>,
    data: &[u8],
    repr: Repr<'_>,
    src: &IpAddr,
    dst: &IpAddr,
    caps: &ChecksumCapabilities,
) {
    assert_eq!(repr.src_port, packet.src_port());
    assert_eq!(repr.dst_port, packet.dst_port());
    assert_eq!(repr.options, packet.options());
    assert_eq!(repr.header_len(), HEADER_LEN + repr.options.len());
    assert_eq!(repr.buffer_len(), data.len());
    let _ = (repr.mss(), repr.window_scale(), repr.sack_permitted());
    let _ = (repr.sack_ranges(), repr.timestamps(), repr.segment_len());
    let _ = repr.to_string();
    assert!(repr.options_iter().all(|o| o.is_ok()));

    let mut short = vec![0u8; repr.buffer_len() - 1];
    assert!(repr.emit(&mut short, src, dst, caps).is_err());

    let mut buf = vec![0u8; repr.buffer_len()];
    buf[repr.header_len()..].copy_from_slice(packet.payload());
    repr.emit(&mut buf, src, dst, caps)
        .unwrap_or_else(|e| panic!("a parsed segment does not emit: {e}\n{repr:?}"));

    let again = Packet::new_checked(&buf[..]).expect("an emitted segment is well-formed");
    assert_eq!(again.payload(), packet.payload());
    let mut verify = *caps;
    verify.tcp = if caps.tcp.compute_tx() {
        Checksum::Both
    } else {
        assert_eq!(again.checksum(), 0);
        Checksum::Offload
    };
    assert_eq!(Repr::parse(&again, src, dst, &verify), Ok(repr));

    // A verified checksum, recomputed, comes back as itself: so do the bytes, but for
    // an acknowledgment number the segment does not claim.
    let ack_dropped = repr.ack_number.is_none() && packet.ack_number().0 != 0;
    if caps.tcp.verify_rx() && caps.tcp.compute_tx() && !ack_dropped {
        assert!(
            common::same_but_negative_zero(data, &buf),
            "segment re-emits differently\n in: {data:02x?}\nout: {buf:02x?}"
        );
    }
}
