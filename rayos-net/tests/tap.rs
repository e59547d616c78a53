//! The TAP driver against a real peer: the Linux kernel's own stack.
//!
//! `linux_resolves_us_by_arp_and_sends_the_echo_request` needs root (it creates a
//! network namespace and a TAP interface); `cargo xtask test` runs it.
#![cfg(all(feature = "std", target_os = "linux"))]

use core::net::Ipv4Addr;
use core::time::Duration;
use rayos_net::device::tap::Tap;
use rayos_net::device::{Device, PcapWriter};
use rayos_net::netstack::wire::ethernet::{EtherType, Frame, Repr as EthernetRepr};
use rayos_net::netstack::wire::icmpv4::{Message, Packet as IcmpPacket};
use rayos_net::netstack::wire::ip::IpProtocol;
use rayos_net::netstack::wire::ipv4::Packet as Ipv4Packet;
use rayos_net::netstack::wire::{EthernetAddress, arp};
use rayos_net::pcap::{Capture, LinkType, PcapWriter as PcapFile};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// Linux's address on the link, and ours.
const LINUX: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
const OURS: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
/// Our MAC: locally administered, unicast.
const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x00, 0x77, 0x00, 0x02]);

/// Runs `ip ARGS`, which must succeed.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The namespace (and the `ping` in it); deleted on drop, also when the test fails.
struct Netns {
    name: String,
    ping: Option<Child>,
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Some(mut p) = self.ping.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = std::fs::remove_file(pcap_path(&self.name));
    }
}

fn pcap_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{name}.pcap"))
}

#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn linux_resolves_us_by_arp_and_sends_the_echo_request() {
    let pid = std::process::id();
    let name = format!("rtap{pid}");
    ip(&["netns", "add", &name]);
    let mut ns = Netns {
        name: name.clone(),
        ping: None,
    };

    // Created in our namespace, then moved: the descriptor stays attached.
    let tap = Tap::open(&name).expect("create the TAP interface");
    assert_eq!(tap.name(), name);
    assert_eq!(tap.capabilities().mtu, tap.mtu() + 14);
    // Everything crossing the device is recorded, to be read by tcpdump at the end.
    let file = std::fs::File::create(pcap_path(&name)).expect("create the pcap file");
    let file = PcapFile::new(std::io::BufWriter::new(file), LinkType::ETHERNET, 65535)
        .expect("write the pcap header");
    let mut tap = PcapWriter::new(tap, file);
    ip(&["link", "set", &name, "netns", &name]);
    let addr = format!("{LINUX}/24");
    ip(&["-n", &name, "addr", "add", &addr, "dev", &name]);
    ip(&["-n", &name, "link", "set", &name, "up"]);

    let target = OURS.to_string();
    ns.ping = Some(
        Command::new("ip")
            .args(["netns", "exec", &name, "ping", "-c1", "-W5", &target])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run ping"),
    );

    let start = Instant::now();
    let mut linux_mac = None;
    let mut answered_arp = false;
    let mut echo_request = None;
    while echo_request.is_none() && start.elapsed() < Duration::from_secs(10) {
        let now = start.elapsed();
        let mut reply: Option<arp::Repr> = None;
        tap.receive(now, |bytes| {
            let Ok(frame) = Frame::new_checked(&*bytes) else {
                return;
            };
            match frame.ethertype() {
                EtherType::ARP => {
                    let Ok(packet) = arp::Packet::new_checked(frame.payload()) else {
                        return;
                    };
                    let Ok(repr) = arp::Repr::parse(&packet) else {
                        return;
                    };
                    if repr.operation == arp::Operation::REQUEST
                        && repr.target_protocol_addr == OURS
                        && repr.source_protocol_addr == LINUX
                    {
                        linux_mac = Some(repr.source_hardware_addr);
                        reply = Some(repr.reply(OUR_MAC));
                    }
                }
                EtherType::IPV4 if frame.dst_addr() == OUR_MAC => {
                    let Ok(ipv4) = Ipv4Packet::new_checked(frame.payload()) else {
                        return;
                    };
                    if ipv4.protocol() == IpProtocol::ICMP
                        && ipv4.dst_addr() == OURS
                        && let Ok(icmp) = IcmpPacket::new_checked(ipv4.payload())
                        && icmp.msg_type() == Message::ECHO_REQUEST
                    {
                        echo_request = Some((ipv4.src_addr(), frame.src_addr()));
                    }
                }
                _ => {}
            }
        });
        if let Some(reply) = reply {
            let eth = EthernetRepr {
                src_addr: OUR_MAC,
                dst_addr: reply.target_hardware_addr,
                vlan: None,
                inner_vlan: None,
                ethertype: EtherType::ARP,
            };
            let sent = tap.transmit_one(now, |buf| {
                let h = eth.header_len();
                let len = h + reply.buffer_len();
                if eth.emit(buf).is_err() || reply.emit(&mut buf[h..]).is_err() {
                    return usize::MAX; // refused by the device, counted
                }
                len
            });
            assert!(sent, "our ARP reply was written");
            answered_arp = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }

    let linux_mac = linux_mac.expect("Linux asked who has our address");
    assert!(answered_arp);
    let (src, src_mac) = echo_request.expect("Linux sent the echo request to our MAC");
    assert_eq!(src, LINUX);
    assert_eq!(src_mac, linux_mac);
    let stats = tap.get_ref().stats();
    assert!(stats.rx_frames >= 2);
    assert_eq!(stats.tx_frames, 1);
    assert_eq!(stats.tx_dropped, 0);
    assert_eq!(tap.sink_errors(), 0);

    // The capture: we read it back, and so does tcpdump.
    let (_, mut file) = tap.into_parts();
    file.flush().expect("flush the capture");
    drop(file);
    let path = pcap_path(&name);
    let bytes = std::fs::read(&path).expect("read the capture");
    let frames = Capture::new(&bytes)
        .expect("our capture opens")
        .records()
        .map(|r| r.expect("every record reads").data.to_vec())
        .collect::<Vec<_>>();
    assert_eq!(frames.len() as u64, stats.rx_frames + stats.tx_frames);
    let out = Command::new("tcpdump")
        .args(["-r", path.to_str().expect("UTF-8 path"), "-n", "-e"])
        .output()
        .expect("run tcpdump");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tcpdump -r: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.lines().count(), frames.len(), "{text}");
    assert!(
        text.contains("Request who-has 10.77.0.2 tell 10.77.0.1"),
        "{text}"
    );
    assert!(
        text.contains("Reply 10.77.0.2 is-at 02:00:00:77:00:02"),
        "{text}"
    );
    assert!(
        text.contains("10.77.0.1 > 10.77.0.2: ICMP echo request"),
        "{text}"
    );
    drop(ns);
}

