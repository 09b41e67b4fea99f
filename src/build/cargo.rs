//! Building the project with LLVM IR emitted, in a target directory of secgate's own.
//!
//! `--emit=llvm-ir` is added by secgate acting as `RUSTC_WRAPPER` (the way clippy-driver wraps
//! rustc), so the user's rustflags from the environment and from every cargo config file stay as
//! they are: cargo decides them, secgate only appends. Only units built for the analysed target get
//! the flag; build scripts and proc macros (host units) run as in `cargo build`, without IR.
//! A user's own `RUSTC_WRAPPER` (sccache, …) keeps running, called by secgate's.
//!
//! For the host, the build runs as `cargo build` does, without `--target`: cargo then compiles a
//! crate that both the program and a build script or proc macro use once, not once for each
//! (`--target` made tokei's build a quarter longer). Which units are the program's is then
//! known from the dependency graph ([`BuildRequest::program_packages`]), not from the output
//! directory.

use crate::error::Error;
use cargo_metadata::Message;
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Set for the build so that `cargo-secgate` runs as a rustc wrapper.
pub const WRAPPER_ENV: &str = "SECGATE_RUSTC_WRAPPER";
/// The user's own `RUSTC_WRAPPER`, which secgate's wrapper calls in turn.
const INNER_WRAPPER_ENV: &str = "SECGATE_INNER_RUSTC_WRAPPER";
/// The packages whose IR the analysis reads, one `name version` a line; unset: every package.
const IR_PACKAGES_ENV: &str = "SECGATE_IR_PACKAGES";
/// Set when the build runs without `--target`: the wrapper then tells host units by their kind.
const SHARED_HOST_ENV: &str = "SECGATE_SHARED_HOST";

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub manifest_path: PathBuf,
    pub target_dir: PathBuf,
    pub triple: String,
    /// Pass `--target`: another triple than the host's was asked for, or a cargo config file
    /// names one. Without it, host and program units share a directory.
    pub explicit_target: bool,
    /// The package ids compiled into the program (the selected members and their normal
    /// dependencies, not through proc macros), which decide its units without `--target`.
    pub program_packages: HashSet<String>,
    /// Without `--target`, the packages whose IR the analysis reads (`name version`): a library
    /// only build scripts or proc macros use is built without. With `--target`, every target unit
    /// gets IR.
    pub ir_packages: Vec<(String, String)>,
    /// Packages, features, targets and `--offline`, as the user asked.
    pub options: super::BuildOptions,
    /// Run clippy in the same compilation, for workspace members (`RUSTC_WORKSPACE_WRAPPER`).
    pub clippy: Option<Clippy>,
}

/// How to run clippy inside the IR build, as `cargo clippy` itself does.
#[derive(Debug, Clone)]
pub struct Clippy {
    pub driver: PathBuf,
    /// Lint flags such as `-Wclippy::unwrap_used`.
    pub args: Vec<String>,
}

/// One compiled target (lib, bin, test, …) of one package.
#[derive(Debug, Clone)]
pub struct Unit {
    pub package_id: String,
    pub target_name: String,
    pub kinds: Vec<String>,
    /// The IR files rustc wrote for this unit.
    pub ir: Vec<PathBuf>,
    /// rustc's dep-info file for this unit: the source files it compiled.
    pub dep_info: Option<PathBuf>,
    /// Built for the analysed target; `false` for host units (build scripts, proc macros).
    pub for_target: bool,
    /// The files cargo checks to decide the unit is fresh (deleting one makes cargo rebuild it).
    pub outputs: Vec<PathBuf>,
}

/// What the build produced.
#[derive(Debug, Default)]
pub struct BuildOutput {
    pub units: Vec<Unit>,
    pub success: bool,
    /// The first compiler or cargo error, when the build failed.
    pub first_error: Option<String>,
    /// Warnings and errors rustc and clippy reported on workspace code, with their package id.
    pub diagnostics: Vec<(String, cargo_metadata::diagnostic::Diagnostic)>,
}

