//! Reachability: decides from the compiled program whether each advisory's vulnerable code can run.
//!
//! The project is built with LLVM IR emitted ([`build`]), every `.ll` of the build is read
//! ([`ir`]) into one reference graph ([`graph`]), and the graph is searched from the roots (each
//! binary's `main`; a library's own functions when the workspace has no binary). Each advisory's
//! `[affected.functions]` are matched against the graph's symbols ([`paths`]); advisories that list
//! no functions get crate-level evidence. The verdict is set on the finding, never used to drop it:
//! `reachable` with call traces, `unreachable` only after a complete analysis, `unknown` with the
//! reason otherwise.

mod build;
mod graph;
mod ir;
mod paths;
mod source;

pub use build::{Clippy, run_as_rustc_wrapper};
pub use graph::ReachedFunctions;
pub use paths::demangle;

use crate::error::Error;
use crate::finding::{Finding, Frame, Location, Reachability, Trace};
use crate::report::{ReachabilityInfo, Target};
use build::{BuildOutput, BuildRequest};
use graph::{CallGraph, NodeId, SourceLine};
use paths::MatchKind;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to build and analyse.
#[derive(Debug, Clone, Default)]
pub struct ReachabilityOptions {
    pub packages: Vec<String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// The target triple; the host's when `None`.
    pub target: Option<String>,
    pub all_targets: bool,
    /// How many traces to keep per reachable finding.
    pub traces: usize,
    pub offline: bool,
    /// Run clippy in the same build (the lint layer sets this).
    pub clippy: Option<build::Clippy>,
}

