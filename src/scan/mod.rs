//! Scans: evaluating content against a root. `oval_file` runs a bare OVAL document (the
//! `oval eval` command); `benchmark` runs an XCCDF benchmark (the `eval` command).

pub mod answers;
mod applicability;
pub mod asset;
pub mod benchmark;
pub mod carry;
pub mod oval_file;
pub mod target;
