//! Media types of TAXII 2.1 and content negotiation.
//!
//! Every TAXII 2.1 endpoint answers `application/taxii+json;version=2.1`
//! ([`Kind::Taxii`], envelopes included); [`Kind::Stix`] is for a plain STIX
//! bundle (`application/stix+json;version=2.1`), e.g. a download.
//!
//! [`negotiate`] reads an `Accept` header the way RFC 9110 section 12.5.1
//! says: entries separated by commas, parameters by semicolons (spaces
//! around either are fine), parameter names and media types case-insensitive,
//! quoted values unquoted, `q` weights. The most specific entry that matches
//! decides: `application/taxii+json;version=2.1` over
//! `application/taxii+json` (no version: the client takes the latest, 2.1)
//! over `application/*` over `*/*`; it must have `q` above 0. An entry for
//! another version (`version=2.0`) or another type never matches, so a header
//! with only those is refused (406). A missing or blank header takes the
//! default. Malformed entries are skipped rather than failing the request.
//!
//! [`content_type_ok`] checks the `Content-Type` of a POST: exactly one media
//! type, the expected one, without version or with `version=2.1`; other
//! parameters (`charset=utf-8`) are ignored; no wildcards.

/// The media type of every TAXII 2.1 resource.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The media type of STIX 2.1 content.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// What an endpoint produces (or a POST carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A TAXII 2.1 resource (discovery, API root, collections, envelope, manifest, status, error).
    Taxii,
    /// A STIX 2.1 bundle.
    Stix,
}

impl Kind {
    /// The full media type, with `version=2.1`.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Taxii => TAXII_MEDIA_TYPE,
            Kind::Stix => STIX_MEDIA_TYPE,
        }
    }

    fn subtype(self) -> &'static str {
        match self {
            Kind::Taxii => "taxii+json",
            Kind::Stix => "stix+json",
        }
    }
}

/// The `Accept` header allows nothing the endpoint produces (HTTP 406).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not acceptable: the Accept header `{accept}` allows no media type this endpoint produces; \
     send `Accept: {offered}` (this server speaks TAXII 2.1, not 2.0)"
)]
pub struct NotAcceptable {
    /// The header as received (clipped).
    pub accept: String,
    /// The media type the endpoint produces.
    pub offered: &'static str,
}

/// The `Content-Type` of a request body is missing or not the expected one (HTTP 415).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedMediaType {
    /// No `Content-Type` header.
    #[error("the request has no Content-Type; send `Content-Type: {expected}`")]
    Missing {
        /// The expected media type.
        expected: &'static str,
    },
    /// Another media type, or another version.
    #[error("unsupported Content-Type `{content_type}`; send `Content-Type: {expected}`")]
    Wrong {
        /// The header as received (clipped).
        content_type: String,
        /// The expected media type.
        expected: &'static str,
    },
}

/// One parsed media range of an `Accept` or `Content-Type` header.
#[derive(Debug, PartialEq)]
struct MediaRange {
    main: String,
    sub: String,
    version: Option<String>,
    q: f64,
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Parses `type/subtype *( ";" name=value )`; `None` when malformed.
fn parse_range(entry: &str) -> Option<MediaRange> {
    let mut parts = entry.split(';');
    let (main, sub) = parts.next()?.trim().split_once('/')?;
    let (main, sub) = (main.trim(), sub.trim());
    let token = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
    if !token(main) || !token(sub) {
        return None;
    }
    let mut range = MediaRange {
        main: main.to_ascii_lowercase(),
        sub: sub.to_ascii_lowercase(),
        version: None,
        q: 1.0,
    };
    for parameter in parts {
        if parameter.trim().is_empty() {
            continue;
        }
        let (name, value) = parameter.split_once('=')?;
        let value = unquote(value);
        match name.trim().to_ascii_lowercase().as_str() {
            "version" => range.version = Some(value.to_owned()),
            "q" => {
                let q: f64 = value.parse().ok()?;
                if !(0.0..=1.0).contains(&q) {
                    return None;
                }
                range.q = q;
            }
            _ => {}
        }
    }
    Some(range)
}

/// How specifically `range` names what `kind` produces; `None` when it does not match it.
fn specificity(range: &MediaRange, kind: Kind) -> Option<u8> {
    match (range.main.as_str(), range.sub.as_str()) {
        ("*", "*") => Some(0),
        ("application", "*") => Some(1),
        ("application", sub) if sub == kind.subtype() => match range.version.as_deref() {
            None => Some(2),
            Some("2.1") => Some(3),
            Some(_) => None,
        },
        _ => None,
    }
}

/// The media type to answer with, given the request's `Accept` header and what
/// the endpoint produces; see the module documentation for what is accepted.
pub fn negotiate(accept: Option<&str>, produces: Kind) -> Result<&'static str, NotAcceptable> {
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        return Ok(produces.media_type());
    };
    let mut best: Option<(u8, f64)> = None;
    for range in header.split(',').filter_map(parse_range) {
        if let Some(s) = specificity(&range, produces) {
            let better = match best {
                None => true,
                Some((bs, bq)) => s > bs || (s == bs && range.q > bq),
            };
            if better {
                best = Some((s, range.q));
            }
        }
    }
    match best {
        Some((_, q)) if q > 0.0 => Ok(produces.media_type()),
        _ => Err(NotAcceptable {
            accept: super::timestamp::clip(header),
            offered: produces.media_type(),
        }),
    }
}

