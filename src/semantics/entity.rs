//! An object entity after variable resolution: what a probe matches candidate values against.

use crate::model::oval::{Check, Datatype, Operation};

/// An object entity after variable resolution: the values to match and how.
#[derive(Debug, Clone)]
pub struct ResolvedEntity {
    pub name: String,
    pub datatype: Datatype,
    pub operation: Operation,
    /// One value for a literal entity; every value of the variable for a `var_ref` entity.
    pub values: Vec<String>,
    pub var_check: Check,
    /// `xsi:nil="true"` (e.g. `filename` nil in a file_object means: the directory itself).
    pub nil: bool,
    /// True when the values came from a variable (affects var_check semantics).
    pub from_variable: bool,
}

impl ResolvedEntity {
    /// Does `candidate` (a value found on the system) match this entity?
    /// Multiple variable values are combined with `var_check`.
    pub fn matches(&self, candidate: &str) -> Result<bool, super::EvalError> {
        super::compare::entity_matches(self, candidate)
    }

    /// The single literal value when the operation is `equals` (lets a probe go straight to a
    /// path instead of searching).
    pub fn exact_values(&self) -> Option<&[String]> {
        (self.operation == Operation::Equals && !self.nil).then(|| super::compare::exact_candidates(self))?
    }
}
