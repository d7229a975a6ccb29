//! [`LiveEngine`]: the Docker Engine API of a running daemon, over its unix socket or tcp (with TLS
//! client certificates, as `DOCKER_CERT_PATH`/`DOCKER_TLS_VERIFY` or a UCP client bundle set
//! them), plus UCP and DTR when given. Read-only GETs only, a timeout per request, the API version
//! negotiated once; every document is sanitised ([`super::sanitize`]) and kept for the run, so
//! the many objects that read `/info` or one container cost one request each.
//!
//! ureq is the HTTP client: blocking (the scan is synchronous), HTTP/1.1 with chunked bodies and
//! timeouts, rustls for TLS with client certificates, and a pluggable transport, so the unix
//! socket is a small connector rather than hand-written HTTP.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};

use super::layout::{ApiRequest, Service, request_for};
use super::{EngineDocument, EngineError, EngineSource, sanitize};

/// The newest Engine API whose responses the probes read (Docker 20.10). An older engine is
/// asked in its own version; a newer one is asked in this one.
pub const MAX_API_VERSION: (u32, u32) = (1, 41);
/// The oldest API the probes understand.
pub const MIN_API_VERSION: (u32, u32) = (1, 24);
/// Largest response read (200 containers' inspect lists are a few hundred KiB).
const BODY_LIMIT: u64 = 64 << 20;

/// TLS client files: the CA that signed the server, and the client certificate and key.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Verify the server's certificate (DOCKER_TLS_VERIFY).
    pub verify: bool,
}

impl TlsFiles {
    /// `ca.pem`, `cert.pem`, `key.pem` in a directory (DOCKER_CERT_PATH, a client bundle).
    pub fn in_dir(dir: &Path, verify: bool) -> TlsFiles {
        let file = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
        TlsFiles { ca: file("ca.pem"), cert: file("cert.pem"), key: file("key.pem"), verify }
    }
}

/// A UCP or DTR endpoint.
#[derive(Debug, Clone, Default)]
pub struct Remote {
    /// `https://ucp.example.mil`
    pub url: String,
    /// Bearer token (never written anywhere).
    pub token: Option<String>,
    pub tls: Option<TlsFiles>,
}

/// How to reach the engine (and UCP/DTR).
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// `unix:///var/run/docker.sock`, `tcp://host:2376`.
    pub host: String,
    pub tls: Option<TlsFiles>,
    pub timeout: Duration,
    pub ucp: Option<Remote>,
    pub dtr: Option<Remote>,
    /// A UCP config-toml downloaded by hand, instead of asking UCP.
    pub ucp_config: Option<PathBuf>,
}

impl LiveOptions {
    pub fn new(host: impl Into<String>) -> LiveOptions {
        LiveOptions {
            host: host.into(),
            tls: None,
            timeout: Duration::from_secs(30),
            ucp: None,
            dtr: None,
            ucp_config: None,
        }
    }

    /// TLS settings from the environment as the docker CLI reads them (`DOCKER_CERT_PATH`,
    /// `DOCKER_TLS_VERIFY`), for a tcp:// host.
    pub fn tls_from_env(mut self) -> LiveOptions {
        let verify = std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty() && v != "0");
        let dir = std::env::var_os("DOCKER_CERT_PATH").map(PathBuf::from);
        if self.host.starts_with("tcp://") && (verify || dir.is_some()) {
            let dir = dir.unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".docker")
            });
            self.tls = Some(TlsFiles::in_dir(&dir, verify));
        }
        self
    }
}

/// A running Docker Engine.
pub struct LiveEngine {
    options: LiveOptions,
    engine: Client,
    ucp: Option<Client>,
    dtr: Option<Client>,
    /// `v1.41`
    api_version: String,
    cache: Mutex<HashMap<String, Result<EngineDocument, EngineError>>>,
}

impl fmt::Debug for LiveEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveEngine")
            .field("host", &self.options.host)
            .field("api", &self.api_version)
            .finish()
    }
}

struct Client {
    agent: ureq::Agent,
    /// `http://localhost` for a socket, `https://host:2376` for tcp.
    base: String,
    /// What evidence calls it: `unix:///var/run/docker.sock`.
    name: String,
    token: Option<String>,
}

impl LiveEngine {
    /// Connect and negotiate the API version (`GET /version`).
    pub fn connect(options: LiveOptions) -> Result<LiveEngine, EngineError> {
        let engine = client_for(&options.host, options.tls.as_ref(), None, options.timeout)?;
        let remote = |r: &Option<Remote>| -> Result<Option<Client>, EngineError> {
            r.as_ref()
                .map(|r| client_for(&r.url, r.tls.as_ref(), r.token.clone(), options.timeout))
                .transpose()
        };
        let ucp = remote(&options.ucp)?;
        let dtr = remote(&options.dtr)?;
        let version = engine.get("/version").map_err(|e| match e {
            EngineError::Missing { origin, why } => EngineError::Unreachable { origin, why },
            other => other,
        })?;
        let api_version = negotiate(&version.body).map_err(|why| EngineError::Unreachable {
            origin: format!("{} GET /version", engine.name),
            why,
        })?;
        Ok(LiveEngine { options, engine, ucp, dtr, api_version, cache: Mutex::new(HashMap::new()) })
    }

