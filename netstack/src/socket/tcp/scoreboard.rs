//! The sender's SACK scoreboard (RFC 6675 section 3): which bytes between
//! `SND.UNA` and `SND.NXT` the receiver has reported holding, in a fixed number of
//! blocks, and the loss rule built on it.

use crate::wire::tcp::SeqNumber;

/// Blocks kept at most. When a new block does not fit, the highest one is
/// forgotten: the only cost is that those bytes may be sent again.
pub(crate) const MAX_BLOCKS: usize = 16;

/// RFC 6675's DupThresh.
pub(crate) const DUP_THRESH: u32 = 3;

/// Disjoint, non-adjacent SACKed ranges in sequence order, all above `SND.UNA`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scoreboard {
    blocks: [(SeqNumber, SeqNumber); MAX_BLOCKS],
    len: usize,
    /// The sum of the blocks' lengths.
    sacked: u32,
}

impl Scoreboard {
    fn live(&self) -> &[(SeqNumber, SeqNumber)] {
        self.blocks.get(..self.len).unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.sacked = 0;
    }

    /// Bytes SACKed in all.
    pub(crate) fn sacked(&self) -> u32 {
        self.sacked
    }

    /// The highest SACKed sequence number (the end of the highest block).
    #[cfg(test)]
    pub(crate) fn highest(&self) -> Option<SeqNumber> {
        self.live().last().map(|b| b.1)
    }

    fn recount(&mut self) {
        self.sacked = self
            .live()
            .iter()
            .map(|(l, r)| r.distance(*l).max(0) as u32)
            .fold(0u32, u32::saturating_add);
    }

    /// Records a SACK block, clipped to `una..nxt`; blocks outside (a D-SACK of
    /// acknowledged data, or a lie about data never sent) are ignored. Returns
    /// whether it reported bytes not SACKed before.
    pub(crate) fn add(
        &mut self,
        l: SeqNumber,
        r: SeqNumber,
        una: SeqNumber,
        nxt: SeqNumber,
    ) -> bool {
        let l = l.max(una);
        let r = r.min(nxt);
        if r <= l || !(l >= una && r <= nxt) {
            return false;
        }
        let new = self.sacked_in(l, r) < r.distance(l) as u32;
        let first = self.live().iter().position(|b| b.1 >= l);
        let touching = first.filter(|&i| self.blocks.get(i).is_some_and(|b| b.0 <= r));
        match touching {
            None => {
                let at = first.unwrap_or(self.len);
                if self.len >= MAX_BLOCKS {
                    if at >= MAX_BLOCKS {
                        return false;
                    }
                    self.len -= 1; // forget the highest
                }
                self.blocks.copy_within(at..self.len, at + 1);
                if let Some(slot) = self.blocks.get_mut(at) {
                    *slot = (l, r);
                }
                self.len += 1;
            }
            Some(first) => {
                let mut last = first;
                while last < self.len && self.blocks.get(last).is_some_and(|b| b.0 <= r) {
                    last += 1;
                }
                let lo = self.blocks.get(first).map_or(l, |b| b.0.min(l));
                let hi = self.blocks.get(last - 1).map_or(r, |b| b.1.max(r));
                if let Some(slot) = self.blocks.get_mut(first) {
                    *slot = (lo, hi);
                }
                self.blocks.copy_within(last..self.len, first + 1);
                self.len -= last - first - 1;
            }
        }
        self.recount();
        new
    }

    /// `SND.UNA` advanced to `una`: forgets what it covers.
    pub(crate) fn acknowledge(&mut self, una: SeqNumber) {
        let n = self.live().iter().take_while(|b| b.1 <= una).count();
        self.blocks.copy_within(n..self.len, 0);
        self.len -= n;
        if let Some(b) = self.blocks.get_mut(..self.len).and_then(|b| b.first_mut()) {
            b.0 = b.0.max(una);
        }
        self.recount();
    }

    /// SACKed bytes within `a..b`.
    pub(crate) fn sacked_in(&self, a: SeqNumber, b: SeqNumber) -> u32 {
        self.live()
            .iter()
            .map(|&(l, r)| {
                let lo = l.max(a);
                let hi = r.min(b);
                hi.distance(lo).max(0) as u32
            })
            .fold(0u32, u32::saturating_add)
    }

    /// Whether `seq` is SACKed.
    #[cfg(test)]
    pub(crate) fn contains(&self, seq: SeqNumber) -> bool {
        self.live().iter().any(|&(l, r)| l <= seq && seq < r)
    }

