//! What the listing commands show (`benchmarks`, `info`, `rules`, `show`), as serialisable
//! views built from loaded content. The CLI only prints them as tables, JSON or CSV.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{self, BenchmarkSource, CatalogError};
use crate::loader::datastream::{ComponentKind, DataStreamCollection};
use crate::loader::xccdf::parse_benchmark;
use crate::loader::{self, Input, LoadError, LoadedBenchmark, Selection, Source};
use crate::model::xccdf::{Benchmark, XccdfVersion};
use crate::resolve::{self, ResolveError};

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

/// Load the source a `--benchmark` spec names (built-in name or path), without picking a
/// benchmark out of a data stream.
pub fn open_source(spec: &str) -> Result<Source, QueryError> {
    Ok(match catalog::resolve(spec)? {
        BenchmarkSource::Builtin(b) => {
            loader::load_source(Input::Bytes { name: b.file_name, bytes: b.bytes })?
        }
        BenchmarkSource::Path(path) => loader::load_source(path.as_path())?,
    })
}

/// Load the one benchmark a `--benchmark` spec and the data-stream selection name.
pub fn open_benchmark(spec: &str, selection: &Selection) -> Result<LoadedBenchmark, QueryError> {
    Ok(match catalog::resolve(spec)? {
        BenchmarkSource::Builtin(b) => {
            loader::load_benchmark(Input::Bytes { name: b.file_name, bytes: b.bytes }, selection)?
        }
        BenchmarkSource::Path(path) => loader::load_benchmark(path.as_path(), selection)?,
    })
}

// ------------------------------------------------------------------------------------------------
// benchmarks

#[derive(Debug, Serialize)]
pub struct BuiltinView {
    pub spec: String,
    pub name: &'static str,
    pub release: &'static str,
    pub default: bool,
    pub title: String,
    pub release_info: Option<String>,
    pub rules: usize,
    pub sha256: &'static str,
}

/// The built-in benchmarks, each loaded to count its rules (so the figure is never stale).
pub fn builtins() -> Result<Vec<BuiltinView>, QueryError> {
    let mut out = Vec::new();
    for b in catalog::builtin_benchmarks() {
        let loaded = loader::load_benchmark(
            Input::Bytes { name: b.file_name, bytes: b.bytes },
            &Selection::default(),
        )?;
        let bench = &loaded.benchmark;
        out.push(BuiltinView {
            spec: b.spec(),
            name: b.name,
            release: b.release,
            default: b.default,
            title: bench.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            release_info: bench.release_info.clone(),
            rules: bench.rules.len(),
            sha256: b.sha256,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// info

#[derive(Debug, Serialize)]
pub struct InfoView {
    pub file: String,
    pub document_type: String,
    pub data_streams: Vec<DataStreamView>,
    pub benchmarks: Vec<BenchmarkView>,
}

#[derive(Debug, Serialize)]
pub struct DataStreamView {
    pub id: String,
    pub scap_version: Option<String>,
    pub use_case: Option<String>,
    pub checklists: Vec<String>,
    pub checks: Vec<String>,
    pub dictionaries: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct BenchmarkView {
    /// The checklist component-ref id, for benchmarks inside a data stream.
    pub component_ref: Option<String>,
    pub id: String,
    pub xccdf_version: XccdfVersion,
    pub title: String,
    pub status: Option<String>,
    pub status_date: Option<String>,
    pub version: Option<String>,
    pub release_info: Option<String>,
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
    pub profiles: Vec<ProfileView>,
    /// Check system → number of rules using it.
    pub check_systems: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub title: String,
    pub selected_rules: usize,
}

pub fn info(spec: &str) -> Result<InfoView, QueryError> {
    match open_source(spec)? {
        Source::Benchmark(b) => Ok(InfoView {
            file: b.location.file.to_string(),
            document_type: format!(
                "XCCDF {} Benchmark",
                if b.xccdf_version == XccdfVersion::V1_1 { "1.1" } else { "1.2" }
            ),
            data_streams: Vec::new(),
            benchmarks: vec![benchmark_view(&b, None)?],
        }),
        Source::DataStream(collection) => datastream_info(&collection),
    }
}

fn datastream_info(collection: &DataStreamCollection) -> Result<InfoView, QueryError> {
    let mut data_streams = Vec::new();
    let mut benchmarks = Vec::new();
    for ds in &collection.data_streams {
        let ids = |refs: &[loader::datastream::ComponentRef]| refs.iter().map(|r| r.id.clone()).collect();
        data_streams.push(DataStreamView {
            id: ds.id.clone(),
            scap_version: ds.scap_version.clone(),
            use_case: ds.use_case.clone(),
            checklists: ids(&ds.checklists),
            checks: ids(&ds.checks),
            dictionaries: ids(&ds.dictionaries),
        });
        for cref in &ds.checklists {
            let Some(component) = collection.resolve_ref(cref) else { continue };
            if !matches!(component.kind, ComponentKind::XccdfBenchmark(_)) {
                continue;
            }
            let Some(xml) = collection.component_xml(&component.id) else { continue };
            let mut cur = xml.cursor();
            let root = cur.root()?;
            let bench = parse_benchmark(&mut cur, &root)?;
            benchmarks.push(benchmark_view(&bench, Some(cref.id.clone()))?);
        }
    }
    Ok(InfoView {
        file: collection.file().to_string(),
        document_type: "SCAP Source Data Stream".to_string(),
        data_streams,
        benchmarks,
    })
}

fn benchmark_view(b: &Benchmark, component_ref: Option<String>) -> Result<BenchmarkView, QueryError> {
    let mut profiles = Vec::with_capacity(b.profiles.len());
    for p in &b.profiles {
        let resolved = resolve::resolve(b, Some(p))?;
        profiles.push(ProfileView {
            id: p.id.clone(),
            title: p.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
            selected_rules: resolved.selected_count(),
        });
    }
    let mut check_systems = BTreeMap::new();
    for rule in &b.rules {
        let mut systems: Vec<String> = rule.checks.iter().map(check_system_label).collect();
        if let Some(cc) = &rule.complex_check {
            systems.push(format!("complex-check ({:?})", cc.operator));
        }
        systems.sort();
        systems.dedup();
        for s in systems {
            *check_systems.entry(s).or_insert(0) += 1;
        }
    }
    let status = b.statuses.last();
    Ok(BenchmarkView {
        component_ref,
        id: b.id.clone(),
        xccdf_version: b.xccdf_version,
        title: b.title.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
        status: status.map(|s| s.status.clone()),
        status_date: status.and_then(|s| s.date.clone()),
        version: b.version.clone(),
        release_info: b.release_info.clone(),
        rules: b.rules.len(),
        groups: b.groups.len(),
        values: b.values.len(),
        profiles,
        check_systems,
    })
}

/// DISA manual benchmarks put a per-rule check id (`C-235833r961395_chk`) where a system URI
/// belongs, and name the content `M`: count those together as manual checks.
pub fn check_system_label(check: &crate::model::xccdf::Check) -> String {
    if check.system.contains(':') {
        check.system.clone()
    } else if check.content_refs.iter().any(|r| r.name.as_deref() == Some("M")) {
        "DISA manual check".to_string()
    } else {
        format!("unnamed check system ({})", check.system)
    }
}
