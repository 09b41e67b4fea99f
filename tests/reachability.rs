//! The reachability fixture suite: one small project per pattern under `fixtures/reachability/`,
//! each scanned by the real binary (which builds it with IR), with the expected verdict asserted.
//!
//! The cases share one target directory, so each dependency is compiled once for the whole suite.

mod common;

use common::{fixture, run, secgate_building};
use serde_json::Value;
use std::path::PathBuf;

/// What one case must produce for one advisory.
struct Expect {
    case: &'static str,
    advisory: &'static str,
    version: &'static str,
    reachability: &'static str,
    /// A fragment the reason must contain.
    reason: &'static str,
    /// For reachable findings: functions the first trace must pass through, in order.
    trace: &'static [&'static str],
}

const fn reachable(
    case: &'static str,
    advisory: &'static str,
    version: &'static str,
    trace: &'static [&'static str],
) -> Expect {
    Expect {
        case,
        advisory,
        version,
        reachability: "reachable",
        reason: "is reachable",
        trace,
    }
}

const fn unreachable(
    case: &'static str,
    advisory: &'static str,
    version: &'static str,
    reason: &'static str,
) -> Expect {
    Expect {
        case,
        advisory,
        version,
        reachability: "unreachable",
        reason,
        trace: &[],
    }
}

const SMALLVEC: &str = "RUSTSEC-2021-0003";
const HTTP: &str = "RUSTSEC-2019-0033";
const TIME: &str = "RUSTSEC-2020-0071";

fn scan(case: &str) -> Value {
    let target_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/reachability-fixtures");
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", target_dir)
        .args(["scan", "--format", "json", "--traces", "3", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture(&format!("reachability/{case}"))));
    assert!(
        result.code == 0 || result.code == 1,
        "{case}: exit {}\n{}",
        result.code,
        result.stderr
    );
    result.json()
}

fn check(expect: &Expect) {
    let report = scan(expect.case);
    let status = &report["analysis"]["reachability"]["status"];
    assert_eq!(status, "complete", "{}: {report:#}", expect.case);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == expect.advisory && f["package"]["version"] == expect.version)
        .unwrap_or_else(|| {
            panic!(
                "{}: no {} {} in {report:#}",
                expect.case, expect.advisory, expect.version
            )
        });
    let reason = finding["reachability_reason"].as_str().unwrap();
    assert_eq!(
        finding["reachability"], expect.reachability,
        "{}: {} ({reason})",
        expect.case, expect.advisory
    );
    assert!(
        reason.contains(expect.reason),
        "{}: reason {reason:?} lacks {:?}",
        expect.case,
        expect.reason
    );
    let traces = finding["traces"].as_array().unwrap();
    if expect.reachability != "reachable" {
        assert!(
            traces.is_empty(),
            "{}: traces on a {} finding",
            expect.case,
            expect.reachability
        );
        return;
    }
    let frames = traces[0]["frames"].as_array().unwrap();
    let functions: Vec<&str> = frames
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    let root = format!("{}::main", expect.case.replace('-', "_"));
    assert_eq!(functions[0], root, "{}: trace {functions:?}", expect.case);
    let mut position = 0;
    for wanted in expect.trace {
        match functions[position..]
            .iter()
            .position(|f| f.contains(wanted))
        {
            Some(found) => position += found + 1,
            None => panic!(
                "{}: trace {functions:?} lacks {wanted:?} in order",
                expect.case
            ),
        }
    }
    // Every frame but the last names the call site, in workspace code for the root.
    assert!(
        frames[0]["location"]["file"]
            .as_str()
            .unwrap()
            .starts_with("src/"),
        "{}: {frames:?}",
        expect.case
    );
    assert!(frames[0]["location"]["line"].as_u64().unwrap() > 0);
}

macro_rules! cases {
    ($($name:ident: $expect:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(&$expect);
            }
        )*
    };
}

