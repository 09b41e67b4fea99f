//! The triage policy: a pure function from findings (and today's date) to a verdict per finding,
//! with the rule that decided it.
//!
//! A policy is read from TOML ([`load`]): `secgate.toml` at the workspace root, a file given with
//! `--policy`, or one of the bundled policies in `policies/` (`default`, `strict`), which are built
//! into the binary. Ignores need a reason and may expire; expired and unused ignores become
//! findings of their own, so the report says so.

mod imports;
mod load;
mod unsafe_budget;

pub mod edit;

pub use crate::error::PolicyProblem;
pub use load::{bundled, bundled_default, load_file, load_for_workspace, parse};

pub use crate::finding::Verdict;
use crate::finding::{
    Confidence, Finding, FunctionsSource, Kind, Location, Reachability, Severity,
};
use crate::ids::{BuiltinId, Subject};

use time::Date;

/// The decision for one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: String,
}

/// The rules that turn findings into verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Where the policy came from (`built-in default`, `secgate.toml`).
    pub source: String,
    pub advisories: AdvisoryRules,
    pub lints: LintRules,
    pub unsafe_code: UnsafeRules,
    pub supply_chain: SupplyChainRules,
    pub ignores: Vec<Ignore>,
    pub ignore_rules: IgnoreRules,
}

/// `[advisories]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdvisoryRules {
    /// Vulnerabilities at or above this severity fail (unless proven unreachable).
    pub fail_on: Severity,
    /// The severity assumed for an advisory without a CVSS score.
    pub unrated_severity: Severity,
    /// Whether `unknown` reachability counts as reachable (fail closed).
    pub unknown_is_reachable: bool,
    /// The verdict for a vulnerability proven unreachable.
    pub unreachable: Verdict,
    /// The verdict for a vulnerability below `fail_on`.
    pub below_threshold: Verdict,
    pub unmaintained: Verdict,
    pub unsound: Verdict,
    pub notice: Verdict,
    /// `[advisories.inferred]`: what a verdict from inferred functions is worth.
    pub inferred: InferredRules,
}

/// `[advisories.inferred]`: verdicts from functions inferred from the fix (advisories that list
/// none) are evidence, not proof; the policy says how much they count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InferredRules {
    /// Inferred sets below this confidence count as `unknown` reachability; `None`: no inferred
    /// verdict counts (`min-confidence = "never"`).
    pub min_confidence: Option<Confidence>,
    /// The verdict for a vulnerability whose inferred functions are not reachable.
    pub unreachable: Verdict,
}

/// `[lints]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintRules {
    /// Lint findings at or above this severity fail; the others warn.
    pub fail_on: Severity,
    /// Per-rule verdicts, overriding `fail_on` (`"SG-TLS-001" = "fail"`).
    pub rules: Vec<LintRule>,
    /// Paths (globs, relative to the workspace root) whose lint findings pass.
    pub exclude: Vec<globset::Glob>,
    /// Lint groups reported besides `security` (`["hygiene"]`); findings of other groups are
    /// left out of the report, which says how many.
    pub groups: Vec<crate::ids::LintGroup>,
}

/// One entry of `[lints.rules]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LintRule {
    pub id: String,
    pub verdict: Verdict,
    /// Where the entry is written, so that checks of the id can point at it.
    pub origin: Location,
}

/// `[unsafe]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnsafeRules {
    /// Workspace crates must have `#![forbid(unsafe_code)]`.
    pub require_forbid: bool,
    /// The most unsafe items (functions, blocks, impls, traits) a crate may have.
    pub budgets: Vec<(String, u64)>,
    /// The verdict for an unsafe-code finding.
    pub level: Verdict,
}

/// `[supply-chain]`: cargo-deny's bans, licenses and sources checks under the same verdict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SupplyChainRules {
    pub cargo_deny: CargoDeny,
    /// cargo-deny's configuration, relative to the workspace root; `None`: the workspace's own
    /// `deny.toml`, else the bundled `policies/deny.toml`.
    pub config: Option<String>,
    /// The verdict for a cargo-deny error (a `high` finding).
    pub errors: Verdict,
    /// The verdict for a cargo-deny warning (a `low` finding).
    pub warnings: Verdict,
}

/// Whether the scan runs cargo-deny.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CargoDeny {
    /// When it is installed; the report says when it was not.
    #[default]
    Auto,
    /// Always: cargo-deny missing or failing is a failing finding.
    Always,
    Never,
}

