//! CPE names and their matching. A name is written in one of CPE 2.3's two bindings (NIST IR 7695):
//! the URI binding `cpe:/o:redhat:enterprise_linux:8` (CPE 2.2's form) or the formatted string
//! `cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*`. Either is unbound to a well-formed name
//! ([`Wfn`]): eleven attributes, each ANY, NA or a value string (which may start or end with a
//! wildcard). Two WFNs are compared attribute by attribute (NIST IR 7696): a platform's name
//! matches a dictionary entry when it is a superset of the entry or equal to it, so
//! `cpe:/o:redhat:enterprise_linux` (version ANY) matches `cpe:/o:redhat:enterprise_linux:8`,
//! whichever binding either is written in.

use std::fmt;

/// The attributes of a WFN in binding order (IR 7695 §5.2).
pub const ATTRIBUTES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

const PART: usize = 0;
const EDITION: usize = 5;
const LANGUAGE: usize = 6;

/// Why a string is not a CPE name. The attribute is named where one is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeNameError {
    #[error("begins with neither `cpe:/` (URI binding) nor `cpe:2.3:` (formatted string)")]
    UnknownBinding,
    #[error("a URI binding has at most 7 components (part to language), this one {0}")]
    TooManyUriComponents(usize),
    #[error("a formatted string has 11 components after `cpe:2.3:`, this one {0}")]
    WrongComponentCount(usize),
    #[error("{attribute}: a formatted string's component is never empty (`*` is ANY)")]
    EmptyComponent { attribute: &'static str },
    #[error("part {0} is none of \"a\", \"o\", \"h\"")]
    BadPart(String),
    #[error("language {0} is not a language tag (2 or 3 letters, then `-` and a region)")]
    BadLanguage(String),
    #[error("{attribute}: `{character}` is not allowed here{hint}")]
    BadCharacter { attribute: &'static str, character: char, hint: &'static str },
    #[error("{attribute}: `%{code}` is not a percent-encoding of the URI binding")]
    BadPercent { attribute: &'static str, code: String },
    #[error("{attribute}: `\\` ends the value with nothing to quote")]
    DanglingEscape { attribute: &'static str },
    #[error("{attribute}: a wildcard (`*`, `?`) may stand only at the start or the end of a value")]
    EmbeddedWildcard { attribute: &'static str },
    #[error("{attribute}: a value is more than wildcards")]
    OnlyWildcards { attribute: &'static str },
    #[error("edition: a packed edition `~…` holds 5 fields separated by `~`, this one {0}")]
    BadPackedEdition(usize),
}

/// A wildcard at one end of a value string (IR 7695 §5.3.2: only there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcard {
    None,
    /// `*`: any number of characters, none included.
    Many,
    /// A run of `?`: that many characters, each one any character.
    Exactly(usize),
}

/// A value string: its literal characters (unquoted, lower case: matching ignores case, IR 7696
/// §6.1) between the wildcards at its ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub leading: Wildcard,
    pub body: String,
    pub trailing: Wildcard,
}

impl Pattern {
    fn literal(body: &str) -> Pattern {
        Pattern { leading: Wildcard::None, body: body.to_string(), trailing: Wildcard::None }
    }

    fn has_wildcards(&self) -> bool {
        self.leading != Wildcard::None || self.trailing != Wildcard::None
    }

    /// Whether `target` (a literal) is one of the strings this pattern stands for.
    fn matches(&self, target: &str) -> bool {
        // Characters are ASCII (checked when unbinding), so byte offsets are character offsets.
        let fits = |wildcard: Wildcard, length: usize| match wildcard {
            Wildcard::None => length == 0,
            Wildcard::Many => true,
            Wildcard::Exactly(n) => length == n,
        };
        (0..=target.len().saturating_sub(self.body.len())).any(|at| {
            target[at..].starts_with(&self.body)
                && fits(self.leading, at)
                && fits(self.trailing, target.len() - at - self.body.len())
        })
    }
}

/// One attribute's value in a WFN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Any value: `*` in a formatted string, an empty or missing component in a URI.
    Any,
    /// No value applies: `-` in either binding.
    Na,
    Text(Pattern),
}

/// A well-formed CPE name (IR 7695 §5): eleven attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wfn {
    values: [Value; 11],
}

