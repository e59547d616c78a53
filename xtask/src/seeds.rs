//! `cargo xtask fuzz-seeds`: writes the seed corpora of the fuzz targets from the
//! committed Linux capture, `rayos-net/tests/data/linux-veth.pcap`.
//!
//! Every frame of the capture is read with `rayos_net::pcap` and dissected with
//! netstack's dissector; each layer's bytes go to the corpus of the target that parses
//! them:
//!
//! | target | seed |
//! |---|---|
//! | `netstack_frame`, `netstack_ethernet` | the whole frame |
//! | `netstack_arp` | the bytes after the Ethernet header |
//! | `netstack_ipv4` | the IPv4 datagram (up to Total Length) |
//! | `netstack_icmpv4`, `netstack_igmp` | the IPv4 payload |
//! | `netstack_ipv6_ext` | the IPv6 Next Header byte, then the IPv6 payload |
//! | `netstack_icmpv6` | the ICMPv6 message, its checksum recomputed for the target's fixed addresses |
//! | `netstack_tcp_options` | the TCP option area, and the whole segment |
//! | `rayos_net_pcap` | the capture cut after its first records, and `rayos-net/tests/data/*.pcapng` |
//!
//! A capture repeats itself (one TCP stream is many segments of the same kind), so
//! each target keeps the first seed of each *shape* (what the frame is made of:
//! protocols, message types, flags and option kinds, never addresses, ports or
//! sequence numbers), drops duplicate contents, and stops at [`MAX_SEEDS`] files or
//! [`MAX_BYTES`] bytes. Files are named by a 64-bit FNV-1a hash of their contents, so
//! the output depends only on the capture: running the command again changes nothing.
//! Files of another name (the hand-made seeds of `netstack_udp`, inputs a fuzzer
//! found) are left alone; generated files that are no longer produced are removed.

use crate::process::root;
use alloc::collections::{BTreeMap, BTreeSet};
use core::fmt::Write as _;
use core::net::Ipv6Addr;
use netstack::wire::ChecksumCapabilities;
use netstack::wire::dissect::{Frame, Network, Transport};
use netstack::wire::icmpv6;
use netstack::wire::ipv6;
use netstack::wire::ipv6ext::{ExtHeaderRepr, ExtHeaders, Step};
use netstack::wire::tcp;
use rayos_net::pcap::{Capture, FileHeader, LinkType, PcapFile};
use std::path::Path;

/// The capture the seeds come from.
const CAPTURE: &str = "rayos-net/tests/data/linux-veth.pcap";
/// Where the pcapng test vectors are.
const PCAP_VECTORS: &str = "rayos-net/tests/data";
/// How many records of the capture the `rayos_net_pcap` seed keeps.
const PCAP_RECORDS: usize = 8;
/// At most this many generated seeds per target.
pub(crate) const MAX_SEEDS: usize = 40;
/// At most this many bytes of generated seeds per target.
pub(crate) const MAX_BYTES: usize = 200 * 1024;

/// The pseudo-header addresses of fuzz/fuzz_targets/netstack_icmpv6.rs.
const ICMPV6_SRC: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 1);
const ICMPV6_DST: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2);

/// The targets whose corpora this command writes.
const TARGETS: [&str; 10] = [
    "netstack_arp",
    "netstack_ethernet",
    "netstack_frame",
    "netstack_icmpv4",
    "netstack_icmpv6",
    "netstack_igmp",
    "netstack_ipv4",
    "netstack_ipv6_ext",
    "netstack_tcp_options",
    "rayos_net_pcap",
];

/// `cargo xtask fuzz-seeds`.
pub(crate) fn main(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask fuzz-seeds".to_owned());
    }
    let mut seeds = Seeds::default();
    let capture = read(&root().join(CAPTURE))?;
    frames(&capture, &mut seeds)?;
    pcap(&capture, &mut seeds)?;
    for target in TARGETS {
        let written = seeds.write(target)?;
        println!(
            "{target}: {} seeds, {} bytes",
            written.len(),
            written.iter().sum::<usize>()
        );
    }
    Ok(())
}

/// The seeds chosen so far, per target.
#[derive(Default)]
struct Seeds {
    targets: BTreeMap<&'static str, Target>,
}

#[derive(Default)]
struct Target {
    shapes: BTreeSet<String>,
    contents: BTreeSet<Vec<u8>>,
    files: Vec<Vec<u8>>,
    bytes: usize,
}

