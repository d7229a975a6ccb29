use std::path::Path;

use super::*;
use crate::model::oval::{
    ArithmeticOperation, DefinitionClass, Existence, FilterAction, NS_IND, NS_LINUX, NS_UNIX, SetOperator,
};

/// A document touching every construct the loader reads. Line numbers matter to the error tests.
const FULL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"
  xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5"
  xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent"
  xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix"
  xmlns:linux="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"
  xmlns:win="http://oval.mitre.org/XMLSchema/oval-definitions-5#windows"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <generator>
    <oval:product_name>unit test</oval:product_name>
    <oval:product_version>9</oval:product_version>
    <oval:schema_version>5.11.2</oval:schema_version>
    <oval:timestamp>2024-01-02T03:04:05</oval:timestamp>
  </generator>
  <definitions>
    <definition class="compliance" id="oval:t:def:1" version="3">
      <metadata>
        <title>Title &amp; more</title>
        <affected family="unix"><platform>Debian 12</platform><product>Docker</product></affected>
        <reference source="CCE" ref_id="CCE-1" ref_url="https://example.org/cce"/>
        <reference source="DISA" ref_id="V-1"/>
        <description>Desc</description>
      </metadata>
      <notes><note>ignored</note></notes>
      <criteria operator="OR" comment="top">
        <criterion test_ref="oval:t:tst:1" comment="file"/>
        <criteria negate="true" applicability_check="true">
          <criterion test_ref="oval:t:tst:2" negate="1"/>
          <extend_definition definition_ref="oval:t:def:2" comment="ext"/>
        </criteria>
      </criteria>
    </definition>
    <definition class="inventory" id="oval:t:def:2" version="1" deprecated="true">
      <metadata><title>two</title><description/></metadata>
      <criteria><criterion test_ref="oval:t:tst:3"/></criteria>
    </definition>
  </definitions>
  <tests>
    <unix:file_test check="all" check_existence="all_exist" id="oval:t:tst:1" version="1" comment="c">
      <unix:object object_ref="oval:t:obj:1"/>
      <unix:state state_ref="oval:t:ste:1"/>
      <unix:state state_ref="oval:t:ste:2"/>
    </unix:file_test>
    <ind:textfilecontent54_test check="at least one" state_operator="XOR" id="oval:t:tst:2" version="2" comment="c">
      <ind:object object_ref="oval:t:obj:2"/>
    </ind:textfilecontent54_test>
    <win:registry_test check="none satisfy" id="oval:t:tst:3" version="1" comment="c">
      <win:object object_ref="oval:t:obj:4"/>
    </win:registry_test>
  </tests>
  <objects>
    <unix:file_object id="oval:t:obj:1" version="1" comment="files">
      <unix:behaviors recurse_direction="down" max_depth="2"/>
      <unix:path var_ref="oval:t:var:3" var_check="at least one"/>
      <unix:filename operation="pattern match" xsi:nil="false">^a.*$</unix:filename>
      <filter action="include">oval:t:ste:1</filter>
      <filter>oval:t:ste:2</filter>
    </unix:file_object>
    <ind:textfilecontent54_object id="oval:t:obj:2" version="1">
      <ind:filepath datatype="string" mask="true">/etc/x</ind:filepath>
      <ind:pattern operation="pattern match"><![CDATA[^a<b]]>&amp;c$</ind:pattern>
      <ind:instance datatype="int" operation="greater than or equal">1</ind:instance>
    </ind:textfilecontent54_object>
    <linux:dpkginfo_object id="oval:t:obj:3" version="1">
      <set set_operator="INTERSECTION">
        <set><object_reference>oval:t:obj:1</object_reference><filter action="exclude">oval:t:ste:1</filter></set>
        <set><object_reference>oval:t:obj:2</object_reference><object_reference>oval:t:obj:1</object_reference></set>
      </set>
    </linux:dpkginfo_object>
    <win:registry_object id="oval:t:obj:4" version="1">
      <win:behaviors windows_view="32_bit"/>
      <win:hive>HKEY_LOCAL_MACHINE</win:hive>
      <win:key xsi:nil="true"/>
      <win:name windows_view="x"></win:name>
    </win:registry_object>
  </objects>
  <states>
    <unix:file_state id="oval:t:ste:1" version="1" operator="OR">
      <unix:uexec datatype="boolean" entity_check="none satisfy">false</unix:uexec>
    </unix:file_state>
    <ind:yamlfilecontent_state id="oval:t:ste:2" version="1">
      <ind:value datatype="record" entity_check="at least one">
        <field name="user" operation="pattern match">^ro</field>
        <field name="uid" datatype="int" var_ref="oval:t:var:1"/>
      </ind:value>
    </ind:yamlfilecontent_state>
  </states>
  <variables>
    <constant_variable id="oval:t:var:1" version="1" datatype="int" comment="c">
      <value>0</value><value>1</value>
    </constant_variable>
    <external_variable id="oval:t:var:2" version="1" datatype="string" comment="c">
      <possible_value hint="h">a</possible_value>
      <possible_restriction operator="OR" hint="r">
        <restriction operation="pattern match">^x</restriction>
        <restriction operation="equals">y</restriction>
      </possible_restriction>
    </external_variable>
    <local_variable id="oval:t:var:3" version="1" datatype="string" comment="c">
      <concat>
        <begin character="/"><object_component object_ref="oval:t:obj:2" item_field="subexpression"/></begin>
        <end character="/"><variable_component var_ref="oval:t:var:2"/></end>
        <literal_component>lit</literal_component>
        <literal_component datatype="int">7</literal_component>
        <arithmetic arithmetic_operation="multiply"><literal_component>2</literal_component><variable_component var_ref="oval:t:var:1"/></arithmetic>
        <count><object_component object_ref="oval:t:obj:1" item_field="value" record_field="uid"/></count>
        <unique><escape_regex><split delimiter=","><literal_component>a,b</literal_component></split></escape_regex></unique>
        <substring substring_start="2" substring_length="-1"><regex_capture pattern="^(\d+)"><literal_component>12</literal_component></regex_capture></substring>
        <glob_to_regex glob_noescape="true"><literal_component>*.conf</literal_component></glob_to_regex>
        <time_difference format_1="seconds_since_epoch"><literal_component>1</literal_component></time_difference>
      </concat>
    </local_variable>
  </variables>
