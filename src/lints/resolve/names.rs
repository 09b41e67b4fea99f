//! Names as the compiler resolves them, for one file: `use` aliases (groups, renames, `self`),
//! `extern crate x as y`, dependency renames from Cargo.toml (`digest_old = { package = "sha1" }`),
//! glob imports, `Self` inside an impl and qualified paths (`<T as Trait>::m` becomes `T::m`).
//!
//! [`rewrite_paths`] rewrites every path of the tree to its full form in place, keeping the span
//! of the segment it replaced, so a rule sees `md5::compute` wherever the code wrote `hash`,
//! `::md5::compute`, `old_md5::compute` or `compute` under `use md5::*`. Single-segment paths that
//! name a local binding of the enclosing function are left alone: they are values, not items.
//!
//! Scoping is the file's: a `use` in any module of the file counts for the whole file. That only
//! adds resolutions; the rules match full paths, so an extra one cannot hide a finding.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Item, UseTree};

use super::CrateRenames;

/// Names that the prelude or the language already gives: never taken from a glob import.
const PRELUDE: &[&str] = &[
    "Some",
    "None",
    "Ok",
    "Err",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "ToString",
    "Into",
    "From",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Extend",
    "AsRef",
    "AsMut",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "drop",
    "Self",
    "self",
    "super",
    "crate",
    "bool",
    "char",
    "str",
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
];

/// The file's names: what a path's first segment stands for.
#[derive(Debug, Default)]
pub struct Names {
    /// Local name → full path (`hash` → `md5::compute`).
    aliases: HashMap<String, Vec<String>>,
    /// Crate name in code → the package it is (`digest_old` → `sha1`).
    crates: HashMap<String, String>,
    /// The prefixes of glob imports of other crates (`use md5::*;` → `md5`).
    globs: Vec<Vec<String>>,
    /// Items the file defines itself: a glob never supplies these.
    defined: HashSet<String>,
}

impl Names {
    /// The names of `file`, with the crate's dependency renames.
    pub fn of_file(file: &syn::File, renames: &CrateRenames) -> Names {
        struct Collect {
            names: Names,
            trees: Vec<UseTree>,
        }
        impl<'ast> Visit<'ast> for Collect {
            fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
                self.trees.push(item.tree.clone());
            }
            fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
                if let Some((_, rename)) = &item.rename {
                    self.names
                        .crates
                        .insert(rename.to_string(), item.ident.to_string());
                }
            }
            fn visit_item(&mut self, item: &'ast Item) {
                if let Some(ident) = item_ident(item) {
                    self.names.defined.insert(ident);
                }
                syn::visit::visit_item(self, item);
            }
        }
        let mut collect = Collect {
            names: Names::default(),
            trees: Vec::new(),
        };
        for (name, package) in &renames.0 {
            collect.names.crates.insert(name.clone(), package.clone());
        }
        collect.visit_file(file);
        let mut names = collect.names;
        for tree in &collect.trees {
            names.add_tree(&mut Vec::new(), tree);
        }
        names
    }

    fn add_tree(&mut self, prefix: &mut Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_tree(prefix, &p.tree);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                let mut full = prefix.clone();
                if name != "self" {
                    full.push(name.clone());
                }
                let local = if name == "self" {
                    prefix.last().cloned().unwrap_or(name)
                } else {
                    name
                };
                self.insert(local, full);
            }
            UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.insert(r.rename.to_string(), full);
            }
            UseTree::Glob(_) => {
                let full = self.renamed_crate(strip_relative(prefix.clone()));
                if !full.is_empty() && !matches!(full[0].as_str(), "std" | "core" | "alloc") {
                    self.globs.push(full);
                }
            }
            UseTree::Group(g) => {
                for item in &g.items {
                    self.add_tree(prefix, item);
                }
            }
        }
    }

    fn insert(&mut self, local: String, full: Vec<String>) {
        let full = self.renamed_crate(strip_relative(full));
        if full.len() > 1 || full.first() != Some(&local) {
            self.aliases.insert(local, full);
        }
    }

    /// `segments` with a renamed dependency's first segment replaced by its package name.
    fn renamed_crate(&self, mut segments: Vec<String>) -> Vec<String> {
        if let Some(first) = segments.first_mut()
            && let Some(package) = self.crates.get(first.as_str())
        {
            *first = package.clone();
        }
        segments
    }

    /// The full path `segments` stand for, where `local` says whether a one-segment path names a
    /// local binding (then it stays as written).
    pub fn full_path(&self, segments: Vec<String>, local: bool) -> Vec<String> {
        let segments = strip_relative(segments);
        let Some(first) = segments.first() else {
            return segments;
        };
        if segments.len() == 1 && local {
            return segments;
        }
        if let Some(full) = self.aliases.get(first) {
            let mut resolved = full.clone();
            resolved.extend(segments.into_iter().skip(1));
            return resolved;
        }
        if self.crates.contains_key(first) {
            return self.renamed_crate(segments);
        }
        // A name neither imported by name nor defined here may come from the one glob import.
        if let [glob] = self.globs.as_slice()
            && !self.defined.contains(first)
            && !PRELUDE.contains(&first.as_str())
            && !is_known_root(first)
        {
            let mut resolved = glob.clone();
            resolved.extend(segments);
            return resolved;
        }
        segments
    }

    /// The segments of an already rewritten path (`crate::`, `self::`, `super::` dropped).
    pub fn resolve(&self, path: &syn::Path) -> Vec<String> {
        strip_relative(path.segments.iter().map(|s| s.ident.to_string()).collect())
    }

    /// True if the file imports something from the crate `name` (by name or by glob).
    pub fn uses_crate(&self, name: &str) -> bool {
        self.aliases
            .values()
            .chain(self.globs.iter())
            .any(|full| full.first().is_some_and(|f| f == name))
    }
}

