//! XCCDF 1.1 / 1.2 `<Benchmark>` parser: one streaming pass straight into the model.
//!
//! Semantic problems (missing attributes, bad enum values, duplicate ids, dangling idrefs) are
//! collected and returned together; malformed XML stops the parse, returned with the errors
//! collected before it.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use super::error::LoadError;
use super::xml::{Cursor, Elem, fragment_children};
use crate::model::cpe::{CpeCheck, CpeDictionary};
use crate::model::location::Location;
use crate::model::xccdf::*;

const EXPECTED_ROOTS: &str =
    "`Benchmark` in `http://checklists.nist.gov/xccdf/1.1` or `http://checklists.nist.gov/xccdf/1.2`";

/// Parse a Benchmark whose start tag the cursor just returned as `root`.
pub fn parse_benchmark<'a>(cur: &mut Cursor<'a>, root: &Elem<'a>) -> Result<Benchmark, LoadError> {
    let location = cur.location(root.offset);
    let version = match XccdfVersion::from_namespace(root.ns) {
        Some(v) if root.local == "Benchmark" => v,
        _ => {
            return Err(LoadError::WrongRoot {
                location,
                found: root.qname.to_string(),
                namespace: root.ns.to_string(),
                expected: EXPECTED_ROOTS.to_string(),
            });
        }
    };
    let mut parser = Parser { cur, ns: version.namespace(), errors: Vec::new(), interned: Vec::new() };
    let result = parser.benchmark(root, version, location);
    let mut errors = parser.errors;
    match result {
        Ok(mut bench) => {
            check_references(&mut bench, &mut errors);
            if errors.is_empty() { Ok(bench) } else { Err(LoadError::from_list(errors)) }
        }
        Err(fatal) => {
            errors.push(fatal);
            Err(LoadError::from_list(errors))
        }
    }
}

struct Parser<'a, 'c> {
    cur: &'c mut Cursor<'a>,
    ns: &'static str,
    errors: Vec<LoadError>,
    /// Reference hrefs seen so far. SSG repeats a few dozen hrefs in tens of thousands of
    /// references; a short list compared by length first is cheaper than hashing long URLs.
    interned: Vec<Arc<str>>,
}

const MAX_INTERNED: usize = 64;

type Res<T> = Result<T, LoadError>;

