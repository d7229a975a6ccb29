//! Evaluate an XCCDF benchmark against a root: profile → selection → applicability → checks →
//! rule results → scores (XCCDF 1.2 semantics, agreeing with oscap where the spec leaves room).
//!
//! OVAL checks are batched: every rule that points into the same OVAL document shares one
//! evaluation of that document (as oscap's agent session does), and documents are evaluated in
//! parallel. A check that cannot run becomes a rule result with a message, never a crash.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic};
use crate::eval::engine::{EvalOptions, ExternalValues, evaluate};
use crate::eval::progress::ProgressHandle;
use crate::host::{HostError, ScanTarget};
use crate::loader::LoadedBenchmark;
use crate::loader::cpe::{CpeError, add_dictionary_document, parse_platform_specification};
use crate::loader::datastream::standalone_xml;
use crate::loader::oval::{load_oval_file, parse_oval_str};
use crate::model::cpe::{Applies, CpeCheck, CpeDictionary, PlatformSpecification, cpe_name_applies};
use crate::model::oval::OvalDefinitions;
use crate::model::xccdf::{Benchmark, Check, CheckNode, CheckOperator, ComplexCheck, ItemRef, Profile, Role};
use crate::probes::Registry;
use crate::resolve::{self, ResolveError, Resolved};
use crate::results::document::*;
use crate::results::xccdf::{BoolOperator, ScoreNode, ScoringModel, XccdfResult, score};
use crate::semantics::OvalResult;

pub const OVAL_SYSTEM: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Root(#[from] HostError),
    // The names are in the message (with suggestions); not repeated as a cause.
    #[error("--rule/--skip-rule: {0}")]
    UnknownRule(crate::model::stig::UnknownRule),
    #[error("--var: {0}")]
    UnknownValue(crate::model::naming::UnknownName),
    /// The benchmark's CPE platform specification cannot be read: every platform test would fail.
    #[error("platform specification: {0}")]
    Platform(#[from] CpeError),
}

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Display name of the content (file path or built-in spec).
    pub source_name: String,
    /// Directory standalone XCCDF hrefs are relative to (`None` for built-in content).
    pub base_dir: Option<PathBuf>,
    /// SHA-256 of the content scanned.
    pub content_digest: Option<String>,
    pub profile: Option<String>,
    /// Profiles from a tailoring file, added to (or replacing) the benchmark's.
    pub tailoring_profiles: Vec<Profile>,
    pub rules: Vec<String>,
    pub skip_rules: Vec<String>,
    /// `--var ID=VALUE` overrides of XCCDF values.
    pub values: Vec<(String, String)>,
    /// Assessor answers (`--answers`), already checked against the benchmark.
    pub answers: Vec<super::answers::Answer>,
    /// Told of the OVAL evaluation's steps (a progress bar).
    pub progress: ProgressHandle,
    /// OVAL documents the content names by href but does not hold: (href, text). The built-in
    /// docker-ee keeps its Engine API checks here (see `build::ENGINE_OVAL_HREF`).
    pub documents: Vec<(String, Arc<str>)>,
}

/// How one rule will be decided.
#[derive(Debug, Clone)]
enum Plan {
    Fixed { result: XccdfResult, messages: Vec<Diagnostic>, check_text: Option<String> },
    Checks(CheckTree),
}

#[derive(Debug, Clone)]
enum CheckTree {
    Oval { href: String, name: Option<String>, negate: bool, exports: Vec<(String, String)>, system: String },
    Unsupported { system: String },
    Complex { and: bool, negate: bool, children: Vec<CheckTree> },
}

/// A loaded OVAL document with the run that evaluated it.
type EvaluatedDocument = (OvalDefinitions, crate::results::oval::OvalRun);

/// One OVAL document to evaluate and what the rules need from it.
#[derive(Default)]
struct DocumentWork {
    definitions: HashSet<String>,
    all_definitions: bool,
    external: ExternalValues,
}

