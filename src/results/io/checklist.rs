//! Reading a STIG Viewer checklist (CKL XML or CKLB JSON) back: per rule its ids (Vuln_Num,
//! Rule_ID, Rule_Ver), the check text it was reviewed against, and the assessor's status, finding
//! details and comments. `scan::carry` turns these into answers for a new scan.

use std::path::Path;

use roxmltree::{Document, Node, ParsingOptions};

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("cannot read checklist `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: not a STIG Viewer checklist: {message}")]
    Syntax { path: String, line: u32, column: u32, message: String },
    #[error("{path}: not a STIG Viewer checklist: {message}")]
    Shape { path: String, message: String },
}

/// One rule of a checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChecklistEntry {
    /// `V-235833`.
    pub vuln_num: String,
    /// `SV-235833r961395_rule`.
    pub rule_id: String,
    /// The STIG ID (`DKER-EE-003320`).
    pub rule_ver: String,
    pub check_content: String,
    /// As written: `NotAFinding`, `not_a_finding`…
    pub status: String,
    pub finding_details: String,
    pub comments: String,
    /// The assessor's severity (`high`, `medium`, `low`) and why; empty when none.
    pub severity_override: String,
    pub severity_justification: String,
}

/// Does the file look like a checklist (by extension, or by its first bytes)?
pub fn is_checklist(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("ckl" | "cklb") => true,
        Some("toml") => false,
        // Standard input is answers TOML: sniffing it would consume it.
        _ if path.as_os_str() == "-" => false,
        // Only a regular file is sniffed (a FIFO would block); the answers reader refuses the rest.
        _ => crate::loader::input::read_bytes(path).is_ok_and(|b| {
            let text = String::from_utf8_lossy(&b[..b.len().min(4096)]).into_owned();
            text.contains("<CHECKLIST") || text.contains("\"cklb_version\"")
        }),
    }
}

/// Read the rules of a CKL or CKLB file.
pub fn read_checklist(path: &Path) -> Result<Vec<ChecklistEntry>, ChecklistError> {
    let name = path.display().to_string();
    let text = crate::loader::input::read_to_string(path)
        .map_err(|source| ChecklistError::Read { path: name.clone(), source })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') { parse_cklb(text, &name) } else { parse_ckl(text, &name) }
}

fn element_children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

fn child_text(node: Node, name: &str) -> String {
    element_children(node)
        .find(|c| c.has_tag_name(name))
        .map(|c| c.text().unwrap_or_default().to_string())
        .unwrap_or_default()
}

pub fn parse_ckl(text: &str, name: &str) -> Result<Vec<ChecklistEntry>, ChecklistError> {
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| ChecklistError::Syntax {
        path: name.to_string(),
        line: e.pos().row,
        column: e.pos().col,
        message: e.to_string(),
    })?;
    if !doc.root_element().has_tag_name("CHECKLIST") {
        return Err(ChecklistError::Shape {
            path: name.to_string(),
            message: format!("root element `{}`, expected `CHECKLIST`", doc.root_element().tag_name().name()),
        });
    }
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name("VULN"))
        .map(|vuln| {
            let mut entry = ChecklistEntry {
                status: child_text(vuln, "STATUS"),
                finding_details: child_text(vuln, "FINDING_DETAILS"),
                comments: child_text(vuln, "COMMENTS"),
                severity_override: child_text(vuln, "SEVERITY_OVERRIDE"),
                severity_justification: child_text(vuln, "SEVERITY_JUSTIFICATION"),
                ..ChecklistEntry::default()
            };
            for data in element_children(vuln).filter(|n| n.has_tag_name("STIG_DATA")) {
                let value = child_text(data, "ATTRIBUTE_DATA");
                match child_text(data, "VULN_ATTRIBUTE").as_str() {
                    "Vuln_Num" => entry.vuln_num = value,
                    "Rule_ID" => entry.rule_id = value,
                    "Rule_Ver" => entry.rule_ver = value,
                    "Check_Content" => entry.check_content = value,
                    _ => {}
                }
            }
            entry
        })
        .collect();
    Ok(entries)
}

/// `overrides.severity.<key>` of a CKLB rule (STIG Viewer 3's severity override); empty when absent.
fn override_field(rule: &serde_json::Value, key: &str) -> String {
    rule.pointer(&format!("/overrides/severity/{key}"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

pub fn parse_cklb(text: &str, name: &str) -> Result<Vec<ChecklistEntry>, ChecklistError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ChecklistError::Syntax {
        path: name.to_string(),
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        message: e.to_string(),
    })?;
    let stigs = value.get("stigs").and_then(|s| s.as_array()).ok_or_else(|| ChecklistError::Shape {
        path: name.to_string(),
        message: "no `stigs` array".to_string(),
    })?;
    let field = |rule: &serde_json::Value, key: &str| {
        rule.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string()
    };
    Ok(stigs
        .iter()
        .filter_map(|s| s.get("rules").and_then(|r| r.as_array()))
        .flatten()
        .map(|rule| ChecklistEntry {
            vuln_num: field(rule, "group_id"),
            // `rule_id_src` is the full id; `rule_id` drops `_rule`.
            rule_id: Some(field(rule, "rule_id_src"))
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| field(rule, "rule_id")),
            rule_ver: field(rule, "rule_version"),
            check_content: field(rule, "check_content"),
            status: field(rule, "status"),
            finding_details: field(rule, "finding_details"),
            comments: field(rule, "comments"),
            severity_override: override_field(rule, "severity"),
            severity_justification: override_field(rule, "reason"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stig_viewer_files_read_in_both_formats() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/checklists");
        let ckl = read_checklist(&data.join("ckl/small_ckl_overrides.ckl")).unwrap();
        assert_eq!(ckl.len(), 11);
        assert_eq!(ckl[0].vuln_num, "V-257777");
        assert_eq!(ckl[0].rule_id, "SV-257777r925318_rule");
        assert_eq!(ckl[0].rule_ver, "RHEL-09-211010");
        assert!(ckl.iter().any(|e| e.status == "Open"));
        let cklb =
            read_checklist(&data.join("cklb/converted-rhel8_sample_oneOfEachControlStatus.cklb")).unwrap();
        assert_eq!(cklb.len(), 4);
        assert!(cklb.iter().any(|e| e.status == "not_a_finding" && !e.finding_details.is_empty()));
        assert!(is_checklist(&data.join("cklb/converted-rhel8_sample_oneOfEachControlStatus.cklb")));
        let e = parse_ckl("<CHECKLIST><ASSET>", "x.ckl").unwrap_err().to_string();
        assert!(e.starts_with("x.ckl:1:"), "{e}");
    }
}
