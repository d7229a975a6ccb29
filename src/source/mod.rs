//! Where content comes from: a `--benchmark` spec names built-in content (the catalog; for a scan,
//! the docker-ee data stream `build` assembles) or a file; `open_*` load it, and
//! [`check_document`] loads the OVAL document a rule's check names (a data-stream component or a
//! file beside a standalone benchmark).

pub mod build;
pub mod catalog;
pub mod compose;

use std::path::Path;

use catalog::{BenchmarkSource, CatalogError};

use crate::loader::datastream::{CheckSource, standalone_xml};
use crate::loader::oval::{OvalLoadErrors, load_oval_file, parse_oval_str};
use crate::loader::{self, Input, LoadError, LoadedBenchmark, Selection, Source};
use crate::model::oval::OvalDefinitions;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Build(#[from] build::BuildError),
}

/// Load the source a `--benchmark` spec names (built-in name or path), without picking a
/// benchmark out of a data stream.
pub fn open_source(spec: &str) -> Result<Source, SourceError> {
    Ok(match catalog::resolve(spec)? {
        BenchmarkSource::Builtin(b) => {
            loader::load_source(Input::Bytes { name: b.file_name, bytes: b.bytes })?
        }
        BenchmarkSource::Path(path) => loader::load_source(path.as_path())?,
    })
}

/// Load the one benchmark a `--benchmark` spec and the data-stream selection name.
/// When `spec` is a file whose root element is an XCCDF `Tailoring`: the benchmark it names
/// (`<benchmark href>`, relative to the tailoring file), as oscap follows a tailoring file given as
/// the content. Only the start of the file is read to tell.
pub fn tailored_benchmark(spec: &str) -> Option<std::path::PathBuf> {
    use std::io::Read;
    let path = Path::new(spec);
    let mut head = Vec::with_capacity(8192);
    // Only a regular file is looked into: a FIFO would block here (the loader refuses it, naming it).
    let (file, _) = loader::input::open_regular(path).ok()?;
    file.take(8192).read_to_end(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head);
    // The first element: skip the declaration, comments and processing instructions.
    let mut rest: &str = &head;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            break;
        }
    }
    let name: String =
        rest[1..].chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
    if name.rsplit(':').next() != Some("Tailoring") {
        return None;
    }
    let tailoring = loader::tailoring::load_tailoring_file(path).ok()?;
    let href = tailoring.benchmark_href?;
    let href = href.strip_prefix("file://").unwrap_or(&href);
    Some(path.parent().unwrap_or(Path::new(".")).join(href))
}

/// The profiles of the tailoring component a data stream names by `id` (oscap's `--tailoring-id`:
/// the id of a component-ref among the scanned data stream's checklists, or of the component).
pub fn tailoring_component(
    loaded: &LoadedBenchmark,
    id: &str,
) -> Result<Vec<crate::model::xccdf::Profile>, String> {
    use crate::loader::datastream::ComponentKind;
    let (Some(collection), Some(origin)) = (&loaded.collection, &loaded.origin) else {
        return Err("--tailoring-id needs a data stream".to_string());
    };
    let ds = collection.data_streams.iter().find(|d| d.id == origin.datastream_id);
    let by_ref = ds
        .into_iter()
        .flat_map(|d| &d.checklists)
        .find(|c| c.id == id)
        .and_then(|c| collection.resolve_ref(c));
    let component = by_ref.or_else(|| collection.components.iter().find(|c| c.id == id));
    let Some(component) = component.filter(|c| c.kind == ComponentKind::XccdfTailoring) else {
        let known: Vec<&str> = ds
            .into_iter()
            .flat_map(|d| &d.checklists)
            .filter(|c| collection.resolve_ref(c).is_some_and(|c| c.kind == ComponentKind::XccdfTailoring))
            .map(|c| c.id.as_str())
            .collect();
        return Err(format!(
            "no tailoring component `{id}` in the data stream; it has: {}",
            known.join(", ")
        ));
    };
    let xml =
        collection.component_xml(&component.id).ok_or_else(|| format!("component `{id}` cannot be read"))?;
    let name = format!("{}#{}", collection.file(), component.id);
    loader::tailoring::parse_tailoring(&standalone_xml(&xml), &name)
        .map(|t| t.profiles)
        .map_err(|e| e.to_string())
}

pub fn open_benchmark(spec: &str, selection: &Selection) -> Result<LoadedBenchmark, SourceError> {
    Ok(match catalog::resolve(spec)? {
        BenchmarkSource::Builtin(b) => {
            loader::load_benchmark(Input::Bytes { name: b.file_name, bytes: b.bytes }, selection)?
        }
        BenchmarkSource::Path(path) => loader::load_benchmark(path.as_path(), selection)?,
    })
}

/// What a scan evaluates: the benchmark, the SHA-256 of the content it came from, and the
/// directory its check hrefs are relative to.
pub struct ScanContent {
    pub loaded: LoadedBenchmark,
    pub digest: String,
    pub base_dir: Option<std::path::PathBuf>,
    /// OVAL documents the content names but does not hold (href, text): the built-in docker-ee's
    /// Engine API checks and dockerd checks (see `build::ENGINE_OVAL_HREF`, `build::DOCKERD_OVAL_HREF`).
    pub documents: Vec<(String, std::sync::Arc<str>)>,
}

