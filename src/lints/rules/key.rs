//! SG-KEY-001 — hard-coded key, IV, nonce or salt.
//!
//! **What**: a literal (byte string, string, `.as_bytes()` of one, array of numbers, `[0u8; 32]`)
//! passed to a key constructor: `Key::from_slice`, `Key::from`, `Nonce::from_slice`,
//! `Iv::from_slice`, `GenericArray::from_slice`, `Hmac::new_from_slice` (any MAC type),
//! `EncodingKey::from_secret` / `DecodingKey::from_secret`, ring's `hmac::Key::new` and
//! `UnboundKey::new`, a cipher's `new_from_slice(s)`, cookie's `Key::from` / `Key::derive_from`,
//! `SaltString::from_b64`; also through a `const` / `static` of the file or a `let` of a literal.
//!
//! **Why**: a key in the source is known to everyone who has the source or the binary; they can
//! decrypt, forge MACs, sign JWTs and session cookies. A fixed nonce or IV breaks AES-GCM and
//! ChaCha20-Poly1305 outright (CWE-321, CWE-329).
//!
//! **Example**: `let mac = HmacSha256::new_from_slice(b"my-signing-key")?;`
//!
//! **Fix**: load keys at run time from a secret store; generate nonces and salts randomly per
//! message (`OsRng`, `Aead::generate_nonce`, `SaltString::generate`).

use syn::visit::Visit;
use syn::{Expr, ExprCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-KEY-001",
    cwe: &["CWE-321", "CWE-329"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "hard-coded cryptographic key, nonce or salt",
    why: "Anyone with the source or the binary knows a key written into it and can decrypt, \
          forge MACs or sign tokens; a fixed nonce or IV breaks AEAD ciphers outright.",
    fix: "Load keys at run time from a secret store and generate nonces, IVs and salts randomly \
          for each use.",
    flags: "literal keys/nonces/IVs/salts given to `Key::from_slice`, `new_from_slice`, `EncodingKey::from_secret`, `Nonce::from_slice`, `SaltString::from_b64`, … (through file constants)",
    severity_note: "",
    check,
};

/// Constructors whose name alone says "key material goes here".
const KEY_FNS: &[&str] = &[
    "new_from_slice",
    "new_from_slices",
    "from_secret",
    "from_base64_secret",
    "new_varkey",
];

/// Types whose `from_slice` / `from` / `new` / `derive_from` / `from_bytes` take key material.
const KEY_TYPES: &[&str] = &[
    "Key",
    "Nonce",
    "Iv",
    "IV",
    "XNonce",
    "GenericArray",
    "UnboundKey",
    "LessSafeKey",
    "SigningKey",
    "SecretKey",
    "StaticSecret",
    "SaltString",
    "Salt",
    "Aes128Gcm",
    "Aes256Gcm",
    "ChaCha20Poly1305",
    "XChaCha20Poly1305",
    "Aes128",
    "Aes256",
];
const TYPE_FNS: &[&str] = &[
    "from_slice",
    "from",
    "new",
    "derive_from",
    "from_bytes",
    "from_b64",
    "from_master",
    "clone_from_slice",
];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        hits: Vec::new(),
    };
    v.visit_file(src.syntax);
    v.hits
}

/// A literal that can be key material: a (byte) string of 8+ bytes, `"…".as_bytes()`, an array
/// of 8+ numbers or `[n; 8+]`.
fn is_literal_material(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => s.value().len() >= 8,
            syn::Lit::ByteStr(b) => b.value().len() >= 8,
            _ => false,
        },
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    ast::method(m).as_str(),
                    "as_bytes" | "as_ref" | "into" | "to_vec"
                ) =>
        {
            is_literal_material(&m.receiver)
        }
        Expr::Array(a) => a.elems.len() >= 8 && a.elems.iter().all(ast::is_constant_literal),
        Expr::Repeat(r) => {
            ast::int_lit(&r.len).is_some_and(|n| n >= 8) && ast::is_constant_literal(&r.expr)
        }
        Expr::Call(c) if c.args.len() == 1 => {
            // `GenericArray::from([..])`, `Box::new(*b"..")`
            is_literal_material(&c.args[0])
        }
        _ => false,
    }
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    hits: Vec<Hit>,
}

impl Visitor<'_> {
    /// Key material written in the source: a literal, or a constant or local the resolution
    /// layer replaced by its literal.
    fn is_material(&self, expr: &Expr) -> bool {
        is_literal_material(expr)
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Expr::Path(p) = ast::peel(&call.func) {
            let path = self.src.names.resolve(&p.path);
            let n = path.len();
            let last = path.last().map(String::as_str).unwrap_or_default();
            let owner = if n >= 2 { path[n - 2].as_str() } else { "" };
            let ring_hmac = owner == "Key" && path.iter().any(|s| s == "hmac");
            let key_call = KEY_FNS.contains(&last)
                || (KEY_TYPES.contains(&owner) && TYPE_FNS.contains(&last))
                || ring_hmac;
            if key_call && call.args.iter().any(|a| self.is_material(a)) {
                self.hits.push(Hit::at_path(
                    &p.path,
                    format!("`{owner}::{last}` is given a literal"),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}
