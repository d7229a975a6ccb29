//! The entry point: evaluate the definitions of one OVAL document against a root and fill an
//! [`OvalRun`] (definition and test results, collected objects, items, evidence, system info).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::host::{Root, ScanTarget};
use crate::model::oval::{Criteria, CriteriaNode, Item, OvalDefinitions};
use crate::probes::Registry;
use crate::results::oval::{CollectedObject, DefinitionResult, OvalRun, SystemInfo, TestResult};

use super::criteria::CriteriaEvaluator;
use super::objects::{collect_object, is_independent};
use super::progress::{ProgressHandle, Stage};
use super::session::{ResolutionStack, Session, item_key};

/// External variable values by variable id (from `--variables` or XCCDF check-export).
pub type ExternalValues = HashMap<String, Vec<String>>;

#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Evaluate only these definitions (plus what they extend); `None` = all.
    pub only_definitions: Option<Vec<String>>,
    /// Collect objects on the current thread only (results are identical either way).
    pub sequential: bool,
    /// Told of each object collected up front and each definition evaluated.
    pub progress: ProgressHandle,
}

/// Evaluate `defs` against `target` with the run's probes. (`ind:variable_object` needs variable
/// values, so the engine collects it itself: objects.rs.)
pub fn evaluate(
    defs: &OvalDefinitions,
    target: &ScanTarget,
    probes: &Registry,
    external: &ExternalValues,
    options: &EvalOptions,
) -> OvalRun {
    let session = Session::new(defs, target, external, probes);
    let selected: Vec<&str> = match &options.only_definitions {
        Some(ids) => defs.definitions.keys().filter(|id| ids.contains(id)).map(String::as_str).collect(),
        None => defs.definitions.keys().map(String::as_str).collect(),
    };

    precollect_independent_objects(&session, &selected, options);

    let mut evaluator = CriteriaEvaluator::new(&session);
    options.progress.planned(Stage::Evaluate, selected.len());
    for id in &selected {
        evaluator.definition(id);
        options.progress.step(Stage::Evaluate);
    }

    let mut run = OvalRun { system_info: system_info(target.root()), ..OvalRun::default() };
    record_collected_objects(&session, &mut run);
    let item_refs: HashMap<&str, &[u64]> =
        run.collected_objects.iter().map(|(id, o)| (id.as_str(), o.item_refs.as_slice())).collect();

    for (id, test) in &defs.tests {
        let Some(outcome) = evaluator.tests.get(id) else { continue };
        let refs = outcome.object_id.as_deref().and_then(|o| item_refs.get(o)).copied().unwrap_or(&[]);
        let mut tested_items: Vec<(u64, crate::semantics::OvalResult)> = Vec::new();
        let mut listed = HashSet::new();
        for (index, result) in &outcome.item_results {
            if let Some(item_id) = refs.get(*index)
                && listed.insert(*item_id)
            {
                tested_items.push((*item_id, *result));
            }
        }
        run.tests.insert(
            id.clone(),
            TestResult {
                id: id.clone(),
                version: test.version.clone(),
                check: test.check,
                check_existence: test.check_existence,
                state_operator: test.state_operator,
                result: outcome.result,
                tested_items,
                tested_variables: outcome.tested_variables.clone(),
                messages: outcome.messages.clone(),
            },
        );
    }
    for (id, definition) in &defs.definitions {
        let Some((result, criteria)) = evaluator.definitions.get(id) else { continue };
        run.definitions.insert(
            id.clone(),
            DefinitionResult {
                id: id.clone(),
                version: definition.version.clone(),
                class: definition.class,
                result: *result,
                criteria: criteria.clone(),
            },
        );
    }
    run
}

