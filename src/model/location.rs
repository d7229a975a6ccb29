//! Where a content element came from, for error messages and evidence.

use std::fmt;
use std::sync::Arc;

/// A position in a source file. `file` is shared between all elements of one document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: Arc<str>, line: u32, column: u32) -> Self {
        Self { file, line, column }
    }

    /// A location for content that has no file (built in code, tests).
    pub fn unknown() -> Self {
        Self { file: Arc::from("<memory>"), line: 0, column: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
