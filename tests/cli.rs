//! The command line as a user meets it: exit codes, error messages, output files, databases.

mod common;

use common::{copy_tree, fixture, git, run, scan_lockfile, secgate};
use std::fs;

fn ids(run: &common::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["id"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn vulnerable_lockfile_fails_with_exit_code_1() {
    let run = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["verdict"], "fail");
    assert!(ids(&run).contains(&"RUSTSEC-2021-0003 0.6.13".to_string()));
}

#[test]
fn patched_lockfile_passes_with_exit_code_0() {
    let run = scan_lockfile(&fixture("lockfiles/patched.lock"), &fixture("advisory-db"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["findings"], serde_json::json!([]));
}

#[test]
fn withdrawn_advisories_are_skipped_and_informational_ones_get_their_kind() {
    let run = scan_lockfile(
        &fixture("lockfiles/informational.lock"),
        &fixture("advisory-db"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let kinds: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().into(),
                f["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(kinds.contains(&("RUSTSEC-2024-0375".into(), "unmaintained".into())));
    assert!(kinds.contains(&("RUSTSEC-2021-0145".into(), "unsound".into())));
    assert!(kinds.contains(&("RUSTSEC-2022-0058".into(), "notice".into())));
    assert!(
        !kinds.iter().any(|(id, _)| id == "RUSTSEC-2020-0053"),
        "withdrawn advisory reported"
    );
}

#[test]
fn advisory_for_another_os_is_kept_but_unreachable() {
    let run = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    let report = run.json();
    let windows_only = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2023-0001")
        .expect("the windows-only tokio advisory stays in the report");
    if std::env::consts::OS != "windows" {
        assert_eq!(windows_only["reachability"], "unreachable");
        assert!(
            windows_only["reachability_reason"]
                .as_str()
                .unwrap()
                .contains("os windows")
        );
        assert_eq!(windows_only["verdict"], "warn");
    }
}

#[test]
fn severity_comes_from_cvss_and_is_unknown_without_it() {
    let report = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    )
    .json();
    let find = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap()
    };
    let smallvec = find("RUSTSEC-2021-0003");
    assert_eq!(smallvec["severity"], "critical");
    assert_eq!(smallvec["cvss"]["score"], 9.8);
    assert_eq!(
        smallvec["affected_functions"],
        serde_json::json!(["smallvec::SmallVec::insert_many"])
    );
    assert_eq!(smallvec["reachability"], "unknown");
    assert_eq!(smallvec["reachability_reason"], "not analysed");
    // Locations are relative to the project root: a bare lockfile is named as it is called.
    assert_eq!(smallvec["locations"][0]["file"], "vulnerable.lock");
    assert_eq!(smallvec["locations"][0]["line"], 55);
    let tokio = find("RUSTSEC-2021-0124");
    assert_eq!(tokio["severity"], "unknown");
    assert_eq!(tokio["cvss"], serde_json::Value::Null);
    // The default policy treats an unrated advisory as high, so it fails.
    assert_eq!(tokio["verdict"], "fail");
    let time_0_2 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2020-0071" && f["package"]["version"] == "0.2.22")
        .unwrap();
    assert_eq!(time_0_2["severity"], "medium");
    // Only the functions whose ranges contain 0.2.22: not the `^0.1` ones.
    let functions = time_0_2["affected_functions"].as_array().unwrap();
    assert!(functions.contains(&"time::OffsetDateTime::now_local".into()));
    assert!(!functions.contains(&"time::now".into()), "{functions:?}");
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    let b = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn malformed_lockfile_names_file_and_line_and_exits_2() {
    let run = scan_lockfile(
        &fixture("lockfiles/malformed.lock"),
        &fixture("advisory-db"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("malformed.lock"), "{}", run.stderr);
    assert!(run.stderr.contains("line 5"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn missing_path_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path())
        .args(["scan", "no/such/dir", "--db"])
        .arg(fixture("advisory-db")));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);
}

#[test]
fn unknown_format_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path()).args(["scan", "--format", "xml"]));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("xml"), "{}", run.stderr);
}

