//! Criterion benchmarks of rayos-net's libraries against peer crates, on the same
//! input, in the same group. Run them with `cargo xtask bench`, which also writes
//! `benches/RESULTS.md`. This library target holds the inputs the benches share,
//! and [`netsim`], the simulated link on which two TCP stacks run the same flow.

extern crate alloc;

pub mod netsim;

/// `len` bytes of deterministic pseudo-random data (xorshift64*, fixed seed), the same
/// on every run and every machine, so that every peer sums the same bytes.
///
/// Random-looking bytes keep the carries of a ones'-complement sum realistic; a
/// buffer of zeros or a repeated pattern would not exercise them.
pub fn payload(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let word = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let take = (len - out.len()).min(8);
        out.extend_from_slice(&word.to_le_bytes()[..take]);
    }
    out
}

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

/// The frames of a pcap or pcapng file, in file order, read with `rayos_net::pcap`.
/// Panics on a malformed file or a frame cut short by the snap length: the benches
/// only read files committed here.
pub fn pcap_frames(pcap: &[u8]) -> Vec<Vec<u8>> {
    let capture = rayos_net::pcap::Capture::new(pcap).expect("a capture file");
    capture
        .records()
        .map(|record| {
            let record = record.expect("a well-formed record");
            assert!(
                !record.is_truncated(),
                "a frame was cut short by the snap length"
            );
            record.data.to_vec()
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_deterministic_and_sized() {
        for len in [0, 1, 7, 8, 9, 20, 1500] {
            let a = payload(len);
            assert_eq!(a.len(), len);
            assert_eq!(a, payload(len));
        }
        // A longer payload starts with the shorter one: one stream, cut to length.
        assert_eq!(payload(1500)[..64], payload(64)[..]);
        // Not a constant fill.
        let p = payload(64);
        assert!(p.iter().any(|&b| b != p[0]));
    }
}
