//! Tests of the lint pipeline: suppressions, test-code skipping, aliases, macro arguments.

use super::*;

fn ids_and_lines(text: &str, options: &LintOptions) -> Vec<(String, u32)> {
    let mut found: Vec<(String, u32)> = lint_text("src/x.rs", text, options)
        .into_iter()
        .map(|f| (f.id, f.locations[0].line))
        .collect();
    found.sort();
    found
}

fn default_ids(text: &str) -> Vec<(String, u32)> {
    ids_and_lines(text, &LintOptions::default())
}

#[test]
fn suppression_needs_a_reason() {
    let text = r#"
fn f() {
    let a = md5::compute(b"x"); // secgate:allow(SG-HASH-001) cache key, not security
    // secgate:allow(SG-HASH-001)
    let b = md5::compute(b"y");
}
"#;
    let findings = lint_text("src/x.rs", text, &LintOptions::default());
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].locations[0].line, 3);
    assert_eq!(
        findings[0].suppressed.as_deref(),
        Some("cache key, not security")
    );
    assert_eq!(findings[1].locations[0].line, 5);
    assert_eq!(findings[1].suppressed, None);
    assert!(
        findings[1]
            .description
            .contains("ignored: it gives no reason"),
        "{}",
        findings[1].description
    );
}

#[test]
fn test_code_is_skipped_unless_asked() {
    let text = r#"
fn real() { let _ = md5::compute(b"x"); }
#[cfg(test)]
mod tests {
    #[test]
    fn t() { let _ = md5::compute(b"x"); }
}
#[test]
fn top_level_test() { let _ = md5::compute(b"x"); }
#[cfg(not(test))]
fn not_test() { let _ = md5::compute(b"x"); }
"#;
    assert_eq!(
        default_ids(text),
        vec![("SG-HASH-001".into(), 2), ("SG-HASH-001".into(), 11)]
    );
    let all = ids_and_lines(
        text,
        &LintOptions {
            include_tests: true,
        },
    );
    assert_eq!(
        all.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        vec![2, 6, 9, 11]
    );
}

#[test]
fn aliases_are_resolved() {
    let text = r#"
use md5::compute as hash;
use openssl::ssl::{SslVerifyMode as Mode, SslConnector};
use std::process::Command as Cmd;
fn f(b: &mut SslConnector, host: &str) {
    let _ = hash(b"x");
    b.set_verify(Mode::NONE);
    let _ = Cmd::new("bash").args(["-c", &format!("ls {host}")]).status();
}
"#;
    assert_eq!(
        default_ids(text),
        vec![
            ("SG-CMD-001".into(), 8),
            ("SG-HASH-001".into(), 6),
            ("SG-TLS-001".into(), 7),
        ]
    );
}

#[test]
fn macro_arguments_are_looked_into() {
    let text = r#"
fn f(token: &str, expected_token: &str) {
    println!("{}", md5::compute(b"x").len());
    assert!(token == expected_token, "bad token");
}
"#;
    assert_eq!(
        default_ids(text),
        vec![("SG-CT-001".into(), 4), ("SG-HASH-001".into(), 3)]
    );
}

#[test]
fn unparsable_file_is_a_finding_with_its_line() {
    let findings = lint_text(
        "src/bad.rs",
        "fn f() {\n    let = ;\n}\n",
        &LintOptions::default(),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].id, "SG-PARSE-001");
    assert_eq!(findings[0].locations[0].line, 2);
    assert_eq!(findings[0].severity, Severity::Unknown);
}

#[test]
fn test_directories_are_skipped() {
    assert!(is_test_path("tests/it.rs"));
    assert!(is_test_path("crates/a/benches/b.rs"));
    assert!(!is_test_path("src/tests_helper.rs"));
}
