//! deploy/ansible end to end: the playbook copies stigrun to two hosts (local connections, each with
//! its own fixture root and directories), scans them, fetches the results and merges them on the
//! controller. Needs ansible-core (.ci/run installs it) and root (the nodes' setup.sh chowns).

mod support;

use std::path::Path;
use std::process::Command;

fn place_node(name: &str, at: &Path) {
    let fixture = support::repo().join("tests/fixtures/docker-ee").join(name);
    assert!(Command::new("cp").arg("-a").arg(&fixture).arg(at).status().unwrap().success());
    assert!(Command::new("sh").arg(at.join("setup.sh")).status().unwrap().success());
}

#[test]
fn the_playbook_scans_two_hosts_and_merges_their_results() {
    support::require_tool("ansible-playbook", "ansible-core");
    if !support::is_root() {
        assert!(!support::in_ci(), "CI: the ansible test needs root (the nodes' setup.sh)");
        eprintln!("NOT CHECKED (needs root): the ansible play");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut inventory = String::from("[stigrun_nodes]\n");
    for (host, node) in [("node-a", "compliant"), ("node-b", "noncompliant")] {
        place_node(node, &d.join(node));
        let remote = d.join(format!("remote-{host}"));
        inventory.push_str(&format!(
            "{host} ansible_connection=local stigrun_root={} stigrun_remote_dir={} stigrun_remote_binary={}/stigrun\n",
            d.join(node).display(),
            remote.display(),
            remote.display()
        ));
    }
    std::fs::write(d.join("inventory.ini"), inventory).unwrap();
    let extra = serde_json::json!({
        "stigrun_binary": env!("CARGO_BIN_EXE_stigrun"),
        "stigrun_results_dir": d.join("results"),
        "stigrun_report_dir": d.join("report"),
        "stigrun_per_node_formats": "html,json",
        "ansible_python_interpreter": "/usr/bin/python3",
    });
    std::fs::write(d.join("extra.json"), extra.to_string()).unwrap();
    let ansible = support::repo().join("deploy/ansible");
    let run = Command::new("ansible-playbook")
        .arg("-i")
        .arg(d.join("inventory.ini"))
        .arg("-e")
        .arg(format!("@{}", d.join("extra.json").display()))
        .arg(ansible.join("playbook.yml"))
        .env("ANSIBLE_CONFIG", ansible.join("ansible.cfg"))
        .env("ANSIBLE_LOCAL_TEMP", d.join("ansible-local"))
        .env("ANSIBLE_REMOTE_TEMP", d.join("ansible-remote"))
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "ansible-playbook:\n{log}");
    // serial: one host per batch (25% of two hosts rounds to one).
    assert_eq!(log.matches("PLAY [Scan each host]").count(), 2, "{log}");

    for host in ["node-a", "node-b"] {
        assert!(d.join(format!("remote-{host}/stigrun")).is_file(), "binary copied to {host}");
        let fetched: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(format!("results/{host}.json"))).unwrap()).unwrap();
        assert_eq!(fetched["target"]["hostname"], host);
        assert!(d.join(format!("report/nodes/{host}.html")).is_file());
    }
    let fleet: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("report/fleet.json")).unwrap()).unwrap();
    assert_eq!(fleet["nodes_total"], 2);
    let nodes: Vec<&str> =
        fleet["nodes"].as_array().unwrap().iter().map(|n| n["hostname"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["node-a", "node-b"]);
    // The compliant node has no open finding; the noncompliant one fails every node rule.
    let open = |i: usize| {
        ["open_cat_i", "open_cat_ii", "open_cat_iii"]
            .iter()
            .map(|k| fleet["nodes"][i][k].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(open(0), 0);
    assert!(open(1) > 10);
    assert!(d.join("report/fleet.html").is_file());
}
