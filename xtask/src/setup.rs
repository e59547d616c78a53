//! Setup: finds the tools the selected steps need and installs the missing ones,
//! saying what it installs. On a fresh Debian machine as root it brings everything.

use crate::process::{Cmd, have_command, is_root};

/// Commands the real-peer tests run, each with the Debian package that provides it.
/// A test that needs another peer adds one line here.
pub(crate) const DEBIAN_TOOLS: &[(&str, &str)] = &[
    ("tcpdump", "tcpdump"),
    ("ping", "iputils-ping"),
    ("tracepath", "iputils-tracepath"),
    ("ip", "iproute2"),
    ("dig", "dnsutils"),
    ("socat", "socat"),
    ("nft", "nftables"),
    ("curl", "curl"),
    ("ethtool", "ethtool"),
    ("python3", "python3"),
    ("kill", "procps"),
    ("radvd", "radvd"),
];

/// The bare-metal target every library must build for.
pub(crate) const BARE_METAL_TARGET: &str = "thumbv7em-none-eabihf";

/// What the selected steps need.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Needs {
    /// `cargo fmt`.
    pub(crate) rustfmt: bool,
    /// `cargo clippy`.
    pub(crate) clippy: bool,
    /// The bare-metal target's standard library.
    pub(crate) bare_metal: bool,
    /// The nightly toolchain and cargo-fuzz.
    pub(crate) fuzz: bool,
    /// The commands of [`DEBIAN_TOOLS`].
    pub(crate) debian: bool,
}

/// Checks every need and installs what is missing. Fails if something is still
/// missing afterwards, naming it.
pub(crate) fn ensure(needs: Needs) -> Result<(), String> {
    let mut present = Vec::new();
    let mut problems = Vec::new();
    let mut note = |r: Result<Option<String>, String>| match r {
        Ok(Some(have)) => present.push(have),
        Ok(None) => {}
        Err(e) => problems.push(e),
    };
    if needs.rustfmt {
        note(component("rustfmt", "fmt"));
    }
    if needs.clippy {
        note(component("clippy", "clippy"));
    }
    if needs.bare_metal {
        note(bare_metal_target());
    }
    if needs.fuzz {
        note(nightly());
        note(cargo_fuzz());
    }
    if needs.debian {
        note(debian_tools());
    }
    if !present.is_empty() {
        println!("setup: present: {}", present.join(", "));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Ok(Some(name)) when it was already there, Ok(None) after installing it (the
/// install said so), Err when it could not be had.
type Check = Result<Option<String>, String>;

fn component(component: &str, subcommand: &str) -> Check {
    if Cmd::new("cargo").args([subcommand, "--version"]).succeeds() {
        return Ok(Some(component.to_owned()));
    }
    println!("setup: installing the rustup component {component}");
    Cmd::new("rustup")
        .args(["component", "add", component])
        .run()?;
    Ok(None)
}

fn bare_metal_target() -> Check {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    if installed.lines().any(|l| l.trim() == BARE_METAL_TARGET) {
        return Ok(Some(BARE_METAL_TARGET.to_owned()));
    }
    println!("setup: installing the Rust target {BARE_METAL_TARGET}");
    Cmd::new("rustup")
        .args(["target", "add", BARE_METAL_TARGET])
        .run()?;
    Ok(None)
}

fn nightly() -> Check {
    let toolchains = Cmd::new("rustup").args(["toolchain", "list"]).read()?;
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        return Ok(Some("nightly".to_owned()));
    }
    println!("setup: installing the nightly toolchain (cargo fuzz needs it)");
    Cmd::new("rustup")
        .args(["toolchain", "install", "nightly", "--profile", "minimal"])
        .run()
        .map_err(|e| format!("no nightly toolchain and none could be installed ({e})"))?;
    Ok(None)
}

fn cargo_fuzz() -> Check {
    if let Ok(v) = Cmd::new("cargo").args(["fuzz", "--version"]).read() {
        return Ok(Some(v.trim().to_owned()));
    }
    println!("setup: installing cargo-fuzz from crates.io (about 2 minutes)");
    Cmd::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .run()?;
    Ok(None)
}

fn debian_tools() -> Check {
    let missing: Vec<(&str, &str)> = DEBIAN_TOOLS
        .iter()
        .copied()
        .filter(|(cmd, _)| !have_command(cmd))
        .collect();
    if missing.is_empty() {
        let names: Vec<&str> = DEBIAN_TOOLS.iter().map(|(cmd, _)| *cmd).collect();
        return Ok(Some(names.join(", ")));
    }
    let mut packages: Vec<&str> = missing.iter().map(|(_, pkg)| *pkg).collect();
    packages.sort_unstable();
    packages.dedup();
    let commands: Vec<&str> = missing.iter().map(|(cmd, _)| *cmd).collect();
    let hint = format!(
        "apt-get install --no-install-recommends {}",
        packages.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "missing {}; installing them needs root: {hint}",
            commands.join(", ")
        ));
    }
    if !have_command("apt-get") {
        return Err(format!(
            "missing {} and there is no apt-get here; install the packages {}",
            commands.join(", "),
            packages.join(" ")
        ));
    }
    println!(
        "setup: installing Debian packages {} (for {})",
        packages.join(" "),
        commands.join(", ")
    );
    Cmd::new("apt-get").arg("update").run()?;
    Cmd::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&packages)
        .run()?;
    let still: Vec<&str> = commands
        .iter()
        .copied()
        .filter(|c| !have_command(c))
        .collect();
    if still.is_empty() {
        Ok(None)
    } else {
        Err(format!(
            "still missing after apt-get install: {}",
            still.join(", ")
        ))
    }
}
