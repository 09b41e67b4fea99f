//! Deciding one advisory finding from the searched graph: which nodes are the listed functions
//! (of the locked version), whether the search reached them, and the reason and traces to show.

use super::graph::{self, CallGraph, NodeId, SourceLine};
use super::paths::{self, MatchKind};
use super::resolve::{CrateTree, Resolution};
use super::{macros, source};
use crate::build::{BuildOutput, CrateSources, PackageIndex, PackageKey, Unit};
use crate::finding::{Finding, Frame, FunctionsSource, Location, Package, Reachability, Trace};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

/// A verdict with its reason and traces.
pub(super) type Decision = (Reachability, String, Vec<Trace>);

/// The graver of two decisions about one advisory: reachable over unknown over unreachable.
fn worst(a: Decision, b: Decision) -> Decision {
    let rank = |r: Reachability| match r {
        Reachability::Reachable => 2,
        Reachability::Unknown => 1,
        Reachability::Unreachable => 0,
    };
    match rank(a.0).cmp(&rank(b.0)) {
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Equal if a.0 == Reachability::Reachable => a,
        std::cmp::Ordering::Equal => (a.0, format!("{}; {}", a.1, b.1), Vec::new()),
    }
}

/// A node that an advisory's function matched.
struct Match {
    node: NodeId,
    kind: MatchKind,
    /// The advisory's function, as it lists it.
    function: String,
    /// Why the crate's module tree did not resolve the function, when it did not.
    unresolved: Option<String>,
}

/// The loose match: the advisory's path itself (or an item nested in it), else its item under
/// another module of the same crate.
fn loose_matches(
    candidates: &[(NodeId, paths::Path)],
    wanted: &[String],
    belongs: &dyn Fn(NodeId) -> bool,
) -> Vec<(NodeId, MatchKind)> {
    let exact: Vec<(NodeId, MatchKind)> = candidates
        .iter()
        .filter(|(node, path)| paths::matches_exact(path, wanted) && belongs(*node))
        .map(|(node, _)| (*node, MatchKind::Loose))
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    candidates
        .iter()
        .filter(|(node, path)| paths::matches_reexport(path, wanted) && belongs(*node))
        .map(|(node, _)| (*node, MatchKind::Loose))
        .collect()
}

/// Whether `candidate` (a symbol's path) is the item at `defined` or nested in it: a closure or
/// async block (`{{closure}}`), a method of a listed type, an item declared inside a listed
/// function. A function of a module that shares the item's path (`mod waker` beside `fn waker`)
/// is not nested in it.
fn matches_defined(candidate: &[String], defined: &[String], tree: &CrateTree) -> bool {
    if !candidate.starts_with(defined) {
        return false;
    }
    match candidate.get(defined.len()) {
        None => true,
        Some(next) if next.starts_with("{{") => true,
        Some(next) => !(tree.is_module(defined) && tree.module_has(defined, next)),
    }
}

/// The graph's nodes for the crates that findings are about, with their candidate paths.
pub(super) struct CrateIndex {
    by_crate: HashMap<String, Vec<(NodeId, paths::Path)>>,
    /// Symbols that are not Rust-mangled (C functions): FFI matches.
    unmangled: HashMap<String, Vec<NodeId>>,
}

