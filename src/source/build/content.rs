//! The docker-ee automation content embedded in the binary: the OVAL node checks
//! (`content/docker-ee/checks/*.xml`), the per-rule decisions (`decisions.csv`) and the
//! organisation-set values (`values.toml`), parsed into typed tables.

use serde::Deserialize;

use super::BuildError;

/// One embedded OVAL check file: (file name, text).
pub type EmbeddedCheck = (&'static str, &'static str);

/// Every `content/docker-ee/checks/*.xml`, sorted by name (listed by `build.rs`).
pub const CHECK_FILES: &[EmbeddedCheck] = include!(concat!(env!("OUT_DIR"), "/docker_ee_checks.rs"));
/// Every `content/docker-ee/extension-checks/*.xml`, sorted by name: node rules read through
/// dockerd's effective configuration (stigrun's Docker extension).
pub const EXTENSION_CHECK_FILES: &[EmbeddedCheck] =
    include!(concat!(env!("OUT_DIR"), "/docker_ee_extension_checks.rs"));
pub const DECISIONS_CSV: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/content/docker-ee/decisions.csv"));
pub const VALUES_TOML: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/content/docker-ee/values.toml"));

pub const DECISIONS_FILE: &str = "content/docker-ee/decisions.csv";
pub const VALUES_FILE: &str = "content/docker-ee/values.toml";

/// How a rule is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// By an OVAL check on the node (or its mounted root).
    Node,
    /// Needs the Docker/UCP/DTR API: stays a manual check here.
    Api,
    /// Needs an assessor.
    Manual,
}

/// One row of decisions.csv (keyed by the V2R2 rule ids).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Decision {
    pub vuln_id: String,
    pub rule_id: String,
    pub stig_id: String,
    pub severity: String,
    pub title: String,
    pub check: CheckKind,
    pub reason: String,
    /// The OVAL definition id, for `node` rules.
    #[serde(deserialize_with = "empty_as_none")]
    pub oval_definition: Option<String>,
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(if s.trim().is_empty() { None } else { Some(s) })
}

/// One `[[value]]` of values.toml.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ValueSpec {
    pub xccdf_value_id: String,
    pub oval_variables: Vec<String>,
    #[serde(rename = "type")]
    pub value_type: String,
    pub default: Vec<String>,
    pub description: String,
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ValuesFile {
    value: Vec<ValueSpec>,
}

/// The parsed automation content.
#[derive(Debug, Clone)]
pub struct AutomationContent {
    pub decisions: Vec<Decision>,
    pub values: Vec<ValueSpec>,
    /// (file name, text) of every OVAL check file.
    pub checks: Vec<(String, String)>,
    /// (file name, text) of every extension check file (`<STIG-ID>.xml`, one definition each):
    /// the node rules as dockerd's effective configuration decides them, run by stigrun instead
    /// of the rule's standard check.
    pub extension_checks: Vec<(String, String)>,
}

impl AutomationContent {
    /// The content compiled into the binary.
    pub fn embedded() -> Result<AutomationContent, BuildError> {
        let owned =
            |files: &[EmbeddedCheck]| files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        let mut content = AutomationContent::parse(DECISIONS_CSV, VALUES_TOML, owned(CHECK_FILES))?;
        content.extension_checks = owned(EXTENSION_CHECK_FILES);
        Ok(content)
    }

    pub fn parse(
        decisions_csv: &str,
        values_toml: &str,
        checks: Vec<(String, String)>,
    ) -> Result<AutomationContent, BuildError> {
        Ok(AutomationContent {
            decisions: parse_decisions(decisions_csv)?,
            values: parse_values(values_toml)?,
            checks,
            extension_checks: Vec::new(),
        })
    }

    /// The check file for a STIG ID (`<STIG-ID>.xml`).
    pub fn check_file(&self, stig_id: &str) -> Option<&(String, String)> {
        self.checks.iter().find(|(name, _)| name.strip_suffix(".xml") == Some(stig_id))
    }

    /// The extension check file for a STIG ID (`<STIG-ID>.xml` in extension-checks/).
    pub fn extension_check_file(&self, stig_id: &str) -> Option<&(String, String)> {
        self.extension_checks.iter().find(|(name, _)| name.strip_suffix(".xml") == Some(stig_id))
    }

