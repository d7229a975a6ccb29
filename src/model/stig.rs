//! The DISA STIG view of an XCCDF rule (V-ID, SV rule id, STIG ID, SRG, CAT, CCIs, check and fix
//! text, DPMS target) and rule lookup by any of those names. No I/O.
//!
//! DISA's conventions: each Rule sits alone in a Group whose id is the V-ID and whose title is
//! the SRG; the Rule's `version` is the STIG ID; CCIs and legacy ids are `ident`s; the manual
//! check text is `check-content` and `check/@system` carries the check id; the description holds
//! escaped pseudo-XML (`<VulnDiscussion>…</VulnDiscussion><FalsePositives>…`).

use serde::Serialize;

use super::xccdf::{Benchmark, CheckContentRef, ItemRef, Rule, Severity};

pub const CCI_SYSTEMS: [&str; 2] = ["http://cyber.mil/cci", "http://iase.disa.mil/cci"];
pub const LEGACY_SYSTEM: &str = "http://cyber.mil/legacy";

/// DISA category: CAT I (high), II (medium), III (low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Category {
    #[serde(rename = "CAT I")]
    CatI,
    #[serde(rename = "CAT II")]
    CatII,
    #[serde(rename = "CAT III")]
    CatIII,
}

impl Category {
    pub fn from_severity(severity: Severity) -> Option<Category> {
        match severity {
            Severity::High => Some(Category::CatI),
            Severity::Medium => Some(Category::CatII),
            Severity::Low => Some(Category::CatIII),
            Severity::Info | Severity::Unknown => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::CatI => "CAT I",
            Category::CatII => "CAT II",
            Category::CatIII => "CAT III",
        }
    }
}

/// The fields of a DISA rule description, text verbatim (entities already resolved once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DisaDescription {
    pub vuln_discussion: Option<String>,
    pub false_positives: Option<String>,
    pub false_negatives: Option<String>,
    pub documentable: Option<String>,
    pub mitigations: Option<String>,
    pub severity_override_guidance: Option<String>,
    pub potential_impacts: Option<String>,
    pub third_party_tools: Option<String>,
    pub mitigation_control: Option<String>,
    pub responsibility: Option<String>,
    pub ia_controls: Option<String>,
    /// Tags this list does not know, in order.
    pub other: Vec<(String, String)>,
}

impl DisaDescription {
    /// Split `<Tag>value</Tag>…` into fields. Values may contain `<` (e.g. `<plugin>` in prose),
    /// so each value runs to the first matching `</Tag>`. `None` when no tag is found.
    pub fn parse(text: &str) -> Option<DisaDescription> {
        let mut out = DisaDescription::default();
        let mut found = false;
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else { break };
            let tag = &after[..close];
            if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                rest = after;
                continue;
            }
            let body = &after[close + 1..];
            let end_tag = format!("</{tag}>");
            let Some(end) = body.find(&end_tag) else {
                rest = after;
                continue;
            };
            out.set(tag, body[..end].to_string());
            found = true;
            rest = &body[end + end_tag.len()..];
        }
        found.then_some(out)
    }

    fn set(&mut self, tag: &str, value: String) {
        let slot = match tag {
            "VulnDiscussion" => &mut self.vuln_discussion,
            "FalsePositives" => &mut self.false_positives,
            "FalseNegatives" => &mut self.false_negatives,
            "Documentable" => &mut self.documentable,
            "Mitigations" => &mut self.mitigations,
            "SeverityOverrideGuidance" => &mut self.severity_override_guidance,
            "PotentialImpacts" => &mut self.potential_impacts,
            "ThirdPartyTools" => &mut self.third_party_tools,
            "MitigationControl" => &mut self.mitigation_control,
            "Responsibility" => &mut self.responsibility,
            "IAControls" => &mut self.ia_controls,
            _ => {
                self.other.push((tag.to_string(), value));
                return;
            }
        };
        *slot = Some(value);
    }

    /// A field by its DISA tag name (`FalsePositives`, …).
    pub fn field(&self, tag: &str) -> Option<&str> {
        let slot = match tag {
            "VulnDiscussion" => &self.vuln_discussion,
            "FalsePositives" => &self.false_positives,
            "FalseNegatives" => &self.false_negatives,
            "Documentable" => &self.documentable,
            "Mitigations" => &self.mitigations,
            "SeverityOverrideGuidance" => &self.severity_override_guidance,
            "PotentialImpacts" => &self.potential_impacts,
            "ThirdPartyTools" => &self.third_party_tools,
            "MitigationControl" => &self.mitigation_control,
            "Responsibility" => &self.responsibility,
            "IAControls" => &self.ia_controls,
            _ => return self.other.iter().find(|(t, _)| t == tag).map(|(_, v)| v.as_str()),
        };
        slot.as_deref()
    }
}

