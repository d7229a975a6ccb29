//! OVAL 5.11 results writer: [`OvalDefinitions`] + [`OvalRun`] → an `oval_results` document
//! (`templates/oval-results.xml.j2`), structured like the one `oscap oval eval --results` writes.
//!
//! The view-model below is the only thing the template sees. Every value goes through
//! [`escape_xml`], so host data (`<`, `&`, `]]>`, control characters) cannot break the document.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use minijinja::Environment;
use minijinja::value::Value;

use crate::escape::{escape_xml, escaping_environment};

use crate::model::oval::{
    Datatype, Existence, Family, Item, ItemField, ItemStatus, ItemValue, Operator, OvalDefinitions,
};
use crate::model::spelling;
use crate::results::oval::{CriteriaResult, CriteriaResultNode, OvalRun};

const TEMPLATE_NAME: &str = "oval-results.xml.j2";
const TEMPLATE: &str = include_str!("../../templates/oval-results.xml.j2");
const NS_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
/// Items rendered per template call.
const ITEMS_PER_CHUNK: usize = 512;
/// The schema allows at most this many messages per item.
const MAX_ITEM_MESSAGES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum OvalResultsError {
    #[error("cannot render the oval results: {0}")]
    Render(#[from] minijinja::Error),
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// What goes into the `<generator>` elements.
#[derive(Debug, Clone)]
pub struct OvalResultsOptions {
    pub product_name: String,
    pub product_version: String,
    /// `YYYY-MM-DDThh:mm:ss`; the current UTC time when `None`.
    pub timestamp: Option<String>,
}

impl Default for OvalResultsOptions {
    fn default() -> Self {
        Self {
            product_name: "stigrun".to_string(),
            product_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: None,
        }
    }
}

/// Write the results document to `path` atomically: rendered into a temporary file next to it
/// and renamed into place, so a failure never leaves a half-written file.
pub fn write_oval_results_file(
    path: &Path,
    definitions: &OvalDefinitions,
    run: &OvalRun,
    options: &OvalResultsOptions,
) -> Result<(), OvalResultsError> {
    let write_error = |source| OvalResultsError::Write { path: path.to_path_buf(), source };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = tempfile::NamedTempFile::new_in(directory).map_err(write_error)?;
    let mut out = BufWriter::new(temporary);
    write_oval_results(&mut out, definitions, run, options)?;
    let temporary = out.into_inner().map_err(|e| write_error(e.into_error()))?;
    temporary.as_file().sync_all().map_err(write_error)?;
    temporary.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// Stream the results document to `out`. Items are rendered in chunks, so memory stays bounded
/// by the chunk size rather than growing with the whole system-data section.
pub fn write_oval_results<W: Write>(
    mut out: W,
    definitions: &OvalDefinitions,
    run: &OvalRun,
    options: &OvalResultsOptions,
) -> Result<(), OvalResultsError> {
    let environment = environment()?;
    let template = environment.get_template(TEMPLATE_NAME)?;
    template.render_captured_to(view_model(definitions, run, options), &mut out)?;
    for (index, chunk) in run.items.chunks(ITEMS_PER_CHUNK).enumerate() {
        let items =
            map([("part", Value::from("items")), ("items", item_views(chunk, index * ITEMS_PER_CHUNK))]);
        template.render_captured_to(items, &mut out)?;
    }
    let tail = map([("part", Value::from("tail")), ("has_items", Value::from(!run.items.is_empty()))]);
    template.render_captured_to(tail, &mut out)?;
    Ok(())
}

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut environment = escaping_environment(escape_xml)?;
    environment.add_template(TEMPLATE_NAME, TEMPLATE)?;
    Ok(environment)
}

// ---------------------------------------------------------------------------------------------
// View-model

fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::from(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<String, Value>>())
}

/// Everything but the items (`part` = `head`).
fn view_model(definitions: &OvalDefinitions, run: &OvalRun, options: &OvalResultsOptions) -> Value {
    let timestamp = options.timestamp.clone().unwrap_or_else(crate::clock::utc_timestamp);
    let generator = map([
        ("product_name", Value::from(options.product_name.as_str())),
        ("product_version", Value::from(options.product_version.as_str())),
        ("schema_version", Value::from(schema_version(definitions))),
        ("timestamp", Value::from(timestamp)),
    ]);
    let info = &run.system_info;
    let interfaces: Vec<Value> = info
        .interfaces
        .iter()
        .map(|(name, ip, mac)| {
            map([
                ("name", Value::from(name.as_str())),
                ("ip_address", Value::from(ip.as_str())),
                ("mac_address", Value::from(mac.as_str())),
            ])
        })
        .collect();
    let system_info = map([
        ("os_name", Value::from(info.os_name.as_str())),
        ("os_version", Value::from(info.os_version.as_str())),
        ("architecture", Value::from(info.architecture.as_str())),
        ("primary_host_name", Value::from(info.primary_host_name.as_str())),
        ("interfaces", Value::from(interfaces)),
    ]);
    map([
        ("part", Value::from("head")),
        ("generator", generator),
        // Definitions built in code have no source text: the directives then say it is not included.
        (
            "definitions_xml",
            definitions.source_xml.as_deref().map(|xml| Value::from_safe_string(xml.to_string())).into(),
        ),
        ("definitions", definition_views(run)),
        ("tests", test_views(run)),
        ("system_info", system_info),
        ("collected_objects", object_views(run)),
        ("has_items", Value::from(!run.items.is_empty())),
    ])
}

/// The OVAL schema version of the output: the one the definitions declare, but at least 5.11.3,
/// whose system-characteristics schemas hold every item type stigrun collects (e.g. yamlfilecontent).
fn schema_version(definitions: &OvalDefinitions) -> String {
    let declared = definitions.generator.schema_version.trim();
    let parts = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    if parts(declared) > parts("5.11.3") { declared.to_string() } else { "5.11.3".to_string() }
}

fn definition_views(run: &OvalRun) -> Value {
    run.definitions
        .values()
        .map(|d| {
            map([
                ("id", Value::from(d.id.as_str())),
                ("version", Value::from(d.version.as_str())),
                ("result", Value::from(d.result.as_str())),
                ("criteria", d.criteria.as_ref().map(|c| criteria_view(c, 0)).into()),
            ])
        })
        .collect()
}

fn criteria_view(criteria: &CriteriaResult, depth: usize) -> Value {
    let children: Vec<Value> = criteria
        .children
        .iter()
        .map(|child| match child {
            CriteriaResultNode::Criteria(inner) => criteria_view(inner, depth + 1),
            CriteriaResultNode::Criterion { test_ref, version, negate, applicability_check, result } => {
                leaf_view(
                    "criterion",
                    "test_ref",
                    test_ref,
                    version,
                    *negate,
                    *applicability_check,
                    depth + 1,
                    *result,
                )
            }
            CriteriaResultNode::ExtendDefinition {
                definition_ref,
                version,
                negate,
                applicability_check,
                result,
            } => leaf_view(
                "extend_definition",
                "definition_ref",
                definition_ref,
                version,
                *negate,
                *applicability_check,
                depth + 1,
                *result,
            ),
        })
        .collect();
    map([
        ("kind", Value::from("criteria")),
        ("indent", Value::from("  ".repeat(depth))),
        ("operator", Value::from(spelling::operator::name(criteria.operator))),
        ("negate", Value::from(criteria.negate)),
        ("applicability_check", criteria.applicability_check.map(xml_bool).into()),
        ("result", Value::from(criteria.result.as_str())),
        ("children", Value::from(children)),
    ])
}

#[allow(clippy::too_many_arguments)] // one leaf of the tree: each argument is an attribute
fn leaf_view(
    kind: &str,
    ref_name: &str,
    reference: &str,
    version: &str,
    negate: bool,
    applicability_check: Option<bool>,
    depth: usize,
    result: crate::semantics::OvalResult,
) -> Value {
    map([
        ("kind", Value::from(kind)),
        ("indent", Value::from("  ".repeat(depth))),
        ("ref_name", Value::from(ref_name)),
        ("ref", Value::from(reference)),
        ("version", Value::from(version)),
        ("negate", Value::from(negate)),
        ("applicability_check", applicability_check.map(xml_bool).into()),
        ("result", Value::from(result.as_str())),
        ("children", Value::from(Vec::<Value>::new())),
    ])
}

/// Booleans as XML Schema spells them (a template would print `True`).
fn xml_bool(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn variable_pairs(pairs: &[(String, String)]) -> Value {
    pairs
        .iter()
        .map(|(id, value)| map([("id", Value::from(id.as_str())), ("value", Value::from(value.as_str()))]))
        .collect()
}

fn test_views(run: &OvalRun) -> Value {
    run.tests
        .values()
        .map(|t| {
            // Attributes at their schema default are left out, as oscap does.
            let existence = (t.check_existence != Existence::AtLeastOneExists)
                .then(|| spelling::existence::name(t.check_existence));
            let state_operator =
                (t.state_operator != Operator::And).then(|| spelling::operator::name(t.state_operator));
            let tested_items: Vec<Value> = t
                .tested_items
                .iter()
                .map(|(id, result)| map([("id", Value::from(*id)), ("result", Value::from(result.as_str()))]))
                .collect();
            map([
                ("id", Value::from(t.id.as_str())),
                ("version", Value::from(t.version.as_str())),
                ("check_existence", existence.into()),
                ("check", Value::from(spelling::check::name(t.check))),
                ("state_operator", state_operator.into()),
                ("result", Value::from(t.result.as_str())),
                ("messages", t.messages.iter().map(|m| m.message.as_str()).collect()),
                ("tested_items", Value::from(tested_items)),
                ("tested_variables", variable_pairs(&t.tested_variables)),
            ])
        })
        .collect()
}

fn object_views(run: &OvalRun) -> Value {
    run.collected_objects
        .values()
        .map(|o| {
            map([
                ("id", Value::from(o.id.as_str())),
                ("version", Value::from(o.version.as_str())),
                ("flag", Value::from(o.flag.as_str())),
                ("messages", o.messages.iter().map(|m| m.message.as_str()).collect()),
                ("variable_values", variable_pairs(&o.variable_values)),
                ("item_refs", o.item_refs.iter().copied().collect()),
            ])
        })
        .collect()
}

/// The prefix an item's family is written with, and the namespace to declare on the item when the
/// family has no prefix declared on `oval_system_characteristics`.
fn item_namespace(item: &Item) -> (&'static str, Option<String>) {
    match item.kind.family {
        Family::Independent => ("ind-sys", None),
        Family::Unix => ("unix-sys", None),
        Family::Linux => ("lin-sys", None),
        Family::Docker => {
            ("docker-sys", Some(crate::model::oval::NS_DOCKER_SYSTEM_CHARACTERISTICS.to_string()))
        }
        Family::Other => {
            let namespace =
                item.kind.namespace.replace("oval-definitions-5", "oval-system-characteristics-5");
            let namespace = if namespace.is_empty() { format!("{NS_SC}#other") } else { namespace };
            ("sys", Some(namespace))
        }
    }
}

/// Views of `items`, the first of which is `run.items[offset]` (item ids are index + 1).
/// Item entities the 5.11 schema deprecates: left out of the file, because the official schematron
/// rejects them (`oscap oval validate --results` fails on oscap's own output for `line`). They stay
/// in the collected item, so a state that tests them still evaluates.
fn is_deprecated_entity(item: &Item, name: &str) -> bool {
    item.kind.name == "textfilecontent_item" && name == "line"
}

fn item_views(items: &[Item], offset: usize) -> Value {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let (prefix, namespace) = item_namespace(item);
            let level = if item.status == ItemStatus::Error { "error" } else { "info" };
            map([
                ("prefix", Value::from(prefix)),
                ("namespace", namespace.into()),
                ("name", Value::from(item.kind.name.as_str())),
                ("id", Value::from((offset + index) as u64 + 1)),
                ("status", Value::from(spelling::item_status::name(item.status))),
                ("message_level", Value::from(level)),
                ("messages", item.messages.iter().take(MAX_ITEM_MESSAGES).map(String::as_str).collect()),
                (
                    "fields",
                    item.fields
                        .iter()
                        .filter(|f| !is_deprecated_entity(item, &f.name))
                        .map(|f| field_view(f, nillable(item, &f.name)))
                        .collect(),
                ),
            ])
        })
        .collect()
}

