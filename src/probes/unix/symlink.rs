//! `unix:symlink_object` → `unix:symlink_item`: where a symbolic link finally points, resolved
//! inside the root (an absolute target restarts at the root, never at the host's `/`).
//!
//! As oscap 1.3.7: a missing file or one that is not a link yields no item (with a message);
//! a dangling or circular link makes the object `error`.

use crate::host::{FileKind, HostError, Root, WalkOptions, normalize};
use crate::model::oval::{Datatype, Family, Item, Operation};

use crate::probes::support::fileset::literal_dir_prefix;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

pub struct SymlinkProbe;

impl Probe for SymlinkProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "symlink_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(filepath) = object.entity("filepath") else {
            return Collected::error(format!("object `{}` has no `filepath`", object.id));
        };
        let candidates = match filepath.exact_values() {
            Some(values) => values.iter().map(|v| normalize(v)).collect(),
            None => match links_matching(ctx.root(), filepath) {
                Ok(c) => c,
                Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
            },
        };
        let mut out = Collected::from_items(Vec::new());
        let mut failed = false;
        for path in candidates {
            match canonical(ctx.root(), &path) {
                Ok(Some(target)) => {
                    let mut item = Item::new(item_type(object.kind));
                    item.push("filepath", Datatype::String, path);
                    item.push("canonical_path", Datatype::String, target);
                    out.items.push(item);
                }
                Ok(None) => out.messages.push(format!("`{path}` is not a symbolic link").into()),
                Err(e) if e.is_not_found() => out.messages.push(format!("`{path}` does not exist").into()),
                Err(e) => {
                    failed = true;
                    out.messages.push(e.to_string().into());
                }
            }
        }
        out.flag = if failed {
            CollectedFlag::Error
        } else if out.items.is_empty() {
            CollectedFlag::DoesNotExist
        } else {
            CollectedFlag::Complete
        };
        out
    }
}

/// Symlinks whose path matches a non-`equals` filepath entity (walked from the pattern's prefix).
fn links_matching(
    root: &Root,
    filepath: &crate::semantics::ResolvedEntity,
) -> Result<Vec<String>, crate::semantics::EvalError> {
    let start = match filepath.operation {
        Operation::PatternMatch if filepath.values.len() == 1 => literal_dir_prefix(&filepath.values[0]),
        _ => "/".to_string(),
    };
    let walk = root.walk(&start, WalkOptions::everything());
    let mut out = Vec::new();
    for e in walk.entries.iter().filter(|e| e.is_symlink) {
        if filepath.matches(&e.path)? {
            out.push(e.path.clone());
        }
    }
    Ok(out)
}

/// `Some(canonical target)` for a link, `None` for an existing file that is not a link.
fn canonical(root: &Root, path: &str) -> Result<Option<String>, HostError> {
    if root.lstat(path)?.kind != FileKind::Symlink {
        return Ok(None);
    }
    let target = root.resolve(path)?;
    match root.lstat(&target) {
        Ok(_) => Ok(Some(target)),
        Err(e) if e.is_not_found() => Err(HostError::Io {
            path: path.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "link target does not exist"),
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::ItemValue;
    use crate::probes::support::fileset::tests::{entity, kind, object};
    use std::fs;
    use std::os::unix::fs::symlink;

    fn run(d: &tempfile::TempDir, path: &str) -> Collected {
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "symlink_object");
        let o = object(&k, vec![entity("filepath", Operation::Equals, path)], &[]);
        SymlinkProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())))
    }

    fn canonical_of(c: &Collected) -> String {
        match &c.items[0].fields_named("canonical_path").next().unwrap().value {
            ItemValue::Text(t) => t.clone(),
            _ => String::new(),
        }
    }

    fn fixture() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/alternatives")).unwrap();
        fs::write(d.path().join("etc/real"), "x").unwrap();
        symlink("/etc/alternatives/java", d.path().join("etc/java")).unwrap();
        symlink("../real", d.path().join("etc/alternatives/java")).unwrap();
        d
    }

    #[test]
    fn chain_resolves_inside_root() {
        let d = fixture();
        let c = run(&d, "/etc/java");
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(canonical_of(&c), "/etc/real");
    }

    #[test]
    fn escaping_link_is_clamped_to_root() {
        let d = fixture();
        symlink("../../../../../../etc/real", d.path().join("etc/up")).unwrap();
        assert_eq!(canonical_of(&run(&d, "/etc/up")), "/etc/real");
    }

    #[test]
    fn not_a_link_and_missing_are_does_not_exist() {
        let d = fixture();
        assert_eq!(run(&d, "/etc/real").flag, CollectedFlag::DoesNotExist);
        assert_eq!(run(&d, "/etc/none").flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn dangling_and_circular_links_are_errors() {
        let d = fixture();
        symlink("/nowhere", d.path().join("etc/dangling")).unwrap();
        symlink("/etc/loop", d.path().join("etc/loop")).unwrap();
        let c = run(&d, "/etc/dangling");
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("does not exist"), "{:?}", c.messages);
        let c = run(&d, "/etc/loop");
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("symbolic links"), "{:?}", c.messages);
    }

    #[test]
    fn pattern_finds_links() {
        let d = fixture();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Unix, "symlink_object");
        let o = object(&k, vec![entity("filepath", Operation::PatternMatch, "^/etc/.*java$")], &[]);
        let c = SymlinkProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.items.len(), 2);
    }
}
