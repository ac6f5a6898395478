//! `holisec evidence`: read VERIS incidents, summarise them, calibrate a model's threat mix.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::Context;
use holisec_exchange::calibrate::{self, CalibrateOptions};
use holisec_exchange::summary::{self, Filter, Summary, Table as CountTable};
use holisec_exchange::veris::{self, Evidence, Problem, ProblemKind, ReadOptions, VerisReader};
use serde::Serialize;

use crate::error::{CliError, CliResult, invalid};
use crate::input;
use crate::table::Table;

/// Real incident data (VERIS JSON) as evidence for the model.
///
/// FILE may be a `.json` file (one incident or an array of incidents), a
/// directory of `.json` files (as in the VCDB repository), or a `.jsonl` file
/// (one incident per line). Broken records are reported with their line and
/// JSON path and skipped; records that break the VCDB schema are reported and
/// kept (use --drop-invalid to skip them).
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Summary(SummaryArgs),
    Calibrate(CalibrateArgs),
}

/// Options shared by both subcommands.
#[derive(clap::Args)]
struct ReadArgs {
    /// Use only incidents whose year (timeline.incident.year) is YEAR or later.
    #[arg(long, value_name = "YEAR")]
    since: Option<i32>,
    /// Skip records that break the VCDB schema instead of keeping them.
    #[arg(long)]
    drop_invalid: bool,
}

/// Count incidents by year, motivation, domain, action variety, asset,
/// attribute and stakeholder, with the unknown share of each.
#[derive(clap::Args)]
struct SummaryArgs {
    /// VERIS files: .json, .jsonl, or directories of .json files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    /// Print the summary (with every count and problem) as JSON.
    #[arg(long)]
    json: bool,
    /// Rows shown per table in the text output (all in --json).
    #[arg(long, default_value_t = 12)]
    top: usize,
}

/// Write a model whose threat mix (the share of each motivation against each
/// stakeholder and domain) comes from the evidence, keeping the model's total
/// threat event frequency per stakeholder. The evidence used is recorded in
/// the `source` fields.
///
/// The first argument is the model when it ends in `.toml` (the built-in
/// European model otherwise).
#[derive(clap::Args)]
struct CalibrateArgs {
    /// [MODEL.toml] followed by VERIS files (.json, .jsonl, or directories of .json files).
    #[arg(required = true, value_name = "[MODEL] FILE")]
    inputs: Vec<PathBuf>,
    /// Where to write the calibrated model (TOML).
    #[arg(short, long, value_name = "OUT.toml")]
    output: PathBuf,
    #[command(flatten)]
    read: ReadArgs,
    /// Pseudo-incidents added to each motivation and domain present in the model.
    #[arg(long, default_value_t = 0.5)]
    prior: f64,
    /// Fewest incidents with a known motivation needed to recalibrate a stakeholder kind.
    #[arg(long, default_value_t = 20)]
    min_incidents: usize,
    /// Print the calibration report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    match args.command {
        Command::Summary(a) => summary_command(a),
        Command::Calibrate(a) => calibrate_command(a),
    }
}

/// The evidence files, read.
struct Loaded {
    names: Vec<String>,
    evidence: Evidence,
}

