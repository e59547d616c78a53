//! Criterion benchmarks of rayos-net's libraries against peer crates, on the same
//! input, in the same group. Run them with `cargo xtask bench`, which also writes
//! `benches/RESULTS.md`. This library target holds the inputs the benches share.
