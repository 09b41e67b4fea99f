//! `--new-since REF`: a pull request gates on what it changes. Findings already present at a git
//! revision (its Cargo.lock, matched against the same database) are not new: a `fail` on them
//! becomes `warn`, so an advisory published today against an untouched dependency does not block
//! an unrelated pull request. A scheduled scan without `--new-since` still reports everything.

use crate::advisories::{self, AdvisoryDatabase};
use crate::error::Error;
use crate::finding::Finding;
use crate::policy::Verdict;
use crate::report::Target;
use crate::workspace::LockedProject;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

/// What was already there at the revision.
#[derive(Debug, Default)]
pub struct Baseline {
    revision: String,
    /// (finding id, package name) of advisories that matched the revision's lockfile.
    advisories: HashSet<(String, String)>,
}

impl Baseline {
    /// Reads `Cargo.lock` as it was at `revision` and matches it against the same database.
    /// A revision without a lockfile has no findings: everything is new.
    pub fn at_revision(
        project: &LockedProject,
        revision: &str,
        db: &AdvisoryDatabase,
        target: &Target,
    ) -> Result<Baseline, Error> {
        let mut baseline = Baseline {
            revision: revision.to_string(),
            ..Baseline::default()
        };
        let Some(text) = file_at_revision(&project.root, &project.lockfile_path, revision)? else {
            return Ok(baseline);
        };
        let lockfile = rustsec::Lockfile::from_str(&text).map_err(|e| Error::Lockfile {
            path: format!("{revision}:Cargo.lock").into(),
            message: e.to_string(),
        })?;
        let old = LockedProject {
            root: project.root.clone(),
            lockfile_path: project.lockfile_path.clone(),
            text,
            lockfile,
            project: None,
        };
        for finding in advisories::find(db, &old, target)? {
            if let Some(package) = finding.package {
                baseline.advisories.insert((finding.id, package.name));
            }
        }
        Ok(baseline)
    }

    /// Whether the finding was already present at the revision.
    pub fn contains(&self, finding: &Finding) -> bool {
        finding.package.as_ref().is_some_and(|p| {
            self.advisories
                .contains(&(finding.id.clone(), p.name.clone()))
        })
    }

    /// Turns `fail` into `warn` for findings that are not new.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            if finding.verdict == Verdict::Fail && self.contains(finding) {
                finding.verdict = Verdict::Warn;
                finding.verdict_rule = format!(
                    "{} (already present at {}, so not new in this change)",
                    finding.verdict_rule, self.revision
                );
            }
        }
    }
}

/// `git show REV:./FILE` from the file's directory; `None` when the file did not exist there.
fn file_at_revision(root: &Path, file: &Path, revision: &str) -> Result<Option<String>, Error> {
    let git_error = |message: String| Error::Workspace {
        manifest: root.to_path_buf(),
        message,
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Cargo.lock".into());
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(root);
    let verify = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{revision}^{{commit}}"))
        .output()
        .map_err(|e| Error::io("git", e))?;
    if !verify.status.success() {
        return Err(git_error(format!(
            "--new-since {revision}: not a git revision here"
        )));
    }
    let output = Command::new("git")
        .current_dir(dir)
        .arg("show")
        .arg(format!("{revision}:./{name}"))
        .output()
        .map_err(|e| Error::io("git", e))?;
    if output.status.success() {
        Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()))
    } else {
        Ok(None)
    }
}
