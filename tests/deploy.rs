//! The deployment files under deploy/: the Kubernetes manifests of the kustomize base validate
//! strictly against the Kubernetes API schemas (kubernetes-validate, offline), and they keep the
//! promises the scan depends on (the node's root and the Docker socket read-only, the host name from
//! the downward API, a read-only root file system, limits, tolerations for managers).
//!
//! Needs kubernetes-validate (`pip install kubernetes-validate`,
//! which bundles the schemas); .ci/run installs it.

mod support;

use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const KUBERNETES: &str = "1.30.0";

/// The kustomization's resources, in its order, as one multi-document YAML (what `kubectl
/// kustomize` renders, less the namespace it sets: checked on the kustomization itself).
fn rendered() -> String {
    let base = support::repo().join("deploy/kubernetes");
    let kustomization = std::fs::read_to_string(base.join("kustomization.yaml")).unwrap();
    let doc = &YamlLoader::load_from_str(&kustomization).unwrap()[0];
    assert_eq!(doc["namespace"].as_str(), Some("stigrun"));
    doc["resources"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|r| std::fs::read_to_string(base.join(r.as_str().unwrap())).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

fn validate(yaml: &str) -> std::process::Output {
    let runs =
        Command::new("kubernetes-validate").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(runs, "this test needs kubernetes-validate: pip install kubernetes-validate (or run .ci/run)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rendered.yaml");
    std::fs::write(&file, yaml).unwrap();
    Command::new("kubernetes-validate")
        .args(["--strict", "--no-warn", "-k", KUBERNETES])
        .arg(&file)
        .output()
        .unwrap()
}

#[test]
fn the_manifests_validate_strictly_against_the_kubernetes_schemas() {
    let yaml = rendered();
    let run = validate(&yaml);
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let kinds: Vec<String> = YamlLoader::load_from_str(&yaml)
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["Namespace", "ServiceAccount", "PersistentVolumeClaim", "DaemonSet", "Job"]);
    // The validator does reject what the API would: a misspelt field fails.
    let broken = yaml.replacen("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", 1);
    assert!(!validate(&broken).status.success(), "kubernetes-validate accepted an unknown field");
}

fn find<'a>(list: &'a Yaml, key: &str, value: &str) -> &'a Yaml {
    list.as_vec()
        .unwrap()
        .iter()
        .find(|v| v[key].as_str() == Some(value))
        .unwrap_or_else(|| panic!("no {key}={value}"))
}

#[test]
fn every_scan_pod_reads_the_node_read_only_and_names_it() {
    let docs = YamlLoader::load_from_str(&rendered()).unwrap();
    let sa = docs.iter().find(|d| d["kind"].as_str() == Some("ServiceAccount")).unwrap();
    assert_eq!(sa["automountServiceAccountToken"].as_bool(), Some(false));
    for kind in ["DaemonSet", "Job"] {
        let doc = docs.iter().find(|d| d["kind"].as_str() == Some(kind)).unwrap();
        let pod = &doc["spec"]["template"]["spec"];
        assert_eq!(pod["automountServiceAccountToken"].as_bool(), Some(false), "{kind}");
        let containers = if kind == "DaemonSet" { &pod["initContainers"] } else { &pod["containers"] };
        let scan = find(containers, "name", "scan");
        let args: Vec<&str> = scan["args"].as_vec().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        for arg in ["eval", "--root=/host", "--hostname=$(NODE_NAME)", "--fail-on=none"] {
            assert!(args.contains(&arg), "{kind}: {arg} missing from {args:?}");
        }
        let env = find(&scan["env"], "name", "NODE_NAME");
        assert_eq!(env["valueFrom"]["fieldRef"]["fieldPath"].as_str(), Some("spec.nodeName"), "{kind}");
        let security = &scan["securityContext"];
        assert_eq!(security["readOnlyRootFilesystem"].as_bool(), Some(true), "{kind}");
        assert_eq!(security["allowPrivilegeEscalation"].as_bool(), Some(false), "{kind}");
        assert_eq!(security["capabilities"]["drop"][0].as_str(), Some("ALL"), "{kind}");
        assert_eq!(security["capabilities"]["add"].as_vec().unwrap().len(), 1, "{kind}: one capability");
        for (mount, path) in [("host-root", "/host"), ("docker-sock", "/var/run/docker.sock")] {
            let m = find(&scan["volumeMounts"], "name", mount);
            assert_eq!(m["mountPath"].as_str(), Some(path), "{kind}");
            assert_eq!(m["readOnly"].as_bool(), Some(true), "{kind}: {mount} must be read-only");
        }
        assert_eq!(find(&pod["volumes"], "name", "host-root")["hostPath"]["path"].as_str(), Some("/"));
        for side in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                assert!(scan["resources"][side][resource].as_str().is_some(), "{kind}: {side}.{resource}");
            }
        }
        let tolerated: Vec<&str> =
            pod["tolerations"].as_vec().unwrap().iter().filter_map(|t| t["key"].as_str()).collect();
        for key in ["node-role.kubernetes.io/control-plane", "com.docker.ucp.manager"] {
            assert!(tolerated.contains(&key), "{kind}: managers ({key}) are not tolerated");
        }
    }
}
