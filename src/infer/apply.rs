//! Inferred functions at scan time: a vulnerability whose advisory lists no functions gets the
//! functions its fix changed, from the data bundled into secgate (computed by `cargo secgate
//! infer` over the RustSec database), from a data file the user names, or — for an advisory newer
//! than that data — inferred on the fly and cached under `$CARGO_HOME`.
//!
//! An inferred set applies only on the release line it was inferred on (`1.5.4 → 1.5.5` says
//! nothing about `0.9`): elsewhere the finding keeps no functions and says why. Whether an
//! inferred verdict counts is the policy's decision (`[advisories.inferred]`), not this module's.

use super::{InferredAdvisory, InferredData, InferredFix};
use crate::error::Error;
use crate::finding::{Finding, FunctionsSource, Inference, Kind};
use rustsec::Version;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The data shipped with this release of secgate.
const BUNDLED: &str = include_str!("../../data/inferred-functions.json");

/// Inferred functions by advisory id.
#[derive(Debug, Clone, Default)]
pub struct InferredSets {
    /// Where the sets came from, for messages (`bundled inferred data`, `inferred data in FILE`).
    pub origin: String,
    by_id: BTreeMap<String, InferredAdvisory>,
}

impl InferredSets {
    /// The data bundled into secgate.
    pub fn bundled() -> InferredSets {
        // The bundled file is checked by a test; a broken one is a build defect, not user input.
        let data: InferredData = serde_json::from_str(BUNDLED).unwrap_or_default();
        InferredSets::from_data("bundled inferred data".into(), data)
    }

    /// A data file written by `cargo secgate infer`.
    pub fn read(path: &Path) -> Result<InferredSets, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let data = parse(&bytes).map_err(|message| Error::InferredData {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(InferredSets::from_data(
            format!("inferred data in {}", path.display()),
            data,
        ))
    }

    fn from_data(origin: String, data: InferredData) -> InferredSets {
        let by_id = data
            .advisories
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        InferredSets { origin, by_id }
    }

    pub fn get(&self, id: &str) -> Option<&InferredAdvisory> {
        self.by_id.get(id)
    }
}

/// Parses inferred-functions data, with the position of the first problem.
pub fn parse(bytes: &[u8]) -> Result<InferredData, String> {
    let data: InferredData = serde_json::from_slice(bytes)
        .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
    if data.version != super::DATA_VERSION {
        return Err(format!(
            "format version {} (this secgate reads version {})",
            data.version,
            super::DATA_VERSION
        ));
    }
    Ok(data)
}

/// Where on-the-fly inferences are kept between scans: `$CARGO_HOME/secgate/inferred`.
pub fn cache_dir() -> PathBuf {
    super::cargo_home().join("secgate/inferred")
}

/// Whether inferred functions are for this finding: a vulnerability whose advisory lists no
/// functions, still to be analysed (not already ruled out by platform).
pub fn wants_functions(finding: &Finding) -> bool {
    finding.kind == Kind::Vulnerability
        && finding.functions_source == Some(FunctionsSource::None)
        && finding.reachability_reason == crate::advisories::NOT_ANALYSED
}

/// Gives each vulnerability whose advisory lists no functions the inferred set for its locked
/// version, where there is one. `more` is asked for advisories the sets do not cover (an
/// on-the-fly inference, or why it may not run); the ids it could not cover are returned.
pub fn apply(
    findings: &mut [Finding],
    sets: &InferredSets,
    more: &mut dyn FnMut(&str) -> Result<InferredAdvisory, String>,
) -> Vec<String> {
    let mut not_covered = Vec::new();
    for finding in findings.iter_mut().filter(|f| wants_functions(f)) {
        let Some(package) = &finding.package else {
            continue;
        };
        let Ok(locked) = package.version.parse::<Version>() else {
            continue;
        };
        let found;
        let entry = match sets.get(&finding.id) {
            Some(entry) => entry,
            None => match more(&finding.id) {
                Ok(entry) => {
                    found = entry;
                    &found
                }
                Err(why) => {
                    not_covered.push(finding.id.clone());
                    finding.inference = Some(Inference::none(why));
                    continue;
                }
            },
        };
        let fix = fix_for(entry, &locked);
        let inference = inference_for(entry, fix, &locked);
        if let (Some(fix), None) = (fix, &inference.unused) {
            finding.affected_functions = fix.functions.clone();
            finding.functions_source = Some(FunctionsSource::Inferred);
        }
        finding.inference = Some(inference);
    }
    not_covered.sort();
    not_covered.dedup();
    not_covered
}

/// The fix whose vulnerable release is on the locked version's release line, the closest
/// patched release above the locked version first.
fn fix_for<'a>(entry: &'a InferredAdvisory, locked: &Version) -> Option<&'a InferredFix> {
    entry
        .fixes
        .iter()
        .filter_map(|fix| Some((fix, fix.vulnerable.parse::<Version>().ok()?)))
        .filter(|(_, vulnerable)| same_line(vulnerable, locked))
        .filter_map(|(fix, _)| Some((fix, fix.patched.parse::<Version>().ok()?)))
        .filter(|(_, patched)| patched > locked)
        .min_by(|a, b| a.1.cmp(&b.1))
        .map(|(fix, _)| fix)
}

