//! ARP: `arp::Packet::new_checked` (any address lengths), then `arp::Repr::parse`
//! (Ethernet and IPv4 only).
//!
//! No accessor may panic on a checked view. Whatever parses must emit into its 28
//! bytes (and refuse 27), give the first 28 input bytes back exactly (what follows is
//! link-layer padding) and parse again to the same `Repr`; its reply must emit and parse
//! too.
//!
//! The input is the ARP packet, hardware type first.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::EthernetAddress;
use netstack::wire::arp::{Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    // No accessor may panic after `new_checked`.
    let _ = (
        packet.hardware_type(),
        packet.protocol_type(),
        packet.operation(),
    );
    let _ = (
        packet.hardware_len(),
        packet.protocol_len(),
        packet.packet_len(),
    );
    let _ = (packet.source_hardware_addr(), packet.source_protocol_addr());
    let _ = (packet.target_hardware_addr(), packet.target_protocol_addr());
    assert!(packet.packet_len() <= data.len());
    let repr = match Repr::parse(&packet) {
        Ok(repr) => repr,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = (repr.to_string(), repr.is_gratuitous());
    let len = repr.buffer_len();
    assert!(len <= data.len());
    assert!(repr.emit(&mut vec![0u8; len - 1]).is_err());
    let mut buf = vec![0u8; len];
    repr.emit(&mut buf).expect("a parsed packet emits");
    assert_eq!(buf, data[..len], "packet re-emits differently");
    let again = Packet::new_checked(&buf[..]).expect("an emitted packet is well-formed");
    assert_eq!(Repr::parse(&again), Ok(repr));

    let reply = repr.reply(EthernetAddress([0x02, 0, 0, 0, 0, 1]));
    reply.emit(&mut buf).expect("a reply emits");
    let again = Packet::new_checked(&buf[..]).expect("an emitted reply is well-formed");
    assert_eq!(Repr::parse(&again), Ok(reply));
});
