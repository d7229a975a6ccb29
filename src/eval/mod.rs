//! OVAL evaluation: criteria, tests (check × check_existence × state_operator), objects (sets,
//! filters), states, and variables.

pub mod criteria;
pub mod engine;
pub mod objects;
pub mod progress;
pub mod session;
pub mod states;
pub mod test_evaluation;
pub mod timefmt;
pub mod variables;

#[cfg(test)]
pub(crate) mod testutil;

pub use engine::{EvalOptions, ExternalValues, evaluate};
