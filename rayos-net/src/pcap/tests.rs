extern crate alloc;

use super::*;
use alloc::vec::Vec;
use alloc::{format, vec};
use proptest::prelude::*;

/// The capture of Linux traffic made by tcpdump 4.99.3 (little-endian, microseconds,
/// snaplen 262144), see tests/linux_capture.rs.
const FIXTURE: &[u8] = include_bytes!("../../tests/data/linux-veth.pcap");

/// tcpdump 4.99.3 / libpcap 1.10.3 on Linux 6.18, `-i lo --time-stamp-precision=nano
/// -s 64`, one `ping -c 1 127.0.0.1`: a nanosecond file whose two records hold 64 of
/// 98 bytes. `tcpdump -r FILE --time-stamp-precision=nano -tt` prints
/// 1795499021.373527252 and 1795499021.373537487.
const NANO_TRUNCATED: [u8; 184] = [
    0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x24, 0x05, 0x6b, 0xd4, 0x92, 0x43, 0x16,
    0x40, 0x00, 0x00, 0x00, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x5e, 0x57, 0x40, 0x00, 0x40, 0x01,
    0xde, 0x4f, 0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x08, 0x00, 0x1c, 0x80, 0x05, 0x6a,
    0x00, 0x01, 0x0d, 0x24, 0x05, 0x6b, 0x00, 0x00, 0x00, 0x00, 0xff, 0xb2, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x0d, 0x24, 0x05, 0x6b, 0xcf, 0xba, 0x43, 0x16,
    0x40, 0x00, 0x00, 0x00, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x5e, 0x58, 0x00, 0x00, 0x40, 0x01,
    0x1e, 0x4f, 0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x24, 0x80, 0x05, 0x6a,
    0x00, 0x01, 0x0d, 0x24, 0x05, 0x6b, 0x00, 0x00, 0x00, 0x00, 0xff, 0xb2, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
];

/// pcapng vectors written block by block by tests/data/make_pcapng_vectors.py and read
/// back by libpcap 1.10.3 (`tcpdump -r`) with the timestamps asserted below.
const NG_LE: &[u8] = include_bytes!("../../tests/data/le.pcapng");
const NG_BE: &[u8] = include_bytes!("../../tests/data/be.pcapng");
const NG_TWO_SECTIONS: &[u8] = include_bytes!("../../tests/data/two-sections.pcapng");

fn all(bytes: &[u8]) -> Result<Vec<Record<'_>>> {
    Capture::new(bytes)?.records().collect()
}

/// A classic little-endian microsecond header with `snaplen`, then `records`.
fn classic(snaplen: u32, records: &[(u32, u32, u32, u32, &[u8])]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&MAGIC_MICROS.to_le_bytes());
    v.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    v.extend_from_slice(&snaplen.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    for &(sec, usec, cap, orig, data) in records {
        for f in [sec, usec, cap, orig] {
            v.extend_from_slice(&f.to_le_bytes());
        }
        v.extend_from_slice(data);
    }
    v
}

fn first_error(bytes: &[u8]) -> Error {
    match Capture::new(bytes) {
        Err(e) => e,
        Ok(c) => c
            .records()
            .find_map(|r| r.err())
            .expect("the capture should be rejected"),
    }
}

// ---------------------------------------------------------------- classic: vectors

#[test]
fn tcpdump_header() {
    let h = FileHeader::parse(FIXTURE).unwrap();
    assert_eq!(
        h,
        FileHeader {
            byte_order: ByteOrder::LittleEndian,
            resolution: Resolution::Microsecond,
            snaplen: 262_144,
            link_type: LinkType::ETHERNET,
            fcs_words: None,
            reserved1: 0,
            reserved2: 0,
        }
    );
    let mut buf = [0u8; FILE_HEADER_LEN];
    assert_eq!(h.emit(&mut buf), Ok(24));
    assert_eq!(&buf[..], &FIXTURE[..24]);
    // write_header writes exactly what libpcap wrote.
    let mut buf2 = [0u8; 24];
    assert_eq!(write_header(&mut buf2, LinkType::ETHERNET, 262_144), Ok(24));
    assert_eq!(buf2, buf);
}

