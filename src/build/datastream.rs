//! The SCAP 1.3 source data stream (`templates/build/scap-1.3-datastream.xml.j2`): one data-stream
//! with the XCCDF 1.2 benchmark as checklist and one merged OVAL document as check, the
//! checklist's catalog mapping the benchmark's OVAL `href` to the check's component-ref.
//!
//! The checks that use stigrun's Docker extension are an OVAL document too, but SCAP validators
//! (oscap's `sds-validate`, and `xccdf eval` before it runs) check every OVAL element against the
//! official schemas, which do not know the extension, even inside an `extended-component`. So the
//! extension document is carried as text: a `stigrun:oval-definitions` element in an
//! `extended-component`, its content the document in a CDATA section
//! ([`crate::loader::datastream::NS_EMBEDDED_DOCUMENT`]). oscap never reads it (its checks have a
//! system oscap does not support); stigrun's loader takes the text out and parses it.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::BuildError;
use super::oval_merge::MergedOval;

const TEMPLATE_NAME: &str = "scap-1.3-datastream.xml.j2";
const TEMPLATE: &str = include_str!("../../templates/build/scap-1.3-datastream.xml.j2");
const OVAL_TEMPLATE_NAME: &str = "oval-definitions.xml.j2";
const OVAL_TEMPLATE: &str = include_str!("../../templates/build/oval-definitions.xml.j2");
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
    /// The extension checks: catalog name, component-ref and extended component.
    pub extension_href: String,
    pub extension_cref: String,
    pub extension_component: String,
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
            extension_href: super::EXTENSION_HREF.to_string(),
            extension_cref: id("cref", super::EXTENSION_HREF),
            extension_component: id("ecomp", super::EXTENSION_HREF),
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
    extension: Option<&MergedOval>,
) -> Result<String, BuildError> {
    let oval = with_common_prefix(oval);
    let mut env = super::xml_environment()?;
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    env.add_template(OVAL_TEMPLATE_NAME, OVAL_TEMPLATE)?;
    let extension = match extension {
        Some(document) => {
            let document = with_common_prefix(document);
            let text = env
                .get_template(OVAL_TEMPLATE_NAME)?
                .render(minijinja::context! { ds => minijinja::value::Serde(ids), oval => minijinja::value::Serde(&document) })?;
            Some(cdata(&text))
        }
        None => None,
    };
    #[derive(Serialize)]
    struct Context<'a> {
        ds: &'a DataStreamIds,
        oval: &'a MergedOval,
        /// The extension OVAL document as a CDATA section, ready to paste.
        extension: Option<String>,
        embedded_ns: &'static str,
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
    let context = Context {
        ds: ids,
        oval: &oval,
        extension,
        embedded_ns: crate::loader::datastream::NS_EMBEDDED_DOCUMENT,
        benchmark_xml,
        platform,
    };
    Ok(env.get_template(TEMPLATE_NAME)?.render(minijinja::value::Serde(&context))?)
}

/// The generator is written with the `oval:` prefix; declare it even if no check file did.
fn with_common_prefix(oval: &MergedOval) -> MergedOval {
    let mut oval = oval.clone();
    if !oval.namespaces.iter().any(|(p, _)| p.as_deref() == Some("oval")) {
        oval.namespaces.push((Some("oval".to_string()), NS_OVAL_COMMON.to_string()));
    }
    oval
}

/// `text` as CDATA sections: a `]]>` inside is split across two sections.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed into place,
/// so readers never see a half-written data stream.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    let write_error = |source| BuildError::Write { path: path.to_path_buf(), source };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(directory).map_err(write_error)?;
    temporary.write_all(bytes).map_err(write_error)?;
    // Temporary files are created 0600; a data stream is content to share (rw-r--r--).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o644);
        temporary.as_file().set_permissions(mode).map_err(write_error)?;
    }
    temporary.as_file().sync_all().map_err(write_error)?;
    temporary.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
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
        let xml = render_datastream(&ids, "<Benchmark/>", &oval, None).unwrap();
        assert!(
            xml.contains(r##"<cat:uri name="a&amp;b.xml" uri="#scap_io.stigrun.t_cref_a&amp;b.xml"/>"##),
            "{xml}"
        );
        assert!(xml.contains("<x id=\"1\"/>") && xml.contains("<Benchmark/>"));
        assert!(xml.contains(r#"xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5""#));
        roxmltree::Document::parse(&xml).unwrap();
        assert!(!xml.contains("extended-component"));
    }

    #[test]
    fn the_extension_document_travels_as_text_in_an_extended_component() {
        let ids = DataStreamIds::new("io.stigrun.t", "t", "o.xml", "2024-06-12T00:00:00");
        let oval = MergedOval {
            namespaces: vec![(None, "http://oval.mitre.org/XMLSchema/oval-definitions-5".into())],
            schema_version: "5.11.3".into(),
            sections: vec![("tests".into(), vec!["<x id=\"1\" comment=\"a ]]&gt; b\"/>".into()])],
            definition_ids: vec![],
        };
        let xml = render_datastream(&ids, "<Benchmark/>", &oval, Some(&oval)).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let component = doc.descendants().find(|n| n.has_tag_name("extended-component")).unwrap();
        assert_eq!(component.attribute("id"), Some("scap_io.stigrun.t_ecomp_docker-ee-extension-checks.xml"));
        let embedded = component.first_element_child().unwrap();
        assert_eq!(embedded.tag_name().namespace(), Some(crate::loader::datastream::NS_EMBEDDED_DOCUMENT));
        // The text is the OVAL document itself, `]]>` and all.
        let text = embedded.text().unwrap();
        let inner = roxmltree::Document::parse(text).unwrap();
        assert_eq!(inner.root_element().tag_name().name(), "oval_definitions");
        assert!(text.contains("a ]]&gt; b") || text.contains("a ]]> b"), "{text}");
        assert!(xml.contains(r##"<cat:uri name="docker-ee-extension-checks.xml" uri="#scap_io.stigrun.t_cref_docker-ee-extension-checks.xml"/>"##));
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
