//! Fuzz the regular-expression translations: OVAL patterns (PCRE with match limits), globs turned
//! into patterns, literal escaping. A glob that translates must compile; an escaped value must
//! match itself; matching ends (the limits) without a panic.
//!
//! Input: the first line is the pattern, the rest the text matched against.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::eval::{escape_regex, glob_to_regex};
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
            let re = OvalRegex::new(&translated)
                .unwrap_or_else(|e| panic!("glob `{pattern}` translated to a bad pattern: {e}"));
            let _ = re.is_match(text);
        }
    }
    let escaped = escape_regex(text);
    let literal = OvalRegex::new(&format!("^{escaped}$"))
        .unwrap_or_else(|e| panic!("escaped `{text}` does not compile: {e}"));
    if !text.contains('\n') {
        assert_eq!(literal.is_match(text).ok(), Some(true), "escaped `{text}` does not match itself");
    }
});
