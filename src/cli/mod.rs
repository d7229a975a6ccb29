//! Command-line interface: parses arguments and calls the library. No logic of its own.
//!
//! Exit codes follow oscap so scripts keep working: 0 success (and, for scans, all pass),
//! 1 the tool failed (bad arguments, unreadable or invalid content), 2 a scan found a failure.

pub mod args;
mod build;
mod collect;
mod commands;
mod fleet;
mod output;
mod progress;
mod report;
mod summary;

use std::process::ExitCode;

use clap::Parser;

pub fn main() -> ExitCode {
    // clap exits 2 on a usage error, which for stigrun (as for oscap) means "a rule failed": a
    // script must not read a typo as a finding. Usage errors exit 1.
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    // An interrupted run must not leave half-written temporary files beside its outputs.
    crate::output::remove_temporaries_on_signal();
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped reading (`| head`) is not an error: end quietly, as Unix tools do.
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stigrun: error: {}", output::printable(&e.to_string()));
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {}", output::printable(&cause.to_string()));
            }
            ExitCode::from(1)
        }
    }
}

/// The run's limits from `--limit` and `--rule-timeout`, installed before anything is read.
fn install_limits(cli: &args::Cli) -> anyhow::Result<()> {
    let mut limits = crate::limits::Limits::default();
    for assignment in &cli.limits {
        limits.set(assignment)?;
    }
    if let Some(t) = &cli.rule_timeout {
        limits.set(&format!("rule-timeout={t}")).map_err(|e| anyhow::anyhow!("--rule-timeout: {e}"))?;
    }
    crate::limits::install(limits);
    Ok(())
}

fn run(cli: args::Cli) -> anyhow::Result<ExitCode> {
    use args::Command;
    install_limits(&cli)?;
    match cli.command {
        Command::Benchmarks(a) => commands::benchmarks(a),
        Command::Info(a) => commands::info(a),
        Command::Eval(a) => commands::eval(*a),
        Command::Rules(a) => commands::rules(a),
        Command::Show(a) => commands::show(a),
        Command::Values(a) => commands::values(a),
        Command::Oval(args::OvalCommand::Eval(a)) => commands::oval_eval(a),
        Command::Report(a) => report::report(a),
        Command::Build(a) => build::build(a),
        Command::Collect(a) => collect::collect(a),
        Command::Diff(a) => fleet::diff(a),
        Command::Merge(a) => fleet::merge(a),
    }
}