impl ReachabilityOptions {
    fn features_label(&self) -> String {
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
type PackageKey = (String, String);

/// What the analysis found besides the verdicts it set: what the build compiled, for the lint
/// layer (clippy's diagnostics, the sources of each crate).
#[derive(Debug)]
pub struct Analysed {
    pub info: ReachabilityInfo,
    pub target: Target,
    /// rustc and clippy diagnostics on workspace code, from the same compilation.
    pub diagnostics: Vec<cargo_metadata::diagnostic::Diagnostic>,
    /// Each crate built for the target, with the source files rustc read for it (dep-info).
    pub crate_sources: Vec<CrateSources>,
    /// secgate's target directory (`<target>/secgate`), where later steps may keep caches.
    pub target_dir: Option<PathBuf>,
    /// The functions reached from the roots, by file and line; `None` without a graph or roots.
    pub reached_functions: Option<ReachedFunctions>,
}

/// One crate of the build and its source files.
#[derive(Debug, Clone)]
pub struct CrateSources {
    pub package: crate::finding::Package,
    /// A member of the scanned workspace (its code is linted).
    pub workspace_member: bool,
    pub files: Vec<PathBuf>,
}

/// Builds `manifest`'s workspace, analyses it and sets the reachability of every advisory finding.
pub fn analyse(
    manifest: &Path,
    workspace_root: &Path,
    findings: &mut [Finding],
    options: &ReachabilityOptions,
    progress: &crate::progress::Reporter,
) -> Result<Analysed, Error> {
    let triple = match &options.target {
        Some(triple) => triple.clone(),
        None => host_triple()?,
    };
    let target = Target::from_triple(&triple);
    let mut info = ReachabilityInfo {
        status: "complete".to_string(),
        target: Some(triple.clone()),
        features: options.features_label(),
        roots: Vec::new(),
        ir_files: 0,
        ir_bytes: 0,
        functions: 0,
        edges: 0,
    };
    let metadata = match workspace_metadata(manifest, &triple, options) {
        Ok(metadata) => metadata,
        Err(message) => {
            info.status = "failed".into();
            mark_unknown(findings, &format!("cargo metadata failed: {message}"));
            return Ok(Analysed::without_build(info, target));
        }
    };
    let request = BuildRequest {
        manifest_path: manifest.to_path_buf(),
        target_dir: metadata.target_directory.as_std_path().join("secgate"),
        triple: triple.clone(),
        packages: options.packages.clone(),
        features: options.features.clone(),
        all_features: options.all_features,
        no_default_features: options.no_default_features,
        all_targets: options.all_targets,
        offline: options.offline,
        clippy: options.clippy.clone(),
    };
    progress.step(&format!(
        "building {} with LLVM IR for {triple}",
        manifest.display()
    ));
    let output = build::build(&request, progress)?;
    if !output.success {
        info.status = "build failed".into();
        let error = output
            .first_error
            .as_deref()
            .unwrap_or("cargo build failed")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ");
        mark_unknown(findings, &format!("the build failed: {error}"));
        return Ok(Analysed::without_build(info, target));
    }

    let packages = PackageIndex::new(&metadata);
    let ir_paths: Vec<(usize, PathBuf)> = output
        .units
        .iter()
        .enumerate()
        .flat_map(|(unit, u)| u.ir.iter().map(move |p| (unit, p.clone())))
        .collect();
    info.ir_files = ir_paths.len();
    progress.step(&format!("reading the IR of {} units", ir_paths.len()));
    let read: Vec<Result<ir::Module, String>> = ir_paths
        .par_iter()
        .map(|(_, path)| read_module(path))
        .collect();
    let mut problems = Vec::new();
    let mut modules = Vec::new();
    let mut module_unit = Vec::new();
    for ((unit, path), result) in ir_paths.iter().zip(read) {
        info.ir_bytes += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        match result {
            Ok(module) => {
                modules.push(module);
                module_unit.push(*unit);
            }
            Err(problem) => problems.push(problem),
        }
    }
    let graph = CallGraph::build(&modules);
    drop(modules);
    info.functions = graph.nodes.len();
    info.edges = graph.edge_count();

    let selected = selected_members(&metadata, &options.packages);
    let roots = find_roots(&graph, &output, &module_unit, &selected, &packages);
    info.roots = roots.labels.clone();
    let reached = graph.reach(&roots.nodes);
    let reached_functions =
        (!roots.nodes.is_empty()).then(|| ReachedFunctions::collect(&graph, &reached));
    let context = Context {
        graph: &graph,
        reached: &reached,
        output: &output,
        module_unit: &module_unit,
        packages: &packages,
        workspace_root,
        library_roots: roots.library,
        problems: &problems,
        traces: options.traces.max(1),
    };
    if roots.nodes.is_empty() {
        info.status = "no roots".into();
    }
    let crates: HashSet<String> = findings
        .iter()
        .filter_map(|f| f.package.as_ref())
        .map(|p| p.name.replace('-', "_"))
        .collect();
    let index = CrateIndex::new(&graph, &crates);
    for finding in findings.iter_mut() {
        if finding.reachability == Reachability::Unreachable || finding.package.is_none() {
            continue;
        }
        let (reachability, reason, traces) = if roots.nodes.is_empty() {
            (
                Reachability::Unknown,
                format!(
                    "no roots: the workspace has no binary and its libraries define no non-generic functions; {LIBRARY_BLIND_SPOT}"
                ),
                Vec::new(),
            )
        } else {
            context.decide(finding, &index)
        };
        finding.reachability = reachability;
        finding.reachability_reason = reason;
        finding.traces = traces;
    }
    let members: HashSet<String> = metadata
        .workspace_packages()
        .iter()
        .map(|p| p.id.repr.clone())
        .collect();
    let mut crate_sources: Vec<CrateSources> = Vec::new();
    for unit in output.units.iter().filter(|u| u.for_target) {
        let (Some(dep_info), Some((name, version))) =
            (&unit.dep_info, packages.key(&unit.package_id))
        else {
            continue;
        };
        // rustc runs in the workspace root, so workspace files are listed relative to it.
        let files: Vec<PathBuf> = crate::lints::unsafe_code::files_from_dep_info(dep_info)
            .into_iter()
            .map(|f| {
                if f.is_relative() {
                    workspace_root.join(f)
                } else {
                    f
                }
            })
            .collect();
        let package = crate::finding::Package {
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
    let diagnostics = output
        .diagnostics
        .into_iter()
        .filter(|(id, _)| members.contains(id))
        .map(|(_, d)| d)
        .collect();
    Ok(Analysed {
        info,
        target,
        diagnostics,
        crate_sources,
        target_dir: Some(request.target_dir.clone()),
        reached_functions,
    })
}

impl Analysed {
    fn without_build(info: ReachabilityInfo, target: Target) -> Analysed {
        Analysed {
            info,
            target,
            diagnostics: Vec::new(),
            crate_sources: Vec::new(),
            target_dir: None,
            reached_functions: None,
        }
    }
}

/// Figures of one IR analysis run, for the benchmark (`cargo secgate debug-ir`).
#[derive(Debug)]
pub struct IrStats {
    pub files: usize,
    pub bytes: u64,
    pub functions: usize,
    pub edges: usize,
    pub reached: usize,
    pub seconds: f64,
}

/// Reads the given `.ll` files, builds the graph and searches it from every `main`: the IR
/// analysis alone, without cargo, for benchmarks.
pub fn measure_ir(paths: &[PathBuf]) -> Result<IrStats, Error> {
    let start = std::time::Instant::now();
    let modules: Vec<ir::Module> = paths
        .par_iter()
        .map(|path| read_module(path))
        .collect::<Result<_, String>>()
        .map_err(|message| Error::Workspace {
            manifest: PathBuf::from("IR"),
            message,
        })?;
    let graph = CallGraph::build(&modules);
    drop(modules);
    let roots: Vec<NodeId> = graph
        .nodes_with_ids()
        .filter(|(_, node)| {
            &*node.symbol == "main"
                || paths::demangle(&node.symbol).is_some_and(|d| d.ends_with("::main"))
        })
        .map(|(id, _)| id)
        .collect();
    let reached = graph.reach(&roots);
    let crates = HashSet::new();
    let _index = CrateIndex::new(&graph, &crates);
    let bytes = paths
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    Ok(IrStats {
        files: paths.len(),
        bytes,
        functions: graph.nodes.len(),
        edges: graph.edge_count(),
        reached: graph
            .nodes_with_ids()
            .filter(|&(id, _)| reached.contains(id))
            .count(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn mark_unknown(findings: &mut [Finding], reason: &str) {
    for finding in findings {
        if finding.reachability != Reachability::Unreachable && finding.package.is_some() {
            finding.reachability = Reachability::Unknown;
            finding.reachability_reason = reason.to_string();
        }
    }
}

fn read_module(path: &Path) -> Result<ir::Module, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let module = ir::Module::read(std::io::BufReader::with_capacity(1 << 20, file))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if module.truncated {
        return Err(format!(
            "{}: truncated (ends inside a function)",
            path.display()
        ));
    }
    if let Some(line) = module.malformed.first() {
        return Err(format!("{}:{line}: unreadable definition", path.display()));
    }
    Ok(module)
}

fn host_triple() -> Result<String, Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| Error::io("rustc", e))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| Error::Workspace {
            manifest: PathBuf::from("rustc -vV"),
            message: "rustc did not say its host triple".into(),
        })
}

fn workspace_metadata(
    manifest: &Path,
    triple: &str,
    options: &ReachabilityOptions,
) -> Result<cargo_metadata::Metadata, String> {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.manifest_path(manifest);
    let mut other = vec!["--filter-platform".to_string(), triple.to_string()];
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

/// Package ids to names, versions and source directories.
struct PackageIndex {
    by_id: HashMap<String, (PackageKey, PathBuf)>,
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
                (
                    p.id.repr.clone(),
                    ((p.name.to_string(), p.version.to_string()), dir),
                )
            })
            .collect();
        PackageIndex { by_id }
    }

    fn key(&self, id: &str) -> Option<&PackageKey> {
        self.by_id.get(id).map(|(key, _)| key)
    }

    fn source_dir(&self, key: &PackageKey) -> Option<&Path> {
        self.by_id
            .values()
            .find(|(k, _)| k == key)
            .map(|(_, dir)| dir.as_path())
    }
}

struct Roots {
    nodes: Vec<NodeId>,
    labels: Vec<String>,
    /// The roots are a library's functions (no binary): generic code nobody instantiates is unseen.
    library: bool,
}

/// Each binary's `main` (and, with `--all-targets`, each test, example and bench harness); a
/// library's own functions when the selected members have no binary.
fn find_roots(
    graph: &CallGraph,
    output: &BuildOutput,
    module_unit: &[usize],
    selected: &HashSet<String>,
    packages: &PackageIndex,
) -> Roots {
    let mut roots = Roots {
        nodes: Vec::new(),
        labels: Vec::new(),
        library: false,
    };
    let units_of = |kinds: &[&str]| -> Vec<usize> {
        output
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.for_target && selected.contains(&u.package_id))
            .filter(|(_, u)| u.kinds.iter().any(|k| kinds.contains(&k.as_str())))
            .map(|(i, _)| i)
            .collect()
    };
    let program_units = units_of(&["bin", "example", "test", "bench"]);
    for unit in &program_units {
        let crate_name = output.units[*unit].target_name.replace('-', "_");
        let main = defined_in_unit(graph, module_unit, *unit)
            .find(|&node| {
                paths::demangle(&graph.node(node).symbol)
                    .is_some_and(|d| d == format!("{crate_name}::main"))
            })
            .or_else(|| {
                defined_in_unit(graph, module_unit, *unit)
                    .find(|&n| &*graph.node(n).symbol == "main")
            });
        if let Some(main) = main {
            roots.nodes.push(main);
            let kind = output.units[*unit].kinds.join(",");
            roots
                .labels
                .push(format!("{kind} {} (main)", output.units[*unit].target_name));
        }
    }
    if !program_units.is_empty() {
        return roots;
    }
    roots.library = true;
    for unit in units_of(&["lib", "rlib", "dylib", "cdylib", "staticlib"]) {
        let crate_name = output.units[unit].target_name.replace('-', "_");
        let before = roots.nodes.len();
        for node in defined_in_unit(graph, module_unit, unit) {
            let own = paths::demangle(&graph.node(node).symbol).is_some_and(|d| {
                paths::candidate_paths(&d)
                    .iter()
                    .any(|p| p.first() == Some(&crate_name))
            });
            if own {
                roots.nodes.push(node);
            }
        }
        let name = packages
            .key(&output.units[unit].package_id)
            .map_or(crate_name.clone(), |(n, _)| n.clone());
        roots.labels.push(format!(
            "lib {name} ({} functions)",
            roots.nodes.len() - before
        ));
    }
    roots
}

fn defined_in_unit<'a>(
    graph: &'a CallGraph,
    module_unit: &'a [usize],
    unit: usize,
) -> impl Iterator<Item = NodeId> + 'a {
    graph
        .nodes_with_ids()
        .filter(move |(_, n)| n.module.is_some_and(|m| module_unit[m as usize] == unit))
        .map(|(id, _)| id)
}

