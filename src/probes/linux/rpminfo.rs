//! `linux:rpminfo_object`: installed RPM packages, read from the root's RPM database
//! ([`crate::probes::support::rpmdb`]: SQLite, Berkeley DB or NDB).
//!
//! Items follow the OVAL 5.11.2 linux schema: a missing EPOCH is `(none)` in `epoch` and `0` in
//! `evr` and `extended_name`; a missing ARCH (`gpg-pubkey`) is `(none)`. An unsigned package's
//! `signature_keyid` is `0`, as OpenSCAP writes it (the schema says nothing). With
//! `<behaviors filepaths="true"/>` each item lists the package's files as `filepath` entities.

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::accepts;
use crate::probes::support::rpmdb::{self, RpmPackage};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// The collected object for an RPM probe that reads the database but does not verify files yet:
/// no database is no packages; a database is `not collected`, saying why.
pub fn rpm_verification_missing(root: &Root, object_type: &str) -> Collected {
    match rpmdb::locate(root) {
        None => Collected::from_items(Vec::new()),
        Some((db, _)) => Collected::not_collected(format!(
            "{object_type}: the root has an RPM database (`{db}`); stigrun does not verify RPM packages yet"
        )),
    }
}

/// The root's packages, or the collected object to return instead.
pub fn installed_packages(
    root: &Root,
    object_type: &str,
) -> Result<std::sync::Arc<Vec<RpmPackage>>, Collected> {
    rpmdb::packages(root).map_err(|e| Collected::error(format!("{object_type}: RPM database not read: {e}")))
}

pub struct RpminfoProbe;

impl Probe for RpminfoProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpminfo_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error("rpminfo_object without a `name` entity");
        }
        let packages = match installed_packages(ctx.root(), "rpminfo_object") {
            Ok(p) => p,
            Err(collected) => return collected,
        };
        let filepaths = matches!(object.behavior("filepaths"), Some("true" | "1"));
        let mut items = Vec::new();
        for package in packages.iter() {
            match accepts(object, "name", &package.name) {
                Ok(true) => {
                    let item = package_item(object, package, filepaths);
                    if ctx.keeps(&item) {
                        items.push(item);
                    }
                }
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        Collected::from_items(items)
    }
}

fn package_item(object: &ResolvedObject<'_>, package: &RpmPackage, filepaths: bool) -> Item {
    let mut item = Item::new(item_type(object.kind));
    item.push("name", Datatype::String, package.name.as_str());
    item.push("arch", Datatype::String, package.arch.as_deref().unwrap_or("(none)"));
    item.push("epoch", Datatype::String, package.epoch.map_or("(none)".to_string(), |e| e.to_string()));
    item.push("release", Datatype::String, package.release.as_str());
    item.push("version", Datatype::String, package.version.as_str());
    item.push("evr", Datatype::EvrString, package.evr());
    item.push("signature_keyid", Datatype::String, package.signature_keyid.as_deref().unwrap_or("0"));
    item.push("extended_name", Datatype::String, package.extended_name());
    if filepaths {
        for file in &package.files {
            item.push("filepath", Datatype::String, file.path.as_str());
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, collect_with_behaviors, equals, field_names, pattern, text, texts,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn fixture_root() -> Root {
        Root::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oval/cases/probe-rpminfo/root")).unwrap()
    }

    #[test]
    fn no_database_means_no_packages() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "bash")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn a_package_item_in_schema_order() {
        let c = collect(&RpminfoProbe, vec![equals("name", "stigrun-alpha")], &fixture_root());
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(
            field_names(item),
            ["name", "arch", "epoch", "release", "version", "evr", "signature_keyid", "extended_name"]
        );
        assert_eq!(text(item, "arch"), "x86_64");
        assert_eq!(text(item, "epoch"), "2");
        assert_eq!(text(item, "evr"), "2:1.2.3-4.el9");
        assert_eq!(text(item, "signature_keyid"), "0");
        assert_eq!(text(item, "extended_name"), "stigrun-alpha-2:1.2.3-4.el9.x86_64");
        assert_eq!(item.fields_named("evr").next().unwrap().datatype, Datatype::EvrString);
    }

    #[test]
    fn no_epoch_signed_and_several_versions() {
        let root = fixture_root();
        let beta = collect(&RpminfoProbe, vec![equals("name", "stigrun-beta")], &root);
        assert_eq!(text(&beta.items[0], "epoch"), "(none)");
        assert_eq!(text(&beta.items[0], "evr"), "0:0.9-1");
        assert_eq!(text(&beta.items[0], "signature_keyid"), "6608dd4c288cc692");
        let multi = collect(&RpminfoProbe, vec![equals("name", "stigrun-multi")], &root);
        let mut versions: Vec<_> = multi.items.iter().map(|i| text(i, "version")).collect();
        versions.sort();
        assert_eq!(versions, ["1.0", "2.0"]);
        assert_eq!(collect(&RpminfoProbe, vec![pattern("name", "^stigrun-")], &root).items.len(), 4);
        assert_eq!(
            collect(&RpminfoProbe, vec![equals("name", "telnet")], &root).flag,
            CollectedFlag::DoesNotExist
        );
    }

    #[test]
    fn the_filepaths_behavior_lists_the_files() {
        let behaviors = [("filepaths".to_string(), "true".to_string())];
        let c = collect_with_behaviors(
            &RpminfoProbe,
            vec![equals("name", "stigrun-alpha")],
            &behaviors,
            &fixture_root(),
        );
        assert_eq!(
            texts(&c.items[0], "filepath"),
            ["/etc/stigrun-alpha.conf", "/usr/share/stigrun-alpha/readme.txt"]
        );
        let c = collect(&RpminfoProbe, vec![equals("name", "stigrun-alpha")], &fixture_root());
        assert!(texts(&c.items[0], "filepath").is_empty());
    }

    #[test]
    fn a_berkeley_db_database_is_read_and_a_damaged_one_is_an_error_naming_the_format() {
        let bdb = Root::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oval/cases/probe-rpminfo-bdb/root"))
            .unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "stigrun-multi")], &bdb);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(c.items.len(), 2);
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        fs::write(dir.path().join("var/lib/rpm/Packages"), [0u8; 64]).unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "bash")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("Berkeley DB"), "{}", c.messages[0].message);
    }

    #[test]
    fn a_corrupt_database_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite"), "SQLite format 3\0").unwrap();
        let c = collect(&RpminfoProbe, vec![equals("name", "bash")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("/var/lib/rpm/rpmdb.sqlite"));
    }
}
