//! A rule's finding details in plain words, from what the results document holds: the result, why
//! (the rule's messages), and what the OVAL tests examined. Checklists (FINDING_DETAILS), HDF
//! (result messages) and eMASS rows use this one function.

use crate::results::document::{RuleResult, ScanResults};
use crate::results::xccdf::XccdfResult;

/// Items named per test; the checklist is read by people, and the ARF keeps them all.
const ITEMS_NAMED: usize = 5;

/// The finding details of `rule`: an assessor's own words when an answer is in force, else what
/// the scan found.
pub fn finding_details(results: &ScanResults, rule: &RuleResult) -> String {
    if let Some(answer) = &rule.answer
        && !answer.finding_details.trim().is_empty()
    {
        return answer.finding_details.clone();
    }
    let mut lines = vec![headline(results, rule)];
    for message in &rule.messages {
        lines.push(format!("- {}", message.message));
    }
    let (tests, _) = super::view::rule_evidence(results, rule);
    for test in &tests {
        let mut line = format!("- test {} ({}): {}", test.test_id, test.check, test.result);
        let named: Vec<String> = test
            .items
            .iter()
            .take(ITEMS_NAMED)
            .map(|item| {
                let what = item
                    .fields
                    .iter()
                    .find(|(n, _)| matches!(n.as_str(), "filepath" | "path" | "name" | "key" | "id"))
                    .map_or_else(|| item.kind.clone(), |(n, v)| format!("{n} {v}"));
                format!("{what} → {}", item.result)
            })
            .collect();
        let total = test.items.len() + test.more_items;
        if total == 0 {
            line.push_str("; no item examined");
        } else {
            line.push_str(&format!("; {total} item(s): {}", named.join("; ")));
            if total > named.len() {
                line.push_str(&format!("; {} more", total - named.len()));
            }
        }
        lines.push(line);
        lines.extend(test.messages.iter().map(|m| format!("  {m}")));
    }
    lines.join("\n")
}

fn headline(results: &ScanResults, rule: &RuleResult) -> String {
    let by = format!("{} {}", results.generator.name, results.generator.version);
    let when = rule.time.as_deref().unwrap_or(&results.end_time);
    let what = match rule.result {
        XccdfResult::Pass => "the automated check passed",
        XccdfResult::Fail => "the automated check found the requirement not met",
        XccdfResult::NotApplicable => "the requirement does not apply to this target",
        XccdfResult::Error => "the check could not be completed (error); review by hand",
        XccdfResult::Unknown => "the check could not decide (unknown); review by hand",
        XccdfResult::NotChecked => "not checked automatically; review by hand",
        XccdfResult::NotSelected => "not selected by the profile",
        XccdfResult::Informational => "informational only",
        XccdfResult::Fixed => "fixed during the scan",
    };
    format!("{by}, {when}: {} — {what}.", rule.result.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_name_the_result_the_messages_and_the_items() {
        let results = crate::results::document::fixture::scan_with("plain");
        let text = finding_details(&results, &results.rules[0]);
        assert!(text.starts_with("stigrun 0, "), "{text}");
        assert!(text.contains("fail — the automated check found the requirement not met"), "{text}");
        assert!(text.contains("- plain"), "{text}");
        assert!(
            text.contains("test oval:t:tst:1 (all): false; 1 item(s): filepath /etc/d.json → false"),
            "{text}"
        );
    }
}
