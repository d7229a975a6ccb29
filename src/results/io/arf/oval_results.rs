//! The `oval_results` reports of an ARF: definition and test results, collected objects and
//! items, read into an [`OvalRun`]. oscap's item ids become stigrun's positional ones.

use std::collections::HashMap;

use roxmltree::Node;

use super::{
    ArfImportError, Importer, MAX_CRITERIA_DEPTH, NS_OVAL_RES, NS_OVAL_SC, NS_XSI, Res, children_named, text,
};
use crate::diag::Diagnostic;
use crate::model::oval::{
    Datatype, DefinitionClass, Family, Item, ItemField, ItemStatus, ItemValue, OvalDefinitions, TypeName,
};
use crate::model::spelling;
use crate::results::oval::{
    CollectedObject, CriteriaResult, CriteriaResultNode, DefinitionResult, OvalRun, SystemInfo, TestResult,
};
use crate::semantics::CollectedFlag;
use crate::semantics::OvalResult;

impl Importer<'_, '_> {
    pub(super) fn oval_run(&self, report: Node, definitions: &OvalDefinitions) -> Res<OvalRun> {
        let mut run = OvalRun::default();
        let system = children_named(report, NS_OVAL_RES, "results")
            .flat_map(|r| children_named(r, NS_OVAL_RES, "system"))
            .next()
            .ok_or_else(|| ArfImportError::Missing {
                location: self.loc(report),
                what: "`results/system` in an oval_results report",
            })?;
        let sc = children_named(system, NS_OVAL_SC, "oval_system_characteristics").next();
        // oscap numbers items its own way; stigrun's item ids are positions (index + 1).
        let mut item_ids: HashMap<String, u64> = HashMap::new();
        if let Some(sc) = sc {
            run.system_info = system_info(sc);
            for (index, item) in children_named(sc, NS_OVAL_SC, "system_data")
                .flat_map(|d| d.children().filter(Node::is_element))
                .enumerate()
            {
                item_ids.insert(self.required(item, "id")?.to_string(), index as u64 + 1);
                run.items.push(self.item(item)?);
            }
            for object in children_named(sc, NS_OVAL_SC, "collected_objects")
                .flat_map(|c| children_named(c, NS_OVAL_SC, "object"))
            {
                let collected = self.collected_object(object, &item_ids)?;
                run.collected_objects.insert(collected.id.clone(), collected);
            }
        }
        for definition in children_named(system, NS_OVAL_RES, "definitions")
            .flat_map(|d| children_named(d, NS_OVAL_RES, "definition"))
        {
            let id = self.required(definition, "definition_id")?.to_string();
            let class = match definition.attribute("class") {
                Some(c) => spelling::class::parse(c)
                    .ok_or_else(|| self.invalid(definition, c, spelling::class::EXPECTED))?,
                None => {
                    definitions.definitions.get(&id).map(|d| d.class).unwrap_or(DefinitionClass::Compliance)
                }
            };
            let criteria = match children_named(definition, NS_OVAL_RES, "criteria").next() {
                Some(c) => Some(self.criteria(c, 0)?),
                None => None,
            };
            let result = DefinitionResult {
                id: id.clone(),
                version: self.required(definition, "version")?.to_string(),
                class,
                result: self.oval_result(definition)?,
                criteria,
            };
            run.definitions.insert(id, result);
        }
        for test in
            children_named(system, NS_OVAL_RES, "tests").flat_map(|t| children_named(t, NS_OVAL_RES, "test"))
        {
            let result = self.test(test, &item_ids)?;
            run.tests.insert(result.id.clone(), result);
        }
        Ok(run)
    }

    fn oval_result(&self, node: Node) -> Res<OvalResult> {
        let value = self.required(node, "result")?;
        OvalResult::parse(value).ok_or_else(|| {
            self.invalid(
                node,
                value,
                "`true`, `false`, `error`, `unknown`, `not evaluated`, `not applicable`",
            )
        })
    }

    fn flag(&self, node: Node, name: &'static str) -> Res<bool> {
        match node.attribute(name) {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(other) => Err(self.invalid(node, other, "`true` or `false`")),
        }
    }

    fn optional_flag(&self, node: Node, name: &'static str) -> Res<Option<bool>> {
        if node.has_attribute(name) { self.flag(node, name).map(Some) } else { Ok(None) }
    }

