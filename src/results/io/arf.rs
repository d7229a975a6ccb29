//! Importing an ARF 1.1 written by `oscap xccdf eval --results-arf` as [`ScanResults`], so
//! `stigrun report --from` can render an existing oscap scan without scanning again.
//!
//! The benchmark (titles, idents, check and fix text) comes from the source data stream in the
//! report request; rule results from the XCCDF `TestResult` report; evidence from the
//! `oval_results` reports. oscap rewrites each OVAL `check-content-ref href` to `#<report id>`, so
//! the href is the link between a rule result and its OVAL report.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use crate::diag::Diagnostic;
use crate::loader::datastream::{Selection, Source, benchmark_from_collection};
use crate::loader::{Input, LoadError, LoadedBenchmark, load_source};
use crate::model::location::Location;
use crate::model::oval::OvalDefinitions;
use crate::model::xccdf::{Benchmark, Ident, Role, Severity};
use crate::model::xccdf12_id::xccdf11_id;
use crate::results::answer::Answer;
use crate::results::document::{
    BenchmarkRef, CheckRef, Generator, OvalDocumentRun, ProfileRef, RuleResult, ScanResults, TargetFacts,
};
use crate::results::oval::SystemInfo;
use crate::results::xccdf::{Score, ScoringModel, XccdfResult};

pub const NS_ARF: &str = "http://scap.nist.gov/schema/asset-reporting-format/1.1";
const NS_DS: &str = "http://scap.nist.gov/schema/scap/source/1.2";
const NS_XCCDF_12: &str = "http://checklists.nist.gov/xccdf/1.2";
const NS_XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";
const NS_OVAL_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";
const NS_OVAL_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
const NS_OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, thiserror::Error)]
pub enum ArfImportError {
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },

    #[error(
        "{location}: root element `{found}` (namespace `{namespace}`) is not an arf; expected \
         `arf:asset-report-collection` in `{NS_ARF}`"
    )]
    NotArf { location: Location, found: String, namespace: String },

    #[error("{location}: the arf has no {what}")]
    Missing { location: Location, what: &'static str },

    #[error("{location}: `{element}` lacks the required attribute `{attribute}`")]
    MissingAttribute { location: Location, element: String, attribute: &'static str },

    #[error("{location}: `{element}` has `{value}`; expected {expected}")]
    InvalidValue { location: Location, element: String, value: String, expected: String },

    #[error("{location}: {reference} `{idref}` names no {target} in the arf")]
    Dangling { location: Location, reference: &'static str, target: &'static str, idref: String },

    /// The data stream in the report request did not load; its errors carry their own locations
    /// (lines match the arf file).
    #[error("source data stream in the report request: {0}")]
    DataStream(#[from] LoadError),

    #[error("{location}: `{element}` is nested more than {} levels deep (limit `criteria-depth`)", crate::limits::get().criteria_depth.min(MAX_CRITERIA_DEPTH))]
    TooDeep { location: Location, element: String },

    #[error("{location}: OVAL definitions for `{href}`: {message}")]
    OvalDefinitions { location: Location, href: String, message: String },
}

type Res<T> = Result<T, ArfImportError>;

/// Criteria are read recursively; the OVAL loader allows the same depth.
const MAX_CRITERIA_DEPTH: usize = 128;

/// What an oscap ARF holds, as stigrun results, with the data stream it was scanned with.
#[derive(Debug)]
pub struct ImportedArf {
    pub results: ScanResults,
    /// The `ds:data-stream-collection` of the report request, as a standalone document.
    pub source_xml: String,
}

/// Import an ARF held in memory; `name` is used in locations and as the results' source.
pub fn parse_arf(text: &str, name: &str) -> Res<ImportedArf> {
    let file: Arc<str> = Arc::from(name);
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        // roxmltree places a premature end at 1:1; where the text stops says more (a cut file).
        let (row, col) = match e {
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
                end_position(text)
            }
            _ => (e.pos().row, e.pos().col),
        };
        ArfImportError::Syntax { location: Location::new(file.clone(), row, col), message: e.to_string() }
    })?;
    Importer { doc: &doc, file, without_oval: false }.import()
}

