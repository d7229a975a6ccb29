//! XCCDF 1.2 results writer: [`ScanResults`] → a `Benchmark` holding the evaluated rules, values
//! and profile, followed by the `TestResult` (`templates/xccdf-results.xml.j2`), as `oscap xccdf
//! eval --results` writes it. The schematron `oscap xccdf validate` applies requires every
//! rule-result to name a Rule of the document, so a bare `TestResult` does not validate; the ARF
//! embeds the `TestResult` alone, as oscap does. Every value goes through the XML escaper.

use std::io::Write;

use serde::Serialize;

use super::view::{decimal, id_form, testresult_id};
use super::{Report, ReportError, ReportFormat, ReportInputs, WriteAdapter, escaping_environment};
use crate::escape::escape_xml;
use crate::model::xccdf12_id::xccdf12_id;
use crate::results::document::ScanResults;

const TEMPLATE_NAME: &str = "xccdf-results.xml.j2";
const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/xccdf-results.xml.j2"));

#[derive(Debug, Serialize)]
struct TestResultView<'a> {
    standalone: bool,
    id: String,
    start_time: &'a str,
    end_time: &'a str,
    test_system: String,
    version: Option<&'a str>,
    benchmark_href: &'a str,
    benchmark_id: Option<String>,
    benchmark_title: &'a str,
    title: String,
    identity: &'a str,
    privileged: bool,
    profile: Option<String>,
    profile_title: Option<&'a str>,
    target: &'a str,
    addresses: Vec<&'a str>,
    facts: Vec<(&'static str, &'a str)>,
    asset_ref: Option<&'a str>,
    platforms: &'a [String],
    values: Vec<(String, &'a str)>,
    rules: Vec<RuleResultView<'a>>,
    scores: Vec<ScoreView>,
}

#[derive(Debug, Serialize)]
struct RuleResultView<'a> {
    /// The first rule-result of its rule: the one that declares the Rule (a multi-check rule has
    /// several rule-results, and a Rule id may appear once).
    declare: bool,
    idref: String,
    title: &'a str,
    role: &'static str,
    time: &'a str,
    severity: &'static str,
    weight: String,
    version: Option<&'a str>,
    result: &'static str,
    /// The assessor's answer that replaced the scan's result.
    r#override: Option<OverrideView<'a>>,
    idents: Vec<&'a crate::model::xccdf::Ident>,
    messages: &'a [crate::diag::Diagnostic],
    /// The finding details in words (`finding::finding_details`).
    finding: String,
    check: Option<CheckView<'a>>,
}

#[derive(Debug, Serialize)]
struct OverrideView<'a> {
    time: String,
    authority: &'a str,
    old_result: &'static str,
    new_result: &'static str,
    remark: String,
}

/// An XCCDF `override` for an answer in force: who changed which result to what, and why.
fn override_view(answer: &crate::results::answer::Answer) -> Option<OverrideView<'_>> {
    let old = answer.original_result?;
    // `when` is a date (or a full RFC 3339 time); xsd:dateTime needs the time of day.
    let time =
        if answer.when.len() == 10 { format!("{}T00:00:00Z", answer.when) } else { answer.when.clone() };
    let remark = [answer.justification.trim(), answer.comment.trim(), answer.finding_details.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Some(OverrideView {
        time,
        authority: &answer.who,
        old_result: old.as_str(),
        new_result: answer.status.as_str(),
        remark: if remark.is_empty() { "answered by the assessor".to_string() } else { remark },
    })
}

#[derive(Debug, Serialize)]
struct CheckView<'a> {
    system: &'a str,
    negate: bool,
    exports: Vec<(String, &'a str)>,
    href: &'a str,
    name: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ScoreView {
    system: &'static str,
    maximum: String,
    score: String,
}

/// How the TestResult is placed.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestResultOptions<'a> {
    /// Inside an ARF: no XML declaration, and a `target-id-ref` to this asset id.
    pub asset_ref: Option<&'a str>,
}

