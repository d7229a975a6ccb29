//! XCCDF 1.2 rule results: the nine result values, how OVAL results map onto them, the AND/OR
//! tables used by `complex-check` and `multi-check`, and the four scoring models.

use serde::{Deserialize, Serialize};

use crate::model::oval::DefinitionClass;
use crate::semantics::OvalResult;

/// XCCDF 1.2 `resultEnumType`, in the order OpenSCAP numbers them (which also decides which of
/// several "N" results wins a combination: the lower one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XccdfResult {
    Pass,
    Fail,
    Error,
    Unknown,
    NotApplicable,
    NotChecked,
    NotSelected,
    Informational,
    Fixed,
}

impl XccdfResult {
    pub const ALL: [XccdfResult; 9] = [
        XccdfResult::Pass,
        XccdfResult::Fail,
        XccdfResult::Error,
        XccdfResult::Unknown,
        XccdfResult::NotApplicable,
        XccdfResult::NotChecked,
        XccdfResult::NotSelected,
        XccdfResult::Informational,
        XccdfResult::Fixed,
    ];

    /// The spelling in XCCDF results files.
    pub fn as_str(self) -> &'static str {
        match self {
            XccdfResult::Pass => "pass",
            XccdfResult::Fail => "fail",
            XccdfResult::Error => "error",
            XccdfResult::Unknown => "unknown",
            XccdfResult::NotApplicable => "notapplicable",
            XccdfResult::NotChecked => "notchecked",
            XccdfResult::NotSelected => "notselected",
            XccdfResult::Informational => "informational",
            XccdfResult::Fixed => "fixed",
        }
    }

    pub fn parse(s: &str) -> Option<XccdfResult> {
        XccdfResult::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A check's OVAL definition result as a rule result (`negate` applies to true/false only).
    pub fn from_oval(result: OvalResult, negate: bool) -> XccdfResult {
        let r = match result {
            OvalResult::True => XccdfResult::Pass,
            OvalResult::False => XccdfResult::Fail,
            OvalResult::Unknown => XccdfResult::Unknown,
            OvalResult::Error => XccdfResult::Error,
            OvalResult::NotEvaluated => XccdfResult::NotChecked,
            OvalResult::NotApplicable => XccdfResult::NotApplicable,
        };
        if negate { r.negate() } else { r }
    }

    /// The XCCDF check result of an OVAL definition of class `class` (SP 800-126, "Deriving XCCDF
    /// Check Results from OVAL Definition Results"): a `vulnerability` or `patch` definition that is
    /// true means the flaw is present or the patch missing, so true is `fail` and false is `pass`;
    /// `compliance`, `inventory` (and `miscellaneous`, as oscap) map true to `pass`.
    pub fn from_definition(result: OvalResult, class: DefinitionClass, negate: bool) -> XccdfResult {
        let inverted = matches!(class, DefinitionClass::Vulnerability | DefinitionClass::Patch);
        let r = XccdfResult::from_oval(result, false);
        let r = if inverted { r.negate() } else { r };
        if negate { r.negate() } else { r }
    }

    /// `negate="true"` on a check or complex-check: pass ↔ fail, everything else unchanged.
    pub fn negate(self) -> XccdfResult {
        match self {
            XccdfResult::Pass => XccdfResult::Fail,
            XccdfResult::Fail => XccdfResult::Pass,
            other => other,
        }
    }

    /// The spec's "N" class: results that do not take part in a combination.
    fn is_neutral(self) -> bool {
        matches!(
            self,
            XccdfResult::NotApplicable
                | XccdfResult::NotChecked
                | XccdfResult::NotSelected
                | XccdfResult::Informational
        )
    }

    /// `fixed` counts as `pass` when combined and scored.
    fn normalized(self) -> XccdfResult {
        if self == XccdfResult::Fixed { XccdfResult::Pass } else { self }
    }

    /// XCCDF 1.2 AND table (spec section 7.2.3.5.3, complex-check).
    ///
    /// OpenSCAP 1.3.7's `RESULT_TABLE_AND` gives `unknown` for error∧pass and `error` for
    /// unknown∧pass — its error and unknown rows are swapped against the spec table printed in
    /// its own comment. stigrun follows the spec (see the test `and_error_unknown_follow_spec`).
    pub fn and(self, other: XccdfResult) -> XccdfResult {
        use XccdfResult::*;
        self.combine_with(other, |a, b| match (a, b) {
            (Fail, _) | (_, Fail) => Fail,
            (Unknown, _) | (_, Unknown) => Unknown,
            (Error, _) | (_, Error) => Error,
            _ => Pass,
        })
    }

    /// XCCDF 1.2 OR table.
    pub fn or(self, other: XccdfResult) -> XccdfResult {
        use XccdfResult::*;
        self.combine_with(other, |a, b| match (a, b) {
            (Pass, _) | (_, Pass) => Pass,
            (Unknown, _) | (_, Unknown) => Unknown,
            (Error, _) | (_, Error) => Error,
            _ => Fail,
        })
    }

    /// What AND and OR share: `fixed` counts as `pass`, and a neutral ("N") result gives way to
    /// the other one (two neutral ones: the lower in oscap's order). `decide` gets two
    /// non-neutral results.
    fn combine_with(
        self,
        other: XccdfResult,
        decide: fn(XccdfResult, XccdfResult) -> XccdfResult,
    ) -> XccdfResult {
        let (a, b) = (self.normalized(), other.normalized());
        match (a.is_neutral(), b.is_neutral()) {
            (true, true) => a.min(b),
            (true, false) => b,
            (false, true) => a,
            (false, false) => decide(a, b),
        }
    }

    /// Fold a list with AND or OR; an empty list is `unknown` (nothing could be decided).
    pub fn combine(operator: BoolOperator, results: &[XccdfResult]) -> XccdfResult {
        let mut iter = results.iter().copied();
        let Some(first) = iter.next() else { return XccdfResult::Unknown };
        iter.fold(first, |acc, r| match operator {
            BoolOperator::And => acc.and(r),
            BoolOperator::Or => acc.or(r),
        })
    }
}

