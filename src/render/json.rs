//! The JSON report: the canonical format (`schema_version` 1), documented in `docs/json-report.md`.

use crate::report::Report;

pub fn render(report: &Report) -> Vec<u8> {
    // Serializing plain data structs with string keys cannot fail.
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Reads a saved JSON report back.
pub fn parse(bytes: &[u8]) -> Result<Report, serde_json::Error> {
    serde_json::from_slice(bytes)
}
