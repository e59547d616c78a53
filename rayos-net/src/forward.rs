//! Running a [`netstack`] router over devices: the loop that moves frames between
//! [`Device`]s and a [`Router`].
//!
//! [`Forwarder::poll`] takes one batch of received frames from each device in turn,
//! hands each to [`Router::handle_frame`] in the device's own receive buffer, and
//! copies what must go out straight into the egress device's transmit buffer: one
//! copy per forwarded frame, the one two devices that share no memory need (see the
//! [`device`](crate::device) module). Frames that must leave by the device they came
//! in on (a reply, a hairpin route) cannot be written while that device is lending a
//! receive buffer: they wait in the forwarder's `K` buffers of `M` bytes and go when
//! the batch is done (more than `K` in one batch are dropped and counted). Then it
//! lets each device send what it held back (a delaying middleware such as
//! [`FaultInjector`](crate::device::FaultInjector)) and drains
//! [`Router::poll_transmit`].
//!
//! Device `i` of the slice is the router's port `InterfaceId(i)`.
//!
//! ```
//! use core::net::Ipv4Addr;
//! use core::time::Duration;
//! use rayos_net::device::{Device, Link};
//! use rayos_net::forward::Forwarder;
//! use rayos_net::netstack::iface::interface::Interface;
//! use rayos_net::netstack::iface::router::{Config, Router};
//! use rayos_net::netstack::route::FixedTable;
//! use rayos_net::netstack::wire::EthernetAddress;
//!
//! let mut router: Router<FixedTable<8>, 2> = Router::new(FixedTable::new(), Config::default());
//! let a = router.add_port(Interface::new(EthernetAddress([2, 0, 0, 0, 0, 1])), 1500).unwrap();
//! router.add_ipv4(a, Ipv4Addr::new(10, 1, 0, 1), 24).unwrap();
//! let b = router.add_port(Interface::new(EthernetAddress([2, 0, 0, 0, 0, 2])), 1500).unwrap();
//! router.add_ipv4(b, Ipv4Addr::new(10, 2, 0, 1), 24).unwrap();
//!
//! let (link_a, link_b) = (Link::<8, 1514>::new(), Link::<8, 1514>::new());
//! let (mut host_a, router_a) = link_a.ports();
//! let (_host_b, router_b) = link_b.ports();
//! let mut devices = [router_a, router_b];
//! let mut fwd: Forwarder = Forwarder::new();
//! let now = Duration::ZERO;
//!
//! // Host A asks who has 10.1.0.1: the router answers on the same link.
//! let request = [
//!     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 1, 0x08, 0x06,
//!     0, 1, 0x08, 0x00, 6, 4, 0, 1, 2, 0, 0, 0, 1, 1, 10, 1, 0, 2,
//!     0, 0, 0, 0, 0, 0, 10, 1, 0, 1,
//! ];
//! host_a.transmit_one(now, |buf| { buf[..42].copy_from_slice(&request); 42 });
//! assert_eq!(fwd.poll(now, &mut router, &mut devices), 1);
//! let mut answer = Vec::new();
//! host_a.receive(now, |f| answer.extend_from_slice(f));
//! assert_eq!(&answer[20..22], &[0, 2]); // an ARP reply
//! ```

use crate::device::Device;
use core::time::Duration;
use netstack::iface::router::{Action, Router, Routes};
use netstack::route::InterfaceId;

/// Counters of the forwarding loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForwardStats {
    /// Frames received from the devices.
    pub received: u64,
    /// Frames handed to the devices to send.
    pub sent: u64,
    /// Frames that could not be sent: the egress device had no free buffer, the
    /// port has no device, or more than `K` frames had to leave by their ingress
    /// device in one batch.
    pub dropped: u64,
}

/// The forwarding loop's buffers: `K` frames of `M` bytes that wait to leave by the
/// device they came in on, and one transmit buffer for the router.
#[derive(Debug, Clone)]
pub struct Forwarder<const K: usize = 32, const M: usize = 1514> {
    queue: [(usize, [u8; M]); K],
    queued: usize,
    tx: [u8; M],
    stats: ForwardStats,
}

