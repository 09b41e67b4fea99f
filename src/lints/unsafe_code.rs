//! Unsafe-code accounting per crate, from the sources alone (the role cargo-geiger plays, without
//! a rebuild): unsafe functions, blocks, impls and traits, and whether the crate root forbids or
//! denies `unsafe_code`.
//!
//! Why a visitor of our own rather than the `geiger` crate (0.5.0 on crates.io): geiger is built
//! on syn 2 while secgate uses syn 3, so it would compile a second syn; it reports through
//! `cargo-geiger-serde`'s types, which would leak into our report; and it does not count unsafe
//! traits separately nor look at `#![deny(unsafe_code)]`. The visitor below is one short
//! `syn::visit` pass.
//!
//! Counted as geiger counts: code inside macro bodies (`macro_rules!`, unexpanded macro calls) is
//! not seen, `#[cfg]`-disabled code is. Test code is counted too: it is part of the crate's source.
//! The file list comes from rustc's dep-info (`.d`) files, so only files the build compiled count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::report::{ReachableUnsafe, UnsafeCounts};

/// Where a crate uses unsafe code in a function body: an `unsafe` block, or a whole `unsafe fn`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsafeSite {
    /// The source file, as the build named it.
    pub file: PathBuf,
    /// The line of the `unsafe` keyword.
    pub line: u32,
    /// The lines the enclosing function's (or closure's) head spans, from its visibility to its
    /// name: the compiler's debug info gives the function's line within that range, which is how
    /// a site is matched to a node of the call graph.
    pub function_start: u32,
    pub function_line: u32,
}

/// A crate's counts and the sites behind them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedCrate {
    pub counts: UnsafeCounts,
    pub sites: Vec<UnsafeSite>,
}

/// The sites whose enclosing function was reached, grouped by function; `display` names files
/// as the report does.
pub fn reachable_functions(
    sites: &[UnsafeSite],
    reached: &crate::reached::ReachedFunctions,
    display: impl Fn(&Path) -> String,
) -> Vec<ReachableUnsafe> {
    // Grouped by the function's head, the key the graph lookup uses: two closures of one
    // function demangle to the same name but are two functions.
    let mut found: std::collections::BTreeMap<(&Path, u32, u32), ReachableUnsafe> =
        std::collections::BTreeMap::new();
    for site in sites {
        let head = (site.file.as_path(), site.function_start, site.function_line);
        if let Some(function) = found.get_mut(&head) {
            function.unsafe_lines.push(site.line);
            continue;
        }
        let file = site.file.to_string_lossy();
        let Some(function) = reached.defined_in(&file, site.function_start..=site.function_line)
        else {
            continue;
        };
        found.insert(
            head,
            ReachableUnsafe {
                function,
                file: display(&site.file),
                line: site.function_line,
                unsafe_lines: vec![site.line],
            },
        );
    }
    let mut found: Vec<ReachableUnsafe> = found.into_values().collect();
    for function in &mut found {
        function.unsafe_lines.sort_unstable();
        function.unsafe_lines.dedup();
    }
    found.sort_by(|a, b| (&a.file, a.line, &a.function).cmp(&(&b.file, b.line, &b.function)));
    found
}

/// Counts unsafe code in one file's text; `is_root` also reads the crate-level lint attributes.
pub fn count_source(text: &str, is_root: bool) -> Result<UnsafeCounts, syn::Error> {
    count_source_sites(text, is_root, Path::new("")).map(|c| c.counts)
}

/// Counts unsafe code in one file's text and lists its sites, named by `path`.
fn count_source_sites(text: &str, is_root: bool, path: &Path) -> Result<CountedCrate, syn::Error> {
    // A file that never spells `unsafe` has nothing to count and cannot forbid it: not parsed
    // (large generated tables, such as encoding_rs's 2.5 MB of data, cost hundreds of MB as a
    // syntax tree).
    if memchr::memmem::find(text.as_bytes(), b"unsafe").is_none() {
        return Ok(CountedCrate {
            counts: UnsafeCounts {
                files: 1,
                ..UnsafeCounts::default()
            },
            sites: Vec::new(),
        });
    }
    let file = syn::parse_file(text)?;
    let mut counter = Counter {
        file: path.to_path_buf(),
        ..Counter::default()
    };
    counter.visit_file(&file);
    let sites = counter.sites;
    let mut counts = counter.counts;
    counts.files = 1;
    if is_root {
        for attr in &file.attrs {
            let level = attr.path().get_ident().map(ToString::to_string);
            let names_unsafe_code = attr.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .to_string()
                    .split(',')
                    .any(|t| t.trim() == "unsafe_code")
            });
            match level.as_deref() {
                Some("forbid") if names_unsafe_code => counts.forbids_unsafe = true,
                Some("deny") if names_unsafe_code => counts.denies_unsafe = true,
                _ => {}
            }
        }
    }
    Ok(CountedCrate { counts, sites })
}

