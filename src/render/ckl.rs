//! STIG Viewer 2 checklist (CKL, DISA's `U_Checklist_Schema_V2.xsd`): the checklist view-model
//! ([`super::checklist`]) laid out as STIG Viewer writes it (`templates/ckl.xml`): ASSET, STIG_INFO
//! in STIG Viewer's order, and per rule every STIG_DATA attribute in STIG Viewer's order, one
//! LEGACY_ID per legacy id and one CCI_REF per CCI.

use std::io::Write;

use minijinja::Value;
use serde::Serialize;

use super::checklist::{ChecklistView, VulnView, checklist};
use super::{Report, ReportError, ReportFormat, ReportInputs, WriteAdapter, escaping_environment};
use crate::escape::escape_xml;

const TEMPLATE_NAME: &str = "ckl.xml";
const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/ckl.xml"));

pub struct CklReport;

#[derive(Serialize)]
struct Vuln<'a> {
    stig_data: Vec<(&'static str, &'a str)>,
    status: &'static str,
    finding_details: &'a str,
    comments: &'a str,
    severity_override: &'a str,
    severity_justification: &'a str,
}

/// The STIG_DATA pairs of one rule, in the order STIG Viewer 2.17 writes them.
fn stig_data<'a>(v: &'a VulnView, view: &'a ChecklistView) -> Vec<(&'static str, &'a str)> {
    let mut data = vec![
        ("Vuln_Num", v.vuln_num.as_str()),
        ("Severity", &v.severity),
        ("Group_Title", &v.group_title),
        ("Rule_ID", &v.rule_id),
        ("Rule_Ver", &v.rule_ver),
        ("Rule_Title", &v.rule_title),
        ("Vuln_Discuss", &v.vuln_discuss),
        ("IA_Controls", v.description_field("IAControls")),
        ("Check_Content", &v.check_content),
        ("Fix_Text", &v.fix_text),
        ("False_Positives", v.description_field("FalsePositives")),
        ("False_Negatives", v.description_field("FalseNegatives")),
        ("Documentable", v.documentable()),
        ("Mitigations", v.description_field("Mitigations")),
        ("Potential_Impact", v.description_field("PotentialImpacts")),
        ("Third_Party_Tools", v.description_field("ThirdPartyTools")),
        ("Mitigation_Control", v.description_field("MitigationControl")),
        ("Responsibility", v.description_field("Responsibility")),
        ("Security_Override_Guidance", v.description_field("SeverityOverrideGuidance")),
        ("Check_Content_Ref", "M"),
        ("Weight", &v.weight),
        ("Class", "Unclass"),
        ("STIGRef", &view.stig.stig_ref),
        ("TargetKey", &v.target_key),
        ("STIG_UUID", &view.stig.uuid),
    ];
    data.extend(v.legacy_ids.iter().map(|id| ("LEGACY_ID", id.as_str())));
    data.extend(v.ccis.iter().map(|cci| ("CCI_REF", cci.as_str())));
    data
}

impl Report for CklReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Ckl
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let render = ReportError::render("ckl");
        let view = checklist(inputs.results);
        let s = &view.stig;
        let stig_info: Vec<(&str, Option<&str>)> = vec![
            ("version", Some(&s.version)),
            ("classification", Some(&s.classification)),
            ("customname", None),
            ("stigid", Some(&s.stigid)),
            ("description", Some(&s.description)),
            ("filename", Some(&s.filename)),
            ("releaseinfo", Some(&s.releaseinfo)),
            ("title", Some(&s.title)),
            ("uuid", Some(&s.uuid)),
            ("notice", Some(&s.notice)),
            ("source", Some(&s.source)),
        ];
        let vulns: Vec<Vuln> = view
            .vulns
            .iter()
            .map(|v| Vuln {
                stig_data: stig_data(v, &view),
                status: v.status.ckl(),
                finding_details: &v.finding_details,
                comments: &v.comments,
                severity_override: &v.severity_override,
                severity_justification: &v.severity_justification,
            })
            .collect();
        let context = minijinja::context! {
            generator => format!("stigrun {}", env!("CARGO_PKG_VERSION")),
            asset => Value::from(minijinja::value::Serde(&view.asset)),
            stig_info => Value::from(minijinja::value::Serde(&stig_info)),
            vulns => Value::from(minijinja::value::Serde(&vulns)),
        };
        let environment = escaping_environment(TEMPLATE_NAME, TEMPLATE, escape_xml).map_err(&render)?;
        let template = environment.get_template(TEMPLATE_NAME).map_err(&render)?;
        template.render_captured_to(context, WriteAdapter(out)).map_err(&render)?;
        Ok(())
    }
}
