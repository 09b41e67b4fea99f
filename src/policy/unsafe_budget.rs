//! The `[unsafe]` section applied to the build's unsafe accounting: workspace crates that must
//! forbid unsafe code, and crates over their unsafe budget, become findings of kind `unsafe`.

use super::Policy;
use crate::finding::{Confidence, Finding, Kind, Location, Package};
use crate::ids::BuiltinId;
use crate::report::CrateUnsafe;

impl Policy {
    /// Findings for the build's unsafe accounting under `[unsafe]`: crates over their budget,
    /// and, with `require-forbid`, workspace crates (`members`) without `#![forbid(unsafe_code)]`.
    /// `locate` places a crate's finding (the workspace's one rule: its Cargo.lock entry).
    pub fn unsafe_findings(
        &self,
        crates: &[CrateUnsafe],
        members: &[Package],
        locate: &dyn Fn(&Package) -> Location,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for krate in crates {
            let name = &krate.package.name;
            let counts = &krate.counts;
            if let Some((_, budget)) = self.unsafe_code.budgets.iter().find(|(n, _)| n == name) {
                let total = counts.total() as u64;
                if total > *budget {
                    findings.push(finding(
                        BuiltinId::OverBudget,
                        krate,
                        locate(&krate.package),
                        format!("{name} has {total} unsafe items, over its budget of {budget}"),
                        format!(
                            "unsafe functions {}, blocks {}, impls {}, traits {}",
                            counts.functions, counts.blocks, counts.impls, counts.traits
                        ),
                        "Remove unsafe code, or raise the budget in [unsafe.budgets] after review.",
                    ));
                }
            }
            if self.unsafe_code.require_forbid
                && members.contains(&krate.package)
                && !counts.forbids_unsafe
            {
                findings.push(finding(
                    BuiltinId::MissingForbid,
                    krate,
                    locate(&krate.package),
                    format!("{name} does not forbid unsafe code"),
                    "The policy requires #![forbid(unsafe_code)] in every workspace crate.".into(),
                    "Add #![forbid(unsafe_code)] at the top of the crate root.",
                ));
            }
        }
        findings
    }
}

fn finding(
    id: BuiltinId,
    krate: &CrateUnsafe,
    location: Location,
    title: String,
    description: String,
    fix: &str,
) -> Finding {
    Finding {
        package: Some(krate.package.clone()),
        cwe: vec!["CWE-119".to_string()],
        description,
        reachability_reason: "unsafe accounting counts code, it does not trace it".to_string(),
        locations: vec![location],
        confidence: Some(Confidence::High),
        fix: Some(fix.to_string()),
        ..Finding::new(id.as_str(), Kind::Unsafe, title)
    }
}
