//! OVAL 5.11 results writer.
