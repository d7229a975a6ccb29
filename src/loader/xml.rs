//! Shared streaming-XML helpers for the loaders: a pull cursor over a borrowed document with its
//! own namespace scoping, positions as `file:line:column`, and element text as plain text plus
//! raw inner markup.
//!
//! Why not a DOM: a 24 MB SCAP data stream needs only one of its components parsed; a streaming
//! pass straight into the model keeps memory near the size of the input and avoids building
//! millions of nodes that are thrown away. Namespaces are resolved here rather than by
//! quick-xml's `NsReader` so that a component can be parsed from the middle of a data stream
//! with the bindings of its ancestors seeded in.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::error::LoadError;
use crate::model::location::Location;
use crate::model::xccdf::Text;

/// How deep elements may nest in content stigrun reads. SCAP content nests a few dozen levels
/// (data stream → component → Benchmark → Groups → Rule → check); 256 leaves room for any real
/// document.
pub const MAX_ELEMENT_DEPTH: usize = 256;

pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// A start (or empty) element the cursor stopped at. Borrowed from the document.
#[derive(Debug, Clone)]
pub struct Elem<'a> {
    /// Resolved namespace URI ("" when none).
    pub ns: &'a str,
    pub local: &'a str,
    pub qname: &'a str,
    /// Tag content after `<` without the closing `>` / `/>`: name plus attributes.
    content: &'a str,
    /// Absolute byte offset of the `<`.
    pub offset: usize,
    /// `<x/>`: no children, no text.
    pub empty: bool,
    /// Number of open elements including this one (for a non-empty element).
    depth: usize,
}

impl<'a> Elem<'a> {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns == ns
    }

    /// The raw, still escaped attributes of this element.
    fn attributes(&self) -> RawAttrs<'a> {
        RawAttrs { content: self.content, pos: self.qname.len() }
    }
}

/// Counts lines incrementally; the cursor only moves forward, so each byte is counted once.
#[derive(Debug, Clone)]
struct LineCounter {
    offset: usize,
    line: u32,
    line_start: usize,
}

impl LineCounter {
    fn start() -> Self {
        LineCounter { offset: 0, line: 1, line_start: 0 }
    }

    fn locate(&mut self, src: &[u8], offset: usize) -> (u32, u32) {
        let offset = offset.min(src.len());
        if offset < self.offset {
            *self = LineCounter::start();
        }
        let chunk = &src[self.offset..offset];
        let newlines = memchr::memchr_iter(b'\n', chunk).count();
        if newlines > 0 {
            self.line += newlines as u32;
            if let Some(last) = memchr::memrchr(b'\n', chunk) {
                self.line_start = self.offset + last + 1;
            }
        }
        self.offset = offset;
        (self.line, (offset - self.line_start) as u32 + 1)
    }
}

