//! `linux:rpmverifyfile_object`: the files of installed RPM packages checked against what the
//! package header records, as `rpm -V` does (OVAL 5.11.2 linux schema, `rpmverifyfile_item`).
//!
//! Each column of `rpm -V` is `pass`, `fail` or `not performed` (a behavior turned it off, the
//! file type has no such attribute, or the file is missing). Owners are compared by name, the
//! file's uid and gid named through the root's `/etc/passwd` and `/etc/group`, as rpm names them.
//! `%ghost` and missing files are not verified (every column `not performed`). Device numbers are
//! not read from headers (`device_differs` is `not performed` for device files; other files have
//! none); capabilities are told only when neither header nor file has any.

use std::collections::HashMap;

use crate::host::{FileKind, Root};
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::independent::filehash58::hasher;
use crate::probes::linux::rpminfo::installed_packages;
use crate::probes::support::entity_filter::accepts;
use crate::probes::support::rpmdb::{RpmFile, RpmPackage, file_flag};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct RpmverifyfileProbe;

const PASS: &str = "pass";
const FAIL: &str = "fail";
const NOT_PERFORMED: &str = "not performed";

impl Probe for RpmverifyfileProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "rpmverifyfile_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        collect_files(object, ctx, Shape::File)
    }
}

/// The two object types that verify files: `rpmverifyfile` (package identified by name, epoch,
/// version, release and arch) and the deprecated `rpmverify` (by name only; no
/// `filedigest_differs` nor `extended_name` in its items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    File,
    Deprecated,
}

/// Items for the files of the packages `object` selects.
pub(crate) fn collect_files(object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>, shape: Shape) -> Collected {
    let object_type = match shape {
        Shape::File => "rpmverifyfile_object",
        Shape::Deprecated => "rpmverify_object",
    };
    let root = ctx.root();
    let packages = match installed_packages(root, object_type) {
        Ok(p) => p,
        Err(collected) => return collected,
    };
    let on = |name: &str| matches!(object.behavior(name), Some("true" | "1"));
    let names = OwnerNames::read(root);
    let mut items = Vec::new();
    for package in packages.iter() {
        let epoch = epoch_text(package);
        let wanted = [
            ("name", package.name.as_str()),
            ("epoch", epoch.as_str()),
            ("version", package.version.as_str()),
            ("release", package.release.as_str()),
            ("arch", package.arch.as_deref().unwrap_or("(none)")),
        ];
        let wanted = if shape == Shape::File { &wanted[..] } else { &wanted[..1] };
        match all_accept(object, wanted) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => return Collected::error(e),
        }
        for file in &package.files {
            let flags = file.flags.unwrap_or(0);
            if (on("noconfigfiles") && flags & file_flag::CONFIG != 0)
                || (on("noghostfiles") && flags & file_flag::GHOST != 0)
            {
                continue;
            }
            match accepts(object, "filepath", &file.path) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let item = file_item(object, package, file, &verify(root, package, file, &on, &names), shape);
            if ctx.keeps(&item) {
                items.push(item);
            }
        }
    }
    Collected::from_items(items)
}

fn epoch_text(package: &RpmPackage) -> String {
    package.epoch.map_or("(none)".to_string(), |e| e.to_string())
}

fn all_accept(object: &ResolvedObject<'_>, wanted: &[(&str, &str)]) -> Result<bool, String> {
    for (entity, value) in wanted {
        if !accepts(object, entity, value).map_err(|e| e.to_string())? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The `rpm -V` columns of one file, in schema order.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    size: &'static str,
    mode: &'static str,
    digest: &'static str,
    device: &'static str,
    link: &'static str,
    user: &'static str,
    group: &'static str,
    mtime: &'static str,
    caps: &'static str,
}

impl Verdict {
    fn all(v: &'static str) -> Verdict {
        Verdict { size: v, mode: v, digest: v, device: v, link: v, user: v, group: v, mtime: v, caps: v }
    }
}

fn verdict(same: bool) -> &'static str {
    if same { PASS } else { FAIL }
}