cases! {
    direct_call: reachable("direct-call", SMALLVEC, "0.6.13", &["insert_many"]);
    helper_chain: reachable("helper-chain", HTTP, "0.1.19", &["prepare_headers", "grow", "HeaderMap<T>::reserve"]);
    trait_object: reachable("trait-object", SMALLVEC, "0.6.13", &["Buffered as trait_object::Store>::put", "insert_many"]);
    generic_bound: reachable("generic-bound", SMALLVEC, "0.6.13", &["feed", "sink", "insert_many"]);
    closure_iterator: reachable("closure-iterator", TIME, "0.1.45", &["{{closure}}", "time::now"]);
    async_tokio: reachable("async-tokio", SMALLVEC, "0.6.13", &["handle", "insert_many"]);
    macro_rules: reachable("macro-rules", HTTP, "0.1.19", &["reserve"]);
    fn_pointer_table: reachable("fn-pointer-table", TIME, "0.1.45", &["local_second", "time::at"]);
    path_dependency: reachable("path-dependency", SMALLVEC, "0.6.13", &["helper::store", "insert_many"]);
    trait_impl_method: reachable("trait-impl-method", "RUSTSEC-2020-0145", "0.6.0", &["duplicate", "as core::clone::Clone>::clone"]);
    condition_never_true: reachable("condition-never-true", SMALLVEC, "0.6.13", &["insert_many"]);
    listed_type: reachable("listed-type", "RUSTSEC-2020-0070", "0.4.1", &["RwLockReadGuard"]);
    ffi_symbol: reachable("ffi-symbol", "RUSTSEC-2024-0013", "0.16.1+1.7.1", &["git_index_add"]);
    build_script_and_program: reachable("build-script-and-program", SMALLVEC, "0.6.13", &["insert_many"]);

    caller_never_called: unreachable("caller-never-called", SMALLVEC, "0.6.13", "smallvec::SmallVec::insert_many");
    cfg_test_only: unreachable("cfg-test-only", SMALLVEC, "0.6.13", "never compiled into the program");
    import_no_call: unreachable("import-no-call", SMALLVEC, "0.6.13", "never compiled into the program");
    other_function: unreachable("other-function", SMALLVEC, "0.6.13", "never compiled into the program");
    feature_off: unreachable("feature-off", SMALLVEC, "0.6.13", "not in this build");
    dependency_function_unused: unreachable("dependency-function-unused", TIME, "0.1.45", "compiled into the program but not reachable");
    two_versions: unreachable("two-versions", SMALLVEC, "0.6.13", "never compiled into the program");
    build_script_only: unreachable("build-script-only", SMALLVEC, "0.6.13", "build-time only");
}

/// A function the program exports by name (`#[no_mangle]`) is a root: C code or a plugin host
/// calls it though nothing in the program does.
#[test]
fn an_exported_function_is_a_root() {
    let report = scan("exported-function");
    let roots = report["analysis"]["reachability"]["roots"].to_string();
    assert!(roots.contains("exported function"), "{roots}");
    let finding = finding(&report, SMALLVEC);
    assert_eq!(
        finding["reachability"], "reachable",
        "{}",
        finding["reachability_reason"]
    );
    let functions: Vec<&str> = finding["traces"][0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(functions[0], "secgate_fixture_store", "{functions:?}");
}

/// A `#[global_allocator]` runs on every allocation: std calls its shims by name.
#[test]
fn a_global_allocator_is_reached_through_std() {
    let report = scan("global-allocator");
    let roots = report["analysis"]["reachability"]["roots"].to_string();
    assert!(roots.contains("std calls by name"), "{roots}");
    let finding = finding(&report, SMALLVEC);
    assert_eq!(
        finding["reachability"], "reachable",
        "{}",
        finding["reachability_reason"]
    );
    let functions = finding["traces"][0]["frames"].to_string();
    assert!(functions.contains("__rust_alloc"), "{functions}");
    assert!(functions.contains("Tracing"), "{functions}");
}

/// An advisory that lists a macro is decided by the functions that invoke it.
#[test]
fn a_listed_macro_is_decided_by_the_functions_that_invoke_it() {
    for (case, expected, reason) in [
        (
            "listed-macro",
            "reachable",
            "macro invoked at src/main.rs:11 in listed_macro::main",
        ),
        (
            "listed-macro-unused",
            "unreachable",
            "invoked only in functions the program never runs (src/main.rs:11)",
        ),
    ] {
        let report = scan(case);
        let finding = finding(&report, "RUSTSEC-2023-0045");
        let why = finding["reachability_reason"].as_str().unwrap();
        assert_eq!(finding["reachability"], expected, "{case}: {why}");
        assert!(why.contains(reason), "{case}: {why}");
    }
}

#[test]
fn a_build_that_fails_leaves_every_advisory_unknown_with_the_compiler_error() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    std::fs::create_dir(project.join("src")).unwrap();
    std::fs::copy(
        fixture("reachability/direct-call/Cargo.toml"),
        project.join("Cargo.toml"),
    )
    .unwrap();
    std::fs::copy(
        fixture("reachability/direct-call/Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(
        project.join("src/main.rs"),
        "fn main() { let x: u8 = \"no\"; }\n",
    )
    .unwrap();
    let result = run(secgate_building()
        .args(["scan", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(project));
    assert_eq!(
        result.code, 1,
        "unknown still fails the default policy: {}",
        result.stderr
    );
    let report = result.json();
    assert_eq!(report["analysis"]["reachability"]["status"], "build failed");
    let finding = &report["findings"][0];
    assert_eq!(finding["reachability"], "unknown");
    let reason = finding["reachability_reason"].as_str().unwrap();
    assert!(
        reason.contains("the build failed") && reason.contains("mismatched types"),
        "{reason}"
    );
}

fn finding<'a>(report: &'a Value, advisory: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == advisory)
        .unwrap_or_else(|| panic!("no {advisory} in {report:#}"))
}

#[test]
fn a_library_without_binaries_is_rooted_at_its_functions() {
    let report = scan("library-only");
    assert_eq!(
        report["analysis"]["reachability"]["roots"],
        serde_json::json!(["lib library-only (1 functions)"])
    );
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "reachable");
    assert_eq!(
        smallvec["traces"][0]["frames"][0]["function"],
        "library_only::store"
    );
}

