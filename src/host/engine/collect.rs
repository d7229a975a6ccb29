//! `stigrun collect`: write a snapshot ([`super::layout`]) of a live engine, so the node can be
//! scanned later, elsewhere, or by someone without access to its socket. Every file is a
//! sanitised API answer ([`super::sanitize`]); `manifest.json` records per file the request, HTTP
//! status, time and SHA-256, and per absent file why it is absent.

use std::path::{Path, PathBuf};

use super::live::LiveEngine;
use super::snapshot::{MANIFEST, Manifest, ManifestEntry};
use super::{EngineError, EngineSource, layout};

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Output(crate::output::OutputError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// What was written.
#[derive(Debug, Clone)]
pub struct CollectReport {
    pub manifest: Manifest,
}

impl CollectReport {
    pub fn written(&self) -> usize {
        self.manifest.entries.iter().filter(|e| e.sha256.is_some()).count()
    }

    /// (path, why) of the documents the engine did not give.
    pub fn absent(&self) -> Vec<(&str, &str)> {
        self.manifest
            .entries
            .iter()
            .filter(|e| e.sha256.is_none())
            .map(|e| (e.path.as_str(), e.error.as_deref().unwrap_or("")))
            .collect()
    }
}

/// Which UCP/DTR documents to ask for besides the engine's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    pub ucp: bool,
    pub dtr: bool,
}

/// Collect every snapshot document from `engine` into `out` (created if needed).
pub fn collect(engine: &LiveEngine, out: &Path, extras: Extras) -> Result<CollectReport, CollectError> {
    let mut writer = Writer { engine, out, entries: Vec::new() };
    let started = crate::clock::utc_now_rfc3339();
    writer.take("engine/version.json")?;
    writer.take("engine/info.json")?;
    if let Some(list) = writer.take("engine/containers.json")? {
        for container in list.as_array().into_iter().flatten() {
            let Some(id) = container["Id"].as_str() else { continue };
            writer.take(&layout::container_path(id))?;
            if container["State"].as_str() == Some("running") {
                writer.take(&layout::top_path(id))?;
            }
        }
    }
    if let Some(list) = writer.take("engine/images.json")? {
        for image in list.as_array().into_iter().flatten() {
            let Some(id) = image["Id"].as_str() else { continue };
            writer.take(&format!("engine/images/{}.json", id.trim_start_matches("sha256:")))?;
        }
    }
    writer.take("engine/networks.json")?;
    writer.take("engine/swarm.json")?;
    writer.take("engine/nodes.json")?;
    if extras.ucp {
        for path in ["ucp/config.toml", "ucp/ca.pem", "ucp/tls-chain.pem"] {
            writer.take(path)?;
        }
    }
    if extras.dtr {
        for path in ["dtr/settings.json", "dtr/imagescan-status.json", "dtr/tags.json", "dtr/tls-chain.pem"] {
            writer.take(path)?;
        }
    }
    let manifest = Manifest {
        engine: engine.describe(),
        api_version: engine.api_version().to_string(),
        collected_by: concat!("stigrun ", env!("CARGO_PKG_VERSION")).to_string(),
        started,
        finished: crate::clock::utc_now_rfc3339(),
        entries: writer.entries,
    };
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    write(&out.join(MANIFEST), &bytes)?;
    Ok(CollectReport { manifest })
}

struct Writer<'a> {
    engine: &'a LiveEngine,
    out: &'a Path,
    entries: Vec<ManifestEntry>,
}

impl Writer<'_> {
    /// Fetch and write one document; its JSON when it is JSON (to walk lists). An answer other
    /// than 2xx is recorded, not fatal; an engine that cannot be reached is.
    fn take(&mut self, path: &str) -> Result<Option<serde_json::Value>, CollectError> {
        let request = layout::request_for(path).map(|r| r.describe()).unwrap_or_default();
        let time = crate::clock::utc_now_rfc3339();
        match self.engine.fetch(path) {
            Ok(document) => {
                write(&self.out.join(path), &document.body)?;
                self.entries.push(ManifestEntry {
                    path: path.to_string(),
                    request,
                    status: 200,
                    time,
                    sha256: Some(document.sha256),
                    error: None,
                });
                Ok(serde_json::from_slice(&document.body).ok())
            }
            Err(EngineError::Missing { why, .. }) => {
                let status = why
                    .strip_prefix("HTTP ")
                    .and_then(|s| s.get(..3))
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                self.entries.push(ManifestEntry {
                    path: path.to_string(),
                    request,
                    status,
                    time,
                    sha256: None,
                    error: Some(why),
                });
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Each snapshot file goes through the one output writer: a file is replaced whole or not at all,
/// and a link planted in the snapshot directory is refused, never followed.
fn write(path: &Path, bytes: &[u8]) -> Result<(), CollectError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|source| CollectError::Write { path: parent.to_path_buf(), source })?;
    }
    crate::output::write_bytes(path, bytes).map_err(CollectError::Output)
}
