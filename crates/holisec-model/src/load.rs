//! From bytes to a validated [`Ecosystem`], collecting every problem on the way.
//!
//! The pipeline is: bytes -> text checks (size, binary, UTF-8) -> TOML syntax
//! (all syntax errors, with recovery) -> one serde pass *per entry* (so one
//! broken `[[stakeholder]]` does not hide the errors of the others) -> semantic
//! validation in [`crate::validate`]. Nothing here panics on any input.

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diag::{Diagnostic, did_you_mean};
use crate::model::Ecosystem;
use crate::validate;
use crate::wire::ModelFile;

/// Largest model file accepted. The built-in European model is about 60 KiB; a
/// model a thousand times bigger is almost certainly a mistake (a data dump, a
/// binary), and refusing it keeps memory bounded.
pub const MAX_MODEL_BYTES: usize = 16 * 1024 * 1024;

/// The top-level keys of a model file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "ecosystem",
    "stakeholder",
    "vulnerability",
    "relation",
    "threat",
    "support",
    "scenario",
    "country",
];

/// What loading a model produced.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The source as text, for rendering snippets (lossy when the input was not UTF-8).
    pub text: String,
    /// The parsed file, when the TOML was readable (even if some entries were not).
    pub file: Option<ModelFile>,
    /// The model, present only when there is no error.
    pub ecosystem: Option<Ecosystem>,
    /// Every error and warning, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn failed(text: String, diagnostics: Vec<Diagnostic>) -> Self {
        Loaded {
            text,
            file: None,
            ecosystem: None,
            diagnostics,
        }
    }
}

/// The error for a model file of `size` bytes, above [`MAX_MODEL_BYTES`]:
/// its real size and the limit. Front ends that read at most
/// `MAX_MODEL_BYTES + 1` bytes call it with the size the file system reports,
/// so a 48 MiB file is not reported as "16.0 MiB".
pub fn too_large(size: u64) -> Diagnostic {
    Diagnostic::error(
        format!(
            "model file is {} ({} bytes), larger than the {} MiB limit ({} bytes)",
            mebibytes(size),
            crate::number::thousands(size as f64),
            MAX_MODEL_BYTES / (1024 * 1024),
            crate::number::thousands(MAX_MODEL_BYTES as f64),
        ),
        None,
    )
    .with_help("a model file is a hand-written TOML description of an ecosystem; check the path")
}

/// `size` in MiB with one decimal, never rounded down to the limit.
fn mebibytes(size: u64) -> String {
    let mib = size as f64 / (1024.0 * 1024.0);
    // 16 MiB + 1 byte is "16.0 MiB" to one decimal; say "over 16.0 MiB" then.
    if format!("{mib:.1}")
        .parse::<f64>()
        .is_ok_and(|shown| shown * 1024.0 * 1024.0 < size as f64)
    {
        format!("over {mib:.1} MiB")
    } else {
        format!("{mib:.1} MiB")
    }
}

/// Loads a model from raw bytes (as read from a file).
///
/// Bytes beyond [`MAX_MODEL_BYTES`] are refused unparsed. A reader that
/// stopped at `MAX_MODEL_BYTES + 1` bytes cannot know the file's size: the
/// message then says "more than" the limit; [`too_large`] states a size known
/// from the file system.
pub fn load_bytes(bytes: &[u8]) -> Loaded {
    if bytes.len() == MAX_MODEL_BYTES + 1 {
        let diag = Diagnostic::error(
            format!(
                "model file is larger than the {} MiB limit ({} bytes); reading stopped there",
                MAX_MODEL_BYTES / (1024 * 1024),
                crate::number::thousands(MAX_MODEL_BYTES as f64),
            ),
            None,
        )
        .with_help(
            "a model file is a hand-written TOML description of an ecosystem; check the path",
        );
        return Loaded::failed(String::new(), vec![diag]);
    }
    if bytes.len() > MAX_MODEL_BYTES {
        return Loaded::failed(String::new(), vec![too_large(bytes.len() as u64)]);
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let offset = lossy_offset(bytes, nul);
        let diag = Diagnostic::error(
            format!("model file looks binary: NUL byte at byte {nul}"),
            Some(offset..offset),
        )
        .with_label("expected UTF-8 TOML text")
        .with_help("a model file is a TOML text file; check the path");
        return Loaded::failed(text, vec![diag]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(text),
        Err(err) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let offset = lossy_offset(bytes, err.valid_up_to());
            let diag = Diagnostic::error(
                format!(
                    "model file is not valid UTF-8 (invalid byte at byte {})",
                    err.valid_up_to()
                ),
                Some(offset..offset + 3.min(text.len() - offset)),
            )
            .with_label("invalid UTF-8 here")
            .with_help("save the file as UTF-8");
            Loaded::failed(text, vec![diag])
        }
    }
}

/// Offset in the lossy text that corresponds to byte `offset` of `bytes`.
fn lossy_offset(bytes: &[u8], offset: usize) -> usize {
    String::from_utf8_lossy(&bytes[..offset]).len()
}

