//! `cargo xtask bench [FILTER]`: runs the criterion benches, then writes
//! `benches/RESULTS.md`, our time against each peer's, group by group.
//!
//! In every criterion group our function's id is `rayos` and every other function's id
//! is the name of the peer crate it measures, on the same input.

use crate::process::{Cmd, root, target_dir};
use alloc::collections::{BTreeMap, BTreeSet};
use core::fmt::Write as _;
use serde_json::Value;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Our function id in every group.
const OURS: &str = "rayos";

/// One measured function.
struct Measurement {
    /// Criterion's group id.
    group: String,
    /// The parameter, when the benchmark has one (`BenchmarkId::new("rayos", 1500)`).
    parameter: Option<String>,
    /// `rayos` or the peer crate's name.
    function: String,
    /// Mean time per iteration, in nanoseconds.
    mean_ns: f64,
    /// What one iteration processes, if the benchmark says.
    throughput: Option<Throughput>,
}

#[derive(Clone, Copy)]
enum Throughput {
    /// Bytes, reported in binary units (GiB/s).
    Bytes(u64),
    /// Bytes, reported in decimal units (GB/s).
    BytesDecimal(u64),
    Bits(u64),
    Elements(u64),
}

/// `cargo xtask bench`.
pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let filter = match args {
        [] => None,
        [f] => Some(f.as_str()),
        _ => return Err("usage: cargo xtask bench [FILTER]".to_owned()),
    };
    let started = SystemTime::now();
    let mut cmd = Cmd::new("cargo").args(["bench", "-p", "rayos-net-benches"]);
    if let Some(f) = filter {
        cmd = cmd.args(["--", f]);
    }
    cmd.run()?;

    let criterion = target_dir().join("criterion");
    let mut found = Vec::new();
    collect(&criterion, started, &mut found)?;
    if found.is_empty() {
        return Err(format!(
            "the run left no results in {} (does the filter match a benchmark?)",
            criterion.display()
        ));
    }
    let markdown = render(&found, filter);
    let out = root().join("benches").join("RESULTS.md");
    std::fs::write(&out, &markdown).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("\n{markdown}");
    println!("wrote {}", out.display());
    Ok(())
}

/// Finds every `new/benchmark.json` under `dir` whose `new/estimates.json` this run
/// wrote (older ones are from earlier runs, perhaps of other code).
fn collect(dir: &Path, since: SystemTime, out: &mut Vec<Measurement>) -> Result<(), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let estimates = path.join("estimates.json");
            let fresh = std::fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if fresh {
                out.push(read_measurement(&path.join("benchmark.json"), &estimates)?);
            }
        } else if path
            .file_name()
            .is_none_or(|n| n != "base" && n != "report")
        {
            collect(&path, since, out)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_measurement(benchmark: &Path, estimates: &Path) -> Result<Measurement, String> {
    let id = read_json(benchmark)?;
    let est = read_json(estimates)?;
    let bad = |what: &str| format!("{}: no {what}", benchmark.display());
    let group_id = id["group_id"].as_str().ok_or_else(|| bad("group_id"))?;
    let parameter = id["value_str"].as_str().map(str::to_owned);
    let function = id["function_id"].as_str().unwrap_or("").to_owned();
    let mean_ns = est["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no mean.point_estimate", estimates.display()))?;
    let t = &id["throughput"];
    let throughput = if let Some(n) = t["Bytes"].as_u64() {
        Some(Throughput::Bytes(n))
    } else if let Some(n) = t["BytesDecimal"].as_u64() {
        Some(Throughput::BytesDecimal(n))
    } else if let Some(n) = t["Bits"].as_u64() {
        Some(Throughput::Bits(n))
    } else if let Some(n) = t["Elements"].as_u64() {
        Some(Throughput::Elements(n))
    } else {
        t["ElementsAndBytes"]["bytes"]
            .as_u64()
            .map(Throughput::Bytes)
    };
    Ok(Measurement {
        group: group_id.to_owned(),
        parameter,
        function,
        mean_ns,
        throughput,
    })
}