fn verify(
    root: &Root,
    package: &RpmPackage,
    file: &RpmFile,
    on: &dyn Fn(&str) -> bool,
    names: &OwnerNames,
) -> Verdict {
    if file.flags.unwrap_or(0) & file_flag::GHOST != 0 {
        return Verdict::all(NOT_PERFORMED);
    }
    let Ok(meta) = root.lstat(&file.path) else { return Verdict::all(NOT_PERFORMED) };
    let regular = meta.kind == FileKind::Regular;
    let symlink = meta.kind == FileKind::Symlink;
    // A column that does not apply to the file type is `.` in `rpm -V`, which the schema calls
    // `pass`; a column turned off by a behavior is `not performed` (as oscap reports both).
    let check = |off: &str, applies: bool, f: &dyn Fn() -> Option<bool>| -> &'static str {
        if on(off) {
            NOT_PERFORMED
        } else if !applies {
            PASS
        } else {
            f().map_or(NOT_PERFORMED, verdict)
        }
    };
    Verdict {
        size: check("nosize", regular, &|| file.size.map(|s| s == meta.size)),
        mode: check("nomode", !symlink, &|| file.mode.map(|m| m == meta.mode & 0xffff)),
        digest: check("nofiledigest", regular && !on("nomd5"), &|| digest_matches(root, package, file)),
        device: if matches!(meta.kind, FileKind::CharDevice | FileKind::BlockDevice) || on("nordev") {
            NOT_PERFORMED
        } else {
            PASS
        },
        link: check("nolinkto", symlink, &|| {
            let target = root.read_link(&file.path).ok()?;
            file.linkto.as_deref().map(|l| l == target)
        }),
        user: check("nouser", true, &|| file.user.as_deref().map(|u| names.user(meta.uid) == Some(u))),
        group: check("nogroup", true, &|| file.group.as_deref().map(|g| names.group(meta.gid) == Some(g))),
        mtime: check("nomtime", regular || symlink, &|| {
            file.mtime.map(|t| i64::try_from(t).ok() == Some(meta.mtime))
        }),
        // Only the common case is told: no capabilities recorded and none set on the file.
        caps: check("nocaps", regular, &|| {
            let on_file = root.xattr(&file.path, "security.capability", false).ok()?.is_some();
            file.caps.is_empty().then_some(!on_file)
        }),
    }
}

/// Does the file's content hash to the header's digest? `None` when it cannot be told.
fn digest_matches(root: &Root, package: &RpmPackage, file: &RpmFile) -> Option<bool> {
    let recorded = file.digest.as_deref().filter(|d| !d.is_empty())?;
    // OpenPGP hash algorithm numbers (RFC 4880 §9.4), as FILEDIGESTALGO holds them.
    let name = match package.digest_algo {
        1 => "MD5",
        2 => "SHA-1",
        8 => "SHA-256",
        9 => "SHA-384",
        10 => "SHA-512",
        11 => "SHA-224",
        _ => return None,
    };
    let mut h = hasher(name)?;
    root.read_chunks(&file.path, |chunk| h.update(chunk)).ok()?;
    Some(h.hex().eq_ignore_ascii_case(recorded))
}

fn file_item(
    object: &ResolvedObject<'_>,
    package: &RpmPackage,
    file: &RpmFile,
    v: &Verdict,
    shape: Shape,
) -> Item {
    let mut item = Item::new(item_type(object.kind));
    item.push("name", Datatype::String, package.name.as_str());
    if shape == Shape::File {
        item.push("epoch", Datatype::String, epoch_text(package));
        item.push("version", Datatype::String, package.version.as_str());
        item.push("release", Datatype::String, package.release.as_str());
        item.push("arch", Datatype::String, package.arch.as_deref().unwrap_or("(none)"));
    }
    item.push("filepath", Datatype::String, file.path.as_str());
    if shape == Shape::File {
        item.push("extended_name", Datatype::String, package.extended_name());
    }
    item.push("size_differs", Datatype::String, v.size);
    item.push("mode_differs", Datatype::String, v.mode);
    item.push("md5_differs", Datatype::String, v.digest);
    if shape == Shape::File {
        item.push("filedigest_differs", Datatype::String, v.digest);
    }
    item.push("device_differs", Datatype::String, v.device);
    item.push("link_mismatch", Datatype::String, v.link);
    item.push("ownership_differs", Datatype::String, v.user);
    item.push("group_differs", Datatype::String, v.group);
    item.push("mtime_differs", Datatype::String, v.mtime);
    item.push("capabilities_differ", Datatype::String, v.caps);
    let flags = file.flags.unwrap_or(0);
    for (name, bit) in [
        ("configuration_file", file_flag::CONFIG),
        ("documentation_file", file_flag::DOC),
        ("ghost_file", file_flag::GHOST),
        ("license_file", file_flag::LICENSE),
        ("readme_file", file_flag::README),
    ] {
        item.push(name, Datatype::Boolean, if flags & bit != 0 { "true" } else { "false" });
    }
    item
}

