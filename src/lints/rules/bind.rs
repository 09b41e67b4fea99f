//! SG-BIND-001 — a server bound to every network interface.
//!
//! **What**: `0.0.0.0` or `[::]` (as a string literal such as `"0.0.0.0:8080"`, or as
//! `Ipv4Addr::UNSPECIFIED` / `Ipv6Addr::UNSPECIFIED` / `[0, 0, 0, 0]`) given to a `bind` call
//! (`TcpListener::bind`, `UdpSocket::bind`, axum/hyper/actix `bind`) or to the `SocketAddr`
//! built for one.
//!
//! **Why**: a service meant for the machine itself (an admin port, metrics, a debug endpoint)
//! becomes reachable from every network the host is on (CWE-1327).
//!
//! **Example**: `let listener = TcpListener::bind("0.0.0.0:9090").await?;`
//!
//! **Fix**: bind to `127.0.0.1` (or the one interface meant to serve), or make the address
//! configuration. Low severity and confidence: in a container, all interfaces is usually right;
//! suppress with that reason.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-BIND-001",
    cwe: &["CWE-1327"],
    severity: Severity::Low,
    confidence: Confidence::Low,
    message: "listening on all network interfaces",
    why: "A service bound to 0.0.0.0 or [::] is reachable from every network the host is on, \
          not only from the machine itself.",
    fix: "Bind to 127.0.0.1 or the one interface meant to serve, or read the address from \
          configuration.",
    flags: "`bind` given `0.0.0.0`/`[::]` (literal, `Ipv4Addr::UNSPECIFIED`, `[0, 0, 0, 0]`, in a tuple or `SocketAddr`)",
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

impl Visitor<'_> {
    fn addresses<'a>(&mut self, args: impl IntoIterator<Item = &'a Expr>) {
        for arg in args {
            if let Some(what) = self.unspecified(arg) {
                self.hits.push(Hit::at(
                    syn::spanned::Spanned::span(arg),
                    format!("`{what}`"),
                ));
            }
        }
    }

    /// The address as written, if `expr` names the unspecified address (directly, in a tuple
    /// `(addr, port)`, or in `SocketAddr::new`/`from`).
    fn unspecified(&self, expr: &Expr) -> Option<String> {
        match ast::peel(expr) {
            Expr::Lit(_) => {
                // An address with a port (`0.0.0.0:80`, `[::]:80`) or without (`::`, `0.0.0.0`).
                let text = ast::str_lit(expr)?;
                let ip = text
                    .parse::<std::net::SocketAddr>()
                    .map(|a| a.ip())
                    .or_else(|_| text.parse::<std::net::IpAddr>());
                ip.is_ok_and(|ip| ip.is_unspecified()).then_some(text)
            }
            Expr::Path(p) => {
                let path = self.src.names.resolve(&p.path);
                matches!(path.as_slice(), [.., owner, name]
                    if (owner == "Ipv4Addr" || owner == "Ipv6Addr") && name == "UNSPECIFIED")
                .then(|| path.join("::"))
            }
            Expr::Array(a) if a.elems.len() == 4 => a
                .elems
                .iter()
                .all(|e| ast::int_lit(e) == Some(0))
                .then(|| "[0, 0, 0, 0]".to_string()),
            Expr::Tuple(t) => t.elems.first().and_then(|e| self.unspecified(e)),
            Expr::Call(c) => {
                let path = ast::func_path(c).map(|p| self.src.names.resolve(p))?;
                let socket_addr = matches!(path.as_slice(), [.., owner, _]
                    if owner.starts_with("SocketAddr"));
                socket_addr
                    .then(|| c.args.iter().find_map(|a| self.unspecified(a)))
                    .flatten()
            }
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        let binds = ast::func_path(call)
            .and_then(|p| p.segments.last())
            .is_some_and(|s| s.ident == "bind");
        if binds {
            self.addresses(call.args.iter());
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        if ast::method(call) == "bind" {
            self.addresses(call.args.iter());
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