/// Load the benchmark a scan evaluates, with the content's digest and base directory. A built-in
/// name means its automated form: the SCAP 1.3 data stream `stigrun build` writes, assembled in
/// memory (DISA's manual text plus the OVAL checks); a path is loaded as it is.
pub fn open_for_scan(spec: &str, selection: &Selection) -> Result<ScanContent, SourceError> {
    use sha2::{Digest, Sha256};
    match catalog::resolve(spec)? {
        BenchmarkSource::Builtin(b) => {
            let built = build::build_builtin(b)?;
            let name = format!("{} (built)", b.spec());
            let loaded =
                loader::load_benchmark(Input::Bytes { name: &name, bytes: built.xml.as_bytes() }, selection)?;
            Ok(ScanContent {
                loaded,
                digest: hex::encode(Sha256::digest(built.xml.as_bytes())),
                base_dir: None,
                documents: vec![
                    (build::ENGINE_OVAL_HREF.to_string(), built.engine_oval.as_str().into()),
                    (build::DOCKERD_OVAL_HREF.to_string(), built.dockerd_oval.as_str().into()),
                ],
            })
        }
        BenchmarkSource::Path(path) => {
            let loaded = loader::load_benchmark(path.as_path(), selection)?;
            let io_error = |source| LoadError::Io { path: path.display().to_string(), source };
            let mut hasher = Sha256::new();
            let mut file = std::fs::File::open(&path).map_err(io_error)?;
            let mut chunk = vec![0u8; 1 << 16];
            loop {
                let n = std::io::Read::read(&mut file, &mut chunk).map_err(io_error)?;
                if n == 0 {
                    break;
                }
                hasher.update(&chunk[..n]);
            }
            let base_dir = path.parent().map(Path::to_path_buf);
            Ok(ScanContent {
                loaded,
                digest: hex::encode(hasher.finalize()),
                base_dir,
                documents: Vec::new(),
            })
        }
    }
}

/// Load the OVAL document an href names: a data-stream component (through the checklist's
/// catalog) or a file next to a standalone benchmark (`base_dir`).
pub fn check_document(
    loaded: &LoadedBenchmark,
    base_dir: Option<&Path>,
    href: &str,
) -> Result<OvalDefinitions, String> {
    check_document_with(loaded, base_dir, &[], href)
}

/// Can [`check_document_with`] find the document `href` names (without loading it)? A check with
/// several check-content-refs uses the first one that can be reached.
pub fn has_check_document(
    loaded: &LoadedBenchmark,
    base_dir: Option<&Path>,
    documents: &[(String, std::sync::Arc<str>)],
    href: &str,
) -> bool {
    if documents.iter().any(|(h, _)| h == href) {
        return true;
    }
    let beside = base_dir.is_some_and(|dir| dir.join(href).is_file());
    if loaded.collection.is_some() {
        return match loaded.check_source(href) {
            Some(CheckSource::Component(_)) => true,
            Some(CheckSource::File { path, .. }) => path.is_file(),
            Some(CheckSource::Unreachable(_)) => false,
            None => beside,
        };
    }
    base_dir.unwrap_or(Path::new(".")).join(href).is_file()
}

/// [`check_document`], first looking in `documents` (href, text): documents the content names
/// but does not hold, such as the built-in docker-ee's Engine API checks. A data stream's href
/// its catalog does not map is also looked for beside it (`stigrun build` writes the Engine API
/// checks there, outside what SCAP tools validate).
pub fn check_document_with(
    loaded: &LoadedBenchmark,
    base_dir: Option<&Path>,
    documents: &[(String, std::sync::Arc<str>)],
    href: &str,
) -> Result<OvalDefinitions, String> {
    let describe = |e: OvalLoadErrors| format!("cannot load OVAL `{href}`: {e}");
    if let Some((_, xml)) = documents.iter().find(|(h, _)| h == href) {
        return parse_oval_str(xml, href).map_err(describe);
    }
    let path = base_dir.unwrap_or(Path::new(".")).join(href);
    if loaded.collection.is_some() {
        return match loaded.check_source(href) {
            Some(CheckSource::Component(component)) => {
                let xml = standalone_xml(&component);
                let name = format!("{}#{}", component.file, component.component.id);
                parse_oval_str(&xml, &name).map_err(describe)
            }
            // An external component (SP 800-126r3 §3.1), read as any content file is.
            Some(CheckSource::File { path, via }) => load_oval_file(&path)
                .map_err(|e| format!("cannot load the external component `{}` ({via}): {e}", path.display())),
            Some(CheckSource::Unreachable(why)) => Err(why),
            None if base_dir.is_some() && path.is_file() => load_oval_file(&path).map_err(describe),
            None => Err(format!("`{href}` is not a component of the data stream")),
        };
    }
    if !path.is_file() {
        return Err(format!(
            "OVAL file `{}` named by check-content-ref `{href}` does not exist",
            path.display()
        ));
    }
    load_oval_file(&path).map_err(describe)
}
