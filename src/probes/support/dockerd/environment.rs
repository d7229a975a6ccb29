//! What systemd hands the dockerd process: its environment (`DefaultEnvironment=` of the manager,
//! `Environment=`, `EnvironmentFile=`, `UnsetEnvironment=`) and its command line (`ExecStart=`
//! after resets, split into words and with `$VAR` / `${VAR}` expanded), each word and variable
//! keeping the file and line it came from.
//!
//! Order, as systemd.exec(5) gives it: the manager's default environment, then `Environment=`
//! (a later assignment of a name replaces an earlier one, an empty `Environment=` forgets the
//! earlier lines), then the `EnvironmentFile=` files in order (they win over `Environment=`),
//! and `UnsetEnvironment=` last.

use crate::host::Root;
use crate::probes::support::systemd_units::{Assignment, Unit, parse_unit_file};

use super::Origin;
use super::flags::Word;

/// The manager configuration files, lowest precedence first; within a drop-in directory files
/// apply in name order, and a later directory's file of the same name hides an earlier one.
const MANAGER_CONF: &str = "/etc/systemd/system.conf";
const MANAGER_DROP_IN_DIRS: &[&str] = &[
    "/usr/lib/systemd/system.conf.d",
    "/usr/local/lib/systemd/system.conf.d",
    "/run/systemd/system.conf.d",
    "/etc/systemd/system.conf.d",
];

/// One variable of the service environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

/// A variable that was set and then removed by `UnsetEnvironment=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub var: Var,
    pub removed_at: Origin,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// In the order they were first set.
    pub vars: Vec<Var>,
    pub removed: Vec<Removed>,
    pub notes: Vec<String>,
    /// Files read: (in-root path, SHA-256).
    pub evidence: Vec<(String, String)>,
}

impl Environment {
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name == name)
    }

    fn set(&mut self, var: Var) {
        match self.vars.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => *existing = var,
            None => self.vars.push(var),
        }
    }
}

/// Why systemd would not start the service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct StartFailure {
    pub origin: Origin,
    pub message: String,
}

/// The environment systemd gives `unit`'s processes.
pub fn service_environment(root: &Root, unit: &Unit) -> Result<Environment, StartFailure> {
    let mut env = Environment::default();
    manager_defaults(root, &mut env);
    let service = |a: &&Assignment| a.section == "Service";
    let mut lines: Vec<&Assignment> = Vec::new();
    let mut files: Vec<&Assignment> = Vec::new();
    for a in unit.assignments.iter().filter(service) {
        match a.key.as_str() {
            "Environment" if a.value.is_empty() => lines.clear(),
            "Environment" => lines.push(a),
            "EnvironmentFile" if a.value.is_empty() => files.clear(),
            "EnvironmentFile" => files.push(a),
            _ => {}
        }
    }
    for a in lines {
        for var in assignments(&a.value, &origin_of(a), &mut env.notes) {
            env.set(var);
        }
    }
    for a in files {
        let (optional, path) = match a.value.strip_prefix('-') {
            Some(p) => (true, p.trim()),
            None => (false, a.value.trim()),
        };
        match root.read(path) {
            Ok(content) => {
                env.evidence.push((path.to_string(), content.sha256.clone()));
                let text = String::from_utf8_lossy(&content.bytes);
                for var in parse_env_file(&text, path, &mut env.notes) {
                    env.set(var);
                }
            }
            Err(e) if optional && e.is_not_found() => {
                env.notes.push(format!("{}: optional EnvironmentFile `{path}` does not exist", origin_of(a)));
            }
            Err(e) => {
                return Err(StartFailure {
                    origin: origin_of(a),
                    message: format!("systemd cannot start `{}`: EnvironmentFile `{path}`: {e}", unit.id),
                });
            }
        }
    }
    for a in unit.assignments.iter().filter(service).filter(|a| a.key == "UnsetEnvironment") {
        for word in split_words(&a.value).unwrap_or_default() {
            let (name, only_value) = match word.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (word.clone(), None),
            };
            let Some(index) = env.vars.iter().position(|v| v.name == name) else { continue };
            if only_value.as_ref().is_some_and(|v| *v != env.vars[index].value) {
                continue;
            }
            let var = env.vars.remove(index);
            env.removed.push(Removed { var, removed_at: origin_of(a) });
        }
    }
    Ok(env)
}

