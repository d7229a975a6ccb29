//! `unix:sysctl_object`: kernel parameters, read from `/proc/sys` *inside the root*.
//!
//! Semantics follow OpenSCAP's sysctl probe (OVAL 5.10+): the name is the path below
//! `/proc/sys` with `/` → `.`; write-only and empty files are skipped; the value is split
//! into several `value` entities at newlines and other non-printable, non-space bytes, with a
//! final newline dropped. OpenSCAP does not run this probe under `OSCAP_PROBE_ROOT` (the
//! object is `not applicable`); stigrun reads the root's `/proc/sys`, which for a mounted image
//! is usually empty (→ `does not exist`) and for `/` is the live kernel.

use crate::host::{FileKind, HostError, Root};
use crate::model::oval::{Datatype, Family, Item, ItemStatus};

use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const PROC_SYS: &str = "/proc/sys";
/// Deepest parameter, counted in path components below /proc/sys (oscap walks 7 levels).
const MAX_COMPONENTS: usize = 8;

pub struct SysctlProbe;

impl Probe for SysctlProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "sysctl_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let Some(name_entity) = object.entity("name") else {
            return Collected::error("sysctl_object without a `name` entity");
        };
        // Exact names usually map straight to a file; a name whose components contain dots
        // (VLAN interfaces such as `eth0.10`) does not, so fall back to the walk.
        let direct: Option<Vec<String>> = name_entity
            .exact_values()
            .map(|names| names.iter().map(|n| format!("{PROC_SYS}/{}", n.replace('.', "/"))).collect());
        let candidates = match direct {
            Some(paths) if paths.iter().all(|p| is_regular(root, p)) => paths,
            _ => {
                let mut found = Vec::new();
                walk(root, PROC_SYS, 0, &mut found);
                found
            }
        };
        let mut items = Vec::new();
        for path in candidates {
            let name = mib_name(&path);
            match accepts(object, "name", &name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            if let Some(item) = read_parameter(root, object, &path, &name) {
                items.push(item);
            }
        }
        Collected::from_items(items)
    }
}

fn is_regular(root: &Root, path: &str) -> bool {
    root.stat(path).map(|m| m.kind == FileKind::Regular).unwrap_or(false)
}

/// `/proc/sys/net/ipv4/ip_forward` → `net.ipv4.ip_forward`.
fn mib_name(path: &str) -> String {
    path.strip_prefix(PROC_SYS).unwrap_or(path).trim_start_matches('/').replace('/', ".")
}

/// Collect every regular file below `dir` (sorted, so items come in a stable order).
fn walk(root: &Root, dir: &str, depth: usize, out: &mut Vec<String>) {
    if depth >= MAX_COMPONENTS {
        return;
    }
    let Ok(names) = root.read_dir(dir) else { return };
    for name in names {
        let path = format!("{dir}/{name}");
        match root.stat(&path).map(|m| m.kind) {
            Ok(FileKind::Directory) => walk(root, &path, depth + 1, out),
            Ok(FileKind::Regular) => out.push(path),
            _ => {}
        }
    }
}

/// The item for one parameter file, or `None` when oscap would skip it.
fn read_parameter(root: &Root, object: &ResolvedObject<'_>, path: &str, name: &str) -> Option<Item> {
    let mut item = Item::new(item_type(object.kind));
    item.push("name", Datatype::String, name);
    // Write-only parameters (e.g. net.ipv4.route.flush) have no value to report, as sysctl(8) does.
    if root.stat(path).map(|m| m.mode & 0o400 == 0).unwrap_or(false) {
        return None;
    }
    let bytes = match root.read(path) {
        Ok(content) => content.bytes,
        // The per-interface IPv6 stable_secret cannot be read until it is set.
        Err(HostError::Io { .. })
            if path.starts_with("/proc/sys/net/ipv6/conf/") && path.ends_with("/stable_secret") =>
        {
            return None;
        }
        Err(e) => {
            item.status = ItemStatus::Error;
            item.messages.push(e.to_string());
            return Some(item);
        }
    };
    if bytes.is_empty() {
        return None;
    }
    for value in split_values(&bytes) {
        item.push("value", Datatype::String, value);
    }
    Some(item)
}

