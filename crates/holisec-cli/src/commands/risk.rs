//! `holisec risk`: Open FAIR Monte Carlo over the model's scenarios, portfolios
//! with shared suppliers, and interventions ranked per euro.

use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;

use holisec_model::{Ecosystem, StakeholderKind};
use holisec_risk::chart;
use holisec_risk::compare;
use holisec_risk::engine::{self, Intervention, MAX_ITERATIONS, RiskError, RiskModel, RunOptions};
use holisec_risk::portfolio::{self, MAX_ORGANISATIONS, PortfolioOptions};
use holisec_risk::report::{self, InterventionResult, RiskReport, Summary};
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;

use crate::error::{CliError, CliResult, invalid};
use crate::input::load_model;
use crate::table::{Table, thousands};

/// Default simulated years.
const DEFAULT_ITERATIONS: u64 = 1_000_000;
/// Largest number of loss events a run may draw (about a minute on 2 cores).
const MAX_LOSS_EVENTS: f64 = 5e9;
/// Default simulated years of a portfolio run (each year simulates every member).
const DEFAULT_PORTFOLIO_ITERATIONS: u64 = 10_000;

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
    model: Option<PathBuf>,
    /// Simulated years, 1 to 1,000,000,000.
    #[arg(long, short = 'n', default_value_t = DEFAULT_ITERATIONS, value_name = "N")]
    iterations: u64,
    /// Seed of the random streams.
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// Worker threads, 1 to 1024 (default: every core). Never changes the numbers.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Print the full report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Write every loss exceedance curve as CSV (series, loss, exceedance_probability).
    #[arg(long, value_name = "FILE")]
    lec_csv: Option<PathBuf>,
    /// Draw the total loss exceedance curve, baseline vs interventions, as SVG.
    #[arg(long, value_name = "FILE")]
    lec_svg: Option<PathBuf>,
    /// Also simulate a portfolio of N organisations of one stakeholder (see
    /// --stakeholder) sharing solution providers, with and without that sharing.
    #[arg(long, value_name = "N")]
    portfolio: Option<u32>,
    /// Solution providers the portfolio's members share.
    #[arg(long, default_value_t = 10, value_name = "K")]
    providers: u32,
    /// Zipf exponent of the providers' market shares (0 = equal shares).
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "S",
        allow_negative_numbers = true
    )]
    concentration: f64,
    /// Simulated years of the portfolio run (default 10,000).
    #[arg(long, value_name = "N")]
    portfolio_iterations: Option<u64>,
    /// Rank every support item by risk reduced (delta ALE, delta p95) per euro
    /// of annual cost, on common random numbers.
    #[arg(long)]
    compare: bool,
    /// Annual budget for combinations of support items (implies --compare).
    #[arg(long, value_name = "EUR", allow_negative_numbers = true)]
    budget: Option<f64>,
    /// Only these scenarios: `threat/vulnerability/stakeholder`, `threat/vulnerability`
    /// or `threat` (repeatable, or comma-separated).
    #[arg(long = "scenario", value_name = "ID", value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Only scenarios targeting this stakeholder id (one organisation's view);
    /// also the members of --portfolio (default: the healthcare organisations).
    #[arg(long, value_name = "ID")]
    stakeholder: Option<String>,
    /// Also simulate these support items applied together (repeatable, or comma-separated).
    #[arg(long = "with", value_name = "SUPPORT", value_delimiter = ',')]
    with: Vec<String>,
    /// Sample Beta-PERT with rand_distr's Beta sampler instead of the 4,096-interval table.
    #[arg(long)]
    exact_pert: bool,
    /// Scenarios listed in the human table (largest ALE first).
    #[arg(long, default_value_t = 15, value_name = "N")]
    top: usize,
}

