//! `linux:systemdunitdependency_object`: the units a unit pulls in, from unit files inside the
//! root (see [`super::systemd_units`]).
//!
//! As OpenSCAP (and `systemctl list-dependencies`) does: the `Requires` then the `Wants` of
//! the unit, depth first, descending only into `.target` units; a unit that is not a target
//! has an item without dependencies. Each dependency is listed once and each target expanded
//! once (oscap can repeat entries; the set is the same).

use std::collections::HashSet;

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::accepts;
use crate::probes::support::systemd_units::UnitStore;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// Dependencies of `unit` in oscap's order.
pub fn dependency_closure(store: &UnitStore<'_>, unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut listed = HashSet::new();
    let mut expanded = HashSet::new();
    expand(store, unit, &mut out, &mut listed, &mut expanded);
    out
}

fn expand(
    store: &UnitStore<'_>,
    unit: &str,
    out: &mut Vec<String>,
    listed: &mut HashSet<String>,
    expanded: &mut HashSet<String>,
) {
    if !unit.ends_with(".target") || !expanded.insert(unit.to_string()) {
        return;
    }
    let loaded = store.load(unit);
    for property in ["Requires", "Wants"] {
        for dependency in loaded.dependencies(property) {
            if listed.insert(dependency.clone()) {
                out.push(dependency.clone());
            }
            expand(store, &dependency, out, listed, expanded);
        }
    }
}

pub struct SystemdUnitDependencyProbe;

impl Probe for SystemdUnitDependencyProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "systemdunitdependency_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("unit").is_none() {
            return Collected::error("systemdunitdependency_object without a `unit` entity");
        }
        let store = UnitStore::open(ctx.root());
        let mut items = Vec::new();
        for name in store.unit_names() {
            match accepts(object, "unit", &name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let mut item = Item::new(item_type(object.kind));
            item.push("unit", Datatype::String, name.as_str());
            for dependency in dependency_closure(&store, &name) {
                item.push("dependency", Datatype::String, dependency);
            }
            items.push(item);
        }
        Collected::from_items(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::probes::support::systemd_units::tests::fixture;
    use crate::semantics::CollectedFlag;

    #[test]
    fn target_closure_requires_then_wants_depth_first() {
        let dir = fixture();
        let root = Root::new(dir.path()).unwrap();
        let c = collect(&SystemdUnitDependencyProbe, vec![equals("unit", "multi-user.target")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(field_names(item)[0], "unit");
        // basic.target → sysinit.target (Requires), then its .wants auditd; then extra.target,
        // whose Wants= loops back to multi-user.target (listed, not expanded again); sshd via .wants.
        assert_eq!(
            texts(item, "dependency"),
            [
                "basic.target",
                "sysinit.target",
                "auditd.service",
                "extra.target",
                "multi-user.target",
                "sshd.service"
            ]
        );
    }

    #[test]
    fn non_target_has_item_without_dependencies() {
        let dir = fixture();
        let root = Root::new(dir.path()).unwrap();
        let c = collect(&SystemdUnitDependencyProbe, vec![equals("unit", "sshd.service")], &root);
        assert_eq!(field_names(&c.items[0]), ["unit"]);
        assert_eq!(text(&c.items[0], "unit"), "sshd.service");
    }

    #[test]
    fn pattern_and_missing_unit() {
        let dir = fixture();
        let root = Root::new(dir.path()).unwrap();
        let c = collect(&SystemdUnitDependencyProbe, vec![pattern("unit", "\\.target$")], &root);
        let units: Vec<_> = c.items.iter().map(|i| text(i, "unit")).collect();
        assert_eq!(units, ["basic.target", "extra.target", "multi-user.target", "sysinit.target"]);
        let c = collect(&SystemdUnitDependencyProbe, vec![equals("unit", "nope.target")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
