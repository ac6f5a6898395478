//! Answer files: a hospital's answers to the questionnaire, read from TOML or
//! CSV and checked against the questionnaire, with spanned [`Diagnostic`]s like
//! model files.
//!
//! Reading is all-or-nothing: callers store the answers only when there is no
//! error. Every problem is reported at once (unknown item with a "did you
//! mean", duplicate answer pointing at the first one, level out of range,
//! broken TOML or CSV), each with the byte span of the offending value so a
//! front end can show file, line and column.
//!
//! TOML files hold `[[answer]]` tables with `item`, `level` (0-4) and an
//! optional `evidence`; an entry without `level` is an item left blank (what
//! `holisec assess template`, [`crate::template::answer_template`], writes for every item). CSV files have
//! the header `item,level,evidence` (evidence optional) and one row per answer.

use std::collections::HashMap;
use std::ops::Range;

use holisec_model::Diagnostic;
use holisec_model::diag::did_you_mean;

use crate::questionnaire::{MAX_LEVEL, Questionnaire};

/// Largest answer file accepted, in bytes.
pub const MAX_ANSWER_FILE_BYTES: usize = 16 * 1024 * 1024;

/// How an answer file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// `[[answer]]` tables.
    Toml,
    /// `item,level,evidence` rows.
    Csv,
}

impl AnswerFormat {
    /// The format a file name implies: `.csv` is CSV, anything else TOML.
    pub fn from_file_name(name: &str) -> Self {
        let is_csv = std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv {
            AnswerFormat::Csv
        } else {
            AnswerFormat::Toml
        }
    }
}

/// One checked answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnswerRow {
    /// Questionnaire item id.
    pub item: String,
    /// Maturity level, 0..=[`MAX_LEVEL`].
    pub level: u8,
    /// Evidence note, when given and not blank.
    pub evidence: Option<String>,
}

