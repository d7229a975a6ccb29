//! The naive baseline `bench/merge.sh` compares `stigrun merge` with: every results file loaded
//! whole (`results::io::load`, the evidence included) and kept, then failing nodes counted per
//! rule. Usage: `merge-load-all DIR`.

use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os().nth(1).ok_or("usage: merge-load-all DIR")?;
    let mut files: Vec<_> =
        std::fs::read_dir(&dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    files.sort();
    let mut all = Vec::new();
    for file in &files {
        all.push(stigrun::results::io::load(file)?.results);
    }
    let mut failing: BTreeMap<&str, usize> = BTreeMap::new();
    for scan in &all {
        for rule in &scan.rules {
            if rule.result == stigrun::results::xccdf::XccdfResult::Fail {
                *failing.entry(rule.rule_id.as_str()).or_default() += 1;
            }
        }
    }
    println!("nodes: {}  rules failing somewhere: {}", all.len(), failing.len());
    Ok(())
}
