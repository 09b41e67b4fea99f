//! `--new-since REF` in a temporary git repository: a pull request fails only on what it changes.

mod common;

use common::{fixture, git, run, secgate, secgate_building};
use std::fs;
use std::path::Path;

/// Commits a package `demo` with `main_rs` and `lockfile` as the repository's first commit, tagged
/// `base`.
fn base_commit(root: &Path, main_rs: &str, lockfile: &str) {
    fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::write(root.join("Cargo.lock"), lockfile).unwrap();
    fs::write(root.join(".gitignore"), "target/\n").unwrap();
    fs::create_dir(root.join("src")).unwrap();
    fs::write(root.join("src/main.rs"), main_rs).unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["tag", "base"]);
}

/// A repository whose first commit locks `base_lock` and whose working tree locks `head_lock`.
fn repository(base_lock: &str, head_lock: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let lockfile = fs::read_to_string(fixture(base_lock)).unwrap();
    base_commit(root, "fn main() {}\n", &lockfile);
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

/// The findings of one id, as (line, verdict).
fn lines_and_verdicts(report: &serde_json::Value, id: &str) -> Vec<(u64, String)> {
    let mut found: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .map(|f| {
            (
                f["locations"][0]["line"].as_u64().unwrap(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// A repository whose base commit holds `base` as src/main.rs and whose working tree (not
/// committed: a change under review) holds `head`. No dependencies, so it builds in a moment.
fn code_repository(base: &str, head: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let lockfile = "version = 4\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\n";
    base_commit(root, base, lockfile);
    fs::write(root.join("src/main.rs"), head).unwrap();
    dir
}

#[test]
fn lint_findings_on_lines_the_change_did_not_touch_are_not_new() {
    let base = "fn main() {\n    let _ = client().danger_accept_invalid_certs(true);\n}\n";
    let head = "fn main() {\n    let _ = client().danger_accept_invalid_certs(true);\n    \
                let _ = other().danger_accept_invalid_hostnames(true);\n}\n";
    let repo = code_repository(base, head);
    // An untracked file is new as a whole.
    fs::write(
        repo.path().join("src/extra.rs"),
        "pub fn f() { let _ = c().danger_accept_invalid_certs(true); }\n",
    )
    .unwrap();
    let gated = scan(repo.path(), Some("base"));
    assert_eq!(gated.code, 1, "the added line fails: {}", gated.stderr);
    let report = gated.json();
    let tls: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "SG-TLS-001")
        .map(|f| {
            (
                f["locations"][0]["file"].as_str().unwrap().to_string(),
                f["locations"][0]["line"].as_u64().unwrap(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("src/extra.rs", 1, "fail"),
        ("src/main.rs", 2, "warn"),
        ("src/main.rs", 3, "fail"),
    ];
    let mut tls = tls;
    tls.sort();
    assert_eq!(
        tls,
        expected
            .iter()
            .map(|(f, l, v)| (f.to_string(), *l, v.to_string()))
            .collect::<Vec<_>>()
    );
    // Without --new-since the old line fails too.
    let everything = scan(repo.path(), None).json();
    let verdicts: Vec<&serde_json::Value> = everything["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "SG-TLS-001")
        .map(|f| &f["verdict"])
        .collect();
    assert_eq!(verdicts, ["fail", "fail", "fail"]);
}

#[test]
fn unsafe_code_added_by_the_change_is_reported() {
    let base = "fn main() {\n    let x = 1u8;\n    let _y = unsafe { std::ptr::read(&x) };\n}\n";
    let head = "fn main() {\n    let x = 1u8;\n    let _y = unsafe { std::ptr::read(&x) };\n    \
                let _z = unsafe { std::ptr::read(&x) };\n}\n";
    let repo = code_repository(base, head);
    fs::write(
        repo.path().join("secgate.toml"),
        "[unsafe]\nlevel = \"fail\"\n",
    )
    .unwrap();
    let target = tempfile::tempdir().unwrap();
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", target.path())
        .args(["scan", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(repo.path())
        .args(["--new-since", "base"]));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    // Only the block on the added line 4; the one on line 3 was there before.
    assert_eq!(
        lines_and_verdicts(&report, "SG-UNSAFE-003"),
        vec![(4, "fail".to_string())]
    );
    // Without --new-since there is no "new unsafe" to speak of.
    let everything = run(secgate_building()
        .env("CARGO_TARGET_DIR", target.path())
        .args(["scan", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(repo.path()));
    assert!(lines_and_verdicts(&everything.json(), "SG-UNSAFE-003").is_empty());
}

/// A repository using smallvec 0.6.13 (RUSTSEC-2021-0003, `insert_many`) whose base commit holds
/// `base` as src/main.rs and whose working tree holds `head`.
fn smallvec_repository(base: &str, head: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let lockfile = fs::read_to_string(fixture("reachability/direct-call/Cargo.lock"))
        .unwrap()
        .replace("\"direct-call\"", "\"demo\"");
    base_commit(root, base, &lockfile);
    fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nsmallvec = \"=0.6.13\"\n\n[workspace]\n",
    )
    .unwrap();
    git(root, &["commit", "-q", "-am", "depend on smallvec"]);
    git(root, &["tag", "-f", "base"]);
    fs::write(root.join("src/main.rs"), head).unwrap();
    dir
}

/// Builds and scans `root` with `--new-since base`, expecting exit `code`, and returns the
/// RUSTSEC-2021-0003 finding.
fn smallvec_finding_since_base(root: &Path, code: i32) -> serde_json::Value {
    // Its own target directory: the repositories of these tests are all package `demo`, whose
    // outputs would share names in a shared one.
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", root.join("target"))
        .args(["scan", "--offline", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(root)
        .args(["--new-since", "base"]));
    assert_eq!(result.code, code, "{}", result.stderr);
    let report = result.json();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2021-0003")
        .cloned()
        .expect("the smallvec advisory")
}

const USES_PUSH: &str = "use smallvec::SmallVec;\n\nfn main() {\n    let mut v: SmallVec<[u8; 4]> = SmallVec::new();\n    v.push(1);\n    println!(\"{}\", v.len());\n}\n";
const USES_INSERT_MANY: &str = "use smallvec::SmallVec;\n\nfn main() {\n    let mut v: SmallVec<[u8; 4]> = SmallVec::new();\n    v.insert_many(0, vec![1, 2]);\n    println!(\"{}\", v.len());\n}\n";

/// An advisory the revision already matched, unreachable there, that the change makes reachable:
/// every trace goes through the changed line, so it is new and fails.
#[test]
fn a_change_that_makes_an_old_advisory_reachable_fails() {
    let repo = smallvec_repository(USES_PUSH, USES_INSERT_MANY);
    let finding = smallvec_finding_since_base(repo.path(), 1);
    assert_eq!(finding["reachability"], "reachable");
    assert_eq!(finding["verdict"], "fail");
    let rule = finding["verdict_rule"].as_str().unwrap();
    assert!(rule.contains("first src/main.rs:5"), "{rule}");
}

/// The same advisory, reachable before the change through a line it leaves alone: not new.
#[test]
fn an_old_reachable_advisory_the_change_does_not_touch_is_not_new() {
    let head = USES_INSERT_MANY.replace("fn main() {\n", "fn main() {\n    println!(\"start\");\n");
    let repo = smallvec_repository(USES_INSERT_MANY, &head);
    let finding = smallvec_finding_since_base(repo.path(), 0);
    assert_eq!(finding["reachability"], "reachable");
    assert_eq!(finding["verdict"], "warn", "{}", finding["verdict_rule"]);
}
