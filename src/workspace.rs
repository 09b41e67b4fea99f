//! Finding the project to scan: its workspace root and its Cargo.lock, read once.
//!
//! This module owns where a package sits in the lockfile ([`LockedProject::package_location`])
//! and how the lockfile is named; every finding source asks it rather than searching the text.

use crate::error::Error;
use crate::finding::{Location, Package};
use crate::location::cwd_relative;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What the user pointed secgate at.
#[derive(Clone, Debug)]
pub enum ProjectPath {
    /// A directory inside a cargo workspace (the workspace root is found from it).
    Dir(PathBuf),
    /// A `Cargo.toml` given with `--manifest-path`.
    Manifest(PathBuf),
    /// A bare `Cargo.lock`, scanned without a workspace (advisories only).
    Lockfile(PathBuf),
}

/// A Cargo.lock, as text and parsed.
#[derive(Debug)]
pub struct LockedProject {
    /// The workspace root, or the lockfile's directory for a bare lockfile.
    pub root: PathBuf,
    pub lockfile_path: PathBuf,
    /// The lockfile's text.
    pub text: String,
    pub lockfile: rustsec::Lockfile,
    /// The workspace's root package, or its first member for a virtual workspace.
    pub project: Option<Package>,
    /// Where each package's entry starts: (name, version) → the line of its `name = ` key.
    lines: HashMap<(String, String), u32>,
}

/// The longest crate name accepted (crates.io's limit).
const MAX_NAME_LENGTH: usize = 64;

impl LockedProject {
    /// Finds the workspace root for `path` and reads its Cargo.lock.
    pub fn locate(path: &ProjectPath) -> Result<LockedProject, Error> {
        let (lockfile_path, project) = match path {
            ProjectPath::Lockfile(lockfile) => (lockfile.clone(), None),
            ProjectPath::Dir(dir) => {
                let (root, project) = workspace_root(&nearest_manifest(dir)?)?;
                (root.join("Cargo.lock"), project)
            }
            ProjectPath::Manifest(manifest) => {
                let (root, project) = workspace_root(manifest)?;
                (root.join("Cargo.lock"), project)
            }
        };
        let root = lockfile_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let text = match std::fs::read_to_string(&lockfile_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(match path {
                    ProjectPath::Lockfile(_) => Error::NotFound {
                        path: lockfile_path,
                    },
                    _ => Error::NoLockfile {
                        workspace_root: root,
                    },
                });
            }
            Err(e) => return Err(Error::io(lockfile_path, e)),
        };
        let bare = matches!(path, ProjectPath::Lockfile(_));
        let locked = LockedProject::parse(root, lockfile_path, text, project)?;
        // Cargo writes every workspace member into the lockfile, so a lockfile without packages
        // is truncated or not a lockfile at all, never "a project without dependencies". Only a
        // workspace without members could have none, and cargo refuses those.
        if locked.lockfile.packages.is_empty() && (bare || locked.project.is_some()) {
            return Err(Error::Lockfile {
                path: locked.lockfile_path,
                message: "it lists no packages, not even the project's own; \
                          regenerate it with `cargo generate-lockfile`"
                    .into(),
            });
        }
        Ok(locked)
    }

    /// Parses a lockfile's text, checks every package name, and indexes where each entry is.
    pub fn parse(
        root: PathBuf,
        lockfile_path: PathBuf,
        text: String,
        project: Option<Package>,
    ) -> Result<LockedProject, Error> {
        let lockfile = rustsec::Lockfile::from_str(&text).map_err(|e| Error::Lockfile {
            path: lockfile_path.clone(),
            message: e.to_string(),
        })?;
        let lines = index_entries(&text);
        // Names reach the file system (the advisory database keeps a directory per crate): one
        // that is not a crate name is refused here, before anything uses it.
        for package in &lockfile.packages {
            let name = package.name.as_str();
            if let Err(why) = check_crate_name(name) {
                let line = lines
                    .get(&(name.to_string(), package.version.to_string()))
                    .copied();
                return Err(Error::LockfileEntry {
                    path: lockfile_path,
                    line,
                    message: format!("invalid crate name {name:?} in Cargo.lock: {why}"),
                });
            }
        }
        Ok(LockedProject {
            root,
            lockfile_path,
            text,
            lockfile,
            project,
            lines,
        })
    }

    /// The 1-based line of `name = "…"` in the entry for this package and version.
    pub fn package_line(&self, name: &str, version: &str) -> Option<u32> {
        self.lines
            .get(&(name.to_string(), version.to_string()))
            .copied()
    }

    /// Where a package sits in the lockfile, for every finding about it: the lockfile's name
    /// relative to the project root, the line of the entry's `name = ` key and column 1; line 1
    /// when this lockfile has no such entry.
    pub fn package_location(&self, name: &str, version: &str) -> Location {
        Location {
            file: self.lockfile_name(),
            line: self.package_line(name, version).unwrap_or(1),
            column: Some(1),
        }
    }

    /// The lockfile as locations name it: relative to the project root, which is its directory.
    pub fn lockfile_name(&self) -> String {
        self.lockfile_path
            .file_name()
            .map_or_else(|| "Cargo.lock".into(), |n| n.to_string_lossy().into_owned())
    }

    /// The lockfile as the report and messages name it (see [`cwd_relative`]).
    pub fn lockfile_display(&self) -> String {
        cwd_relative(&self.lockfile_path)
    }
}

