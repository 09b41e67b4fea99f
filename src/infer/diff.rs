//! The item-level difference between two releases of a crate: which functions the fix changed or
//! removed, named by their paths in the vulnerable release, in the same form as an advisory's
//! `[affected.functions]`.
//!
//! Compared as token streams, so spans, comments, doc attributes and formatting do not count.
//! Closures and nested items count in their function; a changed `const`/`static` counts through
//! the functions that use it; a changed `macro_rules!` makes the macro itself an item. Test code
//! (`#[cfg(test)]`, `#[test]`), `tests/`, `benches/`, `examples/` and build scripts are left out.
//! Files identical in both releases are not parsed (large generated bindings stay cheap).
//!
//! Items are named by the crate's own module tree ([`CrateTree`], the same reader that resolves
//! advisories' paths at scan time), not by file names: `#[path]`, `mod.rs` beside `foo.rs`, inline
//! modules and modules declared inside item macros (`cfg_if!`) are where rustc puts them; Rust files
//! outside the library's tree (binaries, fuzz targets, vendored crates) are not the library. A
//! function the fix removed that reappears unchanged under another name or module was moved, and
//! is left out.

use crate::reachability::CrateTree;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use syn::{ImplItem, Item, TraitItem};

/// What the fix changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FixDiff {
    /// Functions (and listed macros) of the vulnerable release the fix changed or removed, crate
    /// name first (`smallvec::SmallVec::insert_many`), named by where the crate's module tree
    /// defines them (the type's module for a method).
    pub functions: BTreeSet<String>,
    /// Items of any kind that changed (functions, types, constants, macros); functions the fix
    /// only moved or renamed, unchanged, do not count.
    pub changed_items: usize,
    /// Library source files that differ.
    pub rust_files: usize,
    /// Other files that differ (manifests, build scripts, C sources, Rust files outside the
    /// library's module tree), relative to the crate.
    pub other_files: Vec<String>,
}

/// A function's tokens, the identifiers it mentions, and its tokens without its own name (to
/// recognise a function the fix moved or renamed without changing it).
#[derive(Debug, Default)]
struct Function {
    tokens: String,
    mentions: BTreeSet<String>,
    shape: String,
}

/// One release's items by path.
#[derive(Debug, Default)]
struct Items {
    functions: BTreeMap<String, Function>,
    /// Constants and statics by path: their tokens.
    constants: BTreeMap<String, String>,
    /// `macro_rules!` by path: their tokens.
    macros: BTreeMap<String, String>,
    /// Types and traits by path: their tokens.
    types: BTreeMap<String, String>,
    /// Impls by the paths they are named under and their trait (`a::Foo as Sync`): their tokens
    /// without the methods (bounds, associated types and constants), and those paths.
    impls: BTreeMap<String, (BTreeSet<String>, Vec<String>)>,
    /// Methods no path of the crate can name (of a foreign trait on a foreign type): tokens.
    unnamed: BTreeMap<String, String>,
}

/// One release: its directory and its library's module tree.
struct Release<'a> {
    crate_name: &'a str,
    root: &'a Path,
    tree: Option<CrateTree>,
    /// Edition 2015 (the manifest names none): `async` and `await` can be identifiers.
    edition_2015: bool,
}

impl<'a> Release<'a> {
    fn read(crate_name: &'a str, root: &'a Path) -> Release<'a> {
        let tree = library_root(root).map(|file| CrateTree::read(&file));
        let edition = manifest(root)
            .and_then(|m| Some(m.get("package")?.get("edition")?.as_str()?.to_string()));
        Release {
            crate_name,
            root,
            tree,
            edition_2015: edition.is_none_or(|e| e == "2015"),
        }
    }

    /// Parses a source file of this release. syn reads today's editions; in a 2015 crate whose
    /// file does not parse, `async` and `await` are identifiers, and are read as raw ones.
    fn parse(&self, text: &str) -> syn::Result<syn::File> {
        match syn::parse_file(text) {
            Err(error) if self.edition_2015 => {
                let raw = raw_identifiers(text, &["async", "await"]);
                syn::parse_file(&raw).map_err(|_| error)
            }
            parsed => parsed,
        }
    }

    /// Whether the file is a module the tree declares `#[cfg(test)]` (`#[cfg(test)] mod tests;`).
    fn is_test_file(&self, relative: &Path) -> bool {
        self.tree.as_ref().is_some_and(|tree| {
            tree.module_of_file(&self.root.join(relative))
                .is_some_and(|module| tree.is_test_module(module))
        })
    }

    /// The module a source file is (crate name first), or `None` when it is not part of the
    /// library. Where the module tree cannot be read (no library root, a file syn cannot
    /// parse), the file's place in `src/` stands in for it.
    fn module_of(&self, relative: &Path) -> Option<Vec<String>> {
        if let Some(tree) = &self.tree {
            if let Some(module) = tree.module_of_file(&self.root.join(relative)) {
                if tree.is_test_module(module) {
                    return None;
                }
                return Some(
                    std::iter::once(self.crate_name.to_string())
                        .chain(module.iter().cloned())
                        .collect(),
                );
            }
            let root_read =
                library_root(self.root).is_some_and(|root| tree.module_of_file(&root).is_some());
            if root_read && !tree.is_incomplete() {
                return None;
            }
        }
        guessed_module(self.crate_name, relative)
    }
}

