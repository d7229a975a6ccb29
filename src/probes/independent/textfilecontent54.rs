//! `ind:textfilecontent54_object` → `ind:textfilecontent_item`: every match of a Perl regular
//! expression over a whole file, numbered 1, 2, … per file (`instance`).
//!
//! As in oscap 1.3.7: `multiline` (default true) is PCRE's MULTILINE, `singleline` (default
//! false) is DOTALL, `ignore_case` is CASELESS; the text ends at the first NUL byte; the
//! `line` field repeats the pattern; capture groups that took no part in a match are left out
//! of `subexpression` (so later groups move up).

use crate::model::oval::{Datatype, Family, Item, TypeName};
use crate::semantics::regex::OvalRegex;

use crate::probes::support::fileset::{
    FileRef, collect_each, names_files_exactly, push_location, read_regular,
};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

pub struct TextFileContent54Probe;

impl Probe for TextFileContent54Probe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "textfilecontent54_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(pattern) = object.entity("pattern").and_then(|p| p.values.first()) else {
            return Collected::error(format!("object `{}` has no `pattern`", object.id));
        };
        let Some(instance) = object.entity("instance") else {
            return Collected::error(format!("object `{}` has no `instance`", object.id));
        };
        let flags = regex_flags(object);
        let regex = match OvalRegex::new(&with_flags(&flags, pattern)) {
            Ok(r) => r,
            Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
        };
        let kind = textfilecontent_item_type(object.kind);
        let named = names_files_exactly(object);
        collect_each(object, ctx, |file, out| {
            let Some(content) = read_regular(ctx.root(), named, file, &kind, out) else { return Ok(()) };
            let text = text_until_nul(&content.bytes);
            for (number, (whole, groups)) in regex.captures_all(&text)?.into_iter().enumerate() {
                let number = number + 1;
                if instance.matches(&number.to_string())? {
                    out.items.push(match_item(&kind, file, pattern, number, &whole, &groups));
                }
            }
            Ok(())
        })
    }
}

/// Both textfilecontent objects report `textfilecontent_item`.
pub(crate) fn textfilecontent_item_type(object: &TypeName) -> TypeName {
    TypeName { name: "textfilecontent_item".to_string(), ..item_type(object) }
}

/// Inline PCRE option letters for the object's behaviors.
fn regex_flags(object: &ResolvedObject<'_>) -> String {
    let on =
        |name: &str, default: bool| object.behavior(name).map(|v| v == "true" || v == "1").unwrap_or(default);
    let mut flags = String::new();
    if on("ignore_case", false) {
        flags.push('i');
    }
    if on("multiline", true) {
        flags.push('m');
    }
    if on("singleline", false) {
        flags.push('s');
    }
    flags
}

/// Prefix a pattern with inline options: `(?ms)` is the same as compiling with the flags.
/// Leading `(*VERB)` items must stay first, so the options go after them.
fn with_flags(flags: &str, pattern: &str) -> String {
    if flags.is_empty() {
        return pattern.to_string();
    }
    let mut verbs_end = 0;
    while pattern[verbs_end..].starts_with("(*") {
        match pattern[verbs_end..].find(')') {
            Some(close) => verbs_end += close + 1,
            None => break,
        }
    }
    format!("{}(?{flags}){}", &pattern[..verbs_end], &pattern[verbs_end..])
}

