//! Multicast group membership: IGMPv3 (RFC 3376) and MLDv2 (RFC 3810), with the
//! compatibility modes for IGMPv2 (RFC 2236) and MLDv1 (RFC 2710) queriers.
//!
//! A host reports what it joins and leaves (a state-change report, sent
//! [`ROBUSTNESS`] times [`UNSOLICITED_INTERVAL`] apart) and answers queries with its
//! current state after a delay within the querier's Maximum Response Time. The delay
//! should be random (RFC 3376 section 5.2); the interface has no randomness of its own,
//! so it derives a fixed fraction of the allowed time from its MAC address: different
//! hosts on a link answer at different times, one host always at the same one.
//!
//! Reports carry what the RFCs require: TTL or Hop Limit 1, the IPv4 Router Alert
//! option (RFC 2113) or a Hop-by-Hop header with the IPv6 Router Alert (RFC 2711),
//! IGMPv3 reports to 224.0.0.22 and MLDv2 reports to ff02::16 from a link-local
//! address (or `::` while none is assigned, RFC 3810 section 5.2.13). The
//! solicited-node groups of the interface's addresses are members too (RFC 4861
//! section 7.2.1) and are reported when queried; the all-nodes and all-hosts groups
//! never are (RFC 3810 section 6, RFC 3376 section 5).

use super::{AddrState, Error, Handled, Interface, eth_header};
use crate::wire::ethernet::EtherType;
use crate::wire::ipv4::{Dscp, Ecn};
use crate::wire::ipv6ext::options::{
    Ipv6Option, Kind, OptionsWriter, Repr as OptionsRepr, RouterAlert,
};
use crate::wire::{EthernetAddress, IpProtocol, icmpv6, igmp, ipv4, ipv6, mld, ndp};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

/// How many times a state-change report is sent (the Robustness Variable, 2).
pub const ROBUSTNESS: u8 = 2;
/// The time between the repetitions of a state-change report (1 s).
pub const UNSOLICITED_INTERVAL: Duration = Duration::from_secs(1);
/// How long an older-version querier keeps the interface in compatibility mode: the
/// Older Version Querier Present Timeout, Robustness × Query Interval (125 s) + Query
/// Response Interval (10 s).
const OLDER_QUERIER_TIMEOUT: Duration = Duration::from_secs(2 * 125 + 10);

const ALL_HOSTS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 1);
const ALL_ROUTERS_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);
const IGMPV3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_ROUTERS_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
const MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// The IPv4 Router Alert option (RFC 2113): type 148, length 4, value 0.
const ROUTER_ALERT_V4: [u8; 4] = [0x94, 0x04, 0, 0];

/// The groups the next current-state report names: all of them, or in compatibility
/// mode one per report; `None` when the answer to the query is complete.
fn next_report<'g, T>(q: &mut Querier, groups: &'g [T]) -> Option<&'g [T]> {
    if q.older_until.is_some() {
        let one = groups.get(q.cursor..=q.cursor);
        q.cursor += 1;
        if one.is_none() || q.cursor >= groups.len() {
            q.report_due = None;
            q.cursor = 0;
        }
        one
    } else {
        q.report_due = None;
        (!groups.is_empty()).then_some(groups)
    }
}

/// A group the interface joined, and the state-change reports it still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Group {
    pub(super) addr: IpAddr,
    /// State-change reports still to send, and when the next is due.
    pub(super) pending: u8,
    pub(super) next: Duration,
    /// Left: the entry stays until its leave reports are sent.
    pub(super) leaving: bool,
}

/// Per-family querier state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Querier {
    /// When the current-state report owed to a query is due.
    pub(super) report_due: Option<Duration>,
    /// Until when an older-version querier is present (compatibility mode).
    pub(super) older_until: Option<Duration>,
    /// In compatibility mode a report names one group: the next one to report.
    pub(super) cursor: usize,
}

