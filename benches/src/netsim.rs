//! A deterministic two-host network simulation on a virtual clock: smoltcp's own
//! `tests/netsim.rs` scenario, with the TCP stack behind a small trait so that two
//! stacks run the very same scenario.
//!
//! # The scenario (smoltcp 0.14 `tests/netsim.rs`, test `netsim`)
//! Host A and host B, each one Ethernet interface (IP MTU 1500, frames of at most
//! 1514 bytes), joined by one point-to-point link per direction. A frame sent at
//! virtual time `t` goes through a [`Bottleneck`] (bandwidth and drop-tail queue,
//! unlimited in this scenario: it lets everything through at once), then is lost with
//! probability `loss` (a [`Wire`] draws one `f64` per frame from its own ChaCha20 RNG,
//! seeded 0 for A->B and 1 for B->A, and drops the frame when the draw is below
//! `loss`), else arrives at `t + rtt / 2`. One TCP connection: A listens on port 1 and
//! reads everything; B connects from port 2 and writes as much as its socket accepts,
//! forever; both sockets have `buffer`-byte receive and send buffers. The run stops
//! once A has read at least `bytes` (10 MiB); throughput is the bytes A read divided
//! by the virtual seconds that took.
//!
//! # The loop ([`run`])
//! ```text
//! now = 0
//! while A has read fewer than `bytes`:
//!     A.poll(now, A's port, Sink)      // stack step with every frame due, then the app
//!     B.poll(now, B's port, Source)
//!     next = min(A.poll_at(now), B.poll_at(now), next arrival A->B, next arrival B->A)
//!     now = max(now, next)             // none: the flow has stalled, stop
//! ```
//! Every frame a stack sends during its `poll` leaves at `now`. This is exactly
//! smoltcp's loop, A before B, so that the frames reach each wire's RNG in the same
//! order and [`smoltcp_flow`] draws the same losses as smoltcp's test does.
//!
//! # Plugging in another stack
//! Implement [`Endpoint`] for it ([`Smoltcp`] is the model to follow):
//! `poll` hands the stack every frame [`Port::recv`] yields (those due at `now`), lets
//! it send with [`Port::send`], and then does the application's step given by [`App`]
//! (listen once and read everything into the [`Sink`]; or connect once and write from
//! the [`Source`] as much as the socket takes); `poll_at` says when the stack's
//! timers next need it. Addresses and ports are [`A_MAC`], [`A_IP`], [`A_PORT`],
//! [`B_MAC`], [`B_IP`], [`B_PORT`]. Then `run(&spec, &mut a, &mut b)` with the same
//! [`FlowSpec`] gives a [`FlowResult`] to set beside smoltcp's.
//!
//! The application data is a fixed pseudo-random stream ([`stream`]), and the
//! [`Sink`] checks every byte it is given against it, so a run also proves the data
//! arrived whole and in order.

use alloc::collections::BinaryHeap;
use core::cmp::Ordering;
use core::net::Ipv4Addr;
use core::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, ChecksumCapabilities, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};

/// Host A's MAC address (smoltcp's test: `02:00:00:00:00:01`).
pub const A_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
/// Host B's MAC address (smoltcp's test: `02:00:00:00:00:02`).
pub const B_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// Host A's address, on 10.0.0.0/24. smoltcp's test gives both hosts 10.0.0.0 (its
/// `10.0.0.i` for flow `i = 0`, for A and B alike); two distinct host addresses give
/// the same results there (the frames keep their sizes) and are what a stack that
/// rejects its own source address needs.
pub const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// Host B's address, on 10.0.0.0/24.
pub const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// The prefix length of both hosts' addresses.
pub const PREFIX_LEN: u8 = 24;
/// The port A listens on.
pub const A_PORT: u16 = 1;
/// The port B connects from.
pub const B_PORT: u16 = 2;
/// The largest frame either host may send: 14 bytes of Ethernet header and an IP MTU
/// of 1500 (smoltcp's test: `max_transmission_unit = 1514`).
pub const MAX_FRAME: usize = 1514;

