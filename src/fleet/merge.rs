//! `stigrun merge`: many nodes' results folded into one fleet view — per rule, how many nodes got
//! each result and which nodes fail it; per node, its score and open CAT I/II/III findings.
//!
//! Inputs are read one file at a time per worker ([`crate::results::io::load_summary`] skips the
//! evidence while parsing), summarised, and dropped: memory grows with rules × nodes summarised,
//! never with the evidence. Workers (rayon) fold into their own accumulators, merged in input
//! order, so the report does not depend on scheduling. Per-node reports, when asked for, are
//! written from each fully loaded file through [`crate::render`], in whatever formats it knows.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::FleetError;
use super::rules::{RuleIndex, RuleNames};
use super::view::{RuleLabel, render_html, write_json};
use crate::model::cci::CciCatalog;
use crate::model::stig::Category;
use crate::render::{ReportFormat, ReportInputs};
use crate::results::io::ResultsSummary;
use crate::results::xccdf::{ScoringModel, XccdfResult};

const TEMPLATE_NAME: &str = "fleet.html.j2";
const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/fleet.html.j2"));
/// Failing nodes the HTML lists per rule; the JSON lists them all.
const HTML_FAILING_NODES: usize = 200;

/// Per-node reports to write beside the fleet view.
pub struct PerNode<'a> {
    pub dir: PathBuf,
    pub formats: Vec<ReportFormat>,
    pub cci: &'a CciCatalog,
}

/// The results files in `dir` (`*.json` and `*.xml`, not descending), in name order.
pub fn results_in_dir(dir: &Path) -> Result<Vec<PathBuf>, FleetError> {
    let fail = |source| FleetError::Dir { path: dir.display().to_string(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let path = entry.path();
        let wanted = matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "xml"));
        if wanted && entry.file_type().map_err(fail)?.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// One node of the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct NodeRow {
    #[serde(skip)]
    ordinal: usize,
    pub file: String,
    pub hostname: String,
    pub identity: String,
    pub benchmark: String,
    pub start_time: String,
    /// The default-model score and its maximum, when the scan has one.
    pub score: Option<f64>,
    pub score_max: Option<f64>,
    /// Rules per result.
    pub counts: BTreeMap<XccdfResult, u32>,
    pub open_cat_i: u32,
    pub open_cat_ii: u32,
    pub open_cat_iii: u32,
    /// Per-node reports written for this node.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
}

/// One rule across the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    #[serde(flatten)]
    pub rule: RuleLabel,
    /// Nodes per result.
    pub counts: BTreeMap<XccdfResult, u32>,
    /// The nodes where the rule is an open finding, by host name.
    pub failing_nodes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkRow {
    pub benchmark: String,
    pub nodes: u32,
}

/// The fleet view `merge` writes.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub format: &'static str,
    pub schema_version: u32,
    pub generated: String,
    pub nodes_total: usize,
    pub benchmarks: Vec<BenchmarkRow>,
    /// Target identities that more than one input scanned (the same node twice?).
    pub duplicate_identities: Vec<String>,
    pub nodes: Vec<NodeRow>,
    pub rules: Vec<RuleRow>,
    /// Per CCI, how many nodes meet it (the figures of an eMASS test result per CCI).
    pub ccis: Vec<CciRow>,
}

struct RuleAgg {
    names: RuleNames,
    label: RuleLabel,
    counts: [u32; XccdfResult::ALL.len()],
    failing: Vec<u32>,
}

/// What one worker has folded so far.
#[derive(Default)]
struct Accumulator {
    index: RuleIndex,
    rules: Vec<RuleAgg>,
    nodes: Vec<NodeRow>,
    ccis: BTreeMap<String, CciRow>,
}

/// One CCI across the fleet: how many nodes meet it (what an eMASS test result per CCI says). A
/// node is non-compliant when a rule citing the CCI fails there; compliant when none fails and
/// one passes; not applicable when every such rule is; else not assessed (manual, errors).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CciRow {
    pub cci: String,
    /// The STIG IDs (or rule ids) of the rules that cite it.
    pub rules: Vec<String>,
    pub nodes_compliant: u32,
    pub nodes_non_compliant: u32,
    pub nodes_not_applicable: u32,
    pub nodes_not_assessed: u32,
}

