//! Fail closed in the build and its inputs (issue 15): each test here passed a vulnerable project,
//! or dropped an advisory, before the mechanism it names existed.

mod common;

use common::{Run, copy_tree, fixture, run, secgate, secgate_building};
use std::path::{Path, PathBuf};

/// `scan --format json --db fixtures/advisory-db --offline DIR`, built in `DIR/target`. Not in a
/// target directory shared by the tests: cargo names a member's outputs by its path relative to
/// the workspace, so two copies of one fixture would share output names, and cargo may take one
/// copy's fresh outputs (IR naming the other copy's files) for the other's.
fn scan_project(project: &Path, extra: &[&str]) -> Run {
    scan_project_in(&project.join("target"), project, extra)
}

/// The same scan with the build in `target_dir`.
fn scan_project_in(target_dir: &Path, project: &Path, extra: &[&str]) -> Run {
    run(secgate_building()
        .env("CARGO_TARGET_DIR", target_dir)
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .args(extra)
        .arg(project))
}

/// A copy of a fixture project in a temporary directory, to break.
fn copy_of(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(case), dir.path());
    dir
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

const SMALLVEC: &str = "RUSTSEC-2021-0003";

/// A database of made-up advisories limited to one platform each, and a lockfile that has their
/// crates: which ones apply depends only on the target.
fn platform_case(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = dir.join("db");
    let advisories = [
        ("x86-only", "RUSTSEC-2099-0001", "arch = [\"x86\"]"),
        ("arm-only", "RUSTSEC-2099-0002", "arch = [\"arm\"]"),
        ("linux-only", "RUSTSEC-2099-0003", "os = [\"linux\"]"),
    ];
    let mut lock =
        String::from("version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n");
    for (name, id, limit) in advisories {
        let crate_dir = db.join("crates").join(name);
        std::fs::create_dir_all(&crate_dir).unwrap();
        std::fs::write(
            crate_dir.join(format!("{id}.md")),
            format!(
                "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{name}\"\ndate = \"2099-01-01\"\n\
                 cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\n\n\
                 [versions]\npatched = []\n\n[affected]\n{limit}\n```\n\n# {name} is broken\n\nOn one platform.\n"
            ),
        )
        .unwrap();
        lock.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
    }
    let lockfile = dir.join("Cargo.lock");
    std::fs::write(&lockfile, lock).unwrap();
    (db, lockfile)
}

/// `--target` decides which platform-limited advisories apply, through rustsec's own names for
/// architectures and operating systems (`i686` is RustSec's `x86`, `armv7` its `arm`); a triple
/// rustc does not know is an error, not a platform where nothing applies.
#[test]
fn platform_limited_advisories_are_judged_on_the_real_arch_and_os() {
    let dir = tempfile::tempdir().unwrap();
    let (db, lockfile) = platform_case(dir.path());
    // (target, the advisories that must stay in force, the ones that do not apply)
    let table: &[(&str, &[&str], &[&str])] = &[
        (
            "i686-unknown-linux-gnu",
            &["x86-only", "linux-only"],
            &["arm-only"],
        ),
        (
            "i586-unknown-linux-gnu",
            &["x86-only", "linux-only"],
            &["arm-only"],
        ),
        (
            "armv7-unknown-linux-gnueabihf",
            &["arm-only", "linux-only"],
            &["x86-only"],
        ),
        (
            "x86_64-unknown-linux-musl",
            &["linux-only"],
            &["x86-only", "arm-only"],
        ),
        (
            "i686-pc-windows-msvc",
            &["x86-only"],
            &["arm-only", "linux-only"],
        ),
        (
            "aarch64-apple-darwin",
            &[],
            &["x86-only", "arm-only", "linux-only"],
        ),
    ];
    for (triple, in_force, not_applying) in table {
        let home = tempfile::tempdir().unwrap();
        let result = run(secgate(home.path())
            .args(["scan", "--format", "json", "--target", triple, "--lockfile"])
            .arg(&lockfile)
            .arg("--db")
            .arg(&db));
        let report = result.json();
        assert_eq!(report["target"]["triple"], *triple);
        for finding in report["findings"].as_array().unwrap() {
            let name = finding["package"]["name"].as_str().unwrap();
            let reason = finding["reachability_reason"].as_str().unwrap();
            if in_force.contains(&name) {
                assert_eq!(
                    finding["reachability"], "unknown",
                    "{triple} {name}: {reason}"
                );
                assert_eq!(finding["verdict"], "fail", "{triple} {name}");
            } else {
                assert!(not_applying.contains(&name), "{name}");
                assert_eq!(finding["reachability"], "unreachable", "{triple} {name}");
                assert!(
                    reason.ends_with(&format!("the analysed target is {triple}")),
                    "{triple} {name}: {reason}"
                );
            }
        }
        let expected_code = if in_force.is_empty() { 0 } else { 1 };
        assert_eq!(result.code, expected_code, "{triple}: {}", result.stderr);
    }
}

