//! Looking into a dependency's source for what an advisory names, when the IR has no symbol for it:
//! a macro (expansions leave no symbol), an item that exists but was never compiled in, or nothing
//! at all (the advisory names an item of another version).

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// `macro_rules! name`.
    Macro,
    /// A function, type, trait or constant of that name.
    Item,
    Nothing,
}

/// What the crate's `.rs` files under `dir` declare under `name`.
pub fn declares(dir: &Path, name: &str) -> Declared {
    let mut found = Declared::Nothing;
    visit(dir, 0, &mut |text| {
        if declares_macro(text, name) {
            found = Declared::Macro;
            return true;
        }
        if found == Declared::Nothing && declares_item(text, name) {
            found = Declared::Item;
        }
        false
    });
    found
}

/// Walks `.rs` files (skipping `target` and hidden folders) until `check` returns true.
fn visit(dir: &Path, depth: usize, check: &mut dyn FnMut(&str) -> bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if depth < 12
                && name != "target"
                && !name.starts_with('.')
                && visit(&path, depth + 1, check)
            {
                return true;
            }
        } else if name.ends_with(".rs")
            && let Ok(text) = std::fs::read_to_string(&path)
            && check(&text)
        {
            return true;
        }
    }
    false
}

fn declares_macro(text: &str, name: &str) -> bool {
    text.match_indices("macro_rules!").any(|(at, m)| {
        let rest = text[at + m.len()..].trim_start();
        rest.strip_prefix(name)
            .is_some_and(|after| after.starts_with(|c: char| !is_ident(c)))
    })
}

fn declares_item(text: &str, name: &str) -> bool {
    [
        "fn", "struct", "enum", "trait", "type", "union", "const", "static",
    ]
    .iter()
    .any(|keyword| {
        text.match_indices(keyword).any(|(at, _)| {
            let before_ok = text[..at].chars().next_back().is_none_or(|c| !is_ident(c));
            let rest = &text[at + keyword.len()..];
            before_ok
                && rest.starts_with(char::is_whitespace)
                && rest
                    .trim_start()
                    .strip_prefix(name)
                    .is_some_and(|after| after.starts_with(|c: char| !is_ident(c)))
        })
    })
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_macros_items_and_nothing_apart() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/lib.rs"),
            "#[macro_export]\nmacro_rules! offset_of { () => {} }\npub fn insert_many() {}\npub struct RwLockReadGuard;\nfn now_local() {}\n",
        )
        .unwrap();
        assert_eq!(declares(dir.path(), "offset_of"), Declared::Macro);
        assert_eq!(declares(dir.path(), "insert_many"), Declared::Item);
        assert_eq!(declares(dir.path(), "RwLockReadGuard"), Declared::Item);
        assert_eq!(
            declares(dir.path(), "now"),
            Declared::Nothing,
            "now_local is not now"
        );
        assert_eq!(declares(dir.path(), "insert"), Declared::Nothing);
    }
}
