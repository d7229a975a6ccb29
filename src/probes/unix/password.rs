//! `unix:password_object`: accounts from `/etc/passwd` inside the root (OpenSCAP reads the
//! same file through `getpwent` in its chroot). `last_login` is `-1`, as oscap reports it.

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::collect_accounts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const PASSWD: &str = "/etc/passwd";

/// One well-formed `/etc/passwd` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub username: String,
    pub password: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home_dir: String,
    pub shell: String,
}

/// Parse `/etc/passwd`. Lines glibc would not return (wrong field count, non-numeric ids,
/// NIS `+`/`-` compat entries, comments) are skipped and counted.
pub fn parse_passwd(text: &str) -> (Vec<PasswdEntry>, usize) {
    let mut entries = Vec::new();
    let mut skipped = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Some(e) => entries.push(e),
            None => skipped += 1,
        }
    }
    (entries, skipped)
}

fn parse_line(line: &str) -> Option<PasswdEntry> {
    if line.starts_with(['+', '-', '#']) {
        return None;
    }
    let f: Vec<&str> = line.split(':').collect();
    if f.len() != 7 || f[0].is_empty() {
        return None;
    }
    Some(PasswdEntry {
        username: f[0].to_string(),
        password: f[1].to_string(),
        uid: f[2].parse().ok()?,
        gid: f[3].parse().ok()?,
        gecos: f[4].to_string(),
        home_dir: f[5].to_string(),
        shell: f[6].to_string(),
    })
}

/// The root's accounts; a missing `/etc/passwd` means none.
pub fn read_passwd(root: &Root) -> Result<(Vec<PasswdEntry>, usize), crate::host::HostError> {
    match root.read_to_string(PASSWD) {
        Ok((text, _)) => Ok(parse_passwd(&text)),
        Err(e) if e.is_not_found() => Ok((Vec::new(), 0)),
        Err(e) => Err(e),
    }
}

pub struct PasswordProbe;

impl Probe for PasswordProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "password_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let (entries, skipped) = match read_passwd(ctx.root()) {
            Ok(r) => r,
            Err(e) => return Collected::error(e.to_string()),
        };
        collect_accounts(object, PASSWD, &entries, skipped, |e| e.username.as_str(), entry_item)
    }
}

fn entry_item(object: &ResolvedObject<'_>, e: &PasswdEntry) -> Item {
    let mut item = Item::new(item_type(object.kind));
    item.push("username", Datatype::String, e.username.as_str());
    item.push("password", Datatype::String, e.password.as_str());
    item.push("user_id", Datatype::Int, e.uid.to_string());
    item.push("group_id", Datatype::Int, e.gid.to_string());
    item.push("gcos", Datatype::String, e.gecos.as_str());
    item.push("home_dir", Datatype::String, e.home_dir.as_str());
    item.push("login_shell", Datatype::String, e.shell.as_str());
    item.push("last_login", Datatype::Int, "-1");
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::Operation;
    use crate::probes::support::entity_filter::test_support::{
        collect, entity, equals, field_names, pattern, text,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    const PASSWD_TEXT: &str = "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
broken:x:notanumber:1::/:/bin/sh
+nisuser::::::
alice:x:1000:1000:Alice A,,,:/home/alice:/bin/bash
";

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/passwd"), PASSWD_TEXT).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn all_users_in_file_order_skipping_malformed() {
        let (_d, root) = fixture();
        let c = collect(&PasswordProbe, vec![pattern("username", ".*")], &root);
        let names: Vec<_> = c.items.iter().map(|i| text(i, "username")).collect();
        assert_eq!(names, ["root", "daemon", "alice"]);
        assert_eq!(c.messages.len(), 1);
    }

    #[test]
    fn item_fields_and_types() {
        let (_d, root) = fixture();
        let c = collect(&PasswordProbe, vec![equals("username", "alice")], &root);
        let item = &c.items[0];
        assert_eq!(
            field_names(item),
            ["username", "password", "user_id", "group_id", "gcos", "home_dir", "login_shell", "last_login"]
        );
        assert_eq!(text(item, "user_id"), "1000");
        assert_eq!(text(item, "gcos"), "Alice A,,,");
        assert_eq!(item.fields_named("user_id").next().unwrap().datatype, Datatype::Int);
    }

    #[test]
    fn not_equal_and_missing_file() {
        let (_d, root) = fixture();
        let c = collect(&PasswordProbe, vec![entity("username", Operation::NotEqual, "root")], &root);
        assert_eq!(c.items.len(), 2);
        let empty = tempfile::tempdir().unwrap();
        let c = collect(&PasswordProbe, vec![pattern("username", ".*")], &Root::new(empty.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
