//! OVAL variables loader: an `oval_variables` document (what `oscap oval eval --variables` takes)
//! → values of external variables by id.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::Node;

use super::oval::{OvalLoadError, OvalLoadErrors, Parser, elements, parse_xml, text_of};
use crate::model::location::Location;
use crate::model::oval::Datatype;
use crate::model::spelling;

pub const NS_OVAL_VARIABLES: &str = "http://oval.mitre.org/XMLSchema/oval-variables-5";

/// Variable id → (datatype, values in document order).
pub type OvalVariableValues = HashMap<String, (Datatype, Vec<String>)>;

/// Load an OVAL variables file.
pub fn load_oval_variables_file(path: &Path) -> Result<OvalVariableValues, OvalLoadErrors> {
    let name = path.display().to_string();
    let text = super::input::read_to_string(path)
        .map_err(|source| OvalLoadErrors(vec![OvalLoadError::Read { path: name.clone(), source }]))?;
    parse_oval_variables_str(&text, &name)
}

/// Parse an OVAL variables document held in memory; `name` is used in error locations.
pub fn parse_oval_variables_str(xml: &str, name: &str) -> Result<OvalVariableValues, OvalLoadErrors> {
    let document = parse_xml(xml, name)?;
    parse_oval_variables_node(document.root_element(), name)
}

/// Parse an `oval_variables` element (standalone or embedded in a larger document).
pub fn parse_oval_variables_node(
    node: Node<'_, '_>,
    name: &str,
) -> Result<OvalVariableValues, OvalLoadErrors> {
    let mut parser = Parser::new(node.document().input_text(), name);
    let values = read_document(&mut parser, node);
    if parser.errors.is_empty() { Ok(values) } else { Err(OvalLoadErrors(parser.errors)) }
}

fn is_var(node: Node<'_, '_>, name: &str) -> bool {
    node.tag_name().namespace() == Some(NS_OVAL_VARIABLES) && node.tag_name().name() == name
}

fn read_document(parser: &mut Parser<'_>, root: Node<'_, '_>) -> OvalVariableValues {
    let mut values = OvalVariableValues::new();
    if !is_var(root, "oval_variables") {
        let location = parser.location(root);
        parser.errors.push(OvalLoadError::WrongRoot {
            location,
            expected: "oval_variables",
            namespace: NS_OVAL_VARIABLES,
            found: root.tag_name().name().to_string(),
        });
        return values;
    }
    let mut first_seen: HashMap<String, Location> = HashMap::new();
    for section in elements(root).filter(|n| is_var(*n, "variables")) {
        for node in elements(section) {
            if !is_var(node, "variable") {
                parser.unexpected(node, section);
                continue;
            }
            let location = parser.location(node);
            let id = parser.required_string(node, "id");
            let datatype = match parser.required(node, "datatype") {
                Some(text) => spelling::datatype::parse(text).unwrap_or_else(|| {
                    parser.invalid(node, "datatype", text, spelling::datatype::EXPECTED);
                    Datatype::String
                }),
                None => Datatype::String,
            };
            let found: Vec<String> =
                elements(node).filter(|v| is_var(*v, "value")).map(|v| text_of(v).into_owned()).collect();
            if found.is_empty() {
                parser.missing_child(node, "value");
            }
            if let Some(first) = first_seen.get(&id) {
                parser.errors.push(OvalLoadError::DuplicateId { location, id, first: first.clone() });
                continue;
            }
            first_seen.insert(id.clone(), location);
            values.insert(id, (datatype, found));
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0"?>
<oval_variables xmlns="http://oval.mitre.org/XMLSchema/oval-variables-5"
    xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">
  <generator><oval:schema_version>5.11.2</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <variables>
    <variable id="oval:x:var:1" datatype="int" comment="c"><value>600</value></variable>
    <variable id="oval:x:var:2" datatype="string" comment="c"><value>a &amp; b</value><value></value><value>z</value></variable>
  </variables>
</oval_variables>"#;

    #[test]
    fn reads_values_with_datatypes_in_order() {
        let values = parse_oval_variables_str(DOC, "vars.xml").unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values["oval:x:var:1"], (Datatype::Int, vec!["600".to_string()]));
        let strings = &values["oval:x:var:2"];
        assert_eq!(strings.0, Datatype::String);
        assert_eq!(strings.1, vec!["a & b".to_string(), String::new(), "z".to_string()]);
    }

    #[test]
    fn reports_bad_datatype_missing_value_and_duplicates_with_locations() {
        let doc = DOC
            .replace(r#"datatype="int""#, r#"datatype="integer""#)
            .replace("<value>z</value>", "")
            .replace(
                "</variables>",
                r#"<variable id="oval:x:var:1" datatype="int" comment="c"/></variables>"#,
            );
        let errors = parse_oval_variables_str(&doc, "vars.xml").unwrap_err().0;
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            messages.iter().any(|m| m.starts_with("vars.xml:6:") && m.contains("`integer`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`variable` has no `value`") && m.starts_with("vars.xml:8:")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("id `oval:x:var:1` is already defined at vars.xml:6:5")));
    }

    #[test]
    fn rejects_a_definitions_document() {
        let doc = r#"<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"/>"#;
        let errors = parse_oval_variables_str(doc, "d.xml").unwrap_err();
        assert!(errors.to_string().starts_with("d.xml:1:1: expected a `oval_variables` element"), "{errors}");
    }
}
