//! The probe API: the [`Probe`] trait, what a probe gets ([`ResolvedObject`], [`ProbeContext`]) and
//! returns ([`Collected`]). Probes are listed in the registry (`probes/mod.rs`).
//!
//! A probe gets an object whose variables are already resolved ([`ResolvedObject`]) and the
//! [`ScanTarget`]; it returns the items it collected and a collected-object flag. It never panics
//! on host data: an unreadable file becomes an item with status `error` or a flag with a message.
//! What a probe needs of the target ([`Needs`]) is declared, and [`Registry::collect`] alone
//! decides what happens when the target cannot give it (a mounted root has no running kernel or
//! network interfaces; a scan without an engine source has no Docker Engine API).

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, Level};
use crate::host::{Root, ScanTarget};
use crate::model::oval::{Family, Item, TypeName};
use crate::semantics::{CollectedFlag, ResolvedEntity};

#[derive(Debug, Clone)]
pub struct ResolvedObject<'a> {
    pub id: &'a str,
    pub kind: &'a TypeName,
    pub entities: Vec<ResolvedEntity>,
    /// `<behaviors>` attributes, name → value.
    pub behaviors: &'a [(String, String)],
}

impl ResolvedObject<'_> {
    pub fn entity(&self, name: &str) -> Option<&ResolvedEntity> {
        self.entities.iter().find(|e| e.name == name)
    }

    pub fn behavior(&self, name: &str) -> Option<&str> {
        self.behaviors.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What a probe returns for one object.
#[derive(Debug, Clone)]
pub struct Collected {
    pub flag: CollectedFlag,
    pub items: Vec<Item>,
    pub messages: Vec<Diagnostic>,
    /// Files read to collect the items: (in-root path, SHA-256 of the bytes read), as evidence.
    pub evidence: Vec<(String, String)>,
}

impl Collected {
    /// `complete` with the items found, or `does not exist` when there are none.
    pub fn from_items(items: Vec<Item>) -> Self {
        let flag = if items.is_empty() { CollectedFlag::DoesNotExist } else { CollectedFlag::Complete };
        Collected { flag, items, messages: Vec::new(), evidence: Vec::new() }
    }

    /// Flag `error`. A bare message says nothing more specific, but is an error all the same.
    pub fn error(message: impl Into<Diagnostic>) -> Self {
        let message = message.into();
        let message = if message.code == Code::Note { message.with_level(Level::Error) } else { message };
        Collected {
            flag: CollectedFlag::Error,
            items: Vec::new(),
            messages: vec![message],
            evidence: Vec::new(),
        }
    }

    pub fn not_collected(message: impl Into<String>) -> Self {
        Collected {
            flag: CollectedFlag::NotCollected,
            items: Vec::new(),
            messages: vec![Diagnostic::new(Code::NotCollected, message)],
            evidence: Vec::new(),
        }
    }
}

/// What a probe may use besides the object: the scan target (its root, and the Docker Engine
/// source when the scan has one).
pub struct ProbeContext<'a> {
    pub target: &'a ScanTarget,
    /// The object's filters, when the probe may apply them while collecting. A walk of `/`
    /// then keeps the few items that pass instead of one item per file (as oscap does).
    pub filter: Option<&'a dyn ItemFilter>,
}

impl<'a> ProbeContext<'a> {
    pub fn new(target: &'a ScanTarget) -> Self {
        ProbeContext { target, filter: None }
    }

    /// The file system being scanned.
    pub fn root(&self) -> &'a Root {
        self.target.root()
    }

    /// Would the object's filters keep `item`? (Always, without filters.)
    pub fn keeps(&self, item: &Item) -> bool {
        self.filter.is_none_or(|f| f.keeps(item))
    }

    /// May the probe leave out field `name` until [`ProbeContext::keeps`] has decided? True when
    /// there are filters and none of their states reads the field.
    pub fn can_defer_field(&self, name: &str) -> bool {
        self.filter.is_some_and(|f| !f.reads_field(name))
    }
}