impl CciRow {
    fn absorb(&mut self, other: CciRow) {
        for rule in other.rules {
            if !self.rules.contains(&rule) {
                self.rules.push(rule);
            }
        }
        self.nodes_compliant += other.nodes_compliant;
        self.nodes_non_compliant += other.nodes_non_compliant;
        self.nodes_not_applicable += other.nodes_not_applicable;
        self.nodes_not_assessed += other.nodes_not_assessed;
    }
}

/// What one node's rules say about one CCI: (any fail, any pass, all not applicable).
#[derive(Clone, Copy)]
struct CciState {
    fail: bool,
    pass: bool,
    all_na: bool,
}

fn result_slot(result: XccdfResult) -> usize {
    XccdfResult::ALL.iter().position(|r| *r == result).unwrap_or(0)
}

impl Accumulator {
    fn add(&mut self, ordinal: usize, file: &Path, scan: &ResultsSummary, outputs: Vec<String>) {
        let mut taken = vec![false; self.rules.len()];
        let mut counts: BTreeMap<XccdfResult, u32> = BTreeMap::new();
        let mut open = [0u32; 3];
        let mut ccis: HashMap<&str, CciState> = HashMap::new();
        for rule in &scan.rules {
            for ident in
                rule.idents.iter().filter(|i| crate::model::stig::CCI_SYSTEMS.contains(&i.system.as_str()))
            {
                let state =
                    ccis.entry(&ident.value).or_insert(CciState { fail: false, pass: false, all_na: true });
                state.fail |= super::is_open(rule.result);
                state.pass |= rule.result == XccdfResult::Pass;
                state.all_na &= rule.result == XccdfResult::NotApplicable;
                let row = self
                    .ccis
                    .entry(ident.value.clone())
                    .or_insert_with(|| CciRow { cci: ident.value.clone(), ..CciRow::default() });
                let name = rule.version.clone().unwrap_or_else(|| rule.rule_id.clone());
                if !row.rules.contains(&name) {
                    row.rules.push(name);
                }
            }
            let names = RuleNames::of(&rule.rule_id, rule.group_id.as_deref(), rule.version.as_deref());
            let at = match self.index.find(&names, |i| taken.get(i).copied().unwrap_or(false)) {
                Some(at) => at,
                None => {
                    let at = self.index.insert(&names);
                    self.rules.push(RuleAgg {
                        names,
                        label: RuleLabel::of(rule),
                        counts: [0; XccdfResult::ALL.len()],
                        failing: Vec::new(),
                    });
                    taken.push(false);
                    at
                }
            };
            taken[at] = true;
            let agg = &mut self.rules[at];
            agg.counts[result_slot(rule.result)] += 1;
            *counts.entry(rule.result).or_default() += 1;
            if super::is_open(rule.result) {
                agg.failing.push(ordinal as u32);
                match Category::from_severity(rule.severity) {
                    Some(Category::CatI) => open[0] += 1,
                    Some(Category::CatII) => open[1] += 1,
                    Some(Category::CatIII) => open[2] += 1,
                    None => {}
                }
            }
        }
        for (cci, state) in ccis {
            if let Some(row) = self.ccis.get_mut(cci) {
                match state {
                    CciState { fail: true, .. } => row.nodes_non_compliant += 1,
                    CciState { pass: true, .. } => row.nodes_compliant += 1,
                    CciState { all_na: true, .. } => row.nodes_not_applicable += 1,
                    _ => row.nodes_not_assessed += 1,
                }
            }
        }
        let score = scan.scores.iter().find(|s| s.model == ScoringModel::Default);
        self.nodes.push(NodeRow {
            ordinal,
            file: file.display().to_string(),
            hostname: scan.target.hostname.clone(),
            identity: scan.target.identity(),
            benchmark: super::diff::ScanSide::of("", scan).benchmark_label(),
            start_time: scan.start_time.clone(),
            score: score.map(|s| s.score),
            score_max: score.map(|s| s.maximum),
            counts,
            open_cat_i: open[0],
            open_cat_ii: open[1],
            open_cat_iii: open[2],
            outputs,
        });
    }

