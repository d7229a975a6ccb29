//! `docker:container_object`: one item per container of the engine (`GET /containers/json?all=1`,
//! then each container's inspect document and, when it runs, its process list), with the settings
//! DISA's container rules read, each field typed and every item naming its container.
//!
//! Lists (security options, capabilities, devices, ulimits, mounts, ports, processes) are
//! repeated fields; an empty list is one field with status `does not exist`, so a state that says
//! "none satisfy" holds and "at least one" does not. `system_container` marks what DISA's check
//! text leaves out with `grep -iv "ucp\|kube\|dtr"` (a name or image naming UCP, Kubernetes or
//! DTR), so the evidence shows why a container was not held to a rule.

use serde_json::Value;

use crate::diag::Subject;
use crate::model::oval::{Datatype, Family, FieldName, Item, ItemField, ItemStatus, ItemValue};
use crate::probes::support::entity_filter::{accepts, push_without_value};
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

use super::read::read;

pub struct ContainerProbe;

/// DISA's exclusion, `grep -iv "ucp\|kube\|dtr"` over `docker ps` lines, applied to the
/// container's name and image.
pub fn is_system_container(name: &str, image: &str) -> bool {
    [name, image].iter().any(|s| {
        let s = s.to_ascii_lowercase();
        ["ucp", "kube", "dtr"].iter().any(|w| s.contains(w))
    })
}

impl Probe for ContainerProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "container_object")
    }

    fn needs(&self) -> Needs {
        Needs::Engine
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(engine) = ctx.target.engine() else {
            return Collected::not_collected("no engine source");
        };
        let list = match read(engine, "engine/containers.json") {
            Ok(r) => r,
            Err(collected) => return collected,
        };
        let mut evidence = vec![list.evidence];
        let mut items = Vec::new();
        let mut messages = Vec::new();
        let mut incomplete = false;
        for summary in list.value.as_array().into_iter().flatten() {
            let Some(id) = summary["Id"].as_str() else { continue };
            let listed_name = summary["Names"][0].as_str().unwrap_or_default().trim_start_matches('/');
            match accepts(object, "name", listed_name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let path = crate::host::engine::layout::container_path(id);
            let inspect = match read(engine, &path) {
                Ok(r) => r,
                Err(failed) => {
                    incomplete = true;
                    messages.extend(failed.messages.into_iter().map(|m| {
                        m.about(Subject::Container { id: id.to_string(), name: listed_name.to_string() })
                    }));
                    continue;
                }
            };
            evidence.push(inspect.evidence);
            let mut item = container_item(object, &inspect.value);
            let running = inspect.value["State"]["Running"].as_bool().unwrap_or(false);
            if running {
                let top_path = crate::host::engine::layout::top_path(id);
                match read(engine, &top_path) {
                    Ok(top) => {
                        push_list(&mut item, "process", Datatype::String, processes(&top.value));
                        evidence.push(top.evidence);
                    }
                    Err(failed) => {
                        push_without_value(&mut item, "process", Datatype::String, ItemStatus::NotCollected);
                        let name = field_text(&item, "name");
                        for m in failed.messages {
                            item.messages.push(m.message.clone());
                            messages
                                .push(m.about(Subject::Container { id: id.to_string(), name: name.clone() }));
                        }
                    }
                }
            } else {
                push_without_value(&mut item, "process", Datatype::String, ItemStatus::DoesNotExist);
            }
            items.push(item);
        }
        let mut collected = Collected::from_items(items);
        if incomplete {
            collected.flag = CollectedFlag::Incomplete;
        }
        collected.messages.extend(messages);
        collected.evidence = evidence;
        collected
    }
}

