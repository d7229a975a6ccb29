//! Merge self-contained OVAL definitions documents into one: definitions, tests, objects, states
//! and variables are copied verbatim (their source text), namespace declarations are united.
//!
//! Copying text instead of re-serialising a model keeps the authored checks byte-for-byte inside
//! the data stream, so what `oscap` evaluates there is exactly what was reviewed.

use std::collections::HashMap;

use super::BuildError;
use crate::loader::oval::{parse_oval_str, parse_xml};

pub const NS_OVAL_DEFINITIONS: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
/// The sections of `oval_definitions`, in schema order.
pub const SECTIONS: [&str; 5] = ["definitions", "tests", "objects", "states", "variables"];

/// The merged document's parts, ready for the data stream template.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergedOval {
    /// (prefix, uri); prefix `None` is the default namespace.
    pub namespaces: Vec<(Option<String>, String)>,
    /// The highest `schema_version` of the inputs.
    pub schema_version: String,
    /// (section name, verbatim elements) for the non-empty sections, in schema order.
    pub sections: Vec<(String, Vec<String>)>,
    pub definition_ids: Vec<String>,
}

/// Merge `(file name, xml)` documents. Every input is first loaded by the OVAL loader, so a broken
/// reference is reported with its file:line:column before anything is merged.
pub fn merge(files: &[(&str, &str)]) -> Result<MergedOval, BuildError> {
    let mut merged = MergedOval::default();
    let mut sections: Vec<Vec<String>> = vec![Vec::new(); SECTIONS.len()];
    // id → (where first defined, its text)
    let mut seen: HashMap<String, (String, String)> = HashMap::new();
    let mut schema_version: Option<String> = None;
    for (name, xml) in files {
        parse_oval_str(xml, name).map_err(|e| BuildError::Oval { message: e.to_string() })?;
        let document = parse_xml(xml, name).map_err(|e| BuildError::Oval { message: e.to_string() })?;
        let root = document.root_element();
        if root.tag_name().namespace() != Some(NS_OVAL_DEFINITIONS)
            || root.tag_name().name() != "oval_definitions"
        {
            return Err(BuildError::Oval {
                message: format!("`{name}` is not an oval_definitions document"),
            });
        }
        for ns in root.namespaces() {
            let prefix = ns.name().map(str::to_string);
            match merged.namespaces.iter().find(|(p, _)| *p == prefix) {
                Some((_, uri)) if uri != ns.uri() => {
                    return Err(BuildError::Oval {
                        message: format!(
                            "`{name}` binds prefix `{}` to `{}`, another check file to `{uri}`",
                            prefix.as_deref().unwrap_or(""),
                            ns.uri()
                        ),
                    });
                }
                Some(_) => {}
                None => merged.namespaces.push((prefix, ns.uri().to_string())),
            }
        }
        for child in root.children().filter(|n| n.is_element()) {
            let local = child.tag_name().name();
            if local == "generator" {
                let version = child
                    .children()
                    .find(|n| n.tag_name().name() == "schema_version")
                    .and_then(|n| n.text())
                    .map(str::trim);
                if let Some(v) = version
                    && schema_version.as_deref().is_none_or(|old| version_key(v) > version_key(old))
                {
                    schema_version = Some(v.to_string());
                }
                continue;
            }
            let Some(section) = SECTIONS.iter().position(|s| *s == local) else {
                let (line, column) = super::content::line_column(xml, child.range().start);
                return Err(BuildError::Oval {
                    message: format!("{name}:{line}:{column}: cannot merge element `{local}`"),
                });
            };
            for element in child.children().filter(|n| n.is_element()) {
                let text = &xml[element.range()];
                let (line, column) = super::content::line_column(xml, element.range().start);
                let here = format!("{name}:{line}:{column}");
                let Some(id) = element.attribute("id") else {
                    return Err(BuildError::Oval { message: format!("{here}: element without an id") });
                };
                match seen.get(id) {
                    // The same element in two files (e.g. a shared object) is kept once.
                    Some((_, first)) if first == text => continue,
                    Some((first_at, _)) => {
                        return Err(BuildError::Oval {
                            message: format!("{here}: `{id}` is defined differently at {first_at}"),
                        });
                    }
                    None => {}
                }
                seen.insert(id.to_string(), (here, text.to_string()));
                if section == 0 {
                    merged.definition_ids.push(id.to_string());
                }
                sections[section].push(text.to_string());
            }
        }
    }
    merged.schema_version = schema_version.unwrap_or_else(|| "5.11.2".to_string());
    merged.sections = SECTIONS
        .iter()
        .zip(sections)
        .filter(|(_, elements)| !elements.is_empty())
        .map(|(name, elements)| (name.to_string(), elements))
        .collect();
    Ok(merged)
}

const STANDALONE_TEMPLATE: &str = include_str!("../../../templates/build/oval-definitions.xml.j2");

/// A merged document as a standalone OVAL definitions file.
pub fn render_standalone(oval: &MergedOval) -> Result<String, BuildError> {
    let mut env = super::xml_environment()?;
    env.add_template("oval-definitions.xml.j2", STANDALONE_TEMPLATE)?;
    #[derive(serde::Serialize)]
    struct Context<'a> {
        oval: &'a MergedOval,
        product_version: &'static str,
    }
    let context = Context { oval, product_version: env!("CARGO_PKG_VERSION") };
    Ok(env.get_template("oval-definitions.xml.j2")?.render(minijinja::value::Serde(&context))?)
}

