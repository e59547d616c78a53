use super::*;
use core::net::{Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;

const PEER: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2));
const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 3));
const MAC: EthernetAddress = EthernetAddress([0x4e, 0xdf, 0x79, 0xc6, 0x21, 0xc4]);
const MAC2: EthernetAddress = EthernetAddress([0xde, 0xec, 0x5f, 0xcb, 0x40, 0xb4]);

type Small = Cache<4, 2, 64>;

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn solicited() -> AdvertFlags {
    AdvertFlags {
        solicited: true,
        override_: true,
        router: false,
    }
}

/// A cache with PEER REACHABLE since `t`.
fn reachable_at(t: Duration) -> Small {
    let mut c = Small::new(Config::default());
    c.resolve(t, PEER).unwrap();
    c.poll_transmit(t).unwrap();
    c.handle_advertisement(t, PEER, Some(MAC), solicited());
    assert_eq!(c.lookup(PEER), Some((State::Reachable, Some(MAC))));
    c
}

/// RFC 4861 section 7.2.2: MAX_MULTICAST_SOLICIT solicitations RetransTimer apart,
/// then failure after one more RetransTimer; the held packet comes back as failed.
#[test]
fn incomplete_retransmits_then_fails() {
    let mut c = Small::new(Config::default());
    assert_eq!(c.resolve(s(10), PEER), Ok(Resolution::Pending));
    c.hold(PEER, b"held").unwrap();
    let multicast = Some(Solicit {
        target: PEER,
        unicast: None,
    });
    assert_eq!(c.poll_transmit(s(10)), multicast);
    assert_eq!(c.poll_transmit(s(10)), None);
    assert_eq!(c.poll_timeout(), Some(s(11)));
    assert_eq!(c.poll_transmit(ms(10_999)), None);
    assert_eq!(c.poll_transmit(s(11)), multicast);
    assert_eq!(c.poll_transmit(s(12)), multicast);
    // Three sent: the fourth second brings failure, not a fourth solicitation.
    assert_eq!(c.poll_transmit(ms(12_999)), None);
    assert_eq!(c.lookup(PEER), Some((State::Incomplete, None)));
    assert_eq!(c.poll_transmit(s(13)), None);
    assert_eq!(c.lookup(PEER), None);
    assert_eq!(c.stats().failures, 1);
    let mut buf = [0u8; 64];
    assert_eq!(c.poll_release(&mut buf), Ok(None));
    assert_eq!(
        c.poll_failed(&mut buf),
        Ok(Some(Held {
            addr: PEER,
            hw_addr: None,
            len: 4
        }))
    );
    assert_eq!(&buf[..4], b"held");
    assert_eq!(c.poll_failed(&mut buf), Ok(None));
    assert_eq!(c.poll_timeout(), None);
}

/// RFC 4861 section 7.3.3: REACHABLE ages to STALE; a packet moves it to DELAY; after
/// DELAY_FIRST_PROBE_TIME, PROBE with unicast solicitations; unanswered, the entry goes.
#[test]
fn reachable_stale_delay_probe_gone() {
    let mut c = reachable_at(s(0));
    assert_eq!(c.poll_timeout(), Some(s(30)));
    c.handle_timeout(s(30));
    assert_eq!(c.lookup(PEER), Some((State::Stale, Some(MAC))));
    assert_eq!(c.poll_timeout(), None);
    // Sending still uses the stale address, and starts the delay.
    assert_eq!(c.resolve(s(40), PEER), Ok(Resolution::Found(MAC)));
    assert_eq!(c.lookup(PEER), Some((State::Delay, Some(MAC))));
    assert_eq!(c.poll_timeout(), Some(s(45)));
    assert_eq!(c.poll_transmit(s(44)), None);
    let probe = Some(Solicit {
        target: PEER,
        unicast: Some(MAC),
    });
    assert_eq!(c.poll_transmit(s(45)), probe);
    assert_eq!(c.lookup(PEER), Some((State::Probe, Some(MAC))));
    assert_eq!(c.resolve(s(45), PEER), Ok(Resolution::Found(MAC)));
    assert_eq!(c.poll_transmit(s(46)), probe);
    assert_eq!(c.poll_transmit(s(47)), probe);
    assert_eq!(c.poll_transmit(s(48)), None);
    assert_eq!(c.lookup(PEER), None);
    assert_eq!(c.stats().failures, 1);
}

