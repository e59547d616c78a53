//! Wire formats: zero-copy views and validated representations of every PDU.
//!
//! Each PDU lives in its own module and offers the same two levels:
//!
//! - **`Packet<T: AsRef<[u8]>>`**, a view over a byte buffer. `Packet::new_checked`
//!   checks every length the accessors rely on, once; after it succeeds no accessor
//!   can panic or read out of bounds. `Packet::new_unchecked` skips the check for
//!   buffers the caller built itself; its accessors may then panic on a short buffer,
//!   so only use it on buffers of at least the PDU's header length.
//! - **`Repr`**, the validated, structured content of a header. `Repr::parse` takes a
//!   checked packet and rejects every value the protocol forbids; `Repr::buffer_len`
//!   says how many bytes `Repr::emit` needs; `Repr::emit` writes into the caller's
//!   buffer and returns [`Error::BufferTooSmall`] instead of panicking when it is short.
//!
//! `emit` writes the header. When a checksum covers the payload (UDP, TCP, ICMP, IGMP),
//! the payload must already be in place at `buf[header_len..buffer_len]` when `emit` is
//! called, so that the checksum can be computed over it (write it through
//! `Packet::payload_mut`, or copy it first).
//!
//! Protocol number spaces (EtherType, IP protocol, ICMP types and codes, option kinds)
//! are open newtypes with associated constants, so that every wire value is
//! representable and two equal wire values always compare equal.
//!
//! Error offsets are counted from the first byte of the PDU that was being parsed; the
//! [`dissect`] module rebases them to the start of the frame.

mod macros;

pub mod arp;
pub mod checksum;
pub mod dissect;
pub mod ethernet;
pub mod icmpv4;
pub mod icmpv6;
pub mod igmp;
pub mod ip;
pub mod ipv4;
pub mod ipv6;
pub mod ipv6ext;
pub mod mld;
pub mod ndp;
pub mod tcp;
pub mod udp;

pub use checksum::{Checksum, ChecksumCapabilities};
pub use ethernet::EthernetAddress;
pub use ip::IpProtocol;

use core::fmt;

/// The protocol layer an [`Error`] was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// Ethernet II header.
    Ethernet,
    /// IEEE 802.1Q / 802.1ad VLAN tag.
    Vlan,
    /// ARP over Ethernet and IPv4.
    Arp,
    /// IPv4 header and options.
    Ipv4,
    /// IPv6 fixed header.
    Ipv6,
    /// IPv6 Hop-by-Hop Options header.
    Ipv6HopByHop,
    /// IPv6 Routing header.
    Ipv6Routing,
    /// IPv6 Fragment header.
    Ipv6Fragment,
    /// IPv6 Destination Options header.
    Ipv6DestOpts,
    /// IP Authentication Header (RFC 4302), as walked in an IPv6 chain.
    Ipv6Auth,
    /// ICMP for IPv4.
    Icmpv4,
    /// IGMP (v1, v2, v3).
    Igmp,
    /// ICMP for IPv6.
    Icmpv6,
    /// Neighbor Discovery (RFC 4861) messages and options.
    Ndp,
    /// Multicast Listener Discovery (RFC 2710, RFC 3810).
    Mld,
    /// UDP.
    Udp,
    /// TCP header and options.
    Tcp,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Layer::Ethernet => "Ethernet",
            Layer::Vlan => "VLAN",
            Layer::Arp => "ARP",
            Layer::Ipv4 => "IPv4",
            Layer::Ipv6 => "IPv6",
            Layer::Ipv6HopByHop => "IPv6 Hop-by-Hop",
            Layer::Ipv6Routing => "IPv6 Routing",
            Layer::Ipv6Fragment => "IPv6 Fragment",
            Layer::Ipv6DestOpts => "IPv6 Destination Options",
            Layer::Ipv6Auth => "IPv6 Authentication Header",
            Layer::Icmpv4 => "ICMPv4",
            Layer::Igmp => "IGMP",
            Layer::Icmpv6 => "ICMPv6",
            Layer::Ndp => "NDP",
            Layer::Mld => "MLD",
            Layer::Udp => "UDP",
            Layer::Tcp => "TCP",
        };
        f.write_str(name)
    }
}

