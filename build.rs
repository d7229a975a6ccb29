//! Lists content/docker-ee/checks/*.xml (standard OVAL) and content/docker-ee/extension-checks/*.xml
//! (OVAL with stigrun's Docker extension) for `src/build/content.rs`, so a check file added to either
//! directory is embedded without editing a hand-kept list.

use std::fmt::Write as _;
use std::path::Path;

fn list(manifest: &str, dir: &str, out_name: &str) {
    let checks = Path::new(manifest).join(dir);
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
    if let Err(e) = std::fs::write(Path::new(&out_dir).join(out_name), out) {
        panic!("cannot write the docker-ee check list {out_name}: {e}");
    }
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    list(&manifest, "content/docker-ee/checks", "docker_ee_checks.rs");
    list(&manifest, "content/docker-ee/extension-checks", "docker_ee_extension_checks.rs");
}
