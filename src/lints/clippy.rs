//! Clippy (and rustc) lints selected for security: the curated list in
//! `policies/clippy-security.toml`, the `-W` flags that turn them on, and the conversion of one
//! JSON diagnostic (`cargo clippy --message-format=json`) into a [`Finding`].
//!
//! Clippy itself is run by the build (as a `RUSTC_WORKSPACE_WRAPPER`, so only workspace crates are
//! linted); this module only knows the list and the message format.

use std::path::Path;
use std::sync::OnceLock;

use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel, DiagnosticSpan};
use serde::Deserialize;

use crate::finding::{Confidence, Finding, Location, Severity};
use crate::lints::{LintFinding, lint_finding};

/// The curated list, as shipped.
const LIST: &str = include_str!("../../policies/clippy-security.toml");

/// One lint of the list.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityLint {
    /// `clippy::unwrap_used`, or a rustc lint's bare name (`unused_must_use`).
    pub name: String,
    pub cwe: Vec<String>,
    pub severity: Severity,
    /// Why it matters, one line.
    pub reason: String,
    /// `hygiene` lints are reported only when the policy asks for them.
    #[serde(default)]
    pub group: crate::ids::LintGroup,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    lint: Vec<SecurityLint>,
}

/// Parses a lint list in the format of `policies/clippy-security.toml`.
pub fn parse_list(text: &str) -> Result<Vec<SecurityLint>, String> {
    toml::from_str::<ListFile>(text)
        .map(|file| file.lint)
        .map_err(|e| e.to_string())
}

/// The shipped list. It is compiled in and checked by a test, so a parse failure here is a bug in
/// secgate, not a user error.
pub fn security_lints() -> &'static [SecurityLint] {
    static LINTS: OnceLock<Vec<SecurityLint>> = OnceLock::new();
    LINTS.get_or_init(|| {
        parse_list(LIST).unwrap_or_else(|e| panic!("policies/clippy-security.toml: {e}"))
    })
}

/// The lint of the list with this name (`clippy::unwrap_used`).
pub fn lint(name: &str) -> Option<&'static SecurityLint> {
    security_lints().iter().find(|l| l.name == name)
}

/// The flags that turn every listed lint on as a warning: `["-W", "clippy::unwrap_used", …]`.
pub fn warn_flags() -> Vec<String> {
    security_lints()
        .iter()
        .flat_map(|l| ["-W".to_string(), l.name.clone()])
        .collect()
}

/// The finding for one diagnostic, if it is a warning or error of a listed lint.
///
/// The location is the primary span, followed out of macro expansions into the workspace where
/// it points elsewhere, relative to `workspace_root`. The fix is the first machine-applicable
/// suggestion (`replace with ...`) or else the first `help` note.
pub fn finding_from_diagnostic(diagnostic: &Diagnostic, workspace_root: &Path) -> Option<Finding> {
    if !matches!(
        diagnostic.level,
        DiagnosticLevel::Warning | DiagnosticLevel::Error
    ) {
        return None;
    }
    let code = &diagnostic.code.as_ref()?.code;
    let lint = lint(code)?;
    let span = diagnostic.spans.iter().find(|s| s.is_primary)?;
    let span = workspace_span(span, workspace_root);
    Some(lint_finding(LintFinding {
        id: code.clone(),
        severity: lint.severity,
        cwe: lint.cwe.clone(),
        title: diagnostic.message.clone(),
        description: lint.reason.clone(),
        fix: fix_of(diagnostic),
        confidence: Confidence::High,
        location: Location {
            file: crate::location::display_path(&span.file_name, workspace_root),
            line: u32::try_from(span.line_start).unwrap_or(u32::MAX),
            column: u32::try_from(span.column_start).ok(),
        },
        suppressed: None,
    }))
}

/// The span itself if it lies in the workspace, else the call site of the macro it came from.
fn workspace_span<'a>(span: &'a DiagnosticSpan, root: &Path) -> &'a DiagnosticSpan {
    let mut current = span;
    loop {
        let path = Path::new(&current.file_name);
        let inside =
            path.is_relative() && !current.file_name.starts_with('<') || path.starts_with(root);
        match &current.expansion {
            Some(expansion) if !inside => current = &expansion.span,
            _ => return current,
        }
    }
}

