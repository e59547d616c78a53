//! netstack's interface answers as the Linux kernel answered. In the committed capture
//! Linux side B (10.99.0.2, fd00:99::2, 4e:df:79:c6:21:c4) answered side A's ARP
//! requests, Neighbor Solicitations and pings. Every frame A sent is fed to our
//! interface configured as B; each answer we give must equal the answer Linux gave,
//! byte for byte, except the fields RFCs leave to the sender: the IPv4 Identification
//! (and so the header checksum) and the IPv6 flow label.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use rayos_net::netstack::iface::interface::{Handled, Interface};
use rayos_net::netstack::iface::neighbor::{Cache, Config, State};
use rayos_net::netstack::wire::dissect::{Frame, Network, Transport};
use rayos_net::netstack::wire::{ChecksumCapabilities, EthernetAddress, icmpv6, ndp};
use rayos_net::pcap::Capture;

const LINUX_CAPTURE: &[u8] = include_bytes!("data/linux-veth.pcap");
const A_MAC: EthernetAddress = EthernetAddress([0xde, 0xec, 0x5f, 0xcb, 0x40, 0xb4]);
const B_MAC: EthernetAddress = EthernetAddress([0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4]);

/// What kind of answer a frame is, to compare like with like.
fn kind(frame: &[u8]) -> &'static str {
    let f = Frame::dissect(frame, &ChecksumCapabilities::default()).unwrap();
    match f.network {
        Network::Arp(_) => "arp",
        Network::Ipv4 {
            transport: Transport::Icmpv4(_),
            ..
        } => "echo4",
        Network::Ipv6 {
            transport: Transport::Icmpv6(icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert { .. })),
            ..
        } => "na",
        Network::Ipv6 {
            transport: Transport::Icmpv6(icmpv6::Repr::EchoReply { .. }),
            ..
        } => "echo6",
        _ => "other",
    }
}

#[test]
fn our_answers_are_linuxs_answers() {
    let frames: Vec<Vec<u8>> = Capture::new(LINUX_CAPTURE)
        .unwrap()
        .records()
        .map(|r| r.unwrap().data.to_vec())
        .collect();
    let mut iface: Interface<2> = Interface::new(B_MAC);
    iface.add_ipv4(Ipv4Addr::new(10, 99, 0, 2), 24).unwrap();
    iface.add_ipv6("fd00:99::2".parse().unwrap(), 64).unwrap();
    iface.add_ipv6(iface.link_local(), 64).unwrap();
    let mut neighbors: Cache<8, 2, 1514> = Cache::new(Config::default());
    let mut compared = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        // Only what A sent on the untagged link.
        if frame[6..12] != A_MAC.0 || frame[12..14] == [0x81, 0x00] {
            continue;
        }
        let mut tx = [0u8; 1514];
        let Handled::Reply(len) = iface
            .handle_frame(Duration::ZERO, frame, &mut neighbors, &mut tx)
            .unwrap()
        else {
            continue;
        };
        let ours = &tx[..len];
        let k = kind(ours);
        // Linux's answer: the next untagged frame from B of the same kind.
        let linux = frames[i + 1..]
            .iter()
            .find(|f| f[6..12] == B_MAC.0 && f[12..14] != [0x81, 0x00] && kind(f) == k)
            .unwrap_or_else(|| panic!("frame {}: Linux gave no {k} answer", i + 1));
        assert_eq!(ours.len(), linux.len(), "frame {}: {k}", i + 1);
        let mut mask = vec![true; ours.len()];
        match k {
            // IPv4 Identification and header checksum.
            "echo4" => {
                mask[18..20].fill(false);
                mask[24..26].fill(false);
            }
            // The flow label (low 4 bits of byte 15, bytes 16-17).
            "echo6" => mask[15..18].fill(false),
            _ => {}
        }
        if k == "echo6" {
            assert_eq!(
                ours[15] & 0xf0,
                linux[15] & 0xf0,
                "frame {}: traffic class",
                i + 1
            );
        }
        for (at, ((o, l), m)) in ours.iter().zip(linux).zip(&mask).enumerate() {
            assert!(
                !m || o == l,
                "frame {}: {k} differs from Linux's at byte {at}\nours:  {ours:02x?}\nlinux: {linux:02x?}",
                i + 1
            );
        }
        compared.push(k);
    }
    // A resolved B by ARP and NDP and pinged it once in each family (its other pings
    // were fragmented, which the interface does not answer yet).
    assert_eq!(compared, ["arp", "echo4", "na", "echo6"]);
    // What the frames taught the neighbor cache about A.
    let a4 = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 1));
    let a6 = IpAddr::V6("fd00:99::1".parse::<Ipv6Addr>().unwrap());
    assert_eq!(neighbors.lookup(a4).map(|(_, hw)| hw), Some(Some(A_MAC)));
    assert_eq!(neighbors.lookup(a6), Some((State::Stale, Some(A_MAC))));
}
