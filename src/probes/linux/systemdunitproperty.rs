//! `linux:systemdunitproperty_object`: properties of systemd units, computed from the unit
//! files inside the root (see [`super::systemd_units`]).
//!
//! OpenSCAP reads the `org.freedesktop.systemd1.Unit` D-Bus properties of the running systemd;
//! offline it reports the object `not collected` ("DBus connection failed"). stigrun reports
//! what the files determine: `Id`, `Names`, `Description`, `Documentation`, `LoadState`,
//! `UnitFileState`, `FragmentPath`, `DropInPaths` and the unit-list properties (`Requires`,
//! `Wants`, `After`, …), plus the raw settings of the unit's type section (`ExecStart`, `User`,
//! …). `ActiveState` and `SubState` exist only at run time: their item is given with the value
//! `not collected`. As with D-Bus arrays, a property with no values gives no item.

use crate::diag::{Code, Diagnostic};
use crate::model::oval::{Datatype, Family, Item, ItemStatus};

use crate::probes::support::entity_filter::{accepts, push_without_value};
use crate::probes::support::systemd_units::{DEPENDENCY_PROPERTIES, LoadState, Unit, UnitStore};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// Properties that only the running service manager knows.
const RUNTIME_PROPERTIES: &[&str] = &["ActiveState", "SubState"];

/// A property value as the files give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyValue {
    Values(Vec<String>),
    /// Known to exist, but only at run time.
    RunTime,
}

/// Every property stigrun can report for `unit`, in a fixed order.
pub fn unit_properties(unit: &Unit) -> Vec<(String, PropertyValue)> {
    let one = |v: &str| PropertyValue::Values(vec![v.to_string()]);
    let mut props = vec![
        ("Id".to_string(), one(&unit.id)),
        ("Names".to_string(), PropertyValue::Values(unit.names.clone())),
        ("Description".to_string(), one(&unit.description())),
        ("Documentation".to_string(), PropertyValue::Values(unit.setting("Documentation"))),
        ("LoadState".to_string(), one(unit.load_state.as_str())),
    ];
    props.extend(RUNTIME_PROPERTIES.iter().map(|p| (p.to_string(), PropertyValue::RunTime)));
    props.push(("UnitFileState".to_string(), one(&unit.unit_file_state)));
    props.push(("FragmentPath".to_string(), one(&unit.fragment_path)));
    props.push(("DropInPaths".to_string(), PropertyValue::Values(unit.drop_in_paths.clone())));
    for p in DEPENDENCY_PROPERTIES {
        props.push((p.to_string(), PropertyValue::Values(unit.dependencies(p))));
    }
    if unit.load_state == LoadState::Loaded {
        // Raw settings outside [Unit] (handled above) and [Install] (not a unit property).
        let mut keys: Vec<&str> = unit
            .assignments
            .iter()
            .filter(|a| a.section != "Unit" && a.section != "Install")
            .map(|a| a.key.as_str())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            if !props.iter().any(|(p, _)| p == key) {
                props.push((key.to_string(), PropertyValue::Values(unit.setting(key))));
            }
        }
    }
    props
}

pub struct SystemdUnitPropertyProbe;

impl Probe for SystemdUnitPropertyProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "systemdunitproperty_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("unit").is_none() || object.entity("property").is_none() {
            return Collected::error("systemdunitproperty_object needs `unit` and `property` entities");
        }
        let store = UnitStore::open(ctx.root());
        let mut items = Vec::new();
        let mut messages = Vec::new();
        for name in store.unit_names() {
            match accepts(object, "unit", &name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let unit = store.load(&name);
            messages.extend(unit.problems.iter().map(|p| Diagnostic::new(Code::Malformed, p.clone())));
            for (property, value) in unit_properties(&unit) {
                match accepts(object, "property", &property) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => return Collected::error(e.to_string()),
                }
                if let Some(item) = property_item(object, &name, &property, value) {
                    items.push(item);
                }
            }
        }
        let mut collected = Collected::from_items(items);
        collected.messages = messages;
        collected
    }
}

