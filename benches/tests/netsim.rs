//! The netsim harness with smoltcp 0.14 on both hosts: the 32 KiB / 5% cell of
//! smoltcp's table, and the parts of the harness on their own.

use core::time::Duration;

use rayos_net_benches::netsim::{
    FNV1A_INIT, FlowSpec, Sink, Source, Wire, fnv1a, smoltcp_flow, stream,
};

/// 10 MiB through 32 KiB socket buffers, 5% loss each way, RTT 100 ms: every byte
/// arrives, in order, and the link really lost frames both ways.
#[test]
fn smoltcp_32k_5pct_delivers_the_stream() {
    let spec = FlowSpec::netsim(32 * 1024, 0.05);
    let r = smoltcp_flow(&spec);
    assert!(r.completed, "{r:?}");
    assert!(r.received >= spec.bytes, "{r:?}");
    assert_eq!(r.first_mismatch, None, "a byte differs from the stream");
    // The hash of what A read against the hash of the same length of the stream,
    // computed here from scratch.
    let mut expected = vec![0; usize::try_from(r.received).expect("fits")];
    stream(0, &mut expected);
    assert_eq!(r.hash, fnv1a(FNV1A_INIT, &expected));
    assert!(r.throughput > 0.0);
    assert!(r.elapsed > Duration::ZERO);
    // B's data frames carried the stream: more bytes than A read (headers and
    // retransmissions), none of them lost to a full queue (it is unlimited).
    assert!(r.b_to_a.bytes > r.received, "{r:?}");
    assert_eq!((r.a_to_b.tail_drops, r.b_to_a.tail_drops), (0, 0));
    assert_eq!((r.a_to_b.oversize, r.b_to_a.oversize), (0, 0));
    // 5% loss: the frames lost each way are within 3% and 7% of those sent.
    for (dir, s) in [("A->B", r.a_to_b), ("B->A", r.b_to_a)] {
        let rate = s.lost as f64 / s.frames as f64;
        assert!((0.03..0.07).contains(&rate), "{dir}: {s:?}");
    }
}

/// The harness draws the same losses in the same order as smoltcp's own
/// `tests/netsim.rs`, so smoltcp 0.14 gives the number of that cell of its committed
/// snapshot (`tests/snapshots/netsim__netsim.snap`: 76626.48 B/s for 32768 / 0.050).
/// If this fails after a smoltcp upgrade, compare with the new snapshot: the
/// comparison's baseline has moved.
#[test]
fn smoltcp_matches_its_own_snapshot() {
    let r = smoltcp_flow(&FlowSpec::netsim(32 * 1024, 0.05));
    assert_eq!(format!("{:.2}", r.throughput), "76626.48", "{r:?}");
}

#[test]
fn stream_is_the_same_from_any_offset() {
    let mut whole = vec![0; 100];
    stream(0, &mut whole);
    for start in 0..20 {
        let mut part = vec![0; 37];
        stream(start as u64, &mut part);
        assert_eq!(part, whole[start..start + 37]);
    }
    // Not a short period: no 8-byte word repeats in the first 64 KiB.
    let mut big = vec![0; 64 * 1024];
    stream(0, &mut big);
    let words: std::collections::HashSet<&[u8]> = big.chunks(8).collect();
    assert_eq!(words.len(), big.len() / 8);
}

#[test]
fn sink_finds_a_wrong_byte_and_source_continues_the_stream() {
    let mut source = Source::new();
    let mut a = vec![0; 1000];
    let mut b = vec![0; 500];
    source.fill(&mut a);
    source.fill(&mut b);
    assert_eq!(source.written(), 1500);

    let mut good = Sink::new();
    good.write(&a);
    good.write(&b);
    assert_eq!(good.first_mismatch(), None);
    assert_eq!(good.received(), 1500);

    // Swapping the two pieces, or flipping one bit, is caught at the right offset.
    let mut swapped = Sink::new();
    swapped.write(&b);
    assert_eq!(swapped.first_mismatch(), Some(0));
    let mut flipped = Sink::new();
    b[123] ^= 1;
    flipped.write(&a);
    flipped.write(&b);
    assert_eq!(flipped.first_mismatch(), Some(1123));
    assert_ne!(flipped.hash(), good.hash());
}

#[test]
fn wire_delays_in_order_and_loses_at_its_rate() {
    let latency = Duration::from_millis(50);
    let mut wire = Wire::new(latency, 0.0, 0);
    wire.push(vec![1], Duration::from_millis(10));
    wire.push(vec![2], Duration::from_millis(10));
    wire.push(vec![3], Duration::from_millis(5));
    assert_eq!(wire.peek_arrival(), Some(Duration::from_millis(55)));
    assert_eq!(wire.pop_due(Duration::from_millis(54)), None);
    assert_eq!(wire.pop_due(Duration::from_millis(60)), Some(vec![3]));
    assert_eq!(wire.pop_due(Duration::from_millis(60)), Some(vec![1]));
    assert_eq!(wire.pop_due(Duration::from_millis(60)), Some(vec![2]));
    assert_eq!(wire.pop_due(Duration::from_millis(60)), None);

    let mut lossy = Wire::new(latency, 0.25, 7);
    for _ in 0..10_000 {
        lossy.push(vec![0], Duration::ZERO);
    }
    assert!((2_300..2_700).contains(&lossy.lost()), "{}", lossy.lost());
    let mut all = Wire::new(latency, 1.0, 7);
    all.push(vec![0], Duration::ZERO);
    assert_eq!((all.lost(), all.peek_arrival()), (1, None));
}
