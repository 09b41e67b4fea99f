//! SG-SSH-001 — SSH client accepts any server host key.
//!
//! **What**: in an `impl … Handler for …` (russh, thrussh), a `check_server_key` whose body
//! never reads the key parameter and returns `true` (`Ok(true)`, `Ok((self, true))`,
//! `ready(Ok((self, true)))`).
//!
//! **Why**: without host key checking, a machine in the middle answers as the server and
//! receives the credentials and every command (CWE-322).
//!
//! **Example**: `async fn check_server_key(&mut self, _key: &PublicKey) -> Result<bool, Error> {
//! Ok(true) }`
//!
//! **Fix**: compare the key with a pinned fingerprint or a `known_hosts` entry
//! (`russh::keys::check_known_hosts`) and return `false` on mismatch.

use syn::visit::Visit;
use syn::{ImplItem, ItemImpl};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-SSH-001",
    cwe: &["CWE-322"],
    severity: Severity::High,
    confidence: Confidence::High,
    message: "SSH server host key not checked",
    why: "Without host key checking a machine in the middle can answer as the server and \
          receive credentials and commands.",
    fix: "Check the key against a pinned fingerprint or known_hosts and return false on a \
          mismatch.",
    flags: "russh/thrussh `check_server_key` that returns true without reading the key",
    severity_note: "",
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

impl<'ast> Visit<'ast> for Visitor {
    crate::lints::ast::lint_visit_common!();

    fn visit_item_impl(&mut self, item: &'ast ItemImpl) {
        let is_handler = item
            .trait_
            .as_ref()
            .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Handler"));
        if is_handler {
            for impl_item in &item.items {
                let ImplItem::Fn(f) = impl_item else {
                    continue;
                };
                if f.sig.ident != "check_server_key" {
                    continue;
                }
                let mut params = Vec::new();
                for input in &f.sig.inputs {
                    if let syn::FnArg::Typed(t) = input {
                        ast::pattern_bindings(&t.pat, &mut params);
                    }
                }
                let body = quote::ToTokens::to_token_stream(&f.block);
                let used = ast::mentioned_idents(body.clone());
                let reads_key = params
                    .iter()
                    .any(|p| !p.starts_with('_') && used.contains(p));
                if !reads_key && used.contains("true") {
                    self.hits.push(Hit::at(
                        f.sig.ident.span(),
                        "`check_server_key` returns true without looking at the key",
                    ));
                }
            }
        }
        syn::visit::visit_item_impl(self, item);
    }
}
