//! Capture files: `rayos_net::pcap::Capture::new` (format told by the magic number),
//! and the classic `PcapFile` and pcapng `PcapNgFile` readers directly.
//!
//! Every record iterator must end (each record takes bytes of the file, so there are
//! fewer records than bytes), yield nothing after its first error, and never panic.
//! Every record must lie inside the file and hold at most its original length. A classic
//! header must emit back to its 24 bytes, and each classic record must emit back to
//! the bytes it was read from. A pcapng reader with room for one interface must yield
//! what the default one does until it runs out of room.
//!
//! The input is the capture file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rayos_net::pcap::{
    Capture, FILE_HEADER_LEN, FileHeader, Format, PcapFile, PcapNgFile, Record, Result,
};

fuzz_target!(|data: &[u8]| {
    let _ = Format::detect(data);
    if let Ok(capture) = Capture::new(data) {
        let _ = (capture.format(), capture.pcap_header());
        let records = walk(data, capture.records());
        match capture.format() {
            Format::Pcap => {
                let file = PcapFile::new(data).expect("Capture read it as classic");
                assert_eq!(walk(data, file.records()), records);
            }
            Format::PcapNg => {
                let file = PcapNgFile::new(data).expect("Capture read it as pcapng");
                assert_eq!(walk(data, file.records()), records);
            }
        }
    }

    if let Ok(file) = PcapFile::new(data) {
        let header = *file.header();
        let mut out = [0u8; FILE_HEADER_LEN];
        assert_eq!(header.emit(&mut out), Ok(FILE_HEADER_LEN));
        assert_eq!(
            out,
            data[..FILE_HEADER_LEN],
            "file header re-emits differently"
        );
        assert_eq!(FileHeader::parse(&out), Ok(header));
        let mut records = file.records();
        assert_eq!(records.offset(), FILE_HEADER_LEN);
        for record in walk(data, records.by_ref()).into_iter().flatten() {
            classic_record(&header, data, &record);
        }
    }

    if let Ok(file) = PcapNgFile::new(data) {
        let _ = file.byte_order();
        let all = walk(data, file.records());
        let mut small = file.records_with_capacity::<1>();
        let mut n = 0;
        while let Some(item) = small.next() {
            let _ = (small.offset(), small.byte_order(), small.interfaces());
            assert!(small.interfaces().len() <= 1);
            if item.is_err() && all.get(n) != Some(&item) {
                // Out of room for interfaces: what it read before is the same.
                break;
            }
            assert_eq!(all.get(n), Some(&item), "readers disagree on record {n}");
            n += 1;
        }
    }
});

/// Collects the items of a record iterator, checking that it ends, stops after an
/// error and yields records inside the file.
fn walk<'a>(
    data: &'a [u8],
    mut records: impl Iterator<Item = Result<Record<'a>>>,
) -> Vec<Result<Record<'a>>> {
    let mut items = Vec::new();
    while let Some(item) = records.next() {
        assert!(
            items.len() <= data.len(),
            "the record iterator does not end"
        );
        match &item {
            Ok(r) => {
                assert!(r.offset < data.len());
                let start = r.data.as_ptr() as usize - data.as_ptr() as usize;
                assert!(start >= r.offset && start + r.data.len() <= data.len());
                assert_eq!(r.captured_len(), r.data.len());
                let _ = (r.timestamp, r.link_type.name(), r.interface_id);
                assert!(!r.is_truncated() || (r.data.len() as u64) < u64::from(r.original_len));
                assert!(r.data.len() as u64 <= u64::from(r.original_len));
            }
            Err(e) => {
                let _ = (e.to_string(), e.offset());
            }
        }
        let failed = item.is_err();
        items.push(item);
        if failed {
            assert!(records.next().is_none(), "an item after an error");
            assert!(records.next().is_none());
            break;
        }
    }
    items
}

/// A classic record re-emits to its bytes.
fn classic_record(header: &FileHeader, data: &[u8], record: &Record<'_>) {
    let timestamp = record.timestamp.expect("classic records have a timestamp");
    let len = FileHeader::record_len(record.data.len());
    let mut out = vec![0u8; len];
    let written = header
        .emit_record(&mut out, timestamp, record.data, record.original_len)
        .unwrap_or_else(|e| panic!("a read record does not emit: {e}\n{record:?}"));
    assert_eq!(written, len);
    assert_eq!(
        out,
        data[record.offset..record.offset + len],
        "record re-emits differently"
    );
}
