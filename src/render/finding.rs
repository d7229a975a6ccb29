//! A rule's finding details in words, the one text every format shows (console, JSON, HTML, XCCDF
//! messages, checklists' FINDING_DETAILS): what was checked (each test's comment and object), what
//! was expected (its state, with the organisation value a variable came from), what was found (per
//! item, or why nothing was), then the files read with their SHA-256.
//!
//! Only the tests that decided the result are described: for a failed `AND` the failing children,
//! for a failed `OR` all of them. Credentials are redacted (see [`Redaction`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::model::oval::{
    Check, Entity, Existence, ItemField, ItemStatus, ItemValue, ObjectBody, OvalDefinitions, Test,
};
use crate::model::spelling;
use crate::results::document::{RuleResult, ScanResults};
use crate::results::oval::{CriteriaResult, CriteriaResultNode, OvalRun, TestResult};
use crate::results::xccdf::XccdfResult;

/// Longest value quoted for one field (matched text can be a whole file).
const MAX_VALUE_CHARS: usize = 200;
/// Items described per test; the rest are counted.
const MAX_ITEMS: usize = 10;

/// The finding details of `rule` (empty for a rule with nothing to say: not checked, no messages).
pub fn finding_details(results: &ScanResults, rule: &RuleResult) -> String {
    let document =
        rule.check.as_ref().and_then(|c| c.oval_document.as_deref()).and_then(|k| results.oval_document(k));
    // Results read back without their content keep the text written at scan time.
    if document.is_some_and(|d| d.definitions.is_none())
        && let Some(stored) = &rule.finding_details
    {
        return stored.clone();
    }
    let mut out = String::new();
    for message in &rule.messages {
        let _ = writeln!(out, "{}", message.message);
    }
    if let Some(answer) = &rule.answer {
        let _ = writeln!(out, "Answer: {}", answer.status.as_str());
    }
    let (Some(check), Some(document)) = (&rule.check, document) else { return out.trim_end().to_string() };
    let run = &document.run;
    let definitions = document.definitions.as_deref();
    let mut tests = Vec::new();
    let mut seen = BTreeSet::new();
    let names: Vec<&str> = match &check.name {
        Some(n) => vec![n.as_str()],
        None => run.definitions.keys().map(String::as_str).collect(),
    };
    for name in names {
        deciding_tests(run, name, &mut tests, &mut seen);
    }
    let mut paths = BTreeSet::new();
    let mut blocks: Vec<String> = tests
        .iter()
        .filter_map(|id| run.tests.get(id))
        .map(|test| describe_test(run, definitions, rule, test, &mut paths))
        .collect();
    // Shortest first: the plainest reason leads.
    blocks.sort_by_key(|b| b.len());
    for block in blocks {
        out.push_str(&block);
    }
    let files: Vec<_> = run.evidence.iter().filter(|(p, _)| paths.contains(p.as_str())).collect();
    if !files.is_empty() {
        out.push_str("Files read:\n");
        for (path, sha256) in files {
            let _ = writeln!(out, "  {path}  sha256:{sha256}");
        }
    }
    out.trim_end().to_string()
}

/// Whether a rule's details belong on the console after the summary.
pub fn shown_on_console(rule: &RuleResult) -> bool {
    matches!(rule.result, XccdfResult::Fail | XccdfResult::Error)
}

/// The tests of `definition` that decided its result, in document order.
fn deciding_tests(run: &OvalRun, definition: &str, out: &mut Vec<String>, seen: &mut BTreeSet<String>) {
    if !seen.insert(definition.to_string()) {
        return;
    }
    let Some(result) = run.definitions.get(definition) else { return };
    if let Some(criteria) = &result.criteria {
        criteria_tests(run, criteria, out, seen);
    }
}

fn criteria_tests(
    run: &OvalRun,
    criteria: &CriteriaResult,
    out: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) {
    // The children combined to the result before this element's negate.
    let inner = if criteria.negate { criteria.result.negate() } else { criteria.result };
    for child in &criteria.children {
        match child {
            CriteriaResultNode::Criteria(c) if c.result == inner => criteria_tests(run, c, out, seen),
            CriteriaResultNode::Criterion { test_ref, result, .. }
                if *result == inner && !out.contains(test_ref) =>
            {
                out.push(test_ref.clone())
            }
            CriteriaResultNode::ExtendDefinition { definition_ref, result, .. } if *result == inner => {
                deciding_tests(run, definition_ref, out, seen)
            }
            _ => {}
        }
    }
}

