//! [`SnapshotEngine`]: an offline snapshot directory of raw API responses (see [`super::layout`]).
//! `manifest.json` (written by `stigrun collect`) records per file the request, HTTP status, time
//! and SHA-256; a snapshot without it (made by hand with curl) is read all the same, with a warning.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{EngineDocument, EngineError, EngineSource, layout};

pub const MANIFEST: &str = "manifest.json";

/// What `stigrun collect` records about a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The engine it was collected from (`unix:///var/run/docker.sock`).
    pub engine: String,
    /// The Engine API version the requests used.
    pub api_version: String,
    pub collected_by: String,
    pub started: String,
    pub finished: String,
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The snapshot path (`engine/info.json`).
    pub path: String,
    /// `GET /info`.
    pub request: String,
    /// The HTTP status (0 when the request did not get an answer).
    pub status: u16,
    pub time: String,
    /// SHA-256 of the file written; absent when nothing was written (an error status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Why nothing was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct SnapshotEngine {
    dir: PathBuf,
    manifest: Option<Manifest>,
    warnings: Vec<String>,
}

impl SnapshotEngine {
    /// Open the snapshot directory `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<SnapshotEngine, EngineError> {
        let dir = dir.as_ref().to_path_buf();
        let origin = format!("snapshot {}", dir.display());
        if !dir.is_dir() {
            return Err(EngineError::Unreachable { origin, why: "not a directory".to_string() });
        }
        let mut warnings = Vec::new();
        let manifest = match std::fs::read(dir.join(MANIFEST)) {
            Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
                Ok(m) => Some(m),
                Err(e) => {
                    return Err(EngineError::Unreachable {
                        origin: format!("{origin}/{MANIFEST}"),
                        why: format!("not a stigrun manifest: {e}"),
                    });
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                warnings.push(format!(
                    "snapshot `{}` has no {MANIFEST}: its files are read as they are, without the \
                     requests, statuses and checksums `stigrun collect` records",
                    dir.display()
                ));
                None
            }
            Err(e) => return Err(EngineError::Unreachable { origin, why: e.to_string() }),
        };
        Ok(SnapshotEngine { dir, manifest, warnings })
    }

    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// What the user should be told about this snapshot (no manifest).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl EngineSource for SnapshotEngine {
    fn describe(&self) -> String {
        format!("snapshot {}", self.dir.display())
    }

    fn is_live(&self) -> bool {
        false
    }

    fn fetch(&self, path: &str) -> Result<EngineDocument, EngineError> {
        let origin = format!("{}/{path}", self.dir.display());
        // Only layout paths: a probe can never read outside the snapshot.
        if layout::request_for(path).is_none() {
            return Err(EngineError::Missing { origin, why: "not a snapshot path".to_string() });
        }
        let entry = self.manifest.as_ref().and_then(|m| m.entries.iter().find(|e| e.path == path));
        let body = match std::fs::read(self.dir.join(path)) {
            Ok(body) => body,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let why = match entry {
                    Some(e) => format!(
                        "not in the snapshot: `{}` answered {}{}",
                        e.request,
                        e.status,
                        e.error.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
                    ),
                    None => "not in the snapshot".to_string(),
                };
                return Err(EngineError::Missing { origin, why });
            }
            Err(e) => return Err(EngineError::Unreachable { origin, why: e.to_string() }),
        };
        let document = EngineDocument::new(body, origin.clone());
        if let Some(expected) = entry.and_then(|e| e.sha256.as_deref())
            && expected != document.sha256
        {
            return Err(EngineError::Unreachable {
                origin,
                why: format!("SHA-256 {} differs from the manifest's {expected}", document.sha256),
            });
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_layout_paths_and_says_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("engine")).unwrap();
        std::fs::write(dir.path().join("engine/info.json"), br#"{"ID":"x"}"#).unwrap();
        let snapshot = SnapshotEngine::open(dir.path()).unwrap();
        assert_eq!(snapshot.warnings().len(), 1, "no manifest is worth a warning");
        let info = snapshot.fetch("engine/info.json").unwrap();
        assert_eq!(info.body, br#"{"ID":"x"}"#);
        assert_eq!(info.sha256.len(), 64);
        let missing = snapshot.fetch("engine/swarm.json").unwrap_err();
        assert!(missing.is_missing() && missing.to_string().contains("engine/swarm.json"), "{missing}");
        assert!(snapshot.fetch("../etc/passwd").unwrap_err().is_missing());
    }

    #[test]
    fn the_manifest_explains_absences_and_guards_checksums() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("engine")).unwrap();
        std::fs::write(dir.path().join("engine/info.json"), b"{}").unwrap();
        let manifest = Manifest {
            entries: vec![
                ManifestEntry {
                    path: "engine/info.json".into(),
                    request: "GET /info".into(),
                    status: 200,
                    sha256: Some("0".repeat(64)),
                    ..Default::default()
                },
                ManifestEntry {
                    path: "engine/swarm.json".into(),
                    request: "GET /swarm".into(),
                    status: 503,
                    error: Some("This node is not a swarm manager.".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&manifest).unwrap()).unwrap();
        let snapshot = SnapshotEngine::open(dir.path()).unwrap();
        assert!(snapshot.warnings().is_empty());
        let err = snapshot.fetch("engine/info.json").unwrap_err().to_string();
        assert!(err.contains("differs from the manifest"), "{err}");
        let err = snapshot.fetch("engine/swarm.json").unwrap_err().to_string();
        assert!(err.contains("answered 503") && err.contains("not a swarm manager"), "{err}");
    }
}
