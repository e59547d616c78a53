//! IGMP (versions 1, 2 and 3): `igmp::Packet::new_checked`, then `igmp::Repr::parse`
//! with the checksum verified, not verified, computed and not computed.
//!
//! Whatever parses must emit into `buffer_len()` bytes (and refuse one byte less) and
//! parse again to the same `Repr`. The module keeps every field but those the RFCs call
//! reserved or unused and the data after the end of a message (module docs of
//! netstack/src/wire/igmp.rs), so: every kept byte must come back as it was, the
//! dropped fields must come back as zero, and where the checksum was verified and is
//! recomputed, and nothing was dropped, the bytes must come back identical. The source
//! lists and group records of what parsed are iterated, and each record is written
//! again with `GroupRecordsWriter` and must read back as itself.
//!
//! The input is the message, IGMP type first.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use netstack::wire::igmp::{GroupRecords, GroupRecordsWriter, Packet, Repr};
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
    let _ = (packet.msg_type(), packet.max_resp_code(), packet.checksum());
    let _ = (packet.group_addr(), packet.query_version(), packet.s_flag());
    let _ = (
        packet.qrv(),
        packet.qqic(),
        packet.num_sources(),
        packet.sources(),
    );
    let _ = (
        packet.num_group_records(),
        packet.records(),
        packet.verify_checksum(),
    );
    for mode in MODES {
        let mut caps = ChecksumCapabilities::default();
        caps.igmp = mode;
        match Repr::parse(&packet, &caps) {
            Ok(repr) => round_trip(data, repr, &caps),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});

/// `data[..buffer_len]` with the fields the module does not keep set to zero, as
/// `emit` writes them, and the checksum field cleared.
fn kept(data: &[u8], repr: &Repr<'_>) -> Vec<u8> {
    let mut kept = data[..repr.buffer_len()].to_vec();
    kept[2] = 0;
    kept[3] = 0;
    match repr {
        Repr::MembershipQuery { .. } => {}
        // Max Resp Time is unused outside queries (RFC 2236 section 2.2).
        Repr::MembershipReportV1 { .. }
        | Repr::MembershipReportV2 { .. }
        | Repr::LeaveGroup { .. } => kept[1] = 0,
        // Resv (RFC 3376 section 4.1.5).
        Repr::MembershipQueryV3 { .. } => kept[8] &= 0x0f,
        // Reserved (RFC 3376 section 4.2.1).
        Repr::MembershipReportV3 { .. } => {
            kept[1] = 0;
            kept[4] = 0;
            kept[5] = 0;
        }
    }
    kept
}

fn round_trip(data: &[u8], repr: Repr<'_>, caps: &ChecksumCapabilities) {
    assert!(repr.buffer_len() <= data.len());
    assert!(repr.header_len() <= repr.buffer_len());
    let _ = (repr.to_string(), repr.query_version(), repr.max_resp_time());
    let _ = (repr.query_interval(), repr.group_addr());
    assert_eq!(repr.sources().len() * 4, {
        match repr {
            Repr::MembershipQueryV3 { sources, .. } => sources.len(),
            _ => 0,
        }
    });
    records(&repr);

    let len = repr.buffer_len();
    let mut short = vec![0u8; len - 1];
    assert!(repr.emit(&mut short, caps).is_err());
    let mut buf = vec![0u8; len];
    repr.emit(&mut buf, caps)
        .unwrap_or_else(|e| panic!("a parsed message does not emit: {e}\n{repr:?}"));

    let again = Packet::new_checked(&buf[..]).expect("an emitted message is well-formed");
    let mut verify = *caps;
    verify.igmp = if caps.igmp.compute_tx() {
        Checksum::Both
    } else {
        assert_eq!(again.checksum(), 0);
        Checksum::Offload
    };
    assert_eq!(Repr::parse(&again, &verify), Ok(repr));

    let expected = kept(data, &repr);
    let mut out = buf.clone();
    out[2] = 0;
    out[3] = 0;
    assert!(
        out == expected,
        "message re-emits differently\n in: {data:02x?}\nout: {buf:02x?}\n{repr:?}"
    );
    // Something was dropped when a kept byte is not the one received.
    let dropped = expected[..2] != data[..2] || expected[4..] != data[4..len] || len != data.len();
    if caps.igmp.verify_rx() && caps.igmp.compute_tx() && !dropped {
        assert!(
            common::same_but_negative_zero(data, &buf),
            "checksum differs\n in: {data:02x?}\nout: {buf:02x?}"
        );
    }
}

fn records(repr: &Repr<'_>) {
    let Repr::MembershipReportV3 { records } = *repr else {
        assert_eq!(repr.records().count(), 0);
        return;
    };
    let mut n = 0;
    for record in repr.records() {
        n += 1;
        let record = record.expect("the records of a parsed report validate");
        assert_eq!(record.sources().count(), record.num_sources());
        let _ = record.to_string();
        let mut out = vec![0u8; record.buffer_len()];
        let mut w = GroupRecordsWriter::new(&mut out);
        w.push(&record).expect("a parsed record is written again");
        let mut read = GroupRecords::new(&out);
        assert_eq!(read.next(), Some(Ok(record)));
        assert_eq!(read.next(), None);
    }
    assert_eq!(Ok(n), GroupRecords::validate(records));
}
