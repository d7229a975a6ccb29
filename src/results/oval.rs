//! What one OVAL evaluation run produced: definition and test results plus the system
//! characteristics (collected objects and items). The evaluator fills an [`OvalRun`]; writers
//! (OVAL results XML, ARF, reports) only read it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::model::oval::{Check, DefinitionClass, Existence, Item, Operator};
use crate::semantics::{CollectedFlag, OvalResult};

/// Facts about the scanned system for the `<system_info>` of a system-characteristics document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SystemInfo {
    pub os_name: String,
    pub os_version: String,
    pub architecture: String,
    pub primary_host_name: String,
    /// (interface name, ip address, mac address)
    pub interfaces: Vec<(String, String, String)>,
}

/// Everything one OVAL evaluation produced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OvalRun {
    /// In document order.
    pub definitions: IndexMap<String, DefinitionResult>,
    pub tests: IndexMap<String, TestResult>,
    /// System characteristics: one record per object that was collected.
    pub collected_objects: IndexMap<String, CollectedObject>,
    /// All items; an item's id in the results file is its index + 1.
    pub items: Vec<Item>,
    /// Files whose content was read, with their SHA-256 (evidence).
    pub evidence: Vec<(String, String)>,
    pub system_info: SystemInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DefinitionResult {
    pub id: String,
    pub version: String,
    pub class: DefinitionClass,
    pub result: OvalResult,
    pub criteria: Option<CriteriaResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriteriaResult {
    pub operator: Operator,
    pub negate: bool,
    pub applicability_check: Option<bool>,
    pub result: OvalResult,
    pub children: Vec<CriteriaResultNode>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CriteriaResultNode {
    Criteria(CriteriaResult),
    Criterion {
        test_ref: String,
        version: String,
        negate: bool,
        applicability_check: Option<bool>,
        /// After `negate` is applied.
        result: OvalResult,
    },
    ExtendDefinition {
        definition_ref: String,
        version: String,
        negate: bool,
        applicability_check: Option<bool>,
        result: OvalResult,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    pub id: String,
    pub version: String,
    pub check: Check,
    pub check_existence: Existence,
    pub state_operator: Operator,
    pub result: OvalResult,
    /// (item id = index into `OvalRun::items` + 1, result of the item against the states)
    pub tested_items: Vec<(u64, OvalResult)>,
    /// (variable id, value) for every variable value the test used.
    pub tested_variables: Vec<(String, String)>,
    pub messages: Vec<crate::diag::Diagnostic>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectedObject {
    pub id: String,
    pub version: String,
    pub flag: CollectedFlag,
    pub messages: Vec<crate::diag::Diagnostic>,
    /// Item ids (index + 1).
    pub item_refs: Vec<u64>,
    /// (variable id, value) for variables the object used.
    pub variable_values: Vec<(String, String)>,
}
