//! Parse and validate Ethernet + IPv4 + TCP, with the IPv4 header checksum and the TCP
//! checksum verified, on two frames Linux sent (see `rayos_net_benches::ETH_IPV4_TCP_PCAP`):
//! a 54-byte bare ACK and a 1514-byte full-size data segment.
//!
//! Every function does the whole job for its library and says whether the frame was
//! accepted; each library must accept both frames before anything is measured.
//!
//! - `rayos`: netstack's checked views and `Repr::parse` for each layer, with
//!   `ChecksumCapabilities::default()` (both checksums verified).
//! - `smoltcp`: the same calls in smoltcp 0.14, with its default capabilities (both
//!   checksums verified).
//! - `etherparse`: `SlicedPacket::from_ethernet`, then the IPv4 header checksum (a sum
//!   over the header slice with etherparse's `Sum16BitWords`) and the TCP checksum
//!   (`TcpSlice::calc_checksum_ipv4`) compared with the fields. etherparse's slicing
//!   checks neither checksum by itself.
//! - `etherparse_slice`: `SlicedPacket::from_ethernet` alone, no checksum.

use core::hint::black_box;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use netstack::wire::{ChecksumCapabilities, IpProtocol, ethernet, ipv4, tcp};
use rayos_net_benches::{eth_ipv4_tcp_54, eth_ipv4_tcp_1514};

/// netstack: Ethernet, IPv4 (checksum verified), TCP over the IPv4 payload (checksum
/// and options verified).
fn rayos(frame: &[u8]) -> bool {
    let caps = ChecksumCapabilities::default();
    let Ok(eth) = ethernet::Frame::new_checked(frame) else {
        return false;
    };
    let Ok(eth_repr) = ethernet::Repr::parse(&eth) else {
        return false;
    };
    if eth_repr.ethertype != ethernet::EtherType::IPV4 {
        return false;
    }
    let Ok(ip) = ipv4::Packet::new_checked(eth.payload()) else {
        return false;
    };
    let Ok(ip_repr) = ipv4::Repr::parse(&ip, &caps) else {
        return false;
    };
    if ip_repr.protocol != IpProtocol::TCP {
        return false;
    }
    let Ok(segment) = tcp::Packet::new_checked(ip.payload_ref()) else {
        return false;
    };
    let src = ip_repr.src_addr.into();
    let dst = ip_repr.dst_addr.into();
    let Ok(tcp_repr) = tcp::Repr::parse(&segment, &src, &dst, &caps) else {
        return false;
    };
    black_box((&eth_repr, &ip_repr, &tcp_repr));
    true
}

/// smoltcp 0.14: the same layers and checks through its wire API.
fn smoltcp(frame: &[u8]) -> bool {
    use smoltcp::phy::ChecksumCapabilities;
    use smoltcp::wire::{
        EthernetFrame, EthernetProtocol, EthernetRepr, IpProtocol, Ipv4Packet, Ipv4Repr, TcpPacket,
        TcpRepr,
    };
    let caps = ChecksumCapabilities::default();
    let Ok(eth) = EthernetFrame::new_checked(frame) else {
        return false;
    };
    let Ok(eth_repr) = EthernetRepr::parse(&eth) else {
        return false;
    };
    if eth_repr.ethertype != EthernetProtocol::Ipv4 {
        return false;
    }
    let Ok(ip) = Ipv4Packet::new_checked(eth.payload()) else {
        return false;
    };
    let Ok(ip_repr) = Ipv4Repr::parse(&ip, &caps) else {
        return false;
    };
    if ip_repr.next_header != IpProtocol::Tcp {
        return false;
    }
    let Ok(segment) = TcpPacket::new_checked(ip.payload()) else {
        return false;
    };
    let Ok(tcp_repr) = TcpRepr::parse(
        &segment,
        &ip_repr.src_addr.into(),
        &ip_repr.dst_addr.into(),
        &caps,
    ) else {
        return false;
    };
    black_box((&eth_repr, &ip_repr, &tcp_repr));
    true
}

/// etherparse 0.21: slicing, then both checksums verified by hand with its helpers.
fn etherparse(frame: &[u8]) -> bool {
    use etherparse::checksum::Sum16BitWords;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let Ok(packet) = SlicedPacket::from_ethernet(frame) else {
        return false;
    };
    let (Some(NetSlice::Ipv4(ip)), Some(TransportSlice::Tcp(segment))) =
        (&packet.net, &packet.transport)
    else {
        return false;
    };
    let header = ip.header();
    // The sum over a header whose checksum is right is 0xffff; its complement is 0.
    if Sum16BitWords::new()
        .add_slice(header.slice())
        .ones_complement()
        != 0
    {
        return false;
    }
    match segment.calc_checksum_ipv4(header.source(), header.destination()) {
        Ok(sum) if sum == segment.checksum() => {}
        _ => return false,
    }
    black_box(&packet);
    true
}

/// etherparse 0.21: slicing alone (no checksum is verified).
fn etherparse_slice(frame: &[u8]) -> bool {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let Ok(packet) = SlicedPacket::from_ethernet(frame) else {
        return false;
    };
    let accepted = matches!(
        (&packet.net, &packet.transport),
        (Some(NetSlice::Ipv4(_)), Some(TransportSlice::Tcp(_)))
    );
    black_box(&packet);
    accepted
}

type Parser = fn(&[u8]) -> bool;

const PARSERS: [(&str, Parser); 4] = [
    ("rayos", rayos),
    ("smoltcp", smoltcp),
    ("etherparse", etherparse),
    ("etherparse_slice", etherparse_slice),
];

fn bench_frame(c: &mut Criterion, group_name: &str, frame: &[u8]) {
    for (name, parse) in PARSERS {
        assert!(parse(frame), "{name} rejects the {group_name} frame");
        // Each library must also notice a broken TCP checksum (etherparse_slice
        // checks none, on purpose).
        let mut broken = frame.to_vec();
        let last = broken.len() - 1;
        broken[last] ^= 0x01;
        if name != "etherparse_slice" {
            assert!(
                !parse(&broken),
                "{name} accepts a {group_name} frame with a bad TCP checksum"
            );
        }
        // ... and a broken IPv4 header checksum (byte 14 + 10 is the field).
        let mut broken = frame.to_vec();
        broken[24] ^= 0x01;
        if name != "etherparse_slice" {
            assert!(
                !parse(&broken),
                "{name} accepts a {group_name} frame with a bad IPv4 checksum"
            );
        }
    }
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(frame.len() as u64));
    // Direct calls, not through `PARSERS`' function pointers, so that each library's
    // code can be inlined into its loop as it would be into a caller's.
    group.bench_function("rayos", |b| b.iter(|| rayos(black_box(frame))));
    group.bench_function("smoltcp", |b| b.iter(|| smoltcp(black_box(frame))));
    group.bench_function("etherparse", |b| b.iter(|| etherparse(black_box(frame))));
    group.bench_function("etherparse_slice", |b| {
        b.iter(|| etherparse_slice(black_box(frame)))
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    bench_frame(c, "parse/eth_ipv4_tcp_54", &eth_ipv4_tcp_54());
    bench_frame(c, "parse/eth_ipv4_tcp_1514", &eth_ipv4_tcp_1514());
}

criterion_group!(benches, parse);
criterion_main!(benches);
