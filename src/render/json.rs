//! The JSON report: the canonical format (`schema_version` 1), documented in `docs/json-report.md`.

use crate::error::Error;
use crate::report::Report;

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

/// Reads a saved JSON report back.
pub fn parse(bytes: &[u8]) -> Result<Report, serde_json::Error> {
    serde_json::from_slice(bytes)
}
