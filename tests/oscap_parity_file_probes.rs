//! Differential check of the file-family probes against OpenSCAP: the same objects over the
//! same fixture root, collected by `oscap oval eval` (with `OSCAP_PROBE_ROOT`) and by stigrun's
//! probes, must give the same flags and the same items (field names, datatypes, values).
//!
//! Known, deliberate differences are left out of the fixture and listed in the report:
//! symlinks whose targets oscap resolves on the host instead of inside the root, record field
//! order (oscap's comes from a hash table: fields are compared as a multiset), and `a_time`
//! (reads by either tool may move it). Fails when `oscap` is not installed.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

use stigrun::host::ScanTarget;
use stigrun::model::oval::{
    Check, Datatype, Family, ItemStatus, ItemValue, NS_IND, NS_UNIX, Operation, TypeName,
};
use stigrun::probes::{Collected, ProbeContext, Registry, ResolvedObject};
use stigrun::semantics::ResolvedEntity;

/// One object of the fixture: its type, its entities and its behaviors.
struct Case {
    family: Family,
    object: &'static str,
    entities: Vec<Ent>,
    behaviors: Vec<(&'static str, &'static str)>,
}

struct Ent {
    name: &'static str,
    op: Operation,
    value: Option<&'static str>,
    datatype: Datatype,
}

fn ent(name: &'static str, op: Operation, value: &'static str) -> Ent {
    Ent { name, op, value: Some(value), datatype: Datatype::String }
}

fn int(name: &'static str, op: Operation, value: &'static str) -> Ent {
    Ent { name, op, value: Some(value), datatype: Datatype::Int }
}

fn nil(name: &'static str) -> Ent {
    Ent { name, op: Operation::Equals, value: None, datatype: Datatype::String }
}

fn cases() -> Vec<Case> {
    use Family::{Independent as Ind, Unix};
    use Operation::{Equals as Eq, PatternMatch as Re};
    let c = |family, object, entities, behaviors| Case { family, object, entities, behaviors };
    vec![
        c(Unix, "file_object", vec![ent("filepath", Eq, "/etc/ssh/sshd_config")], vec![]),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/ssh"), nil("filename")],
            vec![("recurse", "directories"), ("recurse_direction", "down"), ("max_depth", "-1")],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Re, "^/etc/ssh.*"), ent("filename", Re, r".*\.conf$")],
            vec![("recurse", "symlinks and directories"), ("recurse_direction", "down"), ("max_depth", "-1")],
        ),
        c(Unix, "file_object", vec![ent("filepath", Re, r"^/etc/ssh/.*")], vec![]),
        c(Unix, "file_object", vec![ent("path", Eq, "/etc"), ent("filename", Eq, "none")], vec![]),
        c(
            Ind,
            "textfilecontent54_object",
            vec![
                ent("filepath", Eq, "/etc/ssh/sshd_config"),
                ent("pattern", Re, r"^[\s]*(\w+)[\s]+(.*)$"),
                int("instance", Eq, "2"),
            ],
            vec![],
        ),
        c(
            Ind,
            "textfilecontent54_object",
            vec![
                ent("path", Eq, "/etc/ssh"),
                ent("filename", Eq, "sshd_config"),
                ent("pattern", Re, r"Permit.*?(yes|no)"),
                int("instance", Eq, "1"),
            ],
            vec![("singleline", "true"), ("multiline", "false")],
        ),
        c(
            Ind,
            "textfilecontent54_object",
            vec![
                ent("path", Re, "^/etc/ssh/sub.*"),
                ent("filename", Re, ".*"),
                ent("pattern", Re, r"^(x)?(\w)$"),
                int("instance", Eq, "1"),
            ],
            vec![],
        ),
        c(
            Ind,
            "textfilecontent_object",
            vec![
                ent("path", Eq, "/etc/ssh"),
                ent("filename", Eq, "sshd_config"),
                ent("line", Re, r"^Permit\w+ (\w+)"),
            ],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/docker/daemon.json"), ent("yamlpath", Eq, ".icc")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/docker/daemon.json"), ent("yamlpath", Eq, ".ulimits.nofile")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/docker/daemon.json"), ent("yamlpath", Eq, ".list[:]")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/docker/daemon.json"), ent("yamlpath", Eq, ".ulimits")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/docker/daemon.json"), ent("yamlpath", Eq, ".nope")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/a.yaml"), ent("yamlpath", Eq, ".users[:]")],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![
                ent("filepath", Eq, "/etc/a.yaml"),
                ent("yamlpath", Eq, "['f','n','nul','bt','q','e','tn','big','x']"),
            ],
            vec![],
        ),
        c(
            Ind,
            "yamlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/bad.json"), ent("yamlpath", Eq, ".a")],
            vec![],
        ),
        c(
            Ind,
            "filehash58_object",
            vec![ent("filepath", Eq, "/etc/ssh/sshd_config"), ent("hash_type", Eq, "SHA-256")],
            vec![],
        ),
        c(
            Ind,
            "filehash58_object",
            vec![ent("filepath", Re, r"^/etc/ssh/sub/.*"), ent("hash_type", Eq, "SHA-512")],
            vec![],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/tree"), ent("filename", Re, r"\.conf$")],
            vec![("recurse_direction", "down")],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/tree"), ent("filename", Re, r"\.conf$")],
            vec![("recurse_direction", "down"), ("recurse", "directories")],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/tree"), ent("filename", Re, r"\.conf$")],
            vec![("recurse_direction", "down"), ("max_depth", "1")],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/tree"), nil("filename")],
            vec![("recurse_direction", "down"), ("max_depth", "2")],
        ),
        c(
            Unix,
            "file_object",
            vec![ent("path", Re, "^/etc/tree/.*"), ent("filename", Re, r"^f\d\.conf$")],
            vec![],
        ),
        c(Unix, "file_object", vec![ent("filepath", Re, "^/etc/tree/.*")], vec![]),
        c(
            Unix,
            "file_object",
            vec![ent("path", Eq, "/etc/tree/d1/d2"), nil("filename")],
            vec![("recurse_direction", "up"), ("max_depth", "1")],
        ),
        c(
            Ind,
            "textfilecontent54_object",
            vec![
                ent("path", Eq, "/etc/tree"),
                ent("filename", Re, ".*"),
                ent("pattern", Re, r"a=(\d)"),
                int("instance", Eq, "1"),
            ],
            vec![("recurse_direction", "down")],
        ),
        c(Unix, "symlink_object", vec![ent("filepath", Eq, "/etc/rel-link")], vec![]),
        c(Unix, "symlink_object", vec![ent("filepath", Eq, "/etc/ssh/sshd_config")], vec![]),
        c(Unix, "symlink_object", vec![ent("filepath", Eq, "/etc/dangling")], vec![]),
        c(
            Ind,
            "xmlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/x.xml"), ent("xpath", Eq, "//a[@k='v']/@n")],
            vec![],
        ),
        c(
            Ind,
            "xmlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/x.xml"), ent("xpath", Eq, "/r/a[1]/text()")],
            vec![],
        ),
        c(
            Ind,
            "xmlfilecontent_object",
            vec![ent("filepath", Eq, "/etc/x.xml"), ent("xpath", Eq, "//zzz")],
            vec![],
        ),
    ]
}

