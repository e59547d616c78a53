//! The Internet checksum (RFC 1071), pseudo-headers, incremental update (RFC 1624),
//! and per-protocol checksum capabilities (compute, verify, or leave to hardware).
//!
//! All sums here are *ones'-complement sums folded to 16 bits*, not yet inverted; the
//! value written into a header is `!sum`. A received PDU is valid when the sum over
//! it, checksum field included, is `0xffff`.
//!
//! Ones' complement has two zeros. A full computation over data that is not all zeros
//! never yields -0 (`0xffff`) as the checksum, but the incremental update of RFC 1141
//! can, so a router may forward it (RFC 1624 section 3). Such a field verifies, as it
//! must; emitters write the computed +0 (`0x0000`), so re-emitting a PDU that arrived
//! with -0 changes those two bytes and nothing else. (UDP differs: a computed zero is
//! sent as `0xffff`, because a zero field means "no checksum".)

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
/// An odd trailing byte is padded with a zero byte, as RFC 1071 says. The result is
/// `0` only when every byte is zero; any other sum that is `0` modulo `0xffff` is
/// `0xffff` (ones' complement "negative zero"), as the end-around-carry addition of
/// RFC 1071 gives. Any slice is accepted (any length, any alignment); the function
/// never panics.
///
/// # How it is fast in safe, portable code
/// All that matters of a ones'-complement sum is its value modulo `0xffff`, and since
/// `2^16 = 1 (mod 0xffff)`, the words can be summed in any width (32 or 64 bits at a
/// time) as long as no carry is lost (RFC 1071 section 2(C)). By RFC 1071 section
/// 2(B) the sum is byte-order independent, so words are read in native order and one
/// byte swap at the end gives the big-endian result. Inputs of 384 bytes and more are
/// read in 128-byte steps, each split between two kinds of hardware that run at once:
/// - 64 bytes go to sixteen 32-bit lanes of two accumulator arrays: `lo` wraps modulo
///   2^32 and `hi` gets each word's upper 16 bits, from which the lost carries are
///   recovered (see `sum_steps`). The compiler turns the lanes into vector adds and
///   shifts: with baseline x86-64 (SSE2) three instructions per 16 bytes, where
///   widening every 16-bit word first (what the obvious loop compiles to) takes four
///   or more.
/// - 64 bytes go to one chain of native-word additions, each taking the previous one's
///   carry (`carrying_add`), which compiles to one `adc` with a memory operand per
///   8 bytes on x86-64 (a load and an `adcs` per 4 bytes on Cortex-M) and runs on the
///   integer units, beside the vector ones.
///
/// Shorter inputs, and the tail of long ones, use carry chains, then 64-bit words, and
/// for a final partial word one overlapping load shifted into place. Targets without
/// SIMD registers use carry chains only. `cargo bench -p rayos-net-benches --bench
/// wire -- checksum` compares this with smoltcp and etherparse on the same bytes.
///
/// It is deliberately never inlined: a loop over up to 64 KiB gains nothing from
/// inlining, and inlined into a large caller (a TCP parse) it compiled to twice the
/// instructions.
#[inline(never)]
pub fn data(data: &[u8]) -> u16 {
    sum_bytes::<{ cfg!(target_endian = "big") }, NativeWord, LANES, STEP>(data)
}

/// 32-bit lanes of the vector half of a step: sixteen fill four 128-bit registers per
/// accumulator array, enough to hide the add latency. None where the target has no
/// SIMD registers: there the lanes would only spill to the stack.
#[cfg(any(
    target_feature = "sse2",
    target_feature = "neon",
    target_feature = "simd128",
    target_feature = "altivec",
    target_feature = "vector",
))]
const LANES: usize = 16;
/// 32-bit lanes of the vector half of a step: none without SIMD registers.
#[cfg(not(any(
    target_feature = "sse2",
    target_feature = "neon",
    target_feature = "simd128",
    target_feature = "altivec",
    target_feature = "vector",
)))]
const LANES: usize = 0;
/// Bytes summed by one carry chain.
const CHAIN_BYTES: usize = 64;
/// Bytes read per step of the bulk loop: the vector lanes, then one carry chain.
const STEP: usize = 4 * LANES + CHAIN_BYTES;
/// Inputs shorter than this many steps skip the bulk loop: reducing the lanes at the
/// end costs about as much as two steps save.
const MIN_STEPS: usize = 3;
/// Steps summed before the lanes are reduced. A lane receives one 32-bit word per step,
/// so after `n` steps the upper halves of all lanes' words sum to at most
/// `n * LANES * 0xffff`, and so do the lower halves: both fit in a `u32` for
/// `n <= 4096` and `LANES <= 16`.
const BLOCK_STEPS: usize = 4096;