impl<const A: usize> Interface<A> {
    /// Joins an IPv4 or IPv6 multicast group: the interface reports it (a state-change
    /// report, from [`Interface::poll_transmit`]) and answers queries for it. Joining
    /// a group twice is no error.
    pub fn join_group(&mut self, now: Duration, group: IpAddr) -> Result<(), Error> {
        if !group.is_multicast() {
            return Err(Error::NotMulticast(group));
        }
        if let Some(g) = self.groups.iter_mut().flatten().find(|g| g.addr == group) {
            if g.leaving {
                g.leaving = false;
                g.pending = ROBUSTNESS;
                g.next = now;
            }
            return Ok(());
        }
        let slot = self
            .groups
            .iter_mut()
            .find(|g| g.is_none())
            .ok_or(Error::Full { capacity: A })?;
        // The all-hosts and all-nodes groups are joined implicitly and never reported.
        let silent = group == IpAddr::V4(ALL_HOSTS) || group == IpAddr::V6(ALL_NODES);
        *slot = Some(Group {
            addr: group,
            pending: if silent { 0 } else { ROBUSTNESS },
            next: now,
            leaving: false,
        });
        Ok(())
    }

    /// Leaves a group: the interface reports the change and stops answering for it.
    pub fn leave_group(&mut self, now: Duration, group: IpAddr) {
        let Some(slot) = self
            .groups
            .iter_mut()
            .find(|g| g.is_some_and(|g| g.addr == group))
        else {
            return;
        };
        let silent = group == IpAddr::V4(ALL_HOSTS) || group == IpAddr::V6(ALL_NODES);
        match slot {
            Some(g) if !silent => {
                g.leaving = true;
                g.pending = ROBUSTNESS;
                g.next = now;
            }
            _ => *slot = None,
        }
    }

    /// Whether the interface is a member of `group`: joined, or (IPv6) all-nodes or a
    /// solicited-node group of its addresses, or (IPv4) all-hosts.
    pub fn is_member(&self, group: IpAddr) -> bool {
        match group {
            IpAddr::V4(g) if g == ALL_HOSTS => true,
            IpAddr::V6(g) if self.joined_v6(&g) => true,
            _ => self
                .groups
                .iter()
                .flatten()
                .any(|g| g.addr == group && !g.leaving),
        }
    }

    /// A query arrived (RFC 3376 section 5.2, RFC 3810 section 6.2): schedule the
    /// current-state report within `max_resp`, and note an older querier.
    pub(super) fn handle_query(
        &mut self,
        now: Duration,
        v6: bool,
        max_resp: Duration,
        older: bool,
    ) {
        let delay = max_resp * u32::from(self.mac.0[5]) / 256;
        let q = if v6 {
            &mut self.querier6
        } else {
            &mut self.querier4
        };
        if older {
            q.older_until = Some(now + OLDER_QUERIER_TIMEOUT);
        }
        //= https://www.rfc-editor.org/rfc/rfc3376#section-5.2
        //# 1. If there is a pending response to a previous General Query scheduled
        //#    sooner than the selected delay, no additional response needs to be
        //#    scheduled.
        let due = now + delay;
        if q.report_due.is_none_or(|d| d > due) {
            q.report_due = Some(due);
        }
    }

    /// Membership messages received: queries (reports of other hosts are not
    /// suppressed: IGMPv3 and MLDv2 hosts do not suppress, RFC 3376 section 5.2).
    pub(super) fn handle_igmp(
        &mut self,
        now: Duration,
        dst: Ipv4Addr,
        igmp: &igmp::Repr<'_>,
    ) -> Handled {
        match *igmp {
            igmp::Repr::MembershipQuery { max_resp_time, .. }
                if dst == ALL_HOSTS || self.is_member(IpAddr::V4(dst)) =>
            {
                // Max Resp Time 0 is an IGMPv1 query (10 s), anything else IGMPv2.
                let tenths = if max_resp_time == 0 {
                    100
                } else {
                    max_resp_time
                };
                self.handle_query(
                    now,
                    false,
                    Duration::from_millis(u64::from(tenths) * 100),
                    true,
                );
                Handled::Consumed
            }
            igmp::Repr::MembershipQueryV3 { max_resp_code, .. }
                if dst == ALL_HOSTS || self.is_member(IpAddr::V4(dst)) =>
            {
                let tenths = igmp::decode_code(max_resp_code);
                self.handle_query(
                    now,
                    false,
                    Duration::from_millis(u64::from(tenths) * 100),
                    false,
                );
                Handled::Consumed
            }
            _ => Handled::Ignored,
        }
    }

