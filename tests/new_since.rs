//! `--new-since REF` in a temporary git repository: a pull request fails only on what it changes.

mod common;

use common::{fixture, git, run, secgate};
use std::fs;
use std::path::Path;

/// A repository whose first commit locks `base_lock` and whose working tree locks `head_lock`.
fn repository(base_lock: &str, head_lock: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::create_dir(root.join("src")).unwrap();
    fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
    fs::copy(fixture(base_lock), root.join("Cargo.lock")).unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["tag", "base"]);
    fs::copy(fixture(head_lock), root.join("Cargo.lock")).unwrap();
    fs::write(
        root.join("src/main.rs"),
        "fn main() { println!(\"changed\"); }\n",
    )
    .unwrap();
    git(root, &["commit", "-q", "-am", "head"]);
    dir
}

fn scan(root: &Path, new_since: Option<&str>) -> common::Run {
    let home = tempfile::tempdir().unwrap();
    let mut command = secgate(home.path());
    command
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(root);
    if let Some(revision) = new_since {
        command.args(["--new-since", revision]);
    }
    run(&mut command)
}

#[test]
fn a_change_that_adds_a_vulnerable_dependency_fails() {
    let repo = repository("lockfiles/patched.lock", "lockfiles/two-versions.lock");
    let result = scan(repo.path(), Some("base"));
    assert_eq!(result.code, 1, "{}", result.stderr);
}

#[test]
fn an_old_advisory_on_an_untouched_dependency_does_not_block_the_change() {
    let repo = repository("lockfiles/two-versions.lock", "lockfiles/two-versions.lock");
    let gated = scan(repo.path(), Some("base"));
    assert_eq!(gated.code, 0, "{}", gated.stderr);
    let report = gated.json();
    let finding = &report["findings"][0];
    assert_eq!(finding["verdict"], "warn");
    assert!(
        finding["verdict_rule"]
            .as_str()
            .unwrap()
            .contains("already present at base")
    );
    // A scheduled scan without --new-since still reports everything.
    assert_eq!(scan(repo.path(), None).code, 1);
}

#[test]
fn an_unknown_revision_is_an_error() {
    let repo = repository("lockfiles/patched.lock", "lockfiles/patched.lock");
    let result = scan(repo.path(), Some("no-such-ref"));
    assert_eq!(result.code, 2);
    assert!(result.stderr.contains("no-such-ref"), "{}", result.stderr);
}
