//! The header blobs of rpm's Berkeley DB database (`Packages`, rpm ≤ 4.15: RHEL 7 and 8,
//! SLES 12), read without Berkeley DB.
//!
//! `Packages` is a hash database (DB_HASH): key = the header instance number, 4 bytes in the
//! writing host's byte order (key 0 holds rpm's instance counter, not a header); value = the
//! header blob. The layout (Berkeley DB's db_page.h and hash.h; the fixtures are written by
//! `db5.3_load`, see tests/fixtures/rpmdb/make-bdb.sh):
//! - page 0, the metadata page: magic 0x061561 at 12, written in the file's byte order (so it
//!   tells the order of every number after it), hash version at 16, page size at 20, encryption
//!   algorithm at 24, page type at 25 (8), flags at 26, last page number at 32, highest bucket at
//!   72, 32 `spares` at 96;
//! - every page opens with a 26-byte header: its own number at 8, the next page of its chain at
//!   16, entry count at 20, used length at 22, type at 25;
//! - bucket `b` starts on page `b + spares[bit length of b]` and goes on through next-page links
//!   over hash pages (type 13; 2 in hash version 8 files). A hash page's header is followed by the
//!   entries' offsets (2 bytes each); each item runs from its offset up to the previous entry's
//!   (the page end for the first). Entry 2i is a key, 2i + 1 its value; an item's first byte is
//!   its type: the data inline (1), or a big item's first overflow page (at 4) and total length
//!   (at 8) (3), whose pages (type 7) each hold their used length of data after the header.
//!
//! Pages are read one at a time through the [`Root`] (never the whole file), each at most once
//! (which ends any cycle of links), and every offset and length from the file is checked against
//! the page or the file before use: a damaged file is an error naming the page, never a panic.

use super::ReadAt;
use crate::host::{HostError, Root};

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
/// Berkeley DB's smallest page; the metadata fields all lie within it.
const MIN_PAGE: usize = 512;

mod page_type {
    pub const HASH_UNSORTED: u8 = 2;
    pub const OVERFLOW: u8 = 7;
    pub const HASH_META: u8 = 8;
    pub const HASH: u8 = 13;
}

