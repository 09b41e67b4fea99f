//! SG-HTTP-001 — a request sent over plain `http://`.
//!
//! **What**: a string literal `http://…` handed to an HTTP client: `reqwest::get`, `ureq::get` and
//! their siblings, the request-builder methods `get`/`post`/`put`/`patch`/`delete`/`head`/
//! `request`/`uri`, `Url::parse`, `Uri::from_static` and tonic's `Endpoint::from_static`.
//! Loopback and documentation hosts (`localhost`, `127.0.0.1`, `[::1]`, `*.localhost`,
//! `example.com`/`.org`/`.net`) are left alone.
//!
//! **Why**: without TLS, anyone on the path reads the request (tokens, cookies, personal data)
//! and can change the response (CWE-319).
//!
//! **Example**: `reqwest::get("http://api.example-payments.io/v1/charges").await?`
//!
//! **Fix**: use `https://`; for a service inside a trusted network, say so in a suppression.
//!
//! Limits: the rule sees names, not types, so `map.get("http://…")` on a map keyed by URLs is
//! flagged too; a URL built with `format!` is not checked.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-HTTP-001",
    cwe: &["CWE-319"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "request over plain http://",
    why: "Without TLS, anyone on the network path can read the request, including its tokens and \
          cookies, and change the response.",
    fix: "Use an https:// URL.",
    flags: "an `http://` literal to a non-loopback, non-documentation host given to `reqwest::get`/`ureq::get`…, a builder's `get`/`post`/…/`uri`, `Url::parse`, `Uri::from_static`, tonic `Endpoint::from_static`",
    severity_note: "",
    check,
};

/// Crates whose free functions send a request to their first argument (`reqwest::get(url)`).
const CLIENT_CRATES: &[&str] = &["reqwest", "ureq", "attohttpc", "minreq", "isahc", "surf"];

/// Methods of request builders and clients whose arguments include the URL.
const URL_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "request", "uri", "connect",
];

/// (type, function) pairs that take a URL.
const URL_CONSTRUCTORS: &[(&str, &str)] = &[
    ("Url", "parse"),
    ("Uri", "from_static"),
    ("Endpoint", "from_static"),
    ("Endpoint", "from_shared"),
];

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

impl Visitor<'_> {
    fn url_args<'a>(&mut self, args: impl IntoIterator<Item = &'a Expr>) {
        for arg in args {
            if let Some(url) = ast::str_lit(arg)
                && is_remote_plain_http(&url)
            {
                self.hits.push(Hit::at(
                    syn::spanned::Spanned::span(arg),
                    format!("`{url}`"),
                ));
            }
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let client_fn = path.len() >= 2
                && CLIENT_CRATES.contains(&path[0].as_str())
                && path
                    .last()
                    .is_some_and(|f| URL_METHODS.contains(&f.as_str()));
            let constructor = matches!(path.as_slice(), [.., owner, function]
                if URL_CONSTRUCTORS.contains(&(owner.as_str(), function.as_str())));
            if client_fn || constructor {
                self.url_args(call.args.iter());
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        if URL_METHODS.contains(&ast::method(call).as_str()) {
            self.url_args(call.args.iter());
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// `http://` to a host that is not loopback or a documentation domain.
fn is_remote_plain_http(url: &str) -> bool {
    let Some(rest) = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map_or("", |h| &h[1..])
    } else {
        host_port.split(':').next().unwrap_or_default()
    }
    .to_ascii_lowercase();
    let local = host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0";
    let documentation = ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    !(local || documentation)
}

#[cfg(test)]
mod tests {
    use super::is_remote_plain_http;

    #[test]
    fn only_remote_plain_http_counts() {
        assert!(is_remote_plain_http("http://api.payments.io/v1"));
        assert!(is_remote_plain_http("HTTP://user:pw@10.0.0.5:8080/x"));
        assert!(!is_remote_plain_http("https://api.payments.io"));
        assert!(!is_remote_plain_http("http://localhost:3000/health"));
        assert!(!is_remote_plain_http("http://127.0.0.1:8080"));
        assert!(!is_remote_plain_http("http://[::1]:9000/"));
        assert!(!is_remote_plain_http("http://api.example.com/"));
        assert!(!is_remote_plain_http("/relative/path"));
    }
}
