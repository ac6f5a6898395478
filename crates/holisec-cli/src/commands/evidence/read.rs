//! Reading VERIS files into the reader, and reporting what it found.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use holisec_exchange::veris::{self, Evidence, Problem, ProblemKind, ReadOptions, VerisReader};
use serde::Serialize;

use super::ReadArgs;
use crate::error::{CliResult, invalid};
use crate::input;
use holisec_api::count as input_count;

/// The evidence files, read.
pub(crate) struct Loaded {
    pub(crate) names: Vec<String>,
    pub(crate) evidence: Evidence,
}

pub(crate) fn read_evidence(paths: &[PathBuf], read: &ReadArgs) -> CliResult<Loaded> {
    let mut reader = VerisReader::new(ReadOptions {
        drop_invalid: read.drop_invalid,
        check_schema: true,
    });
    let mut names = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| invalid(format!("cannot read `{}`: {e}", path.display())))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| invalid(format!("cannot read directory `{}`: {e}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(extension(p).as_deref(), Some("json" | "jsonl" | "ndjson"))
                })
                .collect();
            entries.sort();
            if entries.is_empty() {
                return Err(invalid(format!(
                    "directory `{}` has no .json or .jsonl files",
                    path.display()
                )));
            }
            for entry in entries {
                read_file(&entry, &mut reader, &mut names)?;
            }
        } else {
            read_file(path, &mut reader, &mut names)?;
        }
    }
    Ok(Loaded {
        names,
        evidence: reader.finish(),
    })
}

pub(crate) fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn read_file(path: &Path, reader: &mut VerisReader, names: &mut Vec<String>) -> CliResult {
    let source = names.len();
    names.push(path.display().to_string());
    if extension(path).as_deref() == Some("json") {
        let bytes = input::read_limited(path, veris::MAX_DOCUMENT_BYTES as u64)?;
        reader.read_document(source, &bytes);
        return Ok(());
    }
    let file = std::fs::File::open(path)
        .map_err(|e| invalid(format!("cannot read `{}`: {e}", path.display())))?;
    read_lines(
        BufReader::with_capacity(1 << 16, file),
        source,
        reader,
        Limits::FILES,
    )
    .map_err(|e| match e {
        Stop::Io(line, e) => crate::error::CliError::from(
            anyhow::Error::new(e)
                .context(format!("cannot read `{}` at line {line}", path.display())),
        ),
        Stop::Limit(why) => invalid(format!("stopped reading `{}`: {why}", path.display())),
    })
}

/// When reading one JSON Lines input stops.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Longest record kept (longer lines are reported and skipped).
    record: usize,
    /// Longest line skipped to its end.
    line: u64,
    /// Most bytes of one input.
    input: u64,
}

impl Limits {
    const FILES: Limits = Limits {
        record: veris::MAX_RECORD_BYTES,
        line: veris::MAX_LINE_BYTES,
        input: veris::MAX_INPUT_BYTES,
    };
}

/// Why reading one input stopped early.
#[derive(Debug)]
enum Stop {
    /// A read error at this line.
    Io(usize, std::io::Error),
    /// A limit was reached (the message says which).
    Limit(String),
}

/// Reads every line of `input` into `reader`, within `limits`.
fn read_lines<R: BufRead>(
    mut input: R,
    source: usize,
    reader: &mut VerisReader,
    limits: Limits,
) -> Result<(), Stop> {
    let mut line = 0;
    let mut total = 0u64;
    let mut buf = Vec::new();
    loop {
        line += 1;
        buf.clear();
        let (read, len) = read_capped_line(&mut input, &mut buf, limits.record, limits.line)
            .map_err(|e| Stop::Io(line, e))?;
        total += len;
        match read {
            LineRead::Eof => break,
            LineRead::Line => reader.read_line(source, line, &buf),
            LineRead::TooLong(len) => reader.oversized_line(source, line, len),
            LineRead::Endless => {
                return Err(Stop::Limit(format!(
                    "line {line} runs past {} without a line break (not JSON Lines: a record is at most {})",
                    bytes(limits.line),
                    bytes(limits.record as u64)
                )));
            }
        }
        if total > limits.input {
            return Err(Stop::Limit(format!(
                "it is larger than {} (the limit of one evidence input; split it into several files)",
                bytes(limits.input)
            )));
        }
    }
    Ok(())
}

/// `n` bytes in the largest whole binary unit.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n => format!("{n} bytes"),
    }
}

enum LineRead {
    Eof,
    Line,
    TooLong(usize),
    /// Still no line break after the give-up length.
    Endless,
}

/// Reads one line into `buf`, keeping at most `cap` bytes in memory; longer
/// lines are skipped to their end, unless they pass `give_up` bytes first.
/// Returns what was read and the bytes consumed.
fn read_capped_line<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
    give_up: u64,
) -> std::io::Result<(LineRead, u64)> {
    let mut len = 0usize;
    let mut consumed = 0u64;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            let read = if !any {
                LineRead::Eof
            } else if len > cap {
                LineRead::TooLong(len)
            } else {
                LineRead::Line
            };
            return Ok((read, consumed));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        len += part.len();
        if len <= cap {
            buf.extend_from_slice(part);
        } else {
            buf.clear();
        }
        let newline = done > part.len();
        r.consume(done);
        consumed += done as u64;
        if newline {
            let read = if len > cap {
                LineRead::TooLong(len)
            } else {
                LineRead::Line
            };
            return Ok((read, consumed));
        }
        if len as u64 > give_up {
            return Ok((LineRead::Endless, consumed));
        }
    }
}

