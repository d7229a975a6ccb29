//! `linux:selinuxsecuritycontext_object` for files: the `security.selinux` extended attribute
//! of files inside the root (mounted images keep their labels), split into user, role, type
//! and MLS range.
//!
//! Supported forms: `filepath` with `equals` values; `path` with `equals` values plus a nil
//! `filename` (the directory itself) or a `filename` matched against directory entries, with
//! `<behaviors recurse_direction="down" max_depth=…>` descending into real subdirectories.
//! Process contexts (`pid`) and pattern-matched `filepath`/`path` need the shared file walker
//! and are reported `not collected`. Without mcstrans there is no translation, so the `raw*`
//! fields equal the translated ones.

use std::ffi::CString;

use crate::host::{FileKind, Root};
use crate::model::oval::{Datatype, Family, Item, ItemStatus, Operation};

use crate::probes::support::entity_filter::{accepts, push_without_value};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

const XATTR: &str = "security.selinux";

/// A parsed SELinux context `user:role:type[:low[-high]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityContext {
    pub user: String,
    pub role: String,
    pub kind: String,
    /// (sensitivity, categories) of the low and high levels; absent without MLS.
    pub low: Option<(String, Option<String>)>,
    pub high: Option<(String, Option<String>)>,
}

pub fn parse_context(text: &str) -> Option<SecurityContext> {
    let text = text.trim_end_matches(['\0', '\n']);
    let mut parts = text.splitn(4, ':');
    let (user, role, kind) = (parts.next()?, parts.next()?, parts.next()?);
    let level = |l: &str| -> (String, Option<String>) {
        match l.split_once(':') {
            Some((s, c)) => (s.to_string(), Some(c.to_string())),
            None => (l.to_string(), None),
        }
    };
    let (low, high) = match parts.next() {
        None => (None, None),
        Some(range) => match range.split_once('-') {
            Some((lo, hi)) => (Some(level(lo)), Some(level(hi))),
            None => (Some(level(range)), Some(level(range))),
        },
    };
    Some(SecurityContext { user: user.into(), role: role.into(), kind: kind.into(), low, high })
}

/// The label of `path` (not following a final symlink), `Ok(None)` when it has none.
fn read_label(root: &Root, path: &str) -> Result<Option<String>, String> {
    let resolved = root.resolve_parent(path).map_err(|e| e.to_string())?;
    let host = CString::new(root.host_path(&resolved).into_os_string().into_encoded_bytes())
        .map_err(|_| format!("`{path}`: path contains a NUL byte"))?;
    let name = CString::new(XATTR).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 256];
    // SAFETY: both strings are NUL-terminated; buf is writable for its length.
    let n = unsafe { libc::lgetxattr(host.as_ptr(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        let err = std::io::Error::last_os_error();
        return match err.raw_os_error() {
            Some(libc::ENODATA) | Some(libc::ENOTSUP) => Ok(None),
            _ => Err(format!("`{path}`: {err}")),
        };
    }
    buf.truncate(n as usize);
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

pub struct SelinuxSecurityContextProbe;

impl Probe for SelinuxSecurityContextProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "selinuxsecuritycontext_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let candidates = match candidate_files(object, root) {
            Ok(c) => c,
            Err(collected) => return collected,
        };
        let mut items = Vec::new();
        for (path, filename) in candidates {
            let full = match &filename {
                Some(f) => format!("{}/{f}", path.trim_end_matches('/')),
                None => path.clone(),
            };
            if root.lstat(&full).is_err() {
                continue;
            }
            let mut item = Item::new(item_type(object.kind));
            if object.entity("filepath").is_some() {
                item.push("filepath", Datatype::String, full.as_str());
            } else {
                item.push("path", Datatype::String, path.as_str());
                match &filename {
                    Some(f) => item.push("filename", Datatype::String, f.as_str()),
                    None => {
                        push_without_value(&mut item, "filename", Datatype::String, ItemStatus::DoesNotExist)
                    }
                }
            }
            match read_label(root, &full) {
                Ok(Some(label)) => match parse_context(&label) {
                    Some(context) => push_context(&mut item, &context),
                    None => {
                        item.status = ItemStatus::Error;
                        item.messages.push(format!("`{full}`: unparsable SELinux label {label:?}"));
                    }
                },
                Ok(None) => {
                    for name in ["user", "role", "type"] {
                        push_without_value(&mut item, name, Datatype::String, ItemStatus::DoesNotExist);
                    }
                }
                Err(message) => {
                    item.status = ItemStatus::Error;
                    item.messages.push(message);
                }
            }
            items.push(item);
        }
        Collected::from_items(items)
    }
}

/// (path, filename) pairs to label, or the collected object that explains why not.
fn candidate_files(
    object: &ResolvedObject<'_>,
    root: &Root,
) -> Result<Vec<(String, Option<String>)>, Collected> {
    let unsupported = |what: &str| {
        Collected::not_collected(format!(
            "selinuxsecuritycontext_object: {what} is not supported by stigrun's probe yet"
        ))
    };
    if object.entity("pid").is_some() {
        return Err(unsupported("a process (`pid`) context"));
    }
    if let Some(filepath) = object.entity("filepath") {
        return match filepath.exact_values() {
            Some(values) => Ok(values.iter().map(|v| (v.clone(), None)).collect()),
            None => Err(unsupported("a `filepath` other than `equals`")),
        };
    }
    let Some(path) = object.entity("path") else {
        return Err(Collected::error("selinuxsecuritycontext_object needs `filepath`, `path` or `pid`"));
    };
    let Some(paths) = path.exact_values() else { return Err(unsupported("a `path` other than `equals`")) };
    let filename = object.entity("filename");
    let down = object.behavior("recurse_direction") == Some("down");
    let max_depth: i64 =
        if down { object.behavior("max_depth").and_then(|d| d.parse().ok()).unwrap_or(-1) } else { 0 };
    let mut out = Vec::new();
    for dir in paths {
        match filename {
            None => out.push((dir.clone(), None)),
            Some(f) if f.nil => out.push((dir.clone(), None)),
            Some(f) if f.operation == Operation::Equals => {
                out.extend(f.values.iter().map(|v| (dir.clone(), Some(v.clone()))));
            }
            Some(_) => list_matching(object, root, dir, max_depth, &mut out).map_err(Collected::error)?,
        }
    }
    Ok(out)
}

