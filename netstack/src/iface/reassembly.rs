//! IPv4 and IPv6 reassembly with bounded buffers and a timeout (RFC 791 section 3.2,
//! RFC 8200 section 4.5, RFC 5722, RFC 815).
//!
//! [`Reassembler`] keeps up to `S` datagrams in reassembly, each in a buffer of `B`
//! bytes (the largest fragmentable part it accepts; at most 65,535). The caller parses
//! the IP header and, for IPv6, the Fragment header, and hands in the fragment's
//! offset, More Fragments flag and bytes; when the last hole is filled, the whole
//! fragmentable part is copied into the caller's buffer. Nothing allocates and nothing
//! panics: a full table, an oversize datagram or a malformed fragment is an error.
//!
//! Policy, with the RFCs:
//! - Overlapping fragments drop the whole datagram, and fragments of it that arrive
//!   later are dropped too until its timer runs out (RFC 5722 for IPv6; Linux applies
//!   the same rule to IPv4, as RFC 1858 advises against overlap attacks). Exact
//!   duplicates are not overlaps: a retransmitted fragment is ignored.
//! - A fragment other than the last must carry a multiple of 8 bytes (RFC 8200 section
//!   4.5; RFC 791's offsets count 8-byte units).
//! - A datagram must complete within its timeout, counted from its first fragment:
//!   60 s for IPv6 (RFC 8200), and for IPv4 what the caller sets (RFC 791 suggests
//!   15 s; Linux uses 30 s). [`Reassembler::handle_timeout`] reports expired datagrams
//!   that had their first fragment, for the ICMP Time Exceeded (fragment reassembly
//!   time exceeded) that RFC 792 and RFC 8200 call for.

use core::net::IpAddr;
use core::time::Duration;

/// What identifies the fragments of one datagram: RFC 791's source, destination,
/// protocol and Identification; RFC 8200's source, destination and Identification
/// (`protocol` is then the Fragment header's Next Header, which RFC 8200 does not
/// require to match; callers pass 0 for IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IPv4 protocol (0 for IPv6).
    pub protocol: u8,
    /// Identification (16 bits in IPv4, 32 in IPv6).
    pub id: u32,
}

/// One fragment, as the caller parsed it from the IP (and Fragment) header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// Which datagram it belongs to.
    pub key: Key,
    /// Offset of `data` in the fragmentable part, in bytes (a multiple of 8).
    pub offset: usize,
    /// More Fragments: false on the last fragment.
    pub more: bool,
    /// The fragment's bytes (after the IPv4 header, or after the IPv6 Fragment header).
    pub data: &'a [u8],
}

/// What went wrong with a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The datagram would be longer than the buffers (or than 65,535 bytes).
    #[error("fragment ends at byte {end}, past the {max}-byte reassembly limit")]
    TooLarge {
        /// Where the fragment ends.
        end: usize,
        /// The limit.
        max: usize,
    },
    /// A fragment with More Fragments set whose length is not a multiple of 8, or an
    /// offset that is not (RFC 8200 section 4.5).
    #[error("fragment at offset {offset} of {len} bytes is not aligned to 8 bytes")]
    Misaligned {
        /// The fragment's offset.
        offset: usize,
        /// Its length.
        len: usize,
    },
    /// The fragment overlaps one already received: the datagram is dropped (RFC 5722).
    #[error("overlapping fragment: datagram dropped")]
    Overlap,
    /// The datagram was dropped earlier (overlap) and its timer has not run out.
    #[error("fragment of a dropped datagram")]
    Dropped,
    /// Fragments disagree on the datagram's length (a second last fragment, or data
    /// past the last one).
    #[error("fragments disagree on the datagram's length")]
    Inconsistent,
    /// Every reassembly slot is in use.
    #[error("all {slots} reassembly slots are in use")]
    Full {
        /// The number of slots.
        slots: usize,
    },
    /// The caller's buffer is smaller than the reassembled datagram.
    #[error("buffer of {available} bytes for a {needed}-byte datagram")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

