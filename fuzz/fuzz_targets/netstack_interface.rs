//! A host interface (`netstack::iface::interface::Interface`) fed arbitrary frames, as
//! the side B of the Linux capture the seeds come from (10.99.0.2, fd00:99::2, its
//! link-local address): never a panic, and every answer it writes is a well-formed
//! frame whose every checksum verifies, sent from our MAC.
#![no_main]

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
    let mut neighbors: Cache<4, 2, 256> = Cache::new(Config::default());
    let mut tx = [0u8; 1600];
    if let Ok(Handled::Reply(len)) =
        iface.handle_frame(Duration::ZERO, data, &mut neighbors, &mut tx)
    {
        let reply = Frame::dissect(&tx[..len], &ChecksumCapabilities::default())
            .expect("our answer has an Ethernet header");
        assert_eq!(reply.error(), None, "our answer is malformed: {reply:?}");
        assert_eq!(reply.ethernet.src_addr, B_MAC);
    }
});
