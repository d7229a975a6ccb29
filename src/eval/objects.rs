//! Objects: resolve entity `var_ref`s, dispatch to the probe registered for the object type,
//! combine `<set>`s, apply filters. Each object is collected once per run (cached in the session).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::model::oval::{
    Datatype, Entity, Family, Filter, FilterAction, Item, Object, ObjectBody, Set, SetOperator,
};
use crate::probes::{CollectedFlag, ProbeContext, ResolvedEntity, ResolvedObject, item_type};
use crate::results::oval::OvalResult;

use super::session::{ObjectOutcome, ResolutionStack, Session};
use super::states::item_against_state;
use super::variables::variable_values;

/// Collect object `id` (from the cache if it was collected before).
pub fn collect_object(session: &Session<'_>, id: &str, stack: &mut ResolutionStack) -> Arc<ObjectOutcome> {
    if let Some(cached) = session.cached_object(id) {
        return cached;
    }
    if !stack.enter(id) {
        return Arc::new(ObjectOutcome::flagged(
            CollectedFlag::Error,
            format!("circular object reference: {}", stack.describe_cycle(id)),
        ));
    }
    let outcome = match session.defs.objects.get(id) {
        Some(object) => compute_object(session, object, stack),
        None => ObjectOutcome::flagged(CollectedFlag::Error, format!("object `{id}` is not defined")),
    };
    stack.leave();
    session.cache_object(id, outcome)
}

/// True when collecting `object` needs nothing but its probe (no variables, sets or filters), so
/// it can be collected on any thread in any order.
pub fn is_independent(object: &Object) -> bool {
    match &object.body {
        ObjectBody::Entities { entities, filters, .. } => {
            filters.is_empty()
                && entities
                    .iter()
                    .all(|e| e.var_ref.is_none() && e.fields.iter().all(|f| f.var_ref.is_none()))
                && !is_variable_object(object)
        }
        ObjectBody::Set(_) => false,
    }
}

fn is_variable_object(object: &Object) -> bool {
    object.kind.family == Family::Independent && object.kind.name == "variable_object"
}

fn compute_object(session: &Session<'_>, object: &Object, stack: &mut ResolutionStack) -> ObjectOutcome {
    match &object.body {
        ObjectBody::Set(set) => collect_set(session, set, stack),
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
                run_probe(session, object, resolved, behaviors)
            };
            outcome.variable_values = variable_values_used;
            apply_filters(session, &mut outcome, filters, stack);
            outcome
        }
    }
}

/// An entity with its values: the literal, or every value of its variable. A variable without
/// usable values ends collection here: `error` for an error, `does not exist` for no values.
fn resolve_entity(
    session: &Session<'_>,
    entity: &Entity,
    stack: &mut ResolutionStack,
    used: &mut Vec<(String, String)>,
) -> Result<ResolvedEntity, ObjectOutcome> {
    let (values, from_variable) = match &entity.var_ref {
        Some(var_id) => {
            let vars = variable_values(session, var_id, stack);
            used.extend(vars.values.iter().map(|v| (var_id.clone(), v.clone())));
            if !vars.usable() {
                let mut messages = vec![format!(
                    "variable `{var_id}` of entity `{}` has no usable value (flag {:?})",
                    entity.name, vars.flag
                )];
                messages.extend(vars.messages.iter().cloned());
                let flag = if vars.flag == CollectedFlag::DoesNotExist {
                    CollectedFlag::DoesNotExist
                } else {
                    vars.flag
                };
                let mut outcome = ObjectOutcome::flagged(flag, String::new());
                outcome.messages = messages;
                return Err(outcome);
            }
            (vars.values.clone(), true)
        }
        None if entity.nil => (Vec::new(), false),
        None => (vec![entity.value.clone().unwrap_or_default()], false),
    };
    Ok(ResolvedEntity {
        name: entity.name.clone(),
        datatype: entity.datatype,
        operation: entity.operation,
        values,
        var_check: entity.var_check,
        nil: entity.nil,
        from_variable,
    })
}

