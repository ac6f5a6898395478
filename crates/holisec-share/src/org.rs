//! What the sharing rules know about an organisation.
//!
//! An [`OrgProfile`] is the server's organisation row reduced to the facts
//! the rules read: its stakeholder kind (one of the model's eleven), its
//! country, its size band, the solution providers it uses, the agency it
//! reports to and whether it takes part in peer benchmarks. Organisation ids
//! are the server's database ids ([`OrgId`]).
//!
//! Country codes are ISO 3166-1 alpha-2 in upper case (`FR`, `DE`), checked
//! by [`parse_country`] against the officially assigned codes so that two
//! spellings of one country can never make two national communities.

use holisec_model::StakeholderKind;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An organisation's id on the server.
pub type OrgId = i64;

/// Rough size of an organisation, for comparing like with like in peer benchmarks.
///
/// The server maps its own figures (beds, staff) to a band; the rules only
/// compare bands for equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SizeBand {
    /// A small organisation (e.g. a local clinic).
    Small,
    /// A medium organisation (e.g. a general hospital).
    Medium,
    /// A large organisation (e.g. a university hospital).
    Large,
}

/// What the sharing rules know about one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgProfile {
    /// The server's id.
    pub id: OrgId,
    /// Which of the model's stakeholder kinds it is.
    pub kind: StakeholderKind,
    /// ISO 3166-1 alpha-2 code, upper case (see [`parse_country`]).
    pub country: Option<String>,
    /// Size band, for benchmarks.
    pub size_band: Option<SizeBand>,
    /// Ids of the solution-provider organisations it uses.
    pub suppliers: Vec<OrgId>,
    /// The agency (CSIRT) it reports to, when it names one; otherwise the
    /// agency-institution organisations of its country play that role.
    pub shares_with_agency: Option<OrgId>,
    /// It takes part in anonymous peer benchmarks.
    pub benchmark_opt_in: bool,
}

impl OrgProfile {
    /// An organisation with only an id and a kind: no country, suppliers or agency, not opted in.
    pub fn new(id: OrgId, kind: StakeholderKind) -> Self {
        OrgProfile {
            id,
            kind,
            country: None,
            size_band: None,
            suppliers: Vec::new(),
            shares_with_agency: None,
            benchmark_opt_in: false,
        }
    }

    /// The same organisation in `country` (which is not checked here; see [`parse_country`]).
    pub fn in_country(mut self, country: &str) -> Self {
        self.country = Some(country.to_owned());
        self
    }

    /// Both have a country and it is the same.
    pub fn same_country(&self, other: &OrgProfile) -> bool {
        matches!((&self.country, &other.country), (Some(a), Some(b)) if a == b)
    }

    /// It uses `supplier`.
    pub fn uses_supplier(&self, supplier: OrgId) -> bool {
        self.suppliers.contains(&supplier)
    }

    /// `agency` is this organisation's agency: the one it names, or an
    /// agency-institution organisation of its own country.
    pub fn has_agency(&self, agency: &OrgProfile) -> bool {
        agency.id != self.id
            && (self.shares_with_agency == Some(agency.id)
                || (agency.kind == StakeholderKind::AgencyInstitution && self.same_country(agency)))
    }
}

/// Why a country code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CountryError {
    /// Not two ASCII letters.
    #[error(
        "country code `{found}` is not two letters: expected an ISO 3166-1 alpha-2 code such as FR or DE"
    )]
    NotTwoLetters {
        /// The text given.
        found: String,
    },
    /// Two letters, but not a code ISO 3166-1 assigns.
    #[error("country code `{code}` is not an assigned ISO 3166-1 alpha-2 code{}", hint.map(|h| format!(": {h}")).unwrap_or_default())]
    Unassigned {
        /// The code, upper-cased.
        code: String,
        /// What was probably meant.
        hint: Option<&'static str>,
    },
}

/// The officially assigned ISO 3166-1 alpha-2 codes, sorted (249 codes).
const ASSIGNED: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Kosovo's user-assigned code, which the European Commission uses; accepted
/// because the built-in model is European.
const KOSOVO: &str = "XK";

/// Checks a country code and returns it upper-cased: `fr`, ` FR ` → `FR`.
///
/// Accepts the officially assigned ISO 3166-1 alpha-2 codes and `XK`. The
/// EU's own abbreviations `EL` (Greece) and `UK` (United Kingdom) are refused
/// with a hint, because the rest of the world (and STIX) uses `GR` and `GB`.
pub fn parse_country(text: &str) -> Result<String, CountryError> {
    let trimmed = text.trim();
    if trimmed.len() != 2 || !trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(CountryError::NotTwoLetters {
            found: trimmed.to_owned(),
        });
    }
    let code = trimmed.to_ascii_uppercase();
    if code == KOSOVO || ASSIGNED.binary_search(&code.as_str()).is_ok() {
        return Ok(code);
    }
    let hint = match code.as_str() {
        "EL" => Some("did you mean GR? (EL is the EU's abbreviation for Greece)"),
        "UK" => Some("did you mean GB? (UK is reserved, not assigned)"),
        _ => None,
    };
    Err(CountryError::Unassigned { code, hint })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_complete() {
        assert!(
            ASSIGNED.windows(2).all(|w| w[0] < w[1]),
            "binary search needs sorted codes"
        );
        assert_eq!(ASSIGNED.len(), 249);
    }

    #[test]
    fn country_codes_are_trimmed_and_upper_cased() {
        assert_eq!(parse_country("fr"), Ok("FR".to_owned()));
        assert_eq!(parse_country(" De "), Ok("DE".to_owned()));
        assert_eq!(parse_country("xk"), Ok("XK".to_owned()));
    }

    #[test]
    fn bad_country_codes_say_what_was_expected() {
        for bad in ["", "F", "FRA", "F1", "é1", "ü"] {
            let err = parse_country(bad).expect_err(bad);
            assert!(
                matches!(err, CountryError::NotTwoLetters { .. }),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains("ISO 3166-1 alpha-2"));
        }
        let err = parse_country("QQ").expect_err("QQ is unassigned");
        assert_eq!(
            err.to_string(),
            "country code `QQ` is not an assigned ISO 3166-1 alpha-2 code"
        );
        let err = parse_country("el").expect_err("EL is not ISO");
        assert!(err.to_string().contains("did you mean GR?"), "{err}");
        assert!(
            parse_country("UK")
                .expect_err("reserved")
                .to_string()
                .contains("GB")
        );
    }

    #[test]
    fn agency_is_named_or_national() {
        use StakeholderKind as K;
        let hospital = OrgProfile::new(1, K::HealthcareOrganisation).in_country("FR");
        let national = OrgProfile::new(2, K::AgencyInstitution).in_country("FR");
        let foreign = OrgProfile::new(3, K::AgencyInstitution).in_country("DE");
        let insurer = OrgProfile::new(4, K::InsuranceGroup).in_country("FR");
        assert!(hospital.has_agency(&national));
        assert!(!hospital.has_agency(&foreign));
        assert!(
            !hospital.has_agency(&insurer),
            "same country but not an agency"
        );
        let named = OrgProfile {
            shares_with_agency: Some(3),
            ..hospital.clone()
        };
        assert!(named.has_agency(&foreign));
        let stateless = OrgProfile::new(5, K::HealthcareOrganisation);
        assert!(
            !stateless.has_agency(&national),
            "no country, no national agency"
        );
        assert!(
            !national.has_agency(&national),
            "an agency is not its own agency"
        );
    }
}