/// How a source attribute value relates to a target's (IR 7696 §6.1, Table 6-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Superset,
    Subset,
    Equal,
    Disjoint,
    /// The target holds a wildcard: the specification leaves the relation undefined.
    Undefined,
}

impl Wfn {
    /// Unbind a name in either binding.
    pub fn parse(name: &str) -> Result<Wfn, CpeNameError> {
        if let Some(rest) = strip_prefix_ignore_case(name, "cpe:2.3:") {
            unbind_formatted_string(rest)
        } else if let Some(rest) = strip_prefix_ignore_case(name, "cpe:/") {
            unbind_uri(rest)
        } else {
            Err(CpeNameError::UnknownBinding)
        }
    }

    pub fn value(&self, attribute: usize) -> &Value {
        &self.values[attribute]
    }

    /// Attribute by attribute, how `self` (the source) relates to `target`.
    pub fn compare(&self, target: &Wfn) -> [Relation; 11] {
        std::array::from_fn(|i| compare_values(&self.values[i], &target.values[i]))
    }

    /// CPE_SUPERSET of IR 7696 §6.2 (Table 6-4): every attribute SUPERSET or EQUAL. This is how a
    /// platform's name (source) matches a dictionary entry (target): IR 7698's fact-ref, IR 7697's
    /// dictionary search.
    pub fn is_superset_of(&self, target: &Wfn) -> bool {
        self.compare(target).iter().all(|r| matches!(r, Relation::Superset | Relation::Equal))
    }

    /// CPE_SUBSET (Table 6-4): every attribute SUBSET or EQUAL.
    pub fn is_subset_of(&self, target: &Wfn) -> bool {
        self.compare(target).iter().all(|r| matches!(r, Relation::Subset | Relation::Equal))
    }

    /// CPE_EQUAL (Table 6-4): every attribute EQUAL.
    pub fn is_equal_to(&self, target: &Wfn) -> bool {
        self.compare(target).iter().all(|r| *r == Relation::Equal)
    }

    /// CPE_DISJOINT (Table 6-4): some attribute DISJOINT.
    pub fn is_disjoint_from(&self, target: &Wfn) -> bool {
        self.compare(target).contains(&Relation::Disjoint)
    }
}

/// IR 7696 §6.1, Table 6-2. A target holding a wildcard makes the relation undefined (rows 4, 8,
/// 11, 17) before anything else is looked at.
fn compare_values(source: &Value, target: &Value) -> Relation {
    if let Value::Text(t) = target
        && t.has_wildcards()
    {
        return Relation::Undefined;
    }
    match (source, target) {
        (Value::Any, Value::Any) | (Value::Na, Value::Na) => Relation::Equal,
        (Value::Any, _) => Relation::Superset,
        (_, Value::Any) => Relation::Subset,
        (Value::Na, Value::Text(_)) | (Value::Text(_), Value::Na) => Relation::Disjoint,
        (Value::Text(s), Value::Text(t)) if !s.has_wildcards() => {
            if s.body == t.body {
                Relation::Equal
            } else {
                Relation::Disjoint
            }
        }
        (Value::Text(s), Value::Text(t)) => {
            if s.matches(&t.body) {
                Relation::Superset
            } else {
                Relation::Disjoint
            }
        }
    }
}

fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &name[prefix.len()..])
}

/// IR 7695 §6.1.3: up to seven `:`-separated components after `cpe:/`; one missing or empty is
/// ANY; an edition that starts with `~` packs five attributes (edition, sw_edition, target_sw,
/// target_hw, other).
fn unbind_uri(rest: &str) -> Result<Wfn, CpeNameError> {
    let components: Vec<&str> = rest.split(':').collect();
    if components.len() > 7 {
        return Err(CpeNameError::TooManyUriComponents(components.len()));
    }
    let mut values: [Value; 11] = std::array::from_fn(|_| Value::Any);
    for (i, component) in components.iter().enumerate() {
        if i == EDITION && component.starts_with('~') {
            let packed: Vec<&str> = component[1..].split('~').collect();
            if packed.len() != 5 {
                return Err(CpeNameError::BadPackedEdition(packed.len()));
            }
            for (offset, field) in packed.iter().enumerate() {
                let attribute = if offset == 0 { EDITION } else { 6 + offset };
                values[attribute] = decode_uri_value(field, ATTRIBUTES[attribute])?;
            }
        } else {
            values[i] = decode_uri_value(component, ATTRIBUTES[i])?;
        }
    }
    check_attributes(Wfn { values })
}

