//! Accounts: organisation kinds checked against the model, the password
//! policy, Argon2id hashing and verification. Shared by `holisec admin` and
//! the server's login, so both apply the same rules.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use holisec_model::model::StakeholderKind;
use holisec_store::{NewUser, OrgRecord, Role, Store, User};

use crate::ServerError;

/// Fewest characters in a password (ASVS 6.2.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters in a password (ASVS 6.2.9 asks for at least 64); never truncated.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The stakeholder kind spelt `kind` in model files, or an error listing the
/// kinds with a "did you mean".
pub fn parse_kind(kind: &str) -> Result<StakeholderKind, ServerError> {
    let k = kind.trim();
    if let Some(found) = StakeholderKind::ALL.iter().find(|s| s.as_str() == k) {
        return Ok(*found);
    }
    let names = StakeholderKind::ALL.iter().map(|s| s.as_str());
    let hint = holisec_model::diag::did_you_mean(&k.to_lowercase(), names.clone())
        .map(|h| format!("did you mean `{h}`? "))
        .unwrap_or_default();
    Err(ServerError::invalid(
        "kind",
        format!(
            "unknown organisation kind `{k}`; {hint}expected one of: {}",
            names.collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// The weakest zxcvbn score accepted: 3, "safely unguessable" (about 10^8
/// guesses or more), so the common passwords of its lists and guessable
/// variations of them are refused.
pub const MIN_PASSWORD_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Checks the password policy: 8 to 128 characters (Unicode scalar values),
/// no composition rules, nothing trimmed, and not guessable (ASVS 6.2.4,
/// 6.2.11): zxcvbn with its lists of common passwords, names and words, and
/// `context` (the user's email, the organisation's name, the product's name)
/// as words an attacker would try first.
pub fn check_password(password: &str, context: &[&str]) -> Result<(), ServerError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(ServerError::invalid(
            "password",
            format!("the password has {n} characters; use at least {MIN_PASSWORD_CHARS}"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(ServerError::invalid(
            "password",
            format!("the password has {n} characters; use at most {MAX_PASSWORD_CHARS}"),
        ));
    }
    let words = context_words(context);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(password, &words);
    if entropy.score() < MIN_PASSWORD_SCORE {
        let mut why = "the password is too easy to guess".to_owned();
        if let Some(f) = entropy.feedback() {
            if let Some(w) = f.warning() {
                why.push_str(&format!(" ({w})"));
            }
            let tips: Vec<String> = f.suggestions().iter().map(ToString::to_string).collect();
            if !tips.is_empty() {
                why.push_str(&format!("; {}", tips.join(" ")));
            }
        }
        why.push_str("; a few unrelated words make a strong one");
        return Err(ServerError::invalid("password", why));
    }
    Ok(())
}

/// The words of `context` an attacker would try: each word, lower case, and
/// each phrase with its spaces and punctuation removed (`St Mary` gives
/// `st`, `mary` and `stmary`; an email gives its name and its domain's parts).
fn context_words(context: &[&str]) -> Vec<String> {
    let mut words = vec!["holisec".to_owned()];
    for phrase in context {
        let lower = phrase.to_lowercase();
        let parts: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.extend(parts.iter().map(|w| (*w).to_owned()));
        if let Some((name, _)) = lower.split_once('@') {
            words.push(name.chars().filter(|c| c.is_alphanumeric()).collect());
        }
        words.push(parts.concat());
    }
    words.retain(|w| w.chars().count() >= 3);
    words.sort();
    words.dedup();
    words
}

/// Argon2id hash (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1)
/// with a random salt, as a PHC string. Checks the policy first, with
/// `context` as in [`check_password`].
pub fn hash_password(password: &str, context: &[&str]) -> Result<String, ServerError> {
    check_password(password, context)?;
    PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Internal(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// What a session remembers of the password it was opened with: the salt
/// of its hash (not secret; a new one at every change). A session whose
/// stamp differs from the user's current hash ends at its next request, so a
/// password change ends the user's other sessions (ASVS 7.4.3).
pub fn credential_stamp(hash: &str) -> String {
    PasswordHash::new(hash)
        .ok()
        .and_then(|h| h.salt.map(|salt| salt.to_string()))
        .unwrap_or_default()
}

/// Verifies `password` against the stored row of a login (Argon2, on a
/// blocking thread); an unknown email (`None`) costs one verification too,
/// against [`dummy_hash`], so its answer takes as long as a wrong password's.
pub(crate) async fn verify_login(
    row: Option<(holisec_store::User, String)>,
    password: String,
) -> Result<(Option<(holisec_store::User, String)>, bool), ServerError> {
    tokio::task::spawn_blocking(move || {
        let hash = row.as_ref().map_or(dummy_hash(), |(_, h)| h.as_str());
        let matches = verify_password(&password, hash);
        (row, matches)
    })
    .await
    .map_err(|e| ServerError::Internal(format!("password check failed: {e}")))
}

/// A fixed hash verified when the email is unknown, so an unknown email costs
/// as much time as a wrong password.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        PasswordHasher::<PasswordHash>::hash_password(
            &Argon2::default(),
            b"holisec dummy password for timing",
        )
        .map(|h| h.to_string())
        .unwrap_or_default()
    })
}

/// Creates an organisation of a model stakeholder kind, with an audit entry.
pub fn create_org(
    store: &mut Store,
    name: &str,
    kind: &str,
    now: &str,
) -> Result<OrgRecord, ServerError> {
    let kind = parse_kind(kind)?;
    let org = store.create_organisation(name, kind.as_str(), now)?;
    store.audit(
        now,
        None,
        Some(org.id),
        "create-org",
        &format!("{} ({})", org.name, org.kind),
    )?;
    Ok(org)
}

/// Creates a user of the organisation named `org` (whatever its case) with
/// `role` and a password hashed here, with an audit entry.
pub fn create_user(
    store: &mut Store,
    email: &str,
    org: &str,
    role: &str,
    password: &str,
    now: &str,
) -> Result<User, ServerError> {
    let role: Role = role.trim().parse()?;
    let Some(o) = store.organisation_by_name(org)? else {
        let all = store.organisation_records()?;
        let lower: Vec<String> = all.iter().map(|o| o.name.to_lowercase()).collect();
        let hint = holisec_model::diag::did_you_mean(
            &org.trim().to_lowercase(),
            lower.iter().map(String::as_str),
        )
        .and_then(|l| all.iter().find(|o| o.name.to_lowercase() == l))
        .map(|o| format!("; did you mean `{}`?", o.name))
        .unwrap_or_else(|| {
            if all.is_empty() {
                "; `holisec admin create-org` creates one".to_owned()
            } else {
                String::new()
            }
        });
        return Err(ServerError::invalid(
            "org",
            format!("no organisation `{}`{hint}", org.trim()),
        ));
    };
    holisec_store::normalise_email(email)?;
    let hash = hash_password(password, &[email, &o.name])?;
    let user = store.create_user(&NewUser {
        email,
        organisation_id: o.id,
        role,
        password_hash: &hash,
        now,
    })?;
    store.audit(
        now,
        None,
        Some(o.id),
        "create-user",
        &format!("{} ({})", user.email, user.role),
    )?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_model() {
        assert_eq!(
            parse_kind("healthcare-organisation").unwrap(),
            StakeholderKind::HealthcareOrganisation
        );
        let e = parse_kind("healthcare-organization")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `healthcare-organisation`"), "{e}");
        assert!(e.contains("insurance-group"), "{e}");
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify_exactly() {
        assert!(hash_password("1234567", &[]).is_err());
        assert!(hash_password(&"x".repeat(129), &[]).is_err());
        // 128 characters, none trimmed nor cut.
        let long: String = "é quiet harbour of lanterns "
            .repeat(5)
            .chars()
            .take(128)
            .collect();
        assert_eq!(long.chars().count(), 128);
        let h = hash_password(&long, &[]).unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&long, &h));
        let shorter: String = long.chars().take(127).collect();
        assert!(!verify_password(&shorter, &h));
        let a = hash_password("correct horse battery", &[]).unwrap();
        let b = hash_password("correct horse battery", &[]).unwrap();
        assert_ne!(a, b, "salted");
        assert!(verify_password("correct horse battery", &b));
        assert!(!verify_password("correct horse battery ", &b));
        assert!(!verify_password("anything at all", "not a hash"));
    }

    #[test]
    fn common_and_context_passwords_are_refused_long_plain_ones_accepted() {
        for weak in [
            "password123",
            "12345678",
            "qwertyuiop",
            "Summer2026!",
            "hunter2hunter2",
        ] {
            let e = check_password(weak, &[]).unwrap_err().to_string();
            assert!(e.contains("too easy to guess"), "{weak}: {e}");
        }
        // Words of the organisation and the email count as guessable.
        let context = ["ana.lopez@stmary.example", "St Mary Hospital"];
        for weak in ["StMaryHospital1", "AnaLopez2026", "Holisec2026"] {
            assert!(check_password(weak, &context).is_err(), "{weak}");
        }
        // No composition rules: a long lower-case passphrase is fine (6.2.5).
        check_password("a long all lowercase passphrase", &context).unwrap();
        check_password("correct horse battery", &context).unwrap();
        assert_eq!(
            context_words(&["St Mary", "ana@h.example"]),
            ["ana", "anahexample", "example", "holisec", "mary", "stmary"]
        );
    }
}
