//! Evaluate an XCCDF benchmark against a root: profile → selection → applicability → checks →
//! rule results → scores (XCCDF 1.2 semantics, agreeing with oscap where the spec leaves room).
//!
//! OVAL checks are batched: every rule that points into the same OVAL document shares one
//! evaluation of that document (as oscap's agent session does), and documents are evaluated in
//! parallel. A check that cannot run becomes a rule result with a message, never a crash.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::applicability::Applicability;
use crate::diag::{Code, Diagnostic};
use crate::eval::engine::{EvalOptions, ExternalValues, evaluate};
use crate::eval::progress::ProgressHandle;
use crate::host::{HostError, ScanTarget};
use crate::loader::LoadedBenchmark;
use crate::loader::cpe::{CpeError, CpeFileError};
use crate::model::oval::{DefinitionClass, OvalDefinitions};
use crate::model::xccdf::{
    Benchmark, Check, CheckNode, CheckOperator, ComplexCheck, ItemRef, Profile, Role, Severity,
};
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
    /// A CPE dictionary or applicability-language file given beside the content cannot be used.
    /// (The message says it all: no source, so it is not repeated as a cause.)
    #[error("--cpe: {0}")]
    CpeFile(CpeFileError),
}

impl From<CpeFileError> for ScanError {
    fn from(e: CpeFileError) -> ScanError {
        ScanError::CpeFile(e)
    }
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
    /// CPE dictionaries and applicability-language files given beside the content (`--cpe`): added
    /// to the content's own, their checks' hrefs relative to each file.
    pub cpe_files: Vec<PathBuf>,
}

/// How one rule will be decided.
#[derive(Debug, Clone)]
enum Plan {
    Fixed { result: XccdfResult, messages: Vec<Diagnostic>, check_text: Option<String> },
    Checks(CheckTree),
}

#[derive(Debug, Clone)]
enum CheckTree {
    Oval {
        href: String,
        name: Option<String>,
        negate: bool,
        exports: Vec<(String, String)>,
        system: String,
        /// `multi-check="true"` on a nameless ref: one rule-result per definition of the document.
        multi: bool,
    },
    /// An OVAL check none of whose check-content-refs resolves: why each did not.
    Unresolved {
        tried: Vec<String>,
    },
    Unsupported {
        system: String,
    },
    Complex {
        and: bool,
        negate: bool,
        children: Vec<CheckTree>,
    },
}

/// One rule-result decided: result, check text, messages, the check that decided it.
type Decided = (XccdfResult, Option<String>, Vec<Diagnostic>, Option<CheckRef>);

