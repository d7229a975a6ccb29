//! `linux:iflisteners_object` → `iflisteners_item` (OVAL 5.11.2 linux schema): the programs
//! with an `AF_PACKET` socket bound to an interface whose name the object accepts (sniffers,
//! DHCP clients), one item per socket: the interface, the socket's protocol as its `ETH_P_*`
//! name, the interface's hardware address, and the process holding it when its descriptors are
//! readable. Packet sockets bound to no interface are not collected (the item names one).
//! Only the running system has sockets: on a mounted root the object is `not collected`.

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::entity_filter::accepts;
use crate::probes::support::running_system::hardware_address;
use crate::probes::support::sockets::{interface_names, packet_sockets, socket_owners};
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

pub struct IflistenersProbe;

impl Probe for IflistenersProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "iflisteners_object")
    }

    fn needs(&self) -> Needs {
        Needs::RunningSystem { otherwise: CollectedFlag::NotCollected }
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let sockets = match packet_sockets(root) {
            Ok(sockets) => sockets,
            Err(e) => return Collected::error(e.to_string()),
        };
        let names = interface_names(root);
        let mut chosen = Vec::new();
        for socket in sockets {
            let Some(name) = names.get(&socket.ifindex) else { continue };
            match accepts(object, "interface_name", name) {
                Ok(true) => chosen.push((name, socket)),
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        let owners = if chosen.is_empty() { Default::default() } else { socket_owners(root) };
        let mut items = Vec::new();
        for (name, socket) in chosen {
            let mut item = Item::new(item_type(object.kind));
            item.push("interface_name", Datatype::String, name.as_str());
            item.push("protocol", Datatype::String, ethernet_protocol(socket.protocol));
            item.push("hw_address", Datatype::String, hardware_address(root, name));
            let owner = owners.get(&socket.inode);
            if let Some(owner) = owner {
                item.push("program_name", Datatype::String, owner.program.as_str());
                item.push("pid", Datatype::Int, owner.pid.to_string());
            }
            item.push("user_id", Datatype::Int, socket.uid.to_string());
            if ctx.keeps(&item) {
                items.push(item);
            }
        }
        Collected::from_items(items)
    }
}

/// The `ETH_P_*` name (linux/if_ether.h) the schema's EntityItemProtocolType lists for a
/// protocol number; empty for numbers it does not list.
fn ethernet_protocol(number: u16) -> &'static str {
    const NAMES: &[(u16, &str)] = &[
        (0x0001, "ETH_P_802_3"),
        (0x0002, "ETH_P_AX25"),
        (0x0003, "ETH_P_ALL"),
        (0x0004, "ETH_P_802_2"),
        (0x0005, "ETH_P_SNAP"),
        (0x0006, "ETH_P_DDCMP"),
        (0x0007, "ETH_P_WAN_PPP"),
        (0x0008, "ETH_P_PPP_MP"),
        (0x0009, "ETH_P_LOCALTALK"),
        (0x0010, "ETH_P_PPPTALK"),
        (0x0011, "ETH_P_TR_802_2"),
        (0x0015, "ETH_P_MOBITEX"),
        (0x0016, "ETH_P_CONTROL"),
        (0x0017, "ETH_P_IRDA"),
        (0x0018, "ETH_P_ECONET"),
        (0x0019, "ETH_P_HDLC"),
        (0x001A, "ETH_P_ARCNET"),
        (0x0060, "ETH_P_LOOP"),
        (0x0200, "ETH_P_PUP"),
        (0x0201, "ETH_P_PUPAT"),
        (0x0800, "ETH_P_IP"),
        (0x0805, "ETH_P_X25"),
        (0x0806, "ETH_P_ARP"),
        (0x08FF, "ETH_P_BPQ"),
        (0x0A00, "ETH_P_IEEEPUP"),
        (0x0A01, "ETH_P_IEEEPUPAT"),
        (0x6000, "ETH_P_DEC"),
        (0x6001, "ETH_P_DNA_DL"),
        (0x6002, "ETH_P_DNA_RC"),
        (0x6003, "ETH_P_DNA_RT"),
        (0x6004, "ETH_P_LAT"),
        (0x6005, "ETH_P_DIAG"),
        (0x6006, "ETH_P_CUST"),
        (0x6007, "ETH_P_SCA"),
        (0x8035, "ETH_P_RARP"),
        (0x809B, "ETH_P_ATALK"),
        (0x80F3, "ETH_P_AARP"),
        (0x8100, "ETH_P_8021Q"),
        (0x8137, "ETH_P_IPX"),
        (0x86DD, "ETH_P_IPV6"),
        (0x8809, "ETH_P_SLOW"),
        (0x883E, "ETH_P_WCCP"),
        (0x8847, "ETH_P_MPLS_UC"),
        (0x8848, "ETH_P_MPLS_MC"),
        (0x884C, "ETH_P_ATMMPOA"),
        (0x8863, "ETH_P_PPP_DISC"),
        (0x8864, "ETH_P_PPP_SES"),
        (0x8884, "ETH_P_ATMFATE"),
        (0x88A2, "ETH_P_AOE"),
        (0x88CA, "ETH_P_TIPC"),
    ];
    NAMES.iter().find(|(n, _)| *n == number).map_or("", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};

    #[test]
    fn protocol_names() {
        assert_eq!(ethernet_protocol(0x0003), "ETH_P_ALL");
        assert_eq!(ethernet_protocol(0x86DD), "ETH_P_IPV6");
        assert_eq!(ethernet_protocol(0x1234), "");
    }

    /// A packet socket of this test bound to `lo` is found with the test's pid. Opening one
    /// needs CAP_NET_RAW; without it the probe is still run over the host's sockets.
    #[test]
    fn a_packet_socket_of_this_test_on_loopback() {
        let root = Root::new("/").unwrap();
        let Some(fd) = bind_packet_socket("lo") else {
            let c = collect(&IflistenersProbe, vec![pattern("interface_name", ".*")], &root);
            assert!(
                matches!(c.flag, CollectedFlag::Complete | CollectedFlag::DoesNotExist),
                "{:?}",
                c.messages
            );
            eprintln!("no CAP_NET_RAW: the test's own packet socket is not checked");
            return;
        };
        let c = collect(&IflistenersProbe, vec![equals("interface_name", "lo")], &root);
        let pid = std::process::id().to_string();
        let ours = c.items.iter().find(|i| {
            i.fields_named("pid").any(|f| f.value == crate::model::oval::ItemValue::Text(pid.clone()))
        });
        let item = ours.unwrap_or_else(|| panic!("no item with pid {pid}: {:?}", c.items));
        assert_eq!(
            field_names(item),
            ["interface_name", "protocol", "hw_address", "program_name", "pid", "user_id"]
        );
        assert_eq!((text(item, "protocol"), text(item, "hw_address")), ("ETH_P_ALL", "00:00:00:00:00:00"));
        // SAFETY: the descriptor was opened above and is closed once.
        unsafe { libc::close(fd) };
    }

    fn bind_packet_socket(interface: &str) -> Option<i32> {
        let protocol = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket/bind calls on a descriptor this function owns.
        unsafe {
            let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, i32::from(protocol));
            if fd < 0 {
                return None;
            }
            let name = std::ffi::CString::new(interface).ok()?;
            let mut address: libc::sockaddr_ll = std::mem::zeroed();
            address.sll_family = libc::AF_PACKET as u16;
            address.sll_protocol = protocol;
            address.sll_ifindex = libc::if_nametoindex(name.as_ptr()) as i32;
            let size = std::mem::size_of::<libc::sockaddr_ll>() as u32;
            if libc::bind(fd, &address as *const _ as *const libc::sockaddr, size) != 0 {
                libc::close(fd);
                return None;
            }
            Some(fd)
        }
    }

    #[test]
    fn a_mounted_root_has_no_listeners() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(
            &IflistenersProbe,
            vec![pattern("interface_name", ".*")],
            &Root::new(dir.path()).unwrap(),
        );
        assert_eq!(c.flag, CollectedFlag::NotCollected);
    }
}
