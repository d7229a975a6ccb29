//! Loader for DISA's CCI list (`U_CCI_List.xml`, namespace `http://iase.disa.mil/cci`).
//!
//! Uses roxmltree: the 3.4 MB list parses into a tree in a few milliseconds (see README, "CCI list
//! load time"), and a tree keeps the code a plain walk. Every problem in the content is collected,
//! not just the first, each with file:line:column.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use crate::model::cci::{CciCatalog, CciItem, CciReference};
use crate::model::location::Location;

pub const NS_CCI: &str = "http://iase.disa.mil/cci";

#[derive(Debug, thiserror::Error)]
pub enum CciError {
    #[error("cannot read cci list `{path}`: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{location}: cci list is not valid utf-8")]
    Utf8 { location: Location },
    #[error("{location}: malformed xml: {message}")]
    Xml { location: Location, message: String },
    #[error("{}", DisplayProblems(problems))]
    Invalid { problems: Vec<CciProblem> },
}

/// One content problem at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct CciProblem {
    pub location: Location,
    pub message: String,
}

struct DisplayProblems<'a>(&'a [CciProblem]);

impl fmt::Display for DisplayProblems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("invalid cci list"),
            [only] => write!(f, "{only}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more problems)", rest.len()),
        }
    }
}

/// Reads and parses a CCI list file.
pub fn load_cci_list(path: &Path) -> Result<CciCatalog, CciError> {
    let bytes =
        std::fs::read(path).map_err(|source| CciError::Io { path: path.display().to_string(), source })?;
    parse_cci_list(&bytes, &path.display().to_string())
}

/// Parses a CCI list; `file` names it in locations.
pub fn parse_cci_list(bytes: &[u8], file: &str) -> Result<CciCatalog, CciError> {
    let file: Arc<str> = Arc::from(file);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        // The prefix up to the bad byte is valid by definition.
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
        CciError::Utf8 { location: LineIndex::new(valid).location(&file, e.valid_up_to()) }
    })?;
    // DTDs are refused (the default): the CCI list has none, and entity expansion is a hazard.
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        CciError::Xml { location: Location::new(file.clone(), pos.row, pos.col), message: e.to_string() }
    })?;
    let mut walker = Walker { file, lines: LineIndex::new(text), problems: Vec::new() };
    let catalog = walker.catalog(&doc);
    if walker.problems.is_empty() {
        Ok(catalog)
    } else {
        Err(CciError::Invalid { problems: walker.problems })
    }
}

struct Walker<'t> {
    file: Arc<str>,
    lines: LineIndex<'t>,
    problems: Vec<CciProblem>,
}

