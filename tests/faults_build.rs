//! Fail closed in the build and its inputs (issue 15): each test here passed a vulnerable project,
//! or dropped an advisory, before the mechanism it names existed.

mod common;

use common::{Run, copy_tree, fixture, run, secgate_building};
use std::path::{Path, PathBuf};

/// The target directory the build tests share, so each dependency compiles once.
fn shared_target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/faults-build-fixtures")
}

/// `scan --format json --db fixtures/advisory-db --offline DIR` with the shared target directory.
fn scan_project(project: &Path, extra: &[&str]) -> Run {
    run(secgate_building()
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .args(extra)
        .arg(project))
}

/// A copy of a fixture project in a temporary directory, to break.
fn copy_of(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(case), dir.path());
    dir
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

const SMALLVEC: &str = "RUSTSEC-2021-0003";

/// A build script that panics: the reason quotes the panic, not cargo's line with an absolute path.
#[test]
fn a_build_scripts_panic_is_the_reason() {
    let project = copy_of("reachability/direct-call");
    let manifest = std::fs::read_to_string(project.path().join("Cargo.toml")).unwrap();
    std::fs::write(
        project.path().join("Cargo.toml"),
        manifest.replace(
            "publish = false\n",
            "publish = false\nbuild = \"build.rs\"\n",
        ),
    )
    .unwrap();
    std::fs::write(
        project.path().join("build.rs"),
        "fn main() {\n    panic!(\"the frobnicator is missing\");\n}\n",
    )
    .unwrap();
    let result = scan_project(project.path(), &[]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    assert_eq!(report["analysis"]["reachability"]["status"], "build failed");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "unknown");
    let reason = smallvec["reachability_reason"].as_str().unwrap();
    assert_eq!(
        reason,
        "the build failed: the build script of `direct-call v0.1.0` panicked at build.rs:2:5: the frobnicator is missing"
    );
}
