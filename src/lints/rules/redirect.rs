//! SG-REDIRECT-001 — an open redirect: the request chooses where the response sends the browser.
//!
//! **What**: in a handler with a `Query<…>`, `Form<…>`, `Path<…>` or `Json<…>` extractor, a value
//! bound from it (directly, in `format!`, or through a local `let`) given to axum's
//! `Redirect::to` / `temporary` / `permanent` / `see_other`, or set as the `Location` header
//! (`insert_header((LOCATION, …))`, `append_header`, a builder's `.header(LOCATION, …)`) —
//! unless the handler checks the value (`starts_with`, or an allow-list: a name with `allow`).
//!
//! **Why**: a link on the trusted site that forwards to any address makes phishing pages look
//! legitimate and can leak tokens carried in the URL to another site (CWE-601).
//!
//! **Example**: `async fn login_done(Query(q): Query<Next>) -> Redirect { Redirect::to(&q.next) }`
//!
//! **Fix**: accept only relative paths (`/…` but not `//…`) or targets from an allow-list.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall, Signature};

use super::taint::RequestTaint;
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-REDIRECT-001",
    cwe: &["CWE-601"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "redirect to an address taken from the request",
    why: "A trusted link that forwards anywhere lends the site's name to phishing pages and can \
          hand URL-borne tokens to another site.",
    fix: "Redirect only to relative paths (starting with `/` but not `//`) or to an allow-list.",
    flags: "a `Query`/`Form`/`Path`/`Json` extractor value (directly, in `format!`, through a local) given to `Redirect::to/temporary/permanent/see_other` or set as the `Location` header, in a handler that neither tests a prefix (`starts_with`) nor names an allow-list",
    severity_note: "",
    check,
};

const EXTRACTORS: &[&str] = &["Query", "Form", "Path", "Json"];

const REDIRECTS: &[&str] = &["to", "temporary", "permanent", "see_other"];

const HEADER_SETTERS: &[&str] = &["insert_header", "append_header", "header"];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        tainted: RequestTaint::default(),
        hits: Vec::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    tainted: RequestTaint,
    hits: Vec<Hit>,
}

impl Visitor<'_> {
    fn handler(&mut self, sig: &Signature, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.tainted);
        if !validates(block) {
            self.tainted = RequestTaint::of_handler(sig, EXTRACTORS);
        }
        visit(self);
        self.tainted = outer;
    }

    /// Whether a `let` of this value carries request data on to the names it binds.
    fn taints(&self, value: &Expr) -> bool {
        self.tainted.carries(value)
    }

    /// `LOCATION`, `header::LOCATION` or a `"Location"` literal.
    fn is_location(&self, expr: &Expr) -> bool {
        match ast::peel(expr) {
            Expr::Path(p) => self
                .src
                .names
                .resolve(&p.path)
                .last()
                .is_some_and(|s| s == "LOCATION"),
            _ => ast::str_lit(expr).is_some_and(|s| s.eq_ignore_ascii_case("location")),
        }
    }
}

/// The handler checks the value somewhere: a prefix test or an allow-list.
fn validates(block: &syn::Block) -> bool {
    ast::mentioned_idents(quote::ToTokens::to_token_stream(block))
        .iter()
        // `allow` alone is the lint attribute (`#[allow(…)]`), not an allow-list.
        .any(|i| i == "starts_with" || (i != "allow" && i.to_ascii_lowercase().contains("allow")))
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    super::taint::request_taint_visits!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let redirect = matches!(path.as_slice(), [.., owner, f]
                if owner == "Redirect" && REDIRECTS.contains(&f.as_str()));
            if redirect && call.args.iter().any(|a| self.tainted.carries(a)) {
                self.hits.push(Hit::at_path(
                    p,
                    format!("`{}` is given a request value", path.join("::")),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        if HEADER_SETTERS.contains(&method.as_str()) {
            // `(LOCATION, value)` as one tuple argument, or `LOCATION, value` as two.
            let pair: Option<(&Expr, &Expr)> = match call.args.len() {
                1 => match ast::peel(&call.args[0]) {
                    Expr::Tuple(t) if t.elems.len() == 2 => Some((&t.elems[0], &t.elems[1])),
                    _ => None,
                },
                2 => Some((&call.args[0], &call.args[1])),
                _ => None,
            };
            if let Some((name, value)) = pair
                && self.is_location(name)
                && self.tainted.carries(value)
            {
                self.hits.push(Hit::at(
                    call.method.span(),
                    format!("`Location` set by `.{method}()` from a request value"),
                ));
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
