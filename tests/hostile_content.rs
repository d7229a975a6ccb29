//! Hostile content: inputs built to crash, hang or exhaust the scanner end with a clear outcome
//! (an error that names the file and the limit, or a result), never a crash or runaway work.
//! Inputs are generated here, so each case says in code what makes it hostile.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

fn stigrun(args: &[&str]) -> Output {
    Command::cargo_bin("stigrun")
        .unwrap()
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const OVAL_HEAD: &str = r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
<generator><oval:schema_version>5.11.1</oval:schema_version><oval:timestamp>2026-01-01T00:00:00</oval:timestamp></generator>
"#;

/// One definition whose test reads `oval:x:var:1` through an `ind:variable_object`.
fn variable_document(variables: &str) -> String {
    format!(
        r#"{OVAL_HEAD}<definitions><definition id="oval:x:def:1" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria><criterion test_ref="oval:x:tst:1"/></criteria></definition></definitions>
<tests><ind:variable_test id="oval:x:tst:1" version="1" check="all" comment="c"><ind:object object_ref="oval:x:obj:1"/></ind:variable_test></tests>
<objects><ind:variable_object id="oval:x:obj:1" version="1"><ind:var_ref>oval:x:var:1</ind:var_ref></ind:variable_object></objects>
<variables>{variables}</variables></oval_definitions>"#
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_ten_thousand_long_variable_chain_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    let mut vars: String = (1..n)
        .map(|i| format!(r#"<local_variable id="oval:x:var:{i}" version="1" datatype="string" comment="c"><variable_component var_ref="oval:x:var:{}"/></local_variable>"#, i + 1))
        .collect();
    vars.push_str(&format!(r#"<constant_variable id="oval:x:var:{n}" version="1" datatype="string" comment="c"><value>x</value></constant_variable>"#));
    let file = write(dir.path(), "chain.xml", &variable_document(&vars));
    let out = stigrun(&["oval", "eval", &file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("Definition oval:x:def:1: error"), "{}", stdout(&out));
}

#[test]
fn a_self_referencing_variable_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let vars = r#"<local_variable id="oval:x:var:1" version="1" datatype="string" comment="c"><variable_component var_ref="oval:x:var:1"/></local_variable>"#;
    let file = write(dir.path(), "self.xml", &variable_document(vars));
    let out = stigrun(&["oval", "eval", &file]);
    assert!(stdout(&out).contains("Definition oval:x:def:1: error"), "{}", stdout(&out));
}

#[test]
fn concatenations_that_multiply_into_billions_of_values_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let values: String = (0..10).map(|j| format!("<value>{j}</value>")).collect();
    let mut vars = String::from(
        r#"<local_variable id="oval:x:var:1" version="1" datatype="string" comment="c"><concat>"#,
    );
    for i in 2..22 {
        vars.push_str(&format!(r#"<variable_component var_ref="oval:x:var:{i}"/>"#));
    }
    vars.push_str("</concat></local_variable>");
    for i in 2..22 {
        vars.push_str(&format!(r#"<constant_variable id="oval:x:var:{i}" version="1" datatype="string" comment="c">{values}</constant_variable>"#));
    }
    let file = write(dir.path(), "concat.xml", &variable_document(&vars));
    let out = stigrun(&["oval", "eval", &file]);
    assert!(stdout(&out).contains("Definition oval:x:def:1: error"), "{}", stdout(&out));
}

#[test]
fn a_thirty_thousand_long_extend_definition_chain_ends() {
    let dir = tempfile::tempdir().unwrap();
    let m = 30_000;
    let mut defs: String = (1..m)
        .map(|i| format!(r#"<definition id="oval:x:def:{i}" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria><extend_definition definition_ref="oval:x:def:{}"/></criteria></definition>"#, i + 1))
        .collect();
    defs.push_str(&format!(r#"<definition id="oval:x:def:{m}" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria><criterion test_ref="oval:x:tst:1"/></criteria></definition>"#));
    let doc = format!(
        r#"{OVAL_HEAD}<definitions>{defs}</definitions><tests><ind:family_test id="oval:x:tst:1" version="1" check="all" comment="c"><ind:object object_ref="oval:x:obj:1"/></ind:family_test></tests><objects><ind:family_object id="oval:x:obj:1" version="1"/></objects></oval_definitions>"#
    );
    let file = write(dir.path(), "extend.xml", &doc);
    let out = stigrun(&["oval", "eval", &file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("Definition oval:x:def:1: error"), "cut where the chain is too deep");
    assert!(text.contains(&format!("Definition oval:x:def:{m}: true")));
}

#[test]
fn thousands_of_nested_groups_are_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let n = 6_100;
    let open: String = (0..n).map(|i| format!(r#"<Group id="xccdf_x_group_{i}"><title>g</title>"#)).collect();
    let doc = format!(
        r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_x_benchmark_b"><status>draft</status><version>1</version>{open}<Rule id="xccdf_x_rule_r"><title>r</title></Rule>{}</Benchmark>"#,
        "</Group>".repeat(n)
    );
    let file = write(dir.path(), "groups.xml", &doc);
    let out = stigrun(&["info", "-b", &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{file}:1:")) && err.contains("nested deeper than"), "{err}");
}

#[test]
fn info_on_a_ten_thousand_profile_extends_chain_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let profiles: String = (0..10_000)
        .map(|i| {
            let extends = if i == 0 { String::new() } else { format!(r#" extends="xccdf_x_profile_p{}""#, i - 1) };
            format!(r#"<Profile id="xccdf_x_profile_p{i}"{extends}><title>p</title><select idref="xccdf_x_rule_r" selected="true"/></Profile>"#)
        })
        .collect();
    let doc = format!(
        r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_x_benchmark_b"><status>draft</status><version>1</version>{profiles}<Rule id="xccdf_x_rule_r"><title>r</title></Rule></Benchmark>"#
    );
    let file = write(dir.path(), "extends.xml", &doc);
    // Quadratic work here took over two minutes; the harness timeout (120 s) catches a regression.
    let out = stigrun(&["info", "-b", &file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("xccdf_x_profile_p9999 (1 rules)"));
}

#[test]
fn usage_errors_exit_1_not_the_code_for_a_failed_rule() {
    let out = stigrun(&["eval", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(1));
    let out = stigrun(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn control_characters_from_content_are_not_sent_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_x_benchmark_b"><status>draft</status><title>evil&#x1b;]0;owned&#x7;title</title><version>1</version><Rule id="xccdf_x_rule_r"><title>r</title></Rule></Benchmark>"#;
    let file = write(dir.path(), "evil.xml", doc);
    let out = stigrun(&["info", "-b", &file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.contains(&0x1b), "an escape byte reached stdout");
    assert!(stdout(&out).contains(r"evil\u{1b}]0;owned\u{7}title"), "{}", stdout(&out));
}
