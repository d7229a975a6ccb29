//! `linux:rpmverifyfile_object`: files of RPM packages verified against the RPM database.
//! Needs the same database as rpminfo: see [`super::rpminfo`] for what stigrun reports.

use crate::model::oval::Family;

use crate::probes::linux::rpminfo::rpm_verification_missing;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};

pub struct RpmverifyfileProbe;

impl Probe for RpmverifyfileProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpmverifyfile_object")
    }

    fn collect(&self, _object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        rpm_verification_missing(ctx.root(), "rpmverifyfile_object")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, pattern};
    use crate::semantics::CollectedFlag;
    use std::fs;

    #[test]
    fn follows_the_rpm_database_presence() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert_eq!(
            collect(&RpmverifyfileProbe, vec![pattern("name", ".*")], &root).flag,
            CollectedFlag::DoesNotExist
        );
        fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        fs::write(dir.path().join("var/lib/rpm/Packages"), [0u8; 16]).unwrap();
        assert_eq!(
            collect(&RpmverifyfileProbe, vec![pattern("name", ".*")], &root).flag,
            CollectedFlag::NotCollected
        );
    }
}
