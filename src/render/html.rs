//! The assessor's HTML report: one self-contained file (inline CSS and JS, no network) with the
//! scan summary, counts by result and by CAT, and every rule as an expandable row with its IDs,
//! CCIs and 800-53 controls, messages, evidence, check and fix text (`templates/report.html.j2`).
//!
//! Rows are rendered on the server, so the report reads (and prints) without JavaScript; the
//! script only filters rows by their data attributes. Every value is HTML-escaped by the
//! environment's formatter and nothing from the scan is ever placed inside the `<script>`.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::view::{RuleView, decimal, rule_view};
use super::{Report, ReportError, ReportFormat, ReportInputs, WriteAdapter, escaping_environment};
use crate::escape::escape_html;
use crate::model::cci::CciCatalog;
use crate::model::stig::Category;
use crate::results::document::ScanResults;
use crate::results::xccdf::XccdfResult;

const TEMPLATE_NAME: &str = "report.html.j2";
const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/report.html.j2"));
const CATEGORIES: [&str; 4] = ["CAT I", "CAT II", "CAT III", "none"];

#[derive(Debug, Serialize)]
struct ReportView<'a> {
    benchmark: &'a crate::results::document::BenchmarkRef,
    profile: Option<&'a crate::results::document::ProfileRef>,
    target: &'a crate::results::document::TargetFacts,
    generator: &'a crate::results::document::Generator,
    start_time: &'a str,
    end_time: &'a str,
    duration_ms: u128,
    generated: String,
    scores: Vec<(&'static str, String, String)>,
    /// (result, count) in XCCDF order, only results that occur.
    counts: Vec<(&'static str, usize)>,
    /// Results that occur, as columns of the CAT table.
    columns: Vec<&'static str>,
    /// (CAT, counts per column, total).
    by_category: Vec<(&'static str, Vec<usize>, usize)>,
    /// Rules whose automated result an answer overrode.
    overrides: usize,
    rules: Vec<RuleRow>,
}

#[derive(Debug, Serialize)]
struct RuleRow {
    #[serde(flatten)]
    view: RuleView,
    cci_list: String,
    control_list: String,
    /// The rule's other names as anchors (`#V-235833`, `#SV-235833`, `#SV-235833r961395_rule`,
    /// `#DKER-EE-003320`); the `details` element carries the XCCDF id.
    anchors: Vec<String>,
}

fn report_view<'a>(results: &'a ScanResults, catalog: &CciCatalog) -> ReportView<'a> {
    let counts: Vec<(&'static str, usize)> = XccdfResult::ALL
        .iter()
        .filter_map(|r| results.counts.get(r).filter(|n| **n > 0).map(|n| (r.as_str(), *n)))
        .collect();
    let columns: Vec<&'static str> = counts.iter().map(|(r, _)| *r).collect();
    let mut by_cat: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for rule in &results.rules {
        let cat = Category::from_severity(rule.severity).map_or("none", Category::as_str);
        *by_cat.entry(cat).or_default().entry(rule.result.as_str()).or_default() += 1;
    }
    let by_category = CATEGORIES
        .iter()
        .filter_map(|cat| {
            let row = by_cat.get(cat)?;
            let cells: Vec<usize> = columns.iter().map(|c| row.get(c).copied().unwrap_or(0)).collect();
            Some((*cat, cells, row.values().sum()))
        })
        .collect();
    let rules = results
        .rules
        .iter()
        .map(|rule| {
            let view = rule_view(results, rule, catalog);
            let cci_list = view.ccis.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(" ");
            // `|` separates controls: they contain spaces (`AU-4 (1)`).
            let control_list = view.controls.join("|");
            let short = crate::model::stig::disa_short_id(&view.rule_id).to_string();
            let base = crate::model::stig::split_rule_id(&short).0.to_string();
            let mut anchors: Vec<String> = Vec::new();
            for name in
                [view.vuln_id.clone(), Some(base), Some(short), view.stig_id.clone()].into_iter().flatten()
            {
                if name != view.rule_id && !anchors.contains(&name) {
                    anchors.push(name);
                }
            }
            RuleRow { view, cci_list, control_list, anchors }
        })
        .collect();
    ReportView {
        benchmark: &results.benchmark,
        profile: results.profile.as_ref(),
        target: &results.target,
        generator: &results.generator,
        start_time: &results.start_time,
        end_time: &results.end_time,
        duration_ms: results.duration_ms,
        generated: crate::clock::utc_now_rfc3339(),
        scores: results
            .scores
            .iter()
            .map(|s| (s.model.urn(), decimal(s.score), decimal(s.maximum)))
            .collect(),
        counts,
        columns,
        by_category,
        overrides: results.rules.iter().filter(|r| r.answer.as_ref().is_some_and(|a| a.is_override)).count(),
        rules,
    }
}

/// Stream the report to `out`.
pub fn write_html(
    out: &mut dyn Write,
    results: &ScanResults,
    catalog: &CciCatalog,
) -> Result<(), ReportError> {
    let render = ReportError::render("html report");
    let environment = escaping_environment(TEMPLATE_NAME, TEMPLATE, escape_html).map_err(&render)?;
    let template = environment.get_template(TEMPLATE_NAME).map_err(&render)?;
    template
        .render_captured_to(minijinja::value::Serde(report_view(results, catalog)), WriteAdapter(out))
        .map_err(&render)?;
    Ok(())
}

/// The self-contained HTML report.
pub struct HtmlReport;

impl Report for HtmlReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Html
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        write_html(out, inputs.results, inputs.cci)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INJECTION: &str = "</script><script>alert(1)</script>";

    fn render(results: &ScanResults) -> String {
        let catalog = crate::source::catalog::builtin_cci_catalog().unwrap();
        let mut out = Vec::new();
        write_html(&mut out, results, catalog).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn host_data_never_reaches_the_page_unescaped() {
        let html = render(&crate::results::document::fixture::scan_with(INJECTION));
        assert!(!html.contains(INJECTION));
        assert_eq!(html.matches("<script>").count(), 1, "only the report's own script");
        // Title, message, fix text, benchmark title and the item's value: all there, escaped.
        assert!(html.matches("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;").count() >= 5);
    }

    #[test]
    fn a_rule_shows_its_stig_ids_controls_and_evidence() {
        let html = render(&crate::results::document::fixture::scan_with("value"));
        for expected in [
            "data-r=\"fail\"",
            "data-c=\"CAT I\"",
            "data-i=\"CCI-001851\"",
            "AU-4 (1)",
            "V-1",
            "T-1",
            "oval:t:tst:1",
            "/etc/d.json",
            "abc123",
        ] {
            assert!(html.contains(expected), "missing {expected}");
        }
    }
}