/// The socket buffer sizes of smoltcp's table, its rows.
pub const BUFFERS: [usize; 9] = [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
/// The loss rates of smoltcp's table, its columns.
pub const LOSSES: [f64; 8] = [0.0, 0.001, 0.01, 0.02, 0.05, 0.10, 0.20, 0.30];

/// What one run simulates.
#[derive(Clone, Debug)]
pub struct FlowSpec {
    /// Receive and send buffer size of both sockets, in bytes.
    pub buffer: usize,
    /// Probability that the wire loses a frame, each direction.
    pub loss: f64,
    /// Round-trip time: each direction delays frames by half of it.
    pub rtt: Duration,
    /// The run stops once A has read at least this many bytes.
    pub bytes: u64,
    /// Seed of the A->B wire's loss RNG.
    pub seed_a_to_b: u64,
    /// Seed of the B->A wire's loss RNG.
    pub seed_b_to_a: u64,
    /// Bottleneck bandwidth in bytes per second, each direction (`u64::MAX`:
    /// unlimited).
    pub bandwidth: u64,
    /// Bottleneck drop-tail queue in bytes, each direction (`usize::MAX`: unlimited).
    pub capacity: usize,
    /// The run also stops, incomplete, when the virtual clock would pass this.
    pub time_limit: Duration,
}

impl FlowSpec {
    /// smoltcp's `netsim` case for one cell of its table: 10 MiB, RTT 100 ms, seeds 0
    /// and 1, unlimited bandwidth and queue. The time limit (100 virtual days) is far
    /// beyond the slowest cell of the table (128-byte buffers at 30% loss: about 17
    /// virtual days).
    pub fn netsim(buffer: usize, loss: f64) -> Self {
        Self {
            buffer,
            loss,
            rtt: Duration::from_millis(100),
            bytes: 10 * 1024 * 1024,
            seed_a_to_b: 0,
            seed_b_to_a: 1,
            bandwidth: u64::MAX,
            capacity: usize::MAX,
            time_limit: Duration::from_secs(100 * 24 * 3600),
        }
    }
}

/// Counters of one direction of the link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames the sending host transmitted.
    pub frames: u64,
    /// Bytes the sending host transmitted (Ethernet header included).
    pub bytes: u64,
    /// Frames the bottleneck's full queue dropped.
    pub tail_drops: u64,
    /// Frames the wire lost at random.
    pub lost: u64,
    /// Frames longer than [`MAX_FRAME`], dropped before the bottleneck (and not
    /// counted in `frames` or `bytes`): a stack must not win by sending larger
    /// frames than the scenario's MTU allows.
    pub oversize: u64,
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct FlowResult {
    /// Bytes A read (at least `bytes` when `completed`; a little more, since B never
    /// stops writing and A reads whatever has arrived).
    pub received: u64,
    /// Virtual time at the end of the run.
    pub elapsed: Duration,
    /// `received` divided by `elapsed` in seconds: bytes per second.
    pub throughput: f64,
    /// Whether A read `bytes` before the run stalled or hit the time limit.
    pub completed: bool,
    /// The offset of the first byte A read that differs from [`stream`], if any.
    pub first_mismatch: Option<u64>,
    /// FNV-1a (64 bits) of every byte A read, in order ([`fnv1a`]).
    pub hash: u64,
    /// The A->B direction.
    pub a_to_b: LinkStats,
    /// The B->A direction.
    pub b_to_a: LinkStats,
    /// Turns of the loop (each polls A, then B).
    pub steps: u64,
}

/// Byte `i` of the application stream is byte `i % 8` (little-endian) of
/// `splitmix64(i / 8)`: deterministic, and no shifted or reordered piece of it
/// matches the original. Fills `buf` with the stream from `offset` on.
pub fn stream(offset: u64, buf: &mut [u8]) {
    let mut pos = offset;
    let mut rest = buf;
    while !rest.is_empty() {
        let word = splitmix64(pos / 8).to_le_bytes();
        let start = (pos % 8) as usize;
        let take = (8 - start).min(rest.len());
        let (head, tail) = rest.split_at_mut(take);
        head.copy_from_slice(&word[start..start + take]);
        rest = tail;
        pos += take as u64;
    }
}

fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The FNV-1a offset basis: the hash of no bytes.
pub const FNV1A_INIT: u64 = 0xcbf2_9ce4_8422_2325;

/// Continues a 64-bit FNV-1a hash `hash` over `data`.
pub fn fnv1a(mut hash: u64, data: &[u8]) -> u64 {
    for &b in data {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The writing application: the [`stream`], from its start.
#[derive(Clone, Debug, Default)]
pub struct Source {
    written: u64,
}

impl Source {
    /// A source at offset 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills `buf` with the next `buf.len()` bytes of the stream: call it with the
    /// bytes the socket takes, no more.
    pub fn fill(&mut self, buf: &mut [u8]) {
        stream(self.written, buf);
        self.written += buf.len() as u64;
    }

    /// Bytes handed out so far.
    pub fn written(&self) -> u64 {
        self.written
    }
}

/// The reading application: counts, hashes and checks what it is given.
#[derive(Clone, Debug)]
pub struct Sink {
    received: u64,
    hash: u64,
    first_mismatch: Option<u64>,
    expected: Vec<u8>,
}

impl Default for Sink {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink {
    /// A sink that has read nothing.
    pub fn new() -> Self {
        Self {
            received: 0,
            hash: FNV1A_INIT,
            first_mismatch: None,
            expected: Vec::new(),
        }
    }

    /// Takes the next bytes the socket delivered.
    pub fn write(&mut self, data: &[u8]) {
        if self.first_mismatch.is_none() {
            self.expected.resize(data.len(), 0);
            stream(self.received, &mut self.expected);
            if let Some(i) = data.iter().zip(&self.expected).position(|(a, b)| a != b) {
                self.first_mismatch = Some(self.received + i as u64);
            }
        }
        self.hash = fnv1a(self.hash, data);
        self.received += data.len() as u64;
    }

    /// Bytes read so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// FNV-1a of the bytes read so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The offset of the first byte that differed from the [`stream`], if any.
    pub fn first_mismatch(&self) -> Option<u64> {
        self.first_mismatch
    }
}

/// The application on one host, which [`Endpoint::poll`] runs after the stack.
#[derive(Debug)]
pub enum App {
    /// Host A: listen on [`A_PORT`] once the socket is closed (once only), then read
    /// everything the socket has into the sink.
    Sink(Sink),
    /// Host B: connect from [`B_PORT`] to [`A_IP`]:[`A_PORT`] once the socket is
    /// closed (once only), then write from the source as much as the socket takes.
    Source(Source),
}

/// One host's TCP/IP stack with its one socket, as the loop drives it.
pub trait Endpoint {
    /// One step at `now`: the stack takes every frame `port.recv()` yields and
    /// processes it, sends what it has to with `port.send`, and then the
    /// application does its step on `app` (see [`App`]). Frames may be sent during
    /// either part; all leave at `now`.
    fn poll(&mut self, now: Duration, port: &mut Port<'_>, app: &mut App);

    /// When the stack next needs a `poll` for its own sake (a timer, or data it
    /// holds back until the next poll; `now` or earlier: at once), `None` if
    /// never. The arrival of frames is the loop's to track.
    fn poll_at(&mut self, now: Duration) -> Option<Duration>;
}

/// A shared egress link: bandwidth and a drop-tail queue (smoltcp's `Bottleneck`).
#[derive(Clone, Debug)]
pub struct Bottleneck {
    bandwidth: u64,
    capacity: usize,
    next_tx_available: Duration,
    pushes: u64,
    tail_drops: u64,
}

impl Bottleneck {
    /// A link of `bandwidth` bytes per second with a queue of `capacity` bytes.
    pub fn new(bandwidth: u64, capacity: usize) -> Self {
        Self {
            bandwidth: bandwidth.max(1),
            capacity,
            next_tx_available: Duration::ZERO,
            pushes: 0,
            tail_drops: 0,
        }
    }

    /// Queues a frame of `len` bytes at `now`: `None` if the queue is full (drop
    /// tail), else the time its last bit leaves. Whole microseconds, as smoltcp's.
    pub fn transmit(&mut self, len: usize, now: Duration) -> Option<Duration> {
        self.pushes += 1;
        let queued_micros = self.next_tx_available.saturating_sub(now).as_micros();
        let queued_bytes = queued_micros.saturating_mul(u128::from(self.bandwidth)) / 1_000_000;
        let queued_bytes = usize::try_from(queued_bytes).unwrap_or(usize::MAX);
        if queued_bytes.saturating_add(len) > self.capacity {
            self.tail_drops += 1;
            return None;
        }
        let start = self.next_tx_available.max(now);
        let tx_micros = (len as u128 * 1_000_000) / u128::from(self.bandwidth);
        let done = start + Duration::from_micros(u64::try_from(tx_micros).unwrap_or(u64::MAX));
        self.next_tx_available = done;
        Some(done)
    }
}

struct Timed {
    at: Duration,
    id: u64,
    frame: Vec<u8>,
}

impl PartialEq for Timed {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.id) == (other.at, other.id)
    }
}

impl Eq for Timed {}

impl PartialOrd for Timed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timed {
    /// Reversed, so that the max-heap pops the earliest frame (first sent first on
    /// equal times).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.id).cmp(&(self.at, self.id))
    }
}

/// One direction of the link: latency, random loss, and the frames in flight.
pub struct Wire {
    queue: BinaryHeap<Timed>,
    latency: Duration,
    loss: f64,
    rng: ChaCha20Rng,
    next_id: u64,
    lost: u64,
}

impl Wire {
    /// A wire that delays every frame by `latency` and loses each with probability
    /// `loss`, drawing from a ChaCha20 RNG seeded with `seed` (rand 0.8's
    /// `seed_from_u64`, as smoltcp's test).
    pub fn new(latency: Duration, loss: f64, seed: u64) -> Self {
        Self {
            queue: BinaryHeap::new(),
            latency,
            loss,
            rng: ChaCha20Rng::seed_from_u64(seed),
            next_id: 0,
            lost: 0,
        }
    }

    /// A frame whose last bit left at `tx_done`: one draw decides whether it is lost;
    /// else it arrives at `tx_done + latency`.
    pub fn push(&mut self, frame: Vec<u8>, tx_done: Duration) {
        if self.rng.r#gen::<f64>() < self.loss {
            self.lost += 1;
            return;
        }
        self.queue.push(Timed {
            at: tx_done + self.latency,
            id: self.next_id,
            frame,
        });
        self.next_id += 1;
    }

    /// When the next frame arrives, if one is in flight.
    pub fn peek_arrival(&self) -> Option<Duration> {
        self.queue.peek().map(|t| t.at)
    }

    /// The next frame, if it has arrived by `now`.
    pub fn pop_due(&mut self, now: Duration) -> Option<Vec<u8>> {
        if self.peek_arrival()? > now {
            return None;
        }
        self.queue.pop().map(|t| t.frame)
    }

    /// Frames lost so far.
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

/// One host's side of the link during one [`Endpoint::poll`]: the frames arrived
/// for it, and the way out.
pub struct Port<'a> {
    now: Duration,
    bottleneck: &'a mut Bottleneck,
    tx: &'a mut Wire,
    rx: &'a mut Wire,
    stats: &'a mut LinkStats,
}

impl Port<'_> {
    /// The virtual time of this poll.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// The next frame that has arrived by now, earliest first.
    pub fn recv(&mut self) -> Option<Vec<u8>> {
        self.rx.pop_due(self.now)
    }

    /// Sends an Ethernet frame (no FCS, at most [`MAX_FRAME`] bytes; a longer one
    /// is dropped and counted in [`LinkStats::oversize`]) now.
    pub fn send(&mut self, frame: Vec<u8>) {
        if frame.len() > MAX_FRAME {
            self.stats.oversize += 1;
            return;
        }
        self.stats.frames += 1;
        self.stats.bytes += frame.len() as u64;
        if let Some(done) = self.bottleneck.transmit(frame.len(), self.now) {
            self.tx.push(frame, done);
        }
    }
}

