//! Heimdall Data Format (HDF, MITRE's `exec-json` schema, `xsd/hdf/exec-json.json`): one profile (the
//! STIG) with one control per assessed rule, tagged as Heimdall's STIG views expect (gid, rid,
//! stig_id, gtitle, severity, cci, nist, check and fix text), one result per control carrying the
//! scan's evidence in plain words, and assessors' answers as HDF attestations.

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::checklist::{ChecklistView, VulnView, checklist};
use super::view::rule_view;
use super::{Report, ReportError, ReportFormat, ReportInputs};
use crate::results::document::{RuleResult, ScanResults};
use crate::results::xccdf::XccdfResult;

pub struct HdfReport;

#[derive(Debug, Serialize)]
pub struct Hdf<'a> {
    pub platform: Platform,
    pub version: &'static str,
    pub statistics: Statistics,
    pub profiles: Vec<Profile<'a>>,
    /// What HDF has no field for: the asset as the checklist names it.
    pub passthrough: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct Platform {
    pub name: String,
    pub release: String,
    pub target_id: String,
}

#[derive(Debug, Serialize)]
pub struct Statistics {
    pub duration: f64,
}

#[derive(Debug, Serialize)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub summary: String,
    pub license: &'static str,
    pub sha256: String,
    pub supports: Vec<serde_json::Value>,
    pub attributes: Vec<serde_json::Value>,
    pub groups: Vec<serde_json::Value>,
    pub status: &'static str,
    pub controls: Vec<Control<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Description<'a> {
    pub label: &'static str,
    pub data: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Tags<'a> {
    pub gtitle: &'a str,
    pub rid: &'a str,
    pub gid: &'a str,
    pub stig_id: &'a str,
    pub severity: &'a str,
    /// An assessor's severity instead of the benchmark's, as Heimdall's checklist mapper names it.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub severityoverride: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub severityjustification: &'a str,
    pub weight: &'a str,
    pub cci: &'a [String],
    pub nist: Vec<String>,
    #[serde(rename = "STIGRef")]
    pub stig_ref: &'a str,
    pub legacy: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct ControlResult<'a> {
    pub status: &'static str,
    pub code_desc: String,
    pub start_time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_message: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Attestation<'a> {
    pub control_id: &'a str,
    pub explanation: String,
    pub frequency: &'static str,
    pub status: &'static str,
    pub updated: &'a str,
    pub updated_by: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Control<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub descriptions: Vec<Description<'a>>,
    pub impact: f64,
    pub refs: Vec<serde_json::Value>,
    pub tags: Tags<'a>,
    pub source_location: serde_json::Map<String, serde_json::Value>,
    pub results: Vec<ControlResult<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation_data: Option<Attestation<'a>>,
}

/// HDF's impact for a severity; a rule that does not apply has none.
fn impact(rule: &RuleResult) -> f64 {
    if rule.result == XccdfResult::NotApplicable {
        return 0.0;
    }
    match rule.severity.as_str() {
        "high" => 0.7,
        "medium" => 0.5,
        "low" => 0.3,
        _ => 0.0,
    }
}

/// The status of the scan's own result (an answer is an attestation over it).
fn status(result: XccdfResult) -> &'static str {
    match result {
        XccdfResult::Pass | XccdfResult::Fixed => "passed",
        XccdfResult::Fail => "failed",
        XccdfResult::Error | XccdfResult::Unknown => "error",
        _ => "skipped",
    }
}