fn run_probe(
    session: &Session<'_>,
    object: &Object,
    entities: Vec<ResolvedEntity>,
    behaviors: &[(String, String)],
) -> ObjectOutcome {
    let Some(probe) = session.probe(object.kind.family, &object.kind.name) else {
        return ObjectOutcome::flagged(
            CollectedFlag::NotCollected,
            format!("no probe for `{}`", object.kind.name),
        );
    };
    let resolved = ResolvedObject { id: &object.id, kind: &object.kind, entities, behaviors };
    let ctx = ProbeContext { root: session.root };
    // A probe bug must not end the scan: it becomes an error flag on this object only.
    match catch_unwind(AssertUnwindSafe(|| probe.collect(&resolved, &ctx))) {
        Ok(collected) => ObjectOutcome {
            flag: collected.flag,
            items: collected.items,
            messages: collected.messages,
            variable_values: Vec::new(),
            evidence: collected.evidence,
        },
        Err(_) => ObjectOutcome::flagged(
            CollectedFlag::Error,
            format!("probe for `{}` failed on object `{}`", object.kind.name, object.id),
        ),
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
    for id in session.defs.variables.keys() {
        match var_ref.matches(id) {
            Ok(true) => ids.push(id.clone()),
            Ok(false) => {}
            Err(e) => return ObjectOutcome::flagged(CollectedFlag::Error, e.to_string()),
        }
    }
    let mut outcome = ObjectOutcome::flagged(CollectedFlag::Complete, String::new());
    outcome.messages.clear();
    for id in ids {
        let vars = variable_values(session, &id, stack);
        if vars.flag == CollectedFlag::Error {
            outcome.flag = CollectedFlag::Error;
            outcome.messages.extend(vars.messages.iter().cloned());
            continue;
        }
        let datatype = session.defs.variables.get(&id).map(|v| v.datatype).unwrap_or(Datatype::String);
        let mut item = Item::new(item_type(&object.kind));
        item.push("var_ref", Datatype::String, id.as_str());
        for v in &vars.values {
            item.push("value", datatype, v.as_str());
        }
        outcome.items.push(item);
    }
    if outcome.flag == CollectedFlag::Complete && outcome.items.is_empty() {
        outcome.flag = CollectedFlag::DoesNotExist;
    }
    outcome
}

/// Keep (include) or drop (exclude) items that match a filter's state.
fn apply_filters(
    session: &Session<'_>,
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
            outcome.messages.push(format!("filter state `{}` is not defined", filter.state_ref));
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
fn set_operands(session: &Session<'_>, set: &Set, stack: &mut ResolutionStack) -> Vec<Arc<ObjectOutcome>> {
    let mut operands: Vec<Arc<ObjectOutcome>> =
        set.object_refs.iter().map(|id| collect_object(session, id, stack)).collect();
    for nested in &set.sets {
        operands.push(Arc::new(collect_set(session, nested, stack)));
    }
    operands
}

fn push_unique(items: &mut Vec<Item>, item: &Item) {
    if !items.contains(item) {
        items.push(item.clone());
    }
}

fn collect_set(session: &Session<'_>, set: &Set, stack: &mut ResolutionStack) -> ObjectOutcome {
    let operands = set_operands(session, set, stack);
    let mut outcome = ObjectOutcome::flagged(CollectedFlag::Complete, String::new());
    outcome.messages.clear();
    for o in &operands {
        outcome.messages.extend(o.messages.iter().cloned());
        outcome.variable_values.extend(o.variable_values.iter().cloned());
        outcome.evidence.extend(o.evidence.iter().cloned());
    }
    let expected = if set.operator == SetOperator::Complement { 2 } else { 1 };
    if operands.is_empty() || operands.len() > 2 || operands.len() < expected {
        outcome.flag = CollectedFlag::Error;
        outcome.messages.push(format!(
            "set {:?} needs {expected} to 2 operands, has {}",
            set.operator,
            operands.len()
        ));
        return outcome;
    }
    let flags: Vec<CollectedFlag> = operands.iter().map(|o| o.flag).collect();
    outcome.flag = set_flag(set.operator, &flags);
    match set.operator {
        SetOperator::Union => {
            for o in &operands {
                for item in &o.items {
                    push_unique(&mut outcome.items, item);
                }
            }
        }
        SetOperator::Intersection => {
            for item in &operands[0].items {
                if operands[1..].iter().all(|o| o.items.contains(item)) {
                    push_unique(&mut outcome.items, item);
                }
            }
        }
        SetOperator::Complement => {
            for item in &operands[0].items {
                if !operands[1].items.contains(item) {
                    push_unique(&mut outcome.items, item);
                }
            }
        }
    }
    if matches!(
        outcome.flag,
        CollectedFlag::Complete | CollectedFlag::Incomplete | CollectedFlag::DoesNotExist
    ) {
        if !outcome.items.is_empty() && outcome.flag == CollectedFlag::DoesNotExist {
            outcome.flag = CollectedFlag::Complete;
        }
        apply_filters(session, &mut outcome, &set.filters, stack);
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
            let (a, b) = (flags[0], flags.get(1).copied().unwrap_or(DoesNotExist));
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
