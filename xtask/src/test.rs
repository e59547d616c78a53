//! `cargo xtask test`: setup, then every check, each timed; a summary table at the end.
//!
//! A failing step does not stop the steps after it, so one run shows everything that
//! is wrong; the exit status is non-zero if any step failed.

use crate::fuzz::{self, Keep};
use crate::process::{Cmd, is_root, target_dir};
use crate::setup::{self, BARE_METAL_TARGET, Needs};
use core::time::Duration;
use std::process::ExitCode;
use std::time::Instant;

/// The six libraries that must build bare-metal.
const LIBRARIES: [&str; 6] = [
    "rayos-netstack",
    "rayhttp",
    "raydns",
    "raytls",
    "raystream",
    "rayos-net",
];

/// The budget `cargo xtask test` must stay within on a 2-core CI machine.
const BUDGET: Duration = Duration::from_secs(40 * 60);

struct Step {
    name: &'static str,
    about: &'static str,
    run: fn(&Ctx) -> Result<(), String>,
}

/// The steps, in the order they run.
const STEPS: &[Step] = &[
    Step {
        name: "setup",
        about: "find the tools the selected steps need, install the missing ones",
        run: setup_step,
    },
    Step {
        name: "fmt",
        about: "rustfmt check of the workspace, fuzz/ and xtask/baremetal/",
        run: fmt,
    },
    Step {
        name: "clippy",
        about: "clippy on the workspace (all targets and features) and xtask/baremetal/, warnings denied",
        run: clippy,
    },
    Step {
        name: "test",
        about: "tests with all features, all targets",
        run: test_all_features,
    },
    Step {
        name: "test-no-default",
        about: "tests with no default features",
        run: test_no_default_features,
    },
    Step {
        name: "doctest",
        about: "documentation tests",
        run: doctest,
    },
    Step {
        name: "doc",
        about: "rustdoc of the workspace with warnings denied (broken links, missing docs)",
        run: doc,
    },
    Step {
        name: "baremetal",
        about: "each library for thumbv7em-none-eabihf, then a no-allocator link of all six",
        run: bare_metal,
    },
    Step {
        name: "bench-build",
        about: "compile the criterion benches",
        run: bench_build,
    },
    Step {
        name: "publish",
        about: "cargo publish --dry-run of every library",
        run: publish,
    },
    Step {
        name: "fuzz",
        about: "build the fuzz targets, run each over its committed seed corpus",
        run: fuzz_step,
    },
    Step {
        name: "peers",
        about: "tests against real peers that need root (network namespaces, TAP)",
        run: peers,
    },
];

struct Ctx {
    selected: Vec<&'static str>,
    fuzz_secs: u64,
}

enum Outcome {
    Passed(Duration),
    Failed(Duration, String),
    Skipped,
}

pub(crate) const USAGE: &str = "\
cargo xtask test [--only STEP[,STEP...]] [--skip STEP[,STEP...]] [--fuzz-secs N] [--list]
    Set up and run every check; print a summary; exit non-zero if a step failed.
    `setup` runs unless skipped by name, and installs only what the selected steps need.
    --fuzz-secs N   seconds per fuzz target (default 5)
    --list          list the steps and exit";

/// `cargo xtask test`. Argument errors are `Err`; failed steps are reported in the
/// summary and give `ExitCode::FAILURE`.
pub(crate) fn main(args: &[String]) -> Result<ExitCode, String> {
    let mut only: Option<Vec<&'static str>> = None;
    let mut skip: Vec<&'static str> = Vec::new();
    let mut fuzz_secs = fuzz::DEFAULT_SECS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag {
            "--only" => {
                let v = value()?;
                only.get_or_insert_with(Vec::new).extend(step_names(&v)?);
            }
            "--skip" => skip.extend(step_names(&value()?)?),
            "--fuzz-secs" => {
                let v = value()?;
                fuzz_secs = v
                    .parse()
                    .map_err(|_| format!("--fuzz-secs needs a whole number, not `{v}`"))?;
            }
            "--list" => {
                for s in STEPS {
                    println!("{:<16} {}", s.name, s.about);
                }
                return Ok(ExitCode::SUCCESS);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
        }
    }
    let selected: Vec<&'static str> = STEPS
        .iter()
        .map(|s| s.name)
        .filter(|n| only.as_ref().is_none_or(|o| o.contains(n) || *n == "setup"))
        .filter(|n| !skip.contains(n))
        .collect();
    let ctx = Ctx {
        selected,
        fuzz_secs,
    };
    Ok(run_steps(&ctx))
}

