//! UDP sockets (RFC 768) and the datagram queue they are built on.
//!
//! [`Socket`] is the sans-IO endpoint: the host finds it by port, checks
//! [`Socket::accepts`], and hands it each validated datagram with
//! [`Socket::handle_datagram`]; the application calls [`Socket::send_to`] and
//! [`Socket::recv_from`]; the host drains the send queue with
//! [`Socket::poll_transmit`], which writes the UDP header (checksum included) and the
//! payload into the host's buffer, and writes the IP and link headers around it.
//!
//! [`PacketBuffer`] is the bounded queue of datagrams behind both directions: at most
//! `M` datagrams, their payloads stored contiguously in a [`Storage`] the caller
//! chose.
//!
//! # What the host does, not the socket
//! - Parsing and verifying received datagrams: [`crate::wire::udp::Repr::parse`]
//!   applies the receive-side checksum rules (a zero checksum means "none" over IPv4
//!   and is invalid over IPv6). The socket sees only payloads the host accepted.
//! - Choosing ephemeral ports, demultiplexing by port, delivering broadcast and
//!   multicast datagrams to every socket that [`Socket::accepts`] them, and sending
//!   ICMP Port Unreachable when none does.
//! - Choosing a source address when the socket has none to offer (see
//!   [`Socket::poll_transmit`]), and the IGMP/MLD membership of the interface for the
//!   groups in [`Socket::groups`].
//!
//! # Differences from a Linux socket
//! A socket bound to the unspecified IPv6 address only takes IPv6 (as with
//! `IPV6_V6ONLY`). Sending to a broadcast address needs no `SO_BROADCAST`. There are
//! no source-specific multicast filters and no multicast loopback: those belong to the
//! host.

use super::storage::Storage;
use crate::wire::ChecksumCapabilities;
use crate::wire::udp::{HEADER_LEN, Repr};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::time::Duration;

#[cfg(test)]
mod tests;

/// Why a datagram could not be queued in a [`PacketBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EnqueueError {
    /// No metadata slot is free, or no contiguous room is left for the payload: try
    /// again after dequeueing.
    #[error("packet buffer full")]
    Full,
    /// The payload is larger than the buffer can ever hold.
    #[error("a {size}-byte payload does not fit in a {max}-byte packet buffer")]
    TooLarge {
        /// The payload length.
        size: usize,
        /// The most payload bytes the buffer can hold.
        max: usize,
    },
}

/// One queued datagram: where its payload is, and its metadata.
#[derive(Debug, Clone)]
struct Entry<H> {
    /// Bytes skipped at the end of the ring before the payload (so that the payload
    /// does not wrap), counted as used until the datagram is dequeued.
    pad: usize,
    /// Payload length.
    size: usize,
    /// The caller's metadata.
    header: H,
}

/// A bounded queue of datagrams, each with metadata `H`.
///
/// Up to `M` datagrams are queued; their metadata sits in a fixed ring of `M` slots
/// and their payloads in `S`, used as a ring of bytes. A payload is always one
/// contiguous slice: when it does not fit between the end of the queued bytes and
/// the end of the storage but fits at its start, the bytes up to the end are skipped
/// and counted as padding of that datagram (as smoltcp's `PacketBuffer` does, except
/// that the padding takes no metadata slot). Padding is given back when its datagram
/// is dequeued, and an empty queue starts again at offset 0, so a datagram as large as
/// the whole storage fits whenever the queue is empty.
///
/// Because payloads are contiguous and in order, a datagram may not fit even when the
/// free bytes add up to its length (the free room is split between the end and the
/// start of the storage); it always fits when it is no longer than half of the free
/// bytes. Growable storage ([`Storage::grow`]) grows instead of failing.
///
/// Zero-length datagrams are valid and take a metadata slot only. Nothing here panics;
/// a failed enqueue leaves the queue as it was.
#[derive(Debug, Clone)]
pub struct PacketBuffer<S, const M: usize, H> {
    storage: S,
    /// Index in `storage` where the queued bytes (the first datagram's padding) start.
    read: usize,
    /// Queued bytes, padding included.
    used: usize,
    /// Queued payload bytes, padding excluded.
    payload: usize,
    entries: [Option<Entry<H>>; M],
    /// Index in `entries` of the first datagram.
    head: usize,
    /// Number of queued datagrams.
    count: usize,
}

