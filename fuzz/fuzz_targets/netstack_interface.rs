//! A host interface (`netstack::iface::interface::Interface`) fed arbitrary frames, as
//! the side B of the Linux capture the seeds come from (10.99.0.2, fd00:99::2, its
//! link-local address): never a panic, and every answer it writes is a well-formed
//! frame whose every checksum verifies, sent from our MAC. The interface autoconfigures
//! (SLAAC), has a tentative address under Duplicate Address Detection and has joined
//! an IPv4 and an IPv6 group, so Router Advertisements, DAD answers and IGMP/MLD
//! queries in the input reach that code; after the frame, its timers run and
//! everything it then sends (DAD probes, membership reports) is checked the same way.
#![no_main]

use core::net::IpAddr;
use core::time::Duration;
use libfuzzer_sys::fuzz_target;
use netstack::iface::interface::{Handled, Interface};
use netstack::iface::neighbor::{Cache, Config};
use netstack::wire::dissect::Frame;
use netstack::wire::{ChecksumCapabilities, EthernetAddress};

const B_MAC: EthernetAddress = EthernetAddress([0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4]);

fuzz_target!(|data: &[u8]| {
    let mut iface: Interface<3> = Interface::new(B_MAC);
    iface.add_ipv4([10, 99, 0, 2].into(), 24).unwrap();
    iface.add_ipv6("fd00:99::2".parse().unwrap(), 64).unwrap();
    iface.add_ipv6(iface.link_local(), 64).unwrap();
    iface.set_slaac(true);
    let t0 = Duration::from_secs(10);
    iface
        .add_ipv6_tentative(t0, "fd00:99::77".parse().unwrap(), 64)
        .unwrap();
    iface
        .join_group(t0, IpAddr::V4([239, 1, 2, 3].into()))
        .unwrap();
    iface
        .join_group(t0, IpAddr::V6("ff0e::1:2".parse().unwrap()))
        .unwrap();
    let mut neighbors: Cache<4, 2, 256> = Cache::new(Config::default());
    let mut tx = [0u8; 1600];
    let check = |frame: &[u8]| {
        let f = Frame::dissect(frame, &ChecksumCapabilities::default())
            .expect("our frame has an Ethernet header");
        assert_eq!(f.error(), None, "our frame is malformed: {f:?}");
        assert_eq!(f.ethernet.src_addr, B_MAC);
    };
    if let Ok(Handled::Reply(len)) = iface.handle_frame(t0, data, &mut neighbors, &mut tx) {
        check(&tx[..len]);
    }
    // Then the timers, over a few minutes: everything due goes out, and the polling
    // ends.
    for step in 0..8u64 {
        let now = t0 + Duration::from_secs(step * 40);
        iface.handle_timeout(now);
        let mut sent = 0;
        while let Ok(Some(len)) = iface.poll_transmit(now, &mut tx) {
            check(&tx[..len]);
            sent += 1;
            assert!(sent < 64, "poll_transmit does not end");
        }
        while iface.poll_event().is_some() {}
    }
});
