//! xinetd's configuration as xinetd.conf(5) describes it: `/etc/xinetd.conf` with its `include`
//! files and `includedir` directories, one `defaults` section and `service NAME { … }` sections
//! of `attribute op value…` lines (`=`, `+=`, `-=`). Read through the root; what xinetd itself
//! would reject is reported as a problem with its file and line, never guessed around.

use std::collections::HashSet;

use crate::host::{FileKind, HostError, Root};

/// The main configuration file.
pub const MAIN_FILE: &str = "/etc/xinetd.conf";

/// Includes nest at most this deep (xinetd has no limit; a loop must end somewhere).
const MAX_DEPTH: usize = 16;
/// At most this many files are read, however the includes are arranged.
const MAX_FILES: usize = 1024;

/// The assignment operator of an attribute line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Assign,
    Add,
    Remove,
}

/// One `attribute op value…` line; `value` is the rest of the line, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub attribute: String,
    pub op: Op,
    pub value: String,
}

/// A `defaults` or `service` section, its lines in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `None` for `defaults`.
    pub service: Option<String>,
    /// Where it starts, as `path:line`.
    pub at: String,
    pub assignments: Vec<Assignment>,
}

/// Everything read from the configuration.
#[derive(Debug, Default)]
pub struct XinetdConf {
    /// Sections in the order xinetd reads them (includes expanded where they stand).
    pub sections: Vec<Section>,
    /// Malformed lines and unreadable includes, as `path:line: what`.
    pub problems: Vec<String>,
    /// Files read: (in-root path, SHA-256).
    pub evidence: Vec<(String, String)>,
}

/// Read the configuration. `Ok(None)` when the main file does not exist (no xinetd setup).
pub fn read(root: &Root) -> Result<Option<XinetdConf>, HostError> {
    let mut reader = Reader { root, conf: XinetdConf::default(), seen: HashSet::new() };
    match root.read_to_string(MAIN_FILE) {
        Ok((text, content)) => {
            reader.seen.insert(content.path.clone());
            reader.conf.evidence.push((content.path.clone(), content.sha256));
            reader.parse(MAIN_FILE, &text, 0);
            Ok(Some(reader.conf))
        }
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

struct Reader<'a> {
    root: &'a Root,
    conf: XinetdConf,
    /// Resolved paths already read, so an include loop reads each file once.
    seen: HashSet<String>,
}

impl Reader<'_> {
    fn problem(&mut self, path: &str, line: usize, what: impl std::fmt::Display) {
        self.conf.problems.push(format!("{path}:{line}: {what}"));
    }

    fn include_file(&mut self, path: &str, from: (&str, usize), depth: usize) {
        if depth > MAX_DEPTH || self.conf.evidence.len() >= MAX_FILES {
            self.problem(
                from.0,
                from.1,
                format!("`{path}` not read: includes nest too deep or too many files"),
            );
            return;
        }
        match self.root.read_to_string(path) {
            Ok((text, content)) => {
                if !self.seen.insert(content.path.clone()) {
                    return;
                }
                self.conf.evidence.push((content.path.clone(), content.sha256));
                self.parse(path, &text, depth);
            }
            Err(e) => self.problem(from.0, from.1, format!("include `{path}`: {e}")),
        }
    }

    /// xinetd reads the files of an `includedir` in name order, skipping names with a dot or
    /// ending in `~` (editor backups, `.rpmsave`, `.dpkg-old`).
    fn include_dir(&mut self, dir: &str, from: (&str, usize), depth: usize) {
        let mut names = match self.root.read_dir(dir) {
            Ok(names) => names,
            Err(e) => return self.problem(from.0, from.1, format!("includedir `{dir}`: {e}")),
        };
        names.sort();
        for name in names {
            if name.contains('.') || name.ends_with('~') {
                continue;
            }
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            if self.root.stat(&path).is_ok_and(|m| m.kind == FileKind::Regular) {
                self.include_file(&path, from, depth + 1);
            }
        }
    }

    fn parse(&mut self, path: &str, text: &str, depth: usize) {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        while let Some((number, line)) = lines.next() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim();
            match keyword {
                "includedir" if !rest.is_empty() => self.include_dir(rest, (path, number), depth),
                "include" if !rest.is_empty() => self.include_file(rest, (path, number), depth + 1),
                "defaults" | "service" => {
                    let (name, brace_here) = match rest.strip_suffix('{') {
                        Some(name) => (name.trim(), true),
                        None => (rest, false),
                    };
                    let service = (keyword == "service").then(|| name.to_string());
                    if service.as_deref().is_some_and(|n| n.is_empty() || n.contains(char::is_whitespace)) {
                        self.problem(path, number, "`service` needs one name");
                    }
                    let at = format!("{path}:{number}");
                    if let Some(section) = self.section(path, &mut lines, brace_here, service, at) {
                        self.conf.sections.push(section);
                    }
                }
                _ => self.problem(path, number, format!("`{line}` is not a section or an include")),
            }
        }
    }

    /// The body of a section up to its `}`; `None` (with a problem) when it is malformed, as
    /// xinetd then drops the whole entry.
    fn section<'t>(
        &mut self,
        path: &str,
        lines: &mut impl Iterator<Item = (usize, &'t str)>,
        mut opened: bool,
        service: Option<String>,
        at: String,
    ) -> Option<Section> {
        let mut section = Section { service, at, assignments: Vec::new() };
        let mut broken = false;
        let mut last = 0;
        for (number, line) in lines.by_ref() {
            last = number;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !opened {
                if line == "{" {
                    opened = true;
                } else {
                    self.problem(path, number, "expected `{` after the section name");
                    broken = true;
                    opened = true;
                }
                continue;
            }
            if line == "}" {
                return (!broken).then_some(section);
            }
            match assignment(line) {
                Some(a) => section.assignments.push(a),
                None => {
                    self.problem(path, number, format!("`{line}` is not `attribute = value`"));
                    broken = true;
                }
            }
        }
        self.problem(path, last, format!("section at {} has no closing `}}`", section.at));
        None
    }
}

