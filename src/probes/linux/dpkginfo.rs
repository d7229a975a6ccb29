//! `linux:dpkginfo_object`: installed Debian packages, read from `/var/lib/dpkg/status`
//! inside the root (what OpenSCAP's dpkginfo probe reads with `OSCAP_PROBE_ROOT`).
//!
//! A package counts as installed unless dpkg's status word is `not-installed` or
//! `config-files` (removed, configuration left); a held package (`hold ok installed`) is
//! installed. A root without a dpkg database has no packages (`does not exist`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::host::{HostError, Root};
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const DPKG_STATUS: &str = "/var/lib/dpkg/status";

/// One stanza of the dpkg status file, with the fields the probe needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgPackage {
    pub name: String,
    pub status: String,
    pub arch: String,
    /// The full `Version` field: `[epoch:]upstream[-revision]`.
    pub version_field: String,
}

impl DpkgPackage {
    /// Installed in the sense of the OVAL test: dpkg has the package's files on disk.
    pub fn is_installed(&self) -> bool {
        let state = self.status.split_whitespace().nth(2).unwrap_or("");
        !matches!(state, "" | "not-installed" | "config-files")
    }
}

/// Debian version parts: epoch (`0` when absent, as oscap reports), upstream version and
/// revision (after the *last* hyphen, per Debian policy §5.6.12; empty for native packages).
pub fn split_debian_version(full: &str) -> (String, String, String) {
    let (epoch, rest) = match full.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (e.to_string(), r),
        _ => ("0".to_string(), full),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => (u.to_string(), r.to_string()),
        None => (rest.to_string(), String::new()),
    };
    (epoch, upstream, revision)
}

/// Parse the stanzas of a dpkg status file. Continuation lines (leading blank) and fields the
/// probe does not use are skipped; a stanza without `Package` is ignored.
pub fn parse_status(text: &str) -> Vec<DpkgPackage> {
    let mut packages = Vec::new();
    let mut current = DpkgPackage::default();
    let flush = |current: &mut DpkgPackage, packages: &mut Vec<DpkgPackage>| {
        let done = std::mem::take(current);
        if !done.name.is_empty() {
            packages.push(done);
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current, &mut packages);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim().to_string();
        match key {
            "Package" => current.name = value,
            "Status" => current.status = value,
            "Architecture" => current.arch = value,
            "Version" => current.version_field = value,
            _ => {}
        }
    }
    flush(&mut current, &mut packages);
    packages
}

pub struct DpkginfoProbe;

impl Probe for DpkginfoProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "dpkginfo_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error("dpkginfo_object without a `name` entity");
        }
        let packages = match read_status(ctx.root()) {
            Ok(p) => p,
            Err(e) if e.is_not_found() => return Collected::from_items(Vec::new()),
            Err(e) => return Collected::error(format!("dpkg database not read: {e}")),
        };
        let mut items = Vec::new();
        for package in packages.iter().filter(|p| p.is_installed()) {
            match accepts(object, "name", &package.name) {
                Ok(true) => items.push(package_item(object, package)),
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        Collected::from_items(items)
    }
}

/// Identity of one version of a root's status file: (root, inode, size, mtime, ctime).
type StatusKey = (PathBuf, u64, u64, i64, i64);
type ParsedStatus = (StatusKey, Arc<Vec<DpkgPackage>>);

/// The parsed status file of `root`. Profiles hold ~100 dpkginfo objects and a real status
/// file is megabytes, so the last parse is kept while the file's inode, size and times stay
/// the same (a same-size rewrite in place within one second would be missed).
fn read_status(root: &Root) -> Result<Arc<Vec<DpkgPackage>>, HostError> {
    static LAST: OnceLock<Mutex<Option<ParsedStatus>>> = OnceLock::new();
    let meta = root.stat(DPKG_STATUS)?;
    let key: StatusKey = (root.base().to_path_buf(), meta.ino, meta.size, meta.mtime, meta.ctime);
    let cache = LAST.get_or_init(Default::default);
    if let Some((cached_key, packages)) = cache.lock().ok().and_then(|c| c.clone())
        && cached_key == key
    {
        return Ok(packages);
    }
    let (text, _) = root.read_to_string(DPKG_STATUS)?;
    let packages = Arc::new(parse_status(&text));
    if let Ok(mut c) = cache.lock() {
        *c = Some((key, packages.clone()));
    }
    Ok(packages)
}