/// Entries of `dir` whose names match `filename`, descending `depth` more directory levels
/// (`-1`: no limit) without following symlinks.
fn list_matching(
    object: &ResolvedObject<'_>,
    root: &Root,
    dir: &str,
    depth: i64,
    out: &mut Vec<(String, Option<String>)>,
) -> Result<(), String> {
    let Ok(names) = root.read_dir(dir) else { return Ok(()) };
    for name in names {
        if accepts(object, "filename", &name).map_err(|e| e.to_string())? {
            out.push((dir.to_string(), Some(name.clone())));
        }
        let child = format!("{}/{name}", dir.trim_end_matches('/'));
        if depth != 0 && root.lstat(&child).is_ok_and(|m| m.kind == FileKind::Directory) {
            list_matching(object, root, &child, depth - 1, out)?;
        }
    }
    Ok(())
}

fn push_context(item: &mut Item, c: &SecurityContext) {
    item.push("user", Datatype::String, c.user.as_str());
    item.push("role", Datatype::String, c.role.as_str());
    item.push("type", Datatype::String, c.kind.as_str());
    for prefix in ["", "raw"] {
        for (name, level) in [("low", &c.low), ("high", &c.high)] {
            if let Some((sensitivity, categories)) = level {
                item.push(format!("{prefix}{name}_sensitivity"), Datatype::String, sensitivity.as_str());
                if let Some(categories) = categories {
                    item.push(format!("{prefix}{name}_category"), Datatype::String, categories.as_str());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::ProbeContext;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, nil, pattern, text,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    /// Label a file if the test file system supports `security.*` xattrs (tmpfs as root does).
    fn label(path: &std::path::Path, context: &str) -> bool {
        let p = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        let n = CString::new(XATTR).unwrap();
        // SAFETY: valid NUL-terminated strings and a readable buffer.
        unsafe { libc::lsetxattr(p.as_ptr(), n.as_ptr(), context.as_ptr().cast(), context.len(), 0) == 0 }
    }

    #[test]
    fn parses_mls_ranges() {
        let c = parse_context("system_u:object_r:device_t:s0-s0:c0.c1023\0").unwrap();
        assert_eq!((c.user.as_str(), c.role.as_str(), c.kind.as_str()), ("system_u", "object_r", "device_t"));
        assert_eq!(c.low, Some(("s0".into(), None)));
        assert_eq!(c.high, Some(("s0".into(), Some("c0.c1023".into()))));
        let c = parse_context("u:r:t").unwrap();
        assert_eq!((c.low, c.high), (None, None));
        assert!(parse_context("nocolons").is_none());
    }

    #[test]
    fn filepath_and_path_forms() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("var/run/faillock/sub")).unwrap();
        fs::write(dir.path().join("var/run/faillock/alice"), "").unwrap();
        fs::write(dir.path().join("var/run/faillock/sub/bob"), "").unwrap();
        let labelled = label(&dir.path().join("var/run/faillock"), "system_u:object_r:faillog_t:s0");
        let root = Root::new(dir.path()).unwrap();

        let c = collect(&SelinuxSecurityContextProbe, vec![equals("filepath", "/var/run/faillock")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(field_names(&c.items[0])[..2], ["filepath", "user"]);
        if labelled {
            assert_eq!(text(&c.items[0], "type"), "faillog_t");
            assert_eq!(text(&c.items[0], "rawlow_sensitivity"), "s0");
        } else {
            eprintln!("no security xattrs on this file system; label values not checked");
        }

        let c = collect(
            &SelinuxSecurityContextProbe,
            vec![equals("path", "/var/run/faillock"), nil("filename")],
            &root,
        );
        assert_eq!(field_names(&c.items[0])[..2], ["path", "filename"]);

        let c = collect(
            &SelinuxSecurityContextProbe,
            vec![equals("path", "/var/run/faillock"), pattern("filename", "^b")],
            &root,
        );
        assert_eq!(c.flag, CollectedFlag::DoesNotExist, "no recursion without behaviors");

        let kind = crate::probes::support::entity_filter::test_support::type_name(
            Family::Linux,
            "selinuxsecuritycontext_object",
        );
        let behaviors = [
            ("recurse_direction".to_string(), "down".to_string()),
            ("max_depth".to_string(), "1".to_string()),
        ];
        let object = ResolvedObject {
            id: "oval:t:obj:1",
            kind: &kind,
            entities: vec![equals("path", "/var/run/faillock"), pattern("filename", "^(b|s)")],
            behaviors: &behaviors,
        };
        let c = SelinuxSecurityContextProbe
            .collect(&object, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        let found: Vec<_> = c.items.iter().map(|i| (text(i, "path"), text(i, "filename"))).collect();
        assert_eq!(found, [("/var/run/faillock", "sub"), ("/var/run/faillock/sub", "bob")]);
    }

    #[test]
    fn missing_file_and_unsupported_forms() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let c = collect(&SelinuxSecurityContextProbe, vec![equals("filepath", "/nope")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        let c = collect(&SelinuxSecurityContextProbe, vec![pattern("filepath", "^/dev/")], &root);
        assert_eq!(c.flag, CollectedFlag::NotCollected);
    }
}
