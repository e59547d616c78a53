//! The full Internet table (`../shared/data/routes/prefixes.txt.gz`, 901,899 IPv4 and
//! 160,147 IPv6 prefixes) loaded into `Ipv4Table` and `Ipv6Table`, checked against a
//! reference on seeded random addresses: half drawn uniformly from the whole address
//! space, half inside random prefixes of the table with random host bits.
//!
//! The reference looks each address up in one hash map per prefix length, longest
//! first. Optimized builds check 1,000,000 addresses per family; debug builds (plain
//! `cargo test`) check 100,000 so the test stays well under 30 s.
//!
//! Needs the `alloc` feature: `cargo test -p rayos-netstack --features alloc`.
#![cfg(feature = "alloc")]

use core::net::{Ipv4Addr, Ipv6Addr};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;

use netstack::route::{Ipv4Cidr, Ipv4Table, Ipv6Cidr, Ipv6Table};

fn checks() -> usize {
    if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    }
}

fn load() -> (Vec<Ipv4Cidr>, Vec<Ipv6Cidr>) {
    // `../shared` beside the repository root; `RAYOS_ROUTES` overrides it (a git
    // worktree one level further down finds it one more `..` up).
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("RAYOS_ROUTES").map(PathBuf::from),
        Some(manifest.join("../../shared/data/routes/prefixes.txt.gz")),
        Some(manifest.join("../../../shared/data/routes/prefixes.txt.gz")),
    ];
    let path = candidates
        .iter()
        .flatten()
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "the full routing table is missing: expected ../shared/data/routes/prefixes.txt.gz \
             beside the repository root ({}), or a path in RAYOS_ROUTES",
                manifest
                    .join("../../shared/data/routes/prefixes.txt.gz")
                    .display()
            )
        });
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gunzip prefixes.txt.gz");
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.contains(':') {
            v6.push(
                line.parse::<Ipv6Cidr>()
                    .unwrap_or_else(|e| panic!("{line}: {e}")),
            );
        } else {
            v4.push(
                line.parse::<Ipv4Cidr>()
                    .unwrap_or_else(|e| panic!("{line}: {e}")),
            );
        }
    }
    (v4, v6)
}

/// SplitMix64: a seeded generator, good enough to pick test addresses.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn full_table_matches_reference() {
    let (v4, v6) = load();
    assert_eq!(v4.len(), 901_899);
    assert_eq!(v6.len(), 160_147);

    // IPv4: value = index of the prefix in the file.
    let t4: Ipv4Table<u32> = v4.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    let mut by_len4: Vec<HashMap<u32, u32>> = vec![HashMap::new(); 33];
    for (i, c) in v4.iter().enumerate() {
        by_len4[c.prefix_len() as usize].insert(c.address().to_bits(), i as u32);
    }
    assert_eq!(t4.len(), by_len4.iter().map(HashMap::len).sum::<usize>());
    assert_eq!(t4.iter().count(), t4.len());
    eprintln!(
        "IPv4 table: {} prefixes, lookup structure {} bytes",
        t4.len(),
        t4.memory_bytes()
    );
    let reference4 = |a: u32| {
        (0..=32u32).rev().find_map(|len| {
            let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            by_len4[len as usize].get(&(a & m)).copied()
        })
    };
    let mut rng = Rng(0x5eed_0004);
    let mut hits = 0;
    for n in 0..checks() {
        let r = rng.next();
        let a = if n % 2 == 0 {
            r as u32
        } else {
            let c = v4[(r >> 32) as usize % v4.len()];
            let host = if c.prefix_len() == 32 {
                0
            } else {
                (r as u32) >> c.prefix_len()
            };
            c.address().to_bits() | host
        };
        let want = reference4(a);
        hits += usize::from(want.is_some());
        assert_eq!(
            t4.lookup(Ipv4Addr::from_bits(a)).copied(),
            want,
            "{}",
            Ipv4Addr::from_bits(a)
        );
    }
    assert!(
        hits > checks() / 2,
        "too few addresses matched a route: {hits}"
    );

    // IPv6.
    let t6: Ipv6Table<u32> = v6.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    let mut by_len6: Vec<HashMap<u128, u32>> = vec![HashMap::new(); 129];
    for (i, c) in v6.iter().enumerate() {
        by_len6[c.prefix_len() as usize].insert(c.address().to_bits(), i as u32);
    }
    assert_eq!(t6.len(), by_len6.iter().map(HashMap::len).sum::<usize>());
    eprintln!(
        "IPv6 table: {} prefixes, lookup structure {} bytes",
        t6.len(),
        t6.memory_bytes()
    );
    let reference6 = |a: u128| {
        (0..=128u32).rev().find_map(|len| {
            let m = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            by_len6[len as usize].get(&(a & m)).copied()
        })
    };
    for n in 0..checks() {
        let r = (u128::from(rng.next()) << 64) | u128::from(rng.next());
        let a = if n % 2 == 0 {
            r
        } else {
            let c = v6[(r >> 96) as usize % v6.len()];
            let host = if c.prefix_len() == 128 {
                0
            } else {
                r >> c.prefix_len()
            };
            c.address().to_bits() | host
        };
        assert_eq!(
            t6.lookup(Ipv6Addr::from_bits(a)).copied(),
            reference6(a),
            "{}",
            Ipv6Addr::from_bits(a)
        );
    }
}