    /// The negotiated API version (`1.41`).
    pub fn api_version(&self) -> &str {
        self.api_version.trim_start_matches('v')
    }

    fn fetch_uncached(&self, path: &str) -> Result<EngineDocument, EngineError> {
        let missing = |why: &str| EngineError::Missing {
            origin: format!("{} {path}", self.describe()),
            why: why.to_string(),
        };
        let request = request_for(path).ok_or_else(|| missing("not a snapshot path"))?;
        if path == "ucp/config.toml"
            && let Some(file) = &self.options.ucp_config
        {
            let body = std::fs::read(file).map_err(|e| EngineError::Unreachable {
                origin: file.display().to_string(),
                why: e.to_string(),
            })?;
            return Ok(EngineDocument::new(sanitize::sanitize(path, body), file.display().to_string()));
        }
        let document = match request {
            ApiRequest::Get { service: Service::Engine, path: api_path } => {
                self.engine.get(&format!("/{}{api_path}", self.api_version))?
            }
            ApiRequest::Get { service, path: api_path } => self
                .remote(service)
                .ok_or_else(|| missing(&format!("no {service:?} endpoint given (--ucp-url / --dtr-url)")))?
                .get(&api_path)?,
            ApiRequest::DtrTags => {
                let dtr =
                    self.remote(Service::Dtr).ok_or_else(|| missing("no DTR endpoint given (--dtr-url)"))?;
                dtr_tags(dtr)?
            }
            ApiRequest::TlsChain { service } => {
                let remote = self.remote_options(service).ok_or_else(|| {
                    missing(&format!("no {service:?} endpoint given (--ucp-url / --dtr-url)"))
                })?;
                let origin = format!("TLS handshake with {}", remote.url);
                let pem = super::tls_chain::fetch_chain_pem(&remote.url, self.options.timeout)
                    .map_err(|why| EngineError::Unreachable { origin: origin.clone(), why })?;
                return Ok(EngineDocument::new(pem, origin));
            }
        };
        let body = sanitize::sanitize(path, document.body);
        Ok(EngineDocument::new(body, document.origin))
    }

    fn remote_options(&self, service: Service) -> Option<&Remote> {
        match service {
            Service::Engine => None,
            Service::Ucp => self.options.ucp.as_ref(),
            Service::Dtr => self.options.dtr.as_ref(),
        }
    }

    fn remote(&self, service: Service) -> Option<&Client> {
        match service {
            Service::Engine => Some(&self.engine),
            Service::Ucp => self.ucp.as_ref(),
            Service::Dtr => self.dtr.as_ref(),
        }
    }
}

impl EngineSource for LiveEngine {
    fn describe(&self) -> String {
        self.options.host.clone()
    }

    fn is_live(&self) -> bool {
        true
    }

    fn fetch(&self, path: &str) -> Result<EngineDocument, EngineError> {
        if let Ok(cache) = self.cache.lock()
            && let Some(hit) = cache.get(path)
        {
            return hit.clone();
        }
        let result = self.fetch_uncached(path);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(path.to_string(), result.clone());
        }
        result
    }
}

/// `v1.41` from a `/version` body: the server's ApiVersion, capped at [`MAX_API_VERSION`].
fn negotiate(version_body: &[u8]) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(version_body).map_err(|e| format!("not a /version answer: {e}"))?;
    let api = value["ApiVersion"].as_str().ok_or("/version has no ApiVersion")?;
    let parse = |s: &str| -> Option<(u32, u32)> {
        let (a, b) = s.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let server = parse(api).ok_or_else(|| format!("ApiVersion `{api}` is not MAJOR.MINOR"))?;
    if server < MIN_API_VERSION {
        return Err(format!(
            "the engine speaks API {api}; stigrun needs {}.{} or newer",
            MIN_API_VERSION.0, MIN_API_VERSION.1
        ));
    }
    let (major, minor) = server.min(MAX_API_VERSION);
    Ok(format!("v{major}.{minor}"))
}

fn client_for(
    host: &str,
    tls: Option<&TlsFiles>,
    token: Option<String>,
    timeout: Duration,
) -> Result<Client, EngineError> {
    let unreachable = |why: String| EngineError::Unreachable { origin: host.to_string(), why };
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("stigrun/", env!("CARGO_PKG_VERSION")));
    if let Some(socket) = host.strip_prefix("unix://") {
        let agent = ureq::Agent::with_parts(
            config.build(),
            UnixConnector { socket: PathBuf::from(socket) },
            DefaultResolver::default(),
        );
        return Ok(Client { agent, base: "http://localhost".to_string(), name: host.to_string(), token });
    }
    let address = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("https://"))
        .or_else(|| host.strip_prefix("http://"))
        .ok_or_else(|| unreachable("expected unix://, tcp://, https:// or http://".to_string()))?
        .trim_end_matches('/');
    let scheme = if host.starts_with("http://") || (host.starts_with("tcp://") && tls.is_none()) {
        "http"
    } else {
        "https"
    };
    if let Some(files) = tls {
        config = config.tls_config(tls_config(files).map_err(unreachable)?);
    }
    let agent = ureq::Agent::new_with_config(config.build());
    Ok(Client { agent, base: format!("{scheme}://{address}"), name: host.to_string(), token })
}

