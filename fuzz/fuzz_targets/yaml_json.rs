//! Fuzz the readers of host configuration files: the yamlfilecontent probe's YAML reader and path
//! selection, and the strict daemon.json reader. Any bytes must give a value or an error, never a
//! panic, a stack overflow or runaway memory (billion laughs).
//!
//! Input: the first line is the YAML path, the rest the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::probes::fuzzing::{daemon_json, yaml_query};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = daemon_json(data) {
        // A value the strict reader accepts is a JSON value: serde_json must accept it too.
        if let Ok(text) = std::str::from_utf8(data) {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "daemon.json reader accepted what JSON refuses: {value:?}"
            );
        }
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, file) = text.split_once('\n').unwrap_or((".a", text));
    let _ = yaml_query(file, path);
});