fn package_item(object: &ResolvedObject<'_>, package: &DpkgPackage) -> Item {
    let (epoch, version, release) = split_debian_version(&package.version_field);
    let mut item = Item::new(item_type(object.kind));
    item.push("name", Datatype::String, package.name.as_str());
    item.push("arch", Datatype::String, package.arch.as_str());
    item.push("epoch", Datatype::String, epoch);
    item.push("release", Datatype::String, release);
    item.push("version", Datatype::String, version);
    // The Version field as dpkg stores it (no `0:` added), typed as OVAL 5.11.1+ wants.
    item.push("evr", Datatype::DebianEvrString, package.version_field.as_str());
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::ItemValue;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};
    use crate::semantics::CollectedFlag;
    use std::fs;

    const STATUS: &str = "\
Package: openssh-server
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 1:8.4p1-5+deb11u1
Description: secure shell (SSH) server
 continuation line: with a colon

Package: aide
Status: deinstall ok config-files
Architecture: amd64
Version: 0.17.3-4

Package: libc6
Status: hold ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.31-13+deb11u5

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.31-13+deb11u5

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 11.1+deb11u7
";

    fn fixture(status: Option<&str>) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        if let Some(s) = status {
            fs::create_dir_all(dir.path().join("var/lib/dpkg")).unwrap();
            fs::write(dir.path().join("var/lib/dpkg/status"), s).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn installed_package_item_in_schema_order() {
        let (_d, root) = fixture(Some(STATUS));
        let c = collect(&DpkginfoProbe, vec![equals("name", "openssh-server")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(field_names(item), ["name", "arch", "epoch", "release", "version", "evr"]);
        assert_eq!(text(item, "arch"), "amd64");
        assert_eq!(text(item, "epoch"), "1");
        assert_eq!(text(item, "version"), "8.4p1");
        assert_eq!(text(item, "release"), "5+deb11u1");
        assert_eq!(text(item, "evr"), "1:8.4p1-5+deb11u1");
        let evr = item.fields_named("evr").next().unwrap();
        assert_eq!(evr.datatype, Datatype::DebianEvrString);
        assert!(matches!(evr.value, ItemValue::Text(_)));
    }

    #[test]
    fn removed_package_with_config_files_does_not_exist() {
        let (_d, root) = fixture(Some(STATUS));
        let c = collect(&DpkginfoProbe, vec![equals("name", "aide")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn held_and_multiarch_packages_each_give_an_item() {
        let (_d, root) = fixture(Some(STATUS));
        let c = collect(&DpkginfoProbe, vec![equals("name", "libc6")], &root);
        let arches: Vec<_> = c.items.iter().map(|i| text(i, "arch")).collect();
        assert_eq!(arches, ["amd64", "i386"]);
        assert_eq!(text(&c.items[0], "epoch"), "0");
    }

    #[test]
    fn pattern_match_and_native_version() {
        let (_d, root) = fixture(Some(STATUS));
        let c = collect(&DpkginfoProbe, vec![pattern("name", "^base-")], &root);
        assert_eq!(c.items.len(), 1);
        assert_eq!(text(&c.items[0], "version"), "11.1+deb11u7");
        assert_eq!(text(&c.items[0], "release"), "");
    }

    #[test]
    fn no_dpkg_database_means_no_packages() {
        let (_d, root) = fixture(None);
        let c = collect(&DpkginfoProbe, vec![equals("name", "openssh-server")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn a_changed_status_file_is_parsed_again() {
        let (dir, root) = fixture(Some(STATUS));
        assert_eq!(
            collect(&DpkginfoProbe, vec![equals("name", "aide")], &root).flag,
            CollectedFlag::DoesNotExist
        );
        let reinstalled = STATUS.replace("deinstall ok config-files", "install ok installed");
        fs::write(dir.path().join("var/lib/dpkg/status"), reinstalled).unwrap();
        assert_eq!(
            collect(&DpkginfoProbe, vec![equals("name", "aide")], &root).flag,
            CollectedFlag::Complete
        );
    }

    #[test]
    fn version_splitting_uses_last_hyphen() {
        assert_eq!(split_debian_version("1.2-3-4"), ("0".into(), "1.2-3".into(), "4".into()));
        assert_eq!(split_debian_version("2:1.0"), ("2".into(), "1.0".into(), "".into()));
    }
}