    pub(super) fn handle_mld(
        &mut self,
        now: Duration,
        src: &Ipv6Addr,
        m: &mld::Repr<'_>,
    ) -> Handled {
        //= https://www.rfc-editor.org/rfc/rfc3810#section-5.1.14
        //# [...] a node MUST [...] discard a Query whose IPv6 Source Address is not
        //# a link-local address.
        if !src.is_unicast_link_local() {
            return Handled::Ignored;
        }
        match *m {
            mld::Repr::QueryV1 { max_resp_delay, .. } => {
                self.handle_query(
                    now,
                    true,
                    Duration::from_millis(u64::from(max_resp_delay)),
                    true,
                );
                Handled::Consumed
            }
            mld::Repr::QueryV2 { max_resp_code, .. } => {
                let ms = mld::decode_max_resp_code(max_resp_code);
                self.handle_query(now, true, Duration::from_millis(u64::from(ms)), false);
                Handled::Consumed
            }
            _ => Handled::Ignored,
        }
    }

    /// When the next membership report is due.
    pub(super) fn membership_timeout(&self) -> Option<Duration> {
        let changes = self
            .groups
            .iter()
            .flatten()
            .filter(|g| g.pending > 0)
            .map(|g| g.next);
        changes
            .chain(self.querier4.report_due)
            .chain(self.querier6.report_due)
            .min()
    }