fn read_evidence(paths: &[PathBuf], read: &ReadArgs) -> CliResult<Loaded> {
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

fn extension(path: &Path) -> Option<String> {
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
    let mut lines = BufReader::with_capacity(1 << 16, file);
    let mut line = 0;
    let mut buf = Vec::new();
    loop {
        line += 1;
        buf.clear();
        match read_capped_line(&mut lines, &mut buf, veris::MAX_RECORD_BYTES)
            .with_context(|| format!("cannot read `{}` at line {line}", path.display()))?
        {
            LineRead::Eof => break,
            LineRead::Line => reader.read_line(source, line, &buf),
            LineRead::TooLong(len) => reader.oversized_line(source, line, len),
        }
    }
    Ok(())
}

enum LineRead {
    Eof,
    Line,
    TooLong(usize),
}

/// Reads one line into `buf`, keeping at most `cap` bytes in memory; longer lines are skipped to their end.
fn read_capped_line<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<LineRead> {
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if !any {
                LineRead::Eof
            } else if len > cap {
                LineRead::TooLong(len)
            } else {
                LineRead::Line
            });
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
        if newline {
            return Ok(if len > cap {
                LineRead::TooLong(len)
            } else {
                LineRead::Line
            });
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

/// Prints every problem of the first records that have one (all of them for
/// the VCDB extract), then the counts; `--json` lists every problem.
fn report_problems(loaded: &Loaded, drop_invalid: bool, list: bool) {
    const RECORDS_SHOWN: usize = 50;
    let problems = &loaded.evidence.problems;
    if list {
        let mut records = 0;
        let mut last = None;
        let mut hidden = 0;
        for p in problems {
            if last != Some(p.location) {
                last = Some(p.location);
                records += 1;
            }
            if records > RECORDS_SHOWN {
                hidden += 1;
                continue;
            }
            eprintln!("warning: {}", problem_text(&loaded.names, p));
        }
        if hidden > 0 {
            eprintln!(
                "warning: … {hidden} more problems in {} more records (--json lists them all)",
                records - RECORDS_SHOWN
            );
        }
    }
    let c = loaded.evidence.counts;
    eprintln!(
        "read {} records from {}: {} incidents, {} unreadable (skipped), {} break the VCDB schema ({})",
        c.records,
        input::count(loaded.names.len(), "file"),
        c.incidents,
        c.unreadable,
        c.invalid,
        if drop_invalid { "skipped" } else { "kept" }
    );
}

/// Stops with exit status 2 when nothing could be read at all.
fn require_incidents(loaded: &Loaded) -> CliResult {
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
struct JsonProblem<'a> {
    file: &'a str,
    #[serde(flatten)]
    problem: &'a Problem,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: &'a [String],
    #[serde(flatten)]
    summary: &'a Summary,
    problems: Vec<JsonProblem<'a>>,
}

fn json_problems(loaded: &Loaded) -> Vec<JsonProblem<'_>> {
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

fn summary_command(args: SummaryArgs) -> CliResult {
    let loaded = read_evidence(&args.files, &args.read)?;
    let filter = Filter {
        since: args.read.since,
    };
    report_problems(&loaded, args.read.drop_invalid, !args.json);
    require_incidents(&loaded)?;
    let summary = summary::summarise(&loaded.evidence, filter);
    if args.json {
        return crate::output::print_json(&JsonSummary {
            files: &loaded.names,
            summary: &summary,
            problems: json_problems(&loaded),
        });
    }
    crate::output::write_text(None, &render_summary(&summary, args.top))
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn render_table(title: &str, table: &CountTable, top: usize, total: usize) -> String {
    let mut t = Table::new(&[title, ">incidents", ">share"]);
    for row in table.rows.iter().take(top) {
        t.row(vec![
            row.key.clone(),
            row.count.to_string(),
            percent(row.share),
        ]);
    }
    if table.rows.len() > top {
        t.row(vec![
            format!("({} more)", table.rows.len() - top),
            String::new(),
            String::new(),
        ]);
    }
    t.row(vec![
        "unknown".into(),
        table.unknown.to_string(),
        percent(table.unknown_share),
    ]);
    let _ = total;
    t.render()
}

fn render_summary(s: &Summary, top: usize) -> String {
    let mut out = String::new();
    let years = match (s.first_year, s.last_year) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "unknown".into(),
    };
    out.push_str(&format!(
        "{} incidents (filter: {}, {} left out), incident years {years}\n",
        s.incidents, s.filter, s.filtered_out
    ));
    out.push_str("Counts are per incident; an incident can fall in several rows. `unknown`: nothing known for that table.\n\n");
    let sections: [(&str, &CountTable, usize); 11] = [
        ("year", &s.year, usize::MAX),
        ("motivation", &s.motivation, top),
        ("VERIS motive", &s.veris_motive, top),
        ("domain", &s.domain, top),
        ("action category", &s.action_category, top),
        ("action variety", &s.action_variety, top),
        ("asset class", &s.asset, top),
        ("attribute", &s.attribute, top),
        ("stakeholder", &s.stakeholder, top),
        ("victim country", &s.country, top),
        ("sub-source", &s.sub_source, top),
    ];
    for (i, (title, table, n)) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_table(title, table, *n, s.incidents));
    }
    out
}

