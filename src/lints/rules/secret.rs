//! SG-SECRET-001 — hard-coded credential.
//!
//! **What**: a string or byte-string literal bound to a secret-named `const`, `static`, `let`,
//! struct field or assignment target (`api_key`, `secret`, `token`, `password`, …) when the
//! literal looks random (length and Shannon entropy above a threshold; lower for passwords);
//! and, in any string literal, a known credential format: a PEM private key header, an AWS
//! access key id (`AKIA…`), a GitHub token (`ghp_…`, `github_pat_…`), a Slack token (`xox?-…`),
//! a Stripe live key (`sk_live_…`), a password in a connection URL (`postgres://user:pw@host`;
//! not a template like `{password}` or `${DB_PASSWORD}`, nor a placeholder like `postgres`).
//! Literals in methods of trait impls (`impl Default`) count like any other.
//!
//! **Why**: a secret in the source is in every clone, build log and binary, and cannot be rotated
//! without a release (CWE-798).
//!
//! **Example**: `pub const API_KEY: &str = "sgfx_live_7Qm2Zr9KxT4vLp8WcN3bYh6JdS1gFa5E";`
//!
//! **Fix**: read it at run time from the environment or a secret store; rotate the leaked value.
//!
//! Names ending in `_name`, `_header`, `_env`, `_path`, `_url`, … are not secrets, and literals
//! with spaces, `{` or only upper case and `_` (an environment variable's name) are skipped.

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Expr, ExprLit, Lit};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-SECRET-001",
    cwe: &["CWE-798"],
    severity: Severity::High,
    confidence: Confidence::Medium,
    message: "hard-coded credential",
    why: "A secret in the source ships in every clone, build log and binary and cannot be \
          rotated without a release.",
    fix: "Load the secret at run time (environment, secret store, mounted file) and rotate the \
          value that was committed.",
    flags: "high-entropy literal in a secret-named const/static/let/field; PEM private keys, AWS, GitHub, Slack, Stripe-live formats and passwords in connection URLs (`postgres://user:pw@host`) in any literal",
    severity_note: "",
    check,
};

/// Words that make a name secret-like (after splitting it into words).
const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "token",
    "apikey",
    "credential",
    "credentials",
    "privkey",
];

/// Last words that make a secret-like name about something else (`TOKEN_HEADER`).
const NOT_SECRET_SUFFIX: &[&str] = &[
    "name", "header", "env", "var", "path", "file", "url", "uri", "len", "length", "prefix",
    "field", "param", "type", "kind", "id", "dir", "format", "label", "regex", "pattern",
    "endpoint", "route", "hash", "digest", "count", "ttl", "expiry", "lifetime", "policy",
];

/// True if `name` names a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let words = ast::words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_SUFFIX.contains(&last.as_str()) {
        return false;
    }
    let joined = words.concat();
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || joined.contains("apikey")
        || joined.contains("privatekey")
        || joined.contains("secretkey")
        || joined.contains("accesskey")
        || joined.contains("signingkey")
        || joined.contains("clientsecret")
        || joined.contains("authkey")
}

fn is_password_name(name: &str) -> bool {
    ast::words(name)
        .iter()
        .any(|w| matches!(w.as_str(), "password" | "passwd" | "pwd" | "passphrase"))
}

/// Shannon entropy of `text` in bits per character.
pub(crate) fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = total as f64;
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "example",
    "placeholder",
    "your",
    "xxxx",
    "dummy",
    "redacted",
    "test",
];

/// True if `value` bound to a secret name looks like a real secret rather than a placeholder.
fn looks_random(value: &str, password: bool) -> bool {
    let lower = value.to_lowercase();
    if value.contains(char::is_whitespace)
        || value.contains(['{', '<', '$'])
        || PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    {
        return false;
    }
    let len = value.chars().count();
    if password {
        len >= 8 && entropy(value) >= 2.5
    } else {
        len >= 16 && entropy(value) >= 3.5
    }
}

/// A known credential format inside `text`, by name.
fn known_format(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        return Some("PEM private key");
    }
    if url_password(text).is_some() {
        return Some("password in a connection URL");
    }
    let token_chars =
        |s: &str, min: usize, f: fn(char) -> bool| s.chars().take_while(|c| f(*c)).count() >= min;
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let upper_digit = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    let slack = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let github_pat = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (at, _) in text.char_indices() {
        let rest = &text[at..];
        let word_start = at == 0 || !text[..at].ends_with(|c: char| c.is_ascii_alphanumeric());
        if !word_start {
            continue;
        }
        if let Some(tail) = rest
            .strip_prefix("AKIA")
            .or_else(|| rest.strip_prefix("ASIA"))
            && tail.chars().take_while(|c| upper_digit(*c)).count() == 16
        {
            return Some("AWS access key id");
        }
        for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            if let Some(tail) = rest.strip_prefix(prefix)
                && token_chars(tail, 36, alnum)
            {
                return Some("GitHub token");
            }
        }
        if let Some(tail) = rest.strip_prefix("github_pat_")
            && token_chars(tail, 40, github_pat)
        {
            return Some("GitHub token");
        }
        if rest.len() > 5
            && rest.starts_with("xox")
            && matches!(rest.as_bytes()[3], b'a' | b'b' | b'p' | b'r' | b's')
            && rest.as_bytes()[4] == b'-'
            && token_chars(&rest[5..], 10, slack)
        {
            return Some("Slack token");
        }
        for prefix in ["sk_live_", "rk_live_"] {
            if let Some(tail) = rest.strip_prefix(prefix)
                && token_chars(tail, 20, alnum)
            {
                return Some("Stripe live key");
            }
        }
    }
    None
}

