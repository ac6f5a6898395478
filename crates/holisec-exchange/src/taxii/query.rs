//! The query string of the TAXII 2.1 object endpoints (section 3.4 and 3.5).
//!
//! [`Query::parse`] reads the raw query string (`match[type]=indicator,report&limit=2`,
//! with or without a leading `?`; brackets may be percent-encoded as
//! `match%5Btype%5D`, which is what `requests`, and so `taxii2-client`, sends).
//! Values are percent-decoded; `+` stays a plus (timestamps with offsets
//! keep working). Lists are comma-separated and a repeated `match[...]`
//! adds to its list; `added_after`, `limit` and `next` may appear once.
//! An unknown `match[...]` is an error (a silently ignored filter would
//! return more than asked); other parameters are not TAXII's and are ignored.
//! Every error names the parameter.

use super::timestamp::{Timestamp, clip};

/// One value of `match[version]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VersionMatch {
    /// The earliest version of each object.
    First,
    /// The latest version of each object (the default).
    Last,
    /// Every version.
    All,
    /// The version with exactly this `modified` (or `created`).
    At(Timestamp),
}

impl VersionMatch {
    fn key(self) -> String {
        match self {
            VersionMatch::First => "first".into(),
            VersionMatch::Last => "last".into(),
            VersionMatch::All => "all".into(),
            VersionMatch::At(t) => t.to_rfc3339(),
        }
    }
}

/// The parameters of a request for objects, manifest records or versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only objects added strictly after this instant.
    pub added_after: Option<Timestamp>,
    /// The page size the client asks for (the server may give fewer).
    pub limit: Option<usize>,
    /// The `next` value of the previous page.
    pub next: Option<String>,
    /// `match[id]`: only these ids (empty: any).
    pub ids: Vec<String>,
    /// `match[type]`: only these STIX types (empty: any).
    pub types: Vec<String>,
    /// `match[version]` (empty: `last`).
    pub versions: Vec<VersionMatch>,
    /// `match[spec_version]` (empty: the latest spec version of each object version).
    pub spec_versions: Vec<String>,
}

/// A query parameter that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A known parameter with a bad value.
    #[error("query parameter `{param}`: {message}")]
    Invalid {
        /// The parameter.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// A `match[...]` filter TAXII 2.1 does not define.
    #[error(
        "unknown query parameter `{param}`; the TAXII 2.1 filters are match[id], match[type], \
         match[version] and match[spec_version]"
    )]
    UnknownMatch {
        /// The parameter.
        param: String,
    },
}

impl QueryError {
    /// The parameter the error is about.
    pub fn param(&self) -> &str {
        match self {
            QueryError::Invalid { param, .. } | QueryError::UnknownMatch { param } => param,
        }
    }
}

