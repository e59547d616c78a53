//! The rayos-net demo (filled by this issue).
fn main() {}
