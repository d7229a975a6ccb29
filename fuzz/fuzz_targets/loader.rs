//! Fuzz the XCCDF / data-stream loader: any bytes must give a benchmark or a `LoadError`, never
//! a panic. Loaded benchmarks are also run through the STIG view and the rule lookup.
//!
//! Run: `cargo +nightly fuzz run loader fuzz/corpus/loader` (seed the corpus with small real
//! files, e.g. the RFID Workstation STIG and a cut-down data stream).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::loader::datastream::Input;
use stigrun::loader::{Selection, load_benchmark};

fuzz_target!(|data: &[u8]| {
    let input = Input::Bytes { name: "fuzz.xml", bytes: data };
    if let Ok(loaded) = load_benchmark(input, &Selection::default()) {
        let b = &loaded.benchmark;
        for rule in &b.rules {
            let view = b.stig_rule(rule);
            let _ = b.find_rule(view.rule_base);
        }
        let _ = b.find_rule("V-1");
        for rule in &b.rules {
            for check in &rule.checks {
                for r in &check.content_refs {
                    if let Some(xml) = loaded.check_component(&r.href) {
                        let _ = xml.cursor().root();
                    }
                }
            }
        }
    }
});