fn problem_text(names: &[String], p: &Problem) -> String {
    let mut place = format!(
        "{}:{}",
        names.get(p.location.source).map_or("?", String::as_str),
        p.location.line
    );
    if let Some(c) = p.column {
        place.push_str(&format!(":{c}"));
    }
    if let Some(i) = p.location.index {
        place.push_str(&format!(" [{i}]"));
    }
    let kind = match p.kind {
        ProblemKind::Unreadable => "unreadable, skipped",
        ProblemKind::Invalid => "breaks the VCDB schema",
    };
    match &p.path {
        Some(path) => format!("{place}: {kind}: at `{path}`: {}", p.message),
        None => format!("{place}: {kind}: {}", p.message),
    }
}

/// Prints the first problems (every one with `--verbose`) and a count of
/// the rest, then what was read; `--json` lists every problem.
pub(crate) fn report_problems(loaded: &Loaded, drop_invalid: bool, list: bool) {
    let problems = &loaded.evidence.problems;
    if list {
        let shown = if crate::ui::verbose() {
            problems.len()
        } else {
            crate::ui::WARNINGS_SHOWN
        };
        for p in problems.iter().take(shown) {
            eprintln!(
                "{}",
                crate::table::fit_lines(&format!("warning: {}", problem_text(&loaded.names, p)))
            );
        }
        if problems.len() > shown {
            let mut records: Vec<_> = problems[shown..].iter().map(|p| p.location).collect();
            records.dedup();
            eprintln!(
                "warning: {} more {} in {} (--verbose shows all, --json lists them)",
                problems.len() - shown,
                if problems.len() - shown == 1 {
                    "problem"
                } else {
                    "problems"
                },
                input_count(records.len(), "record")
            );
        }
    }
    let c = loaded.evidence.counts;
    eprintln!(
        "read {} records from {}: {} incidents, {} unreadable (skipped), {} break the VCDB schema ({})",
        c.records,
        input_count(loaded.names.len(), "file"),
        c.incidents,
        c.unreadable,
        c.invalid,
        if drop_invalid { "skipped" } else { "kept" }
    );
}

/// Stops with exit status 2 when nothing could be read at all.
pub(crate) fn require_incidents(loaded: &Loaded) -> CliResult {
    if loaded.evidence.counts.incidents > 0 {
        return Ok(());
    }
    let c = loaded.evidence.counts;
    let first = loaded
        .evidence
        .problems
        .first()
        .map(|p| format!("; first problem: {}", problem_text(&loaded.names, p)))
        .unwrap_or_default();
    Err(invalid(format!(
        "no VERIS incident could be read from {} ({} records, {} unreadable, {} skipped as invalid){first}",
        loaded.names.join(", "),
        c.records,
        c.unreadable,
        c.dropped_invalid
    )))
}

#[derive(Serialize)]
pub(crate) struct JsonProblem<'a> {
    file: &'a str,
    #[serde(flatten)]
    problem: &'a Problem,
}

pub(crate) fn json_problems(loaded: &Loaded) -> Vec<JsonProblem<'_>> {
    loaded
        .evidence
        .problems
        .iter()
        .map(|p| JsonProblem {
            file: loaded
                .names
                .get(p.location.source)
                .map_or("?", String::as_str),
            problem: p,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lines_skip_long_lines_and_keep_the_rest() {
        let text = b"short\n0123456789abcdef\n\nlast";
        let mut r = BufReader::with_capacity(4, &text[..]);
        let mut buf = Vec::new();
        let mut seen = Vec::new();
        let mut total = 0;
        loop {
            buf.clear();
            let (read, n) = read_capped_line(&mut r, &mut buf, 8, 1 << 20).unwrap();
            total += n;
            match read {
                LineRead::Eof => break,
                LineRead::Line => seen.push(String::from_utf8(buf.clone()).unwrap()),
                LineRead::TooLong(n) => seen.push(format!("too long {n}")),
                LineRead::Endless => unreachable!(),
            }
        }
        assert_eq!(seen, ["short", "too long 16", "", "last"]);
        assert_eq!(total, text.len() as u64);
    }

    /// An input that never ends: zeros (no line break at all), or short lines for ever.
    struct Endless(&'static [u8]);

    impl std::io::Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            for (i, b) in out.iter_mut().enumerate() {
                *b = self.0[i % self.0.len()];
            }
            Ok(out.len() - out.len() % self.0.len())
        }
    }

    fn small_limits() -> Limits {
        Limits {
            record: 1000,
            line: 4000,
            input: 1 << 20,
        }
    }

    #[test]
    fn an_endless_line_stops_after_the_give_up_length() {
        let mut reader = VerisReader::new(ReadOptions::default());
        let input = BufReader::with_capacity(512, Endless(b"\0"));
        match read_lines(input, 0, &mut reader, small_limits()) {
            Err(Stop::Limit(why)) => assert!(
                why.contains("line 1 runs past 4000 bytes without a line break"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endless_short_lines_stop_at_the_input_limit() {
        let mut reader = VerisReader::new(ReadOptions::default());
        let input = BufReader::with_capacity(512, Endless(b"{}\n"));
        match read_lines(input, 0, &mut reader, small_limits()) {
            Err(Stop::Limit(why)) => assert!(why.contains("larger than 1 MiB"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Every line read before the limit was counted.
        let counts = reader.finish().counts;
        assert!(counts.records > 300_000, "{}", counts.records);
    }

    #[test]
    fn the_file_limits_are_the_documented_ones() {
        assert_eq!(Limits::FILES.input, 1 << 30);
        assert_eq!(Limits::FILES.line, 64 << 20);
        assert_eq!(bytes(Limits::FILES.input), "1 GiB");
        assert_eq!(bytes(Limits::FILES.line), "64 MiB");
    }
}
