//! Measuring inferred sets against the functions advisories list, blind: the output of `infer
//! --blind` holds, for every advisory, the set inferred from its fix and the `listed` functions
//! the inference did not see. The table this prints is what `docs/inference.md` reports.
//!
//! Paths are compared twice: as written (plain equality), and after resolving both the listed and
//! the inferred paths through the module tree of the vulnerable release to where their items are
//! defined, the way the scan matches them (a listed `lz4_flex::block::decompress` is the same
//! function as an inferred `lz4_flex::block::decompress_safe::decompress`). A method or closure
//! of a listed type or function counts as that item, as it does at scan time.

use super::{InferredAdvisory, InferredData, diff, fetch};
use crate::reachability::{CrateTree, Resolution};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// The figures of one measurement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Active vulnerability advisories in the data.
    pub advisories: usize,
    /// Of those, the ones that list functions, and the ones that got an inferred set.
    pub listed: usize,
    pub inferred: usize,
    /// Advisories with functions from either source.
    pub either: usize,
    /// Advisories that list no functions, and those of them that got a set.
    pub unlisted: usize,
    pub unlisted_inferred: usize,
    /// Blind, over the advisories that list functions: with a set; the set holds one listed
    /// function, and all of them, as written and resolved; one has a listed function's name.
    pub blind_covered: usize,
    pub plain_any: usize,
    pub plain_all: usize,
    pub resolved_any: usize,
    pub resolved_all: usize,
    pub name_any: usize,
    /// The set holds a listed function, or a listed function calls one of the set within the
    /// crate (followed by name: where reaching the listed entry point reaches the fix).
    pub reach_any: usize,
    /// Set sizes (functions over all of an advisory's fixes), of blind advisories with a set.
    pub sizes: Vec<usize>,
    /// Why advisories got no set, by kind.
    pub no_set: BTreeMap<&'static str, usize>,
    /// Confidence of the sets (per advisory, the best of its fixes) and how often the blind set
    /// held a listed function at each.
    pub by_confidence: BTreeMap<String, (usize, usize)>,
}

/// Measures `data` (written by `infer --blind`); the vulnerable releases' sources are read from
/// cargo's cache under `cargo_home` (the inference left them there), never downloaded.
pub fn measure(data: &InferredData, cargo_home: &Path) -> Figures {
    let mut figures = Figures::default();
    for advisory in &data.advisories {
        let functions: Vec<&String> = advisory
            .fixes
            .iter()
            .flat_map(|f| f.functions.iter())
            .collect();
        let has_set = !functions.is_empty();
        figures.advisories += 1;
        figures.listed += usize::from(!advisory.listed.is_empty());
        figures.inferred += usize::from(has_set);
        figures.either += usize::from(has_set || !advisory.listed.is_empty());
        if advisory.listed.is_empty() {
            figures.unlisted += 1;
            figures.unlisted_inferred += usize::from(has_set);
        }
        if !has_set {
            *figures.no_set.entry(why_no_set(advisory)).or_default() += 1;
        }
        if advisory.listed.is_empty() {
            continue;
        }
        if !has_set {
            continue;
        }
        figures.blind_covered += 1;
        let mut unique = functions.clone();
        unique.sort();
        unique.dedup();
        figures.sizes.push(unique.len());
        let plain = |listed: &String| functions.contains(&listed);
        figures.plain_any += usize::from(advisory.listed.iter().any(plain));
        figures.plain_all += usize::from(advisory.listed.iter().all(plain));
        let (found, reached) = resolved_matches(advisory, cargo_home);
        let any = found.iter().any(|f| *f);
        figures.reach_any += usize::from(any || reached);
        figures.resolved_any += usize::from(any);
        figures.resolved_all += usize::from(found.iter().all(|f| *f));
        let last = |p: &String| p.rsplit("::").next().map(str::to_string);
        figures.name_any += usize::from(
            advisory
                .listed
                .iter()
                .any(|l| functions.iter().any(|f| last(f) == last(l))),
        );
        let best = advisory
            .fixes
            .iter()
            .filter_map(|f| f.confidence)
            .max()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        let entry = figures.by_confidence.entry(best).or_default();
        entry.0 += 1;
        entry.1 += usize::from(any);
    }
    figures.sizes.sort_unstable();
    figures
}

