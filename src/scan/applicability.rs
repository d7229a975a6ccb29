//! CPE applicability of a scan: which items' platforms apply to the target. The dictionaries (the
//! benchmark's, a data stream's, files given beside the content) and the platform specification are
//! gathered once; platform names are matched against the dictionaries' (CPE 2.3 name matching); each
//! check they name is an OVAL definition evaluated once. A check that cannot run makes the platform
//! unknown, which the scan reports as an error; a name that is not a CPE name matches nothing and is
//! warned of.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};
use crate::eval::engine::{EvalOptions, ExternalValues, evaluate};
use crate::host::ScanTarget;
use crate::loader::LoadedBenchmark;
use crate::loader::cpe::{CpeFile, add_dictionary_document, load_cpe_file, parse_platform_specification};
use crate::loader::datastream::standalone_xml;
use crate::loader::oval::{load_oval_file, parse_oval_str};
use crate::model::cpe::{Applies, CpeCheck, Facts, KnownNames, PlatformSpecification, PlatformTest};
use crate::model::cpe_name::Wfn;
use crate::model::location::Location;
use crate::model::oval::OvalDefinitions;
use crate::model::xccdf::Benchmark;
use crate::probes::Registry;
use crate::semantics::OvalResult;

use super::benchmark::{OVAL_SYSTEM, ScanError, ScanRequest};

/// Decides CPE platforms, evaluating the dictionaries' OVAL checks once each.
pub(super) struct Applicability<'a> {
    loaded: &'a LoadedBenchmark,
    request: &'a ScanRequest,
    target: &'a ScanTarget,
    probes: &'a Registry,
    /// The names of every dictionary (the benchmark's, the data stream's, those given beside the
    /// content), unbound once.
    known: KnownNames,
    /// The dictionary's component-ref, to resolve its check hrefs through its catalog.
    dictionary_ref: Option<crate::loader::datastream::ComponentRef>,
    specification: PlatformSpecification,
    /// Platform and fact-ref names unbound so far; `None`: not a CPE name (warned of once).
    names: HashMap<String, Option<Wfn>>,
    cache: HashMap<CpeCheck, Applies>,
    /// OVAL documents of the checks, by (directory given beside the content, href).
    documents: HashMap<(Option<PathBuf>, String), Result<OvalDefinitions, String>>,
    /// Why a check could not be run (its document missing or unreadable, its definition absent).
    problems: HashMap<CpeCheck, String>,
    /// The problems met since the last [`Applicability::take_problems`].
    met: Vec<String>,
    /// Names that are not CPE names met since the last [`Applicability::take_malformed`].
    malformed_met: Vec<String>,
    /// The item whose platforms are being decided, and the platform of the specification being
    /// evaluated: where a malformed name is reported.
    location: Option<Location>,
    platform_in: Option<String>,
    /// Each malformed name once, located where it was first met.
    pub(super) warnings: Vec<Diagnostic>,
}

impl<'a> Applicability<'a> {
    pub(super) fn new(
        loaded: &'a LoadedBenchmark,
        request: &'a ScanRequest,
        target: &'a ScanTarget,
        probes: &'a Registry,
    ) -> Result<Self, ScanError> {
        // The benchmark's own dictionary, then a data stream's, then those given beside the content:
        // a name several hold has the checks of all.
        let mut dictionary = loaded.benchmark.cpe_dictionary.clone();
        let mut dictionary_ref = None;
        if let (Some(origin), Some(collection)) = (&loaded.origin, &loaded.collection)
            && let Some(ds) = collection.data_streams.iter().find(|d| d.id == origin.datastream_id)
        {
            for cref in &ds.dictionaries {
                let Some(component) = collection.resolve_ref(cref) else { continue };
                let Some(xml) = collection.component_xml(&component.id) else { continue };
                let name = format!("{}#{}", request.source_name, component.id);
                if add_dictionary_document(&mut dictionary, &standalone_xml(&xml), &name).is_ok() {
                    dictionary_ref = Some(cref.clone());
                }
            }
        }
        let mut specification = match loaded.benchmark.platform_specification.as_deref() {
            Some(xml) => parse_platform_specification(xml, &request.source_name)?,
            None => PlatformSpecification::default(),
        };
        for path in &request.cpe_files {
            match load_cpe_file(path)? {
                CpeFile::Dictionary(beside) => dictionary.extend(beside),
                CpeFile::Language(beside) => add_platforms(&mut specification, beside),
            }
        }
        let (known, malformed) = KnownNames::new(&dictionary);
        let warnings = malformed
            .into_iter()
            .map(|m| {
                let message = format!(
                    "dictionary name `{}` is not a CPE name: {}; it matches nothing",
                    m.name, m.error
                );
                let warning = Diagnostic::new(Code::MalformedCpeName, message);
                match m.location {
                    Some(location) => warning.at(location),
                    None => warning,
                }
            })
            .collect();
        Ok(Applicability {
            loaded,
            request,
            target,
            probes,
            known,
            dictionary_ref,
            specification,
            names: HashMap::new(),
            cache: HashMap::new(),
            documents: HashMap::new(),
            problems: HashMap::new(),
            met: Vec::new(),
            malformed_met: Vec::new(),
            location: None,
            platform_in: None,
            warnings,
        })
    }

