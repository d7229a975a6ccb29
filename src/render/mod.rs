//! Output rendering: view-models plus one minijinja template per format.
pub mod oval_results;
