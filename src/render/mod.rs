//! Output formats: each one a pure function from a [`Report`] to bytes.
//!
//! No renderer prints, exits or reads the environment; the binary decides where bytes go.

mod human;
mod json;

use crate::report::Report;

/// The output formats secgate can render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report for a terminal.
    Human,
    /// The canonical, versioned JSON report.
    Json,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> Vec<u8> {
    match format {
        Format::Human => human::render(report),
        Format::Json => json::render(report),
    }
}

pub use json::parse as parse_json;