    /// Fold `later` (inputs after this one's) into this accumulator.
    fn absorb(mut self, later: Accumulator) -> Accumulator {
        let mut taken = vec![false; self.rules.len()];
        for agg in later.rules {
            match self.index.find(&agg.names, |i| taken.get(i).copied().unwrap_or(false)) {
                Some(at) => {
                    taken[at] = true;
                    let mine = &mut self.rules[at];
                    for (a, b) in mine.counts.iter_mut().zip(agg.counts) {
                        *a += b;
                    }
                    mine.failing.extend(agg.failing);
                }
                None => {
                    self.index.insert(&agg.names);
                    self.rules.push(agg);
                    taken.push(true);
                }
            }
        }
        self.nodes.extend(later.nodes);
        for (cci, row) in later.ccis {
            self.ccis.entry(cci).or_default().absorb(row);
        }
        for (cci, row) in &mut self.ccis {
            row.cci.clone_from(cci);
        }
        self
    }
}

/// Merge `files` into a fleet view, writing per-node reports on the way when asked.
pub fn merge(files: &[PathBuf], per_node: Option<&PerNode<'_>>) -> Result<Fleet, FleetError> {
    if files.is_empty() {
        return Err(FleetError::NoInputs(String::new()));
    }
    let claimed = Mutex::new(HashSet::new());
    let accumulator = files
        .par_iter()
        .enumerate()
        .try_fold(Accumulator::default, |mut acc, (ordinal, file)| {
            let (summary, outputs) = read_node(file, per_node, &claimed)?;
            acc.add(ordinal, file, &summary, outputs);
            Ok::<_, FleetError>(acc)
        })
        .try_reduce(Accumulator::default, |a, b| Ok(a.absorb(b)))?;
    Ok(finish(accumulator))
}

/// One input's summary: from the summary reader, or from the full file when per-node reports
/// need it.
fn read_node(
    file: &Path,
    per_node: Option<&PerNode<'_>>,
    claimed: &Mutex<HashSet<String>>,
) -> Result<(ResultsSummary, Vec<String>), FleetError> {
    if per_node.is_none() {
        return Ok((crate::results::io::load_summary(file)?, Vec::new()));
    }
    let loaded = crate::results::io::load(file)?;
    let mut outputs = Vec::new();
    if let Some(per_node) = per_node {
        let stem = claim_name(&loaded.results.target.hostname, claimed);
        let mut results = loaded.results;
        let mut source_xml = loaded.source_xml;
        for format in &per_node.formats {
            // The ARF copies the scanned content, which stigrun's JSON does not keep.
            if *format == ReportFormat::Arf
                && loaded.kind == crate::results::io::ResultsKind::StigrunJson
                && source_xml.is_none()
            {
                source_xml = crate::results::io::reload_content(&mut results, true)?;
            }
            let path = per_node.dir.join(format!("{stem}.{}", extension(*format)));
            let inputs =
                ReportInputs { results: &results, source_xml: source_xml.as_deref(), cci: per_node.cci };
            crate::render::write_report(*format, &inputs, &path)?;
            outputs.push(path.display().to_string());
        }
        return Ok((ResultsSummary::of(&results), outputs));
    }
    Ok((ResultsSummary::of(&loaded.results), outputs))
}

/// The file extension of a per-node report: the format's name, `.xml` added to XML results.
fn extension(format: ReportFormat) -> String {
    match format.name() {
        name @ ("xccdf" | "arf") => format!("{name}.xml"),
        name => name.to_string(),
    }
}

