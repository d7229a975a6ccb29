//! Test helpers: a compact builder for OVAL definitions in code and a fake probe that returns
//! given items (and records how often it ran).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::host::ScanTarget;
use crate::model::location::Location;
use crate::model::oval::*;
use crate::probes::{Collected, Probe, ProbeContext, Registry, ResolvedObject};
use crate::semantics::CollectedFlag;

pub use crate::eval::engine::ExternalValues;

pub const FAKE: &str = "fake_object";

pub fn temp_root() -> (tempfile::TempDir, ScanTarget) {
    let dir = tempfile::tempdir().unwrap();
    let target = ScanTarget::open(dir.path()).unwrap();
    (dir, target)
}

pub fn type_name(family: Family, name: &str) -> TypeName {
    let ns = match family {
        Family::Independent => NS_IND,
        Family::Unix => NS_UNIX,
        Family::Linux => NS_LINUX,
        Family::Docker => crate::model::oval::NS_DOCKER_DEFINITIONS,
        Family::Other => "http://oval.mitre.org/XMLSchema/oval-definitions-5#windows",
    };
    TypeName { family, namespace: ns.to_string(), name: name.to_string() }
}

pub fn fake_type(suffix: &str) -> TypeName {
    type_name(Family::Independent, &format!("fake_{suffix}"))
}

/// A `fake_item` with string fields.
pub fn item(fields: &[(&str, &str)]) -> Item {
    let mut item = Item::new(fake_type("item"));
    for (name, value) in fields {
        item.push(name.to_string(), Datatype::String, *value);
    }
    item
}

pub fn entity(name: &str, value: &str) -> Entity {
    Entity { value: Some(value.to_string()), ..Entity::new(name.to_string(), Location::unknown()) }
}

pub fn entity_op(name: &str, value: &str, datatype: Datatype, operation: Operation) -> Entity {
    Entity { datatype, operation, ..entity(name, value) }
}

pub fn entity_var(name: &str, var_ref: &str, var_check: Check) -> Entity {
    Entity { value: None, var_ref: Some(var_ref.to_string()), var_check, ..entity(name, "") }
}

pub fn criterion(test_ref: &str, negate: bool) -> CriteriaNode {
    CriteriaNode::Criterion {
        test_ref: test_ref.to_string(),
        negate,
        applicability_check: None,
        comment: None,
        location: Location::unknown(),
    }
}

pub fn extend(definition_ref: &str, negate: bool) -> CriteriaNode {
    CriteriaNode::ExtendDefinition {
        definition_ref: definition_ref.to_string(),
        negate,
        applicability_check: None,
        comment: None,
        location: Location::unknown(),
    }
}

pub fn criteria(operator: Operator, negate: bool, children: Vec<CriteriaNode>) -> Criteria {
    Criteria {
        operator,
        negate,
        applicability_check: None,
        comment: None,
        children,
        location: Location::unknown(),
    }
}

pub struct DefsBuilder {
    pub defs: OvalDefinitions,
}

impl DefsBuilder {
    pub fn new() -> Self {
        DefsBuilder { defs: OvalDefinitions::default() }
    }

    pub fn definition(&mut self, id: &str, criteria: Option<Criteria>) -> &mut Self {
        self.defs.definitions.insert(
            id.to_string(),
            Definition {
                id: id.to_string(),
                version: "1".into(),
                class: DefinitionClass::Compliance,
                deprecated: false,
                title: id.to_string(),
                description: String::new(),
                references: Vec::new(),
                affected_platforms: Vec::new(),
                criteria,
                location: Location::unknown(),
            },
        );
        self
    }

    /// A fake test over `object_ref` with `states`.
    pub fn test(
        &mut self,
        id: &str,
        object_ref: &str,
        states: &[&str],
        check: Check,
        check_existence: Existence,
    ) -> &mut Test {
        self.test_with(id, fake_type("test"), Some(object_ref), states, check, check_existence)
    }

    pub fn test_with(
        &mut self,
        id: &str,
        kind: TypeName,
        object_ref: Option<&str>,
        states: &[&str],
        check: Check,
        check_existence: Existence,
    ) -> &mut Test {
        self.defs.tests.insert(
            id.to_string(),
            Test {
                id: id.to_string(),
                version: "1".into(),
                kind,
                comment: None,
                deprecated: false,
                check,
                check_existence,
                state_operator: Operator::And,
                object_ref: object_ref.map(str::to_string),
                state_refs: states.iter().map(|s| s.to_string()).collect(),
                location: Location::unknown(),
            },
        );
        self.defs.tests.get_mut(id).unwrap()
    }

    /// A fake object; its `key` entity tells the fake probe which item set to return.
    pub fn object(&mut self, id: &str, entities: Vec<Entity>, filters: Vec<Filter>) -> &mut Self {
        self.object_of(id, fake_type("object"), entities, filters)
    }