/// The graph's nodes for the crates that findings are about, with their candidate paths.
struct CrateIndex {
    by_crate: HashMap<String, Vec<(NodeId, paths::Path)>>,
    /// Symbols that are not Rust-mangled (C functions): FFI matches.
    unmangled: HashMap<String, Vec<NodeId>>,
}

impl CrateIndex {
    fn new(graph: &CallGraph, crates: &HashSet<String>) -> CrateIndex {
        let mut by_crate: HashMap<String, Vec<(NodeId, paths::Path)>> = HashMap::new();
        let mut unmangled: HashMap<String, Vec<NodeId>> = HashMap::new();
        for (id, node) in graph.nodes_with_ids() {
            match paths::demangle(&node.symbol) {
                Some(demangled) => {
                    for path in paths::candidate_paths(&demangled) {
                        if let Some(first) = path.first()
                            && crates.contains(first)
                        {
                            by_crate.entry(first.clone()).or_default().push((id, path));
                        }
                    }
                }
                None => unmangled
                    .entry(node.symbol.to_string())
                    .or_default()
                    .push(id),
            }
        }
        CrateIndex {
            by_crate,
            unmangled,
        }
    }
}

struct Context<'a> {
    graph: &'a CallGraph,
    reached: &'a graph::Reached,
    output: &'a BuildOutput,
    module_unit: &'a [usize],
    packages: &'a PackageIndex,
    workspace_root: &'a Path,
    library_roots: bool,
    problems: &'a [String],
    traces: usize,
}

