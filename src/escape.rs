//! Escaping for the templates, and the one minijinja environment every XML or HTML template uses:
//! its formatter escapes each printed value (whatever the template's file name), so host data and
//! content text cannot break a document; `Value::from_safe_string` marks pre-built markup.

use std::borrow::Cow;

use minijinja::{AutoEscape, Environment};

/// Escape text for XML 1.0 element content and attribute values. Characters XML 1.0 does not allow
/// at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD; CR, LF and TAB are written as character
/// references so attribute-value and end-of-line normalisation keep them.
pub fn escape_xml(text: &str) -> Cow<'_, str> {
    escape_xml_with(text, false)
}

/// [`escape_xml`], but line feeds and tabs stay literal: for element content that people read in
/// the file (DISA's multi-line check and fix text in a built benchmark).
pub fn escape_xml_keep_lines(text: &str) -> Cow<'_, str> {
    escape_xml_with(text, true)
}

fn escape_xml_with(text: &str, literal_lines: bool) -> Cow<'_, str> {
    let needs_work = text.chars().any(|c| {
        matches!(c, '<' | '>' | '&' | '"' | '\'' | '\r')
            || (!literal_lines && matches!(c, '\n' | '\t'))
            || !allowed(c)
    });
    if !needs_work {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if literal_lines => out.push(c),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// XML 1.0 `Char` production (surrogates cannot occur in a Rust `str`).
pub(crate) fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape text for HTML element content and quoted attribute values. Newlines stay as they are
/// (the report shows text in `pre-wrap` blocks), unlike XML attribute escaping.
pub fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['<', '>', '&', '"', '\'', '\0']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An environment (trimmed blocks) whose formatter prints every value through `escape`, except
/// values marked safe; `none` and undefined print nothing. Callers add their templates.
pub fn escaping_environment(
    escape: fn(&str) -> Cow<'_, str>,
) -> Result<Environment<'static>, minijinja::Error> {
    let mut environment = Environment::new();
    environment.set_syntax(
        minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build()?,
    );
    environment.set_auto_escape_callback(|_| AutoEscape::None);
    environment.set_formatter(move |out, _state, value| {
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        match value.as_str() {
            Some(text) if value.is_safe() => out.write_str(text)?,
            Some(text) => out.write_str(&escape(text))?,
            None => out.write_str(&escape(&value.to_string()))?,
        }
        Ok(())
    });
    Ok(environment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_xml_keeps_text_and_drops_what_xml_forbids() {
        assert_eq!(escape_xml("plain"), "plain");
        assert!(matches!(escape_xml("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_xml("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
        assert_eq!(escape_xml("]]>"), "]]&gt;");
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\u{ffff}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
        assert_eq!(escape_xml("l1\r\nl2\t"), "l1&#13;&#10;l2&#9;");
        assert_eq!(escape_xml("é𝄞"), "é𝄞");
    }

    #[test]
    fn escape_html_neutralises_markup_and_keeps_newlines() {
        assert_eq!(
            escape_html("</script><script>alert('x')</script>\n&"),
            "&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\n&amp;"
        );
        assert!(matches!(escape_html("plain\ntext"), Cow::Borrowed(_)));
    }
}
