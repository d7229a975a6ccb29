//! CPE applicability: CPE 2.0 dictionaries (name → OVAL check) and CPE 2.3 applicability
//! language platform specifications (`cpe-lang:platform` with logical tests), as SCAP data
//! streams carry them. Evaluation itself (running the OVAL checks) is the scan's job; this
//! module parses and walks the logic.

use std::collections::HashMap;

use roxmltree::{Document, Node};

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

/// The check that decides whether a CPE name applies to the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CpeCheck {
    pub system: String,
    pub href: String,
    /// The OVAL definition id.
    pub name: String,
}

/// CPE name → its checks, from `cpe-list` documents.
#[derive(Debug, Default, Clone)]
pub struct CpeDictionary {
    pub items: HashMap<String, Vec<CpeCheck>>,
}

impl CpeDictionary {
    /// Add the items of one `cpe-list` document.
    pub fn add_document(&mut self, xml: &str, name: &str) -> Result<(), CpeError> {
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
            self.items.insert(cpe.to_string(), checks);
        }
        Ok(())
    }
}

/// A node of a platform's logical test.
#[derive(Debug, Clone, PartialEq)]
pub enum PlatformTest {
    /// `fact-ref name="cpe:/a:machine"`: true when that CPE name applies.
    Fact(String),
    /// `check-fact-ref system href id-ref`: a check named directly.
    CheckFact(CpeCheck),
    Logical {
        and: bool,
        negate: bool,
        children: Vec<PlatformTest>,
    },
}

/// Platform id (`machine`, referenced as `#machine`) → its test.
#[derive(Debug, Default, Clone)]
pub struct PlatformSpecification {
    pub platforms: HashMap<String, PlatformTest>,
}

impl PlatformSpecification {
    /// Parse a `platform-specification` element (given as standalone XML).
    pub fn parse(xml: &str, name: &str) -> Result<PlatformSpecification, CpeError> {
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

/// Three-valued result of an applicability test: a check that errs makes the outcome unknown,
/// which the scan treats like oscap does (the item is not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Yes,
    No,
    Unknown,
}

impl PlatformTest {
    /// Evaluate with `check` deciding each referenced check (OVAL definition).
    pub fn evaluate(
        &self,
        dictionary: &CpeDictionary,
        check: &mut impl FnMut(&CpeCheck) -> Applies,
    ) -> Applies {
        match self {
            PlatformTest::Fact(name) => cpe_name_applies(name, dictionary, check),
            PlatformTest::CheckFact(c) => check(c),
            PlatformTest::Logical { and, negate, children } => {
                let results: Vec<Applies> = children.iter().map(|c| c.evaluate(dictionary, check)).collect();
                let combined = if *and {
                    if results.contains(&Applies::No) {
                        Applies::No
                    } else if results.contains(&Applies::Unknown) {
                        Applies::Unknown
                    } else {
                        Applies::Yes
                    }
                } else if results.contains(&Applies::Yes) {
                    Applies::Yes
                } else if results.contains(&Applies::Unknown) {
                    Applies::Unknown
                } else {
                    Applies::No
                };
                match (negate, combined) {
                    (true, Applies::Yes) => Applies::No,
                    (true, Applies::No) => Applies::Yes,
                    (_, other) => other,
                }
            }
        }
    }
}

/// A CPE name applies when any of its dictionary checks says so; a name the dictionary does not
/// know cannot be shown to apply.
pub fn cpe_name_applies(
    name: &str,
    dictionary: &CpeDictionary,
    check: &mut impl FnMut(&CpeCheck) -> Applies,
) -> Applies {
    let Some(checks) = dictionary.items.get(name) else { return Applies::No };
    let mut result = Applies::No;
    for c in checks {
        match check(c) {
            Applies::Yes => return Applies::Yes,
            Applies::Unknown => result = Applies::Unknown,
            Applies::No => {}
        }
    }
    result
}

fn parse<'a>(xml: &'a str, name: &str) -> Result<Document<'a>, CpeError> {
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
        dict.add_document(DICT, "dict.xml").unwrap();
        let spec = PlatformSpecification::parse(SPEC, "spec.xml").unwrap();
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
            CpeDictionary::default().add_document("<cpe-list>\n<a></b></cpe-list>", "d.xml").unwrap_err();
        assert_eq!((err.name.as_str(), err.line), ("d.xml", 2));
    }
}
