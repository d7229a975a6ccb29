//! Report outputs: `eval --results/--results-arf/--report` and `stigrun report --from`, which
//! re-renders a saved JSON scan without scanning again.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::args::{EvalArgs, ReportArgs, ReportFormat};
use crate::render::{arf, html, xccdf_results};
use crate::scan::results::ScanResults;

/// Write the reports an `eval` asked for.
pub fn write_requested(
    args: &EvalArgs,
    results: &ScanResults,
    source_xml: Option<&str>,
) -> anyhow::Result<()> {
    if let Some(path) = &args.results {
        xccdf_results::write_xccdf_results_file(path, results)
            .with_context(|| format!("writing xccdf results to `{}`", path.display()))?;
    }
    if let Some(path) = &args.results_arf {
        arf::write_arf_file(path, results, source_xml)
            .with_context(|| format!("writing arf to `{}`", path.display()))?;
    }
    if let Some(path) = &args.report {
        let catalog = crate::catalog::load_cci_catalog(None)?;
        html::write_html_file(path, results, &catalog)
            .with_context(|| format!("writing html report to `{}`", path.display()))?;
    }
    Ok(())
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.from)
        .with_context(|| format!("reading results `{}`", args.from.display()))?;
    // An ARF written by oscap carries its own data stream: nothing to reload.
    let mut imported_source = None;
    let mut results: ScanResults = if text.trim_start_matches('\u{feff}').trim_start().starts_with('<') {
        let imported = crate::loader::arf::parse_arf(&text, &args.from.display().to_string())?;
        imported_source = Some(imported.source_xml);
        imported.results
    } else {
        serde_json::from_str(&text).with_context(|| {
            format!("`{}` is neither stigrun json results nor an arf written by oscap", args.from.display())
        })?
    };
    let written = match args.format {
        ReportFormat::Xccdf => xccdf_results::write_xccdf_results_file(&args.out, &results),
        ReportFormat::Html => {
            let catalog = crate::catalog::load_cci_catalog(args.cci_list.as_deref())?;
            html::write_html_file(&args.out, &results, &catalog)
        }
        ReportFormat::Arf => {
            // The JSON keeps results and items, not the content: the OVAL definitions (and the
            // data stream for the report request) are read again from the benchmark source.
            if let Some(source) = imported_source {
                let source_xml = (!args.thin).then_some(source);
                arf::write_arf_file(&args.out, &results, source_xml.as_deref())
                    .with_context(|| format!("writing `{}`", args.out.display()))?;
                return Ok(ExitCode::SUCCESS);
            }
            let source_xml = reload_content(&mut results, !args.thin).with_context(|| {
                format!(
                    "the arf needs the scanned content again; cannot reload `{}`",
                    results.benchmark.source
                )
            })?;
            arf::write_arf_file(&args.out, &results, source_xml.as_deref())
        }
    };
    written.with_context(|| format!("writing `{}`", args.out.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// Load the benchmark the results came from, attach each OVAL document's definitions to the
/// results, and return the data-stream text when `with_source` and the content is a data stream.
fn reload_content(results: &mut ScanResults, with_source: bool) -> anyhow::Result<Option<String>> {
    use crate::scan::benchmark::{ScanRequest, load_check_document};

    let selection = crate::loader::Selection {
        datastream_id: results.benchmark.datastream_id.clone(),
        xccdf_id: results.benchmark.component_ref_id.clone(),
        benchmark_id: None,
    };
    let loaded = crate::query::open_scan_benchmark(&results.benchmark.source, &selection)?;
    let request = ScanRequest {
        source_name: results.benchmark.source.clone(),
        base_dir: Path::new(&results.benchmark.source).parent().map(Path::to_path_buf),
        documents: crate::query::scan_documents(&results.benchmark.source)?,
        ..ScanRequest::default()
    };
    for document in &mut results.oval {
        let definitions =
            load_check_document(&loaded, &request, &document.href).map_err(anyhow::Error::msg)?;
        document.definitions = Some(Arc::new(definitions));
    }
    Ok(if with_source { loaded.collection.as_ref().map(|c| c.text().to_string()) } else { None })
}