#[test]
fn an_unknown_target_triple_is_an_error_not_a_platform_without_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let (db, lockfile) = platform_case(dir.path());
    for args in [&["--lockfile"][..], &["--no-build", "--lockfile"][..]] {
        for triple in ["bogus", "x86_64-linux", "armv7"] {
            let home = tempfile::tempdir().unwrap();
            let result = run(secgate(home.path())
                .args(["scan", "--target", triple])
                .args(args)
                .arg(&lockfile)
                .arg("--db")
                .arg(&db));
            assert_eq!(result.code, 2, "{triple} {args:?}: {}", result.stdout);
            assert!(
                result
                    .stderr
                    .contains(&format!("unknown target triple `{triple}`")),
                "{triple}: {}",
                result.stderr
            );
            assert!(result.stdout.is_empty());
        }
    }
}

/// Without `--target` secgate judges a bare lockfile on the host, and says so in the reason.
#[test]
fn the_target_secgate_chose_is_named_in_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (db, lockfile) = platform_case(dir.path());
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["scan", "--format", "json", "--lockfile"])
        .arg(&lockfile)
        .arg("--db")
        .arg(&db));
    let report = result.json();
    let host = report["target"]["triple"].as_str().unwrap().to_string();
    // No build: the platform secgate runs on (this test is compiled for the same one).
    assert_eq!(report["target"]["arch"], std::env::consts::ARCH);
    assert_eq!(report["target"]["os"], std::env::consts::OS);
    let dropped: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["reachability"] == "unreachable")
        .collect();
    assert!(!dropped.is_empty(), "{report:#}");
    for finding in dropped {
        let reason = finding["reachability_reason"].as_str().unwrap();
        assert!(
            reason.ends_with(&format!(
                "the analysed target is {host} (the host, chosen by secgate: no --target given)"
            )),
            "{reason}"
        );
    }
}

/// `--no-build` keeps the requested target for the advisories' platforms.
#[test]
fn no_build_keeps_the_requested_target() {
    let dir = tempfile::tempdir().unwrap();
    let (db, lockfile) = platform_case(dir.path());
    let home = tempfile::tempdir().unwrap();
    let result = run(secgate(home.path())
        .args(["scan", "--format", "json", "--no-build", "--target"])
        .arg("i686-pc-windows-msvc")
        .arg("--lockfile")
        .arg(&lockfile)
        .arg("--db")
        .arg(&db));
    let report = result.json();
    assert_eq!(report["target"]["triple"], "i686-pc-windows-msvc");
    assert_eq!(report["target"]["arch"], "x86");
    assert_eq!(report["target"]["os"], "windows");
}

/// A build script that panics: the reason quotes the panic, not cargo's line with an absolute path.
#[test]
fn a_build_scripts_panic_is_the_reason() {
    let project = copy_of("reachability/direct-call");
    let manifest = std::fs::read_to_string(project.path().join("Cargo.toml")).unwrap();
    std::fs::write(
        project.path().join("Cargo.toml"),
        manifest.replace(
            "publish = false\n",
            "publish = false\nbuild = \"build.rs\"\n",
        ),
    )
    .unwrap();
    std::fs::write(
        project.path().join("build.rs"),
        "fn main() {\n    panic!(\"the frobnicator is missing\");\n}\n",
    )
    .unwrap();
    let result = scan_project(project.path(), &[]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    assert_eq!(report["analysis"]["reachability"]["status"], "build failed");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "unknown");
    let reason = smallvec["reachability_reason"].as_str().unwrap();
    assert_eq!(
        reason,
        "the build failed: the build script of `direct-call v0.1.0` panicked at build.rs:2:5: the frobnicator is missing"
    );
}

/// The modification time and bytes of a file, to show a scan left it alone.
fn fingerprint(path: &Path) -> (std::time::SystemTime, Vec<u8>) {
    (
        std::fs::metadata(path).unwrap().modified().unwrap(),
        std::fs::read(path).unwrap(),
    )
}

