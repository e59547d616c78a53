//! The neighbor cache (RFC 4861 section 7.3), for NDP and for ARP.
//!
//! A fixed-capacity table from IP address to link-layer address with the reachability
//! states of RFC 4861 section 7.3.2, driven entirely by the caller:
//!
//! ```text
//!            resolve (no entry): send multicast solicitation
//!   (none) ---------------------------------------------> INCOMPLETE --(3 solicitations
//!                                                            |         unanswered)--> (none)
//!             solicited advertisement                        | unsolicited info
//!   REACHABLE <----------------------------------------------+-------------> STALE
//!     |  ReachableTime passes                                                 |
//!     +--------------------------------------> STALE --(packet sent)--> DELAY |
//!                                                                          |  5 s
//!   REACHABLE <--(solicited advertisement / upper-layer confirmation)-- PROBE <-+
//!                                    (3 unicast probes unanswered) --> (none)
//! ```
//!
//! The sans-IO shape: [`Cache::resolve`] before sending; [`Cache::hold`] a packet whose
//! neighbor is being resolved; [`Cache::handle_advertisement`],
//! [`Cache::handle_solicitation_source`] and [`Cache::handle_arp`] with what arrives;
//! [`Cache::poll_transmit`] for solicitations to send; [`Cache::poll_release`] and
//! [`Cache::poll_failed`] for held packets that can go now or never will;
//! [`Cache::poll_timeout`] and [`Cache::handle_timeout`] for the timers. Nothing
//! allocates and nothing panics: a full table or queue is an error value or a counted
//! drop, as the RFC allows.
//!
//! ARP uses the same machine, as Linux does: a reply is an advertisement with the
//! override flag, a request's sender is a solicitation source (RFC 826's "merge").

use crate::wire::EthernetAddress;
use core::net::IpAddr;
use core::time::Duration;

/// The protocol constants of RFC 4861 section 10, which a caller may change (RFC 4861
/// lets a router advertise `ReachableTime` and `RetransTimer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long a neighbor stays REACHABLE after a confirmation (ReachableTime).
    /// RFC 4861 section 6.3.2 has hosts draw it uniformly between 0.5 and 1.5 times
    /// BaseReachableTime (30 s); the caller, who holds the randomness, does that.
    pub reachable_time: Duration,
    /// Time between retransmitted solicitations (RetransTimer, 1 s).
    pub retrans_timer: Duration,
    /// Time in DELAY before the first probe (DELAY_FIRST_PROBE_TIME, 5 s).
    pub delay_first_probe: Duration,
    /// Multicast solicitations sent while INCOMPLETE (MAX_MULTICAST_SOLICIT, 3).
    pub max_multicast_solicit: u8,
    /// Unicast probes sent while PROBE (MAX_UNICAST_SOLICIT, 3).
    pub max_unicast_solicit: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            reachable_time: Duration::from_secs(30),
            retrans_timer: Duration::from_secs(1),
            delay_first_probe: Duration::from_secs(5),
            max_multicast_solicit: 3,
            max_unicast_solicit: 3,
        }
    }
}

/// The reachability state of a neighbor (RFC 4861 section 7.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Resolution is in progress: solicitations are being sent, no link-layer address.
    Incomplete,
    /// Reachability was confirmed within the last ReachableTime.
    Reachable,
    /// Reachability is unknown; nothing is done until a packet is sent.
    Stale,
    /// A packet was sent to a STALE neighbor; waiting for an upper-layer confirmation
    /// before probing.
    Delay,
    /// Unicast probes are being sent.
    Probe,
}

/// What [`Cache::resolve`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Send to this link-layer address.
    Found(EthernetAddress),
    /// Resolution is in progress: [`Cache::hold`] the packet (or drop it).
    Pending,
}

/// A solicitation the caller must send: a Neighbor Solicitation (NDP) or an ARP request
/// for `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Solicit {
    /// The address being resolved.
    pub target: IpAddr,
    /// `None`: send to the solicited-node multicast address (ARP: broadcast).
    /// `Some`: a unicast probe to the cached address (RFC 4861 section 7.3.3).
    pub unicast: Option<EthernetAddress>,
}

