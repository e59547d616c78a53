//! Interface state: the data structures an interface keeps between packets.
//!
//! This is the state layer of the crate: it sits on [`wire`](crate::wire), holds
//! tables with capacities the caller chooses (const generics), and performs no I/O.
//! Time is the `now: Duration` the caller passes, since an epoch of its choosing.
//!
//! - [`neighbor`]: the neighbor cache of RFC 4861 (IPv6 Neighbor Discovery), also used
//!   for ARP (RFC 826, RFC 1122 section 2.3.2), with its five states, retransmission
//!   timers and a bounded queue of packets waiting for resolution.
//! - [`interface`]: an interface's addresses, and the answers a host owes its link:
//!   ARP replies, Neighbor Advertisements, ICMP and ICMPv6 Echo Replies.
//! - [`reassembly`]: IPv4 and IPv6 reassembly in bounded buffers, with a timeout and
//!   overlapping fragments dropped (RFC 5722).
//! - [`router`]: forwarding between interfaces (RFC 1812, RFC 8200): validation,
//!   TTL/Hop Limit, ICMP errors with a rate limit, IPv4 fragmentation, in place and
//!   without allocation.

pub mod interface;
pub mod neighbor;
pub mod reassembly;
pub mod router;
