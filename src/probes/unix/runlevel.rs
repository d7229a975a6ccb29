//! `unix:runlevel_object`: whether a SysV init script starts or stops in a runlevel.
//!
//! The scripts are the files of the init directory; a runlevel's directory holds links named
//! `S<nn><service>` (start) and `K<nn><service>` (kill). Layouts, as OpenSCAP knows them:
//! Red Hat (`/etc/rc.d/init.d`, `/etc/rc.d/rc<N>.d`) and Debian or SUSE (`/etc/init.d`,
//! `/etc/rc<N>.d`). One item per service and runlevel whose directory exists. All reads go
//! through the root, so a mounted image is judged by its own scripts.

use crate::host::{FileKind, Root};
use crate::model::oval::{Datatype, Family, Item};
use crate::model::spelling::boolean;
use crate::probes::support::entity_filter::accepts;
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// Runlevels SysV init knows, in the order items are listed.
const RUNLEVELS: [&str; 8] = ["0", "1", "2", "3", "4", "5", "6", "S"];

/// (init script directory, runlevel directory pattern with `{}` for the runlevel)
const LAYOUTS: [(&str, &str); 2] = [("/etc/rc.d/init.d", "/etc/rc.d/rc{}.d"), ("/etc/init.d", "/etc/rc{}.d")];

pub struct RunlevelProbe;

impl Probe for RunlevelProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "runlevel_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let root = ctx.root();
        let Some((init_dir, rc_pattern)) = LAYOUTS.iter().find(|(init, _)| root.read_dir(init).is_ok())
        else {
            return Collected::from_items(Vec::new());
        };
        let mut services = match root.read_dir(init_dir) {
            Ok(names) => names,
            Err(e) => return Collected::error(e.to_string()),
        };
        services.sort();
        let mut items = Vec::new();
        for runlevel in RUNLEVELS {
            match accepts(object, "runlevel", runlevel) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let Ok(links) = root.read_dir(&rc_pattern.replace("{}", runlevel)) else { continue };
            for service in &services {
                if !is_script(root, init_dir, service) {
                    continue;
                }
                match accepts(object, "service_name", service) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => return Collected::error(e.to_string()),
                }
                let named = |prefix: char| links.iter().any(|link| links_to(link, prefix, service));
                let mut item = Item::new(item_type(object.kind));
                item.push("service_name", Datatype::String, service.clone());
                item.push("runlevel", Datatype::String, runlevel.to_string());
                item.push("start", Datatype::Boolean, boolean(named('S')).to_string());
                item.push("kill", Datatype::Boolean, boolean(named('K')).to_string());
                if ctx.keeps(&item) {
                    items.push(item);
                }
            }
        }
        Collected::from_items(items)
    }
}

/// A regular file in the init directory (helpers such as `functions` are files too, as they are
/// for OpenSCAP; dot files and directories are not scripts).
fn is_script(root: &Root, init_dir: &str, name: &str) -> bool {
    !name.starts_with('.')
        && root.stat(&format!("{init_dir}/{name}")).is_ok_and(|m| m.kind == FileKind::Regular)
}

/// `S20ssh` names `ssh` with prefix `S`: the prefix, two digits, then the service name.
fn links_to(link: &str, prefix: char, service: &str) -> bool {
    let Some(rest) = link.strip_prefix(prefix) else { return false };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && &rest[digits..] == service
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{collect, equals, field_names, text};
    use crate::semantics::CollectedFlag;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn debian_root() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        fs::create_dir_all(etc.join("init.d")).unwrap();
        for s in ["ssh", "cron", "rsync"] {
            fs::write(etc.join("init.d").join(s), "#!/bin/sh\n").unwrap();
        }
        for (level, links) in [("2", &["S01ssh", "S01cron", "K01rsync"][..]), ("0", &["K01ssh"][..])] {
            let rc = etc.join(format!("rc{level}.d"));
            fs::create_dir_all(&rc).unwrap();
            for link in links {
                let service = link.trim_start_matches(|c: char| !c.is_ascii_lowercase());
                symlink(format!("../init.d/{service}"), rc.join(link)).unwrap();
            }
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn start_and_kill_links_per_service_and_runlevel() {
        let (_dir, root) = debian_root();
        let c = collect(&RunlevelProbe, vec![equals("service_name", "ssh"), equals("runlevel", "2")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(c.items.len(), 1);
        let item = &c.items[0];
        assert_eq!(field_names(item), ["service_name", "runlevel", "start", "kill"]);
        assert_eq!((text(item, "start"), text(item, "kill")), ("true", "false"));

        let c = collect(&RunlevelProbe, vec![equals("service_name", "rsync")], &root);
        let by_level: Vec<(&str, &str, &str)> =
            c.items.iter().map(|i| (text(i, "runlevel"), text(i, "start"), text(i, "kill"))).collect();
        assert_eq!(by_level, [("0", "false", "false"), ("2", "false", "true")]);
    }

    #[test]
    fn no_init_directory_means_no_items() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path()).unwrap();
        let c = collect(&RunlevelProbe, vec![equals("service_name", "ssh")], &root);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn link_names_need_digits_and_the_exact_service() {
        assert!(links_to("S20ssh", 'S', "ssh"));
        assert!(!links_to("Sssh", 'S', "ssh"));
        assert!(!links_to("S20sshd", 'S', "ssh"));
        assert!(!links_to("K20ssh", 'S', "ssh"));
    }
}