#[test]
fn generic_library_code_nothing_instantiates_is_unknown_not_unreachable() {
    let report = scan("library-generic");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "unknown");
    assert!(
        smallvec["reachability_reason"]
            .as_str()
            .unwrap()
            .contains("generic library code that nothing instantiates"),
        "{smallvec:#}"
    );
}

#[test]
fn a_target_that_is_not_installed_leaves_advisories_unknown() {
    let result = run(secgate_building()
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/reachability-fixtures"),
        )
        .args([
            "scan",
            "--format",
            "json",
            "--target",
            "thumbv6m-none-eabi",
            "--db",
        ])
        .arg(fixture("advisory-db"))
        .arg(fixture("reachability/direct-call")));
    let report = result.json();
    assert_eq!(report["analysis"]["reachability"]["status"], "build failed");
    assert_eq!(report["target"]["triple"], "thumbv6m-none-eabi");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "unknown");
    assert!(
        smallvec["reachability_reason"]
            .as_str()
            .unwrap()
            .contains("can't find crate for `core`"),
        "{smallvec:#}"
    );
}

/// The lint layer's unsafe accounting joined with the call graph: the dependency functions with
/// unsafe code that the program can run, and not the ones it never calls.
#[test]
fn reachable_unsafe_functions_of_a_dependency_are_listed() {
    let report = scan("direct-call");
    let smallvec = report["unsafe_code"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["package"]["name"] == "smallvec")
        .expect("smallvec's unsafe accounting");
    let functions = smallvec["reachable_unsafe_functions"].as_array().unwrap();
    let names: Vec<&str> = functions
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    let insert_many = functions
        .iter()
        .find(|f| f["function"].as_str().unwrap().ends_with("::insert_many"))
        .unwrap_or_else(|| panic!("insert_many is called by main: {names:?}"));
    assert_eq!(insert_many["file"], "smallvec-0.6.13/lib.rs");
    assert_eq!(insert_many["line"], 825);
    assert!(
        insert_many["unsafe_lines"]
            .as_array()
            .unwrap()
            .contains(&836.into()),
        "{insert_many:#}"
    );
    for never_called in ["::dedup_by", "::insert_from_slice", "::from_vec"] {
        assert!(
            !names.iter().any(|n| n.ends_with(never_called)),
            "{never_called} is not called: {names:?}"
        );
    }
    assert!(
        functions.len() < smallvec["counts"]["blocks"].as_u64().unwrap() as usize,
        "only some of smallvec's unsafe code is reachable: {names:?}"
    );
}

