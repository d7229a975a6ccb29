//! Parsers: the only code that reads XML. Every node keeps its file and line.

pub mod datastream;
pub mod error;
pub mod xccdf;
pub mod xml;

pub use error::LoadError;
