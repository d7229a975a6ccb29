//! The loader against real content: DISA STIG XCCDFs (checked field by field against the derived
//! JSON digests in tests/data), SSG data streams (counts against an independent element count), and
//! error cases cut from real files.

mod support;

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use serde_json::Value as Json;
use stigrun::loader::datastream::Input;
use stigrun::loader::{LoadError, Selection, Source, load_benchmark, load_source};
use stigrun::model::stig::{CCI_SYSTEMS, Category, LEGACY_SYSTEM};
use stigrun::model::xccdf::{Benchmark, NS_XCCDF_11, NS_XCCDF_12, Severity};

use support::ssg;

/// The DISA Docker EE XCCDFs the binary embeds (content/, with their provenance).
fn docker(release: &str) -> PathBuf {
    let dir = support::repo().join("content/docker-ee");
    let name = match release {
        "V2R2" => "U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml",
        "V2R1" => "U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V2R1_Manual-xccdf.xml",
        _ => "U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V1R1_Manual-xccdf.xml",
    };
    dir.join(name)
}

fn load(path: &Path) -> Benchmark {
    match load_benchmark(path, &Selection::default()) {
        Ok(loaded) => loaded.benchmark,
        Err(e) => panic!("{} failed to load:\n{e}", path.display()),
    }
}

/// The Docker EE XCCDFs of content/ and the other DISA XCCDFs of tests/data.
fn all_stig_xccdfs() -> Vec<PathBuf> {
    let dirs = [support::repo().join("content/docker-ee"), support::data("stig/other")];
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-xccdf.xml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_disa_xccdf_loads() {
    let files = all_stig_xccdfs();
    assert_eq!(files.len(), 6, "{files:?}");
    for file in files {
        let b = load(&file);
        assert!(!b.rules.is_empty(), "{}", file.display());
        assert!(b.release_info.is_some(), "{}", file.display());
        // DISA layout: one rule per group, the group id is the V-ID.
        for rule in &b.rules {
            let group = b.parent_group(rule).expect("rule has a group");
            assert!(group.common.id.starts_with("V-"), "{}", group.common.id);
        }
    }
}

#[test]
fn docker_rule_counts_and_the_brief_rule() {
    assert_eq!(load(&docker("V2R1")).rules.len(), 100);
    let b = load(&docker("V2R2"));
    assert_eq!(b.rules.len(), 101);
    assert_eq!(b.release_info.as_deref(), Some("Release: 2 Benchmark Date: 24 Jul 2024"));
    let rule = b.rule("SV-235833r961395_rule").expect("rule present");
    let s = b.stig_rule(rule);
    assert_eq!(s.stig_id, Some("DKER-EE-003320"));
    assert_eq!(s.ccis, vec!["CCI-001851"]);
    assert_eq!(s.vuln_id, Some("V-235833"));
    assert_eq!(s.srg, Some("SRG-APP-000358"));
    assert_eq!(s.severity, Severity::Medium);
    assert_eq!(s.category, Some(Category::CatII));
    assert_eq!(s.rule_base, "SV-235833");
    for q in ["V-235833", "SV-235833", "SV-235833r961395_rule", "DKER-EE-003320"] {
        assert_eq!(b.find_rule(q).map(|r| r.id()), Ok("SV-235833r961395_rule"), "{q}");
    }
    let err = b.find_rule("DKER-EE-003321").unwrap_err();
    assert!(err.suggestions.iter().any(|s| s == "DKER-EE-003320"), "{err}");
}

fn json_str<'j>(v: &'j Json, key: &str) -> &'j str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

