//! Built-in content: `docker-ee` (and `docker-ee@V2R1`, …) → embedded benchmark bytes; paths → sources.
//!
//! The DISA files under `content/` are compiled into the binary so that `stigrun` works without
//! downloads; `content/PROVENANCE.md` records where each came from and its SHA-256. This module
//! deals only in bytes: the loaders turn them into models.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::loader::cci::{CciError, load_cci_list, parse_cci_list};
use crate::model::cci::CciCatalog;

/// A benchmark shipped inside the binary.
#[derive(Debug, PartialEq, Eq)]
pub struct BuiltinBenchmark {
    /// What `--benchmark` accepts, e.g. `docker-ee`.
    pub name: &'static str,
    /// DISA's version and release, e.g. `V2R2`.
    pub release: &'static str,
    /// Whether `name` alone selects this release.
    pub default: bool,
    pub title: &'static str,
    /// As DISA writes it in `release-info`, e.g. `24 Jul 2024`.
    pub benchmark_date: &'static str,
    /// The file's name under `content/`, also used in locations and reports.
    pub file_name: &'static str,
    /// Lower-case hex SHA-256 of `bytes` (checked by a test against `content/PROVENANCE.md`).
    pub sha256: &'static str,
    pub bytes: &'static [u8],
}

impl BuiltinBenchmark {
    /// The fully qualified spec, e.g. `docker-ee@V2R2`.
    pub fn spec(&self) -> String {
        format!("{}@{}", self.name, self.release)
    }
}

const DOCKER_EE_TITLE: &str = "Docker Enterprise 2.x Linux/UNIX Security Technical Implementation Guide";

static BUILTIN_BENCHMARKS: [BuiltinBenchmark; 3] = [
    BuiltinBenchmark {
        name: "docker-ee",
        release: "V2R2",
        default: true,
        title: DOCKER_EE_TITLE,
        benchmark_date: "24 Jul 2024",
        file_name: "U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml",
        sha256: "85a058da7a1d8ff139cf1632c8834e34ab94034779fa0541726acac2544d69c9",
        bytes: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/docker-ee/U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml"
        )),
    },
    BuiltinBenchmark {
        name: "docker-ee",
        release: "V2R1",
        default: false,
        title: DOCKER_EE_TITLE,
        benchmark_date: "23 Apr 2021",
        file_name: "U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V2R1_Manual-xccdf.xml",
        sha256: "975f9ebe2be461edfed1093929abf4dc220937d07e66964b1aed0770fd01906e",
        bytes: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/docker-ee/U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V2R1_Manual-xccdf.xml"
        )),
    },
    BuiltinBenchmark {
        name: "docker-ee",
        release: "V1R1",
        default: false,
        title: DOCKER_EE_TITLE,
        benchmark_date: "19 Jul 2019",
        file_name: "U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V1R1_Manual-xccdf.xml",
        sha256: "745755b0a61d40daf91506fb30c0754cd3b18d445310b7de7b6e52de9be5362a",
        bytes: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/docker-ee/U_Docker_Enterprise_2-x_Linux-UNIX_STIG_V1R1_Manual-xccdf.xml"
        )),
    },
];

/// Every built-in benchmark, the default release of each name first.
pub fn builtin_benchmarks() -> &'static [BuiltinBenchmark] {
    &BUILTIN_BENCHMARKS
}

/// Where a benchmark comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum BenchmarkSource {
    Builtin(&'static BuiltinBenchmark),
    Path(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "`{spec}` is neither a built-in benchmark nor an existing file; built-in benchmarks: {}",
        BuiltinList
    )]
    UnknownBenchmark { spec: String },
    #[error("built-in benchmark `{name}` has no release `{release}`; available: {available}")]
    UnknownRelease { name: String, release: String, available: String },
    #[error(transparent)]
    CciList(#[from] CciError),
    /// The embedded list failed to parse; a build defect, reported rather than panicking.
    #[error("the built-in cci list is broken: {message}")]
    BuiltinCciList { message: String },
}

/// `docker-ee@V2R2 (default), docker-ee@V2R1, …` for error messages.
struct BuiltinList;

impl fmt::Display for BuiltinList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in builtin_benchmarks().iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let default = if b.default { " (default)" } else { "" };
            write!(f, "{separator}{}{default}", b.spec())?;
        }
        Ok(())
    }
}

