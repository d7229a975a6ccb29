//! Report outputs end to end: `eval --results/--results-arf/--report` and `report --from`, checked
//! with oscap (XSD + schematron, ARF validation, oscap's own HTML generator) and for escaping.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

const INJECTION: &str = "</script><script>alert(1)</script>";

fn stigrun() -> Command {
    Command::cargo_bin("stigrun").expect("binary builds")
}

/// `oscap ARGS` succeeds; a missing oscap fails the test.
fn oscap_ok(args: &[&str]) {
    support::require_oscap();
    let out = Process::new("oscap").args(args).output().expect("oscap runs");
    assert!(
        out.status.success(),
        "oscap {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A one-rule XCCDF 1.2 benchmark whose OVAL check reads `/etc/docker/daemon.json`, and a root
/// whose daemon.json carries a script injection in the value the check matches.
fn injection_case(dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    std::fs::write(
        root.join("etc/docker/daemon.json"),
        format!("{{\n  \"log-driver\": \"{INJECTION}\"\n}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("checks.oval.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
  <generator><oval:schema_version>5.11.2</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <definitions>
    <definition class="compliance" id="oval:t:def:1" version="1">
      <metadata><title>log driver is syslog</title><description>d</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:1"/></criteria>
    </definition>
  </definitions>
  <tests>
    <ind:textfilecontent54_test check="all" check_existence="at_least_one_exists" comment="c" id="oval:t:tst:1" version="1">
      <ind:object object_ref="oval:t:obj:1"/><ind:state state_ref="oval:t:ste:1"/>
    </ind:textfilecontent54_test>
  </tests>
  <objects>
    <ind:textfilecontent54_object id="oval:t:obj:1" version="1">
      <ind:filepath>/etc/docker/daemon.json</ind:filepath>
      <ind:pattern operation="pattern match">"log-driver":\s*"([^"]*)"</ind:pattern>
      <ind:instance datatype="int" operation="greater than or equal">1</ind:instance>
    </ind:textfilecontent54_object>
  </objects>
  <states>
    <ind:textfilecontent54_state id="oval:t:ste:1" version="1"><ind:subexpression>syslog</ind:subexpression></ind:textfilecontent54_state>
  </states>
</oval_definitions>
"#,
    )
    .unwrap();
    let benchmark = dir.join("bench.xccdf.xml");
    std::fs::write(
        &benchmark,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_t" resolved="1">
  <status>accepted</status>
  <title>t &lt;/title&gt;</title>
  <version>1</version>
  <Group id="xccdf_t_group_V-1" selected="true">
    <title>g</title>
    <Rule id="xccdf_t_rule_log" selected="true" severity="medium">
      <version>T-1</version>
      <title>log driver</title>
      <ident system="http://cyber.mil/cci">CCI-001851</ident>
      <fixtext>set "log-driver": "syslog"</fixtext>
      <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
        <check-content-ref href="checks.oval.xml" name="oval:t:def:1"/>
      </check>
    </Rule>
  </Group>
</Benchmark>
"#,
    )
    .unwrap();
    (benchmark, root)
}

#[test]
fn eval_writes_valid_xccdf_arf_and_an_html_report_that_escapes_host_data() {
    let dir = tempfile::tempdir().unwrap();
    let (benchmark, root) = injection_case(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    let assert = stigrun()
        .args(["eval", "--benchmark", &benchmark.display().to_string(), "--root"])
        .arg(&root)
        .args(["--json", &out("r.json"), "--results", &out("r.xccdf.xml")])
        .args(["--results-arf", &out("r.arf.xml"), "--report", &out("r.html")])
        .assert();
    // The rule fails (the driver is not syslog): exit code 2, like oscap.
    assert.code(2);

    let html = std::fs::read_to_string(out("r.html")).unwrap();
    assert!(!html.contains(INJECTION), "the raw injection reached the report");
    assert!(!html.contains("<script>alert"), "an injected script tag reached the report");
    // It is there, escaped, as evidence: the matched value from daemon.json.
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "evidence is missing");
    assert_eq!(html.matches("<script>").count(), 1, "only the report's own script");
    assert!(html.contains("CCI-001851") && html.contains("AU-4 (1)"), "CCI and 800-53 shown");
    assert!(html.contains("data-r=\"fail\""));
    assert!(!html.contains(" src=") && !html.contains(" href="), "self-contained: no external resources");

    let xccdf = std::fs::read_to_string(out("r.xccdf.xml")).unwrap();
    assert!(xccdf.contains("<rule-result idref=\"xccdf_t_rule_log\""));
    assert!(xccdf.contains("<result>fail</result>"));
    assert!(xccdf.contains("<ident system=\"http://cyber.mil/cci\">CCI-001851</ident>"));
    let arf = std::fs::read_to_string(out("r.arf.xml")).unwrap();
    assert!(arf.contains("<oval_results") && arf.contains("<TestResult"));
    assert!(arf.contains("&lt;/script&gt;"), "the ARF keeps the item value, escaped");

    // Re-rendering the saved JSON gives the same rule results without a rescan.
    for (format, file) in [("xccdf", "again.xccdf.xml"), ("html", "again.html"), ("arf", "again.arf.xml")] {
        stigrun()
            .args(["report", "--from", &out("r.json"), "--format", format, "--out", &out(file)])
            .assert()
            .success();
    }
    let again = std::fs::read_to_string(out("again.html")).unwrap();
    assert!(again.contains("&lt;/script&gt;&lt;script&gt;alert(1)") && !again.contains(INJECTION));
    let again_xccdf = std::fs::read_to_string(out("again.xccdf.xml")).unwrap();
    assert_eq!(
        again_xccdf.matches("<result>fail</result>").count(),
        xccdf.matches("<result>fail</result>").count()
    );

    oscap_ok(&["xccdf", "validate", &out("r.xccdf.xml")]);
    oscap_ok(&["xccdf", "validate", &out("again.xccdf.xml")]);
    oscap_ok(&["ds", "rds-validate", &out("r.arf.xml")]);
    oscap_ok(&["ds", "rds-validate", &out("again.arf.xml")]);
}

#[test]
fn an_answer_becomes_an_xccdf_override_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let (benchmark, root) = injection_case(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(
        out("answers.toml"),
        "[[answer]]\nrule = \"T-1\"\nstatus = \"NotAFinding\"\njustification = \"syslog is set by <policy> & GPO\"\nfinding_details = \"checked by hand\"\nwho = \"J. Assessor\"\nwhen = \"2026-11-20\"\n",
    )
    .unwrap();
    stigrun()
        .args(["eval", "--benchmark", &benchmark.display().to_string(), "--root"])
        .arg(&root)
        .args(["--answers", &out("answers.toml"), "--results", &out("r.xccdf.xml")])
        .assert()
        .success();
    let xccdf = std::fs::read_to_string(out("r.xccdf.xml")).unwrap();
    assert!(xccdf.contains("<result>pass</result>"), "{xccdf}");
    let expected = [
        "<override time=\"2026-11-20T00:00:00Z\" authority=\"J. Assessor\">",
        "<old-result>fail</old-result>",
        "<new-result>pass</new-result>",
        "<remark>syslog is set by &lt;policy&gt; &amp; GPO",
    ];
    for needle in expected {
        assert!(xccdf.contains(needle), "missing {needle} in:\n{xccdf}");
    }
    oscap_ok(&["xccdf", "validate", &out("r.xccdf.xml")]);
}

/// An answer cannot hide a finding: overriding a `fail` without a justification is not applied
/// (the rule stays failed, stderr says why); a justified one is marked as an override in the
/// console counts, the JSON and the HTML.
#[test]
fn overriding_a_finding_needs_a_justification_and_is_marked_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (benchmark, root) = injection_case(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    let answer =
        "[[answer]]\nrule = \"T-1\"\nstatus = \"pass\"\nwho = \"J. Assessor\"\nwhen = \"2026-11-20\"\n";
    std::fs::write(out("bare.toml"), answer).unwrap();
    let run = stigrun()
        .args(["eval", "--benchmark", &benchmark.display().to_string(), "--root"])
        .arg(&root)
        .args(["--answers", &out("bare.toml"), "--json", &out("bare.json")])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "the finding stays: {}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("needs a justification"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out("bare.json")).unwrap()).unwrap();
    assert_eq!(json["rules"][0]["result"], "fail");
    assert!(json["rules"][0]["answer"].is_null());

    std::fs::write(out("justified.toml"), format!("{answer}justification = \"compensating control CC-7\"\n"))
        .unwrap();
    let run = stigrun()
        .args(["eval", "--benchmark", &benchmark.display().to_string(), "--root"])
        .arg(&root)
        .args(["--answers", &out("justified.toml"), "--json", &out("j.json"), "--report", &out("j.html")])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("Overrides: 1"), "{stdout}");
    assert!(
        stdout.contains("fail → pass by J. Assessor on 2026-11-20: compensating control CC-7"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out("j.json")).unwrap()).unwrap();
    assert_eq!(json["rules"][0]["answer"]["override"], true);
    assert_eq!(json["rules"][0]["answer"]["original_result"], "fail");
    let html = std::fs::read_to_string(out("j.html")).unwrap();
    assert!(html.contains("data-o=\"1\"") && html.contains(">OVERRIDE<"), "the HTML marks the override");
    assert!(html.contains("<option value=\"overridden\">"), "the HTML filters overrides");
}

