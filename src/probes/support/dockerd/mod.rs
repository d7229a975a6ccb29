//! dockerd's effective configuration, read the way dockerd and systemd read it, for the probes
//! of stigrun's Docker extension (`docker:daemonoption`, `docker:daemonenvironment`).
//!
//! Sources, in the order dockerd combines them:
//! 1. the command line systemd starts it with: `docker.service` as systemd resolves it (search
//!    path, masks, `/etc` copies hiding vendor ones, drop-ins in order, `ExecStart=` resets),
//!    its environment ([`environment`]) and `$VAR` expansion, read with dockerd's flag grammar
//!    ([`flags`]); without a `docker.service`, `DOCKER_OPTS` (`/etc/default/docker`) and
//!    `OPTIONS` (`/etc/sysconfig/docker`), which the SysV and Upstart scripts pass;
//! 2. `daemon.json` (or `--config-file`), strict JSON ([`json`]); a key set both there and by a
//!    flag makes dockerd refuse to start;
//! 3. dockerd's defaults: `unix:///var/run/docker.sock`, the userland proxy on, experimental
//!    off, `json-file` logging, TLS files from `DOCKER_CERT_PATH` or `~/.docker` once TLS is on,
//!    the storage driver whose state already exists under the data root (else the kernel's);
//!    `-H fd://` stands for the listeners of `docker.socket`;
//! 4. the running engine, when the scan has one: `/info` and `/version` are the effective truth
//!    for what they report, and a disagreement with the files is noted on the setting.
//!
//! Anything that would stop dockerd from starting (a malformed daemon.json, a flag it refuses, a
//! setting given twice) is a [`Refusal`]: the daemon's settings are then undefined, and the
//! probes report an error instead of guessing.

pub mod environment;
pub mod flags;
pub mod json;

use std::fmt;

use crate::host::{EngineError, EngineSource, FileKind, Root};
use crate::probes::support::systemd_units::{LoadState, Unit, UnitStore};

use environment::Environment;
use flags::{Given, Kind, Word};
use json::Value;

pub const DAEMON_JSON: &str = "/etc/docker/daemon.json";
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";
pub const DEFAULT_DATA_ROOT: &str = "/var/lib/docker";
/// Storage drivers in dockerd's order of preference (graphdriver priority, Linux, 18.09–19.03).
const DRIVER_PRIORITY: &[&str] = &["btrfs", "zfs", "overlay2", "aufs", "overlay", "devicemapper", "vfs"];
/// Settings that come from a running engine alone, never from the files.
pub const ENGINE_ONLY: &[&str] = &["engine", "security-options"];
/// The insecure registry range dockerd always adds; `/info` reports it on every engine.
const IMPLICIT_INSECURE: &str = "127.0.0.0/8";

/// Where a value was written (or that nobody wrote it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A file inside the root: path, line and, for JSON, column.
    File { path: String, line: usize, column: Option<usize> },
    /// dockerd's built-in default (the string says which rule chose it).
    Default,
    /// A document of the engine source (`engine/info.json`, or the request for it).
    Engine { document: String },
}

impl Origin {
    pub fn file(path: &str, line: usize) -> Origin {
        Origin::File { path: path.to_string(), line, column: None }
    }

    pub fn json(path: &str, at: json::Position) -> Origin {
        Origin::File { path: path.to_string(), line: at.line, column: Some(at.column) }
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            Origin::File { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column: Some(c) } => write!(f, "{path}:{line}:{c}"),
            Origin::File { path, line, column: None } => write!(f, "{path}:{line}"),
            Origin::Default => f.write_str("dockerd default"),
            Origin::Engine { document } => f.write_str(document),
        }
    }
}

/// Which source a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// dockerd's command line.
    Flag,
    DaemonJson,
    /// A listener of `docker.socket`, which `-H fd://` hands to dockerd.
    Socket,
    /// The daemon's environment (`DOCKER_TLS_VERIFY`).
    Environment,
    Default,
    Engine,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::DaemonJson => "daemon.json",
            Source::Socket => "docker.socket",
            Source::Environment => "environment",
            Source::Default => "default",
            Source::Engine => "engine",
        }
    }
}

/// One value of one effective setting. A list setting (`hosts`) has one per entry; a map
/// (`log-opts`) is flattened to `log-opts.<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub value: String,
    pub source: Source,
    pub origin: Origin,
    /// What else the evidence should say (a duplicate key, what the files say when the engine
    /// reports otherwise, how a default was chosen).
    pub notes: Vec<String>,
}

