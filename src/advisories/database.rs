//! Opening the RustSec advisory database: a local directory, or cargo-audit's cache
//! (`$CARGO_HOME/advisory-db`), fetched or updated through `rustsec`'s git support.
//!
//! Only the advisories of crates that are in the lockfile are parsed (in parallel): the database
//! keeps one directory per crate, so the rest can never match and need not be read. A malformed
//! advisory of a locked crate fails the scan; the others are counted, not parsed.

use crate::error::{AdvisoryFileError, Error};
use crate::report::{DatabaseInfo, DatabaseOrigin};
use rayon::prelude::*;
use rustsec::Advisory;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The upstream database that cargo-audit also uses.
pub const DEFAULT_URL: &str = rustsec::repository::git::DEFAULT_URL;

/// A database older than this gets a warning in the report.
const STALE_AFTER: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// Where the advisory database comes from.
#[derive(Clone, Debug)]
pub enum DatabaseSource {
    /// A local copy given with `--db`, used as it is and never fetched.
    Local(PathBuf),
    /// cargo-audit's cache; fetched or updated from `url` unless `offline`.
    Cache { offline: bool, url: String },
}

/// An opened advisory database: its root directory and what the report says about it.
#[derive(Debug)]
pub struct AdvisoryDatabase {
    root: PathBuf,
    pub info: DatabaseInfo,
    /// Notes for the report (a failed fetch, a stale copy).
    pub warnings: Vec<String>,
}

impl AdvisoryDatabase {
    pub fn open(source: &DatabaseSource) -> Result<AdvisoryDatabase, Error> {
        match source {
            DatabaseSource::Local(dir) => Self::open_dir(dir, DatabaseOrigin::Local, Vec::new()),
            DatabaseSource::Cache { offline, url } => Self::open_cache(*offline, url),
        }
    }

    fn open_cache(offline: bool, url: &str) -> Result<AdvisoryDatabase, Error> {
        let path = default_cache_path()?;
        if offline {
            return if is_database(&path) {
                Self::open_dir(&path, DatabaseOrigin::Cache, Vec::new())
            } else {
                Err(Error::NoDatabase {
                    path,
                    reason: "--offline was given and there is no cached copy".into(),
                })
            };
        }
        let fetched = rustsec::Repository::fetch(url, &path, false, Duration::from_secs(5 * 60));
        match fetched {
            Ok(_) => Self::open_dir(&path, DatabaseOrigin::Fetched, Vec::new()),
            Err(e) if is_database(&path) => {
                let mut db = Self::open_dir(&path, DatabaseOrigin::Cache, Vec::new())?;
                let age = db
                    .info
                    .last_updated
                    .clone()
                    .unwrap_or_else(|| "an unknown time".into());
                db.warnings.insert(
                    0,
                    format!("could not update the advisory database from {url} ({e}); using the cached copy last updated {age}"),
                );
                Ok(db)
            }
            Err(e) => Err(Error::NoDatabase {
                path,
                reason: format!("fetching {url} failed: {e}"),
            }),
        }
    }

    fn open_dir(
        dir: &Path,
        source: DatabaseOrigin,
        mut warnings: Vec<String>,
    ) -> Result<AdvisoryDatabase, Error> {
        if !is_database(dir) {
            return Err(Error::NoDatabase {
                path: dir.to_path_buf(),
                reason: "it has no `crates` directory".into(),
            });
        }
        let (advisory_count, newest) = survey(dir);
        let (last_commit, updated) = match last_commit(dir) {
            Some((commit, time)) => (Some(commit), Some(time)),
            None => (None, newest),
        };
        if let Some(updated) = updated
            && SystemTime::now()
                .duration_since(updated)
                .is_ok_and(|age| age > STALE_AFTER)
        {
            let what = if last_commit.is_some() {
                "was last updated"
            } else {
                "has no advisory newer than"
            };
            warnings.push(format!(
                "the advisory database at {} {what} {}, more than 90 days ago",
                dir.display(),
                rfc3339(updated)
            ));
        }
        let info = DatabaseInfo {
            path: dir.display().to_string(),
            source,
            last_commit,
            last_updated: updated.map(rfc3339),
            advisory_count,
        };
        Ok(AdvisoryDatabase {
            root: dir.to_path_buf(),
            info,
            warnings,
        })
    }