/// An upper-layer confirmation in DELAY returns the entry to REACHABLE without a probe
/// (RFC 4861 section 7.3.1); a solicited advertisement does the same in PROBE.
#[test]
fn confirmations_stop_probing() {
    let mut c = reachable_at(s(0));
    c.handle_timeout(s(30));
    c.resolve(s(31), PEER).unwrap();
    c.confirm_reachable(s(32), PEER);
    assert_eq!(c.lookup(PEER), Some((State::Reachable, Some(MAC))));
    assert_eq!(c.poll_transmit(s(40)), None);
    c.handle_timeout(s(62));
    c.resolve(s(63), PEER).unwrap();
    assert!(c.poll_transmit(s(68)).is_some());
    c.handle_advertisement(s(68), PEER, Some(MAC), solicited());
    assert_eq!(c.lookup(PEER), Some((State::Reachable, Some(MAC))));
    assert_eq!(c.poll_transmit(s(69)), None);
}

/// The advertisement rules of RFC 4861 section 7.2.5, case by case.
#[test]
fn advertisement_rules() {
    // No entry: ignored.
    let mut c = Small::new(Config::default());
    c.handle_advertisement(s(0), PEER, Some(MAC), solicited());
    assert_eq!(c.lookup(PEER), None);

    // INCOMPLETE without a target link-layer address: ignored.
    c.resolve(s(0), PEER).unwrap();
    c.handle_advertisement(s(0), PEER, None, solicited());
    assert_eq!(c.lookup(PEER), Some((State::Incomplete, None)));
    // INCOMPLETE, unsolicited: STALE with the address.
    c.handle_advertisement(
        s(0),
        PEER,
        Some(MAC),
        AdvertFlags {
            router: true,
            ..AdvertFlags::default()
        },
    );
    assert_eq!(c.lookup(PEER), Some((State::Stale, Some(MAC))));
    assert!(c.is_router(PEER));

    // REACHABLE, override clear, different address: STALE, address kept.
    let mut c = reachable_at(s(0));
    c.handle_advertisement(
        s(1),
        PEER,
        Some(MAC2),
        AdvertFlags {
            solicited: true,
            ..AdvertFlags::default()
        },
    );
    assert_eq!(c.lookup(PEER), Some((State::Stale, Some(MAC))));
    // STALE, override clear, different address: ignored.
    c.handle_advertisement(s(2), PEER, Some(MAC2), AdvertFlags::default());
    assert_eq!(c.lookup(PEER), Some((State::Stale, Some(MAC))));
    // Override set, unsolicited, different address: taken, STALE.
    c.handle_advertisement(
        s(3),
        PEER,
        Some(MAC2),
        AdvertFlags {
            override_: true,
            ..AdvertFlags::default()
        },
    );
    assert_eq!(c.lookup(PEER), Some((State::Stale, Some(MAC2))));
    // Solicited with the same address, override clear: REACHABLE.
    c.handle_advertisement(
        s(4),
        PEER,
        Some(MAC2),
        AdvertFlags {
            solicited: true,
            ..AdvertFlags::default()
        },
    );
    assert_eq!(c.lookup(PEER), Some((State::Reachable, Some(MAC2))));
    assert_eq!(c.poll_timeout(), Some(s(34)));
    // Solicited without the option: REACHABLE, address kept; R flag cleared.
    c.handle_advertisement(
        s(5),
        PEER,
        None,
        AdvertFlags {
            solicited: true,
            ..AdvertFlags::default()
        },
    );
    assert_eq!(c.lookup(PEER), Some((State::Reachable, Some(MAC2))));
    assert!(!c.is_router(PEER));
}

