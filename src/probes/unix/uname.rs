//! `unix:uname_object`: what `uname(2)` says.
//!
//! A mounted root has no running kernel, so for any root the values come from the scanning
//! host's kernel; the item then carries a message saying so. (OpenSCAP with `OSCAP_PROBE_ROOT`
//! reports the object `not applicable` instead.)

use std::ffi::CStr;

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

/// The six `uname` strings, in the order the uname_item lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelIdentity {
    pub machine_class: String,
    pub node_name: String,
    pub os_name: String,
    pub os_release: String,
    pub os_version: String,
    pub processor_type: String,
}

/// Ask the running kernel. `processor_type` is the machine string, as Linux has no separate
/// processor field (glibc's `uname -p` says `unknown`; OpenSCAP reports the machine too).
pub fn kernel_identity() -> Option<KernelIdentity> {
    // SAFETY: `utsname` is plain bytes; `uname` fills it and returns 0 on success.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    let text = |field: &[libc::c_char]| -> String {
        // SAFETY: the kernel NUL-terminates every utsname field within its array.
        unsafe { CStr::from_ptr(field.as_ptr()) }.to_string_lossy().into_owned()
    };
    let machine = text(&uts.machine);
    Some(KernelIdentity {
        machine_class: machine.clone(),
        node_name: text(&uts.nodename),
        os_name: text(&uts.sysname),
        os_release: text(&uts.release),
        os_version: text(&uts.version),
        processor_type: machine,
    })
}

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
