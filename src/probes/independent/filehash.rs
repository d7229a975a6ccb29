//! `ind:filehash_object` (deprecated since OVAL 5.8) → `ind:filehash_item`: the MD5 and SHA-1
//! digests of each file.

use crate::model::oval::{Datatype, Family, Item};

use crate::probes::independent::filehash58::digest_file;
use crate::probes::support::fileset::{collect_each, push_location};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct FileHashProbe;

impl Probe for FileHashProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "filehash_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let kind = item_type(object.kind);
        collect_each(object, ctx, |file, out| {
            let Some(digests) = digest_file(ctx.root(), file, &["MD5", "SHA-1"], &kind, out) else {
                return Ok(());
            };
            let mut item = Item::new(kind.clone());
            push_location(&mut item, file);
            for (name, hex) in ["md5", "sha1"].into_iter().zip(digests) {
                item.push(name, Datatype::String, hex);
            }
            out.items.push(item);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::{ItemValue, Operation};
    use crate::probes::support::fileset::tests::{entity, kind, object};

    #[test]
    fn md5_and_sha1_in_schema_order() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("abc"), "abc").unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "filehash_object");
        let o = object(&k, vec![entity("filepath", Operation::Equals, "/abc")], &[]);
        let c = FileHashProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        let item = &c.items[0];
        let fields: Vec<(&str, String)> = item
            .fields
            .iter()
            .map(|f| {
                (f.name.as_ref(), if let ItemValue::Text(t) = &f.value { t.clone() } else { String::new() })
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("filepath", "/abc".into()),
                ("path", "/".into()),
                ("filename", "abc".into()),
                ("md5", "900150983cd24fb0d6963f7d28e17f72".into()),
                ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d".into()),
            ]
        );
    }
}
