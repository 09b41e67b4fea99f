//! The registry of secgate's own lint rules: one file per rule, each a [`Rule`] constant with its
//! id, CWE, severity, confidence, message, why, fix hint and check function.

use proc_macro2::Span;

use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;

mod alloc;
mod bind;
mod cmd;
mod cookie;
mod cors;
mod ct;
mod decompress;
mod hash;
mod http;
mod jwt;
mod key;
mod limit;
mod log;
mod path;
mod perm;
mod prof;
mod pwhash;
mod redirect;
mod regex;
mod rng;
mod rsa;
mod secret;
mod sql;
mod ssh;
mod ssrf;
mod taint;
mod tls;
mod tls_version;
mod tmp;
mod unsafe_ops;

/// One lint rule.
pub struct Rule {
    /// Stable id, `SG-<AREA>-<NNN>`.
    pub id: &'static str,
    pub cwe: &'static [&'static str],
    pub severity: Severity,
    pub confidence: Confidence,
    /// The finding's title (a hit may add a detail after a colon).
    pub message: &'static str,
    /// Why it matters, one or two sentences: the finding's description.
    pub why: &'static str,
    /// How to fix it, one sentence.
    pub fix: &'static str,
    /// What the rule flags, in the words of the documentation's rule table (Markdown).
    pub flags: &'static str,
    /// When some hits are rated otherwise than `severity` (`high if world-writable`); empty if none.
    pub severity_note: &'static str,
    /// Finds the rule's hits in one file.
    pub check: fn(&SourceFile<'_>) -> Vec<Hit>,
}

/// One place a rule matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub line: u32,
    pub column: u32,
    /// What matched, shown after the rule's message (`danger_accept_invalid_certs(true)`).
    pub detail: String,
    /// A severity other than the rule's default, where the hit is worse or milder.
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit at `span` with `detail`.
    pub fn at(span: Span, detail: impl Into<String>) -> Hit {
        let (line, column) = crate::lints::ast::line_col(span);
        Hit {
            line,
            column,
            detail: detail.into(),
            severity: None,
        }
    }

    /// A hit at the first segment of `path` (where `md5::compute` or `SslVersion::TLS1` starts).
    pub fn at_path(path: &syn::Path, detail: impl Into<String>) -> Hit {
        Hit::at(path_start(path), detail)
    }

    /// The same hit with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }
}

/// Where a path starts: its first segment.
pub fn path_start(path: &syn::Path) -> Span {
    path.segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span())
}

static RULES: &[Rule] = &[
    tls::RULE,
    hash::RULE,
    secret::RULE,
    ct::RULE,
    cmd::RULE,
    sql::RULE,
    key::RULE,
    jwt::RULE,
    ssh::RULE,
    path::RULE,
    perm::RULE,
    cors::RULE,
    cookie::RULE,
    prof::RULE,
    rng::RULE,
    tls_version::RULE,
    rsa::RULE,
    http::RULE,
    bind::RULE,
    tmp::RULE,
    limit::RULE,
    log::RULE,
    redirect::RULE,
    decompress::RULE,
    pwhash::RULE,
    unsafe_ops::RULE,
    ssrf::RULE,
    regex::RULE,
    alloc::RULE,
];

/// Every rule, in registry order.
pub fn rules() -> &'static [Rule] {
    RULES
}

/// The rule table of `docs/lints.md`, generated from the registry (a test keeps the document in
/// step with it).
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| id | CWE | severity | confidence | what it flags |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let severity = if rule.severity_note.is_empty() {
            rule.severity.to_string()
        } else {
            format!("{} ({})", rule.severity, rule.severity_note)
        };
        table.push_str(&format!(
            "| {} | {} | {severity} | {} | {} |\n",
            rule.id,
            rule.cwe.join(", "),
            format!("{:?}", rule.confidence).to_lowercase(),
            rule.flags
        ));
    }
    table
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for rule in rules() {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(rule.id.starts_with("SG-"), "{}", rule.id);
            assert!(!rule.cwe.is_empty(), "{} has no CWE", rule.id);
            assert!(
                rule.cwe.iter().all(|c| c.starts_with("CWE-")),
                "{}",
                rule.id
            );
            assert!(!rule.message.is_empty() && !rule.why.is_empty() && !rule.fix.is_empty());
        }
    }

    #[test]
    fn rule_list_snapshot() {
        let list: Vec<String> = rules()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} — {}",
                    r.id,
                    r.cwe.join(","),
                    r.severity,
                    format!("{:?}", r.confidence).to_lowercase(),
                    r.message
                )
            })
            .collect();
        insta::assert_snapshot!(list.join("\n"));
    }
}