/// Runs the scenario of `spec` with `a` as host A (reads) and `b` as host B
/// (writes), both fresh: see the [module docs](self) for the loop.
pub fn run<A: Endpoint + ?Sized, B: Endpoint + ?Sized>(
    spec: &FlowSpec,
    a: &mut A,
    b: &mut B,
) -> FlowResult {
    let half = spec.rtt / 2;
    let mut a_to_b = Wire::new(half, spec.loss, spec.seed_a_to_b);
    let mut b_to_a = Wire::new(half, spec.loss, spec.seed_b_to_a);
    let mut bn_a_to_b = Bottleneck::new(spec.bandwidth, spec.capacity);
    let mut bn_b_to_a = Bottleneck::new(spec.bandwidth, spec.capacity);
    let mut stats_a_to_b = LinkStats::default();
    let mut stats_b_to_a = LinkStats::default();
    let mut sink = App::Sink(Sink::new());
    let mut source = App::Source(Source::new());
    let received = |sink: &App| match sink {
        App::Sink(s) => s.received(),
        App::Source(_) => 0,
    };

    let mut now = Duration::ZERO;
    let mut steps = 0;
    let mut completed = false;
    loop {
        if received(&sink) >= spec.bytes {
            completed = true;
            break;
        }
        steps += 1;
        a.poll(
            now,
            &mut Port {
                now,
                bottleneck: &mut bn_a_to_b,
                tx: &mut a_to_b,
                rx: &mut b_to_a,
                stats: &mut stats_a_to_b,
            },
            &mut sink,
        );
        b.poll(
            now,
            &mut Port {
                now,
                bottleneck: &mut bn_b_to_a,
                tx: &mut b_to_a,
                rx: &mut a_to_b,
                stats: &mut stats_b_to_a,
            },
            &mut source,
        );
        let next = [
            b_to_a.peek_arrival(),
            a.poll_at(now),
            a_to_b.peek_arrival(),
            b.poll_at(now),
        ]
        .into_iter()
        .flatten()
        .min();
        match next {
            Some(t) if t <= spec.time_limit => now = now.max(t),
            _ => break,
        }
    }

    let (received, hash, first_mismatch) = match &sink {
        App::Sink(s) => (s.received(), s.hash(), s.first_mismatch()),
        App::Source(_) => (0, FNV1A_INIT, None),
    };
    stats_a_to_b.tail_drops = bn_a_to_b.tail_drops;
    stats_a_to_b.lost = a_to_b.lost();
    stats_b_to_a.tail_drops = bn_b_to_a.tail_drops;
    stats_b_to_a.lost = b_to_a.lost();
    // smoltcp's test divides by whole microseconds.
    let secs = now.as_micros() as f64 / 1e6;
    FlowResult {
        received,
        elapsed: now,
        throughput: if secs > 0.0 {
            received as f64 / secs
        } else {
            0.0
        },
        completed,
        first_mismatch,
        hash,
        a_to_b: stats_a_to_b,
        b_to_a: stats_b_to_a,
        steps,
    }
}

