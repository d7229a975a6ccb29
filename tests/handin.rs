//! Hand-in formats (issue 12): STIG Viewer checklists (CKL, CKLB) compared field by field with real
//! STIG Viewer files and validated against DISA's schema, the asset identity in every format, and
//! conversions of other tools' results.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{data, xmllint_valid, xsd};

fn stigrun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stigrun"))
}

fn run_ok(cmd: &mut Command, codes: &[i32]) -> String {
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(codes.contains(&code), "exit {code}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `eval` of the built-in Docker EE STIG on the non-compliant fixture node with an assessor's asset
/// identity, writing JSON and both checklists into `dir`.
fn docker_ee_scan(dir: &Path, extra: &[&str]) -> PathBuf {
    let node = support::repo().join("tests/fixtures/docker-ee/noncompliant");
    run_ok(
        stigrun()
            .args(["eval", "--benchmark", "docker-ee", "--root"])
            .arg(&node)
            .args(["--hostname", "node-3", "--ip", "10.1.2.3", "--mac", "02:42:AC:11:00:02"])
            .args(["--role", "member server", "--marking", "CUI"])
            .args(extra)
            .arg("--json")
            .arg(dir.join("r.json"))
            .arg("--ckl")
            .arg(dir.join("r.ckl"))
            .arg("--cklb")
            .arg(dir.join("r.cklb"))
            .arg("--results-arf")
            .arg(dir.join("r.arf.xml")),
        &[2],
    );
    dir.join("r.json")
}

fn children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(|n| n.is_element())
}

fn child_text(node: roxmltree::Node, name: &str) -> String {
    children(node).find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap_or_default().to_string()
}

/// The element names under ASSET, the SID_NAMEs of STIG_INFO, and per VULN its element names with the
/// STIG_DATA attribute names (repeats of LEGACY_ID and CCI_REF collapsed, as their count varies).
struct CklShape {
    asset: Vec<String>,
    stig_info: Vec<String>,
    vuln: BTreeSet<Vec<String>>,
    statuses: BTreeSet<String>,
}

fn ckl_shape(xml: &str) -> CklShape {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    let asset = children(root).find(|n| n.has_tag_name("ASSET")).unwrap();
    let stig = doc.descendants().find(|n| n.has_tag_name("iSTIG")).unwrap();
    let info = children(stig).find(|n| n.has_tag_name("STIG_INFO")).unwrap();
    let mut vuln = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for v in children(stig).filter(|n| n.has_tag_name("VULN")) {
        let mut names: Vec<String> = Vec::new();
        for c in children(v) {
            let name = if c.has_tag_name("STIG_DATA") {
                child_text(c, "VULN_ATTRIBUTE")
            } else {
                c.tag_name().name().to_string()
            };
            if names.last() != Some(&name) {
                names.push(name);
            }
        }
        vuln.insert(names);
        statuses.insert(child_text(v, "STATUS"));
    }
    CklShape {
        asset: children(asset).map(|c| c.tag_name().name().to_string()).collect(),
        stig_info: children(info).map(|c| child_text(c, "SID_NAME")).collect(),
        vuln,
        statuses,
    }
}

/// The VULN of `vuln_id`: its STIG_DATA pairs, status and finding details.
fn ckl_vuln(xml: &str, vuln_id: &str) -> (Vec<(String, String)>, String, String) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let v = doc
        .descendants()
        .filter(|n| n.has_tag_name("VULN"))
        .find(|v| children(*v).any(|c| child_text(c, "ATTRIBUTE_DATA") == vuln_id))
        .unwrap_or_else(|| panic!("no VULN {vuln_id}"));
    let data = children(v)
        .filter(|c| c.has_tag_name("STIG_DATA"))
        .map(|c| (child_text(c, "VULN_ATTRIBUTE"), child_text(c, "ATTRIBUTE_DATA")))
        .collect();
    (data, child_text(v, "STATUS"), child_text(v, "FINDING_DETAILS"))
}

const CKL_STATUSES: [&str; 4] = ["NotAFinding", "Open", "Not_Applicable", "Not_Reviewed"];
const CKLB_STATUSES: [&str; 4] = ["not_a_finding", "open", "not_applicable", "not_reviewed"];

