//! The analysed target: the one place that decides which triple a scan is for. Advisories limited
//! by `affected.os`/`affected.arch` are judged against it, and the IR build compiles for it.
//!
//! Without `--target` it is the host: when a build runs, as the toolchain says it (`rustc -vV`,
//! honouring `$RUSTC`), the target `cargo build` compiles for; without a build (a bare lockfile,
//! `--no-build`), the platform secgate itself was compiled for, which costs no process (`rustc
//! -vV` through rustup's proxy doubled the time of a lockfile scan). The two name the same
//! machine; the reasons of platform-limited findings say which target was chosen.

use crate::error::Error;
use crate::report::Target;
use std::process::Command;

/// The target to analyse: the requested triple, or the host's (`build_runs`: from the toolchain
/// that builds). An unknown triple is an error.
pub fn choose(requested: Option<&str>, build_runs: bool) -> Result<Target, Error> {
    match requested {
        Some(triple) => Target::from_triple(triple).ok_or_else(|| Error::UnknownTarget {
            triple: triple.to_string(),
        }),
        None => {
            let triple = if build_runs {
                host_triple()?
            } else {
                env!("SECGATE_COMPILED_FOR").to_string()
            };
            let mut target = Target::from_triple(&triple).ok_or(Error::UnknownTarget { triple })?;
            target.chosen_by_secgate = true;
            Ok(target)
        }
    }
}

/// `host:` of `rustc -vV`.
fn host_triple() -> Result<String, Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| Error::Toolchain {
            message: format!("could not run `{} -vV`: {e}", rustc.to_string_lossy()),
        })?;
    host_of(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| Error::Toolchain {
        message: format!(
            "`{} -vV` did not say its host triple (exit {}): {}",
            rustc.to_string_lossy(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    })
}

fn host_of(version: &str) -> Option<String> {
    version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_read_from_rustc_version_output() {
        let text = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\nhost: i686-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(host_of(text).as_deref(), Some("i686-unknown-linux-gnu"));
        assert_eq!(host_of("rustc 1.95.0\n"), None);
    }

    #[test]
    fn a_requested_triple_is_validated() {
        let target = choose(Some("i686-unknown-linux-gnu"), true).unwrap();
        assert_eq!(
            (target.arch.as_str(), target.chosen_by_secgate),
            ("x86", false)
        );
        let error = choose(Some("bogus"), false).unwrap_err().to_string();
        assert!(error.contains("unknown target triple `bogus`"), "{error}");
    }

    #[test]
    fn without_a_build_the_host_is_the_platform_secgate_runs_on() {
        let target = choose(None, false).unwrap();
        assert_eq!(target.arch, std::env::consts::ARCH);
        assert_eq!(target.os, std::env::consts::OS);
        assert!(target.chosen_by_secgate);
    }
}
