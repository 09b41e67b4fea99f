//! SG-HASH-001 — broken hash function or cipher.
//!
//! **What**: MD5 (`md5::compute`, `Md5::new`), SHA-1 (`Sha1::new`, `sha1_smol`), MD4,
//! RIPEMD-160, openssl `MessageDigest::md5()` / `sha1()` and `Cipher::des_*` / `rc4` / `bf_*` /
//! `*_ecb`, ring's `SHA1_FOR_LEGACY_USE_ONLY`, and the DES, 3DES, RC4, RC2 and Blowfish cipher
//! types and ECB mode of the RustCrypto crates. `use` aliases are resolved.
//!
//! **Why**: collisions for MD5 and SHA-1 are practical, and these ciphers are breakable or leak
//! patterns (ECB); a token, signature or password hash built on them can be forged or reversed
//! (CWE-327, CWE-328). A checksum that protects against nothing is fine: suppress it with a reason.
//!
//! **Example**: `let token = md5::compute(format!("session:{user}"));`
//!
//! **Fix**: SHA-256 / SHA-3 / BLAKE3 for digests, HMAC-SHA-256 for tokens, Argon2 for passwords,
//! AES-GCM or ChaCha20-Poly1305 for encryption.

use syn::ExprPath;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;

pub(super) const RULE: Rule = Rule {
    id: "SG-HASH-001",
    cwe: &["CWE-327", "CWE-328"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "broken hash function or cipher",
    why: "MD5, SHA-1, MD4 and RIPEMD-160 have practical collisions and DES, 3DES, RC4, RC2, \
          Blowfish and ECB mode are breakable; tokens, signatures or ciphertexts built on them \
          can be forged or read.",
    fix: "Use SHA-256/SHA-3/BLAKE3 (HMAC-SHA-256 for tokens, Argon2 for passwords) or an AEAD \
          cipher such as AES-GCM or ChaCha20-Poly1305.",
    flags: "MD5, MD4, SHA-1, RIPEMD-160, DES/3DES/RC4/RC2/Blowfish, ECB, openssl `MessageDigest::md5/sha1`, ring `SHA1_FOR_LEGACY_USE_ONLY`",
    severity_note: "",
    check,
};

/// Types whose associated functions (`Md5::new`, `Sha1::digest`) construct a broken primitive.
const WEAK_TYPES: &[&str] = &[
    "Md5",
    "Md4",
    "Sha1",
    "Ripemd160",
    "Des",
    "TdesEde2",
    "TdesEde3",
    "TdesEee2",
    "TdesEee3",
    "Rc4",
    "Rc2",
    "Blowfish",
];

/// Crates whose every function is a broken primitive (`md5::compute`).
const WEAK_CRATES: &[&str] = &["md5", "md4", "sha1_smol", "des", "rc4", "rc2", "blowfish"];

/// openssl `MessageDigest::…` / `Cipher::…` / `Nid::…` constructors of broken primitives.
fn is_weak_openssl(owner: &str, name: &str) -> bool {
    match owner {
        "MessageDigest" => matches!(name, "md5" | "sha1" | "md4" | "ripemd160"),
        "Cipher" => {
            name.starts_with("des_")
                || name.starts_with("bf_")
                || name.starts_with("rc4")
                || name.starts_with("rc2")
                || name.ends_with("_ecb")
        }
        _ => false,
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

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_path(&mut self, expr: &'ast ExprPath) {
        let path = self.src.names.resolve(&expr.path);
        if let Some(what) = weak(&path) {
            self.hits
                .push(Hit::at_path(&expr.path, format!("`{what}`")));
        }
        syn::visit::visit_expr_path(self, expr);
    }
}

/// The path as written if it names a broken primitive.
fn weak(path: &[String]) -> Option<String> {
    let joined = path.join("::");
    let n = path.len();
    let last = path.last()?;
    if last == "SHA1_FOR_LEGACY_USE_ONLY" {
        return Some(joined);
    }
    if n >= 2 {
        let owner = &path[n - 2];
        if WEAK_TYPES.contains(&owner.as_str()) || is_weak_openssl(owner, last) {
            return Some(joined);
        }
        if path.iter().any(|s| s == "ecb") && matches!(owner.as_str(), "Encryptor" | "Decryptor") {
            return Some(joined);
        }
        let krate = path[0].as_str();
        let lowercase_fn = last.starts_with(|c: char| c.is_ascii_lowercase());
        if WEAK_CRATES.contains(&krate) && n == 2 && lowercase_fn {
            return Some(joined);
        }
    }
    None
}
