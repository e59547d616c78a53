//! A two-port router (`netstack::iface::router::Router`) fed a sequence of frames,
//! each on an ingress port chosen by the input and after a time step chosen by the
//! input. It must never panic, and what it sends must be what it says it sends:
//!
//! - `Forward`: at most as long as the frame received, sent from the egress port's
//!   MAC, the IP packet unchanged but for TTL or Hop Limit (exactly one less) and,
//!   for IPv4, the header checksum, which still verifies;
//! - `Fragment`: each fragment at most MTU + 14 bytes, a bounded number of them, the
//!   same TTL decrement, a valid header checksum, and together (for a datagram whose
//!   offsets fit the 13-bit field) exactly the payload received, at the right offsets;
//! - `Reply`: within the transmit buffer, from the port's MAC, and well formed with
//!   every checksum verifying;
//! - `poll_transmit` ends within 64 calls after each frame, and once it has, no timer
//!   is overdue.
//!
//! # Input
//! One byte that sets port 1's MTU (68 + 8 * (b % 180): 68 to 1500 bytes); one byte
//! of flags (bit 0: the gateways start resolved, as STALE entries, so that a single
//! frame can be forwarded); then records: ingress port (`b % 3`; 2 is not a port),
//! time step (`b` * 64 ms), frame length (two bytes, big-endian; cut to what is
//! left), the frame.
//!
//! # The router
//! `Router<FixedTable<8>, 2, 2, 4, 2, 1514>`: 2 addresses per family per port,
//! neighbor caches of 4 entries holding 2 frames each.
//! - port 0: MAC 4e:df:79:c6:21:c4, 10.99.0.2/24, fd00:99::2/64, MTU 1500 (side B of
//!   the Linux capture `rayos-net/tests/data/linux-veth.pcap`, so that its frames
//!   from side A are for us);
//! - port 1: MAC 02:52:00:00:00:01, 10.98.0.1/24, fd00:98::1/64, MTU from the input;
//! - routes: the four connected ones, and defaults `0.0.0.0/0` via 10.98.0.254 and
//!   `::/0` via fd00:98::fe on port 1 (both at MAC 02:52:00:00:00:fe).
#![no_main]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use libfuzzer_sys::fuzz_target;
use netstack::iface::interface::Interface;
use netstack::iface::router::{Action, Config, Router};
use netstack::route::{FixedTable, InterfaceId, IpCidr, Ipv4Cidr, Ipv6Cidr, Route};
use netstack::wire::dissect::Frame;
use netstack::wire::{ChecksumCapabilities, EthernetAddress, ipv4};

type TestRouter = Router<FixedTable<8>, 2, 2, 4, 2, 1514>;

const ETH_LEN: usize = 14;
const P0_MAC: EthernetAddress = EthernetAddress([0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4]);
const P1_MAC: EthernetAddress = EthernetAddress([0x02, 0x52, 0, 0, 0, 0x01]);
/// The gateway's MAC on port 1.
const GW_MAC: EthernetAddress = EthernetAddress([0x02, 0x52, 0, 0, 0, 0xfe]);
/// More calls of `poll_transmit` than this after one frame is a loop.
const MAX_POLLS: usize = 64;

fn router(mtu1: usize, resolved: bool, now: Duration) -> TestRouter {
    let mut r = TestRouter::new(FixedTable::new(), Config::default());
    let p0 = r.add_port(Interface::new(P0_MAC), 1500).unwrap();
    let p1 = r.add_port(Interface::new(P1_MAC), mtu1).unwrap();
    r.add_ipv4(p0, Ipv4Addr::new(10, 99, 0, 2), 24).unwrap();
    r.add_ipv6(p0, "fd00:99::2".parse().unwrap(), 64).unwrap();
    r.add_ipv4(p1, Ipv4Addr::new(10, 98, 0, 1), 24).unwrap();
    r.add_ipv6(p1, "fd00:98::1".parse().unwrap(), 64).unwrap();
    let gw4 = Ipv4Addr::new(10, 98, 0, 254);
    let gw6: Ipv6Addr = "fd00:98::fe".parse().unwrap();
    r.add_route(
        IpCidr::V4(Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0).unwrap()),
        Route {
            next_hop: Some(IpAddr::V4(gw4)),
            interface: p1,
            metric: 0,
        },
    )
    .unwrap();
    r.add_route(
        IpCidr::V6(Ipv6Cidr::new(Ipv6Addr::UNSPECIFIED, 0).unwrap()),
        Route {
            next_hop: Some(IpAddr::V6(gw6)),
            interface: p1,
            metric: 0,
        },
    )
    .unwrap();
    if resolved {
        let cache = &mut r.port_mut(p1).unwrap().neighbors;
        cache
            .handle_solicitation_source(now, IpAddr::V4(gw4), GW_MAC)
            .unwrap();
        cache
            .handle_solicitation_source(now, IpAddr::V6(gw6), GW_MAC)
            .unwrap();
    }
    r
}

fn port_mac(r: &TestRouter, port: InterfaceId) -> EthernetAddress {
    r.port(port)
        .expect("the router names only its own ports")
        .iface
        .mac()
}

/// A frame the router wrote itself (a reply, a solicitation, an ICMP error) is well
/// formed, from the port's MAC, with every checksum verifying.
fn check_own(r: &TestRouter, port: InterfaceId, frame: &[u8]) {
    let f = Frame::dissect(frame, &ChecksumCapabilities::default())
        .expect("the router's frame has an Ethernet header");
    assert_eq!(f.error(), None, "the router's frame is malformed: {f:?}");
    assert_eq!(f.ethernet.src_addr, port_mac(r, port));
}

