//! `--new-since REF`: a pull request gates on what it changes. Findings already present at a git
//! revision are not new: a `fail` on them becomes `warn`, so an advisory published today against
//! an untouched dependency does not block an unrelated pull request. A scheduled scan without
//! `--new-since` still reports everything.
//!
//! - Advisories: the revision's Cargo.lock is matched against the same database; a finding whose
//!   (advisory, package) matched there is not new — unless it is reachable now and every call
//!   trace to it goes through a line the change added or modified: the change may be what made
//!   the vulnerable code reachable (an unreachable advisory becomes a live one), so it is new. A
//!   trace that avoids the change says the path was there before. (Deciding it exactly would
//!   need a second build and analysis of the revision.)
//! - Lint findings: new when they sit on a line the change added or modified (`git diff REF`,
//!   working tree included, untracked files wholly new), the way code review tools show only the
//!   lines of a diff. Running the lints on the revision's sources would need a second build of it
//!   for clippy; the changed lines answer the same question for a finding that points at a line.
//! - cargo-deny's findings: a crate the revision's Cargo.lock already locked at the same version
//!   is not new; a finding on a manifest line (a wildcard requirement) goes by the changed lines.
//! - Unsafe code: every `unsafe` block or `unsafe fn` of a workspace crate on a changed line is
//!   reported as new unsafe code (SG-UNSAFE-003).

use crate::advisories::{self, AdvisoryDatabase};
use crate::build::CrateSources;
use crate::error::Error;
use crate::finding::Package;
use crate::finding::Verdict;
use crate::finding::{Confidence, Finding, Kind, Location, Reachability, Severity};
use crate::ids::{BuiltinId, DENY_PREFIX, Subject};
use crate::lints::unsafe_code::UnsafeSite;
use crate::report::Target;
use crate::workspace::LockedProject;
use std::collections::{HashMap, HashSet};

use std::path::{Path, PathBuf};
use std::process::Command;

/// What was already there at the revision.
#[derive(Debug, Default)]
pub struct Baseline {
    revision: String,
    /// (finding id, package name) of advisories that matched the revision's lockfile.
    advisories: HashSet<(String, String)>,
    /// (name, version) of the packages locked both at the revision and now, from the same
    /// source: a crate swapped to a git fork at the same version is new.
    unchanged_packages: HashSet<(String, String)>,
    /// What the change touched in the workspace's files.
    changes: ChangedLines,
}

/// The lines added or modified since the revision, by path relative to the workspace root.
#[derive(Debug, Default, PartialEq)]
pub struct ChangedLines {
    files: HashMap<String, FileChange>,
}

#[derive(Debug, PartialEq)]
enum FileChange {
    /// Not in the revision at all (added, or untracked).
    Whole,
    /// These ranges of the current file (first line, count).
    Lines(Vec<(u32, u32)>),
}

impl ChangedLines {
    /// Whether `line` of `file` (relative to the workspace root) was added or modified.
    pub fn contains(&self, file: &str, line: u32) -> bool {
        match self.files.get(file) {
            None => false,
            Some(FileChange::Whole) => true,
            Some(FileChange::Lines(ranges)) => ranges
                .iter()
                .any(|&(first, count)| line >= first && line < first + count),
        }
    }

    /// Whether the change touched `file` (relative to the workspace root) at all, removed lines
    /// included.
    pub fn touches(&self, file: &str) -> bool {
        self.files.contains_key(file)
    }

