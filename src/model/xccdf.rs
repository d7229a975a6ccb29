//! XCCDF 1.1 / 1.2 benchmark model. No I/O.
//!
//! Items live in flat vectors in document order (`rules`, `groups`, `values`); the tree is kept
//! through `children` / `parent` indices. This gives document-order iteration, O(1) parents (the
//! DISA V-ID of a rule is its parent group's id) and a cheap id index without reference cycles.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::location::Location;

pub const NS_XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";
pub const NS_XCCDF_12: &str = "http://checklists.nist.gov/xccdf/1.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum XccdfVersion {
    #[serde(rename = "1.1")]
    V1_1,
    #[serde(rename = "1.2")]
    V1_2,
}

impl XccdfVersion {
    pub fn from_namespace(ns: &str) -> Option<XccdfVersion> {
        match ns {
            NS_XCCDF_11 => Some(XccdfVersion::V1_1),
            NS_XCCDF_12 => Some(XccdfVersion::V1_2),
            _ => None,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            XccdfVersion::V1_1 => NS_XCCDF_11,
            XccdfVersion::V1_2 => NS_XCCDF_12,
        }
    }
}

/// A text element: plain text (entities resolved exactly once, xhtml rendered as text) and, when
/// the element held child markup (`<html:code>`, `<sub idref>` …), its raw inner XML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    pub text: String,
    pub markup: Option<String>,
}