/// A datagram whose timer ran out (see [`Reassembler::handle_timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    /// Which datagram.
    pub key: Key,
    /// Whether its first fragment (offset 0) had arrived: only then is an ICMP Time
    /// Exceeded sent (RFC 792; RFC 8200 section 4.5).
    pub had_first: bool,
}

/// Blocks of 8 bytes in the largest datagram.
const BLOCKS: usize = 65_536 / 8;

#[derive(Debug, Clone)]
struct Slot<const B: usize> {
    key: Key,
    deadline: Duration,
    /// Set once an overlap dropped the datagram: later fragments are refused.
    dropped: bool,
    /// Total length, once the last fragment arrived.
    total: Option<usize>,
    /// Received 8-byte blocks, one bit each.
    have: [u64; BLOCKS / 64],
    /// Bytes received (duplicates not counted).
    received: usize,
    data: [u8; B],
}

/// Reassembles up to `S` datagrams at once, each of at most `B` bytes.
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr};
/// use core::time::Duration;
/// use netstack::iface::reassembly::{Fragment, Key, Reassembler};
///
/// let key = Key {
///     src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
///     dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
///     protocol: 1,
///     id: 0x1234,
/// };
/// let mut r: Reassembler<4, 3000> = Reassembler::new(Duration::from_secs(30));
/// let mut out = [0u8; 3000];
/// let now = Duration::from_secs(5);
/// // The last fragment first, then the first: complete.
/// assert_eq!(r.handle(now, Fragment { key, offset: 8, more: false, data: b"world" }, &mut out), Ok(None));
/// assert_eq!(r.handle(now, Fragment { key, offset: 0, more: true, data: b"hello, " }, &mut out).unwrap_err(),
///     netstack::iface::reassembly::Error::Misaligned { offset: 0, len: 7 });
/// assert_eq!(r.handle(now, Fragment { key, offset: 0, more: true, data: b"hello,  " }, &mut out), Ok(Some(13)));
/// assert_eq!(&out[..13], b"hello,  world");
/// ```
#[derive(Debug, Clone)]
pub struct Reassembler<const S: usize, const B: usize> {
    timeout: Duration,
    slots: [Option<Slot<B>>; S],
}

impl<const S: usize, const B: usize> Reassembler<S, B> {
    /// An empty reassembler whose datagrams must complete within `timeout` of their
    /// first fragment.
    pub const fn new(timeout: Duration) -> Self {
        Reassembler {
            timeout,
            slots: [const { None }; S],
        }
    }

