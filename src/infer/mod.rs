//! Inferring an advisory's vulnerable functions from its fix, for advisories that list none
//! (issue 11): the last vulnerable and the first patched release are chosen from the registry's
//! history ([`pair`]) and their sources are compared item by item ([`diff`]); the changed and
//! removed functions of the vulnerable release stand in for `[affected.functions]`.
//!
//! Nothing here compiles or runs a crate's code: sources are read with `syn`.

pub mod apply;
pub mod diff;
pub mod fetch;
pub mod measure;
pub mod pair;

use crate::advisories::{AdvisoryDatabase, DatabaseSource};
use crate::error::Error;
use crate::finding::Confidence;
use rayon::prelude::*;
use rustsec::Advisory;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The version of the inferred-functions data format.
pub const DATA_VERSION: u32 = 1;

/// Inferred functions for a database's advisories: what `cargo secgate infer` writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferredData {
    pub version: u32,
    /// One entry per advisory, sorted by id.
    pub advisories: Vec<InferredAdvisory>,
}

/// What the inference found for one advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferredAdvisory {
    pub id: String,
    pub package: String,
    /// The advisory's own `[affected.functions]`, for the blind measurement (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<String>,
    /// One result per patched line diffed.
    pub fixes: Vec<InferredFix>,
    /// Why there is no set at all, when there is none (no patched version, not on the index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

/// The functions one fix changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferredFix {
    /// The last vulnerable release and the first patched one.
    pub vulnerable: String,
    pub patched: String,
    /// Changed or removed functions of the vulnerable release, crate name first.
    pub functions: Vec<String>,
    /// Items of any kind the fix changed.
    pub changed_items: usize,
    /// `high`, `medium` or `low`; absent when there is no usable set (then `unknown` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

/// What to infer.
#[derive(Debug, Clone, Default)]
pub struct InferOptions {
    /// Also the advisories that list functions (pretending they do not), to measure recall.
    pub blind: bool,
    /// Only these advisory ids (all when empty).
    pub only: Vec<String>,
    /// Never download: only releases cargo already has.
    pub offline: bool,
}

/// Infers the functions of every active vulnerability advisory in the database at `db` that
/// lists none (and, with `blind`, of those that do).
pub fn infer_database(db: &Path, options: &InferOptions) -> Result<InferredData, Error> {
    let database = AdvisoryDatabase::open(&DatabaseSource::Local(db.to_path_buf()))?;
    let crates_dir = db.join("crates");
    let names: Vec<String> = std::fs::read_dir(&crates_dir)
        .map_err(|e| Error::io(&crates_dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let advisories = database.load(names.iter().map(String::as_str))?;
    let cargo_home = cargo_home();
    let mut selected: Vec<&Advisory> = advisories
        .iter()
        .filter(|a| a.metadata.withdrawn.is_none() && a.metadata.informational.is_none())
        .filter(|a| options.blind || listed_functions(a).is_empty())
        .filter(|a| options.only.is_empty() || options.only.contains(&a.metadata.id.to_string()))
        .collect();
    selected.sort_by(|a, b| a.metadata.id.cmp(&b.metadata.id));
    // Downloads go through cargo one at a time (it locks its cache); diffs run in parallel.
    let mut results: Vec<InferredAdvisory> = selected
        .iter()
        .map(|advisory| prepare(advisory, &cargo_home, options.offline))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(finish)
        .collect();
    results.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(InferredData {
        version: DATA_VERSION,
        advisories: results,
    })
}

/// Infers the functions of one advisory at scan time (one the data does not cover), and whether
/// every release it needed could be had (a failed download is worth trying again; a result is
/// worth keeping).
pub fn infer_advisory(advisory: &Advisory) -> (InferredAdvisory, bool) {
    let prepared = prepare(advisory, &cargo_home(), false);
    // Without pairs there is nothing downloaded to keep; asking again reads cargo's index cache.
    let complete =
        !prepared.pairs.is_empty() && prepared.pairs.iter().all(|(_, sources)| sources.is_ok());
    (finish(prepared), complete)
}

/// The data as JSON the way it is checked in: one advisory per line (a refresh reviews as one
/// changed line per advisory, and the file stays a few hundred KB), a final newline.
pub fn to_json(data: &InferredData) -> Result<Vec<u8>, Error> {
    let error = |e: serde_json::Error| Error::Render {
        format: "inferred functions",
        source: Box::new(e),
    };
    let mut bytes = format!("{{\"version\":{},\"advisories\":[\n", data.version).into_bytes();
    for (i, advisory) in data.advisories.iter().enumerate() {
        serde_json::to_writer(&mut bytes, advisory).map_err(error)?;
        if i + 1 < data.advisories.len() {
            bytes.push(b',');
        }
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"]}\n");
    Ok(bytes)
}

/// Reads data written by [`to_json`] (for the measurement of a blind run).
pub fn read_json(path: &Path) -> Result<InferredData, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Argument {
        argument: path.display().to_string(),
        message: format!("not inferred-functions data: {e}"),
    })
}

