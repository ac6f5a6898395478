//! How the report writes figures: amounts with their currency and thousands
//! separators (`€1,234,567`), probabilities and shares as percentages, counts.
//! Built on `holisec_model::number`, the rule every front end follows, so a
//! figure reads the same here as in the CLI's tables.

use holisec_model::number;

/// An amount with its currency: `€12,345`, `£3`, `CHF 1,000`.
pub(crate) fn money(currency: &str, x: f64) -> String {
    let digits = number::thousands(x);
    match currency {
        "EUR" => format!("€{digits}"),
        "GBP" => format!("£{digits}"),
        "USD" => format!("${digits}"),
        other => format!("{other} {digits}"),
    }
}

/// A probability or share with one decimal (`14.2%`, `<0.1%`).
pub(crate) fn percent(p: f64) -> String {
    number::percent(p)
}

/// A count or mean count without decimals, with separators.
pub(crate) fn count(x: f64) -> String {
    number::thousands(x)
}

/// A mean count with its noun in agreement: `1 hospital`, `0 hospitals`,
/// `1,138 hospitals` (`plural` is the noun's plural, `singular` its
/// singular; a mean that rounds to 1 takes the singular).
pub(crate) fn counted(x: f64, singular: &str, plural: &str) -> String {
    let noun = if is_one(x) { singular } else { plural };
    format!("{} {noun}", count(x))
}

/// Does the mean count `x` read as one ([`count`] rounds it to 1)?
pub(crate) fn is_one(x: f64) -> bool {
    count(x) == "1"
}

/// A ratio such as euros avoided per euro spent, two decimals.
pub(crate) fn ratio(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "free".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_nouns_agree_with_the_rounded_count() {
        assert_eq!(counted(1.0, "hospital", "hospitals"), "1 hospital");
        assert_eq!(counted(1.3, "hospital", "hospitals"), "1 hospital");
        assert_eq!(counted(0.2, "hospital", "hospitals"), "0 hospitals");
        assert_eq!(counted(1_138.0, "hospital", "hospitals"), "1,138 hospitals");
    }

    #[test]
    fn amounts_carry_their_currency_and_separators() {
        assert_eq!(money("EUR", 1_234_567.4), "€1,234,567");
        assert_eq!(money("CHF", 1000.0), "CHF 1,000");
        assert_eq!(percent(0.1424), "14.2%");
        assert_eq!(ratio(0.2348), "0.23");
        assert_eq!(ratio(f64::INFINITY), "free");
    }
}
