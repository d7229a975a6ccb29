use super::*;
use crate::model::oval::{Datatype, Family, ItemValue};
use crate::semantics::CollectedFlag;
use crate::semantics::OvalResult;

/// A small ARF as oscap writes it: one rule passes, one fails, one OVAL report with file items.
const ARF: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1" xmlns:core="http://scap.nist.gov/schema/reporting-core/1.1" xmlns:ai="http://scap.nist.gov/schema/asset-identification/1.1">
  <arf:report-requests>
    <arf:report-request id="collection1">
      <arf:content>
        <ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:cat="urn:oasis:names:tc:entity:xmlns:xml:catalog" id="scap_t_collection_c" schematron-version="1.3">
          <ds:data-stream id="scap_t_datastream_d" scap-version="1.3" use-case="CONFIGURATION">
            <ds:checklists>
              <ds:component-ref id="scap_t_cref_x" xlink:href="#scap_t_comp_x">
                <cat:catalog><cat:uri name="t-oval.xml" uri="#scap_t_cref_o"/></cat:catalog>
              </ds:component-ref>
            </ds:checklists>
            <ds:checks>
              <ds:component-ref id="scap_t_cref_o" xlink:href="#scap_t_comp_o"/>
            </ds:checks>
          </ds:data-stream>
          <ds:component id="scap_t_comp_x" timestamp="2024-01-01T00:00:00">
            <Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_b" resolved="1">
              <status>accepted</status>
              <title>Test benchmark</title>
              <version>1.0</version>
              <Profile id="xccdf_t_profile_p"><title>Profile P</title><select idref="xccdf_t_rule_passwd" selected="true"/><select idref="xccdf_t_rule_shadow" selected="true"/></Profile>
              <Value id="xccdf_t_value_mode" type="string"><value>0644</value></Value>
              <Group id="xccdf_t_group_files">
                <title>Files</title>
                <Rule id="xccdf_t_rule_passwd" severity="medium">
                  <title>passwd is owned by root</title>
                  <description>Accounts live in passwd.</description>
                  <ident system="http://cyber.mil/cci">CCI-000366</ident>
                  <fixtext>chown root /etc/passwd</fixtext>
                  <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
                    <check-export value-id="xccdf_t_value_mode" export-name="oval:t:var:1"/>
                    <check-content-ref href="t-oval.xml" name="oval:t:def:1"/>
                  </check>
                </Rule>
                <Rule id="xccdf_t_rule_shadow" severity="high">
                  <title>shadow is owned by root</title>
                  <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
                    <check-content-ref href="t-oval.xml" name="oval:t:def:2"/>
                  </check>
                </Rule>
              </Group>
            </Benchmark>
          </ds:component>
          <ds:component id="scap_t_comp_o" timestamp="2024-01-01T00:00:00">
            <oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix">
              <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
              <definitions>
                <definition class="compliance" id="oval:t:def:1" version="1">
                  <metadata><title>passwd</title><description>d</description></metadata>
                  <criteria><criterion test_ref="oval:t:tst:1"/></criteria>
                </definition>
                <definition class="compliance" id="oval:t:def:2" version="1">
                  <metadata><title>shadow</title><description>d</description></metadata>
                  <criteria><criterion test_ref="oval:t:tst:2"/></criteria>
                </definition>
              </definitions>
              <tests>
                <unix:file_test check="all" id="oval:t:tst:1" version="1" comment="c"><unix:object object_ref="oval:t:obj:1"/></unix:file_test>
                <unix:file_test check="all" check_existence="none_exist" id="oval:t:tst:2" version="1" comment="c"><unix:object object_ref="oval:t:obj:2"/></unix:file_test>
              </tests>
              <objects>
                <unix:file_object id="oval:t:obj:1" version="1"><unix:filepath>/etc/passwd</unix:filepath></unix:file_object>
                <unix:file_object id="oval:t:obj:2" version="1"><unix:filepath>/etc/shadow</unix:filepath></unix:file_object>
              </objects>
            </oval_definitions>
          </ds:component>
        </ds:data-stream-collection>
      </arf:content>
    </arf:report-request>
  </arf:report-requests>
  <arf:reports>
    <arf:report id="xccdf1">
      <arf:content>
        <TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.open-scap_testresult_p" start-time="2026-11-27T07:23:15+00:00" end-time="2026-11-27T07:23:17+00:00" test-system="cpe:/a:redhat:openscap:1.3.7">
          <benchmark href="#scap_t_comp_x" id="xccdf_t_benchmark_b"/>
          <title>OSCAP Scan Result</title>
          <identity authenticated="false" privileged="true">root</identity>
          <profile idref="xccdf_t_profile_p"/>
          <target>host1</target>
          <target-address>192.0.2.7</target-address>
          <target-facts>
            <fact name="urn:xccdf:fact:scanner:name" type="string">OpenSCAP</fact>
            <fact name="urn:xccdf:fact:scanner:version" type="string">1.3.7</fact>
            <fact name="urn:xccdf:fact:asset:identifier:fqdn" type="string">host1.example.org</fact>
            <fact name="urn:xccdf:fact:ethernet:MAC" type="string">02:FC:00:00:00:01</fact>
            <fact name="urn:xccdf:fact:asset:identifier:mac" type="string">02:FC:00:00:00:01</fact>
            <fact name="urn:xccdf:fact:asset:identifier:ipv4" type="string">192.0.2.7</fact>
            <fact name="urn:xccdf:fact:asset:identifier:ipv6" type="string">fd00::7</fact>
          </target-facts>
          <set-value idref="xccdf_t_value_mode">0600</set-value>
          <rule-result idref="xccdf_t_rule_passwd" role="full" time="2026-11-27T07:23:15+00:00" severity="medium" weight="2.000000">
            <result>pass</result>
            <ident system="http://cyber.mil/cci">CCI-000366</ident>
            <message severity="info">checked by oval</message>
            <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
              <check-export value-id="xccdf_t_value_mode" export-name="oval:t:var:1"/>
              <check-content-ref name="oval:t:def:1" href="#oval0"/>
            </check>
          </rule-result>
          <rule-result idref="xccdf_t_rule_shadow" role="full" time="2026-11-27T07:23:15+00:00" severity="high" weight="1.000000">
            <result>fail</result>
            <override time="2026-11-28T10:00:00+00:00" authority="assessor">
              <old-result>pass</old-result>
              <new-result>fail</new-result>
              <remark>shadow must not exist here</remark>
            </override>
            <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
              <check-content-ref name="oval:t:def:2" href="#oval0"/>
            </check>
          </rule-result>
          <score system="urn:xccdf:scoring:default" maximum="100.000000">66.666664</score>
          <score system="urn:xccdf:scoring:flat" maximum="3.000000">2.000000</score>
        </TestResult>
      </arf:content>
    </arf:report>
    <arf:report id="oval0">
      <arf:content>
        <oval_results xmlns="http://oval.mitre.org/XMLSchema/oval-results-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">
          <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2026-11-27T07:23:15</oval:timestamp></generator>
          <results>
            <system>
              <definitions>
                <definition definition_id="oval:t:def:1" result="true" version="1">
                  <criteria operator="AND" result="true">
                    <criterion test_ref="oval:t:tst:1" version="1" result="true"/>
                  </criteria>
                </definition>
                <definition definition_id="oval:t:def:2" result="false" version="1">
                  <criteria operator="AND" result="false">
                    <criterion test_ref="oval:t:tst:2" version="1" result="false"/>
                  </criteria>
                </definition>
              </definitions>
              <tests>
                <test test_id="oval:t:tst:1" version="1" check="all" result="true">
                  <tested_item item_id="900" result="true"/>
                </test>
                <test test_id="oval:t:tst:2" version="1" check_existence="none_exist" check="all" result="false">
                  <tested_item item_id="901" result="not evaluated"/>
                </test>
              </tests>
              <oval_system_characteristics xmlns="http://oval.mitre.org/XMLSchema/oval-system-characteristics-5" xmlns:unix-sys="http://oval.mitre.org/XMLSchema/oval-system-characteristics-5#unix">
                <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2026-11-27T07:23:15</oval:timestamp></generator>
                <system_info>
                  <os_name>Debian GNU/Linux</os_name>
                  <os_version>12 (bookworm)</os_version>
                  <architecture>x86_64</architecture>
                  <primary_host_name>host1</primary_host_name>
                  <interfaces><interface><interface_name>eth0</interface_name><ip_address>192.0.2.7</ip_address><mac_address>02:FC:00:00:00:01</mac_address></interface></interfaces>
                </system_info>
                <collected_objects>
                  <object id="oval:t:obj:1" version="1" flag="complete"><reference item_ref="900"/></object>
                  <object id="oval:t:obj:2" version="1" flag="complete"><reference item_ref="901"/></object>
                </collected_objects>
                <system_data>
                  <unix-sys:file_item id="900" status="exists">
                    <unix-sys:filepath>/etc/passwd</unix-sys:filepath>
                    <unix-sys:user_id datatype="int">0</unix-sys:user_id>
                  </unix-sys:file_item>
                  <unix-sys:file_item id="901" status="exists">
                    <unix-sys:filepath>/etc/shadow</unix-sys:filepath>
                    <unix-sys:user_id datatype="int">0</unix-sys:user_id>
                  </unix-sys:file_item>
                </system_data>
              </oval_system_characteristics>
            </system>
          </results>
        </oval_results>
      </arf:content>
    </arf:report>
  </arf:reports>
