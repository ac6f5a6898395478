//! `holisec show`: a human summary of a model (or the whole model as JSON).

use std::fmt::Write;
use std::path::PathBuf;

use holisec_model::{Domain, Ecosystem, Motivation, RelationLevel, SupportKind};

use crate::error::CliResult;
use crate::input::load_model;
use crate::table::{Table, thousands};

/// Summarise a model: stakeholders with populations, factors per domain, threats, support, relations.
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Print the whole validated model as JSON (ids resolved to indices and ids).
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let eco = load_model(args.model.as_deref())?.ecosystem;
    if args.json {
        return crate::output::print_json(&eco);
    }
    crate::output::print_report(&summary(&eco))
}

fn summary(eco: &Ecosystem) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}, amounts in {})",
        eco.meta.name, eco.meta.region, eco.meta.currency
    );
    if let Some(d) = &eco.meta.description {
        let _ = writeln!(out, "{}", d.trim());
    }
    let _ = writeln!(out, "\nStakeholders ({})", eco.stakeholders.len());
    let mut t = Table::new(&[
        "id",
        "kind",
        ">population",
        "unit",
        ">factors",
        ">relations",
    ]);
    for (i, s) in eco.stakeholders.iter().enumerate() {
        let factors = eco
            .vulnerabilities
            .iter()
            .filter(|v| v.stakeholder.index() == i)
            .count();
        let relations = eco
            .relations
            .iter()
            .filter(|r| r.from.index() == i || r.to.index() == i)
            .count();
        let (population, unit) = match &s.population {
            Some(p) => (
                format!(
                    "{}{}",
                    if p.at_least { ">" } else { "" },
                    thousands(p.value)
                ),
                p.unit.clone(),
            ),
            None => (String::new(), String::new()),
        };
        t.row(vec![
            s.id.clone(),
            s.kind.to_string(),
            population,
            unit,
            factors.to_string(),
            relations.to_string(),
        ]);
    }
    out.push_str(&t.render());

    let _ = writeln!(
        out,
        "\nVulnerability factors by domain ({})",
        eco.vulnerabilities.len()
    );
    let mut t = Table::new(&["domain", ">factors", "examples"]);
    for &domain in Domain::ALL {
        let names: Vec<&str> = eco
            .vulnerabilities
            .iter()
            .filter(|v| v.domain == domain)
            .map(|v| v.id.as_str())
            .collect();
        let mut examples = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
        if names.len() > 3 {
            examples.push_str(", ...");
        }
        t.row(vec![domain.to_string(), names.len().to_string(), examples]);
    }
    out.push_str(&t.render());

    let _ = writeln!(
        out,
        "\nThreats ({}) and their scenarios ({})",
        eco.threats.len(),
        eco.scenarios().len()
    );
    let mut t = Table::new(&[
        "motivation",
        "threat",
        ">targets",
        ">exploits",
        "frequency /yr",
        "primary loss",
    ]);
    for &m in Motivation::ALL {
        for th in eco.threats.iter().filter(|t| t.motivation == m) {
            t.row(vec![
                m.to_string(),
                th.id.clone(),
                th.targets.len().to_string(),
                th.exploits.len().to_string(),
                th.frequency.describe(),
                th.primary_loss.describe(),
            ]);
        }
    }
    out.push_str(&t.render());

    let _ = writeln!(out, "\nSupport ({})", eco.supports.len());
    let mut t = Table::new(&["kind", "support", "provider", "effect", ">annual cost"]);
    for &k in SupportKind::ALL {
        for s in eco.supports.iter().filter(|s| s.kind == k) {
            t.row(vec![
                k.to_string(),
                s.id.clone(),
                eco.stakeholder(s.provider).id.clone(),
                format!("{} {}", s.effect.on, s.effect.change),
                thousands(s.annual_cost),
            ]);
        }
    }
    out.push_str(&t.render());

    let first = eco
        .relations
        .iter()
        .filter(|r| r.level == RelationLevel::First)
        .count();
    let _ = writeln!(
        out,
        "\nRelations: {} first level (solid), {} second level (dashed)",
        first,
        eco.relations.len() - first
    );
    out
}
