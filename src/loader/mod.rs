//! Parsers: the only code that reads XML. Every node keeps its file and line.

pub mod c14n;
pub mod cci;
pub mod component_href;
pub mod cpe;
pub mod datastream;
pub mod document_root;
pub mod error;
pub mod input;
pub mod oval;
pub mod oval_variables;
pub mod signature;
pub mod tailoring;
pub mod xccdf;
pub mod xml;

pub use datastream::{Input, LoadedBenchmark, Selection, Source, load_benchmark, load_source};
pub use error::LoadError;
