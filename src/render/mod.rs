//! Output rendering: view-models plus one minijinja template per format.