/// DISA's `reference` with Dublin Core `DPMS Target` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DpmsTarget<'b> {
    pub title: Option<&'b str>,
    pub publisher: Option<&'b str>,
    pub kind: Option<&'b str>,
    pub subject: Option<&'b str>,
    pub identifier: Option<&'b str>,
}

/// `SV-235833r961395_rule` → (`SV-235833`, `r961395`). Ids without a revision are their own base.
pub fn split_rule_id(rule_id: &str) -> (&str, Option<&str>) {
    let id = rule_id.strip_suffix("_rule").unwrap_or(rule_id);
    let digits_start = id.rfind('-').map_or(0, |i| i + 1);
    let tail = &id[digits_start..];
    let digits = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
    let (base_len, revision) = (digits_start + digits, &tail[digits..]);
    if digits > 0
        && revision.len() > 1
        && revision.starts_with('r')
        && revision[1..].bytes().all(|b| b.is_ascii_digit())
    {
        (&id[..base_len], Some(revision))
    } else {
        (rule_id, None)
    }
}

/// The STIG view of one rule, borrowed from the benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct StigRule<'b> {
    #[serde(skip)]
    pub rule: &'b Rule,
    pub vuln_id: Option<&'b str>,
    pub rule_id: &'b str,
    pub rule_base: &'b str,
    pub revision: Option<&'b str>,
    pub stig_id: Option<&'b str>,
    pub srg: Option<&'b str>,
    pub title: Option<&'b str>,
    pub severity: Severity,
    pub category: Option<Category>,
    pub weight: f64,
    pub ccis: Vec<&'b str>,
    pub legacy_ids: Vec<&'b str>,
    pub description: Option<DisaDescription>,
    pub check_id: Option<&'b str>,
    pub check_content_ref: Option<&'b CheckContentRef>,
    pub check_text: Option<&'b str>,
    pub fix_id: Option<&'b str>,
    pub fix_text: Option<&'b str>,
    pub dpms: Option<DpmsTarget<'b>>,
}

/// A query that names no rule, with the closest names the benchmark does have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{query}`{}", suggestion_text(.suggestions))]
pub struct UnknownRule {
    pub query: String,
    pub suggestions: Vec<String>,
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("; did you mean {}?", list.join(", "))
    }
}

const SSG_RULE_MARK: &str = "_rule_";

/// Prefixes of DISA's XCCDF 1.2 ids (their SCAP benchmarks, and `stigrun build`'s).
const DISA_12_PREFIXES: [&str; 2] = ["xccdf_mil.disa.stig_group_", "xccdf_mil.disa.stig_rule_"];

/// `xccdf_mil.disa.stig_rule_SV-235833r961395_rule` → `SV-235833r961395_rule`,
/// `xccdf_mil.disa.stig_group_V-235833` → `V-235833`; other ids unchanged.
pub fn disa_short_id(id: &str) -> &str {
    DISA_12_PREFIXES.iter().find_map(|p| id.strip_prefix(p)).unwrap_or(id)
}

