//! Every bound that keeps a run finite on hostile content or a hostile host, in one place.
//!
//! The defaults fit a 2-core, 4 GB node. The CLI may set them once per process (`--limit
//! NAME=VALUE`) before anything is read; code reads them with [`get`]. A limit that is hit is
//! never silent: the content loader gives a located error, a probe gives an `error` result whose
//! message names the limit (by its `--limit` name), and the scan goes on.
//!
//! Depth limits bound recursion and the stacks are sized for their defaults, so they can be
//! lowered but not raised.

use std::sync::OnceLock;
use std::time::Duration;

/// The bounds of one run. Field names are the `--limit` names with `_` for `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes read of one content file (XCCDF, data stream, OVAL, tailoring, variables, answers,
    /// results read back).
    pub content_file_bytes: u64,
    /// Bytes read of one file on the target (text, hashes are streamed and unbounded).
    pub target_file_bytes: u64,
    /// Bytes of one target file parsed into a tree (YAML, JSON, XML): parsing costs many times
    /// the file's size in memory.
    pub parsed_file_bytes: u64,
    /// Symlinks followed while resolving one target path (Linux's own bound).
    pub symlinks: u32,
    /// Element nesting in content XML.
    pub xml_depth: usize,
    /// Nesting of OVAL criteria and sets (loader, OVAL results read back).
    pub criteria_depth: usize,
    /// Chains of references in evaluation: variables, objects, states, extend_definition.
    pub reference_depth: usize,
    /// Nesting of YAML and JSON read off the target.
    pub yaml_depth: usize,
    /// Nodes of one YAML file, counted after aliases are expanded (billion laughs).
    pub yaml_nodes: usize,
    /// Entries one file-system walk (a `path` pattern, `recurse`) may visit.
    pub walk_entries: usize,
    /// Items one object may collect.
    pub items_per_object: usize,
    /// Values one variable may have (concat and friends multiply).
    pub values_per_variable: usize,
    /// PCRE2 backtracking steps per match attempt.
    pub regex_steps: u32,
    /// PCRE2 backtracking steps per line matched, over every start position: long lines get a
    /// smaller per-attempt budget, so one line cannot take minutes.
    pub regex_steps_per_line: u64,
    /// Wall-clock time collecting one object may take, and a rule's checks before the objects
    /// they still need are not collected; `None` = no bound.
    pub rule_timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            content_file_bytes: 512 << 20,
            target_file_bytes: 64 << 20,
            parsed_file_bytes: 8 << 20,
            symlinks: 40,
            xml_depth: 256,
            criteria_depth: 128,
            reference_depth: 100,
            yaml_depth: 256,
            yaml_nodes: 1_000_000,
            walk_entries: 5_000_000,
            items_per_object: 1_000_000,
            values_per_variable: 100_000,
            regex_steps: 1_000_000,
            // SSG's multi-line patterns over a whole /etc/login.defs (12.5 KB) need about 10^5
            // steps per attempt: 5·10^9 leaves them that, and cuts a 20 KB line to 10^5.
            regex_steps_per_line: 5_000_000_000,
            rule_timeout: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("`{0}`: expected NAME=VALUE, e.g. `target-file-bytes=16M` (names: {NAMES})")]
    Syntax(String),
    #[error("unknown limit `{0}` (names: {NAMES})")]
    Unknown(String),
    #[error("limit `{name}`: `{value}` is not {expected}")]
    Value { name: String, value: String, expected: &'static str },
    #[error("limit `{name}` can be lowered, not raised above {max} (the stack is sized for it)")]
    TooDeep { name: String, max: usize },
}

const NAMES: &str = "content-file-bytes, target-file-bytes, parsed-file-bytes, symlinks, xml-depth, \
                     criteria-depth, reference-depth, yaml-depth, yaml-nodes, walk-entries, \
                     items-per-object, values-per-variable, regex-steps, regex-steps-per-line, \
                     rule-timeout";

