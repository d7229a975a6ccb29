//! The spellings of OVAL enumerations, both ways: the loaders parse with these tables and the
//! writers print with them.

macro_rules! spelling {
    ($module:ident, $ty:ty, [$first:path => $first_text:literal $(, $value:path => $text:literal)* $(,)?]) => {
        pub mod $module {
            #[allow(unused_imports)]
            use crate::model::oval::*;
            /// Valid spellings, for error messages.
            pub const EXPECTED: &str = concat!("`", $first_text, "`" $(, ", `", $text, "`")*);
            pub fn parse(text: &str) -> Option<$ty> {
                match text {
                    $first_text => Some($first),
                    $($text => Some($value),)*
                    _ => None,
                }
            }
            pub fn name(value: $ty) -> &'static str {
                match value {
                    $first => $first_text,
                    $($value => $text,)*
                }
            }
        }
    };
}

spelling!(check, Check, [
    Check::All => "all",
    Check::AtLeastOne => "at least one",
    Check::NoneExist => "none exist",
    Check::NoneSatisfy => "none satisfy",
    Check::OnlyOne => "only one",
]);
spelling!(existence, Existence, [
    Existence::AllExist => "all_exist",
    Existence::AnyExist => "any_exist",
    Existence::AtLeastOneExists => "at_least_one_exists",
    Existence::NoneExist => "none_exist",
    Existence::OnlyOneExists => "only_one_exists",
]);
spelling!(operator, Operator, [
    Operator::And => "AND",
    Operator::One => "ONE",
    Operator::Or => "OR",
    Operator::Xor => "XOR",
]);
spelling!(operation, Operation, [
    Operation::Equals => "equals",
    Operation::NotEqual => "not equal",
    Operation::CaseInsensitiveEquals => "case insensitive equals",
    Operation::CaseInsensitiveNotEqual => "case insensitive not equal",
    Operation::GreaterThan => "greater than",
    Operation::LessThan => "less than",
    Operation::GreaterThanOrEqual => "greater than or equal",
    Operation::LessThanOrEqual => "less than or equal",
    Operation::BitwiseAnd => "bitwise and",
    Operation::BitwiseOr => "bitwise or",
    Operation::PatternMatch => "pattern match",
    Operation::SubsetOf => "subset of",
    Operation::SupersetOf => "superset of",
]);
spelling!(datatype, Datatype, [
    Datatype::Binary => "binary",
    Datatype::Boolean => "boolean",
    Datatype::EvrString => "evr_string",
    Datatype::DebianEvrString => "debian_evr_string",
    Datatype::Fileset => "fileset_revision",
    Datatype::Float => "float",
    Datatype::IosVersion => "ios_version",
    Datatype::Int => "int",
    Datatype::Ipv4Address => "ipv4_address",
    Datatype::Ipv6Address => "ipv6_address",
    Datatype::String => "string",
    Datatype::Version => "version",
    Datatype::Record => "record",
]);
spelling!(class, DefinitionClass, [
    DefinitionClass::Compliance => "compliance",
    DefinitionClass::Inventory => "inventory",
    DefinitionClass::Miscellaneous => "miscellaneous",
    DefinitionClass::Patch => "patch",
    DefinitionClass::Vulnerability => "vulnerability",
]);
spelling!(set_operator, SetOperator, [
    SetOperator::Complement => "COMPLEMENT",
    SetOperator::Intersection => "INTERSECTION",
    SetOperator::Union => "UNION",
]);
spelling!(filter_action, FilterAction, [
    FilterAction::Exclude => "exclude",
    FilterAction::Include => "include",
]);
spelling!(arithmetic, ArithmeticOperation, [
    ArithmeticOperation::Add => "add",
    ArithmeticOperation::Multiply => "multiply",
    ArithmeticOperation::Divide => "divide",
    ArithmeticOperation::Subtract => "subtract",
]);
spelling!(item_status, ItemStatus, [
    ItemStatus::Error => "error",
    ItemStatus::Exists => "exists",
    ItemStatus::DoesNotExist => "does not exist",
    ItemStatus::NotCollected => "not collected",
]);

/// DateTimeFormatEnumeration (kept as text in the model).
pub const DATE_TIME_FORMATS: &[&str] = &[
    "year_month_day",
    "month_day_year",
    "day_month_year",
    "win_filetime",
    "seconds_since_epoch",
    "cim_datetime",
];
pub const DATE_TIME_FORMATS_EXPECTED: &str = "`year_month_day`, `month_day_year`, `day_month_year`, \
    `win_filetime`, `seconds_since_epoch`, `cim_datetime`";
pub const BOOLEAN_EXPECTED: &str = "`true`, `false`, `1`, `0`";
pub const INTEGER_EXPECTED: &str = "an integer";
