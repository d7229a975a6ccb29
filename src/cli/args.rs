//! Raw command-line arguments (clap). Checked into a plan by the command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "stigrun",
    version,
    long_version = long_version(),
    about = "DISA STIG compliance scanner (XCCDF + OVAL)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in benchmarks with their releases and rule counts.
    Benchmarks(BenchmarksArgs),
    /// Describe a benchmark or data stream: document type, ids, release, profiles, counts.
    Info(InfoArgs),
    /// List rules, optionally filtered by profile, severity, CCI or NIST SP 800-53 control.
    Rules(RulesArgs),
    /// Show one rule: IDs, severity, CCIs with 800-53 controls, discussion, check and fix text.
    Show(ShowArgs),
    /// List a benchmark's values (what `--var` and `--values` set): ids, descriptions, defaults, selectors.
    Values(ValuesArgs),
    /// Evaluate a benchmark (XCCDF + OVAL) against a host or a mounted root.
    Eval(Box<EvalArgs>),
    /// OVAL commands.
    #[command(subcommand)]
    Oval(OvalCommand),
    /// Re-render a saved scan (stigrun JSON results) as XCCDF results, ARF or HTML; no rescan.
    Report(ReportArgs),
    /// Assemble a built-in benchmark's SCAP 1.3 source data stream (XCCDF 1.2 + OVAL node checks).
    Build(BuildArgs),
    /// Save a live Docker Engine's (and UCP's, DTR's) API answers as a snapshot to scan later.
    Collect(CollectArgs),
}

