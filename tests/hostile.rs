//! The hostile corpus (tests/hostile/cases.toml): every case ends within its time and memory bound
//! with its expected outcome. Each run's peak memory comes from the kernel (`wait4`'s rusage); a
//! case over its time is killed. Plus the cases a table cannot say: signals in the middle of
//! writing, and the root's tree hash and a canary outside it while directories are swapped for
//! symlinks during scans.

mod support;

use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    setup: Vec<String>,
    args: Vec<String>,
    #[serde(default)]
    code: i32,
    #[serde(default)]
    stdout: Vec<String>,
    #[serde(default)]
    stdout_lacks: Vec<String>,
    #[serde(default)]
    stderr: Vec<String>,
    /// (file, text it must contain) after the run.
    #[serde(default)]
    files: Vec<(String, String)>,
    /// (file, text it must not contain) after the run (a missing file contains nothing).
    #[serde(default)]
    files_lack: Vec<(String, String)>,
    #[serde(default = "default_seconds")]
    seconds: u64,
    #[serde(default = "default_mb")]
    mb: u64,
    #[serde(default)]
    skip_as_root: bool,
}

fn default_seconds() -> u64 {
    30
}

fn default_mb() -> u64 {
    300
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    peak_mb: u64,
    killed: bool,
}

/// Run stigrun with `args`, killed after `limit`; exit code, output, time and peak RSS. The child
/// is reaped by `wait4` (for its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_bounded(args: &[String], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stigrun"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stigrun starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut killed = false;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain data the kernel fills in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waiting on our own child with valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        if started.elapsed() > limit && !killed {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Run {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed: started.elapsed(),
        peak_mb: usage.ru_maxrss as u64 / 1024,
        killed,
    }
}

fn oval_head() -> &'static str {
    r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
<generator><oval:schema_version>5.11.1</oval:schema_version><oval:timestamp>2026-01-01T00:00:00</oval:timestamp></generator>
"#
}

