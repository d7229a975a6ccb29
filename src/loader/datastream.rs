//! SCAP 1.2 / 1.3 source data streams and the loader's entry points.
//!
//! A data stream is scanned once for its structure (data streams, component-refs, catalogs,
//! component byte ranges); only the XCCDF component that is asked for is parsed. Other
//! components (OVAL, OCIL, CPE) stay raw text, handed to their loaders on demand through
//! [`ComponentXml`], so a 24 MB file costs one tokenising pass plus one parse of the benchmark.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::component_href::{self, HrefTarget, classify};
use super::error::LoadError;
use super::signature::{self, SignatureCheck, Status as SignatureStatus};
use super::xccdf::parse_benchmark;
use super::xml::{Cursor, Elem, attribute_names, start_tag_length};
use crate::model::location::Location;
use crate::model::xccdf::{Benchmark, NS_XCCDF_11, NS_XCCDF_12, XccdfVersion};

pub const NS_DS_12: &str = "http://scap.nist.gov/schema/scap/source/1.2";
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
pub const NS_CATALOG: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
pub const NS_OVAL_DEFINITIONS: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_OCIL_20: &str = "http://scap.nist.gov/schema/ocil/2.0";
pub const NS_CPE_DICT_20: &str = "http://cpe.mitre.org/dictionary/2.0";

const EXPECTED_SOURCES: &str = "`data-stream-collection` in `http://scap.nist.gov/schema/scap/source/1.2`, or \
     `Benchmark` in `http://checklists.nist.gov/xccdf/1.1` or `http://checklists.nist.gov/xccdf/1.2`";

/// Where content comes from: a file, or embedded bytes with a name for messages.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Path(&'a Path),
    Bytes { name: &'a str, bytes: &'a [u8] },
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(path: &'a Path) -> Self {
        Input::Path(path)
    }
}

impl<'a> From<&'a std::path::PathBuf> for Input<'a> {
    fn from(path: &'a std::path::PathBuf) -> Self {
        Input::Path(path)
    }
}

impl<'a> From<&'a str> for Input<'a> {
    fn from(path: &'a str) -> Self {
        Input::Path(Path::new(path))
    }
}

/// The document text, shared by the collection and everything borrowed from it.
#[derive(Debug, Clone)]
struct Document {
    name: Arc<str>,
    text: Arc<DocumentText>,
    /// The directory of the file (external components are read from it); `None` for bytes and
    /// standard input.
    dir: Option<PathBuf>,
}

/// Bytes known to be UTF-8: validated once when read, then viewed as `&str` for free.
#[derive(Debug)]
enum DocumentText {
    Owned(Vec<u8>),
    /// Large files are mapped rather than copied: for a 24 MB data stream the copy and the
    /// page faults of a fresh buffer were a fifth of the load time.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for DocumentText {
    type Target = str;

