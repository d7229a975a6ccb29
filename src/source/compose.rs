//! What an ARF's report request holds for standalone content (a benchmark file and the OVAL files
//! beside it), so that the ARF carries the content the scan evaluated and `report --from` can read
//! it back anywhere.
//!
//! An XCCDF 1.2 benchmark is wrapped, with the OVAL documents its checks named, in a source data
//! stream composed on the spot (`templates/build/composed-datastream.xml.j2`), as oscap does for
//! standalone content. An XCCDF 1.1 benchmark cannot be a data-stream component (the SCAP 1.3
//! schema admits only 1.2 benchmarks; oscap puts it there anyway and its ARF does not validate), so
//! the benchmark itself is the request's content, which ARF 1.1 allows (any element, validated
//! laxly).

use std::collections::HashSet;

use serde::Serialize;

use crate::loader::document_root::{DocumentRoot, DocumentRootError, document_root};
use crate::model::oval::NS_OVAL_DEFS as NS_OVAL_DEFINITIONS;
use crate::model::xccdf::{NS_XCCDF_11, NS_XCCDF_12};

const TEMPLATE_NAME: &str = "composed-datastream.xml.j2";
const TEMPLATE: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/build/composed-datastream.xml.j2"));
/// Reverse-DNS namespace of the composed ids (`scap_<namespace>_<kind>_<name>`).
const NAMESPACE: &str = "io.stigrun";

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("`{file}`: {source}")]
    Xml { file: String, source: DocumentRootError },
    #[error("`{file}` is not an XCCDF benchmark (root element `{found}`)")]
    NotBenchmark { file: String, found: String },
    #[error("`{href}` is not an OVAL definitions document (root element `{found}`)")]
    NotOval { href: String, found: String },
    #[error("composing the data stream: {0}")]
    Render(#[from] minijinja::Error),
}

/// One OVAL document a check named: the href as the benchmark wrote it, and its XML.
pub struct CheckDocument<'a> {
    pub href: &'a str,
    pub xml: &'a str,
}

#[derive(Serialize)]
struct Component<'a> {
    href: &'a str,
    cref: String,
    component: String,
    xml: &'a str,
}

/// The report-request content for the benchmark `benchmark_xml` (read from `file`) and the check
/// documents the scan loaded: a composed source data stream (XCCDF 1.2) or the benchmark element
/// itself (XCCDF 1.1). `timestamp` is the components' `xsd:dateTime`.
pub fn report_request_content(
    file: &str,
    benchmark_xml: &str,
    checks: &[CheckDocument<'_>],
    timestamp: &str,
) -> Result<String, ComposeError> {
    let benchmark = root_element(file, benchmark_xml)?;
    if !benchmark.is(NS_XCCDF_11, "Benchmark") && !benchmark.is(NS_XCCDF_12, "Benchmark") {
        return Err(ComposeError::NotBenchmark { file: file.to_string(), found: benchmark.local });
    }
    if benchmark.is(NS_XCCDF_11, "Benchmark") {
        return Ok(benchmark.xml.to_string());
    }
    let name = file_name(file);
    let mut taken = HashSet::new();
    let mut unique = |kind: &str, name: &str| {
        let base = format!("scap_{NAMESPACE}_{kind}_{}", id_safe(name));
        let mut id = base.clone();
        let mut n = 1;
        while !taken.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    };
    let checklist = Component {
        href: name,
        cref: unique("cref", name),
        component: unique("comp", name),
        xml: benchmark.xml,
    };
    let mut components = Vec::new();
    for check in checks {
        let oval = root_element(check.href, check.xml)?;
        if !oval.is(NS_OVAL_DEFINITIONS, "oval_definitions") {
            return Err(ComposeError::NotOval { href: check.href.to_string(), found: oval.local });
        }
        let named = file_name(check.href);
        components.push(Component {
            href: check.href,
            cref: unique("cref", named),
            component: unique("comp", named),
            xml: oval.xml,
        });
    }
    let mut environment = crate::escape::escaping_environment(crate::escape::escape_xml)?;
    environment.add_template(TEMPLATE_NAME, TEMPLATE)?;
    let context = minijinja::context! {
        collection_id => unique("collection", &format!("from_xccdf_{name}")),
        datastream_id => unique("datastream", &format!("from_xccdf_{name}")),
        timestamp => timestamp,
        checklist => minijinja::Value::from(minijinja::value::Serde(&checklist)),
        checks => minijinja::Value::from(minijinja::value::Serde(&components)),
    };
    Ok(environment.get_template(TEMPLATE_NAME)?.render(context)?)
}

fn root_element<'a>(file: &str, xml: &'a str) -> Result<DocumentRoot<'a>, ComposeError> {
    document_root(xml).map_err(|source| ComposeError::Xml { file: file.to_string(), source })
}

