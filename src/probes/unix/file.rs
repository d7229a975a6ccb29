//! `unix:file_object` → `unix:file_item`: metadata of files and directories (`lstat`, as oscap:
//! a symlink is reported as a `symbolic link`, not as its target).

use crate::host::{FileKind, FileMeta};
use crate::model::oval::{Datatype, Family, Item, ItemField, ItemStatus, ItemValue};

use crate::probes::support::fileset::{DirResolver, FileRef, collect_each, push_location};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct FileProbe;

impl Probe for FileProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "file_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        // Reading ACLs costs system calls per file: when no filter looks at them, only the
        // items the filters keep get them.
        let defer_acl = ctx.can_defer_field("has_extended_acl");
        let mut dirs = DirResolver::default();
        collect_each(object, ctx, |file, out| {
            let resolved_dir = match dirs.resolve(ctx.root(), &file.path) {
                Ok(r) => r,
                Err(e) => {
                    out.messages.push(e.to_string().into());
                    return Ok(());
                }
            };
            let meta = match (&file.lstat, &file.filename) {
                (Some(walked), _) => Ok(walked.clone()),
                (None, Some(name)) => ctx.root().lstat_in(resolved_dir, name),
                (None, None) => ctx.root().lstat(&file.path),
            };
            let meta = match meta {
                Ok(meta) => meta,
                // Gone since the walk listed it: not an item, as in oscap.
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => {
                    out.messages.push(e.to_string().into());
                    return Ok(());
                }
            };
            let acl = || match &file.filename {
                Some(name) => ctx.root().has_extended_acl_of(resolved_dir, name, &meta).ok(),
                None => ctx.root().has_extended_acl(&file.path).ok(),
            };
            let mut item = file_item(object, file, &meta);
            if defer_acl {
                if !ctx.keeps(&item) {
                    return Ok(());
                }
                push_acl(&mut item, acl());
            } else {
                push_acl(&mut item, acl());
            }
            out.items.push(item);
            Ok(())
        })
    }
}

/// The OVAL `type` value of a file kind (oscap's spelling).
pub fn type_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Regular => "regular",
        FileKind::Directory => "directory",
        FileKind::Symlink => "symbolic link",
        FileKind::Fifo => "fifo",
        FileKind::CharDevice => "character special",
        FileKind::BlockDevice => "block special",
        FileKind::Socket => "socket",
        FileKind::Unknown => "unknown",
    }
}

