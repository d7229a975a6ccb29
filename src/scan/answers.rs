//! Assessor answers: results an assessor records for rules a tool cannot decide (DISA's manual
//! checks), or deliberate overrides of an automated result. They come from a TOML file and flow
//! into the rule results (and from there into every report), each with who, when and why.
//!
//! ```toml
//! [[answer]]
//! rule = "DKER-EE-001080"          # any of V-…, SV-…, SV-…r…_rule, the STIG ID, an XCCDF rule id
//! status = "pass"                  # an XCCDF result, or STIG Viewer's NotAFinding/Open/Not_Applicable/Not_Reviewed
//! finding_details = "UCP audit level is `request` (screenshot in ticket 4711)."
//! comment = "Checked in the UCP admin console."
//! who = "J. Assessor"
//! when = "2026-11-20"
//! expires = "2027-05-20"           # optional; an expired answer is ignored, with a message
//! justification = "…"             # required to override an automated fail/error, or `severity`
//! severity = "low"                 # optional: the organisation's severity for the rule
//! ```
//!
//! Answers cannot hide a finding quietly: an override of an automated `fail` or `error` without a
//! justification is not applied (the finding stays, with a message), every override is marked as
//! one, and two answers for one rule (under any id forms) are an error.

use std::path::Path;

use serde::Deserialize;

pub use crate::results::answer::Answer;

use crate::model::xccdf::Benchmark;
use crate::results::xccdf::XccdfResult;

#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    #[error("cannot read answers file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: answer {index} (rule `{rule}`): {message}")]
    Invalid { path: String, index: usize, rule: String, message: String },
}

#[derive(Debug, Deserialize)]
struct AnswersFile {
    #[serde(default)]
    answer: Vec<RawAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    rule: String,
    status: String,
    #[serde(default)]
    finding_details: String,
    #[serde(default)]
    comment: String,
    who: String,
    when: String,
    expires: Option<String>,
    #[serde(default)]
    justification: String,
    severity: Option<String>,
}

/// STIG Viewer's status words and the XCCDF results, both accepted.
pub(super) fn parse_status(s: &str) -> Option<XccdfResult> {
    match s.trim().to_ascii_lowercase().replace(['_', ' '], "").as_str() {
        "notafinding" => Some(XccdfResult::Pass),
        "open" => Some(XccdfResult::Fail),
        "notapplicable" => Some(XccdfResult::NotApplicable),
        "notreviewed" => Some(XccdfResult::NotChecked),
        other => XccdfResult::parse(other),
    }
}

/// XCCDF severities and DISA's categories (`CAT I` = high).
fn parse_severity(s: &str) -> Option<crate::model::xccdf::Severity> {
    use crate::model::xccdf::Severity;
    match s.trim().to_ascii_lowercase().replace([' ', '_', '-'], "").as_str() {
        "cati" | "cat1" => Some(Severity::High),
        "catii" | "cat2" => Some(Severity::Medium),
        "catiii" | "cat3" => Some(Severity::Low),
        other => Severity::parse(other),
    }
}

/// `YYYY-MM-DD`, a real day of the Gregorian calendar, alone or starting an RFC 3339 time
/// (`2026-11-20T10:00:00Z`). XCCDF writes it as `xs:dateTime`: `2026-13-45` would make the
/// results schema-invalid.
fn is_date(s: &str) -> bool {
    let Some(d) = s.get(..10) else { return false };
    let shape =
        d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape || !(s.len() == 10 || s[10..].starts_with(['T', 't'])) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) =
        (d[..4].parse::<u32>(), d[5..7].parse::<u32>(), d[8..].parse::<u32>())
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

pub fn load_answers(path: &Path, benchmark: &Benchmark) -> Result<Vec<Answer>, AnswersError> {
    let shown = path.display().to_string();
    let text = crate::loader::input::read_to_string(path)
        .map_err(|source| AnswersError::Read { path: shown.clone(), source })?;
    parse_answers(&text, &shown, benchmark)
}

pub fn parse_answers(text: &str, path: &str, benchmark: &Benchmark) -> Result<Vec<Answer>, AnswersError> {
    let file: AnswersFile = toml::from_str(text).map_err(|e| AnswersError::Parse {
        path: path.to_string(),
        message: e.to_string().trim().to_string(),
    })?;
    let mut out: Vec<Answer> = Vec::with_capacity(file.answer.len());
    // rule id → (answer number, the id as written), to name both entries of a duplicate.
    let mut seen: std::collections::BTreeMap<String, (usize, String)> = std::collections::BTreeMap::new();
    for (i, raw) in file.answer.into_iter().enumerate() {
        let invalid = |message: String| AnswersError::Invalid {
            path: path.to_string(),
            index: i + 1,
            rule: raw.rule.clone(),
            message,
        };
        let rule = benchmark.find_rule(&raw.rule).map_err(|e| invalid(e.to_string()))?;
        if let Some((first, written)) = seen.get(&rule.common.id) {
            return Err(invalid(format!(
                "answer {first} (`{written}`) already answers this rule ({}): one answer per rule",
                rule.common.id
            )));
        }
        seen.insert(rule.common.id.clone(), (i + 1, raw.rule.clone()));
        let severity = match &raw.severity {
            None => None,
            Some(s) => Some(parse_severity(s).ok_or_else(|| {
                invalid(format!(
                    "unknown severity `{s}`; expected high, medium, low (CAT I, II, III), info or unknown"
                ))
            })?),
        };
        if severity.is_some() && raw.justification.trim().is_empty() {
            return Err(invalid("a `severity` override needs a `justification`".to_string()));
        }
        let status = parse_status(&raw.status).ok_or_else(|| {
            invalid(format!(
                "unknown status `{}`; expected pass, fail, notapplicable, informational, notchecked, \
                 or NotAFinding, Open, Not_Applicable, Not_Reviewed",
                raw.status
            ))
        })?;
        if !is_date(&raw.when) {
            return Err(invalid(format!("`when` must be a date (YYYY-MM-DD), not `{}`", raw.when)));
        }
        if let Some(e) = &raw.expires
            && !is_date(e)
        {
            return Err(invalid(format!("`expires` must be a date (YYYY-MM-DD), not `{e}`")));
        }
        if raw.who.trim().is_empty() {
            return Err(invalid("`who` must name the assessor".to_string()));
        }
        out.push(Answer {
            rule_id: rule.common.id.clone(),
            status,
            finding_details: raw.finding_details,
            comment: raw.comment,
            who: raw.who,
            when: raw.when,
            expires: raw.expires,
            original_result: None,
            carried_from: None,
            justification: raw.justification,
            severity,
            original_severity: None,
            is_override: false,
        });
    }
    Ok(out)
}

