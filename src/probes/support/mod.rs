//! Helpers shared by probes that are not probes themselves.

pub mod entity_filter;
pub mod fileset;
pub mod system_info;
pub mod systemd_units;
pub mod xpath;
