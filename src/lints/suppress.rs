//! Inline suppressions: `// secgate:allow(SG-TLS-001) reason`, read from the source text by line
//! because `syn` keeps no comments.
//!
//! A suppression applies to a finding on its own line (a trailing comment) or on the code line
//! right below a block of comment lines that holds it. Several ids may be given, separated by
//! commas. The reason is required: without one the finding stays unsuppressed and says why.

use std::collections::HashMap;

const MARKER: &str = "secgate:allow(";

/// One `secgate:allow` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Allow {
    ids: Vec<String>,
    reason: Option<String>,
}

/// The suppressions of one file, by 1-based line.
#[derive(Debug, Default)]
pub struct Suppressions {
    allows: HashMap<u32, Allow>,
    /// Lines holding nothing but a `//` comment.
    comment_only: Vec<bool>,
}

/// What the suppressions say about one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// No suppression names the rule here.
    None,
    /// Suppressed, with the reason given.
    Allowed(String),
    /// A suppression names the rule on this line but gives no reason, so it does not count.
    NoReason(u32),
}

impl Suppressions {
    /// Reads every `secgate:allow(...)` comment of `text`.
    pub fn parse(text: &str) -> Suppressions {
        let mut suppressions = Suppressions::default();
        suppressions.comment_only.push(false); // line 0 does not exist
        for (index, line) in text.lines().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let trimmed = line.trim_start();
            suppressions
                .comment_only
                .push(trimmed.starts_with("//") && !trimmed.starts_with("///"));
            let Some(comment) = line.find("//").map(|at| &line[at..]) else {
                continue;
            };
            if let Some(allow) = parse_allow(comment) {
                suppressions.allows.insert(number, allow);
            }
        }
        suppressions
    }

    /// The suppression for rule `id` reported at `line`, if any.
    pub fn lookup(&self, id: &str, line: u32) -> Lookup {
        let mut candidates = vec![line];
        let mut above = line.saturating_sub(1);
        while above > 0 && self.comment_only.get(above as usize) == Some(&true) {
            candidates.push(above);
            above -= 1;
        }
        for candidate in candidates {
            let Some(allow) = self.allows.get(&candidate) else {
                continue;
            };
            if allow.ids.iter().any(|i| i == id) {
                return match &allow.reason {
                    Some(reason) => Lookup::Allowed(reason.clone()),
                    None => Lookup::NoReason(candidate),
                };
            }
        }
        Lookup::None
    }
}

fn parse_allow(comment: &str) -> Option<Allow> {
    let start = comment.find(MARKER)? + MARKER.len();
    let rest = &comment[start..];
    let close = rest.find(')')?;
    let ids = rest[..close]
        .split(',')
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .collect();
    let reason = rest[close + 1..]
        .trim()
        .trim_start_matches([':', '-', '—'])
        .trim()
        .trim_end_matches("*/")
        .trim();
    Some(Allow {
        ids,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_preceding_comments_suppress_with_a_reason() {
        let text = "fn f() {\n    // secgate:allow(SG-TLS-001) test server, self-signed\n    a();\n    b(); // secgate:allow(SG-HASH-001, SG-CT-001): legacy checksum\n    c(); // secgate:allow(SG-CMD-001)\n}\n";
        let s = Suppressions::parse(text);
        assert_eq!(
            s.lookup("SG-TLS-001", 3),
            Lookup::Allowed("test server, self-signed".into())
        );
        assert_eq!(s.lookup("SG-TLS-001", 4), Lookup::None);
        assert_eq!(
            s.lookup("SG-CT-001", 4),
            Lookup::Allowed("legacy checksum".into())
        );
        assert_eq!(s.lookup("SG-CMD-001", 5), Lookup::NoReason(5));
        assert_eq!(s.lookup("SG-HASH-001", 5), Lookup::None);
    }

    #[test]
    fn a_comment_two_code_lines_up_does_not_reach() {
        let text = "// secgate:allow(SG-TLS-001) why\nlet a = 1;\nlet b = 2;\n";
        let s = Suppressions::parse(text);
        assert_eq!(s.lookup("SG-TLS-001", 2), Lookup::Allowed("why".into()));
        assert_eq!(s.lookup("SG-TLS-001", 3), Lookup::None);
    }
}