fn step_names(list: &str) -> Result<Vec<&'static str>, String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|name| {
            STEPS
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.name)
                .ok_or_else(|| {
                    let all: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
                    format!("no step `{name}`; the steps are {}", all.join(", "))
                })
        })
        .collect()
}

fn run_steps(ctx: &Ctx) -> ExitCode {
    let start = Instant::now();
    let total = ctx.selected.len();
    let mut outcomes = Vec::new();
    let mut n = 0;
    for step in STEPS {
        if !ctx.selected.contains(&step.name) {
            outcomes.push((step.name, Outcome::Skipped));
            continue;
        }
        n += 1;
        println!("\n==> [{n}/{total}] {}: {}", step.name, step.about);
        let t = Instant::now();
        let result = (step.run)(ctx);
        let took = t.elapsed();
        match result {
            Ok(()) => {
                println!("==> {} passed ({:.1} s)", step.name, took.as_secs_f64());
                outcomes.push((step.name, Outcome::Passed(took)));
            }
            Err(e) => {
                println!(
                    "==> {} FAILED ({:.1} s): {e}",
                    step.name,
                    took.as_secs_f64()
                );
                outcomes.push((step.name, Outcome::Failed(took, e)));
            }
        }
    }
    summary(&outcomes, start.elapsed())
}

