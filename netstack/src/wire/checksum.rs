//! The Internet checksum (RFC 1071), pseudo-headers, incremental update (RFC 1624),
//! and per-protocol checksum capabilities (compute, verify, or leave to hardware).
//!
//! All sums here are *ones'-complement sums folded to 16 bits*, not yet inverted; the
//! value written into a header is `!sum`. A received PDU is valid when the sum over
//! it, checksum field included, is `0xffff`.

use super::ip::IpProtocol;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Folds a wide ones'-complement accumulator to 16 bits.
#[inline(always)]
pub const fn fold(mut sum: u64) -> u16 {
    sum = (sum & 0xffff_ffff) + (sum >> 32);
    sum = (sum & 0xffff_ffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum as u16
}

/// Ones'-complement sum of `data` as big-endian 16-bit words, folded to 16 bits.
///
/// An odd trailing byte is padded with a zero byte, as RFC 1071 says. The loop sums
/// native-endian 32-bit words into independent 64-bit lanes, which the compiler turns
/// into SIMD adds; by RFC 1071 section 2(B) the sum is byte-order independent, so one
/// swap at the end gives the big-endian result.
#[inline]
pub fn data(data: &[u8]) -> u16 {
    const LANES: usize = 8;
    let mut acc = [0u64; LANES];
    let mut chunks = data.chunks_exact(4 * LANES);
    for chunk in &mut chunks {
        for (lane, word) in acc.iter_mut().zip(chunk.chunks_exact(4)) {
            *lane += u64::from(u32::from_ne_bytes([word[0], word[1], word[2], word[3]]));
        }
    }
    let mut sum: u64 = acc.iter().sum();
    let rest = chunks.remainder();
    let mut words = rest.chunks_exact(2);
    for w in &mut words {
        sum += u64::from(u16::from_ne_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u64::from(u16::from_ne_bytes([*last, 0]));
    }
    u16::from_be(fold(sum))
}

/// Ones'-complement sum of several partial sums.
#[inline]
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// Sum of the IPv4 pseudo-header (RFC 793 section 3.1, RFC 768).
#[inline]
pub fn pseudo_header_v4(src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol, length: u16) -> u16 {
    let s = src.octets();
    let d = dst.octets();
    let words = [
        u16::from_be_bytes([s[0], s[1]]),
        u16::from_be_bytes([s[2], s[3]]),
        u16::from_be_bytes([d[0], d[1]]),
        u16::from_be_bytes([d[2], d[3]]),
        u16::from(protocol.0),
        length,
    ];
    combine(&words)
}

/// Sum of the IPv6 pseudo-header (RFC 8200 section 8.1).
#[inline]
pub fn pseudo_header_v6(src: Ipv6Addr, dst: Ipv6Addr, next_header: IpProtocol, length: u32) -> u16 {
    let mut sum: u64 = 0;
    for seg in src.segments().into_iter().chain(dst.segments()) {
        sum += u64::from(seg);
    }
    sum += u64::from(length >> 16) + u64::from(length & 0xffff);
    sum += u64::from(next_header.0);
    fold(sum)
}

/// Sum of the pseudo-header for either family, or `None` when the two addresses are
/// of different families. `length` is the upper-layer length (at most 65,535 for
/// IPv4).
#[inline]
pub fn pseudo_header(src: &IpAddr, dst: &IpAddr, protocol: IpProtocol, length: u32) -> Option<u16> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let length = u16::try_from(length).ok()?;
            Some(pseudo_header_v4(*s, *d, protocol, length))
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => Some(pseudo_header_v6(*s, *d, protocol, length)),
        _ => None,
    }
}

/// Incrementally updates a checksum field when one 16-bit word of the covered data
/// changes from `old` to `new` (RFC 1624 section 3, equation 3:
/// `HC' = ~(~HC + ~m + m')`). Used for TTL decrement and address/port rewrites.
#[inline]
pub const fn update(checksum: u16, old: u16, new: u16) -> u16 {
    let sum = (!checksum) as u64 + (!old) as u64 + new as u64;
    !fold(sum)
}

/// Incrementally updates a checksum field when a 32-bit value (an IPv4 address) of the
/// covered data changes, as two applications of [`update`].
#[inline]
pub const fn update_u32(checksum: u16, old: u32, new: u32) -> u16 {
    let c = update(checksum, (old >> 16) as u16, (new >> 16) as u16);
    update(c, old as u16, new as u16)
}

/// Incrementally updates a checksum field when an even-length, even-aligned span of
/// the covered data changes from `old` to `new` (an IPv6 address, say). The spans must
/// be of equal length; an odd trailing byte is treated as RFC 1071 pads it.
#[inline]
pub fn update_bytes(checksum: u16, old: &[u8], new: &[u8]) -> u16 {
    let sum = u64::from(!checksum) + u64::from(!data(old)) + u64::from(data(new));
    !fold(sum)
}

/// The checksum value to write into a header, given the sum over the covered data with
/// the checksum field zeroed.
#[inline]
pub const fn finish(sum: u16) -> u16 {
    !sum
}

/// Given the sum over data that includes a checksum field holding `found`, returns
/// `Ok(())` when it verifies, or `Err(expected)` with the value the field should hold.
#[inline]
pub const fn verify(sum: u16, found: u16) -> Result<(), u16> {
    if sum == 0xffff {
        Ok(())
    } else {
        // Remove `found` from the sum (adding its complement), then invert.
        Err(!fold(sum as u64 + (!found) as u64))
    }
}