/// The ARF's OVAL reports and the documents made of those that rule results point at.
struct OvalLinks<'a, 'i> {
    /// `oval_results` elements by `arf:report` id.
    reports: HashMap<String, Node<'a, 'i>>,
    documents: Vec<OvalDocumentRun>,
    /// Report id → index into `documents`.
    document_of_report: HashMap<String, usize>,
}

struct Importer<'d, 'i> {
    doc: &'d Document<'i>,
    file: Arc<str>,
    /// An XCCDF results file carries no OVAL reports: a check that names one keeps its result
    /// without evidence instead of failing the import.
    without_oval: bool,
}

/// The rule results of an XCCDF `TestResult` outside an ARF (oscap's `--results`, SCC's XCCDF
/// results), with `loaded` the benchmark it was scanned with. There is no OVAL evidence.
pub(super) fn import_test_result(
    doc: &Document,
    name: &str,
    test_result: Node,
    loaded: &LoadedBenchmark,
) -> Res<ScanResults> {
    let importer = Importer { doc, file: Arc::from(name), without_oval: true };
    importer.scan_results(test_result, HashMap::new(), loaded)
}

impl<'d, 'i> Importer<'d, 'i> {
    fn loc(&self, node: Node) -> Location {
        let pos = self.doc.text_pos_at(node.range().start);
        Location::new(self.file.clone(), pos.row, pos.col)
    }