/// A file name for a node's reports: its host name made safe, then a number when taken.
fn claim_name(hostname: &str, claimed: &Mutex<HashSet<String>>) -> String {
    let safe: String = hostname
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    let safe = safe.trim_start_matches('.');
    let base = if safe.is_empty() { "node".to_string() } else { safe.to_string() };
    let mut claimed = claimed.lock().unwrap_or_else(|p| p.into_inner());
    let mut name = base.clone();
    let mut n = 2;
    while !claimed.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn rank(severity: crate::model::xccdf::Severity) -> u8 {
    use crate::model::xccdf::Severity;
    match severity {
        Severity::High => 4,
        Severity::Medium => 3,
        Severity::Low => 2,
        Severity::Info => 1,
        Severity::Unknown => 0,
    }
}

fn finish(acc: Accumulator) -> Fleet {
    let mut nodes = acc.nodes;
    nodes.sort_by_key(|n| n.ordinal);
    // Workers saw the inputs in any order: the node at each input position.
    let mut name_of = vec![String::new(); nodes.len()];
    let mut identities: HashMap<&str, u32> = HashMap::new();
    let mut benchmarks: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(slot) = name_of.get_mut(node.ordinal) {
            *slot = node.hostname.clone();
        }
        debug_assert_eq!(i, node.ordinal);
        *identities.entry(&node.identity).or_default() += 1;
        *benchmarks.entry(&node.benchmark).or_default() += 1;
    }
    let mut duplicate_identities: Vec<String> =
        identities.into_iter().filter(|(_, n)| *n > 1).map(|(id, _)| id.to_string()).collect();
    duplicate_identities.sort();
    let benchmarks =
        benchmarks.into_iter().map(|(b, n)| BenchmarkRow { benchmark: b.to_string(), nodes: n }).collect();
    let rules = acc
        .rules
        .into_iter()
        .map(|mut agg| {
            agg.failing.sort_unstable();
            let counts = XccdfResult::ALL
                .iter()
                .zip(agg.counts)
                .filter(|(_, n)| *n > 0)
                .map(|(r, n)| (*r, n))
                .collect();
            let failing_nodes =
                agg.failing.iter().filter_map(|i| name_of.get(*i as usize).cloned()).collect();
            RuleRow { rule: agg.label, counts, failing_nodes }
        })
        .collect();
    Fleet {
        format: "stigrun-fleet",
        schema_version: 1,
        generated: crate::clock::utc_now_rfc3339(),
        nodes_total: nodes.len(),
        benchmarks,
        duplicate_identities,
        nodes,
        rules,
        ccis: acc.ccis.into_values().collect(),
    }
}

impl Fleet {
    pub fn write_json(&self, out: &mut dyn Write) -> Result<(), FleetError> {
        write_json("fleet json", self, out)
    }

