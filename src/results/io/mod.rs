//! Reading results files back: stigrun's JSON results, an ARF 1.1 written by OpenSCAP (its
//! rule results, with the benchmark text from its data stream and the evidence from its OVAL
//! results), and XCCDF 1.1/1.2 results files (oscap's, SCC's, stigrun's own; `xccdf`). [`load`] tells them apart by content; [`load_summary`] reads only what a fleet view
//! needs and skips the evidence; [`reload_content`] attaches the scanned content again to results
//! read from JSON, for writers that copy it (ARF, OVAL results).

pub mod arf;
pub mod checklist;
pub mod xccdf;

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::document::{BenchmarkRef, Generator, ProfileRef, ScanResults, TargetFacts};
use super::xccdf::{Score, XccdfResult};
use crate::model::xccdf::{Ident, Severity};

#[derive(Debug, thiserror::Error)]
pub enum ResultsIoError {
    #[error("cannot read results `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not valid utf-8 (byte {offset}); stigrun reads utf-8 results only")]
    NotUtf8 { path: String, offset: usize },
    #[error("`{path}` is not a regular file; results are read from regular files")]
    NotRegular { path: String },
    #[error("{path}:{line}:{column}: not stigrun json results: {message}")]
    Json { path: String, line: usize, column: usize, message: String },
    #[error(
        "{path}: results format `{format}` schema version {version} is newer than this stigrun \
         reads (up to {supported}); upgrade stigrun"
    )]
    TooNew { path: String, format: String, version: u32, supported: u32 },
    #[error("{path}: XCCDF results: {message}")]
    Xccdf { path: String, message: String },
    #[error(transparent)]
    Arf(#[from] arf::ArfImportError),
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    #[error("the scanned content cannot be read again from `{source_name}`: {message}")]
    Reload { source_name: String, message: String },
    #[error("`{path}` has changed since the scan (SHA-256 {now}, scanned {scanned})")]
    ContentChanged { path: String, now: String, scanned: String },
    #[error(transparent)]
    Compose(#[from] crate::source::compose::ComposeError),
}

/// What kind of file the results came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsKind {
    StigrunJson,
    OscapArf,
    /// An XCCDF results file (oscap's `--results`, SCC's, stigrun's own).
    XccdfResults,
}

/// Results read back, with the data stream an ARF carried (an ARF brings its own content).
pub struct LoadedResults {
    pub results: ScanResults,
    pub kind: ResultsKind,
    pub source_xml: Option<String>,
}

/// Read results (stigrun JSON or an ARF) from a regular file.
pub fn load(path: &Path) -> Result<LoadedResults, ResultsIoError> {
    let text = read_regular(path)?;
    load_text(&text, &path.display().to_string())
}

/// Read results held in memory; `name` stands for the file in messages.
pub fn load_text(text: &str, name: &str) -> Result<LoadedResults, ResultsIoError> {
    let name = name.to_string();
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('<') {
        let root_local = root_element_local_name(text);
        if matches!(root_local.as_deref(), Some("Benchmark") | Some("TestResult")) {
            // A bare TestResult names its benchmark relative to `name`, the file it came from.
            let results = xccdf::parse_xccdf_results(text, Path::new(&name))?;
            return Ok(LoadedResults { results, kind: ResultsKind::XccdfResults, source_xml: None });
        }
        let imported = arf::parse_arf(text, &name)?;
        return Ok(LoadedResults {
            results: imported.results,
            kind: ResultsKind::OscapArf,
            source_xml: Some(imported.source_xml),
        });
    }
    let mut results: ScanResults = parse_json(text, &name)?;
    check_version(&name, &results.format, results.schema_version)?;
    results.upgrade();
    Ok(LoadedResults { results, kind: ResultsKind::StigrunJson, source_xml: None })
}

