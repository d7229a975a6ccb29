//! One function per command: turn checked arguments into library calls and print the result.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{BenchmarksArgs, Format, InfoArgs, OvalEvalArgs};
use super::output::{Listing, print_json, print_listing};
use crate::host::ScanTarget;
use crate::query;

pub fn benchmarks(args: BenchmarksArgs) -> anyhow::Result<ExitCode> {
    let views = query::builtins()?;
    let rows = views
        .iter()
        .map(|b| {
            vec![
                b.spec.clone(),
                if b.default { format!("{} (default)", b.name) } else { String::new() },
                b.title.clone(),
                b.release_info.clone().unwrap_or_default(),
                b.rules.to_string(),
            ]
        })
        .collect();
    let listing =
        Listing { headers: &["benchmark", "alias", "title", "release", "rules"], rows, json: &views };
    print_listing(&listing, args.format)?;
    Ok(ExitCode::SUCCESS)
}

pub fn info(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let view = query::info(&args.source.benchmark)?;
    match args.format {
        Format::Json => print_json(&view)?,
        Format::Table | Format::Csv => print_info_text(&view).context("writing to stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `oscap info`-style indented text.
fn print_info_text(view: &query::InfoView) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = super::output::safe_stdout();
    writeln!(out, "Document type: {}", view.document_type)?;
    writeln!(out, "File: {}", view.file)?;
    if let Some(counts) = &view.automated {
        let n = |k: &str| counts.get(k).copied().unwrap_or(0);
        writeln!(
            out,
            "stigrun checks: {} rules on the node (OVAL, `eval --root`), {} through the Engine/UCP API \
             (live or `--snapshot`), {} manual (the assessor; `--answers`); `stigrun rules` lists each",
            n("node"),
            n("api"),
            n("manual")
        )?;
    }
    for ds in &view.data_streams {
        writeln!(out, "Stream: {}", ds.id)?;
        writeln!(out, "  SCAP version: {}", ds.scap_version.as_deref().unwrap_or("-"))?;
        writeln!(out, "  Use case: {}", ds.use_case.as_deref().unwrap_or("-"))?;
        writeln!(out, "  Checklists: {}", ds.checklists.join(", "))?;
        writeln!(out, "  Checks: {}", ds.checks.join(", "))?;
        writeln!(out, "  Dictionaries: {}", ds.dictionaries.join(", "))?;
    }
    for b in &view.benchmarks {
        writeln!(out)?;
        if let Some(cref) = &b.component_ref {
            writeln!(out, "Checklist: {cref}")?;
        }
        writeln!(out, "Benchmark: {}", b.id)?;
        writeln!(out, "  Title: {}", b.title)?;
        let version = match b.xccdf_version {
            crate::model::xccdf::XccdfVersion::V1_1 => "1.1",
            crate::model::xccdf::XccdfVersion::V1_2 => "1.2",
        };
        writeln!(out, "  XCCDF version: {version}")?;
        writeln!(
            out,
            "  Status: {}{}",
            b.status.as_deref().unwrap_or("-"),
            b.status_date.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
        )?;
        writeln!(out, "  Version: {}", b.version.as_deref().unwrap_or("-"))?;
        if let Some(r) = &b.release_info {
            writeln!(out, "  Release: {}", super::output::release_text(r))?;
        }
        writeln!(
            out,
            "  Rules: {}  Groups: {}  Values: {}  Profiles: {}",
            b.rules,
            b.groups,
            b.values,
            b.profiles.len()
        )?;
        writeln!(out, "  Check systems:")?;
        for (system, count) in &b.check_systems {
            writeln!(out, "    {system}: {count} rules")?;
        }
        writeln!(out, "  Profiles:")?;
        for p in &b.profiles {
            writeln!(out, "    {} ({} rules)", p.id, p.selected_rules)?;
            writeln!(out, "      Title: {}", p.title)?;
        }
    }
    Ok(())
}

pub fn oval_eval(args: OvalEvalArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;

    use crate::render::oval_results::{OvalResultsOptions, write_oval_results_file};
    use crate::scan::oval_file::{OvalFileRequest, evaluate_file};

    let request = OvalFileRequest {
        file: &args.file,
        target: &ScanTarget::open(&args.root)?,
        ids: &args.ids,
        variables: args.variables.as_deref(),
        component_id: args.oval_id.as_deref(),
    };
    let (definitions, run) = evaluate_file(&request)?;
    let mut out = super::output::safe_stdout();
    for result in run.definitions.values() {
        writeln!(out, "Definition {}: {}", result.id, result.result)?;
    }
    writeln!(out, "Evaluation done.")?;
    if let Some(path) = &args.results {
        write_oval_results_file(path, &definitions, &run, &OvalResultsOptions::default())
            .with_context(|| format!("writing OVAL results to `{}`", path.display()))?;
    }
    // Like `oscap oval eval`: the exit code says whether the tool worked, not what it found.
    Ok(ExitCode::SUCCESS)
}

pub fn eval(args: super::args::EvalArgs) -> anyhow::Result<ExitCode> {
    use crate::scan::benchmark::{ScanRequest, scan};

    let gate = FailOn::parse(&args.fail_on)?;
    let selection = crate::loader::Selection { profile: args.profile.clone(), ..selection_of(&args.source)? };
    // A tailoring file given as the content is followed to its benchmark, its profiles applied.
    let mut args = args;
    if args.tailoring_file.is_none()
        && let Some(benchmark) = crate::source::tailored_benchmark(&args.source.benchmark)
    {
        args.tailoring_file = Some(std::path::PathBuf::from(&args.source.benchmark));
        args.source.benchmark = benchmark.display().to_string();
    }
    let content = crate::source::open_for_scan(&args.source.benchmark, &selection)?;
    let loaded = content.loaded;
    for dangling in loaded.collection.iter().flat_map(|c| &c.dangling) {
        eprintln!("stigrun: warning: {dangling}");
    }
    report_signature(&loaded.signature);
    let tailoring_profiles = match (&args.tailoring_file, &args.tailoring_id) {
        (Some(path), _) => {
            let tailoring = crate::loader::tailoring::load_tailoring_file(path)?;
            if let Some(warning) =
                tailoring_for_another(&tailoring, &args.source.benchmark, &loaded.benchmark.id)
            {
                eprintln!(
                    "stigrun: warning: {}: {}",
                    super::output::printable(&path.display().to_string()),
                    super::output::printable(&warning)
                );
            }
            tailoring.profiles
        }
        (None, Some(id)) => crate::source::tailoring_component(&loaded, id)
            .map_err(|e| anyhow::anyhow!("{}: --tailoring-id: {e}", args.source.benchmark))?,
        (None, None) => Vec::new(),
    };
    // A profile naming a rule, group or value the benchmark lacks: warned of and ignored (as oscap).
    let chosen =
        args.profile.as_deref().and_then(|p| crate::resolve::find_profile(&loaded.benchmark, p).ok());
    for profile in tailoring_profiles.iter().chain(chosen) {
        for (id, location) in crate::resolve::unknown_idrefs(&loaded.benchmark, profile) {
            eprintln!(
                "stigrun: warning: {location}: profile `{}` names `{id}`, which the benchmark does not have; ignored",
                profile.id
            );
        }
    }
    let identity = super::report::asset_identity(&args.asset)?;
    let answers = match &args.answers {
        Some(path) if crate::results::io::checklist::is_checklist(path) => {
            let carried = crate::scan::carry::carry_checklist(path, &loaded.benchmark)?;
            super::summary::print_carried(path, &carried);
            carried.answers
        }
        Some(path) => crate::scan::answers::load_answers(path, &loaded.benchmark)?,
        None => Vec::new(),
    };
    let (display, progress) = super::progress::Display::choose(args.progress, &args.source.benchmark);
    let request = ScanRequest {
        source_name: args.source.benchmark.clone(),
        base_dir: content.base_dir,
        content_digest: Some(content.digest),
        profile: args.profile.clone(),
        tailoring_profiles,
        rules: args.rules.clone(),
        skip_rules: args.skip_rules.clone(),
        values: match &args.values {
            Some(path) => values_file(path)?.into_iter().chain(args.vars.iter().cloned()).collect(),
            None => args.vars.clone(),
        },
        answers,
        progress,
        documents: content.documents,
        cpe_files: args.cpe.clone(),
    };
    // The ARF's report request copies the source data stream, which the scan consumes.
    let wants_request = args.results_arf.is_some() && !args.thin;
    let mut source_xml =
        wants_request.then(|| loaded.collection.as_ref().map(|c| c.text().to_string())).flatten();
    let standalone = wants_request && source_xml.is_none();
    let target = scan_target(&args.root, &args.engine)?;
    let results = scan(loaded, &request, &target);
    display.finish();
    let mut results = results?;
    for warning in &results.warnings {
        let place = warning.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
        eprintln!("stigrun: warning: {}", super::output::printable(&format!("{place}{}", warning.message)));
    }
    if let Some(identity) = &identity {
        identity.apply(&mut results.target);
    }
    if !args.no_redact {
        crate::results::redact::redact(&mut results);
    }
    if args.progress {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let lines = results.rules.iter().try_for_each(|r| writeln!(out, "{}\t{}", r.rule_id, r.result));
        super::output::ignore_broken_pipe(lines.and_then(|()| out.flush()))?;
    }
    // Answers that were not applied (expired, unjustified overrides) are said where scripts see them.
    for r in &results.rules {
        for m in r.messages.iter().filter(|m| m.code == crate::diag::Code::AnswerIgnored) {
            eprintln!("stigrun: warning: {}: {}", r.version.as_deref().unwrap_or(&r.rule_id), m.message);
        }
    }
    // With --progress, stdout is the RULE<TAB>RESULT lines alone.
    super::output::ignore_broken_pipe(super::summary::print(&results, args.progress))?;
    super::summary::print_superseded(&results);
    if standalone {
        source_xml = super::report::standalone_request(&results);
    }
    super::report::write_requested(&args, &results, source_xml.as_deref())?;
    let failed = results.rules.iter().any(|r| gate.trips(r.result, r.severity));
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// `--fail-on`: results (`fail`, `error`…) and severities (`cat1`, `high`…). Severities narrow the
/// results to rules of those severities; with severities alone the results are the default ones.
#[derive(Debug, PartialEq)]
struct FailOn {
    results: Vec<crate::results::xccdf::XccdfResult>,
    severities: Vec<crate::model::xccdf::Severity>,
}

impl FailOn {
    fn parse(names: &[String]) -> anyhow::Result<FailOn> {
        use crate::model::xccdf::Severity;
        use crate::results::xccdf::XccdfResult;
        let mut gate = FailOn { results: Vec::new(), severities: Vec::new() };
        // `none`: the exit code says only whether the scan ran (a Kubernetes pod must not restart
        // on findings); a gate with no results never trips.
        if names.iter().any(|n| n.trim().eq_ignore_ascii_case("none")) {
            return Ok(gate);
        }
        for name in names {
            let norm = name.trim().to_ascii_lowercase().replace([' ', '_', '-'], "");
            let severity = match norm.as_str() {
                "cat1" | "cati" | "high" => Some(Severity::High),
                "cat2" | "catii" | "medium" => Some(Severity::Medium),
                "cat3" | "catiii" | "low" => Some(Severity::Low),
                _ => None,
            };
            match (severity, XccdfResult::parse(name.trim())) {
                (Some(s), _) => gate.severities.push(s),
                (None, Some(r)) => gate.results.push(r),
                (None, None) => {
                    let results: Vec<&str> = XccdfResult::ALL.iter().map(|r| r.as_str()).collect();
                    anyhow::bail!(
                        "--fail-on: `{name}` is neither a result nor a severity; choose from {} or cat1, cat2, cat3 (high, medium, low)",
                        results.join(", ")
                    );
                }
            }
        }
        if gate.results.is_empty() {
            gate.results = vec![XccdfResult::Fail, XccdfResult::Error, XccdfResult::Unknown];
        }
        Ok(gate)
    }

    fn trips(
        &self,
        result: crate::results::xccdf::XccdfResult,
        severity: crate::model::xccdf::Severity,
    ) -> bool {
        self.results.contains(&result) && (self.severities.is_empty() || self.severities.contains(&severity))
    }
}

/// The scan target: the root, and the engine source the arguments (or the defaults) name.
pub(super) fn scan_target(
    root: &std::path::Path,
    engine: &super::args::EngineArgs,
) -> anyhow::Result<ScanTarget> {
    let mut target = ScanTarget::open(root)?;
    if let Some(bundle) = &engine.trusted_ca {
        target = target.with_trusted_cas(crate::host::TrustedCas::from_pem_file(bundle)?);
    }
    let request = crate::host::engine::EngineRequest {
        snapshot: engine.snapshot.clone(),
        docker_host: engine.docker_host.clone(),
        ucp_config: engine.ucp_config.clone(),
    };
    let opened = crate::host::engine::open_engine(&request, target.is_running_system())
        .context("opening the Docker Engine source")?;
    for warning in &opened.warnings {
        eprintln!("stigrun: warning: {warning}");
    }
    Ok(match opened.source {
        Some(source) => target.with_engine(source),
        None => target,
    })
}

/// Say on the console what the content's XML signature showed (SP 800-126r3 §3.1). A signature
/// that does not verify is a warning: the scan goes on unless `--enforce-signature` refused it.
fn report_signature(check: &crate::loader::signature::SignatureCheck) {
    use crate::loader::signature::{Status, Trust};
    let at = check.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
    let signer = check.signer.as_deref().unwrap_or("an unnamed signer");
    match check.status {
        Status::Unsigned => {}
        Status::Verified => match &check.trust {
            Trust::NotChecked => eprintln!(
                "stigrun: {at}signature verified: signed by {signer} (the key comes with the signature: not checked against trusted CAs; --signer-ca does)"
            ),
            Trust::Trusted(anchor) => {
                eprintln!(
                    "stigrun: {at}signature verified: signed by {signer}, who chains to the trusted CA {anchor}"
                )
            }
            Trust::Untrusted(why) => eprintln!(
                "stigrun: warning: {at}signature verified, but its signer ({signer}) is not trusted: {why}; scanning anyway (--enforce-signature refuses such content)"
            ),
        },
        Status::Invalid => eprintln!(
            "stigrun: warning: {at}the signature (by {signer}) cannot vouch for the content: {}; scanning anyway (--enforce-signature refuses such content)",
            check.problem.as_deref().unwrap_or("unknown problem")
        ),
    }
}

fn selection_of(source: &super::args::SourceArgs) -> anyhow::Result<crate::loader::Selection> {
    let signer_cas = match &source.signer_ca {
        Some(path) => {
            Some(std::sync::Arc::new(crate::host::TrustedCas::from_pem_file(path).context("--signer-ca")?))
        }
        None => None,
    };
    Ok(crate::loader::Selection {
        datastream_id: source.datastream_id.clone(),
        xccdf_id: source.xccdf_id.clone(),
        benchmark_id: source.benchmark_id.clone(),
        profile: None,
        enforce_signature: source.enforce_signature,
        signer_cas,
    })
}

pub fn rules(args: super::args::RulesArgs) -> anyhow::Result<ExitCode> {
    let loaded = crate::source::open_benchmark(&args.source.benchmark, &selection_of(&args.source)?)?;
    let cci = crate::source::catalog::load_cci_catalog(args.cci_list.as_deref())?;
    let filter = query::RuleFilter {
        profile: args.profile.as_deref(),
        severity: args.severity.as_deref(),
        cci: args.cci.as_deref(),
        nist: args.nist.as_deref(),
    };
    let automation = query::automation_for(&args.source.benchmark);
    let rows = query::rules(&loaded, &cci, &filter, automation.as_ref())?;
    let table = rows
        .iter()
        .map(|r| {
            vec![
                r.vuln_id.clone().unwrap_or_default(),
                r.stig_id.clone().unwrap_or_else(|| r.rule_id.clone()),
                r.category.map_or_else(|| r.severity.as_str().to_string(), |c| c.as_str().to_string()),
                r.title.clone(),
                r.ccis.join(" "),
                r.nist_800_53_rev5.join("; "),
                r.check.clone(),
            ]
        })
        .collect();
    let listing = Listing {
        headers: &["V-ID", "STIG ID / rule", "CAT", "title", "CCI", "800-53 rev 5", "check"],
        rows: table,
        json: &rows,
    };
    print_listing(&listing, args.format)?;
    Ok(ExitCode::SUCCESS)
}

pub fn values(args: super::args::ValuesArgs) -> anyhow::Result<ExitCode> {
    // The values a scan can set: those of the content it scans (a built-in's data stream).
    let loaded = crate::source::open_for_scan(&args.source.benchmark, &selection_of(&args.source)?)?.loaded;
    let rows = query::values(&loaded);
    let table = rows
        .iter()
        .map(|v| {
            let selectors: Vec<String> = v.selectors.iter().map(|(s, x)| format!("{s}={x}")).collect();
            vec![
                v.short_id.clone(),
                v.default.clone().unwrap_or_default(),
                selectors.join(" "),
                v.title.clone(),
                v.description.clone(),
            ]
        })
        .collect();
    let listing = Listing {
        headers: &["value (--var)", "default", "selectors", "title", "description"],
        rows: table,
        json: &rows,
    };
    print_listing(&listing, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// `--values FILE`: `ID = "value"` entries, or `[[value]]` tables with `xccdf_value_id` and
/// `default` (the form of content/docker-ee/values.toml and the fixture nodes' values.toml).
pub(super) fn values_file(path: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read values file `{shown}`"))?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{shown}: {}", e.to_string().trim()))?;
    let mut out = Vec::new();
    for (key, item) in &doc {
        match item {
            toml::Value::String(v) => out.push((key.clone(), v.clone())),
            toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                out.push((key.clone(), item.to_string()))
            }
            toml::Value::Array(tables) if key == "value" => {
                for (i, t) in tables.iter().enumerate() {
                    let id = t.get("xccdf_value_id").and_then(|v| v.as_str());
                    let value = t.get("default").and_then(|d| match d {
                        toml::Value::Array(a) => a.first().and_then(|v| v.as_str()),
                        other => other.as_str(),
                    });
                    let (Some(id), Some(value)) = (id, value) else {
                        anyhow::bail!(
                            "{shown}: [[value]] {}: expected `xccdf_value_id` and `default`",
                            i + 1
                        );
                    };
                    out.push((id.to_string(), value.to_string()));
                }
            }
            _ => anyhow::bail!("{shown}: `{key}`: expected a value (ID = \"value\") or [[value]] tables"),
        }
    }
    Ok(out)
}

pub fn show(args: super::args::ShowArgs) -> anyhow::Result<ExitCode> {
    let loaded = crate::source::open_benchmark(&args.source.benchmark, &selection_of(&args.source)?)?;
    let cci = crate::source::catalog::load_cci_catalog(args.cci_list.as_deref())?;
    let mut detail = query::show(&loaded, &cci, &args.rule)?;
    if let Some(automation) = query::automation_for(&args.source.benchmark)
        && let Some(d) =
            automation.decisions.iter().find(|d| detail.stig_id.as_deref() == Some(d.stig_id.as_str()))
    {
        detail.stigrun_check = Some(query::check_kind_name(d.check).to_string());
        detail.stigrun_check_reason = Some(d.reason.clone());
    }
    match args.format {
        Format::Json => print_json(&detail)?,
        Format::Table | Format::Csv => print_rule_text(&detail).context("writing to stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rule_text(d: &query::RuleDetail) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = super::output::safe_stdout();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    writeln!(out, "{}", d.title)?;
    writeln!(out)?;
    writeln!(out, "  Rule ID:    {}  (base {})", d.rule_id, d.rule_base)?;
    writeln!(out, "  V-ID:       {}", opt(&d.vuln_id))?;
    writeln!(out, "  STIG ID:    {}", opt(&d.stig_id))?;
    writeln!(out, "  SRG:        {}", opt(&d.srg))?;
    let cat = d.category.map(|c| format!(" / {}", c.as_str())).unwrap_or_default();
    writeln!(out, "  Severity:   {}{cat}  (weight {})", d.severity.as_str(), d.weight)?;
    if !d.legacy_ids.is_empty() {
        writeln!(out, "  Legacy IDs: {}", d.legacy_ids.join(", "))?;
    }
    if let Some(t) = &d.dpms_target {
        writeln!(out, "  DPMS:       {t}")?;
    }
    if let Some(check) = &d.stigrun_check {
        let reason = d.stigrun_check_reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
        writeln!(out, "  stigrun:    {check}{reason}")?;
    }
    writeln!(out)?;
    writeln!(out, "CCIs")?;
    for c in &d.ccis {
        writeln!(out, "  {}: {}", c.cci, c.definition.as_deref().unwrap_or("(not in the CCI list)"))?;
        writeln!(out, "    NIST SP 800-53 rev 4: {}", c.nist_800_53_rev4.join("; "))?;
        writeln!(out, "    NIST SP 800-53 rev 5: {}", c.nist_800_53_rev5.join("; "))?;
    }
    for (heading, text) in
        [("Discussion", Some(&d.discussion)), ("Check", d.check_text.as_ref()), ("Fix", d.fix_text.as_ref())]
    {
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            writeln!(out)?;
            writeln!(out, "{heading}")?;
            for line in text.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "  Check ID: {}   Fix ID: {}", opt(&d.check_id), opt(&d.fix_id))?;
    Ok(())
}

/// A tailoring file names the benchmark it was written for (`<benchmark href>`). When that names
/// neither the file given as --benchmark nor the benchmark's id, say so (as oscap does); its
/// profiles are still applied. Built-in benchmarks have no file name to compare.
fn tailoring_for_another(
    tailoring: &crate::loader::tailoring::Tailoring,
    given: &str,
    benchmark_id: &str,
) -> Option<String> {
    let href = tailoring.benchmark_href.as_deref()?;
    if !given.contains('/') && !given.ends_with(".xml") {
        return None;
    }
    let base = |s: &str| {
        let s = s.split('#').next().unwrap_or(s);
        s.rsplit('/').next().unwrap_or(s).to_string()
    };
    if base(href) == base(given) || href.contains(benchmark_id) {
        return None;
    }
    Some(format!(
        "written for benchmark `{href}`, not `{}` (`{benchmark_id}`); its profiles are applied anyway",
        base(given)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::xccdf::Severity;
    use crate::results::xccdf::XccdfResult;

    #[test]
    fn fail_on_takes_results_and_severities() {
        let names = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        let cat1 = FailOn::parse(&names("cat1")).unwrap();
        assert!(cat1.trips(XccdfResult::Fail, Severity::High));
        assert!(cat1.trips(XccdfResult::Error, Severity::High));
        assert!(!cat1.trips(XccdfResult::Fail, Severity::Medium));
        let fail_high = FailOn::parse(&names("fail,High")).unwrap();
        assert!(!fail_high.trips(XccdfResult::Error, Severity::High));
        assert!(FailOn::parse(&names("CAT II")).unwrap().trips(XccdfResult::Fail, Severity::Medium));
        let plain = FailOn::parse(&names("fail")).unwrap();
        assert!(
            plain.trips(XccdfResult::Fail, Severity::Low) && !plain.trips(XccdfResult::Error, Severity::Low)
        );
        let e = FailOn::parse(&names("catastrophic")).unwrap_err().to_string();
        assert!(e.contains("choose from") && e.contains("cat1"), "{e}");
    }
}
