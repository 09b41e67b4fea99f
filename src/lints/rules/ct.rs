//! SG-CT-001 — secret compared with `==` / `!=`.
//!
//! **What**: an `==` or `!=` where one operand is named like a secret or a MAC: `token`,
//! `api_key`, `secret`, `password`, `mac`, `hmac`, `signature`, `digest`, `hash` (also through
//! `.as_bytes()`, `.as_str()`, `&`, `*`). Skipped: comparisons with `None`, numbers, booleans or
//! the empty string, and `a.digest == b.digest` (the same field of two records: equality of
//! stored values, e.g. de-duplication, not a check of what a caller presented).
//!
//! A local bound from a secret-named value counts as that value
//! (`let expected = state.admin_token.as_str(); presented != expected`).
//!
//! **Why**: `==` on slices and strings returns at the first differing byte, so the response time
//! tells an attacker how much of a guess was right, byte by byte (CWE-208).
//!
//! **Example**: `presented == API_KEY`
//!
//! **Fix**: `subtle::ConstantTimeEq` (`a.as_bytes().ct_eq(b.as_bytes()).into()`), or the MAC's own
//! `verify_slice`; better still, compare fixed-size digests of the two values.

use syn::visit::Visit;
use syn::{BinOp, Expr, ExprBinary, Lit};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-CT-001",
    cwe: &["CWE-208"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "secret compared in variable time",
    why: "`==` stops at the first differing byte, so response times reveal how much of a guessed \
          secret, token or MAC is right.",
    fix: "Compare with `subtle::ConstantTimeEq` or the MAC's `verify_slice`.",
    flags: "`==`/`!=` on token/secret/password/mac/signature/digest/hash operands (also through a local)",
    severity_note: "",
    check,
};

const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "mac",
    "hmac",
    "signature",
    "digest",
    "hash",
    "apikey",
    "otp",
];

/// Words that make a secret-like name mean something public (`token_kind`, `hash_len`).
const PUBLIC_WORDS: &[&str] = &[
    "len",
    "length",
    "count",
    "kind",
    "type",
    "name",
    "id",
    "index",
    "idx",
    "map",
    "set",
    "algorithm",
    "alg",
    "prefix",
    "header",
    "format",
    "version",
    "expiry",
    "exp",
    "ttl",
    "size",
    "str",
];

fn is_secret_operand(name: &str) -> bool {
    let words = ast::words(name);
    if words.iter().any(|w| PUBLIC_WORDS.contains(&w.as_str())) {
        return false;
    }
    let joined = words.concat();
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || joined.contains("apikey")
        || joined.contains("secretkey")
}

/// True for `None`, numbers, booleans, `""`, `b""`, and `.len()`-style calls.
fn is_trivial(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => s.value().is_empty(),
            Lit::ByteStr(b) => b.value().is_empty(),
            _ => true,
        },
        Expr::Path(p) => p.path.is_ident("None"),
        _ => false,
    }
}

fn field_name(expr: &Expr) -> Option<String> {
    match ast::peel(expr) {
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        _ => None,
    }
}

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

impl Visitor {
    /// The operand's secret-like name: its own, or that of what the local it was read from was
    /// bound to (`let expected = state.admin_token.as_str();` → `admin_token`); else its name.
    fn operand_name(&self, expr: &Expr) -> Option<String> {
        let names = ast::value_names(expr);
        names
            .iter()
            .find(|n| is_secret_operand(n))
            .or(names.first())
            .cloned()
    }
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_binary(&mut self, expr: &'ast ExprBinary) {
        if matches!(expr.op, BinOp::Eq(_) | BinOp::Ne(_))
            && !is_trivial(&expr.left)
            && !is_trivial(&expr.right)
        {
            let left = self.operand_name(&expr.left);
            let right = self.operand_name(&expr.right);
            let same_field = field_name(&expr.left).is_some()
                && field_name(&expr.left) == field_name(&expr.right);
            let secret = [&left, &right]
                .into_iter()
                .flatten()
                .find(|name| is_secret_operand(name));
            if let Some(name) = secret
                && !same_field
            {
                let op = quote::ToTokens::to_token_stream(&expr.op).to_string();
                self.hits.push(Hit::at(
                    syn::spanned::Spanned::span(&expr.op),
                    format!("`{name}` compared with `{op}`"),
                ));
            }
        }
        syn::visit::visit_expr_binary(self, expr);
    }
}
