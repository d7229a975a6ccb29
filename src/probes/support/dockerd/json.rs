//! daemon.json read as dockerd reads it: strict JSON (RFC 8259, Go's `encoding/json`), with the
//! line and column of every value so the evidence can say where a setting came from.
//!
//! What differs from a YAML reader (oscap's yamlfilecontent): trailing commas, comments, single
//! quotes, block-style YAML and a byte-order mark are errors, as they are for dockerd; bytes that
//! are not UTF-8 are an error, not replaced, because the scanner cannot know what dockerd makes of
//! them. A key given twice keeps every occurrence here; [`Object::get`] returns the last, the one
//! Go's decoder keeps.

use std::fmt;

/// Go's decoder nests up to 10 000 levels; a daemon.json never comes near this, and recursion
/// stays well inside the stack.
const MAX_DEPTH: usize = 512;

/// A position in the file, 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written (dockerd's settings that are numbers are compared as text).
    Number(String),
    String(String),
    Array(Vec<Located>),
    Object(Object),
}

impl Value {
    /// `object`, `array`, … for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub value: Value,
    pub at: Position,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_at: Position,
    pub value: Located,
}

/// An object's members in file order, duplicates included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    pub members: Vec<Member>,
}

impl Object {
    /// The member that wins: the last one with this key.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members.iter().rev().find(|m| m.key == key)
    }

    /// Members that a later member of the same key overrides.
    pub fn overridden(&self) -> impl Iterator<Item = (&Member, &Member)> {
        self.members.iter().enumerate().filter_map(|(i, m)| {
            let winner = self.members[i + 1..].iter().rev().find(|later| later.key == m.key)?;
            Some((m, winner))
        })
    }

    /// Keys in first-seen order, each once.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for m in &self.members {
            if !keys.contains(&m.key.as_str()) {
                keys.push(&m.key);
            }
        }
        keys
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct JsonError {
    pub at: Position,
    pub message: String,
}

/// Parse a whole file: one JSON value, nothing but whitespace around it.
pub fn parse(bytes: &[u8]) -> Result<Located, JsonError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = position_of(bytes, e.valid_up_to());
        JsonError { at, message: "not valid UTF-8".to_string() }
    })?;
    let mut reader = Reader { text, offset: 0, line: 1, column: 1 };
    reader.skip_whitespace();
    if reader.text.starts_with('\u{feff}') {
        return Err(reader.error("a byte-order mark, which dockerd does not accept"));
    }
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.offset < reader.text.len() {
        return Err(reader.error("content after the end of the JSON value"));
    }
    Ok(value)
}

/// Line and column of byte `offset` in `bytes`, counting the valid UTF-8 before it.
fn position_of(bytes: &[u8], offset: usize) -> Position {
    let before = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

struct Reader<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    column: usize,
}

