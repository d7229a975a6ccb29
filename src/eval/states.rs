//! An item against a state: each state entity against the item fields of the same name
//! (`entity_check` across repeated fields, `var_check` across variable values, record fields
//! field by field), combined with the state's `operator`.

use crate::model::oval::{Datatype, Entity, Item, ItemField, ItemStatus, ItemValue, Operation, State};
use crate::results::oval::{OvalResult, combine, combine_check};

use super::EvalError;
use super::compare::compare;
use super::session::{ResolutionStack, Session};
use super::variables::variable_values;

pub fn item_against_state(
    session: &Session<'_>,
    item: &Item,
    state: &State,
    stack: &mut ResolutionStack,
    notes: &mut Vec<String>,
) -> OvalResult {
    let mut results = Vec::with_capacity(state.entities.len());
    for entity in &state.entities {
        let fields: Vec<OvalResult> = item
            .fields_named(&entity.name)
            .map(|field| field_against_entity(session, field, entity, stack, notes))
            .collect();
        // No field of that name: `unknown`, as an empty check gives.
        results.push(combine_check(entity.entity_check, &fields));
    }
    combine(state.operator, &results)
}

fn field_against_entity(
    session: &Session<'_>,
    field: &ItemField,
    entity: &Entity,
    stack: &mut ResolutionStack,
    notes: &mut Vec<String>,
) -> OvalResult {
    match field.status {
        ItemStatus::DoesNotExist => return OvalResult::False,
        ItemStatus::Error | ItemStatus::NotCollected => return OvalResult::Error,
        ItemStatus::Exists => {}
    }
    if entity.datatype == Datatype::Record {
        if entity.operation != Operation::Equals {
            return OvalResult::Error;
        }
        return match &field.value {
            ItemValue::Record(sub_fields) => record_against_entity(session, sub_fields, entity, stack, notes),
            _ => OvalResult::Error,
        };
    }
    let actual = match &field.value {
        ItemValue::Text(t) => t.as_str(),
        ItemValue::Nil => "",
        ItemValue::Record(_) => return OvalResult::Error,
    };
    value_against_entity(session, actual, entity, stack, notes)
}

/// One scalar value against an entity's literal or every value of its variable.
fn value_against_entity(
    session: &Session<'_>,
    actual: &str,
    entity: &Entity,
    stack: &mut ResolutionStack,
    notes: &mut Vec<String>,
) -> OvalResult {
    match &entity.var_ref {
        Some(var_id) => {
            let vars = variable_values(session, var_id, stack);
            if !vars.usable() {
                notes.push(format!("variable `{var_id}` has no usable value (flag {:?})", vars.flag));
                notes.extend(vars.messages.iter().cloned());
                return OvalResult::Error;
            }
            let results: Vec<OvalResult> = vars
                .values
                .iter()
                .map(|expected| {
                    to_result(compare(entity.datatype, entity.operation, expected, actual), notes)
                })
                .collect();
            combine_check(entity.var_check, &results)
        }
        None => {
            let expected = entity.value.as_deref().unwrap_or("");
            to_result(compare(entity.datatype, entity.operation, expected, actual), notes)
        }
    }
}

/// Each state field against the item's sub-fields of that name (`entity_check` across them);
/// a state field missing from the item is an error; the fields are ANDed.
fn record_against_entity(
    session: &Session<'_>,
    sub_fields: &[ItemField],
    entity: &Entity,
    stack: &mut ResolutionStack,
    notes: &mut Vec<String>,
) -> OvalResult {
    let mut results = Vec::with_capacity(entity.fields.len());
    for state_field in &entity.fields {
        let matching: Vec<OvalResult> = sub_fields
            .iter()
            .filter(|f| f.name == state_field.name)
            .map(|f| field_against_entity(session, f, state_field, stack, notes))
            .collect();
        results.push(if matching.is_empty() {
            OvalResult::Error
        } else {
            combine_check(state_field.entity_check, &matching)
        });
    }
    combine(crate::model::oval::Operator::And, &results)
}

/// A comparison outcome as a result; the reason of an error or a skipped comparison is noted
/// once (the same error repeats for every item).
pub fn to_result(r: Result<bool, EvalError>, notes: &mut Vec<String>) -> OvalResult {
    let (result, e) = match r {
        Ok(true) => return OvalResult::True,
        Ok(false) => return OvalResult::False,
        Err(e @ EvalError::UnsupportedDatatype { .. }) => (OvalResult::NotEvaluated, e),
        Err(e) => (OvalResult::Error, e),
    };
    let message = e.to_string();
    if !notes.contains(&message) {
        notes.push(message);
    }
    result
}
