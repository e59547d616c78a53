//! # netstack
//!
//! A `no_std`, sans-IO TCP/IP stack for kernels, firmware, unikernels and userspace
//! services. This release holds the **wire layer**: zero-copy views and validated
//! representations of every protocol data unit (PDU) from Ethernet up to TCP, the
//! Internet checksum, and a whole-frame dissector.
//!
//! ## Layers
//! The crate is built in layers, lowest first; a layer only uses the ones below it.
//! 1. [`wire`]: pure functions over byte slices. For each PDU a view
//!    `Packet<T: AsRef<[u8]>>` (for example [`wire::udp::Packet`]) whose `new_checked`
//!    validates lengths once, after which no accessor can panic; and a `Repr`
//!    (for example [`wire::udp::Repr`]) with `parse`, `emit` and `buffer_len`.
//! 2. State kept between packets, with capacities chosen by the caller: [`route`],
//!    routing tables with longest-prefix match (a fixed-capacity table for both
//!    families, and under `alloc` Poptrie tables that hold the full Internet table);
//!    [`iface`], the RFC 4861 neighbor cache (NDP and ARP), IPv4/IPv6 reassembly, and
//!    an interface that answers ARP, Neighbor Solicitations and pings.
//! 3. The sans-IO machines: [`iface::router`], an IPv4/IPv6 router that forwards
//!    between interfaces in place (RFC 1812, RFC 8200) with rate-limited ICMP errors
//!    and IPv4 fragmentation; and [`socket`], TCP connections (RFC 9293 with SACK,
//!    RACK-TLP, NewReno and CUBIC) and UDP sockets in buffers the caller chooses.
//!
//! ## Sans-IO
//! The crate performs no I/O, reads no clock and uses no global randomness: the caller
//! moves bytes in and out. Time points, when the upper layers need them, are
//! `core::time::Duration`s since an epoch the caller chooses.
//!
//! ## Panics and validation
//! Nothing in this crate panics on any input. Parsing returns a typed
//! [`wire::Error`] that names the layer, what was wrong and the byte offset (from
//! the start of the PDU) where it was found. Emitting into a buffer that is too small
//! returns [`wire::Error::BufferTooSmall`] with the size needed.
//!
//! ## Features
//! The crate has no default features and needs no allocator; it builds for bare-metal
//! targets such as `thumbv7em-none-eabihf`.
//! - `alloc`: growable storage; enables the full-table routing tables
//!   `route::Ipv4Table` and `route::Ipv6Table`.
//!
//! ## MSRV
//! The minimum supported Rust version is the workspace's `rust-version` (1.95).
//!
//! ## Example
//! ```
//! use netstack::wire::{dissect, ChecksumCapabilities};
//!
//! // An Ethernet + IPv4 + UDP frame (a DNS query for example.com).
//! let frame: [u8; 71] = [
//!     0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, // Ethernet
//!     0x45, 0x00, 0x00, 0x39, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x14, 0x7e, // IPv4
//!     10, 0, 0, 1, 10, 0, 0, 2,
//!     0xc0, 0x01, 0x00, 0x35, 0x00, 0x25, 0xb0, 0x2f, // UDP
//!     0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // DNS
//!     7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, 0, 1, 0, 1,
//! ];
//! let frame = dissect::Frame::dissect(&frame, &ChecksumCapabilities::default()).unwrap();
//! assert_eq!(frame.error(), None); // every layer parsed, both checksums verified
//! assert_eq!(
//!     format!("{frame}"),
//!     "IP 10.0.0.1.49153 > 10.0.0.2.53: UDP, length 29"
//! );
//! ```
#![no_std]
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(test)]
#[macro_use]
extern crate std;

#[cfg(any(test, feature = "alloc"))]
extern crate alloc;

pub mod iface;
pub mod route;
pub mod socket;
pub mod wire;

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctests {}
