//! Output rendering: view-models plus one minijinja template per format.
pub mod arf;
pub mod html;
pub mod oval_results;
pub mod view;
pub mod xccdf_results;
