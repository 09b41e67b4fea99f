//! The lint layer as one step of a scan: secgate's rules over the workspace sources, the curated
//! clippy lints from the IR build's own compilation, and unsafe accounting over every crate the
//! build compiled (from its dep-info, so no second build).

use super::clippy;
use super::unsafe_code::{UnsafeSite, count_crate, reachable_functions};
use super::{LintOptions, scan_sources, workspace_sources};
use crate::build::{BuildOutcome, Built, ClippyRun};
use crate::error::Error;
use crate::finding::{Confidence, Finding, Kind};
use crate::ids::BuiltinId;
use crate::location::display_path;
use crate::reached::ReachedFunctions;
use crate::report::{CrateUnsafe, LintInfo};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What the layer found.
pub struct LintLayer {
    pub findings: Vec<Finding>,
    pub info: LintInfo,
    pub unsafe_code: Vec<CrateUnsafe>,
    /// The workspace's own crates among them.
    pub members: Vec<crate::finding::Package>,
    /// Where the workspace's own crates use unsafe code (for new unsafe code in a change).
    pub member_sites: Vec<UnsafeSite>,
}

/// Runs the layer over what the build compiled; `reached` is what reachability found the program
/// can run, when it had a graph with roots.
pub fn run_layer(
    root: &Path,
    build: &BuildOutcome,
    reached: Option<&ReachedFunctions>,
) -> Result<LintLayer, Error> {
    // A build that compiled no crate of the target did not give the layer anything to read.
    let built: Option<&Built> = build.built().filter(|b| !b.crate_sources.is_empty());
    let sources = match built {
        Some(built) => compiled_workspace_sources(built, root),
        None => workspace_sources(root),
    };
    let mut findings = scan_sources(root, &sources, &LintOptions::default())?;
    let rules = format!(
        "{} rules over {} files",
        super::rules::rules().len(),
        sources.len()
    );
    let clippy_status = match (build, built) {
        (BuildOutcome::NotRun(_), _) => "not run: --no-build".to_string(),
        (_, None) => "not run: the build did not complete".to_string(),
        (_, Some(built)) => clippy_findings(built, root, &mut findings),
    };
    let accounting = match built {
        Some(built) => unsafe_accounting(built, root, reached),
        None => UnsafeAccounting {
            crates: Vec::new(),
            status: "not run: no build".to_string(),
            member_sites: Vec::new(),
        },
    };
    Ok(LintLayer {
        findings,
        info: LintInfo {
            rules,
            clippy: clippy_status,
            unsafe_code: accounting.status,
        },
        unsafe_code: accounting.crates,
        members: built
            .map(|built| {
                built
                    .crate_sources
                    .iter()
                    .filter(|c| c.workspace_member)
                    .map(|c| c.package.clone())
                    .collect()
            })
            .unwrap_or_default(),
        member_sites: accounting.member_sites,
    })
}

