//! The local triage report: one self-contained HTML page (no network assets) with the findings
//! grouped by verdict and severity, a filter, expandable traces with file:line, the policy rule
//! behind each verdict, and for each failing finding the fix and the exact
//! `cargo secgate ignore …` command that would accept the risk.

use crate::finding::Finding;
use crate::finding::Verdict;
use crate::report::Report;
use std::fmt::Write;

const STYLE: &str = r#"
:root { --fail:#b42318; --warn:#b54708; --ignored:#667085; --pass:#067647; --line:#eaecf0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #101828; background: #f9fafb; }
header { background: #101828; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .meta { color: #d0d5dd; font-size: 12px; }
.verdict-fail { color: #fda29b; } .verdict-pass { color: #75e0a7; }
main { padding: 16px 24px; max-width: 1200px; }
.controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
.controls input[type=search] { padding: 6px 10px; border: 1px solid #d0d5dd; border-radius: 6px; min-width: 280px; }
.controls label { user-select: none; }
h2 { font-size: 16px; margin: 20px 0 8px; }
h2.fail { color: var(--fail); } h2.warn { color: var(--warn); } h2.ignored { color: var(--ignored); } h2.pass { color: var(--pass); }
.finding { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 8px 0; }
.finding.fail { border-left-color: var(--fail); } .finding.warn { border-left-color: var(--warn); }
.finding.ignored { border-left-color: var(--ignored); } .finding.pass { border-left-color: var(--pass); }
.title { font-weight: 600; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; margin-right: 6px; background: #f2f4f7; }
.sev-critical { background: #fbe8ff; color: #821890; } .sev-high { background: #fee4e2; color: #912018; }
.sev-medium { background: #fef0c7; color: #93370d; } .sev-low { background: #e0f2fe; color: #026aa2; }
.row { margin: 3px 0; } .muted { color: #667085; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #f2f4f7; padding: 8px; border-radius: 4px; overflow-x: auto; margin: 4px 0; }
details summary { cursor: pointer; color: #175cd3; }
ol.trace { margin: 4px 0 4px 18px; padding: 0; } ol.trace li { margin: 1px 0; }
ol.trace .at { color: #667085; }
ol.trace li.own code { font-weight: 700; } ol.trace li.dep { opacity: .7; }
.hidden { display: none; }
"#;

const SCRIPT: &str = r#"
function applyFilters() {
  const text = document.getElementById('filter').value.toLowerCase();
  const shown = new Set([...document.querySelectorAll('input[data-verdict]:checked')].map(b => b.dataset.verdict));
  document.querySelectorAll('.finding').forEach(f => {
    const ok = shown.has(f.dataset.verdict) && f.textContent.toLowerCase().includes(text);
    f.classList.toggle('hidden', !ok);
  });
  document.querySelectorAll('section[data-verdict]').forEach(s => {
    s.classList.toggle('hidden', !shown.has(s.dataset.verdict));
  });
}
document.getElementById('filter').addEventListener('input', applyFilters);
document.querySelectorAll('input[data-verdict]').forEach(b => b.addEventListener('change', applyFilters));
"#;

pub fn render(report: &Report) -> Vec<u8> {
    let s = &report.summary;
    let mut out = String::new();
    let project = report
        .project
        .as_ref()
        .map(|p| format!("{} {}", p.name, p.version))
        .unwrap_or_else(|| report.lockfile.path.clone());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>secgate: {} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        s.verdict.as_str().to_uppercase(),
        escape(&project)
    );
    let counts: Vec<String> = s
        .by_verdict
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect();
    let r = &report.analysis.reachability;
    let _ = write!(
        out,
        "<header><h1>secgate: <span class=\"verdict-{}\" id=\"verdict\">{}</span> · {}</h1>\n<div class=\"meta\">{} finding(s){} · policy {} · {} advisories in {} · reachability {}{}</div></header>\n<main>\n",
        s.verdict.as_str(),
        s.verdict.as_str().to_uppercase(),
        escape(&project),
        s.total,
        if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        },
        escape(&report.policy),
        report.database.advisory_count,
        escape(&report.database.path),
        escape(&r.status.to_string()),
        r.target
            .as_ref()
            .map(|t| format!(" for {}", escape(t)))
            .unwrap_or_default(),
    );
    for warning in &report.warnings {
        let _ = writeln!(
            out,
            "<p class=\"row\"><strong>Warning:</strong> {}</p>",
            escape(warning)
        );
    }
    out.push_str("<div class=\"controls\"><input type=\"search\" id=\"filter\" placeholder=\"Filter by id, crate, text…\">");
    for verdict in [
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Ignored,
        Verdict::Pass,
    ] {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" data-verdict=\"{0}\" checked> {0}</label>",
            verdict.as_str()
        );
    }
    out.push_str("</div>\n");
    for (verdict, group) in super::by_verdict(report) {
        let _ = writeln!(
            out,
            "<section data-verdict=\"{0}\"><h2 class=\"{0}\">{1} ({2})</h2>",
            verdict.as_str(),
            verdict.as_str().to_uppercase(),
            group.len()
        );
        for finding in group {
            render_finding(&mut out, finding);
        }
        out.push_str("</section>\n");
    }
    if report.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    }
    let _ = write!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out.into_bytes()
}

fn render_finding(out: &mut String, finding: &Finding) {
    let verdict = finding.verdict.as_str();
    let severity = finding.severity.as_str();
    let _ = write!(
        out,
        "<div class=\"finding {verdict}\" data-verdict=\"{verdict}\" data-id=\"{}\">\n<div class=\"title\"><span class=\"badge sev-{severity}\">{}</span><span class=\"badge\">{}</span>",
        escape(&finding.id),
        severity.to_uppercase(),
        finding.kind
    );
    match &finding.url {
        Some(url) => {
            let _ = write!(
                out,
                "<a href=\"{}\">{}</a>",
                escape(url),
                escape(&finding.id)
            );
        }
        None => out.push_str(&escape(&finding.id)),
    }
    if let Some(package) = &finding.package {
        let _ = write!(
            out,
            " · <code>{} {}</code>",
            escape(&package.name),
            escape(&package.version)
        );
    }
    let _ = writeln!(out, " — {}</div>", escape(&finding.title));
    if finding.package.is_some() {
        let _ = writeln!(
            out,
            "<div class=\"row\"><strong>{}</strong>: {}</div>",
            finding.reachability,
            escape(&finding.reachability_reason)
        );
        if let Some(note) = finding.inferred_note() {
            let _ = writeln!(out, "<div class=\"row\">{}</div>", escape(&note));
        }
    } else if let Some(location) = finding.locations.first() {
        let _ = writeln!(
            out,
            "<div class=\"row\">at <code>{}</code></div>",
            escape(&location.to_string())
        );
    }
    for (number, trace) in finding.traces.iter().enumerate() {
        let _ = write!(
            out,
            "<details{}><summary>trace {} ({} frames)</summary><ol class=\"trace\">",
            if number == 0 { " open" } else { "" },
            number + 1,
            trace.frames.len()
        );
        for frame in &trace.frames {
            let at = frame
                .location
                .as_ref()
                .map(|l| format!(" <span class=\"at\">{}</span>", escape(&l.to_string())))
                .unwrap_or_default();
            let dependency = frame
                .location
                .as_ref()
                .is_none_or(|l| crate::location::is_dependency_file(&l.file));
            let class = if dependency { "dep" } else { "own" };
            let _ = write!(
                out,
                "<li class=\"{class}\"><code>{}</code>{at}</li>",
                escape(&frame.function)
            );
        }
        out.push_str("</ol></details>\n");
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(
            out,
            "<div class=\"row\"><strong>Fix:</strong> {}</div>",
            escape(fix)
        );
    }
    if finding.verdict == Verdict::Fail {
        let scope = finding
            .package
            .as_ref()
            .map(|p| format!(" --package {}", p.name))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<div class=\"row muted\">To accept the risk instead:</div><pre>cargo secgate ignore {}{scope} --reason \"…\" --expires YYYY-MM-DD</pre>",
            escape(&finding.id)
        );
    }
    let _ = writeln!(
        out,
        "<div class=\"row muted\">policy: {}</div>",
        escape(&finding.verdict_rule)
    );
    if !finding.description.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>details</summary><p>{}</p></details>",
            escape(&finding.description).replace("\n\n", "</p><p>")
        );
    }
    out.push_str("</div>\n");
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
