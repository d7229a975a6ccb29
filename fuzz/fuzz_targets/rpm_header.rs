//! Fuzz the RPM header decoder the rpm probes run on every blob of a root's rpmdb.sqlite: index
//! and data-store bounds, strings, integer arrays, the file list and the OpenPGP signature
//! packet. A blob decodes or is a typed error; nothing panics or allocates past the blob.
//!
//! Seeds: fuzz/seeds/rpm_header (the headers of tests/fixtures/rpmdb's packages).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::probes::RpmPackage;

fuzz_target!(|data: &[u8]| {
    if let Ok(package) = RpmPackage::from_header(data) {
        let _ = package.extended_name();
        assert!(package.files.len() <= data.len(), "more files than bytes");
    }
});
