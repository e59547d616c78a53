//! In-memory drivers: [`Loopback`] and the two [`Port`]s of a [`Link`].

use super::{Capabilities, Device, Medium, Stats};
use core::cell::RefCell;
use core::time::Duration;

/// A ring of `N` frames of up to `F` bytes, plus one spare frame buffer lent to a
/// sender when the ring is full (its frame is then dropped and counted).
#[derive(Debug)]
struct Queue<const N: usize, const F: usize> {
    slots: [[u8; F]; N],
    lens: [usize; N],
    head: usize,
    len: usize,
    spare: [u8; F],
    dropped: u64,
}

impl<const N: usize, const F: usize> Queue<N, F> {
    const fn new() -> Self {
        Queue {
            slots: [[0; F]; N],
            lens: [0; N],
            head: 0,
            len: 0,
            spare: [0; F],
            dropped: 0,
        }
    }

    /// Lends the next free slot (or the spare, when full) to `f`, and queues the frame
    /// it writes. Returns `None` when `f` has nothing to send, `Some(Err(()))` for an
    /// invalid length, and `Some(Ok(len))` for a frame sent (queued or dropped).
    fn push_with<G>(&mut self, f: &mut G) -> Option<Result<usize, ()>>
    where
        G: FnMut(&mut [u8]) -> Option<usize>,
    {
        let tail = if N == 0 {
            0
        } else {
            (self.head + self.len) % N
        };
        let full = self.len >= N;
        let buf: &mut [u8] = if full {
            &mut self.spare
        } else {
            match self.slots.get_mut(tail) {
                Some(slot) => slot,
                None => &mut self.spare,
            }
        };
        let n = f(buf)?;
        if n > F {
            return Some(Err(()));
        }
        if full || N == 0 {
            self.dropped += 1;
        } else if let Some(l) = self.lens.get_mut(tail) {
            *l = n;
            self.len += 1;
        }
        Some(Ok(n))
    }

    /// Lends the oldest frame to `f` and frees its slot. Returns its length.
    fn pop_with<G>(&mut self, f: &mut G) -> Option<usize>
    where
        G: FnMut(&mut [u8]),
    {
        if self.len == 0 {
            return None;
        }
        let head = self.head;
        let n = *self.lens.get(head)?;
        let frame = self.slots.get_mut(head)?.get_mut(..n)?;
        self.head = (head + 1) % N;
        self.len -= 1;
        f(frame);
        Some(n)
    }
}

fn receive_from<const N: usize, const F: usize, G>(
    queue: &mut Queue<N, F>,
    stats: &mut Stats,
    mut f: G,
) -> usize
where
    G: FnMut(&mut [u8]),
{
    let mut count = 0;
    while count < N.max(1) {
        let Some(n) = queue.pop_with(&mut f) else {
            break;
        };
        count += 1;
        stats.rx_frames += 1;
        stats.rx_bytes += n as u64;
    }
    count
}

fn transmit_into<const N: usize, const F: usize, G>(
    queue: &mut Queue<N, F>,
    stats: &mut Stats,
    mut f: G,
) -> usize
where
    G: FnMut(&mut [u8]) -> Option<usize>,
{
    let mut count = 0;
    // Invalid frames take a turn too, so a closure that keeps returning them ends.
    for _ in 0..N.max(1) {
        match queue.push_with(&mut f) {
            None => break,
            Some(Ok(n)) => {
                count += 1;
                stats.tx_frames += 1;
                stats.tx_bytes += n as u64;
            }
            Some(Err(())) => stats.tx_invalid += 1,
        }
    }
    count
}

/// A device that receives back what it transmits, through a queue of `N` frames of up
/// to `F` bytes.
///
/// A frame sent while the queue holds `N` frames is dropped and counted in
/// [`Stats::rx_dropped`]. Both calls handle up to `N` frames.
#[derive(Debug)]
pub struct Loopback<const N: usize, const F: usize> {
    queue: Queue<N, F>,
    medium: Medium,
    stats: Stats,
}

impl<const N: usize, const F: usize> Loopback<N, F> {
    /// An empty loopback device of Ethernet frames.
    pub const fn new() -> Self {
        Self::with_medium(Medium::Ethernet)
    }

    /// An empty loopback device of frames of `medium`.
    pub const fn with_medium(medium: Medium) -> Self {
        Loopback {
            queue: Queue::new(),
            medium,
            stats: Stats {
                rx_frames: 0,
                rx_bytes: 0,
                tx_frames: 0,
                tx_bytes: 0,
                rx_dropped: 0,
                tx_invalid: 0,
            },
        }
    }

