//! The JSON Schema of the model file, for editors (Taplo, "Even Better TOML").

use crate::wire::ModelFile;

/// The JSON Schema (draft 2020-12) of a model file, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ModelFile);
    // Serialising a schema we built ourselves cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