/// A first segment that names a crate or module root on its own (lower case `std`, …): a glob
/// does not supply those.
fn is_known_root(first: &str) -> bool {
    matches!(first, "std" | "core" | "alloc")
}

fn strip_relative(mut segments: Vec<String>) -> Vec<String> {
    while matches!(
        segments.first().map(String::as_str),
        Some("crate" | "self" | "super")
    ) && segments.len() > 1
    {
        segments.remove(0);
    }
    segments
}

fn item_ident(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::Fn(i) => &i.sig.ident,
        Item::Mod(i) => &i.ident,
        Item::Static(i) => &i.ident,
        Item::Struct(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Union(i) => &i.ident,
        Item::Macro(i) => i.ident.as_ref()?,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Rewrites every path of `file` to its full form (see the module documentation).
pub fn rewrite_paths(file: &mut syn::File, names: &Names) {
    let mut rewriter = Rewriter {
        names,
        self_types: Vec::new(),
        locals: HashSet::new(),
    };
    rewriter.visit_file_mut(file);
}

struct Rewriter<'n> {
    names: &'n Names,
    /// The self types of the impls around the current item, innermost last.
    self_types: Vec<syn::Path>,
    /// Names bound by patterns in the current function.
    locals: HashSet<String>,
}

impl Rewriter<'_> {
    fn in_function(&mut self, bindings: HashSet<String>, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.locals, bindings);
        f(self);
        self.locals = outer;
    }
}

/// Every name bound by a pattern (parameters, `let`, closures, arms) under `node`.
fn bindings_of(visit: impl FnOnce(&mut BindingCollector)) -> HashSet<String> {
    let mut collector = BindingCollector(HashSet::new());
    visit(&mut collector);
    collector.0
}

struct BindingCollector(HashSet<String>);

