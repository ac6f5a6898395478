//! The built-in European model, compiled into the binary.
//!
//! The text lives in `models/europe.toml` at the repository root so it can be
//! read and reviewed as a normal file; `holisec init` writes it out verbatim.

use crate::load::{Loaded, load_str};

/// Name under which diagnostics of the built-in model are reported.
pub const BUILTIN_NAME: &str = "<built-in europe.toml>";

/// The TOML text of the built-in European model.
pub const EUROPE_TOML: &str = include_str!("../../../models/europe.toml");

/// Loads the built-in model.
pub fn europe() -> Loaded {
    load_str(EUROPE_TOML)
}