/// The flags of a Neighbor Advertisement that the cache uses (RFC 4861 section 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdvertFlags {
    /// S: sent in response to a solicitation.
    pub solicited: bool,
    /// O: the advertisement should override a cached link-layer address.
    pub override_: bool,
    /// R: the sender is a router.
    pub router: bool,
}

/// A held packet handed back by [`Cache::poll_release`] or [`Cache::poll_failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// The neighbor the packet was waiting for.
    pub addr: IpAddr,
    /// The link-layer address to send it to (`None` for a failed resolution).
    pub hw_addr: Option<EthernetAddress>,
    /// Bytes copied into the caller's buffer.
    pub len: usize,
}

/// What went wrong in a cache operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Every entry is resolving (INCOMPLETE): there is none to evict for a new one.
    #[error("neighbor cache full: all {capacity} entries are resolving")]
    Full {
        /// The cache's capacity.
        capacity: usize,
    },
    /// The packet is larger than a queue slot.
    #[error("packet of {len} bytes does not fit a {max}-byte queue slot")]
    PacketTooLarge {
        /// The packet's length.
        len: usize,
        /// The slot size.
        max: usize,
    },
    /// [`Cache::hold`] for an address that is not being resolved.
    #[error("no resolution in progress for {0}")]
    NotResolving(IpAddr),
    /// The caller's buffer is smaller than the held packet.
    #[error("buffer of {available} bytes for a {needed}-byte packet")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    addr: IpAddr,
    hw: Option<EthernetAddress>,
    state: State,
    /// When the current state's timer fires (REACHABLE, DELAY) or the next
    /// solicitation is due (INCOMPLETE, PROBE). Unused in STALE.
    deadline: Duration,
    /// Solicitations sent in the current state.
    sent: u8,
    router: bool,
    /// Last time `resolve` used the entry, for eviction.
    used: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    Waiting,
    Failed,
}

#[derive(Debug, Clone, Copy)]
struct Slot<const B: usize> {
    addr: IpAddr,
    state: SlotState,
    /// Arrival order, for replacing the oldest when the queue is full.
    seq: u64,
    len: usize,
    data: [u8; B],
}

/// Counters of what the cache did that a caller may want to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Held packets replaced by newer ones because the queue was full.
    pub queue_drops: u64,
    /// Entries evicted to make room for a new neighbor.
    pub evictions: u64,
    /// Resolutions that failed (INCOMPLETE or PROBE ran out of solicitations).
    pub failures: u64,
}

/// A neighbor cache of `N` entries with a queue of `Q` held packets of up to `B` bytes
/// each.
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr};
/// use core::time::Duration;
/// use netstack::iface::neighbor::{AdvertFlags, Cache, Config, Resolution, Solicit};
/// use netstack::wire::EthernetAddress;
///
/// let mut cache: Cache<8, 4, 1514> = Cache::new(Config::default());
/// let peer = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
/// let t0 = Duration::from_secs(100);
///
/// // Nothing known yet: hold the packet and send a request.
/// assert_eq!(cache.resolve(t0, peer), Ok(Resolution::Pending));
/// cache.hold(peer, b"an IPv4 packet").unwrap();
/// assert_eq!(cache.poll_transmit(t0), Some(Solicit { target: peer, unicast: None }));
/// assert_eq!(cache.poll_transmit(t0), None); // the next one is due in 1 s
///
/// // The reply arrives: the held packet can go.
/// let mac = EthernetAddress([2, 0, 0, 0, 0, 2]);
/// cache.handle_arp(t0, peer, mac, true);
/// let mut buf = [0u8; 1514];
/// let held = cache.poll_release(&mut buf).unwrap().unwrap();
/// assert_eq!((held.hw_addr, &buf[..held.len]), (Some(mac), &b"an IPv4 packet"[..]));
/// assert_eq!(cache.resolve(t0, peer), Ok(Resolution::Found(mac)));
/// ```
#[derive(Debug, Clone)]
pub struct Cache<const N: usize, const Q: usize, const B: usize> {
    config: Config,
    entries: [Option<Entry>; N],
    slots: [Option<Slot<B>>; Q],
    next_seq: u64,
    stats: Stats,
    /// The entry [`Cache::resolve`] found last.
    hint: usize,
}

