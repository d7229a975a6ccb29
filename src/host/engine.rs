//! The Docker Engine as a source of facts: the live Engine API or an offline snapshot of its
//! responses. Both answer the same question, "the document at this snapshot path", so the probes
//! that read them do not know which one they are talking to.
//!
//! Snapshot paths name API responses the way `stigrun collect` lays them out on disk
//! (`engine/info.json` for `GET /info`, `engine/containers/<id>.json` for
//! `GET /containers/{id}/json`, `ucp/config.toml`, …).

use std::fmt;

/// One document read from an engine source, with what the evidence needs to say about it.
#[derive(Debug, Clone)]
pub struct EngineDocument {
    /// The bytes as the Engine (or the snapshot file) gave them.
    pub body: Vec<u8>,
    /// Where they came from: the request (`GET unix:///var/run/docker.sock/v1.41/info`) or the
    /// snapshot file.
    pub origin: String,
    /// SHA-256 of `body`, hex.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The source has no such document (a snapshot without the file, a 404 from the API).
    #[error("{origin}: not available ({why})")]
    Missing { origin: String, why: String },
    /// The source could not be read (connection refused, permission denied, timeout, TLS).
    #[error("{origin}: {why}")]
    Unreachable { origin: String, why: String },
}

/// A read-only view of one Docker Engine (and, through it, UCP and DTR).
pub trait EngineSource: Send + Sync + fmt::Debug {
    /// For evidence and the results' target description: `unix:///var/run/docker.sock`,
    /// `snapshot /path/to/dir`.
    fn describe(&self) -> String;

    /// True for the live Engine API, false for a snapshot.
    fn is_live(&self) -> bool;

    /// The document at `path` (a snapshot path such as `engine/info.json`).
    fn fetch(&self, path: &str) -> Result<EngineDocument, EngineError>;
}
