//! DISA's XCCDF 1.1 benchmark → an XCCDF 1.2 benchmark (`templates/build/xccdf-1.2-benchmark.xml.j2`).
//!
//! DISA's text is carried over unchanged (titles, descriptions with their escaped VulnDiscussion
//! pseudo-XML, check and fix text, idents, references, profiles, release-info, status, version);
//! only ids become XCCDF 1.2 reverse-DNS ids, in the form DISA's own SCAP benchmarks use. Rules
//! bound to an OVAL definition get an OVAL check first and keep DISA's manual check after it.

use std::collections::HashMap;

use serde::Serialize;

use super::BuildError;
use crate::model::xccdf::{Benchmark, Check, ItemRef, Reference, Rule, Text};

pub const OVAL_SYSTEM: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
const DISA_PREFIX: &str = "xccdf_mil.disa.stig";
const TEMPLATE_NAME: &str = "xccdf-1.2-benchmark.xml.j2";
const TEMPLATE: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/build/xccdf-1.2-benchmark.xml.j2"));

pub fn benchmark_id(id: &str) -> String {
    format!("{DISA_PREFIX}_benchmark_{id}")
}
pub fn profile_id(id: &str) -> String {
    format!("{DISA_PREFIX}_profile_{id}")
}
pub fn group_id(id: &str) -> String {
    format!("{DISA_PREFIX}_group_{id}")
}
pub fn rule_id(id: &str) -> String {
    format!("{DISA_PREFIX}_rule_{id}")
}

/// An automated check for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OvalBinding {
    /// `href` of the check-content-ref (the OVAL component's catalog name).
    pub href: String,
    pub definition_id: String,
    /// (XCCDF value id, OVAL external variable id).
    pub exports: Vec<(String, String)>,
    /// (href, definition id) of a second check-content-ref, for tools that cannot reach the
    /// first: a node rule's standard OVAL check behind its extension check.
    pub fallback: Option<(String, String)>,
}

/// An XCCDF 1.2 `Value` from the organisation-set values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueView {
    pub id: String,
    pub value_type: String,
    pub title: String,
    pub description: String,
    pub value: String,
}

/// What the conversion needs besides the 1.1 benchmark.
#[derive(Debug, Clone, Default)]
pub struct ConversionInput {
    /// Original rule id → its automated check.
    pub bindings: HashMap<String, OvalBinding>,
    pub values: Vec<ValueView>,
    /// Name of the official file, recorded as `dc:source`.
    pub source_name: String,
    /// The CPE platform the whole benchmark applies to (`None`: everywhere).
    pub platform: Option<PlatformView>,
}

/// A benchmark-wide applicability platform: a CPE name that the data stream's dictionary checks.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformView {
    /// `cpe-lang:platform/@id`, referred to as `#id`.
    pub id: String,
    pub cpe_name: String,
    pub title: String,
}

#[derive(Serialize)]
struct BenchmarkView<'a> {
    id: String,
    lang: Option<&'a str>,
    statuses: Vec<StatusView<'a>>,
    title: Option<&'a Text>,
    description: Option<&'a Text>,
    references: Vec<ReferenceView<'a>>,
    plain_texts: Vec<(&'a str, &'a str)>,
    platform: Option<&'a PlatformView>,
    version: &'a str,
    contributor: &'static str,
    source: &'a str,
    profiles: Vec<ProfileView<'a>>,
    values: &'a [ValueView],
    items: Vec<ItemView<'a>>,
}

#[derive(Serialize)]
struct StatusView<'a> {
    status: &'a str,
    date: Option<&'a str>,
}

#[derive(Serialize)]
struct ReferenceView<'a> {
    href: Option<&'a str>,
    text: &'a str,
    dublin_core: &'a [(String, String)],
}

#[derive(Serialize)]
struct ProfileView<'a> {
    id: String,
    title: Option<&'a Text>,
    description: Option<&'a Text>,
    selects: Vec<SelectView>,
}

#[derive(Serialize)]
struct SelectView {
    idref: String,
    selected: bool,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum ItemView<'a> {
    Group {
        id: String,
        selected: bool,
        title: Option<&'a Text>,
        description: Option<&'a Text>,
        references: Vec<ReferenceView<'a>>,
        children: Vec<ItemView<'a>>,
    },
    Rule(Box<RuleView<'a>>),
}

#[derive(Serialize)]
struct RuleView<'a> {
    id: String,
    selected: bool,
    weight: String,
    severity: &'static str,
    version: Option<&'a str>,
    title: Option<&'a Text>,
    description: Option<&'a Text>,
    references: Vec<ReferenceView<'a>>,
    idents: Vec<(&'a str, &'a str)>,
    fixtexts: Vec<FixTextView<'a>>,
    fixes: Vec<FixView<'a>>,
    checks: Vec<CheckView>,
}

#[derive(Serialize)]
struct FixTextView<'a> {
    fixref: Option<&'a str>,
    text: &'a Text,
}

#[derive(Serialize)]
struct FixView<'a> {
    id: Option<&'a str>,
    system: Option<&'a str>,
    text: &'a str,
}

#[derive(Serialize)]
struct CheckView {
    system: String,
    exports: Vec<ExportView>,
    refs: Vec<RefView>,
    content: Option<String>,
}

#[derive(Serialize)]
struct ExportView {
    value_id: String,
    export_name: String,
}

#[derive(Serialize)]
struct RefView {
    href: String,
    name: Option<String>,
}

#[derive(Serialize)]
struct Context<'a> {
    b: BenchmarkView<'a>,
}

