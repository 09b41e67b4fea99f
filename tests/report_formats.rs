//! What the formats must satisfy beyond their snapshots: the JSON report validates against its
//! JSON Schema, and SARIF meets GitHub code scanning's requirements and, where the real
//! validator is installed (`SARIF_MULTITOOL`, as CI does), validates with no errors or warnings.

mod common;

use common::{fixture, scan_lockfile};
use secgate::render::{Format, RenderOptions, parse_json, render};
use serde_json::Value;
use std::process::Command;

fn reports() -> Vec<(String, secgate::Report)> {
    let saved = std::fs::read(fixture("reports/vulnerable-server.json")).unwrap();
    let scanned = scan_lockfile(
        &fixture("lockfiles/vulnerable.lock"),
        &fixture("advisory-db"),
    );
    vec![
        ("fixture report".into(), parse_json(&saved).unwrap()),
        (
            "lockfile scan".into(),
            parse_json(scanned.stdout.as_bytes()).unwrap(),
        ),
    ]
}

fn render_value(report: &secgate::Report, format: Format) -> Value {
    let options = RenderOptions {
        color: false,
        timestamp: "2026-11-28T00:00:00Z".into(),
    };
    serde_json::from_slice(&render(report, format, &options).unwrap()).unwrap()
}

#[test]
fn json_reports_validate_against_the_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for (name, report) in reports() {
        let value = render_value(&report, Format::Json);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // The schema can fail: a report with an unknown verdict does not validate.
    let mut broken = render_value(&reports()[0].1, Format::Json);
    broken["findings"][0]["verdict"] = "maybe".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_meets_github_code_scanning_requirements() {
    for (name, report) in reports() {
        let sarif = render_value(&report, Format::Sarif);
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            for field in ["shortDescription", "fullDescription", "help"] {
                let text = rule[field]["text"].as_str().unwrap_or_default();
                assert!(
                    !text.trim().is_empty(),
                    "{name}: rule {} has no {field}",
                    rule["id"]
                );
            }
            if let Some(score) = rule["properties"]["security-severity"].as_str() {
                let score: f64 = score.parse().unwrap();
                assert!((0.0..=10.0).contains(&score));
            }
        }
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{name}: no results");
        for result in results {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(
                region["startLine"].as_u64().unwrap() >= 1,
                "{name}: {result:#}"
            );
            let fingerprint = result["partialFingerprints"]["secgate/v1"]
                .as_str()
                .unwrap();
            assert_eq!(fingerprint.len(), 16);
        }
    }
}

#[test]
fn a_reachable_advisory_points_at_the_workspace_call_site_with_its_trace() {
    let sarif = render_value(&reports()[0].1, Format::Sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let smallvec = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2021-0003")
        .unwrap();
    let location = &smallvec["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/tags.rs");
    assert_eq!(location["region"]["startLine"], 44);
    assert!(
        smallvec["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap()
            .len()
            > 2
    );
    let ignored = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2019-0034")
        .unwrap();
    assert_eq!(ignored["suppressions"][0]["kind"], "external");
    let unreachable = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2019-0033")
        .unwrap();
    assert_eq!(
        unreachable["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Cargo.lock"
    );
}

#[test]
fn sarif_validates_with_the_sarif_multitool() {
    let Some(tool) = std::env::var_os("SARIF_MULTITOOL") else {
        assert!(
            std::env::var_os("SECGATE_REQUIRE_TOOLS").is_none(),
            "SECGATE_REQUIRE_TOOLS is set but SARIF_MULTITOOL is not"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (index, (name, report)) in reports().into_iter().enumerate() {
        let input = dir.path().join(format!("report{index}.sarif"));
        let output = dir.path().join(format!("validation{index}.sarif"));
        std::fs::write(
            &input,
            render(&report, Format::Sarif, &RenderOptions::default()).unwrap(),
        )
        .unwrap();
        let status = Command::new(&tool)
            .arg("validate")
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .status()
            .expect("run the SARIF multitool");
        assert!(status.success(), "{name}: the validator failed to run");
        let validation: Value =
            serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
        let problems: Vec<&Value> = validation["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| matches!(r["level"].as_str(), Some("error") | Some("warning") | None))
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn markdown_stays_under_one_mebibyte_whatever_the_findings() {
    let (_, mut report) = reports().remove(0);
    let template = report.findings[0].clone();
    report.findings = (0..20_000)
        .map(|i| {
            let mut finding = template.clone();
            finding.id = format!("RUSTSEC-2099-{i:04}");
            finding
        })
        .collect();
    let bytes = render(&report, Format::Markdown, &RenderOptions::default()).unwrap();
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("more finding(s) not shown")
    );
}

#[test]
fn github_annotations_stay_within_the_per_step_limit() {
    let (_, mut report) = reports().remove(0);
    let template = report
        .findings
        .iter()
        .find(|f| f.verdict == secgate::Verdict::Fail)
        .unwrap()
        .clone();
    report.findings = vec![template; 25];
    let text =
        String::from_utf8(render(&report, Format::Github, &RenderOptions::default()).unwrap())
            .unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error")).count(),
        10
    );
    assert!(text.contains("::notice title=secgate::15 more error(s) not annotated"));
    assert!(
        text.starts_with("::error file=src/tags.rs,line=44,"),
        "{text}"
    );
}