/// `[ignores]`: how ignores themselves are treated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreRules {
    pub require_expiry: bool,
    /// The verdict for an ignore whose date has passed (it no longer applies).
    pub expired: Verdict,
    /// The verdict for an ignore that matches no finding.
    pub unused: Verdict,
    pub import_deny_toml: bool,
    pub import_audit_toml: bool,
}

/// One `[[ignore]]` entry (or one imported from `deny.toml` / `.cargo/audit.toml`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ignore {
    /// Advisory id, alias (CVE/GHSA) or rule id.
    pub id: String,
    pub package: Option<String>,
    pub version: Option<String>,
    /// A glob over finding locations, relative to the workspace root.
    pub path: Option<globset::Glob>,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where the ignore is written, for messages and for policy findings.
    pub origin: Location,
}

impl Ignore {
    fn matches(&self, finding: &Finding) -> bool {
        let id_matches = finding.id == self.id || finding.aliases.contains(&self.id);
        let package_matches = match (&self.package, &finding.package) {
            (None, _) => true,
            (Some(name), Some(package)) => {
                *name == package.name && self.version.as_ref().is_none_or(|v| *v == package.version)
            }
            (Some(_), None) => false,
        };
        let path_matches = match &self.path {
            None => true,
            Some(glob) => finding
                .locations
                .iter()
                .any(|l| glob_matches(glob, &l.file)),
        };
        id_matches && package_matches && path_matches
    }

    fn describe(&self) -> String {
        let expiry = self
            .expires
            .map(|d| format!(", until {d}"))
            .unwrap_or_default();
        format!("ignored by {}: {}{expiry}", self.origin, self.reason)
    }
}

/// A glob is parsed when the policy is loaded (an invalid one is a load error), so matching
/// cannot fail here.
fn glob_matches(glob: &globset::Glob, path: &str) -> bool {
    glob.compile_matcher().is_match(path)
}

impl Policy {
    /// Decides one finding, ignores aside. Pure: the same finding always gets the same decision.
    pub fn evaluate(&self, finding: &Finding) -> Decision {
        let decide = |verdict, rule: String| Decision { verdict, rule };
        if finding.subject() == (Subject::RunProblem { fails_closed: true }) {
            return decide(
                Verdict::Fail,
                "a check the policy requires could not run, so the scan fails closed".into(),
            );
        }
        let rules = &self.advisories;
        match finding.kind {
            Kind::Vulnerability => {
                let (severity, rated) = match finding.severity {
                    Severity::Unknown => (rules.unrated_severity, "no CVSS score, treated as"),
                    rated => (rated, "severity"),
                };
                // A verdict from inferred functions counts only as far as the policy trusts them.
                let inferred = (finding.functions_source == Some(FunctionsSource::Inferred))
                    .then(|| finding.inference.as_ref().and_then(|i| i.confidence));
                let trusted = match (inferred, rules.inferred.min_confidence) {
                    (None, _) => true,
                    (Some(confidence), Some(min)) => confidence >= Some(min),
                    (Some(_), None) => false,
                };
                let reachability = if trusted {
                    finding.reachability
                } else {
                    Reachability::Unknown
                };
                let reachable = match reachability {
                    Reachability::Reachable => true,
                    Reachability::Unreachable => false,
                    Reachability::Unknown => rules.unknown_is_reachable,
                };
                if severity < rules.fail_on {
                    decide(
                        rules.below_threshold,
                        format!("{rated} {severity} is below fail-on = {}", rules.fail_on),
                    )
                } else if !reachable && inferred.is_some() && trusted {
                    decide(
                        rules.inferred.unreachable,
                        format!(
                            "{rated} {severity}, but the functions inferred from the fix are {} (advisories.inferred.unreachable)",
                            finding.reachability
                        ),
                    )
                } else if !reachable {
                    decide(
                        rules.unreachable,
                        format!("{rated} {severity}, but reachability is {reachability}"),
                    )
                } else if !trusted {
                    decide(
                        Verdict::Fail,
                        format!(
                            "{rated} {severity} is at or above fail-on = {}; inferred functions below advisories.inferred.min-confidence count as unknown reachability",
                            rules.fail_on
                        ),
                    )
                } else {
                    decide(
                        Verdict::Fail,
                        format!(
                            "{rated} {severity} is at or above fail-on = {}, reachability {}",
                            rules.fail_on, finding.reachability
                        ),
                    )
                }
            }
            Kind::Unsound => decide(rules.unsound, "advisories.unsound".into()),
            Kind::Unmaintained => decide(rules.unmaintained, "advisories.unmaintained".into()),
            Kind::Notice => decide(rules.notice, "advisories.notice".into()),
            Kind::Lint => self.evaluate_lint(finding),
            Kind::Unsafe => decide(self.unsafe_code.level, "unsafe.level".into()),
            Kind::SupplyChain if finding.severity >= Severity::High => decide(
                self.supply_chain.errors,
                "supply-chain.errors (a cargo-deny error)".into(),
            ),
            Kind::SupplyChain => decide(
                self.supply_chain.warnings,
                "supply-chain.warnings (a cargo-deny warning)".into(),
            ),
            // Policy findings carry the verdict they were made with.
            Kind::Policy => decide(finding.verdict, finding.verdict_rule.clone()),
        }
    }

