//! Baselines that informed the loader's design (see `loader::xml`): the cost of a roxmltree DOM
//! of a whole data stream versus one quick-xml tokenising pass, each counting XCCDF Rules.
//!
//! usage: xml_parser_baseline roxmltree|quick-xml FILE

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mode, path) = match (args.next(), args.next()) {
        (Some(m), Some(p)) => (m, p),
        _ => return Err("usage: xml_parser_baseline roxmltree|quick-xml FILE".into()),
    };
    let start = Instant::now();
    let text = std::fs::read_to_string(&path)?;
    let rules = match mode.as_str() {
        "roxmltree" => {
            let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
            let doc = roxmltree::Document::parse_with_options(&text, options)?;
            let count = doc.descendants().filter(|n| n.has_tag_name("Rule")).count();
            // Keep the DOM alive until here so that peak memory includes it.
            drop(doc);
            count
        }
        "quick-xml" => {
            let mut reader = quick_xml::Reader::from_str(&text);
            let mut count = 0;
            loop {
                match reader.read_event()? {
                    quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                        if e.local_name().as_ref() == "Rule" =>
                    {
                        count += 1
                    }
                    quick_xml::events::Event::Eof => break,
                    _ => {}
                }
            }
            count
        }
        other => return Err(format!("unknown mode `{other}`").into()),
    };
    println!("{mode}: {rules} rules in {:?}", start.elapsed());
    Ok(())
}
