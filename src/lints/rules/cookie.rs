//! SG-COOKIE-001 — cookie without `Secure` / `HttpOnly`, or `SameSite=None` without `Secure`.
//!
//! **What**: `secure(false)`, `http_only(false)`, `set_secure(false)`, `set_http_only(false)`
//! (cookie, actix-web, tower-cookies), and `same_site(SameSite::None)` in a builder chain with no
//! `secure(true)`.
//!
//! **Why**: without `Secure` the cookie is sent over plain HTTP where it can be read; without
//! `HttpOnly` any injected script can steal it; `SameSite=None` without `Secure` is rejected by
//! browsers or sends the cookie cross-site in the clear (CWE-614, CWE-1004).
//!
//! **Example**: `Cookie::build(("session", id)).http_only(false).secure(false)`
//!
//! **Fix**: `.secure(true).http_only(true).same_site(SameSite::Lax)` (or `Strict`).

use syn::visit::Visit;
use syn::{Expr, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-COOKIE-001",
    cwe: &["CWE-614", "CWE-1004"],
    severity: Severity::Medium,
    confidence: Confidence::High,
    message: "insecure cookie attributes",
    why: "Without Secure the cookie travels over plain HTTP, without HttpOnly injected scripts \
          can read it, and SameSite=None needs Secure.",
    fix: "Set `.secure(true).http_only(true).same_site(SameSite::Lax)` (or Strict).",
    flags: "`secure(false)`, `http_only(false)`, `SameSite::None` without `secure(true)`",
    severity_note: "",
    check,
};

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

fn same_site_none(call: &ExprMethodCall) -> bool {
    matches!(ast::method(call).as_str(), "same_site" | "set_same_site")
        && call.args.first().is_some_and(|a| {
            matches!(ast::peel(a), Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "None")
                && p.path.segments.len() >= 2)
                || matches!(ast::peel(a), Expr::Call(c) if ast::expr_idents(&c.args[0]).contains("None"))
        })
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let (root, calls) = ast::method_chain(call);
        let secure_true = calls.iter().any(|c| {
            matches!(ast::method(c).as_str(), "secure" | "set_secure")
                && c.args.first().is_some_and(|a| !ast::is_bool(a, false))
        });
        for c in &calls {
            let name = ast::method(c);
            let off = matches!(
                name.as_str(),
                "secure" | "http_only" | "set_secure" | "set_http_only"
            ) && c.args.first().is_some_and(|a| ast::is_bool(a, false));
            if off {
                self.hits
                    .push(Hit::at(c.method.span(), format!("`{name}(false)`")));
            } else if same_site_none(c) && !secure_true {
                self.hits.push(Hit::at(
                    c.method.span(),
                    "`SameSite=None` without `secure(true)`",
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
