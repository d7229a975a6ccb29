//! `stigrun diff OLD NEW`: what changed between two scans of one target. A finding is a rule that
//! failed (a checklist's `Open`); rules are matched across STIG releases ([`super::rules`]), so a
//! scan against a newer release compares with one against the older.
//!
//! - new: open in NEW, not open (or absent) in OLD;
//! - closed: open in OLD, not open (or absent) in NEW;
//! - still open: open in both;
//! - changed: open in neither, but the result differs (pass → error, a rule added or dropped…).

use std::io::Write;

use serde::Serialize;

use super::FleetError;
use super::rules::{RuleIndex, RuleNames};
use super::view::{RuleLabel, render_html, write_json};
use crate::results::io::{ResultsSummary, RuleSummary};
use crate::results::xccdf::XccdfResult;

const TEMPLATE_NAME: &str = "diff.html.j2";
const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/diff.html.j2"));

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSide {
    pub file: String,
    pub hostname: String,
    pub identity: String,
    pub benchmark: String,
    pub release: Option<String>,
    pub start_time: String,
}

impl ScanSide {
    /// `benchmark-id version (release info)`.
    pub fn benchmark_label(&self) -> String {
        match &self.release {
            Some(r) => format!("{} {r}", self.benchmark),
            None => self.benchmark.clone(),
        }
    }

    pub fn of(file: &str, scan: &ResultsSummary) -> ScanSide {
        let b = &scan.benchmark;
        let release = match (&b.version, &b.release_info) {
            (Some(v), Some(r)) => Some(format!("{v} ({r})")),
            (v, r) => v.clone().or_else(|| r.clone()),
        };
        ScanSide {
            file: file.to_string(),
            hostname: scan.target.hostname.clone(),
            identity: scan.target.identity(),
            benchmark: b.id.clone(),
            release,
            start_time: scan.start_time.clone(),
        }
    }
}

/// One rule whose state is reported: its names (from NEW when it is there) and both results
/// (`None`: the rule is not in that scan).
#[derive(Debug, Clone, Serialize)]
pub struct RuleChange {
    #[serde(flatten)]
    pub rule: RuleLabel,
    pub old: Option<XccdfResult>,
    pub new: Option<XccdfResult>,
    /// The rule's id in OLD when it differs (a new revision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_rule_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanDiff {
    pub format: &'static str,
    pub old: ScanSide,
    pub new: ScanSide,
    pub new_findings: Vec<RuleChange>,
    pub closed: Vec<RuleChange>,
    pub still_open: Vec<RuleChange>,
    pub changed: Vec<RuleChange>,
}

/// Compare two scans. Rules come out in NEW's order, then the rules only OLD has.
pub fn diff(old: (&str, &ResultsSummary), new: (&str, &ResultsSummary)) -> ScanDiff {
    let mut index = RuleIndex::default();
    for rule in &old.1.rules {
        index.insert(&names(rule));
    }
    let mut matched = vec![false; old.1.rules.len()];
    let mut out = ScanDiff {
        format: "stigrun-diff",
        old: ScanSide::of(old.0, old.1),
        new: ScanSide::of(new.0, new.1),
        new_findings: Vec::new(),
        closed: Vec::new(),
        still_open: Vec::new(),
        changed: Vec::new(),
    };
    for rule in &new.1.rules {
        let before = index.find(&names(rule), |i| matched[i]).map(|i| {
            matched[i] = true;
            &old.1.rules[i]
        });
        let old_rule_id = before
            .map(|b| crate::model::stig::disa_short_id(&b.rule_id))
            .filter(|id| *id != crate::model::stig::disa_short_id(&rule.rule_id))
            .map(str::to_string);
        let change = RuleChange {
            rule: RuleLabel::of(rule),
            old: before.map(|b| b.result),
            new: Some(rule.result),
            old_rule_id,
        };
        out.place(change);
    }
    for (i, rule) in old.1.rules.iter().enumerate() {
        if !matched[i] {
            out.place(RuleChange {
                rule: RuleLabel::of(rule),
                old: Some(rule.result),
                new: None,
                old_rule_id: None,
            });
        }
    }
    out
}

fn names(rule: &RuleSummary) -> RuleNames {
    RuleNames::of(&rule.rule_id, rule.group_id.as_deref(), rule.version.as_deref())
}

impl ScanDiff {
    fn place(&mut self, change: RuleChange) {
        let open = |r: Option<XccdfResult>| r.is_some_and(super::is_open);
        let list = match (open(change.old), open(change.new)) {
            (false, true) => &mut self.new_findings,
            (true, false) => &mut self.closed,
            (true, true) => &mut self.still_open,
            (false, false) if change.old != change.new => &mut self.changed,
            (false, false) => return,
        };
        list.push(change);
    }

