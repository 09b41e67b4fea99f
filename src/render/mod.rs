//! Output formats: each one a pure function from a [`Report`] to bytes.
//!
//! No renderer prints, exits or reads the environment: what depends on the terminal or the clock
//! (colour, a document timestamp) comes in [`RenderOptions`], decided by the binary.

mod github;
mod html;
mod human;
mod json;
mod markdown;
mod openvex;
mod sarif;

use crate::finding::{Finding, Frame, Location, Severity};
use crate::report::Report;

/// The output formats secgate can render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report for a terminal.
    Human,
    /// The canonical, versioned JSON report.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// A compact summary for $GITHUB_STEP_SUMMARY and pull-request comments.
    Markdown,
    /// GitHub workflow annotations for the findings that fail or warn.
    Github,
    /// An OpenVEX 0.2.0 document: affected, not affected, under investigation.
    Openvex,
    /// A self-contained HTML page for local triage (what `cargo secgate report` writes).
    Html,
}

/// What a renderer may not decide by itself.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colour (human format only).
    pub color: bool,
    /// RFC 3339 time stamped into documents that require one (OpenVEX).
    pub timestamp: String,
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
) -> Result<Vec<u8>, crate::error::Error> {
    match format {
        Format::Human => Ok(human::render(report, options.color)),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Markdown => Ok(markdown::render(report)),
        Format::Github => Ok(github::render(report)),
        Format::Openvex => openvex::render(report, &options.timestamp),
        Format::Html => Ok(html::render(report)),
    }
}

pub use json::{ParseError, parse as parse_json};

/// The findings grouped by verdict, in the order every format shows them (fail, warn, ignored,
/// pass); empty groups are left out.
pub(crate) fn by_verdict(report: &Report) -> Vec<(crate::finding::Verdict, Vec<&Finding>)> {
    use crate::finding::Verdict;
    [
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Ignored,
        Verdict::Pass,
    ]
    .into_iter()
    .map(|verdict| {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .collect();
        (verdict, group)
    })
    .filter(|(_, group)| !group.is_empty())
    .collect()
}

/// One line on the unsafe code the program can run, for the text reports: how many functions
/// with unsafe code the call graph reaches, in how many crates, the most first. `None` when the
/// scan had no call graph.
pub(crate) fn reachable_unsafe_summary(report: &Report) -> Option<String> {
    let mut crates: Vec<(usize, &crate::finding::Package)> = Vec::new();
    let mut graphed = false;
    for krate in &report.unsafe_code {
        if let Some(functions) = &krate.reachable_unsafe_functions {
            graphed = true;
            if !functions.is_empty() {
                crates.push((functions.len(), &krate.package));
            }
        }
    }
    if !graphed {
        return None;
    }
    crates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let total: usize = crates.iter().map(|c| c.0).sum();
    let top: Vec<String> = crates
        .iter()
        .take(5)
        .map(|(n, package)| format!("{} {}: {n}", package.name, package.version))
        .collect();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Some(format!(
        "unsafe code: {total} function{} with unsafe code reachable from the roots, in {} crate{}{}",
        plural(total),
        crates.len(),
        plural(crates.len()),
        if top.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                top.join(", "),
                if crates.len() > top.len() {
                    ", …"
                } else {
                    ""
                }
            )
        }
    ))
}

/// Where a finding points: for a reachable advisory, the call site in workspace code where its
/// first trace enters the dependency; otherwise its first location (a Cargo.lock entry, a line).
pub(crate) fn primary_location(finding: &Finding) -> Option<&Location> {
    let entry = finding.traces.first().and_then(|trace| {
        trace
            .frames
            .iter()
            .filter_map(|frame: &Frame| frame.location.as_ref())
            .rfind(|location| !crate::location::is_dependency_file(&location.file))
    });
    entry.or(finding.locations.first())
}

/// GitHub's `security-severity`: the CVSS score, or a score in the middle of the rated band.
pub(crate) fn security_severity(finding: &Finding) -> Option<f64> {
    if let Some(cvss) = &finding.cvss {
        return Some(cvss.score);
    }
    match finding.severity {
        Severity::Critical => Some(9.5),
        Severity::High => Some(8.0),
        Severity::Medium => Some(5.5),
        Severity::Low => Some(2.0),
        Severity::None => Some(0.0),
        Severity::Unknown => None,
    }
}

/// A stable fingerprint: FNV-1a (64 bit) over the finding's identity. Written by hand because the
/// value must never change between releases, which std's and most crates' hashers do not promise.
pub(crate) fn fingerprint(finding: &Finding) -> String {
    let mut identity = format!("{}|{}", finding.id, finding.kind);
    match &finding.package {
        Some(package) => identity.push_str(&format!("|{}|{}", package.name, package.version)),
        None => {
            if let Some(location) = finding.locations.first() {
                identity.push_str(&format!("|{}|{}", location.file, location.line));
            }
        }
    }
    crate::hash::fnv1a(&identity)
}
