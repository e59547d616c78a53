//! `cargo xtask`: the rayos-net task runner.
//!
//! - `cargo xtask test`: the one command CI runs. Installs what is missing, then runs
//!   every check (format, lints, tests, doctests, bare-metal builds, bench build,
//!   publish dry run, fuzzing over the seed corpora, real-peer tests as root) and
//!   prints a summary table.
//! - `cargo xtask bench [FILTER]`: criterion benches, then `benches/RESULTS.md`.
//! - `cargo xtask fuzz TARGET SECS`: one fuzz target for a while.
//! - `cargo xtask fuzz-seeds`: the fuzz targets' seed corpora, from the committed
//!   Linux capture.

extern crate alloc;

mod bench;
mod fuzz;
mod process;
mod seeds;
mod setup;
mod test;

use std::process::ExitCode;

fn usage() -> String {
    format!(
        "usage:
{}
cargo xtask bench [FILTER]
    Run the criterion benches (those matching FILTER) and write benches/RESULTS.md:
    our time against each peer crate's, group by group.
cargo xtask fuzz TARGET SECS
    Fuzz TARGET for SECS seconds over fuzz/corpus/TARGET; new inputs go to a
    temporary directory, never into the committed corpus.
cargo xtask fuzz-seeds
    Write the seed corpora in fuzz/corpus/ from rayos-net/tests/data/linux-veth.pcap
    (each layer of each frame to the target that parses it) and the pcapng test
    vectors: at most {} files and {} KB per target, named by a hash of their contents.",
        test::USAGE,
        seeds::MAX_SEEDS,
        seeds::MAX_BYTES / 1024,
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "test" => test::main(rest),
        "bench" => bench::main(rest).map(|()| ExitCode::SUCCESS),
        "fuzz" => fuzz::main(rest).map(|()| ExitCode::SUCCESS),
        "fuzz-seeds" => seeds::main(rest).map(|()| ExitCode::SUCCESS),
        "help" | "-h" | "--help" => {
            println!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n{}", usage())),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
