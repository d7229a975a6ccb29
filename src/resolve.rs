//! Profile resolution: which rules a profile selects, with which values and refinements.
//!
//! XCCDF 1.2 §7.2.2: start from each item's own `selected` attribute, apply the profile's
//! `extends` chain from the root ancestor down, then the profile's own `select`s in document
//! order (a later select of the same item wins). A `select` may name a rule, a group or a
//! `cluster-id`. A rule is processed only if it and every enclosing group are selected: an
//! unselected group takes its whole subtree out (the rules come out `notselected`).

use std::collections::HashMap;

use serde::Serialize;

use crate::model::location::Location;
use crate::model::xccdf::{Benchmark, ItemRef, Profile, Role, Severity};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    #[error("unknown profile `{query}`; the benchmark has: {available}")]
    UnknownProfile { query: String, available: String },
    #[error("profile `{query}` is ambiguous: it matches {candidates}")]
    AmbiguousProfile { query: String, candidates: String },
    #[error("{location}: profile `{profile}` extends unknown profile `{parent}`")]
    UnknownParent { profile: String, parent: String, location: Location },
    #[error("{location}: profile `{profile}` extends itself through `{cycle}`")]
    ExtendsCycle { profile: String, cycle: String, location: Location },
}

/// A rule's refinements from `refine-rule` (None = unchanged).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleRefinement {
    pub severity: Option<Severity>,
    pub weight: Option<f64>,
    pub role: Option<Role>,
    /// Selects among a rule's checks by `check/@selector`.
    pub check_selector: Option<String>,
}

/// The outcome of resolving a profile (or no profile) against a benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// `None` when evaluating the benchmark's defaults.
    pub profile_id: Option<String>,
    /// Per rule (index into `Benchmark::rules`): processed by this profile?
    pub rule_selected: Vec<bool>,
    /// Value id → the value in force (set-value, else refine-value's selector, else default).
    pub values: HashMap<String, String>,
    /// Rule index → refinements.
    pub refinements: HashMap<usize, RuleRefinement>,
}

impl Resolved {
    /// Indices of the selected rules, in document order.
    pub fn selected_rules(&self) -> impl Iterator<Item = usize> + '_ {
        self.rule_selected.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i)
    }

    pub fn selected_count(&self) -> usize {
        self.rule_selected.iter().filter(|s| **s).count()
    }

    /// The severity in force for a rule (refined or its own).
    pub fn severity(&self, benchmark: &Benchmark, rule: usize) -> Severity {
        self.refinements.get(&rule).and_then(|r| r.severity).unwrap_or(benchmark.rules[rule].severity)
    }

    pub fn weight(&self, benchmark: &Benchmark, rule: usize) -> f64 {
        self.refinements.get(&rule).and_then(|r| r.weight).unwrap_or(benchmark.rules[rule].common.weight)
    }

    pub fn role(&self, benchmark: &Benchmark, rule: usize) -> Role {
        self.refinements.get(&rule).and_then(|r| r.role).unwrap_or(benchmark.rules[rule].role)
    }
}

/// Find a profile by exact id, or by a unique suffix (`stig` finds
/// `xccdf_org.ssgproject.content_profile_stig`, as oscap accepts).
pub fn find_profile<'b>(benchmark: &'b Benchmark, query: &str) -> Result<&'b Profile, ResolveError> {
    if let Some(p) = benchmark.profile(query) {
        return Ok(p);
    }
    let suffix = format!("_{query}");
    let candidates: Vec<&Profile> = benchmark.profiles.iter().filter(|p| p.id.ends_with(&suffix)).collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(ResolveError::UnknownProfile {
            query: query.to_string(),
            available: if benchmark.profiles.is_empty() {
                "no profiles".to_string()
            } else {
                benchmark.profiles.iter().map(|p| format!("`{}`", p.id)).collect::<Vec<_>>().join(", ")
            },
        }),
        many => Err(ResolveError::AmbiguousProfile {
            query: query.to_string(),
            candidates: many.iter().map(|p| format!("`{}`", p.id)).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// The profile and its ancestors, root ancestor first.
fn extends_chain<'b>(
    benchmark: &'b Benchmark,
    profile: &'b Profile,
) -> Result<Vec<&'b Profile>, ResolveError> {
    let mut chain = vec![profile];
    let mut current = profile;
    while let Some(parent_id) = &current.extends {
        let parent = benchmark.profile(parent_id).ok_or_else(|| ResolveError::UnknownParent {
            profile: current.id.clone(),
            parent: parent_id.clone(),
            location: current.location.clone(),
        })?;
        if chain.iter().any(|p| p.id == parent.id) {
            return Err(ResolveError::ExtendsCycle {
                profile: profile.id.clone(),
                cycle: parent.id.clone(),
                location: profile.location.clone(),
            });
        }
        chain.push(parent);
        current = parent;
    }
    chain.reverse();
    Ok(chain)
}