mod item {
    pub const KEYDATA: u8 = 1;
    pub const DUPLICATE: u8 = 2;
    pub const OFFPAGE: u8 = 3;
    pub const OFFDUP: u8 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum BdbError {
    #[error("{0}")]
    Host(#[from] HostError),
    #[error("not a Berkeley DB hash database")]
    NotHash,
    #[error("hash database version {0}; stigrun reads versions 8 to 10 (Berkeley DB 4.x to 6.x)")]
    Version(u32),
    #[error("the metadata page gives page type {0}, not 8 (hash metadata)")]
    MetaType(u8),
    #[error("page size {0} is not a power of two from 512 to 65536")]
    PageSize(u32),
    #[error("encrypted Berkeley DB databases are not read")]
    Encrypted,
    #[error("Berkeley DB databases with page checksums are not read (rpm never creates them)")]
    Checksummed,
    #[error("the metadata page counts {pages} pages of {page_size} bytes; the file has {size} bytes")]
    Truncated { pages: u64, page_size: usize, size: u64 },
    #[error("the metadata page counts buckets 0 to {max_bucket} in {pages} pages")]
    Buckets { max_bucket: u32, pages: u64 },
    #[error("page {page}: {problem}")]
    Page { page: u32, problem: PageProblem },
}

/// What is wrong with one page (or the link to it).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PageProblem {
    #[error("not a data page of the file (those are 1 to {last})")]
    OutOfRange { last: u32 },
    #[error("reached a second time: the page links form a cycle or cross")]
    Revisited,
    #[error("holds page number {0}")]
    Misnumbered(u32),
    #[error("page type {found}, expected {expected}")]
    Type { found: u8, expected: &'static str },
    #[error("{0} entries do not fit in the page")]
    Entries(u16),
    #[error("{0} entries: a key without its value")]
    OddEntries(u16),
    #[error("entry {index}: offset {offset} is outside the page's item area")]
    ItemBounds { index: usize, offset: u16 },
    #[error("entry {index}: item type {found}")]
    ItemType { index: usize, found: u8 },
    #[error("entry {index}: a set of duplicate values; rpm keeps one header per key")]
    Duplicates { index: usize },
    #[error("entry {index}: a {len}-byte key, not a 4-byte header number")]
    KeyLength { index: usize, len: usize },
    #[error("entry {index}: a {len}-byte off-page reference, not 12 bytes")]
    OffPageReference { index: usize, len: usize },
    #[error("entry {index}: a big item of {len} bytes, more than the file's pages hold")]
    BigItemLength { index: usize, len: u32 },
    #[error("an overflow page holding {0} bytes")]
    OverflowLength(u16),
    #[error("the overflow chain ends after {read} of {total} bytes")]
    ChainShort { read: usize, total: u32 },
}

/// Hand every `(instance, blob)` of the `Packages` hash database at `path` in `root` to `each`,
/// bucket by bucket, until `each` returns false. Only one page, one big item and a bitmap of
/// visited pages are held at a time.
pub fn for_each_header(
    root: &Root,
    path: &str,
    each: impl FnMut(u32, &[u8]) -> bool,
) -> Result<(), BdbError> {
    read_headers(&root.open_file(path)?, each)
}

/// [`for_each_header`] over any positional source (the fuzz target reads bytes in memory).
pub fn read_headers(
    file: &(impl ReadAt + ?Sized),
    mut each: impl FnMut(u32, &[u8]) -> bool,
) -> Result<(), BdbError> {
    let mut db = Db::open(file)?;
    let mut page = vec![0u8; db.page_size];
    let mut overflow_page = vec![0u8; db.page_size];
    let mut big = Vec::new();
    for bucket in 0..=db.max_bucket {
        let mut pgno = db.bucket_page(bucket)?;
        while pgno != 0 {
            db.read_page(pgno, &mut page)?;
            let at = |problem| BdbError::Page { page: pgno, problem };
            if !matches!(page[25], page_type::HASH | page_type::HASH_UNSORTED) {
                return Err(at(PageProblem::Type { found: page[25], expected: "13 or 2 (hash)" }));
            }
            let items = Items::of(&page, db.order).map_err(at)?;
            for pair in 0..items.count / 2 {
                let (key_index, value_index) = (2 * pair, 2 * pair + 1);
                let key = items.get(key_index).map_err(at)?;
                let instance = match key {
                    [item::KEYDATA, number @ ..] if number.len() == 4 => db.order.u32(number, 0),
                    [item::KEYDATA, rest @ ..] => {
                        return Err(at(PageProblem::KeyLength { index: key_index, len: rest.len() }));
                    }
                    _ => return Err(at(PageProblem::ItemType { index: key_index, found: key[0] })),
                };
                let value = items.get(value_index).map_err(at)?;
                // Instance 0 is rpm's counter of the highest instance number, not a header.
                if instance == 0 {
                    continue;
                }
                let blob = match value[0] {
                    item::KEYDATA => &value[1..],
                    item::OFFPAGE => {
                        if value.len() != 12 {
                            let problem =
                                PageProblem::OffPageReference { index: value_index, len: value.len() };
                            return Err(at(problem));
                        }
                        let (first, total) = (db.order.u32(value, 4), db.order.u32(value, 8));
                        if total == 0 || u64::from(total) > db.data_capacity() {
                            return Err(at(PageProblem::BigItemLength { index: value_index, len: total }));
                        }
                        db.read_big_item(pgno, first, total, &mut overflow_page, &mut big)?;
                        &big[..]
                    }
                    // rpm opens Packages without DB_DUP: duplicate sets cannot be there.
                    item::DUPLICATE | item::OFFDUP => {
                        return Err(at(PageProblem::Duplicates { index: value_index }));
                    }
                    found => return Err(at(PageProblem::ItemType { index: value_index, found })),
                };
                if !each(instance, blob) {
                    return Ok(());
                }
            }
            pgno = db.order.u32(&page, 16);
        }
    }
    Ok(())
}

/// Numbers in the file's byte order.
#[derive(Debug, Clone, Copy)]
struct Order {
    big_endian: bool,
}

impl Order {
    /// Callers check `at + 2 <= bytes.len()`.
    fn u16(self, bytes: &[u8], at: usize) -> u16 {
        let b = [bytes[at], bytes[at + 1]];
        if self.big_endian { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) }
    }

    /// Callers check `at + 4 <= bytes.len()`.
    fn u32(self, bytes: &[u8], at: usize) -> u32 {
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) }
    }
}

