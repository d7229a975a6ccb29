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
#[cfg(feature = "docker-live")]
pub mod tls_chain;

pub use layout::{ApiRequest, Service, request_for};
pub use snapshot::SnapshotEngine;

/// Where a scan's Docker Engine facts come from, as the command line asks.
#[derive(Debug, Clone, Default)]
pub struct EngineRequest {
    /// `--snapshot DIR`
    pub snapshot: Option<std::path::PathBuf>,
    /// `--docker-host URL`
    pub docker_host: Option<String>,
    /// `--ucp-config FILE` (a config-toml downloaded by hand)
    pub ucp_config: Option<std::path::PathBuf>,
}

/// The engine source a scan uses, and what to tell the user about it.
pub struct OpenedEngine {
    pub source: Option<std::sync::Arc<dyn EngineSource>>,
    pub warnings: Vec<String>,
}

/// The default live engine for a scan of this machine (`root_is_host`): `DOCKER_HOST`, else the
/// local socket when it exists. A mounted root's engine is not this machine's, so none.
pub fn default_docker_host(root_is_host: bool) -> Option<String> {
    if !root_is_host {
        return None;
    }
    if let Ok(host) = std::env::var("DOCKER_HOST")
        && !host.is_empty()
    {
        return Some(host);
    }
    std::path::Path::new("/var/run/docker.sock").exists().then(|| "unix:///var/run/docker.sock".to_string())
}

/// Open the engine source a request names. An explicit `--snapshot` or `--docker-host` that
/// cannot be opened is an error; the default socket that cannot be reached is a warning (the
/// Engine API rules are then `notchecked`).
pub fn open_engine(request: &EngineRequest, root_is_host: bool) -> Result<OpenedEngine, EngineError> {
    if let Some(dir) = &request.snapshot {
        let snapshot = SnapshotEngine::open(dir)?;
        let warnings = snapshot.warnings().to_vec();
        return Ok(OpenedEngine { source: Some(std::sync::Arc::new(snapshot)), warnings });
    }
    let (host, explicit) = match &request.docker_host {
        Some(h) => (Some(h.clone()), true),
        None => (default_docker_host(root_is_host), false),
    };
    let Some(host) = host else { return Ok(OpenedEngine { source: None, warnings: Vec::new() }) };
    open_live(host, request, explicit)
}

#[cfg(feature = "docker-live")]
fn open_live(host: String, request: &EngineRequest, explicit: bool) -> Result<OpenedEngine, EngineError> {
    let mut options = live::LiveOptions::new(host).tls_from_env();
    options.ucp_config = request.ucp_config.clone();
    match live::LiveEngine::connect(options) {
        Ok(engine) => Ok(OpenedEngine { source: Some(std::sync::Arc::new(engine)), warnings: Vec::new() }),
        Err(e) if !explicit => Ok(OpenedEngine {
            source: None,
            warnings: vec![format!("no Docker Engine API ({e}): the Engine API rules are not checked")],
        }),
        Err(e) => Err(e),
    }
}

#[cfg(not(feature = "docker-live"))]
fn open_live(host: String, _request: &EngineRequest, explicit: bool) -> Result<OpenedEngine, EngineError> {
    let why =
        "this stigrun was built without the docker-live feature; scan a snapshot (--snapshot)".to_string();
    if explicit {
        return Err(EngineError::Unreachable { origin: host, why });
    }
    Ok(OpenedEngine { source: None, warnings: vec![why] })
}