/// The register-wide word of the carry chains.
#[cfg(target_pointer_width = "64")]
type NativeWord = u64;
/// The register-wide word of the carry chains.
#[cfg(not(target_pointer_width = "64"))]
type NativeWord = u32;

/// The folded sum of `data` as 16-bit words read big-endian when `BE`, little-endian
/// otherwise, returned as the big-endian value of the sum.
///
/// [`data`] instantiates this once, for its target; the tests run every instantiation
/// (both byte orders, with and without lanes, 32- and 64-bit chains) on any host, so
/// the paths of big-endian and 32-bit targets are checked too.
#[inline(always)]
fn sum_bytes<const BE: bool, W: ChainWord, const LANES: usize, const STEP: usize>(
    data: &[u8],
) -> u16 {
    const { assert!(STEP == 4 * LANES + CHAIN_BYTES && LANES <= 16) };
    let Some(last) = data.last_chunk::<8>() else {
        return to_big_endian::<BE>(sum_short::<BE>(data));
    };
    let (steps, tail) = if data.len() >= MIN_STEPS * STEP {
        data.as_chunks::<STEP>()
    } else {
        (&[][..], data)
    };
    let mut sum = sum_tail::<BE, W>(tail, last);
    for block in steps.chunks(BLOCK_STEPS) {
        sum = add_end_around(sum, sum_steps::<BE, W, LANES, STEP>(block));
    }
    to_big_endian::<BE>(sum)
}

/// Folds `sum`, of words read big-endian when `BE`, and returns the big-endian value.
#[inline(always)]
fn to_big_endian<const BE: bool>(sum: u64) -> u16 {
    let folded = fold_rotate(sum);
    if BE { folded } else { folded.swap_bytes() }
}

/// Sum, congruent modulo `0xffff` to the sum of the 16-bit words of `steps`, of at most
/// `BLOCK_STEPS` steps.
#[inline(always)]
fn sum_steps<const BE: bool, W: ChainWord, const LANES: usize, const STEP: usize>(
    steps: &[[u8; STEP]],
) -> u64 {
    debug_assert!(steps.len() <= BLOCK_STEPS);
    // lo[i]: the lane's words summed modulo 2^32; hi[i]: their upper 16 bits, summed.
    let mut lo = [0u32; LANES];
    let mut hi = [0u32; LANES];
    // The chains' sum modulo 2^bits, and how many times it wrapped.
    let mut acc = W::ZERO;
    let mut wraps: u64 = 0;
    for step in steps {
        let (vector, chain) = step.split_at(4 * LANES);
        let (words, _) = vector.as_chunks::<4>();
        for ((lo, hi), &word) in lo.iter_mut().zip(hi.iter_mut()).zip(words) {
            let word = load32::<BE>(word);
            *lo = lo.wrapping_add(word);
            // At most BLOCK_STEPS * 0xffff per lane: cannot overflow.
            *hi += word >> 16;
        }
        let (chains, _) = chain.as_chunks::<CHAIN_BYTES>();
        for chain in chains {
            let (sum, carry) = W::chain::<BE>(chain);
            let (sum, carry) = acc.carrying_add(sum, carry);
            acc = sum;
            wraps += u64::from(carry);
        }
    }
    // Every word read into the lanes is `lower + 2^16 * upper`. `lo` is the sum of all
    // of them modulo 2^32 and `hi` the exact sum of the upper halves (below 2^32 by
    // BLOCK_STEPS), so `lo - 2^16 * hi` is the sum of the lower halves modulo 2^32,
    // which is exact because that sum is below 2^32 too. And `lower + 2^16 * upper` is
    // congruent to `lower + upper` modulo 0xffff.
    let lo = lo.iter().fold(0u32, |sum, &x| sum.wrapping_add(x));
    let hi = hi.iter().fold(0u32, |sum, &x| sum.wrapping_add(x));
    let lanes = u64::from(lo.wrapping_sub(hi << 16)) + u64::from(hi);
    // Each wrap of `acc` dropped 2^bits, and 2^bits = 1 (mod 0xffff).
    add_end_around(add_end_around(acc.into(), wraps), lanes)
}

