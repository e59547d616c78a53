//! The Linux kernel's own packets, captured by tcpdump between two network
//! namespaces, read with `rayos_net::pcap` and checked (see `common`).
//!
//! `live_capture_of_linux_traffic` needs root and makes a new capture; with
//! `RAYOS_WRITE_FIXTURE=1` it also stores it as `tests/data/linux-veth.pcap`, the
//! fixture the other tests read without root.

mod common;

use common::{Scratch, Summary, check_capture};
use core::time::Duration;
use rayos_net::pcap::{ByteOrder, Capture, FileHeader, PcapFile, Resolution};

/// A capture made by `live_capture_of_linux_traffic` (tcpdump 4.99.3, libpcap 1.10.3,
/// Linux 6.18, Debian 12), committed: 158 frames, 67,723 bytes.
const FIXTURE: &[u8] = include_bytes!("data/linux-veth.pcap");
const FIXTURE_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/linux-veth.pcap");

#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn live_capture_of_linux_traffic() {
    let bytes = common::capture_linux_traffic();
    let summary = check_capture(&bytes);
    println!("{summary:#?}");
    assert!(
        bytes.len() < 150_000,
        "the capture is {} bytes; keep it small",
        bytes.len()
    );

    let mut scratch = Scratch::new("capture-check");
    let file = scratch.path("live.pcap");
    std::fs::write(&file, &bytes).expect("write the capture");
    // tcpdump reads what we read: one line per frame, as many frames.
    let text = tcpdump_read(&mut scratch, &file);
    assert_eq!(
        text.lines().count(),
        summary.frames,
        "tcpdump's frame count"
    );
    // Files we write open in tcpdump, with the same result.
    check_rewrites_in_tcpdump(&mut scratch, &bytes, &text);

    if std::env::var_os("RAYOS_WRITE_FIXTURE").is_some_and(|v| v == "1") {
        std::fs::write(FIXTURE_PATH, &bytes).expect("write the fixture");
        println!("wrote {FIXTURE_PATH} ({} bytes)", bytes.len());
    }
}

/// `tcpdump -r FILE -n`, which must succeed; its standard output.
fn tcpdump_read(scratch: &mut Scratch, file: &std::path::Path) -> String {
    let file = file.to_str().expect("UTF-8 path");
    scratch.ok(&["tcpdump", "-r", file, "-n"])
}

/// Rewrites `bytes` record by record with our writer, in the file's own variant and
/// in the nanosecond big-endian one, and checks that tcpdump prints the same lines.
fn check_rewrites_in_tcpdump(scratch: &mut Scratch, bytes: &[u8], expected: &str) {
    let original = PcapFile::new(bytes).expect("the capture opens");
    let mut variants = vec![*original.header()];
    variants.push(FileHeader {
        byte_order: ByteOrder::BigEndian,
        resolution: Resolution::Nanosecond,
        ..*original.header()
    });
    for (i, header) in variants.iter().enumerate() {
        let rewritten = rewrite(bytes, header);
        let file = scratch.path(&format!("rewritten-{i}.pcap"));
        std::fs::write(&file, &rewritten).expect("write the rewritten capture");
        assert_eq!(
            tcpdump_read(scratch, &file),
            expected,
            "tcpdump on our {header:?} file"
        );
    }
}

/// Writes every record of the classic capture `bytes` again under `header`.
fn rewrite(bytes: &[u8], header: &FileHeader) -> Vec<u8> {
    let mut out = vec![0u8; bytes.len() * 2];
    let mut len = header.emit(&mut out).expect("emit the header");
    for record in PcapFile::new(bytes).expect("opens").records() {
        let record = record.expect("a record");
        let ts = record.timestamp.expect("classic records have timestamps");
        len += header
            .emit_record(&mut out[len..], ts, record.data, record.original_len)
            .expect("emit a record");
    }
    out.truncate(len);
    out
}

#[test]
fn fixture_capture() {
    // What the committed capture holds (tcpdump -r agrees frame by frame).
    let expected = Summary {
        frames: 158,
        vlan: 28,
        arp: 6,
        ipv4: 56,
        ipv6: 96,
        icmpv4: 10,
        igmp: 4,
        icmpv6_echo: 6,
        ndp: 22,
        mld: 20,
        tcp4: 38,
        tcp6: 40,
        tcp_syn_with_options: 4,
        udp4: 4,
        udp6: 4,
        ipv4_more_fragments: 4,
        ipv4_fragments: 6,
        ipv6_fragments: 6,
        checksums_verified: 196,
    };
    assert_eq!(check_capture(FIXTURE), expected);
}

/// Parsing tcpdump's file and writing it again with our writer, in the same variant,
/// gives back the same bytes.
#[test]
fn fixture_rewrites_to_identical_bytes() {
    let header = *PcapFile::new(FIXTURE).expect("opens").header();
    assert_eq!(header, {
        let mut h = FileHeader::new(rayos_net::pcap::LinkType::ETHERNET, 262_144);
        h.byte_order = ByteOrder::LittleEndian;
        h
    });
    assert_eq!(rewrite(FIXTURE, &header), FIXTURE);
}

/// The fixture through the format-neutral reader: the same records as the classic
/// reader, in order, with timestamps that are microsecond-exact.
#[test]
fn fixture_records_through_capture() {
    let classic: Vec<_> = PcapFile::new(FIXTURE)
        .expect("opens")
        .records()
        .collect::<Result<_, _>>()
        .expect("all records read");
    let neutral: Vec<_> = Capture::new(FIXTURE)
        .expect("opens")
        .records()
        .collect::<Result<_, _>>()
        .expect("all records read");
    assert_eq!(classic, neutral);
    for r in &neutral {
        let ts = r.timestamp.expect("a timestamp");
        assert_eq!(ts.subsec_nanos() % 1_000, 0);
        assert!(ts > Duration::from_secs(1_700_000_000), "a 2023+ date");
    }
}
