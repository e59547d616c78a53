use super::super::Loopback;
use super::*;
extern crate alloc;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

type Dev = FaultInjector<Loopback<64, 1514>, 8, 1514>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn dev(config: FaultConfig, seed: u64) -> Dev {
    FaultInjector::new(Loopback::new(), config, seed)
}

/// Puts `frames` on the wrapped loopback (transmit passes through unchanged).
fn feed(d: &mut Dev, now: Duration, frames: &[Vec<u8>]) {
    let mut it = frames.iter();
    let sent = d.transmit(now, |buf| {
        let fr = it.next()?;
        buf.get_mut(..fr.len())?.copy_from_slice(fr);
        Some(fr.len())
    });
    assert_eq!(sent, frames.len());
}

fn take(d: &mut Dev, now: Duration) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let n = d.receive(now, |f| out.push(f.to_vec()));
    assert_eq!(n, out.len());
    out
}

/// Frame `i`: 60 bytes, every one `i`.
fn frame(i: u8) -> Vec<u8> {
    vec![i; 60]
}

fn frames(n: u8) -> Vec<Vec<u8>> {
    (0..n).map(frame).collect()
}

#[test]
fn splitmix64_reference_values() {
    // The first outputs for seed 0 of the reference C code (Vigna's splitmix64.c),
    // computed independently with Python:
    // z=(s+0x9e3779b97f4a7c15)&M; z=((z^(z>>30))*0xbf58476d1ce4e5b9)&M;
    // z=((z^(z>>27))*0x94d049bb133111eb)&M; z^(z>>31)
    let mut r = SplitMix64::new(0);
    assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
    assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    assert_eq!(r.next_u64(), 0x06c4_5d18_8009_454f);
    assert_eq!(SplitMix64::new(5).below(0), 0);
    let mut r = SplitMix64::new(1);
    assert!((0..1000).all(|_| r.below(7) < 7));
    assert!(!(0..1000).any(|_| r.chance(0.0)));
    assert!((0..1000).all(|_| r.chance(1.0)));
}

#[test]
fn default_config_passes_everything_unchanged() {
    let mut d = dev(FaultConfig::default(), 1);
    feed(&mut d, ms(0), &frames(10));
    assert_eq!(take(&mut d, ms(0)), frames(10));
    let s = d.stats();
    assert_eq!((s.received, s.delivered), (10, 10));
    assert_eq!(
        s,
        FaultStats {
            received: 10,
            delivered: 10,
            ..FaultStats::default()
        }
    );
}

/// Runs 200 frames through every fault at once; returns what came out and the counts.
fn run(seed: u64) -> (Vec<Vec<u8>>, FaultStats) {
    let config = FaultConfig {
        drop: 0.1,
        duplicate: 0.1,
        corrupt: 0.1,
        reorder: 0.1,
        delay: ms(0),
        jitter: ms(3),
        rate: Some(100_000),
        burst: 3_000,
    };
    let mut d = dev(config, seed);
    let mut out = Vec::new();
    for step in 0..20u8 {
        let now = ms(u64::from(step));
        feed(
            &mut d,
            now,
            &(0..10).map(|i| frame(step * 10 + i)).collect::<Vec<_>>(),
        );
        out.extend(take(&mut d, now));
    }
    out.extend(take(&mut d, ms(1_000)));
    (out, d.stats())
}

#[test]
fn same_seed_same_faults() {
    let (a, sa) = run(42);
    let (b, sb) = run(42);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    // Every kind of fault happened in this run, and the counts add up.
    assert!(
        sa.dropped > 0 && sa.duplicated > 0 && sa.corrupted > 0,
        "{sa:?}"
    );
    assert!(
        sa.reordered > 0 && sa.delayed > 0 && sa.rate_limited > 0,
        "{sa:?}"
    );
    assert_eq!(sa.received, 200);
    assert_eq!(
        sa.delivered + sa.overflow,
        sa.received - sa.dropped - sa.rate_limited + sa.duplicated
    );
    assert_eq!(sa.delivered as usize, a.len());
    let (c, sc) = run(43);
    assert!(a != c || sa != sc, "another seed, other faults");
}

