//! `holisec risk`'s text report: the annual loss of one organisation of each
//! targeted stakeholder first (hospitals first), then what the total is, the
//! breakdowns, scenarios, interventions and the portfolio.

use std::fmt::Write;

use holisec_api::risk::RiskOutcome;
use holisec_risk::report::{self, RiskReport, Summary};
use holisec_risk::sampling::SamplerMode;

use crate::table::{Table, percent as pct, thousands};

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

/// The whole text report.
pub(super) fn human(outcome: &RiskOutcome, top: usize) -> String {
    let rep = &outcome.report;
    let mut out = headline(outcome);
    scenarios(&mut out, rep, top);
    interventions(&mut out, outcome);
    if let Some(p) = &rep.portfolio {
        super::portfolio::text(&mut out, p);
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

/// One organisation of each targeted stakeholder (hospitals first), then
/// the total and what it adds up.
fn headline(outcome: &RiskOutcome) -> String {
    let rep = &outcome.report;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Open FAIR Monte Carlo on {}: {}, {} simulated years, seed {}; amounts in {} a year",
        rep.model,
        holisec_api::count(rep.scenarios_simulated, "scenario"),
        thousands(rep.engine.iterations as f64),
        rep.engine.seed,
        rep.currency
    );
    let _ = writeln!(
        out,
        "\nAnnual loss of ONE organisation of each targeted stakeholder"
    );
    let mut t = Table::new(&[
        "stakeholder",
        "?kind",
        ">ALE",
        ">P(loss event)",
        "?>p50",
        ">p95",
        ">p99",
    ]);
    for r in &outcome.per_organisation {
        let s = &r.summary;
        t.row(vec![
            r.stakeholder.clone(),
            r.kind.as_str().to_owned(),
            money(s.ale),
            pct(s.probability_of_loss_event),
            money(s.percentiles.p50),
            money(s.percentiles.p95),
            money(s.percentiles.p99),
        ]);
    }
    out.push_str(&t.render());
    let t = &rep.total;
    let _ = writeln!(
        out,
        "\nTotal = {}: ALE {} (standard error {}; closed form {}), P(at least one loss event) {}, {:.2} loss events a year",
        outcome.total_scope,
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
    out
}

fn scenarios(out: &mut String, rep: &RiskReport, top: usize) {
    summary_table("By domain of the exploited factor", out, &rep.by_domain);
    summary_table("By threat motivation", out, &rep.by_motivation);

    let mut order: Vec<&report::ScenarioResult> = rep.scenarios.iter().collect();
    order.sort_by(|a, b| {
        b.summary
            .ale
            .total_cmp(&a.summary.ale)
            .then_with(|| a.summary.id.cmp(&b.summary.id))
    });
    let shown = order.len().min(top);
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
        "?>TEF/yr",
        "?>V",
        ">LEF/yr",
        ">ALE",
        "?>P(loss event)",
        ">p95",
        "?>p99",
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
}

fn interventions(out: &mut String, outcome: &RiskOutcome) {
    let rep = &outcome.report;
    if let Some(i) = outcome.with_index {
        let iv = &rep.interventions[i];
        let _ = writeln!(
            out,
            "\nWith {} (annual cost {}): ALE {} (-{} ± {}); p95 lower by {}, p99 lower by {} (paired, on the baseline's random numbers)",
            iv.id,
            money(iv.annual_cost),
            money(iv.total.ale),
            money(iv.delta_ale),
            money(2.0 * iv.delta_ale_standard_error),
            money(iv.delta_p95),
            money(iv.delta_p99)
        );
    }
    if let Some(c) = &rep.comparison {
        let _ = writeln!(
            out,
            "\nSupport items by ALE reduced per euro (same random numbers as the baseline; ± = 2 standard errors)"
        );
        out.push_str(&ranked_table("support", &c.single_items, true));
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
                out.push_str(&ranked_table("support items", &c.combinations, false));
            }
        }
    }
}

/// Ranked interventions: cost, delta ALE ± 2 standard errors, per euro, delta p95.
fn ranked_table(what: &str, rows: &[holisec_risk::compare::Ranked], p95_per_euro: bool) -> String {
    let per_euro = |v: Option<f64>| v.map_or("free".into(), |v| format!("{v:.2}"));
    let mut headers = vec![
        "#",
        what,
        ">cost/yr",
        ">delta ALE",
        ">±",
        ">per euro",
        ">delta p95",
    ];
    if p95_per_euro {
        headers.push("?>p95 per euro");
    }
    let mut t = Table::new(&headers);
    for r in rows {
        let x = &r.result;
        let mut cells = vec![
            r.rank.to_string(),
            x.id.clone(),
            money(x.annual_cost),
            money(x.delta_ale),
            money(2.0 * x.delta_ale_standard_error),
            per_euro(x.delta_ale_per_euro),
            money(x.delta_p95),
        ];
        if p95_per_euro {
            cells.push(per_euro(x.delta_p95_per_euro));
        }
        t.row(cells);
    }
    t.render()
}
