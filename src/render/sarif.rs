//! SARIF 2.1.0 for GitHub code scanning: one rule per advisory or lint rule, with help text and
//! `security-severity`; a reachable advisory is located at the call site in workspace code where
//! its trace enters the dependency, with the trace as a `codeFlow`; other advisories at the
//! package's entry in Cargo.lock; ignored findings carry a `suppression` with the reason.

use super::{fingerprint, primary_location, security_severity};
use crate::finding::Verdict;
use crate::finding::{Finding, Location};
use crate::report::Report;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn render(report: &Report) -> Result<Vec<u8>, crate::error::Error> {
    // One rule per id, in first-seen order of the (sorted) findings.
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for finding in &report.findings {
        if !rule_index.contains_key(finding.id.as_str()) {
            rule_index.insert(&finding.id, rules.len());
            rules.push(rule(finding));
        }
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.verdict != Verdict::Pass)
        .map(|f| result(f, rule_index[f.id.as_str()]))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "secgate",
                    "fullName": "cargo-secgate",
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": "https://rustsec.org",
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "verdict": report.summary.verdict,
                "policy": report.policy,
            }
        }]
    });
    super::json::pretty_json("SARIF", &sarif)
}

fn rule(finding: &Finding) -> Value {
    let mut tags = vec!["security".to_string(), finding.kind.to_string()];
    tags.extend(finding.categories.iter().cloned());
    tags.extend(
        finding
            .cwe
            .iter()
            .map(|c| format!("external/cwe/{}", c.to_lowercase())),
    );
    let mut properties = json!({ "tags": tags });
    if let Some(score) = security_severity(finding) {
        properties["security-severity"] = json!(format!("{score:.1}"));
    }
    if let Some(confidence) = finding.confidence {
        properties["precision"] = json!(match confidence {
            crate::finding::Confidence::High => "high",
            crate::finding::Confidence::Medium => "medium",
            crate::finding::Confidence::Low => "low",
        });
    }
    let short = if finding.title.is_empty() {
        finding.id.clone()
    } else {
        finding.title.clone()
    };
    let full = if finding.description.is_empty() {
        short.clone()
    } else {
        first_paragraph(&finding.description)
    };
    let mut help = full.clone();
    if let Some(fix) = &finding.fix {
        help.push_str(&format!("\n\nFix: {fix}"));
    }
    if let Some(url) = &finding.url {
        help.push_str(&format!("\n\n{url}"));
    }
    let mut rule = json!({
        "id": finding.id,
        "name": rule_name(&finding.id),
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": "warning" },
        "properties": properties,
    });
    if let Some(url) = &finding.url {
        rule["helpUri"] = json!(url);
    }
    rule
}

/// SARIF rule names are identifiers: `RUSTSEC-2021-0003` → `Rustsec20210003`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or_default();
            format!("{first}{}", chars.as_str().to_ascii_lowercase())
        })
        .collect()
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n").next().unwrap_or(text).replace('\n', " ")
}

fn physical(location: &Location) -> Value {
    let mut region = json!({ "startLine": location.line.max(1) });
    if let Some(column) = location.column {
        region["startColumn"] = json!(column.max(1));
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": location.file },
            "region": region,
        }
    })
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let level = match finding.verdict {
        Verdict::Fail => "error",
        Verdict::Warn => "warning",
        Verdict::Ignored | Verdict::Pass => "note",
    };
    let mut message = finding.title.clone();
    if let Some(package) = &finding.package {
        message = format!(
            "{} {} ({}): {message}. Reachability: {} — {}.",
            package.name,
            package.version,
            finding.id,
            finding.reachability,
            finding.reachability_evidence()
        );
    }
    if let Some(fix) = &finding.fix {
        message.push_str(&format!(" Fix: {fix}."));
    }
    let mut result = json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": message },
        "partialFingerprints": { "secgate/v1": fingerprint(finding) },
        "properties": {
            "kind": finding.kind,
            "severity": finding.severity,
            "reachability": finding.reachability,
            "verdict": finding.verdict,
            "policyRule": finding.verdict_rule,
        }
    });
    if let Some(location) = primary_location(finding) {
        result["locations"] = json!([physical(location)]);
    }
    let flows: Vec<Value> = finding
        .traces
        .iter()
        .filter_map(|trace| {
            let steps: Vec<Value> = trace
                .frames
                .iter()
                .filter_map(|frame| {
                    let location = frame.location.as_ref()?;
                    let mut step = physical(location);
                    step["message"] = json!({ "text": frame.function });
                    Some(json!({ "location": step }))
                })
                .collect();
            (!steps.is_empty()).then(|| json!({ "threadFlows": [{ "locations": steps }] }))
        })
        .collect();
    if !flows.is_empty() {
        result["codeFlows"] = json!(flows);
    }
    if finding.verdict == Verdict::Ignored {
        result["suppressions"] = json!([{
            "kind": if finding.suppressed.is_some() { "inSource" } else { "external" },
            "status": "accepted",
            "justification": finding.verdict_rule,
        }]);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name("RUSTSEC-2021-0003"), "Rustsec20210003");
        assert_eq!(rule_name("clippy::unwrap_used"), "ClippyUnwrapUsed");
    }
}