fn origin_of(a: &Assignment) -> Origin {
    Origin::file(&a.file, a.line)
}

/// `DefaultEnvironment=` of the service manager (system.conf and its drop-ins).
fn manager_defaults(root: &Root, env: &mut Environment) {
    let mut files = vec![MANAGER_CONF.to_string()];
    let mut drop_ins: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for dir in MANAGER_DROP_IN_DIRS {
        for name in root.read_dir(dir).unwrap_or_default() {
            if name.ends_with(".conf") {
                drop_ins.insert(name.clone(), format!("{dir}/{name}"));
            }
        }
    }
    files.extend(drop_ins.into_values());
    for path in files {
        let Ok(content) = root.read(&path) else { continue };
        env.evidence.push((path.clone(), content.sha256.clone()));
        let text = String::from_utf8_lossy(&content.bytes);
        for a in parse_unit_file(&text, &path) {
            if a.section != "Manager" || a.key != "DefaultEnvironment" {
                continue;
            }
            if a.value.is_empty() {
                env.vars.clear();
                continue;
            }
            for var in assignments(&a.value, &origin_of(&a), &mut env.notes) {
                env.set(var);
            }
        }
    }
}

/// `NAME=value` words of an `Environment=` line; words that are not assignments are noted.
fn assignments(value: &str, origin: &Origin, notes: &mut Vec<String>) -> Vec<Var> {
    let words = match split_words(value) {
        Ok(w) => w,
        Err(e) => {
            notes.push(format!("{origin}: {e}; systemd ignores the line"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for word in words {
        match word.split_once('=') {
            Some((name, v)) if is_env_name(name) => {
                out.push(Var { name: name.to_string(), value: v.to_string(), origin: origin.clone() })
            }
            _ => notes.push(format!("{origin}: `{word}` is not a NAME=value assignment; systemd ignores it")),
        }
    }
    out
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An `EnvironmentFile=`: `NAME=value` lines, `#`/`;` comments, values in single quotes (taken
/// as written), double quotes (backslash escapes `\"`, `\\`, `\$`, `` \` ``) or bare (backslash
/// escapes any character, trailing blanks dropped, a final backslash continues the line).
pub fn parse_env_file(text: &str, path: &str, notes: &mut Vec<String>) -> Vec<Var> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let number = i + 1;
        let mut line = lines[i].trim_start().to_string();
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        // Bare values continue on the next line after a trailing backslash.
        while line.ends_with('\\') && !line.ends_with("\\\\") && i < lines.len() {
            line.pop();
            line.push_str(lines[i]);
            i += 1;
        }
        let origin = Origin::file(path, number);
        let body = line.strip_prefix("export ").map_or(line.as_str(), str::trim_start);
        let Some((name, raw)) = body.split_once('=') else {
            notes.push(format!("{origin}: not a NAME=value line; systemd ignores it"));
            continue;
        };
        let name = name.trim_end();
        if !is_env_name(name) {
            notes.push(format!("{origin}: `{name}` is not a variable name; systemd ignores the line"));
            continue;
        }
        out.push(Var { name: name.to_string(), value: env_file_value(raw.trim_start()), origin });
    }
    out
}

fn env_file_value(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    let mut pending_blanks = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                out.push_str(&std::mem::take(&mut pending_blanks));
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    out.push(q);
                }
            }
            '"' => {
                out.push_str(&std::mem::take(&mut pending_blanks));
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '`' | '$')) => out.push(e),
                            Some(e) => {
                                out.push('\\');
                                out.push(e);
                            }
                            None => {}
                        },
                        q => out.push(q),
                    }
                }
            }
            '\\' => {
                out.push_str(&std::mem::take(&mut pending_blanks));
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            c if c == ' ' || c == '\t' => pending_blanks.push(c),
            c => {
                out.push_str(&std::mem::take(&mut pending_blanks));
                out.push(c);
            }
        }
    }
    out
}

