//! SG-PWHASH-001 — a password hashed with a fast hash.
//!
//! **What**: a general-purpose hash — MD5, SHA-1, SHA-2, SHA-3, BLAKE2/BLAKE3 (RustCrypto types,
//! the `md5`, `sha1`, `sha256`, `blake3` crates, ring `digest::digest`, openssl `hash`) — given a
//! value named like a password (`password`, `passwd`, `pwd`, `passphrase`; not `password_reset_token`
//! or `password_hash`), directly, in a `format!` (salted or not), or through a hasher kept in a
//! local (`let mut h = Sha256::new(); h.update(password)`). Names are read after the resolution
//! layer, so aliases, renamed crates and locals count.
//!
//! **Why**: these hashes are built to be fast: a GPU tries billions of guesses a second against a
//! leaked table, salt or no salt (CWE-916). Password storage needs a deliberately slow,
//! memory-hard function.
//!
//! **Example**: `let stored = hex::encode(Sha256::digest(format!("{salt}{password}")));`
//!
//! **Fix**: `argon2::Argon2::default().hash_password(password.as_bytes(), &salt)` (or scrypt,
//! bcrypt, PBKDF2 with a high iteration count); verify with the same crate.
//!
//! Names only: a hash of a value named otherwise is not seen (SG-HASH-001 still reports MD5 and
//! SHA-1 there), and a "password" that is really a random API token is reported anyway.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-PWHASH-001",
    cwe: &["CWE-916"],
    severity: Severity::High,
    confidence: Confidence::Medium,
    message: "password hashed with a fast hash",
    why: "General-purpose hashes are built for speed, so a leaked table of them is brute-forced \
          at billions of guesses a second, salted or not.",
    fix: "Hash passwords with Argon2id (the `argon2` crate), scrypt or bcrypt, and verify with \
          the same crate.",
    flags: "MD5, SHA-1, SHA-2, SHA-3, BLAKE2/3 (`Sha256::digest`, `md5::compute`, a hasher's `update`, ring `digest`, openssl `hash`) over a password-named value (directly, in `format!`, through a local)",
    severity_note: "",
    check,
};

/// Hash types whose associated functions (`digest`, `new`) and hashers are fast.
const FAST_TYPES: &[&str] = &[
    "Md5",
    "Md4",
    "Sha1",
    "Sha224",
    "Sha256",
    "Sha384",
    "Sha512",
    "Sha512_224",
    "Sha512_256",
    "Sha3_224",
    "Sha3_256",
    "Sha3_384",
    "Sha3_512",
    "Keccak256",
    "Keccak512",
    "Blake2b",
    "Blake2s",
    "Blake2b512",
    "Blake2s256",
    "Ripemd160",
];

/// Crates whose free functions hash fast (`md5::compute`, `blake3::hash`, `sha256::digest`).
const FAST_CRATES: &[&str] = &["md5", "sha1", "sha1_smol", "sha256", "blake3"];

/// Methods that feed a hasher.
const FEED: &[&str] = &["update", "chain_update", "chain", "input", "write"];

fn is_fast_hash_path(path: &[String]) -> bool {
    let n = path.len();
    if n >= 2 && FAST_TYPES.contains(&path[n - 2].as_str()) {
        return true;
    }
    if n == 2 && FAST_CRATES.contains(&path[0].as_str()) {
        return true;
    }
    // ring `digest::digest(&SHA256, …)`, openssl `hash::hash(MessageDigest::sha256(), …)`.
    (path.iter().any(|s| s == "ring") && path.last().is_some_and(|l| l == "digest"))
        || (path.first().is_some_and(|c| c == "openssl")
            && path.last().is_some_and(|l| l == "hash"))
}

const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pwd", "passphrase"];

/// Last words that make a password-like name mean something that is not the password itself.
const NOT_THE_PASSWORD: &[&str] = &[
    "token", "id", "len", "length", "hash", "hashed", "digest", "salt", "policy", "field", "name",
    "hint", "url", "path", "env", "var", "reset", "expiry", "attempts", "count",
];

fn is_password_name(name: &str) -> bool {
    let words = ast::words(name);
    words.iter().any(|w| PASSWORD_WORDS.contains(&w.as_str()))
        && !words
            .last()
            .is_some_and(|w| NOT_THE_PASSWORD.contains(&w.as_str()))
}

/// The password-named value `expr` hashes, if any: its own name, a local's, or one inside a
/// `format!`/concatenation.
fn password_in(expr: &Expr) -> Option<String> {
    if let Some(name) = ast::value_names(expr)
        .into_iter()
        .find(|n| is_password_name(n))
    {
        return Some(name);
    }
    match ast::peel(expr) {
        Expr::Macro(m) if ast::macro_name(&m.mac) == "format" => ast::macro_args(&m.mac)?
            .iter()
            .skip(1)
            .find_map(password_in),
        Expr::Binary(b) => password_in(&b.left).or_else(|| password_in(&b.right)),
        Expr::MethodCall(m) => password_in(&m.receiver),
        Expr::Array(a) => a.elems.iter().find_map(password_in),
        _ => None,
    }
}

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
    /// True if `expr` (a method chain's root) makes a fast hasher (`Sha256::new()`).
    fn is_fast_hasher(&self, expr: &Expr) -> bool {
        match ast::peel(expr) {
            Expr::Call(c) => {
                ast::func_path(c).is_some_and(|p| is_fast_hash_path(&self.src.names.resolve(p)))
            }
            _ => false,
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            if is_fast_hash_path(&path)
                && let Some(name) = call.args.iter().find_map(password_in)
            {
                self.hits.push(Hit::at_path(
                    p,
                    format!("`{}` over `{name}`", path.join("::")),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        if FEED.contains(&method.as_str())
            && self.is_fast_hasher(ast::method_chain(call).0)
            && let Some(name) = call.args.iter().find_map(password_in)
        {
            self.hits.push(Hit::at(
                call.method.span(),
                format!("a fast hasher's `{method}` over `{name}`"),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_names() {
        for name in [
            "password",
            "new_password",
            "userPassword",
            "PASSWD",
            "pwd",
            "passphrase",
        ] {
            assert!(is_password_name(name), "{name}");
        }
        for name in [
            "password_reset_token",
            "password_hash",
            "password_len",
            "passport",
        ] {
            assert!(!is_password_name(name), "{name}");
        }
    }
}