    fn criteria(&self, node: Node, depth: usize) -> Res<CriteriaResult> {
        if depth >= crate::limits::get().criteria_depth.min(MAX_CRITERIA_DEPTH) {
            return Err(ArfImportError::TooDeep {
                location: self.loc(node),
                element: node.tag_name().name().to_string(),
            });
        }
        let operator = match node.attribute("operator") {
            Some(o) => spelling::operator::parse(o)
                .ok_or_else(|| self.invalid(node, o, spelling::operator::EXPECTED))?,
            None => Default::default(),
        };
        let mut children_results = Vec::new();
        for c in node.children().filter(|c| c.is_element() && c.tag_name().namespace() == Some(NS_OVAL_RES)) {
            let version = || c.attribute("version").unwrap_or_default().to_string();
            let result = match c.tag_name().name() {
                "criteria" => CriteriaResultNode::Criteria(self.criteria(c, depth + 1)?),
                "criterion" => CriteriaResultNode::Criterion {
                    test_ref: self.required(c, "test_ref")?.to_string(),
                    version: version(),
                    negate: self.flag(c, "negate")?,
                    applicability_check: self.optional_flag(c, "applicability_check")?,
                    result: self.oval_result(c)?,
                },
                "extend_definition" => CriteriaResultNode::ExtendDefinition {
                    definition_ref: self.required(c, "definition_ref")?.to_string(),
                    version: version(),
                    negate: self.flag(c, "negate")?,
                    applicability_check: self.optional_flag(c, "applicability_check")?,
                    result: self.oval_result(c)?,
                },
                _ => continue,
            };
            children_results.push(result);
        }
        Ok(CriteriaResult {
            operator,
            negate: self.flag(node, "negate")?,
            applicability_check: self.optional_flag(node, "applicability_check")?,
            result: self.oval_result(node)?,
            children: children_results,
        })
    }

    fn test(&self, node: Node, item_ids: &HashMap<String, u64>) -> Res<TestResult> {
        let check = self.required(node, "check")?;
        let existence = node.attribute("check_existence");
        let state_operator = node.attribute("state_operator");
        let mut tested_items = Vec::new();
        for tested in children_named(node, NS_OVAL_RES, "tested_item") {
            let item_ref = self.required(tested, "item_id")?;
            let id = item_ids.get(item_ref).copied().ok_or_else(|| ArfImportError::Dangling {
                location: self.loc(tested),
                reference: "tested_item item_id",
                target: "system-characteristics item",
                idref: item_ref.to_string(),
            })?;
            tested_items.push((id, self.oval_result(tested)?));
        }
        let tested_variables = children_named(node, NS_OVAL_RES, "tested_variable")
            .map(|v| Ok((self.required(v, "variable_id")?.to_string(), text(v))))
            .collect::<Res<Vec<_>>>()?;
        Ok(TestResult {
            id: self.required(node, "test_id")?.to_string(),
            version: self.required(node, "version")?.to_string(),
            check: spelling::check::parse(check)
                .ok_or_else(|| self.invalid(node, check, spelling::check::EXPECTED))?,
            check_existence: match existence {
                Some(e) => spelling::existence::parse(e)
                    .ok_or_else(|| self.invalid(node, e, spelling::existence::EXPECTED))?,
                None => Default::default(),
            },
            state_operator: match state_operator {
                Some(o) => spelling::operator::parse(o)
                    .ok_or_else(|| self.invalid(node, o, spelling::operator::EXPECTED))?,
                None => Default::default(),
            },
            result: self.oval_result(node)?,
            tested_items,
            tested_variables,
            messages: children_named(node, NS_OVAL_RES, "message")
                .map(|m| Diagnostic::note(text(m)))
                .collect(),
        })
    }

