//! Builder tests over the embedded docker-ee content and the three built-in DISA releases.

use super::*;
use crate::catalog::builtin_benchmarks;

fn built(release: &str) -> Built {
    let b = builtin_benchmarks().iter().find(|b| b.release == release).unwrap();
    build_builtin(b).unwrap()
}

#[test]
fn v2r2_binds_every_node_rule_and_loads_back() {
    let content = AutomationContent::embedded().unwrap();
    let node = content.decisions.iter().filter(|d| d.check == CheckKind::Node).count();
    let out = built("V2R2");
    assert_eq!(out.report.automated.len(), node);
    assert!(out.report.rule_id_differs.is_empty() && out.report.node_rules_not_in_release.is_empty());
    let loaded = loader::load_benchmark(
        Input::Bytes { name: "ds.xml", bytes: out.xml.as_bytes() },
        &Selection::default(),
    )
    .unwrap();
    let bench = &loaded.benchmark;
    assert_eq!(bench.xccdf_version, XccdfVersion::V1_2);
    assert_eq!(bench.id, "xccdf_mil.disa.stig_benchmark_Docker_Enterprise_2-x_Linux-UNIX_STIG");
    assert_eq!(bench.rules.len(), 101);
    let rule = bench.rule("xccdf_mil.disa.stig_rule_SV-235833r961395_rule").unwrap();
    assert_eq!(rule.version.as_deref(), Some("DKER-EE-003320"));
    assert_eq!(rule.checks[0].system, xccdf12::OVAL_SYSTEM);
    assert_eq!(rule.checks[0].content_refs[0].name.as_deref(), Some("oval:io.stigrun.docker-ee:def:3320"));
    assert_eq!(rule.checks[0].exports.len(), 1);
    assert!(rule.checks[1].content.as_deref().unwrap_or_default().contains("log-driver"));
    // The OVAL href resolves through the catalog to the merged document.
    let oval = loaded.check_component(OVAL_HREF).unwrap();
    assert!(oval.xml().contains("oval:io.stigrun.docker-ee:def:3320"));
    // Every organisation-set value the checks export is an XCCDF Value with its default.
    let content_values = &content.values;
    assert_eq!(bench.values.len(), content_values.len());
    for v in content_values {
        let value = bench.value(&v.xccdf_value_id).unwrap();
        assert_eq!(value.value_for(None), Some(v.default[0].as_str()), "{}", v.xccdf_value_id);
        assert_eq!(value.defaults.len(), 1);
        assert_eq!(value.description.as_ref().map(|d| d.text.as_str()), Some(v.description.as_str()));
    }
    assert_eq!(bench.profiles.len(), 9);
    assert!(bench.profiles.iter().all(|p| p.id.starts_with("xccdf_mil.disa.stig_profile_")));
}

#[test]
fn disa_text_is_carried_over_unchanged() {
    let official = builtin_benchmarks().iter().find(|b| b.release == "V2R2").unwrap();
    let original =
        loader::load_benchmark(Input::Bytes { name: "o", bytes: official.bytes }, &Selection::default())
            .unwrap();
    let out = built("V2R2");
    let converted =
        loader::load_benchmark(Input::Bytes { name: "c", bytes: out.xml.as_bytes() }, &Selection::default())
            .unwrap();
    let (a, b) = (&original.benchmark, &converted.benchmark);
    assert_eq!(a.title, b.title);
    assert_eq!(a.description, b.description);
    assert_eq!(a.release_info, b.release_info);
    assert_eq!(a.statuses, b.statuses);
    assert_eq!(a.version, b.version);
    assert_eq!(a.references, b.references);
    for (ra, rb) in a.rules.iter().zip(&b.rules) {
        assert_eq!(rb.id(), xccdf12::rule_id(ra.id()));
        assert_eq!((&ra.common.title, &ra.common.description), (&rb.common.title, &rb.common.description));
        assert_eq!((&ra.idents, &ra.fixtexts, &ra.severity), (&rb.idents, &rb.fixtexts, &rb.severity));
        assert_eq!(ra.common.references, rb.common.references);
        let manual = rb.checks.last().unwrap();
        assert_eq!((&ra.checks[0].system, &ra.checks[0].content), (&manual.system, &manual.content));
    }
    for (pa, pb) in a.profiles.iter().zip(&b.profiles) {
        assert_eq!(pa.title, pb.title);
        assert_eq!(pa.selects.len(), pb.selects.len());
    }
}

#[test]
fn older_releases_bind_by_stig_id_and_say_what_does_not_map() {
    let v1 = built("V1R1");
    // V1R1 has other rule ids: every bound rule is reported as bound by STIG ID.
    assert!(!v1.report.automated.is_empty());
    assert_eq!(v1.report.rule_id_differs.len(), v1.report.automated.len());
    let v2r1 = built("V2R1");
    let v2r2 = built("V2R2");
    let total = v2r2.report.automated.len();
    assert_eq!(v2r1.report.automated.len() + v2r1.report.node_rules_not_in_release.len(), total);
    assert_eq!(v1.report.automated.len() + v1.report.node_rules_not_in_release.len(), total);
    assert!(v1.report.lines()[0].starts_with("V1R1: 100 rules"));
}

#[test]
fn builds_are_reproducible() {
    assert_eq!(built("V2R2").xml, built("V2R2").xml);
}

#[test]
fn escapes_markup_and_forbidden_characters() {
    assert_eq!(
        crate::escape::escape_xml_keep_lines("<a & \"b\">\n'\u{1}"),
        "&lt;a &amp; &quot;b&quot;&gt;\n&apos;\u{FFFD}"
    );
}

#[test]
fn an_unfed_external_variable_is_refused() {
    let mut content = AutomationContent::embedded().unwrap();
    content.values.retain(|v| !v.xccdf_value_id.ends_with("docker_log_driver_plugins"));
    let b = builtin_benchmarks().iter().find(|b| b.release == "V2R2").unwrap();
    let err = build(b.file_name, b.bytes, b.release, &content).unwrap_err();
    assert!(matches!(err, BuildError::UnboundVariable { .. }), "{err}");
}
