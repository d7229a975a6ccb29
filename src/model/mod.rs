//! The typed content model. No I/O here.

pub mod cci;
pub mod cpe;
pub mod cpe_name;
pub mod location;
pub mod naming;
pub mod oval;
pub mod spelling;
pub mod stig;
pub mod xccdf;
pub mod xccdf12_id;
