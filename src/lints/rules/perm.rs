//! SG-PERM-001 — over-permissive file mode.
//!
//! **What**: an integer literal mode given to `set_mode`, `mode` (`OpenOptionsExt`,
//! `DirBuilderExt`), `Permissions::from_mode` or `fs::set_permissions(…, from_mode(…))` that is
//! world-writable (any `0o002` bit: high severity), or grants more than `0o750` to a directory
//! (a `DirBuilder` chain or a `create_dir*` nearby) or more than `0o600` to anything else
//! (medium).
//!
//! **Why**: a world-writable file can be replaced or edited by any local user; group- or
//! world-readable files leak the secrets, keys and tokens they often hold (CWE-732).
//!
//! **Example**: `fs::set_permissions(&key_path, Permissions::from_mode(0o644))`
//!
//! **Fix**: `0o600` for files (`0o700`/`0o750` for directories); widen only what must be shared.
//!
//! A file mode of `0o644`/`0o755` is normal for public data and executables: suppress with a
//! reason where it is meant.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-PERM-001",
    cwe: &["CWE-732"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "over-permissive file mode",
    why: "World-writable files can be altered by any local user; group- or world-readable ones \
          leak the secrets they hold.",
    fix: "Use 0o600 for files and 0o700/0o750 for directories; widen only what must be shared.",
    flags: "literal modes: world-writable always, files above 0o600, directories above 0o750",
    severity_note: "high if world-writable",
    check,
};

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

impl Visitor {
    fn mode(&mut self, arg: Option<&Expr>, span: proc_macro2::Span, directory: bool) {
        let Some(mode) = arg.and_then(ast::int_lit) else {
            return;
        };
        let mode = mode & 0o7777;
        let limit = if directory { 0o750 } else { 0o600 };
        if mode & 0o002 != 0 {
            self.hits.push(
                Hit::at(span, format!("mode {mode:#o} is world-writable"))
                    .with_severity(Severity::High),
            );
        } else if mode & !limit & 0o777 != 0 {
            let what = if directory { "directory" } else { "file" };
            self.hits.push(Hit::at(
                span,
                format!("{what} mode {mode:#o} is wider than {limit:#o}"),
            ));
        }
    }
}

fn mentions_dir(expr: &Expr) -> bool {
    ast::expr_idents(expr).iter().any(|i| {
        let lower = i.to_lowercase();
        lower.contains("dir") || lower == "recursive"
    })
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let name = ast::method(call);
        if matches!(name.as_str(), "set_mode" | "mode") && call.args.len() == 1 {
            let directory = mentions_dir(&call.receiver);
            self.mode(call.args.first(), call.method.span(), directory);
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(path) = ast::func_path(call)
            && path.segments.last().is_some_and(|s| s.ident == "from_mode")
        {
            self.mode(
                call.args.first(),
                syn::spanned::Spanned::span(&call.func),
                false,
            );
        }
        syn::visit::visit_expr_call(self, call);
    }
}
