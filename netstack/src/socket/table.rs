//! Sockets by 4-tuple in constant time, and listeners by local address.
//!
//! Every segment that arrives is matched to its connection by its 4-tuple (local
//! address and port, remote address and port). With thousands of connections a scan
//! is not an option: [`Table`] is a hash table that finds a connection in a small,
//! constant number of steps whatever the number of sockets, with no allocator;
//! [`GrowableTable`] (under `alloc`) is the same table on the heap, doubling as it
//! fills, for hosts with a hundred thousand connections. [`Listeners`] maps a local
//! address and port to a listening socket, preferring a listener bound to the exact
//! address over one bound to the unspecified address, as Linux does.
//!
//! ## The hash table
//! Open addressing with linear probing over one array of slots, the layout that
//! touches the fewest cache lines per lookup. Collisions are resolved Robin Hood
//! style (Celis, 1986): an insert that meets an entry nearer its home slot than the
//! new one is to its own takes that slot and carries the displaced entry on, so
//! probe lengths stay short and even, and a lookup for an absent tuple stops as soon
//! as it meets an entry that is nearer home than the tuple would be. Removal shifts
//! the following entries of the run back by one slot (backward-shift deletion), so
//! there are no tombstones and the table never degrades, however many connections
//! come and go. At most 7/8 of the slots are used (the load limit, rounded up); an
//! insert beyond it is [`TableError::Full`], never a panic.
//!
//! The hash is [`Secret::hash_tuple`], keyed by the caller's secret: a remote peer
//! chooses its own address and port, and with an unkeyed hash it could choose
//! thousands of tuples that land in one run of slots and make every lookup a scan
//! (the attack Crosby and Wallach described in 2003, and the reason Linux hashes its
//! sockets with a secret). The slot of a hash is `hash * slots / 2^64` (Lemire's
//! reduction), so the number of slots need not be a power of two.
//!
//! ## Tuples
//! A [`FourTuple`] compares all fields of its [`SocketAddr`]s, including the IPv6
//! flow info and scope id (which the hash ignores). Build tuples for insertion and
//! for lookup the same way: from the segment's addresses, with a flow info of zero,
//! and the scope id zero or the interface's for link-local addresses.
//!
//! ## Example
//! ```
//! use netstack::socket::keyed::Secret;
//! use netstack::socket::table::{FourTuple, Listeners, Table, TableError};
//!
//! // In real use the key comes from the caller's CSPRNG.
//! let mut sockets: Table<usize, 1024> = Table::new(Secret::new([7; 16]));
//! let tuple = FourTuple::new("192.0.2.1:80".parse()?, "198.51.100.7:49152".parse()?);
//! sockets.insert(tuple, 0)?;
//! assert_eq!(sockets.get(&tuple), Some(0));
//! assert_eq!(sockets.insert(tuple, 1), Err(TableError::Occupied));
//!
//! let mut listeners: Listeners<usize, 4> = Listeners::new();
//! listeners.insert("0.0.0.0:80".parse()?, 10)?;
//! listeners.insert("192.0.2.1:80".parse()?, 11)?;
//! assert_eq!(listeners.lookup("192.0.2.1:80".parse()?), Some(11));
//! assert_eq!(listeners.lookup("192.0.2.2:80".parse()?), Some(10));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::net::{IpAddr, SocketAddr};

use super::keyed::Secret;

/// The endpoints of a connection, from this host's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourTuple {
    /// Our address and port (the destination of segments that arrive).
    pub local: SocketAddr,
    /// The peer's address and port (the source of segments that arrive).
    pub remote: SocketAddr,
}

impl FourTuple {
    /// The tuple of a connection between `local` and `remote`.
    pub const fn new(local: SocketAddr, remote: SocketAddr) -> Self {
        FourTuple { local, remote }
    }
}

/// Why an insert into a [`Table`], [`GrowableTable`] or [`Listeners`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The table holds `capacity` entries already.
    #[error("socket table full: capacity {capacity}")]
    Full {
        /// How many entries the table holds at most.
        capacity: usize,
    },
    /// The key (4-tuple, or listening address and port) is in the table already.
    #[error("address already in use")]
    Occupied,
    /// A [`GrowableTable`] could not allocate `slots` slots to grow into.
    #[error("out of memory growing the socket table to {slots} slots")]
    OutOfMemory {
        /// The number of slots it tried to allocate.
        slots: usize,
    },
}

/// One occupied slot: the tuple, its value, and its hash (kept so that a probe
/// compares one integer before the tuple, and growth does not rehash).
#[derive(Clone, Copy)]
struct Slot<V> {
    hash: u64,
    tuple: FourTuple,
    value: V,
}

/// How many of `slots` slots may be used: 7/8, rounded up, so that tables of fewer
/// than 8 slots can fill every one.
const fn load_limit(slots: usize) -> usize {
    slots - slots / 8
}

