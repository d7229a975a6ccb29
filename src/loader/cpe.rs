//! Reading CPE content out of SCAP data streams: `cpe-list` dictionaries and
//! `platform-specification`s, into [`crate::model::cpe`].

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::model::cpe::{CpeCheck, CpeDictionary, PlatformSpecification, PlatformTest};

const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";

#[derive(Debug, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct CpeError {
    pub name: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Add the items of one `cpe-list` document to `dictionary`.
pub fn add_dictionary_document(
    dictionary: &mut CpeDictionary,
    xml: &str,
    name: &str,
) -> Result<(), CpeError> {
    let doc = parse(xml, name)?;
    for item in doc.descendants().filter(|n| n.has_tag_name((NS_CPE_DICT, "cpe-item"))) {
        let Some(cpe) = item.attribute("name") else { continue };
        let checks = item
            .children()
            .filter(|n| n.has_tag_name((NS_CPE_DICT, "check")))
            .map(|c| CpeCheck {
                system: c.attribute("system").unwrap_or_default().to_string(),
                href: c.attribute("href").unwrap_or_default().to_string(),
                name: c.text().unwrap_or_default().trim().to_string(),
            })
            .collect();
        dictionary.items.insert(cpe.to_string(), checks);
    }
    Ok(())
}

/// Parse a `platform-specification` element (given as standalone XML).
pub fn parse_platform_specification(xml: &str, name: &str) -> Result<PlatformSpecification, CpeError> {
    let doc = parse(xml, name)?;
    let mut platforms = HashMap::new();
    for platform in doc.descendants().filter(|n| n.has_tag_name((NS_CPE_LANG, "platform"))) {
        let Some(id) = platform.attribute("id") else { continue };
        if let Some(test) = platform.children().find(|n| n.has_tag_name((NS_CPE_LANG, "logical-test"))) {
            platforms.insert(id.to_string(), logical_test(test));
        }
    }
    Ok(PlatformSpecification { platforms })
}

fn logical_test(node: Node<'_, '_>) -> PlatformTest {
    let and = !node.attribute("operator").is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    let negate = node.attribute("negate").is_some_and(|n| n == "true" || n == "1");
    let children = node
        .children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(NS_CPE_LANG))
        .filter_map(|n| match n.tag_name().name() {
            "logical-test" => Some(logical_test(n)),
            "fact-ref" => n.attribute("name").map(|s| PlatformTest::Fact(s.to_string())),
            "check-fact-ref" => Some(PlatformTest::CheckFact(CpeCheck {
                system: n.attribute("system").unwrap_or_default().to_string(),
                href: n.attribute("href").unwrap_or_default().to_string(),
                name: n.attribute("id-ref").unwrap_or_default().to_string(),
            })),
            _ => None,
        })
        .collect();
    PlatformTest::Logical { and, negate, children }
}

fn parse<'a>(xml: &'a str, name: &str) -> Result<Document<'a>, CpeError> {
    if let Err((line, column, message)) = super::xml::check_attribute_syntax(xml) {
        return Err(CpeError { name: name.to_string(), line, column, message });
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    Document::parse_with_options(xml, options).map_err(|e| CpeError {
        name: name.to_string(),
        line: e.pos().row,
        column: e.pos().col,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cpe::{Applies, cpe_name_applies};

    const DICT: &str = r#"<cpe-list xmlns="http://cpe.mitre.org/dictionary/2.0">
      <cpe-item name="cpe:/a:machine"><check system="oval" href="cpe-oval.xml">oval:x:def:1</check></cpe-item>
      <cpe-item name="cpe:/a:container"><check system="oval" href="cpe-oval.xml">oval:x:def:2</check></cpe-item>
    </cpe-list>"#;

    const SPEC: &str = r#"<platform-specification xmlns="http://cpe.mitre.org/language/2.0">
      <platform id="machine"><logical-test operator="AND" negate="false">
        <fact-ref name="cpe:/a:machine"/></logical-test></platform>
      <platform id="not-container"><logical-test operator="OR" negate="true">
        <fact-ref name="cpe:/a:container"/><fact-ref name="cpe:/a:unknown"/></logical-test></platform>
    </platform-specification>"#;

    fn answers(def: &str) -> Applies {
        match def {
            "oval:x:def:1" => Applies::Yes,
            "oval:x:def:2" => Applies::No,
            _ => Applies::Unknown,
        }
    }

    #[test]
    fn platforms_evaluate_through_the_dictionary() {
        let mut dict = CpeDictionary::default();
        add_dictionary_document(&mut dict, DICT, "dict.xml").unwrap();
        let spec = parse_platform_specification(SPEC, "spec.xml").unwrap();
        let mut check = |c: &CpeCheck| answers(&c.name);
        assert_eq!(spec.platforms["machine"].evaluate(&dict, &mut check), Applies::Yes);
        // container is No and an unknown name is No, so OR is No, negated Yes.
        assert_eq!(spec.platforms["not-container"].evaluate(&dict, &mut check), Applies::Yes);
        assert_eq!(cpe_name_applies("cpe:/a:nothing", &dict, &mut check), Applies::No);
    }

    #[test]
    fn unknown_check_propagates() {
        let dict = CpeDictionary::default();
        let test = PlatformTest::Logical {
            and: true,
            negate: true,
            children: vec![PlatformTest::CheckFact(CpeCheck {
                system: "oval".into(),
                href: "x".into(),
                name: "oval:x:def:9".into(),
            })],
        };
        assert_eq!(test.evaluate(&dict, &mut |c| answers(&c.name)), Applies::Unknown);
    }

    #[test]
    fn malformed_dictionary_is_located() {
        let err =
            add_dictionary_document(&mut CpeDictionary::default(), "<cpe-list>\n<a></b></cpe-list>", "d.xml")
                .unwrap_err();
        assert_eq!((err.name.as_str(), err.line), ("d.xml", 2));
    }
}
