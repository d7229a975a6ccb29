//! Entity comparison: OVAL operations × datatypes.
//!
//! NOTE(integration): the first version covers string equality and pattern match only; the full
//! operation × datatype table (int, float, boolean, version, evr_string, debian_evr_string,
//! binary, ipv4/ipv6, bitwise, subset/superset) is being completed in this module.

use crate::model::oval::{Check, Operation};
use crate::probes::ResolvedEntity;

use super::EvalError;
use super::regex::OvalRegex;

/// Compare one system value against one expected value.
pub fn compare_string(operation: Operation, expected: &str, actual: &str) -> Result<bool, EvalError> {
    Ok(match operation {
        Operation::Equals => actual == expected,
        Operation::NotEqual => actual != expected,
        Operation::CaseInsensitiveEquals => actual.to_lowercase() == expected.to_lowercase(),
        Operation::CaseInsensitiveNotEqual => actual.to_lowercase() != expected.to_lowercase(),
        Operation::PatternMatch => OvalRegex::new(expected)?.is_match(actual)?,
        other => {
            return Err(EvalError::BadOperation {
                operation: format!("{other:?}"),
                datatype: "string".into(),
            });
        }
    })
}

/// Does a candidate value match a resolved object entity (all its values, combined by var_check)?
pub fn entity_matches(entity: &ResolvedEntity, candidate: &str) -> Result<bool, EvalError> {
    let mut results = Vec::with_capacity(entity.values.len());
    for v in &entity.values {
        results.push(compare_string(entity.operation, v, candidate)?);
    }
    let trues = results.iter().filter(|r| **r).count();
    Ok(match entity.var_check {
        Check::All => !results.is_empty() && trues == results.len(),
        Check::AtLeastOne => trues >= 1,
        Check::OnlyOne => trues == 1,
        Check::NoneSatisfy | Check::NoneExist => trues == 0,
    })
}