/// The definition ids and external variables (id, datatype) one OVAL document declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredIds {
    pub definitions: Vec<String>,
    pub external_variables: Vec<(String, String)>,
}

pub fn declared_ids(xml: &str, name: &str) -> Result<DeclaredIds, BuildError> {
    let document = parse_xml(xml, name).map_err(|e| BuildError::Oval { message: e.to_string() })?;
    let mut ids = DeclaredIds::default();
    for node in document.descendants().filter(|n| n.tag_name().namespace() == Some(NS_OVAL_DEFINITIONS)) {
        let id = node.attribute("id").unwrap_or_default().to_string();
        match node.tag_name().name() {
            "definition" => ids.definitions.push(id),
            "external_variable" => {
                ids.external_variables.push((id, node.attribute("datatype").unwrap_or_default().to_string()))
            }
            _ => {}
        }
    }
    Ok(ids)
}

/// `5.11.3` → [5, 11, 3], for comparing schema versions numerically.
fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(extra_ns: &str, version: &str, body: &str) -> String {
        format!(
            r#"<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"
  xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" {extra_ns}>
  <generator><oval:schema_version>{version}</oval:schema_version><oval:timestamp>2026-01-01T00:00:00</oval:timestamp></generator>
  {body}
</oval_definitions>"#
        )
    }

    fn definition(n: u32, test: &str) -> String {
        format!(
            r#"<definitions><definition id="oval:x:def:{n}" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata>
<criteria><criterion test_ref="{test}"/></criteria></definition></definitions>"#
        )
    }

    const IND: &str = r#"xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent""#;

    fn test_and_object(n: u32) -> String {
        format!(
            r#"<tests><ind:family_test id="oval:x:tst:{n}" version="1" check="all" check_existence="at_least_one_exists" comment="c"><ind:object object_ref="oval:x:obj:{n}"/></ind:family_test></tests>
<objects><ind:family_object id="oval:x:obj:{n}" version="1"/></objects>"#
        )
    }

    #[test]
    fn merges_sections_verbatim_and_keeps_the_highest_schema_version() {
        let a = doc(IND, "5.11.1", &(definition(1, "oval:x:tst:1") + &test_and_object(1)));
        let b = doc(IND, "5.11.3", &(definition(2, "oval:x:tst:2") + &test_and_object(2)));
        let merged = merge(&[("a.xml", &a), ("b.xml", &b)]).unwrap();
        assert_eq!(merged.schema_version, "5.11.3");
        assert_eq!(merged.definition_ids, ["oval:x:def:1", "oval:x:def:2"]);
        let names: Vec<&str> = merged.sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["definitions", "tests", "objects"]);
        assert!(merged.sections[2].1[1].starts_with(r#"<ind:family_object id="oval:x:obj:2""#));
        assert!(merged.namespaces.iter().any(|(p, _)| p.as_deref() == Some("ind")));
    }

    #[test]
    fn identical_shared_elements_are_kept_once_and_different_ones_refused() {
        let a = doc(IND, "5.11", &(definition(1, "oval:x:tst:1") + &test_and_object(1)));
        let b = doc(IND, "5.11", &(definition(2, "oval:x:tst:1") + &test_and_object(1)));
        let merged = merge(&[("a.xml", &a), ("b.xml", &b)]).unwrap();
        assert_eq!(merged.sections[1].1.len(), 1);
        let changed = b.replace(r#"comment="c""#, r#"comment="other""#);
        let err = merge(&[("a.xml", &a), ("b.xml", &changed)]).unwrap_err().to_string();
        assert!(
            err.contains("b.xml:") && err.contains("`oval:x:tst:1` is defined differently at a.xml:"),
            "{err}"
        );
    }

    #[test]
    fn declared_ids_lists_definitions_and_external_variables() {
        let body = definition(1, "oval:x:tst:1")
            + &test_and_object(1)
            + r#"<variables><external_variable id="oval:x:var:1" version="1" datatype="int" comment="c"/></variables>"#;
        let ids = declared_ids(&doc(IND, "5.11", &body), "a.xml").unwrap();
        assert_eq!(ids.definitions, ["oval:x:def:1"]);
        assert_eq!(ids.external_variables, [("oval:x:var:1".to_string(), "int".to_string())]);
    }

    #[test]
    fn conflicting_prefixes_and_broken_references_are_errors() {
        let a = doc(IND, "5.11", &(definition(1, "oval:x:tst:1") + &test_and_object(1)));
        let other = r#"xmlns:ind="http://example.com/ind""#;
        let b = doc(other, "5.11", "");
        assert!(merge(&[("a.xml", &a), ("b.xml", &b)]).unwrap_err().to_string().contains("prefix `ind`"));
        let dangling = doc(IND, "5.11", &definition(1, "oval:x:tst:9"));
        let err = merge(&[("d.xml", &dangling)]).unwrap_err().to_string();
        assert!(err.contains("oval:x:tst:9"), "{err}");
    }
}
