//! Differential test: `stigrun eval` against `oscap xccdf eval` on the same machine, rule by rule.
//!
//! SSG's Debian 11 data stream is made applicable to this host with the sed in
//! `scripts/debian11-ds-for-debian12.sh` (its OS pattern widened to 11 or 12), then every profile
//! and a tailoring that selects all rules run through both tools. Any difference must be listed in
//! `tests/xccdf/allowlist.toml` with its reason and both tools' results, which the test asserts; a
//! listed difference that no longer occurs exactly so is reported as stale. A missing oscap or SSG
//! content is a failure.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// oscap and the SSG content both tests compare against; missing ones fail the test.
fn require_tools() {
    support::require_oscap();
    support::ssg("ssg-debian11-ds.xml");
}

/// The data stream made applicable to Debian 12 (see the script for the one change).
fn prepared_datastream(dir: &Path) -> PathBuf {
    let out = dir.join("ssg-debian11-ds-on-12.xml");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/debian11-ds-for-debian12.sh");
    let status = Command::new("bash").arg(script).arg(&out).status().expect("run the sed script");
    assert!(status.success());
    out
}

/// A tailoring file whose profile selects every rule and group of the benchmark (ids from the
/// loader, so attribute order in the XML does not matter).
fn all_rules_tailoring(ds: &Path, dir: &Path) -> PathBuf {
    let loaded = stigrun::loader::load_benchmark(ds, &stigrun::loader::Selection::default()).unwrap();
    let bench = &loaded.benchmark;
    assert!(bench.rules.len() > 300, "the data stream has its rules");
    let mut selects = String::new();
    let ids = bench.rules.iter().map(|r| &r.common.id).chain(bench.groups.iter().map(|g| &g.common.id));
    for id in ids {
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowlist {
    #[serde(default)]
    difference: Vec<Difference>,
}

/// One known difference: in `case`, rule `rule` is `stigrun` in stigrun and `oscap` in oscap
/// (`missing` where a tool has no result for the rule).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    case: String,
    rule: String,
    stigrun: String,
    oscap: String,
    reason: String,
}

/// What a comparison shows for a rule one tool has no result for.
const MISSING: &str = "missing";

/// The allowlist, checked: every entry names two different results and a reason.
fn allowlist() -> Vec<Difference> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xccdf/allowlist.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Allowlist = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for d in &list.difference {
        assert!(d.stigrun != d.oscap && !d.reason.trim().is_empty(), "allowlist entry allows nothing: {d:?}");
    }
    list.difference
}

/// Compares one case's results. A difference passes only when an entry names exactly these two
/// results, so an allowlisted rule whose stigrun result changes fails; used entries go to `used`.
fn compare(
    case: &str,
    oscap: &BTreeMap<String, String>,
    ours: &BTreeMap<String, String>,
    allow: &[Difference],
    used: &mut BTreeSet<(String, String)>,
    unexplained: &mut Vec<String>,
) -> (usize, usize) {
    let (mut same, mut allowed) = (0, 0);
    for id in oscap.keys().chain(ours.keys()).collect::<BTreeSet<_>>() {
        let theirs = oscap.get(id).map_or(MISSING, String::as_str);
        let got = ours.get(id).map_or(MISSING, String::as_str);
        if theirs == got {
            same += 1;
        } else if allow
            .iter()
            .any(|d| d.case == case && &d.rule == id && d.stigrun == got && d.oscap == theirs)
        {
            allowed += 1;
            used.insert((case.to_string(), id.clone()));
        } else {
            unexplained.push(format!("{case}: {id}: oscap {theirs}, stigrun {got}"));
        }
    }
    (same, allowed)
}

/// Entries for the cases this test ran that matched no difference.
fn stale(allow: &[Difference], cases: &[String], used: &BTreeSet<(String, String)>) -> Vec<String> {
    allow
        .iter()
        .filter(|d| cases.contains(&d.case) && !used.contains(&(d.case.clone(), d.rule.clone())))
        .map(|d| format!("{}: {} (stigrun {}, oscap {})", d.case, d.rule, d.stigrun, d.oscap))
        .collect()
}

struct Case {
    name: String,
    profile: String,
    tailoring: Option<PathBuf>,
}

#[test]
fn debian11_profiles_and_all_rules_agree_with_oscap() {
    require_tools();
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
    let mut used = BTreeSet::new();
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
        if case.tailoring.is_some() {
            // Only a rule that `conflicts` with another selected rule may stay unselected (XCCDF
            // deselects it; oscap and stigrun both do).
            let conflicts = std::fs::read_to_string(&ds).unwrap().matches("<xccdf-1.2:conflicts ").count();
            let unselected = o.values().filter(|r| *r == "notselected").count();
            assert!(unselected <= conflicts, "the all-rules tailoring leaves {unselected} rules unselected");
        }
        let (same, allowed) = compare(&case.name, &o, &s, &allow, &mut used, &mut unexplained);
        println!("{:<28} {:>6} {:>6} {:>8}", case.name, o.len(), same, allowed);
    }
    let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
    let stale = stale(&allow, &names, &used);
    assert!(stale.is_empty(), "allowlist entries that no longer differ so: {stale:?}");
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
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let allow = allowlist();
    let mut used = BTreeSet::new();
    let mut cases_run = Vec::new();
    let mut unexplained = Vec::new();
    println!("{:<60} {:>6} {:>6}", "data stream / profile", "rules", "same");
    for ds in ["ssg-ubuntu2204-ds.xml", "ssg-rhel8-ds.xml"] {
        let path = support::ssg(ds);
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
            let (same, _) = compare(&case, &o, &s, &allow, &mut used, &mut unexplained);
            println!("{case:<60} {:>6} {same:>6}", o.len());
            cases_run.push(case);
        }
    }
    let stale = stale(&allow, &cases_run, &used);
    assert!(stale.is_empty(), "allowlist entries that no longer differ so: {stale:?}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