/// The password of a `scheme://user:password@host` URL in `text`, when it is a real one: not
/// empty, not a template (`{password}`, `${DB_PASSWORD}`, `%s`) and not a placeholder.
fn url_password(text: &str) -> Option<&str> {
    let after_scheme = &text[text.find("://")? + 3..];
    let authority = after_scheme.split(['/', '?', '#']).next()?;
    let (userinfo, _host) = authority.rsplit_once('@')?;
    let (_user, password) = userinfo.split_once(':')?;
    let lower = password.to_lowercase();
    let placeholder = password.len() < 6
        || password.contains(['{', '$', '%', '<', '*'])
        || PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || matches!(
            lower.as_str(),
            "password" | "passwd" | "secret" | "postgres" | "root"
        );
    (!placeholder).then_some(password)
}

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        hits: Vec::new(),
        seen: HashSet::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
    /// Literals already reported, by position.
    seen: HashSet<(u32, u32)>,
}

impl Visitor {
    fn named(&mut self, name: &str, value: &Expr) {
        if !is_secret_name(name) {
            return;
        }
        let Some((text, span)) = literal_text(value) else {
            return;
        };
        if looks_random(&text, is_password_name(name)) {
            let hit = Hit::at(span, format!("`{name}` is set from a literal"));
            if self.seen.insert((hit.line, hit.column)) {
                self.hits.push(hit);
            }
        }
    }
}

/// The text and span of a string or byte-string literal (also through `.as_bytes()`,
/// `.to_string()`, `String::from(…)`).
fn literal_text(expr: &Expr) -> Option<(String, proc_macro2::Span)> {
    match ast::peel(expr) {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some((s.value(), s.span())),
            Lit::ByteStr(b) => Some((String::from_utf8_lossy(&b.value()).into_owned(), b.span())),
            _ => None,
        },
        Expr::MethodCall(m) if m.args.is_empty() => literal_text(&m.receiver),
        Expr::Call(c) if c.args.len() == 1 => literal_text(&c.args[0]),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.named(&item.ident.to_string(), &item.expr);
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.named(&item.ident.to_string(), &item.expr);
        syn::visit::visit_item_static(self, item);
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        self.named(&item.ident.to_string(), &item.expr);
        syn::visit::visit_impl_item_const(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            let mut names = Vec::new();
            ast::pattern_bindings(&local.pat, &mut names);
            if let [name] = names.as_slice() {
                self.named(name, &init.expr);
            }
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_field_value(&mut self, field: &'ast syn::FieldValue) {
        if let syn::Member::Named(ident) = &field.member {
            self.named(&ident.to_string(), &field.expr);
        }
        syn::visit::visit_field_value(self, field);
    }

    fn visit_expr_assign(&mut self, assign: &'ast syn::ExprAssign) {
        if let Some(name) = ast::value_name(&assign.left) {
            self.named(&name, &assign.right);
        }
        syn::visit::visit_expr_assign(self, assign);
    }

    fn visit_expr_lit(&mut self, lit: &'ast ExprLit) {
        if let Some((text, span)) = literal_text(&Expr::Lit(lit.clone()))
            && let Some(format) = known_format(&text)
        {
            let hit = Hit::at(span, format!("{format} in a string literal"));
            if self.seen.insert((hit.line, hit.column)) {
                self.hits.push(hit);
            }
        }
        syn::visit::visit_expr_lit(self, lit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "API_KEY",
            "apiKey",
            "client_secret",
            "db_password",
            "auth_token",
            "PRIVATE_KEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "TOKEN_HEADER",
            "password_env",
            "token_kind",
            "key",
            "monkey",
            "secret_path",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn known_formats() {
        assert_eq!(
            known_format("AKIAIOSFODNN7EXAMPLE"),
            Some("AWS access key id")
        );
        assert_eq!(known_format("x AKIAIOSFODNN7EXAMPL"), None);
        assert_eq!(
            known_format("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
            Some("GitHub token")
        );
        assert_eq!(known_format("xoxb-1234567890-abcdef"), Some("Slack token"));
        assert_eq!(
            known_format("-----BEGIN RSA PRIVATE KEY-----\n"),
            Some("PEM private key")
        );
        assert_eq!(known_format("-----BEGIN PUBLIC KEY-----"), None);
        assert_eq!(
            known_format("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            Some("Stripe live key")
        );
        assert_eq!(known_format("sk_test_4eC39HqLyjWDarjtT1zdp7dc"), None);
        assert_eq!(
            known_format("postgres://admin:Zq8vR2kLm4Tn@db:5432/app"),
            Some("password in a connection URL")
        );
        for safe in [
            "postgres://reader@replica/app",
            "postgres://reader:{password}@{host}/app",
            "redis://:${REDIS_PASSWORD}@cache:6379",
            "postgres://postgres:postgres@localhost/test",
            "https://example.com/a:b@c",
        ] {
            assert_eq!(known_format(safe), None, "{safe}");
        }
    }
}