    fn deref(&self) -> &str {
        let bytes: &[u8] = match self {
            DocumentText::Owned(v) => v,
            DocumentText::Mapped(m) => m,
        };
        // SAFETY: `read_input` builds a `DocumentText` only from bytes it validated as UTF-8,
        // and the bytes are never changed afterwards.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// Files at least this big are memory-mapped.
const MAP_THRESHOLD: u64 = 1 << 20;

fn read_path(path: &Path, name: &str) -> Result<DocumentText, LoadError> {
    let io = |source| LoadError::Io { path: name.to_string(), source };
    if path.as_os_str() == super::input::STDIN {
        return Ok(DocumentText::Owned(super::input::read_bytes(path).map_err(io)?));
    }
    let (file, size) = super::input::open_regular(path).map_err(io)?;
    if size >= MAP_THRESHOLD {
        // SAFETY: the map is read-only. Content files are not expected to change while a scan
        // reads them; if one is truncated meanwhile the process may get SIGBUS, the usual
        // trade-off of mapped reads (ripgrep makes the same one).
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(DocumentText::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&file, crate::limits::get().content_file_bytes),
        &mut bytes,
    )
    .map_err(io)?;
    Ok(DocumentText::Owned(bytes))
}

fn read_input(input: Input<'_>) -> Result<Document, LoadError> {
    let (name, text, dir): (Arc<str>, DocumentText, Option<PathBuf>) = match input {
        Input::Path(path) => {
            let name = path.display().to_string();
            let text = read_path(path, &name)?;
            let dir = (path.as_os_str() != super::input::STDIN)
                .then(|| path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
                .map(Path::to_path_buf);
            (Arc::from(name), text, dir)
        }
        Input::Bytes { name, bytes } => (Arc::from(name), DocumentText::Owned(bytes.to_vec()), None),
    };
    let bytes: &[u8] = match &text {
        DocumentText::Owned(v) => v,
        DocumentText::Mapped(m) => m,
    };
    // simdutf8 validates a 24 MB data stream several times faster than `std::str::from_utf8`.
    if let Err(e) = simdutf8::compat::from_utf8(bytes) {
        return Err(LoadError::NotUtf8 { file: name.to_string(), offset: e.valid_up_to() });
    }
    Ok(Document { name, text: Arc::new(text), dir })
}

fn document_cursor(doc: &Document) -> Cursor<'_> {
    // A UTF-8 byte-order mark is not part of the XML.
    let start = if doc.text.starts_with('\u{feff}') { 3 } else { 0 };
    Cursor::over_range(&doc.text, start..doc.text.len(), doc.name.clone(), Vec::new())
}

/// `<cat:uri name="ssg-rhel8-oval.xml" uri="#scap_..._cref_ssg-rhel8-oval.xml"/>`
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogUri {
    pub name: String,
    pub uri: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComponentRef {
    pub id: String,
    /// `xlink:href` as written: `#component-id` for a local component, else an external URL.
    pub href: String,
    pub catalog: Vec<CatalogUri>,
    pub location: Location,
}

impl ComponentRef {
    /// The id of the local component this ref points to (`#id`), if it is local.
    pub fn component_id(&self) -> Option<&str> {
        self.href.strip_prefix('#')
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataStream {
    pub id: String,
    pub scap_version: Option<String>,
    pub use_case: Option<String>,
    pub timestamp: Option<String>,
    pub dictionaries: Vec<ComponentRef>,
    pub checklists: Vec<ComponentRef>,
    pub checks: Vec<ComponentRef>,
    pub extended_components: Vec<ComponentRef>,
    pub location: Location,
}

impl DataStream {
    pub fn component_refs(&self) -> impl Iterator<Item = &ComponentRef> {
        self.dictionaries.iter().chain(&self.checklists).chain(&self.checks).chain(&self.extended_components)
    }

    pub fn component_ref(&self, id: &str) -> Option<&ComponentRef> {
        self.component_refs().find(|r| r.id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ComponentKind {
    XccdfBenchmark(XccdfVersion),
    XccdfTailoring,
    OvalDefinitions,
    Ocil,
    CpeDictionary,
    Other,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Component {
    pub id: String,
    pub timestamp: Option<String>,
    pub kind: ComponentKind,
    /// The component's root element: namespace, local name and its `id` attribute if any.
    pub root_namespace: String,
    pub root_name: String,
    pub root_id: Option<String>,
    /// Byte range of the root element (inside `<ds:component>`) in the document text.
    pub root_range: Range<usize>,
    /// Namespace bindings (prefix, uri) in scope at the root element, declared by its ancestors.
    pub inherited_namespaces: Vec<(String, String)>,
    pub extended: bool,
    pub location: Location,
}

/// A component's raw XML, for the loader of its kind (OVAL, OCIL, CPE).
#[derive(Debug, Clone, Copy)]
pub struct ComponentXml<'a> {
    pub component: &'a Component,
    /// The whole document; the component is `document[component.root_range]`.
    pub document: &'a str,
    pub file: &'a Arc<str>,
}

impl<'a> ComponentXml<'a> {
    /// The root element's text. Prefixes may be declared on ancestors: see `inherited_namespaces`.
    pub fn xml(&self) -> &'a str {
        self.document.get(self.component.root_range.clone()).unwrap_or("")
    }

    /// A cursor over the root element with the ancestors' namespace bindings in scope, and
    /// positions (line, column) relative to the whole file.
    pub fn cursor(&self) -> Cursor<'a> {
        let bindings =
            self.component.inherited_namespaces.iter().map(|(p, u)| (p.as_str(), u.as_str())).collect();
        Cursor::over_range(self.document, self.component.root_range.clone(), self.file.clone(), bindings)
    }
}

#[derive(Debug, Clone)]
pub struct DataStreamCollection {
    pub id: String,
    pub schematron_version: Option<String>,
    pub data_streams: Vec<DataStream>,
    pub components: Vec<Component>,
    pub location: Location,
    /// Component-refs that point to no component of the collection (location and id): a located
    /// warning, not a refusal — only what needs the missing component fails (SCAP 1.3 lets a tool
    /// process the parts of a collection it can resolve).
    pub dangling: Vec<String>,
    doc: Document,
}

impl DataStreamCollection {
    pub fn file(&self) -> &str {
        &self.doc.name
    }

    pub fn text(&self) -> &str {
        &self.doc.text
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn component_xml(&self, id: &str) -> Option<ComponentXml<'_>> {
        let component = self.component(id)?;
        Some(ComponentXml { component, document: &self.doc.text, file: &self.doc.name })
    }

    /// The component a component-ref of data stream `ds` points to (`#id` hrefs only).
    pub fn resolve_ref(&self, cref: &ComponentRef) -> Option<&Component> {
        self.component(cref.component_id()?)
    }

    /// The directory external components are read from (the data stream's); `None` when the
    /// collection was not read from a file.
    pub fn dir(&self) -> Option<&Path> {
        self.doc.dir.as_deref()
    }

    /// The file a component-ref names when it is an external component read from a directory.
    pub fn external_file(&self, cref: &ComponentRef) -> Option<PathBuf> {
        match classify(&cref.href) {
            HrefTarget::File(path) => Some(component_href::resolve(self.dir()?, &path)),
            _ => None,
        }
    }

    /// Resolve a `check-content-ref href` of the checklist `checklist` (a component-ref of data
    /// stream `ds`) through its catalog: name → `#component-ref id` → `#component id`.
    pub fn resolve_check_href(
        &self,
        ds: &DataStream,
        checklist: &ComponentRef,
        href: &str,
    ) -> Option<ComponentXml<'_>> {
        match self.check_source(ds, checklist, href)? {
            CheckSource::Component(xml) => Some(xml),
            _ => None,
        }
    }

    /// Where a `check-content-ref href` of `checklist` leads: name → catalog `uri` → component-ref
    /// → its `xlink:href`, a component of the collection or an external file (a catalog `uri`
    /// that is not `#id` names the file itself). `None` when the catalog does not map `href`.
    pub fn check_source(
        &self,
        ds: &DataStream,
        checklist: &ComponentRef,
        href: &str,
    ) -> Option<CheckSource<'_>> {
        let uri = checklist.catalog.iter().find(|u| u.name == href)?;
        let (target, via) = match classify(&uri.uri) {
            HrefTarget::Local(cref_id) => {
                let cref = ds.component_ref(cref_id)?;
                (cref.href.as_str(), format!("component-ref `{}` ({})", cref.id, cref.location))
            }
            _ => (uri.uri.as_str(), format!("the catalog of component-ref `{}`", checklist.id)),
        };
        Some(match classify(target) {
            HrefTarget::Local(id) => CheckSource::Component(self.component_xml(id)?),
            HrefTarget::File(path) => match self.dir() {
                Some(dir) => CheckSource::File { path: component_href::resolve(dir, &path), via },
                None => CheckSource::Unreachable(format!(
                    "{via} names the external file `{target}`, but `{}` was not read from a directory",
                    self.file()
                )),
            },
            HrefTarget::Remote(url) => CheckSource::Unreachable(format!(
                "{via} names the remote component `{url}`; remote content is not fetched"
            )),
        })
    }
}

/// Where a check's document is: a component of the collection, a file next to it, or nowhere
/// reachable (why).
#[derive(Debug, Clone)]
pub enum CheckSource<'a> {
    Component(ComponentXml<'a>),
    /// An external component; `via` names the reference, for messages.
    File {
        path: PathBuf,
        via: String,
    },
    Unreachable(String),
}

/// What a file turned out to be.
#[derive(Debug, Clone)]
pub enum Source {
    Benchmark(Box<Benchmark>),
    DataStream(Box<DataStreamCollection>),
}

/// Which benchmark to take from a data stream (like oscap's `--datastream-id`, `--xccdf-id`,
/// `--benchmark-id`). All `None` is fine when the file holds exactly one.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub datastream_id: Option<String>,
    /// The id of the checklist's `component-ref`.
    pub xccdf_id: Option<String>,
    pub benchmark_id: Option<String>,
    /// The profile the scan asks for (id or `_suffix`): when several checklists are left, the one
    /// benchmark that has it is taken.
    pub profile: Option<String>,
    /// Refuse content that is not a signed data stream whose signature verifies (oscap's
    /// `--enforce-signature`).
    pub enforce_signature: bool,
    /// The CAs trusted to sign content (`--signer-ca`): a verified signature's signer is judged
    /// against them, and with `enforce_signature` must chain to one.
    pub signer_cas: Option<std::sync::Arc<crate::host::TrustedCas>>,
}

/// Where a loaded benchmark came from within a data stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStreamOrigin {
    pub datastream_id: String,
    pub component_ref_id: String,
    pub component_id: String,
}

#[derive(Debug, Clone)]
pub struct LoadedBenchmark {
    pub benchmark: Benchmark,
    /// Set when the benchmark came out of a data stream; `collection` then holds the rest.
    pub origin: Option<DataStreamOrigin>,
    pub collection: Option<Box<DataStreamCollection>>,
    /// The data stream's XML signature and whether it verifies (SP 800-126r3 §3.1).
    pub signature: SignatureCheck,
}

impl LoadedBenchmark {
    /// The raw XML of the component a `check-content-ref href` names (resolved through the
    /// checklist's catalog). `None` for standalone benchmarks: their hrefs are file paths.
    pub fn check_component(&self, href: &str) -> Option<ComponentXml<'_>> {
        match self.check_source(href)? {
            CheckSource::Component(xml) => Some(xml),
            _ => None,
        }
    }

    /// Where the document a `check-content-ref href` names is, through the checklist's catalog:
    /// a component, or an external file. `None` for standalone benchmarks and unmapped hrefs.
    pub fn check_source(&self, href: &str) -> Option<CheckSource<'_>> {
        let (origin, collection) = (self.origin.as_ref()?, self.collection.as_ref()?);
        let ds = collection.data_streams.iter().find(|d| d.id == origin.datastream_id)?;
        let checklist = ds.checklists.iter().find(|c| c.id == origin.component_ref_id)?;
        collection.check_source(ds, checklist, href)
    }
}