/// A Cargo.lock that no longer matches the manifest (`smallvec = "=0.6.13"` locked at 1.6.1): the
/// advisories were matched against 1.6.1, the build would have used 0.6.13. The scan stops,
/// saying how to fix it, and leaves the file as it was.
#[test]
fn an_out_of_date_lockfile_is_an_error_and_is_left_alone() {
    let project = copy_of("reachability/direct-call");
    let lockfile = project.path().join("Cargo.lock");
    let text = std::fs::read_to_string(&lockfile).unwrap();
    let start = text
        .find("name = \"smallvec\"\nversion = \"0.6.13\"")
        .unwrap();
    let checksum = start + text[start..].find("checksum = ").unwrap();
    let end = checksum + text[checksum..].find('\n').unwrap() + 1;
    let stale = format!(
        "{}{}",
        &text[..start],
        text[start..end]
            .replace("0.6.13", "1.6.1")
            .replace(&text[checksum..end], "")
    ) + &text[end..];
    std::fs::write(&lockfile, stale).unwrap();
    let before = fingerprint(&lockfile);
    // Twice: before, the first scan rewrote the file and passed, and only the second one failed.
    for _ in 0..2 {
        let result = scan_project(project.path(), &[]);
        assert_eq!(result.code, 2, "{}\n{}", result.stdout, result.stderr);
        assert!(
            result.stderr.contains("Cargo.lock is out of date")
                && result.stderr.contains("cargo update -w"),
            "{}",
            result.stderr
        );
        assert!(result.stdout.is_empty(), "{}", result.stdout);
        assert_eq!(
            fingerprint(&lockfile),
            before,
            "the scan rewrote Cargo.lock"
        );
    }
}

/// A scan of an up-to-date project leaves its Cargo.lock byte for byte and untouched.
#[test]
fn a_scan_never_writes_the_lockfile() {
    let project = copy_of("reachability/direct-call");
    let lockfile = project.path().join("Cargo.lock");
    let before = fingerprint(&lockfile);
    let result = scan_project(project.path(), &[]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert_eq!(
        finding(&result.json(), SMALLVEC)["reachability"],
        "reachable"
    );
    assert_eq!(fingerprint(&lockfile), before);
}

/// The `.ll` files of a project's own binary in a target directory: the ones whose debug info
/// names the project's directory (other copies of the fixture share the target directory).
fn own_ir(target_dir: &Path, project: &Path, crate_name: &str) -> Vec<PathBuf> {
    let project = project.to_str().unwrap();
    let mut found = Vec::new();
    // `secgate/debug/deps` for the host, `secgate/TRIPLE/debug/deps` for another target.
    let secgate = target_dir.join("secgate");
    let triple_dirs = std::fs::read_dir(&secgate)
        .unwrap()
        .map(|d| d.unwrap().path());
    for dir in std::iter::once(secgate.clone()).chain(triple_dirs) {
        let deps = dir.join("debug/deps");
        let Ok(entries) = std::fs::read_dir(&deps) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            if name.starts_with(&format!("{crate_name}-"))
                && name.ends_with(".ll")
                && std::fs::read_to_string(&path).unwrap().contains(project)
            {
                found.push(path);
            }
        }
    }
    assert!(
        !found.is_empty(),
        "no IR of {project} in {}",
        target_dir.display()
    );
    found
}

/// `main`'s body: from its `define` line to the closing brace.
fn without_main(ir: &str) -> String {
    let start = ir
        .lines()
        .position(|l| l.starts_with("define ") && l.contains("11direct_call4main17h"))
        .expect("direct_call::main is defined");
    let lines: Vec<&str> = ir.lines().collect();
    let end = start + lines[start..].iter().position(|l| *l == "}").unwrap();
    let mut kept: Vec<&str> = lines[..start].to_vec();
    kept.extend(&lines[end + 1..]);
    kept.join("\n") + "\n"
}

