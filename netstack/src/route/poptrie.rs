//! Full-table routing tables (feature `alloc`): a Poptrie for each family.
//!
//! The lookup structure follows Asai and Ohara, "Poptrie: A Compressed Trie with
//! Population Count for Fast and Scalable Software IP Routing Table Lookup"
//! (SIGCOMM 2015):
//!
//! ```text
//!  address bits:  [ 0 .. s )   [s..s+6)  [s+6..s+12) ...   (6-bit strides)
//!                      |           |        s = 18 for IPv4, 16 for IPv6
//!  top: 2^s x u32 -----+           |       entry: leaf (route+1, 0 = none)
//!    entry = leaf, or NODE|index   |              or NODE | index into `nodes`
//!                                  v
//!  Node { vector: u64,  bit v set: child v is an internal node
//!         leafvec: u64, bit v set: a run of equal leaves starts at child v
//!         base1: u32,   children of this node: nodes[base1 ..]   (contiguous)
//!         base0: u32 }  leaves of this node:   leaves[base0 ..]  (one per run)
//!
//!  child v internal: nodes[base1 + popcount(vector & bits 0..=v) - 1]
//!  child v leaf:     leaves[base0 + popcount(leafvec & bits 0..=v) - 1]
//! ```
//!
//! A leaf is a 32-bit index into an arena of values, plus one; 0 means "no route".
//! The arena holds each distinct value once (values are interned, hence `V: Ord`):
//! the routes of a real forwarding table point to a handful of next hops, so the arena
//! stays tiny and neighbouring prefixes with the same next hop share their leaves. Prefixes shorter than a node's stride are expanded into the
//! node's leaves (leaf pushing), and equal neighbouring leaves are stored once, which
//! is what keeps the structure small. The IPv4 top level has 2^18 entries (1 MiB), as
//! in the paper's best configuration: a /24, the most common length, is then resolved
//! by one node. The IPv6 table is the same structure over 128-bit keys with a 2^16
//! top level (256 KiB; nearly all IPv6 prefixes share a few top 16-bit values), then
//! 6-bit strides, at most 19 levels.
//!
//! ## Updates
//! Beside the lookup structure each table keeps the prefix list (a `BTreeMap` from
//! prefix to value slot), which gives [`Ipv4Table::iter`], exact [`Ipv4Table::get`] and
//! the input of rebuilds. An insert or remove rebuilds the subtrees under the top-level
//! entries the prefix covers: one entry for a prefix longer than `s` bits, `2^(s-len)`
//! entries otherwise. Inserting a present prefix with its present value changes
//! nothing; with another value it is rebuilt like a new prefix. Rebuilt subtrees are appended to the node and leaf arrays;
//! when the abandoned space exceeds the live space the whole structure is rebuilt
//! compactly. [`Ipv4Table::extend`] (and `FromIterator`) insert many prefixes with
//! one rebuild at the end: that is how to load a full table.
//!
//! Lookup cost: one top-level read, then one node read per 6 bits beyond the `s`-th bit
//! of the matched prefix (at most 3 for IPv4), and one leaf read; each is a
//! population count and an array index. No allocation, no recursion.
//!
//! ## Figures (full table of `../shared/data/routes/prefixes.txt.gz`, `V = u32`)
//! From `cargo bench -p rayos-net-benches --bench route` (which prints the sizes), on a
//! shared 2-core machine, batches of 1,024 addresses inside the table's prefixes:
//!
//! | table | prefixes | `memory_bytes` | rayos | prefix-trie 0.10 | treebitmap 0.5 |
//! |-------|---------:|---------------:|------:|-----------------:|---------------:|
//! | IPv4  | 901,899  | 10,221,092 B (9.7 MiB) | 9.0 ns (111 M/s) | 36.6 ns (27 M/s) | 71.9 ns (14 M/s) |
//! | IPv6  | 160,147  | 4,201,420 B (4.0 MiB)   | 33.5 ns (30 M/s) | 66.4 ns (15 M/s) | 144.4 ns (7 M/s) |
//!
//! (Medians; the IPv4 `rayos` figure ranged 103-116 M/s over runs on the shared
//! machine. A 2^20 IPv6 top level gave 35 M/s for 7.6 MiB: not worth it.)
//!
//! [`Ipv4Table::memory_bytes`] counts the top level, nodes, leaves and the value arena
//! (3.4 MiB of the IPv4 figure above, whose benchmark gives every prefix its own `u32`
//! value: the worst case; a forwarding table of [`Route`]s over 8
//! next hops needs 6,391,764 B, 6.1 MiB, see `tests/full_table.rs`), what a lookup
//! reads; not the
//! prefix list (`BTreeMap`) kept for updates and iteration, which adds 12.5 MB
//! (11.9 MiB) for the full IPv4 table when it is loaded with `extend` or `collect`
//! (about twice that if filled one `insert` at a time). Measured with a counting
//! allocator: the whole IPv4 table is 22.7 MB (21.6 MiB) of heap. Update costs on the
//! full IPv4 table (release build): a new /24 rebuilds one top-level subtree
//! (microseconds; the first append may grow the node array), a /0 rebuilds everything
//! (about 70 ms); loading the table with `collect` takes about 50 ms.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::{InsertError, Ipv4Cidr, Ipv6Cidr, Route};