/// Run a scan. `loaded` is consumed because tailoring profiles are merged into the benchmark.
pub fn scan(
    mut loaded: LoadedBenchmark,
    request: &ScanRequest,
    target: &ScanTarget,
) -> Result<ScanResults, ScanError> {
    let started = Instant::now();
    let start_time = crate::clock::utc_now_rfc3339();
    // One registry for the whole run: every OVAL document and the platform checks share it.
    let probes = Registry::standard();

    if !request.tailoring_profiles.is_empty() {
        let bench = &mut loaded.benchmark;
        bench.profiles.retain(|p| !request.tailoring_profiles.iter().any(|t| t.id == p.id));
        bench.profiles.extend(request.tailoring_profiles.iter().cloned());
        bench.build_index();
    }
    let bench = &loaded.benchmark;
    let profile = match &request.profile {
        Some(p) => Some(resolve::find_profile(bench, p)?),
        None => None,
    };
    let mut resolved = resolve::resolve(bench, profile)?;
    for (id, value) in &request.values {
        // Any spelling of the value (its short id too) sets the value itself.
        let found = crate::model::naming::find_value(bench, id).map_err(ScanError::UnknownValue)?;
        resolved.values.insert(found.id.clone(), value.clone());
    }
    apply_rule_filters(bench, &mut resolved, &request.rules, &request.skip_rules)?;
    apply_requires_conflicts(bench, &mut resolved);

    let mut applicability = Applicability::new(&loaded, request, target, &probes)?;
    let benchmark_applies = applicability.item_applies(&bench.platforms);

    // Plan every rule.
    let reachable = |href: &str| {
        crate::source::has_check_document(&loaded, request.base_dir.as_deref(), &request.documents, href)
    };
    let mut plans: Vec<Plan> = Vec::with_capacity(bench.rules.len());
    for i in 0..bench.rules.len() {
        let plan = if !resolved.rule_selected[i] {
            Plan::Fixed { result: XccdfResult::NotSelected, messages: vec![], check_text: None }
        } else if !benchmark_applies {
            Plan::Fixed {
                result: XccdfResult::NotApplicable,
                messages: vec![Diagnostic::new(
                    Code::BenchmarkNotApplicable,
                    format!(
                        "the benchmark's platform ({}) does not apply to the target",
                        bench.platforms.join(", ")
                    ),
                )],
                check_text: None,
            }
        } else if !applicability.rule_applies(bench, i) {
            Plan::Fixed {
                result: XccdfResult::NotApplicable,
                messages: vec![Diagnostic::new(
                    Code::PlatformNotApplicable,
                    "the rule's platform does not apply to the target",
                )],
                check_text: None,
            }
        } else if resolved.role(bench, i) == Role::Unchecked {
            Plan::Fixed {
                result: XccdfResult::NotChecked,
                messages: vec![Diagnostic::new(
                    Code::Unchecked,
                    "role=\"unchecked\": the rule is not checked",
                )],
                check_text: None,
            }
        } else {
            plan_rule(bench, &resolved, i, &reachable)
        };
        plans.push(plan);
    }

    // Rules decided without a check (not selected, not applicable, unchecked) are decided now.
    let planned_time = crate::clock::utc_now_rfc3339();

    // Batch OVAL work per document.
    let mut work: BTreeMap<String, DocumentWork> = BTreeMap::new();
    for plan in &plans {
        if let Plan::Checks(tree) = plan {
            collect_work(tree, &resolved, &mut work);
        }
    }
    let documents: Vec<(String, DocumentWork)> = work.into_iter().collect();
    let evaluated: Vec<(String, Result<EvaluatedDocument, String>, String)> = documents
        .par_iter()
        .map(|(href, w)| {
            let outcome = crate::source::check_document_with(
                &loaded,
                request.base_dir.as_deref(),
                &request.documents,
                href,
            )
            .map(|defs| {
                let only = (!w.all_definitions).then(|| {
                    let mut ids: Vec<String> = w.definitions.iter().cloned().collect();
                    ids.sort();
                    ids
                });
                let options = EvalOptions {
                    only_definitions: only,
                    progress: request.progress.clone(),
                    ..EvalOptions::default()
                };
                let run = evaluate(&defs, target, &probes, &w.external, &options);
                (defs, run)
            });
            (href.clone(), outcome, crate::clock::utc_now_rfc3339())
        })
        .collect();

    let mut oval_docs: Vec<OvalDocumentRun> = Vec::new();
    let mut doc_index: HashMap<String, Result<usize, String>> = HashMap::new();
    let mut finished_times: Vec<String> = Vec::new();
    for (href, outcome, finished) in evaluated {
        match outcome {
            Ok((defs, run)) => {
                finished_times.push(finished);
                doc_index.insert(href.clone(), Ok(oval_docs.len()));
                let source = defs.source.clone();
                oval_docs.push(OvalDocumentRun { href, source, run, definitions: Some(Arc::new(defs)) });
            }
            Err(message) => {
                doc_index.insert(href, Err(message));
            }
        }
    }

    // Decide every rule.
    let mut rules = Vec::with_capacity(bench.rules.len());
    for (i, (rule, plan)) in bench.rules.iter().zip(&plans).enumerate() {
        let mut messages = Vec::new();
        let mut check_ref = None;
        let (result, check_text) = match plan {
            Plan::Fixed { result, messages: m, check_text } => {
                messages.extend(m.iter().cloned());
                (*result, check_text.clone())
            }
            Plan::Checks(tree) => {
                let r = decide(tree, &oval_docs, &doc_index, &resolved, &mut messages, &mut check_ref);
                (r, None)
            }
        };
        // DISA's check procedure stands beside the evidence of automated rules too: the assessor
        // compares what the check read with what DISA asks to be verified.
        let check_text = check_text.or_else(|| rule.checks.iter().find_map(|c| c.content.clone()));
        let group_id = rule.common.parent.map(|g| bench.groups[g].common.id.clone());
        let time = check_ref
            .as_ref()
            .and_then(|c| c.oval_document.as_deref())
            .and_then(|d| doc_index.get(d))
            .and_then(|d| d.as_ref().ok())
            .and_then(|d| finished_times.get(*d))
            .unwrap_or(&planned_time)
            .clone();
        rules.push(RuleResult {
            rule_id: rule.common.id.clone(),
            version: rule.version.clone(),
            group_id,
            title: rule.common.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            severity: resolved.severity(bench, i),
            weight: resolved.weight(bench, i),
            role: resolved.role(bench, i),
            result,
            idents: rule.idents.clone(),
            check: check_ref,
            messages,
            check_text,
            finding_details: None,
            answer: None,
            description: crate::model::stig::rule_description(rule),
            fix_text: rule.fixtexts.first().map(|f| f.text.text.clone()),
            time: Some(time),
        });
    }
    apply_answers(&mut rules, &request.answers);

    let mut counts = BTreeMap::new();
    for r in &rules {
        *counts.entry(r.result).or_insert(0) += 1;
    }
    let tree = score_tree(bench, &bench.children, &rules, 1.0);
    let scores = ScoringModel::ALL.iter().map(|m| score(*m, &tree)).collect();
    let origin = loaded.origin.as_ref();
    Ok(ScanResults {
        format: crate::results::document::FORMAT.to_string(),
        schema_version: crate::results::document::SCHEMA_VERSION,
        generator: Generator::default(),
        benchmark: BenchmarkRef {
            id: bench.id.clone(),
            title: bench.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            version: bench.version.clone(),
            release_info: bench.release_info.clone(),
            source: request.source_name.clone(),
            datastream_id: origin.map(|o| o.datastream_id.clone()),
            component_ref_id: origin.map(|o| o.component_ref_id.clone()),
            platforms: bench.platforms.clone(),
            digest: request.content_digest.clone(),
        },
        profile: profile.map(|p| ProfileRef {
            id: p.id.clone(),
            title: p.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
        }),
        target: super::target::facts(target.root()),
        start_time,
        end_time: crate::clock::utc_now_rfc3339(),
        duration_ms: started.elapsed().as_millis(),
        values: resolved.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        rules,
        counts,
        scores,
        oval: oval_docs,
    })
}

