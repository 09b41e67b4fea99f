//! Helpers shared by the integration tests: run the real binary over the fixtures.
#![allow(clippy::print_stderr)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A path under `fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

/// The full RustSec snapshot, if this machine has it (`$SECGATE_FULL_DB` or `../shared/advisory-db`).
/// With `SECGATE_REQUIRE_FULL_DB` set (as CI does), its absence fails the test instead of skipping.
pub fn full_db() -> Option<PathBuf> {
    let path = std::env::var_os("SECGATE_FULL_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/advisory-db"));
    if path.join("crates").is_dir() {
        Some(path)
    } else if std::env::var_os("SECGATE_REQUIRE_FULL_DB").is_some() {
        panic!(
            "SECGATE_REQUIRE_FULL_DB is set but {} is not an advisory database",
            path.display()
        );
    } else {
        eprintln!("skipped: no full advisory database at {}", path.display());
        None
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The binary under test, with a `CARGO_HOME` of its own so no test touches the user's cache.
pub fn secgate(cargo_home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-secgate"));
    command
        .env("CARGO_HOME", cargo_home)
        .env_remove("NO_COLOR")
        .env("CARGO_DENY", NO_CARGO_DENY)
        .env(INFERRED_ENV, fixture("inferred-functions.json"));
    command
}

/// The tests' inferred-functions data (`fixtures/inferred-functions.json`, real `cargo secgate
/// infer` output for the fixture database's advisories that list no functions), instead of the
/// bundled data, which a refresh changes; so no test infers anything on the fly.
pub const INFERRED_ENV: &str = "SECGATE_INFERRED";

/// Where the tests' secgate looks for cargo-deny: nowhere, so that whether this machine has
/// cargo-deny does not change the tests of everything else. tests/supply_chain.rs runs the real
/// one (`with_cargo_deny`).
pub const NO_CARGO_DENY: &str = "/nonexistent/cargo-deny";

/// Lets the command find the machine's cargo-deny (on PATH, or `$CARGO_DENY` as the test run
/// was given it).
pub fn with_cargo_deny(command: &mut Command) -> &mut Command {
    match std::env::var_os("CARGO_DENY") {
        Some(program) => command.env("CARGO_DENY", program),
        None => command.env_remove("CARGO_DENY"),
    }
}

/// The binary under test with the user's own `CARGO_HOME`, for tests that build projects and so
/// need the registry cache (they always pass `--db`, so no advisory cache is touched).
pub fn secgate_building() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-secgate"));
    command
        .env_remove("NO_COLOR")
        .env("CARGO_DENY", NO_CARGO_DENY)
        .env(INFERRED_ENV, fixture("inferred-functions.json"));
    command
}

/// Runs the binary with `args` and collects its exit code and output.
pub fn run(command: &mut Command) -> Run {
    let output = command.output().expect("run cargo-secgate");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `scan --lockfile LOCK --db DB --format json`, in a scratch `CARGO_HOME`.
pub fn scan_lockfile(lockfile: &Path, db: &Path) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(secgate(home.path())
        .args(["scan", "--format", "json", "--lockfile"])
        .arg(lockfile)
        .arg("--db")
        .arg(db))
}

/// Runs git in `dir` with a throwaway identity, and fails the test if git fails.
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Copies a directory tree, leaving out `target` directories.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "target" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