impl std::fmt::Display for XccdfResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BoolOperator {
    And,
    Or,
}

// -----------------------------------------------------------------------------------------------
// Scoring

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoringModel {
    Default,
    Flat,
    FlatUnweighted,
    Absolute,
}

impl ScoringModel {
    pub const ALL: [ScoringModel; 4] =
        [ScoringModel::Default, ScoringModel::Flat, ScoringModel::FlatUnweighted, ScoringModel::Absolute];

    pub fn urn(self) -> &'static str {
        match self {
            ScoringModel::Default => "urn:xccdf:scoring:default",
            ScoringModel::Flat => "urn:xccdf:scoring:flat",
            ScoringModel::FlatUnweighted => "urn:xccdf:scoring:flat-unweighted",
            ScoringModel::Absolute => "urn:xccdf:scoring:absolute",
        }
    }

    pub fn from_urn(urn: &str) -> Option<ScoringModel> {
        ScoringModel::ALL.into_iter().find(|m| m.urn() == urn)
    }
}

/// The benchmark's item tree as scoring sees it.
#[derive(Debug, Clone)]
pub enum ScoreNode {
    Rule {
        weight: f64,
        result: XccdfResult,
        /// `role="unscored"`: the rule is reported but never scored.
        unscored: bool,
    },
    Group {
        weight: f64,
        children: Vec<ScoreNode>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub model: ScoringModel,
    pub score: f64,
    pub maximum: f64,
}

/// Rules with these results are left out of every model.
fn excluded(result: XccdfResult) -> bool {
    matches!(
        result,
        XccdfResult::NotSelected
            | XccdfResult::NotApplicable
            | XccdfResult::Informational
            | XccdfResult::NotChecked
    )
}

fn passed(result: XccdfResult) -> bool {
    matches!(result, XccdfResult::Pass | XccdfResult::Fixed)
}

/// Score the benchmark (`root` is the benchmark itself, a group of weight 1).
pub fn score(model: ScoringModel, root: &ScoreNode) -> Score {
    match model {
        ScoringModel::Default => {
            let score = default_score(root).map(|s| s.score).unwrap_or(0.0);
            Score { model, score, maximum: 100.0 }
        }
        ScoringModel::Flat | ScoringModel::FlatUnweighted => {
            let (score, maximum) =
                flat_score(root, model == ScoringModel::FlatUnweighted).unwrap_or((0.0, 0.0));
            Score { model, score, maximum }
        }
        ScoringModel::Absolute => {
            // The spec's maximum for the absolute model is 1; oscap reports the flat maximum there.
            let (score, maximum) = flat_score(root, false).unwrap_or((0.0, 0.0));
            let all_passed = score == maximum;
            Score { model, score: if all_passed { 1.0 } else { 0.0 }, maximum: 1.0 }
        }
    }
}

struct DefaultScore {
    score: f64,
    weighted: f64,
    count: usize,
}

/// The default model (NISTIR 7275r4, table 40): a rule scores 100 or 0; a group's score is the
/// weight-normalised mean of its counted children.
fn default_score(node: &ScoreNode) -> Option<DefaultScore> {
    match node {
        ScoreNode::Rule { weight, result, unscored } => {
            if *unscored || excluded(*result) {
                return None;
            }
            let score = if passed(*result) { 100.0 } else { 0.0 };
            Some(DefaultScore { score, weighted: score * weight, count: 1 })
        }
        ScoreNode::Group { weight, children } => {
            let (mut sum, mut weights, mut count) = (0.0, 0.0, 0);
            for child in children {
                let Some(s) = default_score(child) else { continue };
                if s.count == 0 {
                    continue;
                }
                sum += s.weighted;
                weights += node_weight(child);
                count += 1;
            }
            let score = if count > 0 && weights != 0.0 { sum / weights } else { sum };
            Some(DefaultScore { score, weighted: score * weight, count })
        }
    }
}

fn node_weight(node: &ScoreNode) -> f64 {
    match node {
        ScoreNode::Rule { weight, .. } | ScoreNode::Group { weight, .. } => *weight,
    }
}

/// The flat models (table 41): (sum of weights of passed rules, sum of weights of scored rules).
fn flat_score(node: &ScoreNode, unweighted: bool) -> Option<(f64, f64)> {
    match node {
        ScoreNode::Rule { weight, result, unscored } => {
            if *unscored || excluded(*result) {
                return None;
            }
            let w = if unweighted { 1.0 } else { *weight };
            Some((if passed(*result) { w } else { 0.0 }, w))
        }
        ScoreNode::Group { children, .. } => {
            let (mut score, mut max) = (0.0, 0.0);
            for (s, m) in children.iter().filter_map(|c| flat_score(c, unweighted)) {
                if m == 0.0 {
                    continue;
                }
                score += s;
                max += m;
            }
            Some((score, max))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::XccdfResult::*;
    use super::*;

    /// The spec's AND and OR tables over P F U E N, written out cell by cell.
    const ROWS: [XccdfResult; 5] = [Pass, Fail, Unknown, Error, NotApplicable];
    const AND: [[XccdfResult; 5]; 5] = [
        [Pass, Fail, Unknown, Error, Pass],
        [Fail, Fail, Fail, Fail, Fail],
        [Unknown, Fail, Unknown, Unknown, Unknown],
        [Error, Fail, Unknown, Error, Error],
        [Pass, Fail, Unknown, Error, NotApplicable],
    ];
    const OR: [[XccdfResult; 5]; 5] = [
        [Pass, Pass, Pass, Pass, Pass],
        [Pass, Fail, Unknown, Error, Fail],
        [Pass, Unknown, Unknown, Unknown, Unknown],
        [Pass, Error, Unknown, Error, Error],
        [Pass, Fail, Unknown, Error, NotApplicable],
    ];

    #[test]
    fn and_table_every_cell() {
        for (i, a) in ROWS.iter().enumerate() {
            for (j, b) in ROWS.iter().enumerate() {
                assert_eq!(a.and(*b), AND[i][j], "{a} AND {b}");
            }
        }
    }

    #[test]
    fn or_table_every_cell() {
        for (i, a) in ROWS.iter().enumerate() {
            for (j, b) in ROWS.iter().enumerate() {
                assert_eq!(a.or(*b), OR[i][j], "{a} OR {b}");
            }
        }
    }

    #[test]
    fn and_error_unknown_follow_spec() {
        // oscap 1.3.7 would give `unknown` here (swapped rows in its table); the spec says error.
        assert_eq!(Error.and(Pass), Error);
        assert_eq!(Unknown.and(Pass), Unknown);
    }

    #[test]
    fn neutral_results_and_fixed() {
        for n in [NotApplicable, NotChecked, NotSelected, Informational] {
            for r in [Pass, Fail, Error, Unknown] {
                assert_eq!(n.and(r), r);
                assert_eq!(r.or(n), r);
            }
        }
        assert_eq!(NotChecked.and(NotApplicable), NotApplicable);
        assert_eq!(Fixed.and(Pass), Pass);
        assert_eq!(Fixed.or(Fail), Pass);
    }

    #[test]
    fn combination_laws() {
        for a in XccdfResult::ALL {
            for b in XccdfResult::ALL {
                assert_eq!(a.and(b), b.and(a), "AND commutes for {a},{b}");
                assert_eq!(a.or(b), b.or(a), "OR commutes for {a},{b}");
                for c in XccdfResult::ALL {
                    assert_eq!(a.and(b).and(c), a.and(b.and(c)), "AND associates {a},{b},{c}");
                    assert_eq!(a.or(b).or(c), a.or(b.or(c)), "OR associates {a},{b},{c}");
                }
            }
        }
    }

    #[test]
    fn negation() {
        assert_eq!(Pass.negate(), Fail);
        assert_eq!(Fail.negate(), Pass);
        for r in [Error, Unknown, NotApplicable, NotChecked, NotSelected, Informational] {
            assert_eq!(r.negate(), r);
        }
        assert_eq!(XccdfResult::from_oval(OvalResult::True, true), Fail);
        assert_eq!(XccdfResult::from_oval(OvalResult::NotEvaluated, false), NotChecked);
        use DefinitionClass::*;
        assert_eq!(XccdfResult::from_definition(OvalResult::True, Vulnerability, false), Fail);
        assert_eq!(XccdfResult::from_definition(OvalResult::False, Patch, false), Pass);
        assert_eq!(XccdfResult::from_definition(OvalResult::True, Patch, true), Pass);
        assert_eq!(XccdfResult::from_definition(OvalResult::True, Inventory, false), Pass);
        assert_eq!(XccdfResult::from_definition(OvalResult::Error, Vulnerability, false), Error);
        assert_eq!(XccdfResult::combine(BoolOperator::And, &[]), Unknown);
    }

    fn rule(weight: f64, result: XccdfResult) -> ScoreNode {
        ScoreNode::Rule { weight, result, unscored: false }
    }

    /// Benchmark: group A (weight 1) with rules pass(w1), fail(w1); group B (weight 2) with a
    /// pass(w3) and a notchecked rule; a top-level unscored fail and a notapplicable rule.
    fn tree() -> ScoreNode {
        ScoreNode::Group {
            weight: 1.0,
            children: vec![
                ScoreNode::Group { weight: 1.0, children: vec![rule(1.0, Pass), rule(1.0, Fail)] },
                ScoreNode::Group { weight: 2.0, children: vec![rule(3.0, Pass), rule(5.0, NotChecked)] },
                ScoreNode::Rule { weight: 10.0, result: Fail, unscored: true },
                rule(4.0, NotApplicable),
            ],
        }
    }

    #[test]
    fn default_model_by_hand() {
        // A = (100*1 + 0*1)/2 = 50; B = (100*3)/3 = 100; benchmark = (50*1 + 100*2)/(1+2) = 83.33…
        let s = score(ScoringModel::Default, &tree());
        assert!((s.score - 250.0 / 3.0).abs() < 1e-9, "{}", s.score);
        assert_eq!(s.maximum, 100.0);
    }

    #[test]
    fn flat_models_by_hand() {
        let flat = score(ScoringModel::Flat, &tree());
        assert_eq!((flat.score, flat.maximum), (4.0, 5.0));
        let unweighted = score(ScoringModel::FlatUnweighted, &tree());
        assert_eq!((unweighted.score, unweighted.maximum), (2.0, 3.0));
        let absolute = score(ScoringModel::Absolute, &tree());
        assert_eq!((absolute.score, absolute.maximum), (0.0, 1.0));
    }

    #[test]
    fn absolute_all_pass_and_empty() {
        let all_pass = ScoreNode::Group { weight: 1.0, children: vec![rule(1.0, Pass), rule(2.0, Fixed)] };
        assert_eq!(score(ScoringModel::Absolute, &all_pass).score, 1.0);
        let empty = ScoreNode::Group { weight: 1.0, children: vec![] };
        assert_eq!(score(ScoringModel::Default, &empty).score, 0.0);
        assert_eq!(ScoringModel::from_urn("urn:xccdf:scoring:flat"), Some(ScoringModel::Flat));
    }
}