/// Compares the crate sources in `old` (the last vulnerable release) and `new` (the first
/// patched one); `crate_name` is the crate's name in paths (`-` as `_`).
pub fn diff(crate_name: &str, old: &Path, new: &Path) -> Result<FixDiff, String> {
    let old_release = Release::read(crate_name, old);
    let new_release = Release::read(crate_name, new);
    let old_files = source_files(old);
    let new_files = source_files(new);
    let mut result = FixDiff::default();
    let mut old_items = Items::default();
    let mut new_items = Items::default();
    // Files identical in both releases: read only if the fix changed a constant, for the
    // functions there that use it.
    let mut unchanged: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let all: BTreeSet<&PathBuf> = old_files.iter().chain(new_files.iter()).collect();
    for relative in all {
        if is_test_tree(relative) || is_packaging_record(relative) {
            continue;
        }
        let (old_path, new_path) = (old.join(relative), new.join(relative));
        let old_bytes = std::fs::read(&old_path).ok();
        let new_bytes = std::fs::read(&new_path).ok();
        let rust = is_rust_source(relative);
        let old_module = old_bytes
            .as_ref()
            .filter(|_| rust)
            .and_then(|_| old_release.module_of(relative));
        if old_bytes == new_bytes {
            if let Some(module) = old_module {
                unchanged.push((relative.clone(), module));
            }
            continue;
        }
        let name = relative.to_string_lossy().replace('\\', "/");
        if rust && (old_release.is_test_file(relative) || new_release.is_test_file(relative)) {
            continue;
        }
        let new_module = new_bytes
            .as_ref()
            .filter(|_| rust)
            .and_then(|_| new_release.module_of(relative));
        if old_module.is_none() && new_module.is_none() {
            result.other_files.push(name);
            continue;
        }
        result.rust_files += 1;
        for (bytes, module, release, items) in [
            (&old_bytes, old_module, &old_release, &mut old_items),
            (&new_bytes, new_module, &new_release, &mut new_items),
        ] {
            if let (Some(bytes), Some(module)) = (bytes, module) {
                let text = String::from_utf8_lossy(bytes);
                let syntax = release.parse(&text).map_err(|e| format!("{name}: {e}"))?;
                collect(release, &module, &syntax.items, items);
            }
        }
    }
    result.other_files.sort();
    let changed = |old: &BTreeMap<String, String>, new: &BTreeMap<String, String>| {
        old.iter()
            .filter(|(path, tokens)| new.get(*path) != Some(tokens))
            .map(|(path, _)| path.clone())
            .collect::<Vec<String>>()
    };
    let changed_constants = changed(&old_items.constants, &new_items.constants);
    let changed_macros = changed(&old_items.macros, &new_items.macros);
    let changed_types = changed(&old_items.types, &new_items.types);
    let changed_unnamed = changed(&old_items.unnamed, &new_items.unnamed);
    // An impl whose bounds or associated items changed, or that the fix removed (`unsafe impl
    // Send for Foo` given a `T: Send` bound): the type is what the fix is about.
    let changed_impls: Vec<&Vec<String>> = old_items
        .impls
        .iter()
        .filter(|(key, (tokens, _))| new_items.impls.get(*key).map(|(t, _)| t) != Some(tokens))
        .map(|(_, (_, owners))| owners)
        .collect();
    for owners in &changed_impls {
        result.functions.extend(owners.iter().cloned());
    }
    let constant_names: BTreeSet<&str> = changed_constants
        .iter()
        .filter_map(|path| path.rsplit("::").next())
        .collect();
    if !constant_names.is_empty() {
        for (relative, module) in &unchanged {
            let Ok(text) = std::fs::read_to_string(old.join(relative)) else {
                continue;
            };
            if let Ok(syntax) = old_release.parse(&text) {
                let mut items = Items::default();
                collect(&old_release, module, &syntax.items, &mut items);
                for (path, function) in items.functions {
                    if function
                        .mentions
                        .iter()
                        .any(|m| constant_names.contains(m.as_str()))
                    {
                        result.functions.insert(path);
                    }
                }
            }
        }
    }
    // Functions only the patched release has, by their tokens without their names: a removed
    // function found among them was moved or renamed, not changed.
    let added_shapes: HashSet<&str> = new_items
        .functions
        .iter()
        .filter(|(path, _)| !old_items.functions.contains_key(*path))
        .map(|(_, f)| f.shape.as_str())
        .collect();
    let mut changed_functions = 0;
    for (path, function) in &old_items.functions {
        let changed = match new_items.functions.get(path) {
            Some(patched) => patched.tokens != function.tokens,
            None => !added_shapes.contains(function.shape.as_str()),
        };
        let uses_changed_constant = function
            .mentions
            .iter()
            .any(|m| constant_names.contains(m.as_str()));
        changed_functions += usize::from(changed);
        if changed || uses_changed_constant {
            result.functions.insert(path.clone());
        }
    }
    result.functions.extend(changed_macros.iter().cloned());
    // A fix that changed no function but changed types (a field, a `#[repr]`, a trait's
    // signature): the types, which stand for their methods as an advisory's listed type does.
    if result.functions.is_empty() {
        result.functions.extend(changed_types.iter().cloned());
    }
    result.changed_items = changed_functions
        + changed_constants.len()
        + changed_macros.len()
        + changed_types.len()
        + changed_impls.len()
        + changed_unnamed.len();
    Ok(result)
}