/// The last path segment of an href or file path.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).unwrap_or(path)
}

/// The characters an `xs:ID` after the `scap_…_` prefix may hold; anything else becomes `-`.
fn id_safe(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BENCHMARK_12: &str = r#"<?xml version="1.0"?>
<!-- a comment before the root -->
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_t"><status>draft</status></Benchmark>
"#;
    const OVAL: &str = r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"/>"#;

    fn compose(benchmark: &str, checks: &[CheckDocument<'_>]) -> Result<String, ComposeError> {
        report_request_content("dir/bench.xml", benchmark, checks, "2026-01-01T00:00:00")
    }

    #[test]
    fn a_1_2_benchmark_and_its_checks_become_a_data_stream() {
        let checks = [
            CheckDocument { href: "checks/a&b.xml", xml: OVAL },
            // Two hrefs with one file name still get distinct ids.
            CheckDocument { href: "other/a&b.xml", xml: OVAL },
        ];
        let xml = compose(BENCHMARK_12, &checks).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "data-stream-collection");
        let uris: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("uri"))
            .map(|n| (n.attribute("name").unwrap(), n.attribute("uri").unwrap()))
            .collect();
        assert_eq!(
            uris,
            [
                ("checks/a&b.xml", "#scap_io.stigrun_cref_a-b.xml"),
                ("other/a&b.xml", "#scap_io.stigrun_cref_a-b.xml-2")
            ]
        );
        let components: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("component"))
            .map(|n| n.attribute("id").unwrap())
            .collect();
        assert_eq!(
            components,
            [
                "scap_io.stigrun_comp_a-b.xml",
                "scap_io.stigrun_comp_a-b.xml-2",
                "scap_io.stigrun_comp_bench.xml"
            ]
        );
        let benchmark = root.descendants().find(|n| n.has_tag_name("Benchmark")).unwrap();
        assert_eq!(benchmark.attribute("id"), Some("xccdf_t_benchmark_t"));
        assert!(!xml.contains("<?xml") && !xml.contains("a comment before"), "prologs are left out");
    }

    #[test]
    fn a_1_1_benchmark_is_the_request_itself() {
        let xml = r#"<?xml version="1.0"?><Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b"/>"#;
        let checks = [CheckDocument { href: "o.xml", xml: OVAL }];
        assert_eq!(
            compose(xml, &checks).unwrap(),
            r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b"/>"#
        );
    }

    #[test]
    fn what_cannot_be_copied_faithfully_is_refused() {
        let with_dtd = r#"<!DOCTYPE Benchmark [<!ENTITY e "x">]><Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="b">&e;</Benchmark>"#;
        let e = compose(with_dtd, &[]).unwrap_err();
        assert!(matches!(e, ComposeError::Xml { source: DocumentRootError::DocumentType, .. }), "{e}");
        assert!(matches!(compose(OVAL, &[]), Err(ComposeError::NotBenchmark { .. })));
        let not_oval = [CheckDocument { href: "o.xml", xml: BENCHMARK_12 }];
        assert!(matches!(compose(BENCHMARK_12, &not_oval), Err(ComposeError::NotOval { .. })));
        assert!(matches!(compose("<Benchmark", &[]), Err(ComposeError::Xml { .. })));
    }
}
