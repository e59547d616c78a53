//! Criterion benchmarks of rayos-net's libraries against peer crates, on the same
//! input, in the same group. Run them with `cargo xtask bench`, which also writes
//! `benches/RESULTS.md`. This library target holds the inputs the benches share.

/// Two Ethernet+IPv4+TCP frames captured from Linux (kernel 6.18), as a pcap file:
/// a 54-byte bare ACK (a 20-byte TCP header without options) and a 1514-byte
/// full-size data segment (20 bytes of IPv4, 20 of TCP, 1460 of data).
///
/// How they were made: two network namespaces joined by a veth pair, with
/// `net.ipv4.tcp_timestamps=0` in both (so segments carry no options) and
/// `ethtool -K <veth> tx off tso off gso off gro off` (so the kernel computes real
/// checksums and sends wire-size segments); `curl` fetched 200,000 random bytes from
/// `python3 -m http.server` while `tcpdump` captured on the client's side. The two
/// frames are records 8 and 7 of that capture, unchanged; `tcpdump -r FILE -nvv`
/// reports both checksums of each as correct.
pub const ETH_IPV4_TCP_PCAP: &[u8] = include_bytes!("../data/eth_ipv4_tcp.pcap");

/// The frames of a little-endian, microsecond pcap file with Ethernet link type, in
/// file order. Panics on anything else: the benches only read files committed here.
pub fn pcap_frames(pcap: &[u8]) -> Vec<Vec<u8>> {
    const GLOBAL_HEADER_LEN: usize = 24;
    const RECORD_HEADER_LEN: usize = 16;
    let u32_le = |at: usize| u32::from_le_bytes(pcap[at..at + 4].try_into().unwrap());
    assert_eq!(
        u32_le(0),
        0xa1b2_c3d4,
        "pcap magic (little-endian, microseconds)"
    );
    assert_eq!(u32_le(20), 1, "pcap link type (Ethernet)");
    let mut frames = Vec::new();
    let mut at = GLOBAL_HEADER_LEN;
    while at < pcap.len() {
        let incl = u32_le(at + 8) as usize;
        let orig = u32_le(at + 12) as usize;
        assert_eq!(incl, orig, "a frame was cut short by the snap length");
        at += RECORD_HEADER_LEN;
        frames.push(pcap[at..at + incl].to_vec());
        at += incl;
    }
    frames
}

/// The 54-byte Ethernet+IPv4+TCP frame of [`ETH_IPV4_TCP_PCAP`]: an ACK from
/// 10.99.7.2:51862 to 10.99.7.1:8000 with no TCP options and no data.
pub fn eth_ipv4_tcp_54() -> Vec<u8> {
    let frame = pcap_frames(ETH_IPV4_TCP_PCAP).swap_remove(0);
    assert_eq!(frame.len(), 54);
    frame
}

/// The 1514-byte Ethernet+IPv4+TCP frame of [`ETH_IPV4_TCP_PCAP`]: a data segment
/// from 10.99.7.1:8000 to 10.99.7.2:51862 with 1460 bytes of data.
pub fn eth_ipv4_tcp_1514() -> Vec<u8> {
    let frame = pcap_frames(ETH_IPV4_TCP_PCAP).swap_remove(1);
    assert_eq!(frame.len(), 1514);
    frame
}
