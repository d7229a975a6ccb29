//! Diagnostics: what the scan has to say about a check, an object or a rule besides its result.
//!
//! Each one is typed (a [`Code`] that tools can count and group, as `merge` does across
//! thousands of nodes), carries the content location it concerns when there is one, and the
//! subject on the target (a file, a container, an Engine document). Nothing downstream branches
//! on the wording of a message: it matches the code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::location::Location;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DiagnosticRepr")]
pub struct Diagnostic {
    pub code: Code,
    pub level: Level,
    pub message: String,
    /// The content element it concerns (file:line:column of an OVAL object, a rule…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What on the target it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
}

/// Results written before diagnostics were typed hold bare strings; they read back as notes.
#[derive(Deserialize)]
#[serde(untagged)]
enum DiagnosticRepr {
    Text(String),
    Typed {
        code: Code,
        level: Level,
        message: String,
        #[serde(default)]
        location: Option<Location>,
        #[serde(default)]
        subject: Option<Subject>,
    },
}

impl From<DiagnosticRepr> for Diagnostic {
    fn from(repr: DiagnosticRepr) -> Diagnostic {
        match repr {
            DiagnosticRepr::Text(message) => Diagnostic::note(message),
            DiagnosticRepr::Typed { code, level, message, location, subject } => {
                Diagnostic { code, level, message, location, subject }
            }
        }
    }
}

/// The kinds of diagnostics. The spelling (kebab-case) is part of the results format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// Said without a more specific kind.
    Note,
    // On the target.
    /// A file, directory or document the check reads cannot be read (permission, loop, not a
    /// regular file, too large, not valid text).
    Unreadable,
    /// What was read could not be parsed (JSON, YAML, XML, a unit file…).
    Malformed,
    /// The object could not be collected here (the target cannot give it).
    NotCollected,
    /// No probe for the object's type: stigrun does not collect it.
    NoProbe,
    /// The probe needs the running system and the target is a mounted root.
    NeedsRunningSystem,
    /// The probe reads the Docker Engine API and the scan has no engine source, or the source
    /// lacks the document.
    NeedsEngine,
    /// A probe failed on this object (a bug, reported instead of ending the scan).
    ProbeFailed,
    // In the content or its evaluation.
    /// A variable, state or definition refers back to itself.
    Circular,
    /// A variable has no value, or a function of it failed.
    Variable,
    /// A comparison could not be made (bad regex, value not of the datatype…).
    Comparison,
    /// A limit that keeps the scan bounded was reached (nesting depth, values per variable, items,
    /// bytes read, time); what was cut is named.
    Limit,
    /// A check refers to a definition or document that is not there or cannot be loaded.
    CheckUnavailable,
    /// A platform or dictionary name is not a CPE name (NIST IR 7695): it matches nothing.
    MalformedCpeName,
    // Rule results.
    /// DISA publishes the check as a procedure for the assessor.
    ManualCheck,
    /// The rule has no check a supported check system can run.
    Unchecked,
    /// No check-content-ref of the rule's check resolves (document or definition missing).
    CheckUnresolved,
    /// `role="unscored"`: the check's result is recorded as informational, not scored.
    Unscored,
    /// The benchmark's platform does not apply to the target (every rule says so).
    BenchmarkNotApplicable,
    /// The rule's (or its group's) platform does not apply.
    PlatformNotApplicable,
    /// A platform check could not be run (its document or definition is missing).
    PlatformError,
    // Answers.
    /// An assessor's answer decided the result.
    AnswerApplied,
    /// An answer was ignored (expired, or for a rule not selected).
    AnswerIgnored,
}

impl Code {
    /// The level a diagnostic of this kind has unless said otherwise.
    pub fn default_level(self) -> Level {
        match self {
            Code::Unreadable
            | Code::Malformed
            | Code::ProbeFailed
            | Code::Circular
            | Code::Variable
            | Code::Comparison
            | Code::Limit
            | Code::CheckUnavailable
            | Code::PlatformError => Level::Error,
            Code::NotCollected
            | Code::NoProbe
            | Code::NeedsRunningSystem
            | Code::NeedsEngine
            | Code::AnswerIgnored
            | Code::CheckUnresolved
            | Code::MalformedCpeName => Level::Warning,
            Code::Note
            | Code::ManualCheck
            | Code::Unchecked
            | Code::Unscored
            | Code::BenchmarkNotApplicable
            | Code::PlatformNotApplicable
            | Code::AnswerApplied => Level::Info,
        }
    }

    /// The spelling in results files (`needs-engine`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// What on the target a diagnostic concerns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// A path inside the scanned root.
    File { path: String },
    /// A container of the scanned Docker Engine.
    Container { id: String, name: String },
    /// An Engine/UCP/DTR document (a snapshot path such as `engine/info.json`).
    EngineDocument { path: String },
    /// An OVAL object, test, state or variable, by id.
    Oval { id: String },
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            level: code.default_level(),
            message: message.into(),
            location: None,
            subject: None,
        }
    }

    /// A message with no more specific kind.
    pub fn note(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::Note, message)
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn about(mut self, subject: Subject) -> Diagnostic {
        self.subject = Some(subject);
        self
    }

    pub fn with_level(mut self, level: Level) -> Diagnostic {
        self.level = level;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Untyped messages (from code that has nothing more specific to say) become notes.
impl From<String> for Diagnostic {
    fn from(message: String) -> Diagnostic {
        Diagnostic::note(message)
    }
}

impl From<&str> for Diagnostic {
    fn from(message: &str) -> Diagnostic {
        Diagnostic::note(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_stable_spellings_and_levels() {
        assert_eq!(Code::NeedsEngine.as_str(), "needs-engine");
        assert_eq!(Code::BenchmarkNotApplicable.as_str(), "benchmark-not-applicable");
        assert_eq!(Diagnostic::new(Code::Malformed, "x").level, Level::Error);
        assert_eq!(Diagnostic::note("x").level, Level::Info);
    }

    #[test]
    fn round_trips_through_json() {
        let d = Diagnostic::new(Code::Unreadable, "`/etc/docker/daemon.json`: permission denied")
            .about(Subject::File { path: "/etc/docker/daemon.json".into() })
            .at(Location::new("checks.xml".into(), 3, 7));
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""kind":"file""#), "{json}");
        let back: Diagnostic = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        let old: Diagnostic = serde_json::from_str(r#""a message from an older results file""#).unwrap();
        assert_eq!(old, Diagnostic::note("a message from an older results file"));
    }
}
