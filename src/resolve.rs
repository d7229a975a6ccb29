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

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
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

/// Add a tailoring's profiles to the benchmark. A tailoring profile with the id of a benchmark
/// profile replaces it; when it also extends that id (XCCDF 1.2, IR 7275r4 §6.7: a tailoring
/// profile may shadow the benchmark profile it customizes), it extends the benchmark's original,
/// which stays under a private id no content can name (ids are NCNames, without spaces).
pub fn merge_tailoring(benchmark: &mut Benchmark, tailoring: &[Profile]) {
    if tailoring.is_empty() {
        return;
    }
    let mut added: Vec<Profile> = Vec::with_capacity(tailoring.len());
    for t in tailoring {
        let mut t = t.clone();
        if let Some(i) = benchmark.profiles.iter().position(|p| p.id == t.id) {
            if t.extends.as_deref() == Some(t.id.as_str()) {
                let original = format!("{} (benchmark)", t.id);
                benchmark.profiles[i].id = original.clone();
                t.extends = Some(original);
            } else {
                benchmark.profiles.remove(i);
            }
        }
        added.push(t);
    }
    benchmark.profiles.extend(added);
    benchmark.build_index();
}

/// The ids a profile's selects, refine-values, set-values and refine-rules name that the
/// benchmark does not have (as item or cluster): oscap warns of them and ignores them.
pub fn unknown_idrefs(
    benchmark: &Benchmark,
    profile: &Profile,
) -> Vec<(String, crate::model::location::Location)> {
    let known = |id: &str| !items_named(benchmark, id).is_empty();
    let mut unknown = Vec::new();
    for s in &profile.selects {
        if !known(&s.idref) {
            unknown.push((s.idref.clone(), s.location.clone()));
        }
    }
    for r in &profile.refine_rules {
        if !known(&r.idref) {
            unknown.push((r.idref.clone(), r.location.clone()));
        }
    }
    for v in &profile.refine_values {
        if benchmark.value(&v.idref).is_none() {
            unknown.push((v.idref.clone(), v.location.clone()));
        }
    }
    for v in &profile.set_values {
        if benchmark.value(&v.idref).is_none() {
            unknown.push((v.idref.clone(), v.location.clone()));
        }
    }
    unknown
}

/// What a chain of profiles has said so far, before group selection is applied to rules.
#[derive(Debug, Clone)]
struct Selections {
    group_selected: Vec<bool>,
    rule_selected: Vec<bool>,
    value_selector: HashMap<String, Option<String>>,
    set_values: HashMap<String, String>,
    refinements: HashMap<usize, RuleRefinement>,
}

impl Selections {
    /// The benchmark's own `selected` attributes.
    fn defaults(benchmark: &Benchmark) -> Selections {
        Selections {
            group_selected: benchmark.groups.iter().map(|g| g.common.selected).collect(),
            rule_selected: benchmark.rules.iter().map(|r| r.common.selected).collect(),
            value_selector: HashMap::new(),
            set_values: HashMap::new(),
            refinements: HashMap::new(),
        }
    }