/// Linux pings our interface over the TAP device, in both families: it resolves us by
/// ARP and by NDP, and every echo request gets netstack's echo reply. `ping` succeeding
/// is the Linux kernel's verdict on our answers.
#[test]
#[ignore = "needs root: run by cargo xtask test"]
fn linux_pings_our_interface_over_ipv4_and_ipv6() {
    use core::net::Ipv6Addr;
    use rayos_net::netstack::iface::interface::{Handled, Interface};
    use rayos_net::netstack::iface::neighbor::{Cache, Config};

    let name = format!("rif{}", std::process::id());
    ip(&["netns", "add", &name]);
    let mut ns = Netns {
        name: name.clone(),
        ping: None,
    };
    let mut tap = Tap::open(&name).expect("create the TAP interface");
    ip(&["link", "set", &name, "netns", &name]);
    ip(&["-n", &name, "addr", "add", "10.77.1.1/24", "dev", &name]);
    ip(&[
        "-n",
        &name,
        "addr",
        "add",
        "fd00:77::1/64",
        "dev",
        &name,
        "nodad",
    ]);
    ip(&["-n", &name, "link", "set", &name, "up"]);

    let ours6: Ipv6Addr = "fd00:77::2".parse().unwrap();
    let mut iface: Interface<2> = Interface::new(OUR_MAC);
    iface.add_ipv4(Ipv4Addr::new(10, 77, 1, 2), 24).unwrap();
    iface.add_ipv6(ours6, 64).unwrap();
    let mut neighbors: Cache<8, 2, 1514> = Cache::new(Config::default());

    let ping = Command::new("ip")
        .args(["netns", "exec", &name, "sh", "-c"])
        .arg("ping -c 3 -i 0.2 -W 2 10.77.1.2 && ping -6 -c 3 -i 0.2 -W 2 fd00:77::2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ping");
    ns.ping = Some(ping);

    let start = Instant::now();
    let mut replies = 0;
    let status = loop {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "ping did not finish"
        );
        let now = start.elapsed();
        let mut answers: Vec<Vec<u8>> = Vec::new();
        tap.receive(now, |frame| {
            let mut tx = [0u8; 1514];
            if let Ok(Handled::Reply(len)) = iface.handle_frame(now, frame, &mut neighbors, &mut tx)
            {
                answers.push(tx[..len].to_vec());
            }
        });
        for answer in answers {
            assert!(tap.transmit_one(now, |buf| {
                buf[..answer.len()].copy_from_slice(&answer);
                answer.len()
            }));
            replies += 1;
        }
        if let Some(status) = ns.ping.as_mut().unwrap().try_wait().expect("wait for ping") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let out = ns
        .ping
        .take()
        .unwrap()
        .wait_with_output()
        .expect("ping output");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.success(),
        "ping failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("3 packets transmitted, 3 received"), "{text}");
    assert_eq!(
        text.matches("3 received, 0% packet loss").count(),
        2,
        "{text}"
    );
    // ARP reply + 3 echo replies, Neighbor Advertisement + 3 echo replies (Linux may
    // ask again; never fewer).
    assert!(replies >= 8, "{replies} answers");
    drop(ns);
}
