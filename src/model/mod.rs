//! The typed content model. No I/O here.

pub mod cci;
pub mod location;
pub mod oval;
pub mod spelling;
pub mod stig;
pub mod xccdf;
