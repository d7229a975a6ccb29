//! DISA Control Correlation Identifiers (CCI) and their NIST SP 800-53 mappings.
//!
//! STIG rules cite CCIs (`CCI-001851`); assessors and report formats (CKL, HDF, eMASS) want the NIST
//! SP 800-53 controls behind them. The CCI list carries one `reference` per publication, and the
//! index strings are kept verbatim ("AU-4 (1)", "AC-1 a 1 (a)") because reports must quote them exactly.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::location::Location;

/// The whole CCI list: its metadata and every item by id.
#[derive(Debug, Clone, Serialize)]
pub struct CciCatalog {
    /// `metadata/version`, a date such as `2025-01-23`.
    pub version: String,
    /// `metadata/publishdate`.
    pub publish_date: String,
    pub items: HashMap<String, CciItem>,
}

/// One `cci_item`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CciItem {
    /// `CCI-001851`.
    pub id: String,
    /// `draft` or `deprecated` in the lists DISA publishes.
    pub status: String,
    pub publish_date: String,
    pub contributor: String,
    pub definition: String,
    /// `policy` and/or `technical`; an item may carry both.
    pub types: Vec<String>,
    pub parameter: Option<String>,
    pub note: Option<String>,
    /// In document order.
    pub references: Vec<CciReference>,
    pub location: Location,
}

/// One `reference`, attributes verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CciReference {
    pub creator: String,
    pub title: String,
    pub version: String,
    pub location: String,
    pub index: String,
}

/// A revision of NIST SP 800-53.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Revision {
    Rev3,
    Rev4,
    Rev5,
}

impl Revision {
    pub const ALL: [Revision; 3] = [Revision::Rev3, Revision::Rev4, Revision::Rev5];

    fn from_number(number: &str) -> Option<Revision> {
        match number.trim() {
            "3" => Some(Revision::Rev3),
            "4" => Some(Revision::Rev4),
            "5" => Some(Revision::Rev5),
            _ => None,
        }
    }
}

/// An unrecognised revision name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown nist sp 800-53 revision `{0}`; expected 3, 4 or 5 (also `rev4`, `r5`)")]
pub struct UnknownRevision(pub String);

impl std::str::FromStr for Revision {
    type Err = UnknownRevision;

    /// Accepts `4`, `rev4`, `r4`, `Rev 4`, `revision 4` (any case), for command-line options.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let number =
            ["revision", "rev", "r"].iter().find_map(|prefix| lower.strip_prefix(prefix)).unwrap_or(&lower);
        Revision::from_number(number).ok_or_else(|| UnknownRevision(s.to_string()))
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Revision::Rev3 => "rev3",
            Revision::Rev4 => "rev4",
            Revision::Rev5 => "rev5",
        })
    }
}

/// Which publication a reference points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Publication<'a> {
    /// NIST SP 800-53 itself, in one revision.
    Sp800_53(Revision),
    /// NIST SP 800-53A (assessment procedures); `version` as written, `1` in current lists.
    Sp800_53A { version: &'a str },
    /// Anything else (no current DISA list has other publications, older ones might).
    Other,
}

const TITLE_800_53: &str = "NIST SP 800-53";
const TITLE_800_53A: &str = "NIST SP 800-53A";

impl CciReference {
    /// Classifies the reference. DISA writes rev 3 as title "NIST SP 800-53" with `version="3"`, and
    /// rev 4 / rev 5 as "NIST SP 800-53 Revision 4|5" with `version="4|5"`. The title's revision
    /// decides when present; the bare title falls back to `version`.
    pub fn publication(&self) -> Publication<'_> {
        let title = self.title.trim();
        if self.creator.trim() != "NIST" {
            return Publication::Other;
        }
        if title == TITLE_800_53A {
            return Publication::Sp800_53A { version: self.version.trim() };
        }
        let Some(rest) = title.strip_prefix(TITLE_800_53) else {
            return Publication::Other;
        };
        let revision = if rest.is_empty() {
            Revision::from_number(&self.version)
        } else {
            rest.strip_prefix(" Revision ").and_then(Revision::from_number)
        };
        revision.map_or(Publication::Other, Publication::Sp800_53)
    }
}

impl CciItem {
    /// The SP 800-53 index strings of one revision, verbatim and in document order.
    pub fn nist_800_53(&self, revision: Revision) -> Vec<&str> {
        self.references
            .iter()
            .filter(|r| r.publication() == Publication::Sp800_53(revision))
            .map(|r| r.index.as_str())
            .collect()
    }

    /// The SP 800-53A index strings (assessment objectives), verbatim.
    pub fn nist_800_53a(&self) -> Vec<&str> {
        self.references
            .iter()
            .filter(|r| matches!(r.publication(), Publication::Sp800_53A { .. }))
            .map(|r| r.index.as_str())
            .collect()
    }

    pub fn is_deprecated(&self) -> bool {
        self.status == "deprecated"
    }
}

