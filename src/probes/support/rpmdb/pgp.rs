//! The signer's key id of an OpenPGP signature packet (RFC 4880 §5.2; RFC 9580 for the v6
//! issuer fingerprint), as rpm stores it in a header's signature tags.
//!
//! Only the packet framing and the subpacket areas are read; the signature is not verified.

/// The 64-bit key id, lowercase hex (as `rpm -q --qf '%{RSAHEADER:pgpsig}'` prints it), or
/// `None` when `packet` is no signature packet or names no issuer.
pub fn signer_key_id(packet: &[u8]) -> Option<String> {
    let body = signature_body(packet)?;
    match *body.first()? {
        // v3: version, hashed length (5), type, time (4), then the key id.
        3 => body.get(7..15).map(hex::encode),
        4..=6 => v4_issuer(body),
        _ => None,
    }
}

/// The body of the first packet if it is a signature packet (tag 2).
fn signature_body(p: &[u8]) -> Option<&[u8]> {
    let first = *p.first()?;
    if first & 0x80 == 0 {
        return None;
    }
    let (tag, len, start) = if first & 0x40 != 0 {
        let (len, used) = new_length(p.get(1..)?)?;
        (first & 0x3f, len, 1 + used)
    } else {
        let tag = (first >> 2) & 0x0f;
        match first & 3 {
            0 => (tag, usize::from(*p.get(1)?), 2),
            1 => (tag, usize::from(u16::from_be_bytes([*p.get(1)?, *p.get(2)?])), 3),
            2 => (tag, u32::from_be_bytes(p.get(1..5)?.try_into().ok()?) as usize, 5),
            // Indeterminate length: the rest of the blob.
            _ => (tag, p.len().saturating_sub(1), 1),
        }
    };
    if tag != 2 {
        return None;
    }
    p.get(start..start.checked_add(len)?)
}

/// A new-format length (RFC 4880 §4.2.2; partial lengths are not used for signatures).
fn new_length(b: &[u8]) -> Option<(usize, usize)> {
    let o1 = usize::from(*b.first()?);
    match o1 {
        0..=191 => Some((o1, 1)),
        192..=223 => Some((((o1 - 192) << 8) + usize::from(*b.get(1)?) + 192, 2)),
        255 => Some((u32::from_be_bytes(b.get(1..5)?.try_into().ok()?) as usize, 5)),
        _ => None,
    }
}

/// The issuer of a v4+ signature: subpacket 16 (issuer key id) or 33 (issuer fingerprint, whose
/// low 8 bytes are a v4 key's id), hashed area first. v6 areas have 4-byte lengths.
fn v4_issuer(body: &[u8]) -> Option<String> {
    let version = body[0];
    let wide = version >= 6;
    let mut at = 4;
    let mut from_fingerprint = None;
    for _area in 0..2 {
        let (len, used) = if wide {
            (u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?) as usize, 4)
        } else {
            (usize::from(u16::from_be_bytes(body.get(at..at + 2)?.try_into().ok()?)), 2)
        };
        at += used;
        let area = body.get(at..at.checked_add(len)?)?;
        at += len;
        let mut sub = area;
        while !sub.is_empty() {
            let (len, used) = new_length(sub)?;
            let packet = sub.get(used..used.checked_add(len)?)?;
            sub = &sub[used + len..];
            let (&kind, data) = packet.split_first()?;
            match kind & 0x7f {
                16 if data.len() == 8 => return Some(hex::encode(data)),
                33 if version == 4 && data.len() == 21 => from_fingerprint = Some(hex::encode(&data[13..])),
                33 if data.len() > 8 && from_fingerprint.is_none() => {
                    from_fingerprint = Some(hex::encode(&data[1..9]));
                }
                _ => {}
            }
        }
    }
    from_fingerprint
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v4 signature with an issuer fingerprint (hashed) and an issuer key id (unhashed), as
    /// gpg writes them.
    fn v4(hashed: &[u8], unhashed: &[u8]) -> Vec<u8> {
        let mut body = vec![4, 0, 1, 10];
        body.extend((hashed.len() as u16).to_be_bytes());
        body.extend(hashed);
        body.extend((unhashed.len() as u16).to_be_bytes());
        body.extend(unhashed);
        body.extend([0xab, 0xcd, 0, 1, 0]);
        // Old-format packet, tag 2, two-byte length.
        let mut p = vec![0x89];
        p.extend((body.len() as u16).to_be_bytes());
        p.extend(body);
        p
    }

    #[test]
    fn the_issuer_subpacket_gives_the_key_id() {
        let issuer = [9, 16, 0x66, 0x08, 0xdd, 0x4c, 0x28, 0x8c, 0xc6, 0x92];
        assert_eq!(signer_key_id(&v4(&[5, 2, 0, 0, 0, 1], &issuer)).as_deref(), Some("6608dd4c288cc692"));
    }

    #[test]
    fn a_v4_fingerprint_alone_gives_its_low_eight_bytes() {
        let mut fp = vec![22, 33, 4];
        fp.extend([0u8; 12]);
        fp.extend([0x66, 0x08, 0xdd, 0x4c, 0x28, 0x8c, 0xc6, 0x92]);
        assert_eq!(signer_key_id(&v4(&fp, &[])).as_deref(), Some("6608dd4c288cc692"));
    }

    #[test]
    fn v3_signatures_carry_the_key_id_in_place() {
        let mut body = vec![3, 5, 0, 0, 0, 0, 1];
        body.extend([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 0xab, 0xcd]);
        let mut p = vec![0x88, body.len() as u8];
        p.extend(body);
        assert_eq!(signer_key_id(&p).as_deref(), Some("0102030405060708"));
    }

    #[test]
    fn garbage_and_truncations_give_none() {
        assert_eq!(signer_key_id(&[]), None);
        assert_eq!(signer_key_id(&[0x00, 1, 2]), None);
        // A public-key packet (tag 6), not a signature.
        assert_eq!(signer_key_id(&[0x99, 0, 1, 4]), None);
        let issuer = [9, 16, 1, 2, 3, 4, 5, 6, 7, 8];
        let full = v4(&[], &issuer);
        for len in 0..full.len() {
            assert_eq!(signer_key_id(&full[..len]), None, "{len}");
        }
        // A subpacket length running past its area.
        assert_eq!(signer_key_id(&v4(&[], &[200, 16, 1])), None);
    }
}
