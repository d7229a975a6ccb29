//! OVAL evaluation: criteria, tests (check × check_existence × state_operator), objects (sets,
//! filters), states, and variables.

pub mod compare;
pub mod criteria;
pub mod engine;
pub mod evr;
pub mod ipaddr;
pub mod objects;
pub mod progress;
pub mod regex;
pub mod session;
pub mod states;
pub mod tests;
pub mod timefmt;
pub mod variables;

#[cfg(test)]
pub(crate) mod testutil;

pub use engine::{EvalOptions, ExternalValues, evaluate, evaluate_with_probes};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum EvalError {
    #[error("invalid regular expression `{pattern}`: {message}")]
    BadRegex { pattern: String, message: String },
    #[error("regular expression `{pattern}` exceeded its match limit")]
    RegexLimit { pattern: String },
    #[error("cannot compare `{value}` as {datatype}")]
    BadValue { value: String, datatype: String },
    #[error("operation {operation} is not defined for datatype {datatype}")]
    BadOperation { operation: String, datatype: String },
    #[error("datatype {datatype} is not supported")]
    UnsupportedDatatype { datatype: String },
}