fn view<'a>(results: &'a ScanResults, options: TestResultOptions<'a>) -> TestResultView<'a> {
    let target = &results.target;
    let mut facts: Vec<(&'static str, &'a str)> = vec![
        ("urn:xccdf:fact:scanner:name", results.generator.name.as_str()),
        ("urn:xccdf:fact:scanner:version", results.generator.version.as_str()),
    ];
    if let Some(fqdn) = &target.fqdn {
        facts.push(("urn:xccdf:fact:asset:identifier:fqdn", fqdn));
    }
    facts.push(("urn:xccdf:fact:asset:identifier:host_name", &target.hostname));
    for mac in &target.mac {
        facts.push(("urn:xccdf:fact:ethernet:MAC", mac));
        facts.push(("urn:xccdf:fact:asset:identifier:mac", mac));
    }
    facts.extend(target.ipv4.iter().map(|ip| ("urn:xccdf:fact:asset:identifier:ipv4", ip.as_str())));
    facts.extend(target.ipv6.iter().map(|ip| ("urn:xccdf:fact:asset:identifier:ipv6", ip.as_str())));
    if let Some(os) = &target.os_name {
        facts.push(("urn:xccdf:fact:os:name", os));
    }
    if let Some(version) = &target.os_version {
        facts.push(("urn:xccdf:fact:os:version", version));
    }
    // A `--root` scan examines a directory, not the machine the addresses belong to.
    if target.root != "/" {
        facts.push(("urn:xccdf:fact:stigrun:root", &target.root));
    }
    let form = id_form(results);
    let mut declared = std::collections::HashSet::new();
    let rules = results
        .rules
        .iter()
        .map(|rule| RuleResultView {
            declare: declared.insert(rule.rule_id.as_str()),
            idref: xccdf12_id("rule", &rule.rule_id, form),
            title: &rule.title,
            role: match rule.role {
                crate::model::xccdf::Role::Full => "full",
                crate::model::xccdf::Role::Unscored => "unscored",
                crate::model::xccdf::Role::Unchecked => "unchecked",
            },
            time: rule.time.as_deref().unwrap_or(&results.end_time),
            severity: rule.severity.as_str(),
            weight: decimal(rule.weight),
            version: rule.version.as_deref(),
            result: rule.result.as_str(),
            r#override: rule.answer.as_ref().and_then(override_view),
            idents: rule.idents.iter().collect(),
            messages: &rule.messages,
            // Rules without a check say everything in their messages already.
            finding: match rule.check {
                Some(_) => crate::render::finding::finding_details(results, rule),
                None => String::new(),
            },
            check: rule.check.as_ref().map(|c| CheckView {
                system: &c.system,
                negate: c.negate,
                exports: c
                    .exports
                    .iter()
                    .map(|(v, e, _)| (xccdf12_id("value", v, form), e.as_str()))
                    .collect(),
                href: &c.href,
                name: c.name.as_deref(),
            }),
        })
        .collect();
    TestResultView {
        standalone: options.asset_ref.is_none(),
        id: testresult_id(results),
        start_time: &results.start_time,
        end_time: &results.end_time,
        test_system: results
            .generator
            .test_system
            .clone()
            .unwrap_or_else(|| format!("cpe:/a:stigrun:stigrun:{}", results.generator.version)),
        version: results.benchmark.version.as_deref(),
        benchmark_href: &results.benchmark.source,
        benchmark_id: Some(xccdf12_id("benchmark", &results.benchmark.id, form)),
        benchmark_title: &results.benchmark.title,
        title: format!("stigrun scan result: {}", results.benchmark.title),
        identity: target.user.as_deref().unwrap_or("unknown"),
        privileged: target.privileged,
        profile: results.profile.as_ref().map(|p| xccdf12_id("profile", &p.id, form)),
        profile_title: results.profile.as_ref().map(|p| p.title.as_str()),
        target: &target.hostname,
        addresses: target.ipv4.iter().chain(&target.ipv6).map(String::as_str).collect(),
        facts,
        asset_ref: options.asset_ref,
        platforms: &results.benchmark.platforms,
        values: results.values.iter().map(|(id, v)| (xccdf12_id("value", id, form), v.as_str())).collect(),
        rules,
        scores: results
            .scores
            .iter()
            .map(|s| ScoreView {
                system: s.model.urn(),
                maximum: decimal(s.maximum),
                score: decimal(s.score),
            })
            .collect(),
    }
}

/// Stream the `TestResult` to `out`.
pub fn write_test_result(
    out: &mut dyn Write,
    results: &ScanResults,
    options: TestResultOptions<'_>,
) -> Result<(), ReportError> {
    let environment =
        escaping_environment(TEMPLATE_NAME, TEMPLATE, escape_xml).map_err(ReportError::render("xccdf"))?;
    let template = environment.get_template(TEMPLATE_NAME).map_err(ReportError::render("xccdf"))?;
    let view = view(results, options);
    template
        .render_captured_to(minijinja::value::Serde(view), WriteAdapter(out))
        .map_err(ReportError::render("xccdf"))?;
    Ok(())
}

/// XCCDF 1.2 results: the TestResult on its own.
pub struct XccdfReport;

impl Report for XccdfReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Xccdf
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        write_test_result(out, inputs.results, TestResultOptions::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::document::fixture::scan_with;

    #[test]
    fn disa_ids_are_written_in_xccdf_1_2_form_and_text_round_trips() {
        let text = "a < b & \"c\" ]]> 'd'\n";
        let mut out = Vec::new();
        write_test_result(&mut out, &scan_with(text), TestResultOptions::default()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "Benchmark");
        let rule = root.descendants().find(|n| n.has_tag_name("Rule")).unwrap();
        let result = root.descendants().find(|n| n.has_tag_name("rule-result")).unwrap();
        assert_eq!(rule.attribute("id"), Some("xccdf_mil.disa.stig_rule_SV-1r1_rule"));
        assert_eq!(result.attribute("idref"), rule.attribute("id"));
        assert_eq!(result.attribute("severity"), Some("high"));
        assert_eq!(result.attribute("weight"), Some("10.000000"));
        let child = |name: &str| result.children().find(|n| n.has_tag_name(name)).and_then(|n| n.text());
        assert_eq!(child("result"), Some("fail"));
        assert_eq!(child("ident"), Some("CCI-001851"));
        assert_eq!(child("message"), Some(text));
        let check = result.children().find(|n| n.has_tag_name("check")).unwrap();
        let content_ref = check.first_element_child().unwrap();
        assert_eq!(content_ref.attribute("name"), Some("oval:t:def:1"));
    }

    #[test]
    fn inside_an_arf_the_test_result_stands_alone_and_names_its_asset() {
        let mut out = Vec::new();
        write_test_result(&mut out, &scan_with("x"), TestResultOptions { asset_ref: Some("asset0") })
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(!xml.contains("<?xml") && !xml.contains("<Benchmark"));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let id_ref = doc.descendants().find(|n| n.has_tag_name("target-id-ref")).unwrap();
        assert_eq!(id_ref.attribute("name"), Some("asset0"));
    }
}