    /// The frames waiting to be received.
    pub const fn queued(&self) -> usize {
        self.queue.len
    }

    /// The counts so far.
    pub const fn stats(&self) -> Stats {
        let mut s = self.stats;
        s.rx_dropped = self.queue.dropped;
        s
    }
}

impl<const N: usize, const F: usize> Default for Loopback<N, F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const F: usize> Device for Loopback<N, F> {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(self.medium, F).with_max_burst(N)
    }

    fn receive<G>(&mut self, _now: Duration, f: G) -> usize
    where
        G: FnMut(&mut [u8]),
    {
        receive_from(&mut self.queue, &mut self.stats, f)
    }

    fn transmit<G>(&mut self, _now: Duration, f: G) -> usize
    where
        G: FnMut(&mut [u8]) -> Option<usize>,
    {
        transmit_into(&mut self.queue, &mut self.stats, f)
    }
}

/// An in-memory link between two devices: what one [`Port`] transmits, the other
/// receives. Each direction is a queue of `N` frames of up to `F` bytes; a frame sent
/// into a full queue is lost and counted in the receiver's [`Stats::rx_dropped`].
///
/// The link owns the frames; [`Link::ports`] hands out its two ends, which borrow it,
/// so both can be used (and wrapped in middleware) at the same time, without an
/// allocator:
///
/// ```
/// use core::time::Duration;
/// use rayos_net::device::{Device, Link};
///
/// let link = Link::<8, 1514>::new();
/// let (mut a, mut b) = link.ports();
/// assert!(a.transmit_one(Duration::ZERO, |buf| {
///     buf[..4].copy_from_slice(b"ping");
///     4
/// }));
/// let mut got = [0u8; 4];
/// assert_eq!(b.receive(Duration::ZERO, |f| got.copy_from_slice(f)), 1);
/// assert_eq!(&got, b"ping");
/// ```
#[derive(Debug)]
pub struct Link<const N: usize, const F: usize> {
    a_to_b: RefCell<Queue<N, F>>,
    b_to_a: RefCell<Queue<N, F>>,
    medium: Medium,
}

impl<const N: usize, const F: usize> Link<N, F> {
    /// An empty link of Ethernet frames.
    pub const fn new() -> Self {
        Self::with_medium(Medium::Ethernet)
    }

    /// An empty link of frames of `medium`.
    pub const fn with_medium(medium: Medium) -> Self {
        Link {
            a_to_b: RefCell::new(Queue::new()),
            b_to_a: RefCell::new(Queue::new()),
            medium,
        }
    }

    /// The two ends of the link.
    pub const fn ports(&self) -> (Port<'_, N, F>, Port<'_, N, F>) {
        (
            Port::new(&self.b_to_a, &self.a_to_b, self.medium),
            Port::new(&self.a_to_b, &self.b_to_a, self.medium),
        )
    }
}

impl<const N: usize, const F: usize> Default for Link<N, F> {
    fn default() -> Self {
        Self::new()
    }
}

/// One end of a [`Link`].
///
/// A port's calls borrow the link's queues only while they run. Calling the *other*
/// port of the same link from inside this port's closure finds the queue in use:
/// that call does nothing and returns 0 (it never panics).
#[derive(Debug)]
pub struct Port<'a, const N: usize, const F: usize> {
    rx: &'a RefCell<Queue<N, F>>,
    tx: &'a RefCell<Queue<N, F>>,
    medium: Medium,
    stats: Stats,
}

impl<'a, const N: usize, const F: usize> Port<'a, N, F> {
    const fn new(
        rx: &'a RefCell<Queue<N, F>>,
        tx: &'a RefCell<Queue<N, F>>,
        medium: Medium,
    ) -> Self {
        Port {
            rx,
            tx,
            medium,
            stats: Stats {
                rx_frames: 0,
                rx_bytes: 0,
                tx_frames: 0,
                tx_bytes: 0,
                rx_dropped: 0,
                tx_invalid: 0,
            },
        }
    }

    /// The frames waiting to be received by this port.
    pub fn queued(&self) -> usize {
        self.rx.try_borrow().map_or(0, |q| q.len)
    }

    /// The counts so far.
    pub fn stats(&self) -> Stats {
        let mut s = self.stats;
        s.rx_dropped = self.rx.try_borrow().map_or(0, |q| q.dropped);
        s
    }
}

