//! Reading CPE content: `cpe-list` dictionaries and `platform-specification`s out of SCAP data
//! streams and benchmarks, and a CPE file given beside the content (`--cpe`), into
//! [`crate::model::cpe`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::model::cpe::{CpeCheck, CpeDictionary, PlatformSpecification, PlatformTest};
use crate::model::location::Location;

const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
const NS_CPE_10: &str = "http://cpe.mitre.org/XMLSchema/cpe/1.0";
const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";

#[derive(Debug, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct CpeError {
    pub name: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// A CPE file given beside the content cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CpeFileError {
    #[error("cannot read CPE file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Invalid(#[from] CpeError),
}

/// What a CPE file given beside the content holds.
#[derive(Debug)]
pub enum CpeFile {
    /// A CPE 2.x dictionary (`cpe-list`, IR 7697) or a CPE 1.0 list.
    Dictionary(CpeDictionary),
    /// A CPE applicability-language document (`platform-specification`, IR 7698).
    Language(PlatformSpecification),
}

/// Read a CPE dictionary or applicability-language file (oscap's `--cpe`, which tells the two
/// apart by the root element, as this does). Its checks' file hrefs are relative to it.
pub fn load_cpe_file(path: &Path) -> Result<CpeFile, CpeFileError> {
    let name = path.display().to_string();
    let text = super::input::read_to_string(path)
        .map_err(|source| CpeFileError::Read { path: name.clone(), source })?;
    let doc = parse(&text, &name)?;
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or_default();
    let base_dir = path.parent().map(Path::to_path_buf);
    let with_base = |c: &mut CpeCheck| c.base_dir = base_dir.clone();
    match (ns, root.tag_name().name()) {
        (NS_CPE_DICT | NS_CPE_10, "cpe-list") => {
            let mut dictionary = CpeDictionary::default();
            add_items(&mut dictionary, &doc, &name);
            dictionary.items.values_mut().flatten().for_each(with_base);
            Ok(CpeFile::Dictionary(dictionary))
        }
        (NS_CPE_LANG, "platform-specification") => {
            let mut specification = platforms(&doc);
            for test in specification.platforms.values_mut() {
                test.checks_mut(&mut |c| with_base(c));
            }
            Ok(CpeFile::Language(specification))
        }
        (ns, local) => {
            let p = doc.text_pos_at(root.range().start);
            Err(CpeError {
                name,
                line: p.row,
                column: p.col,
                message: format!(
                    "expected a CPE dictionary (`cpe-list` in `{NS_CPE_DICT}` or `{NS_CPE_10}`) or a CPE \
                     applicability-language document (`platform-specification` in `{NS_CPE_LANG}`), \
                     found `{local}` in `{ns}`"
                ),
            }
            .into())
        }
    }
}

/// Add the items of one `cpe-list` document to `dictionary`; `name` locates them.
pub fn add_dictionary_document(
    dictionary: &mut CpeDictionary,
    xml: &str,
    name: &str,
) -> Result<(), CpeError> {
    let doc = parse(xml, name)?;
    add_items(dictionary, &doc, name);
    Ok(())
}

fn add_items(dictionary: &mut CpeDictionary, doc: &Document<'_>, name: &str) {
    let file: Arc<str> = Arc::from(name);
    let is_list_element = |n: &Node<'_, '_>, local: &str| {
        n.tag_name().name() == local && matches!(n.tag_name().namespace(), Some(NS_CPE_DICT | NS_CPE_10))
    };
    for item in doc.descendants().filter(|n| is_list_element(n, "cpe-item")) {
        let Some(cpe) = item.attribute("name") else { continue };
        let checks = item
            .children()
            .filter(|n| is_list_element(n, "check"))
            .map(|c| CpeCheck {
                system: c.attribute("system").unwrap_or_default().to_string(),
                href: c.attribute("href").unwrap_or_default().to_string(),
                name: c.text().unwrap_or_default().trim().to_string(),
                base_dir: None,
            })
            .collect();
        let p = doc.text_pos_at(item.range().start);
        dictionary.add(cpe, checks, Some(Location::new(file.clone(), p.row, p.col)));
    }
}

/// Parse a `platform-specification` element (given as standalone XML).
pub fn parse_platform_specification(xml: &str, name: &str) -> Result<PlatformSpecification, CpeError> {
    let doc = parse(xml, name)?;
    Ok(platforms(&doc))
}

