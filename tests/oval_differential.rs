//! Differential test: every case under `tests/oval/cases/` through `stigrun oval eval`, compared
//! definition by definition with the result oscap recorded in the case's `expected.txt`.
//!
//! The recording is also checked against a live oscap run, so a stale `expected.txt` is caught (a
//! missing oscap is a failure). A difference between
//! stigrun and oscap passes only if `tests/oval/allowlist.toml` names it with a reason; an allowlist
//! entry that no longer matches a difference is reported as stale. All cases run; every failure is
//! listed at the end.
//!
//! Knobs: `STIGRUN=/path/to/binary` replaces the cargo-built binary (e.g. the shims under
//! `tests/oval/shims/`), `OVAL_CASE=name[,name…]` runs only those cases, `OVAL_ALLOWLIST=FILE`
//! replaces the allowlist (an empty file proves the harness on the oscap shim).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

mod support;

/// The results `oscap oval eval` prints, which `stigrun oval eval` prints too.
const RESULTS: [&str; 6] = ["true", "false", "error", "unknown", "not evaluated", "not applicable"];
/// What a difference shows for a definition that one side did not print at all.
const MISSING: &str = "missing";
/// One tool run longer than this is stopped and counted as failed (a hang must not stall CI).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// Set for both tools: the environmentvariable58 case looks for it.
const CASE_ENV: (&str, &str) = ("STIGRUN_CASE_VAR", "differential");

/// Definition id → result, as printed by one tool for one definitions file.
type Results = BTreeMap<String, String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowlist {
    #[serde(default)]
    allow: Vec<AllowEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowEntry {
    case: String,
    definition: String,
    stigrun: String,
    oscap: String,
    reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Difference {
    case: String,
    definition: String,
    stigrun: String,
    oscap: String,
}

impl Difference {
    fn describe(&self) -> String {
        format!(
            "case `{}`, definition `{}`: stigrun {}, oscap {}",
            self.case, self.definition, self.stigrun, self.oscap
        )
    }
}

/// Outcome of matching the differences of the whole run against the allowlist.
#[derive(Debug, Default)]
struct Classified {
    allowed: Vec<(Difference, String)>,
    unexplained: Vec<Difference>,
    stale: Vec<AllowEntry>,
}

/// Parses `Definition ID: RESULT` lines; other lines (`Evaluation done.`, warnings) are ignored.
fn parse_results(output: &str) -> Results {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("Definition "))
        .filter_map(|rest| rest.split_once(": "))
        .map(|(id, result)| (id.trim().to_owned(), result.trim().to_owned()))
        .collect()
}

/// Every definition on which the two result sets disagree, including ones only one side printed.
fn differences(case: &str, stigrun: &Results, oscap: &Results) -> Vec<Difference> {
    let mut ids: Vec<&String> = stigrun.keys().chain(oscap.keys()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let ours = stigrun.get(id).map_or(MISSING, String::as_str);
            let theirs = oscap.get(id).map_or(MISSING, String::as_str);
            (ours != theirs).then(|| Difference {
                case: case.to_owned(),
                definition: id.clone(),
                stigrun: ours.to_owned(),
                oscap: theirs.to_owned(),
            })
        })
        .collect()
}

fn entry_matches(entry: &AllowEntry, difference: &Difference) -> bool {
    entry.case == difference.case
        && entry.definition == difference.definition
        && entry.stigrun == difference.stigrun
        && entry.oscap == difference.oscap
}

/// Splits differences into allowed and unexplained. Entries for cases outside `cases_run` are not
/// judged (a filtered run must not call the rest stale).
fn classify(differences: &[Difference], allowlist: &[AllowEntry], cases_run: &[String]) -> Classified {
    let mut classified = Classified::default();
    for difference in differences {
        match allowlist.iter().find(|entry| entry_matches(entry, difference)) {
            Some(entry) => classified.allowed.push((difference.clone(), entry.reason.clone())),
            None => classified.unexplained.push(difference.clone()),
        }
    }
    classified.stale = allowlist
        .iter()
        .filter(|entry| cases_run.contains(&entry.case))
        .filter(|entry| !differences.iter().any(|difference| entry_matches(entry, difference)))
        .cloned()
        .collect();
    classified
}

