//! The OVAL result enumeration and its combination tables (operators, check, existence), shared
//! by the evaluator, the probes' filters and the results documents.

use serde::{Deserialize, Serialize};

use crate::model::oval::{Check, Existence, Operator};

/// OVAL ResultEnumeration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OvalResult {
    True,
    False,
    Error,
    Unknown,
    NotEvaluated,
    NotApplicable,
}

impl OvalResult {
    /// The spelling used by `oscap oval eval` output and OVAL results files.
    pub fn as_str(self) -> &'static str {
        match self {
            OvalResult::True => "true",
            OvalResult::False => "false",
            OvalResult::Error => "error",
            OvalResult::Unknown => "unknown",
            OvalResult::NotEvaluated => "not evaluated",
            OvalResult::NotApplicable => "not applicable",
        }
    }

    /// The result [`OvalResult::as_str`] spells as `text`.
    pub fn parse(text: &str) -> Option<OvalResult> {
        const ALL: [OvalResult; 6] = [
            OvalResult::True,
            OvalResult::False,
            OvalResult::Error,
            OvalResult::Unknown,
            OvalResult::NotEvaluated,
            OvalResult::NotApplicable,
        ];
        ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn negate(self) -> OvalResult {
        match self {
            OvalResult::True => OvalResult::False,
            OvalResult::False => OvalResult::True,
            other => other,
        }
    }
}

impl std::fmt::Display for OvalResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many of each result a combination saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultCounts {
    pub true_count: usize,
    pub false_count: usize,
    pub error: usize,
    pub unknown: usize,
    pub not_evaluated: usize,
    pub not_applicable: usize,
}

impl ResultCounts {
    pub fn of(results: &[OvalResult]) -> Self {
        let mut counts = ResultCounts::default();
        for r in results {
            counts.add(*r);
        }
        counts
    }

    pub fn add(&mut self, result: OvalResult) {
        match result {
            OvalResult::True => self.true_count += 1,
            OvalResult::False => self.false_count += 1,
            OvalResult::Error => self.error += 1,
            OvalResult::Unknown => self.unknown += 1,
            OvalResult::NotEvaluated => self.not_evaluated += 1,
            OvalResult::NotApplicable => self.not_applicable += 1,
        }
    }

    fn total(&self) -> usize {
        self.true_count
            + self.false_count
            + self.error
            + self.unknown
            + self.not_evaluated
            + self.not_applicable
    }

    /// Nothing but `not applicable` (which every table treats as absent).
    fn only_not_applicable(&self) -> bool {
        self.not_applicable > 0 && self.total() == self.not_applicable
    }
}

/// Combine results with a logical operator (OVAL 5.11 operator enumeration tables, as OpenSCAP
/// applies them): `not applicable` results are ignored unless every input is `not applicable`;
/// no input at all gives `unknown`.
pub fn combine(operator: Operator, results: &[OvalResult]) -> OvalResult {
    combine_counts(operator, ResultCounts::of(results))
}

pub fn combine_counts(operator: Operator, c: ResultCounts) -> OvalResult {
    if c.total() == 0 {
        return OvalResult::Unknown;
    }
    if c.only_not_applicable() {
        return OvalResult::NotApplicable;
    }
    let undecided = c.error + c.unknown + c.not_evaluated;
    let by_severity = || {
        if c.error > 0 {
            OvalResult::Error
        } else if c.unknown > 0 {
            OvalResult::Unknown
        } else {
            OvalResult::NotEvaluated
        }
    };
    match operator {
        Operator::And => {
            if c.false_count > 0 {
                OvalResult::False
            } else if undecided == 0 {
                OvalResult::True
            } else {
                by_severity()
            }
        }
        Operator::Or => {
            if c.true_count > 0 {
                OvalResult::True
            } else if undecided == 0 {
                OvalResult::False
            } else {
                by_severity()
            }
        }
        Operator::One => {
            if c.true_count >= 2 {
                OvalResult::False
            } else if undecided == 0 {
                if c.true_count == 1 { OvalResult::True } else { OvalResult::False }
            } else {
                by_severity()
            }
        }
        Operator::Xor => {
            if undecided == 0 {
                if !c.true_count.is_multiple_of(2) { OvalResult::True } else { OvalResult::False }
            } else {
                by_severity()
            }
        }
    }
}