#[test]
fn ckl_validates_and_matches_stig_viewer_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    docker_ee_scan(dir.path(), &[]);
    let ckl = dir.path().join("r.ckl");
    xmllint_valid(&ckl, &xsd("disa/U_Checklist_Schema_V2.xsd"));
    let ours = ckl_shape(&std::fs::read_to_string(&ckl).unwrap());
    // STIG Viewer 2.17's own file (with a marking, as ours has one).
    let viewer = ckl_shape(&std::fs::read_to_string(data("checklists/ckl/small_ckl_overrides.ckl")).unwrap());
    assert_eq!(ours.asset, viewer.asset);
    assert_eq!(ours.stig_info, viewer.stig_info);
    // Rules DISA added since the ids were renumbered have no legacy ids; all others are laid out
    // exactly as STIG Viewer lays out its own.
    assert_eq!(viewer.vuln.len(), 1);
    let reference = viewer.vuln.iter().next().unwrap();
    assert!(ours.vuln.contains(reference), "VULN element and STIG_DATA attribute order");
    let without_legacy: Vec<String> = reference.iter().filter(|n| *n != "LEGACY_ID").cloned().collect();
    for shape in &ours.vuln {
        assert!(shape == reference || *shape == without_legacy, "{shape:?}");
    }
    assert!(ours.statuses.iter().all(|s| CKL_STATUSES.contains(&s.as_str())), "{:?}", ours.statuses);
    assert!(ours.statuses.contains("Open") && ours.statuses.contains("NotAFinding"), "{:?}", ours.statuses);

    let xml = std::fs::read_to_string(&ckl).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let asset = doc.descendants().find(|n| n.has_tag_name("ASSET")).unwrap();
    assert_eq!(child_text(asset, "HOST_NAME"), "node-3");
    assert_eq!(child_text(asset, "HOST_IP"), "10.1.2.3");
    assert_eq!(child_text(asset, "HOST_MAC"), "02:42:ac:11:00:02");
    assert_eq!(child_text(asset, "ROLE"), "Member Server");
    assert_eq!(child_text(asset, "MARKING"), "CUI");
    assert!(
        xml.contains("<SID_DATA>U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml</SID_DATA>")
    );
    let (data, status, details) = ckl_vuln(&xml, "V-235833");
    let get =
        |name: &str| data.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    assert_eq!(get("Rule_ID"), ["SV-235833r961395_rule"]);
    assert_eq!(get("Rule_Ver"), ["DKER-EE-003320"]);
    assert_eq!(get("CCI_REF"), ["CCI-001851"]);
    assert_eq!(get("Group_Title"), ["SRG-APP-000358"]);
    assert!(get("Check_Content")[0].contains("log-driver"), "{:?}", get("Check_Content"));
    assert_eq!(status, "Open");
    assert!(details.contains("fail") && details.contains("log-driver"), "{details}");
}

fn keys(value: &serde_json::Value) -> Vec<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn cklb_matches_stig_viewer_3_and_its_ids_are_stable_across_reruns() {
    let dir = tempfile::tempdir().unwrap();
    docker_ee_scan(dir.path(), &[]);
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let ours = read(&dir.path().join("r.cklb"));
    let viewer = read(&data("checklists/cklb/Test_ASD_Checklist_STIGViewer3.7.0.cklb"));
    assert_eq!(keys(&ours), keys(&viewer), "top-level fields in STIG Viewer 3.7.0's order");
    assert_eq!(keys(&ours["target_data"]), keys(&viewer["target_data"]));
    let (our_stig, viewer_stig) = (&ours["stigs"][0], &viewer["stigs"][0]);
    assert_eq!(keys(our_stig), keys(viewer_stig));
    let rules = our_stig["rules"].as_array().unwrap();
    assert_eq!(our_stig["size"].as_u64().unwrap() as usize, rules.len());
    for rule in rules {
        assert_eq!(keys(rule), keys(&viewer_stig["rules"][0]), "rule fields in STIG Viewer 3.7.0's order");
        assert!(CKLB_STATUSES.contains(&rule["status"].as_str().unwrap()), "{}", rule["status"]);
        assert_eq!(rule["stig_uuid"], our_stig["uuid"]);
    }
    let rule = rules.iter().find(|r| r["group_id"] == "V-235833").unwrap();
    assert_eq!(rule["ccis"], serde_json::json!(["CCI-001851"]));
    assert_eq!(rule["rule_id"], "SV-235833r961395");
    assert_eq!(rule["status"], "open");
    assert_eq!(ours["target_data"]["host_name"], "node-3");
    assert_eq!(ours["target_data"]["role"], "Member Server");
    assert_eq!(ours["target_data"]["classification"], "CUI");

    // A second scan of the same target: the same checklist and rule ids.
    let again = tempfile::tempdir().unwrap();
    docker_ee_scan(again.path(), &[]);
    let second = read(&again.path().join("r.cklb"));
    assert_eq!(second["id"], ours["id"]);
    let ids = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["stigs"][0]["rules"].as_array().unwrap().iter().map(|r| r["uuid"].clone()).collect()
    };
    assert_eq!(ids(&second), ids(&ours));
    assert_eq!(
        ids(&ours).iter().map(|v| v.to_string()).collect::<BTreeSet<_>>().len(),
        rules.len(),
        "one id per rule"
    );
}