impl<const N: usize, const Q: usize, const B: usize> Cache<N, Q, B> {
    /// An empty cache.
    pub const fn new(config: Config) -> Self {
        Cache {
            config,
            entries: [None; N],
            slots: [None; Q],
            next_seq: 0,
            hint: 0,
            stats: Stats {
                queue_drops: 0,
                evictions: 0,
                failures: 0,
            },
        }
    }

    /// The configuration.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Counters.
    pub const fn stats(&self) -> Stats {
        self.stats
    }

    /// The state and link-layer address of `addr`, if it has an entry.
    pub fn lookup(&self, addr: IpAddr) -> Option<(State, Option<EthernetAddress>)> {
        self.find(addr)
            .map(|i| self.entries[i].map(|e| (e.state, e.hw)))?
    }

    /// Whether `addr` advertised itself as a router (the R flag, RFC 4861 section 7.2.5).
    pub fn is_router(&self, addr: IpAddr) -> bool {
        self.find(addr)
            .and_then(|i| self.entries[i])
            .is_some_and(|e| e.router)
    }

    /// Number of entries in use.
    pub fn len(&self) -> usize {
        self.entries.iter().flatten().count()
    }

    /// Whether the cache has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Looks up the link-layer address to send a packet for `addr` to, starting
    /// resolution when there is none (RFC 4861 section 7.2.2) and moving a STALE entry
    /// to DELAY (section 7.3.3).
    pub fn resolve(&mut self, now: Duration, addr: IpAddr) -> Result<Resolution, Error> {
        // The forwarding fast path: only the entry asked for has its timer run here
        // (the others' run at the next poll or timeout), and the entry found last is
        // tried first, so a router sending to a few next hops does not scan the cache.
        let found = match self.entries.get(self.hint) {
            Some(Some(e)) if e.addr == addr => Some(self.hint),
            _ => self.find(addr),
        };
        if let Some(i) = found {
            self.expire_one(i, now);
        }
        if let Some(i) = found
            && self.entries[i].is_some()
        {
            self.hint = i;
            let config = self.config;
            let Some(e) = self.entries[i].as_mut() else {
                return Ok(Resolution::Pending);
            };
            e.used = now;
            //= https://www.rfc-editor.org/rfc/rfc4861#section-7.3.3
            //# The first time a node sends a packet to a neighbor whose entry is STALE,
            //# the sender changes the state to DELAY and sets a timer to expire in
            //# DELAY_FIRST_PROBE_TIME seconds.
            if e.state == State::Stale {
                e.state = State::Delay;
                e.deadline = now + config.delay_first_probe;
            }
            return Ok(match (e.state, e.hw) {
                (State::Incomplete, _) | (_, None) => Resolution::Pending,
                (_, Some(hw)) => Resolution::Found(hw),
            });
        }
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.2
        //# If no entry exists, the sender creates one, sets its state to INCOMPLETE,
        //# initiates Address Resolution, and then queues the data packet pending
        //# completion of address resolution.
        self.expire(now);
        let i = self.free_slot()?;
        self.entries[i] = Some(Entry {
            addr,
            hw: None,
            state: State::Incomplete,
            deadline: now,
            sent: 0,
            router: false,
            used: now,
        });
        Ok(Resolution::Pending)
    }

