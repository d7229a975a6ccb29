//! The header blobs of rpm's NDB database (`Packages.db`, rpm ≥ 4.15 built with `--enable-ndb`:
//! openSUSE and SLES 15).
//!
//! The layout (rpm's lib/backend/ndb/rpmpkg.c; the fixture is written by that file's own code,
//! see tests/fixtures/rpmdb/make-ndb.sh), every number 4 bytes little-endian:
//! - the file starts with `slot pages` of 4096 bytes; the first 32 bytes of page 0 are the
//!   header: magic `RpmP`, version 0, generation, the slot page count, the next package index;
//! - the rest of those pages are 16-byte slots: magic `Slot`, package index, offset and length of
//!   its blob in 16-byte blocks; offset 0 marks a free slot;
//! - a blob: a 16-byte head (magic `BlbS`, package index, timestamp, header length), the header,
//!   zero padding, a 12-byte tail (Adler-32, header length, magic `BlbE`) ending its last block.
//!
//! Like rpm when it reads a package, the Adler-32 is not checked: a header rpm shows is one
//! stigrun reads. One slot page and one header are held at a time, read through the [`Root`];
//! every offset and length is checked against the file first: a damaged file is an error naming
//! the slot, never a panic.

use super::ReadAt;
use crate::host::{HostError, Root};

const SLOT_PAGE: usize = 4096;
const SLOT: usize = 16;
const BLOCK: u64 = 16;
const HEADER: usize = 32;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum NdbError {
    #[error("{0}")]
    Host(#[from] HostError),
    #[error("not an NDB package database (no `RpmP` magic)")]
    NotNdb,
    #[error("NDB version {0}; stigrun reads version 0")]
    Version(u32),
    #[error("{0} bytes is not a whole number of 16-byte blocks")]
    Size(u64),
    #[error("the header counts {pages} slot pages; the file has {size} bytes")]
    SlotPages { pages: u32, size: u64 },
    #[error("slot {slot}: {problem}")]
    Slot { slot: usize, problem: SlotProblem },
}

/// What is wrong with one slot or the blob it points to.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotProblem {
    #[error("no `Slot` magic")]
    Magic,
    #[error("package index 0")]
    NoIndex,
    #[error("package {index}: blocks {offset}+{count} are not blob blocks of the file")]
    Blocks { index: u32, offset: u32, count: u32 },
    #[error("package {index}: blocks {offset}+{count} overlap another package's")]
    Overlap { index: u32, offset: u32, count: u32 },
    #[error("package {0} has a second slot")]
    Duplicate(u32),
    #[error("package {0}: the blob has no `BlbS` magic")]
    BlobMagic(u32),
    #[error("package {index}: the blob is package {found}'s")]
    BlobIndex { index: u32, found: u32 },
    #[error("package {index}: a {len}-byte header does not fill {count} blocks")]
    BlobLength { index: u32, len: u32, count: u32 },
    #[error("package {0}: the blob's tail does not match its head")]
    Tail(u32),
}

/// One used slot: (package index, block offset, block count, slot number).
type Slot = (u32, u32, u32, usize);

fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Hand every `(package index, blob)` of the NDB database at `path` in `root` to `each`, by
/// package index, until `each` returns false.
pub fn for_each_header(
    root: &Root,
    path: &str,
    each: impl FnMut(u32, &[u8]) -> bool,
) -> Result<(), NdbError> {
    read_headers(&root.open_file(path)?, each)
}

/// [`for_each_header`] over any positional source (the fuzz target reads bytes in memory).
pub fn read_headers(
    file: &(impl ReadAt + ?Sized),
    mut each: impl FnMut(u32, &[u8]) -> bool,
) -> Result<(), NdbError> {
    let mut slots = read_slots(file)?;
    // Blobs never share blocks (rpm refuses to write into overlapping slots): so every byte of
    // the file is read at most once, however the slots are forged.
    slots.sort_unstable_by_key(|&(_, offset, _, _)| offset);
    if let Some(pair) =
        slots.windows(2).find(|pair| u64::from(pair[0].1) + u64::from(pair[0].2) > u64::from(pair[1].1))
    {
        let (index, offset, count, slot) = pair[1];
        return Err(NdbError::Slot { slot, problem: SlotProblem::Overlap { index, offset, count } });
    }
    slots.sort_unstable();
    if let Some(pair) = slots.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(NdbError::Slot { slot: pair[1].3, problem: SlotProblem::Duplicate(pair[1].0) });
    }
    let mut blob = Vec::new();
    for (index, offset, count, slot) in slots {
        read_blob(file, (index, offset, count, slot), &mut blob)?;
        if !each(index, &blob) {
            break;
        }
    }
    Ok(())
}