/// One definition whose test reads `oval:x:var:1` through an `ind:variable_object`.
fn variable_document(variables: &str) -> String {
    format!(
        r#"{}<definitions><definition id="oval:x:def:1" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria><criterion test_ref="oval:x:tst:1"/></criteria></definition></definitions>
<tests><ind:variable_test id="oval:x:tst:1" version="1" check="all" comment="c"><ind:object object_ref="oval:x:obj:1"/></ind:variable_test></tests>
<objects><ind:variable_object id="oval:x:obj:1" version="1"><ind:var_ref>oval:x:var:1</ind:var_ref></ind:variable_object></objects>
<variables>{variables}</variables></oval_definitions>"#,
        oval_head()
    )
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(rustix::fs::CWD, path, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();
}

fn daemon_json(root: &Path) -> PathBuf {
    let dir = root.join("etc/docker");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("daemon.json")
}

/// Build what a case needs that git cannot hold. Returns false when the step cannot be made here
/// (then the case is skipped, saying so).
fn setup(step: &str, tmp: &Path) -> bool {
    let root = tmp.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let write = |name: &str, text: &str| std::fs::write(tmp.join(name), text).unwrap();
    match step {
        "fifo" => mkfifo(&tmp.join("fifo")),
        "nested-groups" => {
            let n = 6100;
            write(
                "groups.xml",
                &format!(
                    r#"<?xml version="1.0"?><Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b">{}{}</Benchmark>"#,
                    (0..n).map(|i| format!(r#"<Group id="g{i}">"#)).collect::<String>(),
                    "</Group>".repeat(n)
                ),
            )
        }
        "variable-chain" => {
            let n = 10_000;
            let mut vars: String = (1..n)
                .map(|i| format!(r#"<local_variable id="oval:x:var:{i}" version="1" datatype="string" comment="c"><variable_component var_ref="oval:x:var:{}"/></local_variable>"#, i + 1))
                .collect();
            vars.push_str(&format!(r#"<constant_variable id="oval:x:var:{n}" version="1" datatype="string" comment="c"><value>x</value></constant_variable>"#));
            write("chain.xml", &variable_document(&vars));
        }
        "self-variable" => write(
            "self.xml",
            &variable_document(
                r#"<local_variable id="oval:x:var:1" version="1" datatype="string" comment="c"><variable_component var_ref="oval:x:var:1"/></local_variable>"#,
            ),
        ),
        "concat" => {
            let values: String = (0..10).map(|j| format!("<value>{j}</value>")).collect();
            let mut vars = String::from(
                r#"<local_variable id="oval:x:var:1" version="1" datatype="string" comment="c"><concat>"#,
            );
            for i in 2..22 {
                vars.push_str(&format!(r#"<variable_component var_ref="oval:x:var:{i}"/>"#));
            }
            vars.push_str("</concat></local_variable>");
            for i in 2..22 {
                vars.push_str(&format!(r#"<constant_variable id="oval:x:var:{i}" version="1" datatype="string" comment="c">{values}</constant_variable>"#));
            }
            write("concat.xml", &variable_document(&vars));
        }
        "extend-chain" => {
            let n = 30_000;
            let defs: String = (1..=n)
                .map(|i| {
                    let inner = if i < n {
                        format!(r#"<extend_definition definition_ref="oval:x:def:{}"/>"#, i + 1)
                    } else {
                        r#"<criterion test_ref="oval:x:tst:1"/>"#.to_string()
                    };
                    format!(r#"<definition id="oval:x:def:{i}" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria>{inner}</criteria></definition>"#)
                })
                .collect();
            write(
                "extend.xml",
                &format!(
                    r#"{}<definitions>{defs}</definitions><tests><ind:family_test id="oval:x:tst:1" version="1" check="all" comment="c"><ind:object object_ref="oval:x:obj:1"/></ind:family_test></tests><objects><ind:family_object id="oval:x:obj:1" version="1"/></objects></oval_definitions>"#,
                    oval_head()
                ),
            );
        }
        "profile-chain" => {
            let n = 10_000;
            let profiles: String = (0..n)
                .map(|i| {
                    let extends = if i > 0 { format!(r#" extends="p{}""#, i - 1) } else { String::new() };
                    format!(r#"<Profile id="p{i}"{extends}><title>p{i}</title><select idref="r1" selected="{}"/></Profile>"#, i % 2 == 0)
                })
                .collect();
            write(
                "profiles.xml",
                &format!(
                    r#"<?xml version="1.0"?><Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b" resolved="1"><status>accepted</status><title>t</title><version>1</version>{profiles}<Rule id="r1" severity="low"><title>r</title></Rule></Benchmark>"#
                ),
            );
        }
        "long-line" => {
            std::fs::create_dir_all(root.join("etc")).unwrap();
            std::fs::write(root.join("etc/app.conf"), format!("{} ", "a".repeat(999)).repeat(20)).unwrap();
        }
        "tree" => {
            for d in 0..200 {
                let dir = root.join(format!("srv/d{d}"));
                std::fs::create_dir_all(&dir).unwrap();
                for f in 0..100 {
                    std::fs::write(dir.join(format!("f{f}.conf")), "x\n").unwrap();
                }
            }
        }
        "sparse-3gb" => {
            std::fs::create_dir_all(root.join("etc")).unwrap();
            let f = std::fs::File::create(root.join("etc/app.conf")).unwrap();
            f.set_len(3 << 30).unwrap();
        }
        "yaml-laughs" => {
            let dir = root.join("etc/kubernetes");
            std::fs::create_dir_all(&dir).unwrap();
            let mut yaml = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
            for (i, c) in ('b'..='i').enumerate() {
                let p = (b'a' + i as u8) as char;
                yaml.push_str(&format!("{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"));
            }
            assert!(yaml.len() <= 500, "{}", yaml.len());
            std::fs::write(dir.join("kubelet.yaml"), yaml).unwrap();
        }
        "escape" => {
            std::fs::write(tmp.join("canary.txt"), "CANARY-OUTSIDE-THE-ROOT\n").unwrap();
            let p = daemon_json(&root);
            symlink(tmp.join("canary.txt"), &p).unwrap();
            symlink("../../../../../../canary.txt", root.join("etc/docker/relative.json")).unwrap();
        }
        "output-link" => {
            std::fs::write(tmp.join("target.json"), "keep").unwrap();
            symlink(tmp.join("target.json"), tmp.join("link.json")).unwrap();
        }
        s if s.starts_with("daemon-json:") => {
            let p = daemon_json(&root);
            match &s["daemon-json:".len()..] {
                "fifo" => mkfifo(&p),
                "device" => {
                    let dev = rustix::fs::makedev(1, 5);
                    let kind = rustix::fs::FileType::CharacterDevice;
                    let mode = rustix::fs::Mode::from_raw_mode(0o644);
                    if rustix::fs::mknodat(rustix::fs::CWD, &p, kind, mode, dev).is_err() {
                        return false;
                    }
                }
                "loop" => symlink("daemon.json", &p).unwrap(),
                "utf16" => {
                    let bytes: Vec<u8> = [0xff, 0xfe]
                        .into_iter()
                        .chain("{\"icc\": false}".encode_utf16().flat_map(u16::to_le_bytes))
                        .collect();
                    std::fs::write(&p, bytes).unwrap();
                }
                "invalid-utf8" => std::fs::write(&p, b"{\"icc\": \"f\xffalse\"}").unwrap(),
                "unreadable" => {
                    std::fs::write(&p, "{\"icc\": false}").unwrap();
                    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o000))
                        .unwrap();
                }
                "yaml" => std::fs::write(&p, "icc: false\n").unwrap(),
                "duplicate-keys" => std::fs::write(&p, "{\"icc\": true,\n \"icc\": false}\n").unwrap(),
                "60mb" => std::fs::File::create(&p).unwrap().set_len(60 << 20).unwrap(),
                other => panic!("unknown daemon.json setup `{other}`"),
            }
        }
        other => panic!("unknown setup step `{other}`"),
    }
    true
}

fn expand(s: &str, case_dir: &Path, tmp: &Path) -> String {
    s.replace("{case}", &case_dir.display().to_string())
        .replace("{root}", &tmp.join("root").display().to_string())
        .replace("{tmp}", &tmp.display().to_string())
        .replace("{repo}", &support::repo().display().to_string())
        .replace(
            "{rfid}",
            &support::data("stig/other/U_RFID_Workstation_V6R9_manual-xccdf.xml").display().to_string(),
        )
}

/// Run one case; a description of what went wrong, if anything.
fn check(case: &Case, case_dir: &Path) -> Result<String, String> {
    if case.skip_as_root && support::is_root() {
        return Ok("skipped: root reads files whatever their mode".into());
    }
    let tmp = tempfile::tempdir().unwrap();
    for step in &case.setup {
        if !setup(step, tmp.path()) {
            return Ok(format!("skipped: setup `{step}` not possible here"));
        }
    }
    let args: Vec<String> = case.args.iter().map(|a| expand(a, case_dir, tmp.path())).collect();
    let run = run_bounded(&args, Duration::from_secs(case.seconds));
    let mut problems = Vec::new();
    if run.killed {
        problems.push(format!("killed after {}s", case.seconds));
    }
    if run.peak_mb > case.mb {
        problems.push(format!("peak memory {} MB over the {} MB bound", run.peak_mb, case.mb));
    }
    if run.code != Some(case.code) {
        problems.push(format!("exit {:?}, expected {}", run.code, case.code));
    }
    for s in &case.stdout {
        if !run.stdout.contains(s.as_str()) {
            problems.push(format!("stdout lacks `{s}`"));
        }
    }
    for s in &case.stdout_lacks {
        if run.stdout.contains(s.as_str()) {
            problems.push(format!("stdout has `{}`", s.escape_debug()));
        }
    }
    for s in &case.stderr {
        if !run.stderr.contains(s.as_str()) {
            problems.push(format!("stderr lacks `{s}`"));
        }
    }
    for (file, s) in &case.files {
        let text = std::fs::read_to_string(expand(file, case_dir, tmp.path())).unwrap_or_default();
        if !text.contains(s.as_str()) {
            problems.push(format!("{file} lacks `{s}`"));
        }
    }
    for (file, s) in &case.files_lack {
        let text = std::fs::read_to_string(expand(file, case_dir, tmp.path())).unwrap_or_default();
        if text.contains(s.as_str()) {
            problems.push(format!("{file} has `{s}`"));
        }
    }
    let summary = format!("{:.1}s, {} MB", run.elapsed.as_secs_f64(), run.peak_mb);
    if problems.is_empty() {
        Ok(summary)
    } else {
        Err(format!(
            "{} ({summary})\n  stdout: {}\n  stderr: {}",
            problems.join("; "),
            run.stdout.chars().take(600).collect::<String>(),
            run.stderr.chars().take(600).collect::<String>()
        ))
    }
}

#[test]
fn every_case_of_the_corpus_ends_within_its_bounds_with_its_outcome() {
    let case_dir = support::repo().join("tests/hostile");
    let corpus: Corpus =
        toml::from_str(&std::fs::read_to_string(case_dir.join("cases.toml")).unwrap()).unwrap();
    assert!(corpus.case.len() >= 40, "{} cases", corpus.case.len());
    let mut failures = Vec::new();
    for case in &corpus.case {
        match check(case, &case_dir) {
            Ok(summary) => eprintln!("ok   {:<50} {summary}", case.name),
            Err(problem) => {
                eprintln!("FAIL {:<50} {problem}", case.name);
                failures.push(format!("{}: {problem}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        corpus.case.len(),
        failures.join("\n")
    );
}

/// SIGINT or SIGTERM while a scan writes its outputs: each output is the previous one or a whole
/// new one, never half written, and no temporary file is left beside it.
#[test]
fn a_signal_in_the_middle_of_writing_leaves_the_previous_output_intact() {
    let rfid = support::data("stig/other/U_RFID_Workstation_V6R9_manual-xccdf.xml");
    for (signal, delay_ms) in
        [(libc::SIGTERM, 30), (libc::SIGINT, 60), (libc::SIGTERM, 120), (libc::SIGINT, 200)]
    {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("r.json");
        let html = dir.path().join("r.html");
        std::fs::write(&json, "previous").unwrap();
        std::fs::write(&html, "previous").unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_stigrun"))
            .args(["eval", "--benchmark"])
            .arg(&rfid)
            .arg("--json")
            .arg(&json)
            .arg("--report")
            .arg(&html)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait_with_output().unwrap().status;
        for (path, whole) in [(&json, "}"), (&html, "</html>")] {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                text == "previous" || text.trim_end().ends_with(whole),
                "signal {signal} after {delay_ms} ms ({status}): {} is half written",
                path.display()
            );
        }
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "r.json" && n != "r.html")
            .collect();
        assert!(left.is_empty(), "signal {signal} after {delay_ms} ms left {left:?}");
    }
}

/// A hash of every path, type, mode, link target and content under `dir`.
fn tree_hash(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::MetadataExt;
    let mut h = Sha256::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let meta = entry.path().symlink_metadata().unwrap();
        h.update(entry.path().strip_prefix(dir).unwrap().to_string_lossy().as_bytes());
        h.update(meta.mode().to_le_bytes());
        h.update(meta.mtime().to_le_bytes());
        if meta.file_type().is_symlink() {
            h.update(std::fs::read_link(entry.path()).unwrap().to_string_lossy().as_bytes());
        } else if meta.is_file() {
            h.update(std::fs::read(entry.path()).unwrap());
        }
    }
    hex::encode(h.finalize())
}

/// Scans of a root built to escape, statically and by a thread swapping a directory for a symlink
/// to the outside in a loop: the canary outside never appears in any output, and the root's tree
/// is the same after the scans as before (apart from the swapped directory itself).
#[test]
fn nothing_outside_the_root_is_read_and_the_root_is_never_written() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("etc/docker")).unwrap();
    std::fs::write(outside.path().join("etc/docker/daemon.json"), "{\"icc\": \"CANARY-OUTSIDE-THE-ROOT\"}")
        .unwrap();
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("root");
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    std::fs::write(root.join("etc/docker/daemon.json"), "{\"icc\": false}").unwrap();
    // Static escapes: absolute and relative links pointing out of the root.
    symlink(outside.path().join("etc/docker/daemon.json"), root.join("etc/abs.json")).unwrap();
    symlink("../../../../../../../../".to_string() + &outside.path().display().to_string(), root.join("up"))
        .unwrap();
    let stable = base.path().join("stable");
    std::fs::create_dir_all(&stable).unwrap();
    let before = tree_hash(&root.join("etc/docker"));
    let defs = support::repo().join("tests/hostile/daemon-json-absent-is-compliant.xml");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let (root, outside) = (root.clone(), outside.path().to_path_buf());
        std::thread::spawn(move || {
            // /etc/docker is, in turn, the real directory and a symlink to the outside.
            let real = root.join("etc/docker");
            let parked = root.join("etc/docker.real");
            let mut swaps = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::rename(&real, &parked).unwrap();
                symlink(outside.join("etc/docker"), &real).unwrap();
                std::thread::yield_now();
                std::fs::remove_file(&real).unwrap();
                std::fs::rename(&parked, &real).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let mut results = Vec::new();
    for i in 0..40 {
        let out = base.path().join(format!("r{i}.xml"));
        let run = Command::new(env!("CARGO_BIN_EXE_stigrun"))
            .args(["oval", "eval"])
            .arg(&defs)
            .arg("--root")
            .arg(&root)
            .arg("--results")
            .arg(&out)
            .output()
            .unwrap();
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let all =
            format!("{text}{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(!all.contains("CANARY-OUTSIDE-THE-ROOT"), "scan {i} read the canary outside the root");
        results.push(String::from_utf8_lossy(&run.stdout).into_owned());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 0);
    assert_eq!(tree_hash(&root.join("etc/docker")), before, "the scans changed the root");
    assert!(results.iter().any(|r| r.contains("Definition oval:x:def:1")), "{results:?}");
}
