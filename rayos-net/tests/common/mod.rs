//! The Linux capture machinery shared by the capture tests: two network namespaces
//! joined by a veth pair, the kernel's own traffic between them recorded by tcpdump,
//! and the checks every such capture must pass.
//!
//! [`capture_linux_traffic`] needs root. [`check_capture`] runs anywhere (on the
//! committed fixture too).

use core::time::Duration;
use rayos_net::netstack::wire::dissect::{Frame, Network, Transport};
use rayos_net::netstack::wire::ipv6ext::{ExtHeaderRepr, ExtHeaders, Step};
use rayos_net::netstack::wire::{ChecksumCapabilities, IpProtocol};
use rayos_net::pcap::{Capture, Format, LinkType, Record};
use std::fs::{self, File};
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::Instant;

/// The namespace names start with this, then the PID, then `a` or `b`.
const NS_PREFIX: &str = "rcap";
/// Addresses. Side A (10.99.0.1) runs tcpdump and the clients, side B the servers.
const A4: &str = "10.99.0.1";
const B4: &str = "10.99.0.2";
const A6: &str = "fd00:99::1";
const B6: &str = "fd00:99::2";
/// The VLAN and its addresses.
const VID: &str = "10";
const A4_VLAN: &str = "10.99.10.1";
const B4_VLAN: &str = "10.99.10.2";
const A6_VLAN: &str = "fd00:99:10::1";
const B6_VLAN: &str = "fd00:99:10::2";
/// The file the HTTP server serves: about 20 KB, so about 14 full segments.
const DOWNLOAD_LEN: usize = 20_000;
/// What the DNS responder answers for any A query.
const DNS_ANSWER: &str = "10.99.0.53";
/// Longest time any one step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(15);
/// Lifetime of the background programs that have their own deadline.
const BACKGROUND_SECONDS: &str = "90";

/// Whether this process runs as root (effective UID 0).
pub(crate) fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// A program's exit status and output.
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// A scratch directory for one test process, removed on drop.
pub(crate) struct Scratch {
    dir: PathBuf,
    runs: u32,
}

