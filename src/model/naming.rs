//! One way to name values, CCIs and 800-53 controls everywhere (rules: `Benchmark::find_rule`):
//! the spellings people type (`1851`, `AU-4(1)`, a value's short id) mean what DISA writes
//! (`CCI-001851`, `AU-4 (1)`, `xccdf_…_value_x`), and a name that matches nothing is an error with
//! the closest names the benchmark has.

use crate::model::xccdf::{Benchmark, Value};

/// A name (value, CCI, control) the benchmark does not have, with close ones it does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{query}`{}", suggest(.suggestions))]
pub struct UnknownName {
    pub kind: &'static str,
    pub query: String,
    pub suggestions: Vec<String>,
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
    format!("; did you mean {}?", list.join(", "))
}

pub use crate::model::stig::near;

/// The short id of a value: what follows `_value_` in an XCCDF 1.2 id.
pub fn short_value_id(id: &str) -> &str {
    id.split_once("_value_").map_or(id, |(_, short)| short)
}

/// A value by its id or short id (`docker_log_max_size`), exact first, then case-insensitive.
pub fn find_value<'a>(benchmark: &'a Benchmark, query: &str) -> Result<&'a Value, UnknownName> {
    let query = query.trim();
    if let Some(v) = benchmark.value(query) {
        return Ok(v);
    }
    for exact in [true, false] {
        let same = |a: &str| if exact { a == query } else { a.eq_ignore_ascii_case(query) };
        if let Some(v) = benchmark.values.iter().find(|v| same(&v.id) || same(short_value_id(&v.id))) {
            return Ok(v);
        }
    }
    let names = benchmark.values.iter().flat_map(|v| [v.id.as_str(), short_value_id(&v.id)]);
    Err(UnknownName { kind: "value", query: query.to_string(), suggestions: near(query, names) })
}

/// `1851`, `cci-1851`, `CCI-001851` → `CCI-001851`; anything else is returned trimmed.
pub fn normalize_cci(query: &str) -> String {
    let q = query.trim();
    let digits = q.get(..4).filter(|p| p.eq_ignore_ascii_case("CCI-")).map_or(q, |_| &q[4..]);
    if !digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return format!("CCI-{digits:0>6}");
    }
    q.to_string()
}

/// `au-4(1)`, `AU-4 (1)`, `AU-4( 1 )` → `AU-4 (1)`: the family upper-cased, one space before each
/// enhancement or part in parentheses.
pub fn normalize_control(query: &str) -> String {
    let mut out = String::new();
    for c in query.trim().chars() {
        match c {
            '(' => {
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                out.push_str(" (");
            }
            ')' => {
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                out.push(')');
            }
            c if c.is_whitespace() && out.ends_with('(') => {}
            // The family and number (`AU-4`) upper-cased; parts keep their case (`AC-2 a`).
            c if !out.contains(' ') => out.push(c.to_ascii_uppercase()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cci_spellings() {
        for q in ["1851", "001851", "cci-1851", "CCI-001851", " CCI-1851 "] {
            assert_eq!(normalize_cci(q), "CCI-001851", "{q}");
        }
        assert_eq!(normalize_cci("CCI-x"), "CCI-x");
    }

    #[test]
    fn control_spellings() {
        for q in ["AU-4(1)", "AU-4 (1)", "au-4( 1 )", "AU-4  (1)"] {
            assert_eq!(normalize_control(q), "AU-4 (1)", "{q}");
        }
        assert_eq!(normalize_control("ac-2"), "AC-2");
        assert_eq!(normalize_control("SC-7(3)(a)"), "SC-7 (3) (a)");
    }

    #[test]
    fn near_names_by_distance_then_containment() {
        let names = ["docker_log_max_size", "docker_log_max_file", "approved_log_plugins"];
        assert_eq!(near("docker_log_max_sise", names)[0], "docker_log_max_size");
        assert_eq!(near("plugins", names), vec!["approved_log_plugins"]);
    }
}
