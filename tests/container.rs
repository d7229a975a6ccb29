//! The container image (Containerfile, scripts/container.sh): it builds with podman, and
//! `stigrun eval --root /host` inside it, on a read-only root file system with a fixture node
//! mounted read-only at /host, gives the node's expected results.
//!
//! Needs podman, the musl Rust target and musl-tools (.ci/run installs them) and root (the node's
//! setup.sh chowns; rootful podman).

mod support;

use std::process::Command;

const TAG: &str = "localhost/stigrun:test";

/// podman's default rlimits may exceed what this process may set; pass the ones it has, capped
/// (in some sandboxes runc may not raise them even to this process's own).
fn ulimits() -> Vec<String> {
    const CAP: libc::rlim_t = 16384;
    let limit = |resource, name: &str| {
        let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes into the struct we own.
        assert_eq!(unsafe { libc::getrlimit(resource, &mut r) }, 0);
        let text = |v: libc::rlim_t| v.min(CAP).to_string();
        format!("--ulimit={name}={}:{}", text(r.rlim_cur), text(r.rlim_max))
    };
    vec![limit(libc::RLIMIT_NOFILE, "nofile"), limit(libc::RLIMIT_NPROC, "nproc")]
}

#[test]
fn the_image_scans_a_read_only_fixture_root() {
    support::require_tool("podman", "podman");
    if !support::is_root() {
        assert!(!support::in_ci(), "CI: the container test needs root (setup.sh, rootful podman)");
        eprintln!("NOT CHECKED (needs root): the container image");
        return;
    }
    let build = Command::new(support::repo().join("scripts/container.sh"))
        .arg(TAG)
        .env("PROFILE", "dev")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&build.stderr);
    // Inside an unprivileged container (the clean-container check) podman may not make namespaces:
    // the machine cannot run containers at all, which is not the image's fault.
    if !build.status.success()
        && stderr.contains("cannot clone: Operation not permitted")
        && !support::in_ci()
    {
        eprintln!("NOT CHECKED (podman cannot create namespaces here): the container image");
        return;
    }
    assert!(build.status.success(), "scripts/container.sh: {stderr}");

    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    let copy = Command::new("cp")
        .arg("-a")
        .arg(support::repo().join("tests/fixtures/docker-ee/compliant"))
        .arg(&node)
        .output()
        .unwrap();
    assert!(copy.status.success());
    assert!(Command::new("sh").arg(node.join("setup.sh")).status().unwrap().success());
    let results = dir.path().join("results");
    std::fs::create_dir(&results).unwrap();

    let podman = |args: &[&str]| {
        let mut cmd = Command::new("podman");
        cmd.args(["run", "--rm", "--read-only", "--network=none"]).args(ulimits());
        cmd.arg(format!("--volume={}:/host:ro", node.display()));
        cmd.arg(format!("--volume={}:/results", results.display()));
        cmd.args(args).output().unwrap()
    };
    // The image's own user is not root.
    let whoami = podman(&["--entrypoint=", TAG, "/usr/bin/stigrun", "--version"]);
    assert!(whoami.status.success(), "{}", String::from_utf8_lossy(&whoami.stderr));
    let inspect = Command::new("podman")
        .args(["image", "inspect", "--format", "{{.Config.User}}", TAG])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&inspect.stdout).trim(), "65534:65534");

    // A node scan as the DaemonSet runs it: uid 0, every capability dropped but DAC_READ_SEARCH.
    let scan = podman(&[
        "--user=0:0",
        "--cap-drop=all",
        "--cap-add=DAC_READ_SEARCH",
        TAG,
        "eval",
        "--benchmark",
        "docker-ee",
        "--root",
        "/host",
        "--hostname",
        "node-in-container",
        "--json",
        "/results/node.json",
    ]);
    assert!(matches!(scan.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&scan.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(results.join("node.json")).unwrap()).unwrap();
    assert_eq!(json["target"]["hostname"], "node-in-container");
    assert_eq!(json["target"]["root"], "/host");
    let mut reader = csv::Reader::from_path(node.join("expected.csv")).unwrap();
    let expected: std::collections::BTreeMap<String, String> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[2].to_string())).collect();
    for rule in json["rules"].as_array().unwrap() {
        let id = rule["rule_id"].as_str().unwrap();
        let short = id.strip_prefix("xccdf_mil.disa.stig_rule_").unwrap_or(id);
        assert_eq!(rule["result"].as_str().unwrap(), expected[short], "{short} inside the container");
    }
}