impl Scratch {
    pub(crate) fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rayos-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch { dir, runs: 0 }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs `args` to completion within `timeout`, stdin from `stdin`, and returns
    /// its status and output. Panics (after killing it) when it takes longer.
    pub(crate) fn run(&mut self, args: &[&str], stdin: &[u8], timeout: Duration) -> Output {
        let (mut child, out, err) = self.spawn(args, stdin);
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for a child") {
                break status;
            }
            if Instant::now() > deadline {
                signal_group(&child, "KILL");
                let _ = child.wait();
                panic!(
                    "`{}` did not finish within {timeout:?}; stderr: {}",
                    args.join(" "),
                    fs::read_to_string(&err).unwrap_or_default()
                );
            }
            sleep(Duration::from_millis(10));
        };
        Output {
            status,
            stdout: fs::read_to_string(out).unwrap_or_default(),
            stderr: fs::read_to_string(err).unwrap_or_default(),
        }
    }

    /// Runs `args` and panics unless it exits 0; returns its standard output.
    pub(crate) fn ok(&mut self, args: &[&str]) -> String {
        self.ok_with_stdin(args, b"")
    }

    pub(crate) fn ok_with_stdin(&mut self, args: &[&str], stdin: &[u8]) -> String {
        let out = self.run(args, stdin, STEP_TIMEOUT);
        assert!(
            out.status.success(),
            "`{}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            out.stdout,
            out.stderr
        );
        out.stdout
    }

    /// Starts `args` in its own process group, output to files; returns the child and
    /// the paths of its stdout and stderr.
    fn spawn(&mut self, args: &[&str], stdin: &[u8]) -> (Child, PathBuf, PathBuf) {
        self.runs += 1;
        let base = format!("{:03}-{}", self.runs, Path::new(args[0]).display());
        let (inp, out, err) = (
            self.path(&format!("{base}.in")),
            self.path(&format!("{base}.out")),
            self.path(&format!("{base}.err")),
        );
        File::create(&inp)
            .and_then(|mut f| f.write_all(stdin))
            .expect("write a child's stdin");
        let child = Command::new(args[0])
            .args(&args[1..])
            .stdin(File::open(&inp).expect("open a child's stdin"))
            .stdout(File::create(&out).expect("create a child's stdout"))
            .stderr(File::create(&err).expect("create a child's stderr"))
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", args.join(" ")));
        (child, out, err)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Sends `signal` to the process group of `child` (each child leads its own).
fn signal_group(child: &Child, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
}

/// A program running in the background, and how to tell it is ready.
struct Background {
    name: &'static str,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// Two network namespaces and the programs running in them; dropping it stops the
/// programs and deletes the namespaces (with the veth pair and the TAPs in them).
struct Testbed {
    a: String,
    b: String,
    background: Vec<Background>,
    scratch: Scratch,
}

impl Testbed {
    /// Creates the (empty) namespaces.
    fn new() -> Testbed {
        let pid = std::process::id();
        let mut bed = Testbed {
            a: format!("{NS_PREFIX}{pid}a"),
            b: format!("{NS_PREFIX}{pid}b"),
            background: Vec::new(),
            scratch: Scratch::new("capture"),
        };
        for ns in [bed.a.clone(), bed.b.clone()] {
            // A namespace left over by an earlier process with the same PID.
            let _ = bed
                .scratch
                .run(&["ip", "netns", "del", &ns], b"", STEP_TIMEOUT);
            bed.scratch.ok(&["ip", "netns", "add", &ns]);
        }
        bed
    }

    /// Runs `args` in namespace `ns`; panics unless it exits 0; returns its stdout.
    fn exec(&mut self, ns: &str, args: &[&str]) -> String {
        self.exec_with_stdin(ns, args, b"")
    }

    fn exec_with_stdin(&mut self, ns: &str, args: &[&str], stdin: &[u8]) -> String {
        let mut full = vec!["ip", "netns", "exec", ns];
        full.extend_from_slice(args);
        self.scratch.ok_with_stdin(&full, stdin)
    }

    /// Starts `args` in namespace `ns` in the background and waits until its stdout or
    /// stderr contains `ready` (when given).
    fn start(&mut self, name: &'static str, ns: &str, args: &[&str], ready: Option<&str>) {
        let mut full = vec!["ip", "netns", "exec", ns];
        full.extend_from_slice(args);
        let (child, stdout, stderr) = self.scratch.spawn(&full, b"");
        self.background.push(Background {
            name,
            child,
            stdout,
            stderr,
        });
        let Some(ready) = ready else { return };
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let bg = self.background.last_mut().expect("just pushed");
            let out = fs::read_to_string(&bg.stdout).unwrap_or_default()
                + &fs::read_to_string(&bg.stderr).unwrap_or_default();
            if out.contains(ready) {
                return;
            }
            if let Some(status) = bg.child.try_wait().expect("wait for a child") {
                panic!("{name} exited ({status}) before it was ready: {out}");
            }
            assert!(
                Instant::now() < deadline,
                "{name} not ready within {STEP_TIMEOUT:?}: {out}"
            );
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops the background program `name` with `signal` and waits for it (bounded);
    /// returns its exit status.
    fn stop(&mut self, name: &str, signal: &str) -> ExitStatus {
        let at = self
            .background
            .iter()
            .position(|b| b.name == name)
            .unwrap_or_else(|| panic!("no background program {name}"));
        let mut bg = self.background.remove(at);
        signal_group(&bg.child, signal);
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            if let Some(status) = bg.child.try_wait().expect("wait for a child") {
                return status;
            }
            if Instant::now() > deadline {
                signal_group(&bg.child, "KILL");
                let _ = bg.child.wait();
                panic!("{name} did not stop on SIG{signal} within {STEP_TIMEOUT:?}");
            }
            sleep(Duration::from_millis(10));
        }
    }

    /// Waits until no IPv6 address in either namespace is tentative (duplicate
    /// address detection done), so that every address can be used.
    fn wait_for_dad(&mut self) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let (a, b) = (self.a.clone(), self.b.clone());
            let tentative = self
                .scratch
                .ok(&["ip", "-n", &a, "-6", "addr", "show", "tentative"])
                + &self
                    .scratch
                    .ok(&["ip", "-n", &b, "-6", "addr", "show", "tentative"]);
            if tentative.trim().is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "addresses still tentative after {STEP_TIMEOUT:?}: {tentative}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    fn mac(&mut self, ns: &str, dev: &str) -> String {
        let out = self
            .scratch
            .ok(&["ip", "-n", ns, "-br", "link", "show", "dev", dev]);
        out.split_whitespace()
            .nth(2)
            .unwrap_or_else(|| panic!("no MAC address for {dev}: {out}"))
            .to_string()
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        for bg in &mut self.background {
            signal_group(&bg.child, "KILL");
            let _ = bg.child.wait();
        }
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Builds the testbed, records the kernel's traffic on side A's veth with tcpdump,
/// tears everything down (also on failure) and returns the pcap file.
///
/// ```text
///  namespace A                                   namespace B
///  va   10.99.0.1/24  fd00:99::1/64  ==veth==  vb   10.99.0.2/24  fd00:99::2/64
///  vl10 10.99.10.1/24 fd00:99:10::1/64 (VLAN 10 on va / vb)  vl10 10.99.10.2 ...
///  tcpdump -i va, clients                       http.server, DNS, UDP echo
/// ```
///
/// The kernel here has no 8021q driver (and no VLAN filtering in its bridge), so the
/// VLAN 10 interfaces are TAPs joined to the veth by `vlan_relay.py`, which tags and
/// untags frames as 8021q would; the frames inside the tags are the kernel's.
///
/// Traffic: IPv6 link-up (MLDv2 reports, DAD, router solicitations) on both links,
/// ARP and NDP, IPv4 and IPv6 ping untagged and over the VLAN, 3000-byte IPv4 and IPv6
/// pings (fragmented), an HTTP download of 20 KB over IPv4 and over IPv6 (curl from
/// python's http.server), UDP echo over IPv4 and IPv6 (socat), DNS over IPv4 and IPv6
/// (dig), an IGMPv3 and an MLDv2 join and leave (socat).
pub(crate) fn capture_linux_traffic() -> Vec<u8> {
    assert!(
        is_root(),
        "the live capture needs root (network namespaces)"
    );
    let mut bed = Testbed::new();
    let (a, b) = (bed.a.clone(), bed.b.clone());
    let common = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common");
    let relay = common.join("vlan_relay.py");
    let relay = relay.to_str().expect("UTF-8 path");
    let dns = common.join("dns_responder.py");
    let dns = dns.to_str().expect("UTF-8 path");

    // The link, created inside the namespaces so that no name is taken in the root one.
    bed.scratch.ok(&[
        "ip", "-n", &a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", &b,
    ]);
    for (ns, dev, v4, v6) in [(&a, "va", A4, A6), (&b, "vb", B4, B6)] {
        bed.scratch.ok(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        // Without this the sending side leaves TCP/UDP checksums to "hardware" that
        // veth never runs, and the capture shows partial (pseudo-header) sums.
        bed.exec(ns, &["ethtool", "-K", dev, "tx", "off", "rx", "off"]);
        bed.scratch.ok(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v4}/24"),
            "dev",
            dev,
        ]);
        bed.scratch.ok(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v6}/64"),
            "dev",
            dev,
        ]);
    }

    // Servers on side B (they listen on :: for IPv4 and IPv6 alike).
    let www = bed.scratch.path("www");
    fs::create_dir_all(&www).expect("create the web root");
    fs::write(www.join("file.bin"), download_body()).expect("write the file to serve");
    let www = www.to_str().expect("UTF-8 path").to_string();
    bed.start(
        "http.server",
        &b,
        &[
            "timeout",
            BACKGROUND_SECONDS,
            "python3",
            "-u",
            "-m",
            "http.server",
            "--bind",
            "::",
            "--directory",
            &www,
            "8000",
        ],
        Some("Serving HTTP"),
    );
    bed.start(
        "dns",
        &b,
        &["python3", "-u", dns, "5353", BACKGROUND_SECONDS],
        Some("ready"),
    );
    bed.start(
        "udp echo",
        &b,
        &[
            "timeout",
            BACKGROUND_SECONDS,
            "socat",
            "UDP6-RECVFROM:9000,ipv6only=0,fork",
            "PIPE",
        ],
        None,
    );

    // Record from the moment side A's end is up, before side B's: IPv6 comes up on
    // the wire (MLD reports, duplicate address detection, router solicitations).
    bed.scratch.ok(&["ip", "-n", &a, "link", "set", "va", "up"]);
    let pcap = bed.scratch.path("capture.pcap");
    let pcap_arg = pcap.to_str().expect("UTF-8 path").to_string();
    bed.start(
        "tcpdump",
        &a,
        &[
            "timeout",
            BACKGROUND_SECONDS,
            "tcpdump",
            "-i",
            "va",
            "--immediate-mode",
            "-U",
            "-Z",
            "root",
            "-w",
            &pcap_arg,
        ],
        Some("listening on"),
    );
    bed.scratch.ok(&["ip", "-n", &b, "link", "set", "vb", "up"]);

    // VLAN 10 on top of the veth, with the parent's MAC address as 8021q gives it.
    for (ns, parent, v4, v6) in [(&a, "va", A4_VLAN, A6_VLAN), (&b, "vb", B4_VLAN, B6_VLAN)] {
        let name = if ns == &a {
            "vlan relay a"
        } else {
            "vlan relay b"
        };
        bed.start(
            name,
            ns,
            &[
                "python3",
                "-u",
                relay,
                parent,
                "vl10",
                VID,
                BACKGROUND_SECONDS,
            ],
            Some("ready"),
        );
        let mac = bed.mac(ns, parent);
        bed.scratch
            .ok(&["ip", "-n", ns, "link", "set", "vl10", "address", &mac]);
        bed.scratch.ok(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v4}/24"),
            "dev",
            "vl10",
        ]);
        bed.scratch.ok(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            &format!("{v6}/64"),
            "dev",
            "vl10",
        ]);
    }
    // Up together, once both ends exist.
    for ns in [&a, &b] {
        bed.scratch
            .ok(&["ip", "-n", ns, "link", "set", "vl10", "up"]);
    }
    bed.wait_for_dad();

    // Pings: ARP and NDP first, then echo; then over the VLAN; then fragmented.
    for target in [B4, B6, B4_VLAN, B6_VLAN] {
        bed.exec(&a, &["ping", "-c", "1", "-W", "3", target]);
    }
    for target in [B4, B6] {
        bed.exec(&a, &["ping", "-c", "1", "-W", "3", "-s", "3000", target]);
    }

    // TCP: Linux offers MSS, SACK-permitted, timestamps and window scale in the SYN.
    for url in [
        format!("http://{B4}:8000/file.bin"),
        format!("http://[{B6}]:8000/file.bin"),
    ] {
        let file = bed.scratch.path("download");
        let file_arg = file.to_str().expect("UTF-8 path").to_string();
        bed.exec(
            &a,
            &[
                "curl",
                "-sS",
                "-g",
                "--max-time",
                "10",
                "-o",
                &file_arg,
                &url,
            ],
        );
        assert_eq!(
            fs::read(&file).expect("read the download"),
            download_body(),
            "download from {url}"
        );
    }

    // UDP: an echo, then DNS.
    for (peer, text) in [
        (format!("UDP4:{B4}:9000"), "rayos-net over IPv4\n"),
        (format!("UDP6:[{B6}]:9000"), "rayos-net over IPv6\n"),
    ] {
        let echo = bed.exec_with_stdin(&a, &["socat", "-t", "1", "-", &peer], text.as_bytes());
        assert_eq!(echo, text, "UDP echo through {peer}");
    }
    for server in [B4, B6] {
        let answer = bed.exec(
            &a,
            &[
                "dig",
                "+time=3",
                "+tries=1",
                "+short",
                "-p",
                "5353",
                &format!("@{server}"),
                "host.test.",
                "A",
            ],
        );
        assert_eq!(answer.trim(), DNS_ANSWER, "dig @{server}");
    }

    // Multicast: join (IGMPv3 / MLDv2 reports, sent twice), leave, and let the
    // repeated leave reports go out too.
    bed.start(
        "igmp join",
        &a,
        &[
            "socat",
            "-u",
            "UDP4-RECV:9100,ip-add-membership=239.1.2.3:va",
            "/dev/null",
        ],
        None,
    );
    bed.start(
        "mld join",
        &a,
        &[
            "socat",
            "-u",
            "UDP6-RECV:9101,ipv6-join-group=[ff02::1234]:va",
            "/dev/null",
        ],
        None,
    );
    sleep(Duration::from_millis(1500));
    bed.stop("igmp join", "TERM");
    bed.stop("mld join", "TERM");
    sleep(Duration::from_millis(1500));

    let status = bed.stop("tcpdump", "INT");
    assert!(status.success(), "tcpdump exited with {status}");
    fs::read(&pcap).expect("read the capture")
    // `bed` drops here: programs stopped, namespaces deleted.
}

