//! `holisec sweep`: parameter sweeps of the simulator.
//!
//! The sweep file is checked here, through `holisec_api::sweep`, so a typo is
//! reported at once with its line and column. Running the points and reading
//! the results is the Python package's `holisec.sweep` (Parquet through
//! pyarrow, optionally a Dask cluster; ARCHITECTURE.md says why): this command
//! hands the same arguments to `python3 -m holisec.sweep`, found as
//! `$HOLISEC_PYTHON` or `python3` on PATH, and returns its exit status.

use std::path::PathBuf;
use std::process::Command;

use clap::Subcommand;
use holisec_api::sweep::MAX_SWEEP_BYTES;
use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::input;
use crate::output::{print_json, print_report};

/// Parameter sweeps: run a sweep file's points (on all cores or a Dask
/// cluster) into Parquet, then rank the parameters by their effect
/// (Morris or Sobol indices). Needs the Python package (`pip install ./python`).
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<SweepCommand>,
    /// The sweep file (TOML; docs/python.md), to run.
    sweep: Option<PathBuf>,
    /// Output folder: created, or resumed when it holds this sweep's results.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Points run at once on this machine (default: all cores).
    #[arg(long)]
    workers: Option<u32>,
    /// Address of a Dask scheduler to run the points on, e.g. tcp://10.0.0.5:8786.
    #[arg(long)]
    scheduler: Option<String>,
}

#[derive(Subcommand)]
enum SweepCommand {
    /// Check a sweep file and say what it would run, without running it.
    Check {
        /// The sweep file.
        sweep: PathBuf,
        /// Print the sweep and its design as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sensitivity indices of a finished sweep: a table, analysis.json and
    /// one tornado chart (SVG) per output in the folder.
    Analyze {
        /// The output folder of the run.
        out: PathBuf,
        /// An outcome to analyse (repeatable; default: the sweep's outputs).
        #[arg(long)]
        output: Vec<String>,
        /// Print the indices as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct CheckReport<'a> {
    sweep: &'a holisec_sweep::Sweep,
    points: usize,
    runs: u64,
}

fn check(path: &std::path::Path) -> CliResult<holisec_sweep::Sweep> {
    let source = input::read_source(path, MAX_SWEEP_BYTES, "sweep file")?;
    Ok(input::usable(
        holisec_api::sweep::load(source).map_err(input::rejected)?,
    ))
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    match args.command {
        Some(SweepCommand::Check { sweep, json }) => {
            let s = check(&sweep)?;
            let design = holisec_api::sweep::design(&s);
            let report = CheckReport {
                sweep: &s,
                points: design.points.len(),
                runs: design.points.len() as u64 * s.replicates,
            };
            if json {
                return print_json(&report);
            }
            print_report(&format!(
                "`{}` is valid: {} design over {} parameters, {} points x {} replicates = {} simulations; outputs {}\n",
                sweep.display(),
                serde_json::to_value(s.design)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                s.factors.len(),
                holisec_api::thousands(report.points as f64),
                s.replicates,
                holisec_api::thousands(report.runs as f64),
                s.outputs.join(", ")
            ))
        }
        Some(SweepCommand::Analyze { out, output, json }) => {
            let mut py: Vec<String> = vec!["analyze".into(), out.display().to_string()];
            for o in output {
                py.extend(["--output".into(), o]);
            }
            if json {
                py.push("--json".into());
            }
            python(&py)
        }
        None => {
            let Some(sweep) = args.sweep else {
                return Err(crate::error::invalid(
                    "expected a sweep file to run, `check SWEEP` or `analyze DIR` (see `holisec sweep --help`)",
                ));
            };
            let Some(out) = args.out else {
                return Err(crate::error::invalid(
                    "--out: expected the output folder of the sweep",
                ));
            };
            if args.workers == Some(0) {
                return Err(crate::error::invalid("--workers 0: expected 1 or more"));
            }
            check(&sweep)?;
            let mut py: Vec<String> = vec![
                "run".into(),
                sweep.display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ];
            if let Some(w) = args.workers {
                py.extend(["--workers".into(), w.to_string()]);
            }
            if let Some(s) = args.scheduler {
                py.extend(["--scheduler".into(), s]);
            }
            python(&py)
        }
    }
}

/// Runs `python3 -m holisec.sweep ARGS`, passing its exit status on.
fn python(args: &[String]) -> CliResult {
    let exe = std::env::var_os("HOLISEC_PYTHON").unwrap_or_else(|| "python3".into());
    let status = Command::new(&exe)
        .args(["-m", "holisec.sweep"])
        .args(args)
        .status()
        .map_err(|e| {
            CliError::Failed(anyhow::anyhow!(
                "cannot start {}: {e}; `holisec sweep` runs through the Python package (pip install ./python, docs/python.md), set HOLISEC_PYTHON to its interpreter",
                exe.to_string_lossy()
            ))
        })?;
    match status.code() {
        Some(0) => Ok(()),
        Some(1) if !python_has_package(&exe) => Err(CliError::Failed(anyhow::anyhow!(
            "{} has no `holisec` package: `holisec sweep` runs through it (pip install ./python, docs/python.md); set HOLISEC_PYTHON to the interpreter that has it",
            exe.to_string_lossy()
        ))),
        Some(code) => Err(CliError::Reported(u8::try_from(code).unwrap_or(1))),
        None => Err(CliError::Failed(anyhow::anyhow!(
            "python -m holisec.sweep was stopped by a signal"
        ))),
    }
}

fn python_has_package(exe: &std::ffi::OsStr) -> bool {
    Command::new(exe)
        .args(["-c", "import holisec.sweep"])
        .output()
        .is_ok_and(|o| o.status.success())
}
