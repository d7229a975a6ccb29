//! The repository stands alone: the reference data the tests read is in tests/data with its provenance,
//! and no tracked file reaches outside the repository, neither by a symlink nor by naming a path of one
//! machine (`../shared`, `/work/…`, the checkout's own absolute path, the user's home).

mod support;

use std::path::{Component, Path, PathBuf};
use std::process::Command;

#[test]
fn test_data_matches_provenance() {
    support::check_provenance(&support::data(""), &[]);
}

/// Fixture roots: directories that stand for the `/` of a scanned machine. A symlink inside one is
/// read as the scanner reads it, relative to that root (absolute targets included).
fn fixture_root(path: &Path) -> Option<PathBuf> {
    let parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        ["tests", "oval", "cases", case, "root", ..] => {
            Some(["tests/oval/cases", case, "root"].iter().collect())
        }
        ["tests", "fixtures", "docker-ee", node, _, ..] => {
            Some(["tests/fixtures/docker-ee", node].iter().collect())
        }
        _ => None,
    }
}

/// Symlinks that leave their fixture root on purpose, each with its target and why.
const ESCAPE_FIXTURES: [(&str, &str, &str); 1] = [(
    "tests/oval/cases/symlink-escape/root/etc/os-link",
    "../../../../../../../../../../../../etc/os-release",
    "the symlink-escape case: `..` past the scanned root must stay at that root",
)];

/// `path` with `.` and `..` applied lexically; `None` when `..` climbs above the start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Why the symlink `link` (relative to the repository) with target `target` leaves where it must stay,
/// or `None` when it stays: inside its fixture root, or inside the repository for any other link.
fn symlink_escape(link: &Path, target: &Path) -> Option<String> {
    let parent = link.parent().unwrap_or(Path::new(""));
    match fixture_root(link) {
        Some(root) => {
            // Absolute targets resolve inside the root (the scanner's `/`); relative ones from the link.
            let inside = if target.is_absolute() {
                normalize(&target.iter().skip(1).collect::<PathBuf>()).is_some()
            } else {
                let from_root = parent.strip_prefix(&root).unwrap_or(parent);
                normalize(&from_root.join(target)).is_some()
            };
            (!inside).then(|| format!("leaves its fixture root {}", root.display()))
        }
        None if target.is_absolute() => Some("is absolute outside a fixture root".into()),
        None => normalize(&parent.join(target)).is_none().then(|| "leaves the repository".into()),
    }
}

/// Strings that name a path of one machine rather than of the repository.
fn machine_paths() -> Vec<String> {
    let mut needles: Vec<String> =
        ["../shared", "/work/", "/root/.cargo", "/root/.rustup"].iter().map(|s| s.to_string()).collect();
    needles.push(env!("CARGO_MANIFEST_DIR").trim_end_matches('/').to_string());
    // A home directory other than root's (a standard path that fixtures and docs name).
    if let Some(home) = std::env::var_os("HOME").and_then(|h| h.into_string().ok()) {
        let home = home.trim_end_matches('/').to_string();
        if home.matches('/').count() >= 2 {
            needles.push(home);
        }
    }
    needles
}

/// The needles found in `text` where they start a path (not inside a longer name such as `$dir/root/`).
fn machine_path_hits(text: &str, needles: &[String]) -> Vec<String> {
    let mut hits = Vec::new();
    for needle in needles {
        for (at, _) in text.match_indices(needle.as_str()) {
            let before = text[..at].chars().next_back();
            let starts_path = needle.starts_with('.')
                || !before
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '}' | '.' | '-' | '/'));
            if starts_path {
                let line = text[..at].matches('\n').count() + 1;
                hits.push(format!("line {line}: `{needle}`"));
            }
        }
    }
    hits
}

/// The repository's tracked files (`git ls-files`), or every file outside `target/` and `.git/` when
/// this copy is not a git work tree (a source tarball).
fn tracked_files() -> Vec<PathBuf> {
    let repo = support::repo();
    let git = Command::new("git").arg("-C").arg(repo).args(["ls-files", "-z"]).output();
    if let Ok(out) = git
        && out.status.success()
    {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .collect();
    }
    eprintln!("not a git work tree: checking every file outside target/ and .git/");
    walkdir::WalkDir::new(repo)
        .into_iter()
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("target" | ".git")))
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(repo).unwrap().to_path_buf())
        .collect()
}

#[test]
fn no_tracked_file_reaches_outside_the_repository() {
    let repo = support::repo();
    let needles = machine_paths();
    let files = tracked_files();
    assert!(files.len() > 100, "{} files", files.len());
    for must in ["README.md", "content/PROVENANCE.md", "tests/data/PROVENANCE.md", "xsd/PROVENANCE.md"] {
        assert!(files.iter().any(|f| f == Path::new(must)), "{must} is not among the checked files");
    }
    let mut problems = Vec::new();
    let mut escapes_seen = Vec::new();
    for file in &files {
        let path = repo.join(file);
        let Ok(meta) = path.symlink_metadata() else {
            continue; // tracked but deleted in this work tree
        };
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            let Some(why) = symlink_escape(file, &target) else { continue };
            match ESCAPE_FIXTURES.iter().find(|(link, _, _)| Path::new(link) == file) {
                Some((_, allowed, _)) if Path::new(allowed) == target => escapes_seen.push(file.clone()),
                _ => problems.push(format!("{}: symlink to {} {why}", file.display(), target.display())),
            }
            continue;
        }
        // Fixture roots stand for other machines' files (passwd entries, unit files): their paths are data.
        if fixture_root(file).is_some() && !file.ends_with("expected.csv") && !file.ends_with("setup.sh") {
            continue;
        }
        // This file spells out the strings it looks for.
        if file == Path::new(file!()) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        for hit in machine_path_hits(&String::from_utf8_lossy(&bytes), &needles) {
            problems.push(format!("{}: {hit} names a path outside the repository", file.display()));
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    let allowed: Vec<PathBuf> = ESCAPE_FIXTURES.iter().map(|(link, _, _)| PathBuf::from(link)).collect();
    assert_eq!(
        escapes_seen, allowed,
        "an escape fixture is gone or no longer escapes: update ESCAPE_FIXTURES"
    );
}

/// The checks above can fail: each kind of reach outside is caught on a made-up example.
#[test]
fn the_checks_catch_what_they_look_for() {
    let needles: Vec<String> = ["../shared", "/work/", "/home/dev"].iter().map(|s| s.to_string()).collect();
    assert_eq!(machine_path_hits("data in ../shared/data", &needles).len(), 1);
    assert_eq!(
        machine_path_hits("see `/work/shared/x`\nand /home/dev/y", &needles),
        ["line 1: `/work/`", "line 2: `/home/dev`"]
    );
    assert!(machine_path_hits("cp -a \"$case_dir/work/.\" /srv/work/x", &needles).is_empty());
    let link = |l: &str, t: &str| symlink_escape(Path::new(l), Path::new(t));
    assert!(link("scripts/x", "../../shared/data").is_some());
    assert!(link("scripts/x", "/usr/share/doc").is_some());
    assert!(link("scripts/x", "../README.md").is_none());
    assert!(link("tests/oval/cases/c/root/etc/a", "/srv/b").is_none());
    assert!(link("tests/oval/cases/c/root/etc/a", "../srv/b").is_none());
    assert!(link("tests/oval/cases/c/root/etc/a", "../../b").is_some());
    assert!(link("tests/fixtures/docker-ee/n/var/run", "../run").is_none());
    assert!(link("tests/fixtures/docker-ee/n/var/run", "../../run").is_some());
}
