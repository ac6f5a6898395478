//! `holisec report`: the whole analysis as one self-contained HTML document
//! (and PDF), from `holisec_report`. This module only reads the inputs,
//! calls `holisec_report::build` and `html`, and writes the files.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use holisec_report::{
    DEFAULT_BUDGET, DEFAULT_ITERATIONS, DEFAULT_SCENARIO, DEFAULT_SEED, EvidenceInput,
    OrganisationInput, ReportError, ReportInputs, ReportOptions,
};

use super::evidence::ReadArgs;
use super::evidence::read::{read_evidence, report_problems, require_incidents};
use crate::error::{CliError, CliResult, invalid};
use crate::input;
use crate::output::{print_json, write_file, write_text};

/// Write the whole analysis as one document a board, a ministry or an
/// insurer's committee can read: a one-page summary (the three largest
/// risks in euros a year, the two support items that avoid the most loss
/// per euro, what a phishing-led ransomware wave does to the system), then
/// the ecosystem, risk, simulation, evidence, an organisation's
/// self-assessment, and method and provenance.
///
/// The HTML file is self-contained (figures inline as SVG, no script, no
/// external request): it opens offline and travels by e-mail. `--pdf`
/// prints it with headless Chromium found on PATH. The same inputs and seed
/// give the same bytes. Its numbers are those of `holisec risk`,
/// `holisec simulate` and `holisec assess plan` run with the same options
/// (the method section gives each command). Exit status 2 on invalid input.
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Write the HTML report to FILE (stdout when absent and stdout is not a terminal).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also print the report to FILE as PDF (A4) with headless Chromium.
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
    /// Stakeholder id of the reader: the summary's risks are this stakeholder's (default: the model's first healthcare organisation).
    #[arg(long = "for", value_name = "STAKEHOLDER")]
    reader: Option<String>,
    /// Include this organisation's latest self-assessment, its own risk, costed plan and history (from --db).
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
    /// Database of the assessments (default: $HOLISEC_DB, else the user's data directory); only read.
    #[arg(long, value_name = "FILE", requires = "org")]
    db: Option<PathBuf>,
    /// Questionnaire file of the assessments (the built-in hospital questionnaire when absent).
    #[arg(long, value_name = "FILE", requires = "org")]
    questionnaire: Option<PathBuf>,
    /// Built-in scenario name or scenario file (TOML) to simulate [default: europe-phishing-ransomware].
    #[arg(long, value_name = "NAME|FILE", conflicts_with = "no_simulation")]
    scenario: Option<String>,
    /// Leave the simulation out.
    #[arg(long)]
    no_simulation: bool,
    /// VERIS incident files (.json, .jsonl or directories): their mix and how they calibrate the threat mix.
    #[arg(long, value_name = "FILE")]
    evidence: Vec<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    /// Simulated years of the risk runs and of the plan.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ITERATIONS)]
    iterations: u64,
    /// Seed of every run (the scenario keeps its own unless --seed is given).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Yearly budget in EUR of the budgeted choice and of the plan.
    #[arg(long, value_name = "EUR", default_value_t = DEFAULT_BUDGET, allow_negative_numbers = true)]
    budget: f64,
    /// Print this date in the report (absent by default, so reruns give the same bytes).
    #[arg(long, value_name = "TEXT")]
    date: Option<String>,
    /// Worker threads, 1 to 1024 (default: every core). Never changes the numbers.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Print the report's data (every figure of the document) as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    if args.output.is_none() && !args.json && std::io::stdout().is_terminal() {
        return Err(invalid(
            "the report is an HTML document: name its file with -o report.html (or pipe stdout)",
        ));
    }
    let scenario_file = args
        .scenario
        .as_deref()
        .map(Path::new)
        .filter(|p| p.is_file());
    let mut inputs: Vec<(&str, Option<&Path>)> = vec![
        ("model", args.model.as_deref()),
        ("scenario", scenario_file),
        ("questionnaire", args.questionnaire.as_deref()),
    ];
    let db = match &args.org {
        Some(_) => Some(super::db::db_path(args.db.as_deref())?),
        None => None,
    };
    inputs.push(("database", db.as_deref()));
    inputs.extend(
        args.evidence
            .iter()
            .map(|p| ("VERIS evidence", Some(p.as_path()))),
    );
    crate::paths::check_outputs(
        &[
            ("-o", args.output.as_deref()),
            ("--pdf", args.pdf.as_deref()),
        ],
        &inputs,
    )?;
    // Before an engine runs: a missing browser fails in a second, not after them.
    if args.pdf.is_some() && holisec_report::pdf::find_browser().is_none() {
        return Err(CliError::Failed(
            holisec_report::pdf::PdfError::NoBrowser.into(),
        ));
    }
    let model = input::load_model(args.model.as_deref())?;
    let scenario = scenario(&args, &model.ecosystem)?;
    let evidence = if args.evidence.is_empty() {
        None
    } else {
        let loaded = read_evidence(&args.evidence, &args.read)?;
        report_problems(&loaded, args.read.drop_invalid, false);
        require_incidents(&loaded)?;
        Some(loaded)
    };
    let options = ReportOptions {
        model_name: args.model.as_ref().map_or_else(
            || holisec_api::model::BUILTIN_NAME.to_owned(),
            |p| p.display().to_string(),
        ),
        reader: args.reader.clone(),
        iterations: args.iterations,
        seed: args.seed.unwrap_or(DEFAULT_SEED),
        budget: args.budget,
        generated_at: args.date.clone(),
    };
    let organisation = match &args.org {
        Some(name) => {
            let store = super::db::open(args.db.as_deref(), super::db::Access::Read)?;
            let q = super::assess::questionnaire(args.questionnaire.as_deref(), &model.ecosystem)?;
            let org = OrganisationInput {
                store: &store,
                questionnaire: &q,
                name,
            };
            let data = holisec_report::read_organisation(&model.ecosystem, org, &options)
                .map_err(report_error)?;
            Some((data, q))
        }
        None => None,
    };
    let pool = crate::threads::worker_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let report_inputs = ReportInputs {
        model: &model,
        scenario: scenario.as_ref(),
        evidence: evidence.as_ref().map(|l| EvidenceInput {
            files: &l.names,
            evidence: &l.evidence,
        }),
        organisation: organisation.as_ref().map(|(data, q)| (data, q)),
    };
    eprintln!("holisec report: running the engines ({threads} threads)");
    let bar = crate::progress::Bar::new(true);
    let report = pool
        .install(|| holisec_report::build(&report_inputs, &options, threads, &bar))
        .map_err(report_error)?;
    let html = holisec_report::html(&report);
    if let Some(pdf) = &args.pdf {
        eprintln!("holisec report: printing the PDF with headless Chromium");
        let bytes = holisec_report::pdf::print(&html).map_err(|e| CliError::Failed(e.into()))?;
        write_file(pdf, &bytes, "PDF report")?;
    }
    if args.json {
        if let Some(path) = &args.output {
            write_text(Some(path), &html, "HTML report")?;
        }
        return print_json(&report);
    }
    write_text(args.output.as_deref(), &html, "HTML report")
}

/// The scenario to simulate: none with --no-simulation, else the one named
/// (a file or a built-in name), else the shipped campaign; --seed applies.
fn scenario(
    args: &Args,
    eco: &holisec_model::Ecosystem,
) -> CliResult<Option<holisec_sim::Scenario>> {
    if args.no_simulation {
        return Ok(None);
    }
    let name = args.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO);
    let source = super::simulate::scenario_source(name)?;
    let mut sc = input::usable(holisec_api::simulate::load(eco, source).map_err(input::rejected)?);
    holisec_api::simulate::apply(
        &mut sc,
        &holisec_api::simulate::Overrides {
            seed: args.seed,
            ..Default::default()
        },
    )
    .map_err(input::api_error)?;
    Ok(Some(sc))
}

fn report_error(e: ReportError) -> CliError {
    match e {
        ReportError::Api(e) => input::api_error(e),
        ReportError::Invalid(message) => invalid(message),
    }
}
