//! The whole-program reference graph built from every module of the build.
//!
//! One node per function or global symbol; an edge wherever a body or an initializer names a
//! symbol (a call, an invoke, a vtable, a function pointer, a static). Functions that rustc inlined
//! (`DISubprogram` reached through `inlinedAt`) become nodes too, called by the function they were
//! inlined into. Symbols with internal or private linkage belong to their file, except Rust-mangled
//! names, whose hash already makes them unique across files.

use super::ir::{DebugInfo, DiLocation, Module, SymbolIndex};
use crate::reached::ReachedFunctions;
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::collections::VecDeque;
use std::hash::BuildHasher;

pub type NodeId = u32;
pub type FileId = u32;

/// A place in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLine {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// The (mangled) symbol name.
    pub symbol: Box<str>,
    /// The module that defines it, if any module does.
    pub module: Option<u32>,
    /// Where the function is defined in the source, from its `DISubprogram`.
    pub source: Option<SourceLine>,
    /// A global (vtable, static, table of function pointers) rather than a function.
    pub global: bool,
    /// A function defined under a name the linker sees as is (`#[no_mangle]`, `extern "C"`
    /// exports, the allocator shims): code outside the program's Rust, a C library or the
    /// program that loads a cdylib, can call it by that name.
    pub exported: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub to: NodeId,
    /// Where the referring function names the target (the call site), when debug info says.
    pub site: Option<SourceLine>,
}

/// The graph: nodes, their outgoing edges, and the interned source file names.
#[derive(Debug, Default)]
pub struct CallGraph {
    pub nodes: Vec<Node>,
    edges: Vec<Vec<Edge>>,
    /// Program-wide symbols: their nodes, found by the hash of the name the node holds (the name
    /// is stored once, in the node, not again as a key).
    globals: HashTable<NodeId>,
    files: Vec<Box<str>>,
    file_index: FxHashMap<Box<str>, FileId>,
}

/// The id of the next node or file. Ids are `u32` to halve the graph's memory; a build with four
/// billion functions would not fit in memory long before, so running out is a bug to stop on.
pub(super) fn next_id(count: usize) -> u32 {
    u32::try_from(count).expect("fewer than 2^32 nodes and files in one graph")
}

/// Rust symbol names carry a hash of the instance, so one name is one function in any file.
fn is_rust_mangled(name: &str) -> bool {
    name.starts_with("_ZN") || name.starts_with("_R")
}

impl CallGraph {
    /// Builds the graph from modules in a fixed order, so node numbering is deterministic.
    #[cfg(test)]
    pub fn build(modules: &[Module]) -> CallGraph {
        let mut graph = CallGraph::default();
        for (id, module) in (0u32..).zip(modules) {
            graph.add_module(id, module);
        }
        graph.finish();
        graph
    }

    #[cfg(test)]
    pub fn edges(&self, node: NodeId) -> &[Edge] {
        &self.edges[node as usize]
    }

    /// Every node with its id.
    pub fn nodes_with_ids(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        (0..).zip(&self.nodes)
    }

    pub fn node(&self, node: NodeId) -> &Node {
        &self.nodes[node as usize]
    }

    pub fn file(&self, file: FileId) -> &str {
        &self.files[file as usize]
    }

    pub fn edge_count(&self) -> usize {
        self.edges.iter().map(Vec::len).sum()
    }

