//! `linux:partition_object`: mounted file systems, from the mount table inside the root
//! (`/proc/mounts`, else `/etc/mtab`), as OpenSCAP reads `<root>/proc/mounts`.
//!
//! Space figures come from `statvfs`, which only describes the scanned system when the root is
//! `/`; for a mounted root they are `not collected`. (oscap calls statvfs on
//! `<root><mount point>` and drops the whole item when that fails.) The `uuid` comes from the
//! root's `/dev/disk/by-uuid` links: `does not exist` when the device has none there, `not
//! collected` when the root has no such directory.

use std::ffi::CString;

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item, ItemStatus, Operation};

use crate::probes::support::entity_filter::{accepts, push_without_value};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const MOUNT_TABLES: &[&str] = &["/proc/mounts", "/etc/mtab"];
const BY_UUID: &str = "/dev/disk/by-uuid";

/// One line of a mount table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub device: String,
    pub mount_point: String,
    pub fs_type: String,
    pub options: Vec<String>,
}

/// Parse fstab(5)-format lines; `\040`-style octal escapes are decoded, `rootfs` is skipped
/// (the initramfs placeholder oscap also skips).
pub fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 || f[2] == "rootfs" {
                return None;
            }
            Some(Mount {
                device: unescape(f[0]),
                mount_point: unescape(f[1]),
                fs_type: unescape(f[2]),
                options: f[3].split(',').filter(|o| !o.is_empty()).map(unescape).collect(),
            })
        })
        .collect()
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4].iter().all(|b| (b'0'..=b'7').contains(b))
        {
            let value = bytes[i + 1..i + 4].iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
            out.push(value as u8);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct PartitionProbe;

impl Probe for PartitionProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "partition_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(entity) = object.entity("mount_point") else {
            return Collected::error("partition_object without a `mount_point` entity");
        };
        let root = ctx.root();
        let Some(text) = MOUNT_TABLES.iter().find_map(|p| root.read_to_string(p).ok().map(|(t, _)| t)) else {
            return Collected::from_items(Vec::new());
        };
        let uuids = uuid_links(root);
        let mut items: Vec<Item> = Vec::new();
        let mut seen_points: Vec<String> = Vec::new();
        for mount in parse_mounts(&text) {
            match accepts(object, "mount_point", &mount.mount_point) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            // An exact mount point gives the first table entry, as oscap does for `equals`.
            if entity.operation == Operation::Equals {
                if seen_points.contains(&mount.mount_point) {
                    continue;
                }
                seen_points.push(mount.mount_point.clone());
            }
            items.push(mount_item(object, root, &mount, uuids.as_deref()));
        }
        Collected::from_items(items)
    }
}

/// (uuid, resolved device path) pairs from the root's by-uuid links; `None` without the directory.
fn uuid_links(root: &Root) -> Option<Vec<(String, String)>> {
    let names = root.read_dir(BY_UUID).ok()?;
    Some(
        names
            .into_iter()
            .filter_map(|n| root.resolve(&format!("{BY_UUID}/{n}")).ok().map(|d| (n, d)))
            .collect(),
    )
}

fn mount_item(
    object: &ResolvedObject<'_>,
    root: &Root,
    mount: &Mount,
    uuids: Option<&[(String, String)]>,
) -> Item {
    let mut item = Item::new(item_type(object.kind));
    item.push("mount_point", Datatype::String, mount.mount_point.as_str());
    item.push("device", Datatype::String, mount.device.as_str());
    match uuids {
        None => push_without_value(&mut item, "uuid", Datatype::String, ItemStatus::NotCollected),
        Some(links) => {
            let device = root.resolve(&mount.device).unwrap_or_else(|_| mount.device.clone());
            match links.iter().find(|(_, d)| *d == device) {
                Some((uuid, _)) => item.push("uuid", Datatype::String, uuid.as_str()),
                None => push_without_value(&mut item, "uuid", Datatype::String, ItemStatus::DoesNotExist),
            }
        }
    }
    item.push("fs_type", Datatype::String, mount.fs_type.as_str());
    for option in &mount.options {
        item.push("mount_options", Datatype::String, option.as_str());
    }
    let space = if root.is_host_root() { statvfs(&mount.mount_point) } else { None };
    let names = ["total_space", "space_used", "space_left"];
    match space {
        Some((total, free)) => {
            for (name, value) in names.iter().zip([total, total.saturating_sub(free), free]) {
                item.push(*name, Datatype::Int, value.to_string());
            }
        }
        None => {
            let status = if root.is_host_root() { ItemStatus::Error } else { ItemStatus::NotCollected };
            for name in names {
                push_without_value(&mut item, name, Datatype::Int, status);
            }
        }
    }
    item
}

