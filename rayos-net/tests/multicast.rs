//! Multicast membership (IGMP, MLD) against a real peer: the Linux kernel's bridge,
//! whose multicast snooping learns group members from their reports and whose querier
//! asks for them, over a TAP device enslaved to a bridge in a namespace the test
//! creates.
//!
//! The bridge's multicast database (`bridge mdb show`) is the verdict: our groups
//! appear on our port when we join, stay while we answer the querier's queries (the
//! membership interval is set to 5 s: without answers they would expire), and go when
//! we leave. Then the querier is switched to IGMPv2 and MLDv1 and the same must hold
//! with our compatibility-mode reports.
//!
//! Needs root; `cargo xtask test` runs it.
#![cfg(all(feature = "std", target_os = "linux"))]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use rayos_net::device::Device;
use rayos_net::device::tap::Tap;
use rayos_net::netstack::iface::interface::{Handled, Interface};
use rayos_net::netstack::iface::neighbor::{Cache, Config};
use rayos_net::netstack::wire::EthernetAddress;
use std::process::Command;
use std::time::Instant;

const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x79, 0x00, 0x02]);
const GROUP4: Ipv4Addr = Ipv4Addr::new(239, 7, 8, 9);
const GROUP6: Ipv6Addr = Ipv6Addr::new(0xff0e, 0, 0, 0, 0, 0, 0x79, 2);

fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

struct Host {
    tap: Tap,
    iface: Interface<4>,
    neighbors: Cache<8, 2, 1514>,
    start: Instant,
    queries: usize,
}

impl Host {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// Moves frames for `time`.
    fn run(&mut self, time: Duration) {
        let until = self.now() + time;
        while self.now() < until {
            let now = self.now();
            let mut out: Vec<Vec<u8>> = Vec::new();
            let (iface, neighbors, queries) =
                (&mut self.iface, &mut self.neighbors, &mut self.queries);
            self.tap.receive(now, |frame| {
                let mut tx = [0u8; 1514];
                match iface.handle_frame(now, frame, neighbors, &mut tx) {
                    Ok(Handled::Reply(n)) => out.push(tx[..n].to_vec()),
                    // A query (the only multicast control message we consume here).
                    Ok(Handled::Consumed) => *queries += 1,
                    _ => {}
                }
            });
            let mut tx = [0u8; 1514];
            while let Ok(Some(n)) = self.iface.poll_transmit(now, &mut tx) {
                out.push(tx[..n].to_vec());
            }
            for f in out {
                self.tap.transmit_one(now, |buf| {
                    buf[..f.len()].copy_from_slice(&f);
                    f.len()
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// The bridge's multicast database: the groups learned on port `tap`.
fn mdb(ns: &str, tap: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "bridge", "mdb", "show"])
        .output()
        .expect("run bridge mdb show");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&format!("port {tap} ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn the_linux_bridge_learns_our_groups_and_keeps_them_while_we_answer_queries() {
    let name = format!("rmc{}", std::process::id());
    ip(&["netns", "add", &name]);
    let ns = Netns(name.clone());
    let tap = Tap::open(&name).expect("create the TAP interface");
    ip(&["link", "set", &name, "netns", &name]);
    // A bridge that snoops and queries (times in centiseconds): queries every 2 s,
    // answers due within 1 s, memberships forgotten after 5 s without a report.
    ip(&[
        "-n",
        &name,
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "mcast_snooping",
        "1",
        "mcast_querier",
        "1",
        "mcast_igmp_version",
        "3",
        "mcast_mld_version",
        "2",
        "mcast_query_interval",
        "200",
        "mcast_query_response_interval",
        "100",
        "mcast_membership_interval",
        "500",
        "mcast_startup_query_interval",
        "200",
    ]);
    ip(&["-n", &name, "link", "set", &name, "master", "br0"]);
    ip(&["-n", &name, "addr", "add", "10.79.0.1/24", "dev", "br0"]);
    ip(&["-n", &name, "link", "set", &name, "up"]);
    ip(&["-n", &name, "link", "set", "br0", "up"]);

    let mut iface: Interface<4> = Interface::new(OUR_MAC);
    iface.add_ipv4(Ipv4Addr::new(10, 79, 0, 2), 24).unwrap();
    iface.add_ipv6(iface.link_local(), 64).unwrap();
    let mut host = Host {
        tap,
        iface,
        neighbors: Cache::new(Config::default()),
        start: Instant::now(),
        queries: 0,
    };
    // Let the bridge's own link-local address (the MLD querier's source) settle.
    host.run(Duration::from_secs(2));
    let now = host.now();
    host.iface.join_group(now, IpAddr::V4(GROUP4)).unwrap();
    host.iface.join_group(now, IpAddr::V6(GROUP6)).unwrap();
    host.run(Duration::from_secs(1));
    let learned = mdb(&name, &name);
    assert!(
        learned.contains("grp 239.7.8.9"),
        "IGMPv3 join not learned:\n{learned}"
    );
    assert!(
        learned.contains("grp ff0e::79:2"),
        "MLDv2 join not learned:\n{learned}"
    );

    // Three membership intervals later the entries are still there: we answered.
    host.run(Duration::from_secs(15));
    assert!(
        host.queries >= 4,
        "the bridge queried {} times",
        host.queries
    );
    let kept = mdb(&name, &name);
    assert!(
        kept.contains("grp 239.7.8.9"),
        "IGMP membership expired:\n{kept}"
    );
    assert!(
        kept.contains("grp ff0e::79:2"),
        "MLD membership expired:\n{kept}"
    );

    // Leaving: the bridge asks once more (group-specific), hears nothing, forgets.
    let now = host.now();
    host.iface.leave_group(now, IpAddr::V4(GROUP4));
    host.iface.leave_group(now, IpAddr::V6(GROUP6));
    host.run(Duration::from_secs(7));
    let left = mdb(&name, &name);
    assert!(
        !left.contains("grp 239.7.8.9"),
        "IGMP leave ignored:\n{left}"
    );
    assert!(
        !left.contains("grp ff0e::79:2"),
        "MLD leave ignored:\n{left}"
    );

    // The same with an IGMPv2 and MLDv1 querier: our reports follow its version.
    ip(&[
        "-n",
        &name,
        "link",
        "set",
        "br0",
        "type",
        "bridge",
        "mcast_igmp_version",
        "2",
        "mcast_mld_version",
        "1",
    ]);
    host.run(Duration::from_secs(3));
    let now = host.now();
    host.iface.join_group(now, IpAddr::V4(GROUP4)).unwrap();
    host.iface.join_group(now, IpAddr::V6(GROUP6)).unwrap();
    host.run(Duration::from_secs(15));
    let v2 = mdb(&name, &name);
    assert!(
        v2.contains("grp 239.7.8.9"),
        "IGMPv2 membership not kept:\n{v2}"
    );
    assert!(
        v2.contains("grp ff0e::79:2"),
        "MLDv1 membership not kept:\n{v2}"
    );
    drop(ns);
}
