//! Wire-layer benches.
fn main() {}