#[test]
fn runs_as_a_cargo_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path())
        .args(["secgate", "scan", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/patched.lock"))
        .arg("--db")
        .arg(fixture("advisory-db")));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A cargo project in a temporary directory: a manifest and the given lockfile.
fn project_with(lockfile: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    if let Some(lockfile) = lockfile {
        fs::copy(fixture(lockfile), dir.path().join("Cargo.lock")).unwrap();
    }
    dir
}

#[test]
fn finds_the_workspace_lockfile_from_a_directory_or_a_manifest() {
    let project = project_with(Some("lockfiles/two-versions.lock"));
    let home = tempfile::tempdir().unwrap();
    // --no-build: this test is about finding the lockfile (the manifest does not use smallvec).
    let by_dir = run(secgate(home.path())
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(project.path().join("src")));
    assert_eq!(by_dir.code, 1, "{}", by_dir.stderr);
    assert_eq!(
        ids(&by_dir),
        ["RUSTSEC-2021-0003 0.6.13", "RUSTSEC-2021-0003 1.6.0"]
    );
    let by_manifest = run(secgate(home.path())
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg("--manifest-path")
        .arg(project.path().join("Cargo.toml")));
    assert_eq!(by_manifest.stdout, by_dir.stdout);
}

/// A workspace without a Cargo.lock is scanned with one secgate resolves in a copy (see
/// tests/faults_build.rs), and says so; the user's directory gets none.
#[test]
fn workspace_without_lockfile_is_resolved_in_a_copy() {
    let project = project_with(None);
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path())
        .args(["scan", "--no-build", "--format", "json"])
        .arg(project.path())
        .arg("--db")
        .arg(fixture("advisory-db")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert!(
        report["lockfile"]["path"]
            .as_str()
            .unwrap()
            .starts_with("Cargo.lock resolved by secgate"),
        "{report:#}"
    );
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("has no Cargo.lock: secgate resolved one"),
        "{report:#}"
    );
    assert!(
        !project.path().join("Cargo.lock").exists(),
        "secgate must not create the lockfile"
    );
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let home = tempfile::tempdir().unwrap();
    let ok = run(secgate(home.path())
        .args(["scan", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"))
        .arg("--output")
        .arg(&out));
    assert_eq!(ok.code, 1, "{}", ok.stderr);
    assert!(ok.stdout.is_empty());
    let first = fs::read(&out).unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&first).is_ok());

    let failed = run(secgate(home.path())
        .args(["scan", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/malformed.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"))
        .arg("--output")
        .arg(&out));
    assert_eq!(failed.code, 2);
    assert_eq!(
        fs::read(&out).unwrap(),
        first,
        "a failed scan must leave the old report untouched"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left behind"
    );
}

/// A copy of the fixture database with one advisory file replaced by `text`.
fn database_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("advisory-db"), dir.path());
    fs::write(dir.path().join(file), text).unwrap();
    dir
}

#[test]
fn malformed_advisory_fails_closed_naming_the_file() {
    let db = database_with(
        "crates/smallvec/RUSTSEC-2021-0003.md",
        "```toml\n[advisory]\nid = \"RUSTSEC-2021-0003\"\npackage = \"smallvec\"\ndate = \"not a date\"\n\n[versions]\npatched = []\n```\n\n# Broken\n",
    );
    let run = scan_lockfile(&fixture("lockfiles/vulnerable.lock"), db.path());
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("RUSTSEC-2021-0003.md"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "no partial report");
}

#[test]
fn misfiled_advisory_is_an_error() {
    let db = database_with(
        "crates/smallvec/RUSTSEC-2099-0001.md",
        &fs::read_to_string(fixture("advisory-db/crates/smallvec/RUSTSEC-2021-0003.md")).unwrap(),
    );
    let run = scan_lockfile(&fixture("lockfiles/vulnerable.lock"), db.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("RUSTSEC-2099-0001.md"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("must be named RUSTSEC-2021-0003.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn offline_without_a_cached_database_names_db_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path())
        .args(["scan", "--offline", "--lockfile"])
        .arg(fixture("lockfiles/patched.lock")));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--db"), "{}", run.stderr);
    assert!(run.stderr.contains("advisory-db"), "{}", run.stderr);
}

#[test]
fn offline_uses_the_cached_database() {
    let home = tempfile::tempdir().unwrap();
    copy_tree(&fixture("advisory-db"), &home.path().join("advisory-db"));
    let run = run(secgate(home.path())
        .args(["scan", "--offline", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock")));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["database"]["source"], "cache");
}

#[test]
fn failed_fetch_with_a_cache_warns_and_goes_on() {
    // The cache is a git checkout whose remote cannot be reached (nothing listens on port 9).
    let url = "https://127.0.0.1:9/advisory-db.git";
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("advisory-db");
    copy_tree(&fixture("advisory-db"), &cache);
    git(&cache, &["init", "-q", "-b", "main"]);
    git(&cache, &["add", "."]);
    git(&cache, &["commit", "-q", "-m", "snapshot"]);
    git(&cache, &["remote", "add", "origin", url]);
    let run = run(secgate(home.path())
        .args(["scan", "--format", "json", "--db-url", url, "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock")));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["database"]["source"], "cache");
    assert_eq!(
        report["database"]["last_commit"].as_str().map(str::len),
        Some(40)
    );
    let warning = report["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("could not update the advisory database"),
        "{warning}"
    );
    assert!(warning.contains("last updated 20"), "{warning}");
}

#[test]
fn failed_fetch_without_a_cache_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let run = run(secgate(home.path())
        .args([
            "scan",
            "--db-url",
            "https://127.0.0.1:9/advisory-db.git",
            "--lockfile",
        ])
        .arg(fixture("lockfiles/patched.lock")));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--db"), "{}", run.stderr);
}

#[test]
fn verbose_says_what_ran_and_quiet_says_nothing() {
    let home = tempfile::tempdir().unwrap();
    let verbose = run(secgate(home.path())
        .args(["-v", "scan", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/patched.lock"))
        .arg("--db")
        .arg(fixture("advisory-db")));
    assert_eq!(verbose.code, 0);
    assert!(
        verbose.stderr.contains("analysis done"),
        "{}",
        verbose.stderr
    );
    if cfg!(target_os = "linux") {
        assert!(
            verbose.stderr.contains("analysis done (peak RSS "),
            "{}",
            verbose.stderr
        );
    }
    assert!(
        verbose.stderr.contains("reachability: not run"),
        "{}",
        verbose.stderr
    );
    let quiet = run(secgate(home.path())
        .args(["scan", "-q", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/patched.lock"))
        .arg("--db")
        .arg(fixture("advisory-db")));
    assert_eq!(quiet.code, 0);
    assert_eq!(quiet.stderr, "");
    assert_eq!(
        quiet.stdout, verbose.stdout,
        "progress never mixes into the report"
    );
}
