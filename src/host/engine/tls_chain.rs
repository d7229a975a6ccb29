//! The certificate chain a UCP or DTR endpoint presents, as `openssl s_client -showcerts` shows it:
//! one TLS handshake whose only purpose is to record the server's certificates (PEM, leaf first).
//!
//! The handshake accepts whatever the server presents: judging the chain is the check's job
//! (`probes::docker::certificate`, against the SSP's trusted CAs), and a scanner that refused an
//! untrusted chain could not report on it. Nothing is sent after the handshake.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Host and port of an `https://host[:port]` URL (443 by default).
pub fn host_and_port(url: &str) -> Result<(String, u16), String> {
    let rest = url.strip_prefix("https://").ok_or_else(|| format!("`{url}` is not an https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if authority.is_empty() {
        return Err(format!("`{url}` names no host"));
    }
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(|| format!("`{url}`: unclosed `[`"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("`{url}`: port `{p}` is not a number"))?,
            None => 443,
        };
        return Ok((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_string(),
            port.parse().map_err(|_| format!("`{url}`: port `{port}` is not a number"))?,
        )),
        None => Ok((authority.to_string(), 443)),
    }
}

/// The chain `url`'s TLS endpoint presents, as PEM (leaf first).
pub fn fetch_chain_pem(url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let (host, port) = host_and_port(url)?;
    let recorder = Arc::new(Recorder::default());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.clone()).map_err(|e| format!("`{host}`: {e}"))?;
    let mut connection =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| format!("TLS setup: {e}"))?;
    let address = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}:{port}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}:{port}: no address"))?;
    let mut socket =
        TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("{host}:{port}: {e}"))?;
    socket.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    socket.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    while connection.is_handshaking() {
        connection.complete_io(&mut socket).map_err(|e| format!("TLS handshake with {host}:{port}: {e}"))?;
    }
    connection.send_close_notify();
    let _ = connection.complete_io(&mut socket);
    let _ = socket.flush();
    let chain = recorder.chain.lock().map_err(|_| "certificate recorder poisoned".to_string())?.clone();
    if chain.is_empty() {
        return Err(format!("{host}:{port} presented no certificate"));
    }
    Ok(to_pem(&chain))
}

fn to_pem(chain: &[Vec<u8>]) -> Vec<u8> {
    use base64::Engine;
    let mut out = String::new();
    for der in chain {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        // PEM wants lines of 64 characters (RFC 7468); base64 is ASCII, so byte chunks are chars.
        for line in text.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out.into_bytes()
}

/// Accepts any server certificate and keeps the chain; signatures over the handshake are still
/// checked with the provider's algorithms, so the recorded leaf is the key the server holds.
#[derive(Debug, Default)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity).chain(intermediates).map(|c| c.as_ref().to_vec()).collect();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_host_and_port() {
        assert_eq!(host_and_port("https://ucp.example.mil").unwrap(), ("ucp.example.mil".into(), 443));
        assert_eq!(
            host_and_port("https://ucp.example.mil:8443/api").unwrap(),
            ("ucp.example.mil".into(), 8443)
        );
        assert_eq!(host_and_port("https://[::1]:4443").unwrap(), ("::1".into(), 4443));
        assert!(host_and_port("http://ucp").is_err());
        assert!(host_and_port("https://ucp:port").is_err());
    }

    #[test]
    fn pem_has_64_character_lines() {
        let pem = String::from_utf8(to_pem(&[vec![0u8; 60]])).unwrap();
        let body: Vec<&str> = pem.lines().collect();
        assert_eq!(body.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(body.len(), 4);
        assert_eq!(body[1].len(), 64);
    }
}
