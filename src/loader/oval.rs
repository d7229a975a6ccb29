//! OVAL 5.11 definitions loader: an `oval_definitions` document (standalone file, string, or a
//! data-stream component's subtree) → [`OvalDefinitions`].
//!
//! The loader collects every error of a document (bad enum values, missing attributes, duplicate
//! ids, dangling references) instead of stopping at the first; each carries file:line:column.
//! Attribute defaults are the ones the OVAL 5.11 schema declares, so later stages never guess.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use indexmap::map::Entry;
use roxmltree::{Document, Node, ParsingOptions};

use super::xml::{attribute_names, start_tag_length};
use crate::model::location::Location;
use crate::model::oval::{
    ArithmeticOperation, Check, Component, Criteria, CriteriaNode, Datatype, Definition, DefinitionClass,
    Entity, Existence, Family, Filter, FilterAction, Generator, NS_OVAL_DEFS, Object, ObjectBody, Operation,
    Operator, OvalDefinitions, PossibleRestriction, Set, SetOperator, State, Test, TypeName, Variable,
    VariableKind,
};
use crate::model::spelling;

pub const NS_OVAL_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Criteria, sets and variable components nest; hostile content must not exhaust the stack.
const MAX_NESTING: usize = 128;

/// One problem in an OVAL document.
#[derive(Debug, thiserror::Error)]
pub enum OvalLoadError {
    #[error("`{path}`: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{location}: not well-formed xml: {message}")]
    Xml { location: Location, message: String },
    #[error("{location}: expected a `{expected}` element in namespace `{namespace}`, found `{found}`")]
    WrongRoot { location: Location, expected: &'static str, namespace: &'static str, found: String },
    #[error("{location}: `{element}` has no `{attribute}` attribute")]
    MissingAttribute { location: Location, element: String, attribute: &'static str },
    #[error("{location}: `{element}` has no `{child}` child element")]
    MissingChild { location: Location, element: String, child: &'static str },
    #[error("{location}: `{value}` is not a valid `{attribute}`; expected one of: {expected}")]
    InvalidValue { location: Location, attribute: String, value: String, expected: &'static str },
    #[error("{location}: unexpected element `{element}` in `{parent}`")]
    UnexpectedElement { location: Location, element: String, parent: String },
    #[error("{location}: `{element}` is nested more than {} levels deep (limit `criteria-depth`)", crate::limits::get().criteria_depth.min(MAX_NESTING))]
    TooDeep { location: Location, element: String },
    #[error("{location}: id `{id}` is already defined at {first}")]
    DuplicateId { location: Location, id: String, first: Location },
    #[error("{location}: {what} `{id}` is not defined in this document")]
    UndefinedReference { location: Location, what: &'static str, id: String },
}

impl OvalLoadError {
    /// Where the problem is (`None` only for a file that could not be read).
    pub fn location(&self) -> Option<&Location> {
        match self {
            OvalLoadError::Read { .. } => None,
            OvalLoadError::Xml { location, .. }
            | OvalLoadError::WrongRoot { location, .. }
            | OvalLoadError::MissingAttribute { location, .. }
            | OvalLoadError::MissingChild { location, .. }
            | OvalLoadError::InvalidValue { location, .. }
            | OvalLoadError::UnexpectedElement { location, .. }
            | OvalLoadError::TooDeep { location, .. }
            | OvalLoadError::DuplicateId { location, .. }
            | OvalLoadError::UndefinedReference { location, .. } => Some(location),
        }
    }
}

/// All problems found in one document, one per line when displayed.
#[derive(Debug, thiserror::Error)]
#[error("{}", join_lines(.0))]
pub struct OvalLoadErrors(pub Vec<OvalLoadError>);

fn join_lines(errors: &[OvalLoadError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Load an OVAL definitions file.
pub fn load_oval_file(path: &Path) -> Result<OvalDefinitions, OvalLoadErrors> {
    let name = path.display().to_string();
    let text = super::input::read_to_string(path)
        .map_err(|source| OvalLoadErrors(vec![OvalLoadError::Read { path: name.clone(), source }]))?;
    parse_oval_str(&text, &name)
}

/// Parse an OVAL definitions document held in memory; `name` is used in locations and as `source`.
pub fn parse_oval_str(xml: &str, name: &str) -> Result<OvalDefinitions, OvalLoadErrors> {
    let document = parse_xml(xml, name)?;
    parse_oval_node(document.root_element(), name)
}

/// Parse the XML text with the options every loader uses (no DTD: SCAP content never needs one,
/// and refusing it rules out entity expansion attacks).
pub fn parse_xml<'a>(xml: &'a str, name: &str) -> Result<Document<'a>, OvalLoadErrors> {
    if let Err((line, column, message)) = super::xml::check_attribute_syntax(xml) {
        let location = Location::new(Arc::from(name), line, column);
        return Err(OvalLoadErrors(vec![OvalLoadError::Xml { location, message }]));
    }
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    Document::parse_with_options(xml, options).map_err(|e| {
        let pos = e.pos();
        let location = Location::new(Arc::from(name), pos.row, pos.col);
        OvalLoadErrors(vec![OvalLoadError::Xml { location, message: e.to_string() }])
    })
}

/// Parse an `oval_definitions` element, e.g. inside a data stream's `ds:component`. Locations are
/// positions in the node's whole document, reported under `name`.
pub fn parse_oval_node(node: Node<'_, '_>, name: &str) -> Result<OvalDefinitions, OvalLoadErrors> {
    let mut parser = Parser::new(node.document().input_text(), name);
    let mut definitions = parser.document(node);
    parser.check_references(&definitions);
    if parser.errors.is_empty() {
        definitions.source_xml = Some(Arc::from(standalone_xml(node)));
        Ok(definitions)
    } else {
        Err(OvalLoadErrors(parser.errors))
    }
}

/// The element's source text, with the namespace declarations it inherits from its ancestors
/// added to its start tag so the text stands on its own.
fn standalone_xml(node: Node<'_, '_>) -> String {
    let text = &node.document().input_text()[node.range()];
    let start_tag_end = start_tag_length(text);
    let start_tag = &text[..start_tag_end];
    let declared = attribute_names(start_tag);
    let mut missing = String::new();
    for ns in node.namespaces() {
        if ns.uri() == NS_XML {
            continue;
        }
        let declaration = match ns.name() {
            Some(prefix) => format!("xmlns:{prefix}"),
            None => "xmlns".to_string(),
        };
        if !declared.contains(&declaration.as_str()) {
            missing.push(' ');
            missing.push_str(&declaration);
            missing.push_str("=\"");
            missing.push_str(&escape_attribute(ns.uri()));
            missing.push('"');
        }
    }
    if missing.is_empty() {
        return text.to_string();
    }
    let name_end =
        start_tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(start_tag_end);
    let mut out = String::with_capacity(text.len() + missing.len());
    out.push_str(&text[..name_end]);
    out.push_str(&missing);
    out.push_str(&text[name_end..]);
    out
}

fn escape_attribute(value: &str) -> Cow<'_, str> {
    if !value.contains(['&', '<', '"']) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(value.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;"))
}

#[derive(Debug, Clone, Copy)]
enum RefKind {
    Definition,
    Test,
    Object,
    State,
    Variable,
}

impl RefKind {
    fn describe(self) -> &'static str {
        match self {
            RefKind::Definition => "definition",
            RefKind::Test => "test",
            RefKind::Object => "object",
            RefKind::State => "state",
            RefKind::Variable => "variable",
        }
    }
}

/// A reference to check once the whole document is read (targets may come later in the file).
struct PendingRef {
    kind: RefKind,
    id: String,
    location: Location,
}

pub(super) struct Parser<'t> {
    file: Arc<str>,
    text: &'t str,
    /// Byte offset of the start of every line, for O(log n) line lookups.
    line_starts: Vec<usize>,
    /// (line start, byte position, column) of the last lookup: columns are counted forward from it,
    /// which keeps very long lines (minified content) linear.
    last_column: (usize, usize, u32),
    pub(super) errors: Vec<OvalLoadError>,
    refs: Vec<PendingRef>,
}

pub(super) fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// `*_test`, `*_object`, `*_state` elements of any family.
fn has_suffix(node: Node<'_, '_>, suffix: &str) -> bool {
    node.tag_name().name().ends_with(suffix)
}

/// What a section's elements are keyed and located by.
trait Keyed {
    fn id(&self) -> &str;
    fn location(&self) -> &Location;
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn location(&self) -> &Location {
                &self.location
            }
        }
    )*};
}
keyed!(Definition, Test, Object, State);

