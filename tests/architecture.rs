//! The pipeline runs one way. docs/ARCHITECTURE.md lists the layers of `src/` from the bottom up;
//! this test reads every source file's `crate::…` paths and fails when a module imports one above
//! it, or when folders inside a module import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first, as docs/ARCHITECTURE.md gives them between its
/// `<!-- layers -->` markers (one module per line: `` 1. `model` — … ``).
fn documented_layers() -> Vec<String> {
    let doc = std::fs::read_to_string(repo().join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let section =
        doc.split("<!-- layers -->").nth(1).expect("docs/ARCHITECTURE.md has a `<!-- layers -->` section");
    section
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line.split_once(". `")?.1;
            Some(rest.split('`').next()?.to_string())
        })
        .collect()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code without comments and string literals, so prose mentioning `crate::x` does not count.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == '/' && bytes.get(i + 1) == Some(&'/') {
            while i < bytes.len() && bytes[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && bytes.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == '*' && bytes[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && matches!(bytes.get(i + 1), Some('"') | Some('#')) && !prev_is_ident(&bytes, i) {
            // Raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= bytes.len() {
                    break;
                }
                if bytes[j] == '"' && (0..hashes).all(|k| bytes.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < bytes.len() && bytes[i] != '"' {
                if bytes[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && bytes.get(i + 2) == Some(&'\'') {
            // A char literal such as '"' (lifetimes have no closing quote two places on).
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && bytes.get(i + 1) == Some(&'\\') {
            while i < bytes.len() && !(bytes[i] == '\'' && i > 0 && bytes[i - 1] != '\\') {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `crate::a::b` paths in `code`, as their module chains: `crate::{x, y::z}` gives `x` and `y::z`.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if rest.starts_with('{') {
            let end = rest.find('}').unwrap_or(rest.len());
            for part in rest[1..end].split(',') {
                let chain = path_chain(part.trim());
                if !chain.is_empty() {
                    found.push(chain);
                }
            }
        } else {
            let chain = path_chain(rest);
            if !chain.is_empty() {
                found.push(chain);
            }
        }
    }
    found
}

fn path_chain(text: &str) -> Vec<String> {
    let mut chain = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        chain.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    chain
}

/// The module of `src/<module>/…` or `src/<module>.rs`, and the folder one level down
/// (`probes/unix`) when the file sits in one.
fn place(file: &Path) -> (String, Option<String>) {
    let relative = file.strip_prefix(repo().join("src")).unwrap();
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let module = parts[0].trim_end_matches(".rs").to_string();
    let folder = (parts.len() > 2).then(|| format!("{module}/{}", parts[1]));
    (module, folder)
}

#[test]
fn no_module_imports_one_above_it() {
    let layers = documented_layers();
    assert!(layers.len() >= 10, "layers read from docs/ARCHITECTURE.md: {layers:?}");
    let rank: BTreeMap<&str, usize> = layers.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    let mut violations = Vec::new();
    let mut unplaced = BTreeSet::new();
    for file in &files {
        let (module, _) = place(file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&own) = rank.get(module.as_str()) else {
            unplaced.insert(module);
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for chain in crate_paths(&code) {
            let target = &chain[0];
            let Some(&theirs) = rank.get(target.as_str()) else {
                unplaced.insert(target.clone());
                continue;
            };
            if theirs > own {
                violations.push(format!(
                    "{}: `{module}` imports `crate::{}` from above it",
                    file.strip_prefix(repo()).unwrap().display(),
                    chain.join("::")
                ));
            }
        }
    }
    assert!(unplaced.is_empty(), "modules missing from docs/ARCHITECTURE.md's layers: {unplaced:?}");
    assert!(
        violations.is_empty(),
        "{} import(s) run back up the pipeline:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn folders_inside_a_module_import_each_other_in_no_circle() {
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    // folder → folders of the same module it imports
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let (module, folder) = place(file);
        let from = folder.unwrap_or_else(|| module.clone());
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for chain in crate_paths(&code) {
            if chain[0] != module || chain.len() < 2 {
                continue;
            }
            let dir = repo().join("src").join(&module).join(&chain[1]);
            let to = if dir.is_dir() { format!("{module}/{}", chain[1]) } else { module.clone() };
            if to != from && to != module {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            panic!("folders import each other in a circle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_import_reader_sees_through_comments_strings_and_groups() {
    let code = code_only(
        "use crate::model::oval::Item; // crate::cli::x\nlet s = \"crate::render\";\nuse crate::{host::Root, diag};\n/* crate::scan */ let r = r#\"crate::query\"#;",
    );
    let chains: Vec<String> = crate_paths(&code).iter().map(|c| c.join("::")).collect();
    assert_eq!(chains, ["model::oval::Item", "host::Root", "diag"]);
}

/// Content XML is parsed by `loader` only; results files by `results::io`; XML read off the
/// target by the probes that test it (`xmlfilecontent` and its XPath support). Test code may parse
/// what it checks.
#[test]
fn only_the_loaders_parse_xml() {
    const ALLOWED: [&str; 4] = [
        "src/loader/",
        "src/results/io/",
        "src/probes/support/xpath.rs",
        "src/probes/independent/xmlfilecontent.rs",
    ];
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    let mut offenders = Vec::new();
    for file in files {
        let relative = file.strip_prefix(repo()).unwrap().to_string_lossy().into_owned();
        if ALLOWED.iter().any(|a| relative.starts_with(a)) || relative.ends_with("/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code = code_only(product);
        if code.contains("roxmltree") || code.contains("quick_xml") {
            offenders.push(relative);
        }
    }
    assert!(offenders.is_empty(), "XML parsed outside the loaders: {offenders:?}");
}
