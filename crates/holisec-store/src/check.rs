//! The checks an export passes before [`crate::Store::import_checked`] writes
//! a row: every value as strict as the CLI's own writes, every problem named
//! by its place in the export (`assessments[3].answers[7].level: 9, expected 0
//! to 4`).

use std::collections::{BTreeMap, BTreeSet};

use crate::{Dump, SCHEMA_VERSION};

/// Longest organisation name, questionnaire id or item id accepted (characters),
/// the limit `holisec assess new` applies to names.
pub const MAX_NAME_CHARS: usize = 200;

/// Every problem of `dump`, in the order of the export; empty when it can be imported.
///
/// `valid_items`, when given, lists the item ids of the questionnaire the
/// assessments were answered with: an answer to any other item is a problem.
/// Without it, item ids are checked for their shape only (non-empty, no
/// surrounding spaces, no control characters, at most [`MAX_NAME_CHARS`]).
pub(crate) fn problems(dump: &Dump, valid_items: Option<&[&str]>) -> Vec<String> {
    let mut out = Vec::new();
    if dump.schema_version < 1 {
        out.push(format!(
            "schema_version: {}, expected 1 to {SCHEMA_VERSION}",
            dump.schema_version
        ));
    }
    let valid_items: Option<BTreeSet<&str>> = valid_items.map(|v| v.iter().copied().collect());

    // Organisations: ids and names unique (names whatever their case, as the CLI matches them).
    let mut org_ids: BTreeMap<i64, usize> = BTreeMap::new();
    let mut org_names: BTreeMap<String, usize> = BTreeMap::new();
    for (i, o) in dump.organisations.iter().enumerate() {
        let at = format!("organisations[{i}]");
        positive_id(&mut out, &at, o.id);
        if let Some(first) = org_ids.insert(o.id, i) {
            out.push(format!(
                "{at}.id: {} is also the id of organisations[{first}]",
                o.id
            ));
            org_ids.insert(o.id, first);
        }
        if let Some(p) = name_problem(&o.name) {
            out.push(format!("{at}.name: {}, expected {p}", quoted(&o.name)));
        } else if let Some(first) = org_names.insert(o.name.to_lowercase(), i) {
            out.push(format!(
                "{at}.name: {} is already the name of organisations[{first}] (names match whatever their case)",
                quoted(&o.name)
            ));
            org_names.insert(o.name.to_lowercase(), first);
        }
        timestamp(&mut out, &format!("{at}.created_at"), &o.created_at);
    }

    // Assessments and their answers.
    let mut assessment_ids: BTreeMap<i64, usize> = BTreeMap::new();
    let mut versions: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    for (i, d) in dump.assessments.iter().enumerate() {
        let a = &d.assessment;
        let at = format!("assessments[{i}]");
        positive_id(&mut out, &at, a.id);
        if let Some(first) = assessment_ids.insert(a.id, i) {
            out.push(format!(
                "{at}.id: {} is also the id of assessments[{first}]",
                a.id
            ));
            assessment_ids.insert(a.id, first);
        }
        match org_ids.get(&a.organisation_id) {
            None => out.push(format!(
                "{at}.organisation_id: {}, but no organisation has this id",
                a.organisation_id
            )),
            Some(&k) => {
                let name = &dump.organisations[k].name;
                if &a.organisation != name {
                    out.push(format!(
                        "{at}.organisation: {}, but organisation {} (organisations[{k}]) is named {}",
                        quoted(&a.organisation),
                        a.organisation_id,
                        quoted(name)
                    ));
                }
            }
        }
        if a.version < 1 {
            out.push(format!("{at}.version: {}, expected 1 or more", a.version));
        } else if let Some(first) = versions.insert((a.organisation_id, a.version), i) {
            out.push(format!(
                "{at}.version: {}, but organisation {} already has version {} (assessments[{first}])",
                a.version, a.organisation_id, a.version
            ));
            versions.insert((a.organisation_id, a.version), first);
        }
        for (field, value) in [
            ("questionnaire", &a.questionnaire),
            ("questionnaire_version", &a.questionnaire_version),
        ] {
            if let Some(p) = name_problem(value) {
                out.push(format!("{at}.{field}: {}, expected {p}", quoted(value)));
            }
        }
        timestamp(&mut out, &format!("{at}.created_at"), &a.created_at);
        if a.answered != d.answers.len() as i64 {
            out.push(format!(
                "{at}.answered: {}, but the assessment has {} answer{}",
                a.answered,
                d.answers.len(),
                if d.answers.len() == 1 { "" } else { "s" }
            ));
        }
        let mut items: BTreeMap<&str, usize> = BTreeMap::new();
        for (j, ans) in d.answers.iter().enumerate() {
            let at = format!("{at}.answers[{j}]");
            if let Some(p) = name_problem(&ans.item) {
                out.push(format!("{at}.item: {}, expected {p}", quoted(&ans.item)));
            } else if let Some(valid) = &valid_items
                && !valid.contains(ans.item.as_str())
            {
                out.push(format!(
                    "{at}.item: {} is not an item of the questionnaire",
                    quoted(&ans.item)
                ));
            } else if let Some(first) = items.insert(&ans.item, j) {
                out.push(format!(
                    "{at}.item: {} is answered twice (also answers[{first}])",
                    quoted(&ans.item)
                ));
                items.insert(&ans.item, first);
            }
            if ans.level > 4 {
                out.push(format!("{at}.level: {}, expected 0 to 4", ans.level));
            }
            if let Some(t) = &ans.answered_at {
                timestamp(&mut out, &format!("{at}.answered_at"), t);
            }
        }
    }

    // Risk runs.
    let mut run_ids: BTreeMap<i64, usize> = BTreeMap::new();
    let mut run_keys: BTreeMap<(i64, &str), usize> = BTreeMap::new();
    for (k, r) in dump.risk_runs.iter().enumerate() {
        let at = format!("risk_runs[{k}]");
        positive_id(&mut out, &at, r.id);
        if let Some(first) = run_ids.insert(r.id, k) {
            out.push(format!(
                "{at}.id: {} is also the id of risk_runs[{first}]",
                r.id
            ));
            run_ids.insert(r.id, first);
        }
        if !assessment_ids.contains_key(&r.assessment_id) {
            out.push(format!(
                "{at}.assessment_id: {}, but no assessment has this id",
                r.assessment_id
            ));
        }
        if r.input_hash.is_empty()
            || r.input_hash.chars().count() > MAX_NAME_CHARS
            || r.input_hash
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            out.push(format!(
                "{at}.input_hash: {}, expected a hash (1 to {MAX_NAME_CHARS} characters, no spaces)",
                quoted(&r.input_hash)
            ));
        } else if let Some(first) = run_keys.insert((r.assessment_id, &r.input_hash), k) {
            out.push(format!(
                "{at}.input_hash: {}, but risk_runs[{first}] has the same assessment and hash",
                quoted(&r.input_hash)
            ));
            run_keys.insert((r.assessment_id, &r.input_hash), first);
        }
        if r.iterations < 1 {
            out.push(format!(
                "{at}.iterations: {}, expected 1 or more",
                r.iterations
            ));
        }
        timestamp(&mut out, &format!("{at}.created_at"), &r.created_at);
        match &r.results {
            serde_json::Value::Object(m) if !m.is_empty() => {}
            other => out.push(format!(
                "{at}.results: {}, expected the run's results (a JSON object)",
                short(&other.to_string())
            )),
        }
    }
    out
}

