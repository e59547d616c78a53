//! An IPv4 and IPv6 router between Linux TAP interfaces: netstack's
//! [`Router`](rayos_net::netstack::iface::router::Router) (with a
//! [`FullTable`](rayos_net::netstack::iface::router::FullTable), always) driven by
//! rayos-net's [`Forwarder`] over [`Tap`] devices.
//!
//! ```text
//! router [--config FILE] [--DIRECTIVE WORD...]...
//! ```
//!
//! The configuration is a list of directives. On the command line each starts with
//! `--` and takes the words up to the next `--`; in a `--config` file each is one line,
//! without the `--`, with `#` starting a comment. The two can be mixed; order does not
//! matter.
//!
//! ```text
//! port NAME [mtu N] [mac XX:XX:XX:XX:XX:XX] ADDR/LEN...
//!     A port on the TAP interface NAME (created if missing) with these addresses
//!     (IPv4 and IPv6; each adds its connected route). mtu: the port's IP MTU,
//!     68 to 1500 and at most the interface's MTU (default: the interface's MTU).
//!     mac: our MAC address (default 02:72:61:79:00:NN, NN the port's number).
//!     Up to 8 ports.
//! route CIDR|default [via GATEWAY] dev NAME
//!     A static route, IPv4 or IPv6; without `via` the prefix is on-link.
//! table FILE via GATEWAY [via GATEWAY] dev NAME
//!     A full table: one CIDR per line (gzip or plain text, `#` comments), every
//!     prefix to the gateway of its family (one `via` per family; prefixes of a family
//!     without one are skipped and counted). Connected and static routes take
//!     precedence over the table's for the same prefix. Prints the count, the load
//!     time and the lookup structure's memory.
//! pcap FILE
//!     Records what every port receives and sends into one classic pcap file (a
//!     forwarded frame appears twice: received on one port, sent on another).
//! loss PERCENT [seed N]
//!     Drops PERCENT of the frames each port receives, seeded (default seed 1).
//! for SECS
//!     Stops after SECS seconds (default: at Ctrl-C or SIGTERM).
//! ```
//!
//! The TAP interfaces are only opened: the caller brings them up and gives the Linux
//! side its addresses (`ip link set NAME up`), usually after moving each into a network
//! namespace. When it stops, the router prints its counters (forwarded, fragmented,
//! local, ICMP errors, rate-limited, discarded per reason) and the forwarding loop's.
//! Opening a TAP interface needs root or `CAP_NET_ADMIN`.
//!
//! # Try it (as root)
//! Two namespaces, each with one TAP interface of the router; they ping each other
//! across it, IPv4 and IPv6, and reach a prefix of the Internet table through the
//! router (1.0.0.1, which `rtr-b` holds on its loopback). These are the commands this
//! example was checked with (Debian 12, kernel 6.18); `tracepath` is in `iputils-tracepath`.
//!
//! ```sh
//! cargo build --release -p rayos-net --features std --example router
//! R=${CARGO_TARGET_DIR:-target}/release/examples/router
//! ip netns add rtr-a; ip netns add rtr-b
//! $R --port rtr0 10.1.0.1/24 fd01::1/64 --port rtr1 10.2.0.1/24 fd02::1/64 \
//!    --table /work/shared/data/routes/prefixes.txt.gz via 10.2.0.2 via fd02::2 dev rtr1 \
//!    --pcap /tmp/router.pcap --for 40 &
//! while ! ip link show rtr1 >/dev/null 2>&1; do sleep 0.2; done
//! ip link set rtr0 netns rtr-a; ip link set rtr1 netns rtr-b
//! ip -n rtr-a addr add 10.1.0.2/24 dev rtr0; ip -n rtr-a addr add fd01::2/64 dev rtr0 nodad
//! ip -n rtr-b addr add 10.2.0.2/24 dev rtr1; ip -n rtr-b addr add fd02::2/64 dev rtr1 nodad
//! ip -n rtr-b addr add 1.0.0.1/32 dev lo
//! for n in rtr-a rtr-b; do ip -n $n link set lo up; done
//! ip -n rtr-a link set rtr0 up; ip -n rtr-b link set rtr1 up
//! ip -n rtr-a route add default via 10.1.0.1; ip -n rtr-a -6 route add default via fd01::1
//! ip -n rtr-b route add default via 10.2.0.1; ip -n rtr-b -6 route add default via fd02::1
//! ip netns exec rtr-a ping -c 3 10.2.0.2
//! ip netns exec rtr-a ping -c 3 fd02::2
//! ip netns exec rtr-a ping -c 3 1.0.0.1      # through the full table
//! ip netns exec rtr-a tracepath -n 10.2.0.2  # hop 1 is 10.1.0.1 (our Time Exceeded)
//! kill -INT %1; wait                         # the router prints its counters
//! ip netns del rtr-a; ip netns del rtr-b
//! ```
//!
//! It printed (timings vary):
//!
//! ```text
//! table /work/shared/data/routes/prefixes.txt.gz: 901899 IPv4 and 160147 IPv6 prefixes in 0.71 s; total 901899 + 160147 routes, lookup memory 26.9 MiB (IPv4) + 7.1 MiB (IPv6)
//! port 0: rtr0 mac 02:72:61:79:00:01 mtu 1500 10.1.0.1/24 fd01::1/64
//! port 1: rtr1 mac 02:72:61:79:00:02 mtu 1500 10.2.0.1/24 fd02::1/64
//! forwarding for 40.0 s (or until Ctrl-C)
//!
//! stopped after 6.3 s
//! router: forwarded 20 (fragmented 0), local 6, ICMP errors 2 (rate-limited 0), discarded 16
//!   discarded: multicast/broadcast 14, TTL exceeded 2
//! forwarder: received 42, sent 28, dropped 0
//!   rtr0: rx 22 frames 6320 bytes, tx 15 frames 2882 bytes, tx dropped 0, rx errors 0
//!   rtr1: rx 20 frames 2368 bytes, tx 13 frames 2626 bytes, tx dropped 0, rx errors 0
//! capture written to /tmp/router.pcap
//! ```
//!
//! The same with a configuration file, `$R --config router.conf --for 60`, a smaller
//! MTU towards `rtr-b` and 20% loss on each port's receive side (add
//! `ip -n rtr-b addr add 10.3.0.1/32 dev lo; ip -n rtr-b addr add fd03::1/128 dev lo`):
//! `ping -M dont -s 1472 10.2.0.2` is fragmented by the router, `ping -M do -s 1472
//! 10.2.0.2` gets "Frag needed and DF set (mtu = 1400)" from 10.1.0.1, `ping -s 1452
//! fd03::1` gets "Packet too big: mtu=1400" from fd01::1 and then gets through in
//! fragments, and `ping -c 50 -i 0.05 -q 10.3.0.1` lost 32% (two lossy receives per
//! round trip: 36% expected).
//!
//! ```text
//! # router.conf
//! port rtr0 10.1.0.1/24 fd01::1/64
//! port rtr1 mtu 1400 10.2.0.1/24 fd02::1/64
//! route 10.3.0.0/16 via 10.2.0.2 dev rtr1   # 10.3.0.1 is on rtr-b's loopback
//! route fd03::/64 via fd02::2 dev rtr1
//! loss 20 seed 7
//! ```

