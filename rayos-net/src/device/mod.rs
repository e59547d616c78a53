//! Network devices: the [`Device`] trait, in-memory drivers, and middleware devices
//! that stack over any device.
//!
//! # The trait
//! A [`Device`] moves whole link-layer frames in batches and *lends* its own buffers:
//!
//! - [`Device::receive`] calls a closure once per received frame, with a mutable
//!   borrow of the buffer the frame was received into, up to
//!   [`Capabilities::max_burst`] frames per call. When the closure returns, the buffer
//!   goes back to the device, which reuses it for a later frame.
//! - [`Device::transmit`] calls a closure once per frame to send, with a free buffer of
//!   the device (at least [`Capabilities::mtu`] bytes long); the closure writes the
//!   frame in place and returns its length, or `None` when it has nothing more to send.
//!
//! No frame is copied between the device and the stack: the bytes the stack parses are
//! the bytes the device received into, and the stack emits straight into the buffer the
//! device sends from. The borrow checker enforces the lending: a buffer borrowed by the
//! closure cannot outlive the call, so the device may hand it out again afterwards.
//!
//! While a receive closure runs, the device is borrowed: a stack that answers a frame
//! (an ARP reply, a TCP ACK) records what it must send and writes it in the next
//! `transmit` call, which then fills a batch of answers at once. A router forwarding
//! between two devices calls the other device's `transmit` from inside the receive
//! closure: one copy, from the receiving device's buffer into the sending one's, which
//! is the only copy when two devices do not share memory. (smoltcp's token API lets a
//! receive token and a transmit token of the same device live together; this batch
//! API gives that up for one call, and one notification of a real device, per batch.)
//!
//! Time is the caller's: every call takes `now`, a [`Duration`] since an epoch the
//! caller chose (the sans-IO contract of the workspace). Devices that hold frames back
//! (a delay in [`FaultInjector`]) or stamp them ([`PcapWriter`]) use that value, never a
//! clock of their own.
//!
//! ```
//! use core::time::Duration;
//! use rayos_net::device::{Device, Loopback};
//!
//! let mut dev = Loopback::<4, 1514>::new();
//! let now = Duration::ZERO;
//! let mut frames = [&[1u8, 2, 3][..], &[4, 5][..]].into_iter();
//! let sent = dev.transmit(now, |buf| {
//!     let frame = frames.next()?;
//!     buf.get_mut(..frame.len())?.copy_from_slice(frame);
//!     Some(frame.len())
//! });
//! assert_eq!(sent, 2);
//! let mut lens = [0usize; 2];
//! let mut i = 0;
//! dev.receive(now, |frame| {
//!     lens[i] = frame.len();
//!     i += 1;
//! });
//! assert_eq!(lens, [3, 2]);
//! ```
//!
//! # How a virtqueue driver maps onto it
//! virtio-net (a later issue, under a `kernel` feature) keeps two virtqueues, each a
//! descriptor table with an *available* ring (buffers the driver offers the device) and
//! a *used* ring (buffers the device has finished with):
//!
//! - **Receive.** At start the driver posts every receive buffer's descriptor on the
//!   receive queue's available ring. `receive` pops up to `max_burst` entries from the
//!   used ring; for each, it lends the buffer (after the `virtio_net_hdr`, trimmed to
//!   the length the device wrote) to the closure, and when the closure returns it posts
//!   the same descriptor on the available ring again. One notification to the device
//!   per batch, not per frame.
//! - **Transmit.** `transmit` first reclaims the descriptors the device has put on the
//!   transmit queue's used ring (sent frames). For each free descriptor it lends the
//!   buffer after the `virtio_net_hdr` to the closure, which fills it in place; it then
//!   writes the header (checksum-offload flags as the device's
//!   [`ChecksumCapabilities`] declare), sets the descriptor's length, and exposes it on
//!   the available ring. One notification per batch. With no free descriptor the
//!   closure is not called: that is back-pressure, and `transmit` returns 0.
//! - **Capabilities** come from the negotiated feature bits: `VIRTIO_NET_F_MTU` gives
//!   [`Capabilities::mtu`], `VIRTIO_NET_F_CSUM` / `VIRTIO_NET_F_GUEST_CSUM` give
//!   [`Capabilities::checksum`], the queue size bounds [`Capabilities::max_burst`].
//!
//! The buffers are DMA memory the device reads and writes directly; the closure-scoped
//! borrow is exactly the window in which the driver owns a descriptor, so no copy is
//! needed on either path. The module's tests hold a model of such a driver (split
//! virtqueues, the header, one notification per batch, back-pressure) written against
//! this trait, with the middleware stacked over it.
//!
//! # Drivers
//! - [`Loopback`]: one device whose transmitted frames are received back.
//! - [`Link`] and [`Port`]: two devices joined by an in-memory link, for simulations
//!   of two (or more, with one link each) stacks in one process.
//! - `tap::Tap` (under `std`, on Linux): a TAP interface of the kernel, for tests
//!   against the Linux stack and for running on a real network through a bridge.
//!
//! In-memory queues have a fixed capacity (const generics: frames per queue, bytes per
//! frame); a frame sent into a full queue is dropped and counted, as a receiver with a
//! full ring drops frames; nothing panics.
//!
//! # Middleware
//! Each wraps any device and is itself a device, so they stack:
//! `PcapWriter<FaultInjector<Port<'_, 8, 1514>>, _>` records what the stack sees after
//! the faults.
//! - [`PcapWriter`]: records every received and transmitted frame into a
//!   [`PcapSink`]: a caller buffer ([`BufferSink`]) or, under `std`, a
//!   [`crate::pcap::PcapWriter`] over any `std::io::Write`.
//! - [`FaultInjector`]: drops, duplicates, corrupts, reorders, delays and rate-limits
//!   received and transmitted frames (a configuration per direction), driven by
//!   seeded generators: the same seed and the same inputs give the same faults.