/// Every function of a release's library, named as [`diff`] names them, with the identifiers it
/// mentions: what the measurement follows from a listed function to the functions it calls.
pub(super) fn functions_of(crate_name: &str, root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let release = Release::read(crate_name, root);
    let mut items = Items::default();
    for relative in source_files(root) {
        if is_test_tree(&relative) || !is_rust_source(&relative) {
            continue;
        }
        let Some(module) = release.module_of(&relative) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(root.join(&relative)) else {
            continue;
        };
        if let Ok(syntax) = release.parse(&text) {
            collect(&release, &module, &syntax.items, &mut items);
        }
    }
    items
        .functions
        .into_iter()
        .map(|(path, f)| (path, f.mentions))
        .collect()
}

/// The library's root file: `[lib] path` of the manifest, else `src/lib.rs`, else `src/main.rs`
/// (a crate with only a binary).
pub(super) fn library_root(root: &Path) -> Option<PathBuf> {
    let declared = manifest(root).and_then(|table| {
        table
            .get("lib")?
            .get("path")?
            .as_str()
            .map(|p| root.join(p))
    });
    declared
        .into_iter()
        .chain([root.join("src/lib.rs"), root.join("src/main.rs")])
        .find(|file| file.is_file())
}

/// The Rust files of a crate directory, relative to it.
fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // The entry's own type: a symlink to a directory is not followed (no loops).
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if name != "target" && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if let Ok(relative) = path.strip_prefix(root) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// A file of the crate's tests, benches or examples: not part of the library at all.
fn is_test_tree(relative: &Path) -> bool {
    relative.components().next().is_some_and(|c| {
        matches!(
            c.as_os_str().to_string_lossy().as_ref(),
            "tests" | "benches" | "examples"
        )
    })
}

/// The release's `Cargo.toml`, parsed.
fn manifest(root: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()?
        .parse::<toml::Table>()
        .ok()
}

