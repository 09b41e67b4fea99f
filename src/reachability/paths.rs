//! Turning symbols into the paths advisories use, and matching advisory paths against them.
//!
//! `rustc-demangle` does the demangling (legacy and v0); this module drops hashes and generic
//! arguments, splits qualified paths (`<T as Trait>::method` gives both `T::method` and
//! `Trait::method`), and treats drop glue for a type as a method of that type.

use std::fmt;

/// A path as a list of segments: `["smallvec", "SmallVec", "insert_many"]`.
pub type Path = Vec<String>;

/// How a node matched an advisory's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// A defining path the crate's module tree resolved the advisory's path to (or an item
    /// nested in it: a closure, a method of a listed type).
    Exact,
    /// The module tree could not resolve the path: the advisory's path itself, or its item under
    /// another module of the same crate.
    Loose,
    /// An FFI symbol: the advisory's last segment is the C name.
    Ffi,
    /// The module tree resolved the path, no symbol has it, and a loose match found this one:
    /// evidence for `unknown`, never for a verdict.
    Unconfirmed,
}

impl fmt::Display for MatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchKind::Exact => "defining path",
            MatchKind::Loose => "loose path",
            MatchKind::Ffi => "FFI symbol",
            MatchKind::Unconfirmed => "unconfirmed",
        })
    }
}

/// The demangled name without its hash, or `None` for a symbol that is not Rust-mangled.
pub fn demangle(symbol: &str) -> Option<String> {
    let demangled = rustc_demangle::try_demangle(symbol).ok()?;
    Some(format!("{demangled:#}"))
}

/// The paths a demangled name can be matched as, generic arguments dropped.
pub fn candidate_paths(demangled: &str) -> Vec<Path> {
    let segments = split_top(demangled, "::");
    let Some((first, rest)) = segments.split_first() else {
        return Vec::new();
    };
    let rest: Vec<String> = rest
        .iter()
        .filter(|s| !s.starts_with('<'))
        .map(|s| strip_generics(s).to_string())
        .collect();
    let heads: Vec<Path> =
        if let Some(inner) = first.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            // `<Type as Trait>` or `<Type>`.
            split_top(inner, " as ")
                .iter()
                .map(|ty| type_path(ty))
                .filter(|p| !p.is_empty())
                .collect()
        } else {
            vec![vec![strip_generics(first).to_string()]]
        };
    let mut paths: Vec<Path> = heads
        .into_iter()
        .map(|mut head| {
            head.extend(rest.iter().cloned());
            head
        })
        .collect();
    // Drop glue, `core::ptr::drop_in_place<T>`, counts as a method of `T`.
    if let [core, ptr, last] = segments.as_slice()
        && core == "core"
        && ptr == "ptr"
        && let Some(arg) = last
            .strip_prefix("drop_in_place<")
            .and_then(|s| s.strip_suffix('>'))
    {
        let mut ty = type_path(arg);
        if !ty.is_empty() {
            ty.push("drop".to_string());
            paths.push(ty);
        }
    }
    paths
}

/// The path of a type expression: references, pointers and `dyn` stripped, generics dropped.
fn type_path(ty: &str) -> Path {
    let mut ty = ty.trim();
    loop {
        let stripped = ty
            .strip_prefix('&')
            .or_else(|| ty.strip_prefix("mut "))
            .or_else(|| ty.strip_prefix("*const "))
            .or_else(|| ty.strip_prefix("*mut "))
            .or_else(|| ty.strip_prefix("dyn "));
        match stripped {
            Some(rest) => ty = rest.trim_start(),
            None => break,
        }
    }
    if ty.starts_with('[') || ty.starts_with('(') || ty.starts_with('<') {
        return Vec::new();
    }
    split_top(ty, "::")
        .iter()
        .filter(|s| !s.starts_with('<'))
        .map(|s| strip_generics(s).to_string())
        .collect()
}

/// A segment without its generic arguments: `SmallVec<A>` → `SmallVec`.
fn strip_generics(segment: &str) -> &str {
    match segment.find('<') {
        Some(0) | None => segment,
        Some(at) => &segment[..at],
    }
}

