//! Two of our TCP sockets on a simulated path, on a virtual clock: loss,
//! reordering, duplication and corruption, all seeded. Every transfer must arrive
//! byte for byte, and both ends must close.
//!
//! The segments go through the real wire format: emitted with their checksums,
//! corrupted on the path, parsed (and the checksum verified) at the other end.

use core::cmp::Reverse;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};
use netstack::socket::tcp::{
    Algorithm, CloseReason, Config, Event, Handshake, Outcome, RecvError, Socket, State, Stats,
};
use netstack::wire::ChecksumCapabilities;
use netstack::wire::tcp::{self, SeqNumber};
extern crate alloc;
use alloc::collections::BinaryHeap;
use core::time::Duration;

/// SplitMix64: a small seeded generator, so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / ((1u64 << 53) as f64) < p
    }
}

/// What the path does to each segment, in each direction.
#[derive(Debug, Clone, Copy)]
struct Path {
    delay: Duration,
    loss: f64,
    duplicate: f64,
    /// Chance that a segment is held back by up to `delay` more (reordering).
    reorder: f64,
    corrupt: f64,
}

impl Path {
    fn clean(delay_ms: u64) -> Path {
        Path {
            delay: Duration::from_millis(delay_ms),
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            corrupt: 0.0,
        }
    }
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Reverse<(Duration, u64)>,
    to_b: bool,
    bytes: Vec<u8>,
}

struct Wire {
    path: Path,
    rng: Rng,
    queue: BinaryHeap<InFlight>,
    id: u64,
}

impl Wire {
    fn send(&mut self, now: Duration, to_b: bool, bytes: &[u8]) {
        if self.rng.chance(self.path.loss) {
            return;
        }
        let copies = if self.rng.chance(self.path.duplicate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut bytes = bytes.to_vec();
            if self.rng.chance(self.path.corrupt) && !bytes.is_empty() {
                let i = (self.rng.next() % bytes.len() as u64) as usize;
                bytes[i] ^= 1 << (self.rng.next() % 8);
            }
            let mut at = now + self.path.delay;
            if self.rng.chance(self.path.reorder) {
                let extra = self.rng.next() % (self.path.delay.as_micros() as u64 + 1);
                at += Duration::from_micros(extra);
            }
            self.id += 1;
            self.queue.push(InFlight {
                at: Reverse((at, self.id)),
                to_b,
                bytes,
            });
        }
    }
}

struct Outcome_ {
    elapsed: Duration,
    a: Stats,
    b: Stats,
}

const A: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 40000);
const B: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);

/// A sends `data` to B, then closes; B reads it all, then closes. Returns when
/// both are done, or panics with the states when the virtual clock passes
/// `limit`.
fn transfer(
    data: &[u8],
    path: Path,
    seed: u64,
    config: Config,
    buffer: usize,
    limit: Duration,
) -> Outcome_ {
    let caps = ChecksumCapabilities::default();
    let (mut a_rx, mut a_tx) = (vec![0u8; buffer], vec![0u8; buffer]);
    let (mut b_rx, mut b_tx) = (vec![0u8; buffer], vec![0u8; buffer]);
    let mut a = Socket::new(&mut a_rx[..], &mut a_tx[..], config);
    let mut b = Socket::new(&mut b_rx[..], &mut b_tx[..], config);
    let mut wire = Wire {
        path,
        rng: Rng(seed),
        queue: BinaryHeap::new(),
        id: 0,
    };
    let mut now = Duration::ZERO;
    a.connect(now, A, B, SeqNumber(0xffff_f000), 1000).unwrap();
    let (mut sent, mut received) = (0usize, Vec::with_capacity(data.len()));
    let (mut a_closed, mut b_closed, mut accepted) = (false, false, false);
    let (mut a_done, mut b_done) = (false, false);
    let mut buf = vec![0u8; 2048];
    let mut rbuf = vec![0u8; 65536];
    loop {
        // The programs.
        if a.state() == State::Established || a.state() == State::CloseWait {
            while sent < data.len() {
                let n = a.send(&data[sent..]).unwrap();
                if n == 0 {
                    break;
                }
                sent += n;
            }
            if sent == data.len() && !a_closed {
                a.close();
                a_closed = true;
            }
        }
        loop {
            match b.recv(&mut rbuf) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&rbuf[..n]),
                Err(RecvError::Finished) => {
                    if !b_closed {
                        b.close();
                        b_closed = true;
                    }
                    break;
                }
                Err(RecvError::InvalidState(_)) => break,
                Err(e) => panic!("{e}"),
            }
        }
        while let Some(e) = a.poll_event() {
            if let Event::Closed(r) = e {
                assert_eq!(r, CloseReason::Normal, "A closed abnormally");
                a_done = true;
            }
        }
        while let Some(e) = b.poll_event() {
            if let Event::Closed(r) = e {
                assert_eq!(r, CloseReason::Normal, "B closed abnormally");
                b_done = true;
            }
        }
        // A in TIME-WAIT has nothing left to do but wait.
        if b_done && (a_done || a.state() == State::TimeWait) {
            break;
        }
        // Their segments onto the path.
        while let Some(t) = a.poll_transmit(now, &mut buf, &caps).unwrap() {
            wire.send(now, true, &buf[..t.len]);
        }
        while let Some(t) = b.poll_transmit(now, &mut buf, &caps).unwrap() {
            wire.send(now, false, &buf[..t.len]);
        }
        // The next event.
        let next = [
            wire.queue.peek().map(|p| p.at.0.0),
            a.poll_timeout(),
            b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or_else(|| panic!("deadlock at {now:?}: A {a:?} B {b:?}"));
        now = now.max(next);
        assert!(
            now < limit,
            "not done by {limit:?}: {} of {} bytes; A {a:?} B {b:?}",
            received.len(),
            data.len()
        );
        while wire.queue.peek().is_some_and(|p| p.at.0.0 <= now) {
            let p = wire.queue.pop().unwrap();
            let (src, dst) = if p.to_b { (A, B) } else { (B, A) };
            let Ok(packet) = tcp::Packet::new_checked(&p.bytes[..]) else {
                continue;
            };
            let Ok(repr) = tcp::Repr::parse(&packet, &src.ip(), &dst.ip(), &caps) else {
                continue; // corrupted: the checksum catches it
            };
            if repr.src_port != src.port() || repr.dst_port != dst.port() {
                continue; // a corrupted port: another connection's
            }
            let payload = packet.payload();
            if p.to_b {
                if !accepted {
                    if repr.flags == tcp::Flags::SYN {
                        let hs =
                            Handshake::from_syn(&config, B, A, &repr, SeqNumber(77), 5, buffer);
                        b.accept(now, &hs, false).unwrap();
                        accepted = true;
                    }
                    continue;
                }
                let _: Outcome = b.handle_segment(now, &repr, payload);
            } else {
                let _ = a.handle_segment(now, &repr, payload);
            }
        }
        a.handle_timeout(now);
        b.handle_timeout(now);
    }
    assert_eq!(received.len(), data.len());
    assert!(received == data, "the data arrived changed");
    Outcome_ {
        elapsed: now,
        a: *a.stats(),
        b: *b.stats(),
    }
}

