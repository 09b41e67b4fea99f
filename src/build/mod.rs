//! The one build both analyses share: `cargo metadata` for the workspace, then one `cargo build`
//! with LLVM IR emitted and clippy run in the same compilation ([`cargo`]), and what it compiled:
//! each unit's IR files, each crate's source files (from rustc's dep-info, [`dep_info`]) and the
//! diagnostics on workspace code.
//!
//! Reachability reads the IR; the lint layer reads the sources and the diagnostics. Neither runs
//! a build or cargo metadata of its own.

mod cargo;
mod dep_info;
mod ir_digest;

pub use cargo::{BuildOutput, Unit, WRAPPER_ENV, run_as_rustc_wrapper};
pub use dep_info::files_from_dep_info;

use crate::error::Error;
use crate::finding::Package;
use crate::report::Target;
use cargo::{BuildRequest, Clippy};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to build and analyse, as in `cargo build`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub packages: Vec<String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub all_targets: bool,
    pub offline: bool,
    /// secgate's target directory; `None`: `secgate` under the workspace's cargo target directory.
    pub target_dir: Option<PathBuf>,
}

impl BuildOptions {
    /// The features as the report names them: `default features, features a,b`.
    pub fn features_label(&self) -> String {
        let mut parts = Vec::new();
        if self.all_features {
            parts.push("all features".to_string());
        } else if self.no_default_features {
            parts.push("no default features".to_string());
        } else {
            parts.push("default features".to_string());
        }
        if !self.features.is_empty() {
            parts.push(format!("features {}", self.features.join(",")));
        }
        parts.join(", ")
    }
}

/// A package of the build by name and version.
pub type PackageKey = (String, String);

/// How the build step ended.
#[derive(Debug)]
pub enum BuildOutcome {
    /// No build was run (`--no-build`, or a bare lockfile): the reason, in words.
    NotRun(String),
    /// The build was attempted and did not complete.
    Failed(BuildFailure),
    /// The program was built.
    Built(Box<Built>),
}

impl BuildOutcome {
    /// The build, when it completed.
    pub fn built(&self) -> Option<&Built> {
        match self {
            BuildOutcome::Built(built) => Some(built),
            _ => None,
        }
    }
}

/// A build that did not complete, and which step failed.
#[derive(Debug)]
pub struct BuildFailure {
    pub triple: String,
    pub features: String,
    pub step: FailedStep,
}

/// The step of the build that failed, with its first error.
#[derive(Debug)]
pub enum FailedStep {
    /// `cargo metadata` could not describe the workspace.
    Metadata(String),
    /// `cargo build` failed (the first compiler or cargo error).
    Compile(String),
}

/// A completed build: what it compiled, for both analyses.
#[derive(Debug)]
pub struct Built {
    pub triple: String,
    /// The features as the report names them.
    pub features: String,
    pub output: BuildOutput,
    pub packages: PackageIndex,
    /// Package ids of the workspace members.
    pub members: HashSet<String>,
    /// Package ids of the members the user selected (all of them without `-p`).
    pub selected: HashSet<String>,
    /// Each crate built for the target, with the source files rustc read for it (dep-info).
    pub crate_sources: Vec<CrateSources>,
    /// rustc and clippy diagnostics on workspace code, from the same compilation.
    pub diagnostics: Vec<cargo_metadata::diagnostic::Diagnostic>,
    /// secgate's target directory (`<target>/secgate`), where later steps may keep caches.
    pub target_dir: PathBuf,
    /// Whether clippy ran inside the build.
    pub clippy: ClippyRun,
    /// IR that is missing or not what the build wrote, even after rebuilding its unit: the
    /// analysis of this build is incomplete.
    pub ir_problems: Vec<String>,
    /// Held while the build's output is read: another scan of the same target directory waits.
    pub lock: TargetLock,
}

/// An exclusive lock on secgate's target directory (`secgate.lock` in it), from the build until
/// the scan is done with what the build wrote. cargo locks the directory only while it builds;
/// a second scan rebuilding a unit in between would rewrite IR this one is reading.
#[derive(Debug)]
pub struct TargetLock {
    _file: std::fs::File,
}

impl TargetLock {
    /// Waits for the lock, saying so when another scan holds it.
    fn acquire(
        target_dir: &Path,
        progress: &crate::progress::Reporter,
    ) -> Result<TargetLock, Error> {
        let path = target_dir.join("secgate.lock");
        std::fs::create_dir_all(target_dir).map_err(|e| Error::io(target_dir, e))?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                progress.step(&format!(
                    "waiting for another secgate scan using {}",
                    target_dir.display()
                ));
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        Ok(TargetLock { _file: file })
    }
}