/// Problems in the allowlist itself: unknown cases, results no tool prints, empty reasons, duplicates.
fn allowlist_problems(allowlist: &[AllowEntry], known_cases: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, entry) in allowlist.iter().enumerate() {
        let at = format!("allowlist entry {} (case `{}`, `{}`)", index + 1, entry.case, entry.definition);
        if !known_cases.contains(&entry.case) {
            problems.push(format!("{at}: no such case"));
        }
        for (tool, result) in [("stigrun", &entry.stigrun), ("oscap", &entry.oscap)] {
            if !RESULTS.contains(&result.as_str()) && result != MISSING {
                problems.push(format!("{at}: {tool} result `{result}` is not an oval result"));
            }
        }
        if entry.stigrun == entry.oscap {
            problems.push(format!("{at}: both results are `{}`, nothing to allow", entry.oscap));
        }
        if entry.reason.trim().is_empty() {
            problems.push(format!("{at}: empty reason"));
        }
        let earlier = allowlist[..index].iter().any(|other| {
            other.case == entry.case
                && other.definition == entry.definition
                && other.stigrun == entry.stigrun
                && other.oscap == entry.oscap
        });
        if earlier {
            problems.push(format!("{at}: duplicate"));
        }
    }
    problems
}

fn oval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("oval")
}

