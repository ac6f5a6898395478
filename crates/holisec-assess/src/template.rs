//! The answer-file template (`holisec assess template`): every item of a
//! questionnaire as a blank `[[answer]]` table, ready to fill in.
//!
//! The text is exactly what [`crate::answers::parse_answers`] reads as TOML:
//! each entry has `item`, a commented-out `# level =` line and `evidence = ""`;
//! an entry left without a level is a blank item, so the untouched template
//! parses with no diagnostic and every item blank. Everything else (the
//! questionnaire's title, a header per domain, each item's title, question,
//! the five level sentences and the step costs) is in `# ` comments, with any
//! line break or control character of the questionnaire text kept out of the
//! TOML syntax.

use std::fmt::Write as _;

use holisec_model::number::thousands;

use crate::questionnaire::{Item, MAX_LEVEL, Questionnaire};

/// The commented-out level line of every entry; remove the `# ` and write a level.
pub const LEVEL_LINE: &str = "# level =";

/// A TOML answer file with every item of `q`, in questionnaire order, grouped by
/// domain (a comment header whenever the domain changes), each item as a blank
/// `[[answer]]` entry preceded by comments describing it.
pub fn answer_template(q: &Questionnaire) -> String {
    let mut out = String::new();
    comment(&mut out, "", &format!("Answers to \"{}\"", q.title));
    comment(
        &mut out,
        "",
        &format!("questionnaire `{}`, version {}", q.id, q.version),
    );
    out.push_str(
        "#\n\
         # One [[answer]] per item. To answer, replace the line `# level =` with\n\
         # `level = N`, N the maturity level 0-4 whose sentence fits best; an entry\n\
         # without a level is left blank (not answered). `evidence` is optional free\n\
         # text (a document, a ticket, who said so). Step costs are EUR per year to\n\
         # go from one level to the next.\n",
    );
    let mut domain = None;
    for item in &q.items {
        if domain != Some(item.domain) {
            domain = Some(item.domain);
            let _ = write!(out, "\n# ===== {} =====\n", item.domain);
        }
        out.push('\n');
        write_item(&mut out, item);
    }
    out
}

fn write_item(out: &mut String, item: &Item) {
    comment(out, "", &format!("{}: {}", item.id, item.title));
    comment(out, "", &item.question);
    for (level, sentence) in item.levels.iter().enumerate() {
        comment(out, "  ", &format!("{level}: {sentence}"));
    }
    let steps: Vec<String> = item
        .step_cost
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{k}->{} {}", k + 1, thousands(*c)))
        .collect();
    debug_assert_eq!(steps.len(), usize::from(MAX_LEVEL));
    comment(out, "", &format!("step cost EUR/yr: {}", steps.join(", ")));
    out.push_str("[[answer]]\n");
    let _ = writeln!(out, "item = {}", toml_string(&item.id));
    out.push_str(LEVEL_LINE);
    out.push('\n');
    out.push_str("evidence = \"\"\n");
}

/// Writes `text` as comment lines `# {indent}{line}`: one per line of the text
/// (any of `\r\n`, `\n`, `\r` breaks a line; continuation lines are indented two
/// more spaces), with every other control character but tab, which TOML does not
/// allow in comments, replaced by a space.
fn comment(out: &mut String, indent: &str, text: &str) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    for (k, line) in text.trim_end().split('\n').enumerate() {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect();
        let cont = if k == 0 { "" } else { "  " };
        let line = format!("# {indent}{cont}{}", line.trim_end());
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// `s` as a TOML basic string, quotes and escapes included.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{AnswerFormat, AnswerRow, parse_answers};
    use crate::questionnaire::{HOSPITAL_TOML, load};

    fn hospital() -> Questionnaire {
        let eco = holisec_model::builtin::europe().ecosystem.unwrap();
        let (q, diags) = load(HOSPITAL_TOML, &eco);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        q.unwrap()
    }

    #[test]
    fn the_template_parses_with_every_item_blank() {
        let q = hospital();
        let t = answer_template(&q);
        let p = parse_answers(&t, AnswerFormat::Toml, &q);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert!(p.answers.is_empty());
        let ids: Vec<&str> = q.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(p.blank, ids, "every item, in questionnaire order");
    }

    #[test]
    fn every_item_appears_once_with_its_texts() {
        let q = hospital();
        let t = answer_template(&q);
        assert_eq!(t.matches("[[answer]]\n").count(), q.items.len());
        assert_eq!(
            t.matches(&format!("\n{LEVEL_LINE}\n")).count(),
            q.items.len()
        );
        for item in &q.items {
            assert_eq!(
                t.matches(&format!("item = \"{}\"\n", item.id)).count(),
                1,
                "{}",
                item.id
            );
            assert!(t.contains(&item.question), "{}", item.id);
            for l in &item.levels {
                assert!(t.contains(l.as_str()), "{}: {l}", item.id);
            }
        }
        // One header per domain (the built-in questionnaire is grouped).
        for d in holisec_model::Domain::ALL {
            assert_eq!(t.matches(&format!("# ===== {d} =====")).count(), 1, "{d}");
        }
        // Every line is a comment, a blank line or one of the three entry lines.
        for line in t.lines() {
            assert!(
                line.is_empty()
                    || line.starts_with('#')
                    || line == "[[answer]]"
                    || line.starts_with("item = \"")
                    || line == "evidence = \"\"",
                "{line:?}"
            );
        }
    }

    #[test]
    fn uncommenting_a_level_answers_that_item() {
        let q = hospital();
        let t = answer_template(&q);
        let item = &q.items[q.items.len() / 2];
        let needle = format!("item = \"{}\"\n{LEVEL_LINE}\n", item.id);
        assert_eq!(t.matches(&needle).count(), 1);
        let filled = t.replace(&needle, &format!("item = \"{}\"\nlevel = 3\n", item.id));
        let p = parse_answers(&filled, AnswerFormat::Toml, &q);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(
            p.answers,
            vec![AnswerRow {
                item: item.id.clone(),
                level: 3,
                evidence: None
            }]
        );
        assert_eq!(p.blank.len(), q.items.len() - 1);
        assert!(!p.blank.contains(&item.id));
    }

    #[test]
    fn awkward_texts_stay_inside_comments() {
        let mut q = hospital();
        q.title = "Title with \"quotes\"\nand a [[answer]] line".into();
        let nasty = "Quote \" and ''' and \"\"\" \\ backslash\nnew line\r\nCRLF\rCR\u{0}nul\u{7}bell\u{1b}[31m\tab\u{2028}sep ünï [[answer]] item = \"X\" level = 4 #";
        for item in q.items.iter_mut().take(3) {
            item.title = nasty.into();
            item.question = format!("{nasty}\n\n");
            item.levels[2] = nasty.into();
        }
        q.items[1].id = "ID \"quoted\" \\ odd".into();
        let t = answer_template(&q);
        let p = parse_answers(&t, AnswerFormat::Toml, &q);
        assert!(p.diagnostics.is_empty(), "{:?}\n{t}", p.diagnostics);
        assert!(p.answers.is_empty());
        assert_eq!(p.blank.len(), q.items.len());
        assert_eq!(p.blank[1], q.items[1].id);
        assert_eq!(t.matches("[[answer]]\n").count(), q.items.len());
        for line in t.lines() {
            assert!(
                !line.chars().any(|c| c.is_control() && c != '\t'),
                "{line:?}"
            );
        }
    }
}
