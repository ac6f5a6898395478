//! `holisec risk`: Open FAIR Monte Carlo over the model's scenarios, portfolios
//! with shared suppliers, and interventions ranked per euro. The request,
//! its presets and checks, and the run are `holisec_api::risk`'s; this module
//! maps flags to the request and writes what the user asked for.

mod portfolio;
mod report;

use std::io::IsTerminal;
use std::path::PathBuf;

use holisec_api::risk::{self, PortfolioRequest, RiskRequest};

use crate::error::CliResult;
use crate::input;
use crate::output::{print_json, print_report, write_text};
use crate::table::thousands;

/// Quantify risk in the Open FAIR taxonomy: Monte Carlo over every
/// threat x vulnerability x stakeholder scenario of the model.
///
/// Per year and scenario: TEF (the threat's attempts per year against one
/// organisation, split equally among the threat's scenarios for that target),
/// RS of the factor, vulnerability = P(TCap > RS), loss events ~ Poisson(TEF x
/// vulnerability), and one primary + secondary loss per loss event. Reports the
/// mean annual loss (ALE), P(at least one loss event), percentiles and loss
/// exceedance curves per scenario and by stakeholder, domain, motivation and in
/// total. Same seed = same output, whatever --threads. Exit status 2 on invalid
/// input (bad model, flag out of range, unknown scenario or support id).
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    pub(crate) model: Option<PathBuf>,
    /// Simulated years, 1 to 1,000,000,000.
    #[arg(long, short = 'n', default_value_t = risk::DEFAULT_ITERATIONS, value_name = "N")]
    pub(crate) iterations: u64,
    /// Seed of the random streams.
    #[arg(long, default_value_t = risk::DEFAULT_SEED, value_name = "S")]
    pub(crate) seed: u64,
    /// Worker threads, 1 to 1024 (default: every core). Never changes the numbers.
    #[arg(long, value_name = "T")]
    pub(crate) threads: Option<usize>,
    /// Print the full report as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Write every loss exceedance curve as CSV (series, loss, exceedance_probability).
    #[arg(long, value_name = "FILE")]
    pub(crate) lec_csv: Option<PathBuf>,
    /// Draw the total loss exceedance curve, baseline vs interventions, as SVG.
    #[arg(long, value_name = "FILE")]
    pub(crate) lec_svg: Option<PathBuf>,
    /// Also simulate a portfolio of N organisations of one stakeholder (see
    /// --stakeholder) sharing solution providers, with and without that sharing.
    #[arg(long, value_name = "N")]
    pub(crate) portfolio: Option<u32>,
    /// Solution providers the portfolio's members share.
    #[arg(long, default_value_t = risk::DEFAULT_PROVIDERS, value_name = "K")]
    pub(crate) providers: u32,
    /// Zipf exponent of the providers' market shares (0 = equal shares).
    #[arg(
        long,
        default_value_t = risk::DEFAULT_CONCENTRATION,
        value_name = "S",
        allow_negative_numbers = true
    )]
    pub(crate) concentration: f64,
    /// Simulated years of the portfolio run (default 10,000).
    #[arg(long, value_name = "N")]
    pub(crate) portfolio_iterations: Option<u64>,
    /// Rank every support item by risk reduced (delta ALE, delta p95) per euro
    /// of annual cost, on common random numbers.
    #[arg(long)]
    pub(crate) compare: bool,
    /// Annual budget for combinations of support items (implies --compare).
    #[arg(long, value_name = "EUR", allow_negative_numbers = true)]
    pub(crate) budget: Option<f64>,
    /// Only these scenarios: `threat/vulnerability/stakeholder`, `threat/vulnerability`
    /// or `threat` (repeatable, or comma-separated).
    #[arg(long = "scenario", value_name = "ID", value_delimiter = ',')]
    pub(crate) scenarios: Vec<String>,
    /// Only scenarios targeting this stakeholder id (one organisation's view);
    /// also the members of --portfolio (default: the healthcare organisations).
    #[arg(long, value_name = "ID")]
    pub(crate) stakeholder: Option<String>,
    /// Also simulate these support items applied together (repeatable, or comma-separated).
    #[arg(long = "with", value_name = "SUPPORT", value_delimiter = ',')]
    pub(crate) with: Vec<String>,
    /// Sample Beta-PERT with rand_distr's Beta sampler instead of the 4,096-interval table.
    #[arg(long)]
    pub(crate) exact_pert: bool,
    /// Scenarios listed in the human table (largest ALE first).
    #[arg(long, default_value_t = 15, value_name = "N")]
    pub(crate) top: usize,
}

impl Args {
    fn request(&self) -> RiskRequest {
        RiskRequest {
            iterations: self.iterations,
            seed: self.seed,
            scenarios: self.scenarios.clone(),
            stakeholder: self.stakeholder.clone(),
            with: self.with.clone(),
            compare: self.compare,
            budget: self.budget,
            exact_pert: self.exact_pert,
            portfolio: self.portfolio.map(|organisations| PortfolioRequest {
                organisations,
                providers: self.providers,
                concentration: self.concentration,
                iterations: self.portfolio_iterations,
            }),
        }
    }
}

/// A run estimated to take this long or more is announced before it starts.
const LONG_RUN_SECONDS: f64 = 10.0;

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    crate::paths::check_outputs(
        &[
            ("--lec-svg", args.lec_svg.as_deref()),
            ("--lec-csv", args.lec_csv.as_deref()),
        ],
        &[("model", args.model.as_deref())],
    )?;
    let request = args.request();
    // Flags are checked before the model is read: a typo fails in a millisecond.
    request.check().map_err(input::api_error)?;
    if let Some(t) = args.threads
        && (t == 0 || t > 1024)
    {
        return Err(crate::error::invalid(format!(
            "--threads {t}: expected 1 to 1024"
        )));
    }
    let eco = input::load_model(args.model.as_deref())?.ecosystem;
    let pool = crate::threads::worker_pool(args.threads)?;
    // Long runs say what they will cost before they start.
    let estimate = risk::estimate(&eco, &request).map_err(input::api_error)?;
    let seconds = estimate.seconds(pool.current_num_threads());
    if seconds >= LONG_RUN_SECONDS && !estimate.refused {
        eprintln!(
            "holisec risk: about {} on {} threads ({} simulated years, about {:.1e} loss events)",
            crate::progress::duration(seconds),
            pool.current_num_threads(),
            thousands(request.iterations as f64),
            estimate.loss_events + estimate.portfolio_draws
        );
    }
    let bar = crate::progress::Bar::new(seconds >= 2.0 || request.portfolio.is_some());
    let started = std::time::Instant::now();
    let outcome = pool
        .install(|| risk::run(&eco, &request, &bar))
        .map_err(input::api_error)?;
    let elapsed = started.elapsed();
    if let Some(path) = &args.lec_csv {
        write_text(
            Some(path),
            &risk::lec_csv(&outcome),
            "CSV loss exceedance curves",
        )?;
    }
    if let Some(path) = &args.lec_svg {
        write_text(
            Some(path),
            &risk::lec_svg(&outcome),
            "SVG loss exceedance chart",
        )?;
    }
    // Timing goes to a terminal's stderr only: stdout stays byte-identical for a seed.
    if std::io::stderr().is_terminal() {
        eprintln!(
            "holisec risk: {} simulated years in {:.2} s on {} threads",
            thousands(args.iterations as f64),
            elapsed.as_secs_f64(),
            pool.current_num_threads()
        );
    }
    if args.json {
        return print_json(&outcome);
    }
    print_report(&report::human(&outcome, args.top))
}
