//! Probes: one file per OVAL object type, all behind [`Probe`], registered in [`registry`].
//!
//! A probe gets an object whose variables are already resolved ([`ResolvedObject`]) and the
//! [`Root`]; it returns the items it collected and a collected-object flag. It never panics
//! on host data: an unreadable file becomes an item with status `error` or a flag with a message.

pub mod dpkginfo;
pub mod entity_filter;
pub mod environmentvariable58;
pub mod family;
pub mod file;
pub mod filehash;
pub mod filehash58;
pub mod fileset;
pub mod interface;
pub mod partition;
pub mod password;
pub mod process58;
pub mod rpminfo;
pub mod rpmverifyfile;
pub mod selinuxboolean;
pub mod selinuxsecuritycontext;
pub mod shadow;
pub mod symlink;
pub mod sysctl;
pub mod system_info;
pub mod systemd_units;
pub mod systemdunitdependency;
pub mod systemdunitproperty;
pub mod textfilecontent;
pub mod textfilecontent54;
pub mod uname;
pub mod xmlfilecontent;
pub mod xpath;
pub mod yamlfilecontent;

use crate::host::Root;
use crate::model::oval::{Check, Datatype, Family, Item, Operation, TypeName};

/// The `flag` of a collected object (OVAL FlagEnumeration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CollectedFlag {
    Error,
    Complete,
    Incomplete,
    DoesNotExist,
    NotCollected,
    NotApplicable,
}

impl CollectedFlag {
    const ALL: [CollectedFlag; 6] = [
        CollectedFlag::Error,
        CollectedFlag::Complete,
        CollectedFlag::Incomplete,
        CollectedFlag::DoesNotExist,
        CollectedFlag::NotCollected,
        CollectedFlag::NotApplicable,
    ];

    /// The spelling of OVAL results and system-characteristics files.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectedFlag::Error => "error",
            CollectedFlag::Complete => "complete",
            CollectedFlag::Incomplete => "incomplete",
            CollectedFlag::DoesNotExist => "does not exist",
            CollectedFlag::NotCollected => "not collected",
            CollectedFlag::NotApplicable => "not applicable",
        }
    }

    /// The flag [`CollectedFlag::as_str`] spells as `text`.
    pub fn parse(text: &str) -> Option<CollectedFlag> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// An object entity after variable resolution: the values to match and how.
#[derive(Debug, Clone)]
pub struct ResolvedEntity {
    pub name: String,
    pub datatype: Datatype,
    pub operation: Operation,
    /// One value for a literal entity; every value of the variable for a `var_ref` entity.
    pub values: Vec<String>,
    pub var_check: Check,
    /// `xsi:nil="true"` (e.g. `filename` nil in a file_object means: the directory itself).
    pub nil: bool,
    /// True when the values came from a variable (affects var_check semantics).
    pub from_variable: bool,
}

impl ResolvedEntity {
    /// Does `candidate` (a value found on the system) match this entity?
    /// Multiple variable values are combined with `var_check`.
    pub fn matches(&self, candidate: &str) -> Result<bool, crate::eval::EvalError> {
        crate::eval::compare::entity_matches(self, candidate)
    }

    /// The single literal value when the operation is `equals` (lets a probe go straight to a
    /// path instead of searching).
    pub fn exact_values(&self) -> Option<&[String]> {
        (self.operation == Operation::Equals && !self.nil)
            .then(|| crate::eval::compare::exact_candidates(self))?
    }
}

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
    pub messages: Vec<String>,
    /// Files read to collect the items: (in-root path, SHA-256 of the bytes read), as evidence.
    pub evidence: Vec<(String, String)>,
}

impl Collected {
    /// `complete` with the items found, or `does not exist` when there are none.
    pub fn from_items(items: Vec<Item>) -> Self {
        let flag = if items.is_empty() { CollectedFlag::DoesNotExist } else { CollectedFlag::Complete };
        Collected { flag, items, messages: Vec::new(), evidence: Vec::new() }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Collected {
            flag: CollectedFlag::Error,
            items: Vec::new(),
            messages: vec![message.into()],
            evidence: Vec::new(),
        }
    }

    pub fn not_collected(message: impl Into<String>) -> Self {
        Collected {
            flag: CollectedFlag::NotCollected,
            items: Vec::new(),
            messages: vec![message.into()],
            evidence: Vec::new(),
        }
    }
}

/// What a probe may use besides the object: the root and facts gathered once per run.
pub struct ProbeContext<'a> {
    pub root: &'a Root,
    /// The object's filters, when the probe may apply them while collecting. A walk of `/`
    /// then keeps the few items that pass instead of one item per file (as oscap does).
    pub filter: Option<&'a dyn ItemFilter>,
}

impl<'a> ProbeContext<'a> {
    pub fn new(root: &'a Root) -> Self {
        ProbeContext { root, filter: None }
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

pub trait Probe: Send + Sync {
    /// The family and object element name this probe collects, e.g. `(Family::Unix, "file_object")`.
    fn object_type(&self) -> (Family, &'static str);

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected;
}

/// Every probe stigrun has. One line per probe; the evaluator looks probes up here.
pub fn registry() -> Vec<Box<dyn Probe>> {
    vec![
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
        Box::new(interface::InterfaceProbe),
        Box::new(selinuxboolean::SelinuxBooleanProbe),
        Box::new(rpminfo::RpminfoProbe),
        Box::new(rpmverifyfile::RpmverifyfileProbe),
        Box::new(process58::Process58Probe),
        Box::new(selinuxsecuritycontext::SelinuxSecurityContextProbe),
    ]
}

/// The item type name for an object type name: `file_object` → `file_item`.
pub fn item_type(object: &TypeName) -> TypeName {
    TypeName {
        family: object.family,
        namespace: object.namespace.replace("oval-definitions-5", "oval-system-characteristics-5"),
        name: format!("{}_item", object.base()),
    }
}
