//! The root element of an XML document as written: its expanded name and the text from its start
//! tag to its end tag, the prolog (declaration, comments, processing instructions) left out. For
//! copying a whole document verbatim into another (an ARF's report request).

#[derive(Debug, thiserror::Error)]
pub enum DocumentRootError {
    #[error(transparent)]
    Xml(#[from] roxmltree::Error),
    #[error("it declares a document type: its entities would not survive being copied out")]
    DocumentType,
}

pub struct DocumentRoot<'a> {
    /// The namespace; empty when there is none.
    pub namespace: String,
    pub local: String,
    pub xml: &'a str,
}

impl DocumentRoot<'_> {
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace == namespace && self.local == local
    }
}

/// The root element of the well-formed document `xml`. A document type is refused: the copied
/// element could refer to entities its new home does not declare.
pub fn document_root(xml: &str) -> Result<DocumentRoot<'_>, DocumentRootError> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    let doc = roxmltree::Document::parse_with_options(xml, options)?;
    let root = doc.root_element();
    let range = root.range();
    if xml[..range.start].contains("<!DOCTYPE") {
        return Err(DocumentRootError::DocumentType);
    }
    Ok(DocumentRoot {
        namespace: root.tag_name().namespace().unwrap_or_default().to_string(),
        local: root.tag_name().name().to_string(),
        xml: &xml[range],
    })
}
