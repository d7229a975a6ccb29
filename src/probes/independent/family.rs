//! `ind:family_object`: the platform family. stigrun scans Linux roots only, so the answer is
//! always `unix` (what OpenSCAP reports on Linux, with or without `OSCAP_PROBE_ROOT`).

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct FamilyProbe;

impl Probe for FamilyProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "family_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, _ctx: &ProbeContext<'_>) -> Collected {
        let mut item = Item::new(item_type(object.kind));
        item.push("family", Datatype::String, "unix");
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
    fn reports_unix_family_item() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let collected = collect(&FamilyProbe, Vec::new(), &root);
        assert_eq!(collected.flag, CollectedFlag::Complete);
        let item = &collected.items[0];
        assert_eq!(item.kind.name, "family_item");
        assert_eq!(
            item.kind.namespace,
            "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5#independent"
        );
        assert_eq!(field_names(item), ["family"]);
        assert_eq!(text(item, "family"), "unix");
    }
}
