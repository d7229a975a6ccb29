//! `docker:network_object`: one item per network of the engine (`GET /networks`): its driver,
//! scope, whether it is the swarm ingress, and whether its overlay traffic is encrypted
//! (`Options.encrypted`, set by `docker network create --opt encrypted`).

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

use super::read::read;

pub struct NetworkProbe;

impl Probe for NetworkProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "network_object")
    }

    fn needs(&self) -> Needs {
        Needs::Engine
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(engine) = ctx.target.engine() else {
            return Collected::not_collected("no engine source");
        };
        let list = match read(engine, "engine/networks.json") {
            Ok(r) => r,
            Err(collected) => return collected,
        };
        let mut items = Vec::new();
        for network in list.value.as_array().into_iter().flatten() {
            let name = network["Name"].as_str().unwrap_or_default();
            match accepts(object, "name", name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let mut item = Item::new(item_type(object.kind));
            item.push("id", Datatype::String, network["Id"].as_str().unwrap_or_default());
            item.push("name", Datatype::String, name);
            item.push("driver", Datatype::String, network["Driver"].as_str().unwrap_or_default());
            item.push("scope", Datatype::String, network["Scope"].as_str().unwrap_or_default());
            item.push(
                "ingress",
                Datatype::Boolean,
                network["Ingress"].as_bool().unwrap_or(false).to_string(),
            );
            let encrypted = network["Options"].get("encrypted").is_some();
            item.push("encrypted", Datatype::Boolean, encrypted.to_string());
            items.push(item);
        }
        let mut collected = Collected::from_items(items);
        collected.evidence.push(list.evidence);
        collected
    }
}
