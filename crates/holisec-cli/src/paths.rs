//! No output over an input: a command refuses, before it reads or writes
//! anything, to write a file that is one of the files it reads.
//!
//! `holisec render m.toml -o m.toml` would replace the model with its own
//! figure. Paths are compared as files, not as text: `./x/../m.toml`, a
//! symbolic link and a hard link to `m.toml` are all `m.toml` (same device
//! and inode, or the same canonical path).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CliResult, invalid};
use crate::terminal;

/// Refuses (exit status 2) when an output names the same file as an input,
/// or two outputs name the same file. `outputs` are `(flag, path)` (`None`
/// and `-`, stdout, are never refused), `inputs` `(what, path)`: `what` names
/// the input in the message, `-o m.toml: that is the model this command
/// reads; choose another file`. Absent inputs (`None`: the built-in one) are
/// skipped; an input that does not exist yet (a database's `-wal` file) is
/// compared by the path it would have.
pub fn check_outputs(
    outputs: &[(&str, Option<&Path>)],
    inputs: &[(&str, Option<&Path>)],
) -> CliResult {
    let outputs: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|&(flag, p)| p.map(|p| (flag, p)))
        .filter(|(_, p)| *p != Path::new("-"))
        .collect();
    let inputs: Vec<(&str, &Path)> = inputs
        .iter()
        .filter_map(|&(what, p)| p.map(|p| (what, p)))
        .collect();
    for (k, &(flag, output)) in outputs.iter().enumerate() {
        let shown = terminal::line(&output.display().to_string()).into_owned();
        if let Some((what, _)) = inputs.iter().find(|(_, input)| same_target(output, input)) {
            return Err(invalid(format!(
                "{flag} {shown}: that is the {what} this command reads; choose another file"
            )));
        }
        if let Some((other, _)) = outputs[..k]
            .iter()
            .find(|(_, earlier)| same_target(output, earlier))
        {
            return Err(invalid(format!(
                "{flag} {shown}: {other} writes that file too; choose another file"
            )));
        }
    }
    Ok(())
}

/// The files of `dir` with one of `extensions` (lower case, no dot), as a
/// command that reads the directory reads them; none when `dir` is not a
/// directory.
pub fn directory_members(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| {
                    extensions.contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
                })
        })
        .collect()
}

/// SQLite's files beside a database: what writing over them would corrupt.
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

/// Whether `a` and `b` are one existing file: the same device and inode
/// (through links of either kind), or the same canonical path.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    #[cfg(not(unix))]
    let _ = (ma, mb);
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Whether writing `a` and `b` lands in one file, existing or to be created.
fn same_target(a: &Path, b: &Path) -> bool {
    same_file(a, b) || matches!((planned(a), planned(b)), (Some(x), Some(y)) if x == y)
}

/// Where a file that does not exist yet will be created: its directory's
/// canonical path and its name.
fn planned(p: &Path) -> Option<PathBuf> {
    if fs::symlink_metadata(p).is_ok() {
        return None;
    }
    let name = p.file_name()?;
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CliError;

    fn message(r: CliResult) -> String {
        match r {
            Err(CliError::Invalid(e)) => e.to_string(),
            Err(other) => panic!("expected invalid input, got {other:?}"),
            Ok(()) => "ok".to_owned(),
        }
    }

    #[test]
    fn the_same_file_under_other_names_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        fs::write(d.join("m.toml"), "model").expect("model");
        fs::create_dir(d.join("x")).expect("x");
        std::os::unix::fs::symlink(d.join("m.toml"), d.join("link.toml")).expect("symlink");
        fs::hard_link(d.join("m.toml"), d.join("hard.toml")).expect("hard link");
        let model = d.join("m.toml");
        for output in [
            d.join("m.toml"),
            d.join("x/../m.toml"),
            d.join("link.toml"),
            d.join("hard.toml"),
        ] {
            let m = message(check_outputs(
                &[("-o", Some(&output))],
                &[("model", Some(&model))],
            ));
            assert!(
                m.ends_with(": that is the model this command reads; choose another file")
                    && m.starts_with("-o "),
                "{output:?}: {m}"
            );
        }
        let other = d.join("m.svg");
        assert_eq!(
            message(check_outputs(
                &[("-o", Some(&other))],
                &[("model", Some(&model)), ("model", None)]
            )),
            "ok"
        );
        fs::write(&other, "old figure").expect("old figure");
        assert_eq!(
            message(check_outputs(
                &[
                    ("-o", Some(&other)),
                    ("-o", Some(Path::new("-"))),
                    ("-o", None)
                ],
                &[
                    ("model", Some(&model)),
                    ("scenario", Some(&d.join("missing.toml")))
                ]
            )),
            "ok"
        );
    }

    #[test]
    fn two_outputs_into_one_file_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("lec");
        let b = dir.path().join("./lec");
        let m = message(check_outputs(
            &[("--lec-svg", Some(&a)), ("--lec-csv", Some(&b))],
            &[],
        ));
        assert!(
            m.contains("--lec-csv") && m.contains("--lec-svg writes that file too"),
            "{m}"
        );
    }

    #[test]
    fn database_and_directory_members() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("x.db");
        fs::write(&db, "SQLite format 3").expect("db");
        let files = database_files(&db);
        let inputs: Vec<(&str, Option<&Path>)> = files
            .iter()
            .map(|f| ("database", Some(f.as_path())))
            .collect();
        let wal = dir.path().join("x.db-wal");
        let m = message(check_outputs(&[("-o", Some(&wal))], &inputs));
        assert!(m.contains("that is the database"), "{m}");
        let names = database_files(Path::new("x.db"));
        assert_eq!(
            names,
            ["x.db", "x.db-wal", "x.db-shm", "x.db-journal"].map(PathBuf::from)
        );
        let dir = tempfile::tempdir().expect("tempdir");
        for f in ["a.json", "b.JSONL", "c.txt"] {
            fs::write(dir.path().join(f), "{}").expect("file");
        }
        let mut members = directory_members(dir.path(), &["json", "jsonl"]);
        members.sort();
        assert_eq!(
            members,
            [dir.path().join("a.json"), dir.path().join("b.JSONL")]
        );
        assert!(directory_members(&dir.path().join("a.json"), &["json"]).is_empty());
    }
}
