//! The asset identity an assessor gives (`--hostname`, `--ip`, `--mac`, `--fqdn`, `--role`,
//! `--marking`, or the same keys in a TOML target file), checked and laid over the facts a scan
//! found. A `--root` scan of an image or of a node's /host cannot guess these, and every report
//! (ARF, XCCDF, HTML, checklists, HDF, eMASS) must name the asset the assessor means.
//!
//! ```toml
//! hostname = "node-3"
//! fqdn = "node-3.cluster.example.mil"
//! ip = ["10.1.2.3"]
//! mac = ["02:42:ac:11:00:02"]
//! role = "Member Server"          # None, Workstation, Member Server, Domain Controller
//! marking = "CUI"
//! tech_area = "UNIX OS"           # optional; STIG Viewer's technology areas
//! asset_type = "Computing"        # optional; or Non-Computing
//! web_db_site = ""                # optional, web or database STIGs
//! web_db_instance = ""
//! comment = "Docker EE worker"
//! ```

use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;

use crate::results::asset::{ASSET_TYPES, ROLES, TECH_AREAS};
use crate::results::document::TargetFacts;

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("cannot read target file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{origin}: `{field}` is `{value}`; expected {expected}")]
    Invalid { origin: String, field: &'static str, value: String, expected: String },
}

/// What the assessor says about the asset; unset fields keep what the scan found.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetIdentity {
    pub hostname: Option<String>,
    pub fqdn: Option<String>,
    #[serde(default)]
    pub ip: Vec<String>,
    #[serde(default)]
    pub mac: Vec<String>,
    pub role: Option<String>,
    pub marking: Option<String>,
    pub asset_type: Option<String>,
    pub tech_area: Option<String>,
    pub web_db_site: Option<String>,
    pub web_db_instance: Option<String>,
    pub comment: Option<String>,
}

