//! XML-DSig verification of signed source data streams (SP 800-126r3 §3.1: a
//! `ds:data-stream-collection` may carry `dsig:Signature` children, or signatures in
//! `ds:extended-component`s). Every `Reference` of the `SignedInfo` (and of any `Manifest` in the
//! signature) must resolve to the document (`URI=""`) or one element by id, and its digest must
//! match; the `SignatureValue` must verify over the canonical `SignedInfo` with the key in
//! `KeyInfo` (an X.509 certificate, or an RSA `KeyValue`). The certificate is the signer's claim:
//! it is named here; [`SignatureCheck::judge_trust`] checks it against the CAs the user trusts to
//! sign content (`--signer-ca`), when given.

use std::sync::Arc;

use base64::Engine;
use roxmltree::{Document, Node, ParsingOptions};
use sha2::Digest;

use super::c14n::{self, Mode, Options};
use crate::model::location::Location;

pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const NS_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const NS_DS: &str = super::datastream::NS_DS_12;

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const C14N_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No signature.
    Unsigned,
    /// Every signature verifies.
    Verified,
    /// A signature is there and does not verify (or cannot be checked): `problem` says why.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    pub status: Status,
    /// Who signed: the certificate's subject, or a description of a bare key.
    pub signer: Option<String>,
    pub problem: Option<String>,
    /// What the verified references cover: `""` for the whole document, else element ids.
    pub covers: Vec<String>,
    /// Where the (first failing) signature is.
    pub location: Option<Location>,
    /// The X.509 certificates (DER) in the verified signature's `KeyInfo`, signer first.
    pub certificates: Vec<Vec<u8>>,
    /// Whether the signer chains to a CA the user trusts to sign content.
    pub trust: Trust,
}

/// Whether a verified signature's signer is one the user trusts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// No CAs were given (`--signer-ca`), or the signature does not verify.
    #[default]
    NotChecked,
    /// The signer's certificate chains to this CA (its subject).
    Trusted(String),
    /// Why the signer is not trusted.
    Untrusted(String),
}

impl SignatureCheck {
    pub fn unsigned() -> Self {
        SignatureCheck {
            status: Status::Unsigned,
            signer: None,
            problem: None,
            covers: Vec::new(),
            location: None,
            certificates: Vec::new(),
            trust: Trust::NotChecked,
        }
    }

    /// Judge the verified signature's signer against `cas` (the CAs trusted to sign content) at
    /// `now`: its certificate, with any others in `KeyInfo` as intermediates, must chain to one of
    /// them. A bare key (no certificate) cannot. Nothing changes for a signature that does not verify.
    pub fn judge_trust(&mut self, cas: &crate::host::TrustedCas, now: rustls_pki_types::UnixTime) {
        if self.status != Status::Verified {
            return;
        }
        if self.certificates.is_empty() {
            self.trust = Trust::Untrusted(format!(
                "the signature carries a bare key, no certificate that could chain to a CA in {}",
                cas.source
            ));
            return;
        }
        let chain: Vec<rustls_pki_types::CertificateDer<'_>> = self
            .certificates
            .iter()
            .map(|der| rustls_pki_types::CertificateDer::from(der.as_slice()))
            .collect();
        self.trust = match cas.verify_chain(&chain, now, crate::host::ChainUsage::ContentSigning) {
            Ok(anchor) => Trust::Trusted(anchor),
            Err(why) => Trust::Untrusted(why),
        };
    }

    /// Whether the verified signature covers the whole document or every one of `ids`.
    pub fn covers_all(&self, ids: &[&str]) -> bool {
        self.status == Status::Verified
            && (self.covers.iter().any(String::is_empty)
                || ids.iter().all(|id| self.covers.iter().any(|c| c == id)))
    }
}