impl Reader<'_> {
    fn here(&self) -> Position {
        Position { line: self.line, column: self.column }
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError { at: self.here(), message: message.into() }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, wanted: char, context: &str) -> Result<(), JsonError> {
        match self.peek() {
            Some(c) if c == wanted => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected `{wanted}` {context}, found `{c}`"))),
            None => Err(self.error(format!("expected `{wanted}` {context}, found the end of the file"))),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Located, JsonError> {
        let max = crate::limits::get().yaml_depth.min(MAX_DEPTH);
        if depth > max {
            return Err(self.error(format!("values nested deeper than {max} levels (limit `yaml-depth`)")));
        }
        let at = self.here();
        let value = match self.peek() {
            Some('{') => Value::Object(self.object(depth)?),
            Some('[') => Value::Array(self.array(depth)?),
            Some('"') => Value::String(self.string()?),
            Some('-' | '0'..='9') => Value::Number(self.number()?),
            Some('t') => self.literal("true", Value::Bool(true))?,
            Some('f') => self.literal("false", Value::Bool(false))?,
            Some('n') => self.literal("null", Value::Null)?,
            Some(c) => return Err(self.error(format!("`{c}` cannot start a JSON value"))),
            None => return Err(self.error("the file ends where a value should be")),
        };
        Ok(Located { value, at })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.text[self.offset..].starts_with(word) {
            for _ in word.chars() {
                self.bump();
            }
            Ok(value)
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Object, JsonError> {
        self.expect('{', "to open an object")?;
        let mut object = Object::default();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(object);
        }
        loop {
            self.skip_whitespace();
            let key_at = self.here();
            if self.peek() != Some('"') {
                let what =
                    if self.peek() == Some('}') { "a trailing comma" } else { "a key that is not a string" };
                return Err(self.error(format!("{what}: object keys are double-quoted strings")));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(':', "after an object key")?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            object.members.push(Member { key, key_at, value });
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return Ok(object),
                Some(c) => return Err(self.error_before(c, "expected `,` or `}` in an object")),
                None => return Err(self.error("the file ends inside an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Located>, JsonError> {
        self.expect('[', "to open an array")?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(items);
        }
        loop {
            self.skip_whitespace();
            if self.peek() == Some(']') {
                return Err(self.error("a trailing comma in an array"));
            }
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return Ok(items),
                Some(c) => return Err(self.error_before(c, "expected `,` or `]` in an array")),
                None => return Err(self.error("the file ends inside an array")),
            }
        }
    }

    /// An error about the character just consumed.
    fn error_before(&self, c: char, message: &str) -> JsonError {
        let at = Position { line: self.line, column: self.column.saturating_sub(1).max(1) };
        JsonError { at, message: format!("{message}, found `{c}`") }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect('"', "to open a string")?;
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else { return Err(self.error("the file ends inside a string")) };
            match c {
                '"' => return Ok(out),
                '\\' => self.escape(&mut out)?,
                c if (c as u32) < 0x20 => {
                    return Err(self.error("a control character inside a string (write it as an escape)"));
                }
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(c) = self.bump() else { return Err(self.error("the file ends inside an escape")) };
        let simple = match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = self.hex4()?;
                let decoded =
                    if (0xD800..0xDC00).contains(&first) && self.text[self.offset..].starts_with("\\u") {
                        let rest = &self.text[self.offset + 2..];
                        let second = rest.get(..4).and_then(|h| u32::from_str_radix(h, 16).ok());
                        match second {
                            Some(low) if (0xDC00..0xE000).contains(&low) => {
                                self.bump();
                                self.bump();
                                self.hex4()?;
                                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))
                            }
                            _ => None,
                        }
                    } else {
                        char::from_u32(first)
                    };
                // A lone surrogate: Go's decoder puts U+FFFD in its place, and so does dockerd.
                out.push(decoded.unwrap_or('\u{fffd}'));
                return Ok(());
            }
            other => return Err(self.error(format!("`\\{other}` is not a JSON escape"))),
        };
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits =
            self.text.get(self.offset..self.offset + 4).filter(|d| d.chars().all(|c| c.is_ascii_hexdigit()));
        let Some(digits) = digits else { return Err(self.error("`\\u` needs four hexadecimal digits")) };
        let value = u32::from_str_radix(digits, 16).map_err(|_| self.error("bad `\\u` escape"))?;
        for _ in 0..4 {
            self.bump();
        }
        Ok(value)
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.offset;
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                self.bump();
            }
            Some('1'..='9') => self.digits(),
            _ => return Err(self.error("a number needs a digit")),
        }
        if self.peek() == Some('.') {
            self.bump();
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(self.error("a digit must follow the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(self.error("a digit must follow the exponent"));
            }
            self.digits();
        }
        let text = &self.text[start..self.offset];
        // dockerd decodes daemon.json into Go float64s first: a number beyond their range is an
        // error there (found by the yaml_json fuzz target), so it is one here.
        if !text.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(self.error(format!("the number `{text}` is out of range")));
        }
        Ok(text.to_string())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some('0'..='9')) {
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object {
        match parse(text.as_bytes()).unwrap().value {
            Value::Object(o) => o,
            other => panic!("{other:?}"),
        }
    }

    fn error(text: &[u8]) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn values_keep_their_positions() {
        let o = object("{\n  \"hosts\": [\"unix:///var/run/docker.sock\"],\n  \"debug\": true\n}");
        let hosts = o.get("hosts").unwrap();
        assert_eq!((hosts.key_at.line, hosts.key_at.column), (2, 3));
        let Value::Array(items) = &hosts.value.value else { panic!() };
        assert_eq!(items[0].at, Position { line: 2, column: 13 });
        assert_eq!(o.get("debug").unwrap().value.value, Value::Bool(true));
    }

    #[test]
    fn the_last_duplicate_wins_and_the_others_are_listed() {
        let o = object(r#"{"tlskey": "/a", "debug": false, "tlskey": "/b"}"#);
        assert_eq!(o.get("tlskey").unwrap().value.value, Value::String("/b".into()));
        let overridden: Vec<(&str, usize)> =
            o.overridden().map(|(m, winner)| (m.key.as_str(), winner.key_at.column)).collect();
        assert_eq!(overridden, [("tlskey", 34)]);
        assert_eq!(o.keys(), ["tlskey", "debug"]);
    }

    #[test]
    fn what_dockerd_refuses_is_an_error_with_its_place() {
        assert!(error(b"{\"a\": 1,}").contains("1:9: a trailing comma"), "{}", error(b"{\"a\": 1,}"));
        assert!(error(b"[1,]").contains("trailing comma"));
        assert!(error(b"log-driver: syslog\n").contains("1:1: `l` cannot start a JSON value"));
        assert!(error(b"{'a': 1}").contains("double-quoted"));
        assert!(error(b"{\"a\": 1} // note").contains("after the end"));
        assert!(error(b"{\"a\": 1 /* c */}").contains("expected `,` or `}`"));
        assert!(error(b"\xef\xbb\xbf{}").contains("byte-order mark"));
        assert!(error(b"{\"a\": 01}").contains("expected `,` or `}`"));
        assert!(error(b"{\"a\": \"x\ny\"}").contains("control character"));
        assert!(error(b"{\"a\": tru}").contains("expected `true`"));
        assert!(error(b"{\"a\": \"\\x\"}").contains("not a JSON escape"));
        assert!(error(b"{\"a\": ").contains("ends where a value should be"));
        assert!(error(b"").contains("ends where a value should be"));
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_replacement() {
        let e = parse(b"{\n  \"tlskey\": \"/etc/docker/k\xffy.pem\"\n}").unwrap_err();
        assert_eq!((e.at.line, e.at.column), (2, 27));
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn strings_numbers_and_escapes() {
        let o = object(r#"{"s": "a\"b\\c\/\u00e9\ud83d\ude00\ud800", "n": -1.5e3, "z": 0, "nil": null}"#);
        assert_eq!(o.get("s").unwrap().value.value, Value::String("a\"b\\c/é😀\u{fffd}".into()));
        assert_eq!(o.get("n").unwrap().value.value, Value::Number("-1.5e3".into()));
        assert_eq!(o.get("z").unwrap().value.value, Value::Number("0".into()));
        assert_eq!(o.get("nil").unwrap().value.value, Value::Null);
        assert!(error(b"{\"n\": 1.}").contains("decimal point"));
        assert!(error(b"{\"n\": -}").contains("needs a digit"));
    }

    #[test]
    fn numbers_beyond_a_float64_are_refused_as_dockerd_refuses_them() {
        assert!(error(b"{\"n\": 1e400}").contains("out of range"));
        assert!(error(b"2220000189667322e6673").contains("out of range"));
        assert!(parse(b"{\"n\": 1e300, \"m\": 123456789012345678901234567890}").is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(error(deep.as_bytes()).contains("limit `yaml-depth`"));
        let fine = "[".repeat(50) + &"]".repeat(50);
        assert!(parse(fine.as_bytes()).is_ok());
    }
}