</arf:asset-report-collection>
"##;

fn import(xml: &str) -> ImportedArf {
    parse_arf(xml, "t.arf.xml").unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn import_error(xml: &str) -> String {
    match parse_arf(xml, "t.arf.xml") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// The 1-based line of the first occurrence of `needle` in `ARF`-like text.
fn line_of(xml: &str, needle: &str) -> usize {
    let offset = xml.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the fixture"));
    xml[..offset].matches('\n').count() + 1
}

#[test]
fn maps_rule_results_with_benchmark_text() {
    let results = import(ARF).results;
    assert_eq!(results.rules.len(), 2);
    let passwd = &results.rules[0];
    assert_eq!(passwd.rule_id, "xccdf_t_rule_passwd");
    assert_eq!(passwd.result, XccdfResult::Pass);
    assert_eq!(passwd.title, "passwd is owned by root");
    assert_eq!(passwd.group_id.as_deref(), Some("xccdf_t_group_files"));
    assert_eq!(passwd.severity, Severity::Medium);
    assert_eq!(passwd.weight, 2.0);
    assert_eq!(passwd.time.as_deref(), Some("2026-11-27T07:23:15+00:00"));
    assert_eq!(passwd.idents[0].value, "CCI-000366");
    assert_eq!(passwd.messages, vec![crate::diag::Diagnostic::note("checked by oval")]);
    assert_eq!(passwd.description.as_deref(), Some("Accounts live in passwd."));
    assert_eq!(passwd.fix_text.as_deref(), Some("chown root /etc/passwd"));
    let check = passwd.check.as_ref().expect("check");
    // The benchmark's href, not oscap's `#oval0`: the ARF writer resolves it again.
    assert_eq!(check.href, "t-oval.xml");
    assert_eq!(check.name.as_deref(), Some("oval:t:def:1"));
    assert_eq!(check.exports, vec![("xccdf_t_value_mode".into(), "oval:t:var:1".into(), "0600".into())]);
    assert_eq!(check.oval_document, Some(0));
    assert_eq!(check.oval_result, Some(OvalResult::True));

    let shadow = &results.rules[1];
    assert_eq!(shadow.result, XccdfResult::Fail);
    assert_eq!(shadow.severity, Severity::High);
    assert_eq!(shadow.check.as_ref().and_then(|c| c.oval_result), Some(OvalResult::False));
    let answer = shadow.answer.as_ref().expect("the override becomes an answer");
    assert_eq!((answer.original_result, answer.status), (Some(XccdfResult::Pass), XccdfResult::Fail));
    assert_eq!(answer.who, "assessor");
    assert_eq!(answer.comment, "shadow must not exist here");

    assert_eq!(results.counts.get(&XccdfResult::Pass), Some(&1));
    assert_eq!(results.counts.get(&XccdfResult::Fail), Some(&1));
}

#[test]
fn maps_test_result_header_target_values_and_scores() {
    let results = import(ARF).results;
    assert_eq!(results.benchmark.id, "xccdf_t_benchmark_b");
    assert_eq!(results.benchmark.datastream_id.as_deref(), Some("scap_t_datastream_d"));
    assert_eq!(results.benchmark.component_ref_id.as_deref(), Some("scap_t_cref_x"));
    let profile = results.profile.as_ref().expect("profile");
    assert_eq!((profile.id.as_str(), profile.title.as_str()), ("xccdf_t_profile_p", "Profile P"));
    assert_eq!(results.start_time, "2026-11-27T07:23:15+00:00");
    assert_eq!(results.duration_ms, 2000);
    assert_eq!(results.values.get("xccdf_t_value_mode").map(String::as_str), Some("0600"));
    let target = &results.target;
    assert_eq!(target.hostname, "host1");
    assert_eq!(target.fqdn.as_deref(), Some("host1.example.org"));
    assert_eq!(target.mac, vec!["02:FC:00:00:00:01".to_string()], "MAC facts are deduplicated");
    assert_eq!(target.ipv4, vec!["192.0.2.7".to_string()]);
    assert_eq!(target.ipv6, vec!["fd00::7".to_string()]);
    assert_eq!(target.os_name.as_deref(), Some("Debian GNU/Linux"));
    assert_eq!(target.os_version.as_deref(), Some("12 (bookworm)"));
    assert_eq!((target.user.as_deref(), target.privileged), (Some("root"), true));
    let flat = results.scores.iter().find(|s| s.model == ScoringModel::Flat).expect("flat score");
    assert_eq!((flat.score, flat.maximum), (2.0, 3.0));
    assert_eq!(results.scores.len(), 2);
    assert_eq!(results.generator.name, "OpenSCAP", "the scanner is credited, not stigrun");
    assert_eq!(results.generator.version, "1.3.7");
    assert_eq!(results.generator.test_system.as_deref(), Some("cpe:/a:redhat:openscap:1.3.7"));
}

#[test]
fn maps_oval_results_and_items_with_positional_ids() {
    let results = import(ARF).results;
    assert_eq!(results.oval.len(), 1, "one report, shared by both rules");
    let document = &results.oval[0];
    assert_eq!(document.href, "t-oval.xml");
    let definitions = document.definitions.as_ref().expect("definitions from the data stream");
    assert!(definitions.tests.contains_key("oval:t:tst:2"));
    let run = &document.run;
    assert_eq!(run.definitions["oval:t:def:2"].result, OvalResult::False);
    assert_eq!(run.tests["oval:t:tst:1"].tested_items, vec![(1, OvalResult::True)]);
    assert_eq!(run.tests["oval:t:tst:2"].tested_items, vec![(2, OvalResult::NotEvaluated)]);
    assert_eq!(run.collected_objects["oval:t:obj:2"].item_refs, vec![2]);
    assert_eq!(run.collected_objects["oval:t:obj:2"].flag, CollectedFlag::Complete);
    assert_eq!(run.items.len(), 2);
    let item = &run.items[1];
    assert_eq!(item.kind.name, "file_item");
    assert_eq!(item.kind.family, Family::Unix);
    assert_eq!(item.fields[0].name, "filepath");
    assert_eq!(item.fields[0].value, ItemValue::Text("/etc/shadow".into()));
    assert_eq!(item.fields[1].datatype, Datatype::Int);
    assert_eq!(run.system_info.interfaces[0].0, "eth0");
}

#[test]
fn the_source_data_stream_stands_alone_with_lines_of_the_arf() {
    let imported = import(ARF);
    let Source::DataStream(collection) =
        load_source(Input::Bytes { name: "x", bytes: imported.source_xml.as_bytes() }).unwrap()
    else {
        panic!("not a data stream")
    };
    let benchmark = collection.components.iter().find(|c| c.id == "scap_t_comp_x").expect("component");
    assert_eq!(benchmark.location.line as usize, line_of(ARF, "<ds:component id=\"scap_t_comp_x\""));
}

#[test]
fn a_document_that_is_not_an_arf_is_named_with_what_was_expected() {
    let message =
        import_error("<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\"/>");
    assert!(message.starts_with("t.arf.xml:2:1: root element `Benchmark`"), "{message}");
    assert!(message.contains("expected `arf:asset-report-collection`"), "{message}");
}

#[test]
fn truncated_xml_is_a_located_syntax_error() {
    let cut = &ARF[..ARF.find("<arf:reports>").expect("reports")];
    let message = import_error(cut);
    let (line, column) = (cut.matches('\n').count() + 1, cut.rsplit('\n').next().map_or(0, str::len) + 1);
    assert!(message.starts_with(&format!("t.arf.xml:{line}:{column}: ")), "{message}");
    assert!(matches!(parse_arf(cut, "t.arf.xml"), Err(ArfImportError::Syntax { .. })));
}

#[test]
fn an_arf_without_test_result_says_so_at_its_root() {
    let start = ARF.find("<arf:report id=\"xccdf1\">").expect("xccdf report");
    let end = ARF.find("<arf:report id=\"oval0\">").expect("oval report");
    let without = format!("{}{}", &ARF[..start], &ARF[end..]);
    let message = import_error(&without);
    assert_eq!(
        message,
        format!(
            "t.arf.xml:{}:1: the arf has no report holding an XCCDF `TestResult`",
            line_of(ARF, "<arf:asset-report-collection")
        )
    );
}

#[test]
fn an_unknown_result_is_reported_where_it_is() {
    let bad = ARF.replacen("<result>fail</result>", "<result>failed</result>", 1);
    let message = import_error(&bad);
    let line = line_of(&bad, "<result>failed");
    assert!(message.starts_with(&format!("t.arf.xml:{line}:13: `result` has `failed`")), "{message}");
}

#[test]
fn a_tested_item_without_its_item_is_a_dangling_reference() {
    let bad = ARF.replacen("<tested_item item_id=\"901\"", "<tested_item item_id=\"902\"", 1);
    let message = import_error(&bad);
    let line = line_of(&bad, "<tested_item item_id=\"902\"");
    assert!(message.starts_with(&format!("t.arf.xml:{line}:")), "{message}");
    assert!(message.contains("`902` names no system-characteristics item"), "{message}");
}

#[test]
fn an_href_to_no_oval_report_falls_back_to_the_definition_name() {
    let results = import(&ARF.replace("href=\"#oval0\"", "href=\"#xccdf1\"")).results;
    assert_eq!(results.rules[1].check.as_ref().and_then(|c| c.oval_result), Some(OvalResult::False));
    let unknown = ARF
        .replace("href=\"#oval0\"", "href=\"#xccdf1\"")
        .replace("name=\"oval:t:def:2\" href", "name=\"oval:t:def:9\" href");
    assert!(import_error(&unknown).contains("check-content-ref href `#xccdf1` names no oval_results report"));
}

#[test]
fn rfc3339_times_count_seconds_with_offsets() {
    assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(rfc3339_seconds("2000-03-01T00:00:00+00:00"), Some(951_868_800));
    assert_eq!(rfc3339_seconds("2000-03-01T01:00:00+01:00"), Some(951_868_800));
    assert_eq!(rfc3339_seconds("2014-10-17T09:07:43"), Some(1_413_536_863));
    assert_eq!(rfc3339_seconds("not a time"), None);
    assert_eq!(rfc3339_seconds("99999999999999999-01-01T00:00:00Z"), None, "no overflow");
    assert_eq!(rfc3339_seconds("2000-01-01T00:00:00+99999999999999:00"), None);
}

#[test]
fn deeply_nested_criteria_are_an_error_not_a_crash() {
    let depth = 300;
    let nested = format!(
        "{}<criterion test_ref=\"oval:t:tst:1\" version=\"1\" result=\"true\"/>{}",
        "<criteria operator=\"AND\" result=\"true\">".repeat(depth),
        "</criteria>".repeat(depth)
    );
    let bad =
        ARF.replacen("<criterion test_ref=\"oval:t:tst:1\" version=\"1\" result=\"true\"/>", &nested, 1);
    let message = import_error(&bad);
    assert!(message.contains("`criteria` is nested more than 128 levels deep"), "{message}");
}

#[test]
fn a_record_inside_a_record_is_refused() {
    let bad = ARF.replacen(
        "<unix-sys:user_id datatype=\"int\">0</unix-sys:user_id>",
        "<unix-sys:user_id datatype=\"record\"><field name=\"a\" datatype=\"record\"/></unix-sys:user_id>",
        1,
    );
    let message = import_error(&bad);
    assert!(message.contains("`field` has `record`; expected a scalar datatype"), "{message}");
}

#[test]
fn mangled_arfs_never_panic() {
    // Every cut point (on a char boundary) and every attribute value blanked in turn.
    for end in (0..ARF.len()).step_by(53).filter(|&i| ARF.is_char_boundary(i)) {
        let _ = parse_arf(&ARF[..end], "t.arf.xml");
    }
    let mut from = 0;
    let mut blanked = 0;
    while let Some(at) = ARF[from..].find("=\"").map(|i| from + i + 2) {
        let Some(close) = ARF[at..].find('"').map(|i| at + i) else { break };
        let mangled = format!("{}{}", &ARF[..at], &ARF[close..]);
        let _ = parse_arf(&mangled, "t.arf.xml");
        from = close;
        blanked += 1;
    }
    assert!(blanked > 100, "the fixture has attributes to blank ({blanked})");
}