/// Cached IR that no longer is what the build wrote — `main`'s body deleted (which made a
/// reachable critical advisory "compiled but not reachable", exit 0), the file cut at a function
/// boundary or inside its metadata, or deleted — is rebuilt, and the verdict is the same as on a
/// fresh build.
#[test]
fn corrupted_cached_ir_is_rebuilt_not_read() {
    type Corrupt = fn(&Path);
    let table: &[(&str, Corrupt)] = &[
        ("main's body deleted", |ll| {
            let ir = std::fs::read_to_string(ll).unwrap();
            std::fs::write(ll, without_main(&ir)).unwrap();
        }),
        ("cut at a function boundary", |ll| {
            let ir = std::fs::read_to_string(ll).unwrap();
            let cut = ir.find("\n}\n").unwrap() + 3;
            std::fs::write(ll, &ir[..cut]).unwrap();
        }),
        ("cut inside the metadata", |ll| {
            let ir = std::fs::read_to_string(ll).unwrap();
            let metadata = ir.find("\n!0 = ").unwrap();
            let cut = metadata + (ir.len() - metadata) / 2;
            let cut = cut + ir[cut..].find('\n').unwrap() + 1;
            std::fs::write(ll, &ir[..cut]).unwrap();
        }),
        ("one byte changed, same length", |ll| {
            let ir = std::fs::read_to_string(ll).unwrap();
            std::fs::write(ll, ir.replacen("call ", "cal1 ", 1)).unwrap();
        }),
        ("deleted", |ll| std::fs::remove_file(ll).unwrap()),
    ];
    // A target directory of its own: cargo names a workspace member's outputs by its path
    // relative to the workspace, so other tests' copies of this fixture in the shared directory
    // write the same `.ll` files while this test corrupts them.
    let target = tempfile::tempdir().unwrap();
    let project = copy_of("reachability/direct-call");
    let first = scan_project_in(target.path(), project.path(), &[]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(
        finding(&first.json(), SMALLVEC)["reachability"],
        "reachable"
    );
    for (what, corrupt) in table {
        for ll in own_ir(target.path(), project.path(), "direct_call") {
            corrupt(&ll);
        }
        let result = scan_project_in(target.path(), project.path(), &[]);
        assert_eq!(result.code, 1, "{what}: {}", result.stderr);
        let report = result.json();
        assert_eq!(
            report["analysis"]["reachability"]["status"], "complete",
            "{what}"
        );
        let smallvec = finding(&report, SMALLVEC);
        assert_eq!(
            smallvec["reachability"], "reachable",
            "{what}: {smallvec:#}"
        );
    }
}

/// IR that is incomplete as rustc's side of the build left it (here a user's `RUSTC_WRAPPER` cuts
/// the binary's metadata off, before secgate records the digest) cannot be rebuilt into shape: the
/// analysis is not `complete`, and the advisory is `unknown` with the reason, never `unreachable`
/// and never "no roots".
#[cfg(unix)]
#[test]
fn incomplete_ir_fails_closed_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let project = copy_of("reachability/direct-call");
    let tools = tempfile::tempdir().unwrap();
    let wrapper = tools.path().join("cut-ir.sh");
    std::fs::write(
        &wrapper,
        r#"#!/bin/sh
"$@" || exit $?
case " $* " in *" --crate-name direct_call "*) ;; *) exit 0 ;; esac
out=; previous=
for arg in "$@"; do
  [ "$previous" = "--out-dir" ] && out=$arg
  previous=$arg
done
for ll in "$out"/direct_call-*.ll; do
  [ -f "$ll" ] && sed -i '/^!/,$d' "$ll"
done
exit 0
"#,
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A target directory of its own: the wrapper is not part of cargo's fingerprint.
    let target = tempfile::tempdir().unwrap();
    let result = run(secgate_building()
        .env("CARGO_TARGET_DIR", target.path())
        .env("RUSTC_WRAPPER", &wrapper)
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg(project.path()));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    let status = report["analysis"]["reachability"]["status"]
        .as_str()
        .unwrap();
    assert!(status.starts_with("incomplete: 1 IR file(s)"), "{status}");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["reachability"], "unknown", "{smallvec:#}");
    let reason = smallvec["reachability_reason"].as_str().unwrap();
    assert!(
        reason.contains("the IR could not all be read") && reason.contains("llvm.module.flags"),
        "{reason}"
    );
    assert!(!reason.contains("no binary"), "{reason}");
}