    pub fn write_html(&self, out: &mut dyn Write) -> Result<(), FleetError> {
        #[derive(Serialize)]
        struct Row<'a> {
            rule: &'a RuleRow,
            fail: u32,
            shown: &'a [String],
            more: usize,
        }
        #[derive(Serialize)]
        struct View<'a> {
            fleet: &'a Fleet,
            columns: Vec<&'static str>,
            rules: Vec<Row<'a>>,
        }
        let present: HashSet<XccdfResult> =
            self.rules.iter().flat_map(|r| r.counts.keys().copied()).collect();
        let columns: Vec<&'static str> =
            XccdfResult::ALL.iter().filter(|r| present.contains(r)).map(|r| r.as_str()).collect();
        let mut rules: Vec<Row<'_>> = self
            .rules
            .iter()
            .map(|rule| {
                let shown = &rule.failing_nodes[..rule.failing_nodes.len().min(HTML_FAILING_NODES)];
                let fail = rule.counts.get(&XccdfResult::Fail).copied().unwrap_or(0);
                Row { rule, fail, shown, more: rule.failing_nodes.len() - shown.len() }
            })
            .collect();
        // Most failing first, then severity: what to fix across the fleet.
        rules.sort_by(|a, b| {
            b.fail.cmp(&a.fail).then(rank(b.rule.rule.severity).cmp(&rank(a.rule.rule.severity)))
        });
        let view = View { fleet: self, columns, rules };
        render_html("fleet report", TEMPLATE_NAME, TEMPLATE, &view, out)
    }

    /// A few lines for the terminal.
    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let open: [u32; 3] = self
            .nodes
            .iter()
            .fold([0; 3], |t, n| [t[0] + n.open_cat_i, t[1] + n.open_cat_ii, t[2] + n.open_cat_iii]);
        let with_open =
            self.nodes.iter().filter(|n| n.open_cat_i + n.open_cat_ii + n.open_cat_iii > 0).count();
        writeln!(out, "nodes: {}  rules: {}", self.nodes_total, self.rules.len())?;
        for b in &self.benchmarks {
            writeln!(out, "  {} ({} nodes)", b.benchmark, b.nodes)?;
        }
        writeln!(out, "nodes with open findings: {with_open}")?;
        writeln!(out, "open findings: CAT I {}  CAT II {}  CAT III {}", open[0], open[1], open[2])?;
        for id in &self.duplicate_identities {
            writeln!(out, "warning: {id} was scanned by more than one input")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_scan(dir: &Path, name: &str, host: &str, results: &[(&str, &str, &str)]) -> PathBuf {
        let mut scan = crate::results::document::fixture::scan_with("x");
        scan.target.hostname = host.to_string();
        let template = scan.rules[0].clone();
        scan.rules = results
            .iter()
            .map(|(id, severity, result)| {
                let mut r = template.clone();
                r.rule_id = id.to_string();
                r.group_id = Some(format!("V-{}", &id[3..id.find('r').unwrap()]));
                r.severity = crate::model::xccdf::Severity::parse(severity).unwrap();
                r.result = XccdfResult::parse(result).unwrap();
                r
            })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string(&scan).unwrap()).unwrap();
        path
    }

    #[test]
    fn rules_and_nodes_are_counted_in_input_order_whatever_the_workers() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..40 {
            // Every third node fails SV-1 (CAT I); SV-2 is revised halfway (same V-ID).
            let one = if i % 3 == 0 { "fail" } else { "pass" };
            let two = if i < 20 { "SV-2r1_rule" } else { "SV-2r2_rule" };
            let name = format!("n{i:02}.json");
            files.push(write_scan(
                dir.path(),
                &name,
                &format!("h{i:02}"),
                &[("SV-1r1_rule", "high", one), (two, "low", "fail")],
            ));
        }
        let fleet = merge(&files, None).unwrap();
        assert_eq!(fleet.nodes_total, 40);
        assert_eq!(fleet.rules.len(), 2);
        let one = &fleet.rules[0];
        assert_eq!(one.counts[&XccdfResult::Fail], 14);
        assert_eq!(one.counts[&XccdfResult::Pass], 26);
        assert_eq!(one.failing_nodes[..3], ["h00", "h03", "h06"]);
        assert_eq!(fleet.rules[1].counts[&XccdfResult::Fail], 40);
        assert_eq!(fleet.nodes[3].hostname, "h03");
        assert_eq!((fleet.nodes[3].open_cat_i, fleet.nodes[3].open_cat_iii), (1, 1));
        assert_eq!((fleet.nodes[4].open_cat_i, fleet.nodes[4].open_cat_iii), (0, 1));
        assert!(fleet.duplicate_identities.is_empty());
        // Both rules cite CCI-001851: SV-2 fails everywhere, so no node meets it.
        assert_eq!(fleet.ccis.len(), 1);
        assert_eq!((fleet.ccis[0].nodes_non_compliant, fleet.ccis[0].nodes_compliant), (40, 0));
        assert_eq!(fleet.ccis[0].rules, ["T-1"]);
        // The same node twice is reported, not hidden.
        files.push(files[5].clone());
        let fleet = merge(&files, None).unwrap();
        assert_eq!(fleet.duplicate_identities, ["host:h05:/r"]);
    }
}