#[test]
fn tcpdump_first_record() {
    let file = PcapFile::new(FIXTURE).unwrap();
    let r = file.records().next().unwrap().unwrap();
    assert_eq!(r.offset, 24);
    assert_eq!(r.interface_id, 0);
    assert_eq!(r.link_type, LinkType::ETHERNET);
    // The record header, read independently.
    let f = |at: usize| u32::from_le_bytes(FIXTURE[at..at + 4].try_into().unwrap());
    assert_eq!(
        r.timestamp,
        Some(Duration::new(u64::from(f(24)), f(28) * 1000))
    );
    assert_eq!(r.captured_len(), f(32) as usize);
    assert_eq!(r.original_len, f(36));
    assert_eq!(r.data, &FIXTURE[40..40 + r.captured_len()]);
    // An MLDv2 report from :: at link-up: IPv6 EtherType.
    assert_eq!(&r.data[12..14], &[0x86, 0xdd]);
    assert!(!r.is_truncated());
}

#[test]
fn nanosecond_truncated_records() {
    let file = PcapFile::new(&NANO_TRUNCATED).unwrap();
    assert_eq!(file.header().resolution, Resolution::Nanosecond);
    assert_eq!(file.header().snaplen, 64);
    let records: Vec<_> = file.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0].timestamp,
        Some(Duration::new(1_795_499_021, 373_527_252))
    );
    assert_eq!(
        records[1].timestamp,
        Some(Duration::new(1_795_499_021, 373_537_487))
    );
    for r in &records {
        assert_eq!((r.captured_len(), r.original_len), (64, 98));
        assert!(r.is_truncated());
    }
    assert_eq!(records[1].offset, 24 + 16 + 64);
    // Re-emitting reproduces the file.
    let h = file.header();
    let mut out = [0u8; 184];
    let mut n = h.emit(&mut out).unwrap();
    for r in &records {
        n += h
            .emit_record(&mut out[n..], r.timestamp.unwrap(), r.data, r.original_len)
            .unwrap();
    }
    assert_eq!((n, out), (184, NANO_TRUNCATED));
}

#[test]
fn big_endian_nanosecond_header_bytes() {
    let h = FileHeader {
        byte_order: ByteOrder::BigEndian,
        resolution: Resolution::Nanosecond,
        snaplen: 65535,
        link_type: LinkType::LINUX_SLL2,
        fcs_words: Some(2),
        reserved1: 0,
        reserved2: 0,
    };
    let mut buf = [0u8; 24];
    h.emit(&mut buf).unwrap();
    // Fields in network order; link-type field = FCS len 2 << 28 | P | 276.
    assert_eq!(
        buf,
        [
            0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x24,
            0x00, 0x01, 0x14
        ]
    );
    assert_eq!(FileHeader::parse(&buf), Ok(h));
}

#[test]
fn write_record_bytes() {
    let mut buf = [0u8; 20];
    let ts = Duration::new(0x0102_0304, 5_006_999); // 5006.999 us: the ns are dropped
    assert_eq!(write_record(&mut buf, ts, &[0xaa, 0xbb], 60), Ok(18));
    assert_eq!(
        buf[..18],
        [
            0x04, 0x03, 0x02, 0x01, 0x8e, 0x13, 0, 0, 2, 0, 0, 0, 60, 0, 0, 0, 0xaa, 0xbb
        ]
    );
}

#[test]
fn snaplen_zero_sets_no_limit() {
    let data = [7u8; 100];
    let bytes = classic(0, &[(1, 2, 100, 100, &data)]);
    let r = all(&bytes).unwrap();
    assert_eq!(r[0].data, &data[..]);
    let h = FileHeader::new(LinkType::ETHERNET, 0);
    let mut buf = [0u8; 200];
    assert_eq!(h.emit_record(&mut buf, Duration::ZERO, &data, 100), Ok(116));
}

#[test]
fn empty_capture_has_no_records() {
    let bytes = classic(1500, &[]);
    assert_eq!(all(&bytes), Ok(Vec::new()));
}

// ---------------------------------------------------------------- classic: errors

#[test]
fn short_files() {
    for len in 0..4 {
        assert_eq!(
            first_error(&FIXTURE[..len]),
            Error::Truncated {
                what: "magic number",
                offset: 0,
                needed: 4,
                available: len
            }
        );
    }
    for len in 4..24 {
        assert_eq!(
            first_error(&FIXTURE[..len]),
            Error::Truncated {
                what: "file header",
                offset: 0,
                needed: 24,
                available: len
            }
        );
    }
}

