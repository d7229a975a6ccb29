//! ARF 1.1 writer: the source data stream (report request), the asset (hostname, fqdn, addresses,
//! MACs from the target facts), the XCCDF `TestResult` and one OVAL results document per OVAL
//! document the scan evaluated (`templates/arf.xml.j2`, laid out as oscap's `--results-arf`).

use std::io::Write;
use std::path::Path;

use minijinja::value::Value;
use serde::Serialize;

use super::oval_results::{OvalResultsOptions, write_oval_results};
use super::xccdf_results::{
    ReportError, TestResultOptions, WriteAdapter, escaping_environment, write_atomically, write_test_result,
};
use crate::escape::escape_xml;
use crate::scan::results::ScanResults;

const TEMPLATE_NAME: &str = "arf.xml.j2";
const TEMPLATE: &str = include_str!("../../templates/arf.xml.j2");
const ASSET_ID: &str = "asset0";

#[derive(Debug, Serialize)]
struct Connection {
    /// `ip-v4`, `ip-v6` or `mac`.
    kind: &'static str,
    value: String,
}

/// The Asset Identification schema only takes IPv6 in full eight-group form (`::1` is rejected):
/// expand it, dropping a zone (`%eth0`) or prefix; an address that does not parse is left out.
fn full_ipv6(address: &str) -> Option<String> {
    let bare = address.split(['%', '/']).next().unwrap_or(address);
    let parsed: std::net::Ipv6Addr = bare.parse().ok()?;
    Some(parsed.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":"))
}

/// Write the ARF to `out`. `source_xml` is the data-stream collection the benchmark came from
/// (the report request); `None` leaves the request out (`--thin`, or content that is not a
/// data stream).
pub fn write_arf(
    out: &mut dyn Write,
    results: &ScanResults,
    source_xml: Option<&str>,
) -> Result<(), ReportError> {
    let render = ReportError::render("arf");
    let mut test_result = Vec::new();
    write_test_result(&mut test_result, results, TestResultOptions { asset_ref: Some(ASSET_ID) })?;
    let mut ovals = Vec::new();
    for (index, document) in results.oval.iter().enumerate() {
        let Some(definitions) = &document.definitions else {
            return Err(ReportError::MissingDefinitions { href: document.href.clone() });
        };
        let mut xml = Vec::new();
        write_oval_results(&mut xml, definitions, &document.run, &OvalResultsOptions::default())?;
        let xml = String::from_utf8_lossy(&xml);
        ovals.push(minijinja::context! {
            id => format!("oval{index}"),
            // Pre-built markup: it must reach the template unescaped.
            xml => Value::from_safe_string(without_prolog(&xml).to_string()),
        });
    }
    let target = &results.target;
    let connections: Vec<Connection> = target
        .ipv4
        .iter()
        .map(|v| Connection { kind: "ip-v4", value: v.clone() })
        .chain(target.ipv6.iter().filter_map(|v| Some(Connection { kind: "ip-v6", value: full_ipv6(v)? })))
        .chain(target.mac.iter().map(|v| Connection { kind: "mac", value: v.clone() }))
        .collect();
    let context = minijinja::context! {
        source_xml => source_xml.map(|x| Value::from_safe_string(without_prolog(x).to_string())),
        test_result => Value::from_safe_string(String::from_utf8_lossy(&test_result).into_owned()),
        ovals => ovals,
        connections => Value::from(minijinja::value::Serde(&connections)),
        fqdn => target.fqdn.clone(),
        hostname => asset_hostname(&target.hostname),
    };
    let environment = escaping_environment(TEMPLATE_NAME, TEMPLATE, escape_xml).map_err(&render)?;
    let template = environment.get_template(TEMPLATE_NAME).map_err(&render)?;
    template.render_captured_to(context, WriteAdapter(out)).map_err(&render)?;
    Ok(())
}

