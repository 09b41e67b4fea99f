//! The human report: findings grouped by verdict (fail first) and severity, traces as readable
//! call chains with file:line, colour only when the binary says the output is a terminal, and a
//! one-line summary last.

use crate::finding::Verdict;
use crate::finding::{Finding, Frame, Kind, Severity};
use crate::location::is_dependency_file;
use crate::report::Report;
use std::fmt::Write;

/// A trace longer than this folds its runs of dependency frames.
const FOLD_AFTER: usize = 8;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }

    fn verdict(&self, verdict: Verdict) -> String {
        let label = verdict.as_str().to_uppercase();
        match verdict {
            Verdict::Fail => self.paint("1;31", &label),
            Verdict::Warn => self.paint("1;33", &label),
            Verdict::Ignored => self.paint("2", &label),
            Verdict::Pass => self.paint("32", &label),
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        match severity {
            Severity::Critical => self.paint("1;35", &label),
            Severity::High => self.paint("31", &label),
            Severity::Medium => self.paint("33", &label),
            _ => label,
        }
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

pub fn render(report: &Report, color: bool) -> Vec<u8> {
    let style = Style { color };
    let mut out = String::new();
    let r = &report.analysis.reachability;
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "secgate {} · {} advisories in {} · policy {}",
            report.tool.version,
            report.database.advisory_count,
            report.database.path,
            report.policy
        ))
    );
    let analysed = match &r.target {
        Some(target) => format!(
            "reachability: {} for {target}, {}; roots: {}",
            r.status,
            r.features,
            if r.roots.is_empty() {
                "none".to_string()
            } else {
                r.roots.join(", ")
            }
        ),
        None => format!("reachability: {}", r.status),
    };
    let _ = writeln!(out, "{}", style.dim(&analysed));
    if let Some(line) = super::reachable_unsafe_summary(report) {
        let _ = writeln!(out, "{}", style.dim(&line));
    }
    if !report.analysis.supply_chain.is_empty() {
        let line = format!("supply chain: {}", report.analysis.supply_chain);
        let _ = writeln!(out, "{}", style.dim(&line));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {warning}", style.paint("1;33", "warning:"));
    }
    out.push('\n');

    for (verdict, group) in super::by_verdict(report) {
        let _ = writeln!(out, "{} ({})", style.verdict(verdict), group.len());
        for finding in group {
            render_finding(&mut out, finding, &style, verdict);
        }
        if matches!(verdict, Verdict::Ignored | Verdict::Pass) {
            out.push('\n');
        }
    }

    let s = &report.summary;
    let counts: Vec<String> = s
        .by_verdict
        .iter()
        .map(|(verdict, n)| format!("{n} {verdict}"))
        .collect();
    let _ = writeln!(
        out,
        "{}: {} finding(s){}",
        style.verdict(s.verdict),
        s.total,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        }
    );
    out.into_bytes()
}

fn render_finding(out: &mut String, finding: &Finding, style: &Style, verdict: Verdict) {
    let package = finding
        .package
        .as_ref()
        .map(|p| format!("  {} {}", p.name, p.version))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} {}{}  {}",
        style.severity(finding.severity),
        finding.id,
        package,
        finding.title
    );
    let indent = "             ";
    // Ignored and passing findings stay on one line plus the rule that decided them.
    if matches!(verdict, Verdict::Ignored | Verdict::Pass) {
        let _ = writeln!(out, "{indent}{}", style.dim(&finding.verdict_rule));
        return;
    }
    // Supply-chain findings are about a package but not about its code: where, not whether reached.
    let graded = finding.package.is_some() && finding.kind != Kind::SupplyChain;
    if graded {
        let _ = writeln!(
            out,
            "{indent}{}: {}",
            finding.reachability, finding.reachability_reason
        );
        if let Some(note) = finding.inferred_note() {
            let _ = writeln!(out, "{indent}{note}");
        }
    } else if let Some(location) = finding.locations.first() {
        let _ = writeln!(out, "{indent}at {location}");
    }
    for (number, trace) in finding.traces.iter().enumerate() {
        let _ = writeln!(out, "{indent}trace {}:", number + 1);
        render_frames(out, &trace.frames, style, indent);
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(out, "{indent}fix: {fix}");
    }
    let _ = writeln!(
        out,
        "{indent}{}",
        style.dim(&format!("policy: {}", finding.verdict_rule))
    );
    if let Some(url) = &finding.url {
        let _ = writeln!(out, "{indent}{}", style.dim(url));
    }
    out.push('\n');
}

/// Frames one per line; in a long trace, runs of three or more dependency frames fold to one line.
fn render_frames(out: &mut String, frames: &[Frame], style: &Style, indent: &str) {
    let in_dependency = |frame: &Frame| {
        frame
            .location
            .as_ref()
            .is_none_or(|l| is_dependency_file(&l.file))
    };
    let mut i = 0;
    while i < frames.len() {
        let run = frames[i..].iter().take_while(|f| in_dependency(f)).count();
        let last = i + run == frames.len();
        if frames.len() > FOLD_AFTER && run >= 3 && i > 0 && !last {
            let _ = writeln!(
                out,
                "{indent}  {}",
                style.dim(&format!("… {run} frames in dependencies …"))
            );
            i += run;
            continue;
        }
        let frame = &frames[i];
        let at = frame
            .location
            .as_ref()
            .map(|l| format!("  {}", style.dim(&l.to_string())))
            .unwrap_or_default();
        let arrow = if i == 0 { "  " } else { "→ " };
        let _ = writeln!(out, "{indent}  {arrow}{}{at}", frame.function);
        i += 1;
    }
}
