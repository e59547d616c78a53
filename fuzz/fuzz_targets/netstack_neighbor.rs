//! The neighbor cache (`netstack::iface::neighbor::Cache`) driven by arbitrary
//! operations decoded from the input, two bytes each: resolve, hold, advertisements
//! with every flag combination, solicitation sources, ARP, confirmations, removals,
//! polls and the passing of time. It must never panic, and its bounds must hold after
//! every operation: entries within capacity, no overdue timer after `handle_timeout`,
//! released packets only to resolved neighbors and byte-exact.
#![no_main]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use libfuzzer_sys::fuzz_target;
use netstack::iface::neighbor::{AdvertFlags, Cache, Config, State};
use netstack::wire::EthernetAddress;

fn addr(b: u8) -> IpAddr {
    match b % 8 {
        n @ 0..4 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)),
        n => IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(n))),
    }
}

fn mac(b: u8) -> EthernetAddress {
    EthernetAddress([2, 0, 0, 0, 0, b % 3])
}

fuzz_target!(|data: &[u8]| {
    let mut cache: Cache<4, 3, 32> = Cache::new(Config::default());
    let mut now = Duration::from_secs(1);
    let mut buf = [0u8; 32];
    for op in data.chunks_exact(2) {
        let (kind, arg) = (op[0], op[1]);
        match kind % 11 {
            0 => {
                let _ = cache.resolve(now, addr(arg));
            }
            1 => {
                // The packet's bytes all equal its length, so a release can be checked.
                let len = usize::from(arg >> 3);
                let _ = cache.hold(addr(arg), &[len as u8; 40][..len]);
            }
            2 => cache.handle_advertisement(
                now,
                addr(arg),
                (kind & 0x10 != 0).then(|| mac(arg >> 4)),
                AdvertFlags {
                    solicited: kind & 0x20 != 0,
                    override_: kind & 0x40 != 0,
                    router: kind & 0x80 != 0,
                },
            ),
            3 => {
                let _ = cache.handle_solicitation_source(now, addr(arg), mac(arg >> 4));
            }
            4 => cache.handle_arp(now, addr(arg), mac(arg >> 4), kind & 0x10 != 0),
            5 => cache.confirm_reachable(now, addr(arg)),
            6 => cache.remove(addr(arg)),
            7 => {
                while let Some(s) = cache.poll_transmit(now) {
                    if let Some(hw) = s.unicast {
                        assert_eq!(cache.lookup(s.target), Some((State::Probe, Some(hw))));
                    }
                }
            }
            8 => {
                if let Ok(Some(h)) = cache.poll_release(&mut buf) {
                    let (state, hw) = cache.lookup(h.addr).expect("released to a known neighbor");
                    assert_ne!(state, State::Incomplete);
                    assert_eq!(h.hw_addr, hw);
                    assert!(buf[..h.len].iter().all(|&b| usize::from(b) == h.len));
                }
            }
            9 => {
                let _ = cache.poll_failed(&mut buf);
            }
            _ => {
                now += Duration::from_millis(u64::from(arg) * 200);
                cache.handle_timeout(now);
                // Once the due solicitations are sent, no timer is overdue.
                while cache.poll_transmit(now).is_some() {}
                assert!(cache.poll_timeout().is_none_or(|t| t > now));
            }
        }
        assert!(cache.len() <= 4);
    }
});