impl<S: Storage, const M: usize, H> PacketBuffer<S, M, H> {
    /// An empty queue with its payloads in `storage`.
    pub fn new(storage: S) -> Self {
        PacketBuffer {
            storage,
            read: 0,
            used: 0,
            payload: 0,
            entries: [const { None }; M],
            head: 0,
            count: 0,
        }
    }

    /// The storage back (the queued datagrams are lost).
    pub fn into_inner(self) -> S {
        self.storage
    }

    /// The most datagrams the queue holds: `M`.
    pub const fn packet_capacity(&self) -> usize {
        M
    }

    /// The current payload capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.storage.as_ref().len()
    }

    /// The payload capacity the storage can grow to: the largest datagram that can
    /// ever be queued.
    pub fn max_capacity(&self) -> usize {
        self.storage.max_capacity().max(self.capacity())
    }

    /// Number of queued datagrams.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no datagram is queued.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether every metadata slot is taken, so that not even a zero-length datagram
    /// can be queued.
    pub fn is_full(&self) -> bool {
        self.count >= M
    }

    /// Queued payload bytes (without padding).
    pub fn payload_len(&self) -> usize {
        self.payload
    }

    /// Empties the queue.
    pub fn clear(&mut self) {
        for e in &mut self.entries {
            *e = None;
        }
        self.read = 0;
        self.used = 0;
        self.payload = 0;
        self.head = 0;
        self.count = 0;
    }

    /// Index in `storage` of `i` past `base`, on the ring of `cap` bytes (`i <= cap`).
    fn wrap(base: usize, i: usize, cap: usize) -> usize {
        let x = base + i;
        if x >= cap { x - cap } else { x }
    }

    /// Where a payload of `size` bytes goes: (padding, index in `storage`), growing
    /// the storage if it must and can. `None` if it does not fit.
    fn place(&mut self, size: usize) -> Option<(usize, usize)> {
        let cap = self.capacity();
        let end = self.read + self.used;
        if end <= cap {
            // Queued bytes in read..end; free: end..cap, then 0..read.
            if cap - end >= size {
                return Some((0, end));
            }
            if self.read >= size {
                return Some((cap - end, 0));
            }
        } else {
            // Queued bytes in read..cap and 0..write; free: write..read.
            let write = end - cap;
            if self.read - write >= size {
                return Some((0, write));
            }
        }
        // Grow: lay the queue out from index 0 (every datagram keeps its offset from
        // the read position, and none wraps once the queue starts at 0), then extend.
        if self.storage.max_capacity().saturating_sub(self.used) < size
            || self.storage.max_capacity() <= cap
        {
            return None;
        }
        if self.read > 0 {
            self.storage.as_mut().rotate_left(self.read);
            self.read = 0;
        }
        self.storage.grow(self.used + size);
        (self.capacity() - self.used >= size).then_some((0, self.used))
    }

    /// Queues a datagram of `size` bytes with metadata `header`, and returns the
    /// payload slice to fill in.
    ///
    /// # Errors
    /// [`EnqueueError::TooLarge`] if `size` exceeds [`PacketBuffer::max_capacity`];
    /// [`EnqueueError::Full`] if no metadata slot or no contiguous room is free.
    pub fn enqueue(&mut self, size: usize, header: H) -> Result<&mut [u8], EnqueueError> {
        let max = self.max_capacity();
        if size > max {
            return Err(EnqueueError::TooLarge { size, max });
        }
        let Some(slot) = (self.head + self.count).checked_rem(M) else {
            return Err(EnqueueError::Full);
        };
        if self.count >= M {
            return Err(EnqueueError::Full);
        }
        let (pad, at) = self.place(size).ok_or(EnqueueError::Full)?;
        let Some(entry) = self.entries.get_mut(slot) else {
            return Err(EnqueueError::Full);
        };
        *entry = Some(Entry { pad, size, header });
        self.count += 1;
        self.used += pad + size;
        self.payload += size;
        Ok(self
            .storage
            .as_mut()
            .get_mut(at..at + size)
            .unwrap_or_default())
    }

    /// Queues a copy of `data` with metadata `header`.
    ///
    /// # Errors
    /// As [`PacketBuffer::enqueue`].
    pub fn enqueue_slice(&mut self, header: H, data: &[u8]) -> Result<(), EnqueueError> {
        let slot = self.enqueue(data.len(), header)?;
        if slot.len() == data.len() {
            slot.copy_from_slice(data);
        }
        Ok(())
    }

    /// The first datagram's entry and the index of its payload in `storage`.
    fn front(&self) -> Option<(&Entry<H>, usize)> {
        if self.count == 0 {
            return None;
        }
        let entry = self.entries.get(self.head)?.as_ref()?;
        let start = Self::wrap(self.read, entry.pad, self.capacity());
        Some((entry, start))
    }

    /// The first datagram's metadata and payload, left queued.
    pub fn peek(&self) -> Option<(&H, &[u8])> {
        let (entry, start) = self.front()?;
        let data = self
            .storage
            .as_ref()
            .get(start..start + entry.size)
            .unwrap_or_default();
        Some((&entry.header, data))
    }

    /// Removes the first datagram and returns its metadata and payload.
    pub fn dequeue(&mut self) -> Option<(H, &mut [u8])> {
        let (_, start) = self.front()?;
        let entry = self.entries.get_mut(self.head)?.take()?;
        let cap = self.capacity();
        self.head = (self.head + 1).checked_rem(M).unwrap_or(0);
        self.count -= 1;
        self.used -= entry.pad + entry.size;
        self.payload -= entry.size;
        self.read = if self.count == 0 {
            self.used = 0;
            0
        } else {
            Self::wrap(start, entry.size, cap)
        };
        let data = self
            .storage
            .as_mut()
            .get_mut(start..start + entry.size)
            .unwrap_or_default();
        Some((entry.header, data))
    }
}