/// The used slots, each checked to point at blob blocks inside the file.
fn read_slots(file: &(impl ReadAt + ?Sized)) -> Result<Vec<Slot>, NdbError> {
    let size = file.size();
    let mut header = [0u8; HEADER];
    if size < HEADER as u64 {
        return Err(NdbError::NotNdb);
    }
    file.read_exact_at(&mut header, 0)?;
    if &header[..4] != b"RpmP" {
        return Err(NdbError::NotNdb);
    }
    let version = le32(&header, 4);
    if version != 0 {
        return Err(NdbError::Version(version));
    }
    if !size.is_multiple_of(BLOCK) {
        return Err(NdbError::Size(size));
    }
    let pages = le32(&header, 12);
    if pages == 0 || u64::from(pages) * SLOT_PAGE as u64 > size {
        return Err(NdbError::SlotPages { pages, size });
    }
    let file_blocks = size / BLOCK;
    // Blobs start after the slot pages.
    let first_blob_block = u64::from(pages) * (SLOT_PAGE as u64 / BLOCK);
    let mut slots = Vec::new();
    let mut page = vec![0u8; SLOT_PAGE];
    for p in 0..pages as usize {
        file.read_exact_at(&mut page, (p * SLOT_PAGE) as u64)?;
        let first = if p == 0 { HEADER } else { 0 };
        for at in (first..SLOT_PAGE).step_by(SLOT) {
            let slot = (p * SLOT_PAGE + at) / SLOT;
            let fail = |problem| NdbError::Slot { slot, problem };
            if &page[at..at + 4] != b"Slot" {
                return Err(fail(SlotProblem::Magic));
            }
            let (index, offset, count) = (le32(&page, at + 4), le32(&page, at + 8), le32(&page, at + 12));
            if offset == 0 {
                continue;
            }
            if index == 0 {
                return Err(fail(SlotProblem::NoIndex));
            }
            let end = u64::from(offset) + u64::from(count);
            if count == 0 || u64::from(offset) < first_blob_block || end > file_blocks {
                return Err(fail(SlotProblem::Blocks { index, offset, count }));
            }
            slots.push((index, offset, count, slot));
        }
    }
    Ok(slots)
}