/// A loaded OVAL document with the run that evaluated it.
type EvaluatedDocument = (Arc<OvalDefinitions>, crate::results::oval::OvalRun);

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

    resolve::merge_tailoring(&mut loaded.benchmark, &request.tailoring_profiles);
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
    let benchmark_applies = applicability.item_applies(&bench.platforms, &bench.location);
    let benchmark_problems = applicability.take_problems();
    let benchmark_malformed = applicability.take_malformed();

    // Load the check documents the selected rules name first (in parallel), so that planning can
    // tell which check-content-ref resolves and evaluation parses each document once.
    let documents = Documents::new(&loaded, request);
    let first_refs: Vec<String> = (0..bench.rules.len())
        .filter(|i| resolved.rule_selected[*i])
        .flat_map(|i| first_hrefs(&bench.rules[i]))
        .collect();
    documents.preload(first_refs);

    // Plan every rule.
    let mut plans: Vec<Plan> = Vec::with_capacity(bench.rules.len());
    for i in 0..bench.rules.len() {
        let plan = if !resolved.rule_selected[i] {
            Plan::Fixed { result: XccdfResult::NotSelected, messages: vec![], check_text: None }
        } else if !benchmark_applies && !benchmark_problems.is_empty() {
            platform_error(&benchmark_problems)
        } else if !benchmark_applies {
            let mut messages = vec![Diagnostic::new(
                Code::BenchmarkNotApplicable,
                format!(
                    "the benchmark's platform ({}) does not apply to the target",
                    bench.platforms.join(", ")
                ),
            )];
            messages.extend(benchmark_malformed.iter().cloned());
            Plan::Fixed { result: XccdfResult::NotApplicable, messages, check_text: None }
        } else if !applicability.rule_applies(bench, i) {
            let problems = applicability.take_problems();
            if !problems.is_empty() {
                plans.push(platform_error(&problems));
                continue;
            }
            let mut messages = vec![Diagnostic::new(
                Code::PlatformNotApplicable,
                "the rule's platform does not apply to the target",
            )];
            messages.extend(applicability.take_malformed());
            Plan::Fixed { result: XccdfResult::NotApplicable, messages, check_text: None }
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
            plan_rule(bench, &resolved, i, &documents)
        };
        plans.push(plan);
    }

    let warnings = std::mem::take(&mut applicability.warnings);
    // Rules decided without a check (not selected, not applicable, unchecked) are decided now.
    let planned_time = crate::clock::utc_now_rfc3339();

    // Batch OVAL work per document.
    let mut work: BTreeMap<String, DocumentWork> = BTreeMap::new();
    for plan in &plans {
        if let Plan::Checks(tree) = plan {
            collect_work(tree, &resolved, &mut work);
        }
    }
    let work: Vec<(String, DocumentWork)> = work.into_iter().collect();
    let evaluated: Vec<(String, Result<EvaluatedDocument, String>, String)> = work
        .par_iter()
        .map(|(href, w)| {
            let outcome = documents.get(href).map(|defs| {
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
                oval_docs.push(OvalDocumentRun { href, source, run, definitions: Some(defs) });
            }
            Err(message) => {
                doc_index.insert(href, Err(message));
            }
        }
    }

    // Decide every rule (a multi-check rule gives one result per definition of its document).
    let mut rules = Vec::with_capacity(bench.rules.len());
    // The rule-results of each rule of the benchmark, by index into `rules`.
    let mut results_of: Vec<Vec<usize>> = vec![Vec::new(); bench.rules.len()];
    for (i, plan) in plans.iter().enumerate() {
        let decided: Vec<Decided> = match plan {
            Plan::Fixed { result, messages, check_text } => {
                vec![(*result, check_text.clone(), messages.clone(), None)]
            }
            Plan::Checks(tree) => match decide_multi(tree, &oval_docs, &doc_index, &resolved) {
                Some(each) => each.into_iter().map(|(r, m, c)| (r, None, m, Some(c))).collect(),
                None => {
                    let mut messages = Vec::new();
                    let mut check_ref = None;
                    let r = decide(tree, &oval_docs, &doc_index, &resolved, &mut messages, &mut check_ref);
                    vec![(r, None, messages, check_ref)]
                }
            },
        };
        for (result, check_text, messages, check_ref) in decided {
            results_of[i].push(rules.len());
            rules.push(rule_result(
                bench,
                &resolved,
                i,
                result,
                check_text,
                messages,
                check_ref,
                RuleTimes { oval_docs: &doc_index, finished: &finished_times, planned: &planned_time },
            ));
        }
    }
    apply_answers(&mut rules, &request.answers);

    let mut counts = BTreeMap::new();
    for r in &rules {
        *counts.entry(r.result).or_insert(0) += 1;
    }
    let tree = score_tree(bench, &bench.children, &rules, &results_of, 1.0);
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
            description: bench.description.as_ref().map(|d| d.text.clone()),
            publisher: bench.publisher().map(str::to_string),
            signature: crate::results::document::ContentSignature::of(&loaded.signature),
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
        warnings,
    })
}

/// When the rules' results were decided: each OVAL document's finishing time, else planning time.
struct RuleTimes<'a> {
    oval_docs: &'a HashMap<String, Result<usize, String>>,
    finished: &'a [String],
    planned: &'a str,
}

