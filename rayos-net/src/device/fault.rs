//! The fault injector: a device that makes the frames of another device go wrong, the
//! same way every time for the same seed.

use super::{Capabilities, Device};
use core::time::Duration;

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a small, fast, seedable generator, good enough to decide
/// faults and reproducible from its seed. Not for cryptography.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole sequence is fixed by `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub const fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `true` with probability `p` (0 or less: never; 1 or more: always).
    pub fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make a uniform value in [0, 1).
        let x = (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        x < p
    }

    /// A uniform value in `0..n` (0 when `n` is 0).
    pub const fn below(&mut self, n: u64) -> u64 {
        let r = self.next_u64();
        if n == 0 {
            0
        } else {
            // Lemire's multiply-shift: the bias is under n / 2^64.
            ((r as u128 * n as u128) >> 64) as u64
        }
    }
}

/// What the [`FaultInjector`] does to the frames of one direction. The default does
/// nothing.
///
/// Probabilities are per frame, from 0.0 (never) to 1.0 (always).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultConfig {
    /// A frame is lost.
    pub drop: f64,
    /// A frame is delivered twice (the copy right after the original, or after the
    /// same delay).
    pub duplicate: f64,
    /// One byte of the frame, chosen at random, is changed (XORed with a random
    /// nonzero value).
    pub corrupt: f64,
    /// A frame is held back until a frame that arrived after it has been delivered
    /// (or until a later call, at a later `now`, when no frame follows).
    pub reorder: f64,
    /// Every frame is held until `now` has passed its arrival by this much.
    pub delay: Duration,
    /// A random extra delay, uniform from zero to this, per frame (frames may overtake
    /// each other).
    pub jitter: Duration,
    /// A token bucket: at most this many bytes per second pass; the others are lost.
    /// `None`: no limit.
    pub rate: Option<u64>,
    /// The bucket's size in bytes (the longest burst at full speed); it starts full.
    /// Frames longer than it never pass.
    pub burst: u64,
}

/// What the [`FaultInjector`] did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FaultStats {
    /// Frames received from the wrapped device.
    pub received: u64,
    /// Frames handed to the caller (duplicates included).
    pub delivered: u64,
    /// Frames lost by the `drop` probability.
    pub dropped: u64,
    /// Frames lost by the rate limit.
    pub rate_limited: u64,
    /// Frames changed by the `corrupt` probability.
    pub corrupted: u64,
    /// Extra copies made by the `duplicate` probability (delivered, or lost and
    /// counted in `overflow` too).
    pub duplicated: u64,
    /// Frames held back by the `reorder` probability.
    pub reordered: u64,
    /// Frames held by `delay` or `jitter`.
    pub delayed: u64,
    /// Frames (or copies) that were to be held but were lost: no hold slot was free,
    /// the frame is over `F` bytes, or (transmit) over the wrapped device's buffer.
    pub overflow: u64,
}

/// Frames held back: `H` slots of `F` bytes.
#[derive(Debug)]
struct Held<const H: usize, const F: usize> {
    frames: [[u8; F]; H],
    len: [usize; H],
    due: [Duration; H],
    held_at: [Duration; H],
    seq: [u64; H],
    /// Reordered and still waiting for a later frame.
    waiting: [bool; H],
    used: [bool; H],
}

impl<const H: usize, const F: usize> Held<H, F> {
    const fn new() -> Self {
        Held {
            frames: [[0; F]; H],
            len: [0; H],
            due: [Duration::ZERO; H],
            held_at: [Duration::ZERO; H],
            seq: [0; H],
            waiting: [false; H],
            used: [false; H],
        }
    }

    /// Stores a copy of `frame`; `false` when no slot is free or it is over `F`.
    fn hold(&mut self, frame: &[u8], now: Duration, due: Duration, seq: u64, wait: bool) -> bool {
        let Some(i) = self.used.iter().position(|u| !u) else {
            return false;
        };
        let Some(slot) = self
            .frames
            .get_mut(i)
            .and_then(|f| f.get_mut(..frame.len()))
        else {
            return false;
        };
        slot.copy_from_slice(frame);
        if let (Some(l), Some(d), Some(a), Some(s), Some(w), Some(u)) = (
            self.len.get_mut(i),
            self.due.get_mut(i),
            self.held_at.get_mut(i),
            self.seq.get_mut(i),
            self.waiting.get_mut(i),
            self.used.get_mut(i),
        ) {
            (*l, *d, *a, *s, *w, *u) = (frame.len(), due, now, seq, wait, true);
            true
        } else {
            false
        }
    }