impl Walker<'_> {
    fn location(&self, node: Node) -> Location {
        self.lines.location(&self.file, node.range().start)
    }

    fn problem(&mut self, node: Node, message: String) {
        let location = self.location(node);
        self.problems.push(CciProblem { location, message });
    }

    fn catalog(&mut self, doc: &Document) -> CciCatalog {
        let root = doc.root_element();
        let mut catalog =
            CciCatalog { version: String::new(), publish_date: String::new(), items: HashMap::new() };
        if !is_cci(root, "cci_list") {
            let name = root.tag_name();
            let message = format!(
                "root element is `{{{}}}{}`, expected `cci_list` in namespace `{NS_CCI}`",
                name.namespace().unwrap_or(""),
                name.name()
            );
            self.problem(root, message);
            return catalog;
        }
        match child(root, "metadata") {
            Some(metadata) => {
                catalog.version = self.required_text(metadata, "version");
                catalog.publish_date = self.required_text(metadata, "publishdate");
            }
            None => self.problem(root, "missing `metadata`".to_string()),
        }
        let Some(items) = child(root, "cci_items") else {
            self.problem(root, "missing `cci_items`".to_string());
            return catalog;
        };
        catalog.items.reserve(items.children().filter(Node::is_element).count());
        for node in items.children().filter(|n| is_cci(*n, "cci_item")) {
            let Some(item) = self.item(node) else { continue };
            if let Some(previous) = catalog.items.get(&item.id) {
                let message = format!("duplicate cci_item `{}` (first at {})", item.id, previous.location);
                self.problem(node, message);
                continue;
            }
            catalog.items.insert(item.id.clone(), item);
        }
        catalog
    }

    fn item(&mut self, node: Node) -> Option<CciItem> {
        let Some(id) = node.attribute("id").map(str::trim).filter(|id| !id.is_empty()) else {
            self.problem(node, "`cci_item` without `id`".to_string());
            return None;
        };
        let mut item = CciItem {
            id: id.to_string(),
            status: String::new(),
            publish_date: String::new(),
            contributor: String::new(),
            definition: String::new(),
            types: Vec::new(),
            parameter: None,
            note: None,
            references: Vec::new(),
            location: self.location(node),
        };
        let mut seen_definition = false;
        for field in node.children().filter(|n| n.is_element() && n.tag_name().namespace() == Some(NS_CCI)) {
            let text = || field.text().unwrap_or("").trim().to_string();
            match field.tag_name().name() {
                "status" => item.status = text(),
                "publishdate" => item.publish_date = text(),
                "contributor" => item.contributor = text(),
                "definition" => {
                    seen_definition = true;
                    item.definition = text();
                }
                "type" => item.types.push(text()),
                "parameter" => item.parameter = Some(text()),
                "note" => item.note = Some(text()),
                "references" => {
                    for reference in field.children().filter(|n| is_cci(*n, "reference")) {
                        if let Some(r) = self.reference(reference, id) {
                            item.references.push(r);
                        }
                    }
                }
                // Unknown fields from a future list version are not an error: the mapping still loads.
                _ => {}
            }
        }
        if !seen_definition {
            self.problem(node, format!("cci_item `{id}` has no `definition`"));
        }
        Some(item)
    }

    fn reference(&mut self, node: Node, cci: &str) -> Option<CciReference> {
        let attribute = |name: &str| node.attribute(name).map(str::to_string);
        let (Some(title), Some(index)) = (attribute("title"), attribute("index")) else {
            self.problem(node, format!("reference in `{cci}` lacks `title` or `index`"));
            return None;
        };
        Some(CciReference {
            creator: attribute("creator").unwrap_or_default(),
            title,
            version: attribute("version").unwrap_or_default(),
            location: attribute("location").unwrap_or_default(),
            index,
        })
    }

    fn required_text(&mut self, parent: Node, name: &str) -> String {
        match child(parent, name) {
            Some(node) => node.text().unwrap_or("").trim().to_string(),
            None => {
                self.problem(parent, format!("missing `{name}`"));
                String::new()
            }
        }
    }
}

fn is_cci(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(NS_CCI)
}

fn child<'a, 'input>(parent: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    parent.children().find(|n| is_cci(*n, name))
}

