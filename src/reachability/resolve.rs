//! Resolving an advisory's path to where the item is defined, from the locked crate's own sources,
//! the way rustdoc sees the crate: the module tree from the crate root (`mod`, `#[path]`, inline
//! modules), the items each module defines, and its `pub use` re-exports (renames with `as`,
//! globs). `pub(crate) use` makes no public path and is not followed.
//!
//! Symbols in the IR are named by defining paths (`lz4_flex::block::decompress_safe::decompress`),
//! advisories often by public ones (`lz4_flex::block::decompress`); resolving the advisory's path
//! lets the two be compared exactly, so a same-named item of a sibling module never matches.
//!
//! Written with `syn` rather than a library: no crate resolves a module tree without compiling it
//! (rust-analyzer's resolver is not usable as a library). `cfg` is not evaluated: every
//! alternative is kept, which can only add defining paths of the same crate. Modules made by
//! macros are not seen; a path through one does not resolve, and the caller falls back to a loose
//! match that says so.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use syn::{Item, UseTree, Visibility};

/// A path relative to the crate root, without the crate's name.
type ModPath = Vec<String>;

/// The crate's modules, as its sources declare them.
#[derive(Debug, Default)]
pub struct CrateTree {
    modules: HashMap<ModPath, Module>,
    /// Names of the `macro_rules!` macros anywhere in the tree.
    macros: HashSet<String>,
    /// The module each source file read is (canonical path), for naming items by file.
    files: HashMap<PathBuf, ModPath>,
    /// Some file of the tree could not be parsed: modules below it are missing.
    incomplete: bool,
    /// Modules declared `#[cfg(test)]`: test code, however their files are named.
    test_modules: HashSet<ModPath>,
}

#[derive(Debug, Default)]
struct Module {
    /// Names of the items defined here: functions, types, traits, constants, macros.
    items: HashSet<String>,
    /// Names of the modules declared here.
    children: HashSet<String>,
    /// `use` of one item, by the name it is visible under, to its path.
    uses: Vec<Use>,
    /// `use path::*`.
    globs: Vec<Use>,
}

/// One `use`: `public` for `pub use`, which makes a path others can name; any `use` names the
/// item for paths resolved inside the crate (`pub(crate) use a as b; pub use b::*;`).
#[derive(Debug, Clone)]
struct Use {
    visible: String,
    path: UsePath,
    public: bool,
}

/// What a lookup's last segment must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Want {
    /// An item or a module.
    Any,
    /// A module (the target of a glob import).
    Module,
}

/// The most lookup steps one resolution may take: a bound whatever the crate's globs do.
const STEP_BUDGET: usize = 100_000;

/// The lookups in progress, and how many were made.
#[derive(Debug, Default)]
struct Walk {
    in_progress: HashSet<LookupKey>,
    steps: usize,
}

impl Walk {
    fn insert(&mut self, key: LookupKey) -> bool {
        self.in_progress.insert(key)
    }

    fn contains(&self, key: &LookupKey) -> bool {
        self.in_progress.contains(key)
    }

    fn remove(&mut self, key: &LookupKey) {
        self.in_progress.remove(key);
    }
}

/// One lookup in progress.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LookupKey {
    module: ModPath,
    segments: Vec<String>,
    inside: bool,
    want: Want,
}

/// A `use` path as written, with the module it is written in.
#[derive(Debug, Clone)]
struct UsePath {
    module: ModPath,
    segments: Vec<String>,
}

/// What an advisory's path names in the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The defining paths (crate name first): one, or several where `cfg` alternatives differ.
    Defined(Vec<Vec<String>>),
    /// The path could not be followed, and why.
    Unresolved(String),
}

impl CrateTree {
    /// Reads the module tree from the crate root file (`src/lib.rs`). Files that cannot be read
    /// or parsed leave their modules empty: lookups through them do not resolve.
    pub fn read(root_file: &Path) -> CrateTree {
        let mut tree = CrateTree::default();
        let mut seen = HashSet::new();
        tree.read_file(Vec::new(), root_file, true, &mut seen);
        tree
    }

    /// The module a source file is (crate-relative, the root empty), if the tree reads it.
    pub fn module_of_file(&self, file: &Path) -> Option<&[String]> {
        let canonical = file.canonicalize().ok()?;
        self.files.get(&canonical).map(Vec::as_slice)
    }