/// An advisory with its releases downloaded, ready to diff.
struct Prepared {
    entry: InferredAdvisory,
    /// Each release pair, with both releases' source directories or why they are missing.
    pairs: Vec<(pair::Pair, PairSources)>,
}

/// The vulnerable and the patched release's sources, or why they could not be had.
type PairSources = Result<(PathBuf, PathBuf), String>;

fn prepare(advisory: &Advisory, cargo_home: &Path, offline: bool) -> Prepared {
    let name = advisory.metadata.package.as_str();
    let mut entry = InferredAdvisory {
        id: advisory.metadata.id.to_string(),
        package: name.to_string(),
        listed: listed_functions(advisory),
        fixes: Vec::new(),
        unknown: None,
    };
    let releases = match fetch::releases(cargo_home, name, offline) {
        Ok(releases) => releases,
        Err(why) => {
            entry.unknown = Some(why);
            return Prepared {
                entry,
                pairs: Vec::new(),
            };
        }
    };
    let pairs = pair::pairs(&advisory.versions, &releases);
    if pairs.is_empty() {
        entry.unknown = Some(if advisory.versions.patched().is_empty() {
            "the advisory names no patched version".to_string()
        } else {
            "no vulnerable release precedes a patched one on the index".to_string()
        });
    }
    let pairs = pairs
        .into_iter()
        .map(|p| {
            let dirs = fetch::sources(cargo_home, name, &p.vulnerable.to_string(), offline)
                .and_then(|old| {
                    fetch::sources(cargo_home, name, &p.patched.to_string(), offline)
                        .map(|new| (old, new))
                });
            (p, dirs)
        })
        .collect();
    Prepared { entry, pairs }
}

fn finish(prepared: Prepared) -> InferredAdvisory {
    let mut entry = prepared.entry;
    let krate = crate::finding::crate_name(&entry.package);
    for (pair, dirs) in prepared.pairs {
        let mut fix = InferredFix {
            vulnerable: pair.vulnerable.to_string(),
            patched: pair.patched.to_string(),
            functions: Vec::new(),
            changed_items: 0,
            confidence: None,
            unknown: None,
        };
        match dirs.and_then(|(old, new)| diff::diff(&krate, &old, &new)) {
            Err(why) => fix.unknown = Some(why),
            Ok(found) => {
                fix.changed_items = found.changed_items;
                fix.functions = found.functions.into_iter().collect();
                fix.confidence = confidence_of(fix.functions.len());
                if fix.functions.is_empty() {
                    fix.unknown = Some(if found.rust_files == 0 {
                        format!(
                            "the fix is not in this crate's Rust code (it changed {})",
                            files_named(&found.other_files)
                        )
                    } else {
                        "the fix changed no function (types, constants or formatting only)".into()
                    });
                } else if fix.confidence.is_none() {
                    fix.unknown = Some(format!(
                        "fix too broad: {} functions changed",
                        fix.functions.len()
                    ));
                    fix.functions.clear();
                }
            }
        }
        entry.fixes.push(fix);
    }
    entry
}

/// At most a few of the files a fix changed, for a reason that stays one short line.
fn files_named(files: &[String]) -> String {
    const SHOWN: usize = 6;
    match files.len() {
        0 => "nothing".to_string(),
        n if n <= SHOWN => files.join(", "),
        n => format!(
            "{} and {} other files",
            files[..SHOWN].join(", "),
            n - SHOWN
        ),
    }
}

