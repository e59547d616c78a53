//! Routing tables: longest-prefix match (LPM) for IPv4 and IPv6.
//!
//! This is the first module of the **state** layer: it uses only `core` (and `alloc`
//! under the `alloc` feature), no wire types.
//!
//! - [`Ipv4Cidr`], [`Ipv6Cidr`] and [`IpCidr`]: a network address and a prefix length.
//!   Construction **masks** the host bits (`10.1.2.3/8` becomes `10.0.0.0/8`), so two
//!   values that denote the same prefix always compare equal; the prefix length is
//!   validated (at most 32 or 128). They parse from and display as `addr/len`.
//! - [`Route`]: what a table maps a prefix to: an optional next hop (`None`: the
//!   destination is on-link), an [`InterfaceId`] and a metric. The tables are generic
//!   over any small `Copy` value and default to [`Route`].
//! - [`FixedTable`]: both families, capacity a const generic, no allocator. A full
//!   table is an [`InsertError::Full`], never a panic. Entries are kept sorted by
//!   prefix length, longest first, so a lookup is a scan that stops at the first
//!   match: `O(N)` lookup, insert and remove, for the small `N` of embedded targets.
//! - Under `alloc`: `Ipv4Table` and `Ipv6Table`, which hold a full Internet table.
//!   The lookup structure is a *Poptrie* (Asai and Ohara, "Poptrie: A Compressed Trie
//!   with Population Count for Fast and Scalable Software IP Routing Table Lookup",
//!   SIGCOMM 2015): a direct-pointing array indexed by the first 18 (IPv4) or 16
//!   (IPv6) address bits, then trie nodes of 6-bit stride, each with a 64-bit bitmap of
//!   internal children and a 64-bit *leafvec* marking where runs of equal leaves
//!   begin, so that children and leaves are stored compressed and found by population
//!   count. See the `poptrie` module for the layout, update strategy and figures.
//!
//! ## Example
//! ```
//! use core::net::{IpAddr, Ipv4Addr};
//! use netstack::route::{FixedTable, InterfaceId, IpCidr, Route};
//!
//! let mut table: FixedTable<8> = FixedTable::new();
//! let gw = Route { next_hop: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))), interface: InterfaceId(0), metric: 10 };
//! let lan = Route { next_hop: None, interface: InterfaceId(1), metric: 0 };
//! table.insert("0.0.0.0/0".parse::<IpCidr>().unwrap(), gw).unwrap();
//! table.insert("192.0.2.0/24".parse::<IpCidr>().unwrap(), lan).unwrap();
//! assert_eq!(table.lookup(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 77))), Some(&lan));
//! assert_eq!(table.lookup(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))), Some(&gw));
//! ```

mod cidr;
mod fixed;
#[cfg(feature = "alloc")]
pub mod poptrie;

pub use cidr::{CidrError, IpCidr, Ipv4Cidr, Ipv6Cidr};
pub use fixed::FixedTable;
#[cfg(feature = "alloc")]
pub use poptrie::{Ipv4Table, Ipv6Table};

use core::net::IpAddr;

/// An interface number, chosen by the caller (an index into its interface list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct InterfaceId(pub u16);

/// A route: where packets to a prefix go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Route {
    /// The gateway to send to; `None` when the destination is on-link (sent to the
    /// destination address itself).
    pub next_hop: Option<IpAddr>,
    /// The interface to send on.
    pub interface: InterfaceId,
    /// The route's metric (lower is preferred by whoever fills the table; the table
    /// holds one route per prefix).
    pub metric: u32,
}

/// Why an insert failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InsertError {
    /// The table holds `capacity` routes already.
    #[error("routing table full: capacity {capacity}")]
    Full {
        /// The table's capacity.
        capacity: usize,
    },
}