impl Seeds {
    /// Keeps `bytes` for `target` unless a seed of the same shape or contents is
    /// already there, or the corpus is full.
    fn add(&mut self, target: &'static str, shape: String, bytes: &[u8]) {
        let t = self.targets.entry(target).or_default();
        if t.files.len() == MAX_SEEDS
            || t.bytes + bytes.len() > MAX_BYTES
            || t.shapes.contains(&shape)
            || t.contents.contains(bytes)
        {
            return;
        }
        t.shapes.insert(shape);
        t.contents.insert(bytes.to_vec());
        t.files.push(bytes.to_vec());
        t.bytes += bytes.len();
    }

    /// Writes the seeds of `target` into fuzz/corpus/`target`/, removes generated
    /// files it no longer has, and returns the lengths written.
    fn write(&self, target: &str) -> Result<Vec<usize>, String> {
        let dir = root().join("fuzz").join("corpus").join(target);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let files = self.targets.get(target).map_or(&[][..], |t| &t.files[..]);
        let names: BTreeSet<String> = files.iter().map(|f| file_name(f)).collect();
        let listing =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in listing {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_generated(&name) && !names.contains(&name) {
                std::fs::remove_file(entry.path())
                    .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
            }
        }
        for f in files {
            let path = dir.join(file_name(f));
            if std::fs::read(&path).ok().as_deref() != Some(&f[..]) {
                std::fs::write(&path, f)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
        Ok(files.iter().map(Vec::len).collect())
    }
}

/// The 64-bit FNV-1a hash of `bytes`, in hex: the name of a generated seed.
fn file_name(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Whether a corpus file name is one [`file_name`] gives.
fn is_generated(name: &str) -> bool {
    name.len() == 16
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The seeds of every layer of every frame of the capture.
fn frames(capture: &[u8], seeds: &mut Seeds) -> Result<(), String> {
    let caps = ChecksumCapabilities::default();
    let capture = Capture::new(capture).map_err(|e| format!("{CAPTURE}: {e}"))?;
    for record in capture.records() {
        let record = record.map_err(|e| format!("{CAPTURE}: {e}"))?;
        if record.link_type != LinkType::ETHERNET {
            continue;
        }
        let data = record.data;
        let frame = Frame::dissect(data, &caps)
            .map_err(|e| format!("{CAPTURE}: record at offset {}: {e}", record.offset))?;
        if let Some(e) = frame.error() {
            return Err(format!(
                "{CAPTURE}: record at offset {} does not dissect cleanly: {e}",
                record.offset
            ));
        }
        seeds.add("netstack_frame", frame_shape(&frame), data);
        seeds.add("netstack_ethernet", frame_shape(&frame), data);
        let shape = network_shape(&frame);
        let net = &data[frame.ethernet.header_len()..];
        match &frame.network {
            Network::Arp(_) => seeds.add("netstack_arp", shape, net),
            Network::Ipv4 { header, transport } => {
                let datagram = &net[..header.buffer_len()];
                seeds.add("netstack_ipv4", shape.clone(), datagram);
                let payload = &datagram[header.header_len()..];
                upper(seeds, &shape, transport, payload);
            }
            Network::Ipv6 {
                header,
                extensions,
                transport,
            } => {
                let payload = &net[ipv6::HEADER_LEN..header.buffer_len()];
                let mut walked = vec![header.next_header.0];
                walked.extend_from_slice(payload);
                seeds.add(
                    "netstack_ipv6_ext",
                    chain_shape(header, extensions),
                    &walked,
                );
                upper(seeds, &shape, transport, &payload[extensions.len()..]);
            }
            Network::Other(_) | Network::Malformed { .. } => {}
        }
    }
    Ok(())
}

/// The seeds of the transport layer, `bytes` being the IP payload after any extension
/// headers.
fn upper(seeds: &mut Seeds, shape: &str, transport: &Transport<'_>, bytes: &[u8]) {
    match transport {
        Transport::Tcp { repr, .. } => {
            if !repr.options.is_empty() {
                let kinds = option_kinds(repr);
                seeds.add(
                    "netstack_tcp_options",
                    format!("options {kinds}"),
                    repr.options,
                );
            }
            seeds.add("netstack_tcp_options", format!("segment {shape}"), bytes);
        }
        Transport::Icmpv4(_) => seeds.add("netstack_icmpv4", shape.to_owned(), bytes),
        Transport::Igmp(_) => seeds.add("netstack_igmp", shape.to_owned(), bytes),
        Transport::Icmpv6(_) => {
            let mut msg = bytes.to_vec();
            if icmpv6::Packet::new_checked(&mut msg[..])
                .and_then(|mut p| p.fill_checksum(&ICMPV6_SRC, &ICMPV6_DST))
                .is_ok()
            {
                seeds.add("netstack_icmpv6", shape.to_owned(), &msg);
            }
        }
        Transport::Udp { .. }
        | Transport::Fragment { .. }
        | Transport::Other { .. }
        | Transport::Malformed { .. } => {}
    }
}

/// The classic capture cut after its first [`PCAP_RECORDS`] records, and the pcapng
/// test vectors.
fn pcap(capture: &[u8], seeds: &mut Seeds) -> Result<(), String> {
    let file = PcapFile::new(capture).map_err(|e| format!("{CAPTURE}: {e}"))?;
    let mut end = rayos_net::pcap::FILE_HEADER_LEN;
    for record in file.records().take(PCAP_RECORDS) {
        let record = record.map_err(|e| format!("{CAPTURE}: {e}"))?;
        end = record.offset + FileHeader::record_len(record.data.len());
    }
    seeds.add("rayos_net_pcap", "classic".to_owned(), &capture[..end]);

    let dir = root().join(PCAP_VECTORS);
    let listing =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut vectors: Vec<_> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcapng"))
        .collect();
    vectors.sort();
    for path in vectors {
        let bytes = read(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        seeds.add("rayos_net_pcap", name.unwrap_or_default(), &bytes);
    }
    Ok(())
}

/// What a frame is made of, without the values that change from packet to packet.
fn frame_shape(frame: &Frame<'_>) -> String {
    if frame.ethernet.vlan.is_some() {
        // Behind a tag, the network layer is the same code: one seed per kind.
        return format!(
            "vlan {:?} {:?}",
            frame.ethernet.inner_vlan.is_some(),
            frame.ethernet.ethertype
        );
    }
    network_shape(frame)
}

/// What the network layer of a frame is made of, and what it carries.
fn network_shape(frame: &Frame<'_>) -> String {
    let mut s = String::new();
    match &frame.network {
        Network::Arp(r) => {
            let _ = write!(s, "arp {:?}", r.operation);
        }
        Network::Ipv4 { header, transport } => {
            let _ = write!(s, "ipv4 options {} ", header.options.len());
            transport_shape(&mut s, transport);
        }
        Network::Ipv6 {
            header,
            extensions,
            transport,
        } => {
            let _ = write!(s, "ipv6 {} ", chain_shape(header, extensions));
            transport_shape(&mut s, transport);
        }
        Network::Other(_) => {
            let _ = write!(s, "ethertype {:?}", frame.ethernet.ethertype);
        }
        Network::Malformed { error, .. } => {
            let _ = write!(s, "malformed {}", error.layer());
        }
    }
    if !frame.padding.is_empty() {
        s.push_str(" padded");
    }
    s
}

fn transport_shape(s: &mut String, transport: &Transport<'_>) {
    let _ = match transport {
        Transport::Tcp { repr, payload } => write!(
            s,
            "tcp {} {} data {}",
            repr.flags,
            option_kinds(repr),
            !payload.is_empty()
        ),
        Transport::Udp { repr, payload, .. } => write!(
            s,
            "udp port {} data {}",
            repr.src_port.min(repr.dst_port),
            !payload.is_empty()
        ),
        Transport::Icmpv4(r) => write!(
            s,
            "icmp {:?} code {} length {}",
            r.msg_type(),
            r.msg_code(),
            r.buffer_len()
        ),
        Transport::Igmp(r) => write!(s, "igmp {:?} records {}", r.msg_type(), r.records().count()),
        Transport::Icmpv6(r) => write!(
            s,
            "icmpv6 {:?} code {} length {}",
            r.msg_type(),
            r.msg_code(),
            r.buffer_len()
        ),
        Transport::Fragment {
            protocol,
            offset,
            more,
            ..
        } => write!(
            s,
            "fragment {protocol:?} first {} more {more}",
            *offset == 0
        ),
        Transport::Other { protocol, .. } => write!(s, "protocol {protocol:?}"),
        Transport::Malformed {
            protocol, error, ..
        } => write!(s, "malformed {protocol:?} {}", error.layer()),
    };
}

/// The extension headers of an IPv6 packet and where their walk ends.
fn chain_shape(header: &ipv6::Repr, extensions: &[u8]) -> String {
    let mut s = String::new();
    // The dissector walked the chain already: it ends at `extensions.len()`.
    for step in ExtHeaders::new(header.next_header, extensions).flatten() {
        let _ = match step {
            Step::Header(h) => match h.repr {
                ExtHeaderRepr::Fragment(f) => {
                    write!(
                        s,
                        "fragment first {} more {} ",
                        f.is_first(),
                        f.more_fragments
                    )
                }
                _ => write!(s, "{:?} ", h.header_type()),
            },
            Step::End(end) => write!(s, "{:?} {:?}", end.protocol, end.reason),
        };
    }
    s
}

/// The kinds of the options of a TCP header, in order.
fn option_kinds(repr: &tcp::Repr<'_>) -> String {
    let kinds: Vec<_> = repr.options_iter().map(|o| o.map(|o| o.kind())).collect();
    format!("{kinds:?}")
}
