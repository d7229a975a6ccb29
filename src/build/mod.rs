//! `stigrun build`: assemble the docker-ee SCAP 1.3 source data stream from DISA's manual XCCDF 1.1
//! benchmark and stigrun's OVAL node checks.
//!
//! DISA 1.1 benchmark (text kept verbatim) + decisions.csv (which rules are decided on the node) +
//! values.toml (organisation-set values) + checks/*.xml (one OVAL document per rule)
//! → [`xccdf12`] (XCCDF 1.2 benchmark) + [`oval_merge`] (one OVAL document) → [`datastream`].
//! The same builder, run in memory, is the built-in `docker-ee` that `stigrun eval` scans.

pub mod content;
pub mod datastream;
pub mod oval_merge;
pub mod xccdf12;

use std::collections::HashMap;
use std::path::PathBuf;

use minijinja::Environment;

use crate::catalog::BuiltinBenchmark;
use crate::loader::{self, Input, LoadError, Selection};
use crate::model::xccdf::XccdfVersion;
use content::{AutomationContent, CheckKind};
use datastream::DataStreamIds;
use xccdf12::{ConversionInput, OvalBinding, PlatformView, ValueView};

/// The `check-content-ref href` of the OVAL checks, mapped by the data stream's catalog.
pub const OVAL_HREF: &str = "docker-ee-oval.xml";
/// Reverse-DNS namespace of stigrun's SCAP ids.
pub const SCAP_NAMESPACE: &str = "io.stigrun.docker-ee";

/// The benchmark applies to nodes running the Docker Engine (NVD's CPE name for it): the data
/// stream's CPE dictionary decides that with the OVAL inventory check below.
pub const PLATFORM_ID: &str = "docker_engine";
pub const PLATFORM_CPE: &str = "cpe:/a:docker:docker";
pub const PLATFORM_TITLE: &str = "Docker Engine is installed";
/// The `href` of the inventory check and the check itself (definition `PLATFORM_DEFINITION`).
pub const PLATFORM_OVAL_HREF: &str = "docker-ee-cpe-oval.xml";
pub const PLATFORM_DEFINITION: &str = "oval:io.stigrun.docker-ee:def:1";
pub const PLATFORM_OVAL: &str = include_str!("../../content/docker-ee/platform/docker-installed-oval.xml");

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{location}: {message}")]
    Decisions { location: String, message: String },
    #[error("{location}: {message}")]
    Values { location: String, message: String },
    #[error("oval check content: {message}")]
    Oval { message: String },
    #[error("benchmark: {message}")]
    Benchmark { message: String },
    #[error("`{file}` is an xccdf 1.2 benchmark; the builder converts DISA's xccdf 1.1 benchmarks")]
    NotXccdf11 { file: String },
    #[error("node rule `{stig_id}` has no check file `content/docker-ee/checks/{stig_id}.xml`")]
    MissingCheckFile { stig_id: String },
    #[error("check `{file}` does not define `{definition}` named for rule `{stig_id}` in decisions.csv")]
    UnknownDefinition { stig_id: String, definition: String, file: String },
    #[error("check `{file}` declares external variable `{variable}`, which no value in values.toml feeds")]
    UnboundVariable { file: String, variable: String },
    #[error(
        "external variable `{variable}` is `{declared}` in `{file}` but value `{value_id}` is `{value_type}`"
    )]
    TypeMismatch { file: String, variable: String, declared: String, value_id: String, value_type: String },
    #[error("cannot render the data stream: {0}")]
    Render(#[from] minijinja::Error),
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// How the decisions (keyed by V2R2 rule ids) were bound to one release, matched by STIG ID.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BindingReport {
    pub release: String,
    pub rules: usize,
    /// (STIG ID, rule id) of the rules that got an OVAL check.
    pub automated: Vec<(String, String)>,
    /// (STIG ID, this release's rule id, decisions.csv's rule id) bound by STIG ID despite differing ids.
    pub rule_id_differs: Vec<(String, String, String)>,
    /// (STIG ID, decisions.csv's rule id) of node rules whose STIG ID this release lacks.
    pub node_rules_not_in_release: Vec<(String, String)>,
    /// (STIG ID, rule id) of this release's rules that decisions.csv does not list (kept manual).
    pub rules_without_decision: Vec<(String, String)>,
}

impl BindingReport {
    /// Human-readable lines for the CLI.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{}: {} rules, {} automated (OVAL on the node), {} manual/api",
            self.release,
            self.rules,
            self.automated.len(),
            self.rules - self.automated.len()
        )];
        for (stig, here, table) in &self.rule_id_differs {
            out.push(format!("bound by STIG ID `{stig}`: rule `{here}` here, `{table}` in decisions.csv"));
        }
        for (stig, table) in &self.node_rules_not_in_release {
            out.push(format!("not in {}: node rule `{stig}` (`{table}`) has no check here", self.release));
        }
        for (stig, here) in &self.rules_without_decision {
            out.push(format!("no decision for `{stig}` (`{here}`): kept as a manual check"));
        }
        out
    }
}

/// A built data stream.
#[derive(Debug, Clone)]
pub struct Built {
    pub xml: String,
    pub report: BindingReport,
}

