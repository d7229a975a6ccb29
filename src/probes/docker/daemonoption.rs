//! `docker:daemonoption_object` → `docker:daemonoption_item`: one item per value of a dockerd
//! setting as the daemon would run with it ([`DaemonConfig`]), named by its daemon.json key
//! (`hosts`, `tlscacert`, `log-opts.max-size`, …), with where the value came from: `source`
//! (`flag`, `daemon.json`, `docker.socket`, `environment`, `default`, `engine`) and `location`
//! (`/etc/docker/daemon.json:3:12`, `/lib/systemd/system/docker.service:14`, `dockerd default`,
//! the engine document).
//!
//! A configuration dockerd would refuse (daemon.json that is not strict JSON, a setting given both
//! as a flag and in the file, a flag it rejects) has no effective settings: the object is an
//! error that says where.

use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Subject};
use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::dockerd::{DaemonConfig, DaemonConfigCache, Refusal};
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct DaemonOptionProbe {
    pub config: Arc<DaemonConfigCache>,
}

impl Probe for DaemonOptionProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "daemonoption_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error(format!("object `{}` has no `name`", object.id));
        }
        let config = self.config.get(ctx.root(), ctx.target.engine());
        if let Some(refusal) = &config.refusal {
            // Only what does not depend on the refused files can still be told.
            let names = object.entity("name").and_then(|e| e.exact_values());
            if !names.is_some_and(|n| n.iter().all(|n| config.known_despite_refusal(n))) {
                return refused(refusal, &config);
            }
        }
        let kind = item_type(object.kind);
        let mut items = Vec::new();
        for setting in &config.settings {
            match accepts(object, "name", &setting.name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let mut item = Item::new(kind.clone());
            item.push("name", Datatype::String, setting.name.clone());
            item.push("value", Datatype::String, setting.value.clone());
            item.push("source", Datatype::String, setting.source.as_str());
            item.push("location", Datatype::String, setting.origin.to_string());
            item.messages.extend(setting.notes.iter().cloned());
            items.push(item);
        }
        let mut collected = Collected::from_items(items);
        if let Some(refusal) = &config.refusal {
            collected.messages.push(
                Diagnostic::new(Code::Malformed, refusal.message.clone())
                    .with_level(crate::diag::Level::Warning),
            );
        }
        with_context(collected, &config)
    }
}

/// The configuration's notes and the files read, added to what a probe collected.
pub fn with_context(mut collected: Collected, config: &DaemonConfig) -> Collected {
    collected.messages.extend(config.notes.iter().map(|n| Diagnostic::note(n.clone())));
    collected.evidence.extend(config.evidence.iter().cloned());
    collected
}

/// The object is an error: dockerd would not run with this configuration.
pub fn refused(refusal: &Refusal, config: &DaemonConfig) -> Collected {
    let code = if refusal.unreadable { Code::Unreadable } else { Code::Malformed };
    let mut diagnostic = Diagnostic::new(code, refusal.message.clone());
    if let Some(path) = &refusal.path {
        diagnostic = diagnostic.about(Subject::File { path: path.clone() });
    }
    with_context(Collected::error(diagnostic), config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};
    use crate::semantics::CollectedFlag;

    fn probe() -> DaemonOptionProbe {
        DaemonOptionProbe { config: Arc::new(DaemonConfigCache::default()) }
    }

    fn root_with(daemon_json: &str) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/docker")).unwrap();
        std::fs::write(dir.path().join("etc/docker/daemon.json"), daemon_json).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn one_item_per_value_with_its_source_and_location() {
        let (_d, root) =
            root_with("{\n  \"hosts\": [\"unix:///var/run/docker.sock\", \"0.0.0.0:2375\"]\n}\n");
        let c = collect(&probe(), vec![equals("name", "hosts")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(field_names(&c.items[0]), ["name", "value", "source", "location"]);
        assert_eq!(text(&c.items[1], "value"), "tcp://0.0.0.0:2375");
        assert_eq!(text(&c.items[1], "source"), "daemon.json");
        assert_eq!(text(&c.items[1], "location"), "/etc/docker/daemon.json:2:44");
        assert!(c.items[1].messages[0].contains("dockerd reads it as `tcp://0.0.0.0:2375`"));
        assert_eq!(c.evidence.len(), 1);
        let c = collect(&probe(), vec![pattern("name", "^userland-proxy$")], &root);
        assert_eq!((text(&c.items[0], "value"), text(&c.items[0], "source")), ("true", "default"));
        let c = collect(&probe(), vec![equals("name", "tlscacert")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn a_configuration_dockerd_refuses_is_an_error_naming_the_file() {
        let (_d, root) = root_with("{\"log-driver\": \"syslog\",}");
        let c = collect(&probe(), vec![equals("name", "log-driver")], &root);
        assert_eq!(c.flag, CollectedFlag::Error);
        assert_eq!(c.messages[0].code, Code::Malformed);
        assert!(c.messages[0].message.contains("/etc/docker/daemon.json:1:25"), "{}", c.messages[0]);
        assert_eq!(c.messages[0].subject, Some(Subject::File { path: "/etc/docker/daemon.json".into() }));
        // Whether an engine answered does not depend on the files: no engine, no item, no error.
        let c = collect(&probe(), vec![equals("name", "engine")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        assert!(c.messages.iter().any(|m| m.message.contains("dockerd refuses it")));
    }
}
