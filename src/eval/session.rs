//! One evaluation run's shared state: the content, the root, the probes, and the caches that make
//! an object or variable referenced from many places resolve once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::host::ScanTarget;
use crate::model::oval::{Family, Item, OvalDefinitions};
use crate::probes::{Probe, Registry};
use crate::semantics::CollectedFlag;

use super::engine::ExternalValues;
use crate::diag::{Code, Diagnostic, Subject};

/// The values of a variable with the collection flag that qualifies them.
#[derive(Debug, Clone, PartialEq)]
pub struct VarValues {
    pub flag: CollectedFlag,
    pub values: Vec<String>,
    pub messages: Vec<Diagnostic>,
}

impl VarValues {
    pub fn complete(values: Vec<String>) -> Self {
        let flag = if values.is_empty() { CollectedFlag::DoesNotExist } else { CollectedFlag::Complete };
        VarValues { flag, values, messages: Vec::new() }
    }

    pub fn error(message: impl Into<Diagnostic>) -> Self {
        VarValues { flag: CollectedFlag::Error, values: Vec::new(), messages: vec![message.into()] }
    }

    /// Usable values: complete, or incomplete (some values are known).
    pub fn usable(&self) -> bool {
        matches!(self.flag, CollectedFlag::Complete | CollectedFlag::Incomplete)
    }
}

/// What collecting one object produced (after sets and filters).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectOutcome {
    pub flag: CollectedFlag,
    pub items: Vec<Item>,
    pub messages: Vec<Diagnostic>,
    /// (variable id, value) for the variables the object's entities referenced.
    pub variable_values: Vec<(String, String)>,
    /// (path, sha256) of files read.
    pub evidence: Vec<(String, String)>,
}

impl ObjectOutcome {
    pub fn empty(flag: CollectedFlag) -> Self {
        ObjectOutcome {
            flag,
            items: Vec::new(),
            messages: Vec::new(),
            variable_values: Vec::new(),
            evidence: Vec::new(),
        }
    }

    pub fn flagged(flag: CollectedFlag, message: impl Into<Diagnostic>) -> Self {
        ObjectOutcome {
            flag,
            items: Vec::new(),
            messages: vec![message.into()],
            variable_values: Vec::new(),
            evidence: Vec::new(),
        }
    }
}

/// An item's identity (type, status and fields, serialized): identical items share one id, and
/// sets compare items by it. Item holds only strings and enums, so the key is exact.
pub fn item_key(item: &Item) -> String {
    serde_json::to_string(&(&item.kind, &item.status, &item.fields)).unwrap_or_else(|_| format!("{item:?}"))
}

/// Starts the message of a reference cycle, so a cycle stays an error wherever it surfaces.
pub const CIRCULAR: &str = "circular reference";

/// Ids being resolved on the current path, to report reference cycles instead of recursing forever.
#[derive(Debug, Default, Clone)]
pub struct ResolutionStack(Vec<String>);

/// How deep variables, objects and states may refer to each other. Real content nests a handful
/// of levels; hostile content nests thousands to exhaust the stack, so the chain is cut here with
/// an error that names it.
pub const MAX_RESOLUTION_DEPTH: usize = 100;

impl ResolutionStack {
    /// Push `id`; an error when it is already being resolved (a cycle) or the chain is too deep.
    pub fn enter(&mut self, id: &str) -> Result<(), Diagnostic> {
        if self.0.iter().any(|s| s == id) {
            return Err(self.describe_cycle(id));
        }
        let max = crate::limits::get().reference_depth.min(MAX_RESOLUTION_DEPTH);
        if self.0.len() >= max {
            return Err(Diagnostic::new(
                Code::Limit,
                format!(
                    "`{id}` is reached through more than {max} nested references (limit `reference-depth`) (from `{}`); \
                     not resolved",
                    self.0.first().map(String::as_str).unwrap_or_default()
                ),
            )
            .about(Subject::Oval { id: id.to_string() }));
        }
        self.0.push(id.to_string());
        Ok(())
    }

    pub fn leave(&mut self) {
        self.0.pop();
    }

    /// `circular reference: `a` → `b` → `a``.
    pub fn describe_cycle(&self, id: &str) -> Diagnostic {
        let mut path: Vec<String> = self.0.iter().map(|s| format!("`{s}`")).collect();
        path.push(format!("`{id}`"));
        Diagnostic::new(Code::Circular, format!("{CIRCULAR}: {}", path.join(" → ")))
            .about(Subject::Oval { id: id.to_string() })
    }
}

thread_local! {
    /// When the definition this thread evaluates must be done (`--rule-timeout`).
    static RULE_DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// A top-level definition (what a rule checks) starts on this thread.
pub fn start_rule_clock() {
    let deadline = crate::limits::get().rule_timeout.map(|t| std::time::Instant::now() + t);
    RULE_DEADLINE.with(|d| d.set(deadline));
}

pub fn stop_rule_clock() {
    RULE_DEADLINE.with(|d| d.set(None));
}

/// Is this thread's definition over its time? Checked before each object is collected (a probe
/// already running is not interrupted).
pub fn rule_time_is_up() -> bool {
    RULE_DEADLINE.with(|d| d.get()).is_some_and(|deadline| std::time::Instant::now() >= deadline)
}

pub struct Session<'a> {
    pub defs: &'a OvalDefinitions,
    pub target: &'a ScanTarget,
    pub external: &'a ExternalValues,
    probes: &'a Registry,
    variables: Mutex<HashMap<String, Arc<VarValues>>>,
    objects: Mutex<HashMap<String, Arc<ObjectOutcome>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned cache only means another thread panicked mid-insert; the map is still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<'a> Session<'a> {
    pub fn new(
        defs: &'a OvalDefinitions,
        target: &'a ScanTarget,
        external: &'a ExternalValues,
        probes: &'a Registry,
    ) -> Self {
        Session { defs, target, external, probes, variables: Mutex::default(), objects: Mutex::default() }
    }

    pub fn probe(&self, family: Family, object_name: &str) -> Option<&'a dyn Probe> {
        self.probes.get(family, object_name)
    }

    pub fn cached_variable(&self, id: &str) -> Option<Arc<VarValues>> {
        lock(&self.variables).get(id).cloned()
    }

    pub fn cache_variable(&self, id: &str, values: VarValues) -> Arc<VarValues> {
        let values = Arc::new(values);
        lock(&self.variables).entry(id.to_string()).or_insert(values).clone()
    }

    pub fn cached_object(&self, id: &str) -> Option<Arc<ObjectOutcome>> {
        lock(&self.objects).get(id).cloned()
    }

    pub fn cache_object(&self, id: &str, outcome: ObjectOutcome) -> Arc<ObjectOutcome> {
        let outcome = Arc::new(outcome);
        lock(&self.objects).entry(id.to_string()).or_insert(outcome).clone()
    }
}
