//! Reading a policy file: every problem is collected (unknown keys, wrong types, an ignore without
//! a reason, an invalid date), each with file, line and column, and reported at once.
//!
//! The walk over the TOML document is written by hand over `toml_edit`'s spanned items: serde
//! stops at the first error, and the policy's few sections are easier to check directly.

use super::{
    AdvisoryRules, CargoDeny, Ignore, IgnoreRules, InferredRules, LintRule, LintRules, Policy,
    SupplyChainRules, UnsafeRules, Verdict,
};
use crate::error::{Error, PolicyProblem};
use crate::finding::{Confidence, Location, Severity};
use crate::location::{LineIndex, cwd_relative};
use std::path::Path;
use time::Date;
use toml_edit::{Document, Item, Table, TableLike};

/// The bundled default policy: the one place default values are written. It sets every key.
const DEFAULT_POLICY: &str = include_str!("../../policies/default.toml");

/// The policies shipped in `policies/`, built into the binary.
const BUNDLED: &[(&str, &str)] = &[
    ("default", DEFAULT_POLICY),
    ("strict", include_str!("../../policies/strict.toml")),
];

/// The file secgate looks for at the workspace root.
pub const POLICY_FILE: &str = "secgate.toml";

/// A bundled policy by name (`default`, `strict`); `None` for another name.
pub fn bundled(name: &str) -> Option<Result<Policy, Error>> {
    let (_, text) = BUNDLED.iter().find(|(n, _)| *n == name)?;
    Some(
        parse(
            text,
            &format!("policies/{name}.toml"),
            &format!("built-in {name}"),
        )
        .map_err(Error::Policy),
    )
}

/// The bundled default policy.
pub fn bundled_default() -> Result<Policy, Error> {
    bundled("default").unwrap_or_else(|| defaults().map_err(Error::Policy))
}

/// `--policy VALUE`: a bundled name or a file path.
pub fn load_file(value: &str) -> Result<Policy, Error> {
    if let Some(policy) = bundled(value) {
        return policy;
    }
    let path = Path::new(value);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, value, value).map_err(Error::Policy)
}

/// The policy for a workspace: its `secgate.toml` if there is one, else the bundled default;
/// plus the ignores of `deny.toml` and `.cargo/audit.toml` when the policy imports them.
pub fn load_for_workspace(root: &Path, explicit: Option<&str>) -> Result<Policy, Error> {
    let mut policy = match explicit {
        Some(value) => load_file(value)?,
        None => {
            let path = root.join(POLICY_FILE);
            // Named as a path given with --policy would be: the reader knows which file it is.
            let name = cwd_relative(&path);
            match std::fs::read_to_string(&path) {
                Ok(text) => parse(&text, &name, &name).map_err(Error::Policy)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => bundled_default()?,
                Err(e) => return Err(Error::io(path, e)),
            }
        }
    };
    super::imports::add_imported_ignores(&mut policy, root)?;
    Ok(policy)
}

/// Parses and validates a policy; `file` names it in problems, `source` in the report. A key
/// the policy does not set takes the bundled default policy's value.
pub fn parse(text: &str, file: &str, source: &str) -> Result<Policy, Vec<PolicyProblem>> {
    parse_over(text, file, source, Some(&defaults()?))
}

/// The values a key takes when a policy does not set it: the bundled default policy's, read once.
fn defaults() -> Result<Policy, Vec<PolicyProblem>> {
    static DEFAULTS: std::sync::OnceLock<Result<Policy, Vec<PolicyProblem>>> =
        std::sync::OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            parse_over(
                DEFAULT_POLICY,
                "policies/default.toml",
                "built-in default",
                None,
            )
        })
        .clone()
}

