//! cargo-deny's bans, licenses and sources checks under secgate's verdict, with the real
//! cargo-deny (`.ci/run` installs it; elsewhere these tests skip unless SECGATE_REQUIRE_TOOLS is
//! set). fixtures/supply-chain breaks three rules of policies/deny.toml on purpose.

mod common;

use common::{copy_tree, fixture, run, secgate_building, with_cargo_deny};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn cargo_deny_installed() -> bool {
    let program = std::env::var_os("CARGO_DENY").unwrap_or_else(|| "cargo-deny".into());
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("SECGATE_REQUIRE_TOOLS").is_none(),
        "SECGATE_REQUIRE_TOOLS is set but cargo-deny is not installed"
    );
    found
}

fn scan(project: &Path, extra: &[&str]) -> common::Run {
    run(with_cargo_deny(&mut secgate_building())
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .args(extra)
        .arg(project))
}

/// (id, package, verdict, file:line) of the supply-chain findings.
fn supply_chain(report: &Value) -> Vec<(String, String, String, String)> {
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "supply-chain")
        .map(|f| {
            let location = &f["locations"][0];
            (
                f["id"].as_str().unwrap().to_string(),
                f["package"]["name"].as_str().unwrap_or("").to_string(),
                f["verdict"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    location["file"].as_str().unwrap(),
                    location["line"]
                ),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn cargo_deny_findings_join_the_verdict() {
    if !cargo_deny_installed() {
        return;
    }
    let result = scan(&fixture("supply-chain"), &[]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    let expected = [
        ("deny::banned", "tempdir", "fail", "Cargo.lock:103"),
        (
            "deny::no-license-field",
            "fuchsia-cprng",
            "warn",
            "Cargo.lock:21",
        ),
        ("deny::rejected", "ansi_colours", "fail", "Cargo.lock:6"),
        ("deny::wildcard", "supply-chain", "fail", "Cargo.toml:12"),
    ];
    assert_eq!(
        supply_chain(&report),
        expected
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect::<Vec<_>>()
    );
    let status = report["analysis"]["supply_chain"].as_str().unwrap();
    assert!(status.contains("bundled policies/deny.toml"), "{status}");
}

#[test]
fn the_hardened_server_passes_the_supply_chain_checks() {
    if !cargo_deny_installed() {
        return;
    }
    let result = scan(&fixture("sample-server"), &[]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let report = result.json();
    assert!(supply_chain(&report).is_empty(), "{report:#}");
    assert!(
        report["analysis"]["supply_chain"]
            .as_str()
            .unwrap()
            .starts_with("cargo-deny checked bans, licenses, sources"),
    );
}

#[test]
fn an_ignore_in_the_policy_applies_to_cargo_deny_findings() {
    if !cargo_deny_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("supply-chain"), dir.path());
    std::fs::write(
        dir.path().join("secgate.toml"),
        "[[ignore]]\nid = \"deny::banned\"\npackage = \"tempdir\"\nreason = \"replaced next sprint\"\n\n\
         [supply-chain]\nwarnings = \"pass\"\n",
    )
    .unwrap();
    let report = scan(dir.path(), &[]).json();
    let verdicts: Vec<(String, String)> = supply_chain(&report)
        .into_iter()
        .map(|(id, _, verdict, _)| (id, verdict))
        .collect();
    assert!(verdicts.contains(&("deny::banned".into(), "ignored".into())));
    assert!(verdicts.contains(&("deny::no-license-field".into(), "pass".into())));
}

#[test]
fn a_workspace_deny_toml_is_used_and_a_broken_one_fails_closed() {
    if !cargo_deny_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("supply-chain"), dir.path());
    // The workspace's own config: bans nothing, allows the LGPL, accepts wildcards.
    std::fs::write(
        dir.path().join("deny.toml"),
        "[licenses]\nallow = [\"MIT\", \"Apache-2.0\", \"BSD-3-Clause\", \"ISC\", \"LGPL-3.0-or-later\"]\nunused-allowed-license = \"allow\"\n\
         [bans]\nwildcards = \"allow\"\n",
    )
    .unwrap();
    let report = scan(dir.path(), &[]).json();
    let ids: Vec<String> = supply_chain(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, ["deny::no-license-field"]);
    assert!(
        report["analysis"]["supply_chain"]
            .as_str()
            .unwrap()
            .contains("with deny.toml")
    );

    std::fs::write(dir.path().join("deny.toml"), "[bans]\nwildcards = 7\n").unwrap();
    let broken = scan(dir.path(), &[]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let ids: Vec<String> = supply_chain(&broken.json())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(ids, ["SG-DENY-000"]);
}

#[test]
fn cargo_deny_required_but_missing_fails_and_never_skips() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("supply-chain"), dir.path());
    let policy = |mode: &str| format!("[supply-chain]\ncargo-deny = \"{mode}\"\n");

    std::fs::write(dir.path().join("secgate.toml"), policy("always")).unwrap();
    let missing = run(secgate_building()
        .env("CARGO_DENY", dir.path().join("no-such-cargo-deny"))
        .args(["scan", "--no-build", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(dir.path()));
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    let report = missing.json();
    let ids: Vec<String> = supply_chain(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, ["SG-DENY-000"]);

    std::fs::write(dir.path().join("secgate.toml"), policy("never")).unwrap();
    let report = scan(dir.path(), &[]).json();
    assert!(supply_chain(&report).is_empty());
    assert!(
        report["analysis"]["supply_chain"]
            .as_str()
            .unwrap()
            .starts_with("not run")
    );
}

#[test]
fn with_new_since_only_what_the_change_brings_in_fails() {
    if !cargo_deny_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(&fixture("supply-chain"), root);
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &["commit", "-q", "-m", "base"],
        &["tag", "base"],
    ] {
        common::git(root, args);
    }
    // An unrelated change: what was already there warns.
    std::fs::write(root.join("src/extra.rs"), "pub fn f() {}\n").unwrap();
    let gated = scan(root, &["--new-since", "base"]);
    assert_eq!(gated.code, 0, "{}", gated.stderr);
    let verdicts: Vec<String> = supply_chain(&gated.json())
        .into_iter()
        .map(|f| f.2)
        .collect();
    assert_eq!(verdicts, ["warn", "warn", "warn", "warn"]);
    // The scheduled scan still fails on them.
    assert_eq!(scan(root, &[]).code, 1);
}
