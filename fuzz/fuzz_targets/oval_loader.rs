//! Fuzz the OVAL definitions and variables loaders: any input must give a model or errors, never a
//! panic, and a loaded document's kept source XML must load again to the same content.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stigrun::loader::oval::parse_oval_str;
use stigrun::loader::oval_variables::parse_oval_variables_str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(definitions) = parse_oval_str(text, "fuzz.xml") {
        let kept = definitions.source_xml.as_deref().unwrap_or_default();
        let again = match parse_oval_str(kept, "kept.xml") {
            Ok(again) => again,
            Err(errors) => panic!("kept source xml does not load again:\n{errors}"),
        };
        let counts = |d: &stigrun::model::oval::OvalDefinitions| {
            (d.definitions.len(), d.tests.len(), d.objects.len(), d.states.len(), d.variables.len())
        };
        assert_eq!(counts(&definitions), counts(&again));
    }
    let _ = parse_oval_variables_str(text, "fuzz.xml");
});