/// Pull cursor over one document (or a byte range of it).
pub struct Cursor<'a> {
    src: &'a str,
    reader: Reader<&'a [u8]>,
    /// Absolute offset of the reader's slice in `src`.
    base: usize,
    /// Absolute end of the range this cursor reads.
    end: usize,
    file: Arc<str>,
    lines: LineCounter,
    /// Namespace bindings in scope: (prefix, uri); "" is the default namespace.
    bindings: Vec<(&'a str, &'a str)>,
    /// For every open element: its qname and the bindings length before it.
    open: Vec<(&'a str, usize)>,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str, file: Arc<str>) -> Self {
        Self::over_range(src, 0..src.len(), file, Vec::new())
    }

    /// A cursor over `src[range]` (e.g. one data-stream component), with namespace bindings
    /// inherited from the ancestors outside the range.
    pub fn over_range(
        src: &'a str,
        range: std::ops::Range<usize>,
        file: Arc<str>,
        inherited: Vec<(&'a str, &'a str)>,
    ) -> Self {
        Cursor {
            src,
            reader: new_reader(src.get(range.clone()).unwrap_or("")),
            base: range.start,
            end: range.end,
            file,
            lines: LineCounter::start(),
            bindings: inherited,
            open: Vec::new(),
        }
    }

    pub fn src(&self) -> &'a str {
        self.src
    }

    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    pub fn location(&mut self, offset: usize) -> Location {
        let (line, column) = self.lines.locate(self.src.as_bytes(), offset);
        Location::new(self.file.clone(), line, column)
    }

    fn position(&self) -> usize {
        self.base + self.reader.buffer_position() as usize
    }

    pub fn syntax_error(&mut self, offset: usize, message: impl Into<String>) -> LoadError {
        LoadError::Syntax { location: self.location(offset), message: message.into() }
    }

    /// The namespace bound to `prefix` ("" for the default namespace).
    pub fn resolve_prefix(&self, prefix: &str) -> Option<&'a str> {
        if prefix == "xml" {
            return Some(NS_XML);
        }
        self.bindings.iter().rev().find(|(p, _)| *p == prefix).map(|(_, uri)| *uri)
    }

    /// All bindings currently in scope (to seed a cursor over a sub-range).
    pub fn bindings(&self) -> Vec<(&'a str, &'a str)> {
        self.bindings.clone()
    }

    /// Map a slice handed out by quick-xml back into `src`, to get the document lifetime.
    fn reborrow(&self, piece: &str) -> &'a str {
        let start = (piece.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
        self.src.get(start..start + piece.len()).unwrap_or("")
    }

    fn read(&mut self) -> Result<(usize, Event<'a>), LoadError> {
        let before = self.position();
        match self.reader.read_event() {
            Ok(event) => Ok((before, event)),
            Err(err) => {
                let at = self.base + self.reader.error_position() as usize;
                Err(self.syntax_error(at, err.to_string()))
            }
        }
    }

    fn eof_error(&mut self, offset: usize) -> LoadError {
        let expected = match self.open.last() {
            Some((name, _)) => format!("unexpected end of file: expected `</{name}>`"),
            None => "unexpected end of file: expected a root element".to_string(),
        };
        self.syntax_error(offset, expected)
    }

    /// Build an element from a start tag, pushing its namespace declarations.
    fn open_elem(&mut self, tag: &str, offset: usize, empty: bool) -> Result<Elem<'a>, LoadError> {
        // The parsers descend recursively (nested Groups, complex-checks): hostile nesting is
        // refused here, once for all of them, before it can exhaust the stack.
        let max = crate::limits::get().xml_depth.min(MAX_ELEMENT_DEPTH);
        if self.open.len() >= max {
            return Err(self.syntax_error(
                offset,
                format!("elements nested deeper than {max} levels (limit `xml-depth`); stigrun reads content up to that depth"),
            ));
        }
        let content = self.reborrow(tag);
        let name_len = content.bytes().position(|b| b.is_ascii_whitespace()).unwrap_or(content.len());
        let qname = &content[..name_len];
        let mark = self.bindings.len();
        if has_xmlns(&content.as_bytes()[name_len..]) {
            for attr in (RawAttrs { content, pos: name_len }) {
                let (key, value) = match attr {
                    Ok(a) => a,
                    Err(message) => return Err(self.syntax_error(offset, message)),
                };
                if key == "xmlns" {
                    self.bindings.push(("", value));
                } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                    self.bindings.push((prefix, value));
                }
            }
        }
        let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
        let ns = match self.resolve_prefix(prefix) {
            Some(ns) => ns,
            None if prefix.is_empty() => "",
            None => {
                self.bindings.truncate(mark);
                return Err(self.syntax_error(offset, format!("namespace prefix `{prefix}` is not declared")));
            }
        };
        if empty {
            self.bindings.truncate(mark);
        } else {
            self.open.push((qname, mark));
        }
        Ok(Elem { ns, local, qname, content, offset, empty, depth: self.open.len() })
    }

    fn close(&mut self) {
        if let Some((_, mark)) = self.open.pop() {
            self.bindings.truncate(mark);
        }
    }

    /// The document's root element (after the prolog). The whole range is first checked for
    /// what quick-xml lets through in tags (see [`attribute_syntax_error`]), so parts the loaders
    /// skip unread are checked too.
    pub fn root(&mut self) -> Result<Elem<'a>, LoadError> {
        if let Some((at, message)) = attribute_syntax_error(self.src.get(self.base..self.end).unwrap_or("")) {
            return Err(self.syntax_error(self.base + at, message));
        }
        loop {
            let (at, event) = self.read()?;
            match event {
                Event::Start(e) => return self.open_elem(&e, at, false),
                Event::Empty(e) => return self.open_elem(&e, at, true),
                Event::Eof => return Err(self.eof_error(at)),
                Event::Text(t) if !t.trim_ascii().is_empty() => {
                    return Err(self.syntax_error(at, "expected `<` (text before the root element)"));
                }
                _ => {}
            }
        }
    }

    /// The next child element of `parent`, or `None` once `parent` has closed. Children the
    /// caller did not consume are skipped, so callers only handle what they know.
    pub fn child(&mut self, parent: &Elem<'a>) -> Result<Option<Elem<'a>>, LoadError> {
        if parent.empty || self.open.len() < parent.depth {
            return Ok(None);
        }
        loop {
            let (at, event) = self.read()?;
            match event {
                Event::Start(e) => {
                    if self.open.len() == parent.depth {
                        return self.open_elem(&e, at, false).map(Some);
                    }
                    // Inside an unconsumed child: track depth only.
                    let mark = self.bindings.len();
                    self.open.push((self.reborrow(e.name().0), mark));
                }
                Event::Empty(e) if self.open.len() == parent.depth => {
                    return self.open_elem(&e, at, true).map(Some);
                }
                Event::End(e) => {
                    if let Some((name, _)) = self.open.last()
                        && *name != e.name().0
                    {
                        let message = format!("expected `</{name}>`, but `</{}>` was found", e.name().0);
                        return Err(self.syntax_error(at, message));
                    }
                    self.close();
                    if self.open.len() < parent.depth {
                        return Ok(None);
                    }
                }
                Event::Eof => return Err(self.eof_error(at)),
                _ => {}
            }
        }
    }

    /// Skip the rest of `elem`.
    pub fn skip(&mut self, elem: &Elem<'a>) -> Result<(), LoadError> {
        if !elem.empty && self.open.len() == elem.depth {
            // Fast path: quick-xml scans to the matching end tag without producing events.
            return self.read_to_end_of(elem).map(|_| ());
        }
        while self.child(elem)?.is_some() {}
        Ok(())
    }

    /// Skip the rest of `elem` by searching for its end tag `</qname>` instead of tokenising
    /// the content: a data-stream component is megabytes of XML that is parsed (and checked)
    /// only if it is used. The content must not hold the literal end tag in a comment or CDATA.
    /// Returns the absolute offset of the end tag's `<`.
    pub fn skip_by_search(&mut self, elem: &Elem<'a>) -> Result<usize, LoadError> {
        let from = self.position();
        if elem.empty || self.open.len() < elem.depth {
            return Ok(from);
        }
        let needle = format!("</{}", elem.qname);
        let haystack = self.src.as_bytes().get(from..self.end).unwrap_or(&[]);
        let mut search_from = 0;
        let found = loop {
            let Some(hit) = memchr::memmem::find(&haystack[search_from..], needle.as_bytes()) else {
                break None;
            };
            let tag_start = search_from + hit;
            let after = tag_start + needle.len();
            match haystack.get(after) {
                Some(b'>') => break Some((tag_start, after + 1)),
                Some(c) if c.is_ascii_whitespace() => {
                    break memchr::memchr(b'>', &haystack[after..]).map(|gt| (tag_start, after + gt + 1));
                }
                _ => search_from = after,
            }
        };
        let Some((tag_start, tag_end)) = found else {
            // Report where the element started: its content was never read.
            self.open.truncate(elem.depth);
            let opened = self.location(elem.offset);
            let mut err = self.eof_error(self.end);
            if let LoadError::Syntax { message, .. } = &mut err {
                message.push_str(&format!(" (opened at line {}, column {})", opened.line, opened.column));
            }
            return Err(err);
        };
        while self.open.len() >= elem.depth {
            self.close();
        }
        self.restart_at(from + tag_end);
        Ok(from + tag_start)
    }

    /// Text content of `elem` (read to its end).
    pub fn text(&mut self, elem: &Elem<'a>) -> Result<String, LoadError> {
        Ok(self.content(elem)?.text)
    }

    /// Text content of `elem` with the raw inner markup kept when there is any.
    pub fn content(&mut self, elem: &Elem<'a>) -> Result<Text, LoadError> {
        if elem.empty || self.open.len() < elem.depth {
            return Ok(Text::default());
        }
        let start = self.position();
        let end = match self.plain_text_end(elem, start) {
            // Most XCCDF text is plain and ends at the next `<`: slice it without tokenising,
            // and restart the reader after the end tag.
            Some((end, resume)) => {
                self.close();
                self.restart_at(resume);
                end
            }
            None => self.read_to_end_of(elem)?,
        };
        let raw = self.src.get(start..end).unwrap_or("");
        // Fast path, most XCCDF text: no markup, no CDATA, no carriage returns to normalise.
        if memchr::memchr2(b'<', b'\r', raw.as_bytes()).is_none() {
            return match quick_xml::escape::unescape(raw) {
                Ok(text) => Ok(Text { text: text.into_owned(), markup: None }),
                Err(e) => Err(self.syntax_error(start, e.to_string())),
            };
        }
        self.render_fragment(raw, start)
    }

    /// When the first `<` after `start` opens `elem`'s own end tag, the offsets of that `<` and
    /// of the byte after the tag's `>`.
    fn plain_text_end(&self, elem: &Elem<'a>, start: usize) -> Option<(usize, usize)> {
        let bytes = self.src.as_bytes().get(..self.end)?;
        let lt = start + memchr::memchr(b'<', bytes.get(start..)?)?;
        let name_end = lt + 2 + elem.qname.len();
        if bytes.get(lt + 1) != Some(&b'/') || bytes.get(lt + 2..name_end)? != elem.qname.as_bytes() {
            return None;
        }
        let gt = name_end + bytes[name_end..].iter().position(|b| !b.is_ascii_whitespace())?;
        (bytes[gt] == b'>').then_some((lt, gt + 1))
    }

    /// Continue reading at absolute offset `at` with a fresh reader. Its end-tag checks cover
    /// only elements it opens; `child` checks the end tags of elements opened before.
    fn restart_at(&mut self, at: usize) {
        self.reader = new_reader(self.src.get(at..self.end).unwrap_or(""));
        self.base = at;
    }

    /// Read to the end tag of `elem` (opened in the current reader); returns the absolute
    /// offset of that end tag's `<`.
    fn read_to_end_of(&mut self, elem: &Elem<'a>) -> Result<usize, LoadError> {
        let at = self.position();
        match self.reader.read_to_end(quick_xml::name::QName(elem.qname)) {
            Ok(span) => {
                self.close();
                Ok(self.base + span.end as usize)
            }
            Err(quick_xml::Error::IllFormed(quick_xml::errors::IllFormedError::MissingEndTag(_))) => {
                let end = self.position().max(at);
                Err(self.eof_error(end))
            }
            Err(err) => {
                let at = self.base + self.reader.error_position() as usize;
                Err(self.syntax_error(at, err.to_string()))
            }
        }
    }

    /// Plain text of an element's inner XML with markup, keeping the markup raw.
    fn render_fragment(&mut self, raw: &'a str, start: usize) -> Result<Text, LoadError> {
        let mut out = Text { text: String::with_capacity(raw.len()), markup: None };
        let mut markup = false;
        let mut reader = Reader::from_str(raw);
        reader.config_mut().trim_text(false);
        loop {
            let at = start + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = start + reader.error_position() as usize;
                    return Err(self.syntax_error(at, e.to_string()));
                }
            };
            match event {
                Event::Text(t) => out.text.push_str(&t.xml10_content()),
                Event::CData(c) => out.text.push_str(&c),
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(ch)) => out.text.push(ch),
                    Ok(None) => match predefined_entity(&r) {
                        Some(s) => out.text.push_str(s),
                        None => return Err(self.syntax_error(at, format!("unknown entity `&{};`", &*r))),
                    },
                    Err(e) => return Err(self.syntax_error(at, e.to_string())),
                },
                Event::Start(e) => {
                    markup = true;
                    render_tag_start(&e, false, &mut out.text);
                }
                Event::Empty(e) => {
                    markup = true;
                    render_tag_start(&e, true, &mut out.text);
                }
                Event::End(e) => render_tag_end(e.local_name().as_ref(), &mut out.text),
                Event::Eof => break,
                _ => {}
            }
        }
        if markup {
            out.markup = Some(raw.to_string());
        }
        Ok(out)
    }

    /// An attribute by qualified name as written (`id`, `xml:lang`, `xlink:href`), unescaped.
    pub fn attr(&mut self, elem: &Elem<'a>, name: &str) -> Result<Option<Cow<'a, str>>, LoadError> {
        for attr in elem.attributes() {
            match attr {
                Ok((key, raw)) if key == name => return self.decode_attr(elem, raw).map(Some),
                Ok(_) => {}
                Err(message) => return Err(self.syntax_error(elem.offset, message)),
            }
        }
        Ok(None)
    }

    /// An attribute in a namespace (`xlink:href` whatever its prefix).
    pub fn attr_ns(
        &mut self,
        elem: &Elem<'a>,
        ns: &str,
        local: &str,
    ) -> Result<Option<Cow<'a, str>>, LoadError> {
        for attr in elem.attributes() {
            match attr {
                Ok((key, raw)) => {
                    if let Some((prefix, name)) = key.split_once(':')
                        && name == local
                        && prefix != "xmlns"
                        && self.resolve_prefix(prefix) == Some(ns)
                    {
                        return self.decode_attr(elem, raw).map(Some);
                    }
                }
                Err(message) => return Err(self.syntax_error(elem.offset, message)),
            }
        }
        Ok(None)
    }

    fn decode_attr(&mut self, elem: &Elem<'a>, raw: &'a str) -> Result<Cow<'a, str>, LoadError> {
        match decode_attr_value(raw) {
            Ok(v) => Ok(v),
            Err(e) => Err(self.syntax_error(elem.offset, e.to_string())),
        }
    }

    /// Byte range of the whole element `elem` (`<` … `>` of its end tag), reading to its end.
    pub fn element_range(&mut self, elem: &Elem<'a>) -> Result<std::ops::Range<usize>, LoadError> {
        self.skip(elem)?;
        Ok(elem.offset..self.position())
    }

    /// Text after the root element must be whitespace or comments only.
    pub fn finish(&mut self) -> Result<(), LoadError> {
        loop {
            let (at, event) = self.read()?;
            match event {
                Event::Eof => return Ok(()),
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.syntax_error(at, "expected end of file (second root element)"));
                }
                _ => {}
            }
        }
    }
}

