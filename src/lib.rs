//! stigrun: a compliance scanner for DISA STIGs (XCCDF + OVAL).
//!
//! One pipeline, one direction:
//! source (file | data stream | built-in) → [`loader`] → [`model`] → [`resolve`] (profiles, values)
//! → [`eval`] (OVAL: criteria, tests, objects, states, variables; [`probes`] over a [`host::Root`])
//! → [`results`] (with collected items as evidence) → [`render`] (view-models + templates).
//!
//! Invariants:
//! - `model` does no I/O; only `loader` parses XML; only `host` touches the target's file system.
//! - `eval` never panics on host data: unreadable files, bad regexes, malformed JSON become an
//!   `error` result with a message and the run goes on.
//! - Every content element keeps its source location (file, line, column) for error messages.

pub mod build;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod diag;
pub mod escape;
pub mod eval;
pub mod host;
pub mod loader;
pub mod model;
pub mod probes;
pub mod query;
pub mod render;
pub mod resolve;
pub mod results;
pub mod scan;
pub mod semantics;
