//! The end-to-end demonstration (README, "See it work"): the hardened sample server passes the
//! default policy, and its vulnerable twin fails with exactly the findings its flaws should give.

mod common;

use common::{fixture, run, secgate_building};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn scan(server: &str) -> (i32, Value) {
    let result = run(secgate_building()
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"),
        )
        .env("SECGATE_TODAY", "2026-11-28")
        .args(["scan", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture(server)));
    assert!(
        result.code == 0 || result.code == 1,
        "{server}: {}",
        result.stderr
    );
    (result.code, result.json())
}

#[test]
fn the_hardened_server_passes() {
    let (code, report) = scan("sample-server");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["analysis"]["reachability"]["status"], "complete");
    let failing: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    let ids: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.iter().all(|id| !id.starts_with("SG-")),
        "secgate's own rules stay quiet: {ids:?}"
    );
    // Issue 13: the exemplary server has no lint finding under the default policy; its hygiene
    // findings (unwrap, indexing, arithmetic) are left out and counted.
    let lints: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "lint")
        .collect();
    assert!(lints.is_empty(), "{lints:#?}");
}

#[test]
fn the_vulnerable_twin_fails_with_exactly_the_expected_findings() {
    let (code, report) = scan("vulnerable-server");
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    let actual: BTreeSet<String> = findings
        .iter()
        .map(|f| match f["package"]["name"].as_str() {
            Some(package) => format!(
                "{} {package} {} {} {}",
                f["id"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap(),
                f["reachability"].as_str().unwrap(),
                f["verdict"].as_str().unwrap()
            ),
            None => format!(
                "{} {}:{} {}",
                f["id"].as_str().unwrap(),
                f["locations"][0]["file"].as_str().unwrap(),
                f["locations"][0]["line"],
                f["verdict"].as_str().unwrap()
            ),
        })
        .collect();
    let expected: BTreeSet<String> = [
        // The reachable advisory fails; the unreachable ones are reported and do not.
        "RUSTSEC-2021-0003 smallvec 0.6.13 reachable fail",
        "RUSTSEC-2019-0033 http 0.1.19 unreachable warn",
        "RUSTSEC-2019-0034 http 0.1.19 unreachable warn",
        // It lists no functions: the ones inferred from its fix are reached from a handler.
        "RUSTSEC-2022-0013 regex 1.4.3 reachable fail",
        // Each deliberate flaw yields its lint finding.
        "SG-SECRET-001 src/auth.rs:9 fail",
        "SG-CT-001 src/auth.rs:19 warn",
        "SG-TLS-001 src/outbound.rs:8 fail",
        "SG-CMD-001 src/ops.rs:20 fail",
        "SG-HASH-001 src/token.rs:27 warn",
        "SG-PROF-001 src/lib.rs:33 warn",
        // The client's pattern that reaches regex 1.4.3's compiler is also regex injection.
        "SG-REGEX-001 src/search.rs:27 warn",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(actual, expected);
    // The unsafe block without a SAFETY comment is a hygiene finding: left out by default, and
    // the report says so and how to see it.
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.contains("hygiene lint finding")
                && w.contains("clippy::undocumented_unsafe_blocks 1")
                && w.contains("groups = [\"hygiene\"]"))),
        "{warnings:#?}"
    );

    // The reachable advisory's trace runs from main into the request handler.
    let smallvec = findings
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    let frames: Vec<String> = smallvec["traces"][0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["location"]["file"]
                .as_str()
                .map(|file| format!(" {file}:{}", f["location"]["line"]));
            format!(
                "{}{}",
                f["function"].as_str().unwrap(),
                at.unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        frames[0], "vulnerable_server::main src/main.rs:15",
        "{frames:#?}"
    );
    assert!(
        frames
            .iter()
            .any(|f| f.starts_with("vulnerable_server::tags::insert::{{closure}}")),
        "{frames:#?}"
    );
    assert!(
        frames.contains(&"vulnerable_server::tags::insert_tags src/tags.rs:44".to_string()),
        "{frames:#?}"
    );
    assert!(
        frames
            .last()
            .unwrap()
            .starts_with("smallvec::SmallVec<A>::insert_many")
    );
}
