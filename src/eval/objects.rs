//! Objects: resolve entity `var_ref`s, dispatch to the probe registered for the object type,
//! combine `<set>`s, apply filters. Each object is collected once per run (cached in the session).

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::model::oval::{
    Datatype, Entity, Family, Filter, FilterAction, Item, Object, ObjectBody, OvalDefinitions, Set,
    SetOperator, State,
};
use crate::probes::{ItemFilter, ProbeContext, Registry, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;
use crate::semantics::OvalResult;
use crate::semantics::ResolvedEntity;

use super::session::{ObjectOutcome, ResolutionStack, Session, item_key};
use super::states::item_against_state;
use super::variables::variable_values;
use crate::diag::{Code, Diagnostic, Subject};

/// Collect object `id` (from the cache if it was collected before).
pub fn collect_object(session: &Session<'_>, id: &str, stack: &mut ResolutionStack) -> Arc<ObjectOutcome> {
    if let Some(cached) = session.cached_object(id) {
        return cached;
    }
    if let Err(why) = stack.enter(id) {
        return Arc::new(ObjectOutcome::flagged(CollectedFlag::Error, why));
    }
    let outcome = match session.defs.objects.get(id) {
        Some(object) => compute_object(session, object, stack),
        None => ObjectOutcome::flagged(CollectedFlag::Error, format!("object `{id}` is not defined")),
    };
    stack.leave();
    session.cache_object(id, outcome)
}

/// True when collecting `object` needs nothing but its probe and the states of its filters (no
/// variables or sets), so it can be collected on any thread in any order.
pub fn is_independent(defs: &OvalDefinitions, object: &Object) -> bool {
    match &object.body {
        ObjectBody::Entities { entities, filters, .. } => {
            !uses_variables(entities)
                && filters.iter().all(|f| {
                    defs.states.get(&f.state_ref).is_some_and(|state| !uses_variables(&state.entities))
                })
                && !is_variable_object(object)
        }
        ObjectBody::Set(_) => false,
    }
}

/// Does an entity (or a record field) take its value from a variable?
fn uses_variables(entities: &[Entity]) -> bool {
    entities.iter().any(|e| e.var_ref.is_some() || e.fields.iter().any(|f| f.var_ref.is_some()))
}

fn is_variable_object(object: &Object) -> bool {
    object.kind.family == Family::Independent && object.kind.name == "variable_object"
}

fn compute_object(session: &Session<'_>, object: &Object, stack: &mut ResolutionStack) -> ObjectOutcome {
    match &object.body {
        ObjectBody::Set(set) => collect_set(session, object, set, stack),
        ObjectBody::Entities { entities, behaviors, filters } => {
            let mut resolved = Vec::with_capacity(entities.len());
            let mut variable_values_used = Vec::new();
            for entity in entities {
                match resolve_entity(session, entity, stack, &mut variable_values_used) {
                    Ok(r) => resolved.push(r),
                    Err(mut early) => {
                        early.variable_values = variable_values_used;
                        return early;
                    }
                }
            }
            let mut outcome = if is_variable_object(object) {
                collect_variable_object(session, object, &resolved, stack)
            } else {
                let pushed = PushedFilters::of(session, filters, stack);
                run_probe(session, object, resolved, behaviors, pushed.as_ref())
            };
            variable_values_used.append(&mut outcome.variable_values);
            outcome.variable_values = variable_values_used;
            apply_filters(session, object, &mut outcome, filters, stack);
            outcome
        }
    }
}

/// An entity with its values: the literal, or every value of its variable. A variable without
/// usable values ends collection here with `does not exist` (a reference cycle: `error`).
fn resolve_entity(
    session: &Session<'_>,
    entity: &Entity,
    stack: &mut ResolutionStack,
    used: &mut Vec<(String, String)>,
) -> Result<ResolvedEntity, ObjectOutcome> {
    let mut datatype = entity.datatype;
    let (values, from_variable) = match &entity.var_ref {
        Some(var_id) => {
            let vars = variable_values(session, var_id, stack);
            used.extend(vars.values.iter().map(|v| (var_id.clone(), v.clone())));
            if !vars.usable() {
                // Like OpenSCAP: whatever went wrong with the variable, the object does not exist
                // (a test with check_existence none_exist passes); OpenSCAP's wording.
                let mut messages = vec![
                    Diagnostic::new(
                        Code::Variable,
                        if vars.flag == CollectedFlag::DoesNotExist {
                            format!("referenced variable `{var_id}` has no values")
                        } else {
                            format!("there was a problem processing referenced variable `{var_id}`")
                        },
                    )
                    .about(Subject::Oval { id: var_id.clone() }),
                ];
                messages.extend(vars.messages.iter().cloned());
                let cycle = vars.messages.iter().any(|m| m.code == Code::Circular);
                let mut outcome = ObjectOutcome::empty(if cycle {
                    CollectedFlag::Error
                } else {
                    CollectedFlag::DoesNotExist
                });
                outcome.messages = messages;
                return Err(outcome);
            }
            // Compared as the variable's declared datatype, as in states.
            if let Some(variable) = session.defs.variables.get(var_id) {
                datatype = variable.datatype;
            }
            (vars.values.clone(), true)
        }
        None if entity.nil => (Vec::new(), false),
        None => (vec![entity.value.clone().unwrap_or_default()], false),
    };
    Ok(ResolvedEntity {
        name: entity.name.clone(),
        datatype,
        operation: entity.operation,
        values,
        var_check: entity.var_check,
        nil: entity.nil,
        from_variable,
    })
}

/// An object's filters handed to its probe, which applies them as it makes each item.
struct PushedFilters<'s, 'd> {
    session: &'s Session<'d>,
    filters: Vec<(&'d State, FilterAction)>,
    /// Where the object is being resolved from, for reference cycles met in filter states; only
    /// kept (and copied per item) when a state refers to variables.
    stack: Option<ResolutionStack>,
    fields: HashSet<&'d str>,
}

impl<'s, 'd> PushedFilters<'s, 'd> {
    /// `None` without filters, or when a filter's state is missing ([`apply_filters`] reports it).
    fn of(session: &'s Session<'d>, filters: &[Filter], stack: &ResolutionStack) -> Option<Self> {
        if filters.is_empty() {
            return None;
        }
        let defs = session.defs;
        let mut states = Vec::with_capacity(filters.len());
        for filter in filters {
            states.push((defs.states.get(&filter.state_ref)?, filter.action));
        }
        let fields = states.iter().flat_map(|(s, _)| s.entities.iter().map(|e| e.name.as_str())).collect();
        let stack = states.iter().any(|(s, _)| uses_variables(&s.entities)).then(|| stack.clone());
        Some(PushedFilters { session, filters: states, stack, fields })
    }
}

impl ItemFilter for PushedFilters<'_, '_> {
    fn keeps(&self, item: &Item) -> bool {
        self.filters.iter().all(|(state, action)| {
            // An empty stack does not allocate: only states with variables pay for the copy.
            let mut stack = self.stack.clone().unwrap_or_default();
            let matched = item_against_state(self.session, item, state, &mut stack, &mut Vec::new())
                == OvalResult::True;
            matched == (*action == FilterAction::Include)
        })
    }

    fn reads_field(&self, name: &str) -> bool {
        self.fields.contains(name)
    }
}

fn run_probe(
    session: &Session<'_>,
    object: &Object,
    entities: Vec<ResolvedEntity>,
    behaviors: &[(String, String)],
    filters: Option<&PushedFilters<'_, '_>>,
) -> ObjectOutcome {
    let Some(probe) = session.probe(object.kind.family, &object.kind.name) else {
        return ObjectOutcome::flagged(
            CollectedFlag::NotCollected,
            Diagnostic::new(Code::NoProbe, format!("no probe for `{}`", object.kind.name))
                .at(object.location.clone()),
        );
    };
    if super::session::rule_time_is_up() {
        let timeout = crate::limits::get().rule_timeout.unwrap_or_default();
        return ObjectOutcome::flagged(
            CollectedFlag::Error,
            Diagnostic::new(
                Code::Limit,
                format!(
                    "not collected: the rule's checks took longer than {}s (limit `rule-timeout`)",
                    timeout.as_secs_f64()
                ),
            )
            .at(object.location.clone()),
        );
    }
    let resolved = ResolvedObject { id: &object.id, kind: &object.kind, entities, behaviors };
    let ctx = ProbeContext { target: session.target, filter: filters.map(|f| f as &dyn ItemFilter) };
    // A probe bug must not end the scan: it becomes an error flag on this object only.
    let started = std::time::Instant::now();
    match catch_unwind(AssertUnwindSafe(|| Registry::collect(probe, &resolved, &ctx))) {
        Ok(collected) => bounded_items(collected, object, started.elapsed()),
        Err(_) => ObjectOutcome::flagged(
            CollectedFlag::Error,
            Diagnostic::new(
                Code::ProbeFailed,
                format!("probe for `{}` failed on object `{}`", object.kind.name, object.id),
            )
            .at(object.location.clone()),
        ),
    }
}

/// The outcome of a probe, cut at the `items-per-object` limit, and an error when collecting
/// took longer than `rule-timeout` (a probe is not interrupted; what it found is dropped).
fn bounded_items(
    mut collected: crate::probes::Collected,
    object: &Object,
    took: std::time::Duration,
) -> ObjectOutcome {
    if let Some(timeout) = crate::limits::get().rule_timeout
        && took > timeout
    {
        collected.items.clear();
        collected.flag = CollectedFlag::Error;
        collected.messages.push(Diagnostic::new(
            Code::Limit,
            format!(
                "collecting took {:.3}s, longer than {}s (limit `rule-timeout`); items dropped",
                took.as_secs_f64(),
                timeout.as_secs_f64()
            ),
        ));
    }
    let max = crate::limits::get().items_per_object;
    if collected.items.len() > max {
        let found = collected.items.len();
        collected.items.truncate(max);
        collected.flag = CollectedFlag::Error;
        collected.messages.push(Diagnostic::new(
            Code::Limit,
            format!("{found} items collected, more than {max} (limit `items-per-object`); the rest dropped"),
        ));
    }
    ObjectOutcome {
        flag: collected.flag,
        items: collected.items,
        // What a probe says concerns this object: give each diagnostic the object's location.
        messages: collected
            .messages
            .into_iter()
            .map(|m| if m.location.is_none() { m.at(object.location.clone()) } else { m })
            .collect(),
        variable_values: Vec::new(),
        evidence: collected.evidence,
    }
}

/// `ind:variable_object`: one `variable_item` per variable whose id matches the `var_ref` entity.
fn collect_variable_object(
    session: &Session<'_>,
    object: &Object,
    entities: &[ResolvedEntity],
    stack: &mut ResolutionStack,
) -> ObjectOutcome {
    let Some(var_ref) = entities.iter().find(|e| e.name == "var_ref") else {
        return ObjectOutcome::flagged(
            CollectedFlag::Error,
            format!("object `{}` has no `var_ref`", object.id),
        );
    };
    let mut ids = Vec::new();
    if let Some(exact) = var_ref.exact_values() {
        // The usual form names one variable: look it up instead of testing every id.
        for id in exact {
            if session.defs.variables.contains_key(id) && !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    } else {
        for id in session.defs.variables.keys() {
            match var_ref.matches(id) {
                Ok(true) => ids.push(id.clone()),
                Ok(false) => {}
                Err(e) => return ObjectOutcome::flagged(CollectedFlag::Error, e.to_string()),
            }
        }
    }
    let mut outcome = ObjectOutcome::empty(CollectedFlag::Complete);
    let mut failed = false;
    for id in ids {
        let vars = variable_values(session, &id, stack);
        // A variable without values yields no item, as in OpenSCAP 1.3.7.
        if vars.flag == CollectedFlag::DoesNotExist {
            outcome.messages.push(format!("referenced variable `{id}` has no values").into());
            continue;
        }
        outcome.messages.extend(vars.messages.iter().cloned());
        let datatype = session.defs.variables.get(&id).map(|v| v.datatype).unwrap_or(Datatype::String);
        let mut item = Item::new(item_type(&object.kind));
        // One that could not be computed because the content is circular or runs into a limit is
        // an item whose value could not be determined: status and flag `error`, never an item
        // that a test without a state counts as a pass (OpenSCAP 1.3.7 reports a complete object
        // there, or crashes on a self-reference). Other failures (an external variable without a
        // value, a function that fails) keep OpenSCAP's item without values, which SSG content
        // evaluated without its variables relies on.
        let broken_content = vars.messages.iter().any(|m| matches!(m.code, Code::Circular | Code::Limit));
        if vars.flag == CollectedFlag::Error && broken_content {
            item.status = crate::model::oval::ItemStatus::Error;
            failed = true;
        }
        item.push("var_ref", Datatype::String, id.as_str());
        for v in &vars.values {
            item.push("value", datatype, v.as_str());
        }
        outcome.items.push(item);
        outcome.variable_values.extend(vars.values.iter().map(|v| (id.clone(), v.clone())));
    }
    if failed {
        outcome.flag = CollectedFlag::Error;
    } else if outcome.items.is_empty() {
        outcome.flag = CollectedFlag::DoesNotExist;
    }
    outcome
}

/// Keep (include) or drop (exclude) items that match a filter's state.
fn apply_filters(
    session: &Session<'_>,
    object: &Object,
    outcome: &mut ObjectOutcome,
    filters: &[Filter],
    stack: &mut ResolutionStack,
) {
    if filters.is_empty() || !matches!(outcome.flag, CollectedFlag::Complete | CollectedFlag::Incomplete) {
        return;
    }
    for filter in filters {
        let Some(state) = session.defs.states.get(&filter.state_ref) else {
            outcome.flag = CollectedFlag::Error;
            outcome.messages.push(
                format!(
                    "{}: filter state `{}` of object `{}` is not defined",
                    object.location, filter.state_ref, object.id
                )
                .into(),
            );
            return;
        };
        let items = std::mem::take(&mut outcome.items);
        outcome.items = items
            .into_iter()
            .filter(|item| {
                let matched =
                    item_against_state(session, item, state, stack, &mut Vec::new()) == OvalResult::True;
                matched == (filter.action == FilterAction::Include)
            })
            .collect();
    }
    if outcome.flag == CollectedFlag::Complete && outcome.items.is_empty() {
        outcome.flag = CollectedFlag::DoesNotExist;
    }
}

/// One operand of a set: an object reference or a nested set.
fn set_operands(
    session: &Session<'_>,
    object: &Object,
    set: &Set,
    stack: &mut ResolutionStack,
) -> Vec<Arc<ObjectOutcome>> {
    let mut operands = Vec::with_capacity(set.object_refs.len() + set.sets.len());
    for id in &set.object_refs {
        operands.push(if session.defs.objects.contains_key(id) {
            collect_object(session, id, stack)
        } else {
            Arc::new(ObjectOutcome::flagged(
                CollectedFlag::Error,
                format!(
                    "{}: object `{id}` in the set of object `{}` is not defined",
                    object.location, object.id
                ),
            ))
        });
    }
    for nested in &set.sets {
        operands.push(Arc::new(collect_set(session, object, nested, stack)));
    }
    operands
}

fn collect_set(
    session: &Session<'_>,
    object: &Object,
    set: &Set,
    stack: &mut ResolutionStack,
) -> ObjectOutcome {
    let operands = set_operands(session, object, set, stack);
    let mut outcome = ObjectOutcome::empty(CollectedFlag::Complete);
    for o in &operands {
        outcome.messages.extend(o.messages.iter().cloned());
        outcome.variable_values.extend(o.variable_values.iter().cloned());
        outcome.evidence.extend(o.evidence.iter().cloned());
    }
    let expected = if set.operator == SetOperator::Complement { 2 } else { 1 };
    if operands.is_empty() || operands.len() > 2 || operands.len() < expected {
        outcome.flag = CollectedFlag::Error;
        outcome.messages.push(
            format!(
                "{}: set {:?} of object `{}` needs {expected} to 2 operands, has {}",
                object.location,
                set.operator,
                object.id,
                operands.len()
            )
            .into(),
        );
        return outcome;
    }
    let flags: Vec<CollectedFlag> = operands.iter().map(|o| o.flag).collect();
    outcome.flag = set_flag(set.operator, &flags);
    // Items are compared by identity key, so large sets stay linear.
    let keys: Vec<HashSet<String>> =
        operands.iter().map(|o| o.items.iter().map(item_key).collect()).collect();
    let sources = if set.operator == SetOperator::Union { &operands[..] } else { &operands[..1] };
    let mut taken = HashSet::new();
    for item in sources.iter().flat_map(|o| o.items.iter()) {
        let key = item_key(item);
        let keep = match set.operator {
            SetOperator::Union => true,
            SetOperator::Intersection => keys[1..].iter().all(|k| k.contains(&key)),
            SetOperator::Complement => !keys[1].contains(&key),
        };
        if keep && taken.insert(key) {
            outcome.items.push(item.clone());
        }
    }
    if matches!(
        outcome.flag,
        CollectedFlag::Complete | CollectedFlag::Incomplete | CollectedFlag::DoesNotExist
    ) {
        if !outcome.items.is_empty() && outcome.flag == CollectedFlag::DoesNotExist {
            outcome.flag = CollectedFlag::Complete;
        }
        apply_filters(session, object, &mut outcome, &set.filters, stack);
        if outcome.flag == CollectedFlag::Complete && outcome.items.is_empty() {
            outcome.flag = CollectedFlag::DoesNotExist;
        }
    } else {
        outcome.items.clear();
    }
    outcome
}

/// The flag of a set from its operands' flags (OVAL 5.11 set operator flag tables).
pub fn set_flag(operator: SetOperator, flags: &[CollectedFlag]) -> CollectedFlag {
    use CollectedFlag::*;
    if flags.contains(&Error) {
        return Error;
    }
    match operator {
        SetOperator::Union => {
            if flags.contains(&NotCollected) {
                NotCollected
            } else if flags.contains(&Incomplete) {
                Incomplete
            } else if flags.contains(&Complete) {
                Complete
            } else if flags.iter().all(|f| *f == NotApplicable) {
                NotApplicable
            } else {
                DoesNotExist
            }
        }
        SetOperator::Intersection => {
            if flags.contains(&DoesNotExist) {
                DoesNotExist
            } else if flags.contains(&NotCollected) {
                NotCollected
            } else if flags.contains(&Incomplete) {
                Incomplete
            } else if flags.contains(&NotApplicable) {
                NotApplicable
            } else {
                Complete
            }
        }
        SetOperator::Complement => {
            let a = flags.first().copied().unwrap_or(DoesNotExist);
            let b = flags.get(1).copied().unwrap_or(DoesNotExist);
            match (a, b) {
                (DoesNotExist, _) => DoesNotExist,
                (NotCollected, _) | (_, NotCollected) => NotCollected,
                (NotApplicable, _) | (_, NotApplicable) => NotApplicable,
                // Items of the first set may be missing from the incomplete second one: unknown.
                (_, Incomplete) => Error,
                (Incomplete, _) => Incomplete,
                _ => Complete,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::testutil::*;
    use crate::model::oval::{Check, Component, Existence, Operation, Operator};
    use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};
    use crate::semantics::OvalResult;

    fn probe() -> FakeProbe {
        FakeProbe::new(vec![
            ("a", CollectedFlag::Complete, vec![item(&[("v", "1")]), item(&[("v", "2")])]),
            ("b", CollectedFlag::Complete, vec![item(&[("v", "2")]), item(&[("v", "3")])]),
            ("inc", CollectedFlag::Incomplete, vec![item(&[("v", "2")])]),
            ("err", CollectedFlag::Error, vec![]),
        ])
    }

    fn set(operator: SetOperator, refs: &[&str]) -> Set {
        Set {
            operator,
            object_refs: refs.iter().map(|r| r.to_string()).collect(),
            sets: vec![],
            filters: vec![],
        }
    }

    /// Collect `id` from `b` with the fake probe: (flag, values of field `v`).
    fn collect(b: &DefsBuilder, id: &str) -> (CollectedFlag, Vec<String>) {
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = Registry::with(vec![Box::new(probe())]);
        let session = Session::new(&b.defs, &root, &external, &probes);
        let outcome = collect_object(&session, id, &mut ResolutionStack::default());
        let values = outcome
            .items
            .iter()
            .flat_map(|i| i.fields_named("v"))
            .filter_map(|f| match &f.value {
                crate::model::oval::ItemValue::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        (outcome.flag, values)
    }

    fn with_operands() -> DefsBuilder {
        let mut b = DefsBuilder::new();
        for key in ["a", "b", "inc", "err", "none"] {
            b.object(key, vec![entity("key", key)], vec![]);
        }
        b
    }

    #[test]
    fn set_operators() {
        let mut b = with_operands();
        b.set_object("union", set(SetOperator::Union, &["a", "b"]));
        b.set_object("inter", set(SetOperator::Intersection, &["a", "b"]));
        b.set_object("compl", set(SetOperator::Complement, &["a", "b"]));
        b.set_object("compl_one", set(SetOperator::Complement, &["a"]));
        b.set_object("union_err", set(SetOperator::Union, &["a", "err"]));
        b.set_object("inter_none", set(SetOperator::Intersection, &["a", "none"]));
        b.set_object("union_none", set(SetOperator::Union, &["a", "none"]));
        b.set_object("compl_inc", set(SetOperator::Complement, &["a", "inc"]));
        b.set_object("union_inc", set(SetOperator::Union, &["a", "inc"]));
        b.set_object(
            "nested",
            Set {
                operator: SetOperator::Complement,
                object_refs: vec![],
                sets: vec![set(SetOperator::Union, &["a", "b"]), set(SetOperator::Intersection, &["a", "b"])],
                filters: vec![],
            },
        );
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(collect(&b, "union"), (CollectedFlag::Complete, s(&["1", "2", "3"])));
        assert_eq!(collect(&b, "inter"), (CollectedFlag::Complete, s(&["2"])));
        assert_eq!(collect(&b, "compl"), (CollectedFlag::Complete, s(&["1"])));
        assert_eq!(collect(&b, "compl_one").0, CollectedFlag::Error);
        assert_eq!(collect(&b, "union_err"), (CollectedFlag::Error, s(&[])));
        assert_eq!(collect(&b, "inter_none"), (CollectedFlag::DoesNotExist, s(&[])));
        assert_eq!(collect(&b, "union_none"), (CollectedFlag::Complete, s(&["1", "2"])));
        assert_eq!(collect(&b, "compl_inc").0, CollectedFlag::Error);
        assert_eq!(collect(&b, "union_inc"), (CollectedFlag::Incomplete, s(&["1", "2"])));
        assert_eq!(collect(&b, "nested"), (CollectedFlag::Complete, s(&["1", "3"])));
    }

    #[test]
    fn filters_on_objects_and_sets() {
        let mut b = with_operands();
        b.state("is2", Operator::And, vec![entity("v", "2")]);
        b.state(
            "big",
            Operator::And,
            vec![entity_op("v", "1", crate::model::oval::Datatype::Int, Operation::GreaterThan)],
        );
        let exclude = |s: &str| Filter { action: FilterAction::Exclude, state_ref: s.into() };
        let include = |s: &str| Filter { action: FilterAction::Include, state_ref: s.into() };
        b.object("a_no2", vec![entity("key", "a")], vec![exclude("is2")]);
        b.object("a_only2", vec![entity("key", "a")], vec![include("is2")]);
        b.object("a_both", vec![entity("key", "a")], vec![include("big"), exclude("is2")]);
        b.object("a_missing_state", vec![entity("key", "a")], vec![exclude("nope")]);
        let mut filtered = set(SetOperator::Union, &["a", "b"]);
        filtered.filters = vec![include("big"), exclude("is2")];
        b.set_object("set_filtered", filtered);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(collect(&b, "a_no2"), (CollectedFlag::Complete, s(&["1"])));
        assert_eq!(collect(&b, "a_only2"), (CollectedFlag::Complete, s(&["2"])));
        assert_eq!(collect(&b, "a_both"), (CollectedFlag::DoesNotExist, s(&[])));
        assert_eq!(collect(&b, "a_missing_state").0, CollectedFlag::Error);
        assert_eq!(collect(&b, "set_filtered"), (CollectedFlag::Complete, s(&["3"])));
    }

    #[test]
    fn entity_variables_flags() {
        let mut b = DefsBuilder::new();
        b.constant("keys", &["a", "b"]);
        b.constant("nothing", &[]);
        b.external("ext", &[]);
        b.object("multi", vec![entity_var("key", "keys", Check::AtLeastOne)], vec![]);
        b.object("empty", vec![entity_var("key", "nothing", Check::All)], vec![]);
        b.object("broken", vec![entity_var("key", "ext", Check::All)], vec![]);
        let (flag, values) = collect(&b, "multi");
        assert_eq!(flag, CollectedFlag::Complete);
        assert_eq!(values, ["1", "2", "2", "3"]);
        assert_eq!(collect(&b, "empty").0, CollectedFlag::DoesNotExist);
        // A missing external value: OpenSCAP 1.3.7 reports the object as not existing.
        assert_eq!(collect(&b, "broken").0, CollectedFlag::DoesNotExist);

        b.test("t_empty", "empty", &[], Check::All, Existence::AtLeastOneExists);
        b.test("t_empty_none", "empty", &[], Check::All, Existence::NoneExist);
        b.test("t_broken", "broken", &[], Check::All, Existence::NoneExist);
        b.test("t_multi", "multi", &[], Check::All, Existence::AtLeastOneExists);
        for t in ["t_empty", "t_empty_none", "t_broken", "t_multi"] {
            define_for(&mut b, t);
        }
        let run = run_with(&b, probe(), true);
        assert_eq!(run.tests["t_empty"].result, OvalResult::False);
        assert_eq!(run.tests["t_empty_none"].result, OvalResult::True);
        assert_eq!(run.tests["t_broken"].result, OvalResult::True, "oscap: none_exist over it is true");
        assert!(
            run.tests["t_broken"]
                .messages
                .iter()
                .any(|m| m.message.contains("problem processing referenced variable `ext`")),
            "{:?}",
            run.tests["t_broken"].messages
        );
        assert_eq!(
            run.collected_objects["multi"].variable_values,
            vec![("keys".to_string(), "a".to_string()), ("keys".into(), "b".into())]
        );
        assert_eq!(run.tests["t_multi"].tested_variables.len(), 2);
    }

    #[test]
    fn object_component_and_cycles() {
        let mut b = with_operands();
        b.local(
            "from_a",
            Component::ObjectComponent { object_ref: "a".into(), item_field: "v".into(), record_field: None },
        );
        b.local(
            "from_none",
            Component::ObjectComponent {
                object_ref: "none".into(),
                item_field: "v".into(),
                record_field: None,
            },
        );
        // An object whose entity comes from a variable that reads the object itself.
        b.local(
            "loop_var",
            Component::ObjectComponent {
                object_ref: "loop".into(),
                item_field: "v".into(),
                record_field: None,
            },
        );
        b.object("loop", vec![entity_var("key", "loop_var", Check::All)], vec![]);
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = Registry::with(vec![Box::new(probe())]);
        let session = Session::new(&b.defs, &root, &external, &probes);
        let mut stack = ResolutionStack::default();
        let v = variable_values(&session, "from_a", &mut stack);
        assert_eq!(v.values, ["1", "2"]);
        assert_eq!(v.flag, CollectedFlag::Complete);
        assert_eq!(variable_values(&session, "from_none", &mut stack).flag, CollectedFlag::DoesNotExist);
        let looped = collect_object(&session, "loop", &mut stack);
        assert_eq!(looped.flag, CollectedFlag::Error);
        assert!(looped.messages.iter().any(|m| m.message.contains("circular")), "{:?}", looped.messages);
    }

    #[test]
    fn variable_object_items() {
        let mut b = DefsBuilder::new();
        b.constant("c", &["x", "y"]);
        b.local(
            "l",
            Component::RegexCapture {
                pattern: "z(\\d)".into(),
                arg: Box::new(Component::Literal {
                    datatype: crate::model::oval::Datatype::String,
                    value: "abc".into(),
                }),
            },
        );
        let kind = type_name(crate::model::oval::Family::Independent, "variable_object");
        b.object_of("vo", kind.clone(), vec![entity("var_ref", "c")], vec![]);
        b.object_of(
            "vo_re",
            kind.clone(),
            vec![entity_op(
                "var_ref",
                "^[cl]$",
                crate::model::oval::Datatype::String,
                Operation::PatternMatch,
            )],
            vec![],
        );
        b.object_of("vo_none", kind.clone(), vec![entity("var_ref", "missing")], vec![]);
        b.constant("nothing", &[]);
        b.external("unset", &[]);
        b.object_of("vo_empty", kind.clone(), vec![entity("var_ref", "nothing")], vec![]);
        b.object_of("vo_unset", kind, vec![entity("var_ref", "unset")], vec![]);
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = Registry::with(vec![]);
        let session = Session::new(&b.defs, &root, &external, &probes);
        let mut stack = ResolutionStack::default();
        let vo = collect_object(&session, "vo", &mut stack);
        assert_eq!(vo.flag, CollectedFlag::Complete);
        assert_eq!(vo.items.len(), 1);
        assert_eq!(vo.items[0].kind.name, "variable_item");
        let values: Vec<&crate::model::oval::ItemField> = vo.items[0].fields_named("value").collect();
        assert_eq!(values.len(), 2);
        let vo_re = collect_object(&session, "vo_re", &mut stack);
        assert_eq!(vo_re.items.len(), 2);
        assert_eq!(collect_object(&session, "vo_none", &mut stack).flag, CollectedFlag::DoesNotExist);
        // oscap 1.3.7: no values → no item; an unset external → an item without values.
        assert_eq!(collect_object(&session, "vo_empty", &mut stack).flag, CollectedFlag::DoesNotExist);
        let unset = collect_object(&session, "vo_unset", &mut stack);
        assert_eq!(unset.flag, CollectedFlag::Complete);
        assert_eq!(unset.items[0].fields.len(), 1);
        assert!(unset.messages.iter().any(|m| m.message.contains("`unset`")));
    }

    struct PanickingProbe;

    impl Probe for PanickingProbe {
        fn object_type(&self) -> (crate::model::oval::Family, &'static str) {
            (crate::model::oval::Family::Independent, FAKE)
        }

        fn collect(&self, _object: &ResolvedObject<'_>, _ctx: &ProbeContext<'_>) -> Collected {
            panic!("probe bug")
        }
    }

    #[test]
    fn a_panicking_probe_becomes_an_error_flag() {
        let mut b = DefsBuilder::new();
        b.object("o", vec![entity("key", "a")], vec![]);
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = Registry::with(vec![Box::new(PanickingProbe)]);
        let session = Session::new(&b.defs, &root, &external, &probes);
        let outcome = collect_object(&session, "o", &mut ResolutionStack::default());
        assert_eq!(outcome.flag, CollectedFlag::Error);
    }

    #[test]
    fn set_flag_tables() {
        use CollectedFlag::*;
        assert_eq!(set_flag(SetOperator::Union, &[Complete, DoesNotExist]), Complete);
        assert_eq!(set_flag(SetOperator::Union, &[DoesNotExist, DoesNotExist]), DoesNotExist);
        assert_eq!(set_flag(SetOperator::Union, &[Complete, NotCollected]), NotCollected);
        assert_eq!(set_flag(SetOperator::Union, &[Complete, Error]), Error);
        assert_eq!(set_flag(SetOperator::Intersection, &[Complete, Incomplete]), Incomplete);
        assert_eq!(set_flag(SetOperator::Intersection, &[Incomplete, DoesNotExist]), DoesNotExist);
        assert_eq!(set_flag(SetOperator::Complement, &[Complete, DoesNotExist]), Complete);
        assert_eq!(set_flag(SetOperator::Complement, &[Incomplete, Complete]), Incomplete);
        assert_eq!(set_flag(SetOperator::Complement, &[DoesNotExist, Complete]), DoesNotExist);
        assert_eq!(set_flag(SetOperator::Complement, &[Complete, Incomplete]), Error);
    }
}
