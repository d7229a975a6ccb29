//! What a scan produced, as a layer of its own: the results document (`document`, versioned, with
//! stable keys), the OVAL runs inside it (`oval`), the XCCDF result enumeration, combination
//! tables and scoring (`xccdf`), assessors' answers (`answer`), credentials redacted from the evidence (`redact`), the asset's checklist fields
//! (`asset`), and reading results files of any
//! kind back (`io`).

pub mod answer;
pub mod asset;
pub mod document;
pub mod io;
pub mod oval;
pub mod redact;
pub mod xccdf;
