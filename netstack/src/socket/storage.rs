//! Socket buffers: the caller's memory, or growable memory under `alloc`.
//!
//! A socket never allocates by itself. Its buffers are a [`Storage`]: a borrowed
//! `&mut [u8]`, an owned `[u8; N]`, a `Vec<u8>` of fixed length, or under `alloc` a
//! [`Growable`] that starts small and grows up to a limit as data arrives.
//! [`RingBuffer`] is the byte queue that TCP's send and receive sides and UDP's
//! packet buffer are built on.

/// Memory a socket buffer lives in.
///
/// `as_ref().len()` is the current capacity. [`Storage::grow`] may make it larger,
/// up to [`Storage::max_capacity`]; fixed storage never grows.
pub trait Storage: AsRef<[u8]> + AsMut<[u8]> {
    /// Tries to make the capacity at least `want` bytes (never more than
    /// [`Storage::max_capacity`]). The bytes already there keep their indices; the
    /// new ones are zero. Returns whether the capacity grew.
    fn grow(&mut self, want: usize) -> bool {
        let _ = want;
        false
    }

    /// The largest capacity this storage can reach: its length, if it is fixed.
    fn max_capacity(&self) -> usize {
        self.as_ref().len()
    }
}

impl Storage for &mut [u8] {}

impl<const N: usize> Storage for [u8; N] {}

#[cfg(feature = "alloc")]
impl Storage for alloc::vec::Vec<u8> {}

#[cfg(feature = "alloc")]
impl Storage for alloc::boxed::Box<[u8]> {}

/// Heap storage that starts at some capacity and grows, doubling, up to a maximum.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growable {
    buf: alloc::vec::Vec<u8>,
    max: usize,
}

#[cfg(feature = "alloc")]
impl Growable {
    /// Storage of `initial` bytes that may grow to `max` (at least `initial`).
    pub fn new(initial: usize, max: usize) -> Self {
        Growable {
            buf: alloc::vec![0; initial],
            max: max.max(initial),
        }
    }
}

#[cfg(feature = "alloc")]
impl AsRef<[u8]> for Growable {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

#[cfg(feature = "alloc")]
impl AsMut<[u8]> for Growable {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

#[cfg(feature = "alloc")]
impl Storage for Growable {
    fn grow(&mut self, want: usize) -> bool {
        let old = self.buf.len();
        if want <= old || old >= self.max {
            return false;
        }
        let new = want.max(old.saturating_mul(2)).min(self.max);
        self.buf.resize(new, 0);
        true
    }

    fn max_capacity(&self) -> usize {
        self.max
    }
}

/// A byte queue in a [`Storage`], used as a ring.
///
/// Besides queueing and dequeueing it lets a reader look at bytes past the read
/// position without consuming them ([`RingBuffer::peek`], for retransmission), and a
/// writer place bytes past the end of the queue ([`RingBuffer::write_at`], for
/// out-of-order data) before [`RingBuffer::commit`]ting them. Indices are offsets
/// from the read position. Nothing here panics.
#[derive(Debug, Clone)]
pub struct RingBuffer<S> {
    storage: S,
    /// Index in `storage` of the first queued byte.
    read: usize,
    /// Number of queued bytes.
    len: usize,
}

impl<S: Storage> RingBuffer<S> {
    /// An empty queue over `storage`.
    pub fn new(storage: S) -> Self {
        RingBuffer {
            storage,
            read: 0,
            len: 0,
        }
    }

    /// The storage back, with whatever it holds.
    pub fn into_inner(self) -> S {
        self.storage
    }

    /// The current capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.storage.as_ref().len()
    }

    /// The largest capacity the storage can grow to.
    pub fn max_capacity(&self) -> usize {
        self.storage.max_capacity().max(self.capacity())
    }

    /// Queued bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no byte is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes that can be queued without growing.
    pub fn free(&self) -> usize {
        self.capacity() - self.len
    }

    /// Bytes that can be queued, growing the storage if it can grow.
    pub fn max_free(&self) -> usize {
        self.max_capacity() - self.len
    }

    /// Empties the queue.
    pub fn clear(&mut self) {
        self.read = 0;
        self.len = 0;
    }

    /// Makes room for `want` bytes past the read position, growing the storage when it
    /// can. Returns the capacity now available from the read position.
    pub fn reserve(&mut self, want: usize) -> usize {
        let cap = self.capacity();
        if want > cap && self.storage.max_capacity() > cap {
            // Lay the ring out from index 0 so that growing at the end keeps every
            // byte at its offset from the read position.
            self.storage.as_mut().rotate_left(self.read);
            self.read = 0;
            self.storage.grow(want);
        }
        self.capacity()
    }

    /// Index in the storage of the byte `offset` past the read position.
    fn index(&self, offset: usize) -> usize {
        let cap = self.capacity();
        if cap == 0 {
            return 0;
        }
        let i = self.read + offset % cap;
        if i >= cap { i - cap } else { i }
    }

    /// Copies `data` into the ring at `offset` from the read position, without
    /// changing the queue length, and returns how many bytes fit (those before the
    /// capacity ends). Growing storage grows to take them.
    pub fn write_at(&mut self, offset: usize, data: &[u8]) -> usize {
        let cap = self.reserve(offset.saturating_add(data.len()));
        if offset >= cap {
            return 0;
        }
        let n = data.len().min(cap - offset);
        let start = self.index(offset);
        let first = n.min(cap - start);
        let buf = self.storage.as_mut();
        if let (Some(dst), Some(src)) = (buf.get_mut(start..start + first), data.get(..first)) {
            dst.copy_from_slice(src);
        }
        if let (Some(dst), Some(src)) = (buf.get_mut(..n - first), data.get(first..n)) {
            dst.copy_from_slice(src);
        }
        n
    }