/// The body of the file the HTTP server serves (deterministic, not compressible).
pub(crate) fn download_body() -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..DOWNLOAD_LEN)
        .map(|_| {
            // xorshift32
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// How many frames of each kind a capture holds. A frame counts once under each
/// heading that applies (a VLAN-tagged ICMP echo counts under `vlan`, `ipv4` and
/// `icmpv4`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) frames: usize,
    /// Frames with an 802.1Q tag (EtherType 0x8100).
    pub(crate) vlan: usize,
    pub(crate) arp: usize,
    pub(crate) ipv4: usize,
    pub(crate) ipv6: usize,
    pub(crate) icmpv4: usize,
    pub(crate) igmp: usize,
    pub(crate) icmpv6_echo: usize,
    /// Router/Neighbor Solicitations and Advertisements, Redirects (ICMPv6 133-137).
    pub(crate) ndp: usize,
    /// MLD queries and reports (ICMPv6 130-132, 143).
    pub(crate) mld: usize,
    pub(crate) tcp4: usize,
    pub(crate) tcp6: usize,
    /// TCP segments with SYN set and options (MSS, SACK-permitted, ...).
    pub(crate) tcp_syn_with_options: usize,
    pub(crate) udp4: usize,
    pub(crate) udp6: usize,
    /// IPv4 fragments with More Fragments set, and all IPv4 fragments.
    pub(crate) ipv4_more_fragments: usize,
    pub(crate) ipv4_fragments: usize,
    /// IPv6 packets with a Fragment header.
    pub(crate) ipv6_fragments: usize,
    /// Checksums verified (IPv4 header; ICMP, IGMP, TCP, UDP, ICMPv6 of unfragmented
    /// packets).
    pub(crate) checksums_verified: usize,
}

/// Checks a capture of the testbed's traffic and returns what it holds. Panics, naming
/// the frame, on anything wrong.
pub(crate) fn check_capture(bytes: &[u8]) -> Summary {
    let capture = Capture::new(bytes).expect("the capture opens");
    assert_eq!(capture.format(), Format::Pcap);
    let header = capture.pcap_header().expect("a classic pcap header");
    assert_eq!(header.link_type, LinkType::ETHERNET);

    let mut summary = Summary::default();
    let mut dissected = Summary::default();
    for (index, record) in capture.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("frame {}: {e}", index + 1));
        check_record(index + 1, &record);
        classify(&mut summary, record.data)
            .unwrap_or_else(|| panic!("frame {}: shorter than its headers say", index + 1));
        summary.frames += 1;
        dissect_and_reemit(index + 1, record.data, &mut dissected);
    }
    // The dissector and the independent classifier above agree on every kind.
    let reference = Summary {
        frames: 0,
        icmpv6_echo: 0,
        ndp: 0,
        mld: 0,
        tcp_syn_with_options: 0,
        checksums_verified: 0,
        ..summary.clone()
    };
    assert_eq!(dissected, reference, "dissector and classifier disagree");

    let kinds = [
        ("802.1Q-tagged", summary.vlan),
        ("ARP", summary.arp),
        ("IPv4 ICMP", summary.icmpv4),
        ("IGMP", summary.igmp),
        ("ICMPv6 echo", summary.icmpv6_echo),
        ("NDP", summary.ndp),
        ("MLD", summary.mld),
        ("TCP over IPv4", summary.tcp4),
        ("TCP over IPv6", summary.tcp6),
        ("TCP SYN with options", summary.tcp_syn_with_options),
        ("UDP over IPv4", summary.udp4),
        ("UDP over IPv6", summary.udp6),
        ("IPv4 with More Fragments", summary.ipv4_more_fragments),
        ("IPv6 Fragment header", summary.ipv6_fragments),
    ];
    for (kind, count) in kinds {
        assert!(count > 0, "no {kind} frame in the capture: {summary:#?}");
    }
    summary
}

