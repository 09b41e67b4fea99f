//! The policy as a user drives it: --policy, secgate.toml, `policy check`, `ignore`, expiry, and
//! the exit-code contract in every output format.

mod common;

use common::{fixture, run, secgate};
use std::fs;
use std::process::Stdio;

fn scan_with(policy: Option<&str>, today: &str, format: &str) -> common::Run {
    let home = tempfile::tempdir().unwrap();
    let mut command = secgate(home.path());
    command
        .env("SECGATE_TODAY", today)
        .args(["scan", "--format", format, "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"));
    if let Some(policy) = policy {
        command.args(["--policy", policy]);
    }
    run(&mut command)
}

#[test]
fn exit_codes_are_the_same_in_every_format() {
    for format in ["human", "json", "sarif", "markdown", "github", "openvex"] {
        let failing = scan_with(None, "2026-11-28", format);
        assert_eq!(failing.code, 1, "{format}: {}", failing.stderr);
        let home = tempfile::tempdir().unwrap();
        let passing = run(secgate(home.path())
            .args(["scan", "--format", format, "--lockfile"])
            .arg(fixture("lockfiles/patched.lock"))
            .arg("--db")
            .arg(fixture("advisory-db")));
        assert_eq!(passing.code, 0, "{format}: {}", passing.stderr);
    }
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let home = tempfile::tempdir().unwrap();
    // -q: the fixture database is older than 90 days, and its warning is not what this is about.
    let mut child = secgate(home.path())
        .args(["scan", "-q", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "the verdict, not a crash");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_bundled_strict_policy_needs_no_file() {
    let report = scan_with(Some("strict"), "2026-11-28", "json").json();
    assert_eq!(report["policy"], "built-in strict");
    let memoffset = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2023-0045")
        .unwrap();
    assert_eq!(
        memoffset["verdict"], "fail",
        "strict fails unsound advisories"
    );
}

fn policy_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn an_ignore_applies_until_it_expires_then_the_report_says_so() {
    let policy = policy_file(
        "[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nreason = \"size-checked input only\"\nexpires = \"2027-01-31\"\n",
    );
    let path = policy.path().to_str().unwrap();
    let before = scan_with(Some(path), "2027-01-31", "json").json();
    let smallvec = |report: &serde_json::Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "RUSTSEC-2021-0003")
            .unwrap()
            .clone()
    };
    assert_eq!(smallvec(&before)["verdict"], "ignored");
    assert!(
        smallvec(&before)["verdict_rule"]
            .as_str()
            .unwrap()
            .contains("size-checked input only")
    );

    let after = scan_with(Some(path), "2027-02-01", "json").json();
    assert_eq!(smallvec(&after)["verdict"], "fail");
    let expired = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "SG-POLICY-001")
        .expect("the expired ignore is reported");
    assert_eq!(expired["locations"][0]["line"], 1);
}

#[test]
fn policy_check_reports_every_problem_with_its_position() {
    let policy = policy_file(
        "[advisories]\nfail-on = \"severe\"\n\n[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nexpires = \"tomorrow\"\n",
    );
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["policy", "check"])
        .arg(policy.path()));
    assert_eq!(result.code, 2);
    let name = policy.path().display().to_string();
    assert!(
        result
            .stderr
            .contains(&format!("{name}:2:11: `fail-on` must be one of")),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains(&format!("{name}:4:1: an [[ignore]] needs a `reason`")),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains(&format!("{name}:6:11: `expires` must be a date")),
        "{}",
        result.stderr
    );

    let ok = run(secgate(home.path()).args(["policy", "check", "strict"]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

#[test]
fn a_bad_policy_stops_the_scan_with_exit_2_and_no_output_file() {
    let policy = policy_file("[advisories]\nunknown = 1\n");
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["scan", "--format", "json", "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"))
        .arg("--policy")
        .arg(policy.path())
        .arg("--output")
        .arg(&report));
    assert_eq!(result.code, 2);
    assert!(
        result.stderr.contains("unknown key `unknown`"),
        "{}",
        result.stderr
    );
    assert!(!report.exists());
}

#[test]
fn the_ignore_command_writes_an_ignore_the_next_scan_honours() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("secgate.toml");
    fs::write(&policy, "# team policy\n[advisories]\nfail-on = \"high\"\n").unwrap();
    let home = tempfile::tempdir().unwrap();
    let added = run(secgate(home.path())
        .args([
            "ignore",
            "RUSTSEC-2021-0003",
            "--reason",
            "tracked in #42",
            "--expires",
            "2099-01-01",
            "--package",
            "smallvec",
            "--policy",
        ])
        .arg(&policy));
    assert_eq!(added.code, 0, "{}", added.stderr);
    let text = fs::read_to_string(&policy).unwrap();
    assert!(
        text.starts_with("# team policy\n[advisories]\nfail-on = \"high\"\n"),
        "{text}"
    );
    let report = scan_with(Some(policy.to_str().unwrap()), "2026-11-28", "json").json();
    let smallvec = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(smallvec["verdict"], "ignored");

    let refused = run(secgate(home.path())
        .args(["ignore", "RUSTSEC-2021-0003", "--reason", " ", "--policy"])
        .arg(&policy));
    assert_eq!(refused.code, 2, "a reason is required");
}

#[test]
fn secgate_toml_at_the_workspace_root_is_found() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    fs::copy(
        fixture("lockfiles/two-versions.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    fs::write(
        dir.path().join("secgate.toml"),
        "[advisories]\nfail-on = \"critical\"\nunreachable = \"pass\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("deny.toml"),
        "[advisories]\nignore = [\"RUSTSEC-2099-0001\"]\n",
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(dir.path()));
    let report = result.json();
    // Found by secgate, named with its directory (absolute here: the project is outside the
    // current directory), and so is the imported deny.toml.
    let named = |file: &str| dir.path().join(file).display().to_string();
    assert_eq!(report["policy"], named("secgate.toml"));
    let unused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "SG-POLICY-002")
        .expect("deny.toml's ignore is imported, and reported unused");
    assert_eq!(unused["locations"][0]["file"], named("deny.toml"));
}