/// systemd's word splitting (systemd.syntax(7)): blanks separate words, single and double
/// quotes group, C-style backslash escapes are decoded, `%%` is a `%`.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '"' | '\'' => {
                in_word = true;
                let mut closed = false;
                while let Some(q) = chars.next() {
                    if q == c {
                        closed = true;
                        break;
                    }
                    if q == '\\' {
                        current.push(unescape(chars.next().ok_or("a backslash ends the line")?));
                    } else {
                        current.push(q);
                    }
                }
                if !closed {
                    return Err(format!("unbalanced quote `{c}`"));
                }
            }
            '\\' => {
                in_word = true;
                current.push(unescape(chars.next().ok_or("a backslash ends the line")?));
            }
            '%' => {
                in_word = true;
                // `%%` is a literal `%`; other specifiers are kept as written.
                current.push('%');
                if chars.clone().next() == Some('%') {
                    chars.next();
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

fn unescape(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        's' => ' ',
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'v' => '\u{b}',
        other => other,
    }
}

/// The `ExecStart=` lines in force after resets (an empty `ExecStart=` forgets earlier ones).
pub fn exec_starts(unit: &Unit) -> Vec<&Assignment> {
    let mut out = Vec::new();
    for a in unit.assignments.iter().filter(|a| a.section == "Service" && a.key == "ExecStart") {
        if a.value.is_empty() {
            out.clear();
        } else {
            out.push(a);
        }
    }
    out
}

/// The argv of one `ExecStart=` line: prefixes (`-`, `@`, `+`, `!`, `!!`, `:`) removed, words
/// split, and — unless `:` turns it off — `$NAME` words replaced by the variable's value split
/// into words, `${NAME}` replaced inside a word. Each word keeps where its text came from.
pub fn command_words(exec: &Assignment, env: &Environment) -> Result<Vec<Word>, StartFailure> {
    let origin = origin_of(exec);
    let mut rest = exec.value.trim_start();
    let mut expand = true;
    while let Some(c) = rest.chars().next().filter(|c| matches!(c, '-' | '@' | '+' | '!' | ':')) {
        if c == ':' {
            expand = false;
        }
        rest = &rest[1..];
    }
    let words = split_words(rest).map_err(|message| StartFailure { origin: origin.clone(), message })?;
    let mut out = Vec::new();
    for word in words {
        if !expand {
            out.push(Word { text: word, origin: origin.clone() });
            continue;
        }
        if let Some(name) = word.strip_prefix('$').filter(|n| is_env_name(n)) {
            if let Some(var) = env.get(name) {
                let parts = split_words(&var.value)
                    .unwrap_or_else(|_| var.value.split_whitespace().map(str::to_string).collect());
                out.extend(parts.into_iter().map(|text| Word { text, origin: var.origin.clone() }));
            }
            continue;
        }
        let (text, from) = expand_braced(&word, env);
        out.push(Word { text, origin: from.unwrap_or_else(|| origin.clone()) });
    }
    Ok(out)
}

/// `${NAME}` (and `$$`) inside a word; the origin of the (last) variable used, if any.
fn expand_braced(word: &str, env: &Environment) -> (String, Option<Origin>) {
    let mut out = String::new();
    let mut from = None;
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after.strip_prefix('{').and_then(|b| b.split_once('}')) {
            if let Some(var) = env.get(name) {
                out.push_str(&var.value);
                from = Some(var.origin.clone());
            }
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    (out, from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::systemd_units::{LoadState, parse_unit_file};
    use std::fs;

    fn unit(text: &str) -> Unit {
        Unit {
            id: "docker.service".into(),
            names: vec!["docker.service".into()],
            load_state: LoadState::Loaded,
            unit_file_state: "enabled".into(),
            fragment_path: "/lib/systemd/system/docker.service".into(),
            drop_in_paths: Vec::new(),
            assignments: parse_unit_file(text, "/lib/systemd/system/docker.service"),
            directory_dependencies: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn root_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn words_quotes_and_escapes() {
        assert_eq!(split_words(r#"a "b c" 'd e' f\ g h\n"#).unwrap(), ["a", "b c", "d e", "f g", "h\n"]);
        assert_eq!(split_words("x=%%50 \"\"").unwrap(), ["x=%50", ""]);
        assert!(split_words("\"open").is_err());
    }

    #[test]
    fn environment_files_win_over_environment_and_unset_comes_last() {
        let (_d, root) = root_with(&[
            ("/etc/default/docker", "# fips\nDOCKER_FIPS=1\nDOCKER_OPTS=\"-H tcp://0.0.0.0:2375 --debug\"\n"),
            ("/etc/systemd/system.conf", "[Manager]\nDefaultEnvironment=DOCKER_CERT_PATH=/certs LANG=C\n"),
        ]);
        let u = unit(
            "[Service]\nEnvironment=DOCKER_FIPS=0 \"A=x y\"\nEnvironmentFile=/etc/default/docker\n\
             EnvironmentFile=-/etc/sysconfig/docker\nUnsetEnvironment=LANG A=other\n",
        );
        let env = service_environment(&root, &u).unwrap();
        let fips = env.get("DOCKER_FIPS").unwrap();
        assert_eq!((fips.value.as_str(), fips.origin.to_string().as_str()), ("1", "/etc/default/docker:2"));
        assert_eq!(env.get("A").unwrap().value, "x y");
        assert_eq!(env.get("DOCKER_CERT_PATH").unwrap().origin.to_string(), "/etc/systemd/system.conf:2");
        assert!(env.get("LANG").is_none());
        assert_eq!(env.removed[0].removed_at.to_string(), "/lib/systemd/system/docker.service:5");
        assert!(env.notes.iter().any(|n| n.contains("/etc/sysconfig/docker` does not exist")));
        assert_eq!(env.evidence.len(), 2);
    }

    #[test]
    fn a_later_unset_or_an_empty_environment_line_removes_earlier_settings() {
        let (_d, root) = root_with(&[]);
        let u = unit("[Service]\nEnvironment=DOCKER_FIPS=1\nEnvironment=\nEnvironment=OTHER=1\n");
        assert!(service_environment(&root, &u).unwrap().get("DOCKER_FIPS").is_none());
        let u = unit("[Service]\nEnvironment=DOCKER_FIPS=1\nUnsetEnvironment=DOCKER_FIPS\n");
        let env = service_environment(&root, &u).unwrap();
        assert!(env.get("DOCKER_FIPS").is_none());
        assert_eq!(env.removed[0].var.origin.to_string(), "/lib/systemd/system/docker.service:2");
    }

    #[test]
    fn a_missing_required_environment_file_stops_the_service() {
        let (_d, root) = root_with(&[]);
        let u = unit("[Service]\nEnvironmentFile=/etc/sysconfig/docker\n");
        let e = service_environment(&root, &u).unwrap_err();
        assert_eq!(e.origin.to_string(), "/lib/systemd/system/docker.service:2");
    }

    #[test]
    fn environment_file_syntax() {
        let mut notes = Vec::new();
        let vars = parse_env_file(
            "A='x  y' # not a comment\nexport B=\"q\\\"r\"\nC = z  \nD=a\\\nb\nnot a line\n1X=2\n",
            "/f",
            &mut notes,
        );
        let got: Vec<(&str, &str, String)> =
            vars.iter().map(|v| (v.name.as_str(), v.value.as_str(), v.origin.to_string())).collect();
        let at = |n: usize| format!("/f:{n}");
        assert_eq!(
            got,
            [
                ("A", "x  y # not a comment", at(1)),
                ("B", "q\"r", at(2)),
                ("C", "z", at(3)),
                ("D", "ab", at(4))
            ]
        );
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn exec_start_resets_prefixes_and_expansion() {
        let (_d, root) =
            root_with(&[("/etc/default/docker", "DOCKER_OPTS='-H tcp://0.0.0.0:2375 --label \"a b\"'\n")]);
        let u = unit(
            "[Service]\nEnvironmentFile=/etc/default/docker\nEnvironment=SOCK=fd://\n\
             ExecStart=/usr/bin/dockerd -H fd://\nExecStart=\nExecStart=-/usr/bin/dockerd -H ${SOCK} $DOCKER_OPTS $UNSET x$$y\n",
        );
        let env = service_environment(&root, &u).unwrap();
        let execs = exec_starts(&u);
        assert_eq!(execs.len(), 1);
        let words = command_words(execs[0], &env).unwrap();
        assert_eq!(
            texts(&words),
            ["/usr/bin/dockerd", "-H", "fd://", "-H", "tcp://0.0.0.0:2375", "--label", "a b", "x$y"]
        );
        assert_eq!(words[2].origin.to_string(), "/lib/systemd/system/docker.service:3");
        assert_eq!(words[4].origin.to_string(), "/etc/default/docker:1");
        let literal = unit("[Service]\nExecStart=:/usr/bin/dockerd $DOCKER_OPTS\n");
        let words = command_words(exec_starts(&literal)[0], &env).unwrap();
        assert_eq!(texts(&words), ["/usr/bin/dockerd", "$DOCKER_OPTS"]);
    }
}
