//! Variable values: constant, external (handed in by the caller) and local (components and
//! functions). Every value set carries a flag (complete / incomplete / error / does not exist)
//! that objects and tests turn into their own flag or result.

use std::sync::Arc;

use crate::model::oval::{
    ArithmeticOperation, Component, Datatype, ItemStatus, ItemValue, PossibleRestriction, VariableKind,
};
use crate::semantics::CollectedFlag;
use crate::semantics::OvalResult;
use crate::semantics::oval_result::combine;

use super::objects::collect_object;
use super::session::{ResolutionStack, Session, VarValues};
use super::states::to_result;
use super::timefmt::parse_time;
use crate::diag::{Code, Diagnostic, Subject};
use crate::semantics::compare::{compare, parse_float, parse_int};
use crate::semantics::regex::OvalRegex;

/// The values of variable `id` (cached per run).
pub fn variable_values(session: &Session<'_>, id: &str, stack: &mut ResolutionStack) -> Arc<VarValues> {
    if let Some(cached) = session.cached_variable(id) {
        return cached;
    }
    if let Err(why) = stack.enter(id) {
        return Arc::new(VarValues::error(why));
    }
    let values = compute_variable(session, id, stack);
    stack.leave();
    session.cache_variable(id, values)
}

fn compute_variable(session: &Session<'_>, id: &str, stack: &mut ResolutionStack) -> VarValues {
    let Some(variable) = session.defs.variables.get(id) else {
        return VarValues::error(format!("variable `{id}` is not defined"));
    };
    match &variable.kind {
        VariableKind::Constant(values) => VarValues::complete(values.clone()),
        VariableKind::External { possible_values, possible_restrictions } => match session.external.get(id) {
            Some(values) => {
                // Values outside the declared possibilities are dropped (OpenSCAP then reports the
                // variable as having no values).
                let (allowed, rejected): (Vec<String>, Vec<String>) = values
                    .iter()
                    .cloned()
                    .partition(|v| is_possible(variable.datatype, v, possible_values, possible_restrictions));
                let mut result = VarValues::complete(allowed);
                result.messages.extend(rejected.iter().map(|v| {
                    Diagnostic::new(
                        Code::Variable,
                        format!("value `{v}` of external variable `{id}` is not one of its possible values"),
                    )
                }));
                result
            }
            None => VarValues::error(format!("external variable `{id}` has no value")),
        },
        VariableKind::Local(component) => {
            let mut values = component_values(session, component, stack);
            if values.flag == CollectedFlag::Complete && values.values.is_empty() {
                values.flag = CollectedFlag::DoesNotExist;
            }
            if values.flag == CollectedFlag::Error {
                // Say where: the innermost failing variable is the one to fix.
                let already =
                    values.messages.iter().any(|m| m.code == Code::Variable && m.location.is_some());
                if !already {
                    let here = Diagnostic::new(
                        Code::Variable,
                        format!("in local variable `{id}` ({})", variable.location),
                    )
                    .at(variable.location.clone())
                    .about(Subject::Oval { id: id.to_string() });
                    values.messages.insert(0, here);
                }
            }
            values
        }
    }
}

/// Does an external value satisfy the variable's `possible_value`s or `possible_restriction`s?
/// With neither declared, anything goes.
fn is_possible(
    datatype: Datatype,
    value: &str,
    possible_values: &[String],
    possible_restrictions: &[PossibleRestriction],
) -> bool {
    if possible_values.is_empty() && possible_restrictions.is_empty() {
        return true;
    }
    possible_values.iter().any(|p| p == value)
        || possible_restrictions.iter().any(|r| {
            let results: Vec<OvalResult> = r
                .restrictions
                .iter()
                .map(|(operation, expected)| {
                    to_result(compare(datatype, *operation, expected, value), &mut Vec::new())
                })
                .collect();
            combine(r.operator, &results) == OvalResult::True
        })
}

