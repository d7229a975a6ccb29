//! `ind:yamlfilecontent_object` → `ind:yamlfilecontent_item`: values addressed by a YAML path
//! in YAML (and so JSON) files, as `record` values.
//!
//! Follows OpenSCAP 1.3.7 (its yaml-path library and yamlfilecontent probe):
//! - paths: optional `$`, `.key` / `key` / `['key']`, key selections `['a','b']` / `.*` /
//!   `[*]` (maps only), indices `[0]`, index sets `[0,2]` / `[:]` (sequences only). A single key
//!   or index yields the value itself; a selection keeps its map / sequence around the values.
//! - the result becomes records: a scalar → one record with field `#`; a sequence of scalars →
//!   one record with a `#` field per scalar; a map → one record with a field per key (a
//!   sequence value gives the key several fields); a sequence of maps or of sequences → one
//!   record each. Anything deeper is an error, with oscap's message.
//! - keys are escaped as oscap does (`A` → `^a`, `^` → `^^`); plain scalars are typed by the
//!   YAML 1.2 core-schema patterns oscap uses (booleans only `true`/`True`/`TRUE`…, floats
//!   printed with six decimals, ints as 32-bit C ints, null as oscap prints it: `(null)`);
//!   quoted scalars are strings.
//!
//! Differences on purpose: a malformed file names the file and the line:column of the error;
//! record fields keep document order (oscap's order comes from a hash table).

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::model::oval::{Datatype, Family, Item, ItemField, ItemStatus, ItemValue};

use crate::probes::support::fileset::{collect_parsed, push_location};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct YamlFileContentProbe;

impl Probe for YamlFileContentProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "yamlfilecontent_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(yamlpath) = object.entity("yamlpath").and_then(|e| e.values.first()) else {
            return Collected::error(format!("object `{}` has no `yamlpath`", object.id));
        };
        let path = match YamlPath::parse(yamlpath) {
            Ok(p) => p,
            Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
        };
        let kind = item_type(object.kind);
        collect_parsed(object, ctx, |file, shown, text| {
            let mut notes = Vec::new();
            let docs = if is_strict_json(shown) {
                let (doc, n) = strict_json_document(text.as_bytes(), shown)?;
                notes = n;
                vec![doc]
            } else {
                parse_documents(text).map_err(|e| {
                    format!("`{shown}`:{}:{}: malformed YAML: {}", e.line, e.column, e.message)
                })?
            };
            let selected: Vec<Node> = docs.iter().filter_map(|d| path.select(d)).collect();
            let records = to_records(&selected)
                .map_err(|m| format!("`{shown}`: YAML path `{yamlpath}` points to {m}"))?;
            if records.is_empty() {
                return Ok(None);
            }
            let mut item = Item::new(kind.clone());
            push_location(&mut item, file);
            item.push("yamlpath", Datatype::String, yamlpath.clone());
            item.messages.extend(notes);
            for fields in records {
                item.fields.push(ItemField {
                    name: "value".into(),
                    datatype: Datatype::Record,
                    status: ItemStatus::Exists,
                    value: ItemValue::Record(fields),
                });
            }
            Ok(Some(item))
        })
    }
}

/// The probe's reading of one file without a target: parse `text`, select `yamlpath`, build the
/// records; the number of records, or the message the probe would give. For the fuzz targets.
#[doc(hidden)]
pub fn query_text(text: &str, yamlpath: &str) -> Result<usize, String> {
    let path = YamlPath::parse(yamlpath).map_err(|e| e.to_string())?;
    let docs = parse_documents(text).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
    let selected: Vec<Node> = docs.iter().filter_map(|d| path.select(d)).collect();
    to_records(&selected).map(|r| r.len())
}

// ---------------------------------------------------------------------------------------------
// YAML documents as a small tree that keeps what typing needs (style and tag of scalars).

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar { value: String, plain: bool, tag: Option<String> },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
struct YamlError {
    line: usize,
    column: usize,
    message: String,
}

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_NESTING: usize = 256;

/// Anchors seen so far (with the node count of each, so an alias costs what it expands to) and
/// the nodes built, bounded by `yaml-nodes`: a few hundred bytes of nested aliases (billion
/// laughs) expand to billions of nodes.
struct Builder {
    anchors: Vec<Option<(Node, usize)>>,
    nodes: usize,
    max_nodes: usize,
    max_depth: usize,
}

fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let limits = crate::limits::get();
    let mut b = Builder {
        anchors: Vec::new(),
        nodes: 0,
        max_nodes: limits.yaml_nodes,
        max_depth: limits.yaml_depth.min(MAX_NESTING),
    };
    let mut docs = Vec::new();
    loop {
        let (event, mark) = next(&mut parser)?;
        match event {
            Event::StreamEnd => return Ok(docs),
            Event::StreamStart | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {}
            other => docs.push(b.build(&mut parser, other, mark, 0)?.0),
        }
    }
}

fn next(parser: &mut Parser<std::str::Chars<'_>>) -> Result<(Event, Marker), YamlError> {
    parser.next_token().map_err(|e| YamlError {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    })
}

impl Builder {
    /// The node an event starts, and how many nodes it holds (aliases expanded).
    fn build(
        &mut self,
        parser: &mut Parser<std::str::Chars<'_>>,
        event: Event,
        mark: Marker,
        depth: usize,
    ) -> Result<(Node, usize), YamlError> {
        let err =
            |message: &str| YamlError { line: mark.line(), column: mark.col() + 1, message: message.into() };
        if depth > self.max_depth {
            return Err(err(&format!("nested deeper than {} levels (limit `yaml-depth`)", self.max_depth)));
        }
        let count = |b: &mut Builder, n: usize| {
            b.nodes = b.nodes.saturating_add(n);
            if b.nodes > b.max_nodes {
                return Err(err(&format!(
                    "more than {} nodes with aliases expanded (limit `yaml-nodes`)",
                    b.max_nodes
                )));
            }
            Ok(())
        };
        let (node, size, anchor) = match event {
            Event::Scalar(value, style, anchor, tag) => {
                count(self, 1)?;
                (
                    Node::Scalar { value, plain: style == TScalarStyle::Plain, tag: tag.map(full_tag) },
                    1,
                    anchor,
                )
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(id).and_then(|a| a.as_ref()).map(|(_, size)| *size) else {
                    return Err(err("unknown alias"));
                };
                count(self, size)?;
                let node = self.anchors.get(id).and_then(|a| a.as_ref()).map(|(n, _)| n.clone());
                return node.map(|n| (n, size)).ok_or_else(|| err("unknown alias"));
            }
            Event::SequenceStart(anchor, _) => {
                count(self, 1)?;
                let mut items = Vec::new();
                let mut size = 1usize;
                loop {
                    let (e, m) = next(parser)?;
                    if e == Event::SequenceEnd {
                        break;
                    }
                    let (item, n) = self.build(parser, e, m, depth + 1)?;
                    size = size.saturating_add(n);
                    items.push(item);
                }
                (Node::Seq(items), size, anchor)
            }
            Event::MappingStart(anchor, _) => {
                count(self, 1)?;
                let mut entries = Vec::new();
                let mut size = 1usize;
                loop {
                    let (e, m) = next(parser)?;
                    if e == Event::MappingEnd {
                        break;
                    }
                    let (key, k) = self.build(parser, e, m, depth + 1)?;
                    let (e, m) = next(parser)?;
                    let (value, v) = self.build(parser, e, m, depth + 1)?;
                    size = size.saturating_add(k).saturating_add(v);
                    entries.push((key, value));
                }
                (Node::Map(entries), size, anchor)
            }
            _ => return Err(err("unexpected event")),
        };
        if anchor > 0 {
            if self.anchors.len() <= anchor {
                self.anchors.resize(anchor + 1, None);
            }
            self.anchors[anchor] = Some((node.clone(), size));
        }
        Ok((node, size))
    }
}

// ---------------------------------------------------------------------------------------------
// daemon.json: read as dockerd reads it.

/// Is this file one whose daemon parses it as strict JSON? dockerd's daemon.json is; reading it
/// as YAML would accept what dockerd refuses and take the first of duplicate keys.
fn is_strict_json(path: &str) -> bool {
    path.rsplit('/').next() == Some("daemon.json")
}

/// A daemon.json as one document, duplicate keys resolved as dockerd does (the last wins), with
/// a note for each key given more than once.
fn strict_json_document(bytes: &[u8], shown: &str) -> Result<(Node, Vec<String>), String> {
    let value = crate::probes::support::dockerd::json::parse(bytes)
        .map_err(|e| format!("`{shown}`:{}: not valid JSON, as dockerd reads it: {}", e.at, e.message))?;
    let mut notes = Vec::new();
    Ok((json_node(&value.value, shown, &mut notes), notes))
}

