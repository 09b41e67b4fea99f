//! GitHub workflow annotations (`::error file=…,line=…::message`) for the findings that fail or
//! warn, most severe first, within GitHub's per-step limits (10 errors and 10 warnings are shown).

use super::primary_location;
use crate::finding::Finding;
use crate::finding::Verdict;
use crate::report::Report;
use std::fmt::Write;

/// GitHub shows at most this many annotations of each level per step.
const PER_LEVEL: usize = 10;

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = String::new();
    for (verdict, command) in [(Verdict::Fail, "error"), (Verdict::Warn, "warning")] {
        // Findings are already sorted most severe first.
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .collect();
        for finding in group.iter().take(PER_LEVEL) {
            out.push_str(&annotation(command, finding));
        }
        if group.len() > PER_LEVEL {
            let _ = writeln!(
                out,
                "::notice title=secgate::{} more {command}(s) not annotated; see the full report",
                group.len() - PER_LEVEL
            );
        }
    }
    out.into_bytes()
}

fn annotation(command: &str, finding: &Finding) -> String {
    let mut properties = Vec::new();
    if let Some(location) = primary_location(finding) {
        properties.push(format!("file={}", property(&location.file)));
        properties.push(format!("line={}", location.line.max(1)));
        if let Some(column) = location.column {
            properties.push(format!("col={column}"));
        }
    }
    let title = match &finding.package {
        Some(p) => format!(
            "{} in {} {} ({})",
            finding.id, p.name, p.version, finding.severity
        ),
        None => format!("{} ({})", finding.id, finding.severity),
    };
    properties.push(format!("title={}", property(&title)));
    let mut message = finding.title.clone();
    if finding.package.is_some() {
        message.push_str(&format!(
            "\nreachability: {} — {}",
            finding.reachability,
            finding.reachability_evidence()
        ));
    }
    if let Some(fix) = &finding.fix {
        message.push_str(&format!("\nfix: {fix}"));
    }
    format!("::{command} {}::{}\n", properties.join(","), data(&message))
}

/// Escapes a message as GitHub's workflow commands require.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_requires() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