/// (blocks, free blocks) of the file system mounted at `path` on the running system.
fn statvfs(path: &str) -> Option<(u64, u64)> {
    let c_path = CString::new(path).ok()?;
    // SAFETY: zeroed statvfs is a valid out-parameter; the path is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some((st.f_blocks, st.f_bfree))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;
    use std::os::unix::fs::symlink;

    const MOUNTS: &str = "rootfs / rootfs rw 0 0
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
/dev/sdb1 /mnt/my\\040disk xfs rw 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev,noexec 0 0
";

    fn fixture(table: &str, with_uuid_dir: bool) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("proc")).unwrap();
        fs::write(dir.path().join(table.trim_start_matches('/')), MOUNTS).unwrap_or_else(|_| {
            fs::create_dir_all(dir.path().join("etc")).unwrap();
            fs::write(dir.path().join(table.trim_start_matches('/')), MOUNTS).unwrap();
        });
        if with_uuid_dir {
            fs::create_dir_all(dir.path().join("dev/disk/by-uuid")).unwrap();
            fs::write(dir.path().join("dev/sda1"), "").unwrap();
            symlink("../../sda1", dir.path().join("dev/disk/by-uuid/1234-abcd")).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn item_fields_from_the_roots_mount_table() {
        let (_d, root) = fixture("/proc/mounts", true);
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(
            field_names(item),
            [
                "mount_point",
                "device",
                "uuid",
                "fs_type",
                "mount_options",
                "mount_options",
                "total_space",
                "space_used",
                "space_left"
            ]
        );
        assert_eq!(text(item, "device"), "/dev/sda1");
        assert_eq!(text(item, "uuid"), "1234-abcd");
        assert_eq!(texts(item, "mount_options"), ["rw", "relatime"]);
        let total = item.fields_named("total_space").next().unwrap();
        assert_eq!(total.status, ItemStatus::NotCollected, "no statvfs for a mounted root");
    }

    #[test]
    fn first_entry_for_equals_and_uuid_statuses() {
        let (_d, root) = fixture("/proc/mounts", true);
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/dev/shm")], &root);
        assert_eq!(c.items.len(), 1);
        assert!(!texts(&c.items[0], "mount_options").contains(&"noexec"));
        assert_eq!(c.items[0].fields_named("uuid").next().unwrap().status, ItemStatus::DoesNotExist);
        let (_d, root) = fixture("/proc/mounts", false);
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/dev/shm")], &root);
        assert_eq!(c.items[0].fields_named("uuid").next().unwrap().status, ItemStatus::NotCollected);
    }

    #[test]
    fn escapes_pattern_and_etc_mtab_fallback() {
        let (_d, root) = fixture("/etc/mtab", false);
        let c = collect(&PartitionProbe, vec![pattern("mount_point", "^/mnt/")], &root);
        assert_eq!(text(&c.items[0], "mount_point"), "/mnt/my disk");
        let c = collect(&PartitionProbe, vec![pattern("mount_point", "^/dev/shm$")], &root);
        assert_eq!(c.items.len(), 2, "every entry for a pattern");
    }

    #[test]
    fn no_mount_table_and_missing_mount_point() {
        let empty = tempfile::tempdir().unwrap();
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/")], &Root::new(empty.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        let (_d, root) = fixture("/proc/mounts", false);
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/tmp")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn host_root_has_space_figures() {
        let c = collect(&PartitionProbe, vec![equals("mount_point", "/")], &Root::new("/").unwrap());
        let Some(item) = c.items.first() else { return };
        let total: i64 = text(item, "total_space").parse().unwrap();
        let used: i64 = text(item, "space_used").parse().unwrap();
        let left: i64 = text(item, "space_left").parse().unwrap();
        assert_eq!(total, used + left);
    }
}
