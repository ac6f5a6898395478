//! Filtering and pagination of stored objects (TAXII 2.1 sections 3.4, 3.5 and 5.3).
//!
//! [`page`] takes the objects of one collection (already scoped to what the
//! requester may read), applies the filters of a [`Query`] and returns one
//! page in `date_added` order.
//!
//! The order is (`date_added`, `seq`): `seq` is a number the store assigns at
//! insertion, so objects added in the same instant (one POST adds many) still
//! have a total, stable order. The `next` token names the position of the last
//! object of the page as that pair, so the following page starts strictly
//! after it: no object of a shared timestamp is lost or repeated, and objects
//! added meanwhile land after the cursor instead of shifting an offset. The
//! token also carries [`Query::fingerprint`], the hash of the filters; a
//! `next` with other filters is refused ([`NextError::FiltersChanged`]),
//! because the position means nothing in another result set and a client that
//! drops its filters on page 2 must hear so. `limit` may change between pages.
//!
//! Filters apply in this order: `match[id]`, `match[type]`,
//! `match[spec_version]` (by default the latest spec version of each object
//! version), `match[version]` (by default `last`, the newest version of each
//! object among those left), then `added_after` (strictly after), then the
//! cursor. So `added_after` with `last` yields the objects whose newest
//! version was added after the instant, not older versions.
//!
//! The token is 66 lowercase hexadecimal digits: a format byte (1), the
//! position's `date_added` in nanoseconds since the epoch (16 bytes), `seq`
//! (8 bytes) and the fingerprint (8 bytes), all big-endian. It is opaque to
//! clients and not a secret; it grants nothing the filters would not.

use std::collections::BTreeMap;

use serde_json::Value;

use super::query::{Query, VersionMatch};
use super::resources::{Envelope, Manifest, ManifestRecord, Versions};
use super::timestamp::{Timestamp, clip};

/// The header with the `date_added` of the first object of a page.
pub const HEADER_DATE_ADDED_FIRST: &str = "X-TAXII-Date-Added-First";

/// The header with the `date_added` of the last object of a page.
pub const HEADER_DATE_ADDED_LAST: &str = "X-TAXII-Date-Added-Last";

/// One stored version of a STIX object.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    /// Its STIX id.
    pub id: String,
    /// Its STIX type.
    pub stix_type: String,
    /// Its version: `modified`, else `created`, else `date_added` (for SCOs).
    pub version: Timestamp,
    /// When the server added it.
    pub date_added: Timestamp,
    /// Insertion sequence number, unique in the collection; breaks ties of `date_added`.
    pub seq: i64,
    /// Its `spec_version` (`2.1`).
    pub spec_version: String,
    /// The object itself.
    pub json: Value,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    /// The objects, in (`date_added`, `seq`) order.
    pub objects: Vec<&'a StoredObject>,
    /// Whether more objects follow.
    pub more: bool,
    /// The `next` value for the following page (when `more`).
    pub next: Option<String>,
    /// The `date_added` of the first object.
    pub date_added_first: Option<Timestamp>,
    /// The `date_added` of the last object.
    pub date_added_last: Option<Timestamp>,
}

/// A `next` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NextError {
    /// Not a token this server produces.
    #[error(
        "query parameter `next`: `{token}` is not a next value this server gave out; \
         repeat the request without `next` to start from the beginning"
    )]
    Malformed {
        /// The value (clipped).
        token: String,
    },
    /// A token of a request with other filters.
    #[error(
        "query parameter `next`: this next value belongs to a request with other filters \
         (added_after, match[id], match[type], match[version], match[spec_version]); \
         send the same filters as the request that returned it, or start again without `next`"
    )]
    FiltersChanged,
}

/// A position in (`date_added` in nanoseconds, `seq`) order.
type Position = (i128, i64);

fn position(o: &StoredObject) -> Position {
    (o.date_added.unix_nanos(), o.seq)
}