/// Resolves a `--benchmark` argument: `NAME` (its default release), `NAME@RELEASE` (release
/// case-insensitive), or a path to any file. A built-in name wins over a same-named file in the
/// working directory; write `./docker-ee` for the file.
pub fn resolve(spec: &str) -> Result<BenchmarkSource, CatalogError> {
    let (name, release) = match spec.split_once('@') {
        Some((name, release)) => (name, Some(release)),
        None => (spec, None),
    };
    let releases: Vec<&'static BuiltinBenchmark> =
        builtin_benchmarks().iter().filter(|b| b.name.eq_ignore_ascii_case(name)).collect();
    if !releases.is_empty() && !spec.contains('/') {
        let found = match release {
            None => releases.iter().find(|b| b.default),
            Some(release) => releases.iter().find(|b| b.release.eq_ignore_ascii_case(release.trim())),
        };
        return match found {
            Some(benchmark) => Ok(BenchmarkSource::Builtin(benchmark)),
            None => Err(CatalogError::UnknownRelease {
                name: name.to_string(),
                release: release.unwrap_or_default().to_string(),
                available: releases.iter().map(|b| b.release).collect::<Vec<_>>().join(", "),
            }),
        };
    }
    let path = Path::new(spec);
    if !spec.is_empty() && path.exists() {
        Ok(BenchmarkSource::Path(path.to_path_buf()))
    } else {
        Err(CatalogError::UnknownBenchmark { spec: spec.to_string() })
    }
}

/// The name the built-in CCI list goes by in locations and reports.
pub const BUILTIN_CCI_FILE_NAME: &str = "U_CCI_List.xml";

/// The built-in CCI list's `metadata/version` (its publication date), for `--version` without parsing.
pub const BUILTIN_CCI_LIST_VERSION: &str = "2025-01-23";

/// The DISA CCI list shipped in the binary, unparsed.
pub fn builtin_cci_list() -> &'static [u8] {
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/content/cci/U_CCI_List.xml"))
}

/// The built-in CCI list, parsed on first use only (about 3.4 MB of XML; most commands never need it).
pub fn builtin_cci_catalog() -> Result<&'static CciCatalog, CatalogError> {
    static CATALOG: OnceLock<Result<CciCatalog, String>> = OnceLock::new();
    CATALOG
        .get_or_init(|| parse_cci_list(builtin_cci_list(), BUILTIN_CCI_FILE_NAME).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| CatalogError::BuiltinCciList { message: message.clone() })
}

