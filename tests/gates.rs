//! Gates and scripts (issue 13 point 6): `--fail-on` severities, `--progress` keeping stdout to
//! `RULE<TAB>RESULT` lines, a closed pipe ending quietly, outputs written with the user's umask.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

const NODE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee/noncompliant");
const STIGRUN: &str = env!("CARGO_BIN_EXE_stigrun");

#[test]
fn fail_on_severities_gate_on_findings_of_those_severities_only() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let run = |fail_on: &str| {
        Command::new(STIGRUN)
            .args(["eval", "-b", "docker-ee", "--root", NODE, "--fail-on", fail_on, "--json"])
            .arg(&json)
            .output()
            .unwrap()
    };
    for (fail_on, severity) in [("cat1", "high"), ("CAT II", "medium"), ("cat3", "low"), ("high", "high")] {
        let out = run(fail_on);
        let results: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let finding = results["rules"].as_array().unwrap().iter().any(|r| {
            r["severity"] == severity && ["fail", "error", "unknown"].contains(&r["result"].as_str().unwrap())
        });
        let want = if finding { 2 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "--fail-on {fail_on}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run("catastrophic");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("choose from") && stderr.contains("cat1") && stderr.contains("fail"), "{stderr}");
}

#[test]
fn progress_keeps_stdout_to_rule_tab_result_lines() {
    let out = Command::new(STIGRUN)
        .args(["eval", "-b", "docker-ee", "--root", NODE, "--progress"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() > 50, "{stdout}");
    for line in &lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 2, "not RULE<TAB>RESULT: {line:?}");
        assert!(fields[0].contains("_rule_") && !fields[1].is_empty(), "{line:?}");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("Results:"), "the summary goes to stderr");
}

#[test]
fn a_closed_pipe_ends_quietly_and_the_scan_still_writes_its_outputs() {
    // A reader that takes one line and goes away.
    let mut child = Command::new(STIGRUN)
        .args(["rules", "-b", "docker-ee", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("V-ID"), "{first}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing said about the pipe");

    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut child = Command::new(STIGRUN)
        .args(["eval", "-b", "docker-ee", "--root", NODE, "--json"])
        .arg(&json)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(2), "the scan's own exit code");
    assert!(json.is_file(), "the results are written");
}

#[test]
fn outputs_are_written_with_the_users_umask() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 027; exec '{STIGRUN}' eval -b docker-ee --root '{NODE}' --json '{}' >/dev/null",
            json.display()
        ))
        .status()
        .unwrap();
    assert!(status.code().is_some_and(|c| c <= 2));
    assert_eq!(std::fs::metadata(&json).unwrap().permissions().mode() & 0o777, 0o640);
}
