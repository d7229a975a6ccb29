//! stigrun: a compliance scanner for DISA STIGs (XCCDF + OVAL).
//!
//! One pipeline, one direction:
//! [`source`] (file | data stream | built-in) → [`loader`] → [`model`] → [`resolve`] (profiles,
//! values) → [`eval`] (OVAL: criteria, tests, objects, states, variables; [`probes`] over a
//! [`host::ScanTarget`]) → [`results`] (with collected items as evidence and typed [`diag`]nostics)
//! → [`render`] (one [`render::Report`] per format, written through [`output`]).
//! docs/ARCHITECTURE.md lists the layers; tests/architecture.rs keeps imports flowing down them.
//!
//! Invariants:
//! - `model` does no I/O; only `loader` parses content XML (and `results::io` results files);
//!   only `host` touches the target (its files through `Root`, its Docker Engine through an
//!   `EngineSource`); only `output` writes files.
//! - `eval` never panics on host data: unreadable files, bad regexes, malformed JSON become an
//!   `error` result with a message and the run goes on.
//! - Every content element keeps its source location (file, line, column) for error messages.

pub mod cli;
pub(crate) mod clock;
pub mod diag;
pub(crate) mod escape;
pub mod eval;
pub mod fleet;
pub mod host;
pub mod limits;
pub mod loader;
pub mod model;
pub mod output;
pub mod probes;
pub mod query;
pub mod render;
pub mod resolve;
pub mod results;
pub mod scan;
pub mod semantics;
pub mod source;
