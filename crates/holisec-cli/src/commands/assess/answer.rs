//! `holisec assess answer`: answers from a file (all or nothing) or typed on
//! the terminal (each saved as soon as given, so a session can stop and resume).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use holisec_api::assess as api;
use holisec_assess::Questionnaire;
use holisec_assess::answers::MAX_ANSWER_FILE_BYTES;
use holisec_assess::questionnaire::MAX_LEVEL;
use holisec_store::Store;

use super::now;
use crate::error::{CliResult, invalid};
use crate::input;

/// Options of `holisec assess answer`.
#[derive(clap::Args)]
pub(super) struct AnswerArgs {
    /// Assessment ID.
    id: i64,
    /// Answers file: `.toml` with [[answer]] item/level/evidence (as `holisec
    /// assess template` writes it), or `.csv` with the header `item,level,evidence`.
    #[arg(long, conflicts_with = "interactive")]
    file: Option<PathBuf>,
    /// Ask item by item on the terminal; skips answered items; each answer is
    /// saved as soon as it is given (quit with `q` or end of input, resume later).
    #[arg(long)]
    interactive: bool,
}

/// Runs the subcommand.
pub(super) fn run(args: &AnswerArgs, store: &mut Store, q: &Questionnaire) -> CliResult {
    store
        .assessment(args.id)
        .map_err(crate::commands::db::store_error)?;
    match (&args.file, args.interactive) {
        (Some(path), _) => from_file(store, q, args.id, path),
        (None, true) => interactive(store, q, args.id),
        (None, false) => Err(invalid("give --file FILE or --interactive")),
    }
}

fn from_file(store: &mut Store, q: &Questionnaire, id: i64, path: &std::path::Path) -> CliResult {
    let source = input::read_source(path, MAX_ANSWER_FILE_BYTES, "answer file")?;
    let file = input::usable(api::read_answers(q, source).map_err(|r| {
        let reported = input::rejected(r);
        eprintln!("nothing was stored");
        reported
    })?);
    let stored = api::store_answers(store, q, id, &file, &now()).map_err(input::api_error)?;
    let blank = if stored.blank > 0 {
        format!("; {} left blank", holisec_api::count(stored.blank, "item"))
    } else {
        String::new()
    };
    crate::output::print_report(&format!(
        "stored {} from `{}` in assessment {id}{blank} ({}/{} items answered)\n",
        holisec_api::count(stored.stored, "answer"),
        path.display(),
        stored.answered,
        stored.items
    ))?;
    Ok(())
}

fn interactive(store: &mut Store, q: &Questionnaire, id: i64) -> CliResult {
    let store_error = crate::commands::db::store_error;
    let done: Vec<String> = store
        .answers(id)
        .map_err(store_error)?
        .into_iter()
        .map(|a| a.item)
        .collect();
    let todo: Vec<_> = q.items.iter().filter(|i| !done.contains(&i.id)).collect();
    let mut stdout = std::io::stdout().lock();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    writeln!(
        stdout,
        "assessment {id}: {} of {} items answered, {} to go (q to stop and resume later; s to skip)",
        done.len(),
        q.items.len(),
        todo.len()
    )?;
    let mut line = String::new();
    let mut read =
        |prompt: &str, stdout: &mut std::io::StdoutLock<'_>| -> CliResult<Option<String>> {
            write!(stdout, "{prompt}")?;
            stdout.flush()?;
            line.clear();
            if input.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            Ok(Some(line.trim().to_owned()))
        };
    let mut saved = 0;
    'items: for (k, item) in todo.iter().enumerate() {
        writeln!(
            stdout,
            "\n[{}/{}] {} ({}) {}\n  {}",
            k + 1,
            todo.len(),
            item.id,
            item.domain.as_str(),
            item.title,
            item.question
        )?;
        for (l, s) in item.levels.iter().enumerate() {
            writeln!(stdout, "    {l}: {s}")?;
        }
        let level = loop {
            match read("  level 0-4: ", &mut stdout)? {
                None => break 'items,
                Some(s) if s.eq_ignore_ascii_case("q") => break 'items,
                Some(s) if s.eq_ignore_ascii_case("s") => continue 'items,
                Some(s) => match s.parse::<u8>() {
                    Ok(l) if l <= MAX_LEVEL => break l,
                    _ => writeln!(
                        stdout,
                        "  `{s}` is not a level: type 0, 1, 2, 3 or 4 (s skips, q stops)"
                    )?,
                },
            }
        };
        let evidence =
            read("  evidence note (enter for none): ", &mut stdout)?.filter(|s| !s.is_empty());
        api::store_answer(store, q, id, &item.id, level, evidence, &now())
            .map_err(input::api_error)?;
        saved += 1;
        writeln!(stdout, "  saved {} = {level}", item.id)?;
    }
    let total = store.answers(id).map_err(store_error)?.len();
    writeln!(
        stdout,
        "\n{} saved; {total}/{} items answered",
        holisec_api::count(saved, "answer"),
        q.items.len()
    )?;
    Ok(())
}
