//! Secrets stay out of evidence: the values of settings whose names look like credentials (a
//! `splunk-token` log option, a `password` key, an `AWS_SECRET_ACCESS_KEY` variable) are replaced in
//! the collected items by `[redacted sha256:…]`, so every output (JSON, HTML, XCCDF, ARF, console)
//! still proves what was read without showing it. The scan evaluated the real values first.

use sha2::{Digest, Sha256};

use crate::model::oval::{Item, ItemField, ItemValue};
use crate::results::document::ScanResults;

/// The fields that name what an item's value belongs to.
const NAME_FIELDS: [&str; 4] = ["name", "key", "yamlpath", "variable"];
/// The fields that hold that value.
const VALUE_FIELDS: [&str; 3] = ["value", "text", "subexpression"];

/// What a redacted value reads as.
pub fn redacted(value: &str) -> String {
    format!("[redacted sha256:{}]", hex::encode(Sha256::digest(value.as_bytes())))
}

/// Does a setting of this name hold a credential? The last dotted part is judged
/// (`log-opts.splunk-token`), by its words (`-`, `_`, case changes).
pub fn looks_like_credential(name: &str) -> bool {
    let last = name.rsplit(['.', '/']).next().unwrap_or(name).to_ascii_lowercase();
    let squashed: String = last.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    ["token", "password", "passwd", "passphrase", "secret", "credential", "apikey", "privatekey", "accesskey"]
        .iter()
        .any(|w| squashed.contains(w))
        || squashed == "key"
        || squashed == "pass"
}

/// Redact every credential value in the collected items of `results`; returns how many.
pub fn redact(results: &mut ScanResults) -> usize {
    results.oval.iter_mut().flat_map(|d| d.run.items.iter_mut()).map(redact_item).sum()
}

fn text<'a>(fields: &'a [ItemField], name: &str) -> Option<&'a str> {
    fields.iter().find(|f| f.name == name).and_then(|f| match &f.value {
        ItemValue::Text(t) => Some(t.as_str()),
        _ => None,
    })
}

fn redact_item(item: &mut Item) -> usize {
    let secret = NAME_FIELDS.iter().filter_map(|n| text(&item.fields, n)).any(looks_like_credential);
    let mut count = 0;
    for field in &mut item.fields {
        match &mut field.value {
            ItemValue::Text(value) if secret && VALUE_FIELDS.contains(&field.name.as_ref()) => {
                count += redact_text(value);
            }
            ItemValue::Record(sub) => count += redact_record(sub, secret),
            _ => {}
        }
    }
    count
}

/// Record fields (a YAML mapping's entries) are judged by their own names.
fn redact_record(fields: &mut [ItemField], all: bool) -> usize {
    let mut count = 0;
    for field in fields {
        let secret = all || looks_like_credential(&field.name);
        match &mut field.value {
            ItemValue::Text(value) if secret => count += redact_text(value),
            ItemValue::Record(sub) => count += redact_record(sub, secret),
            _ => {}
        }
    }
    count
}

/// A path to a key file is evidence, not a secret: only other values are replaced.
fn redact_text(value: &mut String) -> usize {
    if value.is_empty() || value.starts_with('/') || value.starts_with("[redacted ") {
        return 0;
    }
    *value = redacted(value);
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::{Datatype, ItemStatus, TypeName};

    fn item(fields: &[(&'static str, &str)]) -> Item {
        let mut item = Item::new(TypeName {
            family: crate::model::oval::Family::Independent,
            namespace: String::new(),
            name: "x_item".into(),
        });
        for (n, v) in fields {
            item.push(*n, Datatype::String, *v);
        }
        item
    }

    #[test]
    fn credential_names_are_recognised_and_others_kept() {
        for name in
            ["log-opts.splunk-token", "password", "AWS_SECRET_ACCESS_KEY", "apiKey", "db_passwd", "key"]
        {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in ["tlskey", "log-driver", "hosts", "keyboard", "max-size", "DOCKER_FIPS"] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn values_are_replaced_by_their_digest_and_paths_kept() {
        let mut token =
            item(&[("name", "log-opts.splunk-token"), ("value", "s3cr3t"), ("location", "/etc/d.json:3")]);
        assert_eq!(redact_item(&mut token), 1);
        assert_eq!(
            text(&token.fields, "value"),
            Some("[redacted sha256:4e738ca5563c06cfd0018299933d58db1dd8bf97f6973dc99bf6cdc64b5550bd]")
        );
        assert_eq!(text(&token.fields, "location"), Some("/etc/d.json:3"));
        let mut path = item(&[("name", "private-key"), ("value", "/etc/docker/key.pem")]);
        assert_eq!(redact_item(&mut path), 0);
        let mut plain = item(&[("name", "log-driver"), ("value", "syslog")]);
        assert_eq!(redact_item(&mut plain), 0);
        // A YAML mapping: only its credential entries.
        let mut yaml = item(&[("filepath", "/etc/x.yml")]);
        yaml.fields.push(ItemField {
            name: "value".into(),
            datatype: Datatype::Record,
            status: ItemStatus::Exists,
            value: ItemValue::Record(vec![
                ItemField {
                    name: "user".into(),
                    datatype: Datatype::String,
                    status: ItemStatus::Exists,
                    value: ItemValue::Text("admin".into()),
                },
                ItemField {
                    name: "password".into(),
                    datatype: Datatype::String,
                    status: ItemStatus::Exists,
                    value: ItemValue::Text("hunter2".into()),
                },
            ]),
        });
        assert_eq!(redact_item(&mut yaml), 1);
        let ItemValue::Record(sub) = &yaml.fields[1].value else { panic!() };
        assert_eq!(sub[0].value, ItemValue::Text("admin".into()));
        assert!(matches!(&sub[1].value, ItemValue::Text(t) if t.starts_with("[redacted sha256:")));
    }
}
