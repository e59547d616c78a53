//! IPv4 headers and options: `ipv4::Packet::new_checked` (and `new_truncated`, the view
//! of a quoted datagram), then `ipv4::Repr::parse` with the header checksum verified,
//! not verified, computed and not computed.
//!
//! No accessor may panic on a checked view. Whatever parses must emit its header into
//! `buffer_len()` bytes (Total Length; what follows is link-layer padding), refuse one
//! byte less, and parse again to the same `Repr`; where the checksum was verified and
//! is recomputed, the datagram must come back byte for byte. The options of what
//! parsed are iterated: each must emit on its own and read back as itself, and
//! `OptionsWriter` must rebuild the area up to its End of Option List.
//!
//! The input is the datagram, version and IHL first.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use netstack::wire::ipv4::{Ipv4Option, MAX_OPTIONS_LEN, Options, OptionsWriter, Packet, Repr};
use netstack::wire::{Checksum, ChecksumCapabilities};

const MODES: [Checksum; 4] = [
    Checksum::Both,
    Checksum::Rx,
    Checksum::Tx,
    Checksum::Offload,
];

fuzz_target!(|data: &[u8]| {
    if let Ok(quoted) = Packet::new_truncated(data) {
        accessors(&quoted);
        let _ = (quoted.is_truncated(), quoted.header(), quoted.payload_ref());
    }
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    accessors(&packet);
    assert!(!packet.is_truncated());
    for mode in MODES {
        let mut caps = ChecksumCapabilities::default();
        caps.ipv4 = mode;
        match Repr::parse(&packet, &caps) {
            Ok(repr) => round_trip(&packet, data, repr, &caps),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});

fn accessors(p: &Packet<&[u8]>) {
    let _ = (
        p.version(),
        p.header_len(),
        p.dscp(),
        p.ecn(),
        p.total_len(),
    );
    let _ = (p.ident(), p.reserved_flag(), p.dont_frag(), p.more_frags());
    let _ = (p.frag_offset(), p.is_fragment(), p.ttl(), p.protocol());
    let _ = (p.checksum(), p.src_addr(), p.dst_addr(), p.options());
    let _ = (p.payload(), p.verify_checksum(), p.options_ref());
    let mut n = 0;
    for option in p.options_iter() {
        n += 1;
        assert!(n <= MAX_OPTIONS_LEN, "the option iterator does not end");
        let _ = option.map(|o| o.to_string());
    }
}

fn round_trip(packet: &Packet<&[u8]>, data: &[u8], repr: Repr<'_>, caps: &ChecksumCapabilities) {
    assert_eq!(repr.buffer_len(), usize::from(packet.total_len()));
    assert_eq!(repr.header_len(), packet.header_len());
    assert_eq!(repr.options, packet.options());
    assert_eq!(repr.is_fragment(), packet.is_fragment());
    let _ = repr.to_string();
    options(repr.options);

    let len = repr.buffer_len();
    let mut short = vec![0u8; len - 1];
    assert!(repr.emit(&mut short, caps).is_err());
    let mut buf = vec![0u8; len];
    buf[repr.header_len()..].copy_from_slice(packet.payload());
    repr.emit(&mut buf, caps)
        .unwrap_or_else(|e| panic!("a parsed header does not emit: {e}\n{repr:?}"));

    let again = Packet::new_checked(&buf[..]).expect("an emitted datagram is well-formed");
    assert_eq!(again.payload(), packet.payload());
    let mut verify = *caps;
    verify.ipv4 = if caps.ipv4.compute_tx() {
        Checksum::Both
    } else {
        assert_eq!(again.checksum(), 0);
        Checksum::Offload
    };
    assert_eq!(Repr::parse(&again, &verify), Ok(repr));
    if caps.ipv4.verify_rx() && caps.ipv4.compute_tx() {
        assert!(
            common::same_but_negative_zero(&data[..len], &buf),
            "datagram re-emits differently\n in: {:02x?}\nout: {buf:02x?}",
            &data[..len]
        );
    }
}

/// The options of a parsed header: all valid, each re-emits as itself, and the writer
/// rebuilds the area (bytes after End of Option List are padding, written as zero).
fn options(area: &[u8]) {
    let parsed: Vec<Ipv4Option<'_>> = Options::new(area)
        .collect::<Result<_, _>>()
        .expect("the options of a parsed header validate");
    let mut storage = [0u8; MAX_OPTIONS_LEN];
    let mut writer = OptionsWriter::new(&mut storage);
    let mut used = 0;
    for option in &parsed {
        let mut one = [0u8; MAX_OPTIONS_LEN];
        let n = option.emit(&mut one).expect("a parsed option emits");
        assert_eq!(n, option.buffer_len());
        assert_eq!(
            &one[..n],
            &area[used..used + n],
            "option re-emits differently"
        );
        assert!(option.emit(&mut one[..n - 1]).is_err());
        writer.push(option).expect("parsed options fit the writer");
        used += n;
    }
    let rebuilt = writer.finish().expect("parsed options fit the writer");
    assert_eq!(rebuilt.len(), used.next_multiple_of(4));
    assert_eq!(&rebuilt[..used], &area[..used]);
    if parsed.last() != Some(&Ipv4Option::End) {
        assert_eq!(used, area.len(), "options do not fill the area");
    }
}