    fn evaluate_lint(&self, finding: &Finding) -> Decision {
        let excluded = finding.locations.iter().find_map(|location| {
            self.lints
                .exclude
                .iter()
                .find(|glob| glob_matches(glob, &location.file))
        });
        if let Some(glob) = excluded {
            return Decision {
                verdict: Verdict::Pass,
                rule: format!("lints.exclude: {glob}"),
            };
        }
        if let Some(rule) = self.lints.rules.iter().find(|r| r.id == finding.id) {
            return Decision {
                verdict: rule.verdict,
                rule: format!("lints.rules.\"{}\" = \"{}\"", rule.id, rule.verdict),
            };
        }
        if finding.severity >= self.lints.fail_on {
            Decision {
                verdict: Verdict::Fail,
                rule: format!(
                    "lint severity {} is at or above lints.fail-on = {}",
                    finding.severity, self.lints.fail_on
                ),
            }
        } else {
            Decision {
                verdict: Verdict::Warn,
                rule: format!(
                    "lint severity {} is below lints.fail-on = {}",
                    finding.severity, self.lints.fail_on
                ),
            }
        }
    }

    /// Sets every finding's verdict and rule, applying ignores that have not expired on `today`,
    /// and appends a policy finding for each expired or unused ignore.
    pub fn apply(&self, findings: &mut Vec<Finding>, today: Date) {
        let mut used = vec![false; self.ignores.len()];
        let mut expired_matches = vec![0usize; self.ignores.len()];
        for finding in findings.iter_mut() {
            let mut decision = self.evaluate(finding);
            if let Some(reason) = &finding.suppressed {
                decision = Decision {
                    verdict: Verdict::Ignored,
                    rule: format!("inline suppression: {reason}"),
                };
            }
            for (index, ignore) in self.ignores.iter().enumerate() {
                if !ignore.matches(finding) {
                    continue;
                }
                if ignore.expires.is_some_and(|expires| expires < today) {
                    expired_matches[index] += 1;
                    continue;
                }
                used[index] = true;
                if decision.verdict != Verdict::Ignored {
                    decision = Decision {
                        verdict: Verdict::Ignored,
                        rule: ignore.describe(),
                    };
                }
                break;
            }
            finding.verdict = decision.verdict;
            finding.verdict_rule = decision.rule;
        }
        for (index, ignore) in self.ignores.iter().enumerate() {
            if used[index] {
                continue;
            }
            let finding = match ignore.expires {
                Some(expires) if expires < today => policy_finding(
                    BuiltinId::ExpiredIgnore.as_str(),
                    format!(
                        "The ignore of {} expired on {expires} and no longer applies",
                        ignore.id
                    ),
                    format!(
                        "{} finding(s) match it. Fix them, or renew the ignore with a new date and a reason.",
                        expired_matches[index]
                    ),
                    ignore,
                    self.ignore_rules.expired,
                    "ignores.expired",
                ),
                _ => policy_finding(
                    BuiltinId::UnusedIgnore.as_str(),
                    format!("The ignore of {} matches no finding", ignore.id),
                    "Remove it: an ignore that matches nothing hides nothing and goes stale."
                        .into(),
                    ignore,
                    self.ignore_rules.unused,
                    "ignores.unused",
                ),
            };
            findings.push(finding);
        }
    }
}

/// What `policy check` finds beyond the file's own syntax and types.
#[derive(Debug, Default, PartialEq)]
pub struct PolicyCheck {
    /// Rule ids that name no rule: a typo would silently leave the rule at its default.
    pub errors: Vec<PolicyProblem>,
    /// Ignores that have expired and no longer apply.
    pub warnings: Vec<PolicyProblem>,
}

