//! Evaluate the definitions of one OVAL document (a file, or an OVAL component of a data
//! stream), as `oscap oval eval` does.

use std::path::Path;

use crate::eval::engine::{EvalOptions, ExternalValues, evaluate};
use crate::host::{HostError, ScanTarget};
use crate::loader::datastream::ComponentKind;
use crate::loader::oval::{OvalLoadErrors, parse_oval_str};
use crate::loader::oval_variables::load_oval_variables_file;
use crate::loader::{self, LoadError, Source};
use crate::model::oval::OvalDefinitions;
use crate::probes::Registry;
use crate::results::oval::OvalRun;

#[derive(Debug, thiserror::Error)]
pub enum OvalFileError {
    #[error("{0}")]
    Oval(#[from] OvalLoadErrors),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Root(#[from] HostError),
    #[error("`{file}` holds no OVAL definitions component{hint}")]
    NoOvalComponent { file: String, hint: String },
    #[error("unknown definition `{id}` in `{file}`")]
    UnknownDefinition { id: String, file: String },
}

pub struct OvalFileRequest<'a> {
    pub file: &'a Path,
    pub target: &'a ScanTarget,
    /// Definitions to evaluate; empty = all.
    pub ids: &'a [String],
    pub variables: Option<&'a Path>,
    /// For data streams: which OVAL component (id); default the first one.
    pub component_id: Option<&'a str>,
}

/// Load the definitions: a standalone `oval_definitions` file, or an OVAL component of a data stream.
pub fn load_definitions(file: &Path, component_id: Option<&str>) -> Result<OvalDefinitions, OvalFileError> {
    let text = crate::loader::input::read_to_string(file)
        .map_err(|source| LoadError::Io { path: file.display().to_string(), source })?;
    let is_collection = text.get(..4096).unwrap_or(&text).contains("data-stream-collection");
    if !is_collection {
        return Ok(parse_oval_str(&text, &file.display().to_string())?);
    }
    let Source::DataStream(collection) = loader::load_source(file)? else {
        unreachable!("a data-stream-collection root loads as a data stream")
    };
    let ovals: Vec<_> =
        collection.components.iter().filter(|c| c.kind == ComponentKind::OvalDefinitions).collect();
    let chosen = match component_id {
        Some(id) => ovals.iter().find(|c| c.id == id),
        None => ovals.first(),
    };
    let Some(component) = chosen else {
        let names: Vec<&str> = ovals.iter().map(|c| c.id.as_str()).collect();
        return Err(OvalFileError::NoOvalComponent {
            file: file.display().to_string(),
            hint: if names.is_empty() {
                String::new()
            } else {
                format!(" `{}`; it has: {}", component_id.unwrap_or(""), names.join(", "))
            },
        });
    };
    let xml = collection.component_xml(&component.id).map(|x| x.xml()).unwrap_or_default();
    Ok(parse_oval_str(xml, &format!("{}#{}", file.display(), component.id))?)
}

/// Load, then evaluate against the root.
pub fn evaluate_file(request: &OvalFileRequest<'_>) -> Result<(OvalDefinitions, OvalRun), OvalFileError> {
    let definitions = load_definitions(request.file, request.component_id)?;
    for id in request.ids {
        if !definitions.definitions.contains_key(id) {
            return Err(OvalFileError::UnknownDefinition {
                id: id.clone(),
                file: definitions.source.clone(),
            });
        }
    }
    let mut external = ExternalValues::new();
    if let Some(path) = request.variables {
        for (id, (_, values)) in load_oval_variables_file(path)? {
            external.insert(id, values);
        }
    }
    let options = EvalOptions {
        only_definitions: (!request.ids.is_empty()).then(|| request.ids.to_vec()),
        ..EvalOptions::default()
    };
    let run = evaluate(&definitions, request.target, &Registry::standard(), &external, &options);
    Ok((definitions, run))
}
