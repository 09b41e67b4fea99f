//! secgate: does this Rust project ship a security problem that matters?
//!
//! The library builds one complete [`Report`] from the finding sources — advisories
//! ([`advisories`]), graded by reachability ([`reachability`]); insecure patterns, clippy and
//! unsafe accounting ([`lints`]); banned crates, licenses and sources from cargo-deny
//! ([`supply_chain`]) — applies the [`Policy`], and leaves rendering to [`render`].
//! Nothing in the library prints or exits; the binary does that once, at the edge.

#![forbid(unsafe_code)]

pub mod advisories;
pub(crate) mod baseline;
pub mod build;
pub mod error;
pub mod finding;
mod hash;
pub mod ids;
pub mod infer;
pub mod lints;
pub(crate) mod location;
pub mod output;
pub mod policy;
pub mod progress;
pub mod reachability;
pub(crate) mod reached;
pub mod render;
pub mod report;
pub(crate) mod resolved;
pub(crate) mod supply_chain;
pub(crate) mod target;
mod tools;
pub mod workspace;

pub use error::Error;
pub use finding::Finding;
pub use finding::Verdict;
pub use policy::Policy;
pub use report::Report;

use advisories::{AdvisoryDatabase, DatabaseSource};
use build::{BuildOptions, BuildOutcome};
use report::{Analysis, LintInfo, LockfileInfo, Summary, Tool};
use workspace::{LockedProject, ProjectPath};

/// Whether `id` is one of secgate's own: a lint rule, a curated clippy lint or a built-in id.
pub fn is_known_rule_id(id: &str) -> bool {
    lints::is_lint_id(id) || ids::BuiltinId::parse(id).is_some()
}

/// Checks the rule ids a policy names against every rule secgate has (see [`Policy::check`]).
pub fn check_policy(policy: &Policy, today: time::Date) -> policy::PolicyCheck {
    policy.check(&lints::is_lint_id, today)
}

/// Everything a scan needs to know, already validated.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub project: ProjectPath,
    pub database: DatabaseSource,
    /// `--policy`: a bundled policy's name or a file; `None` uses `secgate.toml` at the workspace
    /// root, or the bundled default when there is none.
    pub policy: Option<String>,
    /// The date ignores expire against.
    pub today: time::Date,
    /// `--new-since REF`: only findings that are new since this git revision can fail.
    pub new_since: Option<String>,
    /// `--target`: the triple to analyse (advisories' platforms, the IR build); the host's when `None`.
    pub target: Option<String>,
    /// `--offline`: nothing is fetched (passed on to cargo and cargo-deny).
    pub offline: bool,
    /// How to build and analyse the program; `None` skips the build (`--no-build`).
    pub build: Option<BuildOptions>,
    /// How many call traces to keep per reachable finding.
    pub traces: usize,
    /// `--inferred FILE`: inferred-functions data to use instead of the bundled data.
    pub inferred: Option<std::path::PathBuf>,
    /// Where progress of the long steps goes.
    pub progress: progress::Reporter,
}

/// What the policy's `[supply-chain]` section asks of cargo-deny.
fn deny_request(policy: &Policy, offline: bool) -> supply_chain::Request {
    let rules = &policy.supply_chain;
    supply_chain::Request {
        run: rules.cargo_deny != policy::CargoDeny::Never,
        required: rules.cargo_deny == policy::CargoDeny::Always,
        config: rules.config.clone(),
        offline,
    }
}