</oval_definitions>
"#;

fn load(xml: &str) -> OvalDefinitions {
    match parse_oval_str(xml, "full.xml") {
        Ok(definitions) => definitions,
        Err(errors) => panic!("unexpected load errors:\n{errors}"),
    }
}

fn errors_of(xml: &str) -> Vec<String> {
    match parse_oval_str(xml, "bad.xml") {
        Ok(_) => panic!("expected load errors"),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

fn entities(object: &Object) -> &[Entity] {
    match &object.body {
        ObjectBody::Entities { entities, .. } => entities,
        ObjectBody::Set(_) => panic!("object `{}` is a set", object.id),
    }
}

#[test]
fn reads_generator_and_counts() {
    let d = load(FULL);
    assert_eq!(d.source, "full.xml");
    assert_eq!(d.generator.product_name.as_deref(), Some("unit test"));
    assert_eq!(d.generator.product_version.as_deref(), Some("9"));
    assert_eq!(d.generator.schema_version, "5.11.2");
    assert_eq!(d.generator.timestamp.as_deref(), Some("2024-01-02T03:04:05"));
    assert_eq!(
        (d.definitions.len(), d.tests.len(), d.objects.len(), d.states.len(), d.variables.len()),
        (2, 3, 4, 2, 3)
    );
    let ids: Vec<&str> = d.objects.keys().map(String::as_str).collect();
    assert_eq!(ids, ["oval:t:obj:1", "oval:t:obj:2", "oval:t:obj:3", "oval:t:obj:4"], "document order");
}

#[test]
fn platform_schema_versions_do_not_replace_the_core_version() {
    let xml = FULL.replace(
        "<oval:schema_version>5.11.2</oval:schema_version>",
        "<oval:schema_version>5.11.2</oval:schema_version>\
         <oval:schema_version platform=\"urn:x\">1.2</oval:schema_version>",
    );
    assert_eq!(load(&xml).generator.schema_version, "5.11.2");
    let errors = errors_of(&FULL.replace("<oval:schema_version>5.11.2</oval:schema_version>", ""));
    assert!(
        errors[0].starts_with("bad.xml:9:3: `generator` has no `schema_version` child element"),
        "{errors:?}"
    );
}

#[test]
fn reads_definition_metadata_and_criteria_tree() {
    let d = load(FULL);
    let def = &d.definitions["oval:t:def:1"];
    assert_eq!((def.version.as_str(), def.class, def.deprecated), ("3", DefinitionClass::Compliance, false));
    assert_eq!(def.title, "Title & more");
    assert_eq!(def.description, "Desc");
    assert_eq!(def.affected_platforms, ["Debian 12", "Docker"]);
    assert_eq!(
        def.references,
        [
            ("CCE".into(), "CCE-1".into(), Some("https://example.org/cce".into())),
            ("DISA".into(), "V-1".into(), None)
        ]
    );
    assert_eq!((def.location.line, def.location.column), (16, 5));
    let top = def.criteria.as_ref().unwrap();
    assert_eq!((top.operator, top.negate, top.applicability_check), (Operator::Or, false, None));
    assert_eq!(top.comment.as_deref(), Some("top"));
    assert_eq!(top.children.len(), 2);
    let CriteriaNode::Criterion { test_ref, negate, comment, location, .. } = &top.children[0] else {
        panic!("criterion expected")
    };
    assert_eq!((test_ref.as_str(), *negate, comment.as_deref()), ("oval:t:tst:1", false, Some("file")));
    assert_eq!((location.line, location.column), (26, 9));
    let CriteriaNode::Criteria(inner) = &top.children[1] else { panic!("criteria expected") };
    assert_eq!((inner.operator, inner.negate, inner.applicability_check), (Operator::And, true, Some(true)));
    assert!(matches!(&inner.children[0], CriteriaNode::Criterion { negate: true, .. }));
    let CriteriaNode::ExtendDefinition { definition_ref, comment, .. } = &inner.children[1] else {
        panic!("extend_definition expected")
    };
    assert_eq!((definition_ref.as_str(), comment.as_deref()), ("oval:t:def:2", Some("ext")));
    let two = &d.definitions["oval:t:def:2"];
    assert_eq!((two.class, two.deprecated, two.description.as_str()), (DefinitionClass::Inventory, true, ""));
}

#[test]
fn reads_tests_with_schema_defaults() {
    let d = load(FULL);
    let file = &d.tests["oval:t:tst:1"];
    assert_eq!(
        (file.kind.family, file.kind.name.as_str(), file.kind.base()),
        (Family::Unix, "file_test", "file")
    );
    assert_eq!(file.kind.namespace, NS_UNIX);
    assert_eq!(
        (file.check, file.check_existence, file.state_operator),
        (Check::All, Existence::AllExist, Operator::And)
    );
    assert_eq!(file.object_ref.as_deref(), Some("oval:t:obj:1"));
    assert_eq!(file.state_refs, ["oval:t:ste:1", "oval:t:ste:2"]);
    let text = &d.tests["oval:t:tst:2"];
    assert_eq!(text.kind.family, Family::Independent);
    assert_eq!(
        (text.check, text.check_existence, text.state_operator),
        (Check::AtLeastOne, Existence::AtLeastOneExists, Operator::Xor)
    );
    assert!(text.state_refs.is_empty());
    let other = &d.tests["oval:t:tst:3"];
    assert_eq!((other.kind.family, other.check), (Family::Other, Check::NoneSatisfy));
    assert!(other.kind.namespace.ends_with("#windows"));
}

#[test]
fn reads_object_entities_behaviors_and_filters() {
    let d = load(FULL);
    let file = &d.objects["oval:t:obj:1"];
    assert_eq!(file.comment.as_deref(), Some("files"));
    let ObjectBody::Entities { entities, behaviors, filters } = &file.body else {
        panic!("entities expected")
    };
    let get = |name: &str| behaviors.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(get("recurse_direction"), Some("down"), "written value wins");
    assert_eq!(get("max_depth"), Some("2"));
    assert_eq!(get("recurse"), Some("symlinks and directories"), "schema default");
    assert_eq!(get("recurse_file_system"), Some("all"));
    assert_eq!(get("windows_view"), None, "unix file behaviors have no windows_view");
    assert_eq!(entities.len(), 2);
    let path = &entities[0];
    assert_eq!((path.name.as_str(), path.value.as_deref()), ("path", None));
    assert_eq!((path.var_ref.as_deref(), path.var_check), (Some("oval:t:var:3"), Check::AtLeastOne));
    assert_eq!(
        (path.datatype, path.operation, path.entity_check),
        (Datatype::String, Operation::Equals, Check::All)
    );
    let filename = &entities[1];
    assert_eq!(
        (filename.operation, filename.value.as_deref(), filename.nil),
        (Operation::PatternMatch, Some("^a.*$"), false)
    );
    assert_eq!(filters.len(), 2);
    assert_eq!((filters[0].action, filters[0].state_ref.as_str()), (FilterAction::Include, "oval:t:ste:1"));
    assert_eq!((filters[1].action, filters[1].state_ref.as_str()), (FilterAction::Exclude, "oval:t:ste:2"));

    let text = entities_of(&d, "oval:t:obj:2");
    assert!(text[0].mask);
    assert_eq!(text[1].value.as_deref(), Some("^a<b&c$"), "cdata and entities joined");
    assert_eq!((text[2].datatype, text[2].operation), (Datatype::Int, Operation::GreaterThanOrEqual));
    let ObjectBody::Entities { behaviors, .. } = &d.objects["oval:t:obj:2"].body else { panic!() };
    assert!(behaviors.contains(&("multiline".to_string(), "true".to_string())));
    assert!(behaviors.contains(&("windows_view".to_string(), "64_bit".to_string())));

    let registry = entities_of(&d, "oval:t:obj:4");
    assert!(registry[1].nil);
    assert_eq!(registry[2].attributes, [("windows_view".to_string(), "x".to_string())]);
    assert_eq!(registry[2].value, None);
    let ObjectBody::Entities { behaviors, .. } = &d.objects["oval:t:obj:4"].body else { panic!() };
    assert_eq!(
        behaviors,
        &[("windows_view".to_string(), "32_bit".to_string())],
        "no defaults for other types"
    );
}

fn entities_of<'d>(d: &'d OvalDefinitions, id: &str) -> &'d [Entity] {
    entities(&d.objects[id])
}