/// The hash function of a table: the secret's, or in tests a chosen one that makes
/// collisions on purpose.
#[derive(Clone)]
enum TupleHasher {
    Keyed(Secret),
    #[cfg(test)]
    Fixed(fn(&FourTuple) -> u64),
}

impl TupleHasher {
    fn hash(&self, tuple: &FourTuple) -> u64 {
        match self {
            TupleHasher::Keyed(secret) => secret.hash_tuple(tuple.local, tuple.remote),
            #[cfg(test)]
            TupleHasher::Fixed(f) => f(tuple),
        }
    }
}

/// The Robin Hood table over a slice of slots, shared by [`Table`] and
/// [`GrowableTable`]. Every loop is bounded by the number of slots.
mod raw {
    use super::{FourTuple, Slot, TableError};

    pub(super) type Slots<V> = [Option<Slot<V>>];

    /// The home slot of `hash` among `n`: `hash * n / 2^64`, below `n` when `n > 0`.
    fn home(hash: u64, n: usize) -> usize {
        // The product shifted right by 64 is below n, so it fits a usize.
        ((u128::from(hash) * n as u128) >> 64) as usize
    }

    fn next(i: usize, n: usize) -> usize {
        if i + 1 >= n { 0 } else { i + 1 }
    }

    /// How far slot `i` is from the home of `hash`, going forward with wrap.
    fn distance(hash: u64, i: usize, n: usize) -> usize {
        let h = home(hash, n);
        if i >= h { i - h } else { i + n - h }
    }

    /// The slot that holds `tuple`.
    pub(super) fn find<V>(slots: &Slots<V>, hash: u64, tuple: &FourTuple) -> Option<usize> {
        let n = slots.len();
        let mut i = home(hash, n);
        for dist in 0..n {
            let slot = slots.get(i)?.as_ref()?;
            if slot.hash == hash && slot.tuple == *tuple {
                return Some(i);
            }
            // Were the tuple further on, it would have taken this slot from an entry
            // so near its home.
            if distance(slot.hash, i, n) < dist {
                return None;
            }
            i = next(i, n);
        }
        None
    }

    /// Inserts `new`, whose tuple is not in the table. The caller guarantees an
    /// empty slot (the load limit is at most the number of slots).
    pub(super) fn insert_new<V>(slots: &mut Slots<V>, mut new: Slot<V>) -> Result<(), TableError> {
        let n = slots.len();
        let mut i = home(new.hash, n);
        let mut dist = 0;
        for _ in 0..n {
            let Some(entry) = slots.get_mut(i) else { break };
            match entry {
                None => {
                    *entry = Some(new);
                    return Ok(());
                }
                Some(occupant) => {
                    let theirs = distance(occupant.hash, i, n);
                    if theirs < dist {
                        core::mem::swap(occupant, &mut new);
                        dist = theirs;
                    }
                }
            }
            i = next(i, n);
            dist += 1;
        }
        // No empty slot: only reachable if the caller broke its guarantee.
        Err(TableError::Full { capacity: n })
    }

    /// Removes the entry in slot `i` and shifts the rest of its run back.
    pub(super) fn remove_at<V>(slots: &mut Slots<V>, mut i: usize) -> Option<Slot<V>> {
        let n = slots.len();
        let removed = slots.get_mut(i)?.take()?;
        for _ in 0..n {
            let j = next(i, n);
            let movable = matches!(slots.get(j), Some(Some(s)) if distance(s.hash, j, n) > 0);
            if !movable {
                break;
            }
            let moved = slots.get_mut(j).and_then(Option::take);
            if let Some(hole) = slots.get_mut(i) {
                *hole = moved;
            }
            i = j;
        }
        Some(removed)
    }

    /// Checks the Robin Hood invariant: every entry is reachable from its home
    /// through occupied slots whose entries are at least as far from their homes.
    #[cfg(test)]
    pub(super) fn check<V>(slots: &Slots<V>) {
        let n = slots.len();
        for (i, slot) in slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            let d = distance(slot.hash, i, n);
            let mut j = home(slot.hash, n);
            for k in 0..d {
                let other = slots[j].as_ref().expect("a hole inside a run");
                assert!(distance(other.hash, j, n) >= k, "Robin Hood order broken");
                j = next(j, n);
            }
            assert_eq!(find(slots, slot.hash, &slot.tuple), Some(i));
        }
    }
}