/// Children of a small markup fragment as (local name, text), e.g. the Dublin Core elements of an
/// XCCDF `<reference>`. Prefixes are not resolved: only local names matter here.
pub fn fragment_children(markup: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(markup);
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                if depth == 1 {
                    current = Some((e.local_name().as_ref().to_string(), String::new()));
                }
            }
            Ok(Event::Empty(e)) if depth == 0 => {
                out.push((e.local_name().as_ref().to_string(), String::new()))
            }
            Ok(Event::Text(t)) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(c)) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&c);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some((_, text)) = current.as_mut() {
                    match r.resolve_char_ref() {
                        Ok(Some(ch)) => text.push(ch),
                        _ => text.push_str(predefined_entity(&r).unwrap_or("")),
                    }
                }
            }
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.extend(current.take());
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// Attributes of a start tag as (qualified name, raw value). A small scanner of our own: the
/// loader looks up a handful of attributes per element, and quick-xml's iterator (with its
/// duplicate checks and normalisation on every step) was the top entry in profiles.
struct RawAttrs<'a> {
    content: &'a str,
    pos: usize,
}

impl<'a> Iterator for RawAttrs<'a> {
    type Item = Result<(&'a str, &'a str), String>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.content.as_bytes();
        let skip_ws = |mut p: usize| {
            while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            p
        };
        let mut p = skip_ws(self.pos);
        if p >= bytes.len() || (bytes[p] == b'/' && p + 1 == bytes.len()) {
            return None;
        }
        let key_start = p;
        while p < bytes.len() && bytes[p] != b'=' && !bytes[p].is_ascii_whitespace() {
            p += 1;
        }
        let key = &self.content[key_start..p];
        p = skip_ws(p);
        let fail = |this: &mut Self, message: String| {
            this.pos = bytes.len();
            Some(Err(message))
        };
        if p >= bytes.len() || bytes[p] != b'=' {
            return fail(self, format!("expected `=` after attribute name `{key}`"));
        }
        p = skip_ws(p + 1);
        let quote = match bytes.get(p) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => return fail(self, format!("expected a quoted value for attribute `{key}`")),
        };
        let Some(len) = memchr::memchr(quote, &bytes[p + 1..]) else {
            return fail(self, format!("unterminated value of attribute `{key}`"));
        };
        let value = &self.content[p + 1..p + 1 + len];
        self.pos = p + len + 2;
        Some(Ok((key, value)))
    }
}

