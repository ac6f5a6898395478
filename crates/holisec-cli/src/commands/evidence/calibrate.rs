//! `holisec evidence calibrate`: a model whose threat mix comes from the evidence.

use std::path::Path;

use anyhow::Context;
use holisec_exchange::calibrate::{self, CalibrateOptions};
use holisec_exchange::summary::Filter;
use serde::Serialize;

use super::CalibrateArgs;
use super::read::{extension, read_evidence, report_problems, require_incidents};
use super::summary::percent;
use crate::error::{CliError, CliResult, invalid};
use crate::input;
use crate::table::Table;

/// Runs `holisec evidence calibrate`.
pub(crate) fn run(args: CalibrateArgs) -> CliResult {
    let mut inputs = args.inputs.clone();
    let model_path = if extension(&inputs[0]).as_deref() == Some("toml") {
        Some(inputs.remove(0))
    } else {
        None
    };
    if inputs.is_empty() {
        return Err(invalid(
            "no VERIS file given after the model; expected `[MODEL.toml] FILE...`",
        ));
    }
    let members: Vec<std::path::PathBuf> = inputs
        .iter()
        .flat_map(|p| crate::paths::directory_members(p, &["json", "jsonl", "ndjson"]))
        .collect();
    let mut read: Vec<(&str, Option<&Path>)> = vec![("model", model_path.as_deref())];
    read.extend(
        inputs
            .iter()
            .chain(&members)
            .map(|p| ("VERIS evidence", Some(p.as_path()))),
    );
    crate::paths::check_outputs(&[("-o", Some(&args.output))], &read)?;
    let model = input::load_model(model_path.as_deref())?;
    let model_name = model_path
        .as_ref()
        .map_or(holisec_api::model::BUILTIN_NAME.to_owned(), |p| {
            p.display().to_string()
        });
    let (file, eco) = (&model.file, &model.ecosystem);
    let loaded = read_evidence(&inputs, &args.read)?;
    report_problems(&loaded, args.read.drop_invalid, true);
    require_incidents(&loaded)?;
    let options = CalibrateOptions {
        filter: Filter {
            since: args.read.since,
        },
        prior: args.prior,
        min_incidents: args.min_incidents,
        sources: loaded
            .names
            .iter()
            .map(|n| {
                Path::new(n)
                    .file_name()
                    .map_or(n.clone(), |f| f.to_string_lossy().into_owned())
            })
            .collect(),
    };
    let result = calibrate::calibrate(file, eco, &loaded.evidence, &options).map_err(invalid)?;
    let text = holisec_exchange::model_to_toml(&result.file)
        .context("cannot write the calibrated model as TOML")?;
    // File names may hold newlines: escaped, they cannot end the comment.
    let header = format!(
        "# Calibrated by `holisec evidence calibrate` from {}.\n# Threat mix from the evidence, absolute level from `{}`; see the `source` fields.\n\n",
        crate::terminal::line(&options.sources.join(", ")),
        crate::terminal::line(&model_name)
    );
    // The written model must load back cleanly; anything else is a bug worth stopping for.
    let check = holisec_model::load_str(&text);
    if check.has_errors() {
        return Err(CliError::Failed(anyhow::anyhow!(
            "the calibrated model does not validate: {}",
            check
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    crate::output::write_text(
        Some(&args.output),
        &format!("{header}{text}"),
        "calibrated model",
    )?;
    if args.json {
        #[derive(Serialize)]
        struct Report<'a> {
            model: &'a str,
            output: String,
            incidents: usize,
            source: &'a str,
            targets: &'a [calibrate::TargetReport],
        }
        return crate::output::print_json(&Report {
            model: &model_name,
            output: args.output.display().to_string(),
            incidents: result.incidents,
            source: &result.source,
            targets: &result.targets,
        });
    }
    let mut t = Table::new(&[
        "stakeholder",
        "kind",
        ">incidents",
        ">TEF/yr",
        "motivation",
        ">before",
        ">after",
    ]);
    for target in &result.targets {
        for (i, share) in target.shares.iter().enumerate() {
            let first = i == 0;
            t.row(vec![
                if first {
                    target.stakeholder.clone()
                } else {
                    String::new()
                },
                if first {
                    target.kind.to_string()
                } else {
                    String::new()
                },
                if first {
                    target.incidents.to_string()
                } else {
                    String::new()
                },
                if first {
                    format!("{:.3}", target.level)
                } else {
                    String::new()
                },
                share.motivation.to_string(),
                percent(share.before),
                percent(share.after),
            ]);
        }
    }
    let mut out = t.render();
    for target in result.targets.iter().filter(|t| !t.calibrated) {
        if let Some(reason) = &target.reason {
            out.push_str(&format!("kept {}: {reason}\n", target.stakeholder));
        }
    }
    out.push_str(&format!("calibrated from {} incidents\n", result.incidents));
    crate::output::print_report(&out)
}