    /// Whether NEW has findings OLD did not (the CI gate: exit 2).
    pub fn has_new_findings(&self) -> bool {
        !self.new_findings.is_empty()
    }

    fn sections(&self) -> [(&'static str, &'static str, &[RuleChange]); 4] {
        [
            ("new findings", "+", &self.new_findings),
            ("closed", "-", &self.closed),
            ("still open", "=", &self.still_open),
            ("changed", "~", &self.changed),
        ]
    }

    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for (label, side) in [("old", &self.old), ("new", &self.new)] {
            writeln!(
                out,
                "{label}: {} ({}, {}, {})",
                side.file,
                side.hostname,
                side.benchmark_label(),
                side.start_time
            )?;
        }
        for (title, mark, changes) in self.sections() {
            writeln!(out)?;
            writeln!(out, "{title}: {}", changes.len())?;
            for c in changes {
                let result = |r: Option<XccdfResult>| r.map_or("absent", XccdfResult::as_str);
                writeln!(
                    out,
                    "  {mark} {}  {} → {}  {}",
                    c.rule.short(),
                    result(c.old),
                    result(c.new),
                    c.rule.title
                )?;
            }
        }
        Ok(())
    }

    pub fn write_json(&self, out: &mut dyn Write) -> Result<(), FleetError> {
        write_json("diff", self, out)
    }

    pub fn write_html(&self, out: &mut dyn Write) -> Result<(), FleetError> {
        #[derive(Serialize)]
        struct View<'a> {
            diff: &'a ScanDiff,
            sections: Vec<(&'static str, &'static str, &'a [RuleChange])>,
            generated: String,
        }
        let view = View {
            diff: self,
            sections: self.sections().to_vec(),
            generated: crate::clock::utc_now_rfc3339(),
        };
        render_html("diff report", TEMPLATE_NAME, TEMPLATE, &view, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(rules: &[(&str, &str, &str)]) -> ResultsSummary {
        let rules: Vec<serde_json::Value> = rules
            .iter()
            .map(|(id, group, result)| {
                serde_json::json!({"rule_id": id, "version": null, "group_id": group, "title": "<t>",
                    "severity": "medium", "result": result})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "generator": {"name": "stigrun", "version": "0"},
            "benchmark": {"id": "b", "title": "b", "version": "2", "release_info": null, "source": "b.xml",
                          "datastream_id": null, "component_ref_id": null},
            "profile": null,
            "target": {"root": "/", "hostname": "h", "fqdn": null, "os_name": null, "os_version": null,
                       "architecture": null, "ipv4": [], "ipv6": [], "mac": []},
            "start_time": "t", "end_time": "t", "rules": rules, "scores": []
        }))
        .unwrap()
    }

    #[test]
    fn findings_are_sorted_into_new_closed_open_and_changed_across_revisions() {
        let old = scan(&[
            ("SV-1r1_rule", "V-1", "pass"),
            ("SV-2r1_rule", "V-2", "fail"),
            ("SV-3r1_rule", "V-3", "fail"),
            ("SV-4r1_rule", "V-4", "pass"),
            ("SV-5r1_rule", "V-5", "pass"),
            ("SV-6r1_rule", "V-6", "fail"),
        ]);
        let new = scan(&[
            ("SV-1r2_rule", "V-1", "fail"),
            ("SV-2r1_rule", "V-2", "pass"),
            ("SV-3r9_rule", "V-3", "fail"),
            ("SV-4r1_rule", "V-4", "error"),
            ("SV-5r1_rule", "V-5", "pass"),
            ("SV-7r1_rule", "V-7", "notchecked"),
        ]);
        let d = diff(("old.json", &old), ("new.json", &new));
        let ids = |c: &[RuleChange]| c.iter().map(|c| c.rule.rule_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.new_findings), ["SV-1r2_rule"]);
        assert_eq!(d.new_findings[0].old_rule_id.as_deref(), Some("SV-1r1_rule"));
        assert_eq!(ids(&d.closed), ["SV-2r1_rule", "SV-6r1_rule"]);
        assert_eq!(d.closed[1].new, None);
        assert_eq!(ids(&d.still_open), ["SV-3r9_rule"]);
        assert_eq!(ids(&d.changed), ["SV-4r1_rule", "SV-7r1_rule"]);
        assert!(d.has_new_findings());
        let mut text = Vec::new();
        d.write_text(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("  + V-1 SV-1r2_rule CAT II  pass → fail  <t>"), "{text}");
        assert!(text.contains("  - V-6 SV-6r1_rule CAT II  fail → absent"), "{text}");
        let mut html = Vec::new();
        d.write_html(&mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(!html.contains("<t>") && html.contains("&lt;t&gt;"));
    }
}
