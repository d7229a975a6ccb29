//! The running system's sockets, as the kernel lists them under `/proc/net` (`tcp`, `tcp6`,
//! `udp`, `udp6`, `packet`), and the processes holding them (`/proc/<pid>/fd/*` links named
//! `socket:[INODE]`). Read through the root, which is the running system's `/` whenever the
//! probes using this run (they need the running system).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::host::{HostError, Root};
use crate::probes::support::running_system::process_ids;

/// TCP's `LISTEN` state in `/proc/net/tcp*`.
const TCP_LISTEN: u8 = 0x0A;
/// An unconnected UDP socket (`TCP_CLOSE` in the kernel's numbering): one waiting for datagrams.
const UDP_UNCONNECTED: u8 = 0x07;

/// A TCP or UDP socket waiting for peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InetSocket {
    pub protocol: &'static str,
    pub local: IpAddr,
    pub local_port: u16,
    pub foreign: IpAddr,
    pub foreign_port: u16,
    pub uid: u32,
    pub inode: u64,
}

/// Listening TCP sockets and unconnected UDP sockets, IPv4 and IPv6, in table order.
pub fn listening_inet_sockets(root: &Root) -> Result<Vec<InetSocket>, HostError> {
    let mut sockets = Vec::new();
    for (file, protocol, state) in [
        ("/proc/net/tcp", "tcp", TCP_LISTEN),
        ("/proc/net/tcp6", "tcp", TCP_LISTEN),
        ("/proc/net/udp", "udp", UDP_UNCONNECTED),
        ("/proc/net/udp6", "udp", UDP_UNCONNECTED),
    ] {
        match root.read_to_string(file) {
            Ok((text, _)) => sockets.extend(parse_inet_table(&text, protocol, state)),
            // A kernel without IPv6 has no tcp6/udp6.
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(sockets)
}

/// Rows of a `/proc/net/{tcp,udp}[6]` table in `state`; malformed rows are skipped.
pub fn parse_inet_table(text: &str, protocol: &'static str, state: u8) -> Vec<InetSocket> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || u8::from_str_radix(f[3], 16).ok()? != state {
                return None;
            }
            let (local, local_port) = endpoint(f[1])?;
            let (foreign, foreign_port) = endpoint(f[2])?;
            Some(InetSocket {
                protocol,
                local,
                local_port,
                foreign,
                foreign_port,
                uid: f[7].parse().ok()?,
                inode: f[9].parse().ok()?,
            })
        })
        .collect()
}

/// `0100007F:0CEA`: the address as the kernel's 32-bit words in host byte order, the port in hex.
fn endpoint(text: &str) -> Option<(IpAddr, u16)> {
    let (address, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        Some(u32::from_str_radix(address.get(i * 8..i * 8 + 8)?, 16).ok()?.to_ne_bytes())
    };
    let ip = match address.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some((ip, port))
}

/// An `AF_PACKET` socket: the interface it is bound to (0: none) and its protocol number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketSocket {
    pub ifindex: u32,
    pub protocol: u16,
    pub uid: u32,
    pub inode: u64,
}

pub fn packet_sockets(root: &Root) -> Result<Vec<PacketSocket>, HostError> {
    match root.read_to_string("/proc/net/packet") {
        Ok((text, _)) => Ok(parse_packet_table(&text)),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `sk RefCnt Type Proto Iface R Rmem User Inode` rows.
pub fn parse_packet_table(text: &str) -> Vec<PacketSocket> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            (f.len() >= 9).then_some(())?;
            Some(PacketSocket {
                protocol: u16::from_str_radix(f[3], 16).ok()?,
                ifindex: f[4].parse().ok()?,
                uid: f[7].parse().ok()?,
                inode: f[8].parse().ok()?,
            })
        })
        .collect()
}

/// A process holding a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub program: String,
}

/// Socket inode → the lowest-numbered process holding it (a socket shared after `fork` is
/// reported once). Processes whose descriptors cannot be read (another user's, without
/// privileges) are left out: their sockets have no owner.
pub fn socket_owners(root: &Root) -> HashMap<u64, Owner> {
    let mut owners = HashMap::new();
    for pid in process_ids(root) {
        let Ok(fds) = root.read_dir(&format!("/proc/{pid}/fd")) else { continue };
        let mut program = None;
        for fd in fds {
            let Ok(target) = root.read_link(&format!("/proc/{pid}/fd/{fd}")) else { continue };
            let Some(inode) = target.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')) else {
                continue;
            };
            let Ok(inode) = inode.parse::<u64>() else { continue };
            let program = program.get_or_insert_with(|| {
                root.read_to_string(&format!("/proc/{pid}/comm"))
                    .map(|(t, _)| t.trim_end_matches('\n').to_string())
                    .unwrap_or_default()
            });
            owners.entry(inode).or_insert_with(|| Owner { pid, program: program.clone() });
        }
    }
    owners
}

/// Interface index → name, from `/sys/class/net/<name>/ifindex`.
pub fn interface_names(root: &Root) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for name in root.read_dir("/sys/class/net").unwrap_or_default() {
        if let Ok((text, _)) = root.read_to_string(&format!("/sys/class/net/{name}/ifindex"))
            && let Ok(index) = text.trim().parse()
        {
            names.insert(index, name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_and_udp_tables_in_both_families() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 588 1 0 100 0 0 10 0\n\
   1: 0100007F:EC37 0100007F:0016 01 00000000:00000000 00:00000000 00000000  1000        0 93453 1 0 100 0 0 10 0\n";
        let listening = parse_inet_table(tcp, "tcp", TCP_LISTEN);
        assert_eq!(listening.len(), 1, "the established connection is not listening");
        assert_eq!((listening[0].local.to_string(), listening[0].local_port), ("0.0.0.0".into(), 2024));
        assert_eq!((listening[0].uid, listening[0].inode), (0, 588));
        let established = parse_inet_table(tcp, "tcp", 0x01);
        assert_eq!(established[0].local.to_string(), "127.0.0.1");
        assert_eq!((established[0].foreign_port, established[0].uid), (22, 1000));

        let udp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
12222: 00000000000000000000000001000000:BD6C 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 93454 2 0 0\n\
    1: 000080FE00000000FF4E5502FE3F11FE:0222 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 77 2 0 0\n\
    2: garbage\n";
        let sockets = parse_inet_table(udp6, "udp", UDP_UNCONNECTED);
        assert_eq!(sockets.len(), 2);
        assert_eq!((sockets[0].local.to_string(), sockets[0].local_port), ("::1".into(), 48492));
        assert_eq!(sockets[1].local.to_string(), "fe80::255:4eff:fe11:3ffe");
    }

    #[test]
    fn packet_table() {
        let text = "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n\
ffff8880061c4800 3      3    0003   2     1 0      0      20414\n";
        assert_eq!(
            parse_packet_table(text),
            [PacketSocket { ifindex: 2, protocol: 3, uid: 0, inode: 20414 }]
        );
    }
}
