//! `holisec analyze`: centrality, reach, attack paths and exposed domains.

use std::fmt::Write;
use std::path::PathBuf;

use holisec_analysis::{Analysis, AnalysisOptions, analyze};
use holisec_model::RelationLevel;

use crate::error::{CliResult, invalid};
use crate::input::load_model;
use crate::table::Table;

/// Analyse the relation graph: who is central, what a compromise reaches within
/// one and two levels, the attack paths of each motivation, the exposed domains.
///
/// Path score = mean TEF x mean TCap x (1 - mean RS) x product of the weights of
/// the relations followed (first level: strength, second level: half of it).
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Attack paths to list per motivation.
    #[arg(long, default_value_t = 5)]
    paths: usize,
    /// Relations a path may follow after its entry stakeholder (0 to 4).
    #[arg(long, default_value_t = 2)]
    hops: usize,
    /// Print the full analysis as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    if args.hops > 4 {
        return Err(invalid(format!(
            "--hops {} is too many: expected 0 to 4",
            args.hops
        )));
    }
    let eco = load_model(args.model.as_deref())?.ecosystem;
    let analysis = analyze(
        &eco,
        AnalysisOptions {
            paths_per_motivation: args.paths,
            max_onward_hops: args.hops,
        },
    );
    if args.json {
        return crate::output::print_json(&analysis);
    }
    crate::output::print_report(&human(&analysis))
}

fn human(a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Centrality (influence = weighted PageRank over relation strengths)"
    );
    let mut t = Table::new(&[
        "stakeholder",
        ">out",
        ">in",
        ">weighted degree",
        ">betweenness",
        ">influence",
    ]);
    for c in &a.centrality {
        t.row(vec![
            c.id.clone(),
            c.out_degree.to_string(),
            c.in_degree.to_string(),
            format!("{:.2}", c.weighted_degree),
            format!("{:.3}", c.betweenness),
            format!("{:.3}", c.influence),
        ]);
    }
    out.push_str(&t.render());
    if !a.articulation_points.is_empty() {
        let _ = writeln!(
            out,
            "Single points of failure (removing one disconnects the graph): {}",
            a.articulation_points.join(", ")
        );
    }

    let _ = writeln!(out, "\nReach of a compromise");
    let mut t = Table::new(&["stakeholder", ">1 level", ">2 levels", "within one level"]);
    for r in &a.reach {
        t.row(vec![
            r.id.clone(),
            // The counts, not the lists' lengths: lists are capped on large models.
            r.one_level_count.to_string(),
            r.two_levels_count.to_string(),
            r.within_one_level.join(", "),
        ]);
    }
    out.push_str(&t.render());

    let _ = writeln!(
        out,
        "\nAttack paths by motivation (-> first level, ~> second level; * = a target)"
    );
    for m in &a.attack_paths {
        let _ = writeln!(out, "{} ({} paths)", m.motivation, m.total_paths);
        for p in &m.paths {
            let mut route = String::new();
            for (i, step) in p.steps.iter().enumerate() {
                if i > 0 {
                    route.push_str(match step.level {
                        Some(RelationLevel::Second) => " ~> ",
                        _ => " -> ",
                    });
                }
                route.push_str(&step.stakeholder);
            }
            let _ = writeln!(
                out,
                "  {:>8.3}  {} via {} [{}]: {}{}",
                p.score,
                p.threat,
                p.vulnerability,
                p.domain,
                route,
                if p.reaches_target { " *" } else { "" }
            );
        }
    }

    let _ = writeln!(out, "\nDomains ranked by attack paths crossing them");
    let mut t = Table::new(&["domain", ">paths", ">total score", ">exploited factors"]);
    for d in &a.domains {
        t.row(vec![
            d.domain.to_string(),
            d.paths.to_string(),
            format!("{:.2}", d.total_score),
            d.exploited_factors.to_string(),
        ]);
    }
    out.push_str(&t.render());
    if !a.accuracy.notes.is_empty() {
        let _ = writeln!(out, "\nAccuracy");
        for note in &a.accuracy.notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    out
}