    /// Parses every advisory filed under the given crate names, in parallel.
    ///
    /// Fails closed: every file that cannot be read or parsed is reported, none is skipped.
    pub fn load<'a>(
        &self,
        crate_names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Advisory>, Error> {
        let names: BTreeSet<&str> = crate_names.into_iter().collect();
        let mut paths = Vec::new();
        for name in names {
            // The lockfile reader refuses such names already; a name is joined to a path here.
            if let Err(why) = crate::workspace::check_crate_name(name) {
                return Err(Error::Advisories(vec![AdvisoryFileError {
                    path: self.root.join("crates"),
                    position: None,
                    message: format!("refusing to look up crate {name:?}: {why}"),
                }]));
            }
            let dir = self.root.join("crates").join(name);
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(dir, e)),
            };
            for entry in entries {
                let path = entry.map_err(|e| Error::io(&dir, e))?.path();
                if !is_hidden(&path) {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        let results: Vec<Result<Option<Advisory>, AdvisoryFileError>> =
            paths.par_iter().map(|path| load_advisory(path)).collect();
        let mut advisories = Vec::new();
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(Some(advisory)) => advisories.push(advisory),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(advisories)
        } else {
            Err(Error::Advisories(errors))
        }
    }
}

/// Reads one advisory file and checks it is filed where its id and crate say.
/// Returns `None` for a placeholder (draft) advisory, which never matches.
fn load_advisory(path: &Path) -> Result<Option<Advisory>, AdvisoryFileError> {
    let fail = |message: String| AdvisoryFileError {
        path: path.to_path_buf(),
        position: None,
        message,
    };
    if path.extension() != Some(OsStr::new("md")) {
        return Err(fail("not an advisory: expected a `.md` file".into()));
    }
    let text = fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let advisory: Advisory =
        text.parse()
            .map_err(|e: rustsec::Error| match toml_error_position(&text, &e) {
                Some((position, message)) => AdvisoryFileError {
                    position: Some(position),
                    message,
                    ..fail(String::new())
                },
                None => fail(error_chain(&e)),
            })?;
    if advisory.metadata.id.is_placeholder() {
        return Ok(None);
    }
    let expected = format!("{}.md", advisory.metadata.id);
    if path.file_name() != Some(OsStr::new(&expected)) {
        return Err(fail(format!(
            "the advisory's id is {}, so the file must be named {expected}",
            advisory.metadata.id
        )));
    }
    let dir = path.parent().and_then(Path::file_name);
    if dir != Some(OsStr::new(advisory.metadata.package.as_str())) {
        return Err(fail(format!(
            "the advisory is for crate `{}` but is filed in another crate's directory",
            advisory.metadata.package
        )));
    }
    Ok(Some(advisory))
}

/// Where in the file a TOML error of the front matter is, and its message. The TOML parser counts
/// from the front matter (after the opening fence, and after the `[advisory]` header rustsec
/// adds to a V4 advisory), one line or more off from the file the reader has open.
fn toml_error_position(text: &str, error: &rustsec::Error) -> Option<((u32, u32), String)> {
    let toml = std::error::Error::source(error)?.downcast_ref::<toml::de::Error>()?;
    let span = toml.span()?;
    let front_matter = rustsec::advisory::Parts::parse(text).ok()?.front_matter;
    // `front_matter` is a slice of `text`: its offset is the distance between their starts.
    let start = (front_matter.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let added = if front_matter.starts_with("[advisory]") {
        0
    } else {
        "[advisory]\n".len()
    };
    let offset = start + span.start.saturating_sub(added);
    let position = crate::location::LineIndex::new(text).position(offset);
    Some((position, toml.message().trim().to_string()))
}

/// An error and its sources on one line: rustsec puts the useful part (the TOML line) in the source.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(text.trim());
        }
        source = cause.source();
    }
    message.replace('\n', " ")
}

fn is_database(dir: &Path) -> bool {
    dir.join("crates").is_dir()
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|name| name.starts_with('.'))
}

