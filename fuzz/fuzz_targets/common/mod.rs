//! Helpers shared by the fuzz targets (included with `#[path]`; not a target).

/// Whether `out` equals `input` except where a checksum field held -0 (`ff ff`) in
/// `input` and was written as +0 (`00 00`): the one canonicalisation netstack's
/// emitters make on purpose (netstack/src/wire/checksum.rs module docs, RFC 1624
/// section 3). A mismatching byte outside such a pair makes it false.
pub fn same_but_negative_zero(input: &[u8], out: &[u8]) -> bool {
    if input.len() != out.len() {
        return false;
    }
    let mut i = 0;
    while i < input.len() {
        if input[i] == out[i] {
            i += 1;
        } else if input[i..].starts_with(&[0xff, 0xff]) && out[i..].starts_with(&[0, 0]) {
            i += 2;
        } else {
            return false;
        }
    }
    true
}
