//! Time the phases of loading a data stream (read + scan, benchmark parse).

use std::time::Instant;

use stigrun::loader::datastream::benchmark_from_collection;
use stigrun::loader::{Selection, Source, load_source};

fn main() {
    for path in std::env::args().skip(1) {
        let t0 = Instant::now();
        let source = load_source(path.as_str());
        let t1 = Instant::now();
        let detail = match source {
            Ok(Source::DataStream(c)) => {
                let loaded = benchmark_from_collection(c, &Selection::default());
                format!("parse {:?} ok={}", t1.elapsed(), loaded.is_ok())
            }
            Ok(Source::Benchmark(_)) => "standalone".to_string(),
            Err(e) => e.to_string(),
        };
        println!("{path}: scan {:?}, {detail}", t1 - t0);
    }
}
