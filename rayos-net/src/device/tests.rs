//! Tests of the device module as a whole: lending, stacking, a virtqueue model.

use super::*;
use crate::pcap::{Capture, LinkType};
extern crate alloc;
use alloc::vec;
use alloc::vec::Vec;

/// The buffer a frame is received in is the buffer it was written into: no copy,
/// through a stack of middleware too (when no fault holds the frame back).
#[test]
fn frames_are_lent_not_copied_through_the_middleware() {
    let mut capture = [0u8; 256];
    let sink = BufferSink::new(&mut capture, LinkType::ETHERNET).unwrap();
    let dev = FaultInjector::<_, 4, 64>::new(Loopback::<4, 64>::new(), FaultConfig::default(), 1);
    let mut dev = PcapWriter::new(dev, sink);
    let now = Duration::from_secs(1);
    let mut tx_ptrs = Vec::new();
    let mut n = 0u8;
    dev.transmit(now, |buf| {
        n += 1;
        (n <= 3).then(|| {
            tx_ptrs.push(buf.as_ptr());
            buf[..3].copy_from_slice(&[n; 3]);
            3
        })
    });
    let mut rx_ptrs = Vec::new();
    let mut frames = Vec::new();
    dev.receive(now, |f| {
        rx_ptrs.push(f.as_ptr());
        frames.push(f.to_vec());
    });
    assert_eq!(frames, [[1u8; 3], [2; 3], [3; 3]]);
    assert_eq!(rx_ptrs, tx_ptrs);
    // The capture has all six (three out, three in).
    let records = Capture::new(dev.sink().as_bytes())
        .unwrap()
        .records()
        .count();
    assert_eq!(records, 6);
}

/// Two hosts on a link, each behind a fault injector and a pcap writer: an ARP
/// exchange built with netstack's `arp::Repr` crosses, and a lost request is
/// retried.
#[test]
fn two_hosts_exchange_arp_over_stacked_middleware() {
    use core::net::Ipv4Addr;
    use netstack::wire::EthernetAddress;
    use netstack::wire::arp;
    use netstack::wire::ethernet::{EtherType, Frame, Repr as Eth};

    let mac_a = EthernetAddress([2, 0, 0, 0, 0, 1]);
    let mac_b = EthernetAddress([2, 0, 0, 0, 0, 2]);
    let ip_a = Ipv4Addr::new(192, 0, 2, 1);
    let ip_b = Ipv4Addr::new(192, 0, 2, 2);
    let link = Link::<4, 1514>::new();
    let (a, b) = link.ports();
    let (mut cap_a, mut cap_b) = ([0u8; 1024], [0u8; 1024]);
    let lossy = FaultConfig {
        drop: 1.0,
        ..FaultConfig::default()
    };
    let mut a = PcapWriter::new(
        FaultInjector::<_, 4, 1514>::new(a, FaultConfig::default(), 7),
        BufferSink::new(&mut cap_a, LinkType::ETHERNET).unwrap(),
    );
    let mut b = PcapWriter::new(
        FaultInjector::<_, 4, 1514>::new(b, lossy, 7),
        BufferSink::new(&mut cap_b, LinkType::ETHERNET).unwrap(),
    );

    fn send_arp<D: Device>(
        dev: &mut D,
        now: Duration,
        src: EthernetAddress,
        dst: EthernetAddress,
        repr: arp::Repr,
    ) -> bool {
        let eth = Eth {
            src_addr: src,
            dst_addr: dst,
            vlan: None,
            inner_vlan: None,
            ethertype: EtherType::ARP,
        };
        dev.transmit_one(now, |buf| {
            let h = eth.header_len();
            match (eth.emit(buf), buf.get_mut(h..).map(|p| repr.emit(p))) {
                (Ok(()), Some(Ok(()))) => h + repr.buffer_len(),
                _ => usize::MAX,
            }
        })
    }
    fn recv_arp<D: Device>(dev: &mut D, now: Duration) -> Vec<arp::Repr> {
        let mut out = Vec::new();
        dev.receive(now, |f| {
            if let Ok(frame) = Frame::new_checked(&*f)
                && frame.ethertype() == EtherType::ARP
                && let Ok(p) = arp::Packet::new_checked(frame.payload())
                && let Ok(r) = arp::Repr::parse(&p)
            {
                out.push(r);
            }
        });
        out
    }

    let request = arp::Repr::request(mac_a, ip_a, ip_b);
    let t0 = Duration::from_secs(10);
    assert!(send_arp(
        &mut a,
        t0,
        mac_a,
        EthernetAddress([0xff; 6]),
        request
    ));
    // B's injector loses it.
    assert!(recv_arp(&mut b, t0).is_empty());
    assert_eq!(b.get_ref().stats().dropped, 1);
    // A retries with the link healed.
    b.get_mut().set_config(FaultConfig::default());
    let t1 = Duration::from_secs(11);
    assert!(send_arp(
        &mut a,
        t1,
        mac_a,
        EthernetAddress([0xff; 6]),
        request
    ));
    let got = recv_arp(&mut b, t1);
    assert_eq!(got, [request]);
    let reply = got[0].reply(mac_b);
    assert!(send_arp(&mut b, t1, mac_b, mac_a, reply));
    let got = recv_arp(&mut a, t1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].operation, arp::Operation::REPLY);
    assert_eq!(
        (got[0].source_hardware_addr, got[0].source_protocol_addr),
        (mac_b, ip_b)
    );

    // A's capture: the two requests it sent and the reply it received. B's sits
    // above B's injector: only the request that got through, and the reply.
    let count = |bytes: &[u8]| Capture::new(bytes).unwrap().records().count();
    assert_eq!(count(a.sink().as_bytes()), 3);
    assert_eq!(count(b.sink().as_bytes()), 2);
}

