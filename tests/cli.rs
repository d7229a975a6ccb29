//! CLI tests: the commands as a user runs them (one integration-test binary for all CLI cases).

mod support;

use assert_cmd::Command;
use predicates::prelude::*;

fn stigrun() -> Command {
    let mut cmd = Command::cargo_bin("stigrun").expect("binary builds");
    // Run from a directory that is not the repository: built-in content must be embedded.
    cmd.current_dir(std::env::temp_dir());
    cmd
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn json_rules(benchmark: &str) -> Vec<serde_json::Value> {
    let out = stigrun().args(["rules", "--benchmark", benchmark, "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rules --format json is JSON");
    v.as_array().expect("a JSON array of rules").clone()
}

#[test]
fn show_docker_ee_rule_has_stig_id_cci_and_nist() {
    stigrun()
        .args(["show", "--benchmark", "docker-ee", "SV-235833"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DKER-EE-003320"))
        .stdout(predicate::str::contains("CCI-001851"))
        .stdout(predicate::str::contains("AU-4 (1)"))
        .stdout(predicate::str::contains("SV-235833r961395_rule"))
        .stdout(predicate::str::contains("CAT II"))
        .stdout(predicate::str::contains("SRG-APP-000358"));
}

#[test]
fn show_accepts_every_id_form() {
    for query in ["V-235833", "SV-235833", "SV-235833r961395_rule", "DKER-EE-003320", "dker-ee-003320"] {
        stigrun()
            .args(["show", "--benchmark", "docker-ee", query])
            .assert()
            .success()
            .stdout(predicate::str::contains("SV-235833r961395_rule"));
    }
}

#[test]
fn show_json_carries_rev4_and_rev5() {
    let out = stigrun()
        .args(["show", "--benchmark", "docker-ee", "DKER-EE-003320", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stig_id"], "DKER-EE-003320");
    assert_eq!(v["ccis"][0]["cci"], "CCI-001851");
    assert_eq!(v["ccis"][0]["nist_800_53_rev4"][0], "AU-4 (1)");
    assert_eq!(v["ccis"][0]["nist_800_53_rev5"][0], "AU-4 (1)");
}

#[test]
fn rules_counts_per_release() {
    assert_eq!(json_rules("docker-ee").len(), 101);
    assert_eq!(json_rules("docker-ee@V2R2").len(), 101);
    assert_eq!(json_rules("docker-ee@V2R1").len(), 100);
    assert_eq!(json_rules("docker-ee@v1r1").len(), 100);
}

#[test]
fn docker_ee_rules_show_the_check_decision() {
    let rules = json_rules("docker-ee");
    let count = |kind: &str| rules.iter().filter(|r| r["check"].as_str().unwrap().starts_with(kind)).count();
    assert_eq!((count("node"), count("api"), count("manual")), (32, 56, 13));
    let log = rules.iter().find(|r| r["stig_id"] == "DKER-EE-003320").unwrap();
    assert_eq!(log["check"], "node (OVAL)");
    assert!(!log["check_reason"].as_str().unwrap().is_empty());
}

#[test]
fn rules_filters() {
    let out = stigrun()
        .args(["rules", "--benchmark", "docker-ee", "--nist", "AU-4", "--format", "json"])
        .output()
        .unwrap();
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rules.iter().any(|r| r["stig_id"] == "DKER-EE-003320"));
    assert!(rules.iter().all(|r| {
        r["nist_800_53_rev4"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["nist_800_53_rev5"].as_array().unwrap())
            .any(|c| c.as_str().unwrap().starts_with("AU-4"))
    }));

    let high = stigrun()
        .args(["rules", "--benchmark", "docker-ee", "--severity", "CAT I", "--format", "json"])
        .output()
        .unwrap();
    let high: Vec<serde_json::Value> = serde_json::from_slice(&high.stdout).unwrap();
    assert_eq!(high.len(), 24, "V2R2 has 24 high-severity rules");

    stigrun()
        .args(["rules", "--benchmark", "docker-ee", "--cci", "CCI-001851", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DKER-EE-003320"));
}

#[test]
fn benchmarks_lists_builtins() {
    stigrun()
        .args(["benchmarks"])
        .assert()
        .success()
        .stdout(predicate::str::contains("docker-ee@V2R2"))
        .stdout(predicate::str::contains("docker-ee@V1R1"))
        .stdout(predicate::str::contains("101"));
}

#[test]
fn info_on_a_disa_benchmark() {
    stigrun()
        .args(["info", "--benchmark", "docker-ee"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Docker_Enterprise_2-x_Linux-UNIX_STIG"))
        .stdout(predicate::str::contains("Release: 2 Benchmark Date: 24 Jul 2024"))
        .stdout(predicate::str::contains("MAC-1_Classified"));
}

/// Each bad input: exit code 1, one line naming the file and a line number.
fn assert_located_error(args: &[&str], file_hint: &str, message: &str) {
    let out = stigrun().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains(file_hint), "error names the file: {first}");
    assert!(first.contains(message), "error says `{message}`: {first}");
    let located = predicate::str::is_match(r"\.xml:\d+:\d+").expect("valid regex").eval(first);
    assert!(located, "error carries :line:column: {first}");
}

#[test]
fn truncated_xml_is_a_located_error() {
    let f = fixture("bad/truncated-xccdf.xml");
    assert_located_error(&["info", "--benchmark", &f], "truncated-xccdf.xml", "");
}

#[test]
fn wrong_namespace_is_a_located_error() {
    let f = fixture("bad/wrong-namespace-xccdf.xml");
    assert_located_error(&["info", "--benchmark", &f], "wrong-namespace-xccdf.xml", "namespace");
}

#[test]
fn dangling_idref_is_a_located_error() {
    let f = fixture("bad/dangling-idref-xccdf.xml");
    assert_located_error(&["rules", "--benchmark", &f], "dangling-idref-xccdf.xml", "V-999999");
}

#[test]
fn unknown_rule_is_a_clear_error() {
    stigrun()
        .args(["show", "--benchmark", "docker-ee", "SV-999999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("SV-999999"));
}

#[test]
fn unknown_benchmark_lists_builtins() {
    stigrun()
        .args(["info", "--benchmark", "no-such-benchmark"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("docker-ee"));
}

#[test]
fn oval_eval_prints_definitions_and_writes_valid_results() {
    let case = fixture("../oval/cases/stig-daemon-json-log-driver");
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.xml");
    let out = stigrun()
        .args([
            "oval",
            "eval",
            &format!("{case}/definitions.xml"),
            "--root",
            &format!("{case}/root"),
            "--results",
        ])
        .arg(&results)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = std::fs::read_to_string(format!("{case}/expected.txt")).unwrap();
    let lines = |t: &str| {
        let mut v: Vec<String> =
            t.lines().filter(|l| l.starts_with("Definition ")).map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(lines(&stdout), lines(&expected), "same definitions and results as oscap's recording");
    support::require_oscap();
    let v = std::process::Command::new("oscap")
        .args(["oval", "validate", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    assert!(v.status.success(), "oscap oval validate --results: {}", String::from_utf8_lossy(&v.stderr));
}

/// The rpminfo case evaluates the same over every format of the same RPM database: SQLite, Berkeley
/// DB in both byte orders and page sizes, and NDB (which oscap on Debian cannot read, so this is its
/// end-to-end check; the Berkeley DB one is also the differential case probe-rpminfo-bdb).
#[test]
fn rpminfo_results_are_the_same_over_every_rpm_database_format() {
    let definitions = fixture("../oval/cases/probe-rpminfo/definitions.xml");
    let eval = |root: &str| {
        let out = stigrun().args(["oval", "eval", &definitions, "--root", &fixture(root)]).output().unwrap();
        assert!(out.status.success(), "{root}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let sqlite = eval("../oval/cases/probe-rpminfo/root");
    assert_eq!(sqlite.lines().filter(|l| l.starts_with("Definition ")).count(), 19);
    for root in
        ["../oval/cases/probe-rpminfo-bdb/root", "rpmdb/bdb-4321-512", "rpmdb/bdb-1234-16384", "rpmdb/ndb"]
    {
        assert_eq!(eval(root), sqlite, "{root}");
    }
}

#[test]
fn oval_eval_unknown_definition_is_an_error() {
    let case = fixture("../oval/cases/stig-daemon-json-log-driver");
    stigrun()
        .args(["oval", "eval", &format!("{case}/definitions.xml"), "--id", "oval:x:def:999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("oval:x:def:999"));
}

#[test]
fn eval_answers_flow_into_results() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(
        &answers,
        "[[answer]]\nrule = \"DKER-EE-001080\"\nstatus = \"NotAFinding\"\nfinding_details = \"UCP audit level is request\"\nwho = \"J. Assessor\"\nwhen = \"2026-11-20\"\n",
    )
    .unwrap();
    let json = dir.path().join("r.json");
    // A node with Docker (its configuration directory), so the benchmark applies.
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    let out = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--rule", "SV-235778r960765_rule", "--answers"])
        .arg(&answers)
        .arg("--root")
        .arg(&root)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rule = v["rules"].as_array().unwrap().iter().find(|r| r["version"] == "DKER-EE-001080").unwrap();
    assert_eq!(rule["result"], "pass");
    assert_eq!(rule["answer"]["who"], "J. Assessor");
    assert_eq!(rule["answer"]["original_result"], "notchecked");
    // Each rule carries when it was decided: within the scan, in RFC 3339 UTC.
    for r in v["rules"].as_array().unwrap() {
        let time = r["time"].as_str().expect("every rule has a decision time");
        assert!(time.ends_with('Z') && time.len() == 20, "{time}");
        let (start, end) = (v["start_time"].as_str().unwrap(), v["end_time"].as_str().unwrap());
        assert!(start <= time && time <= end, "{start} <= {time} <= {end}");
    }

    // The answer reaches the HTML report, escaped, with who and the finding details.
    let html = dir.path().join("r.html");
    let out = stigrun()
        .args(["report", "--from"])
        .arg(&json)
        .args(["--format", "html", "--out"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("Assessor&#39;s answer") || html.contains("Assessor's answer"));
    assert!(html.contains("J. Assessor") && html.contains("UCP audit level is request"));
}

#[test]
fn docker_ee_fixture_html_report_shows_ccis_and_controls() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let out = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root", &fixture("docker-ee/compliant"), "--report"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&report).unwrap();
    for needle in ["SV-235833r961395_rule", "DKER-EE-003320", "CCI-001851", "AU-4 (1)"] {
        assert!(html.contains(needle), "the report shows {needle}");
    }
    // The V-ID has its own column (the group id of the built XCCDF 1.2 content, prefix removed).
    assert!(html.contains("<span>V-235833</span>"), "the V-ID column shows V-235833");
    assert!(
        !html.contains("http://") || !html.contains("<script src"),
        "self-contained: no external scripts"
    );
}

#[test]
fn progress_lines_count_up_to_the_plan_and_rule_lines_follow() {
    let out = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root", &fixture("docker-ee/compliant"), "--progress"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Every stage ends with a line whose count reached its plan.
    for stage in ["collecting objects", "evaluating definitions"] {
        let last = stderr
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("stigrun: {stage} ")))
            .next_back()
            .unwrap_or_else(|| panic!("no `{stage}` progress line in:\n{stderr}"));
        let (done, planned) = last.split_once('/').expect("done/planned");
        assert_eq!(done, planned, "{stage}: {last}");
        assert!(planned.parse::<usize>().unwrap() > 0);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rule_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("xccdf_mil.disa.stig_rule_SV-") && l.contains('\t'))
        .collect();
    assert_eq!(rule_lines.len(), 101, "one line per V2R2 rule:\n{stdout}");
    assert!(rule_lines.contains(&"xccdf_mil.disa.stig_rule_SV-235833r961395_rule\tpass"), "{stdout}");
}

#[test]
fn docker_ee_on_a_node_without_docker_is_notapplicable_and_says_why() {
    let out = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root", &fixture("docker-ee/no-docker")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Results:   notapplicable 101"), "{stdout}");
    assert!(
        stdout.contains("Note:      the benchmark's platform (#docker_engine) does not apply to the target"),
        "{stdout}"
    );
}

#[test]
fn docker_ee_results_rerender_as_arf_from_the_built_content() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root", &fixture("docker-ee/noncompliant"), "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 2), "{}", String::from_utf8_lossy(&out.stderr));
    // The ARF copies the OVAL definitions and the data stream: those of the built docker-ee content.
    let arf = dir.path().join("r.arf.xml");
    let out = stigrun()
        .args(["report", "--from"])
        .arg(&json)
        .args(["--format", "arf", "--out"])
        .arg(&arf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&arf).unwrap();
    assert!(
        text.contains("oval:io.stigrun.docker-ee:def:3320") && text.contains("<ds:data-stream-collection")
    );
    support::require_oscap();
    let run = std::process::Command::new("oscap").args(["ds", "rds-validate"]).arg(&arf).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
}

/// `--version` names the version, the commit the binary was built from and the built-in releases.
#[test]
fn version_names_the_commit_and_the_builtin_content() {
    let out = stigrun().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(&format!("stigrun {} (commit ", env!("CARGO_PKG_VERSION"))), "{text}");
    let head = std::process::Command::new("git")
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = head.unwrap_or_else(|| "unknown".into());
    assert!(text.contains(&format!("(commit {commit})")), "{text}");
    for part in [
        "docker-ee V2R2 (24 Jul 2024, default), V2R1 (23 Apr 2021), V1R1 (19 Jul 2019)",
        "DISA CCI list 2025-01-23",
    ] {
        assert!(text.contains(part), "{part} missing in:\n{text}");
    }
}