    /// The sequence number below which every un-SACKed byte counts as lost: the
    /// left edge of the lowest block that has `DupThresh` blocks or more than
    /// `(DupThresh - 1) * mss` SACKed bytes at or above it.
    pub(crate) fn lost_edge(&self, mss: u32) -> Option<SeqNumber> {
        //= https://www.rfc-editor.org/rfc/rfc6675#section-4
        //# IsLost (SeqNum): This routine returns whether the given sequence number
        //# is considered to be lost. The routine returns true when either
        //# DupThresh discontiguous SACKed sequences have arrived above 'SeqNum' or
        //# more than (DupThresh - 1) * SMSS bytes with sequence numbers greater
        //# than 'SeqNum' have been SACKed. Otherwise, the routine returns false.
        let mut bytes = 0u32;
        for (count, &(l, r)) in self.live().iter().rev().enumerate() {
            bytes = bytes.saturating_add(r.distance(l).max(0) as u32);
            if count as u32 + 1 >= DUP_THRESH || bytes > (DUP_THRESH - 1) * mss {
                return Some(l);
            }
        }
        None
    }

    /// The first un-SACKed range within `from..to`, if any.
    pub(crate) fn next_hole(
        &self,
        from: SeqNumber,
        to: SeqNumber,
    ) -> Option<(SeqNumber, SeqNumber)> {
        let mut at = from;
        for &(l, r) in self.live() {
            if r <= at {
                continue;
            }
            if l > at {
                let end = l.min(to);
                return (end > at).then_some((at, end));
            }
            at = r;
            if at >= to {
                return None;
            }
        }
        (to > at).then_some((at, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    fn blocks(b: &Scoreboard) -> Vec<(u32, u32)> {
        b.live().iter().map(|(l, r)| (l.0, r.0)).collect()
    }

    #[test]
    fn add_merge_acknowledge() {
        let mut b = Scoreboard::default();
        assert!(b.add(s(300), s(400), s(100), s(1000)));
        assert!(b.add(s(500), s(600), s(100), s(1000)));
        assert!(!b.add(s(300), s(400), s(100), s(1000)), "nothing new");
        assert!(
            !b.add(s(50), s(100), s(100), s(1000)),
            "D-SACK below SND.UNA"
        );
        assert!(!b.add(s(1000), s(1100), s(100), s(1000)), "beyond SND.NXT");
        assert!(b.add(s(400), s(500), s(100), s(1000)));
        assert_eq!(blocks(&b), [(300, 600)]);
        assert_eq!(b.sacked(), 300);
        b.acknowledge(s(350));
        assert_eq!((blocks(&b), b.sacked()), (vec![(350, 600)], 250));
        b.acknowledge(s(600));
        assert!(b.is_empty());
    }

    #[test]
    fn is_lost_rule_of_rfc6675() {
        let mss = 100;
        let mut b = Scoreboard::default();
        b.add(s(200), s(300), s(100), s(2000));
        assert_eq!(b.lost_edge(mss), None, "one segment above is not enough");
        b.add(s(400), s(500), s(100), s(2000));
        assert_eq!(b.lost_edge(mss), None);
        b.add(s(600), s(700), s(100), s(2000));
        // Three discontiguous blocks above 100..200: lost.
        assert_eq!(b.lost_edge(mss), Some(s(200)));
        let mut b = Scoreboard::default();
        b.add(s(500), s(801), s(100), s(2000));
        // 301 bytes (> 2 * SMSS) above 100..500.
        assert_eq!(b.lost_edge(mss), Some(s(500)));
    }

    #[test]
    fn holes_and_counts() {
        let mut b = Scoreboard::default();
        b.add(s(200), s(300), s(100), s(1000));
        b.add(s(400), s(500), s(100), s(1000));
        assert_eq!(b.next_hole(s(100), s(1000)), Some((s(100), s(200))));
        assert_eq!(b.next_hole(s(200), s(1000)), Some((s(300), s(400))));
        assert_eq!(b.next_hole(s(450), s(1000)), Some((s(500), s(1000))));
        assert_eq!(b.next_hole(s(200), s(300)), None);
        assert_eq!(b.sacked_in(s(250), s(450)), 100);
        assert!(b.contains(s(499)) && !b.contains(s(500)));
    }

    #[test]
    fn full_scoreboard_forgets_the_highest() {
        let mut b = Scoreboard::default();
        for i in 0..MAX_BLOCKS as u32 {
            b.add(s(100 + 20 * i), s(110 + 20 * i), s(0), s(10_000));
        }
        assert!(b.add(s(50), s(60), s(0), s(10_000)));
        assert_eq!(b.live().len(), MAX_BLOCKS);
        assert_eq!(b.live()[0], (s(50), s(60)));
        assert_eq!(b.highest(), Some(s(110 + 20 * (MAX_BLOCKS as u32 - 2))));
        assert!(
            !b.add(s(5000), s(5010), s(0), s(10_000)),
            "above a full board"
        );
    }
}
