//! Insecure-pattern lints: secgate's own `syn` rules over the workspace sources, unsafe-code
//! accounting, and the curated clippy list.
//!
//! [`scan_sources`] parses each file once with `syn`, drops test code unless asked not to, runs
//! every rule of [`rules::rules`] over the syntax tree and turns each hit into a [`Finding`]
//! (`kind: lint`). Inline suppressions (`// secgate:allow(SG-TLS-001) reason`) are read from the
//! source text, because `syn` keeps no comments (see [`suppress`]).
//!
//! The rules are syntactic: they see one file at a time, after the [`resolve`] layer has rewritten
//! it so that names read as the compiler resolves them (aliases, renamed crates, `Self`, qualified
//! paths), locals read as their values and macro arguments as expressions. They do not type-check;
//! each rule's confidence says how much that costs it.

pub mod ast;
pub mod clippy;
mod layer;
pub mod resolve;
pub mod rules;
pub mod suppress;
pub mod unsafe_code;

pub(crate) use layer::run_layer;

use std::path::{Component, Path, PathBuf};

use crate::error::Error;
use crate::finding::{Confidence, Finding, Kind, Location, Severity};
use rules::{Hit, Rule};

/// What [`scan_sources`] looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// Also lint test code: `#[cfg(test)]` items, `#[test]` functions, files under `tests/` and
    /// `benches/`. Off by default: test code does not ship.
    pub include_tests: bool,
}

/// Whether `id` is one a lint finding can have: a rule of the registry, a curated clippy lint,
/// or the lint layer's own (`SG-PARSE-001`, `SG-CLIPPY-000`).
pub fn is_lint_id(id: &str) -> bool {
    matches!(
        crate::ids::BuiltinId::parse(id),
        Some(crate::ids::BuiltinId::ParseError | crate::ids::BuiltinId::ClippyMissing)
    ) || rules::rule(id).is_some()
        || clippy::lint(id).is_some()
}

/// The group of the lint `id`: a curated clippy lint's own, else `security` (secgate's rules are
/// all about security).
pub fn lint_group(id: &str) -> crate::ids::LintGroup {
    clippy::lint(id).map_or(crate::ids::LintGroup::Security, |l| l.group)
}

/// Takes the findings of lint groups the policy does not show out of `findings`; returns how many
/// were left out, by id.
pub fn leave_out_groups(
    findings: &mut Vec<Finding>,
    shown: &[crate::ids::LintGroup],
) -> std::collections::BTreeMap<String, usize> {
    let mut left_out = std::collections::BTreeMap::new();
    findings.retain(|f| {
        let group = lint_group(&f.id);
        let keep = f.kind != Kind::Lint
            || group == crate::ids::LintGroup::Security
            || shown.contains(&group);
        if !keep {
            *left_out.entry(f.id.clone()).or_insert(0) += 1;
        }
        keep
    });
    left_out
}

/// One parsed source file, as the rules see it.
pub struct SourceFile<'a> {
    /// The syntax tree, with test code removed unless the options include it.
    pub syntax: &'a syn::File,
    /// The file's names (the tree's paths are already rewritten to their full form).
    pub names: &'a resolve::Names,
}

/// Lints `files` (absolute, or relative to the current directory) and returns the findings,
/// sorted by file, line and rule id. Locations are relative to `workspace_root`.
///
/// A file that cannot be read is an error (the scan cannot vouch for it). A file that `syn` cannot
/// parse becomes a finding of its own, SG-PARSE-001, with the file and line: rustc accepts
/// some syntax `syn` does not, so one such file should neither stop the scan nor vanish from the
/// report; the policy decides what an unanalysed file means (its severity is `unknown`).
pub fn scan_sources(
    workspace_root: &Path,
    files: &[PathBuf],
    options: &LintOptions,
) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let mut manifests = std::collections::HashMap::new();
    for path in files {
        let relative = crate::location::display_path(path, workspace_root);
        if !options.include_tests && is_test_path(&relative) {
            continue;
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let renames = resolve::CrateRenames::for_file(&absolute, &mut manifests);
        findings.extend(lint_crate_text(&relative, &text, options, &renames));
    }
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            f.locations
                .first()
                .map(|l| (l.file.clone(), l.line, l.column))
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    Ok(findings)
}

/// Lints one file's text; `relative` is the path written into the findings.
pub fn lint_text(relative: &str, text: &str, options: &LintOptions) -> Vec<Finding> {
    lint_crate_text(relative, text, options, &resolve::CrateRenames::default())
}