/// A fixed-capacity hash table from [`FourTuple`] to `V`, with `N` slots and no
/// allocator.
///
/// Lookups, inserts and removals take a constant expected number of steps, whatever
/// the number of entries (see the [module documentation](self)); each is bounded by
/// `N` steps in the worst case. At most [`capacity`](Self::capacity) entries fit:
/// 7/8 of `N`, rounded up. `N` may be any number, zero included (a table that holds
/// nothing).
///
/// `V` is what the caller finds a socket by: an index into its socket array, a
/// handle.
///
/// The slots live inside the value (80 bytes each with a `u32` value on 64-bit targets), and
/// [`new`](Self::new) returns it by value: put a large table in a `static`, a `Box`
/// or the caller's long-lived state rather than on a small stack, or use
/// [`GrowableTable`].
#[derive(Clone)]
pub struct Table<V: Copy, const N: usize> {
    hasher: TupleHasher,
    slots: [Option<Slot<V>>; N],
    len: usize,
}

impl<V: Copy + fmt::Debug, const N: usize> fmt::Debug for Table<V, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Copy, const N: usize> Table<V, N> {
    /// An empty table that hashes with `secret`.
    pub fn new(secret: Secret) -> Self {
        Self::with_hasher(TupleHasher::Keyed(secret))
    }

    /// An empty table with a chosen hash function, to force collisions in tests.
    #[cfg(test)]
    fn with_hash_fn(f: fn(&FourTuple) -> u64) -> Self {
        Self::with_hasher(TupleHasher::Fixed(f))
    }

    fn with_hasher(hasher: TupleHasher) -> Self {
        Table {
            hasher,
            slots: [None; N],
            len: 0,
        }
    }

    /// The number of entries.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of entries the table holds at most: 7/8 of `N`, rounded up.
    pub const fn capacity(&self) -> usize {
        load_limit(N)
    }

    /// Maps `tuple` to `value`. Fails with [`TableError::Occupied`] when the tuple is
    /// present (its value is left alone) and [`TableError::Full`] when the table
    /// holds [`capacity`](Self::capacity) entries.
    pub fn insert(&mut self, tuple: FourTuple, value: V) -> Result<(), TableError> {
        let hash = self.hasher.hash(&tuple);
        if raw::find(&self.slots, hash, &tuple).is_some() {
            return Err(TableError::Occupied);
        }
        if self.len >= self.capacity() {
            return Err(TableError::Full {
                capacity: self.capacity(),
            });
        }
        raw::insert_new(&mut self.slots, Slot { hash, tuple, value })?;
        self.len += 1;
        Ok(())
    }

    /// The value of `tuple`.
    pub fn get(&self, tuple: &FourTuple) -> Option<V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        self.slots.get(i)?.as_ref().map(|s| s.value)
    }

    /// The value of `tuple`, to change in place.
    pub fn get_mut(&mut self, tuple: &FourTuple) -> Option<&mut V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        self.slots.get_mut(i)?.as_mut().map(|s| &mut s.value)
    }

    /// Whether `tuple` is in the table.
    pub fn contains(&self, tuple: &FourTuple) -> bool {
        raw::find(&self.slots, self.hasher.hash(tuple), tuple).is_some()
    }

    /// Removes `tuple`; returns its value if it was present.
    pub fn remove(&mut self, tuple: &FourTuple) -> Option<V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        let removed = raw::remove_at(&mut self.slots, i)?;
        self.len -= 1;
        Some(removed.value)
    }

    /// The entries, in no particular order (the order depends on the secret).
    pub fn iter(&self) -> impl Iterator<Item = (FourTuple, V)> + '_ {
        self.slots.iter().flatten().map(|s| (s.tuple, s.value))
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.slots = [None; N];
        self.len = 0;
    }
}

/// A hash table from [`FourTuple`] to `V` on the heap, which doubles its slots when
/// it reaches its load limit (7/8 of the slots), up to an optional maximum number of
/// entries.
///
/// The same table as [`Table`]: constant expected time per operation. Growth moves
/// every entry once (without rehashing: slots keep their hash), so the cost of an
/// insert is constant amortized; a host that wants no pause at all sizes it up front
/// with [`with_capacity`](Self::with_capacity). Allocation failure is
/// [`TableError::OutOfMemory`], not an abort. The table never shrinks.
#[cfg(feature = "alloc")]
#[derive(Clone)]
pub struct GrowableTable<V: Copy> {
    hasher: TupleHasher,
    slots: alloc::vec::Vec<Option<Slot<V>>>,
    len: usize,
    max_len: usize,
}

#[cfg(feature = "alloc")]
impl<V: Copy + fmt::Debug> fmt::Debug for GrowableTable<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(feature = "alloc")]
impl<V: Copy> GrowableTable<V> {
    /// The number of slots of the first allocation.
    const MIN_SLOTS: usize = 16;

    /// An empty table that hashes with `secret`, allocates on its first insert and
    /// may grow without limit (until memory runs out).
    pub fn new(secret: Secret) -> Self {
        Self::with_hasher(TupleHasher::Keyed(secret), usize::MAX)
    }