/// An answer in force replaces the rule's result (the scan's own result is kept beside it); an
/// expired one is ignored with a message. Rules not selected stay `notselected`.
fn apply_answers(rules: &mut [RuleResult], answers: &[super::answers::Answer]) {
    let today = crate::clock::utc_timestamp();
    let today = &today[..10];
    for answer in answers {
        let Some(rule) = rules.iter_mut().find(|r| r.rule_id == answer.rule_id) else { continue };
        if rule.result == XccdfResult::NotSelected {
            rule.messages.push(Diagnostic::new(
                Code::AnswerIgnored,
                format!("answer by {} ignored: the rule is not selected", answer.who),
            ));
            continue;
        }
        if !super::answers::in_force(answer, today) {
            let expired = answer.expires.as_deref().unwrap_or_default();
            rule.messages.push(Diagnostic::new(
                Code::AnswerIgnored,
                format!("answer by {} expired on {expired}; ignored", answer.who),
            ));
            continue;
        }
        let mut answer = answer.clone();
        let is_override = super::answers::Answer::overrides(rule.result, answer.status);
        // A finding the scan found cannot be answered away without saying why.
        if is_override
            && matches!(rule.result, XccdfResult::Fail | XccdfResult::Error)
            && answer.justification.trim().is_empty()
        {
            rule.messages.push(Diagnostic::new(
                Code::AnswerIgnored,
                format!(
                    "answer by {} ignored: overriding the scan's {} with {} needs a justification",
                    answer.who, rule.result, answer.status
                ),
            ));
            continue;
        }
        answer.original_result = Some(rule.result);
        answer.is_override = is_override;
        let verb = if is_override { "overridden" } else { "recorded" };
        rule.messages.push(Diagnostic::new(
            Code::AnswerApplied,
            format!("result {verb} by {} on {}", answer.who, answer.when),
        ));
        if let Some(severity) = answer.severity {
            answer.original_severity = Some(rule.severity);
            rule.severity = severity;
        }
        rule.result = answer.status;
        rule.answer = Some(answer);
    }
}

