//! Duplicate Address Detection and SLAAC (RFC 4862) against real peers: the Linux
//! kernel's IPv6 stack and `radvd` (Debian's router advertisement daemon), over a TAP
//! device in a network namespace the test creates.
//!
//! - radvd advertises `fd78::/64`; our interface forms its address from the prefix and
//!   its MAC, runs DAD on it (and on its link-local address), and Linux then pings it.
//! - We try an address Linux already holds: Linux defends it and our DAD fails.
//! - Linux tries the address we hold: we defend it and Linux marks it `dadfailed`.
//!
//! Needs root; `cargo xtask test` runs it.
#![cfg(all(feature = "std", target_os = "linux"))]

use core::net::{IpAddr, Ipv6Addr};
use core::time::Duration;
use rayos_net::device::Device;
use rayos_net::device::tap::Tap;
use rayos_net::netstack::iface::interface::{AddrState, Event, Handled, Interface};
use rayos_net::netstack::iface::neighbor::{Cache, Config};
use rayos_net::netstack::wire::EthernetAddress;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x78, 0x00, 0x02]);

fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The namespace, radvd and its files; removed on drop, also when the test fails.
struct Netns {
    name: String,
    children: Vec<Child>,
    dir: std::path::PathBuf,
}

impl Drop for Netns {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Our side of the link: an interface on a TAP device, driven on the test's clock.
struct Host {
    tap: Tap,
    iface: Interface<4>,
    neighbors: Cache<8, 2, 1514>,
    start: Instant,
    events: Vec<Event>,
}

impl Host {
    /// Moves frames and runs timers until `done` holds or `limit` passes; returns
    /// whether `done` held.
    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Host) -> bool) -> bool {
        let until = self.start.elapsed() + limit;
        while self.start.elapsed() < until {
            if done(self) {
                return true;
            }
            let now = self.start.elapsed();
            let mut answers: Vec<Vec<u8>> = Vec::new();
            let (iface, neighbors) = (&mut self.iface, &mut self.neighbors);
            self.tap.receive(now, |frame| {
                let mut tx = [0u8; 1514];
                if let Ok(Handled::Reply(n)) = iface.handle_frame(now, frame, neighbors, &mut tx) {
                    answers.push(tx[..n].to_vec());
                }
            });
            self.iface.handle_timeout(now);
            let mut tx = [0u8; 1514];
            while let Ok(Some(n)) = self.iface.poll_transmit(now, &mut tx) {
                answers.push(tx[..n].to_vec());
            }
            for a in answers {
                let sent = self.tap.transmit_one(now, |buf| {
                    buf[..a.len()].copy_from_slice(&a);
                    a.len()
                });
                assert!(sent, "the TAP device took our frame");
            }
            while let Some(e) = self.iface.poll_event() {
                self.events.push(e);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        done(self)
    }
}

#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn slaac_from_radvd_and_dad_against_linux() {
    let name = format!("rsl{}", std::process::id());
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).expect("temp dir");
    ip(&["netns", "add", &name]);
    let mut ns = Netns {
        name: name.clone(),
        children: Vec::new(),
        dir: dir.clone(),
    };
    let tap = Tap::open(&name).expect("create the TAP interface");
    ip(&["link", "set", &name, "netns", &name]);
    // Linux is the router of the link: it holds fd78::1 (without DAD: it is the
    // address our DAD must find taken) and forwards, so radvd may advertise.
    ip(&[
        "-n",
        &name,
        "addr",
        "add",
        "fd78::1/64",
        "dev",
        &name,
        "nodad",
    ]);
    ip(&["-n", &name, "link", "set", &name, "up"]);
    let sysctl = |key: &str| {
        let ok = Command::new("ip")
            .args(["netns", "exec", &name, "sysctl", "-qw", key])
            .status()
            .expect("run sysctl")
            .success();
        assert!(ok, "sysctl {key}");
    };
    sysctl("net.ipv6.conf.all.forwarding=1");
    let conf = dir.join("radvd.conf");
    std::fs::write(
        &conf,
        format!(
            "interface {name} {{\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  \
             MaxRtrAdvInterval 4;\n  prefix fd78::/64 {{\n    AdvOnLink on;\n    \
             AdvAutonomous on;\n    AdvValidLifetime 3600;\n    \
             AdvPreferredLifetime 1800;\n  }};\n}};\n"
        ),
    )
    .expect("write radvd.conf");
    let radvd = Command::new("ip")
        .args([
            "netns", "exec", &name, "radvd", "-n", "-m", "stderr", "-u", "root",
        ])
        .arg("-C")
        .arg(&conf)
        .arg("-p")
        .arg(dir.join("radvd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run radvd");
    ns.children.push(radvd);

    let mut iface: Interface<4> = Interface::new(OUR_MAC);
    iface.set_slaac(true);
    let start = Instant::now();
    let link_local = iface.link_local();
    iface
        .add_ipv6_tentative(Duration::ZERO, link_local, 64)
        .unwrap();
    let mut host = Host {
        tap,
        iface,
        neighbors: Cache::new(Config::default()),
        start,
        events: Vec::new(),
    };

    // 1. radvd's advertisement gives us fd78::<modified EUI-64 of OUR_MAC>.
    let ours = Ipv6Addr::new(0xfd78, 0, 0, 0, 0, 0xff, 0xfe78, 2);
    let assigned = host.run_until(Duration::from_secs(20), |h| {
        h.iface.ipv6_addr_state(&ours) == Some(AddrState::Preferred)
    });
    assert!(assigned, "no address from radvd: {:?}", host.events);
    assert!(host.events.contains(&Event::DadSucceeded(link_local)));
    assert!(host.events.contains(&Event::Autoconfigured(ours)));
    assert!(host.events.contains(&Event::DadSucceeded(ours)));

    // Linux reaches the address: it resolves it by NDP, we answer its pings.
    let ping = Command::new("ip")
        .args([
            "netns", "exec", &name, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2",
        ])
        .arg(ours.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ping");
    ns.children.push(ping);
    let mut status = None;
    let deadline = host.start.elapsed() + Duration::from_secs(10);
    while status.is_none() && host.start.elapsed() < deadline {
        host.run_until(Duration::from_millis(5), |_| false);
        let ping = ns.children.last_mut().expect("the ping");
        status = ping.try_wait().expect("wait for ping");
    }
    assert!(status.is_some_and(|s| s.success()), "ping -6 {ours} failed");

    // 2. fd78::1 is Linux's: our DAD hears its Neighbor Advertisement and fails.
    let theirs: Ipv6Addr = "fd78::1".parse().unwrap();
    let now = host.start.elapsed();
    host.iface.add_ipv6_tentative(now, theirs, 64).unwrap();
    let failed = host.run_until(Duration::from_secs(5), |h| {
        h.events.contains(&Event::DadFailed(theirs))
    });
    assert!(failed, "Linux did not defend fd78::1: {:?}", host.events);
    assert_eq!(host.iface.ipv6_addr_state(&theirs), None);
    assert!(!host.iface.has_addr(IpAddr::V6(theirs)));

    // 3. Linux tries our address: we defend it, and Linux gives it up.
    ip(&[
        "-n",
        &name,
        "addr",
        "add",
        &format!("{ours}/64"),
        "dev",
        &name,
    ]);
    let mut shown = String::new();
    let dadfailed = host.run_until(Duration::from_secs(5), |_| {
        shown = ip(&["-n", &name, "-6", "addr", "show", "dev", &name]);
        shown.contains("dadfailed")
    });
    assert!(dadfailed, "Linux did not see our defence:\n{shown}");
    drop(ns);
}