impl Benchmark {
    pub fn stig_rule<'b>(&'b self, rule: &'b Rule) -> StigRule<'b> {
        let group = self.parent_group(rule);
        let short_rule_id = disa_short_id(rule.id());
        let (rule_base, revision) = split_rule_id(short_rule_id);
        let idents_of = |wanted: &dyn Fn(&str) -> bool| -> Vec<&'b str> {
            rule.idents.iter().filter(|i| wanted(&i.system)).map(|i| i.value.as_str()).collect()
        };
        // DISA's manual check: after an automated check in built content, first in DISA's own.
        let check = rule.checks.iter().find(|c| c.content.is_some()).or(rule.checks.first());
        let fixtext = rule.fixtexts.first();
        let dpms =
            rule.common.references.iter().find(|r| r.dc("type") == Some("DPMS Target")).map(|r| DpmsTarget {
                title: r.dc("title"),
                publisher: r.dc("publisher"),
                kind: r.dc("type"),
                subject: r.dc("subject"),
                identifier: r.dc("identifier"),
            });
        StigRule {
            rule,
            vuln_id: group.map(|g| disa_short_id(&g.common.id)),
            rule_id: short_rule_id,
            rule_base,
            revision,
            stig_id: rule.version.as_deref(),
            srg: group.and_then(|g| g.common.title.as_ref()).map(|t| t.text.as_str()),
            title: rule.common.title.as_ref().map(|t| t.text.as_str()),
            severity: rule.severity,
            category: Category::from_severity(rule.severity),
            weight: rule.common.weight,
            ccis: idents_of(&|s| CCI_SYSTEMS.contains(&s)),
            legacy_ids: idents_of(&|s| s == LEGACY_SYSTEM),
            description: rule.common.description.as_ref().and_then(|d| DisaDescription::parse(&d.text)),
            check_id: check.map(|c| c.system.as_str()),
            check_content_ref: check.and_then(|c| c.content_refs.first()),
            check_text: check.and_then(|c| c.content.as_deref()),
            fix_id: fixtext
                .and_then(|f| f.fixref.as_deref())
                .or_else(|| rule.fixes.first().and_then(|f| f.id.as_deref())),
            fix_text: fixtext.map(|f| f.text.text.as_str()),
            dpms,
        }
    }

    /// Find a rule by rule id (`SV-235833r961395_rule`, `xccdf_org.ssgproject.content_rule_x`),
    /// V-ID (`V-235833`, its group), SV base (`SV-235833`), STIG ID (`DKER-EE-003320`), SSG short
    /// id (`x`), or a legacy id. Exact matches first, then case-insensitive ones.
    pub fn find_rule(&self, query: &str) -> Result<&Rule, UnknownRule> {
        let query = query.trim();
        if let Some(rule) = self.rule(query) {
            return Ok(rule);
        }
        if let Some(ItemRef::Group(g)) = self.item(query)
            && let Some(rule) = self.first_rule_in(g)
        {
            return Ok(rule);
        }
        for exact in [true, false] {
            let same = |a: &str| if exact { a == query } else { a.eq_ignore_ascii_case(query) };
            let found = self.rules.iter().find(|r| {
                same(split_rule_id(disa_short_id(r.id())).0)
                    || r.version.as_deref().is_some_and(same)
                    || r.id().split_once(SSG_RULE_MARK).is_some_and(|(_, short)| same(short))
                    || (!exact && same(r.id()))
                    || self.parent_group(r).is_some_and(|g| {
                        let short = disa_short_id(&g.common.id);
                        (short.len() != g.common.id.len() && same(short)) || (!exact && same(&g.common.id))
                    })
            });
            if let Some(rule) = found {
                return Ok(rule);
            }
        }
        // The XCCDF 1.2 form of a DISA id (`xccdf_mil.disa.stig_rule_SV-…_rule`) names the same
        // rule in a DISA XCCDF 1.1 benchmark, and the other way round.
        let short = disa_short_id(query);
        if short.len() != query.len()
            && let Ok(rule) = self.find_rule(short)
        {
            return Ok(rule);
        }
        let legacy = self.rules.iter().find(|r| {
            r.idents.iter().any(|i| i.system == LEGACY_SYSTEM && i.value.eq_ignore_ascii_case(query))
        });
        legacy
            .ok_or_else(|| UnknownRule { query: query.to_string(), suggestions: self.near_rule_names(query) })
    }

    fn first_rule_in(&self, group: usize) -> Option<&Rule> {
        self.groups.get(group)?.children.iter().find_map(|c| match *c {
            ItemRef::Rule(r) => self.rules.get(r),
            ItemRef::Group(g) => self.first_rule_in(g),
            ItemRef::Value(_) => None,
        })
    }

    /// Up to five names (of the same kind as the query where possible) close to `query`.
    fn near_rule_names(&self, query: &str) -> Vec<String> {
        let mut names: Vec<&str> = Vec::new();
        for r in &self.rules {
            names.push(r.id());
            names.push(split_rule_id(disa_short_id(r.id())).0);
            names.extend(r.version.as_deref());
            names.extend(r.id().split_once(SSG_RULE_MARK).map(|(_, s)| s));
            names.extend(self.parent_group(r).map(|g| disa_short_id(&g.common.id)));
        }
        near(query, names)
    }
}