struct Db<'f, F: ReadAt + ?Sized> {
    file: &'f F,
    order: Order,
    page_size: usize,
    last_page: u32,
    max_bucket: u32,
    spares: [u32; 32],
    /// One bit per page: each page is read at most once.
    visited: Vec<u64>,
}

impl<'f, F: ReadAt + ?Sized> Db<'f, F> {
    fn open(file: &'f F) -> Result<Self, BdbError> {
        let mut meta = [0u8; MIN_PAGE];
        let head = usize::try_from(file.size()).map_or(MIN_PAGE, |size| size.min(MIN_PAGE));
        if head < 16 {
            return Err(BdbError::NotHash);
        }
        file.read_exact_at(&mut meta[..head], 0)?;
        let order = match meta[12..16] {
            [0x61, 0x15, 0x06, 0x00] => Order { big_endian: false },
            [0x00, 0x06, 0x15, 0x61] => Order { big_endian: true },
            _ => return Err(BdbError::NotHash),
        };
        debug_assert_eq!(order.u32(&meta, 12), HASH_MAGIC);
        let version = order.u32(&meta, 16);
        if !(8..=10).contains(&version) {
            return Err(BdbError::Version(version));
        }
        if meta[25] != page_type::HASH_META {
            return Err(BdbError::MetaType(meta[25]));
        }
        let page_size = order.u32(&meta, 20);
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return Err(BdbError::PageSize(page_size));
        }
        let page_size = page_size as usize;
        if meta[24] != 0 {
            return Err(BdbError::Encrypted);
        }
        // DBMETA_CHKSUM: checksummed pages carry the checksum in their header, moving the items.
        if meta[26] & 0x01 != 0 {
            return Err(BdbError::Checksummed);
        }
        let last_page = order.u32(&meta, 32);
        let pages = u64::from(last_page) + 1;
        if pages * page_size as u64 > file.size() {
            return Err(BdbError::Truncated { pages, page_size, size: file.size() });
        }
        let max_bucket = order.u32(&meta, 72);
        // Every bucket has a page of its own besides the metadata page.
        if u64::from(max_bucket) + 1 >= pages {
            return Err(BdbError::Buckets { max_bucket, pages });
        }
        let mut spares = [0u32; 32];
        for (i, spare) in spares.iter_mut().enumerate() {
            *spare = order.u32(&meta, 96 + 4 * i);
        }
        let visited = vec![0u64; pages.div_ceil(64) as usize];
        Ok(Db { file, order, page_size, last_page, max_bucket, spares, visited })
    }

    /// The first page of `bucket`.
    fn bucket_page(&self, bucket: u32) -> Result<u32, BdbError> {
        let out_of_range = || BdbError::Buckets { max_bucket: self.max_bucket, pages: self.pages() };
        let spare =
            self.spares.get((u32::BITS - bucket.leading_zeros()) as usize).ok_or_else(out_of_range)?;
        let pgno = bucket.checked_add(*spare).ok_or_else(out_of_range)?;
        // Zero would read as "no page": the metadata page is never a bucket.
        if pgno == 0 {
            return Err(BdbError::Page {
                page: 0,
                problem: PageProblem::OutOfRange { last: self.last_page },
            });
        }
        Ok(pgno)
    }

    fn pages(&self) -> u64 {
        u64::from(self.last_page) + 1
    }

    /// The most data the file's pages can hold: a bound on any big item's length.
    fn data_capacity(&self) -> u64 {
        self.pages() * (self.page_size - PAGE_HEADER) as u64
    }

    /// Read data page `pgno` into `buf` (one page long), once per run.
    fn read_page(&mut self, pgno: u32, buf: &mut [u8]) -> Result<(), BdbError> {
        let at = |problem| BdbError::Page { page: pgno, problem };
        if pgno == 0 || pgno > self.last_page {
            return Err(at(PageProblem::OutOfRange { last: self.last_page }));
        }
        let (word, bit) = (pgno as usize / 64, 1u64 << (pgno % 64));
        if self.visited[word] & bit != 0 {
            return Err(at(PageProblem::Revisited));
        }
        self.visited[word] |= bit;
        self.file.read_exact_at(buf, u64::from(pgno) * self.page_size as u64)?;
        let own = self.order.u32(buf, 8);
        if own != pgno {
            return Err(at(PageProblem::Misnumbered(own)));
        }
        Ok(())
    }

    /// Gather a big item of `total` bytes from the overflow chain starting at `first` into
    /// `big`, growing it only as pages are read.
    fn read_big_item(
        &mut self,
        holder: u32,
        first: u32,
        total: u32,
        page: &mut [u8],
        big: &mut Vec<u8>,
    ) -> Result<(), BdbError> {
        big.clear();
        let (mut previous, mut pgno) = (holder, first);
        while big.len() < total as usize {
            if pgno == 0 {
                let problem = PageProblem::ChainShort { read: big.len(), total };
                return Err(BdbError::Page { page: previous, problem });
            }
            self.read_page(pgno, page)?;
            let at = |problem| BdbError::Page { page: pgno, problem };
            if page[25] != page_type::OVERFLOW {
                return Err(at(PageProblem::Type { found: page[25], expected: "7 (overflow)" }));
            }
            let len = self.order.u16(page, 22);
            let fits = PAGE_HEADER + usize::from(len) <= self.page_size
                && big.len() + usize::from(len) <= total as usize;
            if len == 0 || !fits {
                return Err(at(PageProblem::OverflowLength(len)));
            }
            big.extend_from_slice(&page[PAGE_HEADER..PAGE_HEADER + usize::from(len)]);
            previous = pgno;
            pgno = self.order.u32(page, 16);
        }
        Ok(())
    }
}

