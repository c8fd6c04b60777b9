//! Standardized assessments: the instruments (definitions as data, scoring as code), the
//! deployment's choices where a standard leaves a rule open, and what a result means for the
//! elder (ability level, care level, long-term-care grade, operating-subsidy level).
//!
//! The definitions are `data/instruments.json`, a versioned copy of the research file
//! `shared/standards/instruments.json`; its README is the citation every scoring function
//! names by section ("standards README §1"). Scoring never guesses: an answer set with a
//! missing, unknown or out-of-range item is refused with that item, never scored as zero.
//!
//! Pure: no storage, no HTTP, no clock (dates come in as arguments).

pub mod answers;
pub mod catalog;
pub mod consequence;
pub mod outcome;
pub mod record;
pub mod rules;
mod scoring;

pub use answers::{AnswerError, AnswerProblem, Answers};
pub use catalog::{
    catalog, AnswerKind, Band, Catalog, Domain, InputKind, InputSpec, Instrument, Item, ItemOption,
};
pub use consequence::{CareSummary, CurrentResult, SelfCareLevel, SubsidyPolicy};
pub use outcome::{ConstitutionResult, Flag, IdCheck, Line, Outcome, Subscore, Verdict};
pub use rules::{LtcTable, MorseBandSet, Rules, Stacking};
pub use scoring::bp_category;

/// Scores `answers` with `instrument` under the deployment's `rules`.
///
/// `today` bounds dates in the answers (the identity checker refuses a birth date in the
/// future). Errors name every item that is wrong, in the order of the form.
pub fn score(
    instrument: &Instrument,
    answers: &Answers,
    rules: &Rules,
    today: chrono::NaiveDate,
) -> Result<Outcome, Vec<AnswerError>> {
    scoring::score(instrument, answers, rules, today)
}