#[test]
fn bad_and_unsupported_magic() {
    let mut b = classic(100, &[]);
    b[..4].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        first_error(&b),
        Error::BadMagic {
            magic: 0xdead_beef,
            offset: 0
        }
    );
    assert_eq!(FileHeader::parse(&b).unwrap_err(), first_error(&b));
    b[..4].copy_from_slice(&0xa1b2_cd34u32.to_le_bytes());
    assert!(matches!(
        first_error(&b),
        Error::Unsupported { offset: 0, .. }
    ));
    // A pcapng file is not a classic one.
    assert!(matches!(
        PcapFile::new(NG_LE),
        Err(Error::BadMagic {
            magic: 0x0a0d_0d0a,
            ..
        })
    ));
}

#[test]
fn versions() {
    let mut b = classic(100, &[]);
    b[4] = 1;
    assert_eq!(
        first_error(&b),
        Error::Unsupported {
            what: "pcap major version",
            offset: 4
        }
    );
    let mut b = classic(100, &[]);
    b[6] = 3;
    assert_eq!(
        first_error(&b),
        Error::Unsupported {
            what: "pcap minor version",
            offset: 6
        }
    );
}

#[test]
fn link_type_field_bits() {
    let with = |field: u32| {
        let mut b = classic(100, &[]);
        b[20..24].copy_from_slice(&field.to_le_bytes());
        FileHeader::parse(&b)
    };
    for reserved in [0x0001_0000, 0x0200_0000, 0x0800_0000] {
        assert_eq!(
            with(1 | reserved),
            Err(Error::Invalid {
                field: "reserved bits of LinkType and additional information",
                offset: 20
            })
        );
    }
    assert_eq!(
        with(0x2000_0001),
        Err(Error::Invalid {
            field: "FCS len without the P bit",
            offset: 20
        })
    );
    let h = with(0xf400_0001).unwrap();
    assert_eq!((h.link_type, h.fcs_words), (LinkType::ETHERNET, Some(15)));
    let h = with(0x0400_0071).unwrap();
    assert_eq!((h.link_type, h.fcs_words), (LinkType::LINUX_SLL, Some(0)));
}

#[test]
fn record_errors() {
    let data = [0u8; 8];
    // Header cut short: 10 bytes after the file header.
    let mut b = classic(100, &[(1, 2, 8, 8, &data)]);
    b.truncate(24 + 10);
    assert_eq!(
        first_error(&b),
        Error::Truncated {
            what: "record header",
            offset: 24,
            needed: 16,
            available: 10
        }
    );
    // Data running past the end of the file.
    let mut b = classic(100, &[(1, 2, 8, 8, &data)]);
    b.truncate(24 + 16 + 5);
    assert_eq!(
        first_error(&b),
        Error::Truncated {
            what: "record data",
            offset: 40,
            needed: 8,
            available: 5
        }
    );
    // A huge captured length: still a truncation, never an allocation or a panic.
    let b = classic(0, &[(1, 2, u32::MAX, u32::MAX, &data)]);
    assert!(matches!(
        first_error(&b),
        Error::Truncated {
            what: "record data",
            offset: 40,
            ..
        }
    ));
    // Over the snapshot length.
    let b = classic(4, &[(1, 2, 8, 8, &data)]);
    assert_eq!(
        first_error(&b),
        Error::CapturedOverSnaplen {
            captured: 8,
            snaplen: 4,
            offset: 32
        }
    );
    // More captured than sent.
    let b = classic(100, &[(1, 2, 8, 7, &data)]);
    assert_eq!(
        first_error(&b),
        Error::CapturedOverOriginal {
            captured: 8,
            original: 7,
            offset: 32
        }
    );
    // A fraction of a second of a million microseconds.
    let b = classic(100, &[(1, 1_000_000, 8, 8, &data)]);
    assert_eq!(
        first_error(&b),
        Error::Invalid {
            field: "timestamp fraction",
            offset: 28
        }
    );
    let b = classic(100, &[(1, 999_999, 8, 8, &data)]);
    assert!(all(&b).is_ok());
}

#[test]
fn iteration_stops_after_an_error() {
    let data = [1u8; 4];
    let mut b = classic(100, &[(1, 0, 4, 4, &data), (2, 0, 4, 4, &data)]);
    b.extend_from_slice(&[0u8; 3]); // a third record header, cut short
    let mut it = Capture::new(&b).unwrap().records();
    assert!(it.next().unwrap().is_ok());
    assert!(it.next().unwrap().is_ok());
    assert!(matches!(
        it.next(),
        Some(Err(Error::Truncated { offset: 64, .. }))
    ));
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
}

