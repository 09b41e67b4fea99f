//! Advisories: the RustSec database matched against the lockfile, as cargo-audit matches it.
//!
//! Only crates.io packages are matched (as cargo-audit does); withdrawn advisories are skipped;
//! informational advisories become their own kinds. An advisory limited to other operating
//! systems or architectures stays in the report, marked unreachable for the analysed target.

mod database;

pub use database::{AdvisoryDatabase, DEFAULT_URL, DatabaseSource};

use crate::error::Error;
use crate::finding::Verdict;
use crate::finding::{
    Cvss, Finding, FunctionsSource, Kind, Location, Package, Reachability, Severity,
};
use crate::report::Target;
use crate::workspace::LockedProject;
use rustsec::advisory::Informational;
use rustsec::{Advisory, Version};
use std::collections::HashMap;

/// The reason recorded until the reachability engine has looked at an advisory.
pub const NOT_ANALYSED: &str = "not analysed";

/// Finds every advisory that matches a package version of the lockfile.
pub fn find(
    db: &AdvisoryDatabase,
    project: &LockedProject,
    target: &Target,
) -> Result<Vec<Finding>, Error> {
    let packages: Vec<&rustsec::package::Package> = project
        .lockfile
        .packages
        .iter()
        .filter(|p| p.source.as_ref().is_some_and(|s| s.is_default_registry()))
        .collect();
    let advisories = db.load(packages.iter().map(|p| p.name.as_str()))?;
    let mut by_crate: HashMap<&str, Vec<&Advisory>> = HashMap::new();
    for advisory in &advisories {
        by_crate
            .entry(advisory.metadata.package.as_str())
            .or_default()
            .push(advisory);
    }

    let mut findings = Vec::new();
    for package in packages {
        let Some(candidates) = by_crate.get(package.name.as_str()) else {
            continue;
        };
        for advisory in candidates {
            if let Some(kind) = matching_kind(advisory, &package.version) {
                let location =
                    project.package_location(package.name.as_str(), &package.version.to_string());
                findings.push(finding(advisory, kind, package, location, target));
            }
        }
    }
    Ok(findings)
}

/// The finding kind if `advisory` applies to `version`, `None` if it does not apply.
fn matching_kind(advisory: &Advisory, version: &Version) -> Option<Kind> {
    let meta = &advisory.metadata;
    let from_crates_io = meta
        .source
        .as_ref()
        .is_none_or(|source| source.is_default_registry());
    if meta.withdrawn.is_some() || !from_crates_io || !advisory.versions.is_vulnerable(version) {
        return None;
    }
    match &meta.informational {
        None => Some(Kind::Vulnerability),
        Some(Informational::Unsound) => Some(Kind::Unsound),
        Some(Informational::Unmaintained) => Some(Kind::Unmaintained),
        Some(Informational::Notice) => Some(Kind::Notice),
        // cargo-audit reports no warning for informational kinds it does not know.
        Some(_) => None,
    }
}

fn finding(
    advisory: &Advisory,
    kind: Kind,
    package: &rustsec::package::Package,
    location: Location,
    target: &Target,
) -> Finding {
    let meta = &advisory.metadata;
    let cvss = meta.cvss.as_ref().map(|cvss| Cvss {
        vector: cvss.to_string(),
        score: cvss.score(),
    });
    let severity = cvss
        .as_ref()
        .map_or(Severity::Unknown, |c| Severity::from_cvss_score(c.score));
    let (reachability, reason) = match platform_mismatch(advisory, target) {
        Some(reason) => (Reachability::Unreachable, reason),
        None => (Reachability::Unknown, NOT_ANALYSED.to_string()),
    };
    let affected_functions = affected_functions(advisory, &package.version);
    let functions_source = Some(if affected_functions.is_empty() {
        FunctionsSource::None
    } else {
        FunctionsSource::Advisory
    });
    Finding {
        id: meta.id.to_string(),
        kind,
        package: Some(Package {
            name: package.name.to_string(),
            version: package.version.to_string(),
        }),
        severity,
        cvss,
        cwe: Vec::new(),
        title: meta.title.clone(),
        description: meta.description.trim().to_string(),
        url: Some(format!("https://rustsec.org/advisories/{}.html", meta.id)),
        date: Some(meta.date.as_str().to_string()),
        aliases: meta.aliases.iter().map(ToString::to_string).collect(),
        categories: meta.categories.iter().map(ToString::to_string).collect(),
        patched: advisory
            .versions
            .patched()
            .iter()
            .map(ToString::to_string)
            .collect(),
        affected_functions,
        functions_source,
        inference: None,
        reachability,
        reachability_reason: reason,
        traces: Vec::new(),
        locations: vec![location],
        confidence: None,
        fix: fix_hint(package.name.as_str(), advisory),
        suppressed: None,
        verdict: Verdict::Pass,
        verdict_rule: String::new(),
    }
}

/// "upgrade NAME to REQ" from the advisory's patched versions, when there is a fix.
fn fix_hint(name: &str, advisory: &Advisory) -> Option<String> {
    let patched: Vec<String> = advisory
        .versions
        .patched()
        .iter()
        .map(ToString::to_string)
        .collect();
    (!patched.is_empty()).then(|| format!("upgrade {name} to {}", patched.join(" or ")))
}

/// The listed vulnerable functions whose version ranges contain the locked version.
fn affected_functions(advisory: &Advisory, version: &Version) -> Vec<String> {
    let Some(affected) = &advisory.affected else {
        return Vec::new();
    };
    affected
        .functions
        .iter()
        .filter(|(_, reqs)| reqs.is_empty() || reqs.iter().any(|req| req.matches(version)))
        .map(|(path, _)| path.to_string())
        .collect()
}

/// Why the advisory cannot apply to the analysed target, when it is limited to other platforms.
fn platform_mismatch(advisory: &Advisory, target: &Target) -> Option<String> {
    let affected = advisory.affected.as_ref()?;
    let os_mismatch = !affected.os.is_empty() && !affected.os.contains(&target.os);
    let arch_mismatch = !affected.arch.is_empty() && !affected.arch.contains(&target.arch);
    if !os_mismatch && !arch_mismatch {
        return None;
    }
    let mut limits = Vec::new();
    if !affected.os.is_empty() {
        limits.push(format!("os {}", affected.os.join(", ")));
    }
    if !affected.arch.is_empty() {
        limits.push(format!("arch {}", affected.arch.join(", ")));
    }
    Some(format!(
        "the advisory affects only {}; the analysed target is {}",
        limits.join(" and "),
        target.describe()
    ))
}