/// A model of a virtio-net driver (split virtqueues, as in the virtio 1.2
/// specification, sections 2.7 and 5.1), written against the trait as the module docs
/// describe, to show the trait fits one: descriptors are indices into a table of
/// buffers, each buffer starts with the 12-byte `virtio_net_hdr`, and the "device" side
/// is played by `host_deliver` and `host_collect`.
mod virtqueue_model {
    use super::*;
    use alloc::collections::VecDeque;

    /// `struct virtio_net_hdr` with `VIRTIO_NET_F_MRG_RXBUF` or VIRTIO 1.x (12 bytes).
    const HDR: usize = 12;
    const QSIZE: usize = 4;
    const FRAME: usize = 1514;

    /// One split virtqueue as its driver sees it.
    struct Virtqueue {
        /// Descriptor `i` points at `buffers[i]`.
        buffers: [[u8; HDR + FRAME]; QSIZE],
        /// The length the driver gave descriptor `i` (transmit).
        desc_len: [usize; QSIZE],
        /// Descriptor ids the driver offers the device.
        avail: VecDeque<usize>,
        /// Descriptor ids the device is done with, and the bytes it wrote.
        used: VecDeque<(usize, usize)>,
        /// Notifications ("kicks") the driver sent.
        kicks: usize,
    }

    impl Virtqueue {
        fn new() -> Self {
            Virtqueue {
                buffers: [[0; HDR + FRAME]; QSIZE],
                desc_len: [0; QSIZE],
                avail: VecDeque::new(),
                used: VecDeque::new(),
                kicks: 0,
            }
        }
    }

    struct VirtioNet {
        rx: Virtqueue,
        tx: Virtqueue,
        tx_free: Vec<usize>,
    }

    impl VirtioNet {
        /// Posts every receive buffer; every transmit descriptor starts free.
        fn new() -> Self {
            let mut rx = Virtqueue::new();
            rx.avail.extend(0..QSIZE);
            VirtioNet {
                rx,
                tx: Virtqueue::new(),
                tx_free: (0..QSIZE).rev().collect(),
            }
        }

        /// The device receives `frame` from the wire into a posted buffer.
        fn host_deliver(&mut self, frame: &[u8]) -> bool {
            let Some(id) = self.rx.avail.pop_front() else {
                return false;
            };
            let buf = &mut self.rx.buffers[id];
            buf[..HDR].fill(0);
            buf[HDR..HDR + frame.len()].copy_from_slice(frame);
            self.rx.used.push_back((id, HDR + frame.len()));
            true
        }

        /// The device sends what the driver exposed, and returns the descriptors.
        fn host_collect(&mut self) -> Vec<Vec<u8>> {
            let mut out = Vec::new();
            while let Some(id) = self.tx.avail.pop_front() {
                let len = self.tx.desc_len[id];
                out.push(self.tx.buffers[id][HDR..len].to_vec());
                self.tx.used.push_back((id, 0));
            }
            out
        }
    }

    impl Device for VirtioNet {
        fn capabilities(&self) -> Capabilities {
            Capabilities::new(Medium::Ethernet, FRAME).with_max_burst(QSIZE)
        }