impl<const N: usize, const F: usize> Device for Port<'_, N, F> {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(self.medium, F).with_max_burst(N)
    }

    fn receive<G>(&mut self, _now: Duration, f: G) -> usize
    where
        G: FnMut(&mut [u8]),
    {
        match self.rx.try_borrow_mut() {
            Ok(mut q) => receive_from(&mut q, &mut self.stats, f),
            Err(_) => 0,
        }
    }

    fn transmit<G>(&mut self, _now: Duration, f: G) -> usize
    where
        G: FnMut(&mut [u8]) -> Option<usize>,
    {
        match self.tx.try_borrow_mut() {
            Ok(mut q) => transmit_into(&mut q, &mut self.stats, f),
            Err(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::collections::VecDeque;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    const T: Duration = Duration::ZERO;

    /// Sends each of `frames` in one `transmit` call; returns what it returned.
    fn send<D: Device>(dev: &mut D, frames: &[&[u8]]) -> usize {
        let mut it = frames.iter();
        dev.transmit(T, |buf| {
            let fr = it.next()?;
            buf.get_mut(..fr.len())?.copy_from_slice(fr);
            Some(fr.len())
        })
    }

    fn recv<D: Device>(dev: &mut D) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        dev.receive(T, |f| out.push(f.to_vec()));
        out
    }

    #[test]
    fn loopback_returns_exact_frames_in_order() {
        let mut dev = Loopback::<4, 64>::new();
        assert_eq!(dev.capabilities().mtu, 64);
        assert_eq!(dev.capabilities().max_burst, 4);
        assert_eq!(send(&mut dev, &[b"abc", b"", b"0123456789"]), 3);
        assert_eq!(dev.queued(), 3);
        assert_eq!(
            recv(&mut dev),
            [b"abc".to_vec(), vec![], b"0123456789".to_vec()]
        );
        assert!(recv(&mut dev).is_empty());
        let s = dev.stats();
        assert_eq!(
            (s.tx_frames, s.tx_bytes, s.rx_frames, s.rx_bytes),
            (3, 13, 3, 13)
        );
        assert_eq!((s.rx_dropped, s.tx_invalid), (0, 0));
    }

    #[test]
    fn full_queue_drops_and_counts() {
        let mut dev = Loopback::<2, 16>::new();
        // One call hands out at most N buffers.
        assert_eq!(send(&mut dev, &[b"1", b"2", b"3"]), 2);
        // The queue is full: the next frame is sent, lost, counted.
        assert_eq!(send(&mut dev, &[b"4"]), 1);
        assert_eq!(dev.stats().rx_dropped, 1);
        assert_eq!(recv(&mut dev), [b"1".to_vec(), b"2".to_vec()]);
        // The ring wraps around correctly.
        assert_eq!(send(&mut dev, &[b"5", b"6"]), 2);
        assert_eq!(recv(&mut dev), [b"5".to_vec(), b"6".to_vec()]);
        assert_eq!(dev.stats().tx_frames, 5);
        assert_eq!(dev.stats().rx_frames, 4);
    }

    #[test]
    fn oversized_length_is_discarded_not_panicking() {
        let mut dev = Loopback::<2, 8>::new();
        let mut calls = 0;
        let sent = dev.transmit(T, |buf| {
            calls += 1;
            assert_eq!(buf.len(), 8);
            Some(9)
        });
        // The closure always answers an invalid length: the call still ends, after
        // one burst.
        assert_eq!((sent, calls), (0, 2));
        assert_eq!(dev.stats().tx_invalid, 2);
        assert_eq!(dev.queued(), 0);
    }

    #[test]
    fn transmit_one_sends_exactly_one() {
        let mut dev = Loopback::<4, 8>::new();
        assert!(dev.transmit_one(T, |buf| {
            buf[..2].copy_from_slice(b"hi");
            2
        }));
        assert!(!dev.transmit_one(T, |_| 9));
        assert_eq!(recv(&mut dev), [b"hi".to_vec()]);
        assert_eq!(dev.stats().tx_invalid, 1);
    }

    #[test]
    fn zero_capacity_drops_everything() {
        let mut dev = Loopback::<0, 8>::new();
        assert_eq!(send(&mut dev, &[b"x"]), 1);
        assert_eq!(dev.stats().rx_dropped, 1);
        assert!(recv(&mut dev).is_empty());
    }

    #[test]
    fn receive_lends_mutable_buffers_in_place() {
        let mut dev = Loopback::<2, 8>::new();
        send(&mut dev, &[b"ab"]);
        let mut seen = Vec::new();
        dev.receive(T, |f| {
            f[0] = b'z';
            seen.push(f.to_vec());
        });
        assert_eq!(seen, [b"zb".to_vec()]);
    }

    #[test]
    fn link_carries_each_direction_separately() {
        let link = Link::<3, 32>::new();
        let (mut a, mut b) = link.ports();
        assert_eq!(send(&mut a, &[b"a->b 1", b"a->b 2"]), 2);
        assert_eq!(send(&mut b, &[b"b->a"]), 1);
        assert_eq!((a.queued(), b.queued()), (1, 2));
        assert_eq!(recv(&mut b), [b"a->b 1".to_vec(), b"a->b 2".to_vec()]);
        assert_eq!(recv(&mut a), [b"b->a".to_vec()]);
        // B's queue overflows: A's frames are lost at B.
        assert_eq!(send(&mut a, &[b"1", b"2", b"3"]), 3);
        assert_eq!(send(&mut a, &[b"4", b"5"]), 2);
        assert_eq!(b.stats().rx_dropped, 2);
        assert_eq!(a.stats().rx_dropped, 0);
        assert_eq!(a.stats().tx_frames, 7);
        assert_eq!(recv(&mut b).len(), 3);
    }

    #[test]
    fn reentrant_use_of_the_peer_does_not_panic() {
        let link = Link::<2, 16>::new();
        let (mut a, mut b) = link.ports();
        send(&mut a, &[b"x"]);
        let mut inner = usize::MAX;
        let got = b.receive(T, |_| {
            // A transmits into the queue B is reading from: refused, not a panic.
            inner = send(&mut a, &[b"y"]);
        });
        assert_eq!((got, inner), (1, 0));
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// Port A (true) or B sends these frames in one call.
        Send(bool, Vec<Vec<u8>>),
        /// Port A or B receives.
        Recv(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                any::<bool>(),
                proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..6)
            )
                .prop_map(|(a, f)| Op::Send(a, f)),
            any::<bool>().prop_map(Op::Recv),
        ]
    }

    proptest! {
        /// A link behaves as two bounded FIFO queues: what a port receives is what the
        /// other sent, in order, minus the frames that found the queue full (counted)
        /// and those longer than a frame buffer (counted); never a panic.
        #[test]
        fn link_matches_a_model_of_two_bounded_fifos(ops in proptest::collection::vec(op(), 0..40)) {
            const N: usize = 4;
            const F: usize = 16;
            let link = Link::<N, F>::new();
            let (mut a, mut b) = link.ports();
            // Model: the queue each port receives from, drops at it, invalid sends by it.
            let mut queue = [VecDeque::new(), VecDeque::new()];
            let mut dropped = [0u64; 2];
            let mut invalid = [0u64; 2];
            for op in ops {
                match op {
                    Op::Send(from_a, frames) => {
                        let (me, peer) = if from_a { (0, 1) } else { (1, 0) };
                        let mut expected_sent = 0;
                        for f in frames.iter().take(N) {
                            if f.len() > F {
                                invalid[me] += 1;
                            } else {
                                expected_sent += 1;
                                if queue[peer].len() == N {
                                    dropped[peer] += 1;
                                } else {
                                    queue[peer].push_back(f.clone());
                                }
                            }
                        }
                        let mut it = frames.iter();
                        let port = if from_a { &mut a } else { &mut b };
                        let sent = port.transmit(T, |buf| {
                            let f = it.next()?;
                            if let Some(dst) = buf.get_mut(..f.len()) {
                                dst.copy_from_slice(f);
                            }
                            Some(f.len())
                        });
                        prop_assert_eq!(sent, expected_sent);
                    }
                    Op::Recv(at_a) => {
                        let me = if at_a { 0 } else { 1 };
                        let port = if at_a { &mut a } else { &mut b };
                        let got = recv(port);
                        let want: Vec<Vec<u8>> = queue[me].drain(..).collect();
                        prop_assert_eq!(got, want);
                    }
                }
            }
            prop_assert_eq!(a.stats().rx_dropped, dropped[0]);
            prop_assert_eq!(b.stats().rx_dropped, dropped[1]);
            prop_assert_eq!(a.stats().tx_invalid, invalid[0]);
            prop_assert_eq!(b.stats().tx_invalid, invalid[1]);
        }
    }
}