#[test]
fn emit_errors() {
    let h = FileHeader::new(LinkType::ETHERNET, 10);
    let mut small = [0u8; 23];
    assert_eq!(
        h.emit(&mut small),
        Err(Error::BufferTooSmall {
            needed: 24,
            available: 23
        })
    );
    let mut buf = [0u8; 64];
    assert_eq!(
        h.emit_record(&mut buf[..17], Duration::ZERO, &[1, 2], 2),
        Err(Error::BufferTooSmall {
            needed: 18,
            available: 17
        })
    );
    let unrepresentable = |r: Result<usize>| matches!(r, Err(Error::Unrepresentable { .. }));
    assert!(unrepresentable(h.emit_record(
        &mut buf,
        Duration::ZERO,
        &[0; 11],
        11
    )));
    assert!(unrepresentable(h.emit_record(
        &mut buf,
        Duration::ZERO,
        &[0; 3],
        2
    )));
    assert!(unrepresentable(h.emit_record(
        &mut buf,
        Duration::from_secs(1 << 32),
        &[],
        0
    )));
    assert!(unrepresentable(
        FileHeader::new(LinkType(0x1_0000), 0).emit(&mut buf)
    ));
    let fcs16 = FileHeader {
        fcs_words: Some(16),
        ..h
    };
    assert!(unrepresentable(fcs16.emit(&mut buf)));
    // Nothing was written by the failed calls.
    assert_eq!(buf, [0u8; 64]);
    // The last second that fits.
    assert_eq!(
        h.emit_record(
            &mut buf,
            Duration::new(u64::from(u32::MAX), 999_999_999),
            &[],
            0
        ),
        Ok(16)
    );
}

// ---------------------------------------------------------------- pcapng

