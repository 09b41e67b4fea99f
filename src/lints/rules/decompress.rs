//! SG-DECOMP-001 — decompressed data read whole, without a size limit.
//!
//! **What**: a decompressing reader (flate2's `GzDecoder`/`MultiGzDecoder`/`ZlibDecoder`/
//! `DeflateDecoder`, bzip2's `BzDecoder`, xz2's `XzDecoder`, brotli's `Decompressor`, lz4/snap
//! `FrameDecoder`, zstd's `Decoder`, async-compression's `GzipDecoder`/`ZstdDecoder`/…) read to the
//! end — `read_to_end`, `read_to_string`, `io::copy` — with no `.take(limit)` in between, directly
//! or through a local; and `zstd::decode_all`, which has no limit at all.
//!
//! **Why**: a few kilobytes of compressed input can expand to gigabytes; reading it whole lets a
//! sender exhaust the server's memory or disk (a decompression bomb, CWE-409).
//!
//! **Example**: `GzDecoder::new(&body[..]).read_to_end(&mut out)?;`
//!
//! **Fix**: `decoder.take(MAX_BYTES).read_to_end(&mut out)` and treat hitting the limit as an
//! error, or `zstd::bulk::decompress(data, MAX_BYTES)`; stream instead of buffering.

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Hit, Rule};
use crate::finding::{Confidence, Severity};
use crate::lints::SourceFile;
use crate::lints::ast;

pub(super) const RULE: Rule = Rule {
    id: "SG-DECOMP-001",
    cwe: &["CWE-409"],
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    message: "decompressed data read without a size limit",
    why: "A small compressed input can expand to gigabytes; reading it whole lets the sender \
          exhaust memory or disk.",
    fix: "Read through `.take(MAX_BYTES)` and treat reaching the limit as an error (or use \
          `zstd::bulk::decompress` with a capacity).",
    flags: "a decompressing reader (flate2, bzip2, xz2, brotli, lz4/snap, zstd, async-compression) read whole (`read_to_end`, `read_to_string`, `io::copy`) with no `.take(…)`, directly or through a local; `zstd::decode_all`",
    severity_note: "",
    check,
};

/// Decoder types whose `new` builds a decompressing reader.
const DECODERS: &[&str] = &[
    "GzDecoder",
    "MultiGzDecoder",
    "ZlibDecoder",
    "DeflateDecoder",
    "BzDecoder",
    "MultiBzDecoder",
    "XzDecoder",
    "FrameDecoder",
    "GzipDecoder",
    "BrotliDecoder",
    "ZstdDecoder",
    "Decompressor",
];

/// Methods that read a reader to its end.
const READ_ALL: &[&str] = &["read_to_end", "read_to_string"];

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
    /// `GzDecoder::new(…)` (or `zstd::Decoder::new(…)`, `…::with_buffer(…)`), possibly wrapped
    /// in `?`, `.unwrap()` or `BufReader::new(…)`, with no `.take(…)` after it.
    fn is_unbounded_decoder(&self, expr: &Expr) -> bool {
        match ast::peel(expr) {
            Expr::Call(call) => {
                let Some(path) = ast::func_path(call).map(|p| self.src.names.resolve(p)) else {
                    return false;
                };
                match path.as_slice() {
                    [.., ty, _] if DECODERS.contains(&ty.as_str()) => true,
                    [.., ty, _] if ty == "Decoder" && path.iter().any(|s| s.contains("zstd")) => {
                        true
                    }
                    [.., ty, new] if ty == "BufReader" && new == "new" => call
                        .args
                        .first()
                        .is_some_and(|a| self.is_unbounded_decoder(a)),
                    _ => false,
                }
            }
            Expr::Try(t) => self.is_unbounded_decoder(&t.expr),
            Expr::MethodCall(m) => {
                let method = ast::method(m);
                matches!(method.as_str(), "unwrap" | "expect")
                    && self.is_unbounded_decoder(&m.receiver)
            }
            _ => false,
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    crate::lints::ast::lint_visit_common!();

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let method = ast::method(call);
        if READ_ALL.contains(&method.as_str()) && self.is_unbounded_decoder(&call.receiver) {
            self.hits.push(Hit::at(
                call.method.span(),
                format!("`.{method}()` on a decoder with no `.take(…)`"),
            ));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        if let Some(p) = ast::func_path(call) {
            let path = self.src.names.resolve(p);
            let copy = ast::ends_with(&path, &["io", "copy"])
                && call
                    .args
                    .first()
                    .is_some_and(|a| self.is_unbounded_decoder(a));
            let decode_all =
                path.last().is_some_and(|f| f == "decode_all") && path.iter().any(|s| s == "zstd");
            if copy || decode_all {
                self.hits.push(Hit::at_path(
                    p,
                    format!("`{}` on a decoder with no limit", path.join("::")),
                ));
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}
