//! `holisec assess`: a hospital's self-assessment, stored in SQLite, scored, and
//! turned into risk in euros and a costed action plan.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use holisec_assess::plan::{self, Plan};
use holisec_assess::questionnaire::{self, HOSPITAL_NAME, HOSPITAL_TOML, MAX_LEVEL};
use holisec_assess::scoring::{self, Scores};
use holisec_assess::{Questionnaire, levels_from_answers};
use holisec_model::Ecosystem;
use holisec_store::{Answer, RiskRun, Store};
use serde::Serialize;

use crate::commands::db::{open, store_error};
use crate::error::{CliError, CliResult, invalid};
use crate::table::Table;

/// Hospital self-assessment: answer the questionnaire, score it, plan what to do first.
///
/// Answers are stored in an SQLite database (see `holisec db`). Maturity changes the
/// hospital's resistance in the model, and the risk engine prices it in euros.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AssessCommand,
    /// Database file (default: $HOLISEC_DB, else $XDG_DATA_HOME/holisec/holisec.db,
    /// else ~/.local/share/holisec/holisec.db).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Questionnaire file (the built-in hospital questionnaire when absent).
    #[arg(long, global = true)]
    questionnaire: Option<PathBuf>,
    /// Model file (the built-in European model when absent).
    #[arg(long, global = true)]
    model: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum AssessCommand {
    /// Start a new assessment of an organisation (created if new); prints its ID.
    New {
        /// Organisation (hospital) name.
        #[arg(long)]
        org: String,
    },
    /// Store answers from a file (TOML or CSV, all or nothing) or interactively.
    Answer {
        /// Assessment ID.
        id: i64,
        /// Answers file: `.toml` with [[answer]] item/level/evidence, or `.csv` with
        /// the header `item,level,evidence`.
        #[arg(long, conflicts_with = "interactive")]
        file: Option<PathBuf>,
        /// Ask item by item on the terminal; skips answered items; each answer is
        /// saved as soon as it is given (quit with `q` or end of input, resume later).
        #[arg(long)]
        interactive: bool,
    },
    /// Show an assessment and its answers.
    Show {
        /// Assessment ID.
        id: i64,
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Weighted maturity per domain (0..4).
    Score {
        /// Assessment ID.
        id: i64,
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Risk in euros and the items whose next level cuts annual loss most per euro.
    Plan {
        /// Assessment ID.
        id: i64,
        /// Yearly budget in EUR: items are taken greedily by loss cut per euro while they fit.
        #[arg(long)]
        budget: Option<f64>,
        /// Simulated years per run.
        #[arg(long, default_value_t = 20_000)]
        iterations: u64,
        /// Seed (same seed = same numbers).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Rows to print (all with --json).
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Trend of an organisation across its assessments.
    History {
        /// Organisation name.
        #[arg(long)]
        org: String,
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Every assessment in the database.
    List {
        /// JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let db = args.db.as_deref();
    match args.command {
        AssessCommand::New { org } => {
            let org = org.trim();
            if org.is_empty() {
                return Err(invalid("--org: the organisation name is empty"));
            }
            let (_, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let mut store = open(db)?;
            let a = store
                .new_assessment(org, &q.id, &q.version, &now())
                .map_err(store_error)?;
            println!(
                "created assessment {} for `{}` (version {}, questionnaire {} {}, {} items)",
                a.id,
                a.organisation,
                a.version,
                q.id,
                q.version,
                q.items.len()
            );
            Ok(())
        }
        AssessCommand::Answer {
            id,
            file,
            interactive,
        } => {
            let (_, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let mut store = open(db)?;
            store.assessment(id).map_err(store_error)?;
            match (file, interactive) {
                (Some(file), _) => {
                    let answers = read_answers(&file, &q)?;
                    store.save_answers(id, &answers).map_err(store_error)?;
                    let total = store.answers(id).map_err(store_error)?.len();
                    println!(
                        "stored {} answers from `{}` in assessment {id} ({total}/{} items answered)",
                        answers.len(),
                        file.display(),
                        q.items.len()
                    );
                    Ok(())
                }
                (None, true) => interactive_answers(&mut store, id, &q),
                (None, false) => Err(invalid("give --file FILE or --interactive")),
            }
        }
        AssessCommand::Show { id, json } => {
            let (_, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let store = open(db)?;
            let a = store.assessment(id).map_err(store_error)?;
            let answers = store.answers(id).map_err(store_error)?;
            if json {
                #[derive(Serialize)]
                struct Out<'a> {
                    assessment: &'a holisec_store::Assessment,
                    items: usize,
                    answers: &'a [Answer],
                }
                return crate::output::print_json(&Out {
                    assessment: &a,
                    items: q.items.len(),
                    answers: &answers,
                });
            }
            let mut out = format!(
                "assessment {} of `{}` (version {}, created {}, questionnaire {} {}): {}/{} items answered\n\n",
                a.id,
                a.organisation,
                a.version,
                a.created_at,
                a.questionnaire,
                a.questionnaire_version,
                answers.len(),
                q.items.len()
            );
            let mut t = Table::new(&["item", "domain", "title", ">level", "meaning", "evidence"]);
            for ans in &answers {
                let item = q.item(&ans.item);
                t.row(vec![
                    ans.item.clone(),
                    item.map(|i| i.domain.as_str().to_owned())
                        .unwrap_or_default(),
                    item.map(|i| i.title.clone())
                        .unwrap_or_else(|| "(not in this questionnaire)".into()),
                    ans.level.to_string(),
                    item.map(|i| i.levels[usize::from(ans.level.min(MAX_LEVEL))].clone())
                        .unwrap_or_default(),
                    ans.evidence.clone().unwrap_or_default(),
                ]);
            }
            out.push_str(&t.render());
            crate::output::write_text(None, &out)
        }
        AssessCommand::Score { id, json } => {
            let (_, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let store = open(db)?;
            let a = store.assessment(id).map_err(store_error)?;
            let answers = store.answers(id).map_err(store_error)?;
            let scores = score_of(&q, &answers);
            if json {
                return crate::output::print_json(&scores);
            }
            let mut out = format!(
                "maturity of `{}` (assessment {}, version {}), 0..4 weighted by item:\n\n",
                a.organisation, a.id, a.version
            );
            out.push_str(&scores_table(&scores));
            if scores.overall.answered < scores.overall.items {
                out.push_str(&format!(
                    "\n{} of {} items unanswered count as level 0\n",
                    scores.overall.items - scores.overall.answered,
                    scores.overall.items
                ));
            }
            crate::output::write_text(None, &out)
        }
        AssessCommand::Plan {
            id,
            budget,
            iterations,
            seed,
            top,
            json,
        } => {
            if let Some(b) = budget
                && !(b.is_finite() && b >= 0.0)
            {
                return Err(invalid(format!(
                    "--budget {b}: expected a number of EUR >= 0"
                )));
            }
            if iterations == 0 {
                return Err(invalid("--iterations 0: expected at least 1"));
            }
            let (eco, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let mut store = open(db)?;
            let a = store.assessment(id).map_err(store_error)?;
            let answers = store.answers(id).map_err(store_error)?;
            let levels =
                levels_from_answers(&q, answers.iter().map(|a| (a.item.as_str(), a.level)));
            let hash = plan::input_hash(&[
                serde_json::to_string(&eco)
                    .context("serialise model")?
                    .as_bytes(),
                serde_json::to_string(&q)
                    .context("serialise questionnaire")?
                    .as_bytes(),
                &levels,
                &iterations.to_le_bytes(),
                &seed.to_le_bytes(),
                format!("{budget:?}").as_bytes(),
            ]);
            let stored = store.risk_run(id, &hash).map_err(store_error)?;
            let (result, reused): (Plan, bool) =
                match stored.and_then(|r| serde_json::from_value(r.results).ok()) {
                    Some(p) => (p, true),
                    None => {
                        let options = holisec_risk::RunOptions { iterations, seed };
                        let show = std::io::stderr().is_terminal();
                        let p = plan::plan(&eco, &q, &levels, &options, budget, &|done, total| {
                            if show {
                                eprint!("\rsimulated years: {done}/{total}");
                                if done == total {
                                    eprintln!();
                                }
                            }
                        })
                        .map_err(|e| CliError::Failed(e.into()))?;
                        store
                            .save_risk_run(&RiskRun {
                                id: 0,
                                assessment_id: id,
                                input_hash: hash.clone(),
                                seed: seed as i64,
                                iterations: iterations as i64,
                                created_at: now(),
                                results: serde_json::to_value(&p).context("serialise plan")?,
                            })
                            .map_err(store_error)?;
                        (p, false)
                    }
                };
            if json {
                #[derive(Serialize)]
                struct Out<'a> {
                    assessment: i64,
                    input_hash: &'a str,
                    reused: bool,
                    #[serde(flatten)]
                    plan: &'a Plan,
                }
                return crate::output::print_json(&Out {
                    assessment: id,
                    input_hash: &hash,
                    reused,
                    plan: &result,
                });
            }
            crate::output::write_text(None, &plan_text(&a, &result, top, reused, &hash))
        }
        AssessCommand::History { org, json } => {
            let (eco, q) = load(args.model.as_ref(), args.questionnaire.as_deref())?;
            let store = open(db)?;
            let list = store.assessments(Some(org.trim())).map_err(store_error)?;
            if list.is_empty() {
                return Err(invalid(format!(
                    "no assessment of `{org}`; `holisec assess list` shows them"
                )));
            }
            #[derive(Serialize)]
            struct Row {
                id: i64,
                version: i64,
                created_at: String,
                answered: i64,
                scores: Scores,
                expected_ale: f64,
            }
            let mut rows = Vec::new();
            for a in &list {
                let answers = store.answers(a.id).map_err(store_error)?;
                let levels =
                    levels_from_answers(&q, answers.iter().map(|a| (a.item.as_str(), a.level)));
                let ale = plan::expected_ale(&eco, &q, &levels)
                    .map_err(|e| CliError::Failed(e.into()))?;
                rows.push(Row {
                    id: a.id,
                    version: a.version,
                    created_at: a.created_at.clone(),
                    answered: a.answered,
                    scores: score_of(&q, &answers),
                    expected_ale: ale,
                });
            }
            if json {
                return crate::output::print_json(&rows);
            }
            let mut t = Table::new(&[
                ">version",
                ">id",
                "created",
                ">answered",
                ">people",
                ">process",
                ">technology",
                ">data",
                ">governance",
                ">overall",
                ">expected ALE (EUR)",
                ">change",
            ]);
            let mut prev: Option<f64> = None;
            for r in &rows {
                let mut cells = vec![
                    r.version.to_string(),
                    r.id.to_string(),
                    r.created_at.clone(),
                    r.answered.to_string(),
                ];
                cells.extend(r.scores.domains.iter().map(|d| format!("{:.2}", d.score)));
                cells.push(format!("{:.2}", r.scores.overall.score));
                cells.push(money(r.expected_ale));
                cells.push(
                    prev.map(|p| signed_money(r.expected_ale - p))
                        .unwrap_or_else(|| "-".into()),
                );
                prev = Some(r.expected_ale);
                t.row(cells);
            }
            crate::output::write_text(
                None,
                &format!(
                    "history of `{}` (maturity 0..4; expected annual loss of one hospital, closed form):\n\n{}",
                    org.trim(),
                    t.render()
                ),
            )
        }
        AssessCommand::List { json } => {
            let store = open(db)?;
            let list = store.assessments(None).map_err(store_error)?;
            if json {
                return crate::output::print_json(&list);
            }
            let mut t = Table::new(&[
                ">id",
                "organisation",
                ">version",
                "created",
                "questionnaire",
                ">answered",
            ]);
            for a in &list {
                t.row(vec![
                    a.id.to_string(),
                    a.organisation.clone(),
                    a.version.to_string(),
                    a.created_at.clone(),
                    format!("{} {}", a.questionnaire, a.questionnaire_version),
                    a.answered.to_string(),
                ]);
            }
            crate::output::write_text(None, &t.render())
        }
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn money(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn signed_money(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

/// Loads the model and the questionnaire (checked against the model), printing diagnostics.
fn load(model: Option<&PathBuf>, path: Option<&Path>) -> CliResult<(Ecosystem, Questionnaire)> {
    let eco = crate::input::load_model(model)?;
    let (name, text) = match path {
        None => (HOSPITAL_NAME.to_owned(), HOSPITAL_TOML.to_owned()),
        Some(p) => {
            let bytes = crate::input::read_limited(p, 16 * 1024 * 1024)?;
            let text = String::from_utf8(bytes)
                .map_err(|e| invalid(format!("`{}` is not UTF-8 text: {e}", p.display())))?;
            (p.display().to_string(), text)
        }
    };
    let (q, diags) = questionnaire::load(&text, &eco);
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in &diags {
        eprint!(
            "{}",
            crate::input::render_diagnostic(&name, &text, d, color)
        );
    }
    match q {
        Some(q) => Ok((eco, q)),
        None => {
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: `{name}` is not a valid questionnaire ({})",
                crate::input::count(n, "error")
            );
            Err(CliError::Reported(2))
        }
    }
}

fn score_of(q: &Questionnaire, answers: &[Answer]) -> Scores {
    let levels = levels_from_answers(q, answers.iter().map(|a| (a.item.as_str(), a.level)));
    let answered: Vec<bool> = q
        .items
        .iter()
        .map(|i| answers.iter().any(|a| a.item == i.id))
        .collect();
    scoring::score(q, &levels, &answered)
}

fn scores_table(s: &Scores) -> String {
    let mut t = Table::new(&["domain", ">score", ">percent", ">answered", "bar"]);
    for d in s.domains.iter().chain(std::iter::once(&s.overall)) {
        let bar = "#".repeat((d.percent / 5.0).round() as usize);
        t.row(vec![
            d.domain
                .map(|d| d.as_str().to_owned())
                .unwrap_or_else(|| "overall".into()),
            format!("{:.2}", d.score),
            format!("{:.0}%", d.percent),
            format!("{}/{}", d.answered, d.items),
            bar,
        ]);
    }
    t.render()
}

fn plan_text(
    a: &holisec_store::Assessment,
    p: &Plan,
    top: usize,
    reused: bool,
    hash: &str,
) -> String {
    let mut out = format!(
        "risk of `{}` (assessment {}, one `{}` organisation; {} simulated years, seed {}{}):\n  \
         ALE {} EUR, p95 {} EUR, p99 {} EUR (closed form {} EUR)\n\n",
        a.organisation,
        a.id,
        p.stakeholder,
        p.iterations,
        p.seed,
        if reused { ", stored run reused" } else { "" },
        money(p.baseline.ale),
        money(p.baseline.p95),
        money(p.baseline.p99),
        money(p.baseline.expected),
    );
    out.push_str("next steps, most expected annual loss avoided per euro first (MC columns: same seed, common random numbers):\n\n");
    let mut t = Table::new(&[
        ">rank",
        "item",
        "title",
        "step",
        ">cost EUR/yr",
        ">delta E[loss]",
        ">delta ALE (MC)",
        ">delta p95 (MC)",
        ">per EUR",
        "take",
    ]);
    for (k, x) in p.actions.iter().enumerate().take(top) {
        t.row(vec![
            (k + 1).to_string(),
            x.item.clone(),
            x.title.clone(),
            format!("{}->{}", x.from, x.to),
            money(x.cost),
            money(x.delta_expected),
            money(x.delta_ale),
            money(x.delta_p95),
            if x.per_euro.is_finite() {
                format!("{:.2}", x.per_euro)
            } else {
                "free".into()
            },
            if x.selected {
                "yes".into()
            } else {
                String::new()
            },
        ]);
    }
    out.push_str(&t.render());
    if p.actions.len() > top {
        out.push_str(&format!(
            "({} more; --top N or --json for all)\n",
            p.actions.len() - top
        ));
    }
    out.push_str(&format!(
        "\n{}selected: {} EUR/yr for about {} EUR/yr less expected loss (sum of single-step effects)\ninput hash {hash}\n",
        p.budget.map(|b| format!("budget {} EUR/yr; ", money(b))).unwrap_or_default(),
        money(p.selected_cost),
        money(p.selected_delta_ale),
    ));
    out
}

/// Reads and checks an answers file; every problem is reported at once, nothing stored on error.
fn read_answers(path: &Path, q: &Questionnaire) -> CliResult<Vec<Answer>> {
    let bytes = crate::input::read_limited(path, 64 * 1024 * 1024)?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|e| invalid(format!("`{name}` is not UTF-8 text: {e}")))?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // (place, item, level text, evidence)
    let mut rows: Vec<(String, String, String, Option<String>)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    if is_csv {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, header)) => {
                let h: Vec<String> = split_csv(header).unwrap_or_default().iter().map(|s| s.trim().to_lowercase()).collect();
                if h.len() < 2 || h[0] != "item" || h[1] != "level" || (h.len() == 3 && h[2] != "evidence") || h.len() > 3 {
                    errors.push(format!("`{name}` row 1: header is `{header}`, expected `item,level,evidence`"));
                }
            }
            None => errors.push(format!("`{name}` is empty: expected the header `item,level,evidence` and one row per answer")),
        }
        for (i, line) in lines {
            let place = format!("`{name}` row {}", i + 1);
            match split_csv(line) {
                Err(e) => errors.push(format!("{place}: {e}")),
                Ok(cells) if cells.len() < 2 || cells.len() > 3 => errors.push(format!(
                    "{place}: {} fields, expected 2 or 3 (item,level,evidence)",
                    cells.len()
                )),
                Ok(cells) => rows.push((
                    place,
                    cells[0].trim().to_owned(),
                    cells[1].trim().to_owned(),
                    cells
                        .get(2)
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty()),
                )),
            }
        }
    } else {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            answer: Vec<toml::Spanned<Wire>>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            item: String,
            level: toml::Value,
            evidence: Option<String>,
        }
        let index = holisec_model::LineIndex::new(&text);
        match toml::from_str::<File>(&text) {
            Err(e) => {
                let at = e
                    .span()
                    .map(|s| {
                        let (l, c) = index.line_col(&text, s.start);
                        format!(" line {l} column {c}")
                    })
                    .unwrap_or_default();
                return Err(invalid(format!(
                    "`{name}`{at}: {}; expected [[answer]] tables with item, level (0-4) and optional evidence",
                    e.message().trim()
                )));
            }
            Ok(f) => {
                for a in f.answer {
                    let (l, _) = index.line_col(&text, a.span().start);
                    let w = a.into_inner();
                    let level = match &w.level {
                        toml::Value::Integer(n) => n.to_string(),
                        other => other.to_string(),
                    };
                    rows.push((format!("`{name}` line {l}"), w.item, level, w.evidence));
                }
            }
        }
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let stamp = now();
    for (place, item, level, evidence) in rows {
        if q.item(&item).is_none() {
            errors.push(format!(
                "{place}: unknown item `{item}` (not in questionnaire `{}`)",
                q.id
            ));
            continue;
        }
        if let Some(first) = seen.get(&item) {
            errors.push(format!(
                "{place}: duplicate answer for `{item}` (first at {first})"
            ));
            continue;
        }
        seen.insert(item.clone(), place.clone());
        match level.parse::<u8>() {
            Ok(l) if l <= MAX_LEVEL => out.push(Answer {
                item,
                level: l,
                evidence,
                answered_at: Some(stamp.clone()),
            }),
            _ => errors.push(format!(
                "{place}: level `{level}` for `{item}` is out of range, expected 0, 1, 2, 3 or 4"
            )),
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        return Err(invalid(format!(
            "`{name}`: {}; nothing was stored",
            crate::input::count(errors.len(), "error")
        )));
    }
    if out.is_empty() {
        return Err(invalid(format!("`{name}` holds no answer")));
    }
    Ok(out)
}

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
                cur.clear();
            }
            (false, '"') => return Err("stray `\"` inside an unquoted field".into()),
            (false, ',') => {
                cells.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    cells.push(cur);
    Ok(cells)
}

fn interactive_answers(store: &mut Store, id: i64, q: &Questionnaire) -> CliResult {
    let done: Vec<String> = store
        .answers(id)
        .map_err(store_error)?
        .into_iter()
        .map(|a| a.item)
        .collect();
    let todo: Vec<_> = q.items.iter().filter(|i| !done.contains(&i.id)).collect();
    let mut stdout = std::io::stdout().lock();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    writeln!(
        stdout,
        "assessment {id}: {} of {} items answered, {} to go (q to stop and resume later; s to skip)",
        done.len(),
        q.items.len(),
        todo.len()
    )?;
    let mut line = String::new();
    let mut read =
        |prompt: &str, stdout: &mut std::io::StdoutLock<'_>| -> CliResult<Option<String>> {
            write!(stdout, "{prompt}")?;
            stdout.flush()?;
            line.clear();
            if input.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            Ok(Some(line.trim().to_owned()))
        };
    let mut saved = 0;
    'items: for (k, item) in todo.iter().enumerate() {
        writeln!(
            stdout,
            "\n[{}/{}] {} ({}) {}\n  {}",
            k + 1,
            todo.len(),
            item.id,
            item.domain.as_str(),
            item.title,
            item.question
        )?;
        for (l, s) in item.levels.iter().enumerate() {
            writeln!(stdout, "    {l}: {s}")?;
        }
        let level = loop {
            match read("  level 0-4: ", &mut stdout)? {
                None => break 'items,
                Some(s) if s.eq_ignore_ascii_case("q") => break 'items,
                Some(s) if s.eq_ignore_ascii_case("s") => continue 'items,
                Some(s) => match s.parse::<u8>() {
                    Ok(l) if l <= MAX_LEVEL => break l,
                    _ => writeln!(
                        stdout,
                        "  `{s}` is not a level: type 0, 1, 2, 3 or 4 (s skips, q stops)"
                    )?,
                },
            }
        };
        let evidence = match read("  evidence note (enter for none): ", &mut stdout)? {
            None => None,
            Some(s) if s.is_empty() => None,
            Some(s) => Some(s),
        };
        store
            .save_answers(
                id,
                &[Answer {
                    item: item.id.clone(),
                    level,
                    evidence,
                    answered_at: Some(now()),
                }],
            )
            .map_err(store_error)?;
        saved += 1;
        writeln!(stdout, "  saved {} = {level}", item.id)?;
    }
    let total = store.answers(id).map_err(store_error)?.len();
    writeln!(
        stdout,
        "\n{saved} answers saved; {total}/{} items answered",
        q.items.len()
    )?;
    Ok(())
}