/// Parses over `base`'s values; without a base (the bundled default itself), every key must be
/// set, so that no default value is written anywhere but in `policies/default.toml`.
fn parse_over(
    text: &str,
    file: &str,
    source: &str,
    base: Option<&Policy>,
) -> Result<Policy, Vec<PolicyProblem>> {
    let mut reader = Reader {
        file,
        lines: LineIndex::new(text),
        problems: Vec::new(),
        every_key_required: base.is_none(),
    };
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(error) => {
            let at = error.span().map_or(0, |s| s.start);
            reader.problem(at, error.message().to_string());
            return Err(reader.problems);
        }
    };
    let root = document.as_table();
    reader.known_keys(
        root,
        "the policy",
        &[
            "advisories",
            "lints",
            "unsafe",
            "supply-chain",
            "ignores",
            "ignore",
        ],
    );
    let blank = blank();
    let defaults = base.unwrap_or(&blank);
    let advisories = reader.advisory_rules(root, &defaults.advisories);
    let lints = reader.lint_rules(root, &defaults.lints);
    let unsafe_code = reader.unsafe_rules(root, &defaults.unsafe_code);
    let supply_chain = reader.supply_chain_rules(root, &defaults.supply_chain);
    let ignore_rules = reader.ignore_rules(root, &defaults.ignore_rules);
    let ignores = reader.ignores(root, ignore_rules.require_expiry);

    if reader.problems.is_empty() {
        Ok(Policy {
            source: source.to_string(),
            advisories,
            lints,
            unsafe_code,
            supply_chain,
            ignores,
            ignore_rules,
        })
    } else {
        Err(reader.problems)
    }
}

/// A policy with every value zero: the base the bundled default is parsed over, where every key
/// must be set, so none of these values is ever used.
fn blank() -> Policy {
    Policy {
        source: String::new(),
        advisories: AdvisoryRules::default(),
        lints: LintRules::default(),
        unsafe_code: UnsafeRules::default(),
        supply_chain: SupplyChainRules::default(),
        ignores: Vec::new(),
        ignore_rules: IgnoreRules::default(),
    }
}

struct Reader<'a> {
    file: &'a str,
    lines: LineIndex<'a>,
    problems: Vec<PolicyProblem>,
    /// Reading the bundled default: a key it leaves out is a problem.
    every_key_required: bool,
}

