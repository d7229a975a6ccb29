//! The docker-ee Engine API rules: against snapshot fixtures (tests/fixtures/docker-engine, shaped
//! like the Engine/UCP/DTR API reference's responses, for what this machine's engine cannot do:
//! swarm managers, UCP, DTR, AppArmor) and against the real engine on /var/run/docker.sock
//! (containers made from a busybox tarball with `docker import`, scanned live, collected to a
//! snapshot and scanned again: the results must be identical).
//!
//! The live tests need a reachable Docker Engine; without one they are skipped with a notice,
//! and with CI=true they fail (`.ci/run` checks the engine first).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-engine");
const DECISIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content/docker-ee/decisions.csv");
/// The "SSP's CA bundle" of the fixtures (tests/fixtures/docker-engine/make-certificates.sh).
const TRUSTED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-engine/trusted-ca.pem");
const CHAIN_RULES: [&str; 5] =
    ["DKER-EE-001870", "DKER-EE-001880", "DKER-EE-003920", "DKER-EE-003930", "DKER-EE-006190"];
const PORTS_VALUE: &str = "xccdf_io.stigrun.docker-ee_value_docker_approved_ports";

fn stigrun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stigrun"))
}

/// STIG ids of the rules decided through the Engine API.
fn engine_rules() -> Vec<String> {
    let mut reader = csv::Reader::from_path(DECISIONS).unwrap();
    let rules: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[5] == "api" && !r[7].is_empty())
        .map(|r| r[2].to_string())
        .collect();
    assert!(rules.len() >= 45, "{rules:?}");
    rules
}

/// A root where the Docker platform applies (it has /etc/docker) and nothing else.
fn docker_root(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    root
}

fn eval(args: &[&str], json: &Path) -> Value {
    let run =
        stigrun().args(["eval", "--benchmark", "docker-ee", "--json"]).arg(json).args(args).output().unwrap();
    assert!(
        matches!(run.status.code(), Some(0 | 2)),
        "eval {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap()
}

/// STIG id → result.
fn results(doc: &Value) -> BTreeMap<String, String> {
    doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["version"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect()
}

fn rule<'a>(doc: &'a Value, stig_id: &str) -> &'a Value {
    doc["rules"].as_array().unwrap().iter().find(|r| r["version"] == stig_id).unwrap()
}

fn text(field: &Value) -> Option<&str> {
    field["value"]["Text"].as_str()
}

/// Names of the containers whose items made the rule's tests false: the evidence's offenders.
fn offenders(doc: &Value, stig_id: &str) -> Vec<String> {
    offenders_of(doc, stig_id, "container_item")
}

/// Names in the items of type `kind` that made the rule's tests false.
fn offenders_of(doc: &Value, stig_id: &str, kind: &str) -> Vec<String> {
    let r = rule(doc, stig_id);
    // Rules name the OVAL document that decided them by its key (the check href).
    let Some(key) = r["check"]["oval_document"].as_str() else { return Vec::new() };
    let Some(document) = doc["oval"].as_array().into_iter().flatten().find(|d| d["href"] == key) else {
        return Vec::new();
    };
    let run = &document["run"];
    let definition = r["check"]["name"].as_str().unwrap();
    let mut tests = Vec::new();
    fn walk(node: &Value, tests: &mut Vec<String>) {
        if let Some(t) = node["Criterion"]["test_ref"].as_str() {
            tests.push(t.to_string());
        }
        for child in node["children"].as_array().into_iter().flatten() {
            walk(child, tests);
        }
        if node.get("Criteria").is_some() {
            walk(&node["Criteria"], tests);
        }
    }
    walk(&run["definitions"][definition]["criteria"], &mut tests);
    let mut names = Vec::new();
    for t in tests {
        for pair in run["tests"][&t]["tested_items"].as_array().into_iter().flatten() {
            if pair[1] != "False" && pair[1] != "false" {
                continue;
            }
            let item = &run["items"][pair[0].as_u64().unwrap() as usize - 1];
            if item["kind"]["name"] != kind {
                continue;
            }
            let name = item["fields"].as_array().unwrap().iter().find(|f| f["name"] == "name").and_then(text);
            if let Some(n) = name
                && !names.contains(&n.to_string())
            {
                names.push(n.to_string());
            }
        }
    }
    names
}

