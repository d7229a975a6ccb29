//! `stigrun diff` and `stigrun merge`: read results, call the fleet layer, write its answers
//! through the one writer (or stdout).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::args::{DiffArgs, DiffFormat, MergeArgs};
use crate::fleet::{FleetError, diff as fleet_diff, merge as fleet_merge};
use crate::results::io::load_summary;

pub fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = load_summary(&args.old)?;
    let new = load_summary(&args.new)?;
    let (old_name, new_name) = (args.old.display().to_string(), args.new.display().to_string());
    let (old_id, new_id) = (old.target.identity(), new.target.identity());
    if old_id != new_id && !args.any_target {
        return Err(FleetError::DifferentTargets { old: old_name, new: new_name, old_id, new_id }.into());
    }
    let answer = fleet_diff::diff((&old_name, &old), (&new_name, &new));
    let write = |out: &mut dyn Write| -> Result<(), FleetError> {
        match args.format {
            DiffFormat::Text => answer
                .write_text(out)
                .map_err(|e| FleetError::Serialize { what: "diff", message: e.to_string() }),
            DiffFormat::Json => answer.write_json(out),
            DiffFormat::Html => answer.write_html(out),
        }
    };
    match &args.out {
        Some(path) => {
            crate::output::write_file(path, write).with_context(|| format!("writing `{}`", path.display()))?
        }
        None => {
            let mut out = super::output::safe_stdout();
            write(&mut out).context("writing to stdout")?;
            out.flush().context("writing to stdout")?;
        }
    }
    // For CI gates: new findings are a failure, like a failed rule in a scan.
    Ok(if answer.has_new_findings() { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let mut files = args.results.clone();
    if let Some(dir) = &args.from_dir {
        let found = fleet_merge::results_in_dir(dir)?;
        if found.is_empty() {
            return Err(FleetError::NoInputs(format!(" in `{}`", dir.display())).into());
        }
        files.extend(found);
    }
    let cci = match &args.per_node_dir {
        Some(_) => Some(crate::source::catalog::load_cci_catalog(args.cci_list.as_deref())?),
        None => None,
    };
    let per_node = match (&args.per_node_dir, &cci) {
        (Some(dir), Some(cci)) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
            Some(fleet_merge::PerNode { dir: dir.clone(), formats: args.per_node_format.clone(), cci })
        }
        _ => None,
    };
    let fleet = fleet_merge::merge(&files, per_node.as_ref())?;
    if let Some(path) = &args.json {
        crate::output::write_file(path, |out| fleet.write_json(out))
            .with_context(|| format!("writing `{}`", path.display()))?;
    }
    if let Some(path) = &args.html {
        crate::output::write_file(path, |out| fleet.write_html(out))
            .with_context(|| format!("writing `{}`", path.display()))?;
    }
    let mut out = super::output::safe_stdout();
    fleet.write_text(&mut out).context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