/// Write the ARF file atomically.
pub fn write_arf_file(
    path: &Path,
    results: &ScanResults,
    source_xml: Option<&str>,
) -> Result<(), ReportError> {
    write_atomically(path, |out| write_arf(out, results, source_xml))
}

/// The asset-identification schema allows only `[\w-]+(\.[\w-]+)*` as a hostname.
fn asset_hostname(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '.' || c == '_' { c } else { '-' })
        .collect();
    let parts: Vec<&str> = cleaned.split('.').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() { "unknown".to_string() } else { parts.join(".") }
}

/// A document without its XML declaration, doctype or leading comments: what may be embedded
/// as an element inside another document.
fn without_prolog(xml: &str) -> &str {
    let mut rest = xml.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        let skip_to = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|i| i + 1)
        } else {
            None
        };
        match skip_to {
            Some(i) => rest = &rest[i..],
            None => return rest,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipv6_is_written_in_full() {
        assert_eq!(super::full_ipv6("::1").as_deref(), Some("0:0:0:0:0:0:0:1"));
        assert_eq!(super::full_ipv6("fe80::fc:ff:fe00:1%eth0").as_deref(), Some("fe80:0:0:0:fc:ff:fe00:1"));
        assert_eq!(super::full_ipv6("fd00::2/64").as_deref(), Some("fd00:0:0:0:0:0:0:2"));
        assert_eq!(super::full_ipv6("not-an-address"), None);
    }

    use std::sync::Arc;

    use super::*;
    use crate::model::oval::OvalDefinitions;
    use crate::render::view::fixture::scan_with;

    fn with_definitions(mut results: ScanResults) -> ScanResults {
        let definitions = OvalDefinitions {
            source: "c.xml".into(),
            source_xml: Some(Arc::from(
                "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"/>",
            )),
            ..OvalDefinitions::default()
        };
        results.oval[0].definitions = Some(Arc::new(definitions));
        results
    }

    #[test]
    fn arf_holds_request_asset_test_result_and_oval_results() {
        let results = with_definitions(scan_with("v"));
        let source = "<?xml version=\"1.0\"?>\n<ds:data-stream-collection xmlns:ds=\"urn:x\" id=\"c\"/>";
        let mut out = Vec::new();
        write_arf(&mut out, &results, Some(source)).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let ids: Vec<&str> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("report") || n.has_tag_name("report-request") || n.has_tag_name("asset")
            })
            .filter_map(|n| n.attribute("id"))
            .collect();
        assert_eq!(ids, ["collection1", "asset0", "xccdf1", "oval0"]);
        assert!(doc.descendants().any(|n| n.has_tag_name("data-stream-collection")));
        assert!(doc.descendants().any(|n| n.has_tag_name("oval_results")));
        let hostname = doc.descendants().find(|n| n.has_tag_name("hostname")).unwrap();
        assert_eq!(hostname.text(), Some("h"));
    }

    #[test]
    fn thin_arf_has_no_report_request_and_missing_definitions_are_an_error() {
        let mut out = Vec::new();
        write_arf(&mut out, &with_definitions(scan_with("v")), None).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("report-request"));
        let error = write_arf(&mut Vec::new(), &scan_with("v"), None).unwrap_err();
        assert!(matches!(error, ReportError::MissingDefinitions { .. }), "{error}");
    }

    #[test]
    fn asset_hostnames_fit_the_schema_pattern() {
        assert_eq!(asset_hostname("web-1.example.com"), "web-1.example.com");
        assert_eq!(asset_hostname(""), "unknown");
        assert_eq!(asset_hostname("a b..c"), "a-b.c");
    }

    #[test]
    fn prolog_is_removed_up_to_the_root_element() {
        let xml = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE x>\n<root a=\"?>\"/>";
        assert_eq!(without_prolog(xml), "<root a=\"?>\"/>");
        assert_eq!(without_prolog("<a/>"), "<a/>");
    }
}