/// The `field` values of the items of type `kind` that made one of the rule's tests false.
fn false_items_field(doc: &Value, stig_id: &str, kind: &str, field: &str) -> Vec<String> {
    let r = rule(doc, stig_id);
    let key = r["check"]["oval_document"].as_str().unwrap();
    let document = doc["oval"].as_array().unwrap().iter().find(|d| d["href"] == key).unwrap();
    let run = &document["run"];
    let mut out = Vec::new();
    for test in run["tests"].as_object().unwrap().values() {
        for pair in test["tested_items"].as_array().into_iter().flatten() {
            if pair[1] != "False" && pair[1] != "false" {
                continue;
            }
            let item = &run["items"][pair[0].as_u64().unwrap() as usize - 1];
            if item["kind"]["name"] != kind {
                continue;
            }
            for f in item["fields"].as_array().unwrap().iter().filter(|f| f["name"] == field) {
                if let Some(v) = text(f) {
                    out.push(v.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Rules over containers (the ones whose offenders are named).
fn is_container_rule(doc: &Value, stig_id: &str) -> bool {
    !offenders(doc, stig_id).is_empty()
}

#[test]
fn every_engine_rule_passes_on_the_compliant_snapshot_and_fails_on_the_noncompliant_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = docker_root(dir.path());
    let ports = format!(r"{PORTS_VALUE}=10\.2\.3\.4:8443->443/tcp");
    let mut wrong = Vec::new();
    for (node, want) in [("compliant", "pass"), ("noncompliant", "fail")] {
        let snapshot = format!("{FIXTURES}/{node}");
        let json = dir.path().join(format!("{node}.json"));
        let doc = eval(
            &[
                "--root",
                root.to_str().unwrap(),
                "--snapshot",
                &snapshot,
                "--var",
                &ports,
                "--trusted-ca",
                TRUSTED_CA,
            ],
            &json,
        );
        let got = results(&doc);
        for stig in engine_rules() {
            let result = got.get(&stig).map_or("missing", String::as_str);
            if result != want {
                wrong.push(format!("{node} {stig}: {result}, want {want}"));
            }
        }
        if node == "noncompliant" {
            assert_eq!(offenders_of(&doc, "DKER-EE-006240", "network_item"), ["app-net"]);
            // The UCP image the last upgrade left behind, older than the 3.2.5 the agent runs.
            assert_eq!(false_items_field(&doc, "DKER-EE-004130", "image_item", "tag"), ["3.1.9"]);
            // The offender is named, and it is the workload, never the UCP system container that
            // DISA's exclusion leaves out, nor a compliant one.
            let mut named = 0;
            for stig in engine_rules() {
                if !is_container_rule(&doc, &stig) {
                    continue;
                }
                named += 1;
                let who = offenders(&doc, &stig);
                let app = who.contains(&"app".to_string());
                // Where DISA excludes system containers, `app` alone; elsewhere the UCP container
                // may offend beside it.
                let ok = if rule_excludes_system(&stig) { who == ["app"] } else { app };
                if !ok {
                    wrong.push(format!("{node} {stig}: offenders {who:?}, want [\"app\"]"));
                }
            }
            assert!(named >= 25, "container rules with named offenders: {named}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Rules whose DISA command greps out UCP/Kubernetes/DTR containers.
fn rule_excludes_system(stig_id: &str) -> bool {
    let mut reader = csv::Reader::from_path(DECISIONS).unwrap();
    reader.records().map(|r| r.unwrap()).any(|r| &r[2] == stig_id && r[6].contains("DISA's exclusion"))
}

#[test]
fn without_an_engine_source_the_engine_rules_are_notchecked_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = docker_root(dir.path());
    let doc = eval(&["--root", root.to_str().unwrap()], &dir.path().join("r.json"));
    for stig in engine_rules() {
        let r = rule(&doc, &stig);
        assert_eq!(r["result"], "notchecked", "{stig}");
        assert!(
            r["messages"].as_array().unwrap().iter().any(|m| m["code"] == "needs-engine"),
            "{stig}: {}",
            r["messages"]
        );
    }
}

#[test]
fn a_snapshot_without_a_document_leaves_its_rules_notchecked_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = docker_root(dir.path());
    let snapshot = dir.path().join("snap");
    copy_dir(Path::new(&format!("{FIXTURES}/compliant")), &snapshot);
    std::fs::remove_file(snapshot.join("ucp/config.toml")).unwrap();
    std::fs::remove_file(snapshot.join(format!("engine/top/{}.json", container_id(&snapshot, "web"))))
        .unwrap();
    let doc = eval(
        &["--root", root.to_str().unwrap(), "--snapshot", snapshot.to_str().unwrap()],
        &dir.path().join("r.json"),
    );
    let ucp = rule(&doc, "DKER-EE-001080");
    assert_eq!(ucp["result"], "notchecked");
    assert!(ucp["messages"].to_string().contains("ucp/config.toml"), "{}", ucp["messages"]);
    // The process list of one container is gone: the sshd rule cannot be decided; the others can.
    let ssh = rule(&doc, "DKER-EE-001970");
    assert_eq!(ssh["result"], "notchecked", "{ssh}");
    assert!(ssh["messages"].to_string().contains("engine/top/"), "{}", ssh["messages"]);
    assert_eq!(rule(&doc, "DKER-EE-001960")["result"], "pass");
}

/// The fields named `name` of the certificate item of `stig_id`'s service (UCP or DTR chain).
fn certificate_fields(doc: &Value, stig_id: &str, name: &str) -> Vec<String> {
    let service = if ["DKER-EE-001880", "DKER-EE-003930"].contains(&stig_id) { "dtr" } else { "ucp" };
    let chain = format!("{service}/tls-chain.pem");
    let key = rule(doc, stig_id)["check"]["oval_document"].as_str().unwrap().to_string();
    let document = doc["oval"].as_array().unwrap().iter().find(|d| d["href"] == key.as_str()).unwrap();
    document["run"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["kind"]["name"] == "certificate_item")
        .filter(|item| {
            item["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["name"] == "document" && text(f) == Some(&chain))
        })
        .flat_map(|item| item["fields"].as_array().unwrap().iter().filter(|f| f["name"] == name))
        .filter_map(|f| text(f).map(str::to_string))
        .collect()
}

#[test]
fn certificate_chains_are_judged_against_the_trusted_cas_and_never_pass_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = docker_root(dir.path());
    let compliant = format!("{FIXTURES}/compliant");
    let noncompliant = format!("{FIXTURES}/noncompliant");
    let root = root.to_str().unwrap();

    // No --trusted-ca: nothing to match the chain against, so an error, never a pass.
    let doc = eval(&["--root", root, "--snapshot", &compliant], &dir.path().join("none.json"));
    for stig in CHAIN_RULES {
        assert_eq!(rule(&doc, stig)["result"], "error", "{stig}: {}", rule(&doc, stig));
    }

    let doc = eval(
        &["--root", root, "--snapshot", &compliant, "--trusted-ca", TRUSTED_CA],
        &dir.path().join("ok.json"),
    );
    for stig in CHAIN_RULES {
        assert_eq!(rule(&doc, stig)["result"], "pass", "{stig}");
        // The evidence names the CA the chain ends at and the certificates it is made of.
        assert_eq!(certificate_fields(&doc, stig, "trusted_by"), ["O=stigrun test, CN=stigrun Test Root CA"]);
        assert_eq!(certificate_fields(&doc, stig, "chain").len(), 2, "{stig}: leaf and intermediate");
    }

    let doc = eval(
        &["--root", root, "--snapshot", &noncompliant, "--trusted-ca", TRUSTED_CA],
        &dir.path().join("bad.json"),
    );
    // UCP presents a self-signed certificate; DTR one from a CA the SSP does not trust.
    assert_eq!(certificate_fields(&doc, "DKER-EE-001870", "self_signed"), ["true"]);
    let why = certificate_fields(&doc, "DKER-EE-001880", "untrusted_because").join(" ");
    assert!(why.contains("trusted CAs"), "{why}");
    assert_eq!(certificate_fields(&doc, "DKER-EE-001880", "issuer"), ["O=somebody else, CN=Rogue CA"]);

    // A trust bundle that is not PEM is refused up front, naming the file.
    let not_pem = dir.path().join("ca.txt");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let run = stigrun()
        .args(["eval", "--benchmark", "docker-ee", "--root", root, "--snapshot", &compliant, "--trusted-ca"])
        .arg(&not_pem)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("ca.txt"));
}

fn container_id(snapshot: &Path, name: &str) -> String {
    let list: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("engine/containers.json")).unwrap()).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["Names"][0] == format!("/{name}"))
        .map(|c| c["Id"].as_str().unwrap().to_string())
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The real engine.

const SOCKET: &str = "/var/run/docker.sock";

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().unwrap()
}

/// Whether the live engine can be used; with CI=true it must be.
fn engine_available() -> bool {
    let ok = Path::new(SOCKET).exists()
        && Command::new("docker")
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .is_ok_and(|o| o.status.success());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(ok || !ci, "CI=true: the live engine tests need a Docker Engine on {SOCKET}");
    if !ok {
        eprintln!("notice: skipping the live engine tests: no Docker Engine on {SOCKET}");
    }
    ok
}

/// Containers (and the image) this test made, removed when it ends, pass or fail.
struct Made {
    containers: Vec<String>,
    image: String,
}

impl Drop for Made {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = docker(&["rm", "-f", c]);
        }
        let _ = docker(&["rmi", "-f", &self.image]);
    }
}

/// A one-binary image from a tarball (no registry): busybox, statically linked.
fn import_image(dir: &Path, tag: &str) -> bool {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).is_file());
    let Some(busybox) = busybox else {
        eprintln!("notice: no static busybox to build a test image from");
        return false;
    };
    let tree = dir.join("image");
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::copy(busybox, tree.join("bin/busybox")).unwrap();
    let tar = dir.join("image.tar");
    let made = Command::new("tar").arg("-C").arg(&tree).arg("-cf").arg(&tar).arg("bin").status().unwrap();
    assert!(made.success());
    let run =
        docker(&["import", "-c", "CMD [\"/bin/busybox\",\"sleep\",\"600\"]", tar.to_str().unwrap(), tag]);
    assert!(run.status.success(), "docker import: {}", String::from_utf8_lossy(&run.stderr));
    true
}

