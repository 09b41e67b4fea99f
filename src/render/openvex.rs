//! OpenVEX 0.2.0: one statement per vulnerability advisory and package version —
//! `affected` when reachable, `not_affected` with justification
//! `vulnerable_code_not_in_execute_path` when proven unreachable, `under_investigation` when unknown.

use super::fingerprint;
use crate::finding::{Kind, Reachability};
use crate::hash::fnv1a;
use crate::report::Report;
use serde_json::{Value, json};

pub fn render(report: &Report, timestamp: &str) -> Result<Vec<u8>, crate::error::Error> {
    let product = match &report.project {
        Some(p) => format!("pkg:cargo/{}@{}", p.name, p.version),
        None => "pkg:cargo/unknown".to_string(),
    };
    let statements: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Vulnerability)
        .filter_map(|f| {
            let package = f.package.as_ref()?;
            let mut vulnerability = json!({ "name": f.id });
            if let Some(url) = &f.url {
                vulnerability["@id"] = json!(url);
            }
            if !f.aliases.is_empty() {
                vulnerability["aliases"] = json!(f.aliases);
            }
            let mut statement = json!({
                "vulnerability": vulnerability,
                "products": [{
                    "@id": product,
                    "subcomponents": [{ "@id": format!("pkg:cargo/{}@{}", package.name, package.version) }],
                }],
                "status_notes": f.reachability_evidence(),
            });
            match f.reachability {
                Reachability::Reachable => {
                    statement["status"] = json!("affected");
                    statement["action_statement"] = json!(f
                        .fix
                        .clone()
                        .unwrap_or_else(|| "No fixed version exists; remove or replace the dependency.".into()));
                }
                Reachability::Unreachable => {
                    statement["status"] = json!("not_affected");
                    statement["justification"] = json!("vulnerable_code_not_in_execute_path");
                    statement["impact_statement"] = json!(f.reachability_evidence());
                }
                Reachability::Unknown => statement["status"] = json!("under_investigation"),
            }
            Some(statement)
        })
        .collect();
    // A stable document id from what the statements say, so the same scan gives the same id.
    let identity: String = report
        .findings
        .iter()
        .map(fingerprint)
        .collect::<Vec<_>>()
        .join(",");
    let id = format!(
        "urn:secgate:vex:{}",
        fnv1a(&format!("{product}|{identity}"))
    );
    let document = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": id,
        "author": "secgate",
        "timestamp": timestamp,
        "version": 1,
        "tooling": format!("{} {}", report.tool.name, report.tool.version),
        "statements": statements,
    });
    super::json::pretty_json("OpenVEX", &document)
}