    fn required<'a>(&self, node: Node<'a, 'i>, attribute: &'static str) -> Res<&'a str> {
        node.attribute(attribute).ok_or_else(|| ArfImportError::MissingAttribute {
            location: self.loc(node),
            element: node.tag_name().name().to_string(),
            attribute,
        })
    }

    fn invalid(&self, node: Node, value: &str, expected: impl Into<String>) -> ArfImportError {
        ArfImportError::InvalidValue {
            location: self.loc(node),
            element: node.tag_name().name().to_string(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    fn import(&self) -> Res<ImportedArf> {
        let root = self.doc.root_element();
        if !(root.tag_name().namespace() == Some(NS_ARF)
            && root.tag_name().name() == "asset-report-collection")
        {
            return Err(ArfImportError::NotArf {
                location: self.loc(root),
                found: root.tag_name().name().to_string(),
                namespace: root.tag_name().namespace().unwrap_or("").to_string(),
            });
        }
        let (test_result, oval_reports) = self.reports(root)?;
        let request = self.report_request_content(root).ok_or_else(|| ArfImportError::Missing {
            location: self.loc(root),
            what: "report request holding a source data stream (`ds:data-stream-collection`) or an \
                   XCCDF `Benchmark`",
        })?;
        let source_xml = standalone_element(self.doc, request);
        let loaded = if request.tag_name().name() == "Benchmark" {
            // stigrun's ARF of standalone XCCDF 1.1 content: the benchmark itself is the request.
            crate::loader::load_benchmark(
                Input::Bytes { name: &self.file, bytes: source_xml.as_bytes() },
                &Selection::default(),
            )?
        } else {
            self.load_benchmark(test_result, &source_xml)?
        };
        let results = self.scan_results(test_result, oval_reports, &loaded)?;
        Ok(ImportedArf { results, source_xml })
    }

    /// The XCCDF TestResult and the OVAL results reports (by report id).
    fn reports<'a>(&self, root: Node<'a, 'i>) -> Res<(Node<'a, 'i>, HashMap<String, Node<'a, 'i>>)> {
        let mut test_result = None;
        let mut ovals = HashMap::new();
        let reports =
            children_named(root, NS_ARF, "reports").flat_map(|r| children_named(r, NS_ARF, "report"));
        for report in reports {
            let Some(content) = children_named(report, NS_ARF, "content").next() else { continue };
            let Some(body) = content.children().find(Node::is_element) else { continue };
            let (ns, local) = (body.tag_name().namespace(), body.tag_name().name());
            if local == "TestResult" && matches!(ns, Some(NS_XCCDF_12 | NS_XCCDF_11)) {
                // oscap writes one TestResult per ARF; a second one would be another scan.
                test_result.get_or_insert(body);
            } else if local == "oval_results" && ns == Some(NS_OVAL_RES) {
                ovals.insert(self.required(report, "id")?.to_string(), body);
            }
        }
        let test_result = test_result.ok_or_else(|| ArfImportError::Missing {
            location: self.loc(root),
            what: "report holding an XCCDF `TestResult`",
        })?;
        Ok((test_result, ovals))
    }

    /// The first report request's content: a source data stream, or an XCCDF benchmark.
    fn report_request_content<'a>(&self, root: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
        children_named(root, NS_ARF, "report-requests")
            .flat_map(|r| children_named(r, NS_ARF, "report-request"))
            .flat_map(|r| children_named(r, NS_ARF, "content"))
            .flat_map(|c| c.children().filter(Node::is_element))
            .find(|n| {
                let (ns, local) = (n.tag_name().namespace(), n.tag_name().name());
                (ns == Some(NS_DS) && local == "data-stream-collection")
                    || (local == "Benchmark" && matches!(ns, Some(NS_XCCDF_11 | NS_XCCDF_12)))
            })
    }

    /// The benchmark the TestResult names (`benchmark href="#component-id"`), from the data stream.
    fn load_benchmark(&self, test_result: Node, source_xml: &str) -> Res<LoadedBenchmark> {
        let Source::DataStream(collection) =
            load_source(Input::Bytes { name: &self.file, bytes: source_xml.as_bytes() })?
        else {
            return Err(ArfImportError::Missing {
                location: self.loc(test_result),
                what: "data-stream collection in its report request",
            });
        };
        let benchmark = child(test_result, "benchmark");
        let href = benchmark.and_then(|b| b.attribute("href"));
        let mut selection = Selection::default();
        let named = href.and_then(|h| h.strip_prefix('#')).and_then(|component| {
            collection.data_streams.iter().find_map(|ds| {
                let cref = ds.checklists.iter().find(|c| c.component_id() == Some(component))?;
                Some((ds.id.clone(), cref.id.clone()))
            })
        });
        match named {
            Some((ds, cref)) => {
                selection.datastream_id = Some(ds);
                selection.xccdf_id = Some(cref);
            }
            None => selection.benchmark_id = benchmark.and_then(|b| b.attribute("id")).map(str::to_string),
        }
        Ok(benchmark_from_collection(collection, &selection)?)
    }

    fn scan_results(
        &self,
        tr: Node,
        oval_reports: HashMap<String, Node>,
        loaded: &LoadedBenchmark,
    ) -> Res<ScanResults> {
        let bench = &loaded.benchmark;
        let start_time = tr.attribute("start-time").unwrap_or_default().to_string();
        let end_time = self.required(tr, "end-time")?.to_string();
        let duration_ms = match (rfc3339_seconds(&start_time), rfc3339_seconds(&end_time)) {
            (Some(s), Some(e)) if e >= s => u128::from((e - s).unsigned_abs()) * 1000,
            _ => 0,
        };
        let values: BTreeMap<String, String> = children(tr, "set-value")
            .map(|v| Ok((content_id(bench, "value", self.required(v, "idref")?), text(v))))
            .collect::<Res<_>>()?;
        let profile = match child(tr, "profile") {
            Some(p) => {
                let id = self.required(p, "idref")?;
                let id = match xccdf11_id("profile", id) {
                    Some(original) if bench.profiles.iter().any(|pr| pr.id == original) => original,
                    _ => id.to_string(),
                };
                let title = bench
                    .profiles
                    .iter()
                    .find(|pr| pr.id == id)
                    .and_then(|pr| pr.title.as_ref().map(|t| t.text.clone()))
                    .unwrap_or_default();
                Some(ProfileRef { id, title })
            }
            None => None,
        };

        let mut links =
            OvalLinks { reports: oval_reports, documents: Vec::new(), document_of_report: HashMap::new() };
        let mut rules = Vec::new();
        for rr in children(tr, "rule-result") {
            let rule = self.rule_result(rr, loaded, &values, &mut links)?;
            rules.push(rule);
        }
        let mut counts = BTreeMap::new();
        for r in &rules {
            *counts.entry(r.result).or_insert(0) += 1;
        }
        // SCC adds scores of its own models (`urn:xccdf:scoring:spawar-adjusted`): a model stigrun
        // does not know is left out, not an error in someone else's results.
        let known = |s: &Node| {
            ScoringModel::from_urn(s.attribute("system").unwrap_or("urn:xccdf:scoring:default")).is_some()
        };
        let scores = children(tr, "score")
            .filter(|s| !self.without_oval || known(s))
            .map(|s| self.score(s))
            .collect::<Res<Vec<_>>>()?;
        let oval = links.documents;
        let target = self.target(tr, oval.first().map(|d| &d.run.system_info));
        let origin = loaded.origin.as_ref();
        Ok(ScanResults {
            format: crate::results::document::FORMAT.to_string(),
            schema_version: crate::results::document::SCHEMA_VERSION,
            generator: scanner(tr),
            benchmark: BenchmarkRef {
                id: bench.id.clone(),
                title: bench.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
                version: bench.version.clone(),
                release_info: bench.release_info.clone(),
                source: self.file.to_string(),
                datastream_id: origin.map(|o| o.datastream_id.clone()),
                component_ref_id: origin.map(|o| o.component_ref_id.clone()),
                platforms: bench.platforms.clone(),
                digest: None,
                description: bench.description.as_ref().map(|d| d.text.clone()),
                publisher: bench.publisher().map(str::to_string),
                // What oscap saw of the content's signature is not in its results.
                signature: None,
            },
            profile,
            target,
            start_time,
            end_time,
            duration_ms,
            values,
            rules,
            counts,
            scores,
            oval,
            warnings: Vec::new(),
        })
    }

    fn score(&self, node: Node) -> Res<Score> {
        let system = node.attribute("system").unwrap_or("urn:xccdf:scoring:default");
        let model = ScoringModel::from_urn(system)
            .ok_or_else(|| self.invalid(node, system, "a urn:xccdf:scoring model"))?;
        let number =
            |value: &str| value.trim().parse::<f64>().map_err(|_| self.invalid(node, value, "a number"));
        let maximum = match node.attribute("maximum") {
            Some(m) => number(m)?,
            None => 100.0,
        };
        Ok(Score { model, score: number(&text(node))?, maximum })
    }

    /// Who and what was scanned: the TestResult's target, addresses and facts, with the OS from
    /// the OVAL system characteristics (oscap's facts do not name it).
    fn target(&self, tr: Node, system: Option<&SystemInfo>) -> TargetFacts {
        let mut facts = TargetFacts { root: "/".to_string(), ..TargetFacts::default() };
        facts.hostname = child(tr, "target").map(text).unwrap_or_default();
        if let Some(identity) = child(tr, "identity") {
            facts.user = Some(text(identity)).filter(|u| !u.is_empty());
            facts.privileged = matches!(identity.attribute("privileged"), Some("true" | "1"));
        }
        let push_unique = |list: &mut Vec<String>, value: String| {
            if !value.is_empty() && !list.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                list.push(value);
            }
        };
        for fact in child(tr, "target-facts").into_iter().flat_map(|f| children(f, "fact")) {
            let value = text(fact);
            // SCC names the same facts `urn:scap:fact:asset:identifier:…`.
            let name = fact.attribute("name").unwrap_or_default();
            let name = match name.strip_prefix("urn:scap:fact:asset:identifier:") {
                Some(rest) => format!("urn:xccdf:fact:asset:identifier:{rest}"),
                None => name.to_string(),
            };
            match name.as_str() {
                "urn:xccdf:fact:asset:identifier:fqdn" => facts.fqdn = Some(value),
                "urn:xccdf:fact:asset:identifier:host_name" if facts.hostname.is_empty() => {
                    facts.hostname = value
                }
                "urn:xccdf:fact:asset:identifier:mac" | "urn:xccdf:fact:ethernet:MAC" => {
                    push_unique(&mut facts.mac, value)
                }
                "urn:xccdf:fact:asset:identifier:ipv4" => push_unique(&mut facts.ipv4, value),
                "urn:xccdf:fact:asset:identifier:ipv6" => push_unique(&mut facts.ipv6, value),
                "urn:xccdf:fact:asset:identifier:os_name" if !value.is_empty() => facts.os_name = Some(value),
                "urn:xccdf:fact:asset:identifier:os_version" if !value.is_empty() => {
                    facts.os_version = Some(value)
                }
                _ => {}
            }
        }
        if facts.ipv4.is_empty() && facts.ipv6.is_empty() {
            for address in children(tr, "target-address").map(text) {
                let list = if address.contains(':') { &mut facts.ipv6 } else { &mut facts.ipv4 };
                push_unique(list, address);
            }
        }
        if let Some(system) = system {
            facts.os_name = Some(system.os_name.clone()).filter(|s| !s.is_empty());
            facts.os_version = Some(system.os_version.clone()).filter(|s| !s.is_empty());
            facts.architecture = Some(system.architecture.clone()).filter(|s| !s.is_empty());
        }
        facts
    }

    fn rule_result(
        &self,
        rr: Node,
        loaded: &LoadedBenchmark,
        values: &BTreeMap<String, String>,
        links: &mut OvalLinks,
    ) -> Res<RuleResult> {
        let bench = &loaded.benchmark;
        let rule_id = content_id(bench, "rule", self.required(rr, "idref")?);
        let rule = bench.rules.iter().find(|r| r.common.id == rule_id);
        let result_node = child(rr, "result").ok_or_else(|| ArfImportError::Missing {
            location: self.loc(rr),
            what: "`result` in a rule-result",
        })?;
        let result_text = text(result_node);
        let result = XccdfResult::parse(&result_text)
            .ok_or_else(|| self.invalid(result_node, &result_text, "an XCCDF result"))?;
        let severity = match rr.attribute("severity") {
            Some(s) => Severity::parse(s).ok_or_else(|| self.invalid(rr, s, "an XCCDF severity"))?,
            None => rule.map(|r| r.severity).unwrap_or_default(),
        };
        let role = match rr.attribute("role") {
            Some(s) => Role::parse(s).ok_or_else(|| self.invalid(rr, s, "an XCCDF role"))?,
            None => rule.map(|r| r.role).unwrap_or_default(),
        };
        let weight = match rr.attribute("weight") {
            Some(w) => w.trim().parse::<f64>().map_err(|_| self.invalid(rr, w, "a number"))?,
            None => 1.0,
        };
        let idents = children(rr, "ident")
            .map(|i| Ident { system: i.attribute("system").unwrap_or_default().to_string(), value: text(i) })
            .collect();
        let messages = children(rr, "message").map(|m| Diagnostic::note(text(m))).collect();
        let check = match child(rr, "check") {
            Some(c) => Some(self.check_ref(c, loaded, rule, values, links)?),
            None => None,
        };
        let answer =
            children(rr, "override").last().map(|o| self.override_answer(o, &rule_id)).transpose()?;
        let manual_text = rule.and_then(|r| r.checks.iter().find_map(|c| c.content.clone()));
        let stig = rule.map(|r| bench.stig_rule(r));
        Ok(RuleResult {
            rule_id,
            version: rule.and_then(|r| r.version.clone()),
            group_id: rule
                .and_then(|r| r.common.parent)
                .and_then(|g| bench.groups.get(g))
                .map(|g| g.common.id.clone()),
            title: rule.and_then(|r| r.common.title.as_ref()).map(|t| t.text.clone()).unwrap_or_default(),
            severity,
            weight,
            role,
            result,
            idents,
            check,
            messages,
            check_text: manual_text,
            finding_details: None,
            answer,
            description: rule.and_then(crate::model::stig::rule_description),
            description_fields: rule.map(crate::model::stig::rule_description_fields).unwrap_or_default(),
            fix_text: rule.and_then(|r| r.fixtexts.first()).map(|f| f.text.text.clone()),
            time: rr.attribute("time").map(str::to_string),
            group_title: stig.as_ref().and_then(|s| s.srg).map(str::to_string),
            check_content: stig.as_ref().and_then(|s| s.check_text).map(str::to_string),
            reference_identifier: stig
                .as_ref()
                .and_then(|s| s.dpms.as_ref())
                .and_then(|d| d.identifier)
                .map(str::to_string),
            severity_override: None,
        })
    }

    /// An XCCDF `override` as the assessor answer it stands for (who changed what, and why).
    fn override_answer(&self, node: Node, rule_id: &str) -> Res<Answer> {
        let result_of = |name: &'static str| -> Res<XccdfResult> {
            let element = child(node, name).ok_or_else(|| ArfImportError::Missing {
                location: self.loc(node),
                what: if name == "old-result" {
                    "`old-result` in an override"
                } else {
                    "`new-result` in an override"
                },
            })?;
            let value = text(element);
            XccdfResult::parse(&value).ok_or_else(|| self.invalid(element, &value, "an XCCDF result"))
        };
        Ok(Answer {
            rule_id: rule_id.to_string(),
            status: result_of("new-result")?,
            finding_details: String::new(),
            comment: child(node, "remark").map(text).unwrap_or_default(),
            who: node.attribute("authority").unwrap_or_default().to_string(),
            when: node.attribute("time").unwrap_or_default().to_string(),
            expires: None,
            original_result: Some(result_of("old-result")?),
            carried_from: None,
            justification: String::new(),
            severity: None,
            original_severity: None,
            is_override: true,
        })
    }

    fn check_ref(
        &self,
        check: Node,
        loaded: &LoadedBenchmark,
        rule: Option<&crate::model::xccdf::Rule>,
        values: &BTreeMap<String, String>,
        links: &mut OvalLinks,
    ) -> Res<CheckRef> {
        let system = self.required(check, "system")?.to_string();
        let content_ref = child(check, "check-content-ref");
        let href = content_ref.and_then(|c| c.attribute("href")).unwrap_or_default().to_string();
        let name = content_ref.and_then(|c| c.attribute("name")).map(str::to_string);
        let exports = children(check, "check-export")
            .map(|e| {
                let value_id = content_id(&loaded.benchmark, "value", self.required(e, "value-id")?);
                let export_name = self.required(e, "export-name")?.to_string();
                let value = values.get(&value_id).cloned().unwrap_or_default();
                Ok((value_id, export_name, value))
            })
            .collect::<Res<Vec<_>>>()?;
        let negate = matches!(check.attribute("negate"), Some("true" | "1"));
        let mut check_ref =
            CheckRef { system, href, name, negate, exports, oval_result: None, oval_document: None };
        if check_ref.system != NS_OVAL_DEF {
            return Ok(check_ref);
        }
        let Some(report_id) = check_ref.href.strip_prefix('#').map(str::to_string) else {
            return Ok(check_ref);
        };
        // Some ARFs (oscap 1.0 era) point every href at the XCCDF report; the definition name
        // then tells which OVAL report holds the result.
        let by_name = || {
            let name = check_ref.name.as_deref()?;
            let mut matching: Vec<&String> = links
                .reports
                .iter()
                .filter(|(_, r)| oval_results::reports_definition(**r, name))
                .map(|(id, _)| id)
                .collect();
            matching.sort();
            matching.first().map(|id| (*id).clone())
        };
        if self.without_oval {
            return Ok(check_ref);
        }
        let report_id = if links.reports.contains_key(&report_id) { Some(report_id) } else { by_name() };
        let Some((report_id, report)) = report_id.and_then(|id| links.reports.get(&id).map(|r| (id, *r)))
        else {
            return Err(ArfImportError::Dangling {
                location: self.loc(content_ref.unwrap_or(check)),
                reference: "check-content-ref href",
                target: "oval_results report",
                idref: check_ref.href.clone(),
            });
        };
        // The benchmark's own href for this check (the data stream's catalog resolves it).
        let original_href = rule
            .into_iter()
            .flat_map(|r| &r.checks)
            .filter(|c| c.system == NS_OVAL_DEF)
            .flat_map(|c| &c.content_refs)
            .find(|c| check_ref.name.is_none() || c.name == check_ref.name)
            .map(|c| c.href.clone());
        if let Some(original) = original_href {
            check_ref.href = original;
        }
        let index = match links.document_of_report.get(&report_id) {
            Some(&i) => i,
            None => {
                let document = self.oval_document(report, loaded, &check_ref.href)?;
                links.documents.push(document);
                links.document_of_report.insert(report_id, links.documents.len() - 1);
                links.documents.len() - 1
            }
        };
        check_ref.oval_document = links.documents.get(index).map(|d| d.href.clone());
        check_ref.oval_result = check_ref
            .name
            .as_ref()
            .and_then(|n| links.documents.get(index)?.run.definitions.get(n))
            .map(|d| d.result);
        Ok(check_ref)
    }

    /// One OVAL report: its results and system characteristics, with the definitions from the
    /// data stream (or, when the href is not in the data stream, those embedded in the report).
    fn oval_document(&self, report: Node, loaded: &LoadedBenchmark, href: &str) -> Res<OvalDocumentRun> {
        let definitions = self.oval_definitions(report, loaded, href)?;
        let run = self.oval_run(report, &definitions)?;
        Ok(OvalDocumentRun {
            href: href.to_string(),
            source: definitions.source.clone(),
            run,
            definitions: Some(Arc::new(definitions)),
        })
    }

    fn oval_definitions(&self, report: Node, loaded: &LoadedBenchmark, href: &str) -> Res<OvalDefinitions> {
        let failed = |message: String| ArfImportError::OvalDefinitions {
            location: self.loc(report),
            href: href.to_string(),
            message,
        };
        if loaded.check_component(href).is_some() {
            return crate::source::check_document(loaded, None, href).map_err(failed);
        }
        let embedded = children_named(report, NS_OVAL_DEF, "oval_definitions").next().ok_or_else(|| {
            failed("neither the data stream nor the oval_results report holds the definitions".into())
        })?;
        crate::loader::oval::parse_oval_node(embedded, &self.file).map_err(|e| failed(e.to_string()))
    }
}