    /// Whether the module (crate-relative) is, or is inside, a `#[cfg(test)]` module.
    pub fn is_test_module(&self, module: &[String]) -> bool {
        (1..=module.len()).any(|n| self.test_modules.contains(&module[..n]))
    }

    /// Whether some file of the tree could not be parsed (the modules it declares are missing).
    pub fn is_incomplete(&self) -> bool {
        self.incomplete
    }

    /// The defining paths (crate-relative) of a path as written in `module` (crate-relative):
    /// private `use`s count, as they do for code of that module. Empty for another crate's path
    /// or a name the tree does not know (a generic parameter, a prelude type).
    pub fn resolve_written(&self, module: &[String], path: &[String]) -> Vec<Vec<String>> {
        let written = UsePath {
            module: module.to_vec(),
            segments: path.to_vec(),
        };
        let Some(target) = self.absolute(&written) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut walk = Walk::default();
        self.lookup(&[], &target, true, Want::Any, &mut found, &mut walk, 0);
        let mut items: Vec<Vec<String>> = found
            .into_iter()
            .filter_map(|(path, is_module)| (!is_module).then_some(path))
            .collect();
        items.sort();
        items.dedup();
        // A name of both namespaces (`pub use function::parse;` beside `mod parse`) also yields
        // paths through the function; the items a module defines by that very name come first.
        let direct: Vec<Vec<String>> = items
            .iter()
            .filter(|path| {
                path.split_last().is_some_and(|(name, module)| {
                    self.modules
                        .get(module)
                        .is_some_and(|m| m.items.contains(name))
                })
            })
            .cloned()
            .collect();
        if direct.is_empty() { items } else { direct }
    }

    /// Whether `path` (crate name first) is a module of the crate.
    pub fn is_module(&self, path: &[String]) -> bool {
        !path.is_empty() && self.modules.contains_key(&path[1..])
    }

    /// Whether the tree declares `name` as a macro (`Some(true)`), only as another item
    /// (`Some(false)`), or not at all (`None`: the tree may not have seen it).
    pub fn declares_macro(&self, name: &str) -> Option<bool> {
        if self.macros.contains(name) {
            Some(true)
        } else if self.modules.values().any(|m| m.items.contains(name)) {
            Some(false)
        } else {
            None
        }
    }

    /// Whether `path` (crate name first) is, or is inside, an item the tree knows where it is
    /// defined: some module of the path defines the segment after it.
    pub fn defines(&self, path: &[String]) -> bool {
        let Some((_, rest)) = path.split_first() else {
            return false;
        };
        (0..rest.len()).any(|split| {
            self.modules
                .get(&rest[..split])
                .is_some_and(|m| m.items.contains(&rest[split]))
        })
    }

    /// Whether the module `path` (crate name first) defines or re-exports `name`.
    pub fn module_has(&self, path: &[String], name: &str) -> bool {
        !path.is_empty()
            && self.modules.get(&path[1..]).is_some_and(|m| {
                m.items.contains(name)
                    || m.children.contains(name)
                    || m.uses.iter().any(|u| u.visible == name)
            })
    }

    /// Resolves an advisory's path (crate name first) to the paths where its item is defined.
    pub fn resolve(&self, advisory: &[String]) -> Resolution {
        let Some((krate, rest)) = advisory.split_first() else {
            return Resolution::Unresolved("an empty path".into());
        };
        if rest.is_empty() {
            return Resolution::Unresolved("the path names the crate itself".into());
        }
        let mut found = Vec::new();
        let mut visiting = Walk::default();
        self.lookup(&[], rest, false, Want::Any, &mut found, &mut visiting, 0);
        if visiting.steps > STEP_BUDGET {
            return Resolution::Unresolved(format!(
                "the crate's re-exports are too tangled to follow {} within {STEP_BUDGET} steps",
                advisory.join("::")
            ));
        }
        let mut items: Vec<Vec<String>> = found
            .into_iter()
            .filter_map(|(path, is_module)| (!is_module).then_some(path))
            .map(|path| std::iter::once(krate.clone()).chain(path).collect())
            .collect();
        items.sort();
        items.dedup();
        if items.is_empty() {
            Resolution::Unresolved(format!(
                "{} is not an item of the crate's module tree (a module made by a macro, or an item of another version)",
                advisory.join("::")
            ))
        } else {
            Resolution::Defined(items)
        }
    }