impl CciCatalog {
    pub fn get(&self, cci: &str) -> Option<&CciItem> {
        self.items.get(cci.trim())
    }

    /// The SP 800-53 controls a CCI maps to in one revision; empty for an unknown CCI or no mapping.
    pub fn nist_800_53(&self, cci: &str, revision: Revision) -> Vec<&str> {
        self.get(cci).map(|item| item.nist_800_53(revision)).unwrap_or_default()
    }

    pub fn definition(&self, cci: &str) -> Option<&str> {
        self.get(cci).map(|item| item.definition.as_str())
    }

    /// CCIs that map, in any SP 800-53 revision, to `control` or one of its enhancements or parts,
    /// sorted by id. See [`CciCatalog::ccis_for_control_in`].
    pub fn ccis_for_control(&self, control: &str) -> Vec<&str> {
        self.ccis_matching(control, |_| true)
    }

    /// CCIs that map, in `revision`, to `control` or one of its enhancements or parts, sorted by id.
    /// `AU-4` matches `AU-4`, `AU-4 (1)` and `AU-4 a` but not `AU-40`; `AU-4 (1)` matches
    /// `AU-4 (1) (a)` but not `AU-4 (10)`. The family is case-insensitive, `AU-4(1)` equals `AU-4 (1)`.
    pub fn ccis_for_control_in(&self, control: &str, revision: Revision) -> Vec<&str> {
        self.ccis_matching(control, |r| r == revision)
    }

