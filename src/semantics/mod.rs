//! OVAL semantics shared by the probes, the evaluator and the results: the result and flag
//! enumerations with their combination tables, comparison of values per datatype and operation,
//! the regex wrapper, and evaluation errors. A leaf: it imports only `model`.

pub mod compare;
pub mod entity;
pub mod evr;
pub mod flag;
pub mod ipaddr;
pub mod oval_result;
pub mod regex;

pub use entity::ResolvedEntity;
pub use flag::CollectedFlag;
pub use oval_result::OvalResult;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum EvalError {
    #[error("invalid regular expression `{pattern}`: {message}")]
    BadRegex { pattern: String, message: String },
    #[error(
        "regular expression `{pattern}` exceeded its backtracking budget ({steps} steps per attempt on \
         a {len}-byte text; limits `regex-steps`, `regex-steps-per-line`)"
    )]
    RegexLimit { pattern: String, steps: u32, len: usize },
    #[error("cannot compare `{value}` as {datatype}")]
    BadValue { value: String, datatype: String },
    #[error("operation {operation} is not defined for datatype {datatype}")]
    BadOperation { operation: String, datatype: String },
    #[error("datatype {datatype} is not supported")]
    UnsupportedDatatype { datatype: String },
}