/// One rule of a [`ResultsSummary`].
#[derive(Debug, Clone, Deserialize)]
pub struct RuleSummary {
    pub rule_id: String,
    pub version: Option<String>,
    pub group_id: Option<String>,
    pub title: String,
    pub severity: Severity,
    pub result: XccdfResult,
    #[serde(default)]
    pub idents: Vec<Ident>,
}

/// A results file without its evidence: what `merge` keeps per node.
#[derive(Debug, Clone, Deserialize)]
pub struct ResultsSummary {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub schema_version: u32,
    pub generator: Generator,
    pub benchmark: BenchmarkRef,
    pub profile: Option<ProfileRef>,
    pub target: TargetFacts,
    pub start_time: String,
    pub end_time: String,
    pub rules: Vec<RuleSummary>,
    pub scores: Vec<Score>,
}

impl ResultsSummary {
    /// The summary of full results (an imported ARF, or results a report was just written from).
    pub fn of(results: &ScanResults) -> ResultsSummary {
        ResultsSummary {
            format: results.format.clone(),
            schema_version: results.schema_version,
            generator: results.generator.clone(),
            benchmark: results.benchmark.clone(),
            profile: results.profile.clone(),
            target: results.target.clone(),
            start_time: results.start_time.clone(),
            end_time: results.end_time.clone(),
            rules: results
                .rules
                .iter()
                .map(|r| RuleSummary {
                    rule_id: r.rule_id.clone(),
                    version: r.version.clone(),
                    group_id: r.group_id.clone(),
                    title: r.title.clone(),
                    severity: r.severity,
                    result: r.result,
                    idents: r.idents.clone(),
                })
                .collect(),
            scores: results.scores.clone(),
        }
    }
}

/// Read the summary of stigrun JSON results, or of an ARF / XCCDF results file. The evidence (`oval`) is skipped while parsing,
/// never held in memory.
pub fn load_summary(path: &Path) -> Result<ResultsSummary, ResultsIoError> {
    let text = read_regular(path)?;
    load_summary_text(&text, &path.display().to_string())
}

/// [`load_summary`] of results held in memory.
pub fn load_summary_text(text: &str, name: &str) -> Result<ResultsSummary, ResultsIoError> {
    let name = name.to_string();
    // An ARF or XCCDF results file (oscap's, SCC's, stigrun's own) is read whole and summarised:
    // such files are not streamed as JSON is, but diff and merge take them all the same.
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('<') {
        return Ok(ResultsSummary::of(&load_text(text, &name)?.results));
    }
    let summary = match parse_summary_prefix(text) {
        Some(summary) => summary,
        None => parse_json::<ResultsSummary>(text, &name)?,
    };
    check_version(&name, &summary.format, summary.schema_version)?;
    Ok(summary)
}

/// The summary read from the start of the file up to the evidence, when the file has everything
/// the summary needs before its `oval` member (stigrun writes it last) — the evidence is then not
/// even scanned. `None` otherwise (another order, or a syntax error): the caller parses it all, so
/// errors are reported by the full parse.
fn parse_summary_prefix(text: &str) -> Option<ResultsSummary> {
    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

    /// Where the visitor leaves the summary when it stops at `oval`.
    struct Prefix<'a>(&'a mut Option<ResultsSummary>);
    const STOP: &str = "stigrun: summary complete";

    impl<'de> Visitor<'de> for Prefix<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("stigrun results")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let (mut format, mut schema_version) = (String::new(), 0);
            let (mut generator, mut benchmark, mut profile, mut target) = (None, None, None, None);
            let (mut start_time, mut end_time, mut rules, mut scores) = (None, None, None, None);
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match key.as_ref() {
                    "format" => format = map.next_value()?,
                    "schema_version" => schema_version = map.next_value()?,
                    "generator" => generator = Some(map.next_value()?),
                    "benchmark" => benchmark = Some(map.next_value()?),
                    "profile" => profile = Some(map.next_value()?),
                    "target" => target = Some(map.next_value()?),
                    "start_time" => start_time = Some(map.next_value()?),
                    "end_time" => end_time = Some(map.next_value()?),
                    "rules" => rules = Some(map.next_value()?),
                    "scores" => scores = Some(map.next_value()?),
                    "oval" if rules.is_some() && scores.is_some() && end_time.is_some() => {
                        if let (
                            Some(generator),
                            Some(benchmark),
                            Some(profile),
                            Some(target),
                            Some(start_time),
                        ) = (
                            generator.take(),
                            benchmark.take(),
                            profile.take(),
                            target.take(),
                            start_time.take(),
                        ) {
                            *self.0 = Some(ResultsSummary {
                                format,
                                schema_version,
                                generator,
                                benchmark,
                                profile,
                                target,
                                start_time,
                                end_time: end_time.take().unwrap_or_default(),
                                rules: rules.take().unwrap_or_default(),
                                scores: scores.take().unwrap_or_default(),
                            });
                        }
                        // Stop: the rest is evidence (or, without a summary, the full parse says why).
                        return Err(de::Error::custom(STOP));
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Prefix<'_> {
        type Value = ();
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }

    let mut slot = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // The error is the stop (with the summary in `slot`) or a reason for the full parse to give.
    let _ = Prefix(&mut slot).deserialize(&mut deserializer);
    slot
}

