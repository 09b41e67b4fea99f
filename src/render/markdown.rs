//! A compact Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments: the verdict,
//! counts, and a table per verdict with traces folded in `<details>`. It stays under 1 MiB
//! whatever the number of findings (GitHub's limit for a step summary): rows past the budget are
//! counted, not shown.

use crate::finding::Finding;
use crate::finding::Verdict;
use crate::report::Report;
use std::fmt::Write;

/// Room for the rows; the rest of the document is far smaller than the 1 MiB limit.
const BUDGET: usize = 900 * 1024;

pub fn render(report: &Report) -> Vec<u8> {
    let s = &report.summary;
    let mut out = String::new();
    let icon = if s.verdict == Verdict::Fail {
        "❌"
    } else {
        "✅"
    };
    let _ = writeln!(
        out,
        "## {icon} secgate: {}\n",
        s.verdict.as_str().to_uppercase()
    );
    let counts: Vec<String> = s
        .by_verdict
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect();
    let _ = writeln!(
        out,
        "{} finding(s){} · policy `{}` · {} advisories ({})",
        s.total,
        if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        },
        escape(&report.policy),
        report.database.advisory_count,
        report
            .database
            .last_updated
            .as_deref()
            .unwrap_or("date unknown"),
    );
    let r = &report.analysis.reachability;
    let _ = writeln!(
        out,
        "\nReachability: {}{}\n",
        escape(&r.status.to_string()),
        r.target
            .as_ref()
            .map(|t| format!(" for `{t}`, {}", escape(&r.features)))
            .unwrap_or_default()
    );
    if let Some(line) = super::reachable_unsafe_summary(report) {
        let _ = writeln!(out, "{}\n", escape(&line));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "> **Warning:** {}\n", escape(warning));
    }
    let mut omitted = 0usize;
    // Passing findings are left out of the summary.
    for (verdict, group) in super::by_verdict(report) {
        if verdict == Verdict::Pass {
            continue;
        }
        let _ = writeln!(out, "### {} ({})\n", title(verdict), group.len());
        let _ = writeln!(
            out,
            "| Severity | Finding | Package / location | Reachability | Why |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for finding in group {
            let row = row(finding);
            if out.len() + row.len() > BUDGET {
                omitted += 1;
                continue;
            }
            out.push_str(&row);
        }
        out.push('\n');
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "_{omitted} more finding(s) not shown here; see the JSON or SARIF report._\n"
        );
    }
    out.into_bytes()
}

fn title(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "Failing",
        Verdict::Warn => "Warnings",
        Verdict::Ignored => "Ignored",
        Verdict::Pass => "Passing",
    }
}

fn row(finding: &Finding) -> String {
    let link = match &finding.url {
        Some(url) => format!("[{}]({url})", finding.id),
        None => format!("`{}`", escape(&finding.id)),
    };
    let place = match (&finding.package, finding.locations.first()) {
        (Some(p), _) => format!("{} {}", escape(&p.name), escape(&p.version)),
        (None, Some(l)) => format!("`{}`", escape(&l.to_string())),
        (None, None) => String::new(),
    };
    let reach = if finding.package.is_some() {
        finding.reachability.as_str()
    } else {
        ""
    };
    let mut why = escape(&finding.title);
    if let Some(trace) = finding.traces.first() {
        let chain: Vec<String> = trace
            .frames
            .iter()
            .map(|f| {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                format!("{}{at}", html(&f.function))
            })
            .collect();
        why.push_str(&format!(
            "<details><summary>trace</summary>{}</details>",
            chain.join("<br>→ ")
        ));
    }
    if let Some(note) = finding.inferred_note() {
        why.push_str(&format!("<br>{}", escape(&capitalised(&note))));
    }
    if let Some(fix) = &finding.fix {
        why.push_str(&format!("<br>Fix: {}", escape(fix)));
    }
    format!(
        "| {} | {link} | {place} | {reach} | {why} |\n",
        finding.severity.as_str()
    )
}

/// Keeps table cells intact: no pipes or line breaks from the data.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Inside `<details>`, angle brackets of generic types must not read as HTML.
fn html(text: &str) -> String {
    escape(text).replace('<', "&lt;").replace('>', "&gt;")
}

/// `Functions inferred …` from `functions inferred …`.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
