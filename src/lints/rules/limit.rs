//! SG-LIMIT-001 — the request body size limit switched off.
//!
//! **What**: axum's `DefaultBodyLimit::disable()`, and `usize::MAX` / `u64::MAX` given as the
//! limit to `DefaultBodyLimit::max`, tower-http's `RequestBodyLimitLayer::new`, actix-web's
//! `PayloadConfig::new` or a `.limit(…)` of its extractor configs, or warp's
//! `content_length_limit`.
//!
//! **Why**: a server that reads any request body whole lets one client exhaust its memory with a
//! single large upload (CWE-400, CWE-770).
//!
//! **Example**: `Router::new().route("/upload", post(upload)).layer(DefaultBodyLimit::disable())`
//!
//! **Fix**: keep a limit sized for the route (`DefaultBodyLimit::max(10 * 1024 * 1024)`), and
//! stream large uploads to storage instead of buffering them.
//!
//! `DefaultBodyLimit::disable()` next to a `RequestBodyLimitLayer::new(<finite>)` in the same
//! builder chain is axum's documented way to hand the limit to tower-http, and is left alone.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule, path_start};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-LIMIT-001",
    cwe: &["CWE-400", "CWE-770"],
    severity: Severity::Medium,
    confidence: Confidence::High,
    message: "request body size limit disabled",
    why: "Without a body limit, one client can make the server buffer an upload as large as it \
          likes and run it out of memory.",
    fix: "Keep a body limit sized for the route (`DefaultBodyLimit::max(…)`) and stream large \
          uploads.",
    flags: "`DefaultBodyLimit::disable()` (unless a finite `RequestBodyLimitLayer` is in the same chain), `usize::MAX`/`u64::MAX` given to `DefaultBodyLimit::max`, `RequestBodyLimitLayer::new`, `PayloadConfig::new`, `.limit(…)`, `content_length_limit`",
    severity_note: "",
    check,
};

/// (type, function) pairs whose argument is a body limit.
const LIMIT_SETTERS: &[(&str, &str)] = &[
    ("DefaultBodyLimit", "max"),
    ("RequestBodyLimitLayer", "new"),
    ("PayloadConfig", "new"),
];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        hits: Vec::new(),
        replaced: Vec::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    hits: Vec<Hit>,
    /// Where `DefaultBodyLimit::disable()` sits in a chain that sets another, finite limit.
    replaced: Vec<(u32, u32)>,
}

impl Visitor<'_> {
    /// `RequestBodyLimitLayer::new(<not MAX>)`.
    fn is_finite_layer(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = ast::peel(expr) else {
            return false;
        };
        let path = ast::func_path(call).map(|p| self.src.names.resolve(p));
        matches!(path.as_deref(), Some([.., owner, new]) if owner == "RequestBodyLimitLayer" && new == "new")
            && call
                .args
                .first()
                .is_some_and(|a| self.unlimited(a).is_none())
    }

    /// `usize::MAX` or `u64::MAX`, as written.
    fn unlimited(&self, expr: &Expr) -> Option<String> {
        let Expr::Path(p) = ast::peel(expr) else {
            return None;
        };
        let path = self.src.names.resolve(&p.path);
        matches!(path.as_slice(), [.., ty, max] if (ty == "usize" || ty == "u64") && max == "MAX")
            .then(|| path.join("::"))
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            if let [.., owner, function] = path.as_slice() {
                let pair = (owner.as_str(), function.as_str());
                let sets_limit =
                    LIMIT_SETTERS.contains(&pair) || function == "content_length_limit";
                if pair == ("DefaultBodyLimit", "disable") {
                    if !self.replaced.contains(&ast::line_col(path_start(p))) {
                        self.hits
                            .push(Hit::at_path(p, "`DefaultBodyLimit::disable()`"));
                    }
                } else if sets_limit
                    && let Some(max) = call.args.first().and_then(|a| self.unlimited(a))
                {
                    self.hits
                        .push(Hit::at_path(p, format!("`{owner}::{function}({max})`")));
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        // Chains are visited outermost first: mark the disables a finite layer replaces before
        // the inner calls are reached.
        let (_, chain) = ast::method_chain(call);
        let layers = || chain.iter().flat_map(|c| c.args.iter());
        if layers().any(|a| self.is_finite_layer(a)) {
            for arg in layers() {
                if let Expr::Call(c) = ast::peel(arg)
                    && let Some(p) = ast::func_path(c)
                    && ast::ends_with(&self.src.names.resolve(p), &["DefaultBodyLimit", "disable"])
                {
                    self.replaced.push(ast::line_col(path_start(p)));
                }
            }
        }
        if ast::method(call) == "limit"
            && let Some(max) = call.args.first().and_then(|a| self.unlimited(a))
        {
            self.hits
                .push(Hit::at(call.method.span(), format!("`.limit({max})`")));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