/// Schematron output lines that are neither warnings nor the 5.11.3 schematron's inverted
/// `user_id`/`group_id` rule (which only accepts negative ids).
fn schematron_findings(output: &str) -> Vec<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("<?xml"))
        .filter(|l| !l.contains("Warning:"))
        .filter(|l| {
            !(l.ends_with(" - the value of group_id must be greater than zero")
                || l.ends_with(" - the value of user_id must be greater than zero"))
        })
        .map(str::to_string)
        .collect()
}

/// oscap 1.3.7's OVAL 5.11.3 schematron asserts `string-length(.) = 0 or number(.) < 0` for
/// `unix-def:file_state/group_id` (and `user_id`): every real owner, root's 0 included, is
/// reported ("must be greater than zero"), so any OVAL document checking file owners, SSG's
/// and oscap's own results included, fails `oval validate`. This pins that behaviour; the
/// validation above ignores exactly these lines.
#[test]
fn oscap_schematron_rejects_every_nonnegative_id() {
    support::require_oscap();
    let dir = tempfile::tempdir().unwrap();
    let definitions = |gid: &str| {
        format!(
            r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix">
  <generator><oval:schema_version>5.11.3</oval:schema_version><oval:timestamp>2026-01-01T00:00:00</oval:timestamp></generator>
  <definitions><definition class="compliance" id="oval:t:def:1" version="1"><metadata><title>t</title><description>d</description></metadata>
    <criteria><criterion test_ref="oval:t:tst:1"/></criteria></definition></definitions>
  <tests><unix:file_test check="all" check_existence="at_least_one_exists" comment="c" id="oval:t:tst:1" version="1">
    <unix:object object_ref="oval:t:obj:1"/><unix:state state_ref="oval:t:ste:1"/></unix:file_test></tests>
  <objects><unix:file_object id="oval:t:obj:1" version="1"><unix:filepath>/etc/passwd</unix:filepath></unix:file_object></objects>
  <states><unix:file_state id="oval:t:ste:1" version="1"><unix:group_id datatype="int">{gid}</unix:group_id></unix:file_state></states>
</oval_definitions>
"#
        )
    };
    let validate = |gid: &str| {
        let path = dir.path().join(format!("gid{gid}.xml"));
        std::fs::write(&path, definitions(gid)).unwrap();
        Process::new("oscap").args(["oval", "validate"]).arg(&path).output().unwrap()
    };
    let root = validate("0");
    assert!(!root.status.success(), "oscap now accepts group_id 0");
    assert!(
        String::from_utf8_lossy(&root.stdout)
            .contains("oval:t:ste:1 - the value of group_id must be greater than zero")
    );
    assert!(schematron_findings(&String::from_utf8_lossy(&root.stdout)).is_empty());
    assert!(validate("-1").status.success(), "only a negative id passes the inverted rule");
}