    /// Datagrams in reassembly (dropped ones included until they expire).
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Whether no datagram is in reassembly.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a fragment. Returns `Ok(Some(len))` when it completes its datagram, whose
    /// fragmentable part is then in `out[..len]` (and the slot is freed); `Ok(None)`
    /// while holes remain.
    pub fn handle(
        &mut self,
        now: Duration,
        frag: Fragment<'_>,
        out: &mut [u8],
    ) -> Result<Option<usize>, Error> {
        let len = frag.data.len();
        let end = frag.offset.checked_add(len).ok_or(Error::TooLarge {
            end: usize::MAX,
            max: B,
        })?;
        let max = B.min(65_535);
        if end > max {
            return Err(Error::TooLarge { end, max });
        }
        //= https://www.rfc-editor.org/rfc/rfc8200#section-4.5
        //# If the length of a fragment, as derived from the fragment packet's Payload
        //# Length field, is not a multiple of 8 octets and the M flag of that fragment
        //# is 1, then that fragment must be discarded
        if !frag.offset.is_multiple_of(8) || (frag.more && !len.is_multiple_of(8)) {
            return Err(Error::Misaligned {
                offset: frag.offset,
                len,
            });
        }
        let index = self.slot_for(now, frag.key)?;
        let Some(slot) = self.slots[index].as_mut() else {
            return Err(Error::Full { slots: S });
        };
        if slot.dropped {
            return Err(Error::Dropped);
        }
        // The last fragment fixes the length; everything must fit inside it.
        let total = match (frag.more, slot.total) {
            (false, None) if end < slot_extent(slot) => Err(Error::Inconsistent),
            (false, None) => Ok(Some(end)),
            (false, Some(t)) if t != end => Err(Error::Inconsistent),
            (true, Some(t)) if end > t => Err(Error::Inconsistent),
            (_, t) => Ok(t),
        };
        let total = match total {
            Ok(t) => t,
            Err(e) => {
                slot.dropped = true;
                return Err(e);
            }
        };
        // Exact duplicates are dropped quietly; any other overlap drops the datagram.
        let (first, last) = (frag.offset / 8, end.div_ceil(8));
        let seen = (first..last).filter(|&b| has(&slot.have, b)).count();
        if seen > 0 {
            if seen == last - first && slot.data[frag.offset..end] == *frag.data {
                return Ok(None);
            }
            //= https://www.rfc-editor.org/rfc/rfc5722#section-4
            //# When reassembling an IPv6 datagram, if one or more of its constituent
            //# fragments is determined to be an overlapping fragment, the entire
            //# datagram (and any constituent fragments) MUST be silently discarded.
            slot.dropped = true;
            return Err(Error::Overlap);
        }
        slot.data[frag.offset..end].copy_from_slice(frag.data);
        for b in first..last {
            slot.have[b / 64] |= 1 << (b % 64);
        }
        slot.received += len;
        slot.total = total;
        match slot.total {
            Some(t) if slot.received == t => {
                let available = out.len();
                let dst = out.get_mut(..t).ok_or(Error::BufferTooSmall {
                    needed: t,
                    available,
                })?;
                dst.copy_from_slice(&slot.data[..t]);
                self.slots[index] = None;
                Ok(Some(t))
            }
            _ => Ok(None),
        }
    }

    /// When the next datagram expires.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.slots.iter().flatten().map(|s| s.deadline).min()
    }

    /// Frees the next datagram whose timer ran out by `now` and says whether it had its
    /// first fragment; call until `None`.
    pub fn handle_timeout(&mut self, now: Duration) -> Option<Expired> {
        let index = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.deadline <= now))?;
        let slot = self.slots[index].take()?;
        Some(Expired {
            key: slot.key,
            had_first: !slot.dropped && has(&slot.have, 0),
        })
    }

    fn slot_for(&mut self, now: Duration, key: Key) -> Result<usize, Error> {
        // Expired slots are freed first (their fragments start a new datagram).
        for s in self.slots.iter_mut() {
            if s.as_ref().is_some_and(|s| s.deadline <= now) {
                *s = None;
            }
        }
        if let Some(i) = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.key == key))
        {
            return Ok(i);
        }
        let i = self
            .slots
            .iter()
            .position(Option::is_none)
            .ok_or(Error::Full { slots: S })?;
        self.slots[i] = Some(Slot {
            key,
            deadline: now + self.timeout,
            dropped: false,
            total: None,
            have: [0; BLOCKS / 64],
            received: 0,
            data: [0; B],
        });
        Ok(i)
    }
}

fn has(have: &[u64; BLOCKS / 64], block: usize) -> bool {
    have.get(block / 64)
        .is_some_and(|w| w & (1 << (block % 64)) != 0)
}

/// The end of the last 8-byte block received so far. Before the last fragment arrives
/// every received fragment had More Fragments set, so its blocks are full.
fn slot_extent<const B: usize>(slot: &Slot<B>) -> usize {
    let last = slot.have.iter().enumerate().rev().find(|(_, w)| **w != 0);
    match last {
        Some((i, w)) => (i * 64 + 64 - w.leading_zeros() as usize) * 8,
        None => 0,
    }
}

#[cfg(test)]
mod tests;
