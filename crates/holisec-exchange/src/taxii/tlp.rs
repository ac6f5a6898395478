//! TLP 2.0 markings in STIX 2.1.
//!
//! STIX 2.1 defines only TLP 1.0 (white, green, amber, red) as marking
//! definitions with fixed ids. TLP 2.0 (clear, green, amber, amber+strict,
//! red) exists as the OASIS extension definition
//! [`TLP2_EXTENSION_ID`] (a property extension of `marking-definition` with
//! the property `tlp_2_0`) and five marking-definition objects with fixed ids,
//! published in the OASIS repository `cti-stix-common-objects` under
//! `extension-definition-specifications/tlp-2.0/`. [`tlp2_marking_definition`]
//! returns those objects exactly; objects refer to them by id in
//! `object_marking_refs` ([`tlp2_marking_ref`]).
//!
//! [`read_tlp2`] reads the TLP level of an object from its
//! `object_marking_refs`, recognising the TLP 2.0 ids and the TLP 1.0 ids of
//! STIX 2.1 section 7.2.1.4 (white read as clear, the others as the same
//! colour). Other marking references (statements, ...) are ignored; two
//! references naming different levels are refused.

use serde_json::{Value, json};

/// The id of the OASIS extension definition of TLP 2.0 marking definitions.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The `created` of the five official TLP 2.0 marking definitions.
pub const TLP2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The TLP 1.0 marking definitions of STIX 2.1 (section 7.2.1.4) and the TLP 2.0 level they read as.
pub const TLP1_MARKING_REFS: [(&str, TlpLevel); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        TlpLevel::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        TlpLevel::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        TlpLevel::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        TlpLevel::Red,
    ),
];

/// A TLP 2.0 level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlpLevel {
    /// TLP:CLEAR (TLP 1.0 WHITE).
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER.
    Amber,
    /// TLP:AMBER+STRICT.
    AmberStrict,
    /// TLP:RED.
    Red,
}

impl TlpLevel {
    /// Every level, from the least to the most restrictive.
    pub const ALL: [TlpLevel; 5] = [
        TlpLevel::Clear,
        TlpLevel::Green,
        TlpLevel::Amber,
        TlpLevel::AmberStrict,
        TlpLevel::Red,
    ];

    /// The `tlp_2_0` value: `clear`, `green`, `amber`, `amber+strict` or `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlpLevel::Clear => "clear",
            TlpLevel::Green => "green",
            TlpLevel::Amber => "amber",
            TlpLevel::AmberStrict => "amber+strict",
            TlpLevel::Red => "red",
        }
    }

    /// The marking's `name`, e.g. `TLP:AMBER+STRICT`.
    pub fn name(self) -> &'static str {
        match self {
            TlpLevel::Clear => "TLP:CLEAR",
            TlpLevel::Green => "TLP:GREEN",
            TlpLevel::Amber => "TLP:AMBER",
            TlpLevel::AmberStrict => "TLP:AMBER+STRICT",
            TlpLevel::Red => "TLP:RED",
        }
    }

    /// The level of a `tlp_2_0` value (also accepts `white`, the TLP 1.0 name of clear).
    pub fn parse(text: &str) -> Option<TlpLevel> {
        match text {
            "white" => Some(TlpLevel::Clear),
            t => TlpLevel::ALL.into_iter().find(|l| l.as_str() == t),
        }
    }
}

/// The id of the official TLP 2.0 marking definition of `level`.
pub fn tlp2_marking_ref(level: TlpLevel) -> &'static str {
    match level {
        TlpLevel::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        TlpLevel::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        TlpLevel::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        TlpLevel::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        TlpLevel::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
}

/// The official TLP 2.0 marking-definition object of `level`, as OASIS publishes it.
pub fn tlp2_marking_definition(level: TlpLevel) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp2_marking_ref(level),
        "created": TLP2_CREATED,
        "name": level.name(),
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": level.as_str()
            }
        }
    })
}

/// The TLP level a marking-definition id stands for, TLP 2.0 or 1.0.
pub fn tlp_level_of_ref(marking_ref: &str) -> Option<TlpLevel> {
    TlpLevel::ALL
        .into_iter()
        .find(|&l| tlp2_marking_ref(l) == marking_ref)
        .or_else(|| {
            TLP1_MARKING_REFS
                .iter()
                .find(|(id, _)| *id == marking_ref)
                .map(|&(_, l)| l)
        })
}

/// The TLP markings of an object cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlpMarkingError {
    /// `object_marking_refs` is not a list of strings.
    #[error("`object_marking_refs` must be a list of marking-definition ids")]
    NotAList,
    /// Two references name different TLP levels.
    #[error(
        "conflicting TLP markings: `{first}` is {} but `{second}` is {}; an object carries one TLP level",
        first_level.name(),
        second_level.name()
    )]
    Conflict {
        /// The first reference.
        first: String,
        /// Its level.
        first_level: TlpLevel,
        /// The conflicting reference.
        second: String,
        /// Its level.
        second_level: TlpLevel,
    },
}

