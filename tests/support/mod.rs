//! What the integration tests share: where the repository's test data and schemas are, and the system
//! tools the tests call. A missing tool or data file is a failure that names the apt package to install
//! (`scripts/setup.sh` installs them all); no test skips because something is absent.
//!
//! Each test crate includes this module and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the public reference data under `tests/data/` (see its PROVENANCE.md).
pub fn data(relative: &str) -> PathBuf {
    repo().join("tests/data").join(relative)
}

/// A file under `xsd/`, the official schemas outputs are validated against.
pub fn xsd(relative: &str) -> PathBuf {
    repo().join("xsd").join(relative)
}

/// SCAP Security Guide content, from Debian's `ssg-*` packages.
pub const SSG_CONTENT: &str = "/usr/share/xml/scap/ssg/content";

/// Whether the tests run in CI (`CI` set, as every CI system does).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn install_hint(package: &str) -> String {
    format!("install it with `sudo apt-get install {package}` (or run scripts/setup.sh)")
}

/// Fails the test unless `program --version` runs; `package` is the Debian package that has it.
pub fn require_tool(program: &str, package: &str) {
    let runs = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(runs, "this test needs `{program}`, which is not installed: {}", install_hint(package));
}

/// Fails the test unless `oscap` is installed.
pub fn require_oscap() {
    require_tool("oscap", "openscap-scanner");
}

/// An SSG content file (`ssg-debian11-ds.xml`, …), failing the test when its package is missing.
pub fn ssg(file: &str) -> PathBuf {
    let path = Path::new(SSG_CONTENT).join(file);
    let product = file.strip_prefix("ssg-").unwrap_or(file);
    let package = if product.starts_with("debian") {
        "ssg-debian"
    } else if product.starts_with("ubuntu") {
        "ssg-debderived"
    } else {
        "ssg-nondebian"
    };
    assert!(
        path.is_file(),
        "this test needs {}, which is missing: {}",
        path.display(),
        install_hint(package)
    );
    path
}

/// Whether this process runs as root. Tests that need root (chown, oscap's chroot) fail in CI when
/// it is not; outside CI they say loudly what they did not check.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `xmllint --noout --schema SCHEMA FILE` with network access off: every import must resolve inside
/// `xsd/` (relative locations, or `xsd/catalog.xml` for the published URLs). Fails the test with
/// xmllint's messages when the file is not valid.
pub fn xmllint_valid(file: &Path, schema: &Path) {
    require_tool("xmllint", "libxml2-utils");
    let run = Command::new("xmllint")
        .env("XML_CATALOG_FILES", xsd("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(schema)
        .arg(file)
        .output()
        .expect("xmllint runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success() && stderr.contains(" validates"),
        "{} is not valid against {}:\n{}",
        file.display(),
        schema.display(),
        stderr.lines().filter(|l| !l.contains("Skipping the import")).take(40).collect::<Vec<_>>().join("\n")
    );
}

/// The checksum table of a PROVENANCE.md: rows `| \`file\` | bytes | \`sha256\` |`.
pub fn provenance_table(provenance: &Path) -> Vec<(String, u64, String)> {
    let text =
        std::fs::read_to_string(provenance).unwrap_or_else(|e| panic!("{}: {e}", provenance.display()));
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> =
                line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').map(str::trim).collect();
            let [file, bytes, sha] = cells[..] else { return None };
            let file = file.strip_prefix('`')?.strip_suffix('`')?;
            let sha = sha.strip_prefix('`')?.strip_suffix('`')?;
            Some((file.to_string(), bytes.parse().ok()?, sha.to_string()))
        })
        .collect()
}

/// Checks `dir` against its PROVENANCE.md table: every listed file has the recorded size and SHA-256,
/// and every file of `dir` is listed, except the note itself, dotfiles and `own` (paths relative to
/// `dir` of files written for stigrun, which the note lists apart).
pub fn check_provenance(dir: &Path, own: &[&str]) {
    use sha2::Digest as _;
    let provenance = dir.join("PROVENANCE.md");
    let table = provenance_table(&provenance);
    assert!(!table.is_empty(), "{}: no checksum rows", provenance.display());
    let mut problems = Vec::new();
    for (file, size, sha) in &table {
        match std::fs::read(dir.join(file)) {
            Ok(bytes) => {
                let got = hex::encode(sha2::Sha256::digest(&bytes));
                if bytes.len() as u64 != *size || &got != sha {
                    problems.push(format!(
                        "{file}: {} bytes, sha256 {got}; PROVENANCE.md says {size}, {sha}",
                        bytes.len()
                    ));
                }
            }
            Err(e) => problems.push(format!("{file}: listed but unreadable: {e}")),
        }
    }
    let mut on_disk: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .filter(|f| f != "PROVENANCE.md" && !f.starts_with('.') && !own.contains(&f.as_str()))
        .collect();
    on_disk.sort();
    for file in on_disk {
        if !table.iter().any(|(listed, _, _)| *listed == file) {
            problems.push(format!("{file}: not in PROVENANCE.md (add its source and checksum)"));
        }
    }
    for file in own {
        if !dir.join(file).is_file() {
            problems.push(format!("{file}: stigrun's own file is missing"));
        }
    }
    assert!(problems.is_empty(), "{}:\n{}", provenance.display(), problems.join("\n"));
}