/// One rule-result of rule `i`. `role="unscored"`: a checked result is recorded as
/// `informational` and left out of the score (XCCDF 1.2 schema, `roleEnumType`), the check's own
/// result kept in a message.
#[allow(clippy::too_many_arguments)]
fn rule_result(
    bench: &Benchmark,
    resolved: &Resolved,
    i: usize,
    mut result: XccdfResult,
    check_text: Option<String>,
    mut messages: Vec<Diagnostic>,
    check_ref: Option<CheckRef>,
    times: RuleTimes,
) -> RuleResult {
    let rule = &bench.rules[i];
    let role = resolved.role(bench, i);
    if role == Role::Unscored && matches!(result, XccdfResult::Pass | XccdfResult::Fail | XccdfResult::Fixed)
    {
        messages.push(Diagnostic::new(
            Code::Unscored,
            format!("role=\"unscored\": the check gave {result}, recorded as informational and not scored"),
        ));
        result = XccdfResult::Informational;
    }
    // DISA's check procedure stands beside the evidence of automated rules too: the assessor
    // compares what the check read with what DISA asks to be verified.
    let check_text = check_text.or_else(|| rule.checks.iter().find_map(|c| c.content.clone()));
    let group_id = rule.common.parent.map(|g| bench.groups[g].common.id.clone());
    let stig = bench.stig_rule(rule);
    let time = check_ref
        .as_ref()
        .and_then(|c| c.oval_document.as_deref())
        .and_then(|d| times.oval_docs.get(d))
        .and_then(|d| d.as_ref().ok())
        .and_then(|d| times.finished.get(*d))
        .map_or(times.planned, String::as_str)
        .to_string();
    RuleResult {
        rule_id: rule.common.id.clone(),
        version: rule.version.clone(),
        group_id,
        title: rule.common.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
        severity: resolved.severity(bench, i),
        weight: resolved.weight(bench, i),
        role,
        result,
        idents: rule.idents.clone(),
        check: check_ref,
        messages,
        check_text,
        finding_details: None,
        answer: None,
        description: crate::model::stig::rule_description(rule),
        description_fields: crate::model::stig::rule_description_fields(rule),
        fix_text: rule.fixtexts.first().map(|f| f.text.text.clone()),
        time: Some(time),
        group_title: stig.srg.map(str::to_string),
        check_content: stig.check_text.map(str::to_string),
        reference_identifier: stig.dpms.as_ref().and_then(|d| d.identifier).map(str::to_string),
        severity_override: None,
    }
}

/// The check documents of a run, each loaded once: planning asks which check-content-ref
/// resolves, evaluation uses the same parsed document.
struct Documents<'a> {
    loaded: &'a LoadedBenchmark,
    request: &'a ScanRequest,
    cache: std::sync::Mutex<HashMap<String, Result<Arc<OvalDefinitions>, String>>>,
}

impl<'a> Documents<'a> {
    fn new(loaded: &'a LoadedBenchmark, request: &'a ScanRequest) -> Self {
        Documents { loaded, request, cache: Default::default() }
    }

    /// Whether the content holds (or has beside it) a document for `href`.
    fn exists(&self, href: &str) -> bool {
        crate::source::has_check_document(
            self.loaded,
            self.request.base_dir.as_deref(),
            &self.request.documents,
            href,
        )
    }

    fn load(&self, href: &str) -> Result<Arc<OvalDefinitions>, String> {
        crate::source::check_document_with(
            self.loaded,
            self.request.base_dir.as_deref(),
            &self.request.documents,
            href,
        )
        .map(Arc::new)
    }

    /// Load the existing documents of `hrefs` in parallel.
    fn preload(&self, mut hrefs: Vec<String>) {
        hrefs.sort();
        hrefs.dedup();
        let loaded: Vec<_> = hrefs
            .into_par_iter()
            .filter(|h| self.exists(h))
            .map(|h| {
                let d = self.load(&h);
                (h, d)
            })
            .collect();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.extend(loaded);
    }

    fn get(&self, href: &str) -> Result<Arc<OvalDefinitions>, String> {
        if let Some(d) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(href) {
            return d.clone();
        }
        let d = self.load(href);
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(href.to_string(), d.clone());
        d
    }
}

