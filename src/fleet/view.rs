//! What the fleet reports share: the rule names they print and rendering one template through the
//! escaping environment.

use std::io::Write;

use serde::Serialize;

use super::FleetError;
use crate::model::stig::Category;
use crate::model::xccdf::Severity;

/// How a report names a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLabel {
    /// The short rule id (`SV-235833r961395_rule`).
    pub rule_id: String,
    pub vuln_id: Option<String>,
    pub stig_id: Option<String>,
    pub title: String,
    pub severity: Severity,
    /// `CAT I`…`CAT III`, or none for rules without a DISA severity.
    pub category: Option<&'static str>,
}

impl RuleLabel {
    pub fn of(rule: &crate::results::io::RuleSummary) -> RuleLabel {
        let names =
            super::rules::RuleNames::of(&rule.rule_id, rule.group_id.as_deref(), rule.version.as_deref());
        RuleLabel {
            rule_id: crate::model::stig::disa_short_id(&rule.rule_id).to_string(),
            vuln_id: names.vuln_id,
            stig_id: names.stig_id,
            title: rule.title.clone(),
            severity: rule.severity,
            category: Category::from_severity(rule.severity).map(Category::as_str),
        }
    }

    /// `V-235833 DKER-EE-001070 CAT II`, with what the rule has.
    pub fn short(&self) -> String {
        let parts =
            [self.vuln_id.as_deref(), self.stig_id.as_deref().or(Some(self.rule_id.as_str())), self.category];
        parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// Render `template` (HTML-escaped values) with `view` to `out`.
pub fn render_html<T: Serialize>(
    what: &'static str,
    name: &'static str,
    template: &'static str,
    view: &T,
    out: &mut dyn Write,
) -> Result<(), FleetError> {
    let render = |source| FleetError::Render { what, source };
    let environment =
        crate::render::escaping_environment(name, template, crate::escape::escape_html).map_err(render)?;
    let template = environment.get_template(name).map_err(render)?;
    template
        .render_captured_to(minijinja::value::Serde(view), crate::render::WriteAdapter(out))
        .map_err(render)?;
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn write_json<T: Serialize>(
    what: &'static str,
    value: &T,
    out: &mut dyn Write,
) -> Result<(), FleetError> {
    let fail = |message: String| FleetError::Serialize { what, message };
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| fail(e.to_string()))?;
    out.write_all(b"\n").map_err(|e| fail(e.to_string()))
}
