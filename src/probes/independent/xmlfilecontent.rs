//! `ind:xmlfilecontent_object` → `ind:xmlfilecontent_item`: the result of an XPath 1.0
//! expression over each XML file (see [`super::xpath`] for the supported subset).
//!
//! As oscap 1.3.7: one item per file; from a node set only attribute and text nodes give a
//! `value_of` (elements give none; select `text()` or an attribute); an empty node set gives no
//! item (the object is then `does not exist`); a number is truncated to an int; a malformed file flags
//! the object `error` (here with file:line:column).

use roxmltree::{Document, ParsingOptions};

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::fileset::{collect_parsed, push_location};
use crate::probes::support::xpath::{Value, XPath};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct XmlFileContentProbe;

impl Probe for XmlFileContentProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "xmlfilecontent_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(xpath_text) = object.entity("xpath").and_then(|e| e.values.first()) else {
            return Collected::error(format!("object `{}` has no `xpath`", object.id));
        };
        let xpath = match XPath::parse(xpath_text) {
            Ok(x) => x,
            Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
        };
        let kind = item_type(object.kind);
        collect_parsed(object, ctx, |file, shown, text| {
            let options = ParsingOptions { allow_dtd: true, ..ParsingOptions::default() };
            let doc = Document::parse_with_options(text, options).map_err(|e| {
                let pos = e.pos();
                format!("`{shown}`:{}:{}: malformed XML: {e}", pos.row, pos.col)
            })?;
            let value = xpath.evaluate(&doc).map_err(|e| format!("`{shown}`: {e}"))?;
            let mut item = Item::new(kind.clone());
            push_location(&mut item, file);
            item.push("xpath", Datatype::String, xpath_text.clone());
            match value {
                // oscap builds a `does not exist` item here but does not report it: the object
                // is `does not exist` (checked in tests/oscap_parity_file_probes.rs).
                Value::Nodes(nodes) if nodes.is_empty() => return Ok(None),
                Value::Nodes(nodes) => {
                    for n in nodes.iter().filter(|n| n.is_attribute() || n.is_text()) {
                        item.push("value_of", Datatype::String, n.string_value());
                    }
                }
                Value::Str(s) => item.push("value_of", Datatype::String, s),
                // oscap stores the number in a 32-bit int.
                Value::Num(n) => item.push("value_of", Datatype::Int, (n as i32).to_string()),
                Value::Bool(b) => {
                    item.push("value_of", Datatype::Boolean, crate::probes::unix::file::bool_text(b))
                }
            }
            Ok(Some(item))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::{ItemValue, Operation};
    use crate::probes::support::fileset::tests::{entity, kind, object};
    use crate::semantics::CollectedFlag;

    fn run(content: &str, xpath: &str) -> Collected {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::fs::write(d.path().join("etc/x.xml"), content).unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "xmlfilecontent_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/etc/x.xml"),
                entity("xpath", Operation::Equals, xpath),
            ],
            &[],
        );
        XmlFileContentProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())))
    }

    fn values(c: &Collected) -> Vec<String> {
        c.items[0]
            .fields_named("value_of")
            .filter_map(|f| match &f.value {
                ItemValue::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    const DOC: &str = r#"<r><a k="v" n="1">t1</a><b><a k="v" n="2"/></b><a k="w" n="3"/></r>"#;

    #[test]
    fn item_matches_oscap_for_attribute_values() {
        let c = run(DOC, "//a[@k='v']/@n");
        assert_eq!(c.flag, CollectedFlag::Complete);
        let names: Vec<&str> = c.items[0].fields.iter().map(|f| f.name.as_ref()).collect();
        assert_eq!(names, ["filepath", "path", "filename", "xpath", "value_of", "value_of"]);
        assert_eq!(values(&c), ["1", "2"]);
        assert_eq!(c.evidence.len(), 1);
    }

    #[test]
    fn elements_give_no_value_and_empty_set_is_does_not_exist() {
        assert!(values(&run(DOC, "//a")).is_empty());
        let c = run(DOC, "//zzz");
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        assert!(c.items.is_empty());
        assert_eq!(values(&run(DOC, "count(//a)")), ["3"]);
    }

    #[test]
    fn malformed_xml_names_file_and_position() {
        let c = run("<r>\n  <a>\n</r>", "/r");
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.starts_with("`/etc/x.xml`:3:"), "{:?}", c.messages);
    }

    #[test]
    fn unsupported_xpath_is_an_object_error() {
        let c = run(DOC, "//a/following-sibling::b");
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("not supported"), "{:?}", c.messages);
    }
}