/// Where the Docker Engine facts of a scan come from.
#[derive(Debug, Args, Default)]
pub struct EngineArgs {
    /// The Docker Engine API to read: `unix:///var/run/docker.sock`, `tcp://host:2376` (TLS from
    /// DOCKER_CERT_PATH/DOCKER_TLS_VERIFY). Default when the root is `/`: DOCKER_HOST, else the
    /// local socket if it exists.
    #[arg(long, conflicts_with = "snapshot")]
    pub docker_host: Option<String>,
    /// Read the Engine API answers from a snapshot directory (`stigrun collect`, or made by hand).
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// A UCP config-toml downloaded by hand (GET /api/ucp/config-toml), for the UCP rules.
    #[arg(long, conflicts_with = "snapshot")]
    pub ucp_config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The snapshot directory to write (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// The Docker Engine API (default: DOCKER_HOST, else unix:///var/run/docker.sock).
    #[arg(long)]
    pub docker_host: Option<String>,
    /// UCP's URL (`https://ucp.example.mil`), for config-toml and its CA.
    #[arg(long)]
    pub ucp_url: Option<String>,
    /// UCP bearer token (better: the STIGRUN_UCP_TOKEN environment variable); never written.
    #[arg(long)]
    pub ucp_token: Option<String>,
    /// A UCP client bundle directory (ca.pem, cert.pem, key.pem) for UCP's API.
    #[arg(long)]
    pub ucp_bundle: Option<PathBuf>,
    /// A UCP config-toml downloaded by hand, stored (secrets removed) as ucp/config.toml.
    #[arg(long)]
    pub ucp_config: Option<PathBuf>,
    /// DTR's URL (`https://dtr.example.mil`), for its settings, scanning status and tags.
    #[arg(long)]
    pub dtr_url: Option<String>,
    /// DTR bearer token (better: STIGRUN_DTR_TOKEN); never written.
    #[arg(long)]
    pub dtr_token: Option<String>,
    /// Seconds each request may take.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The built-in benchmark to assemble: `docker-ee` (V2R2) or `docker-ee@V2R1`, `docker-ee@V1R1`.
    #[arg(long, short = 'b')]
    pub benchmark: String,
    /// Where to write the data stream (written atomically).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Profile to evaluate (id or unique suffix); default: the benchmark's own selections.
    #[arg(long)]
    pub profile: Option<String>,
    /// XCCDF 1.2 tailoring file whose profiles extend or replace the benchmark's.
    #[arg(long)]
    pub tailoring_file: Option<PathBuf>,
    /// Evaluate only this rule (repeatable).
    #[arg(long = "rule")]
    pub rules: Vec<String>,
    /// Do not evaluate this rule (repeatable); it is reported as notselected.
    #[arg(long = "skip-rule")]
    pub skip_rules: Vec<String>,
    /// Directory to treat as the scanned system's `/`.
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// Set an XCCDF value: `--var VALUE_ID=VALUE` (repeatable; the short id works too).
    #[arg(long = "var", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    /// Set XCCDF values from a TOML file: `ID = "value"` lines, or `[[value]]` tables with
    /// `xccdf_value_id` and `default` (content/docker-ee/values.toml's form); `--var` wins.
    #[arg(long)]
    pub values: Option<PathBuf>,
    /// Assessor answers (TOML) for manual rules or overrides: rule, status, who, when, expires…
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Write stigrun's JSON results (rule results, evidence, target facts, timing) here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// What makes the exit code 2 (comma-separated): results (fail, error, unknown…) and/or
    /// severities (cat1, cat2, cat3 or high, medium, low: only rules of those severities count).
    #[arg(long, value_delimiter = ',', default_value = "fail,error,unknown")]
    pub fail_on: Vec<String>,
    /// For scripts and logs: progress lines on stderr (at most one a second), then one
    /// `RULE-ID<TAB>RESULT` line per rule on stdout (the summary goes to stderr).
    #[arg(long)]
    pub progress: bool,
    /// Write XCCDF 1.2 results (a TestResult) here.
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Write an ARF 1.1 report (source data stream, asset, XCCDF and OVAL results) here.
    #[arg(long)]
    pub results_arf: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Leave the source data stream out of the ARF.
    #[arg(long)]
    pub thin: bool,
    /// Keep the values of credential-like settings (tokens, passwords, secrets, keys) in the
    /// outputs; by default they are replaced by their SHA-256.
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results to render: stigrun JSON (`eval --json`) or an ARF written by `oscap xccdf eval`.
    #[arg(long)]
    pub from: PathBuf,
    /// The format to write (one of the report formats stigrun has).
    #[arg(long, value_parser = parse_report_format)]
    pub format: crate::render::ReportFormat,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Leave the source data stream out of the ARF.
    #[arg(long)]
    pub thin: bool,
    /// A newer DISA CCI list instead of the built-in one (HTML: CCI → 800-53).
    #[arg(long)]
    pub cci_list: Option<PathBuf>,
}

fn parse_report_format(s: &str) -> Result<crate::render::ReportFormat, String> {
    crate::render::ReportFormat::parse(s).ok_or_else(|| {
        let names: Vec<&str> = crate::render::ReportFormat::ALL.iter().map(|f| f.name()).collect();
        format!("`{s}` is not a report format; choose one of: {}", names.join(", "))
    })
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected VALUE_ID=VALUE, got `{s}`"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Which benchmark to load, and which part of a data stream.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// A built-in benchmark (`docker-ee`, `docker-ee@V2R1`) or the path of an XCCDF or data stream file.
    #[arg(long, short = 'b')]
    pub benchmark: String,
    /// Data stream to use when the collection has several.
    #[arg(long)]
    pub datastream_id: Option<String>,
    /// Checklist component-ref to use when the data stream has several.
    #[arg(long)]
    pub xccdf_id: Option<String>,
    /// Benchmark id to use when the data stream has several.
    #[arg(long)]
    pub benchmark_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct BenchmarksArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Only rules selected by this profile (id or unique suffix).
    #[arg(long)]
    pub profile: Option<String>,
    /// Only rules of this severity (high, medium, low, or CAT I / CAT II / CAT III).
    #[arg(long)]
    pub severity: Option<String>,
    /// Only rules citing this CCI (e.g. CCI-001851).
    #[arg(long)]
    pub cci: Option<String>,
    /// Only rules mapped to this NIST SP 800-53 control or enhancement (e.g. AU-4, AU-4 (1)).
    #[arg(long)]
    pub nist: Option<String>,
    /// A newer DISA CCI list instead of the built-in one.
    #[arg(long)]
    pub cci_list: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Rule to show: V-235833, SV-235833, SV-235833r961395_rule, DKER-EE-003320 or an XCCDF rule id.
    pub rule: String,
    /// A newer DISA CCI list instead of the built-in one.
    #[arg(long)]
    pub cci_list: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ValuesArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum OvalCommand {
    /// Evaluate OVAL definitions against a host or a mounted root, like `oscap oval eval`.
    Eval(OvalEvalArgs),
}

#[derive(Debug, Args)]
pub struct OvalEvalArgs {
    /// An OVAL definitions file, or a data stream holding OVAL components.
    pub file: PathBuf,
    /// Directory to treat as the scanned system's `/`.
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// Evaluate only this definition (repeatable).
    #[arg(long = "id")]
    pub ids: Vec<String>,
    /// OVAL variables document with values for external variables.
    #[arg(long)]
    pub variables: Option<PathBuf>,
    /// Write OVAL results (with system characteristics) to this file.
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// For a data stream: the id of the OVAL component to evaluate (default: the first).
    #[arg(long)]
    pub oval_id: Option<String>,
}

/// `stigrun --version`: the version, the git commit it was built from (see build.rs) and the releases of
/// the content built into the binary, which decide what `--benchmark docker-ee` evaluates.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut releases: Vec<(&str, Vec<String>)> = Vec::new();
        for b in crate::source::catalog::builtin_benchmarks() {
            let release =
                format!("{} ({}{})", b.release, b.benchmark_date, if b.default { ", default" } else { "" });
            match releases.iter_mut().find(|(name, _)| *name == b.name) {
                Some((_, list)) => list.push(release),
                None => releases.push((b.name, vec![release])),
            }
        }
        let content: Vec<String> =
            releases.iter().map(|(name, list)| format!("{name} {}", list.join(", "))).collect();
        format!(
            "{} (commit {})\nbuilt-in content: {}; DISA CCI list {}",
            env!("CARGO_PKG_VERSION"),
            env!("STIGRUN_GIT_COMMIT"),
            content.join("; "),
            crate::source::catalog::BUILTIN_CCI_LIST_VERSION
        )
    })
}