/// Resolve `profile` (or the benchmark defaults when `None`).
pub fn resolve(benchmark: &Benchmark, profile: Option<&Profile>) -> Result<Resolved, ResolveError> {
    let mut group_selected: Vec<bool> = benchmark.groups.iter().map(|g| g.common.selected).collect();
    let mut rule_selected: Vec<bool> = benchmark.rules.iter().map(|r| r.common.selected).collect();
    let mut value_selector: HashMap<String, Option<String>> = HashMap::new();
    let mut set_values: HashMap<String, String> = HashMap::new();
    let mut refinements: HashMap<usize, RuleRefinement> = HashMap::new();

    let chain = match profile {
        Some(p) => extends_chain(benchmark, p)?,
        None => Vec::new(),
    };
    for p in &chain {
        for select in &p.selects {
            for item in items_named(benchmark, &select.idref) {
                match item {
                    ItemRef::Group(g) => group_selected[g] = select.selected,
                    ItemRef::Rule(r) => rule_selected[r] = select.selected,
                    ItemRef::Value(_) => {}
                }
            }
        }
        for rv in &p.refine_values {
            value_selector.insert(rv.idref.clone(), rv.selector.clone());
        }
        for sv in &p.set_values {
            set_values.insert(sv.idref.clone(), sv.value.clone());
        }
        for rr in &p.refine_rules {
            for item in items_named(benchmark, &rr.idref) {
                let rules: Vec<usize> = match item {
                    ItemRef::Rule(r) => vec![r],
                    ItemRef::Group(g) => rules_under(benchmark, g),
                    ItemRef::Value(_) => vec![],
                };
                for r in rules {
                    let entry = refinements.entry(r).or_default();
                    entry.severity = rr.severity.or(entry.severity);
                    entry.weight = rr.weight.or(entry.weight);
                    entry.role = rr.role.or(entry.role);
                    if rr.selector.is_some() {
                        entry.check_selector = rr.selector.clone();
                    }
                }
            }
        }
    }

    // A rule counts only when every enclosing group is selected too.
    for (i, rule) in benchmark.rules.iter().enumerate() {
        let mut parent = rule.common.parent;
        while let Some(g) = parent {
            if !group_selected[g] {
                rule_selected[i] = false;
                break;
            }
            parent = benchmark.groups[g].common.parent;
        }
    }

    let mut values = HashMap::with_capacity(benchmark.values.len());
    for value in &benchmark.values {
        let chosen = match set_values.get(&value.id) {
            Some(v) => Some(v.clone()),
            None => {
                let selector = value_selector.get(&value.id).and_then(|s| s.as_deref());
                value.value_for(selector).map(str::to_string)
            }
        };
        if let Some(v) = chosen {
            values.insert(value.id.clone(), v);
        }
    }

    Ok(Resolved { profile_id: profile.map(|p| p.id.clone()), rule_selected, values, refinements })
}

/// Items a `select`/`refine-rule` idref names: the item with that id, or every item of that cluster.
fn items_named(benchmark: &Benchmark, idref: &str) -> Vec<ItemRef> {
    if let Some(item) = benchmark.item(idref) {
        return vec![item];
    }
    let groups = benchmark
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.common.cluster_id.as_deref() == Some(idref))
        .map(|(i, _)| ItemRef::Group(i));
    let rules = benchmark
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.common.cluster_id.as_deref() == Some(idref))
        .map(|(i, _)| ItemRef::Rule(i));
    groups.chain(rules).collect()
}

/// Every rule inside group `g`, at any depth.
fn rules_under(benchmark: &Benchmark, g: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for child in &benchmark.groups[g].children {
        match *child {
            ItemRef::Rule(r) => out.push(r),
            ItemRef::Group(sub) => out.extend(rules_under(benchmark, sub)),
            ItemRef::Value(_) => {}
        }
    }
    out
}
