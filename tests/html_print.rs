//! The HTML report on paper and on a phone (issue 13 point 7), through headless Chromium: desktop
//! and 390 px screenshots, no horizontal overflow at 390 px, and print-to-PDF whose first page holds
//! the summary, with findings expanded and the other rules as one line each.

use std::path::{Path, PathBuf};
use std::process::Command;

const NODE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-ee/noncompliant");

/// Runs a program, failing the test (with the Debian package to install) when it is missing.
fn tool(program: &str, package: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "this test needs `{program}`: install it with `apt-get install {package}` (or run scripts/setup.sh)"
    );
    Command::new(program)
}

fn chromium(dir: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let out = tool("chromium", "chromium")
        // Root in a container has no user namespace for the sandbox; the page is our own file.
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A PNG's width and height (IHDR).
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The report of the noncompliant node, and its results.
fn report(dir: &Path) -> (PathBuf, serde_json::Value) {
    let html = dir.join("report.html");
    let json = dir.join("results.json");
    let run = Command::new(env!("CARGO_BIN_EXE_stigrun"))
        .args(["eval", "-b", "docker-ee", "--root", NODE, "--report"])
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    (html, serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap())
}

/// The report's width as laid out in a `width` px viewport: headless Chromium's window is at least
/// 500 px wide, so the report is framed (`srcdoc`, same origin) at exactly that width.
fn laid_out_width(dir: &Path, html: &Path, width: u32) -> u32 {
    let report = std::fs::read_to_string(html).unwrap();
    let escaped = report.replace('&', "&amp;").replace('"', "&quot;");
    let page = format!(
        "<!DOCTYPE html><html><head><title>x</title></head><body style=\"margin:0\">\
         <iframe id=\"f\" style=\"width:{width}px;height:900px;border:0\" srcdoc=\"{escaped}\"></iframe>\
         <script>document.getElementById('f').onload=function(){{\
         document.title='W='+this.contentDocument.documentElement.scrollWidth+' '+this.contentWindow.innerWidth}}</script>\
         </body></html>"
    );
    let probe = dir.join(format!("probe-{width}.html"));
    std::fs::write(&probe, page).unwrap();
    let out = chromium(dir, &["--window-size=800,900", "--dump-dom"], &probe);
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>W=")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap_or_else(|| panic!("no width in {dom:.300}"));
    let (laid_out, viewport) = title.split_once(' ').unwrap();
    assert_eq!(viewport, width.to_string(), "the frame's viewport");
    laid_out.parse().unwrap()
}

#[test]
fn the_report_reads_on_a_desktop_a_phone_and_paper() {
    let dir = tempfile::tempdir().unwrap();
    let (html, results) = report(dir.path());

    for (name, width, height) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        let png = dir.path().join(format!("{name}.png"));
        chromium(
            dir.path(),
            &[&format!("--window-size={width},{height}"), &format!("--screenshot={}", png.display())],
            &html,
        );
        assert_eq!(png_size(&png), (width, height), "{name} screenshot");
        assert!(std::fs::metadata(&png).unwrap().len() > 10_000, "{name}: an empty page?");
    }
    // Nothing wider than the phone: long ids and paths wrap, tables scroll inside their box.
    let phone = laid_out_width(dir.path(), &html, 390);
    assert!(phone <= 390, "the report is {phone} px wide at 390 px");

    let pdf = dir.path().join("report.pdf");
    chromium(dir.path(), &[&format!("--print-to-pdf={}", pdf.display())], &html);
    let info = tool("pdfinfo", "poppler-utils").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|p| p.trim().parse().unwrap())
        .expect("pdfinfo names the page count");
    eprintln!("print-to-PDF: {pages} pages");
    let text = |first: Option<u32>| {
        let mut cmd = tool("pdftotext", "poppler-utils");
        cmd.args(["-layout"]);
        if let Some(page) = first {
            cmd.args(["-f", &page.to_string(), "-l", &page.to_string()]);
        }
        let out = cmd.arg(&pdf).arg("-").output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // The first page holds the summary: what was scanned and the counts.
    let first = text(Some(1));
    let failed = results["counts"]["fail"].as_u64().unwrap();
    assert!(first.contains("Docker Enterprise 2.x Linux/UNIX"), "{first}");
    assert!(first.contains("Results") && first.contains("Scores"), "{first}");
    // The counts under "Results": the header row of results, then their numbers.
    let mut rows =
        first.lines().skip_while(|l| l.trim() != "Results").skip(1).filter(|l| !l.trim().is_empty());
    let (header, numbers) = (rows.next().unwrap_or_default(), rows.next().unwrap_or_default());
    let column = header.split_whitespace().position(|w| w == "fail").expect("a fail column");
    assert_eq!(
        numbers.split_whitespace().nth(column),
        Some(failed.to_string().as_str()),
        "fail count {failed} under Results:\n{first}"
    );
    assert!(first.contains("By category"), "{first}");
    // Findings print expanded with their details; other rules print as their one summary line.
    let all = text(None);
    assert!(all.contains("Finding details") && all.contains("found:"), "failed rules are expanded");
    assert!(!all.contains("manual check: DISA publishes"), "notchecked rules are expanded on paper");
    assert!(pages > 1 && pages < 200, "{pages} pages");
}