/// `--rule` keeps only the named rules selected; `--skip-rule` deselects rules.
fn apply_rule_filters(
    bench: &Benchmark,
    resolved: &mut Resolved,
    only: &[String],
    skip: &[String],
) -> Result<(), ScanError> {
    // Every name of a rule (V-, SV-, SV-…_rule, STIG ID, XCCDF id) selects it.
    let find = |q: &str| -> Result<usize, ScanError> {
        let rule = bench.find_rule(q).map_err(ScanError::UnknownRule)?;
        Ok(bench.rules.iter().position(|r| std::ptr::eq(r, rule)).unwrap_or_default())
    };
    if !only.is_empty() {
        let keep: HashSet<usize> = only.iter().map(|q| find(q)).collect::<Result<_, _>>()?;
        for (i, s) in resolved.rule_selected.iter_mut().enumerate() {
            *s = *s && keep.contains(&i);
        }
    }
    for q in skip {
        let i = find(q)?;
        resolved.rule_selected[i] = false;
    }
    Ok(())
}

/// XCCDF `requires`: deselect a rule when none of the items of some `requires` is selected;
/// `conflicts`: deselect it when a conflicting item is selected.
fn apply_requires_conflicts(bench: &Benchmark, resolved: &mut Resolved) {
    let selected_ids: HashSet<&str> = resolved
        .rule_selected
        .iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| bench.rules[i].common.id.as_str())
        .chain(bench.groups.iter().filter(|g| g.common.selected).map(|g| g.common.id.as_str()))
        .collect();
    for (i, rule) in bench.rules.iter().enumerate() {
        if !resolved.rule_selected[i] {
            continue;
        }
        let unmet = rule
            .common
            .requires
            .iter()
            .any(|any_of| !any_of.iter().any(|id| selected_ids.contains(id.as_str())));
        let conflict = rule.common.conflicts.iter().any(|id| selected_ids.contains(id.as_str()));
        if unmet || conflict {
            resolved.rule_selected[i] = false;
        }
    }
}

