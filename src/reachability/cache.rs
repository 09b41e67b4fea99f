//! The cache of read modules: after a rescan most units' IR did not change, and reading their
//! text again is most of the analysis's time. Each module that was read whole is stored next to
//! its IR (`NAME.ll.module`), keyed by what proves it is the same module:
//!
//! - the IR's digest as the build recorded it (`NAME.ll.digest`, see `build::ir_digest`); the cache
//!   is used only in a scan whose every IR file was just checked against its digest;
//! - the reader itself: a digest of the source of the modules that read IR, so a secgate whose
//!   reader differs in any way never takes another one's modules;
//! - the payload's own digest, so a damaged entry is never decoded.
//!
//! Anything that does not match, or cannot be read, is a miss: the IR text is read instead. The
//! cache can make a scan faster, never give another verdict.

use super::ir::Module;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"secgate read module\n";

/// The reader's identity: its source, digested once.
fn reader_key() -> u64 {
    static KEY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *KEY.get_or_init(|| {
        digest(
            [
                include_str!("ir.rs"),
                include_str!("ir/encode.rs"),
                include_str!("completeness.rs"),
                include_str!("cache.rs"),
            ]
            .concat()
            .as_bytes(),
        )
    })
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = twox_hash::XxHash3_64::new();
    hasher.write(bytes);
    hasher.finish()
}

fn entry_path(ll: &Path) -> PathBuf {
    let mut name = ll.as_os_str().to_os_string();
    name.push(".module");
    PathBuf::from(name)
}

fn recorded_digest(ll: &Path) -> Option<Vec<u8>> {
    let mut name = ll.as_os_str().to_os_string();
    name.push(".digest");
    std::fs::read(name).ok().filter(|d| !d.is_empty())
}

/// The header an entry for `ll` must start with: magic, reader key, the IR's recorded digest.
fn header(ll: &Path) -> Option<Vec<u8>> {
    let recorded = recorded_digest(ll)?;
    let mut header = MAGIC.to_vec();
    header.extend_from_slice(&reader_key().to_le_bytes());
    header.extend_from_slice(&(recorded.len() as u64).to_le_bytes());
    header.extend_from_slice(&recorded);
    Some(header)
}

/// The module stored for `ll`, if it was stored for this very IR by this very reader.
pub fn load(ll: &Path) -> Option<Module> {
    let header = header(ll)?;
    let bytes = std::fs::read(entry_path(ll)).ok()?;
    let rest = bytes.strip_prefix(header.as_slice())?;
    let (sum, payload) = rest.split_at_checked(8)?;
    if sum != digest(payload).to_le_bytes() {
        return None;
    }
    Module::decode(payload)
}

/// Stores a module read whole from `ll` (written to a temporary file and renamed, so a reader
/// never sees half an entry). Failing to store is not an error: the next scan reads the text.
pub fn store(ll: &Path, module: &Module) {
    let Some(mut bytes) = header(ll) else {
        return;
    };
    let payload = module.encode();
    bytes.extend_from_slice(&digest(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let path = entry_path(ll);
    let mut temporary = path.as_os_str().to_os_string();
    temporary.push(format!(".{}.tmp", std::process::id()));
    if std::fs::write(&temporary, &bytes).is_ok() && std::fs::rename(&temporary, &path).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IR: &str = "define void @main() {\n  call void @f()\n}\ndeclare void @f()\n";

    fn symbols(module: &Module) -> Vec<&str> {
        module.symbols.iter().map(|s| &**s).collect()
    }

    #[test]
    fn a_stored_module_is_found_only_for_the_same_recorded_digest() {
        let dir = tempfile::tempdir().unwrap();
        let ll = dir.path().join("app-1.ll");
        std::fs::write(&ll, IR).unwrap();
        let module = Module::parse(IR);
        // No digest recorded: nothing is stored or found.
        store(&ll, &module);
        assert!(load(&ll).is_none());
        std::fs::write(
            dir.path().join("app-1.ll.digest"),
            "xxh3-64 00000000000000aa 60\n",
        )
        .unwrap();
        store(&ll, &module);
        let loaded = load(&ll).expect("stored");
        assert_eq!(symbols(&loaded), ["main", "f"]);
        assert_eq!(loaded.functions, module.functions);
        // The IR was rebuilt: another digest, the entry is not this IR's.
        std::fs::write(
            dir.path().join("app-1.ll.digest"),
            "xxh3-64 00000000000000bb 60\n",
        )
        .unwrap();
        assert!(load(&ll).is_none());
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let ll = dir.path().join("app-1.ll");
        std::fs::write(&ll, IR).unwrap();
        std::fs::write(
            dir.path().join("app-1.ll.digest"),
            "xxh3-64 00000000000000aa 60\n",
        )
        .unwrap();
        store(&ll, &Module::parse(IR));
        let entry = entry_path(&ll);
        let bytes = std::fs::read(&entry).unwrap();
        for at in [MAGIC.len() + 2, bytes.len() - 3] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            std::fs::write(&entry, &damaged).unwrap();
            assert!(load(&ll).is_none(), "byte {at} changed");
        }
        std::fs::write(&entry, &bytes[..bytes.len() - 1]).unwrap();
        assert!(load(&ll).is_none(), "cut short");
    }
}
