//! Running commands. Each command prints itself (`$ ...`) before it runs, streams its
//! output to the terminal, and never reads standard input: CI has none.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;

/// The workspace root: xtask lives one level below it.
pub(crate) fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest.parent().unwrap_or(manifest).to_path_buf()
    })
}

/// Directories that hold root's tools (`ip`, `nft`, `ethtool`, `tcpdump`) on Debian.
/// A login shell puts them on root's `PATH`, a bare CI environment may not.
const SBIN: [&str; 3] = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// `PATH` with the sbin directories appended where missing. Every child gets it, so
/// that what `setup` finds is also what the tests find.
pub(crate) fn search_path() -> &'static [PathBuf] {
    static PATH: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PATH.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        for d in SBIN {
            if !dirs.iter().any(|x| x == Path::new(d)) {
                dirs.push(PathBuf::from(d));
            }
        }
        dirs
    })
}

fn path_env() -> OsString {
    std::env::join_paths(search_path())
        .unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default())
}

/// Whether an executable file named `name` is on the search path.
pub(crate) fn have_command(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    search_path().iter().any(|dir| {
        std::fs::metadata(dir.join(name))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether this process runs as root (effective user id 0).
pub(crate) fn is_root() -> bool {
    // The second field of `Uid:` is the effective user id.
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("Uid:"))
    {
        return line.split_whitespace().nth(2) == Some("0");
    }
    Cmd::new("id")
        .arg("-u")
        .read()
        .is_ok_and(|s| s.trim() == "0")
}

/// A command to run from the workspace root, with standard input closed.
pub(crate) struct Cmd {
    command: Command,
    shown: String,
}

impl Cmd {
    pub(crate) fn new(program: &str) -> Self {
        let mut command = Command::new(program);
        command
            .current_dir(root())
            .stdin(Stdio::null())
            .env("PATH", path_env());
        Cmd {
            command,
            shown: program.to_owned(),
        }
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        let arg = arg.as_ref();
        self.shown.push(' ');
        self.shown.push_str(&quote(arg));
        self.command.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Cmd::arg)
    }

    /// Runs in `dir` instead of the workspace root.
    pub(crate) fn dir(mut self, dir: &Path) -> Self {
        let rel = dir.strip_prefix(root()).unwrap_or(dir);
        self.shown = format!("(cd {} && {})", quote(rel.as_os_str()), self.shown);
        self.command.current_dir(dir);
        self
    }

    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.shown = format!("{key}={} {}", quote(OsStr::new(value)), self.shown);
        self.command.env(key, value);
        self
    }

    /// Runs the command with its output on the terminal.
    pub(crate) fn run(mut self) -> Result<(), String> {
        println!("$ {}", self.shown);
        let _ = std::io::stdout().flush();
        let status = self
            .command
            .status()
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        check(&self.shown, status)
    }

    /// Runs the command quietly and returns its standard output; on failure the error
    /// holds its standard error.
    pub(crate) fn read(mut self) -> Result<String, String> {
        let out = self
            .command
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        check(&self.shown, out.status).map_err(|e| {
            let stderr = String::from_utf8_lossy(&out.stderr);
            format!("{e}: {}", stderr.trim())
        })?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs the command with all output discarded; whether it exited with status 0.
    pub(crate) fn succeeds(mut self) -> bool {
        self.command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn check(shown: &str, status: ExitStatus) -> Result<(), String> {
    if status.success() {
        Ok(())
    } else if let Some(code) = status.code() {
        Err(format!("`{shown}` exited with status {code}"))
    } else {
        Err(format!(
            "`{shown}` was killed by signal {}",
            status.signal().unwrap_or(0)
        ))
    }
}

/// Shell-style quoting, for showing commands the way one would type them.
fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+=/.,:@%".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The directory cargo builds the main workspace into (`target/` unless configured).
pub(crate) fn target_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        Cmd::new("cargo")
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .read()
            .ok()
            .and_then(|out| serde_json::from_str::<serde_json::Value>(&out).ok())
            .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| root().join("target"))
    })
}