    /// Queues a copy of `packet` until `addr` is resolved. When the queue is full the
    /// oldest held packet is replaced (RFC 4861 section 7.2.2) and counted in
    /// [`Stats::queue_drops`].
    pub fn hold(&mut self, addr: IpAddr, packet: &[u8]) -> Result<(), Error> {
        if packet.len() > B {
            return Err(Error::PacketTooLarge {
                len: packet.len(),
                max: B,
            });
        }
        match self.find(addr).and_then(|i| self.entries[i]) {
            Some(e) if e.state == State::Incomplete => {}
            _ => return Err(Error::NotResolving(addr)),
        }
        let index = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.2
                //# If the queue overflows, the new arrival SHOULD replace the oldest entry.
                let oldest = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.map(|s| (s.seq, i)))
                    .min();
                let Some((_, oldest)) = oldest else {
                    // Q == 0: nothing can be held.
                    self.stats.queue_drops += 1;
                    return Ok(());
                };
                self.stats.queue_drops += 1;
                oldest
            }
        };
        let mut slot = Slot {
            addr,
            state: SlotState::Waiting,
            seq: self.next_seq,
            len: packet.len(),
            data: [0; B],
        };
        slot.data[..packet.len()].copy_from_slice(packet);
        self.next_seq += 1;
        self.slots[index] = Some(slot);
        Ok(())
    }

    /// Updates the cache from a Neighbor Advertisement for `addr` carrying the target
    /// link-layer address `hw` (if the option was present), per RFC 4861 section 7.2.5.
    pub fn handle_advertisement(
        &mut self,
        now: Duration,
        addr: IpAddr,
        hw: Option<EthernetAddress>,
        flags: AdvertFlags,
    ) {
        let config = self.config;
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.5
        //# If no entry exists, the advertisement SHOULD be silently discarded.
        let Some(e) = self.find(addr).and_then(|i| self.entries[i].as_mut()) else {
            return;
        };
        if e.state == State::Incomplete {
            //# If the link layer has addresses and no Target Link-Layer Address option
            //# is included, the receiving node SHOULD silently discard the received
            //# advertisement.
            let Some(hw) = hw else { return };
            //# Otherwise, the receiving node performs the following steps: It records
            //# the link-layer address in the Neighbor Cache entry. If the
            //# advertisement's Solicited flag is set, the state of the entry is set to
            //# REACHABLE; otherwise, it is set to STALE.
            e.hw = Some(hw);
            set_confirmed(e, flags.solicited, now, &config);
            e.router = flags.router;
            return;
        }
        let changed = matches!((hw, e.hw), (Some(new), Some(old)) if new != old);
        if !flags.override_ && changed {
            //# If the Override flag is clear and the supplied link-layer address differs
            //# from that in the cache, then [...] if the state of the entry is
            //# REACHABLE, set it to STALE, but do not update the entry in any other way.
            //# Otherwise, the received advertisement should be ignored.
            if e.state == State::Reachable {
                e.state = State::Stale;
            }
            return;
        }
        //# If the Override flag is set, or the supplied link-layer address is the same
        //# as that in the cache, or no Target Link-Layer Address option was supplied,
        //# the received advertisement MUST update the Neighbor Cache entry as follows:
        if let Some(hw) = hw {
            e.hw = Some(hw);
        }
        if flags.solicited {
            set_confirmed(e, true, now, &config);
        } else if changed {
            e.state = State::Stale;
        }
        e.router = flags.router;
    }

    /// Updates the cache from a solicitation (NS, RS) or Router Advertisement whose
    /// sender `addr` included its link-layer address `hw` (RFC 4861 sections 7.2.3 and
    /// 6.3.4): a new entry is STALE, a changed address makes the entry STALE. Returns
    /// an error only when a new entry cannot be made (the cache is full of resolutions).
    pub fn handle_solicitation_source(
        &mut self,
        now: Duration,
        addr: IpAddr,
        hw: EthernetAddress,
    ) -> Result<(), Error> {
        self.expire(now);
        match self.find(addr) {
            Some(i) => {
                let Some(e) = self.entries[i].as_mut() else {
                    return Ok(());
                };
                if e.hw != Some(hw) {
                    e.hw = Some(hw);
                    e.state = State::Stale;
                }
            }
            None => {
                let i = self.free_slot()?;
                self.entries[i] = Some(Entry {
                    addr,
                    hw: Some(hw),
                    state: State::Stale,
                    deadline: now,
                    sent: 0,
                    router: false,
                    used: now,
                });
            }
        }
        Ok(())
    }

    /// Updates the entry of `addr` from an ARP packet it sent from `hw` (RFC 826's
    /// merge): a reply while we resolve or probe confirms reachability (REACHABLE);
    /// otherwise a changed address is taken and the entry becomes STALE. Senders
    /// without an entry are not added here: RFC 826 adds the sender of a request only
    /// when we are its target, which the caller knows; it passes those to
    /// [`Cache::handle_solicitation_source`].
    pub fn handle_arp(&mut self, now: Duration, addr: IpAddr, hw: EthernetAddress, reply: bool) {
        let Some(state) = self
            .find(addr)
            .and_then(|i| self.entries[i])
            .map(|e| e.state)
        else {
            return;
        };
        let solicited = reply && matches!(state, State::Incomplete | State::Delay | State::Probe);
        self.handle_advertisement(
            now,
            addr,
            Some(hw),
            AdvertFlags {
                solicited,
                override_: true,
                router: false,
            },
        );
    }

    /// An upper layer confirmed that `addr` is reachable (for example TCP saw new data
    /// acknowledged; RFC 4861 section 7.3.1).
    pub fn confirm_reachable(&mut self, now: Duration, addr: IpAddr) {
        let config = self.config;
        if let Some(e) = self.find(addr).and_then(|i| self.entries[i].as_mut())
            && e.hw.is_some()
        {
            set_confirmed(e, true, now, &config);
        }
    }

    /// Removes the entry for `addr` (and fails its held packets).
    pub fn remove(&mut self, addr: IpAddr) {
        if let Some(i) = self.find(addr) {
            self.fail(i);
        }
    }

    /// The next solicitation due at `now`, if any: multicast while INCOMPLETE, unicast
    /// while PROBE, every RetransTimer, until the limits of [`Config`].
    pub fn poll_transmit(&mut self, now: Duration) -> Option<Solicit> {
        self.expire(now);
        let config = self.config;
        for e in self.entries.iter_mut().flatten() {
            let limit = match e.state {
                State::Incomplete => config.max_multicast_solicit,
                State::Probe => config.max_unicast_solicit,
                _ => continue,
            };
            if e.deadline <= now && e.sent < limit {
                e.sent += 1;
                e.deadline = now + config.retrans_timer;
                let unicast = if e.state == State::Probe { e.hw } else { None };
                return Some(Solicit {
                    target: e.addr,
                    unicast,
                });
            }
        }
        None
    }

    /// Copies the next held packet whose neighbor is now resolved into `buf`, and
    /// removes it from the queue.
    pub fn poll_release(&mut self, buf: &mut [u8]) -> Result<Option<Held>, Error> {
        // Oldest first, so that packets to one neighbor leave in the order they came.
        // (The slots are compared by reference: a slot holds a whole packet.)
        let next = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .filter(|(_, s)| s.state == SlotState::Waiting)
            .filter_map(|(i, s)| self.resolved(s.addr).map(|hw| (i, s.seq, hw)))
            .min_by_key(|&(_, seq, _)| seq);
        match next {
            Some((index, _, hw)) => self.take(index, buf, Some(hw)).map(Some),
            None => Ok(None),
        }
    }

    /// Copies the next held packet whose resolution failed into `buf`, and removes it.
    /// RFC 4861 section 7.2.2 has the sender answer each with an ICMP Destination
    /// Unreachable (address unreachable).
    pub fn poll_failed(&mut self, buf: &mut [u8]) -> Result<Option<Held>, Error> {
        let failed = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .filter(|(_, s)| s.state == SlotState::Failed)
            .min_by_key(|(_, s)| s.seq);
        match failed {
            Some((index, _)) => self.take(index, buf, None).map(Some),
            None => Ok(None),
        }
    }

    /// When [`Cache::handle_timeout`] (or a poll) next has something to do.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.entries
            .iter()
            .flatten()
            .filter_map(|e| match e.state {
                State::Incomplete | State::Probe | State::Reachable | State::Delay => {
                    Some(e.deadline)
                }
                State::Stale => None,
            })
            .min()
    }

    /// Runs the timers: REACHABLE ages to STALE, DELAY moves to PROBE, and INCOMPLETE
    /// or PROBE entries whose solicitations went unanswered are removed (their held
    /// packets go to [`Cache::poll_failed`]).
    pub fn handle_timeout(&mut self, now: Duration) {
        self.expire(now);
    }

    fn expire(&mut self, now: Duration) {
        for i in 0..N {
            self.expire_one(i, now);
        }
    }

    /// Runs the timer of entry `i` alone.
    #[inline]
    fn expire_one(&mut self, i: usize, now: Duration) {
        let config = self.config;
        let Some(e) = self.entries.get_mut(i).and_then(Option::as_mut) else {
            return;
        };
        if e.deadline > now {
            return;
        }
        match e.state {
            //= https://www.rfc-editor.org/rfc/rfc4861#section-7.3.3
            //# When ReachableTime milliseconds have passed since receipt of the last
            //# reachability confirmation for a neighbor, the Neighbor Cache entry's
            //# state changes from REACHABLE to STALE.
            State::Reachable => e.state = State::Stale,
            //# If no reachability confirmation is received within
            //# DELAY_FIRST_PROBE_TIME seconds of entering the DELAY state, send a
            //# Neighbor Solicitation and change the state to PROBE.
            State::Delay => {
                e.state = State::Probe;
                e.sent = 0;
            }
            //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.2
            //# If no Neighbor Advertisement is received after MAX_MULTICAST_SOLICIT
            //# solicitations, address resolution has failed.
            State::Incomplete if e.sent >= config.max_multicast_solicit => self.fail(i),
            //= https://www.rfc-editor.org/rfc/rfc4861#section-7.3.3
            //# If no response is received after waiting RetransTimer milliseconds
            //# after sending the MAX_UNICAST_SOLICIT solicitations, retransmissions
            //# cease and the entry SHOULD be deleted.
            State::Probe if e.sent >= config.max_unicast_solicit => self.fail(i),
            _ => {}
        }
    }

    fn fail(&mut self, i: usize) {
        let Some(e) = self.entries[i].take() else {
            return;
        };
        if matches!(e.state, State::Incomplete | State::Probe) {
            self.stats.failures += 1;
        }
        for slot in self.slots.iter_mut().flatten() {
            if slot.addr == e.addr {
                slot.state = SlotState::Failed;
            }
        }
    }

    /// Copies `slot` (the one at `index`) into `buf` and frees it; a short `buf` leaves
    /// it queued.
    fn take(
        &mut self,
        index: usize,
        buf: &mut [u8],
        hw_addr: Option<EthernetAddress>,
    ) -> Result<Held, Error> {
        let Some(slot) = self.slots.get(index).and_then(Option::as_ref) else {
            return Ok(Held {
                addr: IpAddr::V4(core::net::Ipv4Addr::UNSPECIFIED),
                hw_addr,
                len: 0,
            });
        };
        let available = buf.len();
        let out = buf.get_mut(..slot.len).ok_or(Error::BufferTooSmall {
            needed: slot.len,
            available,
        })?;
        out.copy_from_slice(&slot.data[..slot.len]);
        let held = Held {
            addr: slot.addr,
            hw_addr,
            len: slot.len,
        };
        self.slots[index] = None;
        Ok(held)
    }

    /// The link-layer address to send to `addr` now, if it is resolved.
    fn resolved(&self, addr: IpAddr) -> Option<EthernetAddress> {
        let e = self.find(addr).and_then(|i| self.entries[i])?;
        if e.state == State::Incomplete {
            None
        } else {
            e.hw
        }
    }

    fn find(&self, addr: IpAddr) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.is_some_and(|e| e.addr == addr))
    }

    /// A free entry, evicting the least recently used resolved entry (STALE ones
    /// first) when the cache is full.
    fn free_slot(&mut self) -> Result<usize, Error> {
        if let Some(i) = self.entries.iter().position(Option::is_none) {
            return Ok(i);
        }
        let victim = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.map(|e| (i, e)))
            .filter(|(_, e)| e.state != State::Incomplete)
            .min_by_key(|(_, e)| (e.state != State::Stale, e.used))
            .map(|(i, _)| i)
            .ok_or(Error::Full { capacity: N })?;
        self.fail(victim);
        self.stats.evictions += 1;
        Ok(victim)
    }
}

/// REACHABLE with a fresh timer if `reachable`, else STALE.
fn set_confirmed(e: &mut Entry, reachable: bool, now: Duration, config: &Config) {
    if reachable {
        e.state = State::Reachable;
        e.deadline = now + config.reachable_time;
    } else {
        e.state = State::Stale;
    }
    e.sent = 0;
}

#[cfg(test)]
mod tests;