extern crate alloc;

use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use rayos_net::device::tap::Tap;
use rayos_net::device::{FaultConfig, FaultInjector, FaultStats, PcapSink, PcapWriter as Recorder};
use rayos_net::forward::{ForwardStats, Forwarder};
use rayos_net::netstack::iface::interface::Interface;
use rayos_net::netstack::iface::router::{Config, FullTable, Router, Stats};
use rayos_net::netstack::route::{InterfaceId, IpCidr, Route};
use rayos_net::netstack::wire::EthernetAddress;
use rayos_net::pcap::{self as pcap_file, LinkType, PcapWriter as PcapFile};
use std::fs::File;
use std::io::{BufWriter, ErrorKind, Read};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const USAGE: &str = "\
usage: router [--config FILE] [--DIRECTIVE WORD...]...

Directives (on the command line with `--`; in a --config file one per line,
without `--`, `#` starts a comment):
  port NAME [mtu N] [mac XX:XX:XX:XX:XX:XX] ADDR/LEN...
        a port on TAP interface NAME (created if missing) with these IPv4/IPv6
        addresses; mtu 68..=1500 and at most the interface's (default: the
        interface's); up to 8 ports
  route CIDR|default [via GATEWAY] dev NAME
        a static route (on-link without `via`)
  table FILE via GATEWAY [via GATEWAY] dev NAME
        every prefix of FILE (one CIDR per line, gzip or plain) to the gateway of
        its family
  pcap FILE          record every port's frames into one pcap file
  loss PERCENT [seed N]
                     drop PERCENT of the frames each port receives (seeded)
  for SECS           stop after SECS seconds (default: at Ctrl-C)