/// A crate's own `#![deny(warnings)]` or `#![deny(clippy::restriction)]` must not break the
/// analysis build, in which clippy runs: `cargo build` passes, so the verdicts must be complete,
/// and the curated clippy lints are still reported (the fixtures' `secgate.toml` shows the
/// hygiene group, which `clippy::unwrap_used` belongs to).
#[test]
fn a_crate_that_denies_lints_still_builds_and_reports_its_lints() {
    for case in ["deny-warnings", "deny-clippy-restriction"] {
        let report = scan(case);
        assert_eq!(
            report["analysis"]["reachability"]["status"], "complete",
            "{case}: {report:#}"
        );
        assert_eq!(
            finding(&report, SMALLVEC)["reachability"],
            "reachable",
            "{case}"
        );
        let clippy = report["analysis"]["lints"]["clippy"].as_str().unwrap();
        assert!(
            clippy.starts_with("ran in the IR build"),
            "{case}: {clippy}"
        );
        let unwrap = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "clippy::unwrap_used")
            .unwrap_or_else(|| panic!("{case}: no clippy::unwrap_used in {report:#}"));
        assert_eq!(unwrap["locations"][0]["file"], "src/main.rs", "{case}");
    }
}

/// A build that fails only because of clippy (here a driver that answers `--version` and fails
/// every compilation) is run again without it: the verdicts stay complete, and the report says
/// clippy did not run.
#[cfg(unix)]
#[test]
fn a_build_that_fails_only_with_clippy_is_rebuilt_without_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let driver = dir.path().join("clippy-driver");
    std::fs::write(
        &driver,
        "#!/bin/sh\n[ \"$1\" = --version ] && { echo clippy 0.0.0; exit 0; }\n\
         echo 'error: this clippy cannot lint' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&driver, std::fs::Permissions::from_mode(0o755)).unwrap();
    let target_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/reachability-fixtures");
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CLIPPY_DRIVER", &driver)
        .args(["scan", "--format", "json", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture("reachability/deny-warnings")));
    let report = result.json();
    assert_eq!(
        report["analysis"]["reachability"]["status"], "complete",
        "{report:#}"
    );
    assert_eq!(finding(&report, SMALLVEC)["reachability"], "reachable");
    let clippy = report["analysis"]["lints"]["clippy"].as_str().unwrap();
    assert!(clippy.starts_with("failed in the IR build"), "{clippy}");
    assert!(
        finding(&report, "SG-CLIPPY-000")["title"]
            .as_str()
            .unwrap()
            .contains("clippy failed"),
        "{report:#}"
    );
}

/// An advisory's path is resolved through the crate's own module tree, so three look-alikes of a
/// listed function do not match it: a type of the same name in a sibling module, a module named
/// like the function, and another function of a module named like it. Each has a twin that does
/// call the listed function, through the crate's real re-exports.
#[test]
fn look_alikes_of_a_listed_function_are_told_apart_by_the_module_tree() {
    let cases = [
        ("sibling-type", "RUSTSEC-2021-0124", "unreachable"),
        ("sibling-type-twin", "RUSTSEC-2021-0124", "reachable"),
        ("module-like-function", "RUSTSEC-2026-0041", "unreachable"),
        (
            "module-like-function-twin",
            "RUSTSEC-2026-0041",
            "reachable",
        ),
        ("function-and-module", "RUSTSEC-2020-0060", "unreachable"),
        ("function-and-module-twin", "RUSTSEC-2020-0060", "reachable"),
    ];
    for (case, advisory, expected) in cases {
        let report = scan(case);
        assert_eq!(
            report["analysis"]["reachability"]["status"], "complete",
            "{case}"
        );
        let finding = finding(&report, advisory);
        let reason = finding["reachability_reason"].as_str().unwrap();
        assert_eq!(finding["reachability"], expected, "{case}: {reason}");
        if expected == "reachable" {
            assert!(reason.contains("defining path match"), "{case}: {reason}");
        }
    }
}

