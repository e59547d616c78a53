//! An IPv4 and IPv6 router: forwarding between interfaces (RFC 1812, RFC 8200, RFC
//! 4443), sans-IO.
//!
//! A [`Router`] holds its ports (an [`Interface`] with its neighbor cache and MTU each)
//! and a routing table behind the [`Routes`] trait: [`FixedTable`] without an
//! allocator, or under `alloc` [`FullTable`], which holds the whole Internet table.
//!
//! # Moving frames
//! [`Router::handle_frame`] takes a received frame *mutably*, in the buffer the device
//! received it into, and says what to do with it as an [`Action`]:
//!
//! - [`Action::Forward`]: the frame was rewritten **in place** (Ethernet addresses,
//!   TTL or Hop Limit, IPv4 checksum updated incrementally per RFC 1624): send its
//!   first `len` bytes on `port`. Nothing was copied and nothing allocated.
//! - [`Action::Fragment`]: the same, but the datagram is larger than the next hop's
//!   MTU and may be fragmented (IPv4, DF clear): [`Fragmenter::next`] writes the
//!   fragments one at a time into the caller's transmit buffers.
//! - [`Action::Reply`]: the router wrote a frame of its own (an ICMP error, an Echo
//!   Reply, an ARP reply, a Neighbor Advertisement) into the `tx` buffer: send it on
//!   `port`.
//! - [`Action::Held`]: the next hop's link-layer address is being resolved; the
//!   neighbor cache of the egress port holds a copy of the frame.
//! - [`Action::Consumed`], [`Action::Dropped`]: nothing to send; a drop says why
//!   ([`Discard`]) and is counted in [`Stats`].
//!
//! After a batch of frames (and when [`Router::poll_timeout`] comes), the caller calls
//! [`Router::poll_transmit`] until it returns `None`: it writes ARP requests and
//! Neighbor Solicitations, frames released by a resolution, and the Destination
//! Unreachable errors owed for those whose resolution failed.
//!
//! # What is not forwarded
//! - Frames not addressed to the port's MAC address, IP multicast and broadcast
//!   (there is no multicast routing), directed broadcasts (RFC 2644).
//! - Headers that fail validation (RFC 1812 section 5.2.2: length, version, header
//!   length, total length, checksum).
//! - Martian addresses (RFC 1812 section 5.3.7, RFC 4291 section 2.5): `0.0.0.0/8`,
//!   `127.0.0.0/8`, class E, multicast sources; the IPv6 unspecified, loopback and
//!   IPv4-mapped addresses, multicast sources.
//! - Link-local sources and destinations (RFC 3927 section 2.7, RFC 4291 section
//!   2.5.6); an IPv6 packet from a link-local source to a wider scope gets Destination
//!   Unreachable "beyond scope of source address" (RFC 4443 section 3.1).
//! - IPv4 source-routed datagrams (LSRR, SSRR): dropped, as RFC 7126 section 4.3
//!   advises and Linux does by default.
//!
//! # ICMP errors
//! Time Exceeded, Destination Unreachable (no route; address unreachable after a
//! failed resolution; port unreachable for UDP to the router itself), Fragmentation
//! Needed and Packet Too Big with the next hop's MTU. None is sent about an ICMP error,
//! a non-first fragment, or a packet whose source is not a single host (RFC 1812
//! section 4.3.2.7, RFC 4443 section 2.4 (e)). They are rate-limited by a token bucket
//! (RFC 1812 section 4.3.2.8, RFC 4443 section 2.4 (f)): [`Config::icmp_rate`] per
//! second with bursts of [`Config::icmp_burst`], Linux's defaults (1000 and 50).
//!
//! ```
//! use core::net::Ipv4Addr;
//! use core::time::Duration;
//! use netstack::iface::interface::Interface;
//! use netstack::iface::router::{Action, Config, Router};
//! use netstack::route::{FixedTable, InterfaceId, Route};
//! use netstack::wire::EthernetAddress;
//!
//! let mut r: Router<FixedTable<8>, 2> = Router::new(FixedTable::new(), Config::default());
//! let a = r.add_port(Interface::new(EthernetAddress([2, 0, 0, 0, 0, 0xa])), 1500).unwrap();
//! let b = r.add_port(Interface::new(EthernetAddress([2, 0, 0, 0, 0, 0xb])), 1500).unwrap();
//! r.add_ipv4(a, Ipv4Addr::new(10, 1, 0, 1), 24).unwrap(); // and the connected route
//! r.add_ipv4(b, Ipv4Addr::new(10, 2, 0, 1), 24).unwrap();
//!
//! // A UDP datagram from 10.1.0.2 to 10.2.0.2, TTL 64, to the router's MAC on port a.
//! let mut frame = [
//!     2, 0, 0, 0, 0, 0xa, 2, 0, 0, 0, 1, 2, 0x08, 0x00, // Ethernet
//!     0x45, 0, 0, 29, 0, 1, 0x40, 0, 64, 17, 0x26, 0xc9, 10, 1, 0, 2, 10, 2, 0, 2, // IPv4
//!     0x30, 0x39, 0x00, 0x35, 0, 9, 0, 0, b'x', // UDP
//! ];
//! let mut tx = [0u8; 1514];
//! let t = Duration::ZERO;
//! // 10.2.0.2 is not resolved yet: the router holds the frame and asks by ARP.
//! assert_eq!(r.handle_frame(t, a, &mut frame, &mut tx), Action::Held);
//! let (port, len) = r.poll_transmit(t, &mut tx).unwrap();
//! assert_eq!((port, len, &tx[12..14], &tx[38..42]), (b, 42, &[8u8, 6][..], &[10u8, 2, 0, 2][..]));
//! ```

use super::interface::{Handled, Interface};
use super::neighbor::{self, Cache, Resolution};
use crate::route::{FixedTable, InsertError, InterfaceId, IpCidr, Ipv4Cidr, Ipv6Cidr, Route};
use crate::wire::dissect::{Frame, Network, Transport};
use crate::wire::ethernet::EtherType;
use crate::wire::ipv4::{Dscp, Ecn};
use crate::wire::{EthernetAddress, IpProtocol, icmpv4, icmpv6, ipv4, ipv6};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

const ETH_LEN: usize = 14;

/// A routing table the router can use.
pub trait Routes {
    /// The route for an IPv4 destination (longest-prefix match).
    fn route_v4(&self, dst: Ipv4Addr) -> Option<Route>;
    /// The route for an IPv6 destination (longest-prefix match).
    fn route_v6(&self, dst: Ipv6Addr) -> Option<Route>;
    /// Adds or replaces the route for a prefix.
    fn add_route(&mut self, cidr: IpCidr, route: Route) -> Result<(), InsertError>;
    /// Removes the route for a prefix, returning it.
    fn remove_route(&mut self, cidr: IpCidr) -> Option<Route>;
}

