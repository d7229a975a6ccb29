//! The end-of-scan summary on the console: counts per result, scores, failures by CAT.

use std::io::Write;

use crate::model::xccdf::Severity;
use crate::results::document::ScanResults;
use crate::results::xccdf::XccdfResult;

/// The summary on stdout, or on stderr when stdout carries `--progress` lines for scripts.
pub fn print(results: &ScanResults, to_stderr: bool) -> std::io::Result<()> {
    if to_stderr {
        write_summary(&mut super::output::TerminalSafe(std::io::stderr().lock()), results)
    } else {
        write_summary(&mut super::output::safe_stdout(), results)
    }
}

fn write_summary(out: &mut impl Write, results: &ScanResults) -> std::io::Result<()> {
    writeln!(out, "Benchmark: {} ({})", results.benchmark.title, results.benchmark.id)?;
    if let Some(r) = &results.benchmark.release_info {
        writeln!(out, "Release:   {}", super::output::release_text(r))?;
    }
    if let Some(p) = &results.profile {
        writeln!(out, "Profile:   {} ({})", p.title, p.id)?;
    }
    writeln!(out, "Target:    {} (root {})", results.target.hostname, results.target.root)?;
    writeln!(out, "Time:      {} ({} ms)", results.start_time, results.duration_ms)?;
    let counts: Vec<String> = results.counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    writeln!(out, "Results:   {}", counts.join(", "))?;
    // Overrides are counted and named: an answer never changes a result unnoticed.
    let overrides: Vec<_> = results
        .rules
        .iter()
        .filter_map(|r| Some((r, r.answer.as_ref().filter(|a| a.is_override)?)))
        .collect();
    if !overrides.is_empty() {
        writeln!(out, "Overrides: {} (results above include them)", overrides.len())?;
        for (r, a) in overrides {
            let id = r.version.as_deref().unwrap_or(&r.rule_id);
            let was = a.original_result.map_or("?", |o| o.as_str());
            writeln!(
                out,
                "  {id}  {was} → {} by {} on {}: {}",
                r.result,
                a.who,
                a.when,
                a.justification.trim()
            )?;
        }
    }
    // Everything notapplicable because of the benchmark's platform: say so, once, plainly.
    let benchmark_not_applicable = results
        .rules
        .iter()
        .find_map(|r| r.messages.iter().find(|m| m.code == crate::diag::Code::BenchmarkNotApplicable));
    if let Some(message) = benchmark_not_applicable {
        writeln!(out, "Note:      {message}: every selected rule is notapplicable")?;
    }
    for s in &results.scores {
        writeln!(out, "Score:     {:.2} of {:.2} ({})", s.score, s.maximum, s.model.urn())?;
    }
    let failures: Vec<_> = results.rules.iter().filter(|r| r.result == XccdfResult::Fail).collect();
    if !failures.is_empty() {
        for (cat, severity) in
            [("CAT I", Severity::High), ("CAT II", Severity::Medium), ("CAT III", Severity::Low)]
        {
            let in_cat: Vec<_> = failures.iter().filter(|r| r.severity == severity).collect();
            if in_cat.is_empty() {
                continue;
            }
            writeln!(out, "Failed {cat} ({}):", in_cat.len())?;
            for r in in_cat {
                let id = r.version.as_deref().unwrap_or(&r.rule_id);
                writeln!(out, "  {id}  {}", r.title)?;
                details(out, results, r)?;
            }
        }
        let other = failures
            .iter()
            .filter(|r| !matches!(r.severity, Severity::High | Severity::Medium | Severity::Low))
            .count();
        if other > 0 {
            writeln!(out, "Failed without severity: {other}")?;
        }
    }
    // An error is a finding the assessor cannot read as pass or fail: its cause, in words.
    let errors: Vec<_> = results.rules.iter().filter(|r| r.result == XccdfResult::Error).collect();
    if !errors.is_empty() {
        writeln!(out, "Errors ({}):", errors.len())?;
        for r in errors {
            let id = r.version.as_deref().unwrap_or(&r.rule_id);
            writeln!(out, "  {id}  {}", r.title)?;
            details(out, results, r)?;
        }
    }
    Ok(())
}

/// A rule's finding details, indented under its line.
fn details(
    out: &mut impl Write,
    results: &ScanResults,
    rule: &crate::results::document::RuleResult,
) -> std::io::Result<()> {
    for line in crate::render::finding::finding_details(results, rule).lines() {
        writeln!(out, "      {}", super::output::printable(line))?;
    }
    Ok(())
}