/// The CCI catalog for a run: the file given with `--cci-list`, else the built-in list.
pub fn load_cci_catalog(override_path: Option<&Path>) -> Result<Cow<'static, CciCatalog>, CatalogError> {
    match override_path {
        Some(path) => Ok(Cow::Owned(load_cci_list(path)?)),
        None => builtin_cci_catalog().map(Cow::Borrowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cci::Revision;
    use sha2::{Digest, Sha256};

    fn content_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// The `| `file` | bytes | `sha256` |` rows of PROVENANCE.md's checksum table.
    fn provenance_checksums() -> Vec<(String, u64, String)> {
        let text = std::fs::read_to_string(content_dir().join("PROVENANCE.md")).unwrap();
        text.lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.trim().strip_prefix('|')?.strip_suffix('|')?.split('|').collect();
                let [file, bytes, sha] = cells.as_slice() else { return None };
                let unquote = |s: &str| s.trim().strip_prefix('`')?.strip_suffix('`').map(str::to_string);
                Some((unquote(file)?, bytes.trim().parse().ok()?, unquote(sha)?))
            })
            .collect()
    }

    #[test]
    fn content_files_match_provenance() {
        let listed = provenance_checksums();
        assert_eq!(listed.len(), 4, "{listed:?}");
        for (file, size, sha) in &listed {
            let bytes = std::fs::read(content_dir().join(file)).unwrap();
            assert_eq!(bytes.len() as u64, *size, "size of {file}");
            assert_eq!(&sha256_hex(&bytes), sha, "sha256 of {file}: edited? content must stay unmodified");
        }
        // Every shipped DISA file (DISA names them `U_…`) is listed: none slips in without
        // provenance. stigrun's own content beside them (checks, decisions) is not a DISA file.
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(content_dir())
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().starts_with("U_"))
            .map(|e| e.path().strip_prefix(content_dir()).unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = listed.iter().map(|(f, _, _)| f.clone()).collect();
        names.sort();
        assert_eq!(on_disk, names);
    }

    #[test]
    fn embedded_bytes_match_their_recorded_checksums_and_provenance() {
        let listed = provenance_checksums();
        for b in builtin_benchmarks() {
            assert_eq!(sha256_hex(b.bytes), b.sha256, "{}", b.spec());
            let row = listed.iter().find(|(f, _, _)| f == &format!("docker-ee/{}", b.file_name));
            let (_, size, sha) = row.unwrap_or_else(|| panic!("{} not in PROVENANCE.md", b.file_name));
            assert_eq!((b.bytes.len() as u64, b.sha256), (*size, sha.as_str()), "{}", b.spec());
        }
        let cci = listed.iter().find(|(f, _, _)| f == "cci/U_CCI_List.xml").unwrap();
        assert_eq!(sha256_hex(builtin_cci_list()), cci.2);
    }

    /// The table's title, date and release agree with what the XCCDF itself says.
    #[test]
    fn builtin_metadata_matches_the_embedded_xccdf() {
        for b in builtin_benchmarks() {
            let text = std::str::from_utf8(b.bytes).unwrap();
            let between = |open: &str, close: &str| {
                let start = text.find(open).unwrap() + open.len();
                text[start..].split(close).next().unwrap().to_string()
            };
            let release_info = between("<plain-text id=\"release-info\">", "<");
            let release = release_info.strip_prefix("Release: ").unwrap().split(' ').next().unwrap();
            let version = between("<version>", "<");
            assert_eq!(b.release, format!("V{version}R{release}"), "{}", b.file_name);
            assert_eq!(release_info.split("Benchmark Date: ").nth(1), Some(b.benchmark_date));
            assert_eq!(between("<title>", "<"), b.title);
        }
        let defaults: Vec<&str> = builtin_benchmarks().iter().filter(|b| b.default).map(|b| b.name).collect();
        assert_eq!(defaults, ["docker-ee"]);
    }

    fn builtin(spec: &str) -> &'static BuiltinBenchmark {
        match resolve(spec) {
            Ok(BenchmarkSource::Builtin(b)) => b,
            other => panic!("{spec}: {other:?}"),
        }
    }

    #[test]
    fn resolves_names_and_releases_case_insensitively() {
        assert_eq!(builtin("docker-ee").release, "V2R2");
        assert_eq!(builtin("docker-ee@V2R2").release, "V2R2");
        assert_eq!(builtin("docker-ee@v2r1").release, "V2R1");
        assert_eq!(builtin("Docker-EE@V1r1").release, "V1R1");
        let err = resolve("docker-ee@V9R9").unwrap_err();
        assert_eq!(
            err.to_string(),
            "built-in benchmark `docker-ee` has no release `V9R9`; available: V2R2, V2R1, V1R1"
        );
    }

    #[test]
    fn resolves_existing_paths_and_explains_unknown_specs() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("my-xccdf.xml");
        std::fs::write(&file, "<Benchmark/>").unwrap();
        let spec = file.to_str().unwrap();
        assert_eq!(resolve(spec).unwrap(), BenchmarkSource::Path(file.clone()));
        // A path that happens to end in a builtin's name is still a path.
        let shadow = dir.path().join("docker-ee");
        std::fs::write(&shadow, "x").unwrap();
        assert_eq!(resolve(shadow.to_str().unwrap()).unwrap(), BenchmarkSource::Path(shadow.clone()));

        let err = resolve("no-such-benchmark.xml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`no-such-benchmark.xml` is neither a built-in benchmark nor an existing file; \
             built-in benchmarks: docker-ee@V2R2 (default), docker-ee@V2R1, docker-ee@V1R1"
        );
        assert!(matches!(resolve(""), Err(CatalogError::UnknownBenchmark { .. })));
    }

    #[test]
    fn builtin_cci_catalog_is_parsed_once_and_answers() {
        let first = builtin_cci_catalog().unwrap();
        assert!(std::ptr::eq(first, builtin_cci_catalog().unwrap()));
        assert_eq!(first.nist_800_53("CCI-001851", Revision::Rev5), ["AU-4 (1)"]);
        assert_eq!(first.version, BUILTIN_CCI_LIST_VERSION);
        assert_eq!(first.items["CCI-001851"].location.file.as_ref(), BUILTIN_CCI_FILE_NAME);
        assert!(matches!(load_cci_catalog(None).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn cci_list_override_is_loaded_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cci.xml");
        std::fs::write(
            &path,
            r#"<cci_list xmlns="http://iase.disa.mil/cci"><metadata><version>v-test</version>
            <publishdate>2000-01-01</publishdate></metadata><cci_items><cci_item id="CCI-000001">
            <definition>d</definition></cci_item></cci_items></cci_list>"#,
        )
        .unwrap();
        let catalog = load_cci_catalog(Some(&path)).unwrap();
        assert!(matches!(catalog, Cow::Owned(_)));
        assert_eq!((catalog.version.as_str(), catalog.items.len()), ("v-test", 1));
        let missing = load_cci_catalog(Some(&dir.path().join("nope.xml"))).unwrap_err();
        assert!(matches!(missing, CatalogError::CciList(CciError::Io { .. })), "{missing:?}");
    }

    /// `(rule id, CCIs)` of every rule, by plain text search: enough for DISA's regular XCCDF, and it
    /// keeps this test independent of the XCCDF loader.
    fn rule_ccis(xccdf: &str) -> Vec<(String, Vec<String>)> {
        xccdf
            .split("<Rule id=\"")
            .skip(1)
            .map(|rule| {
                let id = rule.split('"').next().unwrap().to_string();
                let body = rule.split("</Rule>").next().unwrap();
                let ccis = body
                    .split("<ident system=\"")
                    .skip(1)
                    .filter(|ident| {
                        ident.starts_with("http://cyber.mil/cci")
                            || ident.starts_with("http://iase.disa.mil/cci")
                    })
                    .map(|ident| {
                        ident.split('>').nth(1).unwrap().split('<').next().unwrap().trim().to_string()
                    })
                    .collect();
                (id, ccis)
            })
            .collect()
    }

    /// Every CCI the built-in benchmarks cite is in the built-in list, and each rule's NIST rev4/rev5
    /// controls, resolved through our catalog, equal the sorted, de-duplicated lists of the derived
    /// per-rule digests in tests/data.
    #[test]
    fn builtin_benchmarks_ccis_resolve_through_the_builtin_list() {
        let catalog = builtin_cci_catalog().unwrap();
        let digests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/stig/docker_ee_2x");
        for b in builtin_benchmarks() {
            let rules = rule_ccis(std::str::from_utf8(b.bytes).unwrap());
            assert!(rules.len() >= 100, "{}: {} rules", b.spec(), rules.len());
            for (rule, ccis) in &rules {
                assert!(!ccis.is_empty(), "{rule} cites no cci");
                for cci in ccis {
                    assert!(catalog.get(cci).is_some(), "{}: {rule} cites unknown `{cci}`", b.spec());
                }
            }
            let digest = digests.join(format!("docker_ee_2x_{}_rules.json", b.release));
            let text =
                std::fs::read_to_string(&digest).unwrap_or_else(|e| panic!("{}: {e}", digest.display()));
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let expected = json["rules"].as_array().unwrap();
            assert_eq!(expected.len(), rules.len(), "{}", b.spec());
            for want in expected {
                let rule_id = want["rule_id"].as_str().unwrap();
                let (_, ccis) = rules.iter().find(|(id, _)| id == rule_id).unwrap();
                let strings = |v: &serde_json::Value| -> Vec<String> {
                    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
                };
                // The V1R1 digest filed the old `http://iase.disa.mil/cci` idents under `other_idents`
                // and left its NIST lists empty; its CCIs are compared, its NIST lists cannot be.
                let mut digest_ccis = strings(&want["cci"]);
                let resolved_by_digest = !digest_ccis.is_empty();
                for ident in want["other_idents"].as_array().unwrap() {
                    if ident["system"] == "http://iase.disa.mil/cci" {
                        digest_ccis.push(ident["value"].as_str().unwrap().to_string());
                    }
                }
                assert_eq!(ccis, &digest_ccis, "{} {rule_id} ccis", b.spec());
                if !resolved_by_digest {
                    continue;
                }
                for (key, revision) in
                    [("nist_800_53_rev4", Revision::Rev4), ("nist_800_53_rev5", Revision::Rev5)]
                {
                    let mut ours: Vec<&str> =
                        ccis.iter().flat_map(|c| catalog.nist_800_53(c, revision)).collect();
                    ours.sort_unstable();
                    ours.dedup();
                    assert_eq!(ours, strings(&want[key]), "{} {rule_id} {key}", b.spec());
                }
            }
        }
    }
}