/// RFC 4861 section 7.2.3: a solicitation's source link-layer address creates a STALE
/// entry, or makes an entry with another address STALE; an INCOMPLETE entry's held
/// packets can then go.
#[test]
fn solicitation_sources() {
    let mut c = Small::new(Config::default());
    c.handle_solicitation_source(s(0), OTHER, MAC).unwrap();
    assert_eq!(c.lookup(OTHER), Some((State::Stale, Some(MAC))));
    c.handle_solicitation_source(s(1), OTHER, MAC2).unwrap();
    assert_eq!(c.lookup(OTHER), Some((State::Stale, Some(MAC2))));

    c.resolve(s(2), PEER).unwrap();
    c.hold(PEER, b"p1").unwrap();
    c.handle_solicitation_source(s(2), PEER, MAC).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(
        c.poll_release(&mut buf),
        Ok(Some(Held {
            addr: PEER,
            hw_addr: Some(MAC),
            len: 2
        }))
    );
}

/// ARP: a reply while resolving confirms (REACHABLE); an unrequested reply with a new
/// address is taken as STALE; a packet from a sender without an entry adds nothing.
#[test]
fn arp() {
    let mut c = Small::new(Config::default());
    c.handle_arp(s(0), OTHER, MAC, true);
    assert_eq!(c.lookup(OTHER), None);
    c.resolve(s(0), OTHER).unwrap();
    c.handle_arp(s(0), OTHER, MAC, true);
    assert_eq!(c.lookup(OTHER), Some((State::Reachable, Some(MAC))));
    c.handle_arp(s(1), OTHER, MAC2, true);
    assert_eq!(c.lookup(OTHER), Some((State::Stale, Some(MAC2))));
}

/// The queue is bounded: the oldest held packet is replaced (RFC 4861 section 7.2.2),
/// oversize packets and packets for neighbors not being resolved are refused, and a
/// short buffer leaves the packet queued.
#[test]
fn queue_bounds() {
    let mut c = Small::new(Config::default());
    c.resolve(s(0), PEER).unwrap();
    c.hold(PEER, b"first").unwrap();
    c.hold(PEER, b"second").unwrap();
    c.hold(PEER, b"third").unwrap();
    assert_eq!(c.stats().queue_drops, 1);
    assert_eq!(
        c.hold(PEER, &[0; 65]),
        Err(Error::PacketTooLarge { len: 65, max: 64 })
    );
    assert_eq!(c.hold(OTHER, b"x"), Err(Error::NotResolving(OTHER)));
    c.handle_advertisement(s(0), PEER, Some(MAC), solicited());
    assert_eq!(c.hold(PEER, b"late"), Err(Error::NotResolving(PEER)));
    let mut tiny = [0u8; 3];
    assert_eq!(
        c.poll_release(&mut tiny),
        Err(Error::BufferTooSmall {
            needed: 6,
            available: 3
        })
    );
    let mut buf = [0u8; 64];
    let mut got = vec![];
    while let Some(h) = c.poll_release(&mut buf).unwrap() {
        got.push(buf[..h.len].to_vec());
    }
    assert_eq!(got, [b"second".to_vec(), b"third".to_vec()]);
}

/// A full cache evicts the least recently used STALE entry, never one being resolved;
/// full of resolutions, it refuses.
#[test]
fn capacity() {
    let mut c: Cache<2, 1, 16> = Cache::new(Config::default());
    c.handle_solicitation_source(s(0), OTHER, MAC).unwrap();
    c.resolve(s(1), PEER).unwrap();
    let third = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 4));
    assert_eq!(c.resolve(s(2), third), Ok(Resolution::Pending));
    assert_eq!(c.lookup(OTHER), None);
    assert_eq!(c.stats().evictions, 1);
    let fourth = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 5));
    assert_eq!(c.resolve(s(3), fourth), Err(Error::Full { capacity: 2 }));
    assert_eq!(
        c.handle_solicitation_source(s(3), fourth, MAC),
        Err(Error::Full { capacity: 2 })
    );
    assert_eq!(c.len(), 2);
}

#[derive(Debug, Clone)]
enum Op {
    Resolve(u8),
    Hold(u8, u8),
    Advert(u8, bool, bool, bool, bool),
    Source(u8, bool),
    Arp(u8, bool, bool),
    Confirm(u8),
    Remove(u8),
    Transmit,
    Release,
    Failed,
    Wait(u16),
}