/// A workspace with no Cargo.lock (a library's usual state) is resolved in a temporary copy and
/// scanned there: the pinned vulnerable version is found and reachable, the report says the
/// lockfile is secgate's, and the user's directory still has no Cargo.lock.
#[test]
fn a_workspace_without_a_lockfile_is_resolved_in_a_copy_and_scanned() {
    let project = copy_of("reachability/direct-call");
    std::fs::remove_file(project.path().join("Cargo.lock")).unwrap();
    let result = scan_project(project.path(), &[]);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    let lockfile = report["lockfile"]["path"].as_str().unwrap();
    assert!(
        lockfile.starts_with("Cargo.lock resolved by secgate"),
        "{lockfile}"
    );
    assert!(
        report["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("has no Cargo.lock: secgate resolved one")),
        "{report:#}"
    );
    assert_eq!(report["analysis"]["reachability"]["status"], "complete");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(smallvec["package"]["version"], "0.6.13");
    assert_eq!(smallvec["reachability"], "reachable", "{smallvec:#}");
    assert_eq!(
        smallvec["traces"][0]["frames"][0]["location"]["file"], "src/main.rs",
        "paths are the workspace's, not the copy's"
    );
    assert!(!project.path().join("Cargo.lock").exists());
    assert!(
        !report.to_string().contains("secgate-workspace-"),
        "{report:#}"
    );

    // Without CARGO_TARGET_DIR the build goes where a scan of the workspace puts it, not into
    // the temporary copy (which would make every scan a cold build).
    let again = run(secgate_building()
        .env_remove("CARGO_TARGET_DIR")
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg(project.path()));
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_eq!(
        finding(&again.json(), SMALLVEC)["reachability"],
        "reachable"
    );
    assert!(project.path().join("target/secgate").is_dir());
    assert!(!project.path().join("Cargo.lock").exists());
}

/// When the copy cannot be resolved (a path dependency outside the workspace root), the scan
/// stops and says how to make a Cargo.lock.
#[test]
fn a_workspace_whose_lockfile_cannot_be_resolved_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("app");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("helper/src")).unwrap();
    std::fs::write(
        dir.path().join("helper/Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("helper/src/lib.rs"), "").unwrap();
    std::fs::write(
        project.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nhelper = { path = \"../helper\" }\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    let result = scan_project(&project, &[]);
    assert_eq!(result.code, 2, "{}", result.stdout);
    assert!(
        result.stderr.contains("no Cargo.lock in")
            && result
                .stderr
                .contains("run `cargo generate-lockfile` there"),
        "{}",
        result.stderr
    );
    assert!(!project.join("Cargo.lock").exists());
}

/// A cargo config that chooses a build target does not change what secgate analyses: without
/// `--target`, the host, built for the host (here the config's target is not even installed).
#[test]
fn a_config_that_chooses_a_target_does_not_change_the_analysed_one() {
    let project = copy_of("reachability/direct-call");
    std::fs::create_dir(project.path().join(".cargo")).unwrap();
    std::fs::write(
        project.path().join(".cargo/config.toml"),
        "[build]\ntarget = \"thumbv7em-none-eabihf\"\n",
    )
    .unwrap();
    // cargo reads the config files of its working directory.
    let result = run(secgate_building()
        .current_dir(project.path())
        .env("CARGO_TARGET_DIR", project.path().join("target"))
        .args(["scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg("."));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let report = result.json();
    assert_eq!(report["analysis"]["reachability"]["status"], "complete");
    let smallvec = finding(&report, SMALLVEC);
    assert_eq!(
        smallvec["reachability"], "reachable",
        "{}",
        smallvec["reachability_reason"]
    );
}

/// Two scans of one target directory: the second waits until the first is done with the IR
/// (cargo's own lock covers only the build, not the reading after it).
#[test]
fn a_scan_waits_for_another_using_the_same_target_directory() {
    let target = tempfile::tempdir().unwrap();
    let secgate_dir = target.path().join("secgate");
    std::fs::create_dir_all(&secgate_dir).unwrap();
    let held = std::fs::File::create(secgate_dir.join("secgate.lock")).unwrap();
    held.lock().unwrap();
    let mut child = secgate_building()
        .env("CARGO_TARGET_DIR", target.path())
        .args(["-v", "scan", "--format", "json", "--offline", "--db"])
        .arg(fixture("advisory-db"))
        .arg(fixture("reachability/direct-call"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The scan says it waits (its `-v` steps), and does, until the lock is released.
    let stderr = child.stderr.take().unwrap();
    let (lines, said) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            let _ = lines.send(line);
        }
        all
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = said
            .recv_timeout(left)
            .expect("the scan never said it waits");
        if line.contains("waiting for another secgate scan") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "it did not wait");
    drop(held);
    let output = child.wait_with_output().unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["analysis"]["reachability"]["status"], "complete");
}
