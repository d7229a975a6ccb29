//! What a data stream's `xlink:href` (component-ref) or catalog `uri` points to: a component of
//! the collection (`#id`), a file next to the data stream (SP 800-126r3 §3.1/§3.2 external
//! components: a `file:` URI or a relative reference), or something remote, which is never fetched.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HrefTarget<'a> {
    /// `#id`: a component of the collection.
    Local(&'a str),
    /// A file: the path as written (percent-decoded); relative to the data stream's directory.
    File(Cow<'a, str>),
    /// A URI with another scheme (`http:`, `https:`, …).
    Remote(&'a str),
}

/// Classify `href` (RFC 3986: a scheme is a letter followed by letters, digits, `+`, `-`, `.`).
pub fn classify(href: &str) -> HrefTarget<'_> {
    if let Some(id) = href.strip_prefix('#') {
        return HrefTarget::Local(id);
    }
    let scheme_end = href.find(':').filter(|&i| {
        let scheme = &href[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    match scheme_end {
        Some(i) if href[..i].eq_ignore_ascii_case("file") => {
            let rest = &href[i + 1..];
            // `file:///abs` and `file://localhost/abs` name an absolute path; `file:rel` a relative one.
            let path = match rest.strip_prefix("//") {
                Some(authority_and_path) => {
                    let slash = authority_and_path.find('/').unwrap_or(authority_and_path.len());
                    &authority_and_path[slash..]
                }
                None => rest,
            };
            HrefTarget::File(percent_decode(path))
        }
        Some(_) => HrefTarget::Remote(href),
        None => HrefTarget::File(percent_decode(href)),
    }
}

/// The file an external reference names, relative to `dir` (the data stream's directory).
pub fn resolve(dir: &Path, path: &str) -> PathBuf {
    dir.join(path)
}

/// `%XX` escapes decoded; a malformed escape is kept as written.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(decoded) => Cow::Owned(decoded),
        Err(_) => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_local_file_or_remote() {
        assert_eq!(classify("#comp"), HrefTarget::Local("comp"));
        assert_eq!(classify("oval.xml"), HrefTarget::File("oval.xml".into()));
        assert_eq!(classify("sub/oval.xml"), HrefTarget::File("sub/oval.xml".into()));
        assert_eq!(classify("file:oval.xml"), HrefTarget::File("oval.xml".into()));
        assert_eq!(classify("FILE:oval.xml"), HrefTarget::File("oval.xml".into()));
        assert_eq!(classify("file:///srv/oval.xml"), HrefTarget::File("/srv/oval.xml".into()));
        assert_eq!(classify("file://localhost/srv/o.xml"), HrefTarget::File("/srv/o.xml".into()));
        assert_eq!(classify("my%20oval.xml"), HrefTarget::File("my oval.xml".into()));
        assert_eq!(classify("100%.xml"), HrefTarget::File("100%.xml".into()));
        assert_eq!(classify("https://example.org/o.xml"), HrefTarget::Remote("https://example.org/o.xml"));
        // A colon after a slash is no scheme.
        assert_eq!(classify("./a:b.xml"), HrefTarget::File("./a:b.xml".into()));
    }

    #[test]
    fn relative_paths_are_taken_from_the_data_streams_directory() {
        assert_eq!(resolve(Path::new("/c"), "o.xml"), PathBuf::from("/c/o.xml"));
        assert_eq!(resolve(Path::new("/c"), "/abs/o.xml"), PathBuf::from("/abs/o.xml"));
    }
}
