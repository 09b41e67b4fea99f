//! Syntax helpers shared by the lint rules: paths, names, literals, method chains, macro arguments
//! and test-code removal. Names are resolved before the rules run (see [`super::resolve`]).

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprMethodCall, Item, Lit, Macro, Token};

/// True if `segments` ends with `suffix`.
pub fn ends_with(segments: &[String], suffix: &[&str]) -> bool {
    segments.len() >= suffix.len()
        && segments[segments.len() - suffix.len()..]
            .iter()
            .zip(suffix)
            .all(|(a, b)| a == b)
}

/// The 1-based line and column where `span` starts.
pub fn line_col(span: Span) -> (u32, u32) {
    let start = span.start();
    (
        u32::try_from(start.line).unwrap_or(u32::MAX),
        u32::try_from(start.column + 1).unwrap_or(u32::MAX),
    )
}

/// `expr` without parentheses, references, dereferences and groups.
pub fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(e) => peel(&e.expr),
        Expr::Group(e) => peel(&e.expr),
        Expr::Reference(e) => peel(&e.expr),
        Expr::Unary(e) if matches!(e.op, syn::UnOp::Deref(_)) => peel(&e.expr),
        _ => expr,
    }
}

/// Methods that hand back the same value in another form (`token.as_bytes()`).
const PASS_THROUGH: &[&str] = &[
    "as_bytes",
    "as_str",
    "as_ref",
    "as_slice",
    "to_vec",
    "to_string",
    "to_owned",
    "clone",
    "borrow",
    "deref",
    "trim",
    "expose_secret",
    "into_bytes",
    "into_inner",
    "unwrap",
];

/// The name a value goes by: a variable, a constant or a field (`self.api_key` → `api_key`),
/// looking through references and [`PASS_THROUGH`] methods. A local the resolution layer replaced
/// by its value keeps the local's name.
pub fn value_name(expr: &Expr) -> Option<String> {
    if let Some(name) = super::resolve::local_name(expr) {
        return Some(name);
    }
    match expr {
        Expr::Paren(e) => return value_name(&e.expr),
        Expr::Group(e) => return value_name(&e.expr),
        Expr::Reference(e) => return value_name(&e.expr),
        Expr::Unary(e) if matches!(e.op, syn::UnOp::Deref(_)) => return value_name(&e.expr),
        _ => {}
    }
    match expr {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => value_name(&f.base),
        },
        Expr::MethodCall(m) if m.args.is_empty() && PASS_THROUGH.contains(&method(m).as_str()) => {
            value_name(&m.receiver)
        }
        _ => None,
    }
}

/// Every name a value goes by: the local it was bound to (if the resolution layer replaced one)
/// and the names of what it was bound from (`let expected = state.admin_token.clone();` →
/// `expected`, `admin_token`).
pub fn value_names(expr: &Expr) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = expr;
    loop {
        if let Some(name) = super::resolve::local_name(current) {
            names.push(name);
        }
        match current {
            Expr::Group(g) => current = &g.expr,
            Expr::Paren(p) => current = &p.expr,
            Expr::Reference(r) => current = &r.expr,
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => current = &u.expr,
            Expr::MethodCall(m)
                if m.args.is_empty() && PASS_THROUGH.contains(&method(m).as_str()) =>
            {
                current = &m.receiver;
            }
            Expr::Try(t) => current = &t.expr,
            _ => break,
        }
    }
    names.extend(value_name(current));
    names.dedup();
    names
}

/// The lower-case words of an identifier: `apiKey`, `API_KEY`, `api_key` → `["api", "key"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The method's name as a string.
pub fn method(call: &ExprMethodCall) -> String {
    call.method.to_string()
}

