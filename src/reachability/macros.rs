//! Advisories that list a macro (`memoffset::offset_of`): an expansion leaves no symbol of the
//! macro's crate in the IR, so the invocations are found in the sources of every crate compiled
//! into the program, and each is attributed to the function around it, whose reachability the
//! call graph knows.
//!
//! An invocation names the macro when its path does (`memoffset::offset_of!`), or when the file
//! imports it (`use memoffset::offset_of;`, with or without `as`), or the crate has
//! `#[macro_use] extern crate memoffset;`, or it is inside the macro's own crate. Invocations in
//! the body of another macro cannot be attributed (they expand wherever that macro is used), and
//! neither can a re-export of the macro by another crate; the caller then stays `unknown`.

use quote::ToTokens;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use syn::Token;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Where the program's crates invoke a macro.
#[derive(Debug, Default)]
pub struct Invocations {
    /// Invocations inside a function: the file, the invocation's line, and the lines of the
    /// enclosing function's head (from its first token to its name), innermost named function.
    pub in_functions: Vec<Site>,
    /// Invocations that belong to no function (inside another macro's body, a `const`), as
    /// `file:line`.
    pub unattributed: Vec<String>,
    /// Crates that re-export the macro under their own path.
    pub reexported_by: Vec<String>,
    /// How many files were parsed (the others name neither the macro nor its crate).
    #[cfg(test)]
    parsed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub file: PathBuf,
    pub line: u32,
    pub function_start: u32,
    pub function_line: u32,
}

/// Finds the invocations of `krate::name!` in `crates` (each a crate name and its files).
pub fn invocations<'a>(
    crates: impl IntoIterator<Item = (&'a str, &'a [PathBuf])>,
    krate: &str,
    name: &str,
) -> Invocations {
    let mut found = Invocations::default();
    let crates: Vec<(&str, &[PathBuf])> = crates.into_iter().collect();
    // Crates a path may name: another one's `x::offset_of!` is not the listed macro.
    let known: HashSet<String> = crates
        .iter()
        .map(|(name, _)| crate::finding::crate_name(name))
        .chain(["std", "core", "alloc"].map(String::from))
        .collect();
    for (crate_name, files) in crates {
        let own_crate = crate::finding::crate_name(crate_name) == krate;
        let mut texts: Vec<(&PathBuf, String, Option<syn::File>)> = Vec::new();
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        {
            match std::fs::read_to_string(file) {
                // Only a file that names the macro or its crate can invoke, import, re-export
                // (`pub use krate::*` too) or `#[macro_use]` it: the others add nothing to what
                // is found, and parsing every file of every crate costs seconds and hundreds of
                // MB on a large program.
                Ok(text) if !text.contains(name) && !text.contains(krate) => {}
                Ok(text) => {
                    let syntax = syn::parse_file(&text).ok();
                    #[cfg(test)]
                    {
                        found.parsed += 1;
                    }
                    texts.push((file, text, syntax));
                }
                Err(_) => found
                    .unattributed
                    .push(format!("{} (unreadable)", file.display())),
            }
        }
        let macro_use = texts
            .iter()
            .any(|(_, _, syntax)| syntax.as_ref().is_some_and(|s| has_macro_use(s, krate)));
        for (file, text, syntax) in &texts {
            let before = found.in_functions.len() + found.unattributed.len();
            let Some(syntax) = syntax else {
                // A file syn cannot parse: every mention is one this reading cannot place.
                if mentions(text, name) > 0 {
                    found
                        .unattributed
                        .push(format!("{} (not parsed)", file.display()));
                }
                continue;
            };
            let mut names: HashSet<String> = imported_names(syntax, krate, name);
            if own_crate || macro_use {
                names.insert(name.to_string());
            }
            if !own_crate && reexports(syntax, krate, name) {
                found.reexported_by.push(crate_name.to_string());
            }
            let mut visitor = Visitor {
                file,
                krate,
                name,
                names: &names,
                functions: Vec::new(),
                found: &mut found,
                set_aside: 0,
                known: &known,
            };
            visitor.visit_file(syntax);
            let set_aside = visitor.set_aside;
            // Every `name!` in the text must be one the reading placed; the rest (a renamed
            // crate, a macro body it could not parse, an import it did not follow) are invocations
            // it cannot attribute, which keeps the verdict `unknown`.
            let placed = found.in_functions.len() + found.unattributed.len() - before + set_aside;
            let written: usize = names
                .iter()
                .filter(|alias| *alias != name)
                .map(|alias| mentions(text, alias))
                .sum::<usize>()
                + mentions(text, name);
            if written > placed {
                found.unattributed.push(format!(
                    "{} ({} of {written} `{name}!` not placed)",
                    file.display(),
                    written - placed
                ));
            }
        }
    }
    found.reexported_by.sort();
    found.reexported_by.dedup();
    found
}