/// Read a standalone XCCDF Benchmark (parsed in full) or a data stream (structure only).
pub fn load_source<'a>(input: impl Into<Input<'a>>) -> Result<Source, LoadError> {
    let doc = read_input(input.into())?;
    let kind = {
        let mut cur = document_cursor(&doc);
        let root = cur.root()?;
        if root.is(NS_DS_12, "data-stream-collection") {
            None
        } else if root.local == "Benchmark" && (root.ns == NS_XCCDF_11 || root.ns == NS_XCCDF_12) {
            let bench = parse_benchmark(&mut cur, &root)?;
            cur.finish()?;
            Some(bench)
        } else {
            return Err(wrong_root(&mut cur, &root));
        }
    };
    match kind {
        Some(bench) => Ok(Source::Benchmark(Box::new(bench))),
        None => Ok(Source::DataStream(Box::new(scan_collection(doc)?))),
    }
}

/// Load one benchmark: the file itself, or the component of a data stream chosen by `selection`.
pub fn load_benchmark<'a>(
    input: impl Into<Input<'a>>,
    selection: &Selection,
) -> Result<LoadedBenchmark, LoadError> {
    match load_source(input)? {
        Source::Benchmark(b) => {
            if let Some(id) = &selection.benchmark_id
                && *id != b.id
            {
                return Err(LoadError::NotFound {
                    file: b.location.file.to_string(),
                    what: "benchmark",
                    id: id.clone(),
                    available: vec![b.id.clone()],
                });
            }
            if selection.enforce_signature {
                return Err(LoadError::Signature {
                    file: b.location.file.to_string(),
                    reason: "an XCCDF benchmark, not a signed source data stream".to_string(),
                });
            }
            Ok(LoadedBenchmark {
                benchmark: *b,
                origin: None,
                collection: None,
                signature: SignatureCheck::unsigned(),
            })
        }
        Source::DataStream(collection) => benchmark_from_collection(collection, selection),
    }
}