/// Prints the table and, last, a `N passed, N failed` line that CI logs understand.
fn summary(outcomes: &[(&str, Outcome)], total: Duration) -> ExitCode {
    println!("\n==> summary");
    println!("{:<16} {:>8}  result", "step", "seconds");
    let (mut passed, mut failed, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for (name, outcome) in outcomes {
        match outcome {
            Outcome::Passed(t) => {
                println!("{name:<16} {:>8.1}  passed", t.as_secs_f64());
                passed.push(*name);
            }
            Outcome::Failed(t, e) => {
                println!("{name:<16} {:>8.1}  FAILED: {e}", t.as_secs_f64());
                failed.push(*name);
            }
            Outcome::Skipped => {
                println!("{name:<16} {:>8}  skipped", "-");
                skipped.push(*name);
            }
        }
    }
    let secs = total.as_secs_f64();
    println!(
        "{:<16} {secs:>8.1}  ({:.1} min; budget {} min)",
        "total",
        secs / 60.0,
        BUDGET.as_secs() / 60
    );
    if total > BUDGET {
        println!(
            "warning: over the CI budget of {} min",
            BUDGET.as_secs() / 60
        );
    }
    // A closing line CI understands. These count steps, not tests.
    println!(
        "steps: {} passed, {} failed, {} skipped",
        passed.len(),
        failed.len(),
        skipped.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs every command, even after one fails; the error names each failure.
fn all(results: impl IntoIterator<Item = Result<(), String>>) -> Result<(), String> {
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn cargo() -> Cmd {
    Cmd::new("cargo")
}

fn setup_step(ctx: &Ctx) -> Result<(), String> {
    let has = |name| ctx.selected.contains(&name);
    setup::ensure(Needs {
        rustfmt: has("fmt"),
        clippy: has("clippy"),
        bare_metal: has("baremetal") || has("clippy"),
        fuzz: has("fuzz"),
        // The peer tests need them all; the plain tests read captures with tcpdump.
        debian: has("peers") || has("test"),
    })
}

fn fmt(_: &Ctx) -> Result<(), String> {
    // The fuzz crate and the bare-metal check are workspaces of their own, which
    // `--all` does not reach.
    all([
        cargo().args(["fmt", "--all", "--check"]).run(),
        cargo()
            .args([
                "fmt",
                "--all",
                "--check",
                "--manifest-path",
                "fuzz/Cargo.toml",
            ])
            .run(),
        cargo()
            .args(["fmt", "--all", "--check", "--manifest-path"])
            .arg("xtask/baremetal/Cargo.toml")
            .run(),
    ])
}

fn clippy(_: &Ctx) -> Result<(), String> {
    all([
        cargo()
            .args(["clippy", "--workspace", "--all-targets", "--all-features"])
            .args(["--", "-D", "warnings"])
            .run(),
        cargo()
            .args([
                "clippy",
                "--manifest-path",
                "xtask/baremetal/Cargo.toml",
                "--target",
            ])
            .arg(BARE_METAL_TARGET)
            .arg("--target-dir")
            .arg(target_dir().join("baremetal"))
            .args(["--", "-D", "warnings"])
            .run(),
    ])
}

fn test_all_features(_: &Ctx) -> Result<(), String> {
    cargo()
        .args(["test", "--workspace", "--all-features", "--all-targets"])
        .run()
}

fn test_no_default_features(_: &Ctx) -> Result<(), String> {
    cargo()
        .args([
            "test",
            "--workspace",
            "--no-default-features",
            "--lib",
            "--tests",
        ])
        .run()
}

fn doctest(_: &Ctx) -> Result<(), String> {
    cargo()
        .args(["test", "--workspace", "--all-features", "--doc"])
        .run()
}

fn doc(_: &Ctx) -> Result<(), String> {
    cargo()
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--workspace", "--no-deps", "--all-features"])
        .run()
}

fn bare_metal(_: &Ctx) -> Result<(), String> {
    let mut results: Vec<Result<(), String>> = LIBRARIES
        .iter()
        .map(|lib| {
            cargo()
                .args(["build", "-p", lib, "--no-default-features", "--target"])
                .arg(BARE_METAL_TARGET)
                .run()
        })
        .collect();
    // Its own workspace and target directory: nothing from the host builds, and no
    // feature another member turns on, can make this link pass.
    results.push(
        cargo()
            .args([
                "build",
                "--manifest-path",
                "xtask/baremetal/Cargo.toml",
                "--target",
            ])
            .arg(BARE_METAL_TARGET)
            .arg("--target-dir")
            .arg(target_dir().join("baremetal"))
            .run(),
    );
    all(results)
}

fn bench_build(_: &Ctx) -> Result<(), String> {
    cargo().args(["bench", "--workspace", "--no-run"]).run()
}

fn publish(_: &Ctx) -> Result<(), String> {
    // Packages every publishable crate and builds each package as crates.io would,
    // resolving dependencies from the registry. Needs the registry index.
    forget_packaged_sources();
    cargo()
        .args(["publish", "--workspace", "--dry-run", "--allow-dirty"])
        .run()
}

/// Removes the sources of our own packages that an earlier dry run extracted.
///
/// `cargo publish --workspace` verifies each package against the others through a
/// local registry overlay at `target/package`, and extracts their sources into
/// `$CARGO_HOME/registry/src/<hash of that path>/`. Cargo never re-extracts a crate
/// whose directory is there, so a clone at the same path as an earlier one (a CI
/// machine reusing its checkout directory) would build against the earlier version of
/// a sibling with the same version number. The crates.io sources are under the
/// `index.*` directories and are left alone.
fn forget_packaged_sources() {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return;
    };
    const OURS: [&str; 6] = [
        "rayos-netstack-",
        "rayhttp-",
        "raydns-",
        "raytls-",
        "raystream-",
        "rayos-net-",
    ];
    for registry in registries.flatten() {
        if registry.file_name().to_string_lossy().starts_with("index.") {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for c in crates.flatten() {
            let name = c.file_name().to_string_lossy().into_owned();
            if OURS.iter().any(|p| name.starts_with(p)) {
                let _ = std::fs::remove_dir_all(c.path());
            }
        }
    }
}

fn fuzz_step(ctx: &Ctx) -> Result<(), String> {
    fuzz::build()?;
    let targets = fuzz::list()?;
    if targets.is_empty() {
        return Err("`cargo fuzz list` names no target".to_owned());
    }
    println!(
        "fuzz targets: {} ({} s each)",
        targets.join(", "),
        ctx.fuzz_secs
    );
    all(targets
        .iter()
        .map(|t| fuzz::run(t, ctx.fuzz_secs, Keep::Nothing)))
}

fn peers(_: &Ctx) -> Result<(), String> {
    if !is_root() {
        return Err(
            "the real-peer tests create network namespaces and TAP devices and need root; \
             run `cargo xtask test` as root, or skip them with `--skip peers`"
                .to_owned(),
        );
    }
    // `--tests`, not every target: `--ignored` would also run the doc examples marked
    // `ignore`, which are not meant to run.
    cargo()
        .args(["test", "--workspace", "--all-features", "--tests"])
        .args(["--", "--ignored"])
        .run()
}