/// What the vectors hold, as libpcap read them.
fn check_ng_section(records: &[Record<'_>], base_offset: usize) {
    assert_eq!(records.len(), 3);
    let arp = &records[0];
    assert_eq!(
        arp.timestamp,
        Some(Duration::new(1_732_427_021, 373_527_252))
    );
    assert_eq!((arp.captured_len(), arp.original_len), (42, 42));
    assert_eq!(&arp.data[12..14], &[0x08, 0x06]);
    assert_eq!((arp.interface_id, arp.link_type), (0, LinkType::ETHERNET));
    assert_eq!(arp.offset, base_offset + 28 + 32);

    let simple = &records[1];
    assert_eq!(simple.timestamp, None);
    assert_eq!(simple.data, arp.data);
    assert_eq!(simple.interface_id, 0);

    let icmp = &records[2];
    // 732427021.5 s in 2^-10 s units, plus if_tsoffset 10^9 s.
    assert_eq!(
        icmp.timestamp,
        Some(Duration::new(1_732_427_021, 500_000_000))
    );
    assert_eq!((icmp.captured_len(), icmp.original_len), (64, 98));
    assert!(icmp.is_truncated());
    assert_eq!(icmp.interface_id, 1);
    assert_eq!(&icmp.data[12..14], &[0x08, 0x00]);
}

#[test]
fn pcapng_both_byte_orders() {
    for (bytes, order) in [
        (NG_LE, ByteOrder::LittleEndian),
        (NG_BE, ByteOrder::BigEndian),
    ] {
        let file = PcapNgFile::new(bytes).unwrap();
        assert_eq!(file.byte_order(), order);
        let c = Capture::new(bytes).unwrap();
        assert_eq!(c.format(), Format::PcapNg);
        assert_eq!(c.pcap_header(), None);
        check_ng_section(&all(bytes).unwrap(), 0);

        let mut it = file.records();
        while it.next().is_some() {}
        assert_eq!(it.offset(), bytes.len());
        assert_eq!(
            it.interfaces(),
            &[
                Interface {
                    link_type: LinkType::ETHERNET,
                    snaplen: 0,
                    ts_resolution: TsResolution::PowerOfTen(9),
                    ts_offset: 0,
                },
                Interface {
                    link_type: LinkType::ETHERNET,
                    snaplen: 0,
                    ts_resolution: TsResolution::PowerOfTwo(10),
                    ts_offset: 1_000_000_000,
                },
            ]
        );
    }
}

#[test]
fn pcapng_two_sections_change_byte_order() {
    let records = all(NG_TWO_SECTIONS).unwrap();
    assert_eq!(records.len(), 6);
    check_ng_section(&records[..3], 0);
    check_ng_section(&records[3..], NG_LE.len());
    let mut it = PcapNgFile::new(NG_TWO_SECTIONS).unwrap().records();
    it.by_ref().take(4).for_each(drop);
    assert_eq!(it.byte_order(), ByteOrder::BigEndian);
}

#[test]
fn pcapng_new_section_forgets_interfaces() {
    // A second section with only its header: then a packet of the first section's
    // interface 0 is a packet of an unknown interface.
    let mut b = NG_LE[..28].to_vec(); // SHB
    b.extend_from_slice(&NG_LE[28..60]); // IDB 0
    b.extend_from_slice(&NG_LE[..28]); // a new SHB
    let epb = &NG_LE[60..136];
    b.extend_from_slice(epb);
    assert_eq!(
        first_error(&b),
        Error::UnknownInterface {
            interface_id: 0,
            offset: 88 + 8
        }
    );
}

/// Offsets into the LE vector: SHB 0, IDB0 28, EPB0 60, ISB 136, unknown 160,
/// SPB 176, IDB1 236, EPB1 280.
const EPB0: usize = 60;
const SPB: usize = 176;
const IDB1: usize = 236;
const EPB1: usize = 280;

fn patched(at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut v = NG_LE.to_vec();
    v[at..at + bytes.len()].copy_from_slice(bytes);
    v
}

#[test]
fn pcapng_block_length_errors() {
    // Not a multiple of 4, under 12, over the file.
    for (len, err) in [
        (
            77u32,
            Error::Invalid {
                field: "Block Total Length",
                offset: EPB0 + 4,
            },
        ),
        (
            8,
            Error::Invalid {
                field: "Block Total Length",
                offset: EPB0 + 4,
            },
        ),
        (
            0,
            Error::Invalid {
                field: "Block Total Length",
                offset: EPB0 + 4,
            },
        ),
        (
            1000,
            Error::Truncated {
                what: "block",
                offset: EPB0,
                needed: 1000,
                available: NG_LE.len() - EPB0,
            },
        ),
    ] {
        assert_eq!(first_error(&patched(EPB0 + 4, &len.to_le_bytes())), err);
    }
    // Trailing length differs (a length that lands on another 4-byte boundary).
    assert_eq!(
        first_error(&patched(EPB0 + 4, &80u32.to_le_bytes())),
        Error::Invalid {
            field: "trailing Block Total Length",
            offset: EPB0 + 76
        }
    );
    // The file ends inside a block header.
    assert_eq!(
        first_error(&NG_LE[..EPB0 + 6]),
        Error::Truncated {
            what: "block header",
            offset: EPB0,
            needed: 12,
            available: 6
        }
    );
}

#[test]
fn pcapng_section_header_errors() {
    assert_eq!(
        first_error(&patched(8, &[1, 2, 3, 4])),
        Error::Invalid {
            field: "Byte-Order Magic",
            offset: 8
        }
    );
    assert_eq!(
        first_error(&patched(12, &[2, 0])),
        Error::Unsupported {
            what: "pcapng major version",
            offset: 12
        }
    );
    assert_eq!(
        first_error(&patched(14, &[1, 0])),
        Error::Unsupported {
            what: "pcapng minor version",
            offset: 14
        }
    );
    // Minor version 2 reads as 1.0.
    assert!(all(&patched(14, &[2, 0])).is_ok());
    // A 24-byte SHB: framed correctly, too short for its fields.
    let mut short = Vec::new();
    for w in [0x0a0d_0d0au32, 24, 0x1a2b_3c4d, 1, 0, 24] {
        short.extend_from_slice(&w.to_le_bytes());
    }
    assert_eq!(
        first_error(&short),
        Error::Invalid {
            field: "Block Total Length",
            offset: 4
        }
    );
    assert_eq!(
        first_error(&NG_LE[..10]),
        Error::Truncated {
            what: "section header block",
            offset: 0,
            needed: 28,
            available: 10
        }
    );
}

#[test]
fn pcapng_packet_errors() {
    // Captured length over the original length.
    assert_eq!(
        first_error(&patched(EPB0 + 20, &43u32.to_le_bytes())),
        Error::CapturedOverOriginal {
            captured: 43,
            original: 42,
            offset: EPB0 + 20
        }
    );
    // Captured length over the block (original raised to keep it consistent).
    let mut b = patched(EPB0 + 20, &45u32.to_le_bytes());
    b[EPB0 + 24..EPB0 + 28].copy_from_slice(&100u32.to_le_bytes());
    assert_eq!(
        first_error(&b),
        Error::Invalid {
            field: "packet length over the block",
            offset: EPB0 + 20
        }
    );
    // Over the interface's snaplen: give IDB 1 a snaplen of 60 (64 are captured).
    assert_eq!(
        first_error(&patched(IDB1 + 12, &60u32.to_le_bytes())),
        Error::CapturedOverSnaplen {
            captured: 64,
            snaplen: 60,
            offset: EPB1 + 20
        }
    );
    // An interface never described.
    assert_eq!(
        first_error(&patched(EPB1 + 8, &7u32.to_le_bytes())),
        Error::UnknownInterface {
            interface_id: 7,
            offset: EPB1 + 8
        }
    );
    // A Simple Packet Block longer than its block.
    assert_eq!(
        first_error(&patched(SPB + 8, &47u32.to_le_bytes())),
        Error::Invalid {
            field: "packet length over the block",
            offset: SPB + 8
        }
    );
}

#[test]
fn pcapng_simple_packet_block_takes_snaplen() {
    // IDB 0 with snaplen 20: the SPB's packet is min(42, 20) bytes; the EPB on it (42
    // bytes) is now over the snaplen, so drop it from the file.
    let mut b = patched(28 + 12, &20u32.to_le_bytes());
    b.drain(EPB0..EPB0 + 76);
    let r = all(&b).unwrap();
    assert_eq!((r[0].captured_len(), r[0].original_len), (20, 42));
    assert_eq!(r[0].data, &NG_LE[SPB + 12..SPB + 32]);
}

#[test]
fn pcapng_interface_options() {
    // if_tsresol of 2 bytes.
    assert_eq!(
        first_error(&patched(28 + 18, &[2, 0])),
        Error::Invalid {
            field: "if_tsresol length",
            offset: 28 + 18
        }
    );
    // if_tsoffset of 4 bytes.
    assert_eq!(
        first_error(&patched(IDB1 + 26, &[4, 0])),
        Error::Invalid {
            field: "if_tsoffset length",
            offset: IDB1 + 26
        }
    );
    // An option longer than the block.
    assert_eq!(
        first_error(&patched(28 + 18, &[0xff, 0xff])),
        Error::Invalid {
            field: "Option Length",
            offset: 28 + 18
        }
    );
    // A negative offset that moves the timestamp before the epoch.
    assert_eq!(
        first_error(&patched(IDB1 + 28, &(-2_000_000_000i64).to_le_bytes())),
        Error::Invalid {
            field: "Timestamp (with if_tsoffset)",
            offset: EPB1 + 12
        }
    );
}

#[test]
fn pcapng_interface_capacity() {
    let file = PcapNgFile::new(NG_LE).unwrap();
    let r: Vec<_> = file.records_with_capacity::<1>().collect();
    assert_eq!(r.len(), 3);
    assert!(r[0].is_ok() && r[1].is_ok());
    assert_eq!(
        r[2],
        Err(Error::TooManyInterfaces {
            capacity: 1,
            offset: IDB1
        })
    );
    assert_eq!(
        file.records_with_capacity::<0>()
            .next()
            .unwrap()
            .unwrap_err(),
        {
            Error::TooManyInterfaces {
                capacity: 0,
                offset: 28,
            }
        }
    );
}

#[test]
fn pcapng_obsolete_packet_block() {
    // Turn EPB0 into a Packet Block: type 2, 16-bit interface 0 and drops count 0.
    let bytes = patched(EPB0, &2u32.to_le_bytes());
    let r = all(&bytes).unwrap();
    assert_eq!(r[0].interface_id, 0);
    assert_eq!(
        r[0].timestamp,
        Some(Duration::new(1_732_427_021, 373_527_252))
    );
    assert_eq!(r[0].data.len(), 42);
}

#[test]
fn ts_resolution_arithmetic() {
    use TsResolution::{PowerOfTen, PowerOfTwo};
    assert_eq!(TsResolution::from_option(6), TsResolution::MICROSECONDS);
    assert_eq!(TsResolution::from_option(0x8a), PowerOfTwo(10));
    assert_eq!(
        PowerOfTen(9).to_duration(1_500_000_001),
        Duration::new(1, 500_000_001)
    );
    assert_eq!(PowerOfTen(0).to_duration(42), Duration::from_secs(42));
    // Picoseconds: rounded down to the nanosecond.
    assert_eq!(
        PowerOfTen(12).to_duration(2_000_000_001_999),
        Duration::new(2, 1)
    );
    assert_eq!(PowerOfTen(127).to_duration(u64::MAX), Duration::ZERO);
    assert_eq!(
        PowerOfTen(19).to_duration(u64::MAX),
        Duration::new(1, 844_674_407)
    );
    assert_eq!(
        PowerOfTwo(0).to_duration(u64::MAX),
        Duration::from_secs(u64::MAX)
    );
    assert_eq!(PowerOfTwo(1).to_duration(3), Duration::new(1, 500_000_000));
    // 2^-30 s units: 2^30 of them are a second.
    assert_eq!(
        PowerOfTwo(30).to_duration((5 << 30) | (1 << 29)),
        Duration::new(5, 500_000_000)
    );
    assert_eq!(
        PowerOfTwo(64).to_duration(u64::MAX),
        Duration::new(0, 999_999_999)
    );
    assert_eq!(PowerOfTwo(127).to_duration(u64::MAX), Duration::ZERO);
}

// ---------------------------------------------------------------- misc

#[test]
fn link_type_names() {
    assert_eq!(format!("{:?}", LinkType::ETHERNET), "ETHERNET");
    assert_eq!(format!("{}", LinkType::LINUX_SLL2), "LINUX_SLL2");
    assert_eq!(format!("{:?}", LinkType(147)), "LinkType(147)");
    assert_eq!(format!("{}", LinkType(147)), "147");
    assert_eq!(LinkType::from(113), LinkType::LINUX_SLL);
    assert_eq!(u32::from(LinkType::RAW), 101);
}

#[test]
fn error_messages_and_offsets() {
    let e = Error::CapturedOverSnaplen {
        captured: 9,
        snaplen: 8,
        offset: 32,
    };
    assert_eq!(
        format!("{e}"),
        "captured length 9 over snapshot length 8 at offset 32"
    );
    assert_eq!(e.offset(), Some(32));
    assert_eq!(
        Error::BufferTooSmall {
            needed: 1,
            available: 0
        }
        .offset(),
        None
    );
}

#[cfg(feature = "std")]
#[test]
fn writer_truncates_to_snaplen() {
    let mut w = PcapWriter::new(Vec::new(), LinkType::RAW, 4).unwrap();
    w.write_packet(Duration::new(3, 250_000), &[1, 2, 3, 4, 5, 6])
        .unwrap();
    w.write_record(Duration::new(4, 0), &[9], 1).unwrap();
    let e = w.write_record(Duration::ZERO, &[0; 5], 5).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let file = w.into_inner();
    assert_eq!(file.len(), 24 + 16 + 4 + 16 + 1);
    let r = all(&file).unwrap();
    assert_eq!(r[0].data, &[1, 2, 3, 4]);
    assert_eq!(r[0].original_len, 6);
    assert_eq!(r[0].timestamp, Some(Duration::new(3, 250_000)));
    assert_eq!(r[0].link_type, LinkType::RAW);
    assert_eq!(r[1].data, &[9]);
}

// ---------------------------------------------------------------- properties

fn arb_header() -> impl Strategy<Value = FileHeader> {
    (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0u32), 1u32..300, Just(262_144)],
        0u32..=0xffff,
        proptest::option::of(0u8..=15),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(
            |(be, nano, snaplen, lt, fcs_words, reserved1, reserved2)| FileHeader {
                byte_order: if be {
                    ByteOrder::BigEndian
                } else {
                    ByteOrder::LittleEndian
                },
                resolution: if nano {
                    Resolution::Nanosecond
                } else {
                    Resolution::Microsecond
                },
                snaplen,
                link_type: LinkType(lt),
                fcs_words,
                reserved1,
                reserved2,
            },
        )
}