#[test]
fn the_asset_identity_reaches_the_arf_and_a_target_file_works_too() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.toml");
    std::fs::write(
        &target,
        "hostname = \"from-file\"\nfqdn = \"node-3.example.mil\"\ntech_area = \"unix os\"\n",
    )
    .unwrap();
    docker_ee_scan(dir.path(), &["--target-file", target.to_str().unwrap()]);
    let arf = std::fs::read_to_string(dir.path().join("r.arf.xml")).unwrap();
    // The command line wins over the file; the file fills the rest.
    assert!(arf.contains("<ai:hostname>node-3</ai:hostname>") || arf.contains(">node-3<"), "hostname");
    assert!(arf.contains("node-3.example.mil") && arf.contains("10.1.2.3"), "fqdn and ip in the arf");
    let ckl = std::fs::read_to_string(dir.path().join("r.ckl")).unwrap();
    assert!(
        ckl.contains("<TECH_AREA>UNIX OS</TECH_AREA>")
            && ckl.contains("<HOST_FQDN>node-3.example.mil</HOST_FQDN>")
    );
    // A role STIG Viewer does not know is refused, naming the option.
    let out = stigrun()
        .args(["report", "--format", "ckl", "--role", "server", "--from"])
        .arg(dir.path().join("r.json"))
        .arg("--out")
        .arg(dir.path().join("x.ckl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`role` is `server`"));
}

/// rule id (as checklists name it) → the result the source file gives.
fn source_results(xml: &str) -> std::collections::BTreeMap<String, String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rule-result"))
        .map(|rr| {
            let id = rr.attribute("idref").unwrap();
            let id = id.strip_prefix("xccdf_mil.disa.stig_rule_").unwrap_or(id).to_string();
            (id, child_text(rr, "result"))
        })
        .collect()
}

fn ckl_status_of(result: &str) -> Option<&'static str> {
    match result {
        "pass" | "fixed" => Some("NotAFinding"),
        "fail" => Some("Open"),
        "notapplicable" => Some("Not_Applicable"),
        "notselected" => None,
        _ => Some("Not_Reviewed"),
    }
}

/// oscap's ARF and SCC's XCCDF results become schema-valid checklists whose statuses are the source's
/// results in STIG Viewer's words, rule by rule.
#[test]
fn oscap_arf_and_scc_xccdf_results_convert_to_valid_checklists_with_the_right_statuses() {
    let dir = tempfile::tempdir().unwrap();
    for (source, expected_rules) in
        [("results/arf/test_xccdf_overrides.arf.xml", 24), ("results/xccdf/xccdf-results-scc-rhel7.xml", 178)]
    {
        let from = data(source);
        let ckl = dir.path().join("c.ckl");
        let cklb = dir.path().join("c.cklb");
        for (format, out) in [("ckl", &ckl), ("cklb", &cklb)] {
            run_ok(
                stigrun().args(["report", "--format", format, "--from"]).arg(&from).arg("--out").arg(out),
                &[0],
            );
        }
        xmllint_valid(&ckl, &xsd("disa/U_Checklist_Schema_V2.xsd"));
        let expected = source_results(&std::fs::read_to_string(&from).unwrap());
        let xml = std::fs::read_to_string(&ckl).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let mut seen = 0;
        for vuln in doc.descendants().filter(|n| n.has_tag_name("VULN")) {
            let rule_id = children(vuln)
                .find(|c| child_text(*c, "VULN_ATTRIBUTE") == "Rule_ID")
                .map(|c| child_text(c, "ATTRIBUTE_DATA"))
                .unwrap();
            let result =
                expected.get(&rule_id).unwrap_or_else(|| panic!("{source}: {rule_id} is not in the source"));
            assert_eq!(
                Some(child_text(vuln, "STATUS").as_str()),
                ckl_status_of(result),
                "{source}: {rule_id}"
            );
            seen += 1;
        }
        let assessed = expected.values().filter(|r| *r != "notselected").count();
        assert_eq!((seen, assessed), (expected_rules, expected_rules), "{source}: every assessed rule, once");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cklb).unwrap()).unwrap();
        let rules = json["stigs"][0]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), expected_rules);
        for rule in rules {
            let result = &expected[rule["rule_id_src"].as_str().unwrap()];
            let ckl = ckl_status_of(result).unwrap();
            let cklb = CKLB_STATUSES[CKL_STATUSES.iter().position(|s| *s == ckl).unwrap()];
            assert_eq!(rule["status"], cklb, "{source}: {}", rule["rule_id_src"]);
        }
    }
    // SCC's target facts name the asset.
    let xml = std::fs::read_to_string(dir.path().join("c.ckl")).unwrap();
    assert!(xml.contains("<HOST_NAME>LOCKDOWN</HOST_NAME>"));
}