#[test]
fn drop_all_and_drop_some() {
    let mut d = dev(
        FaultConfig {
            drop: 1.0,
            ..FaultConfig::default()
        },
        7,
    );
    feed(&mut d, ms(0), &frames(20));
    assert!(take(&mut d, ms(0)).is_empty());
    assert_eq!(d.stats().dropped, 20);

    let mut d = dev(
        FaultConfig {
            drop: 0.5,
            ..FaultConfig::default()
        },
        7,
    );
    let mut kept = 0;
    for _ in 0..16 {
        feed(&mut d, ms(0), &frames(64));
        kept += take(&mut d, ms(0)).len();
    }
    // 1024 frames at 0.5: the seed's outcome, and it is near half.
    assert_eq!(kept as u64 + d.stats().dropped, 1024);
    assert!((412..=612).contains(&kept), "{kept}");
}

#[test]
fn corrupt_flips_exactly_one_byte() {
    let mut d = dev(
        FaultConfig {
            corrupt: 1.0,
            ..FaultConfig::default()
        },
        9,
    );
    feed(&mut d, ms(0), &frames(30));
    let out = take(&mut d, ms(0));
    assert_eq!(out.len(), 30);
    for (i, f) in out.iter().enumerate() {
        let diff = f
            .iter()
            .zip(frame(i as u8))
            .filter(|(a, b)| **a != *b)
            .count();
        assert_eq!(diff, 1, "frame {i}");
    }
    assert_eq!(d.stats().corrupted, 30);
}

#[test]
fn duplicate_follows_its_original_even_if_the_caller_rewrites_it() {
    let mut d = dev(
        FaultConfig {
            duplicate: 1.0,
            ..FaultConfig::default()
        },
        3,
    );
    feed(&mut d, ms(0), &frames(3));
    let mut out = Vec::new();
    d.receive(ms(0), |f| {
        out.push(f.to_vec());
        f.fill(0xee);
    });
    assert_eq!(
        out,
        [frame(0), frame(0), frame(1), frame(1), frame(2), frame(2)]
    );
    assert_eq!(d.stats().duplicated, 3);
    assert_eq!(d.stats().delivered, 6);
}

#[test]
fn reorder_lets_the_next_frame_overtake() {
    let mut d = dev(
        FaultConfig {
            reorder: 1.0,
            ..FaultConfig::default()
        },
        3,
    );
    feed(&mut d, ms(0), &[frame(1)]);
    assert!(take(&mut d, ms(0)).is_empty());
    assert_eq!(d.held(), 1);
    d.set_config(FaultConfig::default());
    feed(&mut d, ms(0), &[frame(2), frame(3)]);
    assert_eq!(take(&mut d, ms(0)), [frame(2), frame(1), frame(3)]);
    assert_eq!(d.stats().reordered, 1);

    // With no later frame, it comes out at the next call at a later time.
    d.set_config(FaultConfig {
        reorder: 1.0,
        ..FaultConfig::default()
    });
    feed(&mut d, ms(5), &[frame(4)]);
    assert!(take(&mut d, ms(5)).is_empty());
    assert!(take(&mut d, ms(5)).is_empty());
    // A virtual clock advanced to poll_timeout gets it: no stall at the same instant.
    let next = d.poll_timeout().unwrap();
    assert_eq!(next, ms(5) + Duration::from_nanos(1));
    assert_eq!(take(&mut d, next), [frame(4)]);
    assert_eq!(d.poll_timeout(), None);
}

#[test]
fn delay_holds_frames_until_now_passes() {
    let mut d = dev(
        FaultConfig {
            delay: ms(10),
            ..FaultConfig::default()
        },
        3,
    );
    feed(&mut d, ms(100), &frames(3));
    assert!(take(&mut d, ms(100)).is_empty());
    assert_eq!(d.poll_timeout(), Some(ms(110)));
    assert!(take(&mut d, ms(109)).is_empty());
    assert_eq!(take(&mut d, ms(110)), frames(3));
    assert_eq!(d.poll_timeout(), None);
    assert_eq!(d.stats().delayed, 3);
}

#[test]
fn jitter_spreads_frames_within_its_bound() {
    let mut d = dev(
        FaultConfig {
            jitter: ms(20),
            ..FaultConfig::default()
        },
        11,
    );
    feed(&mut d, ms(0), &frames(8));
    let mut out = take(&mut d, ms(0));
    let mut t = 0;
    while out.len() < 8 && t <= 20 {
        t += 1;
        out.extend(take(&mut d, ms(t)));
    }
    assert!(t <= 20);
    let mut sorted = out.clone();
    sorted.sort();
    assert_eq!(sorted, frames(8));
    assert_ne!(out, frames(8), "seed 11 reorders some frames");
}