    /// Reads `git diff --unified=0` output: `+++ b/<file>` names the file, each hunk header
    /// `@@ -a,b +c,d @@` the added lines `c .. c+d` (`d` defaults to 1). A file whose old side is
    /// `/dev/null` is new as a whole.
    fn from_diff(diff: &str) -> ChangedLines {
        let mut changes = ChangedLines::default();
        let mut old_missing = false;
        let mut current: Option<String> = None;
        // `---`/`+++` are file headers only between `diff --git` and the first hunk: inside a
        // hunk they are removed or added lines that happen to start with `--`/`++`.
        let mut in_header = false;
        for line in diff.lines() {
            if line.starts_with("diff --git ") {
                in_header = true;
                current = None;
            } else if let (true, Some(old)) = (in_header, line.strip_prefix("--- ")) {
                old_missing = old == "/dev/null";
            } else if let (true, Some(new)) = (in_header, line.strip_prefix("+++ ")) {
                // git ends a name that holds a space with a tab.
                current = new
                    .trim_end_matches('\t')
                    .strip_prefix("b/")
                    .map(str::to_string);
                if let (Some(file), true) = (&current, old_missing) {
                    changes.files.insert(file.clone(), FileChange::Whole);
                }
            } else if let (Some(file), Some(hunk)) = (&current, line.strip_prefix("@@ ")) {
                in_header = false;
                let Some(added) = hunk.split(' ').find_map(|part| part.strip_prefix('+')) else {
                    continue;
                };
                let (first, count) = match added.split_once(',') {
                    Some((first, count)) => (first.parse().ok(), count.parse().ok()),
                    None => (added.parse().ok(), Some(1)),
                };
                let (Some(first), Some(count)) = (first, count) else {
                    continue;
                };
                // A hunk that only removes lines adds none, but the file was still touched.
                if let FileChange::Lines(ranges) = changes
                    .files
                    .entry(file.clone())
                    .or_insert_with(|| FileChange::Lines(Vec::new()))
                    && count > 0
                {
                    ranges.push((first, count));
                }
            }
        }
        changes
    }
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
        // Reading the lockfile first checks that the revision exists, with a clear error.
        let old_text = file_at_revision(&project.root, &project.lockfile_path, revision)?;
        let mut baseline = Baseline {
            revision: revision.to_string(),
            changes: changed_lines(&project.root, revision)?,
            ..Baseline::default()
        };
        let Some(text) = old_text else {
            return Ok(baseline);
        };
        // Parsed and checked as the current lockfile is: its names reach the database too.
        let old = LockedProject::parse(
            project.root.clone(),
            PathBuf::from(format!("{revision}:Cargo.lock")),
            text,
            None,
        )?;
        let locked = |lockfile: &rustsec::Lockfile| -> HashSet<String> {
            lockfile
                .packages
                .iter()
                .map(|p| format!("{} {} {:?}", p.name, p.version, p.source))
                .collect()
        };
        let now = locked(&project.lockfile);
        baseline.unchanged_packages = old
            .lockfile
            .packages
            .iter()
            .filter(|p| now.contains(&format!("{} {} {:?}", p.name, p.version, p.source)))
            .map(|p| (p.name.as_str().to_string(), p.version.to_string()))
            .collect();
        for finding in advisories::find(db, &old, target)? {
            if let Some(package) = finding.package {
                baseline.advisories.insert((finding.id, package.name));
            }
        }
        Ok(baseline)
    }

    /// Whether the finding was already present at the revision. `members` are the build's
    /// crates with their sources (empty without a build), under the workspace `root`.
    pub fn contains(&self, finding: &Finding, members: &[CrateSources], root: &Path) -> bool {
        let on_unchanged_line = || {
            finding
                .locations
                .first()
                .is_some_and(|l| !self.changes.contains(&l.file, l.line))
        };
        match finding.subject() {
            // A problem of this run, or the policy's own notes: never inherited from the revision.
            Subject::RunProblem { .. } | Subject::Policy => false,
            Subject::Code => on_unchanged_line(),
            Subject::CrateProperty => finding
                .package
                .as_ref()
                .is_some_and(|p| self.crate_unchanged(p, members, root)),
            // cargo-deny's findings: a manifest line (a wildcard) by the diff; a crate by whether
            // the revision locked the same version from the same source. A wildcard that could
            // only be placed at a member's lockfile entry is about a manifest line secgate did
            // not find, so it stays new.
            Subject::Package if finding.kind == Kind::SupplyChain => {
                // A finding about no crate (placed at the manifest's line 1) stays new.
                match (&finding.package, finding.locations.first()) {
                    (None, _) => false,
                    (_, Some(location)) if location.file != "Cargo.lock" => on_unchanged_line(),
                    _ if finding.id.strip_prefix(DENY_PREFIX) == Some("wildcard") => false,
                    (Some(p), _) => self
                        .unchanged_packages
                        .contains(&(p.name.clone(), p.version.clone())),
                }
            }
            Subject::Package => {
                self.advisory_matched(finding) && self.reached_through_change(finding).is_none()
            }
        }
    }

    /// Whether the finding's advisory matched the same package in the revision's lockfile.
    fn advisory_matched(&self, finding: &Finding) -> bool {
        finding.package.as_ref().is_some_and(|p| {
            self.advisories
                .contains(&(finding.id.clone(), p.name.clone()))
        })
    }

    /// For a reachable finding whose every call trace passes through a line the change added or
    /// modified: the first such line of its first trace. The change may be what made it
    /// reachable.
    fn reached_through_change<'f>(&self, finding: &'f Finding) -> Option<&'f Location> {
        if finding.reachability != Reachability::Reachable || finding.traces.is_empty() {
            return None;
        }
        let changed_line = |trace: &'f crate::finding::Trace| {
            trace
                .frames
                .iter()
                .filter_map(|frame| frame.location.as_ref())
                .find(|l| self.changes.contains(&l.file, l.line))
        };
        let mut lines = finding.traces.iter().map(changed_line);
        let first = lines.next()??;
        lines.all(|line| line.is_some()).then_some(first)
    }

    /// Whether a crate is as it was at the revision: a workspace member none of whose source
    /// files the change touched, or a dependency locked at the same version from the same source.
    fn crate_unchanged(&self, package: &Package, members: &[CrateSources], root: &Path) -> bool {
        match members
            .iter()
            .find(|c| c.workspace_member && c.package == *package)
        {
            Some(member) => !member.files.iter().any(|file| {
                crate::location::workspace_relative(file, root)
                    .is_none_or(|relative| self.changes.touches(&relative))
            }),
            None => {
                !members.is_empty()
                    && self
                        .unchanged_packages
                        .contains(&(package.name.clone(), package.version.clone()))
            }
        }
    }

    /// SG-UNSAFE-003 for each unsafe block or `unsafe fn` of the workspace's crates on a line the
    /// change added or modified. `sites` name files as the build did; `root` is the workspace's.
    pub fn new_unsafe(&self, sites: &[UnsafeSite], root: &Path) -> Vec<Finding> {
        sites
            .iter()
            .filter_map(|site| {
                let file = crate::location::workspace_relative(&site.file, root)?;
                self.changes.contains(&file, site.line).then(|| Finding {
                    cwe: vec!["CWE-119".to_string()],
                    description: format!(
                        "This change adds unsafe code at {file}:{} (not present at {}). Unsafe \
                         code is where memory-safety bugs live; review it and document the \
                         invariant it relies on.",
                        site.line, self.revision
                    ),
                    reachability_reason: "unsafe accounting counts code, it does not trace it"
                        .to_string(),
                    locations: vec![Location {
                        file: file.clone(),
                        line: site.line,
                        column: None,
                    }],
                    confidence: Some(Confidence::High),
                    fix: Some(
                        "Use a safe alternative, or add a // SAFETY: comment and get the unsafe \
                         code reviewed."
                            .to_string(),
                    ),
                    severity: Severity::Low,
                    ..Finding::new(
                        BuiltinId::NewUnsafe.as_str(),
                        Kind::Unsafe,
                        format!("new unsafe code since {}", self.revision),
                    )
                })
            })
            .collect()
    }

    /// Turns `fail` into `warn` for findings that are not new.
    pub fn apply(&self, findings: &mut [Finding], members: &[CrateSources], root: &Path) {
        for finding in findings {
            if finding.verdict != Verdict::Fail {
                continue;
            }
            if self.contains(finding, members, root) {
                finding.verdict = Verdict::Warn;
                finding.verdict_rule = format!(
                    "{} (already present at {}, so not new in this change)",
                    finding.verdict_rule, self.revision
                );
            } else if let Some(line) = self
                .reached_through_change(finding)
                .filter(|_| self.advisory_matched(finding))
            {
                finding.verdict_rule = format!(
                    "{} (the advisory matched at {} too, but every trace to it now goes through                      lines this change added or modified, first {}:{}: the change may have made                      it reachable)",
                    finding.verdict_rule, self.revision, line.file, line.line
                );
            }
        }
    }
}