#[test]
fn reads_nested_sets() {
    let d = load(FULL);
    let ObjectBody::Set(set) = &d.objects["oval:t:obj:3"].body else { panic!("set expected") };
    assert_eq!(set.operator, SetOperator::Intersection);
    assert!(set.object_refs.is_empty());
    assert_eq!(set.sets.len(), 2);
    assert_eq!(set.sets[0].operator, SetOperator::Union);
    assert_eq!(set.sets[0].object_refs, ["oval:t:obj:1"]);
    assert_eq!(set.sets[0].filters[0].state_ref, "oval:t:ste:1");
    assert_eq!(set.sets[1].object_refs, ["oval:t:obj:2", "oval:t:obj:1"]);
    assert_eq!(d.objects["oval:t:obj:3"].kind.namespace, NS_LINUX);
}

#[test]
fn reads_states_with_record_fields() {
    let d = load(FULL);
    let file = &d.states["oval:t:ste:1"];
    assert_eq!(file.operator, Operator::Or);
    assert_eq!(
        (file.entities[0].datatype, file.entities[0].entity_check),
        (Datatype::Boolean, Check::NoneSatisfy)
    );
    let yaml = &d.states["oval:t:ste:2"];
    assert_eq!(yaml.kind.namespace, NS_IND);
    assert_eq!(yaml.operator, Operator::And);
    let value = &yaml.entities[0];
    assert_eq!(
        (value.name.as_str(), value.datatype, value.entity_check),
        ("value", Datatype::Record, Check::AtLeastOne)
    );
    assert_eq!(value.value, None);
    assert_eq!(value.fields.len(), 2);
    assert_eq!((value.fields[0].name.as_str(), value.fields[0].operation), ("user", Operation::PatternMatch));
    assert_eq!(value.fields[0].value.as_deref(), Some("^ro"));
    assert!(value.fields[0].attributes.is_empty(), "the field's name is not an extra attribute");
    assert_eq!(
        (value.fields[1].datatype, value.fields[1].var_ref.as_deref()),
        (Datatype::Int, Some("oval:t:var:1"))
    );
}

