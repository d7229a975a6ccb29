//! Reading an XCCDF 1.1 or 1.2 results file (a `Benchmark` holding a `TestResult`, as oscap's
//! `--results`, DISA SCC and stigrun's own `--results` write it; or a bare `TestResult` whose
//! `benchmark href` names content stigrun can open) as [`ScanResults`]. The benchmark gives the
//! titles, idents, check and fix text; the TestResult the rule results, target and scores. Such
//! files carry no OVAL results, so there is no evidence beyond the rule results' messages.

use std::path::Path;

use roxmltree::{Document, Node, ParsingOptions};

use super::ResultsIoError;
use crate::loader::datastream::{Selection, Source};
use crate::loader::{Input, LoadedBenchmark, load_source};
use crate::model::xccdf12_id::xccdf11_id;
use crate::results::document::ScanResults;

const NS_XCCDF_12: &str = "http://checklists.nist.gov/xccdf/1.2";
const NS_XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";

fn is_xccdf(node: Node, local: &str) -> bool {
    node.tag_name().name() == local && matches!(node.tag_name().namespace(), Some(NS_XCCDF_12 | NS_XCCDF_11))
}

/// Import the XCCDF results in `text` (read from `path`).
pub fn parse_xccdf_results(text: &str, path: &Path) -> Result<ScanResults, ResultsIoError> {
    let name = path.display().to_string();
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| ResultsIoError::Xccdf {
        path: format!("{name}:{}:{}", e.pos().row, e.pos().col),
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    let (test_result, loaded) = if is_xccdf(root, "Benchmark") {
        // The newest TestResult when a benchmark holds several.
        let tr =
            root.children().rfind(|n| is_xccdf(*n, "TestResult")).ok_or_else(|| ResultsIoError::Xccdf {
                path: name.clone(),
                message: "the Benchmark holds no TestResult: these are not results".to_string(),
            })?;
        let Source::Benchmark(benchmark) = load_source(Input::Bytes { name: &name, bytes: text.as_bytes() })
            .map_err(|e| ResultsIoError::Xccdf { path: name.clone(), message: e.to_string() })?
        else {
            unreachable!("a Benchmark root loads as a benchmark")
        };
        // stigrun's own results hold only the rules' titles; the content the TestResult names
        // (a built-in benchmark, a file) has the rest, when it is the same benchmark and version.
        // stigrun writes anyone else's XCCDF 1.1 benchmark id in a one-to-one 1.2 form.
        let content_id = xccdf11_id("benchmark", &benchmark.id).unwrap_or_else(|| benchmark.id.clone());
        let named = benchmark_named(tr, path, &name).ok().filter(|n| {
            (n.benchmark.id == benchmark.id || n.benchmark.id == content_id)
                && n.benchmark.version == benchmark.version
        });
        let stub = benchmark.groups.is_empty() && benchmark.rules.iter().all(|r| r.checks.is_empty());
        match named {
            Some(named) if stub => (tr, named),
            _ => (
                tr,
                LoadedBenchmark {
                    benchmark: *benchmark,
                    origin: None,
                    collection: None,
                    signature: crate::loader::signature::SignatureCheck::unsigned(),
                },
            ),
        }
    } else if is_xccdf(root, "TestResult") {
        (root, benchmark_named(root, path, &name)?)
    } else {
        return Err(ResultsIoError::Xccdf {
            path: name,
            message: format!(
                "root `{}` is neither an XCCDF Benchmark nor a TestResult",
                root.tag_name().name()
            ),
        });
    };
    super::arf::import_test_result(&doc, &name, test_result, &loaded)
        .map_err(|e| ResultsIoError::Xccdf { path: name.clone(), message: e.to_string() })
}

/// A bare TestResult's benchmark (`<benchmark href=… id=…>`): built-in content, or a file beside
/// the results or where the href says.
fn benchmark_named(tr: Node, path: &Path, name: &str) -> Result<LoadedBenchmark, ResultsIoError> {
    let reference = tr.children().find(|n| is_xccdf(*n, "benchmark"));
    let href = reference.and_then(|b| b.attribute("href")).unwrap_or_default();
    let selection = Selection {
        benchmark_id: reference
            .and_then(|b| b.attribute("id"))
            .map(|id| xccdf11_id("benchmark", id).unwrap_or_else(|| id.to_string())),
        ..Selection::default()
    };
    let beside = path.parent().map(|d| d.join(href)).filter(|p| p.is_file());
    let source = beside.map_or_else(|| href.to_string(), |p| p.display().to_string());
    crate::source::open_for_scan(&source, &selection).map(|c| c.loaded).map_err(|e| ResultsIoError::Xccdf {
        path: name.to_string(),
        message: format!(
            "a TestResult without its Benchmark needs the benchmark it names (`{href}`), which cannot \
             be opened: {e}; give the results file with the Benchmark (oscap --results)"
        ),
    })
}
