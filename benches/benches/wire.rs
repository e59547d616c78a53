//! Wire-layer benches: each group measures one thing on one input, with our function
//! under the id `rayos` and each peer crate under its own crate name.
//!
//! Groups:
//! - `checksum/<len>`: the RFC 1071 ones'-complement sum (not yet inverted) over `len`
//!   pseudo-random bytes: 20 (an IPv4 header without options), 64 (a minimum Ethernet
//!   payload), 1500 (a standard MTU) and 9000 (a jumbo frame). Peers:
//!   `smoltcp::wire::checksum::data` (the public re-export of smoltcp's
//!   `wire::ip::checksum`, a `pub(crate)` module) and etherparse's
//!   `checksum::Sum16BitWords::add_slice`.
//!
//! Run one family with `cargo bench -p rayos-net-benches --bench wire -- checksum`.

use core::hint::black_box;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayos_net_benches::payload;

// The three implementations of "sum of `bytes` as big-endian 16-bit words, folded".

fn rayos_sum(bytes: &[u8]) -> u16 {
    netstack::wire::checksum::data(bytes)
}

fn smoltcp_sum(bytes: &[u8]) -> u16 {
    smoltcp::wire::checksum::data(bytes)
}

fn etherparse_sum(bytes: &[u8]) -> u16 {
    // etherparse returns the inverted sum in native byte order; undo both.
    let inverted_ne = etherparse::checksum::Sum16BitWords::new()
        .add_slice(bytes)
        .ones_complement();
    u16::from_be(!inverted_ne)
}

/// One `checksum/<len>` group: the same bytes for every implementation.
fn checksum_group(c: &mut Criterion, len: usize) {
    let bytes = payload(len);
    // Compare like with like: every implementation must give the same sum. (0x0000 and
    // 0xffff are the same ones'-complement value, but only an all-zero input can give
    // 0x0000, and the payload is not all zeros.)
    let want = rayos_sum(&bytes);
    assert_eq!(
        smoltcp_sum(&bytes),
        want,
        "smoltcp disagrees at {len} bytes"
    );
    assert_eq!(
        etherparse_sum(&bytes),
        want,
        "etherparse disagrees at {len} bytes"
    );

    let mut group = c.benchmark_group(format!("checksum/{len}"));
    group.throughput(Throughput::Bytes(len as u64));
    group.bench_function("rayos", |b| b.iter(|| rayos_sum(black_box(&bytes))));
    group.bench_function("smoltcp", |b| b.iter(|| smoltcp_sum(black_box(&bytes))));
    group.bench_function("etherparse", |b| {
        b.iter(|| etherparse_sum(black_box(&bytes)))
    });
    group.finish();
}

fn checksum_20(c: &mut Criterion) {
    checksum_group(c, 20);
}

fn checksum_64(c: &mut Criterion) {
    checksum_group(c, 64);
}

fn checksum_1500(c: &mut Criterion) {
    checksum_group(c, 1500);
}

fn checksum_9000(c: &mut Criterion) {
    checksum_group(c, 9000);
}

criterion_group!(
    benches,
    checksum_20,
    checksum_64,
    checksum_1500,
    checksum_9000
);
criterion_main!(benches);
