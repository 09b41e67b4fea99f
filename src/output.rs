//! Writing an output file (a report, the HTML page, an edited policy) so that a reader never sees
//! half of it: a temporary file in the same directory, renamed into place once complete.
//!
//! What `path` names decides how: a symlink is followed (the file it names is replaced, the link
//! stays); a regular file, or none, gets the temporary file and the rename, keeping an existing
//! file's permissions; anything else (`/dev/stdout`, a FIFO, `-o >(cmd)`'s `/dev/fd/N`, a
//! terminal) is opened and written directly, since renaming over it would replace it.

use crate::error::Error;
use std::fs::{self, OpenOptions, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many symlinks are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Where a write to `path` goes.
enum Target {
    /// A regular file, existing (with its permissions) or to be created, after symlinks.
    File(PathBuf, Option<Permissions>),
    /// Something to open and write in place: a character device, a FIFO, a socket.
    Stream(PathBuf),
}

/// Writes `bytes` to `path` atomically; on error the previous file (if any) is left untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    match target(path)? {
        Target::Stream(stream) => OpenOptions::new()
            .write(true)
            .open(&stream)
            .and_then(|mut file| file.write_all(bytes).and_then(|()| file.flush()))
            .map_err(|e| Error::io(path, e)),
        Target::File(file, permissions) => replace(path, &file, bytes, permissions),
    }
}

/// Checks, before any work, that `path` can be written: its directory exists and accepts a new
/// file (tried by creating and removing a temporary one), or it is a stream that opens.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    match target(path)? {
        Target::Stream(_) => Ok(()),
        Target::File(file, _) => {
            let dir = parent(&file);
            tempfile::NamedTempFile::new_in(dir)
                .map(drop)
                .map_err(|e| Error::io(dir, e))
        }
    }
}

/// Follows symlinks from `path` to what a write should replace or open. The kernel follows them
/// (`/dev/stdout` → `/proc/self/fd/1` → a pipe has no path of its own to read back).
fn target(path: &Path) -> Result<Target, Error> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
        )),
        Ok(meta) if meta.is_file() => {
            let file = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            Ok(Target::File(file, Some(meta.permissions())))
        }
        Ok(_) => Ok(Target::Stream(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Target::File(dangling_target(path)?, None))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The name a new file gets when `path` does not exist: itself, or what its (dangling) chain of
/// symlinks ends at, so that the links stay links.
fn dangling_target(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
                current = parent(&current).join(to);
            }
            _ => return Ok(current),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// The temporary file and the rename, in `file`'s directory (`path` is what the user named).
fn replace(
    path: &Path,
    file: &Path,
    bytes: &[u8],
    permissions: Option<Permissions>,
) -> Result<(), Error> {
    let dir = parent(file);
    // std creates the file with mode 0666, so the kernel applies the umask (and a default ACL)
    // as it does to any new file: no need to read the umask, which takes an unsafe libc call.
    // tempfile's own files are 0600, which left every report and edited policy private.
    let mut temp = tempfile::Builder::new()
        .prefix(".secgate-")
        .make_in(dir, |name| {
            OpenOptions::new().write(true).create_new(true).open(name)
        })
        .map_err(|e| Error::io(dir, e))?;
    if let Some(permissions) = permissions {
        // Before any byte is written: a private file's content is never readable by others.
        temp.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io(path, e))?;
    }
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    temp.persist(file).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("report.json");
        let err = write_atomically(&path, b"x").unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        let err = check_writable(&path).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn a_directory_is_not_a_report_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(dir.path(), b"x").unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_chain_is_followed_to_the_file_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink("out/real.json", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        // A dangling link: the file it names is created.
        write_atomically(&dir.path().join("b"), b"one").unwrap();
        assert_eq!(fs::read(dir.path().join("out/real.json")).unwrap(), b"one");
        write_atomically(&dir.path().join("b"), b"two").unwrap();
        assert_eq!(fs::read(dir.path().join("out/real.json")).unwrap(), b"two");
        for link in ["a", "b"] {
            let meta = fs::symlink_metadata(dir.path().join(link)).unwrap();
            assert!(meta.file_type().is_symlink(), "{link} was replaced");
        }
    }

    #[cfg(unix)]
    #[test]
    fn modes_come_from_the_existing_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
