//! The `flag` of a collected object, shared by probes, the evaluator and results documents.

/// The `flag` of a collected object (OVAL FlagEnumeration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CollectedFlag {
    Error,
    Complete,
    Incomplete,
    DoesNotExist,
    NotCollected,
    NotApplicable,
}

impl CollectedFlag {
    const ALL: [CollectedFlag; 6] = [
        CollectedFlag::Error,
        CollectedFlag::Complete,
        CollectedFlag::Incomplete,
        CollectedFlag::DoesNotExist,
        CollectedFlag::NotCollected,
        CollectedFlag::NotApplicable,
    ];

    /// The spelling of OVAL results and system-characteristics files.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectedFlag::Error => "error",
            CollectedFlag::Complete => "complete",
            CollectedFlag::Incomplete => "incomplete",
            CollectedFlag::DoesNotExist => "does not exist",
            CollectedFlag::NotCollected => "not collected",
            CollectedFlag::NotApplicable => "not applicable",
        }
    }

    /// The flag [`CollectedFlag::as_str`] spells as `text`.
    pub fn parse(text: &str) -> Option<CollectedFlag> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}
