//! stigrun's XML outputs against the official schemas in `xsd/`, with xmllint and without oscap: XCCDF
//! 1.2 results, ARF 1.1 (checked whole through `xsd/stigrun/arf-1.1-with-content.xsd`) and OVAL 5.11.3
//! results. Also: the schema copies match their provenance, the catalog resolves the publishers'
//! locations offline, and the reference files of other tools (oscap's ARF, SCC's results, STIG Viewer
//! checklists) validate against the same copies, which shows the set is complete.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{data, xmllint_valid, xsd};

/// Files under xsd/ written for stigrun (listed apart in xsd/PROVENANCE.md, not checksummed).
const OWN: [&str; 8] = [
    "catalog.xml",
    "stigrun/arf-1.1-with-content.xsd",
    "stigrun/stigrun-docker-definitions-schema.xsd",
    "stigrun/stigrun-docker-definitions-schema-daemon.xsd",
    "stigrun/stigrun-docker-definitions-schema-engine.xsd",
    "stigrun/stigrun-docker-system-characteristics-schema.xsd",
    "stigrun/stigrun-docker-system-characteristics-schema-daemon.xsd",
    "stigrun/stigrun-docker-system-characteristics-schema-engine.xsd",
];

fn stigrun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stigrun"))
}

fn arf_schema() -> PathBuf {
    xsd("stigrun/arf-1.1-with-content.xsd")
}

#[test]
fn schemas_match_provenance() {
    support::check_provenance(&support::repo().join("xsd"), &OWN);
    let note = std::fs::read_to_string(xsd("PROVENANCE.md")).unwrap();
    for own in OWN {
        assert!(note.contains(&format!("- `{own}`")), "xsd/PROVENANCE.md does not describe {own}");
    }
}

/// Every catalog entry points at a file (or directory) here, and a schema that imports the official
/// schemas by their published URLs compiles and validates with the network off.
#[test]
fn catalog_maps_published_locations_to_the_copies() {
    let catalog = std::fs::read_to_string(xsd("catalog.xml")).unwrap();
    let doc = roxmltree::Document::parse(&catalog).unwrap();
    let mut entries = 0;
    for node in doc.descendants().filter(|n| n.is_element()) {
        let target = match node.tag_name().name() {
            "system" => node.attribute("uri"),
            "rewriteSystem" => node.attribute("rewritePrefix"),
            _ => continue,
        };
        let target = target.expect("catalog entry has a target");
        assert!(xsd(target).exists(), "catalog.xml maps to `{target}`, which is not under xsd/");
        entries += 1;
    }
    assert!(entries >= 10, "{entries} catalog entries");

    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("published.xsd");
    std::fs::write(
        &schema,
        r#"<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://checklists.nist.gov/xccdf/1.2" schemaLocation="http://scap.nist.gov/schema/xccdf/1.2/xccdf_1.2.xsd"/>
  <xs:import namespace="http://scap.nist.gov/schema/asset-reporting-format/1.1" schemaLocation="https://scap.nist.gov/schema/asset-reporting-format/1.1/asset-reporting-format_1.1.0.xsd"/>
</xs:schema>
"#,
    )
    .unwrap();
    xmllint_valid(&data("results/xccdf/openscap_stig-viewer_testresult.xml"), &schema);
    xmllint_valid(&data("results/arf/test_xccdf_overrides.arf.xml"), &schema);
}

/// Files written by oscap, DISA SCC and STIG Viewer are valid against the copies: the set holds what
/// real results and checklists use.
#[test]
fn reference_files_of_other_tools_validate() {
    xmllint_valid(&data("results/arf/test_xccdf_overrides.arf.xml"), &arf_schema());
    for results in
        ["results/xccdf/xccdf-results-scc-rhel7.xml", "results/xccdf/openscap_stig-viewer_testresult.xml"]
    {
        xmllint_valid(&data(results), &xsd("xccdf/1.2/xccdf_1.2.xsd"));
    }
    let checklists = std::fs::read_dir(data("checklists/ckl")).unwrap();
    let mut count = 0;
    for entry in checklists {
        xmllint_valid(&entry.unwrap().path(), &xsd("disa/U_Checklist_Schema_V2.xsd"));
        count += 1;
    }
    assert_eq!(count, 3, "the CKL samples of tests/data");
}

/// The HDF samples carry every top-level field the HDF schema requires (the full JSON Schema check of
/// stigrun's HDF is `checklist_and_hdf_validate_against_disa_and_hdf_schemas`).
#[test]
fn hdf_samples_have_the_fields_the_schema_requires() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(xsd("hdf/exec-json.json")).unwrap()).unwrap();
    let required: Vec<&str> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["platform", "profiles", "statistics", "version"]);
    for sample in ["hdf/minimal-hdf.json", "hdf/small_overrides_hdf.json"] {
        let hdf: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(data(sample)).unwrap()).unwrap();
        for field in &required {
            assert!(hdf.get(field).is_some(), "{sample} lacks `{field}`");
        }
    }
}

