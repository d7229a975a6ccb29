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
        // The finding details in words travel with the results (report --from has no content).
        let mut results = inputs.results.clone();
        for (rule, original) in results.rules.iter_mut().zip(&inputs.results.rules) {
            let details = super::finding::finding_details(inputs.results, original);
            rule.finding_details = (!details.is_empty()).then_some(details);
        }
        serde_json::to_writer_pretty(&mut *out, &results)
            .map_err(|e| ReportError::Serialize { format: "json results", message: e.to_string() })?;
        out.write_all(b"\n").map_err(|source| ReportError::Stream { format: "json results", source })
    }
}