/// Collect, possibly in parallel, the objects that need only their probe; everything else is
/// collected on demand while tests are evaluated. Item ids do not depend on this order.
fn precollect_independent_objects(session: &Session<'_>, selected: &[&str], options: &EvalOptions) {
    let mut test_ids = Vec::new();
    let mut seen = HashSet::new();
    for id in selected {
        gather_tests(session.defs, id, &mut seen, &mut test_ids);
    }
    let mut object_ids: Vec<&str> = Vec::new();
    for test_id in test_ids {
        if let Some(object_id) = session.defs.tests.get(test_id).and_then(|t| t.object_ref.as_deref())
            && session.defs.objects.get(object_id).is_some_and(|o| is_independent(session.defs, o))
            && !object_ids.contains(&object_id)
        {
            object_ids.push(object_id);
        }
    }
    let progress = &options.progress;
    progress.planned(Stage::Collect, object_ids.len());
    if options.sequential {
        for id in object_ids {
            collect_object(session, id, &mut ResolutionStack::default());
            progress.step(Stage::Collect);
        }
    } else {
        object_ids.par_iter().for_each(|id| {
            collect_object(session, id, &mut ResolutionStack::default());
            progress.step(Stage::Collect);
        });
    }
}

/// Test ids a definition reaches through its criteria and extend_definitions.
fn gather_tests<'d>(defs: &'d OvalDefinitions, id: &str, seen: &mut HashSet<String>, out: &mut Vec<&'d str>) {
    if !seen.insert(id.to_string()) {
        return;
    }
    fn walk<'d>(
        defs: &'d OvalDefinitions,
        c: &'d Criteria,
        seen: &mut HashSet<String>,
        out: &mut Vec<&'d str>,
    ) {
        for child in &c.children {
            match child {
                CriteriaNode::Criteria(nested) => walk(defs, nested, seen, out),
                CriteriaNode::Criterion { test_ref, .. } => out.push(test_ref),
                CriteriaNode::ExtendDefinition { definition_ref, .. } => {
                    gather_tests(defs, definition_ref, seen, out)
                }
            }
        }
    }
    if let Some(criteria) = defs.definitions.get(id).and_then(|d| d.criteria.as_ref()) {
        walk(defs, criteria, seen, out);
    }
}

/// Every object collected during the run, in document order, with its items interned: identical
/// items (same type, status and fields) share one id across objects.
fn record_collected_objects(session: &Session<'_>, run: &mut OvalRun) {
    let mut ids_by_item: HashMap<String, u64> = HashMap::new();
    let mut evidence_seen = HashSet::new();
    for (id, object) in &session.defs.objects {
        let Some(outcome) = session.cached_object(id) else { continue };
        let mut item_refs = Vec::with_capacity(outcome.items.len());
        for item in &outcome.items {
            item_refs.push(intern_item(item, &mut ids_by_item, &mut run.items));
        }
        for e in &outcome.evidence {
            if evidence_seen.insert(e.clone()) {
                run.evidence.push(e.clone());
            }
        }
        run.collected_objects.insert(
            id.clone(),
            CollectedObject {
                id: id.clone(),
                version: object.version.clone(),
                flag: outcome.flag,
                messages: outcome.messages.iter().filter(|m| !m.message.is_empty()).cloned().collect(),
                item_refs,
                variable_values: outcome.variable_values.clone(),
            },
        );
    }
}

fn intern_item(item: &Item, ids: &mut HashMap<String, u64>, items: &mut Vec<Item>) -> u64 {
    let key = item_key(item);
    if let Some(id) = ids.get(&key) {
        return *id;
    }
    items.push(item.clone());
    let id = items.len() as u64;
    ids.insert(key, id);
    id
}

