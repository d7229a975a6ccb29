//! Entity comparison: OVAL operations × datatypes, with OpenSCAP's parsing rules where the
//! specification leaves room (integers as `strtoimax` base 10, versions field by field).

use std::cmp::Ordering;

use crate::model::oval::{Check, Datatype, Operation};
use crate::semantics::OvalResult;
use crate::semantics::ResolvedEntity;
use crate::semantics::oval_result::combine_check;

use super::EvalError;
use super::evr::{compare_debian_evr, compare_rpm_evr};
use super::ipaddr::IpNet;
use super::regex::OvalRegex;

/// Compare one system value (`actual`) against one expected value (from a state, object or
/// variable) as `datatype` with `operation`.
pub fn compare(
    datatype: Datatype,
    operation: Operation,
    expected: &str,
    actual: &str,
) -> Result<bool, EvalError> {
    match datatype {
        Datatype::String => compare_string(operation, expected, actual),
        Datatype::Int => {
            let (e, a) = (parse_int(expected)?, parse_int(actual)?);
            match operation {
                Operation::BitwiseAnd => Ok(a & e == e),
                Operation::BitwiseOr => Ok(a | e == e),
                op => ordered(op, a.cmp(&e), datatype),
            }
        }
        Datatype::Float => {
            let (e, a) = (parse_float(expected)?, parse_float(actual)?);
            ordered(operation, float_order(a, e), datatype)
        }
        Datatype::Boolean => {
            let (e, a) = (parse_bool(expected)?, parse_bool(actual)?);
            equality(operation, a == e, datatype)
        }
        Datatype::Binary => {
            let (e, a) = (parse_binary(expected)?, parse_binary(actual)?);
            equality(operation, a.eq_ignore_ascii_case(e), datatype)
        }
        Datatype::Version => ordered(operation, compare_version(actual, expected), datatype),
        Datatype::EvrString => ordered(operation, compare_rpm_evr(actual, expected), datatype),
        Datatype::DebianEvrString => {
            for v in [expected, actual] {
                compare_debian_evr(v, v).map_err(|_| bad_value(v, datatype))?;
            }
            let order = compare_debian_evr(actual, expected).map_err(|_| bad_value(actual, datatype))?;
            ordered(operation, order, datatype)
        }
        Datatype::Ipv4Address | Datatype::Ipv6Address => {
            let parse = |v: &str| {
                if datatype == Datatype::Ipv4Address { IpNet::parse_v4(v) } else { IpNet::parse_v6(v) }
                    .ok_or_else(|| bad_value(v, datatype))
            };
            let (e, a) = (parse(expected)?, parse(actual)?);
            match operation {
                Operation::Equals => Ok(a.same(&e)),
                Operation::NotEqual => Ok(!a.same(&e)),
                Operation::SubsetOf => Ok(a.is_subset_of(&e)),
                Operation::SupersetOf => Ok(e.is_subset_of(&a)),
                op => match a.order(&e) {
                    Some(order) => ordered(op, order, datatype),
                    None => Err(EvalError::BadValue {
                        value: format!("{actual} vs {expected} (different prefixes)"),
                        datatype: datatype_name(datatype).into(),
                    }),
                },
            }
        }
        // OpenSCAP does not evaluate these either (result `not evaluated`).
        Datatype::Fileset | Datatype::IosVersion => {
            Err(EvalError::UnsupportedDatatype { datatype: datatype_name(datatype).into() })
        }
        Datatype::Record => Err(bad_operation(operation, datatype)),
    }
}

/// String operations (also the fallback of every untyped entity).
pub fn compare_string(operation: Operation, expected: &str, actual: &str) -> Result<bool, EvalError> {
    Ok(match operation {
        Operation::Equals => actual == expected,
        Operation::NotEqual => actual != expected,
        Operation::CaseInsensitiveEquals => actual.to_lowercase() == expected.to_lowercase(),
        Operation::CaseInsensitiveNotEqual => actual.to_lowercase() != expected.to_lowercase(),
        Operation::PatternMatch => OvalRegex::new(expected)?.is_match(actual)?,
        other => return Err(bad_operation(other, Datatype::String)),
    })
}

