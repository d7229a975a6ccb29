//! `ind:filehash58_object` → `ind:filehash58_item`: a digest of each file, for every hash type
//! the `hash_type` entity selects (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512).
//!
//! Files are streamed, so there is no size limit; FIFOs, devices and sockets are never opened.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::host::{FileKind, Root};
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::fileset::{FileRef, collect_each, error_item, push_location};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// Hash type names as OVAL spells them, in oscap's order.
pub const HASH_TYPES: [&str; 6] = ["MD5", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];

pub struct FileHash58Probe;

impl Probe for FileHash58Probe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "filehash58_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(hash_type) = object.entity("hash_type") else {
            return Collected::error(format!("object `{}` has no `hash_type`", object.id));
        };
        let mut wanted = Vec::new();
        for name in HASH_TYPES {
            match hash_type.matches(name) {
                Ok(true) => wanted.push(name),
                Ok(false) => {}
                Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
            }
        }
        let kind = item_type(object.kind);
        collect_each(object, ctx, |file, out| {
            let Some(digests) = digest_file(ctx.root(), file, &wanted, &kind, out) else { return Ok(()) };
            for (name, hex) in wanted.iter().zip(digests) {
                let mut item = Item::new(kind.clone());
                push_location(&mut item, file);
                item.push("hash_type", Datatype::String, *name);
                item.push("hash", Datatype::String, hex);
                out.items.push(item);
            }
            Ok(())
        })
    }
}

/// Stream a regular file once through every wanted digest (plus SHA-256 for evidence).
/// Returns the hex digests in the order of `names`; `None` when the file is skipped (not a
/// regular file) or unreadable (an error item is added).
pub(crate) fn digest_file(
    root: &Root,
    file: &FileRef,
    names: &[&str],
    kind: &crate::model::oval::TypeName,
    out: &mut Collected,
) -> Option<Vec<String>> {
    let full = file.full_path();
    match root.stat(&full) {
        Ok(meta) if meta.kind == FileKind::Regular => {}
        _ => return None,
    }
    let mut hashers: Vec<Box<dyn DynDigest>> = names.iter().filter_map(|n| hasher(n)).collect();
    let mut evidence = Sha256::new();
    let streamed = root.read_chunks(&full, |chunk| {
        Digest::update(&mut evidence, chunk);
        for h in hashers.iter_mut() {
            h.update(chunk);
        }
    });
    match streamed {
        Ok(_) => {
            out.evidence.push((full, hex::encode(evidence.finalize())));
            Some(hashers.into_iter().map(|h| h.hex()).collect())
        }
        Err(e) => {
            out.items.push(error_item(kind.clone(), file, e.to_string()));
            None
        }
    }
}

/// A digest behind one object-safe interface.
pub(crate) trait DynDigest {
    fn update(&mut self, bytes: &[u8]);
    fn hex(self: Box<Self>) -> String;
}

impl<D: Digest> DynDigest for D {
    fn update(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
    fn hex(self: Box<Self>) -> String {
        hex::encode(self.finalize())
    }
}

pub(crate) fn hasher(name: &str) -> Option<Box<dyn DynDigest>> {
    Some(match name {
        "MD5" => Box::new(Md5::new()),
        "SHA-1" => Box::new(Sha1::new()),
        "SHA-224" => Box::new(Sha224::new()),
        "SHA-256" => Box::new(Sha256::new()),
        "SHA-384" => Box::new(Sha384::new()),
        "SHA-512" => Box::new(Sha512::new()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::{ItemValue, Operation};
    use crate::probes::support::fileset::tests::{entity, kind, object};
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn hashes(c: &Collected) -> Vec<(String, String)> {
        let t = |i: &Item, n| match &i.fields_named(n).next().unwrap().value {
            ItemValue::Text(t) => t.clone(),
            _ => String::new(),
        };
        c.items.iter().map(|i| (t(i, "hash_type"), t(i, "hash"))).collect()
    }

    #[test]
    fn known_digests_of_abc() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("abc"), "abc").unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "filehash58_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/abc"),
                entity("hash_type", Operation::PatternMatch, "^(MD5|SHA-1|SHA-256)$"),
            ],
            &[],
        );
        let c = FileHash58Probe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(
            hashes(&c),
            [
                ("MD5".into(), "900150983cd24fb0d6963f7d28e17f72".into()),
                ("SHA-1".into(), "a9993e364706816aba3e25717850c26c9cd0d89d".into()),
                ("SHA-256".into(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()),
            ]
        );
        assert_eq!(c.items[0].kind.name, "filehash58_item");
        assert_eq!(c.evidence, [("/abc".to_string(), hashes(&c)[2].1.clone())]);
    }

    #[test]
    fn large_file_is_hashed_past_the_read_limit() {
        let d = tempfile::tempdir().unwrap();
        let data = vec![b'z'; 200_000];
        fs::write(d.path().join("big"), &data).unwrap();
        let limits = crate::host::Limits { max_file_size: 10, max_symlinks: 40 };
        let root = Root::with_limits(d.path(), limits).unwrap();
        let k = kind(Family::Independent, "filehash58_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/big"),
                entity("hash_type", Operation::Equals, "SHA-512"),
            ],
            &[],
        );
        let c = FileHash58Probe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(hashes(&c)[0].1, hex::encode(Sha512::digest(&data)));
    }

    #[test]
    fn fifo_is_skipped() {
        let d = tempfile::tempdir().unwrap();
        let p = std::ffi::CString::new(d.path().join("pipe").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "filehash58_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/pipe"),
                entity("hash_type", Operation::Equals, "MD5"),
            ],
            &[],
        );
        let c = FileHash58Probe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }
}
