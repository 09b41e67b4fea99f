//! The item-level difference between two releases of a crate: which functions the fix changed or
//! removed, named by their paths in the vulnerable release, in the same form as an advisory's
//! `[affected.functions]`.
//!
//! Compared as token streams, so spans, comments, doc attributes and formatting do not count.
//! Closures and nested items count in their function; a changed `const`/`static` counts through
//! the functions that use it; a changed `macro_rules!` makes the macro itself an item. Test code
//! (`#[cfg(test)]`, `#[test]`), `tests/`, `benches/`, `examples/` and build scripts are left out.
//! Files identical in both releases are not parsed (large generated bindings stay cheap).

use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::{ImplItem, Item, TraitItem};

/// What the fix changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FixDiff {
    /// Functions (and listed macros) of the vulnerable release the fix changed or removed, crate
    /// name first (`smallvec::SmallVec::insert_many`).
    pub functions: BTreeSet<String>,
    /// Items of any kind that changed (functions, types, constants, macros).
    pub changed_items: usize,
    /// Rust source files that differ.
    pub rust_files: usize,
    /// Other files that differ (manifests, build scripts, C sources), relative to the crate.
    pub other_files: Vec<String>,
}

/// One item's identity and its tokens.
#[derive(Debug, Default)]
struct Items {
    /// Functions and methods by path: their tokens, and the identifiers they mention.
    functions: BTreeMap<String, (String, BTreeSet<String>)>,
    /// Constants and statics by name: their tokens.
    constants: BTreeMap<String, String>,
    /// `macro_rules!` by path: their tokens.
    macros: BTreeMap<String, String>,
    /// Types, traits and other items by path: their tokens.
    others: BTreeMap<String, String>,
}