/// For each listed function, whether some fix's set holds it once both are resolved in the
/// vulnerable release's module tree; and whether a listed function calls one of the set.
fn resolved_matches(advisory: &InferredAdvisory, cargo_home: &Path) -> (Vec<bool>, bool) {
    let mut found = vec![false; advisory.listed.len()];
    let mut reached = false;
    for fix in advisory.fixes.iter().filter(|f| !f.functions.is_empty()) {
        let dir = fetch::sources(cargo_home, &advisory.package, &fix.vulnerable, true).ok();
        let tree = dir
            .as_deref()
            .and_then(diff::library_root)
            .map(|root| CrateTree::read(&root));
        let defining = |path: &str| -> Vec<Vec<String>> {
            let segments: Vec<String> = path.split("::").map(str::to_string).collect();
            let mut paths = vec![segments.clone()];
            if let Some(tree) = &tree
                && let Resolution::Defined(defined) = tree.resolve(&segments)
            {
                paths.extend(defined);
            }
            paths
        };
        let inferred: Vec<Vec<String>> = fix.functions.iter().flat_map(|f| defining(f)).collect();
        let mut starts = Vec::new();
        for (listed, hit) in advisory.listed.iter().zip(found.iter_mut()) {
            let listed = defining(listed);
            *hit |= listed.iter().any(|l| {
                inferred.iter().any(|i| {
                    i.starts_with(l)
                        && (i.len() == l.len() || !tree.as_ref().is_some_and(|t| t.is_module(l)))
                })
            });
            starts.extend(listed);
        }
        if !reached && let Some(dir) = &dir {
            let krate = crate::finding::crate_name(&advisory.package);
            let functions = diff::functions_of(&krate, dir);
            reached = calls_into(&functions, &starts, &fix.functions);
        }
    }
    (found, reached)
}

/// Whether a function at or under one of `starts` (a listed function, the methods of a listed
/// type) reaches one of `targets` through the functions each mentions by name. Names shared by
/// more than [`COMMON_NAME`] functions (`new`, `fmt`) are not followed: they would join
/// everything to everything.
fn calls_into(
    functions: &BTreeMap<String, BTreeSet<String>>,
    starts: &[Vec<String>],
    targets: &[String],
) -> bool {
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for path in functions.keys() {
        if let Some(name) = path.rsplit("::").next() {
            by_name.entry(name).or_default().push(path);
        }
    }
    let targets: HashSet<&str> = targets.iter().map(String::as_str).collect();
    let mut queue: Vec<&str> = functions
        .keys()
        .filter(|path| {
            let segments: Vec<&str> = path.split("::").collect();
            starts
                .iter()
                .any(|s| segments.starts_with(&s.iter().map(String::as_str).collect::<Vec<_>>()))
        })
        .map(String::as_str)
        .collect();
    let mut seen: HashSet<&str> = queue.iter().copied().collect();
    while let Some(path) = queue.pop() {
        if targets.contains(path) {
            return true;
        }
        for name in functions.get(path).into_iter().flatten() {
            let Some(callees) = by_name.get(name.as_str()) else {
                continue;
            };
            if callees.len() > COMMON_NAME {
                continue;
            }
            for callee in callees {
                if seen.insert(callee) {
                    queue.push(callee);
                }
            }
        }
    }
    false
}

/// Above this many functions of one name, a mention of the name is not followed.
const COMMON_NAME: usize = 8;

