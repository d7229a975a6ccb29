//! Printing command output as a terminal table, JSON or CSV.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use super::args::Format;

/// A listing that can be shown in any of the three formats.
pub struct Listing<'a, T: Serialize> {
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    /// What `--format json` prints (the full records, not just the table columns).
    pub json: &'a T,
}

pub fn print_listing<T: Serialize>(listing: &Listing<'_, T>, format: Format) -> anyhow::Result<()> {
    let mut out = safe_stdout();
    match format {
        Format::Table => {
            let mut table = Table::new();
            // Without a tty crate the width is not detected: honour $COLUMNS, else assume a wide terminal.
            let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(160);
            table
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width);
            table.set_header(listing.headers.iter().copied());
            for row in &listing.rows {
                table.add_row(row.iter().map(String::as_str));
            }
            writeln!(out, "{table}")?;
        }
        // JSON escapes control characters itself; re-escaping would break it.
        Format::Json => print_json(listing.json)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(listing.headers)?;
            for row in &listing.rows {
                w.write_record(row)?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    print_json_to(&mut io::stdout().lock(), value)
}

fn print_json_to<T: Serialize>(out: &mut impl Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Text from content or from a scanned host, made safe for a terminal: control characters (an
/// escape sequence could retitle the window, hide lines or fake output) are shown as `\u{1b}`;
/// newlines and tabs stay.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A writer that passes everything through [`printable`]: what the listing commands print comes
/// from content stigrun does not control.
pub struct TerminalSafe<W: Write>(pub W);

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Formatting hands over whole `str` pieces, so a character is never split across calls.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(printable(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Standard output for human-readable listings.
pub fn safe_stdout() -> TerminalSafe<io::StdoutLock<'static>> {
    TerminalSafe(io::stdout().lock())
}

/// DISA's release info already says "Release:" (`Release: 2 Benchmark Date: 24 Jul 2024`): printed
/// after our own label, it must not say it twice.
pub fn release_text(release_info: &str) -> &str {
    let r = release_info.trim();
    match r.get(..8) {
        Some(p) if p.eq_ignore_ascii_case("release:") => r[8..].trim_start(),
        _ => r,
    }
}

/// Did the error come from writing to a closed pipe?
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    // serde_json and csv wrap the io::Error without handing it on as their `source()`.
    e.chain().any(|c| {
        let broken = |kind: Option<io::ErrorKind>| kind == Some(io::ErrorKind::BrokenPipe);
        broken(c.downcast_ref::<io::Error>().map(io::Error::kind))
            || broken(c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind))
            || broken(c.downcast_ref::<csv::Error>().and_then(|e| match e.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            }))
    })
}

/// Printing that a closed pipe ends silently (the work goes on: a scan still writes its reports).
pub fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_recognised_inside_json_and_csv_errors() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::from(pipe())));
        assert!(is_broken_pipe(&anyhow::Error::from(serde_json::Error::io(pipe()))));
        assert!(is_broken_pipe(&anyhow::Error::from(csv::Error::from(pipe()))));
        assert!(!is_broken_pipe(&anyhow::anyhow!("something else")));
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(printable("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(printable("over\rwrite\u{9b}"), "over\\u{d}write\\u{9b}");
        let mut out = TerminalSafe(Vec::new());
        let title = "\u{1b}[2J";
        write!(out, "title: {title}").unwrap();
        assert_eq!(String::from_utf8(out.0).unwrap(), "title: \\u{1b}[2J");
    }
}