/// Does a candidate value match a resolved object entity (all its values, combined by var_check)?
pub fn entity_matches(entity: &ResolvedEntity, candidate: &str) -> Result<bool, EvalError> {
    let mut results = Vec::with_capacity(entity.values.len());
    let mut first_error = None;
    for v in &entity.values {
        match compare(entity.datatype, entity.operation, v, candidate) {
            Ok(true) => results.push(OvalResult::True),
            Ok(false) => results.push(OvalResult::False),
            Err(e) => {
                results.push(OvalResult::Error);
                first_error.get_or_insert(e);
            }
        }
    }
    let check = if entity.from_variable { entity.var_check } else { Check::All };
    match combine_check(check, &results) {
        OvalResult::True => Ok(true),
        OvalResult::Error => Err(first_error.unwrap_or_else(|| bad_value(candidate, entity.datatype))),
        _ => Ok(false),
    }
}

/// For an `equals` entity: the only values a match can equal, honouring `var_check` over the
/// variable's values (`all` of two different paths matches nothing, as OpenSCAP finds);
/// `None` when no such list exists (`none satisfy`, or `only one` over repeated values) and
/// candidates must be tried one by one with [`entity_matches`].
pub fn exact_candidates(entity: &ResolvedEntity) -> Option<&[String]> {
    let values = entity.values.as_slice();
    if !entity.from_variable || values.len() <= 1 {
        return Some(values);
    }
    match entity.var_check {
        Check::AtLeastOne => Some(values),
        Check::All if values.iter().all(|v| *v == values[0]) => Some(&values[..1]),
        Check::All => Some(&[]),
        Check::OnlyOne if values.iter().enumerate().all(|(i, v)| !values[..i].contains(v)) => Some(values),
        Check::OnlyOne | Check::NoneSatisfy | Check::NoneExist => None,
    }
}

/// The operations defined on totally ordered datatypes.
fn ordered(
    operation: Operation,
    actual_vs_expected: Ordering,
    datatype: Datatype,
) -> Result<bool, EvalError> {
    use Ordering::{Equal, Greater, Less};
    Ok(match operation {
        Operation::Equals => actual_vs_expected == Equal,
        Operation::NotEqual => actual_vs_expected != Equal,
        Operation::GreaterThan => actual_vs_expected == Greater,
        Operation::GreaterThanOrEqual => actual_vs_expected != Less,
        Operation::LessThan => actual_vs_expected == Less,
        Operation::LessThanOrEqual => actual_vs_expected != Greater,
        other => return Err(bad_operation(other, datatype)),
    })
}

fn equality(operation: Operation, equal: bool, datatype: Datatype) -> Result<bool, EvalError> {
    match operation {
        Operation::Equals => Ok(equal),
        Operation::NotEqual => Ok(!equal),
        other => Err(bad_operation(other, datatype)),
    }
}

/// Decimal with an optional sign, 64 bits, the whole string (leading blanks allowed, as strtoimax).
pub fn parse_int(text: &str) -> Result<i64, EvalError> {
    text.trim_start().parse::<i64>().map_err(|_| bad_value(text, Datatype::Int))
}

pub fn parse_float(text: &str) -> Result<f64, EvalError> {
    text.trim_start().parse::<f64>().map_err(|_| bad_value(text, Datatype::Float))
}

/// Exactly `true` or `1` is true and anything else false: OpenSCAP 1.3.7 reads booleans so
/// (`TRUE` is false there), and the differential cases hold stigrun to it.
fn parse_bool(text: &str) -> Result<bool, EvalError> {
    Ok(matches!(text, "true" | "1"))
}

