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
    for line in unprobed(results) {
        writeln!(out, "Unknown:   {line}")?;
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

/// Per object type stigrun has no probe for: the tests it left `unknown` (the OVAL results say
/// so per object; the console says it once per type).
fn unprobed(results: &ScanResults) -> Vec<String> {
    let mut by_type: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for doc in &results.oval {
        let Some(defs) = &doc.definitions else { continue };
        let mut unprobed_objects = std::collections::HashSet::new();
        for (id, collected) in &doc.run.collected_objects {
            if collected.messages.iter().any(|m| m.code == crate::diag::Code::NoProbe) {
                unprobed_objects.insert(id.as_str());
            }
        }
        if unprobed_objects.is_empty() {
            continue;
        }
        for (test_id, test) in &doc.run.tests {
            let object = defs.tests.get(test_id).and_then(|t| t.object_ref.as_deref());
            if let Some(object) = object.filter(|o| unprobed_objects.contains(o))
                && test.result == crate::semantics::OvalResult::Unknown
            {
                let kind = defs.objects.get(object).map_or("?", |o| o.kind.name.as_str());
                by_type.entry(kind.to_string()).or_default().push(test_id.clone());
            }
        }
    }
    by_type
        .into_iter()
        .map(|(kind, tests)| {
            const SHOWN: usize = 5;
            let more = tests.len().saturating_sub(SHOWN);
            let mut list = tests.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
            if more > 0 {
                list.push_str(&format!(", … {more} more"));
            }
            format!("{} test(s) left unknown: no probe for `{kind}` ({list})", tests.len())
        })
        .collect()
}

/// What `--answers` took from a checklist: carried, changed since (to re-review), unmatched. On
/// stderr, so the scan's own output stays as it was.
pub fn print_carried(path: &std::path::Path, carried: &crate::scan::carry::Carried) {
    use crate::scan::carry::MatchedBy;
    let by = |how: MatchedBy| carried.carried.iter().filter(|c| c.2 == how).count();
    let name = super::output::printable(&path.display().to_string()).into_owned();
    eprintln!(
        "stigrun: answers from {name}: {} carried ({} by SV id, {} by V-ID, {} by STIG ID); {} without an \
         answer; {} earlier scan results (decided again)",
        carried.carried.len(),
        by(MatchedBy::SvId),
        by(MatchedBy::VulnId),
        by(MatchedBy::StigId),
        carried.empty,
        carried.earlier_results
    );
    if !carried.changed.is_empty() {
        eprintln!("stigrun: check text changed since the checklist, answers not carried (re-review):");
        for c in &carried.changed {
            let now = crate::model::stig::disa_short_id(&c.rule_id);
            eprintln!("  {} {now} (was {} as {})", c.vuln_num, c.status, c.old_rule_id);
        }
    }
    if !carried.unmatched.is_empty() {
        eprintln!("stigrun: checklist rules that match no rule of this benchmark, answers not carried:");
        for u in &carried.unmatched {
            eprintln!("  {}", super::output::printable(u));
        }
    }
}

/// Carried answers the scan did not apply because it decided those rules itself.
pub fn print_superseded(results: &ScanResults) {
    let superseded: Vec<&str> = results
        .rules
        .iter()
        .filter(|r| {
            r.messages
                .iter()
                .any(|m| m.code == crate::diag::Code::AnswerIgnored && m.message.contains("carried from"))
        })
        .map(|r| r.rule_id.as_str())
        .collect();
    if !superseded.is_empty() {
        eprintln!(
            "stigrun: {} carried answer(s) not applied, the scan decided those rules itself: {}",
            superseded.len(),
            superseded.join(", ")
        );
    }
}