/// SSG's Debian 11 data stream, widened to apply to Debian 12 hosts, written into `dir`. The tests
/// that use it also need oscap: both missing fail the test.
fn widened_debian11(dir: &Path) -> String {
    support::require_oscap();
    support::ssg("ssg-debian11-ds.xml");
    // On a Debian 12 host the Debian 11 content only applies with its OS check widened.
    let widened = dir.join("ssg-debian11-ds.xml").display().to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/debian11-ds-for-debian12.sh");
    assert!(Process::new(script).arg(&widened).status().unwrap().success());
    widened
}

#[test]
fn ssg_debian11_arf_validates_and_oscap_renders_it() {
    let dir = tempfile::tempdir().unwrap();
    let widened = widened_debian11(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    let status = stigrun()
        .args(["eval", "--benchmark", &widened, "--profile", "standard"])
        .args(["--results", &out("r.xml"), "--results-arf", &out("arf.xml"), "--report", &out("r.html")])
        .args(["--json", &out("r.json")])
        .output()
        .unwrap()
        .status;
    assert!(matches!(status.code(), Some(0 | 2)), "eval failed: {status:?}");
    oscap_ok(&["xccdf", "validate", &out("r.xml")]);
    oscap_ok(&["ds", "rds-validate", &out("arf.xml")]);
    // The same files against the repository's schema copies, without oscap: the ARF checked whole.
    support::xmllint_valid(Path::new(&out("r.xml")), &support::xsd("xccdf/1.2/xccdf_1.2.xsd"));
    support::xmllint_valid(Path::new(&out("arf.xml")), &support::xsd("stigrun/arf-1.1-with-content.xsd"));
    let rendered =
        Process::new("oscap").args(["xccdf", "generate", "report", &out("arf.xml")]).output().unwrap();
    assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("xccdf_org.ssgproject.content_rule_"));
    let arf = std::fs::read_to_string(out("arf.xml")).unwrap();
    assert!(arf.contains("<ds:data-stream-collection"), "the report request carries the data stream");
    assert!(arf.contains("<arf:report id=\"oval0\">"));
    // The OVAL results inside the ARF, on their own: valid to the XSD, and the schematron finds
    // nothing but its inverted uid/gid rule (see oscap_schematron_rejects_every_nonnegative_id).
    let start = arf.find("<oval_results").expect("an oval_results report");
    let end = arf.find("</oval_results>").expect("its end") + "</oval_results>".len();
    std::fs::write(out("oval-results.xml"), format!("<?xml version=\"1.0\"?>\n{}", &arf[start..end]))
        .unwrap();
    oscap_ok(&["oval", "validate", "--results", "--skip-schematron", &out("oval-results.xml")]);
    let full = Process::new("oscap")
        .args(["oval", "validate", "--results", &out("oval-results.xml")])
        .output()
        .unwrap();
    let findings = schematron_findings(&String::from_utf8_lossy(&full.stdout));
    assert!(
        findings.is_empty(),
        "schematron findings besides the inverted id rule:\n{}",
        findings.join("\n")
    );

    // Re-rendered from JSON with --thin: the OVAL definitions are reloaded from the data stream,
    // the data stream itself is left out, and the ARF still validates.
    stigrun()
        .args(["report", "--from", &out("r.json"), "--format", "arf", "--thin", "--out", &out("thin.xml")])
        .assert()
        .success();
    let thin = std::fs::read_to_string(out("thin.xml")).unwrap();
    assert!(!thin.contains("<ds:data-stream-collection") && thin.contains("<arf:report id=\"oval0\">"));
    oscap_ok(&["ds", "rds-validate", &out("thin.xml")]);

    // A missing results file is an error message, not a crash.
    stigrun()
        .args(["report", "--from"])
        .arg(dir.path().join("missing.json"))
        .args(["--format", "arf", "--out", &out("x.xml")])
        .assert()
        .failure();
}