    /// Finds the nodes of a symbol name (one global, or one per file for local symbols).
    #[cfg(test)]
    pub fn find(&self, symbol: &str) -> Vec<NodeId> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| &*n.symbol == symbol)
            .map(|(i, _)| i as NodeId)
            .collect()
    }

    fn new_node(&mut self, symbol: &str) -> NodeId {
        let id = next_id(self.nodes.len());
        self.nodes.push(Node {
            symbol: symbol.into(),
            module: None,
            source: None,
            global: false,
            exported: false,
        });
        self.edges.push(Vec::new());
        id
    }

    fn global_node(&mut self, symbol: &str) -> NodeId {
        let hash = FxBuildHasher.hash_one(symbol);
        let nodes = &self.nodes;
        if let Some(&id) = self
            .globals
            .find(hash, |&id| &*nodes[id as usize].symbol == symbol)
        {
            return id;
        }
        let id = self.new_node(symbol);
        let nodes = &self.nodes;
        self.globals.insert_unique(hash, id, |&id| {
            FxBuildHasher.hash_one(&*nodes[id as usize].symbol)
        });
        id
    }

    fn intern_file(&mut self, path: &str) -> FileId {
        if let Some(&id) = self.file_index.get(path) {
            return id;
        }
        let id = next_id(self.files.len());
        self.files.push(path.into());
        self.file_index.insert(path.into(), id);
        id
    }

    /// Adds one module's functions, globals and references; modules must come in a fixed order
    /// for the numbering to be deterministic. [`CallGraph::finish`] after the last.
    pub(super) fn add_module(&mut self, module_id: u32, module: &Module) {
        // Which names mean a definition of this file rather than the program-wide symbol, and
        // which are plain data (string constants, …) that lead nowhere and need no node.
        #[derive(Clone, Copy, PartialEq)]
        enum Scope {
            Global,
            Local,
            Data,
        }
        let mut scope = vec![Scope::Global; module.symbols.len()];
        for function in &module.functions {
            if function.local && !is_rust_mangled(module.symbol(function.symbol)) {
                scope[function.symbol as usize] = Scope::Local;
            }
        }
        for global in &module.globals {
            if global.local && !is_rust_mangled(module.symbol(global.symbol)) {
                scope[global.symbol as usize] = if global.references.is_empty() {
                    Scope::Data
                } else {
                    Scope::Local
                };
            }
        }
        let mut ids: Vec<Option<NodeId>> = vec![None; module.symbols.len()];
        let mut resolve = |graph: &mut CallGraph, symbol: SymbolIndex| -> Option<NodeId> {
            if let Some(id) = ids[symbol as usize] {
                return Some(id);
            }
            let name = module.symbol(symbol);
            let id = match scope[symbol as usize] {
                Scope::Data => return None,
                // A file's own symbol: a node of its own. A module names each symbol once (its
                // names are interned), and `ids` keeps the node for the rest of this module.
                Scope::Local => graph.new_node(name),
                Scope::Global => graph.global_node(name),
            };
            ids[symbol as usize] = Some(id);
            Some(id)
        };

        for global in &module.globals {
            let Some(from) = resolve(self, global.symbol) else {
                continue;
            };
            self.nodes[from as usize].module.get_or_insert(module_id);
            self.nodes[from as usize].global = true;
            for &target in &global.references {
                if let Some(to) = resolve(self, target) {
                    self.edges[from as usize].push(Edge { to, site: None });
                }
            }
        }

        for function in &module.functions {
            let Some(from) = resolve(self, function.symbol) else {
                continue;
            };
            let source = function
                .subprogram
                .and_then(|sp| self.subprogram_source(&module.debug, sp));
            let exported = scope[function.symbol as usize] == Scope::Global
                && !is_rust_mangled(module.symbol(function.symbol));
            let node = &mut self.nodes[from as usize];
            node.module.get_or_insert(module_id);
            node.exported |= exported;
            if node.source.is_none() {
                node.source = source;
            }
            for reference in &function.references {
                let Some(to) = resolve(self, reference.symbol) else {
                    continue;
                };
                match reference.location {
                    Some(location) => self.add_located_edge(module, from, to, location),
                    None => self.edges[from as usize].push(Edge { to, site: None }),
                }
            }
        }
    }

    /// Adds `from → to` at `location`; if the instruction sits in inlined code, adds the chain
    /// `from → inlined … → to` with each call site, so inlined functions keep their callers.
    fn add_located_edge(&mut self, module: &Module, from: NodeId, to: NodeId, location: u32) {
        let debug = &module.debug;
        let mut chain: Vec<DiLocation> = Vec::new();
        let mut current = location;
        while let Some(&loc) = debug.location(current) {
            chain.push(loc);
            match loc.inlined_at {
                Some(next) if chain.len() < 256 => current = next,
                _ => break,
            }
        }
        if chain.is_empty() {
            self.edges[from as usize].push(Edge { to, site: None });
            return;
        }
        // chain[0] is the instruction's own location; the last is in `from` itself.
        let mut caller = from;
        for pair in (1..chain.len()).rev() {
            let site = self.site(debug, &chain[pair]);
            let Some(callee) = debug
                .subprogram_of(chain[pair - 1].scope)
                .and_then(|sp| self.inlined_node(module, sp))
            else {
                continue;
            };
            if callee != caller {
                self.edges[caller as usize].push(Edge { to: callee, site });
                caller = callee;
            }
        }
        let site = self.site(debug, &chain[0]);
        self.edges[caller as usize].push(Edge { to, site });
    }

    /// The node of an inlined function, named by its `DISubprogram`'s linkage name.
    fn inlined_node(&mut self, module: &Module, subprogram: u32) -> Option<NodeId> {
        let name = module.debug.subprogram(subprogram)?.linkage_name?;
        let id = self.global_node(module.symbol(name));
        if self.nodes[id as usize].source.is_none() {
            self.nodes[id as usize].source = self.subprogram_source(&module.debug, subprogram);
        }
        Some(id)
    }

    fn subprogram_source(&mut self, debug: &DebugInfo, subprogram: u32) -> Option<SourceLine> {
        let sp = debug.subprogram(subprogram)?;
        let file = debug.file(sp.file?)?;
        Some(SourceLine {
            file: self.intern_file(file),
            line: sp.line,
            column: 0,
        })
    }

    fn site(&mut self, debug: &DebugInfo, location: &DiLocation) -> Option<SourceLine> {
        let file = debug.file_of(location.scope)?;
        Some(SourceLine {
            file: self.intern_file(file),
            line: location.line,
            column: location.column,
        })
    }

    /// Keeps one edge per (from, to): the first, whose call site is the earliest one read.
    pub(super) fn finish(&mut self) {
        for edges in &mut self.edges {
            let mut seen = std::collections::HashSet::with_capacity(edges.len());
            edges.retain(|edge| seen.insert(edge.to));
            edges.shrink_to_fit();
        }
        self.globals = HashTable::new();
        self.file_index = FxHashMap::default();
    }

    /// Breadth-first search from `roots`: for every node reached, the edge it was first reached by.
    pub fn reach(&self, roots: &[NodeId]) -> Reached {
        let mut parent: Vec<Option<(NodeId, Option<SourceLine>)>> = vec![None; self.nodes.len()];
        let mut reached = vec![false; self.nodes.len()];
        let mut queue = VecDeque::new();
        for &root in roots {
            if !reached[root as usize] {
                reached[root as usize] = true;
                queue.push_back(root);
            }
        }
        while let Some(node) = queue.pop_front() {
            for edge in &self.edges[node as usize] {
                if !reached[edge.to as usize] {
                    reached[edge.to as usize] = true;
                    parent[edge.to as usize] = Some((node, edge.site));
                    queue.push_back(edge.to);
                }
            }
        }
        Reached { reached, parent }
    }
}