fn encode_token(at: Position, fingerprint: u64) -> String {
    let mut bytes = vec![1_u8];
    bytes.extend_from_slice(&at.0.to_be_bytes());
    bytes.extend_from_slice(&at.1.to_be_bytes());
    bytes.extend_from_slice(&fingerprint.to_be_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str) -> Option<(Position, u64)> {
    if token.len() != 66 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..33)
        .map(|i| {
            token
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()?;
    let (format, rest) = bytes.split_first()?;
    let (nanos, rest) = rest.split_first_chunk::<16>()?;
    let (seq, rest) = rest.split_first_chunk::<8>()?;
    let fingerprint: [u8; 8] = rest.try_into().ok()?;
    (*format == 1).then(|| {
        (
            (i128::from_be_bytes(*nanos), i64::from_be_bytes(*seq)),
            u64::from_be_bytes(fingerprint),
        )
    })
}

/// `2.1` as (2, 1) so that `2.10` sorts after `2.9`; anything else after them, by text.
fn spec_order(spec: &str) -> (u64, u64, &str) {
    let parsed = spec
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    match parsed {
        Some((major, minor)) => (major, minor, ""),
        None => (u64::MAX, u64::MAX, spec),
    }
}

/// The objects `match[id]`, `match[type]` and `match[spec_version]` keep.
fn by_id_type_spec<'a>(objects: &'a [StoredObject], query: &Query) -> Vec<&'a StoredObject> {
    let wanted = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let kept: Vec<&StoredObject> = objects
        .iter()
        .filter(|o| wanted(&query.ids, &o.id) && wanted(&query.types, &o.stix_type))
        .filter(|o| wanted(&query.spec_versions, &o.spec_version))
        .collect();
    if !query.spec_versions.is_empty() {
        return kept;
    }
    let mut latest: BTreeMap<(&str, Timestamp), (u64, u64, &str)> = BTreeMap::new();
    for o in &kept {
        let order = spec_order(&o.spec_version);
        let entry = latest.entry((o.id.as_str(), o.version)).or_insert(order);
        if order > *entry {
            *entry = order;
        }
    }
    kept.into_iter()
        .filter(|o| latest.get(&(o.id.as_str(), o.version)) == Some(&spec_order(&o.spec_version)))
        .collect()
}

/// The objects `match[version]` keeps (default `last`).
fn by_version<'a>(
    objects: Vec<&'a StoredObject>,
    versions: &[VersionMatch],
) -> Vec<&'a StoredObject> {
    let mut range: BTreeMap<&str, (Timestamp, Timestamp)> = BTreeMap::new();
    for o in &objects {
        let r = range.entry(o.id.as_str()).or_insert((o.version, o.version));
        r.0 = r.0.min(o.version);
        r.1 = r.1.max(o.version);
    }
    let default = [VersionMatch::Last];
    let versions = if versions.is_empty() {
        &default[..]
    } else {
        versions
    };
    objects
        .into_iter()
        .filter(|o| {
            let Some(&(first, last)) = range.get(o.id.as_str()) else {
                return false;
            };
            versions.iter().any(|v| match v {
                VersionMatch::First => o.version == first,
                VersionMatch::Last => o.version == last,
                VersionMatch::All => true,
                VersionMatch::At(t) => o.version == *t,
            })
        })
        .collect()
}