    /// An item with platforms applies when any of them does; no platforms means everywhere.
    pub(super) fn item_applies(&mut self, platforms: &[String], location: &Location) -> bool {
        self.location = Some(location.clone());
        platforms.is_empty() || platforms.iter().any(|p| self.platform(p) == Applies::Yes)
    }

    pub(super) fn rule_applies(&mut self, bench: &Benchmark, i: usize) -> bool {
        // The problems met are this rule's alone (see `take_problems`).
        self.met.clear();
        self.malformed_met.clear();
        let rule = &bench.rules[i];
        if !self.item_applies(&rule.common.platforms, &rule.common.location) {
            return false;
        }
        let mut parent = rule.common.parent;
        while let Some(g) = parent {
            let group = &bench.groups[g].common;
            if !self.item_applies(&group.platforms, &group.location) {
                return false;
            }
            parent = group.parent;
        }
        true
    }

    fn platform(&mut self, idref: &str) -> Applies {
        // `#id` names a platform of the platform-specification; a bare id that is not a CPE name
        // but names one is taken the same way (oscap does).
        let platform_id = idref.strip_prefix('#').or_else(|| {
            (!idref.starts_with("cpe:") && self.specification.platforms.contains_key(idref)).then_some(idref)
        });
        if let Some(id) = platform_id {
            let Some(test) = self.specification.platforms.get(id).cloned() else { return Applies::No };
            self.platform_in = Some(id.to_string());
            let result = test.evaluate(self);
            self.platform_in = None;
            result
        } else {
            // XCCDF 1.2 (schema `CPE2idrefType`): a CPE name here is an applicability-language
            // identifier, decided as a fact-ref is.
            self.name(idref)
        }
    }

    /// The name unbound to a WFN, or `None` (and a warning, once) when it is not a CPE name.
    fn unbind(&mut self, name: &str) -> Option<Wfn> {
        let referrer = match &self.platform_in {
            Some(id) => format!("platform `#{id}`: fact-ref `{name}`"),
            None => format!("platform `{name}`"),
        };
        if let Some(known) = self.names.get(name) {
            if known.is_none() {
                self.malformed_met.push(format!("{referrer} is not a CPE name; it matches nothing"));
            }
            return known.clone();
        }
        match Wfn::parse(name) {
            Ok(wfn) => {
                self.names.insert(name.to_string(), Some(wfn.clone()));
                Some(wfn)
            }
            Err(e) => {
                let message = format!("{referrer} is not a CPE name: {e}; it matches nothing");
                let warning = Diagnostic::new(Code::MalformedCpeName, message.clone());
                self.warnings.push(match &self.location {
                    Some(location) => warning.at(location.clone()),
                    None => warning,
                });
                self.malformed_met.push(message);
                self.names.insert(name.to_string(), None);
                None
            }
        }
    }

    /// The names that are not CPE names met since the last call, each once, as the rule's
    /// diagnostics.
    pub(super) fn take_malformed(&mut self) -> Vec<Diagnostic> {
        let mut met = std::mem::take(&mut self.malformed_met);
        met.sort();
        met.dedup();
        met.into_iter().map(|m| Diagnostic::new(Code::MalformedCpeName, m)).collect()
    }

    fn decide(&mut self, check: &CpeCheck) -> Applies {
        let result = match self.cache.get(check) {
            Some(r) => *r,
            None => {
                let result = self.run_check(check);
                self.cache.insert(check.clone(), result);
                result
            }
        };
        if let Some(problem) = self.problems.get(check) {
            self.met.push(problem.clone());
        }
        result
    }

