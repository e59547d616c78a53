//! The receiver's record of out-of-order data: which ranges beyond `RCV.NXT` have
//! arrived, in a fixed number of slots. The bytes themselves sit in the receive
//! buffer at their offsets; this only remembers where.
//!
//! It also says which ranges to report in SACK blocks, most recently changed first
//! (RFC 2018 section 4).

use crate::wire::tcp::SeqNumber;

/// Out-of-order ranges kept at most. A segment that would need another range is
/// dropped (it will be retransmitted), so memory stays bounded whatever arrives.
pub(crate) const MAX_RANGES: usize = 8;

#[derive(Debug, Clone, Copy, Default)]
struct Range {
    start: SeqNumber,
    end: SeqNumber,
    /// When data last joined this range (a counter), for SACK block order.
    stamp: u32,
}

/// Disjoint, non-adjacent ranges in sequence order, all above `RCV.NXT`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Assembler {
    ranges: [Range; MAX_RANGES],
    len: usize,
    clock: u32,
}

impl Assembler {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn live(&self) -> &[Range] {
        self.ranges.get(..self.len).unwrap_or_default()
    }

    /// Records that `start..end` (above `rcv_nxt`) arrived. Returns `false`, and
    /// records nothing, when that needs a new range and every slot is taken.
    pub(crate) fn add(&mut self, start: SeqNumber, end: SeqNumber, rcv_nxt: SeqNumber) -> bool {
        let start = start.max(rcv_nxt);
        if end <= start {
            return true;
        }
        self.clock = self.clock.wrapping_add(1);
        // The ranges that touch or overlap start..end form one run [first, last).
        let first = self.live().iter().position(|r| r.end >= start);
        let Some(first) = first.filter(|&i| self.ranges.get(i).is_some_and(|r| r.start <= end))
        else {
            // Nothing touches it: insert a new range in order.
            let at = first.unwrap_or(self.len);
            if self.len >= MAX_RANGES {
                return false;
            }
            self.ranges.copy_within(at..self.len, at + 1);
            if let Some(slot) = self.ranges.get_mut(at) {
                *slot = Range {
                    start,
                    end,
                    stamp: self.clock,
                };
            }
            self.len += 1;
            return true;
        };
        let mut last = first;
        while last < self.len && self.ranges.get(last).is_some_and(|r| r.start <= end) {
            last += 1;
        }
        let (lo, hi) = match (self.ranges.get(first), self.ranges.get(last - 1)) {
            (Some(a), Some(b)) => (a.start.min(start), b.end.max(end)),
            _ => return true,
        };
        if let Some(slot) = self.ranges.get_mut(first) {
            *slot = Range {
                start: lo,
                end: hi,
                stamp: self.clock,
            };
        }
        self.ranges.copy_within(last..self.len, first + 1);
        self.len -= last - first - 1;
        true
    }

    /// `RCV.NXT` moved to `rcv_nxt`: removes the ranges it reached and returns how
    /// far the contiguous data now extends (at least `rcv_nxt`).
    pub(crate) fn advance(&mut self, rcv_nxt: SeqNumber) -> SeqNumber {
        let mut edge = rcv_nxt;
        let mut n = 0;
        for r in self.live() {
            if r.start > edge {
                break;
            }
            edge = edge.max(r.end);
            n += 1;
        }
        if n > 0 {
            self.ranges.copy_within(n..self.len, 0);
            self.len -= n;
        }
        edge
    }

