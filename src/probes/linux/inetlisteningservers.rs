//! `linux:inetlisteningservers_object` → `inetlisteningserver_item` (OVAL 5.11.2 linux schema):
//! one item per TCP socket in `LISTEN` and per unconnected UDP socket, IPv4 and IPv6, whose
//! protocol, local address and local port the object accepts; with the process holding it
//! (program name, pid) when its descriptors are readable. `user_id` is the socket's owner as
//! the kernel records it. Only the running system has sockets: on a mounted root the object is
//! `not collected` with the reason.

use std::net::IpAddr;

use crate::model::oval::{Datatype, Family, Item, TypeName};
use crate::probes::support::entity_filter::accepts;
use crate::probes::support::sockets::{InetSocket, Owner, listening_inet_sockets, socket_owners};
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

pub struct InetListeningServersProbe;

impl Probe for InetListeningServersProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Linux, "inetlisteningservers_object")
    }

    fn needs(&self) -> Needs {
        Needs::RunningSystem { otherwise: CollectedFlag::NotCollected }
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let sockets = match listening_inet_sockets(root) {
            Ok(sockets) => sockets,
            Err(e) => return Collected::error(e.to_string()),
        };
        let mut chosen = Vec::new();
        for socket in sockets {
            let wanted = accepts(object, "protocol", socket.protocol).and_then(|p| {
                Ok(p && accepts(object, "local_address", &socket.local.to_string())?
                    && accepts(object, "local_port", &socket.local_port.to_string())?)
            });
            match wanted {
                Ok(true) => chosen.push(socket),
                Ok(false) => {}
                Err(e) => return Collected::error(e.to_string()),
            }
        }
        // Walking every process's descriptors is the slow part: only when something matched.
        let owners = if chosen.is_empty() { Default::default() } else { socket_owners(root) };
        // The item is named in the singular, unlike its object (linux-system-characteristics).
        let kind = TypeName { name: "inetlisteningserver_item".into(), ..item_type(object.kind) };
        let items = chosen
            .iter()
            .map(|socket| item(kind.clone(), socket, owners.get(&socket.inode)))
            .filter(|item| ctx.keeps(item))
            .collect();
        Collected::from_items(items)
    }
}

fn address_datatype(address: &IpAddr) -> Datatype {
    match address {
        IpAddr::V4(_) => Datatype::Ipv4Address,
        IpAddr::V6(_) => Datatype::Ipv6Address,
    }
}

fn item(kind: TypeName, socket: &InetSocket, owner: Option<&Owner>) -> Item {
    let mut item = Item::new(kind);
    item.push("protocol", Datatype::String, socket.protocol);
    item.push("local_address", address_datatype(&socket.local), socket.local.to_string());
    item.push("local_port", Datatype::Int, socket.local_port.to_string());
    item.push("local_full_address", Datatype::String, format!("{}:{}", socket.local, socket.local_port));
    if let Some(owner) = owner {
        item.push("program_name", Datatype::String, owner.program.as_str());
    }
    item.push("foreign_address", address_datatype(&socket.foreign), socket.foreign.to_string());
    item.push("foreign_port", Datatype::Int, socket.foreign_port.to_string());
    item.push(
        "foreign_full_address",
        Datatype::String,
        format!("{}:{}", socket.foreign, socket.foreign_port),
    );
    if let Some(owner) = owner {
        item.push("pid", Datatype::Int, owner.pid.to_string());
    }
    item.push("user_id", Datatype::Int, socket.uid.to_string());
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::Operation;
    use crate::probes::support::entity_filter::test_support::{
        collect, entity, equals, field_names, pattern, text,
    };

    fn port(value: &str) -> crate::semantics::ResolvedEntity {
        crate::semantics::ResolvedEntity {
            datatype: Datatype::Int,
            ..entity("local_port", Operation::Equals, value)
        }
    }

    #[test]
    fn a_listener_of_this_test_is_found_with_its_pid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let number = listener.local_addr().unwrap().port().to_string();
        let root = Root::new("/").unwrap();
        let c = collect(
            &InetListeningServersProbe,
            vec![equals("protocol", "tcp"), equals("local_address", "127.0.0.1"), port(&number)],
            &root,
        );
        assert_eq!(c.flag, CollectedFlag::Complete, "{:?}", c.messages);
        assert_eq!(c.items.len(), 1);
        let item = &c.items[0];
        assert_eq!(item.kind.name, "inetlisteningserver_item");
        assert_eq!(
            field_names(item),
            [
                "protocol",
                "local_address",
                "local_port",
                "local_full_address",
                "program_name",
                "foreign_address",
                "foreign_port",
                "foreign_full_address",
                "pid",
                "user_id"
            ]
        );
        assert_eq!(text(item, "pid"), std::process::id().to_string());
        assert_eq!(text(item, "local_full_address"), format!("127.0.0.1:{number}"));
        assert_eq!((text(item, "foreign_address"), text(item, "foreign_port")), ("0.0.0.0", "0"));
        // SAFETY: geteuid cannot fail.
        assert_eq!(text(item, "user_id"), unsafe { libc::geteuid() }.to_string());
        drop(listener);
        let c = collect(&InetListeningServersProbe, vec![pattern("protocol", "^udp$"), port(&number)], &root);
        assert!(c.items.iter().all(|i| text(i, "protocol") == "udp"));
    }

    #[test]
    fn a_mounted_root_has_no_sockets() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect(
            &InetListeningServersProbe,
            vec![pattern("protocol", ".*")],
            &Root::new(dir.path()).unwrap(),
        );
        assert_eq!(c.flag, CollectedFlag::NotCollected);
        assert!(c.messages[0].message.contains("needs the running system"), "{:?}", c.messages);
    }
}
