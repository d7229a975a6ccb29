//! `ind:environmentvariable58_object`: environment variables of processes, read from
//! `/proc/<pid>/environ` inside the root.
//!
//! A nil `pid` means the scanning process itself, as in OpenSCAP: its pid is looked up under
//! the root's `/proc`, so for `/` this is stigrun's own environment and for a mounted root it
//! normally does not exist (oscap then reports `does not exist` too).

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item, Operation};

use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// `KEY=VALUE` pairs of a NUL-separated `environ` block (entries without `=` are skipped).
pub fn parse_environ(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let text = String::from_utf8_lossy(entry);
            let (k, v) = text.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// Numeric entries of the root's `/proc`, ascending.
pub fn process_ids(root: &Root) -> Vec<u32> {
    let mut pids: Vec<u32> =
        root.read_dir("/proc").unwrap_or_default().iter().filter_map(|n| n.parse().ok()).collect();
    pids.sort_unstable();
    pids
}

pub struct EnvironmentVariable58Probe;

impl Probe for EnvironmentVariable58Probe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "environmentvariable58_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error("environmentvariable58_object without a `name` entity");
        }
        let root = ctx.root();
        let pids: Vec<u32> = match object.entity("pid") {
            None => return Collected::error("environmentvariable58_object without a `pid` entity"),
            Some(e) if e.nil => vec![std::process::id()],
            Some(e) if e.operation == Operation::Equals => {
                e.values.iter().filter_map(|v| v.trim().parse().ok()).collect()
            }
            Some(_) => {
                let mut matching = Vec::new();
                for pid in process_ids(root) {
                    match accepts(object, "pid", &pid.to_string()) {
                        Ok(true) => matching.push(pid),
                        Ok(false) => {}
                        Err(e) => return Collected::error(e.to_string()),
                    }
                }
                matching
            }
        };
        let mut items = Vec::new();
        let mut messages = Vec::new();
        for pid in pids {
            let environ = match root.read(&format!("/proc/{pid}/environ")) {
                Ok(c) => c.bytes,
                Err(e) if e.is_not_found() => {
                    messages.push(format!("no process `{pid}` under the root's `/proc`").into());
                    continue;
                }
                Err(e) => {
                    messages.push(e.to_string().into());
                    continue;
                }
            };
            for (name, value) in parse_environ(&environ) {
                match accepts(object, "name", &name) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => return Collected::error(e.to_string()),
                }
                let mut item = Item::new(item_type(object.kind));
                item.push("pid", Datatype::Int, pid.to_string());
                item.push("name", Datatype::String, name);
                item.push("value", Datatype::String, value);
                items.push(item);
            }
        }
        let mut collected = Collected::from_items(items);
        collected.messages = messages;
        collected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, nil, pattern, text,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        for (pid, env) in [("1", "PATH=/usr/bin:/bin\0HOME=/root\0"), ("42", "PATH=/opt/x\0=bad\0NOEQ\0")] {
            fs::create_dir_all(dir.path().join(format!("proc/{pid}"))).unwrap();
            fs::write(dir.path().join(format!("proc/{pid}/environ")), env).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn explicit_pid_reads_that_process() {
        let (_d, root) = fixture();
        let c = collect(&EnvironmentVariable58Probe, vec![equals("pid", "1"), equals("name", "PATH")], &root);
        assert_eq!(field_names(&c.items[0]), ["pid", "name", "value"]);
        assert_eq!(text(&c.items[0], "value"), "/usr/bin:/bin");
    }

    #[test]
    fn pid_pattern_walks_proc() {
        let (_d, root) = fixture();
        let c =
            collect(&EnvironmentVariable58Probe, vec![pattern("pid", ".*"), equals("name", "PATH")], &root);
        let pids: Vec<_> = c.items.iter().map(|i| text(i, "pid")).collect();
        assert_eq!(pids, ["1", "42"]);
    }

    #[test]
    fn nil_pid_is_the_scanner_itself() {
        let (_d, root) = fixture();
        let c = collect(&EnvironmentVariable58Probe, vec![nil("pid"), equals("name", "PATH")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist, "the scanner does not run inside a mounted root");
        assert_eq!(c.messages.len(), 1);
        let c = collect(
            &EnvironmentVariable58Probe,
            vec![nil("pid"), pattern("name", ".*")],
            &Root::new("/").unwrap(),
        );
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(text(&c.items[0], "pid"), std::process::id().to_string());
    }
}
