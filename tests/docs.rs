//! The man pages and shell completions come from the clap definitions (examples/gen-docs.rs, which the
//! packages use): generation works, and every command has its page and appears in every completion.

#[path = "../examples/gen-docs.rs"]
#[allow(dead_code)] // its `main` is the example's, not the test's
mod gen_docs;

use clap::CommandFactory;

/// Every command path below `stigrun`, joined with `-` as man page names are: `eval`, `oval-eval`, …
fn commands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, String)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let path = format!("{prefix}-{}", sub.get_name());
        out.push((path.clone(), sub.get_name().to_string()));
        commands(sub, &path, out);
    }
}

#[test]
fn man_pages_and_completions_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let written = gen_docs::generate(dir.path()).expect("generation succeeds");
    let mut all = Vec::new();
    commands(&stigrun::cli::args::Cli::command(), "stigrun", &mut all);
    assert!(
        all.iter().any(|(page, _)| page == "stigrun-eval")
            && all.iter().any(|(page, _)| page == "stigrun-oval-eval")
    );

    let read = |relative: &str| {
        std::fs::read_to_string(dir.path().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    };
    let top = read("man/stigrun.1");
    assert!(top.contains(".TH stigrun 1"), "{top}");
    for (page, name) in &all {
        let text = read(&format!("man/{page}.1"));
        assert!(text.contains(&format!(".TH {page} 1")), "{page}.1 has no title line");
        if !page["stigrun-".len()..].contains('-') {
            assert!(top.contains(name.as_str()), "stigrun.1 does not list `{name}`");
        }
    }
    assert!(read("man/stigrun-eval.1").contains("results\\-arf"), "eval's options are documented");
    assert_eq!(written.iter().filter(|p| p.extension().is_some_and(|e| e == "1")).count(), all.len() + 1);

    for completion in ["completions/stigrun.bash", "completions/_stigrun", "completions/stigrun.fish"] {
        let text = read(completion);
        for (_, name) in &all {
            assert!(text.contains(name.as_str()), "{completion} does not complete `{name}`");
        }
        assert!(text.contains("results-arf"), "{completion} does not complete eval's options");
    }
}