/// stigrun's own XCCDF results read back give the same checklist statuses as the scan.
#[test]
fn stigrun_xccdf_results_read_back_into_the_same_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let json = docker_ee_scan(dir.path(), &[]);
    let xccdf = dir.path().join("r.xccdf.xml");
    run_ok(
        stigrun().args(["report", "--format", "xccdf", "--from"]).arg(&json).arg("--out").arg(&xccdf),
        &[0],
    );
    let again = dir.path().join("again.ckl");
    run_ok(
        stigrun().args(["report", "--format", "ckl", "--from"]).arg(&xccdf).arg("--out").arg(&again),
        &[0],
    );
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let count = |xml: &str, s: &str| xml.matches(&format!("<STATUS>{s}</STATUS>")).count();
    let (first, second) = (read(&dir.path().join("r.ckl")), read(&again));
    for s in CKL_STATUSES {
        assert_eq!(count(&first, s), count(&second, s), "{s}");
    }
    assert_eq!(ckl_vuln(&second, "V-235833").1, "Open");
}

fn hdf_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(xsd("hdf/exec-json.json")).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_hdf_valid(validator: &jsonschema::Validator, file: &Path) -> serde_json::Value {
    let hdf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&hdf).take(10).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{} is not valid HDF:\n{}", file.display(), errors.join("\n"));
    hdf
}

/// HDF from a scan and from oscap's and SCC's results validates against the exec-json schema; the
/// validator itself accepts Heimdall's own samples and rejects a broken document.
#[test]
fn hdf_validates_against_the_hdf_schema_with_stig_tags_and_evidence() {
    let validator = hdf_validator();
    for sample in ["hdf/minimal-hdf.json", "hdf/small_overrides_hdf.json"] {
        assert_hdf_valid(&validator, &data(sample));
    }
    assert!(!validator.is_valid(
        &serde_json::json!({"platform": {"name": "x"}, "profiles": [], "statistics": {}, "version": "1"})
    ));

    let dir = tempfile::tempdir().unwrap();
    let json = docker_ee_scan(dir.path(), &[]);
    let hdf_path = dir.path().join("r.hdf.json");
    run_ok(
        stigrun().args(["report", "--format", "hdf", "--from"]).arg(&json).arg("--out").arg(&hdf_path),
        &[0],
    );
    let hdf = assert_hdf_valid(&validator, &hdf_path);
    let controls = hdf["profiles"][0]["controls"].as_array().unwrap();
    let control = controls.iter().find(|c| c["id"] == "V-235833").unwrap();
    assert_eq!(control["tags"]["cci"], serde_json::json!(["CCI-001851"]));
    assert!(
        control["tags"]["nist"].as_array().unwrap().contains(&serde_json::json!("AU-4 (1)")),
        "{}",
        control["tags"]
    );
    assert_eq!(control["tags"]["rid"], "SV-235833r961395_rule");
    assert_eq!(control["tags"]["stig_id"], "DKER-EE-003320");
    assert_eq!(control["results"][0]["status"], "failed");
    assert!(control["results"][0]["message"].as_str().unwrap().contains("log-driver"));
    assert!(control["descriptions"].as_array().unwrap().iter().any(|d| d["label"] == "check"));

    for source in ["results/arf/test_xccdf_overrides.arf.xml", "results/xccdf/xccdf-results-scc-rhel7.xml"] {
        let out = dir.path().join("c.hdf.json");
        run_ok(
            stigrun().args(["report", "--format", "hdf", "--from"]).arg(data(source)).arg("--out").arg(&out),
            &[0],
        );
        assert_hdf_valid(&validator, &out);
    }
}

/// Replace the VULN of `vuln_id` in a CKL with `edit` of it.
fn edit_vuln(xml: &str, vuln_id: &str, edit: impl FnOnce(&str) -> String) -> String {
    let at = xml.find(&format!("<ATTRIBUTE_DATA>{vuln_id}</ATTRIBUTE_DATA>")).unwrap();
    let start = xml[..at].rfind("<VULN>").unwrap();
    let end = at + xml[at..].find("</VULN>").unwrap() + "</VULN>".len();
    format!("{}{}{}", &xml[..start], edit(&xml[start..end]), &xml[end..])
}

fn answered(block: &str, status: &str, details: &str, comments: &str) -> String {
    let from = block.find("<STATUS>").unwrap();
    let to = block.find("<SEVERITY_OVERRIDE>").unwrap();
    format!(
        "{}<STATUS>{status}</STATUS><FINDING_DETAILS>{details}</FINDING_DETAILS><COMMENTS>{comments}</COMMENTS>{}",
        &block[..from],
        &block[to..]
    )
}

