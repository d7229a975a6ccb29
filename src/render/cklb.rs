//! STIG Viewer 3 checklist (CKLB, JSON `cklb_version` 1.0): the checklist view-model
//! ([`super::checklist`]) as serde types whose fields follow what STIG Viewer 3.7.0 writes, in its
//! order. Ids are UUID v5 (stable across reruns on one target).

use std::io::Write;

use serde::Serialize;

use super::checklist::{ChecklistView, VulnView, checklist};
use super::{Report, ReportError, ReportFormat, ReportInputs};

pub struct CklbReport;

#[derive(Debug, Serialize)]
pub struct Cklb<'a> {
    pub title: &'a str,
    pub id: &'a str,
    pub stigs: Vec<Stig<'a>>,
    pub active: bool,
    pub mode: u32,
    pub has_path: bool,
    pub target_data: TargetData<'a>,
    pub cklb_version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct TargetData<'a> {
    pub target_type: &'a str,
    pub host_name: &'a str,
    pub ip_address: &'a str,
    pub mac_address: &'a str,
    pub fqdn: &'a str,
    pub comments: &'a str,
    pub role: &'a str,
    pub is_web_database: bool,
    pub technology_area: &'a str,
    pub web_db_site: &'a str,
    pub web_db_instance: &'a str,
    /// The marking (STIG Viewer 3 names it classification).
    pub classification: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Stig<'a> {
    pub stig_name: &'a str,
    pub display_name: &'a str,
    pub stig_id: &'a str,
    pub release_info: &'a str,
    pub version: &'a str,
    pub uuid: &'a str,
    pub reference_identifier: &'a str,
    pub size: usize,
    pub rules: Vec<Rule<'a>>,
}

#[derive(Debug, Serialize)]
pub struct GroupTree<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CheckContentRef<'a> {
    pub href: &'a str,
    pub name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Rule<'a> {
    pub group_id_src: &'a str,
    pub group_tree: Vec<GroupTree<'a>>,
    pub group_id: &'a str,
    pub severity: &'a str,
    pub group_title: &'a str,
    pub rule_id_src: &'a str,
    pub rule_id: &'a str,
    pub rule_version: &'a str,
    pub rule_title: &'a str,
    pub fix_text: &'a str,
    pub weight: &'a str,
    pub check_content: &'a str,
    pub check_content_ref: CheckContentRef<'a>,
    pub classification: &'static str,
    pub discussion: &'a str,
    pub false_positives: &'a str,
    pub false_negatives: &'a str,
    pub documentable: &'a str,
    pub security_override_guidance: &'a str,
    pub potential_impacts: &'a str,
    pub third_party_tools: &'a str,
    pub ia_controls: &'a str,
    pub responsibility: &'a str,
    pub mitigations: &'a str,
    pub mitigation_control: &'a str,
    pub legacy_ids: &'a [String],
    pub ccis: &'a [String],
    pub reference_identifier: &'a str,
    pub uuid: &'a str,
    pub stig_uuid: &'a str,
    pub status: &'static str,
    pub overrides: serde_json::Map<String, serde_json::Value>,
    pub comments: &'a str,
    pub finding_details: &'a str,
    pub srg_id: &'a str,
}

/// STIG Viewer 3 keeps a severity override as `overrides.severity = {severity, reason}`.
fn overrides(v: &VulnView) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    if !v.severity_override.is_empty() {
        map.insert(
            "severity".to_string(),
            serde_json::json!({ "severity": v.severity_override, "reason": v.severity_justification }),
        );
    }
    map
}

fn rule<'a>(v: &'a VulnView, view: &'a ChecklistView) -> Rule<'a> {
    Rule {
        group_id_src: &v.vuln_num,
        group_tree: vec![GroupTree {
            id: &v.vuln_num,
            title: &v.group_title,
            description: "<GroupDescription></GroupDescription>",
        }],
        group_id: &v.vuln_num,
        severity: &v.severity,
        // STIG Viewer 3 writes the rule title here; the SRG goes to group_tree and srg_id.
        group_title: &v.rule_title,
        rule_id_src: &v.rule_id,
        rule_id: v.rule_id.strip_suffix("_rule").unwrap_or(&v.rule_id),
        rule_version: &v.rule_ver,
        rule_title: &v.rule_title,
        fix_text: &v.fix_text,
        weight: &v.weight,
        check_content: &v.check_content,
        check_content_ref: CheckContentRef { href: &view.stig.filename, name: "M" },
        classification: "Unclassified",
        discussion: &v.vuln_discuss,
        false_positives: v.description_field("FalsePositives"),
        false_negatives: v.description_field("FalseNegatives"),
        documentable: v.documentable(),
        security_override_guidance: v.description_field("SeverityOverrideGuidance"),
        potential_impacts: v.description_field("PotentialImpacts"),
        third_party_tools: v.description_field("ThirdPartyTools"),
        ia_controls: v.description_field("IAControls"),
        responsibility: v.description_field("Responsibility"),
        mitigations: v.description_field("Mitigations"),
        mitigation_control: v.description_field("MitigationControl"),
        legacy_ids: &v.legacy_ids,
        ccis: &v.ccis,
        reference_identifier: &v.target_key,
        uuid: &v.uuid,
        stig_uuid: &view.stig.uuid,
        status: v.status.cklb(),
        overrides: overrides(v),
        comments: &v.comments,
        finding_details: &v.finding_details,
        srg_id: &v.group_title,
    }
}

/// The CKLB document of a checklist view.
pub fn cklb(view: &ChecklistView) -> Cklb<'_> {
    let a = &view.asset;
    let s = &view.stig;
    Cklb {
        title: &view.title,
        id: &view.id,
        stigs: vec![Stig {
            stig_name: &s.title,
            display_name: &s.display_name,
            stig_id: &s.stigid,
            release_info: &s.releaseinfo,
            version: &s.version,
            uuid: &s.uuid,
            reference_identifier: &a.target_key,
            size: view.vulns.len(),
            rules: view.vulns.iter().map(|v| rule(v, view)).collect(),
        }],
        active: true,
        mode: 1,
        has_path: false,
        target_data: TargetData {
            target_type: &a.asset_type,
            host_name: &a.host_name,
            ip_address: &a.host_ip,
            mac_address: &a.host_mac,
            fqdn: &a.host_fqdn,
            comments: &a.target_comment,
            role: &a.role,
            is_web_database: a.web_or_database,
            technology_area: &a.tech_area,
            web_db_site: &a.web_db_site,
            web_db_instance: &a.web_db_instance,
            classification: a.marking.as_deref(),
        },
        cklb_version: "1.0",
    }
}

impl Report for CklbReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Cklb
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let view = checklist(inputs.results);
        serde_json::to_writer_pretty(&mut *out, &cklb(&view))
            .map_err(|e| ReportError::Serialize { format: "cklb", message: e.to_string() })?;
        out.write_all(b"\n").map_err(|source| ReportError::Stream { format: "cklb", source })
    }
}
