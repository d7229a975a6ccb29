//! The snapshot layout: which API request each snapshot path stands for. A snapshot is a directory
//! anyone can make with curl, so the paths are fixed and documented (`stigrun collect` writes them).
//!
//! ```text
//! engine/version.json          GET /version
//! engine/info.json             GET /info
//! engine/containers.json       GET /containers/json?all=1
//! engine/containers/<ID>.json  GET /containers/{id}/json   (full 64-hex id)
//! engine/top/<ID>.json         GET /containers/{id}/top    (running containers)
//! engine/images.json           GET /images/json
//! engine/images/<ID>.json      GET /images/{id}/json       (hex, without "sha256:")
//! engine/networks.json         GET /networks
//! engine/swarm.json            GET /swarm                  (managers; JoinTokens removed)
//! engine/nodes.json            GET /nodes                  (managers)
//! ucp/config.toml              GET /api/ucp/config-toml    (secrets removed)
//! ucp/ca.pem                   GET /ca                     (UCP's cluster root CA)
//! ucp/tls-chain.pem            the certificate chain UCP's TLS endpoint presents
//! dtr/settings.json            GET /api/v0/meta/settings
//! dtr/imagescan-status.json    GET /api/v0/imagescan/status
//! dtr/tags.json                GET /api/v0/repositories, then …/repositories/{ns}/{name}/tags for each,
//!                              as one array of {"repository", "name", "inNotary"}
//! dtr/tls-chain.pem            the certificate chain DTR's TLS endpoint presents
//! ```

/// The service a snapshot path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Engine,
    Ucp,
    Dtr,
}

/// The request a snapshot path stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiRequest {
    /// A GET of this path (and query) on the service's API.
    Get { service: Service, path: String },
    /// The certificate chain the service's TLS endpoint presents (PEM).
    TlsChain { service: Service },
    /// A document assembled from several requests (DTR's tags of every repository).
    DtrTags,
}

impl ApiRequest {
    /// For manifests and evidence: `GET /info`.
    pub fn describe(&self) -> String {
        match self {
            ApiRequest::Get { path, .. } => format!("GET {path}"),
            ApiRequest::TlsChain { service } => format!("TLS handshake with {service:?}"),
            ApiRequest::DtrTags => "GET /api/v0/repositories and each repository's tags".to_string(),
        }
    }
}

fn is_hex_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The request behind a snapshot path, or `None` when the path is not part of the layout.
pub fn request_for(path: &str) -> Option<ApiRequest> {
    let get = |service, p: &str| Some(ApiRequest::Get { service, path: p.to_string() });
    match path {
        "engine/version.json" => return get(Service::Engine, "/version"),
        "engine/info.json" => return get(Service::Engine, "/info"),
        "engine/containers.json" => return get(Service::Engine, "/containers/json?all=1"),
        "engine/images.json" => return get(Service::Engine, "/images/json"),
        "engine/networks.json" => return get(Service::Engine, "/networks"),
        "engine/swarm.json" => return get(Service::Engine, "/swarm"),
        "engine/nodes.json" => return get(Service::Engine, "/nodes"),
        "ucp/config.toml" => return get(Service::Ucp, "/api/ucp/config-toml"),
        "ucp/ca.pem" => return get(Service::Ucp, "/ca"),
        "ucp/tls-chain.pem" => return Some(ApiRequest::TlsChain { service: Service::Ucp }),
        "dtr/settings.json" => return get(Service::Dtr, "/api/v0/meta/settings"),
        "dtr/imagescan-status.json" => return get(Service::Dtr, "/api/v0/imagescan/status"),
        "dtr/tags.json" => return Some(ApiRequest::DtrTags),
        "dtr/tls-chain.pem" => return Some(ApiRequest::TlsChain { service: Service::Dtr }),
        _ => {}
    }
    let id_in = |prefix: &str| path.strip_prefix(prefix)?.strip_suffix(".json").filter(|id| is_hex_id(id));
    if let Some(id) = id_in("engine/containers/") {
        return get(Service::Engine, &format!("/containers/{id}/json"));
    }
    if let Some(id) = id_in("engine/top/") {
        return get(Service::Engine, &format!("/containers/{id}/top"));
    }
    if let Some(id) = id_in("engine/images/") {
        return get(Service::Engine, &format!("/images/sha256:{id}/json"));
    }
    None
}

/// The snapshot path of a container's inspect document.
pub fn container_path(id: &str) -> String {
    format!("engine/containers/{id}.json")
}

/// The snapshot path of a running container's process list.
pub fn top_path(id: &str) -> String {
    format!("engine/top/{id}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_path_maps_to_its_request() {
        let id = "a".repeat(64);
        assert_eq!(
            request_for(&container_path(&id)),
            Some(ApiRequest::Get { service: Service::Engine, path: format!("/containers/{id}/json") })
        );
        assert_eq!(
            request_for(&format!("engine/images/{id}.json")),
            Some(ApiRequest::Get { service: Service::Engine, path: format!("/images/sha256:{id}/json") })
        );
        assert_eq!(request_for("engine/containers/short.json"), None);
        assert_eq!(request_for("engine/../etc/passwd"), None);
        assert_eq!(request_for("ucp/tls-chain.pem"), Some(ApiRequest::TlsChain { service: Service::Ucp }));
        assert_eq!(request_for("engine/info.json").unwrap().describe(), "GET /info");
    }
}
