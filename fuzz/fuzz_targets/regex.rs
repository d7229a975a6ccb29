//! Fuzz the regular-expression translations: OVAL patterns (PCRE with match limits), globs turned
//! into patterns, literal escaping. A translated glob compiles or is refused as a bad pattern
//! (a reversed range `[z-a]` passes through to PCRE2, as in oscap); an escaped value must match
//! itself; matching ends (the limits) without a panic.
//!
//! Input: the first line is the pattern, the rest the text matched against.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::eval::{escape_regex, glob_to_regex};
use stigrun::semantics::EvalError;
use stigrun::semantics::regex::OvalRegex;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (pattern, text) = input.split_once('\n').unwrap_or((input, ""));
    if let Ok(re) = OvalRegex::new(pattern) {
        let _ = re.is_match(text);
        let _ = re.captures_all(text);
    }
    for noescape in [false, true] {
        if let Ok(translated) = glob_to_regex(pattern, noescape) {
            match OvalRegex::new(&translated) {
                Ok(re) => {
                    let _ = re.is_match(text);
                }
                Err(EvalError::BadRegex { .. }) => {}
                Err(e) => panic!("glob `{pattern}` translated to `{translated}`: {e}"),
            }
        }
    }
    let escaped = escape_regex(text);
    let literal = OvalRegex::new(&format!("^{escaped}$"))
        .unwrap_or_else(|e| panic!("escaped `{text}` does not compile: {e}"));
    if !text.contains('\n') {
        assert_eq!(literal.is_match(text).ok(), Some(true), "escaped `{text}` does not match itself");
    }
});
