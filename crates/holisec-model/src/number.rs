//! How amounts and counts are written for people: one rule for every front end
//! and chart (comma thousands separators, no decimals), so a figure reads the
//! same in a table, a chart label and a message.

/// Formats a number with thousands separators and no decimals, e.g. `1,234,567`.
pub fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// [`thousands`] with an explicit sign: `+1,234`, `-56`, `0`.
pub fn signed_thousands(value: f64) -> String {
    if value.round() > 0.0 {
        format!("+{}", thousands(value))
    } else {
        thousands(value)
    }
}

/// A probability as a percentage with one decimal, `<0.1%` for tiny ones.
pub fn percent(p: f64) -> String {
    if p > 0.0 && p < 0.001 {
        "<0.1%".into()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(2_310_000_000.0), "2,310,000,000");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(thousands(f64::INFINITY), "inf");
    }

    #[test]
    fn signs_and_percentages() {
        assert_eq!(signed_thousands(1234.0), "+1,234");
        assert_eq!(signed_thousands(-56.0), "-56");
        assert_eq!(signed_thousands(0.1), "0");
        assert_eq!(percent(0.0004), "<0.1%");
        assert_eq!(percent(0.25), "25.0%");
        assert_eq!(percent(0.0), "0.0%");
    }
}
