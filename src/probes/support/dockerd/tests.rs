use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use super::*;
use crate::host::EngineDocument;

fn write(base: &Path, path: &str, text: &str) {
    let p = base.join(path.trim_start_matches('/'));
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn read(files: &[(&str, &str)]) -> DaemonConfig {
    read_with(files, None)
}

fn read_with(files: &[(&str, &str)], engine: Option<&dyn EngineSource>) -> DaemonConfig {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    let root = Root::new(dir.path()).unwrap();
    DaemonConfig::read(&root, engine)
}

fn values(config: &DaemonConfig, name: &str) -> Vec<String> {
    config.values(name).map(|s| s.value.clone()).collect()
}

fn origins(config: &DaemonConfig, name: &str) -> Vec<String> {
    config.values(name).map(|s| s.origin.to_string()).collect()
}

const VENDOR: &str = "/lib/systemd/system/docker.service";
const SERVICE: &str = "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n";
const SOCKET: &str = "[Socket]\nListenStream=/run/docker.sock\n";

#[test]
fn defaults_without_any_configuration() {
    let c = read(&[]);
    assert!(c.refusal.is_none(), "{:?}", c.refusal);
    assert_eq!(values(&c, "hosts"), [DEFAULT_SOCKET]);
    assert_eq!(values(&c, "userland-proxy"), ["true"]);
    assert_eq!(values(&c, "experimental"), ["false"]);
    assert_eq!(values(&c, "log-driver"), ["json-file"]);
    assert!(values(&c, "tlscacert").is_empty(), "no TLS, no TLS files");
    assert_eq!(c.values("hosts").next().unwrap().source, Source::Default);
}

#[test]
fn fd_hosts_are_the_socket_units_listeners() {
    let c = read(&[(VENDOR, SERVICE), ("/lib/systemd/system/docker.socket", SOCKET)]);
    assert_eq!(values(&c, "hosts"), ["unix:///run/docker.sock"]);
    let tcp = "[Socket]\nListenStream=/run/docker.sock\nListenStream=0.0.0.0:2375\n";
    let c = read(&[(VENDOR, SERVICE), ("/lib/systemd/system/docker.socket", tcp)]);
    assert_eq!(values(&c, "hosts"), ["unix:///run/docker.sock", "tcp://0.0.0.0:2375"]);
    assert_eq!(origins(&c, "hosts")[1], "/lib/systemd/system/docker.socket:3");
    assert_eq!(c.values("hosts").nth(1).unwrap().source, Source::Socket);
    // A drop-in for the socket resets its listeners.
    let c = read(&[
        (VENDOR, SERVICE),
        ("/lib/systemd/system/docker.socket", tcp),
        (
            "/etc/systemd/system/docker.socket.d/local.conf",
            "[Socket]\nListenStream=\nListenStream=/run/d.sock\n",
        ),
    ]);
    assert_eq!(values(&c, "hosts"), ["unix:///run/d.sock"]);
}

#[test]
fn host_addresses_as_dockerd_parses_them() {
    assert_eq!(parse_daemon_host("0.0.0.0:2375").unwrap(), "tcp://0.0.0.0:2375");
    assert_eq!(parse_daemon_host(":2375").unwrap(), "tcp://localhost:2375");
    assert_eq!(parse_daemon_host("tcp://:2376").unwrap(), "tcp://localhost:2376");
    assert_eq!(parse_daemon_host("tcp://10.0.0.1").unwrap(), "tcp://10.0.0.1:2375");
    assert_eq!(parse_daemon_host("tcp://[::1]:2376").unwrap(), "tcp://[::1]:2376");
    assert_eq!(parse_daemon_host("unix://").unwrap(), DEFAULT_SOCKET);
    assert_eq!(parse_daemon_host("fd://").unwrap(), "fd://");
    assert!(parse_daemon_host("TCP://0.0.0.0:2375").is_err());
    assert!(parse_daemon_host("tcp://a:port").is_err());
    assert_eq!(listen_stream_address("2375"), "tcp://[::]:2375");
    assert_eq!(listen_stream_address("127.0.0.1:2375"), "tcp://127.0.0.1:2375");
}

#[test]
fn flags_from_the_unit_as_systemd_resolves_it() {
    // /etc's full copy hides the vendor unit; its drop-in resets ExecStart.
    let c = read(&[
        (VENDOR, "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 --userland-proxy=false\n"),
        (
            "/etc/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd --userland-proxy=false\n",
        ),
    ]);
    assert_eq!(values(&c, "hosts"), [DEFAULT_SOCKET]);
    assert_eq!(origins(&c, "userland-proxy"), ["/etc/systemd/system/docker.service:2"]);
    let c = read(&[
        (VENDOR, "[Service]\nExecStart=/usr/bin/dockerd --userland-proxy=false\n"),
        (
            "/etc/systemd/system/docker.service.d/10-reset.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -DH 0.0.0.0:2375\n",
        ),
    ]);
    assert_eq!(values(&c, "hosts"), ["tcp://0.0.0.0:2375"]);
    assert_eq!(values(&c, "userland-proxy"), ["true"], "the reset dropped --userland-proxy=false");
    assert_eq!(values(&c, "debug"), ["true"]);
    // A unit only in /usr/local/lib is on systemd's search path.
    let c = read(&[(
        "/usr/local/lib/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/local/bin/dockerd --experimental\n",
    )]);
    assert_eq!(values(&c, "experimental"), ["true"]);
    // A masked unit starts nothing.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), VENDOR, "[Service]\nExecStart=/usr/bin/dockerd --experimental\n");
    fs::create_dir_all(dir.path().join("etc/systemd/system")).unwrap();
    symlink("/dev/null", dir.path().join("etc/systemd/system/docker.service")).unwrap();
    let c = DaemonConfig::read(&Root::new(dir.path()).unwrap(), None);
    assert_eq!(values(&c, "experimental"), ["false"]);
    assert!(c.notes.iter().any(|n| n.contains("masked")));
}

#[test]
fn environment_files_count_only_when_the_unit_reads_them() {
    let opts = ("/etc/default/docker", "DOCKER_OPTS=\"--insecure-registry r.example:5000\"\n");
    let c = read(&[(VENDOR, SERVICE), opts]);
    assert!(values(&c, "insecure-registries").is_empty());
    let reads = "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/bin/dockerd $DOCKER_OPTS\n";
    let c = read(&[(VENDOR, reads), opts]);
    assert_eq!(values(&c, "insecure-registries"), ["r.example:5000"]);
    assert_eq!(origins(&c, "insecure-registries"), ["/etc/default/docker:1"]);
    // No unit at all: the init script passes DOCKER_OPTS.
    let c = read(&[opts]);
    assert_eq!(values(&c, "insecure-registries"), ["r.example:5000"]);
    assert!(c.notes.iter().any(|n| n.contains("init script")));
}

#[test]
fn daemon_json_last_duplicate_wins_with_its_position() {
    let c = read(&[(
        DAEMON_JSON,
        "{\n  \"tlskey\": \"/good.pem\",\n  \"tlskey\": \"/bad.pem\",\n  \"tls\": true\n}\n",
    )]);
    assert_eq!(values(&c, "tlskey"), ["/bad.pem"]);
    assert_eq!(origins(&c, "tlskey"), ["/etc/docker/daemon.json:3:13"]);
    assert!(c.notes.iter().any(|n| n.contains("`tlskey` is given twice")));
    let c = read(&[(DAEMON_JSON, r#"{"log-opts": {"max-size": "10m", "max-size": "1g"}}"#)]);
    assert_eq!(values(&c, "log-opts.max-size"), ["1g"]);
}

#[test]
fn what_dockerd_refuses_is_a_refusal() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[(DAEMON_JSON, "{\"experimental\": true,}")], "trailing comma"),
        (&[(DAEMON_JSON, "experimental: true\n")], "cannot start a JSON value"),
        (&[(DAEMON_JSON, "[]")], "top level is an array"),
        (&[(DAEMON_JSON, "{\"userland-proxy\": \"false\"}")], "must be true or false"),
        (&[(DAEMON_JSON, "{\"hosts\": \"tcp://0.0.0.0:2375\"}")], "must be an array"),
        (&[(DAEMON_JSON, "{\"log-opts\": {\"max-file\": 3}}")], "values must be strings"),
        (&[(DAEMON_JSON, "{\"hosts\": [\"TCP://0.0.0.0:2375\"]}")], "unknown scheme"),
        (
            &[(VENDOR, SERVICE), (DAEMON_JSON, "{\"hosts\": [\"unix:///var/run/docker.sock\"]}")],
            "set both by a flag (-H at",
        ),
        (&[(VENDOR, "[Service]\nExecStart=/usr/bin/dockerd --userland-proxy false\n")], "takes no arguments"),
        (
            &[(VENDOR, "[Service]\nEnvironmentFile=/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd\n")],
            "EnvironmentFile",
        ),
        (
            &[(VENDOR, "[Service]\nExecStart=/usr/bin/dockerd\nExecStart=/usr/bin/dockerd -D\n")],
            "more than one ExecStart",
        ),
    ];
    for (files, why) in cases {
        let c = read(files);
        let refusal = c.refusal.as_ref().unwrap_or_else(|| panic!("{files:?} was accepted"));
        assert!(refusal.message.contains(why), "{files:?}: {}", refusal.message);
        assert!(c.settings.is_empty(), "no settings once dockerd refuses");
    }
    let c = read(&[(VENDOR, SERVICE), (DAEMON_JSON, "{\"hosts\": []}")]);
    assert!(c.refusal.unwrap().message.contains("/lib/systemd/system/docker.service:3"));
    // Invalid UTF-8 is refused, not read with replacements.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("etc/docker")).unwrap();
    fs::write(dir.path().join("etc/docker/daemon.json"), b"{\"tlskey\": \"/k\xff.pem\"}").unwrap();
    let c = DaemonConfig::read(&Root::new(dir.path()).unwrap(), None);
    assert!(c.refusal.unwrap().message.contains("not valid UTF-8"));
}

#[test]
fn an_empty_daemon_json_sets_nothing_and_null_leaves_the_default() {
    let c = read(&[(DAEMON_JSON, "  \n")]);
    assert!(c.refusal.is_none());
    let c = read(&[(DAEMON_JSON, "{\"userland-proxy\": null}")]);
    assert_eq!(values(&c, "userland-proxy"), ["true"]);
}

#[test]
fn tls_files_default_to_the_cert_path_once_tls_is_on() {
    let c = read(&[(DAEMON_JSON, r#"{"tlsverify": true, "tlscacert": "/etc/docker/ca.pem"}"#)]);
    assert_eq!(values(&c, "tlscacert"), ["/etc/docker/ca.pem"]);
    assert_eq!(values(&c, "tlscert"), ["/root/.docker/cert.pem"]);
    assert_eq!(values(&c, "tlskey"), ["/root/.docker/key.pem"]);
    assert_eq!(c.values("tlskey").next().unwrap().source, Source::Default);
    let env = "[Service]\nEnvironment=DOCKER_CERT_PATH=/srv/certs DOCKER_TLS_VERIFY=1\nExecStart=/usr/bin/dockerd\n";
    let c = read(&[(VENDOR, env)]);
    assert_eq!(values(&c, "tlsverify"), ["true"]);
    assert_eq!(values(&c, "tlscacert"), ["/srv/certs/ca.pem"]);
    // `tls` alone: no client verification, so no CA file.
    let c =
        read(&[(DAEMON_JSON, r#"{"tls": true}"#), ("/etc/passwd", "root:x:0:0:root:/var/root:/bin/sh\n")]);
    assert!(values(&c, "tlscacert").is_empty());
    assert_eq!(values(&c, "tlscert"), ["/var/root/.docker/cert.pem"]);
}

#[test]
fn storage_driver_from_prior_state_or_the_kernel() {
    let c = read(&[("/var/lib/docker/aufs/layers/x", "")]);
    assert_eq!(values(&c, "storage-driver"), ["aufs"]);
    let c = read(&[("/var/lib/docker/aufs/x", ""), ("/var/lib/docker/overlay2/y", "")]);
    assert!(c.refusal.unwrap().message.contains("several storage drivers"));
    let c = read(&[("/proc/filesystems", "nodev\tsysfs\n\text4\nnodev\toverlay\n")]);
    assert_eq!(values(&c, "storage-driver"), ["overlay2"]);
    let c = read(&[("/proc/filesystems", "\text4\nnodev\taufs\n")]);
    assert_eq!(values(&c, "storage-driver"), ["aufs"]);
    let c = read(&[]);
    assert!(values(&c, "storage-driver").is_empty());
    let c = read(&[(DAEMON_JSON, r#"{"storage-driver": "overlay2"}"#), ("/var/lib/docker/aufs/x", "")]);
    assert_eq!(values(&c, "storage-driver"), ["overlay2"]);
}

#[derive(Debug)]
struct FakeEngine(Vec<(&'static str, &'static str)>);

impl EngineSource for FakeEngine {
    fn describe(&self) -> String {
        "fake engine".to_string()
    }
    fn is_live(&self) -> bool {
        false
    }
    fn fetch(&self, path: &str) -> Result<EngineDocument, EngineError> {
        let body = self.0.iter().find(|(p, _)| *p == path).map(|(_, b)| b.as_bytes().to_vec());
        body.map(|body| EngineDocument { body, origin: format!("snapshot {path}"), sha256: String::new() })
            .ok_or_else(|| EngineError::Missing { origin: path.to_string(), why: "no file".to_string() })
    }
}

#[test]
fn the_running_engine_is_the_effective_truth() {
    let engine = FakeEngine(vec![
        (
            "engine/info.json",
            r#"{"Driver": "aufs", "LoggingDriver": "json-file", "SecurityOptions": ["name=seccomp,profile=default", "name=fips"],
               "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"], "IndexConfigs": {"docker.io": {"Secure": true}, "r.local:5000": {"Secure": false}}}}"#,
        ),
        ("engine/version.json", r#"{"Version": "19.03.5", "Experimental": true}"#),
    ]);
    let files = [(DAEMON_JSON, r#"{"storage-driver": "overlay2", "log-driver": "json-file"}"#)];
    let c = read_with(&files, Some(&engine));
    assert_eq!(values(&c, "storage-driver"), ["aufs"]);
    let driver = c.values("storage-driver").next().unwrap();
    assert_eq!(
        (driver.source, driver.origin.to_string().as_str()),
        (Source::Engine, "snapshot engine/info.json")
    );
    assert!(
        driver.notes[0].contains("`overlay2` (daemon.json, /etc/docker/daemon.json:1:20)"),
        "{:?}",
        driver.notes
    );
    assert!(c.values("log-driver").next().unwrap().notes.is_empty(), "files and engine agree");
    assert_eq!(values(&c, "security-options"), ["name=seccomp,profile=default", "name=fips"]);
    assert_eq!(values(&c, "insecure-registries"), ["r.local:5000"]);
    assert_eq!(values(&c, "experimental"), ["true"]);
    assert_eq!(values(&c, "engine"), ["fake engine"]);
    // Without /version, the files decide experimental and a note says so.
    let c = read_with(&files, Some(&FakeEngine(vec![("engine/info.json", r#"{"Driver": "overlay2"}"#)])));
    assert_eq!(values(&c, "experimental"), ["false"]);
    assert!(c.notes.iter().any(|n| n.contains("engine/version.json")));
}
