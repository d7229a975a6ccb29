//! Which rule of one scan is which rule of another, across STIG releases: DISA revises a rule's id
//! (`SV-235833r960735_rule` → `SV-235833r961395_rule`) while its base, its group (the V-ID) and its
//! STIG ID stay. A rule is matched by its SV base, then its V-ID, then its STIG ID; content that is
//! not DISA's (no `SV-`/`V-` ids) is matched by its exact rule id.

use std::collections::HashMap;

use crate::model::stig::{disa_short_id, split_rule_id};

/// The names a rule can be matched by, strongest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleNames {
    /// `SV-235833` for DISA rules, else the full rule id.
    pub base: String,
    /// The V-ID, when the group is one of DISA's.
    pub vuln_id: Option<String>,
    /// The STIG ID (the rule's `version`).
    pub stig_id: Option<String>,
}

impl RuleNames {
    pub fn of(rule_id: &str, group_id: Option<&str>, version: Option<&str>) -> RuleNames {
        let short = disa_short_id(rule_id);
        let (base, _) = split_rule_id(short);
        let base = if base.starts_with("SV-") { base.to_string() } else { rule_id.to_string() };
        // Only DISA groups name one rule each; other benchmarks group many rules together.
        let vuln_id = group_id
            .map(disa_short_id)
            .filter(|g| {
                g.strip_prefix("V-").is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(str::to_string);
        let stig_id = version.filter(|v| !v.trim().is_empty()).map(str::to_string);
        RuleNames { base, vuln_id, stig_id }
    }
}

/// Rules seen so far, found again by any of their names. Each entry is matched at most once per
/// scan (`claim`), so two rules of one scan never fold into one.
#[derive(Debug, Default)]
pub struct RuleIndex {
    by_base: HashMap<String, usize>,
    by_vuln: HashMap<String, usize>,
    by_stig: HashMap<String, usize>,
    len: usize,
}

impl RuleIndex {
    /// The entry `names` matches, strongest name first, skipping entries `taken` says are used.
    pub fn find(&self, names: &RuleNames, taken: impl Fn(usize) -> bool) -> Option<usize> {
        let candidates = [
            self.by_base.get(&names.base),
            names.vuln_id.as_ref().and_then(|v| self.by_vuln.get(v)),
            names.stig_id.as_ref().and_then(|s| self.by_stig.get(s)),
        ];
        candidates.into_iter().flatten().copied().find(|&i| !taken(i))
    }

    /// Add a new entry under all of its names (names already taken keep their first entry).
    pub fn insert(&mut self, names: &RuleNames) -> usize {
        let at = self.len;
        self.len += 1;
        self.by_base.entry(names.base.clone()).or_insert(at);
        if let Some(v) = &names.vuln_id {
            self.by_vuln.entry(v.clone()).or_insert(at);
        }
        if let Some(s) = &names.stig_id {
            self.by_stig.entry(s.clone()).or_insert(at);
        }
        at
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disa_rules_match_across_revisions_groups_and_stig_ids() {
        let a = RuleNames::of(
            "xccdf_mil.disa.stig_rule_SV-235833r960735_rule",
            Some("V-235833"),
            Some("DKER-EE-1"),
        );
        assert_eq!(a.base, "SV-235833");
        assert_eq!(a.vuln_id.as_deref(), Some("V-235833"));
        let mut index = RuleIndex::default();
        let at = index.insert(&a);
        // A new revision of the rule.
        let revised =
            RuleNames::of("SV-235833r961395_rule", Some("xccdf_mil.disa.stig_group_V-235833"), None);
        assert_eq!(index.find(&revised, |_| false), Some(at));
        // A renumbered rule in the same group, and one that kept only its STIG ID.
        assert_eq!(index.find(&RuleNames::of("SV-9r1_rule", Some("V-235833"), None), |_| false), Some(at));
        assert_eq!(
            index.find(&RuleNames::of("SV-9r1_rule", Some("V-9"), Some("DKER-EE-1")), |_| false),
            Some(at)
        );
        // Taken entries are not matched twice.
        assert_eq!(index.find(&revised, |i| i == at), None);
    }

    #[test]
    fn other_content_matches_by_exact_rule_id_only() {
        let names = RuleNames::of(
            "xccdf_org.ssgproject.content_rule_a",
            Some("xccdf_org.ssgproject.content_group_g"),
            None,
        );
        assert_eq!(names.base, "xccdf_org.ssgproject.content_rule_a");
        assert_eq!(names.vuln_id, None);
        let mut index = RuleIndex::default();
        index.insert(&names);
        let sibling = RuleNames::of(
            "xccdf_org.ssgproject.content_rule_b",
            Some("xccdf_org.ssgproject.content_group_g"),
            None,
        );
        assert_eq!(index.find(&sibling, |_| false), None);
    }
}