/// `text` with each of `words`, where it stands alone as a word, written as a raw identifier
/// (`r#async`). Inside strings and comments too, which changes nothing a diff compares.
fn raw_identifiers(text: &str, words: &[&str]) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let before = out.chars().next_back();
        let found = words.iter().find(|w| {
            rest.starts_with(**w)
                && !before.is_some_and(|b| is_word(b) || b == '#')
                && !rest[w.len()..].chars().next().is_some_and(is_word)
        });
        match found {
            Some(word) => {
                out.push_str("r#");
                out.push_str(word);
                rest = &rest[word.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// A file `cargo package` writes into every release (`.cargo_vcs_info.json`, the original
/// `Cargo.toml.orig`): it differs between any two releases and says nothing about the fix.
fn is_packaging_record(relative: &Path) -> bool {
    relative == Path::new(".cargo_vcs_info.json") || relative == Path::new("Cargo.toml.orig")
}

/// A Rust source file other than the build script.
fn is_rust_source(relative: &Path) -> bool {
    relative.extension().is_some_and(|e| e == "rs") && relative != Path::new("build.rs")
}

/// The module path of a source file guessed from its place, for a crate whose module tree
/// cannot be read: `src/lib.rs` is the crate root, `src/a/mod.rs` and `src/a.rs` are `a`,
/// `src/a/b.rs` is `a::b`; binaries (`src/main.rs` beside a `src/lib.rs`, `src/bin/`) are not
/// the library.
fn guessed_module(crate_name: &str, relative: &Path) -> Option<Vec<String>> {
    if relative.starts_with("src/bin") {
        return None;
    }
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "src") {
        parts.remove(0);
    }
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "lib" | "main" | "mod") {
            parts.push(stem.to_string());
        }
    }
    Some(
        std::iter::once(crate_name.to_string())
            .chain(parts)
            .collect(),
    )
}

fn collect(release: &Release<'_>, module: &[String], items: &[Item], into: &mut Items) {
    for item in items {
        if is_test_code(item_attrs(item)) {
            continue;
        }
        match item {
            Item::Fn(f) => {
                let path = join(module, &f.sig.ident.to_string());
                add_function(into, path, f.to_token_stream(), &f.sig.ident);
            }
            Item::Impl(i) => {
                let owners = impl_owners(release, module, i);
                for impl_item in &i.items {
                    if let ImplItem::Fn(f) = impl_item {
                        if is_test_code(&f.attrs) {
                            continue;
                        }
                        for owner in &owners {
                            let path = format!("{owner}::{}", f.sig.ident);
                            add_function(into, path, f.to_token_stream(), &f.sig.ident);
                        }
                        if owners.is_empty() {
                            // Still an item the fix may change, counted as one.
                            let head = {
                                let mut head = i.clone();
                                head.items.clear();
                                head.attrs.clear();
                                head.to_token_stream().to_string()
                            };
                            let key = join(module, &format!("{head}::{}", f.sig.ident));
                            let text = without_inert_attributes(f.to_token_stream()).to_string();
                            into.unnamed.entry(key).or_default().push_str(&text);
                        }
                    }
                }
                if !owners.is_empty() {
                    let mut head = i.clone();
                    head.items.retain(|item| !matches!(item, ImplItem::Fn(_)));
                    let text = without_inert_attributes(head.to_token_stream()).to_string();
                    let trait_name = i
                        .trait_
                        .as_ref()
                        .and_then(|(path, _)| path.segments.last())
                        .map_or_else(|| "Self".to_string(), |s| s.ident.to_string());
                    let key = format!("{} as {trait_name}", owners.join(" + "));
                    // A set: an impl split in two blocks, or two merged, is the same impl.
                    let entry = into
                        .impls
                        .entry(key)
                        .or_insert_with(|| (BTreeSet::new(), owners));
                    entry.0.insert(text);
                }
            }
            Item::Trait(t) => {
                for trait_item in &t.items {
                    if let TraitItem::Fn(f) = trait_item
                        && f.default.is_some()
                    {
                        let path = join(module, &format!("{}::{}", t.ident, f.sig.ident));
                        add_function(into, path, f.to_token_stream(), &f.sig.ident);
                    }
                }
                into.types
                    .insert(join(module, &t.ident.to_string()), signature_tokens(item));
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let inner_module: Vec<String> = module
                        .iter()
                        .cloned()
                        .chain([m.ident.to_string()])
                        .collect();
                    collect(release, &inner_module, inner, into);
                }
            }
            Item::Const(c) => {
                into.constants
                    .insert(join(module, &c.ident.to_string()), tokens(item));
            }
            Item::Static(s) => {
                into.constants
                    .insert(join(module, &s.ident.to_string()), tokens(item));
            }
            Item::Macro(m) => match &m.ident {
                Some(ident) => {
                    let exported = m.attrs.iter().any(|a| a.path().is_ident("macro_export"));
                    let home = if exported { &module[..1] } else { module };
                    into.macros.insert(
                        join(home, &ident.to_string()),
                        without_inert_attributes(m.mac.tokens.clone()).to_string(),
                    );
                }
                None => {
                    let wrapped = crate::reachability::items_in_macro(m.mac.tokens.clone(), 0);
                    collect(release, module, &wrapped, into);
                }
            },
            Item::Struct(_) | Item::Enum(_) | Item::Union(_) | Item::Type(_) => {
                if let Some(name) = item_ident(item) {
                    into.types.insert(join(module, &name), tokens(item));
                }
            }
            _ => {}
        }
    }
}

