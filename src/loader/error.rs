//! Errors of the XCCDF / data-stream loader. Every content error carries `file:line:column`;
//! `Display` is exactly one line per error so a list of them prints one per line.

use crate::model::location::Location;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Io { path: String, source: std::io::Error },

    #[error("{file}: not valid utf-8 (byte {offset}); stigrun reads utf-8 content only")]
    NotUtf8 { file: String, offset: usize },

    /// Malformed XML: the parse cannot go on after this.
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },

    #[error(
        "{location}: root element `{found}` (namespace `{namespace}`) is not supported; expected {expected}"
    )]
    WrongRoot { location: Location, found: String, namespace: String, expected: String },

    #[error("{location}: `{element}` lacks the required attribute `{attribute}`")]
    MissingAttribute { location: Location, element: String, attribute: &'static str },

    #[error("{location}: `{element}` attribute `{attribute}` has value `{value}`; expected {expected}")]
    InvalidAttribute {
        location: Location,
        element: String,
        attribute: String,
        value: String,
        expected: &'static str,
    },

    #[error("{location}: duplicate id `{id}` (first defined at {first})")]
    DuplicateId { location: Location, id: String, first: Location },

    /// A reference to an id that the document does not define.
    #[error("{location}: {reference} refers to unknown {target} `{idref}`")]
    DanglingRef { location: Location, reference: &'static str, target: &'static str, idref: String },

    #[error(
        "{location}: component-ref `{id}` points to `{href}`, which is not a component of this data stream collection"
    )]
    UnresolvedComponent { location: Location, id: String, href: String },

    /// SP 800-126r3 §3.1: an external component the data stream names next to it.
    #[error(
        "{location}: component-ref `{id}` names the external component `{path}`, which cannot be read: {reason}"
    )]
    UnreadableExternalComponent { location: Location, id: String, path: String, reason: String },

    #[error(
        "{location}: component-ref `{id}` names the remote component `{url}`; remote content is not fetched"
    )]
    RemoteComponent { location: Location, id: String, url: String },

    /// `--enforce-signature` and content that is not signed, or whose signature does not verify.
    #[error("{file}: refused by --enforce-signature: {reason}")]
    Signature { file: String, reason: String },

    /// The selection options cannot pick exactly one item.
    #[error("{file}: {count} {what}; choose with {option}: {}", .choices.join(", "))]
    Ambiguous { file: String, count: usize, what: &'static str, option: &'static str, choices: Vec<String> },

    #[error("{file}: no {what} `{id}`; available: {}", .available.join(", "))]
    NotFound { file: String, what: &'static str, id: String, available: Vec<String> },

    #[error("{file}: {message}")]
    NoBenchmark { file: String, message: String },

    /// All errors found in one file.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Many(Vec<LoadError>),
}

impl LoadError {
    /// One error for a non-empty list: the error itself when alone, else `Many`.
    pub fn from_list(mut errors: Vec<LoadError>) -> LoadError {
        if errors.len() == 1
            && let Some(e) = errors.pop()
        {
            return e;
        }
        LoadError::Many(errors)
    }

    /// The individual errors (flattening `Many`).
    pub fn errors(&self) -> Vec<&LoadError> {
        match self {
            LoadError::Many(list) => list.iter().flat_map(|e| e.errors()).collect(),
            other => vec![other],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn loc(line: u32) -> Location {
        Location::new(Arc::from("a.xml"), line, 3)
    }

    #[test]
    fn many_prints_one_line_per_error() {
        let err = LoadError::from_list(vec![
            LoadError::Syntax { location: loc(1), message: "expected `>`".into() },
            LoadError::DanglingRef {
                location: loc(7),
                reference: "profile select",
                target: "rule or group",
                idref: "x".into(),
            },
        ]);
        let text = err.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "a.xml:1:3: expected `>`");
        assert_eq!(lines[1], "a.xml:7:3: profile select refers to unknown rule or group `x`");
        assert_eq!(err.errors().len(), 2);
    }

    #[test]
    fn single_error_is_not_wrapped() {
        let err = LoadError::from_list(vec![LoadError::Syntax { location: loc(2), message: "m".into() }]);
        assert!(matches!(err, LoadError::Syntax { .. }));
    }
}