    /// Looks `segments` up from `module`; each result is a path from the root and whether it is
    /// a module. `inside` is a lookup for a `use` of the crate itself, where private names count;
    /// `want` says whether the last segment must name a module (a glob's target).
    #[allow(clippy::too_many_arguments)] // One recursive walk; its state is spelled out.
    fn lookup(
        &self,
        module: &[String],
        segments: &[String],
        inside: bool,
        want: Want,
        found: &mut Vec<(ModPath, bool)>,
        visiting: &mut Walk,
        depth: usize,
    ) {
        // The lookups in progress: one met again is a cycle of `use`s, and ends there.
        let key = LookupKey {
            module: module.to_vec(),
            segments: segments.to_vec(),
            inside,
            want,
        };
        visiting.steps += 1;
        if depth > 32 || visiting.steps > STEP_BUDGET || !visiting.insert(key.clone()) {
            return;
        }
        self.lookup_here(module, segments, inside, want, found, visiting, depth);
        visiting.remove(&key);
    }

    #[allow(clippy::too_many_arguments)] // The same walk, one module's step.
    fn lookup_here(
        &self,
        module: &[String],
        segments: &[String],
        inside: bool,
        want: Want,
        found: &mut Vec<(ModPath, bool)>,
        visiting: &mut Walk,
        depth: usize,
    ) {
        let Some((name, rest)) = segments.split_first() else {
            found.push((module.to_vec(), true));
            return;
        };
        let Some(here) = self.modules.get(module) else {
            return;
        };
        let before = found.len();
        if here.children.contains(name) {
            let child: ModPath = module.iter().chain([name]).cloned().collect();
            self.lookup(&child, rest, inside, want, found, visiting, depth + 1);
        }
        if here.items.contains(name) && want == Want::Any {
            // An item: what follows is a method or an associated item of it.
            let path = module.iter().chain([name]).chain(rest).cloned().collect();
            found.push((path, false));
        }
        for import in &here.uses {
            // A `use` is not followed again while its own target is being looked up (`pub use
            // crate::waker::waker;` names module `waker`, not itself).
            let following = LookupKey {
                module: module.to_vec(),
                segments: vec![format!("use {}", import.visible)],
                inside: true,
                want: Want::Any,
            };
            if import.visible == *name
                && (import.public || inside)
                && !visiting.contains(&following)
                && let Some(target) = self.absolute(&import.path)
            {
                visiting.insert(following.clone());
                let wanted: Vec<String> = target.into_iter().chain(rest.iter().cloned()).collect();
                self.lookup(&[], &wanted, true, want, found, visiting, depth + 1);
                visiting.remove(&following);
            }
        }
        // Glob imports are shadowed by a name declared here in the same namespace: a module
        // found here shadows a glob's module, an item a glob's item; but a module does not shadow
        // a function a glob brings in.
        let shadowed = match want {
            Want::Module => found.len() > before,
            Want::Any => found[before..].iter().any(|(_, is_module)| !is_module),
        };
        if shadowed {
            return;
        }
        for glob in here.globs.iter().filter(|g| g.public || inside) {
            let Some(target) = self.absolute(&glob.path) else {
                continue;
            };
            // The glob's module may itself be named through a `use` (`use a as b; pub use
            // b::*;`): every module the path resolves to.
            let mut modules = Vec::new();
            self.lookup(
                &[],
                &target,
                true,
                Want::Module,
                &mut modules,
                visiting,
                depth + 1,
            );
            for (module, _) in modules {
                self.lookup(&module, segments, inside, want, found, visiting, depth + 1);
            }
        }
    }