/// The text of a string literal (through `&` and parentheses).
pub fn str_lit(expr: &Expr) -> Option<String> {
    match peel(expr) {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}

/// True for a `bool` literal equal to `value`.
pub fn is_bool(expr: &Expr, value: bool) -> bool {
    matches!(peel(expr), Expr::Lit(l) if matches!(&l.lit, Lit::Bool(b) if b.value == value))
}

/// The value of an integer literal.
pub fn int_lit(expr: &Expr) -> Option<u64> {
    match peel(expr) {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// True for a literal the program cannot change at run time: a string, byte string, number,
/// bool, or an array of such.
pub fn is_constant_literal(expr: &Expr) -> bool {
    match peel(expr) {
        Expr::Lit(_) => true,
        Expr::Array(a) => !a.elems.is_empty() && a.elems.iter().all(is_constant_literal),
        Expr::Repeat(r) => is_constant_literal(&r.expr),
        _ => false,
    }
}

/// The expression path of a call (`md5::compute(x)` → `md5::compute`).
pub fn call_path(expr: &Expr) -> Option<&syn::Path> {
    match peel(expr) {
        Expr::Call(c) => match peel(&c.func) {
            Expr::Path(p) => Some(&p.path),
            _ => None,
        },
        _ => None,
    }
}

/// The path of a call's function (`md5::compute(x)` → `md5::compute`).
pub fn func_path(call: &syn::ExprCall) -> Option<&syn::Path> {
    match peel(&call.func) {
        Expr::Path(p) => Some(&p.path),
        _ => None,
    }
}

/// A method chain taken apart: the expression it starts from and its calls, first call first.
pub fn method_chain(expr: &ExprMethodCall) -> (&Expr, Vec<&ExprMethodCall>) {
    let mut calls = vec![expr];
    let mut root = through_groups(&expr.receiver);
    while let Expr::MethodCall(inner) = root {
        calls.push(inner);
        root = through_groups(&inner.receiver);
    }
    calls.reverse();
    (root, calls)
}

/// The expression a method chain starts from (`Client::new()` in `Client::new().get(u)`), looking
/// through invisible groups; `expr` itself when it is no method call.
pub fn method_chain_root(expr: &Expr) -> &Expr {
    match through_groups(expr) {
        Expr::MethodCall(m) => method_chain(m).0,
        other => other,
    }
}

/// `expr` without invisible groups (a local the resolution layer replaced by its value) and
/// parentheses.
pub fn through_groups(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => through_groups(&g.expr),
        Expr::Paren(p) => through_groups(&p.expr),
        _ => expr,
    }
}

/// The comma-separated expressions of a function-like macro call (`format!("{x}", y)`), where its
/// body parses that way. Spans are kept, so hits inside report the right line.
pub fn macro_args(mac: &Macro) -> Option<Vec<Expr>> {
    let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
    mac.parse_body_with(parser)
        .ok()
        .map(|args| args.into_iter().collect())
}

/// The last segment of a macro's path (`std::format!` → `format`).
pub fn macro_name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The identifiers `tokens` mention, including `{name}` captures inside string literals
/// (`format!("ping {host}")` mentions `host`).
pub fn mentioned_idents(tokens: TokenStream) -> HashSet<String> {
    let mut names = HashSet::new();
    collect_idents(tokens, &mut names);
    names
}

fn collect_idents(tokens: TokenStream, names: &mut HashSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(i) => {
                names.insert(i.to_string());
            }
            TokenTree::Group(g) => collect_idents(g.stream(), names),
            TokenTree::Literal(l) => {
                let text = l.to_string();
                if text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#") {
                    names.extend(format_captures(&text));
                }
            }
            TokenTree::Punct(_) => {}
        }
    }
}

/// The identifiers captured by `{name}` / `{name:?}` in a format string.
pub fn format_captures(text: &str) -> Vec<String> {
    let mut captures = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = rest[..end].trim();
        if !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
        {
            captures.push(name.to_string());
        }
    }
    captures
}

/// The identifiers an expression mentions.
pub fn expr_idents(expr: &Expr) -> HashSet<String> {
    mentioned_idents(expr.to_token_stream())
}

/// The names bound by a pattern (`Query(Ping { host })` binds `host`).
pub fn pattern_bindings(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(p) => {
            out.push(p.ident.to_string());
            if let Some((_, sub)) = &p.subpat {
                pattern_bindings(sub, out);
            }
        }
        syn::Pat::TupleStruct(p) => p.elems.iter().for_each(|e| pattern_bindings(e, out)),
        syn::Pat::Tuple(p) => p.elems.iter().for_each(|e| pattern_bindings(e, out)),
        syn::Pat::Struct(p) => p.fields.iter().for_each(|f| pattern_bindings(&f.pat, out)),
        syn::Pat::Reference(p) => pattern_bindings(&p.pat, out),
        syn::Pat::Type(p) => pattern_bindings(&p.pat, out),
        syn::Pat::Slice(p) => p.elems.iter().for_each(|e| pattern_bindings(e, out)),
        _ => {}
    }
}

/// True for `#[cfg(test)]` (or `#[cfg(all(test, …))]`), `#[test]`, `#[tokio::test]` and
/// `#[bench]`.
pub fn is_test_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    let last = path.segments.last().map(|s| s.ident.to_string());
    if matches!(last.as_deref(), Some("test" | "bench")) {
        return true;
    }
    if !path.is_ident("cfg") {
        return false;
    }
    let Ok(list) = attr.meta.require_list() else {
        return false;
    };
    let text = list.tokens.to_string().replace(' ', "");
    text == "test" || (text.starts_with("all(") && text.contains("test") && !text.contains("not("))
}

/// Removes test items (`#[cfg(test)]` modules, `#[test]` functions, …) from `items`, recursively.
pub fn strip_test_items(items: &mut Vec<Item>) {
    items.retain(|item| !item_attrs(item).iter().any(is_test_attr));
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    strip_test_items(inner);
                }
            }
            Item::Impl(i) => i.items.retain(|it| match it {
                syn::ImplItem::Fn(f) => !f.attrs.iter().any(is_test_attr),
                syn::ImplItem::Const(c) => !c.attrs.iter().any(is_test_attr),
                _ => true,
            }),
            _ => {}
        }
    }
}

/// The outer attributes of an item.
pub fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Implements the two `Visit` methods every rule visitor shares: attributes are skipped (doc
/// comments are string literals to `syn`) and the arguments of function-like macros are visited
/// as expressions where they parse as such. The visitor must implement `Visit<'ast>` for every
/// `'ast` (hold no borrow of the tree), because the parsed arguments live only in this call.
macro_rules! lint_visit_common {
    () => {
        fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(args) = $crate::lints::ast::macro_args(mac) {
                for arg in &args {
                    syn::visit::Visit::visit_expr(self, arg);
                }
            }
        }
    };
}
pub(crate) use lint_visit_common;