/// Sum, congruent modulo `0xffff` to the sum of the 16-bit words of `tail`, a suffix of
/// the input starting at an even offset, with an odd last byte padded with zero.
/// `last` is the input's last 8 bytes (which may reach before `tail`).
#[inline(always)]
fn sum_tail<const BE: bool, W: ChainWord>(tail: &[u8], last: &[u8; 8]) -> u64 {
    let (chains, rest) = tail.as_chunks::<CHAIN_BYTES>();
    let mut acc = W::ZERO;
    let mut wraps: u64 = 0;
    for chain in chains {
        let (sum, carry) = W::chain::<BE>(chain);
        let (sum, carry) = acc.carrying_add(sum, carry);
        acc = sum;
        wraps += u64::from(carry);
    }
    let mut sum = add_end_around(acc.into(), wraps);
    // At most 7 words. Written as `while let`, which the compiler unrolls into a
    // straight run of adds; a `for` loop gets a 4-way unrolled loop with entry and exit
    // code that costs more than the adds themselves at these lengths.
    let (mut quads, rest) = rest.as_chunks::<8>();
    while let Some((&quad, more)) = quads.split_first() {
        sum = add_end_around(sum, load64::<BE>(quad));
        quads = more;
    }
    if !rest.is_empty() {
        // `last` ends with `rest` (1 to 7 bytes); shift out the bytes before it, which
        // are already counted. What remains is `rest` followed by zeros, in the same
        // word positions: RFC 1071's padding of an odd last byte.
        let last = load64::<BE>(*last);
        let shift = 8 * (8 - rest.len() as u32);
        sum = add_end_around(sum, if BE { last << shift } else { last >> shift });
    }
    sum
}

/// Sum of the 16-bit words of fewer than 8 bytes, an odd last byte padded with zero.
#[inline(always)]
fn sum_short<const BE: bool>(bytes: &[u8]) -> u64 {
    let mut sum = 0;
    let rest = match bytes.split_first_chunk::<4>() {
        Some((&word, rest)) => {
            sum += u64::from(load32::<BE>(word));
            rest
        }
        None => bytes,
    };
    let rest = match rest.split_first_chunk::<2>() {
        Some((&[a, b], rest)) => {
            sum += u64::from(load32::<BE>([a, b, 0, 0]));
            rest
        }
        None => rest,
    };
    if let [a] = *rest {
        sum += u64::from(load32::<BE>([a, 0, 0, 0]));
    }
    sum
}

/// A register-wide word for carry chains.
trait ChainWord: Copy + Into<u64> {
    /// Zero.
    const ZERO: Self;
    /// `self + rhs + carry`, and the carry out.
    fn carrying_add(self, rhs: Self, carry: bool) -> (Self, bool);
    /// The words of `chunk`, read big-endian when `BE`, summed in one chain of
    /// additions with carry: the sum modulo 2^bits and the carry out of the last one.
    fn chain<const BE: bool>(chunk: &[u8; CHAIN_BYTES]) -> (Self, bool);
}

macro_rules! chain_word {
    ($word:ty) => {
        impl ChainWord for $word {
            const ZERO: Self = 0;

            #[inline(always)]
            fn carrying_add(self, rhs: Self, carry: bool) -> (Self, bool) {
                <$word>::carrying_add(self, rhs, carry)
            }

            #[inline(always)]
            fn chain<const BE: bool>(chunk: &[u8; CHAIN_BYTES]) -> (Self, bool) {
                let (words, _) = chunk.as_chunks::<{ <$word>::BITS as usize / 8 }>();
                words.iter().fold((0, false), |(sum, carry), &word| {
                    let word = if BE {
                        <$word>::from_be_bytes(word)
                    } else {
                        <$word>::from_le_bytes(word)
                    };
                    sum.carrying_add(word, carry)
                })
            }
        }
    };
}
chain_word!(u32);
chain_word!(u64);

/// `a + b` with the carry out of bit 63 added back in: addition modulo `2^64 - 1`,
/// which `0xffff` divides, so the 16-bit ones'-complement sum is kept.
#[inline(always)]
const fn add_end_around(a: u64, b: u64) -> u64 {
    let (sum, carry) = a.overflowing_add(b);
    sum + carry as u64
}