#[test]
fn rate_limit_is_a_token_bucket_in_bytes() {
    let config = FaultConfig {
        rate: Some(1_000),
        burst: 1_500,
        ..FaultConfig::default()
    };
    let mut d = dev(config, 0);
    let big = |i| vec![i; 600];
    feed(&mut d, ms(0), &[big(1), big(2), big(3)]);
    // 1500 bytes in the bucket: two frames of 600 pass, 300 remain.
    assert_eq!(take(&mut d, ms(0)), [big(1), big(2)]);
    assert_eq!(d.stats().rate_limited, 1);
    // Half a second adds 500 bytes: 800, one frame passes, 200 remain.
    feed(&mut d, ms(500), &[big(4), big(5)]);
    assert_eq!(take(&mut d, ms(500)), [big(4)]);
    // 0.4 s more: 600 exactly, enough.
    feed(&mut d, ms(900), &[big(6)]);
    assert_eq!(take(&mut d, ms(900)), [big(6)]);
    // A frame over the bucket size never passes.
    feed(&mut d, ms(60_000), &[vec![0; 1_501]]);
    assert!(take(&mut d, ms(60_000)).is_empty());
    assert_eq!(d.stats().rate_limited, 3);
}

#[test]
fn full_hold_slots_lose_frames_and_count_them() {
    let mut d = dev(
        FaultConfig {
            delay: ms(1),
            ..FaultConfig::default()
        },
        0,
    );
    feed(&mut d, ms(0), &frames(10));
    assert!(take(&mut d, ms(0)).is_empty());
    assert_eq!(d.stats().overflow, 2);
    assert_eq!(take(&mut d, ms(1)), frames(8));
}

#[test]
fn transmit_passes_through_and_capabilities_add_the_hold_slots() {
    let mut d = dev(
        FaultConfig {
            drop: 1.0,
            ..FaultConfig::default()
        },
        0,
    );
    feed(&mut d, ms(0), &frames(2));
    assert_eq!(d.get_ref().queued(), 2);
    assert_eq!(d.capabilities().max_burst, 64 + 8);
    assert_eq!(d.capabilities().mtu, 1514);
}

fn config() -> impl Strategy<Value = FaultConfig> {
    (
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
        (0u64..5, 0u64..5),
        proptest::option::of((0u64..100_000, 0u64..3_000)),
    )
        .prop_map(
            |((drop, duplicate, corrupt, reorder), (d, j), rate)| FaultConfig {
                drop,
                duplicate,
                corrupt,
                reorder,
                delay: ms(d),
                jitter: ms(j),
                rate: rate.map(|(r, _)| r),
                burst: rate.map_or(0, |(_, b)| b),
            },
        )
}

/// Feeds `batches` (one per millisecond), then drains; the output and the counts.
fn simulate(
    config: FaultConfig,
    seed: u64,
    batches: &[Vec<Vec<u8>>],
) -> (Vec<Vec<u8>>, FaultStats) {
    let mut d = dev(config, seed);
    let mut out = Vec::new();
    for (t, batch) in batches.iter().enumerate() {
        let now = ms(t as u64);
        feed(&mut d, now, batch);
        out.extend(take(&mut d, now));
    }
    // A virtual clock driven by poll_timeout empties the hold slots: each step
    // releases at least one frame, so at most 8 (the slots) steps.
    let mut now = ms(batches.len() as u64);
    for _ in 0..8 {
        let Some(t) = d.poll_timeout() else {
            break;
        };
        now = now.max(t);
        let before = d.held();
        out.extend(take(&mut d, now));
        assert!(d.held() < before, "poll_timeout {t:?} released nothing");
    }
    assert_eq!((d.held(), d.poll_timeout()), (0, None));
    (out, d.stats())
}

proptest! {
    /// Any configuration, any frames: no panic, nothing held forever, the counts add
    /// up, and the same seed gives the same run.
    #[test]
    fn any_config_is_deterministic_and_accounts_for_every_frame(
        config in config(),
        seed in any::<u64>(),
        batches in proptest::collection::vec(
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..8),
            0..10,
        ),
    ) {
        let (out, s) = simulate(config, seed, &batches);
        let total: usize = batches.iter().map(Vec::len).sum();
        prop_assert_eq!(s.received, total as u64);
        prop_assert_eq!(s.delivered as usize, out.len());
        prop_assert_eq!(
            s.delivered + s.overflow,
            s.received - s.dropped - s.rate_limited + s.duplicated
        );
        prop_assert_eq!((out, s), simulate(config, seed, &batches));
    }
}

/// What the wrapped loopback holds: the frames as they went out on the "wire".
fn wire(d: &mut Dev) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    d.get_mut().receive(ms(0), |f| out.push(f.to_vec()));
    out
}