/// Dissects frame `n` with netstack, every checksum verified; re-emits it from its
/// representations (checksums computed afresh) and requires the identical bytes;
/// tallies what the dissector found in `tally` (the kinds the classifier also counts).
fn dissect_and_reemit(n: usize, data: &[u8], tally: &mut Summary) {
    let caps = ChecksumCapabilities::default();
    let frame = Frame::dissect(data, &caps).unwrap_or_else(|e| panic!("frame {n}: {e}"));
    assert_eq!(frame.error(), None, "frame {n}: {frame}");
    let mut out = vec![0u8; frame.buffer_len()];
    assert_eq!(
        frame.emit(&mut out, &caps),
        Ok(data.len()),
        "frame {n}: {frame}"
    );
    assert!(out == data, "frame {n} re-emits differently: {frame}");
    // The line a person reads names the addresses the frame carries.
    let line = frame.to_string();
    assert!(
        !line.is_empty() && !line.contains("malformed"),
        "frame {n}: {line}"
    );

    if frame.ethernet.vlan.is_some() {
        tally.vlan += 1;
    }
    let (transport, v6) = match &frame.network {
        Network::Arp(_) => {
            tally.arp += 1;
            return;
        }
        Network::Ipv4 { header, transport } => {
            tally.ipv4 += 1;
            if header.more_frags {
                tally.ipv4_more_fragments += 1;
            }
            if header.more_frags || header.frag_offset != 0 {
                tally.ipv4_fragments += 1;
            }
            (transport, false)
        }
        Network::Ipv6 {
            header,
            extensions,
            transport,
        } => {
            tally.ipv6 += 1;
            let fragmented = ExtHeaders::new(header.next_header, extensions)
                .any(|step| matches!(step, Ok(Step::Header(h)) if matches!(h.repr, ExtHeaderRepr::Fragment(_))));
            if fragmented {
                tally.ipv6_fragments += 1;
            }
            (transport, true)
        }
        other => panic!("frame {n}: unexpected network layer {other:?}"),
    };
    let protocol = match transport {
        Transport::Tcp { .. } => IpProtocol::TCP,
        Transport::Udp { .. } => IpProtocol::UDP,
        Transport::Icmpv4(_) => IpProtocol::ICMP,
        Transport::Igmp(_) => IpProtocol::IGMP,
        Transport::Icmpv6(_) => IpProtocol::ICMPV6,
        Transport::Fragment { protocol, .. } => *protocol,
        other => panic!("frame {n}: unexpected transport {other:?}"),
    };
    match (protocol, v6) {
        (IpProtocol::TCP, false) => tally.tcp4 += 1,
        (IpProtocol::TCP, true) => tally.tcp6 += 1,
        (IpProtocol::UDP, false) => tally.udp4 += 1,
        (IpProtocol::UDP, true) => tally.udp6 += 1,
        (IpProtocol::ICMP, false) => tally.icmpv4 += 1,
        (IpProtocol::IGMP, false) => tally.igmp += 1,
        (IpProtocol::ICMPV6, true) => {}
        other => panic!("frame {n}: unexpected protocol {other:?}"),
    }
}