/// The evidence for the locked version: the fix on its line (`fix`) and whether its set is usable.
fn inference_for(
    entry: &InferredAdvisory,
    fix: Option<&InferredFix>,
    locked: &Version,
) -> Inference {
    let Some(fix) = fix else {
        let lines: Vec<String> = entry
            .fixes
            .iter()
            .map(|f| format!("{} → {}", f.vulnerable, f.patched))
            .collect();
        let unused = match (&entry.unknown, lines.is_empty()) {
            (Some(why), _) => why.clone(),
            (None, true) => "no fix to compare".into(),
            (None, false) => format!(
                "the fix was inferred on another release line ({}); {locked} is not on it",
                lines.join(", ")
            ),
        };
        return Inference::none(unused);
    };
    let confidence = fix.confidence;
    let unused = if fix.functions.is_empty() || confidence.is_none() {
        Some(
            fix.unknown
                .clone()
                .unwrap_or_else(|| "the fix changed no function".into()),
        )
    } else {
        None
    };
    Inference {
        vulnerable: Some(fix.vulnerable.clone()),
        patched: Some(fix.patched.clone()),
        changed_items: fix.changed_items,
        confidence,
        unused,
    }
}

/// Whether two releases are on the same semver-compatible line (same major version, or for
/// `0.x` the same minor, or for `0.0.x` the same patch).
fn same_line(a: &Version, b: &Version) -> bool {
    match (a.major, b.major) {
        (0, 0) if a.minor == 0 && b.minor == 0 => a.patch == b.patch,
        (0, 0) => a.minor == b.minor,
        (x, y) => x == y,
    }
}