fn data(n: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed);
    (0..n).map(|_| r.next() as u8).collect()
}

fn report(name: &str, n: usize, o: &Outcome_) {
    let secs = o.elapsed.as_secs_f64();
    eprintln!(
        "{name}: {n} bytes in {secs:.2} s virtual: {:.0} B/s; A sent {} segments, {} retransmitted, {} timeouts, {} fast recoveries; B discarded {}",
        n as f64 / secs,
        o.a.segments_sent,
        o.a.retransmissions,
        o.a.timeouts,
        o.a.fast_recoveries,
        o.b.discarded,
    );
}

#[test]
fn clean_path_transfers_exactly() {
    let d = data(1 << 20, 1);
    let o = transfer(
        &d,
        Path::clean(10),
        1,
        Config::default(),
        64 * 1024,
        Duration::from_secs(60),
    );
    report("clean", d.len(), &o);
    assert_eq!(o.a.retransmissions, 0);
    assert_eq!(o.a.timeouts, 0);
}

#[test]
fn five_percent_loss() {
    let d = data(1 << 20, 2);
    let path = Path {
        loss: 0.05,
        ..Path::clean(50)
    };
    for algo in [Algorithm::NewReno, Algorithm::Cubic] {
        let mut config = Config::default();
        config.congestion = algo;
        let o = transfer(&d, path, 3, config, 32 * 1024, Duration::from_secs(600));
        report(&format!("5% loss {algo:?}"), d.len(), &o);
        assert!(o.a.retransmissions > 0);
    }
}

#[test]
fn thirty_percent_loss() {
    let d = data(64 * 1024, 3);
    let path = Path {
        loss: 0.30,
        ..Path::clean(20)
    };
    let o = transfer(
        &d,
        path,
        4,
        Config::default(),
        16 * 1024,
        Duration::from_secs(3600),
    );
    report("30% loss", d.len(), &o);
}

#[test]
fn reordering_duplication_and_corruption() {
    let d = data(512 * 1024, 4);
    let path = Path {
        delay: Duration::from_millis(20),
        loss: 0.02,
        duplicate: 0.05,
        reorder: 0.10,
        corrupt: 0.05,
    };
    let o = transfer(
        &d,
        path,
        5,
        Config::default(),
        32 * 1024,
        Duration::from_secs(600),
    );
    report("reorder+dup+corrupt", d.len(), &o);
    assert!(o.b.discarded > 0 || o.a.discarded > 0);
}

#[test]
fn without_sack_timestamps_or_window_scaling() {
    let d = data(256 * 1024, 5);
    let path = Path {
        loss: 0.03,
        reorder: 0.05,
        ..Path::clean(15)
    };
    let mut config = Config::default();
    config.sack = false;
    config.timestamps = false;
    config.window_scaling = false;
    config.congestion = Algorithm::NewReno;
    let o = transfer(&d, path, 6, config, 32 * 1024, Duration::from_secs(600));
    report("no options", d.len(), &o);
}

#[test]
fn tiny_buffers_and_nagle_off() {
    let d = data(20 * 1024, 6);
    let path = Path {
        loss: 0.05,
        ..Path::clean(5)
    };
    let mut config = Config::default();
    config.nagle = false;
    config.ack_delay = None;
    let o = transfer(&d, path, 7, config, 300, Duration::from_secs(600));
    report("300-byte buffers", d.len(), &o);
}
