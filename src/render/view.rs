//! The view-model the report writers (XCCDF results, ARF, HTML) share, built from [`ScanResults`]:
//! XCCDF 1.2 identifiers, the STIG view of each rule (V-, SV-, STIG ID, CAT, CCIs with their
//! NIST SP 800-53 controls) and each rule's evidence (the OVAL tests with the items they examined).
//! Templates see only these structures; they never reach into the scan results themselves.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::cci::{CciCatalog, Revision};
use crate::model::oval::{ItemField, ItemValue};
use crate::model::stig::{Category, split_rule_id};
use crate::model::xccdf12_id::{IdForm, ncname};
use crate::results::document::{RuleResult, ScanResults};
use crate::results::oval::{CriteriaResult, CriteriaResultNode, OvalRun};

/// Items shown per test in a report; real profiles can collect thousands for one test (a
/// world-writable files search), and the report must stay small. The ARF keeps them all.
pub const MAX_ITEMS_PER_TEST: usize = 25;
/// Longest value shown for one item entity (matched file text can be a whole file).
pub const MAX_VALUE_CHARS: usize = 2000;

/// The XCCDF 1.2 `TestResult/@id`: `xccdf_<namespace>_testresult_<profile>` as the schema requires.
pub fn testresult_id(results: &ScanResults) -> String {
    let profile = results.profile.as_ref().map_or("default-profile", |p| p.id.as_str());
    format!("xccdf_stigrun_testresult_{}", ncname(profile))
}

/// The XCCDF 1.2 form of these results' XCCDF 1.1 ids (1.2 ids are kept whatever the form).
///
/// DISA's XCCDF 1.1 ids (`SV-235833r961395_rule`) become
/// `xccdf_mil.disa.stig_rule_SV-235833r961395_rule`: the 1.2 schema requires the `xccdf_N_rule_S`
/// form for Rule ids, and its schematron requires every rule-result idref to name a Rule of the
/// document, so a bare DISA id (oscap's `--stig-viewer` style) cannot validate. The prefixed form is
/// the one DISA's own SCAP 1.2 benchmarks and SCC results use, and STIG Viewer and eMASS import
/// those by the DISA rule id that follows the prefix. Anyone else's 1.1 ids take stigrun's
/// reversible form (`model::xccdf12_id`), so they are not passed off as DISA's.
///
/// DISA's content is what its publisher says is DISA's; results written before the publisher
/// was kept say so by DISA's rule ids (`SV-235833r961395_rule`).
pub fn id_form(results: &ScanResults) -> IdForm {
    let disa = match results.benchmark.publisher.as_deref() {
        Some(publisher) => publisher.trim_start().to_ascii_uppercase().starts_with("DISA"),
        None => {
            !results.rules.is_empty()
                && results
                    .rules
                    .iter()
                    .all(|r| r.rule_id.starts_with("SV-") && split_rule_id(&r.rule_id).1.is_some())
        }
    };
    if disa { IdForm::Disa } else { IdForm::OneToOne }
}

/// One CCI with the 800-53 controls it maps to.
#[derive(Debug, Clone, Serialize)]
pub struct CciView {
    pub id: String,
    pub definition: Option<String>,
    pub rev4: Vec<String>,
    pub rev5: Vec<String>,
}

/// One OVAL test a rule's check used, with what it examined.
#[derive(Debug, Clone, Serialize)]
pub struct TestEvidence {
    pub test_id: String,
    pub result: String,
    pub check: String,
    pub messages: Vec<String>,
    pub items: Vec<ItemEvidence>,
    /// Items left out by [`MAX_ITEMS_PER_TEST`].
    pub more_items: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemEvidence {
    pub kind: String,
    /// The item against the test's states.
    pub result: String,
    /// Entity name → value, in schema order (path, owner, mode, matched text…).
    pub fields: Vec<(String, String)>,
}

/// SHA-256 of a file a rule's tests read.
#[derive(Debug, Clone, Serialize)]
pub struct FileDigest {
    pub path: String,
    pub sha256: String,
}

/// Everything a report shows about one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub rule_id: String,
    pub vuln_id: Option<String>,
    pub stig_id: Option<String>,
    pub title: String,
    pub result: &'static str,
    pub severity: &'static str,
    pub category: Option<&'static str>,
    pub ccis: Vec<CciView>,
    /// Idents other than CCIs (CCE, legacy V-/SV- ids), as `system: value`.
    pub other_idents: Vec<String>,
    /// All 800-53 controls of all CCIs (rev 4 and 5), for filtering.
    pub controls: Vec<String>,
    pub messages: Vec<String>,
    /// The assessor's answer in force (`--answers`), shown with who, when and why.
    pub answer: Option<crate::results::answer::Answer>,
    /// The assessor's severity in place of the benchmark's (`severity` shows the new one).
    pub severity_override: Option<crate::results::answer::SeverityOverride>,
    pub check_name: Option<String>,
    /// The finding details in words (`finding::finding_details`).
    pub finding: String,
    pub evidence: Vec<TestEvidence>,
    pub files: Vec<FileDigest>,
    pub description: Option<String>,
    pub check_text: Option<String>,
    pub fix_text: Option<String>,
}