/// Choose how a selected, applicable rule is checked.
/// `reachable` tells whether a check-content-ref's document can be found.
fn plan_rule(bench: &Benchmark, resolved: &Resolved, i: usize, reachable: &dyn Fn(&str) -> bool) -> Plan {
    let rule = &bench.rules[i];
    if let Some(cc) = &rule.complex_check {
        return Plan::Checks(complex_tree(cc, reachable));
    }
    let selector = resolved.refinements.get(&i).and_then(|r| r.check_selector.as_deref());
    let mut candidates: Vec<&Check> =
        rule.checks.iter().filter(|c| c.selector.as_deref() == selector).collect();
    if candidates.is_empty() {
        candidates = rule.checks.iter().filter(|c| c.selector.is_none()).collect();
    }
    if let Some(check) = candidates.iter().find(|c| c.system == OVAL_SYSTEM) {
        return Plan::Checks(check_tree(check, reachable));
    }
    if let Some(manual) =
        candidates.iter().find(|c| c.content_refs.iter().any(|r| r.name.as_deref() == Some("M")))
    {
        return Plan::Fixed {
            result: XccdfResult::NotChecked,
            messages: vec![Diagnostic::new(
                Code::ManualCheck,
                "manual check: DISA publishes this rule's check as a procedure for the assessor",
            )],
            check_text: manual.content.clone(),
        };
    }
    let message = if candidates.is_empty() {
        "the rule has no check".to_string()
    } else {
        let systems: Vec<&str> = candidates.iter().map(|c| c.system.as_str()).collect();
        format!("no supported check system among: {}", systems.join(", "))
    };
    Plan::Fixed {
        result: XccdfResult::NotChecked,
        messages: vec![Diagnostic::new(Code::Unchecked, message)],
        check_text: None,
    }
}

fn check_tree(check: &Check, reachable: &dyn Fn(&str) -> bool) -> CheckTree {
    if check.system != OVAL_SYSTEM {
        return CheckTree::Unsupported { system: check.system.clone() };
    }
    // Alternatives are tried in order: the first ref whose document can be reached is evaluated
    // (docker-ee names its dockerd checks first and the standard OVAL check second). When none
    // can, the first is kept so the error names it.
    let Some(first) = check.content_refs.iter().find(|r| reachable(&r.href)).or(check.content_refs.first())
    else {
        return CheckTree::Unsupported { system: check.system.clone() };
    };
    CheckTree::Oval {
        href: first.href.clone(),
        name: first.name.clone(),
        negate: check.negate,
        exports: check.exports.iter().map(|e| (e.value_id.clone(), e.export_name.clone())).collect(),
        system: check.system.clone(),
    }
}

fn complex_tree(cc: &ComplexCheck, reachable: &dyn Fn(&str) -> bool) -> CheckTree {
    CheckTree::Complex {
        and: cc.operator == CheckOperator::And,
        negate: cc.negate,
        children: cc
            .children
            .iter()
            .map(|n| match n {
                CheckNode::Check(c) => check_tree(c, reachable),
                CheckNode::Complex(inner) => complex_tree(inner, reachable),
            })
            .collect(),
    }
}