fn json_node(
    value: &crate::probes::support::dockerd::json::Value,
    shown: &str,
    notes: &mut Vec<String>,
) -> Node {
    use crate::probes::support::dockerd::json::Value;
    let scalar = |value: &str, plain: bool| Node::Scalar { value: value.to_string(), plain, tag: None };
    match value {
        Value::Null => scalar("null", true),
        Value::Bool(b) => scalar(if *b { "true" } else { "false" }, true),
        Value::Number(n) => scalar(n, true),
        Value::String(s) => scalar(s, false),
        Value::Array(items) => Node::Seq(items.iter().map(|i| json_node(&i.value, shown, notes)).collect()),
        Value::Object(object) => {
            for (lost, winner) in object.overridden() {
                notes.push(format!(
                    "`{shown}`:{}: key `{}` is given again at {}; dockerd keeps the last, so does stigrun",
                    lost.key_at, lost.key, winner.key_at
                ));
            }
            let entries = object
                .keys()
                .into_iter()
                .filter_map(|k| object.get(k))
                .map(|m| (scalar(&m.key, false), json_node(&m.value.value, shown, notes)))
                .collect();
            Node::Map(entries)
        }
    }
}

fn full_tag(tag: Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

// ---------------------------------------------------------------------------------------------
// YAML paths.

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    /// `None` = every key (`.*`, `[*]`).
    Keys(Option<Vec<String>>),
    Index(usize),
    /// `None` = every index (`[:]`).
    Indices(Option<Vec<usize>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid YAML path `{path}`: {reason}")]
pub struct YamlPathError {
    path: String,
    reason: String,
}

impl YamlPath {
    pub fn parse(path: &str) -> Result<YamlPath, YamlPathError> {
        let fail = |reason: &str| YamlPathError { path: path.to_string(), reason: reason.to_string() };
        let mut rest = path.strip_prefix('$').unwrap_or(path);
        if rest.starts_with('&') {
            return Err(fail("anchor segments (`&name`) are not supported"));
        }
        let mut segments = Vec::new();
        let mut first = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let close = after.find(']').ok_or_else(|| fail("missing `]`"))?;
                segments
                    .push(bracket_segment(&after[..close]).ok_or_else(|| fail("invalid bracket segment"))?);
                rest = &after[close + 1..];
            } else {
                let body = match rest.strip_prefix('.') {
                    Some(b) => b,
                    None if first => rest,
                    None => return Err(fail("expected `.` or `[`")),
                };
                let end = body.find(['.', '[']).unwrap_or(body.len());
                let key = &body[..end];
                if key.is_empty() {
                    // Also `.["key"]`: oscap's yaml-path rejects a dot with no key before a
                    // bracket (the path is written `["key"]`), and stigrun agrees with it.
                    return Err(fail("segment key is missing"));
                }
                segments.push(if key == "*" { Segment::Keys(None) } else { Segment::Key(key.to_string()) });
                rest = &body[end..];
            }
            first = false;
        }
        Ok(YamlPath { segments })
    }

    /// The part of `doc` this path addresses, or `None` when nothing matches.
    fn select(&self, doc: &Node) -> Option<Node> {
        select(doc, &self.segments)
    }
}

fn bracket_segment(inner: &str) -> Option<Segment> {
    let inner = inner.trim();
    match inner {
        "*" => return Some(Segment::Keys(None)),
        ":" => return Some(Segment::Indices(None)),
        _ => {}
    }
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    if parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        let idx: Option<Vec<usize>> = parts.iter().map(|p| p.parse().ok()).collect();
        let idx = idx?;
        return Some(if idx.len() == 1 { Segment::Index(idx[0]) } else { Segment::Indices(Some(idx)) });
    }
    let keys: Option<Vec<String>> = parts.iter().map(|p| unquote(p)).collect();
    let keys = keys?;
    Some(if keys.len() == 1 { Segment::Key(keys[0].clone()) } else { Segment::Keys(Some(keys)) })
}

fn unquote(s: &str) -> Option<String> {
    let q = s.chars().next()?;
    if (q == '\'' || q == '"') && s.len() >= 2 && s.ends_with(q) {
        Some(s[1..s.len() - 1].to_string())
    } else {
        None
    }
}

