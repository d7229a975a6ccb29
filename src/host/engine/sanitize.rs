//! Secrets never reach a snapshot or the evidence: keys that hold passwords, tokens, secrets or
//! private keys are dropped from JSON (swarm's `JoinTokens`, DTR settings) and TOML (UCP's
//! config-toml) documents before anyone reads them. `/swarm/unlockkey` is never requested.

/// Does a key name hold a secret? (`JoinTokens`, `password`, `bind_password`, `private_key`…)
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "passwd", "token", "secret", "privatekey", "private_key", "unlockkey", "unlock_key"]
        .iter()
        .any(|word| key.contains(word))
}

/// A JSON document with every secret-holding key removed (at any depth). Bytes that are not
/// JSON come back unchanged: the reader reports them as malformed.
pub fn sanitize_json(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    if !strip_json(&mut value) {
        return body.to_vec();
    }
    serde_json::to_vec(&value).unwrap_or_else(|_| body.to_vec())
}

/// True when something was removed.
fn strip_json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let before = map.len();
            map.retain(|k, _| !is_secret_key(k));
            let mut removed = map.len() != before;
            for v in map.values_mut() {
                removed |= strip_json(v);
            }
            removed
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |acc, v| strip_json(v) | acc),
        _ => false,
    }
}

/// A TOML document with every secret-holding key removed. Text that is not TOML comes back
/// unchanged.
pub fn sanitize_toml(body: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(body) else { return body.to_vec() };
    let Ok(mut table) = text.parse::<toml::Table>() else { return body.to_vec() };
    if !strip_toml(&mut table) {
        return body.to_vec();
    }
    toml::to_string(&table).map(String::into_bytes).unwrap_or_else(|_| body.to_vec())
}

fn strip_toml(table: &mut toml::Table) -> bool {
    let before = table.len();
    table.retain(|k, _| !is_secret_key(k));
    let mut removed = table.len() != before;
    for (_, value) in table.iter_mut() {
        removed |= strip_toml_value(value);
    }
    removed
}

fn strip_toml_value(value: &mut toml::Value) -> bool {
    match value {
        toml::Value::Table(t) => strip_toml(t),
        toml::Value::Array(items) => items.iter_mut().fold(false, |acc, v| strip_toml_value(v) | acc),
        _ => false,
    }
}

/// Sanitise a document by its snapshot path's extension.
pub fn sanitize(path: &str, body: Vec<u8>) -> Vec<u8> {
    if path.ends_with(".json") {
        sanitize_json(&body)
    } else if path.ends_with(".toml") {
        sanitize_toml(&body)
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_join_tokens_and_passwords_and_keeps_the_rest() {
        let swarm = br#"{"ID":"x","JoinTokens":{"Worker":"SWMTKN-1-w","Manager":"SWMTKN-1-m"},"Spec":{"EncryptionConfig":{"AutoLockManagers":true}}}"#;
        let clean = String::from_utf8(sanitize_json(swarm)).unwrap();
        assert!(!clean.contains("SWMTKN") && !clean.contains("JoinTokens"), "{clean}");
        assert!(clean.contains("AutoLockManagers"), "{clean}");
        let toml = b"[auth]\nbackend = \"ldap\"\n[auth.ldap]\nreader_password = \"hunter2\"\n[auth.sessions]\nper_user_limit = 3\n";
        let clean = String::from_utf8(sanitize_toml(toml)).unwrap();
        assert!(!clean.contains("hunter2") && clean.contains("per_user_limit = 3"), "{clean}");
        // Untouched documents keep their bytes.
        assert_eq!(sanitize_json(br#"{"a": 1}"#), br#"{"a": 1}"#);
        assert_eq!(sanitize("engine/x.json", b"not json".to_vec()), b"not json");
    }
}