/// Byte offset → line and column. roxmltree's own `text_pos_at` scans from the start of the
/// document on every call, which is quadratic over 5000 items; this indexes line starts once.
struct LineIndex<'t> {
    line_starts: Vec<usize>,
    text: &'t str,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Self { line_starts, text }
    }

    /// 1-based line and column; the column counts characters, as roxmltree's errors do.
    fn location(&self, file: &Arc<str>, offset: usize) -> Location {
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Location::new(file.clone(), to_u32(line), to_u32(column))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<cci_list xmlns=\"http://iase.disa.mil/cci\">\n";

    fn list(items: &str) -> String {
        format!(
            "{HEADER}<metadata><version>2025-01-23</version><publishdate>2025-01-24</publishdate></metadata>\n\
             <cci_items>\n{items}</cci_items>\n</cci_list>\n"
        )
    }

    const ITEM_1851: &str = r#"<cci_item id="CCI-001851">
  <status>draft</status>
  <publishdate>2013-03-14</publishdate>
  <contributor>DISA FSO</contributor>
  <definition>Transfer audit logs per organization-defined frequency.</definition>
  <type>policy</type>
  <type>technical</type>
  <parameter>frequency</parameter>
  <note>a note</note>
  <references>
    <reference creator="NIST" title="NIST SP 800-53 Revision 4" version="4" location="http://csrc.nist.gov/publications/PubsSPs.html" index="AU-4 (1)"/>
    <reference creator="NIST" title="NIST SP 800-53 Revision 5" version="5" location="http://csrc.nist.gov/publications/PubsSPs.html" index="AU-4 (1)"/>
  </references>
</cci_item>
"#;

    #[test]
    fn parses_every_field_of_an_item() {
        let catalog = parse_cci_list(list(ITEM_1851).as_bytes(), "t.xml").unwrap();
        assert_eq!(catalog.version, "2025-01-23");
        assert_eq!(catalog.publish_date, "2025-01-24");
        let item = &catalog.items["CCI-001851"];
        assert_eq!(item.status, "draft");
        assert_eq!(item.publish_date, "2013-03-14");
        assert_eq!(item.contributor, "DISA FSO");
        assert_eq!(item.definition, "Transfer audit logs per organization-defined frequency.");
        assert_eq!(item.types, ["policy", "technical"]);
        assert_eq!(item.parameter.as_deref(), Some("frequency"));
        assert_eq!(item.note.as_deref(), Some("a note"));
        assert_eq!(item.references.len(), 2);
        assert_eq!(item.references[1].title, "NIST SP 800-53 Revision 5");
        assert_eq!(item.references[1].location, "http://csrc.nist.gov/publications/PubsSPs.html");
        assert_eq!(item.location.to_string(), "t.xml:5:1");
        assert_eq!(catalog.nist_800_53("CCI-001851", crate::model::cci::Revision::Rev5), ["AU-4 (1)"]);
    }

    #[test]
    fn malformed_xml_reports_file_line_column() {
        let text = list(ITEM_1851).replace("</status>", "</statu>");
        let err = parse_cci_list(text.as_bytes(), "bad.xml").unwrap_err();
        let CciError::Xml { location, .. } = &err else { panic!("expected xml error, got {err:?}") };
        assert_eq!((location.line, &*location.file), (6, "bad.xml"));
        assert!(err.to_string().starts_with("bad.xml:6:"), "{err}");
    }

    #[test]
    fn collects_all_content_problems_with_locations() {
        let items = format!(
            "{ITEM_1851}{ITEM_1851}<cci_item><definition>x</definition></cci_item>\n\
             <cci_item id=\"CCI-000002\"><status>draft</status><references><reference index=\"AC-1\"/></references></cci_item>\n"
        );
        let err = parse_cci_list(list(&items).as_bytes(), "p.xml").unwrap_err();
        let CciError::Invalid { problems } = &err else { panic!("expected problems, got {err:?}") };
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "p.xml:19:1: duplicate cci_item `CCI-001851` (first at p.xml:5:1)",
                "p.xml:33:1: `cci_item` without `id`",
                "p.xml:34:61: reference in `CCI-000002` lacks `title` or `index`",
                "p.xml:34:1: cci_item `CCI-000002` has no `definition`",
            ]
        );
        assert!(err.to_string().ends_with("(and 3 more problems)"), "{err}");
    }

    #[test]
    fn rejects_a_foreign_root_and_missing_sections() {
        let err = parse_cci_list(b"<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.1\"/>", "x.xml")
            .unwrap_err();
        assert!(err.to_string().contains("expected `cci_list` in namespace"), "{err}");
        let err = parse_cci_list(format!("{HEADER}</cci_list>").as_bytes(), "e.xml").unwrap_err();
        let CciError::Invalid { problems } = &err else { panic!("{err:?}") };
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn refuses_dtds_and_bad_utf8() {
        let text = format!(
            "<!DOCTYPE cci_list [<!ENTITY a \"b\">]>\n{}",
            &list("")[HEADER.find('<').unwrap_or(0)..]
        );
        let text = text.replacen("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", "", 1);
        assert!(matches!(parse_cci_list(text.as_bytes(), "d.xml"), Err(CciError::Xml { .. })));
        let mut bytes = list("").into_bytes();
        bytes.insert(HEADER.len() + 3, 0xFF);
        let err = parse_cci_list(&bytes, "u.xml").unwrap_err();
        assert!(matches!(err, CciError::Utf8 { .. }), "{err:?}");
        assert!(err.to_string().starts_with("u.xml:3:4:"), "{err}");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let err = load_cci_list(Path::new("/nonexistent/U_CCI_List.xml")).unwrap_err();
        assert!(matches!(err, CciError::Io { .. }));
        assert!(err.to_string().starts_with("cannot read cci list `/nonexistent/U_CCI_List.xml`"), "{err}");
    }

    #[test]
    fn line_index_counts_lines_and_characters() {
        let text = "ab\nçd\n\nx";
        let lines = LineIndex::new(text);
        let file: Arc<str> = Arc::from("f");
        let at = |offset| lines.location(&file, offset).to_string();
        assert_eq!(at(0), "f:1:1");
        assert_eq!(at(3), "f:2:1");
        assert_eq!(at(5), "f:2:2"); // after the two-byte 'ç'
        assert_eq!(at(6), "f:2:3");
        assert_eq!(at(7), "f:3:1");
        assert_eq!(at(8), "f:4:1");
        assert_eq!(at(9), "f:4:2");
    }

    fn shipped_list() -> CciCatalog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/cci/U_CCI_List.xml");
        load_cci_list(&path).unwrap()
    }

    #[test]
    fn loads_the_shipped_disa_list() {
        use crate::model::cci::Revision;
        let catalog = shipped_list();
        assert_eq!(catalog.version, "2025-01-23");
        assert_eq!(catalog.items.len(), 5137);
        assert_eq!(catalog.nist_800_53("CCI-001851", Revision::Rev4), ["AU-4 (1)"]);
        assert_eq!(catalog.nist_800_53("CCI-001851", Revision::Rev5), ["AU-4 (1)"]);
        let with = |rev| catalog.items.values().filter(|i| !i.nist_800_53(rev).is_empty()).count();
        assert_eq!((with(Revision::Rev4), with(Revision::Rev5)), (3001, 3836));
        assert!(catalog.ccis_for_control_in("AU-4", Revision::Rev5).contains(&"CCI-001851"));
        assert!(catalog.ccis_for_control_in("AU-4 (1)", Revision::Rev5).contains(&"CCI-001851"));
        assert!(!catalog.ccis_for_control_in("AU-14", Revision::Rev5).contains(&"CCI-001851"));
    }

    /// Cross-check against `cci_nist_map.json`, which a separate script derived from the same XML.
    /// It lives in the team's shared data, outside the repository: without it the test says so and
    /// passes, unless `STIGRUN_REQUIRE_SHARED_DATA` is set (then a missing file fails).
    #[test]
    fn agrees_with_the_derived_json_map_for_every_cci() {
        use crate::model::cci::Revision;
        let dir = std::env::var("STIGRUN_SHARED_DATA").unwrap_or_else(|_| "/work/shared/data".to_string());
        let path = Path::new(&dir).join("cci/cci_nist_map.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            assert!(std::env::var_os("STIGRUN_REQUIRE_SHARED_DATA").is_none(), "missing {}", path.display());
            eprintln!("skipped: {} not found", path.display());
            return;
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let catalog = shipped_list();
        assert_eq!(json["cci_list_metadata"]["version"], catalog.version.as_str());
        assert_eq!(json["cci_list_metadata"]["publishdate"], catalog.publish_date.as_str());
        let expected = json["items"].as_object().unwrap();
        assert_eq!(expected.len(), catalog.items.len());
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
        };
        for (id, want) in expected {
            let item = catalog.items.get(id).unwrap_or_else(|| panic!("`{id}` missing"));
            assert_eq!(item.definition, want["definition"].as_str().unwrap(), "{id} definition");
            assert_eq!(item.status, want["status"].as_str().unwrap(), "{id} status");
            assert_eq!(item.publish_date, want["publishdate"].as_str().unwrap(), "{id} publishdate");
            // The loader trims element text; 21 items have "DISA FSO " and the JSON kept the space.
            assert_eq!(item.contributor, want["contributor"].as_str().unwrap().trim(), "{id} contributor");
            // The JSON keeps only the first `type` of items that have two.
            assert_eq!(item.types.first().map(String::as_str), want["type"].as_str(), "{id} type");
            for (key, rev) in [
                ("nist_800_53_rev3", Revision::Rev3),
                ("nist_800_53_rev4", Revision::Rev4),
                ("nist_800_53_rev5", Revision::Rev5),
            ] {
                assert_eq!(item.nist_800_53(rev), strings(&want[key]), "{id} {key}");
            }
            assert_eq!(item.nist_800_53a(), strings(&want["nist_800_53a_v1"]), "{id} 800-53A");
            assert!(strings(&want["other_references"]).is_empty(), "{id}: json has other references");
        }
    }
}
