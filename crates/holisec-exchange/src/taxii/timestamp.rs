//! TAXII and STIX timestamps: RFC 3339, always UTC with `Z`, never less than
//! millisecond precision.
//!
//! [`Timestamp`] is a point in time between the years 0000 and 9999 (what RFC
//! 3339 can write). [`Timestamp::to_rfc3339`] writes it with exactly as many
//! fractional digits as it needs among 3, 6 or 9, so that writing and parsing
//! back gives the same instant: a client that copies
//! `X-TAXII-Date-Added-Last` into `added_after` gets exactly the objects after
//! the last one it saw, not those of the same millisecond again.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A UTC instant that RFC 3339 can write (years 0000 to 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

/// A text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{value}` is not an RFC 3339 timestamp ({reason}); expected e.g. 2026-01-01T00:00:00.000Z"
)]
pub struct TimestampError {
    /// The text (clipped to 80 characters).
    pub value: String,
    /// Why it was refused.
    pub reason: String,
}

/// `text` clipped to 80 characters, for error messages.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

impl Timestamp {
    /// Parses an RFC 3339 date-time with any offset and normalises it to UTC.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let error = |reason: String| TimestampError {
            value: clip(text),
            reason,
        };
        let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| error(e.to_string()))?;
        Timestamp::from_offset_date_time(parsed)
            .ok_or_else(|| error("its UTC year is outside 0000-9999".into()))
    }

    /// Parses a STIX timestamp: RFC 3339 that ends in `Z` (STIX 2.1 section 3.2).
    pub fn parse_stix(text: &str) -> Result<Self, TimestampError> {
        if !text.ends_with('Z') {
            return Err(TimestampError {
                value: clip(text),
                reason: "STIX timestamps are in UTC and end with `Z`".into(),
            });
        }
        Timestamp::parse(text)
    }

    /// The instant of `at`, or `None` when its UTC year is outside 0000-9999.
    pub fn from_offset_date_time(at: OffsetDateTime) -> Option<Self> {
        let utc = at.checked_to_offset(UtcOffset::UTC)?;
        (0..=9999).contains(&utc.year()).then_some(Timestamp(utc))
    }

    /// The instant `nanos` nanoseconds after 1970-01-01T00:00:00Z, if RFC 3339 can write it.
    pub fn from_unix_nanos(nanos: i128) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(Timestamp::from_offset_date_time)
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub fn unix_nanos(self) -> i128 {
        self.0.unix_timestamp_nanos()
    }

    /// The instant as a `time` value in UTC.
    pub fn as_offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// RFC 3339 in UTC with `Z` and 3, 6 or 9 fractional digits (the fewest
    /// that keep the instant exact), e.g. `2026-01-01T00:00:00.000Z`. This is
    /// the form of `date_added`, `request_timestamp` and the
    /// `X-TAXII-Date-Added-First`/`-Last` headers.
    pub fn to_rfc3339(self) -> String {
        let t = self.0;
        let nanos = t.nanosecond();
        let fraction = if nanos.is_multiple_of(1_000_000) {
            format!("{:03}", nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            format!("{:06}", nanos / 1_000)
        } else {
            format!("{nanos:09}")
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{fraction}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Exactly what RFC 3339 section 5.6 allows for a UTC `date-time` with a fraction (tests only).
#[cfg(test)]
pub(crate) fn is_strict_rfc3339_utc(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() >= 24
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..b.len() - 1)
        && b[b.len() - 1] == b'Z'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_rfc3339_utc_with_at_least_milliseconds() {
        let t = Timestamp::parse("2026-03-01T12:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T11:00:00.000Z");
        let t = Timestamp::parse("2026-03-01T11:00:00.1234Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T11:00:00.123400Z");
        let t = Timestamp::parse("2026-03-01T11:00:00.123456789Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T11:00:00.123456789Z");
        for text in [
            "2026-03-01T11:00:00.000Z",
            "2026-03-01T11:00:00.123400Z",
            "0000-01-01T00:00:00.000Z",
        ] {
            assert!(is_strict_rfc3339_utc(text), "{text}");
            assert_eq!(Timestamp::parse(text).unwrap().to_rfc3339(), text);
        }
    }

    #[test]
    fn round_trips_through_text_exactly() {
        for nanos in [0_i128, 1, 999, 1_000, 1_000_000, 1_767_225_600_123_456_789] {
            let t = Timestamp::from_unix_nanos(nanos).unwrap();
            assert_eq!(Timestamp::parse(&t.to_rfc3339()).unwrap(), t);
            assert!(is_strict_rfc3339_utc(&t.to_rfc3339()));
        }
    }

    #[test]
    fn refuses_what_rfc3339_cannot_write() {
        assert!(Timestamp::parse("2026-01-01").is_err());
        assert!(
            Timestamp::parse("2026-01-01T00:00:00").is_err(),
            "an offset is required"
        );
        // RFC 3339 section 5.6 allows a space for `T`; the output always has `T`.
        let spaced = Timestamp::parse("2026-01-01 00:00:00Z").unwrap();
        assert_eq!(spaced.to_rfc3339(), "2026-01-01T00:00:00.000Z");
        assert!(Timestamp::parse("9999-12-31T23:59:59-23:59").is_err());
        assert!(Timestamp::parse("0000-01-01T00:00:00+01:00").is_err());
        assert!(Timestamp::from_unix_nanos(-1_000_000_000_000_000_000_000).is_none());
        let e = Timestamp::parse_stix("2026-01-01T00:00:00+00:00").unwrap_err();
        assert!(e.to_string().contains("end with `Z`"), "{e}");
    }

    #[test]
    fn serde_uses_the_text_form() {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-01-01T00:00:00.000Z\""
        );
        let back: Timestamp = serde_json::from_str("\"2026-01-01T00:00:00.000Z\"").unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