fn control<'a>(
    results: &'a ScanResults,
    rule: &'a RuleResult,
    vuln: &'a VulnView,
    view: &'a ChecklistView,
    nist: Vec<String>,
) -> Control<'a> {
    let own = rule.answer.as_ref().and_then(|a| a.original_result).unwrap_or(rule.result);
    let status = status(own);
    let start_time = rule.time.as_deref().unwrap_or(&results.end_time);
    let attestation = rule.answer.as_ref().and_then(|a| {
        let status = match a.status {
            XccdfResult::Pass => "passed",
            XccdfResult::Fail => "failed",
            _ => return None,
        };
        let explanation = [a.finding_details.trim(), a.comment.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Some(Attestation {
            control_id: &vuln.vuln_num,
            explanation,
            frequency: "annually",
            status,
            updated: &a.when,
            updated_by: &a.who,
        })
    });
    let details = vuln.finding_details.as_str();
    Control {
        id: &vuln.vuln_num,
        title: &vuln.rule_title,
        desc: &vuln.vuln_discuss,
        descriptions: vec![
            Description { label: "default", data: &vuln.vuln_discuss },
            Description { label: "check", data: &vuln.check_content },
            Description { label: "fix", data: &vuln.fix_text },
        ],
        impact: impact(rule),
        refs: Vec::new(),
        tags: Tags {
            gtitle: &vuln.group_title,
            rid: &vuln.rule_id,
            gid: &vuln.vuln_num,
            stig_id: &vuln.rule_ver,
            severity: &vuln.severity,
            severityoverride: &vuln.severity_override,
            severityjustification: &vuln.severity_justification,
            weight: &vuln.weight,
            cci: &vuln.ccis,
            nist,
            stig_ref: &view.stig.stig_ref,
            legacy: &vuln.legacy_ids,
        },
        source_location: serde_json::Map::new(),
        results: vec![ControlResult {
            status,
            code_desc: format!("{}: {}", results.generator.name, own.as_str()),
            start_time,
            message: (status != "skipped").then_some(details),
            skip_message: (status == "skipped").then_some(details),
        }],
        attestation_data: attestation,
    }
}

impl Report for HdfReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Hdf
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let results = inputs.results;
        let view = checklist(results);
        let assessed = results.rules.iter().filter(|r| r.result != XccdfResult::NotSelected);
        let controls = assessed
            .zip(&view.vulns)
            .map(|(rule, vuln)| {
                // 800-53 rev 5 where DISA's list maps the CCI, else rev 4.
                let rv = rule_view(results, rule, inputs.cci);
                let mut nist: Vec<String> = Vec::new();
                for cci in &rv.ccis {
                    let controls = if cci.rev5.is_empty() { &cci.rev4 } else { &cci.rev5 };
                    for c in controls {
                        if !nist.contains(c) {
                            nist.push(c.clone());
                        }
                    }
                }
                control(results, rule, vuln, &view, nist)
            })
            .collect();
        let digest = results.benchmark.digest.clone().unwrap_or_else(|| {
            hex::encode(Sha256::digest(format!("{}:{}", results.benchmark.id, view.stig.releaseinfo)))
        });
        let target = &results.target;
        let hdf = Hdf {
            platform: Platform {
                name: target.os_name.clone().unwrap_or_else(|| "unknown".to_string()),
                release: target.os_version.clone().unwrap_or_default(),
                target_id: view.asset.host_name.clone(),
            },
            version: env!("CARGO_PKG_VERSION"),
            statistics: Statistics { duration: results.duration_ms as f64 / 1000.0 },
            profiles: vec![Profile {
                name: &view.stig.stigid,
                title: &view.stig.title,
                version: &view.stig.version,
                summary: format!("{} {}", view.stig.title, view.stig.releaseinfo),
                license: "terms-of-use",
                sha256: digest,
                supports: Vec::new(),
                attributes: Vec::new(),
                groups: Vec::new(),
                status: "loaded",
                controls,
            }],
            passthrough: serde_json::json!({ "asset": view.asset, "generator": results.generator.name }),
        };
        serde_json::to_writer_pretty(&mut *out, &hdf)
            .map_err(|e| ReportError::Serialize { format: "hdf", message: e.to_string() })?;
        out.write_all(b"\n").map_err(|source| ReportError::Stream { format: "hdf", source })
    }
}