fn parse_binary(text: &str) -> Result<&str, EvalError> {
    let t = text.trim();
    if t.len().is_multiple_of(2) && t.bytes().all(|c| c.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err(bad_value(text, Datatype::Binary))
    }
}

/// Floats equal within a relative error of 1e-9, as OpenSCAP compares them.
fn float_order(a: f64, b: f64) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let larger = if a.abs() > b.abs() { a } else { b };
    if ((a - b) / larger).abs() <= 1e-9 {
        return Ordering::Equal;
    }
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// `version`, walked the way OpenSCAP walks it: at each step both strings contribute the
/// number at their cursor (C `atoi`: 0 when there are no digits, missing fields count as 0),
/// then each cursor moves past one character, the rest of a digit run, and one separator.
pub fn compare_version(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = atoi(&a[i..]).cmp(&atoi(&b[j..]));
        if order != Ordering::Equal {
            return order;
        }
        i = next_version_field(a, i);
        j = next_version_field(b, j);
    }
    Ordering::Equal
}

fn next_version_field(s: &[u8], mut at: usize) -> usize {
    if at < s.len() {
        at += 1;
    }
    while at < s.len() && s[at].is_ascii_digit() {
        at += 1;
    }
    if at < s.len() {
        at += 1;
    }
    at
}

/// C `atoi` without overflow: optional blanks and sign, then digits; anything else ends it.
fn atoi(s: &[u8]) -> i128 {
    let mut k = 0;
    while k < s.len() && s[k].is_ascii_whitespace() {
        k += 1;
    }
    let negative = s.get(k) == Some(&b'-');
    if matches!(s.get(k), Some(b'-' | b'+')) {
        k += 1;
    }
    let mut n: i128 = 0;
    while k < s.len() && s[k].is_ascii_digit() {
        n = n.saturating_mul(10).saturating_add((s[k] - b'0') as i128);
        k += 1;
    }
    if negative { -n } else { n }
}

/// The schema spelling of a datatype (one table, shared with the loader and the writers).
pub fn datatype_name(datatype: Datatype) -> &'static str {
    crate::model::spelling::datatype::name(datatype)
}

/// The schema spelling of an operation.
pub fn operation_name(operation: Operation) -> &'static str {
    crate::model::spelling::operation::name(operation)
}

fn bad_value(value: &str, datatype: Datatype) -> EvalError {
    EvalError::BadValue { value: value.to_string(), datatype: datatype_name(datatype).into() }
}