#[test]
fn reads_every_variable_kind_and_component() {
    let d = load(FULL);
    let constant = &d.variables["oval:t:var:1"];
    assert_eq!(constant.datatype, Datatype::Int);
    assert!(matches!(&constant.kind, VariableKind::Constant(v) if v == &["0", "1"]));
    let VariableKind::External { possible_values, possible_restrictions } = &d.variables["oval:t:var:2"].kind
    else {
        panic!("external expected")
    };
    assert_eq!(possible_values, &["a"]);
    assert_eq!(possible_restrictions.len(), 1);
    assert_eq!(
        (possible_restrictions[0].operator, possible_restrictions[0].hint.as_deref()),
        (Operator::Or, Some("r"))
    );
    assert_eq!(
        possible_restrictions[0].restrictions,
        [(Operation::PatternMatch, "^x".to_string()), (Operation::Equals, "y".to_string())]
    );
    let VariableKind::Local(Component::Concat(parts)) = &d.variables["oval:t:var:3"].kind else {
        panic!("local concat expected")
    };
    assert_eq!(parts.len(), 10);
    let Component::Begin { character, arg } = &parts[0] else { panic!() };
    assert_eq!(character, "/");
    assert!(matches!(&**arg, Component::ObjectComponent { object_ref, item_field, record_field: None }
        if object_ref == "oval:t:obj:2" && item_field == "subexpression"));
    assert!(matches!(&parts[1], Component::End { arg, .. }
        if matches!(&**arg, Component::VariableComponent { var_ref } if var_ref == "oval:t:var:2")));
    assert!(matches!(&parts[2], Component::Literal { datatype: Datatype::String, value } if value == "lit"));
    assert!(matches!(&parts[3], Component::Literal { datatype: Datatype::Int, value } if value == "7"));
    assert!(
        matches!(&parts[4], Component::Arithmetic { operation: ArithmeticOperation::Multiply, args } if args.len() == 2)
    );
    assert!(matches!(&parts[5], Component::Count(args)
        if matches!(&args[0], Component::ObjectComponent { record_field: Some(f), .. } if f == "uid")));
    let Component::Unique(unique) = &parts[6] else { panic!() };
    let Component::EscapeRegex(split) = &unique[0] else { panic!() };
    assert!(matches!(&**split, Component::Split { delimiter, .. } if delimiter == ","));
    let Component::Substring { start, length, arg } = &parts[7] else { panic!() };
    assert_eq!((*start, *length), (2, -1));
    assert!(matches!(&**arg, Component::RegexCapture { pattern, .. } if pattern == r"^(\d+)"));
    assert!(matches!(&parts[8], Component::GlobToRegex { glob_noescape: true, .. }));
    let Component::TimeDifference { format_1, format_2, args } = &parts[9] else { panic!() };
    assert_eq!(
        (format_1.as_str(), format_2.as_str(), args.len()),
        ("seconds_since_epoch", "year_month_day", 1)
    );
}