    /// A frame `seq` was delivered: frames that arrived before it stop waiting.
    fn passed(&mut self, seq: u64) {
        for i in 0..H {
            if self.seq.get(i).is_some_and(|&s| s < seq)
                && let Some(w) = self.waiting.get_mut(i)
            {
                *w = false;
            }
        }
    }

    /// When slot `i` may be released, if it holds a frame: its due time; for a
    /// reordered frame still waiting to be overtaken, no earlier than just after the
    /// time it was held (so it is not held forever on a quiet link).
    fn ready_at(&self, i: usize) -> Option<Duration> {
        if !self.used.get(i).copied().unwrap_or(false) {
            return None;
        }
        let due = self.due.get(i).copied()?;
        if self.waiting.get(i).copied().unwrap_or(false) {
            let at = self.held_at.get(i).copied()?;
            Some(due.max(at.saturating_add(Duration::from_nanos(1))))
        } else {
            Some(due)
        }
    }

    /// The slot to release next at `now`: ready, earliest (ready time, arrival).
    fn next_due(&self, now: Duration) -> Option<usize> {
        let mut best: Option<(Duration, u64, usize)> = None;
        for i in 0..H {
            let (Some(ready), Some(&seq)) = (self.ready_at(i), self.seq.get(i)) else {
                continue;
            };
            if ready <= now && best.is_none_or(|(r, s, _)| (ready, seq) < (r, s)) {
                best = Some((ready, seq, i));
            }
        }
        best.map(|(_, _, i)| i)
    }

    /// The earliest time a held frame may be released.
    fn next_ready(&self) -> Option<Duration> {
        (0..H).filter_map(|i| self.ready_at(i)).min()
    }
}

/// Everything of the injector but the wrapped device (so both can be borrowed at once).
#[derive(Debug)]
struct State<const H: usize, const F: usize> {
    config: FaultConfig,
    rng: SplitMix64,
    stats: FaultStats,
    held: Held<H, F>,
    seq: u64,
    /// Bucket content in nanobytes (bytes × 10^9), and when it was last filled.
    tokens: u128,
    filled_at: Option<Duration>,
}

const NANOS: u128 = 1_000_000_000;

impl<const H: usize, const F: usize> State<H, F> {
    fn refill(&mut self, now: Duration) {
        let Some(rate) = self.config.rate else {
            return;
        };
        let cap = u128::from(self.config.burst) * NANOS;
        self.tokens = match self.filled_at {
            None => cap,
            Some(then) => {
                let elapsed = now.saturating_sub(then).as_nanos();
                self.tokens
                    .saturating_add(elapsed.saturating_mul(u128::from(rate)))
                    .min(cap)
            }
        };
        if self.filled_at.is_none_or(|t| now > t) {
            self.filled_at = Some(now);
        }
    }

    /// Releases the held frames due at `now`, up to `budget`; returns how many.
    fn release<G: FnMut(&mut [u8])>(&mut self, now: Duration, f: &mut G, budget: usize) -> usize {
        let mut n = 0;
        while n < budget {
            let Some(i) = self.held.next_due(now) else {
                break;
            };
            let len = self.held.len.get(i).copied().unwrap_or(0);
            let seq = self.held.seq.get(i).copied().unwrap_or(0);
            if let Some(u) = self.held.used.get_mut(i) {
                *u = false;
            }
            if let Some(frame) = self.held.frames.get_mut(i).and_then(|b| b.get_mut(..len)) {
                f(frame);
                n += 1;
                self.stats.delivered += 1;
            }
            self.held.passed(seq);
        }
        n
    }

    /// One frame from the wrapped device (receive).
    fn process<G: FnMut(&mut [u8])>(
        &mut self,
        now: Duration,
        frame: &mut [u8],
        f: &mut G,
    ) -> usize {
        if !self.filter(now, frame) {
            return 0;
        }
        f(frame);
        self.stats.delivered += 1;
        self.held.passed(self.seq);
        // What this frame made due: its duplicate, frames it overtook.
        1 + self.release(now, f, H)
    }

    /// Copies the next held frame due at `now` into `buf` (transmit); its length.
    /// A frame longer than `buf` is lost (counted in `overflow`) and the next is tried;
    /// each try frees a slot, so this ends.
    fn release_into(&mut self, now: Duration, buf: &mut [u8]) -> Option<usize> {
        loop {
            let i = self.held.next_due(now)?;
            let len = self.held.len.get(i).copied().unwrap_or(0);
            let seq = self.held.seq.get(i).copied().unwrap_or(0);
            if let Some(u) = self.held.used.get_mut(i) {
                *u = false;
            }
            self.held.passed(seq);
            let src = self.held.frames.get(i).and_then(|b| b.get(..len));
            if let (Some(src), Some(dst)) = (src, buf.get_mut(..len)) {
                dst.copy_from_slice(src);
                self.stats.delivered += 1;
                return Some(len);
            }
            self.stats.overflow += 1;
        }
    }