The TAP interfaces are only opened: bring them up yourself (`ip link set NAME up`,
usually after `ip link set NAME netns NS`). Opening one needs root or
CAP_NET_ADMIN.

example:
  router --port tap0 10.1.0.1/24 fd01::1/64 --port tap1 mtu 1400 10.2.0.1/24 \\
         --route 10.3.0.0/16 via 10.2.0.2 dev tap1 --for 60";

/// The most ports the router has.
const MAX_PORTS: usize = 8;
/// The largest port MTU: the router's buffers hold standard Ethernet frames.
const MAX_MTU: usize = 1500;

type Table = FullTable;
type TheRouter = Router<Table, MAX_PORTS>;
type Dev = Recorder<FaultInjector<Tap>, Capture>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let setup = match parse_args(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("router: {e}");
            eprintln!("(router --help for the syntax)");
            return ExitCode::from(2);
        }
    };
    match run(&setup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("router: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------
// The configuration.

/// Where a directive came from, for error messages.
#[derive(Debug, Clone)]
enum Origin {
    /// The position of the `--name` argument, and the name.
    Argument(usize, String),
    Line(PathBuf, usize),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Argument(i, name) => write!(f, "argument {i} (--{name})"),
            Origin::Line(path, n) => write!(f, "{}:{n}", path.display()),
        }
    }
}

/// An error with the place it is about.
#[derive(Debug)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(origin: &Origin, what: impl fmt::Display) -> Result<T, Error> {
    Err(Error(format!("{origin}: {what}")))
}

#[derive(Debug)]
struct PortSpec {
    origin: Origin,
    name: String,
    mtu: Option<usize>,
    mac: Option<EthernetAddress>,
    addrs: Vec<(IpAddr, u8)>,
}

#[derive(Debug)]
struct RouteSpec {
    origin: Origin,
    /// `None`: `default`, of the gateway's family.
    cidr: Option<IpCidr>,
    via: Option<IpAddr>,
    dev: String,
}

#[derive(Debug)]
struct TableSpec {
    origin: Origin,
    file: PathBuf,
    via4: Option<Ipv4Addr>,
    via6: Option<Ipv6Addr>,
    dev: String,
}

#[derive(Debug, Default)]
struct Setup {
    ports: Vec<PortSpec>,
    routes: Vec<RouteSpec>,
    tables: Vec<TableSpec>,
    pcap: Option<(Origin, PathBuf)>,
    /// Percent and seed.
    loss: Option<(f64, u64)>,
    duration: Option<Duration>,
}

/// Splits the arguments into directives (`--name words...`) and reads them, and the
/// files `--config` names.
fn parse_args(args: &[String]) -> Result<Setup, Error> {
    let mut setup = Setup::default();
    let mut i = 0;
    while i < args.len() {
        let Some(name) = args[i].strip_prefix("--") else {
            return Err(Error(format!(
                "argument {}: expected a directive such as --port, found {:?}",
                i + 1,
                args[i]
            )));
        };
        let origin = Origin::Argument(i + 1, name.to_string());
        let end = args[i + 1..]
            .iter()
            .position(|a| a.starts_with("--"))
            .map_or(args.len(), |p| i + 1 + p);
        let words: Vec<&str> = args[i + 1..end].iter().map(String::as_str).collect();
        if name == "config" {
            let [file] = words.as_slice() else {
                return err(&origin, "config: expected one FILE");
            };
            read_config(Path::new(file), &mut setup)?;
        } else {
            directive(&mut setup, origin, name, &words)?;
        }
        i = end;
    }
    if setup.ports.is_empty() {
        return Err(Error("no port: give at least one --port".into()));
    }
    // Every `dev` names a port, before any interface is created.
    for r in &setup.routes {
        port_id(&setup, &r.origin, &r.dev)?;
    }
    for t in &setup.tables {
        port_id(&setup, &t.origin, &t.dev)?;
    }
    Ok(setup)
}

fn read_config(path: &Path, setup: &mut Setup) -> Result<(), Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error(format!("cannot read {}: {e}", path.display())))?;
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else {
            continue;
        };
        let origin = Origin::Line(path.to_path_buf(), n + 1);
        let name = first.strip_prefix("--").unwrap_or(first);
        if name == "config" {
            return err(&origin, "config files do not nest");
        }
        let words: Vec<&str> = words.collect();
        directive(setup, origin, name, &words)?;
    }
    Ok(())
}

