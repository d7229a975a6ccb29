//! Reading Engine documents for the Docker probes: one place that turns a missing document into
//! `not collected` (code `needs-engine`, naming the document), an unreachable engine into an
//! error, and records each document read as evidence.

use crate::diag::{Code, Diagnostic, Subject};
use crate::host::{EngineError, EngineSource};
use crate::probes::Collected;
use crate::semantics::CollectedFlag;

/// A parsed document and the evidence of having read it.
pub struct Read {
    pub value: serde_json::Value,
    /// (origin, SHA-256)
    pub evidence: (String, String),
}

/// Why a document could not be read, as what the object should report.
pub fn failure(path: &str, error: &EngineError) -> Collected {
    let subject = Subject::EngineDocument { path: path.to_string() };
    match error {
        EngineError::Missing { .. } => Collected {
            flag: CollectedFlag::NotCollected,
            items: Vec::new(),
            messages: vec![Diagnostic::new(Code::NeedsEngine, format!("`{path}`: {error}")).about(subject)],
            evidence: Vec::new(),
        },
        EngineError::Unreachable { .. } => {
            Collected::error(Diagnostic::new(Code::Unreadable, error.to_string()).about(subject))
        }
    }
}

/// Fetch `path` and parse it: JSON, or TOML (UCP's config-toml) as the same tree.
pub fn read(engine: &dyn EngineSource, path: &str) -> Result<Read, Collected> {
    let document = engine.fetch(path).map_err(|e| failure(path, &e))?;
    let malformed = |why: String| {
        Collected::error(
            Diagnostic::new(Code::Malformed, format!("`{}`: {why}", document.origin))
                .about(Subject::EngineDocument { path: path.to_string() }),
        )
    };
    let value = if path.ends_with(".toml") {
        let text = std::str::from_utf8(&document.body).map_err(|e| malformed(format!("not UTF-8: {e}")))?;
        let table: toml::Table =
            text.parse().map_err(|e: toml::de::Error| malformed(e.message().to_string()))?;
        serde_json::to_value(table).map_err(|e| malformed(e.to_string()))?
    } else {
        serde_json::from_slice(&document.body).map_err(|e| malformed(format!("not JSON: {e}")))?
    };
    Ok(Read { value, evidence: (document.origin, document.sha256) })
}