/// Check the signatures of the document `text` (named `name` in messages). Documents that do not
/// mention the XML-DSig namespace are unsigned without being parsed again.
pub fn check(text: &str, name: &str) -> SignatureCheck {
    if memchr::memmem::find(text.as_bytes(), NS_DSIG.as_bytes()).is_none() {
        return SignatureCheck::unsigned();
    }
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let doc = match Document::parse_with_options(text.trim_start_matches('\u{feff}'), options) {
        Ok(doc) => doc,
        Err(e) => {
            return SignatureCheck {
                status: Status::Invalid,
                signer: None,
                problem: Some(format!("the document cannot be read to check its signature: {e}")),
                ..SignatureCheck::unsigned()
            };
        }
    };
    let root = doc.root_element();
    let signatures: Vec<Node> = root
        .children()
        .filter(|n| n.has_tag_name((NS_DSIG, "Signature")))
        .chain(
            root.children()
                .filter(|n| n.has_tag_name((NS_DS, "extended-component")))
                .flat_map(|c| c.children().filter(|n| n.has_tag_name((NS_DSIG, "Signature")))),
        )
        .collect();
    if signatures.is_empty() {
        return SignatureCheck::unsigned();
    }
    let file: Arc<str> = Arc::from(name);
    let mut result = SignatureCheck { status: Status::Verified, ..SignatureCheck::unsigned() };
    for signature in signatures {
        let pos = doc.text_pos_at(signature.range().start);
        let location = Location::new(file.clone(), pos.row, pos.col);
        let mut signer = None;
        match verify(&doc, signature, &mut signer) {
            Ok(covers) => {
                if result.signer.is_none() {
                    result.certificates = certificates(signature);
                }
                result.signer = result.signer.or(signer);
                result.covers.extend(covers);
                result.location.get_or_insert(location);
            }
            Err(problem) => {
                return SignatureCheck {
                    status: Status::Invalid,
                    signer,
                    problem: Some(problem),
                    location: Some(location),
                    ..SignatureCheck::unsigned()
                };
            }
        }
    }
    result
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((NS_DSIG, name)))
}

fn algorithm<'a>(node: Node<'a, '_>) -> &'a str {
    node.attribute("Algorithm").unwrap_or("")
}

fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).map_err(|e| format!("bad base64: {e}"))
}