/// `rule-result idref → result` of the (first) XCCDF TestResult in `xml`.
fn rule_results(xml: &str) -> std::collections::BTreeMap<String, String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed results");
    doc.descendants()
        .filter(|n| n.has_tag_name("rule-result"))
        .map(|n| {
            let result = n.children().find(|c| c.has_tag_name("result")).and_then(|c| c.text()).unwrap_or("");
            (n.attribute("idref").unwrap_or("").to_string(), result.to_string())
        })
        .collect()
}

#[test]
fn report_from_an_oscap_arf_keeps_its_results_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let widened = widened_debian11(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    // oscap scans a made-up root: SSG's file checks only collect items for files that break the
    // rule, so a world-writable passwd gives the ARF an item to carry as evidence.
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/debian_version"), "12.5\n").unwrap();
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(root.join("etc/passwd"), std::fs::Permissions::from_mode(0o666)).unwrap();
    let eval = Process::new("oscap")
        .env("OSCAP_PROBE_ROOT", &root)
        .args(["xccdf", "eval", "--profile", "standard", "--results-arf", &out("oscap.arf.xml"), &widened])
        .output()
        .unwrap();
    assert!(matches!(eval.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&eval.stderr));
    let oscap_arf = std::fs::read_to_string(out("oscap.arf.xml")).unwrap();
    assert!(
        oscap_arf.contains("<unix-sys:filepath>/etc/passwd</unix-sys:filepath>"),
        "oscap collected the item"
    );
    let expected = rule_results(&oscap_arf);
    assert!(expected.values().any(|r| r == "fail") && expected.values().any(|r| r == "pass"));

    for format in ["xccdf", "html", "arf"] {
        stigrun()
            .args(["report", "--from", &out("oscap.arf.xml"), "--format", format, "--out", &out(format)])
            .assert()
            .success();
    }
    let xccdf = std::fs::read_to_string(out("xccdf")).unwrap();
    assert_eq!(rule_results(&xccdf), expected, "per-rule results equal oscap's");
    oscap_ok(&["xccdf", "validate", &out("xccdf")]);
    let arf = std::fs::read_to_string(out("arf")).unwrap();
    assert_eq!(rule_results(&arf), expected);
    assert!(arf.contains("<ds:data-stream-collection"), "the report request carries the data stream");
    oscap_ok(&["ds", "rds-validate", &out("arf")]);
    let html = std::fs::read_to_string(out("html")).unwrap();
    let evidence = html.find("file_permissions_etc_passwd").and_then(|at| html[at..].find("/etc/passwd"));
    assert!(evidence.is_some(), "the passwd rule shows the item oscap collected");
    assert!(html.contains("Verify Permissions on passwd File"), "rule titles come from the data stream");

    // An XML file that is not an ARF is refused with what was expected.
    stigrun()
        .args(["report", "--from", &widened, "--format", "html", "--out", &out("x.html")])
        .assert()
        .failure()
        .stderr(predicates::str::contains("expected `arf:asset-report-collection`"));
}

