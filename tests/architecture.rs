//! The library's layers, checked: which top-level module of `src/` may name which (`crate::x`),
//! and no import cycle between them. The README's "Architecture" section says the same in words.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and its layer. A module may import its own layer's modules only where
/// the layer says so, and the layers below it.
const LAYERS: &[(&str, &[&str])] = &[
    // The model: what a scan is about and how its results are named. Imports only itself.
    (
        "model",
        &[
            "finding", "report", "ids", "error", "hash", "reached", "location",
        ],
    ),
    // What every source stands on: the workspace, the one build, files and progress.
    (
        "base",
        &[
            "workspace",
            "resolved",
            "target",
            "build",
            "output",
            "progress",
            "tools",
        ],
    ),
    // The finding sources: each stands on the model and the base, never on another source.
    (
        "source",
        &["advisories", "reachability", "lints", "supply_chain"],
    ),
    // The policy (evaluation is a pure function over the model; `policy::edit` writes the file
    // through the base's atomic writer) and the renderers (pure functions over the model).
    ("policy", &["policy"]),
    ("render", &["render"]),
    // Comparing with a git revision: re-runs a source at the revision, so it sits above them.
    // Inferring vulnerable functions from a fix reads crates as the sources do.
    ("baseline", &["baseline"]),
    ("tooling", &["infer"]),
];

/// The layers each layer may import (besides itself, within the limits below).
fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "model" => &["model"],
        "base" => &["model", "base"],
        "source" => &["model", "base"],
        "policy" => &["model", "base"],
        "render" => &["model"],
        "baseline" => &["model", "base", "source"],
        "tooling" => &["model", "base", "source"],
        _ => &[],
    }
}

fn layer_of(module: &str) -> Option<&'static str> {
    LAYERS
        .iter()
        .find(|(_, modules)| modules.contains(&module))
        .map(|(layer, _)| *layer)
}

/// The top-level modules each top-level module names as `crate::x`, comments left out.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap();
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            graph
                .entry(module.clone())
                .or_default()
                .extend(named_modules(&module, &text));
        }
    }
    graph
}

/// The top-level modules `text` (a file of `module`) names as `crate::x`, comments left out.
fn named_modules(module: &str, text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                used.insert(name);
            }
        }
    }
    used
}

/// A cycle in the graph, as the modules around it, if there is one (depth-first search: a module
/// met again while still on the path closes a cycle).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn every_module_has_a_layer() {
    for module in imports().keys() {
        assert!(
            layer_of(module).is_some(),
            "src/{module}: add it to a layer in tests/architecture.rs (and the README)"
        );
    }
}

#[test]
fn modules_import_only_the_layers_below_them() {
    let mut wrong = Vec::new();
    for (module, used) in imports() {
        let Some(layer) = layer_of(&module) else {
            continue;
        };
        for target in used {
            let Some(target_layer) = layer_of(&target) else {
                continue;
            };
            // Sources never import one another; other layers may import within themselves.
            let sibling_source = layer == "source" && target_layer == "source";
            if sibling_source || !allowed(layer).contains(&target_layer) {
                wrong.push(format!(
                    "{module} ({layer}) imports {target} ({target_layer})"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn there_is_no_import_cycle() {
    if let Some(cycle) = find_cycle(&imports()) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

/// The checker itself finds what it must.
#[test]
fn the_checker_reads_paths_and_finds_cycles() {
    let text = "use crate::b::X;\n// crate::c in a comment\nfn f() { crate::a::g(); $crate::d::m!() }\nuse foocrate::e;\n";
    let names: Vec<String> = named_modules("a", text).into_iter().collect();
    assert_eq!(
        names,
        ["b", "d"],
        "itself, comments and other crates left out"
    );
    let graph = |edges: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
        }
        graph
    };
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
}
