//! TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 section 3.4).

use core::cmp::Ordering;
use core::fmt;
use core::ops;

/// A TCP sequence number (also used for acknowledgment numbers and SACK block edges).
///
/// Arithmetic wraps modulo 2^32. Comparison follows RFC 9293 section 3.4 ("all
/// arithmetic dealing with sequence numbers must be performed modulo 2^32"), by the
/// sign of the 32-bit difference, as RFC 1982 serial-number arithmetic defines it: `a < b` when
/// `b - a`, taken modulo 2^32, lies in `1..2^31`. Two numbers exactly 2^31 apart are
/// *incomparable* (`partial_cmp` returns `None`, so both `a < b` and `a > b` are
/// false), which keeps the order antisymmetric. The order is not transitive over the
/// whole space, so `SeqNumber` implements `PartialOrd` but not `Ord`; it is
/// meaningful for numbers less than 2^31 apart, which a window always is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// The signed distance `self - other` in sequence space, in `-2^31..2^31`.
    pub const fn distance(self, other: SeqNumber) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }

    /// `self - other` when `self` does not precede `other`, or `None` when it does
    /// (or when they are exactly 2^31 apart).
    pub const fn checked_sub(self, other: SeqNumber) -> Option<usize> {
        let d = self.distance(other);
        if d >= 0 { Some(d as usize) } else { None }
    }

    /// Adds `n` modulo 2^32.
    #[must_use]
    pub const fn wrapping_add(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(n))
    }

    /// Subtracts `n` modulo 2^32.
    #[must_use]
    pub const fn wrapping_sub(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(n))
    }

    /// Whether `start <= self < start + len` modulo 2^32: the test RFC 9293
    /// section 3.4 uses for segment acceptability (`RCV.NXT =< SEG.SEQ <
    /// RCV.NXT+RCV.WND`). It is exact for any `len` up to 2^32 - 1, even across the
    /// wrap, because it compares the unsigned offset from `start`. A zero `len`
    /// contains nothing.
    pub const fn in_window(self, start: SeqNumber, len: u32) -> bool {
        self.0.wrapping_sub(start.0) < len
    }

    /// Whether `low < self <= high` modulo 2^32, the test RFC 9293 applies to an
    /// acknowledgment (`SND.UNA < SEG.ACK =< SND.NXT`).
    pub const fn in_range_left_open(self, low: SeqNumber, high: SeqNumber) -> bool {
        let off = self.0.wrapping_sub(low.0);
        off != 0 && off <= high.0.wrapping_sub(low.0)
    }

    /// The later of two sequence numbers (`self` when incomparable).
    #[must_use]
    pub fn max(self, other: SeqNumber) -> SeqNumber {
        if other > self { other } else { self }
    }

    /// The earlier of two sequence numbers (`self` when incomparable).
    #[must_use]
    pub fn min(self, other: SeqNumber) -> SeqNumber {
        if other < self { other } else { self }
    }
}

impl PartialOrd for SeqNumber {
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.4
    //# Since the space is finite, all arithmetic dealing with sequence numbers
    //# must be performed modulo 2^32.
    fn partial_cmp(&self, other: &SeqNumber) -> Option<Ordering> {
        match self.distance(*other) {
            0 => Some(Ordering::Equal),
            i32::MIN => None,
            d if d > 0 => Some(Ordering::Greater),
            _ => Some(Ordering::Less),
        }
    }
}

/// Adds a length modulo 2^32 (a length of 2^32 or more wraps around the space).
impl ops::Add<usize> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, rhs: usize) -> SeqNumber {
        // Truncation is the modular reduction: the space is Z/2^32.
        SeqNumber(self.0.wrapping_add(rhs as u32))
    }
}

impl ops::AddAssign<usize> for SeqNumber {
    fn add_assign(&mut self, rhs: usize) {
        *self = *self + rhs;
    }
}

/// Subtracts a length modulo 2^32.
impl ops::Sub<usize> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, rhs: usize) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(rhs as u32))
    }
}

impl ops::SubAssign<usize> for SeqNumber {
    fn sub_assign(&mut self, rhs: usize) {
        *self = *self - rhs;
    }
}

/// The signed distance between two sequence numbers, as [`SeqNumber::distance`];
/// use [`SeqNumber::checked_sub`] for an unsigned length.
impl ops::Sub<SeqNumber> for SeqNumber {
    type Output = isize;
    fn sub(self, rhs: SeqNumber) -> isize {
        self.distance(rhs) as isize
    }
}

impl From<u32> for SeqNumber {
    fn from(v: u32) -> Self {
        SeqNumber(v)
    }
}

impl From<SeqNumber> for u32 {
    fn from(v: SeqNumber) -> Self {
        v.0
    }
}

impl fmt::Debug for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeqNumber({})", self.0)
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