/// Why dockerd would not start with this configuration, and which file says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub path: Option<String>,
    /// True when the file could not be read at all (rather than read and refused).
    pub unreadable: bool,
}

#[derive(Debug, Clone, Default)]
pub struct DaemonConfig {
    pub settings: Vec<Setting>,
    /// The environment of the dockerd process (empty without a `docker.service`).
    pub environment: Environment,
    pub refusal: Option<Refusal>,
    /// Set when systemd itself would not start docker.service (its environment is then unknown);
    /// a refusal of daemon.json leaves the environment known.
    pub environment_refusal: Option<Refusal>,
    /// Notes about the configuration as a whole (how dockerd is started, unknown flags…).
    pub notes: Vec<String>,
    /// Files read: (in-root path, SHA-256).
    pub evidence: Vec<(String, String)>,
}

impl DaemonConfig {
    /// The values of setting `name` (empty when it is unset and has no default).
    pub fn values(&self, name: &str) -> impl Iterator<Item = &Setting> {
        self.settings.iter().filter(move |s| s.name == name)
    }

    fn first_value(&self, name: &str) -> Option<&Setting> {
        self.values(name).next()
    }

    fn is_true(&self, name: &str) -> bool {
        self.first_value(name).is_some_and(|s| s.value == "true")
    }

    /// Read the configuration of the daemon on `root` (and, when given, the running engine).
    pub fn read(root: &Root, engine: Option<&dyn EngineSource>) -> DaemonConfig {
        let mut config = DaemonConfig::default();
        if let Err(refusal) = config.assemble(root, engine) {
            // What dockerd would refuse has no effective settings from the files; a running engine
            // still reports what it runs with.
            config.settings.clear();
            config.refusal = Some(refusal);
            if let Some(engine) = engine {
                engine_facts(engine, &mut config);
            }
        }
        config
    }

    /// Is `name` answered even when dockerd would refuse the files: settings only a running engine
    /// reports, and settings the engine reported here.
    pub fn known_despite_refusal(&self, name: &str) -> bool {
        ENGINE_ONLY.contains(&name) || self.values(name).any(|s| s.source == Source::Engine)
    }

    fn assemble(&mut self, root: &Root, engine: Option<&dyn EngineSource>) -> Result<(), Refusal> {
        let store = UnitStore::open(root);
        let service = store.load("docker.service");
        let command = command_line(root, &service, self)?;
        let (path, named_by_flag) = match command.iter().rev().find(|g| g.key == "config-file") {
            Some(g) => (g.value.clone(), true),
            None => (DAEMON_JSON.to_string(), false),
        };
        let file = read_daemon_json(root, &path, named_by_flag, self)?;
        merge(&command, &path, &file, self)?;
        apply_defaults(root, &store, self)?;
        if let Some(engine) = engine {
            engine_facts(engine, self);
        }
        Ok(())
    }
}

fn refusal_at(origin: &Origin, message: impl Into<String>) -> Refusal {
    Refusal {
        message: format!("{origin}: {}", message.into()),
        path: origin.path().map(str::to_string),
        unreadable: false,
    }
}

/// The flags dockerd is started with.
fn command_line(root: &Root, service: &Unit, config: &mut DaemonConfig) -> Result<Vec<Given>, Refusal> {
    for problem in &service.problems {
        config.notes.push(format!("docker.service: {problem}"));
    }
    match service.load_state {
        LoadState::Masked => {
            config.notes.push("docker.service is masked: systemd does not start dockerd".to_string());
            Ok(Vec::new())
        }
        LoadState::NotFound => init_script_options(root, config),
        LoadState::Loaded => {
            record_unit_files(root, service, config);
            let env = environment::service_environment(root, service)
                .map_err(|e| refusal_at(&e.origin, e.message))?;
            config.evidence.extend(env.evidence.iter().cloned());
            config.notes.extend(env.notes.iter().cloned());
            let execs = environment::exec_starts(service);
            let service_type = service
                .assignments
                .iter()
                .rev()
                .find(|a| a.section == "Service" && a.key == "Type" && !a.value.is_empty())
                .map_or("simple", |a| a.value.as_str());
            if execs.len() > 1 && service_type != "oneshot" {
                let at = Origin::file(&execs[1].file, execs[1].line);
                return Err(refusal_at(
                    &at,
                    "systemd refuses docker.service: more than one ExecStart= (only Type=oneshot allows that)",
                ));
            }
            let mut given = Vec::new();
            config.environment = env.clone();
            for exec in execs {
                let words =
                    environment::command_words(exec, &env).map_err(|e| refusal_at(&e.origin, e.message))?;
                let Some((program, args)) = words.split_first() else { continue };
                let name = program.text.rsplit('/').next().unwrap_or_default();
                if !name.starts_with("dockerd") {
                    config.notes.push(format!(
                        "{}: ExecStart runs `{}`, not dockerd: its arguments are not read as dockerd's",
                        program.origin, program.text
                    ));
                    continue;
                }
                let line = flags::parse(args).map_err(|e| {
                    refusal_at(&e.origin, format!("dockerd refuses its command line: {}", e.message))
                })?;
                config.notes.extend(line.notes);
                given.extend(line.flags);
            }
            Ok(given)
        }
    }
}

