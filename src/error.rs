//! The errors that stop a scan: every one of them means "secgate could not run" (exit code 2).
//!
//! Each variant names the file it is about, so the binary can print one clear line and the reader
//! knows where to look. Dependency error types stay behind `source` and never leak into the API.

use std::path::PathBuf;

/// A boxed error from a dependency, kept as the `source` of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Why secgate could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory, manifest or lockfile the user named does not exist.
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },

    /// Neither the directory nor any parent has a Cargo.toml.
    #[error(
        "{dir}: no Cargo.toml here or in any parent directory; pass --manifest-path or --lockfile"
    )]
    NoManifest { dir: PathBuf },

    /// The workspace has no Cargo.lock next to its root manifest.
    #[error(
        "no Cargo.lock in {workspace_root}; run `cargo generate-lockfile` there (or `cargo build`) and scan again"
    )]
    NoLockfile { workspace_root: PathBuf },

    /// `cargo metadata` could not describe the workspace.
    #[error("could not read the cargo workspace at {manifest}: {message}")]
    Workspace { manifest: PathBuf, message: String },

    /// Cargo.lock could not be read or parsed.
    #[error("{path}: malformed Cargo.lock: {message}")]
    Lockfile { path: PathBuf, message: String },

    /// One entry of Cargo.lock is unacceptable (a package name that is not a crate name).
    #[error("{path}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    LockfileEntry {
        path: PathBuf,
        line: Option<u32>,
        message: String,
    },

    /// No advisory database could be opened or fetched.
    #[error("no advisory database at {path}: {reason}; pass --db DIR to use a local copy")]
    NoDatabase { path: PathBuf, reason: String },

    /// One or more advisory files could not be read or parsed; the scan fails closed.
    #[error("{} advisory file(s) could not be loaded:\n{}", .0.len(), render_advisory_errors(.0))]
    Advisories(Vec<AdvisoryFileError>),

    /// The policy file has problems; all of them are listed.
    #[error("invalid policy:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Policy(Vec<PolicyProblem>),

    /// A report could not be serialised in the requested format.
    #[error("could not write the {format} report: {source}")]
    Render {
        format: &'static str,
        #[source]
        source: BoxError,
    },

    /// A command-line argument has a value secgate cannot use.
    #[error("{argument}: {message}")]
    Argument { argument: String, message: String },

    /// A saved report could not be read.
    #[error("{path}: not a secgate JSON report: {message}")]
    Report { path: PathBuf, message: String },

    /// An inferred-functions data file (`--inferred`) could not be used.
    #[error("{path}: not secgate inferred-functions data: {message}")]
    InferredData { path: PathBuf, message: String },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `--target` names no target rustc knows.
    #[error(
        "unknown target triple `{triple}`: not one of rustc's targets (`rustc --print target-list` lists them); pass --target with one of those"
    )]
    UnknownTarget { triple: String },

    /// Cargo.lock does not match the manifests: building would resolve other versions than the
    /// ones whose advisories were matched.
    #[error(
        "{path}: Cargo.lock is out of date with the workspace's manifests (cargo would rewrite it, and the advisories were matched against this file); run `cargo update -w` (or `cargo generate-lockfile`) to update it, then scan again"
    )]
    StaleLockfile { path: PathBuf },

    /// The workspace has no Cargo.lock and cargo could not resolve one in a copy of it.
    #[error(
        "no Cargo.lock in {workspace_root}, and cargo could not resolve one in a temporary copy of the workspace: {message}; run `cargo generate-lockfile` there and scan again"
    )]
    Unresolvable {
        workspace_root: PathBuf,
        message: String,
    },

    /// The Rust toolchain could not be asked what it needs to say (the host triple).
    #[error("{message}")]
    Toolchain { message: String },
}

/// One advisory file that could not be loaded.
#[derive(Debug)]
pub struct AdvisoryFileError {
    pub path: PathBuf,
    /// The 1-based line and column in the file, where the parser gave one.
    pub position: Option<(u32, u32)>,
    pub message: String,
}

fn render_advisory_errors(errors: &[AdvisoryFileError]) -> String {
    errors
        .iter()
        .map(|e| match e.position {
            Some((line, column)) => {
                format!("  {}:{line}:{column}: {}", e.path.display(), e.message)
            }
            None => format!("  {}: {}", e.path.display(), e.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { path: path.into() }
        } else {
            Error::Io {
                path: path.into(),
                source,
            }
        }
    }
}
