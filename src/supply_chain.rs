//! The rest of the supply chain: cargo-deny's `bans`, `licenses` and `sources` checks, run as a
//! child process and read back as findings of kind `supply-chain`, so one verdict covers both.
//!
//! secgate does not re-implement these checks: cargo-deny is the well-kept tool for them, and its
//! `--format json` diagnostics carry everything a finding needs (a code, a severity, the crate,
//! labelled spans and notes). Its advisory check is not run: advisories are secgate's own job.
//!
//! cargo-deny's levels carry over: an error becomes a `high` finding, a warning a `low` one, and
//! `[supply-chain]` in the policy gives each its verdict. If cargo-deny was asked for and cannot
//! check the project, the scan says so with a failing finding (`SG-DENY-000`): it fails closed.

use crate::finding::{Confidence, Finding, Kind, Location, Package, Severity};
use crate::workspace::{LockedProject, manifest_location};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The bundled cargo-deny configuration (`policies/deny.toml`), used when the workspace has none.
pub const BUNDLED_CONFIG: &str = include_str!("../policies/deny.toml");

/// The checks secgate runs; `advisories` is left to secgate.
const CHECKS: [&str; 3] = ["bans", "licenses", "sources"];

/// What the supply-chain step found, and what it did, in words for the report.
#[derive(Debug, Default)]
pub struct SupplyChain {
    pub findings: Vec<Finding>,
    pub status: String,
}

/// cargo-deny running in the background while the rest of the scan builds and analyses, or why
/// it did not start.
pub enum Pending {
    Skipped {
        /// The status line for the report.
        why: String,
        /// The policy required the check: not running it is a failing finding.
        failing: bool,
    },
    Running {
        handle: std::thread::JoinHandle<Result<RunOutput, String>>,
        config_label: String,
        /// The bundled config's temporary file, kept alive while cargo-deny reads it; `Some`
        /// means the bundled config is in use.
        bundled: Option<tempfile::NamedTempFile>,
    },
}

pub struct RunOutput {
    stderr: String,
}

/// How to run cargo-deny: what the policy's `[supply-chain]` section asks, in this module's terms
/// (the wiring in `lib.rs` translates, so this source does not depend on the policy).
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Run it at all.
    pub run: bool,
    /// Not running it (not installed, cannot check the project) is a failing finding.
    pub required: bool,
    /// cargo-deny's configuration, relative to the workspace root; `None`: the workspace's own,
    /// else the bundled one.
    pub config: Option<String>,
    pub offline: bool,
}

