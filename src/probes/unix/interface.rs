//! `unix:interface_object`: network interfaces of the running system, one item per IPv4 or
//! IPv6 address (as OpenSCAP reports them, from `getifaddrs`).
//!
//! Interfaces exist only on a running system: for `/` they come from the kernel; for a
//! mounted root the object is `not applicable`, as OpenSCAP reports it under
//! `OSCAP_PROBE_ROOT`.

use std::ffi::CStr;
use std::net::IpAddr;

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item};

use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

/// One `getifaddrs` entry with an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceAddressEntry {
    pub name: String,
    pub flags: u32,
    pub address: IpAddr,
    pub netmask: Option<IpAddr>,
    pub broadcast: Option<IpAddr>,
}

/// Every IPv4/IPv6 address of the running system's interfaces, in `getifaddrs` order.
pub fn host_addresses() -> Vec<InterfaceAddressEntry> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list we walk read-only and free with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cursor = head;
    while !cursor.is_null() {
        // SAFETY: `cursor` is a node of the list getifaddrs returned and not yet freed.
        let entry = unsafe { &*cursor };
        cursor = entry.ifa_next;
        if entry.ifa_addr.is_null() || entry.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_addr points to a sockaddr whose family says which struct it is.
        let Some(address) = (unsafe { socket_ip(entry.ifa_addr) }) else { continue };
        // SAFETY: as above; both may be null, which socket_ip handles.
        let netmask = unsafe { socket_ip(entry.ifa_netmask) };
        let broadcast = if entry.ifa_flags & libc::IFF_BROADCAST as u32 != 0 {
            // SAFETY: with IFF_BROADCAST the union holds the broadcast address (or null).
            unsafe { socket_ip(entry.ifa_ifu) }
        } else {
            None
        };
        // SAFETY: ifa_name is a NUL-terminated interface name.
        let name = unsafe { CStr::from_ptr(entry.ifa_name) }.to_string_lossy().into_owned();
        out.push(InterfaceAddressEntry { name, flags: entry.ifa_flags, address, netmask, broadcast });
    }
    // SAFETY: `head` came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// # Safety
/// `addr` must be null or point to a valid sockaddr of the size its family implies.
unsafe fn socket_ip(addr: *const libc::sockaddr) -> Option<IpAddr> {
    if addr.is_null() {
        return None;
    }
    // SAFETY: guaranteed by the caller.
    unsafe {
        match i32::from((*addr).sa_family) {
            libc::AF_INET => {
                let v4 = &*(addr as *const libc::sockaddr_in);
                Some(IpAddr::from(v4.sin_addr.s_addr.to_ne_bytes()))
            }
            libc::AF_INET6 => {
                let v6 = &*(addr as *const libc::sockaddr_in6);
                Some(IpAddr::from(v6.sin6_addr.s6_addr))
            }
            _ => None,
        }
    }
}

/// The MAC address as oscap prints it (upper case), from sysfs; all zeros when absent.
pub fn hardware_address(root: &Root, name: &str) -> String {
    root.read_to_string(&format!("/sys/class/net/{name}/address"))
        .map(|(t, _)| t.trim().to_uppercase())
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "00:00:00:00:00:00".into())
}

/// OVAL InterfaceType for a sysfs `type` (ARPHRD_* number); empty for types OVAL does not name.
fn interface_type(root: &Root, name: &str) -> &'static str {
    let number = root
        .read_to_string(&format!("/sys/class/net/{name}/type"))
        .ok()
        .and_then(|(t, _)| t.trim().parse::<u32>().ok());
    match number {
        Some(1) => "ARPHRD_ETHER",
        Some(774) => "ARPHRD_FDDI",
        Some(772) => "ARPHRD_LOOPBACK",
        Some(512) => "ARPHRD_PPP",
        Some(4) => "ARPHRD_PRONET",
        Some(256) => "ARPHRD_SLIP",
        Some(0xFFFF) => "ARPHRD_VOID",
        _ => "",
    }
}

