//! Parity with cargo-audit: on every recorded case, secgate reports exactly the
//! (advisory id, package, version, kind) set that cargo-audit reported on the same lockfile and
//! database. The records come from `scripts/record-cargo-audit.sh`, so this test needs no cargo-audit.

mod common;

use common::{fixture, full_db, scan_lockfile};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Tuple = (String, String, String, String);

#[derive(serde::Deserialize)]
struct Record {
    lockfile: String,
    database: String,
    findings: Vec<Tuple>,
}

fn records() -> Vec<(String, Record)> {
    let mut records: Vec<(String, Record)> = std::fs::read_dir(fixture("parity"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let record = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                record,
            )
        })
        .collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    records
}

fn secgate_tuples(lockfile: &str, db: &Path) -> BTreeSet<Tuple> {
    let lockfile = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(lockfile);
    let run = scan_lockfile(&lockfile, db);
    assert!(
        run.code == 0 || run.code == 1,
        "secgate could not run: {}",
        run.stderr
    );
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["package"]["name"].as_str().unwrap().to_string(),
                f["package"]["version"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check(database: &str, db: PathBuf) {
    let cases: Vec<_> = records()
        .into_iter()
        .filter(|(_, record)| record.database == database)
        .collect();
    assert!(!cases.is_empty(), "no recorded cases for {database}");
    for (name, record) in cases {
        let expected: BTreeSet<Tuple> = record.findings.into_iter().collect();
        let actual = secgate_tuples(&record.lockfile, &db);
        assert_eq!(actual, expected, "{name}: secgate and cargo-audit disagree");
    }
}

#[test]
fn matches_cargo_audit_with_the_fixture_database() {
    check("fixtures/advisory-db", fixture("advisory-db"));
}

#[test]
fn matches_cargo_audit_with_the_full_snapshot() {
    if let Some(db) = full_db() {
        check("full-snapshot", db);
    }
}

#[test]
fn the_recorded_cases_are_not_all_empty() {
    let total: usize = records().iter().map(|(_, r)| r.findings.len()).sum();
    assert!(
        total >= 20,
        "only {total} recorded findings: the parity test would prove little"
    );
}