impl Text {
    pub fn plain(text: impl Into<String>) -> Self {
        Text { text: text.into(), markup: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub status: String,
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlainText {
    pub id: String,
    pub text: String,
}

/// `<reference>`: either plain text with an optional href, or Dublin Core children
/// (DISA puts its DPMS target in `dc:title`, `dc:publisher`, `dc:identifier` …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// Shared: SSG content repeats the same few hrefs tens of thousands of times.
    pub href: Option<Arc<str>>,
    pub text: String,
    /// Dublin Core elements as (local name, text), in document order.
    pub dublin_core: Vec<(String, String)>,
}

impl Reference {
    pub fn dc(&self, name: &str) -> Option<&str> {
        self.dublin_core.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ident {
    pub system: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Unknown,
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "unknown" => Severity::Unknown,
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Full,
    Unscored,
    Unchecked,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "full" => Role::Full,
            "unscored" => Role::Unscored,
            "unchecked" => Role::Unchecked,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub category: Option<String>,
    pub text: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixText {
    pub fixref: Option<String>,
    pub text: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    pub id: Option<String>,
    pub system: Option<String>,
    pub platform: Option<String>,
    /// Script text (entities resolved; `<sub>` rendered as `[value-id]`), markup kept raw.
    pub text: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckExport {
    pub value_id: String,
    pub export_name: String,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckContentRef {
    pub href: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckImport {
    pub import_name: String,
    pub xpath: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The checking-system URI (OVAL, OCIL, SCE); DISA manual benchmarks put the check id here.
    pub system: String,
    pub id: Option<String>,
    pub selector: Option<String>,
    pub multi_check: bool,
    pub negate: bool,
    pub exports: Vec<CheckExport>,
    pub content_refs: Vec<CheckContentRef>,
    /// Inline `check-content` text (DISA: the manual check procedure).
    pub content: Option<String>,
    pub imports: Vec<CheckImport>,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CheckOperator {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CheckNode {
    Check(Check),
    Complex(ComplexCheck),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplexCheck {
    pub operator: CheckOperator,
    pub negate: bool,
    pub children: Vec<CheckNode>,
    pub location: Location,
}

/// Position of an item in the benchmark's flat vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ItemRef {
    Group(usize),
    Rule(usize),
    Value(usize),
}

/// Fields shared by groups and rules (XCCDF `selectableItemType`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemCommon {
    pub id: String,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub rationale: Option<Text>,
    pub warnings: Vec<Warning>,
    pub references: Vec<Reference>,
    pub selected: bool,
    pub weight: f64,
    pub hidden: bool,
    pub is_abstract: bool,
    pub cluster_id: Option<String>,
    pub extends: Option<String>,
    pub platforms: Vec<String>,
    /// Each `<requires idref="a b">` is one entry; any one of its ids satisfies it.
    pub requires: Vec<Vec<String>>,
    pub conflicts: Vec<String>,
    /// Index of the enclosing group in `Benchmark::groups`.
    pub parent: Option<usize>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub common: ItemCommon,
    pub children: Vec<ItemRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub common: ItemCommon,
    /// `<version>`: for DISA content, the STIG ID (e.g. `DKER-EE-003320`).
    pub version: Option<String>,
    pub severity: Severity,
    pub role: Role,
    pub multiple: bool,
    pub idents: Vec<Ident>,
    pub fixtexts: Vec<FixText>,
    pub fixes: Vec<Fix>,
    pub checks: Vec<Check>,
    pub complex_check: Option<ComplexCheck>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.common.id
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    #[default]
    String,
    Number,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValueOperator {
    #[default]
    Equals,
    NotEqual,
    GreaterThan,
    LessThan,
    GreaterThanOrEqual,
    LessThanOrEqual,
    PatternMatch,
}

impl ValueOperator {
    pub fn parse(s: &str) -> Option<ValueOperator> {
        Some(match s {
            "equals" => ValueOperator::Equals,
            "not equal" => ValueOperator::NotEqual,
            "greater than" => ValueOperator::GreaterThan,
            "less than" => ValueOperator::LessThan,
            "greater than or equal" => ValueOperator::GreaterThanOrEqual,
            "less than or equal" => ValueOperator::LessThanOrEqual,
            "pattern match" => ValueOperator::PatternMatch,
            _ => return None,
        })
    }
}

/// A value (or bound, default …) for one selector; `selector: None` is the default one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selected {
    pub selector: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choices {
    pub selector: Option<String>,
    pub must_match: bool,
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub id: String,
    pub value_type: ValueType,
    pub operator: ValueOperator,
    pub interactive: bool,
    pub hidden: bool,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub values: Vec<Selected>,
    pub defaults: Vec<Selected>,
    pub lower_bounds: Vec<Selected>,
    pub upper_bounds: Vec<Selected>,
    pub choices: Vec<Choices>,
    pub parent: Option<usize>,
    pub location: Location,
}

impl Value {
    /// The value for `selector`, falling back to the unnamed one (XCCDF value resolution).
    pub fn value_for(&self, selector: Option<&str>) -> Option<&str> {
        // XCCDF 1.2 schema (`selector` of a Value's value): the matching selector, else the value
        // without one, else the first listed — a Value always has an active value.
        let find = |s: Option<&str>| self.values.iter().find(|v| v.selector.as_deref() == s);
        selector
            .and_then(|s| find(Some(s)))
            .or_else(|| find(None))
            .or_else(|| self.values.first())
            .map(|v| v.value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileSelect {
    pub idref: String,
    pub selected: bool,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefineValue {
    pub idref: String,
    pub selector: Option<String>,
    pub operator: Option<ValueOperator>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefineRule {
    pub idref: String,
    pub severity: Option<Severity>,
    pub weight: Option<f64>,
    pub role: Option<Role>,
    pub selector: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetValue {
    pub idref: String,
    pub value: String,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub id: String,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub extends: Option<String>,
    pub is_abstract: bool,
    pub platforms: Vec<String>,
    pub selects: Vec<ProfileSelect>,
    pub refine_values: Vec<RefineValue>,
    pub refine_rules: Vec<RefineRule>,
    pub set_values: Vec<SetValue>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benchmark {
    pub id: String,
    pub xccdf_version: XccdfVersion,
    pub resolved: bool,
    pub lang: Option<String>,
    pub statuses: Vec<Status>,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub version: Option<String>,
    /// DISA's `<plain-text id="release-info">`, e.g. "Release: 2 Benchmark Date: 24 Jul 2024".
    pub release_info: Option<String>,
    pub plain_texts: Vec<PlainText>,
    /// CPE names or platform-specification ids of `<platform idref>`.
    pub platforms: Vec<String>,
    /// The `cpe-lang:platform-specification` element as standalone XML (namespaces declared),
    /// parsed by the scan's CPE module when applicability is evaluated.
    pub platform_specification: Option<String>,
    /// The CPE dictionary embedded in the benchmark: a CPE 1.0 `cpe-list` (XCCDF 1.1) or a CPE 2.x
    /// one (which the XCCDF 1.2 schema does not allow, read all the same).
    pub cpe_dictionary: super::cpe::CpeDictionary,
    pub references: Vec<Reference>,
    pub profiles: Vec<Profile>,
    pub groups: Vec<Group>,
    pub rules: Vec<Rule>,
    pub values: Vec<Value>,
    /// Top-level items in document order.
    pub children: Vec<ItemRef>,
    pub location: Location,
    #[serde(skip)]
    index: HashMap<String, ItemRef>,
    #[serde(skip)]
    profile_index: HashMap<String, usize>,
}

impl Benchmark {
    /// The publisher the benchmark's references name (DISA's STIGs: `<reference
    /// href="https://cyber.mil"><dc:publisher>DISA</dc:publisher>`).
    pub fn publisher(&self) -> Option<&str> {
        self.references.iter().find_map(|r| r.dc("publisher"))
    }

    /// An empty benchmark; the loader fills it and calls [`Benchmark::build_index`].
    pub fn new(id: String, xccdf_version: XccdfVersion, location: Location) -> Self {
        Benchmark {
            id,
            xccdf_version,
            resolved: false,
            lang: None,
            statuses: Vec::new(),
            title: None,
            description: None,
            version: None,
            release_info: None,
            plain_texts: Vec::new(),
            platforms: Vec::new(),
            platform_specification: None,
            cpe_dictionary: Default::default(),
            references: Vec::new(),
            profiles: Vec::new(),
            groups: Vec::new(),
            rules: Vec::new(),
            values: Vec::new(),
            children: Vec::new(),
            location,
            index: HashMap::new(),
            profile_index: HashMap::new(),
        }
    }

    /// (Re)build the id indexes. Returns the ids defined more than once, with both locations
    /// (first definition, duplicate); the first definition stays indexed.
    pub fn build_index(&mut self) -> Vec<(String, Location, Location)> {
        let mut duplicates = Vec::new();
        let mut index = HashMap::with_capacity(self.groups.len() + self.rules.len() + self.values.len());
        let items = (0..self.groups.len())
            .map(ItemRef::Group)
            .chain((0..self.rules.len()).map(ItemRef::Rule))
            .chain((0..self.values.len()).map(ItemRef::Value));
        for item in items {
            let (id, location) = self.item_id_location(item);
            if let Some(first) = index.get(id) {
                let (_, first_location) = self.item_id_location(*first);
                duplicates.push((id.to_string(), first_location.clone(), location.clone()));
            } else {
                index.insert(id.to_string(), item);
            }
        }
        let mut profile_index = HashMap::with_capacity(self.profiles.len());
        for (i, p) in self.profiles.iter().enumerate() {
            if let Some(&first) = profile_index.get(&p.id) {
                let first: &Profile = &self.profiles[first];
                duplicates.push((p.id.clone(), first.location.clone(), p.location.clone()));
            } else {
                profile_index.insert(p.id.clone(), i);
            }
        }
        self.index = index;
        self.profile_index = profile_index;
        duplicates
    }

    fn item_id_location(&self, item: ItemRef) -> (&str, &Location) {
        match item {
            ItemRef::Group(i) => (&self.groups[i].common.id, &self.groups[i].common.location),
            ItemRef::Rule(i) => (&self.rules[i].common.id, &self.rules[i].common.location),
            ItemRef::Value(i) => (&self.values[i].id, &self.values[i].location),
        }
    }

    pub fn item(&self, id: &str) -> Option<ItemRef> {
        self.index.get(id).copied()
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        match self.item(id)? {
            ItemRef::Rule(i) => self.rules.get(i),
            _ => None,
        }
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        match self.item(id)? {
            ItemRef::Group(i) => self.groups.get(i),
            _ => None,
        }
    }

    pub fn value(&self, id: &str) -> Option<&Value> {
        match self.item(id)? {
            ItemRef::Value(i) => self.values.get(i),
            _ => None,
        }
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profile_index.get(id).and_then(|&i| self.profiles.get(i))
    }

    /// The position of profile `id` in [`Benchmark::profiles`].
    pub fn profile_index_of(&self, id: &str) -> Option<usize> {
        self.profile_index.get(id).copied().filter(|&i| i < self.profiles.len())
    }

    /// The group directly containing `rule`.
    pub fn parent_group(&self, rule: &Rule) -> Option<&Group> {
        rule.common.parent.and_then(|i| self.groups.get(i))
    }

    /// Does a `cluster-id` equal `id` (profile selects may name a cluster, XCCDF 1.2)?
    pub fn has_cluster(&self, id: &str) -> bool {
        self.groups
            .iter()
            .map(|g| &g.common)
            .chain(self.rules.iter().map(|r| &r.common))
            .any(|c| c.cluster_id.as_deref() == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(id: &str, parent: Option<usize>) -> ItemCommon {
        ItemCommon {
            id: id.into(),
            title: None,
            description: None,
            rationale: None,
            warnings: vec![],
            references: vec![],
            selected: true,
            weight: 1.0,
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

    fn rule(id: &str, parent: Option<usize>) -> Rule {
        Rule {
            common: common(id, parent),
            version: None,
            severity: Severity::Medium,
            role: Role::Full,
            multiple: false,
            idents: vec![],
            fixtexts: vec![],
            fixes: vec![],
            checks: vec![],
            complex_check: None,
        }
    }

    #[test]
    fn index_finds_items_and_reports_duplicates() {
        let mut b = Benchmark::new("b".into(), XccdfVersion::V1_1, Location::unknown());
        b.groups.push(Group { common: common("V-1", None), children: vec![ItemRef::Rule(0)] });
        b.rules.push(rule("SV-1r1_rule", Some(0)));
        b.rules.push(rule("V-1", None));
        let dups = b.build_index();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].0, "V-1");
        let r = b.rule("SV-1r1_rule").unwrap();
        assert_eq!(b.parent_group(r).unwrap().common.id, "V-1");
        assert!(b.group("V-1").is_some());
        assert!(b.rule("V-1").is_none());
    }

    #[test]
    fn value_for_falls_back_to_default_selector() {
        let v = Value {
            id: "v".into(),
            value_type: ValueType::Number,
            operator: ValueOperator::Equals,
            interactive: false,
            hidden: false,
            title: None,
            description: None,
            values: vec![
                Selected { selector: None, value: "5".into() },
                Selected { selector: Some("ten".into()), value: "10".into() },
            ],
            defaults: vec![],
            lower_bounds: vec![],
            upper_bounds: vec![],
            choices: vec![],
            parent: None,
            location: Location::unknown(),
        };
        assert_eq!(v.value_for(Some("ten")), Some("10"));
        let no_default = Value { values: v.values[1..].to_vec(), ..v.clone() };
        assert_eq!(no_default.value_for(None), Some("10"), "no default: the first value");
        assert_eq!(no_default.value_for(Some("other")), Some("10"));
        assert_eq!(v.value_for(Some("nope")), Some("5"));
        assert_eq!(v.value_for(None), Some("5"));
    }
}
