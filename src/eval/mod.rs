//! OVAL evaluation: criteria, tests (check × check_existence × state_operator), objects (sets,
//! filters), states, and variables.

pub(crate) mod criteria;
pub mod engine;
pub(crate) mod objects;
pub mod progress;
pub(crate) mod session;
pub(crate) mod states;
pub(crate) mod test_evaluation;
pub(crate) mod timefmt;
pub(crate) mod variables;

#[cfg(test)]
pub(crate) mod testutil;

pub use engine::{EvalOptions, ExternalValues, evaluate};
/// The pattern translations, for the fuzz targets (`fuzz/`).
#[doc(hidden)]
pub use variables::{escape_regex, glob_to_regex};
