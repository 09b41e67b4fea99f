//! rustc's dep-info (`.d`) files: the source files a unit compiled.
//!
//! Written by hand: the format is make's rule syntax with rustc's escaping, a few lines that no
//! crate parses on its own (cargo's own parser is internal to cargo).

use std::path::{Path, PathBuf};

/// The Rust source files listed in a rustc dep-info (`.d`) file, root first, without duplicates.
///
/// The format is make's: `target: dep dep …` lines, spaces in names escaped as `\ `. Only `.rs`
/// files are kept (dep-info also lists `include_str!` files and env-var lines). An unreadable
/// file gives an empty list: the caller counts what it can.
pub fn files_from_dep_info(path: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    parse_dep_info(&text)
}

fn parse_dep_info(text: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some(deps) = split_target(line) else {
            continue;
        };
        for dep in split_escaped(deps) {
            let path = PathBuf::from(&dep);
            if dep.ends_with(".rs") && !files.contains(&path) {
                files.push(path);
            }
        }
    }
    files
}

/// The part after the first unescaped `: ` (the target may contain a drive letter's `:`).
fn split_target(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b':' if bytes.get(i + 1).is_none_or(|b| *b == b' ') => return Some(&line[i + 1..]),
            _ => i += 1,
        }
    }
    None
}

/// Splits on unescaped spaces, unescaping `\ ` (and `\\`).
fn split_escaped(deps: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ (' ' | '\\' | '#' | ':')) => current.push(next),
                Some(next) => {
                    current.push('\\');
                    current.push(next);
                }
                None => {}
            },
            ' ' | '\t' => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_lists_sources_with_escaped_spaces() {
        let text = "/t/deps/libfoo-1.rmeta: /src/foo/lib.rs /src/my\\ dir/a.rs /src/foo/data.json\n\
                    \n/t/deps/foo-1.d: /src/foo/lib.rs /src/my\\ dir/a.rs /src/foo/data.json\n\
                    \n/src/foo/lib.rs:\n/src/my\\ dir/a.rs:\n\n# env-dep:CARGO_PKG_NAME=foo\n";
        assert_eq!(
            parse_dep_info(text),
            vec![
                PathBuf::from("/src/foo/lib.rs"),
                PathBuf::from("/src/my dir/a.rs")
            ]
        );
    }
}
