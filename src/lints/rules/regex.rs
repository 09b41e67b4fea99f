//! SG-REGEX-001 — a regular expression built from input (regex injection, ReDoS).
//!
//! **What**: a pattern compiled by `regex` (`Regex::new`, `RegexBuilder::new`, `RegexSet::new`,
//! `bytes::Regex`), `fancy_regex` or `pcre2` that is either a request value (a handler's
//! extractor, header map or raw request; directly or through a local) or a `format!` with an
//! argument that is neither a constant nor wrapped in `regex::escape`. High with a backtracking
//! engine (`fancy_regex`, `pcre2`) or a raised `backtrack_limit`, where one crafted pattern or
//! input can run for minutes.
//!
//! **Why**: the caller writes the pattern: it matches what it should not (a filter or check that
//! always passes), and with a backtracking engine a pattern like `(a+)+$` takes exponential time
//! (CWE-1333, CWE-400). `regex` itself runs in linear time but still compiles patterns of any size.
//!
//! **Example**: `Regex::new(&format!("^{}", q.prefix))?`
//!
//! **Fix**: `regex::escape` the interpolated part (or match literally with `str::contains`), and
//! cap the pattern size (`RegexBuilder::size_limit`); avoid backtracking engines for input.

use syn::visit::Visit;
use syn::{Expr, ExprCall, Signature};

use super::taint::{REQUEST_TYPES, RequestTaint};
use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-REGEX-001",
    cwe: &["CWE-1333", "CWE-400"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "regular expression built from input",
    why: "The caller writes part of the pattern: it can match what it should not, and with a \
          backtracking engine a crafted pattern takes exponential time.",
    fix: "Escape the interpolated part with `regex::escape` (or match literally), cap the size \
          with `size_limit`, and keep backtracking engines away from input.",
    flags: "a request value, or a `format!` with an unescaped non-constant argument, compiled by `Regex::new`/`RegexBuilder::new`/`RegexSet::new` (regex, fancy_regex, pcre2)",
    severity_note: "high with `fancy_regex`, `pcre2` or a raised `backtrack_limit`",
    check,
};

const ENGINES: &[&str] = &["regex", "fancy_regex", "pcre2", "onig", "regex_lite"];
const CONSTRUCTORS: &[&str] = &["Regex", "RegexBuilder", "RegexSet", "RegexSetBuilder"];

fn check(src: &SourceFile<'_>) -> Vec<Hit> {
    let mut v = Visitor {
        src,
        tainted: RequestTaint::default(),
        hits: Vec::new(),
        backtrack_limit: false,
    };
    v.visit_file(src.syntax);
    v.hits
}

struct Visitor<'s> {
    src: &'s SourceFile<'s>,
    tainted: RequestTaint,
    hits: Vec<Hit>,
    /// The function raises a backtracking limit.
    backtrack_limit: bool,
}

/// A `format!` with an argument that is not a constant and not escaped.
fn unescaped_format(expr: &Expr) -> bool {
    let Expr::Macro(m) = ast::peel(expr) else {
        return match ast::peel(expr) {
            Expr::MethodCall(m) if m.args.is_empty() => unescaped_format(&m.receiver),
            _ => false,
        };
    };
    if ast::macro_name(&m.mac) != "format" {
        return false;
    }
    let Some(args) = ast::macro_args(&m.mac) else {
        return false;
    };
    args.iter().skip(1).any(|a| !is_constant(a) && !escaped(a))
}

fn is_constant(expr: &Expr) -> bool {
    match ast::peel(expr) {
        Expr::Lit(_) => true,
        Expr::Path(p) => p.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        }),
        _ => false,
    }
}

fn escaped(expr: &Expr) -> bool {
    ast::expr_idents(expr).contains("escape")
}

impl Visitor<'_> {
    fn handler(&mut self, sig: &Signature, block: &syn::Block, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.tainted);
        let outer_limit = self.backtrack_limit;
        self.tainted = RequestTaint::of_handler(sig, REQUEST_TYPES);
        self.backtrack_limit = ast::mentioned_idents(quote::ToTokens::to_token_stream(block))
            .contains("backtrack_limit");
        visit(self);
        self.tainted = outer;
        self.backtrack_limit = outer_limit;
    }

    /// Whether a `let` of this value carries request data on to the names it binds.
    fn taints(&self, value: &Expr) -> bool {
        self.tainted.carries(value) && !escaped(value)
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    super::taint::request_taint_visits!();

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let engine = path
                .iter()
                .find(|s| ENGINES.contains(&s.as_str()))
                .cloned()
                .unwrap_or_default();
            let constructor = matches!(path.as_slice(), [.., owner, f]
                if CONSTRUCTORS.contains(&owner.as_str()) && f == "new");
            if constructor
                && let Some(pattern) = call.args.first()
                && ((self.tainted.carries(pattern) && !escaped(pattern))
                    || unescaped_format(pattern))
            {
                let backtracking = matches!(engine.as_str(), "fancy_regex" | "pcre2" | "onig")
                    || self.backtrack_limit;
                let hit = Hit::at_path(
                    p,
                    format!("`{}` compiles a pattern built from input", path.join("::")),
                );
                self.hits.push(if backtracking {
                    hit.with_severity(Severity::High)
                } else {
                    hit
                });
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}
