//! SG-SQL-001 — SQL built from a format string or concatenation.
//!
//! **What**: the first argument of a SQL entry point — sqlx `query`, `query_as`, `query_scalar`,
//! `query_with`, `raw_sql`; rusqlite `execute`, `execute_batch`, `prepare`, `prepare_cached`,
//! `query_row`, `query_map`; postgres / tokio-postgres `query`, `query_one`, `query_opt`,
//! `execute`, `batch_execute`, `simple_query`; mysql `query_drop`, `query_first`, `exec`,
//! `exec_drop`, `exec_first`; diesel `sql_query` — is a `format!`, a `+` concatenation or a
//! `.concat()` / `.join()` whose literal text contains SQL, or SQL text grown with `push_str` /
//! `+=` from a non-literal; locals of the function read as their values (the resolution layer).
//!
//! **Why**: values spliced into SQL text can close the string and add their own SQL, reading or
//! changing any data the connection may touch (CWE-89).
//!
//! **Example**: `sqlx::query(&format!("SELECT * FROM users WHERE name = '{name}'"))`
//!
//! **Fix**: use placeholders and bind the values (`query("… WHERE name = $1").bind(name)`,
//! `params![name]`); for identifiers, pick from a fixed list.
//!
//! Interpolating only upper-case constants (`format!("SELECT * FROM {TABLE}")`) is not flagged.

use syn::visit::Visit;
use syn::{BinOp, Expr};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-SQL-001",
    cwe: &["CWE-89"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "SQL built from a dynamic string",
    why: "Values spliced into SQL text can end the literal and add their own SQL, reading or \
          changing any data the connection can reach.",
    fix: "Use placeholders and bind the values (`$1`/`?` with `.bind()` or `params![]`); choose \
          identifiers from a fixed list.",
    flags: "`format!`/`+`/`push_str`-built SQL passed to sqlx, rusqlite, postgres, mysql, diesel entry points (through locals)",
    severity_note: "",
    check,
};

const SINKS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "raw_sql",
    "execute",
    "execute_batch",
    "prepare",
    "prepare_cached",
    "query_row",
    "query_map",
    "query_one",
    "query_opt",
    "batch_execute",
    "simple_query",
    "query_drop",
    "query_first",
    "exec",
    "exec_drop",
    "exec_first",
    "sql_query",
];

const SQL_WORDS: &[&str] = &[
    "select ",
    "insert ",
    "update ",
    "delete ",
    " where ",
    " from ",
    "create ",
    "drop ",
    "alter ",
    " into ",
    " values",
    " set ",
    "pragma ",
    "truncate ",
];

fn looks_like_sql(text: &str) -> bool {
    let lower = format!(" {} ", text.to_lowercase());
    SQL_WORDS.iter().any(|w| lower.contains(w))
}

fn is_const_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// True if `expr` builds SQL text at run time from something that is not a constant.
fn dynamic_sql(expr: &Expr, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    match ast::peel(expr) {
        Expr::Macro(m) if ast::macro_name(&m.mac) == "format" => {
            let Some(args) = ast::macro_args(&m.mac) else {
                return false;
            };
            let Some(template) = args.first().and_then(ast::str_lit) else {
                return false;
            };
            // Captures are arguments too (the resolution layer appends them).
            let dynamic_arg = args.iter().skip(1).any(|a| !is_constant(a));
            looks_like_sql(&template) && dynamic_arg
        }
        Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
            let literals = literal_text(expr);
            looks_like_sql(&literals) && !all_literal(expr)
        }
        Expr::MethodCall(m) if matches!(ast::method(m).as_str(), "concat" | "join") => {
            let text = quote::ToTokens::to_token_stream(&m.receiver).to_string();
            looks_like_sql(&text) && !all_literal(&m.receiver)
        }
        // `sql.push_str(&name)` on SQL text.
        Expr::MethodCall(m) if matches!(ast::method(m).as_str(), "push_str" | "push") => {
            (looks_like_sql(&literal_text(&m.receiver)) && m.args.iter().any(|a| !all_literal(a)))
                || dynamic_sql(&m.receiver, depth + 1)
        }
        Expr::MethodCall(m) if m.args.is_empty() => dynamic_sql(&m.receiver, depth + 1),
        _ => false,
    }
}

/// A literal or an upper-case constant (a format argument that cannot carry input).
fn is_constant(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Lit(_) => true,
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| is_const_name(&s.ident.to_string())),
        _ => false,
    }
}

/// The text of the string literals in a concatenation.
fn literal_text(expr: &Expr) -> String {
    match ast::peel(expr) {
        Expr::Binary(b) => literal_text(&b.left) + " " + &literal_text(&b.right),
        Expr::MethodCall(m) => literal_text(&m.receiver),
        Expr::Call(c) => c
            .args
            .iter()
            .map(literal_text)
            .collect::<Vec<_>>()
            .join(" "),
        other => ast::str_lit(other).unwrap_or_default(),
    }
}

fn all_literal(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Binary(b) => all_literal(&b.left) && all_literal(&b.right),
        Expr::Array(a) => a.elems.iter().all(all_literal),
        Expr::MethodCall(m) if m.args.is_empty() => all_literal(&m.receiver),
        Expr::Lit(_) => true,
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| is_const_name(&s.ident.to_string())),
        _ => false,
    }
}

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor { hits: Vec::new() };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor {
    hits: Vec<Hit>,
}

impl Visitor {
    fn sink(&mut self, name: &str, first: Option<&Expr>, span: proc_macro2::Span) {
        if !SINKS.contains(&name) {
            return;
        }
        if first.is_some_and(|a| dynamic_sql(a, 0)) {
            self.hits.push(Hit::at(
                span,
                format!("`{name}` is given SQL built at run time"),
            ));
        }
    }
}

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = ast::method(call);
        self.sink(&name, call.args.first(), call.method.span());
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = ast::peel(&call.func)
            && let Some(last) = p.path.segments.last()
        {
            self.sink(
                &last.ident.to_string(),
                call.args.first(),
                last.ident.span(),
            );
        }
        syn::visit::visit_expr_call(self, call);
    }
}
