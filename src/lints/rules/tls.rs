//! SG-TLS-001 — TLS certificate or host name verification disabled.
//!
//! **What**: `danger_accept_invalid_certs(true)` / `danger_accept_invalid_hostnames(true)`
//! (reqwest, native-tls, tokio-native-tls), openssl's `SslVerifyMode::NONE` passed to
//! `set_verify*` and `verify_hostname(false)` / `set_verify_hostname(false)`, and a rustls
//! `ServerCertVerifier` whose `verify_server_cert` returns `ServerCertVerified::assertion()`
//! without looking at the certificate.
//!
//! **Why**: without verification anyone on the network path can present their own certificate and
//! read or change the traffic (CWE-295).
//!
//! **Example**: `native_tls::TlsConnector::builder().danger_accept_invalid_certs(true).build()`.
//!
//! **Fix**: keep verification on; for a private CA add its root certificate
//! (`add_root_certificate`, a rustls `RootCertStore`) instead of turning checks off.

use syn::visit::Visit;
use syn::{Expr, ExprMethodCall, ImplItem, ItemImpl};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-TLS-001",
    cwe: &["CWE-295"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "TLS verification disabled",
    why: "Without certificate and host name verification anyone on the network path can \
          impersonate the server and read or alter the traffic.",
    fix: "Keep verification on; trust a private CA by adding its root certificate instead.",
    flags: "`danger_accept_invalid_certs/hostnames(true)`, openssl `SslVerifyMode::NONE` / `verify_hostname(false)`, a rustls `ServerCertVerifier` that returns `assertion()` unconditionally",
    severity_note: "",
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

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let name = ast::method(call);
        let first = call.args.first();
        let off = match name.as_str() {
            "danger_accept_invalid_certs" | "danger_accept_invalid_hostnames" => {
                first.is_some_and(|a| ast::is_bool(a, true))
            }
            "verify_hostname" | "set_verify_hostname" => {
                first.is_some_and(|a| ast::is_bool(a, false))
            }
            "set_verify" | "set_verify_callback" => first.is_some_and(|a| self.is_verify_none(a)),
            _ => false,
        };
        if off {
            let args = call
                .args
                .first()
                .map(|a| quote::ToTokens::to_token_stream(a).to_string())
                .unwrap_or_default();
            self.hits
                .push(Hit::at(call.method.span(), format!("`{name}({args})`")));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_item_impl(&mut self, item: &'ast ItemImpl) {
        let is_verifier = item.trait_.as_ref().is_some_and(|(path, _)| {
            path.segments
                .last()
                .is_some_and(|s| s.ident == "ServerCertVerifier")
        });
        if is_verifier {
            for impl_item in &item.items {
                if let ImplItem::Fn(f) = impl_item
                    && f.sig.ident == "verify_server_cert"
                    && accepts_everything(&f.block)
                {
                    self.hits.push(Hit::at(
                        f.sig.ident.span(),
                        "a rustls `ServerCertVerifier` that accepts every certificate",
                    ));
                }
            }
        }
        syn::visit::visit_item_impl(self, item);
    }
}

impl Visitor<'_> {
    fn is_verify_none(&self, arg: &Expr) -> bool {
        match ast::peel(arg) {
            Expr::Path(p) => {
                ast::ends_with(&self.src.names.resolve(&p.path), &["SslVerifyMode", "NONE"])
            }
            _ => false,
        }
    }
}

/// A body that is one `Ok(ServerCertVerified::assertion())`, with no statement before it.
fn accepts_everything(block: &syn::Block) -> bool {
    let [syn::Stmt::Expr(expr, None)] = block.stmts.as_slice() else {
        return false;
    };
    let Expr::Call(ok) = ast::peel(expr) else {
        return false;
    };
    let is_ok = matches!(ast::peel(&ok.func), Expr::Path(p) if p.path.is_ident("Ok"));
    is_ok
        && ok.args.first().and_then(ast::call_path).is_some_and(|p| {
            let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            ast::ends_with(&segments, &["ServerCertVerified", "assertion"])
        })
}
