//! `cargo xtask test`: sets up and runs every check of the workspace.
fn main() {}