    /// A `use` path made absolute (from the crate root), or `None` for another crate's path.
    fn absolute(&self, path: &UsePath) -> Option<ModPath> {
        let mut segments = path.segments.iter().peekable();
        let mut base: ModPath = match segments.peek().map(|s| s.as_str()) {
            Some("crate") => {
                segments.next();
                Vec::new()
            }
            Some("self") => {
                segments.next();
                path.module.clone()
            }
            Some("super") => {
                let mut base = path.module.clone();
                while segments.peek().is_some_and(|s| *s == "super") {
                    segments.next();
                    base.pop()?;
                }
                base
            }
            Some("") => return None,
            Some(first) => {
                // 2018 edition: a name of the current module; 2015: of the crate root.
                let here = self.modules.get(&path.module);
                let declared = |m: Option<&Module>| {
                    m.is_some_and(|m| {
                        m.children.contains(first)
                            || m.items.contains(first)
                            || m.uses.iter().any(|u| u.visible == *first)
                    })
                };
                if declared(here) {
                    path.module.clone()
                } else if declared(self.modules.get(&Vec::new())) {
                    Vec::new()
                } else {
                    return None;
                }
            }
            None => return None,
        };
        base.extend(segments.cloned());
        Some(base)
    }

    fn read_file(
        &mut self,
        module: ModPath,
        file: &Path,
        owns_directory: bool,
        seen: &mut HashSet<PathBuf>,
    ) {
        // Canonical paths, and a depth bound: `#[cfg(any())] #[path = "../src/lib.rs"] mod a;`
        // compiles (rustc never loads it) but would otherwise be read again at every level.
        let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        if module.len() > 64 || !seen.insert(canonical.clone()) {
            return;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            return;
        };
        let Ok(syntax) = syn::parse_file(&text) else {
            self.incomplete = true;
            return;
        };
        self.files.insert(canonical, module.clone());
        // Where `mod x;` looks for its file: next to a `mod.rs`/`lib.rs`, else in a directory
        // named after this file.
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let child_dir = if owns_directory {
            dir.clone()
        } else {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            dir.join(stem)
        };
        self.read_items(module, &syntax.items, &dir, &child_dir, seen);
    }

    /// Reads one module's items; `dir` is its file's directory (for `#[path]`), `child_dir` where
    /// its `mod x;` files live.
    fn read_items(
        &mut self,
        module: ModPath,
        items: &[Item],
        dir: &Path,
        child_dir: &Path,
        seen: &mut HashSet<PathBuf>,
    ) {
        self.modules.entry(module.clone()).or_default();
        for item in items {
            match item {
                Item::Mod(m) => {
                    let name = m.ident.to_string();
                    self.module(&module).children.insert(name.clone());
                    let child: ModPath = module.iter().cloned().chain([name.clone()]).collect();
                    if is_cfg_test(&m.attrs) {
                        self.test_modules.insert(child.clone());
                    }
                    let path_attr = path_attribute(&m.attrs);
                    match &m.content {
                        Some((_, inner)) => {
                            let inner_dir = match &path_attr {
                                Some(p) => dir.join(p),
                                None => child_dir.join(&name),
                            };
                            // `#[path]` inside an inline module is relative to its directory.
                            self.read_items(child, inner, &inner_dir, &inner_dir, seen);
                        }
                        None => {
                            let path_attr_given = path_attr.is_some();
                            let file = match path_attr {
                                Some(p) => dir.join(p),
                                None => {
                                    let flat = child_dir.join(format!("{name}.rs"));
                                    if flat.is_file() {
                                        flat
                                    } else {
                                        child_dir.join(&name).join("mod.rs")
                                    }
                                }
                            };
                            // A `mod.rs` keeps its modules' files beside it, and so does any file
                            // loaded through `#[path]` (as rustc reads it); `x.rs` keeps them in
                            // `x/`.
                            let owns =
                                path_attr_given || file.file_name().is_some_and(|n| n == "mod.rs");
                            self.read_file(child, &file, owns, seen);
                        }
                    }
                }
                Item::Use(u) => {
                    let mut prefix = Vec::new();
                    self.read_use(&module, &u.tree, is_public(&u.vis), &mut prefix);
                }
                Item::Macro(m) => match &m.ident {
                    Some(ident) => {
                        let exported = m.attrs.iter().any(|a| a.path().is_ident("macro_export"));
                        let home = if exported { Vec::new() } else { module.clone() };
                        self.module(&home).items.insert(ident.to_string());
                        self.macros.insert(ident.to_string());
                    }
                    // `cfg_if! { … }`, `cfg_rt! { … }`: items wrapped by a macro are read as if
                    // written here, which is what such wrappers expand to.
                    None => {
                        let wrapped = items_in_macro(m.mac.tokens.clone(), 0);
                        self.read_items(module.clone(), &wrapped, dir, child_dir, seen);
                    }
                },
                Item::ForeignMod(f) => {
                    for foreign in &f.items {
                        let name = match foreign {
                            syn::ForeignItem::Fn(f) => Some(f.sig.ident.to_string()),
                            syn::ForeignItem::Static(s) => Some(s.ident.to_string()),
                            syn::ForeignItem::Type(t) => Some(t.ident.to_string()),
                            _ => None,
                        };
                        if let Some(name) = name {
                            self.module(&module).items.insert(name);
                        }
                    }
                }
                Item::Type(alias) => {
                    let name = alias.ident.to_string();
                    self.module(&module).items.insert(name.clone());
                    // `pub type Foo = imp::Foo;`: the methods are `imp::Foo`'s.
                    if let syn::Type::Path(target) = &*alias.ty
                        && target.qself.is_none()
                    {
                        let segments: Vec<String> = target
                            .path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect();
                        let public = is_public(&alias.vis);
                        self.add_use(&module, name, segments, public);
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.module(&module).items.insert(name);
                    }
                }
            }
        }
    }

