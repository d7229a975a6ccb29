//! What a benchmark scan produced: everything the reports need (rule results with diagnostics and
//! evidence, target facts, timing, scores), serialised as stigrun's JSON results file.
//!
//! The file names its format and schema version ([`FORMAT`], [`SCHEMA_VERSION`]); rules refer to
//! the OVAL document that decided them by its key (the check href), and items inside a run carry
//! their ids, so nothing depends on the position of an entry. Files without a version (written
//! before it existed) read as version 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::xccdf::{Ident, Role, Severity};
use crate::results::oval::OvalRun;
use crate::results::xccdf::{Score, XccdfResult};
use crate::semantics::OvalResult;

/// The `format` of stigrun's results files.
pub const FORMAT: &str = "stigrun-results";
/// The schema version this build writes. 1: versioned, typed diagnostics, documents by key.
pub const SCHEMA_VERSION: u32 = 1;

fn format_name() -> String {
    FORMAT.to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanResults {
    #[serde(default = "format_name")]
    pub format: String,
    /// 0 for files written before the field existed.
    #[serde(default)]
    pub schema_version: u32,
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
    /// What the scan found wrong in the content without failing a rule for it (a CPE name that is
    /// not one), each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::diag::Diagnostic>,
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
    /// SHA-256 of the content the scan read (the file, or the built data stream of built-in
    /// content), so results can be matched to exactly the content that produced them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The benchmark's description (a checklist's STIG_INFO shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who published the benchmark (its `reference`'s `dc:publisher`, `DISA` for DISA's STIGs):
    /// it decides the XCCDF 1.2 form of XCCDF 1.1 ids (`model::xccdf12_id`). `None` in results
    /// written before it was kept, and for content that names no publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The data stream's XML signature (SP 800-126r3 §3.1); absent when the content is unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ContentSignature>,
}

/// What the content's XML signature showed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContentSignature {
    /// `verified` or `invalid`.
    pub status: crate::loader::signature::Status,
    /// The signing certificate's subject (or a description of a bare key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Why it does not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The CA the signer's certificate chains to (`--signer-ca`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_by: Option<String>,
    /// Why the signer is not trusted (`--signer-ca` given, no chain to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrusted_because: Option<String>,
}

impl ContentSignature {
    pub fn of(check: &crate::loader::signature::SignatureCheck) -> Option<Self> {
        (check.status != crate::loader::signature::Status::Unsigned).then(|| ContentSignature {
            status: check.status,
            signer: check.signer.clone(),
            problem: check.problem.clone(),
            trusted_by: match &check.trust {
                crate::loader::signature::Trust::Trusted(anchor) => Some(anchor.clone()),
                _ => None,
            },
            untrusted_because: match &check.trust {
                crate::loader::signature::Trust::Untrusted(why) => Some(why.clone()),
                _ => None,
            },
        })
    }
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
    /// `/etc/machine-id` of the scanned root, when it has one: the same machine across scans,
    /// whatever its host name or addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    /// The asset's checklist fields the assessor gave (`--role`, `--marking`, `--target-file`).
    #[serde(default, skip_serializing_if = "crate::results::asset::Asset::is_empty")]
    pub asset: crate::results::asset::Asset,
}

impl TargetFacts {
    /// A key that names the same target across scans: its machine id when known, else its host
    /// name and scanned root.
    pub fn identity(&self) -> String {
        match &self.machine_id {
            Some(id) => format!("machine-id:{id}"),
            None => format!("host:{}:{}", self.hostname, self.root),
        }
    }
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
    /// DISA's check procedure, the instruction to the assessor (automated rules too).
    pub check_text: Option<String>,
    /// The finding in words (`render::finding`), kept so results read back without their content
    /// still say what was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_details: Option<String>,
    /// The assessor's answer in force for this rule (its status is the rule's result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<crate::results::answer::Answer>,
    /// What the rule is about (DISA: the vulnerability discussion), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How to fix a finding (the rule's first `fixtext`), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_text: Option<String>,
    /// DISA's other description fields (`IAControls`, `Documentable`, …) as (tag, text), for
    /// checklists, which show each in its own column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description_fields: Vec<(String, String)>,
    /// When the result was decided (RFC 3339 UTC): when its OVAL document finished evaluating,
    /// or when the scan was planned for results known without a check; for imported oscap
    /// results, oscap's own rule-result time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The enclosing group's title (DISA: the SRG id), for checklists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_title: Option<String>,
    /// DISA's check procedure whatever check decided the rule (checklists show it, and carried
    /// answers are compared against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_content: Option<String>,
    /// The rule's DPMS target identifier (STIG Viewer's TargetKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_identifier: Option<String>,
    /// The severity an assessor set in place of the benchmark's (`severity` is the new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_override: Option<crate::results::answer::SeverityOverride>,
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
    /// The key ([`OvalDocumentRun::href`]) of the document that was evaluated.
    #[serde(default, deserialize_with = "document_key")]
    pub oval_document: Option<String>,
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

/// Version-0 files referred to documents by position; those positions are resolved to keys
/// after loading ([`ScanResults::upgrade`]), so they are read here as text.
fn document_key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Key {
        Position(u64),
        Href(String),
    }
    Ok(Option::<Key>::deserialize(d)?.map(|k| match k {
        Key::Position(p) => format!("#{p}"),
        Key::Href(h) => h,
    }))
}