/// The reached functions by source file and the line their definition starts on, for the steps
/// that run after the graph is gone.
pub fn reached_functions(graph: &CallGraph, reached: &Reached) -> ReachedFunctions {
    let mut functions = ReachedFunctions::default();
    for (id, node) in graph.nodes_with_ids() {
        let Some(source) = node.source else {
            continue;
        };
        if node.global || !reached.contains(id) {
            continue;
        }
        functions.insert(graph.file(source.file), source.line, &node.symbol);
    }
    functions
}

/// What a search from the roots reached, and how.
#[derive(Debug)]
pub struct Reached {
    reached: Vec<bool>,
    parent: Vec<Option<(NodeId, Option<SourceLine>)>>,
}

impl Reached {
    pub fn contains(&self, node: NodeId) -> bool {
        self.reached[node as usize]
    }

    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.reached.iter().filter(|&&r| r).count()
    }

    /// The shortest path from a root to `node`: each node with the site where it calls the next.
    pub fn path_to(&self, node: NodeId) -> Vec<(NodeId, Option<SourceLine>)> {
        let mut path = vec![(node, None)];
        let mut current = node;
        while let Some((parent, site)) = self.parent[current as usize] {
            path.push((parent, site));
            current = parent;
            if path.len() > self.reached.len() {
                break;
            }
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[&str]) -> CallGraph {
        let modules: Vec<Module> = files.iter().map(|text| Module::parse(text)).collect();
        CallGraph::build(&modules)
    }

    fn id(graph: &CallGraph, symbol: &str) -> NodeId {
        let found = graph.find(symbol);
        assert_eq!(found.len(), 1, "{symbol}: {found:?}");
        found[0]
    }

    #[test]
    fn calls_across_files_meet_at_global_symbols() {
        let g = graph(&[
            "define void @main() {\n  call void @_ZN3lib4work17h1E()\n}\n",
            "define void @_ZN3lib4work17h1E() {\n  call void @_ZN3lib4deep17h2E()\n}\n",
        ]);
        let reached = g.reach(&[id(&g, "main")]);
        assert!(reached.contains(id(&g, "_ZN3lib4deep17h2E")));
        let path: Vec<&str> = reached
            .path_to(id(&g, "_ZN3lib4deep17h2E"))
            .iter()
            .map(|(n, _)| &*g.node(*n).symbol)
            .collect();
        assert_eq!(path, ["main", "_ZN3lib4work17h1E", "_ZN3lib4deep17h2E"]);
    }

    #[test]
    fn private_symbols_of_two_files_are_never_merged() {
        let g = graph(&[
            "@vtable.0 = private constant <{ ptr }> <{ ptr @a }>\ndefine void @main() {\n  store ptr @vtable.0, ptr %x\n}\n",
            "@vtable.0 = private constant <{ ptr }> <{ ptr @b }>\ndefine void @other() {\n  store ptr @vtable.0, ptr %x\n}\n",
        ]);
        assert_eq!(g.find("vtable.0").len(), 2);
        let reached = g.reach(&[id(&g, "main")]);
        assert!(reached.contains(id(&g, "a")), "through main's own vtable");
        assert!(
            !reached.contains(id(&g, "b")),
            "the other file's vtable.0 is another symbol"
        );
    }

    #[test]
    fn inlined_functions_are_called_by_the_function_they_were_inlined_into() {
        let text = r#"define void @main() !dbg !10 {
  call void @_ZN3dep6target17h9E(), !dbg !21
}
!1 = !DIFile(filename: "/src/main.rs", directory: "/")
!2 = !DIFile(filename: "/reg/dep-1.0.0/src/lib.rs", directory: "/")
!10 = distinct !DISubprogram(name: "main", linkageName: "main", file: !1, line: 1, unit: !0)
!11 = distinct !DISubprogram(name: "inlined", linkageName: "_ZN3dep7inlined17h8E", file: !2, line: 40, unit: !0)
!20 = !DILocation(line: 3, column: 5, scope: !10)
!21 = !DILocation(line: 42, column: 9, scope: !11, inlinedAt: !20)
"#;
        let g = graph(&[text]);
        let main = id(&g, "main");
        let inlined = id(&g, "_ZN3dep7inlined17h8E");
        let target = id(&g, "_ZN3dep6target17h9E");
        assert_eq!(g.edges(main)[0].to, inlined);
        assert_eq!(g.edges(main)[0].site.map(|s| s.line), Some(3));
        assert_eq!(g.edges(inlined)[0].to, target);
        assert_eq!(g.edges(inlined)[0].site.map(|s| s.line), Some(42));
        let source = g.node(inlined).source.unwrap();
        assert_eq!(
            (g.file(source.file), source.line),
            ("/reg/dep-1.0.0/src/lib.rs", 40)
        );
    }

    #[test]
    fn unreferenced_functions_are_not_reached() {
        let g = graph(&[
            "define void @main() {\n  ret void\n}\ndefine void @dead() {\n  call void @bad()\n}\n",
        ]);
        let reached = g.reach(&[id(&g, "main")]);
        assert!(!reached.contains(id(&g, "bad")));
        assert_eq!(reached.count(), 1);
    }
    #[test]
    fn reached_functions_are_found_by_file_and_definition_line() {
        let text = r#"define void @main() !dbg !10 {
  call void @_ZN3dep4used17h1E(), !dbg !20
}
define void @_ZN3dep4used17h1E() !dbg !11 {
  ret void
}
define void @_ZN3dep6unused17h2E() !dbg !12 {
  ret void
}
!1 = !DIFile(filename: "src/main.rs", directory: "/app")
!2 = !DIFile(filename: "/reg/dep-1.0.0/src/lib.rs", directory: "/")
!10 = distinct !DISubprogram(name: "main", linkageName: "main", file: !1, line: 1, unit: !0)
!11 = distinct !DISubprogram(name: "used", linkageName: "_ZN3dep4used17h1E", file: !2, line: 10, unit: !0)
!12 = distinct !DISubprogram(name: "unused", linkageName: "_ZN3dep6unused17h2E", file: !2, line: 20, unit: !0)
!20 = !DILocation(line: 2, column: 5, scope: !10)
"#;
        let g = graph(&[text]);
        let functions = reached_functions(&g, &g.reach(&[id(&g, "main")]));
        let lib = "/reg/dep-1.0.0/src/lib.rs";
        assert_eq!(
            functions.symbol_defined_in(lib, 9..=10),
            Some("_ZN3dep4used17h1E")
        );
        assert_eq!(
            functions.symbol_defined_in(lib, 20..=20),
            None,
            "not reached"
        );
        assert_eq!(functions.symbol_defined_in(lib, 11..=19), None);
        assert_eq!(
            functions.symbol_defined_in("/app/src/main.rs", 1..=1),
            Some("main")
        );
        assert_eq!(functions.symbol_defined_in("/other.rs", 1..=100), None);
    }
}
