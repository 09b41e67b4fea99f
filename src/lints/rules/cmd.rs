//! SG-CMD-001 — shell command line built from a dynamic string.
//!
//! **What**: `Command::new(<shell>)` (std or tokio; `sh`, `bash`, `zsh`, `dash`, `/bin/sh`, `cmd`,
//! `cmd.exe`, `powershell`, `pwsh`) given `-c` / `/C` / `-Command` and then an argument that is not
//! a literal (`format!`, a variable, a concatenation), in one builder chain. The resolution layer
//! makes a builder kept in a local across statements (`let mut cmd = Command::new("sh");
//! cmd.arg("-c"); …`) and a program or flag held in locals (`let (program, flag) = …`) one chain.
//!
//! **Why**: the shell parses the whole string, so data containing `;`, `&&`, `$(…)` or a newline
//! runs commands of the attacker's choosing (CWE-78).
//!
//! **Example**: `Command::new("sh").arg("-c").arg(format!("ping -c 1 {host}"))`
//!
//! **Fix**: run the program directly with each value as its own argument
//! (`Command::new("ping").args(["-c", "1", &host])`), after validating it.

use syn::visit::Visit;
use syn::{Expr, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-CMD-001",
    cwe: &["CWE-78"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "shell command line built from a dynamic string",
    why: "The shell interprets the whole string, so any `;`, `&&`, `$(…)` or newline in the data \
          runs further commands.",
    fix: "Run the program directly and pass each value as its own `.arg()`, after validating it.",
    flags: "`Command::new(<shell>)` with `-c`/`/C` and a non-literal argument (chain or local)",
    severity_note: "",
    check,
};

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
];
const COMMAND_FLAGS: &[&str] = &["-c", "/c", "/C", "-Command", "-command", "-lc", "-ec"];

/// The shell a `Command::new(…)` call starts, if it starts one.
fn shell_of(src: &SourceFile<'_>, expr: &Expr) -> Option<String> {
    let Expr::Call(call) = ast::peel(expr) else {
        return None;
    };
    let path = ast::call_path(expr)?;
    if !ast::ends_with(&src.names.resolve(path), &["Command", "new"]) {
        return None;
    }
    let program = ast::str_lit(call.args.first()?)?;
    let base = program.rsplit(['/', '\\']).next().unwrap_or(&program);
    SHELLS.contains(&base).then_some(program)
}

/// Arguments given through `.arg(x)` / `.args([…])` in a chain, in order.
fn chain_args<'a>(calls: &[&'a ExprMethodCall]) -> Vec<&'a Expr> {
    let mut args = Vec::new();
    for call in calls {
        match ast::method(call).as_str() {
            "arg" => args.extend(call.args.first()),
            "args" => match call.args.first().map(ast::peel) {
                Some(Expr::Array(a)) => args.extend(a.elems.iter()),
                Some(Expr::Macro(m)) if ast::macro_name(&m.mac) == "vec" => {
                    // `vec![...]` arguments: keep the macro itself, it is not a literal.
                    args.extend(call.args.first());
                }
                Some(other) => args.push(other),
                None => {}
            },
            _ => {}
        }
    }
    args
}

/// What one shell argument is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    /// `-c`, `/C`, `-Command`.
    Flag,
    Static,
    Dynamic,
}

fn classify(args: &[&Expr]) -> Vec<Arg> {
    args.iter()
        .map(|a| {
            if ast::str_lit(a).is_some_and(|s| COMMAND_FLAGS.contains(&s.as_str())) {
                Arg::Flag
            } else if is_static(a) {
                Arg::Static
            } else {
                Arg::Dynamic
            }
        })
        .collect()
}

/// True if a command flag is followed, later, by a non-literal argument.
fn dynamic_after_flag(args: &[Arg]) -> bool {
    args.iter()
        .position(|a| *a == Arg::Flag)
        .is_some_and(|flag| args[flag + 1..].contains(&Arg::Dynamic))
}

/// A string literal or an upper-case constant.
fn is_static(expr: &Expr) -> bool {
    if ast::str_lit(expr).is_some() {
        return true;
    }
    matches!(ast::peel(expr), Expr::Path(p) if p.path.segments.last().is_some_and(|s| {
        let name = s.ident.to_string();
        name.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    }))
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

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let (root, calls) = ast::method_chain(call);
        if let Some(shell) = shell_of(self.src, root)
            && dynamic_after_flag(&classify(&chain_args(&calls)))
        {
            self.hits.push(Hit::at(
                syn::spanned::Spanned::span(ast::peel(root)),
                format!("`Command::new(\"{shell}\")` runs a command line built at run time"),
            ));
        }
        for call in &calls {
            for arg in &call.args {
                self.visit_expr(arg);
            }
        }
        self.visit_expr(root);
    }
}
