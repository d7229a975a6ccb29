//! CPE applicability as content: CPE dictionaries (name → the checks that decide it; CPE 2.x
//! `cpe-list`s and the CPE 1.0 lists XCCDF 1.1 benchmarks embed) and CPE 2.3 applicability-language
//! platforms (logical tests over names and checks), with the
//! three-valued logic that combines them. Names are matched as CPE 2.3 says ([`super::cpe_name`]).
//! Running the checks is the scan's job.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use super::cpe_name::{CpeNameError, Wfn};
use super::location::Location;

/// The check that decides whether a CPE name applies to the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CpeCheck {
    pub system: String,
    pub href: String,
    /// The OVAL definition id.
    pub name: String,
    /// The directory a file href is relative to when the check comes from a CPE file given beside
    /// the content (`--cpe`, as oscap reads it); `None`: the content's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_dir: Option<PathBuf>,
}

/// CPE name (as written) → its checks, from `cpe-list` documents.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct CpeDictionary {
    pub items: HashMap<String, Vec<CpeCheck>>,
    /// Where each name was first read, for the warning a malformed one gets.
    #[serde(skip)]
    pub locations: HashMap<String, Location>,
}

impl CpeDictionary {
    /// Add an item; a name already known gains the checks.
    pub fn add(&mut self, name: &str, checks: Vec<CpeCheck>, location: Option<Location>) {
        self.items.entry(name.to_string()).or_default().extend(checks);
        if let Some(location) = location {
            self.locations.entry(name.to_string()).or_insert(location);
        }
    }

    /// Add every item of `other`.
    pub fn extend(&mut self, other: CpeDictionary) {
        for (name, checks) in other.items {
            let location = other.locations.get(&name).cloned();
            self.add(&name, checks, location);
        }
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

/// Three-valued result of an applicability test: a check that errs makes the outcome unknown,
/// which the scan reports as an error with why (NIST IR 7698) unless another platform applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Yes,
    No,
    Unknown,
}

/// What a platform test asks of the scan: whether a CPE name applies (a fact-ref) and what a check
/// says (a check-fact-ref, or a dictionary entry's check).
pub trait Facts {
    fn name(&mut self, name: &str) -> Applies;
    fn check(&mut self, check: &CpeCheck) -> Applies;
}

impl PlatformTest {
    /// Visit every check the test names directly (its check-fact-refs).
    pub fn checks_mut(&mut self, visit: &mut impl FnMut(&mut CpeCheck)) {
        match self {
            PlatformTest::Fact(_) => {}
            PlatformTest::CheckFact(c) => visit(c),
            PlatformTest::Logical { children, .. } => children.iter_mut().for_each(|c| c.checks_mut(visit)),
        }
    }

    pub fn evaluate(&self, facts: &mut impl Facts) -> Applies {
        match self {
            PlatformTest::Fact(name) => facts.name(name),
            PlatformTest::CheckFact(c) => facts.check(c),
            PlatformTest::Logical { and, negate, children } => {
                let results: Vec<Applies> = children.iter().map(|c| c.evaluate(facts)).collect();
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

/// A dictionary name that is not a CPE name: it matches nothing, and the scan warns of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedName {
    pub name: String,
    pub location: Option<Location>,
    pub error: CpeNameError,
}

/// The dictionaries' names unbound to WFNs once, each with its checks, in name order.
#[derive(Debug, Default)]
pub struct KnownNames {
    entries: Vec<(Wfn, Vec<CpeCheck>)>,
}

impl KnownNames {
    pub fn new(dictionary: &CpeDictionary) -> (KnownNames, Vec<MalformedName>) {
        let mut names: Vec<&String> = dictionary.items.keys().collect();
        names.sort();
        let mut entries = Vec::with_capacity(names.len());
        let mut malformed = Vec::new();
        for name in names {
            match Wfn::parse(name) {
                Ok(wfn) => entries.push((wfn, dictionary.items[name].clone())),
                Err(error) => malformed.push(MalformedName {
                    name: name.clone(),
                    location: dictionary.locations.get(name).cloned(),
                    error,
                }),
            }
        }
        (KnownNames { entries }, malformed)
    }

    /// A CPE name applies when a check of an entry it matches says so. It matches the entries it
    /// is a superset of or equal to (IR 7698's fact-ref over the known names, IR 7696's
    /// CPE_SUPERSET and CPE_EQUAL): `cpe:/o:redhat:enterprise_linux` matches
    /// `cpe:/o:redhat:enterprise_linux:8`, not the other way round. A name no entry matches cannot
    /// be shown to apply.
    pub fn applies(&self, name: &Wfn, check: &mut impl FnMut(&CpeCheck) -> Applies) -> Applies {
        let mut result = Applies::No;
        for (_, checks) in self.entries.iter().filter(|(entry, _)| name.is_superset_of(entry)) {
            for c in checks {
                match check(c) {
                    Applies::Yes => return Applies::Yes,
                    Applies::Unknown => result = Applies::Unknown,
                    Applies::No => {}
                }
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(definition: &str) -> CpeCheck {
        CpeCheck { system: "oval".into(), href: "c.xml".into(), name: definition.into(), base_dir: None }
    }

    fn answer(c: &CpeCheck) -> Applies {
        match c.name.as_str() {
            "yes" => Applies::Yes,
            "no" => Applies::No,
            _ => Applies::Unknown,
        }
    }

    #[test]
    fn a_name_applies_when_a_check_of_an_entry_it_matches_says_so() {
        let mut dictionary = CpeDictionary::default();
        dictionary.add("cpe:/o:redhat:enterprise_linux:8", vec![check("no")], None);
        dictionary.add("cpe:/o:redhat:enterprise_linux:9", vec![check("yes")], None);
        dictionary.add("cpe:/o:fedoraproject:fedora:40", vec![check("cannot")], None);
        let (known, malformed) = KnownNames::new(&dictionary);
        assert!(malformed.is_empty());
        let applies = |name: &str| known.applies(&Wfn::parse(name).unwrap(), &mut answer);
        // IR 7698 fact-ref over IR 7696 CPE_SUPERSET: any version of RHEL, one of which is here.
        assert_eq!(applies("cpe:/o:redhat:enterprise_linux"), Applies::Yes);
        assert_eq!(applies("cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*"), Applies::No);
        assert_eq!(applies("cpe:/o:redhat:enterprise_linux:7"), Applies::No, "no entry matches");
        // Only an entry whose check cannot run matches: unknown, not no.
        assert_eq!(applies("cpe:/o:fedoraproject"), Applies::Unknown);
        // Every part and vendor: RHEL 9 says yes whatever Fedora's check does.
        assert_eq!(applies("cpe:/"), Applies::Yes);
    }

    #[test]
    fn dictionary_names_that_are_not_cpe_names_match_nothing_and_are_reported_where_read() {
        let mut dictionary = CpeDictionary::default();
        let at = Location::new("d.xml".into(), 4, 3);
        dictionary.add("cpe:/q:bad", vec![check("yes")], Some(at.clone()));
        dictionary.add("cpe:/o:good", vec![check("yes")], None);
        let (known, malformed) = KnownNames::new(&dictionary);
        assert_eq!(malformed.len(), 1);
        assert_eq!((malformed[0].name.as_str(), malformed[0].location.as_ref()), ("cpe:/q:bad", Some(&at)));
        assert_eq!(known.applies(&Wfn::parse("cpe:/").unwrap(), &mut answer), Applies::Yes);
        assert_eq!(known.entries.len(), 1);
    }
}
