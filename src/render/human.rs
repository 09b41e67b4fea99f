//! The human report: findings most severe first, one block each, and a one-line summary last.

use crate::finding::Finding;
use crate::report::Report;
use std::fmt::Write;

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = String::new();
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    if !report.warnings.is_empty() {
        out.push('\n');
    }
    for finding in &report.findings {
        render_finding(&mut out, finding);
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{}: {} finding(s) in {} packages ({} advisories in the database): {}",
        s.verdict.as_str().to_uppercase(),
        s.total,
        report.lockfile.packages,
        report.database.advisory_count,
        counts(s.by_verdict.iter().map(|(k, v)| (k.as_str(), *v)))
    );
    out.into_bytes()
}

fn render_finding(out: &mut String, finding: &Finding) {
    let package = finding
        .package
        .as_ref()
        .map(|p| format!(" {} {}", p.name, p.version))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {}{} [{} {}] {}",
        finding.verdict.as_str().to_uppercase(),
        finding.id,
        package,
        finding.severity,
        finding.kind,
        finding.title
    );
    let _ = writeln!(
        out,
        "    reachability: {} ({})",
        finding.reachability, finding.reachability_reason
    );
    for trace in &finding.traces {
        for (depth, frame) in trace.frames.iter().enumerate() {
            let at = frame
                .location
                .as_ref()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {:indent$}{}{at}",
                "",
                frame.function,
                indent = depth * 2
            );
        }
    }
    if !finding.patched.is_empty() {
        let _ = writeln!(out, "    fix: upgrade to {}", finding.patched.join(" or "));
    }
    let _ = writeln!(out, "    policy: {}", finding.verdict_rule);
    if let Some(url) = &finding.url {
        let _ = writeln!(out, "    {url}");
    }
    out.push('\n');
}

fn counts<'a>(items: impl Iterator<Item = (&'a str, usize)>) -> String {
    let parts: Vec<String> = items.map(|(k, v)| format!("{v} {k}")).collect();
    if parts.is_empty() {
        "nothing to report".to_string()
    } else {
        parts.join(", ")
    }
}