/// What became of clippy in the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClippyRun {
    /// It ran in the same compilation.
    Ran,
    /// Its driver is not installed.
    NotInstalled,
    /// The build failed with clippy and passed without it: the build was run again without
    /// clippy, so the analyses are complete; the first error says what clippy ran into.
    FailedAndRebuilt(String),
}

/// One crate of the build and its source files.
#[derive(Debug, Clone)]
pub struct CrateSources {
    pub package: Package,
    /// A member of the scanned workspace (its code is linted).
    pub workspace_member: bool,
    pub files: Vec<PathBuf>,
}

/// Builds `manifest`'s workspace with IR emitted. `clippy_flags` are the lint flags for clippy,
/// which runs in the same compilation when its driver is installed.
pub fn run(
    manifest: &Path,
    workspace_root: &Path,
    options: &BuildOptions,
    target: &Target,
    clippy_flags: Vec<String>,
    progress: &crate::progress::Reporter,
) -> Result<BuildOutcome, Error> {
    let triple = target.triple.clone();
    let features = options.features_label();
    let failed = |step| {
        Ok(BuildOutcome::Failed(BuildFailure {
            triple: triple.clone(),
            features: features.clone(),
            step,
        }))
    };
    let metadata = match workspace_metadata(manifest, &triple, options) {
        Ok(metadata) => metadata,
        Err(message) => {
            stale_lockfile(workspace_root, &message)?;
            return failed(FailedStep::Metadata(message));
        }
    };
    let clippy = clippy_driver().map(|driver| Clippy {
        driver,
        args: clippy_flags,
    });
    let mut clippy_run = if clippy.is_some() {
        ClippyRun::Ran
    } else {
        ClippyRun::NotInstalled
    };
    let selected = selected_members(&metadata, &options.packages);
    let program_packages = program_packages(&metadata, &selected, options.all_targets);
    let packages = PackageIndex::new(&metadata);
    let ir_packages = program_packages
        .iter()
        .filter_map(|id| packages.key(id).cloned())
        .collect();
    let mut request = BuildRequest {
        manifest_path: manifest.to_path_buf(),
        target_dir: options
            .target_dir
            .clone()
            .unwrap_or_else(|| metadata.target_directory.as_std_path().join("secgate")),
        triple: triple.clone(),
        // The host's build is `cargo build`'s own only where no cargo config chooses a target.
        explicit_target: !target.chosen_by_secgate || config_names_a_target(workspace_root),
        program_packages,
        ir_packages,
        options: options.clone(),
        clippy,
    };
    let lock = TargetLock::acquire(&request.target_dir, progress)?;
    progress.step(&format!(
        "building {} with LLVM IR for {triple}",
        manifest.display()
    ));
    let mut output = cargo::build(&request, progress)?;
    if !output.success && request.clippy.is_some() {
        // Lint levels are capped, so clippy should not fail a build that passes without it; if
        // it does (a clippy crash, a driver of another toolchain), the analyses must not pay.
        request.clippy = None;
        progress.step("the build failed with clippy: building again without it");
        let without = cargo::build(&request, progress)?;
        if without.success {
            clippy_run = ClippyRun::FailedAndRebuilt(first_error(&output));
            output = without;
        }
    }
    let mut ir_problems = Vec::new();
    if output.success {
        progress.step(&format!(
            "checking {} IR files against the digests the build recorded",
            output.units.iter().map(|u| u.ir.len()).sum::<usize>()
        ));
        let stale = ir_digest::check(&output.units);
        if !stale.is_empty() {
            progress.step(&format!(
                "rebuilding {} unit(s) whose cached IR does not match what the build wrote",
                stale.len()
            ));
            for (unit, _) in &stale {
                ir_digest::invalidate(&output.units[*unit]);
            }
            output = cargo::build(&request, progress)?;
            if output.success {
                ir_problems = ir_digest::check(&output.units)
                    .into_iter()
                    .map(|(_, problem)| problem)
                    .collect();
            }
        }
    }
    if !output.success {
        let error = first_error(&output);
        stale_lockfile(workspace_root, &error)?;
        return failed(FailedStep::Compile(error));
    }
    let members: HashSet<String> = metadata
        .workspace_packages()
        .iter()
        .map(|p| p.id.repr.clone())
        .collect();
    let crate_sources = crate_sources(&output, &packages, &members, workspace_root);
    // Moved out, not copied: the workspace's diagnostics are the lint layer's to read.
    let diagnostics = std::mem::take(&mut output.diagnostics)
        .into_iter()
        .filter(|(id, _)| members.contains(id))
        .map(|(_, d)| d)
        .collect();
    Ok(BuildOutcome::Built(Box::new(Built {
        triple,
        features,
        output,
        packages,
        members,
        selected,
        crate_sources,
        diagnostics,
        target_dir: request.target_dir,
        clippy: clippy_run,
        ir_problems,
        lock,
    })))
}

