//! SG-MEM-001 — an unsafe operation whose safety the function does not show.
//!
//! **What**: inside an `unsafe` block of a safe function — which must guarantee soundness by
//! itself, whatever its callers pass — what the code does rather than whether it has a `SAFETY:`
//! comment (that is clippy's hygiene lint). The body of an `unsafe fn` is left alone: its
//! preconditions are its callers' contract.
//! - `mem::transmute` / `transmute_copy` (reinterpreting bytes as another type, CWE-843);
//! - `get_unchecked(_mut)(i)` where `i` is not compared anywhere in the function (no `i < len`,
//!   no `assert!`, not the variable of a `for i in 0..x.len()` loop) (CWE-125, CWE-787);
//! - `slice::from_raw_parts(_mut)(ptr, len)` where `len` is not a literal, a `len()`/`capacity()`,
//!   or a `size_of` (CWE-125);
//! - `set_len(n)` with `n` other than `0` (exposes uninitialised or dropped elements, CWE-787);
//! - `ptr::read`/`write`/`copy`/`copy_nonoverlapping` (and the pointer methods `read`/`write`)
//!   at a pointer moved by a computed offset (`p.add(i)`, `p.offset(i)`) (CWE-119).
//!
//! **Why**: each of these turns a wrong length, index or type into undefined behaviour: reads
//! past the buffer, writes over other data, or values that break the type's invariants.
//!
//! **Example**: `unsafe { std::slice::from_raw_parts(ptr, header.len as usize) }`
//!
//! **Fix**: use the checked form (`get`, `copy_from_slice`, `bytemuck::try_cast`), or check the
//! index or length against the buffer in the same function and say so in a `// SAFETY:` comment.
//!
//! Syntactic: a check in a caller is not seen, so the confidence is low; suppress a reviewed site
//! with `// secgate:allow(SG-MEM-001) <why it is sound>`.

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-MEM-001",
    cwe: &["CWE-119", "CWE-125", "CWE-787", "CWE-843"],
    severity: Severity::Medium,
    confidence: Confidence::Low,
    message: "unsafe operation without a visible bound",
    why: "A wrong length, index or type in this operation is undefined behaviour: reads past the \
          buffer, writes over other memory, or invalid values.",
    fix: "Use the checked form (`get`, `copy_from_slice`, `bytemuck::try_cast`) or check the \
          index or length in the same function and document it in a `// SAFETY:` comment.",
    flags: "in `unsafe` blocks of safe functions: `transmute`, `get_unchecked(_mut)` on an index never compared in the function, `slice::from_raw_parts(_mut)` with a computed length, `set_len(n)` (n ≠ 0), `ptr::read/write/copy(_nonoverlapping)` at a computed offset",
    severity_note: "",
    check,
};

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        hits: Vec::new(),
        depth: 0,
        in_unsafe_fn: false,
        compared: HashSet::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    hits: Vec<Hit>,
    /// How many `unsafe` blocks enclose the current expression.
    depth: usize,
    /// The current function is an `unsafe fn`.
    in_unsafe_fn: bool,
    /// Names compared (`<`, `<=`, `>`, `>=`, `assert!`) or used as a bounded loop variable in
    /// the current function.
    compared: HashSet<String>,
}

/// Names that the function bounds: operands of comparisons, `assert!`/`min`/`clamp` arguments,
/// variables of `for i in 0..x.len()` loops.
fn bounded_names(block: &syn::Block) -> HashSet<String> {
    struct Collect(HashSet<String>);
    impl<'ast> Visit<'ast> for Collect {
        fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
            if matches!(
                e.op,
                syn::BinOp::Lt(_) | syn::BinOp::Le(_) | syn::BinOp::Gt(_) | syn::BinOp::Ge(_)
            ) {
                self.0.extend(ast::expr_idents(&e.left));
                self.0.extend(ast::expr_idents(&e.right));
            }
            syn::visit::visit_expr_binary(self, e);
        }
        fn visit_expr_method_call(&mut self, e: &'ast ExprMethodCall) {
            if matches!(ast::method(e).as_str(), "min" | "clamp") {
                self.0.extend(ast::expr_idents(&e.receiver));
            }
            syn::visit::visit_expr_method_call(self, e);
        }
        fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
            let text = quote::ToTokens::to_token_stream(&e.expr).to_string();
            if text.contains("len ()") || text.contains("indices") || text.contains("enumerate") {
                let mut names = Vec::new();
                ast::pattern_bindings(&e.pat, &mut names);
                self.0.extend(names);
            }
            syn::visit::visit_expr_for_loop(self, e);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if ast::macro_name(mac).contains("assert") {
                self.0.extend(ast::mentioned_idents(mac.tokens.clone()));
            }
        }
    }
    let mut collect = Collect(HashSet::new());
    collect.visit_block(block);
    collect.0
}