/// Render the 1.2 benchmark (without XML declaration, ready to sit in a data stream component).
pub fn render_benchmark(bench: &Benchmark, input: &ConversionInput) -> Result<String, BuildError> {
    let view = benchmark_view(bench, input)?;
    let mut env = super::xml_environment()?;
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    Ok(env.get_template(TEMPLATE_NAME)?.render(minijinja::value::Serde(&Context { b: view }))?)
}

fn benchmark_view<'a>(
    bench: &'a Benchmark,
    input: &'a ConversionInput,
) -> Result<BenchmarkView<'a>, BuildError> {
    let mut profiles = Vec::with_capacity(bench.profiles.len());
    for p in &bench.profiles {
        let mut selects = Vec::with_capacity(p.selects.len());
        for s in &p.selects {
            let idref = match bench.item(&s.idref) {
                Some(ItemRef::Group(_)) => group_id(&s.idref),
                Some(ItemRef::Rule(_)) => rule_id(&s.idref),
                _ => {
                    return Err(BuildError::Benchmark {
                        message: format!(
                            "{}: profile `{}` selects unknown item `{}`",
                            s.location, p.id, s.idref
                        ),
                    });
                }
            };
            selects.push(SelectView { idref, selected: s.selected });
        }
        profiles.push(ProfileView {
            id: profile_id(&p.id),
            title: p.title.as_ref(),
            description: p.description.as_ref(),
            selects,
        });
    }
    let items = bench.children.iter().filter_map(|c| item_view(bench, *c, input)).collect();
    Ok(BenchmarkView {
        id: benchmark_id(&bench.id),
        lang: bench.lang.as_deref(),
        statuses: bench
            .statuses
            .iter()
            .map(|s| StatusView { status: &s.status, date: s.date.as_deref() })
            .collect(),
        title: bench.title.as_ref(),
        description: bench.description.as_ref(),
        references: references(&bench.references),
        plain_texts: bench.plain_texts.iter().map(|p| (p.id.as_str(), p.text.as_str())).collect(),
        platform: input.platform.as_ref(),
        version: bench.version.as_deref().unwrap_or("0"),
        contributor: "stigrun: XCCDF 1.2 conversion and OVAL node checks",
        source: &input.source_name,
        profiles,
        values: &input.values,
        items,
    })
}

fn references(refs: &[Reference]) -> Vec<ReferenceView<'_>> {
    refs.iter()
        .map(|r| ReferenceView { href: r.href.as_deref(), text: &r.text, dublin_core: &r.dublin_core })
        .collect()
}

/// Benchmark-level values come from the organisation's values, not DISA (its manual STIGs have none).
fn item_view<'a>(bench: &'a Benchmark, item: ItemRef, input: &'a ConversionInput) -> Option<ItemView<'a>> {
    match item {
        ItemRef::Group(g) => {
            let group = &bench.groups[g];
            Some(ItemView::Group {
                id: group_id(&group.common.id),
                selected: group.common.selected,
                title: group.common.title.as_ref(),
                description: group.common.description.as_ref(),
                references: references(&group.common.references),
                children: group.children.iter().filter_map(|c| item_view(bench, *c, input)).collect(),
            })
        }
        ItemRef::Rule(r) => Some(ItemView::Rule(Box::new(rule_view(&bench.rules[r], input)))),
        ItemRef::Value(_) => None,
    }
}

fn rule_view<'a>(rule: &'a Rule, input: &'a ConversionInput) -> RuleView<'a> {
    let mut checks = Vec::with_capacity(rule.checks.len() + 1);
    // The OVAL check comes first: oscap and stigrun use the first check whose system they support;
    // DISA's manual procedure stays for assessors and tools without OVAL.
    if let Some(binding) = input.bindings.get(rule.id()) {
        checks.push(CheckView {
            system: OVAL_SYSTEM.to_string(),
            exports: binding
                .exports
                .iter()
                .map(|(v, e)| ExportView { value_id: v.clone(), export_name: e.clone() })
                .collect(),
            // Tools use the first check-content-ref they can reach (oscap skips an href its catalog
            // does not map), so a fallback follows the preferred reference.
            refs: std::iter::once((&binding.href, &binding.definition_id))
                .chain(binding.fallback.iter().map(|(h, d)| (h, d)))
                .map(|(href, name)| RefView { href: href.clone(), name: Some(name.clone()) })
                .collect(),
            content: None,
        });
    }
    checks.extend(rule.checks.iter().map(manual_check_view));
    let weight = rule.common.weight;
    RuleView {
        id: rule_id(rule.id()),
        selected: rule.common.selected,
        weight: if weight.fract() == 0.0 { format!("{weight:.1}") } else { weight.to_string() },
        severity: rule.severity.as_str(),
        version: rule.version.as_deref(),
        title: rule.common.title.as_ref(),
        description: rule.common.description.as_ref(),
        references: references(&rule.common.references),
        idents: rule.idents.iter().map(|i| (i.system.as_str(), i.value.as_str())).collect(),
        fixtexts: rule
            .fixtexts
            .iter()
            .map(|f| FixTextView { fixref: f.fixref.as_deref(), text: &f.text })
            .collect(),
        fixes: rule
            .fixes
            .iter()
            .map(|f| FixView { id: f.id.as_deref(), system: f.system.as_deref(), text: &f.text.text })
            .collect(),
        checks,
    }
}

fn manual_check_view(check: &Check) -> CheckView {
    CheckView {
        system: check.system.clone(),
        exports: check
            .exports
            .iter()
            .map(|e| ExportView { value_id: e.value_id.clone(), export_name: e.export_name.clone() })
            .collect(),
        refs: check
            .content_refs
            .iter()
            .map(|r| RefView { href: r.href.clone(), name: r.name.clone() })
            .collect(),
        content: check.content.clone(),
    }
}
