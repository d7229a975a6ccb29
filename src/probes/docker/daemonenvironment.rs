//! `docker:daemonenvironment_object` → `docker:daemonenvironment_item`: the environment systemd
//! gives the dockerd process (`DefaultEnvironment=`, `Environment=`, `EnvironmentFile=`, minus
//! `UnsetEnvironment=`), one item per variable with the file and line that set it. A variable
//! set and then removed gives no item; a message says where it was set and removed.

use std::sync::Arc;

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::dockerd::DaemonConfigCache;
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

use super::daemonoption::{refused, with_context};

pub struct DaemonEnvironmentProbe {
    pub config: Arc<DaemonConfigCache>,
}

impl Probe for DaemonEnvironmentProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "daemonenvironment_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error(format!("object `{}` has no `name`", object.id));
        }
        let config = self.config.get(ctx.root(), ctx.target.engine());
        // A daemon.json dockerd refuses leaves systemd's environment as it is; only a unit systemd
        // cannot start leaves it unknown.
        if let Some(refusal) = &config.environment_refusal {
            return refused(refusal, &config);
        }
        let kind = item_type(object.kind);
        let mut items = Vec::new();
        for var in &config.environment.vars {
            match accepts(object, "name", &var.name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let mut item = Item::new(kind.clone());
            item.push("name", Datatype::String, var.name.clone());
            item.push("value", Datatype::String, var.value.clone());
            item.push("location", Datatype::String, var.origin.to_string());
            items.push(item);
        }
        let mut collected = Collected::from_items(items);
        for removed in &config.environment.removed {
            if accepts(object, "name", &removed.var.name).unwrap_or(false) {
                collected.messages.push(
                    format!(
                        "{}={} ({}) is removed by UnsetEnvironment= ({})",
                        removed.var.name, removed.var.value, removed.var.origin, removed.removed_at
                    )
                    .into(),
                );
            }
        }
        with_context(collected, &config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, text};
    use crate::semantics::CollectedFlag;

    #[test]
    fn variables_with_where_they_were_set_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let unit = dir.path().join("lib/systemd/system/docker.service");
        std::fs::create_dir_all(unit.parent().unwrap()).unwrap();
        std::fs::write(
            &unit,
            "[Service]\nEnvironment=DOCKER_FIPS=1 OTHER=x\nUnsetEnvironment=DOCKER_FIPS\nExecStart=/usr/bin/dockerd\n",
        )
        .unwrap();
        let root = Root::new(dir.path()).unwrap();
        let probe = DaemonEnvironmentProbe { config: Arc::new(DaemonConfigCache::default()) };
        let c = collect(&probe, vec![equals("name", "DOCKER_FIPS")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        assert!(c.messages.iter().any(|m| m.message.contains(
            "DOCKER_FIPS=1 (/lib/systemd/system/docker.service:2) is removed by UnsetEnvironment= \
             (/lib/systemd/system/docker.service:3)"
        )));
        let c = collect(&probe, vec![equals("name", "OTHER")], &root);
        assert_eq!(text(&c.items[0], "location"), "/lib/systemd/system/docker.service:2");
    }
}