impl CrateIndex {
    pub(super) fn new(graph: &CallGraph, crates: &HashSet<String>) -> CrateIndex {
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

pub(super) struct Context<'a> {
    pub(super) graph: &'a CallGraph,
    pub(super) reached: &'a graph::Reached,
    pub(super) output: &'a BuildOutput,
    pub(super) module_unit: &'a [usize],
    pub(super) packages: &'a PackageIndex,
    pub(super) workspace_root: &'a Path,
    pub(super) library_roots: bool,
    pub(super) problems: &'a [String],
    pub(super) traces: usize,
    /// Each crate of the build with its source files (for advisories that list a macro).
    pub(super) crate_sources: &'a [CrateSources],
    /// Module trees of the crates read so far.
    pub(super) trees: RefCell<HashMap<PackageKey, Option<Rc<CrateTree>>>>,
}

pub(super) const LIBRARY_BLIND_SPOT: &str = "generic library code that nothing instantiates is invisible in IR (build a binary, or use --all-targets so tests and examples instantiate it)";

impl Context<'_> {
    /// Decides one advisory finding about `package`: reachability, reason and traces.
    pub(super) fn decide(
        &self,
        finding: &Finding,
        package: &Package,
        index: &CrateIndex,
    ) -> Decision {
        let key: PackageKey = (package.name.clone(), package.version.clone());
        let units: Vec<&Unit> = self
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
            return self.crate_level(finding, package, &key, index, &belongs);
        }
        // Listed macros leave no symbol: they are decided by the functions that invoke them,
        // alongside (never instead of) the listed functions.
        let (macros, functions): (Vec<String>, Vec<String>) = finding
            .affected_functions
            .iter()
            .cloned()
            .partition(|f| self.is_macro(&key, f));
        let decision = if macros.is_empty() {
            self.decide_functions(&functions, package, &key, index, &belongs)
        } else if functions.is_empty() {
            self.macro_invocations(&macros)
        } else {
            let by_function = self.decide_functions(&functions, package, &key, index, &belongs);
            worst(by_function, self.macro_invocations(&macros))
        };
        self.inferred_elsewhere(finding, package, &key, decision)
    }

    /// An "unreachable" from functions inferred on another release than the locked one holds
    /// only if every one of them exists in the locked release too: where some do not, the fix's
    /// code may live under other names there, and the verdict is `unknown`.
    fn inferred_elsewhere(
        &self,
        finding: &Finding,
        package: &Package,
        key: &PackageKey,
        decision: Decision,
    ) -> Decision {
        let Some(inference) = finding.inference.as_ref() else {
            return decision;
        };
        if decision.0 != Reachability::Unreachable
            || finding.functions_source != Some(FunctionsSource::Inferred)
            || inference.vulnerable.as_deref() == Some(package.version.as_str())
        {
            return decision;
        }
        let Some(dir) = self.packages.source_dir(key) else {
            return decision;
        };
        // The name must be declared in the locked release's sources, and where its module tree
        // can be read, the module or type the path goes through must be there too.
        let tree = self.crate_tree(key);
        let absent: Vec<&str> = finding
            .affected_functions
            .iter()
            .filter(|f| {
                let name = f.rsplit("::").next().unwrap_or(f);
                source::declares(dir, name) == source::Declared::Nothing
                    || tree
                        .as_ref()
                        .is_some_and(|t| !t.defines(&paths::advisory_path(f)))
            })
            .map(String::as_str)
            .collect();
        if absent.is_empty() {
            return decision;
        }
        (
            Reachability::Unknown,
            format!(
                "the functions were inferred from {} and {} do not exist in {} {}: its vulnerable code may have other names ({})",
                inference.vulnerable.as_deref().unwrap_or("another release"),
                absent.join(", "),
                package.name,
                package.version,
                decision.1
            ),
            Vec::new(),
        )
    }

    /// The listed functions (not macros): reachable, compiled but not reached, or not in the IR.
    fn decide_functions(
        &self,
        functions: &[String],
        package: &Package,
        key: &PackageKey,
        index: &CrateIndex,
        belongs: &dyn Fn(NodeId) -> bool,
    ) -> Decision {
        let matched = self.match_functions(key, functions, index, belongs);
        if let Some(decision) = self.reached_match(&matched) {
            return decision;
        }
        if !matched.is_empty() {
            let listed: BTreeSet<&str> = matched.iter().map(|m| m.function.as_str()).collect();
            return self.not_reached(format!(
                "{} compiled into the program but not reachable from the roots",
                listed.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        self.not_in_ir(functions, package, key)
    }

    /// Whether the crate's source declares the listed path's last segment as a macro: from the
    /// module tree already read, walking the source directory only for a name it did not see.
    fn is_macro(&self, key: &PackageKey, function: &str) -> bool {
        let name = function.rsplit("::").next().unwrap_or(function);
        // Macros are items of modules, never of types: `regex::compile::Compiler::c` is a method
        // even in a crate that also has a macro named `c`.
        let segments = paths::advisory_path(function);
        if let Some((_, parent)) = segments.split_last().filter(|(_, p)| p.len() > 1) {
            let tree = self.crate_tree(key);
            let names_a_type = match &tree {
                Some(tree) if tree.defines(parent) => !tree.is_module(parent),
                _ => parent
                    .last()
                    .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase())),
            };
            if names_a_type {
                return false;
            }
        }
        if let Some(known) = self.crate_tree(key).and_then(|t| t.declares_macro(name)) {
            return known;
        }
        self.packages
            .source_dir(key)
            .is_some_and(|dir| source::declares(dir, name) == source::Declared::Macro)
    }

    /// An advisory that lists no functions: whether any of the crate's code is reached.
    fn crate_level(
        &self,
        finding: &Finding,
        package: &Package,
        key: &PackageKey,
        index: &CrateIndex,
        belongs: &dyn Fn(NodeId) -> bool,
    ) -> Decision {
        let crate_name = crate::finding::crate_name(&package.name);
        let reached_code = index
            .by_crate
            .get(&crate_name)
            .into_iter()
            .flatten()
            .any(|(node, _)| self.reached.contains(*node) && belongs(*node))
            || self.unit_code_reached(key);
        if reached_code {
            // Why the fix gave no functions either, where it was asked.
            let why_none = finding
                .inference
                .as_ref()
                .map(|i| format!(" ({})", i.describe()))
                .unwrap_or_default();
            (
                Reachability::Unknown,
                format!("advisory lists no functions{why_none}; crate code is reachable"),
                Vec::new(),
            )
        } else {
            self.not_reached("crate code not reachable from the roots".into())
        }
    }

    /// The graph's nodes for each listed function, with how they matched. A function the crate's
    /// module tree resolves matches only at its defining paths; one it cannot resolve matches
    /// loosely (its path, or its item under another module of the crate), and says why.
    fn match_functions(
        &self,
        key: &PackageKey,
        functions: &[String],
        index: &CrateIndex,
        belongs: &dyn Fn(NodeId) -> bool,
    ) -> Vec<Match> {
        let tree = self.crate_tree(key);
        let mut matched: Vec<Match> = Vec::new();
        for function in functions {
            let wanted = paths::advisory_path(function);
            let candidates = index
                .by_crate
                .get(&wanted[0])
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let resolution = match &tree {
                Some(tree) => tree.resolve(&wanted),
                None => Resolution::Unresolved("the crate's library sources were not found".into()),
            };
            let mut found: Vec<(NodeId, MatchKind)> = match (&resolution, &tree) {
                (Resolution::Defined(defined), Some(tree)) => {
                    let exact: Vec<(NodeId, MatchKind)> = candidates
                        .iter()
                        .filter(|(node, path)| {
                            defined.iter().any(|d| matches_defined(path, d, tree)) && belongs(*node)
                        })
                        .map(|(node, _)| (*node, MatchKind::Exact))
                        .collect();
                    if exact.is_empty() {
                        // The tree named a path no symbol has (a cfg alternative, a namespace
                        // the reader confused, a module it could not see): a loose match whose
                        // own path the tree does not know is evidence that cannot prove either
                        // way. One the tree knows is another item (a sibling's type).
                        let unknown_to_tree: Vec<(NodeId, paths::Path)> = candidates
                            .iter()
                            .filter(|(_, path)| !tree.defines(path))
                            .cloned()
                            .collect();
                        loose_matches(&unknown_to_tree, &wanted, belongs)
                            .into_iter()
                            .map(|(node, _)| (node, MatchKind::Unconfirmed))
                            .collect()
                    } else {
                        exact
                    }
                }
                _ => loose_matches(candidates, &wanted, belongs),
            };
            if found.is_empty() && wanted.len() == 2 {
                found = index
                    .unmangled
                    .get(&wanted[1])
                    .into_iter()
                    .flatten()
                    .map(|&node| (node, MatchKind::Ffi))
                    .collect();
            }
            let unresolved = match resolution {
                Resolution::Unresolved(why) => Some(why),
                Resolution::Defined(_) => None,
            };
            matched.extend(found.into_iter().map(|(node, kind)| Match {
                node,
                kind,
                function: function.clone(),
                unresolved: unresolved.clone(),
            }));
        }
        matched.sort_by_key(|m| (m.node, m.kind));
        matched.dedup_by_key(|m| m.node);
        matched
    }

    /// The module tree of a package's library, read once per scan.
    fn crate_tree(&self, key: &PackageKey) -> Option<Rc<CrateTree>> {
        if let Some(tree) = self.trees.borrow().get(key) {
            return tree.clone();
        }
        let tree = self
            .packages
            .lib_root(key)
            .map(|root| Rc::new(CrateTree::read(root)));
        self.trees.borrow_mut().insert(key.clone(), tree.clone());
        tree
    }

    /// `reachable`, with traces to the nearest matches, when the search reached any match.
    fn reached_match(&self, matched: &[Match]) -> Option<Decision> {
        let mut reachable: Vec<(usize, &Match)> = matched
            .iter()
            .filter(|m| self.reached.contains(m.node))
            .map(|m| (self.reached.path_to(m.node).len(), m))
            .collect();
        reachable
            .sort_by_key(|(distance, m)| (m.kind == MatchKind::Unconfirmed, *distance, m.node));
        let (_, first) = reachable.first()?;
        if first.kind == MatchKind::Unconfirmed {
            let symbol = &self.graph.node(first.node).symbol;
            let shown = paths::demangle(symbol).unwrap_or_else(|| symbol.to_string());
            return Some((
                Reachability::Unknown,
                format!(
                    "{} resolves, in the crate's module tree, to a path no symbol of the program has; a look-alike is reachable ({shown})",
                    first.function
                ),
                Vec::new(),
            ));
        }
        let traces: Vec<Trace> = reachable
            .iter()
            .take(self.traces)
            .map(|(_, m)| self.trace(m.node))
            .collect();
        let via = self.graph.node(first.node).symbol.clone();
        let shown = paths::demangle(&via).unwrap_or_else(|| via.to_string());
        let mut reason = format!(
            "{} is reachable ({} match: {shown})",
            first.function, first.kind
        );
        if let (MatchKind::Loose, Some(why)) = (first.kind, &first.unresolved) {
            reason.push_str(&format!("; the path was matched loosely because {why}"));
        }
        Some((Reachability::Reachable, reason, traces))
    }

    /// No listed function is in the IR: the crate's source says whether the advisory names an
    /// item of another version, or code nothing instantiates.
    fn not_in_ir(&self, functions: &[String], package: &Package, key: &PackageKey) -> Decision {
        let source_dir = self.packages.source_dir(key);
        let mut missing = Vec::new();
        for function in functions {
            let name = function.rsplit("::").next().unwrap_or(function);
            match source_dir.map(|dir| source::declares(dir, name)) {
                Some(source::Declared::Item | source::Declared::Macro) => {}
                Some(source::Declared::Nothing) | None => missing.push(function.clone()),
            }
        }
        if missing.len() == functions.len() {
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
            functions.join(", ")
        ))
    }

    /// An advisory that lists macros: decided by the functions that invoke them, in the sources
    /// of every crate compiled into the program.
    fn macro_invocations(&self, listed: &[String]) -> Decision {
        let crates = self
            .crate_sources
            .iter()
            .map(|c| (c.package.name.as_str(), c.files.as_slice()));
        let mut sites = Vec::new();
        let mut unattributed = Vec::new();
        let mut reexported_by = Vec::new();
        for function in listed {
            let wanted = paths::advisory_path(function);
            let (Some(krate), Some(name)) = (wanted.first(), wanted.last()) else {
                continue;
            };
            let found = macros::invocations(crates.clone(), krate, name);
            sites.extend(found.in_functions.into_iter().map(|s| (function, s)));
            unattributed.extend(found.unattributed);
            reexported_by.extend(found.reexported_by);
        }
        let listed = listed.join(", ");
        if !reexported_by.is_empty() {
            return (
                Reachability::Unknown,
                format!(
                    "the advisory lists a macro ({listed}) that {} re-exports; invocations through the re-export are not followed",
                    reexported_by.join(", ")
                ),
                Vec::new(),
            );
        }
        // The graph's functions whose definition starts in an invoking function's head.
        let mut invoking: Vec<(usize, NodeId, &String, &macros::Site)> = Vec::new();
        for (id, node) in self.graph.nodes_with_ids() {
            let Some(source) = node.source else { continue };
            let file = self.graph.file(source.file);
            for (function, site) in &sites {
                if (site.function_start..=site.function_line).contains(&source.line)
                    && Path::new(file) == site.file
                    && self.reached.contains(id)
                {
                    invoking.push((self.reached.path_to(id).len(), id, function, site));
                }
            }
        }
        invoking.sort_by_key(|(distance, id, _, _)| (*distance, *id));
        if let Some((_, node, function, site)) = invoking.first() {
            let traces = invoking
                .iter()
                .take(self.traces)
                .map(|(_, id, _, _)| self.trace(*id))
                .collect();
            let symbol = &self.graph.node(*node).symbol;
            let caller = paths::demangle(symbol).unwrap_or_else(|| symbol.to_string());
            let at = crate::location::display_path(&site.file, self.workspace_root);
            return (
                Reachability::Reachable,
                format!(
                    "{function} is reachable (macro invoked at {at}:{} in {caller})",
                    site.line
                ),
                traces,
            );
        }
        // A site whose file no function of the graph is in (remapped or trimmed paths, a
        // symlinked workspace) cannot be told apart from one that never runs.
        let graph_files: HashSet<&str> = self
            .graph
            .nodes_with_ids()
            .filter_map(|(_, node)| node.source)
            .map(|source| self.graph.file(source.file))
            .collect();
        for (_, site) in &sites {
            if !graph_files.contains(site.file.to_string_lossy().as_ref()) {
                unattributed.push(format!(
                    "{}:{} (its file is named by no function of the compiled program)",
                    site.file.display(),
                    site.line
                ));
            }
        }
        if !unattributed.is_empty() {
            let at: Vec<String> = unattributed
                .iter()
                .map(|place| crate::location::display_path(place, self.workspace_root))
                .collect();
            return (
                Reachability::Unknown,
                format!(
                    "the advisory lists a macro ({listed}), invoked where no function can be named (another macro's body, a constant): {}",
                    at.join(", ")
                ),
                Vec::new(),
            );
        }
        if sites.is_empty() {
            return self.not_reached(format!(
                "the advisory lists a macro ({listed}) and no crate compiled into the program invokes it"
            ));
        }
        let places: BTreeSet<String> = sites
            .iter()
            .map(|(_, s)| {
                format!(
                    "{}:{}",
                    crate::location::display_path(&s.file, self.workspace_root),
                    s.line
                )
            })
            .collect();
        let mut shown: Vec<String> = places.iter().take(5).cloned().collect();
        if places.len() > shown.len() {
            shown.push(format!("{} more", places.len() - shown.len()));
        }
        self.not_reached(format!(
            "the advisory lists a macro ({listed}), invoked only in functions the program never runs ({})",
            shown.join(", ")
        ))
    }

    /// `unreachable`, unless the analysis was incomplete: then `unknown` saying why.
    fn not_reached(&self, reason: String) -> Decision {
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
            let unit: &Unit = &self.output.units[self.module_unit[module as usize]];
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
                let unit: &Unit = &self.output.units[self.module_unit[m as usize]];
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
            file: crate::location::display_path(self.graph.file(site.file), self.workspace_root),
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
}
