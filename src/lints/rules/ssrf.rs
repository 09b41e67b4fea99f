//! SG-SSRF-001 — server-side request forgery: the request chooses where the server connects.
//!
//! **What**: in a handler with a request parameter (`Query`, `Json`, `Form`, `Path`, `HeaderMap`,
//! a raw `Request`), a value bound from it (directly, in a `format!`, through a local) given as
//! the URL of an outgoing HTTP request — `reqwest::get`, `ureq`/`surf`/`isahc`/`attohttpc`
//! free functions, a client's `get`/`post`/`put`/`patch`/`delete`/`head`/`request`, a request
//! builder's `uri` — unless the handler checks the target (`host_str`, `starts_with`, a name with
//! `allow` or `trusted`). A `format!` whose literal fixes the scheme and host
//! (`"https://api.example.com/items/{id}"`) is not a new target.
//!
//! **Why**: the server fetches whatever the caller names: cloud metadata endpoints
//! (`169.254.169.254`), internal admin services, `file://` or other schemes behind the firewall
//! (CWE-918).
//!
//! **Example**: `async fn preview(Query(q): Query<Preview>) -> String { reqwest::get(&q.url).await… }`
//!
//! **Fix**: parse the URL, require `https`, and compare its host against an allow-list (and
//! refuse private and link-local addresses after resolving it).

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall, Signature};

use super::taint::{REQUEST_TYPES, RequestTaint};
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-SSRF-001",
    cwe: &["CWE-918"],
    severity: Severity::High,
    confidence: Confidence::Medium,
    message: "outgoing request to a URL from the request",
    why: "The server connects wherever the caller says: cloud metadata endpoints, internal \
          services and other schemes behind the firewall become reachable.",
    fix: "Parse the URL, require https and check its host against an allow-list (refusing \
          private and link-local addresses) before requesting it.",
    flags: "a request value (extractor, header map, raw request; directly, in `format!`, through a local) used as the URL of `reqwest::get`, `ureq`/`surf`/`isahc` calls, a client's `get`/`post`/…/`request`, a builder's `uri`, in a handler with no host check (`host_str`, `starts_with`, an allow-list)",
    severity_note: "",
    check,
};

const HTTP_CRATES: &[&str] = &[
    "reqwest",
    "ureq",
    "surf",
    "isahc",
    "attohttpc",
    "awc",
    "hyper",
    "http",
];
const VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "request", "connect",
];

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

/// The handler checks where it connects: a host test or an allow-list.
fn checks_target(block: &syn::Block) -> bool {
    ast::mentioned_idents(quote::ToTokens::to_token_stream(block))
        .iter()
        .any(|i| {
            let lower = i.to_ascii_lowercase();
            i == "host_str"
                || i == "starts_with"
                || (i != "allow" && lower.contains("allow"))
                || lower.contains("trusted")
        })
}

/// A `format!` whose literal starts with a fixed `scheme://host/`.
fn fixed_host(expr: &Expr) -> bool {
    let Expr::Macro(m) = ast::peel(expr) else {
        return false;
    };
    let Some(template) =
        ast::macro_args(&m.mac).and_then(|args| args.first().and_then(ast::str_lit))
    else {
        return false;
    };
    let Some(rest) = template
        .strip_prefix("https://")
        .or_else(|| template.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    !host.is_empty() && !host.contains('{') && rest.contains('/')
}

impl Visitor<'_> {
    fn handler(&mut self, sig: &Signature, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.tainted);
        if !checks_target(block) {
            self.tainted = RequestTaint::of_handler(sig, REQUEST_TYPES);
        }
        visit(self);
        self.tainted = outer;
    }

    /// Whether a `let` of this value carries request data on to the names it binds.
    fn taints(&self, value: &Expr) -> bool {
        self.tainted.carries(value)
    }

    fn is_target(&self, url: &Expr) -> bool {
        self.tainted.carries(url) && !fixed_host(url)
    }

    /// A receiver that is an HTTP client or request builder: made by a `Client`/`Agent`/
    /// `Request` constructor, or a value named like one (`client`, `http`, `agent`).
    fn is_client(&self, receiver: &Expr) -> bool {
        let root = ast::method_chain_root(receiver);
        if let Expr::Call(c) = ast::peel(root)
            && let Some(p) = ast::func_path(c)
        {
            let path = self.src.names.resolve(p);
            return path
                .iter()
                .any(|s| matches!(s.as_str(), "Client" | "Agent" | "ClientBuilder"))
                || path
                    .first()
                    .is_some_and(|c| HTTP_CRATES.contains(&c.as_str()));
        }
        ast::value_names(receiver).iter().any(|n| {
            let words = ast::words(n);
            words
                .iter()
                .any(|w| matches!(w.as_str(), "client" | "http" | "agent"))
        })
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    super::taint::request_taint_visits!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let sink = path.len() >= 2
                && HTTP_CRATES.contains(&path[0].as_str())
                && path.last().is_some_and(|l| VERBS.contains(&l.as_str()));
            if sink && call.args.iter().any(|a| self.is_target(a)) {
                self.hits.push(Hit::at_path(
                    p,
                    format!("`{}` is given a URL from the request", path.join("::")),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        let url = match method.as_str() {
            "request" => call.args.iter().nth(1),
            "uri" => call.args.first(),
            m if VERBS.contains(&m) => call.args.first(),
            _ => None,
        };
        if let Some(url) = url
            && self.is_target(url)
            && (method == "uri" || self.is_client(&call.receiver))
        {
            self.hits.push(Hit::at(
                call.method.span(),
                format!("`.{method}()` is given a URL from the request"),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