/// Checks the `Content-Type` of a request body that must be `expects`.
pub fn content_type_ok(
    content_type: Option<&str>,
    expects: Kind,
) -> Result<(), UnsupportedMediaType> {
    let expected = expects.media_type();
    let Some(header) = content_type.filter(|h| !h.trim().is_empty()) else {
        return Err(UnsupportedMediaType::Missing { expected });
    };
    let ok = !header.contains(',')
        && parse_range(header).is_some_and(|r| {
            r.main == "application"
                && r.sub == expects.subtype()
                && matches!(r.version.as_deref(), None | Some("2.1"))
        });
    if ok {
        Ok(())
    } else {
        Err(UnsupportedMediaType::Wrong {
            content_type: super::timestamp::clip(header),
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_clients_send() {
        for accept in [
            "application/taxii+json;version=2.1",
            "application/taxii+json",
            "application/taxii+json ; version=2.1",
            "application/taxii+json;version=\"2.1\"",
            "Application/TAXII+JSON; Version=2.1",
            "application/taxii+json;version=2.1;q=0.9",
            "*/*",
            "application/*",
            "application/json, */*;q=0.1",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/taxii+json;version=2.0, application/taxii+json;version=2.1",
            "application/taxii+json;version=2.0,*/*",
            "   ",
        ] {
            assert_eq!(
                negotiate(Some(accept), Kind::Taxii),
                Ok(TAXII_MEDIA_TYPE),
                "{accept}"
            );
        }
        assert_eq!(negotiate(None, Kind::Taxii), Ok(TAXII_MEDIA_TYPE));
        assert_eq!(negotiate(None, Kind::Stix), Ok(STIX_MEDIA_TYPE));
        assert_eq!(
            negotiate(Some("application/stix+json;version=2.1"), Kind::Stix),
            Ok(STIX_MEDIA_TYPE)
        );
    }

    #[test]
    fn refuses_other_versions_and_types() {
        for accept in [
            "application/taxii+json;version=2.0",
            "application/vnd.oasis.taxii+json; version=2.0",
            "application/json",
            "text/html",
            "application/stix+json;version=2.1",
            "application/taxii+json;version=2.1;q=0",
            "application/taxii+json;q=0, */*",
            "*/*;q=0",
            "garbage",
        ] {
            let e = negotiate(Some(accept), Kind::Taxii).unwrap_err();
            assert!(e.to_string().contains(TAXII_MEDIA_TYPE), "{e}");
        }
        assert!(negotiate(Some(TAXII_MEDIA_TYPE), Kind::Stix).is_err());
    }

    #[test]
    fn the_most_specific_entry_decides() {
        // q=0 on the exact type overrides the wildcard.
        assert!(
            negotiate(
                Some("*/*, application/taxii+json;version=2.1;q=0"),
                Kind::Taxii
            )
            .is_err()
        );
        // A malformed q skips only its entry.
        assert!(negotiate(Some("application/taxii+json;q=x, */*"), Kind::Taxii).is_ok());
        assert!(negotiate(Some("application/taxii+json;q=2"), Kind::Taxii).is_err());
    }

    #[test]
    fn content_type_of_posts() {
        for ct in [
            "application/taxii+json;version=2.1",
            "application/taxii+json",
            "application/taxii+json; version=2.1",
            "application/taxii+json;version=\"2.1\"",
            "application/taxii+json; charset=utf-8; version=2.1",
        ] {
            assert_eq!(content_type_ok(Some(ct), Kind::Taxii), Ok(()), "{ct}");
        }
        for ct in [
            "application/json",
            "application/taxii+json;version=2.0",
            "application/stix+json;version=2.1",
            "*/*",
            "application/*",
            "text/plain",
            "application/taxii+json, application/json",
        ] {
            let e = content_type_ok(Some(ct), Kind::Taxii).unwrap_err();
            assert!(
                matches!(e, UnsupportedMediaType::Wrong { .. })
                    && e.to_string().contains(TAXII_MEDIA_TYPE),
                "{ct}: {e}"
            );
        }
        assert_eq!(
            content_type_ok(None, Kind::Taxii),
            Err(UnsupportedMediaType::Missing {
                expected: TAXII_MEDIA_TYPE
            })
        );
    }
}