fn is_defs(node: Node<'_, '_>, name: &str) -> bool {
    node.tag_name().namespace() == Some(NS_OVAL_DEFS) && node.tag_name().name() == name
}

fn is_ignorable(node: Node<'_, '_>) -> bool {
    // `notes` and XML signatures carry nothing the evaluator uses.
    is_defs(node, "notes") || node.tag_name().name() == "Signature"
}

/// The text content of an element (all its direct text and CDATA children).
pub(super) fn text_of<'a>(node: Node<'a, '_>) -> Cow<'a, str> {
    let mut texts = node.children().filter(Node::is_text).filter_map(|c| c.text());
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(first), None) => Cow::Borrowed(first),
        (Some(first), Some(second)) => {
            let mut all = String::from(first);
            all.push_str(second);
            texts.for_each(|t| all.push_str(t));
            Cow::Owned(all)
        }
    }
}

fn type_name(node: Node<'_, '_>) -> TypeName {
    let namespace = node.tag_name().namespace().unwrap_or_default();
    TypeName {
        family: Family::from_namespace(namespace),
        namespace: namespace.to_string(),
        name: node.tag_name().name().to_string(),
    }
}

impl<'t> Parser<'t> {
    pub(super) fn new(text: &'t str, name: &str) -> Self {
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<_>>();
        Parser {
            file: Arc::from(name),
            text,
            line_starts,
            last_column: (0, 0, 1),
            errors: Vec::new(),
            refs: Vec::new(),
        }
    }

