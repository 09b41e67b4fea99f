//! Choosing the two releases whose difference is the fix: for each patched range of an advisory,
//! its first release, and the last release before it that the advisory says is vulnerable.
//!
//! Yanked releases count on both sides (fixed releases are sometimes yanked later, and vulnerable
//! ones often are). Pre-releases count only where the patched range names one; when the first
//! patched release is stable, the vulnerable side is the last *stable* release below it (an `-rc`
//! just below often holds the fix already, and diffs to nothing).

use rustsec::Version;
use rustsec::advisory::Versions;

/// A release of the crate, as the registry index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    pub yanked: bool,
}

/// The releases to diff for one patched range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub vulnerable: Version,
    pub patched: Version,
}

/// One pair per patched range that has a first release and a vulnerable release below it,
/// closest first; none when the advisory names no patched version.
pub fn pairs(versions: &Versions, releases: &[Release]) -> Vec<Pair> {
    let mut sorted: Vec<&Release> = releases.iter().collect();
    sorted.sort_by(|a, b| a.version.cmp(&b.version));
    let mut pairs = Vec::new();
    for range in versions.patched() {
        let names_prerelease = range.comparators.iter().any(|c| !c.pre.is_empty());
        let Some(patched) = sorted
            .iter()
            .map(|r| &r.version)
            .find(|v| range.matches(v) && (v.pre.is_empty() || names_prerelease))
        else {
            continue;
        };
        let vulnerable = sorted.iter().map(|r| &r.version).rfind(|v| {
            *v < patched
                && versions.is_vulnerable(v)
                && (v.pre.is_empty() || !patched.pre.is_empty())
        });
        if let Some(vulnerable) = vulnerable {
            let pair = Pair {
                vulnerable: vulnerable.clone(),
                patched: patched.clone(),
            };
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    // A pair with a patched release of another line between its two releases is not the
    // closest: its patched line inherited the fix (`1.2.4 -> 1.3.0` past `1.2.5`), and its diff
    // holds everything else that line changed. The pair of that other line, below it, has the fix.
    let spans_another_fix = |pair: &Pair| {
        sorted.iter().any(|r| {
            r.version > pair.vulnerable
                && r.version < pair.patched
                && r.version.pre.is_empty()
                && versions
                    .patched()
                    .iter()
                    .any(|range| range.matches(&r.version))
        })
    };
    pairs.retain(|p| !spans_another_fix(p));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases(list: &[(&str, bool)]) -> Vec<Release> {
        list.iter()
            .map(|(v, yanked)| Release {
                version: v.parse().unwrap(),
                yanked: *yanked,
            })
            .collect()
    }

    fn versions(patched: &[&str], unaffected: &[&str]) -> Versions {
        let toml = format!(
            "patched = [{}]\nunaffected = [{}]\n",
            patched
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", "),
            unaffected
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        toml::from_str(&toml).unwrap()
    }

    fn shown(pairs: &[Pair]) -> Vec<String> {
        pairs
            .iter()
            .map(|p| format!("{} -> {}", p.vulnerable, p.patched))
            .collect()
    }

    #[test]
    fn each_patched_line_gets_its_closest_pair_yanked_releases_included() {
        // lz4_flex's history: 0.11.0–0.11.5 and 0.12.0 yanked after the advisory.
        let list = releases(&[
            ("0.10.0", false),
            ("0.11.4", true),
            ("0.11.5", true),
            ("0.11.6", false),
            ("0.12.0", true),
            ("0.12.1", false),
            ("0.13.0", false),
        ]);
        let pairs = pairs(&versions(&[">= 0.11.6, < 0.12.0", ">= 0.12.1"], &[]), &list);
        assert_eq!(shown(&pairs), ["0.11.5 -> 0.11.6", "0.12.0 -> 0.12.1"]);
    }

    #[test]
    fn a_stable_fix_is_diffed_against_the_last_stable_vulnerable_release() {
        let list = releases(&[("1.2.0", false), ("1.3.0-rc.1", false), ("1.3.0", false)]);
        let pairs = pairs(&versions(&[">= 1.3.0"], &[]), &list);
        assert_eq!(shown(&pairs), ["1.2.0 -> 1.3.0"]);
    }

    #[test]
    fn a_line_that_inherited_the_fix_gets_no_pair_of_its_own() {
        // 1.3.0 is the first release of its line, and already patched: 1.2.4 -> 1.3.0 would hold
        // all of 1.3's changes besides the fix that 1.2.5 carries.
        let list = releases(&[
            ("1.2.4", false),
            ("1.2.5", false),
            ("1.3.0", false),
            ("1.3.1", false),
        ]);
        let pairs = pairs(&versions(&[">= 1.3.0", ">= 1.2.5, < 1.3.0"], &[]), &list);
        assert_eq!(shown(&pairs), ["1.2.4 -> 1.2.5"]);
    }

    #[test]
    fn no_patched_version_or_no_vulnerable_release_below_gives_no_pair() {
        let list = releases(&[("0.1.0", false), ("0.2.0", false)]);
        assert!(pairs(&versions(&[], &[]), &list).is_empty());
        assert!(pairs(&versions(&[">= 0.1.0"], &[]), &list).is_empty());
        assert!(
            pairs(&versions(&[">= 0.2.0"], &["< 0.2.0"]), &list).is_empty(),
            "0.1.0 is unaffected"
        );
    }
}