    pub fn object_of(
        &mut self,
        id: &str,
        kind: TypeName,
        entities: Vec<Entity>,
        filters: Vec<Filter>,
    ) -> &mut Self {
        self.defs.objects.insert(
            id.to_string(),
            Object {
                id: id.to_string(),
                version: "1".into(),
                kind,
                comment: None,
                deprecated: false,
                body: ObjectBody::Entities { entities, behaviors: Vec::new(), filters },
                location: Location::unknown(),
            },
        );
        self
    }

    pub fn set_object(&mut self, id: &str, set: Set) -> &mut Self {
        self.defs.objects.insert(
            id.to_string(),
            Object {
                id: id.to_string(),
                version: "1".into(),
                kind: fake_type("object"),
                comment: None,
                deprecated: false,
                body: ObjectBody::Set(set),
                location: Location::unknown(),
            },
        );
        self
    }

    pub fn state(&mut self, id: &str, operator: Operator, entities: Vec<Entity>) -> &mut Self {
        self.defs.states.insert(
            id.to_string(),
            State {
                id: id.to_string(),
                version: "1".into(),
                kind: fake_type("state"),
                comment: None,
                deprecated: false,
                operator,
                entities,
                location: Location::unknown(),
            },
        );
        self
    }

    fn variable(&mut self, id: &str, kind: VariableKind) -> &mut Self {
        self.defs.variables.insert(
            id.to_string(),
            Variable {
                id: id.to_string(),
                version: "1".into(),
                datatype: Datatype::String,
                comment: None,
                deprecated: false,
                kind,
                location: Location::unknown(),
            },
        );
        self
    }

    pub fn constant(&mut self, id: &str, values: &[&str]) -> &mut Self {
        self.variable(id, VariableKind::Constant(values.iter().map(|v| v.to_string()).collect()))
    }

    pub fn external(&mut self, id: &str, possible: &[&str]) -> &mut Self {
        self.variable(
            id,
            VariableKind::External {
                possible_values: possible.iter().map(|v| v.to_string()).collect(),
                possible_restrictions: Vec::new(),
            },
        )
    }

    /// An int external variable with one possible_restriction.
    pub fn external_restricted(
        &mut self,
        id: &str,
        operator: Operator,
        restrictions: &[(Operation, &str)],
    ) -> &mut Self {
        self.variable(
            id,
            VariableKind::External {
                possible_values: Vec::new(),
                possible_restrictions: vec![PossibleRestriction {
                    operator,
                    hint: None,
                    restrictions: restrictions.iter().map(|(o, v)| (*o, v.to_string())).collect(),
                }],
            },
        );
        if let Some(v) = self.defs.variables.get_mut(id) {
            v.datatype = Datatype::Int;
        }
        self
    }

    pub fn local(&mut self, id: &str, component: Component) -> &mut Self {
        self.variable(id, VariableKind::Local(component))
    }
}

/// Returns, for an object whose `key` entity matches a key, that key's flag and items; counts calls.
pub struct FakeProbe {
    pub sets: Vec<(String, CollectedFlag, Vec<Item>)>,
    pub calls: Arc<AtomicUsize>,
}

impl FakeProbe {
    pub fn new(sets: Vec<(&str, CollectedFlag, Vec<Item>)>) -> Self {
        FakeProbe {
            sets: sets.into_iter().map(|(k, f, i)| (k.to_string(), f, i)).collect(),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Probe for FakeProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, FAKE)
    }

    fn collect(&self, object: &ResolvedObject<'_>, _ctx: &ProbeContext<'_>) -> Collected {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let Some(key) = object.entity("key") else { return Collected::error("no key") };
        let mut out = Collected::from_items(Vec::new());
        out.flag = CollectedFlag::DoesNotExist;
        for (k, flag, items) in &self.sets {
            match key.matches(k) {
                Ok(true) => {
                    out.flag = *flag;
                    out.items.extend(items.iter().cloned());
                    out.evidence.push((format!("/fake/{k}"), format!("sha-{k}")));
                }
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        out
    }
}

/// Evaluate everything in `b` with `probe` (sequentially or in parallel).
pub fn run_with(b: &DefsBuilder, probe: FakeProbe, sequential: bool) -> crate::results::oval::OvalRun {
    run_with_external(b, probe, &ExternalValues::new(), sequential)
}

pub fn run_with_external(
    b: &DefsBuilder,
    probe: FakeProbe,
    external: &ExternalValues,
    sequential: bool,
) -> crate::results::oval::OvalRun {
    let (_dir, root) = temp_root();
    let probes = Registry::with(vec![Box::new(probe)]);
    let options = crate::eval::EvalOptions { sequential, ..Default::default() };
    crate::eval::evaluate(&b.defs, &root, &probes, external, &options)
}

/// A definition `def:<test>` with one criterion on `test`.
pub fn define_for(b: &mut DefsBuilder, test: &str) {
    b.definition(&format!("def:{test}"), Some(criteria(Operator::And, false, vec![criterion(test, false)])));
}
