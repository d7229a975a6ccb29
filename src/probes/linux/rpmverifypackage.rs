//! `linux:rpmverifypackage_object`: RPM packages verified as a whole (`rpm -V` over each package: its files, dependencies and scripts).
//! stigrun reads the RPM database (see [`super::rpminfo`]) but does not verify for this object:
//! it would also need dependencies, scripts and whole-package digests and signatures, which stigrun does not check. No database means no packages (`does not exist`); a database means `not collected`
//! with the reason, never a guess.

use crate::model::oval::Family;

use crate::probes::linux::rpminfo::rpm_verification_missing;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};

pub struct RpmverifypackageProbe;

impl Probe for RpmverifypackageProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpmverifypackage_object")
    }

    fn collect(&self, _object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        rpm_verification_missing(ctx.root(), "rpmverifypackage_object")
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
            collect(&RpmverifypackageProbe, vec![pattern("name", ".*")], &root).flag,
            CollectedFlag::DoesNotExist
        );
        fs::create_dir_all(dir.path().join("usr/lib/sysimage/rpm")).unwrap();
        fs::write(dir.path().join("usr/lib/sysimage/rpm/rpmdb.sqlite"), "SQLite format 3\0").unwrap();
        let c = collect(&RpmverifypackageProbe, vec![pattern("name", ".*")], &root);
        assert_eq!(c.flag, CollectedFlag::NotCollected);
        assert!(c.messages[0].message.contains("rpmverifypackage_object"), "{:?}", c.messages);
    }
}