fn describe_test(
    run: &OvalRun,
    definitions: Option<&OvalDefinitions>,
    rule: &RuleResult,
    result: &TestResult,
    paths: &mut BTreeSet<String>,
) -> String {
    let test = definitions.and_then(|d| d.tests.get(&result.id));
    let mut out = String::new();
    let what = test.and_then(|t| t.comment.clone()).unwrap_or_else(|| result.id.clone());
    let _ = writeln!(out, "- {what}: {}", result.result.as_str().to_lowercase());
    let object = test.and_then(|t| t.object_ref.as_deref()).and_then(|o| definitions?.objects.get(o));
    let mut object_ids = Vec::new();
    let object_entities: Vec<&Entity> = match (object, definitions) {
        (Some(o), Some(d)) => object_entities(d, &o.id, &mut object_ids),
        _ => Vec::new(),
    };
    let collected = test.and_then(|t| t.object_ref.as_deref()).and_then(|o| run.collected_objects.get(o));
    let variables: Vec<(String, String)> = result
        .tested_variables
        .iter()
        .chain(
            object_ids.iter().filter_map(|o| run.collected_objects.get(*o)).flat_map(|c| &c.variable_values),
        )
        .cloned()
        .collect();
    if let Some(object) = object {
        let spelled: Vec<String> =
            object_entities.iter().map(|e| entity_words(e, rule, &variables)).collect();
        let kind = object.kind.name.trim_end_matches("_object");
        let what = match (spelled.is_empty(), &object.comment) {
            (false, _) => format!("{kind} ({})", spelled.join(", ")),
            (true, Some(comment)) => format!("{kind}: {comment}"),
            (true, None) => kind.to_string(),
        };
        let _ = writeln!(out, "  checked: {what}");
    }
    if let Some(test) = test {
        let _ = writeln!(out, "  expected: {}", expectation(definitions, test, rule, &variables));
    }
    // A message says "error" only when it made the test an error (an empty variable of a
    // test that may find nothing is a note).
    let label = if result.result == crate::semantics::OvalResult::Error { "error" } else { "note" };
    for message in &result.messages {
        if let Some(crate::diag::Subject::File { path }) = &message.subject {
            paths.insert(path.clone());
        }
        let _ = writeln!(out, "  {label}: {}", message.message);
    }
    if let Some(collected) = collected {
        for message in collected.messages.iter().filter(|m| !result.messages.contains(m)) {
            if let Some(crate::diag::Subject::File { path }) = &message.subject {
                paths.insert(path.clone());
            }
            let _ = writeln!(out, "  note: {}", message.message);
        }
    }
    let state_fields: Vec<&str> = test
        .map(|t| {
            t.state_refs
                .iter()
                .filter_map(|s| definitions?.states.get(s))
                .flat_map(|s| s.entities.iter().map(|e| e.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if result.tested_items.is_empty() {
        if result.result != crate::semantics::OvalResult::Error {
            let _ = writeln!(out, "  found: {}", nothing_found(run, &object_entities, &variables));
        }
        return out;
    }
    for (item_id, item_result) in result.tested_items.iter().take(MAX_ITEMS) {
        let Some(item) =
            usize::try_from(*item_id).ok().and_then(|i| i.checked_sub(1)).and_then(|i| run.items.get(i))
        else {
            continue;
        };
        let (identity, path) = item_identity(&item.fields);
        if let Some(p) = path {
            paths.insert(p);
        }
        let shown: Vec<String> = item
            .fields
            .iter()
            .filter(|f| {
                if state_fields.is_empty() {
                    matches!(f.name.as_ref(), "value" | "text" | "subexpression")
                } else {
                    state_fields.contains(&f.name.as_ref())
                }
            })
            .map(|f| format!("{} {}", f.name, quoted(&f.name, &field_text(f))))
            .collect();
        let status = match item.status {
            ItemStatus::Exists => String::new(),
            other => format!(" ({})", spelling::item_status::name(other)),
        };
        let found = if shown.is_empty() { "exists".to_string() } else { shown.join(", ") };
        // Without states an item only has to exist: its result against states says nothing.
        let verdict = if state_fields.is_empty() {
            String::new()
        } else {
            format!(" → {}", item_result.as_str().to_lowercase())
        };
        let _ = writeln!(
            out,
            "  found: {identity}{}{found}{status}{verdict}",
            if identity.is_empty() { "" } else { ": " },
        );
        for m in &item.messages {
            let _ = writeln!(out, "    {m}");
        }
    }
    if result.tested_items.len() > MAX_ITEMS {
        let _ = writeln!(out, "  … and {} more item(s)", result.tested_items.len() - MAX_ITEMS);
    }
    out
}

/// The entities of an object, or of the objects a `set` combines (their paths say what was
/// looked at), with the ids of all those objects.
fn object_entities<'a>(
    definitions: &'a OvalDefinitions,
    id: &'a str,
    ids: &mut Vec<&'a str>,
) -> Vec<&'a Entity> {
    if ids.contains(&id) {
        return Vec::new();
    }
    ids.push(id);
    match definitions.objects.get(id).map(|o| &o.body) {
        Some(ObjectBody::Entities { entities, .. }) => entities.iter().collect(),
        Some(ObjectBody::Set(set)) => {
            let mut refs: Vec<&'a str> = Vec::new();
            let mut stack = vec![set];
            while let Some(set) = stack.pop() {
                refs.extend(set.object_refs.iter().map(String::as_str));
                stack.extend(&set.sets);
            }
            let mut first = Vec::new();
            for r in refs {
                let entities = object_entities(definitions, r, ids);
                if first.is_empty() {
                    first = entities;
                }
            }
            first
        }
        None => Vec::new(),
    }
}

/// "at least one item exists and every item has uid equals 0" in words.
fn expectation(
    definitions: Option<&OvalDefinitions>,
    test: &Test,
    rule: &RuleResult,
    variables: &[(String, String)],
) -> String {
    let existence = match test.check_existence {
        Existence::AllExist => "every item exists",
        Existence::AnyExist => "any number of items",
        Existence::AtLeastOneExists => "at least one item exists",
        Existence::NoneExist => "no item exists",
        Existence::OnlyOneExists => "exactly one item exists",
    };
    let states: Vec<String> = test
        .state_refs
        .iter()
        .filter_map(|s| definitions?.states.get(s))
        .map(|s| {
            let parts: Vec<String> = s.entities.iter().map(|e| entity_words(e, rule, variables)).collect();
            let joined = parts.join(&format!(" {} ", spelling::operator::name(s.operator).to_lowercase()));
            match &s.comment {
                Some(c) => format!("{joined} ({c})"),
                None => joined,
            }
        })
        .collect();
    if states.is_empty() {
        return existence.to_string();
    }
    let which = match test.check {
        Check::All => "every item has",
        Check::AtLeastOne => "at least one item has",
        Check::NoneSatisfy => "no item has",
        Check::OnlyOne => "exactly one item has",
        Check::NoneExist => "no item exists with",
    };
    format!("{existence}; {which} {}", states.join(" and "))
}

/// An object or state entity: `name operation value`, a variable's value with the XCCDF value it
/// was exported from.
fn entity_words(entity: &Entity, rule: &RuleResult, variables: &[(String, String)]) -> String {
    let operation = match entity.operation {
        crate::model::oval::Operation::Equals => "=".to_string(),
        other => spelling::operation::name(other).to_string(),
    };
    let value = match &entity.var_ref {
        Some(var) => {
            let values = entity_values(entity, variables);
            let from = rule
                .check
                .as_ref()
                .and_then(|c| c.exports.iter().find(|(_, v, _)| v == var))
                .map(|(x, _, _)| format!(" (from value {x})"))
                .unwrap_or_default();
            let shown = if values.is_empty() {
                format!("{var} (no value)")
            } else {
                values.iter().map(|v| quoted(&entity.name, v)).collect::<Vec<_>>().join(" or ")
            };
            format!("{shown}{from}")
        }
        None if entity.nil => "nil".to_string(),
        None => quoted(&entity.name, entity.value.as_deref().unwrap_or_default()),
    };
    format!("{} {operation} {value}", entity.name)
}

/// An entity's values: its own, or those its variable had in this test.
fn entity_values<'a>(entity: &'a Entity, variables: &'a [(String, String)]) -> Vec<&'a str> {
    match &entity.var_ref {
        Some(var) => {
            let mut values: Vec<&str> =
                variables.iter().filter(|(id, _)| id == var).map(|(_, v)| v.as_str()).collect();
            values.dedup();
            values
        }
        None => entity.value.as_deref().into_iter().collect(),
    }
}

/// Why a test without items found nothing, in words.
fn nothing_found(run: &OvalRun, entities: &[&Entity], variables: &[(String, String)]) -> String {
    let equals = crate::model::oval::Operation::Equals;
    // (values, whether they are literal paths/names rather than patterns)
    let get = |name: &str| {
        entities
            .iter()
            .find(|e| e.name == name)
            .map(|e| (entity_values(e, variables).join(" or "), e.operation == equals))
    };
    let read = |file: &str| run.evidence.iter().any(|(p, _)| p == file);
    let pattern = get("pattern").map(|(p, _)| p).filter(|p| !p.is_empty());
    let lines = |file: &str| match &pattern {
        Some(_) => format!("no line of {file} matches the pattern"),
        None => match get("yamlpath") {
            Some((y, _)) => format!("{y} is not in {file}"),
            None => format!("nothing in {file} matches"),
        },
    };
    match (get("filepath"), get("path"), get("filename")) {
        (Some((file, true)), _, _) if !file.contains(" or ") => {
            return if read(&file) { lines(&file) } else { format!("{file} does not exist") };
        }
        (Some((file, _)), _, _) => return format!("no file matches {file}"),
        (None, Some((dir, true)), Some((name, true))) => {
            let file = format!("{}/{name}", dir.trim_end_matches('/'));
            return if read(&file) { lines(&file) } else { format!("{file} does not exist") };
        }
        (None, Some((dir, _)), Some((name, false))) => {
            let read_any =
                run.evidence.iter().any(|(p, _)| p.starts_with(&format!("{}/", dir.trim_end_matches('/'))));
            return match (&pattern, read_any) {
                (Some(_), true) => {
                    format!("no file in {dir} named like {name} has a line matching the pattern")
                }
                _ => format!("no file in {dir} is named like {name}"),
            };
        }
        (None, Some((dir, _)), None) => return format!("{dir} does not exist"),
        _ => {}
    }
    if let Some((name, _)) = get("name") {
        return format!("{name} is not set");
    }
    let spelled: Vec<String> =
        entities.iter().map(|e| format!("{} {}", e.name, entity_values(e, variables).join(" or "))).collect();
    if spelled.is_empty() { "nothing".to_string() } else { format!("nothing with {}", spelled.join(", ")) }
}

/// What an item is (a file, a setting and where it was read) and the file it came from.
fn item_identity(fields: &[ItemField]) -> (String, Option<String>) {
    let text = |name: &str| {
        fields.iter().find(|f| f.name == name).and_then(|f| match &f.value {
            ItemValue::Text(t) => Some(t.as_str()),
            _ => None,
        })
    };
    let path = text("filepath").map(str::to_string).or_else(|| {
        let (dir, name) = (text("path")?, text("filename")?);
        Some(format!("{}/{name}", dir.trim_end_matches('/')))
    });
    let location = text("location");
    let location_file = location.map(|l| {
        // `file:line:column` (or `file:line`): the file is what comes before the numbers.
        let mut parts: Vec<&str> = l.rsplitn(3, ':').collect();
        while parts.len() > 1 && parts[0].chars().all(|c| c.is_ascii_digit()) {
            parts.remove(0);
        }
        parts.into_iter().rev().collect::<Vec<_>>().join(":")
    });
    let mut identity = Vec::new();
    for key in ["name", "unit", "property", "key"] {
        if let Some(value) = text(key) {
            identity.push(value.to_string());
        }
    }
    if let Some(p) = &path {
        identity.push(p.clone());
    }
    if let Some(l) = location {
        // A file position, or where a value came from when no file set it (`dockerd default`).
        identity.push(if l.starts_with('/') { format!("at {l}") } else { format!("({l})") });
    } else if let Some(source) = text("source") {
        identity.push(format!("from {source}"));
    }
    (identity.join(" "), path.or(location_file))
}

fn field_text(field: &ItemField) -> String {
    match &field.value {
        ItemValue::Text(t) => t.clone(),
        ItemValue::Record(fields) => {
            let parts: Vec<String> = fields.iter().map(|f| format!("{}={}", f.name, field_text(f))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        ItemValue::Nil => "(no value)".to_string(),
    }
}

/// A value in quotes, shortened.
fn quoted(_name: &str, value: &str) -> String {
    let mut shown: String = value.chars().take(MAX_VALUE_CHARS).collect();
    let left = value.chars().count().saturating_sub(MAX_VALUE_CHARS);
    if left > 0 {
        shown.push_str(&format!("… ({left} more characters)"));
    }
    format!("{shown:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::document::fixture::scan_with;

    #[test]
    fn details_name_the_file_the_value_and_its_digest() {
        let results = scan_with("tcp://0.0.0.0:2375");
        let details = finding_details(&results, &results.rules[0]);
        assert!(details.contains("- oval:t:tst:1: false"), "{details}");
        assert!(details.contains("found: /etc/d.json: subexpression \"tcp://0.0.0.0:2375\""), "{details}");
        assert!(details.contains("/etc/d.json  sha256:abc123"), "{details}");
    }

    #[test]
    fn results_without_their_content_keep_the_text_written_at_scan_time() {
        let mut results = scan_with("x");
        results.rules[0].finding_details = Some("found: kept".to_string());
        assert_eq!(finding_details(&results, &results.rules[0]), "found: kept");
    }
}