fn directive(setup: &mut Setup, origin: Origin, name: &str, words: &[&str]) -> Result<(), Error> {
    match name {
        "port" => {
            let port = parse_port(&origin, words)?;
            if setup.ports.iter().any(|p| p.name == port.name) {
                return err(&origin, format!("port {} given twice", port.name));
            }
            if setup.ports.len() == MAX_PORTS {
                return err(&origin, format!("more than {MAX_PORTS} ports"));
            }
            setup.ports.push(port);
        }
        "route" => {
            let route = parse_route(origin, words)?;
            setup.routes.push(route);
        }
        "table" => {
            let table = parse_table(origin, words)?;
            setup.tables.push(table);
        }
        "pcap" => {
            let [file] = words else {
                return err(&origin, "pcap: expected one FILE");
            };
            if let Some((first, _)) = &setup.pcap {
                return err(&origin, format!("pcap given twice (first at {first})"));
            }
            setup.pcap = Some((origin, PathBuf::from(file)));
        }
        "loss" => {
            let (percent, seed) = match words {
                [p] => (*p, "1"),
                [p, "seed", s] => (*p, *s),
                _ => return err(&origin, "loss: expected PERCENT [seed N]"),
            };
            let percent: f64 = match percent.parse() {
                Ok(p) if (0.0..=100.0).contains(&p) => p,
                _ => return err(&origin, format!("loss: {percent:?} is not a percentage")),
            };
            let Ok(seed) = seed.parse::<u64>() else {
                return err(&origin, format!("loss: seed {seed:?} is not a number"));
            };
            if setup.loss.is_some() {
                return err(&origin, "loss given twice");
            }
            setup.loss = Some((percent, seed));
        }
        "for" => {
            let [secs] = words else {
                return err(&origin, "for: expected SECS");
            };
            let d = secs
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok());
            let Some(d) = d else {
                return err(&origin, format!("for: {secs:?} is not a number of seconds"));
            };
            if setup.duration.is_some() {
                return err(&origin, "for given twice");
            }
            setup.duration = Some(d);
        }
        "help" | "h" => return err(&origin, "--help stands alone"),
        other => {
            return err(
                &origin,
                format!(
                    "unknown directive {other:?} (port, route, table, pcap, loss, for, config)"
                ),
            );
        }
    }
    Ok(())
}

fn parse_port(origin: &Origin, words: &[&str]) -> Result<PortSpec, Error> {
    let Some((name, mut rest)) = words.split_first() else {
        return err(origin, "port: expected NAME [mtu N] [mac MAC] ADDR/LEN...");
    };
    if name.is_empty() || name.len() > 15 {
        return err(
            origin,
            format!("port: {name:?} is not an interface name (1 to 15 bytes)"),
        );
    }
    let mut spec = PortSpec {
        origin: origin.clone(),
        name: (*name).to_string(),
        mtu: None,
        mac: None,
        addrs: Vec::new(),
    };
    while let Some((&word, tail)) = rest.split_first() {
        rest = tail;
        match word {
            "mtu" => {
                let Some((&n, tail)) = rest.split_first() else {
                    return err(origin, "port: mtu needs a number");
                };
                rest = tail;
                match n.parse::<usize>() {
                    Ok(m) if (68..=MAX_MTU).contains(&m) => spec.mtu = Some(m),
                    _ => return err(origin, format!("port: mtu {n:?} is not in 68..={MAX_MTU}")),
                }
            }
            "mac" => {
                let Some((&m, tail)) = rest.split_first() else {
                    return err(origin, "port: mac needs an address");
                };
                rest = tail;
                match parse_mac(m) {
                    Some(mac) if mac.is_unicast() => spec.mac = Some(mac),
                    _ => return err(origin, format!("port: {m:?} is not a unicast MAC address")),
                }
            }
            addr => {
                let Some((a, len)) = addr.split_once('/') else {
                    return err(origin, format!("port: expected ADDR/LEN, found {addr:?}"));
                };
                let Ok(ip) = a.parse::<IpAddr>() else {
                    return err(origin, format!("port: {a:?} is not an IP address"));
                };
                let max = if ip.is_ipv4() { 32 } else { 128 };
                match len.parse::<u8>() {
                    Ok(l) if l <= max => spec.addrs.push((ip, l)),
                    _ => {
                        return err(
                            origin,
                            format!("port: prefix length {len:?} is not 0..={max}"),
                        );
                    }
                }
            }
        }
    }
    Ok(spec)
}

