//! `unix:fileextendedattribute_object` → `fileextendedattribute_item` (OVAL 5.11.2 unix schema):
//! one item per extended attribute of each file the object names whose name the
//! `attribute_name` entity accepts, with its value as text. Read through the root, without
//! following a final symlink.

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::entity_filter::accepts;
use crate::probes::support::fileset::{collect_each, error_item, push_location};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct FileExtendedAttributeProbe;

impl Probe for FileExtendedAttributeProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "fileextendedattribute_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("attribute_name").is_none() {
            return Collected::error(format!("object `{}` has no `attribute_name`", object.id));
        }
        let kind = item_type(object.kind);
        let root = ctx.root();
        collect_each(object, ctx, |file, out| {
            let full = file.full_path();
            let names = match root.xattr_names(&full) {
                Ok(names) => names,
                Err(e) => {
                    out.items.push(error_item(kind.clone(), file, e.to_string()));
                    return Ok(());
                }
            };
            for name in names {
                if !accepts(object, "attribute_name", &name)? {
                    continue;
                }
                let value = match root.xattr(&full, &name, false) {
                    Ok(Some(bytes)) => {
                        String::from_utf8_lossy(bytes.strip_suffix(b"\0").unwrap_or(&bytes)).into_owned()
                    }
                    Ok(None) => continue,
                    Err(e) => {
                        out.items.push(error_item(kind.clone(), file, e.to_string()));
                        continue;
                    }
                };
                let mut item = Item::new(kind.clone());
                push_location(&mut item, file);
                item.push("attribute_name", Datatype::String, name);
                item.push("value", Datatype::String, value);
                out.items.push(item);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};
    use crate::semantics::CollectedFlag;

    #[test]
    fn lists_the_attributes_the_name_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        for (name, value) in [("user.stigrun.a", "one"), ("user.stigrun.b", "two")] {
            if rustix::fs::setxattr(&file, name, value.as_bytes(), rustix::fs::XattrFlags::empty()).is_err() {
                eprintln!("the file system of the temporary directory keeps no user xattrs; not checked");
                return;
            }
        }
        let root = Root::new(dir.path()).unwrap();
        let c = collect(
            &FileExtendedAttributeProbe,
            vec![equals("filepath", "/f"), pattern("attribute_name", "^user\\.stigrun\\.")],
            &root,
        );
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(c.items.len(), 2);
        assert_eq!(field_names(&c.items[0]), ["filepath", "path", "filename", "attribute_name", "value"]);
        assert_eq!(
            (text(&c.items[1], "attribute_name"), text(&c.items[1], "value")),
            ("user.stigrun.b", "two")
        );
        let none = collect(
            &FileExtendedAttributeProbe,
            vec![equals("filepath", "/f"), equals("attribute_name", "user.other")],
            &root,
        );
        assert_eq!(none.flag, CollectedFlag::DoesNotExist);
    }
}