fn case_names(cases_dir: &Path) -> Result<Vec<String>, String> {
    let entries =
        fs::read_dir(cases_dir).map_err(|e| format!("cannot list `{}`: {e}", cases_dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("definitions.xml").is_file())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

struct RunOutput {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs a command with its output in files (no pipe can fill up) and a time limit.
fn run_limited(mut command: Command, scratch: &Path, label: &str) -> Result<RunOutput, String> {
    let stdout_path = scratch.join(format!("{label}.stdout"));
    let stderr_path = scratch.join(format!("{label}.stderr"));
    let stdout = fs::File::create(&stdout_path).map_err(|e| format!("{label}: {e}"))?;
    let stderr = fs::File::create(&stderr_path).map_err(|e| format!("{label}: {e}"))?;
    command.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    command.env(CASE_ENV.0, CASE_ENV.1).env("LC_ALL", "C");
    let mut child = command.spawn().map_err(|e| format!("cannot start {label}: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| format!("{label}: {e}"))? {
            Some(status) => break status,
            None if started.elapsed() > RUN_TIMEOUT => {
                // Best effort: the process may have ended in between.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{label} did not finish within {}s", RUN_TIMEOUT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    Ok(RunOutput {
        status: status.code(),
        stdout: fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: fs::read_to_string(&stderr_path).unwrap_or_default(),
    })
}

fn first_lines(text: &str, count: usize) -> String {
    text.lines().take(count).collect::<Vec<_>>().join(" | ")
}

/// Runs one tool and returns its results; a run that printed no definition at all is an error.
fn evaluate(command: Command, scratch: &Path, label: &str) -> Result<Results, String> {
    let output = run_limited(command, scratch, label)?;
    let results = parse_results(&output.stdout);
    if results.is_empty() {
        return Err(format!(
            "{label} printed no definition results (exit {:?}): {}",
            output.status,
            first_lines(&output.stderr, 3)
        ));
    }
    Ok(results)
}

struct CaseRow {
    name: String,
    definitions: usize,
    agree: usize,
    allowed: usize,
    differ: usize,
    live: &'static str,
}

#[test]
fn oval_cases_agree_with_oscap() {
    let oval = oval_dir();
    let cases_dir = oval.join("cases");
    let all_cases = case_names(&cases_dir).expect("case directory is readable");
    assert!(!all_cases.is_empty(), "no cases under {}", cases_dir.display());
    let selected: Vec<String> = match std::env::var("OVAL_CASE") {
        Ok(filter) => {
            let wanted: Vec<&str> = filter.split(',').map(str::trim).collect();
            all_cases.iter().filter(|name| wanted.contains(&name.as_str())).cloned().collect()
        }
        Err(_) => all_cases.clone(),
    };
    assert!(!selected.is_empty(), "OVAL_CASE matches no case");

    let allowlist_path =
        std::env::var_os("OVAL_ALLOWLIST").map_or_else(|| oval.join("allowlist.toml"), PathBuf::from);
    let allowlist_text = fs::read_to_string(&allowlist_path)
        .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", allowlist_path.display()));
    let allowlist: Allowlist = toml::from_str(&allowlist_text)
        .unwrap_or_else(|e| panic!("`{}` does not parse: {e}", allowlist_path.display()));
    let mut failures = allowlist_problems(&allowlist.allow, &all_cases);

    let stigrun = std::env::var("STIGRUN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_stigrun").to_owned());
    // Every run re-checks the recordings against live oscap: without it the test fails.
    support::require_oscap();

    let mut rows = Vec::new();
    let mut all_differences = Vec::new();
    for name in &selected {
        let case_dir = cases_dir.join(name);
        let mut row =
            CaseRow { name: name.clone(), definitions: 0, agree: 0, allowed: 0, differ: 0, live: "-" };
        let expected = match fs::read_to_string(case_dir.join("expected.txt")) {
            Ok(text) => parse_results(&text),
            Err(e) => {
                failures.push(format!("case `{name}`: cannot read expected.txt: {e}"));
                rows.push(row);
                continue;
            }
        };
        if expected.is_empty() {
            failures.push(format!("case `{name}`: expected.txt holds no definition results"));
        }
        row.definitions = expected.len();
        let scratch = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => {
                failures.push(format!("case `{name}`: no temporary directory: {e}"));
                rows.push(row);
                continue;
            }
        };
        let root = scratch.path().join("root");
        let mut prepare = Command::new("sh");
        prepare.arg(oval.join("prepare-root.sh")).arg(&case_dir).arg(&root);
        match run_limited(prepare, scratch.path(), "prepare-root") {
            Ok(output) if output.status == Some(0) => {}
            Ok(output) => {
                failures.push(format!(
                    "case `{name}`: fixture setup failed (exit {:?}): {}",
                    output.status,
                    first_lines(&output.stderr, 3)
                ));
                rows.push(row);
                continue;
            }
            Err(e) => {
                failures.push(format!("case `{name}`: fixture setup: {e}"));
                rows.push(row);
                continue;
            }
        }
        let definitions = case_dir.join("definitions.xml");
        let variables = case_dir.join("variables.xml");
        let variables = variables.is_file().then_some(variables);

        let mut oscap = Command::new("oscap");
        oscap.env("OSCAP_PROBE_ROOT", &root).args(["oval", "eval"]);
        // Debian's librpm defaults %_dbpath to `~/.rpmdb` (a shell expansion that fails inside
        // the probe's chroot); rpm distributions, and the rpm cases' roots, use /var/lib/rpm.
        let home = scratch.path().join("home");
        if let Err(e) = fs::create_dir_all(&home)
            .and_then(|()| fs::write(home.join(".rpmmacros"), "%_dbpath /var/lib/rpm\n"))
        {
            failures.push(format!("case `{name}`: oscap home: {e}"));
        }
        oscap.env("HOME", &home);
        if let Some(variables) = &variables {
            oscap.arg("--variables").arg(variables);
        }
        oscap.arg(&definitions);
        match evaluate(oscap, scratch.path(), "oscap") {
            Ok(live) if live == expected => row.live = "same",
            Ok(live) => {
                row.live = "STALE";
                for difference in differences(name, &live, &expected) {
                    failures.push(format!(
                        "case `{name}`: recording is stale, definition `{}`: live oscap {}, \
                         expected.txt {} (re-record: scripts/oval-diff.sh --record {name})",
                        difference.definition, difference.stigrun, difference.oscap
                    ));
                }
            }
            Err(e) => {
                row.live = "FAILED";
                failures.push(format!("case `{name}`: live oscap: {e}"));
            }
        }

        let mut ours = Command::new(&stigrun);
        ours.args(["oval", "eval"]).arg(&definitions).arg("--root").arg(&root);
        if let Some(variables) = &variables {
            ours.arg("--variables").arg(variables);
        }
        let actual = evaluate(ours, scratch.path(), "stigrun").unwrap_or_else(|e| {
            failures.push(format!("case `{name}`: {e}"));
            Results::new()
        });
        let case_differences = differences(name, &actual, &expected);
        row.agree =
            expected.len() - case_differences.iter().filter(|d| expected.contains_key(&d.definition)).count();
        row.differ = case_differences.len();
        all_differences.extend(case_differences);
        rows.push(row);
    }

    let classified = classify(&all_differences, &allowlist.allow, &selected);
    for row in &mut rows {
        row.allowed = classified.allowed.iter().filter(|(d, _)| d.case == row.name).count();
    }
    println!("{}", summary_table(&rows, &classified));

    for difference in &classified.unexplained {
        failures.push(format!("unexplained difference: {}", difference.describe()));
    }
    for entry in &classified.stale {
        failures.push(format!(
            "stale allowlist entry: case `{}`, definition `{}` (stigrun {}, oscap {}) matches no difference",
            entry.case, entry.definition, entry.stigrun, entry.oscap
        ));
    }
    assert!(failures.is_empty(), "{} problem(s):\n  {}", failures.len(), failures.join("\n  "));
}

fn summary_table(rows: &[CaseRow], classified: &Classified) -> String {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<32} {:>5} {:>6} {:>8} {:>12}  live oscap",
        "case", "defs", "agree", "allowed", "unexplained"
    );
    for row in rows {
        let _ = writeln!(
            table,
            "{:<32} {:>5} {:>6} {:>8} {:>12}  {}",
            row.name,
            row.definitions,
            row.agree,
            row.allowed,
            row.differ - row.allowed,
            row.live
        );
    }
    let definitions: usize = rows.iter().map(|row| row.definitions).sum();
    let agree: usize = rows.iter().map(|row| row.agree).sum();
    let _ = writeln!(
        table,
        "{} cases, {definitions} definitions: {agree} agree, {} allowed, {} unexplained, {} stale allowlist entries",
        rows.len(),
        classified.allowed.len(),
        classified.unexplained.len(),
        classified.stale.len()
    );
    for (difference, reason) in &classified.allowed {
        let _ = writeln!(table, "allowed: {} ({reason})", difference.describe());
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(pairs: &[(&str, &str)]) -> Results {
        pairs.iter().map(|(id, result)| ((*id).to_owned(), (*result).to_owned())).collect()
    }

    fn entry(definition: &str, stigrun: &str, oscap: &str) -> AllowEntry {
        AllowEntry {
            case: "c".into(),
            definition: definition.into(),
            stigrun: stigrun.into(),
            oscap: oscap.into(),
            reason: "because".into(),
        }
    }

    #[test]
    fn parses_oscap_output_including_multi_word_results() {
        let output = "Definition oval:x:def:2: not applicable\nDefinition oval:x:def:1: true\n\
                      Evaluation done.\nW: oscap: something\n";
        assert_eq!(
            parse_results(output),
            results(&[("oval:x:def:1", "true"), ("oval:x:def:2", "not applicable")])
        );
    }

    #[test]
    fn differences_include_definitions_missing_on_either_side() {
        let ours = results(&[("a", "true"), ("b", "false"), ("extra", "true")]);
        let theirs = results(&[("a", "true"), ("b", "true"), ("gone", "error")]);
        let found: Vec<(String, String, String)> = differences("c", &ours, &theirs)
            .into_iter()
            .map(|d| (d.definition, d.stigrun, d.oscap))
            .collect();
        assert_eq!(
            found,
            vec![
                ("b".into(), "false".into(), "true".into()),
                ("extra".into(), "true".into(), MISSING.into()),
                ("gone".into(), MISSING.into(), "error".into()),
            ]
        );
    }

    #[test]
    fn allowlist_explains_only_exact_matches_and_reports_stale_entries() {
        let diffs = differences(
            "c",
            &results(&[("a", "true"), ("b", "false")]),
            &results(&[("a", "false"), ("b", "true")]),
        );
        let allow =
            vec![entry("a", "true", "false"), entry("b", "true", "false"), entry("z", "true", "false")];
        let classified = classify(&diffs, &allow, &["c".to_owned()]);
        assert_eq!(classified.allowed.len(), 1);
        assert_eq!(classified.allowed[0].0.definition, "a");
        assert_eq!(classified.unexplained.len(), 1);
        assert_eq!(classified.unexplained[0].definition, "b");
        let stale: Vec<&str> = classified.stale.iter().map(|e| e.definition.as_str()).collect();
        assert_eq!(stale, vec!["b", "z"]);
    }

    #[test]
    fn entries_of_cases_not_run_are_not_stale() {
        let classified = classify(&[], &[entry("a", "true", "false")], &["other".to_owned()]);
        assert!(classified.stale.is_empty());
    }

    #[test]
    fn allowlist_problems_are_found() {
        let mut bad_result = entry("a", "yes", "false");
        bad_result.reason = " ".into();
        let allow = vec![
            bad_result,
            entry("b", "true", "true"),
            entry("c", "true", "false"),
            entry("c", "true", "false"),
        ];
        let problems = allowlist_problems(&allow, &["c".to_owned()]);
        assert!(problems.iter().any(|p| p.contains("`yes` is not an oval result")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("empty reason")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("nothing to allow")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("duplicate")), "{problems:?}");
        assert!(
            allowlist_problems(&[entry("c", "true", "false")], &["x".to_owned()])[0].contains("no such case")
        );
    }

    #[test]
    fn every_case_has_definitions_and_a_recording() {
        let cases_dir = oval_dir().join("cases");
        for name in case_names(&cases_dir).expect("cases are listed") {
            let expected = fs::read_to_string(cases_dir.join(&name).join("expected.txt"))
                .unwrap_or_else(|e| panic!("case `{name}`: expected.txt: {e}"));
            let recorded = parse_results(&expected);
            let definitions =
                fs::read_to_string(cases_dir.join(&name).join("definitions.xml")).expect("definitions.xml");
            let declared = definitions.matches("<definition ").count();
            assert_eq!(
                recorded.len(),
                declared,
                "case `{name}`: recording and definitions disagree in number"
            );
            assert!(recorded.values().all(|r| RESULTS.contains(&r.as_str())), "case `{name}`: odd result");
        }
    }
}