/// The kind of reason an advisory got no set.
fn why_no_set(advisory: &InferredAdvisory) -> &'static str {
    let reasons: Vec<&str> = advisory
        .unknown
        .iter()
        .chain(advisory.fixes.iter().filter_map(|f| f.unknown.as_ref()))
        .map(String::as_str)
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    if has("names no patched version") {
        "no patched version"
    } else if has("no such crate") || has("not in cargo's index") {
        "crate not on the index"
    } else if has("no vulnerable release precedes") {
        "no vulnerable release below a patched one"
    } else if has("too broad") {
        "fix too broad"
    } else if has("changed no function") {
        "fix changed only types, constants unused, or formatting"
    } else if has("not in this crate's Rust code") || has("not in the library") {
        "fix outside the library's Rust code"
    } else if has("could not download") || has("not downloaded") {
        "release not downloadable"
    } else if reasons.is_empty() {
        "no reason given"
    } else {
        "source syn cannot parse, or other"
    }
}

/// The value at quantile `q` of sorted values.
fn quantile(sorted: &[usize], q: f64) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{part} ({:.1} %)", 100.0 * part as f64 / whole as f64)
    }
}

/// The figures as a Markdown table.
pub fn table(figures: &Figures) -> String {
    let f = figures;
    let mut out = String::new();
    let rows = [
        (
            "active vulnerability advisories".to_string(),
            f.advisories.to_string(),
        ),
        (
            "… with functions listed by the advisory".into(),
            share(f.listed, f.advisories),
        ),
        (
            "… with functions from either source (listed, else inferred)".into(),
            share(f.either, f.advisories),
        ),
        (
            "advisories listing no functions that get an inferred set".into(),
            share(f.unlisted_inferred, f.unlisted),
        ),
        (
            "blind: advisories listing functions".into(),
            f.listed.to_string(),
        ),
        (
            "blind: coverage (an inferred set)".into(),
            share(f.blind_covered, f.listed),
        ),
        (
            "blind: set holds ≥ 1 listed function, plain path equality".into(),
            share(f.plain_any, f.listed),
        ),
        (
            "blind: set holds ≥ 1 listed function, defining paths".into(),
            share(f.resolved_any, f.listed),
        ),
        (
            "blind: set holds every listed function, plain path equality".into(),
            share(f.plain_all, f.listed),
        ),
        (
            "blind: set holds every listed function, defining paths".into(),
            share(f.resolved_all, f.listed),
        ),
        (
            "blind: set holds a function of a listed function's name".into(),
            share(f.name_any, f.listed),
        ),
        (
            "blind: set holds ≥ 1 listed function, or a listed function calls into the set".into(),
            share(f.reach_any, f.listed),
        ),
        (
            "blind: set size, median / p90 / max".into(),
            format!(
                "{} / {} / {}",
                quantile(&f.sizes, 0.5),
                quantile(&f.sizes, 0.9),
                f.sizes.last().copied().unwrap_or(0)
            ),
        ),
    ];
    out.push_str("| figure | value |\n| --- | --- |\n");
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    out.push_str(
        "\n| blind, by confidence | sets | holding a listed function |\n| --- | --- | --- |\n",
    );
    for (confidence, (sets, hits)) in &f.by_confidence {
        let _ = writeln!(out, "| {confidence} | {sets} | {} |", share(*hits, *sets));
    }
    out.push_str("\n| no set, why | advisories |\n| --- | --- |\n");
    for (why, count) in &f.no_set {
        let _ = writeln!(out, "| {why} | {count} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::{InferredData, InferredFix};

    fn advisory(id: &str, listed: &[&str], functions: &[&str]) -> InferredAdvisory {
        InferredAdvisory {
            id: id.into(),
            package: "demo".into(),
            listed: listed.iter().map(|s| s.to_string()).collect(),
            fixes: vec![InferredFix {
                vulnerable: "0.1.0".into(),
                patched: "0.1.1".into(),
                functions: functions.iter().map(|s| s.to_string()).collect(),
                changed_items: functions.len(),
                confidence: (!functions.is_empty()).then_some(crate::finding::Confidence::High),
                unknown: functions
                    .is_empty()
                    .then(|| "fix too broad: 300 functions changed".to_string()),
            }],
            unknown: None,
        }
    }

    #[test]
    fn listed_functions_are_found_in_the_inferred_sets() {
        let data = InferredData {
            version: 1,
            advisories: vec![
                advisory(
                    "A-1",
                    &["demo::net::parse_header"],
                    &["demo::net::parse_header"],
                ),
                // A method of a listed type counts as the type.
                advisory(
                    "A-2",
                    &["demo::Buffer", "demo::check"],
                    &["demo::Buffer::push", "demo::x::y", "demo::z"],
                ),
                advisory("A-3", &["demo::other"], &[]),
                advisory("A-4", &[], &["demo::util::limit"]),
                advisory("A-5", &[], &[]),
            ],
        };
        // No cargo home: paths are compared as written and by nesting only.
        let figures = measure(&data, Path::new("/nonexistent"));
        assert_eq!(figures.advisories, 5);
        assert_eq!(
            (figures.listed, figures.inferred, figures.either),
            (3, 3, 4)
        );
        assert_eq!((figures.unlisted, figures.unlisted_inferred), (2, 1));
        assert_eq!(figures.blind_covered, 2);
        assert_eq!((figures.plain_any, figures.plain_all), (1, 1));
        assert_eq!((figures.resolved_any, figures.resolved_all), (2, 1));
        assert_eq!(figures.sizes, [1, 3]);
        assert_eq!(figures.no_set.get("fix too broad"), Some(&2));
        let table = table(&figures);
        assert!(
            table.contains("| blind: set holds ≥ 1 listed function, defining paths | 2 (66.7 %) |"),
            "{table}"
        );
        assert!(table.contains("| blind: set size, median / p90 / max | 1 / 3 / 3 |"));
    }

    #[test]
    fn listed_reexports_are_resolved_in_the_vulnerable_release() {
        // A cargo home whose registry cache holds the fixture release `layout` 1.0.0.
        let home = tempfile::tempdir().unwrap();
        let unpacked = home.path().join("registry/src/index/layout-1.0.0");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer/layout-1.0.0");
        copy_dir(&fixture, &unpacked);
        let mut listed = advisory("A-1", &["layout::decode"], &["layout::codec::decode"]);
        listed.package = "layout".into();
        listed.fixes[0].vulnerable = "1.0.0".into();
        let data = InferredData {
            version: 1,
            advisories: vec![listed],
        };
        let figures = measure(&data, home.path());
        assert_eq!((figures.plain_any, figures.resolved_any), (0, 1));
        // Without the release's sources the re-export is not seen.
        let figures = measure(&data, Path::new("/nonexistent"));
        assert_eq!(figures.resolved_any, 0);
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn a_listed_entry_point_reaches_the_fixed_callee_by_name() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer/demo-0.1.0");
        let functions = diff::functions_of("demo", &root);
        let listed = |p: &str| vec![p.split("::").map(str::to_string).collect::<Vec<_>>()];
        // `util::limit` mentions `MAX_LEN` only; `net::read_frame` is called by nobody.
        let fixed = ["demo::net::read_frame".to_string()];
        assert!(calls_into(
            &functions,
            &listed("demo::net::read_frame"),
            &fixed
        ));
        assert!(!calls_into(
            &functions,
            &listed("demo::util::limit"),
            &fixed
        ));
        // `Buffer` (a listed type) stands for its methods; `push` calls `Vec::push` by name,
        // and the crate has a function named `push` (itself): no other target is reached.
        assert!(calls_into(
            &functions,
            &listed("demo::Buffer"),
            &["demo::Buffer::push".to_string()]
        ));
        assert!(!calls_into(
            &functions,
            &listed("demo::Buffer::new"),
            &["demo::legacy_decode".to_string()]
        ));
        // `codec::decode_all` calls `decode` (passed to `map`).
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/infer/layout-1.0.0");
        let functions = diff::functions_of("layout", &root);
        let fixed = ["layout::codec::decode".to_string()];
        assert!(calls_into(
            &functions,
            &listed("layout::codec::decode_all"),
            &fixed
        ));
        assert!(!calls_into(&functions, &listed("layout::os::open"), &fixed));
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        assert_eq!(quantile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
        assert_eq!(quantile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
        assert_eq!(quantile(&[], 0.5), 0);
    }
}
