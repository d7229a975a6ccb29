//! How the assessor names the scanned asset in checklists and eMASS (role, marking, technology
//! area, web/database fields): what a `--root` scan of an image or a node's /host cannot guess.
//! Host name, addresses and FQDN given by the assessor replace the detected ones in
//! [`crate::results::document::TargetFacts`] itself.

use serde::{Deserialize, Serialize};

/// The checklist fields of an asset beyond its network identity. Empty fields are left out of the
/// results file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// STIG Viewer's role: `None`, `Workstation`, `Member Server`, `Domain Controller`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `Computing` or `Non-Computing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_type: Option<String>,
    /// The classification marking of the checklist (`CUI`, `UNCLASSIFIED`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    /// STIG Viewer's technology area (`UNIX OS`, `Other Review`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech_area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_db_site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_db_instance: Option<String>,
    /// Free text about the target (STIG Viewer's target comment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Asset {
    pub fn is_empty(&self) -> bool {
        *self == Asset::default()
    }

    /// A web or database STIG asset: it names a site or an instance.
    pub fn is_web_or_database(&self) -> bool {
        self.web_db_site.is_some() || self.web_db_instance.is_some()
    }
}

/// STIG Viewer's roles (DISA's checklist schema enumerates them).
pub const ROLES: [&str; 4] = ["None", "Workstation", "Member Server", "Domain Controller"];
pub const ASSET_TYPES: [&str; 2] = ["Computing", "Non-Computing"];
/// STIG Viewer's technology areas (DISA's checklist schema enumerates them).
pub const TECH_AREAS: [&str; 17] = [
    "Application Review",
    "Boundary Security",
    "CDS Admin Review",
    "CDS Technical Review",
    "Database Review",
    "Domain Name System (DNS)",
    "Exchange Server",
    "Host Based System Security (HBSS)",
    "Internal Network",
    "Mobility",
    "Releasable Networks (REL)",
    "Traditional Security",
    "UNIX OS",
    "VVOIP Review",
    "Web Review",
    "Windows OS",
    "Other Review",
];