/// Runs `cargo build` with IR emitted and collects the units from cargo's JSON messages.
pub fn build(
    request: &BuildRequest,
    progress: &crate::progress::Reporter,
) -> Result<BuildOutput, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let wrapper = std::env::current_exe().map_err(|e| Error::io("cargo-secgate", e))?;
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--message-format=json")
        // The lockfile the advisories were matched against is the one the build must use.
        .arg("--locked")
        .arg("--manifest-path")
        .arg(&request.manifest_path)
        .arg("--target-dir")
        .arg(&request.target_dir);
    if request.explicit_target {
        command
            .arg("--target")
            .arg(&request.triple)
            .env_remove(SHARED_HOST_ENV)
            .env_remove(IR_PACKAGES_ENV);
    } else {
        let ir_packages: String = request
            .ir_packages
            .iter()
            .map(|(name, version)| format!("{name} {version}\n"))
            .collect();
        command
            .env(SHARED_HOST_ENV, "1")
            .env(IR_PACKAGES_ENV, ir_packages);
    }
    let options = &request.options;
    for package in &options.packages {
        command.arg("--package").arg(package);
    }
    if !options.features.is_empty() {
        command.arg("--features").arg(options.features.join(","));
    }
    if options.all_features {
        command.arg("--all-features");
    }
    if options.no_default_features {
        command.arg("--no-default-features");
    }
    if options.all_targets {
        command.arg("--all-targets");
    }
    if options.offline {
        command.arg("--offline");
    }
    if let Some(inner) = std::env::var_os("RUSTC_WRAPPER") {
        command.env(INNER_WRAPPER_ENV, inner);
    }
    if let Some(clippy) = &request.clippy {
        // clippy-driver reads its lint flags from CLIPPY_ARGS, each followed by this separator.
        let args: String = clippy
            .args
            .iter()
            .map(|arg| format!("{arg}__CLIPPY_HACKERY__"))
            .collect();
        command
            .env("RUSTC_WORKSPACE_WRAPPER", &clippy.driver)
            .env("CLIPPY_ARGS", args);
    }
    command
        .env("RUSTC_WRAPPER", &wrapper)
        .env(WRAPPER_ENV, "1")
        // Line tables are all the graph needs (call sites, inlined functions, source files);
        // they make the IR half the size of full debug info.
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let mut child = command
        .spawn()
        .map_err(|e| Error::io("cargo (is it on PATH?)", e))?;
    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let target_root = request.target_dir.join(&request.triple);
    let host_only = |kinds: &[String]| {
        kinds
            .iter()
            .any(|k| k == "proc-macro" || k == "custom-build")
    };
    let mut output = BuildOutput::default();
    for message in Message::parse_stream(stdout).flatten() {
        match message {
            Message::CompilerArtifact(artifact) => {
                if !artifact.fresh {
                    progress.detail(&format!("compiled {}", artifact.target.name));
                }
                let exe = artifact.executable.as_ref().map(|p| p.as_std_path());
                let files: Vec<&Path> =
                    artifact.filenames.iter().map(|p| p.as_std_path()).collect();
                let kinds: Vec<String> =
                    artifact.target.kind.iter().map(|k| k.to_string()).collect();
                let for_target = if request.explicit_target {
                    files
                        .iter()
                        .chain(exe.iter())
                        .any(|f| f.starts_with(&target_root))
                } else {
                    request.program_packages.contains(&artifact.package_id.repr)
                        && !host_only(&kinds)
                };
                let crate_name = crate::finding::crate_name(&artifact.target.name);
                let stems = output_stems(&crate_name, &files, exe);
                let ir = if for_target {
                    ir_files(&stems)
                } else {
                    Vec::new()
                };
                let dep_info = stems
                    .iter()
                    .map(|(dir, stem)| dir.join(format!("{stem}.d")))
                    .find(|d| d.is_file());
                let mut outputs: Vec<PathBuf> = files.iter().map(|f| f.to_path_buf()).collect();
                outputs.extend(exe.and_then(|exe| hard_link_target(&crate_name, exe)));
                output.units.push(Unit {
                    package_id: artifact.package_id.repr,
                    target_name: artifact.target.name.clone(),
                    kinds,
                    ir,
                    dep_info,
                    for_target,
                    outputs,
                });
            }
            Message::CompilerMessage(message) => {
                let is_error =
                    message.message.level == cargo_metadata::diagnostic::DiagnosticLevel::Error;
                if is_error && output.first_error.is_none() {
                    let text = message
                        .message
                        .rendered
                        .clone()
                        .unwrap_or_else(|| message.message.message.clone());
                    output.first_error = Some(text.trim_end().to_string());
                }
                if message.message.code.is_some() {
                    output
                        .diagnostics
                        .push((message.package_id.repr, message.message));
                }
            }
            Message::BuildFinished(finished) => output.success = finished.success,
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| Error::io("cargo build", e))?;
    let stderr = stderr_reader.join().unwrap_or_default();
    output.success &= status.success();
    if !output.success && output.first_error.is_none() {
        output.first_error = Some(first_cargo_error(&stderr));
    }
    Ok(output)
}