/// The advisory's own `[affected.functions]` paths.
fn listed_functions(advisory: &Advisory) -> Vec<String> {
    advisory
        .affected
        .as_ref()
        .map(|a| a.functions.keys().map(|p| p.to_string()).collect())
        .unwrap_or_default()
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// Above this many functions the fix is too broad to stand for the vulnerable code.
pub const TOO_BROAD: usize = 100;

/// How much an inferred set is worth as evidence, by the number of functions the fix touched:
/// high for at most 5, medium for at most 25, low above; `None` past [`TOO_BROAD`] or for none.
pub fn confidence_of(functions: usize) -> Option<Confidence> {
    match functions {
        0 => None,
        1..=5 => Some(Confidence::High),
        6..=25 => Some(Confidence::Medium),
        n if n <= TOO_BROAD => Some(Confidence::Low),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::diff::diff;
    use std::path::Path;

    #[test]
    fn the_fix_is_found_item_by_item() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer");
        let found = diff("demo", &root.join("demo-0.1.0"), &root.join("demo-0.1.1")).unwrap();
        let functions: Vec<&str> = found.functions.iter().map(String::as_str).collect();
        assert_eq!(
            functions,
            [
                "demo::Buffer::push",
                "demo::check",
                "demo::legacy_decode",
                "demo::net::parse_header",
                "demo::net::read_frame",
                "demo::util::limit",
            ]
        );
        assert_eq!(found.other_files, ["Cargo.toml", "build.rs"]);
        // push, legacy_decode, parse_header (functions), MAX_LEN (a constant), check (a macro).
        assert_eq!(found.changed_items, 5);
    }

    #[test]
    fn functions_are_named_by_the_module_tree_and_moves_are_left_out() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer");
        let found = diff(
            "layout",
            &root.join("layout-1.0.0"),
            &root.join("layout-1.0.1"),
        )
        .unwrap();
        let functions: Vec<&str> = found.functions.iter().map(String::as_str).collect();
        assert_eq!(
            functions,
            [
                // A blanket impl is named by its trait.
                "layout::Encode::encode",
                // `unsafe impl<T> Send for Holder<T>` gained a `T: Send` bound: the type.
                "layout::Holder",
                // Defined in `#[path = "sys/unix_impl.rs"] mod imp`, for the root's `Reader`.
                "layout::Reader::seek",
                "layout::codec::decode",
                // `#[path = "os/posix.rs"] pub mod os` inside `cfg_if!`.
                "layout::os::open",
            ]
        );
        // `codec::checksum` moved, unchanged, to `hash::checksum`: not a change. The changed
        // `impl From<Reader> for Vec<u8>` has no path in the crate: counted, not named.
        assert_eq!(found.changed_items, 6);
        assert_eq!(found.other_files, ["Cargo.toml", "src/bin/tool.rs"]);
    }

    #[test]
    fn a_long_list_of_other_files_is_cut_short() {
        let files: Vec<String> = (0..9).map(|i| format!("c/{i}.c")).collect();
        assert_eq!(
            super::files_named(&files),
            "c/0.c, c/1.c, c/2.c, c/3.c, c/4.c, c/5.c and 3 other files"
        );
        assert_eq!(super::files_named(&files[..2]), "c/0.c, c/1.c");
        assert_eq!(super::files_named(&[]), "nothing");
    }

    #[test]
    fn the_data_is_written_one_advisory_a_line_and_reads_back() {
        use super::{Confidence, InferredAdvisory, InferredData, InferredFix};
        let fix = InferredFix {
            vulnerable: "0.1.0".into(),
            patched: "0.1.1".into(),
            functions: vec!["demo::net::parse_header".into()],
            changed_items: 1,
            confidence: Some(Confidence::High),
            unknown: None,
        };
        let data = InferredData {
            version: super::DATA_VERSION,
            advisories: vec![
                InferredAdvisory {
                    id: "RUSTSEC-0000-0001".into(),
                    package: "demo".into(),
                    listed: Vec::new(),
                    fixes: vec![fix],
                    unknown: None,
                },
                InferredAdvisory {
                    id: "RUSTSEC-0000-0002".into(),
                    package: "gone".into(),
                    listed: Vec::new(),
                    fixes: Vec::new(),
                    unknown: Some("the advisory names no patched version".into()),
                },
            ],
        };
        let text = String::from_utf8(super::to_json(&data).unwrap()).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("{\"id\":\"RUSTSEC-0000-0001\"")
        );
        let back: InferredData = serde_json::from_str(&text).unwrap();
        assert_eq!(back, data);
        let empty = InferredData {
            version: 1,
            advisories: Vec::new(),
        };
        let text = super::to_json(&empty).unwrap();
        assert_eq!(
            serde_json::from_slice::<InferredData>(&text).unwrap(),
            empty
        );
    }

    #[test]
    fn confidence_follows_the_size_of_the_fix() {
        use super::{Confidence, confidence_of};
        assert_eq!(confidence_of(3), Some(Confidence::High));
        assert_eq!(confidence_of(25), Some(Confidence::Medium));
        assert_eq!(confidence_of(26), Some(Confidence::Low));
        assert_eq!(confidence_of(101), None, "too broad");
        assert_eq!(confidence_of(0), None, "nothing in the Rust code");
    }
}