/// Compares the crate sources in `old` (the last vulnerable release) and `new` (the first
/// patched one); `crate_name` is the crate's name in paths (`-` as `_`).
pub fn diff(crate_name: &str, old: &Path, new: &Path) -> Result<FixDiff, String> {
    let old_files = source_files(old);
    let new_files = source_files(new);
    let mut result = FixDiff::default();
    let mut old_items = Items::default();
    let mut new_items = Items::default();
    // Files identical in both releases: read only if the fix changed a constant, for the
    // functions there that use it.
    let mut unchanged: Vec<PathBuf> = Vec::new();
    let all: BTreeSet<&PathBuf> = old_files.iter().chain(new_files.iter()).collect();
    for relative in all {
        let (old_path, new_path) = (old.join(relative), new.join(relative));
        let old_bytes = std::fs::read(&old_path).ok();
        let new_bytes = std::fs::read(&new_path).ok();
        if old_bytes == new_bytes {
            if is_library_source(relative) && !is_test_tree(relative) {
                unchanged.push(relative.clone());
            }
            continue;
        }
        let name = relative.to_string_lossy().replace('\\', "/");
        if is_test_tree(relative) {
            continue;
        }
        if !is_library_source(relative) {
            result.other_files.push(name);
            continue;
        }
        result.rust_files += 1;
        let module = module_path(crate_name, relative);
        for (bytes, items) in [(&old_bytes, &mut old_items), (&new_bytes, &mut new_items)] {
            if let Some(bytes) = bytes {
                let text = String::from_utf8_lossy(bytes);
                let syntax = syn::parse_file(&text).map_err(|e| format!("{name}: {e}"))?;
                collect(&module, &syntax.items, items);
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
    let changed_others = changed(&old_items.others, &new_items.others);
    let constant_names: BTreeSet<&str> = changed_constants
        .iter()
        .filter_map(|path| path.rsplit("::").next())
        .collect();
    if !constant_names.is_empty() {
        for relative in &unchanged {
            let Ok(text) = std::fs::read_to_string(old.join(relative)) else {
                continue;
            };
            if let Ok(syntax) = syn::parse_file(&text) {
                let mut items = Items::default();
                collect(
                    &module_path(crate_name, relative),
                    &syntax.items,
                    &mut items,
                );
                for (path, (_, mentions)) in items.functions {
                    if mentions.iter().any(|m| constant_names.contains(m.as_str())) {
                        result.functions.insert(path);
                    }
                }
            }
        }
    }
    let mut changed_functions = 0;
    for (path, (tokens, mentions)) in &old_items.functions {
        let changed = new_items.functions.get(path).map(|(t, _)| t) != Some(tokens);
        let uses_changed_constant = mentions.iter().any(|m| constant_names.contains(m.as_str()));
        changed_functions += usize::from(changed);
        if changed || uses_changed_constant {
            result.functions.insert(path.clone());
        }
    }
    result.functions.extend(changed_macros.iter().cloned());
    result.changed_items =
        changed_functions + changed_constants.len() + changed_macros.len() + changed_others.len();
    Ok(result)
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

/// A library source file: `.rs` and not the build script.
fn is_library_source(relative: &Path) -> bool {
    relative.extension().is_some_and(|e| e == "rs") && relative != Path::new("build.rs")
}

/// The module path of a source file: `src/lib.rs` is the crate root, `src/a/mod.rs` and
/// `src/a.rs` are `a`, `src/a/b.rs` is `a::b`.
fn module_path(crate_name: &str, relative: &Path) -> Vec<String> {
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
    std::iter::once(crate_name.to_string())
        .chain(parts)
        .collect()
}

fn collect(module: &[String], items: &[Item], into: &mut Items) {
    for item in items {
        if is_test_code(item_attrs(item)) {
            continue;
        }
        match item {
            Item::Fn(f) => {
                let path = join(module, &f.sig.ident.to_string());
                add_function(into, path, f.to_token_stream(), &f.attrs);
            }
            Item::Impl(i) => {
                let Some(ty) = self_type_name(&i.self_ty) else {
                    continue;
                };
                for impl_item in &i.items {
                    if let ImplItem::Fn(f) = impl_item {
                        if is_test_code(&f.attrs) {
                            continue;
                        }
                        let path = join(module, &format!("{ty}::{}", f.sig.ident));
                        add_function(into, path, f.to_token_stream(), &f.attrs);
                    }
                }
            }
            Item::Trait(t) => {
                for trait_item in &t.items {
                    if let TraitItem::Fn(f) = trait_item
                        && f.default.is_some()
                    {
                        let path = join(module, &format!("{}::{}", t.ident, f.sig.ident));
                        add_function(into, path, f.to_token_stream(), &f.attrs);
                    }
                }
                into.others
                    .insert(join(module, &t.ident.to_string()), signature_tokens(item));
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let inner_module: Vec<String> = module
                        .iter()
                        .cloned()
                        .chain([m.ident.to_string()])
                        .collect();
                    collect(&inner_module, inner, into);
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
                    into.macros
                        .insert(join(home, &ident.to_string()), m.mac.tokens.to_string());
                }
                None => {
                    let wrapped = crate::reachability::items_in_macro(m.mac.tokens.clone(), 0);
                    collect(module, &wrapped, into);
                }
            },
            Item::Struct(_) | Item::Enum(_) | Item::Union(_) | Item::Type(_) => {
                if let Some(name) = item_ident(item) {
                    into.others.insert(join(module, &name), tokens(item));
                }
            }
            _ => {}
        }
    }
}

fn add_function(
    into: &mut Items,
    path: String,
    stream: proc_macro2::TokenStream,
    attrs: &[syn::Attribute],
) {
    let mut text = without_docs(stream.clone(), attrs);
    let mentions = crate::lints::ast::mentioned_idents(stream);
    // Several impls can give one path (`impl Foo<u8>`, `impl Foo<u16>`): keep them all.
    if let Some((existing, existing_mentions)) = into.functions.get_mut(&path) {
        existing.push('\n');
        existing.push_str(&text);
        existing_mentions.extend(mentions);
        return;
    }
    text.shrink_to_fit();
    into.functions
        .insert(path, (text, mentions.into_iter().collect()));
}

/// The item's tokens with its doc attributes removed.
fn without_docs(stream: proc_macro2::TokenStream, attrs: &[syn::Attribute]) -> String {
    let mut text = stream.to_string();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        text = text.replacen(&attr.to_token_stream().to_string(), "", 1);
    }
    text
}

fn tokens(item: &Item) -> String {
    without_docs(item.to_token_stream(), item_attrs(item))
}

/// A trait's tokens without its default method bodies (those count as functions).
fn signature_tokens(item: &Item) -> String {
    match item {
        Item::Trait(t) => {
            let mut t = t.clone();
            for trait_item in &mut t.items {
                if let TraitItem::Fn(f) = trait_item {
                    f.default = None;
                    f.attrs.clear();
                }
            }
            t.attrs.retain(|a| !a.path().is_ident("doc"));
            t.to_token_stream().to_string()
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

/// The last segment of an impl's self type (`SmallVec<A>` → `SmallVec`, `&mut Foo` → `Foo`).
fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => self_type_name(&r.elem),
        syn::Type::Group(g) => self_type_name(&g.elem),
        syn::Type::Paren(p) => self_type_name(&p.elem),
        _ => None,
    }
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