/// The item entities the 5.11.3 system-characteristics schemas declare `nillable` (family, item,
/// entity). Anywhere else a missing value is written as an empty element, which the schemas allow.
const NILLABLE: &[(Family, &str, &str)] = &[
    (Family::Independent, "environmentvariable58_item", "pid"),
    (Family::Independent, "ldap_item", "relative_dn"),
    (Family::Independent, "ldap_item", "attribute"),
    (Family::Independent, "ldap57_item", "relative_dn"),
    (Family::Independent, "ldap57_item", "attribute"),
    (Family::Unix, "file_item", "filename"),
    (Family::Unix, "fileextendedattribute_item", "filename"),
    (Family::Unix, "gconf_item", "source"),
    (Family::Linux, "selinuxsecuritycontext_item", "filename"),
];

fn nillable(item: &Item, entity: &str) -> bool {
    NILLABLE.iter().any(|(family, name, field)| {
        *family == item.kind.family && *name == item.kind.name && *field == entity
    })
}

fn field_view(field: &ItemField, nillable: bool) -> Value {
    let datatype = (field.datatype != Datatype::String && field.datatype != Datatype::Record)
        .then(|| spelling::datatype::name(field.datatype));
    let status = (field.status != ItemStatus::Exists).then(|| spelling::item_status::name(field.status));
    let (value, nil, fields) = match &field.value {
        ItemValue::Text(text) => (Value::from(text.as_str()), false, Value::from(())),
        ItemValue::Record(fields) => {
            (Value::from(()), false, fields.iter().map(|f| field_view(f, false)).collect())
        }
        // A missing value is `xsi:nil` only where the schema allows it and the entity itself exists;
        // otherwise its status (or an empty element) says it.
        ItemValue::Nil => (Value::from(""), nillable && field.status == ItemStatus::Exists, Value::from(())),
    };
    map([
        ("name", Value::from(field.name.as_ref())),
        ("datatype", datatype.into()),
        ("status", status.into()),
        ("nil", Value::from(nil)),
        ("value", value),
        ("fields", fields),
    ])
}

#[cfg(test)]
mod tests;
