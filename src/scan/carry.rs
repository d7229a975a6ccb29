//! Answers carried forward from an earlier STIG Viewer checklist (`--answers` given a CKL or CKLB):
//! each checklist rule is matched to a rule of the benchmark being scanned — by SV id (the rule
//! id without its revision), then V-ID, then STIG ID, so answers survive a new STIG release — and
//! its status, finding details and comments become an answer. A rule whose check text changed since
//! the checklist is not carried but listed for re-review; a checklist rule that matches nothing is
//! listed too. Nothing is dropped without being named.

use std::collections::HashMap;
use std::path::Path;

use crate::model::stig::{disa_short_id, split_rule_id};
use crate::model::xccdf::{Benchmark, Severity};
use crate::results::answer::Answer;
use crate::results::io::checklist::{ChecklistEntry, ChecklistError, read_checklist};
use crate::results::xccdf::XccdfResult;

/// How a checklist rule was found in the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    SvId,
    VulnId,
    StigId,
}

/// A checklist rule whose answer was not carried because DISA changed the check since.
#[derive(Debug, Clone)]
pub struct Changed {
    pub vuln_num: String,
    pub old_rule_id: String,
    pub rule_id: String,
    pub status: String,
}

#[derive(Debug, Default)]
pub struct Carried {
    pub answers: Vec<Answer>,
    /// (checklist V-ID, rule id now, how it matched).
    pub carried: Vec<(String, String, MatchedBy)>,
    pub changed: Vec<Changed>,
    /// Checklist rules with an answer that name no rule of the benchmark (`V-… (SV-…, STIG ID)`).
    pub unmatched: Vec<String>,
    /// Checklist rules without anything to carry (not reviewed, no text).
    pub empty: usize,
    /// Checklist rules holding an earlier stigrun scan's own result, not an assessor's answer:
    /// this scan decides them again.
    pub earlier_results: usize,
}

/// Finding details stigrun wrote itself (`render::finding`): `stigrun <version>, <time>: <result> — …`.
fn written_by_stigrun(details: &str) -> bool {
    let first = details.lines().next().unwrap_or_default();
    first.starts_with("stigrun ") && first.contains(": ") && first.contains(" — ")
}

#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    #[error(transparent)]
    Checklist(#[from] ChecklistError),
    #[error(
        "{path}: rule {vuln} has status `{status}`; expected NotAFinding, Open, Not_Applicable or Not_Reviewed"
    )]
    Status { path: String, vuln: String, status: String },
    #[error("{path}: rule {vuln}: {message}")]
    SeverityOverride { path: String, vuln: String, message: String },
}

