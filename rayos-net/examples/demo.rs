//! The rayos-net demo: dissects a capture like `tcpdump -n`, one line per frame.
//!
//! ```sh
//! cargo run --release -p rayos-net --example demo                 # the committed Linux capture
//! cargo run --release -p rayos-net --example demo -- --pcap FILE  # any pcap or pcapng file
//! ```
//!
//! Each line: the time of day (UTC), what netstack's dissector found at every layer,
//! and the checksum status. Malformed frames are reported as such and the dissection
//! goes on; a malformed capture file ends the listing with the error and its offset.

use core::time::Duration;
use rayos_net::netstack::wire::dissect::{Frame, Network, Transport};
use rayos_net::netstack::wire::{ChecksumCapabilities, Error};
use rayos_net::pcap::{Capture, LinkType};
use std::process::ExitCode;

/// Real traffic of the Linux kernel between two network namespaces (see
/// `tests/linux_capture.rs`, which made it).
const LINUX_CAPTURE: &[u8] = include_bytes!("../tests/data/linux-veth.pcap");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, bytes) = match args.as_slice() {
        [] => (
            "linux-veth.pcap (committed capture)".to_string(),
            LINUX_CAPTURE.to_vec(),
        ),
        [flag, path] if flag == "--pcap" => match std::fs::read(path) {
            Ok(b) => (path.clone(), b),
            Err(e) => {
                eprintln!("demo: cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!("usage: demo [--pcap FILE]");
            return ExitCode::from(2);
        }
    };
    let capture = match Capture::new(&bytes) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("demo: {name}: not a capture file: {e}");
            return ExitCode::FAILURE;
        }
    };

    let caps = ChecksumCapabilities::default();
    let mut stats = Stats::default();
    for record in capture.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                println!("capture file malformed: {e}");
                stats.file_error = true;
                break;
            }
        };
        stats.frames += 1;
        let time = record
            .timestamp
            .map(time_of_day)
            .unwrap_or_else(|| "--:--:--.------".into());
        if record.link_type != LinkType::ETHERNET {
            stats.unsupported += 1;
            println!(
                "{time} link type {} not dissected, length {}",
                record.link_type,
                record.data.len()
            );
            continue;
        }
        match Frame::dissect(record.data, &caps) {
            Ok(frame) => {
                let status = match frame.error() {
                    None => match verified_checksums(&frame) {
                        0 => "ok".to_string(),
                        n => {
                            stats.verified += n;
                            "cksum ok".to_string()
                        }
                    },
                    Some(e @ Error::Checksum { .. }) => {
                        stats.bad_checksum += 1;
                        format!("BAD: {e}")
                    }
                    Some(e) => {
                        stats.malformed += 1;
                        format!("MALFORMED: {e}")
                    }
                };
                println!("{time} {frame} [{status}]");
            }
            Err(e) => {
                stats.malformed += 1;
                println!(
                    "{time} MALFORMED Ethernet frame, length {}: {e}",
                    record.data.len()
                );
            }
        }
    }
    println!(
        "{name}: {} frames, {} checksums verified, {} with a bad checksum, {} malformed, {} not Ethernet{}",
        stats.frames,
        stats.verified,
        stats.bad_checksum,
        stats.malformed,
        stats.unsupported,
        if stats.file_error {
            ", file truncated or corrupt"
        } else {
            ""
        }
    );
    if stats.file_error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Default)]
struct Stats {
    frames: usize,
    verified: usize,
    bad_checksum: usize,
    malformed: usize,
    unsupported: usize,
    file_error: bool,
}

/// How many checksums the dissector verified in a frame that parsed whole: the IPv4
/// header's, and the transport's unless the packet is a fragment.
fn verified_checksums(frame: &Frame<'_>) -> usize {
    let (ipv4, transport) = match &frame.network {
        Network::Ipv4 { transport, .. } => (1, transport),
        Network::Ipv6 { transport, .. } => (0, transport),
        _ => return 0,
    };
    let l4 = match transport {
        Transport::Tcp { .. }
        | Transport::Udp { .. }
        | Transport::Icmpv4(_)
        | Transport::Igmp(_)
        | Transport::Icmpv6(_) => 1,
        _ => 0,
    };
    ipv4 + l4
}

/// `HH:MM:SS.uuuuuu` of a time since the UNIX epoch, in UTC.
fn time_of_day(t: Duration) -> String {
    let s = t.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        t.subsec_micros()
    )
}
