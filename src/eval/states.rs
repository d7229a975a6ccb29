//! An item against a state: each state entity against the item fields of the same name
//! (`entity_check` across repeated fields, `var_check` across variable values, record fields
//! field by field), combined with the state's `operator`.

use crate::model::oval::{Datatype, Entity, Item, ItemField, ItemStatus, ItemValue, Operation, State};
use crate::semantics::OvalResult;
use crate::semantics::oval_result::combine;
use crate::semantics::oval_result::combine_check;

use super::session::{ResolutionStack, Session};
use super::variables::variable_values;
use crate::diag::{Code, Diagnostic};
use crate::semantics::EvalError;
use crate::semantics::compare::compare;

pub fn item_against_state(
    session: &Session<'_>,
    item: &Item,
    state: &State,
    stack: &mut ResolutionStack,
    notes: &mut Vec<Diagnostic>,
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
    notes: &mut Vec<Diagnostic>,
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
    notes: &mut Vec<Diagnostic>,
) -> OvalResult {
    match &entity.var_ref {
        Some(var_id) => {
            let vars = variable_values(session, var_id, stack);
            if !vars.usable() {
                notes.push(format!("variable `{var_id}` has no usable value (flag {:?})", vars.flag).into());
                notes.extend(vars.messages.iter().cloned());
                return OvalResult::Error;
            }
            // The variable's declared datatype decides, as in OpenSCAP 1.3.7 (a string variable
            // under an int entity compares as strings).
            let datatype = session.defs.variables.get(var_id).map_or(entity.datatype, |v| v.datatype);
            let results: Vec<OvalResult> = vars
                .values
                .iter()
                .map(|expected| to_result(compare(datatype, entity.operation, expected, actual), notes))
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
    notes: &mut Vec<Diagnostic>,
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
pub fn to_result(r: Result<bool, EvalError>, notes: &mut Vec<Diagnostic>) -> OvalResult {
    let (result, e) = match r {
        Ok(true) => return OvalResult::True,
        Ok(false) => return OvalResult::False,
        Err(e @ EvalError::UnsupportedDatatype { .. }) => (OvalResult::NotEvaluated, e),
        Err(e) => (OvalResult::Error, e),
    };
    let message = e.to_string();
    if !notes.iter().any(|n| n.message == message) {
        notes.push(Diagnostic::new(Code::Comparison, message));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::session::VarValues;
    use crate::eval::testutil::*;
    use crate::model::oval::{Check, Operator};
    use OvalResult::*;

    fn against(state_entities: Vec<Entity>, operator: Operator, item: &Item) -> OvalResult {
        let mut b = DefsBuilder::new();
        b.constant("vals", &["a", "b"]);
        b.constant("ten", &["10"]);
        b.constant("ten_int", &["10"]);
        if let Some(v) = b.defs.variables.get_mut("ten_int") {
            v.datatype = Datatype::Int;
        }
        b.external("ext", &[]);
        b.state("ste", operator, state_entities);
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = crate::probes::Registry::with(Vec::new());
        let session = Session::new(&b.defs, &root, &external, &probes);
        let state = &b.defs.states["ste"];
        item_against_state(&session, item, state, &mut ResolutionStack::default(), &mut Vec::new())
    }

    #[test]
    fn entity_check_over_repeated_fields() {
        let it = item(&[("v", "a"), ("v", "b")]);
        let e = |check| Entity { entity_check: check, ..entity("v", "a") };
        assert_eq!(against(vec![e(Check::All)], Operator::And, &it), False);
        assert_eq!(against(vec![e(Check::AtLeastOne)], Operator::And, &it), True);
        assert_eq!(against(vec![e(Check::OnlyOne)], Operator::And, &it), True);
        assert_eq!(against(vec![e(Check::NoneSatisfy)], Operator::And, &it), False);
        assert_eq!(against(vec![entity("missing", "a")], Operator::And, &it), Unknown);
    }

    #[test]
    fn var_check_over_values() {
        let it = item(&[("v", "a")]);
        assert_eq!(against(vec![entity_var("v", "vals", Check::All)], Operator::And, &it), False);
        assert_eq!(against(vec![entity_var("v", "vals", Check::AtLeastOne)], Operator::And, &it), True);
        assert_eq!(against(vec![entity_var("v", "vals", Check::NoneSatisfy)], Operator::And, &it), False);
        assert_eq!(against(vec![entity_var("v", "ext", Check::All)], Operator::And, &it), Error);
    }

    #[test]
    fn variable_datatype_decides() {
        let it = item(&[("v", "9")]);
        let mut less = entity_var("v", "ten", Check::All);
        less.datatype = Datatype::Int;
        less.operation = Operation::LessThan;
        // `ten` is a string constant: oscap compares as strings, where `less than` is undefined.
        assert_eq!(against(vec![less.clone()], Operator::And, &it), Error);
        less.var_ref = Some("ten_int".into());
        assert_eq!(against(vec![less], Operator::And, &it), True);
    }

    #[test]
    fn state_operator_across_entities() {
        let it = item(&[("a", "1"), ("b", "2")]);
        let ents = || vec![entity("a", "1"), entity("b", "3")];
        assert_eq!(against(ents(), Operator::And, &it), False);
        assert_eq!(against(ents(), Operator::Or, &it), True);
        assert_eq!(against(ents(), Operator::One, &it), True);
        assert_eq!(against(ents(), Operator::Xor, &it), True);
        assert_eq!(against(vec![entity("a", "1"), entity("b", "2")], Operator::Xor, &it), False);
    }

    #[test]
    fn records_field_by_field() {
        let mut it = item(&[]);
        let sub = |name: &'static str, value: &str| ItemField {
            name: name.into(),
            datatype: Datatype::String,
            status: ItemStatus::Exists,
            value: ItemValue::Text(value.into()),
        };
        it.fields.push(ItemField {
            name: "value".into(),
            datatype: Datatype::Record,
            status: ItemStatus::Exists,
            value: ItemValue::Record(vec![sub("user", "root"), sub("mode", "600")]),
        });
        let record = |fields: Vec<Entity>, op| Entity {
            datatype: Datatype::Record,
            operation: op,
            value: None,
            fields,
            ..entity("value", "")
        };
        let user = entity("user", "root");
        let mode = entity_op("mode", "640", Datatype::Int, Operation::LessThanOrEqual);
        assert_eq!(
            against(vec![record(vec![user.clone(), mode.clone()], Operation::Equals)], Operator::And, &it),
            True
        );
        let strict = entity_op("mode", "400", Datatype::Int, Operation::LessThanOrEqual);
        assert_eq!(
            against(vec![record(vec![user.clone(), strict], Operation::Equals)], Operator::And, &it),
            False
        );
        assert_eq!(
            against(vec![record(vec![entity("group", "x")], Operation::Equals)], Operator::And, &it),
            Error
        );
        assert_eq!(against(vec![record(vec![user], Operation::NotEqual)], Operator::And, &it), Error);
    }

    #[test]
    fn field_statuses_and_unsupported_types() {
        let mut it = item(&[("v", "a")]);
        it.fields[0].status = ItemStatus::DoesNotExist;
        assert_eq!(against(vec![entity("v", "a")], Operator::And, &it), False);
        it.fields[0].status = ItemStatus::Error;
        assert_eq!(against(vec![entity("v", "a")], Operator::And, &it), Error);
        let it = item(&[("v", "1")]);
        let fileset = entity_op("v", "1", Datatype::Fileset, Operation::Equals);
        assert_eq!(against(vec![fileset], Operator::And, &it), NotEvaluated);
        let _ = VarValues::complete(vec![]);
    }
}