/// Parse the benchmark `selection` picks out of an already scanned collection.
pub fn benchmark_from_collection(
    collection: Box<DataStreamCollection>,
    selection: &Selection,
) -> Result<LoadedBenchmark, LoadError> {
    let origin = select(&collection, selection)?;
    let mut signature = signature_of(&collection, &origin);
    if let Some(cas) = &selection.signer_cas {
        signature.judge_trust(cas, rustls_pki_types::UnixTime::now());
    }
    if selection.enforce_signature
        && signature.status == SignatureStatus::Verified
        && let signature::Trust::Untrusted(why) = &signature.trust
    {
        let signer = signature.signer.as_deref().unwrap_or("an unnamed signer");
        return Err(LoadError::Signature {
            file: collection.file().to_string(),
            reason: format!("the signature verifies, but its signer ({signer}) is not trusted: {why}"),
        });
    }
    if selection.enforce_signature && signature.status != SignatureStatus::Verified {
        let reason = match (&signature.problem, &signature.location) {
            (Some(problem), Some(at)) => {
                format!("the signature at {at} cannot vouch for the content: {problem}")
            }
            (Some(problem), None) => format!("the signature cannot vouch for the content: {problem}"),
            _ => "the data stream is not signed".to_string(),
        };
        return Err(LoadError::Signature { file: collection.file().to_string(), reason });
    }
    let external = collection
        .data_streams
        .iter()
        .find(|d| d.id == origin.datastream_id)
        .and_then(|d| d.component_ref(&origin.component_ref_id))
        .and_then(|cref| collection.external_file(cref));
    let benchmark = match external {
        // SP 800-126r3 §3.1: the checklist is an external component, read as any content file.
        Some(path) => match load_source(path.as_path())? {
            Source::Benchmark(b) => *b,
            Source::DataStream(_) => {
                return Err(LoadError::NoBenchmark {
                    file: path.display().to_string(),
                    message: format!(
                        "named as a checklist by component-ref `{}` of {}, but it is a data stream, not an XCCDF benchmark",
                        origin.component_ref_id,
                        collection.file()
                    ),
                });
            }
        },
        None => {
            let xml =
                collection.component_xml(&origin.component_id).ok_or_else(|| LoadError::NoBenchmark {
                    file: collection.file().to_string(),
                    message: format!("component `{}` vanished", origin.component_id),
                })?;
            let mut cur = xml.cursor();
            let root = cur.root()?;
            parse_benchmark(&mut cur, &root)?
        }
    };
    Ok(LoadedBenchmark { benchmark, origin: Some(origin), collection: Some(collection), signature })
}

/// The collection's signature check, which must also cover what the scan reads: the whole
/// document, or the chosen data stream and every component of the collection it refers to.
fn signature_of(collection: &DataStreamCollection, origin: &DataStreamOrigin) -> SignatureCheck {
    let mut check = signature::check(collection.text(), collection.file());
    if check.status != SignatureStatus::Verified {
        return check;
    }
    let mut needed = vec![origin.datastream_id.as_str()];
    if let Some(ds) = collection.data_streams.iter().find(|d| d.id == origin.datastream_id) {
        needed.extend(ds.component_refs().filter_map(|r| collection.resolve_ref(r)).map(|c| c.id.as_str()));
        // A file next to the data stream is outside what its signature can cover.
        if let Some(external) = ds.component_refs().find(|r| matches!(classify(&r.href), HrefTarget::File(_)))
        {
            check.status = SignatureStatus::Invalid;
            check.problem = Some(format!(
                "component-ref `{}` names the external component `{}`, which the signature does not cover",
                external.id, external.href
            ));
            return check;
        }
    }
    if !check.covers_all(&needed) {
        let missing: Vec<&str> =
            needed.into_iter().filter(|id| !check.covers.iter().any(|c| c == id)).collect();
        check.status = SignatureStatus::Invalid;
        check.problem = Some(format!(
            "it does not cover what is scanned: neither the whole document nor `{}`",
            missing.join("`, `")
        ));
    }
    check
}