/// Bits resolved by each trie node.
const STRIDE: u32 = 6;
/// Marks a top-level entry that points to a node rather than holding a leaf.
const NODE_FLAG: u32 = 1 << 31;
/// The most values a table can hold (leaves are `slot + 1` below [`NODE_FLAG`]).
const MAX_VALUES: usize = (NODE_FLAG - 2) as usize;

/// An address as an unsigned integer, most significant bit first.
trait Key: Copy + Ord {
    /// Bits resolved by the direct-pointing top level.
    const TOP: u32;
    /// Bits `offset .. offset + width` (`width` at most 18) as an integer, with zero
    /// bits past the end of the address.
    fn chunk(self, offset: u32, width: u32) -> usize;
    /// The first `len` bits, the rest zero.
    fn masked(self, len: u8) -> Self;
    /// The first address of top-level slot `slot`.
    fn slot_start(slot: usize) -> Self;
    /// The last address of top-level slot `slot`.
    fn slot_end(slot: usize) -> Self;
}

impl Key for u32 {
    const TOP: u32 = 18;
    #[inline(always)]
    fn chunk(self, offset: u32, width: u32) -> usize {
        // Left-aligned in 64 bits, so the bits past the 32nd are zero.
        ((u64::from(self) << 32).wrapping_shl(offset) >> (64 - width)) as usize
    }
    fn masked(self, len: u8) -> Self {
        if len == 0 {
            0
        } else {
            self & (u32::MAX << (32 - u32::from(len).min(32)))
        }
    }
    fn slot_start(slot: usize) -> Self {
        (slot as u32) << (32 - Self::TOP)
    }
    fn slot_end(slot: usize) -> Self {
        Self::slot_start(slot) | (u32::MAX >> Self::TOP)
    }
}

impl Key for u128 {
    const TOP: u32 = 16;
    #[inline(always)]
    fn chunk(self, offset: u32, width: u32) -> usize {
        // `offset` is below 128 for every node built (a node exists only at an offset
        // some prefix is longer than); bits past the 128th read as zero.
        (self.wrapping_shl(offset) >> (128 - width)) as usize
    }
    fn masked(self, len: u8) -> Self {
        if len == 0 {
            0
        } else {
            self & (u128::MAX << (128 - u32::from(len).min(128)))
        }
    }
    fn slot_start(slot: usize) -> Self {
        (slot as u128) << (128 - Self::TOP)
    }
    fn slot_end(slot: usize) -> Self {
        Self::slot_start(slot) | (u128::MAX >> Self::TOP)
    }
}

/// An internal trie node: 64 children, 6 bits of the address.
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// Bit `v`: child `v` is an internal node.
    vector: u64,
    /// Bit `v`: child `v` is a leaf whose value differs from the previous leaf child's.
    leafvec: u64,
    /// Index of this node's first leaf in `leaves`.
    base0: u32,
    /// Index of this node's first internal child in `nodes`.
    base1: u32,
}

/// A prefix of the list handed to a build: key, length, value slot.
type Entry<K> = (K, u8, u32);