/// The placeholder location of a finding about the workspace as a whole: its manifest, line 1.
pub fn manifest_location() -> Location {
    Location {
        file: "Cargo.toml".to_string(),
        line: 1,
        column: None,
    }
}

/// Checks a package name as cargo does (ASCII letters, digits, `-` and `_`, starting with a
/// letter or `_`) with crates.io's length limit, so that no name can be a path.
pub fn check_crate_name(name: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("it is empty".into());
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err("a crate name starts with an ASCII letter or `_`".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "{bad:?} is not allowed: a crate name has only ASCII letters, digits, `-` and `_`"
        ));
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!("longer than {MAX_NAME_LENGTH} characters"));
    }
    Ok(())
}

/// One pass over the lockfile's text: (name, version) → the line of each `[[package]]` entry's
/// `name = ` key. Written by hand because the TOML parsers keep no line numbers for entries of
/// an array of tables; cargo writes one key per line, which is all this reads.
fn index_entries(text: &str) -> HashMap<(String, String), u32> {
    let mut lines = HashMap::new();
    let mut in_package = false;
    let mut name: Option<(String, u32)> = None;
    let mut version: Option<String> = None;
    let mut finish = |name: &mut Option<(String, u32)>, version: &mut Option<String>| {
        if let (Some((name, at)), Some(version)) = (name.take(), version.take()) {
            lines.entry((name, version)).or_insert(at);
        }
    };
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            finish(&mut name, &mut version);
            in_package = line == "[[package]]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "name" => name = Some((value, u32::try_from(index + 1).unwrap_or(u32::MAX))),
            "version" => version = Some(value),
            _ => {}
        }
    }
    finish(&mut name, &mut version);
    lines
}

/// The `Cargo.toml` in `dir` or its nearest ancestor, as cargo itself looks for it.
fn nearest_manifest(dir: &Path) -> Result<PathBuf, Error> {
    if !dir.exists() {
        return Err(Error::NotFound {
            path: dir.to_path_buf(),
        });
    }
    dir.ancestors()
        .map(|ancestor| ancestor.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
        .ok_or_else(|| Error::NoManifest {
            dir: dir.to_path_buf(),
        })
}

/// Asks cargo for the workspace root that owns `manifest`, and the workspace's main package.
fn workspace_root(manifest: &Path) -> Result<(PathBuf, Option<Package>), Error> {
    if !manifest.exists() {
        return Err(Error::NotFound {
            path: manifest.to_path_buf(),
        });
    }
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .no_deps()
        .other_options(vec!["--offline".to_string()])
        .exec()
        .map_err(|e| Error::Workspace {
            manifest: manifest.to_path_buf(),
            message: e.to_string(),
        })?;
    let project = metadata
        .root_package()
        .or_else(|| metadata.workspace_packages().into_iter().next())
        .map(|p| Package {
            name: p.name.to_string(),
            version: p.version.to_string(),
        });
    Ok((metadata.workspace_root.into_std_path_buf(), project))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"0.2.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    fn locked(text: &str) -> Result<LockedProject, Error> {
        LockedProject::parse(
            PathBuf::new(),
            PathBuf::from("dir/other.lock"),
            text.to_string(),
            None,
        )
    }

    #[test]
    fn package_line_points_at_the_name_line() {
        let project = locked(LOCK).unwrap();
        assert_eq!(project.package_line("a", "1.0.0"), Some(4));
        assert_eq!(project.package_line("b", "0.2.0"), Some(8));
        assert_eq!(project.package_line("b", "0.3.0"), None);
    }

    #[test]
    fn package_location_is_one_rule_with_one_fallback() {
        let project = locked(LOCK).unwrap();
        let at = |line| Location {
            file: "other.lock".into(),
            line,
            column: Some(1),
        };
        assert_eq!(project.package_location("b", "0.2.0"), at(8));
        assert_eq!(project.package_location("b", "9.9.9"), at(1));
    }

    #[test]
    fn the_index_reads_entries_whatever_their_key_order() {
        let text = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[metadata]\nname = \"x\"\nversion = \"1\"\n\n[[package]]\n\nname = \"c\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nversion = \"2.0.0\"\n";
        let index = index_entries(text);
        assert_eq!(index.len(), 2, "{index:?}");
        assert_eq!(index[&("c".to_string(), "2.0.0".to_string())], 13);
    }

    #[test]
    fn names_that_are_not_crate_names_are_refused_with_their_line() {
        for (name, ok) in [
            ("serde", true),
            ("_private", true),
            ("tokio-util_x9", true),
            ("/etc", false),
            ("../../x", false),
            ("a/b", false),
            ("1up", false),
            ("-x", false),
            ("", false),
            ("caf\u{e9}", false),
        ] {
            assert_eq!(check_crate_name(name).is_ok(), ok, "{name:?}");
        }
        assert!(check_crate_name(&"a".repeat(64)).is_ok());
        assert!(check_crate_name(&"a".repeat(65)).is_err());
        let bad = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"../../x\"\nversion = \"1.0.0\"\n";
        let err = locked(bad).unwrap_err().to_string();
        assert!(
            err.starts_with("dir/other.lock:8: invalid crate name \"../../x\""),
            "{err}"
        );
    }
}
