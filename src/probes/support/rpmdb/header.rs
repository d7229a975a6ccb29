//! RPM header blobs as the RPM database stores them: no lead and no magic, just
//! `index count (u32) | data length (u32) | count × {tag, type, offset, count} (u32 each) | data`,
//! all big-endian (rpm's `headerImport` of an immutable region).
//!
//! The blob comes from the scanned root and may be hostile: every count and offset is checked
//! against the blob before a byte is read; a bad entry is a typed error, never a panic.

/// Tags the probes read (rpmtag.h numbers).
pub mod tag {
    pub const SIGPGP: u32 = 259;
    pub const SIGGPG: u32 = 262;
    pub const DSAHEADER: u32 = 267;
    pub const RSAHEADER: u32 = 268;
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const ARCH: u32 = 1022;
    pub const OLDFILENAMES: u32 = 1027;
    pub const FILESIZES: u32 = 1028;
    pub const FILEMODES: u32 = 1030;
    pub const FILEMTIMES: u32 = 1034;
    pub const FILEDIGESTS: u32 = 1035;
    pub const FILELINKTOS: u32 = 1036;
    pub const FILEFLAGS: u32 = 1037;
    pub const FILEUSERNAME: u32 = 1039;
    pub const FILEGROUPNAME: u32 = 1040;
    pub const DIRINDEXES: u32 = 1116;
    pub const BASENAMES: u32 = 1117;
    pub const DIRNAMES: u32 = 1118;
    pub const LONGFILESIZES: u32 = 5008;
    pub const FILECAPS: u32 = 5010;
    pub const FILEDIGESTALGO: u32 = 5011;
}

/// rpm's own ceilings (header_internal.h: `HEADER_TAGS_MAX`, `HEADER_DATA_MAX`).
const MAX_ENTRIES: u32 = 0xffff;
const MAX_DATA: u32 = 0x0fff_ffff;
const ENTRY_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header blob of {0} bytes is shorter than its 8-byte preamble")]
    Short(usize),
    #[error("header declares {entries} entries and {data} data bytes, over rpm's limits")]
    TooLarge { entries: u32, data: u32 },
    #[error("header declares {need} bytes but the blob has {have}")]
    Truncated { need: usize, have: usize },
    #[error("tag {tag}: type {kind} is not the type expected")]
    WrongType { tag: u32, kind: u32 },
    #[error("tag {tag}: {count} values at offset {offset} run past the {len}-byte data store")]
    OutOfBounds { tag: u32, offset: u32, count: u32, len: usize },
    #[error("tag {tag}: a string is not NUL-terminated inside the data store")]
    Unterminated { tag: u32 },
    #[error("tag {tag}: a string is not UTF-8")]
    NotUtf8 { tag: u32 },
}