    /// Writes up to `out.len()` ranges as SACK blocks, the most recently extended
    /// first, and returns how many.
    pub(crate) fn sack_blocks(&self, out: &mut [(SeqNumber, SeqNumber)]) -> usize {
        //= https://www.rfc-editor.org/rfc/rfc2018#section-4
        //# The first SACK block (i.e., the one immediately following the kind and
        //# length fields in the option) MUST specify the contiguous block of data
        //# containing the segment which triggered this ACK [...] The SACK option
        //# SHOULD be filled out by repeating the most recently reported SACK blocks
        let mut order = [0usize; MAX_RANGES];
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
        let order = order.get_mut(..self.len).unwrap_or_default();
        order.sort_unstable_by_key(|&i| {
            core::cmp::Reverse(
                self.ranges
                    .get(i)
                    .map_or(0, |r| self.clock.wrapping_sub(r.stamp)),
            )
        });
        order.reverse();
        let mut n = 0;
        for (slot, &i) in out.iter_mut().zip(order.iter()) {
            if let Some(r) = self.ranges.get(i) {
                *slot = (r.start, r.end);
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    fn ranges(a: &Assembler) -> Vec<(u32, u32)> {
        a.live().iter().map(|r| (r.start.0, r.end.0)).collect()
    }

    #[test]
    fn merges_touching_and_overlapping_ranges() {
        let mut a = Assembler::default();
        assert!(a.add(s(20), s(30), s(0)));
        assert!(a.add(s(40), s(50), s(0)));
        assert!(a.add(s(60), s(70), s(0)));
        assert_eq!(ranges(&a), [(20, 30), (40, 50), (60, 70)]);
        assert!(a.add(s(30), s(40), s(0))); // touches both neighbours
        assert_eq!(ranges(&a), [(20, 50), (60, 70)]);
        assert!(a.add(s(10), s(80), s(0))); // swallows everything
        assert_eq!(ranges(&a), [(10, 80)]);
        assert_eq!(a.advance(s(5)), s(5));
        assert_eq!(a.advance(s(10)), s(80));
        assert!(a.is_empty());
    }

    #[test]
    fn bounded_and_sack_order() {
        let mut a = Assembler::default();
        for i in 0..MAX_RANGES as u32 {
            assert!(a.add(s(100 + 20 * i), s(110 + 20 * i), s(0)));
        }
        assert!(!a.add(s(1000), s(1010), s(0)), "a ninth range does not fit");
        assert!(
            a.add(s(110), s(115), s(0)),
            "extending a range needs no slot"
        );
        let mut out = [(s(0), s(0)); 3];
        assert_eq!(a.sack_blocks(&mut out), 3);
        assert_eq!(out[0], (s(100), s(115)), "most recent first");
        assert_eq!(out[1], (s(240), s(250)));
        assert_eq!(out[2], (s(220), s(230)));
    }

    #[test]
    fn wraps_around_sequence_space() {
        let mut a = Assembler::default();
        let base = s(u32::MAX - 5);
        assert!(a.add(base + 10, base + 20, base));
        assert!(a.add(base + 3, base + 10, base));
        assert_eq!(ranges(&a), [((base + 3).0, (base + 20).0)]);
        assert_eq!(a.advance(base + 3), base + 20);
    }

    proptest! {
        /// Against a set of received offsets: the ranges are exactly the received
        /// bytes above the edge, sorted, disjoint and not adjacent.
        #[test]
        fn matches_a_set_model(segs in proptest::collection::vec((0u32..200, 1u32..20), 0..40)) {
            let base = s(0xffff_ff00);
            let mut a = Assembler::default();
            let mut model = BTreeSet::new();
            let mut nxt = 0u32;
            for (off, len) in segs {
                if off <= nxt {
                    // In order: the data goes straight in and the edge moves.
                    nxt = nxt.max(off + len);
                    let edge = a.advance(base + nxt as usize);
                    let e = edge.distance(base) as u32;
                    model.retain(|&b| b >= e);
                    nxt = e;
                } else if a.add(base + off as usize, base + (off + len) as usize, base + nxt as usize) {
                    model.extend(off..off + len);
                }
                let got: BTreeSet<u32> = a.live().iter()
                    .flat_map(|r| r.start.distance(base) as u32..r.end.distance(base) as u32)
                    .collect();
                prop_assert_eq!(&got, &model);
                for w in a.live().windows(2) {
                    prop_assert!(w[0].end < w[1].start);
                }
            }
        }
    }
}
