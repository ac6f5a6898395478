//! `holisec`: the command-line shell over the holisec libraries.
//!
//! Each subcommand lives in its own module under `commands/` and does three
//! things only: read its flags and files, call the library API
//! (`holisec-api`, or an engine crate for what only the CLI offers), and
//! present the result (human table, `--json`, or files the user named).
//! Option ranges, presets, checks and modelling decisions live in the
//! libraries, so the server and the Python package get the same answers.

mod commands;
mod error;
mod input;
mod output;
mod paths;
mod progress;
mod table;
mod terminal;
mod threads;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Holistic healthcare cybersecurity ecosystem: model, render, analyse,
/// quantify risk in euros, simulate attacks, assess a hospital, exchange data.
///
/// Every command takes an optional model file and falls back to the built-in
/// European model. Exit status: 0 success, 1 failure, 2 invalid input.
#[derive(Parser)]
#[command(name = "holisec", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Show every warning (by default: the first three and a count).
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    /// Never narrow tables to the terminal's width.
    #[arg(long, global = true)]
    wide: bool,
}

#[derive(Subcommand)]
enum Command {
    Init(commands::init::Args),
    Validate(commands::validate::Args),
    Show(commands::show::Args),
    Render(commands::render::Args),
    Analyze(commands::analyze::Args),
    Risk(commands::risk::Args),
    Evidence(commands::evidence::Args),
    Export(commands::exchange::ExportArgs),
    Import(commands::exchange::ImportArgs),
    Schema(commands::schema::Args),
    Simulate(commands::simulate::Args),
    Report(commands::report::Args),
    Sweep(commands::sweep::Args),
    Assess(commands::assess::Args),
    Db(commands::db::Args),
    Admin(commands::admin::Args),
    Serve(commands::serve::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout with success, usage errors with status 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    ui::set(cli.verbose, cli.wide);
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Render(args) => commands::render::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Risk(args) => commands::risk::run(args),
        Command::Evidence(args) => commands::evidence::run(args),
        Command::Export(args) => commands::exchange::run_export(args),
        Command::Import(args) => commands::exchange::run_import(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Sweep(args) => commands::sweep::run(args),
        Command::Assess(args) => commands::assess::run(args),
        Command::Db(args) => commands::db::run(args),
        Command::Admin(args) => commands::admin::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => err.report(),
    }
}