fn parse_mac(s: &str) -> Option<EthernetAddress> {
    let mut bytes = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut bytes {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *b = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(EthernetAddress(bytes))
}

fn parse_route(origin: Origin, words: &[&str]) -> Result<RouteSpec, Error> {
    let (target, via, dev) = match words {
        [t, "via", gw, "dev", dev] => (*t, Some(*gw), *dev),
        [t, "dev", dev] => (*t, None, *dev),
        _ => {
            return err(
                &origin,
                "route: expected CIDR|default [via GATEWAY] dev NAME",
            );
        }
    };
    let via = match via.map(str::parse::<IpAddr>) {
        None => None,
        Some(Ok(gw)) => Some(gw),
        Some(Err(_)) => {
            return err(
                &origin,
                format!("route: {:?} is not an IP address", via.unwrap_or("")),
            );
        }
    };
    let cidr = if target == "default" {
        if via.is_none() {
            return err(
                &origin,
                "route: default needs `via GATEWAY` (it names the family)",
            );
        }
        None
    } else {
        match target.parse::<IpCidr>() {
            Ok(c) => Some(c),
            Err(e) => return err(&origin, format!("route: {target:?}: {e}")),
        }
    };
    if let (Some(c), Some(gw)) = (cidr, via)
        && c.address().is_ipv4() != gw.is_ipv4()
    {
        return err(
            &origin,
            format!("route: gateway {gw} is not of the family of {c}"),
        );
    }
    Ok(RouteSpec {
        origin,
        cidr,
        via,
        dev: dev.to_string(),
    })
}

fn parse_table(origin: Origin, words: &[&str]) -> Result<TableSpec, Error> {
    let Some((file, mut rest)) = words.split_first() else {
        return err(
            &origin,
            "table: expected FILE via GATEWAY [via GATEWAY] dev NAME",
        );
    };
    let mut spec = TableSpec {
        origin: origin.clone(),
        file: PathBuf::from(file),
        via4: None,
        via6: None,
        dev: String::new(),
    };
    loop {
        match rest {
            ["via", gw, tail @ ..] => {
                match gw.parse::<IpAddr>() {
                    Ok(IpAddr::V4(a)) if spec.via4.is_none() => spec.via4 = Some(a),
                    Ok(IpAddr::V6(a)) if spec.via6.is_none() => spec.via6 = Some(a),
                    Ok(_) => return err(&origin, "table: one `via` per family"),
                    Err(_) => return err(&origin, format!("table: {gw:?} is not an IP address")),
                }
                rest = tail;
            }
            ["dev", dev] => {
                spec.dev = (*dev).to_string();
                break;
            }
            _ => {
                return err(
                    &origin,
                    "table: expected FILE via GATEWAY [via GATEWAY] dev NAME",
                );
            }
        }
    }
    if spec.via4.is_none() && spec.via6.is_none() {
        return err(&origin, "table: expected at least one `via GATEWAY`");
    }
    Ok(spec)
}

// ---------------------------------------------------------------------------------
// Running.

/// The pcap file all ports record into (or none).
#[derive(Clone)]
struct Capture(Option<Rc<RefCell<PcapFile<BufWriter<File>>>>>);

impl PcapSink for Capture {
    fn record(&mut self, timestamp: Duration, frame: &[u8]) -> Result<(), pcap_file::Error> {
        match &self.0 {
            None => Ok(()),
            Some(file) => match file.try_borrow_mut() {
                Ok(mut w) => w.record(timestamp, frame),
                Err(_) => Err(pcap_file::Error::Unrepresentable {
                    field: "record (file busy)",
                }),
            },
        }
    }
}

fn port_id(setup: &Setup, origin: &Origin, dev: &str) -> Result<InterfaceId, Error> {
    match setup.ports.iter().position(|p| p.name == dev) {
        Some(i) => Ok(InterfaceId(u16::try_from(i).unwrap_or(u16::MAX))),
        None => err(
            origin,
            format!("no port named {dev:?} (declare it with `port {dev} ...`)"),
        ),
    }
}

/// What loading one table did.
struct Loaded {
    v4: usize,
    v6: usize,
    skipped: usize,
}

/// Reads a table file (gzip or plain) and inserts its prefixes.
fn load_table(table: &mut Table, spec: &TableSpec, port: InterfaceId) -> Result<Loaded, Error> {
    let origin = &spec.origin;
    let shown = spec.file.display();
    let mut raw = Vec::new();
    if let Err(e) = File::open(&spec.file).and_then(|mut f| f.read_to_end(&mut raw)) {
        return err(origin, format!("table: cannot read {shown}: {e}"));
    }
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = String::new();
        if let Err(e) = flate2::read::GzDecoder::new(raw.as_slice()).read_to_string(&mut out) {
            return err(
                origin,
                format!("table: {shown}: not a valid gzip text file: {e}"),
            );
        }
        out
    } else {
        match String::from_utf8(raw) {
            Ok(s) => s,
            Err(_) => return err(origin, format!("table: {shown}: not UTF-8 text")),
        }
    };
    let route = |gw: IpAddr| Route {
        next_hop: Some(gw),
        interface: port,
        metric: 0,
    };
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    let mut skipped = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match line.parse::<IpCidr>() {
            Ok(IpCidr::V4(c)) => match spec.via4 {
                Some(gw) => v4.push((c, route(IpAddr::V4(gw)))),
                None => skipped += 1,
            },
            Ok(IpCidr::V6(c)) => match spec.via6 {
                Some(gw) => v6.push((c, route(IpAddr::V6(gw)))),
                None => skipped += 1,
            },
            Err(e) => {
                return Err(Error(format!(
                    "{}:{}: {line:?}: {e} (table given at {origin})",
                    shown,
                    n + 1
                )));
            }
        }
    }
    let loaded = Loaded {
        v4: v4.len(),
        v6: v6.len(),
        skipped,
    };
    if table.v4.extend(v4).is_err() || table.v6.extend(v6).is_err() {
        return err(origin, format!("table: {shown}: the routing table is full"));
    }
    Ok(loaded)
}

