//! An assessor's answer for a rule, as results carry it (read from an answers file by
//! `scan::answers`).

use serde::{Deserialize, Serialize};

use crate::model::xccdf::Severity;
use crate::results::xccdf::XccdfResult;

/// One answer, checked against the benchmark.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    /// The XCCDF rule id the answer resolved to.
    pub rule_id: String,
    pub status: XccdfResult,
    pub finding_details: String,
    pub comment: String,
    pub who: String,
    pub when: String,
    pub expires: Option<String>,
    /// The result the scan itself produced, kept when the answer replaced it.
    pub original_result: Option<XccdfResult>,
    /// The checklist an answer was carried from (`--answers` with a CKL/CKLB). Such an answer
    /// fills in what the scan cannot decide; a result the scan decides itself stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<String>,
    /// Why an automated result or the severity is overridden (required for both).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub justification: String,
    /// A severity the organisation assigns instead of the benchmark's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The benchmark's severity, kept when `severity` replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_severity: Option<Severity>,
    /// The answer replaced a result the scan decided itself (pass, fail, error…): an override,
    /// marked as one in every report.
    #[serde(default, rename = "override")]
    pub is_override: bool,
}

/// The organisation's severity for a rule in place of the benchmark's, with why and by whom.
/// Kept apart from [`Answer`]'s result: a severity override carried from an earlier checklist
/// still applies when this scan decides the rule's result itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityOverride {
    /// The benchmark's severity, which `RuleResult::severity` no longer shows.
    pub original: Severity,
    pub justification: String,
    pub who: String,
    pub when: String,
}

impl Answer {
    /// Whether answering `status` over the scan's `result` overrides an automated result.
    pub fn overrides(result: XccdfResult, status: XccdfResult) -> bool {
        result != status
            && !matches!(
                result,
                XccdfResult::NotChecked | XccdfResult::NotSelected | XccdfResult::Informational
            )
    }
}
