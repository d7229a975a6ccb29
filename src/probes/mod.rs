//! Probes: one file per OVAL object type, grouped by OVAL family as OpenSCAP groups them
//! (`independent/`, `unix/`, `linux/`), behind the [`Probe`] trait of [`api`]. Helpers that are not
//! probes (file sets, account files, XPath, the systemd unit store, system facts) live in
//! `support/`.
//!
//! This file is the registry: adding a probe means writing its file and adding two lines here (its
//! module and its entry in [`Registry::standard`]).

pub mod api;
pub(crate) mod support;

/// RPM header blobs decoded as the RPM probes decode them (public for the fuzz target).
pub use support::rpmdb::RpmPackage;
pub use support::rpmdb::header::HeaderError as RpmHeaderError;
/// The Berkeley DB and NDB readers, for the fuzz targets.
pub use support::rpmdb::{bdb as rpmdb_bdb, ndb as rpmdb_ndb};

pub(crate) mod independent {
    pub mod environmentvariable;
    pub mod environmentvariable58;
    pub mod family;
    pub mod filehash;
    pub mod filehash58;
    pub mod textfilecontent;
    pub mod textfilecontent54;
    pub mod xmlfilecontent;
    pub mod yamlfilecontent;
}

pub(crate) mod unix {
    pub mod file;
    pub mod fileextendedattribute;
    pub mod interface;
    pub mod password;
    pub mod process58;
    pub mod runlevel;
    pub mod shadow;
    pub mod symlink;
    pub mod sysctl;
    pub mod uname;
    pub mod xinetd;
}

/// stigrun's Docker extension family (`Family::Docker`): the Engine API and dockerd's effective
/// configuration.
pub(crate) mod docker {
    pub mod certificate;
    pub mod container;
    pub mod daemonenvironment;
    pub mod daemonoption;
    pub mod image;
    pub mod network;
    mod read;
    pub mod setting;
}

pub(crate) mod linux {
    pub mod dpkginfo;
    pub mod iflisteners;
    pub mod inetlisteningservers;
    pub mod partition;
    pub mod rpminfo;
    pub mod rpmverify;
    pub mod rpmverifyfile;
    pub mod rpmverifypackage;
    pub mod selinuxboolean;
    pub mod selinuxsecuritycontext;
    pub mod systemdunitdependency;
    pub mod systemdunitproperty;
}

/// Readers of host data without a target, for the fuzz targets (`fuzz/`).
#[doc(hidden)]
pub mod fuzzing {
    pub use super::independent::yamlfilecontent::query_text as yaml_query;
    pub use super::support::dockerd::json::parse as daemon_json;
}

pub use api::{Collected, ItemFilter, Needs, Probe, ProbeContext, Registry, ResolvedObject, item_type};

impl Registry {
    /// A registry of every probe stigrun has.
    pub fn standard() -> Registry {
        Registry::with(standard_probes())
    }
}