/// What every record of the capture must be.
fn check_record(n: usize, record: &Record<'_>) {
    assert_eq!(record.link_type, LinkType::ETHERNET, "frame {n}");
    assert!(!record.is_truncated(), "frame {n} truncated by the snaplen");
    assert!(
        record.data.len() >= 14,
        "frame {n}: {} bytes, shorter than an Ethernet header",
        record.data.len()
    );
    // No frame larger than the link's MTU plus headers: segmentation offload is off
    // or happens before the capture point.
    assert!(
        record.data.len() <= 1518,
        "frame {n}: {} bytes, over the MTU",
        record.data.len()
    );
    assert!(record.timestamp.is_some(), "frame {n} has no timestamp");
}

fn u8_at(f: &[u8], at: usize) -> Option<u8> {
    f.get(at).copied()
}

fn u16_at(f: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([u8_at(f, at)?, u8_at(f, at + 1)?]))
}

/// Counts `frame` in `s`, reading EtherType and protocol bytes at their fixed places
/// and verifying the checksums; `None` when the frame is shorter than its headers.
fn classify(s: &mut Summary, frame: &[u8]) -> Option<()> {
    let mut ethertype = u16_at(frame, 12)?;
    let mut l3 = 14;
    if ethertype == 0x8100 {
        s.vlan += 1;
        ethertype = u16_at(frame, 16)?;
        l3 = 18;
    }
    let ip = frame.get(l3..)?;
    match ethertype {
        0x0806 => s.arp += 1,
        0x0800 => classify_ipv4(s, ip)?,
        0x86dd => classify_ipv6(s, ip)?,
        other => panic!("unexpected EtherType {other:#06x}"),
    }
    Some(())
}