fn key_text(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

fn select(node: &Node, segments: &[Segment]) -> Option<Node> {
    let Some((segment, rest)) = segments.split_first() else { return Some(node.clone()) };
    match (segment, node) {
        (Segment::Key(k), Node::Map(entries)) => {
            entries.iter().find(|(key, _)| key_text(key) == Some(k)).and_then(|(_, v)| select(v, rest))
        }
        (Segment::Keys(wanted), Node::Map(entries)) => {
            let kept: Vec<(Node, Node)> = entries
                .iter()
                .filter(|(key, _)| match wanted {
                    None => true,
                    Some(w) => key_text(key).is_some_and(|k| w.iter().any(|x| x == k)),
                })
                .filter_map(|(key, v)| select(v, rest).map(|v| (key.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(Node::Map(kept))
        }
        (Segment::Index(i), Node::Seq(items)) => items.get(*i).and_then(|v| select(v, rest)),
        (Segment::Indices(wanted), Node::Seq(items)) => {
            let kept: Vec<Node> = items
                .iter()
                .enumerate()
                .filter(|(i, _)| wanted.as_ref().is_none_or(|w| w.contains(i)))
                .filter_map(|(_, v)| select(v, rest))
                .collect();
            (!kept.is_empty()).then_some(Node::Seq(kept))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Selected YAML → OVAL records.

type Record = Vec<ItemField>;

/// The records the selected parts of a file's documents yield, or the shape error oscap
/// reports (`points to …`). Loose scalars (a scalar result, or scalars of a sequence) share one
/// record across the whole file, added last, as oscap builds it.
fn to_records(selected: &[Node]) -> Result<Vec<Record>, String> {
    const MAP_IN_MAP: &str = "a multi-dimensional structure (map containing another map)";
    const SEQ_IN_SEQ: &str = "a multi-dimensional structure (a map or a sequence containing other sequences)";
    const AFTER_SCALAR: &str = "an invalid structure (map containing another map)";
    let mut records = Vec::new();
    let mut loose: Record = Vec::new();
    for node in selected {
        match node {
            Node::Scalar { .. } => loose.push(scalar_field("#", node)?),
            Node::Map(entries) => {
                if !loose.is_empty() {
                    return Err(AFTER_SCALAR.into());
                }
                records.push(map_record(entries, MAP_IN_MAP, SEQ_IN_SEQ)?);
            }
            Node::Seq(items) => {
                for item in items {
                    match item {
                        Node::Scalar { .. } => loose.push(scalar_field("#", item)?),
                        Node::Map(entries) => {
                            if !loose.is_empty() {
                                return Err(AFTER_SCALAR.into());
                            }
                            records.push(map_record(entries, MAP_IN_MAP, SEQ_IN_SEQ)?);
                        }
                        Node::Seq(inner) => {
                            let mut record = Vec::new();
                            for v in inner {
                                match v {
                                    Node::Scalar { .. } => record.push(scalar_field("#", v)?),
                                    Node::Seq(_) => return Err(SEQ_IN_SEQ.into()),
                                    Node::Map(_) => {
                                        return Err("a multi-dimensional structure (two-dimensional \
                                                    sequence containing a map)"
                                            .into());
                                    }
                                }
                            }
                            records.push(record);
                        }
                    }
                }
            }
        }
    }
    records.push(loose);
    // Empty records are not collected (oscap).
    records.retain(|r| !r.is_empty());
    Ok(records)
}

fn map_record(entries: &[(Node, Node)], map_in_map: &str, seq_in_seq: &str) -> Result<Record, String> {
    let mut record = Vec::new();
    for (key, value) in entries {
        let name = escape_key(key_text(key).ok_or_else(|| map_in_map.to_string())?);
        match value {
            Node::Scalar { .. } => record.push(scalar_field(&name, value)?),
            Node::Map(_) => return Err(map_in_map.into()),
            Node::Seq(items) => {
                for v in items {
                    match v {
                        Node::Scalar { .. } => record.push(scalar_field(&name, v)?),
                        Node::Seq(_) => return Err(seq_in_seq.into()),
                        Node::Map(_) => return Err(map_in_map.into()),
                    }
                }
            }
        }
    }
    Ok(record)
}

/// oscap's record field names: OVAL field names are lower case, so `A` becomes `^a` and a
/// literal `^` becomes `^^`.
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('^');
            out.push(c.to_ascii_lowercase());
        } else if c == '^' {
            out.push_str("^^");
        } else {
            out.push(c);
        }
    }
    out
}

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

fn scalar_field(name: &str, node: &Node) -> Result<ItemField, String> {
    let Node::Scalar { value, plain, tag } = node else { return Err("a non-scalar value".into()) };
    let (datatype, text) = type_scalar(value, *plain, tag.as_deref()).ok_or_else(|| {
        format!("a value `{value}` that cannot be read as its tag `{}`", tag.as_deref().unwrap_or(""))
    })?;
    Ok(ItemField {
        name: name.to_string().into(),
        datatype,
        status: ItemStatus::Exists,
        value: ItemValue::Text(text),
    })
}

/// Type a scalar the way oscap does; `None` when an explicit tag does not fit the value.
fn type_scalar(value: &str, plain: bool, tag: Option<&str>) -> Option<(Datatype, String)> {
    let tag = match tag {
        Some(t) => t.strip_prefix(TAG_PREFIX).unwrap_or(t),
        None if plain => "?",
        None => "str",
    };
    if tag == "str" || tag == "!" {
        return Some((Datatype::String, value.to_string()));
    }
    let guess = tag == "?";
    // oscap prints a YAML null (plain `null`, `~`, nothing, or `!!null`) as `(null)`.
    if tag == "null" || (guess && matches!(value, "null" | "Null" | "NULL" | "~" | "")) {
        return Some((Datatype::String, "(null)".to_string()));
    }
    if guess || tag == "bool" {
        match value {
            "true" | "True" | "TRUE" => return Some((Datatype::Boolean, "true".into())),
            "false" | "False" | "FALSE" => return Some((Datatype::Boolean, "false".into())),
            _ if !guess => return None,
            _ => {}
        }
    }
    if guess || tag == "int" {
        if let Some(i) = parse_c_int(value) {
            return Some((Datatype::Int, i.to_string()));
        }
        if !guess {
            return None;
        }
    }
    if guess || tag == "float" {
        if let Some(f) = parse_yaml_float(value) {
            return Some((Datatype::Float, format_c_float(f)));
        }
        if !guess {
            return None;
        }
    }
    Some((Datatype::String, value.to_string()))
}

/// Decimal, `0o` octal or `0x` hex, stored (as oscap does) in a 32-bit C `int`.
fn parse_c_int(v: &str) -> Option<i32> {
    let wide: i64 = if let Some(oct) = v.strip_prefix("0o") {
        if oct.is_empty() || !oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return None;
        }
        i64::from_str_radix(oct, 8).unwrap_or(i64::MAX)
    } else if let Some(hex) = v.strip_prefix("0x") {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        i64::from_str_radix(hex, 16).unwrap_or(i64::MAX)
    } else {
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // strtol saturates at the long range; the cast to int then wraps.
        v.parse::<i64>().unwrap_or(if v.starts_with('-') { i64::MIN } else { i64::MAX })
    };
    Some(wide as i32)
}

/// YAML 1.2 core-schema floats: `1.5`, `.5`, `1e3`, `-.inf`, `.NaN`.
fn parse_yaml_float(v: &str) -> Option<f64> {
    let unsigned = v.strip_prefix(['+', '-']).unwrap_or(v);
    let negative = v.starts_with('-');
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if matches!(v, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let d = e.strip_prefix(['+', '-']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    v.parse::<f64>().ok()
}

/// C's `%f`: six decimals, `inf` / `-inf` / `nan`.
fn format_c_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f < 0.0 { "-inf".into() } else { "inf".into() }
    } else {
        format!("{f:.6}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::Operation;
    use crate::probes::support::fileset::tests::{entity, kind, object};
    use crate::semantics::CollectedFlag;
    use std::fs;

    /// (name, datatype, text) per field, per record.
    type Shown = Vec<Vec<(String, Datatype, String)>>;

    fn show(records: &[Record]) -> Shown {
        records
            .iter()
            .map(|r| {
                r.iter()
                    .map(|f| {
                        let t = match &f.value {
                            ItemValue::Text(t) => t.clone(),
                            _ => String::new(),
                        };
                        (f.name.to_string(), f.datatype, t)
                    })
                    .collect()
            })
            .collect()
    }

    fn query(yaml: &str, path: &str) -> Result<Shown, String> {
        let docs = parse_documents(yaml).map_err(|e| e.message)?;
        let p = YamlPath::parse(path).map_err(|e| e.to_string())?;
        let selected: Vec<Node> = docs.iter().filter_map(|d| p.select(d)).collect();
        Ok(show(&to_records(&selected)?))
    }

    fn f(name: &str, dt: Datatype, t: &str) -> (String, Datatype, String) {
        (name.to_string(), dt, t.to_string())
    }

    use Datatype::{Boolean as B, Float as F, Int as I, String as S};

    const DOC: &str = r#"
f: 1.5
e: 1e3
h: 0x1F
o: 0o17
inf: -.inf
n: 3
nul: null
qt: "true"
bt: True
yes: yes
ulimits:
  nofile: {Name: nofile, Hard: 64000, "a^b": 1}
list: [a, b, 3]
users:
  - name: alice
    groups: [wheel, adm]
  - name: bob
    uid: 2
nested: [[1, 2], [3]]
"#;

    // Expected values below are oscap 1.3.7's output for the same document and paths
    // (OSCAP_PROBE_ROOT run recorded in the report), except that field order is document order.
    #[test]
    fn scalars_are_typed_and_rendered_like_oscap() {
        assert_eq!(query(DOC, ".f").unwrap(), [[f("#", F, "1.500000")]]);
        assert_eq!(query(DOC, ".e").unwrap(), [[f("#", F, "1000.000000")]]);
        assert_eq!(query(DOC, ".h").unwrap(), [[f("#", I, "31")]]);
        assert_eq!(query(DOC, ".o").unwrap(), [[f("#", I, "15")]]);
        assert_eq!(query(DOC, ".inf").unwrap(), [[f("#", F, "-inf")]]);
        assert_eq!(query(DOC, ".n").unwrap(), [[f("#", I, "3")]]);
        assert_eq!(query(DOC, ".nul").unwrap(), [[f("#", S, "(null)")]]);
        assert_eq!(query(DOC, ".qt").unwrap(), [[f("#", S, "true")]]);
        assert_eq!(query(DOC, ".bt").unwrap(), [[f("#", B, "true")]]);
        assert_eq!(query(DOC, ".yes").unwrap(), [[f("#", S, "yes")]]);
    }

    #[test]
    fn edge_scalars_like_oscap() {
        let doc = "empty:\nqnull: 'null'\ntnull: !!null null\nnan: .nan\nbig: 4294967297\nplus: +12\n\
                   under: 1_000\nneg: -0x1F\nflt: 1.\nexp: 1E+2\nbool: !!bool yes\nmulti: |\n  l1\n  l2\n";
        assert_eq!(query(doc, ".empty").unwrap(), [[f("#", S, "(null)")]]);
        assert_eq!(query(doc, ".qnull").unwrap(), [[f("#", S, "null")]]);
        assert_eq!(query(doc, ".tnull").unwrap(), [[f("#", S, "(null)")]]);
        assert_eq!(query(doc, ".nan").unwrap(), [[f("#", F, "nan")]]);
        assert_eq!(query(doc, ".big").unwrap(), [[f("#", I, "1")]]);
        assert_eq!(query(doc, ".plus").unwrap(), [[f("#", I, "12")]]);
        assert_eq!(query(doc, ".under").unwrap(), [[f("#", S, "1_000")]]);
        assert_eq!(query(doc, ".neg").unwrap(), [[f("#", S, "-0x1F")]]);
        assert_eq!(query(doc, ".flt").unwrap(), [[f("#", F, "1.000000")]]);
        assert_eq!(query(doc, ".exp").unwrap(), [[f("#", F, "100.000000")]]);
        assert!(query(doc, ".bool").is_err());
        assert_eq!(query(doc, ".multi").unwrap(), [[f("#", S, "l1\nl2\n")]]);
    }

    #[test]
    fn maps_sequences_and_selections() {
        assert_eq!(
            query(DOC, ".ulimits.nofile").unwrap(),
            [[f("^name", S, "nofile"), f("^hard", I, "64000"), f("a^^b", I, "1")]]
        );
        assert_eq!(query(DOC, ".ulimits['nofile']").unwrap(), query(DOC, ".ulimits.nofile").unwrap());
        assert_eq!(query(DOC, ".list[:]").unwrap(), [[f("#", S, "a"), f("#", S, "b"), f("#", I, "3")]]);
        assert_eq!(query(DOC, "list").unwrap(), query(DOC, ".list[:]").unwrap());
        assert_eq!(query(DOC, ".list[1]").unwrap(), [[f("#", S, "b")]]);
        assert_eq!(query(DOC, "$.list[0,2]").unwrap(), [[f("#", S, "a"), f("#", I, "3")]]);
        assert_eq!(query(DOC, "['f','n']").unwrap(), [[f("f", F, "1.500000"), f("n", I, "3")]]);
        assert_eq!(
            query(DOC, ".users[:]").unwrap(),
            [
                vec![f("name", S, "alice"), f("groups", S, "wheel"), f("groups", S, "adm")],
                vec![f("name", S, "bob"), f("uid", I, "2")]
            ]
        );
        assert_eq!(query(DOC, ".users").unwrap(), query(DOC, ".users[:]").unwrap());
        assert_eq!(query(DOC, ".users[:].name").unwrap(), [[f("#", S, "alice"), f("#", S, "bob")]]);
        assert_eq!(query(DOC, ".users[0].groups").unwrap(), [[f("#", S, "wheel"), f("#", S, "adm")]]);
        assert_eq!(
            query(DOC, ".nested").unwrap(),
            [vec![f("#", I, "1"), f("#", I, "2")], vec![f("#", I, "3")]]
        );
        assert!(query(DOC, ".missing").unwrap().is_empty());
        assert!(query(DOC, ".users[*]").unwrap().is_empty());
    }

    #[test]
    fn nested_maps_are_errors_with_oscaps_wording() {
        assert!(query(DOC, ".*").unwrap_err().contains("map containing another map"));
        assert!(query(DOC, ".ulimits").unwrap_err().contains("map containing another map"));
    }

    #[test]
    fn path_syntax_errors() {
        assert!(YamlPath::parse(".[n,f]").is_err());
        // Rejected by oscap 1.3.7 too (the differential case probe-yamlfilecontent, definition 14).
        assert!(YamlPath::parse(".[\"log-driver\"]").is_err());
        assert!(YamlPath::parse("[\"log-driver\"]").is_ok());
        assert!(YamlPath::parse(".a[0").is_err());
        assert!(YamlPath::parse("&anchor").is_err());
        assert!(YamlPath::parse(".a..b").is_err());
        assert_eq!(YamlPath::parse(".a.b").unwrap(), YamlPath::parse("$.a['b']").unwrap());
    }

    #[test]
    fn documents_of_one_file_share_the_scalar_record() {
        // oscap 1.3.7: `a: 1 --- a: 2` with `.a` gives one record with two `#` fields.
        assert_eq!(query("a: 1\n---\na: 2\n", ".a").unwrap(), [[f("#", I, "1"), f("#", I, "2")]]);
        assert!(query("a: 1\n---\na: {b: 2}\n", ".a").is_err());
    }

    #[test]
    fn aliases_resolve_to_their_anchor() {
        let yaml = "base: &b {x: 1}\ncopy: *b\n";
        assert_eq!(query(yaml, ".copy.x").unwrap(), [[f("#", I, "1")]]);
    }

    #[test]
    fn explicit_tags() {
        assert_eq!(query("a: !!str 12\n", ".a").unwrap(), [[f("#", S, "12")]]);
        assert_eq!(query("a: !!int '12'\n", ".a").unwrap(), [[f("#", I, "12")]]);
        assert!(query("a: !!int x\n", ".a").is_err());
        assert_eq!(query("a: 4294967297\n", ".a").unwrap(), [[f("#", I, "1")]]);
    }

    fn probe(content: &str, yamlpath: &str) -> Collected {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/docker")).unwrap();
        fs::write(d.path().join("etc/docker/daemon.json"), content).unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "yamlfilecontent_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/etc/docker/daemon.json"),
                entity("yamlpath", Operation::Equals, yamlpath),
            ],
            &[],
        );
        YamlFileContentProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())))
    }

    #[test]
    fn daemon_json_item() {
        let c = probe("{\n  \"icc\": false,\n  \"log-level\": \"info\"\n}\n", ".icc");
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        let names: Vec<&str> = item.fields.iter().map(|f| f.name.as_ref()).collect();
        assert_eq!(names, ["filepath", "path", "filename", "yamlpath", "value"]);
        let ItemValue::Record(fields) = &item.fields[4].value else { panic!("not a record") };
        assert_eq!(show(std::slice::from_ref(fields)), [[f("#", B, "false")]]);
        assert_eq!(c.evidence.len(), 1);
        assert_eq!(probe("{\"icc\": false}", ".live-restore").flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn malformed_daemon_json_names_file_and_position() {
        let c = probe("{\n  \"a\": 1,\n  \"b\": [1, 2\n", ".a");
        assert_eq!(c.flag, CollectedFlag::Error);
        let m = &c.messages[0];
        assert!(
            m.message.starts_with("`/etc/docker/daemon.json`:4:1: not valid JSON, as dockerd reads it"),
            "{m}"
        );
    }

    fn probe_bytes(setup: impl FnOnce(&std::path::Path), yamlpath: &str) -> Collected {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/docker")).unwrap();
        setup(&d.path().join("etc/docker/daemon.json"));
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "yamlfilecontent_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/etc/docker/daemon.json"),
                entity("yamlpath", Operation::Equals, yamlpath),
            ],
            &[],
        );
        YamlFileContentProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())))
    }

    fn error_message(c: &Collected) -> String {
        assert_eq!(c.flag, CollectedFlag::Error, "{c:?}");
        c.items
            .iter()
            .flat_map(|i| i.messages.clone())
            .chain(c.messages.iter().map(|m| m.message.clone()))
            .collect()
    }

    #[test]
    fn daemon_json_duplicate_keys_take_the_last_as_dockerd_does() {
        let c = probe("{\"icc\": false,\n \"icc\": true}", ".icc");
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        let ItemValue::Record(fields) = &item.fields[4].value else { panic!("not a record") };
        assert_eq!(show(std::slice::from_ref(fields)), [[f("#", B, "true")]]);
        assert!(item.messages.iter().any(|m| m.contains("dockerd keeps the last")), "{:?}", item.messages);
    }

    #[test]
    fn daemon_json_in_yaml_syntax_is_an_error() {
        let m = error_message(&probe("icc: false\n", ".icc"));
        assert!(m.contains("not valid JSON"), "{m}");
    }

    #[test]
    fn unreadable_daemon_json_is_an_error_never_absent() {
        let m = error_message(&probe_bytes(
            |p| fs::write(p, b"{\"log-driver\": \"sys\xfflog\"}").unwrap(),
            ".log-driver",
        ));
        assert!(m.contains("not valid UTF-8"), "{m}");
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain("{}".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let m = error_message(&probe_bytes(|p| fs::write(p, &utf16).unwrap(), ".icc"));
        assert!(m.contains("UTF-16"), "{m}");
        let fifo = |p: &std::path::Path| {
            rustix::fs::mkfifoat(rustix::fs::CWD, p, rustix::fs::Mode::from_raw_mode(0o600)).unwrap()
        };
        let m = error_message(&probe_bytes(fifo, ".icc"));
        assert!(m.contains("named pipe"), "{m}");
        let looped = |p: &std::path::Path| std::os::unix::fs::symlink("daemon.json", p).unwrap();
        let m = error_message(&probe_bytes(looped, ".icc"));
        assert!(m.contains("symbolic links"), "{m}");
        // A dangling link is absence, as for dockerd.
        let dangling = |p: &std::path::Path| std::os::unix::fs::symlink("nowhere.json", p).unwrap();
        assert_eq!(probe_bytes(dangling, ".icc").flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut yaml = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in ('b'..='k').enumerate() {
            let prev = (b'a' + i as u8) as char;
            yaml.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(yaml.len() < 600, "{}", yaml.len());
        let started = std::time::Instant::now();
        let e = parse_documents(&yaml).unwrap_err();
        assert!(e.message.contains("limit `yaml-nodes`"), "{e:?}");
        assert!(started.elapsed().as_secs() < 5);
        // Aliases within the bound still resolve.
        assert_eq!(query("a: &a {x: 1}\nb: [*a, *a]\n", ".b[1].x").unwrap(), [[f("#", I, "1")]]);
    }

    #[test]
    fn invalid_path_is_an_object_error() {
        let c = probe("{}", ".[a,b]");
        assert_eq!(c.flag, CollectedFlag::Error);
        assert!(c.messages[0].message.contains("invalid YAML path"), "{:?}", c.messages);
    }
}