/// The first lines of a failed build's first error, on one line.
fn first_error(output: &BuildOutput) -> String {
    output
        .first_error
        .as_deref()
        .unwrap_or("cargo build failed")
        .lines()
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Each crate built for the target with the source files rustc read for it, one entry per
/// package (a package's lib and bins share one).
fn crate_sources(
    output: &BuildOutput,
    packages: &PackageIndex,
    members: &HashSet<String>,
    workspace_root: &Path,
) -> Vec<CrateSources> {
    let mut crate_sources: Vec<CrateSources> = Vec::new();
    for unit in output.units.iter().filter(|u| u.for_target) {
        let (Some(dep_info), Some((name, version))) =
            (&unit.dep_info, packages.key(&unit.package_id))
        else {
            continue;
        };
        // rustc runs in the workspace root, so workspace files are listed relative to it.
        let files: Vec<PathBuf> = files_from_dep_info(dep_info)
            .into_iter()
            .map(|f| {
                if f.is_relative() {
                    workspace_root.join(f)
                } else {
                    f
                }
            })
            .collect();
        let package = Package {
            name: name.clone(),
            version: version.clone(),
        };
        match crate_sources.iter_mut().find(|c| c.package == package) {
            Some(existing) => {
                for file in files {
                    if !existing.files.contains(&file) {
                        existing.files.push(file);
                    }
                }
            }
            None => crate_sources.push(CrateSources {
                package,
                workspace_member: members.contains(&unit.package_id),
                files,
            }),
        }
    }
    crate_sources.sort_by(|a, b| a.package.cmp(&b.package));
    crate_sources
}

/// The clippy driver to run inside the IR build: `$CLIPPY_DRIVER`, or `clippy-driver` on the PATH
/// (rustup's proxy); `None` when neither answers `--version`.
fn clippy_driver() -> Option<PathBuf> {
    let candidate = crate::tools::program("CLIPPY_DRIVER", "clippy-driver");
    crate::tools::answers_version(&candidate).then_some(candidate)
}

/// cargo's refusal to rewrite Cargo.lock under `--locked`, as the error it is: the advisories
/// were matched against that file, so a build from another resolution would judge other versions.
fn stale_lockfile(workspace_root: &Path, cargo_error: &str) -> Result<(), Error> {
    if cargo_error.contains("--locked was passed") {
        return Err(Error::StaleLockfile {
            path: workspace_root.join("Cargo.lock"),
        });
    }
    Ok(())
}

/// `cargo metadata --locked`: it resolves the dependency graph, and without `--locked` it would
/// rewrite an out-of-date Cargo.lock.
fn workspace_metadata(
    manifest: &Path,
    triple: &str,
    options: &BuildOptions,
) -> Result<cargo_metadata::Metadata, String> {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.manifest_path(manifest);
    let mut other = vec![
        "--locked".to_string(),
        "--filter-platform".to_string(),
        triple.to_string(),
    ];
    if options.offline {
        other.push("--offline".into());
    }
    command.other_options(other);
    if options.all_features {
        command.features(cargo_metadata::CargoOpt::AllFeatures);
    }
    if options.no_default_features {
        command.features(cargo_metadata::CargoOpt::NoDefaultFeatures);
    }
    if !options.features.is_empty() {
        command.features(cargo_metadata::CargoOpt::SomeFeatures(
            options.features.clone(),
        ));
    }
    command.exec().map_err(|e| e.to_string())
}

/// The workspace members the user selected (all of them without `-p`).
fn selected_members(metadata: &cargo_metadata::Metadata, packages: &[String]) -> HashSet<String> {
    metadata
        .workspace_packages()
        .into_iter()
        .filter(|p| packages.is_empty() || packages.iter().any(|name| *name == p.name.as_str()))
        .map(|p| p.id.repr.clone())
        .collect()
}

/// The packages compiled into the program: the selected members and what they depend on,
/// through normal dependencies (and the members' dev-dependencies when tests and examples are
/// built), never through a proc macro or a build dependency, whose code runs in the build only.
fn program_packages(
    metadata: &cargo_metadata::Metadata,
    selected: &HashSet<String>,
    all_targets: bool,
) -> HashSet<String> {
    use cargo_metadata::DependencyKind;
    let Some(resolve) = &metadata.resolve else {
        return HashSet::new();
    };
    let proc_macro: HashSet<&str> = metadata
        .packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t.is_proc_macro()))
        .map(|p| p.id.repr.as_str())
        .collect();
    let nodes: HashMap<&str, &cargo_metadata::Node> = resolve
        .nodes
        .iter()
        .map(|n| (n.id.repr.as_str(), n))
        .collect();
    let mut program: HashSet<String> = HashSet::new();
    let mut stack: Vec<(&str, bool)> = selected.iter().map(|id| (id.as_str(), true)).collect();
    while let Some((id, member)) = stack.pop() {
        if proc_macro.contains(id) || !program.insert(id.to_string()) {
            continue;
        }
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let runs_in_program = dep.dep_kinds.iter().any(|k| match k.kind {
                DependencyKind::Normal => true,
                DependencyKind::Development => member && all_targets,
                _ => false,
            });
            if runs_in_program {
                stack.push((dep.pkg.repr.as_str(), false));
            }
        }
    }
    program
}

