//! Where results go: stdout by default, a file only when the user names one,
//! and every file written announced on stderr in one line.
//!
//! Files are written atomically ([`write_atomic`]): into a temporary file
//! beside the target, synced, then renamed over it. A write that fails (a
//! full disk, a read-only directory, an interrupted run) leaves the old file
//! as it was and no temporary file behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;

use crate::error::CliResult;

/// Writes `content` to `path` (announced on stderr as `what`), or to stdout
/// when `path` is `None` or `-`.
pub fn write_text(path: Option<&Path>, content: &str, what: &str) -> CliResult {
    match path {
        Some(p) if p != Path::new("-") => write_file(p, content.as_bytes(), what),
        _ => print(content),
    }
}

/// Writes a file atomically ([`write_atomic`]) and announces it:
/// `wrote <path> (<what>, <size>)`.
pub fn write_file(path: &Path, bytes: &[u8], what: &str) -> CliResult {
    write_atomic(path, |w| w.write_all(bytes))
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    announce(path, what, bytes.len());
    Ok(())
}

/// Symbolic links followed at most this many times.
const MAX_LINKS: usize = 40;

/// The file a write to `path` lands in: symbolic links followed (also
/// dangling ones, whose target is created), so the link stays a link.
fn resolve(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&path) {
                Ok(target) => {
                    path = match path.parent() {
                        Some(dir) => dir.join(target),
                        None => target,
                    }
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    path
}

/// Writes `path` atomically: `fill` writes the content into a temporary file
/// `.NAME.tmp-PID-N` in the same directory, which is synced to disk and
/// renamed over `path` (then the directory is synced where the system allows).
/// When anything fails, the temporary file is removed and `path` is left as
/// it was. An existing file keeps its permissions; a symbolic link stays a
/// link to the new file. A device or pipe (`/dev/stdout`) is written directly,
/// as nothing can be renamed over it.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let target = resolve(path);
    let existing = fs::metadata(&target).ok();
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            ));
        }
        if !m.is_file() {
            let mut file = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&target)?;
            fill(&mut file)?;
            return file.flush();
        }
    }
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}-{n}", std::process::id()));
    let temp = dir.join(temp_name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create a temporary file in `{}`: {e}", dir.display()),
            )
        })?;
    let written = (|| {
        fill(&mut file)?;
        file.flush()?;
        if let Some(m) = &existing {
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    // The rename is durable once the directory is synced; not every system can.
    if let Ok(d) = File::open(&dir) {
        let _synced = d.sync_all();
    }
    Ok(())
}

/// The one line that says a file was written.
pub fn announce(path: &Path, what: &str, bytes: usize) {
    eprintln!(
        "wrote {} ({what}, {})",
        crate::terminal::line(&path.display().to_string()),
        size(bytes)
    );
}

/// A size for people: bytes, KiB under 10 MiB, else MiB.
pub fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 10 * 1024 * 1024 => format!("{} KiB", b / 1024),
        b => format!("{} MiB", b / (1024 * 1024)),
    }
}

/// Writes a report for people to stdout: control and bidirectional
/// characters written visibly ([`crate::terminal::prose`]), long lines
/// wrapped to the width.
pub fn print_report(content: &str) -> CliResult {
    print(&crate::table::fit_lines(&crate::terminal::prose(content)))
}

/// Writes `content` to stdout exactly as it is: documents (SVG, TOML, CSV)
/// and JSON the user asked for on stdout, never text for people (that is
/// [`print_report`]).
pub fn print(content: &str) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(content.as_bytes())
        .context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Pretty JSON of `value` to stdout, followed by a newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let mut text = serde_json::to_string_pretty(value).context("cannot serialise output")?;
    text.push('\n');
    print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_fails_midway_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.toml");
        fs::write(&path, "old content\n").expect("old file");
        let err = write_atomic(&path, |w| {
            w.write_all(b"half of the new")?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        })
        .expect_err("the failure is reported");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(fs::read(&path).expect("old file"), b"old content\n");
        assert_eq!(entries(dir.path()), ["m.toml"], "no temporary file left");
    }

    #[test]
    fn a_successful_write_replaces_the_file_and_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.toml");
        fs::write(&path, "old").expect("old file");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&path, |w| w.write_all(b"new")).expect("written");
        assert_eq!(fs::read(&path).expect("new file"), b"new");
        let mode = fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        write_atomic(&dir.path().join("fresh.svg"), |w| w.write_all(b"<svg/>"))
            .expect("a new file");
        assert_eq!(entries(dir.path()), ["fresh.svg", "m.toml"]);
    }

    #[test]
    fn a_link_stays_a_link_and_directories_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.svg");
        fs::write(&real, "old").expect("old file");
        let link = dir.path().join("link.svg");
        std::os::unix::fs::symlink("real.svg", &link).expect("symlink");
        write_atomic(&link, |w| w.write_all(b"new")).expect("written");
        assert!(
            fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).expect("target"), b"new");
        let err = write_atomic(dir.path(), |w| w.write_all(b"x")).expect_err("a directory");
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        write_atomic(Path::new("/dev/null"), |w| w.write_all(b"x")).expect("a device");
    }

    #[test]
    fn a_directory_that_takes_no_new_file_leaves_the_old_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("ro");
        fs::create_dir(&sub).expect("dir");
        let path = sub.join("m.toml");
        fs::write(&path, "old").expect("old file");
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = sub.join("probe");
        if fs::write(&probe, "").is_ok() {
            // Running as root: permissions do not stop writes; nothing to test.
            let _ = fs::remove_file(&probe);
        } else {
            let err = write_atomic(&path, |w| w.write_all(b"new")).expect_err("read-only");
            assert!(err.to_string().contains("temporary file"), "{err}");
            assert_eq!(fs::read(&path).expect("old file"), b"old");
            assert_eq!(entries(&sub), ["m.toml"]);
        }
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).expect("chmod back");
    }

    #[test]
    fn sizes_read_at_a_glance() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(10_015), "9 KiB");
        assert_eq!(size(20 * 1024), "20 KiB");
        assert_eq!(size(30 * 1024 * 1024), "30 MiB");
    }
}