impl ScanResults {
    /// The OVAL document a rule's check names by key.
    pub fn oval_document(&self, key: &str) -> Option<&OvalDocumentRun> {
        self.oval.iter().find(|d| d.href == key)
    }

    /// Bring a file of an older schema version up to [`SCHEMA_VERSION`]: version 0 named OVAL
    /// documents by position (read as `#<n>`).
    pub fn upgrade(&mut self) {
        if self.schema_version == 0 {
            let hrefs: Vec<String> = self.oval.iter().map(|d| d.href.clone()).collect();
            for rule in &mut self.rules {
                if let Some(check) = &mut rule.check
                    && let Some(position) = check.oval_document.as_deref().and_then(|k| k.strip_prefix('#'))
                {
                    check.oval_document = position.parse::<usize>().ok().and_then(|p| hrefs.get(p).cloned());
                }
            }
            self.format = FORMAT.to_string();
            self.schema_version = SCHEMA_VERSION;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_0_file_is_upgraded_to_document_keys() {
        let mut results = fixture::scan_with("x");
        // What a version-0 file held: no format or version, the document by position.
        results.format = String::new();
        results.schema_version = 0;
        let json = serde_json::to_string(&results)
            .unwrap()
            .replace(r#""oval_document":"c.xml""#, r#""oval_document":0"#);
        let mut old: ScanResults = serde_json::from_str(&json).unwrap();
        assert_eq!(old.rules[0].check.as_ref().unwrap().oval_document.as_deref(), Some("#0"));
        old.upgrade();
        assert_eq!(old.schema_version, SCHEMA_VERSION);
        assert_eq!(old.format, FORMAT);
        let key = old.rules[0].check.as_ref().unwrap().oval_document.clone().unwrap();
        assert_eq!(key, "c.xml");
        assert!(old.oval_document(&key).is_some());
        assert_eq!(old.target.identity(), "host:h:/r");
    }
}

/// A saved scan for the tests of the writers and readers of results.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::results::document::ScanResults;

    /// A saved scan with one failed rule whose title, message and collected item carry markup.
    pub(crate) fn scan_with(text: &str) -> ScanResults {
        let text = serde_json::to_string(text).unwrap();
        let json = format!(
            r#"{{
  "generator": {{"name": "stigrun", "version": "0"}},
  "benchmark": {{"id": "b", "title": {text}, "version": "1", "release_info": null, "source": "b.xml",
                 "datastream_id": null, "component_ref_id": null}},
  "profile": null,
  "target": {{"root": "/r", "hostname": "h", "fqdn": null, "os_name": null, "os_version": null,
              "architecture": null, "ipv4": [], "ipv6": [], "mac": []}},
  "start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-01T00:00:01Z", "duration_ms": 1,
  "values": {{}}, "counts": {{"fail": 1}}, "scores": [],
  "rules": [{{"rule_id": "SV-1r1_rule", "version": "T-1", "group_id": "V-1", "title": {text},
    "severity": "high", "weight": 10.0, "role": "full", "result": "fail",
    "idents": [{{"system": "http://cyber.mil/cci", "value": "CCI-001851"}}],
    "check": {{"system": "s", "href": "c.xml", "name": "oval:t:def:1", "negate": false, "exports": [],
               "oval_result": "False", "oval_document": "c.xml"}},
    "messages": [{text}], "check_text": null, "fix_text": {text}}}],
  "oval": [{{"href": "c.xml", "source": "c.xml", "run": {{
    "definitions": {{"oval:t:def:1": {{"id": "oval:t:def:1", "version": "1", "class": "Compliance",
      "result": "False", "criteria": {{"operator": "And", "negate": false, "applicability_check": null,
      "result": "False", "children": [{{"Criterion": {{"test_ref": "oval:t:tst:1", "version": "1",
      "negate": false, "applicability_check": null, "result": "False"}}}}]}}}}}},
    "tests": {{"oval:t:tst:1": {{"id": "oval:t:tst:1", "version": "1", "check": "All",
      "check_existence": "AtLeastOneExists", "state_operator": "And", "result": "False",
      "tested_items": [[1, "False"]], "tested_variables": [], "messages": []}}}},
    "collected_objects": {{}},
    "items": [{{"kind": {{"family": "independent", "namespace": "", "name": "textfilecontent_item"}},
      "status": "Exists", "messages": [], "fields": [
        {{"name": "filepath", "datatype": "String", "status": "Exists", "value": {{"Text": "/etc/d.json"}}}},
        {{"name": "subexpression", "datatype": "String", "status": "Exists", "value": {{"Text": {text}}}}}]}}],
    "evidence": [["/etc/d.json", "abc123"]],
    "system_info": {{"os_name": "", "os_version": "", "architecture": "", "primary_host_name": "", "interfaces": []}}
  }}}}]
}}"#
        );
        serde_json::from_str(&json).unwrap()
    }
}