struct Visitor<'a> {
    file: &'a Path,
    krate: &'a str,
    name: &'a str,
    /// The names the macro goes by in this file without its crate's path.
    names: &'a HashSet<String>,
    /// The enclosing functions' heads (start line, name line), innermost last.
    functions: Vec<(u32, u32)>,
    found: &'a mut Invocations,
    /// Mentions of `name!` the reading saw and set aside on purpose: in test code, or naming
    /// another crate's macro of the same name.
    set_aside: usize,
    /// The crates of the build, by crate name.
    known: &'a HashSet<String>,
}

impl Visitor<'_> {
    fn names_the_macro(&self, path: &syn::Path) -> bool {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.as_slice() {
            [only] => self.names.contains(only),
            [first, .., last] => {
                last == self.name
                    && (crate::finding::crate_name(first) == self.krate
                        || first == "crate" && self.names.contains(last))
            }
            [] => false,
        }
    }

    fn function(&mut self, start: u32, name_line: u32, visit: impl FnOnce(&mut Self)) {
        self.functions.push((start, name_line));
        visit(self);
        self.functions.pop();
    }
}

fn line(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

/// `#[cfg(test)]` and `#[test]`: code that is not part of the program.
fn is_test_code(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test"))
    })
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_test_code(&item.attrs) {
            self.set_aside += mentions(&item.to_token_stream().to_string(), self.name);
        } else {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if is_test_code(&item.attrs) {
            self.set_aside += mentions(&item.to_token_stream().to_string(), self.name);
            return;
        }
        let (start, name) = (line(item.span()), line(item.sig.ident.span()));
        self.function(start, name, |v| syn::visit::visit_item_fn(v, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let (start, name) = (line(item.span()), line(item.sig.ident.span()));
        self.function(start, name, |v| syn::visit::visit_impl_item_fn(v, item));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let (start, name) = (line(item.span()), line(item.sig.ident.span()));
        self.function(start, name, |v| syn::visit::visit_trait_item_fn(v, item));
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        // A constant is evaluated at compile time: no function of the program runs it.
        let outer = std::mem::take(&mut self.functions);
        syn::visit::visit_item_const(self, item);
        self.functions = outer;
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let last = mac.path.segments.last().map(|s| s.ident.to_string());
        let first = mac.path.segments.first().map(|s| s.ident.to_string());
        if mac.path.segments.len() > 1
            && last.as_deref() == Some(self.name)
            && first.is_some_and(|f| self.known.contains(&f))
            && !self.names_the_macro(&mac.path)
        {
            // `other_crate::offset_of!`: another crate's macro of the same name.
            self.set_aside += 1;
            return;
        }
        if !self.names_the_macro(&mac.path) {
            // Another macro's arguments may hold the invocation (`println!("{}", offset_of!(…))`).
            let parser = Punctuated::<syn::Expr, Token![,]>::parse_terminated;
            if let Ok(args) = mac.parse_body_with(parser) {
                for arg in &args {
                    self.visit_expr(arg);
                }
            }
            return;
        }
        let at = line(mac.path.span());
        match self.functions.last() {
            Some(&(function_start, function_line)) => self.found.in_functions.push(Site {
                file: self.file.to_path_buf(),
                line: at,
                function_start,
                function_line,
            }),
            None => self
                .found
                .unattributed
                .push(format!("{}:{at}", self.file.display())),
        }
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if item.ident.is_none() && !self.names_the_macro(&item.mac.path) {
            // `cfg_if! { … }` and the like: the items inside, read as written in place.
            for wrapped in super::resolve::items_in_macro(item.mac.tokens.clone(), 0) {
                self.visit_item(&wrapped);
            }
            return;
        }
        if item.ident.is_some() {
            // A `macro_rules!` definition: an invocation in its body expands wherever the macro
            // is used, which this reading cannot follow.
            let text = item.mac.tokens.to_string();
            if text.contains(&format!("{} !", self.name)) {
                self.found.unattributed.push(format!(
                    "{}:{}",
                    self.file.display(),
                    line(item.span())
                ));
            }
            return;
        }
        syn::visit::visit_item_macro(self, item);
    }
}

/// The names `use` gives the macro in this file: `use krate::name;`, `use krate::name as x;`,
/// `use krate::{name, …};`.
fn imported_names(syntax: &syn::File, krate: &str, name: &str) -> HashSet<String> {
    struct Uses<'a> {
        krate: &'a str,
        name: &'a str,
        names: HashSet<String>,
    }
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            collect_use(
                &item.tree,
                &mut Vec::new(),
                self.krate,
                self.name,
                &mut self.names,
            );
        }
    }
    // Imports anywhere in the file (inside modules and functions too) name the macro for the
    // whole file: a little wider than Rust's scoping, never narrower.
    let mut uses = Uses {
        krate,
        name,
        names: HashSet::new(),
    };
    uses.visit_file(syntax);
    uses.names
}