/// What went wrong while parsing or emitting a PDU.
///
/// Every variant names the [`Layer`]; parse errors carry the byte offset, counted
/// from the start of that layer's PDU (see [`Error::rebase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before the PDU does: `needed` bytes are required from the start
    /// of the PDU, only `available` are there.
    #[error("{layer}: truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// The layer being parsed.
        layer: Layer,
        /// Bytes needed from the start of the PDU.
        needed: usize,
        /// Bytes available from the start of the PDU.
        available: usize,
    },
    /// A field holds a value the protocol forbids, or one that contradicts another
    /// field or the buffer.
    #[error("{layer}: invalid {field} at offset {offset}")]
    Invalid {
        /// The layer being parsed.
        layer: Layer,
        /// The field, as the RFC names it.
        field: &'static str,
        /// Offset of the field from the start of the PDU.
        offset: usize,
    },
    /// A valid construct this implementation does not handle (for example a chain of
    /// IPv6 extension headers longer than the bound, or a third VLAN tag).
    #[error("{layer}: unsupported {field} at offset {offset}")]
    Unsupported {
        /// The layer being parsed.
        layer: Layer,
        /// What is unsupported.
        field: &'static str,
        /// Offset from the start of the PDU.
        offset: usize,
    },
    /// The checksum in the header does not match the data.
    #[error("{layer}: bad checksum {found:#06x}, expected {expected:#06x}")]
    Checksum {
        /// The layer being verified.
        layer: Layer,
        /// The checksum found in the header.
        found: u16,
        /// The checksum the data calls for.
        expected: u16,
    },
    /// The output buffer is too small to emit the PDU.
    #[error("{layer}: buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// The layer being emitted.
        layer: Layer,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl Error {
    /// The layer the error was found in.
    pub const fn layer(&self) -> Layer {
        match *self {
            Error::Truncated { layer, .. }
            | Error::Invalid { layer, .. }
            | Error::Unsupported { layer, .. }
            | Error::Checksum { layer, .. }
            | Error::BufferTooSmall { layer, .. } => layer,
        }
    }

    /// Adds `base` to every offset and length the error carries, for a PDU that
    /// starts `base` bytes into a larger buffer.
    #[must_use]
    pub const fn rebase(self, base: usize) -> Self {
        match self {
            Error::Truncated {
                layer,
                needed,
                available,
            } => Error::Truncated {
                layer,
                needed: needed.saturating_add(base),
                available: available.saturating_add(base),
            },
            Error::Invalid {
                layer,
                field,
                offset,
            } => Error::Invalid {
                layer,
                field,
                offset: offset.saturating_add(base),
            },
            Error::Unsupported {
                layer,
                field,
                offset,
            } => Error::Unsupported {
                layer,
                field,
                offset: offset.saturating_add(base),
            },
            other => other,
        }
    }

    /// The offset from the start of the PDU where the problem was found, when the
    /// error is a parse error.
    pub const fn offset(&self) -> Option<usize> {
        match *self {
            Error::Truncated { available, .. } => Some(available),
            Error::Invalid { offset, .. } | Error::Unsupported { offset, .. } => Some(offset),
            Error::Checksum { .. } | Error::BufferTooSmall { .. } => None,
        }
    }
}

/// The result type of the wire layer.
pub type Result<T> = core::result::Result<T, Error>;

/// Returns `Err(Truncated)` unless `buf` holds at least `needed` bytes.
#[inline]
pub(crate) const fn check_len(layer: Layer, buf: &[u8], needed: usize) -> Result<()> {
    if buf.len() < needed {
        Err(Error::Truncated {
            layer,
            needed,
            available: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Returns `Err(BufferTooSmall)` unless `buf` holds at least `needed` bytes.
#[inline]
pub(crate) const fn check_emit_len(layer: Layer, buf: &[u8], needed: usize) -> Result<()> {
    if buf.len() < needed {
        Err(Error::BufferTooSmall {
            layer,
            needed,
            available: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Big-endian field access on byte slices. Callers have checked the length.
pub(crate) mod field {
    #[inline(always)]
    pub(crate) fn u16_at(buf: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([buf[at], buf[at + 1]])
    }
    #[inline(always)]
    pub(crate) fn u32_at(buf: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
    }
    #[inline(always)]
    pub(crate) fn set_u16(buf: &mut [u8], at: usize, v: u16) {
        buf[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
    #[inline(always)]
    pub(crate) fn set_u32(buf: &mut [u8], at: usize, v: u32) {
        buf[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
}
