//! Print, as one JSON object per line, what the loader found in each given file: the benchmark
//! id and counts of rules, groups, values and profiles (used by `scripts/count-elements.py` and
//! for timing / memory measurements).

use std::process::ExitCode;

use stigrun::loader::{Selection, load_benchmark};

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        match load_benchmark(path.as_str(), &Selection::default()) {
            Ok(loaded) => {
                let b = &loaded.benchmark;
                let line = serde_json::json!({
                    "file": path,
                    "benchmark": b.id,
                    "rules": b.rules.len(),
                    "groups": b.groups.len(),
                    "values": b.values.len(),
                    "profiles": b.profiles.len(),
                    "components": loaded.collection.as_ref().map(|c| c.components.len()),
                });
                println!("{line}");
                // The process ends next: let the OS reclaim the model instead of freeing
                // hundreds of thousands of strings one by one (as a CLI `info` would).
                std::mem::forget(loaded);
            }
            Err(err) => {
                let line = serde_json::json!({ "file": path, "error": err.to_string() });
                println!("{line}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