/// The lines of the workspace changed since `revision`: `git diff` against the working tree,
/// paths relative to the workspace root, plus untracked files (wholly new).
fn changed_lines(root: &Path, revision: &str) -> Result<ChangedLines, Error> {
    let git = |args: &[&str]| -> Result<Option<String>, Error> {
        let output = Command::new("git")
            .current_dir(root)
            .args(["-c", "core.quotePath=false"])
            .args(args)
            .output()
            .map_err(|e| Error::io("git", e))?;
        Ok(output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned()))
    };
    let Some(diff) = git(&[
        "diff",
        "--no-color",
        // A moved file is a new file here: its findings were not at those paths before.
        "--no-renames",
        "--no-ext-diff",
        "--unified=0",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        revision,
        "--",
    ])?
    else {
        return Err(Error::Workspace {
            manifest: root.to_path_buf(),
            message: format!("--new-since {revision}: git diff against it failed"),
        });
    };
    let mut changes = ChangedLines::from_diff(&diff);
    let untracked = git(&["ls-files", "--others", "--exclude-standard"])?.unwrap_or_default();
    for file in untracked.lines().filter(|l| !l.is_empty()) {
        changes.files.insert(file.to_string(), FileChange::Whole);
    }
    Ok(changes)
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

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/src/main.rs b/src/main.rs
index 1..2 100644
--- a/src/main.rs
+++ b/src/main.rs
@@ -3,0 +4,2 @@ fn main() {
+    let a = 1;
+    let b = 2;
@@ -10 +12 @@ fn other() {
-    old
+    new
@@ -20,3 +22,0 @@
-gone
diff --git a/src/new.rs b/src/new.rs
new file mode 100644
--- /dev/null
+++ b/src/new.rs
@@ -0,0 +1,3 @@
+fn f() {}
diff --git a/src/space name.rs b/src/space name.rs
--- a/src/space name.rs	
+++ b/src/space name.rs	
@@ -1 +1,2 @@
-old
+++ added line that looks like a header
+second
@@ -10 +11 @@
-x
+y
";

    #[test]
    fn changed_lines_come_from_the_hunk_headers() {
        let changes = ChangedLines::from_diff(DIFF);
        let main: Vec<u32> = (1..30)
            .filter(|&l| changes.contains("src/main.rs", l))
            .collect();
        assert_eq!(main, vec![4, 5, 12]);
        assert!(
            changes.contains("src/new.rs", 100),
            "a new file is new as a whole"
        );
        assert!(!changes.contains("src/untouched.rs", 1));
        // A name with a space (git adds a tab), and an added line starting with `++`.
        assert!(changes.contains("src/space name.rs", 2));
        assert!(
            changes.contains("src/space name.rs", 11),
            "the hunk after the `++` line is kept"
        );
    }

    #[test]
    fn a_removal_touches_a_file_without_adding_lines() {
        let diff = "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n\
                    @@ -1 +0,0 @@\n-#![forbid(unsafe_code)]\n";
        let changes = ChangedLines::from_diff(diff);
        assert!(changes.touches("src/lib.rs"));
        assert!(!changes.contains("src/lib.rs", 1));
        assert!(!changes.touches("src/main.rs"));
    }

    #[test]
    fn a_crate_property_is_new_only_where_the_change_touched_the_crate() {
        let root = Path::new("/w");
        let member = |name: &str, file: &str| CrateSources {
            package: Package {
                name: name.into(),
                version: "0.1.0".into(),
            },
            workspace_member: true,
            files: vec![root.join(file)],
        };
        let members = [
            member("app", "src/main.rs"),
            member("core", "core/src/lib.rs"),
        ];
        let baseline = Baseline {
            revision: "main".into(),
            changes: ChangedLines::from_diff(
                "diff --git a/core/src/lib.rs b/core/src/lib.rs\n--- a/core/src/lib.rs\n\
                 +++ b/core/src/lib.rs\n@@ -1 +0,0 @@\n-#![forbid(unsafe_code)]\n",
            ),
            unchanged_packages: [("dep".to_string(), "1.0.0".to_string())].into(),
            ..Baseline::default()
        };
        let forbid = |name: &str, version: &str| Finding {
            package: Some(Package {
                name: name.into(),
                version: version.into(),
            }),
            ..Finding::new("SG-UNSAFE-001", Kind::Unsafe, "no forbid")
        };
        assert!(baseline.contains(&forbid("app", "0.1.0"), &members, root));
        assert!(
            !baseline.contains(&forbid("core", "0.1.0"), &members, root),
            "the change removed core's forbid attribute"
        );
        assert!(baseline.contains(&forbid("dep", "1.0.0"), &members, root));
        assert!(!baseline.contains(&forbid("dep", "2.0.0"), &members, root));
        let clippy_missing = Finding::new("SG-CLIPPY-000", Kind::Lint, "no clippy");
        assert!(!baseline.contains(&clippy_missing, &members, root));
    }
}