fn json_strings(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Compare every rule of a DISA XCCDF with the derived JSON digest, field by field.
fn check_against_digest(release: &str) {
    let digest_path = support::data(&format!("stig/docker_ee_2x/docker_ee_2x_{release}_rules.json"));
    let digest: Json = serde_json::from_str(&std::fs::read_to_string(&digest_path).unwrap()).unwrap();
    let b = load(&docker(release));

    let meta = &digest["benchmark"];
    assert_eq!(b.id, json_str(meta, "benchmark_id"));
    assert_eq!(b.title.as_ref().map(|t| t.text.as_str()), Some(json_str(meta, "title")));
    assert_eq!(b.version.as_deref(), Some(json_str(meta, "version")));
    assert_eq!(b.statuses[0].status, json_str(meta, "status"));
    assert_eq!(b.statuses[0].date.as_deref(), Some(json_str(meta, "status_date")));
    assert_eq!(b.release_info.as_deref(), Some(json_str(meta, "release_info")));
    let profiles: Vec<String> = b.profiles.iter().map(|p| p.id.clone()).collect();
    assert_eq!(profiles, json_strings(&meta["profiles"]));

    let rules = digest["rules"].as_array().unwrap();
    assert_eq!(rules.len(), b.rules.len());
    assert_eq!(digest["rule_count"].as_u64(), Some(b.rules.len() as u64));
    let mut compared = 0;
    for expected in rules {
        let id = json_str(expected, "rule_id");
        let rule = b.rule(id).unwrap_or_else(|| panic!("{release}: rule {id} missing"));
        let s = b.stig_rule(rule);
        let ctx = format!("{release} {id}");
        assert_eq!(s.vuln_id, Some(json_str(expected, "vuln_id")), "{ctx}");
        assert_eq!(s.srg, Some(json_str(expected, "group_title")), "{ctx}");
        assert_eq!(s.stig_id, Some(json_str(expected, "stig_id")), "{ctx}");
        assert_eq!(s.title, Some(json_str(expected, "title")), "{ctx}");
        assert_eq!(s.severity.as_str(), json_str(expected, "severity"), "{ctx}");
        assert_eq!(s.weight, json_str(expected, "weight").parse::<f64>().unwrap(), "{ctx}");
        let description = s.description.as_ref().unwrap_or_else(|| panic!("{ctx}: no DISA description"));
        assert_eq!(description.vuln_discussion.as_deref(), Some(json_str(expected, "description")), "{ctx}");
        let fields = expected["description_fields"].as_object().unwrap();
        assert!(!fields.is_empty());
        for (tag, value) in fields {
            assert_eq!(description.field(tag).unwrap_or(""), value.as_str().unwrap(), "{ctx} {tag}");
        }
        assert_eq!(s.check_id, Some(json_str(expected, "check_id")), "{ctx}");
        let cref = s.check_content_ref.unwrap();
        assert_eq!(cref.href, json_str(&expected["check_content_ref"], "href"), "{ctx}");
        assert_eq!(cref.name.as_deref(), Some(json_str(&expected["check_content_ref"], "name")), "{ctx}");
        assert_eq!(s.check_text, Some(json_str(expected, "check_text")), "{ctx}");
        assert_eq!(s.fix_id, Some(json_str(expected, "fix_id")), "{ctx}");
        assert_eq!(s.fix_text, Some(json_str(expected, "fix_text")), "{ctx}");

        // The digest puts `http://cyber.mil/cci` idents in `cci` and any other system (V1R1
        // used `http://iase.disa.mil/cci`) in `other_idents`; stigrun counts both as CCIs.
        let others = expected["other_idents"].as_array().unwrap();
        let mut ccis = json_strings(&expected["cci"]);
        ccis.extend(
            others
                .iter()
                .filter(|o| CCI_SYSTEMS.contains(&json_str(o, "system")))
                .map(|o| json_str(o, "value").to_string()),
        );
        assert_eq!(s.ccis, ccis, "{ctx}");
        assert_eq!(s.legacy_ids, json_strings(&expected["legacy_ids"]), "{ctx}");
        let non_cci_others: Vec<(&str, &str)> = rule
            .idents
            .iter()
            .filter(|i| !CCI_SYSTEMS.contains(&i.system.as_str()) && i.system != LEGACY_SYSTEM)
            .map(|i| (i.system.as_str(), i.value.as_str()))
            .collect();
        let expected_others: Vec<(&str, &str)> = others
            .iter()
            .filter(|o| !CCI_SYSTEMS.contains(&json_str(o, "system")))
            .map(|o| (json_str(o, "system"), json_str(o, "value")))
            .collect();
        assert_eq!(non_cci_others, expected_others, "{ctx}");

        let dpms = s.dpms.as_ref().unwrap();
        let e = &expected["dpms_reference"];
        assert_eq!(dpms.title, Some(json_str(e, "title")), "{ctx}");
        assert_eq!(dpms.publisher, Some(json_str(e, "publisher")), "{ctx}");
        assert_eq!(dpms.kind, Some(json_str(e, "type")), "{ctx}");
        assert_eq!(dpms.subject, Some(json_str(e, "subject")), "{ctx}");
        assert_eq!(dpms.identifier, Some(json_str(e, "identifier")), "{ctx}");
        compared += 1;
    }
    assert_eq!(compared, b.rules.len());
}

#[test]
fn v2r2_agrees_with_digest() {
    check_against_digest("V2R2");
}

#[test]
fn v2r1_agrees_with_digest() {
    check_against_digest("V2R1");
}

#[test]
fn v1r1_agrees_with_digest() {
    check_against_digest("V1R1");
}

/// Counts of XCCDF elements in a document by an independent reader (quick-xml's own namespace
/// resolution): (rules, groups, values, profiles) inside the first Benchmark.
fn direct_counts(path: &Path) -> [usize; 4] {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::NsReader::from_str(&text);
    let mut counts = [0; 4];
    let mut benchmark_depth: Option<usize> = None;
    let mut depth = 0usize;
    loop {
        let (ns, event) = reader.read_resolved_event().unwrap();
        let in_xccdf = matches!(ns, ResolveResult::Bound(n) if n.0 == NS_XCCDF_12 || n.0 == NS_XCCDF_11);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                let is_start = matches!(event, Event::Start(_));
                if in_xccdf && local.as_ref() == "Benchmark" && benchmark_depth.is_none() {
                    benchmark_depth = Some(depth);
                } else if in_xccdf && benchmark_depth.is_some() {
                    match local.as_ref() {
                        "Rule" => counts[0] += 1,
                        "Group" => counts[1] += 1,
                        "Value" => counts[2] += 1,
                        "Profile" => counts[3] += 1,
                        _ => {}
                    }
                }
                if is_start {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth -= 1;
                if benchmark_depth == Some(depth) {
                    return counts;
                }
            }
            Event::Eof => return counts,
            _ => {}
        }
    }
}

