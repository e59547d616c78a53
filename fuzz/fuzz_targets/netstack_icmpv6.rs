//! ICMPv6 messages, Neighbor Discovery and Multicast Listener Discovery included:
//! `icmpv6::Packet::new_checked`, then `icmpv6::Repr::parse` with the checksum verified,
//! not verified, computed and not computed.
//!
//! Whatever parses must account for every byte of the message (ICMPv6 has no length
//! field), agree with `ndp::Repr::parse` or `mld::Repr::parse` for those messages, emit
//! into `buffer_len()` bytes (and refuse one byte less), and parse again to the same
//! `Repr`; where the checksum was verified and is recomputed, the bytes must come back
//! identical. The NDP options and MLD records of what parsed are iterated: validated
//! option and record lists must be walked to their end, and each option or record
//! written on its own must read back as itself.
//!
//! The input is the message, ICMPv6 type first. The pseudo-header addresses are fixed;
//! the seed extractor (`cargo xtask fuzz-seeds`) recomputes the checksum of every
//! captured message for them.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use core::net::Ipv6Addr;
use libfuzzer_sys::fuzz_target;
use netstack::wire::icmpv6::{Packet, Repr};
use netstack::wire::mld::{self, RecordList, RecordWriter};
use netstack::wire::ndp::{self, NdpOption};
use netstack::wire::{Checksum, ChecksumCapabilities};

const SRC: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 1);
const DST: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2);
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
    let _ = (packet.header_word(), packet.mtu(), packet.pointer());
    let _ = (packet.echo_ident(), packet.echo_seq_no(), packet.body());
    let _ = (packet.payload(), packet.verify_checksum(&SRC, &DST));
    let t = packet.msg_type();
    let _ = (t.is_error(), t.is_ndp(), t.is_mld(), t.has_fixed_header());

    for mode in MODES {
        let mut caps = ChecksumCapabilities::default();
        caps.icmpv6 = mode;
        let parsed = Repr::parse(&packet, &SRC, &DST, &caps);
        assert_eq!(Repr::parse(&packet, &DST, &SRC, &caps), parsed);
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
    assert!(repr.header_len() <= repr.buffer_len());
    assert_eq!(repr.msg_type().0, data[0]);
    let _ = (repr.msg_code(), repr.to_string());

    match repr {
        Repr::Ndp(n) => {
            let p = ndp::Packet::new_checked(data).expect("an NDP message checks as NDP");
            assert_eq!(ndp::Repr::parse(&p, &SRC, &DST, caps), Ok(n));
            ndp_options(&n);
            let _ = (n.validate_ip(255, &SRC, &DST), n.msg_type(), n.header_len());
        }
        Repr::Mld(m) => {
            let p = mld::Packet::new_checked(data).expect("an MLD message checks as MLD");
            assert_eq!(mld::Repr::parse(&p, &SRC, &DST, caps), Ok(m));
            mld_lists(&m);
            let _ = (m.validate_ip(1, &SRC), m.msg_type(), m.header_len());
        }
        _ => {}
    }

    let mut short = vec![0u8; repr.buffer_len() - 1];
    assert!(repr.emit(&mut short, &SRC, &DST, caps).is_err());
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut buf, &SRC, &DST, caps)
        .unwrap_or_else(|e| panic!("a parsed message does not emit: {e}\n{repr:?}"));

    let again = Packet::new_checked(&buf[..]).expect("an emitted message is well-formed");
    let mut verify = *caps;
    verify.icmpv6 = if caps.icmpv6.compute_tx() {
        Checksum::Both
    } else {
        assert_eq!(again.checksum(), 0);
        Checksum::Offload
    };
    assert_eq!(Repr::parse(&again, &SRC, &DST, &verify), Ok(repr));
    if caps.icmpv6.verify_rx() && caps.icmpv6.compute_tx() {
        assert!(
            common::same_but_negative_zero(data, &buf),
            "message re-emits differently\n in: {data:02x?}\nout: {buf:02x?}\n{repr:?}"
        );
    }
}

fn ndp_options(n: &ndp::Repr<'_>) {
    let options = n.options();
    let _ = (
        options.source_link_layer_addr(),
        options.target_link_layer_addr(),
    );
    let mut count = 0;
    for option in options.iter() {
        count += 1;
        assert!(count <= options.len() / 8, "more options than units");
        let _ = option.kind();
        let len = option.buffer_len();
        let mut out = vec![0u8; len];
        let Ok(()) = option.emit(&mut out) else {
            continue;
        };
        assert!(option.emit(&mut out[..len - 8]).is_err());
        let written = ndp::Options::parse(&out).expect("an emitted option validates");
        let mut read = written.iter();
        let back = read.next().expect("an emitted option reads back");
        assert!(read.next().is_none());
        match (option, back) {
            // The typed option carries the prefix bytes the prefix length covers;
            // the writer uses the shortest length for them.
            (NdpOption::RouteInformation(a), NdpOption::RouteInformation(b)) => {
                assert_eq!(
                    (a.prefix_len, a.preference, a.route_lifetime),
                    (b.prefix_len, b.preference, b.route_lifetime)
                );
            }
            (a, b) => assert_eq!(a, b, "an NDP option does not read back as written"),
        }
    }
}

fn mld_lists(m: &mld::Repr<'_>) {
    match *m {
        mld::Repr::QueryV2 { sources, .. } => {
            assert_eq!(sources.iter().count(), sources.len());
            let _ = sources.get(sources.len().saturating_sub(1));
        }
        mld::Repr::ReportV2 { records, .. } => {
            let mut n = 0;
            for record in records.iter() {
                n += 1;
                assert_eq!(record.sources.iter().count(), record.sources.len());
                let mut out = vec![0u8; record.buffer_len()];
                let mut w = RecordWriter::new(&mut out);
                w.push_record(&record)
                    .expect("a parsed record is written again");
                assert_eq!(w.len(), record.buffer_len());
                let (list, rest) = RecordList::parse(&out, 1).expect("a written record validates");
                assert!(rest.is_empty());
                assert_eq!(list.iter().next(), Some(record));
            }
            // A validated list never stops early.
            assert_eq!(n, usize::from(records.count()));
        }
        _ => {}
    }
}