/// `attribute op value…`; spaces around the operator are optional.
fn assignment(line: &str) -> Option<Assignment> {
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let attribute = &line[..end];
    let rest = line[end..].trim_start();
    let (op, value) = if let Some(v) = rest.strip_prefix("+=") {
        (Op::Add, v)
    } else if let Some(v) = rest.strip_prefix("-=") {
        (Op::Remove, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (Op::Assign, v)
    } else {
        return None;
    };
    (!attribute.is_empty()).then(|| Assignment {
        attribute: attribute.to_string(),
        op,
        value: value.trim().to_string(),
    })
}

/// The protocol and port `/etc/services` gives a service name (or alias): the first entry
/// for the name when `protocol` is `None`, else the entry for that protocol.
pub fn services_entry(services: &str, name: &str, protocol: Option<&str>) -> Option<(String, u16)> {
    services.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let official = words.next()?;
        let (port, proto) = words.next()?.split_once('/')?;
        let named = official == name || words.any(|alias| alias == name);
        let wanted = protocol.is_none_or(|p| p == proto);
        (named && wanted).then(|| Some((proto.to_string(), port.parse().ok()?))).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn root_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path.trim_start_matches('/'));
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn sections_and_includes_in_reading_order() {
        let (_dir, root) = root_with(&[
            ("/etc/xinetd.conf", "# c\ndefaults\n{\n  only_from = 10.0.0.0/8\n}\nincludedir /etc/xinetd.d\n"),
            ("/etc/xinetd.d/b", "service b\n{\n server_args = -a  -b\n}\n"),
            ("/etc/xinetd.d/a", "service a {\n  only_from+=1.2.3.4\n disable -= x\n}\ninclude /etc/more\n"),
            ("/etc/xinetd.d/a.rpmsave", "service skipped\n{\n}\n"),
            ("/etc/xinetd.d/c~", "service skipped\n{\n}\n"),
            ("/etc/more", "service more\n{\n}\n"),
        ]);
        let conf = read(&root).unwrap().unwrap();
        assert!(conf.problems.is_empty(), "{:?}", conf.problems);
        let names: Vec<Option<&str>> = conf.sections.iter().map(|s| s.service.as_deref()).collect();
        assert_eq!(names, [None, Some("a"), Some("more"), Some("b")]);
        assert_eq!(
            conf.sections[1].assignments[0],
            Assignment { attribute: "only_from".into(), op: Op::Add, value: "1.2.3.4".into() }
        );
        assert_eq!(conf.sections[1].assignments[1].op, Op::Remove);
        assert_eq!(conf.sections[3].assignments[0].value, "-a  -b");
        assert_eq!(conf.evidence.len(), 4);
    }

    #[test]
    fn malformed_sections_are_dropped_with_their_line() {
        let (_dir, root) = root_with(&[(
            "/etc/xinetd.conf",
            "service bad\n{\n  no operator here\n}\nservice good\n{\n wait = no\n}\nbogus line\nservice open\n{\n",
        )]);
        let conf = read(&root).unwrap().unwrap();
        let names: Vec<Option<&str>> = conf.sections.iter().map(|s| s.service.as_deref()).collect();
        assert_eq!(names, [Some("good")]);
        assert_eq!(conf.problems.len(), 3, "{:?}", conf.problems);
        assert!(conf.problems[0].starts_with("/etc/xinetd.conf:3: "));
        assert!(conf.problems[1].starts_with("/etc/xinetd.conf:9: "));
        assert!(conf.problems[2].contains("no closing"));
    }

    #[test]
    fn no_main_file_is_no_configuration_and_loops_end() {
        let (_dir, root) = root_with(&[]);
        assert!(read(&root).unwrap().is_none());
        let (_dir, root) = root_with(&[("/etc/xinetd.conf", "include /etc/xinetd.conf\nservice x\n{\n}\n")]);
        let conf = read(&root).unwrap().unwrap();
        assert_eq!(conf.sections.len(), 1);
    }

    #[test]
    fn services_file_lookup() {
        let services =
            "# x\ntftp\t69/udp\ntelnet 23/tcp\nftp-data 20/tcp\nwww 80/tcp http # web\nwww 80/udp\n";
        assert_eq!(services_entry(services, "telnet", None), Some(("tcp".into(), 23)));
        assert_eq!(services_entry(services, "http", None), Some(("tcp".into(), 80)));
        assert_eq!(services_entry(services, "www", Some("udp")), Some(("udp".into(), 80)));
        assert_eq!(services_entry(services, "tftp", Some("tcp")), None);
        assert_eq!(services_entry(services, "web", None), None);
    }
}
