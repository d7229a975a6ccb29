//! XML canonicalization over roxmltree, for XML-DSig digests: Canonical XML 1.0 (inclusive) and
//! Exclusive XML Canonicalization 1.0, with or without comments (W3C REC-xml-c14n-20010315,
//! REC-xml-exc-c14n-20020718). The node-sets are those signed SCAP content uses: a whole
//! document, or one element's subtree, either one less an excluded subtree (the signature, for
//! the enveloped-signature transform).

use std::collections::BTreeMap;

use roxmltree::{Node, NodeType};

const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Inclusive,
    Exclusive,
}

#[derive(Debug, Clone)]
pub struct Options<'p> {
    pub mode: Mode,
    pub with_comments: bool,
    /// Exclusive c14n's `InclusiveNamespaces PrefixList` (`#default` for the default namespace).
    pub inclusive_prefixes: &'p [String],
}

/// Canonicalize the whole document (`URI=""`): the root element and the processing instructions
/// (and comments, when kept) around it, each outside one on its own line.
pub fn document(doc: &roxmltree::Document<'_>, excluded: Option<Node<'_, '_>>, opts: &Options<'_>) -> String {
    let mut out = String::new();
    let root = doc.root();
    let mut after_root = false;
    for child in root.children() {
        match child.node_type() {
            NodeType::Element => {
                element(child, excluded, &BTreeMap::new(), true, opts, &mut out);
                after_root = true;
            }
            NodeType::PI | NodeType::Comment => {
                if child.is_comment() && !opts.with_comments {
                    continue;
                }
                if after_root {
                    out.push('\n');
                }
                leaf(child, &mut out);
                if !after_root {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

/// Canonicalize `apex` and its subtree, less `excluded`.
pub fn subtree(apex: Node<'_, '_>, excluded: Option<Node<'_, '_>>, opts: &Options<'_>) -> String {
    let mut out = String::new();
    element(apex, excluded, &BTreeMap::new(), true, opts, &mut out);
    out
}

/// The prefix an element's name is written with (`""` for none).
fn element_prefix<'i>(node: Node<'_, 'i>) -> &'i str {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let name = text
        .get(start..)
        .map(|rest| {
            &rest[..rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len())]
        })
        .unwrap_or("");
    name.split_once(':').map_or("", |(p, _)| p)
}

fn element_qname<'i>(node: Node<'_, 'i>) -> String {
    match element_prefix(node) {
        "" => node.tag_name().name().to_string(),
        p => format!("{p}:{}", node.tag_name().name()),
    }
}

fn attribute_qname<'i>(node: Node<'_, 'i>, attr: &roxmltree::Attribute<'_, 'i>) -> &'i str {
    node.document().input_text().get(attr.range_qname()).unwrap_or(attr.name())
}

/// In-scope namespace bindings of `node` (prefix `""` for the default namespace), `xml` left out.
fn in_scope(node: Node<'_, '_>) -> BTreeMap<String, String> {
    node.namespaces()
        .filter(|ns| ns.uri() != NS_XML)
        .map(|ns| (ns.name().unwrap_or("").to_string(), ns.uri().to_string()))
        .collect()
}

/// `rendered`: the declarations in effect from the output ancestors (prefix → uri).
fn element(
    node: Node<'_, '_>,
    excluded: Option<Node<'_, '_>>,
    rendered: &BTreeMap<String, String>,
    apex: bool,
    opts: &Options<'_>,
    out: &mut String,
) {
    if excluded == Some(node) {
        return;
    }
    let scope = in_scope(node);
    let wanted: Vec<String> = match opts.mode {
        // "" too: a default namespace an output ancestor declared may have to be undone.
        Mode::Inclusive => std::iter::once(String::new()).chain(scope.keys().cloned()).collect(),
        Mode::Exclusive => {
            let mut used = vec![element_prefix(node).to_string()];
            for a in node.attributes() {
                let q = attribute_qname(node, &a);
                if let Some((p, _)) = q.split_once(':')
                    && p != "xml"
                {
                    used.push(p.to_string());
                }
            }
            for p in opts.inclusive_prefixes {
                used.push(if p == "#default" { String::new() } else { p.clone() });
            }
            used.sort();
            used.dedup();
            used
        }
    };
    let mut now = rendered.clone();
    // Namespace declarations, default first, then by prefix (BTreeMap order: "" sorts first).
    let mut declarations: BTreeMap<&str, &str> = BTreeMap::new();
    for prefix in &wanted {
        let uri = scope.get(prefix).map(String::as_str).unwrap_or("");
        let before = rendered.get(prefix).map(String::as_str).unwrap_or("");
        if prefix.is_empty() {
            // xmlns="" only undoes a default namespace an output ancestor declared.
            if uri != before {
                declarations.insert("", uri);
                now.insert(String::new(), uri.to_string());
            }
        } else if scope.contains_key(prefix) && rendered.get(prefix).map(String::as_str) != Some(uri) {
            declarations.insert(prefix, uri);
            now.insert(prefix.clone(), uri.to_string());
        }
    }
    let qname = element_qname(node);
    out.push('<');
    out.push_str(&qname);
    for (prefix, uri) in &declarations {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    // Attributes by namespace URI (none first), then local name. Inclusive c14n of a subset
    // also carries the xml:* attributes the apex inherits.
    let mut attributes: Vec<(&str, &str, String, &str)> = node
        .attributes()
        .map(|a| (a.namespace().unwrap_or(""), a.name(), attribute_qname(node, &a).to_string(), a.value()))
        .collect();
    if apex && opts.mode == Mode::Inclusive {
        for ancestor in node.ancestors().skip(1).filter(|n| n.is_element()) {
            for a in ancestor.attributes().filter(|a| a.namespace() == Some(NS_XML)) {
                if !attributes.iter().any(|(ns, name, _, _)| *ns == NS_XML && *name == a.name()) {
                    attributes.push((NS_XML, a.name(), format!("xml:{}", a.name()), a.value()));
                }
            }
        }
    }
    attributes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, qname, value) in &attributes {
        out.push(' ');
        out.push_str(qname);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => element(child, excluded, &now, false, opts, out),
            NodeType::Text => escape_text(child.text().unwrap_or(""), out),
            NodeType::Comment if opts.with_comments => leaf(child, out),
            NodeType::PI => leaf(child, out),
            _ => {}
        }
    }
    out.push_str("</");
    out.push_str(&qname);
    out.push('>');
}

fn leaf(node: Node<'_, '_>, out: &mut String) {
    if let Some(pi) = node.pi() {
        out.push_str("<?");
        out.push_str(pi.target);
        if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
            out.push(' ');
            out.push_str(value);
        }
        out.push_str("?>");
    } else if node.is_comment() {
        out.push_str("<!--");
        out.push_str(node.text().unwrap_or(""));
        out.push_str("-->");
    }
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected forms of whole documents were checked with libxml2's `xmllint --c14n` and
    // `--exc-c14n`; the subset forms are the examples of REC-xml-exc-c14n §2.2.
    const EXCLUSIVE: Options<'static> =
        Options { mode: Mode::Exclusive, with_comments: false, inclusive_prefixes: &[] };
    const INCLUSIVE: Options<'static> =
        Options { mode: Mode::Inclusive, with_comments: false, inclusive_prefixes: &[] };

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap()
    }

    #[test]
    fn document_form_follows_the_recommendation() {
        // C14N 1.0 §3.1-3.3 examples, reduced: the declaration and comments go, PIs stay on their
        // own lines, empty elements get end tags, attributes are sorted and quoted with `"`,
        // character references and entity text are expanded, text escapes `>` too.
        let xml = "<?xml version=\"1.0\"?>\n<?pi-before x?>\n<!-- c -->\n<doc b='2' a=\"1&#x20;&amp;\">\r\n  <e/>&#65;&gt;<![CDATA[<x>]]><!-- in --></doc>\n<?pi-after?>\n";
        let d = parse(xml);
        assert_eq!(
            document(&d, None, &INCLUSIVE),
            "<?pi-before x?>\n<doc a=\"1 &amp;\" b=\"2\">\n  <e></e>A&gt;&lt;x&gt;</doc>\n<?pi-after?>"
        );
        let with = Options { with_comments: true, ..INCLUSIVE };
        assert!(document(&d, None, &with).contains("<!-- c -->\n<doc"));
    }

    #[test]
    fn attribute_values_escape_whitespace_characters() {
        let d = parse("<a v=\"x&#9;y&#10;z&#13;&quot;&lt;\"/>");
        assert_eq!(subtree(d.root_element(), None, &INCLUSIVE), "<a v=\"x&#x9;y&#xA;z&#xD;&quot;&lt;\"></a>");
    }

    #[test]
    fn inclusive_subsets_carry_every_namespace_in_scope_and_exclusive_only_the_used_ones() {
        // REC-xml-exc-c14n §2.2's motivating case: the same subtree under different ancestors.
        let xml = r#"<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>"#;
        let d = parse(xml);
        let elem2 = d.descendants().find(|n| n.tag_name().name() == "elem2").unwrap();
        assert_eq!(
            subtree(elem2, None, &INCLUSIVE),
            r#"<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en"><n3:stuff></n3:stuff></n1:elem2>"#
        );
        assert_eq!(
            subtree(elem2, None, &EXCLUSIVE),
            r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#
        );
        let listed = ["n0".to_string()];
        let opts = Options { inclusive_prefixes: &listed, ..EXCLUSIVE };
        assert!(subtree(elem2, None, &opts).starts_with(r#"<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="#));
    }

    #[test]
    fn default_namespaces_are_declared_once_and_undone_with_xmlns_empty() {
        let xml = r#"<a xmlns="urn:a" xmlns:p="urn:p"><b p:x="1"><c xmlns=""><p:d/></c></b><p:e/></a>"#;
        let d = parse(xml);
        assert_eq!(
            subtree(d.root_element(), None, &EXCLUSIVE),
            r#"<a xmlns="urn:a"><b xmlns:p="urn:p" p:x="1"><c xmlns=""><p:d></p:d></c></b><p:e xmlns:p="urn:p"></p:e></a>"#
        );
        assert_eq!(
            subtree(d.root_element(), None, &INCLUSIVE),
            r#"<a xmlns="urn:a" xmlns:p="urn:p"><b p:x="1"><c xmlns=""><p:d></p:d></c></b><p:e></p:e></a>"#
        );
    }

    #[test]
    fn attributes_sort_by_namespace_uri_then_local_name() {
        let xml = r#"<e xmlns:b="urn:a" xmlns:a="urn:b" z="1" b:y="2" a:x="3" a="4"/>"#;
        let d = parse(xml);
        assert_eq!(
            subtree(d.root_element(), None, &EXCLUSIVE),
            r#"<e xmlns:a="urn:b" xmlns:b="urn:a" a="4" z="1" b:y="2" a:x="3"></e>"#
        );
    }

    #[test]
    fn the_excluded_subtree_is_left_out() {
        let xml = "<r><keep/><Signature xmlns=\"urn:s\"><x/></Signature>\n</r>";
        let d = parse(xml);
        let sig = d.descendants().find(|n| n.tag_name().name() == "Signature").unwrap();
        assert_eq!(document(&d, Some(sig), &EXCLUSIVE), "<r><keep></keep>\n</r>");
    }
}