/// Counts unsafe code over a crate's files. The first file is taken as the crate root (rustc
/// lists the root first in its dep-info); the files are parsed in parallel.
pub fn count_crate(files: &[PathBuf]) -> CountedCrate {
    let per_file: Vec<CountedCrate> = match pool() {
        Some(pool) => pool.install(|| count_files(files)),
        None => files.iter().enumerate().map(count_file).collect(),
    };
    let mut total = CountedCrate::default();
    if let Some(root) = per_file.first() {
        total.counts.forbids_unsafe = root.counts.forbids_unsafe;
        total.counts.denies_unsafe = root.counts.denies_unsafe;
    }
    for file in per_file {
        total.counts.add(file.counts);
        total.sites.extend(file.sites);
    }
    total
}

/// Threads with room for syn's recursion: deeply nested generated code overflows the default
/// 2 MiB of a rayon worker in debug builds. `None` if no such pool could be started.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("secgate-unsafe-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

fn count_files(files: &[PathBuf]) -> Vec<CountedCrate> {
    files.par_iter().enumerate().map(count_file).collect()
}

fn count_file((index, path): (usize, &PathBuf)) -> CountedCrate {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| count_source_sites(&text, index == 0, path).ok())
        .unwrap_or_else(|| CountedCrate {
            counts: UnsafeCounts {
                unparsed: vec![path.display().to_string()],
                ..UnsafeCounts::default()
            },
            sites: Vec::new(),
        })
}

/// Counts unsafe items and records each unsafe block or `unsafe fn` with the head of the
/// function (or closure, or async block) it sits in, innermost first.
#[derive(Default)]
struct Counter {
    counts: UnsafeCounts,
    file: PathBuf,
    sites: Vec<UnsafeSite>,
    /// The head lines (start, name) of the enclosing functions.
    functions: Vec<(u32, u32)>,
}

impl Counter {
    fn in_function(&mut self, head: (u32, u32), visit: impl FnOnce(&mut Self)) {
        self.functions.push(head);
        visit(self);
        self.functions.pop();
    }

    fn site(&mut self, line: u32) {
        if let Some(&(function_start, function_line)) = self.functions.last() {
            self.sites.push(UnsafeSite {
                file: self.file.clone(),
                line,
                function_start,
                function_line,
            });
        }
    }

    fn function(&mut self, head_start: u32, sig: &syn::Signature, visit: impl FnOnce(&mut Self)) {
        let name_line = line_of(sig.ident.span());
        let unsafe_fn = matches!(sig.safety, syn::Safety::Unsafe(_));
        self.counts.functions += usize::from(unsafe_fn);
        self.in_function((head_start.min(name_line), name_line), |counter| {
            if unsafe_fn {
                counter.site(name_line);
            }
            visit(counter);
        });
    }
}

fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

/// The line a function's head starts on: its visibility, or its signature when private.
fn head_start(vis: &syn::Visibility, sig: &syn::Signature) -> u32 {
    match vis {
        syn::Visibility::Inherited => line_of(sig.span()),
        vis => line_of(vis.span()),
    }
}

