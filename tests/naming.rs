//! One way to name things, everywhere (issue 13 point 5): every DISA name of a rule works in
//! `--rule`, `--skip-rule`, `--answers`, `show` and as an HTML anchor; control and CCI spellings are
//! equal; values go by their short id; unknown names fail with exit 1 and suggestions.

use std::path::Path;
use std::process::{Command, Output};

const NODE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee/compliant");
/// Every name of SV-235833 (DKER-EE-003320, remote log driver).
const FORMS: [&str; 5] = [
    "V-235833",
    "SV-235833",
    "SV-235833r961395_rule",
    "DKER-EE-003320",
    "xccdf_mil.disa.stig_rule_SV-235833r961395_rule",
];

fn stigrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stigrun")).args(args).output().unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// (rule id → result) of a results file.
fn results(path: &Path) -> Vec<(String, String)> {
    json(path)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["version"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect()
}

fn fails_with_suggestion(run: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{what}: {stderr}");
    assert!(stderr.contains("did you mean"), "{what}: no suggestion in {stderr}");
}

#[test]
fn every_rule_name_selects_skips_answers_and_anchors_the_same_rule() {
    let dir = tempfile::tempdir().unwrap();
    for (i, form) in FORMS.iter().enumerate() {
        let out = dir.path().join(format!("{i}.json"));
        let html = dir.path().join(format!("{i}.html"));
        let answers = dir.path().join(format!("{i}.toml"));
        std::fs::write(
            &answers,
            format!(
                "[[answer]]\nrule = \"{form}\"\nstatus = \"notapplicable\"\njustification = \"no logs leave this lab node\"\nwho = \"A\"\nwhen = \"2026-11-20\"\n"
            ),
        )
        .unwrap();
        let run = stigrun(&[
            "eval",
            "-b",
            "docker-ee",
            "--root",
            NODE,
            "--rule",
            form,
            "--answers",
            answers.to_str().unwrap(),
            "--json",
            out.to_str().unwrap(),
            "--report",
            html.to_str().unwrap(),
        ]);
        assert!(
            run.status.code().is_some_and(|c| c <= 2),
            "{form}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let selected: Vec<_> = results(&out).into_iter().filter(|(_, r)| r != "notselected").collect();
        assert_eq!(
            selected,
            vec![("DKER-EE-003320".to_string(), "notapplicable".to_string())],
            "--rule/--answers {form}"
        );
        let rule = json(&out)["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["version"] == "DKER-EE-003320")
            .cloned()
            .unwrap();
        assert_eq!(rule["answer"]["override"], true, "{form}: the answer overrides the scan's result");
        let page = std::fs::read_to_string(&html).unwrap();
        for anchor in &FORMS[..4] {
            assert!(page.contains(&format!("id=\"{anchor}\"")), "{form}: no #{anchor} in the HTML");
        }

        let skipped = dir.path().join(format!("skip{i}.json"));
        let run = stigrun(&[
            "eval",
            "-b",
            "docker-ee",
            "--root",
            NODE,
            "--skip-rule",
            form,
            "--json",
            skipped.to_str().unwrap(),
        ]);
        assert!(
            run.status.code().is_some_and(|c| c <= 2),
            "{form}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let skipped = results(&skipped);
        assert!(
            skipped.contains(&("DKER-EE-003320".to_string(), "notselected".to_string())),
            "--skip-rule {form}"
        );
        assert_eq!(skipped.iter().filter(|(_, r)| r == "notselected").count(), 1, "--skip-rule {form}");

        let run = stigrun(&["show", "-b", "docker-ee", "--format", "json", form]);
        assert!(run.status.success(), "show {form}: {}", String::from_utf8_lossy(&run.stderr));
        let shown: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(shown["stig_id"], "DKER-EE-003320", "show {form}");
    }
}

#[test]
fn unknown_rules_values_ccis_and_controls_fail_with_suggestions() {
    fails_with_suggestion(
        &stigrun(&["eval", "-b", "docker-ee", "--root", NODE, "--rule", "V-23583"]),
        "--rule",
    );
    fails_with_suggestion(
        &stigrun(&["eval", "-b", "docker-ee", "--root", NODE, "--skip-rule", "DKER-EE-00332"]),
        "--skip-rule",
    );
    fails_with_suggestion(&stigrun(&["show", "-b", "docker-ee", "SV-23583"]), "show");
    fails_with_suggestion(
        &stigrun(&["eval", "-b", "docker-ee", "--root", NODE, "--var", "docker_log_max_sise=3"]),
        "--var",
    );
    fails_with_suggestion(&stigrun(&["rules", "-b", "docker-ee", "--cci", "999999"]), "--cci");
    fails_with_suggestion(&stigrun(&["rules", "-b", "docker-ee", "--nist", "AU-99"]), "--nist");
}

#[test]
fn cci_and_control_spellings_are_equal() {
    let list = |args: &[&str]| {
        let run = stigrun(&[&["rules", "-b", "docker-ee", "--format", "csv"], args].concat());
        assert!(run.status.success(), "{args:?}: {}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8(run.stdout).unwrap()
    };
    let cci = list(&["--cci", "CCI-001851"]);
    assert!(cci.contains("DKER-EE-003320"), "{cci}");
    for spelling in ["1851", "001851", "cci-1851"] {
        assert_eq!(list(&["--cci", spelling]), cci, "--cci {spelling}");
    }
    let control = list(&["--nist", "AU-4 (1)"]);
    assert!(control.contains("DKER-EE-003320"), "{control}");
    for spelling in ["AU-4(1)", "au-4(1)", "AU-4 ( 1 )"] {
        assert_eq!(list(&["--nist", spelling]), control, "--nist {spelling}");
    }
}

#[test]
fn values_are_listed_and_set_by_short_id_or_from_a_file() {
    let run = stigrun(&["values", "-b", "docker-ee", "--format", "json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let values: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let max_size =
        values.as_array().unwrap().iter().find(|v| v["short_id"] == "docker_log_max_size").unwrap();
    assert_eq!(max_size["default"], "10m");
    assert!(!max_size["description"].as_str().unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let run_with = |extra: &[&str]| {
        let out = dir.path().join("v.json");
        let run = stigrun(
            &[
                &[
                    "eval",
                    "-b",
                    "docker-ee",
                    "--root",
                    NODE,
                    "--rule",
                    "DKER-EE-001370",
                    "--json",
                    out.to_str().unwrap(),
                ],
                extra,
            ]
            .concat(),
        );
        assert!(
            run.status.code().is_some_and(|c| c <= 2),
            "{extra:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        json(&out)["values"]["xccdf_io.stigrun.docker-ee_value_docker_log_max_size"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(run_with(&[]), "10m");
    assert_eq!(run_with(&["--var", "docker_log_max_size=20m"]), "20m");
    let file = dir.path().join("values.toml");
    std::fs::write(&file, "docker_log_max_size = \"50m\"\n").unwrap();
    assert_eq!(run_with(&["--values", file.to_str().unwrap()]), "50m");
    // The content's own form ([[value]] tables), and --var over the file.
    std::fs::write(
        &file,
        "[[value]]\nxccdf_value_id = \"xccdf_io.stigrun.docker-ee_value_docker_log_max_size\"\ndefault = [\"30m\"]\n",
    )
    .unwrap();
    assert_eq!(run_with(&["--values", file.to_str().unwrap()]), "30m");
    assert_eq!(run_with(&["--values", file.to_str().unwrap(), "--var", "docker_log_max_size=40m"]), "40m");
    std::fs::write(&file, "docker_log_max_sise = \"50m\"\n").unwrap();
    let out = dir.path().join("bad.json");
    fails_with_suggestion(
        &stigrun(&[
            "eval",
            "-b",
            "docker-ee",
            "--root",
            NODE,
            "--values",
            file.to_str().unwrap(),
            "--json",
            out.to_str().unwrap(),
        ]),
        "--values with an unknown id",
    );
}

#[test]
fn info_and_show_say_what_stigrun_automates_and_the_release_reads_once() {
    let run = stigrun(&["info", "-b", "docker-ee"]);
    let info = String::from_utf8(run.stdout).unwrap();
    assert!(info.contains("stigrun checks: 32 rules on the node"), "{info}");
    assert!(info.contains("Release: 2 Benchmark Date") && !info.contains("Release: Release:"), "{info}");
    let run = stigrun(&["info", "-b", "docker-ee", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let total: u64 = json["automated"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total, 101, "every rule is counted once");
    let show = String::from_utf8(stigrun(&["show", "-b", "docker-ee", "V-235833"]).stdout).unwrap();
    assert!(show.contains("stigrun:    node (OVAL)"), "{show}");
    let show = String::from_utf8(stigrun(&["show", "-b", "docker-ee", "V-235778"]).stdout).unwrap();
    assert!(show.contains("stigrun:    api"), "{show}");
    let eval = stigrun(&["eval", "-b", "docker-ee", "--root", NODE, "--rule", "V-235833"]);
    let summary = String::from_utf8(eval.stdout).unwrap();
    assert!(summary.contains("Release:   2 Benchmark Date"), "{summary}");
}