fn collect_work(tree: &CheckTree, resolved: &Resolved, work: &mut BTreeMap<String, DocumentWork>) {
    match tree {
        CheckTree::Oval { href, name, exports, .. } => {
            let w = work.entry(href.clone()).or_default();
            match name {
                Some(n) => {
                    w.definitions.insert(n.clone());
                }
                None => w.all_definitions = true,
            }
            for (value_id, export_name) in exports {
                if let Some(v) = resolved.values.get(value_id) {
                    w.external.entry(export_name.clone()).or_insert_with(|| vec![v.clone()]);
                }
            }
        }
        CheckTree::Unsupported { .. } => {}
        CheckTree::Complex { children, .. } => children.iter().for_each(|c| collect_work(c, resolved, work)),
    }
}

/// Evaluate a check tree against the OVAL runs.
fn decide(
    tree: &CheckTree,
    docs: &[OvalDocumentRun],
    index: &HashMap<String, Result<usize, String>>,
    resolved: &Resolved,
    messages: &mut Vec<Diagnostic>,
    check_ref: &mut Option<CheckRef>,
) -> XccdfResult {
    match tree {
        CheckTree::Oval { href, name, negate, exports, system } => {
            let exported = exports
                .iter()
                .map(|(v, e)| (v.clone(), e.clone(), resolved.values.get(v).cloned().unwrap_or_default()))
                .collect();
            let mut reference = CheckRef {
                system: system.clone(),
                href: href.clone(),
                name: name.clone(),
                negate: *negate,
                exports: exported,
                oval_result: None,
                oval_document: None,
            };
            let result = match index.get(href) {
                Some(Ok(d)) => {
                    reference.oval_document = Some(docs[*d].href.clone());
                    let run = &docs[*d].run;
                    let oval = match name {
                        Some(n) => match run.definitions.get(n) {
                            Some(def) => def.result,
                            None => {
                                messages.push(Diagnostic::new(
                                    Code::CheckUnavailable,
                                    format!("definition `{n}` is not in `{href}`"),
                                ));
                                OvalResult::Error
                            }
                        },
                        // No name: every definition of the document must hold.
                        None => {
                            let all: Vec<XccdfResult> = run
                                .definitions
                                .values()
                                .map(|d| XccdfResult::from_oval(d.result, false))
                                .collect();
                            let combined = XccdfResult::combine(BoolOperator::And, &all);
                            reference.oval_result = None;
                            if check_ref.is_none() {
                                *check_ref = Some(reference);
                            }
                            return if *negate { combined.negate() } else { combined };
                        }
                    };
                    reference.oval_result = Some(oval);
                    let gaps = match (oval, name, &docs[*d].definitions) {
                        (
                            OvalResult::Unknown | OvalResult::Error | OvalResult::NotEvaluated,
                            Some(n),
                            Some(defs),
                        ) => engine_gaps(defs, run, n),
                        _ => Vec::new(),
                    };
                    if gaps.is_empty() {
                        XccdfResult::from_oval(oval, *negate)
                    } else {
                        // Not decided because the engine source lacks what the check reads (no
                        // --docker-host/--snapshot, or a snapshot without the document): an
                        // assessor reads that as not checked, never as a failure or an error.
                        messages.extend(gaps);
                        XccdfResult::NotChecked
                    }
                }
                Some(Err(message)) => {
                    messages.push(Diagnostic::new(Code::CheckUnavailable, message.clone()));
                    XccdfResult::Error
                }
                None => XccdfResult::Error,
            };
            if check_ref.is_none() {
                *check_ref = Some(reference);
            }
            result
        }
        CheckTree::Unsupported { system, .. } => {
            messages
                .push(Diagnostic::new(Code::Unchecked, format!("check system `{system}` is not supported")));
            XccdfResult::NotChecked
        }
        CheckTree::Complex { and, negate, children } => {
            let results: Vec<XccdfResult> =
                children.iter().map(|c| decide(c, docs, index, resolved, messages, check_ref)).collect();
            let op = if *and { BoolOperator::And } else { BoolOperator::Or };
            let r = XccdfResult::combine(op, &results);
            if *negate { r.negate() } else { r }
        }
    }
}