impl Policy {
    /// Checks the ids the policy names against the rules that exist: every `[lints.rules]` key
    /// must be a lint rule (`is_lint`), and an ignore of a secgate or clippy id (`SG-…`,
    /// `clippy::…`) must name one (`is_lint`, or a built-in id); advisory ids and cargo-deny codes
    /// depend on the database and cargo-deny, so they are not checked here. Ignores that have
    /// expired on `today` are warnings.
    pub fn check(&self, is_lint: &dyn Fn(&str) -> bool, today: Date) -> PolicyCheck {
        let problem = |origin: &Location, message: String| PolicyProblem {
            file: origin.file.clone(),
            line: origin.line,
            column: origin.column.unwrap_or(1),
            message,
        };
        let mut check = PolicyCheck::default();
        for rule in &self.lints.rules {
            if !is_lint(&rule.id) {
                check.errors.push(problem(
                    &rule.origin,
                    format!(
                        "unknown rule id `{}` in [lints.rules]: no lint rule has it",
                        rule.id
                    ),
                ));
            }
        }
        for ignore in &self.ignores {
            let ours = ignore.id.starts_with("SG-") || ignore.id.starts_with("clippy::");
            if ours && !is_lint(&ignore.id) && crate::ids::BuiltinId::parse(&ignore.id).is_none() {
                check.errors.push(problem(
                    &ignore.origin,
                    format!(
                        "unknown rule id `{}`: the ignore can match nothing",
                        ignore.id
                    ),
                ));
            }
            if let Some(expires) = ignore.expires
                && expires < today
            {
                check.warnings.push(problem(
                    &ignore.origin,
                    format!(
                        "the ignore of {} expired on {expires} and no longer applies",
                        ignore.id
                    ),
                ));
            }
        }
        check
    }
}

