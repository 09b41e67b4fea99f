//! Existing ignore lists keep working: the advisory ignores of cargo-deny's `deny.toml` and
//! cargo-audit's `.cargo/audit.toml` at the workspace root become ignores of the policy.

use super::{Ignore, Policy};
use crate::error::Error;
use crate::finding::Location;
use crate::location::{LineIndex, cwd_relative};
use std::path::Path;
use toml_edit::{Document, Item, Value};

/// Adds the imported ignores the policy asks for. They are held to the policy's rules: with
/// `require-expiry`, an imported ignore (which cannot carry an expiry) is a policy problem.
pub(super) fn add_imported_ignores(policy: &mut Policy, root: &Path) -> Result<(), Error> {
    let mut problems = Vec::new();
    let require_expiry = policy.ignore_rules.require_expiry;
    let files = [
        (
            policy.ignore_rules.import_deny_toml,
            "deny.toml",
            "import-deny-toml",
        ),
        (
            policy.ignore_rules.import_audit_toml,
            ".cargo/audit.toml",
            "import-audit-toml",
        ),
    ];
    for (import, file, key) in files {
        if !import {
            continue;
        }
        for (ignore, column) in read(root, file)? {
            if require_expiry {
                problems.push(super::PolicyProblem {
                    file: ignore.origin.file.clone(),
                    line: ignore.origin.line,
                    column,
                    message: format!(
                        "this policy requires every ignore to have an expiry, and the ignore of {} \
                         imported from {file} has none: move it to the policy's [[ignore]] with \
                         `expires`, or set [ignores] {key} = false",
                        ignore.id
                    ),
                });
            }
            policy.ignores.push(ignore);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Policy(problems))
    }
}

/// `[advisories] ignore = ["RUSTSEC-…", { id = "RUSTSEC-…", reason = "…" }]` from one file, each
/// with the column where its entry starts.
fn read(root: &Path, file: &str) -> Result<Vec<(Ignore, u32)>, Error> {
    let path = root.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    // Named as the policy file is: relative to the current directory, or absolute.
    let name = cwd_relative(&path);
    let lines = LineIndex::new(&text);
    let document = Document::parse(text.as_str()).map_err(|e| {
        let (line, column) = lines.position(e.span().map_or(0, |s| s.start));
        Error::Policy(vec![super::PolicyProblem {
            file: name.clone(),
            line,
            column,
            message: e.message().to_string(),
        }])
    })?;
    let Some(Item::Value(Value::Array(list))) = document
        .get("advisories")
        .and_then(|a| a.as_table_like())
        .and_then(|a| a.get("ignore"))
    else {
        return Ok(Vec::new());
    };
    let mut ignores = Vec::new();
    for entry in list.iter() {
        let offset = entry.span().map_or(0, |s| s.start);
        let (id, reason) = match entry {
            Value::String(id) => (id.value().clone(), None),
            Value::InlineTable(table) => (
                table
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                table
                    .get("reason")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            _ => continue,
        };
        if id.is_empty() {
            continue;
        }
        let (line, column) = lines.position(offset);
        ignores.push((
            Ignore {
                id,
                package: None,
                version: None,
                path: None,
                reason: reason
                    .unwrap_or_else(|| format!("imported from {file} (no reason given there)")),
                expires: None,
                origin: Location {
                    file: name.clone(),
                    line,
                    column: None,
                },
            },
            column,
        ));
    }
    Ok(ignores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_deny_and_audit_ignores() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("deny.toml"),
            "[advisories]\nignore = [\n  \"RUSTSEC-2020-0071\",\n  { id = \"RUSTSEC-2021-0003\", reason = \"not on our path\" },\n]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join(".cargo")).unwrap();
        std::fs::write(
            dir.path().join(".cargo/audit.toml"),
            "[advisories]\nignore = [\"RUSTSEC-2019-0033\"]\n",
        )
        .unwrap();
        let mut policy = crate::policy::bundled_default().unwrap();
        add_imported_ignores(&mut policy, dir.path()).unwrap();
        let found: Vec<(&str, &str, u32)> = policy
            .ignores
            .iter()
            .map(|i| (i.id.as_str(), i.origin.file.as_str(), i.origin.line))
            .collect();
        // Named with their directory, as the policy file is.
        let deny = dir.path().join("deny.toml").display().to_string();
        let audit = dir.path().join(".cargo/audit.toml").display().to_string();
        assert_eq!(
            found,
            [
                ("RUSTSEC-2020-0071", deny.as_str(), 3),
                ("RUSTSEC-2021-0003", deny.as_str(), 4),
                ("RUSTSEC-2019-0033", audit.as_str(), 2)
            ]
        );
        assert_eq!(policy.ignores[1].reason, "not on our path");
        assert!(policy.ignores[0].reason.contains("imported from deny.toml"));
    }

    #[test]
    fn require_expiry_holds_for_imported_ignores() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("deny.toml"),
            "[advisories]\nignore = [\n  \"A\",\n    { id = \"B\" },\n]\n",
        )
        .unwrap();
        let mut policy = crate::policy::bundled_default().unwrap();
        policy.ignore_rules.require_expiry = true;
        let Err(Error::Policy(problems)) = add_imported_ignores(&mut policy, dir.path()) else {
            panic!("imported ignores without an expiry pass a policy that requires one");
        };
        let at: Vec<(u32, u32)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, [(3, 3), (4, 5)]);
        assert!(
            problems[0]
                .message
                .contains("imported from deny.toml has none")
        );
    }

    #[test]
    fn imports_can_be_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("deny.toml"),
            "[advisories]\nignore = [\"X\"]\n",
        )
        .unwrap();
        let mut policy = crate::policy::bundled_default().unwrap();
        policy.ignore_rules.import_deny_toml = false;
        add_imported_ignores(&mut policy, dir.path()).unwrap();
        assert!(policy.ignores.is_empty());
    }
}