/// The most multicast groups one socket can join.
pub const MAX_GROUPS: usize = 8;

/// The multicast groups a socket has joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Groups {
    addrs: [IpAddr; MAX_GROUPS],
    len: usize,
}

impl Groups {
    /// No group.
    pub const fn new() -> Self {
        Groups {
            addrs: [IpAddr::V4(Ipv4Addr::UNSPECIFIED); MAX_GROUPS],
            len: 0,
        }
    }

    /// The groups, in the order they were joined.
    pub fn as_slice(&self) -> &[IpAddr] {
        self.addrs.get(..self.len).unwrap_or_default()
    }

    /// Whether `group` is one of them.
    pub fn contains(&self, group: &IpAddr) -> bool {
        self.as_slice().contains(group)
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Groups {
    fn default() -> Self {
        Self::new()
    }
}

/// Why [`Socket::bind`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The socket is bound already: [`Socket::close`] it first.
    #[error("socket already bound")]
    AlreadyBound,
    /// Port 0: ephemeral ports are chosen by the host, which then binds to the port
    /// it chose.
    #[error("cannot bind to port 0")]
    Unaddressable,
}

/// Why [`Socket::send_to`] or [`Socket::send_to_from`] did not queue a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The socket is not bound.
    #[error("socket not bound")]
    Unbound,
    /// The remote address is unspecified, its port is 0, or its family is not the
    /// bound address's.
    #[error("remote endpoint unaddressable")]
    Unaddressable,
    /// The chosen source address is of the other family.
    #[error("invalid source address")]
    InvalidSource,
    /// The payload is larger than a UDP datagram of this family can carry, or than
    /// the send buffer can ever hold.
    #[error("a {len}-byte payload exceeds the {max}-byte limit")]
    TooLarge {
        /// The payload length.
        len: usize,
        /// The largest payload that could be sent.
        max: usize,
    },
    /// The send buffer has no room now: try again after [`Socket::poll_transmit`].
    #[error("send buffer full")]
    BufferFull,
}

/// Why [`Socket::recv_from`] or [`Socket::peek_from`] returned no datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// No datagram is queued.
    #[error("no datagram queued")]
    Exhausted,
}