fn render(found: &[Measurement], filter: Option<&str>) -> String {
    // One row per group and parameter, in name order, numeric parameters by value.
    let mut rows: Vec<(String, BTreeMap<&str, &Measurement>)> = Vec::new();
    let mut sorted: Vec<&Measurement> = found.iter().collect();
    sorted.sort_by(|a, b| {
        let param = |m: &Measurement| {
            m.parameter
                .as_deref()
                .map(|p| (p.parse::<f64>().ok(), p.to_owned()))
        };
        a.group
            .cmp(&b.group)
            .then_with(|| match (param(a), param(b)) {
                (Some((Some(x), _)), Some((Some(y), _))) => x.total_cmp(&y),
                (x, y) => x.map(|p| p.1).cmp(&y.map(|p| p.1)),
            })
    });
    for m in sorted {
        let name = match &m.parameter {
            Some(p) => format!("{}/{p}", m.group),
            None => m.group.clone(),
        };
        if rows.last().is_none_or(|(last, _)| *last != name) {
            rows.push((name, BTreeMap::new()));
        }
        if let Some((_, functions)) = rows.last_mut() {
            functions.insert(&m.function, m);
        }
    }
    let peers: BTreeSet<&str> = found
        .iter()
        .map(|m| m.function.as_str())
        .filter(|f| *f != OURS)
        .collect();

    let mut s = String::new();
    let command = match filter {
        Some(f) => format!("cargo xtask bench {f}"),
        None => "cargo xtask bench".to_owned(),
    };
    let _ = writeln!(s, "# Benchmark results\n");
    let _ = writeln!(
        s,
        "Written by `{command}` on {} from one run on {}; {}.",
        today(),
        machine(),
        rustc()
    );
    let _ = writeln!(
        s,
        "Times are criterion's mean per iteration. Beside each peer's time, the ratio \
         peer / rayos: above 1 means rayos-net is faster. Throughput is ours.\n"
    );
    let mut header = String::from("| benchmark | throughput | rayos |");
    let mut rule = String::from("|---|---:|---:|");
    for p in &peers {
        let _ = write!(header, " {p} |");
        rule.push_str("---:|");
    }
    let _ = writeln!(s, "{header}\n{rule}");
    for (group, functions) in &rows {
        let ours = functions.get(OURS);
        let throughput = ours
            .and_then(|m| m.throughput.map(|t| rate(t, m.mean_ns)))
            .unwrap_or_default();
        let _ = write!(
            s,
            "| {group} | {throughput} | {} |",
            ours.map_or("—".to_owned(), |m| time(m.mean_ns))
        );
        for p in &peers {
            let cell = match (functions.get(p), ours) {
                (Some(m), Some(o)) if o.mean_ns > 0.0 => {
                    format!("{} ({:.2}x)", time(m.mean_ns), m.mean_ns / o.mean_ns)
                }
                (Some(m), _) => time(m.mean_ns),
                (None, _) => String::new(),
            };
            let _ = write!(s, " {cell} |");
        }
        s.push('\n');
    }
    s
}

fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn rate(t: Throughput, ns: f64) -> String {
    if ns <= 0.0 {
        return String::new();
    }
    let per_sec = |n: u64| n as f64 / ns * 1e9;
    match t {
        Throughput::Bytes(n) => format!("{:.2} GiB/s", per_sec(n) / f64::from(1u32 << 30)),
        Throughput::BytesDecimal(n) => format!("{:.2} GB/s", per_sec(n) / 1e9),
        Throughput::Bits(n) => format!("{:.2} Gbit/s", per_sec(n) / 1e9),
        Throughput::Elements(n) => format!("{:.2} Melem/s", per_sec(n) / 1e6),
    }
}

/// Today's date (UTC), from the civil-from-days algorithm (H. Hinnant).
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cpu}, {cores} cores")
}

fn rustc() -> String {
    Cmd::new("rustc").arg("--version").read().map_or_else(
        |_| "rustc version unknown".to_owned(),
        |v| v.trim().to_owned(),
    )
}