    /// Writes the next membership report due at `now`, if any.
    pub(super) fn poll_membership(
        &mut self,
        now: Duration,
        tx: &mut [u8],
    ) -> Result<Option<usize>, Error> {
        for q in [&mut self.querier4, &mut self.querier6] {
            if q.older_until.is_some_and(|t| t <= now) {
                q.older_until = None;
            }
        }
        // State changes first.
        let change = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.map(|g| (i, g)))
            .find(|(_, g)| g.pending > 0 && g.next <= now);
        if let Some((i, g)) = change {
            let len = match g.addr {
                IpAddr::V4(a) => self.report_v4(&[a], g.leaving, true, tx)?,
                IpAddr::V6(a) => self.report_v6(&[a], g.leaving, true, tx)?,
            };
            if let Some(e) = self.groups[i].as_mut() {
                e.pending -= 1;
                e.next = now + UNSOLICITED_INTERVAL;
                if e.pending == 0 && e.leaving {
                    self.groups[i] = None;
                }
            }
            return Ok(Some(len));
        }
        if self.querier4.report_due.is_some_and(|d| d <= now) {
            let mut groups = [Ipv4Addr::UNSPECIFIED; 16];
            let mut n = 0;
            for g in self.groups.iter().flatten().filter(|g| !g.leaving) {
                if let IpAddr::V4(a) = g.addr
                    && a != ALL_HOSTS
                    && n < groups.len()
                {
                    groups[n] = a;
                    n += 1;
                }
            }
            if let Some(list) = next_report(&mut self.querier4, &groups[..n]) {
                return self.report_v4(list, false, false, tx).map(Some);
            }
        }
        if self.querier6.report_due.is_some_and(|d| d <= now) {
            let mut groups = [Ipv6Addr::UNSPECIFIED; 16];
            let mut n = 0;
            let explicit = self
                .groups
                .iter()
                .flatten()
                .filter(|g| !g.leaving)
                .filter_map(|g| match g.addr {
                    IpAddr::V6(a) => Some(a),
                    IpAddr::V4(_) => None,
                });
            let solicited = self
                .v6
                .iter()
                .flatten()
                .map(|a| ndp::solicited_node(&a.addr));
            for a in explicit.chain(solicited) {
                if a != ALL_NODES && n < groups.len() && !groups[..n].contains(&a) {
                    groups[n] = a;
                    n += 1;
                }
            }
            if let Some(list) = next_report(&mut self.querier6, &groups[..n]) {
                return self.report_v6(list, false, false, tx).map(Some);
            }
        }
        Ok(None)
    }

    /// An IGMP report about `groups`: a leave or a join (state change) or the current
    /// state. In IGMPv2 compatibility mode, one group per message.
    fn report_v4(
        &mut self,
        groups: &[Ipv4Addr],
        leave: bool,
        change: bool,
        tx: &mut [u8],
    ) -> Result<usize, Error> {
        let src = self
            .ipv4_addrs()
            .next()
            .map_or(Ipv4Addr::UNSPECIFIED, |(a, _)| a);
        let mut records = [0u8; 16 * 8];
        let (msg, dst) = if self.querier4.older_until.is_some() {
            //= https://www.rfc-editor.org/rfc/rfc2236#section-3
            //# When a host joins a multicast group, it should immediately transmit an
            //# unsolicited Version 2 Membership Report for that group [...] When a
            //# host leaves a multicast group, [...] it should send a Leave Group
            //# message to the all-routers multicast group (224.0.0.2).
            let group_addr = groups.first().copied().unwrap_or(ALL_HOSTS);
            if leave {
                (igmp::Repr::LeaveGroup { group_addr }, ALL_ROUTERS_V4)
            } else {
                (igmp::Repr::MembershipReportV2 { group_addr }, group_addr)
            }
        } else {
            let record_type = match (change, leave) {
                (true, true) => igmp::RecordType::CHANGE_TO_INCLUDE,
                (true, false) => igmp::RecordType::CHANGE_TO_EXCLUDE,
                (false, _) => igmp::RecordType::MODE_IS_EXCLUDE,
            };
            let mut w = igmp::GroupRecordsWriter::new(&mut records);
            for g in groups {
                w.push(&igmp::GroupRecord {
                    record_type,
                    aux_data: &[],
                    multicast_addr: *g,
                    sources: &[],
                })
                .map_err(Error::Emit)?;
            }
            (
                igmp::Repr::MembershipReportV3 {
                    records: w.finish(),
                },
                IGMPV3_ROUTERS,
            )
        };
        let ip = ipv4::Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: IpProtocol::IGMP,
            payload_len: msg.buffer_len(),
            ttl: 1,
            // RFC 3376 section 4: "IGMP messages [...] are sent with [...] IP
            // Precedence of Internetwork Control (e.g., Type of Service 0xc0)".
            dscp: Dscp::CS6,
            ecn: Ecn::NOT_ECT,
            ident: self.next_ident,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            options: &ROUTER_ALERT_V4,
        };
        self.next_ident = self.next_ident.wrapping_add(1);
        let eth = eth_header(
            self.mac,
            EthernetAddress::from_ipv4_multicast(&dst),
            EtherType::IPV4,
        );
        let (h, ih) = (eth.header_len(), ip.header_len());
        eth.emit(tx).map_err(Error::Emit)?;
        let rest = tx.get_mut(h..).unwrap_or_default();
        msg.emit(rest.get_mut(ih..).unwrap_or_default(), &self.caps)
            .map_err(Error::Emit)?;
        ip.emit(rest, &self.caps).map_err(Error::Emit)?;
        Ok(h + ip.buffer_len())
    }

    /// An MLD report about `groups` (MLDv1 compatibility: one group per message).
    fn report_v6(
        &mut self,
        groups: &[Ipv6Addr],
        leave: bool,
        change: bool,
        tx: &mut [u8],
    ) -> Result<usize, Error> {
        let src = self
            .v6
            .iter()
            .flatten()
            .find(|a| a.addr.is_unicast_link_local() && a.state != AddrState::Tentative)
            .map_or(Ipv6Addr::UNSPECIFIED, |a| a.addr);
        let mut records = [0u8; 16 * 20];
        let (msg, dst) = if self.querier6.older_until.is_some() {
            //= https://www.rfc-editor.org/rfc/rfc2710#section-4
            //# When a node starts listening to a multicast address on an interface,
            //# it should immediately transmit an unsolicited Report for that address
            //# [...] When a node ceases to listen [...] it SHOULD send a Done message
            //# to the link-scope all-routers address (FF02::2)
            let mcast_addr = groups.first().copied().unwrap_or(ALL_NODES);
            if leave {
                (
                    mld::Repr::Done {
                        max_resp_delay: 0,
                        reserved: 0,
                        mcast_addr,
                        additional: &[],
                    },
                    ALL_ROUTERS_V6,
                )
            } else {
                (
                    mld::Repr::ReportV1 {
                        max_resp_delay: 0,
                        reserved: 0,
                        mcast_addr,
                        additional: &[],
                    },
                    mcast_addr,
                )
            }
        } else {
            let record_type = match (change, leave) {
                (true, true) => mld::RecordType::CHANGE_TO_INCLUDE,
                (true, false) => mld::RecordType::CHANGE_TO_EXCLUDE,
                (false, _) => mld::RecordType::MODE_IS_EXCLUDE,
            };
            let mut w = mld::RecordWriter::new(&mut records);
            for g in groups {
                w.push(record_type, g, &[], &[]).map_err(Error::Emit)?;
            }
            (
                mld::Repr::ReportV2 {
                    reserved: 0,
                    records: w.into_records(),
                    additional: &[],
                },
                MLDV2_ROUTERS,
            )
        };
        let icmp = icmpv6::Repr::Mld(msg);
        //= https://www.rfc-editor.org/rfc/rfc3810#section-5
        //# All MLDv2 messages described in this document MUST be sent with a
        //# link-local IPv6 Source Address, an IPv6 Hop Limit of 1, and an IPv6
        //# Router Alert option [RFC2711] in a Hop-by-Hop Options header.
        let mut area = [0u8; 6];
        let mut w = OptionsWriter::new(Kind::HopByHop, &mut area);
        w.push(&Ipv6Option::RouterAlert(RouterAlert::MLD))
            .map_err(Error::Emit)?;
        let n = w.finish().map_err(Error::Emit)?;
        let hbh = OptionsRepr {
            kind: Kind::HopByHop,
            next_header: IpProtocol::ICMPV6,
            options: &area[..n],
        };
        let hbh_len = hbh.buffer_len();
        let ip = ipv6::Repr {
            src_addr: src,
            dst_addr: dst,
            next_header: IpProtocol::HOP_BY_HOP,
            payload_len: hbh_len + icmp.buffer_len(),
            hop_limit: 1,
            traffic_class: 0,
            flow_label: 0,
        };
        let eth = eth_header(
            self.mac,
            EthernetAddress::from_ipv6_multicast(&dst),
            EtherType::IPV6,
        );
        let h = eth.header_len();
        eth.emit(tx).map_err(Error::Emit)?;
        let rest = tx.get_mut(h..).unwrap_or_default();
        ip.emit(rest).map_err(Error::Emit)?;
        let ext = rest.get_mut(ipv6::HEADER_LEN..).unwrap_or_default();
        hbh.emit(ext).map_err(Error::Emit)?;
        icmp.emit(
            ext.get_mut(hbh_len..).unwrap_or_default(),
            &src,
            &dst,
            &self.caps,
        )
        .map_err(Error::Emit)?;
        Ok(h + ip.buffer_len())
    }
}