/// The workspace's Rust sources exactly as rustc compiled them.
fn compiled_workspace_sources(built: &Built, root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = built
        .crate_sources
        .iter()
        .filter(|c| c.workspace_member)
        .flat_map(|c| c.files.iter())
        .filter(|f| f.extension().is_some_and(|e| e == "rs") && f.starts_with(root))
        .cloned()
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The curated clippy lints' findings from the build's diagnostics (one per lint and place), or
/// the finding that says clippy could not run; returns the status line.
fn clippy_findings(built: &Built, root: &Path, findings: &mut Vec<Finding>) -> String {
    match &built.clippy {
        ClippyRun::Ran => {}
        ClippyRun::NotInstalled => {
            findings.push(clippy_did_not_run(
                "clippy is not installed, so the curated clippy lints did not run",
            ));
            return "not installed (clippy-driver not found)".to_string();
        }
        ClippyRun::FailedAndRebuilt(error) => {
            findings.push(clippy_did_not_run(
                "clippy failed in the analysis build, so the curated clippy lints did not run",
            ));
            return format!(
                "failed in the IR build ({error}); the build was run again without clippy, so \
                 the other analyses are complete"
            );
        }
    }
    let mut seen = HashSet::new();
    let before = findings.len();
    for diagnostic in &built.diagnostics {
        if let Some(finding) = clippy::finding_from_diagnostic(diagnostic, root)
            && seen.insert((finding.id.clone(), finding.locations.clone()))
        {
            findings.push(finding);
        }
    }
    format!(
        "ran in the IR build: {} curated lints, {} findings",
        clippy::security_lints().len(),
        findings.len() - before
    )
}

/// Unsafe counts of every crate the build compiled.
struct UnsafeAccounting {
    crates: Vec<CrateUnsafe>,
    status: String,
    /// Where the workspace's own crates use unsafe code.
    member_sites: Vec<UnsafeSite>,
}

/// Counts unsafe code in every crate of the build (from the cache where its files did not
/// change), and names the functions with unsafe code the program can reach.
fn unsafe_accounting(
    built: &Built,
    root: &Path,
    reached: Option<&ReachedFunctions>,
) -> UnsafeAccounting {
    let cache_path = built.target_dir.join("unsafe-counts.json");
    let mut cache = UnsafeCache::load(&cache_path);
    let mut recounted = 0usize;
    let mut live_keys = HashSet::new();
    let mut member_sites = Vec::new();
    let crates: Vec<CrateUnsafe> = built
        .crate_sources
        .iter()
        .map(|c| {
            let files: Vec<PathBuf> = c
                .files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "rs"))
                .cloned()
                .collect();
            let key = UnsafeCache::key(&c.package, &files);
            live_keys.insert(key.clone());
            let counted = cache.entries.entry(key).or_insert_with(|| {
                recounted += 1;
                count_crate(&files)
            });
            if c.workspace_member {
                member_sites.extend(counted.sites.iter().cloned());
            }
            let mut counts = counted.counts.clone();
            // Name unparsed files as the report names every file: no machine paths.
            for file in &mut counts.unparsed {
                *file = display_path(&*file, root);
            }
            let reachable_unsafe_functions = reached.map(|reached| {
                reachable_functions(&counted.sites, reached, |file| display_path(file, root))
            });
            CrateUnsafe {
                package: c.package.clone(),
                counts,
                reachable_unsafe_functions,
            }
        })
        .collect();
    if recounted > 0 {
        cache.save(&cache_path, &live_keys);
    }
    let mut status = format!("{} crates from the build's dep-info", crates.len());
    if reached.is_some() {
        let reachable = crates
            .iter()
            .filter_map(|c| c.reachable_unsafe_functions.as_ref())
            .filter(|functions| !functions.is_empty());
        let (functions, in_crates) =
            reachable.fold((0, 0), |(f, c), functions| (f + functions.len(), c + 1));
        status.push_str(&format!(
            "; {functions} functions with unsafe code reachable from the roots, in {in_crates} crates"
        ));
    }
    UnsafeAccounting {
        crates,
        status,
        member_sites,
    }
}

/// Unsafe counts of earlier scans, keyed by package and the size and modification time of every
/// file counted: dependencies do not change between rescans, so only edited crates are re-read.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct UnsafeCache {
    entries: std::collections::BTreeMap<String, super::unsafe_code::CountedCrate>,
}

impl UnsafeCache {
    fn load(path: &Path) -> UnsafeCache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn key(package: &crate::finding::Package, files: &[PathBuf]) -> String {
        let mut key = format!("{}@{}", package.name, package.version);
        for file in files {
            let stamp = std::fs::metadata(file)
                .ok()
                .map(|m| {
                    let modified = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    format!("{}:{modified}", m.len())
                })
                .unwrap_or_default();
            key.push_str(&format!("|{}={stamp}", file.display()));
        }
        crate::hash::fnv1a(&key)
    }

    /// Keeps only the entries of this build (`live`), and writes the cache; a failure only
    /// costs speed.
    fn save(mut self, path: &Path, live: &HashSet<String>) {
        self.entries.retain(|key, _| live.contains(key));
        if let Ok(bytes) = serde_json::to_vec(&self) {
            let _ = crate::output::write_atomically(path, &bytes);
        }
    }
}

/// Clippy not running (missing from the toolchain, or failing) is a finding of its own, never a
/// silent pass.
fn clippy_did_not_run(title: &str) -> Finding {
    Finding {
        description: "The lint layer runs clippy inside secgate's own build. Without \
            clippy-driver, its security lints (unsafe code, panics on input, truncation) were not \
            checked."
            .to_string(),
        locations: vec![crate::workspace::manifest_location()],
        confidence: Some(Confidence::High),
        fix: Some("rustup component add clippy".to_string()),
        ..Finding::new(BuiltinId::ClippyMissing.as_str(), Kind::Lint, title)
    }
}
