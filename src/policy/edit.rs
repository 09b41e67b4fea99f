//! `cargo secgate ignore ID --reason …`: adds an `[[ignore]]` to the policy file, keeping its
//! comments and layout (`toml_edit`), and writes it atomically.

use super::load::{POLICY_FILE, parse, parse_date};
use crate::error::Error;
use crate::location::LineIndex;
use std::path::Path;
use toml_edit::{ArrayOfTables, Document, DocumentMut, Item, Table, value};

/// What to ignore.
#[derive(Debug, Clone)]
pub struct NewIgnore {
    pub id: String,
    pub reason: String,
    pub expires: Option<String>,
    pub package: Option<String>,
    pub version: Option<String>,
    pub path: Option<String>,
}

/// Adds `ignore` to the policy file at `path` (created if missing) and checks the result.
pub fn add_ignore(path: &Path, ignore: &NewIgnore) -> Result<(), Error> {
    if ignore.reason.trim().is_empty() {
        return Err(Error::Argument {
            argument: "--reason".into(),
            message: "it must say why the risk is accepted".into(),
        });
    }
    if let Some(expires) = &ignore.expires
        && parse_date(expires).is_none()
    {
        return Err(Error::Argument {
            argument: "--expires".into(),
            message: format!("{expires:?} is not a date written YYYY-MM-DD"),
        });
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# secgate policy: see policies/default.toml for every key and its default.\n"
                .to_string()
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    // Problems point into the file as it is: the spanned document knows where, the editable one
    // does not keep spans.
    let lines = LineIndex::new(&text);
    let invalid = |offset: usize, message: String| {
        let (line, column) = lines.position(offset);
        Error::Policy(vec![super::PolicyProblem {
            file: path.display().to_string(),
            line,
            column,
            message,
        }])
    };
    let spanned = Document::parse(text.as_str()).map_err(|e| {
        invalid(
            e.span().map_or(0, |s| s.start),
            format!("cannot edit: {}", e.message().trim()),
        )
    })?;
    let ignore_offset = spanned
        .get("ignore")
        .and_then(Item::span)
        .map_or(0, |s| s.start);
    let mut document: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(0, format!("cannot edit: {}", e.message())))?;
    let mut entry = Table::new();
    entry.insert("id", value(ignore.id.as_str()));
    for (key, field) in [
        ("package", &ignore.package),
        ("version", &ignore.version),
        ("path", &ignore.path),
    ] {
        if let Some(text) = field {
            entry.insert(key, value(text.as_str()));
        }
    }
    entry.insert("reason", value(ignore.reason.as_str()));
    if let Some(expires) = &ignore.expires {
        entry.insert("expires", value(expires.as_str()));
    }
    match document.get_mut("ignore") {
        Some(Item::ArrayOfTables(array)) => array.push(entry),
        Some(_) => {
            return Err(invalid(
                ignore_offset,
                "`ignore` is not an array of [[ignore]] tables".into(),
            ));
        }
        None => {
            let mut array = ArrayOfTables::new();
            array.push(entry);
            document.insert("ignore", Item::ArrayOfTables(array));
        }
    }
    let updated = document.to_string();
    let name = path.display().to_string();
    parse(&updated, &name, &name).map_err(Error::Policy)?;
    crate::output::write_atomically(path, updated.as_bytes())
}

/// The policy file `cargo secgate ignore` edits for a workspace root.
pub fn default_path(root: &Path) -> std::path::PathBuf {
    root.join(POLICY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_ignore(expires: Option<&str>) -> NewIgnore {
        NewIgnore {
            id: "RUSTSEC-2021-0003".into(),
            reason: "only trusted input reaches it".into(),
            expires: expires.map(str::to_string),
            package: Some("smallvec".into()),
            version: None,
            path: None,
        }
    }

    #[test]
    fn keeps_comments_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secgate.toml");
        let original = "# our policy\n[advisories]\nfail-on = \"medium\" # stricter than default\n";
        std::fs::write(&path, original).unwrap();
        add_ignore(&path, &new_ignore(Some("2027-01-31"))).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "{text}");
        assert!(text.ends_with(
            "\n[[ignore]]\nid = \"RUSTSEC-2021-0003\"\npackage = \"smallvec\"\nreason = \"only trusted input reaches it\"\nexpires = \"2027-01-31\"\n"
        ), "{text}");
    }

    #[test]
    fn creates_the_file_and_rejects_bad_dates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secgate.toml");
        assert!(add_ignore(&path, &new_ignore(Some("31/01/2027"))).is_err());
        assert!(!path.exists(), "nothing half-written");
        add_ignore(&path, &new_ignore(None)).unwrap();
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("[[ignore]]")
        );
    }
}
