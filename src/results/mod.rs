//! Result enums (OVAL and XCCDF) with their combination tables and scoring.

pub mod oval;
pub mod xccdf;
