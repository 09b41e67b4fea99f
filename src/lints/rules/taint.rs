//! Request data inside a web handler, for the rules that follow it to a sink (SG-PATH-001,
//! SG-REDIRECT-001, SG-SSRF-001, SG-REGEX-001, SG-ALLOC-001): the names bound from extractor
//! parameters (`Path(name): Path<String>`, `Query(q): Query<Params>`, …) and the locals later
//! built from them, and the visits those rules share ([`request_taint_visits`]).
//!
//! By name, within one function: a value that leaves through a helper function or a struct field
//! is not followed. That keeps the rules quiet and cheap, at the cost of missing such flows.

use std::collections::HashSet;

use syn::{Expr, FnArg, Signature};

use crate::lints::ast;

/// Parameter types that carry request data: extractors of axum/actix-web, raw requests and header
/// maps.
pub(super) const REQUEST_TYPES: &[&str] = &[
    "Query",
    "Json",
    "Form",
    "Path",
    "HeaderMap",
    "TypedHeader",
    "Request",
    "HttpRequest",
    "Multipart",
    "Bytes",
];

/// Names that say a value came from the request's headers or body size.
pub(super) fn names_request_size(expr: &Expr) -> bool {
    ast::expr_idents(expr).iter().any(|i| {
        let lower = i.to_ascii_lowercase();
        lower.contains("content_length") || lower == "headers" || lower == "header"
    })
}

#[derive(Debug, Default)]
pub(super) struct RequestTaint {
    names: HashSet<String>,
}

impl RequestTaint {
    /// The names a handler binds from parameters whose type is one of `extractors`
    /// (by last path segment: `Query`, `axum::extract::Query`, `web::Query`).
    pub fn of_handler(sig: &Signature, extractors: &[&str]) -> RequestTaint {
        let mut names = Vec::new();
        for input in &sig.inputs {
            let FnArg::Typed(t) = input else { continue };
            let syn::Type::Path(ty) = &*t.ty else {
                continue;
            };
            let is_extractor = ty
                .path
                .segments
                .last()
                .is_some_and(|s| extractors.iter().any(|e| s.ident == e));
            if is_extractor {
                ast::pattern_bindings(&t.pat, &mut names);
            }
        }
        RequestTaint {
            names: names.into_iter().collect(),
        }
    }

    /// True if no name is tainted.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// True if `expr` names a tainted value anywhere in it (`q.next`, `format!("/{name}")`).
    pub fn carries(&self, expr: &Expr) -> bool {
        !self.names.is_empty()
            && ast::expr_idents(expr)
                .iter()
                .any(|i| self.names.contains(i))
    }

    /// Taints the names a `let` pattern binds.
    pub fn add_bindings(&mut self, pat: &syn::Pat) {
        let mut names = Vec::new();
        ast::pattern_bindings(pat, &mut names);
        self.names.extend(names);
    }
}

/// The visits of a rule that follows request data: every function is a possible handler, whose
/// parameters the rule's `handler(sig, block, visit)` taints for the visit of its body, and a
/// `let` whose value the rule's `taints(&Expr)` accepts taints the names it binds. Used inside
/// `impl Visit for` a visitor with a `tainted: RequestTaint` field.
macro_rules! request_taint_visits {
    () => {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            self.handler(&item.sig, &item.block, |v| {
                syn::visit::visit_item_fn(v, item);
            });
        }

        fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
            self.handler(&item.sig, &item.block, |v| {
                syn::visit::visit_impl_item_fn(v, item);
            });
        }

        fn visit_local(&mut self, local: &'ast syn::Local) {
            syn::visit::visit_local(self, local);
            if let Some(init) = &local.init
                && self.taints(&init.expr)
            {
                self.tainted.add_bindings(&local.pat);
            }
        }
    };
}
pub(super) use request_taint_visits;
