//! The certificate authorities the System Security Plan trusts (`--trusted-ca FILE`, PEM): what
//! the UCP and DTR chain rules (DKER-EE-001870 and kin) verify the presented chains against.
//!
//! The file is an input of the scan, like a tailoring file, read from the scanning machine — never
//! from the target, and never named by content, so hostile content cannot point a check at a file.

use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

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