/// Splits `text` on `separator` where it is not nested in `<>`, `[]` or `()`.
fn split_top(text: &str, separator: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' | b'[' | b'(' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' | b']' | b')' => depth -= 1,
            _ => {}
        }
        // Bytes, not `str` slicing: `i` may fall inside a multi-byte character (`größe`).
        if depth == 0 && bytes[i..].starts_with(separator.as_bytes()) {
            parts.push(text[start..i].to_string());
            i += separator.len();
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(text[start..].to_string());
    parts
}

/// Parses an advisory path (`libgit2-sys::git_index_add`), with `-` in the crate name as `_`.
pub fn advisory_path(path: &str) -> Path {
    let mut segments: Path = path.split("::").map(str::to_string).collect();
    if let Some(first) = segments.first_mut() {
        *first = crate::finding::crate_name(first);
    }
    segments
}

/// Whether `candidate` is `advisory` or an item nested inside it (a closure, a method of a type).
pub fn matches_exact(candidate: &[String], advisory: &[String]) -> bool {
    candidate.len() >= advisory.len() && candidate[..advisory.len()] == *advisory
}

/// Whether `candidate` is the advisory's item under another module path of the same crate: the
/// advisory may name a re-export (`lock_api::RwLockReadGuard`, defined in `lock_api::rwlock`).
/// The item is the advisory's `Type::method` tail (from its first capitalized segment), or the
/// bare function name; only modules (lower case) may stand before it in the candidate, so
/// `time::SteadyTime::now` is not `time::now`.
pub fn matches_reexport(candidate: &[String], advisory: &[String]) -> bool {
    let Some(crate_name) = advisory.first() else {
        return false;
    };
    if candidate.first() != Some(crate_name) || advisory.len() < 2 {
        return false;
    }
    let item_start = advisory[1..]
        .iter()
        .position(|s| !is_module_like(s))
        .map_or(advisory.len() - 1, |i| i + 1);
    let item = &advisory[item_start..];
    for skip in 1..candidate.len() {
        if candidate[skip..].starts_with(item) {
            return true;
        }
        if !is_module_like(&candidate[skip]) {
            return false;
        }
    }
    false
}

fn is_module_like(segment: &str) -> bool {
    segment
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_names_split_without_panicking() {
        assert_eq!(
            candidate_paths("krate::größe::<impl krate::Maß>::f"),
            vec![vec![
                "krate".to_string(),
                "größe".to_string(),
                "f".to_string()
            ]]
        );
    }

    fn paths(demangled: &str) -> Vec<String> {
        candidate_paths(demangled)
            .iter()
            .map(|p| p.join("::"))
            .collect()
    }

    #[test]
    fn demangles_legacy_and_v0_without_hash() {
        assert_eq!(
            demangle("_ZN8smallvec17SmallVec$LT$A$GT$11insert_many17hf6f45ffb72f8aa1eE").unwrap(),
            "smallvec::SmallVec<A>::insert_many"
        );
        assert_eq!(
            demangle("_RNvNtCsjrHSEGnQ3l9_3std2rt19lang_start_internal").unwrap(),
            "std::rt::lang_start_internal"
        );
        assert_eq!(demangle("git_index_add"), None);
    }

    #[test]
    fn inherent_methods_drop_generics() {
        assert_eq!(
            paths("smallvec::SmallVec<A>::insert_many"),
            ["smallvec::SmallVec::insert_many"]
        );
        assert_eq!(
            paths("<smallvec::SmallVec<[u8; 4]>>::insert_many::<core::iter::Cloned<I>>"),
            ["smallvec::SmallVec::insert_many"]
        );
    }

    #[test]
    fn trait_impls_match_as_type_and_as_trait() {
        assert_eq!(
            paths(
                "<smallvec::SmallVec<A> as core::iter::traits::collect::Extend<<A as smallvec::Array>::Item>>::extend"
            ),
            [
                "smallvec::SmallVec::extend",
                "core::iter::traits::collect::Extend::extend"
            ]
        );
        assert_eq!(
            paths("<&mut http::header::map::HeaderMap<T> as core::fmt::Debug>::fmt"),
            ["http::header::map::HeaderMap::fmt", "core::fmt::Debug::fmt"]
        );
    }

    #[test]
    fn closures_are_nested_in_their_function() {
        assert_eq!(paths("time::now::{{closure}}"), ["time::now::{{closure}}"]);
        assert!(matches_exact(
            &candidate_paths("time::now::{closure#0}")[0],
            &advisory_path("time::now")
        ));
    }

    #[test]
    fn drop_glue_is_a_method_of_its_type() {
        assert_eq!(
            paths("core::ptr::drop_in_place<lock_api::rwlock::RwLockReadGuard<R,T>>"),
            [
                "core::ptr::drop_in_place",
                "lock_api::rwlock::RwLockReadGuard::drop"
            ]
        );
    }

    #[test]
    fn fn_pointer_types_do_not_confuse_the_splitter() {
        assert_eq!(
            paths("core::option::Option<T>::map<&u8,u8,fn(&u8) -> u8>"),
            ["core::option::Option::map"]
        );
    }

    #[test]
    fn exact_before_loose() {
        let now = advisory_path("time::now");
        let steady = candidate_paths("time::SteadyTime::now").remove(0);
        assert!(!matches_exact(&steady, &now));
        assert!(!matches_reexport(&steady, &now), "a type is not a module");
        let guard = advisory_path("lock_api::RwLockReadGuard");
        let defined = candidate_paths("lock_api::rwlock::RwLockReadGuard<R,T>::read").remove(0);
        assert!(!matches_exact(&defined, &guard));
        assert!(matches_reexport(&defined, &guard));
        let reserve = advisory_path("http::header::HeaderMap::reserve");
        let defined = candidate_paths("http::header::map::HeaderMap<T>::reserve").remove(0);
        assert!(
            matches_reexport(&defined, &reserve),
            "modules differ, Type::method agrees"
        );
        let other = candidate_paths("http::header::map::OtherMap<T>::reserve").remove(0);
        assert!(!matches_reexport(&other, &reserve));
    }

    #[test]
    fn crate_names_with_dashes_use_underscores() {
        assert_eq!(
            advisory_path("libgit2-sys::git_index_add"),
            ["libgit2_sys", "git_index_add"]
        );
    }
}