/// XML 1.0 §3.1 [10] `AttValue`: an attribute value may hold neither a raw `<` nor an `&` that
/// does not start a reference (§4.1 [67]). quick-xml's tag scanner lets both through; a document
/// with them is not well formed and is refused, as libxml2 (oscap, xmllint) refuses it. One pass
/// over the text: comments, CDATA, processing instructions and the DOCTYPE are stepped over,
/// start tags are read with their quotes. Returns the offset of the offending character.
fn attribute_syntax_error(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let find = |from: usize, needle: &[u8]| {
        memchr::memmem::find(&bytes[from.min(bytes.len())..], needle).map(|i| from + i)
    };
    let mut p = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[p..]).map(|i| p + i) {
        let rest = &bytes[lt + 1..];
        p = if rest.starts_with(b"!--") {
            find(lt + 4, b"-->")? + 3
        } else if rest.starts_with(b"![CDATA[") {
            find(lt + 9, b"]]>")? + 3
        } else if rest.starts_with(b"?") {
            find(lt + 2, b"?>")? + 2
        } else if rest.starts_with(b"!") {
            // DOCTYPE (with an internal subset in brackets) or another declaration.
            let close = find(lt + 1, b">")?;
            match memchr::memchr(b'[', &bytes[lt..close]) {
                Some(_) => find(lt + 1, b"]>").map_or(close + 1, |e| e + 2),
                None => close + 1,
            }
        } else {
            match start_tag_end(text, lt + 1) {
                Ok(end) => end,
                Err(problem) => return Some(problem),
            }
        };
    }
    None
}

