//! OVAL 5.11 definitions model.
//!
//! Objects, states and items are kept generic (a type name plus a list of named entities) rather
//! than one Rust struct per OVAL type: the evaluator treats every test type the same way, and a
//! probe reads only the entities it knows. This keeps the loader to one code path for all of the
//! independent, unix and linux schemas.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::location::Location;

/// Namespace families of OVAL component schemas that stigrun knows.
pub const NS_OVAL_DEFS: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_IND: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#independent";
pub const NS_UNIX: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#unix";
pub const NS_LINUX: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#linux";

/// The schema family of a test, object, state or item: the `#...` suffix of its namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Independent,
    Unix,
    Linux,
    /// stigrun's own extension for what OVAL cannot say about a Docker node: the Engine API
    /// (containers, images, swarm, UCP/DTR settings) and dockerd's effective configuration.
    /// Namespace [`NS_DOCKER_DEFINITIONS`].
    Docker,
    /// A namespace stigrun does not evaluate (windows, macos, …).
    Other,
}

/// The namespace of stigrun's Docker extension objects, tests and states; its schema is in
/// `xsd/` at the top of the repository.
pub const NS_DOCKER_DEFINITIONS: &str = "http://stigrun.io/XMLSchema/oval-definitions-5#docker";
/// The namespace of the matching items (system characteristics).
pub const NS_DOCKER_SYSTEM_CHARACTERISTICS: &str =
    "http://stigrun.io/XMLSchema/oval-system-characteristics-5#docker";

impl Family {
    pub fn from_namespace(ns: &str) -> Family {
        match ns.rsplit_once('#').map(|(_, f)| f) {
            Some("independent") => Family::Independent,
            Some("unix") => Family::Unix,
            Some("linux") => Family::Linux,
            _ if ns == NS_DOCKER_DEFINITIONS || ns == NS_DOCKER_SYSTEM_CHARACTERISTICS => Family::Docker,
            _ => Family::Other,
        }
    }

    /// The `#suffix` used in namespaces and in results / system-characteristics files.
    pub fn suffix(self) -> &'static str {
        match self {
            Family::Independent => "independent",
            Family::Unix => "unix",
            Family::Linux => "linux",
            Family::Docker => "docker",
            Family::Other => "other",
        }
    }
}

/// A component type such as `unix:file_object` / `unix:file_test` / `unix:file_state`.
/// `name` is the element's local name, with its `_test`/`_object`/`_state`/`_item` suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TypeName {
    pub family: Family,
    /// The full namespace URI as written in the document (kept for `Family::Other`).
    pub namespace: String,
    pub name: String,
}