impl<const N: usize> Routes for FixedTable<N, Route> {
    #[inline]
    fn route_v4(&self, dst: Ipv4Addr) -> Option<Route> {
        self.lookup(IpAddr::V4(dst)).copied()
    }
    #[inline]
    fn route_v6(&self, dst: Ipv6Addr) -> Option<Route> {
        self.lookup(IpAddr::V6(dst)).copied()
    }
    fn add_route(&mut self, cidr: IpCidr, route: Route) -> Result<(), InsertError> {
        self.insert(cidr, route).map(|_| ())
    }
    fn remove_route(&mut self, cidr: IpCidr) -> Option<Route> {
        self.remove(cidr)
    }
}

/// Both Poptrie tables, for a router that carries a full Internet table.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Default)]
pub struct FullTable {
    /// The IPv4 routes.
    pub v4: crate::route::Ipv4Table<Route>,
    /// The IPv6 routes.
    pub v6: crate::route::Ipv6Table<Route>,
}

#[cfg(feature = "alloc")]
impl Routes for FullTable {
    #[inline]
    fn route_v4(&self, dst: Ipv4Addr) -> Option<Route> {
        self.v4.lookup(dst).copied()
    }
    #[inline]
    fn route_v6(&self, dst: Ipv6Addr) -> Option<Route> {
        self.v6.lookup(dst).copied()
    }
    fn add_route(&mut self, cidr: IpCidr, route: Route) -> Result<(), InsertError> {
        match cidr {
            IpCidr::V4(c) => self.v4.insert(c, route).map(|_| ()),
            IpCidr::V6(c) => self.v6.insert(c, route).map(|_| ()),
        }
    }
    fn remove_route(&mut self, cidr: IpCidr) -> Option<Route> {
        match cidr {
            IpCidr::V4(c) => self.v4.remove(c),
            IpCidr::V6(c) => self.v6.remove(c),
        }
    }
}

/// A router's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// ICMP errors sent per second at most, on average (0: none). Linux:
    /// `net.ipv4.icmp_msgs_per_sec` = 1000.
    pub icmp_rate: u32,
    /// How many ICMP errors may go out at once after a quiet time. Linux:
    /// `net.ipv4.icmp_msgs_burst` = 50.
    pub icmp_burst: u32,
    /// TTL and Hop Limit of the packets the router originates (64, as Linux).
    pub ttl: u8,
    /// The neighbor caches' protocol constants.
    pub neighbor: neighbor::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            icmp_rate: 1000,
            icmp_burst: 50,
            ttl: 64,
            neighbor: neighbor::Config::default(),
        }
    }
}

/// Why a frame was not forwarded or answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Discard {
    /// Addressed to another MAC address, or VLAN-tagged, or of another EtherType.
    NotForUs,
    /// A header failed validation (RFC 1812 section 5.2.2) or did not parse.
    Malformed,
    /// A source or destination address that must never be routed.
    Martian,
    /// A link-local source or destination, which must not leave its link.
    Scope,
    /// IP multicast or broadcast (no multicast routing), or a directed broadcast.
    Multicast,
    /// An IPv4 source route option (RFC 7126 section 4.3).
    SourceRoute,
    /// TTL or Hop Limit exhausted.
    TtlExceeded,
    /// No route to the destination.
    NoRoute,
    /// Larger than the next hop's MTU and not fragmentable.
    TooBig,
    /// The next hop's link-layer address could not be resolved.
    Unresolved,
    /// The neighbor cache could not take another resolution.
    CacheFull,
    /// For the router itself, but not something it serves.
    Unhandled,
    /// The port is not one of the router's.
    NoPort,
    /// The port has no address of the family to send from.
    NoAddress,
    /// A buffer (the caller's `tx`, a queue slot) was too small.
    BufferTooSmall,
}

impl Discard {
    /// How many reasons there are.
    pub const COUNT: usize = 15;

    /// Every reason, in [`Stats::discards`] order.
    pub const ALL: [Discard; Discard::COUNT] = [
        Discard::NotForUs,
        Discard::Malformed,
        Discard::Martian,
        Discard::Scope,
        Discard::Multicast,
        Discard::SourceRoute,
        Discard::TtlExceeded,
        Discard::NoRoute,
        Discard::TooBig,
        Discard::Unresolved,
        Discard::CacheFull,
        Discard::Unhandled,
        Discard::NoPort,
        Discard::NoAddress,
        Discard::BufferTooSmall,
    ];