/// The `needs-engine` diagnostics of the objects a definition's tests read (through its
/// criteria and extended definitions), each once.
fn engine_gaps(
    defs: &OvalDefinitions,
    run: &crate::results::oval::OvalRun,
    definition: &str,
) -> Vec<Diagnostic> {
    use crate::model::oval::CriteriaNode;
    fn walk(
        defs: &OvalDefinitions,
        criteria: &crate::model::oval::Criteria,
        seen: &mut Vec<String>,
        tests: &mut Vec<String>,
    ) {
        for child in &criteria.children {
            match child {
                CriteriaNode::Criteria(inner) => walk(defs, inner, seen, tests),
                CriteriaNode::Criterion { test_ref, .. } => tests.push(test_ref.clone()),
                CriteriaNode::ExtendDefinition { definition_ref, .. } => {
                    if seen.contains(definition_ref) {
                        continue;
                    }
                    seen.push(definition_ref.clone());
                    if let Some(c) = defs.definitions.get(definition_ref).and_then(|d| d.criteria.as_ref()) {
                        walk(defs, c, seen, tests);
                    }
                }
            }
        }
    }
    let mut tests = Vec::new();
    if let Some(criteria) = defs.definitions.get(definition).and_then(|d| d.criteria.as_ref()) {
        walk(defs, criteria, &mut vec![definition.to_string()], &mut tests);
    }
    let mut gaps: Vec<Diagnostic> = Vec::new();
    for test in tests {
        let Some(object) = defs.tests.get(&test).and_then(|t| t.object_ref.as_ref()) else { continue };
        let Some(collected) = run.collected_objects.get(object) else { continue };
        for m in collected.messages.iter().filter(|m| m.code == Code::NeedsEngine) {
            if !gaps.contains(m) {
                gaps.push(m.clone());
            }
        }
    }
    gaps
}

/// The benchmark tree for scoring (rules carry their results and weights).
fn score_tree(bench: &Benchmark, children: &[ItemRef], rules: &[RuleResult], weight: f64) -> ScoreNode {
    let nodes = children
        .iter()
        .filter_map(|c| match *c {
            ItemRef::Rule(r) => Some(ScoreNode::Rule {
                weight: rules[r].weight,
                result: rules[r].result,
                unscored: rules[r].role == Role::Unscored,
            }),
            ItemRef::Group(g) => {
                let group = &bench.groups[g];
                Some(score_tree(bench, &group.children, rules, group.common.weight))
            }
            ItemRef::Value(_) => None,
        })
        .collect();
    ScoreNode::Group { weight, children: nodes }
}

/// Decides CPE platforms, evaluating the dictionary's OVAL checks once each.
struct Applicability<'a> {
    loaded: &'a LoadedBenchmark,
    request: &'a ScanRequest,
    target: &'a ScanTarget,
    probes: &'a Registry,
    dictionary: CpeDictionary,
    /// The dictionary's component-ref, to resolve its check hrefs through its catalog.
    dictionary_ref: Option<crate::loader::datastream::ComponentRef>,
    specification: PlatformSpecification,
    cache: HashMap<CpeCheck, Applies>,
    documents: HashMap<String, Option<OvalDefinitions>>,
}