#[test]
fn ssg_counts_equal_direct_element_counts() {
    for name in ["ssg-debian11-ds.xml", "ssg-ubuntu2204-ds.xml", "ssg-rhel8-ds.xml"] {
        let path = ssg(name);
        let loaded = load_benchmark(&path, &Selection::default()).unwrap();
        let b = &loaded.benchmark;
        let ours = [b.rules.len(), b.groups.len(), b.values.len(), b.profiles.len()];
        assert_eq!(ours, direct_counts(&path), "{name}: [rules, groups, values, profiles]");
        assert!(b.rules.len() > 100, "{name}");
        // The OVAL component a rule's check names is reachable through the catalog.
        let href = b
            .rules
            .iter()
            .flat_map(|r| &r.checks)
            .flat_map(|c| &c.content_refs)
            .map(|r| r.href.as_str())
            .find(|h| h.ends_with("-oval.xml"))
            .unwrap();
        let oval = loaded.check_component(href).unwrap_or_else(|| panic!("{name}: {href} not resolved"));
        let mut cursor = oval.cursor();
        let root = cursor.root().unwrap();
        assert_eq!(root.local, "oval_definitions");
        // SSG long ids and their short forms both find rules.
        let id = b.rules[0].id().to_string();
        let short = id.rsplit_once("_rule_").unwrap().1;
        assert_eq!(b.find_rule(short).map(|r| r.id()), Ok(id.as_str()));
    }
}

#[test]
fn data_stream_structure_is_listed() {
    let path = ssg("ssg-rhel8-ds.xml");
    let Ok(Source::DataStream(c)) = load_source(&path) else { panic!("not a data stream") };
    assert_eq!(c.data_streams.len(), 1);
    let ds = &c.data_streams[0];
    assert_eq!(ds.scap_version.as_deref(), Some("1.3"));
    assert_eq!(ds.checklists.len(), 1);
    assert_eq!(ds.checks.len(), 4);
    assert_eq!(ds.checklists[0].catalog.len(), 3);
    assert_eq!(c.components.len(), 5);
    // The remote Red Hat OVAL feed is an external href, not a local component.
    assert!(ds.checks.iter().any(|r| r.component_id().is_none()));
}

fn bytes_error(name: &str, text: &str) -> String {
    let input = Input::Bytes { name, bytes: text.as_bytes() };
    match load_benchmark(input, &Selection::default()) {
        Ok(_) => panic!("{name} loaded"),
        Err(e) => e.to_string(),
    }
}

/// `file:line:column: …` with a real line number.
fn assert_positioned(message: &str, file: &str) {
    let rest = message.strip_prefix(&format!("{file}:")).unwrap_or_else(|| panic!("no file: {message}"));
    let mut parts = rest.splitn(3, ':');
    let line: u32 = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("no line: {message}"));
    let column: u32 = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("no column: {message}"));
    assert!(line >= 1 && column >= 1, "{message}");
}

#[test]
fn truncated_real_files_give_positioned_errors() {
    let text = std::fs::read_to_string(docker("V2R2")).unwrap();
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let msg = bytes_error("half.xml", &text[..cut]);
    assert_eq!(msg.lines().count(), 1, "{msg}");
    assert_positioned(&msg, "half.xml");
    assert!(msg.contains("end of"), "{msg}");

    let text = std::fs::read_to_string(ssg("ssg-rhel8-ds.xml")).unwrap();
    for fraction in [10, 3, 2] {
        let mut cut = text.len() / fraction;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let msg = bytes_error("ds-half.xml", &text[..cut]);
        assert_positioned(&msg, "ds-half.xml");
        assert!(msg.contains("end of"), "{msg}");
        println!("cut at 1/{fraction}: {msg}");
    }
}