fn record_unit_files(root: &Root, unit: &Unit, config: &mut DaemonConfig) {
    let files = std::iter::once(&unit.fragment_path).chain(&unit.drop_in_paths);
    for path in files.filter(|p| !p.is_empty()) {
        if let Ok(content) = root.read(path) {
            config.evidence.push((path.clone(), content.sha256));
        }
    }
}

/// Without a systemd unit, the init scripts pass `DOCKER_OPTS` (Debian, Ubuntu) or `OPTIONS`
/// (RHEL) from their environment files.
fn init_script_options(root: &Root, config: &mut DaemonConfig) -> Result<Vec<Given>, Refusal> {
    let mut given = Vec::new();
    for (path, variable) in [("/etc/default/docker", "DOCKER_OPTS"), ("/etc/sysconfig/docker", "OPTIONS")] {
        let Ok(content) = root.read(path) else { continue };
        config.evidence.push((path.to_string(), content.sha256.clone()));
        let text = String::from_utf8_lossy(&content.bytes);
        let vars = environment::parse_env_file(&text, path, &mut config.notes);
        let Some(var) = vars.iter().rev().find(|v| v.name == variable) else { continue };
        config.notes.push(format!(
            "no docker.service unit: `{variable}` from {} is taken as dockerd's command line (init script)",
            var.origin
        ));
        let words: Vec<Word> = environment::split_words(&var.value)
            .unwrap_or_default()
            .into_iter()
            .map(|text| Word { text, origin: var.origin.clone() })
            .collect();
        let line = flags::parse(&words)
            .map_err(|e| refusal_at(&e.origin, format!("dockerd refuses its command line: {}", e.message)))?;
        config.notes.extend(line.notes);
        given.extend(line.flags);
    }
    Ok(given)
}

/// The top-level members of daemon.json, or `None` when there is no file (or it is empty).
fn read_daemon_json(
    root: &Root,
    path: &str,
    named_by_flag: bool,
    config: &mut DaemonConfig,
) -> Result<Option<json::Object>, Refusal> {
    let content = match root.read(path) {
        Ok(c) => c,
        Err(e) if e.is_not_found() && !named_by_flag => return Ok(None),
        Err(e) => {
            return Err(Refusal {
                message: format!("`{path}`: {e}"),
                path: Some(path.to_string()),
                unreadable: !e.is_not_found(),
            });
        }
    };
    config.evidence.push((path.to_string(), content.sha256.clone()));
    if content.bytes.iter().all(|b| b.is_ascii_whitespace()) {
        config.notes.push(format!("`{path}` is empty: dockerd reads no settings from it"));
        return Ok(None);
    }
    let parsed = json::parse(&content.bytes).map_err(|e| Refusal {
        message: format!("{path}:{}: dockerd refuses it: {}", e.at, e.message),
        path: Some(path.to_string()),
        unreadable: false,
    })?;
    match parsed.value {
        Value::Object(object) => Ok(Some(object)),
        other => Err(refusal_at(
            &Origin::json(path, parsed.at),
            format!("dockerd refuses it: the top level is {}, not an object", other.kind()),
        )),
    }
}

/// One setting as the file gives it: its values with their positions.
struct FileSetting {
    key: String,
    key_origin: Origin,
    values: Vec<(String, String, Origin)>,
}

