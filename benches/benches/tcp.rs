//! TCP bulk transfer in memory, one core: two TCP/IP stacks joined by a frame queue
//! each way (no loss, no delay), one long-lived connection, and each iteration moves
//! `BYTES` from one application to the other.
//!
//! # What one iteration is
//! The sender's application writes `BYTES` into its socket (`send_slice` from a
//! 256 KiB block of pseudo-random data, cycled) as fast as the socket takes them; the
//! receiver's application reads until it has `BYTES` (`recv_slice` into a buffer the
//! size of the socket buffer). In between, each stack's `poll` moves frames through
//! the queues; frames are buffers from a pool, so no allocation per frame. The clock is
//! virtual: it stays put while frames move and jumps to the next timer only when
//! neither stack has anything to do (a delayed ACK's 10 ms, say), so the time measured
//! is the CPU time of the two stacks and the two copies of each byte between the
//! applications and the sockets; no waiting. Checksums (IPv4 header, TCP) are
//! computed on transmit and verified on receive, in software: the default
//! `ChecksumCapabilities`. The connection, and the ARP exchange before it, are set up
//! before anything is measured, and one iteration is checked byte for byte first.
//! `Throughput::Bytes(BYTES)`: criterion reports bytes/s of application data.
//!
//! # Cases
//! `tcp_bulk/mtu<MTU>_buf<SIZE>`: IP MTU (Ethernet frames 14 bytes longer) and the
//! receive and send buffer size of both sockets.
//! - `mtu1500_buf256k`: the common Ethernet MTU.
//! - `mtu65521_buf64k`: the parameters of smoltcp's own `examples/loopback_benchmark.rs`
//!   (its `Loopback` device's 65,535-byte Ethernet frames, 64 KiB socket buffers),
//!   which is where the "smoltcp measured 15.0 Gbps" figure most likely
//!   comes from (smoltcp's README quotes 15.4 Gbps for it). That example is one
//!   `Interface` talking to itself on the wall clock, allocating and zeroing every
//!   frame, and claims the socket buffers without copying data in or out; here the
//!   two hosts are separate and the applications copy, as above.
//!
//! # Peers
//! - `smoltcp`: smoltcp 0.14, `Interface` + `SocketSet` per host, default `Config`
//!   and socket options (no congestion control with the features used here).
//!
//! See `benches/RESULTS.md` for what each case gives on the machine that ran it.

extern crate alloc;

use alloc::collections::VecDeque;
use core::cell::RefCell;
use core::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Address};

/// Application bytes per iteration.
const BYTES: usize = 16 * 1024 * 1024;
/// The sender's data, cycled.
const BLOCK: usize = 256 * 1024;
const ETH_HEADER: usize = 14;

const A_IP: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
const B_IP: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);
const A_PORT: u16 = 49152;
const B_PORT: u16 = 5001;

/// The frames in flight each way, and the pool their buffers come from and go back to.
#[derive(Default)]
struct Link {
    a_to_b: VecDeque<Vec<u8>>,
    b_to_a: VecDeque<Vec<u8>>,
    pool: Vec<Vec<u8>>,
}

impl Link {
    fn queue(&mut self, from_a: bool) -> &mut VecDeque<Vec<u8>> {
        if from_a {
            &mut self.a_to_b
        } else {
            &mut self.b_to_a
        }
    }
}

/// One host's end of the link.
struct QueueDevice<'l> {
    link: &'l RefCell<Link>,
    is_a: bool,
    caps: DeviceCapabilities,
}

struct RxToken<'l> {
    link: &'l RefCell<Link>,
    frame: Vec<u8>,
}

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(&self.frame);
        self.link.borrow_mut().pool.push(self.frame);
        r
    }
}

struct TxToken<'l> {
    link: &'l RefCell<Link>,
    from_a: bool,
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = self.link.borrow_mut().pool.pop().unwrap_or_default();
        // Buffers keep their old length: only a longer frame zeroes anything.
        frame.resize(len, 0);
        frame.truncate(len);
        let r = f(&mut frame);
        self.link.borrow_mut().queue(self.from_a).push_back(frame);
        r
    }
}

impl Device for QueueDevice<'_> {
    type RxToken<'a>
        = RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, _: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let frame = self.link.borrow_mut().queue(!self.is_a).pop_front()?;
        Some((
            RxToken {
                link: self.link,
                frame,
            },
            TxToken {
                link: self.link,
                from_a: self.is_a,
            },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_>> {
        Some(TxToken {
            link: self.link,
            from_a: self.is_a,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.caps.clone()
    }
}

/// One host: interface, sockets, its one TCP socket.
struct Host {
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
}

impl Host {
    fn new(link: &RefCell<Link>, is_a: bool, caps: &DeviceCapabilities, buffer: usize) -> Self {
        let (mac, ip) = if is_a {
            ([2, 0, 0, 0, 0, 1], A_IP)
        } else {
            ([2, 0, 0, 0, 0, 2], B_IP)
        };
        let mut device = QueueDevice {
            link,
            is_a,
            caps: caps.clone(),
        };
        let config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        let mut iface = Interface::new(config, &mut device, Instant::ZERO);
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::Ipv4(ip), 24))
                .expect("room for one address");
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
        }
    }

    fn poll(&mut self, now: Instant, link: &RefCell<Link>, is_a: bool, caps: &DeviceCapabilities) {
        let mut device = QueueDevice {
            link,
            is_a,
            caps: caps.clone(),
        };
        self.iface.poll(now, &mut device, &mut self.sockets);
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket<'static>>(self.handle)
    }
}

