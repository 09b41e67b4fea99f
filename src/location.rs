//! How a file is named in a report: relative to the workspace, from the registry folder
//! (`smallvec-0.6.13/lib.rs`) or from the standard library (`library/core/…`), never with this
//! machine's paths; and, from that name, whether it is workspace code.
//!
//! The one owner of display paths: reachability's trace frames, the lint layer's findings, the
//! unsafe table and the baseline all name files through here, and renderers ask
//! [`is_dependency_file`] instead of guessing.
//!
//! Also where in a file: [`LineIndex`] turns byte offsets into 1-based line and column for
//! messages that point into a file (policy problems, imported ignores, advisory parse errors),
//! finding the line starts once so that many positions in a large file cost a binary search
//! each, not a rescan from the top.

use std::path::{Component, Path};

/// `path` relative to `root`, with `/` separators; `None` when it is not under `root`.
pub fn workspace_relative(path: &Path, root: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    Some(slashed(relative))
}

/// A source path as a reader wants it: relative to the workspace, from the registry folder, from
/// the standard library, else as it is.
pub fn display_path(file: impl AsRef<Path>, workspace_root: &Path) -> String {
    let file = file.as_ref();
    if let Some(relative) = workspace_relative(file, workspace_root) {
        return relative;
    }
    let file = slashed(file);
    if let Some((_, rest)) = file.split_once("/registry/src/")
        && let Some((_, inside)) = rest.split_once('/')
    {
        return inside.to_string();
    }
    if let Some(rest) = file.strip_prefix("/rustc/")
        && let Some((_, inside)) = rest.split_once('/')
    {
        return inside.to_string();
    }
    file
}

/// The path with `/` separators whatever the platform's, `.` components dropped.
fn slashed(path: &Path) -> String {
    path.components()
        .filter(|c| *c != Component::CurDir)
        .collect::<std::path::PathBuf>()
        .to_string_lossy()
        .replace(std::path::MAIN_SEPARATOR, "/")
}

/// A file secgate read, named for the user in messages and reports (the lockfile, a found
/// policy, an imported deny.toml): relative to the current directory when it lies inside it
/// (`fixtures/app/Cargo.lock`, as the user would type it), otherwise as it is (absolute when
/// secgate found it, as given when the user gave it).
pub fn cwd_relative(path: &Path) -> String {
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(relative) = path.strip_prefix(&cwd)
        && !relative.as_os_str().is_empty()
    {
        return relative.display().to_string();
    }
    path.display().to_string()
}

/// Whether a displayed file is in a dependency (a registry folder `name-1.2.3/…`), the standard
/// library (`library/…`) or outside the workspace (an absolute path) rather than workspace code.
pub fn is_dependency_file(file: &str) -> bool {
    if file.starts_with("library/") || file.starts_with('/') {
        return true;
    }
    let first = file.split('/').next().unwrap_or_default();
    first.rsplit_once('-').is_some_and(|(_, version)| {
        version.starts_with(|c: char| c.is_ascii_digit()) && version.contains('.')
    })
}

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of every line; the first is 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and column (in characters) of byte `offset`; an offset past the end is
    /// the end, one inside a character is that character.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        let saturate = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (saturate(line), saturate(column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_short() {
        let root = Path::new("/home/dev/app");
        assert_eq!(
            display_path("/home/dev/app/src/main.rs", root),
            "src/main.rs"
        );
        assert_eq!(
            display_path(
                "/h/.cargo/registry/src/index.crates.io-1/smallvec-0.6.13/lib.rs",
                root
            ),
            "smallvec-0.6.13/lib.rs"
        );
        assert_eq!(
            display_path("/rustc/5980/library/core/src/option.rs", root),
            "library/core/src/option.rs"
        );
        assert_eq!(display_path("/elsewhere/x.rs", root), "/elsewhere/x.rs");
    }

    #[test]
    fn workspace_paths_use_slashes_and_others_are_none() {
        let root = Path::new("/home/dev/app");
        assert_eq!(display_path("src/./main.rs", root), "src/main.rs");
        assert_eq!(
            workspace_relative(Path::new("/home/dev/app/a/b.rs"), root).as_deref(),
            Some("a/b.rs")
        );
        assert_eq!(workspace_relative(Path::new("/other/b.rs"), root), None);
    }

    #[test]
    fn dependency_files_are_told_from_workspace_files() {
        assert!(is_dependency_file("smallvec-0.6.13/lib.rs"));
        assert!(is_dependency_file("libgit2-sys-0.16.1+1.7.1/lib.rs"));
        assert!(is_dependency_file("library/core/src/option.rs"));
        assert!(!is_dependency_file("src/main.rs"));
        assert!(!is_dependency_file("helper/src/lib.rs"));
        assert!(!is_dependency_file("crates/my-tool/src/lib.rs"));
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let index = LineIndex::new("ab\n\u{e9}x\n\nlast");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (1, 3));
        assert_eq!(index.position(3), (2, 1));
        // After the two-byte é: column 2.
        assert_eq!(index.position(5), (2, 2));
        // Inside the é: the é itself.
        assert_eq!(index.position(4), (2, 1));
        assert_eq!(index.position(7), (3, 1));
        assert_eq!(index.position(8), (4, 1));
        assert_eq!(index.position(1000), (4, 5));
        assert_eq!(LineIndex::new("").position(0), (1, 1));
    }
}
