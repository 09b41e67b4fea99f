//! SG-CORS-001 — permissive CORS.
//!
//! **What**: tower-http `CorsLayer::very_permissive()` (mirrors any origin *with* credentials)
//! and `CorsLayer::permissive()`; actix-cors `Cors::permissive()`; and a builder chain that
//! allows any origin (`allow_origin(Any)`, `allow_origin(AllowOrigin::any())`,
//! `allow_origin("*")`, `allow_any_origin()`, `send_wildcard()`) or mirrors it
//! (`AllowOrigin::mirror_request()`) together with credentials (`allow_credentials(true)`,
//! `supports_credentials()`).
//!
//! **Why**: any web page a user visits can then call the API from the user's browser and read
//! the responses — with the user's cookies when credentials are allowed (CWE-942).
//!
//! **Example**: `CorsLayer::new().allow_origin(AllowOrigin::mirror_request()).allow_credentials(true)`
//!
//! **Fix**: list the trusted origins (`AllowOrigin::list([...])`); never combine a wildcard or
//! mirrored origin with credentials.

use syn::ExprMethodCall;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-CORS-001",
    cwe: &["CWE-942"],
    severity: Severity::Medium,
    confidence: Confidence::High,
    message: "permissive CORS policy",
    why: "Any web page can call the API from a visitor's browser and read the answers, with the \
          visitor's cookies when credentials are allowed.",
    fix: "Allow a fixed list of trusted origins; never pair any/mirrored origins with \
          credentials.",
    flags: "`CorsLayer::very_permissive/permissive`, `Cors::permissive`, any/mirrored origin with credentials",
    severity_note: "high with credentials",
    check,
};

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        hits: Vec::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    hits: Vec<Hit>,
}

fn any_origin(call: &ExprMethodCall) -> bool {
    match ast::method(call).as_str() {
        "allow_any_origin" | "send_wildcard" => true,
        "allow_origin" => call.args.first().is_some_and(|a| {
            ast::str_lit(a).is_some_and(|s| s == "*")
                || ast::expr_idents(a)
                    .iter()
                    .any(|i| i == "Any" || i == "any" || i == "mirror_request")
        }),
        _ => false,
    }
}

fn credentials(call: &ExprMethodCall) -> bool {
    match ast::method(call).as_str() {
        "supports_credentials" => true,
        "allow_credentials" => call.args.first().is_some_and(|a| ast::is_bool(a, true)),
        _ => false,
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = ast::func_path(call) {
            let resolved = self.src.names.resolve(path);
            for (owner, name) in [
                ("CorsLayer", "very_permissive"),
                ("CorsLayer", "permissive"),
                ("Cors", "permissive"),
            ] {
                if ast::ends_with(&resolved, &[owner, name]) {
                    let hit = Hit::at(
                        syn::spanned::Spanned::span(&call.func),
                        format!("`{owner}::{name}()`"),
                    );
                    let hit = if name == "very_permissive" || owner == "Cors" {
                        hit.with_severity(Severity::High)
                    } else {
                        hit
                    };
                    self.hits.push(hit);
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let (root, calls) = ast::method_chain(call);
        let any = calls.iter().find(|c| any_origin(c));
        let creds = calls.iter().any(|c| credentials(c));
        if let Some(any) = any
            && creds
        {
            self.hits.push(
                Hit::at(
                    any.method.span(),
                    "any or mirrored origin allowed together with credentials",
                )
                .with_severity(Severity::High),
            );
        }
        for c in &calls {
            for arg in &c.args {
                self.visit_expr(arg);
            }
        }
        self.visit_expr(root);
    }
}