impl Reader<'_> {
    /// 1-based line and column of a byte offset.
    fn position(&self, offset: usize) -> (u32, u32) {
        self.lines.position(offset)
    }

    fn location(&self, offset: usize) -> Location {
        let (line, column) = self.position(offset);
        Location {
            file: self.file.to_string(),
            line,
            column: Some(column),
        }
    }

    fn problem(&mut self, offset: usize, message: String) {
        let (line, column) = self.position(offset);
        self.problems.push(PolicyProblem {
            file: self.file.to_string(),
            line,
            column,
            message,
        });
    }

    fn problem_at(&mut self, item: &Item, message: String) {
        self.problem(item.span().map_or(0, |s| s.start), message);
    }

    fn known_keys(&mut self, table: &Table, what: &str, allowed: &[&str]) {
        // Keys whose absence is a value of its own (no ignores, cargo-deny's own config lookup).
        const OPTIONAL: [&str; 2] = ["ignore", "config"];
        if self.every_key_required {
            let start = table.span().map_or(0, |s| s.start);
            for key in allowed.iter().filter(|k| !OPTIONAL.contains(k)) {
                if !table.contains_key(key) {
                    self.problem(
                        start,
                        format!("the bundled default policy must set `{key}` in {what}"),
                    );
                }
            }
        }
        for (key, _) in table.iter() {
            if !allowed.contains(&key) {
                let offset = table.key(key).and_then(|k| k.span()).map_or(0, |s| s.start);
                self.problem(
                    offset,
                    format!(
                        "unknown key `{key}` in {what}; expected one of: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn table<'t>(&mut self, parent: &'t Table, key: &str) -> Option<&'t Table> {
        let item = parent.get(key)?;
        match item {
            Item::Table(table) => Some(table),
            Item::Value(toml_edit::Value::InlineTable(_)) => {
                self.problem_at(
                    item,
                    format!("write `{key}` as a [table] section, not an inline table"),
                );
                None
            }
            _ => {
                self.problem_at(item, format!("`{key}` must be a table"));
                None
            }
        }
    }

    /// A key → value map, written as a section or inline (`rules = { "SG-TLS-001" = "fail" }`).
    fn map<'t>(&mut self, parent: &'t Table, key: &str) -> Option<&'t dyn TableLike> {
        let item = parent.get(key)?;
        let map = item.as_table_like();
        if map.is_none() {
            self.problem_at(item, format!("`{key}` must be a table"));
        }
        map
    }

    fn string<'t>(&mut self, table: &'t Table, key: &str) -> Option<&'t str> {
        let item = table.get(key)?;
        let value = item.as_str();
        if value.is_none() {
            self.problem_at(item, format!("`{key}` must be a string"));
        }
        value
    }

    fn choice(&mut self, table: &Table, key: &str, allowed: &[&str]) -> Option<String> {
        let item = table.get(key)?;
        match item.as_str() {
            Some(value) if allowed.contains(&value) => Some(value.to_string()),
            _ => {
                self.problem_at(item, format!("`{key}` must be one of: {}", quoted(allowed)));
                None
            }
        }
    }

    fn severity(&mut self, table: &Table, key: &str, default: Severity) -> Severity {
        const NAMES: &[&str] = &["none", "low", "medium", "high", "critical"];
        match self.choice(table, key, NAMES).as_deref() {
            Some("none") => Severity::None,
            Some("low") => Severity::Low,
            Some("medium") => Severity::Medium,
            Some("high") => Severity::High,
            Some("critical") => Severity::Critical,
            _ => default,
        }
    }

    fn verdict(&mut self, table: &Table, key: &str, default: Verdict) -> Verdict {
        match table.get(key) {
            Some(item) => self.verdict_item(item).unwrap_or(default),
            None => default,
        }
    }

    fn verdict_item(&mut self, item: &Item) -> Option<Verdict> {
        match item.as_str() {
            Some("fail") => Some(Verdict::Fail),
            Some("warn") => Some(Verdict::Warn),
            Some("pass") => Some(Verdict::Pass),
            _ => {
                self.problem_at(
                    item,
                    format!("expected one of: {}", quoted(&["fail", "warn", "pass"])),
                );
                None
            }
        }
    }

    fn boolean(&mut self, table: &Table, key: &str, default: bool) -> bool {
        let Some(item) = table.get(key) else {
            return default;
        };
        item.as_bool().unwrap_or_else(|| {
            self.problem_at(item, format!("`{key}` must be true or false"));
            default
        })
    }

    fn globs(&mut self, table: &Table, key: &str) -> Vec<globset::Glob> {
        let Some(item) = table.get(key) else {
            return Vec::new();
        };
        let Some(array) = item.as_array() else {
            self.problem_at(item, format!("`{key}` must be an array of strings"));
            return Vec::new();
        };
        let mut globs = Vec::new();
        for value in array.iter() {
            let offset = value.span().map_or(0, |s| s.start);
            match value.as_str() {
                Some(glob) => match globset::Glob::new(glob) {
                    Ok(parsed) => globs.push(parsed),
                    Err(e) => self.problem(offset, format!("invalid glob {glob:?}: {e}")),
                },
                None => self.problem(offset, format!("`{key}` must hold strings")),
            }
        }
        globs
    }

    fn ignore(&mut self, table: &Table, require_expiry: bool) -> Option<Ignore> {
        self.known_keys(
            table,
            "[[ignore]]",
            &["id", "reason", "expires", "package", "version", "path"],
        );
        let start = table.span().map_or(0, |s| s.start);
        let id = self.string(table, "id");
        let reason = self
            .string(table, "reason")
            .filter(|r| !r.trim().is_empty());
        if id.is_none() {
            self.problem(
                start,
                "an [[ignore]] needs an `id` (advisory id, alias or rule id)".into(),
            );
        }
        if reason.is_none() {
            self.problem(
                start,
                "an [[ignore]] needs a `reason`: say why the risk is accepted".into(),
            );
        }
        let expires = match table.get("expires") {
            None => {
                if require_expiry {
                    self.problem(start, "this policy requires every [[ignore]] to have an `expires` date (YYYY-MM-DD)".into());
                }
                None
            }
            Some(item) => {
                let text = item.as_str().map(str::to_string).or_else(|| {
                    item.as_value()
                        .and_then(|v| v.as_datetime())
                        .map(|d| d.to_string())
                });
                match text.as_deref().and_then(parse_date) {
                    Some(date) => Some(date),
                    None => {
                        self.problem_at(item, "`expires` must be a date written YYYY-MM-DD".into());
                        None
                    }
                }
            }
        };
        let package = self.string(table, "package").map(str::to_string);
        let version = self.string(table, "version").map(str::to_string);
        if let (Some(text), Some(item)) = (&version, table.get("version"))
            && let Err(e) = rustsec::Version::parse(text)
        {
            self.problem_at(
                item,
                format!("`version` must be an exact version such as \"1.2.3\" ({e})"),
            );
        }
        if version.is_some() && package.is_none() {
            self.problem(
                start,
                "`version` needs `package` in the same [[ignore]]".into(),
            );
        }
        let path = match self.string(table, "path") {
            None => None,
            Some(glob) => match globset::Glob::new(glob) {
                Ok(glob) => Some(glob),
                Err(e) => {
                    self.problem(start, format!("invalid path glob {glob:?}: {e}"));
                    None
                }
            },
        };
        Some(Ignore {
            id: id?.to_string(),
            package,
            version,
            path,
            reason: reason?.to_string(),
            expires,
            origin: self.location(start),
        })
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `YYYY-MM-DD`.
pub(super) fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// One reader method per section of the policy: each reads its table (absent: empty), reports
/// unknown keys, and takes a key the policy does not set from `defaults`.
impl Reader<'_> {
    fn section<'t>(&mut self, root: &'t Table, key: &str, empty: &'t Table) -> &'t Table {
        self.table(root, key).unwrap_or(empty)
    }

    fn advisory_rules(&mut self, root: &Table, d: &AdvisoryRules) -> AdvisoryRules {
        let empty = Table::new();
        let advisories = self.section(root, "advisories", &empty);
        self.known_keys(
            advisories,
            "[advisories]",
            &[
                "fail-on",
                "unrated-severity",
                "unknown-reachability",
                "unreachable",
                "below-threshold",
                "unmaintained",
                "unsound",
                "notice",
                "inferred",
            ],
        );
        let inferred = self.section(advisories, "inferred", &empty);
        self.known_keys(
            inferred,
            "[advisories.inferred]",
            &["min-confidence", "unreachable"],
        );
        let min_confidence = match self
            .choice(
                inferred,
                "min-confidence",
                &["high", "medium", "low", "never"],
            )
            .as_deref()
        {
            Some("high") => Some(Confidence::High),
            Some("medium") => Some(Confidence::Medium),
            Some("low") => Some(Confidence::Low),
            Some(_) => None,
            None => d.inferred.min_confidence,
        };
        AdvisoryRules {
            fail_on: self.severity(advisories, "fail-on", d.fail_on),
            unrated_severity: self.severity(advisories, "unrated-severity", d.unrated_severity),
            unknown_is_reachable: self
                .choice(
                    advisories,
                    "unknown-reachability",
                    &["reachable", "unreachable"],
                )
                .map_or(d.unknown_is_reachable, |c| c == "reachable"),
            unreachable: self.verdict(advisories, "unreachable", d.unreachable),
            below_threshold: self.verdict(advisories, "below-threshold", d.below_threshold),
            unmaintained: self.verdict(advisories, "unmaintained", d.unmaintained),
            unsound: self.verdict(advisories, "unsound", d.unsound),
            notice: self.verdict(advisories, "notice", d.notice),
            inferred: InferredRules {
                min_confidence,
                unreachable: self.verdict(inferred, "unreachable", d.inferred.unreachable),
            },
        }
    }

    fn lint_rules(&mut self, root: &Table, defaults: &LintRules) -> LintRules {
        let empty = Table::new();
        let lints = self.section(root, "lints", &empty);
        self.known_keys(lints, "[lints]", &["fail-on", "rules", "exclude", "groups"]);
        let mut rules = Vec::new();
        if let Some(table) = self.map(lints, "rules") {
            for (id, item) in table.iter() {
                let offset = table
                    .key(id)
                    .and_then(|k| k.span())
                    .or_else(|| item.span())
                    .map_or(0, |s| s.start);
                if let Some(verdict) = self.verdict_item(item) {
                    rules.push(LintRule {
                        id: id.to_string(),
                        verdict,
                        origin: self.location(offset),
                    });
                }
            }
        }
        LintRules {
            fail_on: self.severity(lints, "fail-on", defaults.fail_on),
            rules,
            exclude: self.globs(lints, "exclude"),
            groups: self.lint_groups(lints, &defaults.groups),
        }
    }

    /// `groups = ["hygiene"]`: the optional lint groups to report.
    fn lint_groups(
        &mut self,
        table: &Table,
        defaults: &[crate::ids::LintGroup],
    ) -> Vec<crate::ids::LintGroup> {
        let Some(item) = table.get("groups") else {
            return defaults.to_vec();
        };
        let Some(array) = item.as_array() else {
            self.problem_at(item, "`groups` must be an array of strings".to_string());
            return defaults.to_vec();
        };
        let mut groups = Vec::new();
        for value in array.iter() {
            let offset = value.span().map_or(0, |s| s.start);
            let known = value
                .as_str()
                .and_then(crate::ids::LintGroup::parse)
                .filter(|g| crate::ids::LintGroup::OPTIONAL.contains(g));
            match known {
                Some(group) => groups.push(group),
                None => self.problem(
                    offset,
                    format!(
                        "unknown lint group {value}: the optional groups are {}",
                        crate::ids::LintGroup::OPTIONAL
                            .map(|g| format!("\"{}\"", g.as_str()))
                            .join(", ")
                    ),
                ),
            }
        }
        groups
    }

    fn unsafe_rules(&mut self, root: &Table, defaults: &UnsafeRules) -> UnsafeRules {
        let empty = Table::new();
        let unsafe_table = self.section(root, "unsafe", &empty);
        self.known_keys(
            unsafe_table,
            "[unsafe]",
            &["require-forbid", "budgets", "level"],
        );
        let mut budgets = Vec::new();
        if let Some(table) = self.map(unsafe_table, "budgets") {
            for (name, item) in table.iter() {
                match item.as_integer().and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => budgets.push((name.to_string(), n)),
                    None => self.problem_at(
                        item,
                        format!("unsafe.budgets.{name}: expected a whole number >= 0"),
                    ),
                }
            }
        }
        UnsafeRules {
            require_forbid: self.boolean(unsafe_table, "require-forbid", defaults.require_forbid),
            budgets,
            level: self.verdict(unsafe_table, "level", defaults.level),
        }
    }

    fn supply_chain_rules(&mut self, root: &Table, ds: &SupplyChainRules) -> SupplyChainRules {
        let empty = Table::new();
        let supply = self.section(root, "supply-chain", &empty);
        self.known_keys(
            supply,
            "[supply-chain]",
            &["cargo-deny", "config", "errors", "warnings"],
        );
        SupplyChainRules {
            cargo_deny: match self
                .choice(supply, "cargo-deny", &["auto", "always", "never"])
                .as_deref()
            {
                Some("always") => CargoDeny::Always,
                Some("never") => CargoDeny::Never,
                Some(_) => CargoDeny::Auto,
                None => ds.cargo_deny,
            },
            config: self.string(supply, "config").map(str::to_string),
            errors: self.verdict(supply, "errors", ds.errors),
            warnings: self.verdict(supply, "warnings", ds.warnings),
        }
    }

    fn ignore_rules(&mut self, root: &Table, di: &IgnoreRules) -> IgnoreRules {
        let empty = Table::new();
        let ignores_table = self.section(root, "ignores", &empty);
        self.known_keys(
            ignores_table,
            "[ignores]",
            &[
                "require-expiry",
                "expired",
                "unused",
                "import-deny-toml",
                "import-audit-toml",
            ],
        );
        IgnoreRules {
            require_expiry: self.boolean(ignores_table, "require-expiry", di.require_expiry),
            expired: self.verdict(ignores_table, "expired", di.expired),
            unused: self.verdict(ignores_table, "unused", di.unused),
            import_deny_toml: self.boolean(ignores_table, "import-deny-toml", di.import_deny_toml),
            import_audit_toml: self.boolean(
                ignores_table,
                "import-audit-toml",
                di.import_audit_toml,
            ),
        }
    }

    /// The `[[ignore]]` entries.
    fn ignores(&mut self, root: &Table, require_expiry: bool) -> Vec<Ignore> {
        let mut ignores = Vec::new();
        match root.get("ignore") {
            None => {}
            Some(Item::ArrayOfTables(array)) => {
                for table in array.iter() {
                    if let Some(ignore) = self.ignore(table, require_expiry) {
                        ignores.push(ignore);
                    }
                }
            }
            Some(item) => self.problem_at(
                item,
                "`ignore` must be an array of tables: write each as [[ignore]]".into(),
            ),
        }
        ignores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_policies_are_valid() {
        for (name, text) in BUNDLED {
            if let Err(problems) = parse(text, name, name) {
                panic!("{name}: {problems:?}");
            }
        }
        let strict = bundled("strict").unwrap().unwrap();
        assert!(strict.ignore_rules.require_expiry);
        assert!(!bundled_default().unwrap().ignore_rules.require_expiry);
        assert!(bundled("nope").is_none());
    }

    #[test]
    fn the_bundled_default_sets_every_key_so_defaults_live_in_one_place() {
        let without_fail_on = DEFAULT_POLICY.replacen("fail-on = \"high\"", "", 1);
        let problems = parse_over(&without_fail_on, "default.toml", "d", None).unwrap_err();
        assert!(
            problems[0]
                .message
                .contains("must set `fail-on` in [advisories]"),
            "{problems:?}"
        );
        let defaults = defaults().unwrap();
        assert_eq!(defaults.advisories.fail_on, Severity::High);
        assert_eq!(defaults.supply_chain.errors, Verdict::Fail);
    }

    #[test]
    fn lint_groups_are_opt_in_and_checked() {
        let default = defaults().unwrap();
        assert!(default.lints.groups.is_empty());
        let strict = bundled("strict").unwrap().unwrap();
        assert_eq!(strict.lints.groups, [crate::ids::LintGroup::Hygiene]);
        let text = "[lints]\ngroups = [\"hygiene\", \"style\"]\n";
        let problems = parse(text, "secgate.toml", "secgate.toml").unwrap_err();
        let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "secgate.toml:2:22: unknown lint group \"style\": the optional groups are \"hygiene\""
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_position() {
        let text = "[advisories]\nfail_on = \"high\"\nunsound = \"explode\"\n\n[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nexpires = \"2027-13-01\"\n\n[[ignore]]\nreason = \"x\"\n";
        let problems = parse(text, "secgate.toml", "secgate.toml").unwrap_err();
        let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "secgate.toml:2:1: unknown key `fail_on` in [advisories]; expected one of: fail-on, unrated-severity, unknown-reachability, unreachable, below-threshold, unmaintained, unsound, notice, inferred",
                "secgate.toml:3:11: expected one of: \"fail\", \"warn\", \"pass\"",
                "secgate.toml:5:1: an [[ignore]] needs a `reason`: say why the risk is accepted",
                "secgate.toml:7:11: `expires` must be a date written YYYY-MM-DD",
                "secgate.toml:9:1: an [[ignore]] needs an `id` (advisory id, alias or rule id)",
            ]
        );
    }

    #[test]
    fn wrong_types_are_problems_too() {
        let text =
            "[lints]\nfail-on = 3\nexclude = \"tests\"\n[unsafe]\nrequire-forbid = \"yes\"\n";
        let problems = parse(text, "p.toml", "p.toml").unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (2, 11));
    }

    #[test]
    fn malformed_toml_names_the_position() {
        let problems = parse("[advisories\n", "p.toml", "p.toml").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 1);
    }

    #[test]
    fn strict_requires_an_expiry() {
        let text = "[ignores]\nrequire-expiry = true\n\n[[ignore]]\nid = \"X\"\nreason = \"y\"\n";
        let problems = parse(text, "p.toml", "p.toml").unwrap_err();
        assert!(
            problems[0]
                .message
                .contains("requires every [[ignore]] to have an `expires`")
        );
    }
}
