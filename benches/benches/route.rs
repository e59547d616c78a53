//! Longest-prefix-match benches (see the next commit).

fn main() {}