fn check_flags(args: &Args) -> CliResult {
    if args.iterations == 0 || args.iterations > MAX_ITERATIONS {
        return Err(invalid(format!(
            "--iterations {}: expected 1 to {} simulated years",
            args.iterations,
            thousands(MAX_ITERATIONS as f64)
        )));
    }
    if let Some(n) = args.portfolio_iterations
        && (n == 0 || n > MAX_ITERATIONS)
    {
        return Err(invalid(format!(
            "--portfolio-iterations {n}: expected 1 to {}",
            thousands(MAX_ITERATIONS as f64)
        )));
    }
    if let Some(t) = args.threads
        && (t == 0 || t > 1024)
    {
        return Err(invalid(format!("--threads {t}: expected 1 to 1024")));
    }
    if let Some(n) = args.portfolio {
        if n == 0 || n > MAX_ORGANISATIONS {
            return Err(invalid(format!(
                "--portfolio {n}: expected 1 to {} organisations",
                thousands(MAX_ORGANISATIONS as f64)
            )));
        }
        if args.providers == 0 || args.providers > n {
            return Err(invalid(format!(
                "--providers {}: expected 1 to {n} (the portfolio's size)",
                args.providers
            )));
        }
    }
    if !(args.concentration.is_finite() && (0.0..=10.0).contains(&args.concentration)) {
        return Err(invalid(format!(
            "--concentration {}: expected a Zipf exponent from 0 to 10",
            args.concentration
        )));
    }
    if let Some(b) = args.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(invalid(format!(
            "--budget {b}: expected an amount of 0 or more"
        )));
    }
    Ok(())
}

fn risk_error(err: RiskError) -> CliError {
    invalid(err)
}

/// The default members of a portfolio: the first healthcare organisation
/// targeted by a scenario, else the first targeted stakeholder.
fn default_member(eco: &Ecosystem, model: &RiskModel) -> Option<String> {
    eco.stakeholders
        .iter()
        .filter(|s| s.kind == StakeholderKind::HealthcareOrganisation)
        .map(|s| s.id.clone())
        .find(|id| model.set.scenarios.iter().any(|s| &s.stakeholder == id))
        .or_else(|| model.set.scenarios.first().map(|s| s.stakeholder.clone()))
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    check_flags(&args)?;
    let eco = load_model(args.model.as_ref())?;
    let pool = crate::threads::worker_pool(args.threads)?;
    pool.install(|| run_in_pool(&args, &eco))
}

fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    // Only for runs long enough to notice, and only on a terminal.
    if !std::io::stderr().is_terminal() || total < 2_000_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {human_pos}/{human_len} years, {per_sec}, eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