/// The first `error…` paragraph cargo printed, or the last lines when there is none. A build
/// script's failure is quoted by what the script said (its panic message), since cargo's own line
/// names only the package and its absolute path.
fn first_cargo_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(start) = lines.iter().position(|l| l.starts_with("error")) {
        if let Some(script) = build_script_failure(&lines[start..]) {
            return script;
        }
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.trim().is_empty())
            .map_or(lines.len(), |n| start + 1 + n);
        return lines[start..end].join("\n");
    }
    let tail = lines.len().saturating_sub(5);
    lines[tail..].join("\n")
}

/// `error: failed to run custom build command for `PKG (PATH)`` and its `Caused by:` section:
/// the script's panic (location and message), else the last lines it wrote to stderr.
fn build_script_failure(lines: &[&str]) -> Option<String> {
    let spec = lines
        .first()?
        .strip_prefix("error: failed to run custom build command for `")?
        .split('`')
        .next()?;
    // `name v1.0.0 (/abs/path)` or `name v1.0.0`: the path says nothing the name does not.
    let package = spec.split(" (").next().unwrap_or(spec);
    // The `Caused by:` section is indented; it ends at the next line cargo writes at column 0.
    // cargo may write a `note:` line between the error and the section.
    let caused_by = lines.iter().position(|l| l.starts_with("Caused by"))?;
    let section: Vec<&str> = lines[caused_by..]
        .iter()
        .take_while(|l| l.is_empty() || l.starts_with(' ') || l.starts_with("Caused by"))
        .map(|l| l.trim())
        .collect();
    let exit = section
        .iter()
        .find_map(|l| l.split("(exit status: ").nth(1))
        .and_then(|rest| rest.split(')').next())
        .map(|status| format!(" (exit status {status})"))
        .unwrap_or_default();
    let stderr: Vec<&str> = match section.iter().position(|l| *l == "--- stderr") {
        Some(at) => section[at + 1..]
            .iter()
            .take_while(|l| !l.starts_with("--- "))
            .copied()
            .collect(),
        None => Vec::new(),
    };
    if let Some(at) = stderr.iter().position(|l| l.contains("panicked at ")) {
        let after = stderr[at].split("panicked at ").nth(1).unwrap_or_default();
        // Since Rust 1.73: `panicked at build.rs:3:5:` and the message on the next lines;
        // before: `panicked at 'message', build.rs:3:5`.
        let (location, message) = match after.strip_suffix(':') {
            Some(location) => {
                let message: Vec<&str> = stderr[at + 1..]
                    .iter()
                    .take_while(|l| {
                        !l.starts_with("note: run with `RUST_BACKTRACE")
                            && !l.starts_with("stack backtrace:")
                    })
                    .copied()
                    .filter(|l| !l.is_empty())
                    .collect();
                (location.to_string(), message.join(" "))
            }
            None => match after.rsplit_once("', ") {
                Some((message, location)) => (
                    location.to_string(),
                    message.trim_start_matches('\'').to_string(),
                ),
                None => (String::new(), after.to_string()),
            },
        };
        return Some(format!(
            "the build script of `{package}` panicked at {}: {message}",
            short_source_path(&location)
        ));
    }
    let said: Vec<&str> = stderr.iter().copied().filter(|l| !l.is_empty()).collect();
    let tail = &said[said.len().saturating_sub(3)..];
    Some(if tail.is_empty() {
        format!("the build script of `{package}` failed{exit} and wrote nothing to stderr")
    } else {
        format!(
            "the build script of `{package}` failed{exit}: {}",
            tail.join(" ")
        )
    })
}