fn select(collection: &DataStreamCollection, selection: &Selection) -> Result<DataStreamOrigin, LoadError> {
    let file = collection.file().to_string();
    let streams: Vec<&DataStream> = match &selection.datastream_id {
        Some(id) => match collection.data_streams.iter().find(|d| d.id == *id) {
            Some(ds) => vec![ds],
            None => {
                return Err(LoadError::NotFound {
                    file,
                    what: "data stream",
                    id: id.clone(),
                    available: collection.data_streams.iter().map(|d| d.id.clone()).collect(),
                });
            }
        },
        None => collection.data_streams.iter().collect(),
    };
    let mut found: Vec<(&DataStream, &ComponentRef, Option<&Component>)> = Vec::new();
    for ds in &streams {
        for cref in &ds.checklists {
            if selection.xccdf_id.as_ref().is_some_and(|id| *id != cref.id) {
                continue;
            }
            // An external checklist (a file next to the data stream) is a candidate when the file
            // is there; what it holds is only known once it is read.
            if collection.external_file(cref).is_some_and(|p| super::input::open_regular(&p).is_ok()) {
                if selection.benchmark_id.is_none() {
                    found.push((ds, cref, None));
                }
                continue;
            }
            let Some(component) = collection.resolve_ref(cref) else { continue };
            if !matches!(component.kind, ComponentKind::XccdfBenchmark(_)) {
                continue;
            }
            if selection.benchmark_id.is_some() && selection.benchmark_id != component.root_id {
                continue;
            }
            found.push((ds, cref, Some(component)));
        }
    }
    // Several checklists and a profile asked for: the one benchmark that has it, when only one does.
    if found.len() > 1
        && let Some(one) = holding_profile(collection, &found, selection)
    {
        found = vec![one];
    }
    match found.as_slice() {
        [(ds, cref, component)] => Ok(DataStreamOrigin {
            datastream_id: ds.id.clone(),
            component_ref_id: cref.id.clone(),
            component_id: component.map_or_else(|| cref.href.clone(), |c| c.id.clone()),
        }),
        [] => {
            let checklists = streams.iter().flat_map(|d| &d.checklists);
            if let Some(id) = &selection.xccdf_id {
                Err(LoadError::NotFound {
                    file,
                    what: "checklist component-ref",
                    id: id.clone(),
                    available: checklists.map(|c| c.id.clone()).collect(),
                })
            } else if let Some(id) = &selection.benchmark_id {
                Err(LoadError::NotFound {
                    file,
                    what: "benchmark",
                    id: id.clone(),
                    available: checklists
                        .filter_map(|c| collection.resolve_ref(c)?.root_id.clone())
                        .collect(),
                })
            } else {
                Err(LoadError::NoBenchmark {
                    file,
                    message: "no data stream lists an XCCDF benchmark among its checklists".into(),
                })
            }
        }
        many => {
            let mut streams: Vec<String> = many.iter().map(|(d, _, _)| d.id.clone()).collect();
            streams.dedup();
            if streams.len() > 1 {
                Err(LoadError::Ambiguous {
                    file,
                    count: streams.len(),
                    what: "data streams",
                    option: "--datastream-id",
                    choices: streams,
                })
            } else {
                Err(LoadError::Ambiguous {
                    file,
                    count: many.len(),
                    what: "benchmark checklists",
                    option: "--xccdf-id",
                    choices: many.iter().map(|(_, c, _)| c.id.clone()).collect(),
                })
            }
        }
    }
}

/// The one checklist among `found` whose benchmark has the profile `selection.profile` (its id,
/// or an id ending in `_profile`); `None` when none or several do.
fn holding_profile<'c>(
    collection: &DataStreamCollection,
    found: &[(&'c DataStream, &'c ComponentRef, Option<&'c Component>)],
    selection: &Selection,
) -> Option<(&'c DataStream, &'c ComponentRef, Option<&'c Component>)> {
    let wanted = selection.profile.as_deref()?;
    let suffix = format!("_{wanted}");
    // External checklists are not read to find out.
    let has = |component: &Option<&Component>| -> bool {
        let Some(xml) = component.and_then(|c| collection.component_xml(&c.id)) else { return false };
        let mut cur = xml.cursor();
        let Ok(root) = cur.root() else { return false };
        // Profiles come before the Values, Groups and Rules: stop at the first of those.
        while let Ok(Some(child)) = cur.child(&root) {
            match child.local {
                "Profile" => {
                    if let Ok(Some(id)) = cur.attr(&child, "id")
                        && (id == wanted || id.ends_with(&suffix))
                    {
                        return true;
                    }
                    if cur.skip(&child).is_err() {
                        return false;
                    }
                }
                "Value" | "Group" | "Rule" => return false,
                _ => {
                    if cur.skip(&child).is_err() {
                        return false;
                    }
                }
            }
        }
        false
    };
    let holding: Vec<_> = found.iter().filter(|(_, _, c)| has(c)).collect();
    match holding.as_slice() {
        [one] => Some(**one),
        _ => None,
    }
}

fn wrong_root(cur: &mut Cursor<'_>, root: &Elem<'_>) -> LoadError {
    LoadError::WrongRoot {
        location: cur.location(root.offset),
        found: root.qname.to_string(),
        namespace: root.ns.to_string(),
        expected: EXPECTED_SOURCES.to_string(),
    }
}

/// One pass over a data-stream collection: structure only; component bodies are skipped.
fn scan_collection(doc: Document) -> Result<DataStreamCollection, LoadError> {
    let mut errors = Vec::new();
    let (id, schematron_version, location, data_streams, components) = {
        let mut cur = document_cursor(&doc);
        let root = cur.root()?;
        let location = cur.location(root.offset);
        let id = required(&mut cur, &root, "id", &mut errors)?;
        let schematron_version = cur.attr(&root, "schematron-version")?.map(|v| v.into_owned());
        let mut data_streams = Vec::new();
        let mut components = Vec::new();
        while let Some(e) = cur.child(&root)? {
            if e.ns != NS_DS_12 {
                continue;
            }
            match e.local {
                "data-stream" => data_streams.push(scan_data_stream(&mut cur, &e, &mut errors)?),
                "component" | "extended-component" => {
                    if let Some(c) = scan_component(&mut cur, &e, &mut errors)? {
                        components.push(c);
                    }
                }
                _ => {}
            }
        }
        cur.finish()?;
        (id, schematron_version, location, data_streams, components)
    };
    let mut collection = DataStreamCollection {
        id,
        schematron_version,
        data_streams,
        components,
        location,
        dangling: Vec::new(),
        doc,
    };
    let mut dangling = Vec::new();
    for ds in &collection.data_streams {
        for cref in ds.component_refs() {
            let problem = match classify(&cref.href) {
                HrefTarget::Local(id) if collection.component(id).is_none() => {
                    LoadError::UnresolvedComponent {
                        location: cref.location.clone(),
                        id: cref.id.clone(),
                        href: cref.href.clone(),
                    }
                }
                HrefTarget::Local(_) => continue,
                HrefTarget::File(path) => {
                    let Some(dir) = collection.dir() else { continue };
                    let path = component_href::resolve(dir, &path);
                    // Opened as the loader opens any content file: regular files only.
                    match super::input::open_regular(&path) {
                        Ok(_) => continue,
                        Err(e) => LoadError::UnreadableExternalComponent {
                            location: cref.location.clone(),
                            id: cref.id.clone(),
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        },
                    }
                }
                HrefTarget::Remote(url) => LoadError::RemoteComponent {
                    location: cref.location.clone(),
                    id: cref.id.clone(),
                    url: url.to_string(),
                },
            };
            dangling.push(problem.to_string());
        }
    }
    collection.dangling = dangling;
    if errors.is_empty() { Ok(collection) } else { Err(LoadError::from_list(errors)) }
}

fn required<'a>(
    cur: &mut Cursor<'a>,
    e: &Elem<'a>,
    name: &'static str,
    errors: &mut Vec<LoadError>,
) -> Result<String, LoadError> {
    match cur.attr(e, name)? {
        Some(v) => Ok(v.into_owned()),
        None => {
            let location = cur.location(e.offset);
            errors.push(LoadError::MissingAttribute {
                location,
                element: e.qname.to_string(),
                attribute: name,
            });
            Ok(String::new())
        }
    }
}