    /// Applies the faults to one frame: `true` when it passes now, `false` when it was
    /// lost or held back (copied into a slot).
    fn filter(&mut self, now: Duration, frame: &mut [u8]) -> bool {
        self.stats.received += 1;
        self.seq += 1;
        let seq = self.seq;
        if self.config.rate.is_some() {
            let cost = frame.len() as u128 * NANOS;
            if cost > self.tokens {
                self.stats.rate_limited += 1;
                return false;
            }
            self.tokens -= cost;
        }
        // The same draws for every frame, whatever the configuration, so a run with one
        // fault switched on loses the same frames as a run with another also on.
        let drop = self.rng.chance(self.config.drop);
        let corrupt = self.rng.chance(self.config.corrupt);
        let at = self.rng.below(frame.len() as u64);
        let xor = 1 + self.rng.below(255) as u8;
        let duplicate = self.rng.chance(self.config.duplicate);
        let reorder = self.rng.chance(self.config.reorder);
        let jitter_ns = u64::try_from(self.config.jitter.as_nanos()).unwrap_or(u64::MAX);
        let jitter = Duration::from_nanos(self.rng.below(jitter_ns.saturating_add(1)));
        if drop {
            self.stats.dropped += 1;
            return false;
        }
        if corrupt && let Some(b) = usize::try_from(at).ok().and_then(|i| frame.get_mut(i)) {
            *b ^= xor;
            self.stats.corrupted += 1;
        }
        let delay = self.config.delay.saturating_add(jitter);
        let due = now.saturating_add(delay);
        // The copy is taken before the caller sees (and may rewrite) the frame.
        if duplicate {
            self.stats.duplicated += 1;
            if !self.held.hold(frame, now, due, seq, false) {
                self.stats.overflow += 1;
            }
        }
        if reorder || delay > Duration::ZERO {
            if self.held.hold(frame, now, due, seq, reorder) {
                if reorder {
                    self.stats.reordered += 1;
                } else {
                    self.stats.delayed += 1;
                }
            } else {
                self.stats.overflow += 1;
            }
            false
        } else {
            true
        }
    }
}

impl<const H: usize, const F: usize> State<H, F> {
    const fn new(config: FaultConfig, seed: u64) -> Self {
        State {
            config,
            rng: SplitMix64::new(seed),
            stats: FaultStats {
                received: 0,
                delivered: 0,
                dropped: 0,
                rate_limited: 0,
                corrupted: 0,
                duplicated: 0,
                reordered: 0,
                delayed: 0,
                overflow: 0,
            },
            held: Held::new(),
            seq: 0,
            tokens: 0,
            filled_at: None,
        }
    }
}

/// A device that injects faults into the frames of the device it wraps: loss,
/// duplication, corruption, reordering, delay and a rate limit, each set in a
/// [`FaultConfig`], one for received frames and one for transmitted frames, decided by
/// [`SplitMix64`] generators seeded by the caller.
///
/// For the same seed, configurations and sequence of calls (frames and `now` values),
/// the faults are the same.
///
/// Frames held back (reorder, delay, duplicates) are copied into `H` slots of `F`
/// bytes per direction; when they are all taken, further held frames are lost and
/// counted in [`FaultStats::overflow`]. Frames that pass straight through are not
/// copied. The slots take `2 × H × F` bytes inside the injector (48 KiB with the
/// defaults): pick a small `H` on a microcontroller.
///
/// - Receive: a call first releases the held frames that are due, then passes on the
///   wrapped device's frames; after each, it releases what that frame made due (its
///   duplicate, a reordered frame it overtook).
/// - Transmit: a call first sends the held frames that are due (copied into the
///   wrapped device's buffers), then lends the wrapped device's buffers to the
///   caller's closure; a frame lost or held back frees its buffer for the closure's
///   next frame; last, it sends what the new frames made due (duplicates come after
///   the batch). The result counts the frames the closure wrote, lost ones included
///   (as a sender on a lossy link cannot tell). Held frames go out at a later call:
///   call `transmit` at [`FaultInjector::poll_timeout`] even with nothing to send.
#[derive(Debug)]
pub struct FaultInjector<D, const H: usize = 16, const F: usize = 1514> {
    inner: D,
    rx: State<H, F>,
    tx: State<H, F>,
}