    fn read_use(
        &mut self,
        module: &ModPath,
        tree: &UseTree,
        public: bool,
        prefix: &mut Vec<String>,
    ) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.read_use(module, &p.tree, public, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                let mut segments = prefix.clone();
                if name != "self" {
                    segments.push(name.clone());
                }
                let visible = if name == "self" {
                    prefix.last().cloned().unwrap_or_default()
                } else {
                    name
                };
                self.add_use(module, visible, segments, public);
            }
            UseTree::Rename(r) => {
                let mut segments = prefix.clone();
                if r.ident != "self" {
                    segments.push(r.ident.to_string());
                }
                self.add_use(module, r.rename.to_string(), segments, public);
            }
            UseTree::Glob(_) => {
                let glob = Use {
                    visible: "*".to_string(),
                    path: UsePath {
                        module: module.clone(),
                        segments: prefix.clone(),
                    },
                    public,
                };
                self.module(module).globs.push(glob);
            }
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.read_use(module, tree, public, prefix);
                }
            }
        }
    }

    fn add_use(&mut self, module: &ModPath, visible: String, segments: Vec<String>, public: bool) {
        if visible == "_" || segments.is_empty() {
            return;
        }
        let path = UsePath {
            module: module.clone(),
            segments,
        };
        self.module(module).uses.push(Use {
            visible,
            path,
            public,
        });
    }

    fn module(&mut self, path: &ModPath) -> &mut Module {
        self.modules.entry(path.clone()).or_default()
    }
}

/// The items in a macro invocation's tokens: the whole body when it parses as items, else each
/// braced group that does (`cfg_if! { if #[cfg(x)] { items } else { items } }`).
pub(crate) fn items_in_macro(tokens: proc_macro2::TokenStream, depth: usize) -> Vec<Item> {
    struct Items(Vec<Item>);
    impl syn::parse::Parse for Items {
        fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Items> {
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse()?);
            }
            Ok(Items(items))
        }
    }
    if let Ok(Items(items)) = syn::parse2::<Items>(tokens.clone()) {
        return items;
    }
    if depth > 4 {
        return Vec::new();
    }
    tokens
        .into_iter()
        .filter_map(|tree| match tree {
            proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                Some(items_in_macro(g.stream(), depth + 1))
            }
            _ => None,
        })
        .flatten()
        .collect()
}

/// `pub`, `pub(crate)` and the like: only plain `pub` makes a path others can name.
fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// `#[cfg(test)]`.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("path") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

