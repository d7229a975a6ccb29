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
    let stdout = io::stdout();
    let mut out = stdout.lock();
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
        Format::Json => print_json_to(&mut out, listing.json)?,
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