/// Up to five of `names` close to `query` (edit distance, else containing it): the suggestions
/// an unknown rule, value, CCI or control name gets.
pub fn near<'a>(query: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let q = query.to_ascii_lowercase();
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    let limit = (q.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| {
            let d = edit_distance(&q, &n.to_ascii_lowercase());
            (d <= limit).then_some((d, *n))
        })
        .collect();
    if scored.is_empty() && q.len() >= 2 {
        scored =
            names.iter().filter(|n| n.to_ascii_lowercase().contains(&q)).map(|n| (n.len(), *n)).collect();
    }
    scored.sort();
    scored.into_iter().take(5).map(|(_, n)| n.to_string()).collect()
}

/// Levenshtein distance over chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// DISA packs several fields into the description; reports want the vulnerability discussion.
/// The DISA description fields other than the discussion (`IAControls`, `FalsePositives`, …), in
/// DISA's order, as the rule carries them (empty ones too: checklists show each).
pub fn rule_description_fields(rule: &crate::model::xccdf::Rule) -> Vec<(String, String)> {
    let Some(text) = rule.common.description.as_ref().map(|d| &d.text) else { return Vec::new() };
    let Some(disa) = DisaDescription::parse(text) else { return Vec::new() };
    DESCRIPTION_TAGS
        .iter()
        .filter(|tag| **tag != "VulnDiscussion")
        .filter_map(|tag| disa.field(tag).map(|v| (tag.to_string(), v.to_string())))
        .collect()
}

/// The tags of a DISA rule description, in the order DISA writes them.
pub const DESCRIPTION_TAGS: [&str; 11] = [
    "VulnDiscussion",
    "FalsePositives",
    "FalseNegatives",
    "Documentable",
    "Mitigations",
    "SeverityOverrideGuidance",
    "PotentialImpacts",
    "ThirdPartyTools",
    "MitigationControl",
    "Responsibility",
    "IAControls",
];

