//! The complete result of one scan: what was scanned, with which database, and every finding.
//!
//! A `Report` is built whole before anything is printed; every output format renders from it,
//! and a saved JSON report can be read back into one.

use crate::finding::{Finding, Kind, Package, Reachability, Severity, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The version of the JSON report's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The scanned workspace's main package; `null` for a bare lockfile.
    pub project: Option<crate::finding::Package>,
    pub database: DatabaseInfo,
    pub lockfile: LockfileInfo,
    pub target: Target,
    /// Which layers of analysis ran, so a reader knows what `unknown` means here.
    pub analysis: Analysis,
    /// The policy that decided the verdicts (`built-in default`, `secgate.toml`, a path).
    pub policy: String,
    /// Things the reader should know that are not findings (a stale database, a failed fetch).
    pub warnings: Vec<String>,
    pub findings: Vec<Finding>,
    /// Unsafe code per crate of the build (geiger's role), workspace and dependencies.
    pub unsafe_code: Vec<CrateUnsafe>,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Which advisory database the scan used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    pub path: String,
    pub source: DatabaseOrigin,
    /// The database's HEAD commit, when it is a git checkout.
    pub last_commit: Option<String>,
    /// RFC 3339 time of the last commit, or the newest advisory's date for a plain directory.
    pub last_updated: Option<String>,
    /// Advisories in the database, withdrawn ones included (as cargo-audit counts them).
    pub advisory_count: usize,
}

/// Where the advisory database came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseOrigin {
    /// A directory given with `--db`, used as it is.
    Local,
    /// cargo-audit's cache, not updated (`--offline`, or a fetch that failed).
    Cache,
    /// Fetched or updated for this scan.
    Fetched,
}

impl DatabaseOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseOrigin::Local => "local",
            DatabaseOrigin::Cache => "cache",
            DatabaseOrigin::Fetched => "fetched",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockfileInfo {
    pub path: String,
    /// Packages in the lockfile, path and git packages included.
    pub packages: usize,
}

/// The platform the analysis is for; `affected.os`/`affected.arch` are judged against it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub triple: String,
    /// The operating system as RustSec's `affected.os` spells it (`linux`, `macos`, `none`, …).
    pub os: String,
    /// The architecture as RustSec's `affected.arch` spells it (`x86`, `x86_64`, `arm`, …).
    pub arch: String,
    /// Whether secgate chose this target (the host) because none was requested. Not saved in a
    /// report: it only lets the findings' reasons say so.
    #[serde(skip)]
    pub chosen_by_secgate: bool,
}

impl Target {
    /// The platform a target triple names, with its arch and OS as the `platforms` crate (the
    /// type rustsec parses `affected.arch`/`affected.os` into) spells them; `None` for a triple
    /// rustc does not know.
    pub fn from_triple(triple: &str) -> Option<Target> {
        let platform = platforms::Platform::find(triple)?;
        Some(Target {
            triple: triple.to_string(),
            os: platform.target_os.as_str().to_string(),
            arch: platform.target_arch.as_str().to_string(),
            chosen_by_secgate: false,
        })
    }

    /// The triple, and when secgate chose it, that it is the host.
    pub fn describe(&self) -> String {
        if self.chosen_by_secgate {
            format!(
                "{} (the host, chosen by secgate: no --target given)",
                self.triple
            )
        } else {
            self.triple.clone()
        }
    }
}

/// Which analysis layers ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// `lockfile`: advisories were matched against the lockfile's versions.
    pub advisories: String,
    pub reachability: ReachabilityInfo,
    pub lints: LintInfo,
    /// What cargo-deny's supply-chain checks did, in words (`not run: …` when they did not).
    #[serde(default)]
    pub supply_chain: String,
}

/// What the lint layer ran.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LintInfo {
    /// secgate's own rules: `N rules over M files`, or why they did not run.
    pub rules: String,
    /// The curated clippy lints: `ran in the IR build`, `not installed`, or why not.
    pub clippy: String,
    /// Unsafe accounting: `N crates from the build's dep-info`, or why not.
    pub unsafe_code: String,
}

impl LintInfo {
    pub fn not_run(why: &str) -> LintInfo {
        LintInfo {
            rules: format!("not run: {why}"),
            clippy: format!("not run: {why}"),
            unsafe_code: format!("not run: {why}"),
        }
    }
}

