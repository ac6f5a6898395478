//! The holisec ecosystem model.
//!
//! One declarative model of the healthcare cybersecurity ecosystem, after the
//! three levels of the article's Figure 1: stakeholders, their vulnerability
//! factors in five domains, and the risks (attacker motivations and the support
//! that answers them), joined by first- and second-level relations.
//!
//! This crate reads and checks model files and holds the one [`Ecosystem`] type
//! every engine shares. It does no I/O: callers hand it bytes or text and get
//! back a model and [`Diagnostic`]s with byte spans.
//!
//! ```
//! let loaded = holisec_model::builtin::europe();
//! let ecosystem = loaded.ecosystem.expect("the built-in model is valid");
//! assert_eq!(ecosystem.stakeholders.len(), 11);
//! ```

pub mod builtin;
pub mod diag;
pub mod dist;
pub mod escape;
pub mod load;
pub mod model;
pub mod number;
pub mod schema;
mod validate;
pub mod wire;

pub use diag::{Diagnostic, LineIndex, Severity};
pub use dist::Distribution;
pub use load::{Loaded, load_bytes, load_str};
pub use model::*;
