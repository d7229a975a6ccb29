//! A test: its object's collected items against `check_existence`, then each item against the
//! states (`state_operator`), combined by `check`. Flags other than `complete` decide the result
//! the way OpenSCAP 1.3 does.

use std::sync::Arc;

use crate::model::oval::{Check, Existence, ItemStatus, Test};
use crate::probes::CollectedFlag;
use crate::results::oval::{OvalResult, combine, combine_check, existence_result};

use super::objects::collect_object;
use super::session::{ObjectOutcome, ResolutionStack, Session};
use super::states::item_against_state;
use super::variables::variable_values;

/// What evaluating one test produced, before item ids are assigned.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub result: OvalResult,
    pub object_id: Option<String>,
    /// (index into the object's items, result of that item against the states)
    pub item_results: Vec<(usize, OvalResult)>,
    pub tested_variables: Vec<(String, String)>,
    pub messages: Vec<String>,
}

impl TestOutcome {
    fn bare(result: OvalResult, object_id: Option<String>, message: Option<String>) -> Self {
        TestOutcome {
            result,
            object_id,
            item_results: Vec::new(),
            tested_variables: Vec::new(),
            messages: message.into_iter().collect(),
        }
    }
}

/// The deprecated `check="none exist"` means: no item may exist (OVAL 5.3 semantics).
fn effective_check(test: &Test) -> (Check, Existence) {
    if test.check == Check::NoneExist {
        (Check::NoneSatisfy, Existence::NoneExist)
    } else {
        (test.check, test.check_existence)
    }
}

pub fn evaluate_test(session: &Session<'_>, test: &Test, stack: &mut ResolutionStack) -> TestOutcome {
    let Some(object_id) = &test.object_ref else {
        // unknown_test and other object-less tests.
        return TestOutcome::bare(OvalResult::Unknown, None, None);
    };
    let mut states = Vec::with_capacity(test.state_refs.len());
    for state_ref in &test.state_refs {
        match session.defs.states.get(state_ref) {
            Some(s) => states.push(s),
            None => {
                return TestOutcome::bare(
                    OvalResult::Error,
                    Some(object_id.clone()),
                    Some(format!("state `{state_ref}` of test `{}` is not defined", test.id)),
                );
            }
        }
    }
    let object = collect_object(session, object_id, stack);
    let mut outcome = TestOutcome::bare(OvalResult::NotEvaluated, Some(object_id.clone()), None);
    outcome.item_results = (0..object.items.len()).map(|i| (i, OvalResult::NotEvaluated)).collect();

    // Variables of the states, then those the object used.
    for state in &states {
        for entity in &state.entities {
            for var_id in entity.var_ref.iter().chain(entity.fields.iter().filter_map(|f| f.var_ref.as_ref()))
            {
                let vars = variable_values(session, var_id, stack);
                for v in &vars.values {
                    push_unique(&mut outcome.tested_variables, (var_id.clone(), v.clone()));
                }
            }
        }
    }
    for pair in &object.variable_values {
        push_unique(&mut outcome.tested_variables, pair.clone());
    }

    let (check, existence) = effective_check(test);
    let has_states = !states.is_empty();
    let any_exist_without_state = existence == Existence::AnyExist && !has_states;
    outcome.result = match object.flag {
        CollectedFlag::Error => {
            if any_exist_without_state {
                OvalResult::True
            } else {
                OvalResult::Error
            }
        }
        CollectedFlag::NotCollected => {
            if any_exist_without_state {
                OvalResult::True
            } else {
                OvalResult::Unknown
            }
        }
        CollectedFlag::NotApplicable => {
            if any_exist_without_state {
                OvalResult::True
            } else {
                OvalResult::NotApplicable
            }
        }
        CollectedFlag::DoesNotExist => {
            if matches!(existence, Existence::NoneExist | Existence::AnyExist) {
                OvalResult::True
            } else {
                OvalResult::False
            }
        }
        CollectedFlag::Complete => {
            let (exists, errors) = count_statuses(&object);
            let r = existence_result(existence, exists, errors);
            if r == OvalResult::True && has_states {
                check_states(session, &object, &states, test, check, &mut outcome, stack)
            } else {
                r
            }
        }
        CollectedFlag::Incomplete => {
            let (exists, _) = count_statuses(&object);
            let r = match existence {
                Existence::AnyExist => OvalResult::True,
                Existence::AtLeastOneExists if exists > 0 => OvalResult::True,
                Existence::NoneExist if exists > 0 => OvalResult::False,
                Existence::OnlyOneExists if exists > 1 => OvalResult::False,
                _ => OvalResult::Unknown,
            };
            if r == OvalResult::True && has_states {
                // Items not collected could change anything but an "at least one" success.
                match check_states(session, &object, &states, test, check, &mut outcome, stack) {
                    OvalResult::True if check == Check::AtLeastOne => OvalResult::True,
                    OvalResult::False => OvalResult::False,
                    _ => OvalResult::Unknown,
                }
            } else {
                r
            }
        }
    };
    outcome.messages.extend(object.messages.iter().filter(|m| !m.is_empty()).cloned());
    outcome
}

fn count_statuses(object: &ObjectOutcome) -> (usize, usize) {
    let exists = object.items.iter().filter(|i| i.status == ItemStatus::Exists).count();
    let errors = object.items.iter().filter(|i| i.status == ItemStatus::Error).count();
    (exists, errors)
}

fn check_states(
    session: &Session<'_>,
    object: &Arc<ObjectOutcome>,
    states: &[&crate::model::oval::State],
    test: &Test,
    check: Check,
    outcome: &mut TestOutcome,
    stack: &mut ResolutionStack,
) -> OvalResult {
    let mut item_results = Vec::with_capacity(object.items.len());
    for (index, item) in object.items.iter().enumerate() {
        let r = match item.status {
            ItemStatus::Error | ItemStatus::NotCollected => OvalResult::Error,
            ItemStatus::DoesNotExist => OvalResult::False,
            ItemStatus::Exists => {
                let per_state: Vec<OvalResult> = states
                    .iter()
                    .map(|state| item_against_state(session, item, state, stack, &mut outcome.messages))
                    .collect();
                combine(test.state_operator, &per_state)
            }
        };
        outcome.item_results[index] = (index, r);
        item_results.push(r);
    }
    combine_check(check, &item_results)
}

fn push_unique(list: &mut Vec<(String, String)>, pair: (String, String)) {
    if !list.contains(&pair) {
        list.push(pair);
    }
}
