//! Credentials on each request, for clients without a browser session: the
//! TAXII 2.1 API (`/taxii2/...`) takes HTTP Basic (the user's e-mail and
//! password) or `Authorization: Bearer <token>` with an API token an
//! organisation admin issued.
//!
//! * Basic costs an Argon2 verification (tens of milliseconds): a TAXII client
//!   sends it with every request, so a verified pair is remembered for
//!   [`VERIFIED_FOR`] as the SHA-256 of the password and the user's current
//!   hash. The hash is part of the key, so a password change (a new salt)
//!   forgets every remembered pair at once; the password itself is never
//!   kept. Failures go through the login throttle and the audit log as a
//!   login's do.
//! * Tokens are looked up by their SHA-256 only (the store keeps no token):
//!   a revoked token, or one of a disabled user, is refused at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64ct::{Base64, Encoding};
use holisec_store::User;
use sha2::{Digest, Sha256};

use crate::extract::now;
use crate::{AppState, ServerError, accounts};

/// How long a verified Basic pair is remembered.
pub const VERIFIED_FOR: Duration = Duration::from_secs(10 * 60);

/// Most remembered pairs; past that the memory is cleared (a full cache
/// means many users, each verified once more).
const MAX_REMEMBERED: usize = 10_000;

/// Verified Basic credentials: SHA-256(password, hash) to when they were verified.
#[derive(Debug, Default)]
pub struct VerifiedCache(Mutex<HashMap<[u8; 32], Instant>>);

impl VerifiedCache {
    fn key(password: &str, hash: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(hash.as_bytes());
        h.update([0]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    fn knows(&self, key: &[u8; 32]) -> bool {
        let Ok(map) = self.0.lock() else {
            return false;
        };
        map.get(key).is_some_and(|at| at.elapsed() < VERIFIED_FOR)
    }

    fn remember(&self, key: [u8; 32]) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_REMEMBERED {
                map.clear();
            }
            map.insert(key, Instant::now());
        }
    }
}

/// What an `Authorization` header carries.
enum Presented {
    Basic { email: String, password: String },
    Bearer(String),
}

/// Reads the `Authorization` header; `None` when there is none.
fn presented(headers: &HeaderMap) -> Result<Option<Presented>, ServerError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ServerError::BadCredentials)?;
    let (scheme, rest) = value.split_once(' ').ok_or(ServerError::BadCredentials)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = Base64::decode_vec(rest).map_err(|_| ServerError::BadCredentials)?;
        let text = String::from_utf8(decoded).map_err(|_| ServerError::BadCredentials)?;
        let (email, password) = text.split_once(':').ok_or(ServerError::BadCredentials)?;
        Ok(Some(Presented::Basic {
            email: email.trim().to_lowercase(),
            password: password.to_owned(),
        }))
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        Ok(Some(Presented::Bearer(rest.to_owned())))
    } else {
        Err(ServerError::BadCredentials)
    }
}

/// The user the request's `Authorization` header names, `None` without one.
pub(crate) async fn user_from_headers(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
) -> Result<Option<User>, ServerError> {
    match presented(headers)? {
        None => Ok(None),
        Some(Presented::Bearer(token)) => {
            let digest = token_digest(&token);
            let user = state
                .with_store(move |s| Ok(s.user_for_token(&digest, &now())?))
                .await?;
            user.filter(|u| !u.disabled)
                .map(Some)
                .ok_or(ServerError::BadCredentials)
        }
        Some(Presented::Basic { email, password }) => {
            basic(state, email, password, address).await.map(Some)
        }
    }
}

async fn basic(
    state: &AppState,
    email: String,
    password: String,
    address: Option<std::net::IpAddr>,
) -> Result<User, ServerError> {
    state
        .throttle
        .check(&email, address)
        .map_err(ServerError::Throttled)?;
    let key_email = email.clone();
    let row = state
        .read(move |s| Ok(s.user_for_login(&key_email)?))
        .await?;
    let remembered = row
        .as_ref()
        .map(|(_, hash)| VerifiedCache::key(&password, hash));
    if let (Some((user, _)), Some(key)) = (&row, &remembered)
        && !user.disabled
        && state.verified.knows(key)
    {
        return Ok(user.clone());
    }
    let (row, matches) = accounts::verify_login(row, password).await?;
    match row {
        Some((user, _)) if matches && !user.disabled => {
            if let Some(key) = remembered {
                state.verified.remember(key);
            }
            state.throttle.succeeded(&email);
            Ok(user)
        }
        other => {
            state.throttle.failed(&email, address);
            let (user, org) =
                other.map_or((None, None), |(u, _)| (Some(u.id), Some(u.organisation_id)));
            let shown: String = email.chars().take(100).collect();
            state
                .with_store(move |s| {
                    Ok(s.audit(
                        &now(),
                        user,
                        org,
                        "login-failed",
                        &format!("HTTP Basic for {shown:?}"),
                    )?)
                })
                .await?;
            Err(ServerError::BadCredentials)
        }
    }
}

/// The SHA-256 (hex) under which a token is stored.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn basic_and_bearer_are_read_and_anything_else_refused() {
        let basic = format!("Basic {}", Base64::encode_string(b"Ana@X.example:pa:ss"));
        match presented(&headers(&basic)).unwrap() {
            Some(Presented::Basic { email, password }) => {
                assert_eq!(email, "ana@x.example");
                // Only the first colon separates: passwords may hold colons.
                assert_eq!(password, "pa:ss");
            }
            _ => panic!("not read as Basic"),
        }
        assert!(matches!(
            presented(&headers("bearer abc")).unwrap(),
            Some(Presented::Bearer(t)) if t == "abc"
        ));
        for bad in [
            "Basic !!!",
            "Basic",
            "Digest x",
            "Bearer  ",
            "Basic bm9jb2xvbg==",
        ] {
            assert!(presented(&headers(bad)).is_err(), "{bad}");
        }
        assert!(presented(&HeaderMap::new()).unwrap().is_none());
    }

    #[test]
    fn a_remembered_pair_is_forgotten_when_the_hash_changes() {
        let cache = VerifiedCache::default();
        let key = VerifiedCache::key("secret", "$argon2id$old");
        cache.remember(key);
        assert!(cache.knows(&key));
        assert!(!cache.knows(&VerifiedCache::key("secret", "$argon2id$new")));
        assert!(!cache.knows(&VerifiedCache::key("other", "$argon2id$old")));
    }

    #[test]
    fn token_digests_are_hex_sha256() {
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