/// Who scanned: the TestResult's scanner facts and `test-system`, so reports credit oscap and not
/// stigrun, which only renders them.
fn scanner(tr: Node) -> Generator {
    let fact = |name: &str| {
        child(tr, "target-facts")
            .into_iter()
            .flat_map(|f| children(f, "fact"))
            .find(|f| f.attribute("name") == Some(name))
            .map(text)
    };
    let test_system = tr.attribute("test-system").map(str::to_string);
    Generator {
        name: fact("urn:xccdf:fact:scanner:name").unwrap_or_else(|| "unknown scanner".to_string()),
        version: fact("urn:xccdf:fact:scanner:version").unwrap_or_default(),
        test_system,
    }
}

fn children_named<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| {
        c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ns)
    })
}

/// XCCDF children of a TestResult-side element, whichever XCCDF version it is written in.
fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    let ns = node.tag_name().namespace();
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == ns)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn text(node: Node) -> String {
    node.text().unwrap_or_default().trim().to_string()
}

/// The element as a document of its own: the namespace declarations it inherits are added to its
/// start tag, and newlines put in front so that line numbers in errors match the whole file.
fn standalone_element(doc: &Document, node: Node) -> String {
    let range = node.range();
    let input = doc.input_text();
    let xml = &input[range.clone()];
    let start_tag = &xml[..xml.find('>').unwrap_or(xml.len())];
    let name_end = start_tag.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(start_tag.len());
    let mut declarations = String::new();
    for ns in node.namespaces() {
        let attribute = match ns.name() {
            Some(prefix) => format!("xmlns:{prefix}"),
            None => "xmlns".to_string(),
        };
        if ns.name() == Some("xml") || start_tag.contains(&format!("{attribute}=")) {
            continue;
        }
        let uri = ns.uri().replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
        declarations.push_str(&format!(" {attribute}=\"{uri}\""));
    }
    let line = doc.text_pos_at(range.start).row;
    let padding = "\n".repeat(line.saturating_sub(1) as usize);
    format!("{padding}{}{declarations}{}", &xml[..name_end], &xml[name_end..])
}