impl<'a> Parser<'a, '_> {
    fn loc(&mut self, e: &Elem<'a>) -> Location {
        self.cur.location(e.offset)
    }

    fn attr(&mut self, e: &Elem<'a>, name: &str) -> Res<Option<Cow<'a, str>>> {
        self.cur.attr(e, name)
    }

    fn opt(&mut self, e: &Elem<'a>, name: &str) -> Res<Option<String>> {
        Ok(self.cur.attr(e, name)?.map(Cow::into_owned))
    }

    /// A `@selector`: the schema's default is the empty string, so `selector=""` is the same as no
    /// selector (the default check, value or choices).
    fn selector(&mut self, e: &Elem<'a>) -> Res<Option<String>> {
        Ok(self.opt(e, "selector")?.filter(|s| !s.is_empty()))
    }

    fn required(&mut self, e: &Elem<'a>, name: &'static str) -> Res<String> {
        match self.cur.attr(e, name)? {
            Some(v) => Ok(v.into_owned()),
            None => {
                let location = self.loc(e);
                self.errors.push(LoadError::MissingAttribute {
                    location,
                    element: e.qname.to_string(),
                    attribute: name,
                });
                Ok(String::new())
            }
        }
    }

    fn invalid(&mut self, e: &Elem<'a>, attribute: &str, value: &str, expected: &'static str) {
        let location = self.loc(e);
        self.errors.push(LoadError::InvalidAttribute {
            location,
            element: e.qname.to_string(),
            attribute: attribute.to_string(),
            value: value.to_string(),
            expected,
        });
    }

    fn boolean(&mut self, e: &Elem<'a>, name: &str, default: bool) -> Res<bool> {
        Ok(match self.attr(e, name)?.as_deref() {
            None => default,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                let other = other.to_string();
                self.invalid(e, name, &other, "`true` or `false`");
                default
            }
        })
    }

    fn weight(&mut self, e: &Elem<'a>) -> Res<Option<f64>> {
        let Some(raw) = self.attr(e, "weight")? else { return Ok(None) };
        match raw.trim().parse::<f64>() {
            Ok(w) if w >= 0.0 && w.is_finite() => Ok(Some(w)),
            _ => {
                let raw = raw.into_owned();
                self.invalid(e, "weight", &raw, "a non-negative decimal");
                Ok(None)
            }
        }
    }

    fn severity(&mut self, e: &Elem<'a>) -> Res<Option<Severity>> {
        let Some(raw) = self.attr(e, "severity")? else { return Ok(None) };
        let parsed = Severity::parse(&raw);
        if parsed.is_none() {
            let raw = raw.into_owned();
            self.invalid(e, "severity", &raw, "one of unknown, info, low, medium, high");
        }
        Ok(parsed)
    }

    fn role(&mut self, e: &Elem<'a>) -> Res<Option<Role>> {
        let Some(raw) = self.attr(e, "role")? else { return Ok(None) };
        let parsed = Role::parse(&raw);
        if parsed.is_none() {
            let raw = raw.into_owned();
            self.invalid(e, "role", &raw, "one of full, unscored, unchecked");
        }
        Ok(parsed)
    }

    fn is_x(&self, e: &Elem<'a>) -> bool {
        e.ns == self.ns
    }

    fn text_once(&mut self, slot: &mut Option<Text>, e: &Elem<'a>) -> Res<()> {
        // Several `title`s / `description`s differ by xml:lang; the first one is kept.
        if slot.is_none() {
            *slot = Some(self.cur.content(e)?);
        }
        Ok(())
    }

    fn reference(&mut self, e: &Elem<'a>) -> Res<Reference> {
        let href = self.attr(e, "href")?.map(|h| self.intern(&h));
        let content = self.cur.content(e)?;
        let dublin_core = content.markup.as_deref().map(fragment_children).unwrap_or_default();
        Ok(Reference { href, text: content.text, dublin_core })
    }

    fn intern(&mut self, value: &str) -> Arc<str> {
        if let Some(known) = self.interned.iter().find(|k| k.len() == value.len() && ***k == *value) {
            return known.clone();
        }
        let new: Arc<str> = Arc::from(value);
        if self.interned.len() < MAX_INTERNED {
            self.interned.push(new.clone());
        }
        new
    }

    fn benchmark(&mut self, root: &Elem<'a>, version: XccdfVersion, location: Location) -> Res<Benchmark> {
        let id = self.required(root, "id")?;
        let mut b = Benchmark::new(id, version, location);
        b.resolved = self.boolean(root, "resolved", false)?;
        b.lang = self.opt(root, "xml:lang")?;
        while let Some(e) = self.cur.child(root)? {
            if e.is(NS_CPE_LANG, "platform-specification") {
                let range = self.cur.element_range(&e)?;
                let xml = self.cur.src().get(range).unwrap_or_default();
                // Re-declare the namespace on the element so the fragment parses on its own.
                let prefix = e.qname.split_once(':').map_or("", |(p, _)| p);
                b.platform_specification = Some(redeclare_cpe_lang(xml, prefix));
                continue;
            }
            if e.is(NS_CPE_10, "cpe-list") || e.is(NS_CPE_DICT_20, "cpe-list") {
                self.cpe_list(&e, &mut b.cpe_dictionary)?;
                continue;
            }
            if !self.is_x(&e) {
                continue;
            }
            match e.local {
                "status" => {
                    let date = self.opt(&e, "date")?;
                    let status = self.cur.text(&e)?;
                    b.statuses.push(Status { status, date });
                }
                "title" => self.text_once(&mut b.title, &e)?,
                "description" => self.text_once(&mut b.description, &e)?,
                "version" => b.version = Some(self.cur.text(&e)?),
                "reference" => {
                    let r = self.reference(&e)?;
                    b.references.push(r);
                }
                "plain-text" => {
                    let id = self.required(&e, "id")?;
                    let text = self.cur.text(&e)?;
                    if id == "release-info" {
                        b.release_info = Some(text.clone());
                    }
                    b.plain_texts.push(PlainText { id, text });
                }
                "platform" => {
                    let idref = self.required(&e, "idref")?;
                    b.platforms.push(idref);
                }
                "Profile" => {
                    let p = self.profile(&e)?;
                    b.profiles.push(p);
                }
                "Value" => {
                    let i = self.value(&e, None, &mut b)?;
                    b.children.push(ItemRef::Value(i));
                }
                "Group" => {
                    let i = self.group(&e, None, &mut b)?;
                    b.children.push(ItemRef::Group(i));
                }
                "Rule" => {
                    let i = self.rule(&e, None, &mut b)?;
                    b.children.push(ItemRef::Rule(i));
                }
                _ => {}
            }
        }
        Ok(b)
    }

    /// An embedded CPE dictionary: CPE 1.0 and 2.x `cpe-item`s have the same shape (a `name`, and
    /// `check`s whose text is the OVAL definition id), each list in its own namespace.
    fn cpe_list(&mut self, list: &Elem<'a>, dictionary: &mut CpeDictionary) -> Res<()> {
        while let Some(item) = self.cur.child(list)? {
            if !item.is(list.ns, "cpe-item") {
                continue;
            }
            let name = self.required(&item, "name")?;
            let location = self.loc(&item);
            let mut checks = Vec::new();
            while let Some(c) = self.cur.child(&item)? {
                if c.is(list.ns, "check") {
                    let system = self.opt(&c, "system")?.unwrap_or_default();
                    let href = self.opt(&c, "href")?.unwrap_or_default();
                    let definition = self.cur.text(&c)?;
                    let name = definition.trim().to_string();
                    checks.push(CpeCheck { system, href, name, base_dir: None });
                }
            }
            dictionary.add(&name, checks, Some(location));
        }
        Ok(())
    }

    fn profile(&mut self, e: &Elem<'a>) -> Res<Profile> {
        let location = self.loc(e);
        let mut p = Profile {
            id: self.required(e, "id")?,
            title: None,
            description: None,
            extends: self.opt(e, "extends")?,
            is_abstract: self.boolean(e, "abstract", false)?,
            platforms: Vec::new(),
            selects: Vec::new(),
            refine_values: Vec::new(),
            refine_rules: Vec::new(),
            set_values: Vec::new(),
            location,
        };
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) {
                continue;
            }
            match c.local {
                "title" => self.text_once(&mut p.title, &c)?,
                "description" => self.text_once(&mut p.description, &c)?,
                "platform" => {
                    let idref = self.required(&c, "idref")?;
                    p.platforms.push(idref);
                }
                "select" => {
                    let location = self.loc(&c);
                    let idref = self.required(&c, "idref")?;
                    let selected = match self.attr(&c, "selected")?.as_deref() {
                        Some("true" | "1") => true,
                        Some("false" | "0") => false,
                        None => {
                            self.errors.push(LoadError::MissingAttribute {
                                location: location.clone(),
                                element: c.qname.to_string(),
                                attribute: "selected",
                            });
                            true
                        }
                        Some(other) => {
                            let other = other.to_string();
                            self.invalid(&c, "selected", &other, "`true` or `false`");
                            true
                        }
                    };
                    p.selects.push(ProfileSelect { idref, selected, location });
                }
                "refine-value" => {
                    let location = self.loc(&c);
                    let idref = self.required(&c, "idref")?;
                    let selector = self.selector(&c)?;
                    let operator = match self.attr(&c, "operator")? {
                        None => None,
                        Some(raw) => {
                            let op = ValueOperator::parse(&raw);
                            if op.is_none() {
                                let raw = raw.into_owned();
                                self.invalid(&c, "operator", &raw, "an XCCDF value operator");
                            }
                            op
                        }
                    };
                    p.refine_values.push(RefineValue { idref, selector, operator, location });
                }
                "refine-rule" => {
                    let location = self.loc(&c);
                    let rr = RefineRule {
                        idref: self.required(&c, "idref")?,
                        severity: self.severity(&c)?,
                        weight: self.weight(&c)?,
                        role: self.role(&c)?,
                        selector: self.selector(&c)?,
                        location,
                    };
                    p.refine_rules.push(rr);
                }
                "set-value" => {
                    let location = self.loc(&c);
                    let idref = self.required(&c, "idref")?;
                    let value = self.cur.text(&c)?;
                    p.set_values.push(SetValue { idref, value, location });
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// Attributes and the child elements shared by Group and Rule. Returns `true` when the child
    /// was one of the shared ones (and consumed).
    fn common_child(&mut self, c: &Elem<'a>, common: &mut ItemCommon) -> Res<bool> {
        match c.local {
            "title" => self.text_once(&mut common.title, c)?,
            "description" => self.text_once(&mut common.description, c)?,
            "rationale" => self.text_once(&mut common.rationale, c)?,
            "warning" => {
                let category = self.opt(c, "category")?;
                let text = self.cur.content(c)?;
                common.warnings.push(Warning { category, text });
            }
            "reference" => {
                let r = self.reference(c)?;
                common.references.push(r);
            }
            "platform" => {
                let idref = self.required(c, "idref")?;
                common.platforms.push(idref);
            }
            "requires" => {
                let idref = self.required(c, "idref")?;
                common.requires.push(idref.split_whitespace().map(str::to_string).collect());
            }
            "conflicts" => {
                let idref = self.required(c, "idref")?;
                common.conflicts.push(idref);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn common(&mut self, e: &Elem<'a>, parent: Option<usize>) -> Res<ItemCommon> {
        let location = self.loc(e);
        Ok(ItemCommon {
            id: self.required(e, "id")?,
            title: None,
            description: None,
            rationale: None,
            warnings: Vec::new(),
            references: Vec::new(),
            selected: self.boolean(e, "selected", true)?,
            weight: self.weight(e)?.unwrap_or(1.0),
            hidden: self.boolean(e, "hidden", false)?,
            is_abstract: self.boolean(e, "abstract", false)?,
            cluster_id: self.opt(e, "cluster-id")?,
            extends: self.opt(e, "extends")?,
            platforms: Vec::new(),
            requires: Vec::new(),
            conflicts: Vec::new(),
            parent,
            location,
        })
    }

    fn group(&mut self, e: &Elem<'a>, parent: Option<usize>, b: &mut Benchmark) -> Res<usize> {
        let common = self.common(e, parent)?;
        let index = b.groups.len();
        b.groups.push(Group { common, children: Vec::new() });
        // Children are pushed to `b` as they come (document order), so the group is filled in
        // place rather than built on the side.
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) {
                continue;
            }
            let child = match c.local {
                "Group" => ItemRef::Group(self.group(&c, Some(index), b)?),
                "Rule" => ItemRef::Rule(self.rule(&c, Some(index), b)?),
                "Value" => ItemRef::Value(self.value(&c, Some(index), b)?),
                _ => {
                    let mut common = std::mem::replace(&mut b.groups[index].common, placeholder_common());
                    self.common_child(&c, &mut common)?;
                    b.groups[index].common = common;
                    continue;
                }
            };
            b.groups[index].children.push(child);
        }
        Ok(index)
    }

    fn rule(&mut self, e: &Elem<'a>, parent: Option<usize>, b: &mut Benchmark) -> Res<usize> {
        let common = self.common(e, parent)?;
        let mut r = Rule {
            common,
            version: None,
            severity: self.severity(e)?.unwrap_or_default(),
            role: self.role(e)?.unwrap_or_default(),
            multiple: self.boolean(e, "multiple", false)?,
            idents: Vec::new(),
            fixtexts: Vec::new(),
            fixes: Vec::new(),
            checks: Vec::new(),
            complex_check: None,
        };
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) || self.common_child(&c, &mut r.common)? {
                continue;
            }
            match c.local {
                "version" => r.version = Some(self.cur.text(&c)?),
                "ident" => {
                    let system = self.required(&c, "system")?;
                    let value = self.cur.text(&c)?;
                    r.idents.push(Ident { system, value });
                }
                "fixtext" => {
                    let fixref = self.opt(&c, "fixref")?;
                    let text = self.cur.content(&c)?;
                    r.fixtexts.push(FixText { fixref, text });
                }
                "fix" => {
                    let fix = Fix {
                        id: self.opt(&c, "id")?,
                        system: self.opt(&c, "system")?,
                        platform: self.opt(&c, "platform")?,
                        text: self.cur.content(&c)?,
                    };
                    r.fixes.push(fix);
                }
                "check" => {
                    let check = self.check(&c)?;
                    r.checks.push(check);
                }
                "complex-check" => {
                    let cc = self.complex_check(&c)?;
                    r.complex_check = Some(cc);
                }
                _ => {}
            }
        }
        b.rules.push(r);
        Ok(b.rules.len() - 1)
    }

    fn check(&mut self, e: &Elem<'a>) -> Res<Check> {
        let location = self.loc(e);
        let mut check = Check {
            system: self.required(e, "system")?,
            id: self.opt(e, "id")?,
            selector: self.selector(e)?,
            multi_check: self.boolean(e, "multi-check", false)?,
            negate: self.boolean(e, "negate", false)?,
            exports: Vec::new(),
            content_refs: Vec::new(),
            content: None,
            imports: Vec::new(),
            location,
        };
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) {
                continue;
            }
            match c.local {
                "check-export" => {
                    let location = self.loc(&c);
                    let value_id = self.required(&c, "value-id")?;
                    let export_name = self.required(&c, "export-name")?;
                    check.exports.push(CheckExport { value_id, export_name, location });
                }
                "check-content-ref" => {
                    let href = self.required(&c, "href")?;
                    let name = self.opt(&c, "name")?;
                    check.content_refs.push(CheckContentRef { href, name });
                }
                "check-content" => {
                    let content = self.cur.content(&c)?;
                    // Inline content may be markup (e.g. embedded OVAL); keep it raw then.
                    check.content = Some(content.markup.unwrap_or(content.text));
                }
                "check-import" => {
                    let import_name = self.required(&c, "import-name")?;
                    let xpath = self.opt(&c, "import-xpath")?;
                    check.imports.push(CheckImport { import_name, xpath });
                }
                _ => {}
            }
        }
        Ok(check)
    }

    fn complex_check(&mut self, e: &Elem<'a>) -> Res<ComplexCheck> {
        let location = self.loc(e);
        let operator = match self.attr(e, "operator")?.as_deref() {
            Some("AND") => CheckOperator::And,
            Some("OR") => CheckOperator::Or,
            None => {
                self.errors.push(LoadError::MissingAttribute {
                    location: location.clone(),
                    element: e.qname.to_string(),
                    attribute: "operator",
                });
                CheckOperator::And
            }
            Some(other) => {
                let other = other.to_string();
                self.invalid(e, "operator", &other, "`AND` or `OR`");
                CheckOperator::And
            }
        };
        let negate = self.boolean(e, "negate", false)?;
        let mut children = Vec::new();
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) {
                continue;
            }
            match c.local {
                "check" => children.push(CheckNode::Check(self.check(&c)?)),
                "complex-check" => children.push(CheckNode::Complex(self.complex_check(&c)?)),
                _ => {}
            }
        }
        Ok(ComplexCheck { operator, negate, children, location })
    }

    fn value(&mut self, e: &Elem<'a>, parent: Option<usize>, b: &mut Benchmark) -> Res<usize> {
        let location = self.loc(e);
        let value_type = match self.attr(e, "type")?.as_deref() {
            None | Some("string") => ValueType::String,
            Some("number") => ValueType::Number,
            Some("boolean") => ValueType::Boolean,
            Some(other) => {
                let other = other.to_string();
                self.invalid(e, "type", &other, "`string`, `number` or `boolean`");
                ValueType::String
            }
        };
        let operator = match self.attr(e, "operator")? {
            None => ValueOperator::Equals,
            Some(raw) => ValueOperator::parse(&raw).unwrap_or_else(|| {
                let raw = raw.into_owned();
                self.invalid(e, "operator", &raw, "an XCCDF value operator");
                ValueOperator::Equals
            }),
        };
        let mut v = Value {
            id: self.required(e, "id")?,
            value_type,
            operator,
            interactive: self.boolean(e, "interactive", false)?,
            hidden: self.boolean(e, "hidden", false)?,
            title: None,
            description: None,
            values: Vec::new(),
            defaults: Vec::new(),
            lower_bounds: Vec::new(),
            upper_bounds: Vec::new(),
            choices: Vec::new(),
            parent,
            location,
        };
        while let Some(c) = self.cur.child(e)? {
            if !self.is_x(&c) {
                continue;
            }
            match c.local {
                "title" => self.text_once(&mut v.title, &c)?,
                "description" => self.text_once(&mut v.description, &c)?,
                "value" | "default" | "lower-bound" | "upper-bound" => {
                    let selector = self.selector(&c)?;
                    let value = self.cur.text(&c)?;
                    let entry = Selected { selector, value };
                    match c.local {
                        "value" => v.values.push(entry),
                        "default" => v.defaults.push(entry),
                        "lower-bound" => v.lower_bounds.push(entry),
                        _ => v.upper_bounds.push(entry),
                    }
                }
                "choices" => {
                    let selector = self.selector(&c)?;
                    let must_match = self.boolean(&c, "mustMatch", false)?;
                    let mut choices = Vec::new();
                    while let Some(choice) = self.cur.child(&c)? {
                        if self.is_x(&choice) && choice.local == "choice" {
                            choices.push(self.cur.text(&choice)?);
                        }
                    }
                    v.choices.push(Choices { selector, must_match, choices });
                }
                _ => {}
            }
        }
        b.values.push(v);
        Ok(b.values.len() - 1)
    }
}

