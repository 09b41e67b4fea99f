//! Snapshot tests of every output format over one shared fixture report.

mod common;

use common::{fixture, scan_lockfile};

fn report() -> secgate::Report {
    let run = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    let mut report = secgate::render::parse_json(run.stdout.as_bytes()).expect("a valid report");
    // What depends on the machine, not on the input.
    report.database.path = "fixtures/advisory-db".into();
    report.database.last_updated = None;
    report.lockfile.path = "fixtures/lockfiles/vulnerable.lock".into();
    report.target = secgate::report::Target {
        triple: "x86_64-linux".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
    };
    report.tool.version = "[version]".into();
    report
}

#[test]
fn json() {
    let bytes = secgate::render::render(&report(), secgate::render::Format::Json);
    insta::assert_snapshot!(String::from_utf8(bytes).unwrap());
}

#[test]
fn human() {
    let bytes = secgate::render::render(&report(), secgate::render::Format::Human);
    insta::assert_snapshot!(String::from_utf8(bytes).unwrap());
}

#[test]
fn json_round_trips() {
    let report = report();
    let bytes = secgate::render::render(&report, secgate::render::Format::Json);
    assert_eq!(secgate::render::parse_json(&bytes).unwrap(), report);
}
