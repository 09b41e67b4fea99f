//! Macro arguments as the rules read them: the arguments of `format!`-style, `log` and `tracing`
//! macros rewritten into plain comma-separated expressions.
//!
//! - `{name}` captured inside a format string becomes an argument of its own (`name`, with the
//!   string's span), so a rule that follows values sees it like a positional argument;
//! - tracing's `target: "x"` / `parent: span` become `target = "x"`, its key-values
//!   `user.token = %token`, `?request` lose their `%`/`?` sigils (`user.token = token`);
//! - positional (`{0}`, `{}`) and named (`name = value`) arguments are already expressions.
//!
//! The body is rewritten in place only when the result parses as expressions; other macros are
//! left as written. [`visit_args_mut`] lets the other passes rewrite the arguments of any macro
//! whose body is a list of expressions.

use proc_macro2::{Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Token};

use crate::lints::ast;

/// Macros whose string arguments are format strings.
const FORMAT_MACROS: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "unreachable",
    "todo",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "anyhow",
    "bail",
    "ensure",
    "eyre",
    "context",
];

/// `log` and `tracing` macros: format strings plus `target:` and key-value fields.
pub const LOG_MACROS: &[&str] = &[
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "log",
    "event",
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

/// Rewrites the body of a format-like or logging macro into plain expressions (see the module
/// documentation). Returns true if the macro is one of those and its body now parses.
pub fn normalize(mac: &mut Macro) -> bool {
    let name = ast::macro_name(mac);
    let is_log = LOG_MACROS.contains(&name.as_str());
    if !is_log && !FORMAT_MACROS.contains(&name.as_str()) {
        return false;
    }
    let mut parts: Vec<TokenStream> = split_commas(mac.tokens.clone());
    if is_log {
        for part in &mut parts {
            *part = plain_field(part.clone());
        }
    }
    let mut captures: Vec<TokenStream> = Vec::new();
    for part in &parts {
        if let Ok(syn::Lit::Str(s)) = syn::parse2::<syn::Lit>(part.clone()) {
            for name in ast::format_captures(&s.value()) {
                let ident = syn::Ident::new(&name, s.span());
                captures.push(ident.into_token_stream());
            }
        }
    }
    parts.extend(captures);
    let mut tokens = TokenStream::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            <Token![,]>::default().to_tokens(&mut tokens);
        }
        tokens.extend(part);
    }
    if Punctuated::<Expr, Token![,]>::parse_terminated
        .parse2_helper(tokens.clone())
        .is_some()
    {
        mac.tokens = tokens;
        true
    } else {
        false
    }
}

/// `target: x` → `target = x`; `key = %v` / `key = ?v` → `key = v`; `%v` / `?v` → `v`.
fn plain_field(part: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = part.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let tree = &trees[i];
        match tree {
            // `name:` (not `::`) right after a leading identifier.
            TokenTree::Punct(p)
                if p.as_char() == ':'
                    && p.spacing() == Spacing::Alone
                    && i == 1
                    && matches!(trees[0], TokenTree::Ident(_))
                    && !matches!(out.last(), Some(TokenTree::Punct(q)) if q.as_char() == ':') =>
            {
                let mut eq = proc_macro2::Punct::new('=', Spacing::Alone);
                eq.set_span(p.span());
                out.push(TokenTree::Punct(eq));
            }
            // A sigil at the start of the value: after `=` or at the start of the part.
            TokenTree::Punct(p)
                if matches!(p.as_char(), '%' | '?')
                    && (i == 0
                        || matches!(out.last(), Some(TokenTree::Punct(q)) if q.as_char() == '=')) =>
                {}
            _ => out.push(tree.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// The top-level comma-separated parts of `tokens`.
fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut parts = Vec::new();
    let mut current = TokenStream::new();
    // Commas inside `<…>` (generic arguments) do not separate arguments.
    let mut angle = 0i32;
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' && angle <= 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '<' => angle += 1,
            TokenTree::Punct(p) if p.as_char() == '>' && angle > 0 => angle -= 1,
            _ => {}
        }
        current.extend(std::iter::once(tree));
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

trait ParseHelper {
    fn parse2_helper(self, tokens: TokenStream) -> Option<Punctuated<Expr, Token![,]>>;
}

impl<F> ParseHelper for F
where
    F: syn::parse::Parser<Output = Punctuated<Expr, Token![,]>>,
{
    fn parse2_helper(self, tokens: TokenStream) -> Option<Punctuated<Expr, Token![,]>> {
        self.parse2(tokens).ok()
    }
}

/// Runs `f` on every argument of `mac` when its body is a list of expressions, and writes the
/// rewritten arguments back. Bodies in brackets or braces (`vec![…]`) keep their delimiters.
pub fn visit_args_mut(mac: &mut Macro, mut f: impl FnMut(&mut Expr)) {
    let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
    let Some(mut args) = parser.parse2_helper(mac.tokens.clone()) else {
        return;
    };
    for arg in args.iter_mut() {
        f(arg);
    }
    mac.tokens = args.into_token_stream();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> String {
        let mut mac: Macro = syn::parse_str(text).unwrap();
        normalize(&mut mac);
        mac.tokens.to_string()
    }

    #[test]
    fn captures_become_arguments() {
        assert_eq!(
            normalized(r#"format!("SELECT {col} FROM t WHERE id = {}", id)"#),
            r#""SELECT {col} FROM t WHERE id = {}" , id , col"#
        );
        assert_eq!(normalized(r#"println!("{{literal}}")"#), r#""{{literal}}""#);
    }

    #[test]
    fn tracing_fields_become_assignments() {
        assert_eq!(
            normalized(r#"info!(target: "auth", user.token = %token, ?req, "login {name}")"#),
            r#"target = "auth" , user . token = token , req , "login {name}" , name"#
        );
    }

    #[test]
    fn other_macros_are_left_alone() {
        assert_eq!(normalized(r#"vec!["{x}"]"#), r#""{x}""#);
    }
}
