//! XCCDF 1.1 ids in the form XCCDF 1.2 results need: the 1.2 schema requires
//! `xccdf_<reverse-DNS namespace>_<kind>_<name>` for Benchmark, Profile, Group, Rule and Value ids.
//!
//! DISA's content gets DISA's own 1.2 form (`xccdf_mil.disa.stig_rule_SV-…_rule`), which STIG
//! Viewer, eMASS and SCC results know. Other 1.1 content gets `xccdf_io.stigrun.xccdf11_<kind>_<name>`
//! where `<name>` is the 1.1 id itself when it holds only what an NCName id usually holds (ASCII
//! letters, digits, `.`, `-`, `_`), so [`xccdf11_id`] gives the original back one to one. This is
//! the shape OpenSCAP's `xccdf_1.1_to_1.2.xsl` gives (`xccdf_<reverse_DNS>_<kind>_<old id>`, the
//! namespace left to the user); stigrun fixes the namespace so a reader knows the name is a 1.1 id.
//!
//! Anything else (a colon, a space, non-ASCII, from content that is not schema-valid) is written
//! `_x<HEX>_` (its code point, upper-case hex), and a `_` that would start such a sequence
//! (`_x` followed by an upper-case hex digit) is escaped the same way, so decoding is unambiguous.

use std::borrow::Cow;

/// DISA's namespace in its XCCDF 1.2 content.
pub const DISA_NAMESPACE: &str = "mil.disa.stig";
/// stigrun's namespace for the XCCDF 1.2 form of other content's XCCDF 1.1 ids.
pub const XCCDF11_NAMESPACE: &str = "io.stigrun.xccdf11";

/// Which 1.2 form a benchmark's 1.1 ids take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdForm {
    /// DISA's content: `xccdf_mil.disa.stig_<kind>_<id>`.
    Disa,
    /// Anyone else's: `xccdf_io.stigrun.xccdf11_<kind>_<escaped id>`, reversible.
    OneToOne,
}

/// The XCCDF 1.2 id for item `id` of `kind` (`benchmark`, `profile`, `group`, `rule`, `value`).
/// Ids already in the 1.2 form for their kind are kept.
pub fn xccdf12_id(kind: &str, id: &str, form: IdForm) -> String {
    match form {
        IdForm::Disa if id.starts_with("xccdf_") => ncname(id).into_owned(),
        IdForm::Disa => format!("xccdf_{DISA_NAMESPACE}_{kind}_{}", ncname(id)),
        // A 1.1 id in stigrun's own namespace is mapped too, so that reading back stays one to one.
        IdForm::OneToOne if is_xccdf12_form(kind, id) && xccdf11_id(kind, id).is_none() => id.to_string(),
        IdForm::OneToOne => format!("{}{}", prefix(kind), escape(id)),
    }
}

/// The XCCDF 1.1 id a [`IdForm::OneToOne`] id was made from; `None` for any other id.
pub fn xccdf11_id(kind: &str, id: &str) -> Option<String> {
    unescape(id.strip_prefix(&prefix(kind))?)
}

fn prefix(kind: &str) -> String {
    format!("xccdf_{XCCDF11_NAMESPACE}_{kind}_")
}

/// `xccdf_<namespace without _>_<kind>_<name>` with a name of NCName characters.
fn is_xccdf12_form(kind: &str, id: &str) -> bool {
    let Some((namespace, name)) = id.strip_prefix("xccdf_").and_then(|rest| rest.split_once('_')) else {
        return false;
    };
    let Some(name) = name.strip_prefix(kind).and_then(|n| n.strip_prefix('_')) else { return false };
    !namespace.is_empty() && !name.is_empty() && id.chars().all(plain)
}

fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn is_hex(c: char) -> bool {
    c.is_ascii_digit() || ('A'..='F').contains(&c)
}

fn escape(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::with_capacity(id.len());
    for (i, &c) in chars.iter().enumerate() {
        let starts_escape =
            c == '_' && chars.get(i + 1) == Some(&'x') && chars.get(i + 2).is_some_and(|&h| is_hex(h));
        if plain(c) && !starts_escape {
            out.push(c);
        } else {
            out.push_str(&format!("_x{:X}_", u32::from(c)));
        }
    }
    out
}

fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        let escaped = rest.strip_prefix("_x").and_then(|after| {
            let digits = after.find(|h: char| !is_hex(h))?;
            let hex = &after[..digits];
            (!hex.is_empty() && hex.len() <= 6 && after[digits..].starts_with('_')).then_some(hex)
        });
        match escaped {
            Some(hex) => {
                out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                rest = &rest[2 + hex.len() + 1..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Some(out)
}

/// Replace what an NCName cannot hold (so a hand-made id never makes the document invalid).
pub fn ncname(id: &str) -> Cow<'_, str> {
    let ok = |i: usize, c: char| {
        c.is_alphabetic() || c == '_' || (i > 0 && (c.is_alphanumeric() || matches!(c, '-' | '.')))
    };
    if !id.is_empty() && id.chars().enumerate().all(|(i, c)| ok(i, c)) {
        return Cow::Borrowed(id);
    }
    let out: String = id.chars().enumerate().map(|(i, c)| if ok(i, c) { c } else { '_' }).collect();
    Cow::Owned(if out.is_empty() { "_".to_string() } else { out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_one_ids_round_trip() {
        let awkward = [
            "rule.ssh-root_login",
            "a:b c",
            "_x41_",
            "_xA",
            "_xA:",
            "x_",
            "_",
            "__x",
            "_x_x3A_",
            "näme",
            "tab\there",
            "emoji😀",
            "xccdf_io.stigrun.xccdf11_rule_a",
            "xccdf_org.example_group_a",
        ];
        for id in awkward {
            for kind in ["benchmark", "profile", "group", "rule", "value"] {
                let mapped = xccdf12_id(kind, id, IdForm::OneToOne);
                assert!(is_xccdf12_form(kind, &mapped), "{id} → {mapped} is not a 1.2 {kind} id");
                let back = xccdf11_id(kind, &mapped).unwrap_or_else(|| mapped.clone());
                assert_eq!(back, id, "{kind} {id} → {mapped}");
            }
        }
    }

    #[test]
    fn plain_ids_are_kept_after_the_prefix() {
        assert_eq!(
            xccdf12_id("rule", "rule.ssh-root_login", IdForm::OneToOne),
            "xccdf_io.stigrun.xccdf11_rule_rule.ssh-root_login"
        );
        assert_eq!(xccdf12_id("value", "a:b", IdForm::OneToOne), "xccdf_io.stigrun.xccdf11_value_a_x3A_b");
        // Upper-case hex after `_x` would read as an escape: its `_` is escaped; lower-case is not.
        assert_eq!(xccdf12_id("rule", "_xA", IdForm::OneToOne), "xccdf_io.stigrun.xccdf11_rule__x5F_xA");
        assert_eq!(xccdf12_id("rule", "a_xyz", IdForm::OneToOne), "xccdf_io.stigrun.xccdf11_rule_a_xyz");
        // Already 1.2 ids (another namespace, the right kind) are kept; a wrong kind is mapped.
        assert_eq!(xccdf12_id("rule", "xccdf_org.x_rule_a", IdForm::OneToOne), "xccdf_org.x_rule_a");
        assert_eq!(
            xccdf12_id("profile", "xccdf_org.x_rule_a", IdForm::OneToOne),
            "xccdf_io.stigrun.xccdf11_profile_xccdf_org.x_rule_a"
        );
        assert_eq!(xccdf11_id("rule", "xccdf_org.x_rule_a"), None);
        assert_eq!(xccdf11_id("rule", "xccdf_io.stigrun.xccdf11_rule_a_x110000_"), None, "not a char");
    }

    #[test]
    fn disa_ids_get_disas_form_and_1_2_ids_are_kept() {
        assert_eq!(
            xccdf12_id("rule", "SV-235833r961395_rule", IdForm::Disa),
            "xccdf_mil.disa.stig_rule_SV-235833r961395_rule"
        );
        assert_eq!(
            xccdf12_id("rule", "xccdf_org.ssgproject.content_rule_a", IdForm::Disa),
            "xccdf_org.ssgproject.content_rule_a"
        );
        assert_eq!(
            xccdf12_id("profile", "MAC-1_Classified", IdForm::Disa),
            "xccdf_mil.disa.stig_profile_MAC-1_Classified"
        );
        assert_eq!(ncname("SV-235833r961395_rule"), "SV-235833r961395_rule");
        assert_eq!(ncname("1bad id"), "_bad_id");
        assert_eq!(ncname(""), "_");
    }
}
