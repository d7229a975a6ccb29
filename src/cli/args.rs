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
    /// Set a bound of this run: `--limit target-file-bytes=16M` (repeatable). Names:
    /// content-file-bytes, target-file-bytes, parsed-file-bytes, symlinks, xml-depth,
    /// criteria-depth, reference-depth, yaml-depth, yaml-nodes, walk-entries, items-per-object,
    /// values-per-variable, regex-steps, regex-steps-per-line, rule-timeout
    #[arg(long = "limit", value_name = "NAME=VALUE", global = true)]
    pub limits: Vec<String>,
    /// Wall-clock bound on collecting one object, and on one rule's checks (seconds, or with
    /// s/m/h): an object over it is `error`, and so are the rules that read it
    #[arg(long, value_name = "TIME", global = true)]
    pub rule_timeout: Option<String>,
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
    /// Re-render saved results (stigrun JSON, an oscap ARF, XCCDF results) in any report format:
    /// XCCDF, ARF, HTML, CKL, CKLB, HDF, eMASS; no rescan.
    Report(ReportArgs),
    /// Assemble a built-in benchmark's SCAP 1.3 source data stream (XCCDF 1.2 + OVAL node checks).
    Build(BuildArgs),
    /// Save a live Docker Engine's (and UCP's, DTR's) API answers as a snapshot to scan later.
    Collect(CollectArgs),
    /// Compare two scans of one target: new, closed, still open and changed findings (exit 2 on
    /// new findings).
    Diff(DiffArgs),
    /// Merge many nodes' results into one fleet report (HTML, JSON) and per-node reports.
    Merge(MergeArgs),
}

/// How `diff` writes its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
    Html,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier scan (stigrun JSON results).
    pub old: PathBuf,
    /// The later scan.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Write the answer here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Compare scans of different targets (by default refused: their findings are not "new").
    #[arg(long)]
    pub any_target: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("inputs").required(true).args(["results", "from_dir"])))]
pub struct MergeArgs {
    /// Results files (stigrun JSON; an ARF is read whole).
    pub results: Vec<PathBuf>,
    /// Merge every `*.json` and `*.xml` file in this directory (not descending).
    #[arg(long)]
    pub from_dir: Option<PathBuf>,
    /// Write the fleet report as HTML here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write the fleet report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write each node's own reports into this directory, named after the node's host name.
    #[arg(long)]
    pub per_node_dir: Option<PathBuf>,
    /// The formats of the per-node reports (comma-separated; any `report --format`).
    #[arg(long, value_delimiter = ',', value_parser = parse_report_format, default_value = "html", requires = "per_node_dir")]
    pub per_node_format: Vec<crate::render::ReportFormat>,
    /// A newer DISA CCI list instead of the built-in one (per-node reports).
    #[arg(long)]
    pub cci_list: Option<PathBuf>,
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
    /// The SSP's trusted certificate authorities (PEM bundle): the UCP and DTR certificate chains
    /// must verify up to one of them (DKER-EE-001870, -001880, -003920, -003930, -006190).
    #[arg(long, value_name = "PEM")]
    pub trusted_ca: Option<PathBuf>,
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
    /// Tailoring component of the data stream (its checklists' component-ref id) to apply.
    #[arg(long, conflicts_with = "tailoring_file")]
    pub tailoring_id: Option<String>,
    /// A CPE dictionary or CPE applicability-language file deciding platforms beside the content's
    /// own (repeatable); its checks' hrefs are relative to it, as with oscap's `--cpe`.
    #[arg(long = "cpe", value_name = "FILE")]
    pub cpe: Vec<PathBuf>,
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
    /// Assessor answers (TOML) for manual rules or overrides: rule, status, who, when, expires…; or
    /// an earlier STIG Viewer checklist (CKL, CKLB) whose answers are carried to this scan.
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Write stigrun's JSON results (rule results, evidence, target facts, timing) here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// What makes the exit code 2 (comma-separated): results (fail, error, unknown…) and/or
    /// severities (cat1, cat2, cat3 or high, medium, low: only rules of those severities count);
    /// `none`: exit 0 whatever the results.
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
    /// Write a STIG Viewer 2 checklist (CKL) here.
    #[arg(long)]
    pub ckl: Option<PathBuf>,
    /// Write a STIG Viewer 3 checklist (CKLB) here.
    #[arg(long)]
    pub cklb: Option<PathBuf>,
    /// Write Heimdall Data Format (HDF) JSON here.
    #[arg(long)]
    pub hdf: Option<PathBuf>,
    /// Write eMASS test-result rows (one per CCI) here: CSV, or XLSX when the name ends in .xlsx.
    #[arg(long)]
    pub emass: Option<PathBuf>,
    /// Leave the source data stream out of the ARF.
    #[arg(long)]
    pub thin: bool,
    /// Keep the values of credential-like settings (tokens, passwords, secrets, keys) in the
    /// outputs; by default they are replaced by their SHA-256.
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub asset: AssetArgs,
}

/// The asset's identity as the assessor names it, for every report (checklists, eMASS, ARF…).
#[derive(Debug, Args, Default)]
pub struct AssetArgs {
    /// A TOML file with the asset's identity (hostname, fqdn, ip, mac, role, marking, tech_area…);
    /// the options below win over it.
    #[arg(long)]
    pub target_file: Option<PathBuf>,
    /// The asset's host name (instead of the scanned root's).
    #[arg(long)]
    pub hostname: Option<String>,
    /// The asset's IP address (repeatable).
    #[arg(long = "ip")]
    pub ip: Vec<String>,
    /// The asset's MAC address (repeatable).
    #[arg(long = "mac")]
    pub mac: Vec<String>,
    /// The asset's fully qualified domain name.
    #[arg(long)]
    pub fqdn: Option<String>,
    /// The checklist role: None, Workstation, Member Server, Domain Controller.
    #[arg(long)]
    pub role: Option<String>,
    /// The checklist marking (CUI, UNCLASSIFIED…).
    #[arg(long)]
    pub marking: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results to render: stigrun JSON (`eval --json`), an ARF written by `oscap xccdf eval`, or an
    /// XCCDF 1.1/1.2 results file (oscap's `--results`, DISA SCC's, stigrun's own).
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
    #[command(flatten)]
    pub asset: AssetArgs,
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
    /// Refuse content that is not a signed source data stream whose XML signature verifies
    /// (and, with --signer-ca, whose signer chains to one of those CAs).
    #[arg(long)]
    pub enforce_signature: bool,
    /// PEM file of the CAs trusted to sign content: a signed data stream's signer certificate
    /// is verified up to one of them, and the results name it.
    #[arg(long, value_name = "PEM")]
    pub signer_ca: Option<std::path::PathBuf>,
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
