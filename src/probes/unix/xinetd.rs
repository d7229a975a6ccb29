//! `unix:xinetd_object` → `xinetd_item` (OVAL 5.11.2 unix schema): one item per `service`
//! section of xinetd's configuration (see [`xinetd_conf`]) whose protocol and name the object
//! accepts, with the values xinetd would use:
//!
//! - `only_from` and `no_access` start from the `defaults` section; a service's `=` replaces
//!   them, `+=` adds to them and `-=` removes from them (xinetd.conf(5)); `flags` and `type`
//!   take the same operators without defaults;
//! - the protocol, when not given, is the service name's first `/etc/services` entry (else
//!   `tcp` for `stream` and `udp` for `dgram` sockets), and the port that entry's port;
//! - `disabled` is true for `disable = yes`, for a service id the defaults list in
//!   `disabled`, or one missing from a defaults `enabled` list.
//!
//! No `/etc/xinetd.conf` means no services (`does not exist`). Malformed sections are left out
//! as xinetd leaves them out, and the object is flagged `error` with the lines that were.

use crate::model::oval::{Datatype, Family, Item};
use crate::model::spelling::boolean;
use crate::probes::support::entity_filter::accepts;
use crate::probes::support::xinetd_conf::{self, Op, Section};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;
use crate::semantics::ipaddr::IpNet;

pub struct XinetdProbe;

impl Probe for XinetdProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "xinetd_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let conf = match xinetd_conf::read(root) {
            Ok(Some(conf)) => conf,
            Ok(None) => return Collected::from_items(Vec::new()),
            Err(e) => return Collected::error(e.to_string()),
        };
        let mut evidence = conf.evidence;
        // Protocols and ports not given come from here; without it they stay unknown.
        let services = match root.read_to_string("/etc/services") {
            Ok((text, content)) => {
                evidence.push((content.path, content.sha256));
                text
            }
            Err(_) => String::new(),
        };
        let defaults = Defaults::from_sections(&conf.sections);
        let mut items = Vec::new();
        for section in &conf.sections {
            let Some(service) = Service::resolve(section, &defaults, &services) else { continue };
            // An unknown protocol is matched as empty text: only a pattern such as `.*` takes it.
            let protocol = accepts(object, "protocol", service.protocol.as_deref().unwrap_or_default());
            let name = accepts(object, "service_name", &service.name);
            match (protocol, name) {
                (Ok(true), Ok(true)) => {
                    let item = service.item(object);
                    if ctx.keeps(&item) {
                        items.push(item);
                    }
                }
                (Err(e), _) | (_, Err(e)) => return Collected::error(e.to_string()),
                _ => {}
            }
        }
        let mut collected = Collected::from_items(items);
        collected.evidence = evidence;
        if !conf.problems.is_empty() {
            collected.flag = CollectedFlag::Error;
            for problem in conf.problems {
                collected.messages.push(format!("xinetd configuration: {problem}").into());
            }
        }
        collected
    }
}

/// What the `defaults` sections say (xinetd allows one; several are applied in order).
#[derive(Debug, Default)]
struct Defaults {
    only_from: Vec<String>,
    no_access: Vec<String>,
    disabled: Vec<String>,
    /// `None` when no `enabled` list is given: every service is enabled.
    enabled: Option<Vec<String>>,
}

impl Defaults {
    fn from_sections(sections: &[Section]) -> Defaults {
        let mut defaults = Defaults::default();
        for section in sections.iter().filter(|s| s.service.is_none()) {
            for a in &section.assignments {
                match a.attribute.as_str() {
                    "only_from" => apply(&mut defaults.only_from, a.op, &a.value),
                    "no_access" => apply(&mut defaults.no_access, a.op, &a.value),
                    "disabled" => apply(&mut defaults.disabled, a.op, &a.value),
                    "enabled" => apply(defaults.enabled.get_or_insert_with(Vec::new), a.op, &a.value),
                    _ => {}
                }
            }
        }
        defaults
    }
}

/// A list attribute after one operator.
fn apply(list: &mut Vec<String>, op: Op, value: &str) {
    let words = value.split_whitespace().map(str::to_string);
    match op {
        Op::Assign => *list = words.collect(),
        Op::Add => list.extend(words),
        Op::Remove => {
            let gone: Vec<String> = words.collect();
            list.retain(|v| !gone.contains(v));
        }
    }
}

/// One service as xinetd would run it.
#[derive(Debug, Default)]
struct Service {
    name: String,
    protocol: Option<String>,
    flags: Vec<String>,
    no_access: Vec<String>,
    only_from: Vec<String>,
    port: Option<u16>,
    server: Option<String>,
    server_arguments: Option<String>,
    socket_type: Option<String>,
    types: Vec<String>,
    user: Option<String>,
    wait: Option<bool>,
    disabled: bool,
}