impl<const K: usize, const M: usize> Default for Forwarder<K, M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const K: usize, const M: usize> Forwarder<K, M> {
    /// Empty buffers.
    pub const fn new() -> Self {
        Forwarder {
            queue: [(0, [0; M]); K],
            queued: 0,
            tx: [0; M],
            stats: ForwardStats {
                received: 0,
                sent: 0,
                dropped: 0,
            },
        }
    }

    /// The counters.
    pub const fn stats(&self) -> ForwardStats {
        self.stats
    }

    /// One round: a batch from each device through the router, then everything the
    /// router has to send. Returns the number of frames received.
    pub fn poll<
        R,
        D,
        const P: usize,
        const A: usize,
        const N: usize,
        const Q: usize,
        const B: usize,
    >(
        &mut self,
        now: Duration,
        router: &mut Router<R, P, A, N, Q, B>,
        devices: &mut [D],
    ) -> usize
    where
        R: Routes,
        D: Device,
    {
        let mut received = 0;
        for i in 0..devices.len() {
            let (before, rest) = devices.split_at_mut(i);
            let Some((dev, after)) = rest.split_first_mut() else {
                break;
            };
            let ingress = InterfaceId(u16::try_from(i).unwrap_or(u16::MAX));
            let Self {
                queue,
                queued,
                tx,
                stats,
            } = self;
            received += dev.receive(now, |frame| {
                stats.received += 1;
                let action = router.handle_frame(now, ingress, frame, tx);
                let mut out = |port: InterfaceId, bytes: &[u8]| {
                    let p = usize::from(port.0);
                    let egress = match p.cmp(&i) {
                        core::cmp::Ordering::Less => before.get_mut(p),
                        core::cmp::Ordering::Greater => after.get_mut(p - i - 1),
                        core::cmp::Ordering::Equal => {
                            // The ingress device is lending `frame`: queue a copy.
                            match queue.get_mut(*queued) {
                                Some((len, buf)) if bytes.len() <= M => {
                                    buf[..bytes.len()].copy_from_slice(bytes);
                                    *len = bytes.len();
                                    *queued += 1;
                                }
                                _ => stats.dropped += 1,
                            }
                            return;
                        }
                    };
                    if egress.is_some_and(|d| send(d, now, bytes)) {
                        stats.sent += 1;
                    } else {
                        stats.dropped += 1;
                    }
                };
                match action {
                    Action::Forward { port, len } => out(port, &frame[..len]),
                    Action::Reply { port, len } => out(port, &tx[..len]),
                    Action::Fragment(mut fragmenter) => {
                        let port = fragmenter.port();
                        while let Some(n) = fragmenter.next(frame, tx) {
                            out(port, &tx[..n]);
                        }
                    }
                    _ => {}
                }
            });
            for (len, buf) in &self.queue[..self.queued] {
                if send(dev, now, &buf[..*len]) {
                    self.stats.sent += 1;
                } else {
                    self.stats.dropped += 1;
                }
            }
            self.queued = 0;
        }
        // Devices that hold frames back (a delaying middleware) send what is due.
        for d in devices.iter_mut() {
            d.transmit(now, |_| None);
        }
        while let Some((port, len)) = router.poll_transmit(now, &mut self.tx) {
            let tx = &self.tx[..len];
            if devices
                .get_mut(usize::from(port.0))
                .is_some_and(|d| send(d, now, tx))
            {
                self.stats.sent += 1;
            } else {
                self.stats.dropped += 1;
            }
        }
        received
    }
}

/// Copies `bytes` into a transmit buffer of `dev`; false when it has none free.
fn send<D: Device>(dev: &mut D, now: Duration, bytes: &[u8]) -> bool {
    dev.transmit_one(now, |buf| match buf.get_mut(..bytes.len()) {
        Some(b) => {
            b.copy_from_slice(bytes);
            bytes.len()
        }
        None => usize::MAX,
    })
}
