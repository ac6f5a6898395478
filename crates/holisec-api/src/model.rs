//! Loading a model: from bytes a front end read, or the built-in European model.
//!
//! One rule for every front end: a model with any error is [`Rejected`] with
//! every diagnostic; a model with only warnings is usable and its warnings come
//! back in [`Checked::warnings`] for the front end to show (the CLI shows a
//! count and the first few, `--verbose` all of them).

use holisec_model::wire::ModelFile;
use holisec_model::{Ecosystem, Loaded, builtin as builtin_model};

use crate::source::{Checked, Rejected, Source, checked};

/// A validated model and the file it was read from (kept for the writers that
/// round-trip it: STIX export, calibration).
#[derive(Debug, Clone)]
pub struct Model {
    /// The validated ecosystem every engine takes.
    pub ecosystem: Ecosystem,
    /// The parsed file.
    pub file: ModelFile,
}

/// Name under which the built-in model is reported.
pub const BUILTIN_NAME: &str = builtin_model::BUILTIN_NAME;

/// Loads and checks a model from the bytes of `name`.
pub fn load(name: impl Into<String>, bytes: &[u8]) -> Result<Checked<Model>, Rejected> {
    from_loaded(name.into(), holisec_model::load_bytes(bytes))
}

/// Loads and checks a model from text (a model written by a tool, a form field).
pub fn load_text(name: impl Into<String>, text: &str) -> Result<Checked<Model>, Rejected> {
    from_loaded(name.into(), holisec_model::load_str(text))
}

/// The built-in European model.
///
/// # Panics
/// Never in a released binary: the built-in model is checked by the model
/// crate's tests and by this module's, and it is compiled in.
pub fn builtin() -> Checked<Model> {
    match from_loaded(BUILTIN_NAME.to_owned(), builtin_model::europe()) {
        Ok(model) => model,
        Err(rejected) => panic!("the built-in model is invalid: {:?}", rejected.diagnostics),
    }
}

/// The built-in model when `input` is `None`, else the model in `input`
/// (`(name, bytes)`).
pub fn load_or_builtin(input: Option<(String, Vec<u8>)>) -> Result<Checked<Model>, Rejected> {
    match input {
        None => Ok(builtin()),
        Some((name, bytes)) => load(name, &bytes),
    }
}

fn from_loaded(name: String, loaded: Loaded) -> Result<Checked<Model>, Rejected> {
    let Loaded {
        text,
        file,
        ecosystem,
        diagnostics,
    } = loaded;
    let model = match (ecosystem, file) {
        (Some(ecosystem), Some(file)) => Some(Model { ecosystem, file }),
        _ => None,
    };
    checked(model, Source { name, text }, "model", diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_model_loads_without_warnings() {
        let m = builtin();
        assert_eq!(m.value.ecosystem.stakeholders.len(), 11);
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
        assert_eq!(m.source.name, BUILTIN_NAME);
    }

    #[test]
    fn a_broken_model_is_rejected_with_its_places() {
        let r = load("m.toml", b"[ecosystem]\nname = 3\n").unwrap_err();
        assert!(r.errors() >= 1);
        assert_eq!(r.what, "model");
        assert_eq!(r.source.name, "m.toml");
        let first = r
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert!(first.span.is_some(), "{first:?}");
    }

    #[test]
    fn the_builtin_text_loads_like_the_builtin_model() {
        let a = builtin();
        let b = load_text("copy.toml", builtin_model::EUROPE_TOML).expect("valid");
        assert_eq!(
            serde_json::to_string(&a.value.ecosystem).expect("json"),
            serde_json::to_string(&b.value.ecosystem).expect("json")
        );
    }
}