/// Is the answer still in force on `today` (`YYYY-MM-DD`)? Dates compare as text in this form.
pub fn in_force(answer: &Answer, today: &str) -> bool {
    answer.expires.as_deref().is_none_or(|e| e.get(..10).unwrap_or(e) >= today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{Input, Selection, load_benchmark};

    fn docker_ee() -> Benchmark {
        let b = crate::source::catalog::builtin_benchmarks().iter().find(|b| b.default).unwrap();
        load_benchmark(Input::Bytes { name: b.file_name, bytes: b.bytes }, &Selection::default())
            .unwrap()
            .benchmark
    }

    #[test]
    fn answers_resolve_any_rule_id_form_and_stig_viewer_words() {
        let text = r#"
[[answer]]
rule = "DKER-EE-001080"
status = "NotAFinding"
finding_details = "UCP audit level is request."
who = "J. Assessor"
when = "2026-11-20"

[[answer]]
rule = "V-235833"
status = "Open"
who = "J. Assessor"
when = "2026-11-20"
expires = "2026-12-01"
"#;
        let answers = parse_answers(text, "a.toml", &docker_ee()).unwrap();
        assert_eq!(answers[0].rule_id, "SV-235778r960765_rule");
        assert_eq!(answers[0].status, XccdfResult::Pass);
        assert_eq!(answers[1].rule_id, "SV-235833r961395_rule");
        assert_eq!(answers[1].status, XccdfResult::Fail);
        assert!(in_force(&answers[1], "2026-11-27"));
        assert!(!in_force(&answers[1], "2026-12-02"));
    }

    #[test]
    fn bad_answers_name_the_entry() {
        let bench = docker_ee();
        let unknown = "[[answer]]\nrule = \"SV-1\"\nstatus = \"pass\"\nwho = \"x\"\nwhen = \"2026-01-01\"\n";
        let e = parse_answers(unknown, "a.toml", &bench).unwrap_err().to_string();
        assert!(e.starts_with("a.toml: answer 1 (rule `SV-1`): unknown rule"), "{e}");
        let status =
            "[[answer]]\nrule = \"V-235833\"\nstatus = \"maybe\"\nwho = \"x\"\nwhen = \"2026-01-01\"\n";
        assert!(
            parse_answers(status, "a.toml", &bench)
                .unwrap_err()
                .to_string()
                .contains("unknown status `maybe`")
        );
        let date = "[[answer]]\nrule = \"V-235833\"\nstatus = \"pass\"\nwho = \"x\"\nwhen = \"yesterday\"\n";
        assert!(parse_answers(date, "a.toml", &bench).is_err());
        // One rule answered twice, under two of its names.
        let twice = "[[answer]]\nrule = \"V-235833\"\nstatus = \"pass\"\nwho = \"x\"\nwhen = \"2026-01-01\"\n\
                     [[answer]]\nrule = \"DKER-EE-003320\"\nstatus = \"fail\"\nwho = \"x\"\nwhen = \"2026-01-01\"\n";
        let e = parse_answers(twice, "a.toml", &bench).unwrap_err().to_string();
        assert!(
            e.contains("answer 2 (rule `DKER-EE-003320`)") && e.contains("answer 1 (`V-235833`) already"),
            "{e}"
        );
        // A severity override says why.
        let severity = "[[answer]]\nrule = \"V-235833\"\nstatus = \"fail\"\nseverity = \"low\"\nwho = \"x\"\nwhen = \"2026-01-01\"\n";
        let e = parse_answers(severity, "a.toml", &bench).unwrap_err().to_string();
        assert!(e.contains("needs a `justification`"), "{e}");
        let justified = format!(
            "{}justification = \"risk accepted by the AO\"\n",
            severity.replace("\"low\"", "\"CAT III\"")
        );
        assert_eq!(
            parse_answers(&justified, "a.toml", &bench).unwrap()[0].severity,
            Some(crate::model::xccdf::Severity::Low)
        );
        let syntax = "[[answer]\nrule = 1";
        assert!(parse_answers(syntax, "a.toml", &bench).unwrap_err().to_string().contains("line 1"));
    }
}

#[cfg(test)]
mod date_tests {
    use super::is_date;

    #[test]
    fn only_real_days_are_dates() {
        for ok in ["2026-11-20", "2024-02-29", "2026-11-20T10:00:00Z", "2000-02-29"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-45",
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-00-10",
            "0000-01-01",
            "2026-11-2",
            "2026-11-20x",
            "20261120",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