/// The file as text up to its first NUL byte (oscap reads it as a C string).
pub(crate) fn text_until_nul(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

pub(crate) fn match_item(
    kind: &TypeName,
    file: &FileRef,
    pattern: &str,
    instance: usize,
    whole: &str,
    groups: &[Option<String>],
) -> Item {
    let mut item = Item::new(kind.clone());
    push_location(&mut item, file);
    item.push("pattern", Datatype::String, pattern);
    item.push("instance", Datatype::Int, instance.to_string());
    item.push("line", Datatype::String, pattern);
    item.push("text", Datatype::String, whole);
    for g in groups.iter().flatten() {
        item.push("subexpression", Datatype::String, g.clone());
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Limits, Root};
    use crate::model::oval::{ItemStatus, ItemValue, Operation};
    use crate::probes::support::fileset::tests::{behaviors, entity, kind, object};
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn texts(c: &Collected, name: &str) -> Vec<Vec<String>> {
        c.items
            .iter()
            .map(|i| {
                i.fields_named(name)
                    .map(|f| match &f.value {
                        ItemValue::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .collect()
    }

    fn run(content: &str, pattern: &str, instance: (Operation, &str), b: &[(&str, &str)]) -> Collected {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/ssh")).unwrap();
        fs::write(d.path().join("etc/ssh/sshd_config"), content).unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "textfilecontent54_object");
        let b = behaviors(b);
        let mut inst = entity("instance", instance.0, instance.1);
        inst.datatype = Datatype::Int;
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/etc/ssh/sshd_config"),
                entity("pattern", Operation::PatternMatch, pattern),
                inst,
            ],
            &b,
        );
        TextFileContent54Probe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())))
    }

    const SSHD: &str = "Port 22\n#PermitRootLogin yes\nPermitRootLogin no\nCiphers aes256-ctr,aes128-ctr\n";

    #[test]
    fn multiline_is_default_and_items_match_oscap() {
        // Same case as the oscap differential run in the report: three matches, `line` = pattern.
        let c = run(SSHD, r"^[\s]*(\w+)[\s]+(.*)$", (Operation::Equals, "2"), &[]);
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(c.items.len(), 1);
        let i = &c.items[0];
        let names: Vec<&str> = i.fields.iter().map(|f| f.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "filepath",
                "path",
                "filename",
                "pattern",
                "instance",
                "line",
                "text",
                "subexpression",
                "subexpression"
            ]
        );
        assert_eq!(texts(&c, "text"), [["PermitRootLogin no"]]);
        assert_eq!(texts(&c, "subexpression"), [["PermitRootLogin", "no"]]);
        assert_eq!(texts(&c, "instance"), [["2"]]);
        assert_eq!(texts(&c, "line"), [[r"^[\s]*(\w+)[\s]+(.*)$"]]);
        assert_eq!(c.evidence.len(), 1);
        assert_eq!(c.evidence[0].0, "/etc/ssh/sshd_config");
    }

    #[test]
    fn multiline_false_anchors_at_file_start_only() {
        let c = run(SSHD, r"^PermitRootLogin (\w+)$", (Operation::Equals, "1"), &[("multiline", "false")]);
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
        let c = run(SSHD, r"^PermitRootLogin (\w+)$", (Operation::Equals, "1"), &[]);
        assert_eq!(texts(&c, "subexpression"), [["no"]]);
    }

    #[test]
    fn singleline_lets_dot_cross_lines() {
        let c = run(SSHD, r"Port 22.(#)", (Operation::Equals, "1"), &[]);
        assert!(c.items.is_empty());
        let c = run(SSHD, r"Port 22.(#)", (Operation::Equals, "1"), &[("singleline", "true")]);
        assert_eq!(texts(&c, "text"), [["Port 22\n#"]]);
    }

    #[test]
    fn instances_are_counted_over_all_matches() {
        let c = run(
            SSHD,
            r"Permit.*?(yes|no)",
            (Operation::Equals, "2"),
            &[("singleline", "true"), ("multiline", "false")],
        );
        assert_eq!(texts(&c, "text"), [["PermitRootLogin no"]]);
        assert_eq!(texts(&c, "instance"), [["2"]]);
        let c = run(SSHD, r"Permit", (Operation::Equals, "3"), &[]);
        assert!(c.items.is_empty());
    }

    #[test]
    fn unset_groups_are_left_out() {
        let c = run("a=1\n", r"^(x)?(a)=(\d)", (Operation::Equals, "1"), &[]);
        assert_eq!(texts(&c, "subexpression"), [["a", "1"]]);
    }

    #[test]
    fn text_ends_at_nul() {
        let c = run("key=1\n\0key=2\n", r"key=(\d)", (Operation::GreaterThanOrEqual, "1"), &[]);
        assert_eq!(texts(&c, "subexpression"), [["1"]]);
    }

    #[test]
    fn oversized_file_is_an_error_item() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("big"), "x".repeat(100)).unwrap();
        let root = Root::with_limits(d.path(), Limits { max_file_size: 10, max_symlinks: 40 }).unwrap();
        let k = kind(Family::Independent, "textfilecontent54_object");
        let o = object(
            &k,
            vec![
                entity("filepath", Operation::Equals, "/big"),
                entity("pattern", Operation::PatternMatch, "x"),
                entity("instance", Operation::Equals, "1"),
            ],
            &[],
        );
        let c = TextFileContent54Probe
            .collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Error);
        assert_eq!(c.items[0].status, ItemStatus::Error);
        assert!(c.items[0].messages[0].contains("read limit"), "{:?}", c.items[0].messages);
    }

    #[test]
    fn fifo_in_walked_directory_is_never_opened() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/conf.d")).unwrap();
        fs::write(d.path().join("etc/conf.d/a.conf"), "k=v\n").unwrap();
        let p = std::ffi::CString::new(d.path().join("etc/conf.d/b.conf").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "textfilecontent54_object");
        let o = object(
            &k,
            vec![
                entity("path", Operation::Equals, "/etc/conf.d"),
                entity("filename", Operation::PatternMatch, r"\.conf$"),
                entity("pattern", Operation::PatternMatch, "k=(.*)"),
                entity("instance", Operation::Equals, "1"),
            ],
            &[],
        );
        // If the FIFO were opened for reading, this would block forever.
        let c = TextFileContent54Probe
            .collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Complete);
        assert_eq!(texts(&c, "filename"), [["a.conf"]]);
    }

    #[test]
    fn flags_go_after_leading_verbs() {
        assert_eq!(with_flags("m", "^a"), "(?m)^a");
        assert_eq!(with_flags("ms", "(*CRLF)^a"), "(*CRLF)(?ms)^a");
        assert_eq!(with_flags("", "^a"), "^a");
    }
}