    /// An empty table that holds at most `max_len` entries: the bound a host puts on
    /// what a flood of connections can take.
    pub fn with_limit(secret: Secret, max_len: usize) -> Self {
        Self::with_hasher(TupleHasher::Keyed(secret), max_len)
    }

    /// An empty table with room for `entries` entries before it grows, without limit.
    pub fn with_capacity(secret: Secret, entries: usize) -> Result<Self, TableError> {
        let mut table = Self::new(secret);
        let mut slots = Self::MIN_SLOTS;
        while load_limit(slots) < entries {
            slots = slots
                .checked_mul(2)
                .ok_or(TableError::OutOfMemory { slots })?;
        }
        table.resize(slots)?;
        Ok(table)
    }

    #[cfg(test)]
    fn with_hash_fn(f: fn(&FourTuple) -> u64) -> Self {
        Self::with_hasher(TupleHasher::Fixed(f), usize::MAX)
    }

    fn with_hasher(hasher: TupleHasher, max_len: usize) -> Self {
        GrowableTable {
            hasher,
            slots: alloc::vec::Vec::new(),
            len: 0,
            max_len,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of entries the table holds before it next grows.
    pub fn capacity(&self) -> usize {
        load_limit(self.slots.len()).min(self.max_len)
    }

    /// The most entries it will ever hold (`usize::MAX` when unlimited).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Moves every entry into `slots` new slots.
    fn resize(&mut self, slots: usize) -> Result<(), TableError> {
        let mut new = alloc::vec::Vec::new();
        new.try_reserve_exact(slots)
            .map_err(|_| TableError::OutOfMemory { slots })?;
        new.resize(slots, None);
        for slot in self.slots.iter().flatten() {
            // Distinct tuples, and fewer than `slots` of them: this cannot fail.
            raw::insert_new(&mut new, *slot)?;
        }
        self.slots = new;
        Ok(())
    }

    /// Maps `tuple` to `value`, growing the table if it is at its load limit. Fails
    /// with [`TableError::Occupied`] when the tuple is present,
    /// [`TableError::Full`] at the table's maximum and [`TableError::OutOfMemory`]
    /// when growing fails (the table is then unchanged).
    pub fn insert(&mut self, tuple: FourTuple, value: V) -> Result<(), TableError> {
        let hash = self.hasher.hash(&tuple);
        if raw::find(&self.slots, hash, &tuple).is_some() {
            return Err(TableError::Occupied);
        }
        if self.len >= self.max_len {
            return Err(TableError::Full {
                capacity: self.max_len,
            });
        }
        if self.len >= load_limit(self.slots.len()) {
            let n = self.slots.len();
            let slots = if n == 0 {
                Self::MIN_SLOTS
            } else {
                n.checked_mul(2)
                    .ok_or(TableError::OutOfMemory { slots: usize::MAX })?
            };
            self.resize(slots)?;
        }
        raw::insert_new(&mut self.slots, Slot { hash, tuple, value })?;
        self.len += 1;
        Ok(())
    }

    /// The value of `tuple`.
    pub fn get(&self, tuple: &FourTuple) -> Option<V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        self.slots.get(i)?.as_ref().map(|s| s.value)
    }

    /// The value of `tuple`, to change in place.
    pub fn get_mut(&mut self, tuple: &FourTuple) -> Option<&mut V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        self.slots.get_mut(i)?.as_mut().map(|s| &mut s.value)
    }

    /// Whether `tuple` is in the table.
    pub fn contains(&self, tuple: &FourTuple) -> bool {
        raw::find(&self.slots, self.hasher.hash(tuple), tuple).is_some()
    }

    /// Removes `tuple`; returns its value if it was present.
    pub fn remove(&mut self, tuple: &FourTuple) -> Option<V> {
        let i = raw::find(&self.slots, self.hasher.hash(tuple), tuple)?;
        let removed = raw::remove_at(&mut self.slots, i)?;
        self.len -= 1;
        Some(removed.value)
    }

    /// The entries, in no particular order (the order depends on the secret).
    pub fn iter(&self) -> impl Iterator<Item = (FourTuple, V)> + '_ {
        self.slots.iter().flatten().map(|s| (s.tuple, s.value))
    }

    /// Removes every entry, keeping the memory.
    pub fn clear(&mut self) {
        self.slots.fill(None);
        self.len = 0;
    }
}

/// Listening sockets by local address and port: at most `N`, found by a scan (a
/// host listens on a few ports, and only a SYN that matches no connection looks
/// here).
///
/// A listener is bound to one address, or to the unspecified address of a family
/// (`0.0.0.0` or `::`) to accept on every address of that family.
/// [`lookup`](Self::lookup) prefers the exact address, then the unspecified one of
/// the same family, as Linux does. A listener bound to `::` does not accept IPv4:
/// a dual-stack server registers both `0.0.0.0` and `::` (Linux's `IPV6_V6ONLY`).
/// Only the IP address and port of a [`SocketAddr`] count.
#[derive(Debug, Clone)]
pub struct Listeners<V: Copy, const N: usize> {
    /// Packed: the first `len` are `Some`.
    entries: [Option<(IpAddr, u16, V)>; N],
    len: usize,
}