/// Flatten daemon.json into settings, checking the types dockerd's decoder insists on.
fn file_settings(
    path: &str,
    object: &json::Object,
    notes: &mut Vec<String>,
) -> Result<Vec<FileSetting>, Refusal> {
    for (lost, winner) in object.overridden() {
        notes.push(format!(
            "{path}: `{}` is given twice ({} and {}): dockerd uses the last",
            lost.key,
            Origin::json(path, lost.key_at),
            Origin::json(path, winner.key_at)
        ));
    }
    let mut out = Vec::new();
    for key in object.keys() {
        let Some(member) = object.get(key) else { continue };
        let key_origin = Origin::json(path, member.key_at);
        let at = Origin::json(path, member.value.at);
        let kind = flags::by_key(key).map(|s| s.kind);
        let wrong = |expected: &str| {
            refusal_at(
                &at,
                format!("dockerd refuses it: `{key}` must be {expected}, not {}", member.value.value.kind()),
            )
        };
        let mut values = Vec::new();
        match (&member.value.value, kind) {
            // Go decodes null into anything as "leave it unset".
            (Value::Null, _) => {}
            (Value::Bool(b), Some(Kind::Bool) | None) => values.push((key.to_string(), b.to_string(), at)),
            (_, Some(Kind::Bool)) => return Err(wrong("true or false")),
            (Value::String(s), Some(Kind::Value) | None) => values.push((key.to_string(), s.clone(), at)),
            (Value::Number(n), Some(Kind::Value) | None) => values.push((key.to_string(), n.clone(), at)),
            (Value::Array(items), Some(Kind::List) | None) => {
                for item in items {
                    match &item.value {
                        Value::String(s) => {
                            values.push((key.to_string(), s.clone(), Origin::json(path, item.at)))
                        }
                        Value::Number(n) => {
                            values.push((key.to_string(), n.clone(), Origin::json(path, item.at)))
                        }
                        Value::Object(_) if key == "default-address-pools" => {}
                        other if kind.is_some() => {
                            return Err(refusal_at(
                                &Origin::json(path, item.at),
                                format!(
                                    "dockerd refuses it: entries of `{key}` must be strings, not {}",
                                    other.kind()
                                ),
                            ));
                        }
                        _ => {}
                    }
                }
            }
            (_, Some(Kind::List)) => return Err(wrong("an array")),
            (Value::Object(map), Some(Kind::Map) | None) => {
                for (lost, winner) in map.overridden() {
                    notes.push(format!(
                        "{path}: `{key}.{}` is given twice ({} and {}): dockerd uses the last",
                        lost.key,
                        Origin::json(path, lost.key_at),
                        Origin::json(path, winner.key_at)
                    ));
                }
                for sub in map.keys() {
                    let Some(m) = map.get(sub) else { continue };
                    let origin = Origin::json(path, m.value.at);
                    let name = format!("{key}.{sub}");
                    match &m.value.value {
                        Value::String(s) => values.push((name, s.clone(), origin)),
                        // log-opts is a map of strings: dockerd refuses `"max-file": 3`.
                        other if key == "log-opts" => {
                            return Err(refusal_at(
                                &origin,
                                format!(
                                    "dockerd refuses it: `log-opts` values must be strings, `{sub}` is {}",
                                    other.kind()
                                ),
                            ));
                        }
                        Value::Bool(b) => values.push((name, b.to_string(), origin)),
                        Value::Number(n) => values.push((name, n.clone(), origin)),
                        _ => {}
                    }
                }
            }
            (_, Some(Kind::Map)) => return Err(wrong("an object")),
            (other, Some(Kind::Value)) => {
                return Err(wrong(&format!("a string or a number, not {}", other.kind())));
            }
        }
        out.push(FileSetting { key: key.to_string(), key_origin, values });
    }
    Ok(out)
}