/// [`attribute_syntax_error`] for the loaders that parse with roxmltree (which lets a raw `<` in
/// an attribute value through as well): the 1-based line and column of the problem, and why.
pub fn check_attribute_syntax(text: &str) -> Result<(), (u32, u32, String)> {
    match attribute_syntax_error(text) {
        None => Ok(()),
        Some((at, message)) => {
            let before = &text[..at];
            let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err((u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX), message))
        }
    }
}

/// The offset after the `>` of the tag starting at `from`, or where an attribute value breaks
/// XML 1.0 §3.1 and why. A tag left open is for quick-xml to report.
fn start_tag_end(text: &str, from: usize) -> Result<usize, (usize, String)> {
    let bytes = text.as_bytes();
    let mut p = from;
    let mut quote: Option<u8> = None;
    while p < bytes.len() {
        let b = bytes[p];
        match quote {
            None if b == b'>' => return Ok(p + 1),
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None => {}
            Some(q) if b == q => quote = None,
            Some(_) if b == b'<' => {
                return Err((
                    p,
                    "`<` is not allowed in an attribute value (XML 1.0 §3.1); write `&lt;`".into(),
                ));
            }
            Some(_) if b == b'&' && !is_reference(&text[p + 1..]) => {
                return Err((
                    p,
                    "`&` in an attribute value must start a reference such as `&amp;` (XML 1.0 §3.1, §4.1)"
                        .into(),
                ));
            }
            Some(_) => {}
        }
        p += 1;
    }
    Ok(bytes.len())
}

