//! `ind:environmentvariable_object` (deprecated since OVAL 5.8, still in 5.11.2 and in older
//! content): the environment variables of the scanning process on the scanned system — `name` and
//! `value`, no pid (OVAL 5.11.2 independent schema, `environmentvariable_object`). Read from the
//! scanner's own `/proc/<pid>/environ` under the root, as oscap's probe reports its own
//! environment. A mounted root is not a running system the scanner runs in: `not collected`, with
//! the reason (the registry says so, see `Needs::RunningSystem`).

use crate::model::oval::{Datatype, Family, Item};
use crate::probes::api::Needs;
use crate::probes::independent::environmentvariable58::parse_environ;
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};
use crate::semantics::CollectedFlag;

pub struct EnvironmentVariableProbe;

impl Probe for EnvironmentVariableProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "environmentvariable_object")
    }

    fn needs(&self) -> Needs {
        Needs::RunningSystem { otherwise: CollectedFlag::NotCollected }
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("name").is_none() {
            return Collected::error("environmentvariable_object without a `name` entity");
        }
        let pid = std::process::id();
        let environ = match ctx.root().read(&format!("/proc/{pid}/environ")) {
            Ok(c) => c.bytes,
            Err(e) => return Collected::error(format!("the scanner's environment cannot be read: {e}")),
        };
        let mut items = Vec::new();
        for (name, value) in parse_environ(&environ) {
            match accepts(object, "name", &name) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let mut item = Item::new(item_type(object.kind));
            item.push("name", Datatype::String, name);
            item.push("value", Datatype::String, value);
            items.push(item);
        }
        Collected::from_items(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, pattern, text};

    #[test]
    fn reads_the_scanners_own_environment() {
        let root = Root::new("/").unwrap();
        let c = collect(&EnvironmentVariableProbe, vec![pattern("name", "^PATH$")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(field_names(&c.items[0]), ["name", "value"]);
        assert_eq!(text(&c.items[0], "value"), std::env::var("PATH").unwrap());
        let none =
            collect(&EnvironmentVariableProbe, vec![equals("name", "STIGRUN_NO_SUCH_VARIABLE")], &root);
        assert_eq!(none.flag, CollectedFlag::DoesNotExist);
    }
}
