//! Differential test: `stigrun eval` against `oscap xccdf eval` on the same machine, rule by rule.
//!
//! SSG's Debian 11 data stream is made applicable to this host with the sed in
//! `scripts/debian11-ds-for-debian12.sh` (its OS pattern widened to 11 or 12), then every profile
//! and a tailoring that selects all rules run through both tools. Any difference must be listed in
//! `tests/xccdf/allowlist.toml` with its reason; a listed difference that no longer occurs is
//! reported as stale. With `CI=true` a missing oscap or SSG content is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SSG_DEBIAN11: &str = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn tools_present() -> bool {
    let oscap = Command::new("oscap").arg("--version").output().is_ok_and(|o| o.status.success());
    let ok = oscap && Path::new(SSG_DEBIAN11).exists();
    if !ok {
        assert!(!in_ci(), "CI needs oscap and ssg-debian (see .ci/run)");
        eprintln!("skipped: oscap or {SSG_DEBIAN11} missing");
    }
    ok
}

/// The data stream made applicable to Debian 12 (see the script for the one change).
fn prepared_datastream(dir: &Path) -> PathBuf {
    let out = dir.join("ssg-debian11-ds-on-12.xml");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/debian11-ds-for-debian12.sh");
    let status = Command::new("bash").arg(script).arg(&out).status().expect("run the sed script");
    assert!(status.success());
    out
}

/// A tailoring file whose profile selects every rule of the benchmark.
fn all_rules_tailoring(ds: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(ds).unwrap();
    let mut selects = String::new();
    for (i, _) in text.match_indices("<xccdf-1.2:Rule id=\"") {
        let rest = &text[i + 20..];
        let id = &rest[..rest.find('"').unwrap()];
        selects.push_str(&format!("    <xccdf:select idref=\"{id}\" selected=\"true\"/>\n"));
    }
    for (i, _) in text.match_indices("<xccdf-1.2:Group id=\"") {
        let rest = &text[i + 21..];
        let id = &rest[..rest.find('"').unwrap()];
        selects.push_str(&format!("    <xccdf:select idref=\"{id}\" selected=\"true\"/>\n"));
    }
    let tailoring = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xccdf:Tailoring xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2" id="xccdf_io.stigrun_tailoring_all">
  <xccdf:benchmark href="{}"/>
  <xccdf:version time="2026-11-27T00:00:00">1</xccdf:version>
  <xccdf:Profile id="xccdf_io.stigrun_profile_all_rules">
    <xccdf:title>Every rule of the benchmark</xccdf:title>
{selects}  </xccdf:Profile>
</xccdf:Tailoring>
"#,
        ds.display()
    );
    let path = dir.join("all-rules-tailoring.xml");
    std::fs::write(&path, tailoring).unwrap();
    path
}

/// rule id → result from an oscap XCCDF results file.
fn oscap_results(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let mut out = BTreeMap::new();
    for rr in doc.descendants().filter(|n| n.has_tag_name("rule-result")) {
        let result =
            rr.children().find(|c| c.has_tag_name("result")).and_then(|r| r.text()).unwrap_or_default();
        out.insert(rr.attribute("idref").unwrap().to_string(), result.to_string());
    }
    out
}

fn stigrun_results(path: &Path) -> BTreeMap<String, String> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule_id"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect()
}

/// (case, rule id) → reason.
fn allowlist() -> BTreeMap<(String, String), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xccdf/allowlist.toml");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut current: BTreeMap<&str, String> = BTreeMap::new();
    let mut flush = |entry: &mut BTreeMap<&str, String>| {
        if let (Some(case), Some(rule), Some(reason)) =
            (entry.get("case"), entry.get("rule"), entry.get("reason"))
        {
            out.insert((case.clone(), rule.clone()), reason.clone());
        }
        entry.clear();
    };
    for line in text.lines().map(str::trim) {
        if line == "[[difference]]" {
            flush(&mut current);
        } else if let Some((k, v)) = line.split_once('=') {
            let key = match k.trim() {
                "case" => "case",
                "rule" => "rule",
                "reason" => "reason",
                _ => continue,
            };
            current.insert(key, v.trim().trim_matches('"').to_string());
        }
    }
    flush(&mut current);
    out
}

struct Case {
    name: String,
    profile: String,
    tailoring: Option<PathBuf>,
}

