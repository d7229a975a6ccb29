//! Fuzz the results importers: stigrun JSON results, the fleet summary reader, and OpenSCAP ARF
//! (rule results, OVAL results, the embedded data stream). Any input gives results or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::results::io::{load_summary_text, load_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = load_text(text, "fuzz.arf.xml");
    let _ = load_summary_text(text, "fuzz.json");
});