/// How many times `name!` (or `name !`) is written in `text` outside `//` comments.
fn mentions(text: &str, name: &str) -> usize {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .map(|code| {
            code.match_indices(name)
                .filter(|(at, _)| {
                    let before = code[..*at].chars().next_back();
                    let after = code[at + name.len()..].trim_start();
                    before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                        && after.starts_with('!')
                        && !after.starts_with("!=")
                })
                .count()
        })
        .sum()
}

fn collect_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    krate: &str,
    name: &str,
    names: &mut HashSet<String>,
) {
    let from_crate = |prefix: &[String]| {
        prefix
            .iter()
            .find(|s| *s != "crate" && *s != "self")
            .is_some_and(|first| crate::finding::crate_name(first) == krate)
    };
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, krate, name, names);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == name && from_crate(prefix) => {
            names.insert(name.to_string());
        }
        syn::UseTree::Rename(r) if r.ident == name && from_crate(prefix) => {
            names.insert(r.rename.to_string());
        }
        syn::UseTree::Glob(_) if from_crate(prefix) => {
            names.insert(name.to_string());
        }
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, prefix, krate, name, names);
            }
        }
        _ => {}
    }
}

/// Whether the file re-exports the macro (`pub use krate::name`), so other crates may invoke it
/// under this crate's path.
fn reexports(syntax: &syn::File, krate: &str, name: &str) -> bool {
    syntax.items.iter().any(|item| match item {
        syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
            let mut names = HashSet::new();
            collect_use(&u.tree, &mut Vec::new(), krate, name, &mut names);
            !names.is_empty()
        }
        _ => false,
    })
}