/// One page of `objects` under `query`, at most `max_limit` objects (at least 1)
/// whatever `limit` the client asks for. See the module documentation.
pub fn page<'a>(
    objects: &'a [StoredObject],
    query: &Query,
    max_limit: usize,
) -> Result<Page<'a>, NextError> {
    let fingerprint = query.fingerprint();
    let cursor = match query.next.as_deref() {
        None => None,
        Some(token) => {
            let (at, bound_to) =
                decode_token(token).ok_or_else(|| NextError::Malformed { token: clip(token) })?;
            if bound_to != fingerprint {
                return Err(NextError::FiltersChanged);
            }
            Some(at)
        }
    };
    let mut kept = by_version(by_id_type_spec(objects, query), &query.versions);
    kept.retain(|o| query.added_after.is_none_or(|t| o.date_added > t));
    kept.retain(|o| cursor.is_none_or(|at| position(o) > at));
    kept.sort_by(|a, b| position(a).cmp(&position(b)).then_with(|| a.id.cmp(&b.id)));
    let limit = query.limit.unwrap_or(max_limit).min(max_limit).max(1);
    let more = kept.len() > limit;
    kept.truncate(limit);
    let next = more
        .then(|| kept.last().map(|o| encode_token(position(o), fingerprint)))
        .flatten();
    Ok(Page {
        date_added_first: kept.first().map(|o| o.date_added),
        date_added_last: kept.last().map(|o| o.date_added),
        objects: kept,
        more,
        next,
    })
}

