//! stigrun's JSON results: the results document as serde writes it (what `report --from` and
//! `merge` read back through `results::io`).

use std::io::Write;

use super::{Report, ReportError, ReportFormat, ReportInputs};

pub struct JsonReport;

impl Report for JsonReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::Json
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        serde_json::to_writer_pretty(&mut *out, inputs.results)
            .map_err(|e| ReportError::Serialize { format: "json results", message: e.to_string() })?;
        out.write_all(b"\n").map_err(|source| ReportError::Stream { format: "json results", source })
    }
}
