//! Definitions and their criteria trees: operators over child results, `negate`,
//! `extend_definition` (with cycle detection). Test and definition results are memoized, so a
//! test referenced by many definitions is evaluated once.

use std::collections::HashMap;

use crate::model::oval::{Criteria, CriteriaNode};
use crate::results::oval::{CriteriaResult, CriteriaResultNode};
use crate::semantics::OvalResult;
use crate::semantics::oval_result::combine;

use super::session::{MAX_RESOLUTION_DEPTH, ResolutionStack, Session};
use super::test_evaluation::{TestOutcome, evaluate_test};

/// A definition's result and its evaluated criteria tree (`None` without criteria).
pub type DefinitionOutcome = (OvalResult, Option<CriteriaResult>);

pub struct CriteriaEvaluator<'s, 'a> {
    session: &'s Session<'a>,
    pub tests: HashMap<String, TestOutcome>,
    pub definitions: HashMap<String, DefinitionOutcome>,
    /// Definitions on the current extend_definition path.
    in_progress: Vec<String>,
    stack: ResolutionStack,
}

impl<'s, 'a> CriteriaEvaluator<'s, 'a> {
    pub fn new(session: &'s Session<'a>) -> Self {
        CriteriaEvaluator {
            session,
            tests: HashMap::new(),
            definitions: HashMap::new(),
            in_progress: Vec::new(),
            stack: ResolutionStack::default(),
        }
    }

    /// Evaluate definition `id` (once). A definition without criteria is `not evaluated`, as
    /// OpenSCAP reports it; an undefined one or a cycle through extend_definition is `error`.
    pub fn definition(&mut self, id: &str) -> OvalResult {
        if let Some((result, _)) = self.definitions.get(id) {
            return *result;
        }
        // A cycle through extend_definition, or a chain deep enough to exhaust the stack.
        if self.in_progress.len() >= crate::limits::get().reference_depth.min(MAX_RESOLUTION_DEPTH)
            || self.in_progress.iter().any(|d| d == id)
        {
            return OvalResult::Error;
        }
        let Some(definition) = self.session.defs.definitions.get(id) else {
            return OvalResult::Error;
        };
        // A definition reached from no other is what a rule checks: its time starts here.
        let top = self.in_progress.is_empty();
        if top {
            super::session::start_rule_clock();
        }
        self.in_progress.push(id.to_string());
        let outcome = match &definition.criteria {
            Some(criteria) => {
                let tree = self.criteria(criteria);
                (tree.result, Some(tree))
            }
            None => (OvalResult::NotEvaluated, None),
        };
        self.in_progress.pop();
        if top {
            super::session::stop_rule_clock();
        }
        let result = outcome.0;
        self.definitions.insert(id.to_string(), outcome);
        result
    }

    pub fn test(&mut self, id: &str) -> OvalResult {
        if let Some(t) = self.tests.get(id) {
            return t.result;
        }
        let outcome = match self.session.defs.tests.get(id) {
            Some(test) => evaluate_test(self.session, test, &mut self.stack),
            None => TestOutcome {
                result: OvalResult::Error,
                object_id: None,
                item_results: Vec::new(),
                tested_variables: Vec::new(),
                messages: vec![format!("test `{id}` is not defined").into()],
            },
        };
        let result = outcome.result;
        self.tests.insert(id.to_string(), outcome);
        result
    }