    fn ccis_matching(&self, control: &str, revision_wanted: impl Fn(Revision) -> bool) -> Vec<&str> {
        let wanted = normalize_control(control);
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut ids: Vec<&str> = self
            .items
            .values()
            .filter(|item| {
                item.references.iter().any(|r| match r.publication() {
                    Publication::Sp800_53(rev) => {
                        revision_wanted(rev) && control_covers(&wanted, &normalize_control(&r.index))
                    }
                    _ => false,
                })
            })
            .map(|item| item.id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Canonical spelling of a control index for comparison: single spaces, a space before each `(`,
/// upper-case family (`au-4(1)` → `AU-4 (1)`). Part letters stay as written (`AC-1 a`).
fn normalize_control(control: &str) -> String {
    let mut out = String::with_capacity(control.len() + 4);
    for word in control.split_whitespace() {
        for (i, piece) in word.split('(').enumerate() {
            if i > 0 {
                push_word(&mut out, "(");
                out.push_str(piece);
            } else if !piece.is_empty() {
                push_word(&mut out, piece);
            }
        }
    }
    match out.split_once(' ') {
        Some((family, rest)) => format!("{} {rest}", family.to_ascii_uppercase()),
        None => out.to_ascii_uppercase(),
    }
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// Whether index `candidate` is `control` itself or something inside it: what follows the
/// control must start a new word, so `AU-4` does not cover `AU-40`.
fn control_covers(control: &str, candidate: &str) -> bool {
    match candidate.strip_prefix(control) {
        Some(rest) => rest.is_empty() || rest.starts_with(' '),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(title: &str, version: &str, index: &str) -> CciReference {
        CciReference {
            creator: "NIST".into(),
            title: title.into(),
            version: version.into(),
            location: "http://csrc.nist.gov/publications/PubsSPs.html".into(),
            index: index.into(),
        }
    }

    fn item(id: &str, references: Vec<CciReference>) -> CciItem {
        CciItem {
            id: id.into(),
            status: "draft".into(),
            publish_date: "2013-03-14".into(),
            contributor: "DISA FSO".into(),
            definition: format!("definition of {id}"),
            types: vec!["technical".into()],
            parameter: None,
            note: None,
            references,
            location: Location::unknown(),
        }
    }

    fn catalog(items: Vec<CciItem>) -> CciCatalog {
        CciCatalog {
            version: "2025-01-23".into(),
            publish_date: "2025-01-23".into(),
            items: items.into_iter().map(|i| (i.id.clone(), i)).collect(),
        }
    }

    #[test]
    fn classifies_publications_as_disa_writes_them() {
        let cases = [
            ("NIST SP 800-53", "3", Publication::Sp800_53(Revision::Rev3)),
            ("NIST SP 800-53 Revision 4", "4", Publication::Sp800_53(Revision::Rev4)),
            ("NIST SP 800-53 Revision 5", "5", Publication::Sp800_53(Revision::Rev5)),
            ("NIST SP 800-53A", "1", Publication::Sp800_53A { version: "1" }),
            // The title's revision wins over a disagreeing version attribute.
            ("NIST SP 800-53 Revision 4", "5", Publication::Sp800_53(Revision::Rev4)),
            ("NIST SP 800-53", "4", Publication::Sp800_53(Revision::Rev4)),
            ("NIST SP 800-53", "9", Publication::Other),
            ("NIST SP 800-53 Revision 9", "9", Publication::Other),
            ("NIST SP 800-171", "2", Publication::Other),
        ];
        for (title, version, expected) in cases {
            assert_eq!(reference(title, version, "AC-1").publication(), expected, "{title} / {version}");
        }
        let mut not_nist = reference("NIST SP 800-53 Revision 4", "4", "AC-1");
        not_nist.creator = "DoD".into();
        assert_eq!(not_nist.publication(), Publication::Other);
    }

    #[test]
    fn nist_lookup_keeps_index_strings_and_order_per_revision() {
        let c = catalog(vec![item(
            "CCI-002153",
            vec![
                reference("NIST SP 800-53", "3", "AC-3 (3)"),
                reference("NIST SP 800-53A", "1", "AC-3 (3).1 (i)"),
                reference("NIST SP 800-53 Revision 4", "4", "AC-3 (3)"),
                reference("NIST SP 800-53 Revision 5", "5", "AC-3 (3)"),
                reference("NIST SP 800-53 Revision 5", "5", "AC-3 (15) (a)"),
            ],
        )]);
        assert_eq!(c.nist_800_53("CCI-002153", Revision::Rev5), ["AC-3 (3)", "AC-3 (15) (a)"]);
        assert_eq!(c.nist_800_53("CCI-002153", Revision::Rev4), ["AC-3 (3)"]);
        assert_eq!(c.nist_800_53("CCI-002153", Revision::Rev3), ["AC-3 (3)"]);
        assert_eq!(c.items["CCI-002153"].nist_800_53a(), ["AC-3 (3).1 (i)"]);
        assert!(c.nist_800_53("CCI-999999", Revision::Rev4).is_empty());
        assert_eq!(c.definition("CCI-002153"), Some("definition of CCI-002153"));
        assert_eq!(c.definition("CCI-999999"), None);
    }

    #[test]
    fn control_lookup_matches_enhancements_and_parts_but_not_longer_numbers() {
        let rev5 = |index: &str| reference("NIST SP 800-53 Revision 5", "5", index);
        let c = catalog(vec![
            item("CCI-000001", vec![rev5("AU-4")]),
            item("CCI-000002", vec![rev5("AU-4 (1)")]),
            item("CCI-000003", vec![rev5("AU-4 a")]),
            item("CCI-000004", vec![rev5("AU-40")]),
            item("CCI-000005", vec![rev5("AU-4 (10)")]),
            item("CCI-000006", vec![rev5("AU-4 (1) (a)")]),
            item("CCI-000007", vec![reference("NIST SP 800-53 Revision 4", "4", "AU-4")]),
            item("CCI-000008", vec![reference("NIST SP 800-53A", "1", "AU-4.1")]),
            item("CCI-000009", vec![rev5("AU-14")]),
        ]);
        let all = ["CCI-000001", "CCI-000002", "CCI-000003", "CCI-000005", "CCI-000006"];
        assert_eq!(c.ccis_for_control_in("AU-4", Revision::Rev5), all);
        assert_eq!(c.ccis_for_control_in("au-4", Revision::Rev5), all);
        assert_eq!(c.ccis_for_control_in("AU-4", Revision::Rev4), ["CCI-000007"]);
        let mut any = all.to_vec();
        any.push("CCI-000007");
        any.sort_unstable();
        assert_eq!(c.ccis_for_control("AU-4"), any);
        assert_eq!(c.ccis_for_control_in("AU-4 (1)", Revision::Rev5), ["CCI-000002", "CCI-000006"]);
        assert_eq!(c.ccis_for_control_in("AU-4(1)", Revision::Rev5), ["CCI-000002", "CCI-000006"]);
        assert_eq!(c.ccis_for_control_in("AU-40", Revision::Rev5), ["CCI-000004"]);
        assert!(c.ccis_for_control("").is_empty());
        assert!(c.ccis_for_control("AU").is_empty());
    }

    #[test]
    fn parses_revision_names() {
        for (text, revision) in [("4", Revision::Rev4), ("rev5", Revision::Rev5), ("R3", Revision::Rev3)] {
            assert_eq!(text.parse::<Revision>(), Ok(revision));
        }
        assert_eq!(" Revision 5 ".parse::<Revision>(), Ok(Revision::Rev5));
        assert_eq!("Rev 4".parse::<Revision>(), Ok(Revision::Rev4));
        let err = "rev6".parse::<Revision>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown nist sp 800-53 revision `rev6`; expected 3, 4 or 5 (also `rev4`, `r5`)"
        );
        for revision in Revision::ALL {
            assert_eq!(revision.to_string().parse::<Revision>(), Ok(revision));
        }
    }

    #[test]
    fn normalizes_control_spelling() {
        assert_eq!(normalize_control("  au-4(1)(a) "), "AU-4 (1) (a)");
        assert_eq!(normalize_control("AC-1 a 1 (a)"), "AC-1 a 1 (a)");
        assert_eq!(normalize_control("AU-4  (1)"), "AU-4 (1)");
        assert_eq!(normalize_control("sc-7"), "SC-7");
    }
}
