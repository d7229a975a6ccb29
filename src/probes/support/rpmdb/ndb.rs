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

use crate::host::{HostError, OpenFile, Root};

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
    mut each: impl FnMut(u32, &[u8]) -> bool,
) -> Result<(), NdbError> {
    let file = root.open_file(path)?;
    let mut slots = read_slots(&file)?;
    slots.sort_unstable();
    if let Some(pair) = slots.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(NdbError::Slot { slot: pair[1].3, problem: SlotProblem::Duplicate(pair[1].0) });
    }
    let mut blob = Vec::new();
    for (index, offset, count, slot) in slots {
        read_blob(&file, (index, offset, count, slot), &mut blob)?;
        if !each(index, &blob) {
            break;
        }
    }
    Ok(())
}

/// The used slots, each checked to point at blob blocks inside the file.
fn read_slots(file: &OpenFile) -> Result<Vec<Slot>, NdbError> {
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
    file: &OpenFile,
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