fn positive_id(out: &mut Vec<String>, at: &str, id: i64) {
    if id < 1 {
        out.push(format!("{at}.id: {id}, expected 1 or more"));
    }
}

fn timestamp(out: &mut Vec<String>, at: &str, value: &str) {
    if !is_rfc3339(value) {
        out.push(format!(
            "{at}: {}, expected an RFC 3339 time such as \"2026-01-31T09:30:00Z\"",
            quoted(value)
        ));
    }
}

/// Why `name` is not usable as a name or id, as "expected ..." text.
fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("a non-empty text".to_owned())
    } else if name.trim() != name {
        Some("no spaces before or after".to_owned())
    } else if name.chars().any(char::is_control) {
        Some("no control characters".to_owned())
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("at most {MAX_NAME_CHARS} characters"))
    } else {
        None
    }
}

/// `text` as a JSON string (quotes, escapes), shortened past 60 characters.
fn quoted(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    let more = if t.len() < text.len() { "…" } else { "" };
    format!("{}{more}", serde_json::Value::String(t))
}

fn short(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_owned()
    } else {
        let t: String = text.chars().take(60).collect();
        format!("{t}…")
    }
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optional
/// fraction, then `Z` or `±HH:MM`; the date must exist (leap years counted),
/// seconds may be 60 (a leap second).
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        } else {
            None
        }
    };
    let at = |i: usize, set: &[u8]| b.get(i).is_some_and(|c| set.contains(c));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 19;
    if at(i, b".") {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len()
                && at(i + 3, b":")
                && num(i + 1..i + 3).is_some_and(|h| h <= 23)
                && num(i + 4..i + 6).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn rfc3339_dates_and_times() {
        for ok in [
            "2026-01-31T09:30:00Z",
            "2026-01-31t09:30:00z",
            "2024-02-29T23:59:60Z",
            "2026-01-31T09:30:00.123456Z",
            "2026-01-31T09:30:00+01:00",
            "2026-01-31T09:30:00-23:59",
            "0001-01-01T00:00:00Z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "yesterday",
            "2026-01-31",
            "2026-01-31 09:30:00Z",
            "2026-01-31T09:30:00",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-31T24:00:00Z",
            "2026-01-31T09:60:00Z",
            "2026-01-31T09:30:61Z",
            "2026-01-31T09:30:00.Z",
            "2026-01-31T09:30:00+0100",
            "2026-01-31T09:30:00+24:00",
            "2026-01-31T09:30:00Z ",
            " 2026-01-31T09:30:00Z",
            "2026-1-31T09:30:00Z",
            "２０２６-01-31T09:30:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