impl<'ast> Visit<'ast> for BindingCollector {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// `<T as Trait>::m` → `T::m`, `<T>::m` → `T::m`, when `T` is a plain path.
fn fold_qself(qself: &mut Option<syn::QSelf>, path: &mut syn::Path) {
    let Some(q) = qself else { return };
    let syn::Type::Path(ty) = &*q.ty else { return };
    if ty.qself.is_some() {
        return;
    }
    let mut segments = ty.path.segments.clone();
    for segment in path.segments.iter().skip(q.position) {
        segments.push(segment.clone());
    }
    path.segments = segments;
    path.leading_colon = ty.path.leading_colon;
    *qself = None;
}

impl VisitMut for Rewriter<'_> {
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}

    fn visit_item_use_mut(&mut self, _: &mut syn::ItemUse) {}

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let self_type = match &*item.self_ty {
            syn::Type::Path(p) if p.qself.is_none() => Some(p.path.clone()),
            _ => None,
        };
        let pushed = self_type.is_some();
        if let Some(mut path) = self_type {
            self.visit_path_mut(&mut path);
            self.self_types.push(path);
        }
        syn::visit_mut::visit_item_impl_mut(self, item);
        if pushed {
            self.self_types.pop();
        }
    }

    fn visit_item_fn_mut(&mut self, item: &mut syn::ItemFn) {
        let bindings = bindings_of(|c| c.visit_item_fn(item));
        self.in_function(bindings, |r| syn::visit_mut::visit_item_fn_mut(r, item));
    }

    fn visit_impl_item_fn_mut(&mut self, item: &mut syn::ImplItemFn) {
        let bindings = bindings_of(|c| c.visit_impl_item_fn(item));
        self.in_function(bindings, |r| {
            syn::visit_mut::visit_impl_item_fn_mut(r, item);
        });
    }

    fn visit_trait_item_fn_mut(&mut self, item: &mut syn::TraitItemFn) {
        let bindings = bindings_of(|c| c.visit_trait_item_fn(item));
        self.in_function(bindings, |r| {
            syn::visit_mut::visit_trait_item_fn_mut(r, item);
        });
    }

    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        fold_qself(&mut expr.qself, &mut expr.path);
        syn::visit_mut::visit_expr_path_mut(self, expr);
    }

    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        fold_qself(&mut ty.qself, &mut ty.path);
        syn::visit_mut::visit_type_path_mut(self, ty);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        self.visit_path_mut(&mut mac.path);
        super::format::visit_args_mut(mac, |arg| self.visit_expr_mut(arg));
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // Generic arguments first: they are paths of their own.
        for segment in &mut path.segments {
            self.visit_path_arguments_mut(&mut segment.arguments);
        }
        let Some(first) = path.segments.first() else {
            return;
        };
        let span = first.ident.span();
        let written: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if written[0] == "Self"
            && let Some(self_type) = self.self_types.last()
        {
            let mut segments = self_type.segments.clone();
            for s in &mut segments {
                s.ident.set_span(span);
            }
            for s in path.segments.iter().skip(1) {
                segments.push(s.clone());
            }
            path.segments = segments;
            return;
        }
        let local = written.len() == 1 && self.locals.contains(&written[0]);
        let full = self.names.full_path(written.clone(), local);
        if full != strip_relative(written) || path.leading_colon.is_some() {
            replace_prefix(path, &full, span);
        }
    }
}

/// Makes `path` read `full`: `full` ends with the path's segments after the first (which keep
/// their generic arguments); the new leading segments take `span`.
fn replace_prefix(path: &mut syn::Path, full: &[String], span: Span) {
    let tail: Vec<syn::PathSegment> = path.segments.iter().skip(1).cloned().collect();
    let first_arguments = path
        .segments
        .first()
        .map(|s| s.arguments.clone())
        .unwrap_or(syn::PathArguments::None);
    let head_len = full.len().saturating_sub(tail.len());
    let mut segments = syn::punctuated::Punctuated::new();
    for (i, name) in full.iter().take(head_len).enumerate() {
        let ident = ident(name, span);
        let arguments = if i + 1 == head_len {
            first_arguments.clone()
        } else {
            syn::PathArguments::None
        };
        segments.push(syn::PathSegment { ident, arguments });
    }
    for segment in tail {
        segments.push(segment);
    }
    path.segments = segments;
    path.leading_colon = None;
}

/// An identifier for a segment name as `to_string` gave it (`r#type` stays raw).
fn ident(name: &str, span: Span) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, span),
        None => syn::Ident::new(name, span),
    }
}

/// True if `expr` is a one-segment path (a local, a constant or a function name).
pub fn single_ident(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}
