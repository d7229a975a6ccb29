//! `stigrun diff` and `stigrun merge` on real scans of the docker-ee fixture nodes: what they report
//! must be exactly what the nodes' expected.csv files say differs, across STIG releases too.
//!
//! The nodes need root (setup.sh chowns): without it the test fails in CI and says so elsewhere.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee");

fn stigrun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stigrun"))
}

fn root_for(what: &str) -> bool {
    if support::is_root() {
        return true;
    }
    assert!(!support::in_ci(), "CI: {what} needs root (setup.sh chowns)");
    eprintln!("NOT CHECKED (needs root): {what}");
    false
}

/// Put fixture node `name` at `at` (replacing what is there) and run its setup.sh.
fn place_node(name: &str, at: &Path) {
    if at.exists() {
        std::fs::remove_dir_all(at).unwrap();
    }
    let run = Command::new("cp").arg("-a").arg(Path::new(FIXTURES).join(name)).arg(at).output().unwrap();
    assert!(run.status.success(), "cp {name}: {}", String::from_utf8_lossy(&run.stderr));
    let run = Command::new("sh").arg(at.join("setup.sh")).output().unwrap();
    assert!(run.status.success(), "setup {name}: {}", String::from_utf8_lossy(&run.stderr));
}

/// `stigrun eval` of the node at `root` as host `hostname`, JSON results to `json`.
fn scan(benchmark: &str, root: &Path, hostname: &str, json: &Path) {
    let run = stigrun()
        .args(["eval", "--benchmark", benchmark, "--hostname", hostname, "--root"])
        .arg(root)
        .arg("--json")
        .arg(json)
        .output()
        .unwrap();
    assert!(matches!(run.status.code(), Some(0 | 2)), "eval: {}", String::from_utf8_lossy(&run.stderr));
}

/// expected.csv of a node: STIG ID → result.
fn expected(node: &str) -> BTreeMap<String, String> {
    let mut reader = csv::Reader::from_path(Path::new(FIXTURES).join(node).join("expected.csv")).unwrap();
    reader.records().map(|r| r.unwrap()).map(|r| (r[1].to_string(), r[2].to_string())).collect()
}

fn run_ok(cmd: &mut Command, codes: &[i32]) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "{:?}: {:?}\n{}",
        cmd,
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// (STIG ID, old, new) of every rule in one section of `diff --format json`.
fn section(diff: &serde_json::Value, name: &str) -> Vec<(String, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("absent").to_string();
    let mut rows: Vec<_> = diff[name]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["stig_id"].as_str().unwrap().to_string(), text(&c["old"]), text(&c["new"])))
        .collect();
    rows.sort();
    rows
}

#[test]
fn diff_lists_exactly_the_rules_that_changed_across_releases() {
    if !root_for("diff of two fixture-node scans") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    // One node, scanned against V2R1, then changed and scanned against V2R2 (every rule id revised).
    place_node("compliant", &node);
    scan("docker-ee@V2R1", &node, "node-1", &old);
    place_node("fips-default-unread", &node);
    scan("docker-ee", &node, "node-1", &new);

    let (before, after) = (expected("compliant"), expected("fips-default-unread"));
    let mut want: BTreeMap<&str, Vec<(String, String, String)>> = BTreeMap::new();
    for (stig_id, now) in &after {
        let was = before[stig_id].clone();
        let name = match (was == "fail", now == "fail") {
            (false, true) => "new_findings",
            (true, false) => "closed",
            (true, true) => "still_open",
            (false, false) if was != *now => "changed",
            (false, false) => continue,
        };
        want.entry(name).or_default().push((stig_id.clone(), was, now.clone()));
    }
    // V2R2 added one rule (the supported-version check, an Engine API rule): absent before.
    want.entry("changed").or_default().push(("DKER-EE-999999".into(), "absent".into(), "notchecked".into()));
    assert!(!want["new_findings"].is_empty(), "the fixture pair must differ in a failed rule");

    let out = run_ok(stigrun().args(["diff", "--format", "json"]).arg(&old).arg(&new), &[2]);
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["new_findings", "closed", "still_open", "changed"] {
        let mut expected = want.get(name).cloned().unwrap_or_default();
        expected.sort();
        assert_eq!(section(&diff, name), expected, "{name}");
    }
    // Matched across releases: the V2R1 revision of each new finding is named.
    assert!(diff["new_findings"][0]["old_rule_id"].as_str().unwrap().starts_with("SV-"));

    // The other way round nothing is new: exit 0, the findings closed.
    let out = run_ok(stigrun().args(["diff", "--any-target"]).arg(&new).arg(&old), &[0]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("closed: {}", want["new_findings"].len())), "{text}");

    // HTML through the writer, escaped, with every new finding.
    let html = dir.path().join("diff.html");
    run_ok(stigrun().args(["diff", "--format", "html", "--out"]).arg(&html).arg(&old).arg(&new), &[2]);
    let html = std::fs::read_to_string(&html).unwrap();
    for (stig_id, _, _) in &want["new_findings"] {
        assert!(html.contains(stig_id.as_str()), "{stig_id} missing from the html");
    }

    // Scans of different nodes are refused unless asked for.
    let other = dir.path().join("other.json");
    scan("docker-ee", &node, "node-2", &other);
    let out = run_ok(stigrun().arg("diff").arg(&old).arg(&other), &[1]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("different targets"));
}

