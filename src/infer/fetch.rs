//! A crate's release history and sources, through cargo's own registry access (never another
//! host): the history from the index entry cargo caches under `$CARGO_HOME/registry/index`, the
//! sources from `$CARGO_HOME/registry/src`, where cargo unpacks what it downloads.
//!
//! To make cargo fetch something: `cargo info name@version` downloads one release; for a yanked
//! one, a throwaway project in a temporary directory depends on the crate, `cargo update
//! --precise` selects the release and `cargo fetch` downloads it. Resolving that project is also
//! what caches the index entry. Nothing is compiled and no build script runs.

use super::pair::Release;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every release of `name` in the registry index, yanked ones included.
pub fn releases(cargo_home: &Path, name: &str, offline: bool) -> Result<Vec<Release>, String> {
    if cached_index_entry(cargo_home, name).is_none() {
        if offline {
            return Err(format!("{name}: not in cargo's index cache, and --offline"));
        }
        let project = throwaway_project(name, "*")?;
        cargo(project.path(), &["generate-lockfile", "--quiet"])?;
    }
    let entry = cached_index_entry(cargo_home, name)
        .ok_or_else(|| format!("{name}: the registry index has no such crate"))?;
    let bytes = std::fs::read(&entry).map_err(|e| format!("{}: {e}", entry.display()))?;
    Ok(parse_index_cache(&bytes))
}

/// The unpacked sources of `name` `version`, downloading them first when needed.
pub fn sources(
    cargo_home: &Path,
    name: &str,
    version: &str,
    offline: bool,
) -> Result<PathBuf, String> {
    if let Some(dir) = unpacked(cargo_home, name, version) {
        return Ok(dir);
    }
    if offline {
        return Err(format!("{name} {version}: not downloaded, and --offline"));
    }
    let spec = format!("{name}@{version}");
    // `cargo info` downloads just that crate (not its dependencies), for releases not yanked.
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let _ = cargo(scratch.path(), &["info", "--quiet", &spec]);
    if let Some(dir) = unpacked(cargo_home, name, version) {
        return Ok(dir);
    }
    let project = throwaway_project(name, "*")?;
    cargo(project.path(), &["generate-lockfile", "--quiet"])?;
    // Any release, yanked ones and pre-releases included, can be locked precisely.
    let _ = cargo(
        project.path(),
        &["update", "--quiet", "--package", name, "--precise", version],
    );
    let _ = cargo(project.path(), &["fetch", "--quiet"]);
    unpacked(cargo_home, name, version)
        .ok_or_else(|| format!("{spec}: cargo could not download it"))
}

/// A project in a temporary directory that depends on `name` `requirement`.
fn throwaway_project(name: &str, requirement: &str) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("src")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"secgate-infer-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\n{name} = \"{requirement}\"\n\n[workspace]\n"
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("cargo failed")
            .to_string())
    }
}

/// `$CARGO_HOME/registry/src/*/name-version`, if cargo has unpacked it.
fn unpacked(cargo_home: &Path, name: &str, version: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(cargo_home.join("registry/src")).ok()?;
    entries
        .flatten()
        .map(|registry| registry.path().join(format!("{name}-{version}")))
        .find(|dir| dir.join("Cargo.toml").is_file())
}

/// Where cargo caches a crate's index entry: `<index>/.cache/<prefix>/<name>`, the prefix as the
/// index lays files out (`1/`, `2/`, `3/a/`, `ab/cd/`).
fn cached_index_entry(cargo_home: &Path, name: &str) -> Option<PathBuf> {
    let lower = name.to_ascii_lowercase();
    let prefix = match lower.len() {
        1 => "1".to_string(),
        2 => "2".to_string(),
        3 => format!("3/{}", &lower[..1]),
        _ => format!("{}/{}", &lower[..2], &lower[2..4]),
    };
    let entries = std::fs::read_dir(cargo_home.join("registry/index")).ok()?;
    entries
        .flatten()
        .map(|index| index.path().join(".cache").join(&prefix).join(&lower))
        .find(|entry| entry.is_file())
}

/// The releases in a cached index entry: a small header, then for each release its version and
/// its index line (JSON), each ended by a NUL byte. Written by hand: cargo's reader is internal
/// to cargo; only the JSON lines' `vers` and `yanked` are needed.
fn parse_index_cache(bytes: &[u8]) -> Vec<Release> {
    #[derive(serde::Deserialize)]
    struct Line {
        vers: String,
        #[serde(default)]
        yanked: bool,
    }
    bytes
        .split(|b| *b == 0)
        .filter(|chunk| chunk.first() == Some(&b'{'))
        .filter_map(|chunk| serde_json::from_slice::<Line>(chunk).ok())
        .filter_map(|line| {
            Some(Release {
                version: line.vers.parse().ok()?,
                yanked: line.yanked,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_cache_lists_versions_and_yanks() {
        let mut bytes = vec![3, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        for (version, yanked) in [("0.1.0", false), ("0.2.0", true)] {
            bytes.extend_from_slice(version.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(
                format!("{{\"name\":\"x\",\"vers\":\"{version}\",\"yanked\":{yanked}}}").as_bytes(),
            );
            bytes.push(0);
        }
        let releases = parse_index_cache(&bytes);
        assert_eq!(releases.len(), 2);
        assert_eq!(releases[1].version.to_string(), "0.2.0");
        assert!(releases[1].yanked && !releases[0].yanked);
    }

    #[test]
    fn index_prefixes_follow_the_name_length() {
        let home = tempfile::tempdir().unwrap();
        for (name, prefix) in [("a", "1"), ("ab", "2"), ("abc", "3/a"), ("Serde", "se/rd")] {
            let dir = home
                .path()
                .join("registry/index/some-index/.cache")
                .join(prefix);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name.to_ascii_lowercase()), b"").unwrap();
            assert!(cached_index_entry(home.path(), name).is_some(), "{name}");
        }
    }
}