/// The structure shared by both families.
#[derive(Debug, Clone)]
struct Poptrie<K, V> {
    top: Vec<u32>,
    nodes: Vec<Node>,
    leaves: Vec<u32>,
    /// Nodes and leaves no longer reachable (left by subtree rebuilds).
    garbage: usize,
    prefixes: BTreeMap<(K, u8), u32>,
    /// The distinct values: prefixes with equal values share a slot (a FIB's next
    /// hops are few), and equal neighbouring leaves then compress into one.
    values: Vec<V>,
    /// How many prefixes use each slot.
    refs: Vec<u32>,
    /// Where each distinct value is.
    interned: BTreeMap<V, u32>,
    /// Value slots released by removes.
    free: Vec<u32>,
}

impl<K: Key, V: Copy + Ord> Poptrie<K, V> {
    fn new() -> Self {
        Self {
            top: vec![0; 1 << K::TOP],
            nodes: Vec::new(),
            leaves: Vec::new(),
            garbage: 0,
            prefixes: BTreeMap::new(),
            values: Vec::new(),
            refs: Vec::new(),
            interned: BTreeMap::new(),
            free: Vec::new(),
        }
    }

    /// The slot of `value`, shared with the prefixes that have it already.
    fn intern(&mut self, value: V) -> Result<u32, InsertError> {
        if let Some(&slot) = self.interned.get(&value) {
            if let Some(r) = self.refs.get_mut(slot as usize) {
                *r += 1;
            }
            return Ok(slot);
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                if let (Some(v), Some(r)) = (
                    self.values.get_mut(slot as usize),
                    self.refs.get_mut(slot as usize),
                ) {
                    *v = value;
                    *r = 1;
                }
                slot
            }
            None => {
                if self.values.len() >= MAX_VALUES {
                    return Err(InsertError::Full {
                        capacity: MAX_VALUES,
                    });
                }
                self.values.push(value);
                self.refs.push(1);
                (self.values.len() - 1) as u32
            }
        };
        self.interned.insert(value, slot);
        Ok(slot)
    }

    /// One prefix fewer uses `slot`; the last one frees it.
    fn release(&mut self, slot: u32) {
        let Some(r) = self.refs.get_mut(slot as usize) else {
            return;
        };
        *r = r.saturating_sub(1);
        if *r == 0
            && let Some(v) = self.values.get(slot as usize)
        {
            self.interned.remove(v);
            self.free.push(slot);
        }
    }

    /// The leaf of the longest prefix containing `key` (value slot + 1, 0 for none).
    #[inline]
    fn lookup_leaf(&self, key: K) -> u32 {
        let Some(&d) = self.top.get(key.chunk(0, K::TOP)) else {
            return 0;
        };
        if d & NODE_FLAG == 0 {
            return d;
        }
        let mut index = d & !NODE_FLAG;
        let mut offset = K::TOP;
        loop {
            let Some(n) = self.nodes.get(index as usize) else {
                return 0;
            };
            let v = key.chunk(offset, STRIDE) as u32;
            let upto = u64::MAX >> (63 - v);
            if (n.vector >> v) & 1 != 0 {
                index = n
                    .base1
                    .wrapping_add((n.vector & upto).count_ones())
                    .wrapping_sub(1);
                offset += STRIDE;
            } else {
                let at = n
                    .base0
                    .wrapping_add((n.leafvec & upto).count_ones())
                    .wrapping_sub(1);
                return self.leaves.get(at as usize).copied().unwrap_or(0);
            }
        }
    }

    #[inline]
    fn lookup(&self, key: K) -> Option<&V> {
        let leaf = self.lookup_leaf(key);
        self.values.get((leaf as usize).wrapping_sub(1))
    }

    fn get(&self, key: K, len: u8) -> Option<&V> {
        let slot = *self.prefixes.get(&(key, len))?;
        self.values.get(slot as usize)
    }

    /// Adds or replaces without rebuilding; returns the old value and whether the
    /// lookup structure must be rebuilt.
    fn insert_entry(
        &mut self,
        key: K,
        len: u8,
        value: V,
    ) -> Result<(Option<V>, bool), InsertError> {
        if let Some(&slot) = self.prefixes.get(&(key, len)) {
            let old = self.values.get(slot as usize).copied();
            if old == Some(value) {
                return Ok((old, false));
            }
            // A new value for the prefix: its leaves change, so it is rebuilt.
            let new = self.intern(value)?;
            self.release(slot);
            self.prefixes.insert((key, len), new);
            return Ok((old, true));
        }
        let slot = self.intern(value)?;
        self.prefixes.insert((key, len), slot);
        Ok((None, true))
    }

    fn insert(&mut self, key: K, len: u8, value: V) -> Result<Option<V>, InsertError> {
        let (old, rebuild) = self.insert_entry(key, len, value)?;
        if rebuild {
            self.rebuild_covered(key, len);
        }
        Ok(old)
    }

    fn remove(&mut self, key: K, len: u8) -> Option<V> {
        let slot = self.prefixes.remove(&(key, len))?;
        let old = self.values.get(slot as usize).copied();
        self.release(slot);
        self.rebuild_covered(key, len);
        old
    }

    fn extend(&mut self, iter: impl IntoIterator<Item = (K, u8, V)>) -> Result<(), InsertError> {
        if self.prefixes.is_empty() {
            return self.extend_empty(iter);
        }
        let mut result = Ok(());
        for (key, len, value) in iter {
            if let Err(e) = self.insert_entry(key, len, value) {
                result = Err(e);
                break;
            }
        }
        self.rebuild_all();
        result
    }

    /// Fills an empty table: the prefix list is built from sorted input, which packs
    /// the `BTreeMap`'s nodes full (inserting one by one leaves them about half full).
    fn extend_empty(
        &mut self,
        iter: impl IntoIterator<Item = (K, u8, V)>,
    ) -> Result<(), InsertError> {
        let mut all: Vec<(K, u8, V)> = iter.into_iter().collect();
        // Stable: among equal prefixes the last one given stays last.
        all.sort_by_key(|e| (e.0, e.1));
        let mut result = Ok(());
        let mut list: Vec<((K, u8), u32)> = Vec::with_capacity(all.len());
        self.values.clear();
        self.refs.clear();
        self.interned.clear();
        self.free.clear();
        for (k, len, v) in all {
            let slot = match self.intern(v) {
                Ok(slot) => slot,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            match list.last_mut() {
                Some((key, old)) if *key == (k, len) => {
                    let previous = core::mem::replace(old, slot);
                    self.release(previous);
                }
                _ => list.push(((k, len), slot)),
            }
        }
        self.values.shrink_to_fit();
        self.refs.shrink_to_fit();
        self.prefixes = list.into_iter().collect();
        self.rebuild_all();
        result
    }

    /// Rebuilds the top-level slots a prefix covers.
    fn rebuild_covered(&mut self, key: K, len: u8) {
        let first = key.chunk(0, K::TOP);
        let count = if u32::from(len) >= K::TOP {
            1
        } else {
            1usize << (K::TOP - u32::from(len))
        };
        for slot in first..first + count {
            self.garbage += self.subtree_size(self.top.get(slot).copied().unwrap_or(0));
        }
        self.build_slots(first, count);
        let live = (self.nodes.len() + self.leaves.len()).saturating_sub(self.garbage);
        if self.garbage > 1024 && self.garbage > live {
            self.rebuild_all();
        }
    }

    /// Nodes plus leaves reachable from a top-level entry.
    fn subtree_size(&self, entry: u32) -> usize {
        if entry & NODE_FLAG == 0 {
            return 0;
        }
        let mut total = 0;
        let mut stack = vec![entry & !NODE_FLAG];
        while let Some(i) = stack.pop() {
            let Some(n) = self.nodes.get(i as usize) else {
                continue;
            };
            total += 1 + n.leafvec.count_ones() as usize;
            stack.extend((0..n.vector.count_ones()).map(|c| n.base1 + c));
        }
        total
    }

    /// Rebuilds the whole lookup structure, compactly.
    fn rebuild_all(&mut self) {
        self.nodes.clear();
        self.leaves.clear();
        self.garbage = 0;
        self.build_slots(0, 1 << K::TOP);
        self.nodes.shrink_to_fit();
        self.leaves.shrink_to_fit();
    }

    /// Builds the top-level entries of `count` slots from `first` (a power of two,
    /// aligned), appending their subtrees to the arrays. One pass over the prefixes
    /// inside the range plus one lookup per shorter length for the covering prefix.
    fn build_slots(&mut self, first: usize, count: usize) {
        let start = K::slot_start(first);
        let end = K::slot_end(first + count - 1);
        // The longest prefix that covers the whole range, shorter than the range.
        let range_len = (K::TOP - count.trailing_zeros()) as u8;
        let mut inherited = 0;
        for len in (0..range_len).rev() {
            if let Some(&v) = self.prefixes.get(&(start.masked(len), len)) {
                inherited = v + 1;
                break;
            }
        }
        let mut paint = vec![inherited; count];
        let mut short: Vec<Entry<K>> = Vec::new();
        let mut long: Vec<Entry<K>> = Vec::new();
        for (&(k, len), &v) in self.prefixes.range((start, 0)..=(end, u8::MAX)) {
            if u32::from(len) <= K::TOP {
                short.push((k, len, v));
            } else {
                long.push((k, len, v));
            }
        }
        short.sort_by_key(|e| e.1);
        for &(k, len, v) in &short {
            let from = k.chunk(0, K::TOP).wrapping_sub(first);
            let span = 1usize << (K::TOP - u32::from(len));
            for leaf in paint.iter_mut().skip(from).take(span) {
                *leaf = v + 1;
            }
        }
        for (i, &leaf) in paint.iter().enumerate() {
            if let Some(t) = self.top.get_mut(first + i) {
                *t = leaf;
            }
        }
        // `long` is sorted by key, so each slot's prefixes are contiguous.
        let mut i = 0;
        while let Some(&(k, _, _)) = long.get(i) {
            let slot = k.chunk(0, K::TOP);
            let j = long
                .iter()
                .skip(i)
                .position(|e| e.0.chunk(0, K::TOP) != slot)
                .map_or(long.len(), |p| i + p);
            let inherited = paint.get(slot.wrapping_sub(first)).copied().unwrap_or(0);
            let index = self.nodes.len();
            self.nodes.push(Node::default());
            self.build_node(index, K::TOP, inherited, long.get(i..j).unwrap_or(&[]));
            if let Some(t) = self.top.get_mut(slot) {
                *t = index as u32 | NODE_FLAG;
            }
            i = j;
        }
    }

    /// Fills `nodes[index]`, the node at bit `offset`, from `list` (sorted by key, every
    /// prefix longer than `offset` and inside the node's range); `inherited` is the leaf
    /// of the longest prefix that covers the whole node.
    fn build_node(&mut self, index: usize, offset: u32, inherited: u32, list: &[Entry<K>]) {
        let end = offset + STRIDE;
        let mut child_leaf = [inherited; 64];
        let mut short: Vec<&Entry<K>> = list.iter().filter(|e| u32::from(e.1) <= end).collect();
        short.sort_by_key(|e| e.1);
        for &(k, len, v) in short {
            let first = k.chunk(offset, STRIDE);
            let span = 1usize << (end - u32::from(len));
            for leaf in child_leaf.iter_mut().skip(first).take(span) {
                *leaf = v + 1;
            }
        }
        let deep: Vec<Entry<K>> = list
            .iter()
            .filter(|e| u32::from(e.1) > end)
            .copied()
            .collect();
        // Groups of `deep` by child (contiguous: `list` is sorted by key).
        let mut groups: Vec<(usize, usize, usize)> = Vec::new();
        let mut vector = 0u64;
        let mut i = 0;
        while let Some(&(k, _, _)) = deep.get(i) {
            let c = k.chunk(offset, STRIDE);
            let j = deep
                .iter()
                .skip(i)
                .position(|e| e.0.chunk(offset, STRIDE) != c)
                .map_or(deep.len(), |p| i + p);
            groups.push((c, i, j));
            vector |= 1 << c;
            i = j;
        }
        let base0 = self.leaves.len() as u32;
        let mut leafvec = 0u64;
        let mut prev = None;
        for (c, &leaf) in child_leaf.iter().enumerate() {
            if (vector >> c) & 1 == 0 && prev != Some(leaf) {
                leafvec |= 1 << c;
                self.leaves.push(leaf);
                prev = Some(leaf);
            }
        }
        let base1 = self.nodes.len();
        self.nodes.resize(base1 + groups.len(), Node::default());
        if let Some(n) = self.nodes.get_mut(index) {
            *n = Node {
                vector,
                leafvec,
                base0,
                base1: base1 as u32,
            };
        }
        for (g, &(c, from, to)) in groups.iter().enumerate() {
            let inherited = child_leaf.get(c).copied().unwrap_or(0);
            self.build_node(base1 + g, end, inherited, deep.get(from..to).unwrap_or(&[]));
        }
    }

    fn memory_bytes(&self) -> usize {
        self.top.capacity() * size_of::<u32>()
            + self.nodes.capacity() * size_of::<Node>()
            + self.leaves.capacity() * size_of::<u32>()
            + self.values.capacity() * size_of::<V>()
    }

    fn iter(&self) -> impl Iterator<Item = (K, u8, &V)> + '_ {
        self.prefixes
            .iter()
            .filter_map(|(&(k, len), &slot)| self.values.get(slot as usize).map(|v| (k, len, v)))
    }
}

