//! The outside programs secgate runs (clippy-driver, cargo-deny): where to find them and whether
//! they are installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The program named by the environment variable `env` (for a copy that is not on `PATH`), else
/// `default`, looked up on `PATH` when run.
pub fn program(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// Whether `program` runs and answers `--version` with success: how secgate decides a tool is
/// installed.
pub fn answers_version(program: &Path) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