/// What the reachability engine analysed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReachabilityInfo {
    pub status: ReachabilityStatus,
    /// The target triple built and analysed.
    pub target: Option<String>,
    /// The features analysed, in words.
    pub features: String,
    /// The roots searched from (`bin server (main)`, `lib mylib (120 functions)`).
    pub roots: Vec<String>,
    pub ir_files: usize,
    pub ir_bytes: u64,
    /// Nodes and edges of the reference graph.
    pub functions: usize,
    pub edges: usize,
}

impl ReachabilityInfo {
    pub fn not_run(why: &str) -> ReachabilityInfo {
        ReachabilityInfo {
            status: ReachabilityStatus::NotRun(why.to_string()),
            ..ReachabilityInfo::default()
        }
    }
}

/// How far the reachability analysis got; serialised as words (`complete`, `no roots`,
/// `build failed`, `failed`, `not run: <why>`, `incomplete: <why>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum ReachabilityStatus {
    /// The program was built, all its IR read and searched from its roots.
    #[default]
    Complete,
    /// Built and read, but nothing to search from.
    NoRoots,
    /// `cargo build` failed.
    BuildFailed,
    /// A step before the build failed (cargo metadata).
    Failed,
    /// Not attempted, and why (`--no-build`, a bare lockfile).
    NotRun(String),
    /// Built, but not all of the IR could be read (missing, changed since the build, cut off):
    /// what was found reachable is, nothing is `unreachable`. Why, in words.
    Incomplete(String),
}

impl fmt::Display for ReachabilityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReachabilityStatus::Complete => f.write_str("complete"),
            ReachabilityStatus::NoRoots => f.write_str("no roots"),
            ReachabilityStatus::BuildFailed => f.write_str("build failed"),
            ReachabilityStatus::Failed => f.write_str("failed"),
            ReachabilityStatus::NotRun(why) => write!(f, "not run: {why}"),
            ReachabilityStatus::Incomplete(why) => write!(f, "incomplete: {why}"),
        }
    }
}

impl From<ReachabilityStatus> for String {
    fn from(status: ReachabilityStatus) -> String {
        status.to_string()
    }
}

impl From<String> for ReachabilityStatus {
    /// Reads a saved report's status; words of a newer secgate are kept as `not run` reasons
    /// would be, so rendering them again prints them unchanged.
    fn from(text: String) -> ReachabilityStatus {
        match text.as_str() {
            "complete" => ReachabilityStatus::Complete,
            "no roots" => ReachabilityStatus::NoRoots,
            "build failed" => ReachabilityStatus::BuildFailed,
            "failed" => ReachabilityStatus::Failed,
            _ if text.starts_with("incomplete: ") => {
                ReachabilityStatus::Incomplete(text["incomplete: ".len()..].to_string())
            }
            _ => ReachabilityStatus::NotRun(
                text.strip_prefix("not run: ").unwrap_or(&text).to_string(),
            ),
        }
    }
}

/// Counts over the findings, and the overall verdict.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub by_kind: BTreeMap<Kind, usize>,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_reachability: BTreeMap<Reachability, usize>,
    pub by_verdict: BTreeMap<Verdict, usize>,
    /// `fail` when any finding's verdict is `fail`, otherwise `pass`.
    pub verdict: Verdict,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary {
            total: findings.len(),
            ..Summary::default()
        };
        for finding in findings {
            *summary.by_kind.entry(finding.kind).or_default() += 1;
            *summary.by_severity.entry(finding.severity).or_default() += 1;
            *summary
                .by_reachability
                .entry(finding.reachability)
                .or_default() += 1;
            *summary.by_verdict.entry(finding.verdict).or_default() += 1;
        }
        summary.verdict = if summary.by_verdict.contains_key(&Verdict::Fail) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        summary
    }
}

/// One package's unsafe accounting, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateUnsafe {
    pub package: Package,
    pub counts: UnsafeCounts,
    /// The functions of this crate that contain unsafe code and that the program can reach from
    /// its roots, by the reachability engine's call graph; `null` when there was no graph.
    pub reachable_unsafe_functions: Option<Vec<ReachableUnsafe>>,
}