fn invalid(param: &str, message: impl Into<String>) -> QueryError {
    QueryError::Invalid {
        param: clip(param),
        message: message.into(),
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `text`; the result must be UTF-8.
fn percent_decode(text: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let high = bytes.next().and_then(hex_digit);
        let low = bytes.next().and_then(hex_digit);
        match (high, low) {
            (Some(h), Some(l)) => out.push(h * 16 + l),
            _ => return Err("a `%` is not followed by two hexadecimal digits".into()),
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 once percent-decoded".into())
}

/// The items of a comma-separated list; none may be empty.
fn list(param: &str, value: &str) -> Result<Vec<String>, QueryError> {
    value
        .split(',')
        .map(|item| {
            let item = item.trim();
            if item.is_empty() {
                Err(invalid(param, "an empty value in the comma-separated list"))
            } else {
                Ok(item.to_owned())
            }
        })
        .collect()
}

fn parse_limit(value: &str) -> Result<usize, QueryError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(invalid(
            "limit",
            format!("`{}` is not a positive integer", clip(value)),
        ));
    }
    match value.parse::<usize>() {
        Ok(0) => Err(invalid("limit", "must be at least 1")),
        Ok(n) => Ok(n),
        Err(_) => Ok(usize::MAX),
    }
}

fn parse_version(value: &str) -> Result<VersionMatch, QueryError> {
    Ok(match value {
        "last" => VersionMatch::Last,
        "first" => VersionMatch::First,
        "all" => VersionMatch::All,
        t => VersionMatch::At(Timestamp::parse(t).map_err(|e| {
            invalid(
                "match[version]",
                format!("expected `last`, `first`, `all` or a timestamp: {e}"),
            )
        })?),
    })
}

impl Query {
    /// Parses a raw query string; see the module documentation.
    pub fn parse(raw: &str) -> Result<Query, QueryError> {
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        let mut query = Query::default();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key).map_err(|m| invalid(key, format!("the name {m}")))?;
            let value =
                percent_decode(value).map_err(|m| invalid(&key, format!("the value {m}")))?;
            query.set(&key, &value)?;
        }
        Ok(query)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), QueryError> {
        let once = |given: bool| {
            if given {
                Err(invalid(key, "given more than once"))
            } else {
                Ok(())
            }
        };
        match key {
            "added_after" => {
                once(self.added_after.is_some())?;
                let t = Timestamp::parse(value).map_err(|e| invalid(key, e.to_string()))?;
                self.added_after = Some(t);
            }
            "limit" => {
                once(self.limit.is_some())?;
                self.limit = Some(parse_limit(value)?);
            }
            "next" => {
                once(self.next.is_some())?;
                if value.is_empty() {
                    return Err(invalid(key, "is empty"));
                }
                self.next = Some(value.to_owned());
            }
            "match[id]" => self.ids.extend(list(key, value)?),
            "match[type]" => self.types.extend(list(key, value)?),
            "match[spec_version]" => self.spec_versions.extend(list(key, value)?),
            "match[version]" => {
                for item in list(key, value)? {
                    self.versions.push(parse_version(&item)?);
                }
            }
            k if k.starts_with("match[") => {
                return Err(QueryError::UnknownMatch { param: clip(k) });
            }
            _ => {}
        }
        Ok(())
    }

    /// The filters in a canonical text form (order and repetition of values do
    /// not matter; `match[version]` absent equals `last`); `limit` and `next`
    /// are not part of it.
    pub fn filter_key(&self) -> String {
        fn sorted(items: impl Iterator<Item = String>) -> String {
            let mut items: Vec<String> = items.collect();
            items.sort();
            items.dedup();
            items.join(",")
        }
        let mut versions: Vec<VersionMatch> = self.versions.clone();
        if versions.is_empty() {
            versions.push(VersionMatch::Last);
        }
        format!(
            "added_after={}&id={}&type={}&version={}&spec_version={}",
            self.added_after
                .map(Timestamp::to_rfc3339)
                .unwrap_or_default(),
            sorted(self.ids.iter().cloned()),
            sorted(self.types.iter().cloned()),
            sorted(versions.into_iter().map(VersionMatch::key)),
            sorted(self.spec_versions.iter().cloned()),
        )
    }

    /// A 64-bit FNV-1a hash of [`Query::filter_key`], what a `next` token is bound to.
    pub fn fingerprint(&self) -> u64 {
        self.filter_key()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_filters() {
        let q = Query::parse(
            "?match[type]=indicator,report&limit=2&added_after=2026-01-01T00:00:00Z\
             &match%5Bid%5D=indicator--1&match[version]=first,2026-02-01T00:00:00.5Z\
             &match[spec_version]=2.1&next=abc&other=ignored",
        )
        .unwrap();
        assert_eq!(q.types, ["indicator", "report"]);
        assert_eq!(q.ids, ["indicator--1"]);
        assert_eq!(q.limit, Some(2));
        assert_eq!(q.next.as_deref(), Some("abc"));
        assert_eq!(q.spec_versions, ["2.1"]);
        assert_eq!(
            q.versions,
            [
                VersionMatch::First,
                VersionMatch::At(Timestamp::parse("2026-02-01T00:00:00.500Z").unwrap())
            ]
        );
        assert_eq!(
            q.added_after.unwrap().to_rfc3339(),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(Query::parse("").unwrap(), Query::default());
        let q = Query::parse("match[type]=a&match[type]=b").unwrap();
        assert_eq!(q.types, ["a", "b"]);
        let q = Query::parse("added_after=2026-01-01T01:00:00%2B01:00").unwrap();
        assert_eq!(q.added_after, Timestamp::parse("2026-01-01T00:00:00Z").ok());
    }

    #[test]
    fn errors_name_the_parameter() {
        let cases = [
            ("match[colour]=red", "match[colour]"),
            ("limit=0", "limit"),
            ("limit=-1", "limit"),
            ("limit=ten", "limit"),
            ("limit=1&limit=2", "limit"),
            ("added_after=yesterday", "added_after"),
            ("added_after=2026-01-01", "added_after"),
            ("match[version]=latest", "match[version]"),
            ("match[type]=indicator,,report", "match[type]"),
            ("match[type]=", "match[type]"),
            ("next=", "next"),
            ("match[id]=%zz", "match[id]"),
            ("match[id]=%ff", "match[id]"),
        ];
        for (raw, param) in cases {
            let e = Query::parse(raw).unwrap_err();
            assert_eq!(e.param(), param, "{raw}");
            assert!(e.to_string().contains(param), "{raw}: {e}");
        }
        let e = Query::parse("added_after=yesterday").unwrap_err();
        assert!(e.to_string().contains("RFC 3339"), "{e}");
    }

    #[test]
    fn the_filter_key_ignores_order_limit_and_next() {
        let a = Query::parse("match[type]=indicator,report&limit=2").unwrap();
        let b = Query::parse("match[type]=report&match[type]=indicator&match[version]=last&next=x")
            .unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = Query::parse("match[type]=indicator").unwrap();
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(parse_limit("99999999999999999999999"), Ok(usize::MAX));
    }
}