/// Command line and daemon.json together; a setting in both makes dockerd refuse to start.
fn merge(
    command: &[Given],
    path: &str,
    file: &Option<json::Object>,
    config: &mut DaemonConfig,
) -> Result<(), Refusal> {
    let from_file = match file {
        Some(object) => file_settings(path, object, &mut config.notes)?,
        None => Vec::new(),
    };
    for fs in &from_file {
        if let Some(flag) = command.iter().find(|g| g.key == fs.key) {
            return Err(Refusal {
                message: format!(
                    "dockerd refuses to start: `{}` is set both by a flag ({} at {}) and in daemon.json ({})",
                    fs.key, flag.spelled, flag.origin, fs.key_origin
                ),
                path: Some(path.to_string()),
                unreadable: false,
            });
        }
    }
    for g in command {
        let setting = |name: String, value: String| Setting {
            name,
            value,
            source: Source::Flag,
            origin: g.origin.clone(),
            notes: Vec::new(),
        };
        match g.kind {
            Kind::Bool | Kind::Value => {
                config.settings.retain(|s| s.name != g.key);
                config.settings.push(setting(g.key.clone(), g.value.clone()));
            }
            Kind::List => config.settings.push(setting(g.key.clone(), g.value.clone())),
            Kind::Map => {
                let (k, v) = g.value.split_once('=').unwrap_or((g.value.as_str(), ""));
                let name = format!("{}.{k}", g.key);
                config.settings.retain(|s| s.name != name);
                config.settings.push(setting(name, v.to_string()));
            }
        }
    }
    for fs in from_file {
        for (name, value, origin) in fs.values {
            config.settings.push(Setting {
                name,
                value,
                source: Source::DaemonJson,
                origin,
                notes: Vec::new(),
            });
        }
    }
    Ok(())
}

fn add_default(config: &mut DaemonConfig, name: &str, value: &str, note: &str) {
    if config.first_value(name).is_none() {
        config.settings.push(Setting {
            name: name.to_string(),
            value: value.to_string(),
            source: Source::Default,
            origin: Origin::Default,
            notes: vec![note.to_string()],
        });
    }
}

fn apply_defaults(root: &Root, store: &UnitStore<'_>, config: &mut DaemonConfig) -> Result<(), Refusal> {
    add_default(config, "userland-proxy", "true", "dockerd starts the userland proxy unless told not to");
    add_default(config, "experimental", "false", "experimental features are off unless switched on");
    add_default(
        config,
        "log-driver",
        "json-file",
        "dockerd logs containers with json-file unless told otherwise",
    );
    hosts(store, config)?;
    tls(root, config);
    storage_driver(root, config)?;
    Ok(())
}

/// dockerd's listeners: `-H` values normalised as dockerd parses them, the default socket when
/// none is given, and `fd://` replaced by the listeners of `docker.socket`.
fn hosts(store: &UnitStore<'_>, config: &mut DaemonConfig) -> Result<(), Refusal> {
    let given: Vec<Setting> = config.values("hosts").cloned().collect();
    config.settings.retain(|s| s.name != "hosts");
    if given.is_empty() {
        add_default(
            config,
            "hosts",
            DEFAULT_SOCKET,
            "dockerd listens on its unix socket when no -H/hosts is given",
        );
        return Ok(());
    }
    let mut socket: Option<Unit> = None;
    for host in given {
        let normalized = parse_daemon_host(&host.value).map_err(|why| {
            refusal_at(&host.origin, format!("dockerd refuses -H/hosts `{}`: {why}", host.value))
        })?;
        if normalized != "fd://" {
            let mut note = Vec::new();
            if normalized != host.value {
                note.push(format!("written as `{}`; dockerd reads it as `{normalized}`", host.value));
            }
            config.settings.push(Setting { value: normalized, notes: note, ..host });
            continue;
        }
        let unit = socket.get_or_insert_with(|| store.load("docker.socket"));
        let listeners = socket_listeners(unit);
        if listeners.is_empty() {
            let mut h = host.clone();
            h.notes.push(format!(
                "`fd://` takes dockerd's listeners from docker.socket, which is {} here",
                unit.load_state.as_str()
            ));
            config.settings.push(h);
        }
        for (value, origin, written) in listeners {
            config.settings.push(Setting {
                name: "hosts".to_string(),
                value,
                source: Source::Socket,
                origin,
                notes: vec![format!(
                    "`ListenStream={written}` of docker.socket, handed over by `fd://` at {}",
                    host.origin
                )],
            });
        }
    }
    Ok(())
}

/// `ListenStream=` of a loaded socket unit as dockerd addresses.
fn socket_listeners(unit: &Unit) -> Vec<(String, Origin, String)> {
    if unit.load_state != LoadState::Loaded {
        return Vec::new();
    }
    let mut out: Vec<(String, Origin, String)> = Vec::new();
    for a in unit.assignments.iter().filter(|a| a.section == "Socket" && a.key == "ListenStream") {
        if a.value.is_empty() {
            out.clear();
            continue;
        }
        out.push((listen_stream_address(&a.value), Origin::file(&a.file, a.line), a.value.clone()));
    }
    out
}

