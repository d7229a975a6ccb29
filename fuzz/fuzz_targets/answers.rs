//! Fuzz the assessor answers reader (TOML) against a small real benchmark (the RFID Workstation
//! STIG): any input gives answers or a located error, never a panic; accepted dates are dates.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stigrun::loader::datastream::Input;
use stigrun::loader::{Selection, load_benchmark};
use stigrun::model::xccdf::Benchmark;
use stigrun::scan::answers::parse_answers;

const XCCDF: &[u8] = include_bytes!("../../tests/data/stig/other/U_RFID_Workstation_V6R9_manual-xccdf.xml");

fn benchmark() -> &'static Benchmark {
    static B: OnceLock<Benchmark> = OnceLock::new();
    B.get_or_init(|| {
        let input = Input::Bytes { name: "rfid.xml", bytes: XCCDF };
        match load_benchmark(input, &Selection::default()) {
            Ok(loaded) => loaded.benchmark,
            Err(e) => panic!("the seed benchmark does not load: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(answers) = parse_answers(text, "fuzz.toml", benchmark()) {
        for a in answers {
            assert!(a.when.len() >= 10 && a.when.is_char_boundary(10), "accepted date `{}`", a.when);
        }
    }
});