/// Combine per-item (or per-value) results with a `check` / `entity_check` / `var_check`.
pub fn combine_check(check: Check, results: &[OvalResult]) -> OvalResult {
    combine_check_counts(check, ResultCounts::of(results))
}

pub fn combine_check_counts(check: Check, c: ResultCounts) -> OvalResult {
    match check {
        Check::All => combine_counts(Operator::And, c),
        Check::AtLeastOne => combine_counts(Operator::Or, c),
        Check::OnlyOne => combine_counts(Operator::One, c),
        Check::NoneSatisfy | Check::NoneExist => {
            if c.total() == 0 {
                return OvalResult::Unknown;
            }
            if c.only_not_applicable() {
                return OvalResult::NotApplicable;
            }
            if c.true_count > 0 {
                OvalResult::False
            } else if c.error > 0 {
                OvalResult::Error
            } else if c.unknown > 0 {
                OvalResult::Unknown
            } else if c.not_evaluated > 0 {
                OvalResult::NotEvaluated
            } else {
                OvalResult::True
            }
        }
    }
}

/// The `check_existence` table over the items of a `complete` collected object: how many items
/// exist and how many are in error.
pub fn existence_result(existence: Existence, exists: usize, errors: usize) -> OvalResult {
    use OvalResult::{Error, False, True};
    match existence {
        Existence::AllExist => match (exists, errors) {
            (_, e) if e > 0 => Error,
            (0, _) => False,
            _ => True,
        },
        Existence::AnyExist => {
            if errors > 0 && exists == 0 {
                Error
            } else {
                True
            }
        }
        Existence::AtLeastOneExists => match (exists, errors) {
            (x, _) if x > 0 => True,
            (_, 0) => False,
            _ => Error,
        },
        Existence::NoneExist => match (exists, errors) {
            (x, _) if x > 0 => False,
            (_, 0) => True,
            _ => Error,
        },
        Existence::OnlyOneExists => match (exists, errors) {
            (x, _) if x >= 2 => False,
            (1, 0) => True,
            (0, 0) => False,
            _ => Error,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::OvalResult::Unknown as U;
    use super::OvalResult::{Error as E, False as F, NotApplicable as NA, NotEvaluated as NE, True as T};
    use super::*;

    #[test]
    fn and_table() {
        let cases: &[(&[OvalResult], OvalResult)] = &[
            (&[T, T], T),
            (&[T, F], F),
            (&[F, E, U, NE], F),
            (&[T, E], E),
            (&[T, E, U], E),
            (&[T, U], U),
            (&[T, U, NE], U),
            (&[T, NE], NE),
            (&[T, NA], T),
            (&[NA, NA], NA),
            (&[NA, F], F),
            (&[], U),
        ];
        for (input, want) in cases {
            assert_eq!(combine(Operator::And, input), *want, "AND {input:?}");
        }
    }

    #[test]
    fn or_table() {
        let cases: &[(&[OvalResult], OvalResult)] = &[
            (&[F, T], T),
            (&[T, E, U, NE], T),
            (&[F, F], F),
            (&[F, E], E),
            (&[F, E, U], E),
            (&[F, U], U),
            (&[F, U, NE], U),
            (&[F, NE], NE),
            (&[F, NA], F),
            (&[NA], NA),
            (&[], U),
        ];
        for (input, want) in cases {
            assert_eq!(combine(Operator::Or, input), *want, "OR {input:?}");
        }
    }

    #[test]
    fn one_table() {
        let cases: &[(&[OvalResult], OvalResult)] = &[
            (&[T, F, F], T),
            (&[T, T, F], F),
            (&[T, T, E, U], F),
            (&[F, F], F),
            (&[T, E], E),
            (&[F, E, U], E),
            (&[T, U], U),
            (&[F, U, NE], U),
            (&[T, NE], NE),
            (&[T, NA], T),
            (&[NA, NA], NA),
        ];
        for (input, want) in cases {
            assert_eq!(combine(Operator::One, input), *want, "ONE {input:?}");
        }
    }

    #[test]
    fn xor_table() {
        let cases: &[(&[OvalResult], OvalResult)] = &[
            (&[T, F], T),
            (&[T, T], F),
            (&[T, T, T], T),
            (&[F, F], F),
            (&[T, E], E),
            (&[T, E, U], E),
            (&[T, U], U),
            (&[T, U, NE], U),
            (&[F, NE], NE),
            (&[T, NA], T),
            (&[NA], NA),
        ];
        for (input, want) in cases {
            assert_eq!(combine(Operator::Xor, input), *want, "XOR {input:?}");
        }
    }

    #[test]
    fn check_tables() {
        assert_eq!(combine_check(Check::All, &[T, T]), T);
        assert_eq!(combine_check(Check::All, &[T, F]), F);
        assert_eq!(combine_check(Check::AtLeastOne, &[F, T]), T);
        assert_eq!(combine_check(Check::AtLeastOne, &[F, E]), E);
        assert_eq!(combine_check(Check::OnlyOne, &[T, F]), T);
        assert_eq!(combine_check(Check::OnlyOne, &[T, T]), F);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, F]), T);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, T]), F);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, E, T]), F);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, E]), E);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, U]), U);
        assert_eq!(combine_check(Check::NoneSatisfy, &[F, NE]), NE);
        assert_eq!(combine_check(Check::NoneExist, &[F]), T);
        assert_eq!(combine_check(Check::NoneSatisfy, &[NA]), NA);
        assert_eq!(combine_check(Check::NoneSatisfy, &[]), U);
        assert_eq!(combine_check(Check::All, &[]), U);
    }

    #[test]
    fn existence_table() {
        use Existence::*;
        let cases = [
            (AllExist, 2, 0, T),
            (AllExist, 0, 0, F),
            (AllExist, 2, 1, E),
            (AllExist, 0, 1, E),
            (AnyExist, 0, 0, T),
            (AnyExist, 3, 0, T),
            (AnyExist, 1, 1, T),
            (AnyExist, 0, 1, E),
            (AtLeastOneExists, 1, 0, T),
            (AtLeastOneExists, 1, 4, T),
            (AtLeastOneExists, 0, 0, F),
            (AtLeastOneExists, 0, 1, E),
            (NoneExist, 0, 0, T),
            (NoneExist, 1, 0, F),
            (NoneExist, 1, 1, F),
            (NoneExist, 0, 1, E),
            (OnlyOneExists, 1, 0, T),
            (OnlyOneExists, 2, 0, F),
            (OnlyOneExists, 2, 1, F),
            (OnlyOneExists, 0, 0, F),
            (OnlyOneExists, 0, 1, E),
            (OnlyOneExists, 1, 1, E),
        ];
        for (existence, exists, errors, want) in cases {
            assert_eq!(existence_result(existence, exists, errors), want, "{existence:?} {exists} {errors}");
        }
    }

    #[test]
    fn negate_swaps_only_true_and_false() {
        assert_eq!(T.negate(), F);
        assert_eq!(F.negate(), T);
        for r in [E, U, NE, NA] {
            assert_eq!(r.negate(), r);
        }
    }

    #[test]
    fn parse_reads_what_as_str_writes() {
        for r in [T, F, E, U, NE, NA] {
            assert_eq!(OvalResult::parse(r.as_str()), Some(r));
        }
        assert_eq!(OvalResult::parse("not_evaluated"), None);
        assert_eq!(OvalResult::parse("True"), None);
    }
}
