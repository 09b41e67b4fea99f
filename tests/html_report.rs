//! The local triage report: a self-contained HTML page that renders in a real browser (headless
//! Chromium, where installed — CI installs it) with the expected findings.

mod common;

use common::{fixture, run, secgate};
use secgate::render::{Format, RenderOptions, parse_json, render};
use std::path::Path;
use std::process::Command;

fn page() -> String {
    let bytes = std::fs::read(fixture("reports/vulnerable-server.json")).unwrap();
    let report = parse_json(&bytes).unwrap();
    String::from_utf8(render(&report, Format::Html, &RenderOptions::default()).unwrap()).unwrap()
}

#[test]
fn the_page_is_self_contained() {
    let html = page();
    for external in ["<script src", "<link ", "@import", "url(http"] {
        assert!(!html.contains(external), "the page loads {external}");
    }
}

#[test]
fn failing_findings_carry_the_fix_and_the_ignore_command() {
    let html = page();
    assert!(html.contains("cargo secgate ignore RUSTSEC-2021-0003 --package smallvec --reason"));
    assert!(html.contains("upgrade smallvec to &gt;=0.6.14"));
    assert!(html.contains(
        "<li class=\"own\"><code>vulnerable_server::tags::insert_tags</code> <span class=\"at\">src/tags.rs:44:10</span>"
    ));
    assert!(
        !html.contains("cargo secgate ignore RUSTSEC-2019-0033"),
        "only failing findings get the command"
    );
}

fn chromium() -> Option<String> {
    let candidates = [
        std::env::var("CHROMIUM").ok(),
        Some("chromium".into()),
        Some("chromium-browser".into()),
    ];
    let found = candidates.into_iter().flatten().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("SECGATE_REQUIRE_TOOLS").is_none(),
            "SECGATE_REQUIRE_TOOLS is set but no chromium is installed"
        );
    }
    found
}

fn headless(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn the_report_command_writes_a_page_chromium_renders_with_the_findings() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["report", "--no-build", "--lockfile"])
        .arg(fixture("lockfiles/vulnerable.lock"))
        .arg("--db")
        .arg(fixture("advisory-db"))
        .arg("--output")
        .arg(&html));
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(result.stdout.contains("FAIL"), "{}", result.stdout);

    let output = headless(&browser, &dir.path().join("profile"))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("id=\"verdict\">FAIL</span>"), "{dom}");
    for id in [
        "RUSTSEC-2021-0003",
        "RUSTSEC-2017-0004",
        "RUSTSEC-2022-0013",
    ] {
        assert!(dom.contains(&format!("data-id=\"{id}\"")), "{id} missing");
    }

    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/secgate-report.png");
    let status = headless(&browser, &dir.path().join("profile"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1400")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success());
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "an empty screenshot"
    );
}