    /// The problems of the platform checks evaluated since the last call, each once.
    pub(super) fn take_problems(&mut self) -> Vec<String> {
        let mut met = std::mem::take(&mut self.met);
        met.sort();
        met.dedup();
        met
    }

    fn run_check(&mut self, check: &CpeCheck) -> Applies {
        if check.system != OVAL_SYSTEM {
            let problem =
                format!("platform check `{}` is of system `{}`, not OVAL", check.name, check.system);
            self.problems.insert(check.clone(), problem);
            return Applies::Unknown;
        }
        let key = (check.base_dir.clone(), check.href.clone());
        if !self.documents.contains_key(&key) {
            let defs = self.load(check);
            self.documents.insert(key.clone(), defs);
        }
        let defs = match self.documents.get(&key) {
            Some(Ok(defs)) if defs.definitions.contains_key(&check.name) => defs,
            Some(Ok(_)) => {
                let problem = format!("platform check `{}` is not in `{}`", check.name, check.href);
                self.problems.insert(check.clone(), problem);
                return Applies::Unknown;
            }
            Some(Err(e)) => {
                self.problems.insert(check.clone(), format!("platform check `{}`: {e}", check.name));
                return Applies::Unknown;
            }
            None => return Applies::Unknown,
        };
        let options =
            EvalOptions { only_definitions: Some(vec![check.name.clone()]), ..EvalOptions::default() };
        let run = evaluate(defs, self.target, self.probes, &ExternalValues::new(), &options);
        match run.definitions.get(&check.name).map(|d| d.result) {
            Some(OvalResult::True) => Applies::Yes,
            Some(OvalResult::False) => Applies::No,
            _ => Applies::Unknown,
        }
    }

    /// The OVAL document a check names: a check of a file given beside the content is read
    /// relative to that file (as oscap does), the content's own through the data stream's catalogs,
    /// else beside the content.
    fn load(&self, check: &CpeCheck) -> Result<OvalDefinitions, String> {
        let href = check.href.as_str();
        if check.base_dir.is_none()
            && let Some(component) = self.component(href)
        {
            let name = format!("{}#{}", component.file, component.component.id);
            return parse_oval_str(&standalone_xml(&component), &name).map_err(|e| e.to_string());
        }
        let base = check.base_dir.as_deref().or(self.request.base_dir.as_deref()).unwrap_or(Path::new("."));
        let path = base.join(href);
        if !path.is_file() {
            return Err(format!("OVAL file `{}` does not exist", path.display()));
        }
        load_oval_file(&path).map_err(|e| e.to_string())
    }

    /// The data-stream component a platform check's href names: a data-stream dictionary's checks
    /// resolve through its component-ref's catalog, the benchmark's own (embedded dictionary,
    /// check-fact-refs) through the checklist's. `None` outside a data stream, and for an href
    /// no catalog names (it is then read as a file, as before data streams had dictionaries).
    fn component(&self, href: &str) -> Option<crate::loader::datastream::ComponentXml<'a>> {
        let (collection, origin) = (self.loaded.collection.as_ref()?, self.loaded.origin.as_ref()?);
        let ds = collection.data_streams.iter().find(|d| d.id == origin.datastream_id)?;
        self.dictionary_ref
            .as_ref()
            .and_then(|dref| collection.resolve_check_href(ds, dref, href))
            .or_else(|| self.loaded.check_component(href))
    }
}

impl Facts for Applicability<'_> {
    fn name(&mut self, name: &str) -> Applies {
        let Some(wfn) = self.unbind(name) else { return Applies::No };
        // The names are set aside while their checks run, which needs `self`.
        let known = std::mem::take(&mut self.known);
        let result = known.applies(&wfn, &mut |c| self.decide(c));
        self.known = known;
        result
    }

    fn check(&mut self, check: &CpeCheck) -> Applies {
        self.decide(check)
    }
}

/// Add the platforms of a file given beside the content. An id both have applies when either
/// test does (oscap tries every specification it has).
fn add_platforms(specification: &mut PlatformSpecification, beside: PlatformSpecification) {
    for (id, test) in beside.platforms {
        let merged = match specification.platforms.remove(&id) {
            Some(own) => PlatformTest::Logical { and: false, negate: false, children: vec![own, test] },
            None => test,
        };
        specification.platforms.insert(id, merged);
    }
}