/// A length that comes from the buffer or the type: a literal, `x.len()`, `x.capacity()`,
/// `size_of::<T>()`, or arithmetic of those.
fn is_known_length(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Lit(_) => true,
        Expr::MethodCall(m) => {
            matches!(ast::method(m).as_str(), "len" | "capacity")
                || (matches!(ast::method(m).as_str(), "min") && m.args.iter().any(is_known_length))
        }
        Expr::Call(c) => ast::func_path(c).is_some_and(|p| {
            p.segments
                .last()
                .is_some_and(|s| s.ident.to_string().starts_with("size_of"))
        }),
        Expr::Binary(b) => is_known_length(&b.left) && is_known_length(&b.right),
        Expr::Cast(c) => is_known_length(&c.expr),
        Expr::Path(p) => p.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        }),
        _ => false,
    }
}

/// A pointer moved by an offset that is not a literal (`p.add(i)`, `p.offset(n)`, `p.wrapping_add`).
fn computed_offset(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::MethodCall(m)
            if matches!(
                ast::method(m).as_str(),
                "add" | "offset" | "sub" | "wrapping_add" | "wrapping_offset" | "byte_add"
            ) =>
        {
            !m.args.iter().all(|a| matches!(ast::peel(a), Expr::Lit(_)))
                || computed_offset(&m.receiver)
        }
        Expr::MethodCall(m)
            if matches!(ast::method(m).as_str(), "cast" | "cast_mut" | "cast_const") =>
        {
            computed_offset(&m.receiver)
        }
        Expr::Cast(c) => computed_offset(&c.expr),
        _ => false,
    }
}

impl Visitor<'_> {
    fn function(&mut self, is_unsafe: bool, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        if is_unsafe {
            // The caller's contract: nothing in here is reported (nested safe functions are
            // visited on their own).
            let outer_depth = std::mem::replace(&mut self.depth, 0);
            let outer_contract = std::mem::replace(&mut self.in_unsafe_fn, true);
            visit(self);
            self.depth = outer_depth;
            self.in_unsafe_fn = outer_contract;
            return;
        }
        let outer = std::mem::replace(&mut self.compared, bounded_names(block));
        let outer_depth = std::mem::replace(&mut self.depth, 0);
        let outer_contract = std::mem::replace(&mut self.in_unsafe_fn, false);
        visit(self);
        self.depth = outer_depth;
        self.in_unsafe_fn = outer_contract;
        self.compared = outer;
    }

    /// Inside an `unsafe` block of a safe function.
    fn reporting(&self) -> bool {
        self.depth > 0 && !self.in_unsafe_fn
    }

    fn hit(&mut self, span: proc_macro2::Span, detail: String) {
        self.hits.push(Hit::at(span, detail));
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let is_unsafe = matches!(item.sig.safety, syn::Safety::Unsafe(_));
        self.function(is_unsafe, &item.block, |v| {
            syn::visit::visit_item_fn(v, item)
        });
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let is_unsafe = matches!(item.sig.safety, syn::Safety::Unsafe(_));
        self.function(is_unsafe, &item.block, |v| {
            syn::visit::visit_impl_item_fn(v, item);
        });
    }

    fn visit_expr_unsafe(&mut self, e: &'ast syn::ExprUnsafe) {
        self.depth += 1;
        syn::visit::visit_expr_unsafe(self, e);
        self.depth -= 1;
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if self.reporting()
            && let Some(p) = ast::func_path(call)
        {
            let path = self.src.names.resolve(p);
            let last = path.last().map(String::as_str).unwrap_or_default();
            let detail = match last {
                "transmute" | "transmute_copy" => Some(format!(
                    "`{last}` reinterprets a value's bytes as another type"
                )),
                "from_raw_parts" | "from_raw_parts_mut"
                    if path.iter().any(|s| s == "slice")
                        && call
                            .args
                            .iter()
                            .nth(1)
                            .is_some_and(|len| !is_known_length(len)) =>
                {
                    Some(format!(
                        "`slice::{last}` with a length computed at run time"
                    ))
                }
                "read"
                | "write"
                | "copy"
                | "copy_nonoverlapping"
                | "read_unaligned"
                | "write_unaligned"
                    if path.iter().any(|s| s == "ptr")
                        && call.args.iter().take(2).any(computed_offset) =>
                {
                    Some(format!("`ptr::{last}` at a computed offset"))
                }
                _ => None,
            };
            if let Some(detail) = detail {
                self.hit(super::path_start(p), detail);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        if self.reporting() {
            let method = ast::method(call);
            let detail = match method.as_str() {
                "get_unchecked" | "get_unchecked_mut" => {
                    let index = call.args.first();
                    let checked = index.is_some_and(|i| {
                        matches!(ast::peel(i), Expr::Lit(_))
                            || ast::expr_idents(i)
                                .iter()
                                .any(|n| self.compared.contains(n))
                    });
                    (!checked)
                        .then(|| format!("`{method}` with an index the function never checks"))
                }
                "set_len" => call
                    .args
                    .first()
                    .is_some_and(|n| ast::int_lit(n) != Some(0))
                    .then(|| "`set_len` exposes elements that were never written".to_string()),
                "read"
                | "write"
                | "copy_to"
                | "copy_from"
                | "copy_to_nonoverlapping"
                | "copy_from_nonoverlapping"
                | "read_unaligned"
                | "write_unaligned"
                    if computed_offset(&call.receiver) =>
                {
                    Some(format!(
                        "`.{method}()` through a pointer at a computed offset"
                    ))
                }
                _ => None,
            };
            if let Some(detail) = detail {
                self.hit(call.method.span(), detail);
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