    /// The value that feeds an OVAL external variable.
    pub fn value_for_variable(&self, variable_id: &str) -> Option<&ValueSpec> {
        self.values.iter().find(|v| v.oval_variables.iter().any(|o| o == variable_id))
    }
}

fn parse_decisions(text: &str) -> Result<Vec<Decision>, BuildError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.deserialize::<Decision>() {
        let decision = row.map_err(|e| BuildError::Decisions {
            location: e
                .position()
                .map_or_else(|| DECISIONS_FILE.to_string(), |p| format!("{DECISIONS_FILE}:{}:1", p.line())),
            message: e.to_string(),
        })?;
        if decision.check == CheckKind::Node && decision.oval_definition.is_none() {
            return Err(BuildError::Decisions {
                location: DECISIONS_FILE.to_string(),
                message: format!("node rule `{}` names no oval definition", decision.stig_id),
            });
        }
        out.push(decision);
    }
    Ok(out)
}

fn parse_values(text: &str) -> Result<Vec<ValueSpec>, BuildError> {
    let file: ValuesFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |span| line_column(text, span.start));
        BuildError::Values {
            location: format!("{VALUES_FILE}:{line}:{column}"),
            message: e.message().to_string(),
        }
    })?;
    for v in &file.value {
        if v.default.len() != 1 {
            return Err(BuildError::Values {
                location: VALUES_FILE.to_string(),
                message: format!(
                    "value `{}` has {} defaults; an xccdf value holds exactly one",
                    v.xccdf_value_id,
                    v.default.len()
                ),
            });
        }
    }
    Ok(file.value)
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_content_parses_and_agrees_with_itself() {
        let content = AutomationContent::embedded().unwrap();
        assert!(content.decisions.len() >= 100, "{}", content.decisions.len());
        let automated: Vec<&Decision> =
            content.decisions.iter().filter(|d| d.oval_definition.is_some()).collect();
        // Every automated rule has its check file, and every check file belongs to one; manual
        // rules have no check.
        for d in &automated {
            assert!(content.check_file(&d.stig_id).is_some(), "no check file for {}", d.stig_id);
        }
        assert_eq!(automated.len(), content.checks.len());
        assert!(
            content.decisions.iter().all(|d| d.check != CheckKind::Manual || d.oval_definition.is_none())
        );
        assert_eq!(content.checks.len(), CHECK_FILES.len());
        // Every extension check belongs to a node rule.
        assert_eq!(content.extension_checks.len(), EXTENSION_CHECK_FILES.len());
        for (name, _) in &content.extension_checks {
            let stig_id = name.strip_suffix(".xml").unwrap();
            let decision = content.decisions.iter().find(|d| d.stig_id == stig_id);
            assert!(decision.is_some_and(|d| d.check == CheckKind::Node), "{name}");
        }
        for v in &content.values {
            assert!(
                v.xccdf_value_id.starts_with("xccdf_io.stigrun.docker-ee_value_"),
                "{}",
                v.xccdf_value_id
            );
        }
    }

    #[test]
    fn decisions_errors_carry_the_line() {
        let csv = "vuln_id,rule_id,stig_id,severity,title,check,reason,oval_definition\n\
                   V-1,SV-1r1_rule,X-1,low,t,node,r,oval:x:def:1\n\
                   V-2,SV-2r1_rule,X-2,low,t,sometimes,r,\n";
        let err = parse_decisions(csv).unwrap_err().to_string();
        assert!(err.contains("decisions.csv:3:1"), "{err}");
        let csv = "vuln_id,rule_id,stig_id,severity,title,check,reason,oval_definition\n\
                   V-1,SV-1r1_rule,X-1,low,t,node,r,\n";
        assert!(parse_decisions(csv).unwrap_err().to_string().contains("`X-1`"));
    }

    #[test]
    fn values_errors_carry_line_and_column() {
        let err = parse_values("[[value]]\nxccdf_value_id = 3\n").unwrap_err().to_string();
        assert!(err.contains("values.toml:2:"), "{err}");
        let two = "[[value]]\nxccdf_value_id = \"a\"\noval_variables = []\ntype = \"string\"\n\
                   default = [\"1\", \"2\"]\ndescription = \"d\"\n";
        assert!(parse_values(two).unwrap_err().to_string().contains("2 defaults"));
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }
}
