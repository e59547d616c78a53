//! An interface's own addresses, and the answers a host owes its link: ARP replies
//! (RFC 826), Neighbor Advertisements (RFC 4861 section 7.2.4), and ICMP Echo Replies
//! for IPv4 (RFC 792, RFC 1122 section 3.2.2.6) and IPv6 (RFC 4443 section 4.2).
//!
//! [`Interface::handle_frame`] takes a received Ethernet frame and the caller's
//! transmit buffer, updates the neighbor cache the caller passes with what the frame
//! says about its sender, and writes at most one answer. It performs no I/O and keeps
//! only a counter for IPv4 Identification; the caller moves the frames.
//!
//! [`Interface::emit_solicit`] writes the ARP request or Neighbor Solicitation that a
//! [`Solicit`] of the neighbor cache asks for. Forwarding between interfaces is
//! [`super::router`]'s.
//!
//! IPv6 addresses may be added *tentative* ([`Interface::add_ipv6_tentative`]): the
//! interface then runs Duplicate Address Detection (RFC 4862 section 5.4), sending its
//! solicitations from [`Interface::poll_transmit`] and assigning the address, or
//! giving it up, when it hears no answer or a duplicate. With
//! [`Interface::set_slaac`] it forms addresses from the prefixes of Router
//! Advertisements (RFC 4862 section 5.5) and expires them with their lifetimes.
//! What happened comes out of [`Interface::poll_event`]; timers run on
//! [`Interface::poll_timeout`] and [`Interface::handle_timeout`].
//!
//! Multicast membership (IGMPv3 and MLDv2, with IGMPv2 and MLDv1 compatibility) is in
//! [`multicast`]: [`Interface::join_group`], [`Interface::leave_group`].
//!
//! Not here yet: answering fragmented echo requests
//! (reassembly is in [`super::reassembly`], the caller can feed it).

use super::neighbor::{AdvertFlags, Cache, Solicit};
use crate::wire::dissect::{Frame, Network, Transport};
use crate::wire::ethernet::{self, EtherType};
use crate::wire::ipv4::{Dscp, Ecn};
use crate::wire::ndp::{self, NdpOption, NeighborFlags, OptionWriter};
use crate::wire::{
    ChecksumCapabilities, EthernetAddress, IpProtocol, arp, icmpv4, icmpv6, ipv4, ipv6,
};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

/// What [`Interface::handle_frame`] did with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// An answer of this many bytes is in the transmit buffer: send it.
    Reply(usize),
    /// The frame was for us and was used (for example an ARP reply that fed the
    /// neighbor cache); nothing to send.
    Consumed,
    /// The frame is not for this interface, or not something it answers.
    Ignored,
}

/// What went wrong handling a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The frame did not parse (or a checksum failed); see the wire error.
    #[error("malformed frame: {0}")]
    Malformed(crate::wire::Error),
    /// The answer could not be written (the transmit buffer is too small).
    #[error("cannot write the answer: {0}")]
    Emit(crate::wire::Error),
    /// The interface has no address of the family to send from.
    #[error("no address of the family to send from")]
    NoAddress,
    /// Not a multicast address.
    #[error("{0} is not a multicast address")]
    NotMulticast(IpAddr),
    /// No room for another address.
    #[error("no room for another address ({capacity} per family)")]
    Full {
        /// Addresses per family.
        capacity: usize,
    },
}

/// The state of an IPv6 address (RFC 4862 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrState {
    /// Duplicate Address Detection is running: the address is not used yet.
    Tentative,
    /// Assigned, and preferred for new communication.
    Preferred,
    /// Assigned, but its preferred lifetime has ended: kept for existing
    /// communication, not chosen as a source.
    Deprecated,
}

/// Something that happened to the interface's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// Duplicate Address Detection found no other user: the address is assigned.
    DadSucceeded(Ipv6Addr),
    /// Another node uses (or is trying) the address: it was removed (RFC 4862 section
    /// 5.4.5; manual intervention is needed for a link-local one).
    DadFailed(Ipv6Addr),
    /// SLAAC formed this address from a Router Advertisement's prefix; it is
    /// tentative until DAD succeeds.
    Autoconfigured(Ipv6Addr),
    /// The address's valid lifetime ended: it was removed.
    Expired(Ipv6Addr),
}

/// The Duplicate Address Detection settings (RFC 4862 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DadConfig {
    /// Solicitations sent before an address is assigned (DupAddrDetectTransmits, 1).
    pub transmits: u8,
    /// The wait after each (RetransTimer, 1 s).
    pub retrans_timer: Duration,
}

