//! SG-RSA-001 — an RSA key generated with fewer than 2048 bits.
//!
//! **What**: a key size below 2048 given as an integer literal, or as a `const`/`static` of the
//! file, to the `rsa` crate's `RsaPrivateKey::new` / `new_with_exp` (second argument) or
//! openssl's `Rsa::generate` / `generate_with_e` (first argument).
//!
//! **Why**: 1024-bit RSA is within reach of well-funded attackers and 512-bit keys have been
//! factored for decades; anything signed or encrypted with such a key can be forged or read
//! (CWE-326).
//!
//! **Example**: `let key = RsaPrivateKey::new(&mut OsRng, 1024)?;`
//!
//! **Fix**: 3072 bits for keys that must last (2048 at the least), or an elliptic-curve key
//! (Ed25519, P-256).

use syn::ExprCall;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-RSA-001",
    cwe: &["CWE-326"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "RSA key shorter than 2048 bits",
    why: "RSA keys under 2048 bits can be factored with enough computing power; signatures made \
          with them can be forged and ciphertexts read.",
    fix: "Generate at least 2048-bit (better 3072-bit) RSA keys, or use Ed25519/P-256.",
    flags: "`RsaPrivateKey::new(_with_exp)` / openssl `Rsa::generate(_with_e)` with fewer than 2048 bits (a literal or a file constant)",
    severity_note: "",
    check,
};

const MINIMUM_BITS: u64 = 2048;

/// (type, function, index of the key-size argument).
const GENERATORS: &[(&str, &str, usize)] = &[
    ("RsaPrivateKey", "new", 1),
    ("RsaPrivateKey", "new_with_exp", 1),
    ("Rsa", "generate", 0),
    ("Rsa", "generate_with_e", 0),
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

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            if let [.., owner, function] = path.as_slice()
                && let Some((_, _, index)) = GENERATORS
                    .iter()
                    .find(|(o, f, _)| o == owner && f == function)
                && let Some(bits) = call.args.iter().nth(*index).and_then(ast::int_lit)
                && bits < MINIMUM_BITS
            {
                self.hits.push(Hit::at_path(
                    p,
                    format!("`{owner}::{function}` with {bits} bits"),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}