#[test]
fn wrong_namespace_in_a_real_file() {
    let text = std::fs::read_to_string(docker("V2R2")).unwrap();
    let changed = text.replace(
        "xmlns=\"http://checklists.nist.gov/xccdf/1.1\"",
        "xmlns=\"http://checklists.nist.gov/xccdf/1.0\"",
    );
    let msg = bytes_error("ns.xml", &changed);
    assert_positioned(&msg, "ns.xml");
    assert!(msg.contains("`http://checklists.nist.gov/xccdf/1.0`"), "{msg}");
    assert!(msg.contains("http://checklists.nist.gov/xccdf/1.1"), "{msg}");
    assert!(msg.contains("http://scap.nist.gov/schema/scap/source/1.2"), "{msg}");
}

#[test]
fn dangling_idrefs_in_a_real_file_are_all_reported() {
    let text = std::fs::read_to_string(docker("V2R2")).unwrap();
    // Every one of the 9 profiles selects V-235833.
    let changed = text.replace("<select idref=\"V-235833\"", "<select idref=\"V-999999\"");
    let err = load_benchmark(
        Input::Bytes { name: "dangling.xml", bytes: changed.as_bytes() },
        &Selection::default(),
    )
    .unwrap_err();
    let errors = err.errors();
    assert_eq!(errors.len(), 9, "{err}");
    for e in errors {
        assert!(matches!(e, LoadError::DanglingRef { .. }));
        let msg = e.to_string();
        assert_positioned(&msg, "dangling.xml");
        assert!(msg.ends_with("profile select refers to unknown rule or group `V-999999`"), "{msg}");
    }
    assert_eq!(err.to_string().lines().count(), 9);
}

#[test]
fn standalone_xccdf_12_matches_its_data_stream() {
    let xccdf = ssg("ssg-debian11-xccdf.xml");
    let ds = ssg("ssg-debian11-ds.xml");
    let Ok(Source::Benchmark(standalone)) = load_source(&xccdf) else { panic!("not a benchmark") };
    let from_ds = load(&ds);
    assert_eq!(standalone.id, from_ds.id);
    assert_eq!(standalone.rules.len(), from_ds.rules.len());
    for (a, b) in standalone.rules.iter().zip(&from_ds.rules) {
        assert_eq!(a.id(), b.id());
        assert_eq!(a.common.title, b.common.title);
        assert_eq!(a.common.description, b.common.description);
        assert_eq!(a.idents, b.idents);
        assert_eq!(a.severity, b.severity);
    }
    // XCCDF 1.2 SSG text keeps its xhtml: raw markup plus a plain rendering.
    let marked =
        from_ds.rules.iter().filter_map(|r| r.common.description.as_ref()).find(|d| d.markup.is_some());
    let marked = marked.expect("some description has markup");
    assert!(
        marked.markup.as_deref().unwrap().contains("<html:")
            || marked.markup.as_deref().unwrap().contains("<sub")
    );
    assert!(!marked.text.contains("<html:"), "{}", marked.text);
}

/// A cheap, deterministic stand-in for the cargo-fuzz target (which needs nightly): thousands of
/// byte-level mutations of real content must each load or fail with an error, never panic.
#[test]
fn mutated_real_content_never_panics() {
    let seed = std::fs::read(support::data("stig/other/U_RFID_Workstation_V6R9_manual-xccdf.xml")).unwrap();
    let alphabet = b"<>/\"'&=:x; \n#\xc3";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let (mut loaded, mut failed) = (0, 0);
    for _ in 0..3000 {
        let mut data = seed.clone();
        for _ in 0..1 + next(4) {
            let at = next(data.len());
            match next(3) {
                0 => data[at] = alphabet[next(alphabet.len())],
                1 => {
                    let end = (at + next(64)).min(data.len());
                    data.drain(at..end);
                }
                _ => {
                    let from = next(data.len());
                    let end = (from + next(32)).min(data.len());
                    let piece = data[from..end].to_vec();
                    data.splice(at..at, piece);
                }
            }
        }
        match load_benchmark(Input::Bytes { name: "m.xml", bytes: &data }, &Selection::default()) {
            Ok(l) => {
                for r in &l.benchmark.rules {
                    let _ = l.benchmark.stig_rule(r);
                }
                loaded += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                failed += 1;
            }
        }
    }
    assert!(loaded > 0 && failed > 0, "loaded {loaded}, failed {failed}");
}