fn make_fixture(base: &Path) {
    let w = |p: &str, s: &str| {
        let full = base.join(p.trim_start_matches('/'));
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, s).unwrap();
    };
    w(
        "/etc/ssh/sshd_config",
        "Port 22\n#PermitRootLogin yes\nPermitRootLogin no\nCiphers aes256-ctr,aes128-ctr\n",
    );
    w("/etc/ssh/sub/a.conf", "x\n");
    w("/etc/ssh/sub/deeper/b.conf", "y\nz\n");
    fs::set_permissions(base.join("etc/ssh/sub/a.conf"), fs::Permissions::from_mode(0o4755)).unwrap();
    set_extended_acl(&base.join("etc/ssh/sub/deeper/b.conf"));
    symlink("b.conf", base.join("etc/ssh/sub/deeper/acl-link.conf")).unwrap();
    w(
        "/etc/docker/daemon.json",
        "{\n  \"icc\": false,\n  \"log-level\": \"info\",\n  \"ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Hard\": 64000}},\n  \"list\": [\"a\", 2]\n}\n",
    );
    w(
        "/etc/a.yaml",
        "f: 1.5\nn: 3\nnul: null\nbt: True\nq: 'x y'\ne:\ntn: !!null null\nbig: 4294967297\nx: 0x1F\nusers:\n  - name: alice\n    groups: [wheel, adm]\n  - name: bob\n    uid: 2\n",
    );
    w("/etc/multi.yaml", "a: 1\n---\na: [2, x]\n---\nb: 3\n");
    w("/etc/bad.json", "{\n  \"a\": 1,\n  \"b\": [1, 2\n");
    w("/etc/x.xml", "<r><a k=\"v\" n=\"1\">t1</a><b><a k=\"v\" n=\"2\"/></b><a k=\"w\" n=\"3\"/></r>");
    symlink("ssh/sshd_config", base.join("etc/rel-link")).unwrap();
    // Relative links only: oscap resolves absolute ones on the host, not inside the root.
    w("/etc/tree/d1/f1.conf", "a=1\n");
    w("/etc/tree/d1/d2/f2.conf", "a=2\n");
    w("/etc/tree/d1/d2/d3/f3.conf", "a=3\n");
    symlink("d1/d2", base.join("etc/tree/ln")).unwrap();
    symlink("../..", base.join("etc/tree/d1/d2/up")).unwrap();
    symlink("f1.conf", base.join("etc/tree/d1/file-link.conf")).unwrap();
    let fifo = std::ffi::CString::new(base.join("etc/tree/fifo.conf").to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    symlink("nowhere", base.join("etc/dangling")).unwrap();
}