/// A function containing unsafe code that the program can run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachableUnsafe {
    /// The function's path, demangled, without generic arguments' hash.
    pub function: String,
    pub file: String,
    /// The line the function is defined on.
    pub line: u32,
    /// The lines of its `unsafe` blocks (or of the `unsafe fn` itself).
    pub unsafe_lines: Vec<u32>,
}

/// Unsafe usage in a set of files (one crate, or one file).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsafeCounts {
    /// Files read.
    pub files: usize,
    /// `unsafe fn` items, methods and trait methods.
    pub functions: usize,
    /// `unsafe { … }` blocks.
    pub blocks: usize,
    /// `unsafe impl` items.
    pub impls: usize,
    /// `unsafe trait` items.
    pub traits: usize,
    /// The crate root (the first file) has `#![forbid(unsafe_code)]`.
    pub forbids_unsafe: bool,
    /// The crate root has `#![deny(unsafe_code)]` (which an inner `allow` can lift).
    pub denies_unsafe: bool,
    /// Files that could not be read or parsed, so are not counted.
    pub unparsed: Vec<String>,
}

impl UnsafeCounts {
    /// Unsafe functions, blocks, impls and traits together.
    pub fn total(&self) -> usize {
        self.functions + self.blocks + self.impls + self.traits
    }

    /// Adds another set of files' counts to these.
    pub fn add(&mut self, other: UnsafeCounts) {
        self.files += other.files;
        self.functions += other.functions;
        self.blocks += other.blocks;
        self.impls += other.impls;
        self.traits += other.traits;
        self.unparsed.extend(other.unparsed);
    }
}

/// Puts findings in the one order every output uses: most severe first, then by id and package,
/// so the same input always gives byte-identical output.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.locations.cmp(&b.locations))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_map_to_rustsec_arch_and_os() {
        let table = [
            ("x86_64-unknown-linux-gnu", "x86_64", "linux"),
            ("x86_64-unknown-linux-musl", "x86_64", "linux"),
            ("x86_64-pc-windows-msvc", "x86_64", "windows"),
            ("x86_64-pc-windows-gnu", "x86_64", "windows"),
            ("x86_64-apple-darwin", "x86_64", "macos"),
            ("x86_64-unknown-freebsd", "x86_64", "freebsd"),
            ("i686-unknown-linux-gnu", "x86", "linux"),
            ("i686-unknown-linux-musl", "x86", "linux"),
            ("i686-pc-windows-msvc", "x86", "windows"),
            ("i586-unknown-linux-gnu", "x86", "linux"),
            ("aarch64-unknown-linux-gnu", "aarch64", "linux"),
            ("aarch64-unknown-linux-musl", "aarch64", "linux"),
            ("aarch64-pc-windows-msvc", "aarch64", "windows"),
            ("aarch64-apple-darwin", "aarch64", "macos"),
            ("aarch64-apple-ios", "aarch64", "ios"),
            ("aarch64-linux-android", "aarch64", "android"),
            ("armv7-unknown-linux-gnueabihf", "arm", "linux"),
            ("armv7-unknown-linux-musleabihf", "arm", "linux"),
            ("arm-unknown-linux-gnueabi", "arm", "linux"),
            ("thumbv6m-none-eabi", "arm", "none"),
            ("riscv64gc-unknown-linux-gnu", "riscv64", "linux"),
            ("riscv64gc-unknown-linux-musl", "riscv64", "linux"),
            ("powerpc64le-unknown-linux-gnu", "powerpc64", "linux"),
            ("s390x-unknown-linux-gnu", "s390x", "linux"),
            ("wasm32-unknown-unknown", "wasm32", "unknown"),
            ("wasm32-wasip1", "wasm32", "wasi"),
        ];
        for (triple, arch, os) in table {
            let target = Target::from_triple(triple).unwrap_or_else(|| panic!("{triple}"));
            assert_eq!(
                (target.arch.as_str(), target.os.as_str()),
                (arch, os),
                "{triple}"
            );
            assert_eq!(target.triple, triple);
        }
    }

    #[test]
    fn unknown_triples_are_not_guessed_at() {
        for triple in [
            "bogus",
            "",
            "x86_64",
            "x86_64-linux",
            "i686-unknown-linux-gnu ",
            "my-target.json",
        ] {
            assert!(Target::from_triple(triple).is_none(), "{triple:?}");
        }
    }
}
