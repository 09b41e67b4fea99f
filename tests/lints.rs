//! The lint rules over real code: the vulnerable twin must yield exactly its README's lint rows,
//! the hardened sample server none, and every rule fixture exactly the lines it marks.

use std::path::{Path, PathBuf};

use secgate::lints::{LintOptions, scan_sources, workspace_sources};

fn root(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
}

fn scan(dir: &str) -> Vec<(String, String, u32)> {
    let root = root(dir);
    let files = workspace_sources(&root);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    scan_sources(&root, &files, &LintOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|f| (f.id, f.locations[0].file.clone(), f.locations[0].line))
        .collect()
}

fn row(id: &str, file: &str, line: u32) -> (String, String, u32) {
    (id.to_string(), file.to_string(), line)
}

#[test]
fn vulnerable_twin_yields_exactly_its_readme_rows() {
    assert_eq!(
        scan("fixtures/vulnerable-server"),
        vec![
            row("SG-SECRET-001", "src/auth.rs", 9),
            row("SG-CT-001", "src/auth.rs", 19),
            row("SG-PROF-001", "src/lib.rs", 33),
            row("SG-CMD-001", "src/ops.rs", 20),
            row("SG-TLS-001", "src/outbound.rs", 8),
            row("SG-REGEX-001", "src/search.rs", 27),
            row("SG-HASH-001", "src/token.rs", 27),
        ]
    );
}

#[test]
fn hardened_sample_server_yields_nothing() {
    assert_eq!(scan("fixtures/sample-server"), vec![]);
}