/// The same value as [`fold`] in six instructions instead of fifteen: adding a word to
/// itself rotated by half its width leaves in the upper half the sum of both halves
/// with the end-around carry (the lower half's carry lands in bit `width / 2`).
#[inline(always)]
const fn fold_rotate(sum: u64) -> u16 {
    let sum = (sum.wrapping_add(sum.rotate_right(32)) >> 32) as u32;
    (sum.wrapping_add(sum.rotate_right(16)) >> 16) as u16
}

/// Reads a 32-bit word big-endian when `BE`, little-endian otherwise.
#[inline(always)]
fn load32<const BE: bool>(bytes: [u8; 4]) -> u32 {
    if BE {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    }
}

/// Reads a 64-bit word big-endian when `BE`, little-endian otherwise.
#[inline(always)]
fn load64<const BE: bool>(bytes: [u8; 8]) -> u64 {
    if BE {
        u64::from_be_bytes(bytes)
    } else {
        u64::from_le_bytes(bytes)
    }
}

/// The sum of big-endian 32-bit words, not folded (by RFC 1071 section 2(C) a sum in
/// any width folds to the 16-bit sum): the five words of a fixed IPv4 or TCP header
/// unrolled, then any options in a loop. For headers, whose length is a multiple of
/// four; [`data`] takes any slice.
#[inline(always)]
pub(crate) fn sum_words(words: &[[u8; 4]]) -> u64 {
    let mut sum: u64 = 0;
    let rest = match words.split_first_chunk::<5>() {
        Some((fixed, rest)) => {
            for word in fixed {
                sum += u64::from(u32::from_be_bytes(*word));
            }
            rest
        }
        None => words,
    };
    for word in rest {
        sum += u64::from(u32::from_be_bytes(*word));
    }
    sum
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

    /// `data` as every target computes it: both byte orders, with and without SIMD
    /// lanes, with 32- and 64-bit carry chains. `data` itself runs one of these.
    fn every_variant(bytes: &[u8]) -> [u16; 8] {
        [
            sum_bytes::<false, u64, 16, 128>(bytes),
            sum_bytes::<true, u64, 16, 128>(bytes),
            sum_bytes::<false, u32, 16, 128>(bytes),
            sum_bytes::<true, u32, 16, 128>(bytes),
            sum_bytes::<false, u64, 0, 64>(bytes),
            sum_bytes::<true, u64, 0, 64>(bytes),
            sum_bytes::<false, u32, 0, 64>(bytes),
            sum_bytes::<true, u32, 0, 64>(bytes),
        ]
    }

    /// Checks every variant against the reference, naming the first that differs.
    fn check_variants(bytes: &[u8]) -> Result<(), impl core::fmt::Display + core::fmt::Debug> {
        let want = reference(bytes);
        let names = [
            "LE u64 16 lanes",
            "BE u64 16 lanes",
            "LE u32 16 lanes",
            "BE u32 16 lanes",
            "LE u64 no lanes",
            "BE u64 no lanes",
            "LE u32 no lanes",
            "BE u32 no lanes",
        ];
        for (name, got) in names.iter().zip(every_variant(bytes)) {
            if got != want {
                return Err(format!(
                    "{name}: {got:#06x} != {want:#06x} for {} bytes",
                    bytes.len()
                ));
            }
        }
        if data(bytes) != want {
            return Err(format!("data: {:#06x} != {want:#06x}", data(bytes)));
        }
        Ok(())
    }

    /// Fills `buf` with deterministic bytes (xorshift64*), so failures reproduce.
    fn fill_pseudo_random(buf: &mut [u8], seed: u64) {
        let mut state = seed | 1;
        for b in buf {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            *b = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
        }
    }

    /// Lengths where the code changes path: the short path below 8 bytes, the 8-byte
    /// words and the partial last word, the 64-byte carry chains, the steps of either
    /// lane configuration (64 and 128 bytes) and the `MIN_STEPS` threshold of each.
    const BOUNDARIES: [usize; 10] = [0, 8, 16, 64, 128, 192, 256, 384, 512, 1024];

    #[test]
    fn every_length_up_to_600_every_variant() {
        let mut random = [0u8; 600];
        fill_pseudo_random(&mut random, 7);
        let ones = [0xffu8; 600];
        let mut alternating = [0u8; 600];
        for (i, b) in alternating.iter_mut().enumerate() {
            *b = if i % 2 == 0 { 0xff } else { 0x00 };
        }
        for len in 0..=600 {
            for bytes in [&random[..len], &ones[..len], &alternating[..len]] {
                check_variants(bytes).unwrap();
            }
        }
    }

    /// All-0xff words make every lane and every chain carry as much as it can, which
    /// is where a fold interval that is one step too long shows (with overflow checks
    /// on in tests, `hi` would panic; the u32 lane totals would wrap silently and the
    /// sum would be off by one).
    #[test]
    fn large_all_ones() {
        let ones = vec![0xffu8; 64 * 1024];
        assert_eq!(data(&ones), 0xffff);
        check_variants(&ones).unwrap();
        // 32767 words of 0xffff (a ones'-complement zero) and a padded 0xff00.
        assert_eq!(data(&ones[..ones.len() - 1]), 0xff00);
        check_variants(&ones[..ones.len() - 1]).unwrap();
    }

    /// Around the block boundaries (`BLOCK_STEPS` steps of 128 and of 64 bytes), where
    /// the lanes are reduced and restarted, with saturating and with random bytes.
    #[test]
    fn block_boundaries() {
        let max = 2 * BLOCK_STEPS * 128 + 300;
        let ones = vec![0xffu8; max];
        let mut random = vec![0u8; max];
        fill_pseudo_random(&mut random, 11);
        for block in [BLOCK_STEPS * 128, BLOCK_STEPS * 64] {
            for len in [
                block - 1,
                block,
                block + 1,
                block + 127,
                block + 128,
                block + 135,
                2 * block,
                2 * block + 3,
            ] {
                check_variants(&ones[..len]).unwrap();
                check_variants(&random[..len]).unwrap();
            }
        }
    }

    /// The faster fold gives what `fold` gives, at the edges of each half.
    #[test]
    fn fold_rotate_edges() {
        for x in [
            0,
            1,
            0xfffe,
            0xffff,
            0x1_0000,
            0x1_fffe,
            0xffff_ffff,
            0x1_0000_0000,
            0xffff_0000_ffff,
            0x8000_0000_8000_0000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(fold_rotate(x), fold(x), "{x:#x}");
        }
    }

    /// Value modulo 0xffff, in the 0 / 0xffff convention of RFC 1071 sums.
    fn modulo(x: u128) -> u16 {
        match (x % 0xffff) as u16 {
            0 if x != 0 => 0xffff,
            r => r,
        }
    }

    proptest::proptest! {
        #[test]
        fn variants_match_reference(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            if let Err(e) = check_variants(&bytes) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{e}")));
            }
        }

        /// Bytes that are mostly 0xff or 0x00 carry far more often than uniform ones.
        #[test]
        fn variants_match_reference_carry_heavy(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(0xffu8),
                    1 => proptest::strategy::Just(0u8),
                    1 => proptest::num::u8::ANY,
                ],
                0..1500,
            )
        ) {
            if let Err(e) = check_variants(&bytes) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{e}")));
            }
        }

        #[test]
        fn odd_lengths(bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..1200)) {
            // (len - 1) | 1 is odd and at most len.
            let odd = &bytes[..(bytes.len() - 1) | 1];
            if let Err(e) = check_variants(odd) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{e}")));
            }
        }

        /// A slice that starts 1 to 7 bytes into its buffer, as a payload does after a
        /// header: the result must not depend on the address.
        #[test]
        fn unaligned_subslices(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 8..1600),
            offset in 1usize..8,
        ) {
            let sub = &bytes[offset..];
            proptest::prop_assert_eq!(data(sub), reference(sub));
            if let Err(e) = check_variants(sub) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{e}")));
            }
        }

        #[test]
        fn lengths_around_boundaries(
            boundary in proptest::sample::select(&BOUNDARIES[..]),
            delta in -9isize..=9,
            seed in proptest::num::u64::ANY,
        ) {
            let len = boundary.saturating_add_signed(delta);
            let mut bytes = vec![0u8; len];
            fill_pseudo_random(&mut bytes, seed);
            if let Err(e) = check_variants(&bytes) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{e}")));
            }
        }

        #[test]
        fn fold_rotate_matches_fold(x in proptest::num::u64::ANY) {
            proptest::prop_assert_eq!(fold_rotate(x), fold(x));
            proptest::prop_assert_eq!(fold_rotate(x), modulo(u128::from(x)));
        }

        #[test]
        fn add_end_around_keeps_the_sum(a in proptest::num::u64::ANY, b in proptest::num::u64::ANY) {
            proptest::prop_assert_eq!(
                fold_rotate(add_end_around(a, b)),
                modulo(u128::from(a) + u128::from(b))
            );
        }
    }
}