impl Default for DadConfig {
    fn default() -> Self {
        DadConfig {
            transmits: 1,
            retrans_timer: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct V6Addr {
    addr: Ipv6Addr,
    prefix_len: u8,
    state: AddrState,
    /// Tentative: solicitations sent, and when the next one (or the verdict) is due.
    sent: u8,
    next: Duration,
    /// Lifetimes of an autoconfigured address (`None`: infinite).
    preferred_until: Option<Duration>,
    valid_until: Option<Duration>,
    autoconf: bool,
}

const EVENTS: usize = 8;

/// An Ethernet interface with up to `A` IPv4 and `A` IPv6 addresses.
///
/// ```
/// use core::net::Ipv4Addr;
/// use core::time::Duration;
/// use netstack::iface::interface::{Handled, Interface};
/// use netstack::iface::neighbor::{Cache, Config};
/// use netstack::wire::EthernetAddress;
///
/// let mut iface: Interface<2> = Interface::new(EthernetAddress([2, 0, 0, 0, 0, 2]));
/// iface.add_ipv4(Ipv4Addr::new(10, 0, 0, 2), 24).unwrap();
/// let mut neighbors: Cache<8, 2, 1514> = Cache::new(Config::default());
///
/// // A Linux ARP request: who has 10.0.0.2? tell 10.0.0.1.
/// let request = [
///     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06, // Ethernet
///     0, 1, 0x08, 0x00, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 1, 10, 0, 0, 1, // ARP
///     0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
/// ];
/// let mut tx = [0u8; 1514];
/// let Ok(Handled::Reply(len)) = iface.handle_frame(Duration::ZERO, &request, &mut neighbors, &mut tx) else {
///     panic!()
/// };
/// assert_eq!(len, 42);
/// assert_eq!(&tx[..6], &[0x02, 0, 0, 0, 0, 1]); // back to the asker
/// assert_eq!(&tx[20..22], &[0, 2]); // a reply
/// ```
#[derive(Debug, Clone)]
pub struct Interface<const A: usize> {
    mac: EthernetAddress,
    v4: [Option<(Ipv4Addr, u8)>; A],
    v6: [Option<V6Addr>; A],
    caps: ChecksumCapabilities,
    next_ident: u16,
    router: bool,
    slaac: bool,
    dad: DadConfig,
    events: [Option<Event>; EVENTS],
    groups: [Option<multicast::Group>; A],
    querier4: multicast::Querier,
    querier6: multicast::Querier,
}

impl<const A: usize> Interface<A> {
    /// An interface with this MAC address and no IP address. Its IPv6 link-local
    /// address is [`Interface::link_local`]; add it with [`Interface::add_ipv6`] to
    /// answer on it.
    pub fn new(mac: EthernetAddress) -> Self {
        Interface {
            mac,
            v4: [None; A],
            v6: [None; A],
            caps: ChecksumCapabilities::default(),
            next_ident: 1,
            router: false,
            slaac: false,
            dad: DadConfig {
                transmits: 1,
                retrans_timer: Duration::from_secs(1),
            },
            events: [None; EVENTS],
            groups: [None; A],
            querier4: multicast::Querier {
                report_due: None,
                older_until: None,
                cursor: 0,
            },
            querier6: multicast::Querier {
                report_due: None,
                older_until: None,
                cursor: 0,
            },
        }
    }

    /// Marks the interface as a router's: its Neighbor Advertisements carry the
    /// Router flag (RFC 4861 section 4.4), so hosts that use it as a gateway keep it
    /// in their default router list.
    pub const fn set_router(&mut self, router: bool) {
        self.router = router;
    }

    /// The checksum handling.
    pub const fn checksums(&self) -> &ChecksumCapabilities {
        &self.caps
    }

    /// The IPv4 addresses with their prefix lengths.
    pub fn ipv4_addrs(&self) -> impl Iterator<Item = (Ipv4Addr, u8)> + '_ {
        self.v4.iter().flatten().copied()
    }

    /// The assigned IPv6 addresses (not the tentative ones) with their prefix
    /// lengths.
    pub fn ipv6_addrs(&self) -> impl Iterator<Item = (Ipv6Addr, u8)> + '_ {
        self.v6
            .iter()
            .flatten()
            .filter(|a| a.state != AddrState::Tentative)
            .map(|a| (a.addr, a.prefix_len))
    }

    /// The state of one of the interface's IPv6 addresses.
    pub fn ipv6_addr_state(&self, addr: &Ipv6Addr) -> Option<AddrState> {
        self.v6
            .iter()
            .flatten()
            .find(|a| a.addr == *addr)
            .map(|a| a.state)
    }

    /// The IPv4 source address for a packet to `dst` sent on this interface: an
    /// address whose subnet holds `dst`, else the first address.
    pub fn ipv4_source(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        let on_link = self.ipv4_addrs().find(|&(a, len)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            a.to_bits() & mask == dst.to_bits() & mask
        });
        on_link.or_else(|| self.ipv4_addrs().next()).map(|(a, _)| a)
    }

