//! `linux:selinuxboolean_object`: SELinux booleans from selinuxfs
//! (`/sys/fs/selinux/booleans/<name>`, "current pending") inside the root.
//!
//! Booleans exist only while a policy is loaded: a mounted root normally has no selinuxfs, and
//! then there are no items (`does not exist`), as OpenSCAP reports under `OSCAP_PROBE_ROOT`.

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const BOOLEANS: &str = "/sys/fs/selinux/booleans";

/// `"1 0"` → (current, pending) as OVAL booleans.
fn parse_boolean(text: &str) -> Option<(bool, bool)> {
    let mut parts = text.split_whitespace().map(|p| p.parse::<u8>().ok().map(|n| n != 0));
    Some((parts.next()??, parts.next()??))
}

pub struct SelinuxBooleanProbe;

impl Probe for SelinuxBooleanProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "selinuxboolean_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(entity) = object.entity("name") else {
            return Collected::error("selinuxboolean_object without a `name` entity");
        };
        // Without selinuxfs on the running host, booleans cannot be known: oscap reports the
        // object as not collected (tests come out unknown), and so does stigrun. A mounted root
        // (offline scan) has no selinuxfs either; oscap then says "does not exist", kept below.
        if ctx.root().is_host_root() && ctx.root().stat(BOOLEANS).is_err() {
            return Collected::not_collected(format!(
                "SELinux is not enabled on this host (no `{BOOLEANS}`)"
            ));
        }
        let names = match entity.exact_values() {
            Some(values) => values.to_vec(),
            None => ctx.root().read_dir(BOOLEANS).unwrap_or_default(),
        };
        let mut items = Vec::new();
        for name in names {
            match accepts(object, "name", &name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let text = match ctx.root().read_to_string(&format!("{BOOLEANS}/{name}")) {
                Ok((t, _)) => t,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Collected::error(e.to_string()),
            };
            let mut item = Item::new(item_type(object.kind));
            item.push("name", Datatype::String, name.as_str());
            match parse_boolean(&text) {
                Some((current, pending)) => {
                    item.push("current_status", Datatype::Boolean, current.to_string());
                    item.push("pending_status", Datatype::Boolean, pending.to_string());
                }
                None => {
                    item.status = crate::model::oval::ItemStatus::Error;
                    item.messages.push(format!("`{BOOLEANS}/{name}`: unexpected content {text:?}"));
                }
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
    use crate::model::oval::ItemStatus;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("sys/fs/selinux/booleans");
        fs::create_dir_all(&b).unwrap();
        fs::write(b.join("abrt_anon_write"), "0 1").unwrap();
        fs::write(b.join("httpd_can_network_connect"), "1 1").unwrap();
        fs::write(b.join("broken"), "x").unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn current_and_pending_values() {
        let (_d, root) = fixture();
        let c = collect(&SelinuxBooleanProbe, vec![equals("name", "abrt_anon_write")], &root);
        let item = &c.items[0];
        assert_eq!(field_names(item), ["name", "current_status", "pending_status"]);
        assert_eq!((text(item, "current_status"), text(item, "pending_status")), ("false", "true"));
    }

    #[test]
    fn pattern_lists_all_and_bad_content_is_an_error_item() {
        let (_d, root) = fixture();
        let c = collect(&SelinuxBooleanProbe, vec![pattern("name", ".")], &root);
        assert_eq!(c.items.len(), 3);
        let broken = c.items.iter().find(|i| text(i, "name") == "broken").unwrap();
        assert_eq!(broken.status, ItemStatus::Error);
        assert_eq!(c.items.iter().filter(|i| i.status == ItemStatus::Exists).count(), 2);
    }

    #[test]
    fn no_selinuxfs_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(
            &SelinuxBooleanProbe,
            vec![equals("name", "abrt_anon_write")],
            &Root::new(dir.path()).unwrap(),
        );
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
