//! Small helpers the system probes share: matching candidates against optional object
//! entities, and building item fields whose value could not be (or was not) collected.

use crate::model::oval::{Datatype, FieldName, Item, ItemField, ItemStatus, ItemValue};
use crate::semantics::EvalError;

use crate::probes::{Collected, ResolvedObject};

/// Does `candidate` satisfy the object's entity `name`? An entity the object does not have
/// (or that is `xsi:nil`) restricts nothing.
pub fn accepts(object: &ResolvedObject<'_>, name: &str, candidate: &str) -> Result<bool, EvalError> {
    match object.entity(name) {
        Some(entity) if !entity.nil => entity.matches(candidate),
        _ => Ok(true),
    }
}

/// Append a field that has no value, with the status saying why (`does not exist`, `not collected`).
pub fn push_without_value(
    item: &mut Item,
    name: impl Into<FieldName>,
    datatype: Datatype,
    status: ItemStatus,
) {
    item.fields.push(ItemField { name: name.into(), datatype, status, value: ItemValue::Nil });
}

/// Items for the entries of an account file (`/etc/passwd`, `/etc/shadow`) whose `username`
/// the object accepts, with a message when malformed lines were skipped.
pub fn collect_accounts<E>(
    object: &ResolvedObject<'_>,
    file: &str,
    entries: &[E],
    skipped: usize,
    username: impl Fn(&E) -> &str,
    to_item: impl Fn(&ResolvedObject<'_>, &E) -> Item,
) -> Collected {
    let mut items = Vec::new();
    for entry in entries {
        match accepts(object, "username", username(entry)) {
            Ok(true) => items.push(to_item(object, entry)),
            Ok(false) => {}
            Err(e) => return Collected::error(e.to_string()),
        }
    }
    let mut collected = Collected::from_items(items);
    if skipped > 0 {
        collected.messages.push(format!("`{file}`: {skipped} malformed line(s) skipped").into());
    }
    collected
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Building resolved objects in probe unit tests.

    use crate::host::Root;
    use crate::model::oval::{Check, Datatype, Family, Item, ItemValue, Operation, TypeName};
    use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};
    use crate::semantics::ResolvedEntity;

    pub fn type_name(family: Family, name: &str) -> TypeName {
        let suffix = family.suffix();
        TypeName {
            family,
            namespace: format!("http://oval.mitre.org/XMLSchema/oval-definitions-5#{suffix}"),
            name: name.to_string(),
        }
    }

    pub fn entity(name: &str, operation: Operation, value: &str) -> ResolvedEntity {
        ResolvedEntity {
            name: name.to_string(),
            datatype: Datatype::String,
            operation,
            values: vec![value.to_string()],
            var_check: Check::All,
            nil: false,
            from_variable: false,
        }
    }

    pub fn equals(name: &str, value: &str) -> ResolvedEntity {
        entity(name, Operation::Equals, value)
    }

    pub fn pattern(name: &str, value: &str) -> ResolvedEntity {
        entity(name, Operation::PatternMatch, value)
    }

    pub fn nil(name: &str) -> ResolvedEntity {
        ResolvedEntity { nil: true, values: Vec::new(), ..entity(name, Operation::Equals, "") }
    }

    /// Run `probe` on an object of its own type with these entities.
    pub fn collect(probe: &dyn Probe, entities: Vec<ResolvedEntity>, root: &Root) -> Collected {
        collect_with_behaviors(probe, entities, &[], root)
    }

    /// Run `probe` on an object of its own type with these entities and `<behaviors>`.
    pub fn collect_with_behaviors(
        probe: &dyn Probe,
        entities: Vec<ResolvedEntity>,
        behaviors: &[(String, String)],
        root: &Root,
    ) -> Collected {
        let (family, name) = probe.object_type();
        let kind = type_name(family, name);
        let object = ResolvedObject { id: "oval:test:obj:1", kind: &kind, entities, behaviors };
        crate::probes::Registry::collect(
            probe,
            &object,
            &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())),
        )
    }

    /// The text values of every field called `name`.
    pub fn texts<'a>(item: &'a Item, name: &'a str) -> Vec<&'a str> {
        item.fields_named(name)
            .filter_map(|f| match &f.value {
                ItemValue::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The single text value of field `name` (panics in tests when absent).
    pub fn text<'a>(item: &'a Item, name: &'a str) -> &'a str {
        let all = texts(item, name);
        assert_eq!(all.len(), 1, "field `{name}` in {item:?}");
        all[0]
    }

    /// Field names in item order.
    pub fn field_names(item: &Item) -> Vec<&str> {
        item.fields.iter().map(|f| f.name.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{equals, nil, type_name};
    use super::*;
    use crate::model::oval::Family;

    #[test]
    fn absent_or_nil_entity_accepts_anything_present_one_filters() {
        let kind = type_name(Family::Unix, "password_object");
        let mut object = ResolvedObject { id: "oval:t:obj:1", kind: &kind, entities: vec![], behaviors: &[] };
        assert!(accepts(&object, "username", "root").unwrap());
        object.entities.push(nil("username"));
        assert!(accepts(&object, "username", "root").unwrap());
        object.entities = vec![equals("username", "alice")];
        assert!(!accepts(&object, "username", "root").unwrap());
        assert!(accepts(&object, "username", "alice").unwrap());
    }
}