    fn collected_object(&self, node: Node, item_ids: &HashMap<String, u64>) -> Res<CollectedObject> {
        let flag = self.required(node, "flag")?;
        let mut item_refs = Vec::new();
        for reference in children_named(node, NS_OVAL_SC, "reference") {
            let item_ref = self.required(reference, "item_ref")?;
            item_refs.push(item_ids.get(item_ref).copied().ok_or_else(|| ArfImportError::Dangling {
                location: self.loc(reference),
                reference: "collected object reference item_ref",
                target: "system-characteristics item",
                idref: item_ref.to_string(),
            })?);
        }
        Ok(CollectedObject {
            id: self.required(node, "id")?.to_string(),
            version: self.required(node, "version")?.to_string(),
            flag: CollectedFlag::parse(flag).ok_or_else(|| {
                self.invalid(
                    node,
                    flag,
                    "`error`, `complete`, `incomplete`, `does not exist`, `not collected`, `not applicable`",
                )
            })?,
            messages: children_named(node, NS_OVAL_SC, "message")
                .map(|m| Diagnostic::note(text(m)))
                .collect(),
            item_refs,
            variable_values: children_named(node, NS_OVAL_SC, "variable_value")
                .map(|v| Ok((self.required(v, "variable_id")?.to_string(), text(v))))
                .collect::<Res<Vec<_>>>()?,
        })
    }

    fn item_status(&self, node: Node) -> Res<ItemStatus> {
        match node.attribute("status") {
            Some(s) => spelling::item_status::parse(s)
                .ok_or_else(|| self.invalid(node, s, spelling::item_status::EXPECTED)),
            None => Ok(ItemStatus::Exists),
        }
    }

    fn item(&self, node: Node) -> Res<Item> {
        let namespace = node.tag_name().namespace().unwrap_or_default().to_string();
        let mut item = Item::new(TypeName {
            family: Family::from_namespace(&namespace),
            namespace,
            name: node.tag_name().name().to_string(),
        });
        item.status = self.item_status(node)?;
        for field in node.children().filter(Node::is_element) {
            if field.tag_name().namespace() == Some(NS_OVAL_SC) && field.tag_name().name() == "message" {
                item.messages.push(text(field));
            } else {
                item.fields.push(self.item_field(field, field.tag_name().name(), false)?);
            }
        }
        Ok(item)
    }

    /// One item entity; `in_record` for the `field`s of a record, which are scalars.
    fn item_field(&self, node: Node, name: &str, in_record: bool) -> Res<ItemField> {
        let datatype = match node.attribute("datatype") {
            Some(d) => spelling::datatype::parse(d)
                .ok_or_else(|| self.invalid(node, d, spelling::datatype::EXPECTED))?,
            None => Default::default(),
        };
        if in_record && datatype == Datatype::Record {
            return Err(self.invalid(node, "record", "a scalar datatype for a record's field"));
        }
        let nil = matches!(node.attribute((NS_XSI, "nil")), Some("true" | "1"));
        let value = if nil {
            ItemValue::Nil
        } else if datatype == Datatype::Record {
            let fields = node
                .children()
                .filter(Node::is_element)
                .map(|f| self.item_field(f, self.required(f, "name")?, true))
                .collect::<Res<Vec<_>>>()?;
            ItemValue::Record(fields)
        } else {
            ItemValue::Text(node.text().unwrap_or_default().to_string())
        };
        Ok(ItemField { name: name.to_string().into(), datatype, status: self.item_status(node)?, value })
    }
}

fn system_info(sc: Node) -> SystemInfo {
    let Some(info) = children_named(sc, NS_OVAL_SC, "system_info").next() else {
        return SystemInfo::default();
    };
    let field =
        |name: &'static str| children_named(info, NS_OVAL_SC, name).next().map(text).unwrap_or_default();
    let interfaces = children_named(info, NS_OVAL_SC, "interfaces")
        .flat_map(|i| children_named(i, NS_OVAL_SC, "interface"))
        .map(|i| {
            let part =
                |name: &'static str| children_named(i, NS_OVAL_SC, name).next().map(text).unwrap_or_default();
            (part("interface_name"), part("ip_address"), part("mac_address"))
        })
        .collect();
    SystemInfo {
        os_name: field("os_name"),
        os_version: field("os_version"),
        architecture: field("architecture"),
        primary_host_name: field("primary_host_name"),
        interfaces,
    }
}

/// Whether an `oval_results` report has a result for the definition `id`.
pub(super) fn reports_definition(report: Node, id: &str) -> bool {
    children_named(report, NS_OVAL_RES, "results")
        .flat_map(|r| children_named(r, NS_OVAL_RES, "system"))
        .flat_map(|s| children_named(s, NS_OVAL_RES, "definitions"))
        .flat_map(|d| children_named(d, NS_OVAL_RES, "definition"))
        .any(|d| d.attribute("definition_id") == Some(id))
}
