//! SG-ALLOC-001 — memory allocated to a size the request declares.
//!
//! **What**: in a handler with a request parameter (`Query`, `Json`, `Form`, `Path`, `HeaderMap`,
//! a raw `Request`), `Vec`/`String`/`BytesMut`/`VecDeque`/`HashMap::with_capacity(n)`,
//! `.reserve(n)`/`.reserve_exact(n)`/`.resize(n, …)` or `vec![x; n]` where `n` comes from the
//! request (a field of an extractor, a header such as `Content-Length`) and the function never
//! bounds it (`n > MAX`, `n.min(…)`, `clamp`); and a request body read whole with no limit
//! (`read_to_end`/`read_to_string` without `.take(…)`, `hyper::body::to_bytes`,
//! `axum::body::to_bytes(body, usize::MAX)`).
//!
//! **Why**: a single request that declares a size of a few gigabytes makes the server allocate
//! it up front, before a byte of data arrives: one request exhausts memory (CWE-770, CWE-789).
//!
//! **Example**: `let mut buf = Vec::with_capacity(q.count);`
//!
//! **Fix**: bound the size first (`if n > MAX { return Err(…) }`, `n.min(MAX)`), grow buffers as
//! data arrives, and read bodies through a limit (`Limited`, `.take(MAX)`, `to_bytes(body, MAX)`).

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall, Signature};

use super::taint::{REQUEST_TYPES, RequestTaint, names_request_size};
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-ALLOC-001",
    cwe: &["CWE-770", "CWE-789"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "allocation sized by the request",
    why: "A request that declares a huge size makes the server allocate it up front: one request \
          exhausts memory.",
    fix: "Bound the declared size before allocating (`n.min(MAX)`, reject above a limit) and read \
          bodies through a limit (`.take(MAX)`, `Limited`, `to_bytes(body, MAX)`).",
    flags: "`with_capacity`/`reserve`/`resize`/`vec![x; n]` sized by a request field or header that the handler never bounds; a request body read whole without a limit (`read_to_end` without `.take`, `hyper::body::to_bytes`, `to_bytes(body, usize::MAX)`)",
    severity_note: "",
    check,
};

const SIZED_METHODS: &[&str] = &["reserve", "reserve_exact", "resize", "with_capacity"];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        tainted: RequestTaint::default(),
        bounded: HashSet::new(),
        in_handler: false,
        hits: Vec::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    tainted: RequestTaint,
    /// Names the function bounds (compares, `min`, `clamp`).
    bounded: HashSet<String>,
    /// The function has a request parameter.
    in_handler: bool,
    hits: Vec<Hit>,
}

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
                self.0.insert("min".to_string());
            }
            syn::visit::visit_expr_method_call(self, e);
        }
    }
    let mut collect = Collect(HashSet::new());
    collect.visit_block(block);
    collect.0
}

impl Visitor<'_> {
    fn handler(&mut self, sig: &Signature, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.tainted);
        let outer_bounded = std::mem::replace(&mut self.bounded, bounded_names(block));
        self.tainted = RequestTaint::of_handler(sig, REQUEST_TYPES);
        let outer_handler = std::mem::replace(&mut self.in_handler, !self.tainted.is_empty());
        visit(self);
        self.tainted = outer;
        self.bounded = outer_bounded;
        self.in_handler = outer_handler;
    }

    /// Whether a `let` of this value carries request data on to the names it binds.
    fn taints(&self, value: &Expr) -> bool {
        self.tainted.carries(value) || names_request_size(value)
    }

    /// A size the request declares and the function does not bound.
    fn request_size(&self, n: &Expr) -> bool {
        if !self.in_handler {
            return false;
        }
        // The size of data already received (`items.len()`) is bounded by the body limit.
        if matches!(ast::peel(n), Expr::MethodCall(m) if ast::method(m) == "len") {
            return false;
        }
        let idents = ast::expr_idents(n);
        let bounded = idents.contains("min")
            || idents.contains("clamp")
            || idents.iter().any(|i| self.bounded.contains(i))
            || ast::value_names(n).iter().any(|i| self.bounded.contains(i));
        !bounded && (self.tainted.carries(n) || names_request_size(n))
    }

    fn report(&mut self, span: proc_macro2::Span, detail: String) {
        self.hits.push(Hit::at(span, detail));
    }
}

/// A request body: an expression naming `body`, `req`/`request` or `payload`.
fn is_body(expr: &Expr) -> bool {
    ast::expr_idents(expr).iter().any(|i| {
        matches!(
            i.as_str(),
            "body" | "req" | "request" | "payload" | "into_body" | "body_mut"
        )
    })
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    // Like `lint_visit_common!`, with `vec![x; n]` read before the arguments are visited.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    super::taint::request_taint_visits!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let last = path.last().map(String::as_str).unwrap_or_default();
            if last == "with_capacity" && call.args.first().is_some_and(|n| self.request_size(n)) {
                self.report(
                    super::path_start(p),
                    format!("`{}` sized by the request", path.join("::")),
                );
            }
            let unlimited_body = last == "to_bytes"
                && self.in_handler
                && match call.args.len() {
                    // hyper 0.14: no limit at all, unless the body is wrapped in `Limited`.
                    1 => !ast::expr_idents(&call.args[0]).contains("Limited"),
                    // axum: `to_bytes(body, limit)`.
                    2 => {
                        ast::expr_idents(&call.args[1]).contains("MAX")
                            && quote::ToTokens::to_token_stream(&call.args[1])
                                .to_string()
                                .contains("usize :: MAX")
                    }
                    _ => false,
                };
            if unlimited_body {
                self.report(
                    super::path_start(p),
                    format!("`{}` reads the whole body with no limit", path.join("::")),
                );
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        if SIZED_METHODS.contains(&method.as_str())
            && call.args.first().is_some_and(|n| self.request_size(n))
        {
            self.report(
                call.method.span(),
                format!("`.{method}()` sized by the request"),
            );
        }
        if matches!(method.as_str(), "read_to_end" | "read_to_string")
            && self.in_handler
            && is_body(&call.receiver)
            && !ast::expr_idents(&call.receiver).contains("take")
        {
            self.report(
                call.method.span(),
                format!("`.{method}()` on the request body with no `.take(…)` limit"),
            );
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `vec![x; n]`: the one macro whose body is not a list of expressions.
        let repeat = |input: syn::parse::ParseStream<'_>| -> syn::Result<(Expr, Expr)> {
            let value: Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            Ok((value, input.parse()?))
        };
        if ast::macro_name(mac) == "vec"
            && let Ok((_, len)) = mac.parse_body_with(repeat)
            && self.request_size(&len)
        {
            self.report(
                syn::spanned::Spanned::span(&len),
                "`vec![…; n]` sized by the request".to_string(),
            );
        }
        if let Some(args) = ast::macro_args(mac) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }
}
