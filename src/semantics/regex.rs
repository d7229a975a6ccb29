//! OVAL regular expressions: Perl-compatible (PCRE2, as OpenSCAP uses), with a match limit so
//! a pathological pattern on host data ends with an error instead of hanging the scan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pcre2::bytes::{Regex, RegexBuilder};

use super::EvalError;

/// Bounds the backtracking depth of the interpreter (the JIT is bounded by its stack size).
const DEPTH_LIMIT: u32 = 10_000;
/// Compiled patterns kept per process.
const MAX_CACHED: usize = 10_000;
/// The smallest per-attempt budget a long line is cut to.
const MIN_STEPS: u32 = 1_000;

/// One match: the whole matched text and each capture group (`None` if it took no part).
pub type RegexMatch = (String, Vec<Option<String>>);

/// A compiled OVAL pattern. PCRE2's match limit counts per start position, so a line of n
/// characters may cost n times the limit: the pattern is compiled with a per-attempt budget of
/// `regex-steps` cut by tens until budget × line length fits `regex-steps-per-line` (down to
/// [`MIN_STEPS`]), one compiled variant per budget.
#[derive(Debug, Clone)]
pub struct OvalRegex {
    pattern: String,
    /// The variant with the full per-attempt budget.
    regex: Arc<Regex>,
}

type Cache = Mutex<HashMap<(String, u32), Arc<Regex>>>;

static CACHE: OnceLock<Cache> = OnceLock::new();

fn compile(pattern: &str, steps: u32) -> Result<Arc<Regex>, EvalError> {
    let cache = CACHE.get_or_init(Default::default);
    let key = (pattern.to_string(), steps);
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(r);
    }
    // The limits go in as PCRE2 start-of-pattern options (the pcre2 crate has no match-context
    // setter); PCRE2, interpreter and JIT, honours them like the context limits.
    let regex = RegexBuilder::new()
        .utf(true)
        .ucp(false)
        .jit_if_available(true)
        .max_jit_stack_size(Some(1 << 20))
        .build(&format!("(*LIMIT_MATCH={steps})(*LIMIT_DEPTH={DEPTH_LIMIT}){pattern}"))
        .map_err(|e| EvalError::BadRegex { pattern: pattern.to_string(), message: e.to_string() })?;
    let regex = Arc::new(regex);
    if let Ok(mut c) = cache.lock() {
        // Content brings a bounded set of patterns, but nothing else bounds it (the regex fuzz
        // target ran out of memory on its 600,000 patterns): start over when it is this big.
        if c.len() >= MAX_CACHED {
            c.clear();
        }
        c.insert(key, regex.clone());
    }
    Ok(regex)
}

/// The per-attempt budget for a text of `len` bytes.
fn steps_for(len: usize) -> u32 {
    let limits = crate::limits::get();
    let mut steps = limits.regex_steps.max(1);
    while steps > MIN_STEPS && u64::from(steps).saturating_mul(len as u64 + 1) > limits.regex_steps_per_line {
        steps = (steps / 10).max(MIN_STEPS);
    }
    steps
}

impl OvalRegex {
    /// Compile (or fetch from the per-process cache) an OVAL pattern.
    pub fn new(pattern: &str) -> Result<OvalRegex, EvalError> {
        let regex = compile(pattern, crate::limits::get().regex_steps.max(1))?;
        Ok(OvalRegex { pattern: pattern.to_string(), regex })
    }

    fn for_text(&self, text: &str) -> Result<Arc<Regex>, EvalError> {
        let steps = steps_for(text.len());
        if steps == crate::limits::get().regex_steps.max(1) {
            return Ok(self.regex.clone());
        }
        compile(&self.pattern, steps)
    }

    fn limit_error(&self, text: &str) -> EvalError {
        EvalError::RegexLimit { pattern: self.pattern.clone(), steps: steps_for(text.len()), len: text.len() }
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn is_match(&self, text: &str) -> Result<bool, EvalError> {
        self.for_text(text)?.is_match(text.as_bytes()).map_err(|_| self.limit_error(text))
    }

    /// Every match of the pattern in `text`: (whole match, capture groups; `None` for a group
    /// that did not take part). Empty matches advance by one character.
    pub fn captures_all(&self, text: &str) -> Result<Vec<RegexMatch>, EvalError> {
        let mut out = Vec::new();
        let regex = self.for_text(text)?;
        for caps in regex.captures_iter(text.as_bytes()) {
            let caps = caps.map_err(|_| self.limit_error(text))?;
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
    fn a_long_line_cannot_multiply_the_budget() {
        // A backreference pattern that fails at every start position of one long line: with the
        // full budget per attempt and no bound per line this ran for minutes.
        let re = OvalRegex::new(r"(\w+)\s?\1\d").unwrap();
        let text = format!("{} ", "a".repeat(999)).repeat(20);
        let started = std::time::Instant::now();
        let result = re.is_match(&text);
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        // Bounded either way: decided within the per-attempt budget, or stopped by it.
        assert!(
            matches!(result, Ok(false) | Err(EvalError::RegexLimit { steps: 100_000, len: 20_000, .. })),
            "{result:?}"
        );
        assert_eq!(steps_for(10), 1_000_000);
        // A whole config file (SSG's login.defs patterns span lines) keeps a budget real content needs.
        assert_eq!(steps_for(12_569), 100_000);
        assert_eq!(steps_for(100_000), 10_000);
    }

    #[test]
    fn the_pattern_cache_is_bounded() {
        for i in 0..MAX_CACHED + 10 {
            OvalRegex::new(&format!("cache-test-{i}")).unwrap();
        }
        let cache = CACHE.get().unwrap().lock().unwrap();
        assert!(cache.len() <= MAX_CACHED, "{}", cache.len());
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