/// The paths an impl's methods are named under (crate name first), or none when no path of
/// this crate can name them.
///
/// The self type where the crate's module tree defines it, which is how symbols and advisories
/// name methods (`impl Foo` in `a::imp` for `a::Foo` gives `a::Foo::method`). For a trait impl on
/// a type that is not the crate's (a generic parameter, `[u8]`, `Vec<T>`), the trait where the
/// crate defines it; when neither is the crate's (`impl From<Local> for Vec<u8>`), the methods'
/// symbols carry no path of this crate, and they are left out. Where the tree knows neither name
/// (a type made by a macro), the impl's module and the type's last segment.
fn impl_owners(release: &Release<'_>, module: &[String], imp: &syn::ItemImpl) -> Vec<String> {
    let crate_relative = &module[1..];
    let resolve = |path: &syn::Path| -> Vec<String> {
        let Some(tree) = &release.tree else {
            return Vec::new();
        };
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        tree.resolve_written(crate_relative, &segments)
            .into_iter()
            .map(|p| join(&module[..1], &p.join("::")))
            .collect()
    };
    let declared = |name: &str| {
        release
            .tree
            .as_ref()
            .is_some_and(|tree| tree.declares_macro(name).is_some())
    };
    let self_path = type_path(&imp.self_ty);
    let self_name = self_path
        .and_then(|p| p.segments.last())
        .map(|s| s.ident.to_string());
    let generic_parameter =
        self_path.is_some_and(|p| {
            p.segments.len() == 1
                && imp.generics.params.iter().any(
                    |g| matches!(g, syn::GenericParam::Type(t) if t.ident == p.segments[0].ident),
                )
        });
    if let Some(path) = self_path.filter(|_| !generic_parameter) {
        let owners = resolve(path);
        if !owners.is_empty() {
            return owners;
        }
    }
    // Not a type of the crate's, as far as anyone can tell.
    let foreign_self = generic_parameter
        || match &self_name {
            None => true,
            Some(name) => !declared(name) && FOREIGN_TYPES.contains(&name.as_str()),
        };
    if let Some((trait_path, _)) = &imp.trait_ {
        let owners = resolve(trait_path);
        if !owners.is_empty() && foreign_self {
            return owners;
        }
        let trait_name = trait_path.segments.last().map(|s| s.ident.to_string());
        let foreign_trait = trait_name
            .as_ref()
            .is_none_or(|name| !declared(name) && owners.is_empty());
        if foreign_self && foreign_trait {
            return Vec::new();
        }
        if foreign_self && let Some(name) = trait_name {
            return vec![join(module, &name)];
        }
    }
    match self_name {
        Some(name) if !foreign_self => vec![join(module, &name)],
        _ => Vec::new(),
    }
}

/// Types of the language and the standard library that impls of a crate commonly extend: an
/// impl on one of them, of a trait that is not the crate's either, has no path in the crate.
const FOREIGN_TYPES: &[&str] = &[
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "str",
    "String",
    "Vec",
    "VecDeque",
    "Box",
    "Option",
    "Result",
    "Rc",
    "Arc",
    "Cow",
    "HashMap",
    "HashSet",
    "BTreeMap",
    "BTreeSet",
    "Path",
    "PathBuf",
    "OsStr",
    "OsString",
    "Cell",
    "RefCell",
    "Mutex",
    "RwLock",
    "Duration",
    "SystemTime",
    "Instant",
    "File",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "SocketAddr",
    "Error",
];