/// rpm's tag value types (rpmtag.h `rpmTagType`).
mod kind {
    pub const INT16: u32 = 3;
    pub const INT32: u32 = 4;
    pub const INT64: u32 = 5;
    pub const STRING: u32 = 6;
    pub const BIN: u32 = 7;
    pub const STRING_ARRAY: u32 = 8;
    pub const I18NSTRING: u32 = 9;
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

/// One parsed header: its index and a borrowed data store. Values are decoded on demand.
#[derive(Debug)]
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> Header<'a> {
    /// Parse the preamble and index of `blob`. Trailing bytes past the data store are ignored
    /// (rpm pads some blobs).
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        if blob.len() < 8 {
            return Err(HeaderError::Short(blob.len()));
        }
        let (count, data_len) = (be32(blob, 0), be32(blob, 4));
        if count > MAX_ENTRIES || data_len > MAX_DATA {
            return Err(HeaderError::TooLarge { entries: count, data: data_len });
        }
        // Both are bounded above, so this cannot overflow.
        let index_end = 8 + count as usize * ENTRY_LEN;
        let need = index_end + data_len as usize;
        if blob.len() < need {
            return Err(HeaderError::Truncated { need, have: blob.len() });
        }
        let entries = (0..count as usize)
            .map(|i| {
                let at = 8 + i * ENTRY_LEN;
                Entry {
                    tag: be32(blob, at),
                    kind: be32(blob, at + 4),
                    offset: be32(blob, at + 8),
                    count: be32(blob, at + 12),
                }
            })
            .collect();
        Ok(Header { entries, data: &blob[index_end..need] })
    }

    fn entry(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().copied().find(|e| e.tag == tag)
    }

    pub fn has(&self, tag: u32) -> bool {
        self.entry(tag).is_some()
    }

    /// The bytes of `count` fixed-size values of `entry`, bounds-checked.
    fn fixed(&self, e: Entry, size: usize) -> Result<&'a [u8], HeaderError> {
        let start = e.offset as usize;
        let out = || HeaderError::OutOfBounds {
            tag: e.tag,
            offset: e.offset,
            count: e.count,
            len: self.data.len(),
        };
        let len = (e.count as usize).checked_mul(size).ok_or_else(out)?;
        let end = start.checked_add(len).ok_or_else(out)?;
        self.data.get(start..end).ok_or_else(out)
    }

    /// `count` NUL-terminated strings starting at the entry's offset.
    fn strings(&self, e: Entry) -> Result<Vec<&'a str>, HeaderError> {
        let mut at = e.offset as usize;
        if at > self.data.len() {
            return Err(HeaderError::OutOfBounds {
                tag: e.tag,
                offset: e.offset,
                count: e.count,
                len: self.data.len(),
            });
        }
        // Each string takes at least its NUL byte: a count beyond the store cannot be honest.
        if e.count as usize > self.data.len() - at {
            return Err(HeaderError::OutOfBounds {
                tag: e.tag,
                offset: e.offset,
                count: e.count,
                len: self.data.len(),
            });
        }
        let mut out = Vec::with_capacity(e.count as usize);
        for _ in 0..e.count {
            let rest = &self.data[at..];
            let nul = memchr::memchr(0, rest).ok_or(HeaderError::Unterminated { tag: e.tag })?;
            out.push(std::str::from_utf8(&rest[..nul]).map_err(|_| HeaderError::NotUtf8 { tag: e.tag })?);
            at += nul + 1;
        }
        Ok(out)
    }

    /// A STRING (or the first value of an I18NSTRING / STRING_ARRAY) tag; `None` when absent.
    pub fn string(&self, tag: u32) -> Result<Option<&'a str>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        match e.kind {
            kind::STRING | kind::I18NSTRING | kind::STRING_ARRAY if e.count >= 1 => {
                Ok(self.strings(Entry { count: 1, ..e })?.into_iter().next())
            }
            _ => Err(HeaderError::WrongType { tag, kind: e.kind }),
        }
    }

    /// A STRING_ARRAY tag (empty when absent).
    pub fn string_array(&self, tag: u32) -> Result<Vec<&'a str>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(Vec::new()) };
        match e.kind {
            kind::STRING_ARRAY | kind::I18NSTRING => self.strings(e),
            kind::STRING if e.count == 1 => self.strings(e),
            _ => Err(HeaderError::WrongType { tag, kind: e.kind }),
        }
    }

    /// An integer array tag of any width, widened (empty when absent).
    pub fn integers(&self, tag: u32) -> Result<Vec<u64>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(Vec::new()) };
        Ok(match e.kind {
            kind::INT16 => self
                .fixed(e, 2)?
                .chunks_exact(2)
                .map(|c| u64::from(u16::from_be_bytes([c[0], c[1]])))
                .collect(),
            kind::INT32 => self.fixed(e, 4)?.chunks_exact(4).map(|c| u64::from(be32(c, 0))).collect(),
            kind::INT64 => self
                .fixed(e, 8)?
                .chunks_exact(8)
                .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
            _ => return Err(HeaderError::WrongType { tag, kind: e.kind }),
        })
    }

    /// The first value of an integer tag; `None` when absent or empty.
    pub fn integer(&self, tag: u32) -> Result<Option<u64>, HeaderError> {
        Ok(self.integers(tag)?.first().copied())
    }

    /// A BIN tag's bytes; `None` when absent.
    pub fn binary(&self, tag: u32) -> Result<Option<&'a [u8]>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        if e.kind != kind::BIN {
            return Err(HeaderError::WrongType { tag, kind: e.kind });
        }
        self.fixed(e, 1).map(Some)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    /// A value to put in a test header.
    pub enum Value<'v> {
        Str(&'v str),
        Strs(&'v [&'v str]),
        I32(&'v [u32]),
        I16(&'v [u16]),
        Bin(&'v [u8]),
    }

    /// Build a header blob the way rpm lays one out (4-byte aligned integers).
    pub fn blob(tags: &[(u32, Value<'_>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, value) in tags {
            let (kind, count, bytes, align): (u32, usize, Vec<u8>, usize) = match value {
                Value::Str(s) => (6, 1, [s.as_bytes(), &[0]].concat(), 1),
                Value::Strs(v) => {
                    (8, v.len(), v.iter().flat_map(|s| [s.as_bytes(), &[0]].concat()).collect(), 1)
                }
                Value::I32(v) => (4, v.len(), v.iter().flat_map(|n| n.to_be_bytes()).collect(), 4),
                Value::I16(v) => (3, v.len(), v.iter().flat_map(|n| n.to_be_bytes()).collect(), 2),
                Value::Bin(b) => (7, b.len(), b.to_vec(), 1),
            };
            while !data.len().is_multiple_of(align) {
                data.push(0);
            }
            index.extend(tag.to_be_bytes());
            index.extend(kind.to_be_bytes());
            index.extend((data.len() as u32).to_be_bytes());
            index.extend((count as u32).to_be_bytes());
            data.extend(bytes);
        }
        let mut out = (tags.len() as u32).to_be_bytes().to_vec();
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{Value, blob};
    use super::*;

    #[test]
    fn reads_strings_integers_and_arrays() {
        let b = blob(&[
            (tag::NAME, Value::Str("bash")),
            (tag::EPOCH, Value::I32(&[3])),
            (tag::BASENAMES, Value::Strs(&["a", "", "c"])),
            (tag::FILEMODES, Value::I16(&[0o100644, 0o40755])),
            (tag::RSAHEADER, Value::Bin(&[1, 2, 3])),
        ]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).unwrap(), Some("bash"));
        assert_eq!(h.string(tag::VERSION).unwrap(), None);
        assert_eq!(h.integer(tag::EPOCH).unwrap(), Some(3));
        assert_eq!(h.string_array(tag::BASENAMES).unwrap(), ["a", "", "c"]);
        assert_eq!(h.integers(tag::FILEMODES).unwrap(), [0o100644, 0o40755]);
        assert_eq!(h.binary(tag::RSAHEADER).unwrap(), Some(&[1u8, 2, 3][..]));
        assert!(matches!(h.string(tag::EPOCH), Err(HeaderError::WrongType { tag: 1003, kind: 4 })));
    }

    #[test]
    fn every_truncation_is_an_error_or_a_shorter_header_never_a_panic() {
        let b = blob(&[(tag::NAME, Value::Str("bash")), (tag::BASENAMES, Value::Strs(&["x", "y"]))]);
        for len in 0..b.len() {
            let cut = &b[..len];
            assert!(Header::parse(cut).is_err(), "{len} bytes parsed");
        }
    }

    #[test]
    fn hostile_counts_and_offsets_are_typed_errors() {
        assert_eq!(Header::parse(&[0, 0]).unwrap_err(), HeaderError::Short(2));
        let mut huge = vec![0xff; 8];
        huge.extend([0; 8]);
        assert!(matches!(Header::parse(&huge), Err(HeaderError::TooLarge { .. })));

        // One INT32 entry claiming 2^32-1 values at the end of a 4-byte store.
        let mut b = blob(&[(tag::EPOCH, Value::I32(&[1]))]);
        b[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
        let h = Header::parse(&b).unwrap();
        assert!(matches!(h.integers(tag::EPOCH), Err(HeaderError::OutOfBounds { .. })));

        // A string whose offset points past the store, and one without its NUL.
        let mut b = blob(&[(tag::NAME, Value::Str("bash"))]);
        b[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(Header::parse(&b).unwrap().string(tag::NAME), Err(HeaderError::OutOfBounds { .. })));
        let mut b = blob(&[(tag::NAME, Value::Str("bash"))]);
        let last = b.len() - 1;
        b[last] = b'x';
        assert_eq!(
            Header::parse(&b).unwrap().string(tag::NAME),
            Err(HeaderError::Unterminated { tag: 1000 })
        );

        // A string array counting more strings than the store has bytes.
        let mut b = blob(&[(tag::BASENAMES, Value::Strs(&["a"]))]);
        b[20..24].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert!(matches!(
            Header::parse(&b).unwrap().string_array(tag::BASENAMES),
            Err(HeaderError::OutOfBounds { .. })
        ));

        let b = blob(&[(tag::NAME, Value::Bin(&[0xff, 0xfe, 0]))]);
        let mut b = b;
        b[12..16].copy_from_slice(&6u32.to_be_bytes());
        assert_eq!(Header::parse(&b).unwrap().string(tag::NAME), Err(HeaderError::NotUtf8 { tag: 1000 }));
    }
}