/// Worst flag first: an error anywhere is an error, then not collected, does not exist, incomplete.
fn merge_flags(flags: impl IntoIterator<Item = CollectedFlag>) -> CollectedFlag {
    let rank = |f: CollectedFlag| match f {
        CollectedFlag::Error => 5,
        CollectedFlag::NotCollected => 4,
        CollectedFlag::NotApplicable => 3,
        CollectedFlag::DoesNotExist => 2,
        CollectedFlag::Incomplete => 1,
        CollectedFlag::Complete => 0,
    };
    flags.into_iter().max_by_key(|f| rank(*f)).unwrap_or(CollectedFlag::Complete)
}

/// Evaluate every argument; the merged flag and messages of all of them.
fn evaluate_args(
    session: &Session<'_>,
    args: &[Component],
    stack: &mut ResolutionStack,
) -> (Vec<Vec<String>>, CollectedFlag, Vec<Diagnostic>) {
    let mut all = Vec::with_capacity(args.len());
    let mut flags = Vec::with_capacity(args.len());
    let mut messages = Vec::new();
    for arg in args {
        let v = component_values(session, arg, stack);
        flags.push(v.flag);
        messages.extend(v.messages);
        all.push(v.values);
    }
    (all, merge_flags(flags), messages)
}

/// Apply `f` to each value of one argument.
fn map_values(
    session: &Session<'_>,
    arg: &Component,
    stack: &mut ResolutionStack,
    mut f: impl FnMut(&str) -> Result<Vec<String>, String>,
) -> VarValues {
    let input = component_values(session, arg, stack);
    if input.flag == CollectedFlag::Error {
        return input;
    }
    let mut out = Vec::new();
    for v in &input.values {
        match f(v) {
            Ok(mapped) => out.extend(mapped),
            Err(message) => return VarValues::error(message),
        }
    }
    VarValues { flag: input.flag, values: out, messages: input.messages }
}

/// How many values one variable may hold. Concatenating a few multi-valued variables multiplies
/// their counts; a 2 KB document can ask for 10^20 values, so the product is checked first.
pub const MAX_VARIABLE_VALUES: usize = 100_000;

/// Every combination of one value from each list, in order (first list varies slowest); an error
/// when there would be more than [`MAX_VARIABLE_VALUES`].
fn cartesian(lists: &[Vec<String>]) -> Result<Vec<Vec<&str>>, Diagnostic> {
    let count = lists.iter().try_fold(1usize, |n, l| n.checked_mul(l.len()));
    let max = crate::limits::get().values_per_variable.min(MAX_VARIABLE_VALUES);
    if count.is_none_or(|n| n > max) {
        let sizes: Vec<String> = lists.iter().map(|l| l.len().to_string()).collect();
        return Err(Diagnostic::new(
            Code::Limit,
            format!(
                "combining values of {} lists ({}) gives more than {max} values (limit `values-per-variable`); not computed",
                lists.len(),
                sizes.join(" × ")
            ),
        ));
    }
    let mut combos: Vec<Vec<&str>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::with_capacity(combos.len() * list.len());
        for combo in &combos {
            for v in list {
                let mut c = combo.clone();
                c.push(v.as_str());
                next.push(c);
            }
        }
        combos = next;
    }
    Ok(combos)
}