fn field_text(item: &Item, name: &str) -> String {
    match item.fields_named(name).next().map(|f| &f.value) {
        Some(ItemValue::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

/// The item for one inspect document, in the schema's field order (processes are added after).
fn container_item(object: &ResolvedObject<'_>, c: &Value) -> Item {
    let host = &c["HostConfig"];
    let mut item = Item::new(item_type(object.kind));
    let name = c["Name"].as_str().unwrap_or_default().trim_start_matches('/').to_string();
    let image = c["Config"]["Image"].as_str().unwrap_or_default().to_string();
    item.push("id", Datatype::String, c["Id"].as_str().unwrap_or_default());
    item.push("name", Datatype::String, name.clone());
    item.push("image", Datatype::String, image.clone());
    item.push("running", Datatype::Boolean, bool_text(&c["State"]["Running"]));
    item.push("system_container", Datatype::Boolean, is_system_container(&name, &image).to_string());
    item.push("privileged", Datatype::Boolean, bool_text(&host["Privileged"]));
    for (field, key) in [
        ("pid_mode", "PidMode"),
        ("ipc_mode", "IpcMode"),
        ("network_mode", "NetworkMode"),
        ("uts_mode", "UTSMode"),
        ("userns_mode", "UsernsMode"),
    ] {
        item.push(field, Datatype::String, host[key].as_str().unwrap_or_default());
    }
    item.push("readonly_rootfs", Datatype::Boolean, bool_text(&host["ReadonlyRootfs"]));
    push_int(&mut item, "memory", &host["Memory"]);
    push_int(&mut item, "cpu_shares", &host["CpuShares"]);
    push_int(&mut item, "pids_limit", &host["PidsLimit"]);
    item.push("cgroup_parent", Datatype::String, host["CgroupParent"].as_str().unwrap_or_default());
    item.push("restart_policy", Datatype::String, host["RestartPolicy"]["Name"].as_str().unwrap_or_default());
    push_int(&mut item, "restart_max_retries", &host["RestartPolicy"]["MaximumRetryCount"]);
    match c["State"]["Health"]["Status"].as_str() {
        Some(status) => item.push("health_status", Datatype::String, status),
        None => push_without_value(&mut item, "health_status", Datatype::String, ItemStatus::DoesNotExist),
    }
    item.push("user", Datatype::String, c["Config"]["User"].as_str().unwrap_or_default());
    item.push("apparmor_profile", Datatype::String, c["AppArmorProfile"].as_str().unwrap_or_default());
    push_list(&mut item, "security_opt", Datatype::String, strings(&host["SecurityOpt"]));
    push_list(&mut item, "cap_add", Datatype::String, strings(&host["CapAdd"]));
    push_list(&mut item, "cap_drop", Datatype::String, strings(&host["CapDrop"]));
    let devices = host["Devices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            format!(
                "{}:{}:{}",
                d["PathOnHost"].as_str().unwrap_or_default(),
                d["PathInContainer"].as_str().unwrap_or_default(),
                d["CgroupPermissions"].as_str().unwrap_or_default()
            )
        })
        .collect();
    push_list(&mut item, "device", Datatype::String, devices);
    let ulimits = host["Ulimits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| format!("{}={}:{}", u["Name"].as_str().unwrap_or_default(), u["Soft"], u["Hard"]))
        .collect();
    push_list(&mut item, "ulimit", Datatype::String, ulimits);
    let mounts: Vec<Vec<ItemField>> = c["Mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            vec![
                text_field("type", Datatype::String, m["Type"].as_str().unwrap_or_default()),
                text_field("source", Datatype::String, m["Source"].as_str().unwrap_or_default()),
                text_field("destination", Datatype::String, m["Destination"].as_str().unwrap_or_default()),
                text_field("rw", Datatype::Boolean, &bool_text(&m["RW"])),
                text_field("propagation", Datatype::String, m["Propagation"].as_str().unwrap_or_default()),
            ]
        })
        .collect();
    push_records(&mut item, "mount", mounts);
    push_records(&mut item, "port", ports(&c["NetworkSettings"]["Ports"]));
    item
}

/// Published ports (`NetworkSettings.Ports`, what `docker port` shows): one record per host
/// binding; exposed ports without a binding publish nothing and are left out.
fn ports(ports: &Value) -> Vec<Vec<ItemField>> {
    let mut out = Vec::new();
    for (container_port, bindings) in ports.as_object().into_iter().flatten() {
        for binding in bindings.as_array().into_iter().flatten() {
            let host_ip = binding["HostIp"].as_str().unwrap_or_default();
            let host_port = binding["HostPort"].as_str().unwrap_or_default();
            let shown_ip = if host_ip.contains(':') { format!("[{host_ip}]") } else { host_ip.to_string() };
            out.push(vec![
                text_field("container_port", Datatype::String, container_port),
                text_field("host_ip", Datatype::String, host_ip),
                text_field("host_port", Datatype::Int, host_port),
                text_field("mapping", Datatype::String, &format!("{shown_ip}:{host_port}->{container_port}")),
            ]);
        }
    }
    out
}

/// The command column of `GET /containers/{id}/top`.
fn processes(top: &Value) -> Vec<String> {
    let titles: Vec<&str> =
        top["Titles"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(column) = titles.iter().position(|t| *t == "CMD" || *t == "COMMAND") else { return Vec::new() };
    top["Processes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row.get(column).and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn bool_text(v: &Value) -> String {
    v.as_bool().unwrap_or(false).to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

fn text_field(name: &'static str, datatype: Datatype, value: &str) -> ItemField {
    ItemField {
        name: name.into(),
        datatype,
        status: ItemStatus::Exists,
        value: ItemValue::Text(value.to_string()),
    }
}

/// An integer setting; null (not set) is a field that does not exist.
fn push_int(item: &mut Item, name: &'static str, v: &Value) {
    match v.as_i64() {
        Some(n) => item.push(name, Datatype::Int, n.to_string()),
        None => push_without_value(item, name, Datatype::Int, ItemStatus::DoesNotExist),
    }
}

fn push_list(item: &mut Item, name: &'static str, datatype: Datatype, values: Vec<String>) {
    if values.is_empty() {
        push_without_value(item, name, datatype, ItemStatus::DoesNotExist);
    }
    for v in values {
        item.push(name, datatype, v);
    }
}

fn push_records(item: &mut Item, name: &'static str, records: Vec<Vec<ItemField>>) {
    if records.is_empty() {
        push_without_value(item, name, Datatype::Record, ItemStatus::DoesNotExist);
    }
    for fields in records {
        item.fields.push(ItemField {
            name: FieldName::from(name),
            datatype: Datatype::Record,
            status: ItemStatus::Exists,
            value: ItemValue::Record(fields),
        });
    }
}