impl Limits {
    /// Apply one `NAME=VALUE`. Sizes take a `K`/`M`/`G` suffix (powers of 1024), times an
    /// `s`/`m`/`h` suffix (seconds without one); `rule-timeout=0` removes that bound.
    pub fn set(&mut self, assignment: &str) -> Result<(), LimitError> {
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(LimitError::Syntax(assignment.to_string()));
        };
        let name = name.trim();
        let value = value.trim();
        let bad = |expected| LimitError::Value { name: name.to_string(), value: value.to_string(), expected };
        let size = || parse_size(value).ok_or_else(|| bad("a size (bytes, or with K, M or G)"));
        let count = || parse_size(value).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| bad("a count"));
        let depth = |max: usize| {
            let n = count()?;
            if n > max {
                return Err(LimitError::TooDeep { name: name.to_string(), max });
            }
            Ok(n)
        };
        let defaults = Limits::default();
        match name {
            "content-file-bytes" => self.content_file_bytes = size()?,
            "target-file-bytes" => self.target_file_bytes = size()?,
            "parsed-file-bytes" => self.parsed_file_bytes = size()?,
            "symlinks" => self.symlinks = u32::try_from(depth(255)?).map_err(|_| bad("a count"))?,
            "xml-depth" => self.xml_depth = depth(defaults.xml_depth)?,
            "criteria-depth" => self.criteria_depth = depth(defaults.criteria_depth)?,
            "reference-depth" => self.reference_depth = depth(defaults.reference_depth)?,
            "yaml-depth" => self.yaml_depth = depth(defaults.yaml_depth)?,
            "yaml-nodes" => self.yaml_nodes = count()?,
            "walk-entries" => self.walk_entries = count()?,
            "items-per-object" => self.items_per_object = count()?,
            "values-per-variable" => self.values_per_variable = count()?,
            "regex-steps" => self.regex_steps = u32::try_from(count()?).map_err(|_| bad("a count"))?,
            "regex-steps-per-line" => self.regex_steps_per_line = size()?,
            "rule-timeout" => {
                let d = parse_duration(value).ok_or_else(|| bad("a time (seconds, or with s, m or h)"))?;
                self.rule_timeout = (!d.is_zero()).then_some(d);
            }
            _ => return Err(LimitError::Unknown(name.to_string())),
        }
        Ok(())
    }
}

fn parse_size(value: &str) -> Option<u64> {
    let (digits, shift) = match value.as_bytes().last()? {
        b'K' | b'k' => (&value[..value.len() - 1], 10),
        b'M' | b'm' => (&value[..value.len() - 1], 20),
        b'G' | b'g' => (&value[..value.len() - 1], 30),
        _ => (value, 0),
    };
    let n: u64 = digits.replace('_', "").parse().ok()?;
    n.checked_mul(1 << shift)
}

/// Seconds, or a number with `s`, `m` or `h`.
pub fn parse_duration(value: &str) -> Option<Duration> {
    let (digits, unit) = match value.as_bytes().last()? {
        b's' => (&value[..value.len() - 1], 1),
        b'm' => (&value[..value.len() - 1], 60),
        b'h' => (&value[..value.len() - 1], 3600),
        _ => (value, 1),
    };
    let n: f64 = digits.parse().ok()?;
    (n.is_finite() && n >= 0.0 && n * unit as f64 <= 1e9).then(|| Duration::from_secs_f64(n * unit as f64))
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// The limits of this run: those [`install`]ed, else the defaults.
pub fn get() -> &'static Limits {
    LIMITS.get_or_init(Limits::default)
}

/// Set the limits of this process, once, before anything is read. `false` when they were
/// already fixed (set before, or read).
pub fn install(limits: Limits) -> bool {
    LIMITS.set(limits).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sizes_and_times() {
        let mut l = Limits::default();
        l.set("target-file-bytes=16M").unwrap();
        assert_eq!(l.target_file_bytes, 16 << 20);
        l.set("rule-timeout=2m").unwrap();
        assert_eq!(l.rule_timeout, Some(Duration::from_secs(120)));
        l.set("rule-timeout=0").unwrap();
        assert_eq!(l.rule_timeout, None);
        l.set("values-per-variable = 10").unwrap();
        assert_eq!(l.values_per_variable, 10);
        assert!(matches!(l.set("nope=1"), Err(LimitError::Unknown(_))));
        assert!(matches!(l.set("target-file-bytes"), Err(LimitError::Syntax(_))));
        assert!(matches!(l.set("target-file-bytes=lots"), Err(LimitError::Value { .. })));
        assert!(matches!(l.set("xml-depth=100000"), Err(LimitError::TooDeep { max: 256, .. })));
        l.set("xml-depth=10").unwrap();
        assert_eq!(l.xml_depth, 10);
        assert!(l.set("target-file-bytes=99999999999G").is_err());
    }

    #[test]
    fn every_name_in_the_list_is_settable() {
        for name in NAMES.split(", ") {
            let mut l = Limits::default();
            l.set(&format!("{name}=1")).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
