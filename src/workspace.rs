//! Finding the project to scan: its workspace root and its Cargo.lock, read once.

use crate::error::Error;
use crate::finding::Package;
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
    /// The lockfile's text, kept to point findings at their package's entry.
    pub text: String,
    pub lockfile: rustsec::Lockfile,
    /// The workspace's root package, or its first member for a virtual workspace.
    pub project: Option<Package>,
}

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
        let lockfile = rustsec::Lockfile::from_str(&text).map_err(|e| Error::Lockfile {
            path: lockfile_path.clone(),
            message: e.to_string(),
        })?;
        Ok(LockedProject {
            root,
            lockfile_path,
            text,
            lockfile,
            project,
        })
    }

    /// The 1-based line of `name = "…"` in the entry for this package and version.
    pub fn package_line(&self, name: &str, version: &str) -> Option<u32> {
        let needle = format!("name = \"{name}\"\nversion = \"{version}\"");
        let offset = self.text.find(&needle)?;
        let line = self.text[..offset].bytes().filter(|&b| b == b'\n').count() + 1;
        u32::try_from(line).ok()
    }
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

    #[test]
    fn package_line_points_at_the_name_line() {
        let project = LockedProject {
            root: PathBuf::new(),
            lockfile_path: PathBuf::from("Cargo.lock"),
            text: LOCK.to_string(),
            lockfile: rustsec::Lockfile::from_str(LOCK).unwrap(),
            project: None,
        };
        assert_eq!(project.package_line("a", "1.0.0"), Some(4));
        assert_eq!(project.package_line("b", "0.2.0"), Some(8));
        assert_eq!(project.package_line("b", "0.3.0"), None);
    }
}
