//! Reachability: decides from the compiled program whether each advisory's vulnerable code can run.
//!
//! Every `.ll` of the shared build ([`crate::build`]) is read ([`ir`]) into one reference graph
//! ([`graph`]), and the graph is searched from the roots ([`roots`]: each binary's `main`; a
//! library's own functions when the workspace has no binary). Each advisory's
//! `[affected.functions]` are matched against the graph's symbols ([`paths`]) and decided
//! ([`decide`]); advisories that list no functions get crate-level evidence. The verdict is set on
//! the finding, never used to drop it: `reachable` with call traces, `unreachable` only after a
//! complete analysis, `unknown` with the reason otherwise.

mod cache;
mod completeness;
mod decide;
mod graph;
mod ir;
mod macros;
mod measure;
mod ordered;
mod paths;
mod resolve;
mod roots;
mod source;

pub use measure::{IrStats, measure_ir};
pub use paths::demangle;
pub(crate) use resolve::items_in_macro;
pub use resolve::{CrateTree, Resolution};

use crate::build::{BuildFailure, BuildOutcome, Built, FailedStep};
use crate::finding::{Finding, Reachability};
use crate::reached::ReachedFunctions;
use crate::report::{ReachabilityInfo, ReachabilityStatus};
use decide::{Context, CrateIndex, LIBRARY_BLIND_SPOT};
use graph::CallGraph;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What the analysis found besides the verdicts it set.
#[derive(Debug)]
pub struct Analysed {
    pub info: ReachabilityInfo,
    /// The functions reached from the roots, by file and line; `None` without a graph or roots.
    pub reached_functions: Option<ReachedFunctions>,
}

/// Sets the reachability of every advisory finding from the build's IR, keeping `traces` call
/// traces per reachable finding.
pub fn analyse(
    build: &BuildOutcome,
    workspace_root: &Path,
    findings: &mut [Finding],
    traces: usize,
    progress: &crate::progress::Reporter,
) -> Analysed {
    match build {
        BuildOutcome::NotRun(why) => Analysed {
            info: ReachabilityInfo::not_run(why),
            reached_functions: None,
        },
        BuildOutcome::Failed(failure) => not_built(failure, findings),
        BuildOutcome::Built(built) => {
            analyse_built(built, workspace_root, findings, traces, progress)
        }
    }
}

/// A build that did not complete: every advisory stays `unknown`, saying which step failed.
fn not_built(failure: &BuildFailure, findings: &mut [Finding]) -> Analysed {
    let (status, reason) = match &failure.step {
        FailedStep::Metadata(message) => (
            ReachabilityStatus::Failed,
            format!("cargo metadata failed: {message}"),
        ),
        FailedStep::Compile(error) => (
            ReachabilityStatus::BuildFailed,
            format!("the build failed: {error}"),
        ),
    };
    mark_unknown(findings, &reason);
    Analysed {
        info: ReachabilityInfo {
            status,
            ..info_for(&failure.triple, &failure.features)
        },
        reached_functions: None,
    }
}

fn info_for(triple: &str, features: &str) -> ReachabilityInfo {
    ReachabilityInfo {
        status: ReachabilityStatus::Complete,
        target: Some(triple.to_string()),
        features: features.to_string(),
        roots: Vec::new(),
        ir_files: 0,
        ir_bytes: 0,
        functions: 0,
        edges: 0,
    }
}

