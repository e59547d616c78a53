//! Reassembly of the Linux kernel's own fragments: the committed capture holds a
//! 3000-byte `ping` and `ping -6` and their replies, each sent by Linux as three
//! fragments (1480 + 1480 + 48 bytes over IPv4, 1448 + 1448 + 112 over IPv6).
//! netstack's reassembler puts them back together, and the reassembled ICMP messages
//! must parse with their checksums verified: the checksum covers the whole message,
//! so it only verifies if every byte is in its place.

use core::net::IpAddr;
use core::time::Duration;
use rayos_net::netstack::iface::reassembly::{Fragment, Key, Reassembler};
use rayos_net::netstack::wire::dissect::{Frame, Network, Transport};
use rayos_net::netstack::wire::ipv6ext::{ExtHeaderRepr, ExtHeaders, Step};
use rayos_net::netstack::wire::{ChecksumCapabilities, icmpv4, icmpv6};
use rayos_net::pcap::Capture;

const LINUX_CAPTURE: &[u8] = include_bytes!("data/linux-veth.pcap");

#[test]
fn linux_fragments_reassemble_to_verified_icmp_echoes() {
    let caps = ChecksumCapabilities::default();
    let mut r: Reassembler<4, 65535> = Reassembler::new(Duration::from_secs(30));
    let mut out = vec![0u8; 65535];
    let mut echoes = Vec::new();
    let mut fragments = 0;
    for record in Capture::new(LINUX_CAPTURE).unwrap().records() {
        let record = record.unwrap();
        let now = record.timestamp.unwrap();
        let frame = Frame::dissect(record.data, &caps).unwrap();
        let (key, offset, more, data) = match &frame.network {
            Network::Ipv4 {
                header,
                transport:
                    Transport::Fragment {
                        offset, more, data, ..
                    },
            } => {
                let key = Key {
                    src: IpAddr::V4(header.src_addr),
                    dst: IpAddr::V4(header.dst_addr),
                    protocol: header.protocol.0,
                    id: u32::from(header.ident),
                };
                (key, *offset, *more, *data)
            }
            Network::Ipv6 {
                header,
                extensions,
                transport:
                    Transport::Fragment {
                        offset, more, data, ..
                    },
            } => {
                let id = ExtHeaders::new(header.next_header, extensions)
                    .find_map(|step| match step {
                        Ok(Step::Header(h)) => match h.repr {
                            ExtHeaderRepr::Fragment(f) => Some(f.identification),
                            _ => None,
                        },
                        _ => None,
                    })
                    .expect("a Fragment header");
                let key = Key {
                    src: IpAddr::V6(header.src_addr),
                    dst: IpAddr::V6(header.dst_addr),
                    protocol: 0,
                    id,
                };
                (key, *offset, *more, *data)
            }
            _ => continue,
        };
        fragments += 1;
        let done = r
            .handle(
                now,
                Fragment {
                    key,
                    offset,
                    more,
                    data,
                },
                &mut out,
            )
            .unwrap();
        let Some(len) = done else { continue };
        let message = &out[..len];
        let echo = match (key.src, key.dst) {
            (IpAddr::V4(_), IpAddr::V4(_)) => {
                let p = icmpv4::Packet::new_checked(message).unwrap();
                match icmpv4::Repr::parse(&p, &caps).expect("checksum over the reassembled message")
                {
                    icmpv4::Repr::EchoRequest { data, .. }
                    | icmpv4::Repr::EchoReply { data, .. } => ("v4", data.len()),
                    other => panic!("not an echo: {other:?}"),
                }
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let p = icmpv6::Packet::new_checked(message).unwrap();
                match icmpv6::Repr::parse(&p, &s, &d, &caps)
                    .expect("checksum over the reassembled message")
                {
                    icmpv6::Repr::EchoRequest { data, .. }
                    | icmpv6::Repr::EchoReply { data, .. } => ("v6", data.len()),
                    other => panic!("not an echo: {other:?}"),
                }
            }
            _ => unreachable!("one family per key"),
        };
        echoes.push(echo);
    }
    assert_eq!(fragments, 12);
    // `ping -s 3000`: 3000 bytes of data, request and reply, in both families.
    assert_eq!(
        echoes,
        [("v4", 3000), ("v4", 3000), ("v6", 3000), ("v6", 3000)]
    );
    assert!(r.is_empty(), "every datagram completed");
}
