//! The router against the Linux kernel: netstack's IPv4 and IPv6 router, driven by
//! rayos-net's forwarding loop over two TAP devices in a thread of this process,
//! between two network namespaces whose hosts are the kernel's own stack.
//!
//! ```text
//!  namespace A (Linux)            this process (router thread)          namespace B (Linux)
//!  TAP ...a, MTU 9000  <====>  port 0 ----[ Router ]---- port 1  <====>  TAP ...b, MTU 1400
//!  10.91.1.2/24                 10.91.1.1/24          10.91.2.1/24          10.91.2.2/24
//!  fd91:1::2/64                 fd91:1::1/64          fd91:2::1/64          fd91:2::2/64
//!  default via 10.91.1.1, fd91:1::1                       default via 10.91.2.1, fd91:2::1
//! ```
//!
//! Each port's device is `PcapWriter<FaultInjector<Tap>>`: everything the router sees
//! and sends is recorded (one classic pcap file per port, read back by tcpdump), and
//! the fault injector can lose frames (seeded) in either direction.
//!
//! The verdicts are Linux's: `ping` getting its replies and printing the ICMP errors
//! it understood, `tracepath` learning the path MTU, `curl` fetching a 50 MB file
//! intact (sha256) from `python3 -m http.server` with and without 1 % loss, `tcpdump`
//! reading the captures.
//!
//! Every test needs root (namespaces, TAP devices); `cargo xtask test` runs them. Set
//! `ROUTER_INTEROP_KEEP=1` to keep the scratch directory (captures, served file).
#![cfg(all(feature = "std", target_os = "linux"))]

extern crate alloc;

use alloc::sync::Arc;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;
use rayos_net::device::tap::{Tap, TapStats};
use rayos_net::device::{FaultConfig, FaultInjector, FaultStats, PcapWriter, SplitMix64};
use rayos_net::forward::{ForwardStats, Forwarder};
use rayos_net::netstack::iface::interface::Interface;
use rayos_net::netstack::iface::neighbor::State;
use rayos_net::netstack::iface::router::{Config, Discard, Router, Stats};
use rayos_net::netstack::route::{FixedTable, InterfaceId};
use rayos_net::netstack::wire::EthernetAddress;
use rayos_net::pcap::{LinkType, PcapWriter as PcapFile};
use std::fs::{self, File};
use std::io::BufWriter;
use std::os::fd::AsRawFd as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// The largest frame on either link: link A's MTU (9000) plus the Ethernet header.
const FRAME: usize = 9014;
/// Link MTUs (IP bytes).
const MTU_A: usize = 9000;
const MTU_B: usize = 1400;

const A4: Ipv4Addr = Ipv4Addr::new(10, 91, 1, 2);
const R4_A: Ipv4Addr = Ipv4Addr::new(10, 91, 1, 1);
const R4_B: Ipv4Addr = Ipv4Addr::new(10, 91, 2, 1);
const B4: Ipv4Addr = Ipv4Addr::new(10, 91, 2, 2);
const A6: Ipv6Addr = Ipv6Addr::new(0xfd91, 1, 0, 0, 0, 0, 0, 2);
const R6_A: Ipv6Addr = Ipv6Addr::new(0xfd91, 1, 0, 0, 0, 0, 0, 1);
const R6_B: Ipv6Addr = Ipv6Addr::new(0xfd91, 2, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0xfd91, 2, 0, 0, 0, 0, 0, 2);

/// The router's MACs (locally administered, unicast).
const MAC_A: EthernetAddress = EthernetAddress([0x02, 0, 0, 0x91, 0x01, 0x01]);
const MAC_B: EthernetAddress = EthernetAddress([0x02, 0, 0, 0x91, 0x02, 0x01]);

/// Bytes of each frame kept in the captures: every header of every test (the ICMP
/// errors with their quotes included), not the 50 MB of file data, which sha256 checks.
const SNAPLEN: u32 = 256;

/// The file served over HTTP.
const FILE_LEN: usize = 50 * 1024 * 1024;

/// The router of the brief: 16 routes, 2 ports, 4 addresses per family, 64
/// neighbors, 8 held frames of up to 9014 bytes per port.
type TestRouter = Router<FixedTable<16>, 2, 4, 64, 8, FRAME>;
/// One port's device: the TAP interface, faults, and the capture above them (what
/// the router sees).
type Dev = PcapWriter<FaultInjector<Tap, 2, FRAME>, PcapFile<BufWriter<File>>>;

// ---------------------------------------------------------------------------------
// Running programs

