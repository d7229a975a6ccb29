//! Writes stigrun's man pages (one per command: `stigrun.1`, `stigrun-eval.1`, `stigrun-oval-eval.1`, …)
//! and its bash, zsh and fish completions from the clap definitions in `src/cli/args.rs`, so they cannot
//! drift from the CLI. `scripts/package.sh` runs it; the packages install what it writes.
//!
//! usage: cargo run --example gen-docs -- OUT_DIR   (writes OUT_DIR/man/*.1 and OUT_DIR/completions/*)

use std::io;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

/// Generates everything under `out`; returns the files written.
pub fn generate(out: &Path) -> io::Result<Vec<PathBuf>> {
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    clap_mangen::generate_to(stigrun::cli::args::Cli::command(), &man)?;
    let mut written: Vec<PathBuf> =
        std::fs::read_dir(&man)?.map(|entry| entry.map(|e| e.path())).collect::<io::Result<_>>()?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let mut cmd = stigrun::cli::args::Cli::command();
        written.push(clap_complete::generate_to(shell, &mut cmd, "stigrun", &completions)?);
    }
    written.sort();
    Ok(written)
}

fn main() -> io::Result<()> {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: gen-docs OUT_DIR");
        std::process::exit(2);
    };
    for file in generate(Path::new(&out))? {
        println!("{}", file.display());
    }
    Ok(())
}