/// Two hosts with an established connection from A (sender) to B (receiver).
struct Pair {
    link: RefCell<Link>,
    caps: DeviceCapabilities,
    a: Host,
    b: Host,
    now: Instant,
    data: Vec<u8>,
    sent: usize,
    scratch: Vec<u8>,
    /// Turns of the transfer loop (each polls both hosts).
    rounds: u64,
    /// Turns in which nothing moved and the clock was advanced.
    idle: u64,
}

impl Pair {
    fn new(mtu: usize, buffer: usize) -> Self {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = mtu + ETH_HEADER;
        let link = RefCell::new(Link::default());
        let a = Host::new(&link, true, &caps, buffer);
        let b = Host::new(&link, false, &caps, buffer);
        let mut pair = Self {
            link,
            caps,
            a,
            b,
            now: Instant::ZERO,
            data: rayos_net_benches::payload(BLOCK),
            sent: 0,
            scratch: vec![0; buffer],
            rounds: 0,
            idle: 0,
        };
        pair.b.socket().listen(B_PORT).expect("listen");
        let cx = pair.a.iface.context();
        let socket = pair
            .a
            .sockets
            .get_mut::<tcp::Socket<'static>>(pair.a.handle);
        socket
            .connect(cx, (IpAddress::Ipv4(B_IP), B_PORT), A_PORT)
            .expect("connect");
        for _ in 0..100 {
            pair.poll_both();
            if pair.a.socket().state() == tcp::State::Established
                && pair.b.socket().state() == tcp::State::Established
            {
                return pair;
            }
            pair.advance_if_idle();
        }
        panic!("no connection after 100 rounds");
    }

    fn poll_both(&mut self) {
        self.a.poll(self.now, &self.link, true, &self.caps);
        self.b.poll(self.now, &self.link, false, &self.caps);
    }

    /// With no frame in flight, moves the clock to the earlier host's next timer.
    fn advance_if_idle(&mut self) {
        let link = self.link.borrow();
        if !link.a_to_b.is_empty() || !link.b_to_a.is_empty() {
            return;
        }
        drop(link);
        let next = [
            self.a.iface.poll_at(self.now, &self.a.sockets),
            self.b.iface.poll_at(self.now, &self.b.sockets),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(t) = next {
            self.now = self.now.max(t);
        }
        // Something always moves the clock forward a little, so that a timer that
        // says "now" and does nothing cannot hold the loop.
        self.now += Duration::from_micros(1);
    }

    /// Moves `n` application bytes from A to B. With `check`, B compares each byte
    /// with what A wrote. Returns the bytes B read.
    fn transfer(&mut self, n: usize, check: bool) -> usize {
        let mut to_send = n;
        let mut read = 0;
        let mut check_at = self.sent;
        while read < n {
            let mut progress = false;
            while to_send > 0 {
                let off = self.sent % BLOCK;
                let len = to_send.min(BLOCK - off);
                let k = self
                    .a
                    .socket()
                    .send_slice(&self.data[off..off + len])
                    .expect("send");
                if k == 0 {
                    break;
                }
                self.sent += k;
                to_send -= k;
                progress = true;
            }
            self.poll_both();
            self.rounds += 1;
            loop {
                let socket = self
                    .b
                    .sockets
                    .get_mut::<tcp::Socket<'static>>(self.b.handle);
                let k = socket.recv_slice(&mut self.scratch).expect("recv");
                if k == 0 {
                    break;
                }
                if check {
                    for &byte in &self.scratch[..k] {
                        assert_eq!(byte, self.data[check_at % BLOCK], "byte {check_at}");
                        check_at += 1;
                    }
                }
                black_box(&self.scratch[..k]);
                read += k;
                progress = true;
            }
            if !progress {
                self.idle += 1;
                self.advance_if_idle();
            }
        }
        read
    }
}

fn benches(c: &mut Criterion) {
    for (mtu, buffer, name) in [
        (1500, 256 * 1024, "mtu1500_buf256k"),
        (65535 - ETH_HEADER, 64 * 1024, "mtu65521_buf64k"),
    ] {
        let mut pair = Pair::new(mtu, buffer);
        // One checked transfer first: every byte arrives, in order.
        let (rounds, idle, start) = (pair.rounds, pair.idle, pair.now);
        assert_eq!(pair.transfer(BYTES, true), BYTES);
        eprintln!(
            "tcp_bulk/{name}: smoltcp moved {BYTES} bytes in {} rounds, {} without application progress; \
             virtual time {} ms",
            pair.rounds - rounds,
            pair.idle - idle,
            (pair.now - start).total_millis()
        );
        let mut g = c.benchmark_group(format!("tcp_bulk/{name}"));
        g.throughput(Throughput::Bytes(BYTES as u64));
        g.bench_function("smoltcp", |b| b.iter(|| pair.transfer(BYTES, false)));
        g.finish();
    }
}

criterion_group!(tcp, benches);
criterion_main!(tcp);
