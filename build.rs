//! Lists content/docker-ee/checks/*.xml (standard OVAL) and content/docker-ee/extension-checks/*.xml
//! (OVAL with stigrun's Docker extension) for `src/source/build/content.rs`, so a check file added to
//! either directory is embedded without editing a hand-kept list; and records the git commit the
//! binary is built from for `stigrun --version` (`STIGRUN_GIT_COMMIT`, "unknown" outside a git
//! checkout).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Output of `git ARGS` in the source tree, trimmed; `None` when git or the repository is missing.
fn git(manifest: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(manifest).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn record_commit(manifest: &str) {
    let commit = git(manifest, &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STIGRUN_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself (branch switch) and the ref it names, loose or packed (a new
    // commit). Only existing files: cargo reruns a build script on every build for a missing one.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(manifest, &["symbolic-ref", "-q", "HEAD"]));
    for name in &watched {
        if let Some(path) = git(manifest, &["rev-parse", "--path-format=absolute", "--git-path", name])
            && Path::new(&path).is_file()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

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
    record_commit(&manifest);
    list(&manifest, "content/docker-ee/checks", "docker_ee_checks.rs");
    list(&manifest, "content/docker-ee/extension-checks", "docker_ee_extension_checks.rs");
}