/// The device capabilities both smoltcp hosts have in the netsim: Ethernet,
/// [`MAX_FRAME`], and checksums neither computed nor verified (as in smoltcp's test).
fn netsim_caps() -> DeviceCapabilities {
    let mut caps = DeviceCapabilities::default();
    caps.max_transmission_unit = MAX_FRAME;
    caps.medium = Medium::Ethernet;
    caps.checksum = ChecksumCapabilities::ignored();
    caps
}

/// smoltcp's time from the loop's.
fn instant(t: Duration) -> Instant {
    Instant::from_micros(i64::try_from(t.as_micros()).unwrap_or(i64::MAX))
}

/// The loop's time from smoltcp's (a time before zero is zero).
fn duration(t: Instant) -> Duration {
    Duration::from_micros(u64::try_from(t.total_micros()).unwrap_or(0))
}

/// A smoltcp device over a [`Port`]: received frames are the port's, transmitted
/// ones are allocated and sent on it.
struct PortDevice<'p, 'w> {
    port: &'p mut Port<'w>,
    caps: DeviceCapabilities,
}

struct RxToken(Vec<u8>);

impl phy::RxToken for RxToken {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

struct TxToken<'a, 'w>(&'a mut Port<'w>);

impl phy::TxToken for TxToken<'_, '_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let r = f(&mut frame);
        self.0.send(frame);
        r
    }
}