/// What reading an answer file found.
#[derive(Debug, Clone, Default)]
pub struct ParsedAnswers {
    /// Valid answers, in file order.
    pub answers: Vec<AnswerRow>,
    /// Items present in the file but left without a level.
    pub blank: Vec<String>,
    /// Every problem (errors make the whole file unusable).
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedAnswers {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// One entry before checking: where it is and what it says.
struct RawAnswer {
    item: String,
    item_span: Range<usize>,
    /// `None` = left blank.
    level: Option<(String, Range<usize>)>,
    evidence: Option<String>,
}

/// Reads and checks an answer file against `q`.
pub fn parse_answers(text: &str, format: AnswerFormat, q: &Questionnaire) -> ParsedAnswers {
    let mut parsed = ParsedAnswers::default();
    if text.len() > MAX_ANSWER_FILE_BYTES {
        parsed.diagnostics.push(
            Diagnostic::error(format!("the file is {} bytes", text.len()), None).with_label(
                format!("an answer file of at most {MAX_ANSWER_FILE_BYTES} bytes"),
            ),
        );
        return parsed;
    }
    // A leading UTF-8 byte order mark (spreadsheets write one) is skipped,
    // as model, scenario and VERIS files skip it; spans stay offsets into `text`.
    let (body, offset) = match text.strip_prefix('\u{feff}') {
        Some(body) => (body, text.len() - body.len()),
        None => (text, 0),
    };
    let mut raw = match format {
        AnswerFormat::Toml => read_toml(body, &mut parsed.diagnostics),
        AnswerFormat::Csv => read_csv(body, &mut parsed.diagnostics),
    };
    if offset > 0 {
        let shift = |r: &mut Range<usize>| *r = r.start + offset..r.end + offset;
        for d in &mut parsed.diagnostics {
            if let Some(span) = d.span.as_mut() {
                shift(span);
            }
        }
        for a in &mut raw {
            shift(&mut a.item_span);
            if let Some((_, span)) = a.level.as_mut() {
                shift(span);
            }
        }
    }
    check(text, raw, q, &mut parsed);
    if parsed.answers.is_empty() && parsed.blank.is_empty() && !parsed.has_errors() {
        parsed.diagnostics.push(
            Diagnostic::error("the file holds no answer", None).with_label(match format {
                AnswerFormat::Toml => {
                    "[[answer]] tables with item, level (0-4) and optional evidence"
                }
                AnswerFormat::Csv => "the header `item,level,evidence` and one row per answer",
            }),
        );
    }
    parsed
}

fn check(text: &str, raw: Vec<RawAnswer>, q: &Questionnaire, parsed: &mut ParsedAnswers) {
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    for entry in raw {
        if q.item(&entry.item).is_none() {
            let mut d = Diagnostic::error(
                format!("unknown item `{}`", entry.item),
                Some(entry.item_span.clone()),
            )
            .with_label(format!("an item of questionnaire `{}`", q.id));
            if let Some(s) = did_you_mean(&entry.item, q.items.iter().map(|i| i.id.as_str())) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            parsed.diagnostics.push(d);
            continue;
        }
        if let Some(first) = seen.get(&entry.item) {
            parsed.diagnostics.push(
                Diagnostic::error(
                    format!("duplicate answer for `{}`", entry.item),
                    Some(entry.item_span.clone()),
                )
                .with_label("one answer per item")
                .with_help(format!(
                    "the first answer for `{}` is on line {}",
                    entry.item,
                    holisec_model::LineIndex::new(text)
                        .line_col(text, first.start)
                        .0
                )),
            );
            continue;
        }
        seen.insert(entry.item.clone(), entry.item_span.clone());
        let Some((level, span)) = entry.level else {
            parsed.blank.push(entry.item);
            continue;
        };
        match level.trim().parse::<u8>() {
            Ok(l) if l <= MAX_LEVEL => parsed.answers.push(AnswerRow {
                item: entry.item,
                level: l,
                evidence: entry
                    .evidence
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty()),
            }),
            _ => parsed.diagnostics.push(
                Diagnostic::error(
                    format!(
                        "level `{}` for `{}` is out of range",
                        level.trim(),
                        entry.item
                    ),
                    Some(span),
                )
                .with_label("0, 1, 2, 3 or 4"),
            ),
        }
    }
}

fn read_toml(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<RawAnswer> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        answer: Vec<Wire>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wire {
        item: toml::Spanned<String>,
        level: Option<toml::Spanned<toml::Value>>,
        evidence: Option<String>,
    }
    match toml::from_str::<File>(text) {
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(e.message().trim().to_owned(), e.span())
                    .with_label("[[answer]] tables with item, level (0-4) and optional evidence"),
            );
            Vec::new()
        }
        Ok(file) => file
            .answer
            .into_iter()
            .map(|w| {
                let item_span = w.item.span();
                let level = w.level.map(|l| {
                    let span = l.span();
                    let shown = match l.into_inner() {
                        toml::Value::Integer(n) => n.to_string(),
                        toml::Value::String(s) => format!("\"{s}\""),
                        other => other.to_string(),
                    };
                    (shown, span)
                });
                RawAnswer {
                    item: w.item.into_inner().trim().to_owned(),
                    item_span,
                    level,
                    evidence: w.evidence,
                }
            })
            .collect(),
    }
}