/// Why [`Socket::join`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The address is not a multicast address.
    #[error("not a multicast address")]
    NotMulticast,
    /// The group is not of the family of the bound address.
    #[error("group of the other address family")]
    FamilyMismatch,
    /// The socket is a member already (Linux says `EADDRINUSE`).
    #[error("already a member")]
    AlreadyMember,
    /// The socket has joined [`MAX_GROUPS`] groups already.
    #[error("too many groups")]
    Full,
}

/// Why [`Socket::leave`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LeaveError {
    /// The socket is not a member of the group.
    #[error("not a member")]
    NotMember,
}

/// Why [`Socket::handle_datagram`] dropped a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Discard {
    /// The socket does not take datagrams for this destination (see
    /// [`Socket::accepts`]), or the source is of the other family.
    #[error("not for this socket")]
    NotAccepted,
    /// The receive buffer has no room now (Linux counts this as `RcvbufErrors`).
    #[error("receive buffer full")]
    BufferFull,
    /// The payload is larger than the receive buffer can ever hold.
    #[error("datagram larger than the receive buffer")]
    TooLarge,
}

/// Why [`Socket::poll_transmit`] did not emit the next datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The buffer is too small: the datagram stays queued; call again with at least
    /// `needed` bytes.
    #[error("buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// UDP header plus payload.
        needed: usize,
        /// The buffer's length.
        available: usize,
    },
    /// The datagram had no source address and the host's source selection gave none
    /// (no route, no address yet): the datagram was dropped.
    #[error("no source address for {dst}")]
    NoSource {
        /// The destination of the dropped datagram.
        dst: SocketAddr,
    },
    /// The host's source selection gave an address that cannot be a source
    /// (unspecified, multicast, limited broadcast, or of the other family): the
    /// datagram was dropped.
    #[error("invalid source {src} for {dst}")]
    InvalidSource {
        /// The address the host gave.
        src: IpAddr,
        /// The destination of the dropped datagram.
        dst: SocketAddr,
    },
}

/// A received datagram's addresses, as [`Socket::recv_from`] returns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Meta {
    /// Where it came from (port 0 if the sender gave none, RFC 768).
    pub remote: SocketAddr,
    /// The destination it arrived on: the socket's own address, a broadcast address
    /// or a multicast group (what Linux reports with `IP_PKTINFO`/`IPV6_PKTINFO`).
    pub local: SocketAddr,
    /// When it arrived: the `now` given to [`Socket::handle_datagram`].
    pub received: Duration,
    /// The datagram's whole payload length.
    pub len: usize,
    /// Whether the caller's buffer was shorter than the payload, whose end was then
    /// not copied (for [`Socket::recv_from`], it is lost, as with `MSG_TRUNC`).
    pub truncated: bool,
}

/// A datagram [`Socket::poll_transmit`] wrote: the host puts the IP header with these
/// addresses in front of the `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Transmit {
    /// The source address and port: the ones the checksum covers, never unspecified.
    pub src: SocketAddr,
    /// The destination address and port.
    pub dst: SocketAddr,
    /// UDP header plus payload, written at the start of the buffer.
    pub len: usize,
    /// The hop limit (IPv4 TTL) to send with, if the socket sets one; otherwise the
    /// host's default.
    pub hop_limit: Option<u8>,
}

/// What the receive queue keeps with each datagram.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    remote: SocketAddr,
    local: SocketAddr,
    at: Duration,
}

/// What the send queue keeps with each datagram.
#[derive(Debug, Clone, Copy)]
struct Outgoing {
    remote: SocketAddr,
    /// The source address; unspecified when the host must choose it.
    src: IpAddr,
}

/// The largest UDP payload over IPv4: an IPv4 datagram of 65,535 bytes less a
/// 20-byte header and the UDP header (Linux refuses larger with `EMSGSIZE`).
const MAX_PAYLOAD_V4: usize = 65_535 - 20 - HEADER_LEN;
/// The largest UDP payload over IPv6 without jumbograms: the UDP length field.
const MAX_PAYLOAD_V6: usize = 65_535 - HEADER_LEN;

/// The IPv4 limited broadcast address.
const BROADCAST: IpAddr = IpAddr::V4(Ipv4Addr::BROADCAST);