impl<'a> Applicability<'a> {
    fn new(
        loaded: &'a LoadedBenchmark,
        request: &'a ScanRequest,
        target: &'a ScanTarget,
        probes: &'a Registry,
    ) -> Result<Self, ScanError> {
        let mut dictionary = CpeDictionary::default();
        let mut dictionary_ref = None;
        if let (Some(origin), Some(collection)) = (&loaded.origin, &loaded.collection)
            && let Some(ds) = collection.data_streams.iter().find(|d| d.id == origin.datastream_id)
        {
            for cref in &ds.dictionaries {
                let Some(component) = collection.resolve_ref(cref) else { continue };
                let Some(xml) = collection.component_xml(&component.id) else { continue };
                if add_dictionary_document(&mut dictionary, &standalone_xml(&xml), &component.id).is_ok() {
                    dictionary_ref = Some(cref.clone());
                }
            }
        }
        let specification = match loaded.benchmark.platform_specification.as_deref() {
            Some(xml) => parse_platform_specification(xml, &request.source_name)?,
            None => PlatformSpecification::default(),
        };
        Ok(Applicability {
            loaded,
            request,
            target,
            probes,
            dictionary,
            dictionary_ref,
            specification,
            cache: HashMap::new(),
            documents: HashMap::new(),
        })
    }

    /// An item with platforms applies when any of them does; no platforms means everywhere.
    fn item_applies(&mut self, platforms: &[String]) -> bool {
        platforms.is_empty() || platforms.iter().any(|p| self.platform(p) == Applies::Yes)
    }

    fn rule_applies(&mut self, bench: &Benchmark, i: usize) -> bool {
        let rule = &bench.rules[i];
        if !self.item_applies(&rule.common.platforms) {
            return false;
        }
        let mut parent = rule.common.parent;
        while let Some(g) = parent {
            if !self.item_applies(&bench.groups[g].common.platforms) {
                return false;
            }
            parent = bench.groups[g].common.parent;
        }
        true
    }

    fn platform(&mut self, idref: &str) -> Applies {
        let dictionary = std::mem::take(&mut self.dictionary);
        let result = if let Some(id) = idref.strip_prefix('#') {
            match self.specification.platforms.get(id).cloned() {
                Some(test) => test.evaluate(&dictionary, &mut |c| self.check(c)),
                None => Applies::No,
            }
        } else {
            cpe_name_applies(idref, &dictionary, &mut |c| self.check(c))
        };
        self.dictionary = dictionary;
        result
    }

    fn check(&mut self, check: &CpeCheck) -> Applies {
        if let Some(r) = self.cache.get(check) {
            return *r;
        }
        let result = self.run_check(check);
        self.cache.insert(check.clone(), result);
        result
    }

    fn run_check(&mut self, check: &CpeCheck) -> Applies {
        if check.system != OVAL_SYSTEM {
            return Applies::Unknown;
        }
        if !self.documents.contains_key(&check.href) {
            let defs = self.load(&check.href);
            self.documents.insert(check.href.clone(), defs);
        }
        let Some(Some(defs)) = self.documents.get(&check.href) else { return Applies::Unknown };
        let options =
            EvalOptions { only_definitions: Some(vec![check.name.clone()]), ..EvalOptions::default() };
        let run = evaluate(defs, self.target, self.probes, &ExternalValues::new(), &options);
        match run.definitions.get(&check.name).map(|d| d.result) {
            Some(OvalResult::True) => Applies::Yes,
            Some(OvalResult::False) => Applies::No,
            _ => Applies::Unknown,
        }
    }

    fn load(&self, href: &str) -> Option<OvalDefinitions> {
        if let (Some(collection), Some(dref)) = (&self.loaded.collection, &self.dictionary_ref) {
            let origin = self.loaded.origin.as_ref()?;
            let ds = collection.data_streams.iter().find(|d| d.id == origin.datastream_id)?;
            let component = collection.resolve_check_href(ds, dref, href)?;
            let name = format!("{}#{}", component.file, component.component.id);
            return parse_oval_str(&standalone_xml(&component), &name).ok();
        }
        let base = self.request.base_dir.as_deref().unwrap_or(Path::new("."));
        load_oval_file(&base.join(href)).ok()
    }
}