/// An advisory that lists no functions (regex's RUSTSEC-2022-0013) is decided by the functions
/// its fix changed (`fixtures/inferred-functions.json`: 1.5.4 → 1.5.5, the pattern compiler),
/// which apply to the locked 1.4.3 on the same release line: reached through `Regex::new` in one
/// project, never in the other; the finding says where its functions came from.
#[test]
fn inferred_functions_decide_an_advisory_that_lists_none() {
    for (case, expected, reason) in [
        ("inferred-pattern-compiled", "reachable", "is reachable"),
        (
            "inferred-escape-only",
            "unreachable",
            "compiled into the program but not reachable from the roots",
        ),
    ] {
        let report = scan(case);
        let finding = finding(&report, "RUSTSEC-2022-0013");
        let why = finding["reachability_reason"].as_str().unwrap();
        assert_eq!(finding["reachability"], expected, "{case}: {why}");
        assert!(why.contains(reason), "{case}: {why}");
        assert_eq!(finding["functions_source"], "inferred", "{case}");
        assert_eq!(finding["inference"]["vulnerable"], "1.5.4", "{case}");
        assert_eq!(finding["inference"]["patched"], "1.5.5", "{case}");
        assert_eq!(finding["inference"]["confidence"], "high", "{case}");
        assert!(
            finding["affected_functions"]
                .as_array()
                .unwrap()
                .contains(&"regex::compile::Compiler::c".into()),
            "{case}: {finding:#}"
        );
        if expected == "reachable" {
            let frames = finding["traces"][0]["frames"].as_array().unwrap();
            let last = frames.last().unwrap()["function"].as_str().unwrap();
            assert!(last.starts_with("regex::"), "{case}: {frames:#?}");
            assert_eq!(frames[0]["function"], "inferred_pattern_compiled::main");
        }
        // The default policy lets an unreachable inferred verdict warn; it still fails reachable.
        let verdict = if expected == "reachable" {
            "fail"
        } else {
            "warn"
        };
        assert_eq!(finding["verdict"], verdict, "{case}: {finding:#}");
    }
}

/// Offline, an advisory that the inferred data does not cover is not inferred: it stays unknown
/// with the reason, and the report names what was skipped.
#[cfg(unix)]
#[test]
fn offline_an_advisory_the_data_does_not_cover_stays_unknown_and_is_named() {
    let empty = tempfile::tempdir().unwrap();
    let data = empty.path().join("inferred.json");
    std::fs::write(&data, "{\"version\": 1, \"advisories\": []}\n").unwrap();
    // A CARGO_HOME of its own that shares cargo's registry: no inference cached by an earlier
    // online scan on this machine is read.
    let home = empty.path().join("cargo-home");
    std::fs::create_dir(&home).unwrap();
    let user_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    std::os::unix::fs::symlink(user_home.join("registry"), home.join("registry")).unwrap();
    // Sources under another path are other sources to cargo: a target directory of its own.
    let result = run(secgate_building()
        .env("CARGO_HOME", &home)
        .env("CARGO_TARGET_DIR", empty.path().join("target"))
        .env(common::INFERRED_ENV, &data)
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture("reachability/inferred-escape-only")));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    let finding = finding(&report, "RUSTSEC-2022-0013");
    assert_eq!(finding["reachability"], "unknown", "{finding:#}");
    assert_eq!(finding["functions_source"], "none");
    let why = finding["reachability_reason"].as_str().unwrap();
    assert!(
        why.contains("and --offline forbids downloading its releases"),
        "{why}"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("no functions inferred for 1 advisory not in the inferred data in")
            && warnings.contains("RUSTSEC-2022-0013"),
        "{warnings}"
    );
}

/// Functions inferred on another release (1.5.4) that the locked one (1.4.3) lacks: "not reached"
/// would prove nothing there (the vulnerable code may have other names), so it is `unknown`.
#[test]
fn an_inferred_set_the_locked_release_lacks_cannot_prove_unreachable() {
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("inferred.json");
    let real: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("inferred-functions.json")).unwrap())
            .unwrap();
    let mut edited = real.clone();
    for advisory in edited["advisories"].as_array_mut().unwrap() {
        if advisory["id"] == "RUSTSEC-2022-0013" {
            let functions = advisory["fixes"][0]["functions"].as_array_mut().unwrap();
            functions.push("regex::compile::Compiler::c_added_after_1_4".into());
            // A known name through a type the locked release does not have.
            functions.push("regex::compile::TypeAddedAfter14::c".into());
        }
    }
    std::fs::write(&data, edited.to_string()).unwrap();
    let target_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/reachability-fixtures");
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", target_dir)
        .env(common::INFERRED_ENV, &data)
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture("reachability/inferred-escape-only")));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    let finding = finding(&report, "RUSTSEC-2022-0013");
    let why = finding["reachability_reason"].as_str().unwrap();
    assert_eq!(finding["reachability"], "unknown", "{why}");
    assert!(
        why.contains("regex::compile::Compiler::c_added_after_1_4, regex::compile::TypeAddedAfter14::c do not exist in regex 1.4.3"),
        "{why}"
    );
}