    fn location_at(&mut self, pos: usize) -> Location {
        let pos = pos.min(self.text.len());
        let line_index = self.line_starts.partition_point(|&start| start <= pos).saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let (last_start, last_pos, last_col) = self.last_column;
        let (from, base) =
            if last_start == line_start && last_pos <= pos { (last_pos, last_col) } else { (line_start, 1) };
        let column = base + self.text.get(from..pos).map_or(0, |s| s.chars().count()) as u32;
        self.last_column = (line_start, pos, column);
        Location::new(self.file.clone(), line_index as u32 + 1, column)
    }

    pub(super) fn location(&mut self, node: Node<'_, '_>) -> Location {
        self.location_at(node.range().start)
    }

    fn attribute_location(&mut self, node: Node<'_, '_>, name: &str) -> Location {
        let pos = node.attributes().find(|a| a.name() == name).map(|a| a.range().start);
        match pos {
            Some(pos) => self.location_at(pos),
            None => self.location(node),
        }
    }

    pub(super) fn required<'n>(&mut self, node: Node<'n, '_>, attribute: &'static str) -> Option<&'n str> {
        let value = node.attribute(attribute);
        if value.is_none() {
            let location = self.location(node);
            self.errors.push(OvalLoadError::MissingAttribute {
                location,
                element: node.tag_name().name().to_string(),
                attribute,
            });
        }
        value
    }

    pub(super) fn required_string(&mut self, node: Node<'_, '_>, attribute: &'static str) -> String {
        self.required(node, attribute).unwrap_or_default().to_string()
    }

    pub(super) fn invalid(
        &mut self,
        node: Node<'_, '_>,
        attribute: &str,
        value: &str,
        expected: &'static str,
    ) {
        let location = self.attribute_location(node, attribute);
        self.errors.push(OvalLoadError::InvalidValue {
            location,
            attribute: attribute.to_string(),
            value: value.to_string(),
            expected,
        });
    }

    /// An enumerated attribute: its schema default when absent, an error when misspelled.
    fn enumerated<T>(
        &mut self,
        node: Node<'_, '_>,
        attribute: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: &'static str,
        default: T,
    ) -> T {
        match node.attribute(attribute) {
            None => default,
            Some(text) => parse(text).unwrap_or_else(|| {
                self.invalid(node, attribute, text, expected);
                default
            }),
        }
    }

    fn boolean(&mut self, node: Node<'_, '_>, attribute: &'static str) -> Option<bool> {
        let text = node.attribute(attribute)?;
        match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.invalid(node, attribute, text, spelling::BOOLEAN_EXPECTED);
                None
            }
        }
    }

    fn integer(&mut self, node: Node<'_, '_>, attribute: &'static str) -> i64 {
        let Some(text) = self.required(node, attribute) else { return 0 };
        text.trim().parse().unwrap_or_else(|_| {
            self.invalid(node, attribute, text, spelling::INTEGER_EXPECTED);
            0
        })
    }

    pub(super) fn unexpected(&mut self, node: Node<'_, '_>, parent: Node<'_, '_>) {
        let location = self.location(node);
        self.errors.push(OvalLoadError::UnexpectedElement {
            location,
            element: node.tag_name().name().to_string(),
            parent: parent.tag_name().name().to_string(),
        });
    }

    pub(super) fn missing_child(&mut self, node: Node<'_, '_>, child: &'static str) {
        let location = self.location(node);
        self.errors.push(OvalLoadError::MissingChild {
            location,
            element: node.tag_name().name().to_string(),
            child,
        });
    }

    fn too_deep(&mut self, node: Node<'_, '_>, depth: usize) -> bool {
        if depth < crate::limits::get().criteria_depth.min(MAX_NESTING) {
            return false;
        }
        let location = self.location(node);
        self.errors.push(OvalLoadError::TooDeep { location, element: node.tag_name().name().to_string() });
        true
    }

    /// Remember a reference held in an attribute, located at that attribute.
    fn reference_attribute(&mut self, node: Node<'_, '_>, attribute: &'static str, kind: RefKind) -> String {
        let Some(id) = self.required(node, attribute) else { return String::new() };
        let location = self.attribute_location(node, attribute);
        self.refs.push(PendingRef { kind, id: id.to_string(), location });
        id.to_string()
    }

    /// Remember a reference held in an element's text (`object_reference`, `filter`).
    fn reference_text(&mut self, node: Node<'_, '_>, kind: RefKind) -> String {
        let id = text_of(node).trim().to_string();
        let location = self.location(node);
        self.refs.push(PendingRef { kind, id: id.clone(), location });
        id
    }

    /// Read the elements of a section that `accepts` takes, each with `read`, into `out` by id
    /// (duplicates and anything else in the section are reported).
    fn section<T: Keyed>(
        &mut self,
        section: Node<'_, '_>,
        out: &mut IndexMap<String, T>,
        accepts: fn(Node<'_, '_>) -> bool,
        read: fn(&mut Self, Node<'_, '_>) -> T,
    ) {
        for node in elements(section) {
            if !accepts(node) {
                self.unexpected(node, section);
                continue;
            }
            let element = read(self, node);
            self.insert(out, element.id().to_string(), element, T::location);
        }
    }

    fn insert<T>(
        &mut self,
        map: &mut IndexMap<String, T>,
        id: String,
        value: T,
        location: fn(&T) -> &Location,
    ) {
        match map.entry(id) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(existing) => {
                let first = location(existing.get()).clone();
                let here = location(&value).clone();
                self.errors.push(OvalLoadError::DuplicateId {
                    location: here,
                    id: existing.key().clone(),
                    first,
                });
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Document structure

    fn document(&mut self, root: Node<'_, '_>) -> OvalDefinitions {
        let mut out = OvalDefinitions { source: self.file.to_string(), ..OvalDefinitions::default() };
        if !is_defs(root, "oval_definitions") {
            let location = self.location(root);
            self.errors.push(OvalLoadError::WrongRoot {
                location,
                expected: "oval_definitions",
                namespace: NS_OVAL_DEFS,
                found: root.tag_name().name().to_string(),
            });
            return out;
        }
        let mut has_generator = false;
        for section in elements(root) {
            if section.tag_name().namespace() != Some(NS_OVAL_DEFS) {
                if !is_ignorable(section) {
                    self.unexpected(section, root);
                }
                continue;
            }
            match section.tag_name().name() {
                "generator" => {
                    has_generator = true;
                    out.generator = self.generator(section);
                }
                "definitions" => self.section(
                    section,
                    &mut out.definitions,
                    |n| is_defs(n, "definition"),
                    Self::definition,
                ),
                "tests" => self.section(section, &mut out.tests, |n| has_suffix(n, "_test"), Self::test),
                "objects" => {
                    self.section(section, &mut out.objects, |n| has_suffix(n, "_object"), Self::object)
                }
                "states" => self.section(section, &mut out.states, |n| has_suffix(n, "_state"), Self::state),
                "variables" => self.variables(section, &mut out.variables),
                _ => self.unexpected(section, root),
            }
        }
        if !has_generator {
            self.missing_child(root, "generator");
        }
        out
    }

    fn generator(&mut self, node: Node<'_, '_>) -> Generator {
        let mut generator = Generator::default();
        let mut has_schema_version = false;
        for child in elements(node) {
            if child.tag_name().namespace() != Some(NS_OVAL_COMMON) {
                continue; // vendor extensions are allowed here
            }
            let text = text_of(child).trim().to_string();
            match child.tag_name().name() {
                "product_name" => generator.product_name = Some(text),
                "product_version" => generator.product_version = Some(text),
                // Versions of platform extensions (`platform="…"`) are not the core version.
                "schema_version" if child.attribute("platform").is_none() => {
                    has_schema_version = true;
                    generator.schema_version = text;
                }
                "timestamp" => generator.timestamp = Some(text),
                _ => {}
            }
        }
        if !has_schema_version {
            self.missing_child(node, "schema_version");
        }
        generator
    }

    fn definition(&mut self, node: Node<'_, '_>) -> Definition {
        let location = self.location(node);
        let id = self.required_string(node, "id");
        let version = self.required_string(node, "version");
        let class = match self.required(node, "class") {
            Some(text) => spelling::class::parse(text).unwrap_or_else(|| {
                self.invalid(node, "class", text, spelling::class::EXPECTED);
                DefinitionClass::Miscellaneous
            }),
            None => DefinitionClass::Miscellaneous,
        };
        let mut definition = Definition {
            id,
            version,
            class,
            deprecated: self.boolean(node, "deprecated").unwrap_or(false),
            title: String::new(),
            description: String::new(),
            references: Vec::new(),
            affected_platforms: Vec::new(),
            criteria: None,
            location,
        };
        let mut has_metadata = false;
        for child in elements(node) {
            if is_defs(child, "metadata") {
                has_metadata = true;
                self.metadata(child, &mut definition);
            } else if is_defs(child, "criteria") {
                definition.criteria = Some(self.criteria(child, 0));
            } else if !is_ignorable(child) {
                self.unexpected(child, node);
            }
        }
        if !has_metadata {
            self.missing_child(node, "metadata");
        }
        definition
    }

    fn metadata(&mut self, node: Node<'_, '_>, definition: &mut Definition) {
        for child in elements(node) {
            if child.tag_name().namespace() != Some(NS_OVAL_DEFS) {
                continue; // metadata allows any foreign elements
            }
            match child.tag_name().name() {
                "title" => definition.title = text_of(child).into_owned(),
                "description" => definition.description = text_of(child).into_owned(),
                "affected" => {
                    for platform in elements(child) {
                        if is_defs(platform, "platform") || is_defs(platform, "product") {
                            definition.affected_platforms.push(text_of(platform).trim().to_string());
                        }
                    }
                }
                "reference" => {
                    let source = self.required_string(child, "source");
                    let ref_id = self.required_string(child, "ref_id");
                    let url = child.attribute("ref_url").map(str::to_string);
                    definition.references.push((source, ref_id, url));
                }
                _ => {}
            }
        }
    }

    fn criteria(&mut self, node: Node<'_, '_>, depth: usize) -> Criteria {
        let location = self.location(node);
        let mut criteria = Criteria {
            operator: self.enumerated(
                node,
                "operator",
                spelling::operator::parse,
                spelling::operator::EXPECTED,
                Operator::And,
            ),
            negate: self.boolean(node, "negate").unwrap_or(false),
            applicability_check: self.boolean(node, "applicability_check"),
            comment: node.attribute("comment").map(str::to_string),
            children: Vec::new(),
            location,
        };
        if self.too_deep(node, depth) {
            return criteria;
        }
        for child in elements(node) {
            if child.tag_name().namespace() != Some(NS_OVAL_DEFS) {
                self.unexpected(child, node);
                continue;
            }
            let negate = self.boolean(child, "negate").unwrap_or(false);
            let applicability_check = self.boolean(child, "applicability_check");
            let comment = child.attribute("comment").map(str::to_string);
            match child.tag_name().name() {
                "criteria" => criteria.children.push(CriteriaNode::Criteria(self.criteria(child, depth + 1))),
                "criterion" => {
                    let location = self.location(child);
                    let test_ref = self.reference_attribute(child, "test_ref", RefKind::Test);
                    criteria.children.push(CriteriaNode::Criterion {
                        test_ref,
                        negate,
                        applicability_check,
                        comment,
                        location,
                    });
                }
                "extend_definition" => {
                    let location = self.location(child);
                    let definition_ref =
                        self.reference_attribute(child, "definition_ref", RefKind::Definition);
                    criteria.children.push(CriteriaNode::ExtendDefinition {
                        definition_ref,
                        negate,
                        applicability_check,
                        comment,
                        location,
                    });
                }
                _ => self.unexpected(child, node),
            }
        }
        criteria
    }

    fn test(&mut self, node: Node<'_, '_>) -> Test {
        let location = self.location(node);
        let check = match self.required(node, "check") {
            Some(text) => spelling::check::parse(text).unwrap_or_else(|| {
                self.invalid(node, "check", text, spelling::check::EXPECTED);
                Check::All
            }),
            None => Check::All,
        };
        let mut test = Test {
            id: self.required_string(node, "id"),
            version: self.required_string(node, "version"),
            kind: type_name(node),
            comment: node.attribute("comment").map(str::to_string),
            deprecated: self.boolean(node, "deprecated").unwrap_or(false),
            check,
            check_existence: self.enumerated(
                node,
                "check_existence",
                spelling::existence::parse,
                spelling::existence::EXPECTED,
                Existence::AtLeastOneExists,
            ),
            state_operator: self.enumerated(
                node,
                "state_operator",
                spelling::operator::parse,
                spelling::operator::EXPECTED,
                Operator::And,
            ),
            object_ref: None,
            state_refs: Vec::new(),
            location,
        };
        for child in elements(node) {
            match child.tag_name().name() {
                "object" => {
                    test.object_ref = Some(self.reference_attribute(child, "object_ref", RefKind::Object))
                }
                "state" => test.state_refs.push(self.reference_attribute(child, "state_ref", RefKind::State)),
                _ if is_ignorable(child) => {}
                _ => self.unexpected(child, node),
            }
        }
        test
    }

    fn object(&mut self, node: Node<'_, '_>) -> Object {
        let location = self.location(node);
        let kind = type_name(node);
        let id = self.required_string(node, "id");
        let version = self.required_string(node, "version");
        let mut entities = Vec::new();
        let mut behaviors: Vec<(String, String)> = Vec::new();
        let mut filters = Vec::new();
        let mut set = None;
        for child in elements(node) {
            if is_ignorable(child) {
                continue;
            }
            if is_defs(child, "set") {
                set = Some(self.set(child, 0));
            } else if is_defs(child, "filter") {
                filters.push(self.filter(child));
            } else if child.tag_name().name() == "behaviors" {
                behaviors.extend(child.attributes().map(|a| (a.name().to_string(), a.value().to_string())));
            } else {
                entities.push(self.entity(child, None));
            }
        }
        // Defaults the schema declares for the behaviors element, so probes need not know them.
        for (name, value) in behavior_defaults(&kind) {
            if !behaviors.iter().any(|(n, _)| n == name) {
                behaviors.push((name.to_string(), value.to_string()));
            }
        }
        let body = match set {
            Some(set) => ObjectBody::Set(set),
            None => ObjectBody::Entities { entities, behaviors, filters },
        };
        Object {
            id,
            version,
            kind,
            comment: node.attribute("comment").map(str::to_string),
            deprecated: self.boolean(node, "deprecated").unwrap_or(false),
            body,
            location,
        }
    }

    fn set(&mut self, node: Node<'_, '_>, depth: usize) -> Set {
        let mut set = Set {
            operator: self.enumerated(
                node,
                "set_operator",
                spelling::set_operator::parse,
                spelling::set_operator::EXPECTED,
                SetOperator::Union,
            ),
            object_refs: Vec::new(),
            sets: Vec::new(),
            filters: Vec::new(),
        };
        if self.too_deep(node, depth) {
            return set;
        }
        for child in elements(node) {
            if is_defs(child, "object_reference") {
                set.object_refs.push(self.reference_text(child, RefKind::Object));
            } else if is_defs(child, "set") {
                set.sets.push(self.set(child, depth + 1));
            } else if is_defs(child, "filter") {
                set.filters.push(self.filter(child));
            } else {
                self.unexpected(child, node);
            }
        }
        set
    }

    fn filter(&mut self, node: Node<'_, '_>) -> Filter {
        Filter {
            action: self.enumerated(
                node,
                "action",
                spelling::filter_action::parse,
                spelling::filter_action::EXPECTED,
                FilterAction::Exclude,
            ),
            state_ref: self.reference_text(node, RefKind::State),
        }
    }

    /// An object or state entity; `field_name` is set for the `field`s of a record entity.
    fn entity(&mut self, node: Node<'_, '_>, field_name: Option<String>) -> Entity {
        let location = self.location(node);
        let name = field_name.unwrap_or_else(|| node.tag_name().name().to_string());
        let mut entity = Entity::new(name, location);
        let is_field = is_defs(node, "field");
        for attribute in node.attributes() {
            let (namespace, name) = (attribute.namespace(), attribute.name());
            match (namespace, name) {
                (None, "datatype") => {
                    entity.datatype = self.enumerated(
                        node,
                        "datatype",
                        spelling::datatype::parse,
                        spelling::datatype::EXPECTED,
                        Datatype::String,
                    )
                }
                (None, "operation") => {
                    entity.operation = self.enumerated(
                        node,
                        "operation",
                        spelling::operation::parse,
                        spelling::operation::EXPECTED,
                        Operation::Equals,
                    )
                }
                (None, "mask") => entity.mask = self.boolean(node, "mask").unwrap_or(false),
                (None, "var_ref") => {
                    entity.var_ref = Some(self.reference_attribute(node, "var_ref", RefKind::Variable))
                }
                (None, "var_check") => {
                    entity.var_check = self.enumerated(
                        node,
                        "var_check",
                        spelling::check::parse,
                        spelling::check::EXPECTED,
                        Check::All,
                    )
                }
                (None, "entity_check") => {
                    entity.entity_check = self.enumerated(
                        node,
                        "entity_check",
                        spelling::check::parse,
                        spelling::check::EXPECTED,
                        Check::All,
                    )
                }
                (Some(NS_XSI), "nil") => entity.nil = self.boolean(node, "nil").unwrap_or(false),
                (None, "name") if is_field => {}
                _ => entity.attributes.push((name.to_string(), attribute.value().to_string())),
            }
        }
        for child in elements(node) {
            if is_defs(child, "field") {
                let name = self.required_string(child, "name");
                entity.fields.push(self.entity(child, Some(name)));
            } else {
                self.unexpected(child, node);
            }
        }
        if entity.var_ref.is_none() && entity.fields.is_empty() {
            let text = text_of(node);
            if !text.is_empty() {
                entity.value = Some(text.into_owned());
            }
        }
        entity
    }

    fn state(&mut self, node: Node<'_, '_>) -> State {
        let location = self.location(node);
        let mut state = State {
            id: self.required_string(node, "id"),
            version: self.required_string(node, "version"),
            kind: type_name(node),
            comment: node.attribute("comment").map(str::to_string),
            deprecated: self.boolean(node, "deprecated").unwrap_or(false),
            operator: self.enumerated(
                node,
                "operator",
                spelling::operator::parse,
                spelling::operator::EXPECTED,
                Operator::And,
            ),
            entities: Vec::new(),
            location,
        };
        for child in elements(node) {
            if !is_ignorable(child) {
                state.entities.push(self.entity(child, None));
            }
        }
        state
    }

    fn variables(&mut self, section: Node<'_, '_>, out: &mut IndexMap<String, Variable>) {
        for node in elements(section) {
            let location = self.location(node);
            let kind = match (node.tag_name().namespace(), node.tag_name().name()) {
                (Some(NS_OVAL_DEFS), "constant_variable") => Some(self.constant(node)),
                (Some(NS_OVAL_DEFS), "external_variable") => Some(self.external(node)),
                (Some(NS_OVAL_DEFS), "local_variable") => self.local(node),
                _ => {
                    self.unexpected(node, section);
                    continue;
                }
            };
            let datatype = match self.required(node, "datatype") {
                Some(text) => spelling::datatype::parse(text).unwrap_or_else(|| {
                    self.invalid(node, "datatype", text, spelling::datatype::EXPECTED);
                    Datatype::String
                }),
                None => Datatype::String,
            };
            let variable = Variable {
                id: self.required_string(node, "id"),
                version: self.required_string(node, "version"),
                datatype,
                comment: node.attribute("comment").map(str::to_string),
                deprecated: self.boolean(node, "deprecated").unwrap_or(false),
                // An empty constant keeps the variable (and its id) known even after an error.
                kind: kind.unwrap_or(VariableKind::Constant(Vec::new())),
                location,
            };
            self.insert(out, variable.id.clone(), variable, |v| &v.location);
        }
    }

    fn constant(&mut self, node: Node<'_, '_>) -> VariableKind {
        let mut values = Vec::new();
        for child in elements(node) {
            if is_defs(child, "value") {
                values.push(text_of(child).into_owned());
            } else if !is_ignorable(child) {
                self.unexpected(child, node);
            }
        }
        VariableKind::Constant(values)
    }

    fn external(&mut self, node: Node<'_, '_>) -> VariableKind {
        let mut possible_values = Vec::new();
        let mut possible_restrictions = Vec::new();
        for child in elements(node) {
            if is_defs(child, "possible_value") {
                possible_values.push(text_of(child).into_owned());
            } else if is_defs(child, "possible_restriction") {
                let mut restriction = PossibleRestriction {
                    operator: self.enumerated(
                        child,
                        "operator",
                        spelling::operator::parse,
                        spelling::operator::EXPECTED,
                        Operator::And,
                    ),
                    hint: child.attribute("hint").map(str::to_string),
                    restrictions: Vec::new(),
                };
                for item in elements(child) {
                    if !is_defs(item, "restriction") {
                        self.unexpected(item, child);
                        continue;
                    }
                    let operation = match self.required(item, "operation") {
                        Some(text) => spelling::operation::parse(text).unwrap_or_else(|| {
                            self.invalid(item, "operation", text, spelling::operation::EXPECTED);
                            Operation::Equals
                        }),
                        None => Operation::Equals,
                    };
                    restriction.restrictions.push((operation, text_of(item).into_owned()));
                }
                possible_restrictions.push(restriction);
            } else if !is_ignorable(child) {
                self.unexpected(child, node);
            }
        }
        VariableKind::External { possible_values, possible_restrictions }
    }

    fn local(&mut self, node: Node<'_, '_>) -> Option<VariableKind> {
        let mut component = None;
        let mut seen = false;
        for child in elements(node) {
            if is_ignorable(child) {
                continue;
            }
            if seen {
                self.unexpected(child, node);
            } else {
                seen = true;
                component = self.component(child, 0);
            }
        }
        if !seen {
            self.missing_child(node, "component");
        }
        component.map(VariableKind::Local)
    }

    /// The component children of a function.
    fn arguments(&mut self, node: Node<'_, '_>, depth: usize) -> Vec<Component> {
        let children: Vec<_> = elements(node).collect();
        children.into_iter().filter_map(|child| self.component(child, depth + 1)).collect()
    }

    /// The single component argument of a function such as `begin` or `split`.
    fn argument(&mut self, node: Node<'_, '_>, depth: usize) -> Option<Box<Component>> {
        let mut args = self.arguments(node, depth);
        if args.len() > 1
            && let Some(extra) = elements(node).nth(1)
        {
            self.unexpected(extra, node);
        }
        if args.is_empty() {
            self.missing_child(node, "component");
            return None;
        }
        Some(Box::new(args.swap_remove(0)))
    }

    fn component(&mut self, node: Node<'_, '_>, depth: usize) -> Option<Component> {
        if node.tag_name().namespace() != Some(NS_OVAL_DEFS) {
            self.unexpected(node, node.parent_element().unwrap_or(node));
            return None;
        }
        if self.too_deep(node, depth) {
            return None;
        }
        let component = match node.tag_name().name() {
            "object_component" => Component::ObjectComponent {
                object_ref: self.reference_attribute(node, "object_ref", RefKind::Object),
                item_field: self.required_string(node, "item_field"),
                record_field: node.attribute("record_field").map(str::to_string),
            },
            "variable_component" => Component::VariableComponent {
                var_ref: self.reference_attribute(node, "var_ref", RefKind::Variable),
            },
            "literal_component" => Component::Literal {
                datatype: self.enumerated(
                    node,
                    "datatype",
                    spelling::datatype::parse,
                    spelling::datatype::EXPECTED,
                    Datatype::String,
                ),
                value: text_of(node).into_owned(),
            },
            "arithmetic" => {
                let operation = match self.required(node, "arithmetic_operation") {
                    Some(text) => spelling::arithmetic::parse(text).unwrap_or_else(|| {
                        self.invalid(node, "arithmetic_operation", text, spelling::arithmetic::EXPECTED);
                        ArithmeticOperation::Add
                    }),
                    None => ArithmeticOperation::Add,
                };
                Component::Arithmetic { operation, args: self.arguments(node, depth) }
            }
            "begin" => {
                let character = self.required_string(node, "character");
                Component::Begin { character, arg: self.argument(node, depth)? }
            }
            "end" => {
                let character = self.required_string(node, "character");
                Component::End { character, arg: self.argument(node, depth)? }
            }
            "concat" => Component::Concat(self.arguments(node, depth)),
            "count" => Component::Count(self.arguments(node, depth)),
            "unique" => Component::Unique(self.arguments(node, depth)),
            "escape_regex" => Component::EscapeRegex(self.argument(node, depth)?),
            "split" => {
                let delimiter = self.required_string(node, "delimiter");
                Component::Split { delimiter, arg: self.argument(node, depth)? }
            }
            "substring" => {
                let start = self.integer(node, "substring_start");
                let length = self.integer(node, "substring_length");
                Component::Substring { start, length, arg: self.argument(node, depth)? }
            }
            "regex_capture" => {
                let pattern = node.attribute("pattern").unwrap_or_default().to_string();
                Component::RegexCapture { pattern, arg: self.argument(node, depth)? }
            }
            "glob_to_regex" => {
                let glob_noescape = self.boolean(node, "glob_noescape").unwrap_or(false);
                Component::GlobToRegex { glob_noescape, arg: self.argument(node, depth)? }
            }
            "time_difference" => Component::TimeDifference {
                format_1: self.date_time_format(node, "format_1"),
                format_2: self.date_time_format(node, "format_2"),
                args: self.arguments(node, depth),
            },
            _ => {
                self.unexpected(node, node.parent_element().unwrap_or(node));
                return None;
            }
        };
        Some(component)
    }

    fn date_time_format(&mut self, node: Node<'_, '_>, attribute: &'static str) -> String {
        match node.attribute(attribute) {
            None => "year_month_day".to_string(),
            Some(text) if spelling::DATE_TIME_FORMATS.contains(&text) => text.to_string(),
            Some(text) => {
                self.invalid(node, attribute, text, spelling::DATE_TIME_FORMATS_EXPECTED);
                "year_month_day".to_string()
            }
        }
    }

    /// Report every reference whose target is not in the document, at the reference.
    fn check_references(&mut self, document: &OvalDefinitions) {
        for reference in std::mem::take(&mut self.refs) {
            let known = match reference.kind {
                RefKind::Definition => document.definitions.contains_key(&reference.id),
                RefKind::Test => document.tests.contains_key(&reference.id),
                RefKind::Object => document.objects.contains_key(&reference.id),
                RefKind::State => document.states.contains_key(&reference.id),
                RefKind::Variable => document.variables.contains_key(&reference.id),
            };
            if !known {
                self.errors.push(OvalLoadError::UndefinedReference {
                    location: reference.location,
                    what: reference.kind.describe(),
                    id: reference.id,
                });
            }
        }
    }
}

const FILE_BEHAVIORS: &[(&str, &str)] = &[
    ("max_depth", "-1"),
    ("recurse", "symlinks and directories"),
    ("recurse_direction", "none"),
    ("recurse_file_system", "all"),
];
const INDEPENDENT_FILE_BEHAVIORS: &[(&str, &str)] = &[
    ("max_depth", "-1"),
    ("recurse", "symlinks and directories"),
    ("recurse_direction", "none"),
    ("recurse_file_system", "all"),
    ("windows_view", "64_bit"),
];
const TEXTFILECONTENT54_BEHAVIORS: &[(&str, &str)] = &[
    ("max_depth", "-1"),
    ("recurse", "symlinks and directories"),
    ("recurse_direction", "none"),
    ("recurse_file_system", "all"),
    ("windows_view", "64_bit"),
    ("ignore_case", "false"),
    ("multiline", "true"),
    ("singleline", "false"),
];

/// The behaviors defaults of an object type, from the 5.11 component schemas (file-like objects).
fn behavior_defaults(kind: &TypeName) -> &'static [(&'static str, &'static str)] {
    match (kind.family, kind.name.as_str()) {
        (Family::Independent, "textfilecontent54_object") => TEXTFILECONTENT54_BEHAVIORS,
        (
            Family::Independent,
            "filehash_object"
            | "filehash58_object"
            | "textfilecontent_object"
            | "xmlfilecontent_object"
            | "yamlfilecontent_object",
        ) => INDEPENDENT_FILE_BEHAVIORS,
        (Family::Unix, "file_object" | "fileextendedattribute_object" | "sccs_object")
        | (Family::Linux, "selinuxsecuritycontext_object") => FILE_BEHAVIORS,
        _ => &[],
    }
}

#[cfg(test)]
mod tests;