fn run_in_pool(args: &Args, eco: &Ecosystem) -> CliResult {
    let mode = if args.exact_pert {
        SamplerMode::Exact
    } else {
        SamplerMode::Table
    };
    let selection = Selection {
        scenarios: args.scenarios.clone(),
        stakeholder: args.stakeholder.clone(),
    };
    let model = RiskModel::new(eco, &selection, mode).map_err(risk_error)?;
    // Every loss event is drawn: refuse runs that would take hours rather than hang.
    let per_year = model.expected_loss_events_per_year();
    if per_year * args.iterations as f64 > MAX_LOSS_EVENTS {
        return Err(invalid(format!(
            "{} simulated years would draw about {:.1e} loss events ({} a year on average; the limit is {:.0e} per run): lower --iterations to at most {}",
            thousands(args.iterations as f64),
            per_year * args.iterations as f64,
            thousands(per_year),
            MAX_LOSS_EVENTS,
            thousands((MAX_LOSS_EVENTS / per_year).floor().max(1.0))
        )));
    }
    let compare = args.compare || args.budget.is_some();

    // Interventions: every single support item (and combinations within the
    // budget), all items together, and the --with set.
    let plan = compare::plan(&model, eco, args.budget);
    let mut interventions: Vec<Intervention> = plan.interventions.clone();
    if eco.supports.len() > 1 {
        let all: Vec<_> = (0..eco.supports.len() as u32)
            .map(holisec_model::SupportIdx)
            .collect();
        let mut iv = model.intervention(eco, &all);
        iv.id = "all-support".into();
        interventions.push(iv);
    }
    let with_index = if args.with.is_empty() {
        None
    } else {
        let iv = model
            .intervention_by_ids(eco, &args.with)
            .map_err(|e| match e {
                RiskError::UnknownSupport(id) => invalid(format!(
                    "--with {id}: unknown support item; the model's support items are: {}",
                    eco.supports
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                other => risk_error(other),
            })?;
        interventions.push(iv);
        Some(interventions.len() - 1)
    };

    let options = RunOptions {
        iterations: args.iterations,
        seed: args.seed,
    };
    let started = std::time::Instant::now();
    let bar = progress_bar(args.iterations, "risk");
    let result =
        engine::run(&model, &interventions, &options, &|n| bar.inc(n)).map_err(risk_error)?;
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let mut rep = report::build(&model, &result, &interventions, args.stakeholder.clone());
    let ranking = compare::rank(&plan, &rep.interventions[..plan.interventions.len()]);
    if compare {
        rep.comparison = Some(ranking.clone());
    }

    if let Some(n) = args.portfolio {
        let member = match &args.stakeholder {
            Some(h) => h.clone(),
            None => default_member(eco, &model)
                .ok_or_else(|| invalid("no stakeholder to build a portfolio of"))?,
        };
        let pmodel = RiskModel::new(
            eco,
            &Selection {
                scenarios: args.scenarios.clone(),
                stakeholder: Some(member),
            },
            mode,
        )
        .map_err(risk_error)?;
        let popts = RunOptions {
            iterations: args
                .portfolio_iterations
                .unwrap_or(DEFAULT_PORTFOLIO_ITERATIONS),
            seed: args.seed,
        };
        // Work: every member draws every scenario and every loss event each year.
        let draws = (pmodel.expected_loss_events_per_year() + pmodel.len() as f64)
            * f64::from(n)
            * popts.iterations as f64;
        if draws > MAX_LOSS_EVENTS {
            return Err(invalid(format!(
                "a portfolio of {n} organisations over {} simulated years would make about {draws:.1e} scenario and loss-event draws (the limit is {MAX_LOSS_EVENTS:.0e}): lower --portfolio-iterations or --portfolio",
                thousands(popts.iterations as f64)
            )));
        }
        let bar = progress_bar(popts.iterations * u64::from(n), "portfolio");
        let p = portfolio::run(
            &pmodel,
            &PortfolioOptions {
                organisations: n,
                providers: args.providers,
                concentration: args.concentration,
            },
            &popts,
            &|k| bar.inc(k * u64::from(n)),
        )
        .map_err(risk_error)?;
        bar.finish_and_clear();
        rep.portfolio = Some(p);
    }

    if let Some(path) = &args.lec_csv {
        crate::output::write_text(Some(path), &chart::lec_csv(&rep))?;
    }
    if let Some(path) = &args.lec_svg {
        let mut drawn: Vec<&InterventionResult> = Vec::new();
        if let Some(i) = with_index {
            drawn.push(&rep.interventions[i]);
        }
        if let Some(all) = rep.interventions.iter().find(|i| i.id == "all-support") {
            drawn.push(all);
        }
        drawn.extend(ranking.combinations.iter().take(1).map(|r| &r.result));
        for r in &ranking.single_items {
            if drawn.len() >= 5 {
                break;
            }
            if r.result.delta_ale > 0.0 && !drawn.iter().any(|d| d.id == r.result.id) {
                drawn.push(&r.result);
            }
        }
        crate::output::write_text(Some(path), &chart::report_svg(&rep, &drawn))?;
    }
    // Timing goes to a terminal's stderr only: stdout stays byte-identical for a seed.
    if std::io::stderr().is_terminal() {
        eprintln!(
            "holisec risk: {} simulated years in {:.2} s on {} threads",
            thousands(args.iterations as f64),
            elapsed.as_secs_f64(),
            rayon::current_num_threads()
        );
    }
    if args.json {
        return crate::output::print_json(&rep);
    }
    crate::output::write_text(None, &human(&rep, args, with_index))
}

fn pct(p: f64) -> String {
    if p > 0.0 && p < 0.001 {
        "<0.1%".into()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

fn money(x: f64) -> String {
    thousands(x)
}

fn summary_table(title: &str, out: &mut String, rows: &[Summary]) {
    let _ = writeln!(out, "\n{title}");
    let mut t = Table::new(&["", ">ALE", ">P(loss event)", ">p50", ">p90", ">p95", ">p99"]);
    for s in rows {
        t.row(vec![
            s.id.clone(),
            money(s.ale),
            pct(s.probability_of_loss_event),
            money(s.percentiles.p50),
            money(s.percentiles.p90),
            money(s.percentiles.p95),
            money(s.percentiles.p99),
        ]);
    }
    out.push_str(&t.render());
}

fn human(rep: &RiskReport, args: &Args, with_index: Option<usize>) -> String {
    let mut out = String::new();
    let scope = match &rep.stakeholder {
        Some(h) => format!("one organisation of `{h}`"),
        None => "one organisation of each targeted stakeholder".into(),
    };
    let _ = writeln!(
        out,
        "Open FAIR Monte Carlo on {}: {} scenarios, {} simulated years, seed {}",
        rep.model,
        rep.scenarios_simulated,
        thousands(rep.engine.iterations as f64),
        rep.engine.seed
    );
    let t = &rep.total;
    let _ = writeln!(
        out,
        "Amounts in {} per year; total = {scope}.",
        rep.currency
    );
    let _ = writeln!(
        out,
        "\nTotal annual loss: ALE {} (standard error {}; closed form {}), P(at least one loss event) {}, {:.2} loss events a year",
        money(t.ale),
        money(t.ale_standard_error),
        money(rep.analytic_ale),
        pct(t.probability_of_loss_event),
        t.loss_events_per_year
    );
    let p = &t.percentiles;
    let _ = writeln!(
        out,
        "  p50 {}   p90 {}   p95 {}   p99 {}   p99.5 {}   p99.9 {}",
        money(p.p50),
        money(p.p90),
        money(p.p95),
        money(p.p99),
        money(p.p99_5),
        money(p.p99_9)
    );
    summary_table("By targeted stakeholder", &mut out, &rep.by_stakeholder);
    summary_table(
        "By domain of the exploited factor",
        &mut out,
        &rep.by_domain,
    );
    summary_table("By threat motivation", &mut out, &rep.by_motivation);

    let mut order: Vec<&report::ScenarioResult> = rep.scenarios.iter().collect();
    order.sort_by(|a, b| {
        b.summary
            .ale
            .total_cmp(&a.summary.ale)
            .then_with(|| a.summary.id.cmp(&b.summary.id))
    });
    let shown = order.len().min(args.top);
    let _ = writeln!(
        out,
        "\nScenarios by ALE ({shown} of {}{})",
        order.len(),
        if shown < order.len() {
            "; --top N for more, --json for all"
        } else {
            ""
        }
    );
    let mut table = Table::new(&[
        "threat/vulnerability/stakeholder",
        ">TEF/yr",
        ">V",
        ">LEF/yr",
        ">ALE",
        ">P(loss event)",
        ">p95",
        ">p99",
    ]);
    for s in order.iter().take(shown) {
        table.row(vec![
            s.summary.id.clone(),
            format!("{:.3}", s.threat_event_frequency),
            format!("{:.3}", s.vulnerability_probability),
            format!("{:.3}", s.summary.loss_events_per_year),
            money(s.summary.ale),
            pct(s.summary.probability_of_loss_event),
            money(s.summary.percentiles.p95),
            money(s.summary.percentiles.p99),
        ]);
    }
    out.push_str(&table.render());

    if let Some(i) = with_index {
        let iv = &rep.interventions[i];
        let _ = writeln!(
            out,
            "\nWith {} (annual cost {}): ALE {} (-{} ± {}), p95 {} (-{}), p99 {} (-{})",
            iv.id,
            money(iv.annual_cost),
            money(iv.total.ale),
            money(iv.delta_ale),
            money(2.0 * iv.delta_ale_standard_error),
            money(iv.total.percentiles.p95),
            money(iv.delta_p95),
            money(iv.total.percentiles.p99),
            money(iv.delta_p99)
        );
    }
    if let Some(c) = &rep.comparison {
        let _ = writeln!(
            out,
            "\nSupport items by ALE reduced per euro (same random numbers as the baseline; ± = 2 standard errors)"
        );
        let mut t = Table::new(&[
            "#",
            "support",
            ">cost/yr",
            ">delta ALE",
            ">±",
            ">per euro",
            ">delta p95",
            ">p95 per euro",
        ]);
        for r in &c.single_items {
            let x = &r.result;
            t.row(vec![
                r.rank.to_string(),
                x.id.clone(),
                money(x.annual_cost),
                money(x.delta_ale),
                money(2.0 * x.delta_ale_standard_error),
                x.delta_ale_per_euro
                    .map_or("free".into(), |v| format!("{v:.2}")),
                money(x.delta_p95),
                x.delta_p95_per_euro
                    .map_or("free".into(), |v| format!("{v:.2}")),
            ]);
        }
        out.push_str(&t.render());
        if let Some(b) = c.budget {
            let _ = writeln!(
                out,
                "\nBest combinations within a budget of {} a year ({})",
                money(b),
                c.combination_search
            );
            if c.combinations.is_empty() {
                let _ = writeln!(
                    out,
                    "  no combination of two or more support items fits the budget"
                );
            } else {
                let mut t = Table::new(&[
                    "#",
                    "support items",
                    ">cost/yr",
                    ">delta ALE",
                    ">±",
                    ">per euro",
                    ">delta p95",
                ]);
                for r in &c.combinations {
                    let x = &r.result;
                    t.row(vec![
                        r.rank.to_string(),
                        x.id.clone(),
                        money(x.annual_cost),
                        money(x.delta_ale),
                        money(2.0 * x.delta_ale_standard_error),
                        x.delta_ale_per_euro
                            .map_or("free".into(), |v| format!("{v:.2}")),
                        money(x.delta_p95),
                    ]);
                }
                out.push_str(&t.render());
            }
        }
    }
    if let Some(p) = &rep.portfolio {
        let _ = writeln!(
            out,
            "\nPortfolio: {} organisations of `{}`, {} simulated years",
            p.organisations,
            p.stakeholder,
            thousands(p.iterations as f64)
        );
        let _ = writeln!(out, "  Sharing: {}", p.sharing_structure);
        let _ = writeln!(
            out,
            "  Clients per provider: {}",
            p.providers
                .iter()
                .map(|s| s.clients.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            out,
            "  Shared-supplier scenarios: {}",
            if p.shared_supplier_scenarios.is_empty() {
                "none".into()
            } else {
                p.shared_supplier_scenarios.join(", ")
            }
        );
        let mut t = Table::new(&[
            "",
            ">ALE",
            ">p50",
            ">p95",
            ">p99",
            ">p99.5",
            ">members hit p99",
            ">max",
        ]);
        for (name, s, hit) in [
            ("independent", &p.independent, &p.members_hit_independent),
            (
                "shared suppliers",
                &p.shared_suppliers,
                &p.members_hit_shared,
            ),
        ] {
            t.row(vec![
                name.into(),
                money(s.ale),
                money(s.percentiles.p50),
                money(s.percentiles.p95),
                money(s.percentiles.p99),
                money(s.percentiles.p99_5),
                hit.p99.to_string(),
                hit.max.to_string(),
            ]);
        }
        out.push_str(&t.render());
        let _ = writeln!(
            out,
            "  Accumulation through shared suppliers: p99 x{:.2}, p99.5 x{:.2}",
            p.p99_ratio, p.p99_5_ratio
        );
    }
    let _ = writeln!(
        out,
        "\nPercentiles within {:.1}% (log histogram); PERT {}; --json for every figure and curve.",
        rep.engine.percentile_relative_accuracy * 100.0,
        match rep.engine.pert_sampler {
            SamplerMode::Table => "sampled from 4,096-interval quantile tables",
            SamplerMode::Exact => "sampled with rand_distr::Pert",
        }
    );
    out
}