/// Opens a TAP interface, with a hint for the usual failures.
fn open_tap(spec: &PortSpec) -> Result<Tap, Error> {
    Tap::open(&spec.name).map_err(|e| {
        let hint = match e.kind() {
            ErrorKind::PermissionDenied => {
                " (creating a TAP interface needs root or CAP_NET_ADMIN)"
            }
            ErrorKind::NotFound => " (no /dev/net/tun: is the kernel built with TUN/TAP?)",
            ErrorKind::ResourceBusy => " (another process holds this TAP interface)",
            ErrorKind::InvalidInput => {
                " (an interface of that name exists and is not a TAP interface?)"
            }
            _ => "",
        };
        Error(format!(
            "{}: cannot open TAP interface {}: {e}{hint}",
            spec.origin, spec.name
        ))
    })
}

fn run(setup: &Setup) -> Result<(), Error> {
    // The tables first (a bad file fails before any interface is made); connected and
    // static routes are added after, so they replace a table's route for the same
    // prefix.
    let mut table = Table::default();
    for spec in &setup.tables {
        let port = port_id(setup, &spec.origin, &spec.dev)?;
        let gateways = [spec.via4.map(IpAddr::V4), spec.via6.map(IpAddr::V6)];
        for gw in gateways.into_iter().flatten() {
            warn_off_link(setup, &spec.origin, port, gw);
        }
        let start = Instant::now();
        let loaded = load_table(&mut table, spec, port)?;
        let took = start.elapsed();
        println!(
            "table {}: {} IPv4 and {} IPv6 prefixes{} in {:.2} s; total {} + {} routes, \
             lookup memory {:.1} MiB (IPv4) + {:.1} MiB (IPv6)",
            spec.file.display(),
            loaded.v4,
            loaded.v6,
            if loaded.skipped > 0 {
                format!(" ({} skipped: no gateway of their family)", loaded.skipped)
            } else {
                String::new()
            },
            took.as_secs_f64(),
            table.v4.len(),
            table.v6.len(),
            mib(table.v4.memory_bytes()),
            mib(table.v6.memory_bytes()),
        );
    }

    let mut router: TheRouter = Router::new(table, Config::default());
    let sink = match &setup.pcap {
        None => Capture(None),
        Some((origin, path)) => {
            let file = File::create(path)
                .and_then(|f| PcapFile::new(BufWriter::new(f), LinkType::ETHERNET, 65535));
            match file {
                Ok(w) => Capture(Some(Rc::new(RefCell::new(w)))),
                Err(e) => {
                    return err(
                        origin,
                        format!("pcap: cannot create {}: {e}", path.display()),
                    );
                }
            }
        }
    };
    let fault = match setup.loss {
        Some((percent, _)) => FaultConfig {
            drop: percent / 100.0,
            ..FaultConfig::default()
        },
        None => FaultConfig::default(),
    };
    let seed = setup.loss.map_or(1, |(_, s)| s);

    let mut devices: Vec<Dev> = Vec::with_capacity(setup.ports.len());
    for (index, spec) in setup.ports.iter().enumerate() {
        let tap = open_tap(spec)?;
        let mtu = match spec.mtu {
            Some(m) if m > tap.mtu() => {
                return err(
                    &spec.origin,
                    format!(
                        "port {}: mtu {m} is over the interface's MTU {} (set it first: \
                         ip tuntap add dev {} mode tap; ip link set {} mtu {m})",
                        spec.name,
                        tap.mtu(),
                        spec.name,
                        spec.name
                    ),
                );
            }
            Some(m) => m,
            None => tap.mtu().min(MAX_MTU),
        };
        let n = u8::try_from(index + 1).unwrap_or(u8::MAX);
        let mac = spec
            .mac
            .unwrap_or(EthernetAddress([0x02, 0x72, 0x61, 0x79, 0x00, n]));
        let id = match router.add_port(Interface::new(mac), mtu) {
            Ok(id) => id,
            Err(e) => return err(&spec.origin, format!("port {}: {e}", spec.name)),
        };
        for &(addr, len) in &spec.addrs {
            let added = match addr {
                IpAddr::V4(a) => router.add_ipv4(id, a, len),
                IpAddr::V6(a) => router.add_ipv6(id, a, len),
            };
            if let Err(e) = added {
                return err(
                    &spec.origin,
                    format!("port {}: {addr}/{len}: {e}", spec.name),
                );
            }
        }
        if spec.addrs.is_empty() {
            eprintln!(
                "router: warning: {}: port {} has no address: it cannot resolve \
                 neighbors or answer pings",
                spec.origin, spec.name
            );
        }
        let seed = seed.wrapping_add(index as u64);
        devices.push(Recorder::new(
            FaultInjector::new(tap, fault, seed),
            sink.clone(),
        ));
        let addrs: Vec<String> = spec.addrs.iter().map(|(a, l)| format!("{a}/{l}")).collect();
        println!(
            "port {index}: {} mac {mac} mtu {mtu} {}",
            spec.name,
            addrs.join(" ")
        );
    }

    for spec in &setup.routes {
        let port = port_id(setup, &spec.origin, &spec.dev)?;
        let cidr = match (spec.cidr, spec.via) {
            (Some(c), _) => c,
            (None, Some(IpAddr::V4(_))) => IpCidr::V4(
                "0.0.0.0/0"
                    .parse()
                    .map_err(|e| Error(format!("{}: {e}", spec.origin)))?,
            ),
            (None, _) => IpCidr::V6(
                "::/0"
                    .parse()
                    .map_err(|e| Error(format!("{}: {e}", spec.origin)))?,
            ),
        };
        if let Some(gw) = spec.via {
            warn_off_link(setup, &spec.origin, port, gw);
        }
        let route = Route {
            next_hop: spec.via,
            interface: port,
            metric: 0,
        };
        if let Err(e) = router.add_route(cidr, route) {
            return err(&spec.origin, format!("route {cidr}: {e}"));
        }
        let via = spec.via.map(|g| format!(" via {g}")).unwrap_or_default();
        println!("route {cidr}{via} dev {}", spec.dev);
    }

    let stop = sys::catch_signals();
    let limit = setup.duration;
    match limit {
        Some(d) => println!("forwarding for {:.1} s (or until Ctrl-C)", d.as_secs_f64()),
        None => println!("forwarding; Ctrl-C to stop"),
    }

    // `now` is the time since the UNIX epoch (the pcap timestamps are wall-clock),
    // advanced by the monotonic clock.
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let start = Instant::now();
    let fds: Vec<_> = devices
        .iter()
        .map(|d| d.get_ref().get_ref().as_raw_fd())
        .collect();
    let mut fwd: Forwarder = Forwarder::new();
    loop {
        if stop.is_some_and(sys::stopped) {
            break;
        }
        let elapsed = start.elapsed();
        if limit.is_some_and(|l| elapsed >= l) {
            break;
        }
        let now = epoch + elapsed;
        if router.poll_timeout().is_some_and(|t| t <= now) {
            router.handle_timeout(now);
        }
        if fwd.poll(now, &mut router, &mut devices) > 0 {
            continue;
        }
        // Nothing arrived: sleep until a frame does, a timer is due, or 100 ms pass.
        let mut wait = Duration::from_millis(100);
        if let Some(t) = router.poll_timeout() {
            wait = wait.min(t.saturating_sub(now));
        }
        if let Some(l) = limit {
            wait = wait.min(l.saturating_sub(elapsed));
        }
        if let Err(e) = rayos_net::device::tap::wait_readable(&fds, wait) {
            return Err(Error(format!("waiting for frames: {e}")));
        }
    }
    let ran = start.elapsed();

    println!();
    println!("stopped after {:.1} s", ran.as_secs_f64());
    print_router_stats(router.stats());
    print_forward_stats(&fwd.stats());
    for (spec, dev) in setup.ports.iter().zip(&devices) {
        let tap = dev.get_ref().get_ref();
        let s = tap.stats();
        let mut line = format!(
            "  {}: rx {} frames {} bytes, tx {} frames {} bytes, tx dropped {}, rx errors {}",
            spec.name, s.rx_frames, s.rx_bytes, s.tx_frames, s.tx_bytes, s.tx_dropped, s.rx_errors
        );
        if let Some(e) = tap.last_error() {
            line.push_str(&format!(", last error: {e}"));
        }
        if setup.loss.is_some() {
            line.push_str(&format!(", {}", loss_text(&dev.get_ref().stats())));
        }
        if dev.sink_errors() > 0 {
            line.push_str(&format!(", {} frames not recorded", dev.sink_errors()));
        }
        println!("{line}");
    }
    if let (Some(file), Some((_, path))) = (&sink.0, &setup.pcap) {
        drop(devices);
        let flushed = file.try_borrow_mut().map(|mut w| w.flush());
        match flushed {
            Ok(Ok(())) => println!("capture written to {}", path.display()),
            Ok(Err(e)) => return Err(Error(format!("pcap: writing {}: {e}", path.display()))),
            Err(_) => return Err(Error("pcap: the file is still in use".into())),
        }
    }
    Ok(())
}

