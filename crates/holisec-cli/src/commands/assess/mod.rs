//! `holisec assess`: a hospital's self-assessment, stored in SQLite, scored, and
//! turned into risk in euros and a costed action plan.
//!
//! Every decision (what an answer file may hold, how organisations match,
//! when a stored plan is reused, which steps a plan recommends) is
//! `holisec_api::assess`'s; this module maps flags and files to it.
//!
//! * [`answer`]: answers from a file or typed on the terminal.
//! * [`text`]: the tables people read.

mod answer;
mod text;

use std::path::{Path, PathBuf};

use holisec_api::assess as api;
use holisec_assess::Questionnaire;
use holisec_assess::plan::PlanOptions;
use holisec_model::Ecosystem;

use crate::commands::db::{Access, open};
use crate::error::{CliResult, invalid};
use crate::input;
use crate::output::{print_json, print_report};

/// Hospital self-assessment: answer the questionnaire, score it, plan what to do first.
///
/// Start with `holisec assess template -o answers.toml`, fill in the levels,
/// then `holisec assess new --org NAME` and `holisec assess answer ID --file
/// answers.toml`. Answers are stored in an SQLite database (see `holisec
/// db`). Maturity changes the hospital's resistance in the model, and the risk
/// engine prices it in euros.
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
    /// Write an answer file to fill in: every item with its question, its
    /// levels and the cost of each step, levels left blank.
    Template {
        /// Where to write it (stdout when absent).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Start a new assessment of an organisation (created if new; names match
    /// whatever their case); prints its ID.
    New {
        /// Organisation (hospital) name.
        #[arg(long)]
        org: String,
    },
    /// Store answers from a file (TOML or CSV, all or nothing) or interactively.
    Answer(answer::AnswerArgs),
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
    /// Risk in euros, and the steps worth their cost, best net benefit first.
    ///
    /// A step (an item one level up) is recommended when the expected annual
    /// loss it avoids, times --value-per-euro, exceeds its annual cost. With
    /// --budget, steps are taken by net benefit while they fit, then by loss
    /// avoided per euro if budget remains.
    Plan(PlanArgs),
    /// Trend of an organisation across its assessments.
    History {
        /// Organisation name (any case).
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

/// Options of `holisec assess plan`.
#[derive(clap::Args)]
struct PlanArgs {
    /// Assessment ID.
    id: i64,
    /// Yearly budget in EUR.
    #[arg(long, allow_negative_numbers = true)]
    budget: Option<f64>,
    /// What one euro of expected annual loss avoided is worth to you, in EUR
    /// (default 1: a step must save more than it costs; raise it to count
    /// harm the euros do not capture).
    #[arg(long, value_name = "EUR", allow_negative_numbers = true)]
    value_per_euro: Option<f64>,
    /// Simulated years per run (default 20,000).
    #[arg(long)]
    iterations: Option<u64>,
    /// Seed (same seed = same numbers; default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Rows to print (all with --json).
    #[arg(long, default_value_t = 15)]
    top: usize,
    /// JSON on stdout.
    #[arg(long)]
    json: bool,
}

impl PlanArgs {
    fn options(&self) -> PlanOptions {
        let mut o = PlanOptions::default();
        if let Some(n) = self.iterations {
            o.run.iterations = n;
        }
        if let Some(s) = self.seed {
            o.run.seed = s;
        }
        if let Some(v) = self.value_per_euro {
            o.value_per_euro_avoided = v;
        }
        o.budget = self.budget;
        o
    }
}

/// The current time, RFC 3339, to the second: the CLI owns the clock.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Loads the model and the questionnaire (checked against the model).
fn load(args: &Args) -> CliResult<(Ecosystem, Questionnaire)> {
    let eco = input::load_model(args.model.as_deref())?.ecosystem;
    let q = questionnaire(args.questionnaire.as_deref(), &eco)?;
    Ok((eco, q))
}

/// The questionnaire file `path` checked against `eco`, or the built-in one.
pub(crate) fn questionnaire(path: Option<&Path>, eco: &Ecosystem) -> CliResult<Questionnaire> {
    let q = match path {
        None => api::builtin_questionnaire(eco),
        Some(path) => {
            let source = input::read_source(path, api::MAX_QUESTIONNAIRE_BYTES, "questionnaire")?;
            api::load_questionnaire(eco, source)
        }
    };
    Ok(input::usable(q.map_err(input::rejected)?))
}

fn write_template(q: &Questionnaire, output: Option<&Path>, force: bool) -> CliResult {
    if let Some(path) = output
        && path != Path::new("-")
        && path.exists()
        && !force
    {
        return Err(invalid(format!(
            "`{}` already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    let what = format!("answer template, {} items", q.items.len());
    crate::output::write_text(output, &api::answer_template(q), &what)
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    if let AssessCommand::Template { output, .. } = &args.command {
        crate::paths::check_outputs(
            &[("-o", output.as_deref())],
            &[
                ("questionnaire", args.questionnaire.as_deref()),
                ("model", args.model.as_deref()),
            ],
        )?;
    }
    let db = args.db.as_deref();
    let (eco, q) = load(&args)?;
    let api = input::api_error;
    match &args.command {
        AssessCommand::Template { output, force } => write_template(&q, output.as_deref(), *force),
        AssessCommand::New { org } => {
            let mut store = open(db, Access::Create)?;
            if let Some(similar) = api::similar_organisation(&store, org).map_err(api)? {
                eprintln!(
                    "note: `{}` is a new organisation; the database already holds `{}` (did you mean it? names match whatever their case)",
                    crate::terminal::line(org.trim()),
                    crate::terminal::line(&similar)
                );
            }
            let a = api::new_assessment(&mut store, &q, org, &now()).map_err(api)?;
            crate::output::print_report(&format!(
                "created assessment {} for `{}` (version {}, questionnaire {} {}, {} items)\n",
                a.id,
                a.organisation,
                a.version,
                q.id,
                q.version,
                q.items.len()
            ))?;
            Ok(())
        }
        AssessCommand::Answer(a) => answer::run(a, &mut open(db, Access::Write)?, &q),
        AssessCommand::Show { id, json } => {
            let view = api::show(&open(db, Access::Read)?, &q, *id).map_err(api)?;
            if *json {
                return print_json(&view);
            }
            print_report(&text::show(&view))
        }
        AssessCommand::Score { id, json } => {
            let (a, scores) = api::score(&open(db, Access::Read)?, &q, *id).map_err(api)?;
            if *json {
                return print_json(&scores);
            }
            print_report(&text::score(&a, &scores))
        }
        AssessCommand::Plan(p) => {
            let mut store = open(db, Access::Write)?;
            // A damaged file is refused before the run, not after it.
            store
                .quick_check()
                .map_err(crate::commands::db::store_error)?;
            let options = p.options();
            api::check_plan_options(&options).map_err(api)?;
            let bar = crate::progress::Bar::new(true);
            let outcome =
                api::plan(&mut store, &eco, &q, p.id, &options, &now(), &bar).map_err(api)?;
            if p.json {
                return print_json(&outcome);
            }
            print_report(&text::plan(&outcome, p.top))
        }
        AssessCommand::History { org, json } => {
            let (name, rows) =
                api::history(&open(db, Access::Read)?, &eco, &q, org).map_err(api)?;
            if *json {
                return print_json(&rows);
            }
            print_report(&text::history(&name, &rows))
        }
        AssessCommand::List { json } => {
            let list = open(db, Access::Read)?
                .assessments(None)
                .map_err(crate::commands::db::store_error)?;
            if *json {
                return print_json(&list);
            }
            print_report(&text::list(&list))
        }
    }
}