pub fn component_values(
    session: &Session<'_>,
    component: &Component,
    stack: &mut ResolutionStack,
) -> VarValues {
    match component {
        Component::Literal { value, .. } => VarValues::complete(vec![value.clone()]),
        Component::VariableComponent { var_ref } => {
            let v = variable_values(session, var_ref, stack);
            (*v).clone()
        }
        Component::ObjectComponent { object_ref, item_field, record_field } => {
            object_component(session, object_ref, item_field, record_field.as_deref(), stack)
        }
        Component::Concat(args) => {
            let (lists, flag, messages) = evaluate_args(session, args, stack);
            if flag == CollectedFlag::Error {
                return VarValues { flag, values: Vec::new(), messages };
            }
            match cartesian(&lists) {
                Ok(combos) => VarValues {
                    flag,
                    values: combos.into_iter().map(|parts| parts.concat()).collect(),
                    messages,
                },
                Err(why) => VarValues::error(why),
            }
        }
        Component::Arithmetic { operation, args } => {
            let (lists, flag, messages) = evaluate_args(session, args, stack);
            if flag == CollectedFlag::Error {
                return VarValues { flag, values: Vec::new(), messages };
            }
            let combos = match cartesian(&lists) {
                Ok(combos) => combos,
                Err(why) => return VarValues::error(why),
            };
            let mut values = Vec::new();
            for combo in combos {
                match arithmetic(*operation, &combo) {
                    Ok(v) => values.push(v),
                    Err(message) => return VarValues::error(message),
                }
            }
            VarValues { flag, values, messages }
        }
        Component::Count(args) => {
            let (lists, flag, messages) = evaluate_args(session, args, stack);
            if flag == CollectedFlag::Error {
                return VarValues { flag, values: Vec::new(), messages };
            }
            let count: usize = lists.iter().map(Vec::len).sum();
            // A count is known even when nothing was found: zero.
            let flag = if flag == CollectedFlag::DoesNotExist { CollectedFlag::Complete } else { flag };
            VarValues { flag, values: vec![count.to_string()], messages }
        }
        Component::Unique(args) => {
            let (lists, flag, messages) = evaluate_args(session, args, stack);
            let mut values: Vec<String> = Vec::new();
            for v in lists.into_iter().flatten() {
                if !values.contains(&v) {
                    values.push(v);
                }
            }
            VarValues { flag, values, messages }
        }
        Component::Substring { start, length, arg } => map_values(session, arg, stack, |v| {
            substring(v, *start, *length)
                .map(|s| vec![s])
                .ok_or_else(|| format!("substring start {start} is past the end of `{v}`"))
        }),
        Component::Begin { character, arg } => map_values(session, arg, stack, |v| {
            Ok(vec![if v.starts_with(character.as_str()) {
                v.to_string()
            } else {
                format!("{character}{v}")
            }])
        }),
        Component::End { character, arg } => map_values(session, arg, stack, |v| {
            Ok(vec![if v.ends_with(character.as_str()) { v.to_string() } else { format!("{v}{character}") }])
        }),
        Component::Split { delimiter, arg } => map_values(session, arg, stack, |v| {
            Ok(if delimiter.is_empty() {
                vec![v.to_string()]
            } else {
                v.split(delimiter.as_str()).map(str::to_string).collect()
            })
        }),
        Component::EscapeRegex(arg) => map_values(session, arg, stack, |v| Ok(vec![escape_regex(v)])),
        Component::GlobToRegex { glob_noescape, arg } => {
            map_values(session, arg, stack, |v| Ok(vec![glob_to_regex(v, *glob_noescape)?]))
        }
        Component::RegexCapture { pattern, arg } => {
            let regex = match OvalRegex::new(pattern) {
                Ok(r) => r,
                Err(e) => return VarValues::error(e.to_string()),
            };
            map_values(session, arg, stack, |v| {
                let matches = regex.captures_all(v).map_err(|e| e.to_string())?;
                // The first group of the first match; no match gives an empty string (as oscap).
                let first =
                    matches.into_iter().next().and_then(|(_, groups)| groups.into_iter().next().flatten());
                Ok(vec![first.unwrap_or_default()])
            })
        }
        Component::TimeDifference { format_1, format_2, args } => {
            time_difference(session, format_1, format_2, args, stack)
        }
    }
}

