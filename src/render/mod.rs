//! Reports: one [`Report`] per output format, chosen in one place ([`report`]) and written through
//! the one atomic writer ([`crate::output`]). XML and HTML formats render a view-model through a
//! template (`templates/`); JSON formats serialise serde types.

pub mod arf;
pub mod finding;
pub mod html;
pub mod json;
pub mod oval_results;
pub mod view;
pub mod xccdf_results;

use std::io::{self, Write};
use std::path::Path;

use minijinja::Environment;

use crate::model::cci::CciCatalog;
use crate::results::document::ScanResults;

/// Every format a scan's results can be written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// stigrun's own results (the evidence included), readable back by `report --from`.
    Json,
    /// XCCDF 1.2 results (a TestResult).
    Xccdf,
    /// ARF 1.1 with the XCCDF and OVAL results and, unless thin, the source data stream.
    Arf,
    /// A self-contained HTML report.
    Html,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 4] =
        [ReportFormat::Json, ReportFormat::Xccdf, ReportFormat::Arf, ReportFormat::Html];

    /// The name on the command line (`--format`).
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Xccdf => "xccdf",
            ReportFormat::Arf => "arf",
            ReportFormat::Html => "html",
        }
    }

    pub fn parse(name: &str) -> Option<ReportFormat> {
        ReportFormat::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What a report may draw on besides the results.
pub struct ReportInputs<'a> {
    pub results: &'a ScanResults,
    /// The source data-stream collection (an ARF's report request); `None` leaves it out.
    pub source_xml: Option<&'a str>,
    /// CCI → NIST SP 800-53 mappings, for formats that list controls.
    pub cci: &'a CciCatalog,
}

pub trait Report {
    fn format(&self) -> ReportFormat;

    /// Stream the report to `out`.
    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError>;
}

/// The report for `format`: the one dispatch `eval` and `report --from` share.
pub fn report(format: ReportFormat) -> Box<dyn Report> {
    match format {
        ReportFormat::Json => Box::new(json::JsonReport),
        ReportFormat::Xccdf => Box::new(xccdf_results::XccdfReport),
        ReportFormat::Arf => Box::new(arf::ArfReport),
        ReportFormat::Html => Box::new(html::HtmlReport),
    }
}

/// Write `format` to `path` (atomically for regular files; see [`crate::output`]).
pub fn write_report(format: ReportFormat, inputs: &ReportInputs<'_>, path: &Path) -> Result<(), ReportError> {
    let report = report(format);
    crate::output::write_file(path, |out| report.write(inputs, out))?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot render the {format}: {source}")]
    Render { format: &'static str, source: minijinja::Error },
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error("cannot write the {format}: {source}")]
    Stream { format: &'static str, source: io::Error },
    #[error("cannot render the {format}: {message}")]
    Serialize { format: &'static str, message: String },
    #[error("oval document `{href}` carries no definitions to copy into the arf (re-run the scan)")]
    MissingDefinitions { href: String },
    #[error(transparent)]
    OvalResults(#[from] oval_results::OvalResultsError),
}

impl ReportError {
    pub(crate) fn render(format: &'static str) -> impl Fn(minijinja::Error) -> ReportError {
        move |source| ReportError::Render { format, source }
    }
}

/// The escaping environment (see [`crate::escape`]) holding one template.
pub(crate) fn escaping_environment(
    name: &'static str,
    source: &'static str,
    escape: fn(&str) -> std::borrow::Cow<'_, str>,
) -> Result<Environment<'static>, minijinja::Error> {
    let mut environment = crate::escape::escaping_environment(escape)?;
    environment.add_template(name, source)?;
    Ok(environment)
}

/// minijinja wants a sized `Write`.
pub(crate) struct WriteAdapter<'a>(pub &'a mut dyn Write);

impl Write for WriteAdapter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