impl Service {
    fn resolve(section: &Section, defaults: &Defaults, services: &str) -> Option<Service> {
        let name = section.service.clone()?;
        let mut s = Service {
            name,
            only_from: defaults.only_from.clone(),
            no_access: defaults.no_access.clone(),
            ..Service::default()
        };
        let mut id = None;
        let mut disable = false;
        let mut port = None;
        for a in &section.assignments {
            let single = || Some(a.value.clone()).filter(|v| !v.is_empty());
            match a.attribute.as_str() {
                "id" => id = single(),
                "protocol" => s.protocol = single(),
                "flags" => apply(&mut s.flags, a.op, &a.value),
                "type" => apply(&mut s.types, a.op, &a.value),
                "only_from" => apply(&mut s.only_from, a.op, &a.value),
                "no_access" => apply(&mut s.no_access, a.op, &a.value),
                "port" => port = a.value.parse::<u16>().ok().filter(|p| *p > 0),
                "server" => s.server = single(),
                "server_args" => s.server_arguments = single(),
                "socket_type" => s.socket_type = single(),
                "user" => s.user = single(),
                "wait" => s.wait = yes_no(&a.value),
                "disable" => disable = yes_no(&a.value) == Some(true),
                _ => {}
            }
        }
        if s.protocol.is_none() {
            s.protocol = xinetd_conf::services_entry(services, &s.name, None).map(|(p, _)| p).or_else(|| {
                match s.socket_type.as_deref() {
                    Some("stream") => Some("tcp".to_string()),
                    Some("dgram") => Some("udp".to_string()),
                    _ => None,
                }
            });
        }
        s.port = port.or_else(|| {
            xinetd_conf::services_entry(services, &s.name, s.protocol.as_deref()).map(|(_, port)| port)
        });
        let id = id.unwrap_or_else(|| s.name.clone());
        s.disabled = disable
            || defaults.disabled.contains(&id)
            || defaults.enabled.as_ref().is_some_and(|enabled| !enabled.contains(&id));
        Some(s)
    }

    fn item(&self, object: &ResolvedObject<'_>) -> Item {
        let mut item = Item::new(item_type(object.kind));
        if let Some(protocol) = &self.protocol {
            item.push("protocol", Datatype::String, protocol.as_str());
        }
        item.push("service_name", Datatype::String, self.name.as_str());
        for flag in &self.flags {
            item.push("flags", Datatype::String, flag.as_str());
        }
        // The schema types no_access as a string, only_from as an address or a string.
        for host in &self.no_access {
            item.push("no_access", Datatype::String, host.as_str());
        }
        for host in &self.only_from {
            item.push("only_from", address_datatype(host), host.as_str());
        }
        if let Some(port) = self.port {
            item.push("port", Datatype::Int, port.to_string());
        }
        for (name, value) in [
            ("server", &self.server),
            ("server_arguments", &self.server_arguments),
            ("socket_type", &self.socket_type),
        ] {
            if let Some(value) = value {
                item.push(name, Datatype::String, value.as_str());
            }
        }
        for kind in &self.types {
            if XINETD_TYPES.contains(&kind.as_str()) {
                item.push("type", Datatype::String, kind.as_str());
            } else {
                item.messages.push(format!("type `{kind}` is not one xinetd knows; left out"));
            }
        }
        if let Some(user) = &self.user {
            item.push("user", Datatype::String, user.as_str());
        }
        if let Some(wait) = self.wait {
            item.push("wait", Datatype::Boolean, boolean(wait).to_string());
        }
        item.push("disabled", Datatype::Boolean, boolean(self.disabled).to_string());
        item
    }
}

/// The service types xinetd.conf(5) lists (the schema's EntityItemXinetdTypeStatusType).
const XINETD_TYPES: [&str; 5] = ["INTERNAL", "RPC", "UNLISTED", "TCPMUX", "TCPMUXPLUS"];