/// As [`lint_text`], for a file of a crate with these dependency renames.
pub fn lint_crate_text(
    relative: &str,
    text: &str,
    options: &LintOptions,
    renames: &resolve::CrateRenames,
) -> Vec<Finding> {
    let mut syntax = match syn::parse_file(text) {
        Ok(syntax) => syntax,
        Err(error) => return vec![parse_error_finding(relative, &error)],
    };
    if !options.include_tests {
        ast::strip_test_items(&mut syntax.items);
    }
    let names = resolve::normalize(&mut syntax, renames);
    let source = SourceFile {
        syntax: &syntax,
        names: &names,
    };
    let suppressions = suppress::Suppressions::parse(text);
    let mut findings = Vec::new();
    for rule in rules::rules() {
        let mut hits = (rule.check)(&source);
        hits.sort_by_key(|h| (h.line, h.column));
        hits.dedup_by_key(|h| (h.line, h.column));
        for hit in hits {
            findings.push(finding_of(rule, &hit, relative, &suppressions));
        }
    }
    findings
}

fn finding_of(
    rule: &Rule,
    hit: &Hit,
    relative: &str,
    suppressions: &suppress::Suppressions,
) -> Finding {
    let mut description = rule.why.to_string();
    let suppressed = match suppressions.lookup(rule.id, hit.line) {
        suppress::Lookup::None => None,
        suppress::Lookup::Allowed(reason) => Some(reason),
        suppress::Lookup::NoReason(line) => {
            description.push_str(&format!(
                " A `secgate:allow({})` comment on line {line} was ignored: it gives no reason.",
                rule.id
            ));
            None
        }
    };
    let title = if hit.detail.is_empty() {
        rule.message.to_string()
    } else {
        format!("{}: {}", rule.message, hit.detail)
    };
    lint_finding(LintFinding {
        id: rule.id.to_string(),
        severity: hit.severity.unwrap_or(rule.severity),
        cwe: rule.cwe.iter().map(|c| (*c).to_string()).collect(),
        title,
        description,
        fix: Some(rule.fix.to_string()),
        confidence: rule.confidence,
        location: Location {
            file: relative.to_string(),
            line: hit.line,
            column: Some(hit.column),
        },
        suppressed,
    })
}

/// The fields that differ between lint findings; [`lint_finding`] fills in the rest.
pub struct LintFinding {
    pub id: String,
    pub severity: Severity,
    pub cwe: Vec<String>,
    pub title: String,
    pub description: String,
    pub fix: Option<String>,
    pub confidence: Confidence,
    pub location: Location,
    pub suppressed: Option<String>,
}

/// A `kind: lint` finding; the verdict is left for the policy to set.
pub fn lint_finding(lint: LintFinding) -> Finding {
    Finding {
        severity: lint.severity,
        cwe: lint.cwe,
        description: lint.description,
        reachability_reason: "not analysed for lint findings".to_string(),
        locations: vec![lint.location],
        confidence: Some(lint.confidence),
        fix: lint.fix,
        suppressed: lint.suppressed,
        ..Finding::new(lint.id, Kind::Lint, lint.title)
    }
}

fn parse_error_finding(relative: &str, error: &syn::Error) -> Finding {
    let start = error.span().start();
    lint_finding(LintFinding {
        id: crate::ids::BuiltinId::ParseError.as_str().to_string(),
        severity: Severity::Unknown,
        cwe: Vec::new(),
        title: format!("file not analysed: syn could not parse it ({error})"),
        description: "secgate's lint rules did not run on this file, so it may hide insecure \
                      patterns. rustc accepts some syntax that syn does not yet know."
            .to_string(),
        fix: Some("check that the file compiles; if it does, report the syntax to secgate".into()),
        confidence: Confidence::High,
        location: Location {
            file: relative.to_string(),
            line: u32::try_from(start.line).unwrap_or(u32::MAX),
            column: Some(u32::try_from(start.column + 1).unwrap_or(u32::MAX)),
        },
        suppressed: None,
    })
}

/// True for files under a `tests/` or `benches/` directory.
fn is_test_path(relative: &str) -> bool {
    Path::new(relative)
        .components()
        .any(|c| matches!(c, Component::Normal(name) if name == "tests" || name == "benches"))
}

/// The `.rs` files of the workspace under `workspace_root`, sorted; skips `target/`, hidden
/// directories, and nested directories that are cargo workspaces of their own (a `Cargo.toml`
/// with a `[workspace]` table): those are other projects, not this one's code. Used when there
/// is no build; a build's dep-info lists the compiled files exactly.
pub fn workspace_sources(workspace_root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![workspace_root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.') && name != "target" && !is_separate_workspace(&path) {
                    stack.push(path);
                }
            } else if kind.is_file() && name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A directory whose `Cargo.toml` declares a workspace of its own.
fn is_separate_workspace(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests;