#[test]
fn keeps_the_source_xml_standalone() {
    let d = load(FULL);
    let xml = d.source_xml.as_deref().unwrap();
    assert!(xml.starts_with("<oval_definitions") && xml.ends_with("</oval_definitions>"));
    let again = load(xml);
    assert_eq!(again.objects.len(), 4);
}

#[test]
fn loads_a_component_subtree_and_adds_inherited_namespaces() {
    // Prefixes declared on the data stream, used inside the component.
    let body = FULL
        .split_once("<oval_definitions")
        .map(|(_, rest)| rest.split_once('>').map(|(_, body)| body).unwrap())
        .unwrap();
    let stream = format!(
        r#"<ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2"
  xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5"
  xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent"
  xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix"
  xmlns:linux="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"
  xmlns:win="http://oval.mitre.org/XMLSchema/oval-definitions-5#windows"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<ds:component id="c1"><oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}</ds:component>
</ds:data-stream-collection>"#
    );
    let document = parse_xml(&stream, "ds.xml").unwrap();
    let node = document.descendants().find(|n| is_defs(*n, "oval_definitions")).unwrap();
    let d = parse_oval_node(node, "ds.xml").unwrap();
    assert_eq!(d.tests.len(), 3);
    assert_eq!(d.definitions["oval:t:def:1"].location.line, 16, "lines are positions in the whole stream");
    let xml = d.source_xml.as_deref().unwrap();
    assert_eq!(xml.matches("xmlns:xsi=").count(), 1, "declared once, not duplicated");
    assert!(xml.contains(r#"xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix""#));
    let standalone = load(xml);
    assert_eq!(standalone.tests.len(), 3);
}

#[test]
fn attribute_names_of_a_start_tag() {
    assert_eq!(attribute_names(r#"<a x="1" xmlns:p = 'u>v' y="""#), ["x", "xmlns:p", "y"]);
    assert_eq!(attribute_names("<a>"), Vec::<&str>::new());
    assert_eq!(attribute_names("<a/>"), Vec::<&str>::new());
}

#[test]
fn reports_unknown_enum_values_at_the_attribute() {
    let xml = FULL.replace(
        r#"<ind:instance datatype="int" operation="greater than or equal">"#,
        r#"<ind:instance datatype="integer" operation="foo">"#,
    );
    let errors = errors_of(&xml);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("bad.xml:62:"), "{errors:?}");
    assert!(errors[0].contains("`integer` is not a valid `datatype`"), "{errors:?}");
    assert!(errors[1].contains("`foo` is not a valid `operation`; expected one of: `equals`"), "{errors:?}");
    // The column points at the attribute itself.
    let line = xml.lines().nth(61).unwrap();
    let column = line.find("operation=").unwrap() + 1;
    assert!(errors[1].starts_with(&format!("bad.xml:62:{column}: ")), "{errors:?}");
}

#[test]
fn reports_every_dangling_reference_at_the_reference() {
    let xml = FULL
        .replace(r#"test_ref="oval:t:tst:1""#, r#"test_ref="oval:t:tst:99""#)
        .replace(r#"definition_ref="oval:t:def:2""#, r#"definition_ref="oval:t:def:99""#)
        .replace(
            r#"object_ref="oval:t:obj:2"/>
    </ind:textfilecontent54_test>"#,
            r#"object_ref="oval:t:obj:99"/>
    </ind:textfilecontent54_test>"#,
        )
        .replace(r#"state_ref="oval:t:ste:2"/>"#, r#"state_ref="oval:t:ste:99"/>"#)
        .replace("<filter>oval:t:ste:2</filter>", "<filter>oval:t:ste:98</filter>")
        .replace(r#"var_ref="oval:t:var:3""#, r#"var_ref="oval:t:var:99""#)
        .replace(
            r#"item_field="value" record_field"#,
            r#"item_field="value" object_ref="oval:t:obj:98" record_field"#,
        )
        .replace(
            r#"<object_component object_ref="oval:t:obj:1" item_field="value" object_ref="oval:t:obj:98""#,
            r#"<object_component item_field="value" object_ref="oval:t:obj:98""#,
        )
        .replace(
            "<object_reference>oval:t:obj:2</object_reference>",
            "<object_reference>oval:t:obj:97</object_reference>",
        )
        .replace(
            r#"<variable_component var_ref="oval:t:var:2"/>"#,
            r#"<variable_component var_ref="oval:t:var:98"/>"#,
        );
    let errors = errors_of(&xml);
    let expected = [
        ("test", "oval:t:tst:99", 26),
        ("definition", "oval:t:def:99", 29),
        ("object", "oval:t:obj:99", 45),
        ("state", "oval:t:ste:99", 42),
        ("state", "oval:t:ste:98", 57),
        ("variable", "oval:t:var:99", 54),
        ("object", "oval:t:obj:98", 106),
        ("object", "oval:t:obj:97", 67),
        ("variable", "oval:t:var:98", 102),
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (what, id, line) in expected {
        let wanted = format!("{what} `{id}` is not defined in this document");
        let hit =
            errors.iter().find(|e| e.contains(&wanted)).unwrap_or_else(|| panic!("{wanted}: {errors:#?}"));
        assert!(hit.starts_with(&format!("bad.xml:{line}:")), "{hit}");
    }
}

#[test]
fn reports_missing_attributes_duplicates_and_unexpected_elements_together() {
    let xml = FULL
        .replace(r#"<definition class="inventory" id="oval:t:def:2""#, r#"<definition id="oval:t:def:2""#)
        .replace(r#"id="oval:t:ste:2""#, r#"id="oval:t:ste:1""#)
        .replace("<tests>", "<tests><bogus/>")
        .replace(r#"<unix:file_test check="all" "#, r#"<unix:file_test "#);
    let errors = errors_of(&xml);
    let has = |text: &str| errors.iter().any(|e| e.contains(text));
    assert!(has("`definition` has no `class` attribute"), "{errors:#?}");
    assert!(has("`file_test` has no `check` attribute"), "{errors:#?}");
    assert!(has("unexpected element `bogus` in `tests`"), "{errors:#?}");
    assert!(
        errors.iter().any(|e| e.starts_with("bad.xml:81:5:")
            && e.contains("id `oval:t:ste:1` is already defined at bad.xml:78:5")),
        "{errors:#?}"
    );
    // The duplicate state also leaves the test's reference to `oval:t:ste:2` dangling.
    assert!(has("state `oval:t:ste:2` is not defined"), "{errors:#?}");
    assert_eq!(errors.len(), 6, "{errors:#?}");
}

#[test]
fn reports_malformed_xml_and_wrong_root_with_location() {
    let errors = errors_of(
        "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">\n  <generator>\n</oval_definitions>",
    );
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("bad.xml:3:1: not well-formed xml"), "{errors:?}");
    let errors = errors_of("<benchmark/>");
    assert!(errors[0].starts_with("bad.xml:1:1: expected a `oval_definitions` element"), "{errors:?}");
    let errors = errors_of("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>");
    assert!(errors[0].contains("not well-formed xml"), "dtd refused: {errors:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 500;
    let criteria = format!(
        "{}<criterion test_ref=\"oval:t:tst:1\"/>{}",
        "<criteria>".repeat(depth),
        "</criteria>".repeat(depth)
    );
    let xml = FULL.replace(r#"<criteria><criterion test_ref="oval:t:tst:3"/></criteria>"#, &criteria);
    let errors = errors_of(&xml);
    assert!(errors.iter().any(|e| e.contains("nested more than 128 levels deep")), "{errors:?}");
}

#[test]
fn columns_count_characters_on_long_lines() {
    // Everything on one line: columns must still be exact (and computing them stay linear).
    let one_line: String = FULL.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let d = load(&one_line);
    let object = &d.objects["oval:t:obj:2"];
    let expected = one_line.find(r#"<ind:textfilecontent54_object"#).unwrap() + 1;
    assert_eq!((object.location.line, object.location.column as usize), (1, expected));
    let with_wide = one_line.replace("Title &amp; more", "Titlé ☃ more");
    let d = load(&with_wide);
    assert_eq!(d.objects["oval:t:obj:2"].location.column as usize, expected - 4, "chars, not bytes");
}

// ---------------------------------------------------------------------------------------------
// Real content: every SSG OVAL file and every OVAL component of every SSG data stream.

const SSG_CONTENT: &str = "/usr/share/xml/scap/ssg/content";

/// (definitions, tests, objects, states, variables) counted by a streaming reader, independently of
/// the loader: every element that is a direct child of one of the five sections.
fn count_sections(xml: &str) -> [usize; 5] {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    const SECTIONS: [&str; 5] = ["definitions", "tests", "objects", "states", "variables"];
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut counts = [0; 5];
    let mut depth = 0usize;
    let mut section: Option<usize> = None;
    loop {
        let (namespace, event) = reader.read_resolved_event().unwrap();
        let in_defs = matches!(namespace, ResolveResult::Bound(ns) if ns.as_ref() == NS_OVAL_DEFS);
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 && in_defs {
                    section = SECTIONS.iter().position(|s| *s == e.local_name().as_ref());
                } else if depth == 3
                    && let Some(i) = section
                {
                    counts[i] += 1;
                }
            }
            Event::Empty(_) if depth == 2 => {
                if let Some(i) = section {
                    counts[i] += 1;
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    section = None;
                }
                depth -= 1;
            }
            Event::Eof => return counts,
            _ => {}
        }
    }
}

fn loaded_counts(d: &OvalDefinitions) -> [usize; 5] {
    [d.definitions.len(), d.tests.len(), d.objects.len(), d.states.len(), d.variables.len()]
}

/// Every SSG file ending in `suffix`; a missing or empty SSG directory fails the test.
fn ssg_files(suffix: &str) -> Vec<std::path::PathBuf> {
    const NEED_SSG: &str = "install the SCAP Security Guide with `sudo apt-get install ssg-base ssg-debian \
                            ssg-debderived ssg-nondebian ssg-applications` (or run scripts/setup.sh)";
    let dir = std::fs::read_dir(SSG_CONTENT).unwrap_or_else(|e| panic!("{SSG_CONTENT}: {e}: {NEED_SSG}"));
    let mut files: Vec<_> = dir
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *{suffix} under {SSG_CONTENT}: {NEED_SSG}");
    files
}

#[test]
fn loads_every_ssg_oval_file_with_exact_counts() {
    let files = ssg_files("-oval.xml");
    for path in &files {
        let d = load_oval_file(path).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(loaded_counts(&d), count_sections(&text), "{}", path.display());
        assert!(d.definitions.len() + d.tests.len() > 0, "{}", path.display());
    }
    println!("loaded {} ssg oval files", files.len());
}

#[test]
fn loads_every_oval_component_of_every_ssg_data_stream() {
    let files = ssg_files("-ds.xml");
    let mut components = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let document = parse_xml(&text, &name).unwrap();
        let nodes = document.descendants().filter(|n| {
            is_defs(*n, "oval_definitions")
                && n.parent_element().is_some_and(|p| p.tag_name().name() == "component")
        });
        for node in nodes {
            let d = parse_oval_node(node, &name).unwrap_or_else(|e| panic!("{name}:\n{e}"));
            let standalone = d.source_xml.as_deref().unwrap();
            assert_eq!(loaded_counts(&d), count_sections(standalone), "{name}");
            components += 1;
        }
    }
    assert!(components >= files.len(), "every ssg data stream has at least one oval component");
    println!("loaded {components} oval components from {} ssg data streams", files.len());
}

/// CPU time of this thread: the machine is shared, so wall-clock figures say little.
fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// `cargo test --release --lib loader::oval::tests::timing -- --ignored --nocapture`
#[test]
#[ignore = "timing, meaningful in release builds only"]
fn timing_ssg_rhel8_oval() {
    let path = Path::new(SSG_CONTENT).join("ssg-rhel8-oval.xml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let measure = |f: &dyn Fn()| {
        let (mut cpu, mut wall) = (std::time::Duration::MAX, std::time::Duration::MAX);
        for _ in 0..10 {
            let (cpu_start, wall_start) = (thread_cpu_time(), std::time::Instant::now());
            f();
            cpu = cpu.min(thread_cpu_time() - cpu_start);
            wall = wall.min(wall_start.elapsed());
        }
        (cpu.as_secs_f64() * 1000.0, wall.as_secs_f64() * 1000.0)
    };
    let xml = measure(&|| drop(parse_xml(&text, "rhel8").unwrap()));
    let load = measure(&|| assert!(!parse_oval_str(&text, "rhel8").unwrap().definitions.is_empty()));
    println!(
        "ssg-rhel8-oval.xml ({} bytes), best of 10: load {:.1} ms cpu / {:.1} ms wall; \
         of which roxmltree {:.1} ms cpu / {:.1} ms wall",
        text.len(),
        load.0,
        load.1,
        xml.0,
        xml.1
    );
}

/// A small deterministic fuzz run in the normal test suite (the cargo-fuzz target goes further):
/// mangled documents give errors, never panics, and whatever loads round-trips its source XML.
#[test]
fn mangled_documents_never_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    let garbage = ["", "foo", "-1", "x<y", "&amp;", "oval:t:tst:1", "true", "AND", "record", "\u{1}"];
    let mut loaded = 0;
    for _ in 0..400 {
        let mut doc = FULL.to_string();
        for _ in 0..1 + next(3) {
            let at = next(doc.len());
            let at = (0..=at).rev().find(|i| doc.is_char_boundary(*i)).unwrap_or(0);
            let end = (at + next(80)).min(doc.len());
            let end = (end..=doc.len()).find(|i| doc.is_char_boundary(*i)).unwrap_or(doc.len());
            match next(4) {
                0 => doc.replace_range(at..end, ""),
                1 => {
                    let copy = doc[at..end].to_string();
                    doc.insert_str(end, &copy);
                }
                2 => {
                    // Replace one attribute value.
                    if let Some(quote) = doc[at..].find("=\"").map(|q| at + q + 2)
                        && let Some(close) = doc[quote..].find('"').map(|c| quote + c)
                    {
                        doc.replace_range(quote..close, garbage[next(garbage.len())]);
                    }
                }
                _ => doc.truncate(at),
            }
        }
        if let Ok(d) = parse_oval_str(&doc, "mangled.xml") {
            loaded += 1;
            let again = parse_oval_str(d.source_xml.as_deref().unwrap(), "again.xml").unwrap();
            assert_eq!(d.definitions.len() + d.tests.len(), again.definitions.len() + again.tests.len());
        }
    }
    // Some mutations (e.g. inside comments or descriptions) keep the document valid.
    assert!(loaded > 0 && loaded < 400, "loaded {loaded} of 400");
}