/// Load the content the results came from again and attach each OVAL document's definitions (the
/// JSON keeps results and items, not the content). Returns the data-stream text when
/// `with_source` and the content is a data stream (for an ARF's report request).
pub fn reload_content(
    results: &mut ScanResults,
    with_source: bool,
) -> Result<Option<String>, ResultsIoError> {
    let selection = crate::loader::Selection {
        datastream_id: results.benchmark.datastream_id.clone(),
        xccdf_id: results.benchmark.component_ref_id.clone(),
        benchmark_id: None,
        profile: None,
        enforce_signature: false,
        signer_cas: None,
    };
    let content = crate::source::open_for_scan(&results.benchmark.source, &selection)?;
    for document in &mut results.oval {
        let definitions = crate::source::check_document_with(
            &content.loaded,
            content.base_dir.as_deref(),
            &content.documents,
            &document.href,
        )
        .map_err(|message| ResultsIoError::Reload {
            source_name: results.benchmark.source.clone(),
            message,
        })?;
        document.definitions = Some(Arc::new(definitions));
    }
    Ok(if with_source { content.loaded.collection.as_ref().map(|c| c.text().to_string()) } else { None })
}

/// The ARF report request for `results` scanned from standalone content (a benchmark file, not a
/// data stream): that content as [`crate::source::compose`] lays it out, the benchmark read again
/// from its file (which must still be the one scanned: same SHA-256) and the OVAL documents the
/// scan loaded.
pub fn standalone_request(results: &ScanResults) -> Result<String, ResultsIoError> {
    use sha2::{Digest, Sha256};
    let path = &results.benchmark.source;
    let bytes = crate::loader::input::read_bytes(Path::new(path))
        .map_err(|source| ResultsIoError::Read { path: path.clone(), source })?;
    let now = hex::encode(Sha256::digest(&bytes));
    if let Some(scanned) = &results.benchmark.digest
        && *scanned != now
    {
        return Err(ResultsIoError::ContentChanged { path: path.clone(), now, scanned: scanned.clone() });
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| ResultsIoError::NotUtf8 { path: path.clone(), offset: e.utf8_error().valid_up_to() })?;
    let checks: Vec<crate::source::compose::CheckDocument> = results
        .oval
        .iter()
        .filter_map(|d| {
            let xml = d.definitions.as_ref()?.source_xml.as_deref()?;
            Some(crate::source::compose::CheckDocument { href: &d.href, xml })
        })
        .collect();
    let timestamp = results.end_time.trim_end_matches('Z');
    Ok(crate::source::compose::report_request_content(path, &text, &checks, timestamp)?)
}