/// The CCIs a rule cites (DISA and SSG both use `CCI-nnnnnn` idents).
pub fn rule_ccis(rule: &RuleResult) -> impl Iterator<Item = &str> {
    rule.idents.iter().map(|i| i.value.as_str()).filter(|v| v.starts_with("CCI-"))
}

pub fn rule_view(results: &ScanResults, rule: &RuleResult, catalog: &CciCatalog) -> RuleView {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let ccis: Vec<CciView> = rule_ccis(rule)
        .map(|cci| CciView {
            id: cci.to_string(),
            definition: catalog.definition(cci).map(str::to_string),
            rev4: owned(catalog.nist_800_53(cci, Revision::Rev4)),
            rev5: owned(catalog.nist_800_53(cci, Revision::Rev5)),
        })
        .collect();
    let controls: BTreeSet<String> =
        ccis.iter().flat_map(|c| c.rev4.iter().chain(&c.rev5)).cloned().collect();
    let (evidence, files) = rule_evidence(results, rule);
    RuleView {
        rule_id: rule.rule_id.clone(),
        // DISA puts the V-ID on the rule's group; SSG groups are not V-IDs.
        vuln_id: rule
            .group_id
            .as_deref()
            .map(crate::model::stig::disa_short_id)
            .filter(|g| g.starts_with("V-"))
            .map(str::to_string),
        stig_id: rule.version.clone(),
        title: rule.title.clone(),
        result: rule.result.as_str(),
        severity: rule.severity.as_str(),
        category: Category::from_severity(rule.severity).map(Category::as_str),
        ccis,
        other_idents: rule
            .idents
            .iter()
            .filter(|i| !i.value.starts_with("CCI-"))
            .map(|i| i.value.clone())
            .collect(),
        controls: controls.into_iter().collect(),
        messages: rule.messages.iter().map(|m| m.message.clone()).collect(),
        answer: rule.answer.clone(),
        severity_override: rule.severity_override.clone(),
        check_name: rule.check.as_ref().and_then(|c| c.name.clone()),
        finding: super::finding::finding_details(results, rule),
        evidence,
        files,
        description: rule.description.clone(),
        check_text: rule.check_text.clone(),
        fix_text: rule.fix_text.clone(),
    }
}

/// The tests behind a rule's OVAL definition (following `extend_definition`), with their items,
/// and the digests of the files those items name.
pub fn rule_evidence(results: &ScanResults, rule: &RuleResult) -> (Vec<TestEvidence>, Vec<FileDigest>) {
    let Some(check) = &rule.check else { return (Vec::new(), Vec::new()) };
    let Some(run) = check.oval_document.as_deref().and_then(|d| results.oval_document(d)).map(|d| &d.run)
    else {
        return (Vec::new(), Vec::new());
    };
    let mut test_ids = Vec::new();
    let mut seen_definitions = BTreeSet::new();
    match &check.name {
        Some(name) => collect_tests(run, name, &mut test_ids, &mut seen_definitions),
        None => {
            for name in run.definitions.keys() {
                collect_tests(run, name, &mut test_ids, &mut seen_definitions);
            }
        }
    }
    let mut paths = BTreeSet::new();
    let evidence = test_ids
        .iter()
        .filter_map(|id| run.tests.get(id))
        .map(|test| {
            let items = test
                .tested_items
                .iter()
                .filter_map(|(item_id, result)| {
                    let item = run.items.get(usize::try_from(*item_id).ok()?.checked_sub(1)?)?;
                    if let Some(path) = item_path(&item.fields) {
                        paths.insert(path);
                    }
                    Some((item, result))
                })
                .collect::<Vec<_>>();
            let more_items = items.len().saturating_sub(MAX_ITEMS_PER_TEST);
            TestEvidence {
                test_id: test.id.clone(),
                result: test.result.as_str().to_string(),
                check: crate::model::spelling::check::name(test.check).to_string(),
                messages: test.messages.iter().map(|m| m.message.clone()).collect(),
                items: items
                    .into_iter()
                    .take(MAX_ITEMS_PER_TEST)
                    .map(|(item, result)| ItemEvidence {
                        kind: item.kind.name.clone(),
                        result: result.as_str().to_string(),
                        fields: item.fields.iter().map(|f| (f.name.to_string(), field_text(f))).collect(),
                    })
                    .collect(),
                more_items,
            }
        })
        .collect();
    let files = run
        .evidence
        .iter()
        .filter(|(path, _)| paths.contains(path.as_str()))
        .map(|(path, sha256)| FileDigest { path: path.clone(), sha256: sha256.clone() })
        .collect();
    (evidence, files)
}