/// A V2R1 checklist with an assessor's manual answers, applied to a V2R2 scan: the answers of
/// unchanged rules are carried (their rule ids all changed revision between the releases), a rule
/// whose check text changed is listed for re-review, a rule V2R2 does not have is listed as
/// unmatched, and the V2R1 scan's own automated results do not override the new scan's.
#[test]
fn a_v2r1_checklist_carries_its_answers_to_a_v2r2_scan() {
    let dir = tempfile::tempdir().unwrap();
    let node = support::repo().join("tests/fixtures/docker-ee/noncompliant");
    let old = dir.path().join("v2r1.ckl");
    run_ok(
        stigrun().args(["eval", "--benchmark", "docker-ee@V2R1", "--root"]).arg(&node).arg("--ckl").arg(&old),
        &[2],
    );
    let mut xml = std::fs::read_to_string(&old).unwrap();
    assert!(
        xml.contains("SV-235778r627497_rule") || xml.contains("<ATTRIBUTE_DATA>V-235778</ATTRIBUTE_DATA>")
    );
    xml = edit_vuln(&xml, "V-235778", |b| {
        answered(
            b,
            "NotAFinding",
            "UCP audit level is request (ticket 4711).",
            "Checked in the UCP admin console.",
        )
    });
    xml = edit_vuln(&xml, "V-235780", |b| answered(b, "Not_Applicable", "", "No DTR in this cluster."));
    // The assessor reviewed V-235781 against a check text V2R2 no longer has.
    xml = edit_vuln(&xml, "V-235781", |b| {
        let from = b.find("<VULN_ATTRIBUTE>Check_Content</VULN_ATTRIBUTE>").unwrap();
        let data = from + b[from..].find("<ATTRIBUTE_DATA>").unwrap() + "<ATTRIBUTE_DATA>".len();
        let end = data + b[data..].find("</ATTRIBUTE_DATA>").unwrap();
        answered(
            &format!("{}Review the old console page.{}", &b[..data], &b[end..]),
            "Open",
            "Old finding.",
            "",
        )
    });
    // A rule V2R2 does not have.
    xml = edit_vuln(&xml, "V-235782", |b| {
        let b = b.replace(
            "<ATTRIBUTE_DATA>V-235782</ATTRIBUTE_DATA>",
            "<ATTRIBUTE_DATA>V-999999</ATTRIBUTE_DATA>",
        );
        let rule = b.find("<VULN_ATTRIBUTE>Rule_ID</VULN_ATTRIBUTE>").unwrap();
        let data = rule + b[rule..].find("<ATTRIBUTE_DATA>").unwrap() + "<ATTRIBUTE_DATA>".len();
        let end = data + b[data..].find("</ATTRIBUTE_DATA>").unwrap();
        let b = format!("{}SV-999999r1_rule{}", &b[..data], &b[end..]);
        let ver = b.find("<VULN_ATTRIBUTE>Rule_Ver</VULN_ATTRIBUTE>").unwrap();
        let data = ver + b[ver..].find("<ATTRIBUTE_DATA>").unwrap() + "<ATTRIBUTE_DATA>".len();
        let end = data + b[data..].find("</ATTRIBUTE_DATA>").unwrap();
        answered(&format!("{}XX-000001{}", &b[..data], &b[end..]), "NotAFinding", "Gone rule.", "")
    });
    // An assessor's verdict on a rule the scan decides: named, not applied.
    xml = edit_vuln(&xml, "V-235833", |b| {
        answered(b, "NotAFinding", "Logs go to the SIEM.", "False positive?")
    });
    std::fs::write(&old, &xml).unwrap();
    xmllint_valid(&old, &xsd("disa/U_Checklist_Schema_V2.xsd"));

    let new = dir.path().join("v2r2.ckl");
    let hdf = dir.path().join("v2r2.hdf.json");
    let stderr = run_ok(
        stigrun()
            .args(["eval", "--benchmark", "docker-ee", "--root"])
            .arg(&node)
            .arg("--answers")
            .arg(&old)
            .arg("--ckl")
            .arg(&new)
            .arg("--hdf")
            .arg(&hdf),
        &[2],
    );
    assert!(stderr.contains("answers from"), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("answers from")).unwrap();
    // Two answers carried by SV id (every rule id changed revision); the V2R1 scan's own results
    // are recognised as such and decided again.
    assert!(line.contains(": 3 carried (3 by SV id, 0 by V-ID, 0 by STIG ID)"), "{line}");
    assert!(line.contains("95 earlier scan results"), "{line}");
    assert!(stderr.contains("check text changed") && stderr.contains("V-235781 SV-235781r"), "{stderr}");
    assert!(
        stderr.contains("match no rule") && stderr.contains("V-999999 (SV-999999r1_rule, XX-000001)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 carried answer(s) not applied, the scan decided those rules itself: ")
            && stderr.contains("SV-235833r961395_rule"),
        "{stderr}"
    );

    let xml = std::fs::read_to_string(&new).unwrap();
    let (_, status, details) = ckl_vuln(&xml, "V-235778");
    assert_eq!(
        (status.as_str(), details.as_str()),
        ("NotAFinding", "UCP audit level is request (ticket 4711).")
    );
    assert!(xml.contains("Checked in the UCP admin console."));
    assert_eq!(ckl_vuln(&xml, "V-235780").1, "Not_Applicable");
    assert_eq!(ckl_vuln(&xml, "V-235781").1, "Not_Reviewed", "a changed rule is reviewed again");
    assert_eq!(ckl_vuln(&xml, "V-235833").1, "Open", "the new scan's own result stands");
    assert_eq!(ckl_vuln(&xml, "V-265885").1, "Not_Reviewed", "V2R2's new rule");
    let hdf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&hdf).unwrap()).unwrap();
    let control =
        hdf["profiles"][0]["controls"].as_array().unwrap().iter().find(|c| c["id"] == "V-235778").unwrap();
    assert_eq!(control["attestation_data"]["status"], "passed");
    assert!(hdf_validator().is_valid(&hdf));
}