/// Does `rest` (the text after an `&`) start with `name;`, `#digits;` or `#xhex;`?
fn is_reference(rest: &str) -> bool {
    let Some(end) = rest.find(';') else { return false };
    let name = &rest[..end];
    match name.strip_prefix('#') {
        Some(num) => match num.strip_prefix('x') {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()),
        },
        None => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
                && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        }
    }
}

/// Does a start tag's attribute text declare a namespace? Checked on every element: a memchr
/// for `x` avoids setting up a substring searcher per call.
fn has_xmlns(attrs: &[u8]) -> bool {
    memchr::memchr_iter(b'x', attrs).any(|i| attrs[i..].starts_with(b"xmlns"))
}

/// Attribute-value normalisation (XML 1.0 §3.3.3: literal tabs and line breaks become spaces)
/// followed by entity expansion.
fn decode_attr_value(raw: &str) -> Result<Cow<'_, str>, quick_xml::escape::EscapeError> {
    let bytes = raw.as_bytes();
    if memchr::memchr3(b'&', b'\n', b'\t', bytes).is_none() && memchr::memchr(b'\r', bytes).is_none() {
        return Ok(Cow::Borrowed(raw));
    }
    let spaced: String = raw.chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }).collect();
    Ok(Cow::Owned(quick_xml::escape::unescape(&spaced)?.into_owned()))
}