/// Verify one `Signature`: its references (the ids they cover), then its value. `signer` is set
/// as soon as the key is known, so a failure can still say who claimed to sign.
fn verify(
    doc: &Document<'_>,
    signature: Node<'_, '_>,
    signer: &mut Option<String>,
) -> Result<Vec<String>, String> {
    let signed_info = child(signature, "SignedInfo").ok_or("the signature has no SignedInfo")?;
    let method =
        child(signed_info, "CanonicalizationMethod").ok_or("SignedInfo has no CanonicalizationMethod")?;
    let (mode, comments, prefixes) = canonicalization(method)?;
    let signature_method =
        algorithm(child(signed_info, "SignatureMethod").ok_or("SignedInfo has no SignatureMethod")?);
    let verification: &'static dyn ring::signature::VerificationAlgorithm = match signature_method {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => &ring::signature::RSA_PKCS1_2048_8192_SHA384,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => &ring::signature::RSA_PKCS1_2048_8192_SHA512,
        other => {
            return Err(format!(
                "signature method `{other}` is not supported (RSA with SHA-256, -384 or -512 is)"
            ));
        }
    };
    let key = key(signature, signer)?;
    let value = child(signature, "SignatureValue").ok_or("the signature has no SignatureValue")?;
    let value = decode_base64(value.text().unwrap_or("")).map_err(|e| format!("SignatureValue: {e}"))?;
    let canonical_signed_info = c14n::subtree(
        signed_info,
        None,
        &Options { mode, with_comments: comments, inclusive_prefixes: &prefixes },
    );
    let good = match &key {
        Key::Pkcs1(pkcs1) => ring::signature::UnparsedPublicKey::new(verification, pkcs1)
            .verify(canonical_signed_info.as_bytes(), &value)
            .is_ok(),
        Key::Rsa { n, e } => ring::signature::RsaPublicKeyComponents { n, e }
            .verify(
                rsa_parameters(signature_method).ok_or("unsupported RSA parameters")?,
                canonical_signed_info.as_bytes(),
                &value,
            )
            .is_ok(),
    };
    if !good {
        return Err("the SignatureValue does not verify with the key in KeyInfo".to_string());
    }
    // The references: SignedInfo's, then those of any Manifest the signature carries.
    let mut covers = Vec::new();
    let mut problems = Vec::new();
    let manifests = signature.descendants().filter(|n| n.has_tag_name((NS_DSIG, "Manifest")));
    let references = signed_info
        .children()
        .chain(manifests.flat_map(|m| m.children()))
        .filter(|n| n.has_tag_name((NS_DSIG, "Reference")));
    for reference in references {
        match check_reference(doc, signature, reference) {
            Ok(uri) => covers.push(uri),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if covers.is_empty() {
        return Err("SignedInfo has no Reference".to_string());
    }
    Ok(covers)
}

fn rsa_parameters(method: &str) -> Option<&'static ring::signature::RsaParameters> {
    match method {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => {
            Some(&ring::signature::RSA_PKCS1_2048_8192_SHA256)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => {
            Some(&ring::signature::RSA_PKCS1_2048_8192_SHA384)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => {
            Some(&ring::signature::RSA_PKCS1_2048_8192_SHA512)
        }
        _ => None,
    }
}

enum Key {
    /// An RSA public key as PKCS#1 `RSAPublicKey` DER (the certificate's subjectPublicKey).
    Pkcs1(Vec<u8>),
    /// `RSAKeyValue`: modulus and exponent, big-endian.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

/// Every X.509 certificate (DER) in the signature's `KeyInfo`, in document order: the first is
/// the one whose key [`key`] takes, so it leads the chain. Unreadable ones are left out (the chain
/// check then fails on what is missing).
fn certificates(signature: Node<'_, '_>) -> Vec<Vec<u8>> {
    child(signature, "KeyInfo")
        .into_iter()
        .flat_map(|k| k.descendants().filter(|n| n.has_tag_name((NS_DSIG, "X509Certificate"))))
        .filter_map(|c| decode_base64(c.text().unwrap_or("")).ok())
        .collect()
}

/// The key in `KeyInfo`: the first X.509 certificate (its subject becomes the signer) or an RSA
/// `KeyValue`.
fn key(signature: Node<'_, '_>, signer: &mut Option<String>) -> Result<Key, String> {
    let key_info =
        child(signature, "KeyInfo").ok_or("the signature has no KeyInfo: no key to verify it with")?;
    if let Some(cert) = key_info.descendants().find(|n| n.has_tag_name((NS_DSIG, "X509Certificate"))) {
        let der = decode_base64(cert.text().unwrap_or("")).map_err(|e| format!("X509Certificate: {e}"))?;
        let (_, cert) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| format!("the X509Certificate cannot be read: {e}"))?;
        *signer = Some(cert.subject().to_string());
        let spki = cert.public_key();
        if spki.algorithm.algorithm != x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION {
            return Err(format!(
                "the certificate's key ({}) is not an RSA key; only RSA signatures are verified",
                spki.algorithm.algorithm
            ));
        }
        return Ok(Key::Pkcs1(spki.subject_public_key.data.to_vec()));
    }
    if let Some(rsa) = key_info.descendants().find(|n| n.has_tag_name((NS_DSIG, "RSAKeyValue"))) {
        let part = |name: &str| -> Result<Vec<u8>, String> {
            let node = child(rsa, name).ok_or_else(|| format!("RSAKeyValue has no {name}"))?;
            decode_base64(node.text().unwrap_or("")).map_err(|e| format!("RSAKeyValue {name}: {e}"))
        };
        let n = part("Modulus")?;
        *signer = Some(format!(
            "an RSA key given in KeyInfo ({} bits, no certificate)",
            n.iter().skip_while(|b| **b == 0).count() * 8
        ));
        return Ok(Key::Rsa { n, e: part("Exponent")? });
    }
    Err("KeyInfo holds neither an X509Certificate nor an RSAKeyValue".to_string())
}

/// The canonicalization a `CanonicalizationMethod` or `Transform` names.
fn canonicalization(method: Node<'_, '_>) -> Result<(Mode, bool, Vec<String>), String> {
    let prefixes = || -> Vec<String> {
        method
            .children()
            .find(|n| n.has_tag_name((NS_EXC_C14N, "InclusiveNamespaces")))
            .and_then(|n| n.attribute("PrefixList"))
            .map(|list| list.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    };
    match algorithm(method) {
        C14N => Ok((Mode::Inclusive, false, Vec::new())),
        C14N_COMMENTS => Ok((Mode::Inclusive, true, Vec::new())),
        EXC_C14N => Ok((Mode::Exclusive, false, prefixes())),
        EXC_C14N_COMMENTS => Ok((Mode::Exclusive, true, prefixes())),
        other => Err(format!("canonicalization `{other}` is not supported")),
    }
}

/// Check one `Reference`: resolve its URI, apply its transforms, compare the digest. The URI
/// (`""` for the document, else the id) on success.
fn check_reference(
    doc: &Document<'_>,
    signature: Node<'_, '_>,
    reference: Node<'_, '_>,
) -> Result<String, String> {
    let uri = reference.attribute("URI").ok_or("a Reference without a URI is not supported")?;
    let what = if uri.is_empty() {
        "the reference to the whole document".to_string()
    } else {
        format!("reference `{uri}`")
    };
    let target = match uri.strip_prefix('#') {
        None if uri.is_empty() => None,
        Some(id) => {
            let mut found = doc.descendants().filter(|n| {
                n.is_element()
                    && n.attributes().any(|a| {
                        a.namespace().is_none() && matches!(a.name(), "id" | "Id" | "ID") && a.value() == id
                    })
            });
            let first = found.next().ok_or_else(|| format!("{what}: no element has that id"))?;
            // Two elements with one id would let a signature vouch for another copy of the content.
            if found.next().is_some() {
                return Err(format!("{what}: several elements have that id"));
            }
            Some(first)
        }
        None => return Err(format!("{what}: only same-document references are followed")),
    };
    let mut enveloped = false;
    // Without a canonicalization transform a node-set becomes octets by Canonical XML 1.0.
    let mut c14n_choice = (Mode::Inclusive, false, Vec::new());
    if let Some(transforms) = child(reference, "Transforms") {
        for transform in transforms.children().filter(|n| n.has_tag_name((NS_DSIG, "Transform"))) {
            match algorithm(transform) {
                ENVELOPED => enveloped = true,
                _ => {
                    c14n_choice =
                        canonicalization(transform).map_err(|e| format!("{what}: transform: {e}"))?
                }
            }
        }
    }
    let (mode, with_comments, prefixes) = c14n_choice;
    let options = Options { mode, with_comments, inclusive_prefixes: &prefixes };
    let excluded = enveloped.then_some(signature);
    let canonical = match target {
        // `URI=""` leaves comments out whatever the canonicalization says (XML-DSig §4.3.3.3).
        None => c14n::document(doc, excluded, &Options { with_comments: false, ..options }),
        Some(element) => c14n::subtree(element, excluded, &options),
    };
    let method =
        algorithm(child(reference, "DigestMethod").ok_or_else(|| format!("{what}: no DigestMethod"))?);
    let digest = match method {
        "http://www.w3.org/2001/04/xmlenc#sha256" => sha2::Sha256::digest(canonical.as_bytes()).to_vec(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => {
            sha2::Sha384::digest(canonical.as_bytes()).to_vec()
        }
        "http://www.w3.org/2001/04/xmlenc#sha512" => sha2::Sha512::digest(canonical.as_bytes()).to_vec(),
        other => {
            return Err(format!(
                "{what}: digest method `{other}` is not supported (SHA-256, -384 or -512 is)"
            ));
        }
    };
    let expected = child(reference, "DigestValue").and_then(|n| n.text()).unwrap_or("");
    let expected = decode_base64(expected).map_err(|e| format!("{what}: DigestValue: {e}"))?;
    if digest != expected {
        return Err(format!(
            "{what}: the digest does not match: the content was changed after it was signed"
        ));
    }
    Ok(uri.trim_start_matches('#').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made by tests/conformance/signature/sign.sh (xmlsec1, a throwaway key).
    const SIGNED: &str = include_str!("../../tests/conformance/signature/signed.xml");
    const TAMPERED: &str = include_str!("../../tests/conformance/signature/tampered.xml");
    const UNSIGNED: &str = include_str!("../../tests/conformance/signature/unsigned.xml");

    #[test]
    fn a_signature_made_by_xmlsec1_verifies_and_names_its_signer() {
        let c = check(SIGNED, "signed.xml");
        assert_eq!(c.status, Status::Verified, "{c:?}");
        assert_eq!(c.signer.as_deref(), Some("O=stigrun conformance, CN=stigrun test signer"));
        assert_eq!(
            c.covers,
            ["", "scap_io.stigrun.conf_datastream_signed", "scap_io.stigrun.conf_comp_xccdf"]
        );
        assert!(c.covers_all(&["anything"]), "the whole document is covered");
    }

    #[test]
    fn manifest_references_are_checked_and_count_as_covered() {
        let c = check(include_str!("../../tests/conformance/signature/signed-manifest.xml"), "m.xml");
        assert_eq!(c.status, Status::Verified, "{c:?}");
        assert!(c.covers_all(&[
            "scap_io.stigrun.conf_datastream_signed",
            "scap_io.stigrun.conf_comp_xccdf",
            "scap_io.stigrun.conf_comp_oval"
        ]));
        assert!(!c.covers_all(&["scap_io.stigrun.conf_comp_other"]), "no whole-document reference");
        let c = check(include_str!("../../tests/conformance/signature/tampered-manifest.xml"), "t.xml");
        assert_eq!(c.status, Status::Invalid);
    }

    #[test]
    fn mangled_signed_documents_never_panic() {
        for cut in (0..SIGNED.len()).step_by(37) {
            let Some(prefix) = SIGNED.get(..cut) else { continue };
            let c = check(prefix, "cut.xml");
            assert_ne!(c.status, Status::Verified, "cut at {cut}");
        }
        for (from, to) in
            [("<X509Certificate>MII", "<X509Certificate>AII"), ("Algorithm=\"", "Algorithm=\"x")]
        {
            assert_eq!(check(&SIGNED.replacen(from, to, 1), "m.xml").status, Status::Invalid, "{from}");
        }
    }

    #[test]
    fn one_changed_byte_breaks_the_digest() {
        let c = check(TAMPERED, "tampered.xml");
        assert_eq!(c.status, Status::Invalid);
        let problem = c.problem.unwrap();
        assert!(problem.contains("digest does not match"), "{problem}");
        assert_eq!(c.signer.as_deref(), Some("O=stigrun conformance, CN=stigrun test signer"));
        assert!(c.location.unwrap().to_string().starts_with("tampered.xml:"));
    }

    #[test]
    fn a_changed_signed_info_breaks_the_signature_value() {
        // Point the second reference's digest at another value: SignedInfo no longer matches the
        // SignatureValue even before any digest is compared.
        let start = SIGNED.find("<DigestValue>").unwrap() + "<DigestValue>".len();
        let mut changed = SIGNED.to_string();
        let first = if &SIGNED[start..start + 1] == "A" { "B" } else { "A" };
        changed.replace_range(start..start + 1, first);
        let c = check(&changed, "s.xml");
        assert_eq!(c.status, Status::Invalid);
        assert!(c.problem.unwrap().contains("SignatureValue does not verify"));
    }

    #[test]
    fn coverage_is_the_whole_document_or_every_id() {
        let mut c = check(SIGNED, "signed.xml");
        c.covers = vec!["ds".into(), "a".into()];
        assert!(c.covers_all(&["ds", "a"]));
        assert!(!c.covers_all(&["ds", "b"]));
        c.status = Status::Invalid;
        assert!(!c.covers_all(&["ds"]), "an invalid signature covers nothing");
    }

    #[test]
    fn unsigned_documents_and_unsupported_algorithms() {
        assert_eq!(check(UNSIGNED, "u.xml").status, Status::Unsigned);
        let sha1 = SIGNED.replace("xmldsig-more#rsa-sha256", "xmldsig-more#rsa-sha1");
        let c = check(&sha1, "s.xml");
        assert_eq!(c.status, Status::Invalid);
        assert!(c.problem.unwrap().contains("is not supported"));
        let wrapped = SIGNED.replace(
            "</ds:data-stream-collection>",
            "<ds:extended-component id=\"scap_io.stigrun.conf_comp_xccdf\"/></ds:data-stream-collection>",
        );
        let c = check(&wrapped, "s.xml");
        assert!(c.problem.unwrap().contains("several elements have that id"));
    }
}
