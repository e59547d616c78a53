//! Longest-prefix match over the full Internet table
//! (`../shared/data/routes/prefixes.txt.gz`: 901,899 IPv4 and 160,147 IPv6 prefixes).
//!
//! Each iteration looks up a batch of 1,024 addresses drawn from the table's own
//! prefixes (a random prefix, random host bits; seeded), so every lookup walks as deep
//! as the table makes it. `Throughput::Elements(1024)`: criterion reports lookups/s.
//!
//! - `rayos`: netstack's `route::Ipv4Table` / `Ipv6Table` (Poptrie), values `u32`.
//! - `prefix-trie`: `prefix_trie::PrefixMap` 0.10 over `ipnet` prefixes, `get_lpm` with
//!   a host prefix (/32 or /128).
//! - `treebitmap`: `ip_network_table-deps-treebitmap` 0.5 `IpLookupTable::longest_match`.
//!
//! The bench prints the bytes of our lookup structures once (`memory_bytes`).

use core::hint::black_box;
use core::net::{Ipv4Addr, Ipv6Addr};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ip_network_table_deps_treebitmap::IpLookupTable;
use ipnet::{Ipv4Net, Ipv6Net};
use netstack::route::{Ipv4Cidr, Ipv4Table, Ipv6Cidr, Ipv6Table};
use prefix_trie::PrefixMap;

mod routes;
use routes::{Rng, load};

const BATCH: usize = 1024;

fn bench_v4(c: &mut Criterion, v4: &[Ipv4Cidr]) {
    let ours: Ipv4Table<u32> = v4.iter().enumerate().map(|(i, &p)| (p, i as u32)).collect();
    eprintln!(
        "route: rayos Ipv4Table, {} prefixes: lookup structure {} bytes ({:.2} MiB)",
        ours.len(),
        ours.memory_bytes(),
        ours.memory_bytes() as f64 / (1024.0 * 1024.0)
    );
    let mut pt: PrefixMap<Ipv4Net, u32> = PrefixMap::new();
    let mut tb: IpLookupTable<Ipv4Addr, u32> = IpLookupTable::new();
    for (i, p) in v4.iter().enumerate() {
        pt.insert(
            Ipv4Net::new(p.address(), p.prefix_len()).expect("prefix"),
            i as u32,
        );
        tb.insert(p.address(), u32::from(p.prefix_len()), i as u32);
    }
    let mut rng = Rng(0x5eed_b004);
    let addrs: Vec<Ipv4Addr> = (0..BATCH)
        .map(|_| {
            let p = v4[rng.next() as usize % v4.len()];
            let host = (rng.next() as u32)
                .checked_shr(u32::from(p.prefix_len()))
                .unwrap_or(0);
            Ipv4Addr::from_bits(p.address().to_bits() | host)
        })
        .collect();
    let hosts: Vec<Ipv4Net> = addrs
        .iter()
        .map(|&a| Ipv4Net::new(a, 32).expect("/32"))
        .collect();
    // All three agree before anything is measured.
    for (&a, h) in addrs.iter().zip(&hosts) {
        let want = ours.lookup(a).copied();
        assert_eq!(pt.get_lpm(h).map(|(_, v)| *v), want, "{a}");
        assert_eq!(tb.longest_match(a).map(|(_, _, v)| *v), want, "{a}");
    }

    let mut g = c.benchmark_group("route/ipv4_full_table");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("rayos", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for &a in black_box(&addrs) {
                sum = sum.wrapping_add(ours.lookup(a).copied().unwrap_or(0));
            }
            sum
        })
    });
    g.bench_function("prefix-trie", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for h in black_box(&hosts) {
                sum = sum.wrapping_add(pt.get_lpm(h).map_or(0, |(_, v)| *v));
            }
            sum
        })
    });
    g.bench_function("treebitmap", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for &a in black_box(&addrs) {
                sum = sum.wrapping_add(tb.longest_match(a).map_or(0, |(_, _, v)| *v));
            }
            sum
        })
    });
    g.finish();
}

fn bench_v6(c: &mut Criterion, v6: &[Ipv6Cidr]) {
    let ours: Ipv6Table<u32> = v6.iter().enumerate().map(|(i, &p)| (p, i as u32)).collect();
    eprintln!(
        "route: rayos Ipv6Table, {} prefixes: lookup structure {} bytes ({:.2} MiB)",
        ours.len(),
        ours.memory_bytes(),
        ours.memory_bytes() as f64 / (1024.0 * 1024.0)
    );
    let mut pt: PrefixMap<Ipv6Net, u32> = PrefixMap::new();
    let mut tb: IpLookupTable<Ipv6Addr, u32> = IpLookupTable::new();
    for (i, p) in v6.iter().enumerate() {
        pt.insert(
            Ipv6Net::new(p.address(), p.prefix_len()).expect("prefix"),
            i as u32,
        );
        tb.insert(p.address(), u32::from(p.prefix_len()), i as u32);
    }
    let mut rng = Rng(0x5eed_b006);
    let addrs: Vec<Ipv6Addr> = (0..BATCH)
        .map(|_| {
            let p = v6[rng.next() as usize % v6.len()];
            let r = (u128::from(rng.next()) << 64) | u128::from(rng.next());
            let host = r.checked_shr(u32::from(p.prefix_len())).unwrap_or(0);
            Ipv6Addr::from_bits(p.address().to_bits() | host)
        })
        .collect();
    let hosts: Vec<Ipv6Net> = addrs
        .iter()
        .map(|&a| Ipv6Net::new(a, 128).expect("/128"))
        .collect();
    for (&a, h) in addrs.iter().zip(&hosts) {
        let want = ours.lookup(a).copied();
        assert_eq!(pt.get_lpm(h).map(|(_, v)| *v), want, "{a}");
        assert_eq!(tb.longest_match(a).map(|(_, _, v)| *v), want, "{a}");
    }

    let mut g = c.benchmark_group("route/ipv6_full_table");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("rayos", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for &a in black_box(&addrs) {
                sum = sum.wrapping_add(ours.lookup(a).copied().unwrap_or(0));
            }
            sum
        })
    });
    g.bench_function("prefix-trie", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for h in black_box(&hosts) {
                sum = sum.wrapping_add(pt.get_lpm(h).map_or(0, |(_, v)| *v));
            }
            sum
        })
    });
    g.bench_function("treebitmap", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for &a in black_box(&addrs) {
                sum = sum.wrapping_add(tb.longest_match(a).map_or(0, |(_, _, v)| *v));
            }
            sum
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let (v4, v6) = load();
    bench_v4(c, &v4);
    bench_v6(c, &v6);
}

criterion_group!(route, benches);
criterion_main!(route);
