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

#[derive(Debug, Clone, thiserror::Error)]
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

impl EngineDocument {
    pub fn new(body: Vec<u8>, origin: String) -> EngineDocument {
        let sha256 = sha256_hex(&body);
        EngineDocument { body, origin, sha256 }
    }
}

impl EngineError {
    /// Is the document simply not there (rather than the source failing)?
    pub fn is_missing(&self) -> bool {
        matches!(self, EngineError::Missing { .. })
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

pub mod layout;
pub mod sanitize;
pub mod snapshot;

#[cfg(feature = "docker-live")]
pub mod collect;
#[cfg(feature = "docker-live")]
pub mod live;

pub use layout::{ApiRequest, Service, request_for};
pub use snapshot::SnapshotEngine;