/// The header a used slot points to (its blocks checked to lie in the file), into `blob`.
fn read_blob(
    file: &(impl ReadAt + ?Sized),
    (index, offset, count, slot): Slot,
    blob: &mut Vec<u8>,
) -> Result<(), NdbError> {
    let fail = |problem| NdbError::Slot { slot, problem };
    let start = u64::from(offset) * BLOCK;
    let blocks = u64::from(count) * BLOCK;
    if blocks < (BLOB_HEAD + BLOB_TAIL) as u64 {
        return Err(fail(SlotProblem::BlobLength { index, len: 0, count }));
    }
    let mut head = [0u8; BLOB_HEAD];
    file.read_exact_at(&mut head, start)?;
    if &head[..4] != b"BlbS" {
        return Err(fail(SlotProblem::BlobMagic(index)));
    }
    let found = le32(&head, 4);
    if found != index {
        return Err(fail(SlotProblem::BlobIndex { index, found }));
    }
    let len = le32(&head, 12);
    // The blob fills its blocks exactly, as rpm writes it (and checks on read).
    if (BLOB_HEAD + BLOB_TAIL) as u64 + u64::from(len) + BLOCK - 1 < blocks
        || (BLOB_HEAD + BLOB_TAIL) as u64 + u64::from(len) > blocks
    {
        return Err(fail(SlotProblem::BlobLength { index, len, count }));
    }
    let mut tail = [0u8; BLOB_TAIL];
    file.read_exact_at(&mut tail, start + blocks - BLOB_TAIL as u64)?;
    if le32(&tail, 4) != len || &tail[8..] != b"BlbE" {
        return Err(fail(SlotProblem::Tail(index)));
    }
    // `len` is within the blocks just checked to lie in the file.
    blob.clear();
    blob.resize(len as usize, 0);
    file.read_exact_at(blob, start + BLOB_HEAD as u64)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rpmdb/ndb/var/lib/rpm/Packages.db");

    /// Every (package index, blob) of the database at /var/lib/rpm/Packages.db.
    fn headers(root: &Root) -> Result<Vec<(u32, Vec<u8>)>, NdbError> {
        let mut out = Vec::new();
        for_each_header(root, "/var/lib/rpm/Packages.db", |n, blob| {
            out.push((n, blob.to_vec()));
            true
        })?;
        Ok(out)
    }

    /// A root holding `bytes` as its Packages.db.
    fn root_with(bytes: &[u8]) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        std::fs::write(dir.path().join("var/lib/rpm/Packages.db"), bytes).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    fn slot_error(bytes: &[u8]) -> (usize, SlotProblem) {
        let (_dir, root) = root_with(bytes);
        match headers(&root) {
            Err(NdbError::Slot { slot, problem }) => (slot, problem),
            other => panic!("expected a slot error, got {other:?}"),
        }
    }

    #[test]
    fn the_fixture_holds_the_sqlite_fixtures_blobs_by_package_index() {
        let (_dir, root) = root_with(&std::fs::read(FIXTURE).unwrap());
        let got = headers(&root).unwrap();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/rpm_header");
        let want: Vec<_> =
            (1..=4).map(|n| (n, std::fs::read(format!("{seeds}/header-{n}")).unwrap())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn damage_is_an_error_naming_the_slot() {
        let original = std::fs::read(FIXTURE).unwrap();
        // Slot 2 is the first after the 32-byte header; its blob starts at block 256.
        let mut bytes = original.clone();
        bytes[32..36].copy_from_slice(b"Slop");
        assert_eq!(slot_error(&bytes), (2, SlotProblem::Magic));
        let mut bytes = original.clone();
        bytes[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(slot_error(&bytes), (2, SlotProblem::Blocks { index: 1, count: u32::MAX, .. })));
        let mut bytes = original.clone();
        bytes[40..44].copy_from_slice(&3u32.to_le_bytes());
        assert!(matches!(slot_error(&bytes), (2, SlotProblem::Blocks { offset: 3, .. })));
        let mut bytes = original.clone();
        bytes[36..40].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(slot_error(&bytes).1, SlotProblem::Duplicate(2));
        // Slot 3 (package 2) pointing into package 1's blocks.
        let mut bytes = original.clone();
        bytes[56..60].copy_from_slice(&300u32.to_le_bytes());
        assert!(matches!(slot_error(&bytes), (3, SlotProblem::Overlap { index: 2, offset: 300, .. })));
        let mut bytes = original.clone();
        bytes[4096..4100].copy_from_slice(b"BlbX");
        assert_eq!(slot_error(&bytes), (2, SlotProblem::BlobMagic(1)));
        let mut bytes = original.clone();
        bytes[4096 + 12..4096 + 16].copy_from_slice(&5000u32.to_le_bytes());
        assert!(matches!(slot_error(&bytes), (2, SlotProblem::BlobLength { index: 1, len: 5000, .. })));
        let mut bytes = original;
        bytes.truncate(bytes.len() - 16);
        assert!(matches!(slot_error(&bytes).1, SlotProblem::Blocks { index: 4, .. }));
    }

    #[test]
    fn a_damaged_header_is_named() {
        let original = std::fs::read(FIXTURE).unwrap();
        let run = |bytes: &[u8]| {
            let (_dir, root) = root_with(bytes);
            headers(&root).unwrap_err()
        };
        assert!(matches!(run(&original[..20]), NdbError::NotNdb));
        assert!(matches!(run(&original[..original.len() - 1]), NdbError::Size(_)));
        let mut bytes = original.clone();
        bytes[4] = 1;
        assert!(matches!(run(&bytes), NdbError::Version(1)));
        let mut bytes = original;
        bytes[12..16].copy_from_slice(&9u32.to_le_bytes());
        assert!(matches!(run(&bytes), NdbError::SlotPages { pages: 9, .. }));
    }

    /// Every truncation and three one-byte changes at every offset of the header, the used slots
    /// and the first blob: headers or a typed error, never a panic (on the bytes in memory).
    #[test]
    fn mangled_fixture_never_panics() {
        let original = std::fs::read(FIXTURE).unwrap();
        let read =
            |bytes: &[u8]| read_headers(bytes, |_, blob| super::super::RpmPackage::from_header(blob).is_ok());
        for len in 0..original.len() {
            assert!(read(&original[..len]).is_err(), "a {len}-byte truncation reads as whole");
        }
        let mut read_whole = 0;
        for at in (0..96).chain(4096..4096 + 256) {
            for byte in [0x00, 0x7f, 0xff] {
                let mut bytes = original.clone();
                bytes[at] = byte;
                read_whole += usize::from(read(&bytes).is_ok());
            }
        }
        assert!(read_whole > 0, "changes inside the header blob (and unused fields) still read");
    }
}
