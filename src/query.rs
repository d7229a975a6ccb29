//! What the listing commands show (`benchmarks`, `info`, `rules`, `show`), as serialisable
//! views built from loaded content. The CLI only prints them as tables, JSON or CSV.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::loader::datastream::{ComponentKind, DataStreamCollection};
use crate::loader::xccdf::parse_benchmark;
use crate::loader::{self, Input, LoadError, LoadedBenchmark, Selection, Source};
use crate::model::cci::{CciCatalog, Revision};
use crate::model::stig::{Category, DisaDescription, UnknownRule};
use crate::model::xccdf::{Benchmark, Severity, XccdfVersion};
use crate::resolve::{self, ResolveError};
use crate::source::catalog::{self, BenchmarkSource};
use crate::source::{SourceError, open_source};

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

// ------------------------------------------------------------------------------------------------
// benchmarks

#[derive(Debug, Serialize)]
pub struct BuiltinView {
    pub spec: String,
    pub name: &'static str,
    pub release: &'static str,
    pub default: bool,
    pub title: String,
    pub release_info: Option<String>,
    pub rules: usize,
    pub sha256: &'static str,
}

/// The built-in benchmarks, each loaded to count its rules (so the figure is never stale).
pub fn builtins() -> Result<Vec<BuiltinView>, QueryError> {
    let mut out = Vec::new();
    for b in catalog::builtin_benchmarks() {
        let loaded = loader::load_benchmark(
            Input::Bytes { name: b.file_name, bytes: b.bytes },
            &Selection::default(),
        )?;
        let bench = &loaded.benchmark;
        out.push(BuiltinView {
            spec: b.spec(),
            name: b.name,
            release: b.release,
            default: b.default,
            title: bench.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            release_info: bench.release_info.clone(),
            rules: bench.rules.len(),
            sha256: b.sha256,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// info

#[derive(Debug, Serialize)]
pub struct InfoView {
    pub file: String,
    pub document_type: String,
    pub data_streams: Vec<DataStreamView>,
    pub benchmarks: Vec<BenchmarkView>,
    /// For a built-in benchmark: how many rules stigrun checks on the node, through the API, or
    /// leaves to the assessor (`node`, `api`, `manual` → count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated: Option<std::collections::BTreeMap<&'static str, usize>>,
}

#[derive(Debug, Serialize)]
pub struct DataStreamView {
    pub id: String,
    pub scap_version: Option<String>,
    pub use_case: Option<String>,
    pub checklists: Vec<String>,
    pub checks: Vec<String>,
    pub dictionaries: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct BenchmarkView {
    /// The checklist component-ref id, for benchmarks inside a data stream.
    pub component_ref: Option<String>,
    pub id: String,
    pub xccdf_version: XccdfVersion,
    pub title: String,
    pub status: Option<String>,
    pub status_date: Option<String>,
    pub version: Option<String>,
    pub release_info: Option<String>,
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
    pub profiles: Vec<ProfileView>,
    /// Check system → number of rules using it.
    pub check_systems: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub title: String,
    pub selected_rules: usize,
}

pub fn info(spec: &str) -> Result<InfoView, QueryError> {
    let mut view = info_of(spec)?;
    view.automated = automation_for(spec).map(|a| {
        let mut counts = std::collections::BTreeMap::new();
        for d in &a.decisions {
            *counts.entry(check_kind_key(d.check)).or_insert(0) += 1;
        }
        counts
    });
    Ok(view)
}

fn check_kind_key(kind: crate::source::build::content::CheckKind) -> &'static str {
    use crate::source::build::content::CheckKind;
    match kind {
        CheckKind::Node => "node",
        CheckKind::Api => "api",
        CheckKind::Manual => "manual",
    }
}

fn info_of(spec: &str) -> Result<InfoView, QueryError> {
    match open_source(spec)? {
        Source::Benchmark(b) => Ok(InfoView {
            automated: None,
            file: b.location.file.to_string(),
            document_type: format!(
                "XCCDF {} Benchmark",
                if b.xccdf_version == XccdfVersion::V1_1 { "1.1" } else { "1.2" }
            ),
            data_streams: Vec::new(),
            benchmarks: vec![benchmark_view(&b, None)?],
        }),
        Source::DataStream(collection) => datastream_info(&collection),
    }
}

fn datastream_info(collection: &DataStreamCollection) -> Result<InfoView, QueryError> {
    let mut data_streams = Vec::new();
    let mut benchmarks = Vec::new();
    for ds in &collection.data_streams {
        let ids = |refs: &[loader::datastream::ComponentRef]| refs.iter().map(|r| r.id.clone()).collect();
        data_streams.push(DataStreamView {
            id: ds.id.clone(),
            scap_version: ds.scap_version.clone(),
            use_case: ds.use_case.clone(),
            checklists: ids(&ds.checklists),
            checks: ids(&ds.checks),
            dictionaries: ids(&ds.dictionaries),
        });
        for cref in &ds.checklists {
            let Some(component) = collection.resolve_ref(cref) else { continue };
            if !matches!(component.kind, ComponentKind::XccdfBenchmark(_)) {
                continue;
            }
            let Some(xml) = collection.component_xml(&component.id) else { continue };
            let mut cur = xml.cursor();
            let root = cur.root()?;
            let bench = parse_benchmark(&mut cur, &root)?;
            benchmarks.push(benchmark_view(&bench, Some(cref.id.clone()))?);
        }
    }
    Ok(InfoView {
        automated: None,
        file: collection.file().to_string(),
        document_type: "SCAP Source Data Stream".to_string(),
        data_streams,
        benchmarks,
    })
}

fn benchmark_view(b: &Benchmark, component_ref: Option<String>) -> Result<BenchmarkView, QueryError> {
    let mut profiles = Vec::with_capacity(b.profiles.len());
    for (p, resolved) in b.profiles.iter().zip(resolve::resolve_all(b)) {
        let resolved = resolved?;
        profiles.push(ProfileView {
            id: p.id.clone(),
            title: p.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            selected_rules: resolved.selected_count(),
        });
    }
    let mut check_systems = BTreeMap::new();
    for rule in &b.rules {
        let mut systems: Vec<String> = rule.checks.iter().map(check_system_label).collect();
        if let Some(cc) = &rule.complex_check {
            systems.push(format!("complex-check ({:?})", cc.operator));
        }
        systems.sort();
        systems.dedup();
        for s in systems {
            *check_systems.entry(s).or_insert(0) += 1;
        }
    }
    let status = b.statuses.last();
    Ok(BenchmarkView {
        component_ref,
        id: b.id.clone(),
        xccdf_version: b.xccdf_version,
        title: b.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
        status: status.map(|s| s.status.clone()),
        status_date: status.and_then(|s| s.date.clone()),
        version: b.version.clone(),
        release_info: b.release_info.clone(),
        rules: b.rules.len(),
        groups: b.groups.len(),
        values: b.values.len(),
        profiles,
        check_systems,
    })
}

/// DISA manual benchmarks put a per-rule check id (`C-235833r961395_chk`) where a system URI
/// belongs, and name the content `M`: count those together as manual checks.
pub fn check_system_label(check: &crate::model::xccdf::Check) -> String {
    if check.system.contains(':') {
        check.system.clone()
    } else if check.content_refs.iter().any(|r| r.name.as_deref() == Some("M")) {
        "DISA manual check".to_string()
    } else {
        format!("unnamed check system ({})", check.system)
    }
}

// ------------------------------------------------------------------------------------------------
// rules / show

/// One rule as `rules` lists it.
#[derive(Debug, Serialize)]
pub struct RuleRow {
    pub vuln_id: Option<String>,
    pub rule_id: String,
    pub stig_id: Option<String>,
    pub srg: Option<String>,
    pub severity: Severity,
    pub category: Option<Category>,
    pub title: String,
    pub ccis: Vec<String>,
    pub nist_800_53_rev4: Vec<String>,
    pub nist_800_53_rev5: Vec<String>,
    /// How stigrun checks the rule: `node` (an OVAL check stigrun adds), `api`, `manual`, or the
    /// content's own check system.
    pub check: String,
    /// Why the rule is checked that way (stigrun's decision table for built-in content).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_reason: Option<String>,
}

/// Filters of the `rules` command; all given filters must match.
#[derive(Debug, Default)]
pub struct RuleFilter<'a> {
    pub profile: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub cci: Option<&'a str>,
    pub nist: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("unknown severity `{0}`; expected high, medium, low, CAT I, CAT II or CAT III")]
    Severity(String),
}

fn parse_severity(s: &str) -> Result<Severity, FilterError> {
    let norm = s.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    Ok(match norm.as_str() {
        "high" | "cat i" | "cat 1" | "i" => Severity::High,
        "medium" | "cat ii" | "cat 2" | "ii" => Severity::Medium,
        "low" | "cat iii" | "cat 3" | "iii" => Severity::Low,
        "info" => Severity::Info,
        "unknown" => Severity::Unknown,
        _ => return Err(FilterError::Severity(s.to_string())),
    })
}

/// Does a control list hold `control` itself or one of its parts/enhancements?
/// `AU-4` matches `AU-4`, `AU-4 (1)`, `AU-4 a`; not `AU-40`. A query with its own part
/// (`AU-4 (1)`) matches that part and what is below it.
pub fn control_matches(listed: &str, control: &str) -> bool {
    let (listed, control) = (listed.trim(), control.trim());
    if listed.eq_ignore_ascii_case(control) {
        return true;
    }
    listed.len() > control.len()
        && listed[..control.len()].eq_ignore_ascii_case(control)
        && listed[control.len()..].starts_with([' ', '('])
}

/// stigrun's automation decisions for a built-in benchmark (`docker-ee`), if it has them.
pub fn automation_for(spec: &str) -> Option<crate::source::build::content::AutomationContent> {
    match catalog::resolve(spec).ok()? {
        BenchmarkSource::Builtin(b) if b.name == "docker-ee" => {
            crate::source::build::content::AutomationContent::embedded().ok()
        }
        _ => None,
    }
}

pub fn rules(
    loaded: &LoadedBenchmark,
    cci: &CciCatalog,
    filter: &RuleFilter<'_>,
    automation: Option<&crate::source::build::content::AutomationContent>,
) -> Result<Vec<RuleRow>, RulesError> {
    let bench = &loaded.benchmark;
    let resolved = match filter.profile {
        Some(p) => Some(resolve::resolve(bench, Some(resolve::find_profile(bench, p)?))?),
        None => None,
    };
    let severity = filter.severity.map(parse_severity).transpose()?;
    let cci_query = filter.cci.map(crate::model::naming::normalize_cci);
    let nist_query = filter.nist.map(crate::model::naming::normalize_control);
    check_names_exist(loaded, cci, cci_query.as_deref(), nist_query.as_deref())?;
    let filter = RuleFilter { cci: cci_query.as_deref(), nist: nist_query.as_deref(), ..*filter };
    let filter = &filter;
    let mut rows = Vec::new();
    for (i, rule) in bench.rules.iter().enumerate() {
        if resolved.as_ref().is_some_and(|r| !r.rule_selected[i]) {
            continue;
        }
        let sev = resolved.as_ref().map_or(rule.severity, |r| r.severity(bench, i));
        if severity.is_some_and(|s| s != sev) {
            continue;
        }
        let view = bench.stig_rule(rule);
        if let Some(wanted) = filter.cci
            && !view.ccis.iter().any(|c| c.eq_ignore_ascii_case(wanted.trim()))
        {
            continue;
        }
        let decision =
            automation.and_then(|a| a.decisions.iter().find(|d| Some(d.stig_id.as_str()) == view.stig_id));
        let rev4 = nist_for(cci, &view.ccis, Revision::Rev4);
        let rev5 = nist_for(cci, &view.ccis, Revision::Rev5);
        if let Some(control) = filter.nist
            && !rev4.iter().chain(&rev5).any(|c| control_matches(c, control))
        {
            continue;
        }
        rows.push(RuleRow {
            vuln_id: view.vuln_id.map(str::to_string),
            rule_id: rule.common.id.clone(),
            stig_id: view.stig_id.map(str::to_string),
            srg: view.srg.map(str::to_string),
            severity: sev,
            category: Category::from_severity(sev),
            title: view.title.unwrap_or_default().to_string(),
            ccis: view.ccis.iter().map(|c| c.to_string()).collect(),
            nist_800_53_rev4: rev4,
            nist_800_53_rev5: rev5,
            check: decision.map_or_else(
                || rule.checks.first().map(check_system_label).unwrap_or_else(|| "none".to_string()),
                |d| check_kind_name(d.check).to_string(),
            ),
            check_reason: decision.map(|d| d.reason.clone()),
        });
    }
    Ok(rows)
}

/// A CCI or control that no rule of the benchmark cites is a mistyped name: say so, with the
/// closest ones the benchmark has.
fn check_names_exist(
    loaded: &LoadedBenchmark,
    catalog: &CciCatalog,
    cci: Option<&str>,
    nist: Option<&str>,
) -> Result<(), crate::model::naming::UnknownName> {
    use crate::model::naming::{UnknownName, near};
    let bench = &loaded.benchmark;
    let ccis: BTreeSet<&str> = bench.rules.iter().flat_map(|r| bench.stig_rule(r).ccis).collect();
    if let Some(q) = cci
        && !ccis.iter().any(|c| c.eq_ignore_ascii_case(q))
    {
        let mut suggestions = near(q, ccis.iter().copied());
        // CCIs are numbers: the cited ones numerically nearest.
        if suggestions.is_empty()
            && let Some(n) = q.strip_prefix("CCI-").and_then(|d| d.parse::<i64>().ok())
        {
            let mut by_distance: Vec<(i64, &str)> = ccis
                .iter()
                .filter_map(|c| Some(((c.get(4..)?.parse::<i64>().ok()? - n).abs(), *c)))
                .collect();
            by_distance.sort();
            suggestions = by_distance.into_iter().take(3).map(|(_, c)| c.to_string()).collect();
        }
        return Err(UnknownName { kind: "CCI (no rule cites it)", query: q.to_string(), suggestions });
    }
    if let Some(q) = nist {
        let all: Vec<&str> = ccis.iter().copied().collect();
        let controls: BTreeSet<String> = nist_for(catalog, &all, Revision::Rev4)
            .into_iter()
            .chain(nist_for(catalog, &all, Revision::Rev5))
            .collect();
        if !controls.iter().any(|c| control_matches(c, q)) {
            let family = q.split('-').next().unwrap_or(q);
            let mut suggestions = near(q, controls.iter().map(String::as_str));
            if suggestions.is_empty() {
                suggestions = controls
                    .iter()
                    .filter(|c| c.starts_with(&format!("{family}-")))
                    .take(5)
                    .cloned()
                    .collect();
            }
            return Err(UnknownName {
                kind: "NIST SP 800-53 control (no rule maps to it)",
                query: q.to_string(),
                suggestions,
            });
        }
    }
    Ok(())
}

/// One XCCDF value, as `values` lists it.
#[derive(Debug, Serialize)]
pub struct ValueRow {
    pub id: String,
    /// What `--var` also accepts.
    pub short_id: String,
    pub title: String,
    pub description: String,
    /// The value without a selector (what a scan uses unless a profile or `--var` sets another).
    pub default: Option<String>,
    /// (selector, value) for the named alternatives profiles choose with `refine-value`.
    pub selectors: Vec<(String, String)>,
}

pub fn values(loaded: &LoadedBenchmark) -> Vec<ValueRow> {
    loaded
        .benchmark
        .values
        .iter()
        .map(|v| ValueRow {
            id: v.id.clone(),
            short_id: crate::model::naming::short_value_id(&v.id).to_string(),
            title: v.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            description: v.description.as_ref().map(|t| t.text.trim().to_string()).unwrap_or_default(),
            default: v.value_for(None).map(str::to_string),
            selectors: v.values.iter().filter_map(|s| Some((s.selector.clone()?, s.value.clone()))).collect(),
        })
        .collect()
}

pub fn check_kind_name(kind: crate::source::build::content::CheckKind) -> &'static str {
    use crate::source::build::content::CheckKind;
    match kind {
        CheckKind::Node => "node (OVAL)",
        CheckKind::Api => "api (Engine/UCP)",
        CheckKind::Manual => "manual",
    }
}

/// The NIST SP 800-53 controls of a rule's CCIs, in CCI order, without repeats.
fn nist_for(cci: &CciCatalog, ccis: &[&str], revision: Revision) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in ccis {
        for control in cci.nist_800_53(c, revision) {
            if !out.iter().any(|o| o == control) {
                out.push(control.to_string());
            }
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    UnknownRule(#[from] UnknownRule),
    /// A CCI or control no rule of the benchmark cites: an error, never an empty table.
    #[error(transparent)]
    UnknownName(#[from] crate::model::naming::UnknownName),
}

/// Everything `show` prints about one rule.
#[derive(Debug, Serialize)]
pub struct RuleDetail {
    pub vuln_id: Option<String>,
    pub rule_id: String,
    pub rule_base: String,
    pub stig_id: Option<String>,
    pub srg: Option<String>,
    pub title: String,
    pub severity: Severity,
    pub category: Option<Category>,
    pub weight: f64,
    pub ccis: Vec<CciDetail>,
    pub legacy_ids: Vec<String>,
    /// DISA's VulnDiscussion (or the plain description for non-DISA content).
    pub discussion: String,
    pub description_fields: Option<DisaDescription>,
    pub check_id: Option<String>,
    pub check_system: Option<String>,
    pub check_text: Option<String>,
    /// How stigrun checks the rule (built-in content): `node (OVAL)`, `api (Engine/UCP)`, `manual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stigrun_check: Option<String>,
    /// Why (stigrun's decision table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stigrun_check_reason: Option<String>,
    pub fix_id: Option<String>,
    pub fix_text: Option<String>,
    pub dpms_target: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CciDetail {
    pub cci: String,
    pub definition: Option<String>,
    pub nist_800_53_rev4: Vec<String>,
    pub nist_800_53_rev5: Vec<String>,
}

pub fn show(loaded: &LoadedBenchmark, cci: &CciCatalog, query: &str) -> Result<RuleDetail, RulesError> {
    let bench = &loaded.benchmark;
    let rule = bench.find_rule(query)?;
    let view = bench.stig_rule(rule);
    let ccis = view
        .ccis
        .iter()
        .map(|c| CciDetail {
            cci: c.to_string(),
            definition: cci.definition(c).map(str::to_string),
            nist_800_53_rev4: cci.nist_800_53(c, Revision::Rev4).into_iter().map(str::to_string).collect(),
            nist_800_53_rev5: cci.nist_800_53(c, Revision::Rev5).into_iter().map(str::to_string).collect(),
        })
        .collect();
    let discussion = match &view.description {
        Some(d) => d.vuln_discussion.clone().unwrap_or_default(),
        None => rule.common.description.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
    };
    Ok(RuleDetail {
        vuln_id: view.vuln_id.map(str::to_string),
        rule_id: view.rule_id.to_string(),
        rule_base: view.rule_base.to_string(),
        stig_id: view.stig_id.map(str::to_string),
        srg: view.srg.map(str::to_string),
        title: view.title.unwrap_or_default().to_string(),
        severity: view.severity,
        category: view.category,
        weight: view.weight,
        ccis,
        legacy_ids: view.legacy_ids.iter().map(|s| s.to_string()).collect(),
        discussion,
        description_fields: view.description.clone(),
        check_id: view.check_id.map(str::to_string),
        check_system: rule.checks.first().map(check_system_label),
        check_text: view.check_text.map(str::to_string),
        stigrun_check: None,
        stigrun_check_reason: None,
        fix_id: view.fix_id.map(str::to_string),
        fix_text: view.fix_text.map(str::to_string),
        dpms_target: view.dpms.as_ref().and_then(|d| d.title.map(str::to_string)),
    })
}

#[cfg(test)]
mod tests {
    use super::control_matches;

    #[test]
    fn controls_match_parts_and_enhancements_only() {
        assert!(control_matches("AU-4", "AU-4"));
        assert!(control_matches("AU-4 (1)", "AU-4"));
        assert!(control_matches("AU-4 a", "au-4"));
        assert!(!control_matches("AU-40", "AU-4"));
        assert!(control_matches("AU-4 (1)", "AU-4 (1)"));
        assert!(!control_matches("AU-4", "AU-4 (1)"));
    }
}
