//! SG-TLS-002 — a legacy TLS or SSL protocol version allowed.
//!
//! **What**: openssl's `SslVersion::SSL3` / `TLS1` / `TLS1_1` and `SslMethod`-era
//! `SslOptions` that switch modern versions off (`NO_TLSV1_2`, `NO_TLSV1_3`); native-tls's
//! `Protocol::Sslv3` / `Tlsv10` / `Tlsv11`, wherever they are named (typically in
//! `set_min_proto_version(Some(…))` or `min_protocol_version(Some(…))`).
//!
//! **Why**: SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and open to downgrade and
//! padding-oracle attacks (POODLE, BEAST); a peer that negotiates them gets weak encryption
//! (CWE-326, CWE-327).
//!
//! **Example**: `builder.set_min_proto_version(Some(SslVersion::TLS1))?;`
//!
//! **Fix**: require TLS 1.2 at least (`SslVersion::TLS1_2`, `Protocol::Tlsv12`), or use rustls,
//! which has no legacy versions to enable.

use syn::ExprPath;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;

pub(super) const RULE: Rule = Rule {
    id: "SG-TLS-002",
    cwe: &["CWE-326", "CWE-327"],
    severity: Severity::Medium,
    confidence: Confidence::High,
    message: "legacy TLS/SSL protocol version allowed",
    why: "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated and open to downgrade and padding-oracle \
          attacks; a connection that negotiates them is weakly protected.",
    fix: "Require TLS 1.2 or later (`SslVersion::TLS1_2`, `Protocol::Tlsv12`), or use rustls.",
    flags: "openssl `SslVersion::SSL3/TLS1/TLS1_1`, `SslOptions::NO_TLSV1_2/NO_TLSV1_3`; native-tls `Protocol::Sslv3/Tlsv10/Tlsv11`",
    severity_note: "",
    check,
};

/// (type, constant) pairs that name a legacy version or turn a modern one off.
const LEGACY: &[(&str, &str)] = &[
    ("SslVersion", "SSL3"),
    ("SslVersion", "TLS1"),
    ("SslVersion", "TLS1_1"),
    ("SslOptions", "NO_TLSV1_2"),
    ("SslOptions", "NO_TLSV1_3"),
    ("Protocol", "Sslv3"),
    ("Protocol", "Tlsv10"),
    ("Protocol", "Tlsv11"),
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

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    // A pattern (`match v { SslVersion::TLS1 => … }`) reads a version; it does not allow one.
    fn visit_pat(&mut self, _: &'ast syn::Pat) {}

    fn visit_expr_path(&mut self, expr: &'ast ExprPath) {
        let path = self.src.names.resolve(&expr.path);
        if let [.., owner, name] = path.as_slice()
            && LEGACY.contains(&(owner.as_str(), name.as_str()))
        {
            self.hits
                .push(Hit::at_path(&expr.path, format!("`{owner}::{name}`")));
        }
        syn::visit::visit_expr_path(self, expr);
    }
}
