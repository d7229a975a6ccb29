//! Finding details an assessor can read (issue 13): for every docker-ee fixture node, every failed
//! or errored rule says in words which file or setting was checked and what was found there, in
//! the JSON results and on the console.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee");

fn stigrun() -> Command {
    Command::cargo_bin("stigrun").unwrap()
}

/// Copies of the fixture nodes, set up (owners and modes need root).
fn prepared_nodes(scratch: &Path) -> Option<Vec<(String, PathBuf)>> {
    if !support::is_root() {
        assert!(!support::in_ci(), "CI: setting up the fixture nodes needs root");
        eprintln!("NOT CHECKED (needs root): finding details on the fixture nodes");
        return None;
    }
    let mut nodes = Vec::new();
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        if !path.join("expected.csv").is_file() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let copy = scratch.join(&name);
        assert!(Command::new("cp").arg("-a").arg(&path).arg(&copy).status().unwrap().success());
        if copy.join("setup.sh").is_file() {
            let run = Command::new("sh").arg(copy.join("setup.sh")).output().unwrap();
            assert!(run.status.success(), "{name}/setup.sh: {}", String::from_utf8_lossy(&run.stderr));
        }
        nodes.push((name, copy));
    }
    nodes.sort();
    assert!(nodes.len() >= 10, "fixture nodes under {FIXTURES}");
    Some(nodes)
}

/// `--var` arguments from the node's values.toml.
fn node_vars(node: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(node.join("values.toml")) else { return Vec::new() };
    let doc: toml::Table = toml::from_str(&text).unwrap();
    doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let id = v["xccdf_value_id"].as_str().unwrap();
            format!("{id}={}", v["default"].as_array().unwrap()[0].as_str().unwrap())
        })
        .collect()
}

/// An absolute path in a line (`/etc/docker/daemon.json`, `/proc/net/tcp`).
fn names_a_file(line: &str) -> bool {
    line.split(|c: char| c.is_whitespace() || c == '"' || c == '(')
        .any(|w| w.len() > 1 && w.starts_with('/') && w[1..].starts_with(|c: char| c.is_ascii_alphanumeric()))
}

/// What one `found:` line must hold: the file or the setting, and what was there.
fn found_line_problem(line: &str) -> Option<&'static str> {
    let rest = line.trim_start().strip_prefix("found:")?.trim();
    // A setting is named first: `log-driver at /etc/docker/daemon.json:3:17: value "json-file"`,
    // `DOCKER_FIPS is not set`.
    let setting = rest.split_once(' ').is_some_and(|(word, after)| {
        word.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && ["at /", "from ", "(", "is not set"].iter().any(|p| after.starts_with(p))
    });
    if !names_a_file(rest) && !setting {
        return Some("names neither a file nor a setting");
    }
    let value = rest.contains('"')
        || ["does not exist", "is not set", "no line of", "no file", "is not in", ": exists"]
            .iter()
            .any(|p| rest.contains(p));
    if !value {
        return Some("says nothing about the value found");
    }
    None
}

#[test]
fn every_failed_or_errored_rule_of_every_fixture_node_says_what_was_found() {
    let scratch = tempfile::tempdir().unwrap();
    let Some(nodes) = prepared_nodes(scratch.path()) else { return };
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, node) in &nodes {
        let json = scratch.path().join(format!("{name}.json"));
        let mut cmd = stigrun();
        cmd.args(["eval", "--benchmark", "docker-ee", "--root"]).arg(node).arg("--json").arg(&json);
        for var in node_vars(node) {
            cmd.arg("--var").arg(var);
        }
        let run = cmd.output().unwrap();
        assert!(matches!(run.status.code(), Some(0 | 2)), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let console = String::from_utf8(run.stdout).unwrap();
        let results: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        for rule in results["rules"].as_array().unwrap() {
            let result = rule["result"].as_str().unwrap();
            if result != "fail" && result != "error" {
                continue;
            }
            checked += 1;
            let id = format!("{name} {} ({result})", rule["version"].as_str().unwrap_or_default());
            let details = rule["finding_details"].as_str().unwrap_or_default();
            // DISA's check procedure stands beside the evidence, automated rules included.
            if rule["check_text"].as_str().is_none_or(|t| t.trim().is_empty()) {
                problems.push(format!("{id}: no DISA check text"));
            }
            let lines: Vec<&str> = details.lines().collect();
            if result == "fail" {
                let found: Vec<&str> =
                    lines.iter().copied().filter(|l| l.trim_start().starts_with("found:")).collect();
                if found.is_empty() {
                    problems.push(format!("{id}: no `found:` line in\n{details}"));
                }
                for line in found {
                    if let Some(problem) = found_line_problem(line) {
                        problems.push(format!("{id}: `{}` {problem}", line.trim()));
                    }
                }
            } else {
                // An error says its cause and the file it concerns.
                let errors: Vec<&str> =
                    lines.iter().copied().filter(|l| l.trim_start().starts_with("error:")).collect();
                if !errors.iter().any(|l| names_a_file(l)) {
                    problems.push(format!("{id}: no `error:` line naming a file in\n{details}"));
                }
            }
            // The console shows the same details under the rule.
            let shown = lines
                .iter()
                .find(|l| l.trim_start().starts_with("found:") || l.trim_start().starts_with("error:"));
            if let Some(first) = shown
                && !console.contains(first.trim())
            {
                problems.push(format!("{id}: the console does not show `{}`", first.trim()));
            }
        }
    }
    eprintln!("{checked} failed or errored rules on {} nodes", nodes.len());
    assert!(checked > 100, "only {checked} failed or errored rules: the nodes are not being scanned");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn found_lines_are_judged_as_the_test_above_needs() {
    assert_eq!(found_line_problem("  found: /etc/docker/daemon.json does not exist"), None);
    assert_eq!(found_line_problem("  found: DOCKER_FIPS is not set"), None);
    assert_eq!(
        found_line_problem(
            "  found: hosts at /etc/docker/daemon.json:2:44: value \"tcp://0.0.0.0:2375\" → true"
        ),
        None
    );
    assert_eq!(found_line_problem("  found: nothing"), Some("names neither a file nor a setting"));
    assert_eq!(found_line_problem("  found: /etc/x"), Some("says nothing about the value found"));
}