fn yes_no(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// `only_from` / `no_access` hosts are addresses (with a prefix or not) or names
/// (EntityItemIPAddressStringType allows all three datatypes).
fn address_datatype(host: &str) -> Datatype {
    if IpNet::parse_v4(host).is_some() {
        Datatype::Ipv4Address
    } else if IpNet::parse_v6(host).is_some() {
        Datatype::Ipv6Address
    } else {
        Datatype::String
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::ItemField;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use std::fs;

    fn fixture() -> Root {
        Root::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xinetd")).unwrap()
    }

    fn service<'a>(c: &'a Collected, name: &str) -> &'a Item {
        c.items.iter().find(|i| text(i, "service_name") == name).unwrap()
    }

    #[test]
    fn every_service_of_the_fixture_with_xinetds_values() {
        let c =
            collect(&XinetdProbe, vec![pattern("protocol", ".*"), pattern("service_name", ".*")], &fixture());
        assert_eq!(c.flag, CollectedFlag::Complete, "{:?}", c.messages);
        let names: Vec<&str> = c.items.iter().map(|i| text(i, "service_name")).collect();
        assert_eq!(names, ["echo-stream", "telnet", "tftp"]);
        assert_eq!(c.evidence.len(), 5, "xinetd.conf, the three service files and /etc/services");

        let telnet = service(&c, "telnet");
        assert_eq!(
            field_names(telnet),
            [
                "protocol",
                "service_name",
                "flags",
                "no_access",
                "only_from",
                "only_from",
                "only_from",
                "port",
                "server",
                "server_arguments",
                "socket_type",
                "user",
                "wait",
                "disabled"
            ]
        );
        assert_eq!((text(telnet, "protocol"), text(telnet, "port")), ("tcp", "23"));
        assert_eq!(texts(telnet, "only_from"), ["10.0.0.0/8", "127.0.0.1", "192.168.1.0/24"]);
        assert_eq!(texts(telnet, "no_access"), ["10.2.0.0/16"], "-= removed 10.1.0.0/16");
        assert_eq!(text(telnet, "server_arguments"), "-h -L /bin/login");
        assert_eq!((text(telnet, "wait"), text(telnet, "disabled")), ("false", "true"));
        let only_from: Vec<&ItemField> = telnet.fields_named("only_from").collect();
        assert_eq!(only_from[0].datatype, Datatype::Ipv4Address);

        let tftp = service(&c, "tftp");
        assert_eq!(texts(tftp, "only_from"), ["localhost"], "`=` replaces the defaults");
        assert_eq!(tftp.fields_named("only_from").next().unwrap().datatype, Datatype::String);
        assert_eq!((text(tftp, "protocol"), text(tftp, "disabled")), ("udp", "false"));

        let echo = service(&c, "echo-stream");
        assert_eq!(texts(echo, "type"), ["INTERNAL", "UNLISTED"]);
        assert_eq!(telnet.fields_named("no_access").next().unwrap().datatype, Datatype::String);
        assert_eq!(texts(echo, "flags"), ["REUSE", "IPv4"]);
        assert_eq!((text(echo, "protocol"), text(echo, "port")), ("tcp", "7777"), "from socket_type");
        assert_eq!(text(echo, "disabled"), "true", "the defaults' `disabled` names its id");
    }

    #[test]
    fn the_object_picks_protocol_and_name() {
        let c = collect(
            &XinetdProbe,
            vec![equals("protocol", "udp"), equals("service_name", "tftp")],
            &fixture(),
        );
        assert_eq!(c.items.len(), 1);
        let c = collect(
            &XinetdProbe,
            vec![equals("protocol", "tcp"), equals("service_name", "tftp")],
            &fixture(),
        );
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn no_configuration_no_services_and_a_broken_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let all = || vec![pattern("protocol", ".*"), pattern("service_name", ".*")];
        assert_eq!(collect(&XinetdProbe, all(), &root).flag, CollectedFlag::DoesNotExist);
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(
            dir.path().join("etc/xinetd.conf"),
            "service a\n{\n socket_type = stream\n}\nservice b\n{\n oops\n}\n",
        )
        .unwrap();
        let c = collect(&XinetdProbe, all(), &root);
        assert_eq!(c.flag, CollectedFlag::Error);
        assert_eq!(c.items.len(), 1);
        assert!(c.messages[0].message.contains("/etc/xinetd.conf:7"), "{:?}", c.messages);
    }

    #[test]
    fn types_xinetd_does_not_know_are_left_out_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(
            dir.path().join("etc/xinetd.conf"),
            "service a\n{\n type = INTERNAL bogus\n protocol = tcp\n}\n",
        )
        .unwrap();
        let c = collect(
            &XinetdProbe,
            vec![equals("protocol", "tcp"), equals("service_name", "a")],
            &Root::new(dir.path()).unwrap(),
        );
        assert_eq!(texts(&c.items[0], "type"), ["INTERNAL"]);
        assert!(c.items[0].messages[0].contains("`bogus`"), "{:?}", c.items[0].messages);
    }

    #[test]
    fn an_enabled_list_disables_the_rest() {
        let section =
            |name: &str| Section { service: Some(name.into()), at: String::new(), assignments: vec![] };
        let defaults = Defaults { enabled: Some(vec!["a".into()]), ..Defaults::default() };
        assert!(!Service::resolve(&section("a"), &defaults, "").unwrap().disabled);
        assert!(Service::resolve(&section("b"), &defaults, "").unwrap().disabled);
    }
}
