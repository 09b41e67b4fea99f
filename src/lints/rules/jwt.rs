//! SG-JWT-001 — JWT signature validation disabled.
//!
//! **What**: jsonwebtoken's `insecure_disable_signature_validation()`, the
//! `dangerous_insecure_decode*` / `dangerous_unsafe_decode` / `insecure_decode` functions, and
//! `validate_signature: false` in a `Validation` literal or assignment.
//!
//! **Why**: without the signature check, anyone can write a token with any claims (another
//! user's id, an admin role) and it is accepted (CWE-347).
//!
//! **Example**: `let mut v = Validation::default(); v.insecure_disable_signature_validation();`
//!
//! **Fix**: decode with the issuer's key and `Validation::new(Algorithm::…)`; if only the header
//! is needed before choosing a key, use `decode_header`.

use syn::visit::Visit;
use syn::{Expr, ExprAssign, ExprMethodCall, ExprPath, ExprStruct};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-JWT-001",
    cwe: &["CWE-347"],
    severity: Severity::Critical,
    confidence: Confidence::High,
    message: "JWT signature validation disabled",
    why: "Without the signature check anyone can mint a token with any claims and have it \
          accepted.",
    fix: "Decode with the issuer's key and an explicit `Validation::new(Algorithm::…)`; use \
          `decode_header` to pick the key.",
    flags: "`insecure_disable_signature_validation()`, `dangerous_insecure_decode*`, `validate_signature: false`",
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

fn is_insecure_decode(name: &str) -> bool {
    name.starts_with("dangerous_insecure_decode")
        || name == "dangerous_unsafe_decode"
        || name == "insecure_decode"
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let name = ast::method(call);
        if name == "insecure_disable_signature_validation" || is_insecure_decode(&name) {
            self.hits
                .push(Hit::at(call.method.span(), format!("`{name}()`")));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_path(&mut self, expr: &'ast ExprPath) {
        if let Some(last) = expr.path.segments.last()
            && is_insecure_decode(&last.ident.to_string())
        {
            self.hits
                .push(Hit::at(last.ident.span(), format!("`{}`", last.ident)));
        }
        syn::visit::visit_expr_path(self, expr);
    }

    fn visit_expr_struct(&mut self, expr: &'ast ExprStruct) {
        for field in &expr.fields {
            if let syn::Member::Named(name) = &field.member
                && name == "validate_signature"
                && ast::is_bool(&field.expr, false)
            {
                self.hits
                    .push(Hit::at(name.span(), "`validate_signature: false`"));
            }
        }
        syn::visit::visit_expr_struct(self, expr);
    }

    fn visit_expr_assign(&mut self, expr: &'ast ExprAssign) {
        if let Expr::Field(f) = ast::peel(&expr.left)
            && matches!(&f.member, syn::Member::Named(n) if n == "validate_signature")
            && ast::is_bool(&expr.right, false)
        {
            self.hits.push(Hit::at(
                syn::spanned::Spanned::span(&f.member),
                "`validate_signature = false`",
            ));
        }
        syn::visit::visit_expr_assign(self, expr);
    }
}