/// IR 7695 §6.1.3 (`decode`): lower-cased; letters, digits, `_`, `.`, `-`, `~` stand for
/// themselves; `%01` and `%02` are the wildcards `?` and `*`; the other percent-encodings name the
/// punctuation that a WFN quotes. Nothing else may appear.
fn decode_uri_value(component: &str, attribute: &'static str) -> Result<Value, CpeNameError> {
    match component {
        "" => return Ok(Value::Any),
        "-" => return Ok(Value::Na),
        _ => {}
    }
    let mut tokens = Vec::new();
    let mut chars = component.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '~') => {
                tokens.push(Token::Char(c.to_ascii_lowercase()));
            }
            '%' => {
                let code: String = chars.by_ref().take(2).collect();
                let bad = || CpeNameError::BadPercent { attribute, code: code.clone() };
                if code.len() != 2 || !code.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err(bad());
                }
                let byte = u8::from_str_radix(&code, 16).map_err(|_| bad())?;
                tokens.push(match byte {
                    0x01 => Token::One,
                    0x02 => Token::Many,
                    _ if is_quotable(byte) => Token::Char(char::from(byte)),
                    _ => return Err(bad()),
                });
            }
            character => {
                return Err(CpeNameError::BadCharacter {
                    attribute,
                    character,
                    hint: " (a URI binding percent-encodes punctuation)",
                });
            }
        }
    }
    pattern(&tokens, attribute)
}

/// The punctuation the URI binding percent-encodes (IR 7695 §6.1.3, the table of `decode`):
/// printable ASCII other than letters, digits and `_`, `.`, `-` (which it writes as they are;
/// `~` it writes either way).
fn is_quotable(byte: u8) -> bool {
    byte.is_ascii_punctuation() && !matches!(byte, b'_' | b'.' | b'-')
}

/// IR 7695 §6.2.3: exactly eleven components after `cpe:2.3:`, separated by `:` that no `\`
/// quotes.
fn unbind_formatted_string(rest: &str) -> Result<Wfn, CpeNameError> {
    let mut components = Vec::new();
    let mut current = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(quoted) = chars.next() {
                    current.push(quoted);
                }
            }
            ':' => components.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    components.push(current);
    if components.len() != 11 {
        return Err(CpeNameError::WrongComponentCount(components.len()));
    }
    let mut values: [Value; 11] = std::array::from_fn(|_| Value::Any);
    for (i, component) in components.iter().enumerate() {
        values[i] = unbind_formatted_value(component, ATTRIBUTES[i])?;
    }
    check_attributes(Wfn { values })
}

/// IR 7695 §6.2.3 (`unbind_value_fs`, `add_quoting`): `*` alone is ANY, `-` alone NA; `\` quotes
/// the next character; an unquoted `*` or `?` is a wildcard.
fn unbind_formatted_value(component: &str, attribute: &'static str) -> Result<Value, CpeNameError> {
    match component {
        "" => return Err(CpeNameError::EmptyComponent { attribute }),
        "*" => return Ok(Value::Any),
        "-" => return Ok(Value::Na),
        _ => {}
    }
    let mut tokens = Vec::new();
    let mut chars = component.chars();
    while let Some(c) = chars.next() {
        let token = match c {
            '\\' => match chars.next() {
                Some(quoted) => Token::Char(printable(quoted, attribute)?.to_ascii_lowercase()),
                None => return Err(CpeNameError::DanglingEscape { attribute }),
            },
            '*' => Token::Many,
            '?' => Token::One,
            // Unquoted punctuation is taken as quoted, as `add_quoting` does.
            c => Token::Char(printable(c, attribute)?.to_ascii_lowercase()),
        };
        tokens.push(token);
    }
    pattern(&tokens, attribute)
}

/// A WFN's value strings hold printable ASCII other than the space (IR 7695 §5.3.2).
fn printable(c: char, attribute: &'static str) -> Result<char, CpeNameError> {
    if c.is_ascii_graphic() {
        Ok(c)
    } else {
        Err(CpeNameError::BadCharacter { attribute, character: c, hint: " (printable ASCII only)" })
    }
}