fn analyse_built(
    built: &Built,
    workspace_root: &Path,
    findings: &mut [Finding],
    traces: usize,
    progress: &crate::progress::Reporter,
) -> Analysed {
    let mut info = info_for(&built.triple, &built.features);
    let ir = read_ir(built, progress);
    info.ir_files = ir.files;
    info.ir_bytes = ir.bytes;
    let graph = ir.graph;
    info.functions = graph.nodes.len();
    info.edges = graph.edge_count();

    progress.step(&format!(
        "searching the graph ({} functions, {} edges) from its roots",
        info.functions, info.edges
    ));
    let roots = roots::find_roots(
        &graph,
        &built.output,
        &ir.module_unit,
        &built.selected,
        &built.packages,
    );
    info.roots = roots.labels.clone();
    let reached = graph.reach(&roots.nodes);
    let reached_functions =
        (!roots.nodes.is_empty()).then(|| graph::reached_functions(&graph, &reached));
    if let Some(problem) = ir.problems.first() {
        // Not `complete`: nothing the unread IR could have shown is `unreachable` (decide.rs).
        info.status = ReachabilityStatus::Incomplete(format!(
            "{} IR file(s) missing or unreadable, first: {problem}",
            ir.problems.len()
        ));
    } else if roots.nodes.is_empty() {
        info.status = ReachabilityStatus::NoRoots;
    }
    let context = Context {
        graph: &graph,
        reached: &reached,
        output: &built.output,
        module_unit: &ir.module_unit,
        packages: &built.packages,
        workspace_root,
        library_roots: roots.library,
        problems: &ir.problems,
        traces: traces.max(1),
        crate_sources: &built.crate_sources,
        trees: Default::default(),
    };
    let crates: HashSet<String> = findings
        .iter()
        .filter_map(|f| f.package.as_ref())
        .map(|p| crate::finding::crate_name(&p.name))
        .collect();
    progress.step(&format!(
        "deciding the advisories of {} crates from the graph",
        crates.len()
    ));
    let index = CrateIndex::new(&graph, &crates);
    for finding in findings.iter_mut() {
        if finding.reachability == Reachability::Unreachable {
            continue;
        }
        let Some(package) = finding.package.clone() else {
            continue;
        };
        let (reachability, reason, traces) = if roots.nodes.is_empty()
            && let Some(problem) = ir.problems.first()
        {
            // The roots may be in the IR that could not be read: that, not "no binary", is why.
            (
                Reachability::Unknown,
                format!("no roots found, and the IR could not all be read ({problem})"),
                Vec::new(),
            )
        } else if roots.nodes.is_empty() {
            (
                Reachability::Unknown,
                format!(
                    "no roots: the workspace has no binary and its libraries define no non-generic functions; {LIBRARY_BLIND_SPOT}"
                ),
                Vec::new(),
            )
        } else {
            context.decide(finding, &package, &index)
        };
        finding.reachability = reachability;
        finding.reachability_reason = reason;
        finding.traces = traces;
    }
    Analysed {
        info,
        reached_functions,
    }
}

/// The build's IR as one graph, with the unit each module came from and the files that could
/// not be read.
struct ReadIr {
    graph: CallGraph,
    /// The build unit of each module, by module index.
    module_unit: Vec<usize>,
    /// Files that could not be read: the analysis is incomplete.
    problems: Vec<String>,
    files: usize,
    bytes: u64,
}

fn read_ir(built: &Built, progress: &crate::progress::Reporter) -> ReadIr {
    let ir_paths: Vec<(usize, PathBuf)> = built
        .output
        .units
        .iter()
        .enumerate()
        .flat_map(|(unit, u)| u.ir.iter().map(move |p| (unit, p.clone())))
        .collect();
    progress.step(&format!("reading the IR of {} units", ir_paths.len()));
    let paths: Vec<&Path> = ir_paths.iter().map(|(_, path)| path.as_path()).collect();
    // The cache of read modules is keyed by the digests the build recorded: usable only when
    // every IR file was just found to match its digest.
    let loaded = load_graph(&paths, built.ir_problems.is_empty());
    let mut problems = built.ir_problems.clone();
    problems.extend(loaded.problems.into_iter().map(|(_, problem)| problem));
    ReadIr {
        graph: loaded.graph,
        module_unit: loaded
            .modules
            .iter()
            .map(|&file| ir_paths[file].0)
            .collect(),
        problems,
        files: ir_paths.len(),
        bytes: loaded.bytes,
    }
}

/// The graph of the modules that could be read, and what became of each file.
struct Loaded {
    graph: CallGraph,
    /// The file (index into the paths given) of each module, by module id.
    modules: Vec<usize>,
    /// The files that could not be read (index, why), in order.
    problems: Vec<(usize, String)>,
    bytes: u64,
}

/// Reads the `.ll` files in parallel and merges each module into the graph in file order, as
/// soon as its turn comes, then drops it: only a few modules are in memory at once, and the
/// graph is the same as if all were read first (same order, same numbering). With `cached`, a
/// module is taken from the cache of read modules when it holds this very IR ([`cache`]), and
/// stored there once read.
fn load_graph(paths: &[&Path], cached: bool) -> Loaded {
    let workers = rayon::current_num_threads();
    let mut loaded = Loaded {
        graph: CallGraph::default(),
        modules: Vec::new(),
        problems: Vec::new(),
        bytes: 0,
    };
    ordered::read_in_order(
        paths,
        workers,
        2 * workers,
        |path| {
            if cached && let Some(module) = cache::load(path) {
                return Ok(module);
            }
            let module = read_module(path)?;
            if cached {
                cache::store(path, &module);
            }
            Ok(module)
        },
        |file, result| {
            loaded.bytes += std::fs::metadata(paths[file]).map(|m| m.len()).unwrap_or(0);
            match result {
                Ok(module) => {
                    let id = graph::next_id(loaded.modules.len());
                    loaded.graph.add_module(id, &module);
                    loaded.modules.push(file);
                }
                Err(problem) => loaded.problems.push((file, problem)),
            }
        },
    );
    loaded.graph.finish();
    loaded
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
    if let Some(problem) = module.completeness.problem(&module) {
        return Err(format!("{}: {problem}", path.display()));
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