fn tx_dev(tx: FaultConfig, seed: u64) -> Dev {
    let mut d = dev(FaultConfig::default(), seed);
    d.set_tx_config(tx);
    d
}

#[test]
fn tx_drop_loses_frames_the_caller_counts_as_written() {
    let mut d = tx_dev(
        FaultConfig {
            drop: 1.0,
            ..FaultConfig::default()
        },
        1,
    );
    let mut calls = 0;
    let written = d.transmit(ms(0), |buf| {
        calls += 1;
        (calls <= 3).then(|| {
            buf[0] = calls;
            1
        })
    });
    assert_eq!((written, calls), (3, 4));
    assert!(wire(&mut d).is_empty());
    assert_eq!(d.tx_stats().dropped, 3);
    assert_eq!(d.stats(), FaultStats::default());
}

#[test]
fn tx_corrupt_duplicate_and_delay() {
    let mut d = tx_dev(
        FaultConfig {
            corrupt: 1.0,
            ..FaultConfig::default()
        },
        2,
    );
    feed(&mut d, ms(0), &frames(4));
    let out = wire(&mut d);
    assert_eq!(out.len(), 4);
    for (i, f) in out.iter().enumerate() {
        assert_eq!(
            f.iter()
                .zip(frame(i as u8))
                .filter(|(a, b)| **a != *b)
                .count(),
            1
        );
    }

    let mut d = tx_dev(
        FaultConfig {
            duplicate: 1.0,
            ..FaultConfig::default()
        },
        2,
    );
    feed(&mut d, ms(0), &frames(2));
    // The copies go out after the batch.
    assert_eq!(wire(&mut d), [frame(0), frame(1), frame(0), frame(1)]);
    assert_eq!(d.tx_stats().duplicated, 2);

    let mut d = tx_dev(
        FaultConfig {
            delay: ms(5),
            ..FaultConfig::default()
        },
        2,
    );
    feed(&mut d, ms(0), &frames(2));
    assert!(wire(&mut d).is_empty());
    assert_eq!(d.tx_held(), 2);
    assert_eq!(d.poll_timeout(), Some(ms(5)));
    // A transmit call with nothing new sends what is due.
    assert_eq!(d.transmit(ms(5), |_| None), 0);
    assert_eq!(wire(&mut d), frames(2));
    assert_eq!(d.poll_timeout(), None);
}

#[test]
fn tx_reorder_and_rate_limit() {
    let mut d = tx_dev(
        FaultConfig {
            reorder: 1.0,
            ..FaultConfig::default()
        },
        4,
    );
    feed(&mut d, ms(0), &[frame(1)]);
    d.set_tx_config(FaultConfig::default());
    feed(&mut d, ms(0), &[frame(2)]);
    assert_eq!(wire(&mut d), [frame(2), frame(1)]);

    let config = FaultConfig {
        rate: Some(1_000),
        burst: 100,
        ..FaultConfig::default()
    };
    let mut d = tx_dev(config, 4);
    feed(&mut d, ms(0), &frames(2));
    assert_eq!(wire(&mut d), [frame(0)]);
    assert_eq!(d.tx_stats().rate_limited, 1);
}

#[test]
fn tx_same_seed_same_faults() {
    let config = FaultConfig {
        drop: 0.2,
        duplicate: 0.2,
        corrupt: 0.2,
        reorder: 0.2,
        jitter: ms(2),
        ..FaultConfig::default()
    };
    let run = |seed| {
        let mut d = tx_dev(config, seed);
        let mut out = Vec::new();
        for t in 0..10u8 {
            feed(
                &mut d,
                ms(u64::from(t)),
                &(0..5).map(|i| frame(t * 5 + i)).collect::<Vec<_>>(),
            );
            out.extend(wire(&mut d));
        }
        while let Some(t) = d.poll_timeout() {
            d.transmit(t.max(ms(10)), |_| None);
            out.extend(wire(&mut d));
        }
        (out, d.tx_stats())
    };
    let (a, sa) = run(5);
    assert_eq!((a.clone(), sa), run(5));
    assert_eq!(sa.delivered as usize, a.len());
    assert_eq!(
        sa.delivered + sa.overflow,
        sa.received - sa.dropped - sa.rate_limited + sa.duplicated
    );
    assert!(sa.dropped > 0 && sa.duplicated > 0 && sa.corrupted > 0 && sa.reordered > 0);
    assert_ne!(run(6).0, a);
}