/// What to do with one protocol's checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Checksum {
    /// Compute it on transmit and verify it on receive.
    #[default]
    Both,
    /// Compute it on transmit; do not verify it on receive (the device verified it).
    Tx,
    /// Verify it on receive; do not compute it on transmit (the device fills it in).
    Rx,
    /// Neither: the device computes and verifies it (full offload).
    Offload,
}

impl Checksum {
    /// Whether received checksums are verified.
    pub const fn verify_rx(self) -> bool {
        matches!(self, Checksum::Both | Checksum::Rx)
    }

    /// Whether transmitted checksums are computed.
    pub const fn compute_tx(self) -> bool {
        matches!(self, Checksum::Both | Checksum::Tx)
    }
}

/// Checksum handling per protocol, as a device declares it.
///
/// The default computes and verifies every checksum in software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ChecksumCapabilities {
    /// IPv4 header checksum.
    pub ipv4: Checksum,
    /// UDP checksum (IPv4 and IPv6).
    pub udp: Checksum,
    /// TCP checksum (IPv4 and IPv6).
    pub tcp: Checksum,
    /// ICMPv4 checksum.
    pub icmpv4: Checksum,
    /// ICMPv6 checksum (covers NDP and MLD).
    pub icmpv6: Checksum,
    /// IGMP checksum.
    pub igmp: Checksum,
}

impl ChecksumCapabilities {
    /// Every checksum left to the device: nothing is computed or verified.
    pub const fn offloaded() -> Self {
        Self {
            ipv4: Checksum::Offload,
            udp: Checksum::Offload,
            tcp: Checksum::Offload,
            icmpv4: Checksum::Offload,
            icmpv6: Checksum::Offload,
            igmp: Checksum::Offload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward RFC 1071 reference: big-endian 16-bit words.
    fn reference(data: &[u8]) -> u16 {
        let mut sum: u32 = 0;
        for w in data.chunks(2) {
            let word = if w.len() == 2 {
                u16::from_be_bytes([w[0], w[1]])
            } else {
                u16::from_be_bytes([w[0], 0])
            };
            sum += u32::from(word);
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    /// RFC 1071 section 3: the example bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
    #[test]
    fn rfc1071_example() {
        assert_eq!(
            data(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0xddf2
        );
    }

    /// The widely used worked example of an IPv4 header checksum (UDP, 192.168.0.1 to
    /// 192.168.0.199): its checksum field holds 0xb861.
    #[test]
    fn ipv4_header_vector() {
        let mut h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(verify(data(&h), 0xb861), Ok(()));
        h[10] = 0;
        h[11] = 0;
        assert_eq!(finish(data(&h)), 0xb861);
        assert_eq!(
            verify(data(&[&h[..10], &[0x12, 0x34], &h[12..]].concat()), 0x1234),
            Err(0xb861)
        );
    }

    /// RFC 1624 section 4: HC = 0xdd2f, m changes 0x5555 -> 0x3285, HC' = 0x0000.
    #[test]
    fn rfc1624_example() {
        assert_eq!(update(0xdd2f, 0x5555, 0x3285), 0x0000);
    }

    #[test]
    fn incremental_matches_recompute() {
        let mut h = [
            0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00, 10, 0, 0, 1,
            10, 0, 0, 2,
        ];
        let c = finish(data(&h));
        // TTL 64 -> 63 changes the word TTL|protocol.
        let old = u16::from_be_bytes([h[8], h[9]]);
        h[8] = 63;
        let new = u16::from_be_bytes([h[8], h[9]]);
        let c2 = update(c, old, new);
        assert_eq!(c2, finish(data(&h)));
        // Address rewrite 10.0.0.1 -> 192.168.1.77.
        let c3 = update_u32(
            c2,
            u32::from_be_bytes([10, 0, 0, 1]),
            u32::from_be_bytes([192, 168, 1, 77]),
        );
        h[12..16].copy_from_slice(&[192, 168, 1, 77]);
        assert_eq!(c3, finish(data(&h)));
    }

    proptest::proptest! {
        #[test]
        fn data_matches_reference(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..4000)) {
            proptest::prop_assert_eq!(data(&bytes), reference(&bytes));
        }

        #[test]
        fn split_sums_combine(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), cut in 0usize..300) {
            let cut = (cut * 2).min(bytes.len() & !1);
            proptest::prop_assert_eq!(combine(&[data(&bytes[..cut]), data(&bytes[cut..])]), data(&bytes));
        }

        #[test]
        fn update_bytes_matches(mut bytes in proptest::collection::vec(proptest::num::u8::ANY, 40..41), new in proptest::collection::vec(proptest::num::u8::ANY, 16..17)) {
            let c = finish(data(&bytes));
            let c2 = update_bytes(c, &bytes[8..24], &new);
            bytes[8..24].copy_from_slice(&new);
            // 0x0000 and 0xffff are the same ones'-complement value.
            let want = finish(data(&bytes));
            proptest::prop_assert!(c2 == want || (c2 == 0 && want == 0xffff) || (c2 == 0xffff && want == 0));
        }
    }
}
