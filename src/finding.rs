//! The one `Finding` type that every finding source (advisories, reachability, lints) fills in.
//!
//! A finding is a fact about the scanned project. Reachability is a graded fact on the finding
//! (`reachable`, `unreachable`, `unknown` with a reason), never a filter that removes it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem secgate found, whatever its source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Advisory id (`RUSTSEC-2021-0003`) or rule id (`SG-TLS-001`, `clippy::unwrap_used`).
    pub id: String,
    pub kind: Kind,
    /// The package the finding is about, where there is one.
    pub package: Option<Package>,
    pub severity: Severity,
    pub cvss: Option<Cvss>,
    /// CWE ids such as `CWE-295`; empty where the source gives none.
    pub cwe: Vec<String>,
    pub title: String,
    /// Longer text (Markdown for advisories).
    pub description: String,
    pub url: Option<String>,
    /// The advisory's publication date (`YYYY-MM-DD`), where there is one.
    pub date: Option<String>,
    pub aliases: Vec<String>,
    /// RustSec categories (`memory-corruption`, `denial-of-service`, …).
    pub categories: Vec<String>,
    /// Version requirements that fix the problem (`>= 1.6.1`).
    pub patched: Vec<String>,
    /// The vulnerable functions for the locked version (`smallvec::SmallVec::insert_many`): the
    /// advisory's own list, or the functions inferred from its fix (see `functions_source`).
    pub affected_functions: Vec<String>,
    /// Where `affected_functions` came from; `None` for findings that are not advisories.
    #[serde(default)]
    pub functions_source: Option<FunctionsSource>,
    /// The inference from the fix, when the advisory lists no functions and there is one (used
    /// or not: `functions_source` says which).
    #[serde(default)]
    pub inference: Option<Inference>,
    pub reachability: Reachability,
    /// Why the reachability is what it is, in words a reader can check.
    pub reachability_reason: String,
    /// Call paths from a root to a vulnerable function; empty unless `reachable`.
    pub traces: Vec<Trace>,
    /// Where in the project the finding points (a Cargo.lock entry, a source line).
    pub locations: Vec<Location>,
    /// How sure the source is (lint rules); `None` for advisories, which are facts of the database.
    pub confidence: Option<Confidence>,
    /// How to fix it, in one sentence (`upgrade smallvec to >=1.6.1`, `use subtle::ConstantTimeEq`).
    pub fix: Option<String>,
    /// An inline suppression (`// secgate:allow(ID) reason`) and its required reason.
    pub suppressed: Option<String>,
    /// What the policy decided for this finding.
    pub verdict: Verdict,
    /// The policy rule that decided the verdict, in words.
    pub verdict_rule: String,
}

impl Finding {
    /// A finding with an id, kind and title and every other field empty: no package, severity
    /// `unknown`, reachability `unknown` ("not a code finding"), verdict `pass` until the policy
    /// decides. Sources set the rest with struct update syntax.
    pub fn new(id: impl Into<String>, kind: Kind, title: impl Into<String>) -> Finding {
        Finding {
            id: id.into(),
            kind,
            package: None,
            severity: Severity::Unknown,
            cvss: None,
            cwe: Vec::new(),
            title: title.into(),
            description: String::new(),
            url: None,
            date: None,
            aliases: Vec::new(),
            categories: Vec::new(),
            patched: Vec::new(),
            affected_functions: Vec::new(),
            functions_source: None,
            inference: None,
            reachability: Reachability::Unknown,
            reachability_reason: "not a code finding".to_string(),
            traces: Vec::new(),
            locations: Vec::new(),
            confidence: None,
            fix: None,
            suppressed: None,
            verdict: Verdict::Pass,
            verdict_rule: String::new(),
        }
    }
}

impl Finding {
    /// Where the vulnerable functions came from, when they were inferred from the fix
    /// (`functions inferred from the fix 1.5.4 → 1.5.5 (4 changed items, high confidence)`);
    /// `None` for the advisory's own list (when none were inferred, the reason says why).
    pub fn inferred_note(&self) -> Option<String> {
        match (&self.functions_source, &self.inference) {
            (Some(FunctionsSource::Inferred), Some(inference)) => {
                Some(format!("functions {}", inference.describe()))
            }
            _ => None,
        }
    }

    /// The reachability reason, followed by where inferred functions came from.
    pub fn reachability_evidence(&self) -> String {
        match self.inferred_note() {
            Some(note) => format!("{}; {note}", self.reachability_reason),
            None => self.reachability_reason.clone(),
        }
    }
}

