//! `stigrun collect --out DIR`: write a snapshot of a live engine (see `host::engine::collect`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use super::args::CollectArgs;

#[cfg(feature = "docker-live")]
pub fn collect(args: CollectArgs) -> anyhow::Result<ExitCode> {
    use crate::host::engine::collect::{Extras, collect};
    use crate::host::engine::live::{LiveEngine, LiveOptions, Remote, TlsFiles};

    let Some(host) = args.docker_host.clone().or_else(|| crate::host::engine::default_docker_host(true))
    else {
        bail!("no Docker Engine: give --docker-host (no DOCKER_HOST, no /var/run/docker.sock)");
    };
    let mut options = LiveOptions::new(host).tls_from_env();
    options.timeout = Duration::from_secs(args.timeout);
    options.ucp_config = args.ucp_config.clone();
    let bundle = args.ucp_bundle.as_deref().map(|dir| TlsFiles::in_dir(dir, true));
    if let Some(url) = &args.ucp_url {
        options.ucp = Some(Remote {
            url: url.clone(),
            token: args.ucp_token.clone().or_else(|| std::env::var("STIGRUN_UCP_TOKEN").ok()),
            tls: bundle.clone(),
        });
    }
    if let Some(url) = &args.dtr_url {
        options.dtr = Some(Remote {
            url: url.clone(),
            token: args.dtr_token.clone().or_else(|| std::env::var("STIGRUN_DTR_TOKEN").ok()),
            tls: bundle,
        });
    }
    let extras =
        Extras { ucp: options.ucp.is_some() || options.ucp_config.is_some(), dtr: options.dtr.is_some() };
    let engine = LiveEngine::connect(options).context("connecting to the Docker Engine")?;
    let report = collect(&engine, &args.out, extras)?;
    for (path, why) in report.absent() {
        eprintln!("not collected: {path}: {why}");
    }
    eprintln!("wrote {} documents and manifest.json to {}", report.written(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "docker-live"))]
pub fn collect(_args: CollectArgs) -> anyhow::Result<ExitCode> {
    bail!("this stigrun was built without the docker-live feature: it cannot reach an engine")
}
