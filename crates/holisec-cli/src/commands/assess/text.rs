//! The tables `holisec assess` prints for people.

use holisec_api::assess::{AssessmentView, HistoryRow, PlanOutcome};
use holisec_assess::scoring::Scores;
use holisec_store::Assessment;

use crate::table::{Table, signed_thousands, thousands as money, wrap};

/// `assess show`.
pub(super) fn show(v: &AssessmentView) -> String {
    let a = &v.assessment;
    let mut out = format!(
        "assessment {} of `{}` (version {}, created {}, questionnaire {} {}): {}/{} items answered\n\n",
        a.id,
        a.organisation,
        a.version,
        a.created_at,
        a.questionnaire,
        a.questionnaire_version,
        v.answers.len(),
        v.items
    );
    let mut t = Table::new(&["item", "?domain", "title", ">level", "?meaning", "evidence"]);
    for x in &v.answers {
        t.row(vec![
            x.answer.item.clone(),
            x.domain.clone().unwrap_or_default(),
            x.title
                .clone()
                .unwrap_or_else(|| "(not in this questionnaire)".into()),
            x.answer.level.to_string(),
            x.meaning.clone().unwrap_or_default(),
            x.answer.evidence.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&t.render());
    out
}

/// `assess score`.
pub(super) fn score(a: &Assessment, s: &Scores) -> String {
    let mut out = format!(
        "maturity of `{}` (assessment {}, version {}), 0..4 weighted by item:\n\n",
        a.organisation, a.id, a.version
    );
    let mut t = Table::new(&["domain", ">score", ">percent", ">answered", "?bar"]);
    for d in s.domains.iter().chain(std::iter::once(&s.overall)) {
        t.row(vec![
            d.domain
                .map(|d| d.as_str().to_owned())
                .unwrap_or_else(|| "overall".into()),
            format!("{:.2}", d.score),
            format!("{:.0}%", d.percent),
            format!("{}/{}", d.answered, d.items),
            "#".repeat((d.percent / 5.0).round() as usize),
        ]);
    }
    out.push_str(&t.render());
    if s.overall.answered < s.overall.items {
        out.push_str(&format!(
            "\n{} of {} items unanswered count as level 0\n",
            s.overall.items - s.overall.answered,
            s.overall.items
        ));
    }
    out
}

/// `assess plan`: the risk, the recommended steps first, then what the
/// recommendation adds up to and on what it rests.
pub(super) fn plan(o: &PlanOutcome, top: usize) -> String {
    let p = &o.plan;
    let mut out = format!(
        "Risk of `{}` (assessment {}, one `{}` organisation; {} simulated years, seed {}{}):\n  \
         ALE {} EUR a year (closed form {}), p95 {} EUR, p99 {} EUR\n\n",
        o.organisation,
        o.assessment,
        p.stakeholder,
        money(p.iterations as f64),
        p.seed,
        if o.reused { ", stored run reused" } else { "" },
        money(p.baseline.ale),
        money(p.baseline.expected),
        money(p.baseline.p95),
        money(p.baseline.p99),
    );
    let value = p.value_per_euro_avoided;
    let rule = if (value - 1.0).abs() < 1e-12 {
        "a step is recommended when the expected annual loss it avoids exceeds its annual cost"
            .to_owned()
    } else {
        format!(
            "a step is recommended when the expected annual loss it avoids, valued at {value} EUR per euro, exceeds its annual cost"
        )
    };
    out.push_str(&wrap(
        &format!("Next steps by net benefit ({rule}; --value-per-euro changes the valuation):"),
        0,
    ));
    out.push_str("\n\n");
    let mut t = Table::new(&[
        ">#",
        "item",
        "?title",
        "step",
        ">cost/yr",
        ">loss avoided/yr",
        ">net/yr",
        "?>per EUR",
        "?>delta p95",
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
            signed_thousands(x.net_benefit),
            if x.per_euro.is_finite() {
                format!("{:.2}", x.per_euro)
            } else {
                "free".into()
            },
            money(x.delta_p95),
            take(x),
        ]);
    }
    out.push_str(&t.render());
    if p.actions.len() > top {
        out.push_str(&format!(
            "({} more; --top N or --json for all)\n",
            p.actions.len() - top
        ));
    }
    out.push('\n');
    out.push_str(&wrap(&verdict(o), 2));
    out.push_str(&format!(
        "\n\nloss avoided = closed-form expected annual loss (no sampling noise); delta p95 from the same simulated years (common random numbers).\ninput hash {}\n",
        o.input_hash
    ));
    out
}

fn take(x: &holisec_assess::plan::Action) -> String {
    match (x.selected, x.net_benefit > 0.0) {
        (true, true) => "yes".into(),
        (true, false) => "budget".into(),
        (false, _) => String::new(),
    }
}

/// What the recommendation adds up to: the steps that pay for themselves,
/// then (with a budget) the steps that only fill it, kept apart.
fn verdict(o: &PlanOutcome) -> String {
    let p = &o.plan;
    let sum = |pays: bool| {
        p.actions
            .iter()
            .filter(|a| a.selected && a.pays_for_itself == pays)
            .fold((0usize, 0.0, 0.0), |(n, cost, avoided), a| {
                (n + 1, cost + a.cost, avoided + a.delta_expected)
            })
    };
    let (paying, cost, avoided) = sum(true);
    let (filling, fill_cost, fill_avoided) = sum(false);
    let budget = p
        .budget
        .map(|b| format!(" within the budget of {} EUR a year", money(b)))
        .unwrap_or_default();
    let mut out = if paying == 0 {
        format!(
            "No step pays for itself: none of the {} steps avoids more expected loss than it costs. Raise --value-per-euro to value avoided harm above its euros, or give --budget to spend anyway.",
            p.actions.len()
        )
    } else {
        format!(
            "Recommended{budget}: {paying} of {} steps that pay for themselves, {} EUR a year for about {} EUR a year less expected loss (net {} EUR; the sum of steps measured one at a time).",
            p.actions.len(),
            money(cost),
            money(avoided),
            signed_thousands(avoided * p.value_per_euro_avoided - cost),
        )
    };
    if filling > 0 {
        out.push_str(&format!(
            " The budget also takes {filling} steps that do not pay for themselves (take = budget): {} EUR a year for about {} EUR a year less expected loss.",
            money(fill_cost),
            money(fill_avoided)
        ));
    }
    out
}

/// `assess history`.
pub(super) fn history(name: &str, rows: &[HistoryRow]) -> String {
    let mut t = Table::new(&[
        ">version",
        "?>id",
        "created",
        ">answered",
        "?>people",
        "?>process",
        "?>technology",
        "?>data",
        "?>governance",
        ">overall",
        ">expected ALE (EUR)",
        ">change",
    ]);
    let mut prev: Option<f64> = None;
    for r in rows {
        let mut cells = vec![
            r.version.to_string(),
            r.id.to_string(),
            r.created_at.clone(),
            r.answered.to_string(),
        ];
        cells.extend(r.scores.domains.iter().map(|d| format!("{:.2}", d.score)));
        cells.push(format!("{:.2}", r.scores.overall.score));
        cells.push(money(r.expected_ale));
        cells.push(prev.map_or_else(|| "-".into(), |p| signed_thousands(r.expected_ale - p)));
        prev = Some(r.expected_ale);
        t.row(cells);
    }
    format!(
        "history of `{name}` (maturity 0..4; expected annual loss of one hospital, closed form):\n\n{}",
        t.render()
    )
}

/// `assess list`.
pub(super) fn list(list: &[Assessment]) -> String {
    let mut t = Table::new(&[
        ">id",
        "organisation",
        ">version",
        "created",
        "?questionnaire",
        ">answered",
    ]);
    for a in list {
        t.row(vec![
            a.id.to_string(),
            a.organisation.clone(),
            a.version.to_string(),
            a.created_at.clone(),
            format!("{} {}", a.questionnaire, a.questionnaire_version),
            a.answered.to_string(),
        ]);
    }
    t.render()
}
