//! `holisec evidence summary`: incidents counted by year, motivation, domain,
//! action, asset, attribute, stakeholder and country.

use holisec_exchange::summary::{self, Filter, Summary, Table as CountTable};
use serde::Serialize;

use super::SummaryArgs;
use super::read::{JsonProblem, json_problems, read_evidence, report_problems, require_incidents};
use crate::error::CliResult;
use crate::table::Table;

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: &'a [String],
    #[serde(flatten)]
    summary: &'a Summary,
    problems: Vec<JsonProblem<'a>>,
}

/// Runs `holisec evidence summary`.
pub(crate) fn run(args: SummaryArgs) -> CliResult {
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
    crate::output::print_report(&render_summary(&summary, args.top))
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn render_table(title: &str, table: &CountTable, top: usize) -> String {
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
        out.push_str(&render_table(title, table, *n));
    }
    out
}