    /// A short description, as in [`core::fmt::Display`].
    pub const fn as_str(self) -> &'static str {
        match self {
            Discard::NotForUs => "not for us",
            Discard::Malformed => "malformed",
            Discard::Martian => "martian address",
            Discard::Scope => "link-local scope",
            Discard::Multicast => "multicast or broadcast",
            Discard::SourceRoute => "source routed",
            Discard::TtlExceeded => "TTL exceeded",
            Discard::NoRoute => "no route",
            Discard::TooBig => "too big",
            Discard::Unresolved => "next hop unresolved",
            Discard::CacheFull => "neighbor cache full",
            Discard::Unhandled => "not served",
            Discard::NoPort => "no such port",
            Discard::NoAddress => "no source address",
            Discard::BufferTooSmall => "buffer too small",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl core::fmt::Display for Discard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with a frame handed to [`Router::handle_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send the first `len` bytes of the frame, rewritten in place, on `port`.
    Forward {
        /// The egress port.
        port: InterfaceId,
        /// The frame's length (Ethernet padding removed).
        len: usize,
    },
    /// The datagram must be fragmented: write the fragments with the
    /// [`Fragmenter`] and send each on [`Fragmenter::port`].
    Fragment(Fragmenter),
    /// Send the first `len` bytes of the `tx` buffer on `port`.
    Reply {
        /// The port to send on.
        port: InterfaceId,
        /// The frame's length.
        len: usize,
    },
    /// Waiting for the next hop's link-layer address; [`Router::poll_transmit`] sends
    /// it when it is known.
    Held,
    /// Used by the router (an ARP reply, a Neighbor Advertisement); nothing to send.
    Consumed,
    /// Not forwarded, for this reason.
    Dropped(Discard),
}

/// Counters of what the router did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Frames forwarded (a fragmented datagram counts once).
    pub forwarded: u64,
    /// Datagrams that were forwarded in fragments.
    pub fragmented: u64,
    /// Frames for the router itself that it used or answered.
    pub local: u64,
    /// ICMP errors sent (or held for resolution).
    pub icmp_errors: u64,
    /// ICMP errors not sent because of the rate limit.
    pub icmp_rate_limited: u64,
    discards: [u64; Discard::COUNT],
}

impl Stats {
    /// Frames discarded for `reason`.
    pub const fn discarded(&self, reason: Discard) -> u64 {
        self.discards[reason.index()]
    }

    /// Every reason with its count.
    pub fn discards(&self) -> impl Iterator<Item = (Discard, u64)> + '_ {
        Discard::ALL.iter().map(|&d| (d, self.discarded(d)))
    }

    /// Frames discarded, for any reason.
    pub fn discarded_total(&self) -> u64 {
        self.discards.iter().sum()
    }
}

/// What went wrong configuring a router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// All `capacity` ports are taken.
    #[error("no room for another port ({capacity})")]
    Full {
        /// The router's port capacity.
        capacity: usize,
    },
    /// No such port.
    #[error("no port {0:?}")]
    NoPort(InterfaceId),
    /// An MTU below the protocol minimum (68 for IPv4, 1280 for IPv6 are not
    /// enforced per family; a port needs at least 68).
    #[error("MTU {0} is below 68")]
    Mtu(usize),
    /// The interface refused the address.
    #[error(transparent)]
    Interface(#[from] super::interface::Error),
    /// The routing table refused the connected route.
    #[error(transparent)]
    Route(#[from] InsertError),
    /// The prefix length is invalid for the family.
    #[error("invalid prefix length {0}")]
    PrefixLen(u8),
}

/// One port of a router: an interface, its neighbor cache and its MTU.
#[derive(Debug, Clone)]
pub struct Port<const A: usize, const N: usize, const Q: usize, const B: usize> {
    /// The interface (addresses, MAC, checksum handling).
    pub iface: Interface<A>,
    /// Its neighbor cache (ARP and NDP).
    pub neighbors: Cache<N, Q, B>,
    /// The IP MTU of the link: the largest IP datagram sent on it (1500 for
    /// Ethernet).
    pub mtu: usize,
}

/// A token bucket: `rate` tokens per second up to `burst`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    last: Duration,
}

impl Bucket {
    fn take(&mut self, now: Duration, rate: u32, burst: u32) -> bool {
        if rate == 0 {
            return false;
        }
        let elapsed = now.saturating_sub(self.last).as_nanos();
        let per_token = 1_000_000_000 / u128::from(rate).max(1);
        let earned = elapsed / per_token.max(1);
        if earned > 0 {
            let earned_u32 = u32::try_from(earned).unwrap_or(u32::MAX);
            self.tokens = self.tokens.saturating_add(earned_u32).min(burst);
            self.last = now;
        }
        if self.tokens > 0 {
            self.tokens -= 1;
            true
        } else {
            false
        }
    }
}

/// The ICMP error to send about a datagram.
#[derive(Debug, Clone, Copy)]
enum IcmpError {
    TimeExceeded,
    NoRoute,
    HostUnreachable,
    PortUnreachable,
    TooBig(u16),
    BeyondScope,
}

/// A router with up to `P` ports of `A` addresses per family, neighbor caches of `N`
/// entries holding up to `Q` frames of `B` bytes each, and the routing table `R`.
/// See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Router<
    R,
    const P: usize,
    const A: usize = 4,
    const N: usize = 64,
    const Q: usize = 4,
    const B: usize = 1514,
> {
    routes: R,
    ports: [Option<Port<A, N, Q, B>>; P],
    config: Config,
    bucket: Bucket,
    stats: Stats,
    ident: u16,
    /// The port [`Router::poll_transmit`] looks at first (round robin).
    next_poll: usize,
}

impl<R: Routes, const P: usize, const A: usize, const N: usize, const Q: usize, const B: usize>
    Router<R, P, A, N, Q, B>
{
    /// A router with no port, over the routing table `routes`.
    pub fn new(routes: R, config: Config) -> Self {
        Router {
            routes,
            ports: core::array::from_fn(|_| None),
            config,
            bucket: Bucket {
                tokens: config.icmp_burst,
                last: Duration::ZERO,
            },
            stats: Stats::default(),
            ident: 1,
            next_poll: 0,
        }
    }

    /// Adds a port with this interface and IP MTU, and returns its number. The
    /// interface is marked as a router's (its Neighbor Advertisements carry the R
    /// flag); its addresses, if it has some, get no connected routes: use
    /// [`Router::add_ipv4`] and [`Router::add_ipv6`] for that.
    pub fn add_port(&mut self, mut iface: Interface<A>, mtu: usize) -> Result<InterfaceId, Error> {
        if mtu < 68 {
            return Err(Error::Mtu(mtu));
        }
        let index = self
            .ports
            .iter()
            .position(Option::is_none)
            .ok_or(Error::Full { capacity: P })?;
        iface.set_router(true);
        self.ports[index] = Some(Port {
            iface,
            neighbors: Cache::new(self.config.neighbor),
            mtu,
        });
        // `P` fits a u16 in any router that can be built in memory.
        Ok(InterfaceId(u16::try_from(index).unwrap_or(u16::MAX)))
    }

    /// Adds an IPv4 address to a port, and the connected route of its prefix.
    pub fn add_ipv4(
        &mut self,
        port: InterfaceId,
        addr: Ipv4Addr,
        prefix_len: u8,
    ) -> Result<(), Error> {
        let cidr = Ipv4Cidr::new(addr, prefix_len).map_err(|_| Error::PrefixLen(prefix_len))?;
        let p = self.port_mut(port).ok_or(Error::NoPort(port))?;
        p.iface.add_ipv4(addr, prefix_len)?;
        self.routes.add_route(IpCidr::V4(cidr), connected(port))?;
        Ok(())
    }

    /// Adds an IPv6 address to a port, and the connected route of its prefix (none
    /// for a link-local address: `fe80::/64` is on every link).
    pub fn add_ipv6(
        &mut self,
        port: InterfaceId,
        addr: Ipv6Addr,
        prefix_len: u8,
    ) -> Result<(), Error> {
        let cidr = Ipv6Cidr::new(addr, prefix_len).map_err(|_| Error::PrefixLen(prefix_len))?;
        let p = self.port_mut(port).ok_or(Error::NoPort(port))?;
        p.iface.add_ipv6(addr, prefix_len)?;
        if !addr.is_unicast_link_local() {
            self.routes.add_route(IpCidr::V6(cidr), connected(port))?;
        }
        Ok(())
    }

    /// Adds or replaces a route.
    pub fn add_route(&mut self, cidr: IpCidr, route: Route) -> Result<(), Error> {
        Ok(self.routes.add_route(cidr, route)?)
    }

    /// The routing table.
    pub const fn routes(&self) -> &R {
        &self.routes
    }

    /// The routing table, to change it.
    pub const fn routes_mut(&mut self) -> &mut R {
        &mut self.routes
    }

    /// A port.
    pub fn port(&self, id: InterfaceId) -> Option<&Port<A, N, Q, B>> {
        self.ports.get(usize::from(id.0))?.as_ref()
    }

    /// A port, to change it.
    pub fn port_mut(&mut self, id: InterfaceId) -> Option<&mut Port<A, N, Q, B>> {
        self.ports.get_mut(usize::from(id.0))?.as_mut()
    }

    /// The counters.
    pub const fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The settings.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    fn discard(&mut self, reason: Discard) -> Action {
        self.stats.discards[reason.index()] += 1;
        Action::Dropped(reason)
    }

    /// Handles a frame received on `ingress`; see the [module docs](self). `frame` may
    /// be rewritten in place; `tx` receives any frame the router writes itself.
    pub fn handle_frame(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &mut [u8],
        tx: &mut [u8],
    ) -> Action {
        let Some(port) = self.port(ingress) else {
            return self.discard(Discard::NoPort);
        };
        let Some(header) = frame.get(..ETH_LEN) else {
            return self.discard(Discard::Malformed);
        };
        let dst = EthernetAddress([
            header[0], header[1], header[2], header[3], header[4], header[5],
        ]);
        let ethertype = EtherType(u16::from_be_bytes([header[12], header[13]]));
        if dst != port.iface.mac() {
            if dst.is_multicast() {
                return self.local_frame(now, ingress, frame, tx);
            }
            return self.discard(Discard::NotForUs);
        }
        match ethertype {
            EtherType::IPV4 => self.ipv4(now, ingress, frame, tx),
            EtherType::IPV6 => self.ipv6(now, ingress, frame, tx),
            EtherType::ARP => self.local_frame(now, ingress, frame, tx),
            _ => self.discard(Discard::NotForUs),
        }
    }

    /// A frame for the ingress interface itself: ARP, NDP, multicast.
    fn local_frame(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &[u8],
        tx: &mut [u8],
    ) -> Action {
        let Some(port) = self.port_mut(ingress) else {
            return self.discard(Discard::NoPort);
        };
        match port.iface.handle_frame(now, frame, &mut port.neighbors, tx) {
            Ok(Handled::Reply(len)) => {
                self.stats.local += 1;
                Action::Reply { port: ingress, len }
            }
            Ok(Handled::Consumed) => {
                self.stats.local += 1;
                Action::Consumed
            }
            Ok(Handled::Ignored) => {
                let dst = frame.get(..6).and_then(EthernetAddress::from_bytes);
                if dst.is_some_and(|d| d.is_multicast()) {
                    self.discard(Discard::Multicast)
                } else {
                    self.discard(Discard::Unhandled)
                }
            }
            Err(super::interface::Error::Malformed(_)) => self.discard(Discard::Malformed),
            Err(_) => self.discard(Discard::BufferTooSmall),
        }
    }

    fn is_own_v4(&self, addr: Ipv4Addr) -> bool {
        self.ports
            .iter()
            .flatten()
            .any(|p| p.iface.has_addr(IpAddr::V4(addr)))
    }

    fn is_own_v6(&self, addr: Ipv6Addr) -> bool {
        self.ports
            .iter()
            .flatten()
            .any(|p| p.iface.has_addr(IpAddr::V6(addr)))
    }

    fn ipv4(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &mut [u8],
        tx: &mut [u8],
    ) -> Action {
        let verify = self
            .port(ingress)
            .is_some_and(|p| p.iface.checksums().ipv4.verify_rx());
        let Some(ip) = frame.get(ETH_LEN..) else {
            return self.discard(Discard::Malformed);
        };
        //= https://www.rfc-editor.org/rfc/rfc1812#section-5.2.2
        //# (1) The packet length reported by the Link Layer must be large enough to
        //#     hold the minimum length legal IP datagram (20 bytes).
        //# (2) The IP checksum must be correct.
        //# (3) The IP version number must be 4.
        //# (4) The IP header length field must be large enough to hold the minimum
        //#     length legal IP datagram (20 bytes = 5 words).
        //# (5) The IP total length field must be large enough to hold the IP
        //#     datagram header, whose length is specified in the IP header length
        //#     field.
        let Ok(pkt) = ipv4::Packet::new_checked(ip) else {
            return self.discard(Discard::Malformed);
        };
        if pkt.version() != 4 || (verify && pkt.verify_checksum().is_err()) {
            return self.discard(Discard::Malformed);
        }
        // A fragment that would end past the largest datagram (the "ping of death"):
        // no receiver can reassemble it, and it could not be fragmented further.
        let data_len = usize::from(pkt.total_len()) - pkt.header_len();
        if usize::from(pkt.frag_offset()) + data_len > 65_535 {
            return self.discard(Discard::Malformed);
        }
        let (src, dst) = (pkt.src_addr(), pkt.dst_addr());
        let total = usize::from(pkt.total_len());
        let header_len = pkt.header_len();
        let ttl = pkt.ttl();
        let dont_frag = pkt.dont_frag();
        let source_routed = header_len > ipv4::HEADER_LEN && has_source_route(pkt.options());
        let len = ETH_LEN + total;

        if self.is_own_v4(dst) {
            return self.local_v4(now, ingress, &frame[..len], tx);
        }
        if dst.is_broadcast() || dst.is_multicast() {
            return self.local_frame(now, ingress, &frame[..len], tx);
        }
        //= https://www.rfc-editor.org/rfc/rfc1812#section-5.3.7
        //# A router SHOULD NOT forward any packet that has an invalid IP source
        //# address or a source address on network 0.
        //# A router SHOULD NOT forward, except over a loopback interface, any packet
        //# that has a source address on network 127.
        //# A router SHOULD NOT forward any packet that has an invalid IP destination
        //# address or a destination address on network 0 or on network 127.
        if martian_v4(src) || dst.octets()[0] == 0 || dst.is_loopback() || dst.octets()[0] >= 240 {
            return self.discard(Discard::Martian);
        }
        //= https://www.rfc-editor.org/rfc/rfc3927#section-2.7
        //# A router MUST NOT forward a packet with an IPv4 Link-Local source or
        //# destination address, irrespective of the router's default route
        //# configuration or routes obtained from dynamic routing protocols.
        if src.is_link_local() || dst.is_link_local() {
            return self.discard(Discard::Scope);
        }
        if source_routed {
            return self.discard(Discard::SourceRoute);
        }
        //= https://www.rfc-editor.org/rfc/rfc1812#section-5.3.1
        //# When a router forwards a packet, it MUST reduce the TTL by at least one.
        //# If it receives a packet with a TTL of zero or one, it MUST NOT forward it.
        //# [...] If the TTL is reduced to zero (or less), the packet MUST be discarded,
        //# and if the destination is not a multicast address the router MUST send an
        //# ICMP Time Exceeded message, Code 0 (TTL Exceeded in Transit) message to the
        //# source.
        if ttl <= 1 {
            return self.icmp_error(
                now,
                &frame[..len],
                IcmpError::TimeExceeded,
                tx,
                Discard::TtlExceeded,
            );
        }
        let Some(route) = self.routes.route_v4(dst) else {
            return self.icmp_error(now, &frame[..len], IcmpError::NoRoute, tx, Discard::NoRoute);
        };
        let next_hop = route.next_hop.unwrap_or(IpAddr::V4(dst));
        let Some(out) = self.port(route.interface) else {
            return self.discard(Discard::NoPort);
        };
        if route.next_hop.is_none() && out.iface.is_directed_broadcast(dst) {
            //= https://www.rfc-editor.org/rfc/rfc2644#section-3
            //# routers MUST have an option to disable [...] forwarding of directed
            //# broadcasts [...] this option MUST be enabled by default
            return self.discard(Discard::Multicast);
        }
        let (mtu, out_mac, compute) = (
            out.mtu,
            out.iface.mac(),
            out.iface.checksums().ipv4.compute_tx(),
        );
        let fragment = total > mtu;
        if fragment && dont_frag {
            //= https://www.rfc-editor.org/rfc/rfc1191#section-4
            //# the router MUST include the MTU of that next-hop network in the
            //# low-order 16 bits of the ICMP header field that is labelled "unused" in
            //# the ICMP specification.
            let mtu = u16::try_from(mtu).unwrap_or(u16::MAX);
            return self.icmp_error(
                now,
                &frame[..len],
                IcmpError::TooBig(mtu),
                tx,
                Discard::TooBig,
            );
        }
        // The header was validated above: the view cannot fail now.
        let Ok(mut pkt) = ipv4::Packet::new_checked(&mut frame[ETH_LEN..len]) else {
            return self.discard(Discard::Malformed);
        };
        pkt.decrement_ttl_update_checksum();
        frame[6..12].copy_from_slice(&out_mac.0);
        let fragmenter = if fragment {
            match Fragmenter::new(
                route.interface,
                header_len,
                total,
                mtu,
                compute,
                &frame[..len],
            ) {
                Some(f) => Some(f),
                None => return self.discard(Discard::TooBig),
            }
        } else {
            None
        };
        self.resolve_and_send(now, route.interface, next_hop, frame, len, fragmenter)
    }

    /// Resolves `next_hop` on port `out` and forwards `frame[..len]` (or its
    /// fragments), or holds it.
    fn resolve_and_send(
        &mut self,
        now: Duration,
        out: InterfaceId,
        next_hop: IpAddr,
        frame: &mut [u8],
        len: usize,
        fragmenter: Option<Fragmenter>,
    ) -> Action {
        let Some(port) = self.port_mut(out) else {
            return self.discard(Discard::NoPort);
        };
        match port.neighbors.resolve(now, next_hop) {
            Ok(Resolution::Found(hw)) => {
                frame[..6].copy_from_slice(&hw.0);
                self.stats.forwarded += 1;
                match fragmenter {
                    Some(f) => {
                        self.stats.fragmented += 1;
                        Action::Fragment(f)
                    }
                    None => Action::Forward { port: out, len },
                }
            }
            Ok(Resolution::Pending) => {
                let held = match fragmenter {
                    None => port.neighbors.hold(next_hop, &frame[..len]).is_ok(),
                    Some(mut f) => {
                        let mut buf = [0u8; B];
                        let mut ok = true;
                        while let Some(n) = f.next(&frame[..len], &mut buf) {
                            ok &= port.neighbors.hold(next_hop, &buf[..n]).is_ok();
                        }
                        ok
                    }
                };
                if held {
                    self.stats.forwarded += 1;
                    Action::Held
                } else {
                    self.discard(Discard::BufferTooSmall)
                }
            }
            Err(_) => self.discard(Discard::CacheFull),
        }
    }

    fn local_v4(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &[u8],
        tx: &mut [u8],
    ) -> Action {
        let caps = match self.port(ingress) {
            Some(p) => *p.iface.checksums(),
            None => return self.discard(Discard::NoPort),
        };
        let Ok(f) = Frame::dissect(frame, &caps) else {
            return self.discard(Discard::Malformed);
        };
        if f.error().is_some() {
            return self.discard(Discard::Malformed);
        }
        let Network::Ipv4 { header, transport } = &f.network else {
            return self.discard(Discard::Unhandled);
        };
        match transport {
            //= https://www.rfc-editor.org/rfc/rfc1122#section-3.2.2.6
            //# Every host MUST implement an ICMP Echo server function that receives
            //# Echo Requests and sends corresponding Echo Replies.
            Transport::Icmpv4(icmp @ icmpv4::Repr::EchoRequest { .. }) => {
                let Some(reply) = icmp.echo_reply() else {
                    return self.discard(Discard::Unhandled);
                };
                self.stats.local += 1;
                self.originate_v4(now, Some(header.dst_addr), header.src_addr, &reply, tx)
            }
            //= https://www.rfc-editor.org/rfc/rfc1122#section-4.1.3.1
            //# If a datagram arrives addressed to a UDP port for which there is no
            //# pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message.
            Transport::Udp { .. } => self.icmp_error(
                now,
                frame,
                IcmpError::PortUnreachable,
                tx,
                Discard::Unhandled,
            ),
            _ => self.discard(Discard::Unhandled),
        }
    }

    /// Sends an ICMP or ICMPv6 error about the datagram in `frame` (from its Ethernet
    /// header on) unless the rules forbid it or the rate limit is reached; the
    /// datagram itself is counted as discarded for `reason`.
    fn icmp_error(
        &mut self,
        now: Duration,
        frame: &[u8],
        kind: IcmpError,
        tx: &mut [u8],
        reason: Discard,
    ) -> Action {
        let action = match frame.get(12..14) {
            Some([0x08, 0x00]) => self.try_icmp_error_v4(now, frame, kind, tx),
            Some([0x86, 0xdd]) => self.try_icmp_error_v6(now, frame, kind, tx),
            _ => None,
        };
        self.stats.discards[reason.index()] += 1;
        action.unwrap_or(Action::Dropped(reason))
    }

    fn try_icmp_error_v4(
        &mut self,
        now: Duration,
        frame: &[u8],
        kind: IcmpError,
        tx: &mut [u8],
    ) -> Option<Action> {
        let ip = frame.get(ETH_LEN..)?;
        let pkt = ipv4::Packet::new_truncated(ip).ok()?;
        let src = pkt.src_addr();
        //= https://www.rfc-editor.org/rfc/rfc1812#section-4.3.2.7
        //# A router MUST NOT originate an ICMP error message in response to the
        //# following:
        //# o An ICMP error message.
        //# o A packet which fails the IP header validation tests [...].
        //# o A packet destined to an IP broadcast or IP multicast address.
        //# o A packet sent as a Link Layer broadcast or multicast.
        //# o Any fragment of a datagram other then the first fragment.
        //# o A packet whose source address does not define a single host.
        if frame.first().is_some_and(|b| b & 1 != 0)
            || pkt.dst_addr().is_multicast()
            || pkt.dst_addr().is_broadcast()
            || pkt.frag_offset() != 0
            || martian_v4(src)
            || src.is_broadcast()
            || self.is_own_v4(src)
        {
            return None;
        }
        if pkt.protocol() == IpProtocol::ICMP
            && pkt
                .payload()
                .first()
                .is_some_and(|&t| icmpv4::Message(t).is_error())
        {
            return None;
        }
        if !self
            .bucket
            .take(now, self.config.icmp_rate, self.config.icmp_burst)
        {
            self.stats.icmp_rate_limited += 1;
            return None;
        }
        //= https://www.rfc-editor.org/rfc/rfc1812#section-4.3.2.3
        //# the ICMP datagram SHOULD contain as much of the original datagram as
        //# possible without the length of the ICMP datagram exceeding 576 bytes.
        let total = usize::from(pkt.total_len()).min(ip.len());
        let invoking = &ip[..total.min(icmpv4::MAX_INVOKING_LEN)];
        let repr = match kind {
            IcmpError::TimeExceeded => icmpv4::Repr::TimeExceeded {
                reason: icmpv4::TimeExceeded::TTL_EXCEEDED,
                invoking,
            },
            IcmpError::TooBig(mtu) => icmpv4::Repr::DstUnreachable {
                reason: icmpv4::DstUnreachable::FRAG_REQUIRED,
                next_hop_mtu: mtu,
                invoking,
            },
            IcmpError::NoRoute | IcmpError::BeyondScope => icmpv4::Repr::DstUnreachable {
                reason: icmpv4::DstUnreachable::NET_UNREACHABLE,
                next_hop_mtu: 0,
                invoking,
            },
            IcmpError::HostUnreachable => icmpv4::Repr::DstUnreachable {
                reason: icmpv4::DstUnreachable::HOST_UNREACHABLE,
                next_hop_mtu: 0,
                invoking,
            },
            IcmpError::PortUnreachable => icmpv4::Repr::DstUnreachable {
                reason: icmpv4::DstUnreachable::PORT_UNREACHABLE,
                next_hop_mtu: 0,
                invoking,
            },
        };
        let own = match kind {
            // Port Unreachable comes from the address the datagram was sent to.
            IcmpError::PortUnreachable => Some(pkt.dst_addr()),
            _ => None,
        };
        self.stats.icmp_errors += 1;
        Some(self.originate_v4(now, own, src, &repr, tx))
    }

    /// Sends an ICMP message of the router's own to `dst`: routed, resolved, written
    /// into `tx`. The source is `src`, or (RFC 1812 section 4.3.2.4) an address of the
    /// interface it leaves by.
    fn originate_v4(
        &mut self,
        now: Duration,
        src: Option<Ipv4Addr>,
        dst: Ipv4Addr,
        icmp: &icmpv4::Repr<'_>,
        tx: &mut [u8],
    ) -> Action {
        let Some(route) = self.routes.route_v4(dst) else {
            return self.discard(Discard::NoRoute);
        };
        let next_hop = route.next_hop.unwrap_or(IpAddr::V4(dst));
        let ident = self.ident;
        self.ident = self.ident.wrapping_add(1);
        let ttl = self.config.ttl;
        let Some(port) = self.port(route.interface) else {
            return self.discard(Discard::NoPort);
        };
        let gateway = match next_hop {
            IpAddr::V4(a) => a,
            IpAddr::V6(_) => dst,
        };
        let Some(src) = src.or_else(|| port.iface.ipv4_source(gateway)) else {
            return self.discard(Discard::NoAddress);
        };
        let caps = *port.iface.checksums();
        let ip = ipv4::Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: IpProtocol::ICMP,
            payload_len: icmp.buffer_len(),
            ttl,
            dscp: Dscp::CS0,
            ecn: Ecn::NOT_ECT,
            ident,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            options: &[],
        };
        let len = ETH_LEN + ip.buffer_len();
        let ok = write_eth(tx, port.iface.mac(), EtherType::IPV4)
            && tx
                .get_mut(ETH_LEN + ip.header_len()..)
                .is_some_and(|b| icmp.emit(b, &caps).is_ok())
            && tx
                .get_mut(ETH_LEN..)
                .is_some_and(|b| ip.emit(b, &caps).is_ok());
        if !ok {
            return self.discard(Discard::BufferTooSmall);
        }
        self.send_own(now, route.interface, next_hop, tx, len)
    }

    /// Resolves and sends (or holds) a frame the router wrote into `tx`.
    fn send_own(
        &mut self,
        now: Duration,
        out: InterfaceId,
        next_hop: IpAddr,
        tx: &mut [u8],
        len: usize,
    ) -> Action {
        let Some(port) = self.port_mut(out) else {
            return self.discard(Discard::NoPort);
        };
        match port.neighbors.resolve(now, next_hop) {
            Ok(Resolution::Found(hw)) => {
                tx[..6].copy_from_slice(&hw.0);
                Action::Reply { port: out, len }
            }
            Ok(Resolution::Pending) => match port.neighbors.hold(next_hop, &tx[..len]) {
                Ok(()) => Action::Held,
                Err(_) => self.discard(Discard::BufferTooSmall),
            },
            Err(_) => self.discard(Discard::CacheFull),
        }
    }

    fn ipv6(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &mut [u8],
        tx: &mut [u8],
    ) -> Action {
        let Some(ip) = frame.get(ETH_LEN..) else {
            return self.discard(Discard::Malformed);
        };
        let Ok(pkt) = ipv6::Packet::new_checked(ip) else {
            return self.discard(Discard::Malformed);
        };
        let (src, dst) = (pkt.src_addr(), pkt.dst_addr());
        let hop_limit = pkt.hop_limit();
        let total = pkt.total_len();
        let len = ETH_LEN + total;
        if dst.is_multicast() || self.is_own_v6(dst) {
            return self.local_v6(now, ingress, &frame[..len], tx);
        }
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.5.2
        //# An IPv6 packet with a source address of unspecified must never be forwarded
        //# by an IPv6 router.
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.5.3
        //# An IPv6 packet with a destination address of loopback must never be sent
        //# outside of a single node and must never be forwarded by an IPv6 router.
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.7
        //# Multicast addresses must not be used as source addresses in IPv6 packets
        if src.is_unspecified()
            || src.is_multicast()
            || src.is_loopback()
            || dst.is_loopback()
            || dst.is_unspecified()
            || src.to_ipv4_mapped().is_some()
            || dst.to_ipv4_mapped().is_some()
        {
            return self.discard(Discard::Martian);
        }
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.5.6
        //# Routers must not forward any packets with Link-Local source or destination
        //# addresses to other links.
        if dst.is_unicast_link_local() {
            return self.discard(Discard::Scope);
        }
        if src.is_unicast_link_local() {
            //= https://www.rfc-editor.org/rfc/rfc4443#section-3.1
            //# Code 2 [...] if the destination is beyond the scope of the source
            //# address
            return self.icmp_error(
                now,
                &frame[..len],
                IcmpError::BeyondScope,
                tx,
                Discard::Scope,
            );
        }
        //= https://www.rfc-editor.org/rfc/rfc4443#section-3.3
        //# If a router receives a packet with a Hop Limit of zero, or if a router
        //# decrements a packet's Hop Limit to zero, it MUST discard the packet and
        //# originate an ICMPv6 Time Exceeded message with Code 0 to the source of the
        //# packet.
        if hop_limit <= 1 {
            return self.icmp_error(
                now,
                &frame[..len],
                IcmpError::TimeExceeded,
                tx,
                Discard::TtlExceeded,
            );
        }
        let Some(route) = self.routes.route_v6(dst) else {
            return self.icmp_error(now, &frame[..len], IcmpError::NoRoute, tx, Discard::NoRoute);
        };
        let next_hop = route.next_hop.unwrap_or(IpAddr::V6(dst));
        let Some(out) = self.port(route.interface) else {
            return self.discard(Discard::NoPort);
        };
        let (mtu, out_mac) = (out.mtu, out.iface.mac());
        if total > mtu {
            //= https://www.rfc-editor.org/rfc/rfc4443#section-3.2
            //# A Packet Too Big MUST be sent by a router in response to a packet that
            //# it cannot forward because the packet is larger than the MTU of the
            //# outgoing link.
            let mtu = u16::try_from(mtu).unwrap_or(u16::MAX);
            return self.icmp_error(
                now,
                &frame[..len],
                IcmpError::TooBig(mtu),
                tx,
                Discard::TooBig,
            );
        }
        let Ok(mut pkt) = ipv6::Packet::new_checked(&mut frame[ETH_LEN..len]) else {
            return self.discard(Discard::Malformed);
        };
        let _ = pkt.decrement_hop_limit();
        frame[6..12].copy_from_slice(&out_mac.0);
        self.resolve_and_send(now, route.interface, next_hop, frame, len, None)
    }

    fn local_v6(
        &mut self,
        now: Duration,
        ingress: InterfaceId,
        frame: &[u8],
        tx: &mut [u8],
    ) -> Action {
        let caps = match self.port(ingress) {
            Some(p) => *p.iface.checksums(),
            None => return self.discard(Discard::NoPort),
        };
        let Ok(f) = Frame::dissect(frame, &caps) else {
            return self.discard(Discard::Malformed);
        };
        if f.error().is_some() {
            return self.discard(Discard::Malformed);
        }
        let Network::Ipv6 {
            header, transport, ..
        } = &f.network
        else {
            return self.discard(Discard::Unhandled);
        };
        if header.dst_addr.is_multicast() {
            return self.local_frame(now, ingress, frame, tx);
        }
        match transport {
            Transport::Icmpv6(icmpv6::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }) => {
                //= https://www.rfc-editor.org/rfc/rfc4443#section-4.2
                //# Every node MUST implement an ICMPv6 Echo responder function that
                //# receives Echo Requests and originates corresponding Echo Replies.
                let reply = icmpv6::Repr::EchoReply {
                    ident: *ident,
                    seq_no: *seq_no,
                    data,
                };
                self.stats.local += 1;
                self.originate_v6(now, Some(header.dst_addr), header.src_addr, &reply, tx)
            }
            Transport::Icmpv6(icmpv6::Repr::Ndp(_)) => self.local_frame(now, ingress, frame, tx),
            Transport::Udp { .. } => self.icmp_error(
                now,
                frame,
                IcmpError::PortUnreachable,
                tx,
                Discard::Unhandled,
            ),
            _ => self.discard(Discard::Unhandled),
        }
    }

    fn try_icmp_error_v6(
        &mut self,
        now: Duration,
        frame: &[u8],
        kind: IcmpError,
        tx: &mut [u8],
    ) -> Option<Action> {
        let ip = frame.get(ETH_LEN..)?;
        let pkt = ipv6::Packet::new_checked(ip).ok()?;
        let (src, dst) = (pkt.src_addr(), pkt.dst_addr());
        //= https://www.rfc-editor.org/rfc/rfc4443#section-2.4
        //# (e) An ICMPv6 error message MUST NOT be originated as a result of
        //# receiving the following:
        //# (e.1) An ICMPv6 error message.
        //# (e.2) An ICMPv6 redirect message [IPv6-DISC].
        //# (e.3) A packet destined to an IPv6 multicast address. [...]
        //# (e.4) A packet sent as a link-layer multicast [...]
        //# (e.5) A packet sent as a link-layer broadcast [...]
        //# (e.6) A packet whose source address does not uniquely identify a single
        //# node -- e.g., the IPv6 Unspecified Address, an IPv6 multicast address, or
        //# an address known by the ICMP message originator to be an IPv6 anycast
        //# address.
        // (The exceptions of (e.3) to (e.5), Packet Too Big and Parameter Problem code
        // 2, do not arise: multicast is not forwarded.)
        if frame.first().is_some_and(|b| b & 1 != 0)
            || dst.is_multicast()
            || src.is_unspecified()
            || src.is_multicast()
            || self.is_own_v6(src)
        {
            return None;
        }
        if let Some((IpProtocol::ICMPV6, upper)) = upper_layer_v6(ip)
            && upper.first().is_some_and(|&t| t < 128 || t == 137)
        {
            return None;
        }
        //= https://www.rfc-editor.org/rfc/rfc4443#section-2.4
        //# (f) Finally, in order to limit the bandwidth and forwarding costs incurred
        //# by originating ICMPv6 error messages, an IPv6 node MUST limit the rate of
        //# ICMPv6 error messages it originates.
        if !self
            .bucket
            .take(now, self.config.icmp_rate, self.config.icmp_burst)
        {
            self.stats.icmp_rate_limited += 1;
            return None;
        }
        //# (c) Every ICMPv6 error message (type < 128) MUST include as much of the
        //# IPv6 offending (invoking) packet [...] as possible without making the error
        //# message packet exceed the minimum IPv6 MTU.
        let invoking = &ip[..pkt
            .total_len()
            .min(icmpv6::MAX_ERROR_LEN - icmpv6::FIXED_HEADER_LEN)];
        let unreachable = |reason| icmpv6::Repr::DstUnreachable {
            reason,
            unused: 0,
            invoking,
        };
        let repr = match kind {
            IcmpError::TimeExceeded => icmpv6::Repr::TimeExceeded {
                reason: icmpv6::TimeExceeded::HOP_LIMIT_EXCEEDED,
                unused: 0,
                invoking,
            },
            IcmpError::TooBig(mtu) => icmpv6::Repr::PktTooBig {
                mtu: u32::from(mtu),
                invoking,
            },
            IcmpError::NoRoute => unreachable(icmpv6::DstUnreachable::NO_ROUTE),
            IcmpError::BeyondScope => unreachable(icmpv6::DstUnreachable::BEYOND_SCOPE),
            IcmpError::HostUnreachable => unreachable(icmpv6::DstUnreachable::ADDR_UNREACHABLE),
            IcmpError::PortUnreachable => unreachable(icmpv6::DstUnreachable::PORT_UNREACHABLE),
        };
        let own = match kind {
            IcmpError::PortUnreachable => Some(dst),
            _ => None,
        };
        self.stats.icmp_errors += 1;
        Some(self.originate_v6(now, own, src, &repr, tx))
    }

    /// Sends an ICMPv6 message of the router's own to `dst`. The source is `src`, or
    /// an address of the interface it leaves by, of the destination's scope
    /// (RFC 4443 section 2.2, RFC 6724).
    fn originate_v6(
        &mut self,
        now: Duration,
        src: Option<Ipv6Addr>,
        dst: Ipv6Addr,
        icmp: &icmpv6::Repr<'_>,
        tx: &mut [u8],
    ) -> Action {
        let Some(route) = self.routes.route_v6(dst) else {
            return self.discard(Discard::NoRoute);
        };
        let next_hop = route.next_hop.unwrap_or(IpAddr::V6(dst));
        let hop_limit = self.config.ttl;
        let Some(port) = self.port(route.interface) else {
            return self.discard(Discard::NoPort);
        };
        let Some(src) = src.or_else(|| port.iface.ipv6_source(&dst)) else {
            return self.discard(Discard::NoAddress);
        };
        let caps = *port.iface.checksums();
        let ip = ipv6::Repr {
            src_addr: src,
            dst_addr: dst,
            next_header: IpProtocol::ICMPV6,
            payload_len: icmp.buffer_len(),
            hop_limit,
            traffic_class: 0,
            flow_label: 0,
        };
        let len = ETH_LEN + ip.buffer_len();
        let ok = write_eth(tx, port.iface.mac(), EtherType::IPV6)
            && tx.get_mut(ETH_LEN..).is_some_and(|b| ip.emit(b).is_ok())
            && tx
                .get_mut(ETH_LEN + ipv6::HEADER_LEN..)
                .is_some_and(|b| icmp.emit(b, &src, &dst, &caps).is_ok());
        if !ok {
            return self.discard(Discard::BufferTooSmall);
        }
        self.send_own(now, route.interface, next_hop, tx, len)
    }

    /// Writes the next frame the router owes into `tx` and returns the port to send
    /// it on and its length: ARP requests and Neighbor Solicitations, frames released
    /// by a completed resolution, and ICMP Destination Unreachable (address
    /// unreachable) for those whose resolution failed (RFC 4861 section 7.2.2). Call
    /// it until it returns `None` after each batch of frames and at
    /// [`Router::poll_timeout`].
    pub fn poll_transmit(&mut self, now: Duration, tx: &mut [u8]) -> Option<(InterfaceId, usize)> {
        for k in 0..P {
            let index = (self.next_poll + k) % P;
            let id = InterfaceId(u16::try_from(index).unwrap_or(u16::MAX));
            while let Some(port) = self.ports[index].as_mut() {
                if let Some(s) = port.neighbors.poll_transmit(now) {
                    match port.iface.emit_solicit(s, tx) {
                        Ok(len) => {
                            self.next_poll = (index + 1) % P;
                            return Some((id, len));
                        }
                        Err(_) => {
                            self.stats.discards[Discard::NoAddress.index()] += 1;
                            continue;
                        }
                    }
                }
                match port.neighbors.poll_release(tx) {
                    Ok(Some(held)) => {
                        if let Some(hw) = held.hw_addr {
                            tx[..6].copy_from_slice(&hw.0);
                        }
                        self.next_poll = (index + 1) % P;
                        return Some((id, held.len));
                    }
                    Ok(None) => {}
                    Err(_) => {
                        self.stats.discards[Discard::BufferTooSmall.index()] += 1;
                        break;
                    }
                }
                let failed = match port.neighbors.poll_failed(tx) {
                    Ok(Some(held)) => held,
                    Ok(None) => break,
                    Err(_) => {
                        self.stats.discards[Discard::BufferTooSmall.index()] += 1;
                        break;
                    }
                };
                // The error quotes the failed frame, which is in `tx`: copy what it
                // quotes (at most 1280 bytes) aside.
                let mut quoted = [0u8; ETH_LEN + 1240];
                let n = failed.len.min(quoted.len());
                quoted[..n].copy_from_slice(&tx[..n]);
                let frame = &quoted[..n];
                let action = self.icmp_error(
                    now,
                    frame,
                    IcmpError::HostUnreachable,
                    tx,
                    Discard::Unresolved,
                );
                if let Action::Reply { port, len } = action {
                    self.next_poll = (index + 1) % P;
                    return Some((port, len));
                }
            }
        }
        None
    }

    /// When [`Router::handle_timeout`] next has something to do (a retransmission or
    /// a neighbor state change).
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.ports
            .iter()
            .flatten()
            .filter_map(|p| p.neighbors.poll_timeout())
            .min()
    }

    /// Runs the neighbor caches' timers; then call [`Router::poll_transmit`].
    pub fn handle_timeout(&mut self, now: Duration) {
        for p in self.ports.iter_mut().flatten() {
            p.neighbors.handle_timeout(now);
        }
    }
}

const fn connected(port: InterfaceId) -> Route {
    Route {
        next_hop: None,
        interface: port,
        metric: 0,
    }
}

/// Writes an Ethernet header with source `src` and a zero destination (filled in
/// once resolved).
fn write_eth(tx: &mut [u8], src: EthernetAddress, ethertype: EtherType) -> bool {
    let Some(h) = tx.get_mut(..ETH_LEN) else {
        return false;
    };
    h[..6].fill(0);
    h[6..12].copy_from_slice(&src.0);
    h[12..14].copy_from_slice(&ethertype.0.to_be_bytes());
    true
}

/// Addresses that never source a routable datagram (RFC 1812 section 5.3.7, RFC
/// 1122 section 3.2.1.3): network 0, loopback, multicast, class E (with the limited
/// broadcast).
const fn martian_v4(src: Ipv4Addr) -> bool {
    let first = src.octets()[0];
    first == 0 || first == 127 || first >= 224
}

/// Whether IPv4 options hold Loose or Strict Source and Record Route.
fn has_source_route(options: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&kind) = options.get(i) {
        match kind {
            0 => return false,
            1 => i += 1,
            131 | 137 => return true,
            _ => match options.get(i + 1) {
                Some(&len) if len >= 2 => i += usize::from(len),
                _ => return false,
            },
        }
    }
    false
}

/// The upper-layer protocol and payload of an IPv6 packet, past its extension headers.
fn upper_layer_v6(ip: &[u8]) -> Option<(IpProtocol, &[u8])> {
    let pkt = ipv6::Packet::new_checked(ip).ok()?;
    let payload = ip.get(ipv6::HEADER_LEN..pkt.total_len())?;
    let mut next = pkt.next_header();
    let mut offset = 0;
    for _ in 0..8 {
        match next {
            IpProtocol::HOP_BY_HOP | IpProtocol::IPV6_ROUTING | IpProtocol::IPV6_DEST_OPTS => {
                let h = payload.get(offset..offset + 2)?;
                next = IpProtocol(h[0]);
                offset += (usize::from(h[1]) + 1) * 8;
            }
            IpProtocol::IPV6_FRAGMENT => {
                let h = payload.get(offset..offset + 8)?;
                // A non-first fragment carries no upper-layer header.
                if u16::from_be_bytes([h[2], h[3]]) & 0xfff8 != 0 {
                    return None;
                }
                next = IpProtocol(h[0]);
                offset += 8;
            }
            _ => return Some((next, payload.get(offset..)?)),
        }
    }
    None
}

mod fragment;

pub use fragment::Fragmenter;

#[cfg(test)]
mod tests;
