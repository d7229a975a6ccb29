//! `linux:rpmverify_object`: files of RPM packages verified against the RPM database, the form
//! deprecated in OVAL 5.11.2 for `rpmverifyfile_object` (still in the schema): packages chosen by
//! name only, items without `filedigest_differs` and `extended_name`. The checks are
//! [`super::rpmverifyfile`]'s; the package-level behaviors (`nodeps`, `nodigest`, `noscripts`,
//! `nosignature`, `nofiles`) change nothing in file items and are not read.

use crate::model::oval::Family;

use crate::probes::linux::rpmverifyfile::{Shape, collect_files};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};

pub struct RpmverifyProbe;

impl Probe for RpmverifyProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpmverify_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        collect_files(object, ctx, Shape::Deprecated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern};
    use crate::semantics::CollectedFlag;

    #[test]
    fn items_have_the_deprecated_shape() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert_eq!(
            collect(&RpmverifyProbe, vec![pattern("name", ".*")], &root).flag,
            CollectedFlag::DoesNotExist
        );
        let root =
            Root::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oval/cases/probe-rpminfo/root")).unwrap();
        let c =
            collect(&RpmverifyProbe, vec![equals("name", "stigrun-beta"), pattern("filepath", ".")], &root);
        assert_eq!(c.items.len(), 1);
        let names = field_names(&c.items[0]);
        assert_eq!(&names[..3], ["name", "filepath", "size_differs"]);
        assert!(!names.contains(&"filedigest_differs") && !names.contains(&"extended_name"));
    }
}