/// OS name and version from the root's /etc/os-release (`NAME`, `VERSION`, as oscap writes
/// them); architecture and host name from the running kernel when the root is the host itself,
/// else `Unknown` and the root's /etc/hostname. Missing facts read `Unknown`, as in oscap.
/// The `<system_info>` of the results: one implementation, shared with the probes.
pub fn system_info(root: &Root) -> SystemInfo {
    let info = crate::probes::support::system_info::collect_system_info(root);
    SystemInfo {
        os_name: info.os_name,
        os_version: info.os_version,
        architecture: info.architecture,
        primary_host_name: info.primary_host_name,
        interfaces: info
            .interfaces
            .into_iter()
            .map(|i| (i.interface_name, i.ip_address, i.mac_address))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::testutil::*;
    use crate::model::oval::{Check, Existence, Operator};
    use crate::semantics::CollectedFlag;
    use crate::semantics::OvalResult;

    fn many_objects() -> DefsBuilder {
        let mut b = DefsBuilder::new();
        b.state("s1", Operator::And, vec![entity("v", "1")]);
        for i in 0..40 {
            let key = format!("k{}", i % 4);
            b.object(&format!("o{i}"), vec![entity("key", &key)], vec![]);
            b.test(&format!("t{i}"), &format!("o{i}"), &["s1"], Check::All, Existence::AtLeastOneExists);
            define_for(&mut b, &format!("t{i}"));
        }
        b
    }

    fn probe() -> FakeProbe {
        FakeProbe::new(vec![
            ("k0", CollectedFlag::Complete, vec![item(&[("v", "1")]), item(&[("v", "2")])]),
            ("k1", CollectedFlag::Complete, vec![item(&[("v", "2")])]),
            ("k2", CollectedFlag::Complete, vec![item(&[("v", "1")])]),
        ])
    }

    #[test]
    fn parallel_and_sequential_runs_are_identical() {
        let b = many_objects();
        let seq = serde_json::to_string(&run_with(&b, probe(), true)).unwrap();
        for _ in 0..3 {
            let par = serde_json::to_string(&run_with(&b, probe(), false)).unwrap();
            assert_eq!(seq, par);
        }
    }

    #[test]
    fn identical_items_share_ids_and_evidence_is_deduplicated() {
        let b = many_objects();
        let run = run_with(&b, probe(), false);
        // Three distinct items across 40 objects: v=1, v=2 (k0 and k1 share v=2; k2 shares v=1).
        assert_eq!(run.items.len(), 2);
        assert_eq!(run.collected_objects["o0"].item_refs, vec![1, 2]);
        assert_eq!(run.collected_objects["o1"].item_refs, vec![2]);
        assert_eq!(run.collected_objects["o2"].item_refs, vec![1]);
        assert_eq!(run.collected_objects["o3"].flag, CollectedFlag::DoesNotExist);
        assert_eq!(run.evidence.len(), 3);
        assert_eq!(run.tests["t0"].result, OvalResult::False);
        assert_eq!(run.tests["t0"].tested_items, vec![(1, OvalResult::True), (2, OvalResult::False)]);
        assert_eq!(run.tests["t2"].result, OvalResult::True);
        assert_eq!(run.tests["t3"].result, OvalResult::False);
        assert_eq!(run.definitions.len(), 40);
        assert_eq!(run.tests.keys().next().map(String::as_str), Some("t0"));
    }

    #[test]
    fn only_selected_definitions_and_what_they_extend() {
        let mut b = many_objects();
        b.definition("outer", Some(criteria(Operator::And, false, vec![extend("def:t2", false)])));
        let (_dir, root) = temp_root();
        let probes = Registry::with(vec![Box::new(probe())]);
        let options = EvalOptions { only_definitions: Some(vec!["outer".into()]), ..EvalOptions::default() };
        let run = evaluate(&b.defs, &root, &probes, &ExternalValues::new(), &options);
        assert_eq!(run.definitions.keys().collect::<Vec<_>>(), ["def:t2", "outer"]);
        assert_eq!(run.definitions["outer"].result, OvalResult::True);
        assert_eq!(run.tests.keys().collect::<Vec<_>>(), ["t2"]);
        assert_eq!(run.collected_objects.keys().collect::<Vec<_>>(), ["o2"]);
    }

    #[test]
    fn system_info_from_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::fs::write(
            dir.path().join("etc/os-release"),
            "NAME=\"Ubuntu\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nVERSION_ID=\"22.04\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("etc/hostname"), "scanned-box\n").unwrap();
        let root = Root::new(dir.path()).unwrap();
        let info = system_info(&root);
        assert_eq!(info.os_name, "Ubuntu");
        assert_eq!(info.os_version, "22.04.4 LTS (Jammy Jellyfish)");
        assert_eq!(info.primary_host_name, "scanned-box");
        assert_eq!(info.architecture, "Unknown", "a mounted root's architecture is not the host's");
        let (_dir, bare) = temp_root();
        assert_eq!(system_info(bare.root()).os_name, "Unknown");
        let host = system_info(&Root::new("/").unwrap());
        assert!(!host.architecture.is_empty());
    }
}
