//! Lists content/docker-ee/checks/*.xml for `src/build/content.rs`, so a check file added to the
//! directory is embedded without editing a hand-kept list.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let checks = Path::new(&manifest).join("content/docker-ee/checks");
    println!("cargo:rerun-if-changed={}", checks.display());
    let mut names: Vec<String> = std::fs::read_dir(&checks)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".xml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("&[\n");
    for name in &names {
        let path = checks.join(name);
        let _ = writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string());
    }
    out.push_str("]\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("docker_ee_checks.rs"), out) {
        panic!("cannot write the docker-ee check list: {e}");
    }
}