/// A forwarded frame: the IP packet received, but for TTL / Hop Limit (one less) and
/// the IPv4 header checksum (which verifies).
fn check_forwarded(input: &[u8], out: &[u8]) {
    assert_eq!(out[12..14], input[12..14], "EtherType changed");
    let (ip_in, ip_out) = (&input[ETH_LEN..out.len()], &out[ETH_LEN..]);
    match u16::from_be_bytes([input[12], input[13]]) {
        0x0800 => {
            assert_eq!(ip_out[8], ip_in[8] - 1, "TTL not decremented by one");
            let pkt = ipv4::Packet::new_checked(ip_out).expect("a forwarded IPv4 header");
            assert!(pkt.verify_checksum().is_ok(), "bad forwarded checksum");
            assert_eq!(ip_out[..8], ip_in[..8]);
            assert_eq!(ip_out[12..], ip_in[12..]);
        }
        0x86dd => {
            assert_eq!(ip_out[7], ip_in[7] - 1, "Hop Limit not decremented by one");
            assert_eq!(ip_out[..7], ip_in[..7]);
            assert_eq!(ip_out[8..], ip_in[8..]);
        }
        other => panic!("forwarded a frame of EtherType {other:#06x}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let [mtu_byte, flags, rest @ ..] = data else {
        return;
    };
    let mut rest = rest;
    let mtu1 = 68 + usize::from(mtu_byte % 180) * 8;
    let mut now = Duration::from_secs(1);
    let mut r = router(mtu1, flags & 1 != 0, now);
    let mut tx = [0u8; 1514];
    let mut out = [0u8; 1514];
    while let [port, step, hi, lo, tail @ ..] = rest {
        let ingress = InterfaceId(u16::from(port % 3));
        now += Duration::from_millis(u64::from(*step) * 64);
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (input, next) = tail.split_at(len);
        rest = next;

        let mut rx = input.to_vec();
        match r.handle_frame(now, ingress, &mut rx, &mut tx) {
            Action::Forward { port, len } => {
                assert!(
                    len <= input.len(),
                    "forwarded {len} of {} bytes",
                    input.len()
                );
                let frame = &rx[..len];
                assert_eq!(frame[6..12], port_mac(&r, port).0);
                check_forwarded(input, frame);
            }
            Action::Fragment(mut f) => {
                let port = f.port();
                let mtu = r.port(port).expect("a fragmenter for a port").mtu;
                let ip_in = &input[ETH_LEN..];
                let pkt = ipv4::Packet::new_checked(ip_in).expect("a fragmented IPv4 datagram");
                let (hlen, total) = (pkt.header_len(), usize::from(pkt.total_len()));
                let (base, ttl) = (usize::from(pkt.frag_offset()), pkt.ttl());
                let data_len = total - hlen;
                // Every fragment but the last carries at least 8 bytes.
                let bound = data_len / 8 + 1;
                let (mut count, mut done) = (0, 0);
                while let Some(n) = f.next(&rx, &mut out) {
                    count += 1;
                    assert!(count <= bound, "more than {bound} fragments");
                    assert!(n <= mtu + ETH_LEN, "a {n}-byte fragment for MTU {mtu}");
                    assert_eq!(out[6..12], port_mac(&r, port).0);
                    let frag = ipv4::Packet::new_checked(&out[ETH_LEN..n]).expect("a fragment");
                    assert!(frag.verify_checksum().is_ok(), "bad fragment checksum");
                    assert_eq!(frag.ttl(), ttl - 1);
                    let at = usize::from(frag.frag_offset()).checked_sub(base);
                    assert_eq!(at, Some(done), "fragments out of order or overlapping");
                    let payload = frag.payload();
                    let want = ip_in.get(hlen + done..hlen + done + payload.len());
                    assert_eq!(
                        Some(payload),
                        want,
                        "a fragment's data is not the datagram's"
                    );
                    done += payload.len();
                }
                // The offsets of a datagram that would end past 65,535 bytes cannot
                // all be written; any other is sent whole.
                if base + data_len <= 0xffff {
                    assert_eq!(done, data_len, "fragments do not cover the datagram");
                }
            }
            Action::Reply { port, len } => {
                assert!(len <= tx.len());
                check_own(&r, port, &tx[..len]);
            }
            Action::Held | Action::Consumed | Action::Dropped(_) => {}
        }

        drain(&mut r, now, &mut tx);
        r.handle_timeout(now);
        drain(&mut r, now, &mut tx);
        assert!(
            r.poll_timeout().is_none_or(|t| t > now),
            "a timer is overdue after handle_timeout and poll_transmit"
        );
    }
});

/// Calls `poll_transmit` until it returns `None`, which must come within
/// [`MAX_POLLS`] calls, checking each frame.
fn drain(r: &mut TestRouter, now: Duration, tx: &mut [u8; 1514]) {
    for _ in 0..MAX_POLLS {
        let Some((port, len)) = r.poll_transmit(now, tx) else {
            return;
        };
        assert!(len <= tx.len());
        let frame = &tx[..len];
        assert_eq!(frame[6..12], port_mac(r, port).0);
    }
    panic!("poll_transmit did not end within {MAX_POLLS} calls");
}