impl<'w> Device for PortDevice<'_, 'w> {
    type RxToken<'a>
        = RxToken
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, 'w>
    where
        Self: 'a;

    fn receive(&mut self, _: Instant) -> Option<(RxToken, TxToken<'_, 'w>)> {
        let frame = self.port.recv()?;
        Some((RxToken(frame), TxToken(self.port)))
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_, 'w>> {
        Some(TxToken(self.port))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.caps.clone()
    }
}

/// A device that only has capabilities: what `Interface::new` reads.
struct CapsOnly(DeviceCapabilities);

impl Device for CapsOnly {
    type RxToken<'a>
        = RxToken
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, 'static>
    where
        Self: 'a;

    fn receive(&mut self, _: Instant) -> Option<(RxToken, TxToken<'_, 'static>)> {
        None
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_, 'static>> {
        None
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.0.clone()
    }
}

/// Which host of the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// Host A: [`A_MAC`], [`A_IP`].
    A,
    /// Host B: [`B_MAC`], [`B_IP`].
    B,
}

/// smoltcp 0.14 as an [`Endpoint`]: one `Interface`, one `SocketSet` with one TCP
/// socket, as smoltcp's test sets them up: default `Config` (random seed 0, so the
/// same initial sequence numbers on every run) and default socket options. With
/// neither `socket-tcp-cubic` nor `socket-tcp-reno` enabled (not here, and not in
/// smoltcp's default features its test runs with) the socket has no congestion
/// control: the window alone limits it.
pub struct Smoltcp {
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
    caps: DeviceCapabilities,
    started: bool,
}