/// The href of the first check-content-ref of each OVAL check of a rule (what most rules use).
fn first_hrefs(rule: &crate::model::xccdf::Rule) -> Vec<String> {
    fn walk(cc: &ComplexCheck, out: &mut Vec<String>) {
        for n in &cc.children {
            match n {
                CheckNode::Check(c) => out.extend(c.content_refs.first().map(|r| r.href.clone())),
                CheckNode::Complex(inner) => walk(inner, out),
            }
        }
    }
    let mut out: Vec<String> = rule
        .checks
        .iter()
        .filter(|c| c.system == OVAL_SYSTEM)
        .filter_map(|c| c.content_refs.first().map(|r| r.href.clone()))
        .collect();
    if let Some(cc) = &rule.complex_check {
        walk(cc, &mut out);
    }
    out
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
        if let Some(checklist) = &answer.carried_from
            && matches!(rule.result, XccdfResult::Pass | XccdfResult::Fail | XccdfResult::NotApplicable)
        {
            // The result is this scan's; the assessor's severity decision is about the rule, not
            // about one scan's result, so it stays in force with its justification.
            let severity = match answer.severity {
                Some(severity) => {
                    override_severity(rule, severity, answer);
                    format!("; its severity override ({}) is applied", severity.as_str())
                }
                None => String::new(),
            };
            rule.messages.push(Diagnostic::new(
                Code::AnswerIgnored,
                format!(
                    "the answer carried from {checklist} ({}) is not applied: this scan decided the rule ({}){severity}",
                    answer.status, rule.result
                ),
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
            override_severity(rule, severity, &answer);
        }
        rule.result = answer.status;
        rule.answer = Some(answer);
    }
}

/// Put the assessor's `severity` in place of the rule's, keeping the benchmark's beside it.
fn override_severity(rule: &mut RuleResult, severity: Severity, answer: &super::answers::Answer) {
    let original = rule.severity_override.as_ref().map_or(rule.severity, |o| o.original);
    rule.severity_override = Some(crate::results::answer::SeverityOverride {
        original,
        justification: answer.justification.clone(),
        who: answer.who.clone(),
        when: answer.when.clone(),
    });
    rule.severity = severity;
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

/// A platform that could not be evaluated (CPE applicability language, NIST IR 7698: a check that
/// cannot be run makes the test ERROR): whether the rule applies is not known, so the rule is
/// `error` with why, never a silent `notapplicable`.
fn platform_error(problems: &[String]) -> Plan {
    Plan::Fixed {
        result: XccdfResult::Error,
        messages: problems
            .iter()
            .map(|p| {
                Diagnostic::new(Code::PlatformError, format!("the rule's platform cannot be evaluated: {p}"))
            })
            .collect(),
        check_text: None,
    }
}

/// Choose how a selected, applicable rule is checked.
/// `reachable` tells whether a check-content-ref's document can be found.
fn plan_rule(bench: &Benchmark, resolved: &Resolved, i: usize, documents: &Documents) -> Plan {
    let rule = &bench.rules[i];
    if let Some(cc) = &rule.complex_check {
        return Plan::Checks(complex_tree(cc, documents));
    }
    let selector = resolved.refinements.get(&i).and_then(|r| r.check_selector.as_deref());
    let mut candidates: Vec<&Check> =
        rule.checks.iter().filter(|c| c.selector.as_deref() == selector).collect();
    if candidates.is_empty() {
        candidates = rule.checks.iter().filter(|c| c.selector.is_none()).collect();
    }
    if let Some(check) = candidates.iter().find(|c| c.system == OVAL_SYSTEM) {
        return Plan::Checks(check_tree(check, documents));
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

/// The check-content-refs are tried in order (XCCDF 1.2 schema, `checkType`: "the first one that
/// can be resolved is used"): a ref resolves when its document exists and, when it names a
/// definition, holds it. docker-ee names its dockerd checks first and the standard OVAL check
/// second. A document that exists but cannot be loaded resolves (its rules are `error`). When no
/// ref resolves the check is not run: `notchecked` with the reason for each ref, as oscap.
fn check_tree(check: &Check, documents: &Documents) -> CheckTree {
    if check.system != OVAL_SYSTEM || check.content_refs.is_empty() {
        return CheckTree::Unsupported { system: check.system.clone() };
    }
    let mut tried = Vec::new();
    for r in &check.content_refs {
        if !documents.exists(&r.href) {
            tried.push(format!("`{}` is not found", r.href));
            continue;
        }
        if let (Ok(defs), Some(n)) = (documents.get(&r.href), &r.name)
            && !defs.definitions.contains_key(n)
        {
            tried.push(format!("definition `{n}` is not in `{}`", r.href));
            continue;
        }
        return CheckTree::Oval {
            href: r.href.clone(),
            name: r.name.clone(),
            negate: check.negate,
            exports: check.exports.iter().map(|e| (e.value_id.clone(), e.export_name.clone())).collect(),
            system: check.system.clone(),
            multi: check.multi_check && r.name.is_none(),
        };
    }
    CheckTree::Unresolved { tried }
}

fn complex_tree(cc: &ComplexCheck, documents: &Documents) -> CheckTree {
    CheckTree::Complex {
        and: cc.operator == CheckOperator::And,
        negate: cc.negate,
        children: cc
            .children
            .iter()
            .map(|n| match n {
                // multi-check applies to a rule's own check only, not inside a complex-check.
                CheckNode::Check(c) => match check_tree(c, documents) {
                    CheckTree::Oval { href, name, negate, exports, system, .. } => {
                        CheckTree::Oval { href, name, negate, exports, system, multi: false }
                    }
                    other => other,
                },
                CheckNode::Complex(inner) => complex_tree(inner, documents),
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
        CheckTree::Unsupported { .. } | CheckTree::Unresolved { .. } => {}
        CheckTree::Complex { children, .. } => children.iter().for_each(|c| collect_work(c, resolved, work)),
    }
}

/// A `multi-check="true"` check on a nameless ref gives one result per definition of the document,
/// in document order, each naming its definition (XCCDF 1.2 schema, `checkType/@multi-check`).
/// `None` when the tree is not such a check or its document has no results to split.
fn decide_multi(
    tree: &CheckTree,
    docs: &[OvalDocumentRun],
    index: &HashMap<String, Result<usize, String>>,
    resolved: &Resolved,
) -> Option<Vec<(XccdfResult, Vec<Diagnostic>, CheckRef)>> {
    let CheckTree::Oval { href, negate, exports, system, multi: true, .. } = tree else { return None };
    let d = *index.get(href)?.as_ref().ok()?;
    let doc = &docs[d];
    let order: Vec<&String> = match &doc.definitions {
        Some(defs) => defs.definitions.keys().filter(|id| doc.run.definitions.contains_key(*id)).collect(),
        None => doc.run.definitions.keys().collect(),
    };
    if order.is_empty() {
        return None;
    }
    let exported: Vec<(String, String, String)> = exports
        .iter()
        .map(|(v, e)| (v.clone(), e.clone(), resolved.values.get(v).cloned().unwrap_or_default()))
        .collect();
    let results = order
        .into_iter()
        .map(|id| {
            let oval = doc.run.definitions[id].result;
            let result = XccdfResult::from_definition(oval, class_of(doc, id), *negate);
            let reference = CheckRef {
                system: system.clone(),
                href: href.clone(),
                name: Some(id.clone()),
                negate: *negate,
                exports: exported.clone(),
                oval_result: Some(oval),
                oval_document: Some(doc.href.clone()),
            };
            (result, Vec::new(), reference)
        })
        .collect();
    Some(results)
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
        CheckTree::Oval { href, name, negate, exports, system, .. } => {
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
                        // No name: every definition of the document must hold; a document
                        // without definitions has nothing to decide the rule by.
                        None if run.definitions.is_empty() => {
                            messages.push(Diagnostic::new(
                                Code::CheckUnavailable,
                                format!("`{href}` has no OVAL definitions"),
                            ));
                            OvalResult::Error
                        }
                        None => {
                            let d_index = d;
                            let all: Vec<XccdfResult> = run
                                .definitions
                                .iter()
                                .map(|(id, d)| {
                                    XccdfResult::from_definition(
                                        d.result,
                                        class_of(&docs[*d_index], id),
                                        false,
                                    )
                                })
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
                        let class =
                            name.as_deref().map_or(DefinitionClass::Compliance, |n| class_of(&docs[*d], n));
                        XccdfResult::from_definition(oval, class, *negate)
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
        CheckTree::Unresolved { tried, .. } => {
            messages.push(Diagnostic::new(
                Code::CheckUnresolved,
                format!("no check-content-ref resolves: {}", tried.join("; ")),
            ));
            XccdfResult::NotChecked
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

/// The class of a definition of an evaluated document (compliance when it cannot be told).
fn class_of(doc: &OvalDocumentRun, definition: &str) -> DefinitionClass {
    doc.definitions
        .as_ref()
        .and_then(|defs| defs.definitions.get(definition))
        .map_or(DefinitionClass::Compliance, |d| d.class)
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
/// A multi-check rule counts once, with the AND of its results: it is met only when every
/// definition it checked is.
fn score_tree(
    bench: &Benchmark,
    children: &[ItemRef],
    rules: &[RuleResult],
    results_of: &[Vec<usize>],
    weight: f64,
) -> ScoreNode {
    let nodes = children
        .iter()
        .filter_map(|c| match *c {
            ItemRef::Rule(r) => {
                let first = &rules[*results_of[r].first()?];
                let all: Vec<XccdfResult> = results_of[r].iter().map(|k| rules[*k].result).collect();
                let result =
                    if all.len() == 1 { all[0] } else { XccdfResult::combine(BoolOperator::And, &all) };
                Some(ScoreNode::Rule { weight: first.weight, result, unscored: first.role == Role::Unscored })
            }
            ItemRef::Group(g) => {
                let group = &bench.groups[g];
                Some(score_tree(bench, &group.children, rules, results_of, group.common.weight))
            }
            ItemRef::Value(_) => None,
        })
        .collect();
    ScoreNode::Group { weight, children: nodes }
}
