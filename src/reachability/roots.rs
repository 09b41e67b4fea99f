//! Where the search starts: each binary's `main` (and, with `--all-targets`, each test, example
//! and bench harness), the functions the members export by name (`#[no_mangle]`, which C code or
//! the program loading a cdylib calls) and those std calls by name (a `#[global_allocator]`'s
//! shims); a library's own functions when the selected members have no binary.

use super::graph::{CallGraph, NodeId};
use super::paths;
use crate::build::{BuildOutput, PackageIndex};
use std::collections::HashSet;

pub(super) struct Roots {
    pub(super) nodes: Vec<NodeId>,
    pub(super) labels: Vec<String>,
    /// The roots are a library's functions (no binary): generic code nobody instantiates is unseen.
    pub(super) library: bool,
}

/// Each binary's `main` (and, with `--all-targets`, each test, example and bench harness); a
/// library's own functions when the selected members have no binary.
pub(super) fn find_roots(
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
            .filter(|(_, u)| {
                kinds.is_empty() || u.kinds.iter().any(|k| kinds.contains(&k.as_str()))
            })
            .map(|(i, _)| i)
            .collect()
    };
    let program_units = units_of(&["bin", "example", "test", "bench"]);
    for unit in &program_units {
        let crate_name = crate::finding::crate_name(&output.units[*unit].target_name);
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
        exported_roots(graph, output, module_unit, &units_of(&[]), &mut roots);
        runtime_hook_roots(graph, &mut roots);
        return roots;
    }
    roots.library = true;
    for unit in units_of(&["lib", "rlib", "dylib", "cdylib", "staticlib"]) {
        let crate_name = crate::finding::crate_name(&output.units[unit].target_name);
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

/// Adds the functions the `units` export by name, other than `main`: nothing in the IR may call
/// them, yet the code around the program can.
fn exported_roots(
    graph: &CallGraph,
    output: &BuildOutput,
    module_unit: &[usize],
    units: &[usize],
    roots: &mut Roots,
) {
    for &unit in units {
        let exported: Vec<NodeId> = defined_in_unit(graph, module_unit, unit)
            .filter(|&node| graph.node(node).exported && &*graph.node(node).symbol != "main")
            .filter(|node| !roots.nodes.contains(node))
            .collect();
        if exported.is_empty() {
            continue;
        }
        let unit = &output.units[unit];
        roots.labels.push(format!(
            "{} {} ({} exported function{})",
            unit.kinds.join(","),
            unit.target_name,
            exported.len(),
            if exported.len() == 1 { "" } else { "s" }
        ));
        roots.nodes.extend(exported);
    }
}

/// Adds the functions the standard library calls by name, which rustc defines in the program's
/// crates under `__rustc::` (`__rust_alloc` and the rest of a `#[global_allocator]`'s shims): std
/// is not in the IR, so nothing there calls them, yet every allocation does.
fn runtime_hook_roots(graph: &CallGraph, roots: &mut Roots) {
    let hooks: Vec<NodeId> = graph
        .nodes_with_ids()
        // The substring first: demangling every symbol of a large program is not free.
        .filter(|(_, n)| n.module.is_some() && !n.global && n.symbol.contains("__rustc"))
        .filter(|(_, n)| paths::demangle(&n.symbol).is_some_and(|d| d.starts_with("__rustc::")))
        .map(|(id, _)| id)
        .filter(|id| !roots.nodes.contains(id))
        .collect();
    if hooks.is_empty() {
        return;
    }
    roots.labels.push(format!(
        "{} function{} std calls by name (global allocator)",
        hooks.len(),
        if hooks.len() == 1 { "" } else { "s" }
    ));
    roots.nodes.extend(hooks);
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
