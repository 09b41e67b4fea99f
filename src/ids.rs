//! secgate's own finding ids that are not lint rules (those live in the rule registry,
//! `lints::rules`): what each means and what it is about.
//!
//! Code that treats these findings differently asks [`Finding::subject`] or [`BuiltinId`],
//! never compares id strings.
//!
//! [`Finding::subject`]: crate::finding::Finding::subject

use crate::finding::{Finding, Kind};

/// The ids of findings that secgate itself makes, besides its lint rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinId {
    /// SG-PARSE-001: a workspace source file the rules could not parse.
    ParseError,
    /// SG-CLIPPY-000: clippy is not installed, so the curated clippy lints did not run.
    ClippyMissing,
    /// SG-UNSAFE-001: a workspace crate does not forbid unsafe code, and the policy requires it.
    MissingForbid,
    /// SG-UNSAFE-002: a crate has more unsafe items than its budget.
    OverBudget,
    /// SG-UNSAFE-003: unsafe code on a line the change (`--new-since`) added or modified.
    NewUnsafe,
    /// SG-POLICY-001: an ignore in the policy has expired.
    ExpiredIgnore,
    /// SG-POLICY-002: an ignore in the policy matches no finding.
    UnusedIgnore,
    /// SG-DENY-000: cargo-deny was required and could not check the supply chain.
    DenyFailed,
}

impl BuiltinId {
    pub const ALL: [BuiltinId; 8] = [
        BuiltinId::ParseError,
        BuiltinId::ClippyMissing,
        BuiltinId::MissingForbid,
        BuiltinId::OverBudget,
        BuiltinId::NewUnsafe,
        BuiltinId::ExpiredIgnore,
        BuiltinId::UnusedIgnore,
        BuiltinId::DenyFailed,
    ];

    /// The id as reports print it.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuiltinId::ParseError => "SG-PARSE-001",
            BuiltinId::ClippyMissing => "SG-CLIPPY-000",
            BuiltinId::MissingForbid => "SG-UNSAFE-001",
            BuiltinId::OverBudget => "SG-UNSAFE-002",
            BuiltinId::NewUnsafe => "SG-UNSAFE-003",
            BuiltinId::ExpiredIgnore => "SG-POLICY-001",
            BuiltinId::UnusedIgnore => "SG-POLICY-002",
            BuiltinId::DenyFailed => "SG-DENY-000",
        }
    }

    /// The built-in id `id` is, if any.
    pub fn parse(id: &str) -> Option<BuiltinId> {
        BuiltinId::ALL.into_iter().find(|b| b.as_str() == id)
    }

    /// What a finding with this id is about.
    pub const fn subject(self) -> Subject {
        match self {
            BuiltinId::ParseError | BuiltinId::NewUnsafe => Subject::Code,
            BuiltinId::ClippyMissing => Subject::RunProblem {
                fails_closed: false,
            },
            BuiltinId::DenyFailed => Subject::RunProblem { fails_closed: true },
            BuiltinId::MissingForbid | BuiltinId::OverBudget => Subject::CrateProperty,
            BuiltinId::ExpiredIgnore | BuiltinId::UnusedIgnore => Subject::Policy,
        }
    }
}

/// The group a lint belongs to. `security` lints are always reported; `hygiene` lints (panics on
/// unwrap or indexing, unchecked arithmetic, casts, undocumented unsafe blocks: code quality that
/// matters for robustness rather than a weakness of its own) only when the policy asks for them
/// (`[lints] groups = ["hygiene"]`, or the strict policy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintGroup {
    #[default]
    Security,
    Hygiene,
}

impl LintGroup {
    /// The groups a policy may opt into (security is always on).
    pub const OPTIONAL: [LintGroup; 1] = [LintGroup::Hygiene];

    pub const fn as_str(self) -> &'static str {
        match self {
            LintGroup::Security => "security",
            LintGroup::Hygiene => "hygiene",
        }
    }

    pub fn parse(name: &str) -> Option<LintGroup> {
        [LintGroup::Security, LintGroup::Hygiene]
            .into_iter()
            .find(|g| g.as_str() == name)
    }
}

/// The prefix of the ids of cargo-deny's findings (`deny::banned`).
pub const DENY_PREFIX: &str = "deny::";

/// What a finding is about, which decides how `--new-since` and the policy treat it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A line of code: new when the change touched that line.
    Code,
    /// A package of the lockfile (an advisory, a cargo-deny finding about a crate): new when the
    /// revision did not have it.
    Package,
    /// A property of one crate as a whole (its unsafe budget, whether it forbids unsafe code):
    /// new when the change touched the crate (a workspace crate's sources, a dependency's version).
    CrateProperty,
    /// The scan could not check something. Never "already present": a problem of this run.
    /// `fails_closed`: a check the policy required; it fails whatever the policy's levels say.
    RunProblem { fails_closed: bool },
    /// About the policy file itself (an expired or unused ignore): decided when it is made.
    Policy,
}

impl Finding {
    /// What this finding is about: from its built-in id, else from its kind.
    pub fn subject(&self) -> Subject {
        if let Some(builtin) = BuiltinId::parse(&self.id) {
            return builtin.subject();
        }
        match self.kind {
            Kind::Lint => Subject::Code,
            Kind::Unsafe => Subject::CrateProperty,
            Kind::Policy => Subject::Policy,
            Kind::Vulnerability
            | Kind::Unsound
            | Kind::Unmaintained
            | Kind::Notice
            | Kind::SupplyChain => Subject::Package,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for id in BuiltinId::ALL {
            assert!(seen.insert(id.as_str()), "{} twice", id.as_str());
            assert_eq!(BuiltinId::parse(id.as_str()), Some(id));
        }
        assert_eq!(BuiltinId::parse("SG-TLS-001"), None);
    }

    #[test]
    fn run_problems_are_told_by_id_not_by_kind() {
        let deny = Finding::new("SG-DENY-000", Kind::SupplyChain, "t");
        assert_eq!(deny.subject(), Subject::RunProblem { fails_closed: true });
        let banned = Finding::new("deny::banned", Kind::SupplyChain, "t");
        assert_eq!(banned.subject(), Subject::Package);
        let forbid = Finding::new("SG-UNSAFE-001", Kind::Unsafe, "t");
        assert_eq!(forbid.subject(), Subject::CrateProperty);
    }
}
