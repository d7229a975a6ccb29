//! eMASS test results: one row per CCI the assessed rules cite, with its 800-53 control acronym,
//! assessment procedure (SP 800-53A objective), test date, who tested, a description naming the
//! rules behind it, and its compliance status — Non-Compliant when any of its rules is open,
//! Compliant when none is and at least one passed, Not Applicable when all its rules are. A CCI
//! with a rule still to review and none open has no status yet: the import files keep its row with
//! the status blank for the assessor; the REST bodies (which eMASS would refuse) leave it out.
//! As CSV and XLSX (the test-result import sheet) and JSON (bodies for the REST test-results
//! endpoint).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::checklist::Status;
use super::{Report, ReportError, ReportFormat, ReportInputs};
use crate::model::cci::Revision;
use crate::results::xccdf::XccdfResult;

/// The import sheet's columns, in order.
pub const COLUMNS: [&str; 7] = [
    "Control Acronym",
    "CCI",
    "Assessment Procedure",
    "Test Date",
    "Tested By",
    "Description",
    "Compliance Status",
];

#[derive(Debug, Clone, Serialize)]
pub struct EmassRow {
    pub control_acronym: String,
    pub cci: String,
    pub assessment_procedure: String,
    /// `YYYY-MM-DD`.
    pub test_date: String,
    pub tested_by: String,
    pub description: String,
    /// `Compliant`, `Non-Compliant`, `Not Applicable`, or `None` while a rule is to review.
    pub compliance_status: Option<&'static str>,
}

impl EmassRow {
    fn cells(&self) -> [&str; 7] {
        [
            &self.control_acronym,
            &self.cci,
            &self.assessment_procedure,
            &self.test_date,
            &self.tested_by,
            &self.description,
            self.compliance_status.unwrap_or(""),
        ]
    }
}

/// The rows of a scan, by CCI.
pub fn emass_rows(inputs: &ReportInputs<'_>) -> Vec<EmassRow> {
    let results = inputs.results;
    let mut by_cci: BTreeMap<&str, Vec<(String, Status)>> = BTreeMap::new();
    for rule in results.rules.iter().filter(|r| r.result != XccdfResult::NotSelected) {
        let vuln = rule
            .group_id
            .as_deref()
            .map(crate::model::stig::disa_short_id)
            .filter(|g| g.starts_with("V-"))
            .unwrap_or_else(|| crate::model::stig::disa_short_id(&rule.rule_id));
        let name = match &rule.version {
            Some(stig_id) => format!("{vuln} ({stig_id})"),
            None => vuln.to_string(),
        };
        for cci in super::view::rule_ccis(rule) {
            by_cci.entry(cci).or_default().push((name.clone(), Status::of(rule.result)));
        }
    }
    let test_date = results.end_time.get(..10).unwrap_or(&results.end_time).to_string();
    let tested_by = match &results.target.user {
        Some(user) => format!("{} {} ({user})", results.generator.name, results.generator.version),
        None => format!("{} {}", results.generator.name, results.generator.version),
    };
    by_cci
        .into_iter()
        .map(|(cci, rules)| {
            let item = inputs.cci.get(cci);
            let control = item.map(|i| {
                let rev5 = i.nist_800_53(Revision::Rev5);
                if rev5.is_empty() { i.nist_800_53(Revision::Rev4) } else { rev5 }
            });
            let procedure = item.map(|i| i.nist_800_53a()).unwrap_or_default();
            let any = |s: Status| rules.iter().any(|(_, r)| *r == s);
            let status = if any(Status::Open) {
                Some("Non-Compliant")
            } else if any(Status::NotReviewed) {
                None
            } else if any(Status::NotAFinding) {
                Some("Compliant")
            } else {
                Some("Not Applicable")
            };
            let description = rules
                .iter()
                .map(|(name, status)| format!("{name}: {}", status.ckl()))
                .collect::<Vec<_>>()
                .join("; ");
            EmassRow {
                control_acronym: control.unwrap_or_default().join(", "),
                cci: cci.to_string(),
                assessment_procedure: procedure.join(", "),
                test_date: test_date.clone(),
                tested_by: tested_by.clone(),
                description: format!("{}: {description}", results.benchmark.title),
                compliance_status: status,
            }
        })
        .collect()
}