fn fix_of(diagnostic: &Diagnostic) -> Option<String> {
    let suggestion = diagnostic.children.iter().find_map(|child| {
        child.spans.iter().find_map(|s| {
            s.suggested_replacement
                .as_ref()
                .map(|r| format!("{}: `{}`", child.message, r.trim()))
        })
    });
    let suggestion = suggestion.map(|s| s.trim_start_matches("... ").to_string());
    suggestion.or_else(|| {
        diagnostic
            .children
            .iter()
            .find(|c| {
                matches!(c.level, DiagnosticLevel::Help)
                    && !c.message.starts_with("for further information")
                    && !c.message.starts_with("if this is intentional")
            })
            .map(|c| c.message.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn shipped_list_parses_and_names_are_unique() {
        let lints = security_lints();
        assert!(lints.len() >= 30, "only {} lints", lints.len());
        let mut seen = HashSet::new();
        for l in lints {
            assert!(seen.insert(&l.name), "duplicate {}", l.name);
            assert!(l.cwe.iter().all(|c| c.starts_with("CWE-")), "{}", l.name);
            assert!(!l.reason.is_empty(), "{}", l.name);
        }
        assert_eq!(warn_flags().len(), 2 * lints.len());
        assert_eq!(warn_flags()[0], "-W");
    }

    /// Real messages from `cargo clippy --message-format=json` with the list's flags, recorded on
    /// a scratch crate (`fixtures/lints/clippy/lib.rs.txt`), its directory renamed `/project`.
    fn recorded() -> Vec<Diagnostic> {
        include_str!("../../fixtures/lints/clippy/messages.jsonl")
            .lines()
            .filter_map(|line| match serde_json::from_str(line) {
                Ok(cargo_metadata::Message::CompilerMessage(m)) => Some(m.message),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn recorded_diagnostics_become_findings() {
        let root = Path::new("/project");
        let findings: Vec<Finding> = recorded()
            .iter()
            .filter_map(|d| finding_from_diagnostic(d, root))
            .collect();
        let summary: Vec<(String, String, Severity, String)> = findings
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    f.locations[0].to_string(),
                    f.severity,
                    f.cwe.join(","),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "clippy::unwrap_used".into(),
                    "src/lib.rs:5:18".into(),
                    Severity::Low,
                    "CWE-248".into()
                ),
                (
                    "clippy::cast_possible_truncation".into(),
                    "src/lib.rs:6:5".into(),
                    Severity::Medium,
                    "CWE-197".into()
                ),
                (
                    "clippy::undocumented_unsafe_blocks".into(),
                    "src/lib.rs:12:5".into(),
                    Severity::Medium,
                    "CWE-1059".into()
                ),
                (
                    "clippy::permissions_set_readonly_false".into(),
                    "src/lib.rs:18:5".into(),
                    Severity::Medium,
                    "CWE-732".into()
                ),
            ]
        );
        let cast = &findings[1];
        assert_eq!(cast.title, "casting `u64` to `u16` may truncate the value");
        assert_eq!(
            cast.fix.as_deref(),
            Some("or use `try_from` and handle the error accordingly: `u16::try_from(n)`")
        );
        assert_eq!(
            findings[2].fix.as_deref(),
            Some("consider adding a safety comment on the preceding line")
        );
        assert_eq!(findings[0].fix, None);
        assert!(
            findings
                .iter()
                .all(|f| f.kind == crate::finding::Kind::Lint)
        );
    }

    #[test]
    fn unlisted_lints_and_notes_are_not_findings() {
        let mut diagnostic = recorded().remove(0);
        if let Some(code) = diagnostic.code.as_mut() {
            code.code = "clippy::needless_return".into();
        }
        assert!(finding_from_diagnostic(&diagnostic, Path::new("/project")).is_none());
        let mut note = recorded().remove(0);
        note.level = DiagnosticLevel::Note;
        assert!(finding_from_diagnostic(&note, Path::new("/project")).is_none());
    }

    #[test]
    fn malformed_list_is_an_error() {
        assert!(parse_list("[[lint]]\nname = \"clippy::x\"\n").is_err());
        assert!(
            parse_list("[[lint]]\nname = \"x\"\ncwe = []\nseverity = \"severe\"\nreason = \"r\"\n")
                .is_err()
        );
    }
}