fn new_reader(slice: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(slice);
    let config = reader.config_mut();
    config.check_end_names = true;
    // After a jump (see `Cursor::skip_by_search`) the reader has not seen the start tags of
    // the open elements; the cursor checks those end tags itself.
    config.allow_unmatched_ends = true;
    config.trim_text(false);
    reader
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn tag_local(tag: &str) -> &str {
    let name = tag.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
    name.rsplit_once(':').map(|(_, l)| l).unwrap_or(name)
}

/// Plain-text rendering of xhtml inside XCCDF text: line breaks for block elements, and
/// `<sub idref="v"/>` (a value substitution resolved only at evaluation) as `[v]`.
fn render_tag_start(tag: &str, empty: bool, out: &mut String) {
    let local = tag_local(tag);
    match local {
        "br" => out.push('\n'),
        "li" => out.push_str("\n- "),
        "sub" => {
            let name_len = tag.find(|c: char| c.is_ascii_whitespace()).unwrap_or(tag.len());
            let idref = (RawAttrs { content: tag, pos: name_len })
                .flatten()
                .find(|(k, _)| *k == "idref")
                .and_then(|(_, a)| decode_attr_value(a).ok().map(Cow::into_owned));
            if let Some(idref) = idref {
                out.push('[');
                out.push_str(&idref);
                out.push(']');
            }
        }
        "p" | "div" | "pre" | "ul" | "ol" | "table" | "tr" if empty => out.push('\n'),
        _ => {}
    }
}

fn render_tag_end(local: &str, out: &mut String) {
    if matches!(local, "p" | "div" | "pre" | "ul" | "ol" | "table" | "tr" | "li") {
        out.push('\n');
    }
}

/// The attribute names written in a start tag (`<name a="1" xmlns:p='u'>` → `a`, `xmlns:p`).
pub(crate) fn attribute_names(start_tag: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = start_tag.as_bytes();
    // Skip `<` and the element name.
    let mut i =
        start_tag.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(bytes.len());
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == name_start {
            return names;
        }
        names.push(&start_tag[name_start..i]);
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'=') {
            i += 1;
        }
        let Some(&quote) = bytes.get(i).filter(|b| matches!(b, b'"' | b'\'')) else { return names };
        i += 1;
        while i < bytes.len() && bytes[i] != quote {
            i += 1;
        }
        i += 1;
    }
}