fn classify_ipv4(s: &mut Summary, ip: &[u8]) -> Option<()> {
    s.ipv4 += 1;
    let ihl = usize::from(u8_at(ip, 0)? & 0x0f) * 4;
    let total = usize::from(u16_at(ip, 2)?);
    let header = ip.get(..ihl)?;
    let packet = ip.get(..total)?;
    assert_eq!(internet_checksum(0, header), 0xffff, "IPv4 header checksum");
    s.checksums_verified += 1;
    let flags_offset = u16_at(ip, 6)?;
    let more_fragments = flags_offset & 0x2000 != 0;
    let fragment_offset = flags_offset & 0x1fff;
    if more_fragments {
        s.ipv4_more_fragments += 1;
    }
    if more_fragments || fragment_offset != 0 {
        s.ipv4_fragments += 1;
    }
    let protocol = u8_at(ip, 9)?;
    let payload = packet.get(ihl..)?;
    match protocol {
        1 => s.icmpv4 += 1,
        2 => s.igmp += 1,
        6 => {
            s.tcp4 += 1;
            count_syn(s, payload)?;
        }
        17 => s.udp4 += 1,
        other => panic!("unexpected IPv4 protocol {other}"),
    }
    // A fragment's checksum covers the reassembled datagram: only whole ones here.
    if !more_fragments && fragment_offset == 0 {
        // TCP and UDP sum a pseudo-header (addresses, protocol, length) first.
        let start = match protocol {
            6 | 17 => internet_sum(0, ip.get(12..20)?) + u32::from(protocol) + payload.len() as u32,
            _ => 0,
        };
        assert_eq!(
            internet_checksum(start, payload),
            0xffff,
            "IPv4 protocol {protocol} checksum"
        );
        s.checksums_verified += 1;
    }
    Some(())
}