/// The text of an XLSX's cells (its shared strings), through `unzip`.
fn xlsx_strings(file: &Path) -> String {
    // unzip has no --version for support::require_tool.
    let present = Command::new("unzip").arg("-v").output().is_ok_and(|o| o.status.success());
    assert!(present, "this test needs `unzip`: install it with `sudo apt-get install unzip` (.ci/run does)");
    let out = Command::new("unzip").arg("-p").arg(file).arg("xl/sharedStrings.xml").output().unwrap();
    assert!(out.status.success(), "{} is not an xlsx workbook", file.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// eMASS rows: one per CCI, non-compliant when any of its rules is open; the same rows in CSV and
/// XLSX, and REST bodies for the decided ones.
#[test]
fn emass_rows_are_one_per_cci_in_csv_xlsx_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = docker_ee_scan(dir.path(), &[]);
    let out = |name: &str| dir.path().join(name);
    for (format, name) in [("emass-csv", "e.csv"), ("emass-xlsx", "e.xlsx"), ("emass-json", "e.json")] {
        run_ok(
            stigrun().args(["report", "--format", format, "--from"]).arg(&json).arg("--out").arg(out(name)),
            &[0],
        );
    }
    let csv = std::fs::read_to_string(out("e.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Control Acronym,CCI,Assessment Procedure,Test Date,Tested By,Description,Compliance Status"
    );
    let rows: Vec<&str> = lines.collect();
    let ccis: BTreeSet<&str> = rows.iter().map(|r| r.split(',').nth(1).unwrap()).collect();
    assert_eq!(ccis.len(), rows.len(), "one row per CCI");
    let row = rows.iter().find(|r| r.contains(",CCI-001851,")).unwrap();
    assert!(row.starts_with("AU-4 (1),CCI-001851,") && row.ends_with(",Non-Compliant"), "{row}");
    assert!(row.contains("V-235833 (DKER-EE-003320): Open"), "{row}");
    let strings = xlsx_strings(&out("e.xlsx"));
    assert!(
        strings.contains("CCI-001851")
            && strings.contains("Non-Compliant")
            && strings.contains("Compliance Status")
    );
    let bodies: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out("e.json")).unwrap()).unwrap();
    let body = bodies.as_array().unwrap().iter().find(|b| b["cci"] == "001851").unwrap();
    assert_eq!(body["complianceStatus"], "Non-Compliant");
    assert!(body["testDate"].as_i64().unwrap() > 1_700_000_000);
    let decided = rows.iter().filter(|r| !r.ends_with(',')).count();
    assert_eq!(bodies.as_array().unwrap().len(), decided, "REST bodies for the CCIs with a status");
}