/// Whether `addr` may be the source of a datagram: not multicast (RFC 1112 section 4,
/// RFC 4291 section 2.7), not the limited broadcast (RFC 1122 section 3.2.1.3), not
/// unspecified.
fn valid_source(addr: IpAddr) -> bool {
    !(addr.is_unspecified() || addr.is_multicast() || addr == BROADCAST)
}

/// The unspecified address of `addr`'s family.
fn unspecified_like(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// Whether two addresses are of the same family.
fn same_family(a: IpAddr, b: IpAddr) -> bool {
    a.is_ipv4() == b.is_ipv4()
}

/// A UDP socket with receive and send queues of up to `M` datagrams each, their
/// payloads in storage `S`.
///
/// See the [module documentation](self) for how a host drives it.
#[derive(Debug, Clone)]
pub struct Socket<S, const M: usize> {
    local: Option<SocketAddr>,
    rx: PacketBuffer<S, M, Arrival>,
    tx: PacketBuffer<S, M, Outgoing>,
    groups: Groups,
    multicast_all: bool,
    hop_limit: Option<u8>,
    multicast_hop_limit: u8,
}

impl<S: Storage, const M: usize> Socket<S, M> {
    /// An unbound socket with payload storage `rx` for received and `tx` for
    /// outgoing datagrams.
    pub fn new(rx: S, tx: S) -> Self {
        Socket {
            local: None,
            rx: PacketBuffer::new(rx),
            tx: PacketBuffer::new(tx),
            groups: Groups::new(),
            multicast_all: true,
            hop_limit: None,
            multicast_hop_limit: 1,
        }
    }

    /// Binds to `local`. The address may be unspecified (any address of that family)
    /// or a multicast group (only that group's datagrams); the port must not be 0.
    ///
    /// # Errors
    /// [`BindError::Unaddressable`] for port 0, [`BindError::AlreadyBound`] if bound.
    pub fn bind(&mut self, local: SocketAddr) -> Result<(), BindError> {
        if self.local.is_some() {
            return Err(BindError::AlreadyBound);
        }
        if local.port() == 0 {
            return Err(BindError::Unaddressable);
        }
        self.local = Some(local);
        Ok(())
    }

    /// The bound address, if bound.
    pub fn local(&self) -> Option<SocketAddr> {
        self.local
    }

    /// Whether the socket is bound.
    pub fn is_bound(&self) -> bool {
        self.local.is_some()
    }

    /// Unbinds, drops every queued datagram, and leaves every group; returns the
    /// groups left, whose membership the host drops from the interface.
    pub fn close(&mut self) -> Groups {
        self.local = None;
        self.rx.clear();
        self.tx.clear();
        core::mem::take(&mut self.groups)
    }

    /// Joins the multicast `group`. The host joins it on the interface
    /// (`Interface::join_group`) if no other socket had.
    ///
    /// # Errors
    /// [`JoinError::NotMulticast`], [`JoinError::FamilyMismatch`] (with the bound
    /// address), [`JoinError::AlreadyMember`], [`JoinError::Full`].
    pub fn join(&mut self, group: IpAddr) -> Result<(), JoinError> {
        if !group.is_multicast() {
            return Err(JoinError::NotMulticast);
        }
        if self.local.is_some_and(|l| !same_family(l.ip(), group)) {
            return Err(JoinError::FamilyMismatch);
        }
        if self.groups.contains(&group) {
            return Err(JoinError::AlreadyMember);
        }
        let Some(slot) = self.groups.addrs.get_mut(self.groups.len) else {
            return Err(JoinError::Full);
        };
        *slot = group;
        self.groups.len += 1;
        Ok(())
    }

    /// Leaves the multicast `group`.
    ///
    /// # Errors
    /// [`LeaveError::NotMember`] if the socket had not joined it.
    pub fn leave(&mut self, group: IpAddr) -> Result<(), LeaveError> {
        let groups = &mut self.groups;
        let Some(i) = groups.as_slice().iter().position(|g| *g == group) else {
            return Err(LeaveError::NotMember);
        };
        if let Some(tail) = groups.addrs.get_mut(i..groups.len) {
            tail.rotate_left(1);
        }
        groups.len -= 1;
        Ok(())
    }

    /// The groups joined, in the order they were joined.
    pub fn groups(&self) -> &[IpAddr] {
        self.groups.as_slice()
    }

    /// Whether a socket bound to the unspecified address takes multicast datagrams
    /// for every group the host receives (`true`, the default, as Linux's
    /// `IP_MULTICAST_ALL` and `IPV6_MULTICAST_ALL`), or only for the groups this
    /// socket joined (`false`).
    pub fn set_multicast_all(&mut self, all: bool) {
        self.multicast_all = all;
    }

    /// See [`Socket::set_multicast_all`].
    pub fn multicast_all(&self) -> bool {
        self.multicast_all
    }

    /// The hop limit (IPv4 TTL) for unicast and broadcast datagrams; `None`, the
    /// default, leaves it to the host (the interface's, for IPv6 the one Router
    /// Advertisements set).
    pub fn set_hop_limit(&mut self, hops: Option<u8>) {
        self.hop_limit = hops;
    }

    /// See [`Socket::set_hop_limit`].
    pub fn hop_limit(&self) -> Option<u8> {
        self.hop_limit
    }

    /// The hop limit for multicast datagrams: 1 by default (RFC 1112 section 6.1,
    /// RFC 3493 section 5.2), which keeps them on the link.
    pub fn set_multicast_hop_limit(&mut self, hops: u8) {
        self.multicast_hop_limit = hops;
    }

    /// See [`Socket::set_multicast_hop_limit`].
    pub fn multicast_hop_limit(&self) -> u8 {
        self.multicast_hop_limit
    }

    /// Whether the socket takes a datagram sent to `dst`.
    ///
    /// The port must be the bound port and the address of the bound family, and:
    /// - bound to the unspecified address: any address (the limited broadcast
    ///   255.255.255.255 included, for IPv4); for a multicast `dst`, when
    ///   [`Socket::multicast_all`] is off, only a group this socket joined;
    /// - bound to an address: only that address. As in Linux, BSD and smoltcp, a
    ///   socket bound to a unicast address takes no broadcast or multicast datagrams
    ///   even for a group it joined; to receive a group, bind to the unspecified
    ///   address or to the group itself.
    pub fn accepts(&self, dst: SocketAddr) -> bool {
        let Some(local) = self.local else {
            return false;
        };
        if local.port() != dst.port() || !same_family(local.ip(), dst.ip()) {
            return false;
        }
        if local.ip().is_unspecified() {
            !dst.ip().is_multicast() || self.multicast_all || self.groups.contains(&dst.ip())
        } else {
            local.ip() == dst.ip()
        }
    }

    /// Takes a datagram the host received and validated (checksum, lengths): `src`
    /// sent `payload` to `dst` at `now`. It is queued unless the socket does not
    /// [`accept`](Socket::accepts) it or has no room; a datagram already queued is
    /// never dropped for a new one.
    ///
    /// # Errors
    /// [`Discard`] says why the datagram was dropped.
    pub fn handle_datagram(
        &mut self,
        now: Duration,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
    ) -> Result<(), Discard> {
        if !self.accepts(dst) || !same_family(src.ip(), dst.ip()) {
            return Err(Discard::NotAccepted);
        }
        let arrival = Arrival {
            remote: src,
            local: dst,
            at: now,
        };
        self.rx
            .enqueue_slice(arrival, payload)
            .map_err(|e| match e {
                EnqueueError::TooLarge { .. } => Discard::TooLarge,
                _ => Discard::BufferFull,
            })
    }

    /// Queues `data` for `remote`, from the bound address.
    ///
    /// If the socket is bound to the unspecified address (or to a multicast group),
    /// the host chooses the source address when it sends (see
    /// [`Socket::poll_transmit`]).
    ///
    /// # Errors
    /// [`SendError::Unbound`], [`SendError::Unaddressable`] (unspecified remote,
    /// port 0, other family than the bound address), [`SendError::TooLarge`],
    /// [`SendError::BufferFull`].
    pub fn send_to(&mut self, data: &[u8], remote: SocketAddr) -> Result<(), SendError> {
        self.send_to_from(data, remote, unspecified_like(remote.ip()))
    }

    /// Queues `data` for `remote`, from `local_addr` (as Linux's
    /// `IP_PKTINFO`/`IPV6_PKTINFO` source choice). For a socket bound to the
    /// unspecified address, the address a request arrived on ([`Meta::local`]) is the
    /// one to answer from: `send_to_from(reply, meta.remote, meta.local.ip())`.
    ///
    /// An unspecified `local_addr` is the same as [`Socket::send_to`]. A multicast or
    /// limited broadcast `local_addr` (a request that arrived on a group) cannot be a
    /// source (RFC 1112 section 4, RFC 4291 section 2.7, RFC 1122 section
    /// 3.2.1.3): the host then chooses the source, as Linux does for a socket bound
    /// to a group.
    ///
    /// # Errors
    /// As [`Socket::send_to`], and [`SendError::InvalidSource`] when `local_addr` is
    /// of the other family.
    pub fn send_to_from(
        &mut self,
        data: &[u8],
        remote: SocketAddr,
        local_addr: IpAddr,
    ) -> Result<(), SendError> {
        let local = self.local.ok_or(SendError::Unbound)?;
        if remote.ip().is_unspecified()
            || remote.port() == 0
            || !same_family(local.ip(), remote.ip())
        {
            return Err(SendError::Unaddressable);
        }
        if !same_family(local_addr, remote.ip()) {
            return Err(SendError::InvalidSource);
        }
        // A socket bound to a group or to the broadcast address has no source of its
        // own either: the host chooses one ("use device", in Linux's words).
        let src = [local_addr, local.ip()]
            .into_iter()
            .find(|a| valid_source(*a))
            .unwrap_or(unspecified_like(remote.ip()));
        let family_max = if remote.is_ipv4() {
            MAX_PAYLOAD_V4
        } else {
            MAX_PAYLOAD_V6
        };
        let max = family_max.min(self.tx.max_capacity());
        if data.len() > max {
            return Err(SendError::TooLarge {
                len: data.len(),
                max,
            });
        }
        self.tx
            .enqueue_slice(Outgoing { remote, src }, data)
            .map_err(|_| SendError::BufferFull)
    }

    /// Moves the next received datagram into `buf` and returns how many bytes it
    /// copied and the datagram's addresses. A payload longer than `buf` is cut, and
    /// its end lost, as with a BSD socket ([`Meta::truncated`]).
    ///
    /// # Errors
    /// [`RecvError::Exhausted`] if no datagram is queued.
    pub fn recv_from(&mut self, buf: &mut [u8]) -> Result<(usize, Meta), RecvError> {
        let (arrival, data) = self.rx.dequeue().ok_or(RecvError::Exhausted)?;
        Ok(copy_out(&arrival, data, buf))
    }

    /// Copies the next received datagram into `buf` as [`Socket::recv_from`] does,
    /// but leaves it queued.
    ///
    /// # Errors
    /// [`RecvError::Exhausted`] if no datagram is queued.
    pub fn peek_from(&self, buf: &mut [u8]) -> Result<(usize, Meta), RecvError> {
        let (arrival, data) = self.rx.peek().ok_or(RecvError::Exhausted)?;
        Ok(copy_out(arrival, data, buf))
    }

    /// Whether a datagram is queued to be received.
    pub fn can_recv(&self) -> bool {
        !self.rx.is_empty()
    }

    /// Whether the socket is bound and has a free slot in its send queue (whether a
    /// given payload fits depends on its length; [`Socket::send_to`] says).
    pub fn can_send(&self) -> bool {
        self.local.is_some() && !self.tx.is_full()
    }

    /// Payload bytes queued to be sent.
    pub fn send_queue(&self) -> usize {
        self.tx.payload_len()
    }

    /// Payload bytes queued to be received.
    pub fn recv_queue(&self) -> usize {
        self.rx.payload_len()
    }

    /// Writes the next queued datagram, UDP header and payload, at the start of
    /// `buf`, and says which addresses the host must put in the IP header.
    ///
    /// The checksum covers the pseudo-header of those addresses, so the source must
    /// be known here. When the datagram has none (the socket is bound to the
    /// unspecified address or to a group, and [`Socket::send_to_from`] gave none),
    /// `source` is called with the destination address and returns the address the
    /// host will send from (its source address selection, RFC 6724 for IPv6), or
    /// `None` if it has none. A host whose sockets always have a source passes
    /// `|_| None`. This keeps one call per datagram and the socket free of routing
    /// state; the alternative, making every such socket call `send_to_from`, would
    /// move the host's routing decision into the application.
    ///
    /// The checksum is computed unless `caps.udp` leaves it to the device (the field
    /// is then 0, and over IPv6 the device must fill it: RFC 8200 section 8.1 makes
    /// it mandatory). A computed 0 is sent as `0xffff`, over both families.
    ///
    /// # Errors
    /// [`EmitError::BufferTooSmall`] leaves the datagram queued;
    /// [`EmitError::NoSource`] and [`EmitError::InvalidSource`] drop it.
    pub fn poll_transmit(
        &mut self,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
        source: impl FnOnce(IpAddr) -> Option<IpAddr>,
    ) -> Result<Option<Transmit>, EmitError> {
        let Some(local) = self.local else {
            return Ok(None);
        };
        let Some((&out, payload)) = self.tx.peek() else {
            return Ok(None);
        };
        let payload_len = payload.len();
        let total = HEADER_LEN + payload_len;
        let available = buf.len();
        let Some(buf) = buf.get_mut(..total) else {
            return Err(EmitError::BufferTooSmall {
                needed: total,
                available,
            });
        };
        if let Some(body) = buf.get_mut(HEADER_LEN..) {
            body.copy_from_slice(payload);
        }
        let dst = out.remote;
        let src_ip = if out.src.is_unspecified() {
            match source(dst.ip()) {
                Some(a) if valid_source(a) && same_family(a, dst.ip()) => a,
                Some(src) => {
                    self.tx.dequeue();
                    return Err(EmitError::InvalidSource { src, dst });
                }
                None => {
                    self.tx.dequeue();
                    return Err(EmitError::NoSource { dst });
                }
            }
        } else {
            out.src
        };
        let repr = Repr {
            src_port: local.port(),
            dst_port: dst.port(),
            payload_len,
        };
        self.tx.dequeue();
        //= https://www.rfc-editor.org/rfc/rfc768
        //# Checksum is the 16-bit one's complement of the one's complement sum of a
        //# pseudo header of information from the IP header, the UDP header, and the
        //# data, padded with zero octets at the end (if necessary) to make a
        //# multiple of two octets.
        //= https://www.rfc-editor.org/rfc/rfc768
        //# If the computed checksum is zero, it is transmitted as all ones (the
        //# equivalent in one's complement arithmetic).
        //= https://www.rfc-editor.org/rfc/rfc8200#section-8.1
        //# whenever originating a UDP packet, an IPv6 node must compute a UDP
        //# checksum over the packet and the pseudo-header, and, if that computation
        //# yields a result of zero, it must be changed to hex FFFF for placement in
        //# the UDP header.
        // `Repr::emit` fails only for a buffer shorter than `total` (checked above),
        // a length over 65,535 (`send_to` refused it) or addresses of two families
        // (checked here and in `send_to`).
        repr.emit(buf, &src_ip, &dst.ip(), caps)
            .map_err(|_| EmitError::InvalidSource { src: src_ip, dst })?;
        let hop_limit = if dst.ip().is_multicast() {
            Some(self.multicast_hop_limit)
        } else {
            self.hop_limit
        };
        Ok(Some(Transmit {
            src: SocketAddr::new(src_ip, local.port()),
            dst,
            len: total,
            hop_limit,
        }))
    }
}

/// Copies `data` into `buf` and describes it.
fn copy_out(arrival: &Arrival, data: &[u8], buf: &mut [u8]) -> (usize, Meta) {
    let n = data.len().min(buf.len());
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), data.get(..n)) {
        dst.copy_from_slice(src);
    }
    let meta = Meta {
        remote: arrival.remote,
        local: arrival.local,
        received: arrival.at,
        len: data.len(),
        truncated: n < data.len(),
    };
    (n, meta)
}
