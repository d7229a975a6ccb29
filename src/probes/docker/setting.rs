//! `docker:setting_object`: values at a key path of an Engine, UCP or DTR document (`/info`'s
//! `Swarm.Managers`, config-toml's `auth.sessions.per_user_limit`, DTR's `createRepositoryOnPush`).
//!
//! `document` is a snapshot path (`engine/info.json`, `ucp/config.toml`); `key` is a dotted path
//! whose `[*]` segment runs over an array (`[*].inNotary`). One item per object: the values found,
//! typed as JSON types them (64-bit integers stay integers); a key that is not there gives no
//! item, a document that is not there gives `not collected`.

use crate::diag::Diagnostic;
use crate::model::oval::{Datatype, Family, Item, ItemField, ItemStatus, ItemValue, Operation};
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

use super::read::read;

pub struct SettingProbe;

impl Probe for SettingProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "setting_object")
    }

    fn needs(&self) -> Needs {
        Needs::Engine
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(engine) = ctx.target.engine() else {
            return Collected::not_collected("no engine source");
        };
        let single = |name: &str| -> Result<String, Collected> {
            let entity = object
                .entity(name)
                .ok_or_else(|| Collected::error(format!("setting_object without a `{name}` entity")))?;
            if entity.operation != Operation::Equals || entity.values.len() != 1 {
                return Err(Collected::error(format!(
                    "setting_object `{name}` must be one value compared with `equals`"
                )));
            }
            Ok(entity.values[0].clone())
        };
        let (document, key) = match (single("document"), single("key")) {
            (Ok(d), Ok(k)) => (d, k),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let segments = match parse_key(&key) {
            Ok(s) => s,
            Err(why) => return Collected::error(format!("setting_object key `{key}`: {why}")),
        };
        let read = match read(engine, &document) {
            Ok(r) => r,
            Err(collected) => return collected,
        };
        let mut found = Vec::new();
        walk(&read.value, &segments, &mut found);
        let mut collected = if found.is_empty() {
            let mut c = Collected::from_items(Vec::new());
            c.messages.push(Diagnostic::note(format!("`{document}` has no `{key}`")));
            c
        } else {
            let mut item = Item::new(item_type(object.kind));
            item.push("document", Datatype::String, document.clone());
            item.push("key", Datatype::String, key.clone());
            for value in found {
                item.fields.push(value_field(value));
            }
            Collected::from_items(vec![item])
        };
        collected.evidence.push(read.evidence);
        collected
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Each,
}

fn parse_key(key: &str) -> Result<Vec<Segment>, &'static str> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, each) = match part.strip_suffix("[*]") {
            Some(name) => (name, true),
            None => (part, false),
        };
        if name.contains(['[', ']']) {
            return Err("only `[*]` may follow a name");
        }
        if !name.is_empty() {
            out.push(Segment::Key(name.to_string()));
        } else if !each {
            return Err("empty segment");
        }
        if each {
            out.push(Segment::Each);
        }
    }
    Ok(out)
}

fn walk<'a>(value: &'a serde_json::Value, segments: &[Segment], out: &mut Vec<&'a serde_json::Value>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(value);
        return;
    };
    match first {
        Segment::Key(k) => {
            if let Some(v) = value.get(k.as_str()) {
                walk(v, rest, out);
            }
        }
        Segment::Each => {
            for v in value.as_array().into_iter().flatten() {
                walk(v, rest, out);
            }
        }
    }
}

/// A JSON value as a typed `value` field; null is a field that does not exist.
fn value_field(value: &serde_json::Value) -> ItemField {
    let (datatype, text) = match value {
        serde_json::Value::Null => {
            return ItemField {
                name: "value".into(),
                datatype: Datatype::String,
                status: ItemStatus::DoesNotExist,
                value: ItemValue::Nil,
            };
        }
        serde_json::Value::Bool(b) => (Datatype::Boolean, b.to_string()),
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => (Datatype::Int, n.to_string()),
        serde_json::Value::Number(n) => (Datatype::Float, n.to_string()),
        serde_json::Value::String(s) => (Datatype::String, s.clone()),
        other => (Datatype::String, other.to_string()),
    };
    ItemField { name: "value".into(), datatype, status: ItemStatus::Exists, value: ItemValue::Text(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_walk_objects_and_arrays() {
        let doc: serde_json::Value = serde_json::json!({
            "Swarm": {"Managers": 3, "Cluster": {"Spec": {"CAConfig": {"NodeCertExpiry": 7_776_000_000_000_000_i64}}}},
            "tags": [{"inNotary": true}, {"inNotary": false}]
        });
        let get = |key: &str| {
            let mut out = Vec::new();
            walk(&doc, &parse_key(key).unwrap(), &mut out);
            out.into_iter().map(value_field).collect::<Vec<_>>()
        };
        let expiry = get("Swarm.Cluster.Spec.CAConfig.NodeCertExpiry");
        assert_eq!(expiry[0].datatype, Datatype::Int);
        assert_eq!(expiry[0].value, ItemValue::Text("7776000000000000".into()));
        assert_eq!(get("tags[*].inNotary").len(), 2);
        assert!(get("Swarm.Nothing").is_empty());
        assert!(parse_key("a[0]").is_err());
        let list = serde_json::json!([1, 2]);
        let mut out = Vec::new();
        walk(&list, &parse_key("[*]").unwrap(), &mut out);
        assert_eq!(out.len(), 2);
    }
}
