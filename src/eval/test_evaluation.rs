//! A test: its object's collected items against `check_existence`, then each item against the
//! states (`state_operator`), combined by `check`. Flags other than `complete` decide the result
//! the way OpenSCAP 1.3 does.

use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::model::oval::{Check, Existence, ItemStatus, Test};
use crate::semantics::CollectedFlag;
use crate::semantics::OvalResult;
use crate::semantics::oval_result::combine;
use crate::semantics::oval_result::combine_check;
use crate::semantics::oval_result::existence_result;

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
    pub messages: Vec<crate::diag::Diagnostic>,
}

impl TestOutcome {
    fn bare(result: OvalResult, object_id: Option<String>, message: Option<Diagnostic>) -> Self {
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
                    Some(
                        Diagnostic::new(
                            Code::CheckUnavailable,
                            format!(
                                "{}: state `{state_ref}` of test `{}` is not defined",
                                test.location, test.id
                            ),
                        )
                        .at(test.location.clone()),
                    ),
                );
            }
        }
    }
    if !session.defs.objects.contains_key(object_id) {
        return TestOutcome::bare(
            OvalResult::Error,
            Some(object_id.clone()),
            Some(
                Diagnostic::new(
                    Code::CheckUnavailable,
                    format!("{}: object `{object_id}` of test `{}` is not defined", test.location, test.id),
                )
                .at(test.location.clone()),
            ),
        );
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
    outcome.messages.extend(object.messages.iter().filter(|m| !m.message.is_empty()).cloned());
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

#[cfg(test)]
mod unit_tests {
    use crate::eval::testutil::*;
    use crate::model::oval::{Check, Datatype, Existence, ItemStatus, Operation, Operator};
    use crate::semantics::CollectedFlag;
    use crate::semantics::OvalResult::{self, *};

    /// Result of one test over an object whose probe answers `flag` with `items`.
    fn one_test(
        flag: CollectedFlag,
        items: Vec<crate::model::oval::Item>,
        check: Check,
        existence: Existence,
        with_state: bool,
    ) -> OvalResult {
        let mut b = DefsBuilder::new();
        b.object("obj", vec![entity("key", "k")], vec![]);
        b.state("ste", Operator::And, vec![entity("v", "good")]);
        let states: &[&str] = if with_state { &["ste"] } else { &[] };
        b.test("tst", "obj", states, check, existence);
        define_for(&mut b, "tst");
        let run = run_with(&b, FakeProbe::new(vec![("k", flag, items)]), true);
        run.tests["tst"].result
    }

    #[test]
    fn flags_decide_before_items() {
        use CollectedFlag as F;
        use Existence::*;
        let cases = [
            (F::Error, AtLeastOneExists, false, Error),
            (F::Error, AnyExist, false, True),
            (F::Error, AnyExist, true, Error),
            (F::NotCollected, AllExist, false, Unknown),
            (F::NotCollected, AnyExist, false, True),
            (F::NotCollected, AnyExist, true, Unknown),
            (F::NotApplicable, AtLeastOneExists, true, NotApplicable),
            (F::NotApplicable, AnyExist, false, True),
            (F::DoesNotExist, NoneExist, true, True),
            (F::DoesNotExist, AnyExist, true, True),
            (F::DoesNotExist, AtLeastOneExists, false, False),
            (F::DoesNotExist, AllExist, true, False),
            (F::DoesNotExist, OnlyOneExists, false, False),
        ];
        for (flag, existence, with_state, want) in cases {
            assert_eq!(
                one_test(flag, vec![], Check::All, existence, with_state),
                want,
                "{flag:?} {existence:?}"
            );
        }
    }

    #[test]
    fn existence_over_complete_objects() {
        let good = || item(&[("v", "good")]);
        let mut broken = item(&[("v", "good")]);
        broken.status = ItemStatus::Error;
        let c = CollectedFlag::Complete;
        assert_eq!(one_test(c, vec![good()], Check::All, Existence::NoneExist, false), False);
        assert_eq!(one_test(c, vec![good()], Check::All, Existence::AtLeastOneExists, false), True);
        assert_eq!(
            one_test(c, vec![good(), item(&[("v", "x")])], Check::All, Existence::OnlyOneExists, false),
            False
        );
        assert_eq!(one_test(c, vec![broken.clone()], Check::All, Existence::AtLeastOneExists, false), Error);
        assert_eq!(one_test(c, vec![good(), broken.clone()], Check::All, Existence::AllExist, false), Error);
        assert_eq!(one_test(c, vec![good(), broken], Check::All, Existence::AnyExist, false), True);
    }

    #[test]
    fn check_over_items() {
        let c = CollectedFlag::Complete;
        let mixed = || vec![item(&[("v", "good")]), item(&[("v", "bad")])];
        let e = Existence::AtLeastOneExists;
        assert_eq!(one_test(c, mixed(), Check::All, e, true), False);
        assert_eq!(one_test(c, mixed(), Check::AtLeastOne, e, true), True);
        assert_eq!(one_test(c, mixed(), Check::OnlyOne, e, true), True);
        assert_eq!(one_test(c, mixed(), Check::NoneSatisfy, e, true), False);
        let bad = vec![item(&[("v", "bad")]), item(&[("v", "worse")])];
        assert_eq!(one_test(c, bad.clone(), Check::NoneSatisfy, e, true), True);
        assert_eq!(one_test(c, bad, Check::AtLeastOne, e, true), False);
        let mut gone = item(&[("v", "good")]);
        gone.status = ItemStatus::DoesNotExist;
        assert_eq!(one_test(c, vec![item(&[("v", "good")]), gone], Check::All, e, true), False);
    }

    #[test]
    fn incomplete_objects() {
        let i = CollectedFlag::Incomplete;
        let good = || vec![item(&[("v", "good")])];
        assert_eq!(one_test(i, good(), Check::AtLeastOne, Existence::AtLeastOneExists, true), True);
        assert_eq!(one_test(i, good(), Check::All, Existence::AtLeastOneExists, true), Unknown);
        assert_eq!(
            one_test(i, vec![item(&[("v", "bad")])], Check::All, Existence::AtLeastOneExists, true),
            False
        );
        assert_eq!(one_test(i, good(), Check::All, Existence::NoneExist, false), False);
        assert_eq!(one_test(i, vec![], Check::All, Existence::NoneExist, false), Unknown);
        assert_eq!(one_test(i, vec![], Check::All, Existence::AnyExist, true), Unknown, "no item to check");
    }

    #[test]
    fn deprecated_none_exist_check() {
        let c = CollectedFlag::Complete;
        assert_eq!(
            one_test(c, vec![item(&[("v", "bad")])], Check::NoneExist, Existence::AtLeastOneExists, false),
            False
        );
        assert_eq!(
            one_test(
                CollectedFlag::DoesNotExist,
                vec![],
                Check::NoneExist,
                Existence::AtLeastOneExists,
                false
            ),
            True
        );
    }

    #[test]
    fn tested_items_and_variables_recorded() {
        let mut b = DefsBuilder::new();
        b.constant("want", &["good", "fine"]);
        b.object("obj", vec![entity("key", "k")], vec![]);
        b.state("ste", Operator::And, vec![entity_var("v", "want", Check::AtLeastOne)]);
        b.test("tst", "obj", &["ste"], Check::All, Existence::AtLeastOneExists);
        define_for(&mut b, "tst");
        let items = vec![item(&[("v", "good")]), item(&[("v", "bad")])];
        let run = run_with(&b, FakeProbe::new(vec![("k", CollectedFlag::Complete, items)]), true);
        let t = &run.tests["tst"];
        assert_eq!(t.result, False);
        assert_eq!(t.tested_items, vec![(1, True), (2, False)]);
        assert_eq!(
            t.tested_variables,
            vec![("want".to_string(), "good".to_string()), ("want".into(), "fine".into())]
        );
        assert_eq!(run.items.len(), 2);
    }

    #[test]
    fn unknown_test_and_missing_probe() {
        let mut b = DefsBuilder::new();
        b.test_with(
            "unk",
            type_name(crate::model::oval::Family::Independent, "unknown_test"),
            None,
            &[],
            Check::All,
            Existence::AtLeastOneExists,
        );
        define_for(&mut b, "unk");
        b.object_of("reg", type_name(crate::model::oval::Family::Other, "registry_object"), vec![], vec![]);
        b.test("win", "reg", &[], Check::All, Existence::AtLeastOneExists);
        define_for(&mut b, "win");
        let run = run_with(&b, FakeProbe::new(vec![]), true);
        assert_eq!(run.tests["unk"].result, Unknown);
        assert_eq!(run.tests["win"].result, Unknown);
        assert_eq!(run.collected_objects["reg"].flag, CollectedFlag::NotCollected);
        assert_eq!(run.collected_objects["reg"].messages[0].message, "no probe for `registry_object`");
        assert_eq!(run.collected_objects["reg"].messages[0].code, crate::diag::Code::NoProbe);
    }

    #[test]
    fn dangling_references_name_the_test_location() {
        let mut b = DefsBuilder::new();
        b.object("obj", vec![entity("key", "k")], vec![]);
        b.test("no_state", "obj", &["ste:missing"], Check::All, Existence::AtLeastOneExists).location =
            crate::model::location::Location::new("defs.xml".into(), 12, 3);
        b.test("no_object", "obj:missing", &[], Check::All, Existence::AtLeastOneExists);
        define_for(&mut b, "no_state");
        define_for(&mut b, "no_object");
        let run = run_with(&b, FakeProbe::new(vec![]), true);
        assert_eq!(run.tests["no_state"].result, Error);
        let missing = &run.tests["no_state"].messages;
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].message,
            "defs.xml:12:3: state `ste:missing` of test `no_state` is not defined"
        );
        assert_eq!(missing[0].code, crate::diag::Code::CheckUnavailable);
        assert_eq!(missing[0].location.as_ref().map(|l| l.line), Some(12));
        assert_eq!(run.tests["no_object"].result, Error);
        assert!(
            run.tests["no_object"].messages[0].message.contains("object `obj:missing` of test `no_object`")
        );
    }

    #[test]
    fn comparison_errors_carry_messages() {
        let mut b = DefsBuilder::new();
        b.object("obj", vec![entity("key", "k")], vec![]);
        b.state("ste", Operator::And, vec![entity_op("v", "5", Datatype::Int, Operation::GreaterThan)]);
        b.test("tst", "obj", &["ste"], Check::All, Existence::AtLeastOneExists);
        define_for(&mut b, "tst");
        let run = run_with(
            &b,
            FakeProbe::new(vec![("k", CollectedFlag::Complete, vec![item(&[("v", "many")])])]),
            true,
        );
        assert_eq!(run.tests["tst"].result, Error);
        assert!(
            run.tests["tst"].messages.iter().any(|m| m.message.contains("`many`")),
            "{:?}",
            run.tests["tst"].messages
        );
    }
}