pub struct EmassCsvReport;
pub struct EmassXlsxReport;
pub struct EmassJsonReport;

impl Report for EmassCsvReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::EmassCsv
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let fail = |e: csv::Error| ReportError::Serialize { format: "emass csv", message: e.to_string() };
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(COLUMNS).map_err(fail)?;
        for row in emass_rows(inputs) {
            writer.write_record(row.cells()).map_err(fail)?;
        }
        writer.flush().map_err(|source| ReportError::Stream { format: "emass csv", source })
    }
}

impl Report for EmassXlsxReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::EmassXlsx
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let fail = |e: rust_xlsxwriter::XlsxError| ReportError::Serialize {
            format: "emass xlsx",
            message: e.to_string(),
        };
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("Test Results").map_err(fail)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (column, title) in (0u16..).zip(COLUMNS) {
            sheet.write_string_with_format(0, column, title, &bold).map_err(fail)?;
        }
        for (row, data) in (1u32..).zip(emass_rows(inputs)) {
            for (column, cell) in (0u16..).zip(data.cells()) {
                sheet.write_string(row, column, cell).map_err(fail)?;
            }
        }
        let bytes = workbook.save_to_buffer().map_err(fail)?;
        out.write_all(&bytes).map_err(|source| ReportError::Stream { format: "emass xlsx", source })
    }
}

/// One body of eMASS's REST `POST /api/systems/{systemId}/test-results`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TestResultBody<'a> {
    /// The CCI number without its `CCI-` prefix, as the endpoint takes it.
    cci: &'a str,
    assessment_procedure: &'a str,
    tested_by: &'a str,
    /// Seconds since the epoch (UTC midnight of the test date).
    test_date: i64,
    description: &'a str,
    compliance_status: &'static str,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn epoch_seconds(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

impl Report for EmassJsonReport {
    fn format(&self) -> ReportFormat {
        ReportFormat::EmassJson
    }

    fn write(&self, inputs: &ReportInputs<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
        let rows = emass_rows(inputs);
        let bodies: Vec<TestResultBody> = rows
            .iter()
            .filter_map(|row| {
                Some(TestResultBody {
                    cci: row.cci.strip_prefix("CCI-").unwrap_or(&row.cci),
                    assessment_procedure: row.assessment_procedure.split(", ").next().unwrap_or_default(),
                    tested_by: &row.tested_by,
                    test_date: epoch_seconds(&row.test_date).unwrap_or(0),
                    description: &row.description,
                    compliance_status: row.compliance_status?,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &bodies)
            .map_err(|e| ReportError::Serialize { format: "emass json", message: e.to_string() })?;
        out.write_all(b"\n").map_err(|source| ReportError::Stream { format: "emass json", source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_of_dates() {
        assert_eq!(epoch_seconds("1970-01-01"), Some(0));
        assert_eq!(epoch_seconds("2024-03-01T10:00:00Z"), Some(1_709_251_200));
        assert_eq!(epoch_seconds("bad"), None);
    }

    #[test]
    fn a_cci_is_non_compliant_when_any_of_its_rules_is_open() {
        let results = crate::results::document::fixture::scan_with("x");
        let cci = crate::source::catalog::load_cci_catalog(None).unwrap();
        let inputs = ReportInputs { results: &results, source_xml: None, cci: &cci };
        let rows = emass_rows(&inputs);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].cci, "CCI-001851");
        assert_eq!(rows[0].control_acronym, "AU-4 (1)");
        assert_eq!(rows[0].compliance_status, Some("Non-Compliant"));
        assert!(rows[0].description.contains("V-1 (T-1): Open"), "{}", rows[0].description);
    }
}
