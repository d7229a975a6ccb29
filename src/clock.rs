//! Wall-clock timestamps for results files, without a date-time dependency: results only ever
//! need "now" in UTC.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// The current UTC time as `YYYY-MM-DDThh:mm:ss` (the form oscap writes).
pub fn utc_timestamp() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format_utc(seconds)
}

pub fn format_utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let of_day = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let mut out = String::with_capacity(19);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    );
    out
}

/// RFC 3339 UTC (`2026-11-27T04:05:30Z`), for JSON results.
pub fn utc_now_rfc3339() -> String {
    format!("{}Z", utc_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_timestamps() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(format_utc(1_795_752_330), "2026-11-27T04:05:30");
        assert_eq!(utc_timestamp().len(), 19);
        assert!(utc_now_rfc3339().ends_with('Z'));
    }
}
