//! The examples of NIST IR 7695 (naming) and IR 7696 (matching), and the cases applicability meets.

use super::*;

fn wfn(name: &str) -> String {
    Wfn::parse(name).unwrap_or_else(|e| panic!("{name}: {e}")).to_string()
}

fn error(name: &str) -> CpeNameError {
    Wfn::parse(name).expect_err(name)
}

fn superset(source: &str, target: &str) -> bool {
    Wfn::parse(source).unwrap().is_superset_of(&Wfn::parse(target).unwrap())
}

// IR 7695 §6.1.3, the examples of unbinding a URI.

#[test]
fn uri_example_1_plain_values_are_quoted_and_missing_ones_any() {
    assert_eq!(
        wfn("cpe:/a:microsoft:internet_explorer:8.0.6001:beta"),
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta"]"#
    );
}

#[test]
fn uri_example_2_percent_encoded_asterisk_and_question_mark_are_literal() {
    assert_eq!(
        wfn("cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f"),
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.\*",update="sp\?"]"#
    );
}

#[test]
fn uri_example_3_percent_01_and_02_are_the_wildcards() {
    assert_eq!(
        wfn("cpe:/a:microsoft:internet_explorer:8.%02:sp%01"),
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?"]"#
    );
}

#[test]
fn uri_example_4_a_packed_edition_unpacks_to_five_attributes() {
    assert_eq!(
        wfn("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~"),
        r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",sw_edition="online",target_sw="win2003",target_hw="x64"]"#
    );
}

#[test]
fn uri_example_5_na_update_and_a_packed_target_sw() {
    assert_eq!(
        wfn("cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~"),
        r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",update=NA,target_sw="linux"]"#
    );
}

#[test]
fn uri_example_6_an_unknown_percent_encoding_is_an_error() {
    assert_eq!(
        error("cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~"),
        CpeNameError::BadPercent { attribute: "product", code: "07".into() }
    );
}

#[test]
fn uri_example_7_a_tilde_outside_the_edition_is_a_character() {
    assert_eq!(
        wfn("cpe:/a:foo~bar:big%7emoney_2010"),
        r#"wfn:[part="a",vendor="foo\~bar",product="big\~money_2010"]"#
    );
}

#[test]
fn uri_example_8_an_embedded_wildcard_is_an_error() {
    assert_eq!(error("cpe:/a:foo:bar:12.%02.1234"), CpeNameError::EmbeddedWildcard { attribute: "version" });
}

#[test]
fn uri_decoding_lowercases_and_reads_the_punctuation_percent_encodings() {
    // IR 7695 §6.1.3 (`decode` lowercases first).
    assert_eq!(wfn("CPE:/O:RedHat:Enterprise_Linux:8"), wfn("cpe:/o:redhat:enterprise_linux:8"));
    assert_eq!(wfn("cpe:/a:foo%5cbar:c%2b%2b"), r#"wfn:[part="a",vendor="foo\\bar",product="c\+\+"]"#);
    // `cpe:/` alone names every product: all ANY.
    assert_eq!(wfn("cpe:/"), "wfn:[]");
}

// IR 7695 §6.2.3, the examples of unbinding a formatted string.

#[test]
fn formatted_string_examples_unbind_to_the_same_wfns_as_their_uris() {
    assert_eq!(
        wfn("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"),
        wfn("cpe:/a:microsoft:internet_explorer:8.0.6001:beta")
    );
    assert_eq!(
        wfn("cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*"),
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?"]"#
    );
    assert_eq!(
        wfn("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*"),
        r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=NA,sw_edition="online",target_sw="win2003",target_hw="x64"]"#
    );
    assert_eq!(
        wfn("cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*"),
        r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",target_sw="linux"]"#
    );
    assert_eq!(
        wfn(r"cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*"),
        r#"wfn:[part="a",vendor="foo\\bar",product="big\$money_2010",sw_edition="special",target_sw="ipod_touch",target_hw="80gb"]"#
    );
}

#[test]
fn a_quoted_colon_does_not_separate_components() {
    assert_eq!(
        wfn(r"cpe:2.3:a:foo\:bar:baz:*:*:*:*:*:*:*:*"),
        r#"wfn:[part="a",vendor="foo\:bar",product="baz"]"#
    );
}