/// A registry source path from the crate's folder on (`foo-1.0.0/build.rs:3:5`), else as is.
fn short_source_path(path: &str) -> &str {
    match path.split_once("/registry/src/") {
        Some((_, rest)) => rest.split_once('/').map_or(rest, |(_, inside)| inside),
        None => path,
    }
}

/// The directories and stems of the files rustc wrote for a unit: next to its rlib
/// (`deps/libNAME-HASH.rlib` gives `deps/NAME-HASH`), or the real file behind a binary's hard link.
fn output_stems(
    crate_name: &str,
    files: &[&Path],
    executable: Option<&Path>,
) -> Vec<(PathBuf, String)> {
    let mut stems: Vec<(PathBuf, String)> = Vec::new();
    for file in files {
        let (Some(dir), Some(name)) = (file.parent(), file.file_name().and_then(|n| n.to_str()))
        else {
            continue;
        };
        if let Some(stem) = name
            .strip_prefix("lib")
            .and_then(|n| n.rsplit_once('.'))
            .map(|(stem, _)| stem)
            .filter(|stem| stem.starts_with(&format!("{crate_name}-")))
        {
            stems.push((dir.to_path_buf(), stem.to_string()));
        } else if name
            .strip_prefix("lib")
            .and_then(|n| n.rsplit_once('.'))
            .is_some_and(|(stem, _)| stem == crate_name)
        {
            // A cdylib's (or dylib's) outputs have no hash, and cargo lists the uplifted copy
            // (`debug/libNAME.so`): rustc wrote `NAME.ll` in `deps`.
            stems.push((dir.join("deps"), crate_name.to_string()));
            stems.push((dir.to_path_buf(), crate_name.to_string()));
        }
    }
    if stems.is_empty()
        && let Some(exe) = executable
        && let Some(real) = hard_link_target(crate_name, exe)
    {
        let dir = real.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = real
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        stems.push((dir, stem));
    }
    stems.sort();
    stems.dedup();
    stems
}

/// The `.ll` files rustc wrote for a unit: `NAME-HASH*.ll` next to its other outputs.
fn ir_files(stems: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut ir = Vec::new();
    for (dir, stem) in stems {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(".ll")
                && name.starts_with(stem.as_str())
                && name[stem.len()..].starts_with('.')
            {
                ir.push(entry.path());
            }
        }
    }
    ir.sort();
    ir
}