/// systemd.socket(5) `ListenStream=`: a path or `@name` is a unix socket, a port alone listens on
/// every address, `address:port` on one.
pub fn listen_stream_address(value: &str) -> String {
    let value = value.trim();
    if value.starts_with('/') {
        return format!("unix://{value}");
    }
    if let Some(name) = value.strip_prefix('@') {
        return format!("unix://@{name}");
    }
    if value.starts_with("vsock:") {
        return value.to_string();
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return format!("tcp://[::]:{value}");
    }
    format!("tcp://{value}")
}

/// dockerd's `ParseHost` for its own listeners: no scheme means TCP, an empty host or port takes
/// `localhost:2375`'s, schemes are matched as written (`TCP://` is refused).
pub fn parse_daemon_host(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(DEFAULT_SOCKET.to_string());
    }
    let (scheme, rest) = match value.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("tcp", value),
    };
    match scheme {
        "tcp" => {
            if rest.contains("://") || rest.is_empty() {
                return Err("not a TCP address".to_string());
            }
            let (hostport, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let (host, port) = split_host_port(hostport);
            let host = if host.is_empty() { "localhost" } else { host };
            let port = if port.is_empty() { "2375" } else { port };
            if port.parse::<u16>().is_err() {
                return Err(format!("invalid port `{port}`"));
            }
            let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
            Ok(format!("tcp://{host}:{port}{path}"))
        }
        "unix" => Ok(if rest.is_empty() { DEFAULT_SOCKET.to_string() } else { format!("unix://{rest}") }),
        "fd" | "npipe" | "ssh" => Ok(value.to_string()),
        other => Err(format!("unknown scheme `{other}://` (dockerd accepts tcp, unix, fd)")),
    }
}

fn split_host_port(hostport: &str) -> (&str, &str) {
    if let Some((host, tail)) = hostport.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        return (host, tail.strip_prefix(':').unwrap_or(""));
    }
    match hostport.rsplit_once(':') {
        // More than one colon without brackets: an IPv6 address with no port.
        Some((host, _)) if host.contains(':') => (hostport, ""),
        Some((host, port)) => (host, port),
        None => (hostport, ""),
    }
}

/// TLS: `tlsverify` (or `DOCKER_TLS_VERIFY` in dockerd's environment) turns on TLS and client
/// verification, `tls` TLS alone; with TLS on, a file that is not named is dockerd's default,
/// `$DOCKER_CERT_PATH/{ca,cert,key}.pem`, else `~/.docker/…` (`$DOCKER_CONFIG`, else the home of
/// the user dockerd runs as).
fn tls(root: &Root, config: &mut DaemonConfig) {
    if config.first_value("tlsverify").is_none()
        && let Some(var) = config.environment.get("DOCKER_TLS_VERIFY").filter(|v| !v.value.is_empty())
    {
        let origin = var.origin.clone();
        config.settings.push(Setting {
            name: "tlsverify".to_string(),
            value: "true".to_string(),
            source: Source::Environment,
            origin,
            notes: vec!["DOCKER_TLS_VERIFY in dockerd's environment turns on --tlsverify".to_string()],
        });
    }
    let verify = config.is_true("tlsverify");
    let on = verify || config.is_true("tls");
    if !on {
        return;
    }
    let (dir, why) = cert_dir(root, config);
    let wanted: &[(&str, &str)] = if verify {
        &[("tlscacert", "ca.pem"), ("tlscert", "cert.pem"), ("tlskey", "key.pem")]
    } else {
        &[("tlscert", "cert.pem"), ("tlskey", "key.pem")]
    };
    for (name, file) in wanted {
        add_default(
            config,
            name,
            &format!("{}/{file}", dir.trim_end_matches('/')),
            &format!("TLS is on and `{name}` is not set: dockerd uses {why}"),
        );
    }
}