        fn receive<F: FnMut(&mut [u8])>(&mut self, _now: Duration, mut f: F) -> usize {
            let mut n = 0;
            while n < QSIZE {
                let Some((id, len)) = self.rx.used.pop_front() else {
                    break;
                };
                // Lend the frame in place, after the header...
                if let Some(frame) = self.rx.buffers[id].get_mut(HDR..len) {
                    f(frame);
                    n += 1;
                }
                // ...then post the same descriptor again.
                self.rx.avail.push_back(id);
            }
            if n > 0 {
                self.rx.kicks += 1;
            }
            n
        }

        fn transmit<F>(&mut self, _now: Duration, mut f: F) -> usize
        where
            F: FnMut(&mut [u8]) -> Option<usize>,
        {
            // Reclaim what the device has sent.
            while let Some((id, _)) = self.tx.used.pop_front() {
                self.tx_free.push(id);
            }
            let mut n = 0;
            for _ in 0..QSIZE {
                let Some(&id) = self.tx_free.last() else {
                    break; // back-pressure: no buffer to lend
                };
                let (hdr, payload) = self.tx.buffers[id].split_at_mut(HDR);
                let Some(len) = f(payload) else {
                    break;
                };
                if len > payload.len() {
                    continue; // invalid: the descriptor stays free
                }
                hdr.fill(0); // no checksum offload asked (flags 0), no GSO
                self.tx_free.pop();
                self.tx.desc_len[id] = HDR + len;
                self.tx.avail.push_back(id);
                n += 1;
            }
            if n > 0 {
                self.tx.kicks += 1;
            }
            n
        }
    }

    #[test]
    fn receive_lends_posted_buffers_and_reposts_them_one_kick_per_batch() {
        let mut nic = VirtioNet::new();
        for i in 1..=3u8 {
            assert!(nic.host_deliver(&[i; 60]));
        }
        let mut got = Vec::new();
        let n = nic.receive(Duration::ZERO, |f| got.push((f.as_ptr(), f.to_vec())));
        assert_eq!(n, 3);
        for (i, (ptr, frame)) in got.iter().enumerate() {
            // The frame is read where the device wrote it: descriptor i, after the header.
            assert_eq!(*ptr, nic.rx.buffers[i][HDR..].as_ptr());
            assert_eq!(*frame, vec![i as u8 + 1; 60]);
        }
        assert_eq!(nic.rx.kicks, 1);
        assert_eq!(nic.rx.avail.len(), QSIZE);
        assert_eq!(nic.receive(Duration::ZERO, |_| {}), 0);
        assert_eq!(nic.rx.kicks, 1);
    }

    #[test]
    fn transmit_fills_free_descriptors_in_place_with_back_pressure() {
        let mut nic = VirtioNet::new();
        let mut calls = 0u8;
        let sent = nic.transmit(Duration::ZERO, |buf| {
            calls += 1;
            buf[..2].copy_from_slice(&[calls, calls]);
            Some(2)
        });
        // Four descriptors, four frames, one kick; no fifth call.
        assert_eq!((sent, calls), (4, 4));
        assert_eq!(nic.tx.kicks, 1);
        // All descriptors are with the device: no buffer, the closure is not called.
        let sent = nic.transmit(Duration::ZERO, |_| unreachable!("no free descriptor"));
        assert_eq!(sent, 0);
        let wire = nic.host_collect();
        assert_eq!(wire, [vec![1, 1], vec![2, 2], vec![3, 3], vec![4, 4]]);
        // The device returned them: transmit reclaims and lends them again.
        assert!(nic.transmit_one(Duration::ZERO, |buf| {
            buf[0] = 9;
            1
        }));
        assert_eq!(nic.host_collect(), [vec![9]]);
    }

    #[test]
    fn the_middleware_stacks_over_it() {
        let mut capture = [0u8; 512];
        let sink = BufferSink::new(&mut capture, LinkType::ETHERNET).unwrap();
        let nic = FaultInjector::<_, 2, 1514>::new(VirtioNet::new(), FaultConfig::default(), 3);
        let mut dev = PcapWriter::new(nic, sink);
        dev.get_mut().get_mut().host_deliver(&[7; 64]);
        let mut got = Vec::new();
        dev.receive(Duration::from_secs(2), |f| got.push(f.to_vec()));
        assert_eq!(got, [vec![7u8; 64]]);
        assert_eq!(
            Capture::new(dev.sink().as_bytes())
                .unwrap()
                .records()
                .count(),
            1
        );
    }
}
