//! The `<system_info>` block of system characteristics: OS name and version, architecture,
//! host name and network interfaces of the scanned system.
//!
//! As OpenSCAP does with `OSCAP_PROBE_ROOT`: for a mounted root, the OS comes from the root's
//! `os-release`, the host name from its `/etc/hostname`, the architecture is `Unknown` and
//! there are no interfaces (nothing runs there); for `/` they come from the running system.

use crate::host::Root;

use crate::probes::unix::interface::{hardware_address, host_addresses};
use crate::probes::unix::uname::kernel_identity;

/// What oscap writes for a value it cannot find.
pub const UNKNOWN: &str = "Unknown";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SystemInfo {
    pub os_name: String,
    pub os_version: String,
    pub architecture: String,
    pub primary_host_name: String,
    pub interfaces: Vec<InterfaceAddress>,
}

/// One `<interface>`: an interface name with one of its IP addresses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InterfaceAddress {
    pub interface_name: String,
    pub ip_address: String,
    /// Upper-case, colon-separated, as oscap prints it.
    pub mac_address: String,
}

/// Gather the system information of `root`.
pub fn collect_system_info(root: &Root) -> SystemInfo {
    let os_release = read_os_release(root);
    let field = |key: &str| {
        os_release.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_else(|| UNKNOWN.into())
    };
    let (os_name, os_version) = (field("NAME"), field("VERSION"));
    if root.is_host_root() {
        let kernel = kernel_identity();
        SystemInfo {
            os_name,
            os_version,
            architecture: kernel.as_ref().map_or_else(|| UNKNOWN.into(), |k| k.machine_class.clone()),
            primary_host_name: kernel.map_or_else(|| UNKNOWN.into(), |k| k.node_name),
            interfaces: host_interfaces(root),
        }
    } else {
        let host_name = root
            .read_to_string("/etc/hostname")
            .ok()
            .and_then(|(text, _)| text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string))
            .unwrap_or_else(|| UNKNOWN.into());
        SystemInfo {
            os_name,
            os_version,
            architecture: UNKNOWN.into(),
            primary_host_name: host_name,
            interfaces: Vec::new(),
        }
    }
}

/// `os-release` key/value pairs: `/etc/os-release`, else `/usr/lib/os-release` (os-release(5)).
fn read_os_release(root: &Root) -> Vec<(String, String)> {
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| root.read_to_string(p).ok())
        .map(|(text, _)| parse_os_release(&text))
        .unwrap_or_default()
}

/// Shell-like `KEY=value` lines; values may be single- or double-quoted (os-release(5)).
pub fn parse_os_release(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else { continue };
        pairs.push((key.trim().to_string(), unquote(raw.trim())));
    }
    pairs
}

fn unquote(raw: &str) -> String {
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && (bytes[0] == b'"' || bytes[0] == b'\'') && bytes[bytes.len() - 1] == bytes[0] {
        let inner = &raw[1..raw.len() - 1];
        if bytes[0] == b'\'' {
            return inner.to_string();
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    raw.to_string()
}

/// Every IPv4/IPv6 address of the running system's interfaces, in `getifaddrs` order.
fn host_interfaces(root: &Root) -> Vec<InterfaceAddress> {
    host_addresses()
        .into_iter()
        .map(|e| InterfaceAddress {
            mac_address: hardware_address(root, &e.name),
            interface_name: e.name,
            ip_address: e.address.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn mounted_root_uses_its_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(
            dir.path().join("etc/os-release"),
            "# comment\nNAME=\"Ubuntu\"\nVERSION=\"22.04.3 LTS (Jammy \\\"J\\\")\"\nID=ubuntu\n",
        )
        .unwrap();
        fs::write(dir.path().join("etc/hostname"), "\nguest1\n").unwrap();
        let info = collect_system_info(&Root::new(dir.path()).unwrap());
        assert_eq!(info.os_name, "Ubuntu");
        assert_eq!(info.os_version, "22.04.3 LTS (Jammy \"J\")");
        assert_eq!(info.primary_host_name, "guest1");
        assert_eq!(info.architecture, UNKNOWN);
        assert!(info.interfaces.is_empty());
    }

    #[test]
    fn missing_files_give_unknown_and_usr_lib_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let info = collect_system_info(&Root::new(dir.path()).unwrap());
        assert_eq!((info.os_name.as_str(), info.primary_host_name.as_str()), (UNKNOWN, UNKNOWN));
        fs::create_dir_all(dir.path().join("usr/lib")).unwrap();
        fs::write(dir.path().join("usr/lib/os-release"), "NAME='Debian GNU/Linux'\n").unwrap();
        assert_eq!(collect_system_info(&Root::new(dir.path()).unwrap()).os_name, "Debian GNU/Linux");
    }

    #[test]
    fn host_root_reports_kernel_architecture_and_loopback() {
        let info = collect_system_info(&Root::new("/").unwrap());
        assert_eq!(info.architecture, std::env::consts::ARCH);
        let lo: Vec<_> = info.interfaces.iter().filter(|i| i.interface_name == "lo").collect();
        if !lo.is_empty() {
            assert!(lo.iter().any(|i| i.ip_address == "127.0.0.1" || i.ip_address == "::1"));
        }
    }
}
