//! What a benchmark scan produced: everything the reports need (rule results with messages and
//! evidence, target facts, timing, scores), serialised as stigrun's JSON results file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::xccdf::{Ident, Role, Severity};
use crate::results::oval::OvalRun;
use crate::results::xccdf::{Score, XccdfResult};
use crate::semantics::OvalResult;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanResults {
    pub generator: Generator,
    pub benchmark: BenchmarkRef,
    pub profile: Option<ProfileRef>,
    pub target: TargetFacts,
    /// RFC 3339 UTC.
    pub start_time: String,
    pub end_time: String,
    pub duration_ms: u128,
    /// XCCDF values in force (value id → value), as exported to checks.
    pub values: BTreeMap<String, String>,
    pub rules: Vec<RuleResult>,
    /// Result → number of rules.
    pub counts: BTreeMap<XccdfResult, usize>,
    pub scores: Vec<Score>,
    /// One entry per OVAL document evaluated: its results and collected items are the evidence.
    pub oval: Vec<OvalDocumentRun>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
    /// The XCCDF `test-system` CPE when the scan was not stigrun's own (an imported oscap ARF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_system: Option<String>,
}

impl Default for Generator {
    fn default() -> Self {
        Generator {
            name: "stigrun".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            test_system: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchmarkRef {
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub release_info: Option<String>,
    /// The file (or built-in content name) the benchmark came from.
    pub source: String,
    pub datastream_id: Option<String>,
    pub component_ref_id: Option<String>,
    /// The benchmark's `platform` idrefs (CPE names or `#` platform ids).
    #[serde(default)]
    pub platforms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileRef {
    pub id: String,
    pub title: String,
}

/// What the scanned root says about itself (for `--root` scans) or the running host.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TargetFacts {
    /// The directory scanned as `/`.
    pub root: String,
    pub hostname: String,
    pub fqdn: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub architecture: Option<String>,
    pub ipv4: Vec<String>,
    pub ipv6: Vec<String>,
    pub mac: Vec<String>,
    /// Who ran the scan (XCCDF `identity`), and whether with root privileges.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub privileged: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule_id: String,
    /// The rule's `version`: the STIG ID for DISA content.
    pub version: Option<String>,
    /// The enclosing group (the V-ID for DISA content).
    pub group_id: Option<String>,
    pub title: String,
    pub severity: Severity,
    pub weight: f64,
    pub role: Role,
    pub result: XccdfResult,
    pub idents: Vec<Ident>,
    pub check: Option<CheckRef>,
    /// Why the result is what it is (manual check, unsupported system, errors…).
    pub messages: Vec<crate::diag::Diagnostic>,
    /// For manual checks: DISA's check procedure, the instruction to the assessor.
    pub check_text: Option<String>,
    /// The assessor's answer in force for this rule (its status is the rule's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<crate::scan::answers::Answer>,
    /// What the rule is about (DISA: the vulnerability discussion), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How to fix a finding (the rule's first `fixtext`), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_text: Option<String>,
    /// When the result was decided (RFC 3339 UTC): when its OVAL document finished evaluating,
    /// or when the scan was planned for results known without a check; for imported oscap
    /// results, oscap's own rule-result time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckRef {
    pub system: String,
    pub href: String,
    pub name: Option<String>,
    pub negate: bool,
    /// (XCCDF value id, OVAL variable id, value) for each `check-export`.
    pub exports: Vec<(String, String, String)>,
    /// The OVAL definition result before `negate`, when an OVAL check ran.
    pub oval_result: Option<OvalResult>,
    /// Index into `ScanResults::oval` of the document that was evaluated.
    pub oval_document: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OvalDocumentRun {
    /// The check-content-ref href the rules used.
    pub href: String,
    /// Where the definitions came from (file, or `file#component`).
    pub source: String,
    pub run: OvalRun,
    /// The evaluated document, kept (not serialised) so OVAL results and ARF can copy it.
    #[serde(skip)]
    pub definitions: Option<std::sync::Arc<crate::model::oval::OvalDefinitions>>,
}

impl ScanResults {
    /// Rules whose result makes the scan fail under the default policy (fail, error, unknown).
    pub fn failures(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| r.result.is_failure())
    }
}
