//! secgate: does this Rust project ship a security problem that matters?
//!
//! The library builds one complete [`Report`] from the finding sources (advisories today;
//! reachability and lints as they land), applies the [`Policy`], and leaves rendering to
//! [`render`]. Nothing in the library prints or exits; the binary does that once, at the edge.

#![forbid(unsafe_code)]

pub mod advisories;
pub mod error;
pub mod finding;
pub mod output;
pub mod policy;
pub mod render;
pub mod report;
pub mod workspace;

pub use error::Error;
pub use finding::Finding;
pub use policy::{Policy, Verdict};
pub use report::Report;

use advisories::{AdvisoryDatabase, DatabaseSource};
use report::{Analysis, LockfileInfo, Summary, Target, Tool};
use workspace::{LockedProject, ProjectPath};

/// Everything a scan needs to know, already validated.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub project: ProjectPath,
    pub database: DatabaseSource,
    pub target: Target,
    pub policy: Policy,
}

/// Runs every finding source over the project and returns the evaluated report.
pub fn scan(options: &ScanOptions) -> Result<Report, Error> {
    let project = LockedProject::locate(&options.project)?;
    let db = AdvisoryDatabase::open(&options.database)?;
    let mut findings = advisories::find(&db, &project, &options.target)?;
    options.policy.apply(&mut findings);
    report::sort_findings(&mut findings);
    Ok(Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Tool::this(),
        lockfile: LockfileInfo {
            path: project.lockfile_path.display().to_string(),
            packages: project.lockfile.packages.len(),
        },
        database: db.info,
        target: options.target.clone(),
        analysis: Analysis {
            advisories: "lockfile".to_string(),
            reachability: "not run".to_string(),
        },
        warnings: db.warnings,
        summary: Summary::of(&findings),
        findings,
    })
}
