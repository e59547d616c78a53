//! A fixed-capacity routing table for both families, with no allocator.

use core::net::IpAddr;

use super::{InsertError, IpCidr, Route};

/// A routing table of at most `N` prefixes of either family, with no allocator.
///
/// Entries are kept packed and sorted by prefix length, longest first (ties in
/// insertion order), so the first entry that contains an address is its longest
/// match. Complexity, with `n` the number of entries: [`lookup`](Self::lookup) is
/// `O(n)` and stops at the first match; [`insert`](Self::insert) and
/// [`remove`](Self::remove) are `O(n)` (a scan and a shift). That is the right trade
/// for the tens of routes of an embedded target.
///
/// The table maps each prefix to one value `V` (by default a [`Route`]).
#[derive(Debug, Clone)]
pub struct FixedTable<const N: usize, V: Copy = Route> {
    entries: [Option<(IpCidr, V)>; N],
    len: usize,
}

impl<const N: usize, V: Copy> Default for FixedTable<N, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, V: Copy> FixedTable<N, V> {
    /// An empty table.
    pub const fn new() -> Self {
        Self {
            entries: [None; N],
            len: 0,
        }
    }

    /// The number of prefixes in the table.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    fn live(&self) -> &[Option<(IpCidr, V)>] {
        self.entries.get(..self.len).unwrap_or(&[])
    }

    fn position(&self, cidr: IpCidr) -> Option<usize> {
        self.live()
            .iter()
            .position(|e| matches!(e, Some((c, _)) if *c == cidr))
    }

    /// Maps `cidr` to `value`; returns the value it replaced, if the prefix was
    /// already present. Fails with [`InsertError::Full`] when a new prefix does not fit.
    pub fn insert(&mut self, cidr: IpCidr, value: V) -> Result<Option<V>, InsertError> {
        if let Some(i) = self.position(cidr) {
            let old = self
                .entries
                .get_mut(i)
                .and_then(|e| e.replace((cidr, value)));
            return Ok(old.map(|(_, v)| v));
        }
        if self.len >= N {
            return Err(InsertError::Full { capacity: N });
        }
        let at = self
            .live()
            .iter()
            .position(|e| matches!(e, Some((c, _)) if c.prefix_len() < cidr.prefix_len()))
            .unwrap_or(self.len);
        if let Some(tail) = self.entries.get_mut(at..=self.len) {
            tail.rotate_right(1);
            if let Some(slot) = tail.first_mut() {
                *slot = Some((cidr, value));
            }
            self.len += 1;
        }
        Ok(None)
    }

    /// Removes `cidr`; returns its value if it was present.
    pub fn remove(&mut self, cidr: IpCidr) -> Option<V> {
        let i = self.position(cidr)?;
        let tail = self.entries.get_mut(i..self.len)?;
        let old = tail.first_mut().and_then(Option::take);
        tail.rotate_left(1);
        self.len -= 1;
        old.map(|(_, v)| v)
    }

    /// The value of exactly `cidr`, if present.
    pub fn get(&self, cidr: IpCidr) -> Option<&V> {
        self.live().iter().find_map(|e| match e {
            Some((c, v)) if *c == cidr => Some(v),
            _ => None,
        })
    }

    /// The longest prefix that contains `addr`, with its value.
    pub fn lookup_prefix(&self, addr: IpAddr) -> Option<(IpCidr, &V)> {
        self.live().iter().find_map(|e| match e {
            Some((c, v)) if c.contains(addr) => Some((*c, v)),
            _ => None,
        })
    }

    /// The value of the longest prefix that contains `addr`.
    pub fn lookup(&self, addr: IpAddr) -> Option<&V> {
        self.lookup_prefix(addr).map(|(_, v)| v)
    }

    /// The prefixes and their values, longest prefix first.
    pub fn iter(&self) -> impl Iterator<Item = (IpCidr, &V)> + '_ {
        self.live()
            .iter()
            .filter_map(|e| e.as_ref().map(|(c, v)| (*c, v)))
    }

    /// Removes every prefix.
    pub fn clear(&mut self) {
        self.entries = [None; N];
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{InterfaceId, Ipv4Cidr, Ipv6Cidr};
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;
    extern crate alloc;
    use alloc::vec::Vec;

    fn c(s: &str) -> IpCidr {
        s.parse().unwrap()
    }

    #[test]
    fn longest_match_insert_remove() {
        let mut t: FixedTable<4, u32> = FixedTable::new();
        assert_eq!(t.insert(c("10.0.0.0/8"), 1), Ok(None));
        assert_eq!(t.insert(c("10.1.0.0/16"), 2), Ok(None));
        assert_eq!(t.insert(c("0.0.0.0/0"), 3), Ok(None));
        assert_eq!(t.insert(c("::/0"), 4), Ok(None));
        assert_eq!(t.insert(c("10.1.0.0/16"), 5), Ok(Some(2)));
        assert_eq!(
            t.insert(c("10.2.0.0/16"), 6),
            Err(InsertError::Full { capacity: 4 })
        );
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(t.lookup(a("10.1.2.3")), Some(&5));
        assert_eq!(t.lookup(a("10.2.2.3")), Some(&1));
        assert_eq!(t.lookup(a("11.0.0.1")), Some(&3));
        assert_eq!(t.lookup(a("2001:db8::1")), Some(&4));
        assert_eq!(t.remove(c("10.0.0.0/8")), Some(1));
        assert_eq!(t.remove(c("10.0.0.0/8")), None);
        assert_eq!(t.lookup(a("10.2.2.3")), Some(&3));
        assert_eq!(t.len(), 3);
        let lens: Vec<u8> = t.iter().map(|(c, _)| c.prefix_len()).collect();
        assert_eq!(lens, [16, 0, 0]);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.lookup(a("10.1.2.3")), None);
    }

    #[test]
    fn zero_capacity() {
        let mut t: FixedTable<0> = FixedTable::new();
        let r = Route {
            next_hop: None,
            interface: InterfaceId(0),
            metric: 0,
        };
        assert_eq!(
            t.insert(c("::/0"), r),
            Err(InsertError::Full { capacity: 0 })
        );
        assert_eq!(t.lookup(IpAddr::V6(Ipv6Addr::LOCALHOST)), None);
        assert_eq!(t.remove(c("::/0")), None);
    }

    /// The reference: every prefix scanned, the longest containing one kept.
    fn naive(routes: &[(IpCidr, u32)], addr: IpAddr) -> Option<u32> {
        routes
            .iter()
            .filter(|(c, _)| c.contains(addr))
            .max_by_key(|(c, _)| c.prefix_len())
            .map(|(_, v)| *v)
    }

    /// Prefixes clustered in a few short top bit patterns so that they nest.
    fn cidr() -> impl Strategy<Value = IpCidr> {
        prop_oneof![
            (0u32..4, any::<u32>(), 0u8..=32).prop_map(|(top, low, len)| {
                IpCidr::V4(
                    Ipv4Cidr::new(Ipv4Addr::from_bits((top << 30) | (low >> 2)), len).unwrap(),
                )
            }),
            (0u128..4, any::<u128>(), 0u8..=128).prop_map(|(top, low, len)| {
                IpCidr::V6(
                    Ipv6Cidr::new(Ipv6Addr::from_bits((top << 126) | (low >> 2)), len).unwrap(),
                )
            }),
        ]
    }

    fn addr() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            (0u32..4, any::<u32>())
                .prop_map(|(t, l)| IpAddr::V4(Ipv4Addr::from_bits((t << 30) | (l >> 2)))),
            (0u128..4, any::<u128>())
                .prop_map(|(t, l)| IpAddr::V6(Ipv6Addr::from_bits((t << 126) | (l >> 2)))),
        ]
    }

    proptest! {
        #[test]
        fn matches_naive_lpm(
            ops in proptest::collection::vec((any::<bool>(), cidr(), any::<u32>()), 0..80),
            probes in proptest::collection::vec(addr(), 1..40),
        ) {
            let mut t: FixedTable<32, u32> = FixedTable::new();
            let mut reference: Vec<(IpCidr, u32)> = Vec::new();
            for (insert, cidr, v) in ops {
                // Removes pick an existing prefix half of the time.
                if insert {
                    let r = t.insert(cidr, v);
                    let old = reference.iter().position(|(c, _)| *c == cidr);
                    match old {
                        Some(i) => {
                            prop_assert_eq!(r, Ok(Some(reference[i].1)));
                            reference[i].1 = v;
                        }
                        None if reference.len() == 32 => {
                            prop_assert_eq!(r, Err(InsertError::Full { capacity: 32 }));
                        }
                        None => {
                            prop_assert_eq!(r, Ok(None));
                            reference.push((cidr, v));
                        }
                    }
                } else {
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
                    prop_assert_eq!(t.lookup(a).copied(), naive(&reference, a));
                }
            }
            let mut listed: Vec<(IpCidr, u32)> = t.iter().map(|(c, v)| (c, *v)).collect();
            listed.sort();
            reference.sort();
            prop_assert_eq!(listed, reference);
        }
    }
}