/// `docker run -d` (or `create` when the engine cannot start it, e.g. no capability to apply
/// in this sandbox): the container exists either way, which is what the inspect rules read.
fn run_container(made: &mut Made, name: &str, options: &[&str]) {
    let _ = docker(&["rm", "-f", name]);
    made.containers.push(name.to_string());
    let mut args = vec!["run", "-d", "--name", name, "--label", "stigrun-test=engine"];
    args.extend_from_slice(options);
    args.extend_from_slice(&[&made.image, "/bin/busybox", "sleep", "600"]);
    let run = docker(&args);
    if !run.status.success() {
        eprintln!(
            "notice: {name} did not start ({}); kept as created",
            String::from_utf8_lossy(&run.stderr).trim()
        );
        let state = docker(&["inspect", "--format", "{{.State.Status}}", name]);
        assert!(
            state.status.success(),
            "{name} was not even created: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn live_engine_rules_name_the_offending_container_and_its_snapshot_gives_the_same_results() {
    if !engine_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let suffix = std::process::id();
    let image = format!("stigrun-test-busybox:{suffix}");
    if !import_image(dir.path(), &image) {
        return;
    }
    let mut made = Made { containers: Vec::new(), image: image.clone() };
    let bad = format!("stigrun-test-bad-{suffix}");
    let good = format!("stigrun-test-good-{suffix}");
    run_container(
        &mut made,
        &bad,
        &[
            "--pid",
            "host",
            "--ipc",
            "host",
            "--network",
            "host",
            "--uts",
            "host",
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock",
            "--security-opt",
            "seccomp=unconfined",
            "--cap-add",
            "NET_ADMIN",
            "--restart",
            "always",
            "--user",
            "root",
        ],
    );
    run_container(
        &mut made,
        &good,
        &[
            "--read-only",
            "--memory",
            "64m",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "50",
            "--user",
            "1000",
            "--security-opt",
            "no-new-privileges",
            "--restart",
            "on-failure:3",
            "-p",
            "127.0.0.1:18080:80",
        ],
    );
    let privileged = format!("stigrun-test-privileged-{suffix}");
    run_container(&mut made, &privileged, &["--privileged", "--user", "1000"]);

    let root = docker_root(dir.path());
    let host = format!("unix://{SOCKET}");
    let live =
        eval(&["--root", root.to_str().unwrap(), "--docker-host", &host], &dir.path().join("live.json"));
    // Other containers on this engine (other tests, other users) may offend too: the ones made
    // here must be named exactly where they offend, and the compliant one never.
    let expect_named = [
        ("DKER-EE-001240", &bad),
        ("DKER-EE-001250", &bad),
        ("DKER-EE-002000", &bad),
        ("DKER-EE-002060", &bad),
        ("DKER-EE-002130", &bad),
        ("DKER-EE-002070", &bad),
        ("DKER-EE-001950", &bad),
        ("DKER-EE-004030", &bad),
        ("DKER-EE-003200", &bad),
        ("DKER-EE-001960", &privileged),
        ("DKER-EE-002010", &bad),
        ("DKER-EE-002110", &bad),
        ("DKER-EE-002030", &bad),
    ];
    let mut wrong = Vec::new();
    for (stig, who) in expect_named {
        let result = rule(&live, stig)["result"].as_str().unwrap().to_string();
        let named = offenders(&live, stig);
        if result != "fail" || !named.contains(who) || named.contains(&good) {
            wrong.push(format!("{stig}: {result}, offenders {named:?}, want {who} (never {good})"));
        }
    }
    // The published port of the compliant container: bound to 127.0.0.1, not a privileged port,
    // but not in the SSP's (empty by default) list.
    let ports = offenders(&live, "DKER-EE-001990");
    if !ports.contains(&good) {
        wrong.push(format!("DKER-EE-001990: offenders {ports:?}, want {good}"));
    }
    if offenders(&live, "DKER-EE-002160").contains(&good)
        || offenders(&live, "DKER-EE-002150").contains(&good)
    {
        wrong.push("the port bound to 127.0.0.1:18080 was called unbound or privileged".to_string());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // collect → snapshot → the same results, rule by rule.
    let snapshot = dir.path().join("snapshot");
    let run = stigrun().args(["collect", "--docker-host", &host, "--out"]).arg(&snapshot).output().unwrap();
    assert!(run.status.success(), "collect: {}", String::from_utf8_lossy(&run.stderr));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    assert!(
        manifest["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "engine/info.json" && e["status"] == 200)
    );
    let offline = eval(
        &["--root", root.to_str().unwrap(), "--snapshot", snapshot.to_str().unwrap()],
        &dir.path().join("snapshot.json"),
    );
    assert_eq!(results(&live), results(&offline), "live and snapshot results differ");
    for stig in engine_rules() {
        assert_eq!(offenders(&live, &stig), offenders(&offline, &stig), "{stig}: offenders differ");
    }
}

/// The Engine API checks `stigrun build` writes beside the data stream validate against OVAL
/// 5.11.3 plus stigrun's Docker extension schema (xsd/).
#[test]
fn the_engine_checks_validate_against_the_extension_schema() {
    // The official schemas and stigrun's extension are in the repository (xsd/); xmllint must run.
    let runs = Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(runs, "this test needs xmllint: install it with `sudo apt-get install libxml2-utils`");
    let oval_schemas = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/xsd"));
    let dir = tempfile::tempdir().unwrap();
    let run = stigrun()
        .args(["build", "-b", "docker-ee", "--out"])
        .arg(dir.path().join("ds.xml"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // The extension schema imports the official OVAL schemas from the repository's xsd/ tree.
    let run = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(oval_schemas.join("stigrun/stigrun-docker-definitions-schema.xsd"))
        .arg(dir.path().join("docker-ee-engine-oval.xml"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// `openssl s_server` presenting the live fixture chain on a free localhost port, stopped on drop.
struct TlsServer {
    child: std::process::Child,
    port: u16,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_server() -> Option<TlsServer> {
    let live = format!("{FIXTURES}/live");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(port.to_string())
        .arg("-cert")
        .arg(format!("{live}/leaf.pem"))
        .arg("-key")
        .arg(format!("{live}/leaf.key"))
        .arg("-cert_chain")
        .arg(format!("{live}/intermediate.pem"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "CI=true: the certificate chain test needs openssl (scripts/setup.sh installs it)");
        eprintln!("notice: skipping: no openssl to serve a TLS endpoint (scripts/setup.sh installs it)");
        return None;
    };
    let server = TlsServer { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("openssl s_server did not listen on {port}");
}

fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[test]
fn collect_captures_the_chain_a_ucp_endpoint_presents_and_the_chain_rules_decide_on_it() {
    if !engine_available() {
        return;
    }
    let Some(server) = tls_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    // The client bundle's ca.pem lets the config-toml request verify the same endpoint.
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::copy(TRUSTED_CA, bundle.join("ca.pem")).unwrap();
    let snapshot = dir.path().join("snap");
    let run = stigrun()
        .args(["collect", "--out"])
        .arg(&snapshot)
        .args(["--ucp-url", &format!("https://localhost:{}", server.port), "--ucp-bundle"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(run.status.success(), "collect: {}", String::from_utf8_lossy(&run.stderr));
    let captured = std::fs::read_to_string(snapshot.join("ucp/tls-chain.pem")).unwrap();
    let live = format!("{FIXTURES}/live");
    let served = std::fs::read_to_string(format!("{live}/leaf.pem")).unwrap()
        + &std::fs::read_to_string(format!("{live}/intermediate.pem")).unwrap();
    assert_eq!(pem_body(&captured), pem_body(&served), "the chain as presented, leaf first");
    let manifest = std::fs::read_to_string(snapshot.join("manifest.json")).unwrap();
    assert!(manifest.contains("ucp/tls-chain.pem"), "{manifest}");

    let root = docker_root(dir.path());
    let doc = eval(
        &[
            "--root",
            root.to_str().unwrap(),
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--trusted-ca",
            TRUSTED_CA,
        ],
        &dir.path().join("r.json"),
    );
    for stig in ["DKER-EE-001870", "DKER-EE-003920", "DKER-EE-006190"] {
        assert_eq!(rule(&doc, stig)["result"], "pass", "{stig}");
    }
}