#[test]
fn merge_counts_each_rule_over_the_nodes_and_writes_per_node_reports() {
    if !root_for("merge of fixture-node scans") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    std::fs::create_dir(&results).unwrap();
    let nodes = ["compliant", "noncompliant", "fips-default-unread"];
    for name in nodes {
        let root = dir.path().join(name);
        place_node(name, &root);
        scan("docker-ee", &root, &format!("{name}.example.mil"), &results.join(format!("{name}.json")));
    }
    let (json, html, per_node) =
        (dir.path().join("fleet.json"), dir.path().join("fleet.html"), dir.path().join("nodes"));
    let out = run_ok(
        stigrun()
            .args(["merge", "--from-dir"])
            .arg(&results)
            .arg("--json")
            .arg(&json)
            .arg("--html")
            .arg(&html)
            .arg("--per-node-dir")
            .arg(&per_node)
            .args(["--per-node-format", "json,html,xccdf"]),
        &[0],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("nodes: 3  rules: 101"));
    let fleet: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(fleet["nodes_total"], 3);
    let csvs: Vec<(&str, BTreeMap<String, String>)> = nodes.iter().map(|n| (*n, expected(n))).collect();
    let rules = fleet["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 101);
    for rule in rules {
        let stig_id = rule["stig_id"].as_str().unwrap();
        let mut failing: Vec<String> = csvs
            .iter()
            .filter(|(_, csv)| csv[stig_id] == "fail")
            .map(|(n, _)| format!("{n}.example.mil"))
            .collect();
        failing.sort();
        let mut got: Vec<String> = rule["failing_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, failing, "{stig_id}");
        let total: u64 = rule["counts"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(total, 3, "{stig_id}");
    }
    // Per node: open CAT I/II/III as the node's own results count them.
    for node in fleet["nodes"].as_array().unwrap() {
        let host = node["hostname"].as_str().unwrap();
        let name = host.trim_end_matches(".example.mil");
        let own: serde_json::Value =
            serde_json::from_slice(&std::fs::read(results.join(format!("{name}.json"))).unwrap()).unwrap();
        let open = |severity: &str| {
            own["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["result"] == "fail" && r["severity"] == severity)
                .count()
        };
        assert_eq!(node["open_cat_i"].as_u64().unwrap() as usize, open("high"), "{host}");
        assert_eq!(node["open_cat_ii"].as_u64().unwrap() as usize, open("medium"), "{host}");
        assert_eq!(node["open_cat_iii"].as_u64().unwrap() as usize, open("low"), "{host}");
        for ext in ["json", "html", "xccdf.xml"] {
            assert!(per_node.join(format!("{host}.{ext}")).is_file(), "{host}.{ext}");
        }
        // The per-node JSON is the node's results again.
        let again: serde_json::Value =
            serde_json::from_slice(&std::fs::read(per_node.join(format!("{host}.json"))).unwrap()).unwrap();
        assert_eq!(again["rules"], own["rules"]);
    }
    // Per CCI: the nodes where a rule citing it fails are non-compliant.
    let mut non_compliant: BTreeMap<String, u64> = BTreeMap::new();
    for name in nodes {
        let own: serde_json::Value =
            serde_json::from_slice(&std::fs::read(results.join(format!("{name}.json"))).unwrap()).unwrap();
        let mut failing = std::collections::BTreeSet::new();
        for rule in own["rules"].as_array().unwrap() {
            for ident in
                rule["idents"].as_array().unwrap().iter().filter(|i| i["system"] == "http://cyber.mil/cci")
            {
                let cci = ident["value"].as_str().unwrap();
                non_compliant.entry(cci.to_string()).or_default();
                if rule["result"] == "fail" {
                    failing.insert(cci.to_string());
                }
            }
        }
        for cci in failing {
            *non_compliant.get_mut(&cci).unwrap() += 1;
        }
    }
    let ccis = fleet["ccis"].as_array().unwrap();
    assert_eq!(ccis.len(), non_compliant.len());
    for row in ccis {
        let cci = row["cci"].as_str().unwrap();
        assert_eq!(row["nodes_non_compliant"].as_u64(), Some(non_compliant[cci]), "{cci}");
    }
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("noncompliant.example.mil") && html.contains("DKER-EE-001070"));
    support::xmllint_valid(
        &per_node.join("compliant.example.mil.xccdf.xml"),
        &support::xsd("xccdf/1.2/xccdf_1.2.xsd"),
    );
}

#[test]
fn merge_refuses_an_empty_directory_and_names_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(stigrun().args(["merge", "--from-dir"]).arg(dir.path()), &[1]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no results files to merge"));
    let bad: PathBuf = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n \"format\": 1\n").unwrap();
    let out = run_ok(stigrun().arg("merge").arg(&bad), &[1]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{}:", bad.display())), "{stderr}");
}

#[test]
fn fail_on_none_exits_0_whatever_the_findings() {
    if !root_for("eval --fail-on none on a failing fixture node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    place_node("noncompliant", &node);
    let eval = |extra: &[&str]| {
        let mut cmd = stigrun();
        cmd.args(["eval", "--benchmark", "docker-ee", "--rule", "SV-235777r960762_rule", "--root"])
            .arg(&node);
        cmd.args(extra);
        cmd
    };
    // The rule fails on this node: exit 2 by default, 0 with `--fail-on none` (a pod must not restart).
    run_ok(&mut eval(&[]), &[2]);
    run_ok(&mut eval(&["--fail-on", "none"]), &[0]);
}

/// `diff` reads what a scan hands in, not only stigrun's JSON: the ARF and the XCCDF results of
/// one scan say the same as its JSON (nothing new, closed or changed), and an ARF of the same node
/// scanned against V2R1 lists V2R2's added rule.
#[test]
fn diff_reads_arf_and_xccdf_results_as_well_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let node = support::repo().join("tests/fixtures/docker-ee/noncompliant");
    let out = |name: &str| dir.path().join(name);
    run_ok(
        stigrun()
            .args(["eval", "--benchmark", "docker-ee", "--hostname", "node-1", "--root"])
            .arg(&node)
            .arg("--json")
            .arg(out("r.json"))
            .arg("--results-arf")
            .arg(out("r.arf.xml"))
            .arg("--results")
            .arg(out("r.xccdf.xml")),
        &[2],
    );
    for other in ["r.arf.xml", "r.xccdf.xml"] {
        // An ARF does not record the mounted root the JSON names, so the targets differ in name.
        let run = run_ok(
            stigrun().args(["diff", "--any-target", "--format", "json"]).arg(out("r.json")).arg(out(other)),
            &[0],
        );
        let diff: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        for name in ["new_findings", "closed", "changed"] {
            assert_eq!(section(&diff, name), Vec::new(), "{other}: {name}");
        }
        assert!(!section(&diff, "still_open").is_empty(), "{other}: the node's findings are still open");
    }
    run_ok(
        stigrun()
            .args(["eval", "--benchmark", "docker-ee@V2R1", "--hostname", "node-1", "--root"])
            .arg(&node)
            .arg("--results-arf")
            .arg(out("v2r1.arf.xml")),
        &[2],
    );
    let run = run_ok(
        stigrun().args(["diff", "--format", "json"]).arg(out("v2r1.arf.xml")).arg(out("r.arf.xml")),
        &[0, 2],
    );
    let diff: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(
        section(&diff, "changed")
            .iter()
            .any(|(stig_id, old, _)| stig_id == "DKER-EE-999999" && old == "absent"),
        "{diff}"
    );
}
