//! # rayos-net
//!
//! The umbrella of the rayos-net libraries: it re-exports them, and drives them over
//! network devices.
//!
//! | crate | what it is |
//! |---|---|
//! | [`netstack`] | Ethernet/ARP/IPv4/IPv6/ICMP/UDP/TCP wire formats and checksums |
//! | [`rayhttp`] | HTTP/1.x and WebSocket (reserved) |
//! | [`raydns`] | DNS, mDNS, DNS-SD (reserved) |
//! | [`raytls`] | TLS 1.3 and X.509 (reserved) |
//! | [`raystream`] | HLS/DASH and ABR (reserved) |
//!
//! This crate adds [`device`]: the [`device::Device`] trait (batches of frames in
//! buffers the device lends, no copy per frame; shaped for a virtqueue driver), an
//! in-memory [`device::Loopback`] and [`device::Link`], and stackable middleware: a
//! [`device::PcapWriter`] that records frames and a seeded [`device::FaultInjector`].
//!
//! [`forward`] runs a `netstack` router over devices: the loop that hands each
//! received frame to the router in the device's own buffer and copies what goes out
//! into the egress device's.
//!
//! It also adds [`pcap`]: reading classic pcap (microsecond and nanosecond, either
//! byte order) and pcapng captures, and writing pcap, over byte slices and without an
//! allocator, so captures can be written by firmware and dissected anywhere; under
//! `std`, `pcap::PcapWriter` writes to any `std::io::Write`.
//!
//! ## Panics and validation
//! Nothing here panics on any input; malformed captures return a typed error.
//!
//! ## Features
//! - `alloc`: growable storage in the libraries that have it.
//! - `std`: standard-library I/O: `pcap::PcapWriter` (also a sink of the
//!   `device::PcapWriter` middleware), the Linux TAP driver `device::tap::Tap`, the
//!   `demo` example. It brings in `libc` for the TAP ioctl, the one `unsafe` module.
//!
//! With no features the crate is `no_std` and needs no allocator.
//!
//! ## MSRV
//! The workspace `rust-version` (1.95).
#![no_std]
#![deny(unsafe_code)]

#[cfg(any(feature = "std", test))]
extern crate std;

pub use netstack;
pub use raydns;
pub use rayhttp;
pub use raystream;
pub use raytls;

pub mod device;
pub mod forward;
pub mod pcap;

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctests {}
