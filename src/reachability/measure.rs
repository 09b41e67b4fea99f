//! The IR analysis alone, without cargo: for the benchmark (`cargo secgate debug-ir`).

use super::graph::NodeId;
use super::{decide::CrateIndex, load_graph, paths};
use crate::error::Error;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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
    let files: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    // Without the cache of read modules: this measures reading the IR.
    let loaded = load_graph(&files, false);
    if let Some((_, message)) = loaded.problems.into_iter().next() {
        return Err(Error::Workspace {
            manifest: PathBuf::from("IR"),
            message,
        });
    }
    let graph = loaded.graph;
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
    Ok(IrStats {
        files: paths.len(),
        bytes: loaded.bytes,
        functions: graph.nodes.len(),
        edges: graph.edge_count(),
        reached: graph
            .nodes_with_ids()
            .filter(|&(id, _)| reached.contains(id))
            .count(),
        seconds: start.elapsed().as_secs_f64(),
    })
}