#[test]
fn malformed_formatted_strings_say_why() {
    // IR 7695 §6.2: eleven components, none empty; §5.3.2: wildcards only at the ends, and a
    // value is more than wildcards; §5.3.3: part is a, o or h, language a language tag.
    assert_eq!(error("cpe:2.3:o:conf:yes:1"), CpeNameError::WrongComponentCount(4));
    assert_eq!(
        error("cpe:2.3:o:conf::*:*:*:*:*:*:*:*"),
        CpeNameError::EmptyComponent { attribute: "product" }
    );
    assert_eq!(
        error("cpe:2.3:a:foo:bar:12.*.1234:*:*:*:*:*:*:*"),
        CpeNameError::EmbeddedWildcard { attribute: "version" }
    );
    assert_eq!(
        error("cpe:2.3:a:foo:bar:*?1:*:*:*:*:*:*:*"),
        CpeNameError::EmbeddedWildcard { attribute: "version" }
    );
    assert_eq!(
        error("cpe:2.3:a:foo:bar:??:*:*:*:*:*:*:*"),
        CpeNameError::OnlyWildcards { attribute: "version" }
    );
    assert_eq!(error("cpe:2.3:x:foo:bar:*:*:*:*:*:*:*:*"), CpeNameError::BadPart(r#""x""#.into()));
    assert_eq!(
        error("cpe:2.3:a:foo:bar:*:*:*:english:*:*:*:*"),
        CpeNameError::BadLanguage(r#""english""#.into())
    );
    assert_eq!(
        error(r"cpe:2.3:a:foo:bar:*:*:*:*:*:*:*:x\"),
        CpeNameError::DanglingEscape { attribute: "other" }
    );
    assert!(matches!(
        error("cpe:2.3:a:foo:b ar:*:*:*:*:*:*:*:*"),
        CpeNameError::BadCharacter { attribute: "product", character: ' ', .. }
    ));
}

#[test]
fn malformed_uris_say_why() {
    assert_eq!(error("cpe:/a:b:c:d:e:f:g:h"), CpeNameError::TooManyUriComponents(8));
    assert_eq!(error("cpe:/x:conf:yes"), CpeNameError::BadPart(r#""x""#.into()));
    assert_eq!(error("cpe:/a:b:c:1:2:~only~three"), CpeNameError::BadPackedEdition(2));
    assert_eq!(error("cpe:/a:b:c%2"), CpeNameError::BadPercent { attribute: "product", code: "2".into() });
    assert_eq!(error("cpe:/a:b:c%+1"), CpeNameError::BadPercent { attribute: "product", code: "+1".into() });
    assert!(matches!(
        error("cpe:/a:g++"),
        CpeNameError::BadCharacter { attribute: "vendor", character: '+', .. }
    ));
    assert_eq!(error("platform_rhel8"), CpeNameError::UnknownBinding);
}

#[test]
fn language_tags_pass_in_either_binding() {
    assert_eq!(
        wfn("cpe:/a:b:c:1:2:3:en-us"),
        r#"wfn:[part="a",vendor="b",product="c",version="1",update="2",edition="3",language="en\-us"]"#
    );
    assert_eq!(
        wfn("cpe:2.3:a:b:c:*:*:*:es-419:*:*:*:*"),
        r#"wfn:[part="a",vendor="b",product="c",language="es\-419"]"#
    );
}

// IR 7696 §6.1, Table 6-2: the attribute comparison relations, source first.

#[test]
fn table_6_2_logical_values() {
    use Relation::*;
    let lit = || Value::literal("8");
    assert_eq!(compare_values(&Value::Any, &Value::Any), Equal); // row 1
    assert_eq!(compare_values(&Value::Any, &Value::Na), Superset); // row 2
    assert_eq!(compare_values(&Value::Any, &lit()), Superset); // row 3
    assert_eq!(compare_values(&Value::Na, &Value::Any), Subset); // row 5
    assert_eq!(compare_values(&Value::Na, &Value::Na), Equal); // row 6
    assert_eq!(compare_values(&Value::Na, &lit()), Disjoint); // row 7
    assert_eq!(compare_values(&lit(), &lit()), Equal); // row 9
    assert_eq!(compare_values(&lit(), &Value::literal("9")), Disjoint); // row 10
    assert_eq!(compare_values(&lit(), &Value::Na), Disjoint); // row 12
    assert_eq!(compare_values(&lit(), &Value::Any), Subset); // row 13
}

#[test]
fn table_6_2_wildcards() {
    use Relation::*;
    let value = |fs_version: &str| {
        Wfn::parse(&format!("cpe:2.3:a:v:p:{fs_version}:*:*:*:*:*:*:*")).unwrap().value(3).clone()
    };
    // Row 14: a source with wildcards is a superset of the strings it stands for, else disjoint.
    assert_eq!(compare_values(&value("8.*"), &value("8.0.6001")), Superset);
    assert_eq!(compare_values(&value("8.*"), &value("8.")), Superset, "`*` stands for no character too");
    assert_eq!(compare_values(&value("8.*"), &value("9.0")), Disjoint);
    assert_eq!(compare_values(&value("*.1"), &value("2.1")), Superset);
    assert_eq!(compare_values(&value("sp?"), &value("sp2")), Superset);
    // IR 7695 §5.3.2: `?` is a single-character wildcard, so a run of n stands for exactly n.
    assert_eq!(compare_values(&value("sp?"), &value("sp")), Disjoint);
    assert_eq!(compare_values(&value("sp?"), &value("sp12")), Disjoint);
    assert_eq!(compare_values(&value("??5"), &value("105")), Superset);
    assert_eq!(compare_values(&value("*1*"), &value("315")), Superset);
    assert_eq!(compare_values(&value("8.*"), &Value::Any), Subset); // row 15
    assert_eq!(compare_values(&value("8.*"), &Value::Na), Disjoint); // row 16
    // Rows 4, 8, 11, 17: a target holding a wildcard leaves the relation undefined.
    for source in [Value::Any, Value::Na, value("8.1"), value("8.*")] {
        assert_eq!(compare_values(&source, &value("8.*")), Undefined, "{source}");
    }
    // A quoted wildcard is a character: no pattern.
    assert_eq!(compare_values(&value(r"8\*"), &value(r"8\*")), Equal);
    assert_eq!(compare_values(&value(r"8\*"), &value("81")), Disjoint);
}

#[test]
fn values_compare_ignoring_case() {
    // IR 7696 §6.1: matching is case-insensitive (a formatted string keeps its case when unbound).
    assert!(superset(
        "cpe:2.3:o:RedHat:Enterprise_Linux:8:*:*:*:*:*:*:*",
        "cpe:/o:redhat:enterprise_linux:8"
    ));
}

// IR 7696 §6.2, Table 6-4: name comparison, and the matches applicability relies on.

#[test]
fn table_6_4_name_relations() {
    let parse = |n: &str| Wfn::parse(n).unwrap();
    let rhel = parse("cpe:/o:redhat:enterprise_linux");
    let rhel8 = parse("cpe:/o:redhat:enterprise_linux:8");
    let fedora = parse("cpe:/o:fedoraproject:fedora:38");
    assert!(rhel.is_superset_of(&rhel8) && !rhel.is_subset_of(&rhel8));
    assert!(rhel8.is_subset_of(&rhel) && !rhel8.is_superset_of(&rhel));
    assert!(rhel8.is_equal_to(&parse("cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*")));
    assert!(rhel8.is_disjoint_from(&fedora) && !rhel8.is_superset_of(&fedora));
    // Mixed: superset in one attribute, subset in another: none of the four relations but
    // disjointness fails too.
    let a = parse("cpe:/a:v:p:1");
    let b = parse("cpe:/a:v::1:sp1");
    assert!(!a.is_superset_of(&b) && !a.is_subset_of(&b) && !a.is_equal_to(&b) && !a.is_disjoint_from(&b));
}

#[test]
fn a_platform_name_matches_the_dictionary_entries_it_is_a_superset_of() {
    // Version left out (ANY) matches every version; a version matches its own, not another nor
    // an entry that leaves the version out; a prefix of a value is another value.
    assert!(superset("cpe:/o:redhat:enterprise_linux", "cpe:/o:redhat:enterprise_linux:8"));
    assert!(superset("cpe:/o:redhat:enterprise_linux:8", "cpe:/o:redhat:enterprise_linux:8"));
    assert!(!superset("cpe:/o:redhat:enterprise_linux:8", "cpe:/o:redhat:enterprise_linux:8.2"));
    assert!(!superset("cpe:/o:redhat:enterprise_linux:8", "cpe:/o:redhat:enterprise_linux"));
    assert!(!superset("cpe:/o:redhat:enterprise", "cpe:/o:redhat:enterprise_linux"));
    assert!(!superset("cpe:/o:redhat:enterprise_linux:-", "cpe:/o:redhat:enterprise_linux:8"));
    assert!(superset("cpe:/o:redhat:enterprise_linux", "cpe:/o:redhat:enterprise_linux:-"));
    // Either binding on either side.
    assert!(superset(
        "cpe:2.3:o:redhat:enterprise_linux:*:*:*:*:*:*:*:*",
        "cpe:/o:redhat:enterprise_linux:8"
    ));
    assert!(superset(
        "cpe:2.3:o:redhat:enterprise_linux:8.*:*:*:*:*:*:*:*",
        "cpe:/o:redhat:enterprise_linux:8.2"
    ));
    assert!(superset("cpe:/o:redhat:enterprise_linux", "cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*"));
    assert!(superset(r"cpe:2.3:a:conf:c\+\+:*:*:*:*:*:*:*:*", "cpe:/a:conf:c%2b%2b:1"));
    assert!(superset(
        "cpe:2.3:a:hp:insight_diagnostics:*:*:*:*:online:win2003:x64:*",
        "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~"
    ));
    assert!(!superset(
        "cpe:2.3:a:hp:insight_diagnostics:*:*:*:*:online:win2003:x86:*",
        "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~"
    ));
}