fn collect_tests(run: &OvalRun, definition: &str, out: &mut Vec<String>, seen: &mut BTreeSet<String>) {
    if !seen.insert(definition.to_string()) {
        return;
    }
    if let Some(criteria) = run.definitions.get(definition).and_then(|d| d.criteria.as_ref()) {
        collect_criteria(run, criteria, out, seen);
    }
}

fn collect_criteria(
    run: &OvalRun,
    criteria: &CriteriaResult,
    out: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) {
    for child in &criteria.children {
        match child {
            CriteriaResultNode::Criteria(inner) => collect_criteria(run, inner, out, seen),
            CriteriaResultNode::Criterion { test_ref, .. } => {
                if !out.contains(test_ref) {
                    out.push(test_ref.clone());
                }
            }
            CriteriaResultNode::ExtendDefinition { definition_ref, .. } => {
                collect_tests(run, definition_ref, out, seen)
            }
        }
    }
}

/// The file an item describes: `filepath`, or `path` + `filename`.
fn item_path(fields: &[ItemField]) -> Option<String> {
    let text = |name: &str| {
        fields.iter().find(|f| f.name == name).and_then(|f| match &f.value {
            ItemValue::Text(t) => Some(t.as_str()),
            _ => None,
        })
    };
    if let Some(p) = text("filepath") {
        return Some(p.to_string());
    }
    let (dir, name) = (text("path")?, text("filename")?);
    Some(format!("{}/{name}", dir.trim_end_matches('/')))
}

fn field_text(field: &ItemField) -> String {
    let text = match &field.value {
        ItemValue::Text(t) => t.clone(),
        ItemValue::Record(fields) => {
            let parts: Vec<String> = fields.iter().map(|f| format!("{}={}", f.name, field_text(f))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        ItemValue::Nil => "(no value)".to_string(),
    };
    truncate(text, MAX_VALUE_CHARS)
}

fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        let left = text[cut..].chars().count();
        text.truncate(cut);
        text.push_str(&format!("… ({left} more characters)"));
    }
    text
}

/// A number as oscap writes weights and scores.
pub fn decimal(value: f64) -> String {
    format!("{value:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::xccdf12_id::xccdf12_id;

    #[test]
    fn only_disas_content_gets_disas_form() {
        let mut results = crate::results::document::fixture::scan_with("x");
        // Results written before the publisher was kept: DISA's rule ids decide.
        assert_eq!(id_form(&results), IdForm::Disa);
        assert_eq!(
            xccdf12_id("rule", "SV-1r1_rule", id_form(&results)),
            "xccdf_mil.disa.stig_rule_SV-1r1_rule"
        );
        results.benchmark.publisher = Some("DISA, Field Security Operations".into());
        assert_eq!(id_form(&results), IdForm::Disa);
        results.benchmark.publisher = Some("Example Corp".into());
        assert_eq!(
            xccdf12_id("rule", "SV-1r1_rule", id_form(&results)),
            "xccdf_io.stigrun.xccdf11_rule_SV-1r1_rule"
        );
        results.benchmark.publisher = None;
        results.rules[0].rule_id = "ssh.root".into();
        assert_eq!(id_form(&results), IdForm::OneToOne);
        assert_eq!(xccdf12_id("rule", "xccdf_org.x_rule_a", id_form(&results)), "xccdf_org.x_rule_a");
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé".into(), 5), "ééé");
        assert_eq!(truncate("éééé".into(), 2), "éé… (2 more characters)");
    }

    #[test]
    fn item_path_joins_path_and_filename() {
        let field = |n: &'static str, v: &str| ItemField {
            name: n.into(),
            datatype: crate::model::oval::Datatype::String,
            status: crate::model::oval::ItemStatus::Exists,
            value: ItemValue::Text(v.into()),
        };
        assert_eq!(item_path(&[field("path", "/etc/"), field("filename", "a")]).as_deref(), Some("/etc/a"));
        assert_eq!(item_path(&[field("filepath", "/x")]).as_deref(), Some("/x"));
        assert_eq!(item_path(&[field("path", "/etc")]), None);
    }
}
