//! XCCDF results with overrides (issue 13): valid against the XCCDF 1.2 schema, and what oscap's
//! schematron says about them, pinned.
//!
//! oscap 1.3.x's `xccdf_1.2-schematron.xsl` (pattern `benchmark_rule_result_override`) checks
//! `result = override/new-result` on every `rule-result` of a TestResult that has *any* override,
//! so each rule-result without an override fails the comparison against an empty node set. The
//! XCCDF 1.2.1 specification (6.6.4.3) asks it only of a rule-result that has an override. A
//! one-rule scan with an override therefore validates; a scan where some rules have overrides
//! and others not is rejected for exactly those others, and for nothing else. This test pins that:
//! when oscap fixes the rule, the count below drops to zero and the test says so.

mod support;

use std::process::Command;

const NODE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee/noncompliant");
const SCHEMATRON: &str = "/usr/share/openscap/schemas/xccdf/1.2/xccdf_1.2-schematron.xsl";
const OVERRIDE_RULE: &str = "Error: The value of the 'result' element must match the value of the 'new-result' element in an 'override' element when present.";

#[test]
fn overrides_are_schema_valid_and_oscap_rejects_only_the_rule_results_without_one() {
    support::require_oscap();
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(
        &answers,
        "[[answer]]\nrule = \"DKER-EE-001070\"\nstatus = \"pass\"\njustification = \"FIPS by the <HSM> & \\\"kernel\\\"\"\n\
         who = \"J. Assessor\"\nwhen = \"2026-11-20\"\n\
         [[answer]]\nrule = \"V-235778\"\nstatus = \"NotAFinding\"\nwho = \"J. Assessor\"\nwhen = \"2026-11-20\"\n",
    )
    .unwrap();
    let xccdf = dir.path().join("r.xccdf.xml");
    let run = Command::new(env!("CARGO_BIN_EXE_stigrun"))
        .args(["eval", "-b", "docker-ee", "--root", NODE, "--answers"])
        .arg(&answers)
        .arg("--results")
        .arg(&xccdf)
        .output()
        .unwrap();
    assert!(run.status.code().is_some_and(|c| c <= 2), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&xccdf).unwrap();
    let overrides = text.matches("<override ").count();
    let rule_results = text.matches("<rule-result ").count();
    assert_eq!(overrides, 2, "both answers are overrides in the XCCDF");

    // The schema accepts it.
    support::xmllint_valid(&xccdf, &support::xsd("xccdf/1.2/xccdf_1.2.xsd"));

    // oscap's schematron rejects it for the one rule, once per rule-result without an override.
    let out = Command::new("oscap").arg("xccdf").arg("validate").arg(&xccdf).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let errors: Vec<&str> = said.lines().filter(|l| l.starts_with("Error")).collect();
    assert!(
        errors.iter().all(|e| e.starts_with(OVERRIDE_RULE)),
        "oscap rejects the results for another reason:\n{}",
        errors.join("\n")
    );
    assert_eq!(
        errors.len(),
        rule_results - overrides,
        "oscap's override rule no longer fires on rule-results without an override: unpin this test"
    );
    // The rule as oscap ships it: any override in the TestResult puts every rule-result in scope.
    if let Ok(xsl) = std::fs::read_to_string(SCHEMATRON) {
        assert!(xsl.contains(
            "match=\"xccdf:TestResult[xccdf:rule-result[xccdf:override]]/xccdf:rule-result/xccdf:result\""
        ));
    }
}