/// Seconds, nanoseconds, data, bytes beyond the data on the wire.
type Packet = (u32, u32, Vec<u8>, u32);
/// Timestamp, captured bytes, original length.
type Expected = (Duration, Vec<u8>, u32);

fn arb_packets() -> impl Strategy<Value = Vec<Packet>> {
    proptest::collection::vec(
        (
            any::<u32>(),
            0u32..1_000_000_000,
            proptest::collection::vec(any::<u8>(), 0..300),
            0u32..100,
        ),
        0..8,
    )
}

/// Writes `packets` under `h` (each cut to the snaplen, original length = data plus
/// `extra`); returns the file and what each record must read back as.
fn write_file(h: &FileHeader, packets: &[Packet]) -> (Vec<u8>, Vec<Expected>) {
    let mut out = vec![0u8; 24 + packets.iter().map(|p| 16 + p.2.len()).sum::<usize>()];
    let mut n = h.emit(&mut out).unwrap();
    let mut expected = Vec::new();
    for (secs, nanos, data, extra) in packets {
        let keep = match h.snaplen {
            0 => data.len(),
            s => data.len().min(s as usize),
        };
        let original = data.len() as u32 + extra;
        let ts = Duration::new(u64::from(*secs), *nanos);
        n += h
            .emit_record(&mut out[n..], ts, &data[..keep], original)
            .unwrap();
        let read_nanos = match h.resolution {
            Resolution::Microsecond => nanos / 1000 * 1000,
            Resolution::Nanosecond => *nanos,
        };
        expected.push((
            Duration::new(u64::from(*secs), read_nanos),
            data[..keep].to_vec(),
            original,
        ));
    }
    out.truncate(n);
    (out, expected)
}

