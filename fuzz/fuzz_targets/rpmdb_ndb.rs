//! Fuzz the reader of rpm's NDB `Packages.db` (SUSE roots): the header, slot pages, blob heads
//! and tails. A file gives header blobs or a typed error; nothing panics, and since blobs may not
//! share blocks, the blobs handed out never add up to more bytes than the file has.
//!
//! Seeds: the NDB fixture (scripts/fuzz.sh copies it; tests/fixtures/rpmdb/make-ndb.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::probes::{RpmPackage, rpmdb_ndb};

fuzz_target!(|data: &[u8]| {
    let mut handed_out = 0usize;
    let _ = rpmdb_ndb::read_headers(data, |_, blob| {
        handed_out += blob.len();
        assert!(handed_out <= data.len(), "more blob bytes than file bytes");
        let _ = RpmPackage::from_header(blob);
        true
    });
});