/// Gives vulnerabilities whose advisory lists no functions the functions inferred from the fix:
/// from the bundled data (or `--inferred`), else inferred now and cached under `$CARGO_HOME`
/// (never downloading under `--offline`). Returns a warning naming what could not be inferred.
fn infer_functions(
    findings: &mut [Finding],
    db: &AdvisoryDatabase,
    options: &ScanOptions,
) -> Result<Option<String>, Error> {
    use infer::apply::{self, InferredSets};
    let sets = match &options.inferred {
        Some(path) => InferredSets::read(path)?,
        None => InferredSets::bundled(),
    };
    // The packages whose advisories the data does not cover: read again (for their version
    // ranges) only if one is asked for.
    let uncovered: Vec<String> = findings
        .iter()
        .filter(|f| apply::wants_functions(f) && sets.get(&f.id).is_none())
        .filter_map(|f| f.package.as_ref().map(|p| p.name.clone()))
        .collect();
    let mut advisories: Option<Vec<rustsec::Advisory>> = None;
    // Without a build there is no reachability to decide: nothing is worth downloading.
    let analysing = options.build.is_some() && !matches!(options.project, ProjectPath::Lockfile(_));
    let cache = apply::cache_dir();
    let mut more = |id: &str| -> Result<infer::InferredAdvisory, String> {
        if advisories.is_none() {
            let loaded = db
                .load(uncovered.iter().map(String::as_str))
                .map_err(|e| e.to_string())?;
            advisories = Some(loaded);
        }
        let advisory = advisories
            .iter()
            .flatten()
            .find(|a| a.metadata.id.as_str() == id)
            .ok_or_else(|| format!("{id} is not in the database"))?;
        // A changed advisory, or another secgate (another diff), infers anew.
        let key = hash::fnv1a(&format!(
            "{}{:?}{:?}",
            env!("CARGO_PKG_VERSION"),
            advisory.versions.patched(),
            advisory.versions.unaffected()
        ));
        if let Some(entry) = apply::cached(&cache, id, &key) {
            return Ok(entry);
        }
        if !analysing {
            return Err("not inferred: nothing is built to analyse".into());
        }
        if options.offline {
            return Err(format!(
                "the advisory is not in the {}, and --offline forbids downloading its releases",
                sets.origin
            ));
        }
        options
            .progress
            .step(&format!("inferring the functions of {id} from its fix"));
        let (entry, complete) = infer::infer_advisory(advisory);
        if complete {
            apply::store(&cache, id, &key, &entry);
        }
        Ok(entry)
    };
    let not_covered = apply::apply(findings, &sets, &mut more);
    Ok((analysing && !not_covered.is_empty()).then(|| {
        format!(
            "no functions inferred for {} not in the {} (--offline forbids downloading their releases): {}",
            if not_covered.len() == 1 {
                "1 advisory".to_string()
            } else {
                format!("{} advisories", not_covered.len())
            },
            sets.origin,
            not_covered.join(", ")
        )
    }))
}