    /// The IPv6 source address for a packet to `dst` sent on this interface, after
    /// RFC 6724 section 5 rule 2 (same scope): a link-local address for a link-local
    /// destination, otherwise an address with a longer common prefix first, a
    /// link-local one only when there is no other.
    pub fn ipv6_source(&self, dst: &Ipv6Addr) -> Option<Ipv6Addr> {
        let dst_ll = dst.is_unicast_link_local();
        self.ipv6_addrs().map(|(a, _)| a).max_by_key(|a| {
            let same_scope = a.is_unicast_link_local() == dst_ll;
            let common = (a.to_bits() ^ dst.to_bits()).leading_zeros();
            (same_scope, common)
        })
    }

    /// Whether `addr` is the subnet broadcast address of one of the IPv4 prefixes
    /// (RFC 919, RFC 922), which a router does not forward to (RFC 2644).
    pub fn is_directed_broadcast(&self, addr: Ipv4Addr) -> bool {
        self.ipv4_addrs().any(|(a, len)| {
            let host = u32::MAX.checked_shr(u32::from(len)).unwrap_or(0);
            len < 31 && a.to_bits() | host == addr.to_bits()
        })
    }

    /// Writes the ARP request (IPv4) or Neighbor Solicitation (IPv6) that `solicit`
    /// asks for into `tx`, and returns its length: broadcast or to the solicited-node
    /// group when `solicit.unicast` is `None`, else a unicast probe (RFC 4861 section
    /// 7.2.2, RFC 826). The source address is one of the interface's, chosen like
    /// [`Interface::ipv4_source`] and [`Interface::ipv6_source`]; an interface with no
    /// address of the family cannot solicit and gets [`Error::NoAddress`].
    pub fn emit_solicit(&mut self, solicit: Solicit, tx: &mut [u8]) -> Result<usize, Error> {
        match solicit.target {
            IpAddr::V4(target) => {
                let src = self.ipv4_source(target).ok_or(Error::NoAddress)?;
                let req = arp::Repr::request(self.mac, src, target);
                let to = solicit.unicast.unwrap_or(EthernetAddress::BROADCAST);
                let eth = eth_header(self.mac, to, EtherType::ARP);
                let h = eth.header_len();
                eth.emit(tx).map_err(Error::Emit)?;
                req.emit(tx.get_mut(h..).unwrap_or_default())
                    .map_err(Error::Emit)?;
                Ok(h + req.buffer_len())
            }
            IpAddr::V6(target) => {
                let src = self.ipv6_source(&target).ok_or(Error::NoAddress)?;
                //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.2
                //# When a node has a unicast packet to send to a neighbor, but does not
                //# know the neighbor's link-layer address, it performs address
                //# resolution. [...] this entails [...] transmitting a Neighbor
                //# Solicitation message targeted at the neighbor. The solicitation is
                //# sent to the solicited-node multicast address corresponding to the
                //# target address.
                let (dst, to) = match solicit.unicast {
                    Some(mac) => (target, mac),
                    None => {
                        let group = ndp::solicited_node(&target);
                        (group, EthernetAddress::from_ipv6_multicast(&group))
                    }
                };
                let mut opts = [0u8; 8];
                let mut w = OptionWriter::new(&mut opts);
                w.push(&NdpOption::SourceLinkLayerAddr(self.mac))
                    .map_err(Error::Emit)?;
                let ns = icmpv6::Repr::Ndp(ndp::Repr::NeighborSolicit {
                    reserved: 0,
                    target_addr: target,
                    options: w.into_options(),
                });
                match self.reply_v6(to, src, dst, 255, &ns, tx)? {
                    Handled::Reply(len) => Ok(len),
                    _ => Err(Error::NoAddress),
                }
            }
        }
    }

    /// The checksum handling (default: compute and verify everything).
    pub const fn with_checksums(mut self, caps: ChecksumCapabilities) -> Self {
        self.caps = caps;
        self
    }

    /// The MAC address.
    pub const fn mac(&self) -> EthernetAddress {
        self.mac
    }

    /// The modified EUI-64 link-local address of the MAC (RFC 4291 appendix A, RFC
    /// 4862 section 5.3).
    pub const fn link_local(&self) -> Ipv6Addr {
        let m = self.mac.0;
        Ipv6Addr::new(
            0xfe80,
            0,
            0,
            0,
            ((m[0] ^ 0x02) as u16) << 8 | m[1] as u16,
            (m[2] as u16) << 8 | 0xff,
            0xfe00 | m[3] as u16,
            (m[4] as u16) << 8 | m[5] as u16,
        )
    }

    /// Adds an IPv4 address with its prefix length.
    pub fn add_ipv4(&mut self, addr: Ipv4Addr, prefix_len: u8) -> Result<(), Error> {
        let slot = self
            .v4
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(Error::Full { capacity: A })?;
        *slot = Some((addr, prefix_len.min(32)));
        Ok(())
    }