/// cargo hard-links `debug/NAME` to `debug/deps/NAME-HASH`; the IR sits next to the latter.
fn hard_link_target(crate_name: &str, executable: &Path) -> Option<PathBuf> {
    let dir = executable.parent()?;
    let prefix = format!("{crate_name}-");
    let candidates = [dir.join("deps"), dir.to_path_buf()];
    let wanted = std::fs::metadata(executable).ok()?;
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for candidate_dir in candidates {
        let Ok(entries) = std::fs::read_dir(&candidate_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.starts_with(&prefix) || path.extension().is_some() {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if same_file(&meta, &wanted) {
                return Some(path);
            }
            if let Ok(modified) = meta.modified()
                && newest.as_ref().is_none_or(|(t, _)| modified > *t)
            {
                newest = Some((modified, path));
            }
        }
    }
    newest.map(|(_, path)| path)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// When secgate is running as cargo's rustc wrapper, runs rustc (adding `--emit=llvm-ir` for
/// target units) and returns its exit code; `None` when secgate is not running as the wrapper.
pub fn run_as_rustc_wrapper() -> Option<i32> {
    std::env::var_os(WRAPPER_ENV)?;
    let mut args = std::env::args_os().skip(1);
    let rustc = args.next()?;
    let args: Vec<OsString> = args.collect();
    let mut command = match std::env::var_os(INNER_WRAPPER_ENV).filter(|w| !w.is_empty()) {
        Some(inner) => {
            let mut command = Command::new(inner);
            command.arg(&rustc);
            command
        }
        None => Command::new(&rustc),
    };
    command.args(&args);
    let compiles_a_crate = args.iter().any(|a| a == "--crate-name");
    let for_target = if std::env::var_os(SHARED_HOST_ENV).is_some() {
        !builds_for_the_host(&args)
    } else {
        args.iter()
            .any(|a| a == "--target" || a.to_string_lossy().starts_with("--target="))
    };
    let emits_ir = compiles_a_crate && for_target && ir_wanted();
    if emits_ir {
        command.arg("--emit=llvm-ir");
    }
    // A crate's own `#![deny(warnings)]` (or `-D warnings` in RUSTFLAGS) would turn the clippy
    // lints secgate adds into errors and break a build that `cargo build` passes. Capping lint
    // levels at `warn` changes no code generation; cargo already caps dependencies at `allow`.
    let capped = args
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--cap-lints"));
    if compiles_a_crate && !capped {
        command.arg("--cap-lints=warn");
    }
    match command.status() {
        Ok(status) if status.success() => {
            if emits_ir {
                super::ir_digest::record_compilation(&args);
            }
            Some(0)
        }
        Ok(status) => Some(status.code().unwrap_or(101)),
        Err(_) => Some(101),
    }
}

/// Whether rustc is compiling a build script or a proc macro, code that runs in the build only.
fn builds_for_the_host(args: &[OsString]) -> bool {
    args.iter().enumerate().any(|(i, arg)| {
        let arg = arg.to_string_lossy();
        let value = |flag: &str| -> Option<String> {
            match arg.strip_prefix(flag) {
                Some("") => args.get(i + 1).map(|v| v.to_string_lossy().into_owned()),
                Some(inline) => inline.strip_prefix('=').map(str::to_string),
                None => None,
            }
        };
        // cargo compiles a build script into `build/PACKAGE-HASH/`, every other unit into `deps/`.
        value("--crate-type").is_some_and(|t| t == "proc-macro")
            || value("--out-dir").is_some_and(|dir| {
                Path::new(&dir)
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|name| name == "build")
            })
    })
}

/// Whether the package rustc is compiling (cargo names it in `CARGO_PKG_NAME` and
/// `CARGO_PKG_VERSION`) is one whose IR the analysis reads.
fn ir_wanted() -> bool {
    let Some(wanted) = std::env::var_os(IR_PACKAGES_ENV) else {
        return true;
    };
    let (Ok(name), Ok(version)) = (
        std::env::var("CARGO_PKG_NAME"),
        std::env::var("CARGO_PKG_VERSION"),
    ) else {
        return true;
    };
    let this = format!("{name} {version}");
    wanted.to_string_lossy().lines().any(|line| line == this)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_ir_next_to_an_rlib() {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("deps");
        std::fs::create_dir(&deps).unwrap();
        for name in [
            "libsmallvec-abc.rlib",
            "smallvec-abc.ll",
            "smallvec-old.ll",
            "smallvec_extra-abc.ll",
        ] {
            std::fs::write(deps.join(name), "").unwrap();
        }
        let rlib = deps.join("libsmallvec-abc.rlib");
        assert_eq!(
            ir_files(&output_stems("smallvec", &[&rlib], None)),
            [deps.join("smallvec-abc.ll")]
        );
    }

    #[test]
    fn finds_a_cdylibs_ir_without_a_hash_in_deps() {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("deps");
        std::fs::create_dir(&deps).unwrap();
        std::fs::write(deps.join("plugin.ll"), "").unwrap();
        std::fs::write(deps.join("plugin_other.ll"), "").unwrap();
        std::fs::write(dir.path().join("libplugin.so"), "").unwrap();
        let so = dir.path().join("libplugin.so");
        assert_eq!(
            ir_files(&output_stems("plugin", &[&so], None)),
            [deps.join("plugin.ll")]
        );
    }

    #[test]
    fn finds_the_ir_behind_a_binarys_hard_link() {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("deps");
        std::fs::create_dir(&deps).unwrap();
        std::fs::write(deps.join("server-123"), "binary").unwrap();
        std::fs::write(deps.join("server-123.ll"), "").unwrap();
        std::fs::write(deps.join("server-999.ll"), "").unwrap();
        std::fs::hard_link(deps.join("server-123"), dir.path().join("server")).unwrap();
        let exe = dir.path().join("server");
        assert_eq!(
            ir_files(&output_stems("server", &[&exe], Some(&exe))),
            [deps.join("server-123.ll")]
        );
    }

    #[test]
    fn build_scripts_and_proc_macros_are_built_for_the_host() {
        let args = |list: &[&str]| -> Vec<OsString> { list.iter().map(OsString::from).collect() };
        let build_script = args(&[
            "--crate-name",
            "build_script_build",
            "--crate-type",
            "bin",
            "--out-dir",
            "/t/debug/build/app-1a2b",
        ]);
        let proc_macro = args(&["--crate-name", "derive", "--crate-type=proc-macro"]);
        // A package may be called `build-script-…`: its name says nothing.
        let program = args(&[
            "--crate-name",
            "build_script_only",
            "--crate-type",
            "bin",
            "--out-dir",
            "/t/debug/deps",
        ]);
        assert!(builds_for_the_host(&build_script));
        assert!(builds_for_the_host(&proc_macro));
        assert!(!builds_for_the_host(&program));
    }

    #[test]
    fn cargo_errors_are_quoted_from_the_first_error_line() {
        let stderr =
            "   Compiling x\nerror: failed to get `nope` as a dependency\n\nCaused by:\n  nope\n";
        assert_eq!(
            first_cargo_error(stderr),
            "error: failed to get `nope` as a dependency"
        );
    }

    #[test]
    fn a_build_scripts_panic_is_quoted_not_its_path() {
        let stderr = "   Compiling panicky v0.1.0 (/tmp/x/panicky)
error: failed to run custom build command for `panicky v0.1.0 (/tmp/x/panicky)`

Caused by:
  process didn't exit successfully: `/tmp/x/target/debug/build/panicky-1/build-script-build` (exit status: 101)
  --- stdout
  cargo:rerun-if-changed=build.rs

  --- stderr

  thread 'main' panicked at build.rs:2:5:
  the frobnicator is missing
  note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
warning: build failed, waiting for other jobs to finish...
";
        assert_eq!(
            first_cargo_error(stderr),
            "the build script of `panicky v0.1.0` panicked at build.rs:2:5: the frobnicator is missing"
        );
        let with_note = stderr.replace(
            "\n\nCaused by:",
            "\nnote: To improve backtraces for build dependencies, set the CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG=true environment variable to enable debug information generation.\n\nCaused by:",
        );
        assert_eq!(
            first_cargo_error(&with_note),
            "the build script of `panicky v0.1.0` panicked at build.rs:2:5: the frobnicator is missing"
        );
        let old_style = stderr.replace(
            "thread 'main' panicked at build.rs:2:5:\n  the frobnicator is missing",
            "thread 'main' panicked at 'no frob', /h/.cargo/registry/src/index.crates.io-1/frob-1.0.0/build.rs:9:1",
        );
        assert_eq!(
            first_cargo_error(&old_style),
            "the build script of `panicky v0.1.0` panicked at frob-1.0.0/build.rs:9:1: no frob"
        );
        let exited = stderr.replace(
            "thread 'main' panicked at build.rs:2:5:\n  the frobnicator is missing\n  note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
            "pkg-config not found",
        ).replace("101", "1");
        assert_eq!(
            first_cargo_error(&exited),
            "the build script of `panicky v0.1.0` failed (exit status 1): pkg-config not found"
        );
    }
}