/// Split a parameter's bytes into values the way oscap does (see the module comment).
fn split_values(bytes: &[u8]) -> Vec<String> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut values: Vec<String> = body
        .split(|&b| b == b'\n' || !(b.is_ascii_graphic() || b == b' ' || b.is_ascii_whitespace()))
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    if values.last().is_some_and(String::is_empty) {
        values.pop();
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let sys = dir.path().join("proc/sys");
        for d in ["net/ipv4/conf/all", "net/ipv4/conf/eth0.10", "kernel", "net/ipv4/route"] {
            fs::create_dir_all(sys.join(d)).unwrap();
        }
        fs::write(sys.join("net/ipv4/ip_forward"), "1\n").unwrap();
        fs::write(sys.join("net/ipv4/conf/all/rp_filter"), "2\n").unwrap();
        fs::write(sys.join("net/ipv4/conf/eth0.10/rp_filter"), "0\n").unwrap();
        fs::write(sys.join("kernel/printk"), "4\t4\t1\t7\n").unwrap();
        fs::write(sys.join("kernel/multi"), "a\nb\n").unwrap();
        fs::write(sys.join("kernel/empty"), "").unwrap();
        fs::write(sys.join("net/ipv4/route/flush"), "1\n").unwrap();
        fs::set_permissions(sys.join("net/ipv4/route/flush"), fs::Permissions::from_mode(0o200)).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn exact_name_reads_the_roots_proc_sys() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![equals("name", "net.ipv4.ip_forward")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(c.items.len(), 1);
        assert_eq!(field_names(&c.items[0]), ["name", "value"]);
        assert_eq!(text(&c.items[0], "name"), "net.ipv4.ip_forward");
        assert_eq!(text(&c.items[0], "value"), "1");
    }

    #[test]
    fn dotted_interface_name_is_found_by_walking() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![equals("name", "net.ipv4.conf.eth0.10.rp_filter")], &root);
        assert_eq!(c.items.len(), 1);
        assert_eq!(text(&c.items[0], "value"), "0");
    }

    #[test]
    fn tabs_stay_in_one_value_newlines_split() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![equals("name", "kernel.printk")], &root);
        assert_eq!(texts(&c.items[0], "value"), ["4\t4\t1\t7"]);
        let c = collect(&SysctlProbe, vec![equals("name", "kernel.multi")], &root);
        assert_eq!(texts(&c.items[0], "value"), ["a", "b"]);
    }

    #[test]
    fn pattern_skips_empty_and_write_only() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![pattern("name", "^(kernel|net\\.ipv4\\.route)\\.")], &root);
        let names: Vec<_> = c.items.iter().map(|i| text(i, "name")).collect();
        assert_eq!(names, ["kernel.multi", "kernel.printk"]);
    }

    #[test]
    fn missing_parameter_or_proc_does_not_exist() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![equals("name", "kernel.nope")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        let empty = tempfile::tempdir().unwrap();
        let c =
            collect(&SysctlProbe, vec![equals("name", "kernel.printk")], &Root::new(empty.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn bad_pattern_is_an_error_flag() {
        let (_dir, root) = fixture();
        let c = collect(&SysctlProbe, vec![pattern("name", "(")], &root);
        assert_eq!(c.flag, CollectedFlag::Error);
    }

    #[test]
    fn live_kernel_when_scanning_slash() {
        let root = Root::new("/").unwrap();
        let c = collect(&SysctlProbe, vec![equals("name", "kernel.ostype")], &root);
        assert_eq!(text(&c.items[0], "value"), "Linux");
    }
}