    /// Adds an IPv6 address with its prefix length, assigned at once (as an
    /// administrator's address configured without DAD).
    pub fn add_ipv6(&mut self, addr: Ipv6Addr, prefix_len: u8) -> Result<(), Error> {
        self.insert_v6(V6Addr {
            addr,
            prefix_len: prefix_len.min(128),
            state: AddrState::Preferred,
            sent: 0,
            next: Duration::ZERO,
            preferred_until: None,
            valid_until: None,
            autoconf: false,
        })
    }

    /// Adds an IPv6 address as *tentative*: Duplicate Address Detection (RFC 4862
    /// section 5.4) starts at `start` (the caller may add the random delay of section
    /// 5.4.2 to its clock), and the address is assigned when it succeeds, see
    /// [`Event::DadSucceeded`]. Until then the interface neither answers for it nor
    /// sends from it.
    pub fn add_ipv6_tentative(
        &mut self,
        start: Duration,
        addr: Ipv6Addr,
        prefix_len: u8,
    ) -> Result<(), Error> {
        if self.ipv6_addr_state(&addr).is_some() {
            return Ok(());
        }
        self.insert_v6(V6Addr {
            addr,
            prefix_len: prefix_len.min(128),
            state: AddrState::Tentative,
            sent: 0,
            next: start,
            preferred_until: None,
            valid_until: None,
            autoconf: false,
        })
    }

    /// Removes an address (either family).
    pub fn remove_addr(&mut self, addr: IpAddr) {
        match addr {
            IpAddr::V4(a) => self
                .v4
                .iter_mut()
                .filter(|s| s.is_some_and(|(x, _)| x == a))
                .for_each(|s| *s = None),
            IpAddr::V6(a) => self
                .v6
                .iter_mut()
                .filter(|s| s.is_some_and(|x| x.addr == a))
                .for_each(|s| *s = None),
        }
    }

    fn insert_v6(&mut self, entry: V6Addr) -> Result<(), Error> {
        let slot = self
            .v6
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(Error::Full { capacity: A })?;
        *slot = Some(entry);
        Ok(())
    }

    /// Forms addresses from Router Advertisements' prefixes (SLAAC, RFC 4862 section
    /// 5.5) when `on`. Off by default (and for a router's interface, which does not
    /// autoconfigure from other routers).
    pub const fn set_slaac(&mut self, on: bool) {
        self.slaac = on;
    }

    /// The Duplicate Address Detection settings.
    pub const fn set_dad_config(&mut self, dad: DadConfig) {
        self.dad = dad;
    }

    /// The modified EUI-64 interface identifier of the MAC address (RFC 4291
    /// appendix A): the low 64 bits of [`Interface::link_local`].
    pub const fn interface_id(&self) -> u64 {
        (self.link_local().to_bits() & 0xffff_ffff_ffff_ffff) as u64
    }

    fn push_event(&mut self, event: Event) {
        if let Some(slot) = self.events.iter_mut().find(|e| e.is_none()) {
            *slot = Some(event);
        } else {
            // Full: the oldest gives way.
            self.events.rotate_left(1);
            self.events[EVENTS - 1] = Some(event);
        }
    }

