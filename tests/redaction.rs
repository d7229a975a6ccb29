//! Secrets stay out of evidence (issue 13 point 4): a `splunk-token` read from daemon.json is
//! replaced by its SHA-256 in every output, and kept with `--no-redact`.

use std::path::Path;
use std::process::Command;

const CASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/redaction");
const TOKEN: &str = "0f1e2d3c-secret-token";
/// `printf %s 0f1e2d3c-secret-token | sha256sum`
const TOKEN_SHA256: &str = "434c2beb2424ef5c4688f7b4d058a265c0ae79f398b6eeec8eb1dc9253b5264a";

fn eval(dir: &Path, extra: &[&str]) -> String {
    let out = |name: &str| dir.join(name).display().to_string();
    let run = Command::new(env!("CARGO_BIN_EXE_stigrun"))
        .args(["eval", "--benchmark", &format!("{CASE}/bench.xccdf.xml"), "--root", &format!("{CASE}/root")])
        .args(["--json", &out("r.json"), "--report", &out("r.html"), "--results", &out("r.xml")])
        .args(["--results-arf", &out("r.arf")])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    String::from_utf8(run.stdout).unwrap()
}

#[test]
fn credential_values_are_redacted_in_every_output_with_their_digest_kept() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = eval(dir.path(), &[]);
    let outputs = [
        ("stdout", stdout),
        ("json", std::fs::read_to_string(dir.path().join("r.json")).unwrap()),
        ("html", std::fs::read_to_string(dir.path().join("r.html")).unwrap()),
        ("xccdf", std::fs::read_to_string(dir.path().join("r.xml")).unwrap()),
        ("arf", std::fs::read_to_string(dir.path().join("r.arf")).unwrap()),
    ];
    for (name, text) in &outputs {
        assert!(!text.contains(TOKEN), "{name} shows the token");
    }
    // The digest proves what was read: in the evidence (JSON, ARF items) and the finding details.
    for (name, text) in &outputs {
        if *name != "arf" && *name != "xccdf" {
            assert!(text.contains(&format!("[redacted sha256:{TOKEN_SHA256}]")), "{name} lacks the digest");
        }
    }
    assert!(outputs[4].1.contains(TOKEN_SHA256), "the ARF's item keeps the digest");

    let stdout = eval(dir.path(), &["--no-redact"]);
    assert!(stdout.contains(TOKEN), "--no-redact shows the value");
    assert!(std::fs::read_to_string(dir.path().join("r.json")).unwrap().contains(TOKEN));
}
