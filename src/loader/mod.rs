//! Parsers: the only code that reads XML. Every node keeps its file and line.
pub mod oval;
pub mod oval_variables;