/// Warns when a gateway is in no prefix of its port: the router would still look for it
/// there, but the configuration is probably wrong.
fn warn_off_link(setup: &Setup, origin: &Origin, port: InterfaceId, gw: IpAddr) {
    if let Some(p) = setup.ports.get(usize::from(port.0))
        && !on_link(p, gw)
    {
        eprintln!(
            "router: warning: {origin}: gateway {gw} is in no prefix of port {}",
            p.name
        );
    }
}

fn on_link(port: &PortSpec, gw: IpAddr) -> bool {
    port.addrs
        .iter()
        .any(|&(a, len)| IpCidr::new(a, len).is_ok_and(|c| c.contains(gw)))
}

#[allow(clippy::cast_precision_loss)] // a printout
fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn loss_text(s: &FaultStats) -> String {
    format!(
        "loss: {} of {} received frames dropped",
        s.dropped, s.received
    )
}

fn print_router_stats(s: &Stats) {
    println!(
        "router: forwarded {} (fragmented {}), local {}, ICMP errors {} (rate-limited {}), \
         discarded {}",
        s.forwarded,
        s.fragmented,
        s.local,
        s.icmp_errors,
        s.icmp_rate_limited,
        s.discarded_total()
    );
    let reasons: Vec<String> = s
        .discards()
        .filter(|&(_, n)| n > 0)
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    if !reasons.is_empty() {
        println!("  discarded: {}", reasons.join(", "));
    }
}

