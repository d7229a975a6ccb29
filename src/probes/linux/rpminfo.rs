//! `linux:rpminfo_object`: installed RPM packages.
//!
//! stigrun does not read RPM databases yet (Berkeley DB `Packages`, SQLite `rpmdb.sqlite` and
//! NDB `Packages.db` all need a database reader it does not have). So: a root without any RPM
//! database has no RPM packages (`does not exist`, e.g. Debian and Ubuntu); a root with one
//! gets `not collected` with a message, never a guess.

use crate::host::{FileKind, Root};
use crate::model::oval::Family;

use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};

/// Where rpm keeps its database, oldest layout first.
const RPM_DATABASES: &[&str] = &[
    "/var/lib/rpm/Packages",
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/Packages",
];

/// The first RPM database file present in the root.
pub fn rpm_database(root: &Root) -> Option<&'static str> {
    RPM_DATABASES.iter().copied().find(|p| root.stat(p).is_ok_and(|m| m.kind == FileKind::Regular))
}

/// The collected object for any RPM-database probe on `root`.
pub fn rpm_database_unreadable(root: &Root, object_type: &str) -> Collected {
    match rpm_database(root) {
        None => Collected::from_items(Vec::new()),
        Some(db) => Collected::not_collected(format!(
            "{object_type}: the root has an RPM database (`{db}`); stigrun cannot read RPM databases"
        )),
    }
}

pub struct RpminfoProbe;

impl Probe for RpminfoProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpminfo_object")
    }

    fn collect(&self, _object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        rpm_database_unreadable(ctx.root(), "rpminfo_object")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{collect, equals};
    use crate::semantics::CollectedFlag;
    use std::fs;

    #[test]
    fn no_database_means_no_packages() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "bash")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn a_database_is_reported_not_collected() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite"), "SQLite format 3\0").unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "bash")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::NotCollected);
        assert!(c.messages[0].message.contains("/var/lib/rpm/rpmdb.sqlite"));
    }
}