impl<D: Device, const H: usize, const F: usize> FaultInjector<D, H, F> {
    /// Wraps `inner`: `config` applies to received frames, transmitted frames pass
    /// unchanged (see [`FaultInjector::set_tx_config`]). The generators are seeded
    /// from `seed`.
    pub const fn new(inner: D, config: FaultConfig, seed: u64) -> Self {
        let mut derive = SplitMix64::new(seed);
        let tx_seed = derive.next_u64();
        FaultInjector {
            inner,
            rx: State::new(config, seed),
            tx: State::new(
                FaultConfig {
                    drop: 0.0,
                    duplicate: 0.0,
                    corrupt: 0.0,
                    reorder: 0.0,
                    delay: Duration::ZERO,
                    jitter: Duration::ZERO,
                    rate: None,
                    burst: 0,
                },
                tx_seed,
            ),
        }
    }

    /// The configuration for received frames.
    pub const fn config(&self) -> &FaultConfig {
        &self.rx.config
    }

    /// Changes the configuration for received frames (held frames stay held).
    pub const fn set_config(&mut self, config: FaultConfig) {
        self.rx.config = config;
    }

    /// The configuration for transmitted frames.
    pub const fn tx_config(&self) -> &FaultConfig {
        &self.tx.config
    }

    /// Changes the configuration for transmitted frames (held frames stay held).
    pub const fn set_tx_config(&mut self, config: FaultConfig) {
        self.tx.config = config;
    }

    /// What was done to received frames so far.
    pub const fn stats(&self) -> FaultStats {
        self.rx.stats
    }

    /// What was done to transmitted frames so far.
    pub const fn tx_stats(&self) -> FaultStats {
        self.tx.stats
    }

    /// The number of received frames held back now.
    pub fn held(&self) -> usize {
        self.rx.held.used.iter().filter(|u| **u).count()
    }

    /// The number of transmitted frames held back now.
    pub fn tx_held(&self) -> usize {
        self.tx.held.used.iter().filter(|u| **u).count()
    }

    /// The earliest time a held frame of either direction is due, if any: when to
    /// call `receive` and `transmit` next.
    ///
    /// A reordered frame no later frame has overtaken is due one nanosecond after it
    /// was held, so a caller driving a virtual clock by this value never stalls.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match (self.rx.held.next_ready(), self.tx.held.next_ready()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The wrapped device.
    pub const fn get_ref(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub const fn get_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// The wrapped device (held frames are lost).
    pub fn into_inner(self) -> D {
        self.inner
    }
}

impl<D: Device, const H: usize, const F: usize> Device for FaultInjector<D, H, F> {
    /// The wrapped device's, except that one call may also release up to `H` held
    /// frames.
    fn capabilities(&self) -> Capabilities {
        let mut caps = self.inner.capabilities();
        caps.max_burst = caps.max_burst.saturating_add(H);
        caps
    }

    fn receive<G>(&mut self, now: Duration, mut f: G) -> usize
    where
        G: FnMut(&mut [u8]),
    {
        let state = &mut self.rx;
        state.refill(now);
        let mut n = state.release(now, &mut f, H);
        self.inner.receive(now, |frame| {
            n += state.process(now, frame, &mut f);
        });
        n
    }

    fn transmit<G>(&mut self, now: Duration, mut f: G) -> usize
    where
        G: FnMut(&mut [u8]) -> Option<usize>,
    {
        let burst = self.inner.capabilities().max_burst;
        let tx = &mut self.tx;
        let inner = &mut self.inner;
        tx.refill(now);
        if tx.held.next_ready().is_some_and(|t| t <= now) {
            inner.transmit(now, |buf| tx.release_into(now, buf));
        }
        let mut written = 0;
        let mut calls = 0;
        inner.transmit(now, |buf| {
            while calls < burst {
                calls += 1;
                let n = f(buf)?;
                let Some(frame) = buf.get_mut(..n) else {
                    // Invalid: the wrapped device discards and counts it.
                    return Some(n);
                };
                written += 1;
                if tx.filter(now, frame) {
                    tx.stats.delivered += 1;
                    tx.held.passed(tx.seq);
                    return Some(n);
                }
                // Lost or held (copied): the buffer serves the next frame.
            }
            None
        });
        if tx.held.next_ready().is_some_and(|t| t <= now) {
            inner.transmit(now, |buf| tx.release_into(now, buf));
        }
        written
    }
}

#[cfg(test)]
mod tests;
