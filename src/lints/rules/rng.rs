//! SG-RNG-001 — predictable random numbers.
//!
//! **What**: `StdRng::seed_from_u64(…)` / `from_seed(…)` (and `ChaCha*Rng`, `Pcg*`, `Xoshiro*`,
//! `Isaac*`), `SmallRng` in any form, and `fastrand` / `oorandom` — seeded or non-cryptographic
//! generators — in a file that also names something secret-like (`token`, `secret`, `key`,
//! `nonce`, `salt`, `password`, `session`, `otp`). `rand::thread_rng()`, `rand::rng()` and `OsRng`
//! are never flagged.
//!
//! **Why**: a seeded or non-cryptographic generator's output can be reproduced or predicted, so
//! tokens, keys and nonces made from it can be guessed (CWE-330, CWE-338).
//!
//! **Example**: `let mut rng = StdRng::seed_from_u64(42); let token: u64 = rng.gen();`
//!
//! **Fix**: use `OsRng` or `rand::rng()` / `thread_rng()` (a CSPRNG seeded by the OS) for anything
//! secret; keep seeded generators for simulations and tests.

use syn::ExprPath;
use syn::visit::Visit;

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-RNG-001",
    cwe: &["CWE-330", "CWE-338"],
    severity: Severity::Medium,
    confidence: Confidence::Low,
    message: "predictable random number generator near secret material",
    why: "A seeded or non-cryptographic generator's output can be reproduced, so tokens, keys \
          or nonces drawn from it can be guessed.",
    fix: "Use `OsRng` or `rand::rng()` for anything secret; keep seeded generators for tests and \
          simulations.",
    flags: "`StdRng::seed_from_u64`, `SmallRng`, `fastrand`, … in a file that names secret-like things; `thread_rng()`, `rand::rng()`, `OsRng` never",
    severity_note: "",
    check,
};

const SECRET_WORDS: &[&str] = &[
    "token", "secret", "key", "nonce", "salt", "password", "session", "otp", "iv", "csrf",
];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let idents = ast::mentioned_idents(quote::ToTokens::to_token_stream(src.syntax));
    let secretish = idents.iter().any(|i| {
        ast::words(i)
            .iter()
            .any(|w| SECRET_WORDS.contains(&w.as_str()))
    });
    if !secretish {
        return Vec::new();
    }
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
        let n = path.len();
        let last = path.last().map(String::as_str).unwrap_or_default();
        let owner = if n >= 2 { path[n - 2].as_str() } else { "" };
        let seeded = matches!(last, "seed_from_u64" | "from_seed")
            && (owner.ends_with("Rng") || owner.starts_with("Xoshiro") || owner.starts_with("Pcg"));
        let weak = owner == "SmallRng"
            || matches!(
                path.first().map(String::as_str),
                Some("fastrand" | "oorandom")
            ) && n >= 2;
        if seeded || weak {
            self.hits
                .push(Hit::at_path(&expr.path, format!("`{}`", path.join("::"))));
        }
        syn::visit::visit_expr_path(self, expr);
    }
}