    /// Apply one profile's own selects, refine-values, set-values and refine-rules.
    fn apply(&mut self, benchmark: &Benchmark, p: &Profile) {
        for select in &p.selects {
            for item in items_named(benchmark, &select.idref) {
                match item {
                    ItemRef::Group(g) => self.group_selected[g] = select.selected,
                    ItemRef::Rule(r) => self.rule_selected[r] = select.selected,
                    ItemRef::Value(_) => {}
                }
            }
        }
        for rv in &p.refine_values {
            self.value_selector.insert(rv.idref.clone(), rv.selector.clone());
        }
        for sv in &p.set_values {
            self.set_values.insert(sv.idref.clone(), sv.value.clone());
        }
        for rr in &p.refine_rules {
            for item in items_named(benchmark, &rr.idref) {
                let rules: Vec<usize> = match item {
                    ItemRef::Rule(r) => vec![r],
                    ItemRef::Group(g) => rules_under(benchmark, g),
                    ItemRef::Value(_) => vec![],
                };
                for r in rules {
                    let entry = self.refinements.entry(r).or_default();
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

    /// The outcome: a rule counts only when every enclosing group is selected too; values take
    /// set-value, else refine-value's selector, else the default.
    fn finish(mut self, benchmark: &Benchmark, profile_id: Option<String>) -> Resolved {
        for (i, rule) in benchmark.rules.iter().enumerate() {
            let mut parent = rule.common.parent;
            while let Some(g) = parent {
                if !self.group_selected[g] {
                    self.rule_selected[i] = false;
                    break;
                }
                parent = benchmark.groups[g].common.parent;
            }
        }
        let mut values = HashMap::with_capacity(benchmark.values.len());
        for value in &benchmark.values {
            let chosen = match self.set_values.get(&value.id) {
                Some(v) => Some(v.clone()),
                None => {
                    let selector = self.value_selector.get(&value.id).and_then(|s| s.as_deref());
                    value.value_for(selector).map(str::to_string)
                }
            };
            if let Some(v) = chosen {
                values.insert(value.id.clone(), v);
            }
        }
        Resolved { profile_id, rule_selected: self.rule_selected, values, refinements: self.refinements }
    }
}

/// The profile and its ancestors, root ancestor first. Linear in the chain's length (a long
/// hostile chain must not cost its square).
fn extends_chain<'b>(
    benchmark: &'b Benchmark,
    profile: &'b Profile,
) -> Result<Vec<&'b Profile>, ResolveError> {
    let mut chain = vec![profile];
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::from([profile.id.as_str()]);
    let mut current = profile;
    while let Some(parent_id) = &current.extends {
        let parent = benchmark.profile(parent_id).ok_or_else(|| ResolveError::UnknownParent {
            profile: current.id.clone(),
            parent: parent_id.clone(),
            location: current.location.clone(),
        })?;
        if !seen.insert(parent.id.as_str()) {
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
    let mut selections = Selections::defaults(benchmark);
    if let Some(p) = profile {
        for ancestor in extends_chain(benchmark, p)? {
            selections.apply(benchmark, ancestor);
        }
    }
    Ok(selections.finish(benchmark, profile.map(|p| p.id.clone())))
}

/// Resolve every profile of the benchmark, in order. Each profile starts from its parent's
/// selections, computed once, so the cost grows with the number of profiles and not with the sum
/// of their chain lengths (`info` on a 10,000-profile chain).
pub fn resolve_all(benchmark: &Benchmark) -> Vec<Result<Resolved, ResolveError>> {
    let count = benchmark.profiles.len();
    let mut memo: Vec<Option<Result<Selections, ResolveError>>> = vec![None; count];
    for start in 0..count {
        // Walk up to the nearest ancestor already resolved (or the root), then resolve down.
        let mut pending: Vec<usize> = Vec::new();
        let mut on_path = std::collections::HashSet::new();
        let mut current = start;
        let base: Result<Selections, ResolveError> = loop {
            if let Some(done) = &memo[current] {
                break done.clone();
            }
            if !on_path.insert(current) {
                let p = &benchmark.profiles[current];
                break Err(ResolveError::ExtendsCycle {
                    profile: p.id.clone(),
                    cycle: p.id.clone(),
                    location: p.location.clone(),
                });
            }
            pending.push(current);
            let p = &benchmark.profiles[current];
            match &p.extends {
                None => break Ok(Selections::defaults(benchmark)),
                Some(parent_id) => match benchmark.profile_index_of(parent_id) {
                    Some(parent) => current = parent,
                    None => {
                        break Err(ResolveError::UnknownParent {
                            profile: p.id.clone(),
                            parent: parent_id.clone(),
                            location: p.location.clone(),
                        });
                    }
                },
            }
        };
        let mut state = base;
        for &index in pending.iter().rev() {
            if let Ok(selections) = &mut state {
                selections.apply(benchmark, &benchmark.profiles[index]);
            }
            memo[index] = Some(state.clone());
        }
    }
    memo.into_iter()
        .zip(&benchmark.profiles)
        .map(|(state, p)| match state {
            Some(Ok(selections)) => Ok(selections.finish(benchmark, Some(p.id.clone()))),
            Some(Err(e)) => Err(e),
            None => unreachable!("every profile is resolved by the loop above"),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{Input, Selection, load_benchmark};

    fn benchmark(profiles: &str) -> Benchmark {
        let xml = format!(
            r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_x_benchmark_b"><status>draft</status><version>1</version>{profiles}
<Group id="xccdf_x_group_g"><title>g</title><Rule id="xccdf_x_rule_a" selected="false"><title>a</title></Rule><Rule id="xccdf_x_rule_b"><title>b</title></Rule></Group>
<Rule id="xccdf_x_rule_c"><title>c</title></Rule></Benchmark>"#
        );
        load_benchmark(Input::Bytes { name: "b.xml", bytes: xml.as_bytes() }, &Selection::default())
            .unwrap()
            .benchmark
    }

    fn selected(r: &Resolved) -> Vec<bool> {
        r.rule_selected.clone()
    }

    #[test]
    fn resolving_all_profiles_at_once_equals_resolving_each() {
        let b = benchmark(
            r#"<Profile id="xccdf_x_profile_base"><title>t</title><select idref="xccdf_x_rule_a" selected="true"/></Profile>
<Profile id="xccdf_x_profile_child" extends="xccdf_x_profile_base"><title>t</title><select idref="xccdf_x_group_g" selected="false"/></Profile>
<Profile id="xccdf_x_profile_grandchild" extends="xccdf_x_profile_child"><title>t</title><select idref="xccdf_x_group_g" selected="true"/><select idref="xccdf_x_rule_c" selected="false"/></Profile>
<Profile id="xccdf_x_profile_loop1" extends="xccdf_x_profile_loop2"><title>t</title></Profile>
<Profile id="xccdf_x_profile_loop2" extends="xccdf_x_profile_loop1"><title>t</title></Profile>"#,
        );
        let all = resolve_all(&b);
        assert_eq!(all.len(), b.profiles.len());
        for (p, at_once) in b.profiles.iter().zip(&all) {
            match (resolve(&b, Some(p)), at_once) {
                (Ok(one), Ok(many)) => {
                    assert_eq!(selected(&one), selected(many), "{}", p.id);
                    assert_eq!(one.values, many.values);
                    assert_eq!(one.profile_id, many.profile_id);
                }
                (Err(_), Err(_)) => {}
                (one, many) => panic!("{}: {one:?} vs {many:?}", p.id),
            }
        }
        assert_eq!(selected(all[2].as_ref().unwrap()), [true, true, false]);
        // (The loader refuses an unknown parent; a cycle loads and is refused here.)
        assert!(matches!(all[3], Err(ResolveError::ExtendsCycle { .. })));
        assert!(matches!(all[4], Err(ResolveError::ExtendsCycle { .. })));
    }

    #[test]
    fn a_ten_thousand_profile_chain_resolves_in_one_pass() {
        let profiles: String = (0..10_000)
            .map(|i| {
                let extends = if i == 0 { String::new() } else { format!(r#" extends="xccdf_x_profile_p{}""#, i - 1) };
                let on = if i % 2 == 0 { "true" } else { "false" };
                format!(r#"<Profile id="xccdf_x_profile_p{i}"{extends}><title>p</title><select idref="xccdf_x_rule_c" selected="{on}"/></Profile>"#)
            })
            .collect();
        let b = benchmark(&profiles);
        let all = resolve_all(&b);
        assert_eq!(all.len(), 10_000);
        assert!(all[9_998].as_ref().unwrap().rule_selected[2]);
        assert!(!all[9_999].as_ref().unwrap().rule_selected[2]);
        // The chain itself is walked in linear time too (no quadratic cycle check).
        assert_eq!(extends_chain(&b, &b.profiles[9_999]).unwrap().len(), 10_000);
    }
}