fn tls_config(files: &TlsFiles) -> Result<ureq::tls::TlsConfig, String> {
    use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, parse_pem};
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("`{}`: {e}", p.display()));
    let mut builder = TlsConfig::builder().disable_verification(!files.verify);
    if let Some(ca) = &files.ca {
        let pem = read(ca)?;
        let certs: Vec<Certificate<'static>> = parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(format!("`{}` holds no certificate", ca.display()));
        }
        builder = builder.root_certs(RootCerts::new_with_certs(&certs));
    }
    if let (Some(cert), Some(key)) = (&files.cert, &files.key) {
        let pem = read(cert)?;
        let chain: Vec<Certificate<'static>> = parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let key = PrivateKey::from_pem(&read(key)?).map_err(|e| format!("`{}`: {e}", key.display()))?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(builder.build())
}

impl Client {
    /// GET `path` (with its query): the body of a 2xx answer; 404 and other 4xx/5xx answers are
    /// `Missing` with the engine's message.
    fn get(&self, path: &str) -> Result<EngineDocument, EngineError> {
        let origin = format!("GET {}{path}", self.name.trim_end_matches('/'));
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request
            .call()
            .map_err(|e| EngineError::Unreachable { origin: origin.clone(), why: e.to_string() })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(|e| EngineError::Unreachable { origin: origin.clone(), why: e.to_string() })?;
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).trim().chars().take(200).collect());
            return Err(EngineError::Missing { origin, why: format!("HTTP {status}: {message}") });
        }
        Ok(EngineDocument::new(body, origin))
    }
}

/// DTR's tags of every repository as one array of `{"repository", "name", "inNotary"}`.
fn dtr_tags(dtr: &Client) -> Result<EngineDocument, EngineError> {
    let listing = dtr.get("/api/v0/repositories?pageSize=100000")?;
    let parsed: serde_json::Value = serde_json::from_slice(&listing.body).map_err(|e| {
        EngineError::Unreachable { origin: listing.origin.clone(), why: format!("not JSON: {e}") }
    })?;
    let mut tags = Vec::new();
    for repo in parsed["repositories"].as_array().into_iter().flatten() {
        let (Some(ns), Some(name)) = (repo["namespace"].as_str(), repo["name"].as_str()) else { continue };
        let listed = dtr.get(&format!("/api/v0/repositories/{ns}/{name}/tags"))?;
        let listed: serde_json::Value = serde_json::from_slice(&listed.body).unwrap_or_default();
        for tag in listed.as_array().into_iter().flatten() {
            tags.push(serde_json::json!({
                "repository": format!("{ns}/{name}"),
                "name": tag["name"],
                "inNotary": tag["inNotary"],
            }));
        }
    }
    let body = serde_json::to_vec(&tags).unwrap_or_default();
    Ok(EngineDocument::new(body, format!("{} (every repository's tags)", listing.origin)))
}

/// Connects to the Engine's unix socket whatever host the URL names.
#[derive(Debug)]
struct UnixConnector {
    socket: PathBuf,
}

impl<In: Transport> Connector<In> for UnixConnector {
    type Out = UnixTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let stream = UnixStream::connect(&self.socket)?;
        let buffers =
            LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        Ok(Some(UnixTransport { stream, buffers }))
    }
}

#[derive(Debug)]
struct UnixTransport {
    stream: UnixStream,
    buffers: LazyBuffers,
}

impl Transport for UnixTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.set_write_timeout(timeout.for_write().not_zero().map(|d| *d))?;
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output).map_err(|e| timed_out(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        self.stream.set_read_timeout(timeout.not_zero().map(|d| *d))?;
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input).map_err(|e| timed_out(e, timeout))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // One request per connection keeps the socket handling simple; the engine is local.
        false
    }
}

fn timed_out(e: std::io::Error, timeout: NextTimeout) -> ureq::Error {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_down_to_what_the_probes_read() {
        assert_eq!(negotiate(br#"{"ApiVersion":"1.41"}"#).unwrap(), "v1.41");
        assert_eq!(negotiate(br#"{"ApiVersion":"1.50"}"#).unwrap(), "v1.41");
        assert_eq!(negotiate(br#"{"ApiVersion":"1.30"}"#).unwrap(), "v1.30");
        assert!(negotiate(br#"{"ApiVersion":"1.12"}"#).unwrap_err().contains("1.24"));
        assert!(negotiate(b"<html>").is_err());
    }

    #[test]
    fn an_absent_socket_is_unreachable_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix://{}/docker.sock", dir.path().display());
        let err = LiveEngine::connect(LiveOptions::new(&host)).unwrap_err();
        assert!(matches!(err, EngineError::Unreachable { .. }), "{err:?}");
        assert!(err.to_string().contains("docker.sock"), "{err}");
    }
}
