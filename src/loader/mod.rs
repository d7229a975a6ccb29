//! Parsers: the only code that reads XML. Every node keeps its file and line.

pub mod cci;