/// SV-235833 (V-235833, DKER-EE-003320) carries CCI-001851 in every format, and AU-4 (1), its
/// 800-53 control, in every format that has a place for controls.
#[test]
fn sv_235833_carries_cci_001851_and_au_4_1_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let json = docker_ee_scan(dir.path(), &[]);
    let formats = [
        ("json", false),
        ("xccdf", false),
        ("arf", false),
        ("html", true),
        ("ckl", false),
        ("cklb", false),
        ("hdf", true),
        ("emass-csv", true),
        ("emass-xlsx", true),
        ("emass-json", false),
    ];
    for (format, has_controls) in formats {
        let out = dir.path().join(format!("all.{format}"));
        run_ok(
            stigrun().args(["report", "--format", format, "--from"]).arg(&json).arg("--out").arg(&out),
            &[0],
        );
        let text =
            if format == "emass-xlsx" { xlsx_strings(&out) } else { std::fs::read_to_string(&out).unwrap() };
        // The part of the output about SV-235833, its texts included (the eMASS rows name it by V-ID
        // in the row of its CCI).
        let near = |needle: &str| -> bool {
            text.match_indices(needle).any(|(at, _)| {
                let lo = text[..at].char_indices().rev().nth(20_000).map_or(0, |(i, _)| i);
                let hi = text[at..].char_indices().nth(20_000).map_or(text.len(), |(i, _)| at + i);
                let window = &text[lo..hi];
                window.contains("CCI-001851") || window.contains("001851")
            })
        };
        let anchor = if format.starts_with("emass") { "V-235833" } else { "235833" };
        assert!(near(anchor), "{format}: SV-235833 with CCI-001851");
        if has_controls {
            assert!(text.contains("AU-4 (1)"), "{format}: AU-4 (1)");
        }
    }
}

/// DISA's description fields reach their own checklist columns (CKL STIG_DATA, CKLB fields), and the
/// STIG's description its STIG_INFO, as STIG Viewer fills them from the same XCCDF.
#[test]
fn disa_description_fields_fill_their_checklist_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (ckl, cklb) = (dir.path().join("rfid.ckl"), dir.path().join("rfid.cklb"));
    run_ok(
        stigrun()
            .args(["eval", "--benchmark"])
            .arg(data("stig/other/U_RFID_Workstation_V6R9_manual-xccdf.xml"))
            .arg("--root")
            .arg(dir.path())
            .arg("--ckl")
            .arg(&ckl)
            .arg("--cklb")
            .arg(&cklb),
        &[0, 2],
    );
    xmllint_valid(&ckl, &xsd("disa/U_Checklist_Schema_V2.xsd"));
    let xml = std::fs::read_to_string(&ckl).unwrap();
    let (data_of, _, _) = ckl_vuln(&xml, "V-14034");
    let get = |name: &str| data_of.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("IA_Controls"), "ECWN-1");
    assert_eq!(get("Responsibility"), "Information Assurance Officer");
    assert_eq!(get("Documentable"), "false");
    assert_eq!(get("Mitigations"), "");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let description = doc
        .descendants()
        .filter(|n| n.has_tag_name("SI_DATA"))
        .find(|n| child_text(*n, "SID_NAME") == "description")
        .map(|n| child_text(n, "SID_DATA"))
        .unwrap();
    assert!(!description.trim().is_empty(), "the STIG's description is in STIG_INFO");

    let cklb: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cklb).unwrap()).unwrap();
    let rule =
        cklb["stigs"][0]["rules"].as_array().unwrap().iter().find(|r| r["group_id"] == "V-14034").unwrap();
    assert_eq!(rule["ia_controls"], "ECWN-1");
    assert_eq!(rule["responsibility"], "Information Assurance Officer");
}