    /// The next thing that happened to the addresses, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        let first = self.events[0].take()?;
        self.events.rotate_left(1);
        Some(first)
    }

    /// When [`Interface::handle_timeout`] or [`Interface::poll_transmit`] next has
    /// something to do.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.v6
            .iter()
            .flatten()
            .flat_map(|a| {
                let dad = (a.state == AddrState::Tentative).then_some(a.next);
                let preferred = a
                    .preferred_until
                    .filter(|_| a.state == AddrState::Preferred);
                [dad, preferred, a.valid_until]
            })
            .flatten()
            .chain(self.membership_timeout())
            .min()
    }

    /// Runs the timers: DAD verdicts and address lifetimes.
    pub fn handle_timeout(&mut self, now: Duration) {
        let transmits = self.dad.transmits;
        for i in 0..A {
            let Some(a) = self.v6[i] else { continue };
            if a.valid_until.is_some_and(|t| t <= now) {
                //= https://www.rfc-editor.org/rfc/rfc4862#section-5.5.4
                //# An address (and its association with an interface) becomes invalid
                //# when its valid lifetime expires. An invalid address MUST NOT be used
                //# as a source address in outgoing communications and MUST NOT be
                //# recognized as a destination on a receiving interface.
                self.v6[i] = None;
                self.push_event(Event::Expired(a.addr));
                continue;
            }
            let e = self.v6[i].as_mut();
            let Some(e) = e else { continue };
            if e.state == AddrState::Tentative && e.sent >= transmits && e.next <= now {
                //= https://www.rfc-editor.org/rfc/rfc4862#section-5.4
                //# If no such solicitation or advertisement is received within
                //# RetransTimer [...] the tentative address [...] is assigned.
                e.state = AddrState::Preferred;
                let addr = e.addr;
                self.push_event(Event::DadSucceeded(addr));
            } else if e.state == AddrState::Preferred && e.preferred_until.is_some_and(|t| t <= now)
            {
                //= https://www.rfc-editor.org/rfc/rfc4862#section-5.5.4
                //# An address becomes deprecated when its preferred lifetime expires.
                e.state = AddrState::Deprecated;
            }
        }
    }

    /// Writes the next frame the interface owes into `tx` and returns its length: a
    /// Duplicate Address Detection solicitation (RFC 4862 section 5.4.2: from the
    /// unspecified address to the tentative address's solicited-node group, with no
    /// link-layer address option), or a multicast membership report (see
    /// [`multicast`]).
    pub fn poll_transmit(&mut self, now: Duration, tx: &mut [u8]) -> Result<Option<usize>, Error> {
        self.handle_timeout(now);
        let (transmits, retrans) = (self.dad.transmits, self.dad.retrans_timer);
        let due = self
            .v6
            .iter_mut()
            .flatten()
            .find(|a| a.state == AddrState::Tentative && a.sent < transmits && a.next <= now);
        let Some(a) = due else {
            return self.poll_membership(now, tx);
        };
        a.sent += 1;
        a.next = now + retrans;
        let target = a.addr;
        let group = ndp::solicited_node(&target);
        //= https://www.rfc-editor.org/rfc/rfc4862#section-5.4.2
        //# The node then sends a Neighbor Solicitation message [...] the IP source
        //# address is set to the unspecified address, the IP destination address is
        //# set to the solicited-node multicast address of the target address.
        let ns = icmpv6::Repr::Ndp(ndp::Repr::NeighborSolicit {
            reserved: 0,
            target_addr: target,
            options: ndp::Options::EMPTY,
        });
        match self.reply_v6(
            EthernetAddress::from_ipv6_multicast(&group),
            Ipv6Addr::UNSPECIFIED,
            group,
            255,
            &ns,
            tx,
        )? {
            Handled::Reply(len) => Ok(Some(len)),
            _ => Ok(None),
        }
    }

    /// A duplicate of a tentative address was detected: give the address up.
    fn dad_failed(&mut self, addr: Ipv6Addr) {
        //= https://www.rfc-editor.org/rfc/rfc4862#section-5.4.5
        //# If the address is a link-local address formed from an interface identifier
        //# based on the hardware address [...] IP operation on the interface SHOULD be
        //# disabled.
        // The caller learns it from the event and decides; the address is removed.
        self.remove_addr(IpAddr::V6(addr));
        self.push_event(Event::DadFailed(addr));
    }

    /// SLAAC from one Prefix Information option (RFC 4862 section 5.5.3).
    fn autoconfigure(&mut self, now: Duration, p: &ndp::PrefixInformation) {
        //# a) If the Autonomous flag is not set, silently ignore the Prefix
        //#    Information option.
        //# b) If the prefix is the link-local prefix, silently ignore the Prefix
        //#    Information option.
        //# c) If the preferred lifetime is greater than the valid lifetime, silently
        //#    ignore the Prefix Information option.
        if !p.autonomous
            || p.prefix.is_unicast_link_local()
            || p.preferred_lifetime > p.valid_lifetime
        {
            return;
        }
        // The interface identifier is 64 bits (RFC 4291 section 2.5.1): other prefix
        // lengths cannot form an address.
        if p.prefix_len != 64 {
            return;
        }
        let lifetime =
            |secs: u32| (secs != u32::MAX).then(|| now + Duration::from_secs(u64::from(secs)));
        let addr = Ipv6Addr::from_bits(
            (p.prefix.to_bits() & !0xffff_ffff_ffff_ffff) | u128::from(self.interface_id()),
        );
        if let Some(a) = self
            .v6
            .iter_mut()
            .flatten()
            .find(|a| a.autoconf && a.addr == addr)
        {
            //= https://www.rfc-editor.org/rfc/rfc4862#section-5.5.3
            //# e) If the advertised prefix is equal to the prefix of an address
            //#    configured by stateless autoconfiguration in the list, the preferred
            //#    lifetime of the address is reset to the Preferred Lifetime in the
            //#    received advertisement.
            a.preferred_until = lifetime(p.preferred_lifetime);
            if a.state == AddrState::Deprecated && p.preferred_lifetime > 0 {
                a.state = AddrState::Preferred;
            }
            //# 1. If the received Valid Lifetime is greater than 2 hours or greater
            //#    than RemainingLifetime, set the valid lifetime of the corresponding
            //#    address to the advertised Valid Lifetime.
            //# 2. If RemainingLifetime is less than or equal to 2 hours, ignore the
            //#    Prefix Information option with regard to the valid lifetime [...]
            //# 3. Otherwise, reset the valid lifetime of the corresponding address to
            //#    2 hours.
            let two_hours = Duration::from_secs(7200);
            let advertised = lifetime(p.valid_lifetime);
            let remaining = a.valid_until.map(|t| t.saturating_sub(now));
            let longer = match (advertised, remaining) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(adv), Some(rem)) => adv.saturating_sub(now) > rem,
            };
            if advertised.is_none_or(|t| t.saturating_sub(now) > two_hours) || longer {
                a.valid_until = advertised;
            } else if remaining.is_some_and(|r| r <= two_hours) {
            } else {
                a.valid_until = Some(now + two_hours);
            }
            return;
        }
        //# d) If the prefix advertised is not equal to the prefix of an address
        //#    configured by stateless autoconfiguration already in the list of
        //#    addresses associated with the interface, and if the Valid Lifetime is
        //#    not 0, form an address [...] and add it to the list.
        if p.valid_lifetime == 0 || self.ipv6_addr_state(&addr).is_some() {
            return;
        }
        let entry = V6Addr {
            addr,
            prefix_len: 64,
            state: AddrState::Tentative,
            sent: 0,
            next: now,
            preferred_until: lifetime(p.preferred_lifetime),
            valid_until: lifetime(p.valid_lifetime),
            autoconf: true,
        };
        if self.insert_v6(entry).is_ok() {
            self.push_event(Event::Autoconfigured(addr));
        }
    }

    /// Whether `addr` is one of the interface's addresses.
    pub fn has_addr(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.v4.iter().flatten().any(|(x, _)| *x == a),
            IpAddr::V6(a) => self
                .v6
                .iter()
                .flatten()
                .any(|x| x.addr == a && x.state != AddrState::Tentative),
        }
    }

    /// Whether the interface listens on IPv6 multicast `addr`: all-nodes, or the
    /// solicited-node group of one of its addresses (RFC 4861 section 7.2.1).
    fn joined_v6(&self, addr: &Ipv6Addr) -> bool {
        *addr == Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1)
            || self
                .groups
                .iter()
                .flatten()
                .any(|g| g.addr == IpAddr::V6(*addr) && !g.leaving)
            || self
                .v6
                .iter()
                .flatten()
                .any(|a| ndp::solicited_node(&a.addr) == *addr)
    }

    /// Handles a received frame: learns about its sender in `neighbors` and writes the
    /// answer, if one is owed, into `tx`.
    pub fn handle_frame<const N: usize, const Q: usize, const B: usize>(
        &mut self,
        now: Duration,
        frame: &[u8],
        neighbors: &mut Cache<N, Q, B>,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        // The Ethernet header first: other hosts' frames are not dissected further.
        let eth = ethernet::Frame::new_checked(frame).map_err(Error::Malformed)?;
        let dst = eth.dst_addr();
        // Not addressed to us, or tagged for a VLAN this (untagged) interface is not on.
        if (dst != self.mac && !dst.is_multicast()) || eth.vlan_count() > 0 {
            return Ok(Handled::Ignored);
        }
        let f = Frame::dissect(frame, &self.caps).map_err(Error::Malformed)?;
        if let Some(e) = f.error() {
            return Err(Error::Malformed(e));
        }
        match &f.network {
            Network::Arp(r) => self.handle_arp(now, r, neighbors, tx),
            Network::Ipv4 {
                header,
                transport: Transport::Icmpv4(icmp),
            } if self.has_addr(IpAddr::V4(header.dst_addr)) => match icmp {
                //= https://www.rfc-editor.org/rfc/rfc1122#section-3.2.2.6
                //# Every host MUST implement an ICMP Echo server function that receives
                //# Echo Requests and sends corresponding Echo Replies.
                icmpv4::Repr::EchoRequest { .. } => match icmp.echo_reply() {
                    Some(reply) => self.reply_v4(
                        f.ethernet.src_addr,
                        header.dst_addr,
                        header.src_addr,
                        &reply,
                        tx,
                    ),
                    None => Ok(Handled::Consumed),
                },
                _ => Ok(Handled::Consumed),
            },
            Network::Ipv4 {
                header,
                transport: Transport::Igmp(igmp),
            } => Ok(self.handle_igmp(now, header.dst_addr, igmp)),
            Network::Ipv6 {
                header,
                transport: Transport::Icmpv6(icmp),
                ..
            } if self.has_addr(IpAddr::V6(header.dst_addr)) || self.joined_v6(&header.dst_addr) => {
                self.handle_icmpv6(now, f.ethernet.src_addr, header, icmp, neighbors, tx)
            }
            _ => Ok(Handled::Ignored),
        }
    }

    fn handle_arp<const N: usize, const Q: usize, const B: usize>(
        &mut self,
        now: Duration,
        r: &arp::Repr,
        neighbors: &mut Cache<N, Q, B>,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        let sender = IpAddr::V4(r.source_protocol_addr);
        let for_us = self.has_addr(IpAddr::V4(r.target_protocol_addr));
        //= https://www.rfc-editor.org/rfc/rfc826
        //# If the pair <protocol type, sender protocol address> is already in my
        //# translation table, update the sender hardware address field of the entry
        //# with the new information in the packet and set Merge_flag to true.
        neighbors.handle_arp(
            now,
            sender,
            r.source_hardware_addr,
            r.operation == arp::Operation::REPLY,
        );
        //# ?Am I the target protocol address? Yes: If Merge_flag is false, add the
        //# triplet <protocol type, sender protocol address, sender hardware address>
        //# to the translation table.
        if for_us && !r.source_protocol_addr.is_unspecified() {
            // A full cache of resolutions cannot take the sender; answering still works.
            let _ = neighbors.handle_solicitation_source(now, sender, r.source_hardware_addr);
        }
        if !for_us {
            return Ok(Handled::Ignored);
        }
        if r.operation != arp::Operation::REQUEST {
            return Ok(Handled::Consumed);
        }
        let reply = r.reply(self.mac);
        let eth = eth_header(self.mac, reply.target_hardware_addr, EtherType::ARP);
        let h = eth.header_len();
        let len = h + reply.buffer_len();
        eth.emit(tx).map_err(Error::Emit)?;
        reply
            .emit(tx.get_mut(h..).unwrap_or_default())
            .map_err(Error::Emit)?;
        Ok(Handled::Reply(len))
    }

    fn reply_v4(
        &mut self,
        to_mac: EthernetAddress,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        icmp: &icmpv4::Repr<'_>,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        let ip = ipv4::Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: IpProtocol::ICMP,
            payload_len: icmp.buffer_len(),
            ttl: 64,
            dscp: Dscp::CS0,
            ecn: Ecn::NOT_ECT,
            ident: self.next_ident,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            options: &[],
        };
        self.next_ident = self.next_ident.wrapping_add(1);
        let eth = eth_header(self.mac, to_mac, EtherType::IPV4);
        let (h, ih) = (eth.header_len(), ip.header_len());
        let len = h + ip.buffer_len();
        eth.emit(tx).map_err(Error::Emit)?;
        let rest = tx.get_mut(h..).unwrap_or_default();
        icmp.emit(rest.get_mut(ih..).unwrap_or_default(), &self.caps)
            .map_err(Error::Emit)?;
        ip.emit(rest, &self.caps).map_err(Error::Emit)?;
        Ok(Handled::Reply(len))
    }

    fn handle_icmpv6<const N: usize, const Q: usize, const B: usize>(
        &mut self,
        now: Duration,
        from_mac: EthernetAddress,
        ip: &ipv6::Repr,
        icmp: &icmpv6::Repr<'_>,
        neighbors: &mut Cache<N, Q, B>,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        match icmp {
            icmpv6::Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } if self.has_addr(IpAddr::V6(ip.dst_addr)) => {
                //= https://www.rfc-editor.org/rfc/rfc4443#section-4.2
                //# Every node MUST implement an ICMPv6 Echo responder function that
                //# receives Echo Requests and originates corresponding Echo Replies.
                let reply = icmpv6::Repr::EchoReply {
                    ident: *ident,
                    seq_no: *seq_no,
                    data,
                };
                self.reply_v6(from_mac, ip.dst_addr, ip.src_addr, 64, &reply, tx)
            }
            icmpv6::Repr::Mld(m) => Ok(self.handle_mld(now, &ip.src_addr, m)),
            icmpv6::Repr::Ndp(n) => {
                // RFC 4861 section 7.1: hop limit 255 and the other checks that need
                // the IP header; an invalid message is silently discarded.
                if n.validate_ip(ip.hop_limit, &ip.src_addr, &ip.dst_addr)
                    .is_err()
                {
                    return Ok(Handled::Ignored);
                }
                match n {
                    ndp::Repr::NeighborSolicit {
                        target_addr,
                        options,
                        ..
                    } => {
                        if let Some(hw) = options.source_link_layer_addr()
                            && !ip.src_addr.is_unspecified()
                        {
                            let _ = neighbors.handle_solicitation_source(
                                now,
                                IpAddr::V6(ip.src_addr),
                                hw,
                            );
                        }
                        if self.ipv6_addr_state(target_addr) == Some(AddrState::Tentative) {
                            //= https://www.rfc-editor.org/rfc/rfc4862#section-5.4.3
                            //# If the source address of the Neighbor Solicitation is
                            //# the unspecified address, the solicitation is from a node
                            //# performing Duplicate Address Detection. [...] the
                            //# tentative address is a duplicate and should not be used
                            //# by either node.
                            //# [If the source is a unicast address] the solicitation
                            //# [...] MUST be silently ignored.
                            if ip.src_addr.is_unspecified() {
                                self.dad_failed(*target_addr);
                                return Ok(Handled::Consumed);
                            }
                            return Ok(Handled::Ignored);
                        }
                        if !self.has_addr(IpAddr::V6(*target_addr)) {
                            return Ok(Handled::Ignored);
                        }
                        self.advertise(from_mac, ip, *target_addr, tx)
                    }
                    ndp::Repr::NeighborAdvert {
                        flags,
                        target_addr,
                        options,
                    } => {
                        //= https://www.rfc-editor.org/rfc/rfc4862#section-5.4.4
                        //# On receipt of a valid Neighbor Advertisement message on an
                        //# interface, node behavior depends on whether the target
                        //# address is tentative or matches a unicast or anycast
                        //# address assigned to the interface: If the target address
                        //# is tentative, the tentative address is not unique.
                        if self.ipv6_addr_state(target_addr) == Some(AddrState::Tentative) {
                            self.dad_failed(*target_addr);
                            return Ok(Handled::Consumed);
                        }
                        neighbors.handle_advertisement(
                            now,
                            IpAddr::V6(*target_addr),
                            options.target_link_layer_addr(),
                            AdvertFlags {
                                solicited: flags.0 & NeighborFlags::SOLICITED != 0,
                                override_: flags.0 & NeighborFlags::OVERRIDE != 0,
                                router: flags.0 & NeighborFlags::ROUTER != 0,
                            },
                        );
                        Ok(Handled::Consumed)
                    }
                    ndp::Repr::RouterAdvert { options, .. } if self.slaac && !self.router => {
                        for o in options.iter() {
                            if let NdpOption::PrefixInformation(p) = o {
                                self.autoconfigure(now, &p);
                            }
                        }
                        Ok(Handled::Consumed)
                    }
                    _ => Ok(Handled::Ignored),
                }
            }
            _ => Ok(Handled::Ignored),
        }
    }

    /// A Neighbor Advertisement answering a solicitation for `target` (RFC 4861
    /// section 7.2.4).
    fn advertise(
        &mut self,
        from_mac: EthernetAddress,
        ns: &ipv6::Repr,
        target: Ipv6Addr,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        //= https://www.rfc-editor.org/rfc/rfc4861#section-7.2.4
        //# If the source of the solicitation is the unspecified address, the node MUST
        //# set the Solicited flag to zero and multicast the advertisement to the
        //# all-nodes address. Otherwise, the node MUST set the Solicited flag to one
        //# and unicast the advertisement to the source of the solicitation.
        let (dst, dst_mac, solicited) = if ns.src_addr.is_unspecified() {
            let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
            (all_nodes, EthernetAddress([0x33, 0x33, 0, 0, 0, 1]), false)
        } else {
            (ns.src_addr, from_mac, true)
        };
        //# If the solicitation's IP Destination Address is not a multicast address, the
        //# Target Link-Layer Address option MAY be omitted; [...] Otherwise, the node
        //# MUST include the option in the advertisement.
        // Linux omits it then, and so do we.
        let mut opts = [0u8; 8];
        let mut w = OptionWriter::new(&mut opts);
        if ns.dst_addr.is_multicast() {
            w.push(&NdpOption::TargetLinkLayerAddr(self.mac))
                .map_err(Error::Emit)?;
        }
        let na = icmpv6::Repr::Ndp(ndp::Repr::NeighborAdvert {
            flags: NeighborFlags::new(self.router, solicited, true),
            target_addr: target,
            options: w.into_options(),
        });
        self.reply_v6(dst_mac, target, dst, 255, &na, tx)
    }

    fn reply_v6(
        &mut self,
        to_mac: EthernetAddress,
        src: Ipv6Addr,
        dst: Ipv6Addr,
        hop_limit: u8,
        icmp: &icmpv6::Repr<'_>,
        tx: &mut [u8],
    ) -> Result<Handled, Error> {
        let ip = ipv6::Repr {
            src_addr: src,
            dst_addr: dst,
            next_header: IpProtocol::ICMPV6,
            payload_len: icmp.buffer_len(),
            hop_limit,
            traffic_class: 0,
            flow_label: 0,
        };
        let eth = eth_header(self.mac, to_mac, EtherType::IPV6);
        let h = eth.header_len();
        let len = h + ip.buffer_len();
        eth.emit(tx).map_err(Error::Emit)?;
        let rest = tx.get_mut(h..).unwrap_or_default();
        ip.emit(rest).map_err(Error::Emit)?;
        icmp.emit(
            rest.get_mut(ipv6::HEADER_LEN..).unwrap_or_default(),
            &src,
            &dst,
            &self.caps,
        )
        .map_err(Error::Emit)?;
        Ok(Handled::Reply(len))
    }
}

const fn eth_header(
    src: EthernetAddress,
    dst: EthernetAddress,
    ethertype: EtherType,
) -> ethernet::Repr {
    ethernet::Repr {
        src_addr: src,
        dst_addr: dst,
        vlan: None,
        inner_vlan: None,
        ethertype,
    }
}

pub mod multicast;

#[cfg(test)]
mod tests;