/// Every probe stigrun has. One line per probe.
fn standard_probes() -> Vec<Box<dyn Probe>> {
    use independent::*;
    use linux::*;
    use unix::*;
    // The dockerd probes share one reading of dockerd's configuration per scan.
    let dockerd = std::sync::Arc::new(support::dockerd::DaemonConfigCache::default());
    vec![
        Box::new(docker::container::ContainerProbe),
        Box::new(docker::setting::SettingProbe),
        Box::new(docker::network::NetworkProbe),
        Box::new(docker::certificate::CertificateProbe),
        Box::new(docker::image::ImageProbe),
        Box::new(file::FileProbe),
        Box::new(textfilecontent54::TextFileContent54Probe),
        Box::new(textfilecontent::TextFileContentProbe),
        Box::new(filehash58::FileHash58Probe),
        Box::new(filehash::FileHashProbe),
        Box::new(symlink::SymlinkProbe),
        Box::new(yamlfilecontent::YamlFileContentProbe),
        Box::new(xmlfilecontent::XmlFileContentProbe),
        Box::new(family::FamilyProbe),
        Box::new(uname::UnameProbe),
        Box::new(sysctl::SysctlProbe),
        Box::new(dpkginfo::DpkginfoProbe),
        Box::new(password::PasswordProbe),
        Box::new(shadow::ShadowProbe),
        Box::new(systemdunitproperty::SystemdUnitPropertyProbe),
        Box::new(systemdunitdependency::SystemdUnitDependencyProbe),
        Box::new(partition::PartitionProbe),
        Box::new(environmentvariable58::EnvironmentVariable58Probe),
        Box::new(environmentvariable::EnvironmentVariableProbe),
        Box::new(interface::InterfaceProbe),
        Box::new(selinuxboolean::SelinuxBooleanProbe),
        Box::new(rpminfo::RpminfoProbe),
        Box::new(rpmverifyfile::RpmverifyfileProbe),
        Box::new(rpmverify::RpmverifyProbe),
        Box::new(rpmverifypackage::RpmverifypackageProbe),
        Box::new(process58::Process58Probe),
        Box::new(selinuxsecuritycontext::SelinuxSecurityContextProbe),
        Box::new(runlevel::RunlevelProbe),
        Box::new(fileextendedattribute::FileExtendedAttributeProbe),
        Box::new(xinetd::XinetdProbe),
        Box::new(inetlisteningservers::InetListeningServersProbe),
        Box::new(iflisteners::IflistenersProbe),
        Box::new(docker::daemonoption::DaemonOptionProbe { config: dockerd.clone() }),
        Box::new(docker::daemonenvironment::DaemonEnvironmentProbe { config: dockerd }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oval::Family;

    /// Every probe is registered once (a second probe for one object type would never run), and
    /// sits in the folder of its OVAL family.
    #[test]
    fn probes_are_registered_once_in_their_family() {
        let types: Vec<(Family, &str)> = standard_probes().iter().map(|p| p.object_type()).collect();
        let mut unique = types.clone();
        unique.sort_by_key(|(f, n)| (format!("{f:?}"), *n));
        unique.dedup();
        assert_eq!(unique.len(), types.len(), "{types:?}");
        let registry = Registry::standard();
        assert_eq!(registry.object_types().count(), types.len());
        for (family, name) in types {
            assert!(registry.get(family, name).is_some());
        }
        for expected in [
            (Family::Independent, "family_object"),
            (Family::Unix, "uname_object"),
            (Family::Unix, "sysctl_object"),
            (Family::Linux, "dpkginfo_object"),
            (Family::Unix, "password_object"),
            (Family::Unix, "shadow_object"),
            (Family::Linux, "systemdunitproperty_object"),
            (Family::Linux, "systemdunitdependency_object"),
            (Family::Linux, "partition_object"),
            (Family::Independent, "environmentvariable58_object"),
            (Family::Independent, "environmentvariable_object"),
            (Family::Unix, "interface_object"),
            (Family::Linux, "selinuxboolean_object"),
            (Family::Linux, "rpminfo_object"),
            (Family::Linux, "rpmverifyfile_object"),
            (Family::Unix, "process58_object"),
            (Family::Linux, "selinuxsecuritycontext_object"),
            (Family::Unix, "xinetd_object"),
            (Family::Linux, "inetlisteningservers_object"),
            (Family::Linux, "iflisteners_object"),
            (Family::Linux, "rpmverify_object"),
            (Family::Linux, "rpmverifypackage_object"),
            (Family::Docker, "container_object"),
            (Family::Docker, "setting_object"),
            (Family::Docker, "network_object"),
            (Family::Docker, "daemonoption_object"),
            (Family::Docker, "daemonenvironment_object"),
        ] {
            assert!(registry.get(expected.0, expected.1).is_some(), "{expected:?}");
        }
    }

    /// A probe's file lives in the folder of the family it declares.
    #[test]
    fn probe_files_sit_in_their_family_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/probes");
        for probe in standard_probes() {
            let (family, object) = probe.object_type();
            let folder = match family {
                Family::Independent => "independent",
                Family::Unix => "unix",
                Family::Linux => "linux",
                Family::Docker => "docker",
                other => panic!("no folder for family {other:?}"),
            };
            let file = dir.join(folder).join(format!("{}.rs", object.trim_end_matches("_object")));
            assert!(file.is_file(), "{object}: expected {}", file.display());
        }
    }
}
