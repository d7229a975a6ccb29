//! Trusted certificate authorities read from a PEM bundle, and the one chain verification that
//! uses them: the CAs the System Security Plan trusts (`--trusted-ca FILE`), which the UCP and
//! DTR chain rules (DKER-EE-001870 and kin) verify the presented chains against, and the CAs whose
//! signers the user trusts to sign content (`--signer-ca FILE`).
//!
//! The file is an input of the scan, like a tailoring file, read from the scanning machine — never
//! from the target, and never named by content, so hostile content cannot point a check at a file.

use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};

/// The trusted CA certificates (DER) and the file they came from.
#[derive(Debug, Clone)]
pub struct TrustedCas {
    pub source: String,
    pub certificates: Vec<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{path}: {why}")]
    Unreadable { path: String, why: String },
    #[error("{path}: certificate {index} is not valid PEM: {why}")]
    BadPem { path: String, index: usize, why: String },
    #[error("{path}: no PEM certificate (expected `-----BEGIN CERTIFICATE-----` blocks)")]
    Empty { path: String },
}

impl TrustedCas {
    /// Read a PEM bundle: a regular file only (a FIFO or device as an input would block or never end).
    pub fn from_pem_file(path: &Path) -> Result<TrustedCas, TrustError> {
        let name = path.display().to_string();
        let unreadable = |why: String| TrustError::Unreadable { path: name.clone(), why };
        let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
        if !meta.is_file() {
            return Err(unreadable("not a regular file".to_string()));
        }
        // A CA bundle is kilobytes; DoD's whole PKI is well under 1 MiB.
        const MAX_BUNDLE: u64 = 16 << 20;
        if meta.len() > MAX_BUNDLE {
            return Err(unreadable(format!("larger than {MAX_BUNDLE} bytes")));
        }
        let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
        TrustedCas::from_pem(&bytes, name)
    }

    pub fn from_pem(bytes: &[u8], source: String) -> Result<TrustedCas, TrustError> {
        let mut certificates = Vec::new();
        for (index, cert) in CertificateDer::pem_slice_iter(bytes).enumerate() {
            let cert = cert.map_err(|e| TrustError::BadPem {
                path: source.clone(),
                index: index + 1,
                why: e.to_string(),
            })?;
            certificates.push(cert.as_ref().to_vec());
        }
        if certificates.is_empty() {
            return Err(TrustError::Empty { path: source });
        }
        Ok(TrustedCas { source, certificates })
    }
}

/// What a verified chain must be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainUsage {
    /// A TLS server (UCP, DTR): the server-auth extended key usage.
    ServerAuth,
    /// Signing content: code signing, when the certificate restricts its extended key usage at all.
    ContentSigning,
}

/// id-kp-codeSigning (1.3.6.1.5.5.7.3.3), DER contents of the OID.
const CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];

impl TrustedCas {
    /// Verify `chain` (leaf first, then any intermediates) up to one of these CAs at `now`:
    /// signatures, validity dates and `usage`. The subject of the CA the chain ends at, or why not.
    pub fn verify_chain(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
        usage: ChainUsage,
    ) -> Result<String, String> {
        let Some(first) = chain.first() else { return Err("no certificate to verify".to_string()) };
        let leaf =
            webpki::EndEntityCert::try_from(first).map_err(|e| format!("the leaf certificate: {e:?}"))?;
        let intermediates = &chain[1..];
        let mut last_error = None;
        // One anchor at a time, so the evidence names the CA the chain ends at.
        for der in &self.certificates {
            let der = CertificateDer::from(der.as_slice());
            let Ok(anchor) = webpki::anchor_from_trusted_cert(&der) else { continue };
            let anchors = [anchor.to_owned()];
            let key_usage = match usage {
                ChainUsage::ServerAuth => webpki::KeyUsage::server_auth(),
                ChainUsage::ContentSigning => webpki::KeyUsage::required_if_present(CODE_SIGNING),
            };
            match leaf.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                intermediates,
                now,
                key_usage,
                None,
                None,
            ) {
                Ok(_) => return Ok(subject(der.as_ref())),
                Err(e) => last_error = Some(e),
            }
        }
        Err(match last_error {
            Some(webpki::Error::UnknownIssuer) | None => format!(
                "the chain does not lead to any of the {} trusted CAs in {}",
                self.certificates.len(),
                self.source
            ),
            Some(e) => format!("{e:?} (against {})", self.source),
        })
    }
}

/// A certificate's subject as x509-parser spells it (empty if it cannot be read).
fn subject(der: &[u8]) -> String {
    x509_parser::parse_x509_certificate(der).map(|(_, c)| c.subject().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_refused() {
        let err = TrustedCas::from_pem(b"hello\n", "ca.pem".into()).unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn a_directory_is_refused() {
        let err = TrustedCas::from_pem_file(Path::new("/")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