/// A program's exit status and output.
struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Out {
    fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `args` under `timeout` (killed after `secs`, and by SIGKILL 2 s later).
fn run(args: &[&str], secs: u32) -> Out {
    let out = Command::new("timeout")
        .args(["-k", "2", &secs.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", args.join(" ")));
    // timeout(1) exits 124 when it had to stop the program.
    assert_ne!(
        out.status.code(),
        Some(124),
        "`{}` did not finish within {secs} s",
        args.join(" ")
    );
    Out {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `args`, which must exit 0 within 10 s; returns its stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args, 10);
    assert!(
        out.status.success(),
        "`{}` failed ({}): {}",
        args.join(" "),
        out.status,
        out.text()
    );
    out.stdout
}

/// Runs `args` under `timeout` (at most `secs`), for cleanup: its status and output
/// are ignored, and it never panics.
fn quiet(args: &[&str], secs: u32) {
    let _ = Command::new("timeout")
        .args(["-k", "2", &secs.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Sends `signal` to the process group `pgid`.
fn kill_group(pgid: u32, signal: &str) {
    quiet(&["kill", "-s", signal, "--", &format!("-{pgid}")], 5);
}

fn mac_text(mac: EthernetAddress) -> String {
    let m = mac.0;
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

// ---------------------------------------------------------------------------------
// The router thread

/// What the test asks the router thread.
enum Control {
    /// Sets the fault configurations (received, transmitted) of a port.
    Faults(usize, FaultConfig, FaultConfig),
    /// Sends back a [`Report`].
    Report(Sender<Report>),
}

/// A neighbor cache entry: its state and link-layer address.
type Neighbor = (State, Option<EthernetAddress>);

/// The counters of the router and its devices.
#[derive(Debug, Clone, Copy)]
struct Report {
    router: Stats,
    forward: ForwardStats,
    /// Per port: received, transmitted.
    faults: [(FaultStats, FaultStats); 2],
    taps: [TapStats; 2],
    pcap_errors: [u64; 2],
    /// The router's neighbor entries for the four Linux addresses.
    neighbors: [(IpAddr, Option<Neighbor>); 4],
}

impl Report {
    fn print(&self, when: &str) {
        println!("--- {when}");
        println!("router stats: {:?}", self.router);
        println!("forwarder stats: {:?}", self.forward);
        for (i, ((rx, tx), tap)) in self.faults.iter().zip(&self.taps).enumerate() {
            println!("port {i} tap: {tap:?}");
            println!("port {i} faults rx: {rx:?}");
            println!("port {i} faults tx: {tx:?}");
        }
        println!("pcap sink errors: {:?}", self.pcap_errors);
        println!("router neighbors: {:?}", self.neighbors);
    }
}

fn report(router: &TestRouter, fwd: &Forwarder<32, FRAME>, devices: &[Dev; 2]) -> Report {
    let lookup = |port: u16, addr: IpAddr| {
        (
            addr,
            router
                .port(InterfaceId(port))
                .and_then(|p| p.neighbors.lookup(addr)),
        )
    };
    Report {
        router: *router.stats(),
        forward: fwd.stats(),
        faults: [0, 1].map(|i| {
            (
                devices[i].get_ref().stats(),
                devices[i].get_ref().tx_stats(),
            )
        }),
        taps: [0, 1].map(|i| devices[i].get_ref().get_ref().stats()),
        pcap_errors: [0, 1].map(|i| devices[i].sink_errors()),
        neighbors: [
            lookup(0, IpAddr::V4(A4)),
            lookup(0, IpAddr::V6(A6)),
            lookup(1, IpAddr::V4(B4)),
            lookup(1, IpAddr::V6(B6)),
        ],
    }
}

fn build_router() -> Box<TestRouter> {
    let mut r: Box<TestRouter> = Box::new(Router::new(FixedTable::new(), Config::default()));
    let a = r.add_port(Interface::new(MAC_A), MTU_A).expect("port A");
    let b = r.add_port(Interface::new(MAC_B), MTU_B).expect("port B");
    assert_eq!((a, b), (InterfaceId(0), InterfaceId(1)));
    r.add_ipv4(a, R4_A, 24).expect("10.91.1.1/24");
    r.add_ipv6(a, R6_A, 64).expect("fd91:1::1/64");
    r.add_ipv4(b, R4_B, 24).expect("10.91.2.1/24");
    r.add_ipv6(b, R6_B, 64).expect("fd91:2::1/64");
    r
}

/// The router thread's loop: the forwarder over both devices, the router's timers,
/// and a wait on the TAP descriptors (at most 1 ms, or until the next timer) when a
/// round received nothing.
fn router_loop(
    mut devices: [Dev; 2],
    stop: &AtomicBool,
    control: &Receiver<Control>,
    start: Instant,
) -> Report {
    let mut router = build_router();
    let mut fwd: Box<Forwarder<32, FRAME>> = Box::new(Forwarder::new());
    let fds = [0, 1].map(|i| devices[i].get_ref().get_ref().as_raw_fd());
    while !stop.load(Ordering::Relaxed) {
        while let Ok(c) = control.try_recv() {
            match c {
                Control::Faults(port, rx, tx) => {
                    let f = devices[port].get_mut();
                    f.set_config(rx);
                    f.set_tx_config(tx);
                }
                Control::Report(to) => {
                    let _ = to.send(report(&router, &fwd, &devices));
                }
            }
        }
        let now = start.elapsed();
        if router.poll_timeout().is_some_and(|t| t <= now) {
            router.handle_timeout(now);
        }
        let received = fwd.poll(now, &mut router, &mut devices);
        if received == 0 {
            let due = [
                router.poll_timeout(),
                devices[0].get_ref().poll_timeout(),
                devices[1].get_ref().poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            let wait = due.map_or(Duration::from_millis(1), |t| {
                t.saturating_sub(start.elapsed())
                    .min(Duration::from_millis(1))
            });
            let _ = rayos_net::device::tap::wait_readable(&fds, wait);
        }
    }
    for dev in &mut devices {
        dev.sink_mut().flush().expect("flush a capture");
    }
    report(&router, &fwd, &devices)
}

// ---------------------------------------------------------------------------------
// The topology

/// Two namespaces, their TAP devices, the router thread and the programs started in
/// the namespaces. Dropping it (also when a test fails) stops the router and the
/// programs, deletes the namespaces and devices and the scratch directory.
struct Topology {
    /// Namespace names, which are also the TAP devices' names.
    a: String,
    b: String,
    dir: PathBuf,
    stop: Arc<AtomicBool>,
    control: Sender<Control>,
    router: Option<JoinHandle<Report>>,
    /// Background programs (each the leader of its process group).
    children: Vec<Child>,
    /// The Linux hosts' MACs.
    mac_a: String,
    mac_b: String,
}

impl Topology {
    /// Builds the topology of the module docs; `tag` (one letter) makes the names
    /// unique per test, the PID per process.
    fn new(tag: &str) -> Topology {
        assert!(
            fs::read_to_string("/proc/self/status")
                .unwrap_or_default()
                .lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0")),
            "needs root: run by cargo xtask test"
        );
        let pid = std::process::id();
        let a = format!("rri{pid}{tag}a");
        let b = format!("rri{pid}{tag}b");
        let dir = std::env::temp_dir().join(format!("rayos-router-interop-{pid}-{tag}"));
        let (control, control_rx) = mpsc::channel();
        let mut topo = Topology {
            a: a.clone(),
            b: b.clone(),
            dir: dir.clone(),
            stop: Arc::new(AtomicBool::new(false)),
            control,
            router: None,
            children: Vec::new(),
            mac_a: String::new(),
            mac_b: String::new(),
        };
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the scratch directory");
        // Leftovers of an earlier process with the same PID.
        for n in [&a, &b] {
            quiet(&["ip", "netns", "del", n], 10);
            quiet(&["ip", "link", "del", n], 10);
        }

        let mut devices = Vec::new();
        for (i, (name, mtu)) in [(&a, MTU_A), (&b, MTU_B)].into_iter().enumerate() {
            ok(&["ip", "netns", "add", name]);
            ok(&["ip", "tuntap", "add", "dev", name, "mode", "tap"]);
            // Before opening: the TAP driver sizes its buffers from the MTU.
            ok(&["ip", "link", "set", "dev", name, "mtu", &mtu.to_string()]);
            let tap = Tap::open(name).expect("attach to the TAP interface");
            assert_eq!(tap.mtu(), mtu);
            let seed = 0x9100 + i as u64;
            let faults: FaultInjector<Tap, 2, FRAME> =
                FaultInjector::new(tap, FaultConfig::default(), seed);
            let file = File::create(dir.join(format!("port{i}.pcap"))).expect("pcap file");
            let file = PcapFile::new(BufWriter::new(file), LinkType::ETHERNET, SNAPLEN)
                .expect("pcap header");
            devices.push(PcapWriter::new(faults, file));
            // The descriptor stays attached when the interface moves.
            ok(&["ip", "link", "set", "dev", name, "netns", name]);
        }
        let devices: [Dev; 2] = devices.try_into().unwrap_or_else(|_| unreachable!());

        // The router runs before the hosts come up, so it sees their first frames.
        let start = Instant::now();
        let stop = Arc::clone(&topo.stop);
        topo.router = Some(
            thread::Builder::new()
                .name("router".into())
                .stack_size(16 << 20)
                .spawn(move || router_loop(devices, &stop, &control_rx, start))
                .expect("start the router thread"),
        );

        let hosts = [(&a, A4, A6, R4_A, R6_A), (&b, B4, B6, R4_B, R6_B)];
        for (ns, v4, v6, gw4, gw6) in hosts {
            let ip_ns = |args: &[&str]| {
                let mut full = vec!["ip", "-n", ns.as_str()];
                full.extend_from_slice(args);
                ok(&full);
            };
            ip_ns(&["link", "set", "lo", "up"]);
            ip_ns(&["addr", "add", &format!("{v4}/24"), "dev", ns]);
            ip_ns(&["addr", "add", &format!("{v6}/64"), "dev", ns, "nodad"]);
            ip_ns(&["link", "set", "dev", ns, "up"]);
            ip_ns(&["route", "add", "default", "via", &gw4.to_string()]);
            ip_ns(&["-6", "route", "add", "default", "via", &gw6.to_string()]);
        }
        topo.mac_a = topo.linux_mac(&a);
        topo.mac_b = topo.linux_mac(&b);
        topo
    }

    fn linux_mac(&self, ns: &str) -> String {
        let out = ok(&["ip", "-n", ns, "-br", "link", "show", "dev", ns]);
        out.split_whitespace()
            .nth(2)
            .unwrap_or_else(|| panic!("no MAC address for {ns}: {out}"))
            .to_string()
    }

    /// Runs `args` in namespace `ns` within `secs`.
    fn exec(&self, ns: &str, args: &[&str], secs: u32) -> Out {
        let mut full = vec!["ip", "netns", "exec", ns];
        full.extend_from_slice(args);
        run(&full, secs)
    }

    /// `ping ARGS` in `ns`; prints what it printed.
    fn ping(&self, ns: &str, args: &[&str]) -> Out {
        let mut full = vec!["ping"];
        full.extend_from_slice(args);
        let out = self.exec(ns, &full, 20);
        println!(
            "$ ip netns exec {ns} {} (exit {})\n{}",
            full.join(" "),
            out.status,
            out.text()
        );
        out
    }

    /// `ping -c 3` that must get every reply.
    fn ping_ok(&self, ns: &str, args: &[&str]) {
        let mut full = vec!["-c", "3", "-i", "0.2", "-W", "2"];
        full.extend_from_slice(args);
        let out = self.ping(ns, &full);
        assert!(out.status.success(), "ping {args:?} failed: {}", out.text());
        assert!(
            out.stdout.contains("3 packets transmitted, 3 received"),
            "{}",
            out.text()
        );
    }

    /// Starts `args` in `ns` in the background (its own process group, output to
    /// files `name.out` and `name.err`) and waits until its output contains `ready`.
    fn start(&mut self, name: &str, ns: &str, args: &[&str], ready: &str) {
        let (out, err) = (
            self.dir.join(format!("{name}.out")),
            self.dir.join(format!("{name}.err")),
        );
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&out).expect("stdout file"))
            .stderr(File::create(&err).expect("stderr file"))
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
        self.children.push(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = fs::read_to_string(&out).unwrap_or_default()
                + &fs::read_to_string(&err).unwrap_or_default();
            if text.contains(ready) {
                return;
            }
            let child = self.children.last_mut().expect("just pushed");
            if let Some(status) = child.try_wait().expect("wait for a child") {
                panic!("{name} exited ({status}) before it was ready: {text}");
            }
            assert!(Instant::now() < deadline, "{name} not ready: {text}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn faults(&self, port: usize, rx: FaultConfig, tx: FaultConfig) {
        self.control
            .send(Control::Faults(port, rx, tx))
            .expect("the router thread runs");
    }

    fn report(&self) -> Report {
        let (tx, rx) = mpsc::channel();
        self.control
            .send(Control::Report(tx))
            .expect("the router thread runs");
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the router thread answers")
    }

    /// Stops the router thread (the captures are flushed) and returns its last report,
    /// printed.
    fn stop_router(&mut self) -> Report {
        self.stop.store(true, Ordering::Relaxed);
        let report = self
            .router
            .take()
            .expect("the router runs")
            .join()
            .expect("the router thread did not panic");
        report.print("router stopped");
        report
    }

    fn pcap(&self, port: usize) -> PathBuf {
        self.dir.join(format!("port{port}.pcap"))
    }

    /// Reads port `port`'s capture with tcpdump, which must read it cleanly and print
    /// exactly one line per frame the capture recorded; returns its lines.
    fn tcpdump(&self, port: usize, report: &Report) -> Vec<String> {
        let path = self.pcap(port);
        let out = run(
            &["tcpdump", "-n", "-r", path.to_str().expect("UTF-8 path")],
            30,
        );
        assert!(
            out.status.success(),
            "tcpdump -r {}: {}",
            path.display(),
            out.stderr
        );
        for bad in ["truncated", "bogus", "invalid"] {
            assert!(
                !out.stderr.to_lowercase().contains(bad),
                "tcpdump -r {}: {}",
                path.display(),
                out.stderr
            );
        }
        let lines: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
        let (rx, tx) = report.faults[port];
        // Recorded: the frames the fault injector delivered up, and the frames the
        // forwarder wrote down (before transmit faults).
        assert_eq!(
            lines.len() as u64,
            rx.delivered + tx.received,
            "port {port}: one tcpdump line per recorded frame"
        );
        assert_eq!(report.pcap_errors[port], 0);
        lines
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(router) = self.router.take() {
            let _ = router.join();
        }
        for child in &mut self.children {
            kill_group(child.id(), "KILL");
            let _ = child.wait();
        }
        for n in [&self.a, &self.b] {
            quiet(&["ip", "netns", "del", n], 10);
            // A TAP interface not moved yet (setup failed early).
            quiet(&["ip", "link", "del", n], 10);
        }
        if std::env::var_os("ROUTER_INTEROP_KEEP").is_some() {
            println!("kept {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The neighbor entry Linux in `ns` has for `addr`, as `ip neigh` prints it.
fn linux_neigh(ns: &str, addr: &str) -> String {
    ok(&["ip", "-n", ns, "neigh", "show", addr])
}

// ---------------------------------------------------------------------------------
// The tests

/// Linux hosts ping each other through the router in both directions and both
/// families, and ping the router's four addresses. Each side resolves the other: Linux
/// has our MAC for its gateway (ARP, and NDP with the router flag), we have Linux's.
#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn linux_hosts_ping_each_other_and_the_router_through_it() {
    let mut topo = Topology::new("p");
    let (a, b) = (topo.a.clone(), topo.b.clone());
    let t = Instant::now();
    topo.ping_ok(&a, &[&B4.to_string()]);
    topo.ping_ok(&b, &[&A4.to_string()]);
    topo.ping_ok(&a, &["-6", &B6.to_string()]);
    topo.ping_ok(&b, &["-6", &A6.to_string()]);
    for addr in [R4_A, R4_B] {
        topo.ping_ok(&a, &[&addr.to_string()]);
    }
    for addr in [R6_A, R6_B] {
        topo.ping_ok(&a, &["-6", &addr.to_string()]);
    }
    println!("pings took {:?}", t.elapsed());

    // Linux resolved our addresses: our MAC for its gateways.
    let states = ["REACHABLE", "STALE", "DELAY", "PROBE"];
    for (ns, gw, mac) in [
        (&a, R4_A.to_string(), MAC_A),
        (&a, R6_A.to_string(), MAC_A),
        (&b, R4_B.to_string(), MAC_B),
        (&b, R6_B.to_string(), MAC_B),
    ] {
        let n = linux_neigh(ns, &gw);
        println!("$ ip -n {ns} neigh show {gw}\n{n}");
        assert!(n.contains(&format!("lladdr {}", mac_text(mac))), "{n}");
        assert!(states.iter().any(|s| n.contains(s)), "{n}");
        if gw.contains(':') && *ns == a {
            // A asked (B did not: it learned our MAC from our Neighbor Solicitation,
            // which makes an entry without the flag); our Neighbor Advertisement
            // carries the R flag (RFC 4861 section 4.4).
            assert!(n.contains("router"), "{n}");
        }
    }

    let report = topo.report();
    report.print("after the pings");
    // We resolved theirs: each host's MAC, in both families.
    for (i, (addr, entry)) in report.neighbors.iter().enumerate() {
        let want = if i < 2 { &topo.mac_a } else { &topo.mac_b };
        let (state, mac) = entry.unwrap_or_else(|| panic!("no neighbor entry for {addr}"));
        assert_ne!(state, State::Incomplete, "{addr}");
        assert_eq!(mac.map(mac_text).as_ref(), Some(want), "{addr}");
    }
    let stats = report.router;
    // 4 × 3 echo requests and 4 × 3 replies crossed the router.
    assert!(stats.forwarded >= 24, "{stats:?}");
    // 4 × 3 echo requests to the router itself, plus ARP and NDP.
    assert!(stats.local >= 12, "{stats:?}");
    assert_eq!(stats.icmp_errors, 0, "{stats:?}");
    assert_eq!(report.forward.dropped, 0);

    let report = topo.stop_router();
    let lines = topo.tcpdump(0, &report);
    let count = |pat: &str| lines.iter().filter(|l| l.contains(pat)).count();
    assert!(count("ICMP echo request") >= 3 * 3, "{lines:#?}");
    assert!(count("ICMP6, echo request") >= 3 * 3, "{lines:#?}");
    assert!(count("ARP, Reply 10.91.1.1 is-at 02:00:00:91:01:01") >= 1);
    assert!(count("ICMP6, neighbor advertisement, tgt is fd91:1::1") >= 1);
}

/// A datagram whose TTL (Hop Limit) would reach 0 at the router gets Time Exceeded
/// from the router's address on the sender's side, and ping says so.
#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn exhausted_ttl_and_hop_limit_get_time_exceeded_from_the_router() {
    let mut topo = Topology::new("t");
    let a = topo.a.clone();
    // The first crossing also resolves the far side.
    topo.ping_ok(&a, &[&B4.to_string()]);
    topo.ping_ok(&a, &["-6", &B6.to_string()]);

    let out = topo.ping(&a, &["-c", "1", "-W", "2", "-t", "1", &B4.to_string()]);
    assert!(!out.status.success(), "no reply expected: {}", out.text());
    assert!(
        out.stdout
            .contains("From 10.91.1.1 icmp_seq=1 Time to live exceeded"),
        "{}",
        out.text()
    );
    let out = topo.ping(
        &a,
        &["-6", "-c", "1", "-W", "2", "-t", "1", &B6.to_string()],
    );
    assert!(!out.status.success(), "no reply expected: {}", out.text());
    assert!(
        out.stdout
            .contains("From fd91:1::1 icmp_seq=1 Time exceeded: Hop limit"),
        "{}",
        out.text()
    );
    // TTL 2 is enough: the router decrements to 1 and B answers.
    topo.ping_ok(&a, &["-t", "2", &B4.to_string()]);
    topo.ping_ok(&a, &["-6", "-t", "2", &B6.to_string()]);

    let report = topo.stop_router();
    assert_eq!(report.router.discarded(Discard::TtlExceeded), 2);
    assert_eq!(report.router.icmp_errors, 2);
    let lines = topo.tcpdump(0, &report);
    let count = |pat: &str| lines.iter().filter(|l| l.contains(pat)).count();
    assert_eq!(
        count("10.91.1.1 > 10.91.1.2: ICMP time exceeded in-transit"),
        1,
        "{lines:#?}"
    );
    assert_eq!(
        count("fd91:1::1 > fd91:1::2: ICMP6, time exceeded in-transit"),
        1,
        "{lines:#?}"
    );
}

/// The router's Fragmentation Needed and Packet Too Big carry the narrow link's MTU:
/// ping prints it, Linux caches it, tracepath finds it in both families.
#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn path_mtu_discovery_learns_the_narrow_link_from_the_router() {
    let mut topo = Topology::new("m");
    let a = topo.a.clone();
    topo.ping_ok(&a, &[&B4.to_string()]);
    topo.ping_ok(&a, &["-6", &B6.to_string()]);

    // 1628 bytes leave A (MTU 9000) and do not fit link B (1400); DF is set.
    let out = topo.ping(
        &a,
        &[
            "-c",
            "1",
            "-W",
            "2",
            "-M",
            "do",
            "-s",
            "1600",
            &B4.to_string(),
        ],
    );
    assert!(!out.status.success(), "no reply expected: {}", out.text());
    assert!(
        out.stdout
            .contains("From 10.91.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)"),
        "{}",
        out.text()
    );
    let route = ok(&["ip", "-n", &a, "route", "get", &B4.to_string()]);
    println!("$ ip route get {B4}\n{route}");
    assert!(route.contains("mtu 1400"), "Linux cached the MTU: {route}");

    let out = topo.ping(
        &a,
        &[
            "-6",
            "-c",
            "1",
            "-W",
            "2",
            "-M",
            "do",
            "-s",
            "1600",
            &B6.to_string(),
        ],
    );
    assert!(!out.status.success(), "no reply expected: {}", out.text());
    assert!(
        out.stdout
            .contains("From fd91:1::1 icmp_seq=1 Packet too big: mtu=1400"),
        "{}",
        out.text()
    );
    let route = ok(&["ip", "-n", &a, "-6", "route", "get", &B6.to_string()]);
    println!("$ ip -6 route get {B6}\n{route}");
    assert!(route.contains("mtu 1400"), "Linux cached the MTU: {route}");

    // Forget the learned MTUs, so that tracepath learns them from the router again.
    ok(&["ip", "-n", &a, "route", "flush", "cache"]);
    ok(&["ip", "-n", &a, "-6", "route", "flush", "cache"]);
    for (fam, dst) in [("-4", B4.to_string()), ("-6", B6.to_string())] {
        let route = ok(&["ip", "-n", &a, fam, "route", "get", &dst]);
        assert!(!route.contains("mtu 1400"), "cache flushed: {route}");
    }
    let before = topo.report().router;

    for (fam, dst, hop) in [
        ("-4", B4.to_string(), R4_A.to_string()),
        ("-6", B6.to_string(), R6_A.to_string()),
    ] {
        let out = topo.exec(&a, &["tracepath", fam, "-n", &dst], 30);
        println!(
            "$ tracepath {fam} -n {dst} (exit {})\n{}",
            out.status,
            out.text()
        );
        assert!(out.status.success(), "{}", out.text());
        // The router's line reports the MTU it sent...
        assert!(
            out.stdout
                .lines()
                .any(|l| l.contains(&hop) && l.contains("pmtu 1400")),
            "{}",
            out.text()
        );
        // ...and the destination is reached with it.
        assert!(
            out.stdout.contains("Resume: pmtu 1400 hops 2 back 2"),
            "{}",
            out.text()
        );
    }
    let report = topo.stop_router();
    // Two pings and at least one probe per tracepath did not fit.
    assert!(
        report.router.discarded(Discard::TooBig) >= 4,
        "{:?}",
        report.router
    );
    assert!(
        report.router.discarded(Discard::TooBig) > before.discarded(Discard::TooBig) + 1,
        "tracepath learned it from the router"
    );
    let lines = topo.tcpdump(0, &report);
    let count = |pat: &str| lines.iter().filter(|l| l.contains(pat)).count();
    assert!(
        count("10.91.1.1 > 10.91.1.2: ICMP 10.91.2.2 unreachable - need to frag (mtu 1400)") >= 2,
        "{lines:#?}"
    );
    assert!(
        count("fd91:1::1 > fd91:1::2: ICMP6, packet too big, mtu 1400") >= 2,
        "{lines:#?}"
    );
}

/// Writes `len` bytes of a seeded pseudo-random sequence to `path`.
fn write_random_file(path: &Path, len: usize, seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let mut data = Vec::with_capacity(len + 8);
    while data.len() < len {
        data.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    data.truncate(len);
    fs::write(path, data).expect("write the file to serve");
}

fn sha256(path: &Path) -> String {
    let out = ok(&["sha256sum", path.to_str().expect("UTF-8 path")]);
    out.split_whitespace()
        .next()
        .expect("sha256sum prints the sum")
        .to_owned()
}

/// Discards for reasons other than multicast (which Linux sends by itself, at times
/// of its choosing).
fn unexpected_discards(report: &Report) -> u64 {
    report.router.discarded_total()
        - report.router.discarded(Discard::Multicast)
        - report.router.discarded(Discard::NotForUs)
}

/// A 50 MB download over TCP through the router, from python's http.server in B to
/// curl in A, arrives intact (sha256): over IPv4 without faults and with 1 % of the
/// frames lost in both directions on link B, then over IPv6 with the same loss. The
/// captures, read back by tcpdump, hold ICMP and TCP.
#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn http_download_through_the_router_survives_loss() {
    let mut topo = Topology::new("h");
    let (a, b) = (topo.a.clone(), topo.b.clone());
    let www = topo.dir.join("www");
    fs::create_dir_all(&www).expect("web root");
    let served = www.join("random.bin");
    write_random_file(&served, FILE_LEN, 0x5eed_0091);
    let want = sha256(&served);
    let www_s = www.to_str().expect("UTF-8 path").to_owned();
    for (name, addr) in [("http4", B4.to_string()), ("http6", B6.to_string())] {
        let ready = format!("Serving HTTP on {addr} port 8000");
        topo.start(
            name,
            &b,
            &[
                "timeout",
                "150",
                "python3",
                "-u",
                "-m",
                "http.server",
                "8000",
                "--bind",
                &addr,
                "--directory",
                &www_s,
            ],
            &ready,
        );
    }
    topo.ping_ok(&a, &[&B4.to_string()]);
    topo.ping_ok(&a, &["-6", &B6.to_string()]);

    let fetch = |run_name: &str, url: &str| {
        let dest = topo.dir.join(format!("{run_name}.bin"));
        let dest_s = dest.to_str().expect("UTF-8 path").to_owned();
        let before = topo.report();
        let t = Instant::now();
        let out = topo.exec(
            &a,
            &[
                "curl",
                "-sS",
                "-g",
                "--max-time",
                "60",
                "-o",
                &dest_s,
                "-w",
                "%{http_code} %{size_download} bytes in %{time_total} s, %{speed_download} B/s",
                url,
            ],
            70,
        );
        let took = t.elapsed();
        let after = topo.report();
        println!(
            "$ ip netns exec {a} curl ... {url} ({run_name}): exit {}, {took:?}: {}",
            out.status,
            out.text()
        );
        after.print(run_name);
        assert!(out.status.success(), "curl: {}", out.text());
        assert!(
            out.stdout.starts_with(&format!("200 {FILE_LEN} bytes")),
            "{}",
            out.text()
        );
        assert_eq!(sha256(&dest), want, "{run_name}: the file arrived intact");
        let _ = fs::remove_file(&dest);
        // Nothing of the download was discarded by the router (Linux's own multicast,
        // router solicitations and MLD reports, may come at any time and are).
        assert_eq!(unexpected_discards(&after), unexpected_discards(&before));
        let frames = after.router.forwarded - before.router.forwarded;
        // 50 MiB in segments of at most 1360 bytes (MSS on link B: 1400 - 40) or 1340
        // (IPv6: 1400 - 60), and the ACKs.
        assert!(frames as usize > FILE_LEN / 1360, "{frames} frames");
        let (rx, tx) = (after.faults[1].0, after.faults[1].1);
        let (rx0, tx0) = (before.faults[1].0, before.faults[1].1);
        let lost = (rx.dropped - rx0.dropped, tx.dropped - tx0.dropped);
        let seen = (rx.received - rx0.received, tx.received - tx0.received);
        println!(
            "{run_name}: {took:?}; {frames} frames forwarded; lost on link B: {} of {} \
             received, {} of {} sent",
            lost.0, seen.0, lost.1, seen.1
        );
        (lost, seen)
    };

    let url4 = format!("http://{B4}:8000/random.bin");
    let url6 = format!("http://[{B6}]:8000/random.bin");
    let (lost, _) = fetch("ipv4, no loss", &url4);
    assert_eq!(lost, (0, 0));

    // 1 % loss both ways on link B: data B -> A lost on receive, ACKs on transmit.
    let lossy = FaultConfig {
        drop: 0.01,
        ..FaultConfig::default()
    };
    topo.faults(1, lossy, lossy);
    for (run_name, url) in [("ipv4, 1 % loss", &url4), ("ipv6, 1 % loss", &url6)] {
        let (lost, seen) = fetch(run_name, url);
        // About 1 %: between 0.5 % and 1.5 % of thousands of frames.
        for (lost, seen) in [(lost.0, seen.0), (lost.1, seen.1)] {
            assert!(
                lost * 200 > seen && lost * 200 < seen * 3,
                "{lost} of {seen} lost"
            );
        }
    }
    topo.faults(1, FaultConfig::default(), FaultConfig::default());

    let report = topo.stop_router();
    assert_eq!(report.forward.dropped, 0, "no device refused a frame");
    for port in [0, 1] {
        let lines = topo.tcpdump(port, &report);
        let icmp = lines.iter().filter(|l| l.contains(": ICMP")).count();
        let tcp = lines
            .iter()
            .filter(|l| l.contains(".8000: Flags [") || l.contains(".8000 > "))
            .count();
        println!(
            "tcpdump -r port{port}.pcap: {} frames, {icmp} ICMP, {tcp} TCP",
            lines.len()
        );
        assert!(icmp >= 12, "3 v4 and 3 v6 echo requests and replies");
        assert!(tcp > 3 * FILE_LEN / 1360, "three downloads");
    }
}