impl<'ast> Visit<'ast> for Counter {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.function(head_start(&item.vis, &item.sig), &item.sig, |c| {
            syn::visit::visit_item_fn(c, item);
        });
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.function(head_start(&item.vis, &item.sig), &item.sig, |c| {
            syn::visit::visit_impl_item_fn(c, item);
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.function(line_of(item.sig.span()), &item.sig, |c| {
            syn::visit::visit_trait_item_fn(c, item);
        });
    }

    fn visit_expr_closure(&mut self, expr: &'ast syn::ExprClosure) {
        let line = line_of(expr.span());
        self.in_function((line, line), |c| syn::visit::visit_expr_closure(c, expr));
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        let line = line_of(expr.span());
        self.in_function((line, line), |c| syn::visit::visit_expr_async(c, expr));
    }

    fn visit_expr_unsafe(&mut self, expr: &'ast syn::ExprUnsafe) {
        self.counts.blocks += 1;
        self.site(line_of(expr.unsafe_token.span));
        syn::visit::visit_expr_unsafe(self, expr);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.counts.impls += usize::from(item.unsafety.is_some());
        syn::visit::visit_item_impl(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.counts.traits += usize::from(item.unsafety.is_some());
        syn::visit::visit_item_trait(self, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
#![forbid(unsafe_code)]
unsafe fn raw(p: *const u8) -> u8 { unsafe { *p } }
struct S;
unsafe impl Send for S {}
unsafe trait Zeroable {}
trait T { unsafe fn f(&self); fn g(&self); }
impl S {
    pub unsafe fn m(&self) {}
    fn safe(&self) -> u8 { let x = 1; let y = unsafe { raw(&x) }; y + unsafe { raw(&x) } }
}
fn closure() { let _ = || unsafe { raw(std::ptr::null()) }; }
"#;

    #[test]
    fn a_file_without_unsafe_is_counted_without_a_syntax_tree() {
        // Not even valid Rust: without the word there is nothing to count, so it is not parsed.
        let counts = count_source("static TABLE: [u8; 3] = [1, 2, 3", true).unwrap();
        assert_eq!(counts.files, 1);
        assert_eq!(
            counts.blocks + counts.functions + counts.impls + counts.traits,
            0
        );
        assert!(!counts.forbids_unsafe);
        // With the word, it is parsed (and a parse error is an error).
        assert!(count_source("fn f() { unsafe { ", true).is_err());
    }

    #[test]
    fn counts_each_kind_of_unsafe() {
        let counts =
            count_source(SOURCE, true).unwrap_or_else(|e| panic!("{e} {:?}", e.span().start()));
        assert_eq!(
            (counts.functions, counts.blocks, counts.impls, counts.traits),
            (3, 4, 1, 1)
        );
        assert!(counts.forbids_unsafe);
        assert!(!counts.denies_unsafe);
        assert_eq!(counts.total(), 9);
    }

    #[test]
    fn sites_name_the_head_of_their_innermost_function() {
        let source = "pub(crate)\nfn outer() {\n    unsafe { a() };\n    let f = || unsafe { b() };\n}\n\
                      unsafe fn whole() {}\nstatic S: u8 = unsafe { c() };\n";
        let sites = count_source_sites(source, false, Path::new("/p/lib.rs"))
            .map(|c| c.sites)
            .unwrap_or_default();
        let found: Vec<(u32, u32, u32)> = sites
            .iter()
            .map(|s| (s.line, s.function_start, s.function_line))
            .collect();
        // The block in outer; the closure's block; the unsafe fn itself. The static's block has
        // no function around it, so no site.
        assert_eq!(found, vec![(3, 1, 2), (4, 4, 4), (6, 6, 6)]);
        assert!(sites.iter().all(|s| s.file == Path::new("/p/lib.rs")));
    }

    #[test]
    fn lint_attributes_count_only_at_the_root() {
        let deny = "#![deny(missing_docs, unsafe_code)]\nfn f() {}\n";
        let root = count_source(deny, true).unwrap_or_default();
        assert!(root.denies_unsafe && !root.forbids_unsafe);
        let module = count_source(deny, false).unwrap_or_default();
        assert!(!module.denies_unsafe);
        let allow = count_source("#![allow(unsafe_code)]\n", true).unwrap_or_default();
        assert!(!allow.denies_unsafe && !allow.forbids_unsafe);
    }

    #[test]
    fn unparsable_files_are_listed_not_counted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let good = dir.path().join("lib.rs");
        let bad = dir.path().join("bad.rs");
        std::fs::write(&good, "#![forbid(unsafe_code)]\nunsafe fn f() {}\n").unwrap_or_default();
        std::fs::write(&bad, "unsafe fn (").unwrap_or_default();
        // Without the word `unsafe` there is nothing to miss: counted, not listed.
        let plain = dir.path().join("plain.rs");
        std::fs::write(&plain, "fn (").unwrap_or_default();
        let counts = count_crate(&[good, bad.clone(), plain]).counts;
        assert_eq!(counts.files, 2);
        assert_eq!(counts.functions, 1);
        assert!(counts.forbids_unsafe);
        assert_eq!(counts.unparsed, vec![bad.display().to_string()]);
    }
}
