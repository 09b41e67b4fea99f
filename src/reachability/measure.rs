//! The IR analysis alone, without cargo: for the benchmark (`cargo secgate debug-ir`).

use super::graph::{CallGraph, NodeId};
use super::{decide::CrateIndex, ir, paths, read_module};
use crate::error::Error;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

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