proptest! {
    #[test]
    fn header_round_trip(h in arb_header()) {
        let mut buf = [0u8; 24];
        prop_assert_eq!(h.emit(&mut buf), Ok(24));
        prop_assert_eq!(FileHeader::parse(&buf), Ok(h));
    }

    #[test]
    fn write_then_read(h in arb_header(), packets in arb_packets()) {
        let (file, expected) = write_file(&h, &packets);
        let capture = Capture::new(&file).unwrap();
        prop_assert_eq!(capture.pcap_header(), Some(&h));
        let records = capture.records().collect::<Result<Vec<_>>>().unwrap();
        prop_assert_eq!(records.len(), expected.len());
        for (r, (ts, data, original)) in records.iter().zip(&expected) {
            prop_assert_eq!(r.timestamp, Some(*ts));
            prop_assert_eq!(r.data, &data[..]);
            prop_assert_eq!(r.original_len, *original);
            prop_assert_eq!(r.link_type, h.link_type);
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn writer_matches_buffer_api(h in arb_header(), packets in arb_packets()) {
        let (file, _) = write_file(&h, &packets);
        let mut w = PcapWriter::with_header(Vec::new(), h).unwrap();
        for (secs, nanos, data, extra) in &packets {
            let keep = match h.snaplen { 0 => data.len(), s => data.len().min(s as usize) };
            w.write_record(Duration::new(u64::from(*secs), *nanos), &data[..keep],
                data.len() as u32 + extra).unwrap();
        }
        prop_assert_eq!(w.into_inner(), file);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_start_never_panic(
        start in 0usize..4,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let head: &[u8] = match start {
            0 => &FIXTURE[..24],
            1 => &NANO_TRUNCATED[..24],
            2 => &NG_LE[..28],
            _ => &NG_BE[..60],
        };
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(&tail);
        exercise(&bytes);
    }

    #[test]
    fn corrupted_valid_files_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let original: &[u8] = match which {
            0 => &NANO_TRUNCATED,
            1 => NG_LE,
            2 => NG_TWO_SECTIONS,
            _ => &FIXTURE[..2000],
        };
        let mut bytes = original.to_vec();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        exercise(&bytes);
    }
}

/// Reads `bytes` every way there is, touching every field; checks the iterators end
/// (at most one item per 12 bytes, plus an error) and stay ended.
fn exercise(bytes: &[u8]) {
    let _ = Format::detect(bytes);
    let _ = FileHeader::parse(bytes);
    if let Ok(c) = Capture::new(bytes) {
        let _ = (c.format(), c.pcap_header());
        let mut it = c.records();
        let mut n = 0;
        while let Some(r) = it.next() {
            n += 1;
            assert!(n <= bytes.len() / 12 + 1, "too many records");
            match r {
                Ok(r) => {
                    let _ = (r.captured_len(), r.is_truncated(), r.timestamp);
                    assert!(r.data.len() as u64 <= u64::from(r.original_len));
                    assert!(r.offset < bytes.len());
                }
                Err(e) => {
                    let _ = format!("{e}");
                    assert!(e.offset().is_some_and(|o| o <= bytes.len()));
                    assert!(it.next().is_none());
                }
            }
        }
        assert!(it.next().is_none());
    }
    if let Ok(f) = PcapNgFile::new(bytes) {
        let mut it = f.records_with_capacity::<2>();
        for _ in it.by_ref() {}
        let _ = (
            it.interfaces(),
            it.interface(0),
            it.byte_order(),
            it.offset(),
        );
    }
}