/// The root's user and group names by id (`root` for id 0 when the root lists none).
struct OwnerNames {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl OwnerNames {
    fn read(root: &Root) -> OwnerNames {
        OwnerNames { users: ids_to_names(root, "/etc/passwd"), groups: ids_to_names(root, "/etc/group") }
    }

    fn user(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str).or((uid == 0).then_some("root"))
    }

    fn group(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str).or((gid == 0).then_some("root"))
    }
}

/// `name:x:id:…` lines of passwd or group; the first name of an id wins, as getpwuid returns it.
fn ids_to_names(root: &Root, file: &str) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    let Ok((text, _)) = root.read_to_string(file) else { return names };
    for line in text.lines().filter(|l| !l.starts_with(['#', '+', '-'])) {
        let mut fields = line.split(':');
        if let (Some(name), Some(_), Some(id)) = (fields.next(), fields.next(), fields.next())
            && let Ok(id) = id.parse::<u32>()
        {
            names.entry(id).or_insert_with(|| name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, collect_with_behaviors, equals, pattern, text,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    /// A copy of the differential case's root (tests may change it).
    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oval/cases/probe-rpminfo/root");
        let status =
            std::process::Command::new("cp").arg("-a").arg(format!("{src}/.")).arg(dir.path()).status();
        assert!(status.unwrap().success());
        // Modes as the fixture script leaves them, whatever the checkout's umask.
        use std::os::unix::fs::PermissionsExt;
        for (path, mode) in [("etc/stigrun-alpha.conf", 0o644), ("usr/share/stigrun-alpha/readme.txt", 0o644)]
        {
            fs::set_permissions(dir.path().join(path), fs::Permissions::from_mode(mode)).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    fn by_path<'a>(c: &'a Collected, path: &str) -> &'a Item {
        c.items.iter().find(|i| text(i, "filepath") == path).unwrap()
    }

    #[test]
    fn changed_content_and_mode_fail_the_rest_pass() {
        let (dir, root) = fixture();
        // The fixture script widened this file's mode from 0640 and appended to the readme.
        let c = collect(
            &RpmverifyfileProbe,
            vec![equals("name", "stigrun-alpha"), pattern("filepath", ".")],
            &root,
        );
        assert_eq!(c.flag, CollectedFlag::Complete);
        let conf = by_path(&c, "/etc/stigrun-alpha.conf");
        assert_eq!(text(conf, "mode_differs"), "fail");
        assert_eq!(text(conf, "size_differs"), "pass");
        assert_eq!(text(conf, "filedigest_differs"), "pass");
        assert_eq!(text(conf, "extended_name"), "stigrun-alpha-2:1.2.3-4.el9.x86_64");
        let readme = by_path(&c, "/usr/share/stigrun-alpha/readme.txt");
        assert_eq!(text(readme, "size_differs"), "fail");
        assert_eq!(text(readme, "filedigest_differs"), "fail");
        assert_eq!(text(readme, "mode_differs"), "pass");

        fs::remove_file(dir.path().join("usr/bin/stigrun-beta")).unwrap();
        let c = collect(
            &RpmverifyfileProbe,
            vec![equals("name", "stigrun-beta"), pattern("filepath", ".")],
            &root,
        );
        assert_eq!(text(&c.items[0], "size_differs"), "not performed");
    }

    #[test]
    fn behaviors_turn_columns_off_and_filepath_selects() {
        let (_dir, root) = fixture();
        let behaviors =
            [("nomode".to_string(), "true".to_string()), ("nofiledigest".to_string(), "true".to_string())];
        let c = collect_with_behaviors(
            &RpmverifyfileProbe,
            vec![pattern("name", "."), equals("filepath", "/etc/stigrun-alpha.conf")],
            &behaviors,
            &root,
        );
        assert_eq!(c.items.len(), 1);
        assert_eq!(text(&c.items[0], "mode_differs"), "not performed");
        assert_eq!(text(&c.items[0], "filedigest_differs"), "not performed");
        assert_eq!(text(&c.items[0], "configuration_file"), "false");
    }

    #[test]
    fn no_database_means_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert_eq!(
            collect(&RpmverifyfileProbe, vec![pattern("name", ".*")], &root).flag,
            CollectedFlag::DoesNotExist
        );
    }
}