/// Loads a model from text.
pub fn load_str(text: &str) -> Loaded {
    if text.trim().is_empty() {
        let diag = Diagnostic::error("model file is empty", None)
            .with_help("start from the built-in model: `holisec init my-model.toml`");
        return Loaded::failed(text.to_owned(), vec![diag]);
    }
    let (table, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        let diagnostics = syntax_errors.iter().map(toml_error).collect();
        return Loaded::failed(text.to_owned(), diagnostics);
    }
    let mut diagnostics = Vec::new();
    let mut broken_ids = HashSet::new();
    let file = read_entries(table.into_inner(), &mut diagnostics, &mut broken_ids);
    let ecosystem = validate::validate(&file, &broken_ids, &mut diagnostics);
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    let ecosystem = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        ecosystem
    };
    Loaded {
        text: text.to_owned(),
        file: Some(file),
        ecosystem,
        diagnostics,
    }
}

fn toml_error(err: &toml::de::Error) -> Diagnostic {
    let message = err
        .message()
        .trim()
        .trim_end_matches('.')
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected u32", "expected a whole number >= 0")
        .replace("expected a borrowed string", "expected a string");
    // serde's messages end with the expected values, which is the useful label.
    Diagnostic::error(message, err.span())
}

fn read_entries(
    table: DeTable<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    broken_ids: &mut HashSet<String>,
) -> ModelFile {
    let mut file = ModelFile::default();
    for (key, value) in table {
        let key_span = key.span();
        let key = key.into_inner();
        match key.as_ref() {
            "ecosystem" => {
                if matches!(value.get_ref(), DeValue::Table(_)) {
                    file.ecosystem = read_one(value, diagnostics, broken_ids);
                    if file.ecosystem.is_none() {
                        broken_ids.insert(validate::BROKEN_ECOSYSTEM.to_owned());
                    }
                } else {
                    diagnostics.push(
                        Diagnostic::error("`ecosystem` must be a table", Some(value.span()))
                            .with_label("expected `[ecosystem]`"),
                    );
                }
            }
            "stakeholder" => {
                let errors_before = diagnostics.len();
                file.stakeholders = read_array(&key, value, diagnostics, broken_ids);
                if diagnostics.len() > errors_before {
                    broken_ids.insert(validate::BROKEN_STAKEHOLDER.to_owned());
                }
            }
            "vulnerability" => {
                file.vulnerabilities = read_array(&key, value, diagnostics, broken_ids)
            }
            "relation" => file.relations = read_array(&key, value, diagnostics, broken_ids),
            "threat" => file.threats = read_array(&key, value, diagnostics, broken_ids),
            "support" => file.supports = read_array(&key, value, diagnostics, broken_ids),
            "scenario" => file.scenarios = read_array(&key, value, diagnostics, broken_ids),
            "country" => file.countries = read_array(&key, value, diagnostics, broken_ids),
            other => {
                let mut diag = Diagnostic::error(format!("unknown key `{other}`"), Some(key_span))
                    .with_label(format!(
                        "expected one of {}",
                        TOP_LEVEL_KEYS
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                let singular = other.trim_end_matches('s');
                if let Some(best) = did_you_mean(other, TOP_LEVEL_KEYS.iter().copied())
                    .or_else(|| TOP_LEVEL_KEYS.iter().copied().find(|k| *k == singular))
                {
                    diag = diag.with_help(format!("did you mean `{best}`?"));
                }
                diagnostics.push(diag);
            }
        }
    }
    file
}

fn read_array<T: DeserializeOwned>(
    key: &str,
    value: Spanned<DeValue<'_>>,
    diagnostics: &mut Vec<Diagnostic>,
    broken_ids: &mut HashSet<String>,
) -> Vec<T> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .filter_map(|item| {
                if matches!(item.get_ref(), DeValue::Table(_)) {
                    read_one(item, diagnostics, broken_ids)
                } else {
                    diagnostics.push(
                        Diagnostic::error(
                            format!("entries of `{key}` must be tables"),
                            Some(item.span()),
                        )
                        .with_label(format!("expected a `[[{key}]]` table")),
                    );
                    None
                }
            })
            .collect(),
        _ => {
            diagnostics.push(
                Diagnostic::error(format!("`{key}` must be an array of tables"), Some(span))
                    .with_label(format!("expected `[[{key}]]` entries")),
            );
            Vec::new()
        }
    }
}

/// Deserialises one entry; on failure records its id (if readable) so that
/// references to it are not reported a second time as dangling.
fn read_one<T: DeserializeOwned>(
    item: Spanned<DeValue<'_>>,
    diagnostics: &mut Vec<Diagnostic>,
    broken_ids: &mut HashSet<String>,
) -> Option<T> {
    let field = |name: &str| match item.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .and_then(|(_, v)| v.get_ref().as_str().map(str::to_owned)),
        _ => None,
    };
    let id = field("id");
    // A broken relation still relates its ends: do not also report them as unrelated.
    let ends = [field("from"), field("to")];
    let span = item.span();
    match T::deserialize(ValueDeserializer::from(item)) {
        Ok(value) => Some(value),
        Err(err) => {
            let mut diag = toml_error(&err);
            if diag.span.is_none() {
                diag.span = Some(span);
            }
            diagnostics.push(diag);
            if let Some(id) = id {
                broken_ids.insert(id);
            }
            for end in ends.into_iter().flatten() {
                broken_ids.insert(format!("{}{end}", validate::BROKEN_RELATION_END));
            }
            None
        }
    }
}