const LIBRARY_BLIND_SPOT: &str = "generic library code that nothing instantiates is invisible in IR (build a binary, or use --all-targets so tests and examples instantiate it)";

impl Context<'_> {
    /// Decides one finding: reachability, reason and traces.
    fn decide(&self, finding: &Finding, index: &CrateIndex) -> (Reachability, String, Vec<Trace>) {
        let package = finding.package.as_ref().expect("advisory finding");
        let key: PackageKey = (package.name.clone(), package.version.clone());
        let units: Vec<&build::Unit> = self
            .output
            .units
            .iter()
            .filter(|u| self.packages.key(&u.package_id) == Some(&key))
            .collect();
        if !units.iter().any(|u| u.for_target) {
            let reason = if units.is_empty() {
                "not in this build: not compiled for the analysed target and features (a dev-dependency, an optional feature that is off, or code for another target)".to_string()
            } else {
                "build-time only: used by build scripts or proc macros, it does not run in the program".to_string()
            };
            return (Reachability::Unreachable, reason, Vec::new());
        }
        let versions_in_build: BTreeSet<&String> = self
            .output
            .units
            .iter()
            .filter(|u| u.for_target)
            .filter_map(|u| self.packages.key(&u.package_id))
            .filter(|(name, _)| *name == package.name)
            .map(|(_, version)| version)
            .collect();
        let only_version = versions_in_build.len() == 1;
        let belongs = |node: NodeId| self.belongs_to(node, &key, only_version);

        if finding.affected_functions.is_empty() {
            let crate_name = package.name.replace('-', "_");
            let reached_code = index
                .by_crate
                .get(&crate_name)
                .into_iter()
                .flatten()
                .any(|(node, _)| self.reached.contains(*node) && belongs(*node))
                || self.unit_code_reached(&key);
            return if reached_code {
                (
                    Reachability::Unknown,
                    "advisory lists no functions; crate code is reachable".into(),
                    Vec::new(),
                )
            } else {
                self.not_reached("crate code not reachable from the roots".into())
            };
        }

        let mut matched: Vec<(NodeId, MatchKind, String)> = Vec::new();
        for function in &finding.affected_functions {
            let wanted = paths::advisory_path(function);
            let candidates = index
                .by_crate
                .get(&wanted[0])
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let mut found: Vec<(NodeId, MatchKind)> = candidates
                .iter()
                .filter(|(node, path)| paths::matches_exact(path, &wanted) && belongs(*node))
                .map(|(node, _)| (*node, MatchKind::Exact))
                .collect();
            if found.is_empty() {
                found = candidates
                    .iter()
                    .filter(|(node, path)| paths::matches_reexport(path, &wanted) && belongs(*node))
                    .map(|(node, _)| (*node, MatchKind::ReExport))
                    .collect();
            }
            if found.is_empty() && wanted.len() == 2 {
                found = index
                    .unmangled
                    .get(&wanted[1])
                    .into_iter()
                    .flatten()
                    .map(|&node| (node, MatchKind::Ffi))
                    .collect();
            }
            matched.extend(found.into_iter().map(|(n, k)| (n, k, function.clone())));
        }
        matched.sort();
        matched.dedup_by_key(|(node, _, _)| *node);

        let mut reachable: Vec<(usize, NodeId, MatchKind, String)> = matched
            .iter()
            .filter(|(node, _, _)| self.reached.contains(*node))
            .map(|(node, kind, function)| {
                (
                    self.reached.path_to(*node).len(),
                    *node,
                    *kind,
                    function.clone(),
                )
            })
            .collect();
        if !reachable.is_empty() {
            reachable.sort();
            let (_, first, kind, function) = &reachable[0];
            let traces: Vec<Trace> = reachable
                .iter()
                .take(self.traces)
                .map(|(_, node, _, _)| self.trace(*node))
                .collect();
            let via = self.graph.node(*first).symbol.clone();
            let shown = paths::demangle(&via).unwrap_or_else(|| via.to_string());
            return (
                Reachability::Reachable,
                format!("{function} is reachable ({kind} match: {shown})"),
                traces,
            );
        }
        if !matched.is_empty() {
            let listed: BTreeSet<&str> = matched.iter().map(|(_, _, f)| f.as_str()).collect();
            return self.not_reached(format!(
                "{} compiled into the program but not reachable from the roots",
                listed.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        // Nothing in the IR: find out from the crate's source what the advisory names.
        let source_dir = self.packages.source_dir(&key);
        let mut missing = Vec::new();
        let mut macros = Vec::new();
        for function in &finding.affected_functions {
            let name = function.rsplit("::").next().unwrap_or(function);
            match source_dir.map(|dir| source::declares(dir, name)) {
                Some(source::Declared::Macro) => macros.push(function.clone()),
                Some(source::Declared::Item) => {}
                Some(source::Declared::Nothing) | None => missing.push(function.clone()),
            }
        }
        if !macros.is_empty() {
            return (
                Reachability::Unknown,
                format!(
                    "the advisory lists a macro ({}); macro expansions leave no symbol in the IR",
                    macros.join(", ")
                ),
                Vec::new(),
            );
        }
        if missing.len() == finding.affected_functions.len() {
            return (
                Reachability::Unknown,
                format!(
                    "{} not found in {} {}'s source: the advisory may name an item of another version",
                    missing.join(", "),
                    package.name,
                    package.version
                ),
                Vec::new(),
            );
        }
        self.not_reached(format!(
            "{} never compiled into the program: nothing calls or instantiates it",
            finding.affected_functions.join(", ")
        ))
    }

    /// `unreachable`, unless the analysis was incomplete: then `unknown` saying why.
    fn not_reached(&self, reason: String) -> (Reachability, String, Vec<Trace>) {
        if let Some(problem) = self.problems.first() {
            return (
                Reachability::Unknown,
                format!("{reason}, but the IR could not all be read ({problem})"),
                Vec::new(),
            );
        }
        if self.library_roots {
            return (
                Reachability::Unknown,
                format!(
                    "{reason}, but the roots are a library's functions and {LIBRARY_BLIND_SPOT}"
                ),
                Vec::new(),
            );
        }
        (Reachability::Unreachable, reason, Vec::new())
    }

    /// Whether a node's code is the given package version's: by the source file's registry
    /// folder (`name-version`), else by the unit whose IR defines it, else by being the only version.
    fn belongs_to(&self, node: NodeId, key: &PackageKey, only_version: bool) -> bool {
        let node = self.graph.node(node);
        if let Some(source) = node.source {
            let file = self.graph.file(source.file);
            if let Some(version) = registry_version(file, &key.0) {
                return version == key.1;
            }
        }
        if let Some(module) = node.module {
            let unit = &self.output.units[self.module_unit[module as usize]];
            if self.packages.key(&unit.package_id) == Some(key) {
                return true;
            }
        }
        only_version
    }

    /// Whether any function defined in the package's own IR is reached.
    fn unit_code_reached(&self, key: &PackageKey) -> bool {
        self.graph.nodes_with_ids().any(|(id, node)| {
            node.module.is_some_and(|m| {
                let unit = &self.output.units[self.module_unit[m as usize]];
                self.packages.key(&unit.package_id) == Some(key)
            }) && self.reached.contains(id)
        })
    }

    fn trace(&self, node: NodeId) -> Trace {
        let path = self.reached.path_to(node);
        // Globals (vtables, function-pointer tables) are how a call happens, not frames of it.
        let frames = path
            .iter()
            .filter(|(id, _)| !self.graph.node(*id).global)
            .map(|(id, site)| {
                let n = self.graph.node(*id);
                let function = paths::demangle(&n.symbol).unwrap_or_else(|| n.symbol.to_string());
                let location = site.or(n.source).map(|s| self.location(s));
                Frame { function, location }
            })
            .collect();
        Trace { frames }
    }

    fn location(&self, site: SourceLine) -> Location {
        Location {
            file: display_path(self.graph.file(site.file), self.workspace_root),
            line: site.line,
            column: (site.column > 0).then_some(site.column),
        }
    }
}

/// The version in a registry source path: `…/smallvec-0.6.13/src/lib.rs` gives `0.6.13`.
fn registry_version<'a>(file: &'a str, crate_name: &str) -> Option<&'a str> {
    let prefix = format!("{crate_name}-");
    file.split('/')
        .filter_map(|component| component.strip_prefix(&prefix))
        .find(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// A source path as a reader wants it: relative to the workspace, or from the registry folder.
pub(crate) fn display_path(file: &str, workspace_root: &Path) -> String {
    if let Ok(relative) = Path::new(file).strip_prefix(workspace_root) {
        return relative.display().to_string();
    }
    if let Some((_, rest)) = file.split_once("/registry/src/")
        && let Some((_, inside)) = rest.split_once('/')
    {
        return inside.to_string();
    }
    if let Some(rest) = file.strip_prefix("/rustc/")
        && let Some((_, inside)) = rest.split_once('/')
    {
        return inside.to_string();
    }
    file.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_version_reads_the_folder_name() {
        let file = "/home/u/.cargo/registry/src/index.crates.io-1/smallvec-0.6.13/lib.rs";
        assert_eq!(registry_version(file, "smallvec"), Some("0.6.13"));
        assert_eq!(registry_version(file, "small"), None);
        assert_eq!(
            registry_version("/r/lock_api-0.4.1/src/rwlock.rs", "lock_api"),
            Some("0.4.1")
        );
    }

    #[test]
    fn truncated_or_garbage_ir_is_a_problem_not_a_graph() {
        let dir = tempfile::tempdir().unwrap();
        let truncated = dir.path().join("a.ll");
        std::fs::write(&truncated, "define void @main() {\n  call void @f()\n").unwrap();
        assert!(read_module(&truncated).unwrap_err().contains("truncated"));
        let garbage = dir.path().join("b.ll");
        std::fs::write(&garbage, "define garbage {\n}\n").unwrap();
        assert!(read_module(&garbage).unwrap_err().contains("b.ll:1"));
        assert!(read_module(&dir.path().join("missing.ll")).is_err());
    }

    #[test]
    fn display_paths_are_short() {
        let root = Path::new("/home/dev/app");
        assert_eq!(
            display_path("/home/dev/app/src/main.rs", root),
            "src/main.rs"
        );
        assert_eq!(
            display_path(
                "/h/.cargo/registry/src/index.crates.io-1/smallvec-0.6.13/lib.rs",
                root
            ),
            "smallvec-0.6.13/lib.rs"
        );
        assert_eq!(
            display_path("/rustc/5980/library/core/src/option.rs", root),
            "library/core/src/option.rs"
        );
    }
}