fn cert_dir(root: &Root, config: &DaemonConfig) -> (String, String) {
    if let Some(v) = config.environment.get("DOCKER_CERT_PATH").filter(|v| !v.value.is_empty()) {
        return (v.value.clone(), format!("$DOCKER_CERT_PATH ({})", v.origin));
    }
    if let Some(v) = config.environment.get("DOCKER_CONFIG").filter(|v| !v.value.is_empty()) {
        return (v.value.clone(), format!("$DOCKER_CONFIG ({})", v.origin));
    }
    if let Some(v) = config.environment.get("HOME").filter(|v| !v.value.is_empty()) {
        return (
            format!("{}/.docker", v.value.trim_end_matches('/')),
            format!("$HOME/.docker ({})", v.origin),
        );
    }
    let home = home_of_root(root);
    (format!("{}/.docker", home.trim_end_matches('/')), format!("~/.docker of root ({home})"))
}

/// The home directory of uid 0 in `/etc/passwd` (`/root` when it cannot be read).
fn home_of_root(root: &Root) -> String {
    let Ok((text, _)) = root.read_to_string("/etc/passwd") else { return "/root".to_string() };
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 6 && f[2] == "0")
        .map_or("/root".to_string(), |f| f[5].to_string())
}

/// With no `storage-driver`, dockerd reuses the one driver whose state exists under its data
/// root (more than one: it refuses to start); with none, it takes the first in its priority
/// list the system supports, judged from `/proc/mounts` and `/proc/filesystems` when readable.
fn storage_driver(root: &Root, config: &mut DaemonConfig) -> Result<(), Refusal> {
    if config.first_value("storage-driver").is_some() {
        return Ok(());
    }
    let data_root = config
        .first_value("data-root")
        .or_else(|| config.first_value("graph"))
        .map_or(DEFAULT_DATA_ROOT.to_string(), |s| s.value.clone());
    let prior: Vec<&str> = DRIVER_PRIORITY
        .iter()
        .copied()
        .filter(|d| *d != "vfs")
        .filter(|d| {
            let dir = format!("{}/{d}", data_root.trim_end_matches('/'));
            root.stat(&dir).is_ok_and(|m| m.kind == FileKind::Directory)
                && root.read_dir(&dir).is_ok_and(|names| !names.is_empty())
        })
        .collect();
    match prior.as_slice() {
        [one] => {
            add_default(
                config,
                "storage-driver",
                one,
                &format!(
                    "no storage-driver is set: dockerd reuses `{one}`, whose state exists in {data_root}/{one}"
                ),
            );
            return Ok(());
        }
        [] => {}
        several => {
            return Err(Refusal {
                message: format!(
                    "dockerd refuses to start: {data_root} holds the state of several storage drivers ({}) and none is chosen",
                    several.join(", ")
                ),
                path: Some(data_root),
                unreadable: false,
            });
        }
    }
    let Ok((filesystems, _)) = root.read_to_string("/proc/filesystems") else {
        config.notes.push(format!(
            "no storage-driver is set and {data_root} holds no driver state: dockerd chooses one at start-up from \
             what the kernel supports, and this root has no /proc/filesystems to tell"
        ));
        return Ok(());
    };
    let supported: Vec<&str> = filesystems.lines().filter_map(|l| l.split_whitespace().last()).collect();
    let mount_type = mount_fs_type(root, &data_root);
    let chosen = DRIVER_PRIORITY.iter().copied().find(|d| match *d {
        "btrfs" | "zfs" => mount_type.as_deref() == Some(d),
        "overlay2" | "overlay" => supported.contains(&"overlay"),
        "aufs" => supported.contains(&"aufs"),
        _ => false,
    });
    let chosen = chosen.unwrap_or("vfs");
    add_default(
        config,
        "storage-driver",
        chosen,
        &format!(
            "no storage-driver is set and {data_root} holds no driver state: the first driver in dockerd's order the kernel supports"
        ),
    );
    Ok(())
}

/// The file system type of the mount that holds `path`, from `/proc/mounts`.
fn mount_fs_type(root: &Root, path: &str) -> Option<String> {
    let (mounts, _) = root.read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3).then(|| (f[1].to_string(), f[2].to_string()))
        })
        .filter(|(point, _)| {
            path == point || path.starts_with(&format!("{}/", point.trim_end_matches('/'))) || point == "/"
        })
        .max_by_key(|(point, _)| point.len())
        .map(|(_, kind)| kind)
}

