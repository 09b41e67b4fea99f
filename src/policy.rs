//! The triage policy: a pure function from a finding to a verdict and the rule that decided it.
//!
//! The built-in default fails on vulnerabilities rated HIGH or CRITICAL unless they are proven
//! unreachable; `unknown` reachability counts as reachable, and an advisory without a CVSS score
//! is treated as HIGH. Informational advisories and lints warn.

use crate::finding::{Finding, Kind, Reachability, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the policy decided for one finding.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Fail,
    Warn,
    Ignored,
    #[default]
    Pass,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Ignored => "ignored",
            Verdict::Pass => "pass",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decision for one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: String,
}

/// The rules that turn findings into verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Vulnerabilities at or above this severity fail.
    pub fail_at: Severity,
    /// The severity assumed for an advisory without a CVSS score.
    pub unrated_as: Severity,
    /// The verdict for unmaintained, unsound and notice advisories.
    pub informational: Verdict,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_at: Severity::High,
            unrated_as: Severity::High,
            informational: Verdict::Warn,
        }
    }
}

impl Policy {
    /// Decides one finding. Pure: the same finding always gets the same decision.
    pub fn evaluate(&self, finding: &Finding) -> Decision {
        let decide = |verdict, rule: String| Decision { verdict, rule };
        match finding.kind {
            Kind::Vulnerability => {
                let (severity, rated) = match finding.severity {
                    Severity::Unknown => (self.unrated_as, "no CVSS score, treated as"),
                    rated => (rated, "severity"),
                };
                if severity < self.fail_at {
                    decide(
                        Verdict::Warn,
                        format!(
                            "{rated} {severity} is below the fail threshold {}",
                            self.fail_at
                        ),
                    )
                } else if finding.reachability == Reachability::Unreachable {
                    decide(
                        Verdict::Warn,
                        format!("{rated} {severity}, but the vulnerable code is unreachable"),
                    )
                } else {
                    decide(
                        Verdict::Fail,
                        format!(
                            "{rated} {severity} at or above {} and reachability {}",
                            self.fail_at, finding.reachability
                        ),
                    )
                }
            }
            Kind::Unsound | Kind::Unmaintained | Kind::Notice => decide(
                self.informational,
                format!("informational advisory ({})", finding.kind),
            ),
            Kind::Lint | Kind::Unsafe | Kind::Policy => {
                decide(Verdict::Warn, format!("{} findings warn", finding.kind))
            }
        }
    }

    /// Sets every finding's verdict and rule.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            let decision = self.evaluate(finding);
            finding.verdict = decision.verdict;
            finding.verdict_rule = decision.rule;
        }
    }
}
