//! XCCDF 1.2 tailoring files (`xccdf:Tailoring`, as autotailor and SCAP Workbench write them):
//! profiles that extend and refine a benchmark's profiles without editing the benchmark.

use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::model::location::Location;
use crate::model::xccdf::{
    NS_XCCDF_11, NS_XCCDF_12, Profile, ProfileSelect, RefineRule, RefineValue, Role, SetValue, Severity,
    Text, ValueOperator,
};

#[derive(Debug, thiserror::Error)]
pub enum TailoringError {
    #[error("cannot read tailoring file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
}

#[derive(Debug, Clone)]
pub struct Tailoring {
    pub id: Option<String>,
    /// `<benchmark href>`: the benchmark this tailoring was written for.
    pub benchmark_href: Option<String>,
    pub profiles: Vec<Profile>,
}

pub fn load_tailoring_file(path: &Path) -> Result<Tailoring, TailoringError> {
    let name = path.display().to_string();
    let text = super::input::read_to_string(path)
        .map_err(|source| TailoringError::Read { path: name.clone(), source })?;
    parse_tailoring(&text, &name)
}

pub fn parse_tailoring(xml: &str, name: &str) -> Result<Tailoring, TailoringError> {
    let file: Arc<str> = Arc::from(name);
    if let Err((line, column, message)) = super::xml::check_attribute_syntax(xml) {
        return Err(TailoringError::Invalid { location: Location::new(file, line, column), message });
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = Document::parse_with_options(xml, options).map_err(|e| TailoringError::Invalid {
        location: Location::new(file.clone(), e.pos().row, e.pos().col),
        message: e.to_string(),
    })?;
    let loc = |n: Node<'_, '_>| {
        let p = doc.text_pos_at(n.range().start);
        Location::new(file.clone(), p.row, p.col)
    };
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or_default();
    if root.tag_name().name() != "Tailoring" || (ns != NS_XCCDF_12 && ns != NS_XCCDF_11) {
        return Err(TailoringError::Invalid {
            location: loc(root),
            message: format!(
                "expected `Tailoring` in `{NS_XCCDF_12}`, found `{}` in `{ns}`",
                root.tag_name().name()
            ),
        });
    }
    let text = |n: Node<'_, '_>| Text::plain(n.text().unwrap_or_default().trim());
    let mut profiles = Vec::new();
    for p in root.children().filter(|c| c.has_tag_name((ns, "Profile"))) {
        let id = p.attribute("id").ok_or_else(|| TailoringError::Invalid {
            location: loc(p),
            message: "`Profile` needs an `id`".into(),
        })?;
        let mut profile = Profile {
            id: id.to_string(),
            title: child(p, ns, "title").map(text),
            description: child(p, ns, "description").map(text),
            extends: p.attribute("extends").map(str::to_string),
            is_abstract: p.attribute("abstract") == Some("true"),
            platforms: Vec::new(),
            selects: Vec::new(),
            refine_values: Vec::new(),
            refine_rules: Vec::new(),
            set_values: Vec::new(),
            location: loc(p),
        };
        for c in p.children().filter(|c| c.is_element() && c.tag_name().namespace() == Some(ns)) {
            let idref = || {
                c.attribute("idref").map(str::to_string).ok_or_else(|| TailoringError::Invalid {
                    location: loc(c),
                    message: format!("`{}` needs an `idref`", c.tag_name().name()),
                })
            };
            match c.tag_name().name() {
                "select" => profile.selects.push(ProfileSelect {
                    idref: idref()?,
                    selected: matches!(c.attribute("selected"), Some("true" | "1")),
                    location: loc(c),
                }),
                "refine-value" => profile.refine_values.push(RefineValue {
                    idref: idref()?,
                    selector: c.attribute("selector").map(str::to_string),
                    operator: c.attribute("operator").and_then(ValueOperator::parse),
                    location: loc(c),
                }),
                "set-value" => profile.set_values.push(SetValue {
                    idref: idref()?,
                    value: c.text().unwrap_or_default().to_string(),
                    location: loc(c),
                }),
                "refine-rule" => profile.refine_rules.push(RefineRule {
                    idref: idref()?,
                    severity: c.attribute("severity").and_then(Severity::parse),
                    weight: c.attribute("weight").and_then(|w| w.parse().ok()),
                    role: c.attribute("role").and_then(Role::parse),
                    selector: c.attribute("selector").map(str::to_string),
                    location: loc(c),
                }),
                _ => {}
            }
        }
        profiles.push(profile);
    }
    Ok(Tailoring {
        id: root.attribute("id").map(str::to_string),
        benchmark_href: child(root, ns, "benchmark").and_then(|b| b.attribute("href")).map(str::to_string),
        profiles,
    })
}

fn child<'a, 'input>(n: Node<'a, 'input>, ns: &str, local: &str) -> Option<Node<'a, 'input>> {
    n.children().find(|c| c.has_tag_name((ns, local)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAILORING: &str = r#"<?xml version="1.0"?>
<xccdf:Tailoring xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2" id="xccdf_x_tailoring_t">
  <xccdf:benchmark href="ssg-debian11-ds.xml"/>
  <xccdf:version time="2026-11-27T00:00:00">1</xccdf:version>
  <xccdf:Profile id="xccdf_x_profile_all" extends="xccdf_x_profile_standard">
    <xccdf:title>All rules</xccdf:title>
    <xccdf:select idref="xccdf_x_rule_a" selected="true"/>
    <xccdf:select idref="xccdf_x_rule_b" selected="false"/>
    <xccdf:refine-value idref="xccdf_x_value_v" selector="strict"/>
    <xccdf:set-value idref="xccdf_x_value_w">42</xccdf:set-value>
    <xccdf:refine-rule idref="xccdf_x_rule_a" severity="high" weight="5"/>
  </xccdf:Profile>
</xccdf:Tailoring>"#;

    #[test]
    fn reads_an_autotailor_style_file() {
        let t = parse_tailoring(TAILORING, "t.xml").unwrap();
        assert_eq!(t.benchmark_href.as_deref(), Some("ssg-debian11-ds.xml"));
        let p = &t.profiles[0];
        assert_eq!(p.extends.as_deref(), Some("xccdf_x_profile_standard"));
        assert_eq!(p.selects.iter().map(|s| s.selected).collect::<Vec<_>>(), [true, false]);
        assert_eq!(p.refine_values[0].selector.as_deref(), Some("strict"));
        assert_eq!(p.set_values[0].value, "42");
        assert_eq!(p.refine_rules[0].severity, Some(Severity::High));
        assert_eq!(p.refine_rules[0].weight, Some(5.0));
        assert_eq!(p.location.line, 5);
    }

    #[test]
    fn wrong_root_is_located() {
        let err = parse_tailoring("<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\"/>", "b.xml")
            .unwrap_err();
        assert!(err.to_string().starts_with("b.xml:1:1: expected `Tailoring`"), "{err}");
    }
}
