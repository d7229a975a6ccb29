//! `unix:uname_object`: what `uname(2)` says.
//!
//! A mounted root has no running kernel, so for any root the values come from the scanning
//! host's kernel; the item then carries a message saying so. (OpenSCAP with `OSCAP_PROBE_ROOT`
//! reports the object `not applicable` instead.)

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::running_system::kernel_identity;
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

pub struct UnameProbe;

impl Probe for UnameProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "uname_object")
    }

    fn needs(&self) -> Needs {
        Needs::Kernel
    }

    fn collect(&self, object: &ResolvedObject<'_>, _ctx: &ProbeContext<'_>) -> Collected {
        let Some(kernel) = kernel_identity() else {
            return Collected::error("uname(2) failed; kernel identity not collected");
        };
        let mut item = Item::new(item_type(object.kind));
        item.push("machine_class", Datatype::String, kernel.machine_class);
        item.push("node_name", Datatype::String, kernel.node_name);
        item.push("os_name", Datatype::String, kernel.os_name);
        item.push("os_release", Datatype::String, kernel.os_release);
        item.push("os_version", Datatype::String, kernel.os_version);
        item.push("processor_type", Datatype::String, kernel.processor_type);
        Collected::from_items(vec![item])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, field_names, text};
    use crate::semantics::CollectedFlag;

    #[test]
    fn fields_in_schema_order_with_host_values() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let collected = collect(&UnameProbe, Vec::new(), &root);
        assert_eq!(collected.flag, CollectedFlag::Complete);
        let item = &collected.items[0];
        assert_eq!(
            field_names(item),
            ["machine_class", "node_name", "os_name", "os_release", "os_version", "processor_type"]
        );
        assert_eq!(text(item, "os_name"), "Linux");
        // Compare with the kernel's own view rather than a fixed string.
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        assert_eq!(text(item, "os_release"), release.trim_end());
        assert_eq!(text(item, "machine_class"), std::env::consts::ARCH);
        assert_eq!(item.messages.len(), 1, "a non-host root must be flagged");
    }

    #[test]
    fn host_root_has_no_message() {
        let root = Root::new("/").unwrap();
        let collected = collect(&UnameProbe, Vec::new(), &root);
        assert!(collected.items[0].messages.is_empty());
    }
}