fn classify_ipv6(s: &mut Summary, ip: &[u8]) -> Option<()> {
    s.ipv6 += 1;
    let packet = ip.get(..40 + usize::from(u16_at(ip, 4)?))?;
    let mut next = u8_at(ip, 6)?;
    let mut at = 40;
    let mut fragmented = false;
    // Walk Hop-by-Hop, Routing, Destination Options and Fragment headers (bounded).
    for _ in 0..8 {
        match next {
            0 | 43 | 60 => {
                let len = (usize::from(u8_at(packet, at + 1)?) + 1) * 8;
                next = u8_at(packet, at)?;
                at += len;
            }
            44 => {
                s.ipv6_fragments += 1;
                fragmented = true;
                let offset = u16_at(packet, at + 2)? >> 3;
                next = u8_at(packet, at)?;
                at += 8;
                if offset != 0 {
                    return Some(());
                }
            }
            _ => break,
        }
    }
    let upper = packet.get(at..)?;
    match next {
        58 => match u8_at(upper, 0)? {
            128 | 129 => s.icmpv6_echo += 1,
            130..=132 | 143 => s.mld += 1,
            133..=137 => s.ndp += 1,
            other => panic!("unexpected ICMPv6 type {other}"),
        },
        6 => {
            s.tcp6 += 1;
            count_syn(s, upper)?;
        }
        17 => s.udp6 += 1,
        other => panic!("unexpected IPv6 next header {other}"),
    }
    if !fragmented {
        let mut sum = internet_sum(0, packet.get(8..40)?);
        sum += upper.len() as u32 + u32::from(next);
        assert_eq!(
            internet_checksum(sum, upper),
            0xffff,
            "IPv6 next header {next} checksum"
        );
        s.checksums_verified += 1;
    }
    Some(())
}

fn count_syn(s: &mut Summary, tcp: &[u8]) -> Option<()> {
    let data_offset = usize::from(u8_at(tcp, 12)? >> 4) * 4;
    if u8_at(tcp, 13)? & 0x02 != 0 && data_offset > 20 {
        s.tcp_syn_with_options += 1;
    }
    Some(())
}

/// The 32-bit one's-complement accumulation of `data` as big-endian 16-bit words onto
/// `sum` (RFC 1071), an independent reference for the test.
fn internet_sum(mut sum: u32, data: &[u8]) -> u32 {
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    sum
}

/// The folded sum of `data` onto `start`; 0xffff when a checksum in `data` is right.
fn internet_checksum(start: u32, data: &[u8]) -> u16 {
    let mut sum = u64::from(internet_sum(start, data));
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}