/// Give a file a POSIX access ACL with a named-user entry (what `setfacl -m u:65534:r` does).
fn set_extended_acl(path: &Path) {
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in
        [(1u16, 6u16, u32::MAX), (2, 4, 65534), (4, 4, u32::MAX), (0x10, 4, u32::MAX), (0x20, 4, u32::MAX)]
    {
        acl.extend(tag.to_le_bytes());
        acl.extend(perm.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: valid NUL-terminated path and name; the buffer outlives the call. Failure (no
    // ACL support) only leaves the file without an ACL, which both tools then report.
    unsafe {
        libc::setxattr(
            c_path.as_ptr(),
            c"system.posix_acl_access".as_ptr(),
            acl.as_ptr().cast(),
            acl.len(),
            0,
        );
    }
}

fn ns(family: Family) -> &'static str {
    if family == Family::Unix { NS_UNIX } else { NS_IND }
}

fn prefix(family: Family) -> &'static str {
    if family == Family::Unix { "unix" } else { "ind" }
}

fn oval_op(op: Operation) -> &'static str {
    match op {
        Operation::PatternMatch => "pattern match",
        _ => "equals",
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn definitions(cases: &[Case]) -> String {
    let mut tests = String::new();
    let mut objects = String::new();
    let mut criteria = String::new();
    for (i, case) in cases.iter().enumerate() {
        let n = i + 1;
        let p = prefix(case.family);
        let base = case.object.trim_end_matches("_object");
        criteria.push_str(&format!("<criterion test_ref=\"oval:x:tst:{n}\"/>"));
        tests.push_str(&format!(
            "<{p}:{base}_test id=\"oval:x:tst:{n}\" version=\"1\" check=\"all\" check_existence=\"any_exist\" comment=\"c\"><{p}:object object_ref=\"oval:x:obj:{n}\"/></{p}:{base}_test>\n"
        ));
        let mut body = String::new();
        if !case.behaviors.is_empty() {
            let attrs: String = case.behaviors.iter().map(|(k, v)| format!(" {k}=\"{v}\"")).collect();
            body.push_str(&format!("<{p}:behaviors{attrs}/>"));
        }
        for e in &case.entities {
            let dt = if e.datatype == Datatype::Int { " datatype=\"int\"" } else { "" };
            match e.value {
                Some(v) => body.push_str(&format!(
                    "<{p}:{name} operation=\"{op}\"{dt}>{v}</{p}:{name}>",
                    name = e.name,
                    op = oval_op(e.op),
                    v = xml_escape(v)
                )),
                None => body.push_str(&format!("<{p}:{name} xsi:nil=\"true\"/>", name = e.name)),
            }
        }
        objects.push_str(&format!(
            "<{p}:{obj} id=\"oval:x:obj:{n}\" version=\"1\">{body}</{p}:{obj}>\n",
            obj = case.object
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="{NS_IND}" xmlns:unix="{NS_UNIX}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<generator><oval:schema_version>5.11.3</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
<definitions><definition class="compliance" id="oval:x:def:1" version="1"><metadata><title>t</title><description>d</description></metadata>
<criteria operator="AND">{criteria}</criteria></definition></definitions>
<tests>{tests}</tests><objects>{objects}</objects></oval_definitions>"#
    )
}

/// An item as comparable text: status, then `name[datatype]=value` per field (record fields
/// sorted), with `a_time` left out.
type Shown = (String, Vec<String>);

fn datatype_name(d: Datatype) -> &'static str {
    match d {
        Datatype::Int => "int",
        Datatype::Boolean => "boolean",
        Datatype::Float => "float",
        Datatype::Record => "record",
        _ => "string",
    }
}

fn status_name(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Exists => "exists",
        ItemStatus::DoesNotExist => "does not exist",
        ItemStatus::Error => "error",
        ItemStatus::NotCollected => "not collected",
    }
}

fn show_ours(c: &Collected) -> (String, Vec<Shown>) {
    let mut items: Vec<Shown> = c
        .items
        .iter()
        .map(|i| {
            let mut fields = Vec::new();
            for f in i.fields.iter().filter(|f| f.name != "a_time") {
                let value = match &f.value {
                    ItemValue::Text(t) => t.clone(),
                    ItemValue::Nil => String::new(),
                    ItemValue::Record(r) => {
                        let mut sub: Vec<String> = r
                            .iter()
                            .map(|x| {
                                let v =
                                    if let ItemValue::Text(t) = &x.value { t.clone() } else { String::new() };
                                format!("{}[{}]={v}", x.name, datatype_name(x.datatype))
                            })
                            .collect();
                        sub.sort();
                        sub.join(";")
                    }
                };
                let status = if f.status == ItemStatus::Exists { "" } else { status_name(f.status) };
                fields.push(format!("{}[{}]{status}={value}", f.name, datatype_name(f.datatype)));
            }
            (status_name(i.status).to_string(), fields)
        })
        .collect();
    items.sort();
    (c.flag.as_str().to_string(), items)
}

fn show_oscap(results: &str) -> BTreeMap<String, (String, Vec<Shown>)> {
    let doc = roxmltree::Document::parse(results).unwrap();
    let mut items = BTreeMap::new();
    let system_data = doc.descendants().find(|n| n.has_tag_name("system_data")).unwrap();
    for item in system_data.children().filter(|n| n.is_element()) {
        let mut fields = Vec::new();
        for f in item.children().filter(|n| n.is_element() && n.tag_name().name() != "a_time") {
            let dt = f.attribute("datatype").unwrap_or("string");
            let value = if dt == "record" {
                let mut sub: Vec<String> = f
                    .children()
                    .filter(|x| x.is_element())
                    .map(|x| {
                        let xdt = x.attribute("datatype").unwrap_or("string");
                        format!("{}[{xdt}]={}", x.attribute("name").unwrap_or(""), x.text().unwrap_or(""))
                    })
                    .collect();
                sub.sort();
                sub.join(";")
            } else {
                f.text().unwrap_or("").to_string()
            };
            let status = match f.attribute("status") {
                Some("exists") | None => "",
                Some(s) => s,
            };
            fields.push(format!("{}[{dt}]{status}={value}", f.tag_name().name()));
        }
        let status = item.attribute("status").unwrap_or("exists").to_string();
        items.insert(item.attribute("id").unwrap().to_string(), (status, fields));
    }
    let mut out = BTreeMap::new();
    let collected = doc.descendants().find(|n| n.has_tag_name("collected_objects")).unwrap();
    for obj in collected.children().filter(|n| n.is_element()) {
        let mut refs: Vec<Shown> = obj
            .children()
            .filter(|n| n.has_tag_name("reference"))
            .map(|r| items[r.attribute("item_ref").unwrap()].clone())
            .collect();
        refs.sort();
        // oscap reports a followed symlink to a file twice (fts visits it as a link, then as
        // its target): identical items, which stigrun reports once.
        refs.dedup();
        out.insert(
            obj.attribute("id").unwrap().to_string(),
            (obj.attribute("flag").unwrap().to_string(), refs),
        );
    }
    out
}

#[test]
fn file_probes_collect_what_oscap_collects() {
    support::require_oscap();
    let dir = tempfile::tempdir().unwrap();
    let root_dir = dir.path().join("root");
    make_fixture(&root_dir);
    let cases = cases();
    fs::write(dir.path().join("defs.xml"), definitions(&cases)).unwrap();
    let run = Command::new("oscap")
        .args(["oval", "eval", "--results", "r.xml", "defs.xml"])
        .current_dir(dir.path())
        .env("OSCAP_PROBE_ROOT", &root_dir)
        .output()
        .unwrap();
    assert!(dir.path().join("r.xml").exists(), "oscap failed: {}", String::from_utf8_lossy(&run.stderr));
    let theirs = show_oscap(&fs::read_to_string(dir.path().join("r.xml")).unwrap());

    let target = ScanTarget::open(&root_dir).unwrap();
    let probes = Registry::standard();
    let ctx = ProbeContext::new(&target);
    let mut differences = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let id = format!("oval:x:obj:{}", i + 1);
        let kind = TypeName {
            family: case.family,
            namespace: ns(case.family).to_string(),
            name: case.object.to_string(),
        };
        let behaviors: Vec<(String, String)> =
            case.behaviors.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let entities = case
            .entities
            .iter()
            .map(|e| ResolvedEntity {
                name: e.name.to_string(),
                datatype: e.datatype,
                operation: e.op,
                values: e.value.map(|v| vec![v.to_string()]).unwrap_or_default(),
                var_check: Check::All,
                nil: e.value.is_none(),
                from_variable: false,
            })
            .collect();
        let object = ResolvedObject { id: &id, kind: &kind, entities, behaviors: &behaviors };
        let probe = probes.get(case.family, case.object).unwrap();
        let ours = show_ours(&Registry::collect(probe, &object, &ctx));
        let expected = &theirs[&id];
        if &ours != expected {
            differences
                .push(format!("{id} ({}):\n  oscap:    {expected:?}\n  stigrun:  {ours:?}", case.object));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} objects differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}
