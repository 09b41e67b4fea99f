//! SG-TMP-001 — a file or directory at a fixed name in the shared temporary directory.
//!
//! **What**: `std::env::temp_dir().join("<literal>")`, and a literal path under `/tmp/` or
//! `/var/tmp/` given to `File::create`, `File::open`, `OpenOptions::open`, `fs::write`,
//! `fs::create_dir`/`create_dir_all`, `DirBuilder::create` or `temp_dir().join`.
//!
//! **Why**: every local user can write to `/tmp`. A name known in advance can be created first
//! by someone else, as a symlink to a file the program will then overwrite, or as a file the
//! program will then trust and read (CWE-377, CWE-379).
//!
//! **Example**: `std::fs::write("/tmp/app-session.json", &session)?;`
//!
//! **Fix**: use the `tempfile` crate (`tempfile()`, `NamedTempFile::new()`, `tempdir()`), which
//! creates a fresh, unpredictable name with owner-only permissions.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-TMP-001",
    cwe: &["CWE-377", "CWE-379"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "predictable name in the shared temporary directory",
    why: "Any local user can create a known name in /tmp first, as a symlink the program then \
          writes through or a file it then trusts.",
    fix: "Use the tempfile crate (`tempfile()`, `NamedTempFile::new()`, `tempdir()`).",
    flags: "`temp_dir().join(\"<literal>\")`; a literal `/tmp/…` or `/var/tmp/…` path given to `File::create/open`, `fs::write`, `create_dir*`, `OpenOptions::open`, `DirBuilder::create`",
    severity_note: "",
    check,
};

/// Functions and methods that create or open the path they are given.
const OPENERS: &[&str] = &[
    "create",
    "open",
    "write",
    "create_dir",
    "create_dir_all",
    "create_new",
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

impl Visitor<'_> {
    fn fixed_paths<'a>(&mut self, args: impl IntoIterator<Item = &'a Expr>) {
        for arg in args {
            if let Some(path) = ast::str_lit(arg)
                && (path.starts_with("/tmp/") || path.starts_with("/var/tmp/"))
            {
                self.hits.push(Hit::at(
                    syn::spanned::Spanned::span(arg),
                    format!("`{path}`"),
                ));
            }
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        let opens = ast::func_path(call)
            .and_then(|p| self.src.names.resolve(p).last().cloned())
            .is_some_and(|f| OPENERS.contains(&f.as_str()));
        if opens {
            self.fixed_paths(call.args.iter());
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        if OPENERS.contains(&method.as_str()) {
            self.fixed_paths(call.args.iter());
        }
        // `temp_dir().join("name")`
        let on_temp_dir = ast::call_path(&call.receiver)
            .map(|p| self.src.names.resolve(p))
            .is_some_and(|path| path.last().is_some_and(|f| f == "temp_dir"));
        if method == "join"
            && on_temp_dir
            && let Some(arg) = call.args.first()
            && let Some(name) = ast::str_lit(arg)
        {
            self.hits.push(Hit::at(
                syn::spanned::Spanned::span(arg),
                format!("`temp_dir().join(\"{name}\")`"),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