/// Where a quoted CSV field opens and never closes (the csv crate reads such
/// a field to the end of the file without complaint).
fn unterminated_quote(text: &str) -> Option<usize> {
    let mut open = None;
    for (i, c) in text.char_indices() {
        if c == '"' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    open
}

fn read_csv(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<RawAnswer> {
    if let Some(at) = unterminated_quote(text) {
        diagnostics.push(
            Diagnostic::error("unterminated quoted field", Some(at..at + 1))
                .with_label("a closing `\"` (write `\"\"` for a quote inside a field)"),
        );
        return Vec::new();
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let at = e.position().map(|p| p.byte() as usize);
                diagnostics.push(
                    Diagnostic::error(format!("broken CSV: {e}"), at.map(|s| s..s))
                        .with_label("RFC 4180 CSV: item,level,evidence"),
                );
                break;
            }
        };
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line_end = text[start.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |n| start + n);
        let row_span = start..line_end.max(start);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            let h: Vec<String> = record.iter().map(|c| c.trim().to_lowercase()).collect();
            let ok = (h.len() == 2 || h.len() == 3)
                && h[0] == "item"
                && h[1] == "level"
                && h.get(2).is_none_or(|e| e == "evidence");
            if !ok {
                diagnostics.push(
                    Diagnostic::error(
                        format!(
                            "the header is `{}`",
                            record.iter().collect::<Vec<_>>().join(",")
                        ),
                        Some(row_span),
                    )
                    .with_label("the header `item,level,evidence`"),
                );
                return Vec::new();
            }
            continue;
        }
        if record.len() < 2 || record.len() > 3 {
            diagnostics.push(
                Diagnostic::error(format!("{} fields", record.len()), Some(row_span))
                    .with_label("2 or 3 fields: item,level,evidence"),
            );
            continue;
        }
        let level = record[1].trim();
        out.push(RawAnswer {
            item: record[0].trim().to_owned(),
            item_span: row_span.clone(),
            level: (!level.is_empty()).then(|| (level.to_owned(), row_span.clone())),
            evidence: record.get(2).map(str::to_owned),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unterminated_quote_is_an_error_where_it_opens() {
        let q = crate::questionnaire::load(
            crate::questionnaire::HOSPITAL_TOML,
            &holisec_model::builtin::europe().ecosystem.expect("valid"),
        )
        .0
        .expect("valid");
        let id = &q.items[0].id;
        let text = format!("item,level,evidence\n{id},1,\"ok \"\"quoted\"\"\"\n{id},2,\"open\n");
        let p = parse_answers(&text, AnswerFormat::Csv, &q);
        let e = p
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(e.message, "unterminated quoted field");
        let at = e.span.clone().expect("a place").start;
        assert_eq!(&text[at..], "\"open\n");
        assert_eq!(super::unterminated_quote("a,\"b\"\"c\"\n"), None);
    }

    use super::*;
    use holisec_model::LineIndex;

    fn questionnaire() -> Questionnaire {
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model loads");
        let (q, diags) = crate::questionnaire::load(crate::questionnaire::HOSPITAL_TOML, &eco);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        q.expect("the built-in questionnaire loads")
    }

    fn first_two(q: &Questionnaire) -> (String, String) {
        (q.items[0].id.clone(), q.items[1].id.clone())
    }

    #[test]
    fn toml_answers_are_read_and_blank_entries_skipped() {
        let q = questionnaire();
        let (a, b) = first_two(&q);
        let text = format!(
            "[[answer]]\nitem = \"{a}\"\nlevel = 3\nevidence = \" policy v2 \"\n\n[[answer]]\nitem = \"{b}\"\n"
        );
        let p = parse_answers(&text, AnswerFormat::Toml, &q);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(
            p.answers,
            vec![AnswerRow {
                item: a,
                level: 3,
                evidence: Some("policy v2".into())
            }]
        );
        assert_eq!(p.blank, vec![b]);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let q = questionnaire();
        let (a, _) = first_two(&q);
        let typo = format!("{a}x");
        let text = format!(
            "[[answer]]\nitem = \"{a}\"\nlevel = 9\n\n[[answer]]\nitem = \"{typo}\"\nlevel = 1\n\n[[answer]]\nitem = \"{a}\"\nlevel = 2\n"
        );
        let p = parse_answers(&text, AnswerFormat::Toml, &q);
        assert!(p.answers.is_empty());
        let index = LineIndex::new(&text);
        let places: Vec<(usize, &str)> = p
            .diagnostics
            .iter()
            .map(|d| {
                let span = d.span.clone().expect("every problem has a place");
                (index.line_col(&text, span.start).0, d.message.as_str())
            })
            .collect();
        assert_eq!(places.len(), 3, "{places:?}");
        assert_eq!(places[0].0, 3);
        assert!(places[0].1.contains("out of range"));
        assert_eq!(places[1].0, 6);
        assert!(places[1].1.contains("unknown item"));
        assert_eq!(
            p.diagnostics[1].help.as_deref(),
            Some(format!("did you mean `{a}`?").as_str())
        );
        assert_eq!(places[2].0, 10);
        assert!(places[2].1.contains("duplicate"));
    }

    #[test]
    fn broken_toml_points_at_the_syntax_error() {
        let q = questionnaire();
        let text = "[[answer]]\nitem = \"x\"\nlevel = = 2\n";
        let p = parse_answers(text, AnswerFormat::Toml, &q);
        assert!(p.has_errors());
        let span = p.diagnostics[0].span.clone().expect("a place");
        assert_eq!(LineIndex::new(text).line_col(text, span.start).0, 3);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let q = questionnaire();
        let (a, _) = first_two(&q);
        let text = format!("[[answer]]\nitem = \"{a}\"\nlevl = 2\n");
        let p = parse_answers(&text, AnswerFormat::Toml, &q);
        assert!(p.has_errors());
        assert!(
            p.diagnostics[0].message.contains("levl"),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn csv_with_quotes_commas_and_a_bad_row() {
        let q = questionnaire();
        let (a, b) = first_two(&q);
        let text = format!("item,level,evidence\n{a},2,\"audit, 2026 \"\"Q3\"\"\"\n{b},five,\n");
        let p = parse_answers(&text, AnswerFormat::Csv, &q);
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        let span = p.diagnostics[0].span.clone().expect("a place");
        assert_eq!(LineIndex::new(&text).line_col(&text, span.start), (3, 1));
        assert_eq!(p.answers[0].evidence.as_deref(), Some("audit, 2026 \"Q3\""));
    }

    #[test]
    fn csv_needs_its_header() {
        let q = questionnaire();
        let p = parse_answers("id,value\nx,1\n", AnswerFormat::Csv, &q);
        assert!(p.has_errors());
        assert!(p.diagnostics[0].message.contains("header"));
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_in_both_formats() {
        let q = questionnaire();
        let (a, b) = first_two(&q);
        for (text, format) in [
            (
                format!("\u{feff}item,level,evidence\n{a},2,policy\n{b},9,\n"),
                AnswerFormat::Csv,
            ),
            (
                format!(
                    "\u{feff}[[answer]]\nitem = \"{a}\"\nlevel = 2\n[[answer]]\nitem = \"{b}\"\nlevel = 9\n"
                ),
                AnswerFormat::Toml,
            ),
        ] {
            let parsed = parse_answers(&text, format, &q);
            assert_eq!(
                parsed.answers.len(),
                1,
                "{format:?}: {:?}",
                parsed.diagnostics
            );
            assert_eq!(parsed.answers[0].item, a);
            // The one error (level 9) points into the original text, BOM included.
            let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert_eq!(errors.len(), 1, "{format:?}: {errors:?}");
            let span = errors[0].span.clone().expect("spanned");
            assert!(text[span].contains('9'), "{format:?}");
        }
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let q = questionnaire();
        for format in [AnswerFormat::Toml, AnswerFormat::Csv] {
            let p = parse_answers("", format, &q);
            assert!(p.has_errors(), "{format:?}");
        }
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(AnswerFormat::from_file_name("a.CSV"), AnswerFormat::Csv);
        assert_eq!(AnswerFormat::from_file_name("a.toml"), AnswerFormat::Toml);
        assert_eq!(AnswerFormat::from_file_name("answers"), AnswerFormat::Toml);
    }
}
