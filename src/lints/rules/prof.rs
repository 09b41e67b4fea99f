//! SG-PROF-001 — profiling or debug endpoint without an authentication layer.
//!
//! **What**: a `.route("…")` (axum, actix-web) or `web::resource("…")` / `web::scope("…")` whose
//! path contains `pprof`, `profile` or `debug`, where neither the route's own handler expression
//! nor a later `.layer(…)` / `.route_layer(…)` / `.wrap(…)` in the same builder chain mentions
//! anything auth-like (`auth`, `authorize`, `require`, `guard`, `admin`, `role`, `bearer`,
//! `session`, `login`, `permission`, `acl`).
//!
//! **Why**: profilers and debug pages reveal code layout, memory contents and configuration, and
//! a CPU profile held open for long keeps a core busy: information exposure and denial of
//! service for anyone who can reach the port (CWE-489, CWE-200).
//!
//! **Example**: `Router::new().route("/debug/pprof/profile", get(ops::profile))`
//!
//! **Fix**: put the route behind the authentication and an admin-role check, bound its duration,
//! or serve it on a separate loopback-only listener.
//!
//! **Limits** (hence low confidence): the check is by words in one builder chain. A router that is
//! wrapped in an auth layer somewhere else (`let api = …; app.merge(api).layer(auth)`) is flagged
//! although protected, and a layer named `auth_ish_but_open` passes. It does not see whether the
//! listener is on loopback only.

use syn::ExprMethodCall;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-PROF-001",
    cwe: &["CWE-489", "CWE-200"],
    severity: Severity::Medium,
    confidence: Confidence::Low,
    message: "profiling or debug endpoint without authentication",
    why: "Profilers and debug pages reveal code layout, memory and configuration, and long \
          profiles keep a core busy; anyone who reaches the port can use them.",
    fix: "Require authentication and an admin role on the route, bound its duration, or serve \
          it on a loopback-only listener.",
    flags: "a route whose path has `pprof`/`profile`/`debug` with no auth-like word in its handler or a later layer of the same chain",
    severity_note: "",
    check,
};

const SENSITIVE: &[&str] = &["pprof", "profile", "debug"];
const AUTH_WORDS: &[&str] = &[
    "auth",
    "authorize",
    "authenticate",
    "authentication",
    "authorization",
    "require",
    "guard",
    "admin",
    "role",
    "bearer",
    "session",
    "login",
    "permission",
    "permissions",
    "acl",
    "basic",
];

fn mentions_auth(tokens: proc_macro2::TokenStream) -> bool {
    ast::mentioned_idents(tokens).iter().any(|ident| {
        ast::words(ident)
            .iter()
            .any(|w| AUTH_WORDS.contains(&w.as_str()) || w.starts_with("auth"))
    })
}

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let (root, calls) = ast::method_chain(call);
        for (index, route) in calls.iter().enumerate() {
            let name = ast::method(route);
            if !matches!(name.as_str(), "route" | "service" | "nest" | "resource") {
                continue;
            }
            let Some(path) = route.args.first().and_then(route_path) else {
                continue;
            };
            let lower = path.to_lowercase();
            if !SENSITIVE.iter().any(|s| lower.contains(s)) {
                continue;
            }
            let own = quote::ToTokens::to_token_stream(&route.args);
            let later_layers = calls[index + 1..]
                .iter()
                .filter(|c| matches!(ast::method(c).as_str(), "layer" | "route_layer" | "wrap"));
            let protected = mentions_auth(own)
                || later_layers
                    .into_iter()
                    .any(|c| mentions_auth(quote::ToTokens::to_token_stream(&c.args)));
            if !protected {
                self.hits.push(Hit::at(
                    syn::spanned::Spanned::span(&route.args[0]),
                    format!("route `{path}` has no auth layer in its builder chain"),
                ));
            }
        }
        for c in &calls {
            for arg in &c.args {
                self.visit_expr(arg);
            }
        }
        self.visit_expr(root);
    }
}

/// The route path: a literal, or the literal inside `web::resource("…")` / `web::scope("…")`.
fn route_path(expr: &syn::Expr) -> Option<String> {
    ast::str_lit(expr).or_else(|| match ast::peel(expr) {
        syn::Expr::Call(c) => c.args.first().and_then(ast::str_lit),
        syn::Expr::MethodCall(m) => route_path(&m.receiver),
        _ => None,
    })
}
