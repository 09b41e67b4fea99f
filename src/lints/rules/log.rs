//! SG-LOG-001 — a secret written to a log or the terminal.
//!
//! **What**: a logging or printing macro (`trace!` … `error!`, `log!`, `event!`, `println!`,
//! `eprintln!`, `print!`, `eprint!`) whose arguments include a value with a secret-like name
//! (`password`, `token`, `api_key`, `credentials`, …, by the same test as SG-SECRET-001), as an
//! argument, a `{password}` capture in the format string, or a `token = …` field.
//!
//! **Why**: logs are kept, shipped to other systems and read by more people than the secret was
//! meant for; a token or password in them is a credential leak (CWE-532).
//!
//! **Example**: `info!("login for {user} with token {}", token);`
//!
//! **Fix**: log that a secret was present, or a fingerprint of it, never the value; wrap secrets
//! in a type whose `Debug` redacts (`secrecy::SecretString`).
//!
//! Limits: tracing's `field = %value` / `?value` syntax is not an expression, so those fields
//! are not read.

use syn::visit::Visit;
use syn::{Expr, Macro};

use super::secret::is_secret_name;
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-LOG-001",
    cwe: &["CWE-532"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "secret written to a log",
    why: "Logs are kept, shipped and read widely; a password or token in them is a leaked \
          credential.",
    fix: "Log that the secret was present (or a fingerprint), never its value; use a type whose \
          Debug output is redacted.",
    flags: "a logging/printing macro given a secret-named value (argument, `{capture}`, or `field = value`)",
    severity_note: "",
    check,
};

const LOG_MACROS: &[&str] = &[
    "trace", "debug", "info", "warn", "error", "log", "event", "println", "eprintln", "print",
    "eprint",
];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

impl Visitor {
    fn secret_arg(&mut self, arg: &Expr) {
        if let Some(name) = secret_in(arg) {
            self.hit(arg, &name);
        }
    }

    fn hit(&mut self, arg: &Expr, name: &str) {
        self.hits.push(Hit::at(
            syn::spanned::Spanned::span(arg),
            format!("`{name}`"),
        ));
    }
}

/// The secret-named value an argument writes, if any: a structured field named like a secret or
/// holding one (`token = value`), a `{capture}` of the format string, a value named like a secret
/// (or a local bound from one), or any of these inside a `format!` the argument was built with.
fn secret_in(arg: &Expr) -> Option<String> {
    match ast::peel(arg) {
        Expr::Assign(assign) => ast::value_name(&assign.left)
            .filter(|n| is_secret_name(n))
            .or_else(|| secret_in(&assign.right)),
        Expr::Lit(_) => {
            let text = ast::str_lit(arg)?;
            ast::format_captures(&text)
                .into_iter()
                .find(|n| is_secret_name(n))
        }
        Expr::Macro(m) if ast::macro_name(&m.mac) == "format" => {
            ast::macro_args(&m.mac)?.iter().find_map(secret_in)
        }
        _ => ast::value_names(arg)
            .into_iter()
            .find(|n| is_secret_name(n)),
    }
}

impl<'ast> Visit<'ast> for Visitor {
    // Like `lint_visit_common!`, with the log macros read before their arguments are visited.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_macro(&mut self, mac: &'ast Macro) {
        let Some(args) = ast::macro_args(mac) else {
            return;
        };
        if LOG_MACROS.contains(&ast::macro_name(mac).as_str()) {
            for arg in &args {
                self.secret_arg(arg);
            }
        }
        for arg in &args {
            syn::visit::Visit::visit_expr(self, arg);
        }
    }
}