    /// Adds `n` bytes, already written with [`RingBuffer::write_at`] at the end of
    /// the queue, to the queue (at most up to the capacity).
    pub fn commit(&mut self, n: usize) {
        self.len = (self.len + n).min(self.capacity());
    }

    /// Queues as much of `data` as fits and returns how much that was.
    pub fn enqueue(&mut self, data: &[u8]) -> usize {
        let n = self.write_at(self.len, data);
        self.commit(n);
        n
    }

    /// The queued bytes from `offset` on, at most `max` of them, as up to two slices
    /// (the ring may wrap).
    pub fn slices(&self, offset: usize, max: usize) -> (&[u8], &[u8]) {
        if offset >= self.len {
            return (&[], &[]);
        }
        let n = max.min(self.len - offset);
        let cap = self.capacity();
        let start = self.index(offset);
        let first = n.min(cap - start);
        let buf = self.storage.as_ref();
        (
            buf.get(start..start + first).unwrap_or_default(),
            buf.get(..n - first).unwrap_or_default(),
        )
    }

    /// Copies queued bytes from `offset` on into `out` without consuming them, and
    /// returns how many it copied.
    pub fn peek(&self, offset: usize, out: &mut [u8]) -> usize {
        let (a, b) = self.slices(offset, out.len());
        let (oa, ob) = out.split_at_mut(a.len());
        oa.copy_from_slice(a);
        if let Some(ob) = ob.get_mut(..b.len()) {
            ob.copy_from_slice(b);
        }
        a.len() + b.len()
    }

    /// Drops `n` bytes (at most all) from the front of the queue.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        self.read = self.index(n);
        // The read position moves even when the queue empties: bytes written past
        // the end with `write_at` keep their offsets.
        self.len -= n;
    }

    /// Moves up to `out.len()` bytes from the front of the queue into `out` and
    /// returns how many it moved.
    pub fn dequeue(&mut self, out: &mut [u8]) -> usize {
        let n = self.peek(0, out);
        self.consume(n);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn wraps_and_peeks() {
        let mut r = RingBuffer::new([0u8; 8]);
        assert_eq!(r.enqueue(b"abcdef"), 6);
        let mut out = [0u8; 4];
        assert_eq!(r.dequeue(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(r.enqueue(b"ghijklmn"), 6); // 2 queued, 6 free
        assert_eq!(r.slices(0, 8), (&b"efgh"[..], &b"ijkl"[..]));
        let mut out = [0u8; 3];
        assert_eq!(r.peek(4, &mut out), 3);
        assert_eq!(&out, b"ijk");
        assert_eq!(r.free(), 0);
        assert_eq!(r.enqueue(b"x"), 0);
    }

    #[test]
    fn write_at_then_commit() {
        let mut r = RingBuffer::new([0u8; 8]);
        r.enqueue(b"ab");
        assert_eq!(r.write_at(4, b"efghij"), 4); // offsets 4..8 fit
        r.enqueue(b"cd");
        r.commit(4);
        let mut out = [0u8; 8];
        assert_eq!(r.dequeue(&mut out), 8);
        assert_eq!(&out, b"abcdefgh");
    }

    #[test]
    fn zero_capacity_is_inert() {
        let mut r = RingBuffer::new([0u8; 0]);
        assert_eq!(r.enqueue(b"a"), 0);
        assert_eq!(r.write_at(3, b"a"), 0);
        assert_eq!(r.slices(0, 4), (&[][..], &[][..]));
        r.consume(5);
        r.commit(5);
        assert!(r.is_empty());
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn growable_keeps_offsets() {
        let mut r = RingBuffer::new(Growable::new(4, 64));
        r.enqueue(b"abc");
        let mut out = [0u8; 2];
        r.dequeue(&mut out); // read position 2: "c" queued at index 2
        assert_eq!(r.enqueue(b"defghij"), 7);
        assert_eq!(r.capacity(), 8);
        let mut out = [0u8; 8];
        assert_eq!(r.dequeue(&mut out), 8);
        assert_eq!(&out, b"cdefghij");
        assert_eq!(r.write_at(60, b"xyzw"), 4);
        assert_eq!(r.write_at(64, b"x"), 0);
        assert_eq!(r.capacity(), 64);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Enqueue(Vec<u8>),
        Dequeue(usize),
        Peek(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Op::Enqueue),
            (0usize..20).prop_map(Op::Dequeue),
            (0usize..20, 0usize..20).prop_map(|(o, n)| Op::Peek(o, n)),
        ]
    }

    proptest! {
        /// The ring behaves as a bounded FIFO queue (a `VecDeque` model).
        #[test]
        fn behaves_like_a_bounded_deque(ops in proptest::collection::vec(op(), 0..60)) {
            let mut r = RingBuffer::new([0u8; 16]);
            let mut model = VecDeque::new();
            for op in ops {
                match op {
                    Op::Enqueue(d) => {
                        let n = r.enqueue(&d);
                        prop_assert_eq!(n, d.len().min(16 - model.len()));
                        model.extend(&d[..n]);
                    }
                    Op::Dequeue(n) => {
                        let mut out = vec![0u8; n];
                        let got = r.dequeue(&mut out);
                        let want: Vec<u8> = model.drain(..n.min(model.len())).collect();
                        prop_assert_eq!(&out[..got], &want[..]);
                    }
                    Op::Peek(o, n) => {
                        let mut out = vec![0u8; n];
                        let got = r.peek(o, &mut out);
                        let want: Vec<u8> = model.iter().skip(o).take(n).copied().collect();
                        prop_assert_eq!(&out[..got], &want[..]);
                    }
                }
                prop_assert_eq!(r.len(), model.len());
            }
        }
    }
}
