//! A workspace without a Cargo.lock (libraries often commit none): secgate resolves one in a
//! temporary copy of the workspace and scans the copy, so that the versions matched against the
//! advisories are the ones the build compiles, and the user's directory is never written to.
//!
//! The copy holds everything under the workspace root except build output (directories with
//! cargo's `CACHEDIR.TAG`) and `.git`; cargo resolves in it with `cargo generate-lockfile`
//! (`--offline` when the scan is). A path dependency outside the workspace root cannot be reached
//! from the copy: resolving then fails, and the error says to generate a Cargo.lock in place.

use crate::error::Error;
use crate::workspace::{LockedProject, ProjectPath};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The copy the scan runs on; the directory lives as long as this value.
#[derive(Debug)]
pub struct Resolved {
    /// The user's workspace root, which has no Cargo.lock.
    pub workspace_root: PathBuf,
    /// Where the build of the copy goes: the user's workspace's own target directory when the
    /// copy's would be inside the copy (deleted after the scan, so every scan would build cold).
    pub build_target_dir: Option<PathBuf>,
    _copy: tempfile::TempDir,
}

impl Resolved {
    /// What the report says instead of the lockfile's (temporary) path.
    pub fn lockfile_label(&self) -> String {
        format!(
            "Cargo.lock resolved by secgate (none in {})",
            crate::location::cwd_relative(&self.workspace_root)
        )
    }

    pub fn warning(&self) -> String {
        format!(
            "{} has no Cargo.lock: secgate resolved one (`cargo generate-lockfile` in a temporary copy of the workspace) and scanned those versions; commit a Cargo.lock to scan the versions you ship",
            crate::location::cwd_relative(&self.workspace_root)
        )
    }
}

/// Copies the workspace at `workspace_root`, resolves a Cargo.lock in the copy and reads it: the
/// project to scan, rooted in the copy.
pub fn resolve(workspace_root: &Path, offline: bool) -> Result<(LockedProject, Resolved), Error> {
    let copy = tempfile::Builder::new()
        .prefix("secgate-workspace-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let root = copy.path().join(
        workspace_root
            .file_name()
            .unwrap_or_else(|| std::ffi::OsStr::new("workspace")),
    );
    copy_tree(workspace_root, &root)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("generate-lockfile")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TERM_COLOR", "never");
    if offline {
        command.arg("--offline");
    }
    let output = command
        .output()
        .map_err(|e| Error::io("cargo (is it on PATH?)", e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let copy_dir = root.display().to_string();
        let message = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .replace(&copy_dir, &workspace_root.display().to_string());
        return Err(Error::Unresolvable {
            workspace_root: workspace_root.to_path_buf(),
            message,
        });
    }
    let build_target_dir = copy_target_dir(&root, offline)
        .and_then(|dir| dir.strip_prefix(&root).ok().map(Path::to_path_buf))
        .map(|inside| workspace_root.join(inside).join("secgate"));
    let project = LockedProject::locate(&ProjectPath::Dir(root))?;
    Ok((
        project,
        Resolved {
            workspace_root: workspace_root.to_path_buf(),
            build_target_dir,
            _copy: copy,
        },
    ))
}

/// The cargo target directory of the copy (`cargo metadata --no-deps`: nothing is resolved).
fn copy_target_dir(root: &Path, offline: bool) -> Option<PathBuf> {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.manifest_path(root.join("Cargo.toml")).no_deps();
    if offline {
        command.other_options(vec!["--offline".to_string()]);
    }
    let metadata = command.exec().ok()?;
    Some(metadata.target_directory.into_std_path_buf())
}

/// Copies a directory tree, leaving out build output and `.git`; symbolic links stay links.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| Error::io(&source, e))?;
        if kind.is_dir() {
            if entry.file_name() == ".git" || source.join("CACHEDIR.TAG").exists() {
                continue;
            }
            copy_tree(&source, &target)?;
        } else if kind.is_symlink() {
            copy_link(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| Error::io(&source, e))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_link(source: &Path, target: &Path) -> Result<(), Error> {
    let points_to = std::fs::read_link(source).map_err(|e| Error::io(source, e))?;
    std::os::unix::fs::symlink(points_to, target).map_err(|e| Error::io(target, e))
}

#[cfg(not(unix))]
fn copy_link(source: &Path, target: &Path) -> Result<(), Error> {
    if source.is_dir() {
        copy_tree(source, target)
    } else {
        std::fs::copy(source, target)
            .map(|_| ())
            .map_err(|e| Error::io(source, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_leaves_out_build_output_and_git() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("ws");
        for file in [
            "Cargo.toml",
            "src/lib.rs",
            "src/target/mod.rs",
            ".cargo/config.toml",
            "target/CACHEDIR.TAG",
            "target/debug/big",
            ".git/HEAD",
        ] {
            let path = from.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let to = dir.path().join("copy");
        copy_tree(&from, &to).unwrap();
        for kept in [
            "Cargo.toml",
            "src/lib.rs",
            "src/target/mod.rs",
            ".cargo/config.toml",
        ] {
            assert!(to.join(kept).is_file(), "{kept}");
        }
        assert!(!to.join("target").exists());
        assert!(!to.join(".git").exists());
    }
}