fn platforms(doc: &Document<'_>) -> PlatformSpecification {
    let mut platforms = HashMap::new();
    for platform in doc.descendants().filter(|n| n.has_tag_name((NS_CPE_LANG, "platform"))) {
        let Some(id) = platform.attribute("id") else { continue };
        if let Some(test) = platform.children().find(|n| n.has_tag_name((NS_CPE_LANG, "logical-test"))) {
            platforms.insert(id.to_string(), logical_test(test));
        }
    }
    PlatformSpecification { platforms }
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
                base_dir: None,
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
    use crate::model::cpe::{Applies, Facts, KnownNames};
    use crate::model::cpe_name::Wfn;

    const DICT: &str = r#"<cpe-list xmlns="http://cpe.mitre.org/dictionary/2.0">
      <cpe-item name="cpe:/a:machine"><check system="oval" href="cpe-oval.xml">oval:x:def:1</check></cpe-item>
      <cpe-item name="cpe:/a:container:2"><check system="oval" href="cpe-oval.xml">oval:x:def:2</check></cpe-item>
    </cpe-list>"#;

    const SPEC: &str = r#"<platform-specification xmlns="http://cpe.mitre.org/language/2.0">
      <platform id="machine"><logical-test operator="AND" negate="false">
        <fact-ref name="cpe:/a:machine"/></logical-test></platform>
      <platform id="not-container"><logical-test operator="OR" negate="true">
        <fact-ref name="cpe:/a:container"/><fact-ref name="cpe:/a:unknown"/></logical-test></platform>
      <platform id="checked"><logical-test operator="AND" negate="false">
        <check-fact-ref system="oval" href="c.xml" id-ref="oval:x:def:1"/></logical-test></platform>
    </platform-specification>"#;

    /// Checks answered by definition id; names matched against one dictionary.
    struct Answers(KnownNames);

    impl Facts for Answers {
        fn name(&mut self, name: &str) -> Applies {
            let wfn = Wfn::parse(name).unwrap();
            self.0.applies(&wfn, &mut |c| answer(&c.name))
        }
        fn check(&mut self, check: &CpeCheck) -> Applies {
            answer(&check.name)
        }
    }

    fn answer(def: &str) -> Applies {
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
        let (names, malformed) = KnownNames::new(&dict);
        assert!(malformed.is_empty());
        let mut facts = Answers(names);
        assert_eq!(spec.platforms["machine"].evaluate(&mut facts), Applies::Yes);
        // cpe:/a:container matches cpe:/a:container:2 (No) and an unknown name is No: OR is No,
        // negated Yes.
        assert_eq!(spec.platforms["not-container"].evaluate(&mut facts), Applies::Yes);
        assert_eq!(facts.name("cpe:/a:nothing"), Applies::No);
        assert_eq!(dict.locations["cpe:/a:container:2"].to_string(), "dict.xml:3:7");
    }

    #[test]
    fn unknown_check_propagates() {
        let test = PlatformTest::Logical {
            and: true,
            negate: true,
            children: vec![PlatformTest::CheckFact(CpeCheck {
                system: "oval".into(),
                href: "x".into(),
                name: "oval:x:def:9".into(),
                base_dir: None,
            })],
        };
        assert_eq!(test.evaluate(&mut Answers(KnownNames::default())), Applies::Unknown);
    }

    #[test]
    fn malformed_dictionary_is_located() {
        let err =
            add_dictionary_document(&mut CpeDictionary::default(), "<cpe-list>\n<a></b></cpe-list>", "d.xml")
                .unwrap_err();
        assert_eq!((err.name.as_str(), err.line), ("d.xml", 2));
    }

    #[test]
    fn a_cpe_file_is_a_dictionary_or_a_language_document_whose_checks_are_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let dict_path = dir.path().join("dict.xml");
        std::fs::write(&dict_path, DICT).unwrap();
        let CpeFile::Dictionary(dict) = load_cpe_file(&dict_path).unwrap() else { panic!("a dictionary") };
        let check = &dict.items["cpe:/a:machine"][0];
        assert_eq!(check.base_dir.as_deref(), Some(dir.path()));

        // A CPE 1.0 list (what XCCDF 1.1 embeds) is a dictionary too.
        let cpe10 = dir.path().join("cpe10.xml");
        std::fs::write(&cpe10, DICT.replace(NS_CPE_DICT, NS_CPE_10)).unwrap();
        let CpeFile::Dictionary(dict) = load_cpe_file(&cpe10).unwrap() else { panic!("a dictionary") };
        assert_eq!(dict.items.len(), 2);

        let spec_path = dir.path().join("spec.xml");
        std::fs::write(&spec_path, SPEC).unwrap();
        let CpeFile::Language(spec) = load_cpe_file(&spec_path).unwrap() else { panic!("a language file") };
        let PlatformTest::Logical { children, .. } = &spec.platforms["checked"] else { panic!() };
        let PlatformTest::CheckFact(check) = &children[0] else { panic!() };
        assert_eq!(check.base_dir.as_deref(), Some(dir.path()));
    }

    #[test]
    fn a_cpe_file_of_another_kind_or_not_well_formed_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.xml");
        std::fs::write(&other, "<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"x\"/>").unwrap();
        let err = load_cpe_file(&other).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:2:1: expected a CPE dictionary", other.display())), "{err}");
        assert!(err.contains("found `Benchmark` in `x`"), "{err}");

        let broken = dir.path().join("broken.xml");
        std::fs::write(&broken, "<cpe-list xmlns=\"http://cpe.mitre.org/dictionary/2.0\">\n<cpe-item name=\"cpe:/o:a\"></cpe-list>").unwrap();
        let err = load_cpe_file(&broken).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:2:", broken.display())), "{err}");

        let missing = dir.path().join("missing.xml");
        let err = load_cpe_file(&missing).unwrap_err().to_string();
        assert!(err.contains("cannot read CPE file") && err.contains("missing.xml"), "{err}");
    }
}