mod fault;
mod loopback;
mod pcap;
#[cfg(all(feature = "std", target_os = "linux"))]
pub mod tap;

pub use fault::{FaultConfig, FaultInjector, FaultStats, SplitMix64};
pub use loopback::{Link, Loopback, Port};
pub use netstack::wire::ChecksumCapabilities;
pub use pcap::{BufferSink, PcapMode, PcapSink, PcapWriter};

use core::time::Duration;

/// What a device's frames carry at their start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Medium {
    /// Ethernet II frames (destination, source, EtherType), without FCS.
    #[default]
    Ethernet,
    /// Bare IPv4 or IPv6 packets, told apart by the version nibble (a TUN device).
    Ip,
}

impl Medium {
    /// The pcap link type of frames of this medium.
    pub const fn link_type(self) -> crate::pcap::LinkType {
        match self {
            Medium::Ethernet => crate::pcap::LinkType::ETHERNET,
            Medium::Ip => crate::pcap::LinkType::RAW,
        }
    }
}

/// What a device declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Capabilities {
    /// The longest frame the device sends and receives, in bytes, link-layer header
    /// included (1514 for standard Ethernet: 1500 bytes of IP plus 14 of header).
    pub mtu: usize,
    /// The most frames one call to [`Device::receive`] or [`Device::transmit`]
    /// handles (at least 1).
    pub max_burst: usize,
    /// Which checksums the device computes on transmit and verifies on receive.
    pub checksum: ChecksumCapabilities,
    /// What the frames carry.
    pub medium: Medium,
}

impl Capabilities {
    /// A device of `medium` with frames up to `mtu` bytes, one frame per call, and
    /// every checksum left to software.
    pub fn new(medium: Medium, mtu: usize) -> Self {
        Capabilities {
            mtu,
            max_burst: 1,
            checksum: ChecksumCapabilities::default(),
            medium,
        }
    }

    /// The same, handling up to `max_burst` frames per call (0 is taken as 1).
    #[must_use]
    pub const fn with_max_burst(mut self, max_burst: usize) -> Self {
        self.max_burst = if max_burst == 0 { 1 } else { max_burst };
        self
    }

    /// The same, with these checksum capabilities.
    #[must_use]
    pub const fn with_checksum(mut self, checksum: ChecksumCapabilities) -> Self {
        self.checksum = checksum;
        self
    }
}

/// A network device that lends its buffers (see the [module docs](self)).
pub trait Device {
    /// What the device declares about itself.
    fn capabilities(&self) -> Capabilities;

    /// Calls `f` once per received frame, up to [`Capabilities::max_burst`] frames,
    /// with the device's own buffer holding it (exactly the frame's bytes); the buffer
    /// returns to the device when `f` returns. Returns the number of frames handed to
    /// `f` (0 when none is waiting).
    fn receive<F>(&mut self, now: Duration, f: F) -> usize
    where
        F: FnMut(&mut [u8]);

    /// Calls `f` with free transmit buffers of the device, at least
    /// [`Capabilities::mtu`] bytes long, up to [`Capabilities::max_burst`] times or
    /// until `f` returns `None`. `f` writes one frame at the start of the buffer and
    /// returns its length; the device then sends those bytes. A length over the
    /// buffer's is a caller error: that frame is discarded (and counted where the
    /// device counts). Returns the number of frames sent. When the device has no free
    /// buffer, `f` is not called (back-pressure) and the result is 0.
    fn transmit<F>(&mut self, now: Duration, f: F) -> usize
    where
        F: FnMut(&mut [u8]) -> Option<usize>;

    /// Sends one frame: calls `f` once with a free buffer (when the device has one);
    /// `f` writes the frame and returns its length. Returns whether it was sent.
    fn transmit_one<F>(&mut self, now: Duration, f: F) -> bool
    where
        F: FnOnce(&mut [u8]) -> usize,
    {
        let mut f = Some(f);
        self.transmit(now, |buf| f.take().map(|f| f(buf))) == 1
    }
}

impl<D: Device + ?Sized> Device for &mut D {
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }

    fn receive<F>(&mut self, now: Duration, f: F) -> usize
    where
        F: FnMut(&mut [u8]),
    {
        (**self).receive(now, f)
    }

    fn transmit<F>(&mut self, now: Duration, f: F) -> usize
    where
        F: FnMut(&mut [u8]) -> Option<usize>,
    {
        (**self).transmit(now, f)
    }
}

/// Frame and byte counts of an in-memory device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Stats {
    /// Frames handed to the receive closure.
    pub rx_frames: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Frames that arrived while this device's receive queue was full, and were lost.
    pub rx_dropped: u64,
    /// Frames discarded because the transmit closure returned a length over the
    /// buffer's.
    pub tx_invalid: u64,
}

#[cfg(test)]
mod tests;
