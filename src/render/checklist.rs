//! The checklist view-model STIG Viewer's two formats share (CKL: [`super::ckl`], CKLB:
//! [`super::cklb`]): the asset, the STIG's header, and one entry per assessed rule with every
//! field STIG Viewer writes, its status in STIG Viewer's terms and the finding details in plain
//! words. Ids are UUID v5 from the target's identity and the rule, so a rerun on the same target
//! gives the same ids and STIG Viewer and eMASS see the same checklist again.

use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::results::document::{RuleResult, ScanResults};
use crate::results::xccdf::XccdfResult;

/// stigrun's namespace for its UUID v5 names (made once, at random).
const NAMESPACE: [u8; 16] =
    [0x6b, 0x1e, 0x2f, 0x0c, 0x53, 0x9a, 0x4d, 0x27, 0x8e, 0x31, 0xc4, 0x72, 0x05, 0xd9, 0xa6, 0x18];

/// A name-based (SHA-1, version 5) UUID of `name` in stigrun's namespace (RFC 9562 §5.5).
pub fn uuid_v5(name: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(NAMESPACE);
    hasher.update(name.as_bytes());
    let hash = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// STIG Viewer's four statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    NotAFinding,
    Open,
    NotApplicable,
    NotReviewed,
}

impl Status {
    /// What an XCCDF result is in a checklist. Results that decide nothing (error, unknown, not
    /// checked, informational) leave the rule to review.
    pub fn of(result: XccdfResult) -> Status {
        match result {
            XccdfResult::Pass | XccdfResult::Fixed => Status::NotAFinding,
            XccdfResult::Fail => Status::Open,
            XccdfResult::NotApplicable => Status::NotApplicable,
            XccdfResult::Error
            | XccdfResult::Unknown
            | XccdfResult::NotChecked
            | XccdfResult::NotSelected
            | XccdfResult::Informational => Status::NotReviewed,
        }
    }

    /// The CKL spelling.
    pub fn ckl(self) -> &'static str {
        match self {
            Status::NotAFinding => "NotAFinding",
            Status::Open => "Open",
            Status::NotApplicable => "Not_Applicable",
            Status::NotReviewed => "Not_Reviewed",
        }
    }

    /// The CKLB spelling.
    pub fn cklb(self) -> &'static str {
        match self {
            Status::NotAFinding => "not_a_finding",
            Status::Open => "open",
            Status::NotApplicable => "not_applicable",
            Status::NotReviewed => "not_reviewed",
        }
    }

    /// Either spelling (and the XCCDF results) back to a status.
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim().to_ascii_lowercase().replace(['_', ' ', '-'], "").as_str() {
            "notafinding" | "pass" => Some(Status::NotAFinding),
            "open" | "fail" => Some(Status::Open),
            "notapplicable" => Some(Status::NotApplicable),
            "notreviewed" | "notchecked" => Some(Status::NotReviewed),
            _ => None,
        }
    }

    pub fn to_xccdf(self) -> XccdfResult {
        match self {
            Status::NotAFinding => XccdfResult::Pass,
            Status::Open => XccdfResult::Fail,
            Status::NotApplicable => XccdfResult::NotApplicable,
            Status::NotReviewed => XccdfResult::NotChecked,
        }
    }
}

/// The checklist's ASSET / target_data.
#[derive(Debug, Clone, Serialize)]
pub struct AssetView {
    pub role: String,
    pub asset_type: String,
    pub marking: Option<String>,
    pub host_name: String,
    pub host_ip: String,
    pub host_mac: String,
    pub host_fqdn: String,
    pub target_comment: String,
    pub tech_area: String,
    pub target_key: String,
    pub web_or_database: bool,
    pub web_db_site: String,
    pub web_db_instance: String,
}

/// The STIG's header (CKL STIG_INFO, CKLB stigs[]).
#[derive(Debug, Clone, Serialize)]
pub struct StigInfo {
    pub version: String,
    pub classification: String,
    pub stigid: String,
    pub description: String,
    pub filename: String,
    pub releaseinfo: String,
    pub title: String,
    pub display_name: String,
    pub uuid: String,
    pub notice: String,
    pub source: String,
    /// `<title> :: Version <v>, <release info>`: each rule's STIGRef.
    pub stig_ref: String,
}

/// One rule of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct VulnView {
    pub vuln_num: String,
    pub severity: String,
    pub group_title: String,
    /// The DISA rule id (`SV-235833r961395_rule`).
    pub rule_id: String,
    pub rule_ver: String,
    pub rule_title: String,
    pub vuln_discuss: String,
    /// DISA's other description fields by tag (`IAControls`, `FalsePositives`, …).
    pub description_fields: Vec<(String, String)>,
    pub check_content: String,
    pub fix_text: String,
    pub weight: String,
    pub target_key: String,
    pub legacy_ids: Vec<String>,
    pub ccis: Vec<String>,
    pub status: Status,
    pub finding_details: String,
    pub comments: String,
    /// The severity an assessor's answer assigns instead of the benchmark's (`severity` stays
    /// the benchmark's), with the reason; empty when none.
    pub severity_override: String,
    pub severity_justification: String,
    pub uuid: String,
}