pub fn rule_description(rule: &crate::model::xccdf::Rule) -> Option<String> {
    let text = &rule.common.description.as_ref()?.text;
    let disa = DisaDescription::parse(text).and_then(|d| d.vuln_discussion);
    Some(disa.unwrap_or_else(|| text.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::location::Location;
    use crate::model::xccdf::{Group, Ident, ItemCommon, Role, Text, XccdfVersion};

    fn common(id: &str, title: Option<&str>, parent: Option<usize>) -> ItemCommon {
        ItemCommon {
            id: id.into(),
            title: title.map(Text::plain),
            description: None,
            rationale: None,
            warnings: vec![],
            references: vec![],
            selected: true,
            weight: 10.0,
            hidden: false,
            is_abstract: false,
            cluster_id: None,
            extends: None,
            platforms: vec![],
            requires: vec![],
            conflicts: vec![],
            parent,
            location: Location::unknown(),
        }
    }

    fn bench() -> Benchmark {
        let mut b = Benchmark::new("b".into(), XccdfVersion::V1_1, Location::unknown());
        let ids = [
            ("V-235833", "SV-235833r961395_rule", "DKER-EE-003320"),
            ("V-235834", "SV-235834r1_rule", "DKER-EE-003330"),
        ];
        for (i, (v, sv, stig)) in ids.iter().enumerate() {
            b.groups.push(Group {
                common: common(v, Some("SRG-APP-000358"), None),
                children: vec![ItemRef::Rule(i)],
            });
            b.children.push(ItemRef::Group(i));
            b.rules.push(Rule {
                common: common(sv, Some("t"), Some(i)),
                version: Some(stig.to_string()),
                severity: Severity::Medium,
                role: Role::Full,
                multiple: false,
                idents: vec![
                    Ident { system: LEGACY_SYSTEM.into(), value: format!("V-9{i}") },
                    Ident { system: CCI_SYSTEMS[0].into(), value: "CCI-001851".into() },
                ],
                fixtexts: vec![],
                fixes: vec![],
                checks: vec![],
                complex_check: None,
            });
        }
        b.rules.push(Rule {
            common: common("xccdf_org.ssgproject.content_rule_sshd_disable_root_login", None, None),
            version: None,
            severity: Severity::High,
            role: Role::Full,
            multiple: false,
            idents: vec![],
            fixtexts: vec![],
            fixes: vec![],
            checks: vec![],
            complex_check: None,
        });
        b.build_index();
        b
    }

    #[test]
    fn splits_rule_ids() {
        assert_eq!(split_rule_id("SV-235833r961395_rule"), ("SV-235833", Some("r961395")));
        assert_eq!(split_rule_id("SV-104693r1_rule"), ("SV-104693", Some("r1")));
        assert_eq!(
            split_rule_id("xccdf_org.ssgproject.content_rule_x"),
            ("xccdf_org.ssgproject.content_rule_x", None)
        );
        assert_eq!(split_rule_id("SV-1"), ("SV-1", None));
    }

    #[test]
    fn finds_rules_by_every_name() {
        let b = bench();
        for q in
            ["V-235833", "SV-235833", "SV-235833r961395_rule", "DKER-EE-003320", "dker-ee-003320", "V-90"]
        {
            assert_eq!(b.find_rule(q).unwrap().id(), "SV-235833r961395_rule", "{q}");
        }
        let ssg = "xccdf_org.ssgproject.content_rule_sshd_disable_root_login";
        assert_eq!(b.find_rule("sshd_disable_root_login").unwrap().id(), ssg);
        assert_eq!(b.find_rule(ssg).unwrap().id(), ssg);
    }

    /// The same rule under DISA's XCCDF 1.2 ids (`stigrun build`, DISA SCAP benchmarks).
    #[test]
    fn disa_12_ids_show_and_find_like_the_11_ones() {
        let mut b = bench();
        for g in &mut b.groups {
            g.common.id = format!("xccdf_mil.disa.stig_group_{}", g.common.id);
        }
        b.rules[0].common.id = "xccdf_mil.disa.stig_rule_SV-235833r961395_rule".to_string();
        b.build_index();
        let s = b.stig_rule(&b.rules[0]);
        assert_eq!((s.vuln_id, s.rule_id), (Some("V-235833"), "SV-235833r961395_rule"));
        assert_eq!((s.rule_base, s.revision), ("SV-235833", Some("r961395")));
        for q in ["V-235833", "v-235833", "SV-235833", "SV-235833r961395_rule", "DKER-EE-003320"] {
            assert_eq!(b.find_rule(q).unwrap().id(), "xccdf_mil.disa.stig_rule_SV-235833r961395_rule", "{q}");
        }
        assert!(b.find_rule("V-235853").unwrap_err().suggestions.contains(&"V-235833".to_string()));
        assert_eq!(
            disa_short_id("xccdf_org.ssgproject.content_rule_x"),
            "xccdf_org.ssgproject.content_rule_x"
        );
    }

    #[test]
    fn unknown_rule_suggests_near_names() {
        let b = bench();
        let err = b.find_rule("V-235853").unwrap_err();
        assert!(err.suggestions.contains(&"V-235833".to_string()), "{err}");
        assert!(err.to_string().starts_with("unknown rule `V-235853`; did you mean `V-2358"), "{err}");
        let err = b.find_rule("sshd_disable").unwrap_err();
        assert_eq!(err.suggestions[0], "sshd_disable_root_login");
        assert!(b.find_rule("zzzzzzzzzz").unwrap_err().suggestions.is_empty());
    }

    #[test]
    fn stig_view_fields() {
        let b = bench();
        let s = b.stig_rule(&b.rules[0]);
        assert_eq!(s.vuln_id, Some("V-235833"));
        assert_eq!(s.rule_base, "SV-235833");
        assert_eq!(s.revision, Some("r961395"));
        assert_eq!(s.stig_id, Some("DKER-EE-003320"));
        assert_eq!(s.srg, Some("SRG-APP-000358"));
        assert_eq!(s.category.map(Category::as_str), Some("CAT II"));
        assert_eq!(s.ccis, vec!["CCI-001851"]);
        assert_eq!(s.legacy_ids, vec!["V-90"]);
    }

    #[test]
    fn parses_disa_description_fields() {
        let d = DisaDescription::parse(
            "<VulnDiscussion>Use \"<plugin>\" & more.</VulnDiscussion><FalsePositives></FalsePositives><Documentable>false</Documentable><Custom>c</Custom>",
        )
        .unwrap();
        assert_eq!(d.vuln_discussion.as_deref(), Some("Use \"<plugin>\" & more."));
        assert_eq!(d.false_positives.as_deref(), Some(""));
        assert_eq!(d.field("Documentable"), Some("false"));
        assert_eq!(d.field("Custom"), Some("c"));
        assert_eq!(d.mitigations, None);
        assert!(DisaDescription::parse("plain prose, no tags").is_none());
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
