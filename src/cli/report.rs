//! Report outputs: `eval --json/--results/--results-arf/--report` and `stigrun report --from`,
//! which re-renders saved results (stigrun's JSON or an oscap ARF) without scanning again. Both go
//! through the library's one report dispatch and one writer.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::args::{AssetArgs, EvalArgs, ReportArgs};
use crate::render::{ReportFormat, ReportInputs, write_report};
use crate::results::document::ScanResults;
use crate::results::io::{self, ResultsKind};
use crate::scan::asset::AssetIdentity;

/// The outputs an `eval` asked for, in a fixed order.
fn requested(args: &EvalArgs) -> Vec<(ReportFormat, PathBuf)> {
    [
        (ReportFormat::Json, &args.json),
        (ReportFormat::Xccdf, &args.results),
        (ReportFormat::Arf, &args.results_arf),
        (ReportFormat::Html, &args.report),
        (ReportFormat::Ckl, &args.ckl),
        (ReportFormat::Cklb, &args.cklb),
        (ReportFormat::Hdf, &args.hdf),
        (emass_format(args.emass.as_deref()), &args.emass),
    ]
    .into_iter()
    .filter_map(|(format, path)| path.clone().map(|p| (format, p)))
    .collect()
}

/// `--emass F`: the workbook when F ends in `.xlsx`, else CSV.
fn emass_format(path: Option<&std::path::Path>) -> ReportFormat {
    let xlsx = path.and_then(|p| p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx { ReportFormat::EmassXlsx } else { ReportFormat::EmassCsv }
}

/// Write every report an `eval` asked for. Each is attempted; when any fails, the error lists
/// which were written and which were not.
pub fn write_requested(
    args: &EvalArgs,
    results: &ScanResults,
    source_xml: Option<&str>,
) -> anyhow::Result<()> {
    let outputs = requested(args);
    if outputs.is_empty() {
        return Ok(());
    }
    let cci = crate::source::catalog::load_cci_catalog(None)?;
    let inputs = ReportInputs { results, source_xml, cci: &cci };
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for (format, path) in outputs {
        match write_report(format, &inputs, &path) {
            Ok(()) => written.push(path.display().to_string()),
            Err(e) => failed.push(format!("{} `{}`: {e}", format.name(), path.display())),
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let written = if written.is_empty() { "none".to_string() } else { written.join(", ") };
    anyhow::bail!("{} output(s) not written:\n  {}\n  written: {written}", failed.len(), failed.join("\n  "))
}

/// The identity the assessor gave (`--target-file` and the options over it), checked.
pub fn asset_identity(args: &AssetArgs) -> anyhow::Result<Option<AssetIdentity>> {
    let cli = AssetIdentity {
        hostname: args.hostname.clone(),
        fqdn: args.fqdn.clone(),
        ip: args.ip.clone(),
        mac: args.mac.clone(),
        role: args.role.clone(),
        marking: args.marking.clone(),
        ..AssetIdentity::default()
    };
    let file = match &args.target_file {
        Some(path) => AssetIdentity::load(path)?,
        None => AssetIdentity::default(),
    };
    let given = args.target_file.is_some()
        || cli.hostname.is_some()
        || cli.fqdn.is_some()
        || !cli.ip.is_empty()
        || !cli.mac.is_empty()
        || cli.role.is_some()
        || cli.marking.is_some();
    Ok(if given { Some(cli.over(file).checked("the command line")?) } else { None })
}

/// The ARF report request for results of standalone content; without one (the benchmark file
/// changed or cannot be copied) the ARF is still written, and the user told why it lacks it.
pub fn standalone_request(results: &crate::results::document::ScanResults) -> Option<String> {
    match io::standalone_request(results) {
        Ok(xml) => Some(xml),
        Err(e) => {
            eprintln!(
                "stigrun: warning: the ARF is written without its report request (the content scanned): {}",
                super::output::printable(&e.to_string())
            );
            None
        }
    }
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let identity = asset_identity(&args.asset)?;
    let loaded = io::load(&args.from)?;
    let mut results = loaded.results;
    if let Some(identity) = &identity {
        identity.apply(&mut results.target);
    }
    let mut source_xml = loaded.source_xml;
    // stigrun's JSON keeps results and items, not the content: formats that copy the content
    // (the ARF's OVAL definitions and report request) read it again from the benchmark source.
    if args.format == ReportFormat::Arf && loaded.kind == ResultsKind::StigrunJson {
        source_xml = io::reload_content(&mut results, !args.thin).with_context(|| {
            format!("the arf needs the scanned content again; cannot reload `{}`", results.benchmark.source)
        })?;
        if source_xml.is_none() && !args.thin {
            source_xml = standalone_request(&results);
        }
    }
    if args.thin {
        source_xml = None;
    }
    let cci = crate::source::catalog::load_cci_catalog(args.cci_list.as_deref())?;
    let inputs = ReportInputs { results: &results, source_xml: source_xml.as_deref(), cci: &cci };
    write_report(args.format, &inputs, &args.out)
        .with_context(|| format!("writing `{}`", args.out.display()))?;
    Ok(ExitCode::SUCCESS)
}
