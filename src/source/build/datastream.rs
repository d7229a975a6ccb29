//! The SCAP 1.3 source data stream (`templates/build/scap-1.3-datastream.xml.j2`): one data-stream
//! with the XCCDF 1.2 benchmark as checklist and one merged OVAL document as check, the
//! checklist's catalog mapping the benchmark's OVAL `href` to the check's component-ref.

use std::path::Path;

use serde::Serialize;

use super::BuildError;
use super::oval_merge::MergedOval;

const TEMPLATE_NAME: &str = "scap-1.3-datastream.xml.j2";
const TEMPLATE: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/build/scap-1.3-datastream.xml.j2"));
const NS_OVAL_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";

/// Ids and names of one data stream. `name` is the reverse-DNS part of SCAP ids (no `_`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataStreamIds {
    pub collection_id: String,
    pub datastream_id: String,
    pub checklist_cref: String,
    pub checklist_component: String,
    pub oval_cref: String,
    pub oval_component: String,
    /// The name the benchmark's OVAL `check-content-ref href` uses.
    pub oval_href: String,
    pub cpe_dictionary_cref: String,
    pub cpe_dictionary_component: String,
    pub cpe_oval_cref: String,
    pub cpe_oval_component: String,
    /// The name the dictionary's `check href` uses for the CPE OVAL component.
    pub cpe_oval_href: String,
    /// `xsd:dateTime` for the data stream and its components.
    pub timestamp: String,
    pub product_version: String,
}

impl DataStreamIds {
    /// SCAP 1.3 ids (`scap_<reverse-dns>_<kind>_<name>`) for content named `name` (e.g. `docker-ee-V2R2`).
    pub fn new(namespace: &str, name: &str, oval_href: &str, timestamp: &str) -> Self {
        let id = |kind: &str, what: &str| format!("scap_{namespace}_{kind}_{what}");
        let benchmark_file = format!("{name}-xccdf.xml");
        let dictionary_file = format!("{name}-cpe-dictionary.xml");
        let cpe_oval_href = super::PLATFORM_OVAL_HREF;
        DataStreamIds {
            collection_id: id("collection", name),
            datastream_id: id("datastream", name),
            checklist_cref: id("cref", &benchmark_file),
            checklist_component: id("comp", &benchmark_file),
            oval_cref: id("cref", oval_href),
            oval_component: id("comp", oval_href),
            oval_href: oval_href.to_string(),
            cpe_dictionary_cref: id("cref", &dictionary_file),
            cpe_dictionary_component: id("comp", &dictionary_file),
            cpe_oval_cref: id("cref", cpe_oval_href),
            cpe_oval_component: id("comp", cpe_oval_href),
            cpe_oval_href: cpe_oval_href.to_string(),
            timestamp: timestamp.to_string(),
            product_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Render the data stream document.
pub fn render_datastream(
    ids: &DataStreamIds,
    benchmark_xml: &str,
    oval: &MergedOval,
) -> Result<String, BuildError> {
    let mut oval = oval.clone();
    // The generator is written with the `oval:` prefix; declare it even if no check file did.
    if !oval.namespaces.iter().any(|(p, _)| p.as_deref() == Some("oval")) {
        oval.namespaces.push((Some("oval".to_string()), NS_OVAL_COMMON.to_string()));
    }
    let mut env = super::xml_environment()?;
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    #[derive(Serialize)]
    struct Context<'a> {
        ds: &'a DataStreamIds,
        oval: &'a MergedOval,
        benchmark_xml: &'a str,
        platform: PlatformContext<'a>,
    }
    #[derive(Serialize)]
    struct PlatformContext<'a> {
        cpe_name: &'a str,
        title: &'a str,
        definition: &'a str,
        /// The inventory OVAL document without its XML declaration and leading comments.
        oval_xml: &'a str,
    }
    let oval_xml = super::PLATFORM_OVAL
        .find("<oval_definitions")
        .map_or(super::PLATFORM_OVAL, |start| &super::PLATFORM_OVAL[start..])
        .trim_end();
    let platform = PlatformContext {
        cpe_name: super::PLATFORM_CPE,
        title: super::PLATFORM_TITLE,
        definition: super::PLATFORM_DEFINITION,
        oval_xml,
    };
    let context = Context { ds: ids, oval: &oval, benchmark_xml, platform };
    Ok(env.get_template(TEMPLATE_NAME)?.render(minijinja::value::Serde(&context))?)
}

/// Write the data stream to `path` through the one output writer (atomic for a regular file).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    crate::output::write_bytes(path, bytes).map_err(BuildError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_scap_pattern() {
        let ids = DataStreamIds::new(
            "io.stigrun.docker-ee",
            "docker-ee-V2R2",
            "docker-ee-oval.xml",
            "2024-06-12T00:00:00",
        );
        assert_eq!(ids.datastream_id, "scap_io.stigrun.docker-ee_datastream_docker-ee-V2R2");
        assert_eq!(ids.oval_cref, "scap_io.stigrun.docker-ee_cref_docker-ee-oval.xml");
        assert_eq!(ids.checklist_component, "scap_io.stigrun.docker-ee_comp_docker-ee-V2R2-xccdf.xml");
    }

    #[test]
    fn renders_catalog_and_escapes_values() {
        let ids = DataStreamIds::new("io.stigrun.t", "t", "a&b.xml", "2024-06-12T00:00:00");
        let oval = MergedOval {
            namespaces: vec![(None, "http://oval.mitre.org/XMLSchema/oval-definitions-5".into())],
            schema_version: "5.11.2".into(),
            sections: vec![("tests".into(), vec!["<x id=\"1\"/>".into()])],
            definition_ids: vec![],
        };
        let xml = render_datastream(&ids, "<Benchmark/>", &oval).unwrap();
        assert!(
            xml.contains(r##"<cat:uri name="a&amp;b.xml" uri="#scap_io.stigrun.t_cref_a&amp;b.xml"/>"##),
            "{xml}"
        );
        assert!(xml.contains("<x id=\"1\"/>") && xml.contains("<Benchmark/>"));
        assert!(xml.contains(r#"xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5""#));
        roxmltree::Document::parse(&xml).unwrap();
    }

    #[test]
    fn writes_atomically_and_reports_unwritable_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ds.xml");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
        let err = write_atomically(&dir.path().join("missing/ds.xml"), b"x").unwrap_err();
        assert!(err.to_string().contains("missing/ds.xml"), "{err}");
    }
}