/// An assessor's severity override (answers file, with its justification) is written where STIG
/// Viewer and Heimdall keep one: CKL SEVERITY_OVERRIDE/SEVERITY_JUSTIFICATION beside DISA's own
/// severity, CKLB `overrides.severity`, HDF `severityoverride`/`severityjustification` (impact
/// from the override). Carried from that checklist to a new scan, it comes along on a rule the
/// scan cannot decide; on a rule the scan decides, the result stays the scan's (the console says
/// the answer was not carried) while the severity override, a decision about the rule, applies.
#[test]
fn severity_overrides_reach_every_checklist_format_and_carry_forward() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(
        &answers,
        r#"[[answer]]
rule = "DKER-EE-001080"
status = "pass"
finding_details = "UCP audit level is request."
who = "J. Assessor"
when = "2026-11-20"
severity = "low"
justification = "Compensated by the SIEM's own audit (POA&M 12)."

[[answer]]
rule = "DKER-EE-003320"
status = "fail"
finding_details = "Confirmed."
who = "J. Assessor"
when = "2026-11-20"
severity = "high"
justification = "Log loss on this enclave is CAT I."
"#,
    )
    .unwrap();
    let answers_arg = answers.to_string_lossy().into_owned();
    let hdf_path = dir.path().join("r.hdf.json");
    let hdf_arg = hdf_path.to_string_lossy().into_owned();
    docker_ee_scan(dir.path(), &["--answers", &answers_arg, "--hdf", &hdf_arg]);
    let xml = std::fs::read_to_string(dir.path().join("r.ckl")).unwrap();
    xmllint_valid(&dir.path().join("r.ckl"), &xsd("disa/U_Checklist_Schema_V2.xsd"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let vuln = |stig_id: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("VULN"))
            .find(|v| children(*v).any(|c| child_text(c, "ATTRIBUTE_DATA") == stig_id))
            .unwrap()
    };
    let severity_of = |v: roxmltree::Node| {
        children(v)
            .find(|c| child_text(*c, "VULN_ATTRIBUTE") == "Severity")
            .map(|c| child_text(c, "ATTRIBUTE_DATA"))
            .unwrap()
    };
    let audit = vuln("DKER-EE-001080");
    assert_eq!(severity_of(audit), "medium", "DISA's severity stays in the Severity column");
    assert_eq!(child_text(audit, "SEVERITY_OVERRIDE"), "low");
    assert_eq!(
        child_text(audit, "SEVERITY_JUSTIFICATION"),
        "Compensated by the SIEM's own audit (POA&M 12)."
    );
    let logs = vuln("DKER-EE-003320");
    assert_eq!(child_text(logs, "SEVERITY_OVERRIDE"), "high");
    let untouched = vuln("DKER-EE-001050");
    assert_eq!(child_text(untouched, "SEVERITY_OVERRIDE"), "");

    let cklb: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.cklb")).unwrap()).unwrap();
    let rules = cklb["stigs"][0]["rules"].as_array().unwrap();
    let audit = rules.iter().find(|r| r["rule_version"] == "DKER-EE-001080").unwrap();
    assert_eq!(audit["severity"], "medium");
    assert_eq!(audit["overrides"]["severity"]["severity"], "low");
    assert_eq!(audit["overrides"]["severity"]["reason"], "Compensated by the SIEM's own audit (POA&M 12).");
    let other = rules.iter().find(|r| r["rule_version"] == "DKER-EE-001050").unwrap();
    assert_eq!(other["overrides"], serde_json::json!({}));

    let hdf = assert_hdf_valid(&hdf_validator(), &hdf_path);
    let controls = hdf["profiles"][0]["controls"].as_array().unwrap();
    let audit = controls.iter().find(|c| c["tags"]["stig_id"] == "DKER-EE-001080").unwrap();
    assert_eq!(audit["tags"]["severity"], "medium");
    assert_eq!(audit["tags"]["severityoverride"], "low");
    assert_eq!(audit["impact"], 0.3);
    let other = controls.iter().find(|c| c["tags"]["stig_id"] == "DKER-EE-001050").unwrap();
    assert!(other["tags"].get("severityoverride").is_none());

    // Carried forward from the CKL and the CKLB alike.
    for checklist in ["r.ckl", "r.cklb"] {
        let again = dir.path().join(format!("again-{checklist}.ckl"));
        let stderr = run_ok(
            stigrun()
                .args(["eval", "--benchmark", "docker-ee", "--root"])
                .arg(support::repo().join("tests/fixtures/docker-ee/noncompliant"))
                .arg("--answers")
                .arg(dir.path().join(checklist))
                .arg("--ckl")
                .arg(&again)
                .arg("--report")
                .arg(dir.path().join("again.html")),
            &[2],
        );
        let html = std::fs::read_to_string(dir.path().join("again.html")).unwrap();
        assert!(html.contains("Severity override"), "{checklist}: the HTML report shows the override");
        assert!(html.contains("Log loss on this enclave is CAT I."), "{checklist}");
        let xml = std::fs::read_to_string(&again).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let audit = doc
            .descendants()
            .filter(|n| n.has_tag_name("VULN"))
            .find(|v| children(*v).any(|c| child_text(c, "ATTRIBUTE_DATA") == "DKER-EE-001080"))
            .unwrap();
        assert_eq!(child_text(audit, "SEVERITY_OVERRIDE"), "low", "{checklist}");
        assert_eq!(
            child_text(audit, "SEVERITY_JUSTIFICATION"),
            "Compensated by the SIEM's own audit (POA&M 12)."
        );
        assert!(stderr.contains("SV-235833r961395_rule"), "{checklist}: {stderr}");
        let logs = doc
            .descendants()
            .filter(|n| n.has_tag_name("VULN"))
            .find(|v| children(*v).any(|c| child_text(c, "ATTRIBUTE_DATA") == "DKER-EE-003320"))
            .unwrap();
        assert_eq!(child_text(logs, "STATUS"), "Open", "{checklist}: the scan's own result");
        assert!(
            !child_text(logs, "FINDING_DETAILS").contains("Confirmed."),
            "{checklist}: the old finding details are not carried over the scan's"
        );
        assert_eq!(child_text(logs, "SEVERITY_OVERRIDE"), "high", "{checklist}");
        assert_eq!(child_text(logs, "SEVERITY_JUSTIFICATION"), "Log loss on this enclave is CAT I.");
    }
}