/// An ARF of standalone content (a benchmark file and the OVAL file beside it) carries that content
/// in its report request, composed into a source data stream as oscap composes one: the ARF is
/// valid with everything inside it, reads back where the content is not (`report --from`), and
/// oscap accepts the composed data stream and evaluates it to the same result. Re-rendered from
/// the JSON results, the ARF reads the benchmark file again only while it is the one scanned.
#[test]
fn an_arf_of_standalone_content_carries_it_and_reads_back_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (benchmark, root) = injection_case(dir.path());
    let out = |name: &str| dir.path().join(name).display().to_string();
    stigrun()
        .args(["eval", "--benchmark", &benchmark.display().to_string(), "--root"])
        .arg(&root)
        .args(["--json", &out("r.json"), "--results-arf", &out("r.arf.xml")])
        .assert()
        .code(2);
    let arf_path = dir.path().join("r.arf.xml");
    support::xmllint_valid(&arf_path, &support::xsd("stigrun/arf-1.1-with-content.xsd"));
    oscap_ok(&["ds", "rds-validate", &out("r.arf.xml")]);
    let arf = std::fs::read_to_string(&arf_path).unwrap();
    let doc = roxmltree::Document::parse(&arf).unwrap();
    let collection = doc.descendants().find(|n| n.has_tag_name("data-stream-collection")).expect("a request");
    let catalog: Vec<_> = collection
        .descendants()
        .filter(|n| n.has_tag_name("uri"))
        .map(|n| (n.attribute("name").unwrap(), n.attribute("uri").unwrap()))
        .collect();
    assert_eq!(catalog, [("checks.oval.xml", "#scap_io.stigrun_cref_checks.oval.xml")]);

    // The composed data stream, on its own: valid for oscap, and oscap's result is stigrun's.
    let ds = dir.path().join("composed-ds.xml");
    std::fs::write(&ds, &arf[collection.range()]).unwrap();
    oscap_ok(&["ds", "sds-validate", &ds.display().to_string()]);
    let theirs = dir.path().join("oscap.xccdf.xml");
    let run = Process::new("oscap")
        .env("OSCAP_PROBE_ROOT", &root)
        .args(["xccdf", "eval", "--results"])
        .arg(&theirs)
        .arg(&ds)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    let theirs = std::fs::read_to_string(&theirs).unwrap();
    let rule = theirs.find("idref=\"xccdf_t_rule_log\"").expect("oscap evaluated the rule");
    assert!(theirs[rule..].trim_start().contains("<result>fail</result>"));

    // Read back elsewhere, with neither the benchmark nor its OVAL file at hand.
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("moved.arf.xml");
    std::fs::copy(&arf_path, &moved).unwrap();
    std::fs::remove_file(&benchmark).unwrap();
    std::fs::remove_file(dir.path().join("checks.oval.xml")).unwrap();
    let back = elsewhere.path().join("back.json");
    stigrun()
        .args(["report", "--format", "json", "--from"])
        .arg(&moved)
        .arg("--out")
        .arg(&back)
        .assert()
        .success();
    let back: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
    assert_eq!(back["benchmark"]["id"], "xccdf_t_benchmark_t");
    assert_eq!(back["rules"][0]["rule_id"], "xccdf_t_rule_log");
    assert_eq!(back["rules"][0]["result"], "fail");
    assert_eq!(back["rules"][0]["title"], "log driver", "the benchmark's text came from the ARF");

    // From the JSON results the ARF needs the content again: gone, so no ARF (the OVAL
    // definitions cannot be copied); changed, so no report request (it would not be what was scanned).
    stigrun()
        .args(["report", "--format", "arf", "--from", &out("r.json"), "--out", &out("again.arf.xml")])
        .assert()
        .failure();
    injection_case(dir.path());
    let mut changed = std::fs::read_to_string(&benchmark).unwrap();
    changed.push_str("<!-- edited after the scan -->\n");
    std::fs::write(&benchmark, changed).unwrap();
    let assert = stigrun()
        .args(["report", "--format", "arf", "--from", &out("r.json"), "--out", &out("again.arf.xml")])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("has changed since the scan"), "{stderr}");
    assert!(!std::fs::read_to_string(out("again.arf.xml")).unwrap().contains("data-stream-collection"));
}
