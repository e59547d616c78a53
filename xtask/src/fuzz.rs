//! Fuzzing with cargo-fuzz (nightly, libFuzzer). The fuzz crate is `fuzz/`; each target
//! has a committed seed corpus in `fuzz/corpus/<target>/`.
//!
//! A run never writes into the committed corpus: libFuzzer writes new inputs into the
//! *first* corpus directory it is given, so that is a fresh temporary directory and
//! the committed corpus comes second, read only.

use crate::process::{Cmd, root};
use crate::setup::{self, Needs};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds `cargo xtask test` fuzzes each target for, unless `--fuzz-secs` says.
pub(crate) const DEFAULT_SECS: u64 = 5;

/// How long one input may run before libFuzzer reports it as a hang. A parser that
/// loops on some input is a bug the run must catch within its few seconds.
const INPUT_TIMEOUT_SECS: u64 = 10;

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// `cargo xtask fuzz TARGET SECS`.
pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let [target, secs] = args else {
        return Err("usage: cargo xtask fuzz TARGET SECS".to_owned());
    };
    let secs: u64 = secs
        .parse()
        .map_err(|_| format!("SECS must be a whole number of seconds, not `{secs}`"))?;
    setup::ensure(Needs {
        fuzz: true,
        ..Needs::default()
    })?;
    let targets = list()?;
    if !targets.iter().any(|t| t == target) {
        return Err(format!(
            "no fuzz target `{target}`; `cargo fuzz list` names: {}",
            targets.join(", ")
        ));
    }
    run(target, secs, Keep::NewInputs)
}

/// Builds every target (release, debug assertions, AddressSanitizer).
pub(crate) fn build() -> Result<(), String> {
    Cmd::new("cargo")
        .args(["+nightly", "fuzz", "build"])
        .dir(&fuzz_dir())
        .run()
}

/// The targets `cargo fuzz list` names.
pub(crate) fn list() -> Result<Vec<String>, String> {
    let out = Cmd::new("cargo")
        .args(["fuzz", "list"])
        .dir(&fuzz_dir())
        .read()?;
    Ok(out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// What to do with the inputs a run adds to its temporary corpus directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Delete them (`cargo xtask test`).
    Nothing,
    /// Leave them and say where, so a developer can minimise and commit some
    /// (`cargo xtask fuzz`).
    NewInputs,
}

/// Fuzzes `target` for `secs` seconds over its committed corpus. Fails if the target
/// crashes or hangs, or if `keep` is [`Keep::Nothing`] (the CI run) and the target has
/// no committed corpus.
pub(crate) fn run(target: &str, secs: u64, keep: Keep) -> Result<(), String> {
    let corpus = fuzz_dir().join("corpus").join(target);
    let seeds = std::fs::read_dir(&corpus).map(Iterator::count).unwrap_or(0);
    let mut problem = None;
    if seeds == 0 {
        let msg =
            format!("fuzz target `{target}` has no committed seed corpus in fuzz/corpus/{target}/");
        println!("warning: {msg}");
        if keep == Keep::Nothing {
            problem = Some(msg);
        }
    }
    let scratch = scratch_dir(target)?;
    let mut cmd = Cmd::new("cargo")
        .args(["+nightly", "fuzz", "run", target])
        .arg(&scratch);
    if seeds > 0 {
        cmd = cmd.arg(&corpus);
    }
    let result = cmd
        .arg("--")
        .arg(format!("-max_total_time={secs}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .dir(&fuzz_dir())
        .run();
    let found = std::fs::read_dir(&scratch)
        .map(Iterator::count)
        .unwrap_or(0);
    match keep {
        Keep::Nothing => {
            println!("{target}: {seeds} seeds, {found} new inputs (discarded)");
            let _ = std::fs::remove_dir_all(&scratch);
        }
        Keep::NewInputs => println!(
            "{target}: {seeds} seeds, {found} new inputs kept in {} \
             (`cargo fuzz cmin` them before committing any to fuzz/corpus/{target}/)",
            scratch.display()
        ),
    }
    result?;
    problem.map_or(Ok(()), Err)
}

/// A new, empty directory under the system's temporary directory.
fn scratch_dir(target: &str) -> Result<PathBuf, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "rayos-fuzz-{target}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