fn property_item(
    object: &ResolvedObject<'_>,
    unit: &str,
    property: &str,
    value: PropertyValue,
) -> Option<Item> {
    let mut item = Item::new(item_type(object.kind));
    item.push("unit", Datatype::String, unit);
    item.push("property", Datatype::String, property);
    match value {
        PropertyValue::Values(values) if values.is_empty() => return None,
        PropertyValue::Values(values) => {
            for v in values {
                item.push("value", Datatype::String, v);
            }
        }
        PropertyValue::RunTime => {
            push_without_value(&mut item, "value", Datatype::String, ItemStatus::NotCollected);
            item.messages.push(format!(
                "`{property}` of `{unit}` is run-time state of the service manager; unit files do not record it"
            ));
        }
    }
    Some(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::ItemValue;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::probes::support::systemd_units::tests::fixture;
    use crate::semantics::CollectedFlag;

    fn run(unit: crate::semantics::ResolvedEntity, property: crate::semantics::ResolvedEntity) -> Collected {
        let dir = fixture();
        let root = Root::new(dir.path()).unwrap();
        collect(&SystemdUnitPropertyProbe, vec![unit, property], &root)
    }

    #[test]
    fn unit_file_state_and_load_state() {
        let c = run(equals("unit", "sshd.service"), equals("property", "UnitFileState"));
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(field_names(&c.items[0]), ["unit", "property", "value"]);
        assert_eq!(text(&c.items[0], "value"), "enabled");
        let c = run(equals("unit", "telnet.service"), equals("property", "LoadState"));
        assert_eq!(text(&c.items[0], "value"), "masked");
        let c = run(equals("unit", "cups.service"), equals("property", "UnitFileState"));
        assert_eq!(text(&c.items[0], "value"), "disabled");
    }

    #[test]
    fn active_state_is_not_collected() {
        let c = run(equals("unit", "sshd.service"), equals("property", "ActiveState"));
        let value = c.items[0].fields_named("value").next().unwrap();
        assert_eq!((value.status, &value.value), (ItemStatus::NotCollected, &ItemValue::Nil));
        assert_eq!(c.items[0].messages.len(), 1);
    }

    #[test]
    fn pattern_units_and_raw_settings_after_drop_ins() {
        let c = run(pattern("unit", "^(sshd|telnet)\\.(socket|service)$"), equals("property", "ExecStart"));
        // telnet is masked: no settings are loaded, so only sshd has ExecStart.
        assert_eq!(c.items.len(), 1);
        assert_eq!(texts(&c.items[0], "value"), ["/usr/sbin/sshd -D -o X"]);
    }

    #[test]
    fn alias_name_is_kept_as_unit_and_array_values_split() {
        let c = run(equals("unit", "ssh.service"), equals("property", "Names"));
        assert_eq!(text(&c.items[0], "unit"), "ssh.service");
        assert_eq!(texts(&c.items[0], "value"), ["sshd.service", "ssh.service"]);
        let c = run(equals("unit", "multi-user.target"), equals("property", "Wants"));
        assert_eq!(texts(&c.items[0], "value"), ["extra.target", "sshd.service"]);
    }

    #[test]
    fn unknown_unit_or_empty_property_gives_no_item() {
        assert_eq!(
            run(equals("unit", "nope.service"), equals("property", "LoadState")).flag,
            CollectedFlag::DoesNotExist
        );
        // multi-user.target has no Requisite=: empty arrays produce no item, as over D-Bus.
        let c = run(equals("unit", "multi-user.target"), equals("property", "Requisite"));
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn root_without_systemd_has_no_units() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let c =
            collect(&SystemdUnitPropertyProbe, vec![pattern("unit", ".*"), pattern("property", ".*")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