/// `stigrun eval` of the built-in Docker EE STIG on a fixture node (read only: scanning changes
/// nothing), with every output, and `report --from` the JSON again.
fn docker_ee_outputs(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let node = support::repo().join("tests/fixtures/docker-ee/noncompliant");
    let out = |name: &str| dir.join(name);
    let run = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root"])
        .arg(&node)
        .arg("--json")
        .arg(out("r.json"))
        .arg("--results")
        .arg(out("r.xccdf.xml"))
        .arg("--results-arf")
        .arg(out("r.arf.xml"))
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(2),
        "rules fail on this node: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    for (format, file, thin) in
        [("xccdf", "again.xccdf.xml", false), ("arf", "again.arf.xml", false), ("arf", "thin.arf.xml", true)]
    {
        let mut report = stigrun();
        report
            .arg("report")
            .arg("--from")
            .arg(out("r.json"))
            .args(["--format", format, "--out"])
            .arg(out(file));
        if thin {
            report.arg("--thin");
        }
        let run = report.output().unwrap();
        assert!(run.status.success(), "report {format}: {}", String::from_utf8_lossy(&run.stderr));
    }
    let xccdf = xsd("xccdf/1.2/xccdf_1.2.xsd");
    vec![
        (out("r.xccdf.xml"), xccdf.clone()),
        (out("again.xccdf.xml"), xccdf),
        (out("r.arf.xml"), arf_schema()),
        (out("again.arf.xml"), arf_schema()),
        (out("thin.arf.xml"), arf_schema()),
    ]
}

#[test]
fn xccdf_results_and_arf_validate_against_the_official_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = docker_ee_outputs(dir.path());
    for (file, schema) in &outputs {
        xmllint_valid(file, schema);
    }
    // The driver schema checks what the ARF carries, not only its envelope: a result XCCDF does not
    // know passes the ARF schema alone and fails through the driver.
    let arf = std::fs::read_to_string(dir.path().join("r.arf.xml")).unwrap();
    assert!(arf.contains("<result>fail</result>") && arf.contains("<oval_results"));
    let broken = dir.path().join("broken.arf.xml");
    std::fs::write(&broken, arf.replacen("<result>fail</result>", "<result>failed</result>", 1)).unwrap();
    xmllint_valid(&broken, &xsd("arf/1.1/asset-reporting-format_1.1.0.xsd"));
    let run = Command::new("xmllint")
        .env("XML_CATALOG_FILES", xsd("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(arf_schema())
        .arg(&broken)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("'failed' is not an element of the set"), "{stderr}");
}

/// `oval eval --results` on every differential case (checked-in roots, scanned read only): each OVAL
/// results document, with its system characteristics, is valid OVAL 5.11.3.
#[test]
fn oval_results_of_every_case_validate_against_the_official_schema() {
    let cases = support::repo().join("tests/oval/cases");
    let dir = tempfile::tempdir().unwrap();
    let schema = xsd("oval/5.11.3/oval-results-schema.xsd");
    let mut names: Vec<String> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| cases.join(name).join("definitions.xml").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{} cases", names.len());
    for name in &names {
        let case = cases.join(name);
        let results = dir.path().join(format!("{name}.xml"));
        let mut cmd = stigrun();
        cmd.args(["oval", "eval"]).arg(case.join("definitions.xml")).arg("--results").arg(&results);
        if case.join("root").is_dir() {
            cmd.arg("--root").arg(case.join("root"));
        }
        if case.join("variables.xml").is_file() {
            cmd.arg("--variables").arg(case.join("variables.xml"));
        }
        let run = cmd.output().unwrap();
        assert!(results.is_file(), "{name}: no results written: {}", String::from_utf8_lossy(&run.stderr));
        xmllint_valid(&results, &schema);
    }
}

/// The hand-in formats against their official schemas, from oscap's ARF (no scan): the CKL against
/// DISA's checklist schema, the HDF against MITRE's exec-json schema (tests/handin.rs checks them
/// from scans and field by field against STIG Viewer's own files).
#[test]
fn checklist_and_hdf_validate_against_disa_and_hdf_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let from = data("results/arf/test_xccdf_overrides.arf.xml");
    for format in ["ckl", "hdf"] {
        let run = stigrun()
            .args(["report", "--format", format, "--from"])
            .arg(&from)
            .arg("--out")
            .arg(dir.path().join(format))
            .output()
            .unwrap();
        assert!(run.status.success(), "report {format}: {}", String::from_utf8_lossy(&run.stderr));
    }
    xmllint_valid(&dir.path().join("ckl"), &xsd("disa/U_Checklist_Schema_V2.xsd"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(xsd("hdf/exec-json.json")).unwrap()).unwrap();
    let hdf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("hdf")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&hdf).take(5).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}