impl<V: Copy, const N: usize> Default for Listeners<V, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Copy, const N: usize> Listeners<V, N> {
    /// No listeners.
    pub const fn new() -> Self {
        Listeners {
            entries: [None; N],
            len: 0,
        }
    }

    /// The number of listeners.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    fn live(&self) -> &[Option<(IpAddr, u16, V)>] {
        self.entries.get(..self.len).unwrap_or(&[])
    }

    fn position(&self, addr: SocketAddr) -> Option<usize> {
        let (ip, port) = (addr.ip(), addr.port());
        self.live()
            .iter()
            .position(|e| matches!(e, Some((i, p, _)) if *i == ip && *p == port))
    }

    /// Adds a listener on `addr` (its address may be unspecified). Fails with
    /// [`TableError::Occupied`] when that address and port have a listener, and
    /// [`TableError::Full`] when `N` do. A listener on the unspecified address and
    /// one on a specific address may share a port.
    pub fn insert(&mut self, addr: SocketAddr, value: V) -> Result<(), TableError> {
        if self.position(addr).is_some() {
            return Err(TableError::Occupied);
        }
        let slot = self
            .entries
            .get_mut(self.len)
            .ok_or(TableError::Full { capacity: N })?;
        *slot = Some((addr.ip(), addr.port(), value));
        self.len += 1;
        Ok(())
    }

    /// Removes the listener bound to exactly `addr`; returns its value.
    pub fn remove(&mut self, addr: SocketAddr) -> Option<V> {
        let i = self.position(addr)?;
        let last = self.len.checked_sub(1)?;
        self.entries.swap(i, last);
        let removed = self.entries.get_mut(last).and_then(Option::take);
        self.len = last;
        removed.map(|(_, _, v)| v)
    }

    /// The listener bound to exactly `addr` (no wildcard matching).
    pub fn get(&self, addr: SocketAddr) -> Option<V> {
        let i = self.position(addr)?;
        self.live().get(i)?.map(|(_, _, v)| v)
    }

    /// The listener for a SYN to `dst`: one bound to `dst`'s address and port, else
    /// one bound to the unspecified address of `dst`'s family and its port.
    pub fn lookup(&self, dst: SocketAddr) -> Option<V> {
        let (ip, port) = (dst.ip(), dst.port());
        let mut wildcard = None;
        for (i, p, v) in self.live().iter().flatten() {
            if *p != port {
                continue;
            }
            if *i == ip {
                return Some(*v);
            }
            if i.is_unspecified() && i.is_ipv4() == ip.is_ipv4() {
                wildcard = Some(*v);
            }
        }
        wildcard
    }

    /// The listeners' addresses and values, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (SocketAddr, V)> + '_ {
        self.live()
            .iter()
            .flatten()
            .map(|(i, p, v)| (SocketAddr::new(*i, *p), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn secret() -> Secret {
        Secret::new(*b"0123456789abcdef")
    }

    /// Distinct tuples of both families, numbered.
    fn tuple(i: u32) -> FourTuple {
        let port = 1024 + (i % 60_000) as u16;
        if i.is_multiple_of(2) {
            FourTuple::new(
                SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 80),
                SocketAddr::new(IpAddr::V4(Ipv4Addr::from_bits(0x0a00_0000 + i)), port),
            )
        } else {
            FourTuple::new(
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 443),
                SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::from_bits(0x2001_0db8 << 96 | u128::from(i))),
                    port,
                ),
            )
        }
    }

    // Hash functions that collide on purpose. `home = hash * N / 2^64`.
    fn all_same(_: &FourTuple) -> u64 {
        0
    }
    fn all_last(_: &FourTuple) -> u64 {
        u64::MAX
    }
    fn four_homes(t: &FourTuple) -> u64 {
        u64::from(t.remote.port() % 4) << 62
    }
    fn two_near_the_end(t: &FourTuple) -> u64 {
        u64::MAX - u64::from(t.remote.port() % 2) * (u64::MAX / 16)
    }

    #[test]
    fn insert_get_remove() {
        let mut t: Table<u32, 64> = Table::new(secret());
        assert!(t.is_empty());
        assert_eq!(t.capacity(), 56);
        for i in 0..50 {
            assert_eq!(t.insert(tuple(i), i), Ok(()));
        }
        assert_eq!(t.len(), 50);
        for i in 0..50 {
            assert_eq!(t.get(&tuple(i)), Some(i));
        }
        assert_eq!(t.get(&tuple(50)), None);
        assert_eq!(t.insert(tuple(7), 99), Err(TableError::Occupied));
        assert_eq!(t.get(&tuple(7)), Some(7));
        *t.get_mut(&tuple(7)).unwrap() = 70;
        assert_eq!(t.get(&tuple(7)), Some(70));
        assert_eq!(t.remove(&tuple(7)), Some(70));
        assert_eq!(t.remove(&tuple(7)), None);
        assert!(!t.contains(&tuple(7)));
        assert_eq!(t.len(), 49);
        let mut seen: Vec<u32> = t.iter().map(|(_, v)| v).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..50).filter(|&i| i != 7).collect::<Vec<_>>());
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.get(&tuple(1)), None);
    }

    #[test]
    fn full_table() {
        let mut t: Table<u32, 16> = Table::new(secret());
        assert_eq!(t.capacity(), 14);
        for i in 0..14 {
            t.insert(tuple(i), i).unwrap();
        }
        assert_eq!(
            t.insert(tuple(14), 14),
            Err(TableError::Full { capacity: 14 })
        );
        // A duplicate is Occupied even when full.
        assert_eq!(t.insert(tuple(3), 14), Err(TableError::Occupied));
        // A miss in a full table terminates.
        assert_eq!(t.get(&tuple(1000)), None);
        assert_eq!(t.remove(&tuple(1000)), None);
        assert_eq!(t.len(), 14);
        for i in 0..14 {
            assert_eq!(t.get(&tuple(i)), Some(i));
        }
    }

    #[test]
    fn remove_then_reinsert() {
        let mut t: Table<u32, 8> = Table::with_hash_fn(all_same);
        assert_eq!(t.capacity(), 7);
        for i in 0..7 {
            t.insert(tuple(i), i).unwrap();
        }
        raw::check(&t.slots);
        for round in 0..20 {
            let victim = tuple(round % 7);
            assert_eq!(t.remove(&victim), Some(round % 7));
            raw::check(&t.slots);
            assert_eq!(t.insert(tuple(100), 100), Ok(()));
            assert_eq!(
                t.insert(tuple(101), 101),
                Err(TableError::Full { capacity: 7 })
            );
            assert_eq!(t.remove(&tuple(100)), Some(100));
            assert_eq!(t.insert(victim, round % 7), Ok(()));
            raw::check(&t.slots);
            for i in 0..7 {
                assert_eq!(t.get(&tuple(i)), Some(i));
            }
        }
    }

    #[test]
    fn small_and_odd_sizes() {
        let mut zero: Table<u8, 0> = Table::new(secret());
        assert_eq!(zero.capacity(), 0);
        assert_eq!(
            zero.insert(tuple(1), 1),
            Err(TableError::Full { capacity: 0 })
        );
        assert_eq!(zero.get(&tuple(1)), None);
        assert_eq!(zero.remove(&tuple(1)), None);

        // Under 8 slots every slot can be used; lookups of absent tuples in a full
        // table stop after N steps.
        let mut one: Table<u8, 1> = Table::with_hash_fn(all_last);
        assert_eq!(one.capacity(), 1);
        one.insert(tuple(1), 1).unwrap();
        assert_eq!(
            one.insert(tuple(2), 2),
            Err(TableError::Full { capacity: 1 })
        );
        assert_eq!(one.get(&tuple(2)), None);
        assert_eq!(one.remove(&tuple(1)), Some(1));
        one.insert(tuple(2), 2).unwrap();

        let mut three: Table<u32, 3> = Table::with_hash_fn(all_last);
        for i in 0..3 {
            three.insert(tuple(i), i).unwrap();
        }
        raw::check(&three.slots);
        assert_eq!(three.get(&tuple(9)), None);
        assert_eq!(three.remove(&tuple(0)), Some(0));
        raw::check(&three.slots);
        assert_eq!(three.get(&tuple(2)), Some(2));

        let mut odd: Table<u32, 37> = Table::new(secret());
        assert_eq!(odd.capacity(), 37 - 4);
        for i in 0..33 {
            odd.insert(tuple(i), i).unwrap();
        }
        raw::check(&odd.slots);
        assert_eq!(
            odd.insert(tuple(33), 33),
            Err(TableError::Full { capacity: 33 })
        );
    }

    #[test]
    fn keyed_hash_spreads_a_flood_of_one_peer() {
        // One remote host opening every source port: with the keyed hash no run of
        // slots gets long (an unkeyed hash of the port alone would let the peer put
        // them all in one run).
        let mut t: Table<u16, 4096> = Table::new(secret());
        let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 80);
        let remote = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9));
        for port in 0..3000u16 {
            t.insert(FourTuple::new(local, SocketAddr::new(remote, port)), port)
                .unwrap();
        }
        raw::check(&t.slots);
        let n = t.slots.len();
        let worst = t
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s.hash)))
            .map(|(i, h)| {
                let home = ((u128::from(h) * n as u128) >> 64) as usize;
                (i + n - home) % n
            })
            .max()
            .unwrap();
        // At load 0.73 the longest displacement is a few tens at most.
        assert!(worst < 64, "longest probe {worst}");
    }

    #[test]
    fn debug_lists_entries() {
        let mut t: Table<u8, 4> = Table::new(secret());
        t.insert(tuple(0), 5).unwrap();
        let s = format!("{t:?}");
        assert!(s.contains("FourTuple") && s.contains(": 5"), "{s}");
        assert!(!s.contains("Secret"));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u32, u32),
        Remove(u32),
        Get(u32),
        Set(u32, u32),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        // 48 distinct tuples for a table that holds 28: collisions, full tables,
        // removals of absent keys.
        let key = 0u32..48;
        let op = prop_oneof![
            3 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            2 => key.clone().prop_map(Op::Remove),
            1 => key.clone().prop_map(Op::Get),
            1 => (key, any::<u32>()).prop_map(|(k, v)| Op::Set(k, v)),
        ];
        proptest::collection::vec(op, 0..300)
    }

    /// Runs `ops` against a table and a `HashMap`, checking every result.
    fn run_model<const N: usize>(mut t: Table<u32, N>, ops: &[Op]) -> Result<(), TestCaseError> {
        let mut model: HashMap<FourTuple, u32> = HashMap::new();
        let cap = t.capacity();
        for op in ops {
            match *op {
                Op::Insert(k, v) => {
                    let expect = if model.contains_key(&tuple(k)) {
                        Err(TableError::Occupied)
                    } else if model.len() >= cap {
                        Err(TableError::Full { capacity: cap })
                    } else {
                        model.insert(tuple(k), v);
                        Ok(())
                    };
                    prop_assert_eq!(t.insert(tuple(k), v), expect);
                }
                Op::Remove(k) => prop_assert_eq!(t.remove(&tuple(k)), model.remove(&tuple(k))),
                Op::Get(k) => prop_assert_eq!(t.get(&tuple(k)), model.get(&tuple(k)).copied()),
                Op::Set(k, v) => {
                    let got = t.get_mut(&tuple(k)).map(|x| {
                        *x = v;
                    });
                    let want = model.get_mut(&tuple(k)).map(|x| {
                        *x = v;
                    });
                    prop_assert_eq!(got, want);
                }
            }
            raw::check(&t.slots);
            prop_assert_eq!(t.len(), model.len());
        }
        for k in 0..48 {
            prop_assert_eq!(t.get(&tuple(k)), model.get(&tuple(k)).copied());
        }
        // iter yields every entry once, with its value.
        let mut seen = 0;
        for (k, v) in t.iter() {
            prop_assert_eq!(model.get(&k), Some(&v));
            seen += 1;
        }
        prop_assert_eq!(seen, model.len());
        Ok(())
    }

    proptest! {
        #[test]
        fn matches_hashmap_keyed(ops in ops()) {
            run_model(Table::<u32, 32>::new(secret()), &ops)?;
        }

        #[test]
        fn matches_hashmap_one_bucket(ops in ops()) {
            run_model(Table::<u32, 32>::with_hash_fn(all_same), &ops)?;
        }

        #[test]
        fn matches_hashmap_wrapping_bucket(ops in ops()) {
            run_model(Table::<u32, 32>::with_hash_fn(all_last), &ops)?;
        }

        #[test]
        fn matches_hashmap_four_buckets(ops in ops()) {
            run_model(Table::<u32, 32>::with_hash_fn(four_homes), &ops)?;
        }

        #[test]
        fn matches_hashmap_odd_size_near_end(ops in ops()) {
            run_model(Table::<u32, 31>::with_hash_fn(two_near_the_end), &ops)?;
        }

        #[test]
        fn matches_hashmap_tiny(ops in ops()) {
            run_model(Table::<u32, 5>::with_hash_fn(four_homes), &ops)?;
        }
    }

    #[cfg(feature = "alloc")]
    mod growable {
        use super::*;

        #[test]
        fn grows_past_ten_thousand() {
            let mut t: GrowableTable<u32> = GrowableTable::new(secret());
            assert_eq!(t.capacity(), 0);
            for i in 0..20_000 {
                t.insert(tuple(i), i).unwrap();
                if i % 4999 == 0 {
                    raw::check(&t.slots);
                }
            }
            assert_eq!(t.len(), 20_000);
            // 16 slots doubled to the first power of two whose 7/8 holds 20,000.
            assert_eq!(t.slots.len(), 32_768);
            assert_eq!(t.capacity(), 28_672);
            for i in 0..20_000 {
                assert_eq!(t.get(&tuple(i)), Some(i), "{i}");
            }
            assert_eq!(t.get(&tuple(20_000)), None);
            assert_eq!(t.insert(tuple(5), 0), Err(TableError::Occupied));
            for i in (0..20_000).step_by(2) {
                assert_eq!(t.remove(&tuple(i)), Some(i));
            }
            raw::check(&t.slots);
            for i in 0..20_000 {
                let want = if i % 2 == 0 { None } else { Some(i) };
                assert_eq!(t.get(&tuple(i)), want);
            }
            *t.get_mut(&tuple(1)).unwrap() = 7;
            assert_eq!(t.get(&tuple(1)), Some(7));
            assert_eq!(t.iter().count(), 10_000);
            t.clear();
            assert!(t.is_empty());
            assert!(!t.contains(&tuple(1)));
        }

        #[test]
        fn grows_with_collisions() {
            let mut t: GrowableTable<u32> = GrowableTable::with_hash_fn(four_homes);
            for i in 0..500 {
                t.insert(tuple(i), i).unwrap();
            }
            raw::check(&t.slots);
            for i in 0..500 {
                assert_eq!(t.get(&tuple(i)), Some(i));
            }
        }

        #[test]
        fn limit_and_presize() {
            let mut t: GrowableTable<u32> = GrowableTable::with_limit(secret(), 100);
            for i in 0..100 {
                t.insert(tuple(i), i).unwrap();
            }
            assert_eq!(
                t.insert(tuple(100), 0),
                Err(TableError::Full { capacity: 100 })
            );
            assert_eq!(t.max_len(), 100);
            assert_eq!(t.capacity(), 100);

            let mut t: GrowableTable<u32> = GrowableTable::with_capacity(secret(), 1000).unwrap();
            let slots = t.slots.len();
            assert!(load_limit(slots) >= 1000);
            for i in 0..1000 {
                t.insert(tuple(i), i).unwrap();
            }
            assert_eq!(
                t.slots.len(),
                slots,
                "no growth below the requested capacity"
            );
        }
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn listeners_prefer_the_exact_address() {
        let mut l: Listeners<u8, 4> = Listeners::new();
        l.insert(sa("0.0.0.0:80"), 1).unwrap();
        l.insert(sa("192.0.2.1:80"), 2).unwrap();
        l.insert(sa("[::]:80"), 3).unwrap();
        l.insert(sa("[2001:db8::1]:443"), 4).unwrap();
        assert_eq!(l.lookup(sa("192.0.2.1:80")), Some(2));
        assert_eq!(l.lookup(sa("192.0.2.2:80")), Some(1));
        assert_eq!(l.lookup(sa("[2001:db8::1]:80")), Some(3));
        assert_eq!(l.lookup(sa("[2001:db8::1]:443")), Some(4));
        assert_eq!(l.lookup(sa("[2001:db8::2]:443")), None);
        assert_eq!(l.lookup(sa("192.0.2.1:443")), None);
        assert_eq!(l.lookup(sa("192.0.2.1:81")), None);
        // Exact wins whatever the insertion order.
        let mut m: Listeners<u8, 2> = Listeners::new();
        m.insert(sa("192.0.2.1:80"), 2).unwrap();
        m.insert(sa("0.0.0.0:80"), 1).unwrap();
        assert_eq!(m.lookup(sa("192.0.2.1:80")), Some(2));
        assert_eq!(m.get(sa("0.0.0.0:80")), Some(1));
        assert_eq!(m.get(sa("192.0.2.9:80")), None);
    }

    #[test]
    fn listeners_duplicates_full_remove() {
        let mut l: Listeners<u8, 2> = Listeners::default();
        assert!(l.is_empty());
        l.insert(sa("0.0.0.0:80"), 1).unwrap();
        assert_eq!(l.insert(sa("0.0.0.0:80"), 9), Err(TableError::Occupied));
        l.insert(sa("[::]:80"), 2).unwrap();
        assert_eq!(
            l.insert(sa("[::]:81"), 3),
            Err(TableError::Full { capacity: 2 })
        );
        assert_eq!(l.len(), 2);
        assert_eq!(l.capacity(), 2);
        assert_eq!(l.remove(sa("0.0.0.0:80")), Some(1));
        assert_eq!(l.remove(sa("0.0.0.0:80")), None);
        assert_eq!(l.lookup(sa("10.0.0.1:80")), None);
        assert_eq!(l.lookup(sa("[::1]:80")), Some(2));
        l.insert(sa("[::]:81"), 3).unwrap();
        let mut all: Vec<_> = l.iter().collect();
        all.sort_by_key(|(_, v)| *v);
        assert_eq!(all, [(sa("[::]:80"), 2), (sa("[::]:81"), 3)]);
        let mut zero: Listeners<u8, 0> = Listeners::new();
        assert_eq!(
            zero.insert(sa("0.0.0.0:1"), 1),
            Err(TableError::Full { capacity: 0 })
        );
        assert_eq!(zero.lookup(sa("10.0.0.1:1")), None);
    }
}