impl VulnView {
    /// A DISA description field by its tag; empty when the rule has none.
    pub fn description_field(&self, tag: &str) -> &str {
        self.description_fields.iter().find(|(t, _)| t == tag).map_or("", |(_, v)| v.as_str())
    }

    /// `Documentable` as DISA's description says it; `false` (what STIG Viewer writes) when silent.
    pub fn documentable(&self) -> &str {
        Some(self.description_field("Documentable")).filter(|d| !d.is_empty()).unwrap_or("false")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistView {
    /// The checklist's own id (CKLB `id`).
    pub id: String,
    pub title: String,
    pub asset: AssetView,
    pub stig: StigInfo,
    pub vulns: Vec<VulnView>,
}

/// The checklist of `results`. Rules the profile did not select are not part of the assessment
/// and are left out.
pub fn checklist(results: &ScanResults) -> ChecklistView {
    let identity = results.target.identity();
    let bench = &results.benchmark;
    let stig_id = crate::model::stig::disa_short_id(&bench.id);
    let stig_id = stig_id.strip_prefix("xccdf_mil.disa.stig_benchmark_").unwrap_or(stig_id).to_string();
    let version = bench.version.clone().unwrap_or_default();
    let releaseinfo = bench.release_info.clone().unwrap_or_default();
    let title = bench.title.clone();
    let stig_uuid = uuid_v5(&format!("stig:{}:{version}:{releaseinfo}", bench.id));
    let stig_ref = format!("{title} :: Version {version}, {releaseinfo}");
    let display_name = title
        .strip_suffix(" Security Technical Implementation Guide")
        .or_else(|| title.strip_suffix(" STIG"))
        .unwrap_or(&title)
        .to_string();
    // Built-in content is named `docker-ee` or `docker-ee@V2R1`; the checklist names DISA's file.
    let builtin = crate::source::catalog::builtin_benchmarks()
        .iter()
        .find(|b| b.spec() == bench.source || (b.default && b.name == bench.source));
    let filename = match builtin {
        Some(b) => b.file_name.to_string(),
        None => std::path::Path::new(&bench.source)
            .file_name()
            .map_or_else(|| bench.source.clone(), |f| f.to_string_lossy().into_owned()),
    };
    let target_key = results.rules.iter().find_map(|r| r.reference_identifier.clone()).unwrap_or_default();
    let vulns = results
        .rules
        .iter()
        .filter(|r| r.result != XccdfResult::NotSelected)
        .map(|r| vuln(results, r, &identity))
        .collect();
    let target = &results.target;
    let asset = &target.asset;
    let asset = AssetView {
        role: asset.role.clone().unwrap_or_else(|| "None".to_string()),
        asset_type: asset.asset_type.clone().unwrap_or_else(|| "Computing".to_string()),
        marking: asset.marking.clone(),
        // A scan that could not learn the host name says `unknown`; the checklist leaves it blank.
        host_name: Some(target.hostname.clone()).filter(|h| h != "unknown").unwrap_or_default(),
        host_ip: target.ipv4.iter().chain(&target.ipv6).cloned().collect::<Vec<_>>().join(", "),
        host_mac: target.mac.join(", "),
        host_fqdn: target.fqdn.clone().unwrap_or_default(),
        target_comment: asset.comment.clone().unwrap_or_default(),
        tech_area: asset.tech_area.clone().unwrap_or_default(),
        target_key: target_key.clone(),
        web_or_database: asset.is_web_or_database(),
        web_db_site: asset.web_db_site.clone().unwrap_or_default(),
        web_db_instance: asset.web_db_instance.clone().unwrap_or_default(),
    };
    ChecklistView {
        id: uuid_v5(&format!("checklist:{identity}:{}", bench.id)),
        title: format!("{} - {}", asset.host_name, display_name).trim_start_matches(" - ").to_string(),
        asset,
        stig: StigInfo {
            version,
            classification: "UNCLASSIFIED".to_string(),
            stigid: stig_id,
            description: bench.description.clone().unwrap_or_default(),
            filename,
            releaseinfo,
            title,
            display_name,
            uuid: stig_uuid,
            notice: "terms-of-use".to_string(),
            source: "STIG.DOD.MIL".to_string(),
            stig_ref,
        },
        vulns,
    }
}

fn vuln(results: &ScanResults, rule: &RuleResult, identity: &str) -> VulnView {
    let rule_id = crate::model::stig::disa_short_id(&rule.rule_id).to_string();
    let vuln_num = rule
        .group_id
        .as_deref()
        .map(crate::model::stig::disa_short_id)
        .filter(|g| g.starts_with("V-"))
        .map_or_else(|| rule_id.clone(), str::to_string);
    let idents = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
        rule.idents.iter().map(|i| i.value.clone()).filter(|v| wanted(v)).collect()
    };
    let comments = match &rule.answer {
        Some(a) => {
            let mut text = format!("{} ({}, {})", a.comment, a.who, a.when);
            if a.comment.trim().is_empty() {
                text = format!("Answered by {} on {}", a.who, a.when);
            }
            text
        }
        None => String::new(),
    };
    // Results written before severity overrides had their own field kept them in the answer.
    let overridden =
        rule.severity_override.as_ref().map(|o| (o.original, o.justification.as_str())).or_else(|| {
            rule.answer.as_ref().and_then(|a| Some((a.original_severity?, a.justification.as_str())))
        });
    VulnView {
        vuln_num,
        severity: overridden.map_or(rule.severity, |(original, _)| original).as_str().to_string(),
        severity_override: overridden.map(|_| rule.severity.as_str().to_string()).unwrap_or_default(),
        severity_justification: overridden.map(|(_, why)| why.to_string()).unwrap_or_default(),
        group_title: rule.group_title.clone().unwrap_or_default(),
        rule_ver: rule.version.clone().unwrap_or_default(),
        rule_title: rule.title.clone(),
        vuln_discuss: rule.description.clone().unwrap_or_default(),
        description_fields: rule.description_fields.clone(),
        check_content: rule.check_content.clone().or_else(|| rule.check_text.clone()).unwrap_or_default(),
        fix_text: rule.fix_text.clone().unwrap_or_default(),
        weight: format!("{:.1}", rule.weight),
        target_key: rule.reference_identifier.clone().unwrap_or_default(),
        legacy_ids: idents(&|v| !v.starts_with("CCI-") && (v.starts_with("V-") || v.starts_with("SV-"))),
        ccis: idents(&|v| v.starts_with("CCI-")),
        status: Status::of(rule.result),
        finding_details: hand_in_details(results, rule),
        comments,
        uuid: uuid_v5(&format!("rule:{identity}:{rule_id}")),
        rule_id,
    }
}

/// FINDING_DETAILS as an assessor hands it in: their own words when an answer is in force; else a
/// headline saying which tool decided what, and when, then the evidence in words. The headline
/// also lets `--answers` tell a checklist stigrun filled in from one an assessor wrote.
fn hand_in_details(results: &ScanResults, rule: &RuleResult) -> String {
    if let Some(answer) = &rule.answer
        && !answer.finding_details.trim().is_empty()
    {
        return answer.finding_details.clone();
    }
    let details = super::finding::finding_details(results, rule);
    let headline = headline(results, rule);
    if details.is_empty() { headline } else { format!("{headline}\n{details}") }
}

/// `stigrun 0.1.0, 2026-12-04T06:00:00Z: fail — the automated check found the requirement not met.`
fn headline(results: &ScanResults, rule: &RuleResult) -> String {
    let by = format!("{} {}", results.generator.name, results.generator.version);
    let when = rule.time.as_deref().unwrap_or(&results.end_time);
    let what = match rule.result {
        XccdfResult::Pass => "the automated check passed",
        XccdfResult::Fail => "the automated check found the requirement not met",
        XccdfResult::NotApplicable => "the requirement does not apply to this target",
        XccdfResult::Error => "the check could not be completed (error); review by hand",
        XccdfResult::Unknown => "the check could not decide (unknown); review by hand",
        XccdfResult::NotChecked => "not checked automatically; review by hand",
        XccdfResult::NotSelected => "not selected by the profile",
        XccdfResult::Informational => "informational only",
        XccdfResult::Fixed => "fixed during the scan",
    };
    format!("{by}, {when}: {} — {what}.", rule.result.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_is_stable_and_well_formed() {
        let a = uuid_v5("rule:host:h:/:SV-1r1_rule");
        assert_eq!(a, uuid_v5("rule:host:h:/:SV-1r1_rule"));
        assert_ne!(a, uuid_v5("rule:host:h:/:SV-2r1_rule"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn statuses_round_trip_in_both_spellings() {
        for s in [Status::NotAFinding, Status::Open, Status::NotApplicable, Status::NotReviewed] {
            assert_eq!(Status::parse(s.ckl()), Some(s));
            assert_eq!(Status::parse(s.cklb()), Some(s));
            assert_eq!(Status::of(s.to_xccdf()), s);
        }
        assert_eq!(Status::of(XccdfResult::Error), Status::NotReviewed);
    }
}
