//! The JSON report: the canonical format (`schema_version` 1), documented in `docs/json-report.md`.
//!
//! Reading one back keeps the schema contract: a version this secgate does not know, or a field
//! it does not know, is refused rather than dropped; the summary is recomputed from the findings,
//! so a hand-edited summary cannot turn failing findings into a pass.

use crate::error::Error;
use crate::report::{Report, SCHEMA_VERSION, Summary};
use serde_json::Value;

pub fn render(report: &Report) -> Result<Vec<u8>, Error> {
    pretty_json("JSON", report)
}

/// `value` as pretty-printed JSON with a final newline; a value serde cannot write is an error,
/// never an empty report.
pub(crate) fn pretty_json(
    format: &'static str,
    value: &impl serde::Serialize,
) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Render {
        format,
        source: Box::new(e),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Why a saved report cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("no schema_version: a secgate report has \"schema_version\": {SCHEMA_VERSION}")]
    NoVersion,
    #[error(
        "schema_version {0} is not one this secgate reads (it reads {SCHEMA_VERSION}); render it with the secgate that wrote it"
    )]
    Version(Value),
    #[error("unknown field `{0}` for schema_version {SCHEMA_VERSION}; converting would drop it")]
    UnknownField(String),
}

/// Reads a saved JSON report back.
pub fn parse(bytes: &[u8]) -> Result<Report, ParseError> {
    let value: Value = serde_json::from_slice(bytes)?;
    match value.get("schema_version") {
        None => return Err(ParseError::NoVersion),
        Some(version) if version.as_u64() != Some(u64::from(SCHEMA_VERSION)) => {
            return Err(ParseError::Version(version.clone()));
        }
        Some(_) => {}
    }
    let mut report: Report = serde_json::from_value(value.clone())?;
    // Every field serde knows comes back out; whatever does not was unknown to it. Comparing
    // keeps the check in one place instead of an attribute on every type of the report.
    let known = serde_json::to_value(&report)?;
    if let Some(field) = unknown_field(&value, &known, "") {
        return Err(ParseError::UnknownField(field));
    }
    report.summary = Summary::of(&report.findings);
    Ok(report)
}

/// The path of the first key of `read` that `known` does not have (`findings[0].extra`).
fn unknown_field(read: &Value, known: &Value, path: &str) -> Option<String> {
    match (read, known) {
        (Value::Object(read), Value::Object(known)) => read.iter().find_map(|(key, value)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match known.get(key) {
                None => Some(here),
                Some(known) => unknown_field(value, known, &here),
            }
        }),
        (Value::Array(read), Value::Array(known)) => {
            read.iter()
                .zip(known)
                .enumerate()
                .find_map(|(index, (value, known))| {
                    unknown_field(value, known, &format!("{path}[{index}]"))
                })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reports/vulnerable-server.json"
        );
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn refuses_other_versions_and_unknown_fields() {
        let text = fixture();
        let v2 = text.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1);
        let err = parse(v2.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("schema_version 2 is not one"), "{err}");
        let extra = text.replacen("\"lockfile\": {", "\"lockfile\": {\"hash\": 1,", 1);
        let err = parse(extra.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("unknown field `lockfile.hash`"), "{err}");
        let top = text.replacen('{', "{\"extra\": [],", 1);
        let err = parse(top.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("unknown field `extra`"), "{err}");
    }

    #[test]
    fn the_summary_comes_from_the_findings() {
        let text = fixture();
        let edited = text.replacen("\"fail\": 5,", "\"fail\": 0,", 1);
        assert_ne!(edited, text);
        let report = parse(edited.as_bytes()).unwrap();
        assert_eq!(report.summary, Summary::of(&report.findings));
        assert_eq!(report.summary.by_verdict[&crate::finding::Verdict::Fail], 5);
    }
}