/// A value string as characters and unquoted wildcards, before the wildcards are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    One,
    Many,
}

/// IR 7695 §5.3.2: a single `*` may open and/or close a value, a run of `?` may open and/or close
/// it (not both kinds at one end), and some character must remain between them.
fn pattern(tokens: &[Token], attribute: &'static str) -> Result<Value, CpeNameError> {
    let body_start = tokens.iter().position(|t| matches!(t, Token::Char(_)));
    let Some(start) = body_start else { return Err(CpeNameError::OnlyWildcards { attribute }) };
    let end = tokens.iter().rposition(|t| matches!(t, Token::Char(_))).map_or(start, |e| e + 1);
    let body: String = tokens[start..end]
        .iter()
        .map(|t| match t {
            Token::Char(c) => Ok(*c),
            _ => Err(CpeNameError::EmbeddedWildcard { attribute }),
        })
        .collect::<Result<_, _>>()?;
    let end_wildcard = |run: &[Token]| match run {
        [] => Ok(Wildcard::None),
        [Token::Many] => Ok(Wildcard::Many),
        run if run.iter().all(|t| *t == Token::One) => Ok(Wildcard::Exactly(run.len())),
        _ => Err(CpeNameError::EmbeddedWildcard { attribute }),
    };
    Ok(Value::Text(Pattern {
        leading: end_wildcard(&tokens[..start])?,
        body,
        trailing: end_wildcard(&tokens[end..])?,
    }))
}

/// The attributes whose values are restricted beyond a value string (IR 7695 §5.3.3): part is
/// `a`, `o` or `h`; language a language tag (the formatted-string schema's pattern).
fn check_attributes(wfn: Wfn) -> Result<Wfn, CpeNameError> {
    if let Value::Text(part) = &wfn.values[PART]
        && (part.has_wildcards() || !matches!(part.body.as_str(), "a" | "o" | "h"))
    {
        return Err(CpeNameError::BadPart(Value::Text(part.clone()).to_string()));
    }
    if let Value::Text(language) = &wfn.values[LANGUAGE]
        && (language.has_wildcards() || !is_language_tag(&language.body))
    {
        return Err(CpeNameError::BadLanguage(Value::Text(language.clone()).to_string()));
    }
    Ok(wfn)
}

fn is_language_tag(tag: &str) -> bool {
    let (language, region) = match tag.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (tag, None),
    };
    let letters = |s: &str| s.chars().all(|c| c.is_ascii_alphabetic());
    let language_ok = (2..=3).contains(&language.len()) && letters(language);
    let region_ok = match region {
        None => true,
        Some(r) => (r.len() == 2 && letters(r)) || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit())),
    };
    language_ok && region_ok
}

/// A value as a WFN writes it (IR 7695 §5.4): in quotes, every character but letters, digits and
/// `_` quoted with `\`, the wildcards unquoted.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wildcard = |f: &mut fmt::Formatter<'_>, w: Wildcard| match w {
            Wildcard::None => Ok(()),
            Wildcard::Many => f.write_str("*"),
            Wildcard::Exactly(n) => f.write_str(&"?".repeat(n)),
        };
        match self {
            Value::Any => f.write_str("ANY"),
            Value::Na => f.write_str("NA"),
            Value::Text(p) => {
                f.write_str("\"")?;
                wildcard(f, p.leading)?;
                for c in p.body.chars() {
                    if !(c.is_ascii_alphanumeric() || c == '_') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                wildcard(f, p.trailing)?;
                f.write_str("\"")
            }
        }
    }
}

/// `wfn:[part="o",vendor="redhat",…]`, leaving out the attributes that are ANY (IR 7695 §5.4).
impl fmt::Display for Wfn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<String> = ATTRIBUTES
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| **v != Value::Any)
            .map(|(name, v)| format!("{name}={v}"))
            .collect();
        write!(f, "wfn:[{}]", set.join(","))
    }
}

impl Value {
    /// A literal value string (for building names in code and tests).
    pub fn literal(text: &str) -> Value {
        Value::Text(Pattern::literal(&text.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod tests;