/// Runs every finding source over the project and returns the evaluated report.
pub fn scan(options: &ScanOptions) -> Result<Report, Error> {
    // Without a Cargo.lock, the scan runs on a temporary copy with one resolved by secgate.
    let (project, resolved) = match LockedProject::locate(&options.project) {
        Err(Error::NoLockfile { workspace_root }) => {
            let (project, resolved) = resolved::resolve(&workspace_root, options.offline)?;
            (project, Some(resolved))
        }
        located => (located?, None),
    };
    // The policy is the user's file, named by its own path (the copy has the same one).
    let policy_root = resolved
        .as_ref()
        .map_or(&project.root, |resolved| &resolved.workspace_root);
    let policy = policy::load_for_workspace(policy_root, options.policy.as_deref())?;
    // Expired ignores become findings of the report; unknown ids stop the scan.
    let checked = check_policy(&policy, options.today);
    if !checked.errors.is_empty() {
        return Err(Error::Policy(checked.errors));
    }
    let db = AdvisoryDatabase::open(&options.database)?;
    let bare_lockfile = matches!(options.project, ProjectPath::Lockfile(_));
    let target = target::choose(
        options.target.as_deref(),
        options.build.is_some() && !bare_lockfile,
    )?;
    // cargo-deny reads only the manifest and the lockfile: it runs while secgate builds.
    let supply_chain = (!bare_lockfile)
        .then(|| supply_chain::start(&project.root, &deny_request(&policy, options.offline)));
    let mut findings = advisories::find(&db, &project, &target)?;
    let mut warnings = db.warnings.clone();
    warnings.extend(infer_functions(&mut findings, &db, options)?);
    let baseline = match &options.new_since {
        Some(revision) => Some(baseline::Baseline::at_revision(
            &project, revision, &db, &target,
        )?),
        None => None,
    };
    let build = match &options.build {
        _ if bare_lockfile => {
            BuildOutcome::NotRun("a bare lockfile has no program to build".into())
        }
        None => BuildOutcome::NotRun("--no-build".into()),
        Some(requested) => {
            let mut requested = requested.clone();
            if let Some(resolved) = &resolved {
                requested.target_dir = resolved.build_target_dir.clone();
            }
            build::run(
                &project.root.join("Cargo.toml"),
                &project.root,
                &requested,
                &target,
                lints::clippy::warn_flags(),
                &options.progress,
            )?
        }
    };
    let analysed = reachability::analyse(
        &build,
        &project.root,
        &mut findings,
        options.traces,
        &options.progress,
    );
    let (lint_info, unsafe_code) = if bare_lockfile {
        (LintInfo::not_run("a bare lockfile has no code"), Vec::new())
    } else {
        options.progress.step("linting the workspace sources");
        let mut layer =
            lints::run_layer(&project.root, &build, analysed.reached_functions.as_ref())?;
        let left_out = lints::leave_out_groups(&mut layer.findings, &policy.lints.groups);
        if let Some(note) = left_out_note(&left_out) {
            layer.info.clippy.push_str(&format!("; {note}"));
            warnings.push(note);
        }
        findings.extend(layer.findings);
        findings.extend(
            policy.unsafe_findings(&layer.unsafe_code, &layer.members, &|package| {
                project.package_location(&package.name, &package.version)
            }),
        );
        if let Some(baseline) = &baseline {
            findings.extend(baseline.new_unsafe(&layer.member_sites, &project.root));
        }
        (layer.info, layer.unsafe_code)
    };
    let supply_chain_status = match supply_chain {
        Some(pending) => {
            let checked = pending.finish(&project);
            findings.extend(checked.findings);
            checked.status
        }
        None => "not run: a bare lockfile has no manifest for cargo-deny".to_string(),
    };
    options.progress.finish();
    policy.apply(&mut findings, options.today);
    if let Some(baseline) = &baseline {
        let crates = build.built().map_or(&[][..], |b| &b.crate_sources[..]);
        baseline.apply(&mut findings, crates, &project.root);
    }
    report::sort_findings(&mut findings);
    Ok(Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Tool::this(),
        project: project.project.clone(),
        lockfile: LockfileInfo {
            path: resolved.as_ref().map_or_else(
                || project.lockfile_display(),
                resolved::Resolved::lockfile_label,
            ),
            packages: project.lockfile.packages.len(),
        },
        database: db.info,
        target,
        analysis: Analysis {
            advisories: "lockfile".to_string(),
            reachability: analysed.info,
            lints: lint_info,
            supply_chain: supply_chain_status,
        },
        unsafe_code,
        policy: policy.source.clone(),
        warnings: resolved
            .iter()
            .map(resolved::Resolved::warning)
            .chain(warnings)
            .collect(),
        summary: Summary::of(&findings),
        findings,
    })
}

/// What the report says about hygiene lint findings the policy left out, if any.
fn left_out_note(left_out: &std::collections::BTreeMap<String, usize>) -> Option<String> {
    let total: usize = left_out.values().sum();
    if total == 0 {
        return None;
    }
    let mut by_id: Vec<(&String, &usize)> = left_out.iter().collect();
    by_id.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let listed: Vec<String> = by_id
        .iter()
        .take(3)
        .map(|(id, n)| format!("{id} {n}"))
        .collect();
    let more = if by_id.len() > 3 { ", …" } else { "" };
    Some(format!(
        "{total} hygiene lint finding{} left out by the policy ({}{more}); \
         `[lints] groups = [\"hygiene\"]` in secgate.toml or `--policy strict` shows them",
        if total == 1 { "" } else { "s" },
        listed.join(", ")
    ))
}
