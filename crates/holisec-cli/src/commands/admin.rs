//! `holisec admin`: organisations and users of `holisec serve`, from the
//! command line (the first organisation and user are made here: there is no
//! default account and no default password).

use std::io::Read;
use std::path::PathBuf;

use crate::commands::assess::now;
use crate::commands::db::{Access, open};
use crate::error::{CliError, CliResult, invalid};
use crate::output::{print_json, print_report};

/// Organisations and users of `holisec serve`: create them, list them.
///
/// Start with `holisec admin create-org NAME --kind KIND`, then
/// `holisec admin create-user EMAIL --org NAME --role admin --password-stdin`
/// (the password is read from standard input). Same database as `holisec assess`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AdminCommand,
    /// Database file (default: $HOLISEC_DB, else $XDG_DATA_HOME/holisec/holisec.db,
    /// else ~/.local/share/holisec/holisec.db).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum AdminCommand {
    /// Create an organisation of one of the model's stakeholder kinds.
    CreateOrg {
        /// Its name (unique whatever its case).
        name: String,
        /// Its stakeholder kind, as in model files: healthcare-organisation,
        /// national-health-system, agency-institution, insurance-group,
        /// solution-provider, academia-trainer, ...
        #[arg(long)]
        kind: String,
    },
    /// Create a user of an organisation; the password is read from standard input.
    CreateUser {
        /// Email (the login; unique whatever its case).
        email: String,
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// admin (of that organisation), analyst or viewer.
        #[arg(long)]
        role: String,
        /// Read the password (8 to 128 characters) from standard input; one
        /// trailing line break is dropped.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Fill a NEW database with many organisations, assessments and answers
    /// of the built-in questionnaire, to measure the server at scale
    /// (`bench/server/run.sh`). Hidden: not for real data.
    #[command(hide = true)]
    SeedBench {
        /// Organisations (named bench-org-00001, ...).
        #[arg(long, default_value_t = 1000)]
        orgs: usize,
        /// Assessments, spread over the organisations.
        #[arg(long, default_value_t = 10_000)]
        assessments: usize,
        /// Answers, spread over the assessments.
        #[arg(long, default_value_t = 100_000)]
        answers: usize,
    },
    /// List organisations and users (never password hashes).
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Largest password input read from standard input, in bytes.
const MAX_PASSWORD_INPUT: u64 = 4096;

fn server_error(e: holisec_server::ServerError) -> CliError {
    if e.is_invalid_input() {
        CliError::Invalid(e.into())
    } else {
        CliError::Failed(e.into())
    }
}

fn read_password() -> CliResult<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_PASSWORD_INPUT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PASSWORD_INPUT {
        return Err(invalid(
            "the password on standard input is too long (at most 128 characters)",
        ));
    }
    let mut text = String::from_utf8(bytes)
        .map_err(|_| invalid("the password on standard input is not UTF-8 text"))?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err(invalid(
            "no password on standard input (e.g. `printf '%s' \"$PASSWORD\" | holisec admin create-user ... --password-stdin`)",
        ));
    }
    Ok(text)
}

#[derive(serde::Serialize)]
struct Listing {
    organisations: Vec<holisec_store::OrgRecord>,
    users: Vec<holisec_store::User>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let db = args.db.as_deref();
    match args.command {
        AdminCommand::CreateOrg { name, kind } => {
            // The kind is checked before a database is created.
            holisec_server::accounts::parse_kind(&kind).map_err(server_error)?;
            let mut store = open(db, Access::Create)?;
            let org = holisec_server::accounts::create_org(&mut store, &name, &kind, &now())
                .map_err(server_error)?;
            print_report(&format!(
                "created organisation `{}` ({}, id {})\n",
                crate::terminal::line(&org.name),
                org.kind,
                org.id
            ))
        }
        AdminCommand::CreateUser {
            email, org, role, ..
        } => {
            let password = read_password()?;
            let mut store = open(db, Access::Write)?;
            let user = holisec_server::accounts::create_user(
                &mut store,
                &email,
                &org,
                &role,
                &password,
                &now(),
            )
            .map_err(server_error)?;
            print_report(&format!(
                "created user {} ({} of `{}`, id {})\n",
                crate::terminal::line(&user.email),
                user.role,
                crate::terminal::line(&user.organisation),
                user.id
            ))
        }
        AdminCommand::SeedBench {
            orgs,
            assessments,
            answers,
        } => seed_bench(db, orgs, assessments, answers),
        AdminCommand::List { json } => {
            let store = open(db, Access::Read)?;
            let store_error = crate::commands::db::store_error;
            let listing = Listing {
                organisations: store.organisation_records().map_err(store_error)?,
                users: store.users().map_err(store_error)?,
            };
            if json {
                return print_json(&listing);
            }
            let mut out = String::new();
            out.push_str(&format!("{} organisations\n", listing.organisations.len()));
            for o in &listing.organisations {
                out.push_str(&format!(
                    "  {:>4}  {}  ({})\n",
                    o.id,
                    crate::terminal::line(&o.name),
                    o.kind
                ));
            }
            out.push_str(&format!("{} users\n", listing.users.len()));
            for u in &listing.users {
                out.push_str(&format!(
                    "  {:>4}  {}  {} of `{}`{}\n",
                    u.id,
                    crate::terminal::line(&u.email),
                    u.role,
                    crate::terminal::line(&u.organisation),
                    if u.disabled { "  (disabled)" } else { "" }
                ));
            }
            print_report(&out)
        }
    }
}

/// `holisec admin seed-bench`: one transaction into a new database.
fn seed_bench(
    db: Option<&std::path::Path>,
    organisations: usize,
    assessments: usize,
    answers: usize,
) -> CliResult {
    let eco = crate::input::load_model(None)?.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco).map_err(crate::input::rejected)?;
    let q = crate::input::usable(q);
    let items: Vec<&str> = q.items.iter().map(|i| i.id.as_str()).collect();
    let mut store = open(db, Access::Create)?;
    let start = std::time::Instant::now();
    store
        .seed_bench(&holisec_store::BenchSeed {
            organisations,
            assessments,
            answers,
            questionnaire: (&q.id, &q.version),
            items: &items,
            now: &now(),
        })
        .map_err(crate::commands::db::store_error)?;
    print_report(&format!(
        "seeded {organisations} organisations, {assessments} assessments, {answers} answers in {:.1} s\n",
        start.elapsed().as_secs_f64()
    ))
}