#[test]
fn full_table_removes() {
    let (v4, _) = load();
    let mut t: Ipv4Table<u32> = v4.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    // Remove every 97th prefix one by one (incremental subtree rebuilds), then compare
    // against a table built from the rest in one go.
    let removed: Vec<Ipv4Cidr> = v4
        .iter()
        .copied()
        .step_by(97)
        .take(if cfg!(debug_assertions) { 300 } else { 5000 })
        .collect();
    for &c in &removed {
        assert!(t.remove(c).is_some(), "{c}");
    }
    let gone: HashSet<Ipv4Cidr> = removed.iter().copied().collect();
    let rest: Ipv4Table<u32> = v4
        .iter()
        .enumerate()
        .filter(|(_, c)| !gone.contains(c))
        .map(|(i, &c)| (c, i as u32))
        .collect();
    assert_eq!(t.len(), rest.len());
    let mut rng = Rng(0x5eed_0005);
    for _ in 0..checks() / 10 {
        let c = removed[rng.next() as usize % removed.len()];
        let host = (rng.next() as u32)
            .checked_shr(u32::from(c.prefix_len()))
            .unwrap_or(0);
        let a = Ipv4Addr::from_bits(c.address().to_bits() | host);
        assert_eq!(t.lookup(a), rest.lookup(a), "{a}");
    }
}

/// A forwarding table as a router holds it: every prefix routed to one of a few next
/// hops (here 8, assigned by a hash of the prefix, the least favourable case for the
/// leaf compression). Values are interned, so the lookup structure holds 8 routes,
/// not 901,899, and fits the 16 MiB.
#[test]
fn fib_with_few_next_hops_fits_16_mib() {
    use core::net::{IpAddr, Ipv4Addr};
    use netstack::route::{InterfaceId, Route};
    let (v4, _) = load();
    let hops: Vec<Route> = (0..8u8)
        .map(|i| Route {
            next_hop: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, i + 1))),
            interface: InterfaceId(u16::from(i % 2)),
            metric: 0,
        })
        .collect();
    let t: Ipv4Table<Route> = v4
        .iter()
        .map(|&c| {
            let h =
                (c.address().to_bits() ^ u32::from(c.prefix_len())).wrapping_mul(0x9e37_79b9) >> 29;
            (c, hops[h as usize])
        })
        .collect();
    let bytes = t.memory_bytes();
    eprintln!(
        "IPv4 FIB, 8 next hops: lookup structure {bytes} bytes ({:.2} MiB)",
        bytes as f64 / 1048576.0
    );
    assert!(bytes <= 16 << 20, "{bytes} bytes");
    // Every prefix kept its own next hop (the lookup itself is checked against the
    // reference above; interning must not change which value a prefix has).
    for (i, (c, r)) in t.iter().enumerate() {
        let h = (c.address().to_bits() ^ u32::from(c.prefix_len())).wrapping_mul(0x9e37_79b9) >> 29;
        assert_eq!(*r, hops[h as usize], "prefix {i}: {c}");
    }
}
