extern crate alloc;
use super::*;
use alloc::vec::Vec;
use proptest::prelude::*;

/// The reference: every prefix scanned, the longest containing one kept.
fn naive<C: Copy + PartialEq>(
    routes: &[(C, u32)],
    contains: impl Fn(&C) -> bool,
    len: impl Fn(&C) -> u8,
) -> Option<u32> {
    routes
        .iter()
        .filter(|(c, _)| contains(c))
        .max_by_key(|(c, _)| len(c))
        .map(|(_, v)| *v)
}

/// Addresses that vary in few bits, spread over every level, so that random
/// prefixes nest and collide.
const V4_MASK: u32 = 0xC1C3_8707;
const V6_MASK: u128 =
    0xC000_0000_0000_0000_0000_0000_0000_0000 | 0x0183_0000_0c07_0000_00f0_0000_8000_0303;

fn v4_addr() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        4 => any::<u32>().prop_map(|b| Ipv4Addr::from_bits(b & V4_MASK)),
        1 => any::<u32>().prop_map(Ipv4Addr::from_bits),
    ]
}

fn v6_addr() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        4 => any::<u128>().prop_map(|b| Ipv6Addr::from_bits(b & V6_MASK)),
        1 => any::<u128>().prop_map(Ipv6Addr::from_bits),
    ]
}

fn v4_cidr() -> impl Strategy<Value = Ipv4Cidr> {
    (v4_addr(), 0u8..=32).prop_map(|(a, l)| Ipv4Cidr::new(a, l).unwrap())
}

fn v6_cidr() -> impl Strategy<Value = Ipv6Cidr> {
    (v6_addr(), 0u8..=128).prop_map(|(a, l)| Ipv6Cidr::new(a, l).unwrap())
}

macro_rules! against_naive {
    ($name:ident, $table:ident, $cidr:expr, $addr:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn $name(
                // Values from a small range half the time, so that prefixes share them.
                ops in proptest::collection::vec((0u8..3, $cidr, prop_oneof![0u32..4, any::<u32>()]), 0..60),
                probes in proptest::collection::vec($addr, 1..40),
            ) {
                let mut t: $table<u32> = $table::new();
                let mut reference = Vec::new();
                for (op, cidr, v) in ops {
                    if op < 2 {
                        let old = reference.iter().position(|(c, _)| *c == cidr);
                        let expected = old.map(|i| reference[i].1);
                        prop_assert_eq!(t.insert(cidr, v), Ok(expected));
                        match old {
                            Some(i) => reference[i].1 = v,
                            None => reference.push((cidr, v)),
                        }
                    } else {
                        // Half of the removes hit a present prefix.
                        let target = if v % 2 == 0 && !reference.is_empty() {
                            reference[v as usize % reference.len()].0
                        } else {
                            cidr
                        };
                        let old = reference.iter().position(|(c, _)| *c == target);
                        let expected = old.map(|i| reference.remove(i).1);
                        prop_assert_eq!(t.remove(target), expected);
                    }
                    prop_assert_eq!(t.len(), reference.len());
                    for &a in &probes {
                        let want = naive(&reference, |c| c.contains(a), |c| c.prefix_len());
                        prop_assert_eq!(t.lookup(a).copied(), want, "address {}", a);
                    }
                    for &(c, _) in &reference {
                        let a = c.address();
                        let want = naive(&reference, |r| r.contains(a), |r| r.prefix_len());
                        prop_assert_eq!(t.lookup(a).copied(), want, "address {}", a);
                    }
                }
                let mut listed: Vec<_> = t.iter().map(|(c, v)| (c, *v)).collect();
                reference.sort();
                let sorted = listed.windows(2).all(|w| w[0].0 <= w[1].0);
                prop_assert!(sorted);
                listed.sort();
                prop_assert_eq!(&listed, &reference);
                // A table built in one go answers the same.
                let bulk: $table<u32> = reference.iter().copied().collect();
                // And one extended twice (the second into a non-empty table).
                let mut halves: $table<u32> = $table::new();
                let (a, b) = reference.split_at(reference.len() / 2);
                prop_assert_eq!(halves.extend(a.iter().copied()), Ok(()));
                prop_assert_eq!(halves.extend(b.iter().copied()), Ok(()));
                prop_assert_eq!(halves.len(), reference.len());
                for &a in &probes {
                    prop_assert_eq!(bulk.lookup(a), t.lookup(a));
                    prop_assert_eq!(halves.lookup(a), t.lookup(a));
                }
            }
        }
    };
}

against_naive!(v4_matches_naive_lpm, Ipv4Table, v4_cidr(), v4_addr());
against_naive!(v6_matches_naive_lpm, Ipv6Table, v6_cidr(), v6_addr());