impl Page<'_> {
    /// The `X-TAXII-Date-Added-First` and `-Last` headers (none for an empty page),
    /// values in RFC 3339 ([`Timestamp::to_rfc3339`]).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(t) = self.date_added_first {
            headers.push((HEADER_DATE_ADDED_FIRST, t.to_rfc3339()));
        }
        if let Some(t) = self.date_added_last {
            headers.push((HEADER_DATE_ADDED_LAST, t.to_rfc3339()));
        }
        headers
    }

    /// The page as an envelope (`objects` left out when empty).
    pub fn envelope(&self) -> Envelope {
        Envelope {
            more: Some(self.more),
            next: self.next.clone(),
            objects: (!self.objects.is_empty())
                .then(|| self.objects.iter().map(|o| o.json.clone()).collect()),
        }
    }

    /// The page as a manifest.
    pub fn manifest(&self) -> Manifest {
        let records = self.objects.iter().map(|o| ManifestRecord {
            id: o.id.clone(),
            date_added: o.date_added,
            version: o.version,
            media_type: Some(format!("application/stix+json;version={}", o.spec_version)),
        });
        Manifest {
            more: Some(self.more),
            objects: (!self.objects.is_empty()).then(|| records.collect()),
        }
    }

    /// The page as a versions resource (query it with `match[version]=all`).
    pub fn versions(&self) -> Versions {
        Versions {
            more: Some(self.more),
            versions: (!self.objects.is_empty())
                .then(|| self.objects.iter().map(|o| o.version).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::taxii::timestamp::is_strict_rfc3339_utc;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn object(id: &str, version: &str, added: &str, seq: i64) -> StoredObject {
        let stix_type = id.split("--").next().unwrap_or_default().to_owned();
        StoredObject {
            id: id.into(),
            stix_type,
            version: ts(version),
            date_added: ts(added),
            seq,
            spec_version: "2.1".into(),
            json: json!({"id": id, "modified": version}),
        }
    }

    /// Five objects, three of them added in the same instant.
    fn five() -> Vec<StoredObject> {
        vec![
            object(
                "indicator--a",
                "2026-01-01T00:00:00Z",
                "2026-02-01T00:00:00Z",
                1,
            ),
            object(
                "report--b",
                "2026-01-01T00:00:00Z",
                "2026-02-02T00:00:00Z",
                2,
            ),
            object(
                "indicator--c",
                "2026-01-01T00:00:00Z",
                "2026-02-02T00:00:00Z",
                3,
            ),
            object(
                "malware--d",
                "2026-01-01T00:00:00Z",
                "2026-02-02T00:00:00Z",
                4,
            ),
            object(
                "indicator--e",
                "2026-01-01T00:00:00Z",
                "2026-02-03T00:00:00.123456Z",
                5,
            ),
        ]
    }

    /// Follows `next` from `raw` to the end; the ids of each page.
    fn all_pages(objects: &[StoredObject], raw: &str) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut query = Query::parse(raw).unwrap();
        loop {
            let page = page(objects, &query, 100).unwrap();
            pages.push(page.objects.iter().map(|o| o.id.clone()).collect());
            assert_eq!(page.more, page.next.is_some());
            match page.next {
                Some(next) => query.next = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn pages_of_two_keep_shared_timestamps_exactly_once_in_order() {
        let pages = all_pages(&five(), "limit=2");
        assert_eq!(
            pages,
            [
                vec!["indicator--a", "report--b"],
                vec!["indicator--c", "malware--d"],
                vec!["indicator--e"],
            ]
        );
        // Insertion order (seq) decides within a timestamp, even against the storage order.
        let mut shuffled = five();
        shuffled.reverse();
        assert_eq!(all_pages(&shuffled, "limit=2"), pages);
    }

    #[test]
    fn next_with_other_filters_is_refused() {
        let objects = five();
        let first = page(
            &objects,
            &Query::parse("match[type]=indicator&limit=1").unwrap(),
            100,
        )
        .unwrap();
        let next = first.next.unwrap();
        let changed =
            Query::parse(&format!("match[type]=indicator,report&limit=1&next={next}")).unwrap();
        let e = page(&objects, &changed, 100).unwrap_err();
        assert_eq!(e, NextError::FiltersChanged);
        assert!(e.to_string().contains("match[type]"), "{e}");
        let dropped = Query::parse(&format!("next={next}")).unwrap();
        assert_eq!(
            page(&objects, &dropped, 100),
            Err(NextError::FiltersChanged)
        );
        // Another limit is fine.
        let same = Query::parse(&format!("match[type]=indicator&limit=5&next={next}")).unwrap();
        let rest: Vec<&str> = page(&objects, &same, 100)
            .unwrap()
            .objects
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(rest, ["indicator--c", "indicator--e"]);
        for bad in ["x", "zz", &"0".repeat(66), &next[..64]] {
            let q = Query::parse(&format!("next={bad}")).unwrap();
            assert!(
                matches!(page(&objects, &q, 100), Err(NextError::Malformed { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn added_after_is_strictly_after() {
        let objects = five();
        let q = Query::parse("added_after=2026-02-02T00:00:00Z").unwrap();
        let p = page(&objects, &q, 100).unwrap();
        assert_eq!(p.objects.len(), 1);
        assert_eq!(p.objects[0].id, "indicator--e");
        // The last header fed back as added_after gives nothing more, not the same object again.
        let q = Query::parse(&format!("added_after={}", p.headers()[1].1)).unwrap();
        assert!(page(&objects, &q, 100).unwrap().objects.is_empty());
    }

    #[test]
    fn versions_last_first_all_and_exact() {
        let objects = vec![
            object(
                "indicator--a",
                "2026-01-01T00:00:00Z",
                "2026-02-01T00:00:00Z",
                1,
            ),
            object(
                "indicator--a",
                "2026-01-02T00:00:00Z",
                "2026-02-02T00:00:00Z",
                2,
            ),
            object(
                "indicator--a",
                "2026-01-03T00:00:00Z",
                "2026-02-03T00:00:00Z",
                3,
            ),
            object(
                "report--b",
                "2026-01-05T00:00:00Z",
                "2026-02-04T00:00:00Z",
                4,
            ),
        ];
        let versions = |raw: &str| -> Vec<(String, String)> {
            let p = page(&objects, &Query::parse(raw).unwrap(), 100).unwrap();
            p.objects
                .iter()
                .map(|o| (o.id.clone(), o.version.to_rfc3339()))
                .collect()
        };
        let last = versions("");
        assert_eq!(last, versions("match[version]=last"));
        assert_eq!(
            last,
            [
                ("indicator--a".into(), "2026-01-03T00:00:00.000Z".into()),
                ("report--b".into(), "2026-01-05T00:00:00.000Z".into())
            ]
        );
        assert_eq!(
            versions("match[version]=first")[0].1,
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(versions("match[version]=all").len(), 4);
        assert_eq!(versions("match[version]=first,last").len(), 3);
        assert_eq!(
            versions("match[version]=2026-01-02T00:00:00Z"),
            [("indicator--a".into(), "2026-01-02T00:00:00.000Z".into())]
        );
        // `first` is the object's first version, not the first one added after the instant.
        assert!(
            versions("added_after=2026-02-01T00:00:00Z&match[type]=indicator&match[version]=first")
                .is_empty()
        );
    }

    #[test]
    fn spec_version_defaults_to_the_latest() {
        let mut old = object(
            "indicator--a",
            "2026-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            1,
        );
        old.spec_version = "2.0".into();
        let new = object(
            "indicator--a",
            "2026-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            2,
        );
        let objects = vec![old, new];
        let specs = |raw: &str| -> Vec<String> {
            let p = page(&objects, &Query::parse(raw).unwrap(), 100).unwrap();
            p.objects.iter().map(|o| o.spec_version.clone()).collect()
        };
        assert_eq!(specs(""), ["2.1"]);
        assert_eq!(specs("match[spec_version]=2.0"), ["2.0"]);
        assert_eq!(specs("match[spec_version]=2.0,2.1"), ["2.0", "2.1"]);
    }

    #[test]
    fn headers_are_rfc3339_and_the_limit_is_capped() {
        let objects = five();
        let p = page(&objects, &Query::parse("limit=1000").unwrap(), 3).unwrap();
        assert_eq!(p.objects.len(), 3);
        assert!(p.more);
        let headers = p.headers();
        assert_eq!(
            headers,
            [
                (
                    HEADER_DATE_ADDED_FIRST,
                    "2026-02-01T00:00:00.000Z".to_owned()
                ),
                (
                    HEADER_DATE_ADDED_LAST,
                    "2026-02-02T00:00:00.000Z".to_owned()
                )
            ]
        );
        let p = page(&objects, &Query::default(), 0).unwrap();
        assert_eq!(p.objects.len(), 1, "a max_limit of 0 still makes progress");
        let all = page(&objects, &Query::default(), 100).unwrap();
        for (_, value) in all.headers() {
            assert!(is_strict_rfc3339_utc(&value), "{value}");
        }
        assert_eq!(all.headers()[1].1, "2026-02-03T00:00:00.123456Z");
        let envelope = serde_json::to_value(all.envelope()).unwrap();
        assert_eq!(envelope["more"], false);
        assert!(envelope.get("next").is_none());
        assert_eq!(envelope["objects"].as_array().map(Vec::len), Some(5));
        let manifest = serde_json::to_value(all.manifest()).unwrap();
        assert_eq!(
            manifest["objects"][0]["media_type"],
            "application/stix+json;version=2.1"
        );
        assert_eq!(
            manifest["objects"][0]["date_added"],
            "2026-02-01T00:00:00.000Z"
        );
        let empty = page(&[], &Query::default(), 10).unwrap();
        assert!(empty.headers().is_empty());
        assert_eq!(
            serde_json::to_value(empty.envelope()).unwrap(),
            json!({"more": false})
        );
    }

    proptest::proptest! {
        /// Whatever the timestamps, seqs and page size, following `next` yields
        /// every object exactly once, in (date_added, seq) order.
        #[test]
        fn following_next_yields_everything_once(
            added in proptest::collection::vec(0_i64..4, 0..30),
            limit in 1_usize..7,
        ) {
            let objects: Vec<StoredObject> = added
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let added = format!("2026-02-0{}T00:00:00Z", day + 1);
                    let seq = i64::try_from(i).unwrap_or_default();
                    object(&format!("indicator--{i:03}"), "2026-01-01T00:00:00Z", &added, seq)
                })
                .collect();
            let pages = all_pages(&objects, &format!("limit={limit}"));
            let seen: Vec<String> = pages.concat();
            let mut expected: Vec<&StoredObject> = objects.iter().collect();
            expected.sort_by_key(|o| (o.date_added, o.seq));
            let expected: Vec<String> = expected.iter().map(|o| o.id.clone()).collect();
            proptest::prop_assert_eq!(seen, expected);
        }
    }
}