/// Byte length of the start tag at the beginning of `text`, quotes respected.
pub(crate) fn start_tag_length(text: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(src: &str) -> Cursor<'_> {
        Cursor::new(src, Arc::from("t.xml"))
    }

    #[test]
    fn resolves_namespaces_and_skips_unknown_children() {
        let src =
            r#"<a:r xmlns:a="urn:a" xmlns="urn:d"><x><deep><deeper/></deep></x><y k="v&amp;w">t</y></a:r>"#;
        let mut c = cursor(src);
        let root = c.root().unwrap();
        assert!(root.is("urn:a", "r"));
        let x = c.child(&root).unwrap().unwrap();
        assert!(x.is("urn:d", "x"));
        // x's children are not consumed: the cursor skips them.
        let y = c.child(&root).unwrap().unwrap();
        assert_eq!(y.local, "y");
        assert_eq!(c.attr(&y, "k").unwrap().as_deref(), Some("v&w"));
        assert_eq!(c.text(&y).unwrap(), "t");
        assert!(c.child(&root).unwrap().is_none());
        c.finish().unwrap();
    }

    #[test]
    fn text_unescapes_once_and_keeps_markup() {
        let src = "<d xmlns:h=\"http://www.w3.org/1999/xhtml\">&amp;lt;A&amp;gt; x<h:br/>y <sub idref=\"v1\"/>.</d>";
        let mut c = cursor(src);
        let root = c.root().unwrap();
        let content = c.content(&root).unwrap();
        assert_eq!(content.text, "&lt;A&gt; x\ny [v1].");
        assert_eq!(content.markup.as_deref(), Some("&amp;lt;A&amp;gt; x<h:br/>y <sub idref=\"v1\"/>."));
        let src = "<d>&lt;VulnDiscussion&gt;a &amp; b&lt;/VulnDiscussion&gt;</d>";
        let mut c = cursor(src);
        let root = c.root().unwrap();
        let content = c.content(&root).unwrap();
        assert_eq!(content.text, "<VulnDiscussion>a & b</VulnDiscussion>");
        assert_eq!(content.markup, None);
    }

    #[test]
    fn plain_text_fast_path_keeps_checking_structure() {
        let mut c = cursor("<r><t>a &amp; b</t ><u k=\"v\">c</u></r>");
        let root = c.root().unwrap();
        let t = c.child(&root).unwrap().unwrap();
        assert_eq!(c.text(&t).unwrap(), "a & b");
        let u = c.child(&root).unwrap().unwrap();
        assert_eq!(c.attr(&u, "k").unwrap().as_deref(), Some("v"));
        assert_eq!(c.text(&u).unwrap(), "c");
        assert!(c.child(&root).unwrap().is_none());
        c.finish().unwrap();

        let mut c = cursor("<r><t>a</t></x>");
        let root = c.root().unwrap();
        let t = c.child(&root).unwrap().unwrap();
        c.text(&t).unwrap();
        let err = c.child(&root).unwrap_err().to_string();
        assert!(err.contains("expected `</r>`, but `</x>` was found"), "{err}");

        let mut c = cursor("<r><t>a</tt></r>");
        let root = c.root().unwrap();
        let t = c.child(&root).unwrap().unwrap();
        assert!(c.text(&t).is_err());
    }

    #[test]
    fn truncated_document_reports_position_and_open_element() {
        let src = "<a>\n  <b>text";
        let mut c = cursor(src);
        let root = c.root().unwrap();
        let b = c.child(&root).unwrap().unwrap();
        let err = c.text(&b).unwrap_err().to_string();
        assert!(err.starts_with("t.xml:2:"), "{err}");
        assert!(err.contains("expected `</b>`"), "{err}");
    }

    #[test]
    fn mismatched_end_tag_is_a_syntax_error_with_line() {
        let src = "<a>\n<b></c></a>";
        let mut c = cursor(src);
        let root = c.root().unwrap();
        let err = c.skip(&root).unwrap_err().to_string();
        assert!(err.starts_with("t.xml:2:"), "{err}");
    }

    #[test]
    fn raw_less_than_or_bare_ampersand_in_an_attribute_is_not_well_formed() {
        for bad in [r#"<a b="1<2"/>"#, r#"<a b="x & y"/>"#, r#"<a b="&#;"/>"#, r#"<a><c d='<'></c></a>"#] {
            let mut c = cursor(bad);
            let err = c.root().and_then(|root| c.skip(&root)).unwrap_err().to_string();
            assert!(err.contains("attribute value"), "{bad}: {err}");
        }
        for good in [r#"<a b="1&lt;2 &amp; &#60; &#x3c; &custom;"/>"#, r#"<a b='>'/>"#] {
            let mut c = cursor(good);
            let root = c.root().unwrap();
            c.skip(&root).unwrap();
        }
    }

    #[test]
    fn undeclared_prefix_is_an_error() {
        let mut c = cursor("<p:a/>");
        assert!(c.root().unwrap_err().to_string().contains("prefix `p`"));
    }

    #[test]
    fn attribute_scanner_handles_quotes_spacing_and_errors() {
        let attrs: Vec<_> = (RawAttrs { content: "e a=\"1\"  b = '2 \"x\"' c=\"\"/", pos: 1 }).collect();
        assert_eq!(attrs, vec![Ok(("a", "1")), Ok(("b", "2 \"x\"")), Ok(("c", ""))]);
        let bad: Vec<_> = (RawAttrs { content: "e a=1 b=\"2\"", pos: 1 }).collect();
        assert_eq!(bad.len(), 1);
        assert!(bad[0].as_ref().unwrap_err().contains("quoted value for attribute `a`"));
        assert!((RawAttrs { content: "e a=\"open", pos: 1 }).next().unwrap().is_err());
        assert_eq!(decode_attr_value("a\tb&amp;&#10;c").unwrap(), "a b&\nc");
        assert!(matches!(decode_attr_value("plain"), Ok(Cow::Borrowed("plain"))));
    }

    #[test]
    fn line_counter_columns_are_one_based() {
        let mut lines = LineCounter::start();
        let src = b"ab\ncd\nef";
        assert_eq!(lines.locate(src, 0), (1, 1));
        assert_eq!(lines.locate(src, 4), (2, 2));
        assert_eq!(lines.locate(src, 7), (3, 2));
        assert_eq!(lines.locate(src, 1), (1, 2));
    }
}
