//! `docker:image_object`: one item per repository tag of the engine's images (`GET /images/json`
//! `RepoTags`), with the image id, repository and tag, so a state can compare tags as versions
//! (DKER-EE-004130: no UCP or DTR image older than the installed release). Untagged images
//! (`<none>:<none>`) have no repository to name and give no item.

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Needs, Probe, ProbeContext, ResolvedObject, item_type};

use super::read::read;

pub struct ImageProbe;

impl Probe for ImageProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Docker, "image_object")
    }

    fn needs(&self) -> Needs {
        Needs::Engine
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(engine) = ctx.target.engine() else {
            return Collected::not_collected("no engine source");
        };
        let list = match read(engine, "engine/images.json") {
            Ok(r) => r,
            Err(collected) => return collected,
        };
        let mut items = Vec::new();
        for image in list.value.as_array().into_iter().flatten() {
            let id = image["Id"].as_str().unwrap_or_default();
            for tag in image["RepoTags"].as_array().into_iter().flatten().filter_map(|t| t.as_str()) {
                let Some((repository, tag)) = split_reference(tag) else { continue };
                match accepts(object, "repository", repository) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => return Collected::error(e.to_string()),
                }
                let mut item = Item::new(item_type(object.kind));
                item.push("id", Datatype::String, id);
                item.push("repository", Datatype::String, repository);
                item.push("tag", Datatype::String, tag);
                items.push(item);
            }
        }
        let mut collected = Collected::from_items(items);
        collected.evidence.push(list.evidence);
        collected
    }
}

/// `docker/ucp-agent:3.2.5` → (`docker/ucp-agent`, `3.2.5`); a registry port
/// (`registry:5000/app:1`) is part of the repository. `<none>:<none>` is no reference.
fn split_reference(reference: &str) -> Option<(&str, &str)> {
    let (repository, tag) = reference.rsplit_once(':')?;
    if repository == "<none>" || tag.contains('/') {
        return None;
    }
    Some((repository, tag))
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn references_split_at_the_tag() {
        assert_eq!(split_reference("docker/ucp-agent:3.2.5"), Some(("docker/ucp-agent", "3.2.5")));
        assert_eq!(split_reference("registry:5000/app:1.0"), Some(("registry:5000/app", "1.0")));
        assert_eq!(split_reference("registry:5000/app"), None);
        assert_eq!(split_reference("<none>:<none>"), None);
    }
}