#[test]
fn default_route_and_host_routes() {
    let mut t: Ipv4Table<u32> = Ipv4Table::new();
    let c = |s: &str| s.parse::<Ipv4Cidr>().unwrap();
    let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
    assert_eq!(t.lookup(a("1.2.3.4")), None);
    t.insert(c("0.0.0.0/0"), 0).unwrap();
    t.insert(c("1.2.3.4/32"), 1).unwrap();
    t.insert(c("1.2.3.0/31"), 2).unwrap();
    t.insert(c("255.255.255.255/32"), 3).unwrap();
    assert_eq!(t.lookup(a("1.2.3.4")), Some(&1));
    assert_eq!(t.lookup(a("1.2.3.5")), Some(&0));
    assert_eq!(t.lookup(a("1.2.3.1")), Some(&2));
    assert_eq!(t.lookup(a("255.255.255.255")), Some(&3));
    assert_eq!(t.lookup(a("255.255.255.254")), Some(&0));
    assert_eq!(t.get(c("1.2.3.0/31")), Some(&2));
    assert_eq!(t.remove(c("0.0.0.0/0")), Some(0));
    assert_eq!(t.lookup(a("1.2.3.5")), None);
    assert_eq!(t.lookup(a("1.2.3.4")), Some(&1));
}

#[test]
fn v6_full_length() {
    let mut t: Ipv6Table<u32> = Ipv6Table::new();
    let c = |s: &str| s.parse::<Ipv6Cidr>().unwrap();
    let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
    t.insert(c("2001:db8::/32"), 1).unwrap();
    t.insert(c("2001:db8::ffff/128"), 2).unwrap();
    t.insert(c("2001:db8::fffe/127"), 3).unwrap();
    assert_eq!(t.lookup(a("2001:db8::ffff")), Some(&2));
    assert_eq!(t.lookup(a("2001:db8::fffe")), Some(&3));
    assert_eq!(t.lookup(a("2001:db8::fffd")), Some(&1));
    assert_eq!(t.lookup(a("2001:db9::")), None);
}

#[test]
fn churn_compacts() {
    let mut t: Ipv4Table<u32> = Ipv4Table::new();
    let c = |i: u32| Ipv4Cidr::new(Ipv4Addr::from_bits(0x0a00_0000 | (i << 8)), 24).unwrap();
    for i in 0..2000 {
        t.insert(c(i), i).unwrap();
    }
    let full = t.memory_bytes();
    for round in 0..5 {
        for i in 0..2000 {
            assert_eq!(t.remove(c(i)), Some(i + round * 10_000));
            t.insert(c(i), i + (round + 1) * 10_000).unwrap();
        }
    }
    // The garbage of rebuilt subtrees is reclaimed: no unbounded growth.
    assert!(t.inner.garbage <= t.inner.nodes.len() + t.inner.leaves.len());
    assert!(
        t.memory_bytes() < 4 * full,
        "{} vs {}",
        t.memory_bytes(),
        full
    );
    assert_eq!(t.lookup(Ipv4Addr::new(10, 0, 5, 1)), Some(&(5 + 50_000)));
}

#[test]
fn equal_values_share_a_slot_and_are_released_with_their_last_prefix() {
    use core::net::Ipv4Addr;
    let cidr = |a: u32, len: u8| Ipv4Cidr::new(Ipv4Addr::from_bits(a), len).unwrap();
    // 4,096 /24s alternating between two next hops, as a FIB's routes do.
    let mut t: Ipv4Table<u8> = (0..4096u32)
        .map(|i| (cidr(0x0a00_0000 | i << 8, 24), (i % 2) as u8))
        .collect();
    assert_eq!(t.inner.values.len(), 2);
    assert_eq!(t.inner.refs, [2048, 2048]);
    assert_eq!(t.lookup(Ipv4Addr::new(10, 0, 3, 9)), Some(&1));
    // A new value for one prefix: a third slot, and the lookup follows.
    assert_eq!(t.insert(cidr(0x0a00_0300, 24), 7), Ok(Some(1)));
    assert_eq!(t.lookup(Ipv4Addr::new(10, 0, 3, 9)), Some(&7));
    assert_eq!(t.inner.values.len(), 3);
    // The same value again changes nothing.
    assert_eq!(t.insert(cidr(0x0a00_0300, 24), 7), Ok(Some(7)));
    assert_eq!(t.inner.refs, [2048, 2047, 1]);
    // Its only prefix removed, value 7's slot is free and reused.
    assert_eq!(t.remove(cidr(0x0a00_0300, 24)), Some(7));
    assert_eq!(t.lookup(Ipv4Addr::new(10, 0, 3, 9)), None);
    assert_eq!(t.inner.free, [2]);
    assert_eq!(t.insert(cidr(0x0b00_0000, 8), 9), Ok(None));
    assert_eq!(t.inner.values, [0, 1, 9]);
    assert_eq!(t.lookup(Ipv4Addr::new(11, 1, 2, 3)), Some(&9));
    assert_eq!(t.iter().count(), 4096);
}