fn calibrate_command(args: CalibrateArgs) -> CliResult {
    let mut inputs = args.inputs.clone();
    let model_path = if extension(&inputs[0]).as_deref() == Some("toml") {
        Some(inputs.remove(0))
    } else {
        None
    };
    if inputs.is_empty() {
        return Err(invalid(
            "no VERIS file given after the model; expected `[MODEL.toml] FILE...`",
        ));
    }
    let source = input::read_model(model_path.as_deref())?;
    let errors = source
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count();
    input::print_diagnostics(&source, errors > 0);
    let (Some(file), Some(eco)) = (
        source.loaded.file.as_ref(),
        source.loaded.ecosystem.as_ref(),
    ) else {
        eprintln!(
            "error: `{}` is not a valid model ({})",
            source.name,
            input::count(errors, "error")
        );
        return Err(CliError::Reported(2));
    };
    let loaded = read_evidence(&inputs, &args.read)?;
    report_problems(&loaded, args.read.drop_invalid, true);
    require_incidents(&loaded)?;
    let options = CalibrateOptions {
        filter: Filter {
            since: args.read.since,
        },
        prior: args.prior,
        min_incidents: args.min_incidents,
        sources: loaded
            .names
            .iter()
            .map(|n| {
                Path::new(n)
                    .file_name()
                    .map_or(n.clone(), |f| f.to_string_lossy().into_owned())
            })
            .collect(),
    };
    let result = calibrate::calibrate(file, eco, &loaded.evidence, &options).map_err(invalid)?;
    let text = holisec_exchange::model_to_toml(&result.file)
        .context("cannot write the calibrated model as TOML")?;
    let header = format!(
        "# Calibrated by `holisec evidence calibrate` from {}.\n# Threat mix from the evidence, absolute level from `{}`; see the `source` fields.\n\n",
        options.sources.join(", "),
        source.name
    );
    // The written model must load back cleanly; anything else is a bug worth stopping for.
    let check = holisec_model::load_str(&text);
    if check.has_errors() {
        return Err(CliError::Failed(anyhow::anyhow!(
            "the calibrated model does not validate: {}",
            check
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    crate::output::write_text(Some(&args.output), &format!("{header}{text}"))?;
    if args.json {
        #[derive(Serialize)]
        struct Report<'a> {
            model: &'a str,
            output: String,
            incidents: usize,
            source: &'a str,
            targets: &'a [calibrate::TargetReport],
        }
        return crate::output::print_json(&Report {
            model: &source.name,
            output: args.output.display().to_string(),
            incidents: result.incidents,
            source: &result.source,
            targets: &result.targets,
        });
    }
    let mut t = Table::new(&[
        "stakeholder",
        "kind",
        ">incidents",
        ">TEF/yr",
        "motivation",
        ">before",
        ">after",
    ]);
    for target in &result.targets {
        for (i, share) in target.shares.iter().enumerate() {
            let first = i == 0;
            t.row(vec![
                if first {
                    target.stakeholder.clone()
                } else {
                    String::new()
                },
                if first {
                    target.kind.to_string()
                } else {
                    String::new()
                },
                if first {
                    target.incidents.to_string()
                } else {
                    String::new()
                },
                if first {
                    format!("{:.3}", target.level)
                } else {
                    String::new()
                },
                share.motivation.to_string(),
                percent(share.before),
                percent(share.after),
            ]);
        }
    }
    let mut out = t.render();
    for target in result.targets.iter().filter(|t| !t.calibrated) {
        if let Some(reason) = &target.reason {
            out.push_str(&format!("kept {}: {reason}\n", target.stakeholder));
        }
    }
    out.push_str(&format!(
        "wrote `{}` ({} incidents used)\n",
        args.output.display(),
        result.incidents
    ));
    crate::output::write_text(None, &out)
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
        loop {
            buf.clear();
            match read_capped_line(&mut r, &mut buf, 8).unwrap() {
                LineRead::Eof => break,
                LineRead::Line => seen.push(String::from_utf8(buf.clone()).unwrap()),
                LineRead::TooLong(n) => seen.push(format!("too long {n}")),
            }
        }
        assert_eq!(seen, ["short", "too long 16", "", "last"]);
    }
}