/// `#[macro_use] extern crate krate;` anywhere in the file.
fn has_macro_use(syntax: &syn::File, krate: &str) -> bool {
    syntax.items.iter().any(|item| match item {
        syn::Item::ExternCrate(e) => {
            e.ident == krate && e.attrs.iter().any(|a| a.path().is_ident("macro_use"))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn invocations_are_found_by_path_import_and_macro_use() {
        let dir = tempfile::tempdir().unwrap();
        let app = write(
            dir.path(),
            "main.rs",
            "use memoffset::offset_of as off;\n\
             fn main() {\n    println!(\"{}\", memoffset::offset_of!(H, a));\n}\n\
             fn helper() -> usize {\n    off!(H, b)\n}\n\
             const C: usize = memoffset::offset_of!(H, c);\n\
             macro_rules! wrap { ($t:ty) => { memoffset::offset_of!($t, a) } }\n\
             fn other() { other_crate::offset_of!(H, a); }\n\
             #[cfg(test)]\nmod tests { fn t() { memoffset::offset_of!(H, a); } }\n\
             #[test]\nfn t() { memoffset::offset_of!(H, a); }\n",
        );
        let old = write(
            dir.path(),
            "old.rs",
            "#[macro_use]\nextern crate memoffset;\nfn f() {\n    offset_of!(H, a);\n}\n",
        );
        let reexport = write(dir.path(), "re.rs", "pub use memoffset::offset_of;\n");
        let files_app = [app.clone()];
        let files_old = [old.clone()];
        let files_re = [reexport];
        let found = invocations(
            [
                ("app", &files_app[..]),
                ("legacy", &files_old[..]),
                ("wrapper", &files_re[..]),
            ],
            "memoffset",
            "offset_of",
        );
        let sites: Vec<(String, u32, u32)> = found
            .in_functions
            .iter()
            .map(|s| {
                (
                    s.file.file_name().unwrap().to_string_lossy().into_owned(),
                    s.line,
                    s.function_line,
                )
            })
            .collect();
        assert_eq!(
            sites,
            [
                ("main.rs".to_string(), 3, 2),
                ("main.rs".to_string(), 6, 5),
                ("old.rs".to_string(), 4, 3)
            ]
        );
        // The constant, the macro_rules! body, and `other_crate::offset_of!` (no crate of the
        // build is called that: perhaps a renamed memoffset).
        assert_eq!(found.unattributed.len(), 3, "{:?}", found.unattributed);
        assert_eq!(found.reexported_by, ["wrapper"]);
    }

    #[test]
    fn files_that_name_neither_the_macro_nor_its_crate_are_not_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let unrelated = write(dir.path(), "a.rs", "fn f() { other!(x); }\n");
        // Names only the crate: a glob re-export, and a `#[macro_use]` for the crate's files.
        let glob = write(dir.path(), "glob.rs", "pub use memoffset::*;\n");
        let macro_use = write(
            dir.path(),
            "lib.rs",
            "#[macro_use]\nextern crate memoffset;\nmod user;\n",
        );
        let user = write(dir.path(), "user.rs", "fn g() { offset_of!(H, a); }\n");
        let files_glob = [unrelated.clone(), glob];
        let files_user = [unrelated, macro_use, user];
        let found = invocations(
            [("wrapper", &files_glob[..]), ("app", &files_user[..])],
            "memoffset",
            "offset_of",
        );
        assert_eq!(found.parsed, 3, "a.rs twice not parsed");
        assert_eq!(found.reexported_by, ["wrapper"]);
        let sites: Vec<(&std::ffi::OsStr, u32)> = found
            .in_functions
            .iter()
            .map(|s| (s.file.file_name().unwrap(), s.line))
            .collect();
        assert_eq!(sites, [("user.rs".as_ref(), 1)]);
    }

    #[test]
    fn wrapped_nested_and_renamed_invocations_are_placed_or_kept_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "lib.rs",
            "cfg_if::cfg_if! { if #[cfg(unix)] {\n fn wrapped() { memoffset::offset_of!(H, a); }\n } }\n\
             mod inner {\n    use memoffset::offset_of;\n    fn nested() { offset_of!(H, a); }\n}\n\
             fn renamed() { mo::offset_of!(H, a); }\n\
             // offset_of!(in a comment) is not an invocation\n",
        );
        let files = [file];
        let found = invocations([("app", &files[..])], "memoffset", "offset_of");
        let lines: Vec<u32> = found.in_functions.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 6]);
        assert_eq!(found.unattributed.len(), 1, "{:?}", found.unattributed);
        assert!(
            found.unattributed[0].contains("1 of 3"),
            "{:?}",
            found.unattributed
        );
    }
}
