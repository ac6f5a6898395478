//! Hospital self-assessment for holisec.
//!
//! * [`questionnaire`]: the TOML questionnaire (built-in `hospital.toml`, or a user file)
//!   and its loader with spanned, all-at-once diagnostics.
//! * [`answers`]: answer files (TOML or CSV) read and checked against the
//!   questionnaire, with spanned diagnostics like model files.
//! * [`template`]: the answer-file template, every item as a blank `[[answer]]`
//!   with its question and level sentences in comments.
//! * [`scoring`]: weighted maturity per domain (0..4) and overall.
//! * [`adjust`]: the documented, monotone mapping from maturity to the resistance
//!   (and, where an item says so, frequency or loss) of the model factors, giving
//!   the hospital's own adjusted [`holisec_model::Ecosystem`].
//! * [`plan`]: risk of the adjusted model with the FAIR engine, and the items whose
//!   next level cuts annual loss most per euro (common random numbers).
//!
//! No I/O: callers read files and databases and pass values in.

pub mod adjust;
pub mod answers;
pub mod plan;
pub mod questionnaire;
pub mod scoring;
pub mod template;

pub use questionnaire::{Item, Questionnaire};

/// Maturity levels of a questionnaire's items, in item order (unanswered = 0).
pub type Levels = Vec<u8>;

/// Levels in item order from `(item id, level)` pairs; unknown ids are ignored
/// (callers validate answers first) and unanswered items get level 0.
pub fn levels_from_answers<'a>(
    q: &Questionnaire,
    answers: impl IntoIterator<Item = (&'a str, u8)>,
) -> Levels {
    let mut levels = vec![0; q.items.len()];
    for (id, level) in answers {
        if let Some(i) = q.position(id) {
            levels[i] = level.min(questionnaire::MAX_LEVEL);
        }
    }
    levels
}