fn placeholder_common() -> ItemCommon {
    ItemCommon {
        id: String::new(),
        title: None,
        description: None,
        rationale: None,
        warnings: Vec::new(),
        references: Vec::new(),
        selected: true,
        weight: 1.0,
        hidden: false,
        is_abstract: false,
        cluster_id: None,
        extends: None,
        platforms: Vec::new(),
        requires: Vec::new(),
        conflicts: Vec::new(),
        parent: None,
        location: Location::unknown(),
    }
}

/// Index the benchmark, then report duplicate ids and every idref that names nothing.
fn check_references(b: &mut Benchmark, errors: &mut Vec<LoadError>) {
    for (id, first, location) in b.build_index() {
        errors.push(LoadError::DuplicateId { location, id, first });
    }
    let clusters: HashSet<&str> = b
        .groups
        .iter()
        .map(|g| &g.common)
        .chain(b.rules.iter().map(|r| &r.common))
        .filter_map(|c| c.cluster_id.as_deref())
        .collect();
    let is_selectable =
        |id: &str| matches!(b.item(id), Some(ItemRef::Group(_) | ItemRef::Rule(_))) || clusters.contains(id);
    let is_value = |id: &str| matches!(b.item(id), Some(ItemRef::Value(_)));
    let mut dangling = |location: &Location, reference, target, idref: &str| {
        errors.push(LoadError::DanglingRef {
            location: location.clone(),
            reference,
            target,
            idref: idref.to_string(),
        });
    };
    for p in &b.profiles {
        if let Some(ext) = &p.extends
            && b.profile(ext).is_none()
        {
            dangling(&p.location, "profile extends", "profile", ext);
        }
        for s in &p.selects {
            if !is_selectable(&s.idref) {
                dangling(&s.location, "profile select", "rule or group", &s.idref);
            }
        }
        for r in &p.refine_rules {
            if !is_selectable(&r.idref) {
                dangling(&r.location, "profile refine-rule", "rule or group", &r.idref);
            }
        }
        for r in &p.refine_values {
            if !is_value(&r.idref) {
                dangling(&r.location, "profile refine-value", "value", &r.idref);
            }
        }
        for s in &p.set_values {
            if !is_value(&s.idref) {
                dangling(&s.location, "profile set-value", "value", &s.idref);
            }
        }
    }
    for rule in &b.rules {
        let mut visit = |check: &Check| {
            for export in &check.exports {
                if !is_value(&export.value_id) {
                    dangling(&export.location, "check-export", "value", &export.value_id);
                }
            }
        };
        rule.checks.iter().for_each(&mut visit);
        if let Some(cc) = &rule.complex_check {
            walk_complex(cc, &mut visit);
        }
    }
}