/// Counts advisory files in every collection without parsing them, and finds the newest
/// advisory date among them: how current a plain copy is, which its modification time cannot
/// say (copying an old snapshot makes it look new).
fn survey(root: &Path) -> (usize, Option<SystemTime>) {
    let files: Vec<PathBuf> = ["crates", "rust"]
        .iter()
        .filter_map(|collection| fs::read_dir(root.join(collection)).ok())
        .flatten()
        .flatten()
        .filter_map(|entry| fs::read_dir(entry.path()).ok())
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| !is_hidden(path) && path.extension() == Some(OsStr::new("md")))
        .collect();
    let newest = files
        .par_iter()
        .filter_map(|path| advisory_date(&fs::read_to_string(path).ok()?))
        .max();
    let newest = newest.map(|date| SystemTime::from(date.midnight().assume_utc()));
    (files.len(), newest)
}

/// The `date = "YYYY-MM-DD"` of an advisory's front matter, read without parsing the advisory.
fn advisory_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.lines()
        .take_while(|line| !line.starts_with("# "))
        .find_map(|line| line.trim().strip_prefix("date"))
        .and_then(|rest| rest.trim_start().strip_prefix('='))
        .and_then(|value| time::Date::parse(value.trim().trim_matches('"'), &format).ok())
}

/// The HEAD commit and its time, for a git checkout.
fn last_commit(dir: &Path) -> Option<(String, SystemTime)> {
    if dir.join(".git").exists()
        && let Ok(repo) = rustsec::Repository::open(dir)
        && let Ok(commit) = repo.latest_commit()
    {
        return Some((
            commit.commit_id.to_hex(),
            SystemTime::from(commit.timestamp),
        ));
    }
    None
}

fn rfc3339(time: SystemTime) -> String {
    time::OffsetDateTime::from(time)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// cargo-audit's cache: `$CARGO_HOME/advisory-db`.
fn default_cache_path() -> Result<PathBuf, Error> {
    home::cargo_home()
        .map(|home| home.join("advisory-db"))
        .map_err(|e| Error::NoDatabase {
            path: PathBuf::from("$CARGO_HOME/advisory-db"),
            reason: format!("cargo's home directory could not be found ({e})"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str) -> Option<(u32, u32)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("RUSTSEC-2021-0003.md");
        std::fs::write(&path, text).unwrap();
        load_advisory(&path).unwrap_err().position
    }

    #[test]
    fn a_copied_old_snapshot_is_stale_by_its_newest_advisory() {
        let dir = tempfile::tempdir().unwrap();
        let crate_dir = dir.path().join("crates/old");
        std::fs::create_dir_all(&crate_dir).unwrap();
        for (id, date) in [
            ("RUSTSEC-2020-0001", "2020-03-01"),
            ("RUSTSEC-2020-0002", "2020-05-17"),
        ] {
            let text = format!(
                "```toml\n[advisory]\nid = \"{id}\"\npackage = \"old\"\ndate = \"{date}\"\n```\n\n# T\n\nD.\n"
            );
            std::fs::write(crate_dir.join(format!("{id}.md")), text).unwrap();
        }
        // Written just now, so the directory's modification time is fresh.
        let db = AdvisoryDatabase::open(&DatabaseSource::Local(dir.path().to_path_buf())).unwrap();
        assert_eq!(db.info.advisory_count, 2);
        assert_eq!(
            db.info.last_updated.as_deref(),
            Some("2020-05-17T00:00:00Z")
        );
        assert_eq!(db.warnings.len(), 1, "{:?}", db.warnings);
        assert!(db.warnings[0].contains("has no advisory newer than 2020-05-17"));
    }

    #[test]
    fn toml_errors_point_at_the_line_of_the_file() {
        let body = "\n```\n\n# Title\n\nText.\n";
        // With the `[advisory]` header (V3) and without it (V4, where rustsec adds one).
        let v3 = format!("```toml\n[advisory]\nid = \"RUSTSEC-2021-0003\"\npackage = 5\n{body}");
        assert_eq!(error_at(&v3), Some((4, 11)));
        let v4 = format!("```toml\nid = \"RUSTSEC-2021-0003\"\n\npackage = 5\n{body}");
        assert_eq!(error_at(&v4), Some((4, 11)));
    }
}
