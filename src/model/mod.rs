//! The typed content model. No I/O here.

pub mod location;
pub mod oval;