/// Each file under `fixtures/lints/rules/` marks the lines a rule must report with
/// `// expect: SG-…` (several ids separated by commas); every other line must stay clean.
#[test]
fn rule_fixtures_report_exactly_the_marked_lines() {
    let dir = root("fixtures/lints/rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.map(|e| e.path()).unwrap_or_default())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut covered = std::collections::HashSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut expected: Vec<(String, u32)> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if let Some(at) = line.find("// expect: ") {
                for id in line[at + "// expect: ".len()..].split(',') {
                    expected.push((id.trim().to_string(), (index + 1) as u32));
                }
            }
        }
        expected.sort();
        if expected.is_empty() {
            failures.push(format!("{}: no `// expect:` line", file.display()));
        }
        covered.extend(expected.iter().map(|(id, _)| id.clone()));
        let mut actual: Vec<(String, u32)> =
            scan_sources(&dir, std::slice::from_ref(file), &LintOptions::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|f| (f.id, f.locations[0].line))
                .collect();
        actual.sort();
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                file.display()
            ));
        }
    }
    for rule in secgate::lints::rules::rules() {
        if !covered.contains(rule.id) {
            failures.push(format!("{}: no rule fixture expects it", rule.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `fixtures/lints/resolution` writes the rule fixtures' flaws the way ordinary code does
/// (renamed crates in its Cargo.toml, aliases, globs, locals, builders across statements, tracing
/// fields, trait impls) next to look-alikes; `// expect: SG-…` marks exactly the reported lines.
#[test]
fn resolution_cases_report_exactly_the_marked_lines() {
    let dir = root("fixtures/lints/resolution");
    let files = workspace_sources(&dir);
    let mut expected: Vec<(String, String, u32)> = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (index, line) in text.lines().enumerate() {
            if let Some(at) = line.find("// expect: ") {
                for id in line[at + "// expect: ".len()..].split(',') {
                    expected.push((id.trim().to_string(), rel.clone(), (index + 1) as u32));
                }
            }
        }
    }
    expected.sort();
    assert!(expected.len() >= 20, "{expected:?}");
    let mut actual: Vec<(String, String, u32)> =
        scan_sources(&dir, &files, &LintOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|f| (f.id, f.locations[0].file.clone(), f.locations[0].line))
            .collect();
    actual.sort();
    let missed: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nflagged look-alikes {extra:#?}"
    );
}

/// The realistic fixture crate marks each real flaw with `// truth: SG-…` (several ids separated
/// by commas). The table of detections, misses and false positives per rule is the one in
/// `docs/lints.md`.
#[test]
fn realistic_crate_detection_table() {
    use std::collections::BTreeMap;
    let dir = root("fixtures/lints/realistic");
    let files = workspace_sources(&dir);
    let mut truth: Vec<(String, String, u32)> = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (index, line) in text.lines().enumerate() {
            if let Some(at) = line.find("// truth: ") {
                for id in line[at + "// truth: ".len()..].split(',') {
                    truth.push((id.trim().to_string(), rel.clone(), (index + 1) as u32));
                }
            }
        }
    }
    let found: Vec<(String, String, u32, bool)> =
        scan_sources(&dir, &files, &LintOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|f| {
                let suppressed = f.suppressed.is_some();
                (
                    f.id,
                    f.locations[0].file.clone(),
                    f.locations[0].line,
                    suppressed,
                )
            })
            .collect();
    // rule -> (true positives, missed, false positives, suppressed)
    let mut table: BTreeMap<String, (u32, u32, u32, u32)> = BTreeMap::new();
    for rule in secgate::lints::rules::rules() {
        table.insert(rule.id.to_string(), (0, 0, 0, 0));
    }
    let mut false_positives = Vec::new();
    for (id, file, line, suppressed) in &found {
        let entry = table.entry(id.clone()).or_default();
        if *suppressed {
            entry.3 += 1;
        } else if truth.contains(&(id.clone(), file.clone(), *line)) {
            entry.0 += 1;
        } else {
            entry.2 += 1;
            false_positives.push(format!("{id} {file}:{line}"));
        }
    }
    let mut missed = Vec::new();
    for (id, file, line) in &truth {
        if !found
            .iter()
            .any(|(i, f, l, _)| i == id && f == file && l == line)
        {
            table.entry(id.clone()).or_default().1 += 1;
            missed.push(format!("{id} {file}:{line}"));
        }
    }
    let mut report = String::from(
        "| rule | flaws | detected | missed | false positives | suppressed |\n|---|---|---|---|---|---|\n",
    );
    for (id, (tp, fn_, fp, sup)) in &table {
        report.push_str(&format!(
            "| {id} | {} | {tp} | {fn_} | {fp} | {sup} |\n",
            tp + fn_
        ));
    }
    report.push_str(&format!(
        "\nmissed: {missed:?}\nfalse positives: {false_positives:?}\n"
    ));
    insta::assert_snapshot!(report);
}

/// Lines of `dir`'s sources marked `// <marker>: SG-…` (several ids separated by commas), as
/// (id, file relative to `dir`, line).
fn marked_lines(dir: &Path, files: &[PathBuf], marker: &str) -> Vec<(String, String, u32)> {
    let mut marked = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (index, line) in text.lines().enumerate() {
            if let Some(at) = line.find(marker) {
                for id in line[at + marker.len()..].split(',') {
                    marked.push((id.trim().to_string(), rel.clone(), (index + 1) as u32));
                }
            }
        }
    }
    marked
}

/// The second realistic crate, a payments service (issue 13): each flaw marked
/// `// truth: SG-…`, each safe look-alike `// look-alike: SG-…` on the line the rule would
/// report. The table (per rule: flaws, detected, missed, look-alikes, look-alikes flagged, other
/// false positives) and the totals are the ones in `docs/lints.md`.
#[test]
fn payments_crate_detection_table() {
    use std::collections::BTreeMap;
    let dir = root("fixtures/lints/payments");
    let files = workspace_sources(&dir);
    let truth = marked_lines(&dir, &files, "// truth: ");
    let look_alikes = marked_lines(&dir, &files, "// look-alike: ");
    assert!(truth.len() >= 30 && look_alikes.len() >= truth.len());
    let found: Vec<(String, String, u32)> = scan_sources(&dir, &files, &LintOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (f.id, f.locations[0].file.clone(), f.locations[0].line))
        .collect();
    // rule -> [flaws, detected, look-alikes, look-alikes flagged, other false positives]
    let mut table: BTreeMap<String, [u32; 5]> = BTreeMap::new();
    for (id, ..) in &truth {
        table.entry(id.clone()).or_default()[0] += 1;
    }
    for (id, ..) in &look_alikes {
        table.entry(id.clone()).or_default()[2] += 1;
    }
    let (mut missed, mut flagged, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for t in &truth {
        if found.contains(t) {
            table.entry(t.0.clone()).or_default()[1] += 1;
        } else {
            missed.push(format!("{} {}:{}", t.0, t.1, t.2));
        }
    }
    for f in &found {
        if truth.contains(f) {
            continue;
        }
        // A finding on a look-alike's line, of any rule, is a flagged look-alike.
        if look_alikes
            .iter()
            .any(|(_, file, line)| *file == f.1 && *line == f.2)
        {
            if let Some((id, ..)) = look_alikes
                .iter()
                .find(|(_, file, line)| *file == f.1 && *line == f.2)
            {
                table.entry(id.clone()).or_default()[3] += 1;
            }
            flagged.push(format!("{} {}:{}", f.0, f.1, f.2));
        } else {
            table.entry(f.0.clone()).or_default()[4] += 1;
            other.push(format!("{} {}:{}", f.0, f.1, f.2));
        }
    }
    let mut report = String::from(
        "| rule | flaws | detected | missed | look-alikes | look-alikes flagged | other false positives |\n|---|---|---|---|---|---|---|\n",
    );
    let mut totals = [0u32; 5];
    for (id, row) in &table {
        report.push_str(&format!(
            "| {id} | {} | {} | {} | {} | {} | {} |\n",
            row[0],
            row[1],
            row[0] - row[1],
            row[2],
            row[3],
            row[4]
        ));
        for (t, r) in totals.iter_mut().zip(row) {
            *t += r;
        }
    }
    let percent = |a: u32, b: u32| (a * 100 + b / 2).checked_div(b).unwrap_or(0);
    report.push_str(&format!(
        "\ndetected {} of {} flaws ({} %); look-alikes flagged {} of {} ({} %); other false positives {}\n\
         missed: {missed:?}\nlook-alikes flagged: {flagged:?}\nother false positives: {other:?}\n",
        totals[1],
        totals[0],
        percent(totals[1], totals[0]),
        totals[3],
        totals[2],
        percent(totals[3], totals[2]),
        totals[4]
    ));
    insta::assert_snapshot!(report);
}

/// docs/lints.md's rule table is generated from the registry: the test fails when the document is
/// stale, and `UPDATE_DOCS=1` rewrites the table in place.
#[test]
fn the_documented_rule_table_is_the_registry() {
    const START: &str = "-->\n";
    const END: &str = "<!-- end of rules table -->";
    let path = root("docs/lints.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let marker = doc
        .find("<!-- rules table:")
        .expect("the rules table marker");
    let table_start = marker + doc[marker..].find(START).unwrap() + START.len();
    let table_end = doc.find(END).expect("the end marker");
    let expected = secgate::lints::rules::markdown_table();
    if doc[table_start..table_end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{expected}{}", &doc[..table_start], &doc[table_end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "docs/lints.md's rule table is stale; run `UPDATE_DOCS=1 cargo test --test lints` to \
         regenerate it. Expected:\n{expected}"
    );
}