impl TypeName {
    /// The name without its `_test` / `_object` / `_state` / `_item` suffix: `file`, `textfilecontent54`.
    pub fn base(&self) -> &str {
        for suffix in ["_test", "_object", "_state", "_item"] {
            if let Some(b) = self.name.strip_suffix(suffix) {
                return b;
            }
        }
        &self.name
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Operator {
    #[default]
    And,
    Or,
    One,
    Xor,
}

/// `check` and `var_check` / `entity_check` (OVAL CheckEnumeration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Check {
    #[default]
    All,
    AtLeastOne,
    NoneSatisfy,
    OnlyOne,
    /// Deprecated `none exist` value of `check` (OVAL 5.3); treated as check_existence none_exist.
    NoneExist,
}

/// `check_existence` (OVAL ExistenceEnumeration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Existence {
    AllExist,
    AnyExist,
    #[default]
    AtLeastOneExists,
    NoneExist,
    OnlyOneExists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum Operation {
    #[default]
    Equals,
    NotEqual,
    CaseInsensitiveEquals,
    CaseInsensitiveNotEqual,
    GreaterThan,
    LessThan,
    GreaterThanOrEqual,
    LessThanOrEqual,
    BitwiseAnd,
    BitwiseOr,
    PatternMatch,
    SubsetOf,
    SupersetOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Datatype {
    Binary,
    Boolean,
    EvrString,
    DebianEvrString,
    Fileset,
    Float,
    IosVersion,
    Int,
    Ipv4Address,
    Ipv6Address,
    #[default]
    String,
    Version,
    Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DefinitionClass {
    Compliance,
    Inventory,
    Miscellaneous,
    Patch,
    Vulnerability,
}

/// An OVAL definitions document (standalone file or data-stream component).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OvalDefinitions {
    /// Source file (or `file#component-id` for data-stream components).
    pub source: String,
    pub generator: Generator,
    /// In document order, as `oscap oval eval` prints them.
    pub definitions: IndexMap<String, Definition>,
    pub tests: IndexMap<String, Test>,
    pub objects: IndexMap<String, Object>,
    pub states: IndexMap<String, State>,
    pub variables: IndexMap<String, Variable>,
    /// The `oval_definitions` element as written in the source (namespace declarations inherited
    /// from a data stream added), so a results writer can copy it verbatim. `None` when built in code.
    #[serde(skip)]
    pub source_xml: Option<std::sync::Arc<str>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Generator {
    pub product_name: Option<String>,
    pub product_version: Option<String>,
    pub schema_version: String,
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub id: String,
    pub version: String,
    pub class: DefinitionClass,
    pub deprecated: bool,
    pub title: String,
    pub description: String,
    /// (source, ref_id, ref_url)
    pub references: Vec<(String, String, Option<String>)>,
    /// Platforms/products from `metadata/affected`, kept for reports.
    pub affected_platforms: Vec<String>,
    pub criteria: Option<Criteria>,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct Criteria {
    pub operator: Operator,
    pub negate: bool,
    pub applicability_check: Option<bool>,
    pub comment: Option<String>,
    pub children: Vec<CriteriaNode>,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub enum CriteriaNode {
    Criteria(Criteria),
    Criterion {
        test_ref: String,
        negate: bool,
        applicability_check: Option<bool>,
        comment: Option<String>,
        location: Location,
    },
    ExtendDefinition {
        definition_ref: String,
        negate: bool,
        applicability_check: Option<bool>,
        comment: Option<String>,
        location: Location,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Test {
    pub id: String,
    pub version: String,
    pub kind: TypeName,
    pub comment: Option<String>,
    pub deprecated: bool,
    pub check: Check,
    pub check_existence: Existence,
    pub state_operator: Operator,
    /// Absent for tests such as `unknown_test`.
    pub object_ref: Option<String>,
    pub state_refs: Vec<String>,
    pub location: Location,
}

/// An entity of an object or a state (`<path operation="pattern match">…</path>`).
#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    /// Local element name: `path`, `filename`, `uexec`, `yamlpath`, …
    pub name: String,
    /// Text content; `None` when the element is empty or uses `var_ref`.
    pub value: Option<String>,
    pub datatype: Datatype,
    pub operation: Operation,
    pub mask: bool,
    pub var_ref: Option<String>,
    pub var_check: Check,
    pub entity_check: Check,
    /// `xsi:nil="true"`.
    pub nil: bool,
    /// Fields of a `record` datatype entity (`<field name="…">`), each an entity itself.
    pub fields: Vec<Entity>,
    /// Any other attributes (e.g. `windows_view`), name → value.
    pub attributes: Vec<(String, String)>,
    pub location: Location,
}

impl Entity {
    /// An entity with the schema's defaults: a string `equals` match of nothing yet, checks `all`.
    pub fn new(name: String, location: Location) -> Entity {
        Entity {
            name,
            value: None,
            datatype: Datatype::String,
            operation: Operation::Equals,
            mask: false,
            var_ref: None,
            var_check: Check::All,
            entity_check: Check::All,
            nil: false,
            fields: Vec::new(),
            attributes: Vec::new(),
            location,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Object {
    pub id: String,
    pub version: String,
    pub kind: TypeName,
    pub comment: Option<String>,
    pub deprecated: bool,
    pub body: ObjectBody,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub enum ObjectBody {
    /// The usual form: entities (in document order), `behaviors` attributes and filters.
    Entities {
        entities: Vec<Entity>,
        /// Attributes of the `<behaviors>` element, name → value (`recurse`, `max_depth`, …).
        behaviors: Vec<(String, String)>,
        filters: Vec<Filter>,
    },
    /// `<set>`: object references and nested sets combined by `set_operator`.
    Set(Set),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum SetOperator {
    Complement,
    Intersection,
    #[default]
    Union,
}

#[derive(Debug, Clone, Serialize)]
pub struct Set {
    pub operator: SetOperator,
    /// Either up to two object references or up to two nested sets.
    pub object_refs: Vec<String>,
    pub sets: Vec<Set>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum FilterAction {
    #[default]
    Exclude,
    Include,
}

#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    pub action: FilterAction,
    pub state_ref: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub id: String,
    pub version: String,
    pub kind: TypeName,
    pub comment: Option<String>,
    pub deprecated: bool,
    pub operator: Operator,
    pub entities: Vec<Entity>,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub id: String,
    pub version: String,
    pub datatype: Datatype,
    pub comment: Option<String>,
    pub deprecated: bool,
    pub kind: VariableKind,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub enum VariableKind {
    Constant(Vec<String>),
    /// Values come from the caller (`--variables`, or XCCDF check-export). `possible_values` and
    /// `possible_restrictions` are kept for validation messages.
    External {
        possible_values: Vec<String>,
        possible_restrictions: Vec<PossibleRestriction>,
    },
    Local(Component),
}

/// `<possible_restriction operator="…">`: every `restriction` (operation, value) combined by `operator`.
#[derive(Debug, Clone, Serialize)]
pub struct PossibleRestriction {
    pub operator: Operator,
    pub hint: Option<String>,
    pub restrictions: Vec<(Operation, String)>,
}

/// A component of a local variable: a value source or a function over components.
#[derive(Debug, Clone, Serialize)]
pub enum Component {
    ObjectComponent { object_ref: String, item_field: String, record_field: Option<String> },
    VariableComponent { var_ref: String },
    Literal { datatype: Datatype, value: String },
    Arithmetic { operation: ArithmeticOperation, args: Vec<Component> },
    Begin { character: String, arg: Box<Component> },
    End { character: String, arg: Box<Component> },
    Concat(Vec<Component>),
    Count(Vec<Component>),
    Unique(Vec<Component>),
    EscapeRegex(Box<Component>),
    Split { delimiter: String, arg: Box<Component> },
    Substring { start: i64, length: i64, arg: Box<Component> },
    RegexCapture { pattern: String, arg: Box<Component> },
    GlobToRegex { glob_noescape: bool, arg: Box<Component> },
    TimeDifference { format_1: String, format_2: String, args: Vec<Component> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ArithmeticOperation {
    Add,
    Multiply,
    /// `divide` and `subtract` are in the OVAL 5.11 ArithmeticEnumeration too.
    Divide,
    Subtract,
}

// ---------------------------------------------------------------------------------------------
// System characteristics: what probes collect.

/// Item / collected-object status (OVAL StatusEnumeration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ItemStatus {
    Error,
    #[default]
    Exists,
    DoesNotExist,
    NotCollected,
}

/// A collected item, e.g. one `unix:file_item`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// `file_item`, `textfilecontent_item`, … (family as for objects).
    pub kind: TypeName,
    pub status: ItemStatus,
    /// Entities in schema order (the order the results file must list them).
    pub fields: Vec<ItemField>,
    /// Messages attached to this item (e.g. why it is in error).
    pub messages: Vec<String>,
}

/// An item field's name: nearly always a literal of the probe, so it costs no allocation.
pub type FieldName = std::borrow::Cow<'static, str>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemField {
    pub name: FieldName,
    pub datatype: Datatype,
    pub status: ItemStatus,
    pub value: ItemValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ItemValue {
    /// Scalar text (also used for int/boolean/… which are compared by datatype).
    Text(String),
    /// A `record` field: named sub-fields (yamlfilecontent `value` entries).
    Record(Vec<ItemField>),
    /// No value (`xsi:nil` or status not collected).
    Nil,
}

impl Item {
    pub fn new(kind: TypeName) -> Self {
        Self { kind, status: ItemStatus::Exists, fields: Vec::new(), messages: Vec::new() }
    }

    /// Append a scalar field.
    pub fn push(&mut self, name: impl Into<FieldName>, datatype: Datatype, value: impl Into<String>) {
        self.fields.push(ItemField {
            name: name.into(),
            datatype,
            status: ItemStatus::Exists,
            value: ItemValue::Text(value.into()),
        });
    }

    /// All fields with this name (an item may repeat an entity, e.g. `subexpression`).
    pub fn fields_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ItemField> + 'a {
        self.fields.iter().filter(move |f| f.name == name)
    }
}
