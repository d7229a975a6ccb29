//! One function per command: turn checked arguments into library calls and print the result.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{BenchmarksArgs, Format, InfoArgs};
use super::output::{Listing, print_json, print_listing};
use crate::query;

pub fn benchmarks(args: BenchmarksArgs) -> anyhow::Result<ExitCode> {
    let views = query::builtins()?;
    let rows = views
        .iter()
        .map(|b| {
            vec![
                b.spec.clone(),
                if b.default { format!("{} (default)", b.name) } else { String::new() },
                b.title.clone(),
                b.release_info.clone().unwrap_or_default(),
                b.rules.to_string(),
            ]
        })
        .collect();
    let listing =
        Listing { headers: &["benchmark", "alias", "title", "release", "rules"], rows, json: &views };
    print_listing(&listing, args.format)?;
    Ok(ExitCode::SUCCESS)
}

pub fn info(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let view = query::info(&args.source.benchmark)?;
    match args.format {
        Format::Json => print_json(&view)?,
        Format::Table | Format::Csv => print_info_text(&view).context("writing to stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `oscap info`-style indented text.
fn print_info_text(view: &query::InfoView) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Document type: {}", view.document_type)?;
    writeln!(out, "File: {}", view.file)?;
    for ds in &view.data_streams {
        writeln!(out, "Stream: {}", ds.id)?;
        writeln!(out, "  SCAP version: {}", ds.scap_version.as_deref().unwrap_or("-"))?;
        writeln!(out, "  Use case: {}", ds.use_case.as_deref().unwrap_or("-"))?;
        writeln!(out, "  Checklists: {}", ds.checklists.join(", "))?;
        writeln!(out, "  Checks: {}", ds.checks.join(", "))?;
        writeln!(out, "  Dictionaries: {}", ds.dictionaries.join(", "))?;
    }
    for b in &view.benchmarks {
        writeln!(out)?;
        if let Some(cref) = &b.component_ref {
            writeln!(out, "Checklist: {cref}")?;
        }
        writeln!(out, "Benchmark: {}", b.id)?;
        writeln!(out, "  Title: {}", b.title)?;
        let version = match b.xccdf_version {
            crate::model::xccdf::XccdfVersion::V1_1 => "1.1",
            crate::model::xccdf::XccdfVersion::V1_2 => "1.2",
        };
        writeln!(out, "  XCCDF version: {version}")?;
        writeln!(
            out,
            "  Status: {}{}",
            b.status.as_deref().unwrap_or("-"),
            b.status_date.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
        )?;
        writeln!(out, "  Version: {}", b.version.as_deref().unwrap_or("-"))?;
        if let Some(r) = &b.release_info {
            writeln!(out, "  Release: {r}")?;
        }
        writeln!(
            out,
            "  Rules: {}  Groups: {}  Values: {}  Profiles: {}",
            b.rules,
            b.groups,
            b.values,
            b.profiles.len()
        )?;
        writeln!(out, "  Check systems:")?;
        for (system, count) in &b.check_systems {
            writeln!(out, "    {system}: {count} rules")?;
        }
        writeln!(out, "  Profiles:")?;
        for p in &b.profiles {
            writeln!(out, "    {} ({} rules)", p.id, p.selected_rules)?;
            writeln!(out, "      Title: {}", p.title)?;
        }
    }
    Ok(())
}