/// Reads the cached on-the-fly inference of an advisory; `key` names its version ranges, so a
/// changed advisory is inferred anew.
pub fn cached(dir: &Path, id: &str, key: &str) -> Option<InferredAdvisory> {
    let bytes = std::fs::read(dir.join(format!("{id}-{key}.json"))).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps an on-the-fly inference for the next scan (best effort: a cache that cannot be written
/// only costs the next scan the download).
pub fn store(dir: &Path, id: &str, key: &str, entry: &InferredAdvisory) {
    let Ok(bytes) = serde_json::to_vec(entry) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // Written beside and renamed, so a reader never sees half a file.
    let Ok(mut file) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    if std::io::Write::write_all(&mut file, &bytes).is_ok() {
        let _ = file.persist(dir.join(format!("{id}-{key}.json")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Package};

    fn entry(fixes: &[(&str, &str, &[&str])]) -> InferredAdvisory {
        InferredAdvisory {
            id: "RUSTSEC-0000-0001".into(),
            package: "demo".into(),
            listed: Vec::new(),
            fixes: fixes
                .iter()
                .map(|(vulnerable, patched, functions)| InferredFix {
                    vulnerable: vulnerable.to_string(),
                    patched: patched.to_string(),
                    functions: functions.iter().map(|f| f.to_string()).collect(),
                    changed_items: functions.len(),
                    confidence: super::super::confidence_of(functions.len()),
                    unknown: None,
                })
                .collect(),
            unknown: None,
        }
    }

    fn vulnerability(version: &str) -> Finding {
        Finding {
            package: Some(Package {
                name: "demo".into(),
                version: version.into(),
            }),
            functions_source: Some(FunctionsSource::None),
            reachability_reason: crate::advisories::NOT_ANALYSED.into(),
            ..Finding::new("RUSTSEC-0000-0001", Kind::Vulnerability, "t")
        }
    }

    fn sets(entry: InferredAdvisory) -> InferredSets {
        InferredSets::from_data(
            "test".into(),
            InferredData {
                version: 1,
                advisories: vec![entry],
            },
        )
    }

    #[test]
    fn the_fix_on_the_locked_line_gives_the_functions() {
        let data = sets(entry(&[
            ("0.3.4", "0.3.5", &["demo::old_line"]),
            ("1.5.4", "1.5.5", &["demo::a", "demo::b"]),
            ("1.6.1", "1.6.2", &["demo::later"]),
        ]));
        let mut findings = vec![vulnerability("1.4.3")];
        let missing = apply(&mut findings, &data, &mut |_| Err("offline".into()));
        assert!(missing.is_empty());
        let f = &findings[0];
        assert_eq!(f.affected_functions, ["demo::a", "demo::b"]);
        assert_eq!(f.functions_source, Some(FunctionsSource::Inferred));
        let inference = f.inference.as_ref().unwrap();
        assert_eq!(inference.vulnerable.as_deref(), Some("1.5.4"));
        assert_eq!(inference.confidence, Some(Confidence::High));
        assert_eq!(
            inference.describe(),
            "inferred from the fix 1.5.4 → 1.5.5 (2 changed items, high confidence)"
        );
    }

    #[test]
    fn another_release_line_keeps_no_functions_and_says_why() {
        let data = sets(entry(&[("1.5.4", "1.5.5", &["demo::a"])]));
        for locked in ["0.9.0", "2.0.0"] {
            let mut findings = vec![vulnerability(locked)];
            apply(&mut findings, &data, &mut |_| Err("offline".into()));
            let f = &findings[0];
            assert!(f.affected_functions.is_empty(), "{locked}");
            assert_eq!(f.functions_source, Some(FunctionsSource::None));
            let unused = f.inference.as_ref().unwrap().unused.as_deref().unwrap();
            assert!(
                unused.contains("another release line (1.5.4 → 1.5.5)"),
                "{unused}"
            );
        }
    }

    #[test]
    fn zero_versions_are_lines_of_their_own() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(same_line(&v("0.4.1"), &v("0.4.19")));
        assert!(!same_line(&v("0.3.9"), &v("0.4.0")));
        assert!(!same_line(&v("0.0.1"), &v("0.0.2")));
        assert!(same_line(&v("1.0.0"), &v("1.99.0")));
    }

    #[test]
    fn a_set_without_confidence_is_not_used() {
        let mut broad = entry(&[("1.0.0", "1.0.1", &[])]);
        broad.fixes[0].unknown = Some("fix too broad: 140 functions changed".into());
        let data = sets(broad);
        let mut findings = vec![vulnerability("1.0.0")];
        apply(&mut findings, &data, &mut |_| Err("offline".into()));
        let inference = findings[0].inference.as_ref().unwrap();
        assert_eq!(
            inference.unused.as_deref(),
            Some("fix too broad: 140 functions changed")
        );
        assert!(findings[0].affected_functions.is_empty());
    }

    #[test]
    fn listed_functions_and_other_kinds_are_left_alone() {
        let data = sets(entry(&[("1.5.4", "1.5.5", &["demo::a"])]));
        let mut listed = vulnerability("1.5.4");
        listed.functions_source = Some(FunctionsSource::Advisory);
        listed.affected_functions = vec!["demo::listed".into()];
        let mut unsound = vulnerability("1.5.4");
        unsound.kind = Kind::Unsound;
        let mut findings = vec![listed, unsound];
        apply(&mut findings, &data, &mut |_| Err("offline".into()));
        assert_eq!(findings[0].affected_functions, ["demo::listed"]);
        assert!(findings[1].inference.is_none());
    }

    #[test]
    fn advisories_the_data_does_not_cover_are_asked_for_then_named() {
        let data = InferredSets::default();
        let mut findings = vec![vulnerability("1.5.4"), vulnerability("1.5.4")];
        let mut asked = 0;
        let missing = apply(&mut findings, &data, &mut |_| {
            asked += 1;
            Err("--offline".into())
        });
        assert_eq!(asked, 2);
        assert_eq!(missing, ["RUSTSEC-0000-0001"]);
        assert_eq!(
            findings[0].inference.as_ref().unwrap().describe(),
            "none inferred: --offline"
        );
        let covered = entry(&[("1.5.4", "1.5.5", &["demo::a"])]);
        let missing = apply(&mut findings, &data, &mut |_| Ok(covered.clone()));
        assert!(missing.is_empty());
        assert_eq!(findings[0].affected_functions, ["demo::a"]);
    }

    #[test]
    fn bad_data_names_the_position() {
        let err = parse(b"{\"version\": 1,\n \"advisories\": [ {\"id\": 3} ]}").unwrap_err();
        assert!(err.starts_with("line 2, column"), "{err}");
        let err = parse(b"{\"version\": 9, \"advisories\": []}").unwrap_err();
        assert!(err.contains("format version 9"), "{err}");
    }

    #[test]
    fn the_bundled_data_parses_and_is_current() {
        let data = parse(BUNDLED.as_bytes()).expect("data/inferred-functions.json");
        assert!(data.advisories.iter().all(|a| a.listed.is_empty()));
        assert!(data.advisories.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn the_cache_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let e = entry(&[("1.5.4", "1.5.5", &["demo::a"])]);
        assert!(cached(dir.path(), &e.id, "k").is_none());
        store(dir.path(), &e.id, "k", &e);
        assert_eq!(cached(dir.path(), &e.id, "k"), Some(e.clone()));
        assert!(cached(dir.path(), &e.id, "other").is_none());
    }
}
