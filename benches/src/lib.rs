//! Criterion benchmarks of rayos-net's libraries against peer crates, on the same
//! input, in the same group. Run them with `cargo xtask bench`, which also writes
//! `benches/RESULTS.md`. This library target holds the inputs the benches share.

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
