//! Definitions and their criteria trees: operators over child results, `negate`,
//! `extend_definition` (with cycle detection). Test and definition results are memoized, so a
//! test referenced by many definitions is evaluated once.

use std::collections::HashMap;

use crate::model::oval::{Criteria, CriteriaNode};
use crate::results::oval::{CriteriaResult, CriteriaResultNode, OvalResult, combine};

use super::session::{ResolutionStack, Session};
use super::tests::{TestOutcome, evaluate_test};

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
        if self.in_progress.iter().any(|d| d == id) {
            return OvalResult::Error;
        }
        let Some(definition) = self.session.defs.definitions.get(id) else {
            return OvalResult::Error;
        };
        self.in_progress.push(id.to_string());
        let outcome = match &definition.criteria {
            Some(criteria) => {
                let tree = self.criteria(criteria);
                (tree.result, Some(tree))
            }
            None => (OvalResult::NotEvaluated, None),
        };
        self.in_progress.pop();
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
                messages: vec![format!("test `{id}` is not defined")],
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