/// The entry's severity override, if any. STIG Viewer requires a justification with one; an
/// override without one, or with a severity no checklist knows, is refused rather than dropped.
fn parse_severity_override(entry: &ChecklistEntry, path: &str) -> Result<Option<Severity>, CarryError> {
    let written = entry.severity_override.trim();
    if written.is_empty() {
        return Ok(None);
    }
    let severity = match written.to_ascii_lowercase().as_str() {
        "high" | "cat i" => Severity::High,
        "medium" | "cat ii" => Severity::Medium,
        "low" | "cat iii" => Severity::Low,
        _ => {
            return Err(CarryError::SeverityOverride {
                path: path.to_string(),
                vuln: entry.vuln_num.clone(),
                message: format!("severity override `{written}`; expected high, medium or low"),
            });
        }
    };
    if entry.severity_justification.trim().is_empty() {
        return Err(CarryError::SeverityOverride {
            path: path.to_string(),
            vuln: entry.vuln_num.clone(),
            message: format!("severity override `{written}` has no justification"),
        });
    }
    Ok(Some(severity))
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Carry the answers of the checklist at `path` to `benchmark`.
pub fn carry_checklist(path: &Path, benchmark: &Benchmark) -> Result<Carried, CarryError> {
    let entries = read_checklist(path)?;
    let shown =
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    carry_entries(&entries, &shown, benchmark)
}

pub fn carry_entries(
    entries: &[ChecklistEntry],
    source: &str,
    benchmark: &Benchmark,
) -> Result<Carried, CarryError> {
    let mut by_sv = HashMap::new();
    let mut by_vuln = HashMap::new();
    let mut by_stig = HashMap::new();
    for (i, rule) in benchmark.rules.iter().enumerate() {
        let stig = benchmark.stig_rule(rule);
        by_sv.entry(stig.rule_base.to_string()).or_insert(i);
        if let Some(v) = stig.vuln_id {
            by_vuln.entry(v.to_string()).or_insert(i);
        }
        if let Some(s) = stig.stig_id {
            by_stig.entry(s.to_string()).or_insert(i);
        }
    }
    let today = crate::clock::utc_timestamp();
    let today = today.get(..10).unwrap_or(&today).to_string();
    let mut carried = Carried::default();
    for entry in entries {
        let status = if entry.status.trim().is_empty() {
            XccdfResult::NotChecked
        } else {
            super::answers::parse_status(&entry.status).ok_or_else(|| CarryError::Status {
                path: source.to_string(),
                vuln: entry.vuln_num.clone(),
                status: entry.status.clone(),
            })?
        };
        let severity = parse_severity_override(entry, source)?;
        if entry.comments.trim().is_empty()
            && severity.is_none()
            && written_by_stigrun(&entry.finding_details)
        {
            carried.earlier_results += 1;
            continue;
        }
        if status == XccdfResult::NotChecked
            && entry.finding_details.trim().is_empty()
            && entry.comments.trim().is_empty()
            && severity.is_none()
        {
            carried.empty += 1;
            continue;
        }
        let sv = split_rule_id(disa_short_id(&entry.rule_id)).0;
        let found = [
            (MatchedBy::SvId, by_sv.get(sv)),
            (MatchedBy::VulnId, by_vuln.get(&entry.vuln_num)),
            (MatchedBy::StigId, by_stig.get(&entry.rule_ver)),
        ]
        .into_iter()
        .find_map(|(how, i)| {
            (!entry.rule_id.is_empty() || how != MatchedBy::SvId).then_some(i).flatten().map(|i| (how, *i))
        });
        let Some((how, index)) = found else {
            carried.unmatched.push(format!("{} ({}, {})", entry.vuln_num, entry.rule_id, entry.rule_ver));
            continue;
        };
        let rule = &benchmark.rules[index];
        let stig = benchmark.stig_rule(rule);
        if let Some(now) = stig.check_text
            && !entry.check_content.trim().is_empty()
            && normalized(now) != normalized(&entry.check_content)
        {
            carried.changed.push(Changed {
                vuln_num: entry.vuln_num.clone(),
                old_rule_id: entry.rule_id.clone(),
                rule_id: rule.common.id.clone(),
                status: entry.status.clone(),
            });
            continue;
        }
        carried.carried.push((entry.vuln_num.clone(), rule.common.id.clone(), how));
        carried.answers.push(Answer {
            rule_id: rule.common.id.clone(),
            status,
            finding_details: entry.finding_details.clone(),
            comment: entry.comments.clone(),
            who: format!("checklist {source}"),
            when: today.clone(),
            expires: None,
            original_result: None,
            carried_from: Some(source.to_string()),
            // A carried answer only fills in what the scan cannot decide: never an override of
            // the result. The assessor's severity override comes along with its reason.
            justification: severity.map(|_| entry.severity_justification.clone()).unwrap_or_default(),
            severity,
            original_severity: None,
            is_override: false,
        });
    }
    Ok(carried)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{Input, Selection, load_benchmark};

    fn docker_ee(release: &str) -> Benchmark {
        let b = crate::source::catalog::builtin_benchmarks().iter().find(|b| b.release == release).unwrap();
        load_benchmark(Input::Bytes { name: b.file_name, bytes: b.bytes }, &Selection::default())
            .unwrap()
            .benchmark
    }

    fn entry(vuln: &str, rule: &str, ver: &str, status: &str) -> ChecklistEntry {
        ChecklistEntry {
            vuln_num: vuln.into(),
            rule_id: rule.into(),
            rule_ver: ver.into(),
            status: status.into(),
            comments: "seen in the UCP console".into(),
            ..ChecklistEntry::default()
        }
    }

    #[test]
    fn rules_match_by_sv_id_then_v_id_then_stig_id_across_releases() {
        let v2r2 = docker_ee("V2R2");
        let v1r1 = docker_ee("V1R1");
        let stig = v1r1
            .stig_rule(v1r1.rules.iter().find(|r| r.version.as_deref() == Some("DKER-EE-003320")).unwrap());
        let check = stig.check_text.unwrap_or_default().to_string();
        let mut by_stig = entry("V-1", "SV-1r1_rule", "DKER-EE-003320", "NotAFinding");
        by_stig.check_content = check;
        let entries = vec![
            // An old revision of the rule id.
            entry("V-0", "SV-235778r000001_rule", "", "NotAFinding"),
            entry("V-235833", "", "", "Open"),
            by_stig,
            entry("V-999999", "SV-999999r1_rule", "XX-1", "open"),
            entry("V-235779", "SV-235779r960765_rule", "", "Not_Reviewed"),
            ChecklistEntry { status: "Not_Reviewed".into(), ..ChecklistEntry::default() },
        ];
        let carried = carry_entries(&entries, "old.ckl", &v2r2).unwrap();
        let how: Vec<MatchedBy> = carried.carried.iter().map(|c| c.2).collect();
        assert_eq!(how[..3], [MatchedBy::SvId, MatchedBy::VulnId, MatchedBy::StigId]);
        assert_eq!(carried.answers[0].rule_id, "SV-235778r960765_rule");
        assert_eq!(carried.answers[1].status, XccdfResult::Fail);
        assert_eq!(
            carried.answers[3].status,
            XccdfResult::NotChecked,
            "a comment without a status is carried"
        );
        assert_eq!(carried.unmatched, ["V-999999 (SV-999999r1_rule, XX-1)"]);
        assert_eq!(carried.empty, 1);
        assert!(carried.changed.is_empty());
        let mut changed = entry("V-235833", "SV-235833r1_rule", "", "NotAFinding");
        changed.check_content = "Something else entirely.".into();
        let carried = carry_entries(&[changed], "old.ckl", &v2r2).unwrap();
        assert!(carried.answers.is_empty());
        assert_eq!(carried.changed[0].rule_id, "SV-235833r961395_rule");
        let mut earlier = entry("V-235833", "SV-235833r1_rule", "", "Open");
        earlier.comments.clear();
        earlier.finding_details = "stigrun 0.1.0, 2026-01-01T00:00:00Z: fail — the check failed.\n- x".into();
        let carried = carry_entries(&[earlier], "old.ckl", &v2r2).unwrap();
        assert_eq!((carried.answers.len(), carried.earlier_results), (0, 1));
        let bad = carry_entries(&[entry("V-1", "", "", "Maybe")], "old.ckl", &v2r2).unwrap_err();
        assert!(bad.to_string().contains("status `Maybe`"));
    }
}