    fn criteria(&mut self, criteria: &Criteria) -> CriteriaResult {
        let mut children = Vec::with_capacity(criteria.children.len());
        let mut results = Vec::with_capacity(criteria.children.len());
        for child in &criteria.children {
            let node = match child {
                CriteriaNode::Criteria(nested) => CriteriaResultNode::Criteria(self.criteria(nested)),
                CriteriaNode::Criterion { test_ref, negate, applicability_check, .. } => {
                    let raw = self.test(test_ref);
                    let version =
                        self.session.defs.tests.get(test_ref).map(|t| t.version.clone()).unwrap_or_default();
                    CriteriaResultNode::Criterion {
                        test_ref: test_ref.clone(),
                        version,
                        negate: *negate,
                        applicability_check: *applicability_check,
                        result: if *negate { raw.negate() } else { raw },
                    }
                }
                CriteriaNode::ExtendDefinition { definition_ref, negate, applicability_check, .. } => {
                    let raw = self.definition(definition_ref);
                    let version = self
                        .session
                        .defs
                        .definitions
                        .get(definition_ref)
                        .map(|d| d.version.clone())
                        .unwrap_or_default();
                    CriteriaResultNode::ExtendDefinition {
                        definition_ref: definition_ref.clone(),
                        version,
                        negate: *negate,
                        applicability_check: *applicability_check,
                        result: if *negate { raw.negate() } else { raw },
                    }
                }
            };
            results.push(match &node {
                CriteriaResultNode::Criteria(c) => c.result,
                CriteriaResultNode::Criterion { result, .. }
                | CriteriaResultNode::ExtendDefinition { result, .. } => *result,
            });
            children.push(node);
        }
        let combined = combine(criteria.operator, &results);
        CriteriaResult {
            operator: criteria.operator,
            negate: criteria.negate,
            applicability_check: criteria.applicability_check,
            result: if criteria.negate { combined.negate() } else { combined },
            children,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::testutil::*;
    use crate::model::oval::{Check, Existence, Operator};
    use crate::results::oval::CriteriaResultNode;
    use crate::semantics::CollectedFlag;
    use crate::semantics::OvalResult::*;

    /// t_true passes, t_false fails, t_err errors.
    fn base() -> DefsBuilder {
        let mut b = DefsBuilder::new();
        b.object("o_yes", vec![entity("key", "yes")], vec![]);
        b.object("o_no", vec![entity("key", "no")], vec![]);
        b.object("o_err", vec![entity("key", "err")], vec![]);
        b.test("t_true", "o_yes", &[], Check::All, Existence::AtLeastOneExists);
        b.test("t_false", "o_no", &[], Check::All, Existence::AtLeastOneExists);
        b.test("t_err", "o_err", &[], Check::All, Existence::AtLeastOneExists);
        b
    }

    fn probe() -> FakeProbe {
        FakeProbe::new(vec![
            ("yes", CollectedFlag::Complete, vec![item(&[("v", "1")])]),
            ("err", CollectedFlag::Error, vec![]),
        ])
    }

    #[test]
    fn operators_negate_and_nesting() {
        let mut b = base();
        b.definition(
            "and",
            Some(criteria(
                Operator::And,
                false,
                vec![criterion("t_true", false), criterion("t_false", false)],
            )),
        );
        b.definition(
            "and_neg",
            Some(criteria(
                Operator::And,
                false,
                vec![criterion("t_true", false), criterion("t_false", true)],
            )),
        );
        b.definition(
            "or_err",
            Some(criteria(Operator::Or, false, vec![criterion("t_false", false), criterion("t_err", false)])),
        );
        b.definition(
            "or_true",
            Some(criteria(Operator::Or, false, vec![criterion("t_err", false), criterion("t_true", false)])),
        );
        b.definition(
            "nested",
            Some(criteria(
                Operator::And,
                true,
                vec![criterion("t_true", false), criterion("t_false", true)]
                    .into_iter()
                    .chain([crate::model::oval::CriteriaNode::Criteria(criteria(
                        Operator::One,
                        false,
                        vec![criterion("t_true", false), criterion("t_false", false)],
                    ))])
                    .collect(),
            )),
        );
        b.definition("err_neg", Some(criteria(Operator::And, true, vec![criterion("t_err", true)])));
        let probe = probe();
        let calls = probe.calls.clone();
        let run = run_with(&b, probe, true);
        let r = |id: &str| run.definitions[id].result;
        assert_eq!(r("and"), False);
        assert_eq!(r("and_neg"), True);
        assert_eq!(r("or_err"), Error);
        assert_eq!(r("or_true"), True);
        assert_eq!(r("nested"), False, "negated criteria of (T, T, ONE(T,F)=T)");
        assert_eq!(r("err_neg"), Error);
        // Three objects, each collected once although tests are used by several definitions.
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
        let tree = run.definitions["and_neg"].criteria.as_ref().unwrap();
        match &tree.children[1] {
            CriteriaResultNode::Criterion { test_ref, negate, result, .. } => {
                assert_eq!((test_ref.as_str(), *negate, *result), ("t_false", true, True));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(run.tests["t_false"].result, False, "test result is stored before negation");
    }

    #[test]
    fn extend_definition_and_cycles() {
        let mut b = base();
        b.definition("inner", Some(criteria(Operator::And, false, vec![criterion("t_true", false)])));
        b.definition("outer", Some(criteria(Operator::And, false, vec![extend("inner", true)])));
        b.definition("loop_a", Some(criteria(Operator::And, false, vec![extend("loop_b", false)])));
        b.definition("loop_b", Some(criteria(Operator::And, false, vec![extend("loop_a", false)])));
        b.definition(
            "self",
            Some(criteria(Operator::Or, false, vec![criterion("t_true", false), extend("self", false)])),
        );
        b.definition("dangling", Some(criteria(Operator::And, false, vec![extend("nowhere", false)])));
        b.definition("no_criteria", None);
        b.definition("missing_test", Some(criteria(Operator::And, false, vec![criterion("t_nope", false)])));
        let run = run_with(&b, probe(), true);
        let r = |id: &str| run.definitions[id].result;
        assert_eq!(r("inner"), True);
        assert_eq!(r("outer"), False);
        assert_eq!(r("loop_a"), Error);
        assert_eq!(r("self"), True, "OR with a true branch survives the cyclic one");
        assert_eq!(r("dangling"), Error);
        assert_eq!(r("no_criteria"), NotEvaluated);
        assert_eq!(r("missing_test"), Error);
        assert!(run.definitions["no_criteria"].criteria.is_none());
        let ids: Vec<&String> = run.definitions.keys().collect();
        assert_eq!(ids[0], "inner", "document order");
    }

    #[test]
    fn an_extend_definition_chain_deeper_than_the_limit_is_an_error_not_a_crash() {
        let mut b = base();
        let depth = crate::eval::session::MAX_RESOLUTION_DEPTH * 300;
        for i in 0..depth {
            b.definition(
                &format!("d{i}"),
                Some(criteria(Operator::And, false, vec![extend(&format!("d{}", i + 1), false)])),
            );
        }
        b.definition(
            &format!("d{depth}"),
            Some(criteria(Operator::And, false, vec![criterion("t_true", false)])),
        );
        let run = run_with(&b, probe(), true);
        assert_eq!(run.definitions["d0"].result, Error);
        assert_eq!(run.definitions[format!("d{depth}").as_str()].result, True);
    }
}