impl AssetIdentity {
    /// Read a TOML target file.
    pub fn load(path: &Path) -> Result<AssetIdentity, AssetError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| AssetError::Read { path: shown.clone(), source })?;
        let identity: AssetIdentity = toml::from_str(&text).map_err(|e| AssetError::Parse {
            path: shown.clone(),
            message: e.to_string().trim().to_string(),
        })?;
        identity.checked(&shown)
    }

    /// `self` (the command line) over `file`: a field given on the command line wins.
    pub fn over(self, file: AssetIdentity) -> AssetIdentity {
        AssetIdentity {
            hostname: self.hostname.or(file.hostname),
            fqdn: self.fqdn.or(file.fqdn),
            ip: if self.ip.is_empty() { file.ip } else { self.ip },
            mac: if self.mac.is_empty() { file.mac } else { self.mac },
            role: self.role.or(file.role),
            marking: self.marking.or(file.marking),
            asset_type: self.asset_type.or(file.asset_type),
            tech_area: self.tech_area.or(file.tech_area),
            web_db_site: self.web_db_site.or(file.web_db_site),
            web_db_instance: self.web_db_instance.or(file.web_db_instance),
            comment: self.comment.or(file.comment),
        }
    }

    /// Check the values against what checklists accept, spelling enumerations as STIG Viewer does
    /// (`member server` → `Member Server`). `origin` names the file or `the command line`.
    pub fn checked(mut self, origin: &str) -> Result<AssetIdentity, AssetError> {
        let invalid = |field: &'static str, value: &str, expected: String| AssetError::Invalid {
            origin: origin.to_string(),
            field,
            value: value.to_string(),
            expected,
        };
        let pick = |field: &'static str, value: &mut Option<String>, allowed: &[&str]| {
            if let Some(v) = value.as_deref() {
                let found = allowed.iter().find(|a| a.eq_ignore_ascii_case(v.trim()));
                match found {
                    Some(a) => *value = Some(a.to_string()),
                    None => return Err(invalid(field, v, format!("one of: {}", allowed.join(", ")))),
                }
            }
            Ok(())
        };
        pick("role", &mut self.role, &ROLES)?;
        pick("asset_type", &mut self.asset_type, &ASSET_TYPES)?;
        pick("tech_area", &mut self.tech_area, &TECH_AREAS)?;
        for ip in &mut self.ip {
            let parsed: IpAddr =
                ip.trim().parse().map_err(|_| invalid("ip", ip, "an IPv4 or IPv6 address".to_string()))?;
            *ip = parsed.to_string();
        }
        for mac in &mut self.mac {
            let parts: Vec<&str> = mac.trim().split([':', '-']).collect();
            if parts.len() != 6
                || !parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(invalid("mac", mac, "six hexadecimal pairs (02:42:ac:11:00:02)".to_string()));
            }
            *mac = parts.join(":").to_ascii_lowercase();
        }
        for (field, value) in [("hostname", &self.hostname), ("fqdn", &self.fqdn)] {
            if let Some(v) = value
                && (v.trim().is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()))
            {
                return Err(invalid(field, v, "a name without spaces".to_string()));
            }
        }
        Ok(self)
    }

    /// Lay the identity over the facts a scan (or an imported results file) found.
    pub fn apply(&self, facts: &mut TargetFacts) {
        if let Some(h) = &self.hostname {
            facts.hostname = h.clone();
        }
        if let Some(f) = &self.fqdn {
            facts.fqdn = Some(f.clone());
        }
        if !self.ip.is_empty() {
            let (v6, v4): (Vec<String>, Vec<String>) =
                self.ip.iter().cloned().partition(|ip| ip.contains(':'));
            facts.ipv4 = v4;
            facts.ipv6 = v6;
        }
        if !self.mac.is_empty() {
            facts.mac = self.mac.clone();
        }
        let asset = &mut facts.asset;
        let set = |slot: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                *slot = value.clone();
            }
        };
        set(&mut asset.role, &self.role);
        set(&mut asset.marking, &self.marking);
        set(&mut asset.asset_type, &self.asset_type);
        set(&mut asset.tech_area, &self.tech_area);
        set(&mut asset.web_db_site, &self.web_db_site);
        set(&mut asset.web_db_instance, &self.web_db_instance);
        set(&mut asset.comment, &self.comment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_wins_over_the_file_and_values_are_normalised() {
        let file: AssetIdentity = toml::from_str(
            "hostname = \"from-file\"\nrole = \"member server\"\nmarking = \"CUI\"\nip = [\"10.0.0.1\"]\n",
        )
        .unwrap();
        let cli = AssetIdentity {
            hostname: Some("node-3".into()),
            mac: vec!["02-42-AC-11-00-02".into()],
            ..AssetIdentity::default()
        };
        let identity = cli.over(file).checked("t.toml").unwrap();
        let mut facts = TargetFacts { hostname: "unknown".into(), ..TargetFacts::default() };
        identity.apply(&mut facts);
        assert_eq!(facts.hostname, "node-3");
        assert_eq!(facts.ipv4, ["10.0.0.1"]);
        assert_eq!(facts.mac, ["02:42:ac:11:00:02"]);
        assert_eq!(facts.asset.role.as_deref(), Some("Member Server"));
        assert_eq!(facts.asset.marking.as_deref(), Some("CUI"));
    }

    #[test]
    fn bad_values_name_the_field_and_what_was_expected() {
        let bad = AssetIdentity { role: Some("Server".into()), ..AssetIdentity::default() };
        let e = bad.checked("t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml: `role` is `Server`; expected one of: None, Workstation"), "{e}");
        let bad = AssetIdentity { ip: vec!["10.0.0".into()], ..AssetIdentity::default() };
        assert!(bad.checked("x").unwrap_err().to_string().contains("IPv4 or IPv6"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "hostname = \"a\"\nowner = \"b\"\n").unwrap();
        let e = AssetIdentity::load(&path).unwrap_err().to_string();
        assert!(e.contains("unknown field `owner`"), "{e}");
    }
}