/// Build the data stream for a built-in DISA benchmark from the embedded automation content.
pub fn build_builtin(benchmark: &BuiltinBenchmark) -> Result<Built, BuildError> {
    let content = AutomationContent::embedded()?;
    build(benchmark.file_name, benchmark.bytes, benchmark.release, &content)
}

/// Build the data stream for the DISA XCCDF 1.1 benchmark `bytes` (named `source_name`).
pub fn build(
    source_name: &str,
    bytes: &[u8],
    release: &str,
    content: &AutomationContent,
) -> Result<Built, BuildError> {
    let loaded = loader::load_benchmark(Input::Bytes { name: source_name, bytes }, &Selection::default())?;
    let bench = loaded.benchmark;
    if bench.xccdf_version != XccdfVersion::V1_1 {
        return Err(BuildError::NotXccdf11 { file: source_name.to_string() });
    }
    let mut report =
        BindingReport { release: release.to_string(), rules: bench.rules.len(), ..Default::default() };
    let mut bindings = HashMap::new();
    let mut bound_files: Vec<(&str, &str)> = Vec::new();
    let mut exported_values: Vec<&str> = Vec::new();
    for rule in &bench.rules {
        let stig_id = rule.version.as_deref().unwrap_or_default();
        let Some(decision) = content.decisions.iter().find(|d| d.stig_id == stig_id) else {
            report.rules_without_decision.push((stig_id.to_string(), rule.id().to_string()));
            continue;
        };
        if decision.check != CheckKind::Node {
            continue;
        }
        let (file, xml) = content
            .check_file(stig_id)
            .ok_or_else(|| BuildError::MissingCheckFile { stig_id: stig_id.to_string() })?;
        let declared = oval_merge::declared_ids(xml, file)?;
        let definition = decision.oval_definition.clone().unwrap_or_default();
        if !declared.definitions.contains(&definition) {
            return Err(BuildError::UnknownDefinition {
                stig_id: stig_id.to_string(),
                definition,
                file: file.clone(),
            });
        }
        let mut exports = Vec::new();
        for (variable, datatype) in &declared.external_variables {
            let value = content.value_for_variable(variable).ok_or_else(|| BuildError::UnboundVariable {
                file: file.clone(),
                variable: variable.clone(),
            })?;
            if value.value_type != *datatype {
                return Err(BuildError::TypeMismatch {
                    file: file.clone(),
                    variable: variable.clone(),
                    declared: datatype.clone(),
                    value_id: value.xccdf_value_id.clone(),
                    value_type: value.value_type.clone(),
                });
            }
            exported_values.push(&value.xccdf_value_id);
            exports.push((value.xccdf_value_id.clone(), variable.clone()));
        }
        if rule.id() != decision.rule_id {
            report.rule_id_differs.push((
                stig_id.to_string(),
                rule.id().to_string(),
                decision.rule_id.clone(),
            ));
        }
        report.automated.push((stig_id.to_string(), rule.id().to_string()));
        bindings.insert(
            rule.id().to_string(),
            OvalBinding { href: OVAL_HREF.to_string(), definition_id: definition, exports },
        );
        bound_files.push((file, xml));
    }
    for d in content.decisions.iter().filter(|d| d.check == CheckKind::Node) {
        if !bench.rules.iter().any(|r| r.version.as_deref() == Some(d.stig_id.as_str())) {
            report.node_rules_not_in_release.push((d.stig_id.clone(), d.rule_id.clone()));
        }
    }
    bound_files.sort();
    let oval = oval_merge::merge(&bound_files)?;
    let values = content
        .values
        .iter()
        .filter(|v| exported_values.contains(&v.xccdf_value_id.as_str()))
        .map(|v| ValueView {
            id: v.xccdf_value_id.clone(),
            value_type: v.value_type.clone(),
            title: value_title(&v.xccdf_value_id),
            description: v.description.clone(),
            value: v.default.first().cloned().unwrap_or_default(),
        })
        .collect();
    let input = ConversionInput {
        bindings,
        values,
        source_name: source_name.to_string(),
        platform: Some(PlatformView {
            id: PLATFORM_ID.to_string(),
            cpe_name: PLATFORM_CPE.to_string(),
            title: PLATFORM_TITLE.to_string(),
        }),
    };
    let benchmark_xml = xccdf12::render_benchmark(&bench, &input)?;
    // A fixed timestamp (DISA's status date) makes builds reproducible: same inputs, same bytes.
    let date = bench.statuses.iter().find_map(|s| s.date.as_deref()).unwrap_or("1970-01-01");
    let ids = DataStreamIds::new(
        SCAP_NAMESPACE,
        &format!("docker-ee-{release}"),
        OVAL_HREF,
        &format!("{date}T00:00:00"),
    );
    let xml = datastream::render_datastream(&ids, &benchmark_xml, &oval)?;
    Ok(Built { xml, report })
}

/// `xccdf_io.stigrun.docker-ee_value_docker_log_max_size` → `docker_log_max_size`.
fn value_title(id: &str) -> String {
    id.rsplit_once("_value_").map_or(id, |(_, name)| name).to_string()
}

/// A minijinja environment for XML: every printed value is escaped unless marked safe; line
/// breaks stay literal so DISA's multi-line text remains readable in the data stream.
pub(crate) fn xml_environment() -> Result<Environment<'static>, minijinja::Error> {
    crate::escape::escaping_environment(crate::escape::escape_xml_keep_lines)
}

#[cfg(test)]
mod tests;
