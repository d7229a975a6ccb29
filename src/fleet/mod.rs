//! Many scans at once: `diff` compares two scans of one target (what opened, closed, stayed open or
//! changed), `merge` folds the results of many nodes into one fleet view, file by file, keeping a
//! summary per rule and per node and never the evidence. Both match rules across STIG releases
//! the way assessors' answers do ([`rules`]).

pub mod diff;
pub mod merge;
pub mod rules;
mod view;

/// The result that makes a rule an open finding (a checklist's `Open`).
pub(crate) fn is_open(result: crate::results::xccdf::XccdfResult) -> bool {
    result == crate::results::xccdf::XccdfResult::Fail
}

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error(transparent)]
    Load(#[from] crate::results::io::ResultsIoError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Report(#[from] crate::render::ReportError),
    #[error("cannot render the {what}: {source}")]
    Render { what: &'static str, source: minijinja::Error },
    #[error("cannot write the {what}: {message}")]
    Serialize { what: &'static str, message: String },
    #[error("cannot read the results directory `{path}`: {source}")]
    Dir { path: String, source: std::io::Error },
    #[error("no results files to merge{0}")]
    NoInputs(String),
    #[error(
        "`{old}` and `{new}` are scans of different targets ({old_id} and {new_id}); \
         give --any-target to compare them anyway"
    )]
    DifferentTargets { old: String, new: String, old_id: String, new_id: String },
}
