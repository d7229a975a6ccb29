//! Result enums (OVAL and XCCDF) with their combination tables.

pub mod oval;