/// What sort of finding this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Vulnerability,
    Unsound,
    Unmaintained,
    Notice,
    /// An insecure pattern found by a lint rule (secgate's own, or a curated clippy lint).
    Lint,
    /// Unsafe-code accounting (a crate over its budget, a workspace that must forbid unsafe).
    Unsafe,
    /// A supply-chain problem from cargo-deny: a banned crate, a rejected license, a source that
    /// is not allowed.
    SupplyChain,
    /// About the policy itself: an expired ignore, an ignore that matches nothing.
    Policy,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Unsound => "unsound",
            Kind::Unmaintained => "unmaintained",
            Kind::Notice => "notice",
            Kind::Lint => "lint",
            Kind::Unsafe => "unsafe",
            Kind::SupplyChain => "supply-chain",
            Kind::Policy => "policy",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an advisory finding's vulnerable functions came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionsSource {
    /// The advisory's own `[affected.functions]`.
    Advisory,
    /// Inferred from the fix: the functions the first patched release changed.
    Inferred,
    /// Neither: the advisory lists none and no inferred set applies.
    None,
}

impl FunctionsSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FunctionsSource::Advisory => "advisory",
            FunctionsSource::Inferred => "inferred",
            FunctionsSource::None => "none",
        }
    }
}

impl fmt::Display for FunctionsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The evidence behind inferred functions: which releases were compared and how much changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inference {
    /// The last vulnerable release and the first patched one that were compared (none when no
    /// pair applies to the locked version).
    #[serde(default)]
    pub vulnerable: Option<String>,
    #[serde(default)]
    pub patched: Option<String>,
    /// Items of any kind the fix changed.
    pub changed_items: usize,
    /// How narrow the changed set is; `None` when there is no usable set.
    pub confidence: Option<Confidence>,
    /// Why no inferred set is used, when none is (a fix outside the crate's Rust code, too
    /// broad, another release line, not inferred under `--offline`).
    #[serde(default)]
    pub unused: Option<String>,
}

impl Inference {
    /// No set applies, for this reason, and no fix pair was compared.
    pub fn none(why: String) -> Inference {
        Inference {
            vulnerable: None,
            patched: None,
            changed_items: 0,
            confidence: None,
            unused: Some(why),
        }
    }

    /// `inferred from the fix 0.4.19 → 0.4.20 (3 changed items, high confidence)`, or why no
    /// functions were inferred.
    pub fn describe(&self) -> String {
        match (&self.vulnerable, &self.patched, &self.unused) {
            (Some(vulnerable), Some(patched), None) => {
                let confidence = self
                    .confidence
                    .map(|c| format!(", {} confidence", c.as_str()))
                    .unwrap_or_default();
                format!(
                    "inferred from the fix {vulnerable} → {patched} ({} changed item{}{confidence})",
                    self.changed_items,
                    if self.changed_items == 1 { "" } else { "s" },
                )
            }
            (Some(vulnerable), Some(patched), Some(why)) => {
                format!("none inferred from the fix {vulnerable} → {patched}: {why}")
            }
            (_, _, why) => format!(
                "none inferred: {}",
                why.as_deref().unwrap_or("no fix to compare")
            ),
        }
    }
}

/// A package of the lockfile, by name and exact version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
}

/// Severity, from the CVSS base score where there is one; `unknown` where there is none.
///
/// Ordered from least to most severe, with `unknown` first: secgate never guesses a severity,
/// the policy decides how to treat `unknown`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The CVSS v3/v4 qualitative rating of a base score.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How likely a finding is true: a lint finding a true positive, inferred functions the
/// vulnerable ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A CVSS vector and the base score computed from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    pub vector: String,
    pub score: f64,
}

/// Whether the project can run the vulnerable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reachability {
    Reachable,
    Unreachable,
    Unknown,
}

impl Reachability {
    pub fn as_str(self) -> &'static str {
        match self {
            Reachability::Reachable => "reachable",
            Reachability::Unreachable => "unreachable",
            Reachability::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Reachability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One call path from a root (a `main`, a public function) to a vulnerable function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Root first, vulnerable function last.
    pub frames: Vec<Frame>,
}

/// One function on a trace and where it calls the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub function: String,
    pub location: Option<Location>,
}

/// A place in a file; `file` is relative to the workspace root where it lies inside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "{}:{}:{}", self.file, self.line, column),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

/// A package name as the crate is named in paths and symbols: `-` becomes `_` (`lock-api` is
/// `lock_api`), as cargo does.
pub fn crate_name(package: &str) -> String {
    package.replace('-', "_")
}

/// What the policy decided for one finding.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Fail,
    Warn,
    Ignored,
    #[default]
    Pass,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Ignored => "ignored",
            Verdict::Pass => "pass",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_thresholds_follow_cvss() {
        assert_eq!(Severity::from_cvss_score(10.0), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(8.9), Severity::High);
        assert_eq!(Severity::from_cvss_score(7.0), Severity::High);
        assert_eq!(Severity::from_cvss_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_cvss_score(3.9), Severity::Low);
        assert_eq!(Severity::from_cvss_score(0.1), Severity::Low);
        assert_eq!(Severity::from_cvss_score(0.0), Severity::None);
    }

    #[test]
    fn unknown_sorts_below_every_rated_severity() {
        assert!(Severity::Unknown < Severity::None);
        assert!(Severity::High < Severity::Critical);
    }
}
