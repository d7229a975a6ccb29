//! Fuzz the reader of rpm's Berkeley DB `Packages` hash database (RHEL 7/8 roots): the metadata
//! page, bucket pages and their item index, overflow chains, page links. A file gives header
//! blobs or a typed error; nothing panics, loops or reads a page twice, so the blobs handed out
//! never add up to more bytes than the file has.
//!
//! Seeds: the Berkeley DB fixtures (scripts/fuzz.sh copies them; tests/fixtures/rpmdb/make-bdb.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::probes::{RpmPackage, rpmdb_bdb};

fuzz_target!(|data: &[u8]| {
    let mut handed_out = 0usize;
    let _ = rpmdb_bdb::read_headers(data, |_, blob| {
        handed_out += blob.len();
        assert!(handed_out <= data.len(), "more blob bytes than file bytes");
        let _ = RpmPackage::from_header(blob);
        true
    });
});