/// The TLP level of a STIX object from its `object_marking_refs` (`None`
/// when it has none); see the module documentation.
pub fn read_tlp2(object: &Value) -> Result<Option<TlpLevel>, TlpMarkingError> {
    let Some(refs) = object.get("object_marking_refs") else {
        return Ok(None);
    };
    let refs = refs.as_array().ok_or(TlpMarkingError::NotAList)?;
    let mut found: Option<(&str, TlpLevel)> = None;
    for r in refs {
        let r = r.as_str().ok_or(TlpMarkingError::NotAList)?;
        let Some(level) = tlp_level_of_ref(r) else {
            continue;
        };
        match found {
            None => found = Some((r, level)),
            Some((first, first_level)) if first_level != level => {
                return Err(TlpMarkingError::Conflict {
                    first: first.to_owned(),
                    first_level,
                    second: r.to_owned(),
                    second_level: level,
                });
            }
            Some(_) => {}
        }
    }
    Ok(found.map(|(_, level)| level))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_marking_definitions() {
        // Verbatim from oasis-open/cti-stix-common-objects,
        // extension-definition-specifications/tlp-2.0/examples/tlp-amber+strict.json.
        let official: Value = serde_json::from_str(
            r#"{
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                "created": "2022-10-01T00:00:00.000Z",
                "name": "TLP:AMBER+STRICT",
                "extensions": {
                    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                        "extension_type": "property-extension",
                        "tlp_2_0": "amber+strict"
                    }
                }
            }"#,
        )
        .unwrap();
        assert_eq!(tlp2_marking_definition(TlpLevel::AmberStrict), official);
        let clear = tlp2_marking_definition(TlpLevel::Clear);
        assert_eq!(
            clear["id"],
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
        );
        assert_eq!(clear["name"], "TLP:CLEAR");
        assert_eq!(clear["extensions"][TLP2_EXTENSION_ID]["tlp_2_0"], "clear");
        for level in TlpLevel::ALL {
            let md = tlp2_marking_definition(level);
            assert_eq!(md["id"], tlp2_marking_ref(level));
            assert_eq!(md["created"], TLP2_CREATED);
            assert_eq!(TlpLevel::parse(level.as_str()), Some(level));
            assert!(
                md.get("definition_type").is_none(),
                "TLP 2.0 has no definition_type"
            );
        }
        assert_eq!(
            [TlpLevel::Green, TlpLevel::Amber, TlpLevel::Red].map(tlp2_marking_ref),
            [
                "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
            ]
        );
    }

    #[test]
    fn reads_tlp2_and_tlp1_refs() {
        let relationship: Value = serde_json::from_str(
            r#"{"type": "relationship", "spec_version": "2.1",
                "id": "relationship--1621d4d4-b67d-11e3-9670-f01faf20d111",
                "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}"#,
        )
        .unwrap();
        assert_eq!(read_tlp2(&relationship), Ok(Some(TlpLevel::Green)));
        let white = json!({"object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]});
        assert_eq!(read_tlp2(&white), Ok(Some(TlpLevel::Clear)));
        let amber1 = json!({"object_marking_refs": [
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            "marking-definition--00000000-0000-4000-8000-000000000000"]});
        assert_eq!(read_tlp2(&amber1), Ok(Some(TlpLevel::Amber)));
        let red1 = json!({"object_marking_refs": ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]});
        assert_eq!(read_tlp2(&red1), Ok(Some(TlpLevel::Red)));
        let green1 = json!({"object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]});
        assert_eq!(read_tlp2(&green1), Ok(Some(TlpLevel::Green)));
        assert_eq!(read_tlp2(&json!({"type": "indicator"})), Ok(None));
        assert_eq!(read_tlp2(&json!({"object_marking_refs": []})), Ok(None));
    }

    #[test]
    fn refuses_conflicts_and_bad_lists() {
        let both = json!({"object_marking_refs": [
            tlp2_marking_ref(TlpLevel::Clear),
            tlp2_marking_ref(TlpLevel::Red)]});
        let e = read_tlp2(&both).unwrap_err();
        assert!(matches!(
            e,
            TlpMarkingError::Conflict {
                first_level: TlpLevel::Clear,
                second_level: TlpLevel::Red,
                ..
            }
        ));
        assert!(e.to_string().contains("TLP:RED"), "{e}");
        let amber_strict_vs_amber1 = json!({"object_marking_refs": [
            tlp2_marking_ref(TlpLevel::AmberStrict),
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]});
        assert!(read_tlp2(&amber_strict_vs_amber1).is_err());
        assert_eq!(
            read_tlp2(&json!({"object_marking_refs": "marking-definition--x"})),
            Err(TlpMarkingError::NotAList)
        );
        assert_eq!(
            read_tlp2(&json!({"object_marking_refs": [1]})),
            Err(TlpMarkingError::NotAList)
        );
    }
}
