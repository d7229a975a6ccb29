//! `stigrun build --benchmark docker-ee[@RELEASE] --out ds.xml`.

use std::process::ExitCode;

use anyhow::{Context, bail};

use super::args::BuildArgs;
use crate::source::build::{build_builtin, datastream::write_atomically};
use crate::source::catalog::{self, BenchmarkSource};

pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let benchmark = match catalog::resolve(&args.benchmark)? {
        BenchmarkSource::Builtin(b) => b,
        BenchmarkSource::Path(path) => bail!(
            "`{}` is a file; `stigrun build` assembles built-in content only (e.g. `docker-ee@V2R1`)",
            path.display()
        ),
    };
    let built = build_builtin(benchmark).with_context(|| format!("building `{}`", benchmark.spec()))?;
    write_atomically(&args.out, built.xml.as_bytes())?;
    // The Engine API checks sit beside the data stream, where its rules' href finds them.
    let engine = args.out.with_file_name(crate::source::build::ENGINE_OVAL_HREF);
    write_atomically(&engine, built.engine_oval.as_bytes())?;
    let dockerd = args.out.with_file_name(crate::source::build::DOCKERD_OVAL_HREF);
    write_atomically(&dockerd, built.dockerd_oval.as_bytes())?;
    // The binding report goes to stderr: stdout stays free for scripts.
    for line in built.report.lines() {
        eprintln!("{line}");
    }
    eprintln!("wrote {} ({} bytes)", args.out.display(), built.xml.len());
    eprintln!("wrote {} ({} bytes): the Engine API checks", engine.display(), built.engine_oval.len());
    eprintln!(
        "wrote {} ({} bytes): the node checks through dockerd's effective configuration",
        dockerd.display(),
        built.dockerd_oval.len()
    );
    Ok(ExitCode::SUCCESS)
}