/// The item index of a hash page.
struct Items<'p> {
    page: &'p [u8],
    order: Order,
    count: usize,
}

impl<'p> Items<'p> {
    fn of(page: &'p [u8], order: Order) -> Result<Items<'p>, PageProblem> {
        let entries = order.u16(page, 20);
        let count = usize::from(entries);
        if PAGE_HEADER + 2 * count > page.len() {
            return Err(PageProblem::Entries(entries));
        }
        if count % 2 != 0 {
            return Err(PageProblem::OddEntries(entries));
        }
        Ok(Items { page, order, count })
    }

    /// Item `index`: from its offset up to the previous item's (the page end for the first),
    /// never into the index itself; at least its type byte.
    fn get(&self, index: usize) -> Result<&'p [u8], PageProblem> {
        let offset_of = |i: usize| self.order.u16(self.page, PAGE_HEADER + 2 * i);
        let offset = offset_of(index);
        let end = if index == 0 { self.page.len() } else { usize::from(offset_of(index - 1)) };
        let start = usize::from(offset);
        if start < PAGE_HEADER + 2 * self.count || start >= end || end > self.page.len() {
            return Err(PageProblem::ItemBounds { index, offset });
        }
        Ok(&self.page[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(dir: &str) -> Root {
        Root::new(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Every (instance, blob), by instance.
    fn headers(root: &Root) -> Result<Vec<(u32, Vec<u8>)>, BdbError> {
        let mut out = Vec::new();
        for_each_header(root, "/var/lib/rpm/Packages", |n, blob| {
            out.push((n, blob.to_vec()));
            true
        })?;
        out.sort();
        Ok(out)
    }

    fn seed_blobs() -> Vec<Vec<u8>> {
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/rpm_header");
        (1..=4).map(|n| std::fs::read(format!("{seeds}/header-{n}")).unwrap()).collect()
    }

    #[test]
    fn every_fixture_holds_the_sqlite_fixtures_blobs_in_both_byte_orders() {
        for dir in [
            "tests/oval/cases/probe-rpminfo-bdb/root",
            "tests/fixtures/rpmdb/bdb-4321-512",
            "tests/fixtures/rpmdb/bdb-1234-16384",
        ] {
            let got = headers(&fixture(dir)).unwrap();
            let numbers: Vec<_> = got.iter().map(|(n, _)| *n).collect();
            assert_eq!(numbers, [1, 2, 3, 4], "{dir}");
            let blobs: Vec<_> = got.into_iter().map(|(_, b)| b).collect();
            assert_eq!(blobs, seed_blobs(), "{dir}");
        }
    }

    /// The page types a fixture's items are on: proves which fixture covers overflow chains and
    /// which inline data.
    fn value_item_types(dir: &str) -> Vec<u8> {
        let bytes =
            std::fs::read(format!("{}/{dir}/var/lib/rpm/Packages", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let big_endian = bytes[12] == 0;
        let order = Order { big_endian };
        let page_size = order.u32(&bytes, 20) as usize;
        let mut types = Vec::new();
        for page in bytes.chunks(page_size).skip(1).filter(|p| p[25] == page_type::HASH) {
            let items = Items::of(page, order).unwrap();
            types.extend((0..items.count / 2).map(|pair| items.get(2 * pair + 1).unwrap()[0]));
        }
        types.sort();
        types
    }

    #[test]
    fn the_fixtures_cover_inline_and_overflow_values() {
        // The instance counter is inline everywhere; the headers (over 1800 bytes) go to
        // overflow pages at 512-byte pages and stay on the bucket page at 16384.
        assert_eq!(value_item_types("tests/fixtures/rpmdb/bdb-4321-512"), [1, 3, 3, 3, 3]);
        assert_eq!(value_item_types("tests/oval/cases/probe-rpminfo-bdb/root"), [1, 3, 3, 3, 3]);
        assert_eq!(value_item_types("tests/fixtures/rpmdb/bdb-1234-16384"), [1, 1, 1, 1, 1]);
    }

    #[test]
    fn returning_false_stops_the_walk() {
        let mut seen = 0;
        for_each_header(&fixture("tests/fixtures/rpmdb/bdb-4321-512"), "/var/lib/rpm/Packages", |_, _| {
            seen += 1;
            false
        })
        .unwrap();
        assert_eq!(seen, 1);
    }

    /// A copy of the 512-byte-page fixture, changed by `mangle`, in a root of its own.
    fn mangled(mangle: impl FnOnce(&mut Vec<u8>)) -> (tempfile::TempDir, Root) {
        let src = format!(
            "{}/tests/oval/cases/probe-rpminfo-bdb/root/var/lib/rpm/Packages",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut bytes = std::fs::read(src).unwrap();
        mangle(&mut bytes);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        std::fs::write(dir.path().join("var/lib/rpm/Packages"), bytes).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    /// Page `n` of the little-endian 512-byte fixture.
    fn page(bytes: &mut [u8], n: usize) -> &mut [u8] {
        &mut bytes[n * 512..(n + 1) * 512]
    }

    /// The first overflow page of the fixture and the bucket page pointing to it.
    fn first_overflow(bytes: &[u8]) -> (usize, usize) {
        let holder = (1..bytes.len() / 512).find(|&n| bytes[n * 512 + 25] == page_type::HASH).unwrap();
        let order = Order { big_endian: false };
        let items = Items::of(&bytes[holder * 512..(holder + 1) * 512], order).unwrap();
        let value = (0..items.count / 2).map(|p| items.get(2 * p + 1).unwrap()).find(|v| v[0] == 3).unwrap();
        (holder, order.u32(value, 4) as usize)
    }

    #[test]
    fn damage_is_an_error_naming_the_page() {
        let page_error = |root: &Root| match headers(root) {
            Err(BdbError::Page { page, problem }) => (page, problem),
            other => panic!("expected a page error, got {other:?}"),
        };
        // An overflow page linking back to itself.
        let (_d, root) = mangled(|b| {
            let (_, first) = first_overflow(b);
            page(b, first)[16..20].copy_from_slice(&(first as u32).to_le_bytes());
        });
        let (first, problem) = page_error(&root);
        assert_eq!(problem, PageProblem::Revisited, "page {first}");
        // An overflow chain cut short.
        let (_d, root) = mangled(|b| {
            let (_, first) = first_overflow(b);
            page(b, first)[16..20].copy_from_slice(&0u32.to_le_bytes());
        });
        assert!(matches!(page_error(&root).1, PageProblem::ChainShort { .. }));
        // A bucket page whose entries overrun it.
        let (_d, root) = mangled(|b| {
            let (holder, _) = first_overflow(b);
            page(b, holder)[20..22].copy_from_slice(&300u16.to_le_bytes());
        });
        assert_eq!(page_error(&root).1, PageProblem::Entries(300));
        // A page holding another page's number (a misplaced or zeroed page).
        let (_d, root) = mangled(|b| {
            let (_, first) = first_overflow(b);
            page(b, first)[8..12].copy_from_slice(&7777u32.to_le_bytes());
        });
        assert_eq!(page_error(&root).1, PageProblem::Misnumbered(7777));
        // A big item longer than the whole file could hold.
        let (_d, root) = mangled(|b| {
            let (holder, _) = first_overflow(b);
            let items = Items::of(&b[holder * 512..(holder + 1) * 512], Order { big_endian: false }).unwrap();
            let at = (0..items.count / 2)
                .map(|p| PAGE_HEADER + 2 * (2 * p + 1))
                .map(|i| u16::from_le_bytes([b[holder * 512 + i], b[holder * 512 + i + 1]]) as usize)
                .find(|&o| b[holder * 512 + o] == 3)
                .unwrap();
            page(b, holder)[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        });
        assert!(matches!(page_error(&root).1, PageProblem::BigItemLength { len: u32::MAX, .. }));
    }

    #[test]
    fn a_damaged_metadata_page_is_named() {
        let (_d, root) = mangled(|b| b.truncate(b.len() - 1));
        assert!(matches!(headers(&root), Err(BdbError::Truncated { .. })));
        let (_d, root) = mangled(|b| b[12..16].copy_from_slice(&0x053162u32.to_le_bytes()));
        assert!(matches!(headers(&root), Err(BdbError::NotHash)));
        let (_d, root) = mangled(|b| b[20..24].copy_from_slice(&1000u32.to_le_bytes()));
        assert!(matches!(headers(&root), Err(BdbError::PageSize(1000))));
        let (_d, root) = mangled(|b| b[16..20].copy_from_slice(&7u32.to_le_bytes()));
        assert!(matches!(headers(&root), Err(BdbError::Version(7))));
        let (_d, root) = mangled(|b| b[72..76].copy_from_slice(&u32::MAX.to_le_bytes()));
        assert!(matches!(headers(&root), Err(BdbError::Buckets { .. })));
        let (_d, root) = mangled(|b| b[24] = 1);
        assert!(matches!(headers(&root), Err(BdbError::Encrypted)));
        let (_d, root) = mangled(|b| b[26] = 1);
        assert!(matches!(headers(&root), Err(BdbError::Checksummed)));
        let (_d, root) = mangled(|b| b.truncate(10));
        assert!(matches!(headers(&root), Err(BdbError::NotHash)));
    }

    /// Every truncation and three one-byte changes at every offset of the metadata page and the
    /// first pages: headers or a typed error, never a panic (the fuzz target's property, on the
    /// bytes in memory).
    #[test]
    fn mangled_fixture_never_panics() {
        let src = format!(
            "{}/tests/oval/cases/probe-rpminfo-bdb/root/var/lib/rpm/Packages",
            env!("CARGO_MANIFEST_DIR")
        );
        let original = std::fs::read(src).unwrap();
        let read =
            |bytes: &[u8]| read_headers(bytes, |_, blob| super::super::RpmPackage::from_header(blob).is_ok());
        for len in 0..original.len() {
            assert!(read(&original[..len]).is_err(), "a {len}-byte truncation reads as whole");
        }
        let mut read_whole = 0;
        for at in 0..4 * 512 {
            for byte in [0x00, 0x7f, 0xff] {
                let mut bytes = original.clone();
                bytes[at] = byte;
                read_whole += usize::from(read(&bytes).is_ok());
            }
        }
        assert!(read_whole > 0, "changes to unused bytes still read");
    }
}
