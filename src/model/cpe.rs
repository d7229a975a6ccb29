//! CPE applicability as content: CPE dictionaries (name → the checks that decide it; CPE 2.x
//! `cpe-list`s and the CPE 1.0 lists XCCDF 1.1 benchmarks embed) and CPE 2.3 applicability-language
//! platforms (logical tests over names and checks), with the
//! three-valued logic that combines them. Running the checks is the scan's job.

use std::collections::HashMap;

use serde::Serialize;

/// The check that decides whether a CPE name applies to the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CpeCheck {
    pub system: String,
    pub href: String,
    /// The OVAL definition id.
    pub name: String,
}

/// CPE name → its checks, from `cpe-list` documents.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct CpeDictionary {
    pub items: HashMap<String, Vec<CpeCheck>>,
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