fn policy_finding(
    id: &str,
    title: String,
    description: String,
    ignore: &Ignore,
    verdict: Verdict,
    rule: &str,
) -> Finding {
    Finding {
        description,
        locations: vec![ignore.origin.clone()],
        verdict,
        verdict_rule: format!("{rule} = \"{verdict}\""),
        ..Finding::new(id, Kind::Policy, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Package;
    use time::macros::date;

    fn vulnerability(severity: Severity, reachability: Reachability) -> Finding {
        Finding {
            id: "RUSTSEC-2021-0003".into(),
            kind: Kind::Vulnerability,
            package: Some(Package {
                name: "smallvec".into(),
                version: "0.6.13".into(),
            }),
            aliases: vec!["CVE-2021-25900".into()],
            severity,
            reachability,
            ..policy_finding(
                "x",
                String::new(),
                String::new(),
                &ignore("x", None),
                Verdict::Pass,
                "",
            )
        }
    }

    fn ignore(id: &str, expires: Option<Date>) -> Ignore {
        Ignore {
            id: id.into(),
            package: None,
            version: None,
            path: None,
            reason: "accepted risk".into(),
            expires,
            origin: Location {
                file: "secgate.toml".into(),
                line: 3,
                column: Some(1),
            },
        }
    }

    fn inferred(reachability: Reachability, confidence: Confidence) -> Finding {
        Finding {
            functions_source: Some(FunctionsSource::Inferred),
            inference: Some(crate::finding::Inference {
                vulnerable: Some("0.6.13".into()),
                patched: Some("0.6.14".into()),
                changed_items: 2,
                confidence: Some(confidence),
                unused: None,
            }),
            ..vulnerability(Severity::High, reachability)
        }
    }

    #[test]
    fn inferred_verdicts_count_as_the_policy_trusts_them() {
        let default = bundled_default().unwrap();
        let strict = bundled("strict").unwrap().unwrap();
        let unreachable = inferred(Reachability::Unreachable, Confidence::Low);
        let decision = default.evaluate(&unreachable);
        assert_eq!(decision.verdict, Verdict::Warn);
        assert!(
            decision.rule.contains("advisories.inferred.unreachable"),
            "{}",
            decision.rule
        );
        // Strict never lets an inferred "unreachable" pass.
        assert_eq!(strict.evaluate(&unreachable).verdict, Verdict::Fail);
        // Below min-confidence, the verdict counts as unknown: fail closed.
        let mut picky = default.clone();
        picky.advisories.inferred.min_confidence = Some(Confidence::Medium);
        let decision = picky.evaluate(&unreachable);
        assert_eq!(decision.verdict, Verdict::Fail);
        assert!(
            decision.rule.contains("min-confidence"),
            "{}",
            decision.rule
        );
        let sure = inferred(Reachability::Unreachable, Confidence::High);
        assert_eq!(picky.evaluate(&sure).verdict, Verdict::Warn);
        picky.advisories.inferred.min_confidence = None;
        assert_eq!(picky.evaluate(&sure).verdict, Verdict::Fail, "never");
        // A reachable inferred verdict fails like any other.
        let reachable = inferred(Reachability::Reachable, Confidence::High);
        assert_eq!(default.evaluate(&reachable).verdict, Verdict::Fail);
    }

    #[test]
    fn the_default_fails_on_reachable_or_unknown_high_and_critical() {
        let policy = bundled_default().unwrap();
        let verdict = |s, r| policy.evaluate(&vulnerability(s, r)).verdict;
        assert_eq!(
            verdict(Severity::Critical, Reachability::Reachable),
            Verdict::Fail
        );
        assert_eq!(
            verdict(Severity::High, Reachability::Unknown),
            Verdict::Fail
        );
        assert_eq!(
            verdict(Severity::Critical, Reachability::Unreachable),
            Verdict::Warn
        );
        assert_eq!(
            verdict(Severity::Medium, Reachability::Reachable),
            Verdict::Warn
        );
        assert_eq!(
            verdict(Severity::Unknown, Reachability::Reachable),
            Verdict::Fail,
            "unrated counts as high"
        );
    }

    #[test]
    fn ignores_apply_until_they_expire_and_are_reported_after() {
        let policy = Policy {
            ignores: vec![ignore("CVE-2021-25900", Some(date!(2027 - 01 - 31)))],
            ..bundled_default().unwrap()
        };
        let mut findings = vec![vulnerability(Severity::Critical, Reachability::Reachable)];
        policy.apply(&mut findings, date!(2027 - 01 - 31));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].verdict, Verdict::Ignored, "an alias matches");
        assert!(findings[0].verdict_rule.contains("accepted risk"));

        let mut findings = vec![vulnerability(Severity::Critical, Reachability::Reachable)];
        policy.apply(&mut findings, date!(2027 - 02 - 01));
        assert_eq!(
            findings[0].verdict,
            Verdict::Fail,
            "expired: no longer applies"
        );
        assert_eq!(findings[1].id, "SG-POLICY-001");
        assert_eq!(findings[1].verdict, Verdict::Warn);
        assert_eq!(findings[1].locations[0].line, 3);
    }

    #[test]
    fn a_required_check_that_could_not_run_fails_whatever_the_levels() {
        let mut policy = bundled_default().unwrap();
        policy.supply_chain.errors = Verdict::Warn;
        let deny_failed = Finding {
            severity: Severity::High,
            ..Finding::new("SG-DENY-000", Kind::SupplyChain, "cargo-deny could not run")
        };
        assert_eq!(policy.evaluate(&deny_failed).verdict, Verdict::Fail);
        let banned = Finding {
            severity: Severity::High,
            ..Finding::new("deny::banned", Kind::SupplyChain, "banned")
        };
        assert_eq!(policy.evaluate(&banned).verdict, Verdict::Warn);
    }

    #[test]
    fn an_ignore_that_matches_nothing_is_reported() {
        let policy = Policy {
            ignores: vec![ignore("RUSTSEC-2000-0001", None)],
            ..bundled_default().unwrap()
        };
        let mut findings = Vec::new();
        policy.apply(&mut findings, date!(2026 - 01 - 01));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].id, "SG-POLICY-002");
    }

    #[test]
    fn an_ignore_scoped_to_another_version_does_not_match() {
        let mut scoped = ignore("RUSTSEC-2021-0003", None);
        scoped.package = Some("smallvec".into());
        scoped.version = Some("1.6.0".into());
        let finding = vulnerability(Severity::Critical, Reachability::Reachable);
        assert!(!scoped.matches(&finding));
        scoped.version = Some("0.6.13".into());
        assert!(scoped.matches(&finding));
    }

    #[test]
    fn inline_suppressions_ignore_with_their_reason() {
        let policy = bundled_default().unwrap();
        let mut finding = vulnerability(Severity::High, Reachability::Reachable);
        finding.kind = Kind::Lint;
        finding.suppressed = Some("test fixture".into());
        let mut findings = vec![finding];
        policy.apply(&mut findings, date!(2026 - 01 - 01));
        assert_eq!(findings[0].verdict, Verdict::Ignored);
        assert_eq!(findings[0].verdict_rule, "inline suppression: test fixture");
    }
}
