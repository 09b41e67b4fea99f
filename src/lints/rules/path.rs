//! SG-PATH-001 — request-controlled path reaches the filesystem; zip entry names used as paths.
//!
//! **What**: in an axum or actix-web handler (a function with a `Path`, `Query`, `Json` or `Form`
//! extractor parameter), a value bound from the extractor — directly, in a `format!`, joined onto
//! a base with `Path::join`, or through a local built from it — passed to `File::open`/`create`, `fs::read*`, `fs::write`, `remove_*`,
//! `read_dir`, `create_dir_all`, `copy`, `rename`, `OpenOptions::open`, `ServeFile::new`,
//! `NamedFile::open` (std and tokio), unless the function both `canonicalize`s and checks
//! `starts_with`, or takes only the `file_name()` of the value. Also, in a file that uses the
//! `zip` crate, `ZipFile::name()` (instead of `enclosed_name()`) flowing into such a call or a
//! `join`.
//!
//! **Why**: `../` segments or an absolute path in the request (or in an archive entry: zip slip)
//! read or overwrite files outside the intended directory (CWE-22).
//!
//! **Example**: `async fn get(Path(name): Path<String>) -> … { tokio::fs::read(format!("files/{name}")).await }`
//!
//! **Fix**: reject names with separators or `..`, or canonicalize the joined path and check it
//! `starts_with` the base directory; for archives use `enclosed_name()`.

use syn::visit::Visit;
use syn::{Expr, Signature};

use super::taint::RequestTaint;
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-PATH-001",
    cwe: &["CWE-22"],
    severity: Severity::High,
    confidence: Confidence::Medium,
    message: "path from untrusted input reaches the filesystem",
    why: "`../` segments or an absolute path in a request or archive entry reach files outside \
          the intended directory.",
    fix: "Reject separators and `..`, or canonicalize the joined path and check it starts with \
          the base directory; use `enclosed_name()` for zip entries.",
    flags: "`Path`/`Query`/`Json`/`Form` extractor values (directly, in `format!`, through `join` or a local) reaching `File::open`, `fs::*` (`remove_file`, `remove_dir_all`, `rename`, …), `ServeFile::new`, … without `canonicalize` + `starts_with`; zip entry `name()` used as a path",
    severity_note: "",
    check,
};

/// Call paths (resolved, by suffix) that open, read, write or remove by path.
const SINK_PATHS: &[&[&str]] = &[
    &["File", "open"],
    &["File", "create"],
    &["File", "create_new"],
    &["fs", "read"],
    &["fs", "read_to_string"],
    &["fs", "read_dir"],
    &["fs", "write"],
    &["fs", "remove_file"],
    &["fs", "remove_dir"],
    &["fs", "remove_dir_all"],
    &["fs", "create_dir_all"],
    &["fs", "create_dir"],
    &["fs", "copy"],
    &["fs", "rename"],
    &["fs", "metadata"],
    &["ServeFile", "new"],
    &["ServeDir", "new"],
    &["NamedFile", "open"],
    &["NamedFile", "open_async"],
];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        tainted: RequestTaint::default(),
        zip: uses_zip(src),
        hits: Vec::new(),
        joins_reaching_sinks: Vec::new(),
    };
    v.visit_file(src.syntax);
    // One finding per flow: a zip entry's `join` whose result reaches a sink is reported there.
    let covered = v.joins_reaching_sinks;
    v.hits
        .retain(|h| !(h.detail.starts_with("`.join()`") && covered.contains(&(h.line, h.column))));
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    /// Request data in the handler being visited.
    tainted: RequestTaint,
    /// The file uses the `zip` crate.
    zip: bool,
    hits: Vec<Hit>,
    /// Where `.join(…)` calls inside a sink's arguments are (a local's value keeps its span).
    joins_reaching_sinks: Vec<(u32, u32)>,
}

/// True if the file names the `zip` crate or its archive types.
fn uses_zip(src: &SourceFile<'_>) -> bool {
    src.names.uses_crate("zip") || {
        let idents = ast::mentioned_idents(quote::ToTokens::to_token_stream(src.syntax));
        ["zip", "ZipArchive", "ZipFile"]
            .iter()
            .any(|i| idents.contains(*i))
    }
}

fn body_sanitizes(block: &syn::Block) -> bool {
    let idents = ast::mentioned_idents(quote::ToTokens::to_token_stream(block));
    idents.contains("canonicalize") && idents.contains("starts_with")
}

impl Visitor<'_> {
    fn handler(&mut self, sig: &Signature, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.tainted);
        if !body_sanitizes(block) {
            self.tainted = RequestTaint::of_handler(sig, &["Path", "Query", "Json", "Form"]);
        }
        visit(self);
        self.tainted = outer;
    }

    /// Whether a `let` of this value carries request data on to the names it binds.
    fn taints(&self, value: &Expr) -> bool {
        self.carries_taint(value)
    }

    /// True if `expr` carries request data (or, in a zip-using file, an entry's raw name).
    fn carries_taint(&self, expr: &Expr) -> bool {
        let idents = ast::expr_idents(expr);
        if idents.contains("file_name") || idents.contains("enclosed_name") {
            return false;
        }
        self.tainted.carries(expr) || (self.zip && calls_name(expr))
    }

    fn is_sink(&self, call: &syn::ExprCall) -> Option<String> {
        let path = ast::func_path(call)?;
        let resolved = self.src.names.resolve(path);
        SINK_PATHS
            .iter()
            .find(|s| ast::ends_with(&resolved, s))
            .map(|s| s.join("::"))
    }
}

/// True if `expr` calls `.name()` (a `ZipFile`'s raw entry name) somewhere.
fn calls_name(expr: &Expr) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.0 |= call.method == "name" && call.args.is_empty();
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(false);
    find.visit_expr(expr);
    find.0
}

/// Where the `.join(…)` calls inside `expr` are.
fn join_positions(expr: &Expr) -> Vec<(u32, u32)> {
    struct Find(Vec<(u32, u32)>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if call.method == "join" {
                self.0.push(ast::line_col(call.method.span()));
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(Vec::new());
    find.visit_expr(expr);
    find.0
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    super::taint::request_taint_visits!();

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(sink) = self.is_sink(call)
            && call.args.iter().any(|a| self.carries_taint(a))
        {
            self.hits.push(Hit::at(
                syn::spanned::Spanned::span(&call.func),
                format!("`{sink}` is given a path from untrusted input"),
            ));
            for arg in &call.args {
                self.joins_reaching_sinks.extend(join_positions(arg));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `OpenOptions::new().write(true).open(p)`, and `base.join(entry.name())` for zip slip.
        let name = ast::method(call);
        let opens = name == "open"
            && matches!(ast::method_chain(call).0, Expr::Call(c) if ast::func_path(c).is_some_and(|p| p.segments.last().is_some_and(|s| s.ident == "new")));
        let zip_join = self.zip && name == "join" && call.args.first().is_some_and(calls_name);
        if (opens && call.args.iter().any(|a| self.carries_taint(a))) || zip_join {
            self.hits.push(Hit::at(
                call.method.span(),
                format!("`.{name}()` is given a path from untrusted input"),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