/// Flag names in `net/if.h` order.
fn flag_names(flags: u32) -> Vec<&'static str> {
    const NAMES: &[(libc::c_int, &str)] = &[
        (libc::IFF_UP, "UP"),
        (libc::IFF_BROADCAST, "BROADCAST"),
        (libc::IFF_DEBUG, "DEBUG"),
        (libc::IFF_LOOPBACK, "LOOPBACK"),
        (libc::IFF_POINTOPOINT, "POINTOPOINT"),
        (libc::IFF_NOTRAILERS, "NOTRAILERS"),
        (libc::IFF_RUNNING, "RUNNING"),
        (libc::IFF_NOARP, "NOARP"),
        (libc::IFF_PROMISC, "PROMISC"),
        (libc::IFF_ALLMULTI, "ALLMULTI"),
        (libc::IFF_MASTER, "MASTER"),
        (libc::IFF_SLAVE, "SLAVE"),
        (libc::IFF_MULTICAST, "MULTICAST"),
        (libc::IFF_PORTSEL, "PORTSEL"),
        (libc::IFF_AUTOMEDIA, "AUTOMEDIA"),
        (libc::IFF_DYNAMIC, "DYNAMIC"),
    ];
    NAMES.iter().filter(|(bit, _)| flags & (*bit as u32) != 0).map(|(_, n)| *n).collect()
}

/// IPv6 addresses are given as `address/prefix` and without a netmask (OVAL interface_item).
fn address_fields(entry: &InterfaceAddressEntry) -> (String, Datatype, String, String) {
    match entry.address {
        IpAddr::V4(a) => (
            a.to_string(),
            Datatype::Ipv4Address,
            entry.broadcast.map(|b| b.to_string()).unwrap_or_default(),
            entry.netmask.map(|m| m.to_string()).unwrap_or_default(),
        ),
        IpAddr::V6(a) => {
            let prefix = match entry.netmask {
                Some(IpAddr::V6(m)) => u128::from(m).leading_ones(),
                _ => 128,
            };
            (format!("{a}/{prefix}"), Datatype::Ipv6Address, String::new(), String::new())
        }
    }
}

pub struct InterfaceProbe;

impl Probe for InterfaceProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "interface_object")
    }

    fn needs(&self) -> Needs {
        Needs::RunningSystem { otherwise: CollectedFlag::NotApplicable }
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let mut items = Vec::new();
        for entry in host_addresses() {
            match accepts(object, "name", &entry.name) {
                Ok(true) => items.push(entry_item(object, ctx.root(), &entry)),
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        Collected::from_items(items)
    }
}

fn entry_item(object: &ResolvedObject<'_>, root: &Root, entry: &InterfaceAddressEntry) -> Item {
    let (inet, datatype, broadcast, netmask) = address_fields(entry);
    let mut item = Item::new(item_type(object.kind));
    item.push("name", Datatype::String, entry.name.as_str());
    item.push("type", Datatype::String, interface_type(root, &entry.name));
    item.push("hardware_addr", Datatype::String, hardware_address(root, &entry.name));
    item.push("inet_addr", datatype, inet);
    item.push("broadcast_addr", datatype, broadcast);
    item.push("netmask", datatype, netmask);
    for flag in flag_names(entry.flags) {
        item.push("flag", Datatype::String, flag);
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn mounted_root_is_not_applicable() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(&InterfaceProbe, vec![pattern("name", ".*")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::NotApplicable);
    }

    #[test]
    fn loopback_on_the_host() {
        let c = collect(&InterfaceProbe, vec![equals("name", "lo")], &Root::new("/").unwrap());
        let Some(item) = c.items.iter().find(|i| text(i, "inet_addr") == "127.0.0.1") else {
            eprintln!("no IPv4 loopback here; skipped");
            return;
        };
        assert_eq!(
            field_names(item)[..6],
            ["name", "type", "hardware_addr", "inet_addr", "broadcast_addr", "netmask"]
        );
        assert_eq!(text(item, "type"), "ARPHRD_LOOPBACK");
        assert_eq!(text(item, "netmask"), "255.0.0.0");
        assert!(texts(item, "flag").contains(&"LOOPBACK"));
    }

    #[test]
    fn ipv6_prefix_notation_and_flags() {
        let entry = InterfaceAddressEntry {
            name: "eth0".into(),
            flags: (libc::IFF_UP | libc::IFF_NOARP) as u32,
            address: IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1)),
            netmask: Some(IpAddr::V6(Ipv6Addr::new(0xffff, 0xffff, 0xffff, 0xffff, 0, 0, 0, 0))),
            broadcast: Some(IpAddr::V4(Ipv4Addr::BROADCAST)),
        };
        let (inet, datatype, broadcast, netmask) = address_fields(&entry);
        assert_eq!((inet.as_str(), broadcast.as_str(), netmask.as_str()), ("fe80::1/64", "", ""));
        assert_eq!(datatype, Datatype::Ipv6Address);
        assert_eq!(flag_names(entry.flags), ["UP", "NOARP"]);
    }
}
