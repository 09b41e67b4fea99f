//! The IR cache's integrity. secgate's target directory is kept between scans, and cargo
//! rebuilds only what it considers stale: it knows nothing of the `.ll` files secgate's wrapper
//! asks rustc for, so an IR file that was edited, truncated or deleted after the build would be
//! read as if it were the program. The wrapper records a digest of every `.ll` when rustc has
//! written it (`NAME.ll.digest`: xxh3-64 and length); after each build every unit's IR is checked
//! against it. A unit whose IR does not match is rebuilt once (its outputs deleted, so cargo
//! considers it stale); what still does not match is reported, and the analysis is incomplete.

use super::cargo::Unit;
use std::ffi::OsString;
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What the digest file is called, next to its `.ll`.
fn digest_path(ll: &Path) -> PathBuf {
    let mut name = ll.as_os_str().to_os_string();
    name.push(".digest");
    PathBuf::from(name)
}

/// The digest of a file's bytes and its length.
fn digest_file(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = twox_hash::XxHash3_64::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut length = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.write(&buffer[..read]);
        length += read as u64;
    }
    Ok((hasher.finish(), length))
}

fn render(digest: u64, length: u64) -> String {
    format!("xxh3-64 {digest:016x} {length}\n")
}

/// In the rustc wrapper, after rustc succeeded: records the digest of each `.ll` of the unit
/// (`--out-dir`/`NAME-HASH*.ll`). Every one is recorded, whatever its modification time: rustc may
/// hard-link a file it reuses from the incremental cache, which keeps an old time. Errors are left
/// for the check after the build to find (a missing digest means the IR is not trusted).
pub fn record_compilation(args: &[OsString]) {
    let Some(stem) = output_stem(args) else {
        return;
    };
    let Some(out_dir) = arg_value(args, "--out-dir") else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(&out_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours =
            name.ends_with(".ll") && name.starts_with(&stem) && name[stem.len()..].starts_with('.');
        if ours && let Ok((digest, length)) = digest_file(&entry.path()) {
            let _ = std::fs::write(digest_path(&entry.path()), render(digest, length));
        }
    }
}

/// `NAME` + `-C extra-filename`, the stem of every file rustc writes for the crate.
fn output_stem(args: &[OsString]) -> Option<String> {
    let name = arg_value(args, "--crate-name")?;
    let extra = codegen_option(args, "extra-filename").unwrap_or_default();
    Some(format!("{}{extra}", name.to_string_lossy()))
}

/// The value after `flag` (`--flag VALUE` or `--flag=VALUE`).
fn arg_value(args: &[OsString], flag: &str) -> Option<OsString> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == flag {
            return args.get(i + 1).cloned();
        }
        arg.to_str()
            .and_then(|a| a.strip_prefix(&prefix))
            .map(OsString::from)
    })
}

/// The value of a `-C key=value` codegen option (`-C key=value` or `-Ckey=value`).
fn codegen_option(args: &[OsString], key: &str) -> Option<String> {
    let prefix = format!("{key}=");
    args.iter().enumerate().find_map(|(i, arg)| {
        let arg = arg.to_str()?;
        let option = match arg.strip_prefix("-C") {
            Some("") => args.get(i + 1)?.to_str()?,
            Some(inline) => inline,
            None => return None,
        };
        option.strip_prefix(&prefix).map(str::to_string)
    })
}

/// Whether an IR file is the one the build wrote: `Err` with the reason when it is not.
pub fn verify(ll: &Path) -> Result<(), String> {
    let recorded = std::fs::read_to_string(digest_path(ll)).map_err(|_| {
        "no digest was recorded when it was built (written by another tool or an older secgate)"
            .to_string()
    })?;
    let (digest, length) = digest_file(ll).map_err(|e| format!("cannot be read: {e}"))?;
    if recorded != render(digest, length) {
        return Err(
            "changed since the build wrote it (its digest does not match the one recorded)".into(),
        );
    }
    Ok(())
}

/// The units whose IR is missing or does not match its digest, with the reasons. Only units built
/// for the target have IR; every one of them must have some.
pub fn check(units: &[Unit]) -> Vec<(usize, String)> {
    use rayon::prelude::*;
    units
        .par_iter()
        .enumerate()
        .filter(|(_, unit)| unit.for_target)
        .filter_map(|(index, unit)| {
            if unit.ir.is_empty() {
                return Some((
                    index,
                    format!(
                        "{} ({}): no IR file was found for it",
                        unit.target_name, unit.package_id
                    ),
                ));
            }
            let problems: Vec<String> = unit
                .ir
                .iter()
                .filter_map(|ll| verify(ll).err().map(|e| format!("{}: {e}", ll.display())))
                .collect();
            (!problems.is_empty()).then(|| (index, problems.join("; ")))
        })
        .collect()
}

/// Makes cargo rebuild a unit: deletes its IR, the digests and the outputs cargo checks (a
/// missing output makes the unit stale).
pub fn invalidate(unit: &Unit) {
    for ll in &unit.ir {
        let _ = std::fs::remove_file(ll);
        let _ = std::fs::remove_file(digest_path(ll));
    }
    for output in &unit.outputs {
        let _ = std::fs::remove_file(output);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_output_stem_comes_from_crate_name_and_extra_filename() {
        let cargo = args(&[
            "--crate-name",
            "smallvec",
            "--edition=2018",
            "-C",
            "metadata=1",
            "-C",
            "extra-filename=-6720feb9",
            "--out-dir",
            "/t/deps",
        ]);
        assert_eq!(output_stem(&cargo).as_deref(), Some("smallvec-6720feb9"));
        assert_eq!(arg_value(&cargo, "--out-dir"), Some("/t/deps".into()));
        let inline = args(&["--crate-name=app", "-Cextra-filename=-1"]);
        assert_eq!(output_stem(&inline).as_deref(), Some("app-1"));
    }

    #[test]
    fn recorded_ir_verifies_and_any_change_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let ll = dir.path().join("app-1.ll");
        let other = dir.path().join("app-10.ll");
        std::fs::write(&ll, "define void @main() {\n}\n!0 = !{}\n").unwrap();
        std::fs::write(&other, "").unwrap();
        record_compilation(&args(&[
            "--crate-name",
            "app",
            "-C",
            "extra-filename=-1",
            "--out-dir",
            out,
        ]));
        assert_eq!(verify(&ll), Ok(()));
        assert!(!digest_path(&other).exists(), "another unit's file");
        // The same length, one byte changed; then truncated; then the digest gone.
        std::fs::write(&ll, "define void @mainX() {\n}\n!0 = !{\n").unwrap();
        assert!(verify(&ll).unwrap_err().contains("changed since the build"));
        std::fs::write(&ll, "define void @main() {\n").unwrap();
        assert!(verify(&ll).unwrap_err().contains("changed since the build"));
        std::fs::remove_file(digest_path(&ll)).unwrap();
        assert!(verify(&ll).unwrap_err().contains("no digest was recorded"));
    }
}
