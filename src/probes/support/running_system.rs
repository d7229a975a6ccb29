//! Facts only the running system has: the kernel's identity, network interface addresses, and
//! the processes under a root's `/proc`. Shared by the probes that report them and by the
//! system facts of results files.

use std::ffi::CStr;
use std::net::IpAddr;

use crate::host::Root;

/// The six `uname` strings, in the order the uname_item lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelIdentity {
    pub machine_class: String,
    pub node_name: String,
    pub os_name: String,
    pub os_release: String,
    pub os_version: String,
    pub processor_type: String,
}

/// Ask the running kernel. `processor_type` is the machine string, as Linux has no separate
/// processor field (glibc's `uname -p` says `unknown`; OpenSCAP reports the machine too).
pub fn kernel_identity() -> Option<KernelIdentity> {
    // SAFETY: `utsname` is plain bytes; `uname` fills it and returns 0 on success.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    let text = |field: &[libc::c_char]| -> String {
        // SAFETY: the kernel NUL-terminates every utsname field within its array.
        unsafe { CStr::from_ptr(field.as_ptr()) }.to_string_lossy().into_owned()
    };
    let machine = text(&uts.machine);
    Some(KernelIdentity {
        machine_class: machine.clone(),
        node_name: text(&uts.nodename),
        os_name: text(&uts.sysname),
        os_release: text(&uts.release),
        os_version: text(&uts.version),
        processor_type: machine,
    })
}

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

/// Numeric entries of the root's `/proc`, ascending.
pub fn process_ids(root: &Root) -> Vec<u32> {
    let mut pids: Vec<u32> =
        root.read_dir("/proc").unwrap_or_default().iter().filter_map(|n| n.parse().ok()).collect();
    pids.sort_unstable();
    pids
}