macro_rules! table {
    ($(#[$doc:meta])* $name:ident, $key:ty, $addr:ty, $cidr:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<V: Copy + Ord = Route> {
            inner: Poptrie<$key, V>,
        }

        impl<V: Copy + Ord> Default for $name<V> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<V: Copy + Ord> $name<V> {
            /// An empty table (the top level is allocated here: 1 MiB for IPv4, 256 KiB for
            /// IPv6).
            pub fn new() -> Self {
                Self { inner: Poptrie::new() }
            }

            /// The number of prefixes.
            pub fn len(&self) -> usize {
                self.inner.prefixes.len()
            }

            /// Whether the table is empty.
            pub fn is_empty(&self) -> bool {
                self.inner.prefixes.is_empty()
            }

            /// Maps `cidr` to `value`, returning the value it replaced. Rebuilds the
            /// subtrees the prefix covers (see the module docs); fails with
            /// [`InsertError::Full`] only past 2^31 - 2 prefixes.
            pub fn insert(&mut self, cidr: $cidr, value: V) -> Result<Option<V>, InsertError> {
                self.inner.insert(cidr.address().to_bits(), cidr.prefix_len(), value)
            }

            /// Inserts many prefixes, rebuilding the lookup structure once at the end.
            /// On [`InsertError::Full`] the prefixes inserted so far stay.
            pub fn extend(&mut self, iter: impl IntoIterator<Item = ($cidr, V)>) -> Result<(), InsertError> {
                self.inner.extend(
                    iter.into_iter()
                        .map(|(c, v)| (c.address().to_bits(), c.prefix_len(), v)),
                )
            }

            /// Removes `cidr`, returning its value if it was present.
            pub fn remove(&mut self, cidr: $cidr) -> Option<V> {
                self.inner.remove(cidr.address().to_bits(), cidr.prefix_len())
            }

            /// The value of exactly `cidr`.
            pub fn get(&self, cidr: $cidr) -> Option<&V> {
                self.inner.get(cidr.address().to_bits(), cidr.prefix_len())
            }

            /// The value of the longest prefix that contains `addr`.
            #[inline]
            pub fn lookup(&self, addr: $addr) -> Option<&V> {
                self.inner.lookup(addr.to_bits())
            }

            /// The prefixes and their values, in address order (shorter first on ties).
            pub fn iter(&self) -> impl Iterator<Item = ($cidr, &V)> + '_ {
                self.inner.iter().filter_map(|(k, len, v)| {
                    <$cidr>::new(<$addr>::from_bits(k), len).ok().map(|c| (c, v))
                })
            }

            /// Bytes allocated for what a lookup reads: the top level, the nodes, the
            /// leaves and the value arena (not the prefix list kept for updates).
            pub fn memory_bytes(&self) -> usize {
                self.inner.memory_bytes()
            }
        }

        impl<V: Copy + Ord> FromIterator<($cidr, V)> for $name<V> {
            /// Builds a table (the last value wins for a repeated prefix). Stops
            /// inserting past 2^31 - 2 prefixes.
            fn from_iter<I: IntoIterator<Item = ($cidr, V)>>(iter: I) -> Self {
                let mut t = Self::new();
                let _ = t.extend(iter);
                t
            }
        }
    };
}

table!(
    /// An IPv4 routing table for full Internet tables: a Poptrie (see the module docs).
    Ipv4Table,
    u32,
    Ipv4Addr,
    Ipv4Cidr
);

table!(
    /// An IPv6 routing table for full Internet tables: a Poptrie over 128-bit keys
    /// (see the module docs).
    Ipv6Table,
    u128,
    Ipv6Addr,
    Ipv6Cidr
);

#[cfg(test)]
mod tests;
