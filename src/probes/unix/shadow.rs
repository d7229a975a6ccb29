//! `unix:shadow_object`: password aging data from `/etc/shadow` inside the root.
//!
//! Values follow glibc's `getspent`, which OpenSCAP's probe uses: an empty numeric field is
//! `-1`, an empty `flag` is `~0` (18446744073709551615); lines glibc rejects are skipped.
//! `encrypt_method` is derived from the hash prefix as oscap does (no entity when the prefix is
//! not one the OVAL enumeration knows, e.g. yescrypt `$y$`). OpenSCAP does not run this probe
//! under `OSCAP_PROBE_ROOT` (`not applicable`); stigrun reads the root's file.

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::collect_accounts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const SHADOW: &str = "/etc/shadow";
/// glibc's value for an empty `sp_flag`, printed unsigned as oscap does.
const EMPTY_FLAG: &str = "18446744073709551615";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowEntry {
    pub username: String,
    pub password: String,
    /// chg_lst, chg_allow, chg_req, exp_warn, exp_inact, exp_date (`-1` when empty).
    pub numbers: [i64; 6],
    pub flag: String,
}

pub fn parse_shadow(text: &str) -> (Vec<ShadowEntry>, usize) {
    let mut entries = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match parse_line(line) {
            Some(e) => entries.push(e),
            None => skipped += 1,
        }
    }
    (entries, skipped)
}

fn parse_line(line: &str) -> Option<ShadowEntry> {
    if line.starts_with(['+', '-', '#']) {
        return None;
    }
    let f: Vec<&str> = line.split(':').collect();
    if f.len() != 9 || f[0].is_empty() {
        return None;
    }
    let mut numbers = [-1i64; 6];
    for (slot, raw) in numbers.iter_mut().zip(&f[2..8]) {
        if !raw.is_empty() {
            *slot = raw.parse().ok()?;
        }
    }
    let flag = if f[8].is_empty() { EMPTY_FLAG.to_string() } else { f[8].parse::<u64>().ok()?.to_string() };
    Some(ShadowEntry { username: f[0].to_string(), password: f[1].to_string(), numbers, flag })
}

/// The OVAL EncryptMethod for a hash, as oscap derives it; `None` for unknown `$id$` prefixes.
pub fn encrypt_method(hash: &str) -> Option<&'static str> {
    if hash.starts_with('_') {
        return Some("BSDi");
    }
    let Some(rest) = hash.strip_prefix('$') else { return Some("DES") };
    let (method, after) = if let Some(r) = rest.strip_prefix('1') {
        ("MD5", r)
    } else if let Some(r) = rest.strip_prefix('2') {
        ("Blowfish", r.strip_prefix('a').unwrap_or(r))
    } else if let Some(r) = rest.strip_prefix('5') {
        ("SHA-256", r)
    } else if let Some(r) = rest.strip_prefix('6') {
        ("SHA-512", r)
    } else if let Some(r) = rest.strip_prefix("md5") {
        ("Sun MD5", r)
    } else {
        return None;
    };
    after.starts_with('$').then_some(method)
}

pub struct ShadowProbe;

impl Probe for ShadowProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "shadow_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let (entries, skipped) = match ctx.root().read_to_string(SHADOW) {
            Ok((text, _)) => parse_shadow(&text),
            Err(e) if e.is_not_found() => (Vec::new(), 0),
            Err(e) => return Collected::error(e.to_string()),
        };
        collect_accounts(object, SHADOW, &entries, skipped, |e| e.username.as_str(), entry_item)
    }
}

fn entry_item(object: &ResolvedObject<'_>, e: &ShadowEntry) -> Item {
    const NUMERIC: [&str; 6] = ["chg_lst", "chg_allow", "chg_req", "exp_warn", "exp_inact", "exp_date"];
    let mut item = Item::new(item_type(object.kind));
    item.push("username", Datatype::String, e.username.as_str());
    item.push("password", Datatype::String, e.password.as_str());
    for (name, value) in NUMERIC.iter().zip(e.numbers) {
        item.push(*name, Datatype::Int, value.to_string());
    }
    item.push("flag", Datatype::Int, e.flag.as_str());
    if let Some(method) = encrypt_method(&e.password) {
        item.push("encrypt_method", Datatype::String, method);
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    const SHADOW_TEXT: &str = "root:$6$abc$def:19000:0:99999:7:::
daemon:*:18000:0:99999:7:::
alice:!$6$x$y:19500:1:60:7:30:20000:
bob:$y$j9T$salt$hash:19600::::::
bad:x:abc:0:0:0:::
short:x:1
";

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/shadow"), SHADOW_TEXT).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn fields_in_schema_order_with_glibc_defaults() {
        let (_d, root) = fixture();
        let c = collect(&ShadowProbe, vec![equals("username", "root")], &root);
        let item = &c.items[0];
        assert_eq!(
            field_names(item),
            [
                "username",
                "password",
                "chg_lst",
                "chg_allow",
                "chg_req",
                "exp_warn",
                "exp_inact",
                "exp_date",
                "flag",
                "encrypt_method"
            ]
        );
        assert_eq!(text(item, "chg_req"), "99999");
        assert_eq!(text(item, "exp_inact"), "-1");
        assert_eq!(text(item, "flag"), EMPTY_FLAG);
        assert_eq!(text(item, "encrypt_method"), "SHA-512");
    }

    #[test]
    fn malformed_lines_skipped_and_reported() {
        let (_d, root) = fixture();
        let c = collect(&ShadowProbe, vec![pattern("username", ".*")], &root);
        let names: Vec<_> = c.items.iter().map(|i| text(i, "username")).collect();
        assert_eq!(names, ["root", "daemon", "alice", "bob"]);
        assert!(c.messages[0].message.contains("2 malformed"));
    }

    #[test]
    fn encrypt_method_like_oscap() {
        let (_d, root) = fixture();
        let c = collect(&ShadowProbe, vec![pattern("username", "^(alice|bob|daemon)$")], &root);
        let methods: Vec<Vec<&str>> = c.items.iter().map(|i| texts(i, "encrypt_method")).collect();
        // daemon `*` and alice `!$6$…` fall to DES (oscap's default); yescrypt has none.
        assert_eq!(methods, [vec!["DES"], vec!["DES"], vec![]]);
        assert_eq!(encrypt_method("$2a$10$x"), Some("Blowfish"));
        assert_eq!(encrypt_method("$2b$10$x"), None);
        assert_eq!(encrypt_method("$1$s$h"), Some("MD5"));
        assert_eq!(encrypt_method("_J9..salt"), Some("BSDi"));
        assert_eq!(encrypt_method("$md5$x"), Some("Sun MD5"));
    }

    #[test]
    fn missing_shadow_does_not_exist() {
        let empty = tempfile::tempdir().unwrap();
        let c = collect(&ShadowProbe, vec![pattern("username", ".*")], &Root::new(empty.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