/// An object's `<filter>`s, applied by a probe to each item as it is made. Applying them again
/// to the kept items later changes nothing, so a probe that ignores the filter is still right.
pub trait ItemFilter: Sync {
    fn keeps(&self, item: &Item) -> bool;
    /// Does any filter state look at the field `name`?
    fn reads_field(&self, name: &str) -> bool;
}

/// What a probe needs of the scan target besides its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Only files under the root: works on any root, mounted or live.
    Files,
    /// The running kernel, which every root scanned on this machine shares (a container's or a
    /// DaemonSet's `/host` runs on it; a disk image does not): collected offline too, with a
    /// message saying whose kernel it is.
    Kernel,
    /// The running system itself (its network interfaces, say): on a mounted root the object
    /// gets flag `otherwise` and a message.
    RunningSystem { otherwise: CollectedFlag },
    /// The Docker Engine API (live or from a snapshot): without an engine source the object is
    /// `not collected`.
    Engine,
}

pub trait Probe: Send + Sync {
    /// The family and object element name this probe collects, e.g. `(Family::Unix, "file_object")`.
    fn object_type(&self) -> (Family, &'static str);

    /// What the probe needs of the target; [`Registry::collect`] acts on it.
    fn needs(&self) -> Needs {
        Needs::Files
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected;
}

/// The probes of a run, looked up by object type. Built once per run and shared by every OVAL
/// document the run evaluates.
pub struct Registry {
    probes: HashMap<Family, HashMap<&'static str, Box<dyn Probe>>>,
}

impl Registry {
    pub fn with(probes: Vec<Box<dyn Probe>>) -> Registry {
        let mut by_family: HashMap<Family, HashMap<&'static str, Box<dyn Probe>>> = HashMap::new();
        for probe in probes {
            let (family, name) = probe.object_type();
            by_family.entry(family).or_default().insert(name, probe);
        }
        Registry { probes: by_family }
    }

    pub fn get(&self, family: Family, object_name: &str) -> Option<&dyn Probe> {
        self.probes.get(&family)?.get(object_name).map(|p| p.as_ref())
    }

    /// Object types (family, `file_object`…) the registry has a probe for.
    pub fn object_types(&self) -> impl Iterator<Item = (Family, &'static str)> + '_ {
        self.probes.iter().flat_map(|(family, probes)| probes.keys().map(move |name| (*family, *name)))
    }

    /// Collect `object` with `probe`, unless the target cannot give what the probe needs: the one
    /// place that decides "not collected offline".
    pub fn collect(probe: &dyn Probe, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let live = ctx.target.is_running_system();
        match probe.needs() {
            Needs::Files => probe.collect(object, ctx),
            Needs::Kernel => {
                let mut collected = probe.collect(object, ctx);
                if !live {
                    let note = format!(
                        "values are the scanning host's kernel; root `{}` has no running kernel",
                        ctx.root().base().display()
                    );
                    for item in &mut collected.items {
                        item.messages.push(note.clone());
                    }
                }
                collected
            }
            Needs::RunningSystem { otherwise } if !live => Collected {
                flag: otherwise,
                items: Vec::new(),
                messages: vec![Diagnostic::new(
                    Code::NeedsRunningSystem,
                    format!(
                        "`{}` needs the running system; root `{}` is not one",
                        object.kind.name,
                        ctx.root().base().display()
                    ),
                )],
                evidence: Vec::new(),
            },
            Needs::RunningSystem { .. } => probe.collect(object, ctx),
            Needs::Engine if ctx.target.engine().is_none() => Collected {
                flag: CollectedFlag::NotCollected,
                items: Vec::new(),
                messages: vec![Diagnostic::new(
                    Code::NeedsEngine,
                    format!(
                        "`{}` reads the Docker Engine API, and this scan has no engine source \
                         (--docker-host or --snapshot)",
                        object.kind.name
                    ),
                )],
                evidence: Vec::new(),
            },
            Needs::Engine => probe.collect(object, ctx),
        }
    }
}

/// The item type name for an object type name: `file_object` → `file_item`.
pub fn item_type(object: &TypeName) -> TypeName {
    TypeName {
        family: object.family,
        namespace: object.namespace.replace("oval-definitions-5", "oval-system-characteristics-5"),
        name: format!("{}_item", object.base()),
    }
}
