//! `docker:certificate_object`: the certificate chain a UCP or DTR endpoint presents
//! (`ucp/tls-chain.pem`, `dtr/tls-chain.pem`, UCP's `ucp/ca.pem`), judged as DISA's check text
//! asks ("verify the certificate chain in the output is valid and matches that of the trusted
//! CA"): one item per document, with the leaf's subject, issuer, SHA-256 and dates, whether it is
//! self-signed, and whether the chain verifies — signatures, validity dates, server-auth usage —
//! up to one of the SSP's trusted CAs (`--trusted-ca`), naming that CA.
//!
//! Without `--trusted-ca` the `trusted` field is `not collected`, so a state on it is `error`:
//! a chain cannot be said to match a trusted CA nobody named.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::host::{ChainUsage, TrustedCas};
use crate::model::oval::{Datatype, Family, Item, ItemField, ItemStatus, ItemValue, Operation, TypeName};
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

use super::read::failure;

pub struct CertificateProbe;

impl Probe for CertificateProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "certificate_object")
    }

    fn needs(&self) -> Needs {
        Needs::Engine
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(engine) = ctx.target.engine() else {
            return Collected::not_collected("no engine source");
        };
        let Some(entity) = object.entity("document") else {
            return Collected::error("certificate_object without a `document` entity");
        };
        if entity.operation != Operation::Equals || entity.values.len() != 1 {
            return Collected::error(
                "certificate_object `document` must be one value compared with `equals`",
            );
        }
        let path = entity.values[0].as_str();
        let document = match engine.fetch(path) {
            Ok(d) => d,
            Err(e) => return failure(path, &e),
        };
        let now = UnixTime::now();
        let kind = item_type(object.kind);
        let mut collected = match judge(kind, path, &document.body, ctx.target.trusted_cas(), now) {
            Ok(item) => Collected::from_items(vec![item]),
            Err(why) => Collected::error(format!("`{}`: {why}", document.origin)),
        };
        if ctx.target.trusted_cas().is_none() {
            collected.messages.push(crate::diag::Diagnostic::note(format!(
                "`{path}`: no trusted CAs given (--trusted-ca PEM): whether the chain leads to the SSP's CA \
                 cannot be decided"
            )));
        }
        collected.evidence.push((document.origin, document.sha256));
        collected
    }
}

/// One certificate's facts, as the evidence names them.
struct Facts {
    subject: String,
    issuer: String,
    not_before: i64,
    not_after: i64,
    sha256: String,
}

fn facts(der: &[u8]) -> Result<Facts, String> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    Ok(Facts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        sha256: crate::host::engine::sha256_hex(der),
    })
}

fn utc(seconds: i64) -> String {
    crate::clock::format_utc(u64::try_from(seconds).unwrap_or(0))
}

/// The item for a PEM chain (leaf first), judged against `trusted` at `now`.
fn judge(
    kind: TypeName,
    path: &str,
    pem: &[u8],
    trusted: Option<&TrustedCas>,
    now: UnixTime,
) -> Result<Item, String> {
    let mut chain = Vec::new();
    for (index, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        chain.push(cert.map_err(|e| format!("certificate {} is not valid PEM: {e}", index + 1))?);
    }
    let Some(leaf) = chain.first() else {
        return Err("no PEM certificate in the document".to_string());
    };
    let leaf_facts = facts(leaf.as_ref())?;
    let mut item = Item::new(kind);
    item.push("document", Datatype::String, path);
    item.push("certificates", Datatype::Int, chain.len().to_string());
    item.push("subject", Datatype::String, leaf_facts.subject.clone());
    item.push("issuer", Datatype::String, leaf_facts.issuer.clone());
    item.push("sha256", Datatype::String, leaf_facts.sha256.clone());
    item.push("not_before", Datatype::String, utc(leaf_facts.not_before));
    item.push("not_after", Datatype::String, utc(leaf_facts.not_after));
    let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let expired = seconds > leaf_facts.not_after || seconds < leaf_facts.not_before;
    item.push("expired", Datatype::Boolean, expired.to_string());
    item.push("self_signed", Datatype::Boolean, (leaf_facts.subject == leaf_facts.issuer).to_string());
    for cert in &chain {
        let f = facts(cert.as_ref())?;
        item.push(
            "chain",
            Datatype::String,
            format!(
                "subject={}; issuer={}; not_after={}; sha256={}",
                f.subject,
                f.issuer,
                utc(f.not_after),
                f.sha256
            ),
        );
    }
    match trusted {
        None => item.fields.push(ItemField {
            name: "trusted".into(),
            datatype: Datatype::Boolean,
            status: ItemStatus::NotCollected,
            value: ItemValue::Nil,
        }),
        Some(cas) => match cas.verify_chain(&chain, now, ChainUsage::ServerAuth) {
            Ok(anchor) => {
                item.push("trusted", Datatype::Boolean, "true");
                item.push("trusted_by", Datatype::String, anchor);
            }
            Err(why) => {
                item.push("trusted", Datatype::Boolean, "false");
                item.push("untrusted_because", Datatype::String, why);
            }
        },
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind() -> TypeName {
        TypeName {
            family: Family::Docker,
            namespace: "http://stigrun.io/XMLSchema/oval-system-characteristics-5#docker".into(),
            name: "certificate_item".into(),
        }
    }

    #[test]
    fn garbage_is_an_error_not_an_absence() {
        assert!(judge(kind(), "ucp/tls-chain.pem", b"no certificates here", None, UnixTime::now()).is_err());
        let bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(judge(kind(), "ucp/tls-chain.pem", bad, None, UnixTime::now()).is_err());
    }
}