/// The item without `has_extended_acl`, which [`push_acl`] adds last (schema order).
fn file_item(object: &ResolvedObject<'_>, file: &FileRef, meta: &FileMeta) -> Item {
    let mut item = Item::new(item_type(object.kind));
    push_location(&mut item, file);
    item.push("type", Datatype::String, type_name(meta.kind));
    item.push("group_id", Datatype::Int, meta.gid.to_string());
    item.push("user_id", Datatype::Int, meta.uid.to_string());
    item.push("a_time", Datatype::Int, meta.atime.to_string());
    item.push("c_time", Datatype::Int, meta.ctime.to_string());
    item.push("m_time", Datatype::Int, meta.mtime.to_string());
    item.push("size", Datatype::Int, meta.size.to_string());
    let bits: [(&'static str, u32); 12] = [
        ("suid", libc::S_ISUID),
        ("sgid", libc::S_ISGID),
        ("sticky", libc::S_ISVTX),
        ("uread", libc::S_IRUSR),
        ("uwrite", libc::S_IWUSR),
        ("uexec", libc::S_IXUSR),
        ("gread", libc::S_IRGRP),
        ("gwrite", libc::S_IWGRP),
        ("gexec", libc::S_IXGRP),
        ("oread", libc::S_IROTH),
        ("owrite", libc::S_IWOTH),
        ("oexec", libc::S_IXOTH),
    ];
    for (name, bit) in bits {
        item.push(name, Datatype::Boolean, bool_text(meta.mode & bit != 0));
    }
    item
}

/// `acl`: whether the file has an extended ACL, `None` when that could not be read.
fn push_acl(item: &mut Item, acl: Option<bool>) {
    match acl {
        Some(acl) => item.push("has_extended_acl", Datatype::Boolean, bool_text(acl)),
        // oscap reports the entity with status `does not exist` when ACLs cannot be read.
        None => item.fields.push(ItemField {
            name: "has_extended_acl".into(),
            datatype: Datatype::Boolean,
            status: ItemStatus::DoesNotExist,
            value: ItemValue::Nil,
        }),
    }
}

pub(crate) fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::Operation;
    use crate::probes::support::fileset::tests::{behaviors, entity, kind, nil, object};
    use crate::semantics::CollectedFlag;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn field<'a>(item: &'a Item, name: &'a str) -> &'a str {
        match &item.fields_named(name).next().unwrap().value {
            ItemValue::Text(t) => t,
            other => panic!("{name}: {other:?}"),
        }
    }

    fn names(item: &Item) -> Vec<&str> {
        item.fields.iter().map(|f| f.name.as_ref()).collect()
    }

    #[test]
    fn regular_file_item_in_schema_order() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/shadow"), "x\n").unwrap();
        fs::set_permissions(d.path().join("etc/shadow"), fs::Permissions::from_mode(0o4640)).unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "file_object");
        let o = object(&k, vec![entity("filepath", Operation::Equals, "/etc/shadow")], &[]);
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(item.kind.name, "file_item");
        assert_eq!(
            names(item),
            [
                "filepath",
                "path",
                "filename",
                "type",
                "group_id",
                "user_id",
                "a_time",
                "c_time",
                "m_time",
                "size",
                "suid",
                "sgid",
                "sticky",
                "uread",
                "uwrite",
                "uexec",
                "gread",
                "gwrite",
                "gexec",
                "oread",
                "owrite",
                "oexec",
                "has_extended_acl"
            ]
        );
        assert_eq!(field(item, "filepath"), "/etc/shadow");
        assert_eq!(field(item, "path"), "/etc");
        assert_eq!(field(item, "filename"), "shadow");
        assert_eq!(field(item, "type"), "regular");
        assert_eq!(field(item, "size"), "2");
        assert_eq!(field(item, "suid"), "true");
        assert_eq!(field(item, "uwrite"), "true");
        assert_eq!(field(item, "gread"), "true");
        assert_eq!(field(item, "gwrite"), "false");
        assert_eq!(field(item, "oread"), "false");
        assert_eq!(field(item, "has_extended_acl"), "false");
    }

    #[test]
    fn directory_item_has_no_filepath_and_empty_filename() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/ssh")).unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "file_object");
        let o = object(&k, vec![entity("path", Operation::Equals, "/etc/ssh"), nil("filename")], &[]);
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        let item = &c.items[0];
        assert_eq!(&names(item)[..3], ["path", "filename", "type"]);
        assert_eq!(field(item, "filename"), "");
        assert_eq!(field(item, "type"), "directory");
    }

    #[test]
    fn symlink_and_fifo_reported_by_lstat() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("run")).unwrap();
        fs::write(d.path().join("run/target"), "t").unwrap();
        symlink("/run/target", d.path().join("run/link")).unwrap();
        let p = std::ffi::CString::new(d.path().join("run/pipe").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o600) }, 0);
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "file_object");
        let b = behaviors(&[]);
        let o = object(
            &k,
            vec![
                entity("path", Operation::Equals, "/run"),
                entity("filename", Operation::PatternMatch, ".*"),
            ],
            &b,
        );
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        let types: Vec<(&str, &str)> =
            c.items.iter().map(|i| (field(i, "filename"), field(i, "type"))).collect();
        assert_eq!(types, [("link", "symbolic link"), ("pipe", "fifo"), ("target", "regular")]);
    }

    #[test]
    fn no_match_is_does_not_exist() {
        let d = tempfile::tempdir().unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "file_object");
        let o = object(&k, vec![entity("filepath", Operation::Equals, "/etc/none")], &[]);
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        assert!(c.items.is_empty());
    }

    #[test]
    fn bad_pattern_is_an_error_flag() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("x"), "").unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "file_object");
        let o = object(&k, vec![entity("filepath", Operation::PatternMatch, "^/(x")], &[]);
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("oval:t:obj:1"), "{:?}", c.messages);
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::Operation;
    use crate::probes::support::fileset::tests::{behaviors, entity, kind, object};

    /// `cargo test --release --lib probes::file::timing -- --ignored --nocapture` collects every
    /// file under `STIGRUN_WALK_ROOT` (default `/usr`) of the host, as SSG's permission rules do.
    #[test]
    #[ignore]
    fn file_items_for_a_real_tree() {
        let start = std::env::var("STIGRUN_WALK_ROOT").unwrap_or_else(|_| "/usr".into());
        let root = Root::new("/").unwrap();
        let k = kind(Family::Unix, "file_object");
        let b = behaviors(&[
            ("recurse", "directories"),
            ("recurse_direction", "down"),
            ("recurse_file_system", "local"),
        ]);
        let o = object(
            &k,
            vec![
                entity("path", Operation::Equals, &start),
                entity("filename", Operation::PatternMatch, "^.*$"),
            ],
            &b,
        );
        let t = std::time::Instant::now();
        let c = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        let first = t.elapsed();
        let t = std::time::Instant::now();
        let again = FileProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        eprintln!(
            "file items under {start}: {} in {first:?}; same object again (walk cached): {:?}",
            c.items.len(),
            t.elapsed()
        );
        assert_eq!(c.items.len(), again.items.len());
    }
}
