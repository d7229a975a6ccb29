//! Helpers shared by probes that are not probes themselves.

pub mod dockerd;
pub mod entity_filter;
pub mod fileset;
pub mod rpmdb;
pub mod running_system;
pub mod sockets;
pub mod system_info;
pub mod systemd_units;
pub mod xinetd_conf;
pub mod xpath;
