//! Request data inside a web handler, for the rules that follow it to a sink (SG-PATH-001,
//! SG-REDIRECT-001): the names bound from extractor parameters (`Path(name): Path<String>`,
//! `Query(q): Query<Params>`, …) and the locals later built from them.
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