fn read_regular(path: &Path) -> Result<String, ResultsIoError> {
    let name = path.display().to_string();
    let read = |source| ResultsIoError::Read { path: name.clone(), source };
    // A FIFO or device would block or never end: refuse anything that is not a regular file.
    if path.as_os_str() != crate::loader::input::STDIN
        && std::fs::metadata(path).map_err(read)?.file_type().is_dir()
    {
        return Err(ResultsIoError::NotRegular { path: name });
    }
    let bytes = crate::loader::input::read_bytes(path).map_err(read)?;
    String::from_utf8(bytes)
        .map_err(|e| ResultsIoError::NotUtf8 { path: name.clone(), offset: e.utf8_error().valid_up_to() })
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, name: &str) -> Result<T, ResultsIoError> {
    serde_json::from_str(text).map_err(|e| {
        // A file from a newer stigrun may not parse as this version's document: say that first.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            format: String,
            #[serde(default)]
            schema_version: u32,
        }
        if let Ok(header) = serde_json::from_str::<Header>(text)
            && let Err(too_new) = check_version(name, &header.format, header.schema_version)
        {
            return too_new;
        }
        ResultsIoError::Json {
            path: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    })
}

fn check_version(name: &str, format: &str, version: u32) -> Result<(), ResultsIoError> {
    if version > super::document::SCHEMA_VERSION {
        return Err(ResultsIoError::TooNew {
            path: name.to_string(),
            format: format.to_string(),
            version,
            supported: super::document::SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// The local name of the document's root element, from its first start tag.
fn root_element_local_name(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let qname = &rest[..end];
        return Some(qname.rsplit(':').next().unwrap_or(qname).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_names_ignore_prolog_and_prefix() {
        assert_eq!(
            root_element_local_name("<?xml version='1.0'?>\n<!-- x -->\n<arf:asset-report-collection a='1'>")
                .as_deref(),
            Some("asset-report-collection")
        );
        assert_eq!(root_element_local_name("<cdf:Benchmark>").as_deref(), Some("Benchmark"));
    }

    #[test]
    fn a_newer_schema_is_refused_and_errors_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, r#"{"format": "stigrun-results", "schema_version": 99}"#).unwrap();
        let e = load_summary(&path).unwrap_err();
        assert!(matches!(e, ResultsIoError::TooNew { version: 99, .. }), "{e}");
        std::fs::write(&path, "{\n  \"format\": 3,\n}").unwrap();
        let e = load(&path).err().unwrap().to_string();
        assert!(e.starts_with(&format!("{}:2:", path.display())), "{e}");
    }

    #[test]
    fn the_summary_stops_at_the_evidence_and_agrees_with_the_full_parse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let scan = crate::results::document::fixture::scan_with("x");
        let json = serde_json::to_string_pretty(&scan).unwrap();
        // Broken evidence is never read by the summary...
        let at = json.find("\"oval\":").unwrap();
        std::fs::write(&path, format!("{}\"oval\": [{{ not json", &json[..at])).unwrap();
        let summary = load_summary(&path).unwrap();
        assert_eq!(summary.rules.len(), 1);
        assert_eq!(summary.target.hostname, "h");
        // ...and a file with `oval` first is read whole, to the same summary.
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let oval = value.as_object_mut().unwrap().remove("oval").unwrap();
        let reordered = format!("{{\"oval\": {oval}, {}", &value.to_string()[1..]);
        std::fs::write(&path, reordered).unwrap();
        let whole = load_summary(&path).unwrap();
        assert_eq!(format!("{whole:?}"), format!("{summary:?}"));
        // Without a member the summary needs, the full parse names it.
        std::fs::write(&path, json.replacen("\"start_time\"", "\"started\"", 1)).unwrap();
        let e = load_summary(&path).unwrap_err().to_string();
        assert!(e.contains("start_time"), "{e}");
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = load(dir.path()).err().unwrap();
        assert!(matches!(e, ResultsIoError::NotRegular { .. }), "{e}");
    }
}