fn scan_data_stream<'a>(
    cur: &mut Cursor<'a>,
    e: &Elem<'a>,
    errors: &mut Vec<LoadError>,
) -> Result<DataStream, LoadError> {
    let location = cur.location(e.offset);
    let mut ds = DataStream {
        id: required(cur, e, "id", errors)?,
        scap_version: cur.attr(e, "scap-version")?.map(|v| v.into_owned()),
        use_case: cur.attr(e, "use-case")?.map(|v| v.into_owned()),
        timestamp: cur.attr(e, "timestamp")?.map(|v| v.into_owned()),
        dictionaries: Vec::new(),
        checklists: Vec::new(),
        checks: Vec::new(),
        extended_components: Vec::new(),
        location,
    };
    while let Some(section) = cur.child(e)? {
        if section.ns != NS_DS_12 {
            continue;
        }
        let mut refs = Vec::new();
        while let Some(r) = cur.child(&section)? {
            if r.is(NS_DS_12, "component-ref") {
                refs.push(scan_component_ref(cur, &r, errors)?);
            }
        }
        match section.local {
            "dictionaries" => ds.dictionaries = refs,
            "checklists" => ds.checklists = refs,
            "checks" => ds.checks = refs,
            "extended-components" => ds.extended_components = refs,
            _ => {}
        }
    }
    Ok(ds)
}

fn scan_component_ref<'a>(
    cur: &mut Cursor<'a>,
    e: &Elem<'a>,
    errors: &mut Vec<LoadError>,
) -> Result<ComponentRef, LoadError> {
    let location = cur.location(e.offset);
    let id = required(cur, e, "id", errors)?;
    let href = match cur.attr_ns(e, NS_XLINK, "href")? {
        Some(h) => h.into_owned(),
        None => {
            errors.push(LoadError::MissingAttribute {
                location: location.clone(),
                element: e.qname.to_string(),
                attribute: "xlink:href",
            });
            String::new()
        }
    };
    let mut catalog = Vec::new();
    while let Some(cat) = cur.child(e)? {
        if !cat.is(NS_CATALOG, "catalog") {
            continue;
        }
        while let Some(uri) = cur.child(&cat)? {
            if uri.is(NS_CATALOG, "uri") {
                let name = required(cur, &uri, "name", errors)?;
                let target = required(cur, &uri, "uri", errors)?;
                catalog.push(CatalogUri { name, uri: target });
            }
        }
    }
    Ok(ComponentRef { id, href, catalog, location })
}

fn scan_component<'a>(
    cur: &mut Cursor<'a>,
    e: &Elem<'a>,
    errors: &mut Vec<LoadError>,
) -> Result<Option<Component>, LoadError> {
    let location = cur.location(e.offset);
    let id = required(cur, e, "id", errors)?;
    let timestamp = cur.attr(e, "timestamp")?.map(|v| v.into_owned());
    let inherited: Vec<(String, String)> =
        cur.bindings().into_iter().map(|(p, u)| (p.to_string(), u.to_string())).collect();
    let Some(root) = cur.child(e)? else {
        errors.push(LoadError::NoBenchmark {
            file: location.to_string(),
            message: format!("component `{id}` is empty"),
        });
        return Ok(None);
    };
    let kind = match (root.ns, root.local) {
        (NS_XCCDF_11, "Benchmark") => ComponentKind::XccdfBenchmark(XccdfVersion::V1_1),
        (NS_XCCDF_12, "Benchmark") => ComponentKind::XccdfBenchmark(XccdfVersion::V1_2),
        (NS_XCCDF_11 | NS_XCCDF_12, "Tailoring") => ComponentKind::XccdfTailoring,
        (NS_OVAL_DEFINITIONS, "oval_definitions") => ComponentKind::OvalDefinitions,
        (NS_OCIL_20, "ocil") => ComponentKind::Ocil,
        (NS_CPE_DICT_20, "cpe-list") => ComponentKind::CpeDictionary,
        _ => ComponentKind::Other,
    };
    let root_id = cur.attr(&root, "id")?.map(|v| v.into_owned());
    let (root_namespace, root_name) = (root.ns.to_string(), root.local.to_string());
    let end_tag = cur.skip_by_search(e)?;
    // The root ends at the last `>` before `</ds:component>` (only whitespace may follow it).
    let root_end = cur.src().as_bytes().get(root.offset..end_tag).and_then(|b| memchr::memrchr(b'>', b));
    let root_range = root.offset..root_end.map_or(end_tag, |gt| root.offset + gt + 1);
    Ok(Some(Component {
        id,
        timestamp,
        kind,
        root_namespace,
        root_name,
        root_id,
        root_range,
        inherited_namespaces: inherited,
        extended: e.local == "extended-component",
        location,
    }))
}