fn print_forward_stats(s: &ForwardStats) {
    println!(
        "forwarder: received {}, sent {}, dropped {}",
        s.received, s.sent, s.dropped
    );
}

/// The system call std does not offer: turning SIGINT/SIGTERM into a flag.
mod sys {
    #![allow(unsafe_code)]

    use core::sync::atomic::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: libc::c_int) {
        STOP.store(true, Ordering::Relaxed);
    }

    /// A token that the handlers are installed: pass it to [`stopped`].
    #[derive(Clone, Copy)]
    pub(super) struct Handlers;

    /// Installs the SIGINT and SIGTERM handlers; `None` if that failed (the process
    /// then stops at the signal without printing its counters).
    pub(super) fn catch_signals() -> Option<Handlers> {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: `on_signal` has the signature `signal` expects and only stores to
            // an atomic, which is async-signal-safe. `signal` on Linux (glibc) has BSD
            // semantics: the handler stays installed and interrupted calls fail with
            // EINTR (poll) or restart.
            if unsafe { libc::signal(sig, handler) } == libc::SIG_ERR {
                return None;
            }
        }
        Some(Handlers)
    }

    /// Whether a signal asked us to stop.
    pub(super) fn stopped(_: Handlers) -> bool {
        STOP.load(Ordering::Relaxed)
    }
}
