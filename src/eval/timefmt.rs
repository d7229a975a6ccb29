//! Date-time parsing for the `time_difference` function: the OVAL DateTimeFormatEnumeration
//! formats, all read as UTC, turned into seconds since the Unix epoch.

/// Seconds between 1601-01-01 and 1970-01-01 (Windows FILETIME epoch).
const FILETIME_EPOCH_OFFSET: i64 = 11_644_473_600;

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Parse `value` in the OVAL date-time `format`; `None` if it does not fit.
pub fn parse_time(format: &str, value: &str) -> Option<i64> {
    let v = value.trim();
    match format {
        "seconds_since_epoch" => v.parse::<i64>().ok(),
        "win_filetime" => {
            let ticks = if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok()?
            } else if v.bytes().all(|c| c.is_ascii_digit()) {
                v.parse::<i64>().ok()?
            } else {
                i64::from_str_radix(v, 16).ok()?
            };
            Some(ticks / 10_000_000 - FILETIME_EPOCH_OFFSET)
        }
        "cim_datetime" => parse_cim(v),
        "year_month_day" => parse_ymd(v),
        "month_day_year" => parse_dated(v, DateOrder::MonthDayYear),
        "day_month_year" => parse_dated(v, DateOrder::DayMonthYear),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum DateOrder {
    MonthDayYear,
    DayMonthYear,
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn to_epoch(year: i64, month: u32, day: u32, hms: (u32, u32, u32)) -> Option<i64> {
    let (h, mi, s) = hms;
    // Far outside any real timestamp, and keeps the day arithmetic from overflowing.
    if !(-1_000_000..=1_000_000).contains(&year) {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + (h * 3600 + mi * 60 + s) as i64)
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `hh:mm:ss` (or nothing → midnight).
fn parse_hms(s: &str) -> Option<(u32, u32, u32)> {
    let s = s.trim();
    if s.is_empty() {
        return Some((0, 0, 0));
    }
    let mut parts = s.split(':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let sec = num(parts.next()?)?;
    parts.next().is_none().then_some((h, m, sec))
}

/// `yyyymmdd`, `yyyymmddThhmmss`, `yyyy/mm/dd hh:mm:ss`, `yyyy-mm-dd hh:mm:ss` (time optional).
fn parse_ymd(v: &str) -> Option<i64> {
    if v.is_ascii() && v.len() >= 8 && v.as_bytes()[..8].iter().all(u8::is_ascii_digit) {
        let (date, rest) = v.split_at(8);
        let (y, m, d) = (num(&date[..4])?, num(&date[4..6])?, num(&date[6..8])?);
        let hms = match rest.strip_prefix('T') {
            Some(t) if t.len() == 6 => (num(&t[..2])?, num(&t[2..4])?, num(&t[4..6])?),
            None if rest.is_empty() => (0, 0, 0),
            _ => return None,
        };
        return to_epoch(y, m, d, hms);
    }
    let (date, time) = v.split_once(' ').unwrap_or((v, ""));
    let sep = if date.contains('/') { '/' } else { '-' };
    let mut parts = date.split(sep);
    let y = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let d = num(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    to_epoch(y, m, d, parse_hms(time)?)
}

/// `mm/dd/yyyy hh:mm:ss`, `mm-dd-yyyy`, or with a month name: `January 02, 2006 15:04:05`,
/// `Jan 02 2006`; the day-first order swaps the numeric fields.
fn parse_dated(v: &str, order: DateOrder) -> Option<i64> {
    let first = v.split_whitespace().next()?;
    if first.bytes().next()?.is_ascii_alphabetic() {
        let month = month_number(first)?;
        let mut rest = v[first.len()..].split_whitespace();
        let day = num(rest.next()?.trim_end_matches(','))?;
        let year = num(rest.next()?)?;
        let time: Vec<&str> = rest.collect();
        return to_epoch(year, month, day, parse_hms(&time.join(" "))?);
    }
    let (date, time) = v.split_once(' ').unwrap_or((v, ""));
    let sep = if date.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = date.split(sep).collect();
    if parts.len() != 3 {
        return None;
    }
    let (a, b, year) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let (month, day) = match order {
        DateOrder::MonthDayYear => (a, b),
        DateOrder::DayMonthYear => (b, a),
    };
    to_epoch(year, month, day, parse_hms(time)?)
}

/// A month's full English name or its three-letter abbreviation, any case, with or without
/// the comma the spec's `NameOfMonth, dd yyyy` puts after it.
fn month_number(name: &str) -> Option<u32> {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.trim_end_matches(',').to_ascii_lowercase();
    (0..12).find(|&i| lower == MONTHS[i] || lower == FULL[i]).map(|i| i as u32 + 1)
}

/// CIM `datetime` (DMTF DSP0004): `yyyymmddHHMMSS.mmmmmmsUUU`, where `s` is `+` or `-` and `UUU`
/// the offset from UTC in minutes (local time = UTC + offset), or the WQL form
/// `yyyy-mm-dd HH:MM:SS:mmm` (read as UTC). Microseconds and milliseconds are dropped: results
/// are whole seconds. Intervals (`:000` in place of the offset) are not date-times.
fn parse_cim(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if !v.is_ascii() {
        return None;
    }
    if b.len() == 23 && b[4] == b'-' && b[7] == b'-' && b[10] == b' ' && b[13] == b':' && b[16] == b':' {
        num::<u32>(&v[20..23])?;
        if b[19] != b':' {
            return None;
        }
        let hms = (num(&v[11..13])?, num(&v[14..16])?, num(&v[17..19])?);
        return to_epoch(num(&v[..4])?, num(&v[5..7])?, num(&v[8..10])?, hms);
    }
    if b.len() != 25 || b[14] != b'.' {
        return None;
    }
    num::<u32>(&v[15..21])?;
    let minutes: i64 = num(&v[22..25])?;
    let offset = match b[21] {
        b'+' => minutes,
        b'-' => -minutes,
        _ => return None,
    };
    let local = to_epoch(
        num(&v[..4])?,
        num(&v[4..6])?,
        num(&v[6..8])?,
        (num(&v[8..10])?, num(&v[10..12])?, num(&v[12..14])?),
    )?;
    Some(local - offset * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format() {
        let t = 1_577_934_245; // 2020-01-02 03:04:05 UTC
        assert_eq!(parse_time("seconds_since_epoch", "1577934245"), Some(t));
        assert_eq!(parse_time("year_month_day", "20200102T030405"), Some(t));
        assert_eq!(parse_time("year_month_day", "2020-01-02 03:04:05"), Some(t));
        assert_eq!(parse_time("year_month_day", "2020/01/02 03:04:05"), Some(t));
        assert_eq!(parse_time("year_month_day", "20200102"), Some(t - 3 * 3600 - 4 * 60 - 5));
        assert_eq!(parse_time("month_day_year", "01/02/2020 03:04:05"), Some(t));
        assert_eq!(parse_time("month_day_year", "January 02, 2020 03:04:05"), Some(t));
        assert_eq!(parse_time("month_day_year", "Jan 02 2020 03:04:05"), Some(t));
        assert_eq!(parse_time("day_month_year", "02/01/2020 03:04:05"), Some(t));
        assert_eq!(parse_time("day_month_year", "02-01-2020 03:04:05"), Some(t));
        let filetime = (t + FILETIME_EPOCH_OFFSET) * 10_000_000;
        assert_eq!(parse_time("win_filetime", &filetime.to_string()), Some(t));
        assert_eq!(parse_time("win_filetime", &format!("0x{filetime:x}")), Some(t));
        assert_eq!(parse_time("cim_datetime", "20200102030405.000000+000"), Some(t));
        assert_eq!(parse_time("cim_datetime", "20200102040405.000000+060"), Some(t));
    }

    /// OVAL 5.11.2 DateTimeFormatEnumeration, `cim_datetime`: `yyyymmddHHMMSS.mmmmmmsUUU`
    /// (`sUUU` the offset from UTC in minutes, DMTF DSP0004) and the WQL form
    /// `yyyy-mm-dd HH:MM:SS:mmm`; `NameOfMonth, dd yyyy` of `month_day_year`.
    #[test]
    fn the_specs_cim_and_month_name_forms() {
        let t = 1_577_934_245; // 2020-01-02 03:04:05 UTC
        assert_eq!(parse_time("cim_datetime", "20200102030405.123456+000"), Some(t), "fraction dropped");
        assert_eq!(parse_time("cim_datetime", "20200102020405.000000-060"), Some(t), "UTC-1h");
        assert_eq!(parse_time("cim_datetime", "20200102083405.000000+330"), Some(t), "UTC+5:30");
        assert_eq!(parse_time("cim_datetime", "2020-01-02 03:04:05:999"), Some(t));
        for bad in [
            "20200102030405",
            "20200102030405.000000:000",
            "20200102030405.000000+00",
            "20200102030405,000000+000",
            "2020010203040x.000000+000",
            "2020-01-02 03:04:05",
            "2020-01-02T03:04:05:000",
            "20201302030405.000000+000",
        ] {
            assert_eq!(parse_time("cim_datetime", bad), None, "{bad}");
        }
        assert_eq!(parse_time("month_day_year", "January, 02 2020 03:04:05"), Some(t));
        assert_eq!(parse_time("month_day_year", "jan, 02 2020 03:04:05"), Some(t));
        assert_eq!(parse_time("month_day_year", "Janu, 02 2020 03:04:05"), None);
        assert_eq!(parse_time("month_day_year", "Janfoo 02 2020"), None);
    }

    #[test]
    fn rejects_bad_dates() {
        assert_eq!(parse_time("year_month_day", "2021-02-29"), None);
        assert_eq!(parse_time("year_month_day", "2020-13-01"), None);
        assert_eq!(parse_time("month_day_year", "Foo 02 2020"), None);
        assert_eq!(parse_time("seconds_since_epoch", "abc"), None);
        assert_eq!(parse_time("no_such_format", "1"), None);
        assert_eq!(parse_time("year_month_day", "20200102Té0405"), None, "no panic on multibyte text");
        assert_eq!(parse_time("cim_datetime", "2020010203040é.000000+000"), None);
        assert_eq!(parse_time("year_month_day", "99999999999-01-01"), None);
        assert_eq!(parse_time("year_month_day", "2020-02-29"), Some(days_from_civil(2020, 2, 29) * 86_400));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