/// The component's root element as a standalone document: SCAP data streams declare prefixes
/// such as `oval-def:` or `cpe-dict:` on the collection root, so the component text alone is not
/// namespace-well-formed. The inherited declarations are added to the root's start tag (on its
/// first line, so line numbers inside the component are unchanged).
pub fn standalone_xml<'a>(component: &ComponentXml<'a>) -> Cow<'a, str> {
    let xml = component.xml();
    let inherited = &component.component.inherited_namespaces;
    if inherited.is_empty() {
        return Cow::Borrowed(xml);
    }
    let Some(name_end) = xml
        .get(1..)
        .and_then(|rest| rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').map(|i| i + 1))
    else {
        return Cow::Borrowed(xml);
    };
    let start_tag = &xml[..start_tag_length(xml)];
    let declared = attribute_names(start_tag);
    let mut declarations = String::new();
    for (prefix, uri) in inherited {
        let attribute = if prefix.is_empty() { "xmlns".to_string() } else { format!("xmlns:{prefix}") };
        // A declaration on the root itself wins over the inherited one.
        if declared.contains(&attribute.as_str()) {
            continue;
        }
        declarations
            .push_str(&format!(" {attribute}=\"{}\"", uri.replace('&', "&amp;").replace('"', "&quot;")));
    }
    Cow::Owned(format!("{}{}{}", &xml[..name_end], declarations, &xml[name_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DS: &str = r##"<?xml version="1.0"?>
<ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:cat="urn:oasis:names:tc:entity:xmlns:xml:catalog" xmlns:x="http://checklists.nist.gov/xccdf/1.2" xmlns:oval-def="http://oval.mitre.org/XMLSchema/oval-definitions-5" id="coll">
  <ds:data-stream id="ds1" scap-version="1.3" use-case="OTHER">
    <ds:checklists>
      <ds:component-ref id="cref-x" xlink:href="#comp-x">
        <cat:catalog><cat:uri name="o.xml" uri="#cref-o"/></cat:catalog>
      </ds:component-ref>
    </ds:checklists>
    <ds:checks>
      <ds:component-ref id="cref-o" xlink:href="#comp-o"/>
    </ds:checks>
  </ds:data-stream>
  <ds:component id="comp-x" timestamp="t">
    <x:Benchmark id="xccdf_t_benchmark_b"><x:Rule id="xccdf_t_rule_r"/></x:Benchmark>
  </ds:component>
  <ds:component id="comp-o">
    <oval-def:oval_definitions><oval-def:definitions/></oval-def:oval_definitions>
  </ds:component>
</ds:data-stream-collection>
"##;

    fn bytes(src: &str) -> Input<'_> {
        Input::Bytes { name: "ds.xml", bytes: src.as_bytes() }
    }

    #[test]
    fn scans_structure_and_resolves_check_hrefs() {
        let Source::DataStream(c) = load_source(bytes(DS)).unwrap() else { panic!("not a data stream") };
        assert_eq!(c.data_streams.len(), 1);
        assert_eq!(c.data_streams[0].scap_version.as_deref(), Some("1.3"));
        assert_eq!(c.data_streams[0].checklists[0].catalog[0].name, "o.xml");
        assert_eq!(c.components.len(), 2);
        assert_eq!(c.components[0].kind, ComponentKind::XccdfBenchmark(XccdfVersion::V1_2));
        assert_eq!(c.components[0].root_id.as_deref(), Some("xccdf_t_benchmark_b"));
        assert_eq!(c.components[1].kind, ComponentKind::OvalDefinitions);
        let loaded = benchmark_from_collection(c, &Selection::default()).unwrap();
        assert_eq!(loaded.benchmark.rules.len(), 1);
        assert_eq!(loaded.benchmark.rules[0].common.location.line, 14);
        let oval = loaded.check_component("o.xml").unwrap();
        assert!(oval.xml().starts_with("<oval-def:oval_definitions>"));
        assert!(oval.xml().ends_with("</oval-def:oval_definitions>"));
        let mut cur = oval.cursor();
        let root = cur.root().unwrap();
        assert!(root.is(NS_OVAL_DEFINITIONS, "oval_definitions"));
        assert!(loaded.check_component("missing.xml").is_none());
    }

    #[test]
    fn ambiguous_and_unknown_selections_are_explained() {
        let two = DS.replacen("<ds:component id=\"comp-x\"", "<ds:data-stream id=\"ds2\"><ds:checklists><ds:component-ref id=\"cref-y\" xlink:href=\"#comp-x\"/></ds:checklists></ds:data-stream>\n  <ds:component id=\"comp-x\"", 1);
        let err = load_benchmark(bytes(&two), &Selection::default()).unwrap_err().to_string();
        assert_eq!(err, "ds.xml: 2 data streams; choose with --datastream-id: ds1, ds2");
        let sel = Selection { datastream_id: Some("ds2".into()), ..Default::default() };
        let loaded = load_benchmark(bytes(&two), &sel).unwrap();
        assert_eq!(loaded.origin.unwrap().component_ref_id, "cref-y");
        let sel = Selection { datastream_id: Some("nope".into()), ..Default::default() };
        let err = load_benchmark(bytes(&two), &sel).unwrap_err().to_string();
        assert_eq!(err, "ds.xml: no data stream `nope`; available: ds1, ds2");
        let sel = Selection { benchmark_id: Some("other".into()), ..Default::default() };
        let err = load_benchmark(bytes(DS), &sel).unwrap_err().to_string();
        assert!(err.contains("no benchmark `other`; available: xccdf_t_benchmark_b"), "{err}");
    }

    #[test]
    fn dangling_component_ref_is_a_located_warning() {
        let bad = DS.replace("xlink:href=\"#comp-o\"", "xlink:href=\"#comp-gone\"");
        let Source::DataStream(c) = load_source(bytes(&bad)).unwrap() else { panic!("not a data stream") };
        assert_eq!(c.dangling.len(), 1);
        assert!(
            c.dangling[0].starts_with("ds.xml:10:7: component-ref `cref-o` points to `#comp-gone`"),
            "{c:?}"
        );
    }

    #[test]
    fn external_components_are_files_beside_the_data_stream() {
        let dir = tempfile::tempdir().unwrap();
        let external = DS.replace("xlink:href=\"#comp-o\"", "xlink:href=\"file:o%20v.xml\"");
        let path = dir.path().join("ds.xml");
        std::fs::write(&path, &external).unwrap();
        let Source::DataStream(c) = load_source(path.as_path()).unwrap() else { panic!("not a data stream") };
        assert_eq!(c.dangling.len(), 1, "the file is not there yet");
        assert!(c.dangling[0].contains("cannot be read"), "{:?}", c.dangling);
        std::fs::write(dir.path().join("o v.xml"), "<a/>").unwrap();
        let loaded = load_benchmark(path.as_path(), &Selection::default()).unwrap();
        assert!(loaded.collection.as_ref().unwrap().dangling.is_empty());
        match loaded.check_source("o.xml") {
            Some(CheckSource::File { path, via }) => {
                assert_eq!(path, dir.path().join("o v.xml"));
                assert!(via.starts_with("component-ref `cref-o`"), "{via}");
            }
            other => panic!("{other:?}"),
        }
        assert!(loaded.check_component("o.xml").is_none());
        // Bytes have no directory: the reference cannot be followed, and says why.
        let from_bytes = load_benchmark(bytes(&external), &Selection::default()).unwrap();
        assert!(matches!(from_bytes.check_source("o.xml"), Some(CheckSource::Unreachable(_))));
        let remote = DS.replace("xlink:href=\"#comp-o\"", "xlink:href=\"https://example.org/o.xml\"");
        let Source::DataStream(c) = load_source(bytes(&remote)).unwrap() else { panic!("not a data stream") };
        assert!(c.dangling[0].contains("remote content is not fetched"), "{:?}", c.dangling);
    }

    #[test]
    fn a_component_read_alone_keeps_its_ancestors_declarations() {
        // Declarations on the collection and on ds:component; the root's own spacing around `=`
        // and a `>` inside one of its attribute values must not fool the start-tag scan.
        let ds = DS
            .replace("<ds:component id=\"comp-o\">", "<ds:component id=\"comp-o\" xmlns:ind=\"urn:ind\">")
            .replace(
                "<oval-def:oval_definitions>",
                "<oval-def:oval_definitions note=\"a > b\" xmlns:x = \"http://checklists.nist.gov/xccdf/1.2\"><ind:t/>",
            );
        let loaded = load_benchmark(bytes(&ds), &Selection::default()).unwrap();
        let oval = loaded.check_component("o.xml").unwrap();
        let text = standalone_xml(&oval);
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some(NS_OVAL_DEFINITIONS));
        assert_eq!(root.first_element_child().unwrap().tag_name().namespace(), Some("urn:ind"));
        assert!(!text.contains("xmlns:x=\""), "the root's own declaration is kept, not doubled: {text}");
    }

    #[test]
    fn end_tags_are_checked_after_a_skipped_component() {
        // The reader restarts after each skipped component; the cursor checks the end tags of
        // elements opened before the restart.
        let bad = DS.replace("</ds:data-stream-collection>", "</ds:data-stream>");
        let err = load_source(bytes(&bad)).unwrap_err().to_string();
        assert!(
            err.contains("expected `</ds:data-stream-collection>`, but `</ds:data-stream>` was found"),
            "{err}"
        );
        assert!(err.starts_with("ds.xml:19:1:"), "{err}");
    }

    #[test]
    fn wrong_root_lists_expected_documents() {
        let err =
            load_source(bytes("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>")).unwrap_err().to_string();
        assert!(err.contains("`html` (namespace `http://www.w3.org/1999/xhtml`)"), "{err}");
        assert!(err.contains("data-stream-collection"), "{err}");
    }

    #[test]
    fn every_truncation_is_an_error() {
        for cut in 0..DS.len() {
            let Some(prefix) = DS.get(..cut) else { continue };
            if prefix.trim_end().ends_with("</ds:data-stream-collection>") {
                continue;
            }
            let result = load_benchmark(bytes(prefix), &Selection::default());
            assert!(result.is_err(), "cut at {cut} loaded");
        }
    }
}