#[test]
fn debian11_profiles_and_all_rules_agree_with_oscap() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ds = prepared_datastream(dir.path());
    let tailoring = all_rules_tailoring(&ds, dir.path());
    let mut cases: Vec<Case> = [
        "anssi_np_nt28_average",
        "anssi_np_nt28_high",
        "anssi_np_nt28_minimal",
        "anssi_np_nt28_restrictive",
        "standard",
    ]
    .iter()
    .map(|p| Case {
        name: p.to_string(),
        profile: format!("xccdf_org.ssgproject.content_profile_{p}"),
        tailoring: None,
    })
    .collect();
    cases.push(Case {
        name: "all_rules".into(),
        profile: "xccdf_io.stigrun_profile_all_rules".into(),
        tailoring: Some(tailoring),
    });

    let allow = allowlist();
    let mut used = std::collections::BTreeSet::new();
    let mut unexplained = Vec::new();
    println!("{:<28} {:>6} {:>6} {:>8}", "case", "rules", "same", "allowed");
    for case in &cases {
        let oscap_out = dir.path().join(format!("{}-oscap.xml", case.name));
        let mut oscap = Command::new("oscap");
        oscap.args(["xccdf", "eval", "--profile", &case.profile, "--results"]).arg(&oscap_out);
        if let Some(t) = &case.tailoring {
            oscap.arg("--tailoring-file").arg(t);
        }
        let status = oscap.arg(&ds).output().expect("run oscap");
        assert!(status.status.code().is_some_and(|c| c == 0 || c == 2), "oscap failed: {status:?}");

        let json = dir.path().join(format!("{}-stigrun.json", case.name));
        let mut stigrun = Command::new(env!("CARGO_BIN_EXE_stigrun"));
        stigrun.args(["eval", "--profile", &case.profile, "--json"]).arg(&json).arg("--benchmark").arg(&ds);
        if let Some(t) = &case.tailoring {
            stigrun.arg("--tailoring-file").arg(t);
        }
        let out = stigrun.output().expect("run stigrun");
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 2),
            "stigrun failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        let (o, s) = (oscap_results(&oscap_out), stigrun_results(&json));
        let mut same = 0;
        let mut allowed = 0;
        for id in o.keys().chain(s.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (a, b) = (o.get(id), s.get(id));
            if a == b {
                same += 1;
                continue;
            }
            let key = (case.name.clone(), id.clone());
            if allow.contains_key(&key) {
                allowed += 1;
                used.insert(key);
            } else {
                unexplained.push(format!("{}: {id}: oscap {a:?}, stigrun {b:?}", case.name));
            }
        }
        println!("{:<28} {:>6} {:>6} {:>8}", case.name, o.len(), same, allowed);
    }
    let stale: Vec<_> = allow.keys().filter(|k| !used.contains(*k)).collect();
    assert!(stale.is_empty(), "allowlist entries that no longer differ: {stale:?}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

/// Every profile of the Ubuntu 22.04 and RHEL 8 data streams (not applicable on a Debian host:
/// that verdict must agree too, rule by rule).
#[test]
fn ubuntu2204_and_rhel8_profiles_agree_with_oscap() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let allow = allowlist();
    let mut unexplained = Vec::new();
    println!("{:<60} {:>6} {:>6}", "data stream / profile", "rules", "same");
    for ds in ["ssg-ubuntu2204-ds.xml", "ssg-rhel8-ds.xml"] {
        let path = Path::new("/usr/share/xml/scap/ssg/content").join(ds);
        let info = Command::new(env!("CARGO_BIN_EXE_stigrun"))
            .args(["info", "--format", "json", "--benchmark"])
            .arg(&path)
            .output()
            .unwrap();
        let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        let profiles: Vec<String> = info["benchmarks"][0]["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        assert!(!profiles.is_empty());
        for profile in profiles {
            let oscap_out = dir.path().join("oscap.xml");
            let o = Command::new("oscap")
                .args(["xccdf", "eval", "--profile", &profile, "--results"])
                .arg(&oscap_out)
                .arg(&path)
                .output()
                .unwrap();
            assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "oscap: {o:?}");
            let json = dir.path().join("stigrun.json");
            let s = Command::new(env!("CARGO_BIN_EXE_stigrun"))
                .args(["eval", "--profile", &profile, "--json"])
                .arg(&json)
                .arg("--benchmark")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                s.status.code().is_some_and(|c| c == 0 || c == 2),
                "{}",
                String::from_utf8_lossy(&s.stderr)
            );
            let (o, s) = (oscap_results(&oscap_out), stigrun_results(&json));
            let short = profile.rsplit("_profile_").next().unwrap_or(&profile);
            let case = format!("{}:{short}", ds.trim_end_matches("-ds.xml"));
            let mut same = 0;
            for id in o.keys().chain(s.keys()).collect::<std::collections::BTreeSet<_>>() {
                if o.get(id) == s.get(id) {
                    same += 1;
                } else if !allow.contains_key(&(case.clone(), id.clone())) {
                    unexplained.push(format!("{case}: {id}: oscap {:?}, stigrun {:?}", o.get(id), s.get(id)));
                }
            }
            println!("{case:<60} {:>6} {same:>6}", o.len());
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
