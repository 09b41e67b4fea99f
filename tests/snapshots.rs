//! Snapshot tests of every output format over one shared fixture report
//! (`fixtures/reports/vulnerable-server.json`, recorded by `scripts/record-fixture-report.sh`),
//! and the `convert` command that renders a saved report again.

mod common;

use common::{fixture, run, secgate};
use secgate::render::{Format, RenderOptions, parse_json, render};

fn report() -> secgate::Report {
    let bytes = std::fs::read(fixture("reports/vulnerable-server.json")).unwrap();
    parse_json(&bytes).expect("the fixture report parses")
}

fn rendered(format: Format) -> String {
    let options = RenderOptions {
        color: false,
        timestamp: "2026-11-28T00:00:00Z".into(),
    };
    String::from_utf8(render(&report(), format, &options).unwrap()).unwrap()
}

#[test]
fn human() {
    insta::assert_snapshot!(rendered(Format::Human));
}

#[test]
fn human_in_colour_uses_ansi_codes_only_when_asked() {
    let options = RenderOptions {
        color: true,
        timestamp: String::new(),
    };
    let coloured = String::from_utf8(render(&report(), Format::Human, &options).unwrap()).unwrap();
    assert!(coloured.contains("\u{1b}[1;31mFAIL"));
    assert!(!rendered(Format::Human).contains('\u{1b}'));
}

#[test]
fn json() {
    insta::assert_snapshot!(rendered(Format::Json));
}

#[test]
fn json_round_trips_byte_for_byte() {
    let text = std::fs::read_to_string(fixture("reports/vulnerable-server.json")).unwrap();
    assert_eq!(rendered(Format::Json), text);
}

#[test]
fn sarif() {
    insta::assert_snapshot!(rendered(Format::Sarif));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(rendered(Format::Markdown));
}

#[test]
fn github() {
    insta::assert_snapshot!(rendered(Format::Github));
}

#[test]
fn openvex() {
    insta::assert_snapshot!(rendered(Format::Openvex));
}

#[test]
fn convert_renders_a_saved_report_with_the_same_exit_code() {
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["convert", "--format", "markdown"])
        .arg(fixture("reports/vulnerable-server.json")));
    assert_eq!(
        result.code, 1,
        "the saved verdict is fail: {}",
        result.stderr
    );
    assert_eq!(result.stdout, rendered(Format::Markdown));
}

#[test]
fn convert_rejects_what_is_not_a_report() {
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["convert", "--format", "sarif"])
        .arg(fixture("advisory-db/crates/smallvec/RUSTSEC-2021-0003.md")));
    assert_eq!(result.code, 2);
    assert!(
        result.stderr.contains("not a secgate JSON report"),
        "{}",
        result.stderr
    );
}