/// Whether a cargo config file cargo would read for this workspace (or `CARGO_BUILD_TARGET`)
/// names a build target: `cargo build` without `--target` would then build for that one. A file
/// that cannot be read counts as naming one, which keeps `--target` explicit.
fn config_names_a_target(workspace_root: &Path) -> bool {
    if std::env::var_os("CARGO_BUILD_TARGET").is_some() {
        return true;
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    // cargo reads the config files of its working directory and its ancestors, then $CARGO_HOME.
    for start in [
        std::env::current_dir().ok(),
        Some(workspace_root.to_path_buf()),
    ]
    .into_iter()
    .flatten()
    {
        dirs.extend(start.ancestors().map(|d| d.join(".cargo")));
    }
    dirs.extend(home::cargo_home().ok());
    dirs.sort();
    dirs.dedup();
    dirs.iter()
        .flat_map(|dir| [dir.join("config.toml"), dir.join("config")])
        .filter(|file| file.is_file())
        .any(|file| {
            let Ok(text) = std::fs::read_to_string(&file) else {
                return true;
            };
            match text.parse::<toml::Table>() {
                Ok(table) => table
                    .get("build")
                    .and_then(|build| build.get("target"))
                    .is_some(),
                Err(_) => true,
            }
        })
}

/// Package ids to names, versions, source directories and library roots.
#[derive(Debug)]
pub struct PackageIndex {
    by_id: HashMap<String, IndexedPackage>,
}

#[derive(Debug)]
struct IndexedPackage {
    key: PackageKey,
    dir: PathBuf,
    /// The library target's root file (`src/lib.rs`), where the crate's module tree starts.
    lib_root: Option<PathBuf>,
}

impl PackageIndex {
    fn new(metadata: &cargo_metadata::Metadata) -> PackageIndex {
        let by_id = metadata
            .packages
            .iter()
            .map(|p| {
                let dir = p
                    .manifest_path
                    .parent()
                    .map(|d| d.as_std_path().to_path_buf())
                    .unwrap_or_default();
                let lib_root = p
                    .targets
                    .iter()
                    .find(|t| t.is_lib() || t.is_rlib() || t.is_proc_macro())
                    .map(|t| t.src_path.as_std_path().to_path_buf());
                let package = IndexedPackage {
                    key: (p.name.to_string(), p.version.to_string()),
                    dir,
                    lib_root,
                };
                (p.id.repr.clone(), package)
            })
            .collect();
        PackageIndex { by_id }
    }

    /// The name and version of a package id.
    pub fn key(&self, id: &str) -> Option<&PackageKey> {
        self.by_id.get(id).map(|p| &p.key)
    }

    fn by_key(&self, key: &PackageKey) -> Option<&IndexedPackage> {
        self.by_id.values().find(|p| p.key == *key)
    }

    /// The directory of a package's sources.
    pub fn source_dir(&self, key: &PackageKey) -> Option<&Path> {
        self.by_key(key).map(|p| p.dir.as_path())
    }

    /// The root file of a package's library target.
    pub fn lib_root(&self, key: &PackageKey) -> Option<&Path> {
        self.by_key(key).and_then(|p| p.lib_root.as_deref())
    }
}