fn item_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Fn(f) => &f.sig.ident,
        Item::Struct(s) => &s.ident,
        Item::Enum(e) => &e.ident,
        Item::Union(u) => &u.ident,
        Item::Trait(t) => &t.ident,
        Item::TraitAlias(t) => &t.ident,
        Item::Type(t) => &t.ident,
        Item::Const(c) => &c.ident,
        Item::Static(s) => &s.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, text) under a temporary crate directory and reads its tree.
    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, CrateTree) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let tree = CrateTree::read(&dir.path().join("src/lib.rs"));
        (dir, tree)
    }

    fn path(text: &str) -> Vec<String> {
        text.split("::").map(str::to_string).collect()
    }

    fn defined(tree: &CrateTree, advisory: &str) -> Vec<String> {
        match tree.resolve(&path(advisory)) {
            Resolution::Defined(paths) => paths.iter().map(|p| p.join("::")).collect(),
            Resolution::Unresolved(why) => vec![format!("unresolved: {why}")],
        }
    }

    #[test]
    fn a_type_in_a_sibling_module_is_another_type() {
        let (_dir, tree) = tree(&[
            (
                "src/lib.rs",
                "pub mod sync { pub mod oneshot; pub mod mpsc; }\n",
            ),
            ("src/sync/oneshot.rs", "pub struct Receiver;\n"),
            (
                "src/sync/mpsc/mod.rs",
                "mod bounded;\npub use bounded::Receiver;\n",
            ),
            ("src/sync/mpsc/bounded.rs", "pub struct Receiver;\n"),
        ]);
        assert_eq!(
            defined(&tree, "krate::sync::oneshot::Receiver::close"),
            ["krate::sync::oneshot::Receiver::close"]
        );
        assert_eq!(
            defined(&tree, "krate::sync::mpsc::Receiver::close"),
            ["krate::sync::mpsc::bounded::Receiver::close"]
        );
    }

    #[test]
    fn globs_renames_and_path_attributes_are_followed() {
        let (_dir, tree) = tree(&[
            (
                "src/lib.rs",
                "pub mod block;\n#[path = \"other/frame_impl.rs\"]\npub mod frame;\n\
                 pub use crate::waker::waker;\nmod waker;\npub use block::decompress as unpack;\n\
                 #[macro_export]\nmacro_rules! offset_of { () => {} }\n\
                 pub(crate) use block::hidden;\n",
            ),
            (
                "src/block/mod.rs",
                "#[cfg(feature = \"safe\")]\npub(crate) mod decompress_safe;\n\
                 #[cfg(feature = \"safe\")]\npub(crate) use decompress_safe as decompress;\n\
                 #[cfg(not(feature = \"safe\"))]\npub(crate) mod decompress;\n\
                 pub use decompress::*;\npub fn hidden() {}\n",
            ),
            ("src/block/decompress.rs", "pub fn decompress() {}\n"),
            ("src/block/decompress_safe.rs", "pub fn decompress() {}\n"),
            (
                "src/other/frame_impl.rs",
                "pub mod decompress { pub struct FrameDecoder; }\n",
            ),
            (
                "src/waker.rs",
                "pub fn waker() {}\npub(crate) fn waker_vtable() {}\n",
            ),
        ]);
        // Both cfg alternatives: a private alias of a module, re-exported by a public glob.
        let both = [
            "krate::block::decompress::decompress",
            "krate::block::decompress_safe::decompress",
        ];
        assert_eq!(defined(&tree, "krate::block::decompress"), both);
        assert_eq!(defined(&tree, "krate::unpack"), both);
        assert_eq!(
            defined(&tree, "krate::frame::decompress::FrameDecoder::new"),
            ["krate::frame::decompress::FrameDecoder::new"]
        );
        assert_eq!(defined(&tree, "krate::waker"), ["krate::waker::waker"]);
        assert_eq!(defined(&tree, "krate::offset_of"), ["krate::offset_of"]);
        assert_eq!(tree.declares_macro("offset_of"), Some(true));
        assert_eq!(tree.declares_macro("waker_vtable"), Some(false));
        assert_eq!(tree.declares_macro("nowhere"), None);
        assert!(defined(&tree, "krate::hidden")[0].starts_with("unresolved"));
        assert!(defined(&tree, "krate::block::missing")[0].starts_with("unresolved"));
        assert!(tree.is_module(&path("krate::waker")));
        assert!(tree.module_has(&path("krate::waker"), "waker_vtable"));
    }

    #[test]
    fn items_wrapped_in_macros_are_read() {
        let (_dir, tree) = tree(&[
            (
                "src/lib.rs",
                "cfg_atomic! {\n    mod waker;\n    pub use crate::waker::waker;\n}\n\
                 cfg_if::cfg_if! { if #[cfg(unix)] { pub mod unix; } else { pub mod other; } }\n",
            ),
            (
                "src/waker.rs",
                "pub fn waker() {}\npub(super) fn waker_vtable() {}\n",
            ),
            ("src/unix.rs", "pub fn f() {}\n"),
            ("src/other.rs", "pub fn f() {}\n"),
        ]);
        assert_eq!(defined(&tree, "krate::waker"), ["krate::waker::waker"]);
        assert_eq!(defined(&tree, "krate::unix::f"), ["krate::unix::f"]);
        assert_eq!(defined(&tree, "krate::other::f"), ["krate::other::f"]);
    }

    /// lock_api's shape, wider: every module glob re-exported at the root, each importing the
    /// others privately. Looking a name up must not try every glob at every level (that took
    /// minutes on lock_api itself).
    #[test]
    fn many_glob_reexports_resolve_at_once() {
        let mut files = vec![(
            "src/lib.rs".to_string(),
            (0..6)
                .map(|i| format!("mod m{i};\npub use crate::m{i}::*;\n"))
                .collect::<String>(),
        )];
        for i in 0..6 {
            files.push((
                format!("src/m{i}.rs"),
                format!("use crate::{{m0::*, m1::*}};\nuse super::*;\npub struct T{i};\n"),
            ));
        }
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let (_dir, tree) = tree(&borrowed);
        assert_eq!(
            defined(&tree, "krate::T5::method"),
            ["krate::m5::T5::method"]
        );
        assert!(defined(&tree, "krate::Nothing")[0].starts_with("unresolved"));
    }

    #[test]
    fn path_attributes_follow_rustc_and_cannot_loop() {
        let (_dir, tree) = tree(&[
            (
                "src/lib.rs",
                "#[cfg(unix)]\n#[path = \"sys/unix.rs\"]\npub mod imp;\n\
                 #[cfg(any())]\n#[path = \"../src/lib.rs\"]\nmod again;\n\
                 pub mod outer { #[path = \"inner_file.rs\"] pub mod inner; }\n",
            ),
            ("src/sys/unix.rs", "pub mod helper;\n"),
            ("src/sys/helper.rs", "pub fn f() {}\n"),
            ("src/outer/inner_file.rs", "pub fn g() {}\n"),
        ]);
        assert_eq!(
            defined(&tree, "krate::imp::helper::f"),
            ["krate::imp::helper::f"]
        );
        assert_eq!(
            defined(&tree, "krate::outer::inner::g"),
            ["krate::outer::inner::g"]
        );
    }

    #[test]
    fn a_type_alias_leads_to_the_aliased_type() {
        let (_dir, tree) = tree(&[(
            "src/lib.rs",
            "pub type Foo = imp::Foo;\nmod imp { pub struct Foo; }\n",
        )]);
        assert_eq!(
            defined(&tree, "krate::Foo::bar"),
            ["krate::Foo::bar", "krate::imp::Foo::bar"]
        );
        assert!(tree.defines(&path("krate::imp::Foo::bar")));
        assert!(!tree.defines(&path("krate::generated::Foo::bar")));
    }

    #[test]
    fn a_path_written_in_a_module_resolves_with_its_private_uses() {
        let (dir, tree) = tree(&[
            (
                "src/lib.rs",
                "pub mod parse;
pub use parse::function::parse;
pub struct Time;
",
            ),
            (
                "src/parse/mod.rs",
                "use crate::Time;
pub mod function { pub fn parse() {} }
impl Time {}
",
            ),
        ]);
        let module = tree
            .module_of_file(&dir.path().join("src/parse/mod.rs"))
            .unwrap();
        assert_eq!(module, ["parse"]);
        // Not also `parse::function::parse::Time`, through the function named like the module.
        assert_eq!(
            tree.resolve_written(module, &path("Time")),
            [vec!["Time".to_string()]]
        );
        assert!(tree.resolve_written(module, &path("Vec")).is_empty());
    }

    #[test]
    fn a_missing_or_unparsable_file_leaves_its_module_unresolved() {
        let (_dir, tree) = tree(&[
            ("src/lib.rs", "pub mod gone;\npub mod bad;\n"),
            ("src/bad.rs", "fn ("),
        ]);
        assert!(defined(&tree, "krate::gone::f")[0].starts_with("unresolved"));
        assert!(defined(&tree, "krate::bad::f")[0].starts_with("unresolved"));
    }
}