impl Smoltcp {
    /// Host `host` with receive and send buffers of `buffer` bytes, at time zero.
    pub fn new(host: Host, buffer: usize) -> Self {
        let (mac, ip) = match host {
            Host::A => (A_MAC, A_IP),
            Host::B => (B_MAC, B_IP),
        };
        let caps = netsim_caps();
        let config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        let mut iface = Interface::new(config, &mut CapsOnly(caps.clone()), Instant::ZERO);
        iface.update_ip_addrs(|addrs| {
            // The list holds several addresses; the first push cannot fail.
            let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(ip), PREFIX_LEN));
        });
        let mut sockets = SocketSet::new(Vec::new());
        let handle = sockets.add(tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; buffer]),
            tcp::SocketBuffer::new(vec![0; buffer]),
        ));
        Self {
            iface,
            sockets,
            handle,
            caps,
            started: false,
        }
    }
}

impl Endpoint for Smoltcp {
    fn poll(&mut self, now: Duration, port: &mut Port<'_>, app: &mut App) {
        let t = instant(now);
        let mut device = PortDevice {
            port,
            caps: self.caps.clone(),
        };
        self.iface.poll(t, &mut device, &mut self.sockets);
        let socket = self.sockets.get_mut::<tcp::Socket<'_>>(self.handle);
        match app {
            App::Sink(sink) => {
                if !socket.is_active() && !socket.is_listening() && !self.started {
                    self.started = socket.listen(A_PORT).is_ok();
                }
                while socket.can_recv() {
                    let read = socket.recv(|data| {
                        sink.write(data);
                        (data.len(), ())
                    });
                    if read.is_err() {
                        break;
                    }
                }
            }
            App::Source(source) => {
                if !socket.is_open() && !self.started {
                    let remote = (IpAddress::Ipv4(A_IP), A_PORT);
                    self.started = socket.connect(self.iface.context(), remote, B_PORT).is_ok();
                }
                while socket.can_send() {
                    let wrote = socket.send(|buf| {
                        source.fill(buf);
                        (buf.len(), ())
                    });
                    if wrote.is_err() {
                        break;
                    }
                }
            }
        }
    }

    fn poll_at(&mut self, now: Duration) -> Option<Duration> {
        self.iface
            .poll_at(instant(now), &self.sockets)
            .map(duration)
    }
}

/// smoltcp's half of the comparison: the scenario of `spec` with two [`Smoltcp`]
/// hosts.
pub fn smoltcp_flow(spec: &FlowSpec) -> FlowResult {
    let mut a = Smoltcp::new(Host::A, spec.buffer);
    let mut b = Smoltcp::new(Host::B, spec.buffer);
    run(spec, &mut a, &mut b)
}