fn addr(i: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, i % 6))
}

fn mac(second: bool) -> EthernetAddress {
    if second { MAC2 } else { MAC }
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Resolve),
        (any::<u8>(), 0u8..80).prop_map(|(a, l)| Op::Hold(a, l)),
        (
            any::<u8>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(a, h, s, o, r)| Op::Advert(a, h, s, o, r)),
        (any::<u8>(), any::<bool>()).prop_map(|(a, m)| Op::Source(a, m)),
        (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(a, m, r)| Op::Arp(a, m, r)),
        any::<u8>().prop_map(Op::Confirm),
        any::<u8>().prop_map(Op::Remove),
        Just(Op::Transmit),
        Just(Op::Release),
        Just(Op::Failed),
        (0u16..40_000).prop_map(Op::Wait),
    ]
}

proptest! {
    /// Any sequence of operations: no panic; entries, held packets and solicitations
    /// stay within their bounds; time only moves forward and every timer is honoured.
    #[test]
    fn random_operations_keep_invariants(ops in proptest::collection::vec(arb_op(), 1..200)) {
        let mut c = Small::new(Config::default());
        let mut now = s(1000);
        let mut buf = [0u8; 64];
        for op in ops {
            match op {
                Op::Resolve(a) => { let _ = c.resolve(now, addr(a)); }
                Op::Hold(a, l) => { let _ = c.hold(addr(a), &[l; 80][..usize::from(l)]); }
                Op::Advert(a, h, s, o, r) => c.handle_advertisement(now, addr(a), h.then_some(MAC), AdvertFlags { solicited: s, override_: o, router: r }),
                Op::Source(a, m) => { let _ = c.handle_solicitation_source(now, addr(a), mac(m)); }
                Op::Arp(a, m, r) => c.handle_arp(now, addr(a), mac(m), r),
                Op::Confirm(a) => c.confirm_reachable(now, addr(a)),
                Op::Remove(a) => c.remove(addr(a)),
                Op::Transmit => {
                    while let Some(sol) = c.poll_transmit(now) {
                        // A unicast probe goes to the cached address.
                        if let Some(hw) = sol.unicast {
                            prop_assert_eq!(c.lookup(sol.target), Some((State::Probe, Some(hw))));
                        }
                        // Never more than one solicitation per target per instant.
                        prop_assert!(c.poll_transmit(now) != Some(sol));
                    }
                }
                Op::Release => {
                    if let Ok(Some(h)) = c.poll_release(&mut buf) {
                        prop_assert!(h.hw_addr.is_some());
                        prop_assert!(buf[..h.len].iter().all(|&b| usize::from(b) == h.len));
                    }
                }
                Op::Failed => {
                    if let Ok(Some(h)) = c.poll_failed(&mut buf) {
                        prop_assert_eq!(h.hw_addr, None);
                    }
                }
                Op::Wait(m) => {
                    now += ms(u64::from(m));
                    c.handle_timeout(now);
                }
            }
            prop_assert!(c.len() <= 4);
            // After the timers ran, no timer is overdue: REACHABLE and DELAY deadlines
            // are ahead, and a resolution that used up its solicitations is gone.
            c.handle_timeout(now);
            let config = *c.config();
            for e in c.entries.iter().flatten() {
                match e.state {
                    State::Reachable | State::Delay => prop_assert!(e.deadline > now, "{e:?} at {now:?}"),
                    State::Incomplete => {
                        prop_assert!(e.sent <= config.max_multicast_solicit);
                        prop_assert!(e.sent < config.max_multicast_solicit || e.deadline > now, "{e:?}");
                    }
                    State::Probe => {
                        prop_assert!(e.sent <= config.max_unicast_solicit);
                        prop_assert!(e.sent < config.max_unicast_solicit || e.deadline > now, "{e:?}");
                    }
                    State::Stale => {}
                }
            }
            prop_assert!(c.slots.iter().flatten().count() <= 2);
            for (state, hw) in (0..6).filter_map(|i| c.lookup(addr(i))) {
                prop_assert_eq!(state == State::Incomplete, hw.is_none());
            }
        }
    }
}
