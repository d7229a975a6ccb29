//! Turning a data-stream component into a document its own loader can parse.

use std::borrow::Cow;

use crate::loader::datastream::ComponentXml;

/// The component's root element as a standalone document: SCAP data streams declare prefixes
/// such as `oval-def:` or `cpe-dict:` on the collection root, so the component text alone is not
/// namespace-well-formed. The inherited declarations are added to the root's start tag (on its
/// first line, so line numbers inside the component are unchanged).
pub fn standalone_xml<'a>(component: &ComponentXml<'a>) -> Cow<'a, str> {
    let xml = component.xml();
    let inherited = &component.component.inherited_namespaces;
    if inherited.is_empty() {
        return Cow::Borrowed(xml);
    }
    let Some(name_end) = xml
        .get(1..)
        .and_then(|rest| rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').map(|i| i + 1))
    else {
        return Cow::Borrowed(xml);
    };
    let start_tag_end = xml.find('>').unwrap_or(xml.len());
    let start_tag = &xml[..start_tag_end];
    let mut declarations = String::new();
    for (prefix, uri) in inherited {
        let attribute = if prefix.is_empty() { "xmlns".to_string() } else { format!("xmlns:{prefix}") };
        // A declaration on the root itself wins over the inherited one.
        if start_tag.contains(&format!("{attribute}=")) {
            continue;
        }
        declarations
            .push_str(&format!(" {attribute}=\"{}\"", uri.replace('&', "&amp;").replace('"', "&quot;")));
    }
    Cow::Owned(format!("{}{}{}", &xml[..name_end], declarations, &xml[name_end..]))
}