/// Starts cargo-deny for the workspace at `root` as `request` says.
pub fn start(root: &Path, request: &Request) -> Pending {
    let skipped = |why: &str, failing: bool| Pending::Skipped {
        why: why.to_string(),
        failing,
    };
    if !request.run {
        return skipped("not run: the policy says cargo-deny = \"never\"", false);
    }
    let program = crate::tools::program("CARGO_DENY", "cargo-deny");
    if !crate::tools::answers_version(&program) {
        return skipped("not run: cargo-deny is not installed", request.required);
    }
    let (config, config_label, bundled) = match config_file(root, request.config.as_deref()) {
        Ok(found) => found,
        Err(why) => return skipped(&why, true),
    };
    let mut command = Command::new(program);
    command
        .current_dir(root)
        .args(["--format", "json", "--color", "never"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--config")
        .arg(&config);
    // A gate reads the lockfile; it never rewrites it (cargo-deny runs `cargo metadata`).
    command.arg("--locked");
    if request.offline {
        command.arg("--offline");
    }
    command.arg("check").args(CHECKS);
    let handle = std::thread::spawn(move || {
        let output = command.output().map_err(|e| e.to_string())?;
        // cargo-deny's exit code only repeats its diagnostics; the summary line says it finished.
        Ok(RunOutput {
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    });
    Pending::Running {
        handle,
        config_label,
        bundled,
    }
}

impl Pending {
    /// Waits for cargo-deny and turns its diagnostics into findings.
    pub fn finish(self, project: &LockedProject) -> SupplyChain {
        let (handle, config_label, bundled) = match self {
            Pending::Skipped { why, failing } => {
                let findings = if failing {
                    vec![deny_failed(&why)]
                } else {
                    Vec::new()
                };
                return SupplyChain {
                    findings,
                    status: why,
                };
            }
            Pending::Running {
                handle,
                config_label,
                bundled,
            } => (handle, config_label, bundled),
        };
        let output = match handle.join() {
            Ok(Ok(output)) => output,
            Ok(Err(error)) => return failed(&format!("cargo-deny could not start: {error}")),
            Err(_) => return failed("cargo-deny's thread panicked"),
        };
        let parsed = parse_output(&output.stderr);
        if !parsed.completed {
            // No summary: cargo-deny stopped before checking (a bad config, cargo metadata
            // failing). Its own words say why.
            let why = parsed
                .errors
                .first()
                .cloned()
                .unwrap_or_else(|| first_lines(&output.stderr));
            return failed(&format!("cargo-deny did not complete its checks: {why}"));
        }
        let bundled = bundled.is_some();
        let (own, theirs): (Vec<&Diagnostic>, Vec<&Diagnostic>) = parsed
            .diagnostics
            .iter()
            .partition(|d| bundled && is_own_license(d));
        let findings: Vec<Finding> = theirs
            .into_iter()
            .filter_map(|d| finding_from_diagnostic(d, project, &config_label))
            .collect();
        let mut status = format!(
            "cargo-deny checked {} with {}: {} findings",
            CHECKS.join(", "),
            config_label,
            findings.len(),
        );
        let own = own
            .iter()
            .filter(|d| matches!(d.severity, DenySeverity::Error | DenySeverity::Warning))
            .count();
        if own > 0 {
            status.push_str(&format!(
                "; {own} about the workspace's own licenses left out"
            ));
        }
        SupplyChain { findings, status }
    }
}

fn failed(why: &str) -> SupplyChain {
    SupplyChain {
        findings: vec![deny_failed(why)],
        status: format!("failed: {why}"),
    }
}

/// The config to run with: the policy's `config`, else the workspace's own (where cargo-deny
/// itself looks: `deny.toml`, `.deny.toml`, `.cargo/deny.toml`), else the bundled one, written to
/// a temporary file. Returns the path, how the report names it, and the temporary file.
fn config_file(
    root: &Path,
    config: Option<&str>,
) -> Result<(PathBuf, String, Option<tempfile::NamedTempFile>), String> {
    if let Some(config) = config {
        let path = root.join(config);
        return if path.is_file() {
            Ok((path, config.to_string(), None))
        } else {
            Err(format!(
                "supply-chain.config = \"{config}\": no such file in the workspace"
            ))
        };
    }
    for name in ["deny.toml", ".deny.toml", ".cargo/deny.toml"] {
        let path = root.join(name);
        if path.is_file() {
            return Ok((path, name.to_string(), None));
        }
    }
    let mut file = tempfile::Builder::new()
        .prefix("secgate-deny-")
        .suffix(".toml")
        .tempfile()
        .map_err(|e| format!("could not write the bundled deny.toml: {e}"))?;
    std::io::Write::write_all(&mut file, BUNDLED_CONFIG.as_bytes())
        .map_err(|e| format!("could not write the bundled deny.toml: {e}"))?;
    Ok((
        file.path().to_path_buf(),
        "the bundled policies/deny.toml".to_string(),
        Some(file),
    ))
}

/// One line of cargo-deny's JSON output: `{"type": "diagnostic" | "summary" | "log", "fields": …}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "fields", rename_all = "lowercase")]
enum Line {
    /// The checks ran to the end.
    Summary(serde::de::IgnoredAny),
    /// cargo-deny's own log (cargo metadata failing, a config it cannot read).
    Log(LogLine),
    Diagnostic(Diagnostic),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct LogLine {
    #[serde(default)]
    level: String,
    #[serde(default)]
    message: String,
}

/// How serious cargo-deny says a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DenySeverity {
    Error,
    Warning,
    Note,
    Help,
    #[serde(other)]
    Other,
}

/// A cargo-deny diagnostic: the fields secgate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Diagnostic {
    #[serde(default)]
    pub code: Option<String>,
    pub severity: DenySeverity,
    pub message: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub graphs: Vec<Graph>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub line: u32,
    pub column: u32,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub span: String,
}

/// The inclusion graph of the crate a diagnostic is about; only its top crate is read.
#[derive(Debug, Clone, Deserialize)]
pub struct Graph {
    #[serde(rename = "Krate")]
    pub krate: Option<Krate>,
    /// The crates that include it; none for the workspace's own crates (the graph's roots).
    #[serde(default)]
    pub parents: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Krate {
    pub name: String,
    pub version: String,
}

/// cargo-deny's output, read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub diagnostics: Vec<Diagnostic>,
    /// A summary line came: the checks ran to the end.
    pub completed: bool,
    /// Messages of errors (diagnostics and cargo-deny's own log), to say why a run did not
    /// complete.
    pub errors: Vec<String>,
}

/// Reads cargo-deny's JSON lines (it writes them to stderr); other lines are skipped.
pub fn parse_output(stderr: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for line in stderr.lines().filter(|l| l.starts_with('{')) {
        let Ok(line) = serde_json::from_str::<Line>(line) else {
            continue;
        };
        match line {
            Line::Summary(_) => parsed.completed = true,
            Line::Log(log) if log.level == "ERROR" => {
                parsed
                    .errors
                    .push(log.message.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            Line::Diagnostic(diagnostic) => {
                if diagnostic.severity == DenySeverity::Error {
                    parsed.errors.push(diagnostic.message.clone());
                }
                parsed.diagnostics.push(diagnostic);
            }
            Line::Log(_) | Line::Other => {}
        }
    }
    parsed
}

/// A license diagnostic about one of the workspace's own crates. The bundled configuration checks
/// the licenses of what the project takes in; how the project licenses its own code (or whether
/// it does, for a crate that is never published) is its authors' call, so with the bundled
/// configuration these are left out. A workspace's own deny.toml decides for itself.
pub fn is_own_license(diagnostic: &Diagnostic) -> bool {
    let license = matches!(
        diagnostic.code.as_deref(),
        Some("rejected" | "unlicensed" | "no-license-field")
    );
    license
        && diagnostic
            .graphs
            .first()
            .is_some_and(|g| g.parents.is_empty())
}

/// A finding for an error or warning diagnostic; notes and help are left out.
pub fn finding_from_diagnostic(
    diagnostic: &Diagnostic,
    project: &LockedProject,
    config_label: &str,
) -> Option<Finding> {
    let severity = match diagnostic.severity {
        DenySeverity::Error => Severity::High,
        DenySeverity::Warning => Severity::Low,
        _ => return None,
    };
    let code = diagnostic.code.as_deref().unwrap_or("diagnostic");
    let krate = diagnostic.graphs.iter().find_map(|g| g.krate.as_ref());
    let package = krate.map(|k| Package {
        name: k.name.clone(),
        version: k.version.clone(),
    });
    let (cwe, fix) = advice(code);
    let labels: Vec<String> = diagnostic
        .labels
        .iter()
        .map(|l| {
            let text = if l.message.is_empty() {
                l.span.clone()
            } else {
                format!("{}: {}", l.message, l.span)
            };
            format!("- {} (line {}, column {})", text, l.line, l.column)
        })
        .collect();
    let mut description = format!("cargo-deny `{code}` ({config_label}).");
    if !labels.is_empty() {
        description.push_str("\n\n");
        description.push_str(&labels.join("\n"));
    }
    if !diagnostic.notes.is_empty() {
        description.push_str("\n\n");
        description.push_str(&diagnostic.notes.join("\n"));
    }
    let location = location(krate, code, &diagnostic.labels, project);
    // The label that says what is wrong: a ban's reason, the rejected license, the source.
    let detail = match code {
        "banned" => diagnostic.labels.iter().find(|l| l.message == "reason"),
        "rejected" | "source-not-allowed" => diagnostic.labels.first(),
        _ => None,
    }
    .map(|l| l.span.as_str())
    .filter(|span| !span.is_empty());
    let title = match detail {
        Some(detail) => format!("{}: {detail}", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    Some(Finding {
        package,
        severity,
        cwe: cwe.iter().map(|c| c.to_string()).collect(),
        description,
        locations: vec![location],
        confidence: Some(Confidence::High),
        fix: Some(fix.to_string()),
        ..Finding::new(
            format!("{}{code}", crate::ids::DENY_PREFIX),
            Kind::SupplyChain,
            title,
        )
    })
}

/// Where the finding points: the manifest line cargo-deny labels for the scanned package itself
/// (a wildcard requirement, its license), else the crate's entry in Cargo.lock.
fn location(
    krate: Option<&Krate>,
    code: &str,
    labels: &[Label],
    project: &LockedProject,
) -> Location {
    let manifest_codes = ["wildcard", "rejected", "unlicensed", "no-license-field"];
    if let (Some(k), Some(root), Some(label)) = (krate, &project.project, labels.first())
        && k.name == root.name
        && k.version == root.version
        && manifest_codes.contains(&code)
    {
        return Location {
            line: label.line,
            column: Some(label.column),
            ..manifest_location()
        };
    }
    match krate {
        Some(k) => project.package_location(&k.name, &k.version),
        None => manifest_location(),
    }
}

/// The CWE and the fix for a cargo-deny diagnostic code.
fn advice(code: &str) -> (&'static [&'static str], &'static str) {
    match code {
        "banned" | "banned-by-wrapper" => (
            &["CWE-1104"],
            "Replace the crate with the alternative the ban's reason names, or drop the dependency.",
        ),
        "wildcard" => (
            &["CWE-1357"],
            "Give the dependency a version requirement instead of `*`.",
        ),
        "duplicate" => (
            &["CWE-1357"],
            "Align the dependents on one version (cargo update, or upgrade the older dependent).",
        ),
        "source-not-allowed" | "git-source-underspecified" => (
            &["CWE-829"],
            "Depend on the crate from crates.io, or allow the source on purpose in deny.toml.",
        ),
        "rejected" | "unlicensed" | "no-license-field" => (
            &[],
            "Replace the crate, or accept its license in deny.toml (allow or exceptions) after review.",
        ),
        _ => (
            &[],
            "See cargo-deny's explanation of this code, then fix the dependency or deny.toml.",
        ),
    }
}

/// cargo-deny was asked for and could not check the project: a failing finding, never a pass.
fn deny_failed(why: &str) -> Finding {
    Finding {
        severity: Severity::High,
        description: format!(
            "The policy folds cargo-deny's bans, licenses and sources checks into the verdict, \
             but they did not run: {why}."
        ),
        locations: vec![manifest_location()],
        confidence: Some(Confidence::High),
        fix: Some(
            "cargo install cargo-deny --locked, or fix what cargo-deny reported; \
             [supply-chain] cargo-deny = \"never\" turns the check off."
                .to_string(),
        ),
        ..Finding::new(
            crate::ids::BuiltinId::DenyFailed.as_str(),
            Kind::SupplyChain,
            "cargo-deny could not check the supply chain",
        )
    }
}

fn first_lines(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    if lines.is_empty() {
        "it printed nothing".to_string()
    } else {
        lines.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project whose Cargo.lock has the crates of the recorded cargo-deny output.
    fn project() -> LockedProject {
        let text = "version = 4\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.19\"\n\n\
                    [[package]]\nname = \"sc\"\nversion = \"0.1.0\"\n\n\
                    [[package]]\nname = \"tempdir\"\nversion = \"0.3.7\"\n";
        LockedProject::parse(
            PathBuf::from("/home/dev/sc"),
            PathBuf::from("/home/dev/sc/Cargo.lock"),
            text.to_string(),
            Some(Package {
                name: "sc".into(),
                version: "0.1.0".into(),
            }),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn recorded(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/cargo-deny")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn findings(name: &str) -> Vec<Finding> {
        let parsed = parse_output(&recorded(name));
        assert!(parsed.completed, "the recording ends with a summary");
        parsed
            .diagnostics
            .iter()
            .filter_map(|d| finding_from_diagnostic(d, &project(), "deny.toml"))
            .collect()
    }

    #[test]
    fn bans_and_licenses_become_findings_at_the_right_place() {
        let found: Vec<(String, Severity, String, u32)> = findings("bans-licenses.jsonl")
            .into_iter()
            .map(|f| {
                let l = &f.locations[0];
                (f.id, f.severity, l.file.clone(), l.line)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                // The wildcard and the license are lines of the scanned package's manifest.
                (
                    "deny::wildcard".into(),
                    Severity::High,
                    "Cargo.toml".into(),
                    9
                ),
                (
                    "deny::banned".into(),
                    Severity::High,
                    "Cargo.lock".into(),
                    12
                ),
                (
                    "deny::no-license-field".into(),
                    Severity::Low,
                    "Cargo.lock".into(),
                    1
                ),
                (
                    "deny::rejected".into(),
                    Severity::High,
                    "Cargo.toml".into(),
                    5
                ),
            ]
        );
    }

    #[test]
    fn a_ban_keeps_its_reason_and_crate() {
        let banned = findings("bans-licenses.jsonl")
            .into_iter()
            .find(|f| f.id == "deny::banned")
            .unwrap_or_else(|| panic!("no ban"));
        assert_eq!(banned.kind, Kind::SupplyChain);
        assert_eq!(banned.package.map(|p| p.name), Some("tempdir".to_string()));
        assert!(
            banned.description.contains("use tempfile"),
            "{}",
            banned.description
        );
        assert_eq!(banned.cwe, ["CWE-1104"]);
    }

    #[test]
    fn only_the_workspace_crates_own_license_counts_as_own() {
        let parsed = parse_output(&recorded("bans-licenses.jsonl"));
        let own: Vec<&str> = parsed
            .diagnostics
            .iter()
            .filter(|d| is_own_license(d))
            .filter_map(|d| d.code.as_deref())
            .collect();
        // The scanned crate's GPL license is its own; fuchsia-cprng's missing field is not.
        assert_eq!(own, ["rejected"]);
    }

    #[test]
    fn a_git_source_is_a_finding() {
        let found = findings("sources.jsonl");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "deny::source-not-allowed");
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].cwe, ["CWE-829"]);
        assert!(
            found[0]
                .description
                .contains("git+https://example.com/forks/itoa")
        );
    }

    #[test]
    fn a_failing_cargo_metadata_is_the_reason_given() {
        let stderr = r#"{"fields":{"level":"ERROR","message":"`cargo metadata` exited with an error: error: cannot update the lock file\nhelp: remove --locked\n"},"type":"log"}"#;
        let parsed = parse_output(stderr);
        assert!(!parsed.completed);
        assert_eq!(
            parsed.errors,
            [
                "`cargo metadata` exited with an error: error: cannot update the lock file help: remove --locked"
            ]
        );
    }

    #[test]
    fn output_without_a_summary_did_not_complete() {
        let stderr = "{\"type\":\"diagnostic\",\"fields\":{\"severity\":\"error\",\"message\":\"failed to parse config\"}}\n";
        let parsed = parse_output(stderr);
        assert!(!parsed.completed);
        assert_eq!(parsed.errors, ["failed to parse config"]);
    }
}