/// The path of a type written as one (`SmallVec<A>`, `&mut Foo`, `(Foo)`), without `<T as X>`.
fn type_path(ty: &syn::Type) -> Option<&syn::Path> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => Some(&p.path),
        syn::Type::Reference(r) => type_path(&r.elem),
        syn::Type::Group(g) => type_path(&g.elem),
        syn::Type::Paren(p) => type_path(&p.elem),
        _ => None,
    }
}

fn add_function(into: &mut Items, path: String, stream: TokenStream, name: &syn::Ident) {
    let stream = without_inert_attributes(stream);
    let mentions = crate::lints::ast::mentioned_idents(stream.clone());
    let text = stream.to_string();
    // The same tokens with the function's own name left out.
    let shape = without_ident(stream, name).to_string();
    // Several impls can give one path (`impl Foo<u8>`, `impl Foo<u16>`): keep them all.
    let function = into.functions.entry(path).or_default();
    if !function.tokens.is_empty() {
        function.tokens.push('\n');
        function.shape.push('\n');
    }
    function.tokens.push_str(&text);
    function.shape.push_str(&shape);
    function.mentions.extend(mentions);
}

/// The tokens without the attributes that do not change what code does, at any depth: docs
/// (`#[doc = …]`, which doc comments are), lint levels (`#[allow(…)]`), `#[must_use]`, inlining
/// hints. A fix that only touches these is no fix of the function. (`#[deprecated]` counts: a fix
/// that deprecates a function points at it.)
fn without_inert_attributes(stream: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut kept = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let TokenTree::Punct(p) = &trees[i]
            && p.as_char() == '#'
        {
            let bang = matches!(trees.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
            let group = i + 1 + usize::from(bang);
            if let Some(TokenTree::Group(g)) = trees.get(group)
                && g.delimiter() == Delimiter::Bracket
                && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(id)) if INERT_ATTRIBUTES.iter().any(|a| id == a))
            {
                i = group + 1;
                continue;
            }
        }
        kept.push(match &trees[i] {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), without_inert_attributes(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    kept.into_iter().collect()
}

/// Attributes that document, tune lints or hint the optimiser, and never change behaviour.
const INERT_ATTRIBUTES: &[&str] = &[
    "doc", "allow", "warn", "deny", "expect", "must_use", "inline", "cold", "rustfmt", "clippy",
];

/// The tokens with the first occurrence of `name` after `fn` replaced by `_`.
fn without_ident(stream: TokenStream, name: &syn::Ident) -> TokenStream {
    let mut after_fn = false;
    let mut done = false;
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(id) if !done && after_fn && id == *name => {
                done = true;
                TokenTree::Ident(proc_macro2::Ident::new("_", id.span()))
            }
            other => {
                after_fn = matches!(&other, TokenTree::Ident(id) if id == "fn");
                other
            }
        })
        .collect()
}

fn tokens(item: &Item) -> String {
    without_inert_attributes(item.to_token_stream()).to_string()
}

/// A trait's tokens without its default method bodies (those count as functions).
fn signature_tokens(item: &Item) -> String {
    match item {
        Item::Trait(t) => {
            let mut t = t.clone();
            for trait_item in &mut t.items {
                if let TraitItem::Fn(f) = trait_item {
                    f.default = None;
                }
            }
            without_inert_attributes(t.to_token_stream()).to_string()
        }
        other => tokens(other),
    }
}

fn join(module: &[String], name: &str) -> String {
    let mut path = module.join("::");
    path.push_str("::");
    path.push_str(name);
    path
}

fn item_ident(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Union(u) => Some(u.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

fn item_attrs(item: &Item) -> &[syn::Attribute] {
    match item {
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Const(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]` or `#[test]`.
fn is_test_code(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edition_2015_identifiers_are_read_as_raw_ones() {
        assert_eq!(
            raw_identifiers(
                "fn async(x: u8) { r#async(); r.await; asyncish; \"async\" }",
                &["async", "await"]
            ),
            "fn r#async(x: u8) { r#async(); r.r#await; asyncish; \"r#async\" }"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"old\"\n").unwrap();
        let release = Release::read("old", dir.path());
        assert!(release.edition_2015);
        assert!(release.parse("pub fn async() {}").is_ok());
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"new\"\nedition = \"2021\"\n",
        )
        .unwrap();
        let release = Release::read("new", dir.path());
        assert!(release.parse("pub fn async() {}").is_err());
    }
}