fn object_component(
    session: &Session<'_>,
    object_ref: &str,
    item_field: &str,
    record_field: Option<&str>,
    stack: &mut ResolutionStack,
) -> VarValues {
    let outcome = collect_object(session, object_ref, stack);
    match outcome.flag {
        CollectedFlag::Complete | CollectedFlag::Incomplete => {}
        CollectedFlag::DoesNotExist => {
            return VarValues { flag: CollectedFlag::DoesNotExist, values: Vec::new(), messages: Vec::new() };
        }
        flag => {
            let mut messages = vec![Diagnostic::new(
                Code::Variable,
                format!("object `{object_ref}` was not collected completely"),
            )];
            messages.extend(outcome.messages.iter().cloned());
            return VarValues { flag, values: Vec::new(), messages };
        }
    }
    let mut values = Vec::new();
    for item in outcome.items.iter().filter(|i| i.status == ItemStatus::Exists) {
        for field in item.fields_named(item_field).filter(|f| f.status == ItemStatus::Exists) {
            match (&field.value, record_field) {
                (ItemValue::Text(t), None) => values.push(t.clone()),
                (ItemValue::Record(sub), Some(name)) => {
                    for s in sub.iter().filter(|s| s.name == name) {
                        if let ItemValue::Text(t) = &s.value {
                            values.push(t.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let flag = if values.is_empty() { CollectedFlag::DoesNotExist } else { outcome.flag };
    VarValues { flag, values, messages: Vec::new() }
}

/// Integer arithmetic when every operand is an integer (and a division is exact), float
/// otherwise. `subtract` and `divide` fold left from the first operand.
fn arithmetic(operation: ArithmeticOperation, operands: &[&str]) -> Result<String, String> {
    let Some((first, rest)) = operands.split_first() else {
        return Err("arithmetic needs at least one component".into());
    };
    let ints: Option<Vec<i64>> = operands.iter().map(|v| parse_int(v).ok()).collect();
    if let Some(ints) = ints {
        let mut acc = ints[0];
        let mut exact = true;
        for &n in &ints[1..] {
            let next = match operation {
                ArithmeticOperation::Add => acc.checked_add(n),
                ArithmeticOperation::Subtract => acc.checked_sub(n),
                ArithmeticOperation::Multiply => acc.checked_mul(n),
                ArithmeticOperation::Divide => {
                    if n == 0 {
                        return Err(format!("division by zero in `{}`", operands.join("`, `")));
                    }
                    if acc.checked_rem(n) != Some(0) {
                        exact = false;
                        break;
                    }
                    acc.checked_div(n)
                }
            };
            acc = next.ok_or_else(|| format!("arithmetic overflow on `{}`", operands.join("`, `")))?;
        }
        if exact {
            return Ok(acc.to_string());
        }
    }
    let mut acc = parse_float(first).map_err(|e| e.to_string())?;
    for v in rest {
        let n = parse_float(v).map_err(|e| e.to_string())?;
        match operation {
            ArithmeticOperation::Add => acc += n,
            ArithmeticOperation::Subtract => acc -= n,
            ArithmeticOperation::Multiply => acc *= n,
            ArithmeticOperation::Divide if n == 0.0 => {
                return Err(format!("division by zero in `{}`", operands.join("`, `")));
            }
            ArithmeticOperation::Divide => acc /= n,
        }
    }
    Ok(acc.to_string())
}

/// 1-based `start` (values below 1 count as 1), `length` < 0 = to the end; a start past the
/// last character is an error (`None`), as the spec and OpenSCAP have it. Counted in characters.
pub fn substring(value: &str, start: i64, length: i64) -> Option<String> {
    let skip = usize::try_from(start.max(1) - 1).ok()?;
    if skip >= value.chars().count() {
        return None;
    }
    let rest = value.chars().skip(skip);
    Some(if length < 0 { rest.collect() } else { rest.take(length as usize).collect() })
}

/// Escape every PCRE metacharacter so the value matches itself literally.
pub fn escape_regex(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        if "\\^$.[]|()?*+{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A shell glob as an anchored regular expression, with OpenSCAP's reading of glob(7):
/// `*` and `?` never match `/`, and at the start of a path component they never match a
/// leading `.`; `[!…]` is a negated class; `\` escapes `?`, `*`, `[`, `]` and is an ordinary
/// character before anything else (always, with `glob_noescape`). An unclosed `[` is an error.
pub fn glob_to_regex(glob: &str, noescape: bool) -> Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let component_start = i == 0 || chars[i - 1] == '/';
        match chars[i] {
            '*' if component_start => out.push_str("(?=[^.])[^/]*"),
            '*' => out.push_str("[^/]*"),
            '?' if component_start => out.push_str("[^./]"),
            '?' => out.push_str("[^/]"),
            '\\' if noescape => out.push_str("\\\\"),
            '\\' => match chars.get(i + 1) {
                Some(&c @ ('?' | '*' | '[' | ']')) => {
                    out.push('\\');
                    out.push(c);
                    i += 1;
                }
                // A backslash before anything else is itself a literal character.
                _ => out.push_str("\\\\"),
            },
            '[' => {
                out.push('[');
                let mut j = i + 1;
                match chars.get(j) {
                    None => return Err(format!("glob `{glob}` has an unclosed `[`")),
                    Some('!') => out.push('^'),
                    Some(&c) => out.push(c),
                }
                j += 1;
                loop {
                    match chars.get(j) {
                        None => return Err(format!("glob `{glob}` has an unclosed `[`")),
                        Some(']') => break,
                        Some('\\') if noescape => out.push_str("\\\\"),
                        Some(&c) => out.push(c),
                    }
                    j += 1;
                }
                out.push(']');
                i = j;
            }
            c @ ('.' | '|' | '^' | '(' | ')' | '{' | '}' | '+' | '$') => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        i += 1;
    }
    out.push('$');
    Ok(out)
}

fn difference(a: i64, b: i64) -> Result<String, String> {
    a.checked_sub(b).map(|d| d.to_string()).ok_or_else(|| format!("time difference of {a} and {b} overflows"))
}

fn time_difference(
    session: &Session<'_>,
    format_1: &str,
    format_2: &str,
    args: &[Component],
    stack: &mut ResolutionStack,
) -> VarValues {
    let (lists, flag, messages) = evaluate_args(session, args, stack);
    if flag == CollectedFlag::Error {
        return VarValues { flag, values: Vec::new(), messages };
    }
    let parse = |format: &str, v: &str| {
        parse_time(format, v).ok_or_else(|| format!("`{v}` is not a date-time in format {format}"))
    };
    let mut values = Vec::new();
    match lists.as_slice() {
        // One argument: seconds from that time until now. Its format is `format_2`, the current
        // time being the implied first input (OVAL 5.11.2 TimeDifferenceFunctionType).
        [only] => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            for v in only {
                match parse(format_2, v).and_then(|t| difference(now, t)) {
                    Ok(d) => values.push(d),
                    Err(m) => return VarValues::error(m),
                }
            }
        }
        [first, second] => {
            let pair = [first.clone(), second.clone()];
            let combos = match cartesian(&pair) {
                Ok(combos) => combos,
                Err(why) => return VarValues::error(why),
            };
            for combo in combos {
                match parse(format_1, combo[0]).and_then(|a| difference(a, parse(format_2, combo[1])?)) {
                    Ok(d) => values.push(d),
                    Err(m) => return VarValues::error(m),
                }
            }
        }
        _ => return VarValues::error(format!("time_difference takes 1 or 2 components, got {}", args.len())),
    }
    VarValues { flag, values, messages }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::testutil::*;
    use crate::model::oval::Operation;

    fn lit(v: &str) -> Component {
        Component::Literal { datatype: Datatype::String, value: v.into() }
    }

    fn var(id: &str) -> Component {
        Component::VariableComponent { var_ref: id.into() }
    }

    /// Values of a local variable built from `component`, next to constants c1 = [a, b], c2 = [1, 2].
    fn eval_local(component: Component) -> VarValues {
        let mut b = DefsBuilder::new();
        b.constant("c1", &["a", "b"]);
        b.constant("c2", &["1", "2"]);
        b.constant("empty", &[]);
        b.local("v", component);
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = crate::probes::Registry::with(Vec::new());
        let session = Session::new(&b.defs, &root, &external, &probes);
        (*variable_values(&session, "v", &mut ResolutionStack::default())).clone()
    }

    fn values(v: &VarValues) -> Vec<&str> {
        v.values.iter().map(String::as_str).collect()
    }

    #[test]
    fn concat_is_a_cartesian_product() {
        let v = eval_local(Component::Concat(vec![var("c1"), lit("-"), var("c2")]));
        assert_eq!(values(&v), ["a-1", "a-2", "b-1", "b-2"]);
        assert_eq!(v.flag, CollectedFlag::Complete);
        let v = eval_local(Component::Concat(vec![var("c1"), var("empty")]));
        assert_eq!(v.flag, CollectedFlag::DoesNotExist);
        assert!(v.values.is_empty());
    }

    #[test]
    fn count_and_unique() {
        let v = eval_local(Component::Count(vec![var("c1"), var("c2"), lit("a")]));
        assert_eq!(values(&v), ["5"]);
        let v = eval_local(Component::Count(vec![var("empty")]));
        assert_eq!(values(&v), ["0"]);
        assert_eq!(v.flag, CollectedFlag::Complete);
        let v = eval_local(Component::Unique(vec![var("c1"), lit("a"), lit("c"), var("c1")]));
        assert_eq!(values(&v), ["a", "b", "c"]);
    }

    #[test]
    fn substring_edges() {
        let sub =
            |s, l| eval_local(Component::Substring { start: s, length: l, arg: Box::new(lit("abcdef")) });
        assert_eq!(values(&sub(2, 3)), ["bcd"]);
        assert_eq!(values(&sub(1, -1)), ["abcdef"]);
        assert_eq!(values(&sub(3, -1)), ["cdef"]);
        assert_eq!(values(&sub(0, 2)), ["ab"]);
        assert_eq!(values(&sub(5, 10)), ["ef"]);
        assert_eq!(sub(7, 2).flag, CollectedFlag::Error);
        assert_eq!(values(&sub(6, 2)), ["f"]);
        assert_eq!(values(&sub(-3, 2)), ["ab"]);
        assert_eq!(substring("héllo", 2, 2).as_deref(), Some("él"));
    }

    #[test]
    fn arithmetic_int_and_float() {
        let add = eval_local(Component::Arithmetic {
            operation: ArithmeticOperation::Add,
            args: vec![var("c2"), lit("10")],
        });
        assert_eq!(values(&add), ["11", "12"]);
        let mul = eval_local(Component::Arithmetic {
            operation: ArithmeticOperation::Multiply,
            args: vec![var("c2"), lit("1.5")],
        });
        assert_eq!(values(&mul), ["1.5", "3"]);
        let bad = eval_local(Component::Arithmetic {
            operation: ArithmeticOperation::Add,
            args: vec![var("c1"), lit("1")],
        });
        assert_eq!(bad.flag, CollectedFlag::Error);
        let overflow = eval_local(Component::Arithmetic {
            operation: ArithmeticOperation::Multiply,
            args: vec![lit("9223372036854775807"), lit("2")],
        });
        assert_eq!(overflow.flag, CollectedFlag::Error);
        let arith = |operation, args: &[&str]| {
            eval_local(Component::Arithmetic { operation, args: args.iter().map(|a| lit(a)).collect() })
        };
        assert_eq!(values(&arith(ArithmeticOperation::Subtract, &["10", "3", "2"])), ["5"]);
        assert_eq!(values(&arith(ArithmeticOperation::Divide, &["12", "4"])), ["3"]);
        assert_eq!(values(&arith(ArithmeticOperation::Divide, &["7", "2"])), ["3.5"]);
        assert_eq!(arith(ArithmeticOperation::Divide, &["7", "0"]).flag, CollectedFlag::Error);
        assert_eq!(arith(ArithmeticOperation::Divide, &["7.5", "0"]).flag, CollectedFlag::Error);
        let min = i64::MIN.to_string();
        assert_eq!(values(&arith(ArithmeticOperation::Divide, &[&min, "-1"])), ["9223372036854776000"]);
    }

    #[test]
    fn regex_capture_first_group_or_empty() {
        let cap = |p: &str, v: &str| {
            eval_local(Component::RegexCapture { pattern: p.into(), arg: Box::new(lit(v)) })
        };
        assert_eq!(values(&cap(r"umask\s+(\d+)", "x umask 027 umask 077")), ["027"]);
        assert_eq!(values(&cap(r"z(\d)", "abc")), [""]);
        assert_eq!(values(&cap(r"a|(b)", "a")), [""]);
        assert_eq!(cap("(", "a").flag, CollectedFlag::Error);
    }

    #[test]
    fn split_begin_end() {
        let v = eval_local(Component::Split { delimiter: ",".into(), arg: Box::new(lit("a,,b")) });
        assert_eq!(values(&v), ["a", "", "b"]);
        let v = eval_local(Component::Begin { character: "/".into(), arg: Box::new(var("c1")) });
        assert_eq!(values(&v), ["/a", "/b"]);
        let v = eval_local(Component::Begin { character: "/".into(), arg: Box::new(lit("/x")) });
        assert_eq!(values(&v), ["/x"]);
        let v = eval_local(Component::End { character: "/".into(), arg: Box::new(lit("x")) });
        assert_eq!(values(&v), ["x/"]);
        let v = eval_local(Component::End { character: "/".into(), arg: Box::new(lit("x/")) });
        assert_eq!(values(&v), ["x/"]);
    }

    #[test]
    fn escape_and_glob() {
        // Expected strings are what `oscap oval eval` 1.3.7 produced for the same inputs.
        let v = eval_local(Component::EscapeRegex(Box::new(lit(r"/etc/a.b(c)*-x^$|?+{}[]\_#"))));
        assert_eq!(values(&v), [r"/etc/a\.b\(c\)\*-x\^\$\|\?\+\{\}\[\]\\_#"]);
        let g = |glob: &str, noescape| glob_to_regex(glob, noescape).unwrap();
        assert_eq!(g("/etc/*.conf", false), r"^/etc/(?=[^.])[^/]*\.conf$");
        assert_eq!(g("/home/*/.bashrc", false), r"^/home/(?=[^.])[^/]*/\.bashrc$");
        assert_eq!(g("file?.[!ch]", false), r"^file[^/]\.[^ch]$");
        assert_eq!(g(r"a\*b", false), r"^a\*b$");
        assert_eq!(g(r"a\*b", true), r"^a\\[^/]*b$");
        assert_eq!(g("?x", false), r"^[^./]x$");
        assert_eq!(g("[]a]", false), r"^[]a]$");
        assert!(glob_to_regex("a[b", false).is_err());
        let v = eval_local(Component::GlobToRegex { glob_noescape: false, arg: Box::new(lit("a[b")) });
        assert_eq!(v.flag, CollectedFlag::Error);
        let v = eval_local(Component::GlobToRegex { glob_noescape: false, arg: Box::new(lit("*.log")) });
        assert_eq!(values(&v), [r"^(?=[^.])[^/]*\.log$"]);
        let re = OvalRegex::new(&g("/var/log/*.log", false)).unwrap();
        assert!(re.is_match("/var/log/messages.log").unwrap());
        assert!(!re.is_match("/var/log/sub/x.log").unwrap());
        assert!(!re.is_match("/var/log/.hidden.log").unwrap());
    }

    #[test]
    fn time_difference_two_and_one_args() {
        let v = eval_local(Component::TimeDifference {
            format_1: "seconds_since_epoch".into(),
            format_2: "year_month_day".into(),
            args: vec![lit("86400"), lit("19700101")],
        });
        assert_eq!(values(&v), ["86400"]);
        let v = eval_local(Component::TimeDifference {
            format_1: "year_month_day".into(),
            format_2: "seconds_since_epoch".into(),
            args: vec![lit("946684800")],
        });
        let diff: i64 = v.values[0].parse().unwrap();
        assert!(diff > 24 * 365 * 86_400, "one component is read in format_2: {diff}");
        let v = eval_local(Component::TimeDifference {
            format_1: "year_month_day".into(),
            format_2: "year_month_day".into(),
            args: vec![lit("garbage"), lit("20000101")],
        });
        assert_eq!(v.flag, CollectedFlag::Error);
        let v = eval_local(Component::TimeDifference {
            format_1: "seconds_since_epoch".into(),
            format_2: "seconds_since_epoch".into(),
            args: vec![lit("9223372036854775807"), lit("-5")],
        });
        assert_eq!(v.flag, CollectedFlag::Error, "overflow is an error, not a panic");
    }

    #[test]
    fn external_and_missing_variables() {
        let mut b = DefsBuilder::new();
        b.external("ext", &[]);
        b.external("limited", &["1", "2"]);
        b.external_restricted(
            "ranged",
            crate::model::oval::Operator::And,
            &[(Operation::GreaterThan, "0"), (Operation::LessThan, "10")],
        );
        b.local("self", Component::VariableComponent { var_ref: "self".into() });
        let (_dir, root) = temp_root();
        let mut external = ExternalValues::new();
        external.insert("limited".into(), vec!["3".into()]);
        external.insert("ranged".into(), vec!["5".into(), "50".into()]);
        let probes = crate::probes::Registry::with(Vec::new());
        let session = Session::new(&b.defs, &root, &external, &probes);
        let mut stack = ResolutionStack::default();
        let missing = variable_values(&session, "ext", &mut stack);
        assert_eq!(missing.flag, CollectedFlag::Error);
        assert!(missing.messages[0].message.contains("`ext`"), "{:?}", missing.messages);
        let limited = variable_values(&session, "limited", &mut stack);
        assert_eq!(
            limited.flag,
            CollectedFlag::DoesNotExist,
            "an impossible value is dropped, as oscap does"
        );
        assert!(limited.messages[0].message.contains("`3`"));
        let ranged = variable_values(&session, "ranged", &mut stack);
        assert_eq!((ranged.flag, ranged.values.clone()), (CollectedFlag::Complete, vec!["5".to_string()]));
        let cycle = variable_values(&session, "self", &mut stack);
        assert_eq!(cycle.flag, CollectedFlag::Error);
        assert!(cycle.messages.iter().any(|m| m.message.contains("circular")), "{:?}", cycle.messages);
        assert_eq!(variable_values(&session, "nope", &mut stack).flag, CollectedFlag::Error);

        let mut external = ExternalValues::new();
        external.insert("ext".into(), vec!["x".into(), "y".into()]);
        let session = Session::new(&b.defs, &root, &external, &probes);
        assert_eq!(variable_values(&session, "ext", &mut stack).values, ["x", "y"]);
    }

    #[test]
    fn a_chain_deeper_than_the_limit_is_an_error_naming_the_limit_not_a_crash() {
        let mut b = DefsBuilder::new();
        let depth = crate::eval::session::MAX_RESOLUTION_DEPTH * 50;
        for i in 0..depth {
            b.local(&format!("v{i}"), Component::VariableComponent { var_ref: format!("v{}", i + 1) });
        }
        b.constant(&format!("v{depth}"), &["end"]);
        // Within the limit the chain resolves.
        b.local("short", Component::VariableComponent { var_ref: format!("v{}", depth - 10) });
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = crate::probes::Registry::with(Vec::new());
        let session = Session::new(&b.defs, &root, &external, &probes);
        let short = variable_values(&session, "short", &mut ResolutionStack::default());
        assert_eq!(short.values, ["end"]);
        let deep = variable_values(&session, "v0", &mut ResolutionStack::default());
        assert_eq!(deep.flag, CollectedFlag::Error);
        assert!(deep.messages.iter().any(|m| m.code == Code::Limit), "{:?}", deep.messages);
    }

    #[test]
    fn concat_that_would_explode_is_refused_before_it_is_computed() {
        let mut b = DefsBuilder::new();
        let ten: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        let mut parts = Vec::new();
        for i in 0..20 {
            b.constant(&format!("c{i}"), &ten);
            parts.push(Component::VariableComponent { var_ref: format!("c{i}") });
        }
        b.local("bomb", Component::Concat(parts.clone()));
        b.local("fine", Component::Concat(parts[..4].to_vec()));
        let (_dir, root) = temp_root();
        let external = ExternalValues::new();
        let probes = crate::probes::Registry::with(Vec::new());
        let session = Session::new(&b.defs, &root, &external, &probes);
        let fine = variable_values(&session, "fine", &mut ResolutionStack::default());
        assert_eq!(fine.values.len(), 10_000);
        let bomb = variable_values(&session, "bomb", &mut ResolutionStack::default());
        assert_eq!(bomb.flag, CollectedFlag::Error);
        assert!(bomb.messages.iter().any(|m| m.code == Code::Limit && m.message.contains("10 × 10")));
    }
}
