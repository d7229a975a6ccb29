//! OVAL regular expressions: Perl-compatible (PCRE2, as OpenSCAP uses), with a match limit so
//! a pathological pattern on host data ends with an error instead of hanging the scan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pcre2::bytes::{Regex, RegexBuilder};

use super::EvalError;

/// Bounds backtracking per match attempt (PCRE2's own default is 10,000,000). The pcre2 crate
/// has no match-context setter, so the limits go in as PCRE2 start-of-pattern options, which
/// PCRE2 (interpreter and JIT) honours like the context limits.
const MATCH_LIMIT: u32 = 1_000_000;
/// Bounds the backtracking depth of the interpreter (the JIT is bounded by its stack size).
const DEPTH_LIMIT: u32 = 10_000;

/// One match: the whole matched text and each capture group (`None` if it took no part).
pub type RegexMatch = (String, Vec<Option<String>>);

#[derive(Debug, Clone)]
pub struct OvalRegex {
    pattern: String,
    regex: Arc<Regex>,
}

impl OvalRegex {
    /// Compile (or fetch from the per-process cache) an OVAL pattern.
    pub fn new(pattern: &str) -> Result<OvalRegex, EvalError> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(r) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
            return Ok(OvalRegex { pattern: pattern.to_string(), regex: r });
        }
        let regex = RegexBuilder::new()
            .utf(true)
            .ucp(false)
            .jit_if_available(true)
            .max_jit_stack_size(Some(1 << 20))
            .build(&format!("(*LIMIT_MATCH={MATCH_LIMIT})(*LIMIT_DEPTH={DEPTH_LIMIT}){pattern}"))
            .map_err(|e| EvalError::BadRegex { pattern: pattern.to_string(), message: e.to_string() })?;
        let regex = Arc::new(regex);
        if let Ok(mut c) = cache.lock() {
            c.insert(pattern.to_string(), regex.clone());
        }
        Ok(OvalRegex { pattern: pattern.to_string(), regex })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn is_match(&self, text: &str) -> Result<bool, EvalError> {
        self.regex
            .is_match(text.as_bytes())
            .map_err(|_| EvalError::RegexLimit { pattern: self.pattern.clone() })
    }

    /// Every match of the pattern in `text`: (whole match, capture groups; `None` for a group
    /// that did not take part). Empty matches advance by one character.
    pub fn captures_all(&self, text: &str) -> Result<Vec<RegexMatch>, EvalError> {
        let mut out = Vec::new();
        for caps in self.regex.captures_iter(text.as_bytes()) {
            let caps = caps.map_err(|_| EvalError::RegexLimit { pattern: self.pattern.clone() })?;
            let whole =
                caps.get(0).map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()).unwrap_or_default();
            let groups = (1..caps.len())
                .map(|i| caps.get(i).map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()))
                .collect();
            out.push((whole, groups));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catastrophic_backtracking_ends_with_limit_error() {
        let re = OvalRegex::new("^(a+)+$").unwrap();
        let text = format!("{}!", "a".repeat(40));
        let started = std::time::Instant::now();
        assert!(matches!(re.is_match(&text), Err(EvalError::RegexLimit { .. })));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn search_is_unanchored_and_captures() {
        let re = OvalRegex::new(r"(\d+)-(x)?").unwrap();
        assert!(re.is_match("ab 12- cd").unwrap());
        let all = re.captures_all("1- 22-x").unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].1, vec![Some("1".to_string()), None]);
        assert_eq!(all[1].0, "22-x");
        assert_eq!(re.pattern(), r"(\d+)-(x)?");
    }

    #[test]
    fn bad_pattern_names_the_pattern() {
        let err = OvalRegex::new("a(").unwrap_err();
        assert!(matches!(err, EvalError::BadRegex { ref pattern, .. } if pattern == "a("));
    }
}