/// The running engine's `/info` and `/version`: what they report replaces what the files say.
fn engine_facts(engine: &dyn EngineSource, config: &mut DaemonConfig) {
    let info = match fetch_json(engine, "engine/info.json") {
        Ok(v) => v,
        Err(note) => {
            config.notes.push(note);
            return;
        }
    };
    let info_origin = Origin::Engine { document: info.1.clone() };
    // Marks that the engine answered, so a check can tell its facts from the files'.
    config.settings.push(Setting {
        name: "engine".to_string(),
        value: engine.describe(),
        source: Source::Engine,
        origin: info_origin.clone(),
        notes: Vec::new(),
    });
    let text = |key: &str| info.0.get(key).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(driver) = text("Driver") {
        replace_with_engine(config, "storage-driver", vec![driver], &info_origin);
    }
    if let Some(driver) = text("LoggingDriver") {
        replace_with_engine(config, "log-driver", vec![driver], &info_origin);
    }
    let options: Vec<String> = info.0["SecurityOptions"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    replace_with_engine(config, "security-options", options, &info_origin);
    let registries = &info.0["RegistryConfig"];
    let mut insecure: Vec<String> = registries["InsecureRegistryCIDRs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .filter(|c| *c != IMPLICIT_INSECURE)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(index) = registries["IndexConfigs"].as_object() {
        let mut names: Vec<&String> = index.keys().collect();
        names.sort();
        for name in names {
            if index[name.as_str()]["Secure"] == serde_json::Value::Bool(false) {
                insecure.push(name.clone());
            }
        }
    }
    if registries.is_object() {
        replace_with_engine(config, "insecure-registries", insecure, &info_origin);
    }
    match fetch_json(engine, "engine/version.json") {
        Ok((version, origin)) => {
            let on = version["Experimental"].as_bool().unwrap_or(false);
            replace_with_engine(
                config,
                "experimental",
                vec![on.to_string()],
                &Origin::Engine { document: origin },
            );
        }
        Err(note) => config.notes.push(note),
    }
}

fn fetch_json(engine: &dyn EngineSource, path: &str) -> Result<(serde_json::Value, String), String> {
    let document = engine.fetch(path).map_err(|e| match e {
        EngineError::Missing { .. } => format!("{e}: the files decide what the engine would report"),
        EngineError::Unreachable { .. } => format!("{e}: the files decide what the engine would report"),
    })?;
    let value: serde_json::Value = serde_json::from_slice(&document.body)
        .map_err(|e| format!("{}: not JSON ({e}): the files decide instead", document.origin))?;
    Ok((value, document.origin))
}

/// Put the engine's values for `name` in place of the files', noting where they differ.
fn replace_with_engine(config: &mut DaemonConfig, name: &str, values: Vec<String>, origin: &Origin) {
    let files: Vec<Setting> = config.values(name).cloned().collect();
    config.settings.retain(|s| s.name != name);
    let file_values: Vec<&str> = files.iter().map(|s| s.value.as_str()).collect();
    let differs = file_values != values.iter().map(String::as_str).collect::<Vec<_>>();
    let note = (differs && !files.is_empty()).then(|| {
        let said: Vec<String> =
            files.iter().map(|s| format!("`{}` ({}, {})", s.value, s.source.as_str(), s.origin)).collect();
        format!(
            "the files give {}; the running engine reports otherwise, and it is what runs",
            said.join(", ")
        )
    });
    for value in values {
        config.settings.push(Setting {
            name: name.to_string(),
            value,
            source: Source::Engine,
            origin: origin.clone(),
            notes: note.iter().cloned().collect(),
        });
    }
}

#[cfg(test)]
mod tests;

/// One [`DaemonConfig`] per scan target, shared by the probes that read it: every
/// `daemonoption` and `daemonenvironment` object of a run sees the same reading of the files.
#[derive(Debug, Default)]
pub struct DaemonConfigCache {
    read: std::sync::Mutex<Option<(String, std::sync::Arc<DaemonConfig>)>>,
}

impl DaemonConfigCache {
    pub fn get(&self, root: &Root, engine: Option<&dyn EngineSource>) -> std::sync::Arc<DaemonConfig> {
        let key =
            format!("{}\u{0}{}", root.base().display(), engine.map(|e| e.describe()).unwrap_or_default());
        // A poisoned lock only means another probe panicked mid-read: read again.
        let mut slot = self.read.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, config)) = slot.as_ref()
            && *k == key
        {
            return config.clone();
        }
        let config = std::sync::Arc::new(DaemonConfig::read(root, engine));
        *slot = Some((key, config.clone()));
        config
    }
}