/// Line and column (in characters, 1-based) just past the end of `text`.
fn end_position(text: &str) -> (u32, u32) {
    let row = text.matches('\n').count() + 1;
    let last_line = text.rsplit('\n').next().unwrap_or("");
    let col = last_line.chars().count() + 1;
    (u32::try_from(row).unwrap_or(u32::MAX), u32::try_from(col).unwrap_or(u32::MAX))
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-27T07:23:15+00:00`, fraction ignored).
fn rfc3339_seconds(time: &str) -> Option<i64> {
    let number = |s: Option<&str>| s?.parse::<i64>().ok();
    let (date, rest) = time.split_once('T')?;
    let mut d = date.split('-');
    let (year, month, day) = (number(d.next())?, number(d.next())?, number(d.next())?);
    let clock_end = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let mut c = rest[..clock_end].split(':');
    let (hour, minute) = (number(c.next())?, number(c.next())?);
    let second = number(c.next().map(|s| s.split('.').next().unwrap_or(s)))?;
    // Bounds keep the arithmetic below far from overflow whatever the text says.
    let in_range = (0..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..=23).contains(&hour)
        && (0..=59).contains(&minute)
        && (0..=60).contains(&second);
    if !in_range {
        return None;
    }
    let offset = match rest[clock_end..].chars().next() {
        Some(sign @ ('+' | '-')) => {
            let mut o = rest[clock_end + 1..].split(':');
            let (hours, minutes) = (number(o.next())?, number(o.next()).unwrap_or(0));
            if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) {
                return None;
            }
            let minutes = hours * 60 + minutes;
            if sign == '-' { -minutes * 60 } else { minutes * 60 }
        }
        _ => 0,
    };
    // Days from civil (proleptic Gregorian), the well-known era-based formula.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

mod oval_results;

/// The content's id for an id read from results: stigrun writes anyone else's XCCDF 1.1 ids in a
/// one-to-one XCCDF 1.2 form (`model::xccdf12_id`), which names the 1.1 item when the content is
/// that 1.1 benchmark; any other id is the content's as it stands.
fn content_id(bench: &Benchmark, kind: &str, id: &str) -> String {
    match xccdf11_id(kind, id) {
        Some(original) if bench.item(id).is_none() && bench.item(&original).is_some() => original,
        _ => id.to_string(),
    }
}

#[cfg(test)]
mod tests;