fn walk_complex(cc: &ComplexCheck, visit: &mut impl FnMut(&Check)) {
    for child in &cc.children {
        match child {
            CheckNode::Check(c) => visit(c),
            CheckNode::Complex(inner) => walk_complex(inner, visit),
        }
    }
}

const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";
/// The CPE 1.0 list XCCDF 1.1.3/1.1.4 may embed (deprecated there, gone in 1.2).
const NS_CPE_10: &str = "http://cpe.mitre.org/XMLSchema/cpe/1.0";
const NS_CPE_DICT_20: &str = "http://cpe.mitre.org/dictionary/2.0";

/// Give a `platform-specification` fragment its own `cpe-lang` namespace declaration.
fn redeclare_cpe_lang(xml: &str, prefix: &str) -> String {
    let attribute = if prefix.is_empty() { "xmlns".to_string() } else { format!("xmlns:{prefix}") };
    // Declared on the element itself already: a second declaration would make it unparsable.
    let start_tag = &xml[..xml.find('>').unwrap_or(xml.len())];
    let declared = start_tag
        .split(|c: char| c.is_whitespace())
        .any(|a| a.split_once('=').is_some_and(|(name, _)| name == attribute));
    if declared {
        return xml.to_string();
    }
    let name_end = xml.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(xml.len());
    format!("{} {attribute}=\"{NS_CPE_LANG}\"{}", &xml[..name_end], &xml[name_end..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn platform_specification_fragment_declares_its_namespace_once() {
        for (xml, prefix) in [
            (
                "<cpe-lang:platform-specification><cpe-lang:platform id=\"a\"/></cpe-lang:platform-specification>",
                "cpe-lang",
            ),
            (
                "<c:platform-specification xmlns:c=\"http://cpe.mitre.org/language/2.0\"><c:platform id=\"a\"/></c:platform-specification>",
                "c",
            ),
            ("<platform-specification xmlns=\"http://cpe.mitre.org/language/2.0\"/>", ""),
        ] {
            let fragment = redeclare_cpe_lang(xml, prefix);
            let doc = roxmltree::Document::parse(&fragment).unwrap_or_else(|e| panic!("{fragment}: {e}"));
            assert_eq!(doc.root_element().tag_name().namespace(), Some(NS_CPE_LANG), "{fragment}");
        }
    }

    #[test]
    fn embedded_cpe_lists_of_both_versions_are_read() {
        for (version, ns) in [("1.1", NS_CPE_10), ("1.2", NS_CPE_DICT_20)] {
            let src = format!(
                r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/{version}" xmlns:c="{ns}" id="b">
                  <status>draft</status>
                  <c:cpe-list>
                    <c:cpe-item name="cpe:/o:a"><c:title>a</c:title>
                      <c:check system="s" href="a.xml"> oval:a:def:1 </c:check></c:cpe-item>
                    <c:cpe-item name="cpe:/o:b"><c:title>b, no check</c:title></c:cpe-item>
                  </c:cpe-list>
                  <version>1</version>
                </Benchmark>"#
            );
            let b = load(&src).unwrap();
            let check = CpeCheck {
                system: "s".into(),
                href: "a.xml".into(),
                name: "oval:a:def:1".into(),
                base_dir: None,
            };
            assert_eq!(b.cpe_dictionary.items["cpe:/o:a"], vec![check], "{version}");
            assert!(b.cpe_dictionary.items["cpe:/o:b"].is_empty(), "{version}");
            assert_eq!(b.cpe_dictionary.locations["cpe:/o:b"].line, 6, "{version}");
        }
    }

    fn load(src: &str) -> Result<Benchmark, LoadError> {
        let mut cur = Cursor::new(src, Arc::from("b.xml"));
        let root = cur.root()?;
        parse_benchmark(&mut cur, &root)
    }

    const SMALL_12: &str = r#"<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" xmlns:h="http://www.w3.org/1999/xhtml" id="xccdf_t_benchmark_b" resolved="1">
  <status date="2024-01-02">draft</status>
  <title>T</title>
  <platform idref="cpe:/o:x"/>
  <version>3</version>
  <Profile id="xccdf_t_profile_p">
    <title>P</title>
    <select idref="xccdf_t_rule_r" selected="true"/>
    <refine-value idref="xccdf_t_value_v" selector="ten"/>
    <refine-rule idref="xccdf_t_rule_r" severity="high" weight="2"/>
    <set-value idref="xccdf_t_value_v">7</set-value>
  </Profile>
  <Value id="xccdf_t_value_v" type="number"><value>5</value><value selector="ten">10</value></Value>
  <Group id="xccdf_t_group_g">
    <Rule id="xccdf_t_rule_r" severity="low">
      <title>R</title>
      <description>Use <h:code>x &amp; y</h:code><h:br/>now</description>
      <ident system="urn:s">I-1</ident>
      <complex-check operator="OR" negate="true">
        <check system="urn:oval"><check-export value-id="xccdf_t_value_v" export-name="oval:v:var:1"/><check-content-ref href="o.xml" name="oval:d:def:1"/></check>
        <check system="urn:ocil"/>
      </complex-check>
    </Rule>
  </Group>
</Benchmark>"#;

    #[test]
    fn parses_a_small_12_benchmark() {
        let b = load(SMALL_12).unwrap();
        assert_eq!(b.xccdf_version, XccdfVersion::V1_2);
        assert!(b.resolved);
        assert_eq!(b.statuses[0].date.as_deref(), Some("2024-01-02"));
        assert_eq!(b.platforms, vec!["cpe:/o:x"]);
        assert_eq!(b.profiles[0].refine_rules[0].severity, Some(Severity::High));
        assert_eq!(b.profiles[0].set_values[0].value, "7");
        let r = b.rule("xccdf_t_rule_r").unwrap();
        assert_eq!(r.severity, Severity::Low);
        let d = r.common.description.as_ref().unwrap();
        assert_eq!(d.text, "Use x & y\nnow");
        assert_eq!(d.markup.as_deref(), Some("Use <h:code>x &amp; y</h:code><h:br/>now"));
        let cc = r.complex_check.as_ref().unwrap();
        assert_eq!(cc.operator, CheckOperator::Or);
        assert!(cc.negate);
        assert_eq!(cc.children.len(), 2);
        assert_eq!(b.parent_group(r).unwrap().common.id, "xccdf_t_group_g");
        assert_eq!(r.common.location.line, 16);
        assert_eq!(b.value("xccdf_t_value_v").unwrap().value_for(Some("ten")), Some("10"));
    }

    #[test]
    fn all_dangling_references_are_reported_with_locations() {
        let src = SMALL_12
            .replace(r#"<select idref="xccdf_t_rule_r""#, r#"<select idref="xccdf_t_rule_missing""#)
            .replace(r#"<refine-value idref="xccdf_t_value_v""#, r#"<refine-value idref="nope""#)
            .replace(r#"value-id="xccdf_t_value_v""#, r#"value-id="gone""#)
            .replace(
                r#"<Profile id="xccdf_t_profile_p">"#,
                r#"<Profile id="xccdf_t_profile_p" extends="base">"#,
            );
        let err = load(&src).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.errors().len(), 4, "{msg}");
        assert!(
            msg.contains("b.xml:9:5: profile select refers to unknown rule or group `xccdf_t_rule_missing`"),
            "{msg}"
        );
        assert!(msg.contains("b.xml:10:5: profile refine-value refers to unknown value `nope`"), "{msg}");
        assert!(msg.contains("b.xml:7:3: profile extends refers to unknown profile `base`"), "{msg}");
        assert!(msg.contains("check-export refers to unknown value `gone`"), "{msg}");
    }

    #[test]
    fn wrong_namespace_names_found_and_expected() {
        let err = load(r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.3" id="b"/>"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("b.xml:1:1: root element `Benchmark`"), "{msg}");
        assert!(msg.contains("http://checklists.nist.gov/xccdf/1.3"), "{msg}");
        assert!(msg.contains("http://checklists.nist.gov/xccdf/1.2"), "{msg}");
    }

    #[test]
    fn bad_attributes_are_collected_with_syntax_error_last() {
        let src = SMALL_12.replace(r#"severity="low""#, r#"severity="urgent""#).replace("</Group>", "");
        let err = load(&src).unwrap_err();
        let errors = err.errors();
        assert_eq!(errors.len(), 2, "{err}");
        assert!(errors[0].to_string().contains("`urgent`"));
        assert!(matches!(errors[1], LoadError::Syntax { .. }));
    }

    #[test]
    fn truncated_benchmark_is_an_error_not_a_panic() {
        for cut in (0..SMALL_12.len()).step_by(7) {
            let Some(prefix) = SMALL_12.get(..cut) else { continue };
            assert!(load(prefix).is_err(), "cut at {cut} loaded");
        }
    }
}
