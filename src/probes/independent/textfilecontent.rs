//! `ind:textfilecontent_object` (deprecated since OVAL 5.4) → `ind:textfilecontent_item`: the
//! first match of the `line` pattern on each line of a file, numbered per file.
//!
//! As in oscap 1.3.7: each line is matched with its newline, without MULTILINE or DOTALL.

use crate::model::oval::Family;
use crate::semantics::regex::OvalRegex;

use crate::probes::independent::textfilecontent54::{match_item, text_until_nul, textfilecontent_item_type};
use crate::probes::support::fileset::{collect_each, names_files_exactly, read_regular};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject};

pub struct TextFileContentProbe;

impl Probe for TextFileContentProbe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Independent, "textfilecontent_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        let Some(pattern) = object.entity("line").and_then(|p| p.values.first()) else {
            return Collected::error(format!("object `{}` has no `line`", object.id));
        };
        let regex = match OvalRegex::new(pattern) {
            Ok(r) => r,
            Err(e) => return Collected::error(format!("object `{}`: {e}", object.id)),
        };
        let kind = textfilecontent_item_type(object.kind);
        let named = names_files_exactly(object);
        collect_each(object, ctx, |file, out| {
            let Some(content) = read_regular(ctx.root(), named, file, &kind, out) else { return Ok(()) };
            let text = text_until_nul(&content.bytes);
            let mut instance = 0;
            for line in text.split_inclusive('\n') {
                // Only the first match on a line counts.
                if let Some((whole, groups)) = regex.captures_all(line)?.into_iter().next() {
                    instance += 1;
                    out.items.push(match_item(&kind, file, pattern, instance, &whole, &groups));
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Root;
    use crate::model::oval::{ItemValue, Operation};
    use crate::probes::support::fileset::tests::{entity, kind, object};
    use crate::semantics::CollectedFlag;
    use std::fs;

    #[test]
    fn first_match_per_line_numbered() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/login.defs"), "PASS_MAX_DAYS 60 PASS_X 1\n#c\nPASS_MIN_DAYS 1\n")
            .unwrap();
        let root = Root::new(d.path()).unwrap();
        let k = kind(Family::Independent, "textfilecontent_object");
        let o = object(
            &k,
            vec![
                entity("path", Operation::Equals, "/etc"),
                entity("filename", Operation::Equals, "login.defs"),
                entity("line", Operation::PatternMatch, r"PASS_(\w+)"),
            ],
            &[],
        );
        let c =
            TextFileContentProbe.collect(&o, &ProbeContext::new(&crate::host::ScanTarget::new(root.clone())));
        assert_eq!(c.flag, CollectedFlag::Complete);
        let got: Vec<(String, String)> = c
            .items
            .iter()
            .map(|i| {
                let t = |n| match &i.fields_named(n).next().unwrap().value {
                    ItemValue::Text(t) => t.clone(),
                    _ => String::new(),
                };
                (t("instance"), t("subexpression"))
            })
            .collect();
        assert_eq!(got, [("1".into(), "MAX_DAYS".into()), ("2".into(), "MIN_DAYS".into())]);
        assert_eq!(c.items[0].kind.name, "textfilecontent_item");
    }
}