fn bad_operation(operation: Operation, datatype: Datatype) -> EvalError {
    EvalError::BadOperation {
        operation: operation_name(operation).into(),
        datatype: datatype_name(datatype).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Datatype::*;
    use Operation::*;

    fn ok(dt: Datatype, op: Operation, expected: &str, actual: &str) -> bool {
        compare(dt, op, expected, actual).unwrap_or_else(|e| panic!("{dt:?} {op:?} {expected} {actual}: {e}"))
    }

    fn is_bad_operation(dt: Datatype, op: Operation) -> bool {
        let sample = match dt {
            Binary => "0a",
            Ipv4Address => "10.0.0.1",
            Ipv6Address => "::1",
            _ => "1",
        };
        matches!(compare(dt, op, sample, sample), Err(EvalError::BadOperation { .. }))
    }

    #[test]
    fn string_operations() {
        assert!(ok(String, Equals, "abc", "abc"));
        assert!(!ok(String, Equals, "abc", "ABC"));
        assert!(ok(String, NotEqual, "abc", "abd"));
        assert!(ok(String, CaseInsensitiveEquals, "abc", "ABC"));
        assert!(!ok(String, CaseInsensitiveNotEqual, "abc", "ABC"));
        assert!(ok(String, CaseInsensitiveNotEqual, "abc", "ABD"));
        assert!(ok(String, PatternMatch, "b+c", "abbbcd"), "unanchored search");
        assert!(!ok(String, PatternMatch, "^b", "abc"));
        assert!(matches!(compare(String, PatternMatch, "(", "x"), Err(EvalError::BadRegex { .. })));
        for op in
            [GreaterThan, LessThan, GreaterThanOrEqual, LessThanOrEqual, BitwiseAnd, BitwiseOr, SubsetOf]
        {
            assert!(is_bad_operation(String, op), "{op:?}");
        }
    }

    #[test]
    fn int_operations() {
        assert!(ok(Int, Equals, "10", "+10"));
        assert!(ok(Int, Equals, "-3", "-3"));
        assert!(ok(Int, NotEqual, "10", "11"));
        assert!(ok(Int, GreaterThan, "10", "11"));
        assert!(!ok(Int, GreaterThan, "10", "10"));
        assert!(ok(Int, GreaterThanOrEqual, "10", "10"));
        assert!(ok(Int, LessThan, "10", "9"));
        assert!(ok(Int, LessThan, "-1", "-2"));
        assert!(ok(Int, LessThanOrEqual, "10", "10"));
        assert!(ok(Int, BitwiseAnd, "6", "7"));
        assert!(!ok(Int, BitwiseAnd, "6", "5"));
        assert!(ok(Int, BitwiseOr, "7", "5"));
        assert!(!ok(Int, BitwiseOr, "5", "7"));
        assert!(matches!(compare(Int, Equals, "10", "ten"), Err(EvalError::BadValue { .. })));
        assert!(matches!(compare(Int, Equals, "10", "10abc"), Err(EvalError::BadValue { .. })));
        assert!(matches!(compare(Int, Equals, "", "1"), Err(EvalError::BadValue { .. })));
        assert!(matches!(compare(Int, Equals, "1", "99999999999999999999"), Err(EvalError::BadValue { .. })));
        for op in [PatternMatch, CaseInsensitiveEquals, SubsetOf] {
            assert!(is_bad_operation(Int, op), "{op:?}");
        }
    }

    #[test]
    fn float_operations() {
        assert!(ok(Float, Equals, "1.5", "1.50"));
        assert!(ok(Float, Equals, "1.0", "1.0000000000001"), "relative tolerance");
        assert!(ok(Float, GreaterThan, "1.5", "1.6"));
        assert!(ok(Float, LessThan, "1.5", "-1e3"));
        assert!(ok(Float, NotEqual, "1.5", "2"));
        assert!(ok(Float, GreaterThanOrEqual, "2", "2.0"));
        assert!(ok(Float, LessThanOrEqual, "2", "1.9"));
        assert!(compare(Float, Equals, "1.5", "x").is_err());
        assert!(is_bad_operation(Float, BitwiseAnd));
    }

    #[test]
    fn boolean_operations() {
        assert!(ok(Boolean, Equals, "true", "1"));
        assert!(ok(Boolean, Equals, "false", "0"));
        assert!(ok(Boolean, NotEqual, "true", "false"));
        assert!(!ok(Boolean, Equals, "1", "0"));
        assert!(!ok(Boolean, Equals, "true", "TRUE"), "case-sensitive, as oscap");
        assert!(ok(Boolean, Equals, "0", "TRUE"));
        assert!(is_bad_operation(Boolean, GreaterThan));
    }

    #[test]
    fn binary_operations() {
        assert!(ok(Binary, Equals, "0aFF", "0AFF"));
        assert!(ok(Binary, NotEqual, "00", "01"));
        assert!(compare(Binary, Equals, "0g", "00").is_err());
        assert!(compare(Binary, Equals, "000", "000").is_err(), "odd digit count");
        assert!(is_bad_operation(Binary, LessThan));
    }

    #[test]
    fn version_operations() {
        assert!(ok(Version, GreaterThan, "1.9", "1.10"));
        assert!(ok(Version, Equals, "1.0", "1"));
        assert!(ok(Version, Equals, "1.2.0", "1-2-0"));
        assert!(ok(Version, LessThan, "2.0", "1.99.99"));
        assert!(ok(Version, GreaterThanOrEqual, "4.18", "5.4"));
        assert!(ok(Version, LessThanOrEqual, "4.18", "4.18"));
        assert!(ok(Version, NotEqual, "4.18", "4.18.1"));
        // Checked against `oscap oval eval` 1.3.7: a letter suffix is ignored, an empty field
        // swallows the next one, an epoch-like colon is just a separator.
        assert!(ok(Version, Equals, "1.2", "1.2a"));
        assert!(!ok(Version, Equals, "1.0.2", "1..2"));
        assert!(!ok(Version, LessThan, "1:0", "2"));
        assert!(is_bad_operation(Version, PatternMatch));
    }

    #[test]
    fn evr_operations() {
        assert!(ok(EvrString, GreaterThan, "2", "1:0"));
        assert!(ok(EvrString, LessThan, "0:1.10-1", "0:1.9-1"));
        assert!(ok(EvrString, Equals, "0:1.2-3", "0:1.2-3"));
        assert!(ok(EvrString, GreaterThanOrEqual, "0:1.2-3", "0:1.2-3"));
        assert!(ok(EvrString, LessThanOrEqual, "0:1.2-3", "0:1.2-2"));
        assert!(ok(EvrString, NotEqual, "0:1.2-3", "0:1.2-2"));
        assert!(is_bad_operation(EvrString, PatternMatch));
        assert!(ok(DebianEvrString, LessThan, "1.0", "1.0~rc1"));
        assert!(ok(DebianEvrString, GreaterThan, "2", "1:0"));
        assert!(ok(DebianEvrString, Equals, "1:2.3-1", "1:2.3-1"));
        assert!(compare(DebianEvrString, Equals, "1.0", "x:1").is_err());
        assert!(is_bad_operation(DebianEvrString, BitwiseOr));
    }

    #[test]
    fn ip_operations() {
        assert!(ok(Ipv4Address, Equals, "10.0.0.0/8", "10.0.0.0/255.0.0.0"));
        assert!(!ok(Ipv4Address, Equals, "10.0.0.0/8", "10.1.2.3/8"), "oscap compares host bits too");
        assert!(ok(Ipv4Address, GreaterThan, "10.0.0.0/8", "11.0.0.0/8"));
        assert!(!ok(Ipv4Address, GreaterThan, "10.0.0.0/8", "10.1.0.0/8"), "ordered as networks");
        assert!(!ok(Ipv4Address, Equals, "10.0.0.1", "10.0.0.1/8"));
        assert!(ok(Ipv4Address, NotEqual, "10.0.0.1", "10.0.0.2"));
        assert!(ok(Ipv4Address, GreaterThan, "10.0.0.1", "10.0.0.2"));
        assert!(ok(Ipv4Address, LessThanOrEqual, "10.0.0.1", "10.0.0.1"));
        assert!(ok(Ipv4Address, SubsetOf, "10.0.0.0/8", "10.3.0.0/16"));
        assert!(!ok(Ipv4Address, SubsetOf, "10.3.0.0/16", "10.0.0.0/8"));
        assert!(ok(Ipv4Address, SupersetOf, "10.3.0.0/16", "10.0.0.0/8"));
        assert!(compare(Ipv4Address, GreaterThan, "10.0.0.0/8", "10.0.0.0/16").is_err());
        assert!(compare(Ipv4Address, Equals, "10.0.0.0", "fe80::1").is_err());
        assert!(ok(Ipv6Address, SubsetOf, "fe80::/10", "fe80::1"));
        assert!(ok(Ipv6Address, Equals, "::1", "0:0:0:0:0:0:0:1"));
        assert!(ok(Ipv6Address, LessThan, "::2", "::1"));
        assert!(is_bad_operation(Ipv6Address, PatternMatch));
    }

    #[test]
    fn unsupported_and_record() {
        assert!(matches!(compare(Fileset, Equals, "1", "1"), Err(EvalError::UnsupportedDatatype { .. })));
        assert!(matches!(compare(IosVersion, Equals, "1", "1"), Err(EvalError::UnsupportedDatatype { .. })));
        assert!(is_bad_operation(Record, Equals));
    }

    #[test]
    fn never_panics_on_odd_values() {
        let odd = [
            "",
            " ",
            "-",
            "+",
            ":",
            "1:",
            ":1",
            "é",
            "1.é",
            "~",
            "-1",
            "99999999999999999999999",
            "0x1F",
            "/",
            "1.2.3.4/99",
            "::/",
            "a-b-c",
            "NaN",
            "inf",
            "\u{0}",
            "((((",
            "1..2",
            "0:",
            "1:2:3-4-5",
        ];
        let datatypes = [
            Binary,
            Boolean,
            EvrString,
            DebianEvrString,
            Fileset,
            Float,
            IosVersion,
            Int,
            Ipv4Address,
            Ipv6Address,
            String,
            Version,
            Record,
        ];
        let operations = [
            Equals,
            NotEqual,
            CaseInsensitiveEquals,
            CaseInsensitiveNotEqual,
            GreaterThan,
            LessThan,
            GreaterThanOrEqual,
            LessThanOrEqual,
            BitwiseAnd,
            BitwiseOr,
            PatternMatch,
            SubsetOf,
            SupersetOf,
        ];
        let mut outcomes = 0;
        for dt in datatypes {
            for op in operations {
                for a in odd {
                    for b in odd {
                        let _ = compare(dt, op, a, b);
                        outcomes += 1;
                    }
                }
            }
        }
        assert_eq!(outcomes, 13 * 13 * odd.len() * odd.len());
    }

    fn entity(op: Operation, values: &[&str], var_check: Check, from_variable: bool) -> ResolvedEntity {
        ResolvedEntity {
            name: "x".into(),
            datatype: Datatype::String,
            operation: op,
            values: values.iter().map(|v| v.to_string()).collect(),
            var_check,
            nil: false,
            from_variable,
        }
    }

    #[test]
    fn entity_var_check() {
        let e = entity(Equals, &["a", "b"], Check::AtLeastOne, true);
        assert!(e.matches("b").unwrap());
        assert!(!e.matches("c").unwrap());
        let e = entity(NotEqual, &["a", "b"], Check::All, true);
        assert!(e.matches("c").unwrap());
        assert!(!e.matches("a").unwrap());
        let e = entity(PatternMatch, &["^a", "b$"], Check::OnlyOne, true);
        assert!(e.matches("ax").unwrap());
        assert!(!e.matches("ab").unwrap());
        let e = entity(Equals, &["a", "b"], Check::NoneSatisfy, true);
        assert!(e.matches("c").unwrap());
        assert!(!e.matches("a").unwrap());
        let e = entity(PatternMatch, &["("], Check::All, false);
        assert!(e.matches("x").is_err());
    }

    #[test]
    fn exact_values_honour_var_check() {
        let two = |check| entity(Equals, &["/a", "/b"], check, true);
        assert_eq!(two(Check::All).exact_values(), Some(&[][..]));
        assert_eq!(two(Check::AtLeastOne).exact_values().map(<[std::string::String]>::len), Some(2));
        assert_eq!(two(Check::OnlyOne).exact_values().map(<[std::string::String]>::len), Some(2));
        assert_eq!(two(Check::NoneSatisfy).exact_values(), None);
        let same = entity(Equals, &["/a", "/a"], Check::All, true);
        assert_eq!(same.exact_values().map(<[std::string::String]>::len), Some(1));
        assert_eq!(entity(Equals, &["/a", "/a"], Check::OnlyOne, true).exact_values(), None);
        assert_eq!(entity(PatternMatch, &["/a"], Check::All, false).exact_values(), None);
        let literal = entity(Equals, &["/a"], Check::NoneSatisfy, false);
        assert_eq!(
            literal.exact_values().map(<[std::string::String]>::len),
            Some(1),
            "var_check ignored for literals"
        );
    }
}
